/* SPDX-License-Identifier: Apache-2.0 */
/*
 * mime4j_check.c -- MIME conformance against Apache James mime4j's paired
 * test vectors (../shared/corpus/mime4j-testmsgs, see its SOURCE.txt).
 * For every X.msg that has an X_decoded.xml, X.msg goes through
 * mail_parse() and the decoded leaf bodies are compared, in document
 * order, with the X_decoded_<path>.txt / .bin files that X_decoded.xml
 * names in its <text-body name="..."/> and <binary-body name="..."/>
 * elements.  mime4j numbers parts differently from us (we number like
 * IMAP, "1.2"), so parts are matched by position, not by path.
 *
 * Usage: mime4j_check CORPUS-DIR.  Prints PASS/FAIL per message with the
 * reason, then "mime4j: P/N messages (R%)" and "P passed, F failed".
 * Exits non-zero when fewer than 95% of the messages pass.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <glib.h>

#include "common/arena.h"
#include "common/limits.h"
#include "mail/mail.h"

#define PASS_RATE_MIN	95.0

/* One expected body from X_decoded.xml. */
struct expect {
	char	*name;		/* file name beside the .msg */
	int	 text;		/* <text-body> (1) or <binary-body> (0) */
	char	*body;		/* its bytes, once loaded */
	gsize	 len;
};

static void
expect_free(gpointer p)
{
	struct expect	*e = p;

	g_free(e->name);
	g_free(e->body);
	g_free(e);
}

/*
 * Collect the body names of X_decoded.xml in document order.  The XML
 * carries raw header text, so rather than trust it to be well formed we
 * scan for the two element openings; a literal '<' inside text content is
 * escaped as &lt; in XML, so the scan cannot be fooled by header values.
 */
static GPtrArray *
expected_bodies(const char *xml)
{
	static const struct {
		const char	*open;
		int		 text;
	} tags[] = {
		{ "<text-body name=\"", 1 },
		{ "<binary-body name=\"", 0 },
	};
	GPtrArray	*out = g_ptr_array_new_with_free_func(expect_free);
	const char	*p, *q;
	struct expect	*e;
	size_t		 i, l;

	for (p = strchr(xml, '<'); p != NULL; p = strchr(p + 1, '<')) {
		for (i = 0; i < G_N_ELEMENTS(tags); i++) {
			l = strlen(tags[i].open);
			if (strncmp(p, tags[i].open, l) != 0)
				continue;
			if ((q = strchr(p + l, '"')) == NULL)
				break;
			e = g_new0(struct expect, 1);
			e->name = g_strndup(p + l, (gsize)(q - p - l));
			e->text = tags[i].text;
			g_ptr_array_add(out, e);
			break;
		}
	}
	return out;
}

static int
is_message_type(const char *ct)
{
	return ct != NULL && (strcmp(ct, "message/rfc822") == 0 ||
	    strcmp(ct, "message/global") == 0 ||
	    strcmp(ct, "message/news") == 0);
}

/*
 * Our leaves in walk order.  An embedded message (a message/ part) is a
 * container: its own parts take its place, as mime4j's <message> element
 * does.  Parts we add beyond MIME -- uuencoded blocks, TNEF contents, the
 * innards of Outlook .msg files -- have no counterpart in mime4j and are
 * skipped.  A leaf that we happen to parse as an attached email (a
 * ".eml" octet-stream) is still a leaf to mime4j, so only message/ types
 * count as containers.
 */
static void
collect_leaves(const struct mail_msg *m, GPtrArray *out, int depth)
{
	const struct mail_part	*p;
	size_t			 i;

	if (m == NULL || depth > 4 * LIMIT_MIME_DEPTH)
		return;
	for (i = 0; i < m->parts.n; i++) {
		p = m->parts.v[i];
		if (p->flags & (MAIL_PART_UUENCODED | MAIL_PART_TNEF |
		    MAIL_PART_MSG | MAIL_PART_LEFTOVER))
			continue;
		if (is_message_type(p->content_type)) {
			collect_leaves(p->embedded, out, depth + 1);
			continue;
		}
		g_ptr_array_add(out, (gpointer)p);
	}
}

/*
 * Normalise text for comparison: CRLF becomes LF (mime4j keeps the line
 * ends of the file, GMime may keep or canonicalise them, and the corpus
 * has both), then one trailing LF is dropped (whether the line break
 * before a boundary belongs to the body is a known point of divergence
 * between parsers).  Nothing else is touched.
 */
static GString *
norm_text(const char *p, size_t n)
{
	GString	*s = g_string_sized_new(n + 1);
	size_t	 i;

	for (i = 0; i < n; i++) {
		if (p[i] == '\r' && i + 1 < n && p[i + 1] == '\n')
			continue;
		g_string_append_c(s, p[i]);
	}
	if (s->len > 0 && s->str[s->len - 1] == '\n')
		g_string_truncate(s, s->len - 1);
	return s;
}

static int
same_text(const char *ours, size_t olen, const char *want, size_t wlen)
{
	GString	*a = norm_text(ours, olen), *b = norm_text(want, wlen);
	int	 same = a->len == b->len && memcmp(a->str, b->str, a->len) == 0;

	g_string_free(a, TRUE);
	g_string_free(b, TRUE);
	return same;
}

/* Printable excerpt of 'p' around 'off' for failure messages. */
static char *
excerpt(const unsigned char *p, size_t n, size_t off)
{
	GString	*s = g_string_new(NULL);
	size_t	 i, from = off > 20 ? off - 20 : 0;

	for (i = from; i < n && i < from + 50; i++) {
		if (p[i] >= 0x20 && p[i] < 0x7f && p[i] != '\\')
			g_string_append_c(s, (char)p[i]);
		else
			g_string_append_printf(s, "\\x%02x", p[i]);
	}
	return g_string_free(s, FALSE);
}

static char *
describe_diff(const unsigned char *ours, size_t olen,
    const unsigned char *want, size_t wlen)
{
	size_t	 i;
	char	*a, *b, *r;

	for (i = 0; i < olen && i < wlen && ours[i] == want[i]; i++)
		;
	a = excerpt(ours, olen, i);
	b = excerpt(want, wlen, i);
	r = g_strdup_printf("%zu vs %zu bytes, first difference at %zu: "
	    "ours \"%s\" expected \"%s\"", olen, wlen, i, a, b);
	g_free(a);
	g_free(b);
	return r;
}

/*
 * Compare one of our parts with an expected body.  Returns NULL when they
 * match, else a reason (g_free it).  '*how' says which reading matched.
 *
 * Text parts that we converted (MAIL_PART_TEXT) are UTF-8; mime4j's files
 * hold the bytes in the part's declared charset.  So the expected bytes
 * are converted from the declared charset to UTF-8 first; when there is
 * no charset, or it is ASCII (which 8-bit bytes then violate), or iconv
 * does not know it, the raw bytes are compared.  Our documented policy
 * reads undeclared or mis-declared 8-bit text as Windows-1252, so when
 * the raw expected bytes are not valid UTF-8 that reading is tried too,
 * and reported as such.  All text comparisons use norm_text().  Binary
 * bodies, and text that we did not convert (text attachments), must match
 * byte for byte, except that text-body files still get norm_text().
 */
static char *
compare_part(const struct mail_part *p, const struct expect *e,
    const char *want, size_t wlen, const char **how)
{
	gchar	*conv = NULL;
	gsize	 clen = 0;
	int	 ok = 0;

	*how = "";
	if (!(p->flags & MAIL_PART_TEXT)) {
		if (e->text)
			ok = same_text((const char *)p->data, p->len, want,
			    wlen);
		else
			ok = p->len == wlen && memcmp(p->data, want, wlen) == 0;
		if (ok)
			return NULL;
		goto differ;
	}
	if (p->charset != NULL && g_ascii_strncasecmp(p->charset, "us-ascii",
	    8) != 0 && g_ascii_strcasecmp(p->charset, "ascii") != 0)
		conv = g_convert(want, (gssize)wlen, "UTF-8", p->charset,
		    NULL, &clen, NULL);
	if (conv != NULL) {
		ok = same_text((const char *)p->data, p->len, conv, clen);
		g_free(conv);
		conv = NULL;
		if (ok)
			return NULL;
	}
	if (same_text((const char *)p->data, p->len, want, wlen))
		return NULL;
	if (!g_utf8_validate(want, (gssize)wlen, NULL) &&
	    (conv = g_convert(want, (gssize)wlen, "UTF-8", "WINDOWS-1252",
	    NULL, &clen, NULL)) != NULL) {
		ok = same_text((const char *)p->data, p->len, conv, clen);
		g_free(conv);
		if (ok) {
			*how = " (8-bit text read as Windows-1252)";
			return NULL;
		}
	}
differ:
	return describe_diff(p->data, p->len, (const unsigned char *)want,
	    wlen);
}

/* On a count mismatch, show both lists so the failure can be read. */
static void
list_parts(GString *notes, GPtrArray *ours, GPtrArray *want)
{
	const struct mail_part	*p;
	const struct expect	*e;
	guint			 i;

	for (i = 0; i < ours->len; i++) {
		p = ours->pdata[i];
		g_string_append_printf(notes, "  ours %u: %s %s, %zu bytes\n",
		    i + 1, p->path,
		    p->content_type ? p->content_type : "?", p->len);
	}
	for (i = 0; i < want->len; i++) {
		e = want->pdata[i];
		g_string_append_printf(notes, "  want %u: %s, %zu bytes\n",
		    i + 1, e->name, e->len);
	}
}

/*
 * Load the expected bodies beside 'msgpath'.  Returns NULL on success, or
 * the reason.
 */
static char *
load_bodies(const char *msgpath, GPtrArray *want)
{
	char		*dir = g_path_get_dirname(msgpath), *fn, *why = NULL;
	struct expect	*e;
	guint		 i;

	for (i = 0; i < want->len && why == NULL; i++) {
		e = want->pdata[i];
		fn = g_build_filename(dir, e->name, NULL);
		if (!g_file_get_contents(fn, &e->body, &e->len, NULL))
			why = g_strdup_printf("cannot read %s", e->name);
		g_free(fn);
	}
	g_free(dir);
	return why;
}

/*
 * Empty leaves are left out on both sides before parts are paired.  Two
 * adjacent boundaries, or a part with headers and no content, give mime4j
 * an empty body; GMime drops some of those parts and keeps others.  An
 * empty body carries nothing to analyse, and a non-empty body lost or
 * invented still changes the count of what remains, so this normalisation
 * cannot hide lost content.  Messages where it mattered are noted.
 */
static GPtrArray *
drop_empty_ours(GPtrArray *in)
{
	GPtrArray	*out = g_ptr_array_new();
	guint		 i;

	for (i = 0; i < in->len; i++)
		if (((const struct mail_part *)in->pdata[i])->len > 0)
			g_ptr_array_add(out, in->pdata[i]);
	return out;
}

static GPtrArray *
drop_empty_want(GPtrArray *in)
{
	GPtrArray	*out = g_ptr_array_new();
	guint		 i;

	for (i = 0; i < in->len; i++)
		if (((const struct expect *)in->pdata[i])->len > 0)
			g_ptr_array_add(out, in->pdata[i]);
	return out;
}

/* Check one X.msg; returns NULL on PASS or a reason (g_free it). */
static char *
check_one(const char *msgpath, const char *xmlpath, GString *notes)
{
	struct arena		*a = NULL;
	struct arena_vec	 findings = { 0 };
	struct mail_msg		*m = NULL;
	GPtrArray		*want = NULL, *ours = NULL;
	GPtrArray		*ours_ne = NULL, *want_ne = NULL;
	gchar			*raw = NULL, *xml = NULL;
	gsize			 rlen;
	const char		*how;
	char			*why = NULL, *d;
	enum ms_err		 rc;
	guint			 i;

	if (!g_file_get_contents(msgpath, &raw, &rlen, NULL) ||
	    !g_file_get_contents(xmlpath, &xml, NULL, NULL)) {
		g_free(raw);
		return g_strdup("cannot read the message or its XML");
	}
	want = expected_bodies(xml);
	if ((why = load_bodies(msgpath, want)) != NULL)
		goto out;
	a = arena_new(LIMIT_MSG_ARENA);
	rc = mail_parse(a, raw, rlen, &findings, &m);
	if (m == NULL) {
		why = g_strdup_printf("mail_parse: %s", ms_strerror(rc));
		goto out;
	}
	ours = g_ptr_array_new();
	collect_leaves(m, ours, 0);
	ours_ne = drop_empty_ours(ours);
	want_ne = drop_empty_want(want);
	if (ours_ne->len != want_ne->len) {
		why = g_strdup_printf("%u non-empty leaf parts, expected %u",
		    ours_ne->len, want_ne->len);
		list_parts(notes, ours, want);
		goto out;
	}
	if (ours->len != want->len) {
		g_string_append_printf(notes, "  note: %u empty parts here, "
		    "%u in mime4j\n", ours->len - ours_ne->len,
		    want->len - want_ne->len);
	}
	for (i = 0; i < want_ne->len && why == NULL; i++) {
		const struct expect	*e = want_ne->pdata[i];
		const struct mail_part	*p = ours_ne->pdata[i];

		if ((d = compare_part(p, e, e->body, e->len, &how)) != NULL) {
			why = g_strdup_printf("part %s (%s) vs %s: %s",
			    p->path ? p->path : "?", p->content_type ?
			    p->content_type : "?", e->name, d);
			g_free(d);
		} else if (*how != '\0') {
			g_string_append_printf(notes, "  note: part %s "
			    "matched%s\n", p->path, how);
		}
	}
out:
	if (ours != NULL)
		g_ptr_array_free(ours, TRUE);
	if (ours_ne != NULL)
		g_ptr_array_free(ours_ne, TRUE);
	if (want_ne != NULL)
		g_ptr_array_free(want_ne, TRUE);
	g_ptr_array_free(want, TRUE);
	arena_free(a);
	g_free(raw);
	g_free(xml);
	return why;
}

/* All *.msg files under 'dir', recursively, sorted. */
static void
find_msgs(const char *dir, GPtrArray *out)
{
	GDir		*d;
	const char	*name;
	char		*path;

	if ((d = g_dir_open(dir, 0, NULL)) == NULL)
		return;
	while ((name = g_dir_read_name(d)) != NULL) {
		path = g_build_filename(dir, name, NULL);
		if (g_file_test(path, G_FILE_TEST_IS_DIR))
			find_msgs(path, out);
		else if (g_str_has_suffix(name, ".msg")) {
			g_ptr_array_add(out, path);
			continue;
		}
		g_free(path);
	}
	g_dir_close(d);
}

static gint
cmp_str(gconstpointer x, gconstpointer y)
{
	return strcmp(*(char *const *)x, *(char *const *)y);
}

int
main(int argc, char **argv)
{
	GPtrArray	*msgs = g_ptr_array_new_with_free_func(g_free);
	char		*root, *xml, *why;
	size_t		 rootlen;
	unsigned	 pass = 0, fail = 0, noted_n = 0;
	double		 rate;
	GString		*notes = g_string_new(NULL);
	guint		 i;

	if (argc != 2) {
		fprintf(stderr, "usage: %s CORPUS-DIR\n", argv[0]);
		return 2;
	}
	root = g_build_filename(argv[1], "mime4j-testmsgs", NULL);
	rootlen = strlen(root);
	find_msgs(root, msgs);
	g_ptr_array_sort(msgs, cmp_str);
	mail_init();
	for (i = 0; i < msgs->len; i++) {
		const char	*msg = msgs->pdata[i];
		const char	*rel = msg + rootlen + 1;

		xml = g_strdup_printf("%.*s_decoded.xml",
		    (int)(strlen(msg) - 4), msg);
		if (!g_file_test(xml, G_FILE_TEST_IS_REGULAR)) {
			printf("SKIP %s: no _decoded.xml\n", rel);
			g_free(xml);
			continue;
		}
		g_string_truncate(notes, 0);
		if ((why = check_one(msg, xml, notes)) == NULL) {
			printf("PASS %s\n%s", rel, notes->str);
			pass++;
			noted_n += notes->len > 0;
		} else {
			printf("FAIL %s: %s\n%s", rel, why, notes->str);
			fail++;
			g_free(why);
		}
		g_free(xml);
	}
	mail_shutdown();
	g_string_free(notes, TRUE);
	if (pass + fail == 0) {
		fprintf(stderr, "mime4j: no test messages under %s\n", root);
		printf("0 passed, 1 failed\n");
		g_free(root);
		g_ptr_array_free(msgs, TRUE);
		return 1;
	}
	rate = 100.0 * pass / (pass + fail);
	printf("mime4j: %u/%u messages (%.1f%%), %u of them with a note "
	    "(empty parts or Windows-1252 reading); minimum %.0f%%\n", pass,
	    pass + fail, rate, noted_n, PASS_RATE_MIN);
	printf("%u passed, %u failed\n", pass, fail);
	g_free(root);
	g_ptr_array_free(msgs, TRUE);
	return rate < PASS_RATE_MIN ? 1 : 0;
}
