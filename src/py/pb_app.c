/* SPDX-License-Identifier: Apache-2.0 */
/*
 * pb_app.c -- apps written in Python.  Every .py file of the configured
 * apps directory is executed once at start; what it declares with
 * @ms.action (and ms.app for settings) becomes an app table like the C
 * ones (app.h), so that assets, parameters checks, the cache, retries,
 * timeouts and recording work the same.  The action function of every
 * Python action is one trampoline: on the worker thread it takes the GIL,
 * calls the Python function with the parameters and the asset's settings,
 * and sets the result from the JSON it returns.  The apps directory is
 * trusted code, like the playbooks.
 */
#include <string.h>

#include "pb_int.h"
#include "../common/log.h"

/* Everything one Python app's table owns, freed with it. */
struct pyapp {
	struct app	 app;
	GPtrArray	*owned;		/* g_free'd */
};

static const char *
keep(struct pyapp *pa, const char *s)
{
	char	*d = g_strdup(s ? s : "");

	g_ptr_array_add(pa->owned, d);
	return d;
}

static gpointer
keep_mem(struct pyapp *pa, size_t n)
{
	gpointer	p = g_malloc0(n);

	g_ptr_array_add(pa->owned, p);
	return p;
}

/* A str attribute of dict 'd', or "". */
static const char *
dstr(PyObject *d, const char *key)
{
	PyObject	*v = PyDict_GetItemString(d, key);

	return v != NULL && PyUnicode_Check(v) ? PyUnicode_AsUTF8(v) : "";
}

static int
dbool(PyObject *d, const char *key)
{
	PyObject	*v = PyDict_GetItemString(d, key);

	return v != NULL && PyObject_IsTrue(v) == 1;
}

/* The asset as the Python function sees it: its name and every declared
 * setting (secrets resolved).  New reference. */
static PyObject *
asset_dict(const struct asset *as)
{
	const struct app	*ap = asset_app_table(as);
	PyObject		*d = PyDict_New(), *v;
	size_t			 i;
	char			*sec;

	if (d == NULL)
		return NULL;
	v = pb__str(asset_name(as));
	PyDict_SetItemString(d, "name", v);
	Py_XDECREF(v);
	for (i = 0; ap->settings[i].name != NULL; i++) {
		if (ap->settings[i].secret) {
			sec = asset_secret(as, ap->settings[i].name);
			v = pb__str(sec);
			if (sec != NULL)
				memset(sec, 0, strlen(sec));
			xfree(sec);
		} else
			v = pb__str(asset_get(as, ap->settings[i].name));
		PyDict_SetItemString(d, ap->settings[i].name, v);
		Py_XDECREF(v);
	}
	return d;
}

/* The one action function of every Python action (worker thread). */
static enum ms_err
trampoline(struct action_ctx *ctx)
{
	struct pb		*e = pb__cur;
	PyObject		*fn, *asset = NULL, *r = NULL, *exc;
	PyGILState_STATE	 gs;
	char			*params, *text;

	if (e == NULL || (fn = g_hash_table_lookup(e->pyfns,
	    action_ctx_action(ctx))) == NULL) {
		action_fail(ctx, 0, "python action not loaded");
		return MS_OK;
	}
	params = action_ctx_params_json(ctx);
	gs = PyGILState_Ensure();
	if ((asset = asset_dict(action_asset(ctx))) != NULL)
		r = PyObject_CallMethod(e->ms, "_call_action", "OsO", fn,
		    params, asset);
	if (r != NULL && PyUnicode_Check(r)) {
		if (action_set_result_json(ctx, PyUnicode_AsUTF8(r)) != MS_OK)
			action_fail(ctx, 0, "the action returned a result "
			    "that is not {\"data\": [...], \"summary\": "
			    "{...}}");
	} else {
		exc = pb__fetch();
		text = exc ? pb__exc_text(e, exc, 0) : xstrdup("no result");
		action_fail(ctx, 0, "%s", text);
		xfree(text);
		Py_XDECREF(exc);
	}
	Py_XDECREF(r);
	Py_XDECREF(asset);
	PyGILState_Release(gs);
	xfree(params);
	return MS_OK;
}

/* One app from its entry in mailsoar._apps. */
static struct pyapp *
app_build(struct pb *e, const char *name, PyObject *ent)
{
	struct pyapp		*pa = g_new0(struct pyapp, 1);
	PyObject		*acts = PyDict_GetItemString(ent, "actions");
	PyObject		*sets = PyDict_GetItemString(ent, "settings");
	PyObject		*k, *v, *pk, *pv, *ps;
	Py_ssize_t		 pos = 0, ppos, n, i = 0, j;
	struct app_action	*aa;
	struct app_param	*pp;
	struct app_setting	*ss;
	static const struct app_output	none[] = { { NULL, NULL } };

	pa->owned = g_ptr_array_new_with_free_func(g_free);
	pa->app.name = keep(pa, name);
	pa->app.description = keep(pa, dstr(ent, "description"));
	n = sets && PyDict_Check(sets) ? PyDict_Size(sets) : 0;
	ss = keep_mem(pa, sizeof(*ss) * (size_t)(n + 1));
	while (n > 0 && PyDict_Next(sets, &pos, &k, &v)) {
		ss[i].name = keep(pa, PyUnicode_AsUTF8(k));
		ss[i].required = dbool(v, "required");
		ss[i].secret = dbool(v, "secret");
		ss[i].description = keep(pa, dstr(v, "description"));
		i++;
	}
	pa->app.settings = ss;
	n = acts && PyDict_Check(acts) ? PyDict_Size(acts) : 0;
	aa = keep_mem(pa, sizeof(*aa) * (size_t)(n + 1));
	pos = 0;
	i = 0;
	while (n > 0 && PyDict_Next(acts, &pos, &k, &v)) {
		aa[i].name = keep(pa, PyUnicode_AsUTF8(k));
		aa[i].description = keep(pa, dstr(v, "description"));
		aa[i].fn = trampoline;
		aa[i].flags = dbool(v, "cacheable") ? APP_ACTION_CACHEABLE : 0;
		aa[i].outputs = none;
		ps = PyDict_GetItemString(v, "params");
		pp = keep_mem(pa, sizeof(*pp) * (size_t)((ps ?
		    PyDict_Size(ps) : 0) + 1));
		ppos = 0;
		j = 0;
		while (ps != NULL && PyDict_Next(ps, &ppos, &pk, &pv)) {
			pp[j].name = keep(pa, PyUnicode_AsUTF8(pk));
			pp[j].contains = *dstr(pv, "contains") ?
			    keep(pa, dstr(pv, "contains")) : NULL;
			pp[j].flags = dbool(pv, "required") ?
			    APP_PARAM_REQUIRED : 0;
			pp[j].description = keep(pa, dstr(pv, "description"));
			j++;
		}
		aa[i].params = pp;
		g_hash_table_insert(e->pyfns, &aa[i], Py_NewRef(
		    PyDict_GetItemString(v, "fn")));
		i++;
	}
	pa->app.actions = aa;
	return pa;
}

/* Execute one apps file as a module.  MS_EPY with 'err'. */
static enum ms_err
app_file(struct pb *e, const char *path, char *err, size_t errlen)
{
	gchar		*src = NULL, *base, *modname;
	PyObject	*code, *mod = NULL, *dict, *r, *exc;
	char		*t;

	if (!g_file_get_contents(path, &src, NULL, NULL)) {
		snprintf(err, errlen, "python app %s: unreadable", path);
		return MS_EIO;
	}
	code = Py_CompileString(src, path, Py_file_input);
	g_free(src);
	base = g_path_get_basename(path);
	modname = g_strdup_printf("mailsoar_app_%s", base);
	g_free(base);
	if (code != NULL && (mod = PyModule_New(modname)) != NULL) {
		dict = PyModule_GetDict(mod);
		PyDict_SetItemString(dict, "__builtins__",
		    PyEval_GetBuiltins());
		if ((r = PyEval_EvalCode(code, dict, dict)) != NULL) {
			Py_DECREF(r);
			Py_DECREF(code);
			g_free(modname);
			/* Keep the module alive: its functions are used. */
			g_ptr_array_add(e->pyapps, mod);
			return MS_OK;
		}
	}
	g_free(modname);
	exc = pb__fetch();
	t = exc ? pb__exc_text(e, exc, 1) : xstrdup("does not load");
	snprintf(err, errlen, "python app %s:\n%s", path, t);
	xfree(t);
	Py_XDECREF(exc);
	Py_XDECREF(code);
	Py_XDECREF(mod);
	return MS_EPY;
}

static gint
cmp_name(gconstpointer a, gconstpointer b)
{
	return strcmp(*(const char *const *)a, *(const char *const *)b);
}

enum ms_err
pb__apps_load(struct pb *e, const char *dir, char *err, size_t errlen)
{
	GDir		*d;
	GPtrArray	*files = g_ptr_array_new_with_free_func(g_free);
	const char	*name;
	PyObject	*apps, *k, *v;
	Py_ssize_t	 pos = 0;
	enum ms_err	 rc = MS_OK;
	guint		 i;

	e->pyapps = g_ptr_array_new();		/* modules, then apps */
	e->pyfns = g_hash_table_new(g_direct_hash, g_direct_equal);
	if ((d = g_dir_open(dir, 0, NULL)) == NULL) {
		snprintf(err, errlen, "apps_dir %s: cannot be read", dir);
		g_ptr_array_free(files, TRUE);
		return MS_EIO;
	}
	while ((name = g_dir_read_name(d)) != NULL)
		if (g_str_has_suffix(name, ".py") && name[0] != '.')
			g_ptr_array_add(files, g_build_filename(dir, name,
			    NULL));
	g_dir_close(d);
	g_ptr_array_sort(files, cmp_name);
	for (i = 0; rc == MS_OK && i < files->len; i++)
		rc = app_file(e, files->pdata[i], err, errlen);
	g_ptr_array_free(files, TRUE);
	if (rc != MS_OK)
		return rc;
	if ((apps = PyObject_GetAttrString(e->ms, "_apps")) == NULL ||
	    !PyDict_Check(apps)) {
		PyErr_Clear();
		Py_XDECREF(apps);
		snprintf(err, errlen, "python apps: mailsoar._apps is gone");
		return MS_EPY;
	}
	while (PyDict_Next(apps, &pos, &k, &v)) {
		const char *an = PyUnicode_AsUTF8(k);
		guint j;

		for (j = 0; j < e->apps->len; j++)
			if (strcmp(((const struct app *)e->apps->pdata[j])->
			    name, an) == 0)
				break;
		if (j < e->apps->len) {
			snprintf(err, errlen, "python app '%s': a built-in "
			    "app has that name", an);
			Py_DECREF(apps);
			return MS_EINVAL;
		}
		g_ptr_array_add(e->apps, &app_build(e, an, v)->app);
		log_debug("python app %s loaded", an);
	}
	Py_DECREF(apps);
	return MS_OK;
}

/* Free the Python apps' tables and functions (GIL held). */
void
pb__apps_free(struct pb *e)
{
	GHashTableIter	 it;
	gpointer	 k, v;
	guint		 i;

	if (e->pyfns != NULL) {
		g_hash_table_iter_init(&it, e->pyfns);
		while (g_hash_table_iter_next(&it, &k, &v))
			Py_DECREF((PyObject *)v);
		g_hash_table_destroy(e->pyfns);
		e->pyfns = NULL;
	}
	for (i = 0; e->apps != NULL && i < e->apps->len; i++) {
		const struct app *ap = e->apps->pdata[i];
		size_t b;

		for (b = 0; app_builtin[b] != NULL && app_builtin[b] != ap; b++)
			;
		if (app_builtin[b] == NULL) {
			struct pyapp *pa = (struct pyapp *)ap;

			g_ptr_array_free(pa->owned, TRUE);
			g_free(pa);
		}
	}
	if (e->pyapps != NULL) {
		for (i = 0; i < e->pyapps->len; i++)
			Py_DECREF((PyObject *)e->pyapps->pdata[i]);
		g_ptr_array_free(e->pyapps, TRUE);
		e->pyapps = NULL;
	}
}
