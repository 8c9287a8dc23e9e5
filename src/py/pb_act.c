/* SPDX-License-Identifier: Apache-2.0 */
/*
 * pb_act.c -- what happens when a playbook awaits ms.act(): find the app
 * and the asset, check the parameters, answer from the fixtures (playbook
 * tests) or the result cache when allowed, else hand the call to the
 * executor; when it comes back, record the action run in the store and
 * resume the coroutine with an ActionResult.  An action that no
 * configured asset provides is not an error but a visible "skipped" run
 * saying why: later apps light those steps up.  Main thread only.
 */
#include <string.h>

#include "pb_int.h"
#include "../common/log.h"

/* The seed playbook's actions whose apps are not built yet (DESIGN.md
 * section 5), with the app that will provide each: awaiting them gives
 * a "skipped" result naming it, not an error. */
static const struct {
	const char	*action;
	const char	*app;
} planned[] = {
	{ "detonate file", "sandbox" }, { "detonate url", "browser" },
	{ "get screenshot", "browser" },
	{ "hunt file", "hunt" }, { "hunt ip", "hunt" },
	{ "hunt domain", "intel" }, { "hunt url", "hunt" },
	{ "hunt email", "imap" },
	{ "block ip", "firewall" }, { "unblock ip", "firewall" },
	{ "quarantine file", "endpoint" },
	{ "whois domain", "whois" }, { "whois ip", "whois" },
	{ "ip reputation", "intel" }, { "domain reputation", "intel" },
	{ "url reputation", "intel" }, { "file reputation", "intel" },
	{ "get email", "imap" }, { "delete email", "imap" },
	{ "restore email", "imap" }, { "send email", "smtp" },
	{ "lookup user", "directory" },
	{ NULL, NULL }
};

/* The app planned for 'action', or NULL. */
static const char *
planned_app(const char *action)
{
	size_t	i;

	for (i = 0; planned[i].action != NULL; i++)
		if (strcmp(planned[i].action, action) == 0)
			return planned[i].app;
	return NULL;
}

static gint
cmp_str(gconstpointer a, gconstpointer b)
{
	return strcmp(*(const char *const *)a, *(const char *const *)b);
}

/* Append "a, b, c" of every action any app (or the plan) knows. */
static void
list_actions(struct pb *e, GString *s)
{
	GPtrArray	*names = g_ptr_array_new();
	guint		 i;
	size_t		 k;

	for (i = 0; i < e->apps->len; i++) {
		const struct app *ap = g_ptr_array_index(e->apps, i);

		for (k = 0; ap->actions[k].name != NULL; k++)
			g_ptr_array_add(names, (gpointer)ap->actions[k].name);
	}
	for (k = 0; planned[k].action != NULL; k++)
		g_ptr_array_add(names, (gpointer)planned[k].action);
	g_ptr_array_sort(names, cmp_str);
	for (i = 0; i < names->len; i++) {
		const char *n = names->pdata[i];

		if (i > 0 && strcmp(n, names->pdata[i - 1]) == 0)
			continue;
		g_string_append_printf(s, "%s%s", s->len ? ", " : "", n);
	}
	g_ptr_array_free(names, TRUE);
}

/* The app (among all known) that has 'action', or NULL. */
static const struct app *
app_with(struct pb *e, const char *action)
{
	guint	i;

	for (i = 0; i < e->apps->len; i++) {
		const struct app *ap = g_ptr_array_index(e->apps, i);

		if (action_find(ap, action) != NULL)
			return ap;
	}
	return NULL;
}

/*
 * Pick the asset for 'action': 'asset' by name, else the first configured
 * asset whose app has the action.  MS_OK; MS_EAGAIN when nothing
 * configured provides it (skipped; 'err' says why, '*app' the app that
 * would); MS_EINVAL for an unknown action or asset ('err' lists the
 * valid ones).
 */
enum ms_err
pb__resolve(struct pb *e, const char *action, const char *asset,
    struct asset **as, const struct app_action **act,
    const struct app **app, char *err, size_t errlen)
{
	GString		*s;
	size_t		 i, n = config_n_assets(e->cf);
	struct asset	*a;

	*as = NULL;
	*act = NULL;
	*app = NULL;
	if (asset != NULL) {
		if ((a = config_asset_find(e->cf, asset)) == NULL) {
			s = g_string_new(NULL);
			for (i = 0; i < n; i++)
				g_string_append_printf(s, "%s%s", i ? ", " :
				    "", asset_name(config_asset(e->cf, i)));
			snprintf(err, errlen, "no asset '%s'; configured: %s",
			    asset, s->len ? s->str : "none");
			g_string_free(s, TRUE);
			return MS_EINVAL;
		}
		*app = asset_app_table(a);
		if ((*act = action_find(*app, action)) == NULL) {
			s = g_string_new(NULL);
			for (i = 0; (*app)->actions[i].name != NULL; i++)
				g_string_append_printf(s, "%s%s", i ? ", " :
				    "", (*app)->actions[i].name);
			snprintf(err, errlen, "asset '%s' (app %s) has no "
			    "action '%s'; its actions: %s", asset,
			    (*app)->name, action, s->str);
			g_string_free(s, TRUE);
			return MS_EINVAL;
		}
		*as = a;
		return MS_OK;
	}
	for (i = 0; i < n; i++) {
		a = config_asset(e->cf, i);
		if ((*act = action_find(asset_app_table(a), action)) != NULL) {
			*as = a;
			*app = asset_app_table(a);
			return MS_OK;
		}
	}
	if ((*app = app_with(e, action)) != NULL) {
		snprintf(err, errlen, "no asset configured for '%s' (app %s "
		    "provides it: add an [asset NAME] with app=%s)", action,
		    (*app)->name, (*app)->name);
		return MS_EAGAIN;
	}
	if (planned_app(action) != NULL) {
		snprintf(err, errlen, "no app provides '%s' yet (the %s app "
		    "is planned)", action, planned_app(action));
		return MS_EAGAIN;
	}
	s = g_string_new(NULL);
	list_actions(e, s);
	snprintf(err, errlen, "unknown action '%s'; valid actions: %s",
	    action, s->str);
	g_string_free(s, TRUE);
	return MS_EINVAL;
}

/* SHA-256 of (action, asset, params JSON): the cache key.  g_free. */
static char *
cache_key(const char *action, const char *asset, const char *params)
{
	GChecksum	*ck = g_checksum_new(G_CHECKSUM_SHA256);
	char		*k;

	g_checksum_update(ck, (const guchar *)action, strlen(action) + 1);
	g_checksum_update(ck, (const guchar *)asset, strlen(asset) + 1);
	g_checksum_update(ck, (const guchar *)params, strlen(params));
	k = g_strdup(g_checksum_get_string(ck));
	g_checksum_free(ck);
	return k;
}

/*
 * A cached result for 'key', or NULL.  Newly allocated.  '*msg' the
 * result's message when the memory cache knows it (borrowed), else NULL
 * (the store's cache, shared with other processes, keeps only JSON).
 */
static char *
cache_get(struct pb *e, const char *key, const char **msg)
{
	struct pb_cached	*c = g_hash_table_lookup(e->cache, key);
	int64_t			 now = g_get_real_time();
	char			*json = NULL;

	*msg = NULL;
	if (c != NULL && c->expires > now) {
		*msg = c->message ? c->message : "";
		return xstrdup(c->json);
	}
	if (store_cache_get(e->st, key, now, &json) == MS_OK)
		return json;
	return NULL;
}

void
pb__cached_free(gpointer p)
{
	struct pb_cached	*c = p;

	xfree(c->json);
	g_free(c->message);
	g_free(c);
}

/* Only successes are cached. */
static void
cache_put(struct pb *e, const char *key, const char *json,
    const char *message, int ttl_s)
{
	struct pb_cached	*c = g_new0(struct pb_cached, 1);

	c->json = xstrdup(json);
	c->message = g_strdup(message);
	c->expires = g_get_real_time() + (int64_t)ttl_s * G_USEC_PER_SEC;
	g_hash_table_replace(e->cache, g_strdup(key), c);	/* frees old */
	if (store_cache_put(e->st, key, json, c->expires) != MS_OK)
		log_warnx("cache: %s", store_errmsg(e->st));
}

/* Record one action run and build what the caller gets: the result
 * JSON merged with the run's metadata.  New reference (ActionResult) or
 * NULL; '*json_out' (if not NULL) the merged JSON text. */
static PyObject *
record(struct pb *e, struct pb_run *r, const char *action,
    const char *app, const char *asset, const char *params_json,
    const char *status, const char *message, const char *result_json,
    int cached, int attempts, int64_t started, int64_t finished,
    char **json_out)
{
	struct store_action_run	 ar;
	int64_t			 id = 0;
	PyObject		*meta, *res = NULL, *j;

	memset(&ar, 0, sizeof(ar));
	ar.run_id = r ? r->id : 0;
	ar.container_id = r ? r->container_id : 0;
	ar.action = action;
	ar.app = app;
	ar.asset = asset;
	ar.params_json = params_json;
	ar.status = status;
	ar.message = message;
	ar.result_json = result_json;
	ar.cached = cached;
	ar.attempts = attempts;
	ar.started = started;
	ar.finished = finished;
	ar.approved_by = r ? r->approved_by : NULL;
	ar.result_trusted = 1;	/* jansson's or Python's json.dumps */
	if (store_action_run_add(e->st, &ar, &id) != MS_OK)
		log_warnx("action run %s: %s", action, store_errmsg(e->st));
	if (r != NULL) {
		r->n_actions++;
		if (strcmp(status, "skipped") == 0)
			r->n_skipped++;
		else if (strcmp(status, "success") != 0)
			r->n_failed++;
		if (cached)
			r->n_cached++;
		g_clear_pointer(&r->approved_by, g_free);
	}
	meta = Py_BuildValue("{s:N,s:N,s:N,s:O,s:L,s:L,s:N,s:N}",
	    "action", pb__str(action), "app", pb__str(app),
	    "asset", pb__str(asset), "cached", cached ? Py_True : Py_False,
	    "duration_ms", (long long)((finished - started) / 1000),
	    "id", (long long)id, "status", pb__str(status),
	    "message", pb__str(message));
	if (meta == NULL)
		return NULL;
	if (json_out != NULL) {
		j = PyObject_CallFunction(e->result_json_fn, "Os", meta,
		    result_json);
		*json_out = j && PyUnicode_Check(j) ?
		    xstrdup(PyUnicode_AsUTF8(j)) : NULL;
		Py_XDECREF(j);
	} else
		res = PyObject_CallFunction(e->result_fn, "Os", meta,
		    result_json);
	Py_DECREF(meta);
	return res;
}

/* Sorted parameter names and values out of 'params' (a dict of str).
 * Returns the count, -1 with a Python error set. */
static Py_ssize_t
params_split(PyObject *params, const char ***keys, const char ***vals)
{
	PyObject	*ks;
	Py_ssize_t	 i, n;

	*keys = *vals = NULL;
	if (!PyDict_Check(params)) {
		PyErr_SetString(PyExc_TypeError, "parameters: a dict");
		return -1;
	}
	if ((ks = PyDict_Keys(params)) == NULL || PyList_Sort(ks) < 0) {
		Py_XDECREF(ks);
		return -1;
	}
	n = PyList_GET_SIZE(ks);
	*keys = g_new0(const char *, n + 1);
	*vals = g_new0(const char *, n + 1);
	for (i = 0; i < n; i++) {
		PyObject *k = PyList_GET_ITEM(ks, i);
		PyObject *v = PyDict_GetItem(params, k);	/* borrowed */

		if (!PyUnicode_Check(k) || v == NULL || !PyUnicode_Check(v)) {
			PyErr_SetString(PyExc_TypeError, "parameters: str");
			Py_DECREF(ks);
			return -1;
		}
		/* The strings live as long as 'params' does. */
		(*keys)[i] = PyUnicode_AsUTF8(k);
		(*vals)[i] = PyUnicode_AsUTF8(v);
	}
	Py_DECREF(ks);
	return n;
}

/* A fixture's result for 'action' as JSON text (newly allocated), or
 * NULL when the fixtures say nothing about it. */
static char *
fixture_take(struct pb *e, const char *action, PyObject *params)
{
	PyObject	*f, *item, *d, *j;
	char		*out = NULL;

	if ((f = PyDict_GetItemString(e->fixtures, action)) == NULL)
		return NULL;
	if (PyList_Check(f) && PyList_GET_SIZE(f) > 0) {
		item = Py_NewRef(PyList_GET_ITEM(f, 0));
		if (PyList_GET_SIZE(f) > 1)
			PySequence_DelItem(f, 0);
	} else
		item = Py_NewRef(f);
	d = PyDict_Check(item) ? PyDict_Copy(item) : NULL;
	Py_DECREF(item);
	if (d == NULL) {
		PyErr_Clear();
		return xstrdup("{\"status\":\"failed\",\"message\":"
		    "\"fixture is not an object\"}");
	}
	PyDict_SetItemString(d, "parameter", params);
	if (PyDict_GetItemString(d, "status") == NULL)
		PyDict_SetItemString(d, "status", PyUnicode_FromString(
		    "success"));
	if ((j = PyObject_CallOneArg(e->json_dumps, d)) != NULL)
		out = xstrdup(PyUnicode_AsUTF8(j));
	PyErr_Clear();
	Py_XDECREF(j);
	Py_DECREF(d);
	return out;
}

/* The status and message of a result JSON (via Python).  g_free. */
static void
status_of(struct pb *e, const char *json, char **status, char **message)
{
	PyObject	*d, *s, *m;

	*status = *message = NULL;
	d = PyObject_CallFunction(e->json_loads, "s", json);
	if (d != NULL && PyDict_Check(d)) {
		s = PyDict_GetItemString(d, "status");
		m = PyDict_GetItemString(d, "message");
		if (s != NULL && PyUnicode_Check(s))
			*status = g_strdup(PyUnicode_AsUTF8(s));
		if (m != NULL && PyUnicode_Check(m))
			*message = g_strdup(PyUnicode_AsUTF8(m));
	}
	PyErr_Clear();
	Py_XDECREF(d);
	if (*status == NULL)
		*status = g_strdup("failed");
}

/*
 * Answer 'action' without running it (skipped, fixture, cached): record
 * it and resume 't', or, for pb_act(), return the JSON in '*json_out'.
 */
static void
answer_now(struct pb *e, struct pb_task *t, const char *action,
    const char *app, const char *asset, const char *params_json,
    const char *result_json, int cached, const char *known_msg,
    char **json_out)
{
	PyObject	*res;
	char		*status, *msg;
	int64_t		 now = g_get_real_time();

	if (known_msg != NULL) {	/* a cached success */
		status = g_strdup("success");
		msg = g_strdup(known_msg);
	} else
		status_of(e, result_json, &status, &msg);
	res = record(e, t ? t->run : NULL, action, app, asset, params_json,
	    status, msg, result_json, cached, cached ? 0 : 1, now, now,
	    json_out);
	if (t != NULL) {
		if (res != NULL)
			pb__ready(e, t, res, NULL);
		else {
			PyErr_Clear();
			pb__throw(e, t, PyExc_RuntimeError, "result");
		}
	} else
		Py_XDECREF(res);
	g_free(status);
	g_free(msg);
}

/* Worker thread: render the result and parameters as JSON while the
 * main thread steps other playbooks. */
static void
call_render(struct exec_job *job)
{
	struct pb_call	*c = (struct pb_call *)job;

	c->ok = action_ctx_ok(job->ctx);
	c->result_json = action_ctx_result_json(job->ctx);
	c->params_json = action_ctx_params_json(job->ctx);
}

/*
 * Start one action for task 't' (NULL: pb_act, then '*json_out' gets the
 * result when it was answered at once, and '*call_out' the call to wait
 * for otherwise).  MS_EINVAL with 'err' for a playbook error.
 */
static enum ms_err
act_begin(struct pb *e, struct pb_task *t, const char *action,
    const char *want_asset, PyObject *params, char **json_out,
    struct pb_call **call_out, char *err, size_t errlen)
{
	const char		**keys = NULL, **vals = NULL;
	const struct app_action	*act;
	const struct app	*app;
	struct asset		*as;
	struct action_ctx	*ctx;
	struct pb_call		*c;
	Py_ssize_t		 n;
	PyObject		*pj;
	char			*params_json, *res;
	const char		*cmsg;
	enum ms_err		 rc;

	if ((n = params_split(params, &keys, &vals)) < 0) {
		PyErr_Clear();
		snprintf(err, errlen, "%s: parameters are name=string",
		    action);
		rc = MS_EINVAL;
		goto out;
	}
	pj = PyObject_CallOneArg(e->json_dumps, params);
	params_json = xstrdup(pj ? PyUnicode_AsUTF8(pj) : "{}");
	Py_XDECREF(pj);
	PyErr_Clear();
	if (e->fixtures != NULL) {
		res = fixture_take(e, action, params);
		if (res == NULL)
			res = g_strdup_printf("{\"status\":\"skipped\","
			    "\"message\":\"no fixture for '%s'\"}", action);
		answer_now(e, t, action, "fixture", "fixture", params_json,
		    res, 0, NULL, json_out);
		xfree(res);
		xfree(params_json);
		rc = MS_OK;
		goto out;
	}
	rc = pb__resolve(e, action, want_asset, &as, &act, &app, err,
	    errlen);
	if (rc == MS_EAGAIN) {
		PyObject *d = Py_BuildValue("{s:s,s:N,s:O}", "status",
		    "skipped", "message", pb__str(err), "parameter", params);
		PyObject *j = d ? PyObject_CallOneArg(e->json_dumps, d) : NULL;

		answer_now(e, t, action, app ? app->name :
		    planned_app(action), NULL, params_json,
		    j ? PyUnicode_AsUTF8(j) : "{}", 0, NULL, json_out);
		PyErr_Clear();
		Py_XDECREF(d);
		Py_XDECREF(j);
		xfree(params_json);
		rc = MS_OK;
		goto out;
	}
	if (rc != MS_OK) {
		xfree(params_json);
		goto out;
	}
	ctx = action_ctx_new(act, as, keys, vals, (size_t)n,
	    asset_timeout_ms(as));
	if ((rc = action_ctx_check(ctx, err, errlen)) != MS_OK) {
		action_ctx_free(ctx);
		xfree(params_json);
		goto out;
	}
	c = g_new0(struct pb_call, 1);
	c->e = e;
	c->task = t;
	c->act = act;
	c->app = app;
	c->action = g_strdup(action);
	c->job.ctx = ctx;
	c->job.as = as;
	c->job.retries = asset_retries(as);
	c->job.finish = call_render;
	if ((act->flags & APP_ACTION_CACHEABLE) &&
	    asset_cache_ttl_s(as) > 0) {
		c->ttl_s = asset_cache_ttl_s(as);
		c->cache_key = cache_key(action, asset_name(as), params_json);
		if ((res = cache_get(e, c->cache_key, &cmsg)) != NULL) {
			answer_now(e, t, action, app->name, asset_name(as),
			    params_json, res, 1, cmsg, json_out);
			xfree(res);
			xfree(params_json);
			pb__call_free(c);
			goto out;
		}
	}
	xfree(params_json);
	if (t != NULL)
		t->run->jobs_out++;
	exec_submit(e->ex, &c->job);
	if (call_out != NULL)
		*call_out = c;
out:
	g_free(keys);
	g_free(vals);
	return rc;
}

enum ms_err
pb__act_start(struct pb *e, struct pb_task *t, PyObject *action,
    PyObject *asset, PyObject *params)
{
	char		 err[1024];
	const char	*a, *as = NULL;
	enum ms_err	 rc;

	if ((a = PyUnicode_AsUTF8(action)) == NULL ||
	    (asset != Py_None && (as = PyUnicode_AsUTF8(asset)) == NULL)) {
		PyErr_Clear();
		pb__throw(e, t, e->PlaybookError, "act: action and asset are "
		    "strings");
		return MS_EINVAL;
	}
	rc = act_begin(e, t, a, as, params, NULL, NULL, err, sizeof(err));
	if (rc != MS_OK)
		pb__throw(e, t, e->PlaybookError, err);
	return rc;
}

void
pb__call_free(struct pb_call *c)
{
	if (c == NULL)
		return;
	action_ctx_free(c->job.ctx);
	g_free(c->action);
	g_free(c->cache_key);
	xfree(c->result_json);
	xfree(c->params_json);
	g_free(c);
}

/* Record a finished call; the result for pb_act() in '*json_out'. */
static void
call_finish(struct pb *e, struct pb_call *c, char **json_out)
{
	struct pb_run	*r = c->task ? c->task->run : NULL;
	const char	*res = c->result_json, *params = c->params_json;
	int		 ok = c->ok;
	PyObject	*out;

	if (ok && c->cache_key != NULL)
		cache_put(e, c->cache_key, res, action_ctx_message(c->job.ctx),
		    c->ttl_s);
	out = record(e, r, c->action, c->app->name, asset_name(c->job.as),
	    params, ok ? "success" : "failed",
	    action_ctx_message(c->job.ctx), res, 0, c->job.attempts,
	    c->job.started, c->job.finished, json_out);
	if (r != NULL) {
		r->jobs_out--;
		if (r->status != NULL || c->task->done)
			Py_XDECREF(out);	/* the run has ended */
		else if (out != NULL)
			pb__ready(e, c->task, out, NULL);
		else {
			PyErr_Clear();
			pb__throw(e, c->task, PyExc_RuntimeError, "result");
		}
	} else
		Py_XDECREF(out);
}

void
pb__call_done(struct pb *e, struct pb_call *c)
{
	call_finish(e, c, NULL);
	pb__call_free(c);
}

enum ms_err
pb_act(struct pb *e, const char *action, const char *asset,
    const char *const *keys, const char *const *vals, size_t n,
    char **result_json, char *err, size_t errlen)
{
	struct pb_call	*c = NULL;
	struct exec_job	*job;
	PyObject	*params;
	enum ms_err	 rc;
	size_t		 i;

	*result_json = NULL;
	if ((params = PyDict_New()) == NULL)
		return MS_EPY;
	for (i = 0; i < n; i++) {
		PyObject *v = pb__str(vals[i]);

		PyDict_SetItemString(params, keys[i], v);
		Py_XDECREF(v);
	}
	rc = act_begin(e, NULL, action, asset, params, result_json, &c, err,
	    errlen);
	Py_DECREF(params);
	if (rc != MS_OK || c == NULL)
		return rc;
	Py_BEGIN_ALLOW_THREADS
	while ((job = exec_wait(e->ex, G_USEC_PER_SEC)) == NULL)
		;
	Py_END_ALLOW_THREADS
	call_finish(e, (struct pb_call *)job, result_json);
	pb__call_free((struct pb_call *)job);
	return MS_OK;
}

const struct app *const *
pb_apps(struct pb *e, size_t *n)
{
	*n = e->apps->len;
	return (const struct app *const *)e->apps->pdata;
}

enum ms_err
pb_asset_test(struct pb *e, const char *name, char **msg)
{
	static const struct app_param	 none[] = { { NULL, NULL, 0, NULL } };
	struct app_action		 test;
	struct asset			*as;
	struct action_ctx		*ctx;
	enum ms_err			 rc;
	int64_t				 t0;

	*msg = NULL;
	if ((as = config_asset_find(e->cf, name)) == NULL) {
		*msg = g_strdup_printf("no asset '%s'", name);
		return MS_EINVAL;
	}
	if (asset_app_table(as)->test == NULL) {
		*msg = g_strdup_printf("app %s has no connectivity test",
		    asset_app(as));
		return MS_EINVAL;
	}
	memset(&test, 0, sizeof(test));
	test.name = "test connectivity";
	test.params = none;
	test.fn = asset_app_table(as)->test;
	ctx = action_ctx_new(&test, as, NULL, NULL, 0, asset_timeout_ms(as));
	t0 = g_get_monotonic_time();
	Py_BEGIN_ALLOW_THREADS
	action_ctx_run(ctx);
	Py_END_ALLOW_THREADS
	rc = action_ctx_ok(ctx) ? MS_OK : MS_ENET;
	*msg = g_strdup_printf("%s (%lld ms)", action_ctx_message(ctx) ?
	    action_ctx_message(ctx) : (rc == MS_OK ? "ok" : "failed"),
	    (long long)((g_get_monotonic_time() - t0) / 1000));
	action_ctx_free(ctx);
	return rc;
}
