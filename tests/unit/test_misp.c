/* SPDX-License-Identifier: Apache-2.0 */
/*
 * test_misp.c -- the misp app against a stand-in for MISP's REST API:
 * an HTTP/1.1 server thread on 127.0.0.1 answering restSearch with the
 * documented {"response": {"Attribute": [...]}} shape and recording each
 * request so the tests can check its method, path, body and
 * Authorization header.
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

static char	*tmpdir;
static int	 port;
static int	 hits_429;

static const char HIT[] = "{\"response\":{\"Attribute\":[{\"id\":\"1\","
    "\"event_id\":\"42\",\"object_id\":\"0\",\"category\":\"Network activity\","
    "\"type\":\"domain\",\"to_ids\":true,\"value\":\"evil.example\","
    "\"Event\":{\"id\":\"42\",\"info\":\"Phishing wave\",\"org_id\":\"1\","
    "\"Orgc\":{\"id\":\"1\",\"name\":\"CIRCL\"}},"
    "\"Tag\":[{\"id\":\"3\",\"name\":\"tlp:amber\"}],\"Galaxy\":[{\"name\":"
    "\"Threat Actor\",\"GalaxyCluster\":[{\"value\":\"APT28\"}]}]},"
    "{\"id\":\"2\",\"event_id\":\"43\",\"category\":\"Network activity\","
    "\"type\":\"domain\",\"to_ids\":false,\"value\":\"evil.example\","
    "\"Event\":{\"id\":\"43\",\"info\":\"Seen\"}}]}}";
static const char NOHIT[] = "{\"response\":{\"Attribute\":[]}}";
static const char AUTHERR[] = "{\"name\":\"Authentication failed.\","
    "\"message\":\"Authentication failed.\",\"url\":\"/attributes\"}";

/* Answer one connection like MISP would. */
static void
serve(const struct httpd_req *req, int fd)
{
	const char	*buf = req->raw, *path = req->path;

	if (strstr(buf, "\r\nAuthorization: " KEY "\r\n") == NULL)
		httpd_reply(fd, 403, NULL, NULL, AUTHERR);
	else if (strcmp(path, "/servers/getVersion") == 0)
		httpd_reply(fd, 200, NULL, NULL, "{\"version\":\"2.4.180\"}");
	else if (strcmp(path, "/attributes/restSearch") != 0)
		httpd_reply(fd, 404, NULL, NULL, "{}");
	else if (strstr(buf, "\"evil.example\"") != NULL)
		httpd_reply(fd, 200, NULL, NULL, HIT);
	else if (strstr(buf, "\"1.2.3.4\"") != NULL) {
		if (g_atomic_int_add(&hits_429, 1) == 0)
			httpd_reply(fd, 429, "Retry-After: 1\r\n", NULL,
			    "{}");
		else
			httpd_reply(fd, 200, NULL, NULL, NOHIT);
	} else if (strstr(buf, "\"5.6.7.8\"") != NULL)
		httpd_reply(fd, 429, "Retry-After: 120\r\n", NULL, "{}");
	else if (strstr(buf, "\"9.9.9.9\"") != NULL)
		httpd_reply(fd, 200, NULL, NULL,
		    "{\"response\":{\"Attribute\":[");
	else if (strstr(buf, "\"10.0.0.1\"") != NULL)
		httpd_reply(fd, 502, NULL, NULL, "bad gateway");
	else if (strstr(buf, "\"10.0.0.2\"") != NULL) {
		httpd_stall(1500);
	} else
		httpd_reply(fd, 200, NULL, NULL, NOHIT);
}

static int
setup(void **state)
{
	(void)state;
	tmpdir = g_dir_make_tmp("ms-misp-XXXXXX", NULL);
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

	text = g_strdup_printf("[asset vt]\napp=misp\n"
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
	return apptest_run(&misp_app, cf, "vt", action, k, v, timeout_ms, ok,
	    transient);
}

static void
check_req(const char *value)
{
	char	*want = g_strdup_printf("\"value\":\"%s\"", value);
	char	*last_req = httpd_last();

	assert_non_null(last_req);
	assert_true(g_str_has_prefix(last_req,
	    "POST /attributes/restSearch HTTP/1.1\r\n"));
	assert_non_null(strstr(last_req, "\r\nAuthorization: " KEY "\r\n"));
	assert_non_null(strstr(last_req, "\r\nAccept: application/json\r\n"));
	assert_non_null(strstr(last_req, want));
	assert_non_null(strstr(last_req, "\"returnFormat\":\"json\""));
	assert_non_null(strstr(last_req, "\"includeEventTags\":true"));
	g_free(last_req);
	g_free(want);
}

static void
test_hunt(void **state)
{
	struct config	*cf = load("api_key=" KEY);
	json_t		*j, *d, *m;
	int		 ok, tr;

	(void)state;
	j = run(cf, "hunt domain", "domain", "evil.example", 5000, &ok, &tr);
	assert_true(ok);
	check_req("evil.example");
	assert_string_equal(apptest_sumstr(j, "verdict"), "malicious");
	assert_int_equal(apptest_sumint(j, "match_count"), 2);
	m = json_array_get(json_object_get(json_object_get(j, "summary"),
	    "matches"), 0);
	assert_string_equal(json_string_value(json_object_get(m,
	    "indicator")), "evil.example");
	assert_string_equal(json_string_value(json_object_get(m, "source")),
	    "CIRCL");
	assert_string_equal(json_string_value(json_object_get(json_array_get(
	    json_object_get(m, "attribution"), 0), "name")), "APT28");
	assert_string_equal(json_string_value(json_object_get(json_array_get(
	    json_object_get(m, "attribution"), 1), "name")), "Phishing wave");
	assert_int_equal(apptest_sumint(j, "events"), 2);
	d = json_array_get(json_object_get(j, "data"), 0);
	assert_string_equal(json_string_value(json_object_get(d,
	    "event_info")), "Phishing wave");
	assert_string_equal(json_string_value(json_object_get(d,
	    "event_id")), "42");
	assert_true(json_is_true(json_object_get(d, "to_ids")));
	assert_string_equal(json_string_value(json_array_get(
	    json_object_get(d, "tags"), 0)), "tlp:amber");
	assert_string_equal(json_string_value(json_array_get(
	    json_object_get(d, "galaxy_clusters"), 0)), "APT28");
	json_decref(j);

	j = run(cf, "file reputation", "hash",
	    "d41d8cd98f00b204e9800998ecf8427e", 5000, &ok, &tr);
	assert_true(ok);
	check_req("d41d8cd98f00b204e9800998ecf8427e");
	assert_string_equal(apptest_sumstr(j, "verdict"), "unknown");
	assert_int_equal(apptest_sumint(j, "match_count"), 0);
	json_decref(j);

	j = run(cf, "url reputation", "url", "http://a.example/\"x", 5000,
	    &ok, &tr);
	assert_true(ok);
	check_req("http://a.example/\\\"x");	/* JSON-escaped */
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
	t0 = g_get_monotonic_time();
	j = run(cf, "hunt ip", "ip", "1.2.3.4", 5000, &ok, &tr);
	assert_true(ok);
	assert_true(g_get_monotonic_time() - t0 >= 900000);
	json_decref(j);

	j = run(cf, "hunt ip", "ip", "5.6.7.8", 3000, &ok, &tr);
	assert_false(ok);
	assert_true(tr);
	assert_non_null(strstr(apptest_msg(j), "retry after 120 s"));
	json_decref(j);

	j = run(cf, "hunt ip", "ip", "9.9.9.9", 3000, &ok, &tr);
	assert_false(ok);
	assert_false(tr);
	assert_non_null(strstr(apptest_msg(j), "malformed JSON"));
	json_decref(j);

	j = run(cf, "ip reputation", "ip", "10.0.0.1", 3000, &ok, &tr);
	assert_false(ok);
	assert_true(tr);
	json_decref(j);

	t0 = g_get_monotonic_time();
	j = run(cf, "hunt ip", "ip", "10.0.0.2", 700, &ok, &tr);
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
	j = run(cf, "hunt ip", "ip", "8.8.8.8", 3000, &ok, &tr);
	assert_false(ok);
	assert_string_equal(apptest_msg(j), "misp: authentication failed (check api_key)");
	assert_false(tr);
	json_decref(j);
	config_free(cf);

	g_setenv("MS_TEST_MISP_KEY", KEY, TRUE);
	cf = load("api_key_env=MS_TEST_MISP_KEY");
	j = run(cf, "hunt ip", "ip", "8.8.8.8", 3000, &ok, &tr);
	assert_true(ok);
	json_decref(j);
	config_free(cf);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_hunt),
		cmocka_unit_test(test_errors),
		cmocka_unit_test(test_auth),
	};

	return cmocka_run_group_tests(tests, setup, teardown);
}
