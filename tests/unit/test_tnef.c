/* SPDX-License-Identifier: Apache-2.0 */
/*
 * test_tnef.c -- the TNEF reader against MimeKit's winmail.dat samples
 * (every X.tnef against the names in X.list and the bytes in X/), the two
 * emails that carry TNEF, and hand-built hostile streams: truncation at
 * every offset, lengths and counts past the end, bad checksums, nesting
 * past LIMIT_MIME_DEPTH and LIMIT_TNEF_ATTRS at and past the limit.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>

#include <cmocka.h>
#include <glib.h>

#include "common/limits.h"
#include "mail/tnef.h"

#define TNEF_DIR	MS_CORPUS "/mimekit-testdata/tnef"

/* mail__headers() (transport headers of embedded messages) needs GMime. */
static int
setup(void **state)
{
	(void)state;
	mail_init();
	return 0;
}

static int
teardown(void **state)
{
	(void)state;
	mail_shutdown();
	return 0;
}

/* One parse: its arena, findings, files and body. */
struct run {
	struct arena		*a;
	struct arena_vec	 findings;
	struct arena_vec	 files;
	const char		*body;
	enum ms_err		 rc;
};

static void
run_parse(struct run *r, const void *p, size_t n)
{
	memset(r, 0, sizeof(*r));
	r->a = arena_new(LIMIT_MSG_ARENA);
	r->rc = tnef_parse(r->a, p, n, "2", &r->findings, &r->files,
	    &r->body);
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

/* The 'nth' (0-based) file named 'name', or NULL. */
static struct tnef_file *
find_file(const struct run *r, const char *name, int nth)
{
	struct tnef_file	*f;
	size_t			 i;

	for (i = 0; i < r->files.n; i++) {
		f = r->files.v[i];
		if (f->name != NULL && strcmp(f->name, name) == 0 &&
		    nth-- == 0)
			return f;
	}
	return NULL;
}

/* ---- a tiny TNEF writer for hostile cases ---- */

static void
put16(GByteArray *b, uint16_t v)
{
	guint8	x[2] = { v & 0xff, v >> 8 };

	g_byte_array_append(b, x, 2);
}

static void
put32(GByteArray *b, uint32_t v)
{
	guint8	x[4] = { v & 0xff, v >> 8 & 0xff, v >> 16 & 0xff, v >> 24 };

	g_byte_array_append(b, x, 4);
}

static GByteArray *
tnef_new(void)
{
	GByteArray	*b = g_byte_array_new();

	put32(b, 0x223e9f78);
	put16(b, 0x0001);
	return b;
}

/* Append an attribute with a correct checksum. */
static void
attr(GByteArray *b, uint8_t level, uint32_t id, const void *d, uint32_t n)
{
	const guint8	*p = d;
	uint32_t	 i, sum = 0;

	g_byte_array_append(b, &level, 1);
	put32(b, id);
	put32(b, n);
	g_byte_array_append(b, p, n);
	for (i = 0; i < n; i++)
		sum += p[i];
	put16(b, (uint16_t)sum);
}

/* A stream with one attachment "a.txt" holding 'data'. */
static GByteArray *
one_attachment(const char *data)
{
	GByteArray	*b = tnef_new();
	guint8		 rend[14] = { 1 };

	attr(b, 2, 0x00069002, rend, sizeof(rend));
	attr(b, 2, 0x00018010, "a.txt", 6);
	attr(b, 2, 0x0006800f, data, (uint32_t)strlen(data));
	return b;
}

/* ---- the MimeKit corpus ---- */

/*
 * tnef(1), which extracted the reference files, converts CRLF to LF in
 * text attachments and keeps the 16-byte interface id in front of
 * PT_OBJECT data: accept those two differences and no other.
 */
static int
same_bytes(const struct tnef_file *f, const char *ref, size_t n)
{
	GString	*lf;
	size_t	 i;
	int	 same;

	if (f->len == n && memcmp(f->data, ref, n) == 0)
		return 1;
	if (n >= 16 && f->len == n - 16 && memcmp(f->data, ref + 16,
	    n - 16) == 0)
		return 1;
	lf = g_string_sized_new(f->len);
	for (i = 0; i < f->len; i++)
		if (!(f->data[i] == '\r' && i + 1 < f->len &&
		    f->data[i + 1] == '\n'))
			g_string_append_c(lf, (char)f->data[i]);
	same = lf->len == n && memcmp(lf->str, ref, n) == 0;
	g_string_free(lf, TRUE);
	return same;
}

/* The file for reference name 'ref' ("X", or "X.N" for the Nth "X"). */
static struct tnef_file *
file_for_ref(const struct run *r, const char *ref)
{
	struct tnef_file	*f;
	const char		*dot = strrchr(ref, '.');
	char			*base;

	if ((f = find_file(r, ref, 0)) != NULL || dot == NULL ||
	    !g_ascii_isdigit(dot[1]))
		return f;
	base = g_strndup(ref, (size_t)(dot - ref));
	f = find_file(r, base, (int)g_ascii_strtoll(dot + 1, NULL, 10) - 1);
	g_free(base);
	return f;
}

/* Compare every extracted file in directory 'dir'; returns how many. */
static int
check_dir(const struct run *r, const char *dir)
{
	GDir		*d = g_dir_open(dir, 0, NULL);
	const char	*e;
	char		*path, *ref;
	gsize		 n;
	int		 count = 0;

	if (d == NULL)
		return 0;
	while ((e = g_dir_read_name(d)) != NULL) {
		if (g_str_has_prefix(e, "message."))
			continue;	/* the RTF / HTML body, not a file */
		path = g_build_filename(dir, e, NULL);
		assert_true(g_file_get_contents(path, &ref, &n, NULL));
		if (file_for_ref(r, e) == NULL)
			fail_msg("%s: no file named %s", dir, e);
		if (!same_bytes(file_for_ref(r, e), ref, n))
			fail_msg("%s: bytes of %s differ", dir, e);
		count++;
		g_free(ref);
		g_free(path);
	}
	g_dir_close(d);
	return count;
}

/*
 * Check one sample against its .list: every attachment name listed must
 * be found.  "body.rtf" / "body.html" / "body.txt" name MimeKit's
 * rendering of the message body, not a file.  Returns 1 on a match.
 */
static int
check_list(const struct run *r, const char *list)
{
	char	*text, **lines;
	int	 i, ok = 1;

	assert_true(g_file_get_contents(list, &text, NULL, NULL));
	lines = g_strsplit(text, "\n", -1);
	for (i = 0; lines[i] != NULL; i++) {
		g_strstrip(lines[i]);
		if (*lines[i] == '\0' || g_str_has_prefix(lines[i], "body."))
			continue;
		if (find_file(r, lines[i], 0) == NULL) {
			print_message("%s: missing %s\n", list, lines[i]);
			ok = 0;
		}
	}
	g_strfreev(lines);
	g_free(text);
	return ok;
}

static void
test_mimekit_corpus(void **state)
{
	GDir		*d = g_dir_open(TNEF_DIR, 0, NULL);
	const char	*e;
	char		*base, *path, *raw;
	gsize		 n;
	struct run	 r;
	int		 samples = 0, pass = 0, bytes = 0;

	(void)state;
	assert_non_null(d);
	while ((e = g_dir_read_name(d)) != NULL) {
		if (!g_str_has_suffix(e, ".tnef"))
			continue;
		base = g_strndup(e, strlen(e) - 5);
		path = g_strdup_printf("%s/%s", TNEF_DIR, e);
		assert_true(g_file_get_contents(path, &raw, &n, NULL));
		run_parse(&r, raw, n);
		assert_int_equal(r.rc, MS_OK);
		g_free(path);
		path = g_strdup_printf("%s/%s.list", TNEF_DIR, base);
		samples++;
		pass += check_list(&r, path);
		g_free(path);
		path = g_strdup_printf("%s/%s", TNEF_DIR, base);
		bytes += check_dir(&r, path);
		run_free(&r);
		g_free(path);
		g_free(raw);
		g_free(base);
	}
	g_dir_close(d);
	print_message("tnef: %d/%d mimekit samples match their .list; "
	    "%d extracted files equal byte for byte\n", pass, samples, bytes);
	assert_int_equal(samples, 19);
	assert_int_equal(pass, samples);
	assert_int_equal(bytes, 27);
}

/* Parse corpus sample 'name' into 'r' (buffer kept in '*raw'). */
static void
parse_sample(struct run *r, const char *name, char **raw, gsize *n)
{
	char	*path = g_strdup_printf("%s/%s", TNEF_DIR, name);

	assert_true(g_file_get_contents(path, raw, n, NULL));
	g_free(path);
	run_parse(r, *raw, *n);
}

/* Embedded messages (PR_ATTACH_DATA_OBJ = IID_IMessage + TNEF). */
static void
test_christmas_embedded(void **state)
{
	struct tnef_file	*f;
	struct mail_part	*p;
	struct run		 r;
	char			*raw;
	gsize			 n;

	(void)state;
	parse_sample(&r, "christmas.tnef", &raw, &n);
	assert_int_equal(r.rc, MS_OK);
	assert_int_equal(r.files.n, 3);
	assert_non_null(find_file(&r, "kitten-playing-with-a-christmas-"
	    "tree.jpg", 0));
	f = find_file(&r, "Untitled Attachment", 1);
	assert_non_null(f);
	assert_non_null(f->embedded);
	assert_string_equal(f->embedded->email.subject,
	    "Christmas Celebration!");
	assert_non_null(strstr(f->embedded->email.text, "open their Chr"));
	assert_int_equal(f->embedded->depth, 1);
	assert_int_equal(f->embedded->parts.n, 1);
	p = f->embedded->parts.v[0];
	assert_string_equal(p->path, "2.3.1");
	assert_string_equal(p->file_name,
	    "kitten-playing-with-a-christmas-tree.jpg");
	assert_int_equal(p->len, 375081);
	assert_true(p->flags & MAIL_PART_TNEF);
	assert_memory_equal(p->data, "\xff\xd8\xff\xe0", 4);
	run_free(&r);
	g_free(raw);
}

/* Names from PR_ATTACH_LONG_FILENAME win over the 8.3 title; MIME tags
 * are kept lower case; a legacy attBody is the body. */
static void
test_names_and_body(void **state)
{
	struct tnef_file	*f;
	struct run		 r;
	char			*raw;
	gsize			 n;

	(void)state;
	parse_sample(&r, "long-filename.tnef", &raw, &n);
	assert_non_null(find_file(&r, "allproductsmar2000.dat", 0));
	assert_null(find_file(&r, "ALLPRO~1.DAT", 0));
	run_free(&r);
	g_free(raw);
	parse_sample(&r, "multi-value-attribute.tnef", &raw, &n);
	f = find_file(&r, "208225__5_seconds__Voice_Mail.mp3", 0);
	assert_non_null(f);
	assert_string_equal(f->mime_type, "audio/mp3");
	run_free(&r);
	g_free(raw);
	parse_sample(&r, "triples.tnef", &raw, &n);
	assert_non_null(r.body);
	assert_true(g_str_has_prefix(r.body, "Sample description"));
	run_free(&r);
	g_free(raw);
}

/* Junk after the last attribute: what was read stays, a finding. */
static void
test_garbage_at_end(void **state)
{
	struct run	 r;
	char		*raw;
	gsize		 n;

	(void)state;
	parse_sample(&r, "garbage-at-end.tnef", &raw, &n);
	assert_int_equal(r.rc, MS_OK);
	assert_true(has_finding(&r, "tnef_trailing_garbage"));
	run_free(&r);
	g_free(raw);
	parse_sample(&r, "panic.tnef", &raw, &n);
	assert_int_equal(r.rc, MS_OK);
	assert_int_equal(r.files.n, 3);
	assert_true(has_finding(&r, "tnef_bad_level"));
	run_free(&r);
	g_free(raw);
}

/* The base64 body of the first application/ms-tnef part of an email. */
static guchar *
tnef_of_email(const char *name, gsize *n)
{
	char	*path = g_strdup_printf("%s/%s", TNEF_DIR, name), *eml;
	char	*p, *end, *b64;
	guchar	*out;

	assert_true(g_file_get_contents(path, &eml, NULL, NULL));
	p = strstr(eml, "application/ms-tnef");
	assert_non_null(p);
	p = strstr(p, "\n\n") ? strstr(p, "\n\n") : strstr(p, "\r\n\r\n");
	assert_non_null(p);
	end = strstr(p + 2, "\n--");
	b64 = g_strndup(p, end ? (size_t)(end - p) : strlen(p));
	out = g_base64_decode(b64, n);
	g_free(b64);
	g_free(eml);
	g_free(path);
	return out;
}

/* Wrap stream 'in' as an embedded message attachment of a new stream. */
static GByteArray *
wrap_embedded(const guint8 *in, size_t n)
{
	static const guint8	 iid[16] = { 0x07, 0x03, 0x02, 0, 0, 0, 0, 0,
				    0xc0, 0, 0, 0, 0, 0, 0, 0x46 };
	GByteArray		*b = tnef_new(), *props = g_byte_array_new();
	guint8			 rend[14] = { 1 }, zero[4] = { 0 };

	put32(props, 1);
	put16(props, 0x000d);	/* PT_OBJECT */
	put16(props, 0x3701);	/* PR_ATTACH_DATA_OBJ */
	put32(props, 1);
	put32(props, (uint32_t)(16 + n));
	g_byte_array_append(props, iid, 16);
	g_byte_array_append(props, in, (guint)n);
	g_byte_array_append(props, zero, (4 - (n & 3)) & 3);
	attr(b, 2, 0x00069002, rend, sizeof(rend));
	attr(b, 2, 0x00018010, "msg", 4);
	attr(b, 2, 0x00069005, props->data, props->len);
	g_byte_array_free(props, TRUE);
	return b;
}

/* The two emails that carry TNEF: rich-text.eml holds christmas.tnef;
 * ukr.eml an HTML body in code page 1251 (MimeKit's expected text). */
static void
test_emails(void **state)
{
	struct tnef_file	*f;
	struct run		 r;
	GByteArray		*w;
	guchar			*t;
	gsize			 n;

	(void)state;
	t = tnef_of_email("rich-text.eml", &n);
	run_parse(&r, t, n);
	assert_int_equal(r.rc, MS_OK);
	assert_int_equal(r.files.n, 3);
	assert_non_null(find_file(&r, "kitten-playing-with-a-christmas-"
	    "tree.jpg", 0));
	run_free(&r);
	g_free(t);
	t = tnef_of_email("ukr.eml", &n);
	run_parse(&r, t, n);
	assert_int_equal(r.rc, MS_OK);
	assert_int_equal(r.files.n, 0);
	assert_int_equal(r.findings.n, 0);
	run_free(&r);
	/* Only embedded messages expose their HTML body: wrap it. */
	w = wrap_embedded(t, n);
	run_parse(&r, w->data, w->len);
	assert_int_equal(r.files.n, 1);
	f = r.files.v[0];
	assert_non_null(f->embedded);
	assert_string_equal(f->embedded->email.subject, "rr test 7");
	assert_non_null(f->embedded->email.html);
	assert_non_null(strstr(f->embedded->email.html,
	    "<p>\xd0\xab\xd0\x9f\xd0\xa3\xd0\xa4\xd0\x99\xd0\x9a</p>"));
	run_free(&r);
	g_byte_array_free(w, TRUE);
	g_free(t);
}

/* Every prefix of a real sample: no crash, no read past the end (each
 * prefix sits in its own exact-size heap block for ASan). */
static void
test_truncated_everywhere(void **state)
{
	struct run	 r;
	char		*raw, *cut;
	gsize		 n, k;

	(void)state;
	parse_sample(&r, "two-files.tnef", &raw, &n);
	run_free(&r);
	for (k = 0; k <= n; k++) {
		cut = g_memdup2(raw, k ? k : 1);
		run_parse(&r, cut, k);
		if (k < 6)
			assert_int_equal(r.rc, MS_EPARSE);
		else
			assert_true(r.rc == MS_OK || r.rc == MS_EPARSE);
		if (k == n)
			assert_int_equal(r.files.n, 2);
		run_free(&r);
		g_free(cut);
	}
	g_free(raw);
}

/* An attribute length pointing far past the end. */
static void
test_length_past_end(void **state)
{
	GByteArray	*b = one_attachment("hello");
	struct run	 r;
	guint8		*lenp;

	(void)state;
	/* The last attribute is attAttachData: its length is 11 bytes
	 * before the data (5) and checksum (2) end the stream. */
	lenp = b->data + b->len - 2 - 5 - 4;
	memcpy(lenp, "\xf0\xff\xff\xff", 4);
	run_parse(&r, b->data, b->len);
	assert_int_equal(r.rc, MS_EPARSE);
	assert_true(has_finding(&r, "tnef_truncated"));
	assert_int_equal(r.files.n, 0);
	run_free(&r);
	g_byte_array_free(b, TRUE);
}

/* A stream whose only attachment has property list 'props'. */
static GByteArray *
with_props(GByteArray *props)
{
	GByteArray	*b = one_attachment("data");

	attr(b, 2, 0x00069005, props->data, props->len);
	g_byte_array_free(props, TRUE);
	return b;
}

/* Counts and lengths inside a MAPI property list that cannot be true. */
static void
test_huge_counts(void **state)
{
	GByteArray	*p, *b;
	struct run	 r;
	int		 i;

	(void)state;
	for (i = 0; i < 3; i++) {
		p = g_byte_array_new();
		put32(p, 0xffffffff);			/* property count */
		if (i == 0) {
			put16(p, 0x0102);		/* PT_BINARY */
			put16(p, 0x3701);
			put32(p, 0x7fffffff);		/* value count */
			put32(p, 0xfffffff0);		/* value length */
		} else if (i == 1) {
			put16(p, 0x1014);		/* MV PT_I8 */
			put16(p, 0x0001);
			put32(p, 0x40000000);		/* 8 GiB of values */
		} else {
			put16(p, 0x001f);		/* named, kind 1 */
			put16(p, 0x8001);
			g_byte_array_append(p, (const guint8 *)
			    "0123456789abcdef", 16);
			put32(p, 1);
			put32(p, 0xfffffffd);		/* name length */
		}
		b = with_props(p);
		run_parse(&r, b->data, b->len);
		assert_int_equal(r.rc, MS_OK);
		assert_true(has_finding(&r, "tnef_bad_props"));
		assert_int_equal(r.files.n, 1);		/* kept */
		run_free(&r);
		g_byte_array_free(b, TRUE);
	}
}

/* A wrong checksum is reported; the attribute is still used. */
static void
test_checksum(void **state)
{
	GByteArray		*b = one_attachment("hello");
	struct tnef_file	*f;
	struct run		 r;

	(void)state;
	b->data[b->len - 1] ^= 0x55;
	run_parse(&r, b->data, b->len);
	assert_int_equal(r.rc, MS_OK);
	assert_true(has_finding(&r, "tnef_checksum"));
	assert_int_equal(r.files.n, 1);
	f = r.files.v[0];
	assert_string_equal(f->name, "a.txt");
	assert_int_equal(f->len, 5);
	assert_memory_equal(f->data, "hello", 5);
	run_free(&r);
	g_byte_array_free(b, TRUE);
}

/* A UTF-16 long name with a lone surrogate and an odd length. */
static void
test_utf16_name(void **state)
{
	static const guint8	 name[] = { 'a', 0, 0x00, 0xd8, 'b', 0, 'x' };
	GByteArray		*p = g_byte_array_new(), *b;
	struct tnef_file	*f;
	struct run		 r;

	(void)state;
	put32(p, 1);
	put16(p, 0x001f);
	put16(p, 0x3707);
	put32(p, 1);
	put32(p, sizeof(name));
	g_byte_array_append(p, name, sizeof(name));
	put16(p, 0);
	g_byte_array_append(p, (const guint8 *)"\0", 1);
	b = with_props(p);
	run_parse(&r, b->data, b->len);
	assert_int_equal(r.rc, MS_OK);
	f = r.files.v[0];
	assert_string_equal(f->name, "a\xef\xbf\xbd" "b");
	assert_true(g_utf8_validate(f->name, -1, NULL));
	run_free(&r);
	g_byte_array_free(b, TRUE);
}

/* 'levels' embedded messages around a one-file stream. */
static GByteArray *
nested(int levels)
{
	GByteArray	*b = one_attachment("leaf"), *w;
	int		 i;

	for (i = 0; i < levels; i++) {
		w = wrap_embedded(b->data, b->len);
		g_byte_array_free(b, TRUE);
		b = w;
	}
	return b;
}

/* Embedded messages nest to LIMIT_MIME_DEPTH; one more level is kept as
 * bytes with a finding. */
static void
test_depth_limit(void **state)
{
	GByteArray	*b;
	struct mail_msg	*m;
	struct run	 r;
	int		 extra, depth;

	(void)state;
	for (extra = 0; extra < 2; extra++) {
		b = nested(LIMIT_MIME_DEPTH + extra);
		run_parse(&r, b->data, b->len);
		assert_int_equal(r.rc, MS_OK);
		assert_int_equal(has_finding(&r, "limit_mime_depth"), extra);
		/* Each level has the next as its one part. */
		m = ((struct tnef_file *)r.files.v[0])->embedded;
		for (depth = 0; m != NULL; ) {
			depth++;
			assert_int_equal(m->depth, depth);
			assert_int_equal(m->parts.n, 1);
			m = ((struct mail_part *)m->parts.v[0])->embedded;
		}
		assert_int_equal(depth, LIMIT_MIME_DEPTH);
		run_free(&r);
		g_byte_array_free(b, TRUE);
	}
}

/* Append a PT_STRING8 property (count 1, padded). */
static void
prop_str(GByteArray *p, uint16_t id, const char *v)
{
	static const guint8	zero[4] = { 0 };
	uint32_t		n = (uint32_t)strlen(v) + 1;

	put16(p, 0x001e);
	put16(p, id);
	put32(p, 1);
	put32(p, n);
	g_byte_array_append(p, (const guint8 *)v, n);
	g_byte_array_append(p, zero, (4 - (n & 3)) & 3);
}

static void
prop_long(GByteArray *p, uint16_t id, uint32_t v)
{
	put16(p, 0x0003);
	put16(p, id);
	put32(p, v);
}

/* A message whose envelope is only MAPI: sender, Message-ID, submit
 * time (2020-01-01T00:00:00Z) and a recipient table (To by SMTP
 * address, Cc by an Exchange name and a display name). */
static GByteArray *
mapi_message(const char *headers)
{
	GByteArray	*b = one_attachment("x"), *p = g_byte_array_new();

	put32(p, headers ? 6 : 5);
	prop_str(p, 0x0037, "Invoice");
	prop_str(p, 0x0c1a, "Mallory");
	prop_str(p, 0x5d01, "mallory@evil.example");
	prop_str(p, 0x1035, " <id-1@evil.example> ");
	put16(p, 0x0040);
	put16(p, 0x0039);
	put32(p, (uint32_t)(132223104000000000ull & 0xffffffff));
	put32(p, (uint32_t)(132223104000000000ull >> 32));
	if (headers != NULL)
		prop_str(p, 0x007d, headers);
	attr(b, 1, 0x00069003, p->data, p->len);
	g_byte_array_set_size(p, 0);
	put32(p, 2);
	put32(p, 2);
	prop_str(p, 0x39fe, "victim@corp.example");
	prop_long(p, 0x0c15, 1);
	put32(p, 3);
	prop_str(p, 0x3001, "Boss");
	prop_str(p, 0x3003, "/O=CORP/OU=EXCHANGE/CN=BOSS");
	prop_long(p, 0x0c15, 2);
	attr(b, 1, 0x00069004, p->data, p->len);
	g_byte_array_free(p, TRUE);
	return b;
}

/* The envelope of embedded messages: MAPI only, or transport headers
 * first (a phish forwarded as an attachment keeps them). */
static void
test_embedded_envelope(void **state)
{
	GByteArray		*b, *w;
	struct mail_email	*e;
	struct run		 r;

	(void)state;
	b = mapi_message(NULL);
	w = wrap_embedded(b->data, b->len);
	run_parse(&r, w->data, w->len);
	e = &((struct tnef_file *)r.files.v[0])->embedded->email;
	assert_string_equal(e->subject, "Invoice");
	assert_string_equal(e->from->name, "Mallory");
	assert_string_equal(e->from->addr, "mallory@evil.example");
	assert_null(e->sender);
	assert_string_equal(e->message_id, "id-1@evil.example");
	assert_int_equal(e->date_ts, 1577836800);
	assert_string_equal(e->date, "Wed, 01 Jan 2020 00:00:00 +0000");
	assert_int_equal(e->to.n, 1);
	assert_string_equal(((struct mail_addr *)e->to.v[0])->addr,
	    "victim@corp.example");
	assert_int_equal(e->cc.n, 1);
	assert_string_equal(((struct mail_addr *)e->cc.v[0])->name, "Boss");
	assert_null(((struct mail_addr *)e->cc.v[0])->addr);
	run_free(&r);
	g_byte_array_free(b, TRUE);
	g_byte_array_free(w, TRUE);
	b = mapi_message("Received: from mx.evil.example (mx.evil.example "
	    "[203.0.113.9])\r\n\tby mx.corp.example; Tue, 2 Jan 2024 "
	    "10:00:00 +0000\r\nFrom: \"PayPal\" <service@paypa1.example>"
	    "\r\nTo: victim@corp.example\r\nSubject: Urgent\r\n"
	    "Date: Tue, 2 Jan 2024 10:00:00 +0000\r\n\r\n");
	w = wrap_embedded(b->data, b->len);
	run_parse(&r, w->data, w->len);
	e = &((struct tnef_file *)r.files.v[0])->embedded->email;
	assert_string_equal(e->subject, "Urgent");
	assert_string_equal(e->from->addr, "service@paypa1.example");
	assert_int_equal(e->to.n, 1);
	assert_int_equal(e->cc.n, 0);		/* the headers named To */
	assert_int_equal(e->date_ts, 1704189600);
	assert_int_equal(e->received.n, 1);
	assert_string_equal(e->message_id, "id-1@evil.example");
	run_free(&r);
	g_byte_array_free(b, TRUE);
	g_byte_array_free(w, TRUE);
}

/* christmas.tnef's embedded task: PR_SENT_REPRESENTING_NAME with an
 * Exchange address (no SMTP), submit time read with Python. */
static void
test_christmas_envelope(void **state)
{
	struct tnef_file	*f;
	struct run		 r;
	char			*raw;
	gsize			 n;

	(void)state;
	parse_sample(&r, "christmas.tnef", &raw, &n);
	f = find_file(&r, "Untitled Attachment", 0);
	assert_string_equal(f->embedded->email.subject, "Build a train table");
	assert_string_equal(f->embedded->email.from->name, "Jeffrey Stedfast");
	assert_null(f->embedded->email.from->addr);
	assert_int_equal(f->embedded->email.date_ts, 1544884651);
	run_free(&r);
	g_free(raw);
}

/* LIMIT_ATTACHMENTS files are kept; the next one is dropped, reported. */
static void
test_limit_files(void **state)
{
	GByteArray	*b;
	struct run	 r;
	guint8		 rend[14] = { 1 };
	int		 extra, i;

	(void)state;
	for (extra = 0; extra < 2; extra++) {
		b = tnef_new();
		for (i = 0; i < LIMIT_ATTACHMENTS + extra; i++) {
			attr(b, 2, 0x00069002, rend, sizeof(rend));
			attr(b, 2, 0x0006800f, "x", 1);
		}
		run_parse(&r, b->data, b->len);
		assert_int_equal(r.rc, MS_OK);
		assert_int_equal(r.files.n, LIMIT_ATTACHMENTS);
		assert_int_equal(has_finding(&r, "limit_attachments"), extra);
		run_free(&r);
		g_byte_array_free(b, TRUE);
	}
}

/* One attMsgProps attribute with 'n' PT_LONG properties: 1 + n items. */
static GByteArray *
many_props(uint32_t n)
{
	GByteArray	*b = tnef_new(), *p = g_byte_array_new();
	uint32_t	 i;

	put32(p, n);
	for (i = 0; i < n; i++) {
		put16(p, 0x0003);
		put16(p, 0x0e07);
		put32(p, i);
	}
	attr(b, 1, 0x00069003, p->data, p->len);
	g_byte_array_free(p, TRUE);
	return b;
}

static void
test_limit_attrs(void **state)
{
	GByteArray	*b;
	struct run	 r;

	(void)state;
	b = many_props(LIMIT_TNEF_ATTRS - 1);
	run_parse(&r, b->data, b->len);
	assert_int_equal(r.rc, MS_OK);
	assert_false(has_finding(&r, "limit_tnef_attrs"));
	run_free(&r);
	g_byte_array_free(b, TRUE);
	b = many_props(LIMIT_TNEF_ATTRS);
	run_parse(&r, b->data, b->len);
	assert_int_equal(r.rc, MS_ELIMIT);
	assert_true(has_finding(&r, "limit_tnef_attrs"));
	run_free(&r);
	g_byte_array_free(b, TRUE);
}

/* Not TNEF; and an arena too small for the names. */
static void
test_signature_and_arena(void **state)
{
	struct arena_vec	 fi = { 0 }, files = { 0 };
	struct arena		*a = arena_new(256);
	struct run		 r;
	const char		*body;
	char			*raw;
	gsize			 n;

	(void)state;
	run_parse(&r, "\x78\x9f\x3e\x23\x01\x00", 6);
	assert_int_equal(r.rc, MS_EPARSE);
	assert_false(tnef_sniff((const unsigned char *)"\x78\x9f\x3e", 3));
	run_free(&r);
	parse_sample(&r, "christmas.tnef", &raw, &n);
	run_free(&r);
	assert_int_equal(tnef_parse(a, (unsigned char *)raw, n, "2", &fi,
	    &files, &body), MS_ELIMIT);
	arena_free(a);
	g_free(raw);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_mimekit_corpus),
		cmocka_unit_test(test_christmas_embedded),
		cmocka_unit_test(test_names_and_body),
		cmocka_unit_test(test_garbage_at_end),
		cmocka_unit_test(test_emails),
		cmocka_unit_test(test_truncated_everywhere),
		cmocka_unit_test(test_length_past_end),
		cmocka_unit_test(test_huge_counts),
		cmocka_unit_test(test_checksum),
		cmocka_unit_test(test_utf16_name),
		cmocka_unit_test(test_depth_limit),
		cmocka_unit_test(test_limit_files),
		cmocka_unit_test(test_embedded_envelope),
		cmocka_unit_test(test_christmas_envelope),
		cmocka_unit_test(test_limit_attrs),
		cmocka_unit_test(test_signature_and_arena),
	};

	return cmocka_run_group_tests(tests, setup, teardown);
}
