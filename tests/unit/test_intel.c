/* SPDX-License-Identifier: Apache-2.0 */
/*
 * test_intel.c -- the local threat-intel store and the intel app:
 * intel_normalise for every kind (and its buffer limit), the CIDR trie
 * (IPv4 and IPv6, longest prefix first, /0, /32, /128, prefixes inserted
 * above and beside others), the index (parent domains, expiry, URL
 * fallbacks, LIMIT_INTEL_MATCHES at the limit and past it), the store's
 * per-source replacement, and the app end to end on a real SQLite store:
 * verdicts, attribution, and the index rebuilt after a new load.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <arpa/inet.h>

#include <cmocka.h>
#include <glib.h>
#include <jansson.h>
#include <sqlite3.h>

#include "apps/apps.h"
#include "apps/intel_int.h"
#include "common/limits.h"
#include "engine/action.h"
#include "engine/config.h"
#include "store/store.h"

static char	*tmpdir;

/* ---- normalisation ---------------------------------------------------- */

static void
expect_norm(enum intel_kind k, const char *in, const char *want)
{
	char	out[512];

	if (intel_normalise(k, in, out, sizeof(out)) != MS_OK)
		fail_msg("%s '%s': refused, want '%s'", intel_kind_name(k), in,
		    want);
	if (strcmp(out, want) != 0)
		fail_msg("%s '%s': got '%s', want '%s'", intel_kind_name(k),
		    in, out, want);
}

static void
expect_bad(enum intel_kind k, const char *in)
{
	char	out[512];

	if (intel_normalise(k, in, out, sizeof(out)) != MS_EPARSE)
		fail_msg("%s '%s': accepted as '%s'", intel_kind_name(k), in,
		    out);
	assert_string_equal("", out);
}

static void
normalise_ip(void **state)
{
	(void)state;
	expect_norm(INTEL_IP, " 192.0.2.1 ", "192.0.2.1");
	expect_norm(INTEL_IP, "2001:DB8:0:0::1", "2001:db8::1");
	expect_norm(INTEL_IP, "192.0.2.77/24", "192.0.2.0/24");
	expect_norm(INTEL_IP, "10.1.2.3/32", "10.1.2.3");
	expect_norm(INTEL_IP, "10.1.2.3/0", "0.0.0.0/0");
	expect_norm(INTEL_IP, "2001:db8:ffff::1/33", "2001:db8:8000::/33");
	expect_norm(INTEL_IP, "2001:db8::1/128", "2001:db8::1");
	expect_bad(INTEL_IP, "192.0.2.1/33");
	expect_bad(INTEL_IP, "2001:db8::/129");
	expect_bad(INTEL_IP, "192.0.2.1/");
	expect_bad(INTEL_IP, "192.0.2.1/-1");
	expect_bad(INTEL_IP, "192.0.2");
	expect_bad(INTEL_IP, "example.com");
	expect_bad(INTEL_IP, "");
}

static void
normalise_names(void **state)
{
	(void)state;
	expect_norm(INTEL_DOMAIN, "Evil.EXAMPLE.com.", "evil.example.com");
	expect_norm(INTEL_DOMAIN, "*.example.org", "example.org");
	expect_norm(INTEL_DOMAIN, "b\xc3\xbc" "cher.de", "xn--bcher-kva.de");
	expect_norm(INTEL_DOMAIN, "_dmarc.example.com", "_dmarc.example.com");
	expect_bad(INTEL_DOMAIN, "a..b");
	expect_bad(INTEL_DOMAIN, "evil com");
	expect_bad(INTEL_DOMAIN, ".");
	expect_norm(INTEL_EMAIL, "Bob.Smith@Example.COM.",
	    "Bob.Smith@example.com");
	expect_bad(INTEL_EMAIL, "@example.com");
	expect_bad(INTEL_EMAIL, "bob");
	expect_norm(INTEL_HASH, "D41D8CD98F00B204E9800998ECF8427E",
	    "d41d8cd98f00b204e9800998ecf8427e");
	expect_bad(INTEL_HASH, "d41d8cd98f00b204e9800998ecf8427");
	expect_bad(INTEL_HASH, "g41d8cd98f00b204e9800998ecf8427e");
	expect_norm(INTEL_ASN, "as64496", "AS64496");
	expect_norm(INTEL_ASN, "64496", "AS64496");
	expect_bad(INTEL_ASN, "AS");
	expect_bad(INTEL_ASN, "AS4294967296");
}

static void
normalise_url(void **state)
{
	(void)state;
	expect_norm(INTEL_URL, "HTTP://Evil.EXAMPLE.com:80/a/B?q=1#frag",
	    "http://evil.example.com/a/B?q=1");
	expect_norm(INTEL_URL, "https://example.org:443", "https://example.org/");
	expect_norm(INTEL_URL, "https://example.org:8443/p",
	    "https://example.org:8443/p");
	expect_norm(INTEL_URL, "http://example.org:443/p",
	    "http://example.org:443/p");
	expect_norm(INTEL_URL, "example.org/x.exe", "http://example.org/x.exe");
	expect_norm(INTEL_URL, "http://[2001:DB8::1]:80/x",
	    "http://[2001:db8::1]/x");
	expect_norm(INTEL_URL, "http://192.0.2.1?x", "http://192.0.2.1/?x");
	expect_norm(INTEL_URL, "http://user:pw@Example.org./",
	    "http://user:pw@example.org/");
	expect_norm(INTEL_URL, "HXXP://b\xc3\xbc" "cher.de/",
	    "hxxp://xn--bcher-kva.de/");
	expect_bad(INTEL_URL, "http://exa mple.org/");
	expect_bad(INTEL_URL, "http://example.org:8o/");
	expect_bad(INTEL_URL, "http:///path");
}

/* The output buffer is the limit: a value that fits exactly is kept, one
 * byte more is MS_ELIMIT with an empty output. */
static void
normalise_limit(void **state)
{
	char	out[16];

	(void)state;
	assert_int_equal(MS_OK, intel_normalise(INTEL_DOMAIN,
	    "abcdefghij.com", out, 15));
	assert_string_equal("abcdefghij.com", out);
	assert_int_equal(MS_ELIMIT, intel_normalise(INTEL_DOMAIN,
	    "abcdefghij.com", out, 14));
	assert_string_equal("", out);
	assert_int_equal(MS_OK, intel_normalise(INTEL_URL, "http://ab.c/",
	    out, 13));
	assert_int_equal(MS_ELIMIT, intel_normalise(INTEL_URL,
	    "http://ab.c/", out, 12));
	assert_string_equal("", out);
	assert_int_equal(MS_EPARSE, intel_normalise(INTEL_KIND_COUNT, "x",
	    out, sizeof(out)));
	assert_int_equal(INTEL_URL, intel_kind_parse("url"));
	assert_int_equal(-1, intel_kind_parse("cidr"));
}

/* ---- the trie --------------------------------------------------------- */

static void
key_of(const char *ip, uint8_t *k)
{
	memset(k, 0, 16);
	if (inet_pton(AF_INET, ip, k) != 1)
		assert_int_equal(1, inet_pton(AF_INET6, ip, k));
}

static void
put(struct intel_trie *t, const char *ip, int plen, const char *tag)
{
	uint8_t	 k[16];
	void	**slot;

	key_of(ip, k);
	slot = intel_trie_slot(t, k, plen);
	assert_non_null(slot);
	*slot = (void *)tag;
}

/* Match 'ip' and compare the values found, longest first, with 'want'
 * (space-separated tags). */
static void
expect_match(struct intel_trie *t, const char *ip, const char *want)
{
	void	*vals[130];
	int	 plens[130];
	uint8_t	 k[16];
	GString	*g = g_string_new("");
	size_t	 n, i;

	key_of(ip, k);
	n = intel_trie_match(t, k, vals, plens, G_N_ELEMENTS(vals));
	for (i = 0; i < n; i++)
		g_string_append_printf(g, "%s%s", i ? " " : "",
		    (char *)vals[i]);
	if (strcmp(g->str, want) != 0)
		fail_msg("%s: got '%s', want '%s'", ip, g->str, want);
	g_string_free(g, TRUE);
}

static void
trie_v4(void **state)
{
	struct intel_trie	*t = intel_trie_new(32);
	uint8_t			 k[16];

	(void)state;
	expect_match(t, "10.1.2.3", "");
	put(t, "10.1.2.3", 32, "h");
	put(t, "10.1.0.0", 16, "b16");
	put(t, "10.2.0.0", 16, "c16");	/* beside: a branch at /14 */
	put(t, "10.0.0.0", 8, "a8");	/* above both */
	expect_match(t, "10.1.2.3", "h b16 a8");
	expect_match(t, "10.1.2.4", "b16 a8");
	expect_match(t, "10.2.255.255", "c16 a8");
	expect_match(t, "10.3.0.1", "a8");
	expect_match(t, "11.0.0.1", "");
	put(t, "0.0.0.0", 0, "all");
	expect_match(t, "11.0.0.1", "all");
	expect_match(t, "10.1.2.3", "h b16 a8 all");
	put(t, "10.1.2.3", 32, "h2");	/* the same slot again */
	expect_match(t, "10.1.2.3", "h2 b16 a8 all");
	put(t, "255.255.255.255", 32, "top");
	expect_match(t, "255.255.255.255", "top all");
	expect_match(t, "255.255.255.254", "all");
	key_of("10.0.0.0", k);
	assert_null(intel_trie_slot(t, k, 33));
	assert_null(intel_trie_slot(t, k, -1));
	intel_trie_free(t);
	intel_trie_free(NULL);
}

static void
trie_v6(void **state)
{
	struct intel_trie	*t = intel_trie_new(128);

	(void)state;
	put(t, "2001:db8::1", 128, "h");
	put(t, "2001:db8::", 32, "n32");
	put(t, "2001:db8:8000::", 33, "n33");
	put(t, "::", 0, "all");
	expect_match(t, "2001:db8::1", "h n32 all");
	expect_match(t, "2001:db8::2", "n32 all");
	expect_match(t, "2001:db8:8000::1", "n33 n32 all");
	expect_match(t, "2001:db9::1", "all");
	put(t, "ffff:ffff:ffff:ffff:ffff:ffff:ffff:ffff", 128, "top");
	expect_match(t, "ffff:ffff:ffff:ffff:ffff:ffff:ffff:ffff",
	    "top all");
	assert_true(intel_trie_count(t) >= 5);
	intel_trie_free(t);
}

/* ---- the index -------------------------------------------------------- */

static void
add(struct intel_index *ix, enum intel_kind k, const char *v,
    const char *source, int subdomains, int64_t expires)
{
	struct intel_entry	e;

	memset(&e, 0, sizeof(e));
	e.source = source;
	e.confidence = -1;
	e.subdomains = (uint8_t)subdomains;
	e.expires = expires;
	assert_int_equal(MS_OK, intel_index_add(ix, k, v, &e));
}

/* "source:how" of each match, space-separated. */
static char *
lookup(struct intel_index *ix, enum intel_kind k, const char *v,
    int64_t now)
{
	struct intel_match	m[16];
	GString			*g = g_string_new("");
	size_t			 n, i;

	n = intel_index_lookup(ix, k, v, now, m, G_N_ELEMENTS(m));
	for (i = 0; i < n; i++)
		g_string_append_printf(g, "%s%s:%s", i ? " " : "",
		    m[i].e->source, intel_how_name(m[i].how));
	return g_string_free(g, FALSE);
}

static void
expect_lookup(struct intel_index *ix, enum intel_kind k, const char *v,
    int64_t now, const char *want)
{
	char	*got = lookup(ix, k, v, now);

	if (strcmp(got, want) != 0)
		fail_msg("%s %s: got '%s', want '%s'", intel_kind_name(k), v,
		    got, want);
	g_free(got);
}

static void
index_domains(void **state)
{
	struct intel_index	*ix = intel_index_new();

	(void)state;
	add(ix, INTEL_DOMAIN, "example.com", "reg", 1, 0);
	add(ix, INTEL_DOMAIN, "example.com", "host", 0, 0);
	add(ix, INTEL_DOMAIN, "example.com", "host", 0, 0);	/* repeat */
	add(ix, INTEL_DOMAIN, "a.example.com", "host", 0, 0);
	add(ix, INTEL_DOMAIN, "com", "tld", 0, 0);
	expect_lookup(ix, INTEL_DOMAIN, "example.com", 0,
	    "host:exact reg:exact");
	expect_lookup(ix, INTEL_DOMAIN, "x.a.example.com", 0,
	    "reg:parent domain");
	expect_lookup(ix, INTEL_DOMAIN, "a.example.com", 0,
	    "host:exact reg:parent domain");
	expect_lookup(ix, INTEL_DOMAIN, "example.org", 0, "");
	expect_lookup(ix, INTEL_DOMAIN, "notexample.com", 0, "");
	assert_int_equal(4, intel_index_count(ix));
	intel_index_free(ix);
	intel_index_free(NULL);
}

static void
index_expiry(void **state)
{
	struct intel_index	*ix = intel_index_new();

	(void)state;
	add(ix, INTEL_IP, "192.0.2.1", "old", 0, 1000);
	add(ix, INTEL_IP, "192.0.2.1", "live", 0, 0);
	add(ix, INTEL_IP, "192.0.2.0/24", "net", 0, 2000);
	expect_lookup(ix, INTEL_IP, "192.0.2.1", 999,
	    "live:exact old:exact net:cidr");
	expect_lookup(ix, INTEL_IP, "192.0.2.1", 1000, "live:exact net:cidr");
	expect_lookup(ix, INTEL_IP, "192.0.2.1", 2000, "live:exact");
	expect_lookup(ix, INTEL_IP, "192.0.2.0/24", 0, "net:exact");
	expect_lookup(ix, INTEL_IP, "192.0.2.0/25", 0, "net:cidr");
	intel_index_free(ix);
}

static void
index_urls(void **state)
{
	struct intel_index	*ix = intel_index_new();

	(void)state;
	add(ix, INTEL_URL, "http://evil.example/p?id=1", "u", 0, 0);
	add(ix, INTEL_URL, "http://evil.example/p", "base", 0, 0);
	add(ix, INTEL_DOMAIN, "example", "zone", 1, 0);
	add(ix, INTEL_DOMAIN, "evil.example", "dom", 0, 0);
	add(ix, INTEL_IP, "198.51.100.0/24", "net", 0, 0);
	add(ix, INTEL_IP, "2001:db8::/32", "net6", 0, 0);
	expect_lookup(ix, INTEL_URL, "http://evil.example/p?id=1", 0,
	    "u:exact base:url without query dom:url host zone:url host");
	expect_lookup(ix, INTEL_URL, "http://u@evil.example:8080/q", 0,
	    "dom:url host zone:url host");
	expect_lookup(ix, INTEL_URL, "http://198.51.100.7/x", 0,
	    "net:url host");
	expect_lookup(ix, INTEL_URL, "http://[2001:db8::5]/x", 0,
	    "net6:url host");
	expect_lookup(ix, INTEL_URL, "http://good.test/", 0, "");
	assert_int_equal(MS_EPARSE, intel_index_add(ix, INTEL_IP, "nope",
	    &(struct intel_entry){ .source = "x" }));
	intel_index_free(ix);
}

/* LIMIT_INTEL_MATCHES sources for one value all come back; one more is
 * cut at the limit. */
static void
index_match_limit(void **state)
{
	struct intel_index	*ix = intel_index_new();
	struct intel_match	*m;
	char			 src[32];
	int			 i;

	(void)state;
	m = g_new(struct intel_match, LIMIT_INTEL_MATCHES);
	for (i = 0; i < LIMIT_INTEL_MATCHES; i++) {
		snprintf(src, sizeof(src), "s%d", i);
		add(ix, INTEL_HASH, "d41d8cd98f00b204e9800998ecf8427e", src, 0,
		    0);
	}
	assert_int_equal(LIMIT_INTEL_MATCHES, intel_index_lookup(ix,
	    INTEL_HASH, "d41d8cd98f00b204e9800998ecf8427e", 0, m,
	    LIMIT_INTEL_MATCHES));
	add(ix, INTEL_HASH, "d41d8cd98f00b204e9800998ecf8427e", "one more",
	    0, 0);
	assert_int_equal(LIMIT_INTEL_MATCHES, intel_index_lookup(ix,
	    INTEL_HASH, "d41d8cd98f00b204e9800998ecf8427e", 0, m,
	    LIMIT_INTEL_MATCHES));
	g_free(m);
	intel_index_free(ix);
}

/* ---- the store and the app ------------------------------------------- */

static void
store_rows(struct store *st, const char *source, const char *const *kv,
    size_t n)
{
	static const char *const tags[] = { "phishing", "apt" };
	static const char *const attrib[] = { "intrusion-set", "APT1",
	    "malware", "Poison Ivy" };
	struct store_intel_load	*l;
	struct store_intel_row	 r;
	size_t			 i, count;

	assert_int_equal(MS_OK, store_intel_load_begin(st, source, "/feed",
	    &l));
	for (i = 0; i < n; i++) {
		memset(&r, 0, sizeof(r));
		r.kind = kv[2 * i];
		r.value = kv[2 * i + 1];
		r.confidence = -1;
		r.subdomains = strcmp(r.kind, "domain") == 0;
		if (i == 0) {
			r.tags = tags;
			r.ntags = 2;
			r.attrib = attrib;
			r.nattrib = 2;
			r.confidence = 90;
			r.tlp = "amber";
			r.first_seen = 1360000000LL * G_USEC_PER_SEC;
		}
		assert_int_equal(MS_OK, store_intel_load_add(l, &r));
	}
	assert_int_equal(MS_OK, store_intel_load_commit(l, "list", 3, &count));
	assert_int_equal(n, count);
}

static json_t *
act(struct config *cf, const char *action, const char *key,
    const char *val)
{
	struct action_ctx	*ctx;
	json_t			*j;
	char			*s, err[256];

	ctx = action_ctx_new(action_find(&intel_app, action),
	    config_asset_find(cf, "ti"), &key, &val, 1, 5000);
	assert_int_equal(action_ctx_check(ctx, err, sizeof(err)), MS_OK);
	action_ctx_run(ctx);
	s = action_ctx_result_json(ctx);
	j = json_loads(s, 0, NULL);
	assert_non_null(j);
	xfree(s);
	action_ctx_free(ctx);
	return j;
}

static const char *
sum_str(json_t *r, const char *key)
{
	return json_string_value(json_object_get(json_object_get(r,
	    "summary"), key));
}

static json_int_t
sum_int(json_t *r, const char *key)
{
	return json_integer_value(json_object_get(json_object_get(r,
	    "summary"), key));
}

static struct config *
app_config(const char *dbpath)
{
	struct config	*cf = NULL;
	char		*path = g_build_filename(tmpdir, "intel.conf", NULL);
	char		 err[1024];

	assert_true(g_file_set_contents(path, "[asset ti]\napp=intel\n", -1,
	    NULL));
	assert_int_equal(MS_OK, config_load(path, app_builtin, &cf, err,
	    sizeof(err)));
	config_set_store_path(cf, dbpath);
	if (config_assets_init(cf, err, sizeof(err)) != MS_OK)
		fail_msg("config_assets_init: %s", err);
	g_free(path);
	return cf;
}

static void
app_end_to_end(void **state)
{
	static const char *const feed1[] = {
		"domain", "hugesoft.org", "ip", "192.0.2.0/24",
		"hash", "d41d8cd98f00b204e9800998ecf8427e",
		"url", "http://evil.example/login?u=1",
	};
	static const char *const feed2[] = { "ip", "198.51.100.9" };
	struct store	*st;
	struct config	*cf;
	json_t		*r, *d;
	char		*db = g_build_filename(tmpdir, "t.db", NULL), err[512];
	char		*js, *long_url;

	(void)state;
	assert_int_equal(MS_OK, store_open(db, &st, err, sizeof(err)));
	store_rows(st, "feed1", feed1, 4);
	cf = app_config(db);

	r = act(cf, "hunt domain", "domain", "WWW.HugeSoft.org.");
	assert_string_equal("malicious", sum_str(r, "verdict"));
	assert_int_equal(72, sum_int(r, "score"));	/* 90, parent 80% */
	d = json_array_get(json_object_get(r, "data"), 0);
	assert_string_equal("parent domain", json_string_value(
	    json_object_get(d, "match")));
	assert_string_equal("amber", json_string_value(json_object_get(d,
	    "tlp")));
	assert_string_equal("2013-02-04T17:46:40Z", json_string_value(
	    json_object_get(d, "first_seen")));
	assert_string_equal("APT1", json_string_value(json_array_get(
	    json_object_get(json_object_get(r, "summary"), "actors"), 0)));
	assert_string_equal("Poison Ivy", json_string_value(json_array_get(
	    json_object_get(json_object_get(r, "summary"), "malware"), 0)));
	json_decref(r);

	r = act(cf, "ip reputation", "ip", "192.0.2.200");
	assert_string_equal("malicious", sum_str(r, "verdict"));
	assert_int_equal(72, sum_int(r, "score"));	/* 80, cidr 90% */
	json_decref(r);
	r = act(cf, "url reputation", "url",
	    "HTTP://EVIL.example:80/login?u=1#top");
	assert_string_equal("malicious", sum_str(r, "verdict"));
	json_decref(r);
	r = act(cf, "file reputation", "hash",
	    "D41D8CD98F00B204E9800998ECF8427E");
	assert_int_equal(1, sum_int(r, "match_count"));
	json_decref(r);
	r = act(cf, "ip reputation", "ip", "198.51.100.9");
	assert_string_equal("unknown", sum_str(r, "verdict"));
	json_decref(r);
	r = act(cf, "hunt ip", "ip", "192.0.2.9");
	assert_int_equal(1, sum_int(r, "match_count"));
	assert_non_null(json_object_get(json_object_get(r, "summary"),
	    "campaigns"));
	json_decref(r);
	r = act(cf, "hunt url", "url", "http://evil.example/login?u=1");
	assert_int_equal(1, sum_int(r, "match_count"));
	json_decref(r);
	r = act(cf, "hunt file", "hash", "d41d8cd98f00b204e9800998ecf8427e");
	assert_int_equal(0, json_array_size(json_object_get(
	    json_object_get(r, "summary"), "actors")));
	json_decref(r);
	r = act(cf, "file reputation", "hash", "cf83e1357eefb8bdf1542850d66d8007"
	    "d620e4050b5715dc83f4a921d36ce9ce47d0d13c5d85f2b0ff8318d2877eec2f"
	    "63b931bd47417a81a538327af927da3e");	/* sha512: refused */
	assert_string_equal("failed", json_string_value(json_object_get(r,
	    "status")));
	json_decref(r);
	/* LIMIT_INTEL_VALUE: a URL that long is looked up, one byte more
	 * is refused. */
	long_url = g_strnfill(LIMIT_INTEL_VALUE, 'a');
	memcpy(long_url, "http://x.example/", 17);
	r = act(cf, "url reputation", "url", long_url);
	assert_string_equal("unknown", sum_str(r, "verdict"));
	json_decref(r);
	g_free(long_url);
	long_url = g_strnfill(LIMIT_INTEL_VALUE + 1, 'a');
	memcpy(long_url, "http://x.example/", 17);
	r = act(cf, "url reputation", "url", long_url);
	assert_string_equal("failed", json_string_value(json_object_get(r,
	    "status")));
	json_decref(r);
	g_free(long_url);
	r = act(cf, "ip reputation", "ip", "not-an-ip");
	assert_string_equal("failed", json_string_value(json_object_get(r,
	    "status")));
	json_decref(r);

	/* A new load replaces feed1 and adds feed2; the app sees it within
	 * a second or so. */
	store_rows(st, "feed1", feed1, 1);
	store_rows(st, "feed2", feed2, 1);
	assert_int_equal(MS_OK, store_intel_stats_json(st, &js));
	assert_non_null(strstr(js, "\"total\":2"));
	xfree(js);
	usleep(1100 * 1000);
	r = act(cf, "ip reputation", "ip", "198.51.100.9");
	assert_string_equal("malicious", sum_str(r, "verdict"));
	json_decref(r);
	r = act(cf, "ip reputation", "ip", "192.0.2.200");
	assert_string_equal("unknown", sum_str(r, "verdict"));
	json_decref(r);

	config_free(cf);
	store_close(st);
	remove(db);
	js = g_strconcat(db, "-wal", NULL);
	remove(js);
	g_free(js);
	js = g_strconcat(db, "-shm", NULL);
	remove(js);
	g_free(js);
	g_free(db);
}

/* An aborted load leaves the source as it was. */
static void
store_abort_keeps_old(void **state)
{
	static const char *const feed[] = { "domain", "a.example" };
	struct store_intel_load	*l;
	struct store_intel_row	 r;
	struct store		*st;
	char			*db = g_build_filename(tmpdir, "a.db", NULL);
	char			 err[512], *js;
	int64_t			 g0, g1;

	(void)state;
	assert_int_equal(MS_OK, store_open(db, &st, err, sizeof(err)));
	store_rows(st, "s", feed, 1);
	assert_int_equal(MS_OK, store_intel_generation(st, &g0));
	assert_int_equal(MS_OK, store_intel_load_begin(st, "s", NULL, &l));
	memset(&r, 0, sizeof(r));
	r.kind = "domain";
	r.value = "b.example";
	assert_int_equal(MS_OK, store_intel_load_add(l, &r));
	r.value = "";
	assert_int_equal(MS_EINVAL, store_intel_load_add(l, &r));
	store_intel_load_abort(l);
	store_intel_load_abort(NULL);
	assert_int_equal(MS_OK, store_intel_generation(st, &g1));
	assert_int_equal(g0, g1);
	assert_int_equal(MS_OK, store_intel_stats_json(st, &js));
	assert_non_null(strstr(js, "\"total\":1"));
	assert_non_null(strstr(js, "\"skipped\":3"));
	xfree(js);
	assert_int_equal(MS_OK, store_intel_source_delete(st, "s", "test"));
	assert_int_equal(MS_EINVAL, store_intel_source_delete(st, "s",
	    "test"));
	store_close(st);
	g_free(db);
}

/* Worker threads look up while the main thread loads new generations:
 * every answer is one of the two states, never a crash (ASan) or a
 * mix; the new generation is seen once its second has passed. */
struct racer {
	struct config	*cf;
	gint		*stop;
	int		 calls;
	int		 bad;
};

static gpointer
racer(gpointer arg)
{
	struct racer	*r = arg;
	json_t		*j;
	json_int_t	 n;

	while (!g_atomic_int_get(r->stop)) {
		j = act(r->cf, "ip reputation", "ip", "203.0.113.77");
		n = sum_int(j, "match_count");
		if (n != 0 && n != 1)
			r->bad++;
		r->calls++;
		json_decref(j);
	}
	return NULL;
}

static void
app_concurrent_reload(void **state)
{
	static const char *const on[] = { "ip", "203.0.113.0/24" };
	static const char *const off[] = { "ip", "198.51.100.1" };
	struct racer	 r[4];
	GThread		*t[4];
	struct store	*st;
	struct config	*cf;
	gint		 stop = 0;
	char		*db = g_build_filename(tmpdir, "c.db", NULL), err[512];
	json_t		*j;
	int		 i, k;

	(void)state;
	assert_int_equal(MS_OK, store_open(db, &st, err, sizeof(err)));
	store_rows(st, "flip", off, 1);
	cf = app_config(db);
	for (i = 0; i < 4; i++) {
		r[i] = (struct racer){ cf, &stop, 0, 0 };
		t[i] = g_thread_new("racer", racer, &r[i]);
	}
	for (k = 0; k < 6; k++) {
		store_rows(st, "flip", k % 2 ? off : on, 1);
		usleep(400 * 1000);
	}
	g_atomic_int_set(&stop, 1);
	for (i = 0; i < 4; i++) {
		g_thread_join(t[i]);
		assert_int_equal(0, r[i].bad);
		assert_true(r[i].calls > 0);
	}
	usleep(1100 * 1000);	/* the last load ("off") is seen */
	j = act(cf, "ip reputation", "ip", "203.0.113.77");
	assert_int_equal(0, sum_int(j, "match_count"));
	json_decref(j);
	config_free(cf);
	store_close(st);
	g_free(db);
}

static int
count_row(void *arg, const struct store_intel_row *r)
{
	(void)r;
	(*(size_t *)arg)++;
	return 0;
}

/* Past 50,000 rows a load drops the value index and builds it at the
 * commit; replacing that big a source does the same.  Lookups work
 * after both, and an abort in bulk mode restores the index. */
static void
store_bulk_load(void **state)
{
	struct store_intel_load	*l;
	struct store_intel_row	 r;
	struct store		*st;
	char			*db = g_build_filename(tmpdir, "b.db", NULL);
	char			 err[512], v[64];
	size_t			 i, n, round;
	sqlite3			*sq;
	sqlite3_stmt		*s;

	(void)state;
	assert_int_equal(MS_OK, store_open(db, &st, err, sizeof(err)));
	for (round = 0; round < 3; round++) {
		assert_int_equal(MS_OK, store_intel_load_begin(st, "big", NULL,
		    &l));
		memset(&r, 0, sizeof(r));
		r.kind = "domain";
		for (i = 0; i < 60000; i++) {
			snprintf(v, sizeof(v), "d%zu-%zu.example", round, i);
			r.value = v;
			assert_int_equal(MS_OK, store_intel_load_add(l, &r));
		}
		if (round == 2) {
			store_intel_load_abort(l);
			break;
		}
		assert_int_equal(MS_OK, store_intel_load_commit(l, "list", 0,
		    &n));
		assert_int_equal(60000, n);
	}
	n = 0;
	assert_int_equal(MS_OK, store_intel_lookup(st, "domain",
	    "d1-59999.example", count_row, &n));
	assert_int_equal(1, n);
	n = 0;
	assert_int_equal(MS_OK, store_intel_lookup(st, "domain",
	    "d0-1.example", count_row, &n));
	assert_int_equal(0, n);
	store_close(st);
	assert_int_equal(SQLITE_OK, sqlite3_open(db, &sq));
	assert_int_equal(SQLITE_OK, sqlite3_prepare_v2(sq, "SELECT count(*) "
	    "FROM sqlite_master WHERE name = 'intel_indicators_value'", -1,
	    &s, NULL));
	assert_int_equal(SQLITE_ROW, sqlite3_step(s));
	assert_int_equal(1, sqlite3_column_int(s, 0));
	sqlite3_finalize(s);
	sqlite3_close(sq);
	g_free(db);
}

static int
setup(void **state)
{
	(void)state;
	tmpdir = g_dir_make_tmp("test_intel_XXXXXX", NULL);
	return tmpdir == NULL;
}

static int
teardown(void **state)
{
	char	*cmd;

	(void)state;
	cmd = g_strdup_printf("rm -rf '%s'", tmpdir);
	if (system(cmd) != 0)
		fprintf(stderr, "could not remove %s\n", tmpdir);
	g_free(cmd);
	g_free(tmpdir);
	return 0;
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(normalise_ip),
		cmocka_unit_test(normalise_names),
		cmocka_unit_test(normalise_url),
		cmocka_unit_test(normalise_limit),
		cmocka_unit_test(trie_v4),
		cmocka_unit_test(trie_v6),
		cmocka_unit_test(index_domains),
		cmocka_unit_test(index_expiry),
		cmocka_unit_test(index_urls),
		cmocka_unit_test(index_match_limit),
		cmocka_unit_test(app_end_to_end),
		cmocka_unit_test(store_abort_keeps_old),
		cmocka_unit_test(store_bulk_load),
		cmocka_unit_test(app_concurrent_reload),
	};

	return cmocka_run_group_tests(tests, setup, teardown);
}
