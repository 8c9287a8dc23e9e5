/* SPDX-License-Identifier: Apache-2.0 */
/*
 * exec.h -- the action executor: a pool of worker threads that run
 * action calls (app.h) with retries and backoff for transient failures,
 * at most asset_max_concurrent() at a time per asset, and hand finished
 * calls back to the one thread that owns the executor (the playbook
 * driver).  Knows nothing of Python or the store.
 */
#ifndef MS_EXEC_H
#define MS_EXEC_H

#include <stdint.h>

#include "action.h"
#include "config.h"

struct exec;

/* One call.  The owner fills the first fields, submits, and gets the
 * same pointer back from exec_wait() when it has finished. */
struct exec_job {
	struct action_ctx	*ctx;		/* owned by the owner */
	struct asset		*as;		/* concurrency slot */
	int			 retries;	/* after the first attempt */
	void			*user;
	/* Called on the worker thread once the call has ended (retries
	 * included), before the job goes back: work the owner would
	 * otherwise do on its one thread (rendering the result). */
	void			(*finish)(struct exec_job *job);
	/* Filled by the executor. */
	int			 attempts;
	int64_t			 started;	/* us, g_get_real_time() */
	int64_t			 finished;
	struct exec_job		*next;		/* internal: waiting list */
};

/* 'workers' threads (at least 1).  Never fails (OOM is fatal). */
struct exec	*exec_new(int workers);
/* Wait for every submitted job to finish, then free.  NULL-safe.  Jobs
 * not collected with exec_wait() are not freed (the owner does). */
void		 exec_free(struct exec *ex);

/* Queue 'job'; it starts when its asset has a free slot. */
void		 exec_submit(struct exec *ex, struct exec_job *job);
/* A finished job, or NULL if none finished within 'timeout_us' (0: do
 * not wait).  Only the owner thread calls this. */
struct exec_job	*exec_wait(struct exec *ex, int64_t timeout_us);
/* Jobs submitted and not yet returned by exec_wait(). */
unsigned	 exec_pending(const struct exec *ex);

#endif /* MS_EXEC_H */
