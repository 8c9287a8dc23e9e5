/* SPDX-License-Identifier: Apache-2.0 */
/*
 * cmd_serve.c -- `mailsoar serve [-c FILE] [--data DIR] [--log-format
 * text|json] [--jobs N]`: the daemon.  Watches every mailbox asset
 * (app=imap) with a thread each (serve_watch.c); analyses what they fetch
 * on a thread pool; on this thread, stores each email as a container and
 * moves the mailbox's cursor in the same transaction, starts the
 * playbooks for its label and drives them (pb_run_for) between batches.
 *
 * SIGTERM/SIGINT: stop the watchers, drop what was fetched but not stored
 * (the cursor has not moved past it: it is fetched again next time), let
 * running playbooks finish for up to [engine] shutdown_grace_s (default
 * 10), record the rest as interrupted, exit 0.  SIGHUP: the same, then
 * the daemon executes itself again with the same arguments, which reloads
 * the configuration and the playbooks.  Every second the state goes to
 * DATA/serve.json for `mailsoar status`.
 */
#include <errno.h>
#include <getopt.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <sys/wait.h>

#include <glib.h>

#include "serve.h"
#include "../analyze/analyze.h"
#include "../common/limits.h"
#include "../common/log.h"
#include "../engine/config.h"
#include "../files/vault.h"
#include "../py/pb.h"
#include "../report/report.h"
#include "../store/store.h"

#define SERVE_SLICE_US		(20 * 1000)	/* playbooks between batches */
#define SERVE_STATUS_US		G_USEC_PER_SEC
#define SERVE_MAX_QUEUE	64	/* taken from watchers, not yet stored */
#define SERVE_MAX_RUNS		2000	/* runs in flight before we wait */

static volatile sig_atomic_t	got_term, got_hup;

static void
on_signal(int sig)
{
	if (sig == SIGHUP)
		got_hup = 1;
	else
		got_term = 1;
}

struct serve_main {
	struct serve		 sv;
	struct cli_engine	 ce;
	struct vault		*vault;
	GThreadPool		*pool;
	GMutex			 lock;		/* item->done */
	int64_t			 started;
	uint64_t		 n_new, n_joined, n_skipped, n_failed;
	unsigned		 in_hand;	/* taken, not yet stored */
	GPid			 sync_pid;	/* playbook sync running */
	int64_t			 next_sync;
	GPid			 feed_pid;	/* intel refresh running */
	int64_t			 next_feed;
	char			*status_path;
};

/* Analyse one fetched message (pool thread). */
static void
analyse(gpointer data, gpointer user)
{
	struct serve_item	*it = data;
	struct serve_main	*m = user;
	struct arena		*a = arena_new(it->raw ? LIMIT_MSG_ARENA :
				    64 * 1024);
	struct analysis		*an = NULL;
	const char		*src = it->file ? it->file : it->mb->key;
	char			*id;
	size_t			 i;

	if (it->raw != NULL)
		analyze_bytes(a, it->raw, it->len, src, &an);
	else if (it->len > LIMIT_MSG_BYTES)
		analyze_refused(a, src, it->len, &an);
	if (an != NULL) {
		cli_container_init(&it->cc, an);
		if (it->cc.input_sha256 == NULL) {
			/* Refused unread: name it by where it was. */
			id = g_strdup_printf("imap:%s:%u:%u", it->mb->key,
			    it->uidvalidity, it->uid);
			it->cc.input_sha256 = g_compute_checksum_for_string(
			    G_CHECKSUM_SHA256, id, -1);
			g_free(id);
		}
		/* What was delivered (the report), not the email it
		 * carries: two users reporting one phish are two
		 * deliveries of one container. */
		it->key = g_strdup(it->cc.input_sha256);
		for (i = 0; m->vault != NULL && i < an->attachments.n; i++) {
			const struct attachment *at = an->attachments.v[i];

			if (vault_put(m->vault, at->hash.sha256, at->data,
			    at->size) != MS_OK)
				log_warnx("%s UID %u: attachment %s not "
				    "written to the vault", it->mb->key,
				    it->uid, at->path);
		}
		it->analysed = 1;
	}
	arena_free(a);
	xfree(it->raw);
	it->raw = NULL;
	g_mutex_lock(&m->lock);
	it->done = 1;
	g_mutex_unlock(&m->lock);
}

/* Store one analysed message; returns the container to run playbooks on
 * (0: none).  Inside the caller's transaction. */
static int64_t
store_item(struct serve_main *m, struct serve_item *it)
{
	struct store	*st = m->ce.st;
	int64_t		 cid = 0;
	int		 seen;

	if (!it->analysed) {
		m->n_skipped++;		/* vanished from the server */
		return 0;
	}
	if ((seen = store_ingested(st, it->mb->key, it->key)) == 1) {
		m->n_skipped++;		/* a rescan found it again */
		return 0;
	}
	if (seen < 0 || cli_container_store(st, &it->cc, it->file ?
	    it->file : it->mb->key, &cid) != MS_OK ||
	    store_ingested_add(st, it->mb->key, it->key,
	    cid) != MS_OK) {
		log_warnx("%s UID %u: not stored: %s", it->mb->key, it->uid,
		    store_errmsg(st));
		m->n_failed++;
		return -1;
	}
	return cid;
}

/* Store every message whose predecessors in its mailbox are stored,
 * with the cursor, in one transaction; then start their playbooks. */
static void
store_ready(struct serve_main *m)
{
	GArray			*cids = g_array_new(FALSE, FALSE,
				    sizeof(int64_t));
	GPtrArray		*done = g_ptr_array_new();
	struct serve_item	*it;
	struct serve_mailbox	*mb;
	int64_t			 cid;
	size_t			 n;
	guint			 i, k;
	int			 ok = 1;

	g_mutex_lock(&m->lock);
	for (i = 0; i < m->sv.mailboxes->len; i++) {
		mb = m->sv.mailboxes->pdata[i];
		while ((it = g_queue_peek_head(&mb->pending)) != NULL &&
		    it->done)
			g_ptr_array_add(done, g_queue_pop_head(&mb->pending));
	}
	g_mutex_unlock(&m->lock);
	if (done->len == 0)
		goto out;
	/* Attachments reach the disk before the containers naming them. */
	if (m->vault != NULL && vault_sync(m->vault) != MS_OK)
		log_warnx("the vault could not be flushed to disk");
	if (store_begin(m->ce.st) != MS_OK) {
		log_warnx("store: %s", store_errmsg(m->ce.st));
		ok = 0;
	}
	for (i = 0; ok && i < done->len; i++) {
		it = done->pdata[i];
		if ((cid = store_item(m, it)) < 0 || (!it->mb->is_dir &&
		    store_cursor_set(m->ce.st, it->mb->key, it->uidvalidity,
		    it->uid) != MS_OK)) {
			ok = 0;
			break;
		}
		if (cid > 0)
			g_array_append_val(cids, cid);
	}
	if (ok && store_commit(m->ce.st) != MS_OK)
		ok = 0;
	if (!ok) {
		/* Nothing of the batch is stored and the cursor has not
		 * moved: the watchers fetch it all again after a restart. */
		store_rollback(m->ce.st);
		log_warnx("store: batch of %u emails not stored (%s); "
		    "stopping", done->len, store_errmsg(m->ce.st));
		got_term = 1;
		goto out;
	}
	for (i = 0; i < done->len; i++) {
		it = done->pdata[i];
		mb = it->mb;
		g_mutex_lock(&mb->lock);
		mb->stored = it->uid;
		mb->n_stored++;
		g_mutex_unlock(&mb->lock);
		if (mb->is_dir)
			g_async_queue_push(mb->processed, g_strdup(it->file));
		else if (mb->after != 0)
			g_async_queue_push(mb->processed,
			    GUINT_TO_POINTER(it->uid));
	}
	for (k = 0; k < cids->len; k++) {
		pb_start(m->ce.pb, g_array_index(cids, int64_t, k), "email",
		    NULL, &n);
		m->n_new++;
	}
out:
	for (i = 0; i < done->len; i++)
		serve_item_free(done->pdata[i]);
	m->in_hand -= done->len;
	g_ptr_array_free(done, TRUE);
	g_array_free(cids, TRUE);
}

/* DATA/serve.json, replaced atomically. */
static void
write_status(struct serve_main *m, const char *state)
{
	GString	*s = g_string_new(NULL);
	guint	 i;
	char	*q;

	g_string_append_printf(s, "{\"pid\": %d, \"state\": \"%s\", "
	    "\"started\": %lld, \"updated\": %lld, \"queue\": %d, "
	    "\"runs_in_flight\": %zu, \"containers_started\": %llu, "
	    "\"skipped\": %llu, \"failed\": %llu, \"mailboxes\": [",
	    (int)getpid(), state, (long long)m->started,
	    (long long)g_get_real_time(),
	    g_async_queue_length(m->sv.incoming),
	    m->ce.pb ? pb_in_flight(m->ce.pb) : 0,
	    (unsigned long long)m->n_new, (unsigned long long)m->n_skipped,
	    (unsigned long long)m->n_failed);
	for (i = 0; i < m->sv.mailboxes->len; i++) {
		struct serve_mailbox *mb = m->sv.mailboxes->pdata[i];

		g_mutex_lock(&mb->lock);
		q = g_strescape(mb->last_error ? mb->last_error : "", NULL);
		g_string_append_printf(s, "%s{\"name\": \"%s\", \"folder\": "
		    "\"%s\", \"state\": \"%s\", \"last_error\": \"%s\", "
		    "\"uidvalidity\": %u, \"fetched_uid\": %u, "
		    "\"stored_uid\": %u, \"fetched\": %llu, \"stored\": %llu, "
		    "\"pending\": %u}", i ? ", " : "", mb->name, mb->folder,
		    mb->state, q, mb->uidvalidity, mb->fetched, mb->stored,
		    (unsigned long long)mb->n_fetched,
		    (unsigned long long)mb->n_stored,
		    g_queue_get_length(&mb->pending));
		g_mutex_unlock(&mb->lock);
		g_free(q);
	}
	g_string_append(s, "]}\n");
	if (!g_file_set_contents(m->status_path, s->str, (gssize)s->len,
	    NULL))
		log_warnx("cannot write %s", m->status_path);
	g_string_free(s, TRUE);
}

/* The mailbox assets, with the cursors the store has for them. */
static int
mailboxes(struct serve_main *m)
{
	struct config	*cf = m->ce.cf;
	char		 err[512];
	size_t		 i;

	for (i = 0; i < config_n_assets(cf); i++) {
		struct asset *as = config_asset(cf, i);
		struct serve_mailbox *mb;
		int dir = strcmp(asset_app(as), "directory") == 0;

		if (!dir && strcmp(asset_app(as), "imap") != 0)
			continue;
		mb = g_new0(struct serve_mailbox, 1);
		g_ptr_array_add(m->sv.mailboxes, mb);
		if ((dir ? serve_dir_init(mb, as, err, sizeof(err)) :
		    serve_mailbox_init(mb, as, err, sizeof(err))) != MS_OK) {
			fprintf(stderr, "mailsoar serve: %s\n", err);
			return -1;
		}
		if (dir)
			continue;	/* no cursor: files leave when stored */
		mb->have_cursor = store_cursor_get(m->ce.st, mb->key,
		    &mb->cur_uidvalidity, &mb->cur_uid) == MS_OK;
		mb->stored = mb->cur_uid;
		log_info("mailbox %s: %s", mb->key, mb->have_cursor ?
		    "resuming after the stored cursor" : "first run");
	}
	if (m->sv.mailboxes->len == 0) {
		fprintf(stderr, "mailsoar serve: nothing to watch: add an "
		    "[asset NAME] with app=imap (or app=directory) to the "
		    "configuration\n");
		return -1;
	}
	return 0;
}

/* Reap the child '*pid' of spawn_self() if it has ended, logging a
 * failure with 'after' ("the installed playbooks stay"). */
static void
reap_child(GPid *pid, const char *what, const char *after)
{
	int	status;

	if (*pid <= 0 || waitpid(*pid, &status, WNOHANG) != *pid)
		return;
	if (!WIFEXITED(status) || WEXITSTATUS(status) != 0)
		log_warnx("%s failed (exit %d): %s", what, WIFEXITED(status) ?
		    WEXITSTATUS(status) : -1, after);
	*pid = 0;
}

/* Start `mailsoar [-c CONF] --data DIR 'cmd' 'sub'` in the background,
 * '*pid' its process. */
static void
spawn_self(struct serve_main *m, const char *cmd, const char *sub,
    GPid *pid)
{
	char	*exe, *argv[8];
	int	 n = 0;

	exe = g_file_read_link("/proc/self/exe", NULL);
	argv[n++] = exe;
	if (config_path(m->ce.cf) != NULL) {
		argv[n++] = "-c";
		argv[n++] = (char *)config_path(m->ce.cf);
	}
	argv[n++] = "--data";
	argv[n++] = m->ce.datadir;
	argv[n++] = (char *)cmd;
	argv[n++] = (char *)sub;
	argv[n] = NULL;
	if (exe == NULL || !g_spawn_async(NULL, argv, NULL,
	    G_SPAWN_DO_NOT_REAP_CHILD | G_SPAWN_STDOUT_TO_DEV_NULL, NULL,
	    NULL, pid, NULL))
		log_warnx("%s %s could not start", cmd, sub);
	g_free(exe);
}

/*
 * [playbook_repo]: every sync_interval_s, `mailsoar playbook sync` runs as
 * a child process with the same configuration and data directory, so that
 * git and the compile checks never hold up this thread; the playbooks it
 * installs are picked up at their next run (they reload on change).
 */
static void
sync_playbooks(struct serve_main *m)
{
	int64_t	 now = g_get_monotonic_time();

	reap_child(&m->sync_pid, "playbook sync",
	    "the installed playbooks stay");
	if (m->sync_pid > 0 || now < m->next_sync ||
	    config_get(m->ce.cf, "playbook_repo", "url") == NULL)
		return;
	m->next_sync = now + config_get_int(m->ce.cf, "playbook_repo",
	    "sync_interval_s", 300) * G_USEC_PER_SEC;
	spawn_self(m, "playbook", "sync", &m->sync_pid);
}

/*
 * [feed NAME]: once a minute `mailsoar intel refresh` runs as a child
 * process; it loads the feeds that are due (each has its interval_s)
 * and the intel assets see the new indicators within a second.
 */
static void
refresh_feeds(struct serve_main *m)
{
	int64_t	 now = g_get_monotonic_time();

	reap_child(&m->feed_pid, "intel refresh",
	    "the indicators loaded before stay");
	if (m->feed_pid > 0 || now < m->next_feed ||
	    config_n_feeds(m->ce.cf) == 0)
		return;
	m->next_feed = now + 60 * G_USEC_PER_SEC;
	spawn_self(m, "intel", "refresh", &m->feed_pid);
}

/* Hand a fetched message to the analysis pool, in its mailbox's order. */
static void
take(struct serve_main *m, struct serve_item *it)
{
	g_queue_push_tail(&it->mb->pending, it);
	m->in_hand++;
	g_thread_pool_push(m->pool, it, NULL);
}

/* The main loop, until a signal.  Returns with the watchers stopped. */
static void
loop(struct serve_main *m)
{
	struct serve_item	*it;
	int64_t			 next_status = 0, now;

	while (!got_term && !got_hup) {
		/* Take only what the pool can work on soon: the watchers'
		 * queue is the one bound on memory. */
		while (m->in_hand < SERVE_MAX_QUEUE && (it =
		    g_async_queue_try_pop(m->sv.incoming)) != NULL)
			take(m, it);
		store_ready(m);
		if (pb_in_flight(m->ce.pb) > 0)
			pb_run_for(m->ce.pb, SERVE_SLICE_US);
		else if (m->in_hand < SERVE_MAX_QUEUE && (it =
		    g_async_queue_timeout_pop(m->sv.incoming,
		    SERVE_SLICE_US)) != NULL)
			take(m, it);
		else if (m->in_hand >= SERVE_MAX_QUEUE)
			g_usleep(1000);	/* the pool is busy */
		if ((now = g_get_monotonic_time()) >= next_status) {
			write_status(m, "running");
			sync_playbooks(m);
			refresh_feeds(m);
			next_status = now + SERVE_STATUS_US;
		}
	}
}

/* Stop taking work; let runs finish for the grace period. */
static void
shut_down(struct serve_main *m)
{
	int64_t	grace = config_get_int(m->ce.cf, "engine",
		    "shutdown_grace_s", 10) * G_USEC_PER_SEC;
	int64_t	end = g_get_monotonic_time() + grace;

	log_info("stopping: %zu playbook runs in flight",
	    pb_in_flight(m->ce.pb));
	write_status(m, "stopping");
	serve_watch_stop_all(&m->sv);
	g_thread_pool_free(m->pool, TRUE, TRUE);	/* drop the queue */
	m->pool = NULL;
	while (pb_in_flight(m->ce.pb) > 0 && g_get_monotonic_time() < end)
		pb_run_for(m->ce.pb, 100 * 1000);
	if (pb_in_flight(m->ce.pb) > 0)
		log_warnx("%zu playbook runs still running after %lld s: "
		    "recorded as interrupted", pb_in_flight(m->ce.pb),
		    (long long)(grace / G_USEC_PER_SEC));
}

static void
usage(FILE *f)
{
	fprintf(f, "usage: mailsoar [-c CONFIG] serve [--data DIR] "
	    "[--log-format text|json] [--jobs N] [-v]\n");
}

int
cmd_serve(int argc, char **argv)
{
	static const struct option	longopts[] = {
		{ "data", required_argument, NULL, 'd' },
		{ "log-format", required_argument, NULL, 'l' },
		{ "jobs", required_argument, NULL, 'j' },
		{ "verbose", no_argument, NULL, 'v' },
		{ "help", no_argument, NULL, 'h' },
		{ NULL, 0, NULL, 0 }
	};
	struct serve_main	 m;
	struct sigaction	 sa;
	struct serve_item	*it;
	const char		*datadir = NULL;
	int			 ch, jobs = (int)g_get_num_processors(), rc;
	int			 verbose = 0;
	char			*end;
	guint			 i;

	optind = 1;
	while ((ch = getopt_long(argc, argv, "d:l:j:vh", longopts, NULL)) !=
	    -1) {
		switch (ch) {
		case 'd':
			datadir = optarg;
			break;
		case 'l':
			if (strcmp(optarg, "json") == 0)
				log_set_json(1);
			else if (strcmp(optarg, "text") != 0) {
				usage(stderr);
				return CLI_EXIT_USAGE;
			}
			break;
		case 'j':
			jobs = (int)strtol(optarg, &end, 10);
			if (*optarg == '\0' || *end != '\0' || jobs < 1 ||
			    jobs > 64) {
				usage(stderr);
				return CLI_EXIT_USAGE;
			}
			break;
		case 'v':
			verbose = 1;
			break;
		case 'h':
			usage(stdout);
			return CLI_EXIT_OK;
		default:
			usage(stderr);
			return CLI_EXIT_USAGE;
		}
	}
	log_set_level(verbose ? LOG_LEVEL_DEBUG : LOG_LEVEL_INFO);
	memset(&m, 0, sizeof(m));
	m.started = g_get_real_time();
	m.sv.mailboxes = g_ptr_array_new();
	m.sv.incoming = g_async_queue_new();
	m.sv.max_queue = SERVE_MAX_QUEUE;
	g_mutex_init(&m.sv.wlock);
	g_cond_init(&m.sv.wcond);
	g_mutex_init(&m.lock);
	if ((rc = cli_engine_open(&m.ce, datadir, CLI_ENGINE_PB |
	    CLI_ENGINE_QUIET, NULL)) != 0)
		goto out;
	rc = CLI_EXIT_USAGE;
	if (mailboxes(&m) != 0)
		goto out;
	if ((m.vault = vault_open(m.ce.datadir)) == NULL) {
		fprintf(stderr, "mailsoar serve: no vault under %s\n",
		    m.ce.datadir);
		rc = CLI_EXIT_INPUT;
		goto out;
	}
	m.status_path = g_build_filename(m.ce.datadir, "serve.json", NULL);
	memset(&sa, 0, sizeof(sa));
	sa.sa_handler = on_signal;
	sigemptyset(&sa.sa_mask);
	sigaction(SIGTERM, &sa, NULL);
	sigaction(SIGINT, &sa, NULL);
	sigaction(SIGHUP, &sa, NULL);
	signal(SIGPIPE, SIG_IGN);
	cli_analyze_init(m.ce.cf);
	m.pool = g_thread_pool_new(analyse, &m, jobs, FALSE, NULL);
	log_info("serving %u mailbox%s; data in %s", m.sv.mailboxes->len,
	    m.sv.mailboxes->len == 1 ? "" : "es", m.ce.datadir);
	for (i = 0; i < m.sv.mailboxes->len; i++) {
		struct serve_mailbox *mb = m.sv.mailboxes->pdata[i];

		if (mb->is_dir)
			serve_dir_start(&m.sv, mb);
		else
			serve_watch_start(&m.sv, mb);
	}
	loop(&m);
	shut_down(&m);
	if (m.sync_pid > 0)
		waitpid(m.sync_pid, NULL, 0);
	if (m.feed_pid > 0)
		waitpid(m.feed_pid, NULL, 0);
	write_status(&m, got_hup ? "reloading" : "stopped");
	analyze_shutdown();
	rc = CLI_EXIT_OK;
out:
	if (m.pool != NULL)
		g_thread_pool_free(m.pool, TRUE, TRUE);
	while ((it = g_async_queue_try_pop(m.sv.incoming)) != NULL)
		serve_item_free(it);
	for (i = 0; i < m.sv.mailboxes->len; i++) {
		serve_mailbox_clear(m.sv.mailboxes->pdata[i]);
		g_free(m.sv.mailboxes->pdata[i]);
	}
	g_ptr_array_free(m.sv.mailboxes, TRUE);
	g_async_queue_unref(m.sv.incoming);
	vault_close(m.vault);
	cli_engine_close(&m.ce);
	g_free(m.status_path);
	if (rc == CLI_EXIT_OK && got_hup) {
		log_info("reloading: starting again");
		execv("/proc/self/exe", cli_global.argv);
		log_warn("cannot execute myself again");
		rc = CLI_EXIT_INPUT;
	}
	return rc;
}

/* `mailsoar status [--json]`: what a running daemon is doing, from
 * DATA/serve.json. */
int
cmd_status(int argc, char **argv)
{
	struct cli_engine	 ce;
	char			*path, *text = NULL, pidpath[64];
	long			 pid = 0;
	const char		*p;
	int			 rc, alive;

	if (argc > 2 || (argc == 2 && strcmp(argv[1], "--json") != 0)) {
		fprintf(stderr, "usage: mailsoar [-c CONFIG] status "
		    "[--json]\n");
		return CLI_EXIT_USAGE;
	}
	if ((rc = cli_engine_open(&ce, NULL, 0, NULL)) != 0)
		return rc;
	path = g_build_filename(ce.datadir, "serve.json", NULL);
	if (!g_file_get_contents(path, &text, NULL, NULL)) {
		printf("mailsoar serve has not run with %s\n", ce.datadir);
		rc = CLI_EXIT_INPUT;
		goto out;
	}
	if ((p = strstr(text, "\"pid\": ")) != NULL)
		pid = strtol(p + 7, NULL, 10);
	snprintf(pidpath, sizeof(pidpath), "/proc/%ld", pid);
	alive = pid > 0 && g_file_test(pidpath, G_FILE_TEST_IS_DIR) &&
	    strstr(text, "\"state\": \"stopped\"") == NULL;
	if (argc == 2)
		fputs(text, stdout);
	else
		report_status_text(stdout, text, alive);
	rc = alive ? CLI_EXIT_OK : CLI_EXIT_INPUT;
out:
	g_free(text);
	g_free(path);
	cli_engine_close(&ce);
	return rc;
}
