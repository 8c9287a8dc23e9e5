/* SPDX-License-Identifier: Apache-2.0 */
/*
 * intel.c -- the intel app: ip, domain, url and file reputation and the
 * matching hunts (attribution: actors, malware, campaigns, events, tags)
 * from the local threat-intel store that `mailsoar intel load` fills.
 * Runs on the engine's worker threads.  Each asset keeps an in-memory
 * index of every indicator (intel_index.c), built from its own read
 * connection to the store at load and rebuilt when the store's intel
 * generation changes (checked at most once a second, by one thread,
 * while the others keep answering from the old index).  Looked-up values
 * are UNTRUSTED and normalised (intel_normalise) before anything else.
 *
 * Verdicts (docs/internals/intel.md): each match scores its confidence
 * (80 when the feed gives none; MISP threat level high +10, low -10),
 * scaled by how it matched (exact 100%, covering network or query-less
 * URL 90%, parent domain 80%, URL host 70%); the score is the best match
 * plus 5 per further source, at most 100.  No match: "unknown", 0;
 * score >= 70: "malicious"; else "suspicious".
 */
#include <stdio.h>
#include <string.h>

#include <glib.h>

#include "apps.h"
#include "intel_int.h"
#include "../common/limits.h"
#include "../common/log.h"
#include "../store/store.h"

/* How often the store's generation is read (microseconds). */
#define INTEL_CHECK_US		G_USEC_PER_SEC
/* A listed indicator's confidence when its feed does not give one. */
#define INTEL_DEFAULT_CONF	80
#define INTEL_MALICIOUS		70

struct intel_app {
	char			*path;		/* the store file */
	GRWLock			 lock;		/* 'ix' and 'generation' */
	struct intel_index	*ix;
	int64_t			 generation;
	GMutex			 reload;	/* 'st'; one rebuild */
	struct store		*st;
	gint64			 checked;	/* monotonic us; atomic */
};

static void
intel_free(void *state)
{
	struct intel_app	*s = state;

	if (s == NULL)
		return;
	intel_index_free(s->ix);
	store_close(s->st);
	g_rw_lock_clear(&s->lock);
	g_mutex_clear(&s->reload);
	g_free(s->path);
	g_free(s);
}

static enum ms_err
intel_init(const struct asset *as, void **state, char *err, size_t errlen)
{
	struct intel_app	*s;
	const char		*path = asset_get(as, "store");
	char			 e[1024];

	*state = NULL;
	if (path == NULL && (path = asset_store_path(as)) == NULL) {
		snprintf(err, errlen, "store: not set, and the engine has no "
		    "store of its own to read");
		return MS_EINVAL;
	}
	if (asset_get(as, "store") != NULL &&
	    !g_file_test(path, G_FILE_TEST_IS_REGULAR)) {
		snprintf(err, errlen, "store=%s: no such file (load feeds "
		    "with 'mailsoar intel load' first)", path);
		return MS_EINVAL;
	}
	s = g_new0(struct intel_app, 1);
	g_rw_lock_init(&s->lock);
	g_mutex_init(&s->reload);
	s->path = g_strdup(path);
	if (store_open(path, &s->st, e, sizeof(e)) != MS_OK ||
	    store_intel_generation(s->st, &s->generation) != MS_OK ||
	    intel_index_load(s->st, &s->ix, e, sizeof(e)) != MS_OK) {
		snprintf(err, errlen, "store %s: %s", path, e);
		intel_free(s);
		return MS_EINVAL;
	}
	s->checked = g_get_monotonic_time();
	*state = s;
	return MS_OK;
}

/*
 * Rebuild the index if the store changed.  One caller at a time does
 * the work (trylock); the rest go on with the index they have.  The new
 * index is built without the lock and swapped in under it.
 */
static void
refresh(struct intel_app *s)
{
	struct intel_index	*nix = NULL, *old;
	gint64			 now = g_get_monotonic_time();
	int64_t			 gen;
	char			 e[1024];

	if (now - __atomic_load_n(&s->checked, __ATOMIC_RELAXED) <
	    INTEL_CHECK_US || !g_mutex_trylock(&s->reload))
		return;
	__atomic_store_n(&s->checked, now, __ATOMIC_RELAXED);
	if (store_intel_generation(s->st, &gen) != MS_OK ||
	    gen == s->generation)
		goto out;
	if (intel_index_load(s->st, &nix, e, sizeof(e)) != MS_OK) {
		log_warnx("intel: %s: %s (keeping the previous index)",
		    s->path, e);
		goto out;
	}
	g_rw_lock_writer_lock(&s->lock);
	old = s->ix;
	s->ix = nix;
	s->generation = gen;
	g_rw_lock_writer_unlock(&s->lock);
	intel_index_free(old);
out:
	g_mutex_unlock(&s->reload);
}

/* ---- results ---------------------------------------------------------- */

/* Unix microseconds as ISO 8601 UTC into 'd' under 'key' (null for 0). */
static void
set_time(struct rdict *d, const char *key, int64_t us)
{
	GDateTime	*t;
	char		*s;

	if (us <= 0 || (t = g_date_time_new_from_unix_utc(us /
	    G_USEC_PER_SEC)) == NULL) {
		rdict_set_str(d, key, NULL);
		return;
	}
	s = g_date_time_format(t, "%Y-%m-%dT%H:%M:%SZ");
	rdict_set_str(d, key, s);
	g_free(s);
	g_date_time_unref(t);
}

static void
add_match(struct action_ctx *ctx, const struct intel_match *m)
{
	const struct intel_entry	*e = m->e;
	struct rdict			*d = action_add_data(ctx), *a;
	struct rlist			*l;
	uint32_t			 i;

	rdict_set_str(d, "source", e->source);
	rdict_set_str(d, "indicator", e->value);
	rdict_set_str(d, "kind", intel_kind_name(e->kind));
	rdict_set_str(d, "match", intel_how_name(m->how));
	l = rdict_add_list(d, "tags");
	for (i = 0; i < e->ntags; i++)
		rlist_add_str(l, e->tags[i]);
	rdict_set_str(d, "tlp", e->tlp);
	if (e->confidence >= 0)
		rdict_set_int(d, "confidence", e->confidence);
	else
		rdict_set_str(d, "confidence", NULL);
	l = rdict_add_list(d, "attribution");
	for (i = 0; i < e->nattrib; i++) {
		a = rlist_add_dict(l);
		rdict_set_str(a, "type", e->attrib[2 * i]);
		rdict_set_str(a, "name", e->attrib[2 * i + 1]);
	}
	set_time(d, "first_seen", e->first_seen);
	set_time(d, "last_seen", e->last_seen);
	set_time(d, "expires", e->expires);
	rdict_set_str(d, "description", e->description);
	if (e->threat_level > 0)
		rdict_set_int(d, "threat_level", e->threat_level);
	rdict_set_bool(d, "subdomains", e->subdomains);
}

/* One match's score, 0-100 (the rules at the top of this file). */
static int
match_score(const struct intel_match *m)
{
	static const int	 scale[] = { 100, 90, 80, 90, 70 };
	int			 c = m->e->confidence;

	if (c < 0)
		c = INTEL_DEFAULT_CONF;
	if (m->e->threat_level == 1)
		c += 10;
	else if (m->e->threat_level == 3)
		c -= 10;
	c = CLAMP(c, 0, 100);
	return c * scale[m->how < G_N_ELEMENTS(scale) ? m->how : 4] / 100;
}

/* Distinct strings in the order first seen. */
static void
uniq_add(GPtrArray *a, const char *s)
{
	guint	i;

	if (s == NULL)
		return;
	for (i = 0; i < a->len; i++)
		if (strcmp(g_ptr_array_index(a, i), s) == 0)
			return;
	g_ptr_array_add(a, (char *)s);
}

static void
list_from(struct rdict *d, const char *key, GPtrArray *a)
{
	struct rlist	*l = rdict_add_list(d, key);
	guint		 i;

	for (i = 0; i < a->len; i++)
		rlist_add_str(l, g_ptr_array_index(a, i));
}

/* The summary's "matches": per match its source, indicator, how it
 * matched, tags and attribution (the interface every reputation app's
 * summary shares; the data items carry the rest). */
static void
summary_matches(struct rdict *sum, const struct intel_match *m, size_t n)
{
	struct rlist	*ml = rdict_add_list(sum, "matches"), *l;
	struct rdict	*d, *a;
	uint32_t	 j;
	size_t		 i;

	for (i = 0; i < n; i++) {
		d = rlist_add_dict(ml);
		rdict_set_str(d, "source", m[i].e->source);
		rdict_set_str(d, "indicator", m[i].e->value);
		rdict_set_str(d, "match", intel_how_name(m[i].how));
		l = rdict_add_list(d, "tags");
		for (j = 0; j < m[i].e->ntags; j++)
			rlist_add_str(l, m[i].e->tags[j]);
		l = rdict_add_list(d, "attribution");
		for (j = 0; j < m[i].e->nattrib; j++) {
			a = rlist_add_dict(l);
			rdict_set_str(a, "type", m[i].e->attrib[2 * j]);
			rdict_set_str(a, "name", m[i].e->attrib[2 * j + 1]);
		}
	}
}

/* Verdict, score, sources; the score goes to '*score'. */
static const char *
summarise(struct rdict *sum, const struct intel_match *m, size_t n,
    int *score)
{
	GPtrArray	*src = g_ptr_array_new();
	const char	*verdict = "unknown";
	int		 best = 0, sc;
	size_t		 i;

	for (i = 0; i < n; i++) {
		sc = match_score(&m[i]);
		best = MAX(best, sc);
		uniq_add(src, m[i].e->source);
	}
	if (n > 0) {
		best = MIN(100, best + 5 * (int)(src->len - 1));
		verdict = best >= INTEL_MALICIOUS ? "malicious" : "suspicious";
	}
	rdict_set_str(sum, "verdict", verdict);
	rdict_set_int(sum, "score", best);
	list_from(sum, "sources", src);
	rdict_set_int(sum, "match_count", (int64_t)n);
	summary_matches(sum, m, n);
	g_ptr_array_free(src, TRUE);
	*score = best;
	return verdict;
}

/* The hunt's attribution lists. */
static void
attribute(struct rdict *sum, const struct intel_match *m, size_t n)
{
	enum { ACT, MAL, CAMP, EVT, TAG, TOOL, NLISTS };
	static const char *const names[NLISTS] = { "actors", "malware",
	    "campaigns", "events", "tags", "tools" };
	GPtrArray	*l[NLISTS];
	const char	*t, *nm;
	size_t		 i, j, k;

	for (k = 0; k < NLISTS; k++)
		l[k] = g_ptr_array_new();
	for (i = 0; i < n; i++) {
		for (j = 0; j < m[i].e->nattrib; j++) {
			t = m[i].e->attrib[2 * j];
			nm = m[i].e->attrib[2 * j + 1];
			if (strcmp(t, "threat-actor") == 0 ||
			    strcmp(t, "intrusion-set") == 0)
				uniq_add(l[ACT], nm);
			else if (strcmp(t, "malware") == 0)
				uniq_add(l[MAL], nm);
			else if (strcmp(t, "campaign") == 0)
				uniq_add(l[CAMP], nm);
			else if (strcmp(t, "event") == 0)
				uniq_add(l[EVT], nm);
			else if (strcmp(t, "tool") == 0)
				uniq_add(l[TOOL], nm);
			else
				uniq_add(l[TAG], nm);	/* galaxies */
		}
		for (j = 0; j < m[i].e->ntags; j++)
			uniq_add(l[TAG], m[i].e->tags[j]);
	}
	for (k = 0; k < NLISTS; k++) {
		list_from(sum, names[k], l[k]);
		g_ptr_array_free(l[k], TRUE);
	}
}

/* ---- actions ---------------------------------------------------------- */

/* The parameter each kind's actions take. */
static const char *const kind_param[INTEL_KIND_COUNT] = {
	"ip", "domain", "url", "hash", "email", "asn"
};

/* Normalise the parameter of 'kind' into 'v'; 0, or -1 with the action
 * failed. */
static int
param_value(struct action_ctx *ctx, enum intel_kind kind, char *v,
    size_t vlen)
{
	const char	*p = action_param(ctx, kind_param[kind]);
	enum ms_err	 rc;

	rc = intel_normalise(kind, p, v, vlen);
	if (rc == MS_OK && kind == INTEL_HASH && strlen(v) == 128)
		rc = MS_EPARSE;		/* md5, sha1, sha256 only */
	if (rc == MS_OK)
		return 0;
	action_fail(ctx, 0, "'%.200s' is not %s", p ? p : "",
	    rc == MS_ELIMIT ? "a value of a length the store keeps" :
	    kind == INTEL_IP ? "an IP address or network" :
	    kind == INTEL_DOMAIN ? "a domain name" : kind == INTEL_URL ?
	    "a URL" : "an MD5, SHA-1 or SHA-256 hash in hex");
	return -1;
}

static enum ms_err
run(struct action_ctx *ctx, enum intel_kind kind, int hunt)
{
	struct intel_app	*s = action_state(ctx);
	/* 12 KiB of stack, not two allocations per lookup. */
	struct intel_match	 m[LIMIT_INTEL_MATCHES];
	char			 v[LIMIT_INTEL_VALUE + 1];
	struct rdict		*sum;
	const char		*verdict;
	size_t			 n, i;
	int			 score;

	if (s == NULL) {
		action_fail(ctx, 0, "the intel store is not open");
		return MS_OK;
	}
	if (param_value(ctx, kind, v, sizeof(v)) != 0)
		return MS_OK;
	refresh(s);
	g_rw_lock_reader_lock(&s->lock);
	n = intel_index_lookup(s->ix, kind, v, g_get_real_time(), m,
	    LIMIT_INTEL_MATCHES);
	sum = action_summary(ctx);
	for (i = 0; i < n; i++)
		add_match(ctx, &m[i]);
	verdict = summarise(sum, m, n, &score);
	if (hunt)
		attribute(sum, m, n);
	if (n == 0)
		action_set_message(ctx, "%s: not in the %zu indicators of "
		    "the intel store", v, intel_index_count(s->ix));
	else
		action_set_message(ctx, "%s: %s (score %d), %zu match%s%s",
		    v, verdict, score, n, n == 1 ? "" : "es",
		    n == LIMIT_INTEL_MATCHES ? " (LIMIT_INTEL_MATCHES; more "
		    "not shown)" : "");
	g_rw_lock_reader_unlock(&s->lock);
	return MS_OK;
}

static enum ms_err
ip_reputation(struct action_ctx *ctx)
{
	return run(ctx, INTEL_IP, 0);
}

static enum ms_err
domain_reputation(struct action_ctx *ctx)
{
	return run(ctx, INTEL_DOMAIN, 0);
}

static enum ms_err
url_reputation(struct action_ctx *ctx)
{
	return run(ctx, INTEL_URL, 0);
}

static enum ms_err
file_reputation(struct action_ctx *ctx)
{
	return run(ctx, INTEL_HASH, 0);
}

static enum ms_err
hunt_ip(struct action_ctx *ctx)
{
	return run(ctx, INTEL_IP, 1);
}

static enum ms_err
hunt_domain(struct action_ctx *ctx)
{
	return run(ctx, INTEL_DOMAIN, 1);
}

static enum ms_err
hunt_url(struct action_ctx *ctx)
{
	return run(ctx, INTEL_URL, 1);
}

static enum ms_err
hunt_file(struct action_ctx *ctx)
{
	return run(ctx, INTEL_HASH, 1);
}

/* `mailsoar asset test`: what the index holds. */
static enum ms_err
intel_test(struct action_ctx *ctx)
{
	struct intel_app	*s = action_state(ctx);

	if (s == NULL) {
		action_fail(ctx, 0, "the intel store is not open");
		return MS_OK;
	}
	refresh(s);
	g_rw_lock_reader_lock(&s->lock);
	action_set_message(ctx, "%s: %zu indicators (generation %lld)",
	    s->path, intel_index_count(s->ix), (long long)s->generation);
	g_rw_lock_reader_unlock(&s->lock);
	return MS_OK;
}

/* ---- the table -------------------------------------------------------- */

static const struct app_param ip_params[] = {
	{ "ip", "ip", APP_PARAM_REQUIRED, "IPv4 or IPv6 address (or a "
	    "network in CIDR form)" },
	{ NULL, NULL, 0, NULL }
};
static const struct app_param domain_params[] = {
	{ "domain", "domain", APP_PARAM_REQUIRED, "domain or host name" },
	{ NULL, NULL, 0, NULL }
};
static const struct app_param url_params[] = {
	{ "url", "url", APP_PARAM_REQUIRED, "URL" },
	{ NULL, NULL, 0, NULL }
};
static const struct app_param file_params[] = {
	{ "hash", "hash", APP_PARAM_REQUIRED, "MD5, SHA-1 or SHA-256" },
	{ NULL, NULL, 0, NULL }
};

#define MATCH_OUTPUTS \
	{ "action_result.data.*.source", NULL }, \
	{ "action_result.data.*.indicator", NULL }, \
	{ "action_result.data.*.kind", NULL }, \
	{ "action_result.data.*.match", NULL }, \
	{ "action_result.data.*.tags", NULL }, \
	{ "action_result.data.*.tlp", NULL }, \
	{ "action_result.data.*.confidence", NULL }, \
	{ "action_result.data.*.attribution.*.type", NULL }, \
	{ "action_result.data.*.attribution.*.name", NULL }, \
	{ "action_result.data.*.first_seen", NULL }, \
	{ "action_result.data.*.last_seen", NULL }, \
	{ "action_result.data.*.expires", NULL }, \
	{ "action_result.data.*.description", NULL }, \
	{ "action_result.summary.verdict", NULL }, \
	{ "action_result.summary.score", NULL }, \
	{ "action_result.summary.sources", NULL }, \
	{ "action_result.summary.matches", NULL }

#define HUNT_OUTPUTS \
	{ "action_result.summary.actors", NULL }, \
	{ "action_result.summary.malware", NULL }, \
	{ "action_result.summary.campaigns", NULL }, \
	{ "action_result.summary.events", NULL }, \
	{ "action_result.summary.tags", NULL }, \
	{ "action_result.summary.tools", NULL }

static const struct app_output ip_outputs[] = {
	MATCH_OUTPUTS, { "action_result.parameter.ip", "ip" }, { NULL, NULL }
};
static const struct app_output domain_outputs[] = {
	MATCH_OUTPUTS, { "action_result.parameter.domain", "domain" },
	{ NULL, NULL }
};
static const struct app_output url_outputs[] = {
	MATCH_OUTPUTS, { "action_result.parameter.url", "url" },
	{ NULL, NULL }
};
static const struct app_output file_outputs[] = {
	MATCH_OUTPUTS, { "action_result.parameter.hash", "hash" },
	{ NULL, NULL }
};
static const struct app_output hunt_ip_outputs[] = {
	MATCH_OUTPUTS, HUNT_OUTPUTS, { "action_result.parameter.ip", "ip" },
	{ NULL, NULL }
};
static const struct app_output hunt_domain_outputs[] = {
	MATCH_OUTPUTS, HUNT_OUTPUTS,
	{ "action_result.parameter.domain", "domain" }, { NULL, NULL }
};
static const struct app_output hunt_url_outputs[] = {
	MATCH_OUTPUTS, HUNT_OUTPUTS, { "action_result.parameter.url", "url" },
	{ NULL, NULL }
};
static const struct app_output hunt_file_outputs[] = {
	MATCH_OUTPUTS, HUNT_OUTPUTS,
	{ "action_result.parameter.hash", "hash" }, { NULL, NULL }
};

/*
 * Not APP_ACTION_CACHEABLE: the engine's result cache is keyed by
 * (action, asset, parameters) with a TTL and knows nothing of the
 * store's intel generation, so a cached "unknown" would outlive the
 * feed load that lists the indicator.  A lookup costs microseconds.
 */
static const struct app_action intel_actions[] = {
	{ "ip reputation", "Verdict on an IP address from the local "
	    "threat-intel feeds (exact and covering networks)", ip_params,
	    ip_outputs, ip_reputation, 0 },
	{ "domain reputation", "Verdict on a domain from the local feeds "
	    "(exact, and parent domains listed with their subdomains)",
	    domain_params, domain_outputs, domain_reputation, 0 },
	{ "url reputation", "Verdict on a URL from the local feeds (the "
	    "URL, without its query, and its host)", url_params,
	    url_outputs, url_reputation, 0 },
	{ "file reputation", "Verdict on a file hash from the local feeds",
	    file_params, file_outputs, file_reputation, 0 },
	{ "hunt ip", "Who the local feeds attribute an IP address to",
	    ip_params, hunt_ip_outputs, hunt_ip, 0 },
	{ "hunt domain", "Who the local feeds attribute a domain to",
	    domain_params, hunt_domain_outputs, hunt_domain, 0 },
	{ "hunt url", "Who the local feeds attribute a URL to", url_params,
	    hunt_url_outputs, hunt_url, 0 },
	{ "hunt file", "Who the local feeds attribute a file hash to",
	    file_params, hunt_file_outputs, hunt_file, 0 },
	{ NULL, NULL, NULL, NULL, NULL, 0 }
};

static const struct app_setting intel_settings[] = {
	{ "store", 0, 0, "path of the store whose intel tables to read "
	    "(default: the engine's own store, DATADIR/mailsoar.db)" },
	{ NULL, 0, 0, NULL }
};

const struct app intel_app = {
	"intel",
	"Reputation and attribution from local threat-intel feeds (MISP, "
	    "STIX 2.1, CSV and plain lists loaded by 'mailsoar intel load')",
	intel_actions,
	intel_settings,
	intel_init,
	intel_free,
	intel_test,
};
