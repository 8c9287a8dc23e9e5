/* SPDX-License-Identifier: Apache-2.0 */
/*
 * hash.c -- digests of attachments for artifacts and the vault.
 */
#include <string.h>

#include <glib.h>

#include "hash.h"

static void
one(GChecksumType t, const void *p, size_t len, char *out, size_t outsz)
{
	GChecksum	*c = g_checksum_new(t);
	const guchar	*q = p;

	/* g_checksum_update takes a gssize; feed large buffers in pieces. */
	while (len > 0) {
		size_t	n = len > (1u << 30) ? (1u << 30) : len;

		g_checksum_update(c, q, (gssize)n);
		q += n;
		len -= n;
	}
	g_strlcpy(out, g_checksum_get_string(c), outsz);
	g_checksum_free(c);
}

void
hash_buf(const void *p, size_t len, struct hash_set *out)
{
	one(G_CHECKSUM_MD5, p, len, out->md5, sizeof(out->md5));
	one(G_CHECKSUM_SHA1, p, len, out->sha1, sizeof(out->sha1));
	one(G_CHECKSUM_SHA256, p, len, out->sha256, sizeof(out->sha256));
}

void
hash_sha256(const void *p, size_t len, char out[65])
{
	one(G_CHECKSUM_SHA256, p, len, out, 65);
}
