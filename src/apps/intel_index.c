/* SPDX-License-Identifier: Apache-2.0 */
/*
 * intel_index.c -- the intel app's in-memory index of the store's
 * threat-intel indicators: one hash table per kind keyed by the
 * normalised value, and a Patricia trie per address family for networks.
 * Built in one pass over the store (on an asset's load and after a feed
 * load), then only read, by many worker threads at once: lookups take
 * no lock of their own (intel.c holds a read lock around them).
 * Strings come from our own store; looked-up values are UNTRUSTED but
 * already normalised by intel_normalise.
 */
#include <arpa/inet.h>
#include <stdio.h>
#include <string.h>

#include <glib.h>

#include "intel_int.h"
#include "../common/arena.h"
#include "../common/limits.h"
#include "../store/store.h"

struct intel_index {
	struct arena		*a;	/* entries, values, vectors */
	GStringChunk		*strs;	/* interned: sources, TLPs, tags */
	GHashTable		*byval[INTEL_KIND_COUNT];
	struct intel_trie	*v4;
	struct intel_trie	*v6;
	size_t			 count;
};

static const char *const how_names[] = {
	"exact", "cidr", "parent domain", "url without query", "url host"
};

const char *
intel_how_name(enum intel_how how)
{
	if ((unsigned)how >= G_N_ELEMENTS(how_names))
		return "?";
	return how_names[how];
}

struct intel_index *
intel_index_new(void)
{
	struct intel_index	*ix = g_new0(struct intel_index, 1);
	int			 k;

	ix->a = arena_new(LIMIT_INTEL_INDEX_BYTES);
	ix->strs = g_string_chunk_new(64 * 1024);
	for (k = 0; k < INTEL_KIND_COUNT; k++)
		ix->byval[k] = g_hash_table_new(g_str_hash, g_str_equal);
	ix->v4 = intel_trie_new(32);
	ix->v6 = intel_trie_new(128);
	return ix;
}

void
intel_index_free(struct intel_index *ix)
{
	int	k;

	if (ix == NULL)
		return;
	for (k = 0; k < INTEL_KIND_COUNT; k++)
		g_hash_table_destroy(ix->byval[k]);
	intel_trie_free(ix->v4);
	intel_trie_free(ix->v6);
	g_string_chunk_free(ix->strs);
	arena_free(ix->a);
	g_free(ix);
}

size_t
intel_index_count(const struct intel_index *ix)
{
	return ix->count;
}

/* An interned copy of 's' (NULL stays NULL). */
static const char *
intern(struct intel_index *ix, const char *s)
{
	return s != NULL ? g_string_chunk_insert_const(ix->strs, s) : NULL;
}

/*
 * Parse an IP or network ("192.0.2.0/24", "2001:db8::1") into network
 * bytes, the family's bit count and the prefix length (bits when none).
 * 0, or -1 when it is neither.
 */
static int
parse_net(const char *v, uint8_t *key, int *bits, int *plen)
{
	char		 buf[64];
	const char	*slash = strchr(v, '/');
	size_t		 n = slash ? (size_t)(slash - v) : strlen(v);
	char		*end;
	long		 p;

	if (n >= sizeof(buf))
		return -1;
	memcpy(buf, v, n);
	buf[n] = '\0';
	memset(key, 0, 16);
	if (inet_pton(AF_INET, buf, key) == 1)
		*bits = 32;
	else if (inet_pton(AF_INET6, buf, key) == 1)
		*bits = 128;
	else
		return -1;
	*plen = *bits;
	if (slash != NULL) {
		p = strtol(slash + 1, &end, 10);
		if (slash[1] == '\0' || *end != '\0' || p < 0 || p > *bits)
			return -1;
		*plen = (int)p;
	}
	return 0;
}

/* Chain 'e' behind the entry (or trie slot) '*head', unless its source
 * already has this value there.  1 added, 0 a repeat. */
static int
chain(struct intel_entry **head, struct intel_entry *e)
{
	const struct intel_entry	*x;

	for (x = *head; x != NULL; x = x->next)
		if (x->source == e->source)
			return 0;
	e->next = *head;
	*head = e;
	return 1;
}

/* A copy of 'in' in the index's memory, or NULL past the cap. */
static struct intel_entry *
entry_copy(struct intel_index *ix, enum intel_kind kind, const char *value,
    const struct intel_entry *in)
{
	struct intel_entry	*e;
	const char		**v;
	uint32_t		 i;

	if ((e = arena_alloc(ix->a, sizeof(*e))) == NULL)
		return NULL;
	*e = *in;
	if ((e->value = arena_strdup(ix->a, value)) == NULL)
		return NULL;
	e->next = NULL;
	e->kind = (uint8_t)kind;
	e->source = intern(ix, in->source ? in->source : "");
	e->tlp = intern(ix, in->tlp);
	e->description = intern(ix, in->description);
	if (in->ntags > 0) {
		if ((v = arena_calloc(ix->a, in->ntags, sizeof(*v))) == NULL)
			return NULL;
		for (i = 0; i < in->ntags; i++)
			v[i] = intern(ix, in->tags[i]);
		e->tags = v;
	}
	if (in->nattrib > 0) {
		if ((v = arena_calloc(ix->a, 2 * (size_t)in->nattrib,
		    sizeof(*v))) == NULL)
			return NULL;
		for (i = 0; i < 2 * in->nattrib; i++)
			v[i] = intern(ix, in->attrib[i]);
		e->attrib = v;
	}
	return e;
}

enum ms_err
intel_index_add(struct intel_index *ix, enum intel_kind kind,
    const char *value, const struct intel_entry *in)
{
	struct intel_entry	*e, *head;
	uint8_t			 key[16];
	void			**slot;
	int			 bits, plen;

	if ((unsigned)kind >= INTEL_KIND_COUNT || value == NULL)
		return MS_EPARSE;
	if (kind == INTEL_IP && parse_net(value, key, &bits, &plen) != 0)
		return MS_EPARSE;
	if ((e = entry_copy(ix, kind, value, in)) == NULL)
		return MS_ELIMIT;
	if (kind == INTEL_IP && plen < bits) {
		slot = intel_trie_slot(bits == 32 ? ix->v4 : ix->v6, key,
		    plen);
		if (slot == NULL)
			return MS_EPARSE;
		head = *slot;
		if (chain(&head, e))
			ix->count++;
		*slot = head;
		return MS_OK;
	}
	head = g_hash_table_lookup(ix->byval[kind], value);
	if (chain(&head, e))
		ix->count++;
	g_hash_table_insert(ix->byval[kind], (char *)head->value, head);
	return MS_OK;
}

/* ---- loading from the store ----------------------------------------- */

struct load {
	struct intel_index	*ix;
	enum ms_err		 rc;
	size_t			 bad;
};

static int
load_row(void *arg, const struct store_intel_row *r)
{
	struct load		*ld = arg;
	struct intel_entry	 e;
	int			 kind = intel_kind_parse(r->kind);
	enum ms_err		 rc;

	if (kind < 0) {
		ld->bad++;
		return 0;
	}
	memset(&e, 0, sizeof(e));
	e.source = r->source;
	e.tlp = r->tlp;
	e.description = r->description;
	e.tags = r->tags;
	e.ntags = (uint32_t)r->ntags;
	e.attrib = r->attrib;
	e.nattrib = (uint32_t)r->nattrib;
	e.first_seen = r->first_seen;
	e.last_seen = r->last_seen;
	e.expires = r->expires;
	e.confidence = (int16_t)(r->confidence < -1 ? -1 :
	    r->confidence > 100 ? 100 : r->confidence);
	e.subdomains = r->subdomains != 0;
	e.threat_level = (uint8_t)(r->threat_level & 0xff);
	rc = intel_index_add(ld->ix, (enum intel_kind)kind, r->value, &e);
	if (rc == MS_EPARSE) {
		ld->bad++;
		return 0;
	}
	ld->rc = rc;
	return rc != MS_OK;
}

enum ms_err
intel_index_load(struct store *st, struct intel_index **out, char *err,
    size_t errlen)
{
	struct load	ld = { intel_index_new(), MS_OK, 0 };
	enum ms_err	rc;

	*out = NULL;
	rc = store_intel_foreach(st, load_row, &ld);
	if (rc == MS_OK)
		rc = ld.rc;
	if (rc != MS_OK) {
		snprintf(err, errlen, "reading the intel indicators: %s",
		    rc == MS_ELIMIT ? "more than LIMIT_INTEL_INDEX_BYTES of "
		    "them" : store_errmsg(st));
		intel_index_free(ld.ix);
		return rc;
	}
	*out = ld.ix;
	return MS_OK;
}

/* ---- lookups ---------------------------------------------------------- */

struct found {
	struct intel_match	*out;
	size_t			 n;
	size_t			 max;
	int64_t			 now;
};

/* Add the live entries of one chain; 'parent' takes only those that
 * cover subdomains. */
static void
take(struct found *f, const struct intel_entry *e, enum intel_how how,
    int parent)
{
	for (; e != NULL && f->n < f->max; e = e->next) {
		if (e->expires != 0 && e->expires <= f->now)
			continue;
		if (parent && !e->subdomains)
			continue;
		f->out[f->n].e = e;
		f->out[f->n].how = how;
		f->n++;
	}
}

static void
find_ip(const struct intel_index *ix, const char *v, enum intel_how exact,
    enum intel_how cidr, struct found *f)
{
	void	*vals[130];
	int	 plens[130];
	uint8_t	 key[16];
	size_t	 n, i;
	int	 bits, plen;

	if (parse_net(v, key, &bits, &plen) != 0)
		return;
	take(f, g_hash_table_lookup(ix->byval[INTEL_IP], v), exact, 0);
	n = intel_trie_match(bits == 32 ? ix->v4 : ix->v6, key, vals, plens,
	    G_N_ELEMENTS(vals));
	for (i = 0; i < n; i++) {
		/* A network looked up: narrower ones do not cover it, and
		 * its own entry is an exact match. */
		if (plens[i] > plen)
			continue;
		take(f, vals[i], plen < bits && plens[i] == plen ? exact :
		    cidr, 0);
	}
}

static void
find_domain(const struct intel_index *ix, const char *v,
    enum intel_how exact, enum intel_how parent, struct found *f)
{
	const char	*p;

	take(f, g_hash_table_lookup(ix->byval[INTEL_DOMAIN], v), exact, 0);
	for (p = strchr(v, '.'); p != NULL; p = strchr(p + 1, '.'))
		take(f, g_hash_table_lookup(ix->byval[INTEL_DOMAIN], p + 1),
		    parent, 1);
}

/* The host of a normalised URL into 'out': a name, an IPv4, or an IPv6
 * without its brackets.  0, or -1. */
static int
url_host(const char *url, char *out, size_t outlen)
{
	const char	*h = strstr(url, "://"), *e, *at;
	size_t		 n;

	if (h == NULL)
		return -1;
	h += 3;
	e = h + strcspn(h, "/?#");
	at = memchr(h, '@', (size_t)(e - h));
	while (at != NULL) {
		h = at + 1;
		at = memchr(h, '@', (size_t)(e - h));
	}
	if (*h == '[') {
		e = memchr(h, ']', (size_t)(e - h));
		if (e == NULL)
			return -1;
		h++;
	} else {
		at = memchr(h, ':', (size_t)(e - h));
		if (at != NULL)
			e = at;
	}
	n = (size_t)(e - h);
	if (n == 0 || n >= outlen)
		return -1;
	memcpy(out, h, n);
	out[n] = '\0';
	return 0;
}

static void
find_url(const struct intel_index *ix, const char *v, struct found *f)
{
	char		 host[512], *base;
	const char	*q;
	uint8_t		 key[16];
	int		 bits, plen;

	take(f, g_hash_table_lookup(ix->byval[INTEL_URL], v),
	    INTEL_HOW_EXACT, 0);
	if ((q = strchr(v, '?')) != NULL) {
		base = g_strndup(v, (gsize)(q - v));
		take(f, g_hash_table_lookup(ix->byval[INTEL_URL], base),
		    INTEL_HOW_URL_NOQUERY, 0);
		g_free(base);
	}
	if (url_host(v, host, sizeof(host)) != 0)
		return;
	if (parse_net(host, key, &bits, &plen) == 0)
		find_ip(ix, host, INTEL_HOW_URL_HOST, INTEL_HOW_URL_HOST, f);
	else
		find_domain(ix, host, INTEL_HOW_URL_HOST, INTEL_HOW_URL_HOST,
		    f);
}

size_t
intel_index_lookup(const struct intel_index *ix, enum intel_kind kind,
    const char *value, int64_t now, struct intel_match *out, size_t max)
{
	struct found	f = { out, 0, max, now };

	if (value == NULL || (unsigned)kind >= INTEL_KIND_COUNT)
		return 0;
	switch (kind) {
	case INTEL_IP:
		find_ip(ix, value, INTEL_HOW_EXACT, INTEL_HOW_CIDR, &f);
		break;
	case INTEL_DOMAIN:
		find_domain(ix, value, INTEL_HOW_EXACT, INTEL_HOW_PARENT,
		    &f);
		break;
	case INTEL_URL:
		find_url(ix, value, &f);
		break;
	default:
		take(&f, g_hash_table_lookup(ix->byval[kind], value),
		    INTEL_HOW_EXACT, 0);
		break;
	}
	return f.n;
}
