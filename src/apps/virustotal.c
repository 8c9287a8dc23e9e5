/* SPDX-License-Identifier: Apache-2.0 */
/*
 * virustotal.c -- reputation of a file hash, URL, domain or IP address
 * from the VirusTotal v3 API (https://docs.virustotal.com/reference).
 * Requests go through http.h; the API key travels only in the x-apikey
 * header and is never logged.
 */
#include <stdint.h>
#include <string.h>

#include <glib.h>

#include "apps.h"
#include "http.h"
#include "../engine/result.h"

#define VIRUSTOTAL_URL		"https://www.virustotal.com"

/*
 * GET 'path' under the asset's base_url (http.h's http_json()).
 */
static enum ms_err
virustotal_get(struct action_ctx *ctx, const char *path,
    struct rdict **json, long *status)
{
	const char		*base;
	struct http_call	 call = { .app = "virustotal",
				    .key_header = "x-apikey",
				    .key_required = 1 };
	enum ms_err		 rc;

	base = asset_get(action_asset(ctx), "base_url");
	if (base == NULL || *base == '\0')
		base = VIRUSTOTAL_URL;
	call.url = http_url(base, path);
	rc = http_json(ctx, &call, json, status);
	g_free((char *)call.url);
	return rc;
}

/* Copy string member 'k' of 'src' into 'dst' when present. */
static void
virustotal_copy_str(struct rdict *dst, const struct rdict *src,
    const char *k)
{
	const char	*s = result_dict_get_str(src, k);

	if (s != NULL)
		rdict_set_str(dst, k, s);
}

/* Copy integer member 'k' of 'src' into 'dst' when present. */
static void
virustotal_copy_int(struct rdict *dst, const struct rdict *src,
    const char *k)
{
	int64_t	v;

	if (result_dict_get_int(src, k, &v))
		rdict_set_int(dst, k, v);
}

/* Copy list or dict member 'k' of 'src' into 'dst' when present. */
static void
virustotal_copy_any(struct rdict *dst, const struct rdict *src,
    const char *k)
{
	const struct rlist	*l = result_dict_get_list(src, k);
	const struct rdict	*d = result_dict_get_dict(src, k);

	if (l != NULL)
		result_dict_set_list(dst, k, l);
	else if (d != NULL)
		result_dict_set_dict(dst, k, d);
}

/*
 * The summary's "matches" (the interface the reputation apps share):
 * one entry when some engine flags 'value', with VirusTotal's tags and,
 * as attribution, its suggested threat label.
 */
static void
virustotal_match(struct rdict *sum, const char *value,
    const struct rdict *attrs, int flagged)
{
	const struct rdict	*ptc;
	const struct rlist	*tags;
	const char		*label;
	struct rlist		*ml = rdict_add_list(sum, "matches"), *al;
	struct rdict		*m, *a;

	rdict_set_int(sum, "match_count", flagged ? 1 : 0);
	if (!flagged)
		return;
	m = rlist_add_dict(ml);
	rdict_set_str(m, "source", "virustotal");
	rdict_set_str(m, "indicator", value);
	if ((tags = result_dict_get_list(attrs, "tags")) != NULL)
		result_dict_set_list(m, "tags", tags);
	else
		(void)rdict_add_list(m, "tags");
	al = rdict_add_list(m, "attribution");
	ptc = result_dict_get_dict(attrs, "popular_threat_classification");
	label = ptc ? result_dict_get_str(ptc, "suggested_threat_label") :
	    NULL;
	if (label != NULL) {
		a = rlist_add_dict(al);
		rdict_set_str(a, "type", "malware");
		rdict_set_str(a, "name", label);
	}
}

/* Run one lookup of object 'path' and fill the result. */
static enum ms_err
virustotal_lookup(struct action_ctx *ctx, const char *what,
    const char *value, const char *path)
{
	static const char *const strs[] = { "type_description",
	    "meaningful_name", "md5", "sha1", "sha256", "url", "last_final_url",
	    "title", "country", "as_owner", "network", "registrar", NULL };
	static const char *const ints[] = { "last_analysis_date", "size",
	    "times_submitted", "creation_date", "asn", NULL };
	static const char *const anys[] = { "names", "tags", "categories",
	    "type_tags", "popular_threat_classification", NULL };
	struct rdict	*json = NULL, *data, *attrs, *stats, *sum, *out;
	const char	*verdict;
	int64_t		 mal = 0, susp = 0, harm = 0, und = 0, rep = 0;
	long		 status;
	enum ms_err	 rc;
	size_t		 i;

	rc = virustotal_get(ctx, path, &json, &status);
	if (rc != MS_OK)
		goto out;
	sum = action_summary(ctx);
	if (status == 404) {
		rdict_set_str(sum, "verdict", "unknown");
		rdict_set_int(sum, "match_count", 0);
		(void)rdict_add_list(sum, "matches");
		action_set_message(ctx, "%s not found in VirusTotal", what);
		goto out;
	}
	data = result_dict_get_dict(json, "data");
	attrs = data ? result_dict_get_dict(data, "attributes") : NULL;
	if (attrs == NULL) {
		action_fail(ctx, 0, "virustotal: response has no "
		    "data.attributes");
		goto out;
	}
	stats = result_dict_get_dict(attrs, "last_analysis_stats");
	if (stats != NULL) {
		result_dict_get_int(stats, "malicious", &mal);
		result_dict_get_int(stats, "suspicious", &susp);
		result_dict_get_int(stats, "harmless", &harm);
		result_dict_get_int(stats, "undetected", &und);
	}
	result_dict_get_int(attrs, "reputation", &rep);
	if (mal >= 3)
		verdict = "malicious";
	else if (mal >= 1 || susp >= 1)
		verdict = "suspicious";
	else if (harm > 0)
		verdict = "harmless";
	else
		verdict = "undetected";
	rdict_set_str(sum, "verdict", verdict);
	rdict_set_int(sum, "malicious", mal);
	rdict_set_int(sum, "suspicious", susp);
	rdict_set_int(sum, "harmless", harm);
	rdict_set_int(sum, "undetected", und);
	rdict_set_int(sum, "reputation", rep);
	out = action_add_data(ctx);
	virustotal_copy_str(out, data, "id");
	virustotal_copy_str(out, data, "type");
	for (i = 0; strs[i] != NULL; i++)
		virustotal_copy_str(out, attrs, strs[i]);
	for (i = 0; ints[i] != NULL; i++)
		virustotal_copy_int(out, attrs, ints[i]);
	for (i = 0; anys[i] != NULL; i++)
		virustotal_copy_any(out, attrs, anys[i]);
	virustotal_copy_int(out, attrs, "reputation");
	virustotal_copy_any(out, attrs, "last_analysis_stats");
	virustotal_match(sum, value, attrs, mal + susp > 0);
	action_set_message(ctx, "%s: %s (%lld malicious, %lld suspicious)",
	    what, verdict, (long long)mal, (long long)susp);
out:
	result_dict_free(json);
	return rc;
}

/* "file reputation": GET /api/v3/files/{hash}. */
static enum ms_err
virustotal_file(struct action_ctx *ctx)
{
	const char	*h = action_param(ctx, "hash");
	char		*path;
	enum ms_err	 rc;

	if (h == NULL || !http_is_hash(h)) {
		action_fail(ctx, 0, "hash: not an md5, sha1 or sha256");
		return MS_OK;
	}
	path = g_strdup_printf("/api/v3/files/%s", h);
	rc = virustotal_lookup(ctx, "file", h, path);
	g_free(path);
	return rc;
}

/* "url reputation": GET /api/v3/urls/{unpadded base64url of the URL}. */
static enum ms_err
virustotal_url(struct action_ctx *ctx)
{
	const char	*u = action_param(ctx, "url");
	char		*id, *path, *p;
	enum ms_err	 rc;

	if (u == NULL || *u == '\0') {
		action_fail(ctx, 0, "url: empty");
		return MS_OK;
	}
	id = g_base64_encode((const guchar *)u, strlen(u));
	for (p = id; *p != '\0'; p++) {
		if (*p == '+')
			*p = '-';
		else if (*p == '/')
			*p = '_';
		else if (*p == '=') {
			*p = '\0';
			break;
		}
	}
	path = g_strdup_printf("/api/v3/urls/%s", id);
	rc = virustotal_lookup(ctx, "url", u, path);
	g_free(path);
	g_free(id);
	return rc;
}

/* GET 'prefix'/'param' after checking the parameter is one segment. */
static enum ms_err
virustotal_simple(struct action_ctx *ctx, const char *param,
    const char *prefix)
{
	const char	*v = action_param(ctx, param);
	char		*path;
	enum ms_err	 rc;

	if (v == NULL || !http_is_segment(v)) {
		action_fail(ctx, 0, "%s: not a valid %s", param, param);
		return MS_OK;
	}
	path = g_strdup_printf("%s%s", prefix, v);
	rc = virustotal_lookup(ctx, param, v, path);
	g_free(path);
	return rc;
}

/* "domain reputation": GET /api/v3/domains/{domain}. */
static enum ms_err
virustotal_domain(struct action_ctx *ctx)
{
	return virustotal_simple(ctx, "domain", "/api/v3/domains/");
}

/* "ip reputation": GET /api/v3/ip_addresses/{ip}. */
static enum ms_err
virustotal_ip(struct action_ctx *ctx)
{
	return virustotal_simple(ctx, "ip", "/api/v3/ip_addresses/");
}

/* `mailsoar asset test`: an authenticated lookup of 8.8.8.8. */
static enum ms_err
virustotal_test(struct action_ctx *ctx)
{
	struct rdict	*json = NULL;
	long		 status;
	enum ms_err	 rc;

	rc = virustotal_get(ctx, "/api/v3/ip_addresses/8.8.8.8", &json,
	    &status);
	if (rc == MS_OK)
		action_set_message(ctx, "virustotal: API key accepted");
	result_dict_free(json);
	return rc;
}

static const struct app_param hash_params[] = {
	{ "hash", "hash", APP_PARAM_REQUIRED, "md5, sha1 or sha256" },
	{ NULL, NULL, 0, NULL }
};
static const struct app_param url_params[] = {
	{ "url", "url", APP_PARAM_REQUIRED, "URL" },
	{ NULL, NULL, 0, NULL }
};
static const struct app_param domain_params[] = {
	{ "domain", "domain", APP_PARAM_REQUIRED, "domain name" },
	{ NULL, NULL, 0, NULL }
};
static const struct app_param ip_params[] = {
	{ "ip", "ip", APP_PARAM_REQUIRED, "IPv4 or IPv6 address" },
	{ NULL, NULL, 0, NULL }
};
static const struct app_output vt_outputs[] = {
	{ "action_result.data.*.id", NULL },
	{ "action_result.data.*.type", NULL },
	{ "action_result.data.*.names", NULL },
	{ "action_result.data.*.type_description", NULL },
	{ "action_result.data.*.last_analysis_date", NULL },
	{ "action_result.data.*.last_analysis_stats", NULL },
	{ "action_result.data.*.categories", NULL },
	{ "action_result.data.*.tags", NULL },
	{ "action_result.data.*.reputation", NULL },
	{ "action_result.summary.verdict", NULL },
	{ "action_result.summary.malicious", NULL },
	{ "action_result.summary.suspicious", NULL },
	{ "action_result.summary.harmless", NULL },
	{ "action_result.summary.undetected", NULL },
	{ "action_result.summary.reputation", NULL },
	{ NULL, NULL }
};
static const struct app_action virustotal_actions[] = {
	{ "file reputation", "VirusTotal report of a file hash",
	    hash_params, vt_outputs, virustotal_file, APP_ACTION_CACHEABLE },
	{ "url reputation", "VirusTotal report of a URL", url_params,
	    vt_outputs, virustotal_url, APP_ACTION_CACHEABLE },
	{ "domain reputation", "VirusTotal report of a domain",
	    domain_params, vt_outputs, virustotal_domain,
	    APP_ACTION_CACHEABLE },
	{ "ip reputation", "VirusTotal report of an IP address", ip_params,
	    vt_outputs, virustotal_ip, APP_ACTION_CACHEABLE },
	{ NULL, NULL, NULL, NULL, NULL, 0 }
};
static const struct app_setting virustotal_settings[] = {
	{ "base_url", 0, 0, "API root (default " VIRUSTOTAL_URL ")" },
	{ "api_key", 1, 1, "VirusTotal API key" },
	{ NULL, 0, 0, NULL }
};
const struct app virustotal_app = {
	"virustotal",
	"File, URL, domain and IP reputation from VirusTotal (API v3)",
	virustotal_actions,
	virustotal_settings,
	NULL,
	NULL,
	virustotal_test,
};
