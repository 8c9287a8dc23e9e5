/* SPDX-License-Identifier: Apache-2.0 */
/*
 * intel_feed_misp.c -- indicators out of MISP JSON: a feed directory
 * (manifest.json naming <uuid>.json event files), one event ({"Event":
 * ...}, {"response": [{"Event": ...}]} or a bare event), or attributes
 * (restSearch's {"response": {"Attribute": [...]}} or one bare
 * attribute).  Every attribute of a network or hash type becomes an
 * indicator, those of objects too; composite values ("filename|md5",
 * "domain|ip") are split.  Attributes not flagged to_ids are kept, with
 * confidence 25 and the tag "to_ids:false", so that a lookup can tell
 * context from detection material.  Event tags and galaxies become tags
 * and attributions; "tlp:*" tags the TLP.  Trusts nothing in the files.
 */
#include <stdio.h>
#include <string.h>
#include <unistd.h>

#include <glib.h>

#include "../common/log.h"
#include "intel_feed_int.h"

/* Confidence of an attribute MISP does not mark for detection. */
#define MISP_CONF_NOT_IDS	25

/* What an event gives each of its attributes. */
struct misp_ev {
	const char		*source;
	const char		*tlp;
	int			 threat_level;
	int64_t			 first_seen, last_seen;
	const char		*tags[INTEL_FEED_MAX_TAGS];
	size_t			 ntags;
	struct intel_attrib	 at[INTEL_FEED_MAX_ATTRIB];
	size_t			 nat;
};

struct misp {
	struct intel_feed__ctx	*c;
	GStringChunk		*strs;	/* names cut out of galaxy tags */
	char			 value[INTEL_FEED_MAX_VALUE + 1];
};

/* The attribution type of a galaxy ("mitre-intrusion-set" ...), or NULL
 * for galaxies that attribute nothing (attack patterns, sectors). */
static const char *
galaxy_type(const char *g)
{
	static const char *const malware[] = {
		"malware", "malpedia", "banker", "ransomware", "rat", "botnet",
		"android", "stealer", "backdoor", "exploit-kit", "tds",
	};
	size_t	i;

	if (g == NULL)
		return NULL;
	if (strstr(g, "intrusion-set") != NULL)
		return "intrusion-set";
	if (strstr(g, "threat-actor") != NULL ||
	    strcmp(g, "microsoft-activity-group") == 0)
		return "threat-actor";
	if (strcmp(g, "tool") == 0 || strcmp(g, "mitre-tool") == 0 ||
	    strcmp(g, "mitre-enterprise-attack-tool") == 0)
		return "tool";
	if (strstr(g, "malware") != NULL)
		return "malware";
	for (i = 0; i < MS_ARRAY_LEN(malware); i++)
		if (strcmp(g, malware[i]) == 0)
			return "malware";
	return NULL;
}

static void
attrib_add(struct intel_attrib *at, size_t *n, const char *type,
    const char *name)
{
	size_t	i;

	if (type == NULL || name == NULL || *name == '\0' ||
	    *n >= INTEL_FEED_MAX_ATTRIB)
		return;
	for (i = 0; i < *n; i++)
		if (strcmp(at[i].type, type) == 0 &&
		    strcmp(at[i].name, name) == 0)
			return;
	at[*n].type = type;
	at[*n].name = name;
	(*n)++;
}

/*
 * One tag: "tlp:amber" sets the TLP, misp-galaxy:TYPE="VALUE" an
 * attribution, anything else is a tag.
 */
static void
tag(struct misp *m, const char *t, const char **tlp, const char **tags,
    size_t *ntags, struct intel_attrib *at, size_t *nat)
{
	static const char *const tlps[] = {
		"clear", "green", "amber+strict", "amber", "red",
	};
	const char	*q, *e;
	char		*type;
	size_t		 i;

	if (g_ascii_strncasecmp(t, "tlp:", 4) == 0) {
		if (g_ascii_strcasecmp(t + 4, "white") == 0)
			*tlp = "clear";
		for (i = 0; i < MS_ARRAY_LEN(tlps); i++)
			if (g_ascii_strcasecmp(t + 4, tlps[i]) == 0)
				*tlp = tlps[i];
		return;
	}
	if (strncmp(t, "misp-galaxy:", 12) == 0) {
		q = strchr(t + 12, '=');
		if (q == NULL || q[1] != '"')
			return;
		e = strchr(q + 2, '"');
		if (e == NULL)
			return;
		type = g_string_chunk_insert_len(m->strs, t + 12, q - t - 12);
		attrib_add(at, nat, galaxy_type(type),
		    g_string_chunk_insert_len(m->strs, q + 2, e - q - 2));
		return;
	}
	if (*ntags < INTEL_FEED_MAX_TAGS)
		tags[(*ntags)++] = t;
}

static void
tags_of(struct misp *m, const json_t *o, const char **tlp, const char **tags,
    size_t *ntags, struct intel_attrib *at, size_t *nat)
{
	const json_t	*arr = json_object_get(o, "Tag"), *g, *cl;
	const char	*t, *gt;
	size_t		 i, k;

	for (i = 0; i < json_array_size(arr); i++) {
		t = json_string_value(json_object_get(json_array_get(arr, i),
		    "name"));
		if (t != NULL)
			tag(m, t, tlp, tags, ntags, at, nat);
	}
	arr = json_object_get(o, "Galaxy");
	for (i = 0; i < json_array_size(arr); i++) {
		g = json_array_get(arr, i);
		gt = galaxy_type(json_string_value(json_object_get(g, "type")));
		cl = json_object_get(g, "GalaxyCluster");
		for (k = 0; gt != NULL && k < json_array_size(cl); k++)
			attrib_add(at, nat, gt, json_string_value(
			    json_object_get(json_array_get(cl, k), "value")));
	}
}

/* A string or number member as an integer ("3", 3); 0 if neither. */
static int64_t
int_of(const json_t *o, const char *key)
{
	const json_t	*v = json_object_get(o, key);
	const char	*s;

	if (json_is_integer(v))
		return json_integer_value(v);
	s = json_string_value(v);
	return s != NULL ? g_ascii_strtoll(s, NULL, 10) : 0;
}

static int64_t
time_of(const json_t *o, const char *key)
{
	const json_t	*v = json_object_get(o, key);
	const char	*s = json_string_value(v);

	if (json_is_integer(v))
		return json_integer_value(v);
	return s != NULL ? intel_feed__time(s, strlen(s)) : 0;
}

static void
event_init(struct misp *m, struct misp_ev *ev, const json_t *e)
{
	const char	*info;
	int64_t		 tl;

	memset(ev, 0, sizeof(*ev));
	if (e == NULL)
		return;
	ev->source = json_string_value(json_object_get(json_object_get(e,
	    "Orgc"), "name"));
	tl = int_of(e, "threat_level_id");
	ev->threat_level = tl >= 1 && tl <= 4 ? (int)tl : 0;
	ev->first_seen = time_of(e, "date");
	ev->last_seen = time_of(e, "timestamp");
	info = json_string_value(json_object_get(e, "info"));
	attrib_add(ev->at, &ev->nat, "event", info);
	tags_of(m, e, &ev->tlp, ev->tags, &ev->ntags, ev->at, &ev->nat);
}

/* The kind of a simple MISP attribute type, or -1 to skip it. */
static int
kind_of(const char *t, size_t n)
{
	static const struct {
		const char	*type;
		int		 kind;
	} map[] = {
		{ "ip-src", INTEL_IP }, { "ip-dst", INTEL_IP },
		{ "ip", INTEL_IP },	/* the second half of "domain|ip" */
		{ "domain", INTEL_DOMAIN }, { "hostname", INTEL_DOMAIN },
		{ "url", INTEL_URL },
		{ "md5", INTEL_HASH }, { "sha1", INTEL_HASH },
		{ "sha256", INTEL_HASH },
		{ "email", INTEL_EMAIL }, { "email-src", INTEL_EMAIL },
		{ "email-dst", INTEL_EMAIL }, { "email-reply-to", INTEL_EMAIL },
		{ "AS", INTEL_ASN },
	};
	size_t	i;

	for (i = 0; i < MS_ARRAY_LEN(map); i++)
		if (strlen(map[i].type) == n && memcmp(map[i].type, t, n) == 0)
			return map[i].kind;
	return -1;
}

/*
 * Emit part 'v' ('vn' bytes) of an attribute as 'want'.  Returns 1 if
 * it was an indicator of that kind.
 */
static int
emit_part(struct misp *m, struct intel_indicator *ind, int want,
    const char *v, size_t vn)
{
	enum intel_kind	k;

	if (vn == 0 || vn > INTEL_FEED_MAX_VALUE - 2)
		return 0;
	if (want == INTEL_ASN && g_ascii_isdigit(v[0])) {
		memcpy(m->value, "AS", 2);
		memcpy(m->value + 2, v, vn);
		vn += 2;
	} else
		memcpy(m->value, v, vn);
	m->value[vn] = '\0';
	if (!intel_feed__classify(m->value, vn, &k) || (int)k != want)
		return 0;
	ind->kind = k;
	ind->value = m->value;
	(void)intel_feed__emit(m->c, ind);
	return 1;
}

/* Split "a|b" types and values; emit the parts we can use. */
static int
emit_value(struct misp *m, struct intel_indicator *ind, const char *type,
    const char *v)
{
	const char	*tb = strchr(type, '|'), *vb = strchr(v, '|');
	int		 k1, k2, n = 0;

	if (strcmp(type, "malware-sample") == 0) {
		type = "filename|md5";
		tb = type + 8;
	}
	if (tb == NULL)
		return emit_part(m, ind, kind_of(type, strlen(type)), v,
		    strlen(v));
	if (vb == NULL)
		return 0;
	k1 = kind_of(type, (size_t)(tb - type));
	k2 = kind_of(tb + 1, strlen(tb + 1));
	/* "filename|md5": the file name is no indicator; "ip-dst|port":
	 * the port is none either. */
	if (k1 >= 0)
		n += emit_part(m, ind, k1, v, (size_t)(vb - v));
	if (k2 >= 0 && !m->c->stopped)
		n += emit_part(m, ind, k2, vb + 1, strlen(vb + 1));
	return n > 0;
}

static void
attribute(struct misp *m, const struct misp_ev *ev, const json_t *a)
{
	struct intel_indicator	 ind;
	struct intel_attrib	 at[INTEL_FEED_MAX_ATTRIB];
	const char		*tags[INTEL_FEED_MAX_TAGS];
	const char		*type, *v, *s;
	const json_t		*ids;
	int64_t			 t;

	type = json_string_value(json_object_get(a, "type"));
	v = json_string_value(json_object_get(a, "value"));
	if (json_is_true(json_object_get(a, "deleted")))
		return;
	if (type == NULL || v == NULL) {
		m->c->rep->skipped++;
		return;
	}
	intel_feed__ind_init(&ind);
	memcpy(tags, ev->tags, ev->ntags * sizeof(tags[0]));
	memcpy(at, ev->at, ev->nat * sizeof(at[0]));
	ind.ntags = ev->ntags;
	ind.nattrib = ev->nat;
	ind.tags = tags;
	ind.attrib = at;
	ind.source = ev->source;
	ind.tlp = ev->tlp;
	ind.threat_level = ev->threat_level;
	tags_of(m, a, &ind.tlp, tags, &ind.ntags, at, &ind.nattrib);
	ids = json_object_get(a, "to_ids");
	if (json_is_false(ids) || g_strcmp0(json_string_value(ids), "0") == 0) {
		ind.confidence = MISP_CONF_NOT_IDS;
		if (ind.ntags < INTEL_FEED_MAX_TAGS)
			tags[ind.ntags++] = "to_ids:false";
	}
	s = json_string_value(json_object_get(a, "comment"));
	ind.description = s != NULL && *s != '\0' ? s : NULL;
	t = time_of(a, "first_seen");
	ind.first_seen = t != 0 ? t : ev->first_seen;
	t = time_of(a, "last_seen");
	if (t == 0)
		t = time_of(a, "timestamp");
	ind.last_seen = t != 0 ? t : ev->last_seen;
	if (!emit_value(m, &ind, type, v))
		m->c->rep->skipped++;
}

static void
attributes(struct misp *m, const struct misp_ev *ev, const json_t *arr)
{
	size_t	i;

	for (i = 0; i < json_array_size(arr) && !m->c->stopped; i++) {
		if (i >= INTEL_FEED_MAX_OBJECTS) {
			m->c->rep->skipped += json_array_size(arr) - i;
			break;
		}
		attribute(m, ev, json_array_get(arr, i));
	}
}

static void
event(struct misp *m, const json_t *e)
{
	struct misp_ev	*ev = g_malloc(sizeof(*ev));
	const json_t	*objs;
	size_t		 i;

	event_init(m, ev, e);
	attributes(m, ev, json_object_get(e, "Attribute"));
	objs = json_object_get(e, "Object");
	for (i = 0; i < json_array_size(objs) && !m->c->stopped; i++)
		attributes(m, ev, json_object_get(json_array_get(objs, i),
		    "Attribute"));
	g_free(ev);
	g_string_chunk_clear(m->strs);
}

/* restSearch attributes carry a small "Event" of their own. */
static void
loose_attributes(struct misp *m, const json_t *arr)
{
	struct misp_ev	*ev = g_malloc(sizeof(*ev));
	const json_t	*a;
	size_t		 i;

	for (i = 0; i < json_array_size(arr) && !m->c->stopped; i++) {
		if (i >= INTEL_FEED_MAX_OBJECTS) {
			m->c->rep->skipped += json_array_size(arr) - i;
			break;
		}
		a = json_array_get(arr, i);
		event_init(m, ev, json_object_get(a, "Event"));
		attribute(m, ev, a);
		g_string_chunk_clear(m->strs);
	}
	g_free(ev);
}

static int
is_uuid(const char *s)
{
	size_t	i;

	for (i = 0; s[i] != '\0'; i++)
		if (!g_ascii_isxdigit(s[i]) && s[i] != '-')
			return 0;
	return i == 36;
}

/* A manifest maps event UUIDs to summaries with an "info".  Looking at
 * a few members is enough, and keeps a hostile manifest from making us
 * walk it twice. */
static int
is_manifest(const json_t *root)
{
	const char	*key;
	json_t		*v;
	int		 seen = 0;

	json_object_foreach((json_t *)root, key, v) {
		if (is_uuid(key) && json_is_object(v) &&
		    json_object_get(v, "info") != NULL)
			return 1;
		if (++seen == 8)
			break;
	}
	return 0;
}

static int
is_bare_event(const json_t *o)
{
	return json_is_array(json_object_get(o, "Attribute")) &&
	    json_object_get(o, "info") != NULL;
}

static int
is_bare_attribute(const json_t *o)
{
	return json_is_string(json_object_get(o, "type")) &&
	    json_is_string(json_object_get(o, "value")) &&
	    (json_object_get(o, "category") != NULL ||
	    json_object_get(o, "to_ids") != NULL);
}

int
intel_feed__misp_detect(json_t *root)
{
	json_t	*r;

	if (json_is_array(root))
		return json_object_get(json_array_get(root, 0), "Event") !=
		    NULL;
	if (!json_is_object(root))
		return 0;
	r = json_object_get(root, "response");
	return json_is_object(json_object_get(root, "Event")) ||
	    json_is_array(r) || json_is_array(json_object_get(r,
	    "Attribute")) || is_bare_event(root) ||
	    is_bare_attribute(root) || is_manifest(root);
}

/* Read each event file a manifest names, from 'dir'. */
static enum ms_err
feed(struct misp *m, const json_t *manifest, const char *dir)
{
	struct intel_feed__ctx	*c = m->c;
	const char		*key, *mfile = c->file;
	json_t			*v, *root;
	char			*path, *name;
	enum ms_err		 rc;

	if (json_object_size(manifest) > INTEL_FEED_MAX_EVENTS)
		return intel_feed__fail(c, MS_ELIMIT, 0, "%zu events, more "
		    "than %u", json_object_size(manifest),
		    INTEL_FEED_MAX_EVENTS);
	json_object_foreach((json_t *)manifest, key, v) {
		if (c->stopped)
			break;
		/* The key names a file: nothing but a UUID may go into a
		 * path ("../../etc/x" would otherwise). */
		if (!is_uuid(key)) {
			c->rep->skipped++;
			continue;
		}
		name = g_strconcat(key, ".json", NULL);
		path = g_build_filename(dir, name, NULL);
		g_free(name);
		c->file = path;
		rc = intel_feed__load_json(c, path, &root);
		if (rc == MS_OK) {
			if (json_is_object(json_object_get(root, "Event")))
				event(m, json_object_get(root, "Event"));
			else
				c->rep->skipped++;
			json_decref(root);
		} else {
			/* One bad event does not lose the feed: say which
			 * and go on. */
			log_warnx("intel feed: %s", c->err != NULL ? c->err :
			    path);
			if (c->err != NULL && c->errlen > 0)
				c->err[0] = '\0';
			c->rep->skipped++;
		}
		c->file = mfile;
		g_free(path);
	}
	return MS_OK;
}

enum ms_err
intel_feed__misp(struct intel_feed__ctx *c, json_t *root, const char *dir)
{
	struct misp	*m = g_malloc(sizeof(*m));
	json_t		*r;
	enum ms_err	 rc = MS_OK;
	size_t		 i;

	m->c = c;
	m->strs = g_string_chunk_new(4096);
	r = json_object_get(root, "response");
	if (json_is_object(json_object_get(root, "Event"))) {
		g_strlcpy(c->rep->format, "misp-event", sizeof(c->rep->format));
		event(m, json_object_get(root, "Event"));
	} else if (json_is_array(root) || json_is_array(r)) {
		if (!json_is_array(r))
			r = root;
		g_strlcpy(c->rep->format, "misp-event", sizeof(c->rep->format));
		for (i = 0; i < json_array_size(r) && !c->stopped; i++) {
			if (json_is_object(json_object_get(json_array_get(r, i),
			    "Event")))
				event(m, json_object_get(json_array_get(r, i),
				    "Event"));
			else
				c->rep->skipped++;
		}
	} else if (json_is_array(json_object_get(r, "Attribute"))) {
		g_strlcpy(c->rep->format, "misp-attributes",
		    sizeof(c->rep->format));
		loose_attributes(m, json_object_get(r, "Attribute"));
	} else if (is_bare_event(root)) {
		g_strlcpy(c->rep->format, "misp-event", sizeof(c->rep->format));
		event(m, root);
	} else if (is_bare_attribute(root)) {
		g_strlcpy(c->rep->format, "misp-attributes",
		    sizeof(c->rep->format));
		r = json_array();
		if (r != NULL && json_array_append(r, root) == 0)
			loose_attributes(m, r);
		json_decref(r);
	} else {
		g_strlcpy(c->rep->format, "misp-feed", sizeof(c->rep->format));
		rc = feed(m, root, dir);
	}
	g_string_chunk_free(m->strs);
	g_free(m);
	return rc;
}
