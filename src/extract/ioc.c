/* SPDX-License-Identifier: Apache-2.0 */
/*
 * ioc.c -- the deduplicating indicator set and the module's one-time
 * initialisation.  A set lives in the caller's arena (one per email or
 * per `extract` input); its hash tables are GLib's and are destroyed by
 * the arena.  Runs in whichever process analyses the email; trusts
 * nothing it is given except the 'where' strings, which are the caller's.
 */
#include <string.h>

#include <glib.h>
#include <libpsl.h>
#include <libxml/parser.h>

#include "../common/limits.h"
#include "extract_int.h"

struct ioc_set {
	struct arena		*a;
	GHashTable		*seen[IOC_KINDS];	/* value -> ioc */
	struct arena_vec	 items[IOC_KINDS];
	GHashTable		*raw;		/* candidate -> outcome + 1 */
	size_t			 others;	/* items not IOC_URL */
	size_t			 dropped;
};

static const char *const kind_names[IOC_KINDS] = {
	[IOC_URL] = "url",
	[IOC_DOMAIN] = "domain",
	[IOC_IP] = "ip",
	[IOC_EMAIL] = "email",
	[IOC_MD5] = "md5",
	[IOC_SHA1] = "sha1",
	[IOC_SHA256] = "sha256",
	[IOC_SHA512] = "sha512",
};

static const psl_ctx_t	*psl_ctx;
static psl_ctx_t	*psl_loaded;	/* only when the builtin is missing */

/*
 * Load the public suffix list once.  libpsl's builtin copy is preferred
 * because it needs no file; distributions that build libpsl without it
 * get the system DAFSA file instead.
 */
void
extract_init(void)
{
	static gsize	done;

	if (!g_once_init_enter(&done))
		return;
	xmlInitParser();
	psl_ctx = psl_builtin();
	if (psl_ctx == NULL) {
		psl_loaded = psl_latest(NULL);
		psl_ctx = psl_loaded;
	}
	g_once_init_leave(&done, 1);
}

/* The PSL context; extract_init() is called on first use as a safety net
 * for callers that forgot it (g_once makes that safe across threads). */
const void *
extract__psl(void)
{
	if (psl_ctx == NULL)
		extract_init();
	return psl_ctx;
}

/* arena_defer() callback for the GLib hash tables. */
static void
destroy_table(void *p)
{
	g_hash_table_destroy(p);
}

/* A new empty set; NULL when the arena is full. */
struct ioc_set *
ioc_set_new(struct arena *a)
{
	struct ioc_set	*s;
	int		 k;

	if ((s = arena_alloc(a, sizeof(*s))) == NULL)
		return NULL;
	s->a = a;
	for (k = 0; k < IOC_KINDS; k++) {
		s->seen[k] = g_hash_table_new(g_str_hash, g_str_equal);
		if (arena_defer(a, destroy_table, s->seen[k]) != MS_OK)
			return NULL;	/* the table was destroyed already */
	}
	s->raw = g_hash_table_new(g_str_hash, g_str_equal);
	if (arena_defer(a, destroy_table, s->raw) != MS_OK)
		return NULL;
	return s;
}

/* Items of kind 'k'; 0 for a NULL set or a bad kind. */
size_t
ioc_set_count(const struct ioc_set *s, enum ioc_kind k)
{
	if (s == NULL || (unsigned)k >= IOC_KINDS)
		return 0;
	return s->items[k].n;
}

/* Item 'i' of kind 'k' in first-seen order, or NULL. */
const struct ioc *
ioc_set_get(const struct ioc_set *s, enum ioc_kind k, size_t i)
{
	if (s == NULL || (unsigned)k >= IOC_KINDS || i >= s->items[k].n)
		return NULL;
	return s->items[k].v[i];
}

/* Items refused by a limit so far. */
size_t
ioc_set_dropped(const struct ioc_set *s)
{
	return s == NULL ? 0 : s->dropped;
}

/* The JSON-ish name of a kind. */
const char *
ioc_kind_name(enum ioc_kind k)
{
	if ((unsigned)k >= IOC_KINDS)
		return "unknown";
	return kind_names[k];
}

/* The arena the set lives in. */
struct arena *
ioc__arena(const struct ioc_set *s)
{
	return s->a;
}

/* Is 'value' already in the set as kind 'k'? */
int
ioc__has(const struct ioc_set *s, enum ioc_kind k, const char *value)
{
	return g_hash_table_lookup(s->seen[k], value) != NULL;
}

/*
 * The per-kind limit is checked before anything is copied, so a refused
 * item costs no arena memory.  A duplicate is never refused: it only
 * merges its flags into the first sighting, whose 'where' stays.
 */
enum ms_err
ioc__add(struct ioc_set *s, enum ioc_kind k, const char *value,
    const char *unicode, const char *host, const char *domain,
    const char *where, unsigned flags, int *added)
{
	struct ioc	*it;
	enum ms_err	 rc = MS_ELIMIT;

	if (added != NULL)
		*added = 0;
	it = g_hash_table_lookup(s->seen[k], value);
	if (it != NULL) {
		it->flags |= flags;
		return MS_OK;
	}
	if (k == IOC_URL && s->items[k].n >= LIMIT_URLS_PER_MSG)
		goto out;
	if (k != IOC_URL && s->others >= LIMIT_IOCS_PER_MSG)
		goto out;
	if ((it = arena_alloc(s->a, sizeof(*it))) == NULL)
		goto out;
	it->kind = k;
	it->flags = flags;
	it->where = where;
	if ((it->value = arena_strdup(s->a, value)) == NULL)
		goto out;
	if (unicode != NULL &&
	    (it->unicode = arena_strdup(s->a, unicode)) == NULL)
		goto out;
	if (host != NULL && (it->host = arena_strdup(s->a, host)) == NULL)
		goto out;
	if (domain != NULL &&
	    (it->domain = arena_strdup(s->a, domain)) == NULL)
		goto out;
	if (arena_vec_push(s->a, &s->items[k], it) != MS_OK)
		goto out;
	g_hash_table_insert(s->seen[k], (char *)it->value, it);
	if (k != IOC_URL)
		s->others++;
	if (added != NULL)
		*added = 1;
	rc = MS_OK;
out:
	if (rc != MS_OK)
		s->dropped++;
	return rc;
}

/*
 * Candidates already looked at.  Mail repeats its links (a footer, a
 * tracking URL per paragraph), and canonicalising one costs a libcurl
 * parse and an IDNA conversion, so the outcome is remembered by the raw
 * bytes.  'tag' keeps kinds and flag combinations apart.  The memory is
 * bounded: past RAW_CACHE_MAX entries nothing more is remembered.
 */
#define RAW_CACHE_MAX	65536

/* The outcome cached for a raw candidate, if any. */
int
ioc__raw_get(struct ioc_set *s, char tag, const char *p, size_t n,
    enum ms_err *rc)
{
	char	buf[128];
	void	*v;

	if (n + 2 > sizeof(buf))
		return 0;	/* long ones are rare: not worth a copy */
	buf[0] = tag;
	memcpy(buf + 1, p, n);
	buf[n + 1] = '\0';
	if ((v = g_hash_table_lookup(s->raw, buf)) == NULL)
		return 0;
	*rc = (enum ms_err)(GPOINTER_TO_INT(v) - 1);
	return 1;
}

/* Cache the outcome for a raw candidate, if there is room. */
void
ioc__raw_put(struct ioc_set *s, char tag, const char *p, size_t n,
    enum ms_err rc)
{
	char	*k;

	if (n + 2 > 128 || g_hash_table_size(s->raw) >= RAW_CACHE_MAX)
		return;
	if ((k = arena_alloc(s->a, n + 2)) == NULL)
		return;		/* only a cache: nothing lost */
	k[0] = tag;
	memcpy(k + 1, p, n);
	k[n + 1] = '\0';
	g_hash_table_insert(s->raw, k, GINT_TO_POINTER((int)rc + 1));
}
