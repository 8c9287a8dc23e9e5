/* SPDX-License-Identifier: Apache-2.0 */
/*
 * store_int.h -- what the files of the SQLite store share: the struct
 * store, the prepared-statement cache, the write-transaction helpers,
 * binding and JSON helpers, the audit append and the schema migrations.
 * Only the .c files of src/store include it (and tests/unit/test_store.c, which
 * drives the migrations directly).  Everything here runs on the thread
 * that owns the struct store.
 */
#ifndef MS_STORE_INT_H
#define MS_STORE_INT_H

#include <stdint.h>

#include <jansson.h>
#include <sqlite3.h>

#include "store.h"

/* Busy timeout: how long a writer waits for another process's lock.
 * Long enough for `mailsoar intel refresh` to replace a source of a
 * million indicators (one transaction, ~5 s) while `serve` waits to
 * store its next batch: serve stops on a store failure. */
#define STORE_BUSY_MS		60000
/* SQLite's page cache per connection, in KiB (negative: a size, not a
 * page count).  A batch of 50,000 action runs dirties ~40 MiB; past the
 * cache SQLite spills pages to the WAL before COMMIT, a write each. */
#define STORE_CACHE_KIB		"-65536"
/* A hex SHA-256 and its NUL. */
#define STORE_HEX		65

/*
 * One slot per cached prepared statement.  Each statement is prepared on
 * first use with the SQL its caller passes (the SQL lives next to the code
 * that runs it) and reset and reused afterwards.
 */
enum store_stmt {
	STMT_BEGIN, STMT_COMMIT, STMT_ROLLBACK, STMT_SAVEPOINT, STMT_RELEASE,
	STMT_ROLLBACK_TO, STMT_READ_BEGIN, STMT_VERSION,
	STMT_AUDIT_HEAD, STMT_AUDIT_INSERT, STMT_AUDIT_ALL, STMT_AUDIT_LAST,
	STMT_CONT_INSERT, STMT_CONT_FIND_KEY, STMT_CONT_FIND_CAMPAIGN,
	STMT_CONT_FIND_MID, STMT_CONT_JOIN, STMT_CONT_REPORTER, STMT_CONT_GET,
	STMT_CONT_TAGS,
	STMT_CONT_REPORTERS, STMT_CONT_LIST, STMT_CONT_SET_SEVERITY,
	STMT_CONT_SET_STATUS, STMT_CONT_SET_VERDICT, STMT_CONT_SET_OWNER,
	STMT_CONT_TAG, STMT_CONT_FIELDS,
	STMT_ART_INSERT, STMT_ART_FIND, STMT_ART_LIST, STMT_VAULT_INSERT,
	STMT_SCORE_INSERT, STMT_SCORE_UPDATE, STMT_SCORE_LIST, STMT_CONT_SCORE,
	STMT_NOTE_INSERT, STMT_NOTE_LIST,
	STMT_RUN_INSERT, STMT_RUN_FINISH, STMT_RUN_GET, STMT_RUN_IDS,
	STMT_ARUN_INSERT, STMT_ARUN_LIST, STMT_RUN_SCORES, STMT_RUN_NOTES,
	STMT_RUN_PROMPTS,
	STMT_PROMPT_INSERT, STMT_PROMPT_GET, STMT_PROMPT_ANSWER,
	STMT_PROMPT_DUE, STMT_PROMPT_EXPIRE, STMT_PROMPT_LIST,
	STMT_PROMPT_PENDING,
	STMT_LIST_ADD, STMT_LIST_REMOVE, STMT_LIST_HAS, STMT_LIST_ALL,
	STMT_CACHE_GET, STMT_CACHE_PUT, STMT_CACHE_PURGE,
	STMT_CURSOR_GET, STMT_CURSOR_SET, STMT_CURSOR_LIST,
	STMT_INGESTED_HAS, STMT_INGESTED_ADD,
	STMT_INTEL_SOURCE, STMT_INTEL_CLEAR, STMT_INTEL_INSERT,
	STMT_INTEL_COUNT, STMT_INTEL_BUMP, STMT_INTEL_GEN, STMT_INTEL_LOOKUP,
	STMT_SENDER_DOMAIN, STMT_SENDER_SEEN,
	STMT__COUNT
};

struct store {
	sqlite3		*db;
	char		*path;
	sqlite3_stmt	*stmt[STMT__COUNT];
	int		 batch;		/* inside store_begin/store_commit */
};

/* ---- sqlite.c ---------------------------------------------------- */

/* The cached statement 'id', prepared from 'sql' on first use, reset and
 * ready to bind.  NULL (logged) when SQLite cannot prepare it. */
sqlite3_stmt	*store__stmt(struct store *st, enum store_stmt id,
		    const char *sql);
/*
 * Bind the arguments after 'fmt' to parameters 1, 2, ... of 's', one
 * letter each: 't' const char * (NULL binds NULL), 'i' int64_t, 'I'
 * int64_t where 0 binds NULL (optional ids), 'n' int.  MS_OK or MS_EDB.
 */
enum ms_err	 store__bind(struct store *st, sqlite3_stmt *s,
		    const char *fmt, ...);
/* Log "store: 'what': <sqlite message>" and map the last SQLite error:
 * a constraint (no such container, a bad id) is MS_EINVAL, the rest
 * MS_EDB.  Resets 's' if not NULL. */
enum ms_err	 store__fail(struct store *st, sqlite3_stmt *s,
		    const char *what);
/* Step 's' once expecting SQLITE_DONE; reset it.  MS_OK or as above. */
enum ms_err	 store__exec(struct store *st, sqlite3_stmt *s,
		    const char *what);

/*
 * Start a write: BEGIN IMMEDIATE when no transaction is open (*outer set
 * to 1), else a SAVEPOINT inside the caller's store_begin transaction.
 * store__wend commits or releases on MS_OK and rolls back otherwise; it
 * returns 'rc', or MS_EDB when the commit fails.
 */
enum ms_err	 store__wbegin(struct store *st, int *outer);
enum ms_err	 store__wend(struct store *st, int outer, enum ms_err rc);
/* A read snapshot over several statements when no transaction is open. */
enum ms_err	 store__rbegin(struct store *st, int *outer);
void		 store__rend(struct store *st, int outer);

/*
 * Parse 'text' as JSON of 'type' (JSON_OBJECT, JSON_ARRAY, or -1 for any
 * value); 'what' names it in the log.  New reference in '*out'.  MS_EINVAL
 * (logged) when it is not.
 */
enum ms_err	 store__json_parse(const char *text, int type,
		    const char *what, json_t **out);
/* Canonical text: sorted keys, compact.  Newly allocated; xfree(). */
char		*store__json_canon(const json_t *v);
/* 's' as a JSON string (NULL: null).  Bytes that are not UTF-8 (from an
 * email) become U+FFFD rather than making json_pack fail. */
json_t		*store__jstr(const char *s);
/* Column 'i' of 's' as a JSON string, integer or parsed JSON value; SQL
 * NULL is JSON null (or 'dflt' text for store__col_json, when set). */
json_t		*store__col_str(sqlite3_stmt *s, int i);
json_t		*store__col_int(sqlite3_stmt *s, int i);
json_t		*store__col_json(sqlite3_stmt *s, int i, const char *dflt);
/* Column 'i' newly allocated, or NULL for SQL NULL. */
char		*store__col_dup(sqlite3_stmt *s, int i);
/* Dump 'v' (stolen) compactly into '*out' for the caller to xfree(). */
enum ms_err	 store__json_out(json_t *v, char **out);
/* Lower-case hex SHA-256 of 'len' bytes at 'p'. */
void		 store__sha256(const void *p, size_t len, char out[STORE_HEX]);
/* Now, in microseconds since the epoch. */
int64_t		 store__now(void);

/* ---- prompt.c ------------------------------------------------------ */

/* The columns store__prompt_row reads, for a SELECT on prompts. */
#define STORE_PROMPT_COLUMNS \
	"id, run_id, container_id, message, choices, def, expires, status," \
	" answer, answered_by, created"
/* A row of STORE_PROMPT_COLUMNS as the JSON object of store.h. */
json_t		*store__prompt_row(sqlite3_stmt *s);

/* ---- audit.c ------------------------------------------------------- */

/* Append one audit entry inside the caller's write; 'detail' (borrowed)
 * an object or NULL.  MS_OK or MS_EDB. */
enum ms_err	 store__audit(struct store *st, const char *actor,
		    const char *event, int64_t container_id,
		    const json_t *detail);

/* ---- schema.c ------------------------------------------------------ */

/* The newest schema version this build knows. */
int		 store__schema_latest(void);
/*
 * Bring 'db' from its PRAGMA user_version up to 'target' (at most
 * store__schema_latest()) in one transaction.  A store newer than this
 * build is refused.  MS_OK, or MS_EDB with 'err'.
 */
enum ms_err	 store__migrate(sqlite3 *db, int target, char *err,
		    size_t errlen);

#endif /* MS_STORE_INT_H */
