/* SPDX-License-Identifier: Apache-2.0 */
/*
 * test_msg.c -- the Outlook .msg reader against the .msg samples of
 * eml_analyzer and PyMISP, with every expected value read independently
 * from the files with `gsf cat` / `gsf list` (libgsf-bin), iconv and
 * Python (FILETIME, recipient types); and against compound files built
 * here with libgsf's writer: LIMIT_MSG_STREAMS and LIMIT_MIME_DEPTH at
 * and past the limit, truncation and corruption.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include <cmocka.h>
#include <glib.h>
#include <gsf/gsf-outfile-msole.h>
#include <gsf/gsf-outfile.h>
#include <gsf/gsf-output-memory.h>

#include "common/limits.h"
#include "mail/mail_int.h"
#include "mail/msg.h"

#define EA_DIR	MS_CORPUS "/eml-analyzer-fixtures"
#define PM_DIR	MS_CORPUS "/pymisp-email-testfiles"

struct run {
	struct arena		*a;
	struct arena_vec	 findings;
	struct mail_msg		*m;
	char			*raw;
	gsize			 len;
	enum ms_err		 rc;
};

static unsigned	gsf_criticals;

/* libgsf reports broken compound files with g_critical() and
 * g_warning(): count them instead of filling the test log. */
static void
quiet(const gchar *domain, GLogLevelFlags level, const gchar *msg,
    gpointer user)
{
	(void)domain;
	(void)level;
	(void)msg;
	(void)user;
	gsf_criticals++;
}

static int
setup(void **state)
{
	(void)state;
	mail_init();
	g_log_set_handler("libgsf:msole", G_LOG_LEVEL_MASK, quiet, NULL);
	g_log_set_handler(NULL, G_LOG_LEVEL_WARNING | G_LOG_LEVEL_CRITICAL,
	    quiet, NULL);
	return 0;
}

static int
teardown(void **state)
{
	(void)state;
	mail_shutdown();
	return 0;
}

static void
run_buf(struct run *r, const void *p, size_t n)
{
	r->a = arena_new(LIMIT_MSG_ARENA);
	memset(&r->findings, 0, sizeof(r->findings));
	r->rc = msg_parse(r->a, p, n, "", 0, &r->findings, &r->m);
}

static void
run_file(struct run *r, const char *path)
{
	memset(r, 0, sizeof(*r));
	assert_true(g_file_get_contents(path, &r->raw, &r->len, NULL));
	run_buf(r, r->raw, r->len);
	assert_int_equal(r->rc, MS_OK);
	assert_non_null(r->m);
}

static void
run_free(struct run *r)
{
	arena_free(r->a);
	g_free(r->raw);
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

static struct mail_part *
part(const struct mail_msg *m, size_t i)
{
	assert_true(i < m->parts.n);
	return m->parts.v[i];
}

static struct mail_addr *
addr(const struct arena_vec *v, size_t i)
{
	assert_true(i < v->n);
	return v->v[i];
}

static void
assert_sha256(const void *p, size_t n, const char *want)
{
	char	*sum = g_compute_checksum_for_data(G_CHECKSUM_SHA256, p, n);

	assert_string_equal(sum, want);
	g_free(sum);
}

/* outer.msg: MAPI properties only (no transport headers), one attached
 * message.  Values from `gsf cat` + iconv -f UTF-16LE. */
static void
test_outer(void **state)
{
	struct mail_msg	*e;
	struct run	 r;

	(void)state;
	run_file(&r, EA_DIR "/outer.msg");
	assert_string_equal(r.m->source, "outlook-msg");
	assert_string_equal(r.m->email.subject, "outer subject");
	assert_string_equal(addr(&r.m->email.to, 0)->addr, "outer@foo.bar");
	assert_true(g_str_has_prefix(r.m->email.text, "Outer body"));
	assert_int_equal(r.m->email.headers.n, 0);
	assert_int_equal(r.m->parts.n, 1);
	assert_string_equal(part(r.m, 0)->path, "1");
	assert_string_equal(part(r.m, 0)->file_name, "test");
	assert_string_equal(part(r.m, 0)->content_type,
	    "application/vnd.ms-outlook");
	assert_true(part(r.m, 0)->flags & MAIL_PART_MSG);
	e = part(r.m, 0)->embedded;
	assert_non_null(e);
	assert_int_equal(e->depth, 1);
	assert_string_equal(e->path, "1");
	assert_string_equal(e->email.subject, "test");
	assert_string_equal(addr(&e->email.to, 0)->addr, "test@foobar.com");
	assert_true(g_str_has_prefix(e->email.text, "body"));
	run_free(&r);
}

/* other.msg: transport headers (RFC 2047 From), a Chinese subject, an
 * attached message carrying a PDF.  PDF size from `gsf list`, digest
 * from `gsf cat | sha256sum`, Date from `date -d`. */
static void
test_other(void **state)
{
	struct mail_part	*p;
	struct mail_msg		*e;
	struct run		 r;

	(void)state;
	run_file(&r, EA_DIR "/other.msg");
	assert_string_equal(r.m->email.subject,
	    "\xe6\x8a\x95\xe9\x80\x92\xe7\x8a\xb6\xe6\x80\x81\xe9\x80\x9a"
	    "\xe7\x9f\xa5 (Failure Notice)");
	assert_string_equal(r.m->email.from->name, "Mail Delivery Subsystem");
	assert_string_equal(r.m->email.from->addr,
	    "mailer-daemon@tjdpf.org.cn");
	assert_string_equal(addr(&r.m->email.to, 0)->addr,
	    "yosipnps@model.com");
	assert_string_equal(r.m->email.message_id,
	    "99d78a$k8gjl@esa2.mentor.iphmx.com");
	assert_int_equal(r.m->email.date_ts, 1511775870);
	assert_true(r.m->email.headers.n > 0);
	assert_int_equal(r.m->parts.n, 1);
	assert_string_equal(part(r.m, 0)->file_name, "default_attachment.eml");
	e = part(r.m, 0)->embedded;
	assert_non_null(e);
	assert_true(g_str_has_prefix(e->email.subject, "\xe5\x9b\x9e\xe5\xa4"
	    "\x8d"));	/* "回复" */
	assert_int_equal(e->parts.n, 1);
	p = part(e, 0);
	assert_string_equal(p->path, "1.1");
	assert_int_equal(p->depth, 1);
	assert_true(g_str_has_suffix(p->file_name, "n.pdf"));
	assert_int_equal(p->len, 144702);
	assert_memory_equal(p->data, "%PDF-1.5", 8);
	assert_sha256(p->data, p->len, "3e834481760ebbba8b635f4a273ce1b5"
	    "b3b973cacbfbe9c9513047d16ffc6ee0");
	run_free(&r);
}

/* mail_3.msg: three attachments with MIME tags and content ids, an HTML
 * body in code page 28591.  Names, ids, tags and sizes from `gsf cat`. */
static void
test_mail3(void **state)
{
	static const struct {
		const char	*name, *type, *cid;
		size_t		 len;
	} want[] = {
		{ "attachment.txt", "text/plain", NULL, 64 },
		{ "logo.gif", "image/gif",
		    "ae0357e57f04b8347f7621662cb63855.gif", 1195 },
		{ "background.gif", "image/gif",
		    "4c837ed463ad29c820668e835a270e8a.gif", 3265 },
	};
	struct mail_part	*p;
	struct run		 r;
	size_t			 i;

	(void)state;
	run_file(&r, PM_DIR "/mail_3.msg");
	assert_string_equal(r.m->email.subject, "Testing Manuel Lemos' MIME "
	    "E-mail composing and sending PHP class: HTML message");
	assert_true(g_str_has_prefix(r.m->email.html, "<html>\n<head>\n"
	    "<title>Testing Manuel Lemos'"));
	assert_int_equal(r.m->email.html_len, strlen(r.m->email.html));
	assert_int_equal(r.m->parts.n, 3);
	for (i = 0; i < 3; i++) {
		p = part(r.m, i);
		assert_string_equal(p->file_name, want[i].name);
		assert_string_equal(p->content_type, want[i].type);
		if (want[i].cid == NULL)
			assert_null(p->content_id);
		else
			assert_string_equal(p->content_id, want[i].cid);
		assert_int_equal(p->len, want[i].len);
		assert_int_equal(p->flags, MAIL_PART_ATTACHMENT |
		    MAIL_PART_MSG);
	}
	assert_memory_equal(part(r.m, 1)->data, "GIF8", 4);
	run_free(&r);
}

/* mail_4.msg: no transport headers, so everything comes from MAPI:
 * sender, two To and one Cc (PR_RECIPIENT_TYPE read with Python), the
 * submit time (FILETIME, converted with Python), an .xlsx. */
static void
test_mail4(void **state)
{
	struct mail_email	*e;
	struct run		 r;

	(void)state;
	run_file(&r, PM_DIR "/mail_4.msg");
	e = &r.m->email;
	assert_string_equal(e->subject, "New Message!");
	assert_string_equal(e->from->name, "Sender");
	assert_string_equal(e->from->addr, "sender@example.com");
	assert_int_equal(e->from_all.n, 1);
	assert_null(e->sender);
	assert_int_equal(e->to.n, 2);
	assert_string_equal(addr(&e->to, 0)->addr, "recipient1@example.com");
	assert_string_equal(addr(&e->to, 1)->addr, "recipient2@example.com");
	assert_int_equal(e->cc.n, 1);
	assert_string_equal(addr(&e->cc, 0)->addr, "cc1@example.com");
	assert_int_equal(e->date_ts, 1446830085);
	assert_string_equal(e->date, "Fri, 06 Nov 2015 17:14:45 +0000");
	assert_string_equal(e->text, "This is some bold html!");
	assert_true(g_str_has_prefix(e->html, "<HTML><HEAD>"));
	assert_int_equal(r.m->parts.n, 1);
	assert_string_equal(part(r.m, 0)->file_name, "TestAttachment1.xlsx");
	assert_string_equal(part(r.m, 0)->content_type,
	    "application/octet-stream");
	assert_int_equal(part(r.m, 0)->len, 10934);
	assert_sha256(part(r.m, 0)->data, part(r.m, 0)->len,
	    "c83ad0fea4b393f7fc49f56eaf000cb72ae70400581aa5c39868e4a339b5c232");
	run_free(&r);
}

/* mail_5.msg: headers win; the plain body is long (11527 bytes of UTF-8
 * by `gsf cat | iconv | wc -c`). */
static void
test_mail5(void **state)
{
	struct run	r;

	(void)state;
	run_file(&r, PM_DIR "/mail_5.msg");
	assert_string_equal(r.m->email.subject, "Ab auf die Piste!");
	assert_string_equal(r.m->email.from->addr, "mailings@gmxnet.de");
	assert_string_equal(r.m->email.message_id,
	    "E5-bad037e6-elaine5029/3/2852-f493@mailings.gmx.net");
	assert_int_equal(r.m->email.text_len, 11527);
	assert_int_equal(r.m->parts.n, 0);
	run_free(&r);
}

/* ---- compound files built with libgsf's writer ---- */

static void
put_stream(GsfOutfile *dir, const char *name, const void *p, size_t n)
{
	GsfOutput	*o = gsf_outfile_new_child(dir, name, FALSE);

	assert_non_null(o);
	if (n > 0)
		assert_true(gsf_output_write(o, n, p));
	assert_true(gsf_output_close(o));
	g_object_unref(o);
}

/* A property stream: 'hdr' zero bytes, then at most one PT_LONG. */
static void
put_props(GsfOutfile *dir, size_t hdr, uint16_t id, uint32_t val)
{
	guint8	buf[48] = { 0 };
	size_t	n = hdr;

	if (id != 0) {
		buf[n] = 0x03;		/* PT_LONG */
		buf[n + 2] = id & 0xff;
		buf[n + 3] = id >> 8;
		memcpy(buf + n + 8, &val, 4);	/* little-endian host */
		n += 16;
	}
	put_stream(dir, "__properties_version1.0", buf, n);
}

static GsfOutfile *
new_dir(GsfOutfile *parent, const char *name)
{
	GsfOutfile	*d;

	d = GSF_OUTFILE(gsf_outfile_new_child(parent, name, TRUE));
	assert_non_null(d);
	return d;
}

static void
close_dir(GsfOutfile *d)
{
	assert_true(gsf_output_close(GSF_OUTPUT(d)));
	g_object_unref(d);
}

/* The string "s" (UTF-16LE) in each stream named in 'ids'. */
static void
put_strings(GsfOutfile *dir, const char *const *ids, size_t n)
{
	char	name[64];
	size_t	i;

	for (i = 0; i < n; i++) {
		g_snprintf(name, sizeof(name), "__substg1.0_%s", ids[i]);
		put_stream(dir, name, "s\0", 2);
	}
}

/* Subject, body, HTML, Message-ID, sender names and address: 7. */
static const char *const msg_ids[] = {
	"0037001F", "1000001F", "10130102", "1035001F", "0C1A001F",
	"0042001F", "0C1F001F",
};

/* Long and short name, display name, MIME tag, content id, bytes: 6. */
static const char *const att_ids[] = {
	"3707001F", "3704001F", "3001001F", "370E001F", "3712001F",
	"37010102",
};

/* PR_ATTACH_METHOD of attached messages (0: absent). */
static uint32_t	nest_method = 5;	/* ATTACH_EMBEDDED_MSG */

/*
 * Fill message storage 'dir': properties and 7 strings, 'natt'
 * attachments with properties and 6 strings each,
 * 'nrecip' recipient storages without properties, and 'nest' levels of
 * attached messages below.
 */
static void
fill_msg(GsfOutfile *dir, size_t hdr, int natt, int nrecip, int nest)
{
	GsfOutfile	*a, *e;
	char		 name[64];
	int		 i;

	put_props(dir, hdr, 0, 0);
	put_strings(dir, msg_ids, MS_ARRAY_LEN(msg_ids));
	for (i = 0; i < natt; i++) {
		g_snprintf(name, sizeof(name), "__attach_version1.0_#%08X", i);
		a = new_dir(dir, name);
		put_props(a, 8, 0, 0);
		put_strings(a, att_ids, MS_ARRAY_LEN(att_ids));
		close_dir(a);
	}
	for (i = 0; i < nrecip; i++) {
		g_snprintf(name, sizeof(name), "__recip_version1.0_#%08X", i);
		close_dir(new_dir(dir, name));
	}
	if (nest == 0)
		return;
	a = new_dir(dir, "__attach_version1.0_#7FFFFFFF");
	put_props(a, 8, nest_method ? 0x3705 : 0, nest_method);
	e = new_dir(a, "__substg1.0_3701000D");
	fill_msg(e, 24, 0, 0, nest - 1);
	close_dir(e);
	close_dir(a);
}

/* Build a .msg into a GBytes. */
static GBytes *
build_msg(int natt, int nrecip, int nest)
{
	GsfOutput	*mem = gsf_output_memory_new();
	GsfOutfile	*ole = gsf_outfile_msole_new(mem);
	GBytes		*b;

	fill_msg(ole, 32, natt, nrecip, nest);
	close_dir(ole);		/* closes 'mem' too */
	b = g_bytes_new(gsf_output_memory_get_bytes(GSF_OUTPUT_MEMORY(mem)),
	    (gsize)gsf_output_size(mem));
	g_object_unref(mem);
	return b;
}

static void
run_bytes(struct run *r, GBytes *b)
{
	const void	*p;
	gsize		 n;

	memset(r, 0, sizeof(*r));
	p = g_bytes_get_data(b, &n);
	r->raw = g_memdup2(p, n);
	r->len = n;
	run_buf(r, r->raw, r->len);
}

/*
 * Streams read: the root's properties and 7 strings (8), then per
 * attachment its storage, properties and 6 streams (8 each), per bare
 * recipient storage 1.  (Few wide storages: libgsf's writer is
 * quadratic in the children of one storage.)
 */
static void
test_limit_streams(void **state)
{
	const int	 natt = (LIMIT_MSG_STREAMS - 8) / 8;
	GBytes		*b;
	struct run	 r;

	(void)state;
	assert_int_equal(8 + 8 * natt, LIMIT_MSG_STREAMS);
	b = build_msg(natt, 0, 0);
	run_bytes(&r, b);
	assert_int_equal(r.rc, MS_OK);
	assert_int_equal(r.m->parts.n, natt);
	assert_false(has_finding(&r, "limit_msg_streams"));
	run_free(&r);
	g_bytes_unref(b);
	b = build_msg(natt, 1, 0);
	run_bytes(&r, b);
	assert_int_equal(r.rc, MS_ELIMIT);
	assert_true(has_finding(&r, "limit_msg_streams"));
	assert_non_null(r.m);			/* what was read stays */
	run_free(&r);
	g_bytes_unref(b);
}

/* Attached messages nest to LIMIT_MIME_DEPTH, not one level more. */
static void
test_limit_depth(void **state)
{
	struct mail_msg	*m;
	GBytes		*b;
	struct run	 r;
	int		 depth;

	(void)state;
	b = build_msg(0, 0, LIMIT_MIME_DEPTH);
	run_bytes(&r, b);
	assert_int_equal(r.rc, MS_OK);
	assert_false(has_finding(&r, "limit_mime_depth"));
	for (m = r.m, depth = 0; m->parts.n > 0; depth++)
		m = part(m, 0)->embedded;
	assert_int_equal(depth, LIMIT_MIME_DEPTH);
	assert_string_equal(m->email.subject, "s");
	run_free(&r);
	g_bytes_unref(b);
	b = build_msg(0, 0, LIMIT_MIME_DEPTH + 1);
	run_bytes(&r, b);
	assert_int_equal(r.rc, MS_OK);
	assert_true(has_finding(&r, "limit_mime_depth"));
	run_free(&r);
	g_bytes_unref(b);
}

/* Without PR_ATTACH_METHOD the storage is still read as a message; with
 * method 6 (an OLE object) it is not, and that is no finding. */
static void
test_attach_methods(void **state)
{
	GBytes		*b;
	struct run	 r;

	(void)state;
	nest_method = 0;
	b = build_msg(0, 0, 1);
	run_bytes(&r, b);
	assert_int_equal(r.rc, MS_OK);
	assert_non_null(part(r.m, 0)->embedded);
	assert_string_equal(part(r.m, 0)->embedded->email.subject, "s");
	run_free(&r);
	g_bytes_unref(b);
	nest_method = 6;
	b = build_msg(0, 0, 1);
	run_bytes(&r, b);
	assert_int_equal(r.rc, MS_OK);
	assert_null(part(r.m, 0)->embedded);
	assert_string_equal(part(r.m, 0)->content_type,
	    "application/octet-stream");
	assert_int_equal(r.findings.n, 0);
	run_free(&r);
	g_bytes_unref(b);
	nest_method = 5;
}

/* Not a compound file, a broken one, and a compound file that is not a
 * message (a Word-like stream only). */
static void
test_not_msg(void **state)
{
	GsfOutput	*mem = gsf_output_memory_new();
	GsfOutfile	*ole = gsf_outfile_msole_new(mem);
	guint8		 junk[4096];
	struct run	 r;

	(void)state;
	memset(&r, 0, sizeof(r));
	run_buf(&r, "From: x\r\n\r\n", 11);
	assert_int_equal(r.rc, MS_EPARSE);
	assert_null(r.m);
	run_free(&r);
	memset(junk, 0, sizeof(junk));
	memcpy(junk, "\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1", 8);
	assert_true(msg_sniff((const char *)junk, sizeof(junk)));
	run_buf(&r, junk, sizeof(junk));
	assert_int_equal(r.rc, MS_EPARSE);
	assert_true(has_finding(&r, "msg_bad_ole"));
	run_free(&r);
	put_stream(ole, "WordDocument", "x", 1);
	close_dir(ole);
	run_buf(&r, gsf_output_memory_get_bytes(GSF_OUTPUT_MEMORY(mem)),
	    (size_t)gsf_output_size(mem));
	assert_int_equal(r.rc, MS_EPARSE);
	run_free(&r);
	g_object_unref(mem);
}

/* Every prefix at a stride, and the first 1024 prefixes byte by byte,
 * each in an exact-size heap block: no crash, no over-read. */
static void
test_truncated(void **state)
{
	struct run	 r, t;
	gsize		 k;

	(void)state;
	run_file(&r, PM_DIR "/mail_4.msg");
	for (k = 0; k < r.len; k += k < 1024 ? 1 : 97) {
		memset(&t, 0, sizeof(t));
		t.raw = g_memdup2(r.raw, k ? k : 1);
		run_buf(&t, t.raw, k);
		assert_true(t.rc == MS_OK || t.rc == MS_EPARSE);
		run_free(&t);
	}
	run_free(&r);
	print_message("msg: %u libgsf warnings on truncated files\n",
	    gsf_criticals);
}

/* Deterministic byte corruption of a real file (xorshift32). */
static void
test_corrupted(void **state)
{
	struct run	 r, t;
	uint32_t	 x = 2463534242u;
	int		 i, j;

	(void)state;
	run_file(&r, EA_DIR "/outer.msg");
	for (i = 0; i < 300; i++) {
		memset(&t, 0, sizeof(t));
		t.raw = g_memdup2(r.raw, r.len);
		for (j = 0; j < 1 + i % 8; j++) {
			x ^= x << 13;
			x ^= x >> 17;
			x ^= x << 5;
			t.raw[x % r.len] ^= (char)(x >> 24 | 1);
		}
		run_buf(&t, t.raw, r.len);
		assert_true(t.rc == MS_OK || t.rc == MS_EPARSE ||
		    t.rc == MS_ELIMIT);
		run_free(&t);
	}
	run_free(&r);
}

/* Past the depth limit at entry, and an arena too small. */
static void
test_depth_arg_and_arena(void **state)
{
	struct arena_vec	 fi = { 0 };
	struct mail_msg		*m;
	struct arena		*a;
	struct run		 r;

	(void)state;
	run_file(&r, PM_DIR "/mail_4.msg");
	a = arena_new(LIMIT_MSG_ARENA);
	assert_int_equal(msg_parse(a, (unsigned char *)r.raw, r.len, "1",
	    LIMIT_MIME_DEPTH + 1, &fi, &m), MS_ELIMIT);
	assert_null(m);
	arena_free(a);
	a = arena_new(2048);
	memset(&fi, 0, sizeof(fi));
	assert_int_equal(msg_parse(a, (unsigned char *)r.raw, r.len, "",
	    0, &fi, &m), MS_ELIMIT);
	arena_free(a);
	run_free(&r);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_outer),
		cmocka_unit_test(test_other),
		cmocka_unit_test(test_mail3),
		cmocka_unit_test(test_mail4),
		cmocka_unit_test(test_mail5),
		cmocka_unit_test(test_limit_streams),
		cmocka_unit_test(test_limit_depth),
		cmocka_unit_test(test_attach_methods),
		cmocka_unit_test(test_not_msg),
		cmocka_unit_test(test_truncated),
		cmocka_unit_test(test_corrupted),
		cmocka_unit_test(test_depth_arg_and_arena),
	};

	return cmocka_run_group_tests(tests, setup, teardown);
}
