/* SPDX-License-Identifier: Apache-2.0 */
/*
 * test_detect.c -- the detection signals and the threat score: a small
 * crafted email per signal, with a case that must fire and one that must
 * not; the caps, the clamp and the verdicts; the data files load; and a
 * few real emails of the corpus land on the right side.
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

#include "analyze/analyze.h"
#include "analyze/detect.h"
#include "common/limits.h"

static struct arena	*a;

static int
setup(void **state)
{
	struct detect_config	cfg = {
		.data_dir = MS_SRCDIR "/data",
		.org_domains = "example.org",
		.vips = "Jane Boss <jane@example.org>",
		.authserv_id = NULL,
	};

	(void)state;
	analyze_init();
	assert_int_equal(detect_load(&cfg), MS_OK);
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
	enum ms_err	 rc;

	arena_free(a);
	a = arena_new(LIMIT_MSG_ARENA);
	rc = analyze_bytes(a, s, strlen(s), "t.eml", &an);
	assert_true(rc == MS_OK || rc == MS_ELIMIT);
	assert_non_null(an);
	return an;
}

static const struct finding *
sig(const struct analysis *an, const char *id)
{
	const struct finding	*f;
	size_t			 i;

	for (i = 0; i < an->findings.n; i++) {
		f = an->findings.v[i];
		if (f->kind == FINDING_SIGNAL && strcmp(f->id, id) == 0)
			return f;
	}
	return NULL;
}

static int
has(const char *eml, const char *id)
{
	return sig(run(eml), id) != NULL;
}

#define HDR(from, subject) \
	"From: " from "\n" \
	"To: alice@example.org\n" \
	"Subject: " subject "\n" \
	"Message-ID: <m1@sender.example>\n" \
	"Date: Mon, 30 Nov 2026 09:00:00 +0000\n"

#define PLAIN(from, subject, body) \
	HDR(from, subject) "\n" body "\n"

#define HTML(from, subject, body) \
	HDR(from, subject) "MIME-Version: 1.0\n" \
	"Content-Type: text/html; charset=utf-8\n\n" body "\n"

#define NEUTRAL PLAIN("Bob <bob@sender.example>", "Lunch", \
	"See you at noon at the usual place.")

static void
data_loads(void **state)
{
	(void)state;
	assert_non_null(detect_data_dir());
	assert_true(detect_points("auth_dmarc_fail") > 0);
	assert_true(detect_points("content_simulation") < 0);
	assert_int_equal(detect_points("no_such_signal"), 0);
	assert_string_equal(analyze_verdict(0), "benign");
	assert_string_equal(analyze_verdict(30), "suspicious");
	assert_string_equal(analyze_verdict(70), "malicious");
}

static void
neutral_is_benign(void **state)
{
	struct analysis	*an;
	size_t		 i;

	(void)state;
	an = run(NEUTRAL);
	for (i = 0; i < an->findings.n; i++)
		assert_int_not_equal(((struct finding *)an->findings.v[i])->kind,
		    FINDING_SIGNAL);
	assert_int_equal(an->score, 0);
	assert_string_equal(an->verdict, "benign");
	assert_int_equal(an->reasons.n, 0);
}

#define AUTH(res) \
	"Authentication-Results: mx.example.org; " res "\n"

static void
auth_results(void **state)
{
	const char	*fail = AUTH("spf=fail smtp.mailfrom=evil.example; "
	    "dkim=fail header.d=evil.example; dmarc=fail "
	    "header.from=bank.example; arc=fail")
	    PLAIN("Bank <x@bank.example>", "Hi", "Hello.");
	const char	*pass = AUTH("spf=pass smtp.mailfrom=bank.example; "
	    "dkim=pass header.d=bank.example; dmarc=pass "
	    "header.from=bank.example")
	    "Authentication-Results: relay.other.example; spf=fail; "
	    "dmarc=fail header.from=bank.example\n"
	    PLAIN("Bank <x@bank.example>", "Hi", "Hello.");
	struct analysis	*an;

	(void)state;
	an = run(fail);
	assert_non_null(sig(an, "auth_spf_fail"));
	assert_non_null(sig(an, "auth_dkim_fail"));
	assert_non_null(sig(an, "auth_dmarc_fail"));
	assert_non_null(sig(an, "auth_arc_fail"));
	assert_string_equal(sig(an, "auth_dmarc_fail")->evidence,
	    "dmarc=fail bank.example (by mx.example.org)");
	/* A statement further down (written by whoever sent it) is not
	 * the trusted hop's. */
	an = run(pass);
	assert_null(sig(an, "auth_spf_fail"));
	assert_null(sig(an, "auth_dmarc_fail"));
	assert_true(has(AUTH("spf=softfail smtp.mailfrom=x.example")
	    NEUTRAL, "auth_spf_softfail"));
	/* Passes, but for someone else's domains. */
	assert_true(has(AUTH("spf=pass smtp.mailfrom=bulk.example; "
	    "dkim=pass header.d=bulk.example") NEUTRAL, "auth_unaligned"));
	assert_false(has(AUTH("spf=pass smtp.mailfrom=bulk.example; "
	    "dkim=pass header.d=sender.example") NEUTRAL, "auth_unaligned"));
}

static void
org_spoof(void **state)
{
	(void)state;
	assert_true(has(PLAIN("CEO <ceo@example.org>", "Wire", "Pay it."),
	    "auth_org_spoof"));
	assert_false(has(AUTH("dmarc=pass header.from=example.org")
	    PLAIN("CEO <ceo@example.org>", "Wire", "Pay it."),
	    "auth_org_spoof"));
	assert_false(has(NEUTRAL, "auth_org_spoof"));
}

static void
sender_mismatch(void **state)
{
	(void)state;
	assert_true(has("Reply-To: <collect@other.example>\n" NEUTRAL,
	    "sender_reply_to_mismatch"));
	assert_true(has("Reply-To: <collect@gmail.com>\n" NEUTRAL,
	    "sender_reply_to_freemail"));
	assert_false(has("Reply-To: <collect@other.example>\n" NEUTRAL,
	    "sender_reply_to_freemail"));
	assert_false(has("Reply-To: <bob2@mail.sender.example>\n" NEUTRAL,
	    "sender_reply_to_mismatch"));
	assert_true(has("Return-Path: <bounce@esp.example>\n" NEUTRAL,
	    "sender_return_path_mismatch"));
	assert_false(has("Return-Path: <bob@sender.example>\n" NEUTRAL,
	    "sender_return_path_mismatch"));
}

static void
sender_impersonation(void **state)
{
	(void)state;
	assert_true(has(PLAIN("PayPal Service <help@evil.example>", "Hi",
	    "Hello."), "sender_brand_impersonation"));
	assert_false(has(PLAIN("PayPal <service@paypal.com>", "Hi",
	    "Hello."), "sender_brand_impersonation"));
	/* A brand's name inside another word is not the brand. */
	assert_false(has(PLAIN("Applebee Farm <a@farm.example>", "Hi",
	    "Hello."), "sender_brand_impersonation"));
	assert_true(has(PLAIN("Jane Boss <jane.boss.ceo@gmail.com>", "Hi",
	    "Hello."), "sender_vip_impersonation"));
	assert_false(has(PLAIN("Jane Boss <jane@example.org>", "Hi",
	    "Hello."), "sender_vip_impersonation"));
	assert_true(has(PLAIN("\"support@bank.example\" <x@evil.example>",
	    "Hi", "Hello."), "sender_display_name_address"));
	assert_true(has(PLAIN("\"ethereum.org\" <x@icloud.com>", "Hi",
	    "Hello."), "sender_display_name_address"));
	assert_false(has(PLAIN("\"bob@sender.example\" <bob@sender.example>",
	    "Hi", "Hello."), "sender_display_name_address"));
	/* Another mailbox of the same free-mail provider in the name. */
	assert_true(has(PLAIN("\"bank.office@gmail.com\" <okoh7@gmail.com>",
	    "Hi", "Hello."), "sender_display_name_address"));
	assert_false(has(PLAIN("\"okoh7@gmail.com\" <okoh7@gmail.com>",
	    "Hi", "Hello."), "sender_display_name_address"));
	/* Replies to another mailbox of the sender's free-mail provider. */
	assert_true(has("Reply-To: other1@gmail.com\n" PLAIN(
	    "<test1@gmail.com>", "Hi", "Hello."),
	    "sender_reply_to_freemail"));
	assert_false(has("Reply-To: Test <TEST1@gmail.com>\n" PLAIN(
	    "<test1@gmail.com>", "Hi", "Hello."),
	    "sender_reply_to_freemail"));
	assert_false(has("Reply-To: test1+list@gmail.com\n" PLAIN(
	    "<test1@gmail.com>", "Hi", "Hello."),
	    "sender_reply_to_freemail"));
	/* A brand named in the text of a credential lure. */
	assert_true(has(PLAIN("Team <t@sender.example>", "Notice",
	    "Your Netflix account has been suspended: verify your account "
	    "and update your payment."), "sender_brand_in_text"));
	assert_false(has(PLAIN("Team <t@sender.example>", "News",
	    "Our app is now on Netflix and Spotify."),
	    "sender_brand_in_text"));
	assert_false(has(PLAIN("Netflix <info@netflix.com>", "Notice",
	    "Your Netflix account has been suspended: verify your account "
	    "and update your payment."), "sender_brand_in_text"));
	/* A brand's word inside a link, a path or an address is not the
	 * text naming the brand. */
	assert_false(has(PLAIN("Team <t@sender.example>", "Notice",
	    "Verify your account and update your payment. "
	    "<http://cdn.sender.example/images/netflix-hr_body.gif> "
	    "Write to netflix@sender.example."), "sender_brand_in_text"));
	/* A brand spelled with disguised letters, in the subject or the
	 * display name; the brand's own domain and plain words are not. */
	assert_true(has(PLAIN("Tax Report <r@report.example>",
	    "[ lRS : Report ] - Your refund is ready", "Hello."),
	    "lookalike_brand_name"));
	assert_true(has(PLAIN("PaypaI Service <s@evil.example>", "Hi",
	    "Hello."), "lookalike_brand_name"));
	assert_true(has(PLAIN("Support <s@evil.example>",
	    "Your Micr0soft account", "Hello."), "lookalike_brand_name"));
	assert_false(has(PLAIN("PayPal <service@paypal.com>",
	    "Your PaypaI receipt", "Hello."), "lookalike_brand_name"));
	assert_true(has(PLAIN("PayPal <service@pay-secure.example>",
	    "PayPal: your PaypaI account", "Hello."),
	    "lookalike_brand_name"));
	assert_false(has(PLAIN("Support <s@sender.example>",
	    "IRS forms, LNG prices and the l10n team", "Hello."),
	    "lookalike_brand_name"));
}

/* What [detect] gives (config_detect.c checks it): VIPs by name alone
 * and by address alone, ';' between domains, several trusted hops. */
static void
configured_deployment(void **state)
{
	struct detect_config	cfg = {
		.data_dir = MS_SRCDIR "/data",
		.org_domains = "example.org; example.com",
		.vips = "The CFO; ceo@example.org;Jane Boss <jane@example.org>",
		.authserv_id = "mx2.example.org, mx.example.org",
	};
	const char	*two = "Authentication-Results: relay.other.example; "
	    "spf=fail smtp.mailfrom=bank.example\n"
	    AUTH("spf=pass smtp.mailfrom=bank.example")
	    PLAIN("Bank <x@bank.example>", "Hi", "Hello.");

	(void)state;
	assert_true(has(two, "auth_spf_fail"));		/* the topmost */
	assert_int_equal(detect_load(&cfg), MS_OK);
	assert_true(has(PLAIN("The CFO <cfo.office@gmail.com>", "Hi",
	    "Hello."), "sender_vip_impersonation"));
	assert_false(has(PLAIN("The CFO <cfo@example.org>", "Hi", "Hello."),
	    "sender_vip_impersonation"));
	assert_true(has(PLAIN("\"ceo@example.org\" <boss@evil.example>",
	    "Hi", "Hello."), "sender_vip_impersonation"));
	assert_true(has(PLAIN("Jane Boss <jane.boss@gmail.com>", "Hi",
	    "Hello."), "sender_vip_impersonation"));
	assert_true(has(PLAIN("CEO <ceo@example.com>", "Wire", "Pay it."),
	    "auth_org_spoof"));
	assert_false(has(two, "auth_spf_fail"));	/* mx.example.org's */
	cfg.org_domains = "example.org";
	cfg.vips = "Jane Boss <jane@example.org>";
	cfg.authserv_id = NULL;
	assert_int_equal(detect_load(&cfg), MS_OK);	/* setup's again */
}

static void
sender_freemail_and_random(void **state)
{
	(void)state;
	assert_true(has(PLAIN("Help <desk.help@gmail.com>", "Account",
	    "Verify your account, your account will be suspended. Enter "
	    "your password."), "sender_freemail_lure"));
	assert_false(has(PLAIN("Aunt <aunt@gmail.com>", "Photos",
	    "Here are the photos from Sunday."), "sender_freemail_lure"));
	assert_true(has(PLAIN("N <dono-treply-a7ibk9slwvqlkuyhe5t1@x.example>",
	    "Hi", "Hello."), "sender_random_local"));
	assert_false(has(PLAIN("N <john.smith1985@x.example>", "Hi",
	    "Hello."), "sender_random_local"));
	assert_true(has(PLAIN("N <x@o1su91b.onmicrosoft.com>", "Hi",
	    "Hello."), "sender_free_host"));
	assert_true(has(PLAIN("N <x@deals.example.top>", "Hi", "Hello."),
	    "sender_suspicious_tld"));
	assert_true(has(PLAIN("N <Erfolgreich!>", "Hi", "Hello."),
	    "sender_invalid_address"));
	assert_false(has(NEUTRAL, "sender_invalid_address"));
}

static void
lookalikes(void **state)
{
	struct analysis	*an;

	(void)state;
	assert_true(has(PLAIN("PayPal <service@paypa1.com>", "Hi", "Hello."),
	    "lookalike_sender_domain"));
	assert_true(has(PLAIN("N <n@sender.example>", "Hi",
	    "Go to https://secure-paypal.com/login now."),
	    "lookalike_link_domain"));
	assert_true(has(PLAIN("N <n@sender.example>", "Hi",
	    "Go to https://micros0ft.com/login now."),
	    "lookalike_link_domain"));
	assert_false(has(PLAIN("N <n@sender.example>", "Hi",
	    "Go to https://www.paypal.com/ now."), "lookalike_link_domain"));
	assert_false(has(PLAIN("N <n@sender.example>", "Hi",
	    "Go to https://orange-county.example/ now."),
	    "lookalike_link_domain"));
	assert_false(has(PLAIN("N <n@sender.example>", "Hi",
	    "Go to https://www.python.org/ now."), "lookalike_link_domain"));
	/* "pаypal" with a Cyrillic a. */
	an = run(HTML("N <n@sender.example>", "Hi",
	    "<a href=\"https://xn--pypal-4ve.com/login\">Sign in</a>"));
	assert_non_null(sig(an, "punycode_host"));
	assert_non_null(sig(an, "confusable_domain"));
	assert_non_null(sig(an, "mixed_script"));
	/* A name in the text of a mail in that script is not a link. */
	assert_false(has(PLAIN("N <n@sender.example>", "Hi",
	    "Visit \xe4\xbe\x8b\xe5\xad\x90.example.cn today."),
	    "punycode_host"));
	assert_true(has(PLAIN("N <n@sender.example>",
	    "Your Am\xd0\xb0zon order", "Hello."), "mixed_script"));
	/* The micro sign is Latin-1, not Greek. */
	assert_false(has(PLAIN("N <n@sender.example>", "5 \xc2\xb5m wide",
	    "Hello."), "mixed_script"));
	assert_false(has(PLAIN("N <n@sender.example>", "Ваш заказ", "Hi."),
	    "mixed_script"));
}

static void
links(void **state)
{
	(void)state;
	assert_true(has(PLAIN("N <n@sender.example>", "Hi",
	    "http://45.33.12.7/x"), "link_ip_host"));
	assert_false(has(PLAIN("N <n@sender.example>", "Hi",
	    "http://192.168.1.1/x"), "link_ip_host"));
	assert_true(has(PLAIN("N <n@sender.example>", "Hi",
	    "http://www.bank.example@evil.example/x"), "link_userinfo"));
	assert_true(has(PLAIN("N <n@sender.example>", "Hi",
	    "https://bit.ly/3abc"), "link_shortener"));
	assert_true(has(PLAIN("N <n@sender.example>", "Hi",
	    "https://login-page.weebly.com/"), "link_free_host"));
	assert_true(has(PLAIN("N <n@sender.example>", "Hi",
	    "https://pay.example.top/"), "link_suspicious_tld"));
	assert_false(has(PLAIN("N <n@sender.example>", "Hi",
	    "https://www.python.org/"), "link_suspicious_tld"));
	assert_true(has(PLAIN("N <n@sender.example>", "Hi",
	    "https://evil.example/login?user=alice@example.org"),
	    "link_recipient_in_url"));
	assert_true(has(PLAIN("N <n@sender.example>", "Hi",
	    "https://evil.example/login?u=YWxpY2VAZXhhbXBsZS5vcmc="),
	    "link_recipient_in_url"));
	assert_true(has(PLAIN("N <n@sender.example>", "Hi",
	    "https://www.bank.com.login.verify.evil.example/"),
	    "link_many_subdomains"));
	assert_true(has(PLAIN("N <n@sender.example>", "Hi",
	    "https://site.example/r?url=https%3A%2F%2Fevil.example%2F"),
	    "link_open_redirect"));
	assert_false(has(PLAIN("N <n@sender.example>", "Hi",
	    "https://site.example/r?url=https%3A%2F%2Fwww.site.example%2F"),
	    "link_open_redirect"));
}

static void
link_text(void **state)
{
	(void)state;
	assert_true(has(HTML("N <n@sender.example>", "Hi",
	    "<p><a href=\"https://evil.example/x\">https://www.paypal.com/"
	    "signin</a></p>"), "link_text_mismatch"));
	assert_true(has(HTML("N <n@sender.example>", "Hi",
	    "<a href='https://evil.example/x'><b>www.bank.example</b></a>"),
	    "link_text_mismatch"));
	assert_false(has(HTML("N <n@sender.example>", "Hi",
	    "<a href=\"https://www.bank.example/x\">bank.example</a>"),
	    "link_text_mismatch"));
	assert_false(has(HTML("N <n@sender.example>", "Hi",
	    "<a href=\"https://evil.example/x\">Click here</a>"),
	    "link_text_mismatch"));
	assert_true(has(PLAIN("N <n@sender.example>", "Hi",
	    "https://shop.example/wp-admin/js/office365/auth.php"),
	    "link_phish_path"));
	assert_true(has(PLAIN("N <n@sender.example>", "Hi",
	    "https://cdn.example/paypal/signin/index.html"),
	    "link_phish_path"));
	assert_false(has(PLAIN("N <n@sender.example>", "Hi",
	    "https://www.paypal.com/signin"), "link_phish_path"));
	assert_false(has(PLAIN("N <n@sender.example>", "Hi",
	    "https://blog.example/wp-content/uploads/photo.jpg"),
	    "link_phish_path"));
	assert_true(has(HTML("N <n@sender.example>", "Hi",
	    "<form action=\"https://evil.example/p\"><input name=p>"
	    "</form>"), "link_html_form"));
	/* A security gateway's rewritten link hides nothing when the
	 * shown domain is inside it; another domain still counts. */
	assert_false(has(HTML("N <n@sender.example>", "Hi",
	    "<a href=\"https://urldefense.proofpoint.com/v2/url?u=https-3A__"
	    "www.bank.example_login&d=x\">www.bank.example</a>"),
	    "link_text_mismatch"));
	assert_false(has(HTML("N <n@sender.example>", "Hi",
	    "<a href=\"https://eur01.safelinks.protection.outlook.com/?url="
	    "https%3A%2F%2Fwww.bank.example%2F&data=x\">www.bank.example"
	    "</a>"), "link_text_mismatch"));
	assert_true(has(HTML("N <n@sender.example>", "Hi",
	    "<a href=\"https://eur01.safelinks.protection.outlook.com/?url="
	    "https%3A%2F%2Fevil.example%2F&data=x\">www.bank.example</a>"),
	    "link_text_mismatch"));
	/* Through a big brand's redirector, or its AMP cache. */
	assert_true(has(PLAIN("N <n@sender.example>", "Hi",
	    "https://www.google.com/url?q=https://evil.example/x"),
	    "link_brand_redirect"));
	assert_true(has(PLAIN("N <n@sender.example>", "Hi",
	    "https://www.google.co.uk/amp/s/evil.example/x"),
	    "link_brand_redirect"));
	assert_false(has(PLAIN("N <n@sender.example>", "Hi",
	    "https://click.news.example/?u=https://shop.example/x"),
	    "link_brand_redirect"));
	assert_true(has(PLAIN("N <n@sender.example>", "Hi",
	    "https://click.news.example/?u=https://shop.example/x"),
	    "link_open_redirect"));
	assert_false(has(PLAIN("N <n@sender.example>", "Hi",
	    "https://www.google.com/url?q=https://mail.google.com/x"),
	    "link_brand_redirect"));
	assert_false(has(PLAIN("N <n@sender.example>", "Hi",
	    "https://news.example/amp/script.py"), "link_open_redirect"));
	/* Keyboard-mash host names; real words and digits are not. */
	assert_true(has(PLAIN("N <n@sender.example>", "Hi",
	    "http://hgshgasdasd.downlirt.example/x"), "link_random_host"));
	assert_true(has(PLAIN("N <n@sender.example>", "Hi",
	    "http://www.qwrtzpkdf.example/"), "link_random_host"));
	assert_false(has(PLAIN("N <n@sender.example>", "Hi",
	    "https://newsletter.internationalbank.example/x "
	    "https://d15k2d11r6t6rl.cloudfront.net/a.png"),
	    "link_random_host"));
}

static void
content_phrases(void **state)
{
	const struct finding	*f;

	(void)state;
	f = sig(run(PLAIN("N <n@sender.example>", "Action required",
	    "Please verify your account or your account will be "
	    "suspended.")), "content_credential_lure");
	assert_non_null(f);
	assert_non_null(strstr(f->evidence, "verify your account"));
	assert_true(has(PLAIN("N <n@sender.example>", "Hi",
	    "Veuillez vérifier votre compte: votre compte sera suspendu."),
	    "content_credential_lure"));
	assert_true(has(PLAIN("N <n@sender.example>", "Hi",
	    "Ihr Konto wurde gesperrt. Bestätigen Sie Ihr Konto."),
	    "content_credential_lure"));
	assert_true(has(PLAIN("N <n@sender.example>", "Urgent",
	    "Act immediately, within 24 hours."), "content_urgency"));
	assert_true(has(PLAIN("N <n@sender.example>", "Hi",
	    "You have won the lottery: claim your prize."),
	    "content_prize_lure"));
	assert_true(has(PLAIN("N <n@sender.example>", "Hi",
	    "Outstanding invoice: the payment is due by wire transfer."),
	    "content_money_lure"));
	assert_true(has(PLAIN("N <n@sender.example>", "Hi",
	    "Your parcel could not be delivered; pay the customs fee."),
	    "content_delivery_lure"));
	assert_true(has(PLAIN("N <n@sender.example>", "Order 1234",
	    "Your plan will renew automatically and $399 has been charged to "
	    "your card. To cancel, call +1 (808) 555-0199 now."),
	    "content_callback"));
	assert_false(has(PLAIN("N <n@sender.example>", "Meeting",
	    "Call me at +1 (808) 555-0199 about the agenda."),
	    "content_callback"));
	/* Words inside other words do not count. */
	assert_false(has(PLAIN("N <n@sender.example>", "Hi",
	    "The passwordless verifyer logins."), "content_credential_lure"));
}

static void
content_topics(void **state)
{
	const struct finding	*f;

	(void)state;
	f = sig(run(PLAIN("J <j@sender.example>", "Hello friend",
	    "My late father left USD 45 million dollars in a dormant "
	    "account. As next of kin I need your assistance; 30% is your "
	    "commission.")), "content_advance_fee");
	assert_non_null(f);
	assert_non_null(strstr(f->evidence, "next of kin"));
	assert_true(has(PLAIN("S <s@sender.example>", "Airdrop",
	    "Connect your wallet and enter your seed phrase to claim your "
	    "tokens."), "content_crypto_lure"));
	assert_true(has(PLAIN("S <s@sender.example>", "Hi",
	    "Gefeliciteerd! U heeft gewonnen: uw cadeaukaart wacht."),
	    "content_prize_lure"));
	assert_true(has(PLAIN("S <s@sender.example>", "Hi",
	    "Online pharmacy: viagra and cialis, no prescription."),
	    "content_spam_topic"));
	/* One word of a topic in ordinary mail is not enough. */
	assert_false(has(PLAIN("B <b@sender.example>", "Notes",
	    "The exchange server token expired; the wallet app team will "
	    "look at it."), "content_crypto_lure"));
	assert_false(has(PLAIN("B <b@sender.example>", "Estate",
	    "The lawyer sent the inheritance papers for the house."),
	    "content_advance_fee"));
	/* A free-mail address to write to, on such a lure, that is not
	 * the sender's. */
	f = sig(run(PLAIN("J <j@sender.example>", "Proposal",
	    "I have a business proposal: the sum of 4 million dollars "
	    "from my late husband. Reply to my private email "
	    "j.okons@gmail.com.")), "content_freemail_contact");
	assert_non_null(f);
	assert_non_null(strstr(f->evidence, "j.okons@gmail.com"));
	assert_false(has(PLAIN("J <j.okons@gmail.com>", "Proposal",
	    "I have a business proposal: the sum of 4 million dollars "
	    "from my late husband. Reply to j.okons@gmail.com."),
	    "content_freemail_contact"));
	assert_false(has(PLAIN("B <b@sender.example>", "Lunch",
	    "Bob's other address is bob@gmail.com."),
	    "content_freemail_contact"));
}

static void
content_disguised_words(void **state)
{
	(void)state;
	/* Digits and signs for letters, punctuation between letters,
	 * letters spaced out: in the text or the subject. */
	assert_true(has(PLAIN("N <n@sender.example>", "Hi",
	    "Cheap v1agra today."), "content_disguised_words"));
	assert_true(has(PLAIN("N <n@sender.example>", "via.gra", "Hi"),
	    "content_disguised_words"));
	assert_true(has(PLAIN("N <n@sender.example>", "Hi",
	    "Your presc_ription medicines online"),
	    "content_disguised_words"));
	assert_true(has(PLAIN("N <n@sender.example>", "Hi",
	    "Get C-I-A-L-I-S and c@sh now"), "content_disguised_words"));
	assert_true(has(PLAIN("N <n@sender.example>", "V I A G R A", "Hi"),
	    "content_disguised_words"));
	assert_true(has(PLAIN("N <n@sender.example>",
	    "Wij verloten meerdere c.adeaukaarten", "Hi"),
	    "content_disguised_words"));
	assert_true(has(PLAIN("N <n@sender.example>", "You are a W-I-N-N-E-R",
	    "Hi"), "content_disguised_words"));
	/* Split by markup no editor writes, or by character references. */
	assert_true(has(HTML("N <n@sender.example>", "Hi",
	    "<p>V<!-- x -->IAGRA</p>"), "content_disguised_words"));
	assert_true(has(HTML("N <n@sender.example>", "Hi",
	    "<p>V<? blah >IA<nothing>GR</nothing>A</p>"),
	    "content_disguised_words"));
	assert_true(has(HTML("N <n@sender.example>", "Hi",
	    "<p>Buy &#118;iagra &#x63;ialis</p>"),
	    "content_disguised_words"));
	/* Written plain, or words that only look alike. */
	assert_false(has(PLAIN("N <n@sender.example>", "Hi",
	    "Ask your doctor whether Viagra suits you. It is free."),
	    "content_disguised_words"));
	assert_false(has(PLAIN("N <n@sender.example>", "Hi",
	    "This pen is great; log-in to the pay-roll site, mode "
	    "rwxr-xr-x, see www.free.fr and 100% free. A gift-card or a "
	    "cadeau-kaart?"),
	    "content_disguised_words"));
	assert_false(has(PLAIN("N <n@sender.example>", "Hi",
	    "Passw0rd and P@ssword are bad examples."),
	    "content_disguised_words"));
	/* A word processor's span inside a word is no disguise. */
	assert_false(has(HTML("N <n@sender.example>", "Hi",
	    "<p>Your pre<span lang=EN-US>scription</span> is ready</p>"),
	    "content_disguised_words"));
	/* Inline elements join the letters around them, as a browser
	 * shows them; block elements end words. */
	assert_true(has(HTML("N <n@sender.example>", "Hi",
	    "<p>Please ver<b>ify your acc</b>ount and res<font>et your "
	    "pass</font>word</p>"), "content_credential_lure"));
	assert_false(has(HTML("N <n@sender.example>", "Hi",
	    "<p>Please ver<br>ify your acc<div>ount and res<p>et your "
	    "pass<td>word</p>"), "content_credential_lure"));
}

static void
content_disguises(void **state)
{
	(void)state;
	/* Zero-width joiners inside words. */
	assert_true(has(PLAIN("N <n@sender.example>", "Hi",
	    "H\u200cel\u200clo t\u200chi\u200cs i\u200cs y\u200cou\u200cr "
	    "a\u200cc\u200cc\u200cou\u200cnt."), "content_broken_words"));
	assert_false(has(PLAIN("N <n@sender.example>", "Hi",
	    "Hello\u200b there, a few\u200b breaks\u200b between words."),
	    "content_broken_words"));
	assert_true(has("To: alice@example.org\n" "From: N "
	    "<n@sender.example>\nSubject: Your prize, alice@example.org\n"
	    "\nHi\n", "content_recipient_in_subject"));
	assert_false(has(NEUTRAL, "content_recipient_in_subject"));
	assert_true(has(PLAIN("N <n@sender.example>",
	    "_hurry_up_!_Rewards_have_arrived!_", "Hi"),
	    "content_subject_joined"));
	assert_true(has(PLAIN("N <n@sender.example>",
	    "Bitcoin__Balance__0.7495__BTC", "Hi"), "content_subject_joined"));
	assert_false(has(PLAIN("N <n@sender.example>",
	    "Release notes for v1.2_rc and foo_bar", "Hi"),
	    "content_subject_joined"));
	assert_false(has(PLAIN("N <n@sender.example>",
	    "http://www.gsfc.example:8080/ims-bin/v.b/search", "Hi"),
	    "content_subject_joined"));
	/* A long random token; a sha256 and base64 are not. */
	assert_true(has(PLAIN("N <n@sender.example>", "Hi",
	    "Offer x08aoxt11c7v7dkd61499y1526907joz1mqcg5l797kv5h64mvy2l018 "
	    "today"), "content_random_token"));
	assert_false(has(PLAIN("N <n@sender.example>", "Hi",
	    "sha256 9f86d081884c7d659a2feaa0c55ad015a3bf4f1b2b0b822cd15d6c15b0f"
	    "00a08 and aGVsbG8gd29ybGQgdGhpcyBpcyBiYXNlNjQgZW5jb2RlZCB0ZXh0"),
	    "content_random_token"));
	/* Bulk tools' random X-Mailer; real mailers' names. */
	assert_true(has("X-Mailer: W9ijQ\n" NEUTRAL, "sender_random_mailer"));
	assert_true(has("X-Mailer: adpVx\n" NEUTRAL, "sender_random_mailer"));
	assert_false(has("X-Mailer: Gmail\n" NEUTRAL,
	    "sender_random_mailer"));
	assert_false(has("X-Mailer: Microsoft Outlook 16.0\n" NEUTRAL,
	    "sender_random_mailer"));
	assert_false(has("X-Mailer: KMail/1.9\n" NEUTRAL,
	    "sender_random_mailer"));
	/* Letters hidden as %XX in a link; encoded separators are fine. */
	assert_true(has(PLAIN("N <n@sender.example>", "Hi",
	    "https://www.google.example/url?q=%68t%74p%3A%2F%2Fevil.example"),
	    "link_encoded_letters"));
	assert_false(has(PLAIN("N <n@sender.example>", "Hi",
	    "https://t.example/c?u=https%3A%2F%2Fshop.example%2Fa%20b"),
	    "link_encoded_letters"));
}

/* Twenty words each, different vocabularies. */
#define WORDS_A "This simple test email checks the delivery settings of " \
	"your domain and confirms that everything works correctly now " \
	"with records. "
#define WORDS_B "Your subscription renewal payment failed yesterday; " \
	"please update billing details inside portal quickly before " \
	"service stops forever today. "

static void
content_structure(void **state)
{
	(void)state;
	assert_true(has(PLAIN("N <n@sender.example>", "RE: invoice", "Ok."),
	    "content_fake_reply"));
	assert_false(has("In-Reply-To: <x@y.example>\n" PLAIN(
	    "N <n@sender.example>", "RE: invoice", "Ok."),
	    "content_fake_reply"));
	/* A bare block at the start of a line is an inline forward
	 * (forward.c); a quoted one is a thread. */
	assert_true(has(PLAIN("N <n@sender.example>", "Invoice",
	    "Please pay today.\n\n> From: CFO <cfo@example.org>\n> Sent: "
	    "Monday\n> Subject: Invoice\n>\n> Approved."),
	    "content_fake_reply"));
	assert_false(has(PLAIN("N <n@sender.example>", "Fwd: Invoice",
	    "FYI.\n\nFrom: CFO <cfo@example.org>\nSent: Monday"
	    "\nSubject: Invoice\n\nApproved."), "content_fake_reply"));
	assert_true(has("From: n@sender.example\nSubject: x\n\nHi.\n",
	    "content_undisclosed_recipients"));
	assert_true(has("From: n@sender.example\nTo: undisclosed-recipients:;"
	    "\nSubject: x\n\nHi.\n", "content_undisclosed_recipients"));
	assert_false(has(NEUTRAL, "content_undisclosed_recipients"));
	assert_true(has("From: n@sender.example\nTo: a@a.example, b@b.example"
	    ", c@c.example\nCc: d@d.example, e@e.example\nSubject: x\n\nHi."
	    "\n", "content_many_recipients"));
	assert_false(has("From: n@sender.example\nTo: a@a.example, b@a.example"
	    ", c@a.example\nCc: d@a.example, e@b.example\nSubject: x\n\nHi."
	    "\n", "content_many_recipients"));
	assert_true(has(PLAIN("N <n@sender.example>", "Pa\xe2\x80\x8byPal",
	    "Hi."), "content_invisible_chars"));
	assert_false(has(NEUTRAL, "content_invisible_chars"));
	assert_true(has(HTML("N <n@sender.example>", "Hi",
	    "<html><body><a href=\"https://x.example/\"><img src=\"https://"
	    "x.example/i.png\"></a></body></html>"), "content_image_only"));
	assert_false(has(HTML("N <n@sender.example>", "Hi",
	    "<p>A long enough paragraph of ordinary words to read here, "
	    "with an image.</p><img src=\"https://x.example/i.png\">"),
	    "content_image_only"));
	/* A text part of blanks beside the HTML is no text part. */
	assert_true(has(HDR("N <n@sender.example>", "Hi") "MIME-Version: "
	    "1.0\nContent-Type: multipart/alternative; boundary=b\n\n--b\n"
	    "Content-Type: text/plain\n\n\n\n--b\nContent-Type: text/html"
	    "\n\n<img src=\"https://x.example/i.png\" usemap=\"#m\"><map "
	    "name=\"m\"><area href=\"https://x.example/\"></map>\n--b--\n",
	    "content_image_only"));
	assert_false(has(HDR("N <n@sender.example>", "Hi") "MIME-Version: "
	    "1.0\nContent-Type: multipart/alternative; boundary=b\n\n--b\n"
	    "Content-Type: text/plain\n\nSee the picture.\n--b\n"
	    "Content-Type: text/html\n\n<img src=\"https://x.example/i.png"
	    "\">\n--b--\n", "content_html_only"));
	assert_true(has(PLAIN("N <n@sender.example>", "Hi",
	    "Hello alice@example.org, your mailbox."),
	    "content_address_greeting"));
	assert_true(has(PLAIN("N <n@sender.example>",
	    "\xf0\x9d\x96\xa4\xf0\x9d\x97\x91\xf0\x9d\x97\x84 offer", "Hi."),
	    "content_styled_letters"));
	assert_true(has(PLAIN("N <n@sender.example>", "Hi",
	    "Go to http://xn--fc42-9pa/ now."), "link_bad_host"));
	assert_true(has(PLAIN("I T A U Bank <n@sender.example>", "Hi", "Hi."),
	    "content_styled_letters"));
	assert_false(has(PLAIN("Jane A. Doe <n@sender.example>", "Plan B",
	    "Hi."), "content_styled_letters"));
	assert_true(has(HTML("N <n@sender.example>", "Hi",
	    "<p>Hi</p><span style=\"font-size:0\">a</span><span style=\""
	    "font-size:0px\">b</span><div style=\"font-size: 1px\">c</div>"),
	    "content_hidden_text"));
	assert_false(has(HTML("N <n@sender.example>", "Hi",
	    "<p style=\"font-size:10px\">Hi</p>"), "content_hidden_text"));
	assert_true(has(HDR("N <n@sender.example>", "Hi") "MIME-Version: 1.0\n"
	    "Content-Type: multipart/alternative; boundary=b\n\n--b\n"
	    "Content-Type: text/plain\n\n" WORDS_A WORDS_A "\n--b\n"
	    "Content-Type: text/html\n\n<p>" WORDS_B WORDS_B "</p>\n--b--\n",
	    "content_alternative_mismatch"));
	assert_false(has(HDR("N <n@sender.example>", "Hi") "MIME-Version: 1.0\n"
	    "Content-Type: multipart/alternative; boundary=b\n\n--b\n"
	    "Content-Type: text/plain\n\n" WORDS_A WORDS_A "\n--b\n"
	    "Content-Type: text/html\n\n<p>" WORDS_A WORDS_A "</p>\n--b--\n",
	    "content_alternative_mismatch"));
	assert_true(has(PLAIN("N <n@sender.example>", "x",
	    "XJS*C4JDBQADN1.NSBN3*2IDNEN*GTUBE-STANDARD-ANTI-UBE-TEST-EMAIL"
	    "*C.34X"), "content_gtube"));
}

static void
simulation(void **state)
{
	struct analysis	*an;

	(void)state;
	an = run("X-PHISHTEST: KnowBe4\n" PLAIN("IT <it@sender.example>",
	    "Password", "Verify your account: your account will be "
	    "suspended. Reset your password."));
	assert_non_null(sig(an, "content_simulation"));
	assert_int_equal(an->simulation, 1);
	assert_true(an->score < 30);
	assert_int_equal(run(NEUTRAL)->simulation, 0);
}

#define ATTACH(name, type, b64) \
	HDR("N <n@sender.example>", "Files") "MIME-Version: 1.0\n" \
	"Content-Type: multipart/mixed; boundary=b\n\n--b\n" \
	"Content-Type: text/plain\n\nSee the file.\n--b\n" \
	"Content-Type: " type "; name=\"" name "\"\n" \
	"Content-Disposition: attachment; filename=\"" name "\"\n" \
	"Content-Transfer-Encoding: base64\n\n" b64 "\n--b--\n"

/* A DOS header and a PE signature: libmagic's Windows executable. */
#define MZ_B64 "TVqQAAMAAAAEAAAA//8AALgAAAAAAAAAQAAAAAAAAAAAAAAAAAAAAAAA" \
	"AAAAAAAAAAAAAAAAAAAAAAAAAgAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA" \
	"AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAABQ" \
	"RQAATAEAAAAAAAAAAAAAAAAAAAAAAAA="
#define ZIP_EXE_B64 "UEsDBBQAAAAAANwcgV1JWc6RPgAAAD4AAAALAAAAaW52b2ljZS5le" \
	"GVNWgAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA" \
	"AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAFBLAQIUAxQAAAAAANwcgV1JWc6RPgAAA" \
	"D4AAAALAAAAAAAAAAAAAACAAQAAAABpbnZvaWNlLmV4ZVBLBQYAAAAAAQABADkA" \
	"AABnAAAAAAA="
#define ZIP_ENC_B64 "UEsDBAoACQAAAN0cgV16em/tDwAAAAMAAAAHABwAZG9jLnR4dFVUC" \
	"QADUkEOa1JBDmt1eAsAAQQAAAAABAAAAABeL+T4/GDikpsOzMoZgfJQSwcIenpv" \
	"7Q8AAAADAAAAUEsBAh4DCgAJAAAA3RyBXXp6b+0PAAAAAwAAAAcAGAAAAAAAAQAA" \
	"AKSBAAAAAGRvYy50eHRVVAUAA1JBDmt1eAsAAQQAAAAABAAAAABQSwUGAAAAAAEA" \
	"AQBNAAAAYAAAAAAA"
/* <form><input type="password"></form> */
#define HTML_FORM_B64 "PGZvcm0+PGlucHV0IHR5cGU9InBhc3N3b3JkIj48L2Zvcm0+"
/* <script>var b=new Blob([atob("TVo=")]);</script> */
#define HTML_SMUGGLE_B64 "PHNjcmlwdD52YXIgYj1uZXcgQmxvYihbYXRvYigiVFZvPSIp" \
	"XSk7PC9zY3JpcHQ+"
/* "hello" */
#define TEXT_B64 "aGVsbG8="

static void
attachments(void **state)
{
	(void)state;
	assert_true(has(ATTACH("setup.exe", "application/octet-stream",
	    MZ_B64), "attach_executable"));
	assert_true(has(ATTACH("report.pdf", "application/pdf", MZ_B64),
	    "attach_type_mismatch"));
	assert_true(has(ATTACH("invoice.pdf.exe", "application/octet-stream",
	    MZ_B64), "attach_double_extension"));
	assert_true(has(ATTACH("run.js", "text/plain", TEXT_B64),
	    "attach_script"));
	assert_true(has(ATTACH("disk.iso", "application/octet-stream",
	    TEXT_B64), "attach_disk_image"));
	assert_true(has(ATTACH("notes.one", "application/octet-stream",
	    TEXT_B64), "attach_onenote"));
	assert_true(has(ATTACH("files.zip", "application/zip", ZIP_EXE_B64),
	    "attach_archive_executable"));
	assert_true(has(ATTACH("f.docm", "application/octet-stream",
	    TEXT_B64), "attach_office_macro"));
	assert_true(has(ATTACH("login.html", "text/html", HTML_FORM_B64),
	    "attach_html_credential_form"));
	assert_true(has(ATTACH("doc.html", "text/html", HTML_SMUGGLE_B64),
	    "attach_html_smuggling"));
	assert_true(has(ATTACH("doc.html", "text/html", HTML_SMUGGLE_B64),
	    "attach_html"));
	assert_false(has(ATTACH("notes.txt", "text/plain", TEXT_B64),
	    "attach_executable"));
	assert_false(has(ATTACH("notes.txt", "text/plain", TEXT_B64),
	    "attach_type_mismatch"));
	assert_false(has(ATTACH("my.notes.txt", "text/plain", TEXT_B64),
	    "attach_double_extension"));
	assert_true(has(ATTACH("lmnxebwvlmatkswgkwlsm.pdf", "application/pdf",
	    TEXT_B64), "attach_random_name"));
	assert_false(has(ATTACH("Strengths.pdf", "application/pdf",
	    TEXT_B64), "attach_random_name"));
}

static void
encrypted_archive(void **state)
{
	struct analysis	*an;

	(void)state;
	an = run(ATTACH("doc.zip", "application/zip", ZIP_ENC_B64));
	assert_non_null(sig(an, "attach_encrypted_archive"));
	assert_null(sig(an, "attach_archive_password"));
	/* The same file with its password given beside it. */
	an = run(HDR("N <n@sender.example>", "Files") "MIME-Version: 1.0\n"
	    "Content-Type: multipart/mixed; boundary=b\n\n--b\n"
	    "Content-Type: text/plain\n\nThe password is 1234.\n--b\n"
	    "Content-Type: application/zip; name=\"doc.zip\"\n"
	    "Content-Transfer-Encoding: base64\n\n" ZIP_ENC_B64 "\n--b--\n");
	assert_non_null(sig(an, "attach_archive_password"));
	assert_null(sig(run(ATTACH("files.zip", "application/zip",
	    ZIP_EXE_B64)), "attach_encrypted_archive"));
}

/* The reasons add up to the score, each category stays under its cap,
 * and the score stays within 0..100. */
static void
score_caps_and_clamp(void **state)
{
	struct analysis			*an;
	const struct score_reason	*r;
	size_t				 i;
	int				 sum = 0, links = 0;

	(void)state;
	an = run(AUTH("spf=fail smtp.mailfrom=e.example; dkim=fail "
	    "header.d=e.example; dmarc=fail header.from=paypal.com")
	    "Reply-To: <x@collect.example>\n"
	    HTML("PayPal <service@paypa1.com>", "Your account is suspended",
	    "<p>Verify your account immediately or your account will be "
	    "suspended.</p><a href=\"http://203.0.113.5/x\">"
	    "https://www.paypal.com/</a> <a href=\"https://bit.ly/x\">x</a> "
	    "<a href=\"http://a@b.example.top/\">y</a>"));
	assert_int_equal(an->score, 100);
	assert_string_equal(an->verdict, "malicious");
	for (i = 0; i < an->reasons.n; i++) {
		r = an->reasons.v[i];
		assert_true(r->points != 0);
		assert_non_null(r->reason);
		sum += r->points;
		if (strncmp(r->id, "link_", 5) == 0)
			links += r->points;
	}
	assert_true(sum >= 100);
	assert_true(links <= 50);	/* weights.conf [caps] links */
	/* A finding's points are the weight of its id. */
	assert_int_equal(sig(an, "auth_dmarc_fail")->points,
	    detect_points("auth_dmarc_fail"));
}

/* The data and the documentation agree with the code: every signal a
 * detector can add has a weight and a row in docs/internals/detect.md,
 * every weight names a signal, and no phrase of the content model
 * stands twice (in one class or in two). */
static void
data_agrees(void **state)
{
	const char	*dir = detect_data_dir(), *id;
	GKeyFile	*kf = g_key_file_new();
	GHashTable	*seen;
	char		*path, *doc = NULL, *row, *buf = NULL, **keys, **lines;
	char		**f;
	size_t		 i;

	(void)state;
	assert_non_null(dir);
	path = g_build_filename(dir, "..", "docs", "internals", "detect.md",
	    NULL);
	assert_true(g_file_get_contents(path, &doc, NULL, NULL));
	g_free(path);
	for (i = 0; (id = detect_signal_id(i)) != NULL; i++) {
		if (detect_points(id) == 0)
			fail_msg("%s has no weight in weights.conf", id);
		row = g_strdup_printf("| `%s` |", id);
		if (strstr(doc, row) == NULL)
			fail_msg("%s has no row in detect.md", id);
		g_free(row);
	}
	assert_true(i > 100);
	g_free(doc);
	path = g_build_filename(dir, "weights.conf", NULL);
	assert_true(g_key_file_load_from_file(kf, path, 0, NULL));
	g_free(path);
	keys = g_key_file_get_keys(kf, "points", NULL, NULL);
	assert_non_null(keys);
	for (i = 0; keys[i] != NULL; i++)
		if (detect_title(keys[i]) == NULL)
			fail_msg("weights.conf: %s is no signal", keys[i]);
	g_strfreev(keys);
	g_key_file_free(kf);
	path = g_build_filename(dir, "phrases.txt", NULL);
	assert_true(g_file_get_contents(path, &buf, NULL, NULL));
	g_free(path);
	lines = g_strsplit(buf, "\n", -1);
	g_free(buf);
	seen = g_hash_table_new_full(g_str_hash, g_str_equal, g_free, NULL);
	for (i = 0; lines[i] != NULL; i++) {
		if (lines[i][0] == '#' || lines[i][0] == '\0')
			continue;
		f = g_strsplit(lines[i], "\t", 3);
		assert_non_null(f[1]);
		assert_non_null(f[2]);
		if (!g_hash_table_add(seen, g_utf8_casefold(f[2], -1)))
			fail_msg("phrases.txt: \"%s\" stands twice", f[2]);
		g_strfreev(f);
	}
	g_hash_table_destroy(seen);
	g_strfreev(lines);
}

/* Real emails: a phishing sample with clear signals, and legitimate
 * mailing-list mail, from the shared corpus (skipped without it). */
static void
corpus(void **state)
{
	/* 'absent': a signal that must not fire on that email;
	 * 'present': one that must. */
	static const struct {
		const char	*path;
		int		 bad;
		const char	*absent, *present;
	} files[] = {
		{ "/phishing_pot/sample-1561.eml", 1, NULL, NULL },
		{ "/phishing_pot/sample-3840.eml", 1, NULL,
		  "sender_random_mailer" },
		{ "/spamassassin-tdata/nice/001", 0, NULL, NULL },
		{ "/spamassassin-tdata/nice/002", 0, NULL, NULL },
		/* libmagic calls a PDF "(zip deflate encoded)": no archive. */
		{ "/eml_parser-samples/sample_attachments.eml", 0,
		  "attach_type_mismatch", NULL },
		/* Links rewritten by Proofpoint URL Defense. */
		{ "/mimekit-testdata/messages/bounce.txt", 0,
		  "link_text_mismatch", NULL },
		/* A bounce names the failed recipient in its subject. */
		{ "/cpython-email-testdata/msg_25.txt", 0,
		  "content_recipient_in_subject", NULL },
		/* A password-protected .docx, the password in the text. */
		{ "/spamassassin-tdata/spam/olevbmacro/encrypted.eml", 1,
		  NULL, "attach_encrypted_document" },
		{ "/spamassassin-tdata/spam/olevbmacro/encrypted.eml", 1,
		  NULL, "attach_archive_password" },
	};
	struct analysis	*an;
	char		*buf, *path;
	size_t		 i, len;
	enum ms_err	 rc;

	(void)state;
	for (i = 0; i < G_N_ELEMENTS(files); i++) {
		path = g_strconcat(MS_CORPUS, files[i].path, NULL);
		if (!g_file_get_contents(path, &buf, &len, NULL))
			fail_msg("%s: cannot read the corpus", path);
		arena_free(a);
		a = arena_new(LIMIT_MSG_ARENA);
		rc = analyze_bytes(a, buf, len, path, &an);
		assert_true(rc == MS_OK || rc == MS_ELIMIT);
		if (files[i].bad && an->score < 30)
			fail_msg("%s: score %d", path, an->score);
		if (!files[i].bad && an->score >= 30)
			fail_msg("%s: score %d", path, an->score);
		if (files[i].absent != NULL && sig(an, files[i].absent))
			fail_msg("%s: %s fired", path, files[i].absent);
		if (files[i].present != NULL && !sig(an, files[i].present))
			fail_msg("%s: no %s", path, files[i].present);
		g_free(buf);
		g_free(path);
	}
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(data_loads),
		cmocka_unit_test(neutral_is_benign),
		cmocka_unit_test(auth_results),
		cmocka_unit_test(org_spoof),
		cmocka_unit_test(sender_mismatch),
		cmocka_unit_test(sender_impersonation),
		cmocka_unit_test(sender_freemail_and_random),
		cmocka_unit_test(lookalikes),
		cmocka_unit_test(links),
		cmocka_unit_test(link_text),
		cmocka_unit_test(content_phrases),
		cmocka_unit_test(content_topics),
		cmocka_unit_test(content_disguises),
		cmocka_unit_test(content_disguised_words),
		cmocka_unit_test(content_structure),
		cmocka_unit_test(simulation),
		cmocka_unit_test(attachments),
		cmocka_unit_test(encrypted_archive),
		cmocka_unit_test(score_caps_and_clamp),
		cmocka_unit_test(data_agrees),
		cmocka_unit_test(configured_deployment),
		cmocka_unit_test(corpus),
	};
	int	rc;

	rc = cmocka_run_group_tests(tests, setup, teardown);
	arena_free(a);
	return rc;
}
