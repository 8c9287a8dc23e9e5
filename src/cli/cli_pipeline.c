/* SPDX-License-Identifier: Apache-2.0 */
/*
 * cli_pipeline.c -- the analyse-store-run pipeline of `mailsoar analyze`
 * and `mailsoar ingest` (cli_pipeline.h).
 *
 * The main thread reads files and hands each email to the pool as a job;
 * a worker analyses it (UNTRUSTED bytes, in its own arena), writes its
 * attachments to the vault, copies out what the store needs and renders
 * its output (and its stderr messages) into the job.  The main thread
 * takes jobs in input order as they finish, keeping at most a few per
 * worker in flight.  With the store, finished jobs are taken in batches:
 * each email is stored as a container in one transaction, the playbooks
 * for its label start on it, the batch's runs are driven (pb.h), and each
 * email goes to the command's 'done' hook.
 */
#include <errno.h>
#include <stdio.h>
#include <string.h>
#include <sys/stat.h>

#include <glib.h>

#include "cli.h"
#include "cli_pipeline.h"
#include "../analyze/analyze.h"
#include "../common/limits.h"
#include "../files/vault.h"
#include "../py/pb.h"
#include "../report/report.h"
#include "../store/store.h"

#define PIPELINE_QUEUE_PER_JOB	4	/* emails in flight per worker */

/* One email to analyse, and what analysing it gave. */
struct job {
	struct cli_pipeline	*pl;
	GBytes			*input;	/* the file; shared by mbox jobs */
	const char		*raw;	/* this email within 'input' */
	size_t			 len;
	char			*name;
	int			 refused; /* larger than LIMIT_MSG_BYTES */
	int			 readable;
	char			*out;	/* rendered result */
	size_t			 outlen;
	GString			*err;	/* messages for stderr */
	int			 status;	/* CLI_EXIT_* */
	int			 done;
	struct cli_container	 cc;		/* for the store */
	int64_t			 cid;		/* stored container */
	int			 created;
};

struct cli_pipeline {
	struct cli_pipeline_opts o;
	GThreadPool		*pool;
	GQueue			 pending;	/* struct job *, input order */
	GPtrArray		*batch;		/* done, for the store */
	GMutex			 lock;
	GCond			 cond;
	int			 worst;
};

void
cli_pipeline_worst(int *worst, int status)
{
	/* An unreadable input (1) outranks a limit hit (3). */
	if (status == CLI_EXIT_INPUT || (status == CLI_EXIT_LIMIT &&
	    *worst == CLI_EXIT_OK))
		*worst = status;
}

/* Write the email's attachments to the vault.  Worker thread. */
static void
to_vault(struct job *j, const struct analysis *an)
{
	const struct attachment	*at;
	size_t			 i;

	if (j->pl->o.vault == NULL)
		return;
	for (i = 0; i < an->attachments.n; i++) {
		at = an->attachments.v[i];
		if (vault_put(j->pl->o.vault, at->hash.sha256, at->data,
		    at->size) != MS_OK) {
			g_string_append_printf(j->err, "mailsoar: %s: "
			    "attachment %s: cannot write to the vault\n",
			    j->name, at->path);
			cli_pipeline_worst(&j->status, CLI_EXIT_INPUT);
		}
	}
}

/* Render the analysis into the job, unless it is printed after the
 * playbooks (stored, JSON) or not at all.  Worker thread. */
static void
render(struct job *j, const struct analysis *an)
{
	const struct cli_pipeline_opts	*o = &j->pl->o;
	FILE				*f;

	if (o->render == CLI_RENDER_NONE ||
	    (j->cc.data != NULL && o->render == CLI_RENDER_JSON))
		return;
	if ((f = open_memstream(&j->out, &j->outlen)) == NULL) {
		g_string_append_printf(j->err, "mailsoar: %s: %s\n", j->name,
		    g_strerror(errno));
		cli_pipeline_worst(&j->status, CLI_EXIT_INPUT);
		return;
	}
	if (o->render == CLI_RENDER_JSON)
		report_analysis_json(f, an, o->rflags);
	else
		report_analysis_text(f, an, o->rflags | (j->cc.data != NULL ?
		    REPORT_STORED : 0));
	fclose(f);
}

/* Analyse one email into the job.  Worker thread. */
static void
job_run(gpointer data, gpointer user)
{
	struct job	*j = data;
	struct cli_pipeline *pl = user;
	struct arena	*a = arena_new(j->refused ? 64 * 1024 :
			    LIMIT_MSG_ARENA);
	struct analysis	*an = NULL;
	enum ms_err	 rc;

	if (j->refused)
		rc = analyze_refused(a, j->name, j->len, &an);
	else
		rc = analyze_bytes(a, j->raw, j->len, j->name, &an);
	if (an == NULL) {
		g_string_append_printf(j->err, "mailsoar: %s: %s\n", j->name,
		    ms_strerror(rc));
		cli_pipeline_worst(&j->status, CLI_EXIT_INPUT);
		goto out;
	}
	j->readable = rc != MS_EPARSE && !j->refused;
	if (rc == MS_EPARSE) {
		g_string_append_printf(j->err, "mailsoar: %s: not a readable "
		    "email\n", j->name);
		cli_pipeline_worst(&j->status, CLI_EXIT_INPUT);
	} else if (rc == MS_ELIMIT) {
		if (!j->refused)
			g_string_append_printf(j->err, "mailsoar: %s: a limit "
			    "was hit; results are partial (see findings)\n",
			    j->name);
		cli_pipeline_worst(&j->status, CLI_EXIT_LIMIT);
	}
	to_vault(j, an);
	/* An input refused for its size is named, not stored. */
	if (pl->o.ce != NULL && !j->refused &&
	    (j->readable || pl->o.store_unreadable))
		cli_container_init(&j->cc, an);
	render(j, an);
out:
	arena_free(a);
	g_mutex_lock(&pl->lock);
	j->done = 1;
	g_cond_broadcast(&pl->cond);
	g_mutex_unlock(&pl->lock);
}

static void
job_free(struct job *j)
{
	cli_container_clear(&j->cc);
	if (j->input != NULL)
		g_bytes_unref(j->input);
	g_free(j->name);
	xfree(j->out);		/* open_memstream's buffer */
	g_string_free(j->err, TRUE);
	g_free(j);
}

/* Hand a finished job to the command, then free it. */
static void
job_done(struct cli_pipeline *pl, struct job *j)
{
	struct cli_email	e = {
		.name = j->name, .len = j->len, .status = j->status,
		.refused = j->refused, .readable = j->readable, .cid = j->cid,
		.created = j->created, .data = j->cc.data, .out = j->out,
		.outlen = j->outlen, .err = j->err->str,
	};

	cli_pipeline_worst(&pl->worst, j->status);
	if (pl->o.done != NULL)
		pl->o.done(pl->o.arg, &e);
	job_free(j);
}

/* Store one analysed email as a container and start its playbooks. */
static void
store_job(struct cli_pipeline *pl, struct job *j)
{
	struct cli_engine	*ce = pl->o.ce;
	size_t			 n;

	if (j->cc.data == NULL)
		return;		/* not analysed: nothing to store */
	if (cli_container_put(ce->st, &j->cc, j->name, &j->cid,
	    &j->created) != MS_OK) {
		g_string_append_printf(j->err, "mailsoar: %s: not stored: "
		    "%s\n", j->name, store_errmsg(ce->st));
		cli_pipeline_worst(&j->status, CLI_EXIT_INPUT);
		j->cid = 0;
		j->created = 0;
		return;
	}
	if (pl->o.playbooks && !j->cc.simulation)
		pb_start(ce->pb, j->cid, "email", NULL, &n);
}

/* Store the batch, drive its playbooks, hand it on in order. */
static void
flush_batch(struct cli_pipeline *pl)
{
	struct cli_engine	*ce = pl->o.ce;
	guint			 i;

	if (pl->batch->len == 0)
		return;
	if (store_begin(ce->st) == MS_OK) {
		for (i = 0; i < pl->batch->len; i++)
			store_job(pl, g_ptr_array_index(pl->batch, i));
		store_commit(ce->st);
	}
	if (pl->o.playbooks && pb_run_until(ce->pb, pl->o.runs_in_flight) !=
	    MS_OK)
		fprintf(stderr, "mailsoar: the store failed while playbooks "
		    "ran: %s\n", store_errmsg(ce->st));
	for (i = 0; i < pl->batch->len; i++)
		job_done(pl, g_ptr_array_index(pl->batch, i));
	g_ptr_array_set_size(pl->batch, 0);
}

/* Take the oldest job once it is done.  Main thread. */
static void
take_head(struct cli_pipeline *pl)
{
	struct job	*j = g_queue_pop_head(&pl->pending);

	g_mutex_lock(&pl->lock);
	while (!j->done)
		g_cond_wait(&pl->cond, &pl->lock);
	g_mutex_unlock(&pl->lock);
	if (pl->o.ce == NULL) {
		job_done(pl, j);
		return;
	}
	g_ptr_array_add(pl->batch, j);
	if (pl->batch->len >= (guint)(pl->o.jobs * PIPELINE_QUEUE_PER_JOB))
		flush_batch(pl);
}

/* Queue one email; 'name' is taken, 'err' (may be NULL) said first. */
static void
submit(struct cli_pipeline *pl, GBytes *input, const char *raw, size_t len,
    char *name, int refused, const char *err)
{
	struct job	*j = g_new0(struct job, 1);

	j->pl = pl;
	j->input = input ? g_bytes_ref(input) : NULL;
	j->raw = raw;
	j->len = len;
	j->name = name;
	j->refused = refused;
	j->err = g_string_new(err);
	while (g_queue_get_length(&pl->pending) >=
	    (guint)(pl->o.jobs * PIPELINE_QUEUE_PER_JOB))
		take_head(pl);
	g_queue_push_tail(&pl->pending, j);
	if (pl->pool != NULL)
		g_thread_pool_push(pl->pool, j, NULL);
	else
		job_run(j, pl);
}

struct cli_pipeline *
cli_pipeline_new(const struct cli_pipeline_opts *o)
{
	struct cli_pipeline	*pl = g_new0(struct cli_pipeline, 1);

	pl->o = *o;
	if (pl->o.jobs < 1)
		pl->o.jobs = 1;
	g_queue_init(&pl->pending);
	g_mutex_init(&pl->lock);
	g_cond_init(&pl->cond);
	/* Per-thread state of a pool thread is released when it exits. */
	if (pl->o.jobs > 1)
		pl->pool = g_thread_pool_new(job_run, pl, pl->o.jobs, TRUE,
		    NULL);
	pl->batch = g_ptr_array_new();
	return pl;
}

/* Each email of 'input' ('len' bytes from 'buf'), an mbox split; one
 * past 'max' is refused with a message. */
static void
submit_input(struct cli_pipeline *pl, GBytes *input, const char *buf,
    size_t len, const char *path, size_t max)
{
	const char	*msg;
	char		*name, *err;
	size_t		 off = 0, mlen, n = 0;

	if (mail_sniff(buf, len) != MAIL_FMT_MBOX) {
		submit(pl, input, buf, len, g_strdup(path), 0, NULL);
		return;
	}
	while (mail_mbox_next(buf, len, &off, &msg, &mlen)) {
		name = g_strdup_printf("%s#%zu", path, ++n);
		if (mlen <= max) {
			submit(pl, input, msg, mlen, name, 0, NULL);
			continue;
		}
		err = g_strdup_printf("mailsoar: %s: larger than %zu bytes "
		    "(LIMIT_MSG_BYTES); not analysed\n", name, max);
		submit(pl, NULL, NULL, mlen, name, 1, err);
		g_free(err);
	}
}

int
cli_pipeline_file(struct cli_pipeline *pl, const char *path)
{
	struct stat	 st;
	char		*buf;
	size_t		 len;
	GBytes		*input;

	if (cli_read_file(path, LIMIT_MSG_BYTES, &buf, &len) != 0) {
		/* cli_read_file named the file and the problem. */
		if (errno != EFBIG) {
			cli_pipeline_worst(&pl->worst, CLI_EXIT_INPUT);
			return -1;
		}
		/* Past the limit: still its object, saying so. */
		len = LIMIT_MSG_BYTES + (size_t)1;
		if (strcmp(path, "-") != 0 && stat(path, &st) == 0)
			len = (size_t)st.st_size;
		submit(pl, NULL, NULL, len, g_strdup(path), 1, NULL);
		return 0;
	}
	input = g_bytes_new_take(buf, len);
	submit_input(pl, input, buf, len, path, len);
	g_bytes_unref(input);
	return 0;
}

int
cli_pipeline_map(struct cli_pipeline *pl, const char *path, char *err,
    size_t errlen)
{
	GMappedFile	*mf;
	GError		*ge = NULL;
	GBytes		*input;
	const char	*buf;
	char		*msg;
	size_t		 len;

	if ((mf = g_mapped_file_new(path, FALSE, &ge)) == NULL) {
		snprintf(err, errlen, "%s", ge->message);
		g_error_free(ge);
		cli_pipeline_worst(&pl->worst, CLI_EXIT_INPUT);
		return -1;
	}
	input = g_mapped_file_get_bytes(mf);
	g_mapped_file_unref(mf);	/* 'input' keeps the mapping */
	buf = g_bytes_get_data(input, &len);
	if (buf == NULL)
		buf = "";		/* an empty file maps to nothing */
	if (len > LIMIT_MSG_BYTES && mail_sniff(buf, len) != MAIL_FMT_MBOX) {
		msg = g_strdup_printf("mailsoar: %s: larger than %zu bytes "
		    "(LIMIT_MSG_BYTES); not analysed\n", path,
		    (size_t)LIMIT_MSG_BYTES);
		submit(pl, NULL, NULL, len, g_strdup(path), 1, msg);
		g_free(msg);
	} else
		submit_input(pl, input, buf, len, path, LIMIT_MSG_BYTES);
	g_bytes_unref(input);
	return 0;
}

int
cli_pipeline_finish(struct cli_pipeline *pl)
{
	int	worst;

	while (!g_queue_is_empty(&pl->pending))
		take_head(pl);
	if (pl->o.ce != NULL) {
		flush_batch(pl);
		if (pl->o.playbooks && pl->o.runs_in_flight > 0 &&
		    pb_run_until(pl->o.ce->pb, 0) != MS_OK)
			fprintf(stderr, "mailsoar: the store failed while "
			    "playbooks ran: %s\n", store_errmsg(pl->o.ce->st));
	}
	g_ptr_array_free(pl->batch, TRUE);
	if (pl->pool != NULL)
		g_thread_pool_free(pl->pool, FALSE, TRUE);
	g_mutex_clear(&pl->lock);
	g_cond_clear(&pl->cond);
	worst = pl->worst;
	g_free(pl);
	return worst;
}
