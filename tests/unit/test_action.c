/* SPDX-License-Identifier: Apache-2.0 */
/*
 * test_action.c -- action calls (action.c) and their JSON results
 * (result.c): parameter checking and its messages, the result's shape,
 * failures and transient ones, reset before a retry, results set from
 * JSON by Python apps, the time budget, and strings that are not UTF-8.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>
#include <math.h>

#include <cmocka.h>
#include <glib.h>

#include "engine/action.h"
#include "engine/result.h"

static int	runs;

/* Succeeds with one data item of every type, a summary and a message. */
static enum ms_err
geo_fn(struct action_ctx *ctx)
{
	struct rdict	*d = action_add_data(ctx), *sub;
	struct rlist	*l;

	runs++;
	rdict_set_str(d, "ip", action_param(ctx, "ip"));
	rdict_set_int(d, "asn", 15169);
	rdict_set_real(d, "lat", 35.68536);
	rdict_set_real(d, "nan", NAN);
	rdict_set_bool(d, "eu", 1);
	rdict_set_str(d, "none", NULL);
	sub = rdict_add_dict(d, "names");
	rdict_set_str(sub, "en", "Japan");
	l = rdict_add_list(d, "tags");
	rlist_add_str(l, "a");
	rlist_add_int(l, 2);
	rdict_set_str(rlist_add_dict(l), "k", "v");
	rdict_set_str(action_summary(ctx), "country", "JP");
	action_set_message(ctx, "found %d", 1);
	return MS_OK;
}

static enum ms_err
neterr_fn(struct action_ctx *ctx)
{
	(void)action_add_data(ctx);
	return MS_ENET;
}

static enum ms_err
bad_fn(struct action_ctx *ctx)
{
	action_fail(ctx, 0, "'%s' is not an IP address",
	    action_param(ctx, "ip"));
	return MS_OK;
}

static enum ms_err
utf8_fn(struct action_ctx *ctx)
{
	struct rdict	*d = action_add_data(ctx);

	rdict_set_str(d, "name", "caf\xe9 \xff\xfe ok");
	rdict_set_str(d, "k\xc3", "v");
	return MS_OK;
}

static enum ms_err
sleep_fn(struct action_ctx *ctx)
{
	int	left = action_time_left_ms(ctx);

	assert_true(left >= 1 && left <= 100);
	g_usleep(150 * 1000);
	assert_int_equal(action_time_left_ms(ctx), 1);
	return MS_OK;
}

static const struct app_param ip_params[] = {
	{ "ip", "ip", APP_PARAM_REQUIRED, "the address" },
	{ NULL, NULL, 0, NULL }
};

static const struct app_param dns_params[] = {
	{ "domain", "domain", APP_PARAM_REQUIRED, NULL },
	{ "type", NULL, 0, NULL },
	{ NULL, NULL, 0, NULL }
};

static const struct app_action actions[] = {
	{ "geolocate ip", "where", ip_params, NULL, geo_fn, 0 },
	{ "lookup domain", "dns", dns_params, NULL, geo_fn, 0 },
	{ "neterr", NULL, ip_params, NULL, neterr_fn, 0 },
	{ "bad", NULL, ip_params, NULL, bad_fn, 0 },
	{ "utf8", NULL, ip_params, NULL, utf8_fn, 0 },
	{ "sleep", NULL, ip_params, NULL, sleep_fn, 0 },
	{ NULL, NULL, NULL, NULL, NULL, 0 }
};

static const struct app test_app = {
	"test", "a test app", actions, NULL, NULL, NULL, NULL
};

static struct action_ctx *
call(const char *action, const char *k1, const char *v1, const char *k2,
    const char *v2, int timeout_ms)
{
	const char	*keys[2] = { k1, k2 }, *vals[2] = { v1, v2 };
	const struct app_action *act = action_find(&test_app, action);

	assert_non_null(act);
	return action_ctx_new(act, NULL, keys, vals, k2 ? 2 : k1 ? 1 : 0,
	    timeout_ms);
}

static void
find(void **state)
{
	(void)state;
	assert_string_equal(action_find(&test_app, "bad")->name, "bad");
	assert_null(action_find(&test_app, "geolocate"));
	assert_null(action_find(NULL, "bad"));
}

/* The messages list the valid parameters, as the brief's example. */
static void
check_params(void **state)
{
	struct action_ctx	*ctx;
	char			 err[256];

	(void)state;
	ctx = call("geolocate ip", "ipp", "1.2.3.4", NULL, NULL, 0);
	assert_int_equal(action_ctx_check(ctx, err, sizeof(err)), MS_EINVAL);
	assert_string_equal(err, "geolocate ip: unknown parameter 'ipp'; "
	    "valid: ip (required)");
	action_ctx_free(ctx);

	ctx = call("lookup domain", "type", "MX", NULL, NULL, 0);
	assert_int_equal(action_ctx_check(ctx, err, sizeof(err)), MS_EINVAL);
	assert_string_equal(err, "lookup domain: missing required parameter "
	    "'domain'; valid: domain (required), type");
	action_ctx_free(ctx);

	ctx = call("lookup domain", "domain", "", NULL, NULL, 0);
	assert_int_equal(action_ctx_check(ctx, err, sizeof(err)), MS_EINVAL);
	assert_non_null(strstr(err, "missing required parameter 'domain'"));
	action_ctx_free(ctx);

	ctx = call("lookup domain", "domain", "a.example", "domain", "b", 0);
	assert_int_equal(action_ctx_check(ctx, err, sizeof(err)), MS_EINVAL);
	assert_non_null(strstr(err, "parameter 'domain' given twice"));
	action_ctx_free(ctx);

	ctx = call("lookup domain", "type", "MX", "domain", "a.example", 0);
	assert_int_equal(action_ctx_check(ctx, err, sizeof(err)), MS_OK);
	action_ctx_free(ctx);
}

static void
result_shape(void **state)
{
	struct action_ctx	*ctx;
	char			*s;

	(void)state;
	ctx = call("geolocate ip", "ip", "2001:218::1", NULL, NULL, 0);
	assert_false(action_ctx_ok(ctx));	/* not run yet */
	action_ctx_run(ctx);
	assert_true(action_ctx_ok(ctx));
	assert_false(action_ctx_transient(ctx));
	assert_string_equal(action_ctx_message(ctx), "found 1");
	s = action_ctx_result_json(ctx);
	assert_string_equal(s, "{\"data\":[{\"asn\":15169,\"eu\":true,"
	    "\"ip\":\"2001:218::1\",\"lat\":35.68536,\"names\":{\"en\":"
	    "\"Japan\"},\"nan\":null,\"none\":null,\"tags\":[\"a\",2,"
	    "{\"k\":\"v\"}]}],\"message\":\"found 1\",\"parameter\":"
	    "{\"ip\":\"2001:218::1\"},\"status\":\"success\",\"summary\":"
	    "{\"country\":\"JP\"}}");
	xfree(s);
	action_ctx_free(ctx);
}

static void
params_json(void **state)
{
	struct action_ctx	*ctx;
	char			*s;

	(void)state;
	ctx = call("lookup domain", "type", "MX", "domain", "a.example", 0);
	s = action_ctx_params_json(ctx);
	assert_string_equal(s, "{\"domain\":\"a.example\",\"type\":\"MX\"}");
	xfree(s);
	action_ctx_free(ctx);
}

/* An error code without action_fail() is a failure with its name;
 * MS_ENET is worth a retry.  Reset forgets everything. */
static void
fail_and_reset(void **state)
{
	struct action_ctx	*ctx;
	char			*s;

	(void)state;
	ctx = call("neterr", "ip", "192.0.2.1", NULL, NULL, 0);
	action_ctx_run(ctx);
	assert_false(action_ctx_ok(ctx));
	assert_true(action_ctx_transient(ctx));
	assert_string_equal(action_ctx_message(ctx), "network error");
	s = action_ctx_result_json(ctx);
	assert_non_null(strstr(s, "\"status\":\"failed\""));
	assert_non_null(strstr(s, "\"data\":[{}]"));
	xfree(s);

	action_ctx_reset(ctx);
	assert_false(action_ctx_ok(ctx));
	assert_false(action_ctx_transient(ctx));
	assert_string_equal(action_ctx_message(ctx), "");
	s = action_ctx_result_json(ctx);
	assert_string_equal(s, "{\"data\":[],\"message\":\"\",\"parameter\":"
	    "{\"ip\":\"192.0.2.1\"},\"status\":\"failed\",\"summary\":{}}");
	xfree(s);
	action_ctx_run(ctx);	/* a retry: one data item, not two */
	s = action_ctx_result_json(ctx);
	assert_non_null(strstr(s, "\"data\":[{}]"));
	xfree(s);
	action_ctx_free(ctx);

	ctx = call("bad", "ip", "999.1.1.1", NULL, NULL, 0);
	action_ctx_run(ctx);
	assert_false(action_ctx_ok(ctx));
	assert_false(action_ctx_transient(ctx));
	assert_string_equal(action_ctx_message(ctx),
	    "'999.1.1.1' is not an IP address");
	action_ctx_free(ctx);
}

static void
python_result(void **state)
{
	struct action_ctx	*ctx;
	char			*s;

	(void)state;
	ctx = call("geolocate ip", "ip", "1.2.3.4", NULL, NULL, 0);
	action_ctx_run(ctx);
	assert_int_equal(action_set_result_json(ctx, "{\"data\":[{\"a\":1},"
	    "{\"b\":[true]}],\"summary\":{\"n\":2},\"message\":\"two\"}"),
	    MS_OK);
	assert_true(action_ctx_ok(ctx));
	s = action_ctx_result_json(ctx);
	assert_string_equal(s, "{\"data\":[{\"a\":1},{\"b\":[true]}],"
	    "\"message\":\"two\",\"parameter\":{\"ip\":\"1.2.3.4\"},"
	    "\"status\":\"success\",\"summary\":{\"n\":2}}");
	xfree(s);

	/* Malformed: refused, result unchanged. */
	assert_int_equal(action_set_result_json(ctx, "{\"data\":"), MS_EINVAL);
	assert_int_equal(action_set_result_json(ctx, "[1]"), MS_EINVAL);
	assert_int_equal(action_set_result_json(ctx, "{\"data\":{}}"),
	    MS_EINVAL);
	assert_int_equal(action_set_result_json(ctx, "{\"data\":[1]}"),
	    MS_EINVAL);
	assert_int_equal(action_set_result_json(ctx, "{\"summary\":[]}"),
	    MS_EINVAL);
	assert_int_equal(action_set_result_json(ctx, "{\"message\":3}"),
	    MS_EINVAL);
	assert_int_equal(action_set_result_json(ctx, "{\"status\":\"ok\"}"),
	    MS_EINVAL);
	assert_int_equal(action_set_result_json(ctx, "{\"a\":1,\"a\":2}"),
	    MS_EINVAL);
	assert_int_equal(action_set_result_json(ctx, NULL), MS_EINVAL);
	assert_string_equal(action_ctx_message(ctx), "two");

	/* Empty object: success with nothing. */
	assert_int_equal(action_set_result_json(ctx, "{}"), MS_OK);
	assert_true(action_ctx_ok(ctx));
	assert_string_equal(action_ctx_message(ctx), "");

	assert_int_equal(action_set_result_json(ctx, "{\"status\":\"failed\","
	    "\"transient\":true,\"message\":\"HTTP 503\"}"), MS_OK);
	assert_false(action_ctx_ok(ctx));
	assert_true(action_ctx_transient(ctx));
	assert_string_equal(action_ctx_message(ctx), "HTTP 503");
	action_ctx_free(ctx);
}

/* Invalid bytes in values and keys become U+FFFD; the output is UTF-8. */
static void
bad_utf8(void **state)
{
	struct action_ctx	*ctx;
	char			*s;

	(void)state;
	ctx = call("utf8", "ip", "1.1.1.1\xc0", NULL, NULL, 0);
	action_ctx_run(ctx);
	s = action_ctx_result_json(ctx);
	assert_true(g_utf8_validate(s, -1, NULL));
	assert_non_null(strstr(s, "\"name\":\"caf\xef\xbf\xbd "
	    "\xef\xbf\xbd\xef\xbf\xbd ok\""));
	assert_non_null(strstr(s, "\"k\xef\xbf\xbd\":\"v\""));
	assert_non_null(strstr(s, "\"ip\":\"1.1.1.1\xef\xbf\xbd\""));
	xfree(s);
	s = action_ctx_params_json(ctx);
	assert_string_equal(s, "{\"ip\":\"1.1.1.1\xef\xbf\xbd\"}");
	xfree(s);
	action_ctx_free(ctx);
}

static void
time_budget(void **state)
{
	struct action_ctx	*ctx;

	(void)state;
	ctx = call("sleep", "ip", "1.1.1.1", NULL, NULL, 100);
	action_ctx_run(ctx);
	assert_true(action_ctx_ok(ctx));
	action_ctx_free(ctx);
	action_ctx_free(NULL);
}

static void
result_api(void **state)
{
	struct rdict	*d, *c, *p = NULL;
	struct rlist	*l;
	char		*s, err[128];
	int64_t		 iv;

	(void)state;
	d = result_dict_new();
	l = rdict_add_list(d, "l");
	rlist_add_str(l, NULL);
	rdict_set_bool(d, "b", 0);
	c = result_dict_copy(d);
	rdict_set_int(d, "l", 1);	/* replaces */
	s = result_dict_dump(c);
	assert_string_equal(s, "{\"b\":false,\"l\":[null]}");
	xfree(s);
	assert_int_equal(result_dict_get_bool(c, "b"), 0);
	assert_int_equal(result_dict_get_bool(c, "l"), -1);
	iv = 7;
	assert_int_equal(result_dict_get_int(c, "b", &iv), 0);
	assert_int_equal(iv, 7);
	assert_int_equal(result_dict_get_int(d, "l", &iv), 1);
	assert_int_equal(iv, 1);
	assert_int_equal(result_dict_get_int(d, "zz", &iv), 0);
	assert_null(result_dict_get_list(d, "l"));
	assert_int_equal(result_list_len(result_dict_get_list(c, "l")), 1);
	assert_null(result_list_get_dict(result_dict_get_list(c, "l"), 0));
	assert_int_equal(result_dict_parse("{\"x\":", &p, err, sizeof(err)),
	    MS_EPARSE);
	assert_null(p);
	assert_non_null(strstr(err, "line 1"));
	result_dict_free(c);
	result_dict_free(d);
	result_dict_free(NULL);
	result_list_free(NULL);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(find),
		cmocka_unit_test(check_params),
		cmocka_unit_test(result_shape),
		cmocka_unit_test(params_json),
		cmocka_unit_test(fail_and_reset),
		cmocka_unit_test(python_result),
		cmocka_unit_test(bad_utf8),
		cmocka_unit_test(time_budget),
		cmocka_unit_test(result_api),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
