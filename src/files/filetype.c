/* SPDX-License-Identifier: Apache-2.0 */
/*
 * filetype.c -- libmagic behind one function.  A magic_t is not safe to
 * share between threads, so each thread opens its own on first use.
 * Only the first FILETYPE_PEEK bytes are examined: libmagic's own default
 * is about 1 MB, and the formats we care about announce themselves early.
 */
#include <magic.h>
#include <string.h>

#include <glib.h>

#include "filetype.h"
#include "../common/log.h"

#define FILETYPE_PEEK	(64 * 1024)

struct handles {
	magic_t	mime;
	magic_t	desc;
	int	failed;
};

static void	handles_free(gpointer);

/* One pair of handles per thread, closed when the thread exits (a
 * thread-local would leak them in pool threads). */
static GPrivate	tl_handles = G_PRIVATE_INIT(handles_free);

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

static void
handles_free(gpointer p)
{
	struct handles	*h = p;

	if (h == NULL)
		return;
	if (h->mime != NULL)
		magic_close(h->mime);
	if (h->desc != NULL)
		magic_close(h->desc);
	g_free(h);
}

static struct handles *
ensure(void)
{
	struct handles	*h = g_private_get(&tl_handles);

	if (h == NULL) {
		h = g_new0(struct handles, 1);
		h->mime = open_one(MAGIC_MIME_TYPE);
		h->desc = open_one(MAGIC_NONE);
		h->failed = h->mime == NULL || h->desc == NULL;
		g_private_set(&tl_handles, h);
	}
	return h->failed ? NULL : h;
}

void
filetype_detect(struct arena *a, const void *p, size_t len,
    const char **mime, const char **desc)
{
	const char	*m = NULL, *d = NULL;
	size_t		 n = len > FILETYPE_PEEK ? FILETYPE_PEEK : len;
	struct handles	*h;

	if (len > 0 && (h = ensure()) != NULL) {
		m = magic_buffer(h->mime, p, n);
		d = magic_buffer(h->desc, p, n);
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
	g_private_replace(&tl_handles, NULL);
}
