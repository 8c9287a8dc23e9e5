/* SPDX-License-Identifier: Apache-2.0 */
/*
 * prompt.c -- questions to a human inside a playbook run: created
 * pending, then answered once (with one of their choices) or expired to
 * their default.  Runs wherever the store runs; answers come from
 * analysts through the API and are checked against the stored choices.
 */
#include <stdio.h>
#include <string.h>

#include <glib.h>

#include "store_int.h"
#include "../common/log.h"

static const char SQL_PROMPT_INSERT[] =
	"INSERT INTO prompts (run_id, container_id, message, choices, def,"
	" expires, status, created) VALUES (?, ?, ?, ?, ?, ?, 'pending', ?)";
static const char SQL_PROMPT_GET[] =
	"SELECT " STORE_PROMPT_COLUMNS " FROM prompts WHERE id = ?";
static const char SQL_PROMPT_ANSWER[] =
	"UPDATE prompts SET status = 'answered', answer = ?, answered_by = ?,"
	" answered = ? WHERE id = ? AND status = 'pending'";
static const char SQL_PROMPT_DUE[] =
	"SELECT id FROM prompts WHERE status = 'pending' AND expires > 0"
	" AND expires <= ? ORDER BY id";
static const char SQL_PROMPT_EXPIRE[] =
	"UPDATE prompts SET status = 'expired', answer = def,"
	" answered_by = 'timeout', answered = ? WHERE id = ?"
	" AND status = 'pending' RETURNING run_id, container_id, answer";
static const char SQL_PROMPT_LIST[] =
	"SELECT " STORE_PROMPT_COLUMNS " FROM prompts ORDER BY id";
static const char SQL_PROMPT_PENDING[] =
	"SELECT " STORE_PROMPT_COLUMNS " FROM prompts"
	" WHERE status = 'pending' ORDER BY id";

/* Column indexes in STORE_PROMPT_COLUMNS. */
enum {
	P_ID, P_RUN, P_CONTAINER, P_MESSAGE, P_CHOICES, P_DEF, P_EXPIRES,
	P_STATUS, P_ANSWER, P_WHO, P_CREATED
};

json_t *
store__prompt_row(sqlite3_stmt *s)
{
	return json_pack("{s:o,s:o,s:o,s:o,s:o,s:o,s:o,s:o,s:o,s:o}",
	    "id", store__col_int(s, P_ID),
	    "run_id", store__col_int(s, P_RUN),
	    "container_id", store__col_int(s, P_CONTAINER),
	    "message", store__col_str(s, P_MESSAGE),
	    "choices", store__col_json(s, P_CHOICES, "[]"),
	    "default", store__col_str(s, P_DEF),
	    "expires", sqlite3_column_int64(s, P_EXPIRES) ?
	    store__col_int(s, P_EXPIRES) : json_null(),
	    "status", store__col_str(s, P_STATUS),
	    "answer", store__col_str(s, P_ANSWER),
	    "answered_by", store__col_str(s, P_WHO));
}

/* 1 when 'choice' is one of the strings of the array 'choices'. */
static int
has_choice(const json_t *choices, const char *choice)
{
	size_t	 i;
	json_t	*v;

	json_array_foreach(choices, i, v)
		if (json_is_string(v) && strcmp(json_string_value(v),
		    choice) == 0)
			return 1;
	return 0;
}

static enum ms_err
prompt_write(struct store *st, int64_t run_id, int64_t cid,
    const char *message, const char *choices, json_t *c, const char *def,
    int64_t expires, int64_t *id)
{
	sqlite3_stmt	*s;
	json_t		*d;
	enum ms_err	 rc;

	if ((s = store__stmt(st, STMT_PROMPT_INSERT, SQL_PROMPT_INSERT)) ==
	    NULL)
		return MS_EDB;
	rc = store__bind(st, s, "IItttii", run_id, cid, message, choices, def,
	    expires, store__now());
	if (rc != MS_OK || (rc = store__exec(st, s, "prompt add")) != MS_OK)
		return rc;
	*id = sqlite3_last_insert_rowid(st->db);
	d = json_pack("{s:I,s:o,s:o,s:O,s:o,s:I}", "prompt_id",
	    (json_int_t)*id, "run_id", run_id ? json_integer(run_id) :
	    json_null(), "message", store__jstr(message), "choices", c,
	    "default", store__jstr(def), "expires", (json_int_t)expires);
	rc = store__audit(st, "system", "prompt created", cid, d);
	json_decref(d);
	return rc;
}

/* 'expires' 0 is a prompt that never expires.  The default, when given,
 * must be one of the choices: expiry answers with it. */
enum ms_err
store_prompt_add(struct store *st, int64_t run_id, int64_t container_id,
    const char *message, const char *choices_json, const char *def,
    int64_t expires, int64_t *id)
{
	json_t		*c, *v;
	enum ms_err	 rc;
	size_t		 i;
	int		 outer;

	*id = 0;
	if (message == NULL || expires < 0) {
		log_warnx("store: prompt add: no message or bad expiry");
		return MS_EINVAL;
	}
	if ((rc = store__json_parse(choices_json, JSON_ARRAY,
	    "prompt choices", &c)) != MS_OK)
		return rc;
	rc = MS_EINVAL;
	json_array_foreach(c, i, v)
		if (!json_is_string(v)) {
			log_warnx("store: prompt add: a choice is not a "
			    "string");
			goto out;
		}
	if (json_array_size(c) == 0 || (def != NULL && !has_choice(c, def))) {
		log_warnx("store: prompt add: no choices, or the default is "
		    "not one of them");
		goto out;
	}
	if ((rc = store__wbegin(st, &outer)) != MS_OK)
		goto out;
	rc = store__wend(st, outer, prompt_write(st, run_id, container_id,
	    message, choices_json, c, def, expires, id));
	if (rc != MS_OK)
		*id = 0;
out:
	json_decref(c);
	return rc;
}

/* Check the prompt's state and the choice, then record the answer. */
static enum ms_err
prompt_answer(struct store *st, int64_t id, const char *choice,
    const char *who, char *err, size_t errlen)
{
	sqlite3_stmt	*s;
	json_t		*c, *d;
	int64_t		 run_id, cid, expires;
	enum ms_err	 rc = MS_EINVAL;
	int		 src;

	if ((s = store__stmt(st, STMT_PROMPT_GET, SQL_PROMPT_GET)) == NULL ||
	    store__bind(st, s, "i", id) != MS_OK)
		return MS_EDB;
	if ((src = sqlite3_step(s)) == SQLITE_DONE) {
		sqlite3_reset(s);
		snprintf(err, errlen, "no prompt %lld", (long long)id);
		return MS_EINVAL;
	}
	if (src != SQLITE_ROW)
		return store__fail(st, s, "prompt answer");
	run_id = sqlite3_column_int64(s, P_RUN);
	cid = sqlite3_column_int64(s, P_CONTAINER);
	expires = sqlite3_column_int64(s, P_EXPIRES);
	c = store__col_json(s, P_CHOICES, "[]");
	if (strcmp((const char *)sqlite3_column_text(s, P_STATUS),
	    "pending") != 0)
		snprintf(err, errlen, "prompt %lld is already %s (by %s)",
		    (long long)id, sqlite3_column_text(s, P_STATUS),
		    sqlite3_column_text(s, P_WHO));
	else if (expires != 0 && expires <= store__now())
		snprintf(err, errlen, "prompt %lld has expired",
		    (long long)id);
	else if (!has_choice(c, choice)) {
		char *list = json_dumps(c, JSON_COMPACT);

		snprintf(err, errlen, "'%s' is not one of the choices of "
		    "prompt %lld: %s", choice, (long long)id,
		    list ? list : "[]");
		xfree(list);
	}
	else
		rc = MS_OK;
	sqlite3_reset(s);
	json_decref(c);
	if (rc != MS_OK)
		return rc;
	if ((s = store__stmt(st, STMT_PROMPT_ANSWER, SQL_PROMPT_ANSWER)) ==
	    NULL || store__bind(st, s, "ttii", choice, who, store__now(),
	    id) != MS_OK || store__exec(st, s, "prompt answer") != MS_OK)
		return MS_EDB;
	d = json_pack("{s:I,s:o,s:s}", "prompt_id", (json_int_t)id, "run_id",
	    run_id ? json_integer(run_id) : json_null(), "answer", choice);
	rc = store__audit(st, who, "prompt answered", cid, d);
	json_decref(d);
	return rc;
}

enum ms_err
store_prompt_answer(struct store *st, int64_t id, const char *choice,
    const char *who, char *err, size_t errlen)
{
	enum ms_err	rc;
	int		outer;

	if (errlen > 0)
		err[0] = '\0';
	if (choice == NULL || who == NULL || *who == '\0') {
		snprintf(err, errlen, "an answer needs a choice and who "
		    "gave it");
		return MS_EINVAL;
	}
	if ((rc = store__wbegin(st, &outer)) != MS_OK) {
		snprintf(err, errlen, "store error: %s", store_errmsg(st));
		return rc;
	}
	rc = store__wend(st, outer, prompt_answer(st, id, choice, who, err,
	    errlen));
	if (rc == MS_EDB && (errlen == 0 || err[0] == '\0'))
		snprintf(err, errlen, "store error: %s", store_errmsg(st));
	if (rc == MS_EDB)	/* the caller reports its own errors */
		log_warnx("store: prompt answer: %s", err);
	return rc;
}

/* Expire one due prompt to its default, audited. */
static enum ms_err
prompt_expire(struct store *st, int64_t id)
{
	sqlite3_stmt	*s;
	json_t		*d;
	int64_t		 cid;
	enum ms_err	 rc;
	int		 src;

	if ((s = store__stmt(st, STMT_PROMPT_EXPIRE, SQL_PROMPT_EXPIRE)) ==
	    NULL || store__bind(st, s, "ii", store__now(), id) != MS_OK)
		return MS_EDB;
	if ((src = sqlite3_step(s)) == SQLITE_DONE) {
		sqlite3_reset(s);
		return MS_OK;		/* answered meanwhile */
	}
	if (src != SQLITE_ROW)
		return store__fail(st, s, "prompt expire");
	cid = sqlite3_column_int64(s, 1);
	d = json_pack("{s:I,s:o,s:o}", "prompt_id", (json_int_t)id, "run_id",
	    store__col_int(s, 0), "answer", store__col_str(s, 2));
	sqlite3_reset(s);
	rc = store__audit(st, "timeout", "prompt expired", cid, d);
	json_decref(d);
	return rc;
}

/* The due ids are read first: updating the rows a SELECT is walking is
 * left undefined by SQLite. */
static enum ms_err
prompts_expire(struct store *st, int64_t now)
{
	sqlite3_stmt	*s;
	GArray		*ids = g_array_new(FALSE, FALSE, sizeof(int64_t));
	int64_t		 id;
	enum ms_err	 rc = MS_EDB;
	guint		 i;
	int		 src;

	if ((s = store__stmt(st, STMT_PROMPT_DUE, SQL_PROMPT_DUE)) == NULL ||
	    store__bind(st, s, "i", now) != MS_OK)
		goto out;
	while ((src = sqlite3_step(s)) == SQLITE_ROW) {
		id = sqlite3_column_int64(s, 0);
		g_array_append_val(ids, id);
	}
	if (src != SQLITE_DONE) {
		rc = store__fail(st, s, "prompts due");
		goto out;
	}
	sqlite3_reset(s);
	rc = MS_OK;
	for (i = 0; rc == MS_OK && i < ids->len; i++)
		rc = prompt_expire(st, g_array_index(ids, int64_t, i));
out:
	g_array_free(ids, TRUE);
	return rc;
}

enum ms_err
store_prompts_expire(struct store *st, int64_t now)
{
	enum ms_err	rc;
	int		outer;

	if ((rc = store__wbegin(st, &outer)) != MS_OK)
		return rc;
	return store__wend(st, outer, prompts_expire(st, now));
}

enum ms_err
store_prompt_get(struct store *st, int64_t id, char **status, char **answer,
    char **who)
{
	sqlite3_stmt	*s;
	int		 src;

	*status = *answer = *who = NULL;
	if ((s = store__stmt(st, STMT_PROMPT_GET, SQL_PROMPT_GET)) == NULL ||
	    store__bind(st, s, "i", id) != MS_OK)
		return MS_EDB;
	if ((src = sqlite3_step(s)) == SQLITE_DONE) {
		sqlite3_reset(s);
		return MS_EINVAL;
	}
	if (src != SQLITE_ROW)
		return store__fail(st, s, "prompt get");
	*status = store__col_dup(s, P_STATUS);
	*answer = store__col_dup(s, P_ANSWER);
	*who = store__col_dup(s, P_WHO);
	sqlite3_reset(s);
	return MS_OK;
}

enum ms_err
store_prompts_json(struct store *st, int pending_only, char **json)
{
	sqlite3_stmt	*s;
	json_t		*arr;
	int		 src;

	*json = NULL;
	s = pending_only ?
	    store__stmt(st, STMT_PROMPT_PENDING, SQL_PROMPT_PENDING) :
	    store__stmt(st, STMT_PROMPT_LIST, SQL_PROMPT_LIST);
	if (s == NULL)
		return MS_EDB;
	arr = json_array();
	while ((src = sqlite3_step(s)) == SQLITE_ROW)
		json_array_append_new(arr, store__prompt_row(s));
	if (src != SQLITE_DONE) {
		json_decref(arr);
		return store__fail(st, s, "prompt list");
	}
	sqlite3_reset(s);
	return store__json_out(arr, json);
}
