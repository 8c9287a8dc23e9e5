/* SPDX-License-Identifier: Apache-2.0 */
/*
 * test_qr.c -- QR codes in images (src/files/qr.c) and what the analysis
 * makes of them: the images are made at test time with qrencode(1) (PNG)
 * and libjpeg (a JPEG copy); hostile images (garbage behind a PNG
 * signature, truncated, a header claiming 100000 x 100000 pixels) are
 * refused within the LIMIT_IMAGE_* bounds, each at the limit and one
 * past it.
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
#include <png.h>

#include "analyze/analyze.h"
#include "analyze/detect.h"
#include "common/limits.h"
#include "files/qr.h"
#include "filetest.h"

#define QR_URL	"https://quish.example.net/login?id=42"

static struct arena	*a;	/* filetest_arena()'s: each scan's */


/* A white 'w' x 'h' PNG (no QR code). */
static GBytes *
white_png(unsigned w, unsigned h)
{
	png_image	 img;
	unsigned char	*px = g_malloc(w * h);
	void		*mem;
	png_alloc_size_t n = 0;

	memset(px, 255, w * h);
	memset(&img, 0, sizeof(img));
	img.version = PNG_IMAGE_VERSION;
	img.width = w;
	img.height = h;
	img.format = PNG_FORMAT_GRAY;
	assert_true(png_image_write_to_memory(&img, NULL, &n, 0, px, 0,
	    NULL));
	mem = g_malloc(n);
	assert_true(png_image_write_to_memory(&img, mem, &n, 0, px, 0,
	    NULL));
	g_free(px);
	return g_bytes_new_take(mem, n);
}

static uint32_t
crc32_of(const unsigned char *p, size_t n)
{
	uint32_t	c = 0xffffffffu;
	size_t		i;
	int		k;

	for (i = 0; i < n; i++) {
		c ^= p[i];
		for (k = 0; k < 8; k++)
			c = (c >> 1) ^ (0xedb88320u & (0u - (c & 1)));
	}
	return c ^ 0xffffffffu;
}

static void
put32(unsigned char *p, uint32_t v)
{
	p[0] = v >> 24;
	p[1] = v >> 16;
	p[2] = v >> 8;
	p[3] = v;
}

/* A PNG signature, a valid IHDR claiming 'w' x 'h' (8-bit grey), and
 * an IDAT chunk of 4 junk bytes (libpng reads the header up to it). */
static GBytes *
crafted_png(uint32_t w, uint32_t h)
{
	unsigned char	b[8 + 25 + 16];

	memcpy(b, "\x89PNG\r\n\x1a\n", 8);
	put32(b + 8, 13);
	memcpy(b + 12, "IHDR", 4);
	put32(b + 16, w);
	put32(b + 20, h);
	memcpy(b + 24, "\x08\x00\x00\x00\x00", 5);
	put32(b + 29, crc32_of(b + 12, 17));
	put32(b + 33, 4);
	memcpy(b + 37, "IDAT\xa5\xa5\xa5\xa5", 8);
	put32(b + 45, crc32_of(b + 37, 8));
	return g_bytes_new(b, sizeof(b));
}

static enum ms_err
scan(GBytes *img, struct arena_vec *out)
{
	gsize		 n;
	const void	*p = g_bytes_get_data(img, &n);

	memset(out, 0, sizeof(*out));
	a = filetest_arena();
	return qr_scan(a, p, n, NULL, out, NULL);
}

static void
png_with_url(void **state)
{
	GBytes			*png = filetest_qr_png(QR_URL);
	struct arena_vec	 v;

	(void)state;
	assert_int_equal(scan(png, &v), MS_OK);
	assert_int_equal(v.n, 1);
	assert_string_equal(v.v[0], QR_URL);
	g_bytes_unref(png);
}

static void
jpeg_with_url(void **state)
{
	GBytes			*png = filetest_qr_png(QR_URL);
	GBytes			*jpg = filetest_to_jpeg(png, NULL, NULL);
	struct arena_vec	 v;

	(void)state;
	assert_true(qr_is_image(g_bytes_get_data(jpg, NULL),
	    g_bytes_get_size(jpg)));
	assert_int_equal(scan(jpg, &v), MS_OK);
	assert_int_equal(v.n, 1);
	assert_string_equal(v.v[0], QR_URL);
	g_bytes_unref(jpg);
	g_bytes_unref(png);
}

static void
no_qr_code(void **state)
{
	GBytes			*png = white_png(64, 64);
	struct arena_vec	 v;

	(void)state;
	assert_int_equal(scan(png, &v), MS_OK);
	assert_int_equal(v.n, 0);
	g_bytes_unref(png);
	/* Under 21 pixels a side: not even decoded (a broken one too). */
	png = crafted_png(20, 1000);
	assert_int_equal(scan(png, &v), MS_OK);
	g_bytes_unref(png);
	png = crafted_png(21, 1000);
	assert_int_equal(scan(png, &v), MS_EPARSE);
	g_bytes_unref(png);
}

/* The email's pixel budget: an image of exactly the budget is decoded
 * and takes all of it; one pixel less refuses it unread. */
static void
pixel_budget(void **state)
{
	GBytes			*png = white_png(64, 64);
	struct arena_vec	 v = { 0 };
	size_t			 budget = 64 * 64;

	(void)state;
	a = filetest_arena();
	assert_int_equal(qr_scan(a, g_bytes_get_data(png, NULL),
	    g_bytes_get_size(png), &budget, &v, NULL), MS_OK);
	assert_int_equal(budget, 0);
	budget = 64 * 64 - 1;
	assert_int_equal(qr_scan(a, g_bytes_get_data(png, NULL),
	    g_bytes_get_size(png), &budget, &v, NULL), MS_ELIMIT);
	assert_int_equal(budget, 64 * 64 - 1);
	assert_true(LIMIT_QR_PIXELS_PER_MSG >= LIMIT_IMAGE_PIXELS);
	g_bytes_unref(png);
}

static void
hostile_images(void **state)
{
	static const char	 junk[] = "\x89PNG\r\n\x1a\nno PNG at all";
	GBytes			*b, *png = filetest_qr_png(QR_URL);
	GBytes			*jpg = filetest_to_jpeg(png, NULL, NULL);
	struct arena_vec	 v;
	unsigned char		*m;
	gsize			 n, i;

	(void)state;
	/* Not an image at all, and garbage behind a PNG signature. */
	b = g_bytes_new("hello", 5);
	assert_int_equal(scan(b, &v), MS_EPARSE);
	g_bytes_unref(b);
	b = g_bytes_new(junk, sizeof(junk) - 1);
	assert_int_equal(scan(b, &v), MS_EPARSE);
	g_bytes_unref(b);
	/* Truncated PNG and JPEG: no crash, no payload. */
	b = g_bytes_new(g_bytes_get_data(png, NULL), g_bytes_get_size(png) / 2);
	assert_int_equal(scan(b, &v), MS_EPARSE);
	assert_int_equal(v.n, 0);
	g_bytes_unref(b);
	b = g_bytes_new(g_bytes_get_data(jpg, NULL), g_bytes_get_size(jpg) / 3);
	(void)scan(b, &v);	/* libjpeg pads a short file: any answer */
	assert_int_equal(v.n, 0);
	g_bytes_unref(b);
	/* 100000 x 100000 declared; each bound at LIMIT and LIMIT+1 (at
	 * the limit the header passes and the missing data fails). */
	b = crafted_png(100000, 100000);
	assert_int_equal(scan(b, &v), MS_ELIMIT);
	g_bytes_unref(b);
	b = crafted_png(LIMIT_IMAGE_SIDE, 32);
	assert_int_equal(scan(b, &v), MS_EPARSE);
	g_bytes_unref(b);
	b = crafted_png(LIMIT_IMAGE_SIDE + 1, 32);
	assert_int_equal(scan(b, &v), MS_ELIMIT);
	g_bytes_unref(b);
	b = crafted_png(LIMIT_IMAGE_SIDE, LIMIT_IMAGE_PIXELS /
	    LIMIT_IMAGE_SIDE);
	assert_int_equal(scan(b, &v), MS_EPARSE);
	g_bytes_unref(b);
	b = crafted_png(LIMIT_IMAGE_SIDE, LIMIT_IMAGE_PIXELS /
	    LIMIT_IMAGE_SIDE + 1);
	assert_int_equal(scan(b, &v), MS_ELIMIT);
	g_bytes_unref(b);
	/* A JPEG whose frame header claims 32767 x 32767 (libjpeg itself
	 * refuses more than 65500 a side). */
	m = g_bytes_unref_to_data(g_bytes_new(g_bytes_get_data(jpg, NULL),
	    g_bytes_get_size(jpg)), &n);
	for (i = 0; i + 9 < n; i++)
		if (m[i] == 0xff && m[i + 1] == 0xc0) {
			memcpy(m + i + 5, "\x7f\xff\x7f\xff", 4);
			break;
		}
	assert_true(i + 9 < n);
	b = g_bytes_new_take(m, n);
	assert_int_equal(scan(b, &v), MS_ELIMIT);
	g_bytes_unref(b);
	/* LIMIT_IMAGE_BYTES + 1: refused unread. */
	m = g_malloc0(LIMIT_IMAGE_BYTES + 1);
	memcpy(m, g_bytes_get_data(png, NULL), g_bytes_get_size(png));
	b = g_bytes_new_take(m, LIMIT_IMAGE_BYTES + 1);
	assert_int_equal(scan(b, &v), MS_ELIMIT);
	g_bytes_unref(b);
	g_bytes_unref(jpg);
	g_bytes_unref(png);
}

/* An email with the images as attachments ('inline' 0) or as inline
 * parts of a multipart/related HTML body. */
static struct analysis *
run_images(GBytes *const *imgs, size_t n, int inline_, const char *ctype)
{
	GString		*s = g_string_new(NULL);
	struct analysis	*an;
	char		*b64;
	size_t		 i;
	enum ms_err	 rc;

	g_string_append(s, "From: Bank <alerts@bank.example>\n"
	    "To: alice@example.org\nSubject: Scan to verify\n"
	    "Message-ID: <q1@bank.example>\n"
	    "Date: Mon, 30 Nov 2026 09:00:00 +0000\nMIME-Version: 1.0\n");
	if (inline_)
		g_string_append(s, "Content-Type: multipart/related; "
		    "boundary=\"B\"\n\n--B\nContent-Type: text/html\n\n"
		    "<html><body><img src=\"cid:i0\"></body></html>\n");
	else
		g_string_append(s, "Content-Type: multipart/mixed; "
		    "boundary=\"B\"\n\n--B\nContent-Type: text/plain\n\n"
		    "Please see the attached document from our team.\n");
	for (i = 0; i < n; i++) {
		b64 = g_base64_encode(g_bytes_get_data(imgs[i], NULL),
		    g_bytes_get_size(imgs[i]));
		g_string_append_printf(s, "--B\nContent-Type: %s\n"
		    "Content-Transfer-Encoding: base64\n", ctype);
		if (inline_)
			g_string_append_printf(s, "Content-ID: <i%zu>\n"
			    "Content-Disposition: inline\n\n%s\n", i, b64);
		else
			g_string_append_printf(s, "Content-Disposition: "
			    "attachment; filename=\"scan%zu.img\"\n\n%s\n", i,
			    b64);
		g_free(b64);
	}
	g_string_append(s, "--B--\n");
	a = filetest_arena();
	rc = analyze_bytes(a, s->str, s->len, "t.eml", &an);
	assert_true(rc == MS_OK || rc == MS_ELIMIT);
	assert_non_null(an);
	g_string_free(s, TRUE);
	return an;
}

/* The URL indicator read from a QR code, or NULL. */
static const struct ioc *
qr_ioc(const struct analysis *an)
{
	const struct ioc	*u;
	size_t			 i;

	for (i = 0; i < ioc_set_count(an->iocs, IOC_URL); i++) {
		u = ioc_set_get(an->iocs, IOC_URL, i);
		if (g_str_has_prefix(u->where, "QR code in "))
			return u;
	}
	return NULL;
}

static void
analysis_png_attachment(void **state)
{
	GBytes			*png = filetest_qr_png(QR_URL);
	struct analysis		*an = run_images(&png, 1, 0, "image/png");
	const struct finding	*f = filetest_finding(an, "attach_qr_url");
	const struct ioc	*u = qr_ioc(an);
	const struct artifact	*art;
	size_t			 i;
	int			 seen = 0;

	(void)state;
	assert_non_null(f);
	assert_string_equal(f->evidence, QR_URL);
	assert_int_equal(f->points, detect_points("attach_qr_url"));
	assert_true(f->points > 0);
	assert_non_null(u);
	assert_string_equal(u->value, QR_URL);
	assert_string_equal(u->where, "QR code in scan0.img");
	for (i = 0; i < an->artifacts.n; i++) {
		art = an->artifacts.v[i];
		if (art->where != NULL && strcmp(art->where,
		    "QR code in scan0.img") == 0 && analyze_cef(art,
		    "requestURL") != NULL)
			seen = 1;
	}
	assert_true(seen);
	/* The text beside it is short: the email is mostly the code. */
	assert_non_null(filetest_finding(an, "attach_qr_only"));
	g_bytes_unref(png);
}

static void
analysis_inline_jpeg(void **state)
{
	GBytes			*png = filetest_qr_png(QR_URL);
	GBytes			*jpg = filetest_to_jpeg(png, NULL, NULL);
	struct analysis		*an = run_images(&jpg, 1, 1, "image/jpeg");

	(void)state;
	assert_non_null(filetest_finding(an, "attach_qr_url"));
	assert_non_null(qr_ioc(an));
	assert_non_null(filetest_finding(an, "content_image_only"));
	assert_non_null(filetest_finding(an, "attach_qr_only"));
	g_bytes_unref(jpg);
	g_bytes_unref(png);
}

static void
analysis_text_qr(void **state)
{
	GBytes			*png = filetest_qr_png("just some words, no link");
	struct analysis		*an = run_images(&png, 1, 0, "image/png");

	(void)state;
	assert_null(filetest_finding(an, "attach_qr_url"));
	assert_null(filetest_finding(an, "attach_qr_only"));
	assert_null(qr_ioc(an));
	g_bytes_unref(png);
}

static void
analysis_hostile(void **state)
{
	GBytes			*imgs[3];
	struct analysis		*an;

	(void)state;
	imgs[0] = g_bytes_new("\x89PNG\r\n\x1a\ngarbage", 15);
	imgs[1] = crafted_png(100000, 100000);
	imgs[2] = white_png(32, 32);
	an = run_images(imgs, 3, 0, "image/png");
	assert_non_null(filetest_finding(an, "image_unreadable"));
	assert_non_null(filetest_finding(an, "limit_image"));
	assert_true(an->limit_hit);
	assert_null(filetest_finding(an, "attach_qr_url"));
	assert_null(qr_ioc(an));
	g_bytes_unref(imgs[0]);
	g_bytes_unref(imgs[1]);
	g_bytes_unref(imgs[2]);
}

/* LIMIT_QR_IMAGES images are decoded; one more is a limit finding. */
static void
analysis_image_count(void **state)
{
	GBytes			*imgs[LIMIT_QR_IMAGES + 1];
	struct analysis		*an;
	size_t			 i;

	(void)state;
	for (i = 0; i < G_N_ELEMENTS(imgs); i++)
		imgs[i] = white_png(16 + i, 16);
	an = run_images(imgs, LIMIT_QR_IMAGES, 0, "image/png");
	assert_null(filetest_finding(an, "limit_qr_images"));
	an = run_images(imgs, LIMIT_QR_IMAGES + 1, 0, "image/png");
	assert_non_null(filetest_finding(an, "limit_qr_images"));
	for (i = 0; i < G_N_ELEMENTS(imgs); i++)
		g_bytes_unref(imgs[i]);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(png_with_url),
		cmocka_unit_test(jpeg_with_url),
		cmocka_unit_test(no_qr_code),
		cmocka_unit_test(pixel_budget),
		cmocka_unit_test(hostile_images),
		cmocka_unit_test(analysis_png_attachment),
		cmocka_unit_test(analysis_inline_jpeg),
		cmocka_unit_test(analysis_text_qr),
		cmocka_unit_test(analysis_hostile),
		cmocka_unit_test(analysis_image_count),
	};

	return cmocka_run_group_tests(tests, filetest_setup,
	    filetest_teardown);
}
