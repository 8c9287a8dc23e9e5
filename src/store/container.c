/* SPDX-License-Identifier: Apache-2.0 */
/*
 * container.c -- containers (deduplicated by Message-ID and body hash,
 * then joined by campaign key and by thread), their reporters, tags and
 * changes, and their artifacts (deduplicated by the hash of their
 * canonical JSON) and vault files.  Runs wherever the store runs.  The
 * JSON texts come from our own analysis or from playbooks and analysts:
 * each is parsed and checked before anything is written.
 */
#include <string.h>

#include <glib.h>

#include "store_int.h"
#include "../common/log.h"

static const char SQL_CONT_INSERT[] =
	"INSERT INTO containers (dedupe_key, name, label, severity,"
	" message_id, body_sha256, input_sha256, source, data, created,"
	" updated, campaign_key) VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9,"
	" ?10, ?10, ?11) RETURNING id";
static const char SQL_CONT_FIND_KEY[] =
	"SELECT id FROM containers WHERE dedupe_key = ?";
static const char SQL_CONT_FIND_CAMPAIGN[] =
	"SELECT id FROM containers WHERE campaign_key = ? ORDER BY id LIMIT 1";
/* Message-IDs are stored without <>; a caller may give them with. */
static const char SQL_CONT_FIND_MID[] =
	"SELECT id FROM containers WHERE message_id IN (?1, '<' || ?1 || '>')"
	" ORDER BY id LIMIT 1";
static const char SQL_CONT_JOIN[] =
	"UPDATE containers SET seen_count = seen_count + 1, updated = ?"
	" WHERE id = ? RETURNING seen_count";
static const char SQL_CONT_REPORTER[] =
	"INSERT INTO container_reporters (container_id, reporter, created)"
	" VALUES (?, ?, ?) ON CONFLICT DO NOTHING";
/* The columns of one container in its JSON order; "data" last. */
#define CONT_COLUMNS \
	"SELECT c.id, c.name, c.label, c.severity, c.status, c.score," \
	" c.verdict, (SELECT json_group_array(tag) FROM (SELECT tag" \
	" FROM tags WHERE container_id = c.id ORDER BY id))," \
	" c.seen_count, (SELECT json_group_array(reporter) FROM" \
	" (SELECT reporter FROM container_reporters" \
	" WHERE container_id = c.id ORDER BY id))," \
	" c.source, c.message_id, c.created, c.updated, c.data" \
	" FROM containers c"
static const char SQL_CONT_GET[] = CONT_COLUMNS " WHERE c.id = ?";
static const char SQL_CONT_LIST[] = CONT_COLUMNS
	" ORDER BY c.id DESC LIMIT ?";
static const char SQL_CONT_FIELDS[] =
	"SELECT severity, status, verdict, owner FROM containers WHERE id = ?";
static const char SQL_CONT_TAG[] =
	"INSERT INTO tags (container_id, tag, created) VALUES (?, ?, ?)"
	" ON CONFLICT DO NOTHING";
static const char SQL_ART_INSERT[] =
	"INSERT INTO artifacts (container_id, dedupe_key, name, label, json,"
	" source, created) VALUES (?, ?, ?, ?, ?, ?, ?)"
	" ON CONFLICT DO NOTHING RETURNING id";
static const char SQL_ART_FIND[] =
	"SELECT id FROM artifacts WHERE container_id = ? AND dedupe_key = ?";
static const char SQL_ART_LIST[] =
	"SELECT id, json, source FROM artifacts WHERE container_id = ?"
	" ORDER BY id";
static const char SQL_VAULT_INSERT[] =
	"INSERT INTO vault_files (container_id, sha256, size, file_name,"
	" detected_type, created) VALUES (?, ?, ?, ?, ?, ?)"
	" ON CONFLICT DO NOTHING";

/* The fields store_container_set may change, with their statements. */
static const struct {
	const char	*field;
	enum store_stmt	 stmt;
	const char	*sql;
	int		 nullable;
} cont_fields[] = {
	{ "severity", STMT_CONT_SET_SEVERITY, "UPDATE containers SET"
	    " severity = ?, updated = ? WHERE id = ?", 0 },
	{ "status", STMT_CONT_SET_STATUS, "UPDATE containers SET"
	    " status = ?, updated = ? WHERE id = ?", 0 },
	{ "verdict", STMT_CONT_SET_VERDICT, "UPDATE containers SET"
	    " verdict = ?, updated = ? WHERE id = ?", 1 },
	{ "owner", STMT_CONT_SET_OWNER, "UPDATE containers SET"
	    " owner = ?, updated = ? WHERE id = ?", 1 },
};

static int
empty(const char *s)
{
	return s == NULL || *s == '\0';
}

static int
valid_severity(const char *s)
{
	return strcmp(s, "low") == 0 || strcmp(s, "medium") == 0 ||
	    strcmp(s, "high") == 0;
}

/*
 * The dedupe key: hex SHA-256 of Message-ID "\n" body_sha256 (empty when
 * unknown), or without a Message-ID of the input's sha256.  The two forms
 * cannot collide: a hex digest has no newline.  -1 when neither is known.
 */
static int
dedupe_key(const struct store_container_in *in, char out[STORE_HEX])
{
	const char	*body = in->body_sha256 ? in->body_sha256 : "";
	char		*s;

	if (!empty(in->message_id)) {
		s = g_strconcat(in->message_id, "\n", body, NULL);
		store__sha256(s, strlen(s), out);
		g_free(s);
		return 0;
	}
	if (empty(in->input_sha256))
		return -1;
	store__sha256(in->input_sha256, strlen(in->input_sha256), out);
	return 0;
}

/*
 * Insert one parsed artifact unless the container has an equal one.  The
 * canonical text is what is stored, so equal objects with keys in another
 * order are one artifact.  Audited by the caller.
 */
static enum ms_err
artifact_insert(struct store *st, int64_t cid, const json_t *a,
    const char *source, int64_t *id, int *added)
{
	sqlite3_stmt	*s;
	char		*canon = store__json_canon(a), key[STORE_HEX];
	enum ms_err	 rc = MS_EDB;
	int		 src;

	*added = 0;
	store__sha256(canon, strlen(canon), key);
	if ((s = store__stmt(st, STMT_ART_INSERT, SQL_ART_INSERT)) == NULL)
		goto out;
	if (store__bind(st, s, "ittttti", cid, key,
	    json_string_value(json_object_get(a, "name")),
	    json_string_value(json_object_get(a, "label")), canon, source,
	    store__now()) != MS_OK)
		goto out;
	src = sqlite3_step(s);
	if (src == SQLITE_ROW) {
		*id = sqlite3_column_int64(s, 0);
		*added = 1;
		src = sqlite3_step(s);
	}
	if (src != SQLITE_DONE) {
		rc = store__fail(st, s, "artifact add");
		goto out;
	}
	sqlite3_reset(s);
	if (!*added) {
		s = store__stmt(st, STMT_ART_FIND, SQL_ART_FIND);
		if (s == NULL || store__bind(st, s, "it", cid, key) != MS_OK)
			goto out;
		if (sqlite3_step(s) != SQLITE_ROW) {
			rc = store__fail(st, s, "artifact find");
			goto out;
		}
		*id = sqlite3_column_int64(s, 0);
		sqlite3_reset(s);
	}
	rc = MS_OK;
out:
	xfree(canon);
	return rc;
}

/* Parse and check one artifact: an object whose "cef" and "cef_types",
 * when present, are objects. */
static enum ms_err
artifact_parse(const char *text, json_t **out)
{
	enum ms_err	 rc;
	json_t		*c, *t;

	if ((rc = store__json_parse(text, JSON_OBJECT, "artifact", out)))
		return rc;
	c = json_object_get(*out, "cef");
	t = json_object_get(*out, "cef_types");
	if ((c != NULL && !json_is_object(c)) ||
	    (t != NULL && !json_is_object(t))) {
		log_warnx("store: artifact: cef and cef_types must be objects");
		json_decref(*out);
		*out = NULL;
		return MS_EINVAL;
	}
	return MS_OK;
}

/*
 * The id of the container found by the one-column query 'sql' on 'arg',
 * or 0 when there is none.  MS_OK or MS_EDB.
 */
static enum ms_err
container_find(struct store *st, enum store_stmt id, const char *sql,
    const char *arg, int64_t *cid)
{
	sqlite3_stmt	*s;
	int		 src;

	*cid = 0;
	if ((s = store__stmt(st, id, sql)) == NULL ||
	    store__bind(st, s, "t", arg) != MS_OK)
		return MS_EDB;
	src = sqlite3_step(s);
	if (src == SQLITE_ROW)
		*cid = sqlite3_column_int64(s, 0);
	else if (src != SQLITE_DONE)
		return store__fail(st, s, "container find");
	sqlite3_reset(s);
	return MS_OK;
}

/* 'id' without one pair of enclosing <> and surrounding blanks, in 'buf'
 * when it had to be cut (g_free it); NULL when nothing is left. */
static const char *
thread_id(const char *id, char **buf)
{
	const char	*p = id, *e;

	*buf = NULL;
	if (p == NULL)
		return NULL;
	while (*p == ' ' || *p == '\t')
		p++;
	e = p + strlen(p);
	while (e > p && (e[-1] == ' ' || e[-1] == '\t'))
		e--;
	if (e - p >= 2 && *p == '<' && e[-1] == '>') {
		p++;
		e--;
	}
	if (e == p)
		return NULL;
	if (*e == '\0')
		return p;
	*buf = g_strndup(p, (gsize)(e - p));
	return *buf;
}

/*
 * The container an email joins, in the order of store.h: its dedupe key,
 * else its campaign key, else the first of its thread ids that is some
 * container's Message-ID.  '*cid' 0 when none; '*how' names the match.
 */
static enum ms_err
container_match(struct store *st, const struct store_container_in *in,
    const char *key, int64_t *cid, const char **how)
{
	const char	*t;
	char		*buf;
	enum ms_err	 rc;
	size_t		 i;

	*how = "dedupe";
	rc = container_find(st, STMT_CONT_FIND_KEY, SQL_CONT_FIND_KEY, key,
	    cid);
	if (rc != MS_OK || *cid != 0)
		return rc;
	*how = "campaign";
	if (!empty(in->campaign_key)) {
		rc = container_find(st, STMT_CONT_FIND_CAMPAIGN,
		    SQL_CONT_FIND_CAMPAIGN, in->campaign_key, cid);
		if (rc != MS_OK || *cid != 0)
			return rc;
	}
	*how = "thread";
	for (i = 0; i < in->nthread_ids; i++) {
		if ((t = thread_id(in->thread_ids[i], &buf)) == NULL)
			continue;
		rc = container_find(st, STMT_CONT_FIND_MID, SQL_CONT_FIND_MID,
		    t, cid);
		g_free(buf);
		if (rc != MS_OK || *cid != 0)
			return rc;
	}
	*how = NULL;
	return MS_OK;
}

/* Insert a new container ('*seen' 1) or count one more sighting of the
 * container 'cid' ('*seen' its new count). */
static enum ms_err
container_row_put(struct store *st, const struct store_container_in *in,
    const char *key, int64_t now, int64_t *cid, int64_t *seen)
{
	sqlite3_stmt	*s;
	enum ms_err	 rc;

	if (*cid != 0) {
		if ((s = store__stmt(st, STMT_CONT_JOIN, SQL_CONT_JOIN)) ==
		    NULL)
			return MS_EDB;
		rc = store__bind(st, s, "ii", now, *cid);
	} else {
		if ((s = store__stmt(st, STMT_CONT_INSERT, SQL_CONT_INSERT)) ==
		    NULL)
			return MS_EDB;
		rc = store__bind(st, s, "tttttttttit", key,
		    empty(in->name) ? (in->source ? in->source : "") :
		    in->name, empty(in->label) ? "email" : in->label,
		    in->severity ? in->severity : "medium", in->message_id,
		    in->body_sha256, in->input_sha256, in->source,
		    in->data_json ? in->data_json : "{}", now,
		    empty(in->campaign_key) ? NULL : in->campaign_key);
	}
	if (rc != MS_OK)
		return rc;
	if (sqlite3_step(s) != SQLITE_ROW)
		return store__fail(st, s, "container put");
	if (*cid != 0)
		*seen = sqlite3_column_int64(s, 0);
	else {
		*cid = sqlite3_column_int64(s, 0);
		*seen = 1;
	}
	if (sqlite3_step(s) != SQLITE_DONE)
		return store__fail(st, s, "container put");
	sqlite3_reset(s);
	return MS_OK;
}

/* The writes of store_container_put, inside its transaction. */
static enum ms_err
container_write(struct store *st, const struct store_container_in *in,
    const char *key, json_t *arts, int64_t *id, int *created)
{
	sqlite3_stmt	*s;
	const char	*how;
	json_t		*d;
	int64_t		 now = store__now(), seen = 0, aid;
	size_t		 i, nadded = 0;
	enum ms_err	 rc;
	int		 added;

	if ((rc = container_match(st, in, key, id, &how)) != MS_OK ||
	    (rc = container_row_put(st, in, key, now, id, &seen)) != MS_OK)
		return rc;
	*created = how == NULL;
	if (!empty(in->reporter)) {
		s = store__stmt(st, STMT_CONT_REPORTER, SQL_CONT_REPORTER);
		if (s == NULL || store__bind(st, s, "iti", *id, in->reporter,
		    now) != MS_OK ||
		    store__exec(st, s, "container reporter") != MS_OK)
			return MS_EDB;
	}
	for (i = 0; i < json_array_size(arts); i++) {
		rc = artifact_insert(st, *id, json_array_get(arts, i),
		    "analysis", &aid, &added);
		if (rc != MS_OK)
			return rc;
		nadded += (size_t)added;
	}
	d = json_pack("{s:o,s:o,s:o,s:o,s:I,s:I}",
	    "message_id", store__jstr(in->message_id),
	    "input_sha256", store__jstr(in->input_sha256),
	    "source", store__jstr(in->source),
	    "reporter", store__jstr(in->reporter),
	    "seen_count", (json_int_t)seen,
	    "artifacts_added", (json_int_t)nadded);
	if (how != NULL)
		json_object_set_new(d, "matched", json_string(how));
	rc = store__audit(st, "system", *created ? "container created" :
	    "container seen again", *id, d);
	json_decref(d);
	return rc;
}

/* Everything is checked before the transaction starts, so a bad artifact
 * never leaves a half-stored container. */
enum ms_err
store_container_put(struct store *st, const struct store_container_in *in,
    int64_t *id, int *created)
{
	json_t		*arts = json_array(), *a, *d = NULL;
	char		 key[STORE_HEX];
	enum ms_err	 rc = MS_EINVAL;
	size_t		 i;
	int		 outer;

	*id = 0;
	*created = 0;
	if (dedupe_key(in, key) != 0) {
		log_warnx("store: container put: no Message-ID and no input "
		    "sha256");
		goto out;
	}
	if (in->severity != NULL && !valid_severity(in->severity)) {
		log_warnx("store: container put: bad severity");
		goto out;
	}
	if (in->data_json != NULL && !in->data_trusted &&
	    (rc = store__json_parse(in->data_json, JSON_OBJECT,
	    "container data", &d)) != MS_OK)
		goto out;
	if ((in->nartifacts > 0 && in->artifacts_json == NULL) ||
	    (in->nthread_ids > 0 && in->thread_ids == NULL)) {
		log_warnx("store: container put: a count without its array");
		rc = MS_EINVAL;
		goto out;
	}
	for (i = 0; i < in->nartifacts; i++) {
		if ((rc = artifact_parse(in->artifacts_json[i], &a)) != MS_OK)
			goto out;
		json_array_append_new(arts, a);
	}
	if ((rc = store__wbegin(st, &outer)) != MS_OK)
		goto out;
	rc = store__wend(st, outer,
	    container_write(st, in, key, arts, id, created));
	if (rc != MS_OK) {
		*id = 0;
		*created = 0;
	}
out:
	json_decref(arts);
	json_decref(d);
	return rc;
}

/* One row of CONT_COLUMNS as a JSON object; "data" when 'with_data'. */
static json_t *
container_row(sqlite3_stmt *s, int with_data)
{
	json_t	*o;

	o = json_pack("{s:o,s:o,s:o,s:o,s:o,s:o,s:o,s:o,s:o,s:o,s:o,s:o,"
	    "s:o,s:o}",
	    "id", store__col_int(s, 0),
	    "name", store__col_str(s, 1),
	    "label", store__col_str(s, 2),
	    "severity", store__col_str(s, 3),
	    "status", store__col_str(s, 4),
	    "score", store__col_int(s, 5),
	    "verdict", store__col_str(s, 6),
	    "tags", store__col_json(s, 7, "[]"),
	    "seen_count", store__col_int(s, 8),
	    "reporters", store__col_json(s, 9, "[]"),
	    "source", store__col_str(s, 10),
	    "message_id", store__col_str(s, 11),
	    "created", store__col_int(s, 12),
	    "updated", store__col_int(s, 13));
	if (with_data)
		json_object_set_new(o, "data", store__col_json(s, 14, "{}"));
	return o;
}

/* One container, with "data" when 'with_data'. */
static enum ms_err
container_get(struct store *st, int64_t id, int with_data, char **json)
{
	sqlite3_stmt	*s;
	json_t		*o;
	int		 src;

	*json = NULL;
	if ((s = store__stmt(st, STMT_CONT_GET, SQL_CONT_GET)) == NULL ||
	    store__bind(st, s, "i", id) != MS_OK)
		return MS_EDB;
	src = sqlite3_step(s);
	if (src == SQLITE_DONE) {
		sqlite3_reset(s);
		return MS_EINVAL;
	}
	if (src != SQLITE_ROW)
		return store__fail(st, s, "container get");
	o = container_row(s, with_data);
	sqlite3_reset(s);
	return store__json_out(o, json);
}

enum ms_err
store_container_json(struct store *st, int64_t id, char **json)
{
	return container_get(st, id, 1, json);
}

enum ms_err
store_container_meta_json(struct store *st, int64_t id, char **json)
{
	return container_get(st, id, 0, json);
}

enum ms_err
store_containers_json(struct store *st, size_t limit, char **json)
{
	sqlite3_stmt	*s;
	json_t		*arr;
	int		 src;

	*json = NULL;
	if ((s = store__stmt(st, STMT_CONT_LIST, SQL_CONT_LIST)) == NULL ||
	    store__bind(st, s, "i", limit ? (int64_t)limit : (int64_t)-1))
		return MS_EDB;
	arr = json_array();
	while ((src = sqlite3_step(s)) == SQLITE_ROW)
		json_array_append_new(arr, container_row(s, 0));
	if (src != SQLITE_DONE) {
		json_decref(arr);
		return store__fail(st, s, "container list");
	}
	sqlite3_reset(s);
	return store__json_out(arr, json);
}

/* The change and its audit entry, with the old value, in one write. */
static enum ms_err
container_set(struct store *st, int64_t id, const char *actor, size_t f,
    const char *value)
{
	sqlite3_stmt	*s;
	json_t		*d, *old;
	enum ms_err	 rc;
	int		 src;

	if ((s = store__stmt(st, STMT_CONT_FIELDS, SQL_CONT_FIELDS)) == NULL ||
	    store__bind(st, s, "i", id) != MS_OK)
		return MS_EDB;
	src = sqlite3_step(s);
	if (src == SQLITE_DONE) {
		sqlite3_reset(s);
		log_warnx("store: container %lld: no such container",
		    (long long)id);
		return MS_EINVAL;
	}
	if (src != SQLITE_ROW)
		return store__fail(st, s, "container set");
	old = store__col_str(s, (int)f);
	sqlite3_reset(s);
	s = store__stmt(st, cont_fields[f].stmt, cont_fields[f].sql);
	if (s == NULL || store__bind(st, s, "tii", value, store__now(),
	    id) != MS_OK || store__exec(st, s, "container set") != MS_OK) {
		json_decref(old);
		return MS_EDB;
	}
	d = json_pack("{s:s,s:o,s:o}", "field", cont_fields[f].field, "old",
	    old, "new", store__jstr(value));
	rc = store__audit(st, actor, "container changed", id, d);
	json_decref(d);
	return rc;
}

enum ms_err
store_container_set(struct store *st, int64_t id, const char *actor,
    const char *field, const char *value)
{
	size_t		f;
	enum ms_err	rc;
	int		outer;

	for (f = 0; f < MS_ARRAY_LEN(cont_fields); f++)
		if (field != NULL && strcmp(field, cont_fields[f].field) == 0)
			break;
	if (f == MS_ARRAY_LEN(cont_fields) || empty(actor)) {
		log_warnx("store: container set: bad field or no actor");
		return MS_EINVAL;
	}
	if ((!cont_fields[f].nullable && empty(value)) ||
	    (f == 0 && !valid_severity(value))) {
		log_warnx("store: container set: bad %s", field);
		return MS_EINVAL;
	}
	if ((rc = store__wbegin(st, &outer)) != MS_OK)
		return rc;
	return store__wend(st, outer, container_set(st, id, actor, f, value));
}

/* A tag the container already has is no change and no audit entry. */
static enum ms_err
container_tag(struct store *st, int64_t id, const char *actor,
    const char *tag)
{
	sqlite3_stmt	*s;
	json_t		*d;
	enum ms_err	 rc;

	if ((s = store__stmt(st, STMT_CONT_TAG, SQL_CONT_TAG)) == NULL ||
	    store__bind(st, s, "iti", id, tag, store__now()) != MS_OK)
		return MS_EDB;
	if ((rc = store__exec(st, s, "container tag")) != MS_OK)
		return rc;
	if (sqlite3_changes(st->db) == 0)
		return MS_OK;
	d = json_pack("{s:o}", "tag", store__jstr(tag));
	rc = store__audit(st, actor, "container tagged", id, d);
	json_decref(d);
	return rc;
}

enum ms_err
store_container_tag(struct store *st, int64_t id, const char *actor,
    const char *tag)
{
	enum ms_err	rc;
	int		outer;

	if (empty(actor) || empty(tag)) {
		log_warnx("store: container tag: no tag or no actor");
		return MS_EINVAL;
	}
	if ((rc = store__wbegin(st, &outer)) != MS_OK)
		return rc;
	return store__wend(st, outer, container_tag(st, id, actor, tag));
}

/* ---- artifacts ------------------------------------------------------ */

enum ms_err
store_artifact_add(struct store *st, int64_t container_id,
    const char *artifact_json, const char *source, int64_t *id, int *added)
{
	json_t		*a, *d;
	enum ms_err	 rc;
	int		 outer;

	*id = 0;
	*added = 0;
	if (empty(source)) {
		log_warnx("store: artifact add: no source");
		return MS_EINVAL;
	}
	if ((rc = artifact_parse(artifact_json, &a)) != MS_OK)
		return rc;
	if ((rc = store__wbegin(st, &outer)) != MS_OK)
		goto out;
	rc = artifact_insert(st, container_id, a, source, id, added);
	if (rc == MS_OK && *added) {
		d = json_pack("{s:I,s:O,s:o}", "artifact_id", (json_int_t)*id,
		    "artifact", a, "source", store__jstr(source));
		rc = store__audit(st, source, "artifact added", container_id,
		    d);
		json_decref(d);
	}
	rc = store__wend(st, outer, rc);
	if (rc != MS_OK) {
		*id = 0;
		*added = 0;
	}
out:
	json_decref(a);
	return rc;
}

/* The stored object's key, or 'dflt' (a new empty value) when absent. */
static json_t *
key_or(json_t *o, const char *k, json_t *dflt)
{
	json_t	*v = json_object_get(o, k);

	if (v == NULL)
		return dflt;
	json_decref(dflt);
	return json_incref(v);
}

enum ms_err
store_artifacts_json(struct store *st, int64_t container_id, char **json)
{
	sqlite3_stmt	*s;
	json_t		*arr, *a;
	int		 src;

	*json = NULL;
	if ((s = store__stmt(st, STMT_ART_LIST, SQL_ART_LIST)) == NULL ||
	    store__bind(st, s, "i", container_id) != MS_OK)
		return MS_EDB;
	arr = json_array();
	while ((src = sqlite3_step(s)) == SQLITE_ROW) {
		a = store__col_json(s, 1, "{}");
		json_array_append_new(arr, json_pack(
		    "{s:o,s:o,s:o,s:o,s:o,s:o,s:o}",
		    "id", store__col_int(s, 0),
		    "name", key_or(a, "name", json_null()),
		    "label", key_or(a, "label", json_null()),
		    "cef", key_or(a, "cef", json_object()),
		    "cef_types", key_or(a, "cef_types", json_object()),
		    "where", key_or(a, "where", json_null()),
		    "source", store__col_str(s, 2)));
		json_decref(a);
	}
	if (src != SQLITE_DONE) {
		json_decref(arr);
		return store__fail(st, s, "artifact list");
	}
	sqlite3_reset(s);
	return store__json_out(arr, json);
}

/* ---- vault files ---------------------------------------------------- */

/* The same file under the same name is recorded once per container. */
enum ms_err
store_vault_add(struct store *st, int64_t container_id, const char *sha256,
    int64_t size, const char *file_name, const char *detected_type)
{
	sqlite3_stmt	*s;
	enum ms_err	 rc;
	int		 outer;

	if (sha256 == NULL || strlen(sha256) != 64 || size < 0) {
		log_warnx("store: vault add: bad sha256 or size");
		return MS_EINVAL;
	}
	if ((rc = store__wbegin(st, &outer)) != MS_OK)
		return rc;
	s = store__stmt(st, STMT_VAULT_INSERT, SQL_VAULT_INSERT);
	if (s == NULL)
		rc = MS_EDB;
	else if ((rc = store__bind(st, s, "ititti", container_id, sha256,
	    size, file_name ? file_name : "", detected_type,
	    store__now())) == MS_OK)
		rc = store__exec(st, s, "vault add");
	return store__wend(st, outer, rc);
}
