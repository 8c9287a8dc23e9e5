/* SPDX-License-Identifier: Apache-2.0 */
/*
 * pb_mod.c -- the built-in module _mailsoar: what the pure-Python package
 * (python/mailsoar) calls to change the store from inside a playbook run:
 * score reasons, artifacts, notes, container fields, custom lists, the
 * log.  Each call is synchronous, on the main thread, inside the
 * driver's current store transaction, and audited by the store with the
 * playbook as the actor.
 */
#include <string.h>

#include "pb_int.h"
#include "../common/log.h"

/* "playbook:NAME" for the run being stepped, "playbook" outside one. */
static char *
actor(void)
{
	struct pb_run	*r = pb__cur ? pb__cur->cur : NULL;

	return g_strdup_printf("playbook:%s", r ? r->playbook : "?");
}

static int64_t
run_id(void)
{
	return pb__cur && pb__cur->cur ? pb__cur->cur->id : 0;
}

/* Raise RuntimeError with the store's message; returns NULL. */
static PyObject *
store_error(const char *what)
{
	PyErr_Format(PyExc_RuntimeError, "%s: %s", what,
	    pb__cur ? store_errmsg(pb__cur->st) : "no engine");
	return NULL;
}

#define NEED_ENGINE()							\
	do {								\
		if (pb__cur == NULL) {					\
			PyErr_SetString(PyExc_RuntimeError,		\
			    "mailsoar: not inside the engine");		\
			return NULL;					\
		}							\
	} while (0)

static PyObject *
m_score_add(PyObject *self, PyObject *args)
{
	long long	 cid;
	int		 points, total = 0;
	const char	*reason, *ev;
	char		*js = NULL;

	if (!PyArg_ParseTuple(args, "Lisz", &cid, &points, &reason, &ev))
		return NULL;
	NEED_ENGINE();
	if (store_score_add(pb__cur->st, cid, run_id(), points, reason,
	    ev) != MS_OK ||
	    store_score_json(pb__cur->st, cid, &js, &total) != MS_OK)
		return store_error("score");
	xfree(js);
	return PyLong_FromLong(total);
}

static PyObject *
m_artifact_add(PyObject *self, PyObject *args)
{
	long long	 cid;
	const char	*json;
	int64_t		 id = 0;
	int		 added = 0;

	if (!PyArg_ParseTuple(args, "Ls", &cid, &json))
		return NULL;
	NEED_ENGINE();
	if (store_artifact_add(pb__cur->st, cid, json, "playbook", &id,
	    &added) != MS_OK)
		return store_error("artifact");
	return PyLong_FromLongLong(added ? id : 0);
}

static PyObject *
m_note_add(PyObject *self, PyObject *args)
{
	long long	 cid;
	const char	*title, *md;
	int64_t		 id;
	char		*who;
	enum ms_err	 rc;

	if (!PyArg_ParseTuple(args, "Lss", &cid, &title, &md))
		return NULL;
	NEED_ENGINE();
	who = actor();
	rc = store_note_add(pb__cur->st, cid, run_id(), who, title, md, &id);
	g_free(who);
	if (rc != MS_OK)
		return store_error("note");
	return PyLong_FromLongLong(id);
}

static PyObject *
m_container_set(PyObject *self, PyObject *args)
{
	long long	 cid;
	const char	*field, *value;
	char		*who;
	enum ms_err	 rc;

	if (!PyArg_ParseTuple(args, "Lss", &cid, &field, &value))
		return NULL;
	NEED_ENGINE();
	who = actor();
	rc = store_container_set(pb__cur->st, cid, who, field, value);
	g_free(who);
	if (rc != MS_OK)
		return store_error("container");
	Py_RETURN_NONE;
}

static PyObject *
m_container_tag(PyObject *self, PyObject *args)
{
	long long	 cid;
	const char	*tag;
	char		*who;
	enum ms_err	 rc;

	if (!PyArg_ParseTuple(args, "Ls", &cid, &tag))
		return NULL;
	NEED_ENGINE();
	who = actor();
	rc = store_container_tag(pb__cur->st, cid, who, tag);
	g_free(who);
	if (rc != MS_OK)
		return store_error("tag");
	Py_RETURN_NONE;
}

static PyObject *
m_list_get(PyObject *self, PyObject *args)
{
	const char	*name;
	char		*js = NULL;
	PyObject	*r;

	if (!PyArg_ParseTuple(args, "s", &name))
		return NULL;
	NEED_ENGINE();
	if (store_list_json(pb__cur->st, name, &js) != MS_OK)
		return store_error("list");
	r = pb__str(js);
	xfree(js);
	return r;
}

static PyObject *
m_list_change(PyObject *args, int add)
{
	const char	*name, *value;
	char		*who;
	enum ms_err	 rc;

	if (!PyArg_ParseTuple(args, "ss", &name, &value))
		return NULL;
	NEED_ENGINE();
	who = actor();
	rc = add ? store_list_add(pb__cur->st, name, value, who) :
	    store_list_remove(pb__cur->st, name, value, who);
	g_free(who);
	if (rc != MS_OK)
		return store_error("list");
	Py_RETURN_NONE;
}

static PyObject *
m_list_add(PyObject *self, PyObject *args)
{
	return m_list_change(args, 1);
}

static PyObject *
m_list_remove(PyObject *self, PyObject *args)
{
	return m_list_change(args, 0);
}

static PyObject *
m_list_contains(PyObject *self, PyObject *args)
{
	const char	*name, *value;
	int		 r;

	if (!PyArg_ParseTuple(args, "ss", &name, &value))
		return NULL;
	NEED_ENGINE();
	if ((r = store_list_contains(pb__cur->st, name, value)) < 0)
		return store_error("list");
	return PyBool_FromLong(r);
}

static PyObject *
m_log(PyObject *self, PyObject *args)
{
	int		 level;
	const char	*msg;
	struct pb_run	*r = pb__cur ? pb__cur->cur : NULL;
	const char	*pb = r ? r->playbook : "?";
	long long	 id = r ? (long long)r->id : 0;

	if (!PyArg_ParseTuple(args, "is", &level, &msg))
		return NULL;
	if (level >= 2)
		log_warnx("playbook %s (run %lld): %s", pb, id, msg);
	else if (level == 1)
		log_info("playbook %s (run %lld): %s", pb, id, msg);
	else
		log_debug("playbook %s (run %lld): %s", pb, id, msg);
	Py_RETURN_NONE;
}

static PyObject *
m_run_summary(PyObject *self, PyObject *args)
{
	long long	 id;
	guint		 i;

	if (!PyArg_ParseTuple(args, "L", &id))
		return NULL;
	NEED_ENGINE();
	for (i = 0; i < pb__cur->runs->len; i++) {
		struct pb_run *r = g_ptr_array_index(pb__cur->runs, i);

		if (r->id == id)
			return PyUnicode_FromFormat("{\"run_id\": %lld, "
			    "\"actions\": %u, \"failed\": %u, \"skipped\": "
			    "%u, \"cached\": %u}", id, r->n_actions,
			    r->n_failed, r->n_skipped, r->n_cached);
	}
	return PyUnicode_FromString("{}");
}

/* The configured assets whose app has 'action', in config order: a list
 * of (name, app) tuples.  An empty list when none (cf may be NULL under
 * `playbook test` without a config). */
static PyObject *
m_assets(PyObject *self, PyObject *args)
{
	const char	*action;
	struct asset	*a;
	PyObject	*l, *t;
	size_t		 i, n;

	if (!PyArg_ParseTuple(args, "s", &action))
		return NULL;
	NEED_ENGINE();
	if ((l = PyList_New(0)) == NULL)
		return NULL;
	n = pb__cur->cf ? config_n_assets(pb__cur->cf) : 0;
	for (i = 0; i < n; i++) {
		a = config_asset(pb__cur->cf, i);
		if (action_find(asset_app_table(a), action) == NULL)
			continue;
		t = Py_BuildValue("(ss)", asset_name(a), asset_app(a));
		if (t == NULL || PyList_Append(l, t) != 0) {
			Py_XDECREF(t);
			Py_DECREF(l);
			return NULL;
		}
		Py_DECREF(t);
	}
	return l;
}

static PyMethodDef methods[] = {
	{ "score_add", m_score_add, METH_VARARGS, NULL },
	{ "artifact_add", m_artifact_add, METH_VARARGS, NULL },
	{ "note_add", m_note_add, METH_VARARGS, NULL },
	{ "container_set", m_container_set, METH_VARARGS, NULL },
	{ "container_tag", m_container_tag, METH_VARARGS, NULL },
	{ "list_get", m_list_get, METH_VARARGS, NULL },
	{ "list_add", m_list_add, METH_VARARGS, NULL },
	{ "list_remove", m_list_remove, METH_VARARGS, NULL },
	{ "list_contains", m_list_contains, METH_VARARGS, NULL },
	{ "log", m_log, METH_VARARGS, NULL },
	{ "run_summary", m_run_summary, METH_VARARGS, NULL },
	{ "assets", m_assets, METH_VARARGS, NULL },
	{ NULL, NULL, 0, NULL }
};

static struct PyModuleDef moddef = {
	PyModuleDef_HEAD_INIT, "_mailsoar",
	"The C half of the mailsoar playbook API.", -1, methods,
	NULL, NULL, NULL, NULL
};

PyObject *
pb__module_init(void)
{
	return PyModule_Create(&moddef);
}
