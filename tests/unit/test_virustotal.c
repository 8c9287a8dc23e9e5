/* SPDX-License-Identifier: Apache-2.0 */
/*
 * test_virustotal.c -- the virustotal app against a stand-in for the
 * VirusTotal v3 API: an HTTP/1.1 server thread on 127.0.0.1 answering
 * with the documented object shapes (data.attributes with
 * last_analysis_stats, error objects) and recording each request so the
 * tests can check its method, path and x-apikey header.
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

#define KEY		"sekret-KEY-123"
#define SHA256		\
	"275a021bbfb6489e54d471899f7db9d1663fc695ec2fe2a2c4538aabf651fd0f"
#define UNKNOWN		"d41d8cd98f00b204e9800998ecf8427e"

static char	*tmpdir;
static int	 port;
static int	 hits_429;

static const char FILE_OBJ[] = "{\"data\":{\"id\":\"" SHA256 "\","
    "\"type\":\"file\",\"links\":{\"self\":\"x\"},\"attributes\":{"
    "\"names\":[\"eicar.com\",\"eicar.txt\"],\"type_description\":\"Text\","
    "\"md5\":\"44d88612fea8a8f36de82e1278abb02f\",\"size\":68,"
    "\"last_analysis_date\":1700000000,\"reputation\":-50,"
    "\"tags\":[\"text\"],\"popular_threat_classification\":{"
    "\"suggested_threat_label\":\"virus.eicar/test\"},"
    "\"last_analysis_stats\":{\"harmless\":0,"
    "\"type-unsupported\":8,\"suspicious\":0,\"timeout\":0,"
    "\"malicious\":62,\"undetected\":5}}}}";
static const char URL_OBJ[] = "{\"data\":{\"id\":\"x\",\"type\":\"url\","
    "\"attributes\":{\"url\":\"http://example.com/a?b=c\","
    "\"last_final_url\":\"http://example.com/a?b=c\","
    "\"categories\":{\"Forcepoint ThreatSeeker\":\"phishing\"},"
    "\"reputation\":0,\"last_analysis_stats\":{\"harmless\":60,"
    "\"malicious\":1,\"suspicious\":0,\"undetected\":10,\"timeout\":0}}}}";
static const char DOMAIN_OBJ[] = "{\"data\":{\"id\":\"example.com\","
    "\"type\":\"domain\",\"attributes\":{\"registrar\":\"RESERVED-IANA\","
    "\"categories\":{},\"reputation\":5,\"tags\":[],"
    "\"last_analysis_stats\":{\"harmless\":70,\"malicious\":0,"
    "\"suspicious\":0,\"undetected\":20,\"timeout\":0}}}}";
static const char IP_OBJ[] = "{\"data\":{\"id\":\"8.8.8.8\","
    "\"type\":\"ip_address\",\"attributes\":{\"as_owner\":\"GOOGLE\","
    "\"asn\":15169,\"country\":\"US\",\"network\":\"8.8.8.0/24\","
    "\"reputation\":500,\"last_analysis_stats\":{\"harmless\":0,"
    "\"malicious\":0,\"suspicious\":0,\"undetected\":90,\"timeout\":0}}}}";
static const char NOTFOUND[] = "{\"error\":{\"code\":\"NotFoundError\","
    "\"message\":\"not found\"}}";
static const char AUTHERR[] = "{\"error\":{\"code\":"
    "\"WrongCredentialsError\",\"message\":\"Wrong API key\"}}";

/* Answer one connection like VirusTotal would. */
static void
serve(const struct httpd_req *req, int fd)
{
	const char	*buf = req->raw, *path = req->path;
	int		 authed;

	if (strcmp(req->method, "GET") != 0) {
		httpd_reply(fd, 405, NULL, NULL, "{}");
		return;
	}
	authed = strstr(buf, "\r\nx-apikey: " KEY "\r\n") != NULL;
	if (!authed)
		httpd_reply(fd, 401, NULL, NULL, AUTHERR);
	else if (strcmp(path, "/api/v3/files/" SHA256) == 0)
		httpd_reply(fd, 200, NULL, NULL, FILE_OBJ);
	else if (strcmp(path, "/api/v3/urls/"
	    "aHR0cDovL2V4YW1wbGUuY29tL2E_Yj1j") == 0)
		httpd_reply(fd, 200, NULL, NULL, URL_OBJ);
	else if (strcmp(path, "/api/v3/domains/example.com") == 0)
		httpd_reply(fd, 200, NULL, NULL, DOMAIN_OBJ);
	else if (strcmp(path, "/api/v3/ip_addresses/8.8.8.8") == 0)
		httpd_reply(fd, 200, NULL, NULL, IP_OBJ);
	else if (strcmp(path, "/api/v3/ip_addresses/1.2.3.4") == 0) {
		if (g_atomic_int_add(&hits_429, 1) == 0)
			httpd_reply(fd, 429, "Retry-After: 1\r\n", NULL,
			    "{}");
		else
			httpd_reply(fd, 200, NULL, NULL, IP_OBJ);
	} else if (strcmp(path, "/api/v3/ip_addresses/5.6.7.8") == 0)
		httpd_reply(fd, 429, "Retry-After: 120\r\n", NULL,
		    "{\"error\":{}}");
	else if (strcmp(path, "/api/v3/ip_addresses/9.9.9.9") == 0)
		httpd_reply(fd, 200, NULL, NULL, "{\"data\":{\"attributes\":");
	else if (strcmp(path, "/api/v3/ip_addresses/10.0.0.1") == 0)
		httpd_reply(fd, 503, NULL, NULL, "oops");
	else if (strcmp(path, "/api/v3/ip_addresses/10.0.0.2") == 0) {
		httpd_stall(1500);
	} else
		httpd_reply(fd, 404, NULL, NULL, NOTFOUND);
}

static int
setup(void **state)
{
	(void)state;
	tmpdir = g_dir_make_tmp("ms-vt-XXXXXX", NULL);
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

static struct config *
load(const char *key_line)
{
	struct config	*cf;
	char		*text, err[512];

	text = g_strdup_printf("[asset vt]\napp=virustotal\n"
	    "base_url=http://127.0.0.1:%d\n%s\n", port, key_line);
	if ((cf = apptest_load(tmpdir, text, err, sizeof(err))) == NULL)
		fail_msg("%s", err);
	g_free(text);
	return cf;
}

/* Run 'action' with one parameter; the result as JSON, and its status. */
static json_t *
run(struct config *cf, const char *action, const char *k, const char *v,
    int timeout_ms, int *ok, int *transient)
{
	return apptest_run(&virustotal_app, cf, "vt", action, k, v, timeout_ms, ok,
	    transient);
}

static void
check_req(const char *path)
{
	char	*want = g_strdup_printf("GET %s HTTP/1.1\r\n", path);
	char	*last_req = httpd_last();

	assert_non_null(last_req);
	assert_true(g_str_has_prefix(last_req, want));
	assert_non_null(strstr(last_req, "\r\nx-apikey: " KEY "\r\n"));
	g_free(last_req);
	g_free(want);
}

static void
test_file(void **state)
{
	struct config	*cf = load("api_key=" KEY);
	json_t		*j, *d, *m;
	int		 ok, tr;

	(void)state;
	j = run(cf, "file reputation", "hash", SHA256, 5000, &ok, &tr);
	assert_true(ok);
	check_req("/api/v3/files/" SHA256);
	assert_string_equal(apptest_sumstr(j, "verdict"), "malicious");
	assert_int_equal(apptest_sumint(j, "malicious"), 62);
	assert_int_equal(apptest_sumint(j, "undetected"), 5);
	assert_int_equal(apptest_sumint(j, "reputation"), -50);
	d = json_array_get(json_object_get(j, "data"), 0);
	assert_string_equal(json_string_value(json_array_get(
	    json_object_get(d, "names"), 0)), "eicar.com");
	assert_int_equal(json_integer_value(json_object_get(d,
	    "last_analysis_date")), 1700000000);
	/* The summary's matches, as every reputation app gives them. */
	assert_int_equal(apptest_sumint(j, "match_count"), 1);
	m = json_array_get(json_object_get(json_object_get(j, "summary"),
	    "matches"), 0);
	assert_string_equal(json_string_value(json_object_get(m, "source")),
	    "virustotal");
	assert_string_equal(json_string_value(json_object_get(m,
	    "indicator")), SHA256);
	assert_string_equal(json_string_value(json_array_get(
	    json_object_get(m, "tags"), 0)), "text");
	assert_string_equal(json_string_value(json_object_get(json_array_get(
	    json_object_get(m, "attribution"), 0), "name")),
	    "virus.eicar/test");
	json_decref(j);

	j = run(cf, "file reputation", "hash", UNKNOWN, 5000, &ok, &tr);
	assert_true(ok);
	assert_string_equal(apptest_sumstr(j, "verdict"), "unknown");
	assert_int_equal(apptest_sumint(j, "match_count"), 0);
	assert_non_null(strstr(apptest_msg(j), "not found in VirusTotal"));
	json_decref(j);

	j = run(cf, "file reputation", "hash", "../etc", 5000, &ok, &tr);
	assert_false(ok);
	json_decref(j);
	config_free(cf);
}

static void
test_url_domain_ip(void **state)
{
	struct config	*cf = load("api_key=" KEY);
	json_t		*j;
	int		 ok, tr;

	(void)state;
	/* base64url of the URL, unpadded: '?' gives '_' not '/' */
	j = run(cf, "url reputation", "url", "http://example.com/a?b=c",
	    5000, &ok, &tr);
	assert_true(ok);
	check_req("/api/v3/urls/aHR0cDovL2V4YW1wbGUuY29tL2E_Yj1j");
	assert_string_equal(apptest_sumstr(j, "verdict"), "suspicious");
	json_decref(j);

	j = run(cf, "domain reputation", "domain", "example.com", 5000, &ok,
	    &tr);
	assert_true(ok);
	check_req("/api/v3/domains/example.com");
	assert_string_equal(apptest_sumstr(j, "verdict"), "harmless");
	assert_int_equal(apptest_sumint(j, "reputation"), 5);
	json_decref(j);

	j = run(cf, "ip reputation", "ip", "8.8.8.8", 5000, &ok, &tr);
	assert_true(ok);
	check_req("/api/v3/ip_addresses/8.8.8.8");
	assert_string_equal(apptest_sumstr(j, "verdict"), "undetected");
	json_decref(j);
	config_free(cf);
}

static void
test_errors(void **state)
{
	struct config	*cf = load("api_key=" KEY);
	json_t		*j;
	gint64		 t0;
	int		 ok, tr;

	(void)state;
	/* 429 with a Retry-After that fits: waited out, then success */
	t0 = g_get_monotonic_time();
	j = run(cf, "ip reputation", "ip", "1.2.3.4", 5000, &ok, &tr);
	assert_true(ok);
	assert_true(g_get_monotonic_time() - t0 >= 900000);
	json_decref(j);

	/* 429 with a Retry-After that does not fit: transient, says when */
	j = run(cf, "ip reputation", "ip", "5.6.7.8", 3000, &ok, &tr);
	assert_false(ok);
	assert_true(tr);
	assert_non_null(strstr(apptest_msg(j), "retry after 120 s"));
	json_decref(j);

	j = run(cf, "ip reputation", "ip", "9.9.9.9", 3000, &ok, &tr);
	assert_false(ok);
	assert_false(tr);
	assert_non_null(strstr(apptest_msg(j), "malformed JSON"));
	json_decref(j);

	j = run(cf, "ip reputation", "ip", "10.0.0.1", 3000, &ok, &tr);
	assert_false(ok);
	assert_true(tr);
	json_decref(j);

	/* a server that never answers: transient within the budget */
	t0 = g_get_monotonic_time();
	j = run(cf, "ip reputation", "ip", "10.0.0.2", 700, &ok, &tr);
	assert_false(ok);
	assert_true(tr);
	assert_true(g_get_monotonic_time() - t0 < 3000000);
	json_decref(j);
	config_free(cf);
}

static void
test_auth(void **state)
{
	struct config	*cf = load("api_key=wrong-key");
	json_t		*j;
	int		 ok, tr;

	(void)state;
	j = run(cf, "ip reputation", "ip", "8.8.8.8", 3000, &ok, &tr);
	assert_false(ok);
	assert_string_equal(apptest_msg(j), "virustotal: authentication failed (check api_key)");
	assert_false(tr);
	json_decref(j);
	config_free(cf);

	/* the key from the environment works */
	g_setenv("MS_TEST_VT_KEY", KEY, TRUE);
	cf = load("api_key_env=MS_TEST_VT_KEY");
	j = run(cf, "ip reputation", "ip", "8.8.8.8", 3000, &ok, &tr);
	assert_true(ok);
	json_decref(j);
	config_free(cf);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_file),
		cmocka_unit_test(test_url_domain_ip),
		cmocka_unit_test(test_errors),
		cmocka_unit_test(test_auth),
	};

	return cmocka_run_group_tests(tests, setup, teardown);
}
