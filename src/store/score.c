/* SPDX-License-Identifier: Apache-2.0 */
/*
 * score.c -- a container's score reasons (its score is the sum of their
 * points, kept between 0 and 100) and its notes.  Runs wherever the store
 * runs; the evidence JSON comes from playbooks and is parsed first.
 */
#include <string.h>

#include "store_int.h"
#include "../common/log.h"

/* The score most reasons can reach; a container's score never leaves
 * [0, SCORE_MAX] whatever the points of its reasons. */
#define SCORE_MAX	100

static const char SQL_SCORE_INSERT[] =
	"INSERT INTO score_reasons (container_id, run_id, points, reason,"
	" evidence, created) VALUES (?, ?, ?, ?, ?, ?)";
static const char SQL_SCORE_UPDATE[] =
	"UPDATE containers SET score = MIN(?2, MAX(0, (SELECT"
	" COALESCE(SUM(points), 0) FROM score_reasons"
	" WHERE container_id = ?1))),"
	" updated = ?3 WHERE id = ?1 RETURNING score";
static const char SQL_SCORE_LIST[] =
	"SELECT points, reason, evidence, run_id, created FROM score_reasons"
	" WHERE container_id = ? ORDER BY id";
static const char SQL_NOTE_INSERT[] =
	"INSERT INTO notes (container_id, run_id, author, title, body,"
	" created) VALUES (?, ?, ?, ?, ?, ?)";
static const char SQL_NOTE_LIST[] =
	"SELECT id, container_id, run_id, author, title, body, created"
	" FROM notes WHERE container_id = ? ORDER BY id";
static const char SQL_CONT_SCORE[] =
	"SELECT score FROM containers WHERE id = ?";

/* The reason, the new score and the audit entry. */
static enum ms_err
score_write(struct store *st, int64_t cid, int64_t run_id, int points,
    const char *reason, const char *evidence, int64_t *total)
{
	sqlite3_stmt	*s;
	json_t		*d;
	enum ms_err	 rc;

	if ((s = store__stmt(st, STMT_SCORE_INSERT, SQL_SCORE_INSERT)) == NULL)
		return MS_EDB;
	rc = store__bind(st, s, "iIntti", cid, run_id, points, reason,
	    evidence, store__now());
	if (rc != MS_OK || (rc = store__exec(st, s, "score add")) != MS_OK)
		return rc;
	if ((s = store__stmt(st, STMT_SCORE_UPDATE, SQL_SCORE_UPDATE)) == NULL)
		return MS_EDB;
	if (store__bind(st, s, "iii", cid, (int64_t)SCORE_MAX,
	    store__now()) != MS_OK)
		return MS_EDB;
	if (sqlite3_step(s) != SQLITE_ROW)
		return store__fail(st, s, "score update");
	*total = sqlite3_column_int64(s, 0);
	if (sqlite3_step(s) != SQLITE_DONE)
		return store__fail(st, s, "score update");
	sqlite3_reset(s);
	d = json_pack("{s:i,s:o,s:o,s:I}", "points", points,
	    "reason", store__jstr(reason),
	    "run_id", run_id ? json_integer(run_id) : json_null(),
	    "score", (json_int_t)*total);
	rc = store__audit(st, "system", "score added", cid, d);
	json_decref(d);
	return rc;
}

enum ms_err
store_score_add(struct store *st, int64_t container_id, int64_t run_id,
    int points, const char *reason, const char *evidence_json)
{
	json_t		*ev = NULL;
	int64_t		 total;
	enum ms_err	 rc;
	int		 outer;

	if (reason == NULL || *reason == '\0') {
		log_warnx("store: score add: no reason");
		return MS_EINVAL;
	}
	if (evidence_json != NULL && (rc = store__json_parse(evidence_json,
	    -1, "score evidence", &ev)) != MS_OK)
		return rc;
	json_decref(ev);
	if ((rc = store__wbegin(st, &outer)) != MS_OK)
		return rc;
	return store__wend(st, outer, score_write(st, container_id, run_id,
	    points, reason, evidence_json, &total));
}

/* The container's score, or MS_EINVAL when there is no such container. */
static enum ms_err
score_total(struct store *st, int64_t cid, int *total)
{
	sqlite3_stmt	*s;
	int		 src;

	if ((s = store__stmt(st, STMT_CONT_SCORE, SQL_CONT_SCORE)) == NULL ||
	    store__bind(st, s, "i", cid) != MS_OK)
		return MS_EDB;
	src = sqlite3_step(s);
	if (src == SQLITE_ROW)
		*total = sqlite3_column_int(s, 0);
	else if (src != SQLITE_DONE)
		return store__fail(st, s, "score total");
	sqlite3_reset(s);
	if (src == SQLITE_ROW)
		return MS_OK;
	log_warnx("store: container %lld: no such container", (long long)cid);
	return MS_EINVAL;
}

enum ms_err
store_score_json(struct store *st, int64_t container_id, char **json,
    int *total)
{
	sqlite3_stmt	*s;
	json_t		*arr;
	enum ms_err	 rc;
	int		 src, outer;

	*json = NULL;
	*total = 0;
	if ((rc = store__rbegin(st, &outer)) != MS_OK)
		return rc;
	if ((rc = score_total(st, container_id, total)) != MS_OK)
		goto out;
	rc = MS_EDB;
	if ((s = store__stmt(st, STMT_SCORE_LIST, SQL_SCORE_LIST)) == NULL ||
	    store__bind(st, s, "i", container_id) != MS_OK)
		goto out;
	arr = json_array();
	while ((src = sqlite3_step(s)) == SQLITE_ROW)
		json_array_append_new(arr, json_pack("{s:o,s:o,s:o,s:o,s:o}",
		    "points", store__col_int(s, 0),
		    "reason", store__col_str(s, 1),
		    "evidence", store__col_json(s, 2, NULL),
		    "run_id", store__col_int(s, 3),
		    "created", store__col_int(s, 4)));
	if (src != SQLITE_DONE) {
		json_decref(arr);
		rc = store__fail(st, s, "score list");
		goto out;
	}
	sqlite3_reset(s);
	rc = store__json_out(arr, json);
out:
	store__rend(st, outer);
	return rc;
}

/* ---- notes ---------------------------------------------------------- */

static enum ms_err
note_write(struct store *st, int64_t cid, int64_t run_id,
    const char *author, const char *title, const char *markdown,
    int64_t *id)
{
	sqlite3_stmt	*s;
	json_t		*d;
	enum ms_err	 rc;

	if ((s = store__stmt(st, STMT_NOTE_INSERT, SQL_NOTE_INSERT)) == NULL)
		return MS_EDB;
	rc = store__bind(st, s, "iIttti", cid, run_id, author, title,
	    markdown, store__now());
	if (rc != MS_OK || (rc = store__exec(st, s, "note add")) != MS_OK)
		return rc;
	*id = sqlite3_last_insert_rowid(st->db);
	d = json_pack("{s:I,s:o,s:o}", "note_id", (json_int_t)*id,
	    "title", store__jstr(title),
	    "run_id", run_id ? json_integer(run_id) : json_null());
	rc = store__audit(st, author, "note added", cid, d);
	json_decref(d);
	return rc;
}

enum ms_err
store_note_add(struct store *st, int64_t container_id, int64_t run_id,
    const char *author, const char *title, const char *markdown,
    int64_t *id)
{
	enum ms_err	rc;
	int		outer;

	*id = 0;
	if (author == NULL || *author == '\0' || markdown == NULL) {
		log_warnx("store: note add: no author or no text");
		return MS_EINVAL;
	}
	if (title == NULL)
		title = "";
	if ((rc = store__wbegin(st, &outer)) != MS_OK)
		return rc;
	rc = store__wend(st, outer, note_write(st, container_id, run_id,
	    author, title, markdown, id));
	if (rc != MS_OK)
		*id = 0;
	return rc;
}

/* [{"id","container_id","run_id","author","title","markdown","created"}] */
enum ms_err
store_notes_json(struct store *st, int64_t container_id, char **json)
{
	sqlite3_stmt	*s;
	json_t		*arr;
	int		 src;

	*json = NULL;
	if ((s = store__stmt(st, STMT_NOTE_LIST, SQL_NOTE_LIST)) == NULL ||
	    store__bind(st, s, "i", container_id) != MS_OK)
		return MS_EDB;
	arr = json_array();
	while ((src = sqlite3_step(s)) == SQLITE_ROW)
		json_array_append_new(arr, json_pack(
		    "{s:o,s:o,s:o,s:o,s:o,s:o,s:o}",
		    "id", store__col_int(s, 0),
		    "container_id", store__col_int(s, 1),
		    "run_id", store__col_int(s, 2),
		    "author", store__col_str(s, 3),
		    "title", store__col_str(s, 4),
		    "markdown", store__col_str(s, 5),
		    "created", store__col_int(s, 6)));
	if (src != SQLITE_DONE) {
		json_decref(arr);
		return store__fail(st, s, "note list");
	}
	sqlite3_reset(s);
	return store__json_out(arr, json);
}
