/* SPDX-License-Identifier: Apache-2.0 */
/*
 * intel_feed_stix.c -- indicators out of a STIX 2.x bundle (or a single
 * STIX object).  Each `indicator` object whose pattern is STIX patterning
 * yields one indicator per usable equality comparison in its pattern
 * ("[domain-name:value = 'x' OR ipv4-addr:value = 'y']" yields two),
 * with the indicator's dates, confidence, labels, TLP marking, creator
 * and the malware, actors, campaigns and tools that relationships tie it
 * to.  Observables (observed-data, SCOs) are facts, not indicators, and
 * are left alone.  Trusts nothing in the bundle: references may dangle,
 * patterns may be garbage, every loop is bounded by the input.
 */
#include <stdio.h>
#include <string.h>

#include <glib.h>

#include "intel_feed_int.h"

/* Bundle-wide lookups, built once. */
struct stix {
	struct intel_feed__ctx	*c;
	GHashTable		*objs;	/* id -> object (borrowed) */
	GHashTable		*rels;	/* id -> GPtrArray of relationships */
};

/* What one indicator object says, shared by its comparisons. */
struct stix_ind {
	struct intel_indicator	 ind;
	const char		*tags[INTEL_FEED_MAX_TAGS];
	struct intel_attrib	 at[INTEL_FEED_MAX_ATTRIB];
	const json_t		*atobj[INTEL_FEED_MAX_ATTRIB];
	char			 value[INTEL_FEED_MAX_VALUE + 1];
};

/* The standard TLP markings: STIX 2.1's predefined TLP 1.0 objects and
 * the TLP 2.0 extension's.  Bundles refer to them without including
 * them. */
static const struct {
	const char	*id;
	const char	*tlp;
} tlp_ids[] = {
	{ "marking-definition--613f2e26-407d-48c7-9eca-b8e91df99dc9", "clear" },
	{ "marking-definition--34098fce-860f-48ae-8e50-ebd3cc5e41da", "green" },
	{ "marking-definition--f88d31f6-486f-44da-b317-01333bde0b82", "amber" },
	{ "marking-definition--5e57c739-391a-4eb3-b6be-7d15ca92d5ed", "red" },
	{ "marking-definition--94868c89-83c2-464b-929b-a1a8aa3c8487", "clear" },
	{ "marking-definition--bab4a63c-aed9-4cf5-a766-dfca5abac2bb", "green" },
	{ "marking-definition--55d920b0-5e8b-4f79-9ee9-91f868d9b421", "amber" },
	{ "marking-definition--939a9414-2ddd-4d32-a0cd-375ea402b003",
	    "amber+strict" },
	{ "marking-definition--e828b379-4e03-4974-9ac4-e53a884c97c1", "red" },
};

/* A TLP level as a feed writes it ("WHITE", "TLP:AMBER+STRICT") to ours;
 * NULL when it is none. */
static const char *
tlp_word(const char *w)
{
	static const char *const levels[] = {
		"clear", "green", "amber+strict", "amber", "red",
	};
	size_t	i;

	if (w == NULL)
		return NULL;
	if (g_ascii_strncasecmp(w, "tlp:", 4) == 0)
		w += 4;
	if (g_ascii_strcasecmp(w, "white") == 0)
		return "clear";
	for (i = 0; i < MS_ARRAY_LEN(levels); i++)
		if (g_ascii_strcasecmp(w, levels[i]) == 0)
			return levels[i];
	return NULL;
}

/* The TLP of a marking-definition object in the bundle. */
static const char *
tlp_object(const json_t *md)
{
	const json_t	*ext, *v;
	const char	*key, *t;

	t = json_string_value(json_object_get(md, "definition_type"));
	if (t != NULL && strcmp(t, "tlp") == 0) {
		t = tlp_word(json_string_value(json_object_get(
		    json_object_get(md, "definition"), "tlp")));
		if (t != NULL)
			return t;
	}
	ext = json_object_get(md, "extensions");
	json_object_foreach((json_t *)ext, key, v) {
		t = tlp_word(json_string_value(json_object_get(v, "tlp_2_0")));
		if (t != NULL)
			return t;
	}
	return tlp_word(json_string_value(json_object_get(md, "name")));
}

static const char *
tlp_of(struct stix *sx, const json_t *o)
{
	const json_t	*refs = json_object_get(o, "object_marking_refs");
	const json_t	*md;
	const char	*id, *t;
	size_t		 i, k;

	for (i = 0; i < json_array_size(refs); i++) {
		id = json_string_value(json_array_get(refs, i));
		if (id == NULL)
			continue;
		for (k = 0; k < MS_ARRAY_LEN(tlp_ids); k++)
			if (strcmp(id, tlp_ids[k].id) == 0)
				return tlp_ids[k].tlp;
		md = g_hash_table_lookup(sx->objs, id);
		if (md != NULL && (t = tlp_object(md)) != NULL)
			return t;
	}
	return NULL;
}

static int
attrib_type(const char *t)
{
	return t != NULL && (strcmp(t, "malware") == 0 ||
	    strcmp(t, "threat-actor") == 0 || strcmp(t, "intrusion-set") == 0 ||
	    strcmp(t, "campaign") == 0 || strcmp(t, "tool") == 0);
}

static void
attrib_add(struct stix_ind *si, const json_t *o)
{
	struct intel_indicator	*ind = &si->ind;
	const char		*name;
	size_t			 i;

	name = json_string_value(json_object_get(o, "name"));
	if (name == NULL || ind->nattrib >= INTEL_FEED_MAX_ATTRIB)
		return;
	for (i = 0; i < ind->nattrib; i++)
		if (si->atobj[i] == o)
			return;
	si->atobj[ind->nattrib] = o;
	si->at[ind->nattrib].type = json_string_value(json_object_get(o,
	    "type"));
	si->at[ind->nattrib].name = name;
	ind->nattrib++;
}

/*
 * The relationship 'r' seen from 'id': the object at its other end if
 * that is something we attribute to, else NULL.  '*from' says whether
 * 'id' is the source.
 */
static const json_t *
other_end(struct stix *sx, const json_t *r, const char *id, int *from)
{
	const char	*s, *t, *o;
	const json_t	*obj;

	s = json_string_value(json_object_get(r, "source_ref"));
	t = json_string_value(json_object_get(r, "target_ref"));
	if (s == NULL || t == NULL)
		return NULL;
	*from = strcmp(s, id) == 0;
	o = *from ? t : s;
	obj = g_hash_table_lookup(sx->objs, o);
	if (obj == NULL || !attrib_type(json_string_value(json_object_get(obj,
	    "type"))))
		return NULL;
	return obj;
}

/*
 * Who the indicator 'id' points at: what a relationship ties it to, then
 * one step further from each of those, except down a "uses" edge (a
 * campaign using twenty malware variants does not make every indicator
 * of one variant an indicator of the other nineteen).
 */
static void
attribute(struct stix *sx, struct stix_ind *si, const char *id)
{
	GPtrArray	*rels;
	const json_t	*o, *r;
	const char	*oid, *rt;
	size_t		 i, hop1, k, budget = INTEL_FEED_MAX_WALK;
	int		 from;

	rels = g_hash_table_lookup(sx->rels, id);
	for (i = 0; rels != NULL && i < rels->len && budget > 0; i++) {
		budget--;
		o = other_end(sx, g_ptr_array_index(rels, i), id, &from);
		if (o != NULL)
			attrib_add(si, o);
	}
	hop1 = si->ind.nattrib;
	for (k = 0; k < hop1; k++) {
		oid = json_string_value(json_object_get(si->atobj[k], "id"));
		rels = oid != NULL ? g_hash_table_lookup(sx->rels, oid) : NULL;
		for (i = 0; rels != NULL && i < rels->len && budget > 0; i++) {
			budget--;
			r = g_ptr_array_index(rels, i);
			o = other_end(sx, r, oid, &from);
			rt = json_string_value(json_object_get(r,
			    "relationship_type"));
			if (o == NULL || (from && rt != NULL &&
			    strcmp(rt, "uses") == 0))
				continue;
			attrib_add(si, o);
		}
	}
}

/* --- patterns -------------------------------------------------------- */

/* One comparison of a pattern. */
struct cmp {
	char	path[128];	/* "file:hashes.SHA-256", quotes dropped */
	char	op[16];		/* "=", "!=", "LIKE", "NOT MATCHES", ... */
	int	str;		/* the value is a string literal */
	int	toolong;	/* the value did not fit */
};

static int
word_char(char ch)
{
	return g_ascii_isalnum(ch) || ch == '-' || ch == '_';
}

/* Read a string literal at *p ('\'' ... '\''), unescaped into 'out'.
 * Moves *p past it. */
static void
literal(const char **p, const char *e, char *out, size_t outlen, int *toolong)
{
	const char	*s = *p + 1;
	size_t		 n = 0;

	while (s < e && *s != '\'') {
		if (*s == '\\' && s + 1 < e)
			s++;
		if (n + 1 < outlen)
			out[n++] = *s;
		else if (toolong != NULL)
			*toolong = 1;
		s++;
	}
	if (out != NULL && outlen > 0)
		out[n] = '\0';
	*p = s < e ? s + 1 : e;
}

/* Read an object path after its "type:" into cm->path. */
static void
path(const char **p, const char *e, struct cmp *cm, size_t n)
{
	const char	*s = *p;
	char		 seg[64];

	while (s < e) {
		if (word_char(*s) || *s == '.' || *s == ':' || *s == '*') {
			if (n + 1 < sizeof(cm->path))
				cm->path[n++] = *s;
			s++;
		} else if (*s == '\'') {
			literal(&s, e, seg, sizeof(seg), NULL);
			if (n + strlen(seg) + 1 < sizeof(cm->path)) {
				memcpy(cm->path + n, seg, strlen(seg));
				n += strlen(seg);
			}
		} else if (*s == '[') {
			while (s < e && *s != ']')
				s++;
			if (s < e)
				s++;
		} else
			break;
	}
	cm->path[n] = '\0';
	*p = s;
}

static const char *
skip_space(const char *p, const char *e)
{
	while (p < e && g_ascii_isspace(*p))
		p++;
	return p;
}

/* Read an operator: symbols, or words ("NOT MATCHES"). */
static void
op(const char **p, const char *e, struct cmp *cm)
{
	const char	*s = skip_space(*p, e);
	size_t		 n = 0;

	if (s < e && strchr("=!<>", *s) != NULL) {
		while (s < e && strchr("=!<>", *s) != NULL && n + 1 <
		    sizeof(cm->op))
			cm->op[n++] = *s++;
	} else {
		while (s < e && g_ascii_isalpha(*s) && n + 1 < sizeof(cm->op))
			cm->op[n++] = g_ascii_toupper(*s++);
		if (n == 3 && memcmp(cm->op, "NOT", 3) == 0) {
			s = skip_space(s, e);
			cm->op[n++] = ' ';
			while (s < e && g_ascii_isalpha(*s) &&
			    n + 1 < sizeof(cm->op))
				cm->op[n++] = g_ascii_toupper(*s++);
		}
	}
	cm->op[n] = '\0';
	*p = s;
}

/* Read a value: a literal, a set "(...)" or a bare word or number. */
static void
value(const char **p, const char *e, struct cmp *cm, char *out, size_t len)
{
	const char	*s = skip_space(*p, e);
	size_t		 n = 0;
	int		 depth = 0;

	cm->str = 0;
	out[0] = '\0';
	if (s < e && *s == '\'') {
		cm->str = 1;
		literal(&s, e, out, len, &cm->toolong);
	} else if (s < e && *s == '(') {
		for (; s < e; s++) {
			if (*s == '\'') {
				literal(&s, e, NULL, 0, NULL);
				s--;
			} else if (*s == '(')
				depth++;
			else if (*s == ')' && --depth == 0) {
				s++;
				break;
			}
		}
	} else {
		/* b'..', h'..', t'..' are typed literals: not usable. */
		if (s + 1 < e && s[1] == '\'' && strchr("bht", *s) != NULL) {
			s++;
			literal(&s, e, NULL, 0, NULL);
		} else
			while (s < e && (word_char(*s) || *s == '.') &&
			    n + 1 < len)
				out[n++] = *s++;
		out[n] = '\0';
	}
	*p = s;
}

/* The hash algorithms we keep, as STIX names them. */
static int
hash_path(const char *p)
{
	const char	*h;

	if (strncmp(p, "file:hashes.", 12) == 0)
		h = p + 12;
	else if (strncmp(p, "artifact:hashes.", 16) == 0)
		h = p + 16;
	else
		return 0;
	return g_ascii_strcasecmp(h, "MD5") == 0 ||
	    g_ascii_strcasecmp(h, "SHA-1") == 0 ||
	    g_ascii_strcasecmp(h, "SHA1") == 0 ||
	    g_ascii_strcasecmp(h, "SHA-256") == 0 ||
	    g_ascii_strcasecmp(h, "SHA256") == 0;
}

/*
 * Turn one comparison into an indicator in si->ind and hand it over.
 * Returns 1 if it was usable.
 */
static int
use_cmp(struct stix *sx, struct stix_ind *si, struct cmp *cm)
{
	struct intel_indicator	*ind = &si->ind;
	enum intel_kind		 want, k;
	char			*v = si->value;
	size_t			 n;

	if (cm->toolong)
		return 0;
	ind->subdomains = 0;
	/* "domain-name:value LIKE '%.example.com'": the domain and all
	 * under it. */
	if (strcmp(cm->op, "LIKE") == 0 && cm->str &&
	    strcmp(cm->path, "domain-name:value") == 0 &&
	    strncmp(v, "%.", 2) == 0 && strpbrk(v + 2, "%_") == NULL) {
		memmove(v, v + 2, strlen(v + 2) + 1);
		ind->subdomains = 1;
	} else if (strcmp(cm->op, "=") != 0)
		return 0;
	if (strcmp(cm->path, "autonomous-system:number") == 0 && !cm->str) {
		n = strlen(v);
		if (n == 0 || n > 10 || strspn(v, "0123456789") != n)
			return 0;
		memmove(v + 2, v, n + 1);
		v[0] = 'A';
		v[1] = 'S';
		want = INTEL_ASN;
	} else if (!cm->str)
		return 0;
	else if (strcmp(cm->path, "domain-name:value") == 0)
		want = INTEL_DOMAIN;
	else if (strcmp(cm->path, "url:value") == 0)
		want = INTEL_URL;
	else if (strcmp(cm->path, "ipv4-addr:value") == 0 ||
	    strcmp(cm->path, "ipv6-addr:value") == 0)
		want = INTEL_IP;
	else if (hash_path(cm->path))
		want = INTEL_HASH;
	else if (strcmp(cm->path, "email-addr:value") == 0 ||
	    strcmp(cm->path, "email-message:from_ref.value") == 0 ||
	    strcmp(cm->path, "email-message:sender_ref.value") == 0)
		want = INTEL_EMAIL;
	else if (strcmp(cm->path, "network-traffic:dst_ref.value") == 0 ||
	    strcmp(cm->path, "network-traffic:src_ref.value") == 0)
		want = INTEL_KIND_COUNT;	/* an address or a name */
	else
		return 0;
	if (!intel_feed__classify(v, strlen(v), &k))
		return 0;
	if (want == INTEL_KIND_COUNT ? (k != INTEL_IP && k != INTEL_DOMAIN) :
	    k != want)
		return 0;
	ind->kind = k;
	ind->value = v;
	(void)intel_feed__emit(sx->c, ind);
	return 1;
}

/*
 * Walk a pattern: every "object-type:path OP value" in it, whatever the
 * brackets, AND/OR and qualifiers around.  Returns the number of
 * comparisons found; '*used' counts those that made an indicator.
 */
static size_t
pattern(struct stix *sx, struct stix_ind *si, const char *pat, size_t len,
    size_t *used)
{
	const char	*p = pat, *e = pat + len, *w;
	struct cmp	 cm;
	size_t		 found = 0, n;

	*used = 0;
	while (p < e && !sx->c->stopped) {
		if (*p == '\'') {
			literal(&p, e, NULL, 0, NULL);
			continue;
		}
		if (!word_char(*p)) {
			p++;
			continue;
		}
		for (w = p; p < e && word_char(*p); p++)
			;
		if (p >= e || *p != ':' || (size_t)(p - w) + 2 >
		    sizeof(cm.path))
			continue;	/* AND, OR, WITHIN, a number ... */
		memset(&cm, 0, sizeof(cm));
		n = (size_t)(p - w);
		memcpy(cm.path, w, n);
		path(&p, e, &cm, n);
		op(&p, e, &cm);
		value(&p, e, &cm, si->value, sizeof(si->value) - 2);
		found++;
		if (use_cmp(sx, si, &cm))
			(*used)++;
	}
	return found;
}

/* --- objects --------------------------------------------------------- */

static void
tags_from(struct stix_ind *si, const json_t *arr)
{
	const char	*t;
	size_t		 i;

	for (i = 0; i < json_array_size(arr); i++) {
		t = json_string_value(json_array_get(arr, i));
		if (t != NULL && si->ind.ntags < INTEL_FEED_MAX_TAGS)
			si->tags[si->ind.ntags++] = t;
	}
}

static void
indicator(struct stix *sx, struct stix_ind *si, const json_t *o)
{
	struct intel_indicator	*ind = &si->ind;
	const json_t		*cr, *conf;
	const char		*pt, *pat, *id, *s;
	size_t			 found, used;

	pt = json_string_value(json_object_get(o, "pattern_type"));
	pat = json_string_value(json_object_get(o, "pattern"));
	id = json_string_value(json_object_get(o, "id"));
	/* STIX 2.0 has no pattern_type: its patterns are all STIX. */
	if (pat == NULL || id == NULL || (pt != NULL && strcmp(pt, "stix"))) {
		sx->c->rep->skipped++;
		return;
	}
	intel_feed__ind_init(ind);
	ind->tags = si->tags;
	ind->attrib = si->at;
	s = json_string_value(json_object_get(o, "created_by_ref"));
	cr = s != NULL ? g_hash_table_lookup(sx->objs, s) : NULL;
	ind->source = json_string_value(json_object_get(cr, "name"));
	conf = json_object_get(o, "confidence");
	if (json_is_integer(conf) && json_integer_value(conf) >= 0 &&
	    json_integer_value(conf) <= 100)
		ind->confidence = (int)json_integer_value(conf);
	ind->tlp = tlp_of(sx, o);
	tags_from(si, json_object_get(o, "indicator_types"));
	tags_from(si, json_object_get(o, "labels"));
	ind->description = json_string_value(json_object_get(o,
	    "description"));
	s = json_string_value(json_object_get(o, "valid_from"));
	ind->first_seen = s != NULL ? intel_feed__time(s, strlen(s)) : 0;
	s = json_string_value(json_object_get(o, "valid_until"));
	ind->expires = s != NULL ? intel_feed__time(s, strlen(s)) : 0;
	attribute(sx, si, id);
	found = pattern(sx, si, pat, strlen(pat), &used);
	/* Each comparison we cannot use counts once; a pattern with none
	 * we could read counts once. */
	sx->c->rep->skipped += found > used ? found - used : 0;
	if (found == 0)
		sx->c->rep->skipped++;
}

static void
index_objects(struct stix *sx, json_t *objs)
{
	json_t		*o;
	GPtrArray	*a;
	const char	*id, *type, *ends[2];
	size_t		 i, k;

	json_array_foreach(objs, i, o) {
		if (i >= INTEL_FEED_MAX_OBJECTS)
			break;
		id = json_string_value(json_object_get(o, "id"));
		type = json_string_value(json_object_get(o, "type"));
		if (id == NULL || type == NULL)
			continue;
		if (!g_hash_table_contains(sx->objs, id))
			g_hash_table_insert(sx->objs, (gpointer)id, o);
		if (strcmp(type, "relationship") != 0)
			continue;
		type = json_string_value(json_object_get(o,
		    "relationship_type"));
		if (type == NULL || (strcmp(type, "indicates") != 0 &&
		    strcmp(type, "attributed-to") != 0 &&
		    strcmp(type, "uses") != 0))
			continue;
		ends[0] = json_string_value(json_object_get(o, "source_ref"));
		ends[1] = json_string_value(json_object_get(o, "target_ref"));
		if (ends[0] == NULL || ends[1] == NULL ||
		    strcmp(ends[0], ends[1]) == 0)
			continue;
		for (k = 0; k < 2; k++) {
			a = g_hash_table_lookup(sx->rels, ends[k]);
			if (a == NULL) {
				a = g_ptr_array_new();
				g_hash_table_insert(sx->rels,
				    (gpointer)ends[k], a);
			}
			g_ptr_array_add(a, o);
		}
	}
}

enum ms_err
intel_feed__stix(struct intel_feed__ctx *c, json_t *root)
{
	struct stix	 sx;
	struct stix_ind	*si;
	json_t		*objs, *one = NULL, *o;
	const char	*type;
	size_t		 i;

	objs = json_object_get(root, "objects");
	if (objs == NULL) {
		one = json_array();
		if (one == NULL || json_array_append(one, root) != 0) {
			json_decref(one);
			return intel_feed__fail(c, MS_EPARSE, 0, "out of "
			    "memory");
		}
		objs = one;
	}
	if (!json_is_array(objs)) {
		json_decref(one);
		return intel_feed__fail(c, MS_EPARSE, 0, "a STIX bundle "
		    "whose \"objects\" is not a list");
	}
	if (json_array_size(objs) > INTEL_FEED_MAX_OBJECTS) {
		json_decref(one);
		return intel_feed__fail(c, MS_ELIMIT, 0, "%zu STIX objects, "
		    "more than %u", json_array_size(objs),
		    INTEL_FEED_MAX_OBJECTS);
	}
	if (g_strcmp0(json_string_value(json_object_get(root,
	    "spec_version")), "2.0") == 0)
		g_strlcpy(c->rep->format, "stix2.0", sizeof(c->rep->format));
	sx.c = c;
	sx.objs = g_hash_table_new(g_str_hash, g_str_equal);
	sx.rels = g_hash_table_new_full(g_str_hash, g_str_equal, NULL,
	    (GDestroyNotify)g_ptr_array_unref);
	index_objects(&sx, objs);
	si = g_malloc(sizeof(*si));
	json_array_foreach(objs, i, o) {
		if (c->stopped)
			break;
		type = json_string_value(json_object_get(o, "type"));
		if (type != NULL && strcmp(type, "indicator") == 0)
			indicator(&sx, si, o);
	}
	g_free(si);
	g_hash_table_destroy(sx.rels);
	g_hash_table_destroy(sx.objs);
	json_decref(one);
	return MS_OK;
}
