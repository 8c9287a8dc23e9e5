/* SPDX-License-Identifier: Apache-2.0 */
/*
 * util.c -- the util app: actions that touch nothing outside the engine,
 * for playbook authors checking a flow and for the engine's own tests and
 * benchmark.  `echo` returns its value (cacheable); `no op` returns
 * nothing and is never cached.  Both can wait (sleep_ms, bounded by the
 * call's time budget) and fail on request (fail=transient|permanent), so
 * retries, timeouts and per-asset concurrency can be exercised without a
 * remote service.  Runs on worker threads; no state.
 */
#include <stdlib.h>
#include <string.h>

#include <glib.h>

#include "apps.h"

/* Wait 'sleep_ms' (at most the time left), then fail if asked.  Returns
 * 0 to go on, -1 when the call has failed. */
static int
common(struct action_ctx *ctx)
{
	const char	*ms = action_param(ctx, "sleep_ms");
	const char	*fail = action_param(ctx, "fail");
	char		*end;
	long		 n;

	if (ms != NULL) {
		n = strtol(ms, &end, 10);
		if (*ms == '\0' || *end != '\0' || n < 0) {
			action_fail(ctx, 0, "sleep_ms: '%s' is not a number "
			    "of milliseconds", ms);
			return -1;
		}
		if (n >= action_time_left_ms(ctx)) {
			g_usleep((gulong)action_time_left_ms(ctx) * 1000);
			action_fail(ctx, 1, "timed out after sleeping");
			return -1;
		}
		g_usleep((gulong)n * 1000);
	}
	if (fail != NULL) {
		if (strcmp(fail, "transient") == 0) {
			action_fail(ctx, 1, "failed on request (transient)");
			return -1;
		}
		if (strcmp(fail, "permanent") == 0) {
			action_fail(ctx, 0, "failed on request (permanent)");
			return -1;
		}
		action_fail(ctx, 0, "fail: 'transient' or 'permanent', not "
		    "'%s'", fail);
		return -1;
	}
	return 0;
}

static enum ms_err
echo(struct action_ctx *ctx)
{
	const char	*v = action_param(ctx, "value");
	struct rdict	*d;

	if (common(ctx) != 0)
		return MS_OK;
	d = action_add_data(ctx);
	rdict_set_str(d, "value", v);
	rdict_set_int(action_summary(ctx), "length", (int64_t)strlen(v));
	action_set_message(ctx, "echoed %zu bytes", strlen(v));
	return MS_OK;
}

static enum ms_err
noop(struct action_ctx *ctx)
{
	if (common(ctx) == 0)
		action_set_message(ctx, "done");
	return MS_OK;
}

static enum ms_err
test(struct action_ctx *ctx)
{
	action_set_message(ctx, "the util app needs nothing to work");
	return MS_OK;
}

static const struct app_param echo_params[] = {
	{ "value", NULL, APP_PARAM_REQUIRED, "what to return" },
	{ "sleep_ms", NULL, 0, "wait this long first" },
	{ "fail", NULL, 0, "transient or permanent: fail on purpose" },
	{ NULL, NULL, 0, NULL }
};

static const struct app_param noop_params[] = {
	{ "sleep_ms", NULL, 0, "wait this long first" },
	{ "fail", NULL, 0, "transient or permanent: fail on purpose" },
	{ NULL, NULL, 0, NULL }
};

static const struct app_output echo_outputs[] = {
	{ "action_result.data.*.value", NULL },
	{ "action_result.summary.length", NULL },
	{ NULL, NULL }
};

static const struct app_output no_outputs[] = { { NULL, NULL } };

static const struct app_action util_actions[] = {
	{ "echo", "return the value given", echo_params, echo_outputs, echo,
	  APP_ACTION_CACHEABLE },
	{ "no op", "do nothing (never cached)", noop_params, no_outputs, noop,
	  0 },
	{ NULL, NULL, NULL, NULL, NULL, 0 }
};

static const struct app_setting util_settings[] = {
	{ NULL, 0, 0, NULL }
};

const struct app util_app = {
	"util", "engine utilities: echo and no op, for testing flows",
	util_actions, util_settings, NULL, NULL, test
};
