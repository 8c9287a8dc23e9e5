/* SPDX-License-Identifier: Apache-2.0 */
/*
 * test_store.c -- unit tests for src/store on real SQLite files in a
 * temporary directory: migrations (from versions 1, 2 and 4, and a newer
 * store refused untouched), the sender history, container and artifact dedupe, campaign and
 * thread joins, ingestion cursors, the JSON getters
 * parsed back with jansson, scores, prompts, lists, the cache, runs and
 * action runs, the audit chain (verified, then tampered with through raw
 * SQL), batches, bad JSON and unusable paths.  Links only ms_store.
 * Each test gets a fresh directory and removes it.
 */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>
#include <glib.h>
#include <glib/gstdio.h>
#include <jansson.h>
#include <sqlite3.h>

#include "common/ms.h"
#include "store/store.h"
#include "store/store_int.h"

#define MID	"1234@phish.example"
/* Stand-ins for hex digests: 32 times two characters. */
#define X8(x)	x x x x x x x x
#define HEX(x)	X8(x) X8(x) X8(x) X8(x)
#define BODY1	HEX("b1")
#define BODY2	HEX("b2")
#define INPUT1	HEX("c1")
#define INPUT2	HEX("c2")
#define URL_ART	"{\"name\":\"URL Artifact\",\"label\":\"url\"," \
	"\"cef\":{\"requestURL\":\"https://login.example.top/a\"}," \
	"\"cef_types\":{\"requestURL\":[\"url\"]},\"where\":\"body html href\"}"
/* The same artifact with its keys in another order. */
#define URL_ART2 "{\"where\":\"body html href\"," \
	"\"cef_types\":{\"requestURL\":[\"url\"]}," \
	"\"cef\":{\"requestURL\":\"https://login.example.top/a\"}," \
	"\"label\":\"url\",\"name\":\"URL Artifact\"}"
#define IP_ART	"{\"name\":\"IP Artifact\",\"label\":\"ip\"," \
	"\"cef\":{\"sourceAddress\":\"203.0.113.9\"}," \
	"\"cef_types\":{\"sourceAddress\":[\"ip\"]}," \
	"\"where\":\"header Received\"}"
#define RESULT	"{\"data\":[{\"country\":\"FR\"}],\"summary\":{\"score\":80}}"

struct fx {
	char		*dir;
	char		*path;
	struct store	*st;
};

/* Remove 'path' and everything under it. */
static void
rmtree(const char *path)
{
	GDir		*d;
	const char	*name;
	char		*p;

	if (g_file_test(path, G_FILE_TEST_IS_DIR) &&
	    !g_file_test(path, G_FILE_TEST_IS_SYMLINK)) {
		d = g_dir_open(path, 0, NULL);
		while (d != NULL && (name = g_dir_read_name(d)) != NULL) {
			p = g_build_filename(path, name, NULL);
			rmtree(p);
			g_free(p);
		}
		if (d != NULL)
			g_dir_close(d);
		g_rmdir(path);
	} else
		g_remove(path);
}

static int
setup(void **state)
{
	struct fx	*f = xcalloc(1, sizeof(*f));
	char		 err[256];

	f->dir = g_dir_make_tmp("test_store_XXXXXX", NULL);
	assert_non_null(f->dir);
	f->path = g_build_filename(f->dir, "store.db", NULL);
	assert_int_equal(MS_OK, store_open(f->path, &f->st, err,
	    sizeof(err)));
	*state = f;
	return 0;
}

static int
teardown(void **state)
{
	struct fx	*f = *state;

	store_close(f->st);
	rmtree(f->dir);
	g_free(f->dir);
	g_free(f->path);
	xfree(f);
	return 0;
}

/* Parse 'text' (xfree'd here) and return the JSON value. */
static json_t *
parse(char *text)
{
	json_error_t	 e;
	json_t		*v;

	assert_non_null(text);
	v = json_loads(text, JSON_DECODE_ANY, &e);
	if (v == NULL)
		fail_msg("bad JSON from the store: %s: %s", e.text, text);
	xfree(text);
	return v;
}

/* Assert that object 'o' has exactly the NULL-terminated keys. */
static void
assert_keys(const json_t *o, ...)
{
	va_list		 ap;
	const char	*k;
	size_t		 n = 0;

	assert_true(json_is_object(o));
	va_start(ap, o);
	while ((k = va_arg(ap, const char *)) != NULL) {
		if (json_object_get(o, k) == NULL)
			fail_msg("missing key \"%s\"", k);
		n++;
	}
	va_end(ap);
	assert_int_equal(n, json_object_size(o));
}

static const char *
str(const json_t *o, const char *k)
{
	return json_string_value(json_object_get(o, k));
}

static json_int_t
num(const json_t *o, const char *k)
{
	const json_t	*v = json_object_get(o, k);

	assert_true(json_is_integer(v));
	return json_integer_value(v);
}

/* One integer from raw SQL on the store's file, through a second
 * connection (as a tamperer or a reader in another process would). */
static int64_t
sql_int(const char *path, const char *sql)
{
	sqlite3		*db;
	sqlite3_stmt	*s;
	int64_t		 v = -1;

	assert_int_equal(SQLITE_OK, sqlite3_open(path, &db));
	assert_int_equal(SQLITE_OK, sqlite3_prepare_v2(db, sql, -1, &s, NULL));
	if (sqlite3_step(s) == SQLITE_ROW)
		v = sqlite3_column_int64(s, 0);
	sqlite3_finalize(s);
	sqlite3_close(db);
	return v;
}

/* Run raw SQL; SQLite's result code. */
static int
sql_exec(const char *path, const char *sql)
{
	sqlite3	*db;
	int	 rc;

	assert_int_equal(SQLITE_OK, sqlite3_open(path, &db));
	rc = sqlite3_exec(db, sql, NULL, NULL, NULL);
	sqlite3_close(db);
	return rc;
}

static void
email_in(struct store_container_in *in, const char *mid, const char *body,
    const char *input, const char *reporter)
{
	memset(in, 0, sizeof(*in));
	in->name = "Your mailbox is full";
	in->label = "email";
	in->message_id = mid;
	in->body_sha256 = body;
	in->input_sha256 = input;
	in->source = "imap://mx/Phish;UID=7";
	in->reporter = reporter;
	in->data_json = "{\"status\":\"ok\",\"size\":1234}";
}

static int64_t
put(struct store *st, const struct store_container_in *in, int *created)
{
	int64_t	id;

	assert_int_equal(MS_OK, store_container_put(st, in, &id, created));
	assert_true(id > 0);
	return id;
}

/* The newest audit entry. */
static json_t *
last_audit(struct store *st)
{
	char	*t;
	json_t	*arr, *e;

	assert_int_equal(MS_OK, store_audit_json(st, 1, &t));
	arr = parse(t);
	assert_int_equal(1, json_array_size(arr));
	e = json_incref(json_array_get(arr, 0));
	json_decref(arr);
	return e;
}

/* ---- open and migrations ------------------------------------------- */

static void
open_reopen(void **state)
{
	struct fx	*f = *state;
	struct store_container_in in;
	char		 err[256], *t;
	int64_t		 id;
	int		 created;

	assert_int_equal(store__schema_latest(), store_schema_version(f->st));
	email_in(&in, MID, BODY1, INPUT1, "a@corp.example");
	id = put(f->st, &in, &created);
	store_close(f->st);
	/* WAL is the file's journal mode, seen from another connection. */
	assert_int_equal(MS_OK, store_open(f->path, &f->st, err,
	    sizeof(err)));
	assert_int_equal(store__schema_latest(), store_schema_version(f->st));
	assert_int_equal(MS_OK, store_container_json(f->st, id, &t));
	json_decref(parse(t));
	assert_int_equal(1, sql_int(f->path, "SELECT journal_mode = 'wal'"
	    " FROM pragma_journal_mode"));
}

/* A store made by a build that knew only version 1 keeps its rows and
 * gains version 2 (the indexes and audit triggers). */
static void
migrate_from_v1(void **state)
{
	struct fx	*f = *state;
	sqlite3		*db;
	char		 err[256], *path, *t;
	json_t		*c;

	path = g_build_filename(f->dir, "old.db", NULL);
	assert_int_equal(SQLITE_OK, sqlite3_open(path, &db));
	assert_int_equal(MS_OK, store__migrate(db, 1, err, sizeof(err)));
	assert_int_equal(SQLITE_OK, sqlite3_exec(db,
	    "INSERT INTO containers (dedupe_key, name, label, severity, data,"
	    " created, updated) VALUES ('k', 'old one', 'email', 'low', '{}',"
	    " 1, 1)", NULL, NULL, NULL));
	sqlite3_close(db);
	assert_int_equal(1, sql_int(path, "PRAGMA user_version"));
	assert_int_equal(0, sql_int(path, "SELECT count(*) FROM sqlite_master"
	    " WHERE name = 'artifacts_container'"));

	store_close(f->st);
	assert_int_equal(MS_OK, store_open(path, &f->st, err, sizeof(err)));
	assert_int_equal(store__schema_latest(), store_schema_version(f->st));
	assert_int_equal(MS_OK, store_container_json(f->st, 1, &t));
	c = parse(t);
	assert_string_equal("old one", str(c, "name"));
	assert_string_equal("low", str(c, "severity"));
	json_decref(c);
	assert_int_equal(1, sql_int(path, "SELECT count(*) FROM sqlite_master"
	    " WHERE name = 'artifacts_container'"));
	g_free(path);
}

/*
 * A store a version-2 build wrote, with a container and audit entries
 * made through the API of that build (a struct store on the raw
 * connection: the audit and list calls did not change), gains version 3:
 * the rows stay, the chain still verifies and grows, a reply joins the
 * old container by its Message-ID, and the ingestion tables work.
 */
static void
migrate_from_v2(void **state)
{
	struct fx	*f = *state;
	struct store	*old;
	struct store_container_in in;
	const char	*thread[] = { "<old@phish.example>" };
	char		 err[256], *path, *t;
	int64_t		 id, bad;
	uint32_t	 uv, last;
	int		 created;
	json_t		*c;

	path = g_build_filename(f->dir, "v2.db", NULL);
	old = xcalloc(1, sizeof(*old));
	old->path = xstrdup(path);
	assert_int_equal(SQLITE_OK, sqlite3_open(path, &old->db));
	assert_int_equal(MS_OK, store__migrate(old->db, 2, err, sizeof(err)));
	assert_int_equal(SQLITE_OK, sqlite3_exec(old->db,
	    "INSERT INTO containers (dedupe_key, name, label, severity,"
	    " message_id, data, created, updated) VALUES ('k', 'old one',"
	    " 'email', 'low', 'old@phish.example', '{}', 1, 1)",
	    NULL, NULL, NULL));
	assert_int_equal(MS_OK, store_audit(old, "alice", "setting changed",
	    1, "{\"key\":\"retention\",\"value\":30}"));
	assert_int_equal(MS_OK, store_list_add(old, "vip", "ceo@corp.example",
	    "alice"));
	store_close(old);
	assert_int_equal(2, sql_int(path, "PRAGMA user_version"));
	assert_int_equal(0, sql_int(path, "SELECT count(*) FROM sqlite_master"
	    " WHERE name = 'mailbox_cursors'"));

	store_close(f->st);
	assert_int_equal(MS_OK, store_open(path, &f->st, err, sizeof(err)));
	assert_int_equal(store__schema_latest(), store_schema_version(f->st));
	assert_int_equal(MS_OK, store_audit_verify(f->st, &bad, err,
	    sizeof(err)));
	assert_int_equal(MS_OK, store_container_json(f->st, 1, &t));
	c = parse(t);
	assert_string_equal("old one", str(c, "name"));
	json_decref(c);
	assert_int_equal(1, sql_int(path, "SELECT count(*) FROM containers"
	    " WHERE campaign_key IS NULL"));

	/* A reply to the old email joins its container. */
	email_in(&in, "reply@corp.example", BODY1, INPUT1, "bob@corp.example");
	in.thread_ids = thread;
	in.nthread_ids = 1;
	id = put(f->st, &in, &created);
	assert_false(created);
	assert_int_equal(1, id);
	assert_int_equal(2, sql_int(path, "SELECT seen_count FROM containers"
	    " WHERE id = 1"));
	assert_int_equal(MS_OK, store_cursor_set(f->st, "corp/INBOX", 9, 4));
	assert_int_equal(MS_OK, store_cursor_get(f->st, "corp/INBOX", &uv,
	    &last));
	assert_int_equal(9, uv);
	assert_int_equal(4, last);
	assert_int_equal(MS_OK, store_audit_verify(f->st, &bad, err,
	    sizeof(err)));
	/* Two entries from version 2, the reply; a first cursor is not
	 * audited. */
	assert_int_equal(3, sql_int(path, "SELECT count(*) FROM audit_log"));
	g_free(path);
}

static void
refuse_newer(void **state)
{
	struct fx	*f = *state;
	struct store	*st2 = NULL;
	char		 err[256] = "", *path, sql[64];

	path = g_build_filename(f->dir, "new.db", NULL);
	snprintf(sql, sizeof(sql), "PRAGMA user_version=%d",
	    store__schema_latest() + 1);
	assert_int_equal(SQLITE_OK, sql_exec(path, sql));
	assert_int_equal(MS_EDB, store_open(path, &st2, err, sizeof(err)));
	assert_null(st2);
	assert_non_null(strstr(err, "newer"));
	/* Left as it was: same version, no tables, journal mode untouched. */
	assert_int_equal(store__schema_latest() + 1,
	    sql_int(path, "PRAGMA user_version"));
	assert_int_equal(0, sql_int(path,
	    "SELECT count(*) FROM sqlite_master"));
	assert_int_equal(0, sql_int(path, "SELECT journal_mode = 'wal'"
	    " FROM pragma_journal_mode"));
	g_free(path);
}

static void
bad_paths(void **state)
{
	struct fx	*f = *state;
	struct store	*st2 = NULL;
	char		 err[256] = "", *file, *path;

	/* A directory that cannot exist: its parent is a regular file
	 * (this fails for root too, unlike a chmod'ed directory). */
	file = g_build_filename(f->dir, "plain", NULL);
	assert_true(g_file_set_contents(file, "x", 1, NULL));
	path = g_build_filename(file, "store.db", NULL);
	assert_int_not_equal(MS_OK, store_open(path, &st2, err, sizeof(err)));
	assert_null(st2);
	assert_true(strlen(err) > 0);
	g_free(path);

	/* A file that is not a database. */
	err[0] = '\0';
	assert_true(g_file_set_contents(file, "this is not SQLite at all, "
	    "just text long enough to fill a header......................"
	    "..............................................", -1, NULL));
	assert_int_equal(MS_EDB, store_open(file, &st2, err, sizeof(err)));
	assert_null(st2);
	assert_true(strlen(err) > 0);
	g_free(file);
}

/* ---- containers and artifacts ---------------------------------------- */

static void
container_dedupe(void **state)
{
	struct fx	*f = *state;
	struct store_container_in in;
	int64_t		 id1, id2, id3, id4, id5;
	int		 created;
	char		*t;
	json_t		*c, *r;

	email_in(&in, MID, BODY1, INPUT1, "alice@corp.example");
	id1 = put(f->st, &in, &created);
	assert_true(created);
	email_in(&in, MID, BODY1, INPUT2, "bob@corp.example");
	id2 = put(f->st, &in, &created);
	assert_false(created);
	assert_int_equal(id1, id2);

	assert_int_equal(MS_OK, store_container_json(f->st, id1, &t));
	c = parse(t);
	assert_int_equal(2, num(c, "seen_count"));
	r = json_object_get(c, "reporters");
	assert_int_equal(2, json_array_size(r));
	assert_string_equal("alice@corp.example",
	    json_string_value(json_array_get(r, 0)));
	assert_string_equal("bob@corp.example",
	    json_string_value(json_array_get(r, 1)));
	json_decref(c);

	/* Alice again: seen three times, still two reporters. */
	email_in(&in, MID, BODY1, INPUT1, "alice@corp.example");
	assert_int_equal(id1, put(f->st, &in, &created));
	assert_int_equal(MS_OK, store_container_json(f->st, id1, &t));
	c = parse(t);
	assert_int_equal(3, num(c, "seen_count"));
	assert_int_equal(2, json_array_size(json_object_get(c, "reporters")));
	json_decref(c);
	r = last_audit(f->st);
	assert_string_equal("container seen again", str(r, "event"));
	assert_int_equal(id1, num(r, "container_id"));
	json_decref(r);

	/* Same Message-ID, another body: another email. */
	email_in(&in, MID, BODY2, INPUT1, NULL);
	id3 = put(f->st, &in, &created);
	assert_true(created);
	assert_int_not_equal(id1, id3);

	/* No Message-ID: the input hash decides. */
	email_in(&in, NULL, BODY1, INPUT1, NULL);
	id4 = put(f->st, &in, &created);
	assert_true(created);
	assert_int_not_equal(id1, id4);
	assert_int_equal(id4, put(f->st, &in, &created));
	assert_false(created);
	email_in(&in, NULL, BODY1, INPUT2, NULL);
	id5 = put(f->st, &in, &created);
	assert_true(created);
	assert_int_not_equal(id4, id5);

	/* Bytes that are not UTF-8 (from a hostile email) are stored, and
	 * come out as valid JSON. */
	email_in(&in, "bad\xff@id", BODY1, INPUT1, "r\xfe@corp.example");
	in.name = "Subject \xc3";
	id5 = put(f->st, &in, &created);
	assert_true(created);
	r = last_audit(f->st);
	assert_string_equal("bad\xef\xbf\xbd@id", str(json_object_get(r,
	    "detail"), "message_id"));
	json_decref(r);
	assert_int_equal(MS_OK, store_container_json(f->st, id5, &t));
	c = parse(t);
	assert_string_equal("bad\xef\xbf\xbd@id", str(c, "message_id"));
	json_decref(c);

	/* Nothing to deduplicate on. */
	email_in(&in, NULL, BODY1, NULL, NULL);
	assert_int_equal(MS_EINVAL, store_container_put(f->st, &in, &id1,
	    &created));
	assert_int_equal(0, id1);
}

/* The "matched" of the newest audit entry, which must be "container
 * seen again" for 'id'. */
static void
assert_joined(struct store *st, int64_t id, const char *how)
{
	json_t	*e = last_audit(st);

	assert_string_equal("container seen again", str(e, "event"));
	assert_int_equal(id, num(e, "container_id"));
	assert_string_equal(how, str(json_object_get(e, "detail"),
	    "matched"));
	json_decref(e);
}

/*
 * The join order of store.h: the dedupe key, else the campaign key, else
 * a thread id that is a container's Message-ID (with or without <>).
 */
static void
container_campaign_thread(void **state)
{
	struct fx	*f = *state;
	struct store_container_in in;
	const char	*reply[] = { "<nobody@else.example>", "<" MID ">" },
			*bare[] = { " other@corp.example " },
			*none[] = { "<>", "", NULL, "unknown@x.example" };
	int64_t		 a, d, id, bad;
	int		 created;
	char		*t, why[128];
	json_t		*c, *e;

	/* Alice forwards it attached: a new container. */
	email_in(&in, MID, BODY1, INPUT1, "alice@corp.example");
	in.campaign_key = HEX("ca");
	a = put(f->st, &in, &created);
	assert_true(created);
	e = last_audit(f->st);
	assert_string_equal("container created", str(e, "event"));
	assert_null(json_object_get(json_object_get(e, "detail"),
	    "matched"));
	json_decref(e);
	assert_int_equal(1, sql_int(f->path, "SELECT count(*) FROM containers"
	    " WHERE campaign_key = '" HEX("ca") "'"));

	/* Bob forwards it inline: no Message-ID, another body and input,
	 * the same campaign key. */
	email_in(&in, NULL, BODY2, INPUT2, "bob@corp.example");
	in.campaign_key = HEX("ca");
	assert_int_equal(a, put(f->st, &in, &created));
	assert_false(created);
	assert_joined(f->st, a, "campaign");
	/* Again: still through the campaign (its own key is not kept). */
	assert_int_equal(a, put(f->st, &in, &created));
	assert_false(created);
	assert_joined(f->st, a, "campaign");
	/* Alice's copy again: the dedupe key. */
	email_in(&in, MID, BODY1, INPUT1, "alice@corp.example");
	in.campaign_key = HEX("cb");
	assert_int_equal(a, put(f->st, &in, &created));
	assert_joined(f->st, a, "dedupe");

	assert_int_equal(MS_OK, store_container_json(f->st, a, &t));
	c = parse(t);
	assert_int_equal(4, num(c, "seen_count"));
	assert_int_equal(2, json_array_size(json_object_get(c, "reporters")));
	json_decref(c);

	/* A reply in its thread (In-Reply-To unknown, References naming
	 * it) joins it; Carol becomes a reporter. */
	email_in(&in, "re1@corp.example", BODY2, INPUT2, "carol@corp.example");
	in.campaign_key = HEX("cc");
	in.thread_ids = reply;
	in.nthread_ids = 2;
	assert_int_equal(a, put(f->st, &in, &created));
	assert_false(created);
	assert_joined(f->st, a, "thread");

	/* Unknown or empty thread ids and another campaign: new. */
	email_in(&in, "other@corp.example", BODY1, INPUT1, NULL);
	in.thread_ids = none;
	in.nthread_ids = 4;
	d = put(f->st, &in, &created);
	assert_true(created);
	assert_int_not_equal(a, d);
	assert_int_equal(1, sql_int(f->path, "SELECT count(*) FROM containers"
	    " WHERE id = 2 AND campaign_key IS NULL"));

	/* The campaign wins over the thread... */
	email_in(&in, "x1@corp.example", BODY1, INPUT1, NULL);
	in.campaign_key = HEX("ca");
	in.thread_ids = bare;
	in.nthread_ids = 1;
	assert_int_equal(a, put(f->st, &in, &created));
	assert_joined(f->st, a, "campaign");
	/* ... and the dedupe key over the campaign; a bare id (blanks
	 * around it) matches too. */
	email_in(&in, "other@corp.example", BODY1, INPUT2, NULL);
	in.campaign_key = HEX("ca");
	assert_int_equal(d, put(f->st, &in, &created));
	assert_joined(f->st, d, "dedupe");
	email_in(&in, "x2@corp.example", BODY1, INPUT1, NULL);
	in.thread_ids = bare;
	in.nthread_ids = 1;
	assert_int_equal(d, put(f->st, &in, &created));
	assert_joined(f->st, d, "thread");

	assert_int_equal(MS_OK, store_container_json(f->st, a, &t));
	c = parse(t);
	assert_int_equal(6, num(c, "seen_count"));
	assert_int_equal(3, json_array_size(json_object_get(c, "reporters")));
	json_decref(c);

	/* A count without the array is refused before anything is
	 * written. */
	email_in(&in, "x3@corp.example", BODY1, INPUT1, NULL);
	in.nthread_ids = 1;
	assert_int_equal(MS_EINVAL, store_container_put(f->st, &in, &id,
	    &created));
	assert_int_equal(2, sql_int(f->path, "SELECT count(*) FROM"
	    " containers"));
	assert_int_equal(MS_OK, store_audit_verify(f->st, &bad, why,
	    sizeof(why)));
}

static void
container_json_shape(void **state)
{
	struct fx	*f = *state;
	struct store_container_in in;
	int64_t		 id1, id2;
	int		 created;
	char		*t;
	json_t		*c, *arr, *e;

	email_in(&in, MID, BODY1, INPUT1, "alice@corp.example");
	id1 = put(f->st, &in, &created);
	email_in(&in, MID, BODY2, INPUT2, NULL);
	in.name = NULL;
	in.severity = "high";
	id2 = put(f->st, &in, &created);

	assert_int_equal(MS_OK, store_container_tag(f->st, id1, "alice",
	    "phishing"));
	assert_int_equal(MS_OK, store_container_tag(f->st, id1, "bob",
	    "phishing"));
	assert_int_equal(MS_OK, store_container_tag(f->st, id1, "bob",
	    "campaign-7"));
	assert_int_equal(MS_OK, store_container_set(f->st, id1, "alice",
	    "status", "open"));
	assert_int_equal(MS_OK, store_container_set(f->st, id1, "alice",
	    "verdict", "malicious"));
	assert_int_equal(MS_OK, store_container_set(f->st, id1, "alice",
	    "owner", "alice"));
	e = last_audit(f->st);
	assert_string_equal("container changed", str(e, "event"));
	assert_string_equal("alice", str(e, "actor"));
	assert_string_equal("owner", str(json_object_get(e, "detail"),
	    "field"));
	assert_true(json_is_null(json_object_get(json_object_get(e, "detail"),
	    "old")));
	json_decref(e);
	assert_int_equal(MS_EINVAL, store_container_set(f->st, id1, "alice",
	    "score", "100"));
	assert_int_equal(MS_EINVAL, store_container_set(f->st, id1, "alice",
	    "severity", "urgent"));
	assert_int_equal(MS_EINVAL, store_container_set(f->st, 999, "alice",
	    "status", "open"));
	assert_int_equal(MS_EINVAL, store_container_tag(f->st, 999, "alice",
	    "x"));
	assert_int_equal(MS_EINVAL, store_container_json(f->st, 999, &t));
	assert_null(t);

	assert_int_equal(MS_OK, store_container_json(f->st, id1, &t));
	c = parse(t);
	assert_keys(c, "id", "name", "label", "severity", "status", "score",
	    "verdict", "tags", "seen_count", "reporters", "source",
	    "message_id", "created", "updated", "data", NULL);
	assert_int_equal(id1, num(c, "id"));
	assert_string_equal("Your mailbox is full", str(c, "name"));
	assert_string_equal("email", str(c, "label"));
	assert_string_equal("medium", str(c, "severity"));
	assert_string_equal("open", str(c, "status"));
	assert_string_equal("malicious", str(c, "verdict"));
	assert_int_equal(0, num(c, "score"));
	assert_string_equal(MID, str(c, "message_id"));
	assert_string_equal("imap://mx/Phish;UID=7", str(c, "source"));
	assert_true(num(c, "created") > 1600000000LL * 1000000);
	assert_true(num(c, "updated") >= num(c, "created"));
	arr = json_object_get(c, "tags");
	assert_int_equal(2, json_array_size(arr));
	assert_string_equal("phishing", json_string_value(json_array_get(arr,
	    0)));
	assert_string_equal("campaign-7", json_string_value(json_array_get(arr,
	    1)));
	assert_true(json_is_object(json_object_get(c, "data")));
	assert_int_equal(1234, num(json_object_get(c, "data"), "size"));
	json_decref(c);

	/* The list: newest first, no data, a limit. */
	assert_int_equal(MS_OK, store_containers_json(f->st, 0, &t));
	arr = parse(t);
	assert_int_equal(2, json_array_size(arr));
	e = json_array_get(arr, 0);
	assert_int_equal(id2, num(e, "id"));
	assert_string_equal("high", str(e, "severity"));
	/* No name: the source stands in. */
	assert_string_equal("imap://mx/Phish;UID=7", str(e, "name"));
	assert_null(json_object_get(e, "data"));
	assert_keys(e, "id", "name", "label", "severity", "status", "score",
	    "verdict", "tags", "seen_count", "reporters", "source",
	    "message_id", "created", "updated", NULL);
	assert_true(json_is_null(json_object_get(e, "verdict")));
	json_decref(arr);
	assert_int_equal(MS_OK, store_containers_json(f->st, 1, &t));
	arr = parse(t);
	assert_int_equal(1, json_array_size(arr));
	json_decref(arr);
}

static void
artifacts_dedupe(void **state)
{
	struct fx	*f = *state;
	struct store_container_in in;
	const char	*arts[] = { URL_ART, URL_ART2 };
	int64_t		 cid, aid, aid2;
	int		 created, added;
	char		*t;
	json_t		*arr, *a, *e;

	email_in(&in, MID, BODY1, INPUT1, NULL);
	in.artifacts_json = arts;
	in.nartifacts = 2;
	cid = put(f->st, &in, &created);
	/* Seen again: the same artifacts are not added twice. */
	put(f->st, &in, &created);

	assert_int_equal(MS_OK, store_artifacts_json(f->st, cid, &t));
	arr = parse(t);
	assert_int_equal(1, json_array_size(arr));
	a = json_array_get(arr, 0);
	assert_keys(a, "id", "name", "label", "cef", "cef_types", "where",
	    "source", NULL);
	aid = num(a, "id");
	assert_string_equal("URL Artifact", str(a, "name"));
	assert_string_equal("url", str(a, "label"));
	assert_string_equal("analysis", str(a, "source"));
	assert_string_equal("body html href", str(a, "where"));
	assert_string_equal("https://login.example.top/a",
	    str(json_object_get(a, "cef"), "requestURL"));
	assert_true(json_is_array(json_object_get(json_object_get(a,
	    "cef_types"), "requestURL")));
	json_decref(arr);

	assert_int_equal(MS_OK, store_artifact_add(f->st, cid, URL_ART2,
	    "playbook", &aid2, &added));
	assert_false(added);
	assert_int_equal(aid, aid2);
	assert_int_equal(MS_OK, store_artifact_add(f->st, cid, IP_ART,
	    "playbook", &aid2, &added));
	assert_true(added);
	assert_true(aid2 > aid);
	e = last_audit(f->st);
	assert_string_equal("artifact added", str(e, "event"));
	assert_string_equal("playbook", str(e, "actor"));
	assert_int_equal(cid, num(e, "container_id"));
	json_decref(e);

	/* Another container may hold an equal artifact. */
	email_in(&in, MID, BODY2, INPUT2, NULL);
	in.artifacts_json = arts;
	in.nartifacts = 1;
	aid2 = put(f->st, &in, &created);
	assert_int_equal(MS_OK, store_artifacts_json(f->st, aid2, &t));
	arr = parse(t);
	assert_int_equal(1, json_array_size(arr));
	json_decref(arr);

	assert_int_equal(MS_OK, store_artifacts_json(f->st, cid, &t));
	arr = parse(t);
	assert_int_equal(2, json_array_size(arr));
	assert_string_equal("playbook", str(json_array_get(arr, 1), "source"));
	json_decref(arr);

	/* No such container. */
	assert_int_equal(MS_EINVAL, store_artifact_add(f->st, 999, IP_ART,
	    "analyst", &aid2, &added));
	assert_int_equal(MS_OK, store_vault_add(f->st, cid, BODY1, 10,
	    "invoice.pdf", "application/pdf"));
	assert_int_equal(MS_OK, store_vault_add(f->st, cid, BODY1, 10,
	    "invoice.pdf", "application/pdf"));
	assert_int_equal(1, sql_int(f->path, "SELECT count(*) FROM"
	    " vault_files"));
	assert_int_equal(MS_EINVAL, store_vault_add(f->st, cid, "abc", 10,
	    NULL, NULL));
}

/* ---- score and notes -------------------------------------------------- */

static void
score_cap(void **state)
{
	struct fx	*f = *state;
	struct store_container_in in;
	int64_t		 cid, nid;
	int		 created, total;
	char		*t;
	json_t		*arr, *r, *c;

	email_in(&in, MID, BODY1, INPUT1, NULL);
	cid = put(f->st, &in, &created);
	assert_int_equal(MS_OK, store_score_add(f->st, cid, 0, 60,
	    "sandbox: malicious", "{\"verdict\":\"malicious\",\"score\":95}"));
	assert_int_equal(MS_OK, store_score_json(f->st, cid, &t, &total));
	assert_int_equal(60, total);
	xfree(t);
	assert_int_equal(MS_OK, store_score_add(f->st, cid, 0, 70,
	    "url on a blocklist", NULL));
	assert_int_equal(MS_OK, store_score_json(f->st, cid, &t, &total));
	assert_int_equal(100, total);
	arr = parse(t);
	assert_int_equal(2, json_array_size(arr));
	r = json_array_get(arr, 0);
	assert_keys(r, "points", "reason", "evidence", "run_id", "created",
	    NULL);
	assert_int_equal(60, num(r, "points"));
	assert_string_equal("sandbox: malicious", str(r, "reason"));
	assert_int_equal(95, num(json_object_get(r, "evidence"), "score"));
	assert_true(json_is_null(json_object_get(r, "run_id")));
	assert_true(json_is_null(json_object_get(json_array_get(arr, 1),
	    "evidence")));
	json_decref(arr);

	assert_int_equal(MS_OK, store_container_json(f->st, cid, &t));
	c = parse(t);
	assert_int_equal(100, num(c, "score"));
	json_decref(c);
	r = last_audit(f->st);
	assert_string_equal("score added", str(r, "event"));
	assert_int_equal(100, num(json_object_get(r, "detail"), "score"));
	json_decref(r);

	/* Never below zero. */
	assert_int_equal(MS_OK, store_score_add(f->st, cid, 0, -500,
	    "analyst: false positive", NULL));
	assert_int_equal(MS_OK, store_score_json(f->st, cid, &t, &total));
	assert_int_equal(0, total);
	xfree(t);

	assert_int_equal(MS_EINVAL, store_score_add(f->st, 999, 0, 1, "x",
	    NULL));
	assert_int_equal(MS_EINVAL, store_score_json(f->st, 999, &t, &total));

	assert_int_equal(MS_OK, store_note_add(f->st, cid, 0, "alice",
	    "Triage", "Looks like *credential phishing*.", &nid));
	assert_true(nid > 0);
	assert_int_equal(MS_OK, store_notes_json(f->st, cid, &t));
	arr = parse(t);
	assert_int_equal(1, json_array_size(arr));
	r = json_array_get(arr, 0);
	assert_keys(r, "id", "container_id", "run_id", "author", "title",
	    "markdown", "created", NULL);
	assert_string_equal("Looks like *credential phishing*.",
	    str(r, "markdown"));
	json_decref(arr);
}

/* ---- prompts ----------------------------------------------------------- */

static void
prompts(void **state)
{
	struct fx	*f = *state;
	int64_t		 p1, p2, p3, p4, far = store__now() + 3600000000LL;
	char		 err[256], *st, *ans, *who, *t;
	json_t		*arr, *p;

	assert_int_equal(MS_OK, store_prompt_add(f->st, 0, 0,
	    "Block 203.0.113.9?", "[\"yes\",\"no\"]", "no", far, &p1));
	assert_int_equal(MS_EINVAL, store_prompt_answer(f->st, p1, "maybe",
	    "alice", err, sizeof(err)));
	assert_non_null(strstr(err, "not one of"));
	assert_int_equal(MS_OK, store_prompt_answer(f->st, p1, "yes",
	    "alice", err, sizeof(err)));
	assert_int_equal(MS_EINVAL, store_prompt_answer(f->st, p1, "no",
	    "bob", err, sizeof(err)));
	assert_non_null(strstr(err, "already answered"));
	assert_int_equal(MS_OK, store_prompt_get(f->st, p1, &st, &ans, &who));
	assert_string_equal("answered", st);
	assert_string_equal("yes", ans);
	assert_string_equal("alice", who);
	xfree(st);
	xfree(ans);
	xfree(who);
	assert_int_equal(MS_EINVAL, store_prompt_answer(f->st, 999, "yes",
	    "alice", err, sizeof(err)));
	assert_non_null(strstr(err, "no prompt"));

	/* Due at 5,000 us after the epoch: long past. */
	assert_int_equal(MS_OK, store_prompt_add(f->st, 0, 0, "Delete?",
	    "[\"yes\",\"no\"]", "no", 5000, &p2));
	assert_int_equal(MS_EINVAL, store_prompt_answer(f->st, p2, "yes",
	    "alice", err, sizeof(err)));
	assert_non_null(strstr(err, "expired"));
	assert_int_equal(MS_OK, store_prompt_add(f->st, 0, 0, "Quarantine?",
	    "[\"yes\",\"no\"]", "yes", far, &p3));
	assert_int_equal(MS_OK, store_prompt_add(f->st, 0, 0, "Never?",
	    "[\"ok\"]", NULL, 0, &p4));
	assert_int_equal(MS_OK, store_prompts_expire(f->st, 10000));
	assert_int_equal(MS_OK, store_prompt_get(f->st, p2, &st, &ans, &who));
	assert_string_equal("expired", st);
	assert_string_equal("no", ans);
	assert_string_equal("timeout", who);
	xfree(st);
	xfree(ans);
	xfree(who);
	p = last_audit(f->st);
	assert_string_equal("prompt expired", str(p, "event"));
	assert_string_equal("timeout", str(p, "actor"));
	json_decref(p);
	assert_int_equal(MS_EINVAL, store_prompt_answer(f->st, p2, "yes",
	    "alice", err, sizeof(err)));
	assert_non_null(strstr(err, "already expired"));
	assert_int_equal(MS_OK, store_prompt_get(f->st, p3, &st, &ans, &who));
	assert_string_equal("pending", st);
	assert_null(ans);
	assert_null(who);
	xfree(st);

	assert_int_equal(MS_OK, store_prompts_json(f->st, 1, &t));
	arr = parse(t);
	assert_int_equal(2, json_array_size(arr));
	p = json_array_get(arr, 0);
	assert_keys(p, "id", "run_id", "container_id", "message", "choices",
	    "default", "expires", "status", "answer", "answered_by", NULL);
	assert_int_equal(p3, num(p, "id"));
	assert_int_equal(far, num(p, "expires"));
	assert_true(json_is_array(json_object_get(p, "choices")));
	assert_true(json_is_null(json_object_get(json_array_get(arr, 1),
	    "expires")));
	json_decref(arr);
	assert_int_equal(MS_OK, store_prompts_json(f->st, 0, &t));
	arr = parse(t);
	assert_int_equal(4, json_array_size(arr));
	json_decref(arr);

	/* Bad prompts. */
	assert_int_equal(MS_EINVAL, store_prompt_add(f->st, 0, 0, "?",
	    "[\"yes\",\"no\"]", "maybe", 0, &p4));
	assert_int_equal(MS_EINVAL, store_prompt_add(f->st, 0, 0, "?",
	    "{\"yes\":1}", NULL, 0, &p4));
	assert_int_equal(MS_EINVAL, store_prompt_add(f->st, 0, 0, "?",
	    "[\"yes\",1]", NULL, 0, &p4));
	assert_int_equal(MS_EINVAL, store_prompt_add(f->st, 0, 0, "?",
	    "[]", NULL, 0, &p4));
}

/* ---- lists and cache --------------------------------------------------- */

static void
lists(void **state)
{
	struct fx	*f = *state;
	char		*t;
	json_t		*arr;

	assert_int_equal(MS_OK, store_list_add(f->st, "vip", "ceo@corp",
	    "alice"));
	assert_int_equal(MS_OK, store_list_add(f->st, "vip", "cfo@corp",
	    "alice"));
	assert_int_equal(MS_OK, store_list_add(f->st, "vip", "ceo@corp",
	    "alice"));
	assert_int_equal(MS_OK, store_list_add(f->st, "allow", "ceo@corp",
	    "alice"));
	assert_int_equal(1, store_list_contains(f->st, "vip", "ceo@corp"));
	assert_int_equal(0, store_list_contains(f->st, "vip", "cto@corp"));
	assert_int_equal(MS_OK, store_list_json(f->st, "vip", &t));
	arr = parse(t);
	assert_int_equal(2, json_array_size(arr));
	assert_string_equal("ceo@corp", json_string_value(json_array_get(arr,
	    0)));
	json_decref(arr);

	assert_int_equal(MS_OK, store_list_remove(f->st, "vip", "ceo@corp",
	    "bob"));
	assert_int_equal(MS_OK, store_list_remove(f->st, "vip", "ceo@corp",
	    "bob"));
	assert_int_equal(0, store_list_contains(f->st, "vip", "ceo@corp"));
	assert_int_equal(1, store_list_contains(f->st, "allow", "ceo@corp"));
	assert_int_equal(MS_OK, store_list_add(f->st, "vip", "ceo@corp",
	    "bob"));
	assert_int_equal(MS_OK, store_list_json(f->st, "vip", &t));
	arr = parse(t);
	assert_int_equal(2, json_array_size(arr));
	assert_string_equal("cfo@corp", json_string_value(json_array_get(arr,
	    0)));
	assert_string_equal("ceo@corp", json_string_value(json_array_get(arr,
	    1)));
	json_decref(arr);
	assert_int_equal(MS_OK, store_list_json(f->st, "none", &t));
	assert_string_equal("[]", t);
	xfree(t);
	/* Changes only: 3 adds to vip, 1 to allow, 1 remove, 1 re-add. */
	assert_int_equal(5, sql_int(f->path, "SELECT count(*) FROM audit_log"
	    " WHERE event = 'list changed'"));
}

static void
cache(void **state)
{
	struct fx	*f = *state;
	char		*t;

	assert_int_equal(MS_OK, store_cache_put(f->st, "k1", RESULT, 1000));
	assert_int_equal(MS_OK, store_cache_get(f->st, "k1", 999, &t));
	assert_string_equal(RESULT, t);
	xfree(t);
	assert_int_equal(MS_EAGAIN, store_cache_get(f->st, "k1", 1000, &t));
	assert_null(t);
	assert_int_equal(MS_EAGAIN, store_cache_get(f->st, "k2", 0, &t));
	/* Replaced with a later expiry. */
	assert_int_equal(MS_OK, store_cache_put(f->st, "k1", "{}", 5000));
	assert_int_equal(MS_OK, store_cache_get(f->st, "k1", 1000, &t));
	assert_string_equal("{}", t);
	xfree(t);
	assert_int_equal(MS_EINVAL, store_cache_put(f->st, "k3", "{", 5000));
	assert_int_equal(MS_OK, store_cache_purge(f->st, 4999));
	assert_int_equal(1, sql_int(f->path, "SELECT count(*) FROM cache"));
	assert_int_equal(MS_OK, store_cache_purge(f->st, 5000));
	assert_int_equal(0, sql_int(f->path, "SELECT count(*) FROM cache"));
}

/* ---- runs ------------------------------------------------------------ */

static void
arun(struct store_action_run *r, int64_t run_id, int64_t cid,
    const char *action)
{
	memset(r, 0, sizeof(*r));
	r->run_id = run_id;
	r->container_id = cid;
	r->action = action;
	r->app = "geoip";
	r->asset = "maxmind";
	r->params_json = "{\"ip\":\"203.0.113.9\"}";
	r->status = "success";
	r->message = "1 country";
	r->result_json = RESULT;
	r->attempts = 1;
	r->started = 1000000;
	r->finished = 1250000;
}

static void
runs(void **state)
{
	struct fx	*f = *state;
	struct store_container_in in;
	struct store_action_run r;
	int64_t		 cid, run, a1, a2, p, n;
	int		 created;
	char		*t, sha[STORE_HEX], err[128];
	json_t		*o, *arr, *a, *e, *d;

	email_in(&in, MID, BODY1, INPUT1, NULL);
	cid = put(f->st, &in, &created);
	assert_int_equal(MS_OK, store_run_start(f->st, cid, "email_triage",
	    &run));
	arun(&r, run, cid, "geolocate ip");
	r.approved_by = "alice";
	assert_int_equal(MS_OK, store_action_run_add(f->st, &r, &a1));
	e = last_audit(f->st);
	assert_string_equal("action run", str(e, "event"));
	d = json_object_get(e, "detail");
	assert_string_equal("geolocate ip", str(d, "action"));
	assert_string_equal("geoip", str(d, "app"));
	assert_string_equal("maxmind", str(d, "asset"));
	assert_string_equal("success", str(d, "status"));
	assert_string_equal("alice", str(d, "approved_by"));
	assert_string_equal("203.0.113.9", str(json_object_get(d, "params"),
	    "ip"));
	store__sha256(RESULT, strlen(RESULT), sha);
	assert_string_equal(sha, str(d, "result_sha256"));
	json_decref(e);
	arun(&r, run, cid, "whois ip");
	r.cached = 1;
	r.result_json = NULL;
	r.started = 500000;	/* started earlier: listed first */
	assert_int_equal(MS_OK, store_action_run_add(f->st, &r, &a2));
	assert_int_equal(MS_OK, store_score_add(f->st, cid, run, 40,
	    "country of concern", NULL));
	assert_int_equal(MS_OK, store_note_add(f->st, cid, run, "playbook",
	    "geo", "FR", &n));
	assert_int_equal(MS_OK, store_prompt_add(f->st, run, cid, "Block?",
	    "[\"yes\",\"no\"]", "no", 0, &p));
	assert_int_equal(MS_OK, store_prompt_answer(f->st, p, "yes", "alice",
	    err, sizeof(err)));
	assert_int_equal(MS_OK, store_run_finish(f->st, run, "success",
	    "done", NULL));
	assert_int_equal(MS_EINVAL, store_run_finish(f->st, run, "failed",
	    "again", NULL));
	assert_int_equal(MS_EINVAL, store_run_finish(f->st, run, "great",
	    NULL, NULL));

	assert_int_equal(MS_OK, store_run_json(f->st, run, &t));
	o = parse(t);
	assert_keys(o, "id", "container_id", "playbook", "status", "message",
	    "traceback", "started", "finished", "action_runs", "events", NULL);
	assert_int_equal(run, num(o, "id"));
	assert_int_equal(cid, num(o, "container_id"));
	assert_string_equal("success", str(o, "status"));
	assert_true(json_is_null(json_object_get(o, "traceback")));
	assert_true(num(o, "finished") >= num(o, "started"));
	arr = json_object_get(o, "action_runs");
	assert_int_equal(2, json_array_size(arr));
	a = json_array_get(arr, 0);
	assert_int_equal(a2, num(a, "id"));
	assert_true(json_is_true(json_object_get(a, "cached")));
	assert_int_equal(0, json_array_size(json_object_get(a, "data")));
	a = json_array_get(arr, 1);
	assert_keys(a, "id", "run_id", "container_id", "action", "app",
	    "asset", "parameter", "status", "message", "data", "summary",
	    "result_sha256", "cached", "attempts", "started", "finished",
	    "duration_ms", "approved_by", NULL);
	assert_int_equal(a1, num(a, "id"));
	assert_string_equal("geolocate ip", str(a, "action"));
	assert_string_equal("203.0.113.9", str(json_object_get(a,
	    "parameter"), "ip"));
	assert_string_equal("FR", str(json_array_get(json_object_get(a,
	    "data"), 0), "country"));
	assert_int_equal(80, num(json_object_get(a, "summary"), "score"));
	assert_true(json_is_false(json_object_get(a, "cached")));
	assert_int_equal(250, num(a, "duration_ms"));
	assert_string_equal("alice", str(a, "approved_by"));
	arr = json_object_get(o, "events");
	assert_int_equal(3, json_array_size(arr));
	assert_string_equal("score", str(json_array_get(arr, 0), "type"));
	assert_string_equal("note", str(json_array_get(arr, 1), "type"));
	assert_string_equal("prompt", str(json_array_get(arr, 2), "type"));
	assert_string_equal("yes", str(json_array_get(arr, 2), "answer"));
	assert_true(num(json_array_get(arr, 0), "time") <=
	    num(json_array_get(arr, 2), "time"));
	json_decref(o);

	assert_int_equal(MS_OK, store_runs_json(f->st, cid, &t));
	arr = parse(t);
	assert_int_equal(1, json_array_size(arr));
	assert_int_equal(run, num(json_array_get(arr, 0), "id"));
	json_decref(arr);
	assert_int_equal(MS_EINVAL, store_run_json(f->st, 999, &t));

	/* Ad hoc: no run, no container. */
	arun(&r, 0, 0, "lookup domain");
	r.asset = NULL;
	r.status = "skipped";
	assert_int_equal(MS_OK, store_action_run_add(f->st, &r, &a1));
	/* A run that does not exist. */
	arun(&r, 999, 0, "lookup domain");
	assert_int_equal(MS_EINVAL, store_action_run_add(f->st, &r, &a1));
	assert_int_equal(0, a1);
	arun(&r, 0, 0, "lookup domain");
	r.status = "ok";
	assert_int_equal(MS_EINVAL, store_action_run_add(f->st, &r, &a1));
}

/* ---- audit chain ----------------------------------------------------- */

/* Some audited history: entries 1 .. 6. */
static void
history(struct store *st)
{
	struct store_container_in in;
	int64_t		 cid;
	int		 created;

	email_in(&in, MID, BODY1, INPUT1, NULL);
	cid = put(st, &in, &created);				/* 1 */
	assert_int_equal(MS_OK, store_container_tag(st, cid, "alice",
	    "phishing"));					/* 2 */
	assert_int_equal(MS_OK, store_score_add(st, cid, 0, 10, "r",
	    NULL));						/* 3 */
	assert_int_equal(MS_OK, store_list_add(st, "vip", "x", "bob")); /* 4 */
	assert_int_equal(MS_OK, store_audit(st, "admin", "setting changed",
	    0, "{\"key\":\"retention\",\"value\":30}"));	/* 5 */
	assert_int_equal(MS_OK, store_note_add(st, cid, 0, "alice", "t",
	    "m", &cid));					/* 6 */
}

/* The hash of entry 1 recomputed from the layout in the docs. */
static void
audit_layout(void **state)
{
	struct fx	*f = *state;
	GChecksum	*c = g_checksum_new(G_CHECKSUM_SHA256);
	GString		*m = g_string_new(NULL);
	json_t		*arr, *e;
	const char	*fields[7];
	char		*t, buf[32];
	size_t		 i;

	history(f->st);
	assert_int_equal(MS_OK, store_audit_json(f->st, 0, &t));
	arr = parse(t);
	assert_int_equal(6, json_array_size(arr));
	e = json_array_get(arr, 4);
	assert_string_equal("setting changed", str(e, "event"));
	assert_true(json_is_null(json_object_get(e, "container_id")));
	assert_int_equal(30, num(json_object_get(e, "detail"), "value"));
	e = json_array_get(arr, 0);
	assert_keys(e, "id", "ts", "actor", "event", "container_id", "detail",
	    "prev_hash", "hash", NULL);
	assert_string_equal("0000000000000000000000000000000000000000000000"
	    "000000000000000000", str(e, "prev_hash"));
	assert_string_equal(str(e, "hash"), str(json_array_get(arr, 1),
	    "prev_hash"));

	fields[0] = str(e, "prev_hash");
	fields[1] = "1";
	snprintf(buf, sizeof(buf), "%lld", (long long)num(e, "ts"));
	fields[2] = buf;
	fields[3] = str(e, "actor");
	fields[4] = str(e, "event");
	fields[5] = NULL;	/* container id, below */
	t = store__json_canon(json_object_get(e, "detail"));
	fields[6] = t;
	for (i = 0; i < 7; i++) {
		if (i == 5)
			g_string_append(m, "1:1,");
		else
			g_string_append_printf(m, "%zu:%s,", strlen(fields[i]),
			    fields[i]);
	}
	g_checksum_update(c, (const guchar *)m->str, (gssize)m->len);
	assert_string_equal(g_checksum_get_string(c), str(e, "hash"));
	xfree(t);
	g_string_free(m, TRUE);
	g_checksum_free(c);
	json_decref(arr);

	/* The newest 2, oldest first. */
	assert_int_equal(MS_OK, store_audit_json(f->st, 2, &t));
	arr = parse(t);
	assert_int_equal(2, json_array_size(arr));
	assert_int_equal(5, num(json_array_get(arr, 0), "id"));
	assert_int_equal(6, num(json_array_get(arr, 1), "id"));
	json_decref(arr);
}

static void
drop_guards(const char *path)
{
	assert_int_equal(SQLITE_OK, sql_exec(path,
	    "DROP TRIGGER audit_log_no_update;"
	    "DROP TRIGGER audit_log_no_delete"));
}

static void
audit_tamper_update(void **state)
{
	struct fx	*f = *state;
	int64_t		 bad;
	char		 why[256];

	history(f->st);
	assert_int_equal(MS_OK, store_audit_verify(f->st, &bad, why,
	    sizeof(why)));
	assert_int_equal(0, bad);
	/* The triggers refuse casual edits... */
	assert_int_not_equal(SQLITE_OK, sql_exec(f->path,
	    "UPDATE audit_log SET actor = 'mallory' WHERE id = 2"));
	assert_int_not_equal(SQLITE_OK, sql_exec(f->path,
	    "DELETE FROM audit_log WHERE id = 2"));
	/* ... the chain catches the rest. */
	drop_guards(f->path);
	assert_int_equal(SQLITE_OK, sql_exec(f->path, "UPDATE audit_log SET"
	    " detail = '{\"key\":\"retention\",\"value\":3650}' WHERE id = 5"));
	assert_int_equal(MS_EPARSE, store_audit_verify(f->st, &bad, why,
	    sizeof(why)));
	assert_int_equal(5, bad);
	assert_non_null(strstr(why, "changed"));
}

static void
audit_tamper_delete(void **state)
{
	struct fx	*f = *state;
	int64_t		 bad;
	char		 why[256];

	history(f->st);
	drop_guards(f->path);
	assert_int_equal(SQLITE_OK, sql_exec(f->path,
	    "DELETE FROM audit_log WHERE id = 3"));
	assert_int_equal(MS_EPARSE, store_audit_verify(f->st, &bad, why,
	    sizeof(why)));
	assert_int_equal(4, bad);
	assert_non_null(strstr(why, "link"));
}

static void
audit_tamper_first_and_order(void **state)
{
	struct fx	*f = *state;
	int64_t		 bad;
	char		 why[256];

	history(f->st);
	drop_guards(f->path);
	/* Swap entries 2 and 3 (ids and all). */
	assert_int_equal(SQLITE_OK, sql_exec(f->path,
	    "UPDATE audit_log SET id = 100 WHERE id = 2;"
	    "UPDATE audit_log SET id = 2 WHERE id = 3;"
	    "UPDATE audit_log SET id = 3 WHERE id = 100"));
	assert_int_equal(MS_EPARSE, store_audit_verify(f->st, &bad, why,
	    sizeof(why)));
	assert_int_equal(2, bad);
	/* Without the first entry, the new first one is named. */
	assert_int_equal(SQLITE_OK, sql_exec(f->path,
	    "DELETE FROM audit_log WHERE id = 1"));
	assert_int_equal(MS_EPARSE, store_audit_verify(f->st, &bad, why,
	    sizeof(why)));
	assert_int_equal(2, bad);
}

/* ---- ingestion ----------------------------------------------------- */

static void
cursors(void **state)
{
	struct fx	*f = *state;
	struct store_container_in in;
	uint32_t	 uv, last;
	int64_t		 cid, n, bad;
	int		 created;
	char		*t, why[128];
	json_t		*arr, *e;

	assert_int_equal(MS_EAGAIN, store_cursor_get(f->st, "corp/INBOX",
	    &uv, &last));
	assert_int_equal(MS_EINVAL, store_cursor_get(f->st, "", &uv, &last));
	assert_int_equal(MS_EINVAL, store_cursor_set(f->st, NULL, 1, 1));
	assert_int_equal(MS_OK, store_cursor_set(f->st, "corp/INBOX", 7, 10));
	assert_int_equal(MS_OK, store_cursor_set(f->st, "corp/INBOX", 7, 20));
	assert_int_equal(MS_OK, store_cursor_get(f->st, "corp/INBOX", &uv,
	    &last));
	assert_int_equal(7, uv);
	assert_int_equal(20, last);
	/* The largest values IMAP allows come back whole. */
	assert_int_equal(MS_OK, store_cursor_set(f->st, "corp/Junk",
	    UINT32_MAX, UINT32_MAX));
	assert_int_equal(MS_OK, store_cursor_get(f->st, "corp/Junk", &uv,
	    &last));
	assert_int_equal(UINT32_MAX, uv);
	assert_int_equal(UINT32_MAX, last);
	/* Moving a cursor is not audited ... */
	assert_int_equal(0, sql_int(f->path, "SELECT count(*) FROM"
	    " audit_log"));
	/* ... a new UIDVALIDITY is. */
	assert_int_equal(MS_OK, store_cursor_set(f->st, "corp/INBOX", 8, 0));
	e = last_audit(f->st);
	assert_string_equal("mailbox uidvalidity changed", str(e, "event"));
	assert_string_equal("corp/INBOX", str(json_object_get(e, "detail"),
	    "mailbox"));
	assert_int_equal(7, num(json_object_get(e, "detail"),
	    "old_uidvalidity"));
	assert_int_equal(20, num(json_object_get(e, "detail"),
	    "old_last_uid"));
	assert_int_equal(8, num(json_object_get(e, "detail"), "uidvalidity"));
	json_decref(e);

	assert_int_equal(MS_OK, store_cursors_json(f->st, &t));
	arr = parse(t);
	assert_int_equal(2, json_array_size(arr));
	e = json_array_get(arr, 0);
	assert_keys(e, "mailbox", "uidvalidity", "last_uid", "updated", NULL);
	assert_string_equal("corp/INBOX", str(e, "mailbox"));
	assert_int_equal(8, num(e, "uidvalidity"));
	assert_int_equal(0, num(e, "last_uid"));
	assert_true(num(e, "updated") > 0);
	assert_int_equal(UINT32_MAX, num(json_array_get(arr, 1), "last_uid"));
	json_decref(arr);

	/* Set in the transaction that stored the containers: rolled back
	 * with them. */
	assert_int_equal(MS_OK, store_begin(f->st));
	email_in(&in, MID, BODY1, INPUT1, NULL);
	cid = put(f->st, &in, &created);
	assert_int_equal(MS_OK, store_cursor_set(f->st, "corp/INBOX", 8, 1));
	assert_int_equal(MS_OK, store_ingested_add(f->st, "corp/INBOX", "k1",
	    cid));
	assert_int_equal(MS_OK, store_rollback(f->st));
	assert_int_equal(MS_OK, store_cursor_get(f->st, "corp/INBOX", &uv,
	    &last));
	assert_int_equal(0, last);
	assert_int_equal(0, store_ingested(f->st, "corp/INBOX", "k1"));
	n = sql_int(f->path, "SELECT count(*) FROM containers");
	assert_int_equal(0, n);
	assert_int_equal(MS_OK, store_audit_verify(f->st, &bad, why,
	    sizeof(why)));
}

static void
ingested(void **state)
{
	struct fx	*f = *state;
	struct store_container_in in;
	int64_t		 cid;
	int		 created;

	email_in(&in, MID, BODY1, INPUT1, NULL);
	cid = put(f->st, &in, &created);
	assert_int_equal(0, store_ingested(f->st, "corp/INBOX", "k1"));
	assert_int_equal(MS_OK, store_ingested_add(f->st, "corp/INBOX", "k1",
	    cid));
	assert_int_equal(1, store_ingested(f->st, "corp/INBOX", "k1"));
	/* Per mailbox. */
	assert_int_equal(0, store_ingested(f->st, "corp/Junk", "k1"));
	assert_int_equal(0, store_ingested(f->st, "corp/INBOX", "k2"));
	/* Again: no change, no error. */
	assert_int_equal(MS_OK, store_ingested_add(f->st, "corp/INBOX", "k1",
	    cid));
	/* Not stored (unreadable): remembered without a container. */
	assert_int_equal(MS_OK, store_ingested_add(f->st, "corp/INBOX", "k2",
	    0));
	assert_int_equal(1, store_ingested(f->st, "corp/INBOX", "k2"));
	assert_int_equal(1, sql_int(f->path, "SELECT count(*) FROM ingested"
	    " WHERE container_id IS NULL"));
	assert_int_equal(2, sql_int(f->path, "SELECT count(*) FROM"
	    " ingested"));
	/* An unknown container, no key, no mailbox. */
	assert_int_equal(MS_EINVAL, store_ingested_add(f->st, "corp/INBOX",
	    "k3", 999));
	assert_int_equal(MS_EINVAL, store_ingested_add(f->st, "corp/INBOX",
	    "", cid));
	assert_int_equal(MS_EINVAL, store_ingested_add(f->st, NULL, "k4",
	    cid));
	assert_int_equal(0, store_ingested(f->st, NULL, "k1"));
	assert_int_equal(2, sql_int(f->path, "SELECT count(*) FROM"
	    " ingested"));
	/* Not audited: the container's entry covers it. */
	assert_int_equal(1, sql_int(f->path, "SELECT count(*) FROM"
	    " audit_log"));
}

/* ---- batches ------------------------------------------------------- */

static void
batch(void **state)
{
	struct fx	*f = *state;
	struct store_action_run r;
	const char	*env = getenv("MS_STORE_BATCH_N");
	int64_t		 run, id, t0, t1, i, n = 10000;
	char		 why[128];

	if (env != NULL && strtol(env, NULL, 10) > 0)
		n = strtol(env, NULL, 10);
	assert_int_equal(MS_OK, store_run_start(f->st, 0, "bulk", &run));
	t0 = store__now();
	assert_int_equal(MS_OK, store_begin(f->st));
	assert_int_equal(MS_EINVAL, store_begin(f->st));
	for (i = 0; i < n; i++) {
		arun(&r, run, 0, "geolocate ip");
		assert_int_equal(MS_OK, store_action_run_add(f->st, &r, &id));
		if (i == n / 2) {
			/* A failing call leaves the batch intact. */
			r.run_id = 424242;
			assert_int_equal(MS_EINVAL,
			    store_action_run_add(f->st, &r, &id));
		}
	}
	assert_int_equal(MS_OK, store_commit(f->st));
	t1 = store__now();
	printf("store: %lld action runs in one transaction: %.3f s, "
	    "%.0f/s\n", (long long)n, (double)(t1 - t0) / 1e6,
	    (double)n * 1e6 / (double)(t1 - t0 > 0 ? t1 - t0 : 1));
	assert_int_equal(n, sql_int(f->path, "SELECT count(*) FROM"
	    " action_runs"));
	assert_int_equal(n, sql_int(f->path, "SELECT count(*) FROM audit_log"
	    " WHERE event = 'action run'"));

	/* Rolled back: nothing of it stays. */
	assert_int_equal(MS_OK, store_begin(f->st));
	for (i = 0; i < 10; i++) {
		arun(&r, run, 0, "whois ip");
		assert_int_equal(MS_OK, store_action_run_add(f->st, &r, &id));
	}
	assert_int_equal(MS_OK, store_rollback(f->st));
	assert_int_equal(MS_EINVAL, store_commit(f->st));
	assert_int_equal(n, sql_int(f->path, "SELECT count(*) FROM"
	    " action_runs"));
	assert_int_equal(MS_OK, store_audit_verify(f->st, &id, why,
	    sizeof(why)));
}

/*
 * Each call is atomic, alone and inside a batch: a trigger (added through
 * raw SQL) makes the audit append of "container tagged" fail after the
 * tag row was written; the tag must go with it, and the batch must keep
 * what came before and after.
 */
static void
atomic_calls(void **state)
{
	struct fx	*f = *state;
	struct store_container_in in;
	int64_t		 cid, nid;
	int		 created;

	email_in(&in, MID, BODY1, INPUT1, NULL);
	cid = put(f->st, &in, &created);
	assert_int_equal(SQLITE_OK, sql_exec(f->path,
	    "CREATE TRIGGER t_fail BEFORE INSERT ON audit_log"
	    " WHEN NEW.event = 'container tagged'"
	    " BEGIN SELECT RAISE(ABORT, 'injected'); END"));
	/* The connection prepared its statements before the trigger:
	 * SQLite re-prepares them when the schema changes. */
	assert_int_not_equal(MS_OK, store_container_tag(f->st, cid, "alice",
	    "phishing"));
	assert_int_equal(0, sql_int(f->path, "SELECT count(*) FROM tags"));

	assert_int_equal(MS_OK, store_begin(f->st));
	assert_int_equal(MS_OK, store_note_add(f->st, cid, 0, "alice", "a",
	    "before", &nid));
	assert_int_not_equal(MS_OK, store_container_tag(f->st, cid, "alice",
	    "phishing"));
	assert_int_equal(MS_OK, store_note_add(f->st, cid, 0, "alice", "b",
	    "after", &nid));
	assert_int_equal(MS_OK, store_commit(f->st));
	assert_int_equal(0, sql_int(f->path, "SELECT count(*) FROM tags"));
	assert_int_equal(2, sql_int(f->path, "SELECT count(*) FROM notes"));
	assert_int_equal(MS_OK, store_audit_verify(f->st, &nid, NULL, 0));
}

/* ---- bad input ------------------------------------------------------- */

static void
bad_json(void **state)
{
	struct fx	*f = *state;
	struct store_container_in in;
	struct store_action_run r;
	const char	*arts[] = { URL_ART, "[1,2]" };
	int64_t		 id;
	int		 created, added;

	email_in(&in, MID, BODY1, INPUT1, NULL);
	in.data_json = "{\"unterminated\":";
	assert_int_equal(MS_EINVAL, store_container_put(f->st, &in, &id,
	    &created));
	in.data_json = "[]";
	assert_int_equal(MS_EINVAL, store_container_put(f->st, &in, &id,
	    &created));
	in.data_json = NULL;
	in.artifacts_json = arts;
	in.nartifacts = 2;
	assert_int_equal(MS_EINVAL, store_container_put(f->st, &in, &id,
	    &created));
	/* Nothing of the refused container was stored. */
	assert_int_equal(0, sql_int(f->path, "SELECT count(*) FROM"
	    " containers"));
	assert_int_equal(0, sql_int(f->path, "SELECT count(*) FROM"
	    " audit_log"));

	in.nartifacts = 1;
	id = put(f->st, &in, &created);
	assert_int_equal(MS_EINVAL, store_artifact_add(f->st, id,
	    "{\"cef\":\"not an object\"}", "analyst", &id, &added));
	assert_int_equal(MS_EINVAL, store_artifact_add(f->st, 1, "nope",
	    "analyst", &id, &added));
	assert_int_equal(MS_EINVAL, store_score_add(f->st, 1, 0, 5, "r",
	    "{bad"));
	assert_int_equal(MS_EINVAL, store_audit(f->st, "a", "e", 0, "[1]"));
	assert_int_equal(MS_EINVAL, store_audit(f->st, "a", "e", 0, "{"));
	arun(&r, 0, 0, "geolocate ip");
	r.params_json = "not json";
	assert_int_equal(MS_EINVAL, store_action_run_add(f->st, &r, &id));
	arun(&r, 0, 0, "geolocate ip");
	r.result_json = "[\"a list\"]";
	assert_int_equal(MS_EINVAL, store_action_run_add(f->st, &r, &id));
	/* Duplicate keys are ambiguous: refused. */
	assert_int_equal(MS_EINVAL, store_cache_put(f->st, "k",
	    "{\"a\":1,\"a\":2}", 10));
	assert_int_equal(0, sql_int(f->path, "SELECT count(*) FROM"
	    " action_runs"));
}

/* ---- sender history ----------------------------------------------- */

/*
 * A store a version-4 build wrote (the intel tables, no senders) gains
 * version 5: its container stays and its sender can be recorded.
 */
static void
migrate_from_v4(void **state)
{
	struct fx	*f = *state;
	sqlite3		*db;
	char		 err[256], *path;
	int		 an, dn;

	path = g_build_filename(f->dir, "v4.db", NULL);
	assert_int_equal(SQLITE_OK, sqlite3_open(path, &db));
	assert_int_equal(MS_OK, store__migrate(db, 4, err, sizeof(err)));
	assert_int_equal(SQLITE_OK, sqlite3_exec(db,
	    "INSERT INTO containers (dedupe_key, name, label, severity,"
	    " data, created, updated) VALUES ('k', 'old one', 'email', 'low',"
	    " '{}', 1, 1)", NULL, NULL, NULL));
	sqlite3_close(db);
	assert_int_equal(4, sql_int(path, "PRAGMA user_version"));
	assert_int_equal(0, sql_int(path, "SELECT count(*) FROM sqlite_master"
	    " WHERE name = 'senders'"));

	store_close(f->st);
	assert_int_equal(MS_OK, store_open(path, &f->st, err, sizeof(err)));
	assert_int_equal(5, store_schema_version(f->st));
	assert_int_equal(store__schema_latest(), store_schema_version(f->st));
	assert_int_equal(MS_OK, store_sender_seen(f->st, "a@old.example",
	    "old.example", 1, &an, &dn));
	assert_true(an);
	assert_true(dn);
	assert_int_equal(1, sql_int(path, "SELECT count FROM senders"
	    " WHERE address = 'a@old.example' AND last_container = 1"));
	g_free(path);
}

/* New address, new domain, then each seen again; bad arguments and an
 * unknown container are refused; a rolled-back batch records nothing. */
static void
sender_history(void **state)
{
	struct fx	*f = *state;
	struct store_container_in in;
	int64_t		 c1, c2;
	int		 created, an = -1, dn = -1;

	email_in(&in, MID, BODY1, INPUT1, "bob@corp.example");
	c1 = put(f->st, &in, &created);
	email_in(&in, "other@phish.example", BODY2, INPUT2,
	    "bob@corp.example");
	c2 = put(f->st, &in, &created);
	assert_true(created);

	assert_int_equal(MS_OK, store_sender_seen(f->st, "eve@evil.example",
	    "evil.example", c1, &an, &dn));
	assert_true(an);
	assert_true(dn);
	assert_int_equal(MS_OK, store_sender_seen(f->st, "eve@evil.example",
	    "evil.example", c2, &an, &dn));
	assert_false(an);
	assert_false(dn);
	assert_int_equal(MS_OK, store_sender_seen(f->st, "mal@evil.example",
	    "evil.example", c2, &an, NULL));
	assert_true(an);
	assert_int_equal(MS_OK, store_sender_seen(f->st, "mal@evil.example",
	    "evil.example", c2, NULL, &dn));
	assert_false(dn);
	assert_int_equal(2, sql_int(f->path, "SELECT count FROM senders"
	    " WHERE address = 'eve@evil.example'"));
	assert_int_equal(c2, sql_int(f->path, "SELECT last_container FROM"
	    " senders WHERE address = 'eve@evil.example'"));
	assert_int_equal(1, sql_int(f->path, "SELECT first_seen <= last_seen"
	    " FROM senders WHERE address = 'eve@evil.example'"));

	assert_int_equal(MS_EINVAL, store_sender_seen(f->st, "",
	    "evil.example", c1, &an, &dn));
	assert_false(an);
	assert_int_equal(MS_EINVAL, store_sender_seen(f->st, "x@y.example",
	    NULL, c1, &an, &dn));
	assert_int_equal(MS_EINVAL, store_sender_seen(f->st, "x@y.example",
	    "y.example", 0, &an, &dn));
	assert_int_equal(MS_EINVAL, store_sender_seen(f->st, "x@y.example",
	    "y.example", c2 + 100, &an, &dn));
	assert_int_equal(0, sql_int(f->path, "SELECT count(*) FROM senders"
	    " WHERE address = 'x@y.example'"));

	/* In the container's transaction: a rollback forgets the sender. */
	assert_int_equal(MS_OK, store_begin(f->st));
	assert_int_equal(MS_OK, store_sender_seen(f->st, "new@new.example",
	    "new.example", c1, &an, &dn));
	assert_true(an);
	assert_int_equal(MS_OK, store_rollback(f->st));
	assert_int_equal(0, sql_int(f->path, "SELECT count(*) FROM senders"
	    " WHERE domain = 'new.example'"));
	assert_int_equal(2, sql_int(f->path, "SELECT count(*) FROM senders"));
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
#define T(fn)	cmocka_unit_test_setup_teardown(fn, setup, teardown)
		T(open_reopen),
		T(migrate_from_v1),
		T(migrate_from_v2),
		T(migrate_from_v4),
		T(sender_history),
		T(refuse_newer),
		T(bad_paths),
		T(container_dedupe),
		T(container_campaign_thread),
		T(container_json_shape),
		T(artifacts_dedupe),
		T(score_cap),
		T(prompts),
		T(lists),
		T(cache),
		T(runs),
		T(audit_layout),
		T(audit_tamper_update),
		T(audit_tamper_delete),
		T(audit_tamper_first_and_order),
		T(cursors),
		T(ingested),
		T(batch),
		T(atomic_calls),
		T(bad_json),
#undef T
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
