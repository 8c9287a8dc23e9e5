/* SPDX-License-Identifier: Apache-2.0 */
/*
 * intel.c -- the store's threat-intel tables (schema version 4): loading
 * a feed's indicators as one replacement per source, the generation
 * counter readers poll, walking and looking up indicators, and the
 * statistics of `mailsoar intel stats`.  Runs wherever the store runs
 * (the CLI loads; the intel app opens its own connection to read).  Rows
 * come from feed parsers through the CLI: strings are bound as given,
 * tags and attribution are written as JSON by jansson.
 */
#include <string.h>

#include <glib.h>

#include "store_int.h"
#include "../common/log.h"

static const char SQL_INTEL_SOURCE[] =
	"INSERT INTO intel_sources (name, format, path, loaded_at)"
	" VALUES (?, '', ?, ?)"
	" ON CONFLICT (name) DO UPDATE SET path = excluded.path,"
	" loaded_at = excluded.loaded_at"
	" RETURNING id, count";
static const char SQL_INTEL_CLEAR[] =
	"DELETE FROM intel_indicators WHERE source_id = ?";
static const char SQL_INTEL_INSERT[] =
	"INSERT INTO intel_indicators (source_id, kind, value, confidence,"
	" tags, tlp, first_seen, last_seen, expires, attribution,"
	" description, subdomains, threat_level)"
	" VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)";
static const char SQL_INTEL_COUNT[] =
	"UPDATE intel_sources SET count = ?, skipped = ?, format = ?"
	" WHERE id = ?";
static const char SQL_INTEL_BUMP[] =
	"UPDATE intel_generation SET generation = generation + 1";
static const char SQL_INTEL_GEN[] =
	"SELECT generation FROM intel_generation";
#define INTEL_COLUMNS \
	"i.kind, i.value, s.name, i.confidence, i.tags, i.tlp," \
	" i.first_seen, i.last_seen, i.expires, i.attribution," \
	" i.description, i.subdomains, i.threat_level"
static const char SQL_INTEL_ALL[] =
	"SELECT " INTEL_COLUMNS " FROM intel_indicators i"
	" JOIN intel_sources s ON s.id = i.source_id ORDER BY i.id";
static const char SQL_INTEL_LOOKUP[] =
	"SELECT " INTEL_COLUMNS " FROM intel_indicators i"
	" JOIN intel_sources s ON s.id = i.source_id"
	" WHERE i.kind = ? AND i.value = ?";

/*
 * A big load inserts its rows without the (kind, value) index and builds
 * it again at the commit: sorting once is several times faster than a
 * million random B-tree inserts.  Only worth it when the load is large
 * against what the table already holds, since the rebuild covers every
 * row: past INTEL_BULK_ROWS rows, and a quarter of the table.
 */
#define INTEL_BULK_ROWS		50000
/* The page cache of a bulk load (KiB, negative), STORE_CACHE_KIB after:
 * the rows of a million indicators and their index take ~100 MiB. */
#define INTEL_BULK_CACHE_KIB	"-262144"
static const char SQL_INTEL_DROP_INDEX[] =
	"DROP INDEX intel_indicators_value";
static const char SQL_INTEL_MAKE_INDEX[] =
	"CREATE INDEX intel_indicators_value ON intel_indicators(kind, value)";
static const char SQL_INTEL_TOTAL[] =
	"SELECT coalesce(sum(count), 0) FROM intel_sources";

/* One source a load has touched. */
struct intel_src {
	int64_t	id;
	size_t	count;
};

struct store_intel_load {
	struct store	*st;
	int		 outer;		/* store__wbegin's */
	char		*source;	/* the default */
	char		*path;
	int64_t		 now;
	GHashTable	*sources;	/* name -> struct intel_src */
	size_t		 rows;
	int64_t		 before;	/* rows in the table at the start */
	int		 unindexed;	/* the value index is dropped */
	char		*last_name;	/* one-entry cache over 'sources' */
	struct intel_src *last;
};

/* Drop the value index for the rest of the load (see above). */
static enum ms_err
bulk(struct store_intel_load *l)
{
	if (l->unindexed)
		return MS_OK;
	if (sqlite3_exec(l->st->db, SQL_INTEL_DROP_INDEX, NULL, NULL, NULL) !=
	    SQLITE_OK ||
	    sqlite3_exec(l->st->db, "PRAGMA cache_size=" INTEL_BULK_CACHE_KIB,
	    NULL, NULL, NULL) != SQLITE_OK)
		return store__fail(l->st, NULL, "intel bulk load");
	l->unindexed = 1;
	return MS_OK;
}

/* Whether 'rows' rows are worth dropping the index for. */
static int
bulky(const struct store_intel_load *l, int64_t rows)
{
	return rows >= INTEL_BULK_ROWS && rows >= l->before / 4;
}

/* ---- loading -------------------------------------------------------- */

static void
load_free(struct store_intel_load *l)
{
	if (l == NULL)
		return;
	g_hash_table_destroy(l->sources);
	g_free(l->source);
	g_free(l->path);
	g_free(l);
}

enum ms_err
store_intel_load_begin(struct store *st, const char *source,
    const char *path, struct store_intel_load **out)
{
	struct store_intel_load	*l;
	sqlite3_stmt		*s = NULL;
	enum ms_err		 rc;

	*out = NULL;
	if (source == NULL || *source == '\0') {
		log_warnx("store: intel load: no source name");
		return MS_EINVAL;
	}
	l = g_new0(struct store_intel_load, 1);
	l->st = st;
	l->source = g_strdup(source);
	l->path = g_strdup(path);
	l->now = store__now();
	l->sources = g_hash_table_new_full(g_str_hash, g_str_equal, g_free,
	    g_free);
	if ((rc = store__wbegin(st, &l->outer)) != MS_OK) {
		load_free(l);
		return rc;
	}
	if (sqlite3_prepare_v2(st->db, SQL_INTEL_TOTAL, -1, &s, NULL) ==
	    SQLITE_OK && sqlite3_step(s) == SQLITE_ROW)
		l->before = sqlite3_column_int64(s, 0);
	sqlite3_finalize(s);
	*out = l;
	return MS_OK;
}

/* The source 'name' of this load, made (and emptied) on first sight. */
static struct intel_src *
load_source(struct store_intel_load *l, const char *name)
{
	struct store		*st = l->st;
	struct intel_src	*src;
	sqlite3_stmt		*s;
	gpointer		 k = NULL;
	int64_t			 old;

	if (l->last != NULL && strcmp(l->last_name, name) == 0)
		return l->last;
	src = g_hash_table_lookup(l->sources, name);
	if (src != NULL)
		goto out;
	s = store__stmt(st, STMT_INTEL_SOURCE, SQL_INTEL_SOURCE);
	if (s == NULL || store__bind(st, s, "tti", name, l->path,
	    l->now) != MS_OK)
		return NULL;
	if (sqlite3_step(s) != SQLITE_ROW) {
		store__fail(st, s, "intel source");
		return NULL;
	}
	src = g_new0(struct intel_src, 1);
	src->id = sqlite3_column_int64(s, 0);
	old = sqlite3_column_int64(s, 1);
	sqlite3_reset(s);
	/* Deleting a big source row by row costs as much as inserting it. */
	if (bulky(l, old) && bulk(l) != MS_OK) {
		g_free(src);
		return NULL;
	}
	s = store__stmt(st, STMT_INTEL_CLEAR, SQL_INTEL_CLEAR);
	if (s == NULL || store__bind(st, s, "i", src->id) != MS_OK ||
	    store__exec(st, s, "intel clear") != MS_OK) {
		g_free(src);
		return NULL;
	}
	g_hash_table_insert(l->sources, g_strdup(name), src);
out:
	/* 'name' is the caller's: remember the table's own copy. */
	g_hash_table_lookup_extended(l->sources, name, &k, NULL);
	l->last_name = k;
	l->last = src;
	return src;
}

/* The tags as a JSON array, or NULL for none.  Newly allocated. */
static char *
tags_json(const struct store_intel_row *r)
{
	json_t	*a;
	char	*out;
	size_t	 i;

	if (r->ntags == 0)
		return NULL;
	a = json_array();
	for (i = 0; i < r->ntags; i++)
		if (r->tags[i] != NULL)
			json_array_append_new(a, store__jstr(r->tags[i]));
	out = json_dumps(a, JSON_COMPACT);
	json_decref(a);
	return out;
}

static char *
attrib_json(const struct store_intel_row *r)
{
	json_t	*a;
	char	*out;
	size_t	 i;

	if (r->nattrib == 0)
		return NULL;
	a = json_array();
	for (i = 0; i < r->nattrib; i++)
		json_array_append_new(a, json_pack("{s:o,s:o}", "type",
		    store__jstr(r->attrib[2 * i]), "name",
		    store__jstr(r->attrib[2 * i + 1])));
	out = json_dumps(a, JSON_COMPACT | JSON_SORT_KEYS);
	json_decref(a);
	return out;
}

enum ms_err
store_intel_load_add(struct store_intel_load *l,
    const struct store_intel_row *r)
{
	struct store		*st = l->st;
	struct intel_src	*src;
	sqlite3_stmt		*s;
	char			*tags = NULL, *attrib = NULL;
	enum ms_err		 rc = MS_EDB;

	if (r->kind == NULL || *r->kind == '\0' || r->value == NULL ||
	    *r->value == '\0')
		return MS_EINVAL;
	if (l->rows == INTEL_BULK_ROWS && bulky(l, (int64_t)l->rows) &&
	    bulk(l) != MS_OK)
		return MS_EDB;
	src = load_source(l, r->source != NULL && *r->source != '\0' ?
	    r->source : l->source);
	if (src == NULL)
		return MS_EDB;
	s = store__stmt(st, STMT_INTEL_INSERT, SQL_INTEL_INSERT);
	if (s == NULL)
		return MS_EDB;
	tags = tags_json(r);
	attrib = attrib_json(r);
	if (store__bind(st, s, "ittnttiiittnn", src->id, r->kind, r->value,
	    r->confidence, tags, r->tlp, r->first_seen, r->last_seen,
	    r->expires, attrib, r->description, r->subdomains != 0,
	    r->threat_level) != MS_OK)
		goto out;
	if ((rc = store__exec(st, s, "intel insert")) != MS_OK)
		goto out;
	src->count++;
	l->rows++;
out:
	xfree(tags);		/* json_dumps: malloc(3), as xfree */
	xfree(attrib);
	return rc;
}

/* Counts, generation and audit entries, inside the load's write. */
static enum ms_err
load_finish(struct store_intel_load *l, const char *format, size_t skipped)
{
	struct store		*st = l->st;
	struct intel_src	*src;
	GHashTableIter		 it;
	gpointer		 k, v;
	sqlite3_stmt		*s;
	json_t			*d;
	enum ms_err		 rc;

	if (g_hash_table_size(l->sources) == 0 &&
	    load_source(l, l->source) == NULL)
		return MS_EDB;
	if (l->unindexed && sqlite3_exec(st->db, SQL_INTEL_MAKE_INDEX, NULL,
	    NULL, NULL) != SQLITE_OK)
		return store__fail(st, NULL, "intel index");
	g_hash_table_iter_init(&it, l->sources);
	while (g_hash_table_iter_next(&it, &k, &v)) {
		src = v;
		s = store__stmt(st, STMT_INTEL_COUNT, SQL_INTEL_COUNT);
		if (s == NULL)
			return MS_EDB;
		rc = store__bind(st, s, "iiti", (int64_t)src->count,
		    strcmp(k, l->source) == 0 ? (int64_t)skipped : 0,
		    format, src->id);
		if (rc != MS_OK || (rc = store__exec(st, s, "intel count")) !=
		    MS_OK)
			return rc;
		d = json_pack("{s:o,s:o,s:o,s:I}", "source", store__jstr(k),
		    "format", store__jstr(format), "path",
		    store__jstr(l->path), "count", (json_int_t)src->count);
		rc = store__audit(st, "cli", "intel loaded", 0, d);
		json_decref(d);
		if (rc != MS_OK)
			return rc;
	}
	s = store__stmt(st, STMT_INTEL_BUMP, SQL_INTEL_BUMP);
	if (s == NULL)
		return MS_EDB;
	return store__exec(st, s, "intel generation");
}

enum ms_err
store_intel_load_commit(struct store_intel_load *l, const char *format,
    size_t skipped, size_t *count)
{
	enum ms_err	rc;

	rc = load_finish(l, format != NULL ? format : "", skipped);
	rc = store__wend(l->st, l->outer, rc);
	if (l->unindexed)
		(void)sqlite3_exec(l->st->db, "PRAGMA cache_size="
		    STORE_CACHE_KIB, NULL, NULL, NULL);
	if (count != NULL)
		*count = rc == MS_OK ? l->rows : 0;
	load_free(l);
	return rc;
}

void
store_intel_load_sources(const struct store_intel_load *l,
    store_intel_source_fn fn, void *arg)
{
	GHashTableIter	 it;
	gpointer	 k, v;

	g_hash_table_iter_init(&it, l->sources);
	while (g_hash_table_iter_next(&it, &k, &v))
		fn(arg, k, ((struct intel_src *)v)->count);
}

void
store_intel_load_abort(struct store_intel_load *l)
{
	if (l == NULL)
		return;
	(void)store__wend(l->st, l->outer, MS_EINVAL);	/* rolls back */
	if (l->unindexed)
		(void)sqlite3_exec(l->st->db, "PRAGMA cache_size="
		    STORE_CACHE_KIB, NULL, NULL, NULL);
	load_free(l);
}

enum ms_err
store_intel_generation(struct store *st, int64_t *gen)
{
	sqlite3_stmt	*s = store__stmt(st, STMT_INTEL_GEN, SQL_INTEL_GEN);

	*gen = 0;
	if (s == NULL)
		return MS_EDB;
	if (sqlite3_step(s) != SQLITE_ROW)
		return store__fail(st, s, "intel generation");
	*gen = sqlite3_column_int64(s, 0);
	sqlite3_reset(s);
	return MS_OK;
}

static enum ms_err
source_delete(struct store *st, const char *name, const char *actor)
{
	sqlite3_stmt	*s = NULL;
	json_t		*d;
	enum ms_err	 rc = MS_EDB;

	/* Rare: prepared here rather than cached. */
	if (sqlite3_prepare_v2(st->db, "DELETE FROM intel_sources WHERE "
	    "name = ?", -1, &s, NULL) != SQLITE_OK)
		return store__fail(st, NULL, "intel source delete");
	if (store__bind(st, s, "t", name) != MS_OK)
		goto out;
	if (sqlite3_step(s) != SQLITE_DONE) {
		rc = store__fail(st, NULL, "intel source delete");
		goto out;
	}
	if (sqlite3_changes(st->db) == 0) {
		rc = MS_EINVAL;
		goto out;
	}
	d = json_pack("{s:o}", "source", store__jstr(name));
	rc = store__audit(st, actor, "intel source deleted", 0, d);
	json_decref(d);
	if (rc != MS_OK)
		goto out;
out:
	sqlite3_finalize(s);
	if (rc == MS_OK) {
		s = store__stmt(st, STMT_INTEL_BUMP, SQL_INTEL_BUMP);
		rc = s == NULL ? MS_EDB : store__exec(st, s,
		    "intel generation");
	}
	return rc;
}

enum ms_err
store_intel_source_delete(struct store *st, const char *name,
    const char *actor)
{
	enum ms_err	rc;
	int		outer;

	if (name == NULL || actor == NULL)
		return MS_EINVAL;
	if ((rc = store__wbegin(st, &outer)) != MS_OK)
		return rc;
	return store__wend(st, outer, source_delete(st, name, actor));
}

/* ---- reading -------------------------------------------------------- */

/* Strings of a JSON array of strings (tags) into 'v' (borrowed from
 * 'j'); the count.  Non-strings are skipped. */
static size_t
json_strs(json_t *j, const char **v)
{
	size_t	i, n = 0;

	for (i = 0; i < json_array_size(j); i++)
		if (json_is_string(json_array_get(j, i)))
			v[n++] = json_string_value(json_array_get(j, i));
	return n;
}

/* [{"type","name"}...] into pairs in 'v'; the number of pairs. */
static size_t
json_pairs(json_t *j, const char **v)
{
	const char	*t, *nm;
	json_t		*o;
	size_t		 i, n = 0;

	for (i = 0; i < json_array_size(j); i++) {
		o = json_array_get(j, i);
		t = json_string_value(json_object_get(o, "type"));
		nm = json_string_value(json_object_get(o, "name"));
		if (t == NULL || nm == NULL)
			continue;
		v[2 * n] = t;
		v[2 * n + 1] = nm;
		n++;
	}
	return n;
}

static const char *
col_text(sqlite3_stmt *s, int i)
{
	return (const char *)sqlite3_column_text(s, i);
}

/* Call 'fn' on the current row of 's' (INTEL_COLUMNS); its return. */
static int
row_call(sqlite3_stmt *s, store_intel_fn fn, void *arg)
{
	struct store_intel_row	 r;
	json_t			*tj = NULL, *aj = NULL;
	const char		**tv = NULL, **av = NULL;
	const char		*t;
	int			 ret;

	memset(&r, 0, sizeof(r));
	r.kind = col_text(s, 0);
	r.value = col_text(s, 1);
	r.source = col_text(s, 2);
	r.confidence = sqlite3_column_int(s, 3);
	if ((t = col_text(s, 4)) != NULL &&
	    (tj = json_loads(t, 0, NULL)) != NULL) {
		tv = g_new0(const char *, json_array_size(tj) + 1);
		r.ntags = json_strs(tj, tv);
		r.tags = tv;
	}
	r.tlp = col_text(s, 5);
	r.first_seen = sqlite3_column_int64(s, 6);
	r.last_seen = sqlite3_column_int64(s, 7);
	r.expires = sqlite3_column_int64(s, 8);
	if ((t = col_text(s, 9)) != NULL &&
	    (aj = json_loads(t, 0, NULL)) != NULL) {
		av = g_new0(const char *, 2 * json_array_size(aj) + 1);
		r.nattrib = json_pairs(aj, av);
		r.attrib = av;
	}
	r.description = col_text(s, 10);
	r.subdomains = sqlite3_column_int(s, 11);
	r.threat_level = sqlite3_column_int(s, 12);
	ret = fn(arg, &r);
	g_free(tv);
	g_free(av);
	json_decref(tj);	/* NULL-safe */
	json_decref(aj);
	return ret;
}

/* Step 's' to the end (or until 'fn' stops); MS_OK or MS_EDB. */
static enum ms_err
rows_walk(struct store *st, sqlite3_stmt *s, store_intel_fn fn, void *arg)
{
	int	src;

	while ((src = sqlite3_step(s)) == SQLITE_ROW)
		if (row_call(s, fn, arg) != 0)
			break;
	if (src != SQLITE_ROW && src != SQLITE_DONE)
		return store__fail(st, s, "intel read");
	sqlite3_reset(s);
	return MS_OK;
}

enum ms_err
store_intel_foreach(struct store *st, store_intel_fn fn, void *arg)
{
	sqlite3_stmt	*s = NULL;
	enum ms_err	 rc;
	int		 outer;

	/* Once per index build: not worth a cache slot. */
	if (sqlite3_prepare_v2(st->db, SQL_INTEL_ALL, -1, &s, NULL) !=
	    SQLITE_OK)
		return store__fail(st, NULL, "intel foreach");
	if ((rc = store__rbegin(st, &outer)) == MS_OK) {
		rc = rows_walk(st, s, fn, arg);
		store__rend(st, outer);
	}
	sqlite3_finalize(s);
	return rc;
}

enum ms_err
store_intel_lookup(struct store *st, const char *kind, const char *value,
    store_intel_fn fn, void *arg)
{
	sqlite3_stmt	*s;

	s = store__stmt(st, STMT_INTEL_LOOKUP, SQL_INTEL_LOOKUP);
	if (s == NULL || store__bind(st, s, "tt", kind, value) != MS_OK)
		return MS_EDB;
	return rows_walk(st, s, fn, arg);
}

/* Add 'n' to member 'kind' of the object 'o'. */
static void
kind_add(json_t *o, const char *kind, json_int_t n)
{
	json_t	*v = json_object_get(o, kind);

	json_object_set_new(o, kind, json_integer(n +
	    (v != NULL ? json_integer_value(v) : 0)));
}

static enum ms_err
stats_sources(struct store *st, json_t *out, GHashTable *byid)
{
	sqlite3_stmt	*s = NULL;
	json_t		*o;
	int		 src;

	if (sqlite3_prepare_v2(st->db, "SELECT id, name, format, path, "
	    "loaded_at, count, skipped FROM intel_sources ORDER BY name", -1,
	    &s, NULL) != SQLITE_OK)
		return store__fail(st, NULL, "intel stats");
	while ((src = sqlite3_step(s)) == SQLITE_ROW) {
		o = json_pack("{s:o,s:o,s:o,s:o,s:o,s:o,s:{}}", "name",
		    store__col_str(s, 1), "format", store__col_str(s, 2),
		    "path", store__col_str(s, 3), "loaded_at",
		    store__col_int(s, 4), "count", store__col_int(s, 5),
		    "skipped", store__col_int(s, 6), "kinds");
		json_array_append_new(out, o);
		g_hash_table_insert(byid, GINT_TO_POINTER(
		    sqlite3_column_int(s, 0)), o);
	}
	sqlite3_finalize(s);
	return src == SQLITE_DONE ? MS_OK : store__fail(st, NULL,
	    "intel stats");
}

static enum ms_err
stats_kinds(struct store *st, GHashTable *byid, json_t *kinds,
    json_int_t *total)
{
	sqlite3_stmt	*s = NULL;
	const char	*k;
	json_t		*o;
	json_int_t	 n;
	int		 src;

	if (sqlite3_prepare_v2(st->db, "SELECT source_id, kind, count(*) "
	    "FROM intel_indicators GROUP BY source_id, kind", -1, &s,
	    NULL) != SQLITE_OK)
		return store__fail(st, NULL, "intel stats");
	while ((src = sqlite3_step(s)) == SQLITE_ROW) {
		k = col_text(s, 1);
		n = sqlite3_column_int64(s, 2);
		o = g_hash_table_lookup(byid, GINT_TO_POINTER(
		    sqlite3_column_int(s, 0)));
		if (o != NULL && k != NULL)
			kind_add(json_object_get(o, "kinds"), k, n);
		if (k != NULL)
			kind_add(kinds, k, n);
		*total += n;
	}
	sqlite3_finalize(s);
	return src == SQLITE_DONE ? MS_OK : store__fail(st, NULL,
	    "intel stats");
}

enum ms_err
store_intel_stats_json(struct store *st, char **json)
{
	GHashTable	*byid = g_hash_table_new(g_direct_hash,
	    g_direct_equal);
	json_t		*srcs = json_array(), *kinds = json_object();
	json_int_t	 total = 0;
	int64_t		 gen = 0;
	enum ms_err	 rc;
	int		 outer;

	*json = NULL;
	if ((rc = store__rbegin(st, &outer)) != MS_OK)
		goto out;
	if ((rc = stats_sources(st, srcs, byid)) == MS_OK &&
	    (rc = stats_kinds(st, byid, kinds, &total)) == MS_OK)
		rc = store_intel_generation(st, &gen);
	store__rend(st, outer);
	if (rc != MS_OK)
		goto out;
	rc = store__json_out(json_pack("{s:O,s:I,s:O,s:I}", "sources", srcs,
	    "total", total, "kinds", kinds, "generation", (json_int_t)gen),
	    json);
out:
	g_hash_table_destroy(byid);
	json_decref(srcs);
	json_decref(kinds);
	return rc;
}
