/* SPDX-License-Identifier: Apache-2.0 */
/*
 * store.h -- the store: containers, artifacts, vault files, playbook and
 * action runs, notes, score reasons, prompts, custom lists, the action
 * result cache and the audit log.  sqlite.c implements it on SQLite
 * (WAL); a PostgreSQL backend can implement the same interface later.
 * Structured values cross this interface as JSON text, which the store
 * keeps as it is given (SQLite's json functions can read it).
 *
 * One struct store belongs to one thread at a time.  Every writing
 * call is atomic on its own; store_begin/store_commit group many into one
 * transaction (the engine batches for speed).  Times are microseconds
 * since the epoch (int64_t).  Strings returned through 'char **' are
 * newly allocated: xfree() them.
 *
 * Audit: every state change appends one entry (id, time, actor, event,
 * container, detail JSON, prev_hash, hash) where hash = SHA-256 of the
 * previous entry's hash and this entry's canonical fields.  The calls
 * below that say "audited" write their entry in the same transaction.
 */
#ifndef MS_STORE_H
#define MS_STORE_H

#include <stddef.h>
#include <stdint.h>

#include "../common/ms.h"

struct store;

/* Open (creating if needed) the store at 'path', set WAL, and run the
 * schema migrations up to the newest.  MS_EDB / MS_EIO with 'err'. */
enum ms_err	 store_open(const char *path, struct store **out, char *err,
		    size_t errlen);
void		 store_close(struct store *st);		/* NULL-safe */
int		 store_schema_version(struct store *st);
/* The last SQLite error message, for logs.  Borrowed. */
const char	*store_errmsg(struct store *st);

enum ms_err	 store_begin(struct store *st);
enum ms_err	 store_commit(struct store *st);
enum ms_err	 store_rollback(struct store *st);

/* ---- containers --------------------------------------------------- */

struct store_container_in {
	const char	*name;		/* subject, else the source name */
	const char	*label;		/* "email" */
	const char	*message_id;	/* may be NULL */
	const char	*body_sha256;	/* may be NULL */
	const char	*input_sha256;	/* of the raw email; dedupe fallback */
	const char	*source;	/* file, imap://host/box;UID=n; NULL */
	const char	*reporter;	/* reporter's address, or NULL */
	const char	*severity;	/* low, medium, high; NULL: medium */
	const char	*data_json;	/* the analysis (docs/json.md) */
	/* Artifacts, each a JSON object {"name","label","cef","cef_types",
	 * "where"}; 'nartifacts' of them. */
	const char *const *artifacts_json;
	size_t		 nartifacts;
	/* 'data_json' was written by our own JSON writer (the analysis
	 * report): the store does not parse it again to check it. */
	int		 data_trusted;
	/* Campaign view: the same suspicious email forwarded differently
	 * (attached by one user, inline by another) has no common
	 * Message-ID or body hash, but the same campaign key: sha256 of the
	 * sender's address, the normalised subject and the date to the
	 * minute (cli_container_init computes it).  NULL: none. */
	const char	*campaign_key;
	/* The email's In-Reply-To and References ids: a reply in a thread
	 * already reported joins that thread's container. */
	const char *const *thread_ids;
	size_t		 nthread_ids;
};

/*
 * Store one analysed email, audited.  Deduplicated: the same Message-ID
 * with the same body hash (or, without a Message-ID, the same input
 * hash) is the same container, whose seen count goes up by one and whose
 * reporters gain 'reporter' if new.  Failing that, a container with the
 * same campaign key, then one whose Message-ID is among 'thread_ids', is
 * joined the same way.  '*created' says whether a new one was made.
 */
enum ms_err	 store_container_put(struct store *st,
		    const struct store_container_in *in, int64_t *id,
		    int *created);
/* {"id","name","label","severity","status","score","verdict","tags":[],
 * "seen_count","reporters":[],"source","message_id","created","updated",
 * "data":{...}} or MS_EINVAL when there is no such container. */
enum ms_err	 store_container_json(struct store *st, int64_t id,
		    char **json);
/* The same without "data" (cheap: for listing and summaries). */
enum ms_err	 store_container_meta_json(struct store *st, int64_t id,
		    char **json);
/* Newest first, at most 'limit' (0: all), without "data". */
enum ms_err	 store_containers_json(struct store *st, size_t limit,
		    char **json);
/* Audited changes.  'field' is one of "severity", "status", "verdict",
 * "owner"; MS_EINVAL for anything else or no such container. */
enum ms_err	 store_container_set(struct store *st, int64_t id,
		    const char *actor, const char *field, const char *value);
enum ms_err	 store_container_tag(struct store *st, int64_t id,
		    const char *actor, const char *tag);

/* ---- artifacts ------------------------------------------------------ */

/* Add one artifact (JSON object as above) unless the container already
 * has an equal one; audited when added.  'source': "analysis",
 * "playbook", "analyst". */
enum ms_err	 store_artifact_add(struct store *st, int64_t container_id,
		    const char *artifact_json, const char *source,
		    int64_t *id, int *added);
/* [{"id","name","label","cef","cef_types","where","source"}...] */
enum ms_err	 store_artifacts_json(struct store *st, int64_t container_id,
		    char **json);

/* ---- vault files ------------------------------------------------ */

enum ms_err	 store_vault_add(struct store *st, int64_t container_id,
		    const char *sha256, int64_t size, const char *file_name,
		    const char *detected_type);

/* ---- score reasons and notes ---------------------------------------- */

/* One reason, audited; the container's score becomes min(100, sum). */
enum ms_err	 store_score_add(struct store *st, int64_t container_id,
		    int64_t run_id, int points, const char *reason,
		    const char *evidence_json);
/* [{"points","reason","evidence","run_id","created"}...], and the total */
enum ms_err	 store_score_json(struct store *st, int64_t container_id,
		    char **json, int *total);
enum ms_err	 store_note_add(struct store *st, int64_t container_id,
		    int64_t run_id, const char *author, const char *title,
		    const char *markdown, int64_t *id);
enum ms_err	 store_notes_json(struct store *st, int64_t container_id,
		    char **json);

/* ---- playbook and action runs ---------------------------------------- */

/* Audited.  'status' on finish: "success", "failed", "timeout",
 * "interrupted"; 'traceback' may be NULL. */
enum ms_err	 store_run_start(struct store *st, int64_t container_id,
		    const char *playbook, int64_t *run_id);
enum ms_err	 store_run_finish(struct store *st, int64_t run_id,
		    const char *status, const char *message,
		    const char *traceback);

struct store_action_run {
	int64_t		 run_id;	/* 0: ad hoc (mailsoar act) */
	int64_t		 container_id;	/* 0: none */
	const char	*action;
	const char	*app;
	const char	*asset;		/* NULL: none (skipped) */
	const char	*params_json;
	const char	*status;	/* success, failed, skipped */
	const char	*message;
	const char	*result_json;	/* {"data":[...],"summary":{...}} */
	int		 cached;
	int		 attempts;
	int64_t		 started;	/* us */
	int64_t		 finished;	/* us */
	const char	*approved_by;	/* NULL, or who answered a prompt */
	/* 'result_json' was made by the engine's own JSON writer: the
	 * store does not parse it again to check it. */
	int		 result_trusted;
};

/* Store one finished action run; audited with its parameters and the
 * SHA-256 of its result. */
enum ms_err	 store_action_run_add(struct store *st,
		    const struct store_action_run *r, int64_t *id);
/* A playbook run with its action runs, prompts, notes and score reasons
 * in time order: {"id","container_id","playbook","status","message",
 * "traceback","started","finished","action_runs":[...],"events":[...]}.
 * MS_EINVAL when there is no such run. */
enum ms_err	 store_run_json(struct store *st, int64_t run_id, char **json);
/* The runs of one container, each as above. */
enum ms_err	 store_runs_json(struct store *st, int64_t container_id,
		    char **json);

/* ---- prompts ------------------------------------------------------- */

/* A question inside a run; 'choices_json' a JSON array of strings. */
enum ms_err	 store_prompt_add(struct store *st, int64_t run_id,
		    int64_t container_id, const char *message,
		    const char *choices_json, const char *def,
		    int64_t expires, int64_t *id);
/* Audited.  MS_EINVAL (with 'err') when there is no such prompt, it is
 * no longer pending, or 'choice' is not one of its choices. */
enum ms_err	 store_prompt_answer(struct store *st, int64_t id,
		    const char *choice, const char *who, char *err,
		    size_t errlen);
/* Expire pending prompts whose time is past 'now' to their default
 * (answered_by "timeout"); audited. */
enum ms_err	 store_prompts_expire(struct store *st, int64_t now);
/* '*status': "pending", "answered", "expired"; '*answer' and '*who'
 * newly allocated or NULL. */
enum ms_err	 store_prompt_get(struct store *st, int64_t id, char **status,
		    char **answer, char **who);
/* [{"id","run_id","container_id","message","choices","default",
 * "expires","status","answer","answered_by"}...] */
enum ms_err	 store_prompts_json(struct store *st, int pending_only,
		    char **json);

/* ---- custom lists ---------------------------------------------------- */

enum ms_err	 store_list_add(struct store *st, const char *list,
		    const char *value, const char *actor);	/* audited */
enum ms_err	 store_list_remove(struct store *st, const char *list,
		    const char *value, const char *actor);	/* audited */
/* 1 or 0, -1 on a store error. */
int		 store_list_contains(struct store *st, const char *list,
		    const char *value);
enum ms_err	 store_list_json(struct store *st, const char *list,
		    char **json);	/* ["a","b"] in insertion order */

/* ---- action result cache ------------------------------------------- */

/* 'key' is the engine's digest of (action, asset, parameters).
 * MS_EAGAIN when absent or expired at 'now'. */
enum ms_err	 store_cache_get(struct store *st, const char *key,
		    int64_t now, char **result_json);
enum ms_err	 store_cache_put(struct store *st, const char *key,
		    const char *result_json, int64_t expires);
/* Delete the entries expired at 'now' (added with the SQLite backend:
 * store_cache_get ignores them already; this reclaims their space). */
enum ms_err	 store_cache_purge(struct store *st, int64_t now);

/* ---- ingestion -------------------------------------------------------- */

/* The cursor of 'mailbox' (the asset name, then "/" and the folder):
 * UIDVALIDITY and the last UID stored.  MS_EAGAIN when there is none. */
enum ms_err	 store_cursor_get(struct store *st, const char *mailbox,
		    uint32_t *uidvalidity, uint32_t *last_uid);
/* Move the cursor; call it in the transaction that stored the containers
 * of the messages up to 'last_uid', so that a crash loses nothing and
 * repeats nothing.  Audited only when UIDVALIDITY changes. */
enum ms_err	 store_cursor_set(struct store *st, const char *mailbox,
		    uint32_t uidvalidity, uint32_t last_uid);
/* Whether 'mailbox' already delivered the message identified by 'key'
 * (the engine's digest: the SHA-256 of the delivered bytes): a rescan
 * after a UIDVALIDITY change skips what was ingested.  1, 0, -1 on a
 * store error. */
int		 store_ingested(struct store *st, const char *mailbox,
		    const char *key);
enum ms_err	 store_ingested_add(struct store *st, const char *mailbox,
		    const char *key, int64_t container_id);
/* [{"mailbox","uidvalidity","last_uid","updated"}...] */
enum ms_err	 store_cursors_json(struct store *st, char **json);

/* ---- sender history ------------------------------------------------- */

/*
 * Record that 'address' (the From address of a suspicious email, lower
 * case) at 'domain' (its domain, lower case) sent container 'cid': its
 * row is made, or its count, last_seen and last_container move on.
 * '*address_new' and '*domain_new' (either may be NULL) say whether the
 * address, and any address at the domain, was unknown before this call.
 * Call it once per new container, in the transaction that made it (a
 * container an email joined is not a new sighting).  MS_OK, MS_EINVAL
 * (an empty address or domain, an unknown container) or MS_EDB.
 */
enum ms_err	 store_sender_seen(struct store *st, const char *address,
		    const char *domain, int64_t cid, int *address_new,
		    int *domain_new);

/* ---- audit ---------------------------------------------------------- */

/* Append one entry: 'event' ("setting changed"...), 'container_id' 0
 * for none, 'detail_json' an object or NULL. */
enum ms_err	 store_audit(struct store *st, const char *actor,
		    const char *event, int64_t container_id,
		    const char *detail_json);
/* Check the whole chain.  MS_OK, or MS_EPARSE with '*bad_id' the first
 * entry whose hash or link does not hold and 'why' saying which. */
enum ms_err	 store_audit_verify(struct store *st, int64_t *bad_id,
		    char *why, size_t whylen);
/* The newest 'limit' entries (0: all), oldest first. */
enum ms_err	 store_audit_json(struct store *st, size_t limit, char **json);

/* ---- threat intel ------------------------------------------------ */

/*
 * The local threat-intel store: indicators from feeds, by source.  A
 * source (a feed's name: "spamhaus-drop", a MISP Orgc) is replaced whole
 * each time it is loaded.  Values arrive normalised (the loader runs
 * intel_normalise, src/apps/intel.h); the store keeps and compares them
 * as they are given.  Kinds are the names "ip", "domain", "url", "hash",
 * "email", "asn".
 */
struct store_intel_row {
	const char		*kind;
	const char		*value;
	const char		*source;	/* NULL: the load's default */
	int			 confidence;	/* 0-100, -1 unknown */
	const char		*tlp;		/* or NULL */
	const char *const	*tags;
	size_t			 ntags;
	/* 'nattrib' (type, name) pairs: attrib[2*i] is the type
	 * ("threat-actor", "malware" ...), attrib[2*i+1] the name. */
	const char *const	*attrib;
	size_t			 nattrib;
	const char		*description;	/* or NULL */
	int64_t			 first_seen;	/* us; 0 unknown */
	int64_t			 last_seen;
	int64_t			 expires;	/* us; 0 never */
	int			 subdomains;	/* covers its subdomains */
	int			 threat_level;	/* MISP 1 (high)-4; 0: none */
};

struct store_intel_load;	/* one load in progress; opaque */

/*
 * Start loading a feed: opens the write transaction (or a savepoint
 * inside a store_begin batch) that the whole load runs in.  Rows without
 * a source of their own go to 'source'; 'path' (what was loaded, may be
 * NULL) is kept with each source the load touches.  Each source's old
 * indicators are deleted when the load first sees it, so after the
 * commit a source holds exactly this load's rows, and readers see the
 * old set or the new one, never a mix.  Nothing else may use 'st' until
 * the load ends.
 */
enum ms_err	 store_intel_load_begin(struct store *st, const char *source,
		    const char *path, struct store_intel_load **out);
/* Add one row (copied).  MS_EINVAL for an empty kind or value; MS_EDB. */
enum ms_err	 store_intel_load_add(struct store_intel_load *l,
		    const struct store_intel_row *row);
/* Commit: set each touched source's count and 'format' (known once
 * the parser is done: "misp-feed", "stix2.1", "csv" ...), 'skipped' to
 * the default source (kept only when the load touched it: a MISP feed
 * whose rows all name their organisation keeps no count of its skipped
 * objects), bump the generation, one audit entry per source
 * ("intel loaded").  A load with no rows empties the default source.
 * '*count' (may be NULL) gets the rows stored.  Frees 'l' either way;
 * on failure nothing of the load remains. */
enum ms_err	 store_intel_load_commit(struct store_intel_load *l,
		    const char *format, size_t skipped, size_t *count);
/* The sources this load has touched so far and their row counts, for
 * the caller to report before it commits. */
typedef void	(*store_intel_source_fn)(void *arg, const char *source,
		    size_t count);
void		 store_intel_load_sources(const struct store_intel_load *l,
		    store_intel_source_fn fn, void *arg);
/* Roll back and free (NULL-safe). */
void		 store_intel_load_abort(struct store_intel_load *l);

/* Bumped by every committed load (and by store_intel_source_delete). */
enum ms_err	 store_intel_generation(struct store *st, int64_t *gen);
/* Delete a source and its indicators; audited.  MS_EINVAL if none. */
enum ms_err	 store_intel_source_delete(struct store *st, const char *name,
		    const char *actor);

/* Called once per indicator; 'row' and its strings are borrowed for
 * the call.  A non-zero return stops the walk. */
typedef int	(*store_intel_fn)(void *arg,
		    const struct store_intel_row *row);
/* Every indicator, in one read snapshot, grouped by source.  MS_OK
 * (also when 'fn' stopped it) or MS_EDB. */
enum ms_err	 store_intel_foreach(struct store *st, store_intel_fn fn,
		    void *arg);
/* The indicators equal to ('kind', 'value'), through the index (the
 * plain-SQL lookup bench/intel compares the app's index with). */
enum ms_err	 store_intel_lookup(struct store *st, const char *kind,
		    const char *value, store_intel_fn fn, void *arg);
/* {"sources":[{"name","format","path","loaded_at","count","skipped",
 * "kinds":{"ip":n,...}}...],"total":n,"kinds":{...},"generation":n} */
enum ms_err	 store_intel_stats_json(struct store *st, char **json);

#endif /* MS_STORE_H */
