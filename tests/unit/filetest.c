/* SPDX-License-Identifier: Apache-2.0 */
/*
 * filetest.c -- helpers of the unit tests of files inside emails (see
 * filetest.h).
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>
#include <glib.h>
#include <glib/gstdio.h>
#include <jpeglib.h>
#include <png.h>

#include "analyze/detect.h"
#include "common/limits.h"
#include "filetest.h"

static struct arena	*arena;		/* the last filetest_arena() */

int
filetest_setup(void **state)
{
	struct detect_config	cfg = { .data_dir = MS_SRCDIR "/data" };

	(void)state;
	analyze_init();
	assert_int_equal(detect_load(&cfg), MS_OK);
	return 0;
}

int
filetest_teardown(void **state)
{
	(void)state;
	analyze_shutdown();
	arena_free(arena);
	arena = NULL;
	return 0;
}

struct arena *
filetest_arena(void)
{
	arena_free(arena);
	arena = arena_new(LIMIT_MSG_ARENA);
	return arena;
}

GBytes *
filetest_qr_png(const char *text)
{
	char		*dir, *path, *out = NULL;
	char		*argv[] = { "qrencode", "-o", NULL, "-s", "4", NULL,
			    NULL };
	gsize		 len;
	gint		 status = -1;

	dir = g_dir_make_tmp("filetest_XXXXXX", NULL);
	assert_non_null(dir);
	path = g_build_filename(dir, "q.png", NULL);
	argv[2] = path;
	argv[5] = (char *)text;
	if (!g_spawn_sync(NULL, argv, NULL, G_SPAWN_SEARCH_PATH |
	    G_SPAWN_STDOUT_TO_DEV_NULL | G_SPAWN_STDERR_TO_DEV_NULL, NULL,
	    NULL, NULL, NULL, &status, NULL))
		fail_msg("qrencode not installed (scripts/install-deps)");
	assert_true(g_spawn_check_wait_status(status, NULL));
	assert_true(g_file_get_contents(path, &out, &len, NULL));
	(void)g_unlink(path);
	(void)g_rmdir(dir);
	g_free(path);
	g_free(dir);
	return g_bytes_new_take(out, len);
}

unsigned char *
filetest_png_grey(GBytes *png, unsigned *w, unsigned *h)
{
	png_image	 img;
	unsigned char	*px;
	gsize		 plen;
	const void	*p = g_bytes_get_data(png, &plen);

	memset(&img, 0, sizeof(img));
	img.version = PNG_IMAGE_VERSION;
	assert_true(png_image_begin_read_from_memory(&img, p, plen));
	img.format = PNG_FORMAT_GRAY;
	px = g_malloc(PNG_IMAGE_SIZE(img));
	assert_true(png_image_finish_read(&img, NULL, px, 0, NULL));
	*w = img.width;
	*h = img.height;
	return px;
}

GBytes *
filetest_to_jpeg(GBytes *png, unsigned *w, unsigned *h)
{
	struct jpeg_compress_struct	 ci;
	struct jpeg_error_mgr		 jerr;
	unsigned char			*px, *mem = NULL;
	unsigned long			 n = 0;
	unsigned			 pw, ph;
	JSAMPROW			 row;
	GBytes				*out;

	px = filetest_png_grey(png, &pw, &ph);
	ci.err = jpeg_std_error(&jerr);
	jpeg_create_compress(&ci);
	jpeg_mem_dest(&ci, &mem, &n);
	ci.image_width = pw;
	ci.image_height = ph;
	if (w != NULL)
		*w = pw;
	if (h != NULL)
		*h = ph;
	ci.input_components = 1;
	ci.in_color_space = JCS_GRAYSCALE;
	jpeg_set_defaults(&ci);
	jpeg_set_quality(&ci, 95, TRUE);
	jpeg_start_compress(&ci, TRUE);
	while (ci.next_scanline < ci.image_height) {
		row = px + (size_t)ci.next_scanline * pw;
		(void)jpeg_write_scanlines(&ci, &row, 1);
	}
	jpeg_finish_compress(&ci);
	jpeg_destroy_compress(&ci);
	out = g_bytes_new(mem, n);
	free(mem);	/* checksrc: allow rawalloc -- jpeg_mem_dest mallocs */
	g_free(px);
	return out;
}

struct analysis *
filetest_attached(GBytes *const *files, const char *const *names,
    const char *ctype, size_t n)
{
	return filetest_attached_text(files, names, ctype, n,
	    "Please find the attached document from our team.");
}

struct analysis *
filetest_attached_text(GBytes *const *files, const char *const *names,
    const char *ctype, size_t n, const char *text)
{
	GString		*s = g_string_new(NULL);
	struct analysis	*an;
	char		*b64;
	size_t		 i;
	enum ms_err	 rc;

	g_string_append_printf(s, "From: Billing <billing@pay.example>\n"
	    "To: alice@example.org\nSubject: Your invoice\n"
	    "Message-ID: <f1@pay.example>\n"
	    "Date: Mon, 30 Nov 2026 09:00:00 +0000\nMIME-Version: 1.0\n"
	    "Content-Type: multipart/mixed; boundary=\"B\"\n\n--B\n"
	    "Content-Type: text/plain; charset=utf-8\n\n%s\n", text);
	for (i = 0; i < n; i++) {
		b64 = g_base64_encode(g_bytes_get_data(files[i], NULL),
		    g_bytes_get_size(files[i]));
		g_string_append_printf(s, "--B\nContent-Type: %s\n"
		    "Content-Transfer-Encoding: base64\n"
		    "Content-Disposition: attachment; filename=\"%s\""
		    "\n\n%s\n", ctype, names[i], b64);
		g_free(b64);
	}
	g_string_append(s, "--B--\n");
	rc = analyze_bytes(filetest_arena(), s->str, s->len, "t.eml", &an);
	assert_true(rc == MS_OK || rc == MS_ELIMIT);
	assert_non_null(an);
	g_string_free(s, TRUE);
	return an;
}

const struct finding *
filetest_finding(const struct analysis *an, const char *id)
{
	const struct finding	*f;
	size_t			 i;

	for (i = 0; i < an->findings.n; i++) {
		f = an->findings.v[i];
		if (strcmp(f->id, id) == 0)
			return f;
	}
	return NULL;
}

const struct ioc *
filetest_url(const struct analysis *an, const char *url)
{
	const struct ioc	*u;
	size_t			 i;

	for (i = 0; i < ioc_set_count(an->iocs, IOC_URL); i++) {
		u = ioc_set_get(an->iocs, IOC_URL, i);
		if (strcmp(u->value, url) == 0)
			return u;
	}
	return NULL;
}
