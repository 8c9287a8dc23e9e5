/* SPDX-License-Identifier: Apache-2.0 */
/*
 * pb_int.h -- shared by the files of src/py/: the engine's structures.
 * Every PyObject * field says whether it holds a reference ("ref") or
 * borrows one.
 */
#ifndef MS_PB_INT_H
#define MS_PB_INT_H

#define PY_SSIZE_T_CLEAN
#include <Python.h>
#include <glib.h>
#include <stdatomic.h>

#include "pb.h"
#include "../engine/action.h"
#include "../engine/config.h"
#include "../engine/exec.h"
#include "../store/store.h"

struct pb_run;

/* One coroutine of a run: the root (the playbook) or a gather child. */
struct pb_task {
	struct pb_run	*run;
	PyObject	*coro;		/* ref */
	struct pb_task	*parent;	/* gather parent, NULL for the root */
	Py_ssize_t	 index;		/* slot in the parent's results */
	PyObject	*results;	/* gather: list, ref */
	PyObject	*error;		/* gather: first exception, ref */
	Py_ssize_t	 left;		/* gather: children still running */
	PyObject	*send;		/* next value to send, ref */
	PyObject	*throw_;	/* next exception to throw, ref */
	int64_t		 prompt_id;	/* waiting on this prompt, or 0 */
	int		 done;
};

struct pb_run {
	struct pb	*e;
	int64_t		 id;
	int64_t		 container_id;
	char		*playbook;
	PyObject	*container;	/* Container, ref */
	GPtrArray	*tasks;		/* struct pb_task *, owned */
	int64_t		 deadline;	/* g_get_monotonic_time() */
	unsigned	 jobs_out;	/* actions not back yet */
	unsigned	 children;	/* ms.playbook() runs still alive */
	struct pb_run	*parent;	/* run that awaits this one */
	struct pb_task	*waiter;	/* its task */
	char		*approved_by;	/* last prompt's answerer */
	char		*status;	/* set when finished */
	unsigned	 n_actions, n_failed, n_skipped, n_cached;
	int		 depth;		/* ms.playbook() nesting */
	int		 killed;	/* ended by run_kill() */
};

/* A compiled playbook; the previous good version stays when an edit
 * does not compile. */
struct pb_book {
	char		*name;
	char		*path;
	PyObject	*module;	/* ref, or NULL */
	int64_t		 mtime;		/* ns, of the version in 'module' */
	int64_t		 size;
	int64_t		 tried_mtime;	/* ns, newest version tried */
	char		*error;		/* why the newest did not load */
};

/* An action call handed to the executor. */
struct pb_call {
	struct exec_job		 job;
	struct pb		*e;
	struct pb_task		*task;		/* NULL for pb_act() */
	const struct app_action	*act;
	const struct app	*app;
	char			*action;
	char			*cache_key;	/* or NULL: not cacheable */
	int			 ttl_s;
	/* Rendered by the worker (exec_job.finish). */
	char			*result_json;
	char			*params_json;
	int			 ok;
};

struct pb_cached {
	char		*json;		/* action_ctx_result_json() */
	char		*message;
	int64_t		 expires;	/* us, real time */
};

struct pb {
	struct config	*cf;
	struct store	*st;
	struct exec	*ex;
	char		*playbooks_dir;
	char		*python_dir;
	int		 quiet;
	GHashTable	*books;		/* name -> struct pb_book */
	GHashTable	*cache;		/* key -> struct pb_cached */
	GQueue		 ready;		/* struct pb_task * */
	GPtrArray	*runs;		/* live struct pb_run * */
	GPtrArray	*prompts;	/* struct pb_task * on a prompt */
	int64_t		 next_prompt_check;
	int64_t		 run_timeout_us;
	int		 max_depth;
	struct pb_run	*cur;		/* the run being stepped */
	/* The package and what the engine calls in it: refs. */
	PyObject	*ms;
	PyObject	*Request, *RunTimeout, *PlaybookError;
	PyObject	*run_fn, *result_fn, *result_json_fn, *Container;
	PyObject	*json_dumps, *json_loads, *format_exception;
	PyObject	*fixtures;	/* dict, ref, or NULL */
	/* Watchdog: a playbook stuck in Python code gets RunTimeout. */
	GThread		*watchdog;
	_Atomic int	 stop;
	_Atomic int64_t	 step_deadline;	/* 0: not stepping */
	_Atomic int	 fired;
	unsigned long	 main_ident;	/* the interpreter's thread */
	GPtrArray	*apps;		/* const struct app *, for lookups */
	int		 workers;	/* from the options, 0: config */
	/* Python apps (pb_app.c). */
	GPtrArray	*pyapps;	/* struct app *, owned */
	GHashTable	*pyfns;		/* struct app_action * -> fn (ref) */
};

extern struct pb	*pb__cur;	/* the engine, for _mailsoar */

/* pb_mod.c: the built-in module _mailsoar. */
PyObject	*pb__module_init(void);

/* pb_app.c: apps written in Python. */
enum ms_err	 pb__apps_load(struct pb *e, const char *dir, char *err,
		    size_t errlen);
void		 pb__apps_free(struct pb *e);

/* pb_act.c */
enum ms_err	 pb__act_start(struct pb *e, struct pb_task *t,
		    PyObject *action, PyObject *asset, PyObject *params);
void		 pb__call_done(struct pb *e, struct pb_call *c);
void		 pb__call_free(struct pb_call *c);
void		 pb__cached_free(gpointer p);
enum ms_err	 pb__resolve(struct pb *e, const char *action,
		    const char *asset, struct asset **as,
		    const struct app_action **act, const struct app **app,
		    char *err, size_t errlen);

/* pb.c */
void		 pb__ready(struct pb *e, struct pb_task *t, PyObject *send,
		    PyObject *throw_);
void		 pb__throw(struct pb *e, struct pb_task *t, PyObject *type,
		    const char *msg);
char		*pb__exc_text(struct pb *e, PyObject *exc, int full);
/* The current exception, normalised, with its traceback, cleared (like
 * 3.12's PyErr_GetRaisedException).  New reference or NULL. */
PyObject	*pb__fetch(void);
/* A str from UTF-8 that may be bad (replaced).  New reference. */
PyObject	*pb__str(const char *s);

#endif /* MS_PB_INT_H */
