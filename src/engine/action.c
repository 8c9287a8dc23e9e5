/* SPDX-License-Identifier: Apache-2.0 */
/*
 * action.c -- one action call: parameters, time budget and result
 * (action.h), and the context functions apps call (app.h).  A context
 * is used by one thread at a time (a worker while it runs, the owner
 * before and after), so it needs no lock.  Parameter values come from
 * playbooks and emails: they are copied and never trusted to be UTF-8
 * (result.c cleans them when they reach JSON).
 */
#include <stdarg.h>
#include <stdio.h>
#include <string.h>
#include <sys/types.h>

#include <glib.h>

#include "action.h"
#include "config.h"
#include "result.h"
#include "../common/log.h"

#define ACTION_DEFAULT_TIMEOUT_MS	30000

struct action_ctx {
	const struct app_action	*act;
	const struct asset	*as;		/* may be NULL in tests */
	char			**keys;		/* n copies */
	char			**vals;		/* n copies, NULL = absent */
	size_t			 n;
	int			 timeout_ms;
	gint64			 deadline;	/* monotonic, us */

	/* The result. */
	int			 ran;
	int			 failed;
	int			 transient;
	char			*message;	/* g_malloc, or NULL */
	struct rlist		*data;
	struct rdict		*summary;
};

const struct app_action *
action_find(const struct app *app, const char *name)
{
	const struct app_action	*a;

	if (app == NULL || name == NULL)
		return NULL;
	for (a = app->actions; a->name != NULL; a++)
		if (strcmp(a->name, name) == 0)
			return a;
	return NULL;
}

struct action_ctx *
action_ctx_new(const struct app_action *act, const struct asset *as,
    const char *const *keys, const char *const *vals, size_t n,
    int timeout_ms)
{
	struct action_ctx	*ctx;
	size_t			 i;

	MS_ASSERT(act != NULL);
	ctx = xcalloc(1, sizeof(*ctx));
	ctx->act = act;
	ctx->as = as;
	ctx->n = n;
	ctx->keys = xcalloc(n + 1, sizeof(char *));
	ctx->vals = xcalloc(n + 1, sizeof(char *));
	for (i = 0; i < n; i++) {
		ctx->keys[i] = xstrdup(keys[i]);
		ctx->vals[i] = vals[i] ? xstrdup(vals[i]) : NULL;
	}
	ctx->timeout_ms = timeout_ms > 0 ? timeout_ms :
	    ACTION_DEFAULT_TIMEOUT_MS;
	ctx->deadline = g_get_monotonic_time() +
	    (gint64)ctx->timeout_ms * 1000;
	ctx->data = result_list_new();
	ctx->summary = result_dict_new();
	return ctx;
}

void
action_ctx_free(struct action_ctx *ctx)
{
	size_t	i;

	if (ctx == NULL)
		return;
	for (i = 0; i < ctx->n; i++) {
		xfree(ctx->keys[i]);
		xfree(ctx->vals[i]);
	}
	xfree(ctx->keys);
	xfree(ctx->vals);
	g_free(ctx->message);
	result_list_free(ctx->data);
	result_dict_free(ctx->summary);
	xfree(ctx);
}

/* "ip (required), type" into 's'. */
static void
valid_params(const struct app_action *act, GString *s)
{
	const struct app_param	*p;

	for (p = act->params; p->name != NULL; p++) {
		if (p != act->params)
			g_string_append(s, ", ");
		g_string_append(s, p->name);
		if (p->flags & APP_PARAM_REQUIRED)
			g_string_append(s, " (required)");
	}
	if (act->params[0].name == NULL)
		g_string_append(s, "none");
}

static const struct app_param *
param_find(const struct app_action *act, const char *name)
{
	const struct app_param	*p;

	for (p = act->params; p->name != NULL; p++)
		if (strcmp(p->name, name) == 0)
			return p;
	return NULL;
}

/* Index of parameter 'name' in the call, or -1. */
static ssize_t
call_find(const struct action_ctx *ctx, const char *name)
{
	size_t	i;

	for (i = 0; i < ctx->n; i++)
		if (strcmp(ctx->keys[i], name) == 0)
			return (ssize_t)i;
	return -1;
}

enum ms_err
action_ctx_check(const struct action_ctx *ctx, char *err, size_t errlen)
{
	const struct app_param	*p;
	GString			*why = g_string_new(NULL);
	enum ms_err		 rc = MS_EINVAL;
	ssize_t			 j;
	size_t			 i;

	for (i = 0; i < ctx->n; i++) {
		if (param_find(ctx->act, ctx->keys[i]) == NULL) {
			g_string_printf(why, "unknown parameter '%s'",
			    ctx->keys[i]);
			goto out;
		}
		if (call_find(ctx, ctx->keys[i]) != (ssize_t)i) {
			g_string_printf(why, "parameter '%s' given twice",
			    ctx->keys[i]);
			goto out;
		}
	}
	for (p = ctx->act->params; p->name != NULL; p++) {
		if (!(p->flags & APP_PARAM_REQUIRED))
			continue;
		j = call_find(ctx, p->name);
		if (j < 0 || ctx->vals[j] == NULL || ctx->vals[j][0] == '\0') {
			g_string_printf(why, "missing required parameter "
			    "'%s'", p->name);
			goto out;
		}
	}
	rc = MS_OK;
out:
	if (rc != MS_OK) {
		g_string_append(why, "; valid: ");
		valid_params(ctx->act, why);
		snprintf(err, errlen, "%s: %s", ctx->act->name, why->str);
	}
	g_string_free(why, TRUE);
	return rc;
}

void
action_ctx_reset(struct action_ctx *ctx)
{
	ctx->ran = ctx->failed = ctx->transient = 0;
	g_clear_pointer(&ctx->message, g_free);
	result_list_free(ctx->data);
	result_dict_free(ctx->summary);
	ctx->data = result_list_new();
	ctx->summary = result_dict_new();
}

void
action_ctx_run(struct action_ctx *ctx)
{
	enum ms_err	rc;

	ctx->deadline = g_get_monotonic_time() +
	    (gint64)ctx->timeout_ms * 1000;
	rc = ctx->act->fn(ctx);
	ctx->ran = 1;
	if (rc != MS_OK && !ctx->failed)
		action_fail(ctx, rc == MS_ENET || rc == MS_EAGAIN, "%s",
		    ms_strerror(rc));
}

int
action_ctx_ok(const struct action_ctx *ctx)
{
	return ctx->ran && !ctx->failed;
}

int
action_ctx_transient(const struct action_ctx *ctx)
{
	return ctx->failed && ctx->transient;
}

const char *
action_ctx_message(const struct action_ctx *ctx)
{
	return ctx->message ? ctx->message : "";
}

const struct app_action *
action_ctx_action(const struct action_ctx *ctx)
{
	return ctx->act;
}

/* The parameters as an rdict (absent values left out). */
static struct rdict *
params_dict(const struct action_ctx *ctx)
{
	struct rdict	*d = result_dict_new();
	size_t		 i;

	for (i = 0; i < ctx->n; i++)
		if (ctx->vals[i] != NULL)
			rdict_set_str(d, ctx->keys[i], ctx->vals[i]);
	return d;
}

char *
action_ctx_params_json(const struct action_ctx *ctx)
{
	struct rdict	*d = params_dict(ctx);
	char		*s = result_dict_dump(d);

	result_dict_free(d);
	return s;
}

char *
action_ctx_result_json(const struct action_ctx *ctx)
{
	struct rdict	*d = result_dict_new(), *p = params_dict(ctx);
	char		*s;

	rdict_set_str(d, "status", action_ctx_ok(ctx) ? "success" : "failed");
	rdict_set_str(d, "message", action_ctx_message(ctx));
	result_dict_set_list(d, "data", ctx->data);
	result_dict_set_dict(d, "summary", ctx->summary);
	result_dict_set_dict(d, "parameter", p);
	s = result_dict_dump(d);
	result_dict_free(p);
	result_dict_free(d);
	return s;
}

/* Check the members of a Python app's result; NULL when it fits. */
static const char *
result_shape(const struct rdict *r)
{
	struct rlist	*data = result_dict_get_list(r, "data");
	const char	*st = result_dict_get_str(r, "status");
	size_t		 i;

	if (result_dict_has(r, "data") && data == NULL)
		return "\"data\" is not an array";
	for (i = 0; i < result_list_len(data); i++)
		if (result_list_get_dict(data, i) == NULL)
			return "an item of \"data\" is not an object";
	if (result_dict_has(r, "summary") &&
	    result_dict_get_dict(r, "summary") == NULL)
		return "\"summary\" is not an object";
	if (result_dict_has(r, "message") &&
	    result_dict_get_str(r, "message") == NULL)
		return "\"message\" is not a string";
	if (result_dict_has(r, "status") && (st == NULL ||
	    (strcmp(st, "success") != 0 && strcmp(st, "failed") != 0)))
		return "\"status\" is not \"success\" or \"failed\"";
	if (result_dict_has(r, "transient") &&
	    result_dict_get_bool(r, "transient") < 0)
		return "\"transient\" is not a boolean";
	return NULL;
}

enum ms_err
action_set_result_json(struct action_ctx *ctx, const char *json)
{
	struct rdict	*r = NULL, *sum;
	struct rlist	*data;
	const char	*st, *msg, *why;
	char		 err[256];

	if (json == NULL) {
		why = "no JSON";
		goto bad;
	}
	if (result_dict_parse(json, &r, err, sizeof(err)) != MS_OK) {
		why = err;
		goto bad;
	}
	why = result_shape(r);
	if (why != NULL)
		goto bad;
	action_ctx_reset(ctx);
	ctx->ran = 1;
	data = result_dict_get_list(r, "data");
	if (data != NULL) {
		result_list_free(ctx->data);
		ctx->data = result_list_copy(data);
	}
	sum = result_dict_get_dict(r, "summary");
	if (sum != NULL) {
		result_dict_free(ctx->summary);
		ctx->summary = result_dict_copy(sum);
	}
	st = result_dict_get_str(r, "status");
	if (st != NULL && strcmp(st, "failed") == 0) {
		ctx->failed = 1;
		ctx->transient = result_dict_get_bool(r, "transient") == 1;
	}
	msg = result_dict_get_str(r, "message");
	if (msg != NULL)
		ctx->message = g_strdup(msg);
	result_dict_free(r);
	return MS_OK;
bad:
	log_warnx("action %s: malformed result from a Python app: %s",
	    ctx->act->name, why);
	result_dict_free(r);
	return MS_EINVAL;
}

/* ---- the context, for action functions (app.h) ---------------------- */

const char *
action_param(const struct action_ctx *ctx, const char *name)
{
	ssize_t	i = call_find(ctx, name);

	return i < 0 ? NULL : ctx->vals[i];
}

const struct asset *
action_asset(const struct action_ctx *ctx)
{
	return ctx->as;
}

void *
action_state(const struct action_ctx *ctx)
{
	return ctx->as ? asset_state(ctx->as) : NULL;
}

int
action_time_left_ms(const struct action_ctx *ctx)
{
	gint64	left = ctx->deadline - g_get_monotonic_time();

	if (left < 1000)
		return 1;
	return (int)MIN(left / 1000, G_MAXINT);
}

struct rdict *
action_add_data(struct action_ctx *ctx)
{
	return rlist_add_dict(ctx->data);
}

struct rdict *
action_summary(struct action_ctx *ctx)
{
	return ctx->summary;
}

void
action_set_message(struct action_ctx *ctx, const char *fmt, ...)
{
	va_list	ap;

	g_free(ctx->message);
	va_start(ap, fmt);
	ctx->message = g_strdup_vprintf(fmt, ap);
	va_end(ap);
}

void
action_fail(struct action_ctx *ctx, int transient, const char *fmt, ...)
{
	va_list	ap;

	g_free(ctx->message);
	va_start(ap, fmt);
	ctx->message = g_strdup_vprintf(fmt, ap);
	va_end(ap);
	ctx->failed = 1;
	ctx->transient = transient != 0;
}
