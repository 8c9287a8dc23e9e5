/* SPDX-License-Identifier: Apache-2.0 */
/*
 * test_limits.c -- every bound of src/common/limits.h that the mail and
 * analysis code enforce, at the limit (accepted, no finding) and one past
 * it (a limit_* finding, MS_ELIMIT, no crash).  The extract bounds are
 * tested in test_extract.c, the TNEF/.msg ones in test_tnef.c and
 * test_msg.c, the arena cap in test_common.c.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>

#include <cmocka.h>
#include <glib.h>

#include "analyze/analyze.h"
#include "common/limits.h"
#include "mail/mail.h"

static int
setup(void **state)
{
	(void)state;
	analyze_init();
	return 0;
}

static int
teardown(void **state)
{
	(void)state;
	analyze_shutdown();
	return 0;
}

static int
has_finding(const struct arena_vec *v, const char *id)
{
	const struct finding	*f;
	size_t			 i;

	for (i = 0; i < v->n; i++) {
		f = v->v[i];
		if (strcmp(f->id, id) == 0)
			return 1;
	}
	return 0;
}

/* Parse 's' with mail_parse; return its rc and whether 'id' was found. */
static enum ms_err
parse(GString *s, const char *id, int *found, size_t *nparts)
{
	struct arena		*a = arena_new(LIMIT_MSG_ARENA);
	struct arena_vec	 findings = { 0 };
	struct mail_msg		*m = NULL;
	enum ms_err		 rc;

	rc = mail_parse(a, s->str, s->len, &findings, &m);
	*found = has_finding(&findings, id);
	if (nparts != NULL)
		*nparts = m ? m->parts.n : 0;
	arena_free(a);
	return rc;
}

static GString *
headers_then(const char *extra)
{
	GString	*s = g_string_new("From: a@example.com\n"
	    "To: b@example.com\nSubject: limits\n");

	g_string_append(s, extra);
	return s;
}

static void
msg_bytes(void **state)
{
	GString	*s = headers_then("\n");
	int	 found;

	(void)state;
	/* Pad the body to exactly LIMIT_MSG_BYTES. */
	while (s->len < LIMIT_MSG_BYTES)
		g_string_append_c(s, s->len % 77 ? 'x' : '\n');
	assert_int_equal(parse(s, "limit_msg_bytes", &found, NULL), MS_OK);
	assert_false(found);
	g_string_append_c(s, 'x');
	assert_int_equal(parse(s, "limit_msg_bytes", &found, NULL),
	    MS_ELIMIT);
	assert_true(found);
	g_string_free(s, TRUE);
}

/* 'levels' nested multiparts around one text leaf. */
static GString *
nested(int levels)
{
	GString	*s = headers_then("MIME-Version: 1.0\n");
	int	 i;

	for (i = 0; i < levels; i++)
		g_string_append_printf(s, "%sContent-Type: multipart/mixed; "
		    "boundary=\"b%d\"\n\n--b%d\n", i ? "" : "", i, i);
	g_string_append(s, "Content-Type: text/plain\n\ndeep leaf\n");
	for (i = levels - 1; i >= 0; i--)
		g_string_append_printf(s, "--b%d--\n", i);
	return s;
}

static void
mime_depth(void **state)
{
	GString	*s;
	int	 found;

	(void)state;
	/* The leaf of N nested multiparts sits at depth N. */
	s = nested(LIMIT_MIME_DEPTH);
	assert_int_equal(parse(s, "limit_mime_depth", &found, NULL), MS_OK);
	assert_false(found);
	g_string_free(s, TRUE);
	s = nested(LIMIT_MIME_DEPTH + 1);
	assert_int_equal(parse(s, "limit_mime_depth", &found, NULL),
	    MS_ELIMIT);
	assert_true(found);
	g_string_free(s, TRUE);
}

static GString *
many_parts(int n)
{
	GString	*s = headers_then("MIME-Version: 1.0\n"
	    "Content-Type: multipart/mixed; boundary=\"p\"\n\n");
	int	 i;

	for (i = 0; i < n; i++)
		g_string_append_printf(s, "--p\nContent-Type: text/plain\n\n"
		    "part %d\n", i);
	g_string_append(s, "--p--\n");
	return s;
}

static void
mime_parts(void **state)
{
	GString	*s;
	size_t	 n;
	int	 found;

	(void)state;
	s = many_parts(LIMIT_MIME_PARTS);
	assert_int_equal(parse(s, "limit_mime_parts", &found, &n), MS_OK);
	assert_false(found);
	assert_int_equal(n, LIMIT_MIME_PARTS);
	g_string_free(s, TRUE);
	s = many_parts(LIMIT_MIME_PARTS + 1);
	assert_int_equal(parse(s, "limit_mime_parts", &found, &n), MS_ELIMIT);
	assert_true(found);
	assert_int_equal(n, LIMIT_MIME_PARTS);
	g_string_free(s, TRUE);
}

static void
header_bytes(void **state)
{
	GString	*s;
	int	 found;
	size_t	 i;

	(void)state;
	s = g_string_new("X-Long: ");
	for (i = 0; i < LIMIT_HEADER_BYTES; i++)
		g_string_append_c(s, 'a');
	g_string_append(s, "\nFrom: a@example.com\n\nbody\n");
	assert_int_equal(parse(s, "limit_header_bytes", &found, NULL), MS_OK);
	assert_false(found);
	g_string_insert_c(s, 8, 'a');
	parse(s, "limit_header_bytes", &found, NULL);
	assert_true(found);
	g_string_free(s, TRUE);
}

static GString *
n_headers(const char *name, int n)
{
	GString	*s = g_string_new("");
	int	 i;

	for (i = 0; i < n; i++)
		g_string_append_printf(s, "%s: from h%d.example.com ([192.0.2.%d]) "
		    "by mx.example.org; Mon, 30 Nov 2026 10:00:00 +0000\n",
		    name, i, i % 250 + 1);
	g_string_append(s, "\nbody\n");
	return s;
}

static void
headers_count(void **state)
{
	GString	*s;
	int	 found;

	(void)state;
	s = n_headers("X-H", LIMIT_HEADERS);
	parse(s, "limit_headers", &found, NULL);
	assert_false(found);
	g_string_free(s, TRUE);
	s = n_headers("X-H", LIMIT_HEADERS + 1);
	parse(s, "limit_headers", &found, NULL);
	assert_true(found);
	g_string_free(s, TRUE);
}

static void
received_hops(void **state)
{
	GString	*s;
	int	 found;

	(void)state;
	s = n_headers("Received", LIMIT_RECEIVED_HOPS);
	parse(s, "limit_received_hops", &found, NULL);
	assert_false(found);
	g_string_free(s, TRUE);
	s = n_headers("Received", LIMIT_RECEIVED_HOPS + 1);
	parse(s, "limit_received_hops", &found, NULL);
	assert_true(found);
	g_string_free(s, TRUE);
}

static GString *
n_attachments(int n)
{
	GString	*s = headers_then("MIME-Version: 1.0\n"
	    "Content-Type: multipart/mixed; boundary=\"p\"\n\n");
	int	 i;

	for (i = 0; i < n; i++)
		g_string_append_printf(s, "--p\nContent-Type: "
		    "application/octet-stream\nContent-Disposition: "
		    "attachment; filename=\"f%d.bin\"\n\nfile %d\n", i, i);
	g_string_append(s, "--p--\n");
	return s;
}

static void
attachments(void **state)
{
	struct arena	*a;
	struct analysis	*an;
	GString		*s;

	(void)state;
	s = n_attachments(LIMIT_ATTACHMENTS);
	a = arena_new(LIMIT_MSG_ARENA);
	assert_int_equal(analyze_bytes(a, s->str, s->len, "t", &an), MS_OK);
	assert_int_equal(an->attachments.n, LIMIT_ATTACHMENTS);
	assert_false(has_finding(&an->findings, "limit_attachments"));
	arena_free(a);
	g_string_free(s, TRUE);

	s = n_attachments(LIMIT_ATTACHMENTS + 1);
	a = arena_new(LIMIT_MSG_ARENA);
	assert_int_equal(analyze_bytes(a, s->str, s->len, "t", &an),
	    MS_ELIMIT);
	assert_int_equal(an->attachments.n, LIMIT_ATTACHMENTS);
	assert_true(has_finding(&an->findings, "limit_attachments"));
	arena_free(a);
	g_string_free(s, TRUE);
}

/*
 * message/rfc822 parts count their serialised size against
 * LIMIT_DECODED_BYTES, which is what keeps deep nesting of a large email
 * from costing O(depth^2).  'levels' levels around a body of 'body' bytes.
 */
static GString *
rfc822_nest(int levels, size_t body)
{
	GString	*s = g_string_new("");
	int	 i;

	for (i = 0; i < levels; i++)
		g_string_append(s, "From: a@example.com\nMIME-Version: 1.0\n"
		    "Content-Type: message/rfc822\n\n");
	g_string_append(s, "From: inner@example.com\nSubject: in\n\n");
	while (body-- > 0)
		g_string_append_c(s, body % 64 ? 'y' : '\n');
	return s;
}

static void
decoded_bytes(void **state)
{
	size_t	 body = LIMIT_DECODED_BYTES / 8;
	GString	*s;
	int	 found;

	(void)state;
	/* Seven levels serialise about 7 x body (< 8 x body): accepted. */
	s = rfc822_nest(7, body - 4096);
	parse(s, "limit_decoded_bytes", &found, NULL);
	assert_false(found);
	g_string_free(s, TRUE);
	/* Nine levels need about 9 x body: refused past the limit. */
	s = rfc822_nest(9, body);
	assert_int_equal(parse(s, "limit_decoded_bytes", &found, NULL),
	    MS_ELIMIT);
	assert_true(found);
	g_string_free(s, TRUE);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(msg_bytes),
		cmocka_unit_test(mime_depth),
		cmocka_unit_test(mime_parts),
		cmocka_unit_test(header_bytes),
		cmocka_unit_test(headers_count),
		cmocka_unit_test(received_hops),
		cmocka_unit_test(attachments),
		cmocka_unit_test(decoded_bytes),
	};

	return cmocka_run_group_tests(tests, setup, teardown);
}
