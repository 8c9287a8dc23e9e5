/* SPDX-License-Identifier: Apache-2.0 */
/*
 * filetype.h -- what a buffer really is (libmagic), whatever its name and
 * declared type say.  The only code that includes magic.h.
 */
#ifndef MS_FILETYPE_H
#define MS_FILETYPE_H

#include "../common/arena.h"

/*
 * Detect the MIME type ("application/zip") and a one-line description
 * ("Zip archive data, at least v2.0 to extract") of UNTRUSTED bytes, into
 * arena strings.  Thread-safe (one magic handle per thread).  On failure
 * both are "application/octet-stream" / "data".
 */
void	filetype_detect(struct arena *a, const void *p, size_t len,
	    const char **mime, const char **desc);

/* Release this thread's magic handle (optional; at exit). */
void	filetype_thread_cleanup(void);

#endif /* MS_FILETYPE_H */
