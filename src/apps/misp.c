/* SPDX-License-Identifier: Apache-2.0 */
/*
 * misp.c -- hunts and reputation of indicators in a MISP instance
 * through its REST API (POST /attributes/restSearch), by way of http.h.
 * The API key travels only in the Authorization header and is never
 * logged.
 */
#include <stdint.h>
#include <string.h>

#include <glib.h>

#include "apps.h"
#include "http.h"
#include "../engine/result.h"

/*
 * GET (or POST 'body' when not NULL) 'path' under the asset's base_url
 * (http.h's http_json()).
 */
static enum ms_err
misp_call(struct action_ctx *ctx, const char *path, const char *body,
    struct rdict **json, long *status)
{
	const char		*base;
	struct http_call	 call = { .app = "misp",
				    .key_header = "Authorization",
				    .key_required = 1, .post = body };
	enum ms_err		 rc;

	*json = NULL;
	*status = 0;
	base = asset_get(action_asset(ctx), "base_url");
	if (base == NULL || *base == '\0') {
		action_fail(ctx, 0, "misp: no base_url set");
		return MS_EINVAL;
	}
	call.url = http_url(base, path);
	rc = http_json(ctx, &call, json, status);
	g_free((char *)call.url);
	return rc;
}

/* Add the names of the tags in list 'tags' to 'out' and 'all'. */
static void
misp_tags(const struct rlist *tags, struct rlist *out, GHashTable *all)
{
	const struct rdict	*t;
	const char		*n;
	size_t			 i;

	for (i = 0; i < result_list_len(tags); i++) {
		t = result_list_get_dict(tags, i);
		n = t ? result_dict_get_str(t, "name") : NULL;
		if (n == NULL)
			continue;
		rlist_add_str(out, n);
		g_hash_table_add(all, g_strdup(n));
	}
}

/* Add the galaxy clusters' values of 'galaxies' to 'out'. */
static void
misp_galaxies(const struct rlist *galaxies, struct rlist *out)
{
	const struct rdict	*g, *c;
	const struct rlist	*cl;
	const char		*v;
	size_t			 i, j;

	for (i = 0; i < result_list_len(galaxies); i++) {
		g = result_list_get_dict(galaxies, i);
		cl = g ? result_dict_get_list(g, "GalaxyCluster") : NULL;
		for (j = 0; j < result_list_len(cl); j++) {
			c = result_list_get_dict(cl, j);
			v = c ? result_dict_get_str(c, "value") : NULL;
			if (v != NULL)
				rlist_add_str(out, v);
		}
	}
}

/*
 * One entry of the summary's "matches" (the interface the reputation
 * apps share) from data item 'out': the source (the event's creator
 * organisation), the indicator, its tags, and as attribution the galaxy
 * clusters and the event.
 */
static void
misp_match(struct rdict *m, const struct rdict *out, const struct rdict *ev)
{
	const struct rdict	*org = ev ? result_dict_get_dict(ev, "Orgc") :
				    NULL;
	const struct rlist	*gl = result_dict_get_list(out,
				    "galaxy_clusters");
	const char		*s;
	struct rlist		*al;
	struct rdict		*a;
	size_t			 i;

	s = org ? result_dict_get_str(org, "name") : NULL;
	rdict_set_str(m, "source", s ? s : "misp");
	rdict_set_str(m, "indicator", result_dict_get_str(out, "value"));
	result_dict_set_list(m, "tags", result_dict_get_list(out, "tags"));
	al = rdict_add_list(m, "attribution");
	for (i = 0; i < result_list_len(gl); i++) {
		a = rlist_add_dict(al);
		rdict_set_str(a, "type", "galaxy");
		rdict_set_str(a, "name", result_list_get_str(gl, i));
	}
	if ((s = result_dict_get_str(out, "event_info")) != NULL) {
		a = rlist_add_dict(al);
		rdict_set_str(a, "type", "event");
		rdict_set_str(a, "name", s);
	}
}

/* Search attributes whose value is parameter 'param' and fill the
 * result. */
static enum ms_err
misp_search(struct action_ctx *ctx, const char *param)
{
	const char		*v = action_param(ctx, param), *s;
	struct rdict		*q, *json = NULL, *resp, *sum, *out, *ev;
	const struct rdict	*at;
	const struct rlist	*atl;
	struct rlist		*tl, *gl, *el, *ml;
	GHashTable		*events, *tags;
	GHashTableIter		 it;
	gpointer		 k;
	char			*body;
	long			 status;
	int64_t			 n;
	int			 ids = 0;
	enum ms_err		 rc;
	size_t			 i;

	events = g_hash_table_new_full(g_str_hash, g_str_equal, g_free, NULL);
	tags = g_hash_table_new_full(g_str_hash, g_str_equal, g_free, NULL);
	q = result_dict_new();
	rdict_set_str(q, "value", v);
	rdict_set_str(q, "returnFormat", "json");
	rdict_set_bool(q, "includeEventTags", 1);
	body = result_dict_dump(q);
	rc = misp_call(ctx, "/attributes/restSearch", body, &json, &status);
	if (rc != MS_OK)
		goto out;
	if (status == 404 || json == NULL) {
		action_fail(ctx, 0, "misp: /attributes/restSearch not found "
		    "(check base_url)");
		goto out;
	}
	resp = result_dict_get_dict(json, "response");
	if (resp == NULL) {
		action_fail(ctx, 0, "misp: response has no \"response\"");
		goto out;
	}
	atl = result_dict_get_list(resp, "Attribute");
	sum = action_summary(ctx);
	ml = rdict_add_list(sum, "matches");
	for (i = 0; i < result_list_len(atl); i++) {
		at = result_list_get_dict(atl, i);
		if (at == NULL)
			continue;
		out = action_add_data(ctx);
		s = result_dict_get_str(at, "event_id");
		if (s != NULL) {
			rdict_set_str(out, "event_id", s);
			g_hash_table_add(events, g_strdup(s));
		} else if (result_dict_get_int(at, "event_id", &n)) {
			rdict_set_int(out, "event_id", n);
			g_hash_table_add(events,
			    g_strdup_printf("%lld", (long long)n));
		}
		ev = result_dict_get_dict(at, "Event");
		if (ev != NULL && result_dict_get_str(ev, "info") != NULL)
			rdict_set_str(out, "event_info",
			    result_dict_get_str(ev, "info"));
		rdict_set_str(out, "value", result_dict_get_str(at, "value"));
		rdict_set_str(out, "category",
		    result_dict_get_str(at, "category"));
		rdict_set_str(out, "type", result_dict_get_str(at, "type"));
		rdict_set_bool(out, "to_ids",
		    result_dict_get_bool(at, "to_ids") == 1);
		if (result_dict_get_bool(at, "to_ids") == 1)
			ids = 1;
		tl = rdict_add_list(out, "tags");
		misp_tags(result_dict_get_list(at, "Tag"), tl, tags);
		if (ev != NULL)
			misp_tags(result_dict_get_list(ev, "Tag"), tl, tags);
		gl = rdict_add_list(out, "galaxy_clusters");
		misp_galaxies(result_dict_get_list(at, "Galaxy"), gl);
		if (ev != NULL)
			misp_galaxies(result_dict_get_list(ev, "Galaxy"), gl);
		misp_match(rlist_add_dict(ml), out, ev);
	}
	rdict_set_int(sum, "match_count", (int64_t)result_list_len(atl));
	rdict_set_str(sum, "verdict", ids ? "malicious" :
	    result_list_len(atl) > 0 ? "suspicious" : "unknown");
	rdict_set_int(sum, "events", g_hash_table_size(events));
	el = rdict_add_list(sum, "tags");
	g_hash_table_iter_init(&it, tags);
	while (g_hash_table_iter_next(&it, &k, NULL))
		rlist_add_str(el, k);
	action_set_message(ctx, "%zu attribute(s) in %u event(s)",
	    result_list_len(atl), g_hash_table_size(events));
out:
	xfree(body);
	result_dict_free(q);
	result_dict_free(json);
	g_hash_table_destroy(events);
	g_hash_table_destroy(tags);
	return rc;
}

/* "hunt domain" and "domain reputation". */
static enum ms_err
misp_domain(struct action_ctx *ctx)
{
	return misp_search(ctx, "domain");
}

/* "hunt ip" and "ip reputation". */
static enum ms_err
misp_ip(struct action_ctx *ctx)
{
	return misp_search(ctx, "ip");
}

/* "hunt url" and "url reputation". */
static enum ms_err
misp_url(struct action_ctx *ctx)
{
	return misp_search(ctx, "url");
}

/* "hunt file" and "file reputation". */
static enum ms_err
misp_hash(struct action_ctx *ctx)
{
	return misp_search(ctx, "hash");
}

/* `mailsoar asset test`: GET /servers/getVersion. */
static enum ms_err
misp_test(struct action_ctx *ctx)
{
	struct rdict	*json = NULL;
	long		 status;
	enum ms_err	 rc;

	rc = misp_call(ctx, "/servers/getVersion", NULL, &json, &status);
	if (rc == MS_OK && status == 404) {
		action_fail(ctx, 0, "misp: /servers/getVersion not found "
		    "(check base_url)");
	} else if (rc == MS_OK) {
		action_set_message(ctx, "misp: version %s",
		    json && result_dict_get_str(json, "version") ?
		    result_dict_get_str(json, "version") : "unknown");
	}
	result_dict_free(json);
	return rc;
}

static const struct app_param domain_params[] = {
	{ "domain", "domain", APP_PARAM_REQUIRED, "domain name" },
	{ NULL, NULL, 0, NULL }
};
static const struct app_param ip_params[] = {
	{ "ip", "ip", APP_PARAM_REQUIRED, "IP address" },
	{ NULL, NULL, 0, NULL }
};
static const struct app_param url_params[] = {
	{ "url", "url", APP_PARAM_REQUIRED, "URL" },
	{ NULL, NULL, 0, NULL }
};
static const struct app_param hash_params[] = {
	{ "hash", "hash", APP_PARAM_REQUIRED, "md5, sha1 or sha256" },
	{ NULL, NULL, 0, NULL }
};
static const struct app_output misp_outputs[] = {
	{ "action_result.data.*.event_id", NULL },
	{ "action_result.data.*.event_info", NULL },
	{ "action_result.data.*.value", NULL },
	{ "action_result.data.*.category", NULL },
	{ "action_result.data.*.type", NULL },
	{ "action_result.data.*.to_ids", NULL },
	{ "action_result.data.*.tags", NULL },
	{ "action_result.data.*.galaxy_clusters", NULL },
	{ "action_result.summary.matches", NULL },
	{ "action_result.summary.verdict", NULL },
	{ "action_result.summary.events", NULL },
	{ "action_result.summary.tags", NULL },
	{ NULL, NULL }
};
#define MISP_ACTION(n, d, p, f) \
	{ n, d, p, misp_outputs, f, APP_ACTION_CACHEABLE }
static const struct app_action misp_actions[] = {
	MISP_ACTION("hunt domain", "MISP attributes of a domain",
	    domain_params, misp_domain),
	MISP_ACTION("hunt ip", "MISP attributes of an IP address",
	    ip_params, misp_ip),
	MISP_ACTION("hunt url", "MISP attributes of a URL", url_params,
	    misp_url),
	MISP_ACTION("hunt file", "MISP attributes of a file hash",
	    hash_params, misp_hash),
	MISP_ACTION("domain reputation", "MISP verdict on a domain",
	    domain_params, misp_domain),
	MISP_ACTION("ip reputation", "MISP verdict on an IP address",
	    ip_params, misp_ip),
	MISP_ACTION("url reputation", "MISP verdict on a URL", url_params,
	    misp_url),
	MISP_ACTION("file reputation", "MISP verdict on a file hash",
	    hash_params, misp_hash),
	{ NULL, NULL, NULL, NULL, NULL, 0 }
};
static const struct app_setting misp_settings[] = {
	{ "base_url", 1, 0, "the MISP instance (https://misp.example)" },
	{ "api_key", 1, 1, "MISP automation key" },
	{ NULL, 0, 0, NULL }
};
const struct app misp_app = {
	"misp",
	"Hunts and reputation of indicators in a MISP instance",
	misp_actions,
	misp_settings,
	NULL,
	NULL,
	misp_test,
};
