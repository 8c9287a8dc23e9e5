/* SPDX-License-Identifier: Apache-2.0 */
/*
 * sqlite.c -- the store on SQLite: opening (WAL, synchronous=NORMAL,
 * foreign keys, a busy timeout, migrations), transactions, and the
 * helpers the other files of src/store share: the prepared-statement
 * cache, binding, write savepoints and JSON columns.  Runs in whichever
 * process owns the store; one struct store per thread.  It trusts its own
 * database file, and checks every JSON text callers hand in.
 */
#include <stdarg.h>
#include <stdio.h>
#include <string.h>

#include <glib.h>

#include "store_int.h"
#include "../common/log.h"

static const char SQL_BEGIN[] = "BEGIN IMMEDIATE";
static const char SQL_COMMIT[] = "COMMIT";
static const char SQL_ROLLBACK[] = "ROLLBACK";
static const char SQL_SAVEPOINT[] = "SAVEPOINT store_w";
static const char SQL_RELEASE[] = "RELEASE store_w";
static const char SQL_ROLLBACK_TO[] = "ROLLBACK TO store_w";
static const char SQL_READ_BEGIN[] = "BEGIN";
static const char SQL_VERSION[] = "PRAGMA user_version";

/* Run one PRAGMA or statement without a result we need; 'err' on error. */
static int
open_exec(sqlite3 *db, const char *sql, char *err, size_t errlen)
{
	if (sqlite3_exec(db, sql, NULL, NULL, NULL) == SQLITE_OK)
		return 0;
	snprintf(err, errlen, "%s: %s", sql, sqlite3_errmsg(db));
	return -1;
}

/* Switch 'db' to WAL and check that SQLite agreed (it keeps the old mode
 * on a read-only or in-memory file). */
static int
open_wal(sqlite3 *db, char *err, size_t errlen)
{
	sqlite3_stmt	*s = NULL;
	int		 ok = 0;

	if (sqlite3_prepare_v2(db, "PRAGMA journal_mode=WAL", -1, &s,
	    NULL) == SQLITE_OK && sqlite3_step(s) == SQLITE_ROW)
		ok = g_ascii_strcasecmp((const char *)sqlite3_column_text(s, 0),
		    "wal") == 0;
	if (!ok)
		snprintf(err, errlen, "cannot switch to WAL: %s",
		    sqlite3_errmsg(db));
	sqlite3_finalize(s);
	return ok ? 0 : -1;
}

/*
 * Open the file, set the connection up and migrate.  The schema version
 * is checked (inside store__migrate) before anything is written, so that
 * a newer store is left exactly as it was.
 */
enum ms_err
store_open(const char *path, struct store **out, char *err, size_t errlen)
{
	struct store	*st = NULL;
	sqlite3		*db = NULL;
	enum ms_err	 rc = MS_EDB;
	int		 src;

	*out = NULL;
	src = sqlite3_open_v2(path, &db, SQLITE_OPEN_READWRITE |
	    SQLITE_OPEN_CREATE | SQLITE_OPEN_NOMUTEX, NULL);
	if (src != SQLITE_OK) {
		snprintf(err, errlen, "cannot open %s: %s", path,
		    db ? sqlite3_errmsg(db) : sqlite3_errstr(src));
		rc = (src & 0xff) == SQLITE_CANTOPEN ? MS_EIO : MS_EDB;
		goto out;
	}
	sqlite3_extended_result_codes(db, 1);
	sqlite3_busy_timeout(db, STORE_BUSY_MS);
	/* Refuse a newer store before WAL or anything else touches it. */
	if (store__migrate(db, 0, err, errlen) != MS_OK)
		goto out;
	if (open_wal(db, err, errlen) != 0 ||
	    open_exec(db, "PRAGMA synchronous=NORMAL", err, errlen) != 0 ||
	    open_exec(db, "PRAGMA foreign_keys=ON", err, errlen) != 0 ||
	    open_exec(db, "PRAGMA cache_size=" STORE_CACHE_KIB, err,
	    errlen) != 0)
		goto out;
	if (store__migrate(db, store__schema_latest(), err, errlen) != MS_OK)
		goto out;
	st = xcalloc(1, sizeof(*st));
	st->db = db;
	st->path = xstrdup(path);
	db = NULL;
	*out = st;
	rc = MS_OK;
out:
	if (rc != MS_OK)
		log_warnx("store: %s", err);
	sqlite3_close(db);		/* NULL-safe */
	return rc;
}

void
store_close(struct store *st)
{
	size_t	i;

	if (st == NULL)
		return;
	if (st->db != NULL && !sqlite3_get_autocommit(st->db)) {
		log_warnx("store: %s closed inside a transaction; rolled back",
		    st->path);
		sqlite3_exec(st->db, SQL_ROLLBACK, NULL, NULL, NULL);
	}
	for (i = 0; i < MS_ARRAY_LEN(st->stmt); i++)
		sqlite3_finalize(st->stmt[i]);
	if (sqlite3_close(st->db) != SQLITE_OK)
		log_warnx("store: close %s: %s", st->path,
		    sqlite3_errmsg(st->db));
	xfree(st->path);
	xfree(st);
}

/* PRAGMA user_version, or -1 on a store error. */
int
store_schema_version(struct store *st)
{
	sqlite3_stmt	*s = store__stmt(st, STMT_VERSION, SQL_VERSION);
	int		 v = -1;

	if (s == NULL)
		return -1;
	if (sqlite3_step(s) == SQLITE_ROW)
		v = sqlite3_column_int(s, 0);
	sqlite3_reset(s);
	return v;
}

/* The connection's last message: borrowed, valid until the next call. */
const char *
store_errmsg(struct store *st)
{
	return sqlite3_errmsg(st->db);
}

/* Open a batch.  Nested batches are a caller error. */
enum ms_err
store_begin(struct store *st)
{
	enum ms_err	rc;

	if (st->batch || !sqlite3_get_autocommit(st->db)) {
		log_warnx("store: store_begin inside a transaction");
		return MS_EINVAL;
	}
	rc = store__exec(st, store__stmt(st, STMT_BEGIN, SQL_BEGIN),
	    "begin");
	if (rc == MS_OK)
		st->batch = 1;
	return rc;
}

/* Commit the batch.  When COMMIT fails (SQLITE_BUSY past the timeout)
 * the transaction stays open for the caller to retry or roll back. */
enum ms_err
store_commit(struct store *st)
{
	enum ms_err	rc;

	if (!st->batch) {
		log_warnx("store: store_commit without store_begin");
		return MS_EINVAL;
	}
	rc = store__exec(st, store__stmt(st, STMT_COMMIT, SQL_COMMIT),
	    "commit");
	if (rc == MS_OK || sqlite3_get_autocommit(st->db))
		st->batch = 0;
	return rc;
}

/* Roll the batch back; MS_OK also when SQLite already did. */
enum ms_err
store_rollback(struct store *st)
{
	enum ms_err	rc = MS_OK;

	if (!sqlite3_get_autocommit(st->db))
		rc = store__exec(st, store__stmt(st, STMT_ROLLBACK,
		    SQL_ROLLBACK), "rollback");
	st->batch = 0;
	return rc;
}

/* ---- helpers shared by the store's files ---------------------------- */

/* Prepared once with SQLITE_PREPARE_PERSISTENT (a hint that it lives
 * long), then reset on every use. */
sqlite3_stmt *
store__stmt(struct store *st, enum store_stmt id, const char *sql)
{
	sqlite3_stmt	*s = st->stmt[id];

	if (s != NULL) {
		sqlite3_reset(s);
		return s;
	}
	if (sqlite3_prepare_v3(st->db, sql, -1, SQLITE_PREPARE_PERSISTENT,
	    &s, NULL) != SQLITE_OK) {
		log_warnx("store: prepare \"%s\": %s", sql,
		    sqlite3_errmsg(st->db));
		return NULL;
	}
	st->stmt[id] = s;
	return s;
}

/* SQLITE_STATIC: the caller's strings outlive the step, and every use
 * binds every parameter again, so SQLite never reads a stale pointer. */
enum ms_err
store__bind(struct store *st, sqlite3_stmt *s, const char *fmt, ...)
{
	va_list		 ap;
	const char	*t;
	int64_t		 v;
	int		 i, src = SQLITE_OK;

	va_start(ap, fmt);
	for (i = 1; *fmt != '\0' && src == SQLITE_OK; fmt++, i++) {
		switch (*fmt) {
		case 't':
			t = va_arg(ap, const char *);
			src = sqlite3_bind_text(s, i, t, -1, SQLITE_STATIC);
			break;
		case 'i':
			v = va_arg(ap, int64_t);
			src = sqlite3_bind_int64(s, i, v);
			break;
		case 'I':
			v = va_arg(ap, int64_t);
			src = v ? sqlite3_bind_int64(s, i, v) :
			    sqlite3_bind_null(s, i);
			break;
		case 'n':
			src = sqlite3_bind_int(s, i, va_arg(ap, int));
			break;
		default:
			fatalx("store__bind: bad format '%c'", *fmt);
		}
	}
	va_end(ap);
	if (src != SQLITE_OK)
		return store__fail(st, s, "bind");
	return MS_OK;
}

enum ms_err
store__fail(struct store *st, sqlite3_stmt *s, const char *what)
{
	int	code = sqlite3_extended_errcode(st->db);

	log_warnx("store: %s: %s", what, sqlite3_errmsg(st->db));
	if (s != NULL)
		sqlite3_reset(s);
	return (code & 0xff) == SQLITE_CONSTRAINT ? MS_EINVAL : MS_EDB;
}

enum ms_err
store__exec(struct store *st, sqlite3_stmt *s, const char *what)
{
	if (s == NULL)
		return MS_EDB;
	if (sqlite3_step(s) != SQLITE_DONE)
		return store__fail(st, s, what);
	sqlite3_reset(s);
	return MS_OK;
}

/*
 * Each writing call is atomic.  Alone it is its own IMMEDIATE transaction
 * (taking the write lock first avoids SQLITE_BUSY on a read-to-write
 * upgrade, which the busy timeout cannot wait out in WAL mode); inside a
 * store_begin batch it is a savepoint, so that a failed call leaves the
 * rest of the batch intact.
 */
enum ms_err
store__wbegin(struct store *st, int *outer)
{
	*outer = sqlite3_get_autocommit(st->db);
	if (*outer && st->batch) {
		/* SQLite rolled the batch back on an earlier I/O error. */
		log_warnx("store: the batch transaction was rolled back");
		return MS_EDB;
	}
	if (*outer)
		return store__exec(st, store__stmt(st, STMT_BEGIN, SQL_BEGIN),
		    "begin");
	return store__exec(st, store__stmt(st, STMT_SAVEPOINT, SQL_SAVEPOINT),
	    "savepoint");
}

enum ms_err
store__wend(struct store *st, int outer, enum ms_err rc)
{
	if (rc == MS_OK) {
		if (outer)
			rc = store__exec(st, store__stmt(st, STMT_COMMIT,
			    SQL_COMMIT), "commit");
		else
			rc = store__exec(st, store__stmt(st, STMT_RELEASE,
			    SQL_RELEASE), "release");
		if (rc == MS_OK)
			return MS_OK;
	}
	/* A severe error may already have ended the transaction. */
	if (sqlite3_get_autocommit(st->db))
		return rc;
	if (outer) {
		store__exec(st, store__stmt(st, STMT_ROLLBACK, SQL_ROLLBACK),
		    "rollback");
	} else {
		store__exec(st, store__stmt(st, STMT_ROLLBACK_TO,
		    SQL_ROLLBACK_TO), "rollback to");
		store__exec(st, store__stmt(st, STMT_RELEASE, SQL_RELEASE),
		    "release");
	}
	return rc;
}

/* A deferred read transaction: one snapshot for a multi-query getter. */
enum ms_err
store__rbegin(struct store *st, int *outer)
{
	*outer = sqlite3_get_autocommit(st->db);
	if (!*outer)
		return MS_OK;
	return store__exec(st, store__stmt(st, STMT_READ_BEGIN,
	    SQL_READ_BEGIN), "begin");
}

void
store__rend(struct store *st, int outer)
{
	if (outer && !sqlite3_get_autocommit(st->db))
		store__exec(st, store__stmt(st, STMT_COMMIT, SQL_COMMIT),
		    "commit");
}

static const char *
json_type_name(int type)
{
	switch (type) {
	case JSON_OBJECT:	return "a JSON object";
	case JSON_ARRAY:	return "a JSON array";
	default:		return "JSON";
	}
}

enum ms_err
store__json_parse(const char *text, int type, const char *what,
    json_t **out)
{
	json_error_t	 e;
	json_t		*v;

	*out = NULL;
	if (text == NULL) {
		log_warnx("store: %s: missing", what);
		return MS_EINVAL;
	}
	v = json_loads(text, JSON_DECODE_ANY | JSON_REJECT_DUPLICATES, &e);
	if (v == NULL) {
		log_warnx("store: %s: bad JSON at line %d column %d: %s",
		    what, e.line, e.column, e.text);
		return MS_EINVAL;
	}
	if (type >= 0 && json_typeof(v) != (json_type)type) {
		log_warnx("store: %s: not %s", what, json_type_name(type));
		json_decref(v);
		return MS_EINVAL;
	}
	*out = v;
	return MS_OK;
}

/* json_dumps allocates with jansson's allocator, malloc(3) by default,
 * which is what xfree() releases. */
char *
store__json_canon(const json_t *v)
{
	char	*s;

	s = json_dumps(v, JSON_SORT_KEYS | JSON_COMPACT | JSON_ENCODE_ANY);
	if (s == NULL)
		fatalx("store: out of memory dumping JSON");
	return s;
}

json_t *
store__jstr(const char *s)
{
	json_t	*v;
	char	*u;

	if (s == NULL)
		return json_null();
	if ((v = json_string(s)) != NULL)
		return v;
	u = g_utf8_make_valid(s, -1);
	v = json_string(u);
	g_free(u);
	return v != NULL ? v : json_null();
}

json_t *
store__col_str(sqlite3_stmt *s, int i)
{
	const char	*t;
	json_t		*v;

	if (sqlite3_column_type(s, i) == SQLITE_NULL)
		return json_null();
	t = (const char *)sqlite3_column_text(s, i);
	v = json_stringn(t, (size_t)sqlite3_column_bytes(s, i));
	/* Not UTF-8 (a caller stored raw bytes): still valid output. */
	return v != NULL ? v : store__jstr(t);
}

json_t *
store__col_int(sqlite3_stmt *s, int i)
{
	if (sqlite3_column_type(s, i) == SQLITE_NULL)
		return json_null();
	return json_integer(sqlite3_column_int64(s, i));
}

/* The store only keeps JSON it parsed; should a row be damaged anyway,
 * the output stays valid JSON (null) rather than failing the getter. */
json_t *
store__col_json(sqlite3_stmt *s, int i, const char *dflt)
{
	const char	*t = (const char *)sqlite3_column_text(s, i);
	json_t		*v;

	if (t == NULL)
		t = dflt;
	if (t == NULL)
		return json_null();
	v = json_loads(t, JSON_DECODE_ANY, NULL);
	return v != NULL ? v : json_null();
}

char *
store__col_dup(sqlite3_stmt *s, int i)
{
	const char	*t = (const char *)sqlite3_column_text(s, i);

	return t != NULL ? xstrdup(t) : NULL;
}

enum ms_err
store__json_out(json_t *v, char **out)
{
	*out = json_dumps(v, JSON_COMPACT | JSON_ENCODE_ANY);
	json_decref(v);
	if (*out == NULL)
		fatalx("store: out of memory dumping JSON");
	return MS_OK;
}

void
store__sha256(const void *p, size_t len, char out[STORE_HEX])
{
	GChecksum	*c = g_checksum_new(G_CHECKSUM_SHA256);

	g_checksum_update(c, p, (gssize)len);
	g_strlcpy(out, g_checksum_get_string(c), STORE_HEX);
	g_checksum_free(c);
}

int64_t
store__now(void)
{
	return g_get_real_time();
}
