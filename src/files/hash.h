/* SPDX-License-Identifier: Apache-2.0 */
/*
 * hash.h -- md5/sha1/sha256 of a buffer in one pass (GLib GChecksum).
 */
#ifndef MS_HASH_H
#define MS_HASH_H

#include <stddef.h>

struct hash_set {
	char	md5[33];
	char	sha1[41];
	char	sha256[65];
};

/* Hash 'len' bytes at 'p' into lower-case hex digests. */
void	hash_buf(const void *p, size_t len, struct hash_set *out);

/* Only the sha256, into 'out' (65 bytes). */
void	hash_sha256(const void *p, size_t len, char out[65]);

#endif /* MS_HASH_H */
