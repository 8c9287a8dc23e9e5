/* SPDX-License-Identifier: Apache-2.0 */
/*
 * cursor.c -- what ingestion remembers between runs: each mailbox's
 * cursor (UIDVALIDITY and the last UID stored) and the messages each
 * mailbox delivered, so that a rescan after a UIDVALIDITY change does not
 * store them again.  Runs wherever the store runs (the daemon's engine
 * thread); mailbox names and keys come from our own config and digests.
 */
#include <string.h>

#include "store_int.h"
#include "../common/log.h"

static const char SQL_CURSOR_GET[] =
	"SELECT uidvalidity, last_uid FROM mailbox_cursors WHERE mailbox = ?";
static const char SQL_CURSOR_SET[] =
	"INSERT INTO mailbox_cursors (mailbox, uidvalidity, last_uid, updated)"
	" VALUES (?, ?, ?, ?) ON CONFLICT (mailbox) DO UPDATE SET"
	" uidvalidity = excluded.uidvalidity, last_uid = excluded.last_uid,"
	" updated = excluded.updated";
static const char SQL_CURSOR_LIST[] =
	"SELECT mailbox, uidvalidity, last_uid, updated FROM mailbox_cursors"
	" ORDER BY mailbox";
static const char SQL_INGESTED_HAS[] =
	"SELECT 1 FROM ingested WHERE mailbox = ? AND key = ?";
static const char SQL_INGESTED_ADD[] =
	"INSERT INTO ingested (mailbox, key, container_id, created)"
	" VALUES (?, ?, ?, ?) ON CONFLICT DO NOTHING";

static int
empty(const char *s)
{
	return s == NULL || *s == '\0';
}

/* The cursor of 'mailbox' into '*found' (0 or 1), '*uv' and '*last'. */
static enum ms_err
cursor_read(struct store *st, const char *mailbox, int *found, int64_t *uv,
    int64_t *last)
{
	sqlite3_stmt	*s;
	int		 src;

	*found = 0;
	*uv = *last = 0;
	if ((s = store__stmt(st, STMT_CURSOR_GET, SQL_CURSOR_GET)) == NULL ||
	    store__bind(st, s, "t", mailbox) != MS_OK)
		return MS_EDB;
	src = sqlite3_step(s);
	if (src == SQLITE_ROW) {
		*found = 1;
		*uv = sqlite3_column_int64(s, 0);
		*last = sqlite3_column_int64(s, 1);
	} else if (src != SQLITE_DONE)
		return store__fail(st, s, "cursor get");
	sqlite3_reset(s);
	return MS_OK;
}

/* The cursor as two uint32_t (IMAP's UIDVALIDITY and UIDs are 32-bit;
 * SQLite keeps them as 64-bit integers). */
enum ms_err
store_cursor_get(struct store *st, const char *mailbox,
    uint32_t *uidvalidity, uint32_t *last_uid)
{
	int64_t		uv, last;
	enum ms_err	rc;
	int		found;

	*uidvalidity = *last_uid = 0;
	if (empty(mailbox)) {
		log_warnx("store: cursor get: no mailbox");
		return MS_EINVAL;
	}
	if ((rc = cursor_read(st, mailbox, &found, &uv, &last)) != MS_OK)
		return rc;
	if (!found)
		return MS_EAGAIN;
	*uidvalidity = (uint32_t)uv;
	*last_uid = (uint32_t)last;
	return MS_OK;
}

/*
 * A new UIDVALIDITY means the server renumbered the folder: every UID
 * before it means nothing now, and the daemon rescans.  That is worth an
 * audit entry; moving the cursor forward is not (the containers it stored
 * have theirs).
 */
static enum ms_err
cursor_write(struct store *st, const char *mailbox, uint32_t uidvalidity,
    uint32_t last_uid)
{
	sqlite3_stmt	*s;
	json_t		*d;
	int64_t		 uv, last;
	enum ms_err	 rc;
	int		 found;

	if ((rc = cursor_read(st, mailbox, &found, &uv, &last)) != MS_OK)
		return rc;
	if ((s = store__stmt(st, STMT_CURSOR_SET, SQL_CURSOR_SET)) == NULL)
		return MS_EDB;
	if ((rc = store__bind(st, s, "tiii", mailbox, (int64_t)uidvalidity,
	    (int64_t)last_uid, store__now())) != MS_OK ||
	    (rc = store__exec(st, s, "cursor set")) != MS_OK)
		return rc;
	if (!found || uv == (int64_t)uidvalidity)
		return MS_OK;
	d = json_pack("{s:o,s:I,s:I,s:I,s:I}", "mailbox", store__jstr(mailbox),
	    "old_uidvalidity", (json_int_t)uv,
	    "old_last_uid", (json_int_t)last,
	    "uidvalidity", (json_int_t)uidvalidity,
	    "last_uid", (json_int_t)last_uid);
	rc = store__audit(st, "system", "mailbox uidvalidity changed", 0, d);
	json_decref(d);
	return rc;
}

/* Checked before the write starts, like every writing call. */
enum ms_err
store_cursor_set(struct store *st, const char *mailbox, uint32_t uidvalidity,
    uint32_t last_uid)
{
	enum ms_err	rc;
	int		outer;

	if (empty(mailbox)) {
		log_warnx("store: cursor set: no mailbox");
		return MS_EINVAL;
	}
	if ((rc = store__wbegin(st, &outer)) != MS_OK)
		return rc;
	return store__wend(st, outer, cursor_write(st, mailbox, uidvalidity,
	    last_uid));
}

/* An unusable mailbox or key was never ingested: 0, not an error. */
int
store_ingested(struct store *st, const char *mailbox, const char *key)
{
	sqlite3_stmt	*s;
	int		 src;

	if (empty(mailbox) || empty(key))
		return 0;
	if ((s = store__stmt(st, STMT_INGESTED_HAS, SQL_INGESTED_HAS)) ==
	    NULL || store__bind(st, s, "tt", mailbox, key) != MS_OK)
		return -1;
	src = sqlite3_step(s);
	if (src != SQLITE_ROW && src != SQLITE_DONE) {
		store__fail(st, s, "ingested");
		return -1;
	}
	sqlite3_reset(s);
	return src == SQLITE_ROW;
}

/* A key already recorded for the mailbox is no change (MS_OK); an unknown
 * container is MS_EINVAL (the foreign key); 'container_id' 0 records a
 * message that was not stored (unreadable), so that it is not retried. */
enum ms_err
store_ingested_add(struct store *st, const char *mailbox, const char *key,
    int64_t container_id)
{
	sqlite3_stmt	*s;
	enum ms_err	 rc;
	int		 outer;

	if (empty(mailbox) || empty(key) || container_id < 0) {
		log_warnx("store: ingested add: no mailbox or key");
		return MS_EINVAL;
	}
	if ((rc = store__wbegin(st, &outer)) != MS_OK)
		return rc;
	s = store__stmt(st, STMT_INGESTED_ADD, SQL_INGESTED_ADD);
	if (s == NULL)
		rc = MS_EDB;
	else if ((rc = store__bind(st, s, "ttIi", mailbox, key, container_id,
	    store__now())) == MS_OK)
		rc = store__exec(st, s, "ingested add");
	return store__wend(st, outer, rc);
}

/* Every cursor, by mailbox name. */
enum ms_err
store_cursors_json(struct store *st, char **json)
{
	sqlite3_stmt	*s;
	json_t		*arr;
	int		 src;

	*json = NULL;
	if ((s = store__stmt(st, STMT_CURSOR_LIST, SQL_CURSOR_LIST)) == NULL)
		return MS_EDB;
	arr = json_array();
	while ((src = sqlite3_step(s)) == SQLITE_ROW)
		json_array_append_new(arr, json_pack("{s:o,s:o,s:o,s:o}",
		    "mailbox", store__col_str(s, 0),
		    "uidvalidity", store__col_int(s, 1),
		    "last_uid", store__col_int(s, 2),
		    "updated", store__col_int(s, 3)));
	if (src != SQLITE_DONE) {
		json_decref(arr);
		return store__fail(st, s, "cursor list");
	}
	sqlite3_reset(s);
	return store__json_out(arr, json);
}
