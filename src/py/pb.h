/* SPDX-License-Identifier: Apache-2.0 */
/*
 * pb.h -- the playbook engine: embedded CPython driving playbook runs as
 * coroutines, with actions run by the executor (exec.h) on worker
 * threads and every step recorded in the store.  src/py/ is the only code
 * that includes Python.h.
 *
 * One engine per process, used from the thread that made it (the
 * interpreter's main thread).  Runs progress only inside pb_run_until(),
 * pb_run_for() and pb_act().
 */
#ifndef MS_PB_H
#define MS_PB_H

#include <stddef.h>
#include <stdint.h>

#include "../common/ms.h"

struct config;
struct store;
struct pb;

struct pb_options {
	const char	*playbooks_dir;	/* where NAME.py live */
	const char	*python_dir;	/* the mailsoar package's parent */
	const char	*apps_dir;	/* Python apps, or NULL */
	int		 workers;	/* action threads; 0: from config */
	/* Recorded action results instead of live assets (`playbook
	 * test`): JSON {"action name": {result} | [{result}, ...]}. */
	const char	*fixtures_json;
	int		 quiet;		/* no prompt hints on stderr */
};

/*
 * Start the interpreter and load the Python apps of 'opt->apps_dir' (so
 * that the configuration can name them: see pb_apps).  'st' is borrowed
 * and must outlive the engine.  MS_EINVAL / MS_EPY with 'err' when the
 * Python side cannot be loaded.  Then pb_configure().
 */
enum ms_err	 pb_new(struct store *st, const struct pb_options *opt,
		    struct pb **out, char *err, size_t errlen);
/* Give the engine its configuration (loaded with pb_apps' list) and
 * start the executor and the watchdog.  'cf' is borrowed. */
enum ms_err	 pb_configure(struct pb *e, struct config *cf);
/* Wait for running actions, stop the interpreter.  NULL-safe. */
void		 pb_free(struct pb *e);

/*
 * Start the playbooks configured for 'label' (or just 'playbook' when
 * not NULL) on stored container 'container_id'.  '*started' counts the
 * runs started.  A playbook that does not compile is reported (log and
 * a failed run with the error) and does not stop the others.
 */
enum ms_err	 pb_start(struct pb *e, int64_t container_id,
		    const char *label, const char *playbook,
		    size_t *started);
/* Drive runs until none is in flight, or until 'max_runs_in_flight'
 * (0: no bound) are left, which lets a caller keep feeding.  Commits the
 * store in batches. */
enum ms_err	 pb_run_until(struct pb *e, size_t max_runs_in_flight);
size_t		 pb_in_flight(const struct pb *e);
/* Drive runs for at most 'us' microseconds (a daemon's slice); returns at
 * once when none is in flight. */
enum ms_err	 pb_run_for(struct pb *e, int64_t us);

/*
 * Run one action now (`mailsoar act`): the same asset selection, cache,
 * retries, timeout and recording as in a playbook.  '*result_json' the
 * result object (status, message, data, summary, parameter, app, asset,
 * cached, duration_ms).  MS_EINVAL with 'err' for an unknown action,
 * parameter or asset (listing the valid ones).
 */
enum ms_err	 pb_act(struct pb *e, const char *action, const char *asset,
		    const char *const *keys, const char *const *vals,
		    size_t n, char **result_json, char *err, size_t errlen);

/* Every app the engine knows (built-in and Python), '*n' of them.
 * Borrowed. */
const struct app *const *pb_apps(struct pb *e, size_t *n);

/* Check one asset (`mailsoar asset test`): its app's test function on a
 * worker thread, with the asset's timeout.  '*msg' (g_free) says what
 * happened.  MS_OK when it works; MS_EINVAL for an unknown asset or an
 * app without a test; MS_ENET when the test failed. */
enum ms_err	 pb_asset_test(struct pb *e, const char *asset, char **msg);

/* Compile a playbook file; MS_EPY with the error text in 'err'. */
enum ms_err	 pb_check(struct pb *e, const char *path, char *err,
		    size_t errlen);

#endif /* MS_PB_H */
