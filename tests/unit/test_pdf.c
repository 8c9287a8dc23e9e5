/* SPDX-License-Identifier: Apache-2.0 */
/*
 * test_pdf.c -- PDF attachments (src/files/pdf.c, src/analyze/
 * attach_pdf.c): links in literal and hex strings, in FlateDecode object
 * streams (compressed here with zlib), #xx-escaped names, active content,
 * JPEG images, FlateDecode pixels (grey with PNG predictors, RGB under
 * ICCBased, a 1-bit mask, 4-bit grey), inline images and rectangles
 * drawing a QR code (qrencode(1) and libjpeg at test time), and hostile
 * files: truncated, a /Length that lies, a 200 MB deflate bomb, each
 * limit at LIMIT and LIMIT+1.  Then what the analysis, the detection and
 * the JSON make of them, and three real PDFs of the shared corpus.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>

#include <cmocka.h>
#include <glib.h>
#include <glib/gstdio.h>
#include <zlib.h>

#include "analyze/analyze.h"
#include "analyze/detect.h"
#include "common/limits.h"
#include "files/pdf.h"
#include "report/report.h"
#include "filetest.h"

#define QR_URL	"https://quish.example.net/pdf?id=7"

static struct arena	*a;	/* filetest_arena()'s: each scan's */


/* ---- building PDFs -------------------------------------------------- */

/* A one-page PDF around 'objs' (objects 4 and up; 3 is the page, whose
 * content stream is object 4 unless 'objs' says otherwise). */
static GString *
pdf_new(const char *objs)
{
	GString	*s = g_string_new("%PDF-1.7\n%\xe2\xe3\xcf\xd3\n");

	g_string_append(s, "1 0 obj\n<< /Type /Catalog /Pages 2 0 R >>\n"
	    "endobj\n2 0 obj\n<< /Type /Pages /Kids [3 0 R] /Count 1 >>\n"
	    "endobj\n3 0 obj\n<< /Type /Page /Parent 2 0 R /MediaBox "
	    "[0 0 612 792] /Contents 4 0 R /Annots [9 0 R] >>\nendobj\n");
	g_string_append(s, objs);
	g_string_append(s, "trailer\n<< /Root 1 0 R /Size 10 >>\n%%EOF\n");
	return s;
}

/* 'n' bytes at 'p', zlib-compressed. */
static GBytes *
deflated(const void *p, size_t n)
{
	uLongf		 out = compressBound(n);
	unsigned char	*buf = g_malloc(out);

	assert_int_equal(compress2(buf, &out, p, n, 9), Z_OK);
	return g_bytes_new_take(buf, out);
}

/* 'mb' MiB of zeros, deflated without ever holding them. */
static GBytes *
zero_bomb(size_t mb)
{
	static unsigned char	 zeros[1024 * 1024];
	GByteArray		*out = g_byte_array_new();
	unsigned char		 chunk[64 * 1024];
	z_stream		 z;
	size_t			 i;
	int			 flush;

	memset(&z, 0, sizeof(z));
	assert_int_equal(deflateInit(&z, 9), Z_OK);
	for (i = 0; i < mb; i++) {
		z.next_in = zeros;
		z.avail_in = sizeof(zeros);
		flush = i + 1 == mb ? Z_FINISH : Z_NO_FLUSH;
		do {
			z.next_out = chunk;
			z.avail_out = sizeof(chunk);
			assert_int_not_equal(deflate(&z, flush),
			    Z_STREAM_ERROR);
			g_byte_array_append(out, chunk,
			    sizeof(chunk) - z.avail_out);
		} while (z.avail_out == 0);
	}
	deflateEnd(&z);
	return g_byte_array_free_to_bytes(out);
}

/* "N 0 obj << dict >> stream DATA endstream endobj" onto 's'. */
static void
add_stream(GString *s, int num, const char *dict, GBytes *data)
{
	gsize		 n;
	const char	*p = g_bytes_get_data(data, &n);

	g_string_append_printf(s, "%d 0 obj\n<< %s >>\nstream\n", num, dict);
	g_string_append_len(s, p, (gssize)n);
	g_string_append(s, "\nendstream\nendobj\n");
}

static enum ms_err
scan(const GString *s, struct pdf_info *pi)
{
	a = filetest_arena();
	return pdf_scan(a, s->str, s->len, NULL, pi);
}

static int
has_uri(const struct pdf_info *pi, const char *u)
{
	size_t	i;

	for (i = 0; i < pi->uris.n; i++)
		if (strcmp(pi->uris.v[i], u) == 0)
			return 1;
	return 0;
}

#define LINK(n, uri) n " 0 obj\n<< /Type /Annot /Subtype /Link /Rect " \
	"[0 0 612 792] /A << /S /URI /URI " uri " >> >>\nendobj\n"
#define TEXT_STREAM "4 0 obj\n<< /Length 44 >>\nstream\nBT /F1 12 Tf " \
	"72 712 Td (Open) Tj ET\nendstream\nendobj\n"

/* ---- the scanner ---------------------------------------------------- */

static void
uri_strings(void **state)
{
	GString		*s = pdf_new(TEXT_STREAM
	    LINK("9", "(https://esc.example/a\\(b\\)\\\\c\\101\\\n/d)")
	    LINK("10", "<68747470733A2F2F6865782E6578616D706C652F 3>")
	    LINK("11", "<FEFF00680074007400700073003A002F002F0075002E"
	    "00650078002F>"));
	struct pdf_info	 pi;

	(void)state;
	assert_int_equal(scan(s, &pi), MS_OK);
	assert_int_equal(pi.uris.n, 3);
	assert_true(has_uri(&pi, "https://esc.example/a(b)\\cA/d"));
	assert_true(has_uri(&pi, "https://hex.example/0"));
	assert_true(has_uri(&pi, "https://u.ex/"));
	assert_int_equal(pi.pages, 1);
	assert_int_equal(pi.text, 4);		/* "Open" */
	assert_false(pi.text_unknown);
	assert_int_equal(pi.flags, 0);
	assert_null(pi.limit);
	assert_null(pi.broken);
	g_string_free(s, TRUE);
}

/* PDF 1.5 object streams: the link is only in the compressed bytes. */
static void
uri_in_object_stream(void **state)
{
	static const char	 inner[] = "9 0 10 60\n"
	    "<< /Type /Annot /Subtype /Link /A 10 0 R >>\n"
	    "<< /S /URI /URI (https://objstm.example/hidden) >>";
	GBytes			*z = deflated(inner, sizeof(inner) - 1);
	GString			*s = pdf_new(TEXT_STREAM);
	struct pdf_info		 pi;

	(void)state;
	add_stream(s, 12, "/Type /ObjStm /N 2 /First 10 /Filter "
	    "/FlateDecode", z);
	assert_null(memmem(s->str, s->len, "objstm.example", 14));
	assert_int_equal(scan(s, &pi), MS_OK);
	assert_int_equal(pi.uris.n, 1);
	assert_true(has_uri(&pi, "https://objstm.example/hidden"));
	assert_int_equal(pi.inflated, sizeof(inner) - 1);
	g_string_free(s, TRUE);
	g_bytes_unref(z);
}

static void
active_content(void **state)
{
	GString		*s;
	struct pdf_info	 pi;

	(void)state;
	s = pdf_new("5 0 obj\n<< /S /J#61vaScript /J#53 (app.alert\\(1\\)) "
	    ">>\nendobj\n");
	assert_int_equal(scan(s, &pi), MS_OK);
	assert_int_equal(pi.flags, PDF_JAVASCRIPT);
	g_string_free(s, TRUE);
	s = pdf_new("5 0 obj\n<< /OpenAction << /S /Launch /F (cmd.exe) >> "
	    "/Names << /EmbeddedFiles 6 0 R >> /AcroForm << /XFA 7 0 R >> "
	    "/A << /S /SubmitForm >> >>\nendobj\n");
	assert_int_equal(scan(s, &pi), MS_OK);
	assert_int_equal(pi.flags, PDF_LAUNCH | PDF_OPEN_ACTION |
	    PDF_EMBEDDED_FILE | PDF_ACROFORM | PDF_XFA | PDF_SUBMIT_FORM);
	g_string_free(s, TRUE);
	/* Words in strings, longer names and comments are no names. */
	s = pdf_new("5 0 obj\n<< /Title (/JavaScript /Launch) /JavaScriptX "
	    "1 /Lau#6Xch 2 >>\n% /JS /EmbeddedFile\nendobj\n");
	assert_int_equal(scan(s, &pi), MS_OK);
	assert_int_equal(pi.flags, 0);
	g_string_free(s, TRUE);
	assert_string_equal(pdf_flag_name(PDF_LAUNCH), "launch");
}

static void
not_a_pdf(void **state)
{
	GString		*s = g_string_new(NULL);
	struct pdf_info	 pi;

	(void)state;
	g_string_append(s, "hello, no PDF here");
	assert_int_equal(scan(s, &pi), MS_EPARSE);
	assert_non_null(pi.broken);
	assert_false(pdf_is_pdf(s->str, s->len));
	/* The header may start within the first 1024 bytes, not after. */
	g_string_assign(s, "");
	g_string_append_printf(s, "%*s%%PDF-1.4\n1 0 obj << >> endobj\n",
	    1019, "");
	assert_true(pdf_is_pdf(s->str, s->len));
	assert_int_equal(scan(s, &pi), MS_OK);
	g_string_insert_c(s, 0, ' ');
	assert_false(pdf_is_pdf(s->str, s->len));
	assert_int_equal(scan(s, &pi), MS_EPARSE);
	/* A header and nothing else. */
	g_string_assign(s, "%PDF-1.4\n");
	assert_int_equal(scan(s, &pi), MS_EPARSE);
	assert_string_equal(pi.broken, "no object");
	g_string_free(s, TRUE);
}

/* Cut inside a stream: what came before is kept, and it says why. */
static void
truncated(void **state)
{
	GString		*s = pdf_new(LINK("9", "(https://before.example/)")
	    "4 0 obj\n<< /Length 500 >>\nstream\nBT (text");
	struct pdf_info	 pi;
	char		*cut;

	(void)state;
	cut = strstr(s->str, "BT (text");
	g_string_truncate(s, (gsize)(cut - s->str) + 8);
	assert_int_equal(scan(s, &pi), MS_EPARSE);
	assert_true(has_uri(&pi, "https://before.example/"));
	assert_non_null(pi.broken);
	assert_true(pi.text_unknown);
	/* Cut inside a literal string: no stream at all, no crash. */
	g_string_assign(s, "%PDF-1.4\n1 0 obj << /URI (https://x.ex/(((");
	assert_int_equal(scan(s, &pi), MS_OK);
	g_string_assign(s, "%PDF-1.4\n1 0 obj << /URI <68747");
	assert_int_equal(scan(s, &pi), MS_OK);
	assert_true(has_uri(&pi, "htp"));
	g_string_free(s, TRUE);
}

/* /Length is never read: a lie does not hide what follows. */
static void
lying_length(void **state)
{
	GString		*s = pdf_new("4 0 obj\n<< /Length 99999999999999 >>\n"
	    "stream\nBT (Hi) Tj ET\nendstream\nendobj\n"
	    "5 0 obj\n<< /Length -5 /Filter /FlateDecode >>\nstream\n"
	    "not zlib at all\nendstream\nendobj\n"
	    LINK("9", "(https://after.example/)"));
	struct pdf_info	 pi;

	(void)state;
	assert_int_equal(scan(s, &pi), MS_OK);
	assert_true(has_uri(&pi, "https://after.example/"));
	assert_int_equal(pi.streams, 2);
	assert_int_equal(pi.text, 2);
	g_string_free(s, TRUE);
}

/* 200 MB of zeros in 200 KB: inflating stops at the cap. */
static void
deflate_bomb(void **state)
{
	GBytes		*z = zero_bomb(200);
	GString		*s = pdf_new(LINK("9", "(https://bomb.example/)"));
	struct pdf_info	 pi;
	size_t		 budget, i;

	(void)state;
	assert_true(g_bytes_get_size(z) < 1024 * 1024);
	add_stream(s, 4, "/Filter /FlateDecode /Length 10", z);
	assert_int_equal(scan(s, &pi), MS_ELIMIT);
	assert_int_equal(pi.inflated, LIMIT_PDF_INFLATE_PER_STREAM);
	assert_non_null(strstr(pi.limit, "LIMIT_PDF_INFLATE_PER_STREAM"));
	assert_true(has_uri(&pi, "https://bomb.example/"));
	assert_true(pi.text_unknown);
	/* Five of them: the file's cap. */
	for (i = 0; i < 4; i++)
		add_stream(s, 20 + (int)i, "/Filter /FlateDecode", z);
	assert_int_equal(scan(s, &pi), MS_ELIMIT);
	assert_int_equal(pi.inflated, LIMIT_PDF_INFLATE_PER_FILE);
	/* The email's budget, shared by its PDFs. */
	budget = 1000;
	a = filetest_arena();
	assert_int_equal(pdf_scan(a, s->str, s->len, &budget, &pi),
	    MS_ELIMIT);
	assert_int_equal(pi.inflated, 1000);
	assert_int_equal(budget, 0);
	assert_non_null(strstr(pi.limit, "LIMIT_PDF_INFLATE_PER_MSG"));
	g_string_free(s, TRUE);
	g_bytes_unref(z);
}

/* A stream of exactly LIMIT_PDF_INFLATE_PER_STREAM bytes, then one more. */
static void
inflate_limit(void **state)
{
	GBytes		*z;
	GString		*s;
	struct pdf_info	 pi;
	char		*p;
	size_t		 n = LIMIT_PDF_INFLATE_PER_STREAM;

	(void)state;
	p = g_malloc(n + 1);
	memset(p, ' ', n + 1);
	memcpy(p, "(Hello) Tj ", 11);
	z = deflated(p, n);
	s = pdf_new("");
	add_stream(s, 4, "/Filter /FlateDecode", z);
	assert_int_equal(scan(s, &pi), MS_OK);
	assert_int_equal(pi.inflated, n);
	assert_int_equal(pi.text, 5);
	g_string_free(s, TRUE);
	g_bytes_unref(z);
	z = deflated(p, n + 1);
	s = pdf_new("");
	add_stream(s, 4, "/Filter /FlateDecode", z);
	assert_int_equal(scan(s, &pi), MS_ELIMIT);
	assert_int_equal(pi.inflated, n);
	g_string_free(s, TRUE);
	g_bytes_unref(z);
	g_free(p);
}

/* LIMIT_PDF_URIS distinct links are kept, one more is a limit; the
 * same link twice is kept once. */
static void
uri_limit(void **state)
{
	GString		*o = g_string_new(NULL), *s;
	struct pdf_info	 pi;
	int		 i;

	(void)state;
	for (i = 0; i < LIMIT_PDF_URIS; i++)
		g_string_append_printf(o, "<< /URI (https://h%d.example/) "
		    ">>\n", i);
	g_string_append(o, "<< /URI (https://h0.example/) >>\n");
	s = pdf_new(o->str);
	assert_int_equal(scan(s, &pi), MS_OK);
	assert_int_equal(pi.uris.n, LIMIT_PDF_URIS);
	g_string_free(s, TRUE);
	g_string_append(o, "<< /URI (https://one-more.example/) >>\n");
	s = pdf_new(o->str);
	assert_int_equal(scan(s, &pi), MS_ELIMIT);
	assert_int_equal(pi.uris.n, LIMIT_PDF_URIS);
	assert_non_null(strstr(pi.limit, "LIMIT_PDF_URIS"));
	g_string_free(s, TRUE);
	g_string_free(o, TRUE);
}

/* LIMIT_PDF_STREAMS streams are read, one more is a limit. */
static void
stream_limit(void **state)
{
	GString		*o = g_string_new(NULL), *s;
	struct pdf_info	 pi;
	int		 i;

	(void)state;
	for (i = 0; i < LIMIT_PDF_STREAMS; i++)
		g_string_append(o, "stream\nx\nendstream\n");
	s = pdf_new(o->str);
	assert_int_equal(scan(s, &pi), MS_OK);
	assert_int_equal(pi.streams, LIMIT_PDF_STREAMS);
	g_string_free(s, TRUE);
	g_string_append(o, "stream\nx\nendstream\n");
	s = pdf_new(o->str);
	assert_int_equal(scan(s, &pi), MS_ELIMIT);
	g_string_free(s, TRUE);
	g_string_free(o, TRUE);
}

/* LIMIT_PDF_IMAGES JPEG streams are listed, one more is a limit. */
static void
image_limit(void **state)
{
	GString		*o = g_string_new(NULL), *s;
	struct pdf_info	 pi;
	int		 i;

	(void)state;
	for (i = 0; i < LIMIT_PDF_IMAGES; i++)
		g_string_append(o, "<< /Filter /DCTDecode >>\nstream\n"
		    "\xff\xd8\xff\nendstream\n");
	s = pdf_new(o->str);
	assert_int_equal(scan(s, &pi), MS_OK);
	assert_int_equal(pi.images.n, LIMIT_PDF_IMAGES);
	g_string_free(s, TRUE);
	g_string_append(o, "<< /Filter /DCT >>\nstream\nx\nendstream\n");
	s = pdf_new(o->str);
	assert_int_equal(scan(s, &pi), MS_ELIMIT);
	assert_int_equal(pi.images.n, LIMIT_PDF_IMAGES);
	assert_non_null(strstr(pi.limit, "LIMIT_PDF_IMAGES"));
	g_string_free(s, TRUE);
	g_string_free(o, TRUE);
}

/* ---- QR codes in JPEG images ---------------------------------------- */

/* A one-page PDF whose only content is a JPEG of a QR code of 'url'. */
static GString *
qr_pdf(const char *url)
{
	GBytes		*png = filetest_qr_png(url), *jpg;
	GString		*s = pdf_new("4 0 obj\n<< /Length 30 >>\nstream\n"
	    "q 200 0 0 200 0 0 cm /Im0 Do Q\nendstream\nendobj\n");
	char		*dict;
	unsigned	 w, h;

	jpg = filetest_to_jpeg(png, &w, &h);
	dict = g_strdup_printf("/Type /XObject /Subtype /Image /Width %u "
	    "/Height %u /ColorSpace /DeviceGray /BitsPerComponent 8 "
	    "/Filter /DCTDecode /Length 3", w, h);
	add_stream(s, 5, dict, jpg);
	g_free(dict);
	g_bytes_unref(jpg);
	g_bytes_unref(png);
	return s;
}

static void
jpeg_images(void **state)
{
	GString			*s = qr_pdf(QR_URL);
	struct pdf_info		 pi;
	const struct pdf_image	*img;

	(void)state;
	assert_int_equal(scan(s, &pi), MS_OK);
	assert_int_equal(pi.images.n, 1);
	img = pi.images.v[0];
	assert_int_equal(img->data[0], 0xff);
	assert_int_equal(img->data[1], 0xd8);
	assert_int_equal(img->data[img->len - 2], 0xff);
	assert_int_equal(img->data[img->len - 1], 0xd9);
	g_string_free(s, TRUE);
}

/* ---- encryption ----------------------------------------------------- */

/* 's' encrypted by qpdf(1) with user password 'user', owner password
 * "owner", the key options 'how' (a blank-separated list) and the
 * general option 'pre' (or NULL); fails the test when qpdf is missing
 * (scripts/install-deps installs it). */
static GString *
qpdf_encrypt(const GString *s, const char *user, const char *how,
    const char *pre)
{
	char	*dir = g_dir_make_tmp("test_pdf_XXXXXX", NULL), *in, *out;
	char	**opts = g_strsplit(how, " ", -1), *buf = NULL, *err = NULL;
	GPtrArray *argv = g_ptr_array_new();
	gint	 status = -1;
	gsize	 n;
	size_t	 i;
	GString	*r;

	assert_non_null(dir);
	in = g_build_filename(dir, "in.pdf", NULL);
	out = g_build_filename(dir, "out.pdf", NULL);
	assert_true(g_file_set_contents(in, s->str, (gssize)s->len, NULL));
	g_ptr_array_add(argv, "qpdf");
	g_ptr_array_add(argv, "--allow-weak-crypto");
	if (pre != NULL)
		g_ptr_array_add(argv, (char *)pre);
	g_ptr_array_add(argv, "--encrypt");
	g_ptr_array_add(argv, (char *)user);
	g_ptr_array_add(argv, "owner");
	for (i = 0; opts[i] != NULL; i++)
		g_ptr_array_add(argv, opts[i]);
	g_ptr_array_add(argv, "--");
	g_ptr_array_add(argv, in);
	g_ptr_array_add(argv, out);
	g_ptr_array_add(argv, NULL);
	if (!g_spawn_sync(NULL, (char **)argv->pdata, NULL,
	    G_SPAWN_SEARCH_PATH | G_SPAWN_STDOUT_TO_DEV_NULL, NULL, NULL,
	    NULL, &err, &status, NULL))
		fail_msg("qpdf not installed (scripts/install-deps)");
	/* 0, or 3: done with warnings (our PDFs have no xref table). */
	if (!WIFEXITED(status) || (WEXITSTATUS(status) != 0 &&
	    WEXITSTATUS(status) != 3))
		fail_msg("qpdf %s: %s", how, err);
	g_free(err);
	assert_true(g_file_get_contents(out, &buf, &n, NULL));
	r = g_string_new_len(buf, (gssize)n);
	(void)g_unlink(in);
	(void)g_unlink(out);
	(void)g_rmdir(dir);
	g_free(buf);
	g_free(in);
	g_free(out);
	g_free(dir);
	g_strfreev(opts);
	g_ptr_array_free(argv, TRUE);
	return r;
}

/* Encrypted PDFs as qpdf writes them, each revision of the standard
 * handler: flagged encrypted, and 'password' when the user password is
 * not empty (revision 6 cannot be told, and is not). */
static void
encryption(void **state)
{
	static const struct {
		const char	*how, *pre;
		int		 r;
	} revs[] = {
		{ "40", NULL, 2 }, { "128 --use-aes=n", NULL, 3 },
		{ "128 --use-aes=y", NULL, 4 },
		{ "128 --use-aes=y", "--object-streams=generate", 4 },
		{ "256 --force-R5", NULL, 5 }, { "256", NULL, 6 },
	};
	GString		*plain = pdf_new(TEXT_STREAM
	    LINK("9", "(https://x.example/)")), *s;
	struct pdf_info	 pi;
	char		 rev[8];
	size_t		 i, k;

	(void)state;
	assert_int_equal(scan(plain, &pi), MS_OK);
	assert_int_equal(pi.flags & (PDF_ENCRYPTED | PDF_PASSWORD), 0);
	for (i = 0; i < G_N_ELEMENTS(revs); i++)
		for (k = 0; k < 2; k++) {
			s = qpdf_encrypt(plain, k ? "s3cret" : "", revs[i].how,
			    revs[i].pre);
			snprintf(rev, sizeof(rev), "/R %d", revs[i].r);
			assert_non_null(memmem(s->str, s->len, rev,
			    strlen(rev)));
			(void)scan(s, &pi);
			if (!(pi.flags & PDF_ENCRYPTED))
				fail_msg("%s: not flagged encrypted", revs[i].how);
			if (!!(pi.flags & PDF_PASSWORD) != (k && revs[i].r < 6))
				fail_msg("%s, user password '%s': password flag "
				    "%d", revs[i].how, k ? "s3cret" : "",
				    !!(pi.flags & PDF_PASSWORD));
			g_string_free(s, TRUE);
		}
	g_string_free(plain, TRUE);
}

/* A PDF that needs its password, sent with it: the archive lure's
 * pattern.  One encrypted only against printing is no such thing. */
static void
analysis_encrypted(void **state)
{
	GString		*plain = pdf_new(TEXT_STREAM), *s;
	GBytes		*f;
	struct analysis	*an;
	const char	*name = "multa.pdf";
	size_t		 k;

	(void)state;
	for (k = 0; k < 2; k++) {
		s = qpdf_encrypt(plain, k ? "0808" : "", "128 --use-aes=n",
		    NULL);
		f = g_bytes_new(s->str, s->len);
		an = filetest_attached_text(&f, &name, "application/pdf", 1,
		    "Boleta de infracción adjunta. SU CONTRASEÑA PERSONAL: "
		    "0808");
		assert_int_equal(filetest_finding(an,
		    "attach_encrypted_document") != NULL, (int)k);
		assert_int_equal(filetest_finding(an,
		    "attach_archive_password") != NULL, (int)k);
		g_bytes_unref(f);
		g_string_free(s, TRUE);
	}
	g_string_free(plain, TRUE);
}

/* ---- the analysis --------------------------------------------------- */

/* An email with a short text body and the PDFs attached as docN.pdf. */
static struct analysis *
run_pdfs(const GString *const *pdfs, size_t n)
{
	GBytes		*files[8];
	char		*names[8];
	struct analysis	*an;
	size_t		 i;

	assert_true(n <= G_N_ELEMENTS(files));
	for (i = 0; i < n; i++) {
		files[i] = g_bytes_new(pdfs[i]->str, pdfs[i]->len);
		names[i] = g_strdup_printf("doc%zu.pdf", i);
	}
	an = filetest_attached(files, (const char *const *)names,
	    "application/pdf", n);
	for (i = 0; i < n; i++) {
		g_bytes_unref(files[i]);
		g_free(names[i]);
	}
	return an;
}

static void
analysis_link(void **state)
{
	GString			*s = pdf_new(TEXT_STREAM
	    LINK("9", "(http://45.9.148.22/login)"));
	struct analysis		*an = run_pdfs((const GString *[]){ s }, 1);
	const struct attachment	*at = an->attachments.v[0];
	const struct finding	*f;
	const struct ioc	*u = filetest_url(an, "http://45.9.148.22/login");
	const struct artifact	*art;
	char			*json;
	size_t			 i;
	int			 seen = 0;

	(void)state;
	assert_non_null(at->pdf);
	assert_int_equal(at->pdf_urls.n, 1);
	assert_string_equal(at->pdf_urls.v[0], "http://45.9.148.22/login");
	assert_non_null(u);
	assert_string_equal(u->where, "PDF doc0.pdf");
	for (i = 0; i < an->artifacts.n; i++) {
		art = an->artifacts.v[i];
		if (art->where != NULL && strcmp(art->where,
		    "PDF doc0.pdf") == 0 && analyze_cef(art,
		    "requestURL") != NULL)
			seen = 1;
	}
	assert_true(seen);
	f = filetest_finding(an, "attach_pdf_link");
	assert_non_null(f);
	assert_string_equal(f->evidence, "http://45.9.148.22/login");
	assert_int_equal(f->points, 10);
	assert_int_equal(detect_points("attach_pdf_link"), 10);
	f = filetest_finding(an, "attach_pdf_link_only");
	assert_non_null(f);
	assert_int_equal(f->points, 20);
	/* The link signals read the PDF's URL like any other. */
	assert_non_null(filetest_finding(an, "link_ip_host"));
	assert_null(filetest_finding(an, "attach_pdf_javascript"));
	json = report_analysis_string(an);
	assert_non_null(strstr(json, "\"pdf_urls\":"
	    "[\"http://45.9.148.22/login\"]"));
	assert_null(strstr(json, "\"pdf_flags\""));
	xfree(json);
	g_string_free(s, TRUE);
}

static void
analysis_active(void **state)
{
	GString			*s[2];
	struct analysis		*an;
	const struct finding	*f;
	char			*json;

	(void)state;
	s[0] = pdf_new("5 0 obj\n<< /OpenAction << /S /JavaScript /JS "
	    "(this.print\\(\\)) >> >>\nendobj\n");
	s[1] = pdf_new("5 0 obj\n<< /A << /S /Launch /F (x.exe) >> /Names "
	    "<< /EmbeddedFiles 6 0 R >> >>\nendobj\n");
	an = run_pdfs((const GString *const *)s, 2);
	f = filetest_finding(an, "attach_pdf_javascript");
	assert_non_null(f);
	assert_int_equal(f->points, 40);
	assert_string_equal(f->evidence, "doc0.pdf (with an automatic "
	    "action)");
	f = filetest_finding(an, "attach_pdf_launch");
	assert_non_null(f);
	assert_int_equal(f->points, 50);
	assert_string_equal(f->evidence, "doc1.pdf");
	f = filetest_finding(an, "attach_pdf_embedded_file");
	assert_non_null(f);
	assert_int_equal(f->points, 30);
	assert_null(filetest_finding(an, "attach_pdf_link"));
	assert_null(filetest_finding(an, "attach_pdf_link_only"));
	json = report_analysis_string(an);
	assert_non_null(strstr(json, "\"pdf_flags\":[\"javascript\","
	    "\"open_action\"]"));
	assert_non_null(strstr(json, "\"pdf_flags\":[\"launch\","
	    "\"embedded_file\"]"));
	xfree(json);
	g_string_free(s[0], TRUE);
	g_string_free(s[1], TRUE);
}

/* A page of text with a link is no "link only" PDF. */
static void
analysis_text_with_link(void **state)
{
	GString		*o = g_string_new("4 0 obj\n<< >>\nstream\nBT\n"), *s;
	struct analysis	*an;
	int		 i;

	(void)state;
	for (i = 0; i < 40; i++)
		g_string_append(o, "(A line of the real document's text) Tj "
		    "T*\n");
	g_string_append(o, "ET\nendstream\nendobj\n"
	    LINK("9", "(https://docs.example/more)"));
	s = pdf_new(o->str);
	an = run_pdfs((const GString *[]){ s }, 1);
	assert_non_null(filetest_finding(an, "attach_pdf_link"));
	assert_null(filetest_finding(an, "attach_pdf_link_only"));
	g_string_free(s, TRUE);
	g_string_free(o, TRUE);
}

/* Many links: one signal for the PDF, every URL an indicator; more than
 * three links is no "link only" PDF. */
static void
analysis_many_links(void **state)
{
	GString			*o = g_string_new(NULL), *s;
	struct analysis		*an;
	const struct finding	*f;
	size_t			 i, n = 0;

	(void)state;
	for (i = 0; i < 5; i++)
		g_string_append_printf(o, "<< /URI (https://l%zu.example/) "
		    ">>\n", i);
	s = pdf_new(o->str);
	an = run_pdfs((const GString *[]){ s }, 1);
	for (i = 0; i < an->findings.n; i++) {
		f = an->findings.v[i];
		if (strcmp(f->id, "attach_pdf_link") == 0)
			n++;
	}
	assert_int_equal(n, 1);
	f = filetest_finding(an, "attach_pdf_link");
	assert_string_equal(f->evidence, "https://l0.example/ (and 4 more)");
	assert_non_null(filetest_url(an, "https://l4.example/"));
	assert_null(filetest_finding(an, "attach_pdf_link_only"));
	g_string_free(s, TRUE);
	g_string_free(o, TRUE);
}

static void
analysis_qr(void **state)
{
	GString			*s = qr_pdf(QR_URL);
	struct analysis		*an = run_pdfs((const GString *[]){ s }, 1);
	const struct attachment	*at = an->attachments.v[0];
	const struct finding	*f = filetest_finding(an, "attach_qr_url");
	const struct ioc	*u = filetest_url(an, QR_URL);

	(void)state;
	assert_non_null(f);
	assert_string_equal(f->evidence, QR_URL);
	assert_non_null(u);
	assert_string_equal(u->where, "QR code in PDF doc0.pdf");
	assert_int_equal(at->qr_urls.n, 1);
	assert_int_equal(at->pdf_urls.n, 0);
	g_string_free(s, TRUE);
}

/* ---- QR codes in FlateDecode pixels ------------------------------- */

enum px_form {
	PX_GREY_PNG,	/* 8-bit grey, PNG predictors of every type */
	PX_RGB_ICC,	/* 8-bit RGB under an ICCBased space: size tells */
	PX_MASK,	/* a 1-bit /ImageMask: 0 paints */
	PX_GREY4,	/* 4-bit grey */
};

static unsigned
paeth(unsigned left, unsigned up, unsigned ul)
{
	int	p = (int)left + (int)up - (int)ul;
	int	pa = abs(p - (int)left), pb = abs(p - (int)up);
	int	pc = abs(p - (int)ul);

	if (pa <= pb && pa <= pc)
		return left;
	return pb <= pc ? up : ul;
}

/* Row 'y' of 'g' ('w' wide) PNG-filtered with type y % 5 onto 'raw'. */
static void
png_filtered_row(GByteArray *raw, const unsigned char *g, unsigned w,
    unsigned y)
{
	const unsigned char	*cur = g + (size_t)y * w;
	const unsigned char	*up = y > 0 ? cur - w : NULL;
	unsigned char		 ft = (unsigned char)(y % 5), v;
	unsigned		 i, l, u, ul;

	g_byte_array_append(raw, &ft, 1);
	for (i = 0; i < w; i++) {
		l = i > 0 ? cur[i - 1] : 0;
		u = up != NULL ? up[i] : 0;
		ul = up != NULL && i > 0 ? up[i - 1] : 0;
		v = (unsigned char)(cur[i] - (ft == 0 ? 0 : ft == 1 ? l :
		    ft == 2 ? u : ft == 3 ? (l + u) / 2 : paeth(l, u, ul)));
		g_byte_array_append(raw, &v, 1);
	}
}

/* The grey a reader of 'form' sees for the grey value 'v'. */
static unsigned char
px_expect(enum px_form form, unsigned char v)
{
	if (form == PX_MASK)
		return v >= 128 ? 255 : 0;
	if (form == PX_GREY4)
		return (unsigned char)((v >> 4) * 255 / 15);
	return v;
}

/* A one-page PDF showing a QR code of 'url' as FlateDecode pixels of
 * 'form'; the grey pixels in '*grey' ('*w' x '*h') when not NULL. */
static GString *
qr_flate_pdf(const char *url, enum px_form form, unsigned char **grey,
    unsigned *w, unsigned *h)
{
	GBytes		*png = filetest_qr_png(url), *z;
	GByteArray	*raw = g_byte_array_new();
	GString		*s = pdf_new("4 0 obj\n<< /Length 30 >>\nstream\n"
	    "q 200 0 0 200 0 0 cm /Im0 Do Q\nendstream\nendobj\n");
	unsigned char	*g, px[3], byte;
	unsigned	 pw, ph, x, y;
	char		*dict;

	g = filetest_png_grey(png, &pw, &ph);
	for (y = 0; y < ph; y++) {
		if (form == PX_GREY_PNG) {
			png_filtered_row(raw, g, pw, y);
			continue;
		}
		for (x = 0, byte = 0; x < pw; x++) {
			const unsigned char v = g[(size_t)y * pw + x];

			if (form == PX_RGB_ICC) {
				px[0] = px[1] = px[2] = v;
				g_byte_array_append(raw, px, 3);
				continue;
			}
			if (form == PX_MASK)
				byte |= (unsigned char)((v >= 128) <<
				    (7 - x % 8));
			else
				byte |= (unsigned char)((v >> 4) <<
				    (x % 2 ? 0 : 4));
			if (x % (form == PX_MASK ? 8 : 2) == (form == PX_MASK ?
			    7u : 1u) || x + 1 == pw) {
				g_byte_array_append(raw, &byte, 1);
				byte = 0;
			}
		}
	}
	z = deflated(raw->data, raw->len);
	dict = g_strdup_printf("/Type /XObject /Subtype /Image /Width %u "
	    "/Height %u %s /Filter /FlateDecode /Length 3", pw, ph,
	    form == PX_GREY_PNG ? "/ColorSpace /DeviceGray /BitsPerComponent "
	    "8 /DecodeParms << /Predictor 15 /Colors 1 /Columns 999 >>" :
	    form == PX_RGB_ICC ? "/ColorSpace [/ICCBased 6 0 R] "
	    "/BitsPerComponent 8" : form == PX_MASK ? "/ImageMask true" :
	    "/ColorSpace /DeviceGray /BitsPerComponent 4");
	add_stream(s, 5, dict, z);
	if (grey != NULL) {
		*grey = g;
		*w = pw;
		*h = ph;
	} else
		g_free(g);
	g_free(dict);
	g_bytes_unref(z);
	g_bytes_unref(png);
	g_byte_array_free(raw, TRUE);
	return s;
}

/* The scanner lists the pixels with their geometry, and
 * pdf_image_grey() gives back every pixel of each form. */
static void
flate_images(void **state)
{
	static const enum px_form forms[] = { PX_GREY_PNG, PX_RGB_ICC,
	    PX_MASK, PX_GREY4 };
	struct pdf_info		 pi;
	const struct pdf_image	*img;
	unsigned char		*g, *out;
	unsigned		 w, h, ow, oh;
	size_t			 i, k, budget;
	const char		*why;
	GString			*s;

	(void)state;
	for (i = 0; i < G_N_ELEMENTS(forms); i++) {
		s = qr_flate_pdf(QR_URL, forms[i], &g, &w, &h);
		assert_int_equal(scan(s, &pi), MS_OK);
		assert_int_equal(pi.images.n, 1);
		img = pi.images.v[0];
		assert_true(img->flate);
		assert_int_equal(img->width, w);
		assert_int_equal(img->height, h);
		assert_int_equal(img->ncomp, forms[i] == PX_RGB_ICC ? 0 : 1);
		assert_int_equal(img->predictor, forms[i] == PX_GREY_PNG ? 15 :
		    1);
		budget = 64u * 1024 * 1024;
		assert_int_equal(pdf_image_grey(img, LIMIT_IMAGE_PIXELS,
		    &budget, &out, &ow, &oh, &why), MS_OK);
		assert_non_null(out);
		assert_int_equal(ow, w);
		assert_int_equal(oh, h);
		assert_true(budget < 64u * 1024 * 1024);
		for (k = 0; k < (size_t)w * h; k++)
			if (out[k] != px_expect(forms[i], g[k]))
				fail_msg("form %zu: pixel %zu is %u, not %u", i,
				    k, out[k], px_expect(forms[i], g[k]));
		xfree(out);
		g_free(g);
		g_string_free(s, TRUE);
	}
	/* A stream of pixels with no /Subtype /Image is no image. */
	s = qr_flate_pdf(QR_URL, PX_GREY4, NULL, NULL, NULL);
	g_string_replace(s, "/Subtype /Image", "/Subtype /Imagx", 1);
	assert_int_equal(scan(s, &pi), MS_OK);
	assert_int_equal(pi.images.n, 0);
	g_string_free(s, TRUE);
}

/* Geometry a reader cannot or may not decode is a finding; short data
 * reads as white rows. */
static void
flate_images_hostile(void **state)
{
	static const struct {
		const char	*from, *to, *finding, *why;
	} cases[] = {
		{ "/BitsPerComponent 4", "/BitsPerComponent 3",
		    "image_unreadable", "bits per component" },
		{ "/BitsPerComponent 4", "/BitsPerComponent 4 /DecodeParms "
		    "<< /Predictor 2 >>", "image_unreadable", "predictor" },
		{ "/Width ", "/Width 9", "limit_image", "LIMIT_IMAGE" },
		{ "/ColorSpace /DeviceGray /BitsPerComponent 4",
		    "/ColorSpace /Lab /BitsPerComponent 16",
		    "image_unreadable", "colour space" },
	};
	struct analysis		*an;
	const struct finding	*f;
	struct pdf_info		 pi;
	unsigned char		*out;
	unsigned		 ow, oh;
	const char		*why;
	GString			*s;
	size_t			 i;

	(void)state;
	for (i = 0; i < G_N_ELEMENTS(cases); i++) {
		s = qr_flate_pdf(QR_URL, PX_GREY4, NULL, NULL, NULL);
		assert_true(g_string_replace(s, cases[i].from, cases[i].to,
		    1) == 1);
		an = run_pdfs((const GString *[]){ s }, 1);
		f = filetest_finding(an, cases[i].finding);
		if (f == NULL)
			fail_msg("case %zu: no %s", i, cases[i].finding);
		assert_non_null(strstr(f->detail, cases[i].why));
		assert_null(filetest_url(an, QR_URL));
		g_string_free(s, TRUE);
	}
	/* Cut the data short: the rows that are there still decode. */
	s = qr_flate_pdf(QR_URL, PX_GREY4, NULL, NULL, NULL);
	assert_int_equal(scan(s, &pi), MS_OK);
	{
		struct pdf_image img = *(const struct pdf_image *)
		    pi.images.v[0];

		img.len /= 2;
		assert_int_equal(pdf_image_grey(&img, LIMIT_IMAGE_PIXELS, NULL,
		    &out, &ow, &oh, &why), MS_OK);
		assert_int_equal(out[(size_t)ow * oh - 1], 255);
		xfree(out);
	}
	g_string_free(s, TRUE);
}

static void
analysis_qr_flate(void **state)
{
	static const enum px_form forms[] = { PX_GREY_PNG, PX_RGB_ICC,
	    PX_MASK, PX_GREY4 };
	struct analysis		*an;
	const struct ioc	*u;
	GString			*s;
	size_t			 i;

	(void)state;
	for (i = 0; i < G_N_ELEMENTS(forms); i++) {
		s = qr_flate_pdf(QR_URL, forms[i], NULL, NULL, NULL);
		an = run_pdfs((const GString *[]){ s }, 1);
		u = filetest_url(an, QR_URL);
		if (u == NULL)
			fail_msg("form %zu: no QR URL", i);
		assert_string_equal(u->where, "QR code in PDF doc0.pdf");
		assert_non_null(filetest_finding(an, "attach_qr_url"));
		g_string_free(s, TRUE);
	}
}

/* A QR code pasted on a page-sized image (past the million pixels from
 * which zbar scans every second line) is still read. */
static void
analysis_qr_flate_page(void **state)
{
	GBytes		*png = filetest_qr_png(QR_URL), *z;
	GString		*s = pdf_new("4 0 obj\n<< /Length 30 >>\nstream\n"
	    "q 612 0 0 792 0 0 cm /Im0 Do Q\nendstream\nendobj\n");
	const unsigned	 pw = 1240, ph = 1754;	/* A4 at 150 dpi */
	unsigned char	*g, *page;
	unsigned	 w, h, y;
	struct analysis	*an;
	char		*dict;

	(void)state;
	g = filetest_png_grey(png, &w, &h);
	page = g_malloc((size_t)pw * ph);
	memset(page, 255, (size_t)pw * ph);
	for (y = 0; y < h; y++)
		memcpy(page + (size_t)(1200 + y) * pw + 900, g + (size_t)y * w,
		    w);
	z = deflated(page, (size_t)pw * ph);
	dict = g_strdup_printf("/Type /XObject /Subtype /Image /Width %u "
	    "/Height %u /ColorSpace /DeviceGray /BitsPerComponent 8 /Filter "
	    "/FlateDecode", pw, ph);
	add_stream(s, 5, dict, z);
	an = run_pdfs((const GString *[]){ s }, 1);
	assert_non_null(filetest_url(an, QR_URL));
	g_free(dict);
	g_bytes_unref(z);
	g_bytes_unref(png);
	g_free(page);
	g_free(g);
	g_string_free(s, TRUE);
}

/* ---- QR codes in inline images ------------------------------------- */

enum inline_form {
	INL_MASK,	/* raw 1-bit /IM true, short keys */
	INL_GREY_EI,	/* raw 8-bit grey whose data holds " EI " */
	INL_FLATE_PNG,	/* /F /Fl with /DP << /Predictor 15 >> */
};

/* A one-page PDF whose content stream shows the QR code of 'url' as an
 * inline image (BI ... ID ... EI) of 'form', then some text. */
static GString *
qr_inline_pdf(const char *url, enum inline_form form)
{
	GBytes		*png = filetest_qr_png(url), *z = NULL, *body;
	GByteArray	*raw = g_byte_array_new();
	GString		*c = g_string_new("q 200 0 0 200 100 300 cm\n"), *s;
	unsigned char	*g, byte;
	unsigned	 w, h, x, y;

	g = filetest_png_grey(png, &w, &h);
	for (y = 0; y < h; y++) {
		if (form == INL_FLATE_PNG) {
			png_filtered_row(raw, g, w, y);
			continue;
		}
		if (form == INL_GREY_EI) {
			g_byte_array_append(raw, g + (size_t)y * w, w);
			continue;
		}
		for (x = 0, byte = 0; x < w; x++) {
			byte |= (unsigned char)((g[(size_t)y * w + x] >= 128) <<
			    (7 - x % 8));
			if (x % 8 == 7 || x + 1 == w) {
				g_byte_array_append(raw, &byte, 1);
				byte = 0;
			}
		}
	}
	if (form == INL_GREY_EI)	/* in the quiet zone: white-ish */
		memcpy(raw->data + 5, " EI ", 4);
	if (form == INL_MASK)
		g_string_append_printf(c, "BI /W %u /H %u /IM true ID ", w, h);
	else if (form == INL_GREY_EI)
		g_string_append_printf(c, "BI /W %u /H %u /CS /G /BPC 8 ID ",
		    w, h);
	else
		g_string_append_printf(c, "BI /Width %u /Height %u /ColorSpace "
		    "/DeviceGray /BitsPerComponent 8 /Filter [/Fl] /DP << "
		    "/Predictor 15 /Colors 1 /Columns %u >> ID ", w, h, w);
	if (form == INL_FLATE_PNG) {
		z = deflated(raw->data, raw->len);
		g_string_append_len(c, g_bytes_get_data(z, NULL),
		    (gssize)g_bytes_get_size(z));
	} else
		g_string_append_len(c, (const char *)raw->data,
		    (gssize)raw->len);
	g_string_append(c, "\nEI Q\nBT /F1 12 Tf 72 712 Td (Scan me) Tj "
	    "ET\n");
	body = g_bytes_new(c->str, c->len);
	s = pdf_new("");
	add_stream(s, 4, "/Length 3", body);
	if (z != NULL)
		g_bytes_unref(z);
	g_bytes_unref(body);
	g_bytes_unref(png);
	g_byte_array_free(raw, TRUE);
	g_string_free(c, TRUE);
	g_free(g);
	return s;
}

static void
inline_images(void **state)
{
	struct pdf_info		 pi;
	const struct pdf_image	*img;
	struct analysis		*an;
	GString			*s;
	size_t			 i;

	(void)state;
	for (i = INL_MASK; i <= INL_FLATE_PNG; i++) {
		s = qr_inline_pdf(QR_URL, (enum inline_form)i);
		assert_int_equal(scan(s, &pi), MS_OK);
		assert_int_equal(pi.images.n, 1);
		img = pi.images.v[0];
		assert_true(img->flate);
		assert_int_equal(img->raw, i != INL_FLATE_PNG);
		/* The lexer went on after EI: the text after counts. */
		assert_int_equal(pi.text, 7);
		an = run_pdfs((const GString *[]){ s }, 1);
		if (filetest_url(an, QR_URL) == NULL)
			fail_msg("form %zu: the inline code was not read", i);
		g_string_free(s, TRUE);
	}
	/* In a FlateDecode content stream, whose inflated copy is gone
	 * when the image is decoded (ASan sees a use after free). */
	s = qr_inline_pdf(QR_URL, INL_MASK);
	{
		const char	*b = strstr(s->str, ">>\nstream\n") + 10;
		const char	*e = memmem(b, s->len - (size_t)(b - s->str),
				    "\nendstream", 10);
		GBytes		*z;
		GString		*f = pdf_new("");

		assert_non_null(e);
		z = deflated(b, (size_t)(e - b));

		add_stream(f, 4, "/Filter /FlateDecode", z);
		an = run_pdfs((const GString *[]){ f }, 1);
		assert_non_null(filetest_url(an, QR_URL));
		g_bytes_unref(z);
		g_string_free(f, TRUE);
	}
	g_string_free(s, TRUE);
	/* Cut in the middle of its data: no image past the end, no
	 * harm. */
	s = qr_inline_pdf(QR_URL, INL_GREY_EI);
	g_string_truncate(s, (gsize)(strstr(s->str, " ID ") - s->str) + 40);
	assert_true(scan(s, &pi) == MS_OK || pi.broken != NULL);
	g_string_free(s, TRUE);
}

/* ---- QR codes drawn as rectangles ---------------------------------- */

enum draw_form {
	DRAW_TCPDF,	/* one "re f" a module, negative heights, rg */
	DRAW_RUNS,	/* runs of modules in one path under cm, on a
			 * white square, with a header bar and text */
	DRAW_CHART,	/* bars of a chart: no code */
	DRAW_ROTATED,	/* the code under a rotating cm: not followed */
};

/* A one-page PDF whose content stream draws the QR code of 'url' with
 * rectangles, the way 'form' says. */
static GString *
qr_drawn_pdf(const char *url, enum draw_form form)
{
	GBytes		*png = filetest_qr_png(url), *z;
	GString		*c = g_string_new(NULL), *s;
	unsigned char	*g;
	unsigned	 w, h, mods, x, y, run;
	int		 dark;

	g = filetest_png_grey(png, &w, &h);
	mods = w / 4;			/* qrencode -s 4: 4 pixels a module */
	if (form == DRAW_RUNS)
		g_string_append(c, "BT /F1 12 Tf 72 760 Td (Scan to pay) Tj "
		    "ET\n0.2 0.2 0.6 rg 0 700 612 40 re f\n"
		    "q 3 0 0 3 150 300 cm 1 g 0 0 60 60 re f 0 g\n");
	if (form == DRAW_ROTATED)
		g_string_append(c, "q 0 3 -3 0 300 300 cm 0 g\n");
	if (form == DRAW_TCPDF)
		g_string_append(c, "0.000 0.000 0.000 rg\n");
	for (y = 0; y < mods && form != DRAW_CHART; y++) {
		for (x = 0, run = 0; x <= mods; x++) {
			dark = x < mods && g[(size_t)(y * 4 + 2) * w + x * 4 +
			    2] < 128;
			if (form == DRAW_TCPDF && dark)
				g_string_append_printf(c, "%.2f %.2f 0.71 -0.71 "
				    "re f\n", 100 + x * 0.71, 500 - y * 0.71);
			else if (form != DRAW_TCPDF && dark)
				run++;
			else if (form != DRAW_TCPDF && run > 0) {
				g_string_append_printf(c, "%u %u %u 1 re\n",
				    x - run, mods - 1 - y, run);
				run = 0;
			}
		}
	}
	if (form == DRAW_RUNS || form == DRAW_ROTATED)
		g_string_append(c, "f\nQ\n");
	if (form == DRAW_CHART)
		for (x = 0; x < 40; x++)
			g_string_append_printf(c, "%u 100 10 %u re f\n",
			    100 + x * 12, 20 + (x * 37) % 300);
	z = g_bytes_new(c->str, c->len);
	s = pdf_new("");
	add_stream(s, 4, "/Length 3", z);
	g_bytes_unref(z);
	g_bytes_unref(png);
	g_string_free(c, TRUE);
	g_free(g);
	return s;
}

static void
drawn_qr(void **state)
{
	struct pdf_info		 pi;
	const struct pdf_image	*img;
	struct analysis		*an;
	GString			*s;
	size_t			 i;

	(void)state;
	for (i = DRAW_TCPDF; i <= DRAW_RUNS; i++) {
		s = qr_drawn_pdf(QR_URL, (enum draw_form)i);
		assert_int_equal(scan(s, &pi), MS_OK);
		assert_int_equal(pi.images.n, 1);
		img = pi.images.v[0];
		assert_non_null(img->grey);
		assert_true(img->width >= 21 && img->width <= 1024);
		an = run_pdfs((const GString *[]){ s }, 1);
		if (filetest_url(an, QR_URL) == NULL)
			fail_msg("form %zu: the drawn code was not read", i);
		assert_string_equal(filetest_url(an, QR_URL)->where,
		    "QR code in PDF doc0.pdf");
		g_string_free(s, TRUE);
	}
	for (i = DRAW_CHART; i <= DRAW_ROTATED; i++) {
		s = qr_drawn_pdf(QR_URL, (enum draw_form)i);
		assert_int_equal(scan(s, &pi), MS_OK);
		assert_int_equal(pi.images.n, 0);
		g_string_free(s, TRUE);
	}
}

/* Rectangles past LIMIT_PDF_DRAW_RECTS: no drawing, no harm. */
static void
drawn_limit(void **state)
{
	GString		*c = g_string_new(NULL), *s;
	struct pdf_info	 pi;
	GBytes		*z;
	size_t		 i;

	(void)state;
	for (i = 0; i <= LIMIT_PDF_DRAW_RECTS; i++)
		g_string_append_printf(c, "%zu %zu 1 1 re f\n", i % 200,
		    i / 200 % 200);
	z = deflated(c->str, c->len);
	s = pdf_new("");
	add_stream(s, 4, "/Filter /FlateDecode", z);
	assert_int_equal(scan(s, &pi), MS_OK);
	assert_int_equal(pi.images.n, 0);
	g_bytes_unref(z);
	g_string_free(s, TRUE);
	g_string_free(c, TRUE);
}

/* The same PDF twice is read once; hostile ones are findings, and the
 * email is still analysed. */
static void
analysis_hostile(void **state)
{
	GBytes			*z = zero_bomb(200);
	GString			*s[3];
	struct analysis		*an;
	const struct finding	*f;

	(void)state;
	s[0] = pdf_new(LINK("9", "(https://twice.example/)"));
	s[1] = g_string_new("%PDF-1.4\n1 0 obj << /Length 9 >>\nstream\n");
	s[2] = pdf_new("");
	add_stream(s[2], 4, "/Filter /FlateDecode", z);
	an = run_pdfs((const GString *[]){ s[0], s[0], s[1], s[2] }, 4);
	assert_int_equal(an->attachments.n, 4);
	assert_non_null(((struct attachment *)an->attachments.v[0])->pdf);
	assert_null(((struct attachment *)an->attachments.v[1])->pdf);
	f = filetest_finding(an, "pdf_unreadable");
	assert_non_null(f);
	assert_int_equal(f->kind, FINDING_PARSE);
	f = filetest_finding(an, "limit_pdf");
	assert_non_null(f);
	assert_int_equal(f->kind, FINDING_LIMIT);
	assert_true(an->limit_hit);
	assert_non_null(an->email);
	assert_non_null(filetest_url(an, "https://twice.example/"));
	g_string_free(s[0], TRUE);
	g_string_free(s[1], TRUE);
	g_string_free(s[2], TRUE);
	g_bytes_unref(z);
}

/* Three PDFs of four bombs each: the email's budget,
 * LIMIT_PDF_INFLATE_PER_MSG, is shared by all of them. */
static void
analysis_budget(void **state)
{
	GBytes			*z = zero_bomb(20);
	GString			*s[3];
	struct analysis		*an;
	const struct attachment	*at;
	size_t			 i, k, sum = 0;
	char			 link[80];

	(void)state;
	for (i = 0; i < 3; i++) {
		g_snprintf(link, sizeof(link), "<< /URI (https://b%zu.ex/) "
		    ">>\n", i);
		s[i] = pdf_new(link);
		for (k = 0; k < 4; k++)
			add_stream(s[i], 20 + (int)k, "/Filter /FlateDecode",
			    z);
	}
	an = run_pdfs((const GString *const *)s, 3);
	for (i = 0; i < an->attachments.n; i++) {
		at = an->attachments.v[i];
		assert_non_null(at->pdf);
		assert_true(at->pdf->inflated <= LIMIT_PDF_INFLATE_PER_FILE);
		sum += at->pdf->inflated;
	}
	assert_int_equal(sum, LIMIT_PDF_INFLATE_PER_MSG);
	assert_non_null(filetest_finding(an, "limit_pdf"));
	/* The links of the last one are still read. */
	assert_non_null(filetest_url(an, "https://b2.ex/"));
	for (i = 0; i < 3; i++)
		g_string_free(s[i], TRUE);
	g_bytes_unref(z);
}

/* Real phishing PDFs (never opened here, only parsed). */
static void
corpus(void **state)
{
	static const struct {
		const char	*path, *url;
	} files[] = {
		{ "/phishing_pot/sample-1968.eml", "https://script.google.com/"
		  "macros/s/AKfycbwABk1V3TSZ7dwG4lOsmbewJuEt2TExXS8cSaYuhcQw"
		  "cxoffsDSJS8VLFR4h0pkJFwkUQ/exec" },
		{ "/phishing_pot/sample-2138.eml",
		  "https://penenen.lakesidecollisioncenter.com/?hujoJShBNCwq" },
		{ "/phishing_pot/sample-4530.eml", "https://www.google.com/"
		  "url?q=https://platform3355.top/1wq4W8&sa=D&source=editors"
		  "&ust=1734953443927954&usg=AOvVaw02NW0vOcu0L91uTrxcy-eI" },
	};
	const struct attachment	*at;
	struct analysis		*an;
	char			*buf, *path;
	size_t			 i, k, len;
	int			 found;

	(void)state;
	for (i = 0; i < G_N_ELEMENTS(files); i++) {
		path = g_strconcat(MS_CORPUS, files[i].path, NULL);
		if (!g_file_get_contents(path, &buf, &len, NULL))
			fail_msg("%s: cannot read the corpus", path);
		a = filetest_arena();
		assert_int_not_equal(analyze_bytes(a, buf, len, path, &an),
		    MS_EPARSE);
		for (k = 0, found = 0; k < an->attachments.n; k++) {
			at = an->attachments.v[k];
			if (at->pdf != NULL && at->pdf_urls.n > 0 &&
			    strcmp(at->pdf_urls.v[0], files[i].url) == 0)
				found = 1;
		}
		if (!found || filetest_finding(an, "attach_pdf_link") == NULL)
			fail_msg("%s: no PDF link %s", path, files[i].url);
		if (filetest_url(an, files[i].url) == NULL)
			fail_msg("%s: no URL indicator", path);
		g_free(buf);
		g_free(path);
	}
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(uri_strings),
		cmocka_unit_test(uri_in_object_stream),
		cmocka_unit_test(active_content),
		cmocka_unit_test(not_a_pdf),
		cmocka_unit_test(truncated),
		cmocka_unit_test(lying_length),
		cmocka_unit_test(deflate_bomb),
		cmocka_unit_test(inflate_limit),
		cmocka_unit_test(uri_limit),
		cmocka_unit_test(stream_limit),
		cmocka_unit_test(image_limit),
		cmocka_unit_test(jpeg_images),
		cmocka_unit_test(encryption),
		cmocka_unit_test(analysis_encrypted),
		cmocka_unit_test(flate_images),
		cmocka_unit_test(flate_images_hostile),
		cmocka_unit_test(analysis_link),
		cmocka_unit_test(analysis_active),
		cmocka_unit_test(analysis_text_with_link),
		cmocka_unit_test(analysis_many_links),
		cmocka_unit_test(analysis_qr),
		cmocka_unit_test(analysis_qr_flate),
		cmocka_unit_test(analysis_qr_flate_page),
		cmocka_unit_test(inline_images),
		cmocka_unit_test(drawn_qr),
		cmocka_unit_test(drawn_limit),
		cmocka_unit_test(analysis_hostile),
		cmocka_unit_test(analysis_budget),
		cmocka_unit_test(corpus),
	};

	return cmocka_run_group_tests(tests, filetest_setup,
	    filetest_teardown);
}
