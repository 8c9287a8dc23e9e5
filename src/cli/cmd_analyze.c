/* SPDX-License-Identifier: Apache-2.0 */
/*
 * cmd_analyze.c -- `mailsoar analyze [--json] [--pretty] [--data DIR]
 * [--no-vault] [--jobs N] [--no-playbooks] FILE...`: each email (.eml,
 * Outlook .msg, each message of an mbox, or - for stdin) is analysed in its
 * own arena on a pool of worker threads; attachments go to the vault; the
 * readable summaries or JSON lines come out in input order.  A bad file is
 * named on stderr and the batch goes on.
 *
 * The main thread reads files and hands each email to the pool as a job;
 * a worker analyses it and renders its output (and its stderr messages)
 * into the job; the main thread prints jobs in order as they finish,
 * keeping at most a few jobs per worker in flight so that memory stays
 * bounded.  With the store (the default), finished jobs are taken in
 * batches: each email is stored as a container, the playbooks for its
 * label start on it, the batch's runs are driven to their end together
 * (pb.h), and each email is printed with its container, score and runs.
 */
#include <errno.h>
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <sys/stat.h>

#include <glib.h>

#include "cli.h"
#include "../analyze/analyze.h"
#include "../common/limits.h"
#include "../files/vault.h"
#include "../py/pb.h"
#include "../report/report.h"
#include "../store/store.h"

#define ANALYZE_MAX_JOBS	64	/* worker threads, at most */
#define ANALYZE_QUEUE_PER_JOB	4	/* emails in flight per worker */

struct analyze_opts {
	int		 json;
	unsigned	 rflags;
	struct vault	*vault;
	int		 worst;		/* exit status so far */
	int		 jobs;
	struct cli_engine *ce;		/* NULL: --no-store */
	int		 playbooks;	/* run them */
};

/* One email to analyse, and what analysing it printed. */
struct job {
	struct analyze_opts	*o;
	GBytes			*input;	/* the file; shared by mbox jobs */
	const char		*raw;	/* this email within 'input' */
	size_t			 len;
	char			*name;
	int			 refused; /* larger than LIMIT_MSG_BYTES */
	char			*out;	/* rendered result */
	size_t			 outlen;
	GString			*err;	/* messages for stderr */
	int			 status;	/* CLI_EXIT_* */
	int			 done;
	struct cli_container	 cc;		/* for the store */
	int64_t			 cid;		/* stored container */
};

struct pipeline {
	struct analyze_opts	*o;
	GThreadPool		*pool;
	GQueue			 pending;	/* struct job *, input order */
	GPtrArray		*batch;		/* done, for the store */
	GMutex			 lock;
	GCond			 cond;
};

static void
usage(FILE *f)
{
	fprintf(f,
	    "usage: mailsoar analyze [--json [--pretty]] [--data DIR] "
	    "[--no-vault]\n"
	    "                        [--jobs N] [--no-playbooks] [--no-store] "
	    "FILE...\n"
	    "  FILE      an .eml, an Outlook .msg, an mbox file, or - for "
	    "stdin\n"
	    "  --json    one JSON object per email, one per line "
	    "(docs/json.md)\n"
	    "  --pretty  indent the JSON\n"
	    "  --data    data directory (default $XDG_DATA_HOME/mailsoar); "
	    "attachments\n"
	    "            are stored in its vault, keyed by sha256\n"
	    "  --no-vault      do not write attachments to the vault\n"
	    "  --jobs N        analyse on N threads (default: one per CPU); "
	    "output\n"
	    "                  keeps the input order\n"
	    "  --no-playbooks  store containers but run no playbooks\n"
	    "  --no-store      neither store containers nor run playbooks\n"
	    "exit: 0 ok, 1 some input unreadable, 2 usage, 3 a limit was "
	    "hit\n");
}

static void
worst(struct analyze_opts *o, int status)
{
	/* An unreadable input (1) outranks a limit hit (3). */
	if (status == CLI_EXIT_INPUT || (status == CLI_EXIT_LIMIT &&
	    o->worst == CLI_EXIT_OK))
		o->worst = status;
}

static void
job_status(struct job *j, int status)
{
	if (status == CLI_EXIT_INPUT || (status == CLI_EXIT_LIMIT &&
	    j->status == CLI_EXIT_OK))
		j->status = status;
}

static void
to_vault(struct job *j, const struct analysis *an)
{
	const struct attachment	*at;
	size_t			 i;

	if (j->o->vault == NULL)
		return;
	for (i = 0; i < an->attachments.n; i++) {
		at = an->attachments.v[i];
		if (vault_put(j->o->vault, at->hash.sha256, at->data,
		    at->size) != MS_OK) {
			g_string_append_printf(j->err, "mailsoar: %s: "
			    "attachment %s: cannot write to the vault\n",
			    j->name, at->path);
			job_status(j, CLI_EXIT_INPUT);
		}
	}
}

/* Analyse one email and render its output into the job.  Worker thread. */
static void
job_run(gpointer data, gpointer user)
{
	struct job	*j = data;
	struct pipeline	*pl = user;
	struct arena	*a = arena_new(j->refused ? 64 * 1024 :
			    LIMIT_MSG_ARENA);
	struct analysis	*an = NULL;
	enum ms_err	 rc;
	FILE		*f;

	if (j->refused)
		rc = analyze_refused(a, j->name, j->len, &an);
	else
		rc = analyze_bytes(a, j->raw, j->len, j->name, &an);
	if (an == NULL) {
		g_string_append_printf(j->err, "mailsoar: %s: %s\n", j->name,
		    ms_strerror(rc));
		job_status(j, CLI_EXIT_INPUT);
		goto out;
	}
	if (rc == MS_EPARSE) {
		g_string_append_printf(j->err, "mailsoar: %s: not a readable "
		    "email\n", j->name);
		job_status(j, CLI_EXIT_INPUT);
	} else if (rc == MS_ELIMIT) {
		if (!j->refused)
			g_string_append_printf(j->err, "mailsoar: %s: a limit "
			    "was hit; results are partial (see findings)\n",
			    j->name);
		job_status(j, CLI_EXIT_LIMIT);
	}
	to_vault(j, an);
	/* An input refused for its size is named, not stored. */
	if (j->o->ce != NULL && !j->refused)
		cli_container_init(&j->cc, an);
	if (j->cc.data != NULL && j->o->json)
		goto out;	/* printed after the playbooks */
	if ((f = open_memstream(&j->out, &j->outlen)) == NULL) {
		g_string_append_printf(j->err, "mailsoar: %s: %s\n", j->name,
		    g_strerror(errno));
		job_status(j, CLI_EXIT_INPUT);
		goto out;
	}
	if (j->o->json)
		report_analysis_json(f, an, j->o->rflags);
	else
		report_analysis_text(f, an, j->o->rflags);
	fclose(f);
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

static void
print_job(struct pipeline *pl, struct job *j)
{
	fflush(stdout);
	if (j->err->len > 0)
		fputs(j->err->str, stderr);
	if (j->out != NULL)
		fwrite(j->out, 1, j->outlen, stdout);
	worst(pl->o, j->status);
	job_free(j);
}

/* Store one analysed email as a container and start its playbooks. */
static void
store_job(struct pipeline *pl, struct job *j)
{
	struct cli_engine	*ce = pl->o->ce;
	size_t			 n;

	if (j->cc.data == NULL)
		return;		/* not analysed: nothing to store */
	if (cli_container_store(ce->st, &j->cc, j->name, &j->cid) != MS_OK) {
		g_string_append_printf(j->err, "mailsoar: %s: not stored: "
		    "%s\n", j->name, store_errmsg(ce->st));
		job_status(j, CLI_EXIT_INPUT);
		j->cid = 0;
		return;
	}
	if (pl->o->playbooks)
		pb_start(ce->pb, j->cid, "email", NULL, &n);
}

/* Print a stored job with its container, score and runs: JSON merged
 * into the analysis object, text after the analysis summary. */
static void
print_stored(struct pipeline *pl, struct job *j)
{
	struct store	*st = pl->o->ce->st;
	char		*c = NULL, *sc = NULL, *runs = NULL, *buf = NULL;
	size_t		 len = 0;
	FILE		*f;
	int		 total;

	if (j->cid == 0) {
		print_job(pl, j);
		return;
	}
	store_container_meta_json(st, j->cid, &c);
	store_score_json(st, j->cid, &sc, &total);
	store_runs_json(st, j->cid, &runs);
	if ((f = open_memstream(&buf, &len)) != NULL) {
		if (j->out != NULL)
			fwrite(j->out, 1, j->outlen, f);
		if (pl->o->json)
			report_container_json(f, j->cc.data, c, sc, runs,
			    pl->o->rflags);
		else
			report_container_text(f, c, sc, runs, pl->o->rflags);
		fclose(f);
		xfree(j->out);
		j->out = buf;
		j->outlen = len;
	}
	xfree(c);
	xfree(sc);
	xfree(runs);
	print_job(pl, j);
}

/* Store the batch, run its playbooks to the end, print it in order. */
static void
flush_batch(struct pipeline *pl)
{
	guint	i;

	if (pl->batch->len == 0)
		return;
	if (store_begin(pl->o->ce->st) == MS_OK) {
		for (i = 0; i < pl->batch->len; i++)
			store_job(pl, g_ptr_array_index(pl->batch, i));
		store_commit(pl->o->ce->st);
	}
	if (pl->o->playbooks && pb_run_until(pl->o->ce->pb, 0) != MS_OK)
		fprintf(stderr, "mailsoar analyze: the store failed while "
		    "playbooks ran: %s\n", store_errmsg(pl->o->ce->st));
	for (i = 0; i < pl->batch->len; i++)
		print_stored(pl, g_ptr_array_index(pl->batch, i));
	g_ptr_array_set_size(pl->batch, 0);
}

/* Take the oldest job once it is done.  Main thread. */
static void
print_head(struct pipeline *pl)
{
	struct job	*j = g_queue_pop_head(&pl->pending);

	g_mutex_lock(&pl->lock);
	while (!j->done)
		g_cond_wait(&pl->cond, &pl->lock);
	g_mutex_unlock(&pl->lock);
	if (pl->o->ce == NULL) {
		print_job(pl, j);
		return;
	}
	g_ptr_array_add(pl->batch, j);
	if (pl->batch->len >= (guint)(pl->o->jobs * ANALYZE_QUEUE_PER_JOB))
		flush_batch(pl);
}

static void
submit(struct pipeline *pl, GBytes *input, const char *raw, size_t len,
    char *name, int refused)
{
	struct job	*j = g_new0(struct job, 1);

	j->o = pl->o;
	j->input = input ? g_bytes_ref(input) : NULL;
	j->raw = raw;
	j->len = len;
	j->name = name;
	j->refused = refused;
	j->err = g_string_new(NULL);
	while (g_queue_get_length(&pl->pending) >=
	    (guint)(pl->o->jobs * ANALYZE_QUEUE_PER_JOB))
		print_head(pl);
	g_queue_push_tail(&pl->pending, j);
	if (pl->pool != NULL)
		g_thread_pool_push(pl->pool, j, NULL);
	else
		job_run(j, pl);
}

/* An input past LIMIT_MSG_BYTES still gets its object, saying so. */
static void
refused(struct pipeline *pl, const char *path)
{
	struct stat	st;
	size_t		size = LIMIT_MSG_BYTES + (size_t)1;

	if (strcmp(path, "-") != 0 && stat(path, &st) == 0)
		size = (size_t)st.st_size;
	submit(pl, NULL, NULL, size, g_strdup(path), 1);
}

static void
one_file(struct pipeline *pl, const char *path)
{
	char		*buf;
	const char	*msg;
	size_t		 len, off = 0, mlen, n = 0;
	GBytes		*input;

	if (cli_read_file(path, LIMIT_MSG_BYTES, &buf, &len) != 0) {
		/* cli_read_file named the file and the problem. */
		if (errno == EFBIG)
			refused(pl, path);
		else
			worst(pl->o, CLI_EXIT_INPUT);
		return;
	}
	input = g_bytes_new_take(buf, len);
	if (mail_sniff(buf, len) != MAIL_FMT_MBOX)
		submit(pl, input, buf, len, g_strdup(path), 0);
	else
		while (mail_mbox_next(buf, len, &off, &msg, &mlen))
			submit(pl, input, msg, mlen, g_strdup_printf("%s#%zu",
			    path, ++n), 0);
	g_bytes_unref(input);
}

static int
parse_jobs(const char *s)
{
	char	*end;
	long	 n = strtol(s, &end, 10);

	if (*s == '\0' || *end != '\0' || n < 1 || n > ANALYZE_MAX_JOBS)
		return -1;
	return (int)n;
}

/* Per-thread state of a pool thread is released when it exits. */
static void
run_all(struct analyze_opts *o, int argc, char **argv, int first)
{
	struct pipeline	 pl = { .o = o };
	int		 i;

	g_queue_init(&pl.pending);
	g_mutex_init(&pl.lock);
	g_cond_init(&pl.cond);
	if (o->jobs > 1)
		pl.pool = g_thread_pool_new(job_run, &pl, o->jobs, TRUE, NULL);
	pl.batch = g_ptr_array_new();
	for (i = first; i < argc; i++)
		one_file(&pl, argv[i]);
	while (!g_queue_is_empty(&pl.pending))
		print_head(&pl);
	if (o->ce != NULL)
		flush_batch(&pl);
	g_ptr_array_free(pl.batch, TRUE);
	if (pl.pool != NULL)
		g_thread_pool_free(pl.pool, FALSE, TRUE);
	g_mutex_clear(&pl.lock);
	g_cond_clear(&pl.cond);
}

int
cmd_analyze(int argc, char **argv)
{
	static const struct option	longopts[] = {
		{ "json", no_argument, NULL, 'j' },
		{ "pretty", no_argument, NULL, 'p' },
		{ "data", required_argument, NULL, 'd' },
		{ "no-vault", no_argument, NULL, 'V' },
		{ "jobs", required_argument, NULL, 'J' },
		{ "no-playbooks", no_argument, NULL, 'P' },
		{ "no-store", no_argument, NULL, 'S' },
		{ "help", no_argument, NULL, 'h' },
		{ NULL, 0, NULL, 0 }
	};
	struct analyze_opts	 o = { 0 };
	struct cli_engine	 ce;
	const char		*datadir = NULL;
	int			 ch, novault = 0, nostore = 0, rc;

	o.jobs = (int)MIN(g_get_num_processors(), ANALYZE_MAX_JOBS);
	optind = 1;
	while ((ch = getopt_long(argc, argv, "jpd:hJ:", longopts, NULL)) !=
	    -1) {
		switch (ch) {
		case 'j':
			o.json = 1;
			break;
		case 'p':
			o.rflags |= REPORT_PRETTY;
			break;
		case 'd':
			datadir = optarg;
			break;
		case 'V':
			novault = 1;
			break;
		case 'J':
			if ((o.jobs = parse_jobs(optarg)) < 0) {
				fprintf(stderr, "mailsoar analyze: --jobs "
				    "takes 1 to %d\n", ANALYZE_MAX_JOBS);
				return CLI_EXIT_USAGE;
			}
			break;
		case 'P':
			o.playbooks = -1;
			break;
		case 'S':
			nostore = 1;
			break;
		case 'h':
			usage(stdout);
			return CLI_EXIT_OK;
		default:
			usage(stderr);
			return CLI_EXIT_USAGE;
		}
	}
	if (optind >= argc) {
		fprintf(stderr, "mailsoar analyze: no FILE given (use - for "
		    "stdin)\n");
		usage(stderr);
		return CLI_EXIT_USAGE;
	}
	if (!o.json && isatty(STDOUT_FILENO))
		o.rflags |= REPORT_COLOR;
	if (datadir == NULL)
		datadir = cli_global.data;
	if (!nostore) {
		o.playbooks = o.playbooks == 0;
		rc = cli_engine_open(&ce, datadir, o.playbooks ? CLI_ENGINE_PB :
		    0, NULL);
		if (rc != 0)
			return rc;
		o.ce = &ce;
		datadir = ce.datadir;
	} else
		o.playbooks = 0;
	if (!novault) {
		if (datadir == NULL)
			datadir = vault_default_datadir();
		if ((o.vault = vault_open(datadir)) == NULL) {
			fprintf(stderr, "mailsoar analyze: cannot open the "
			    "vault under %s\n", datadir);
			return CLI_EXIT_INPUT;
		}
	}
	analyze_init();
	run_all(&o, argc, argv, optind);
	fflush(stdout);
	if (o.vault != NULL && vault_sync(o.vault) != MS_OK) {
		fprintf(stderr, "mailsoar analyze: the vault could not be "
		    "flushed to disk\n");
		worst(&o, CLI_EXIT_INPUT);
	}
	vault_close(o.vault);
	if (o.ce != NULL)
		cli_engine_close(o.ce);
	analyze_shutdown();
	return o.worst;
}
