/* SPDX-License-Identifier: Apache-2.0 */
/*
 * apptest.c -- the connectors' shared test helpers (apptest.h).
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include <cmocka.h>
#include <glib.h>

#include "apps/apps.h"
#include "engine/action.h"
#include "apptest.h"

struct config *
apptest_load(const char *dir, const char *text, char *err, size_t errlen)
{
	struct config	*cf = NULL;
	char		*path = g_build_filename(dir, "apptest.conf", NULL);

	assert_true(g_file_set_contents(path, text, -1, NULL));
	if (config_load(path, app_builtin, &cf, err, errlen) != MS_OK)
		fail_msg("config_load: %s", err);
	if (config_assets_init(cf, err, errlen) != MS_OK) {
		config_free(cf);
		cf = NULL;
	}
	g_free(path);
	return cf;
}

json_t *
apptest_runv(const struct app *app, struct config *cf, const char *asset,
    const char *action, const char **k, const char **v, size_t n,
    int timeout_ms, int *ok, int *transient)
{
	struct action_ctx	*ctx;
	json_t			*j;
	char			*s;

	assert_non_null(action_find(app, action));
	ctx = action_ctx_new(action_find(app, action),
	    config_asset_find(cf, asset), k, v, n, timeout_ms);
	action_ctx_run(ctx);
	*ok = action_ctx_ok(ctx);
	*transient = action_ctx_transient(ctx);
	s = action_ctx_result_json(ctx);
	assert_null(strstr(s, "sekret"));
	assert_null(strstr(s, "wrong-key"));
	j = json_loads(s, 0, NULL);
	assert_non_null(j);
	xfree(s);
	action_ctx_free(ctx);
	return j;
}

json_t *
apptest_run(const struct app *app, struct config *cf, const char *asset,
    const char *action, const char *k, const char *v, int timeout_ms,
    int *ok, int *transient)
{
	return apptest_runv(app, cf, asset, action, &k, &v, 1, timeout_ms, ok,
	    transient);
}

const char *
apptest_sumstr(json_t *j, const char *k)
{
	return json_string_value(json_object_get(json_object_get(j,
	    "summary"), k));
}

json_int_t
apptest_sumint(json_t *j, const char *k)
{
	return json_integer_value(json_object_get(json_object_get(j,
	    "summary"), k));
}

const char *
apptest_msg(json_t *j)
{
	const char	*s = json_string_value(json_object_get(j, "message"));

	return s ? s : "";
}
