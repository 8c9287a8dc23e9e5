/* SPDX-License-Identifier: Apache-2.0 */
/*
 * audit.c -- the audit log: a hash chain of entries appended in the same
 * transaction as the change they record, its verification and its JSON.
 * Runs wherever the store runs.  Verification trusts nothing in the table:
 * it recomputes every hash from the fields.
 *
 * Hash layout (version 1 of the chain; docs/internals/store.md):
 *
 *	hash = lower-case hex SHA-256 of
 *	    N(prev_hash) N(id) N(ts) N(actor) N(event) N(container_id)
 *	    N(detail)
 *	N(x) = the decimal byte length of x, ':', the bytes of x, ','
 *
 * (a netstring, so no field can run into the next).  Integers are in
 * decimal ASCII ('-' for negatives, no leading zeros); container_id is 0
 * for none; detail is the canonical JSON text (sorted keys, compact) as
 * stored, or empty when there is none.  The first entry's prev_hash is 64
 * '0's; each next one's is the hash of the entry before it.  Ids are
 * 1, 2, 3 ... and part of the hash, so a deleted, inserted or reordered
 * entry breaks the chain where it happened.
 */
#include <inttypes.h>
#include <stdio.h>
#include <string.h>

#include <glib.h>

#include "store_int.h"
#include "../common/log.h"

#define ZERO_HASH \
	"0000000000000000000000000000000000000000000000000000000000000000"

static const char SQL_AUDIT_HEAD[] =
	"SELECT id, hash FROM audit_log ORDER BY id DESC LIMIT 1";
static const char SQL_AUDIT_INSERT[] =
	"INSERT INTO audit_log (id, ts, actor, event, container_id, detail,"
	" prev_hash, hash) VALUES (?, ?, ?, ?, ?, ?, ?, ?)";
static const char SQL_AUDIT_ALL[] =
	"SELECT id, ts, actor, event, container_id, detail, prev_hash, hash"
	" FROM audit_log ORDER BY id";
static const char SQL_AUDIT_LAST[] =
	"SELECT id, ts, actor, event, container_id, detail, prev_hash, hash"
	" FROM (SELECT * FROM audit_log ORDER BY id DESC LIMIT ?)"
	" ORDER BY id";

/* 'v' in decimal into 'buf' (at least 21 bytes), without a NUL; its
 * length.  snprintf would do, but it was a tenth of the cost of an action
 * run, seven fields an entry. */
static size_t
decimal(char *buf, uint64_t v)
{
	char	tmp[24];
	size_t	n = 0, i;

	do {
		tmp[n++] = (char)('0' + v % 10);
		v /= 10;
	} while (v != 0);
	for (i = 0; i < n; i++)
		buf[i] = tmp[n - 1 - i];
	return n;
}

/* Feed one netstring-framed field to 'c'. */
static void
field(GChecksum *c, const char *p, size_t len)
{
	char	n[32];
	size_t	k = decimal(n, len);

	n[k++] = ':';
	g_checksum_update(c, (const guchar *)n, (gssize)k);
	g_checksum_update(c, (const guchar *)p, (gssize)len);
	g_checksum_update(c, (const guchar *)",", 1);
}

static void
field_int(GChecksum *c, int64_t v)
{
	char	n[32];
	size_t	k = 0;

	if (v < 0) {
		n[k++] = '-';
		k += decimal(n + k, (uint64_t)0 - (uint64_t)v);
	} else
		k = decimal(n, (uint64_t)v);
	field(c, n, k);
}

static void
field_str(GChecksum *c, const char *s)
{
	if (s == NULL)
		s = "";
	field(c, s, strlen(s));
}

/* The entry hash of the layout in the file header. */
static void
entry_hash(const char *prev, int64_t id, int64_t ts, const char *actor,
    const char *event, int64_t container_id, const char *detail,
    char out[STORE_HEX])
{
	GChecksum	*c = g_checksum_new(G_CHECKSUM_SHA256);

	field_str(c, prev);
	field_int(c, id);
	field_int(c, ts);
	field_str(c, actor);
	field_str(c, event);
	field_int(c, container_id);
	field_str(c, detail);
	g_strlcpy(out, g_checksum_get_string(c), STORE_HEX);
	g_checksum_free(c);
}

/*
 * The head of the chain is read from the table every time rather than
 * cached: a rolled-back savepoint would otherwise leave a stale head.  The
 * query is one step to the end of the rowid b-tree.
 */
enum ms_err
store__audit(struct store *st, const char *actor, const char *event,
    int64_t container_id, const json_t *detail)
{
	sqlite3_stmt	*s;
	char		 prev[STORE_HEX] = ZERO_HASH, hash[STORE_HEX];
	char		*text = NULL;
	int64_t		 id = 1, ts = store__now();
	enum ms_err	 rc = MS_EDB;
	int		 src;

	if ((s = store__stmt(st, STMT_AUDIT_HEAD, SQL_AUDIT_HEAD)) == NULL)
		return MS_EDB;
	src = sqlite3_step(s);
	if (src == SQLITE_ROW) {
		id = sqlite3_column_int64(s, 0) + 1;
		g_strlcpy(prev, (const char *)sqlite3_column_text(s, 1),
		    sizeof(prev));
	} else if (src != SQLITE_DONE)
		return store__fail(st, s, "audit head");
	sqlite3_reset(s);
	if (detail != NULL)
		text = store__json_canon(detail);
	entry_hash(prev, id, ts, actor, event, container_id, text, hash);
	if ((s = store__stmt(st, STMT_AUDIT_INSERT, SQL_AUDIT_INSERT)) == NULL)
		goto out;
	rc = store__bind(st, s, "iittittt", id, ts, actor, event,
	    container_id, text, prev, hash);
	if (rc == MS_OK)
		rc = store__exec(st, s, "audit");
out:
	xfree(text);
	return rc;
}

/* A caller's own entry: an event name the engine chose, for instance
 * "setting changed". */
enum ms_err
store_audit(struct store *st, const char *actor, const char *event,
    int64_t container_id, const char *detail_json)
{
	json_t		*d = NULL;
	enum ms_err	 rc;
	int		 outer;

	if (actor == NULL || *actor == '\0' || event == NULL ||
	    *event == '\0' || container_id < 0) {
		log_warnx("store: audit: actor and event are required");
		return MS_EINVAL;
	}
	if (detail_json != NULL && (rc = store__json_parse(detail_json,
	    JSON_OBJECT, "audit detail", &d)) != MS_OK)
		return rc;
	if ((rc = store__wbegin(st, &outer)) == MS_OK)
		rc = store__wend(st, outer,
		    store__audit(st, actor, event, container_id, d));
	json_decref(d);
	return rc;
}

/* Column 'i' as text, "" for NULL. */
static const char *
col(sqlite3_stmt *s, int i)
{
	const char	*t = (const char *)sqlite3_column_text(s, i);

	return t != NULL ? t : "";
}

/*
 * Walk the chain in id order.  An entry is bad when its prev_hash is not
 * the previous entry's hash (one was deleted, inserted or moved before
 * it), or when its own hash does not match its fields (it was changed).
 */
enum ms_err
store_audit_verify(struct store *st, int64_t *bad_id, char *why,
    size_t whylen)
{
	sqlite3_stmt	*s;
	char		 prev[STORE_HEX] = ZERO_HASH, hash[STORE_HEX];
	int64_t		 id, expect = 1;
	enum ms_err	 rc = MS_OK;
	int		 src, outer;

	*bad_id = 0;
	if (whylen > 0)
		why[0] = '\0';
	if (store__rbegin(st, &outer) != MS_OK)
		return MS_EDB;
	if ((s = store__stmt(st, STMT_AUDIT_ALL, SQL_AUDIT_ALL)) == NULL) {
		rc = MS_EDB;
		goto out;
	}
	while ((src = sqlite3_step(s)) == SQLITE_ROW) {
		id = sqlite3_column_int64(s, 0);
		if (strcmp(col(s, 6), prev) != 0 || id != expect) {
			snprintf(why, whylen, "entry %" PRId64 ": its link to "
			    "the entry before it is broken (an entry was "
			    "deleted, inserted or reordered)", id);
			goto bad;
		}
		entry_hash(prev, id, sqlite3_column_int64(s, 1), col(s, 2),
		    col(s, 3), sqlite3_column_int64(s, 4),
		    (const char *)sqlite3_column_text(s, 5), hash);
		if (strcmp(hash, col(s, 7)) != 0) {
			snprintf(why, whylen, "entry %" PRId64 ": its hash "
			    "does not match its fields (it was changed)", id);
			goto bad;
		}
		g_strlcpy(prev, hash, sizeof(prev));
		expect = id + 1;
	}
	if (src != SQLITE_DONE)
		rc = store__fail(st, s, "audit verify");
	sqlite3_reset(s);
	goto out;
bad:
	*bad_id = id;
	rc = MS_EPARSE;
	sqlite3_reset(s);
out:
	store__rend(st, outer);
	return rc;
}

enum ms_err
store_audit_json(struct store *st, size_t limit, char **json)
{
	sqlite3_stmt	*s;
	json_t		*arr, *o;
	int		 src;

	*json = NULL;
	if ((s = store__stmt(st, STMT_AUDIT_LAST, SQL_AUDIT_LAST)) == NULL)
		return MS_EDB;
	if (store__bind(st, s, "i", limit ? (int64_t)limit : (int64_t)-1))
		return MS_EDB;
	arr = json_array();
	while ((src = sqlite3_step(s)) == SQLITE_ROW) {
		o = json_pack("{s:o,s:o,s:o,s:o,s:o,s:o,s:o,s:o}",
		    "id", store__col_int(s, 0),
		    "ts", store__col_int(s, 1),
		    "actor", store__col_str(s, 2),
		    "event", store__col_str(s, 3),
		    "container_id", sqlite3_column_int64(s, 4) ?
		    store__col_int(s, 4) : json_null(),
		    "detail", store__col_json(s, 5, NULL),
		    "prev_hash", store__col_str(s, 6),
		    "hash", store__col_str(s, 7));
		json_array_append_new(arr, o);
	}
	if (src != SQLITE_DONE) {
		json_decref(arr);
		return store__fail(st, s, "audit list");
	}
	sqlite3_reset(s);
	return store__json_out(arr, json);
}
