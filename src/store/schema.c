/* SPDX-License-Identifier: Apache-2.0 */
/*
 * schema.c -- the store's schema as an ordered list of migrations.  Step
 * N (counting from 1) takes a store from PRAGMA user_version N-1 to N;
 * opening a store runs the missing steps in one transaction, and refuses
 * a store whose version is newer than this build.  Steps are never
 * edited once released: a change is a new step at the end.  Runs at
 * store_open, in whichever process opens the store.
 */
#include <stdio.h>

#include "store_int.h"

/*
 * Version 1: the tables.  Times are microseconds since the epoch; JSON
 * columns hold text the store parsed; optional ids are NULL, not 0.
 */
static const char SCHEMA_V1[] =
	"CREATE TABLE containers ("
	" id INTEGER PRIMARY KEY,"
	" dedupe_key TEXT NOT NULL,"	/* hex sha256, see container.c */
	" name TEXT NOT NULL,"
	" label TEXT NOT NULL,"
	" severity TEXT NOT NULL,"
	" status TEXT NOT NULL DEFAULT 'new',"
	" owner TEXT,"
	" verdict TEXT,"
	" score INTEGER NOT NULL DEFAULT 0,"
	" seen_count INTEGER NOT NULL DEFAULT 1,"
	" message_id TEXT,"
	" body_sha256 TEXT,"
	" input_sha256 TEXT,"
	" source TEXT,"
	" data TEXT NOT NULL,"		/* JSON object: the analysis */
	" created INTEGER NOT NULL,"
	" updated INTEGER NOT NULL);"
	"CREATE UNIQUE INDEX containers_dedupe ON containers(dedupe_key);"
	"CREATE TABLE container_reporters ("
	" id INTEGER PRIMARY KEY,"
	" container_id INTEGER NOT NULL REFERENCES containers(id)"
	"  ON DELETE CASCADE,"
	" reporter TEXT NOT NULL,"
	" created INTEGER NOT NULL,"
	" UNIQUE (container_id, reporter));"
	"CREATE TABLE tags ("
	" id INTEGER PRIMARY KEY,"
	" container_id INTEGER NOT NULL REFERENCES containers(id)"
	"  ON DELETE CASCADE,"
	" tag TEXT NOT NULL,"
	" created INTEGER NOT NULL,"
	" UNIQUE (container_id, tag));"
	"CREATE TABLE artifacts ("
	" id INTEGER PRIMARY KEY,"
	" container_id INTEGER NOT NULL REFERENCES containers(id)"
	"  ON DELETE CASCADE,"
	" dedupe_key TEXT NOT NULL,"	/* sha256 of the canonical JSON */
	" name TEXT,"
	" label TEXT,"
	" json TEXT NOT NULL,"		/* canonical JSON object */
	" source TEXT NOT NULL,"
	" created INTEGER NOT NULL,"
	" UNIQUE (container_id, dedupe_key));"
	"CREATE TABLE vault_files ("
	" id INTEGER PRIMARY KEY,"
	" container_id INTEGER NOT NULL REFERENCES containers(id)"
	"  ON DELETE CASCADE,"
	" sha256 TEXT NOT NULL,"
	" size INTEGER NOT NULL,"
	" file_name TEXT NOT NULL,"	/* '' when unknown */
	" detected_type TEXT,"
	" created INTEGER NOT NULL,"
	" UNIQUE (container_id, sha256, file_name));"
	"CREATE TABLE playbook_runs ("
	" id INTEGER PRIMARY KEY,"
	" container_id INTEGER REFERENCES containers(id),"
	" playbook TEXT NOT NULL,"
	" status TEXT NOT NULL,"	/* running, success, failed, ... */
	" message TEXT,"
	" traceback TEXT,"
	" started INTEGER NOT NULL,"
	" finished INTEGER);"
	"CREATE TABLE score_reasons ("
	" id INTEGER PRIMARY KEY,"
	" container_id INTEGER NOT NULL REFERENCES containers(id)"
	"  ON DELETE CASCADE,"
	" run_id INTEGER REFERENCES playbook_runs(id),"
	" points INTEGER NOT NULL,"
	" reason TEXT NOT NULL,"
	" evidence TEXT,"		/* JSON value */
	" created INTEGER NOT NULL);"
	"CREATE TABLE notes ("
	" id INTEGER PRIMARY KEY,"
	" container_id INTEGER NOT NULL REFERENCES containers(id)"
	"  ON DELETE CASCADE,"
	" run_id INTEGER REFERENCES playbook_runs(id),"
	" author TEXT NOT NULL,"
	" title TEXT NOT NULL,"
	" body TEXT NOT NULL,"		/* markdown */
	" created INTEGER NOT NULL);"
	"CREATE TABLE action_runs ("
	" id INTEGER PRIMARY KEY,"
	" run_id INTEGER REFERENCES playbook_runs(id),"
	" container_id INTEGER REFERENCES containers(id),"
	" action TEXT NOT NULL,"
	" app TEXT NOT NULL,"
	" asset TEXT,"
	" params TEXT NOT NULL,"	/* JSON object */
	" status TEXT NOT NULL,"
	" message TEXT,"
	" result TEXT,"			/* JSON object, as given */
	" result_sha256 TEXT,"
	" cached INTEGER NOT NULL,"
	" attempts INTEGER NOT NULL,"
	" started INTEGER NOT NULL,"
	" finished INTEGER NOT NULL,"
	" approved_by TEXT);"
	"CREATE TABLE prompts ("
	" id INTEGER PRIMARY KEY,"
	" run_id INTEGER REFERENCES playbook_runs(id),"
	" container_id INTEGER REFERENCES containers(id),"
	" message TEXT NOT NULL,"
	" choices TEXT NOT NULL,"	/* JSON array of strings */
	" def TEXT,"
	" expires INTEGER NOT NULL,"	/* 0: never */
	" status TEXT NOT NULL,"	/* pending, answered, expired */
	" answer TEXT,"
	" answered_by TEXT,"
	" created INTEGER NOT NULL,"
	" answered INTEGER);"
	"CREATE TABLE custom_lists ("
	" id INTEGER PRIMARY KEY,"
	" list TEXT NOT NULL,"
	" value TEXT NOT NULL,"
	" created INTEGER NOT NULL,"
	" UNIQUE (list, value));"
	"CREATE TABLE cache ("
	" key TEXT PRIMARY KEY,"
	" result TEXT NOT NULL,"
	" expires INTEGER NOT NULL,"
	" created INTEGER NOT NULL);"
	"CREATE TABLE audit_log ("
	" id INTEGER PRIMARY KEY,"	/* 1, 2, 3 ... without gaps */
	" ts INTEGER NOT NULL,"
	" actor TEXT NOT NULL,"
	" event TEXT NOT NULL,"
	" container_id INTEGER NOT NULL,"	/* 0: none; no FK */
	" detail TEXT,"			/* canonical JSON object */
	" prev_hash TEXT NOT NULL,"
	" hash TEXT NOT NULL);";

/*
 * Version 2: indexes on what the getters filter and sort on, and triggers
 * that make the audit log append-only through SQL (a guard against
 * mistakes; someone with the file can drop them, which is what the hash
 * chain is for).
 */
static const char SCHEMA_V2[] =
	"CREATE INDEX artifacts_container ON artifacts(container_id);"
	"CREATE INDEX vault_files_sha256 ON vault_files(sha256);"
	"CREATE INDEX score_reasons_container ON score_reasons(container_id);"
	"CREATE INDEX score_reasons_run ON score_reasons(run_id);"
	"CREATE INDEX notes_container ON notes(container_id);"
	"CREATE INDEX notes_run ON notes(run_id);"
	"CREATE INDEX playbook_runs_container ON playbook_runs(container_id);"
	"CREATE INDEX action_runs_run ON action_runs(run_id);"
	"CREATE INDEX action_runs_container ON action_runs(container_id);"
	"CREATE INDEX prompts_run ON prompts(run_id);"
	"CREATE INDEX prompts_pending ON prompts(status, expires);"
	"CREATE INDEX cache_expires ON cache(expires);"
	"CREATE INDEX audit_log_container ON audit_log(container_id);"
	"CREATE TRIGGER audit_log_no_update BEFORE UPDATE ON audit_log"
	" BEGIN SELECT RAISE(ABORT, 'the audit log is append-only'); END;"
	"CREATE TRIGGER audit_log_no_delete BEFORE DELETE ON audit_log"
	" BEGIN SELECT RAISE(ABORT, 'the audit log is append-only'); END;";

/*
 * Version 3: ingestion.  A container's campaign key (the same email
 * forwarded attached by one user and inline by another), indexes to find
 * a container by it and by Message-ID (a reply joins its thread's
 * container), each mailbox's cursor, and what each mailbox delivered (so
 * that a rescan after a UIDVALIDITY change skips it).
 */
static const char SCHEMA_V3[] =
	"ALTER TABLE containers ADD COLUMN campaign_key TEXT;"
	"CREATE INDEX containers_campaign ON containers(campaign_key)"
	" WHERE campaign_key IS NOT NULL;"
	"CREATE INDEX containers_message_id ON containers(message_id)"
	" WHERE message_id IS NOT NULL;"
	"CREATE TABLE mailbox_cursors ("
	" mailbox TEXT PRIMARY KEY,"	/* asset "/" folder */
	" uidvalidity INTEGER NOT NULL,"
	" last_uid INTEGER NOT NULL,"
	" updated INTEGER NOT NULL);"
	"CREATE TABLE ingested ("
	" id INTEGER PRIMARY KEY,"
	" mailbox TEXT NOT NULL,"
	" key TEXT NOT NULL,"		/* the engine's digest */
	" container_id INTEGER REFERENCES containers(id)"
	"  ON DELETE SET NULL,"		/* NULL: not stored */
	" created INTEGER NOT NULL,"
	" UNIQUE (mailbox, key));";

/*
 * Version 4: the local threat-intel store (store_intel_*).  A source is
 * one feed as last loaded; loading it again replaces its indicators in
 * one transaction.  Values are normalised by the loader (intel_normalise)
 * and looked up by (kind, value).  intel_generation's one row goes up by
 * one with every load, so that readers (the intel app's in-memory index)
 * notice a change with one cheap query.  Times are microseconds, 0 when
 * the feed does not say.
 */
static const char SCHEMA_V4[] =
	"CREATE TABLE intel_sources ("
	" id INTEGER PRIMARY KEY,"
	" name TEXT NOT NULL UNIQUE,"
	" format TEXT NOT NULL,"	/* "misp-feed", "stix2.1", "csv" ... */
	" path TEXT,"			/* what was loaded */
	" loaded_at INTEGER NOT NULL,"
	" count INTEGER NOT NULL DEFAULT 0,"
	" skipped INTEGER NOT NULL DEFAULT 0);"
	"CREATE TABLE intel_indicators ("
	" id INTEGER PRIMARY KEY,"
	" source_id INTEGER NOT NULL REFERENCES intel_sources(id)"
	"  ON DELETE CASCADE,"
	" kind TEXT NOT NULL,"		/* ip, domain, url, hash, email, asn */
	" value TEXT NOT NULL,"		/* normalised */
	" confidence INTEGER NOT NULL DEFAULT -1,"	/* 0-100, -1 unknown */
	" tags TEXT,"			/* JSON array of strings, or NULL */
	" tlp TEXT,"
	" first_seen INTEGER NOT NULL DEFAULT 0,"
	" last_seen INTEGER NOT NULL DEFAULT 0,"
	" expires INTEGER NOT NULL DEFAULT 0,"	/* 0: never */
	" attribution TEXT,"		/* JSON [{"type","name"}...], or NULL */
	" description TEXT,"
	" subdomains INTEGER NOT NULL DEFAULT 0,"
	" threat_level INTEGER NOT NULL DEFAULT 0);"
	"CREATE INDEX intel_indicators_value ON intel_indicators(kind, value);"
	"CREATE INDEX intel_indicators_source ON intel_indicators(source_id);"
	"CREATE TABLE intel_generation ("
	" id INTEGER PRIMARY KEY CHECK (id = 1),"
	" generation INTEGER NOT NULL);"
	"INSERT INTO intel_generation (id, generation) VALUES (1, 0);";

/*
 * Version 5: the senders the store has seen (store_sender_seen), one row
 * per From address of a suspicious email (lower case) with its domain,
 * so that detection can tell a first-time sender.  Written in the
 * transaction that made the container; 'last_container' is the newest
 * container from that address.  Times are microseconds.
 */
static const char SCHEMA_V5[] =
	"CREATE TABLE senders ("
	" address TEXT PRIMARY KEY,"
	" domain TEXT NOT NULL,"
	" first_seen INTEGER NOT NULL,"
	" last_seen INTEGER NOT NULL,"
	" count INTEGER NOT NULL DEFAULT 1,"
	" last_container INTEGER REFERENCES containers(id)"
	"  ON DELETE SET NULL);"
	"CREATE INDEX senders_domain ON senders(domain);";

static const char *const schema_steps[] = { SCHEMA_V1, SCHEMA_V2,
	SCHEMA_V3, SCHEMA_V4, SCHEMA_V5 };

int
store__schema_latest(void)
{
	return (int)MS_ARRAY_LEN(schema_steps);
}

/* PRAGMA user_version of 'db', or -1 with 'err'. */
static int
schema_version(sqlite3 *db, char *err, size_t errlen)
{
	sqlite3_stmt	*s = NULL;
	int		 v = -1;

	if (sqlite3_prepare_v2(db, "PRAGMA user_version", -1, &s, NULL) ==
	    SQLITE_OK && sqlite3_step(s) == SQLITE_ROW)
		v = sqlite3_column_int(s, 0);
	else
		snprintf(err, errlen, "cannot read the schema version: %s",
		    sqlite3_errmsg(db));
	sqlite3_finalize(s);
	return v;
}

/* -1 with 'err' when 'v' is newer than this build. */
static int
schema_check(int v, char *err, size_t errlen)
{
	if (v <= store__schema_latest())
		return 0;
	snprintf(err, errlen, "the store has schema version %d, newer than "
	    "this mailsoar's %d: upgrade mailsoar (the store is unchanged)",
	    v, store__schema_latest());
	return -1;
}

/*
 * The version is read again after BEGIN IMMEDIATE: another process may
 * have migrated the file while this one waited for the lock.  A target
 * at or below the current version migrates nothing (store_open passes 0
 * to check the version alone).
 */
enum ms_err
store__migrate(sqlite3 *db, int target, char *err, size_t errlen)
{
	char	 sql[64];
	int	 v, began = 0;

	if (target > store__schema_latest())
		target = store__schema_latest();
	v = schema_version(db, err, errlen);
	if (v < 0 || schema_check(v, err, errlen) != 0)
		return MS_EDB;
	if (v >= target)
		return MS_OK;
	if (sqlite3_exec(db, "BEGIN IMMEDIATE", NULL, NULL, NULL) != SQLITE_OK)
		goto fail;
	began = 1;
	v = schema_version(db, err, errlen);
	if (v < 0 || schema_check(v, err, errlen) != 0)
		goto out;
	for (; v < target; v++)
		if (sqlite3_exec(db, schema_steps[v], NULL, NULL, NULL) !=
		    SQLITE_OK)
			goto fail;
	snprintf(sql, sizeof(sql), "PRAGMA user_version=%d", target);
	if (sqlite3_exec(db, sql, NULL, NULL, NULL) != SQLITE_OK ||
	    sqlite3_exec(db, "COMMIT", NULL, NULL, NULL) != SQLITE_OK)
		goto fail;
	return MS_OK;
fail:
	snprintf(err, errlen, "migration from schema version %d to %d: %s",
	    v, target, sqlite3_errmsg(db));
out:
	if (began && !sqlite3_get_autocommit(db))
		sqlite3_exec(db, "ROLLBACK", NULL, NULL, NULL);
	return MS_EDB;
}
