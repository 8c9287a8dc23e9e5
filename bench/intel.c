/* SPDX-License-Identifier: Apache-2.0 */
/*
 * bench/intel.c -- bench/intel's driver, run by hand (bench/README.md):
 * lookups in a store that `mailsoar intel load` filled, on one core,
 * three ways over the same queries:
 *   1. the intel app's actions (action_ctx_new, run, free: parameter
 *      copy, normalisation, the index under its read lock, the result
 *      built as JSON values), as the engine's workers call them;
 *   2. the same lookup path without the engine: intel_normalise and
 *      intel_index_lookup;
 *   3. plain SQL through the store's (kind, value) index
 *      (store_intel_lookup): the exact value, parent domains, the URL
 *      without its query and its host -- everything but covering
 *      networks, which an indexed equality query cannot find.
 * Prints "key value" lines for bench/intel.
 *
 * usage: bench_intel STORE QUERIES   (QUERIES: "kind<TAB>value" lines)
 */
#include <sched.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <sys/resource.h>

#include <glib.h>

#include "apps/apps.h"
#include "apps/intel_int.h"
#include "common/limits.h"
#include "engine/action.h"
#include "engine/config.h"
#include "store/store.h"

struct query {
	enum intel_kind	 kind;
	char		*value;
};

static int64_t
now_ns(void)
{
	struct timespec	ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (int64_t)ts.tv_sec * 1000000000 + ts.tv_nsec;
}

static int
cmp64(const void *a, const void *b)
{
	int64_t	x = *(const int64_t *)a, y = *(const int64_t *)b;

	return x < y ? -1 : x > y;
}

/* Rate, p50 and p99 of 'lat' (ns) under 'name'. */
static void
report(const char *name, int64_t *lat, size_t n, int64_t total, size_t hits)
{
	qsort(lat, n, sizeof(*lat), cmp64);
	printf("%s_per_s %.0f\n", name, (double)n * 1e9 / (double)total);
	printf("%s_p50_us %.2f\n", name, (double)lat[n / 2] / 1e3);
	printf("%s_p99_us %.2f\n", name, (double)lat[n * 99 / 100] / 1e3);
	printf("%s_hits %zu\n", name, hits);
}

static GPtrArray *
read_queries(const char *path)
{
	GPtrArray	*q = g_ptr_array_new();
	struct query	*x;
	char		*text, **lines, *tab;
	size_t		 i;
	int		 k;

	if (!g_file_get_contents(path, &text, NULL, NULL))
		exit(2);
	lines = g_strsplit(text, "\n", -1);
	for (i = 0; lines[i] != NULL; i++) {
		if ((tab = strchr(lines[i], '\t')) == NULL)
			continue;
		*tab = '\0';
		if ((k = intel_kind_parse(lines[i])) < 0)
			continue;
		x = g_new(struct query, 1);
		x->kind = (enum intel_kind)k;
		x->value = g_strdup(tab + 1);
		g_ptr_array_add(q, x);
	}
	g_strfreev(lines);
	g_free(text);
	return q;
}

static const char *
action_of(enum intel_kind k, const char **param)
{
	switch (k) {
	case INTEL_IP:		*param = "ip"; return "ip reputation";
	case INTEL_DOMAIN:	*param = "domain"; return "domain reputation";
	case INTEL_URL:		*param = "url"; return "url reputation";
	default:		*param = "hash"; return "file reputation";
	}
}

/* The engine's share of an action call: the context made and freed,
 * nothing run. */
static void
bench_ctx(struct config *cf, GPtrArray *q)
{
	const struct asset	*as = config_asset_find(cf, "ti");
	struct action_ctx	*ctx;
	struct query		*x;
	const char		*param, *name;
	int64_t			 total;
	size_t			 i;

	total = now_ns();
	for (i = 0; i < q->len; i++) {
		x = q->pdata[i];
		name = action_of(x->kind, &param);
		ctx = action_ctx_new(action_find(&intel_app, name), as, &param,
		    (const char **)&x->value, 1, 30000);
		action_ctx_free(ctx);
	}
	total = now_ns() - total;
	printf("ctx_only_per_s %.0f\n", (double)q->len * 1e9 /
	    (double)total);
}

static void
bench_actions(struct config *cf, GPtrArray *q)
{
	const struct asset	*as = config_asset_find(cf, "ti");
	struct action_ctx	*ctx;
	struct query		*x;
	const char		*param, *name;
	int64_t			*lat = g_new(int64_t, q->len), t0, t, total;
	size_t			 i, ok = 0;

	total = now_ns();
	for (i = 0; i < q->len; i++) {
		x = q->pdata[i];
		name = action_of(x->kind, &param);
		t0 = now_ns();
		ctx = action_ctx_new(action_find(&intel_app, name), as, &param,
		    (const char **)&x->value, 1, 30000);
		action_ctx_run(ctx);
		ok += action_ctx_ok(ctx) != 0;
		action_ctx_free(ctx);
		t = now_ns();
		lat[i] = t - t0;
	}
	total = now_ns() - total;
	report("action", lat, q->len, total, 0);
	printf("action_ok %zu\n", ok);
	g_free(lat);
}

static void
bench_index(struct intel_index *ix, GPtrArray *q)
{
	struct intel_match	 m[LIMIT_INTEL_MATCHES];
	struct query		*x;
	char			 v[LIMIT_INTEL_VALUE + 1];
	int64_t			*lat = g_new(int64_t, q->len), t0, total;
	int64_t			 now = g_get_real_time();
	size_t			 i, hits = 0;

	total = now_ns();
	for (i = 0; i < q->len; i++) {
		x = q->pdata[i];
		t0 = now_ns();
		if (intel_normalise(x->kind, x->value, v, sizeof(v)) == MS_OK &&
		    intel_index_lookup(ix, x->kind, v, now, m,
		    LIMIT_INTEL_MATCHES) > 0)
			hits++;
		lat[i] = now_ns() - t0;
	}
	total = now_ns() - total;
	report("index", lat, q->len, total, hits);
	g_free(lat);
}

static int
count_row(void *arg, const struct store_intel_row *r)
{
	(void)r;
	(*(size_t *)arg)++;
	return 0;
}

/* Exact, then each parent domain (the app's rule, in SQL). */
static size_t
sql_domain(struct store *st, const char *v)
{
	const char	*p;
	size_t		 n = 0;

	store_intel_lookup(st, "domain", v, count_row, &n);
	for (p = strchr(v, '.'); p != NULL; p = strchr(p + 1, '.'))
		store_intel_lookup(st, "domain", p + 1, count_row, &n);
	return n;
}

static size_t
sql_one(struct store *st, enum intel_kind k, const char *v)
{
	char	*base, *host, *e;
	size_t	 n = 0;

	if (k == INTEL_DOMAIN)
		return sql_domain(st, v);
	store_intel_lookup(st, intel_kind_name(k), v, count_row, &n);
	if (k != INTEL_URL)
		return n;
	if ((e = strchr(v, '?')) != NULL) {
		base = g_strndup(v, (gsize)(e - v));
		store_intel_lookup(st, "url", base, count_row, &n);
		g_free(base);
	}
	host = g_strdup(strstr(v, "://") + 3);
	host[strcspn(host, "/?:")] = '\0';
	n += sql_domain(st, host);
	g_free(host);
	return n;
}

static void
bench_sql(struct store *st, GPtrArray *q)
{
	struct query	*x;
	char		 v[LIMIT_INTEL_VALUE + 1];
	int64_t		*lat = g_new(int64_t, q->len), t0, total;
	size_t		 i, hits = 0;

	total = now_ns();
	for (i = 0; i < q->len; i++) {
		x = q->pdata[i];
		t0 = now_ns();
		if (intel_normalise(x->kind, x->value, v, sizeof(v)) == MS_OK &&
		    sql_one(st, x->kind, v) > 0)
			hits++;
		lat[i] = now_ns() - t0;
	}
	total = now_ns() - total;
	report("sql", lat, q->len, total, hits);
	g_free(lat);
}

int
main(int argc, char **argv)
{
	struct config		*cf = NULL;
	struct intel_index	*ix = NULL;
	struct store		*st = NULL;
	struct rusage		 ru;
	cpu_set_t		 one;
	GPtrArray		*q;
	char			 err[1024], *conf, *text, *dir;
	int64_t			 t0;

	if (argc != 3) {
		fprintf(stderr, "usage: bench_intel STORE QUERIES\n");
		return 2;
	}
	CPU_ZERO(&one);
	CPU_SET(0, &one);
	if (sched_setaffinity(0, sizeof(one), &one) != 0)
		perror("sched_setaffinity");
	q = read_queries(argv[2]);
	printf("queries %u\n", q->len);
	dir = g_path_get_dirname(argv[2]);
	conf = g_build_filename(dir, "bench-intel.conf", NULL);
	text = g_strdup_printf("[asset ti]\napp=intel\nstore=%s\n", argv[1]);
	if (!g_file_set_contents(conf, text, -1, NULL))
		return 2;
	t0 = now_ns();
	if (config_load(conf, app_builtin, &cf, err, sizeof(err)) != MS_OK ||
	    config_assets_init(cf, err, sizeof(err)) != MS_OK) {
		fprintf(stderr, "bench_intel: %s\n", err);
		return 1;
	}
	printf("index_build_s %.2f\n", (double)(now_ns() - t0) / 1e9);
	bench_ctx(cf, q);
	bench_actions(cf, q);
	if (store_open(argv[1], &st, err, sizeof(err)) != MS_OK ||
	    intel_index_load(st, &ix, err, sizeof(err)) != MS_OK) {
		fprintf(stderr, "bench_intel: %s\n", err);
		return 1;
	}
	printf("indicators %zu\n", intel_index_count(ix));
	bench_index(ix, q);
	bench_sql(st, q);
	getrusage(RUSAGE_SELF, &ru);
	printf("maxrss_kib %ld\n", ru.ru_maxrss);
	intel_index_free(ix);
	store_close(st);
	config_free(cf);
	g_free(text);
	g_free(conf);
	g_free(dir);
	return 0;
}
