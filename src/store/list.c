/* SPDX-License-Identifier: Apache-2.0 */
/*
 * list.c -- custom lists (named sets of strings playbooks and analysts
 * keep: allow lists, VIP addresses ...) and the action result cache keyed
 * by the engine's digest of (action, asset, parameters).  Runs wherever
 * the store runs.
 */
#include <string.h>

#include "store_int.h"
#include "../common/log.h"

static const char SQL_LIST_ADD[] =
	"INSERT INTO custom_lists (list, value, created) VALUES (?, ?, ?)"
	" ON CONFLICT DO NOTHING";
static const char SQL_LIST_REMOVE[] =
	"DELETE FROM custom_lists WHERE list = ? AND value = ?";
static const char SQL_LIST_HAS[] =
	"SELECT 1 FROM custom_lists WHERE list = ? AND value = ?";
static const char SQL_LIST_ALL[] =
	"SELECT value FROM custom_lists WHERE list = ? ORDER BY id";
static const char SQL_CACHE_GET[] =
	"SELECT result FROM cache WHERE key = ? AND expires > ?";
static const char SQL_CACHE_PUT[] =
	"INSERT INTO cache (key, result, expires, created) VALUES (?, ?, ?, ?)"
	" ON CONFLICT (key) DO UPDATE SET result = excluded.result,"
	" expires = excluded.expires, created = excluded.created";
static const char SQL_CACHE_PURGE[] =
	"DELETE FROM cache WHERE expires <= ?";

static int
empty(const char *s)
{
	return s == NULL || *s == '\0';
}

/* Add or remove; an entry only when the list changed. */
static enum ms_err
list_change(struct store *st, int add, const char *list, const char *value,
    const char *actor)
{
	sqlite3_stmt	*s;
	json_t		*d;
	enum ms_err	 rc;

	s = add ? store__stmt(st, STMT_LIST_ADD, SQL_LIST_ADD) :
	    store__stmt(st, STMT_LIST_REMOVE, SQL_LIST_REMOVE);
	if (s == NULL)
		return MS_EDB;
	rc = add ? store__bind(st, s, "tti", list, value, store__now()) :
	    store__bind(st, s, "tt", list, value);
	if (rc != MS_OK || (rc = store__exec(st, s, "list change")) != MS_OK)
		return rc;
	if (sqlite3_changes(st->db) == 0)
		return MS_OK;
	d = json_pack("{s:o,s:o,s:s}", "list", store__jstr(list), "value",
	    store__jstr(value), "change", add ? "added" : "removed");
	rc = store__audit(st, actor, "list changed", 0, d);
	json_decref(d);
	return rc;
}

static enum ms_err
list_write(struct store *st, int add, const char *list, const char *value,
    const char *actor)
{
	enum ms_err	rc;
	int		outer;

	if (empty(list) || value == NULL || empty(actor)) {
		log_warnx("store: list change: no list, value or actor");
		return MS_EINVAL;
	}
	if ((rc = store__wbegin(st, &outer)) != MS_OK)
		return rc;
	return store__wend(st, outer, list_change(st, add, list, value,
	    actor));
}

/* Adding a value already in the list changes nothing (MS_OK). */
enum ms_err
store_list_add(struct store *st, const char *list, const char *value,
    const char *actor)
{
	return list_write(st, 1, list, value, actor);
}

/* Removing a value not in the list changes nothing (MS_OK). */
enum ms_err
store_list_remove(struct store *st, const char *list, const char *value,
    const char *actor)
{
	return list_write(st, 0, list, value, actor);
}

int
store_list_contains(struct store *st, const char *list, const char *value)
{
	sqlite3_stmt	*s;
	int		 src;

	if (list == NULL || value == NULL)
		return 0;
	if ((s = store__stmt(st, STMT_LIST_HAS, SQL_LIST_HAS)) == NULL ||
	    store__bind(st, s, "tt", list, value) != MS_OK)
		return -1;
	src = sqlite3_step(s);
	if (src != SQLITE_ROW && src != SQLITE_DONE) {
		store__fail(st, s, "list contains");
		return -1;
	}
	sqlite3_reset(s);
	return src == SQLITE_ROW;
}

enum ms_err
store_list_json(struct store *st, const char *list, char **json)
{
	sqlite3_stmt	*s;
	json_t		*arr;
	int		 src;

	*json = NULL;
	if (list == NULL)
		return MS_EINVAL;
	if ((s = store__stmt(st, STMT_LIST_ALL, SQL_LIST_ALL)) == NULL ||
	    store__bind(st, s, "t", list) != MS_OK)
		return MS_EDB;
	arr = json_array();
	while ((src = sqlite3_step(s)) == SQLITE_ROW)
		json_array_append_new(arr, store__col_str(s, 0));
	if (src != SQLITE_DONE) {
		json_decref(arr);
		return store__fail(st, s, "list");
	}
	sqlite3_reset(s);
	return store__json_out(arr, json);
}

/* ---- action result cache ------------------------------------------- */

enum ms_err
store_cache_get(struct store *st, const char *key, int64_t now,
    char **result_json)
{
	sqlite3_stmt	*s;
	int		 src;

	*result_json = NULL;
	if (empty(key))
		return MS_EINVAL;
	if ((s = store__stmt(st, STMT_CACHE_GET, SQL_CACHE_GET)) == NULL ||
	    store__bind(st, s, "ti", key, now) != MS_OK)
		return MS_EDB;
	src = sqlite3_step(s);
	if (src == SQLITE_ROW)
		*result_json = store__col_dup(s, 0);
	else if (src != SQLITE_DONE)
		return store__fail(st, s, "cache get");
	sqlite3_reset(s);
	return src == SQLITE_ROW ? MS_OK : MS_EAGAIN;
}

/* Not audited: the cache is a copy of action runs that are. */
enum ms_err
store_cache_put(struct store *st, const char *key, const char *result_json,
    int64_t expires)
{
	sqlite3_stmt	*s;
	json_t		*v;
	enum ms_err	 rc;
	int		 outer;

	if (empty(key)) {
		log_warnx("store: cache put: no key");
		return MS_EINVAL;
	}
	if ((rc = store__json_parse(result_json, JSON_OBJECT, "cached result",
	    &v)) != MS_OK)
		return rc;
	json_decref(v);
	if ((rc = store__wbegin(st, &outer)) != MS_OK)
		return rc;
	if ((s = store__stmt(st, STMT_CACHE_PUT, SQL_CACHE_PUT)) == NULL)
		rc = MS_EDB;
	else if ((rc = store__bind(st, s, "ttii", key, result_json, expires,
	    store__now())) == MS_OK)
		rc = store__exec(st, s, "cache put");
	return store__wend(st, outer, rc);
}

/* Delete the entries expired at 'now' (store_cache_get already ignores
 * them; this reclaims the space). */
enum ms_err
store_cache_purge(struct store *st, int64_t now)
{
	sqlite3_stmt	*s;
	enum ms_err	 rc;
	int		 outer;

	if ((rc = store__wbegin(st, &outer)) != MS_OK)
		return rc;
	if ((s = store__stmt(st, STMT_CACHE_PURGE, SQL_CACHE_PURGE)) == NULL)
		rc = MS_EDB;
	else if ((rc = store__bind(st, s, "i", now)) == MS_OK)
		rc = store__exec(st, s, "cache purge");
	return store__wend(st, outer, rc);
}
