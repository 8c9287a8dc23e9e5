/* SPDX-License-Identifier: Apache-2.0 */
/*
 * exec.c -- runs action calls on a GThreadPool.  Per-asset concurrency:
 * a job whose asset already runs asset_max_concurrent() calls waits in
 * that asset's list and is handed to the pool by the worker that frees
 * the slot, so a slow asset never holds up the others.  Retries: a
 * transiently failed call is tried again after 200 ms, 400 ms, ... as
 * long as its time budget allows; the worker sleeps meanwhile, which
 * costs a thread, not the engine.  Finished jobs go to one GAsyncQueue
 * that the owner drains.
 */
#include <glib.h>

#include "exec.h"

#define EXEC_BACKOFF_US		(200 * 1000)	/* first retry delay */
#define EXEC_BACKOFF_MAX_US	(5 * 1000 * 1000)

struct slot {
	int		 running;
	struct exec_job	*head, *tail;	/* waiting for this asset */
};

struct exec {
	GThreadPool	*pool;
	GAsyncQueue	*done;
	GMutex		 lock;
	GHashTable	*slots;		/* struct asset * -> struct slot */
	unsigned	 pending;	/* owner thread only */
};

/* Run one job to its end, retries included (worker thread). */
static void
run_job(struct exec_job *job)
{
	int64_t	backoff = EXEC_BACKOFF_US;
	int	left_ms;

	job->started = g_get_real_time();
	for (;;) {
		job->attempts++;
		action_ctx_run(job->ctx);
		if (action_ctx_ok(job->ctx) ||
		    !action_ctx_transient(job->ctx) ||
		    job->attempts > job->retries)
			break;
		left_ms = action_time_left_ms(job->ctx);
		if ((int64_t)left_ms * 1000 <= backoff)
			break;		/* no time for another try */
		g_usleep((gulong)backoff);
		backoff = MIN(backoff * 2, EXEC_BACKOFF_MAX_US);
		action_ctx_reset(job->ctx);
	}
	job->finished = g_get_real_time();
	if (job->finish != NULL)
		job->finish(job);
}

/* Worker: run, then pass the asset's slot to the next waiting job. */
static void
worker(gpointer data, gpointer user)
{
	struct exec_job	*job = data, *next = NULL;
	struct exec	*ex = user;
	struct slot	*s;

	run_job(job);
	g_mutex_lock(&ex->lock);
	s = g_hash_table_lookup(ex->slots, job->as);
	if (s != NULL) {
		if ((next = s->head) != NULL) {
			s->head = next->next;
			if (s->head == NULL)
				s->tail = NULL;
			next->next = NULL;
		} else
			s->running--;
	}
	g_mutex_unlock(&ex->lock);
	if (next != NULL)
		g_thread_pool_push(ex->pool, next, NULL);
	g_async_queue_push(ex->done, job);
}

struct exec *
exec_new(int workers)
{
	struct exec	*ex = g_new0(struct exec, 1);

	if (workers < 1)
		workers = 1;
	g_mutex_init(&ex->lock);
	ex->slots = g_hash_table_new_full(g_direct_hash, g_direct_equal,
	    NULL, g_free);
	ex->done = g_async_queue_new();
	ex->pool = g_thread_pool_new(worker, ex, workers, FALSE, NULL);
	if (ex->pool == NULL)
		g_error("exec: cannot start %d worker threads", workers);
	return ex;
}

void
exec_free(struct exec *ex)
{
	if (ex == NULL)
		return;
	g_thread_pool_free(ex->pool, FALSE, TRUE);
	g_async_queue_unref(ex->done);
	g_hash_table_destroy(ex->slots);
	g_mutex_clear(&ex->lock);
	g_free(ex);
}

void
exec_submit(struct exec *ex, struct exec_job *job)
{
	struct slot	*s;
	int		 now = 1;

	job->attempts = 0;
	job->next = NULL;
	ex->pending++;
	g_mutex_lock(&ex->lock);
	s = g_hash_table_lookup(ex->slots, job->as);
	if (s == NULL) {
		s = g_new0(struct slot, 1);
		g_hash_table_insert(ex->slots, job->as, s);
	}
	if (s->running >= (job->as ? asset_max_concurrent(job->as) : 64)) {
		if (s->tail != NULL)
			s->tail->next = job;
		else
			s->head = job;
		s->tail = job;
		now = 0;
	} else
		s->running++;
	g_mutex_unlock(&ex->lock);
	if (now)
		g_thread_pool_push(ex->pool, job, NULL);
}

struct exec_job *
exec_wait(struct exec *ex, int64_t timeout_us)
{
	struct exec_job	*job;

	if (timeout_us <= 0)
		job = g_async_queue_try_pop(ex->done);
	else
		job = g_async_queue_timeout_pop(ex->done, (guint64)timeout_us);
	if (job != NULL)
		ex->pending--;
	return job;
}

unsigned
exec_pending(const struct exec *ex)
{
	return ex->pending;
}
