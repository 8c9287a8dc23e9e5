/* SPDX-License-Identifier: Apache-2.0 */
/*
 * test_mail.c -- the GMime reader and header parsing: addresses, RFC 2047
 * and RFC 2231 decoding, charsets, MIME paths, Received hops and the
 * originating IP, Authentication-Results, mbox splitting.  Expected values
 * are worked out by hand from the inputs (timestamps with Python's
 * calendar.timegm).
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include <cmocka.h>
#include <glib.h>

#include "common/limits.h"
#include "mail/mail_int.h"

struct parsed {
	struct arena		*a;
	struct arena_vec	 findings;
	struct mail_msg		*m;
};

static enum ms_err
parse(struct parsed *p, const char *s)
{
	memset(p, 0, sizeof(*p));
	p->a = arena_new(LIMIT_MSG_ARENA);
	return mail_parse(p->a, s, strlen(s), &p->findings, &p->m);
}

static struct mail_part *
part(struct parsed *p, size_t i)
{
	assert_true(i < p->m->parts.n);
	return p->m->parts.v[i];
}

static void
received_ipv4(void **state)
{
	struct arena	*a = arena_new(1 << 20);
	struct mail_hop	*h;

	(void)state;
	h = mail__received_parse(a, "from mail.example.com (mail.example.com "
	    "[203.0.113.5]) by mx.example.org (Postfix) with ESMTPS id 4Xy "
	    "for <bob@example.org>; Mon, 30 Nov 2026 10:00:00 +0000");
	assert_non_null(h);
	assert_string_equal(h->from, "mail.example.com");
	assert_string_equal(h->by, "mx.example.org");
	assert_string_equal(h->with, "ESMTPS");
	assert_string_equal(h->ip, "203.0.113.5");
	assert_false(h->ip_private);
	assert_int_equal(h->ts, 1796032800);
	arena_free(a);
}

static void
received_ipv6_and_private(void **state)
{
	struct arena	*a = arena_new(1 << 20);
	struct mail_hop	*h;

	(void)state;
	h = mail__received_parse(a, "from relay (relay.example.net "
	    "[IPv6:2001:db8::25]) by mx.example.org with ESMTP; "
	    "Mon, 30 Nov 2026 11:58:12 +0200");
	assert_string_equal(h->ip, "2001:db8::25");
	assert_int_equal(h->ts, 1796032692);
	h = mail__received_parse(a, "from [10.1.2.3] by smtp.example.org "
	    "with SMTP; Mon, 30 Nov 2026 10:00:00 +0000");
	assert_string_equal(h->ip, "10.1.2.3");
	assert_true(h->ip_private);
	/* No date, no from clause: nothing invented. */
	h = mail__received_parse(a, "by localhost with LMTP");
	assert_null(h->ip);
	assert_null(h->from);
	assert_string_equal(h->by, "localhost");
	assert_int_equal(h->ts, -1);
	arena_free(a);
}

static void
authres(void **state)
{
	struct arena		*a = arena_new(1 << 20);
	struct arena_vec	 v = { 0 };
	struct mail_auth	*au;

	(void)state;
	assert_int_equal(mail__authres_parse(a, "mx.example.org; "
	    "spf=fail (sender IP is 203.0.113.5) smtp.mailfrom=bounce@evil."
	    "example; dkim=pass (2048-bit key) header.d=evil.example "
	    "header.s=s1; dmarc=fail (p=REJECT) header.from=paypa1.example; "
	    "arc=none", &v), MS_OK);
	assert_int_equal(v.n, 4);
	au = v.v[0];
	assert_string_equal(au->authserv, "mx.example.org");
	assert_string_equal(au->method, "spf");
	assert_string_equal(au->result, "fail");
	assert_string_equal(au->domain, "evil.example");
	au = v.v[1];
	assert_string_equal(au->method, "dkim");
	assert_string_equal(au->result, "pass");
	assert_string_equal(au->domain, "evil.example");
	au = v.v[2];
	assert_string_equal(au->method, "dmarc");
	assert_string_equal(au->domain, "paypa1.example");
	au = v.v[3];
	assert_string_equal(au->method, "arc");
	assert_string_equal(au->result, "none");
	/* "none" as the whole result set: no methods. */
	v.n = 0;
	assert_int_equal(mail__authres_parse(a, "mx.example.org 1; none",
	    &v), MS_OK);
	assert_int_equal(v.n, 0);
	arena_free(a);
}

static void
headers_and_origin(void **state)
{
	struct parsed		 p;
	struct mail_email	*e;

	(void)state;
	assert_int_equal(parse(&p,
	    "Return-Path: <bounce@evil.example>\r\n"
	    "Received: from mx.example.org by imap.example.org with LMTP; "
	    "Mon, 30 Nov 2026 10:00:05 +0000\r\n"
	    "Received: from mail.evil.example ([198.51.100.7]) by "
	    "mx.example.org with ESMTP; Mon, 30 Nov 2026 10:00:02 +0000\r\n"
	    "Received: from pc ([192.168.1.20]) by mail.evil.example; "
	    "Mon, 30 Nov 2026 10:00:00 +0000\r\n"
	    "Authentication-Results: mx.example.org; spf=softfail "
	    "smtp.mailfrom=evil.example\r\n"
	    "From: =?UTF-8?B?U8OpY3VyaXTDqQ==?= <alert@evil.example>\r\n"
	    "Reply-To: Help Desk <help@other.example>\r\n"
	    "To: Bob <bob@example.org>, undisclosed-recipients:;\r\n"
	    "Cc: carol@example.org\r\n"
	    "Subject: =?ISO-8859-1?Q?Facture_impay=E9e?=\r\n"
	    "Date: Mon, 30 Nov 2026 10:00:00 +0000\r\n"
	    "Message-ID: <abc.123@evil.example>\r\n"
	    "In-Reply-To: <prev@example.org>\r\n"
	    "References: <first@example.org> <prev@example.org>\r\n"
	    "X-Mailer: PHPMailer 6.1\r\n"
	    "\r\nbody\r\n"), MS_OK);
	e = &p.m->email;
	assert_string_equal(e->from->addr, "alert@evil.example");
	assert_string_equal(e->from->name, "S\xc3\xa9" "curit\xc3\xa9");
	assert_string_equal(e->reply_to->addr, "help@other.example");
	assert_string_equal(e->return_path->addr, "bounce@evil.example");
	assert_int_equal(e->to.n, 1);
	assert_int_equal(e->cc.n, 1);
	assert_string_equal(e->subject, "Facture impay\xc3\xa9" "e");
	assert_string_equal(e->message_id, "abc.123@evil.example");
	assert_string_equal(e->in_reply_to, "prev@example.org");
	assert_int_equal(e->references.n, 2);
	assert_string_equal(e->references.v[0], "first@example.org");
	assert_string_equal(e->x_mailer, "PHPMailer 6.1");
	assert_int_equal(e->date_ts, 1796032800);
	assert_int_equal(e->received.n, 3);
	/* The oldest public hop, not the private one below it. */
	assert_string_equal(e->originating_ip, "198.51.100.7");
	assert_int_equal(e->auth.n, 1);
	assert_string_equal(((struct mail_auth *)e->auth.v[0])->result,
	    "softfail");
	arena_free(p.a);
}

static void
parts_paths_charsets(void **state)
{
	struct parsed		 p;
	struct mail_part	*q;

	(void)state;
	assert_int_equal(parse(&p,
	    "From: a@example.com\nMIME-Version: 1.0\n"
	    "Content-Type: multipart/mixed; boundary=\"o\"\n\n"
	    "--o\nContent-Type: multipart/alternative; boundary=\"i\"\n\n"
	    "--i\nContent-Type: text/plain; charset=iso-8859-1\n"
	    "Content-Transfer-Encoding: quoted-printable\n\ncaf=E9\n"
	    "--i\nContent-Type: text/html; charset=utf-8\n\n<p>hi</p>\n"
	    "--i--\n"
	    "--o\nContent-Type: application/pdf\n"
	    "Content-Disposition: attachment;\n"
	    " filename*=UTF-8''%E2%82%AC%20rates.pdf\n"
	    "Content-Transfer-Encoding: base64\n\nJVBERi0xLjQK\n"
	    "--o\nContent-Type: message/rfc822\n\n"
	    "From: inner@example.net\nSubject: inner\n\ninner body\n"
	    "--o--\n"), MS_OK);
	assert_int_equal(p.m->parts.n, 4);
	q = part(&p, 0);
	assert_string_equal(q->path, "1.1");
	/* The newline before a boundary belongs to the boundary. */
	assert_string_equal((const char *)q->data, "caf\xc3\xa9");
	assert_true(q->flags & MAIL_PART_BODY);
	q = part(&p, 1);
	assert_string_equal(q->path, "1.2");
	assert_string_equal(q->content_type, "text/html");
	q = part(&p, 2);
	assert_string_equal(q->path, "2");
	assert_string_equal(q->file_name, "\xe2\x82\xac rates.pdf");
	assert_int_equal(q->len, 9);
	assert_memory_equal(q->data, "%PDF-1.4\n", 9);
	q = part(&p, 3);
	assert_string_equal(q->path, "3");
	assert_non_null(q->embedded);
	assert_string_equal(q->embedded->email.subject, "inner");
	assert_string_equal(q->embedded->email.from->addr,
	    "inner@example.net");
	assert_int_equal(q->embedded->parts.n, 1);
	assert_string_equal(((struct mail_part *)
	    q->embedded->parts.v[0])->path, "3.1");
	assert_string_equal(p.m->email.text, "caf\xc3\xa9");
	assert_string_equal(p.m->email.html, "<p>hi</p>");
	arena_free(p.a);
}

static void
attached_eml_file(void **state)
{
	struct parsed		 p;
	struct mail_part	*q;

	(void)state;
	/* "From: x@y\nSubject: s\n\nhello\n" in base64, named .eml */
	assert_int_equal(parse(&p,
	    "From: a@example.com\nMIME-Version: 1.0\n"
	    "Content-Type: multipart/mixed; boundary=\"o\"\n\n"
	    "--o\nContent-Type: text/plain\n\nsee attached\n"
	    "--o\nContent-Type: application/octet-stream; name=\"x.eml\"\n"
	    "Content-Transfer-Encoding: base64\n\n"
	    "RnJvbTogeEB5LmV4YW1wbGUKU3ViamVjdDogcwoKaGVsbG8K\n"
	    "--o--\n"), MS_OK);
	q = part(&p, 1);
	assert_non_null(q->embedded);
	assert_string_equal(q->embedded->email.subject, "s");
	assert_string_equal(q->embedded->email.text, "hello\n");
	arena_free(p.a);
}

static void
malformed_is_findings(void **state)
{
	struct parsed	p;

	(void)state;
	/* A multipart without a boundary still parses, with a finding. */
	assert_int_equal(parse(&p, "From: a@example.com\nMIME-Version: 1.0\n"
	    "Content-Type: multipart/mixed\n\nno boundary here\n"), MS_OK);
	assert_true(p.findings.n > 0);
	arena_free(p.a);
	/* Binary garbage: still a message (GMime is lenient), no crash. */
	assert_int_not_equal(parse(&p, "\x01\x02\xff\xfe:::\n\n\x80"), -1);
	arena_free(p.a);
}

static int
has(const struct parsed *p, const char *id)
{
	size_t	i;

	for (i = 0; i < p->findings.n; i++)
		if (strcmp(((struct finding *)p->findings.v[i])->id, id) == 0)
			return 1;
	return 0;
}

/* Evasions: content a client shows must not vanish from the analysis. */
static void
boundary_fixups(void **state)
{
	struct parsed	p;
	GString		*s, *b;
	int		 i;

	(void)state;
	/* Junk after the delimiter (RFC 2046: the boundary at the start of
	 * the line is enough). */
	assert_int_equal(parse(&p, "From: a@example.com\nMIME-Version: 1.0\n"
	    "Content-Type: multipart/mixed; boundary=\"b\"\n\n"
	    "--b junk after the boundary\nContent-Type: text/plain\n\n"
	    "visit https://hidden.example.top/x\n--b-- more junk\n"), MS_OK);
	assert_int_equal(p.m->parts.n, 1);
	assert_string_equal((const char *)part(&p, 0)->data,
	    "visit https://hidden.example.top/x");
	assert_true(has(&p, "boundary_junk"));
	arena_free(p.a);
	/* A boundary of 400 characters. */
	b = g_string_new("");
	for (i = 0; i < 400; i++)
		g_string_append_c(b, 'a' + i % 26);
	s = g_string_new("");
	g_string_printf(s, "From: a@example.com\nMIME-Version: 1.0\n"
	    "Content-Type: multipart/mixed; boundary=\"%s\"\n\n--%s\n"
	    "Content-Type: text/plain\n\nlong one\n--%s--\n", b->str, b->str,
	    b->str);
	g_string_free(b, TRUE);
	assert_int_equal(parse(&p, s->str), MS_OK);
	assert_int_equal(p.m->parts.n, 1);
	assert_string_equal((const char *)part(&p, 0)->data, "long one");
	assert_true(has(&p, "boundary_too_long"));
	arena_free(p.a);
	g_string_free(s, TRUE);
	/* No delimiter at all: the text is kept as a leftover part. */
	assert_int_equal(parse(&p, "From: a@example.com\nMIME-Version: 1.0\n"
	    "Content-Type: multipart/mixed; boundary=\"zz\"\n\n"
	    "only a preamble https://pre.example.top/\n"), MS_OK);
	assert_int_equal(p.m->parts.n, 1);
	assert_true(part(&p, 0)->flags & MAIL_PART_LEFTOVER);
	assert_true(has(&p, "multipart_without_parts"));
	arena_free(p.a);
}

static void
no_header_block(void **state)
{
	struct parsed	p;

	(void)state;
	assert_int_equal(parse(&p, "just some pasted text\nwith a link "
	    "http://x.example.top/\n"), MS_OK);
	assert_non_null(p.m->email.text);
	assert_non_null(strstr(p.m->email.text, "pasted text"));
	assert_true(has(&p, "no_headers"));
	arena_free(p.a);
}

static void
mbox_split(void **state)
{
	const char	*mb = "From a@b Mon Nov 30 10:00:00 2026\n"
	    "Subject: one\n\nbody text\n>From here on, quoted.\n\n"
	    "From c@d Mon Nov 30 10:00:01 2026\nSubject: two\n\nx\n";
	const char	*msg;
	size_t		 off = 0, len, n = 0;

	(void)state;
	assert_int_equal(mail_sniff(mb, strlen(mb)), MAIL_FMT_MBOX);
	while (mail_mbox_next(mb, strlen(mb), &off, &msg, &len)) {
		n++;
		assert_true(strncmp(msg, "Subject: ", 9) == 0);
		if (n == 1)
			/* A quoted ">From " line is body text. */
			assert_non_null(memmem(msg, len, ">From here on", 13));
	}
	assert_int_equal(n, 2);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(received_ipv4),
		cmocka_unit_test(received_ipv6_and_private),
		cmocka_unit_test(authres),
		cmocka_unit_test(headers_and_origin),
		cmocka_unit_test(parts_paths_charsets),
		cmocka_unit_test(attached_eml_file),
		cmocka_unit_test(malformed_is_findings),
		cmocka_unit_test(boundary_fixups),
		cmocka_unit_test(no_header_block),
		cmocka_unit_test(mbox_split),
	};

	mail_init();
	return cmocka_run_group_tests(tests, NULL, NULL);
}
