/* SPDX-License-Identifier: Apache-2.0 */
/*
 * test_urlscan.c -- the urlscan app against a stand-in for urlscan.io's
 * API (https://urlscan.io/docs/api/): submissions answered like POST
 * /api/v1/scan/ (a uuid, or a 400 with message and description), results
 * that are 404 "Scan is not finished yet" before the report, and the
 * search API's {results, total, has_more}.
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
#include <jansson.h>

#include "apps/apps.h"
#include "engine/action.h"
#include "engine/config.h"
#include "apptest.h"
#include "httpd.h"

#define KEY	"sekret-KEY-123"
#define UUID	"0e7c4c8a-6d3f-4f3c-9d1e-2b5b1f0a9c11"
#define PENDING	"11111111-2222-4333-8444-555555555555"

static char	*tmpdir;
static int	 port;
static int	 polls;		/* result polls of UUID */

static const char SUBMITTED[] = "{\"message\":\"Submission successful\","
    "\"uuid\":\"" UUID "\",\"result\":\"https://urlscan.io/result/" UUID
    "/\",\"api\":\"https://urlscan.io/api/v1/result/" UUID "/\","
    "\"visibility\":\"unlisted\",\"options\":{\"useragent\":\"x\"},"
    "\"url\":\"http://phish.example/login\",\"country\":\"de\"}";
static const char SUBMITTED_PENDING[] = "{\"message\":\"Submission "
    "successful\",\"uuid\":\"" PENDING "\",\"result\":\"https://urlscan.io/"
    "result/" PENDING "/\",\"visibility\":\"unlisted\"}";
static const char DNSERR[] = "{\"message\":\"DNS Error - Could not "
    "resolve domain\",\"description\":\"The domain nxdomain.invalid could "
    "not be resolved to a valid IPv4/IPv6 address. We won't try to load "
    "it in the browser.\",\"status\":400}";
static const char NOTYET[] = "{\"message\":\"Scan is not finished yet\","
    "\"status\":404}";
static const char REPORT[] = "{\"data\":{\"requests\":[],\"cookies\":[],"
    "\"console\":[],\"links\":[],\"timing\":{},\"globals\":[]},"
    "\"stats\":{\"uniqIPs\":2},\"meta\":{\"processors\":{}},"
    "\"task\":{\"uuid\":\"" UUID "\",\"time\":\"2026-11-30T10:00:00.000Z\","
    "\"url\":\"http://phish.example/login\",\"visibility\":\"unlisted\","
    "\"method\":\"api\",\"tags\":[\"mailsoar\"],"
    "\"reportURL\":\"https://urlscan.io/result/" UUID "/\","
    "\"screenshotURL\":\"https://urlscan.io/screenshots/" UUID ".png\","
    "\"domURL\":\"https://urlscan.io/dom/" UUID "/\"},"
    "\"page\":{\"url\":\"https://phish.example/login\","
    "\"domain\":\"phish.example\",\"country\":\"NL\",\"server\":\"nginx\","
    "\"ip\":\"203.0.113.7\",\"asn\":\"AS64496\",\"asnname\":\"EXAMPLE-AS\","
    "\"status\":\"200\",\"mimeType\":\"text/html\","
    "\"title\":\"Sign in to your account\"},"
    "\"lists\":{\"ips\":[\"203.0.113.7\",\"198.51.100.9\"],"
    "\"countries\":[\"NL\"],\"asns\":[\"64496\"],"
    "\"domains\":[\"phish.example\",\"cdn.example\"],"
    "\"servers\":[\"nginx\"],\"urls\":[\"https://phish.example/login\"],"
    "\"linkDomains\":[],\"certificates\":[],\"hashes\":[]},"
    "\"verdicts\":{\"overall\":{\"score\":100,"
    "\"categories\":[\"phishing\"],\"brands\":[{\"key\":\"microsoft\","
    "\"name\":\"Microsoft\",\"country\":[\"International\"],"
    "\"vertical\":[\"Technology\"]}],\"tags\":[],\"malicious\":true,"
    "\"hasVerdicts\":true},\"urlscan\":{\"score\":100,"
    "\"malicious\":true},\"engines\":{\"score\":0,\"malicious\":[]},"
    "\"community\":{\"score\":0,\"votesTotal\":0}}}";
static const char SEARCH2[] = "{\"results\":[{\"task\":{\"visibility\":"
    "\"public\",\"method\":\"manual\",\"domain\":\"evil.example\","
    "\"time\":\"2026-11-29T08:00:00.000Z\",\"uuid\":\"" UUID "\","
    "\"url\":\"https://evil.example/a\"},\"stats\":{\"uniqIPs\":1},"
    "\"page\":{\"country\":\"US\",\"server\":\"cloudflare\","
    "\"domain\":\"evil.example\",\"ip\":\"192.0.2.10\",\"mimeType\":"
    "\"text/html\",\"asnname\":\"CLOUDFLARENET, US\",\"asn\":\"AS13335\","
    "\"url\":\"https://evil.example/a\",\"status\":\"200\"},\"_id\":\""
    UUID "\",\"sort\":[1,\"x\"],\"result\":\"https://urlscan.io/api/v1/"
    "result/" UUID "/\",\"screenshot\":\"https://urlscan.io/screenshots/"
    UUID ".png\"},{\"task\":{\"uuid\":\"" PENDING "\",\"url\":"
    "\"http://evil.example/b\",\"time\":\"2026-11-28T08:00:00.000Z\"},"
    "\"page\":{\"domain\":\"www.evil.example\",\"ip\":\"192.0.2.11\","
    "\"url\":\"http://www.evil.example/b\"},\"result\":\"https://urlscan.io"
    "/api/v1/result/" PENDING "/\"}],\"total\":2,\"took\":12,"
    "\"has_more\":false}";
static const char NOHIT[] = "{\"results\":[],\"total\":0,\"took\":3,"
    "\"has_more\":false}";
static const char AUTHERR[] = "{\"message\":\"Unauthorized\","
    "\"description\":\"API key invalid\",\"status\":401}";

/* Answer like urlscan.io. */
static void
serve(const struct httpd_req *req, int fd)
{
	const char	*raw = req->raw, *path = req->path;
	int		 keyed = strstr(raw, "\r\nAPI-Key: ") != NULL;
	char		*loc;

	if (keyed && strstr(raw, "\r\nAPI-Key: " KEY "\r\n") == NULL)
		httpd_reply(fd, 401, NULL, NULL, AUTHERR);
	else if (strcmp(req->method, "POST") == 0 &&
	    strcmp(path, "/api/v1/scan/") == 0) {
		if (!keyed)
			httpd_reply(fd, 401, NULL, NULL, AUTHERR);
		else if (strstr(req->body, "nxdomain.invalid") != NULL)
			httpd_reply(fd, 400, NULL, NULL, DNSERR);
		else if (strstr(req->body, "busy.example") != NULL)
			httpd_reply(fd, 429, "Retry-After: 120\r\n", NULL,
			    "{\"message\":\"Rate limit exceeded\"}");
		else if (strstr(req->body, "never.example") != NULL)
			httpd_reply(fd, 200, NULL, NULL, SUBMITTED_PENDING);
		else
			httpd_reply(fd, 200, NULL, NULL, SUBMITTED);
	} else if (strcmp(path, "/api/v1/result/" UUID "/") == 0) {
		if (g_atomic_int_add(&polls, 1) < 2)
			httpd_reply(fd, 404, NULL, NULL, NOTYET);
		else
			httpd_reply(fd, 200, NULL, NULL, REPORT);
	} else if (strcmp(path, "/api/v1/result/" PENDING "/") == 0)
		httpd_reply(fd, 404, NULL, NULL, NOTYET);
	else if (strcmp(path, "/api/v1/search/?q=domain%3Aevil.example"
	    "&size=20") == 0)
		httpd_reply(fd, 200, NULL, NULL, SEARCH2);
	else if (strcmp(path, "/api/v1/search/?q=domain%3Abroken.example"
	    "&size=20") == 0)
		httpd_reply(fd, 200, NULL, "text/html", "<html>oops</html>");
	else if (strcmp(path, "/api/v1/search/?q=domain%3Amoved.example"
	    "&size=20") == 0) {
		loc = g_strdup_printf("Location: http://127.0.0.1:%d/leak\r\n",
		    port);
		httpd_reply(fd, 302, loc, NULL, "{}");
		g_free(loc);
	} else if (strcmp(path, "/api/v1/search/?q=domain%3Aslow.example"
	    "&size=20") == 0)
		httpd_stall(1500);
	else if (g_str_has_prefix(path, "/api/v1/search/?q="))
		httpd_reply(fd, 200, NULL, NULL, NOHIT);
	else
		httpd_reply(fd, 404, NULL, NULL, "{\"message\":\"Not Found\","
		    "\"status\":404}");
}

static int
setup(void **state)
{
	(void)state;
	tmpdir = g_dir_make_tmp("ms-urlscan-XXXXXX", NULL);
	port = httpd_start(serve);
	return 0;
}

static int
teardown(void **state)
{
	(void)state;
	httpd_stop();
	g_free(tmpdir);
	return 0;
}

/* A config with asset "us" on the stand-in and 'extra' lines; NULL when
 * the asset does not initialise ('err' then says why). */
static struct config *
load(const char *extra, char *err, size_t errlen)
{
	struct config	*cf;
	char		*text;

	text = g_strdup_printf("[asset us]\napp=urlscan\n"
	    "base_url=http://127.0.0.1:%d\n%s%s\n", port,
	    strstr(extra, "poll_") ? "" :
	    "poll_delay_ms=0\npoll_interval_ms=50\n", extra);
	cf = apptest_load(tmpdir, text, err, errlen);
	g_free(text);
	return cf;
}

static json_t *
runv(struct config *cf, const char *action, const char **k, const char **v,
    size_t n, int timeout_ms, int *ok, int *transient)
{
	return apptest_runv(&urlscan_app, cf, "us", action, k, v, n,
	    timeout_ms, ok, transient);
}

static json_t *
run(struct config *cf, const char *action, const char *k, const char *v,
    int timeout_ms, int *ok, int *transient)
{
	return apptest_run(&urlscan_app, cf, "us", action, k, v, timeout_ms,
	    ok, transient);
}

/* The last request's body as JSON. */
static json_t *
last_body(void)
{
	char	*raw = httpd_last(), *b;
	json_t	*j;

	assert_non_null(raw);
	b = strstr(raw, "\r\n\r\n");
	assert_non_null(b);
	j = json_loads(b + 4, 0, NULL);
	assert_non_null(j);
	g_free(raw);
	return j;
}

static void
test_detonate(void **state)
{
	const char	*k[] = { "url", "tags" };
	const char	*v[] = { "http://phish.example/login",
			    "mailsoar, case-7" };
	const char	*k3[] = { "url", "tags", "get_result" };
	const char	*v3[] = { "http://phish.example/login",
			    "mailsoar, case-7", "false" };
	char		 err[512];
	struct config	*cf = load("api_key=" KEY, err, sizeof(err));
	json_t		*j, *d, *b;
	int		 ok, tr;

	(void)state;
	assert_non_null(cf);
	g_atomic_int_set(&polls, 0);
	j = runv(cf, "detonate url", k, v, 2, 5000, &ok, &tr);
	assert_true(ok);
	assert_int_equal(g_atomic_int_get(&polls), 3);	/* 404, 404, 200 */
	assert_string_equal(apptest_sumstr(j, "verdict"), "malicious");
	assert_int_equal(apptest_sumint(j, "score"), 100);
	assert_string_equal(apptest_sumstr(j, "uuid"), UUID);
	assert_string_equal(apptest_sumstr(j, "screenshot_url"),
	    "https://urlscan.io/screenshots/" UUID ".png");
	assert_string_equal(json_string_value(json_array_get(json_object_get(
	    json_object_get(j, "summary"), "brands"), 0)), "Microsoft");
	d = json_array_get(json_object_get(j, "data"), 0);
	assert_string_equal(json_string_value(json_object_get(d,
	    "page_domain")), "phish.example");
	assert_string_equal(json_string_value(json_object_get(d,
	    "page_ip")), "203.0.113.7");
	assert_string_equal(json_string_value(json_object_get(d,
	    "page_title")), "Sign in to your account");
	assert_int_equal(json_array_size(json_object_get(json_object_get(d,
	    "lists"), "ips")), 2);
	json_decref(j);

	/* What was submitted: the URL, unlisted, the tags.  The last
	 * request was the final poll: submit again without waiting. */
	k[1] = "get_result";
	v[1] = "false";
	j = runv(cf, "detonate url", k, v, 2, 5000, &ok, &tr);
	assert_true(ok);
	assert_string_equal(apptest_sumstr(j, "uuid"), UUID);
	assert_null(json_object_get(json_object_get(j, "summary"),
	    "verdict"));
	b = last_body();
	assert_string_equal(json_string_value(json_object_get(b, "url")),
	    "http://phish.example/login");
	assert_string_equal(json_string_value(json_object_get(b,
	    "visibility")), "unlisted");
	json_decref(b);
	json_decref(j);

	k[1] = "private";
	v[1] = "true";
	g_atomic_int_set(&polls, 0);
	j = runv(cf, "detonate url", k, v, 2, 5000, &ok, &tr);
	assert_true(ok);
	json_decref(j);

	/* The tags, checked on a submission that does not wait. */
	j = runv(cf, "detonate url", k3, v3, 3, 5000, &ok, &tr);
	assert_true(ok);
	b = last_body();
	assert_int_equal(json_array_size(json_object_get(b, "tags")), 2);
	assert_string_equal(json_string_value(json_array_get(
	    json_object_get(b, "tags"), 1)), "case-7");
	json_decref(b);
	json_decref(j);
	config_free(cf);
}

static void
test_refused_and_pending(void **state)
{
	char		 err[512];
	struct config	*cf = load("api_key=" KEY, err, sizeof(err));
	json_t		*j;
	gint64		 t0;
	int		 ok, tr;

	(void)state;
	j = run(cf, "detonate url", "url", "http://nxdomain.invalid/x", 3000,
	    &ok, &tr);
	assert_false(ok);
	assert_false(tr);
	assert_non_null(strstr(apptest_msg(j), "could not be resolved"));
	json_decref(j);

	/* A scan that never finishes: a transient failure naming it,
	 * within the time budget. */
	t0 = g_get_monotonic_time();
	j = run(cf, "detonate url", "url", "http://never.example/", 800,
	    &ok, &tr);
	assert_false(ok);
	assert_true(tr);
	assert_non_null(strstr(apptest_msg(j), PENDING));
	assert_true(g_get_monotonic_time() - t0 < 2000000);
	json_decref(j);

	j = run(cf, "get report", "id", PENDING, 3000, &ok, &tr);
	assert_false(ok);
	assert_false(tr);
	assert_non_null(strstr(apptest_msg(j), "no result yet"));
	json_decref(j);

	j = run(cf, "get report", "id", "../../etc/passwd", 3000, &ok, &tr);
	assert_false(ok);
	assert_string_equal(apptest_msg(j), "id: not a scan uuid");
	json_decref(j);

	j = run(cf, "detonate url", "url", "http://busy.example/", 3000,
	    &ok, &tr);
	assert_false(ok);
	assert_true(tr);
	assert_non_null(strstr(apptest_msg(j), "retry after 120 s"));
	json_decref(j);
	config_free(cf);
}

static void
test_hunt(void **state)
{
	char		 err[512];
	struct config	*cf = load("", err, sizeof(err));
	json_t		*j, *d;
	char		*raw;
	gint64		 t0;
	int		 ok, tr;

	(void)state;
	/* Searching needs no key. */
	j = run(cf, "hunt domain", "domain", "evil.example", 3000, &ok, &tr);
	assert_true(ok);
	assert_int_equal(apptest_sumint(j, "total"), 2);
	assert_int_equal(apptest_sumint(j, "results"), 2);
	assert_int_equal(json_array_size(json_object_get(json_object_get(j,
	    "summary"), "page_domains")), 2);
	d = json_array_get(json_object_get(j, "data"), 0);
	assert_string_equal(json_string_value(json_object_get(d,
	    "page_ip")), "192.0.2.10");
	assert_string_equal(json_string_value(json_object_get(d,
	    "page_asnname")), "CLOUDFLARENET, US");
	json_decref(j);

	j = run(cf, "hunt ip", "ip", "2001:db8::1", 3000, &ok, &tr);
	assert_true(ok);
	assert_int_equal(apptest_sumint(j, "total"), 0);
	raw = httpd_last();
	assert_true(g_str_has_prefix(raw, "GET /api/v1/search/?q=ip%3A%22"
	    "2001%3Adb8%3A%3A1%22&size=20 HTTP/1.1\r\n"));
	assert_null(strstr(raw, "API-Key"));
	g_free(raw);
	json_decref(j);

	j = run(cf, "hunt url", "url", "http://a.example/?q=\"x\" y", 3000,
	    &ok, &tr);
	assert_true(ok);
	raw = httpd_last();
	assert_true(g_str_has_prefix(raw, "GET /api/v1/search/?q=task.url"
	    "%3A%22http%3A%2F%2Fa.example%2F%3Fq%3D%5C%22x%5C%22%20y%22"
	    "&size=20 HTTP/1.1\r\n"));
	g_free(raw);
	json_decref(j);

	/* A server that does not answer: transient, within the budget. */
	t0 = g_get_monotonic_time();
	j = run(cf, "hunt domain", "domain", "slow.example", 700, &ok, &tr);
	assert_false(ok);
	assert_true(tr);
	assert_true(g_get_monotonic_time() - t0 < 1400000);
	json_decref(j);

	j = run(cf, "hunt domain", "domain", "a/b", 3000, &ok, &tr);
	assert_false(ok);
	assert_string_equal(apptest_msg(j), "domain: not a domain name");
	json_decref(j);

	j = run(cf, "hunt domain", "domain", "broken.example", 3000, &ok,
	    &tr);
	assert_false(ok);
	assert_false(tr);
	assert_non_null(strstr(apptest_msg(j), "malformed JSON"));
	json_decref(j);

	/* Submitting does need one. */
	j = run(cf, "detonate url", "url", "http://phish.example/", 3000,
	    &ok, &tr);
	assert_false(ok);
	assert_string_equal(apptest_msg(j), "urlscan: no api_key set");
	json_decref(j);
	config_free(cf);
}

static void
test_key_never_follows_a_redirect(void **state)
{
	char		 err[512];
	struct config	*cf = load("api_key=" KEY, err, sizeof(err));
	json_t		*j;
	char		*raw;
	int		 ok, tr;

	(void)state;
	j = run(cf, "hunt domain", "domain", "moved.example", 3000, &ok, &tr);
	assert_false(ok);
	assert_non_null(strstr(apptest_msg(j), "HTTP status 302"));
	raw = httpd_last();
	assert_true(g_str_has_prefix(raw, "GET /api/v1/search/"));
	g_free(raw);
	json_decref(j);
	config_free(cf);
}

static void
test_auth_and_config(void **state)
{
	char		 err[512];
	struct config	*cf = load("api_key=wrong-key", err, sizeof(err));
	json_t		*j;
	int		 ok, tr;

	(void)state;
	j = run(cf, "hunt domain", "domain", "evil.example", 3000, &ok, &tr);
	assert_false(ok);
	assert_false(tr);
	assert_string_equal(apptest_msg(j), "urlscan: authentication failed (check "
	    "api_key)");
	json_decref(j);
	config_free(cf);

	assert_null(load("visibility=everyone", err, sizeof(err)));
	assert_non_null(strstr(err, "visibility: 'public', 'unlisted' or "
	    "'private', not 'everyone'"));
	assert_null(load("poll_interval_ms=0", err, sizeof(err)));
	assert_non_null(strstr(err, "poll_interval_ms"));
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_detonate),
		cmocka_unit_test(test_refused_and_pending),
		cmocka_unit_test(test_hunt),
		cmocka_unit_test(test_key_never_follows_a_redirect),
		cmocka_unit_test(test_auth_and_config),
	};

	return cmocka_run_group_tests(tests, setup, teardown);
}
