/* SPDX-License-Identifier: Apache-2.0 */
/*
 * run.c -- playbook runs and action runs, and a run's JSON with its
 * action runs and its events (prompts, notes, score reasons) in time
 * order.  store_action_run_add is the engine's hottest write (tens of
 * thousands a second in batches): cached statements, one parse of each
 * JSON text, one audit entry.  Runs wherever the store runs.
 */
#include <stdlib.h>
#include <string.h>

#include <glib.h>

#include "store_int.h"
#include "../common/log.h"

static const char SQL_RUN_INSERT[] =
	"INSERT INTO playbook_runs (container_id, playbook, status, started)"
	" VALUES (?, ?, 'running', ?)";
static const char SQL_RUN_FINISH[] =
	"UPDATE playbook_runs SET status = ?, message = ?, traceback = ?,"
	" finished = ? WHERE id = ? AND status = 'running'"
	" RETURNING container_id, playbook";
static const char SQL_RUN_GET[] =
	"SELECT id, container_id, playbook, status, message, traceback,"
	" started, finished FROM playbook_runs WHERE id = ?";
static const char SQL_RUN_IDS[] =
	"SELECT id FROM playbook_runs WHERE container_id = ? ORDER BY id";
static const char SQL_ARUN_INSERT[] =
	"INSERT INTO action_runs (run_id, container_id, action, app, asset,"
	" params, status, message, result, result_sha256, cached, attempts,"
	" started, finished, approved_by)"
	" VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)";
static const char SQL_ARUN_LIST[] =
	"SELECT id, run_id, container_id, action, app, asset, params, status,"
	" message, result, result_sha256, cached, attempts, started,"
	" finished, approved_by FROM action_runs WHERE run_id = ?"
	" ORDER BY started, id";
static const char SQL_RUN_SCORES[] =
	"SELECT created, points, reason, evidence FROM score_reasons"
	" WHERE run_id = ? ORDER BY id";
static const char SQL_RUN_NOTES[] =
	"SELECT created, id, author, title, body FROM notes"
	" WHERE run_id = ? ORDER BY id";
static const char SQL_RUN_PROMPTS[] =
	"SELECT " STORE_PROMPT_COLUMNS " FROM prompts WHERE run_id = ?"
	" ORDER BY id";

static int
one_of(const char *s, const char *const *set, size_t n)
{
	size_t	i;

	for (i = 0; s != NULL && i < n; i++)
		if (strcmp(s, set[i]) == 0)
			return 1;
	return 0;
}

static enum ms_err
run_start(struct store *st, int64_t cid, const char *playbook,
    int64_t *run_id)
{
	sqlite3_stmt	*s;
	json_t		*d;
	enum ms_err	 rc;

	if ((s = store__stmt(st, STMT_RUN_INSERT, SQL_RUN_INSERT)) == NULL)
		return MS_EDB;
	rc = store__bind(st, s, "Iti", cid, playbook, store__now());
	if (rc != MS_OK || (rc = store__exec(st, s, "run start")) != MS_OK)
		return rc;
	*run_id = sqlite3_last_insert_rowid(st->db);
	d = json_pack("{s:I,s:o}", "run_id", (json_int_t)*run_id,
	    "playbook", store__jstr(playbook));
	rc = store__audit(st, "system", "playbook started", cid, d);
	json_decref(d);
	return rc;
}

enum ms_err
store_run_start(struct store *st, int64_t container_id,
    const char *playbook, int64_t *run_id)
{
	enum ms_err	rc;
	int		outer;

	*run_id = 0;
	if (playbook == NULL || *playbook == '\0') {
		log_warnx("store: run start: no playbook");
		return MS_EINVAL;
	}
	if ((rc = store__wbegin(st, &outer)) != MS_OK)
		return rc;
	rc = store__wend(st, outer, run_start(st, container_id, playbook,
	    run_id));
	if (rc != MS_OK)
		*run_id = 0;
	return rc;
}

static enum ms_err
run_finish(struct store *st, int64_t run_id, const char *status,
    const char *message, const char *traceback)
{
	sqlite3_stmt	*s;
	json_t		*d;
	int64_t		 cid;
	enum ms_err	 rc;
	int		 src;

	if ((s = store__stmt(st, STMT_RUN_FINISH, SQL_RUN_FINISH)) == NULL)
		return MS_EDB;
	rc = store__bind(st, s, "tttii", status, message, traceback,
	    store__now(), run_id);
	if (rc != MS_OK)
		return rc;
	if ((src = sqlite3_step(s)) == SQLITE_DONE) {
		sqlite3_reset(s);
		log_warnx("store: run %lld: no such running run",
		    (long long)run_id);
		return MS_EINVAL;
	}
	if (src != SQLITE_ROW)
		return store__fail(st, s, "run finish");
	cid = sqlite3_column_int64(s, 0);
	d = json_pack("{s:I,s:o,s:s,s:o}", "run_id", (json_int_t)run_id,
	    "playbook", store__col_str(s, 1), "status", status, "message",
	    store__jstr(message));
	sqlite3_reset(s);
	rc = store__audit(st, "system", "playbook finished", cid, d);
	json_decref(d);
	return rc;
}

enum ms_err
store_run_finish(struct store *st, int64_t run_id, const char *status,
    const char *message, const char *traceback)
{
	static const char *const ok[] = { "success", "failed", "timeout",
	    "interrupted" };
	enum ms_err	rc;
	int		outer;

	if (!one_of(status, ok, MS_ARRAY_LEN(ok))) {
		log_warnx("store: run finish: bad status");
		return MS_EINVAL;
	}
	if ((rc = store__wbegin(st, &outer)) != MS_OK)
		return rc;
	return store__wend(st, outer, run_finish(st, run_id, status, message,
	    traceback));
}

/* The row and its audit entry; 'params' is the parsed parameters. */
static enum ms_err
action_run_write(struct store *st, const struct store_action_run *r,
    const char *params, json_t *p, int64_t *id)
{
	sqlite3_stmt	*s;
	char		 sha[STORE_HEX];
	json_t		*d;
	enum ms_err	 rc;

	if (r->result_json != NULL)
		store__sha256(r->result_json, strlen(r->result_json), sha);
	if ((s = store__stmt(st, STMT_ARUN_INSERT, SQL_ARUN_INSERT)) == NULL)
		return MS_EDB;
	rc = store__bind(st, s, "IIttttttttnniit", r->run_id, r->container_id,
	    r->action, r->app, r->asset, params, r->status, r->message,
	    r->result_json, r->result_json ? sha : NULL, r->cached ? 1 : 0,
	    r->attempts, r->started, r->finished, r->approved_by);
	if (rc != MS_OK || (rc = store__exec(st, s, "action run")) != MS_OK)
		return rc;
	*id = sqlite3_last_insert_rowid(st->db);
	d = json_pack("{s:I,s:o,s:o,s:o,s:o,s:O,s:s,s:s?,s:o}",
	    "action_run_id", (json_int_t)*id,
	    "run_id", r->run_id ? json_integer(r->run_id) : json_null(),
	    "action", store__jstr(r->action), "app", store__jstr(r->app),
	    "asset", store__jstr(r->asset), "params", p, "status", r->status,
	    "result_sha256", r->result_json ? sha : NULL,
	    "approved_by", store__jstr(r->approved_by));
	rc = store__audit(st, "system", "action run", r->container_id, d);
	json_decref(d);
	return rc;
}

enum ms_err
store_action_run_add(struct store *st, const struct store_action_run *r,
    int64_t *id)
{
	static const char *const ok[] = { "success", "failed", "skipped" };
	const char	*params = r->params_json ? r->params_json : "{}";
	json_t		*p = NULL, *res = NULL;
	enum ms_err	 rc;
	int		 outer;

	*id = 0;
	if (r->action == NULL || *r->action == '\0' || r->app == NULL ||
	    *r->app == '\0' || !one_of(r->status, ok, MS_ARRAY_LEN(ok)) ||
	    r->container_id < 0 || r->run_id < 0) {
		log_warnx("store: action run: no action or app, or bad status");
		return MS_EINVAL;
	}
	if ((rc = store__json_parse(params, JSON_OBJECT, "action parameters",
	    &p)) != MS_OK)
		return rc;
	if (r->result_json != NULL && !r->result_trusted &&
	    (rc = store__json_parse(r->result_json, JSON_OBJECT,
	    "action result", &res)) != MS_OK)
		goto out;
	if ((rc = store__wbegin(st, &outer)) != MS_OK)
		goto out;
	rc = store__wend(st, outer, action_run_write(st, r, params, p, id));
	if (rc != MS_OK)
		*id = 0;
out:
	json_decref(p);
	json_decref(res);
	return rc;
}

/* One action run in the shape of an action result (DESIGN.md 4). */
static json_t *
action_run_row(sqlite3_stmt *s)
{
	json_t	*res = store__col_json(s, 9, "{}"), *data, *sum;
	json_t	*o;

	data = json_object_get(res, "data");
	sum = json_object_get(res, "summary");
	o = json_pack("{s:o,s:o,s:o,s:o,s:o,s:o,s:o,s:o,s:o,s:o,s:o,s:o,"
	    "s:b,s:o,s:o,s:o,s:I,s:o}",
	    "id", store__col_int(s, 0),
	    "run_id", store__col_int(s, 1),
	    "container_id", store__col_int(s, 2),
	    "action", store__col_str(s, 3),
	    "app", store__col_str(s, 4),
	    "asset", store__col_str(s, 5),
	    "parameter", store__col_json(s, 6, "{}"),
	    "status", store__col_str(s, 7),
	    "message", store__col_str(s, 8),
	    "data", data ? json_incref(data) : json_array(),
	    "summary", sum ? json_incref(sum) : json_object(),
	    "result_sha256", store__col_str(s, 10),
	    "cached", sqlite3_column_int(s, 11),
	    "attempts", store__col_int(s, 12),
	    "started", store__col_int(s, 13),
	    "finished", store__col_int(s, 14),
	    "duration_ms", (json_int_t)((sqlite3_column_int64(s, 14) -
	    sqlite3_column_int64(s, 13)) / 1000),
	    "approved_by", store__col_str(s, 15));
	json_decref(res);
	return o;
}

/* An event of a run with the time it sorts by. */
struct run_event {
	int64_t	 time;
	size_t	 seq;		/* tie-break: scores, notes, prompts */
	json_t	*o;
};

static int
event_cmp(const void *a, const void *b)
{
	const struct run_event	*x = a, *y = b;

	if (x->time != y->time)
		return x->time < y->time ? -1 : 1;
	return x->seq < y->seq ? -1 : x->seq > y->seq;
}

/* Step 's' (bound to the run id) and add an event per row, as
 * 'row' makes it, to 'ev'. */
static enum ms_err
run_events_add(struct store *st, sqlite3_stmt *s, GArray *ev,
    json_t *(*row)(sqlite3_stmt *), const char *type, int time_col)
{
	struct run_event	 e;
	int			 src;

	while ((src = sqlite3_step(s)) == SQLITE_ROW) {
		e.time = sqlite3_column_int64(s, time_col);
		e.seq = ev->len;
		e.o = row(s);
		json_object_set_new(e.o, "type", json_string(type));
		json_object_set_new(e.o, "time", json_integer(e.time));
		g_array_append_val(ev, e);
	}
	if (src != SQLITE_DONE)
		return store__fail(st, s, "run events");
	sqlite3_reset(s);
	return MS_OK;
}

static json_t *
score_event(sqlite3_stmt *s)
{
	return json_pack("{s:o,s:o,s:o}", "points", store__col_int(s, 1),
	    "reason", store__col_str(s, 2), "evidence",
	    store__col_json(s, 3, NULL));
}

static json_t *
note_event(sqlite3_stmt *s)
{
	return json_pack("{s:o,s:o,s:o,s:o}", "id", store__col_int(s, 1),
	    "author", store__col_str(s, 2), "title", store__col_str(s, 3),
	    "markdown", store__col_str(s, 4));
}

/* The "events" array of one run: scores, notes and prompts by time. */
static enum ms_err
run_events(struct store *st, int64_t run_id, json_t **out)
{
	static const struct {
		enum store_stmt	 stmt;
		const char	*sql;
		json_t		*(*row)(sqlite3_stmt *);
		const char	*type;
		int		 time_col;
	} kinds[] = {
		{ STMT_RUN_SCORES, SQL_RUN_SCORES, score_event, "score", 0 },
		{ STMT_RUN_NOTES, SQL_RUN_NOTES, note_event, "note", 0 },
		{ STMT_RUN_PROMPTS, SQL_RUN_PROMPTS, store__prompt_row,
		    "prompt", 10 },
	};
	GArray		*ev = g_array_new(FALSE, FALSE,
			    sizeof(struct run_event));
	sqlite3_stmt	*s;
	enum ms_err	 rc = MS_OK;
	size_t		 i;

	for (i = 0; rc == MS_OK && i < MS_ARRAY_LEN(kinds); i++) {
		s = store__stmt(st, kinds[i].stmt, kinds[i].sql);
		if (s == NULL || store__bind(st, s, "i", run_id) != MS_OK)
			rc = MS_EDB;
		else
			rc = run_events_add(st, s, ev, kinds[i].row,
			    kinds[i].type, kinds[i].time_col);
	}
	if (ev->len > 1)
		qsort(ev->data, ev->len, sizeof(struct run_event),
		    event_cmp);
	*out = json_array();
	for (i = 0; i < ev->len; i++)
		json_array_append_new(*out,
		    g_array_index(ev, struct run_event, i).o);
	g_array_free(ev, TRUE);
	return rc;
}

/* One run as store.h describes it; MS_EINVAL when there is none. */
static enum ms_err
run_object(struct store *st, int64_t run_id, json_t **out)
{
	sqlite3_stmt	*s;
	json_t		*o, *arr, *ev;
	enum ms_err	 rc;
	int		 src;

	*out = NULL;
	if ((s = store__stmt(st, STMT_RUN_GET, SQL_RUN_GET)) == NULL ||
	    store__bind(st, s, "i", run_id) != MS_OK)
		return MS_EDB;
	if ((src = sqlite3_step(s)) == SQLITE_DONE) {
		sqlite3_reset(s);
		return MS_EINVAL;
	}
	if (src != SQLITE_ROW)
		return store__fail(st, s, "run get");
	o = json_pack("{s:o,s:o,s:o,s:o,s:o,s:o,s:o,s:o}",
	    "id", store__col_int(s, 0),
	    "container_id", store__col_int(s, 1),
	    "playbook", store__col_str(s, 2),
	    "status", store__col_str(s, 3),
	    "message", store__col_str(s, 4),
	    "traceback", store__col_str(s, 5),
	    "started", store__col_int(s, 6),
	    "finished", store__col_int(s, 7));
	sqlite3_reset(s);
	arr = json_array();
	json_object_set_new(o, "action_runs", arr);
	if ((s = store__stmt(st, STMT_ARUN_LIST, SQL_ARUN_LIST)) == NULL ||
	    store__bind(st, s, "i", run_id) != MS_OK) {
		rc = MS_EDB;
		goto out;
	}
	while ((src = sqlite3_step(s)) == SQLITE_ROW)
		json_array_append_new(arr, action_run_row(s));
	if (src != SQLITE_DONE) {
		rc = store__fail(st, s, "action run list");
		goto out;
	}
	sqlite3_reset(s);
	rc = run_events(st, run_id, &ev);
	json_object_set_new(o, "events", ev);
out:
	if (rc != MS_OK)
		json_decref(o);
	else
		*out = o;
	return rc;
}

enum ms_err
store_run_json(struct store *st, int64_t run_id, char **json)
{
	json_t		*o;
	enum ms_err	 rc;
	int		 outer;

	*json = NULL;
	if ((rc = store__rbegin(st, &outer)) != MS_OK)
		return rc;
	if ((rc = run_object(st, run_id, &o)) == MS_OK)
		rc = store__json_out(o, json);
	store__rend(st, outer);
	return rc;
}

enum ms_err
store_runs_json(struct store *st, int64_t container_id, char **json)
{
	sqlite3_stmt	*s;
	GArray		*ids = g_array_new(FALSE, FALSE, sizeof(int64_t));
	json_t		*arr = json_array(), *o;
	int64_t		 id;
	enum ms_err	 rc = MS_EDB;
	guint		 i;
	int		 src, outer;

	*json = NULL;
	if (store__rbegin(st, &outer) != MS_OK)
		goto out;
	if ((s = store__stmt(st, STMT_RUN_IDS, SQL_RUN_IDS)) == NULL ||
	    store__bind(st, s, "i", container_id) != MS_OK)
		goto out;
	while ((src = sqlite3_step(s)) == SQLITE_ROW) {
		id = sqlite3_column_int64(s, 0);
		g_array_append_val(ids, id);
	}
	if (src != SQLITE_DONE) {
		rc = store__fail(st, s, "run list");
		goto out;
	}
	sqlite3_reset(s);
	rc = MS_OK;
	for (i = 0; rc == MS_OK && i < ids->len; i++) {
		rc = run_object(st, g_array_index(ids, int64_t, i), &o);
		if (rc == MS_OK)
			json_array_append_new(arr, o);
	}
	if (rc == MS_OK) {
		rc = store__json_out(arr, json);
		arr = NULL;
	}
out:
	store__rend(st, outer);
	json_decref(arr);
	g_array_free(ids, TRUE);
	return rc;
}
