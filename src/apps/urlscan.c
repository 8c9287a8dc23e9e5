/* SPDX-License-Identifier: Apache-2.0 */
/*
 * urlscan.c -- URL detonation and hunting with urlscan.io's API
 * (https://urlscan.io/docs/api/): POST /api/v1/scan/ to submit,
 * GET /api/v1/result/{uuid}/ for the report (404 until the scan is
 * done), GET /api/v1/search/?q= to hunt domains, IPs and URLs.
 * Requests go through http.h; the key travels only in the API-Key
 * header and is never logged.
 *
 * Submissions default to "unlisted" visibility: a reported phishing URL
 * often carries the recipient's address, which a public scan would
 * publish.
 */
#include <stdint.h>
#include <stdio.h>
#include <string.h>
#include <arpa/inet.h>

#include <glib.h>

#include "apps.h"
#include "http.h"
#include "../engine/result.h"

#define URLSCAN_URL		"https://urlscan.io"
#define URLSCAN_SEARCH_SIZE	20
#define URLSCAN_MAX_URL		8192

/* The asset's settings, checked once (urlscan_init). */
struct urlscan {
	char	*base;
	char	*visibility;	/* public, unlisted or private */
	int	 poll_delay_ms;	/* before the first result poll */
	int	 poll_interval_ms;
};

static enum ms_err
urlscan_init(const struct asset *as, void **state, char *err, size_t errlen)
{
	const char	*base = asset_get(as, "base_url");
	const char	*vis = asset_get(as, "visibility");
	struct urlscan	*u;
	int64_t		 delay, ival;

	if (vis == NULL)
		vis = "unlisted";
	if (strcmp(vis, "public") != 0 && strcmp(vis, "unlisted") != 0 &&
	    strcmp(vis, "private") != 0) {
		snprintf(err, errlen, "visibility: 'public', 'unlisted' or "
		    "'private', not '%s'", vis);
		return MS_EINVAL;
	}
	delay = asset_get_int(as, "poll_delay_ms", 10000);
	ival = asset_get_int(as, "poll_interval_ms", 2000);
	if (delay < 0 || delay > 600000 || ival < 10 || ival > 600000) {
		snprintf(err, errlen, "poll_delay_ms (0 to 600000) and "
		    "poll_interval_ms (10 to 600000) must be numbers of "
		    "milliseconds");
		return MS_EINVAL;
	}
	if (base != NULL && !g_str_has_prefix(base, "https://") &&
	    !g_str_has_prefix(base, "http://")) {
		snprintf(err, errlen, "base_url: '%s' is not an http(s) URL",
		    base);
		return MS_EINVAL;
	}
	u = xcalloc(1, sizeof(*u));
	u->base = xstrdup(base && *base ? base : URLSCAN_URL);
	u->visibility = xstrdup(vis);
	u->poll_delay_ms = (int)delay;
	u->poll_interval_ms = (int)ival;
	*state = u;
	return MS_OK;
}

static void
urlscan_free(void *state)
{
	struct urlscan	*u = state;

	if (u == NULL)
		return;
	xfree(u->base);
	xfree(u->visibility);
	xfree(u);
}

/*
 * One call to 'path' (POST 'post' when not NULL).  The key is sent when
 * set; 'need_key' makes its absence a failure.  4xx answers other than
 * 401, 403 and 429 come back with MS_OK for the caller to read.
 */
static enum ms_err
urlscan_call(struct action_ctx *ctx, const char *path, const char *post,
    int need_key, struct rdict **json, long *status)
{
	const struct urlscan	*u = action_state(ctx);
	struct http_call	 call = { .app = "urlscan",
				    .key_header = "API-Key",
				    .key_required = need_key, .post = post,
				    .pass_4xx = 1 };
	enum ms_err		 rc;

	call.url = http_url(u->base, path);
	rc = http_json(ctx, &call, json, status);
	g_free((char *)call.url);
	return rc;
}

/* The message of an urlscan error object, or 'def'. */
static const char *
urlscan_errmsg(const struct rdict *json, const char *def)
{
	const char	*m = json ? result_dict_get_str(json, "message") : NULL;
	const char	*d = json ? result_dict_get_str(json,
			    "description") : NULL;

	return d ? d : m ? m : def;
}

/* Copy string member 'k' of 'src' (may be NULL) to 'dst' as 'as'. */
static void
urlscan_str(struct rdict *dst, const char *as, const struct rdict *src,
    const char *k)
{
	const char	*s = src ? result_dict_get_str(src, k) : NULL;

	if (s != NULL)
		rdict_set_str(dst, as, s);
}

/* Copy list member 'k' of 'src' (may be NULL) to 'dst' as is. */
static void
urlscan_list(struct rdict *dst, const struct rdict *src, const char *k)
{
	const struct rlist	*l = src ? result_dict_get_list(src, k) : NULL;

	if (l != NULL)
		result_dict_set_list(dst, k, l);
}

/*
 * Fill the result from a finished scan's report: the summary gives the
 * verdict (urlscan's overall one), score, brands and categories, the
 * report and screenshot links; the data item the page, the task and the
 * lists of what the page loaded.
 */
static void
urlscan_report(struct action_ctx *ctx, const struct rdict *rep)
{
	const struct rdict	*task = result_dict_get_dict(rep, "task");
	const struct rdict	*page = result_dict_get_dict(rep, "page");
	const struct rdict	*lists = result_dict_get_dict(rep, "lists");
	const struct rdict	*vd = result_dict_get_dict(rep, "verdicts");
	const struct rdict	*ov = vd ? result_dict_get_dict(vd,
				    "overall") : NULL;
	const struct rdict	*b;
	const struct rlist	*brands;
	struct rdict		*sum = action_summary(ctx), *d, *l;
	struct rlist		*bn;
	const char		*verdict, *s;
	int64_t			 score = 0;
	size_t			 i;

	if (ov != NULL)
		result_dict_get_int(ov, "score", &score);
	if (ov != NULL && result_dict_get_bool(ov, "malicious") == 1)
		verdict = "malicious";
	else if (score > 0)
		verdict = "suspicious";
	else if (ov != NULL && result_dict_get_bool(ov, "hasVerdicts") == 1)
		verdict = "benign";
	else
		verdict = "unknown";
	rdict_set_str(sum, "verdict", verdict);
	rdict_set_int(sum, "score", score);
	urlscan_list(sum, ov, "categories");
	brands = ov ? result_dict_get_list(ov, "brands") : NULL;
	bn = rdict_add_list(sum, "brands");
	for (i = 0; i < result_list_len(brands); i++) {
		/* Brands are objects ({key, name, ...}) in the reports. */
		b = result_list_get_dict(brands, i);
		if (b != NULL && (s = result_dict_get_str(b, "name")) != NULL)
			rlist_add_str(bn, s);
	}
	urlscan_str(sum, "uuid", task, "uuid");
	urlscan_str(sum, "report_url", task, "reportURL");
	urlscan_str(sum, "screenshot_url", task, "screenshotURL");

	d = action_add_data(ctx);
	urlscan_str(d, "uuid", task, "uuid");
	urlscan_str(d, "url", task, "url");
	urlscan_str(d, "time", task, "time");
	urlscan_str(d, "visibility", task, "visibility");
	urlscan_str(d, "report_url", task, "reportURL");
	urlscan_str(d, "screenshot_url", task, "screenshotURL");
	urlscan_str(d, "dom_url", task, "domURL");
	urlscan_str(d, "page_url", page, "url");
	urlscan_str(d, "page_domain", page, "domain");
	urlscan_str(d, "page_ip", page, "ip");
	urlscan_str(d, "page_country", page, "country");
	urlscan_str(d, "page_server", page, "server");
	urlscan_str(d, "page_title", page, "title");
	urlscan_str(d, "page_asn", page, "asn");
	urlscan_str(d, "page_asnname", page, "asnname");
	urlscan_str(d, "page_status", page, "status");
	if (lists != NULL) {
		l = rdict_add_dict(d, "lists");
		urlscan_list(l, lists, "ips");
		urlscan_list(l, lists, "domains");
		urlscan_list(l, lists, "countries");
		urlscan_list(l, lists, "urls");
		urlscan_list(l, lists, "linkDomains");
		urlscan_list(l, lists, "hashes");
	}
	if (vd != NULL)
		result_dict_set_dict(d, "verdicts", vd);
	action_set_message(ctx, "%s: %s (score %lld)",
	    task && result_dict_get_str(task, "url") ?
	    result_dict_get_str(task, "url") : "scan", verdict,
	    (long long)score);
}

/* Whether 's' is a UUID (8-4-4-4-12 hex). */
static int
urlscan_is_uuid(const char *s)
{
	size_t	i;

	if (strlen(s) != 36)
		return 0;
	for (i = 0; i < 36; i++) {
		if (i == 8 || i == 13 || i == 18 || i == 23) {
			if (s[i] != '-')
				return 0;
		} else if (!g_ascii_isxdigit(s[i]))
			return 0;
	}
	return 1;
}

/*
 * GET the report of scan 'uuid'.  With 'wait', poll until it is ready
 * or the time budget runs out (the scan still runs: the failure is
 * transient and names the uuid to ask for later).
 */
static enum ms_err
urlscan_fetch(struct action_ctx *ctx, const char *uuid, int wait)
{
	const struct urlscan	*u = action_state(ctx);
	struct rdict		*json = NULL;
	char			*path;
	long			 status;
	enum ms_err		 rc;
	int			 left;

	path = g_strdup_printf("/api/v1/result/%s/", uuid);
	for (;;) {
		rc = urlscan_call(ctx, path, NULL, 0, &json, &status);
		if (rc != MS_OK)
			break;
		if (status == 200) {
			urlscan_report(ctx, json);
			break;
		}
		if (status != 404) {
			action_fail(ctx, 0, "urlscan: result %s: %s", uuid,
			    urlscan_errmsg(json, "unexpected answer"));
			break;
		}
		/* 404: not finished yet (or no such scan). */
		result_dict_free(json);
		json = NULL;
		left = action_time_left_ms(ctx);
		if (!wait || left <= u->poll_interval_ms + 500) {
			action_fail(ctx, wait, "urlscan: scan %s has no "
			    "result yet", uuid);
			break;
		}
		g_usleep((gulong)u->poll_interval_ms * 1000);
	}
	result_dict_free(json);
	g_free(path);
	return rc;
}

/* "get report": the report of a scan by its uuid ("id"). */
static enum ms_err
urlscan_get_report(struct action_ctx *ctx)
{
	const char	*id = action_param(ctx, "id");

	if (id == NULL || !urlscan_is_uuid(id)) {
		action_fail(ctx, 0, "id: not a scan uuid");
		return MS_OK;
	}
	return urlscan_fetch(ctx, id, 0);
}

/* Whether parameter 'p' is "true" (Phantom's booleans are strings). */
static int
urlscan_flag(struct action_ctx *ctx, const char *p)
{
	const char	*v = action_param(ctx, p);

	return v != NULL && (g_ascii_strcasecmp(v, "true") == 0 ||
	    strcmp(v, "1") == 0);
}

/*
 * "detonate url": submit the URL; with get_result (the default) wait
 * for the report.  urlscan asks to wait about 10 s before polling.
 */
static enum ms_err
urlscan_detonate(struct action_ctx *ctx)
{
	const struct urlscan	*u = action_state(ctx);
	const char		*url = action_param(ctx, "url");
	const char		*tags = action_param(ctx, "tags");
	const char		*gr = action_param(ctx, "get_result");
	const char		*uuid;
	struct rdict		*q, *json = NULL, *sum, *d;
	struct rlist		*tl;
	char			**tv, *body;
	long			 status;
	enum ms_err		 rc;
	size_t			 i;

	if (url == NULL || *url == '\0' || strlen(url) > URLSCAN_MAX_URL) {
		action_fail(ctx, 0, "url: empty or longer than %d bytes",
		    URLSCAN_MAX_URL);
		return MS_OK;
	}
	q = result_dict_new();
	rdict_set_str(q, "url", url);
	rdict_set_str(q, "visibility", urlscan_flag(ctx, "private") ?
	    "private" : u->visibility);
	if (tags != NULL && *tags != '\0') {
		tl = rdict_add_list(q, "tags");
		tv = g_strsplit(tags, ",", 10);
		for (i = 0; tv[i] != NULL; i++) {
			g_strstrip(tv[i]);
			if (*tv[i] != '\0')
				rlist_add_str(tl, tv[i]);
		}
		g_strfreev(tv);
	}
	body = result_dict_dump(q);
	rc = urlscan_call(ctx, "/api/v1/scan/", body, 1, &json, &status);
	if (rc != MS_OK)
		goto out;
	uuid = json ? result_dict_get_str(json, "uuid") : NULL;
	if (status != 200 || uuid == NULL || !urlscan_is_uuid(uuid)) {
		/* 400: urlscan refused the URL (no DNS, a blocked domain):
		 * a verdict of its own, not something to retry. */
		action_fail(ctx, 0, "urlscan: submission refused: %s",
		    urlscan_errmsg(json, "no scan uuid in the answer"));
		goto out;
	}
	if (gr != NULL && !urlscan_flag(ctx, "get_result")) {
		sum = action_summary(ctx);
		rdict_set_str(sum, "uuid", uuid);
		urlscan_str(sum, "report_url", json, "result");
		d = action_add_data(ctx);
		rdict_set_str(d, "uuid", uuid);
		urlscan_str(d, "url", json, "url");
		urlscan_str(d, "visibility", json, "visibility");
		urlscan_str(d, "report_url", json, "result");
		urlscan_str(d, "api_url", json, "api");
		action_set_message(ctx, "submitted as %s", uuid);
		goto out;
	}
	if (u->poll_delay_ms + 500 < action_time_left_ms(ctx))
		g_usleep((gulong)u->poll_delay_ms * 1000);
	rc = urlscan_fetch(ctx, uuid, 1);
out:
	xfree(body);
	result_dict_free(q);
	result_dict_free(json);
	return rc;
}

/*
 * Search with the Elasticsearch query 'query' and list the scans found,
 * newest first.  'what' names the indicator in the message.
 */
static enum ms_err
urlscan_search(struct action_ctx *ctx, const char *query, const char *what)
{
	const struct rdict	*r, *task, *page;
	const struct rlist	*res;
	struct rdict		*json = NULL, *sum, *d;
	struct rlist		*dl;
	GHashTable		*doms;
	GHashTableIter		 it;
	gpointer		 k;
	char			*esc, *path;
	const char		*s;
	long			 status;
	int64_t			 total = 0;
	enum ms_err		 rc;
	size_t			 i;

	esc = g_uri_escape_string(query, NULL, FALSE);
	path = g_strdup_printf("/api/v1/search/?q=%s&size=%d", esc,
	    URLSCAN_SEARCH_SIZE);
	doms = g_hash_table_new(g_str_hash, g_str_equal);
	rc = urlscan_call(ctx, path, NULL, 0, &json, &status);
	if (rc != MS_OK)
		goto out;
	if (status != 200 || json == NULL) {
		action_fail(ctx, 0, "urlscan: search refused: %s",
		    urlscan_errmsg(json, "unexpected answer"));
		goto out;
	}
	res = result_dict_get_list(json, "results");
	result_dict_get_int(json, "total", &total);
	for (i = 0; i < result_list_len(res); i++) {
		if ((r = result_list_get_dict(res, i)) == NULL)
			continue;
		task = result_dict_get_dict(r, "task");
		page = result_dict_get_dict(r, "page");
		d = action_add_data(ctx);
		urlscan_str(d, "uuid", task, "uuid");
		urlscan_str(d, "url", task, "url");
		urlscan_str(d, "time", task, "time");
		urlscan_str(d, "page_url", page, "url");
		urlscan_str(d, "page_domain", page, "domain");
		urlscan_str(d, "page_ip", page, "ip");
		urlscan_str(d, "page_country", page, "country");
		urlscan_str(d, "page_asn", page, "asn");
		urlscan_str(d, "page_asnname", page, "asnname");
		urlscan_str(d, "page_server", page, "server");
		urlscan_str(d, "page_status", page, "status");
		urlscan_str(d, "report_url", r, "result");
		urlscan_str(d, "screenshot_url", r, "screenshot");
		if (page != NULL &&
		    (s = result_dict_get_str(page, "domain")) != NULL)
			g_hash_table_add(doms, (gpointer)s);
	}
	sum = action_summary(ctx);
	rdict_set_int(sum, "total", total);
	rdict_set_int(sum, "results", (int64_t)result_list_len(res));
	dl = rdict_add_list(sum, "page_domains");
	g_hash_table_iter_init(&it, doms);
	while (g_hash_table_iter_next(&it, &k, NULL))
		rlist_add_str(dl, k);
	action_set_message(ctx, "%lld scan(s) of %s", (long long)total,
	    what);
out:
	g_hash_table_destroy(doms);	/* borrows from 'json' */
	result_dict_free(json);
	g_free(path);
	g_free(esc);
	return rc;
}

/* "hunt domain": scans whose page or a request touched the domain. */
static enum ms_err
urlscan_hunt_domain(struct action_ctx *ctx)
{
	const char	*v = action_param(ctx, "domain");
	char		*q;
	enum ms_err	 rc;

	if (v == NULL || !http_is_segment(v) || strchr(v, ':') != NULL) {
		action_fail(ctx, 0, "domain: not a domain name");
		return MS_OK;
	}
	q = g_strdup_printf("domain:%s", v);
	rc = urlscan_search(ctx, q, v);
	g_free(q);
	return rc;
}

/* "hunt ip": scans that contacted the address. */
static enum ms_err
urlscan_hunt_ip(struct action_ctx *ctx)
{
	const char	*v = action_param(ctx, "ip");
	unsigned char	 buf[16];
	char		*q;
	enum ms_err	 rc;

	if (v == NULL || (inet_pton(AF_INET, v, buf) != 1 &&
	    inet_pton(AF_INET6, v, buf) != 1)) {
		action_fail(ctx, 0, "ip: not an IPv4 or IPv6 address");
		return MS_OK;
	}
	q = g_strdup_printf("ip:\"%s\"", v);
	rc = urlscan_search(ctx, q, v);
	g_free(q);
	return rc;
}

/* "hunt url": earlier scans of exactly this URL. */
static enum ms_err
urlscan_hunt_url(struct action_ctx *ctx)
{
	const char	*v = action_param(ctx, "url");
	GString		*q;
	enum ms_err	 rc;

	if (v == NULL || *v == '\0' || strlen(v) > URLSCAN_MAX_URL) {
		action_fail(ctx, 0, "url: empty or longer than %d bytes",
		    URLSCAN_MAX_URL);
		return MS_OK;
	}
	/* A phrase query: quotes and backslashes escaped. */
	q = g_string_new("task.url:\"");
	for (; *v != '\0'; v++) {
		if (*v == '"' || *v == '\\')
			g_string_append_c(q, '\\');
		g_string_append_c(q, *v);
	}
	g_string_append_c(q, '"');
	rc = urlscan_search(ctx, q->str, "the URL");
	g_string_free(q, TRUE);
	return rc;
}

/* `mailsoar asset test`: a one-result search. */
static enum ms_err
urlscan_test(struct action_ctx *ctx)
{
	struct rdict	*json = NULL;
	long		 status;
	enum ms_err	 rc;

	rc = urlscan_call(ctx, "/api/v1/search/?q=domain:urlscan.io&size=1",
	    NULL, 0, &json, &status);
	if (rc == MS_OK && status != 200)
		action_fail(ctx, 0, "urlscan: search refused: %s",
		    urlscan_errmsg(json, "unexpected answer"));
	else if (rc == MS_OK)
		action_set_message(ctx, "urlscan: search answered");
	result_dict_free(json);
	return rc;
}

static const struct app_param detonate_params[] = {
	{ "url", "url", APP_PARAM_REQUIRED, "URL to scan" },
	{ "tags", NULL, 0, "comma-separated tags (at most 10)" },
	{ "private", NULL, 0, "\"true\": a private scan whatever the "
	    "asset's visibility" },
	{ "get_result", NULL, 0, "\"false\": return once submitted "
	    "(default: wait for the report)" },
	{ NULL, NULL, 0, NULL }
};
static const struct app_param report_params[] = {
	{ "id", "urlscan submission id", APP_PARAM_REQUIRED, "scan uuid" },
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
static const struct app_param url_params[] = {
	{ "url", "url", APP_PARAM_REQUIRED, "URL" },
	{ NULL, NULL, 0, NULL }
};
static const struct app_output report_outputs[] = {
	{ "action_result.summary.verdict", NULL },
	{ "action_result.summary.score", NULL },
	{ "action_result.summary.brands", NULL },
	{ "action_result.summary.categories", NULL },
	{ "action_result.summary.uuid", "urlscan submission id" },
	{ "action_result.summary.report_url", "url" },
	{ "action_result.summary.screenshot_url", "url" },
	{ "action_result.data.*.page_url", "url" },
	{ "action_result.data.*.page_domain", "domain" },
	{ "action_result.data.*.page_ip", "ip" },
	{ "action_result.data.*.page_country", NULL },
	{ "action_result.data.*.page_title", NULL },
	{ "action_result.data.*.lists", NULL },
	{ "action_result.data.*.verdicts", NULL },
	{ NULL, NULL }
};
static const struct app_output search_outputs[] = {
	{ "action_result.summary.total", NULL },
	{ "action_result.summary.results", NULL },
	{ "action_result.summary.page_domains", "domain" },
	{ "action_result.data.*.uuid", "urlscan submission id" },
	{ "action_result.data.*.url", "url" },
	{ "action_result.data.*.time", NULL },
	{ "action_result.data.*.page_domain", "domain" },
	{ "action_result.data.*.page_ip", "ip" },
	{ "action_result.data.*.page_country", NULL },
	{ "action_result.data.*.report_url", "url" },
	{ "action_result.data.*.screenshot_url", "url" },
	{ NULL, NULL }
};
static const struct app_action urlscan_actions[] = {
	{ "detonate url", "Scan a URL in urlscan.io and return its report",
	    detonate_params, report_outputs, urlscan_detonate, 0 },
	{ "get report", "The report of an earlier scan", report_params,
	    report_outputs, urlscan_get_report, APP_ACTION_CACHEABLE },
	{ "hunt domain", "Scans that touched a domain", domain_params,
	    search_outputs, urlscan_hunt_domain, APP_ACTION_CACHEABLE },
	{ "hunt ip", "Scans that contacted an IP address", ip_params,
	    search_outputs, urlscan_hunt_ip, APP_ACTION_CACHEABLE },
	{ "hunt url", "Earlier scans of a URL", url_params, search_outputs,
	    urlscan_hunt_url, APP_ACTION_CACHEABLE },
	{ NULL, NULL, NULL, NULL, NULL, 0 }
};
static const struct app_setting urlscan_settings[] = {
	{ "base_url", 0, 0, "API root (default " URLSCAN_URL ")" },
	{ "api_key", 0, 1, "urlscan.io API key (needed to submit)" },
	{ "visibility", 0, 0, "of submissions: public, unlisted (default) "
	    "or private" },
	{ "poll_delay_ms", 0, 0, "wait before the first result poll "
	    "(default 10000)" },
	{ "poll_interval_ms", 0, 0, "between result polls (default 2000)" },
	{ NULL, 0, 0, NULL }
};
const struct app urlscan_app = {
	"urlscan",
	"URL detonation and scan search with urlscan.io",
	urlscan_actions,
	urlscan_settings,
	urlscan_init,
	urlscan_free,
	urlscan_test,
};
