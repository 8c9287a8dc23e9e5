/* SPDX-License-Identifier: Apache-2.0 */
/*
 * intel_fetch.h -- download a threat-intel feed over HTTP(S) into a file,
 * for `mailsoar intel load URL` and `mailsoar intel refresh`.
 */
#ifndef MS_INTEL_FETCH_H
#define MS_INTEL_FETCH_H

#include <stddef.h>

#include "../common/ms.h"

#define INTEL_FETCH_MAX		(512L * 1024 * 1024)

/*
 * GET 'url' (http or https; up to 5 redirects, to https only) into
 * 'dest', through 'dest'.part renamed on success, so that a failed or
 * cut download leaves the previous copy whole.  When 'dest' exists its
 * modification time goes out as If-Modified-Since: a 304 sets
 * '*not_modified' and keeps the file.  At most INTEL_FETCH_MAX bytes,
 * within 'timeout_s'.  MS_OK, or MS_ENET / MS_EIO / MS_ELIMIT with
 * 'err' a sentence naming the URL.
 */
enum ms_err	intel_fetch(const char *url, const char *dest, int timeout_s,
		    int *not_modified, char *err, size_t errlen);

#endif /* MS_INTEL_FETCH_H */
