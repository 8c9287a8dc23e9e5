/* SPDX-License-Identifier: Apache-2.0 */
/*
 * filetype.c -- libmagic behind one function.  A magic_t is not safe to
 * share between threads, so each thread opens its own on first use.
 * Only the first FILETYPE_PEEK bytes are examined: libmagic's own default
 * is about 1 MB, and the formats we care about announce themselves early.
 */
#include <magic.h>
#include <string.h>

#include "filetype.h"
#include "../common/log.h"

#define FILETYPE_PEEK	(64 * 1024)

static _Thread_local magic_t	tl_mime;
static _Thread_local magic_t	tl_desc;
static _Thread_local int	tl_failed;

static magic_t
open_one(int flags)
{
	/* Compressed contents, and the text "token", CSV and JSON tests,
	 * cost the most and tell an analyst little here. */
	magic_t	m = magic_open(flags | MAGIC_NO_CHECK_COMPRESS |
	    MAGIC_NO_CHECK_TOKENS | MAGIC_NO_CHECK_CSV | MAGIC_NO_CHECK_JSON |
	    MAGIC_ERROR);

	if (m == NULL)
		return NULL;
	if (magic_load(m, NULL) != 0) {
		log_warnx("libmagic: %s", magic_error(m));
		magic_close(m);
		return NULL;
	}
	return m;
}

static int
ensure(void)
{
	if (tl_mime != NULL)
		return 1;
	if (tl_failed)
		return 0;
	tl_mime = open_one(MAGIC_MIME_TYPE);
	tl_desc = open_one(MAGIC_NONE);
	if (tl_mime == NULL || tl_desc == NULL) {
		filetype_thread_cleanup();
		tl_failed = 1;
		return 0;
	}
	return 1;
}

void
filetype_detect(struct arena *a, const void *p, size_t len,
    const char **mime, const char **desc)
{
	const char	*m = NULL, *d = NULL;
	size_t		 n = len > FILETYPE_PEEK ? FILETYPE_PEEK : len;

	if (ensure() && len > 0) {
		m = magic_buffer(tl_mime, p, n);
		d = magic_buffer(tl_desc, p, n);
	} else if (len == 0) {
		m = "application/x-empty";
		d = "empty";
	}
	*mime = arena_strdup(a, m ? m : "application/octet-stream");
	*desc = arena_strdup(a, d ? d : "data");
}

void
filetype_thread_cleanup(void)
{
	if (tl_mime != NULL)
		magic_close(tl_mime);
	if (tl_desc != NULL)
		magic_close(tl_desc);
	tl_mime = tl_desc = NULL;
}
