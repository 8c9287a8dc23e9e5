/* SPDX-License-Identifier: Apache-2.0 */
/*
 * engine.c -- the driver of bench/engine: the playbook engine alone,
 * without email analysis.  Makes a store with N small containers, then
 * runs playbooks/bench.py (written here) on each with at most INFLIGHT
 * runs at once: 10 sequential `await ms.act("echo", ...)` per run, 5 of
 * them with a value shared by all runs (cache hits after the first) and
 * 5 unique (misses, run on the worker threads).  Every action run is
 * recorded in the store with its audit entry, as in production.  Then
 * the cost of one awaited action against a direct C call.
 *
 * usage: bench_engine DIR N INFLIGHT WORKERS PYTHON_DIR
 * Prints "key value" lines; bench/engine reads them and the store.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>

#include <glib.h>

#include "../src/engine/action.h"
#include "../src/engine/config.h"
#include "../src/py/pb.h"
#include "../src/store/store.h"

static const char BOOK[] =
    "import mailsoar as ms\n"
    "\n"
    "async def on_start(c):\n"
    "    for i in range(5):\n"
    "        r = await ms.act('echo', value='shared-%d' % i)\n"
    "        assert r.ok, r\n"
    "    for i in range(5):\n"
    "        r = await ms.act('echo', value='c%d-%d' % (c.id, i))\n"
    "        assert r.ok, r\n";

static const char ROUNDTRIP[] =
    "import mailsoar as ms\n"
    "\n"
    "async def on_start(c):\n"
    "    for i in range(%d):\n"
    "        await ms.act('%s'%s)\n";

static double
now(void)
{
	return (double)g_get_monotonic_time() / 1e6;
}

static void
die(const char *what)
{
	fprintf(stderr, "bench_engine: %s\n", what);
	exit(1);
}

static void
write_file(const char *dir, const char *name, const char *text)
{
	char	*p = g_build_filename(dir, name, NULL);

	if (!g_file_set_contents(p, text, -1, NULL))
		die(p);
	g_free(p);
}

/* N containers, each with a unique Message-ID, in one transaction. */
static void
make_containers(struct store *st, int n, int64_t *ids)
{
	struct store_container_in	 in;
	char				 mid[64], data[128];
	int				 i, created;

	if (store_begin(st) != MS_OK)
		die("begin");
	for (i = 0; i < n; i++) {
		memset(&in, 0, sizeof(in));
		snprintf(mid, sizeof(mid), "<bench-%d@example.org>", i);
		snprintf(data, sizeof(data), "{\"email\":{\"subject\":"
		    "\"bench %d\",\"message_id\":\"%s\"}}", i, mid);
		in.name = mid;
		in.label = "email";
		in.message_id = mid;
		in.body_sha256 = "0000";
		in.data_json = data;
		if (store_container_put(st, &in, &ids[i], &created) != MS_OK)
			die(store_errmsg(st));
	}
	if (store_commit(st) != MS_OK)
		die("commit");
}

/* Time 'n' awaited actions in one playbook run. */
static double
roundtrip(struct pb *e, int64_t cid, const char *dir, const char *action,
    const char *params, int n)
{
	char	*text = g_strdup_printf(ROUNDTRIP, n, action, params);
	size_t	 started;
	double	 t0;

	write_file(dir, "roundtrip.py", text);
	g_free(text);
	t0 = now();
	pb_start(e, cid, "email", "roundtrip", &started);
	if (started != 1 || pb_run_until(e, 0) != MS_OK)
		die("roundtrip run");
	return (now() - t0) / n;
}

/* Time 'n' direct calls of the echo action (context, run, result). */
static double
direct(struct config *cf, int n)
{
	struct asset		*as = config_asset_find(cf, "u");
	const struct app_action	*act = action_find(asset_app_table(as),
				    "echo");
	const char		*k[] = { "value" }, *v[] = { "x" };
	double			 t0 = now();
	char			*json;
	int			 i;

	for (i = 0; i < n; i++) {
		struct action_ctx *ctx = action_ctx_new(act, as, k, v, 1,
		    1000);

		action_ctx_run(ctx);
		json = action_ctx_result_json(ctx);
		g_free(json);
		action_ctx_free(ctx);
	}
	return (now() - t0) / n;
}

int
main(int argc, char **argv)
{
	struct config		*cf;
	struct store		*st;
	struct pb		*e;
	struct pb_options	 po;
	struct rusage		 ru;
	char			 err[2048], *conf, *db, *books, *text;
	int64_t			*ids;
	int			 n, inflight, workers, i;
	size_t			 started, peak = 0;
	double			 t0, t1;

	if (argc != 6)
		die("usage: bench_engine DIR N INFLIGHT WORKERS PYTHON_DIR");
	n = atoi(argv[2]);
	inflight = atoi(argv[3]);
	workers = atoi(argv[4]);
	if (n < 1 || inflight < 1 || workers < 1)
		die("N, INFLIGHT and WORKERS are positive");
	books = g_build_filename(argv[1], "playbooks", NULL);
	g_mkdir_with_parents(books, 0700);
	write_file(books, "bench.py", BOOK);
	conf = g_build_filename(argv[1], "mailsoar.conf", NULL);
	text = g_strdup_printf("[engine]\nworkers=%d\nrun_timeout_s=3600\n"
	    "[asset u]\napp=util\nmax_concurrent=%d\n", workers, workers);
	write_file(argv[1], "mailsoar.conf", text);
	g_free(text);
	if (config_load(conf, app_builtin, &cf, err, sizeof(err)) != MS_OK ||
	    config_assets_init(cf, err, sizeof(err)) != MS_OK)
		die(err);
	db = g_build_filename(argv[1], "mailsoar.db", NULL);
	if (store_open(db, &st, err, sizeof(err)) != MS_OK)
		die(err);
	ids = g_new(int64_t, n + 1);
	t0 = now();
	make_containers(st, n + 1, ids);
	printf("containers_s %.3f\n", now() - t0);
	memset(&po, 0, sizeof(po));
	po.playbooks_dir = books;
	po.python_dir = argv[5];
	po.quiet = 1;
	if (pb_new(st, &po, &e, err, sizeof(err)) != MS_OK ||
	    pb_configure(e, cf) != MS_OK)
		die(err);
	t0 = now();
	for (i = 0; i < n; i++) {
		pb_start(e, ids[i], "email", "bench", &started);
		if (started != 1)
			die("a run did not start");
		if (pb_in_flight(e) > peak)
			peak = pb_in_flight(e);
		/* Refill by halves: one store transaction per many runs. */
		if (pb_in_flight(e) >= (size_t)inflight &&
		    pb_run_until(e, (size_t)inflight / 2) != MS_OK)
			die("run");
	}
	if (pb_run_until(e, 0) != MS_OK)
		die("run");
	t1 = now();
	getrusage(RUSAGE_SELF, &ru);
	printf("runs %d\nactions %d\nrun_seconds %.3f\npeak_in_flight %zu\n"
	    "maxrss_kib %ld\n", n, n * 10, t1 - t0, peak, ru.ru_maxrss);
	printf("await_cached_us %.2f\n", 1e6 * roundtrip(e, ids[n], books,
	    "echo", ", value='x'", 100000));
	printf("await_noop_us %.2f\n", 1e6 * roundtrip(e, ids[n], books,
	    "no op", "", 20000));
	printf("direct_c_us %.2f\n", 1e6 * direct(cf, 100000));
	printf("db %s\n", db);
	fflush(stdout);
	pb_free(e);
	store_close(st);
	config_free(cf);
	g_free(ids);
	g_free(db);
	g_free(conf);
	g_free(books);
	return 0;
}
