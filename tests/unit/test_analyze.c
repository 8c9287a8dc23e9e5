/* SPDX-License-Identifier: Apache-2.0 */
/*
 * test_analyze.c -- the analysis as a whole: reports forwarded as an
 * attachment and inline (Gmail, Outlook, Apple) become the forwarded email
 * with the reporter recorded; attachments get digests and real types;
 * artifacts carry CEF keys and contains types and are deduplicated.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include <cmocka.h>
#include <glib.h>

#include "analyze/analyze.h"
#include "common/limits.h"

static struct arena	*a;

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

static struct analysis *
run(const char *s)
{
	struct analysis	*an;

	arena_free(a);
	a = arena_new(LIMIT_MSG_ARENA);
	assert_int_equal(analyze_bytes(a, s, strlen(s), "t.eml", &an), MS_OK);
	return an;
}

/* How many artifacts have CEF 'key' = 'value'. */
static int
count_cef(const struct analysis *an, const char *key, const char *value)
{
	const char	*v;
	size_t		 i;
	int		 n = 0;

	for (i = 0; i < an->artifacts.n; i++) {
		v = analyze_cef(an->artifacts.v[i], key);
		if (v != NULL && strcmp(v, value) == 0)
			n++;
	}
	return n;
}

#define PHISH \
	"From: DHL Express <noreply@dhl-parcel.example.top>\n" \
	"To: alice@example.org\n" \
	"Subject: Your parcel is on hold\n" \
	"Message-ID: <p1@dhl-parcel.example.top>\n" \
	"Received: from smtp.evil.example ([198.51.100.9]) by mx.example.org;" \
	" Mon, 30 Nov 2026 09:00:00 +0000\n" \
	"\n" \
	"Pay the fee at https://dhl-parcel.example.top/pay?id=1 or " \
	"http://203.0.113.50/x now.\n"

static void
report_as_attachment(void **state)
{
	struct analysis	*an;

	(void)state;
	an = run("From: Alice <alice@example.org>\nTo: soc@example.org\n"
	    "Subject: Fwd: Your parcel is on hold\nMIME-Version: 1.0\n"
	    "Content-Type: multipart/mixed; boundary=\"r\"\n\n"
	    "--r\nContent-Type: text/plain\n\nIs this legit? "
	    "https://intranet.example.org/help\n"
	    "--r\nContent-Type: message/rfc822\n\n" PHISH "--r--\n");
	assert_non_null(an->reporter);
	assert_string_equal(an->reporter->from->addr, "alice@example.org");
	assert_string_equal(an->report_method, "attachment");
	assert_string_equal(an->email->subject, "Your parcel is on hold");
	assert_string_equal(an->email->from->addr,
	    "noreply@dhl-parcel.example.top");
	assert_string_equal(an->email_path, "2");
	assert_int_equal(count_cef(an, "requestURL",
	    "https://dhl-parcel.example.top/pay?id=1"), 1);
	assert_int_equal(count_cef(an, "destinationAddress", "203.0.113.50"),
	    1);
	/* The originating IP: in the Email Artifact and an IP Artifact. */
	assert_int_equal(count_cef(an, "sourceAddress", "198.51.100.9"), 2);
	/* The reporter's note is not the suspicious email's content. */
	assert_int_equal(count_cef(an, "requestURL",
	    "https://intranet.example.org/help"), 0);
	assert_int_equal(count_cef(an, "fromEmail", "alice@example.org"), 0);
	/* The attached email is a file too. */
	assert_int_equal(an->attachments.n, 1);
	assert_true(((struct attachment *)an->attachments.v[0])->is_email);
}

static void
report_inline_gmail(void **state)
{
	struct analysis	*an;

	(void)state;
	an = run("From: Bob <bob@example.org>\nTo: soc@example.org\n"
	    "Subject: Fwd: Invoice\n\nLooks odd.\n\n"
	    "---------- Forwarded message ---------\n"
	    "From: Accounts <billing@invoices.example.top>\n"
	    "Date: Mon, 30 Nov 2026 at 09:12\n"
	    "Subject: Invoice 4471 overdue\n"
	    "To: <bob@example.org>\n\n"
	    "Download: hxxps://invoices[.]example[.]top/i/4471\n");
	assert_non_null(an->reporter);
	assert_string_equal(an->report_method, "inline");
	assert_string_equal(an->forward_style, "gmail");
	assert_string_equal(an->reporter->from->addr, "bob@example.org");
	assert_string_equal(an->email->from->addr,
	    "billing@invoices.example.top");
	assert_string_equal(an->email->subject, "Invoice 4471 overdue");
	assert_non_null(strstr(an->email->text, "Download:"));
	assert_null(strstr(an->email->text, "Looks odd"));
	assert_int_equal(count_cef(an, "fromEmail",
	    "billing@invoices.example.top"), 2);	/* email + address */
}

static void
report_inline_outlook(void **state)
{
	struct analysis	*an;

	(void)state;
	an = run("From: Carol <carol@example.org>\nTo: soc@example.org\n"
	    "Subject: FW: Password expiry\n\nPlease check.\n\n"
	    "________________________________\n"
	    "From: IT Service Desk [mailto:it-desk@helpdesk.example.top]\n"
	    "Sent: Monday, November 30, 2026 9:15 AM\n"
	    "To: Carol <carol@example.org>\n"
	    "Subject: Password expiry\n\n"
	    "Your password expires today.\n");
	assert_string_equal(an->forward_style, "outlook");
	assert_string_equal(an->email->from->addr,
	    "it-desk@helpdesk.example.top");
	assert_string_equal(an->email->from->name, "IT Service Desk");
	assert_string_equal(an->email->subject, "Password expiry");
	assert_string_equal(an->email->date,
	    "Monday, November 30, 2026 9:15 AM");
}

static void
report_inline_apple(void **state)
{
	struct analysis	*an;

	(void)state;
	an = run("From: dan@example.org\nSubject: Fwd: prize\n\n"
	    "Begin forwarded message:\n\n"
	    "> From: Lottery <win@lotto.example.top>\n"
	    "> Subject: You won\n"
	    "> Date: 30 November 2026 at 08:00:00 GMT\n"
	    "> To: dan@example.org\n>\n> Claim at www.lotto.example.top\n");
	assert_string_equal(an->forward_style, "apple");
	assert_string_equal(an->email->from->addr, "win@lotto.example.top");
	assert_string_equal(an->email->subject, "You won");
}

/* A reply quotes its thread like an Outlook forward: only a forward's
 * subject makes such a block a report; a fake thread appended to a phish
 * must not hand the verdict to the quoted part. */
static void
reply_is_not_a_report(void **state)
{
	static const char *const block =
	    "\n\nPlease pay today.\n\n"
	    "________________________________\n"
	    "From: Anna CFO [mailto:anna@example.org]\n"
	    "Sent: Monday, November 30, 2026 9:15 AM\n"
	    "To: Carol <carol@example.org>\n"
	    "Subject: Wire\n\nApproved.\n";
	static const struct { const char *subject; int report; } cases[] = {
		{ "RE: Wire", 0 },
		{ "Wire", 0 },
		{ "FW: Wire", 1 },
		{ "Fwd: Wire", 1 },
		{ "[EXT] RE: TR: Wire", 1 },
		{ "WG: Wire", 1 },
		{ "Fwd Wire", 0 },
	};
	struct analysis	*an;
	char		*eml;
	size_t		 i;

	(void)state;
	for (i = 0; i < G_N_ELEMENTS(cases); i++) {
		eml = g_strdup_printf("From: Boss <ceo.office@evil.example>\n"
		    "To: carol@example.org\nSubject: %s%s", cases[i].subject,
		    block);
		an = run(eml);
		if (cases[i].report != (an->reporter != NULL))
			fail_msg("subject \"%s\": reporter %s",
			    cases[i].subject, an->reporter ? "set" : "unset");
		if (!cases[i].report)
			assert_string_equal(an->email->from->addr,
			    "ceo.office@evil.example");
		g_free(eml);
	}
	/* "-----Original Message-----" is a reply's marker too. */
	an = run("From: x@evil.example\nSubject: RE: invoice\n\nPay.\n\n"
	    "-----Original Message-----\nFrom: a@example.org\n"
	    "Sent: Monday\nSubject: invoice\n\nok\n");
	assert_null(an->reporter);
	/* A "Forwarded message" marker says forward whatever the subject. */
	an = run("From: bob@example.org\nSubject: look\n\n"
	    "---------- Forwarded message ---------\n"
	    "From: x@evil.example\nSubject: s\n\nhi\n");
	assert_non_null(an->reporter);
}

static void
not_a_report(void **state)
{
	struct analysis	*an;

	(void)state;
	an = run(PHISH);
	assert_null(an->reporter);
	assert_string_equal(an->email_path, "");
	assert_int_equal(count_cef(an, "fromEmail",
	    "noreply@dhl-parcel.example.top"), 2);	/* email + address */
}

static void
attachment_digests_and_dedup(void **state)
{
	struct analysis		*an;
	struct attachment	*at;
	size_t			 i, vault = 0;

	(void)state;
	/* Two copies of "MZ\x90\x00" ("TVqQAA==") under different names. */
	an = run("From: a@example.com\nMIME-Version: 1.0\n"
	    "Content-Type: multipart/mixed; boundary=\"p\"\n\n"
	    "--p\nContent-Type: text/plain\n\nsee attached\n"
	    "--p\nContent-Type: application/pdf; name=\"invoice.pdf\"\n"
	    "Content-Transfer-Encoding: base64\n\nTVqQAA==\n"
	    "--p\nContent-Type: application/octet-stream; name=\"copy.bin\"\n"
	    "Content-Transfer-Encoding: base64\n\nTVqQAA==\n--p--\n");
	assert_int_equal(an->attachments.n, 2);
	at = an->attachments.v[0];
	assert_string_equal(at->file_name, "invoice.pdf");
	assert_int_equal(at->size, 4);
	/* printf 'MZ\x90\x00' | md5sum / sha256sum */
	assert_string_equal(at->hash.md5, "20879c987e2f9a916e578386d499f629");
	assert_string_equal(at->vault_id, at->hash.sha256);
	assert_string_equal(at->content_type, "application/pdf");
	assert_string_not_equal(at->detected_type, "application/pdf");
	for (i = 0; i < an->artifacts.n; i++)
		if (strcmp(((struct artifact *)an->artifacts.v[i])->name,
		    "Vault Artifact") == 0)
			vault++;
	assert_int_equal(vault, 1);	/* same bytes: one artifact */
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(report_as_attachment),
		cmocka_unit_test(report_inline_gmail),
		cmocka_unit_test(report_inline_outlook),
		cmocka_unit_test(report_inline_apple),
		cmocka_unit_test(reply_is_not_a_report),
		cmocka_unit_test(not_a_report),
		cmocka_unit_test(attachment_digests_and_dedup),
	};
	int	rc;

	rc = cmocka_run_group_tests(tests, setup, teardown);
	arena_free(a);
	return rc;
}
