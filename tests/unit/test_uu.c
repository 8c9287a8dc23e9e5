/* SPDX-License-Identifier: Apache-2.0 */
/*
 * test_uu.c -- the uuencode scanner against the decode pairs of MimeKit
 * and GMime (photo.uu / photo.jpg), MIME-tools' uu-junk and sig-uu
 * messages (expected bytes from MIME-tools' own decoding, and sizes and
 * digests checked with Python's binascii.a2b_uu), and hand-made texts:
 * truncated and malformed blocks, stripped spaces, junk, every prefix of
 * a block, LIMIT_ATTACHMENTS at and past the limit.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include <cmocka.h>
#include <glib.h>

#include "common/limits.h"
#include "mail/uu.h"

#define MT_DIR	MS_CORPUS "/mime4j-testmsgs/mimetools-testmsgs"
#define JUNK_OUT	MT_DIR "/uu-junk-target_decoded_1_2_"

struct run {
	struct arena		*a;
	struct arena_vec	 findings;
	struct arena_vec	 files;
	enum ms_err		 rc;
};

static void
run_scan(struct run *r, const char *t, size_t n)
{
	memset(r, 0, sizeof(*r));
	r->a = arena_new(LIMIT_MSG_ARENA);
	r->rc = uu_scan(r->a, t, n, "1", &r->findings, &r->files);
}

static void
run_free(struct run *r)
{
	arena_free(r->a);
	memset(r, 0, sizeof(*r));
}

static int
has_finding(const struct run *r, const char *id)
{
	const struct finding	*f;
	size_t			 i;

	for (i = 0; i < r->findings.n; i++) {
		f = r->findings.v[i];
		if (strcmp(f->id, id) == 0)
			return 1;
	}
	return 0;
}

static struct uu_file *
file_at(const struct run *r, size_t i)
{
	assert_true(i < r->files.n);
	return r->files.v[i];
}

/* Assert that file 'i' holds exactly the bytes of corpus file 'path'. */
static void
assert_file_is(const struct run *r, size_t i, const char *path)
{
	struct uu_file	*f = file_at(r, i);
	char		*ref;
	gsize		 n;

	assert_true(g_file_get_contents(path, &ref, &n, NULL));
	assert_int_equal(f->len, n);
	assert_memory_equal(f->data, ref, n);
	g_free(ref);
}

static void
scan_file(struct run *r, const char *path, char **text)
{
	gsize	n;

	assert_true(g_file_get_contents(path, text, &n, NULL));
	run_scan(r, *text, n);
	assert_int_equal(r->rc, MS_OK);
}

static void
test_photo_pairs(void **state)
{
	static const char	*dirs[] = {
		MS_CORPUS "/mimekit-testdata/encoders",
		MS_CORPUS "/gmime-testdata/encodings",
	};
	struct run		 r;
	char			*text, *path;
	size_t			 i;

	(void)state;
	for (i = 0; i < 2; i++) {
		path = g_strdup_printf("%s/photo.uu", dirs[i]);
		scan_file(&r, path, &text);
		g_free(path);
		assert_int_equal(r.files.n, 1);
		assert_string_equal(file_at(&r, 0)->name, "photo.jpg");
		assert_int_equal(file_at(&r, 0)->mode, 0644);
		assert_int_equal(file_at(&r, 0)->start, 0);
		path = g_strdup_printf("%s/photo.jpg", dirs[i]);
		assert_file_is(&r, 0, path);
		g_free(path);
		assert_int_equal(r.findings.n, 0);
		run_free(&r);
		g_free(text);
	}
}

/* Two blocks in CRLF text between prose; MIME-tools decoded them into
 * uu-junk-target_decoded_1_2_{2,3}.bin. */
static void
test_mimetools_junk(void **state)
{
	static const char	*msgs[] = { "uu-junk.msg", "uu-zeegee.msg" };
	struct run		 r;
	char			*text, *path;
	size_t			 i;

	(void)state;
	for (i = 0; i < 2; i++) {
		path = g_strdup_printf("%s/%s", MT_DIR, msgs[i]);
		scan_file(&r, path, &text);
		g_free(path);
		assert_int_equal(r.files.n, 2);
		assert_string_equal(file_at(&r, 0)->name, "up.gif");
		assert_string_equal(file_at(&r, 1)->name, "zeegee.gif");
		assert_file_is(&r, 0, JUNK_OUT "2.bin");
		assert_file_is(&r, 1, JUNK_OUT "3.bin");
		assert_memory_equal(text + file_at(&r, 0)->start,
		    "begin 644 up", 12);
		assert_memory_equal(text + file_at(&r, 1)->end - 5, "end\r\n",
		    5);
		assert_int_equal(r.findings.n, 0);
		run_free(&r);
		g_free(text);
	}
}

/* sig-uu.msg: a text signature and an unnamed GIF.  Sizes and SHA-256
 * from Python's binascii.a2b_uu over the same lines. */
static void
test_mimetools_sig(void **state)
{
	struct run	 r;
	char		*text, *sum;

	(void)state;
	scan_file(&r, MT_DIR "/sig-uu.msg", &text);
	assert_int_equal(r.files.n, 2);
	assert_string_equal(file_at(&r, 0)->name, ".signature");
	assert_int_equal(file_at(&r, 0)->len, 276);
	sum = g_compute_checksum_for_data(G_CHECKSUM_SHA256,
	    file_at(&r, 0)->data, file_at(&r, 0)->len);
	assert_string_equal(sum, "8d13ccb71881ee1744c62952c647f751"
	    "452dc8abb45bd997c613b65ce7f5d32d");
	g_free(sum);
	assert_null(file_at(&r, 1)->name);
	assert_int_equal(file_at(&r, 1)->len, 236);
	sum = g_compute_checksum_for_data(G_CHECKSUM_SHA256,
	    file_at(&r, 1)->data, file_at(&r, 1)->len);
	assert_string_equal(sum, "025b56cc60fb9cd2f8cdcec0bf7c0dbb"
	    "20f046b1b867e385e7cc0301f73475d0");
	g_free(sum);
	run_free(&r);
	g_free(text);
}

/* Lines made with Python's binascii.b2a_uu(..., backtick=True). */
#define FOX_LINE	"M5&AE(\'%U:6-K(&)R;W=N(&9O>\"!J=6UP<R!O=F5R(\'1H92!L" \
			"87IY(&1O9RX@"
#define FOX_TEXT	"The quick brown fox jumps over the lazy dog. "
#define NUM_LINE	"*,#$R,S0U-C<X.0``"
#define NUM_STRIPPED	"*,#$R,S0U-C<X.0"	/* spaces stripped */

static void
scan_str(struct run *r, const char *t)
{
	run_scan(r, t, strlen(t));
	assert_int_equal(r->rc, MS_OK);
}

static void
assert_data(const struct run *r, size_t i, const char *want)
{
	struct uu_file	*f = file_at(r, i);

	assert_int_equal(f->len, strlen(want));
	assert_memory_equal(f->data, want, f->len);
}

static void
test_good_block(void **state)
{
	const char	*t = "Some prose\nbegin 600 fox.txt\r\n" FOX_LINE
	    "\r\n" NUM_LINE "\r\n`\r\nend\r\ntrailer\n";
	struct run	 r;

	(void)state;
	scan_str(&r, t);
	assert_int_equal(r.files.n, 1);
	assert_string_equal(file_at(&r, 0)->name, "fox.txt");
	assert_int_equal(file_at(&r, 0)->mode, 0600);
	assert_data(&r, 0, FOX_TEXT "0123456789");
	assert_int_equal(file_at(&r, 0)->start, 11);
	assert_string_equal(t + file_at(&r, 0)->end, "trailer\n");
	assert_int_equal(r.findings.n, 0);
	run_free(&r);
}

/* Trailing spaces stripped in transit, a " " line become empty, and
 * junk after the encoded characters of a line. */
static void
test_tolerated(void **state)
{
	struct run	 r;

	(void)state;
	scan_str(&r, "begin 644 d\n" NUM_STRIPPED "\n\nend\n");
	assert_int_equal(r.files.n, 1);
	assert_data(&r, 0, "0123456789");
	assert_int_equal(r.findings.n, 0);
	run_free(&r);
	scan_str(&r, "begin 644 j\n" NUM_LINE "XYZ\n`\nend   \n");
	assert_int_equal(r.files.n, 1);
	assert_data(&r, 0, "0123456789");
	run_free(&r);
	scan_str(&r, "begin 644 \n`\nend\n");
	assert_int_equal(r.files.n, 1);
	assert_null(file_at(&r, 0)->name);
	assert_int_equal(file_at(&r, 0)->len, 0);
	run_free(&r);
}

static void
test_truncated(void **state)
{
	const char	*t = "begin 644 t\n" FOX_LINE "\nand text goes on\n";
	struct run	 r;

	(void)state;
	scan_str(&r, t);
	assert_int_equal(r.files.n, 1);
	assert_data(&r, 0, FOX_TEXT);
	assert_true(has_finding(&r, "uu_truncated"));
	assert_string_equal(t + file_at(&r, 0)->end, "and text goes on\n");
	run_free(&r);
	scan_str(&r, "begin 644 t\n" FOX_LINE);	/* cut at the end */
	assert_int_equal(r.files.n, 1);
	assert_data(&r, 0, FOX_TEXT);
	assert_true(has_finding(&r, "uu_truncated"));
	run_free(&r);
	/* A short last line of a truncated block was cut, not stripped:
	 * it is dropped, whatever follows it. */
	scan_str(&r, "begin 644 t\n" FOX_LINE "\n" "*,#$R\nno more\n");
	assert_int_equal(r.files.n, 1);
	assert_data(&r, 0, FOX_TEXT);
	assert_true(has_finding(&r, "uu_truncated"));
	run_free(&r);
}

/* A bad line inside a block skips it; the next block still decodes. */
static void
test_malformed(void **state)
{
	struct run	 r;

	(void)state;
	scan_str(&r, "begin 644 m\n" FOX_LINE "\nthis line is bad\n" NUM_LINE
	    "\n`\nend\nbegin 644 ok\n" NUM_LINE "\n`\nend\n");
	assert_true(has_finding(&r, "uu_malformed"));
	assert_int_equal(r.files.n, 1);
	assert_string_equal(file_at(&r, 0)->name, "ok");
	assert_data(&r, 0, "0123456789");
	run_free(&r);
}

/* Prose that merely starts with "begin" is not a block. */
static void
test_prose(void **state)
{
	struct run	 r;

	(void)state;
	scan_str(&r, "begin 644 is a file mode\nwe then talk\n\nbegin\n"
	    "begin 99 x\nbeginning\n");
	assert_int_equal(r.files.n, 0);
	assert_int_equal(r.findings.n, 0);
	run_free(&r);
	scan_str(&r, "begin 644 x\n\n\nsome text\n");
	assert_int_equal(r.files.n, 0);
	assert_int_equal(r.findings.n, 0);
	run_free(&r);
}

/* Every prefix of a block, each in an exact-size heap block. */
static void
test_every_prefix(void **state)
{
	const char	*t = "x\r\nbegin 600 fox.txt\r\n" FOX_LINE "\r\n"
	    NUM_LINE "\r\n`\r\nend\r\n";
	struct run	 r;
	size_t		 k, n = strlen(t);
	char		*cut;

	(void)state;
	for (k = 0; k <= n; k++) {
		cut = g_memdup2(t, k ? k : 1);
		run_scan(&r, cut, k);
		assert_int_equal(r.rc, MS_OK);
		assert_true(r.files.n <= 1);
		if (r.files.n == 1 && file_at(&r, 0)->len > 0)
			assert_memory_equal(file_at(&r, 0)->data, FOX_TEXT,
			    MIN(file_at(&r, 0)->len, 45));
		run_free(&r);
		g_free(cut);
	}
}

/* LIMIT_ATTACHMENTS blocks pass; one more is refused with a finding. */
static void
test_limit_blocks(void **state)
{
	GString		*s = g_string_new(NULL);
	struct run	 r;
	int		 i;

	(void)state;
	for (i = 0; i < LIMIT_ATTACHMENTS; i++)
		g_string_append(s, "begin 644 a\n`\nend\n");
	run_scan(&r, s->str, s->len);
	assert_int_equal(r.rc, MS_OK);
	assert_int_equal(r.files.n, LIMIT_ATTACHMENTS);
	run_free(&r);
	g_string_append(s, "begin 644 a\n`\nend\n");
	run_scan(&r, s->str, s->len);
	assert_int_equal(r.rc, MS_ELIMIT);
	assert_true(has_finding(&r, "limit_attachments"));
	run_free(&r);
	g_string_free(s, TRUE);
}

/* A full arena is MS_ELIMIT, never a crash. */
static void
test_arena_full(void **state)
{
	struct arena_vec	 fi = { 0 }, files = { 0 };
	struct arena		*a = arena_new(64);
	char			*text;
	gsize			 n;

	(void)state;
	assert_true(g_file_get_contents(MS_CORPUS
	    "/mimekit-testdata/encoders/photo.uu", &text, &n, NULL));
	assert_int_equal(uu_scan(a, text, n, "1", &fi, &files), MS_ELIMIT);
	arena_free(a);
	g_free(text);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_photo_pairs),
		cmocka_unit_test(test_mimetools_junk),
		cmocka_unit_test(test_mimetools_sig),
		cmocka_unit_test(test_good_block),
		cmocka_unit_test(test_tolerated),
		cmocka_unit_test(test_truncated),
		cmocka_unit_test(test_malformed),
		cmocka_unit_test(test_prose),
		cmocka_unit_test(test_every_prefix),
		cmocka_unit_test(test_limit_blocks),
		cmocka_unit_test(test_arena_full),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
