/* SPDX-License-Identifier: Apache-2.0 */
/*
 * intel_fetch.h -- download a threat-intel feed over HTTP(S) into a file,
 * for `mailsoar intel load URL` and `mailsoar intel refresh`.  The
 * server and its bytes are UNTRUSTED: they only ever reach
 * intel_feed_parse_path().
 */
#ifndef MS_INTEL_FETCH_H
#define MS_INTEL_FETCH_H

#include <stddef.h>

#include "../common/ms.h"

/*
 * GET 'url' (http or https; up to 5 redirects, to https only) into
 * 'dest', through 'dest'.part renamed on success, so that a failed or
 * cut download leaves the previous copy whole.  When 'dest' exists its
 * modification time goes out as If-Modified-Since: a 304 sets
 * '*not_modified' and keeps the file.  At most LIMIT_INTEL_FEED_BYTES
 * (limits.h), within 'timeout_s'; certificates are verified.  MS_OK,
 * or MS_ENET / MS_EIO / MS_ELIMIT with 'err' a sentence naming the URL.
 */
enum ms_err	intel_fetch(const char *url, const char *dest, int timeout_s,
		    int *not_modified, char *err, size_t errlen);

#endif /* MS_INTEL_FETCH_H */
