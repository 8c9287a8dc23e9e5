/* SPDX-License-Identifier: Apache-2.0 */
/*
 * pb.c -- the playbook engine's driver.  CPython is embedded once per
 * process; each playbook run is a coroutine (the package's _run wrapper
 * around the playbook's on_start) that this file steps with PyIter_Send.
 * Whatever a coroutine awaits reaches us as a mailsoar._Request: an
 * action goes to the executor's worker threads (pb_act.c), a gather
 * becomes child tasks, a prompt waits in the store for an answer, a
 * playbook call starts a child run.  No asyncio: this loop is the
 * scheduler, and it holds the GIL only while stepping.
 *
 * Runs in the process's main thread.  Trusts the playbooks as code the
 * SOC wrote, but not to behave: exceptions, syntax errors and runs that
 * never end fail that run only (a watchdog thread interrupts Python code
 * that overstays its run's budget).
 */
#include <errno.h>
#include <string.h>
#include <sys/stat.h>

#include "pb_int.h"
#include "../common/log.h"

#define PB_BATCH		512	/* steps per store transaction */
#define PB_PROMPT_POLL_US	(250 * 1000)
#define PB_WAIT_US		(100 * 1000)
#define PB_COMMIT_US		(50 * 1000)	/* store batch, at most */
#define PB_MAX_DEPTH		8	/* ms.playbook() nesting */

struct pb	*pb__cur;

PyObject *
pb__str(const char *s)
{
	if (s == NULL)
		Py_RETURN_NONE;
	return PyUnicode_DecodeUTF8(s, (Py_ssize_t)strlen(s), "replace");
}

PyObject *
pb__fetch(void)
{
	PyObject	*type, *val, *tb;

	PyErr_Fetch(&type, &val, &tb);
	if (type == NULL)
		return NULL;
	PyErr_NormalizeException(&type, &val, &tb);
	if (val == NULL)
		val = Py_NewRef(type);
	else if (tb != NULL)
		PyException_SetTraceback(val, tb);
	Py_DECREF(type);
	Py_XDECREF(tb);
	return val;
}

/* Queue 't' to be stepped with 'send' or 'throw_' (references stolen). */
void
pb__ready(struct pb *e, struct pb_task *t, PyObject *send, PyObject *throw_)
{
	Py_XSETREF(t->send, send);
	Py_XSETREF(t->throw_, throw_);
	g_queue_push_tail(&e->ready, t);
}

/* Throw a new exception of 'type' with 'msg' into 't'. */
void
pb__throw(struct pb *e, struct pb_task *t, PyObject *type, const char *msg)
{
	PyObject	*m = pb__str(msg), *exc;

	exc = m ? PyObject_CallOneArg(type, m) : NULL;
	Py_XDECREF(m);
	if (exc == NULL) {
		PyErr_Clear();
		exc = Py_NewRef(PyExc_RuntimeError);
	}
	pb__ready(e, t, NULL, exc);
}

/* The text of 'exc': its traceback when 'full', else "Type: message".
 * Newly allocated. */
char *
pb__exc_text(struct pb *e, PyObject *exc, int full)
{
	PyObject	*lines = NULL, *s = NULL, *empty = NULL;
	char		*out = NULL;

	if (full)
		lines = PyObject_CallOneArg(e->format_exception, exc);
	if (lines != NULL && (empty = PyUnicode_FromString("")) != NULL)
		s = PyUnicode_Join(empty, lines);
	else if (!full) {
		PyObject *r = PyObject_Str(exc);

		if (r != NULL)
			s = PyUnicode_FromFormat("%s: %U",
			    Py_TYPE(exc)->tp_name, r);
		Py_XDECREF(r);
	}
	if (s != NULL && PyUnicode_Check(s))
		out = xstrdup(PyUnicode_AsUTF8(s));
	if (out == NULL) {
		PyErr_Clear();
		out = xstrdup(Py_TYPE(exc)->tp_name);
	}
	Py_XDECREF(lines);
	Py_XDECREF(empty);
	Py_XDECREF(s);
	return out;
}

/* ---- playbooks on disk ------------------------------------------------ */

static void
book_free(gpointer p)
{
	struct pb_book	*b = p;

	Py_XDECREF(b->module);
	g_free(b->name);
	g_free(b->path);
	g_free(b->error);
	g_free(b);
}

/* Compile and execute 'path' as a fresh module; check on_start.  New
 * reference, or NULL with '*why' (newly allocated). */
static PyObject *
book_compile(struct pb *e, const char *name, const char *path, char **why)
{
	gchar		*src = NULL, *modname;
	gsize		 len;
	PyObject	*code = NULL, *mod = NULL, *dict, *r, *fn;
	PyObject	*exc;

	*why = NULL;
	if (!g_file_get_contents(path, &src, &len, NULL)) {
		*why = g_strdup_printf("%s: %s", path, g_strerror(errno));
		return NULL;
	}
	code = Py_CompileString(src, path, Py_file_input);
	g_free(src);
	if (code == NULL)
		goto pyerr;
	modname = g_strdup_printf("playbook_%s", name);
	mod = PyModule_New(modname);
	g_free(modname);
	if (mod == NULL)
		goto pyerr;
	dict = PyModule_GetDict(mod);		/* borrowed */
	if (PyDict_SetItemString(dict, "__file__", PyUnicode_FromString(
	    path)) < 0 || PyDict_SetItemString(dict, "__builtins__",
	    PyEval_GetBuiltins()) < 0)
		goto pyerr;
	if ((r = PyEval_EvalCode(code, dict, dict)) == NULL)
		goto pyerr;
	Py_DECREF(r);
	fn = PyDict_GetItemString(dict, "on_start");	/* borrowed */
	if (fn == NULL || !PyCallable_Check(fn) ||
	    !(((PyCodeObject *)PyFunction_GetCode(fn))->co_flags &
	    CO_COROUTINE)) {
		*why = g_strdup_printf("%s: no 'async def on_start(container)'",
		    path);
		goto fail;
	}
	Py_DECREF(code);
	return mod;
pyerr:
	exc = pb__fetch();
	if (exc != NULL) {
		char *t = pb__exc_text(e, exc, 1);

		*why = g_strdup(t);
		xfree(t);
		Py_DECREF(exc);
	} else
		*why = g_strdup_printf("%s: does not load", path);
fail:
	Py_XDECREF(code);
	Py_XDECREF(mod);
	return NULL;
}

/* The playbook 'name', (re)loaded if its file changed.  Borrowed module,
 * or NULL with '*why' borrowed from the book. */
static PyObject *
book_get(struct pb *e, const char *name, const char **why)
{
	struct pb_book	*b;
	struct stat	 sb;
	PyObject	*mod;
	char		*err;
	int64_t		 mtime;

	*why = NULL;
	if (name[0] == '\0' || strchr(name, '/') != NULL ||
	    name[0] == '.') {
		*why = "playbook names are file names without .py";
		return NULL;
	}
	if ((b = g_hash_table_lookup(e->books, name)) == NULL) {
		b = g_new0(struct pb_book, 1);
		b->name = g_strdup(name);
		b->path = g_strdup_printf("%s/%s.py", e->playbooks_dir, name);
		g_hash_table_insert(e->books, b->name, b);
	}
	if (stat(b->path, &sb) != 0) {
		g_free(b->error);
		b->error = g_strdup_printf("no playbook %s (%s: %s)", name,
		    b->path, g_strerror(errno));
		*why = b->error;
		return b->module;	/* deleted: keep running the last */
	}
	mtime = (int64_t)sb.st_mtim.tv_sec * 1000000000 + sb.st_mtim.tv_nsec;
	if (b->module != NULL && mtime == b->mtime &&
	    (int64_t)sb.st_size == b->size)
		return b->module;
	if (b->module == NULL || mtime != b->tried_mtime) {
		b->tried_mtime = mtime;
		if ((mod = book_compile(e, name, b->path, &err)) != NULL) {
			Py_XSETREF(b->module, mod);
			b->mtime = mtime;
			b->size = (int64_t)sb.st_size;
			g_clear_pointer(&b->error, g_free);
			return mod;
		}
		g_free(b->error);
		b->error = err;
		if (b->module != NULL)
			log_warnx("playbook %s changed but does not load; "
			    "the previous version keeps running:\n%s", name,
			    err);
	}
	*why = b->error;
	return b->module;
}

enum ms_err
pb_check(struct pb *e, const char *path, char *err, size_t errlen)
{
	PyObject	*mod;
	char		*why = NULL, *name = g_path_get_basename(path), *dot;

	if ((dot = strrchr(name, '.')) != NULL)
		*dot = '\0';
	mod = book_compile(e, name, path, &why);
	g_free(name);
	if (mod == NULL) {
		g_strlcpy(err, why ? why : "does not load", errlen);
		g_free(why);
		return MS_EPY;
	}
	Py_DECREF(mod);
	return MS_OK;
}

/* ---- runs ----------------------------------------------------------- */

static struct pb_task *
task_new(struct pb_run *r, PyObject *coro, struct pb_task *parent,
    Py_ssize_t index)
{
	struct pb_task	*t = g_new0(struct pb_task, 1);

	t->run = r;
	t->coro = coro;		/* stolen */
	t->parent = parent;
	t->index = index;
	g_ptr_array_add(r->tasks, t);
	return t;
}

static void
task_free(gpointer p)
{
	struct pb_task	*t = p;

	Py_XDECREF(t->coro);
	Py_XDECREF(t->results);
	Py_XDECREF(t->error);
	Py_XDECREF(t->send);
	Py_XDECREF(t->throw_);
	g_free(t);
}

/* A new Container for stored container 'cid'.  New reference or NULL
 * (with a Python error set). */
static PyObject *
container_new(struct pb *e, int64_t cid)
{
	char		*cj = NULL, *aj = NULL;
	PyObject	*c = NULL;

	if (store_container_json(e->st, cid, &cj) != MS_OK ||
	    store_artifacts_json(e->st, cid, &aj) != MS_OK) {
		PyErr_Format(PyExc_RuntimeError, "container %lld: %s",
		    (long long)cid, store_errmsg(e->st));
		goto out;
	}
	c = PyObject_CallFunction(e->Container, "ss", cj, aj);
out:
	xfree(cj);
	xfree(aj);
	return c;
}

/*
 * Start playbook 'name' on container 'cid' ('container' reused when a
 * run calls another).  NULL when it could not start: then a failed run
 * is recorded with the reason, in '*why' too (newly allocated).
 */
static struct pb_run *
run_new(struct pb *e, int64_t cid, const char *name, PyObject *container,
    int depth, char **why)
{
	struct pb_run	*r;
	PyObject	*mod, *coro, *exc;
	const char	*err;
	int64_t		 id;
	char		*tb;

	*why = NULL;
	mod = book_get(e, name, &err);
	if (store_run_start(e->st, cid, name, &id) != MS_OK) {
		*why = g_strdup_printf("store: %s", store_errmsg(e->st));
		return NULL;
	}
	if (mod == NULL) {
		*why = g_strdup_printf("playbook %s does not load", name);
		store_run_finish(e->st, id, "failed", *why, err);
		log_warnx("%s:\n%s", *why, err ? err : "");
		return NULL;
	}
	r = g_new0(struct pb_run, 1);
	r->e = e;
	r->id = id;
	r->container_id = cid;
	r->playbook = g_strdup(name);
	r->tasks = g_ptr_array_new_with_free_func(task_free);
	r->deadline = g_get_monotonic_time() + e->run_timeout_us;
	r->depth = depth;
	if (container != NULL)
		r->container = Py_NewRef(container);
	else
		r->container = container_new(e, cid);
	coro = r->container == NULL ? NULL : PyObject_CallFunction(
	    e->run_fn, "OOL", mod, r->container, (long long)id);
	if (coro == NULL) {
		exc = pb__fetch();
		tb = exc ? pb__exc_text(e, exc, 1) : xstrdup("no coroutine");
		Py_XDECREF(exc);
		*why = g_strdup_printf("playbook %s did not start", name);
		store_run_finish(e->st, id, "failed", *why, tb);
		xfree(tb);
		Py_XDECREF(r->container);
		g_ptr_array_free(r->tasks, TRUE);
		g_free(r->playbook);
		g_free(r);
		return NULL;
	}
	g_ptr_array_add(e->runs, r);
	pb__ready(e, task_new(r, coro, NULL, 0), NULL, NULL);
	return r;
}

/* Record the end of 'r' and wake whoever awaits it. */
static void
run_finish(struct pb *e, struct pb_run *r, const char *status,
    PyObject *exc)
{
	char	*msg = NULL, *tb = NULL;

	if (r->status != NULL)
		return;
	r->status = g_strdup(status);
	if (exc != NULL && strcmp(status, "timeout") == 0)
		msg = g_strdup_printf("the run took longer than its %lld s "
		    "(run_timeout_s)", (long long)(e->run_timeout_us /
		    G_USEC_PER_SEC));
	else if (exc != NULL)
		msg = pb__exc_text(e, exc, 0);
	if (exc != NULL)
		tb = pb__exc_text(e, exc, 1);
	if (store_run_finish(e->st, r->id, status, msg, tb) != MS_OK)
		log_warnx("run %lld: %s", (long long)r->id,
		    store_errmsg(e->st));
	if (exc != NULL)
		log_info("run %lld (%s on container %lld): %s: %s",
		    (long long)r->id, r->playbook, (long long)r->container_id,
		    status, msg);
	xfree(msg);
	xfree(tb);
	if (r->waiter != NULL && r->parent != NULL &&
	    r->parent->status == NULL)
		pb__ready(e, r->waiter, pb__str(status), NULL);
}

/* Close every coroutine of 'r' (timeout, shutdown). */
static void
run_kill(struct pb *e, struct pb_run *r, const char *status)
{
	PyObject	*exc;
	guint		 i;

	r->killed = 1;
	for (i = 0; i < r->tasks->len; i++) {
		struct pb_task *t = g_ptr_array_index(r->tasks, i);

		if (t->done)
			continue;
		t->done = 1;
		g_ptr_array_remove(e->prompts, t);
		if (t->coro != NULL) {
			PyObject *x = PyObject_CallMethod(t->coro, "close",
			    NULL);

			if (x == NULL)
				PyErr_Clear();
			Py_XDECREF(x);
		}
	}
	exc = PyObject_CallFunction(e->RunTimeout, "s",
	    "playbook run timed out");
	if (exc == NULL)
		PyErr_Clear();
	run_finish(e, r, status, exc);
	Py_XDECREF(exc);
}

/* Free runs that are finished and have nothing outstanding. */
static void
runs_reap(struct pb *e)
{
	guint		 i, k;
	struct pb_run	*r;

	for (i = 0; i < e->runs->len;) {
		r = g_ptr_array_index(e->runs, i);
		if (r->status == NULL || r->jobs_out > 0 || r->children > 0) {
			i++;
			continue;
		}
		g_ptr_array_remove_index_fast(e->runs, i);
		if (r->parent != NULL)
			r->parent->children--;
		/* A killed run's tasks may still wait in the ready queue
		 * (a run that ended by itself has none there). */
		for (k = 0; r->killed && k < r->tasks->len; k++)
			g_queue_remove_all(&e->ready, r->tasks->pdata[k]);
		Py_XDECREF(r->container);
		g_ptr_array_free(r->tasks, TRUE);
		g_free(r->playbook);
		g_free(r->approved_by);
		g_free(r->status);
		g_free(r);
	}
}

/* A task ended with 'value' (stolen) or 'exc' (stolen). */
static void
task_end(struct pb *e, struct pb_task *t, PyObject *value, PyObject *exc)
{
	struct pb_task	*p = t->parent;

	t->done = 1;
	if (p == NULL) {
		int timeout = exc != NULL &&
		    PyObject_IsInstance(exc, e->RunTimeout) == 1;

		run_finish(e, t->run, exc == NULL ? "success" :
		    timeout ? "timeout" : "failed", exc);
		Py_XDECREF(value);
		Py_XDECREF(exc);
		return;
	}
	if (exc != NULL) {
		if (p->error == NULL)
			p->error = exc;
		else
			Py_DECREF(exc);
		Py_XDECREF(value);
	} else
		PyList_SetItem(p->results, t->index,
		    value ? value : Py_NewRef(Py_None));	/* steals */
	if (--p->left == 0 && !p->done) {
		if (p->error != NULL) {
			PyObject *x = p->error;

			p->error = NULL;
			pb__ready(e, p, NULL, x);
		} else
			pb__ready(e, p, Py_NewRef(p->results), NULL);
	}
}

/* Handle what a coroutine yielded ('req', borrowed). */
static void
task_request(struct pb *e, struct pb_task *t, PyObject *req)
{
	PyObject	*kind = NULL, *args = NULL, *items;
	const char	*k;
	Py_ssize_t	 i, n;
	char		*why = NULL;

	if (PyObject_IsInstance(req, e->Request) != 1 ||
	    (kind = PyObject_GetAttrString(req, "kind")) == NULL ||
	    (args = PyObject_GetAttrString(req, "args")) == NULL ||
	    !PyTuple_Check(args) || (k = PyUnicode_AsUTF8(kind)) == NULL) {
		PyErr_Clear();
		pb__throw(e, t, PyExc_TypeError, "a playbook awaits only "
		    "ms.act, ms.gather, ms.prompt and ms.playbook");
		goto out;
	}
	if (strcmp(k, "act") == 0 && PyTuple_GET_SIZE(args) == 3) {
		pb__act_start(e, t, PyTuple_GET_ITEM(args, 0),
		    PyTuple_GET_ITEM(args, 1), PyTuple_GET_ITEM(args, 2));
	} else if (strcmp(k, "gather") == 0 && PyTuple_GET_SIZE(args) == 1 &&
	    PyList_Check(items = PyTuple_GET_ITEM(args, 0))) {
		n = PyList_GET_SIZE(items);
		Py_XSETREF(t->results, PyList_New(n));
		if (t->results == NULL) {
			PyErr_Clear();
			pb__throw(e, t, PyExc_MemoryError, "gather");
			goto out;
		}
		for (i = 0; i < n; i++)
			PyList_SET_ITEM(t->results, i, Py_NewRef(Py_None));
		t->left = n;
		for (i = 0; i < n; i++)
			pb__ready(e, task_new(t->run, Py_NewRef(
			    PyList_GET_ITEM(items, i)), t, i), NULL, NULL);
	} else if (strcmp(k, "prompt") == 0 && PyTuple_GET_SIZE(args) == 4) {
		PyObject	*cj;
		double		 min = PyFloat_AsDouble(PyTuple_GET_ITEM(args,
				    2));
		const char	*msg = PyUnicode_AsUTF8(PyTuple_GET_ITEM(args,
				    0));
		const char	*def = PyUnicode_AsUTF8(PyTuple_GET_ITEM(args,
				    3));

		cj = PyObject_CallOneArg(e->json_dumps,
		    PyTuple_GET_ITEM(args, 1));
		if (cj == NULL || msg == NULL || def == NULL || min < 0 ||
		    store_prompt_add(e->st, t->run->id, t->run->container_id,
		    msg, PyUnicode_AsUTF8(cj), def, g_get_real_time() +
		    (int64_t)(min * 60e6), &t->prompt_id) != MS_OK) {
			PyErr_Clear();
			Py_XDECREF(cj);
			pb__throw(e, t, e->PlaybookError, "prompt: not stored");
			goto out;
		}
		Py_DECREF(cj);
		g_ptr_array_add(e->prompts, t);
		e->next_prompt_check = 0;
		if (!e->quiet)
			fprintf(stderr, "mailsoar: run %lld asks (prompt %lld, "
			    "%g min): %s -- answer with: mailsoar prompt "
			    "answer %lld CHOICE\n", (long long)t->run->id,
			    (long long)t->prompt_id, min, msg,
			    (long long)t->prompt_id);
	} else if (strcmp(k, "playbook") == 0 && PyTuple_GET_SIZE(args) == 1) {
		struct pb_run	*c;
		const char	*name = PyUnicode_AsUTF8(PyTuple_GET_ITEM(args,
				    0));

		if (name == NULL || t->run->depth >= PB_MAX_DEPTH) {
			PyErr_Clear();
			pb__throw(e, t, e->PlaybookError, "ms.playbook: too "
			    "deep (a playbook calling itself?)");
			goto out;
		}
		c = run_new(e, t->run->container_id, name, t->run->container,
		    t->run->depth + 1, &why);
		if (c == NULL) {
			pb__throw(e, t, e->PlaybookError, why);
			goto out;
		}
		c->parent = t->run;
		c->waiter = t;
		t->run->children++;
	} else
		pb__throw(e, t, PyExc_TypeError, "unknown request");
out:
	g_free(why);
	Py_XDECREF(kind);
	Py_XDECREF(args);
}

/* Step one task: send its value or throw its exception. */
static void
task_step(struct pb *e, struct pb_task *t)
{
	PyObject	*out = NULL, *send, *thr, *exc;
	PySendResult	 r;

	if (t->done || t->run->status != NULL)
		return;
	send = t->send;
	thr = t->throw_;
	t->send = t->throw_ = NULL;
	e->cur = t->run;
	atomic_store(&e->fired, 0);
	atomic_store(&e->step_deadline, t->run->deadline);
	if (thr != NULL) {
		out = PyObject_CallMethod(t->coro, "throw", "O", thr);
		if (out != NULL)
			r = PYGEN_NEXT;
		else if (PyErr_ExceptionMatches(PyExc_StopIteration)) {
			exc = pb__fetch();
			out = PyObject_GetAttrString(exc, "value");
			Py_DECREF(exc);
			r = PYGEN_RETURN;
		} else
			r = PYGEN_ERROR;
	} else
		r = PyIter_Send(t->coro, send ? send : Py_None, &out);
	atomic_store(&e->step_deadline, 0);
	e->cur = NULL;
	Py_XDECREF(send);
	Py_XDECREF(thr);
	switch (r) {
	case PYGEN_RETURN:
		task_end(e, t, out, NULL);
		break;
	case PYGEN_ERROR:
		exc = pb__fetch();
		task_end(e, t, NULL, exc ? exc : Py_NewRef(
		    PyExc_RuntimeError));
		break;
	case PYGEN_NEXT:
		task_request(e, t, out);
		Py_DECREF(out);
		break;
	}
}

/* Answer tasks whose prompt was answered or expired. */
static void
prompts_poll(struct pb *e)
{
	char	*status, *answer, *who;
	guint	 i;
	int64_t	 now = g_get_monotonic_time();

	if (e->prompts->len == 0 || now < e->next_prompt_check)
		return;
	e->next_prompt_check = now + PB_PROMPT_POLL_US;
	store_prompts_expire(e->st, g_get_real_time());
	for (i = 0; i < e->prompts->len;) {
		struct pb_task *t = g_ptr_array_index(e->prompts, i);

		status = answer = who = NULL;
		if (store_prompt_get(e->st, t->prompt_id, &status, &answer,
		    &who) != MS_OK || strcmp(status, "pending") == 0) {
			xfree(status);
			xfree(answer);
			xfree(who);
			i++;
			continue;
		}
		g_ptr_array_remove_index(e->prompts, i);
		if (strcmp(status, "answered") == 0 && who != NULL) {
			g_free(t->run->approved_by);
			t->run->approved_by = g_strdup(who);
		}
		t->prompt_id = 0;
		pb__ready(e, t, pb__str(answer), NULL);
		xfree(status);
		xfree(answer);
		xfree(who);
	}
}

/* Time out runs past their deadline. */
static void
runs_expire(struct pb *e)
{
	int64_t	now = g_get_monotonic_time();
	guint	i;

	for (i = 0; i < e->runs->len; i++) {
		struct pb_run *r = g_ptr_array_index(e->runs, i);

		if (r->status == NULL && now > r->deadline)
			run_kill(e, r, "timeout");
	}
}

static enum ms_err	run_loop(struct pb *e, size_t max_in_flight,
			    int64_t deadline);

size_t
pb_in_flight(const struct pb *e)
{
	return e->runs->len;
}

enum ms_err
pb_run_until(struct pb *e, size_t max_in_flight)
{
	return run_loop(e, max_in_flight, 0);
}

enum ms_err
pb_run_for(struct pb *e, int64_t us)
{
	if (e->runs->len == 0)
		return MS_OK;
	return run_loop(e, 0, g_get_monotonic_time() + MAX(us, 1));
}

/* Drive runs until at most 'max_in_flight' are left or, when 'deadline'
 * is not 0, until then (monotonic). */
static enum ms_err
run_loop(struct pb *e, size_t max_in_flight, int64_t deadline)
{
	struct exec_job	*job;
	struct pb_task	*t;
	int64_t		 wait, began = 0;
	int		 n, in_txn = 0;

	/*
	 * One store transaction spans many steps: it is committed every
	 * PB_COMMIT_US, and before returning.  Other processes (an analyst
	 * answering a prompt) wait at most that long for the write lock.
	 */
	while (e->runs->len > max_in_flight) {
		if (!in_txn) {
			if (store_begin(e->st) != MS_OK)
				return MS_EDB;
			in_txn = 1;
			began = g_get_monotonic_time();
		}
		while ((job = exec_wait(e->ex, 0)) != NULL)
			pb__call_done(e, (struct pb_call *)job);
		for (n = 0; n < PB_BATCH &&
		    (t = g_queue_pop_head(&e->ready)) != NULL; n++)
			task_step(e, t);
		prompts_poll(e);
		runs_expire(e);
		runs_reap(e);
		if (e->runs->len <= max_in_flight ||
		    g_get_monotonic_time() - began >= PB_COMMIT_US ||
		    e->prompts->len > 0) {
			if (store_commit(e->st) != MS_OK)
				return MS_EDB;
			in_txn = 0;
		}
		if (deadline != 0 && g_get_monotonic_time() >= deadline)
			break;
		if (!g_queue_is_empty(&e->ready) ||
		    e->runs->len <= max_in_flight)
			continue;
		wait = e->prompts->len > 0 ? PB_PROMPT_POLL_US : PB_WAIT_US;
		if (in_txn)
			wait = MIN(wait, PB_COMMIT_US);
		if (deadline != 0)
			wait = MAX(1, MIN(wait, deadline -
			    g_get_monotonic_time()));
		Py_BEGIN_ALLOW_THREADS
		job = exec_wait(e->ex, wait);
		Py_END_ALLOW_THREADS
		if (job != NULL) {
			if (!in_txn) {
				if (store_begin(e->st) != MS_OK)
					return MS_EDB;
				in_txn = 1;
				began = g_get_monotonic_time();
			}
			pb__call_done(e, (struct pb_call *)job);
		}
	}
	if (in_txn && store_commit(e->st) != MS_OK)
		return MS_EDB;
	return MS_OK;
}

enum ms_err
pb_start(struct pb *e, int64_t cid, const char *label, const char *playbook,
    size_t *started)
{
	const char *const	*names, *one[2] = { playbook, NULL };
	char			*why;
	size_t			 i;

	static const char *const def[] = { "email_triage", NULL };

	*started = 0;
	names = playbook ? one : config_playbooks(e->cf, label);
	/* No [playbooks] line for emails: the shipped default. */
	if (names[0] == NULL && playbook == NULL &&
	    strcmp(label, "email") == 0 &&
	    !config_has_playbooks(e->cf, "email"))
		names = def;
	for (i = 0; names[i] != NULL; i++) {
		if (run_new(e, cid, names[i], NULL, 0, &why) != NULL)
			(*started)++;
		g_free(why);
	}
	return MS_OK;
}

/* ---- watchdog --------------------------------------------------------- */

/*
 * A playbook stuck in Python code (a loop that never awaits) gets
 * RunTimeout raised in it: the watchdog takes the GIL, which the main
 * thread gives up at Python's switch interval only while it runs
 * bytecode, checks again that a step is overrunning, and raises the
 * exception in the main thread with PyThreadState_SetAsyncExc.  (3.11's
 * Py_AddPendingCall does not wake the main thread when called from
 * another one.)
 */
static gpointer
watchdog(gpointer arg)
{
	struct pb	*e = arg;
	int64_t		 dl;
	int		 zero;
	PyGILState_STATE gs;

	while (!atomic_load(&e->stop)) {
		g_usleep(20 * 1000);
		dl = atomic_load(&e->step_deadline);
		zero = 0;
		if (dl == 0 || g_get_monotonic_time() <= dl ||
		    !atomic_compare_exchange_strong(&e->fired, &zero, 1))
			continue;
		gs = PyGILState_Ensure();
		dl = atomic_load(&e->step_deadline);
		if (dl != 0 && g_get_monotonic_time() > dl)
			PyThreadState_SetAsyncExc(e->main_ident, e->RunTimeout);
		PyGILState_Release(gs);
	}
	return NULL;
}

/* ---- the engine ------------------------------------------------------ */

/* getattr(mod, name): new reference or NULL with 'err' filled. */
static PyObject *
need(PyObject *mod, const char *name, char *err, size_t errlen)
{
	PyObject	*o = PyObject_GetAttrString(mod, name);

	if (o == NULL) {
		PyErr_Clear();
		snprintf(err, errlen, "python: no %s.%s",
		    PyModule_GetName(mod), name);
	}
	return o;
}

/* Start CPython (isolated: no PYTHON* variables, no user site) with
 * the built-in module _mailsoar and 'python_dir' first on sys.path. */
static enum ms_err
interp_start(const char *python_dir, char *err, size_t errlen)
{
	PyConfig	 pc;
	PyStatus	 ps;
	PyObject	*path, *dir;

	if (Py_IsInitialized()) {
		snprintf(err, errlen, "python: one engine per process");
		return MS_EINVAL;
	}
	if (PyImport_AppendInittab("_mailsoar", pb__module_init) < 0) {
		snprintf(err, errlen, "python: cannot add _mailsoar");
		return MS_EPY;
	}
	PyConfig_InitIsolatedConfig(&pc);
	pc.install_signal_handlers = 0;
	pc.write_bytecode = 0;
	ps = Py_InitializeFromConfig(&pc);
	PyConfig_Clear(&pc);
	if (PyStatus_Exception(ps)) {
		snprintf(err, errlen, "python: %s", ps.err_msg ? ps.err_msg :
		    "cannot start");
		return MS_EPY;
	}
	path = PySys_GetObject("path");		/* borrowed */
	dir = PyUnicode_DecodeFSDefault(python_dir);
	if (path == NULL || dir == NULL || PyList_Insert(path, 0, dir) < 0) {
		Py_XDECREF(dir);
		PyErr_Clear();
		snprintf(err, errlen, "python: cannot set sys.path");
		return MS_EPY;
	}
	Py_DECREF(dir);
	return MS_OK;
}

/* Import what the engine calls.  MS_EPY with 'err'. */
static enum ms_err
interp_bind(struct pb *e, char *err, size_t errlen)
{
	PyObject	*json, *tb;

	if ((e->ms = PyImport_ImportModule("mailsoar")) == NULL) {
		PyObject *exc = pb__fetch();
		char *t = exc ? pb__exc_text(e, exc, 0) : NULL;

		snprintf(err, errlen, "python: cannot import mailsoar from "
		    "%s: %s", e->python_dir, t ? t : "?");
		xfree(t);
		Py_XDECREF(exc);
		return MS_EPY;
	}
	if ((json = PyImport_ImportModule("json")) == NULL ||
	    (tb = PyImport_ImportModule("traceback")) == NULL) {
		PyErr_Clear();
		snprintf(err, errlen, "python: no json/traceback module");
		return MS_EPY;
	}
	e->json_dumps = need(json, "dumps", err, errlen);
	e->json_loads = need(json, "loads", err, errlen);
	e->format_exception = need(tb, "format_exception", err, errlen);
	Py_DECREF(json);
	Py_DECREF(tb);
	if (e->json_dumps == NULL || e->json_loads == NULL ||
	    e->format_exception == NULL ||
	    (e->Request = need(e->ms, "_Request", err, errlen)) == NULL ||
	    (e->RunTimeout = need(e->ms, "RunTimeout", err, errlen)) ==
	    NULL || (e->PlaybookError = need(e->ms, "PlaybookError", err,
	    errlen)) == NULL ||
	    (e->run_fn = need(e->ms, "_run", err, errlen)) == NULL ||
	    (e->result_fn = need(e->ms, "_result", err, errlen)) == NULL ||
	    (e->result_json_fn = need(e->ms, "_result_json", err,
	    errlen)) == NULL ||
	    (e->Container = need(e->ms, "Container", err, errlen)) == NULL)
		return MS_EPY;
	return MS_OK;
}

/* Parse the fixtures (JSON text) into a dict. */
static enum ms_err
fixtures_load(struct pb *e, const char *text, char *err, size_t errlen)
{
	PyObject	*json, *d;

	json = PyImport_ImportModule("json");
	d = json ? PyObject_CallMethod(json, "loads", "s", text) : NULL;
	Py_XDECREF(json);
	if (d == NULL || !PyDict_Check(d)) {
		PyObject *exc = pb__fetch();
		char *t = exc ? pb__exc_text(e, exc, 0) : NULL;

		snprintf(err, errlen, "fixtures: %s", t ? t :
		    "not a JSON object of action -> result");
		xfree(t);
		Py_XDECREF(exc);
		Py_XDECREF(d);
		return MS_EINVAL;
	}
	e->fixtures = d;
	return MS_OK;
}

enum ms_err
pb_new(struct store *st, const struct pb_options *opt, struct pb **out,
    char *err, size_t errlen)
{
	struct pb	*e;
	enum ms_err	 rc;
	size_t		 i;

	*out = NULL;
	e = g_new0(struct pb, 1);
	e->st = st;
	e->playbooks_dir = g_strdup(opt->playbooks_dir);
	e->python_dir = g_strdup(opt->python_dir);
	e->quiet = opt->quiet;
	e->workers = opt->workers;
	e->books = g_hash_table_new_full(g_str_hash, g_str_equal, NULL,
	    book_free);
	e->cache = g_hash_table_new_full(g_str_hash, g_str_equal, g_free,
	    pb__cached_free);
	g_queue_init(&e->ready);
	e->runs = g_ptr_array_new();
	e->prompts = g_ptr_array_new();
	e->apps = g_ptr_array_new();
	for (i = 0; app_builtin[i] != NULL; i++)
		g_ptr_array_add(e->apps, (gpointer)app_builtin[i]);
	if ((rc = interp_start(e->python_dir, err, errlen)) != MS_OK) {
		pb_free(e);
		return rc;
	}
	pb__cur = e;
	if ((rc = interp_bind(e, err, errlen)) != MS_OK ||
	    (opt->fixtures_json != NULL && (rc = fixtures_load(e,
	    opt->fixtures_json, err, errlen)) != MS_OK) ||
	    (opt->apps_dir != NULL && (rc = pb__apps_load(e, opt->apps_dir,
	    err, errlen)) != MS_OK)) {
		pb_free(e);
		return rc;
	}
	e->main_ident = PyThread_get_thread_ident();
	*out = e;
	return MS_OK;
}

enum ms_err
pb_configure(struct pb *e, struct config *cf)
{
	int	workers;

	if (e->cf != NULL)
		return MS_EINVAL;
	e->cf = cf;
	e->run_timeout_us = config_get_int(cf, "engine", "run_timeout_s",
	    300) * G_USEC_PER_SEC;
	workers = e->workers > 0 ? e->workers :
	    (int)config_get_int(cf, "engine", "workers", 8);
	e->ex = exec_new(workers);
	e->watchdog = g_thread_new("pb-watchdog", watchdog, e);
	return MS_OK;
}

void
pb_free(struct pb *e)
{
	struct exec_job	*job;
	guint		 i;

	if (e == NULL)
		return;
	if (e->watchdog != NULL) {
		atomic_store(&e->stop, 1);
		Py_BEGIN_ALLOW_THREADS
		g_thread_join(e->watchdog);
		Py_END_ALLOW_THREADS
	}
	if (e->ex != NULL) {
		Py_BEGIN_ALLOW_THREADS
		while (exec_pending(e->ex) > 0 &&
		    (job = exec_wait(e->ex, G_USEC_PER_SEC)) != NULL) {
			struct pb_call *c = (struct pb_call *)job;

			if (c->task != NULL)
				c->task->run->jobs_out--;
			pb__call_free(c);
		}
		exec_free(e->ex);	/* Python apps may want the GIL */
		Py_END_ALLOW_THREADS
	}
	for (i = 0; i < e->runs->len; i++) {
		struct pb_run *r = g_ptr_array_index(e->runs, i);

		if (r->status == NULL)
			run_kill(e, r, "interrupted");
		r->jobs_out = 0;
		r->children = 0;
	}
	runs_reap(e);
	g_queue_clear(&e->ready);
	g_hash_table_destroy(e->cache);
	if (Py_IsInitialized()) {
		g_hash_table_destroy(e->books);
		Py_XDECREF(e->ms);
		Py_XDECREF(e->Request);
		Py_XDECREF(e->RunTimeout);
		Py_XDECREF(e->PlaybookError);
		Py_XDECREF(e->run_fn);
		Py_XDECREF(e->result_fn);
		Py_XDECREF(e->result_json_fn);
		Py_XDECREF(e->Container);
		Py_XDECREF(e->json_dumps);
		Py_XDECREF(e->json_loads);
		Py_XDECREF(e->format_exception);
		Py_XDECREF(e->fixtures);
		pb__apps_free(e);
		Py_FinalizeEx();
	} else
		g_hash_table_destroy(e->books);
	pb__cur = NULL;
	g_ptr_array_free(e->runs, TRUE);
	g_ptr_array_free(e->prompts, TRUE);
	g_ptr_array_free(e->apps, TRUE);
	g_free(e->playbooks_dir);
	g_free(e->python_dir);
	g_free(e);
}
