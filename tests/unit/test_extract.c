/* SPDX-License-Identifier: Apache-2.0 */
/*
 * test_extract.c -- unit tests for src/extract: defanged forms, URL
 * canonical forms, IDN, IPs, emails, hashes, domains, HTML links and the
 * limits (each at LIMIT and LIMIT+1).  Every test gets a fresh arena and
 * set, freed in the teardown.
 */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>

#include <cmocka.h>

#include "common/limits.h"
#include "common/ms.h"
#include "extract/extract.h"

static struct arena	*A;
static struct ioc_set	*S;

static int
setup(void **state)
{
	extract_init();
	A = arena_new(LIMIT_MSG_ARENA);
	S = ioc_set_new(A);
	return S == NULL;
}

static int
teardown(void **state)
{
	arena_free(A);
	A = NULL;
	S = NULL;
	return 0;
}

/* The item of kind 'k' with value 'v', or NULL. */
static const struct ioc *
find(enum ioc_kind k, const char *v)
{
	size_t	i;

	for (i = 0; i < ioc_set_count(S, k); i++)
		if (strcmp(ioc_set_get(S, k, i)->value, v) == 0)
			return ioc_set_get(S, k, i);
	return NULL;
}

static void
text(const char *t)
{
	assert_int_equal(MS_OK, extract_text(S, t, strlen(t), "test"));
}

static void
html(const char *h)
{
	assert_int_equal(MS_OK, extract_html(S, h, strlen(h), NULL, NULL,
	    NULL));
}

#define HAS(k, v)	assert_non_null(find((k), (v)))
#define HASNT(k, v)	assert_null(find((k), (v)))
#define COUNT(k, n)	assert_int_equal((n), ioc_set_count(S, (k)))

static void
t_defang_schemes(void **state)
{
	text("a hxxp://evil[.]example[.]com/path?x=1 b "
	    "hXXps://two(.)example{.}org/ c fxp://files[dot]example.net/f "
	    "d hxxps[:]//three.example.com/ e http[://]four.example.com/ "
	    "f http__five.example.com/x g https:\\\\six.example.com/ "
	    "h xxxxs://seven.example.com/p");
	HAS(IOC_URL, "http://evil.example.com/path?x=1");
	HAS(IOC_URL, "https://two.example.org/");
	HAS(IOC_URL, "ftp://files.example.net/f");
	HAS(IOC_URL, "https://three.example.com/");
	HAS(IOC_URL, "http://four.example.com/");
	HAS(IOC_URL, "http://five.example.com/x");
	HAS(IOC_URL, "https://six.example.com/");
	HAS(IOC_URL, "https://seven.example.com/p");
	assert_true(find(IOC_URL, "http://evil.example.com/path?x=1")->flags &
	    IOC_F_DEFANGED);
	HAS(IOC_DOMAIN, "evil.example.com");
	assert_true(find(IOC_DOMAIN, "evil.example.com")->flags &
	    IOC_F_DEFANGED);
}

static void
t_invisible(void **state)
{
	const struct ioc	*io;

	/* Zero-width space, soft hyphen, word joiner inside a link. */
	text("http://pay\xe2\x80\x8b" "pal-login.exam\xc2\xad" "ple.com/x and "
	    "www.ex\xe2\x81\xa0" "ample.org");
	io = find(IOC_URL, "http://paypal-login.example.com/x");
	assert_non_null(io);
	assert_true(io->flags & IOC_F_DEFANGED);
	HAS(IOC_URL, "http://www.example.org/");
}

static void
t_defang_not_prose(void **state)
{
	/* Brackets, "at" and "dot" in ordinary sentences stay as they are. */
	text("We met (at) noon [1]. The dot com era. Look at this. "
	    "See [::1] and (.) alone. (see this). it was (contact us) at "
	    "example.com");
	COUNT(IOC_EMAIL, 0);
	COUNT(IOC_URL, 0);
	COUNT(IOC_DOMAIN, 1);
	HAS(IOC_DOMAIN, "example.com");
}

static void
t_defang_emails(void **state)
{
	text("john.doe[at]example.org, mary(at)example.net, "
	    "bob @ corp-mail.com; carl[@]x-example[.]com; "
	    "dave AT example DOT io; eve at example[dot]co.uk");
	HAS(IOC_EMAIL, "john.doe@example.org");
	HAS(IOC_EMAIL, "mary@example.net");
	HAS(IOC_EMAIL, "bob@corp-mail.com");
	HAS(IOC_EMAIL, "carl@x-example.com");
	HAS(IOC_EMAIL, "dave@example.io");
	HAS(IOC_EMAIL, "eve@example.co.uk");
	HAS(IOC_DOMAIN, "example.org");
	assert_true(find(IOC_EMAIL, "carl@x-example.com")->flags &
	    IOC_F_DEFANGED);
}

static void
t_emails(void **state)
{
	const struct ioc	*io;

	text("<a@example.com> 'b.c+tag@sub.example.co.uk' "
	    "mailto:d@example.org?subject=x icon@2x.png user@localhost "
	    "x@y");
	HAS(IOC_EMAIL, "a@example.com");
	HAS(IOC_EMAIL, "b.c+tag@sub.example.co.uk");
	text("spf=pass smtp.mailfrom=bounce@mail.example.com; dkim=pass "
	    "header.i=@example.com; "
	    "bounce-7-user=example.com@lists.example.net");
	HAS(IOC_EMAIL, "bounce@mail.example.com");
	HAS(IOC_EMAIL, "bounce-7-user=example.com@lists.example.net");
	io = find(IOC_EMAIL, "d@example.org");
	assert_non_null(io);
	assert_true(io->flags & IOC_F_MAILTO);
	assert_string_equal("example.co.uk",
	    find(IOC_EMAIL, "b.c+tag@sub.example.co.uk")->domain);
	COUNT(IOC_EMAIL, 5);
	assert_int_equal(MS_OK, extract_email(S, "<Z@Example.COM>", "hdr"));
	HAS(IOC_EMAIL, "Z@example.com");
	assert_int_equal(MS_EPARSE, extract_email(S, "nobody", "hdr"));
	assert_int_equal(MS_OK, extract_url(S,
	    "<mailto:e1@example.com,e2@example.org?subject=x>", 48, "hdr"));
	assert_true(find(IOC_EMAIL, "e2@example.org")->flags & IOC_F_MAILTO);
	HAS(IOC_EMAIL, "e1@example.com");
	assert_int_equal(MS_EPARSE, extract_url(S, "mailto:nobody", 13,
	    "hdr"));
}

static void
t_schemeless_www(void **state)
{
	const struct ioc	*io;

	text("Go to www.example.com/login. Or WWW.Example.ORG! "
	    "And see example.net/path (not a URL).");
	io = find(IOC_URL, "http://www.example.com/login");
	assert_non_null(io);
	assert_true(io->flags & IOC_F_SCHEMELESS);
	HAS(IOC_URL, "http://www.example.org/");
	HASNT(IOC_URL, "http://example.net/path");
	HAS(IOC_DOMAIN, "example.net");
}

static void
t_trailing_punctuation(void **state)
{
	text("Links: http://e.com/a, http://e.com/b. (http://e.com/c) "
	    "\"http://e.com/d\" 'http://e.com/e'; http://e.com/f_(g) "
	    "[http://e.com/h] <http://e.com/i> http://e.com/j?! "
	    "[x](http://e.com/k) http://e.com/l)m");
	HAS(IOC_URL, "http://e.com/a");
	HAS(IOC_URL, "http://e.com/b");
	HAS(IOC_URL, "http://e.com/c");
	HAS(IOC_URL, "http://e.com/d");
	HAS(IOC_URL, "http://e.com/e");
	HAS(IOC_URL, "http://e.com/f_(g)");
	HAS(IOC_URL, "http://e.com/h");
	HAS(IOC_URL, "http://e.com/i");
	HAS(IOC_URL, "http://e.com/j");
	HAS(IOC_URL, "http://e.com/k");
	HAS(IOC_URL, "http://e.com/l)m");
	COUNT(IOC_URL, 12 - 1);
}

static void
t_nested_urls(void **state)
{
	text("https://nam02.safelinks.protection.outlook.com/?url=https%3A%2F"
	    "%2Fevil.example.com%2Flogin%3Fa%3D1&data=05 "
	    "https://www.google.com/url?q=https://g.example.org/x&sa=D "
	    "https://r.example.net/r?u=aHR0cHM6Ly9iNjQuZXhhbXBsZS5jb20vcA==&x=1"
	    " aHR0cDovL3N0YW5kYWxvbmUuZXhhbXBsZS5jb20v "
	    "687474703a2f2f6865782e6578616d706c652e636f6d2f "
	    "http%3A%2F%2Fpct.example.com%2Fp");
	HAS(IOC_URL, "https://evil.example.com/login?a=1");
	HAS(IOC_URL, "https://g.example.org/x");
	HAS(IOC_URL, "https://b64.example.com/p");
	HAS(IOC_URL, "http://standalone.example.com/");
	HAS(IOC_URL, "http://hex.example.com/");
	HAS(IOC_URL, "http://pct.example.com/p");
	HAS(IOC_DOMAIN, "evil.example.com");
	/* Ordinary long words and hashes are not mistaken for base64. */
	text("internationalization d41d8cd98f00b204e9800998ecf8427e");
	COUNT(IOC_URL, 9);
}

static void
t_canonical_url(void **state)
{
	const char	*u;

	text("HTTP://WWW.Example.COM:80/a/../b?q=1#f "
	    "https://example.com:443/ https://example.com:8443/x "
	    "http://[2001:DB8::1]:8080/p tcp://c2.example.com:4444/");
	HAS(IOC_URL, "http://www.example.com/b?q=1#f");
	HAS(IOC_URL, "https://example.com/");
	HAS(IOC_URL, "https://example.com:8443/x");
	HAS(IOC_URL, "http://[2001:db8::1]:8080/p");
	HAS(IOC_URL, "tcp://c2.example.com:4444/");
	HAS(IOC_IP, "2001:db8::1");
	assert_true(find(IOC_URL, "http://[2001:db8::1]:8080/p")->flags &
	    IOC_F_IP_HOST);
	u = extract_url_normalise(A, "HTTPS://A.B.EXAMPLE/x y", 23);
	assert_non_null(u);
	assert_string_equal("https://a.b.example/x%20y", u);
	assert_null(extract_url_normalise(A, "javascript:alert(1)", 19));
	assert_null(extract_url_normalise(A, "not a url", 9));
}

static void
t_idn(void **state)
{
	const struct ioc	*io;

	text("https://пример.рф/путь and xn--80ak6aa92e.com and "
	    "müller.de");
	io = find(IOC_URL,
	    "https://xn--e1afmkfd.xn--p1ai/%d0%bf%d1%83%d1%82%d1%8c");
	assert_non_null(io);
	assert_true(io->flags & IOC_F_IDN);
	assert_string_equal("пример.рф", io->unicode);
	io = find(IOC_DOMAIN, "xn--e1afmkfd.xn--p1ai");
	assert_non_null(io);
	assert_string_equal("пример.рф", io->unicode);
	io = find(IOC_DOMAIN, "xn--80ak6aa92e.com");
	assert_non_null(io);
	assert_non_null(io->unicode);
	HAS(IOC_DOMAIN, "xn--mller-kva.de");
}

static void
t_ipv4(void **state)
{
	const struct ioc	*io;

	text("1[.]2[.]3[.]4 10.0.0.1, 8.8.8.8. 999.1.1.1 010.1.1.1 "
	    "1.2.3.4.5 v2.0.1 192.168.1.256 words5.6.7.8words "
	    "127(.)0(.)0(.)1 100.64.0.1");
	io = find(IOC_IP, "1.2.3.4");
	assert_non_null(io);
	assert_true(io->flags & IOC_F_DEFANGED);
	assert_false(io->flags & IOC_F_PRIVATE);
	assert_true(find(IOC_IP, "10.0.0.1")->flags & IOC_F_PRIVATE);
	assert_false(find(IOC_IP, "8.8.8.8")->flags & IOC_F_PRIVATE);
	HAS(IOC_IP, "5.6.7.8");
	HAS(IOC_IP, "127.0.0.1");
	assert_true(find(IOC_IP, "100.64.0.1")->flags & IOC_F_PRIVATE);
	COUNT(IOC_IP, 6);
	assert_int_equal(MS_EPARSE, extract_ip(S, "999.1.1.1", "hdr"));
	assert_int_equal(MS_OK, extract_ip(S, "[::1]", "hdr"));
	assert_true(extract_ip_is_private("172.16.5.4"));
	assert_false(extract_ip_is_private("172.32.5.4"));
}

static void
t_ipv6(void **state)
{
	const struct ioc	*io;

	text("2001:DB8:0000:1:1:1:1:1 fe80::1ff:fe23:4567:890a "
	    "2606:4700:4700::1111. 12:30:45 std::vector ::1 "
	    "00:1a:2b:3c:4d:5e");
	io = find(IOC_IP, "2001:db8:0:1:1:1:1:1");
	assert_non_null(io);
	assert_true(io->flags & IOC_F_IPV6);
	assert_true(io->flags & IOC_F_PRIVATE);
	assert_true(find(IOC_IP, "fe80::1ff:fe23:4567:890a")->flags &
	    IOC_F_PRIVATE);
	io = find(IOC_IP, "2606:4700:4700::1111");
	assert_non_null(io);
	assert_false(io->flags & IOC_F_PRIVATE);
	COUNT(IOC_IP, 3);
}

static void
t_hashes(void **state)
{
	text("md5 D41D8CD98F00B204E9800998ECF8427E "
	    "sha1=da39a3ee5e6b4b0d3255bfef95601890afd80709 "
	    "sha256:e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b"
	    "7852b855 "
	    "cf83e1357eefb8bdf1542850d66d8007d620e4050b5715dc83f4a921d36ce9ce"
	    "47d0d13c5d85f2b0ff8318d2877eec2f63b931bd47417a81a538327af927da3e "
	    "not33 d41d8cd98f00b204e9800998ecf8427e0 "
	    "x0d41d8cd98f00b204e9800998ecf8427 "
	    "00000000000000000000000000000000");
	HAS(IOC_MD5, "d41d8cd98f00b204e9800998ecf8427e");
	HAS(IOC_SHA1, "da39a3ee5e6b4b0d3255bfef95601890afd80709");
	HAS(IOC_SHA256, "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca4"
	    "95991b7852b855");
	COUNT(IOC_SHA512, 1);
	COUNT(IOC_MD5, 2);	/* "x0d41..." is bounded by the 'x' */
	HAS(IOC_MD5, "0d41d8cd98f00b204e9800998ecf8427");
	COUNT(IOC_SHA1, 1);
}

static void
t_hash_in_longer_run(void **state)
{
	/* 33, 41, 65 and 129 hex digits: no hash of any kind. */
	text("d41d8cd98f00b204e9800998ecf8427ea "
	    "da39a3ee5e6b4b0d3255bfef95601890afd807091 "
	    "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855"
	    "1");
	COUNT(IOC_MD5, 0);
	COUNT(IOC_SHA1, 0);
	COUNT(IOC_SHA256, 0);
}

static void
t_domains(void **state)
{
	const struct ioc	*io;

	text("Open invoice.pdf or setup.zip or document.exe; visit "
	    "www.bbc.co.uk and example.com. Hello.World is prose. "
	    "evil[.]zip is defanged. README.md is a file. "
	    "Also login.microsoftonline.com, not-a-domain.invalidtld. "
	    "libfoo.so server.name pcm_type.info regex example\\.org "
	    "fix-git-dot-pm bad-dot-com");
	HASNT(IOC_DOMAIN, "invoice.pdf");
	HASNT(IOC_DOMAIN, "setup.zip");
	HASNT(IOC_DOMAIN, "document.exe");
	HASNT(IOC_DOMAIN, "hello.world");
	HASNT(IOC_DOMAIN, "readme.md");
	HASNT(IOC_DOMAIN, "not-a-domain.invalidtld");
	HASNT(IOC_DOMAIN, "libfoo.so");
	HASNT(IOC_DOMAIN, "server.name");
	HASNT(IOC_DOMAIN, "pcm_type.info");
	HASNT(IOC_DOMAIN, "fix-git.pm");
	HAS(IOC_DOMAIN, "bad.com");
	io = find(IOC_DOMAIN, "example.org");
	assert_non_null(io);
	assert_false(io->flags & IOC_F_DEFANGED);
	HAS(IOC_DOMAIN, "example.com");
	HAS(IOC_DOMAIN, "evil.zip");
	HAS(IOC_DOMAIN, "login.microsoftonline.com");
	io = find(IOC_DOMAIN, "www.bbc.co.uk");
	assert_non_null(io);
	assert_string_equal("bbc.co.uk", io->domain);
	assert_int_equal(MS_OK, extract_domain(S, "Mail.Example.NET.",
	    "hdr"));
	HAS(IOC_DOMAIN, "mail.example.net");
}

static void
t_dedupe_where(void **state)
{
	const struct ioc	*io;

	assert_int_equal(MS_OK, extract_text(S, "http://x.example.com/", 21,
	    "first"));
	assert_int_equal(MS_OK, extract_text(S, "hxxp://x[.]example[.]com/",
	    25, "second"));
	COUNT(IOC_URL, 1);
	io = ioc_set_get(S, IOC_URL, 0);
	assert_string_equal("first", io->where);
	assert_true(io->flags & IOC_F_DEFANGED);	/* flags merge */
	assert_null(ioc_set_get(S, IOC_URL, 1));
	assert_string_equal("url", ioc_kind_name(IOC_URL));
	assert_string_equal("sha512", ioc_kind_name(IOC_SHA512));
}

static void
t_html_links(void **state)
{
	const char	*vis;
	size_t		 vlen;

	const char *h =
	    "<html><head><base href=\"https://base.example.com/dir/\">"
	    "<meta http-equiv=\"refresh\" content=\"0; url='http://refresh."
	    "example.com/r'\"><style>body{background:url(\"/bg.png\")}"
	    "</style></head><body background=\"bgattr.jpg\">"
	    "<a href=\"page.html\">rel</a>"
	    "<a href=\" HTTP://ABS.EXAMPLE.ORG/x \">abs</a>"
	    "<a href=\"mailto:who@example.net?subject=hi\">m</a>"
	    "<form action=\"/post\"></form><iframe src=\"//frame.example."
	    "com/f\"></iframe><img srcset=\"a.png 1x, https://cdn.example."
	    "com/b.png 2x\"><map><area href=\"area.html\"></map>"
	    "<div style=\"background-image: url(css.png)\">Visible "
	    "hxxp://text[.]example[.]com/v</div>"
	    "<script>var u = 'http://script.example.com/s';</script>"
	    "<span data-href=\"https://data.example.com/d\"></span>"
	    "</body></html>";

	assert_int_equal(MS_OK, extract_html(S, h, strlen(h), NULL, &vis,
	    &vlen));
	HAS(IOC_URL, "https://base.example.com/dir/page.html");
	HAS(IOC_URL, "http://abs.example.org/x");
	HAS(IOC_URL, "http://refresh.example.com/r");
	HAS(IOC_URL, "https://base.example.com/bg.png");
	HAS(IOC_URL, "https://base.example.com/dir/bgattr.jpg");
	HAS(IOC_URL, "https://base.example.com/post");
	HAS(IOC_URL, "https://frame.example.com/f");
	HAS(IOC_URL, "https://base.example.com/dir/a.png");
	HAS(IOC_URL, "https://cdn.example.com/b.png");
	HAS(IOC_URL, "https://base.example.com/dir/area.html");
	HAS(IOC_URL, "https://base.example.com/dir/css.png");
	HAS(IOC_URL, "http://text.example.com/v");
	HAS(IOC_URL, "https://data.example.com/d");
	HASNT(IOC_URL, "http://script.example.com/s");
	HAS(IOC_EMAIL, "who@example.net");
	assert_true(find(IOC_EMAIL, "who@example.net")->flags &
	    IOC_F_MAILTO);
	assert_string_equal("html href",
	    find(IOC_URL, "http://abs.example.org/x")->where);
	assert_string_equal("html form action",
	    find(IOC_URL, "https://base.example.com/post")->where);
	assert_string_equal("html iframe",
	    find(IOC_URL, "https://frame.example.com/f")->where);
	assert_string_equal("html meta refresh",
	    find(IOC_URL, "http://refresh.example.com/r")->where);
	assert_string_equal("html text",
	    find(IOC_URL, "http://text.example.com/v")->where);
	assert_non_null(vis);
	assert_non_null(strstr(vis, "Visible"));
	assert_null(strstr(vis, "script.example"));
	assert_int_equal(strlen(vis), vlen);
}

static void
t_html_no_base(void **state)
{
	html("<p>See <a href='/relative'>x</a> <a href='www.example.com/w'>"
	    "y</a> <b>exam</b>ple.org</p><p>end</p>");
	COUNT(IOC_URL, 1);
	HAS(IOC_URL, "http://www.example.com/w");
	HAS(IOC_DOMAIN, "example.org");	/* inline tags join the text */
	assert_int_equal(MS_OK, extract_html(S, "<a href=x>", 10, "body",
	    NULL, NULL));
}

static void
t_html_more(void **state)
{
	html("<meta http-equiv=REFRESH content=\"5;URL=http://r1.example.com/"
	    "\"><a href=\"hxxp://defanged[.]example[.]com/p\">d</a>"
	    "<img src=\"https://img.example.com/a.png\" srcset=\"https://s1"
	    ".example.com/1.png 1x,https://s2.example.com/2.png 2x\">"
	    "<video poster=\"https://p.example.com/v.jpg\"></video>"
	    "<table background=\"https://bg.example.com/t.gif\"></table>"
	    "<button formaction=\"https://fa.example.com/go\">b</button>"
	    "<p>&lt;https://entity.example.com/&gt; soft&shy;hy&shy;phen"
	    ".example&shy;.org</p>");
	HAS(IOC_URL, "http://r1.example.com/");
	HAS(IOC_URL, "http://defanged.example.com/p");
	HAS(IOC_URL, "https://s1.example.com/1.png");
	HAS(IOC_URL, "https://s2.example.com/2.png");
	HAS(IOC_URL, "https://p.example.com/v.jpg");
	HAS(IOC_URL, "https://bg.example.com/t.gif");
	HAS(IOC_URL, "https://fa.example.com/go");
	HAS(IOC_URL, "https://entity.example.com/");
	HAS(IOC_DOMAIN, "softhyphen.example.org");
	assert_string_equal("html srcset",
	    find(IOC_URL, "https://s1.example.com/1.png")->where);
	assert_string_equal("html background",
	    find(IOC_URL, "https://bg.example.com/t.gif")->where);
}

static void
t_html_where_prefix(void **state)
{
	const char	*h = "<a href=\"http://p.example.com/\">x</a>";

	assert_int_equal(MS_OK, extract_html(S, h, strlen(h), "body html",
	    NULL, NULL));
	assert_string_equal("body html: html href",
	    find(IOC_URL, "http://p.example.com/")->where);
}

/*
 * Nest 'divs' <div>s around a link (inside <html><body>, which libxml2
 * adds), then a second link after them.  Returns extract_html's status.
 */
static enum ms_err
deep_html(size_t divs)
{
	size_t		 i, n = 0, cap = divs * 12 + 128;
	char		*h = xmalloc(cap);
	enum ms_err	 rc;

	for (i = 0; i < divs; i++)
		n += (size_t)snprintf(h + n, cap - n, "<div>");
	n += (size_t)snprintf(h + n, cap - n,
	    "<a href=\"http://deep.example.com/\">x</a>");
	for (i = 0; i < divs; i++)
		n += (size_t)snprintf(h + n, cap - n, "</div>");
	n += (size_t)snprintf(h + n, cap - n,
	    "<a href=\"http://after.example.com/\">y</a>");
	rc = extract_html(S, h, n, NULL, NULL, NULL);
	xfree(h);
	return rc;
}

/* 300 elements deep: past libxml2's own limit of 256. */
static void
t_html_deep(void **state)
{
	assert_int_equal(MS_OK, deep_html(300));
	HAS(IOC_URL, "http://deep.example.com/");
	HAS(IOC_URL, "http://after.example.com/");
}

/* 100,000 deep: nothing is hidden, nothing overflows a stack. */
static void
t_html_very_deep(void **state)
{
	assert_int_equal(MS_OK, deep_html(100000));
	HAS(IOC_URL, "http://deep.example.com/");
	HAS(IOC_URL, "http://after.example.com/");
}

static void
t_limit_urls(void **state)
{
	char	u[64];
	int	i, n;

	for (i = 0; i < LIMIT_URLS_PER_MSG; i++) {
		n = snprintf(u, sizeof(u), "http://h%d.example/", i);
		assert_int_equal(MS_OK, extract_url(S, u, (size_t)n, "t"));
	}
	COUNT(IOC_URL, LIMIT_URLS_PER_MSG);
	assert_int_equal(0, ioc_set_dropped(S));
	/* A duplicate at the limit is not refused. */
	assert_int_equal(MS_OK, extract_url(S, "http://h0.example/", 18, "t"));
	n = snprintf(u, sizeof(u), "http://h%d.example/", i);
	assert_int_equal(MS_ELIMIT, extract_url(S, u, (size_t)n, "t"));
	assert_int_equal(1, ioc_set_dropped(S));
	COUNT(IOC_URL, LIMIT_URLS_PER_MSG);
	/* Text: the URL is refused, the rest of the text still scanned. */
	assert_int_equal(MS_ELIMIT, extract_text(S,
	    "http://more.example/ 9.9.9.9", 28, "t"));
	HAS(IOC_IP, "9.9.9.9");
	assert_int_equal(2, ioc_set_dropped(S));
}

static void
t_limit_iocs(void **state)
{
	char	ip[32];
	int	i;

	for (i = 0; i < LIMIT_IOCS_PER_MSG; i++) {
		snprintf(ip, sizeof(ip), "10.%d.%d.%d", i >> 16,
		    (i >> 8) & 255, i & 255);
		assert_int_equal(MS_OK, extract_ip(S, ip, "t"));
	}
	COUNT(IOC_IP, LIMIT_IOCS_PER_MSG);
	assert_int_equal(MS_ELIMIT, extract_ip(S, "11.0.0.1", "t"));
	assert_int_equal(1, ioc_set_dropped(S));
	assert_int_equal(MS_ELIMIT, extract_text(S,
	    "d41d8cd98f00b204e9800998ecf8427e", 32, "t"));
	COUNT(IOC_MD5, 0);
}

static void
t_limit_url_bytes(void **state)
{
	size_t	 n = LIMIT_URL_BYTES;
	char	*u = xmalloc(n + 2);

	memcpy(u, "http://long.example/", 20);
	memset(u + 20, 'a', n + 1 - 20);
	assert_int_equal(MS_OK, extract_url(S, u, n, "t"));
	assert_int_equal(MS_EPARSE, extract_url(S, u, n + 1, "t"));
	COUNT(IOC_URL, 1);
	/* In text, the over-long URL is skipped whole. */
	u[n + 1] = '\0';
	assert_int_equal(MS_OK, extract_text(S, u, n + 1, "t"));
	COUNT(IOC_URL, 1);
	xfree(u);
}

static void
t_limit_extract_bytes(void **state)
{
	size_t	 n = LIMIT_EXTRACT_BYTES;
	char	*t = xmalloc(n + 1);

	memset(t, ' ', n + 1);
	memcpy(t + n - 8, "1.2.3.4", 7);	/* inside the limit */
	memcpy(t + n - 16, "5.6.7.8", 7);
	assert_int_equal(MS_OK, extract_text(S, t, n, "t"));
	HAS(IOC_IP, "1.2.3.4");
	memcpy(t + n - 7, "9.9.9.9", 7);	/* last byte past it */
	memset(t + n - 16, ' ', 16);
	assert_int_equal(MS_ELIMIT, extract_text(S, t, n + 1, "t"));
	HASNT(IOC_IP, "9.9.9.9");
	xfree(t);
}

/*
 * Inputs that would make a naive scanner quadratic: each must finish in a
 * fraction of a second (the test's timeout catches a regression).
 */
static void
t_linear(void **state)
{
	static const char *const units[] = { "http://", "1:", "[",
	    "www.", "hxxp[:]//a[.]b ", "x at y [dot] " };
	size_t		 n = 2u * 1024 * 1024, i, k, ul;
	char		*t = xmalloc(n + 1);
	enum ms_err	 rc;

	for (k = 0; k < MS_ARRAY_LEN(units); k++) {
		ul = strlen(units[k]);
		for (i = 0; i + ul <= n; i += ul)
			memcpy(t + i, units[k], ul);
		memset(t + i, ' ', n - i);
		rc = extract_text(S, t, n, "t");
		assert_true(rc == MS_OK || rc == MS_ELIMIT);
	}
	xfree(t);
}

static void
t_arena_full(void **state)
{
	struct arena	*a = arena_new(4096);
	struct ioc_set	*s = ioc_set_new(a);
	char		 buf[8192];
	size_t		 i, n = 0;

	assert_non_null(s);
	for (i = 0; n + 40 < sizeof(buf); i++)
		n += (size_t)snprintf(buf + n, sizeof(buf) - n,
		    "http://h%zu.example.com/ ", i);
	assert_int_equal(MS_ELIMIT, extract_text(s, buf, n, "t"));
	assert_true(ioc_set_count(s, IOC_URL) < i);
	arena_free(a);
}

#define T(f)	cmocka_unit_test_setup_teardown(f, setup, teardown)

int
main(void)
{
	const struct CMUnitTest tests[] = {
		T(t_defang_schemes),
		T(t_invisible),
		T(t_defang_not_prose),
		T(t_defang_emails),
		T(t_emails),
		T(t_schemeless_www),
		T(t_trailing_punctuation),
		T(t_nested_urls),
		T(t_canonical_url),
		T(t_idn),
		T(t_ipv4),
		T(t_ipv6),
		T(t_hashes),
		T(t_hash_in_longer_run),
		T(t_domains),
		T(t_dedupe_where),
		T(t_html_links),
		T(t_html_no_base),
		T(t_html_more),
		T(t_html_where_prefix),
		T(t_html_deep),
		T(t_html_very_deep),
		T(t_limit_urls),
		T(t_limit_iocs),
		T(t_limit_url_bytes),
		T(t_limit_extract_bytes),
		T(t_linear),
		T(t_arena_full),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
