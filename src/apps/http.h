/* SPDX-License-Identifier: Apache-2.0 */
/*
 * http.h -- the JSON-over-HTTPS calls the threat-intel connectors make
 * (virustotal.c, misp.c, urlscan.c, whois.c's RDAP): one libcurl easy
 * handle per call, a capped body, no redirects unless asked, the time
 * budget of the action, one wait on a 429 whose Retry-After fits in it,
 * and the HTTP status mapped to the engine's failure kinds.  Responses
 * are UNTRUSTED: parsed through result.h only.
 */
#ifndef MS_APPS_HTTP_H
#define MS_APPS_HTTP_H

#include <stddef.h>

#include "../engine/app.h"

#define HTTP_MAX_BODY	(4 * 1024 * 1024)

struct http_call {
	const char	*app;		/* prefixes messages: "misp" */
	const char	*url;		/* absolute */
	/* The header that carries the asset's secret setting api_key
	 * ("x-apikey"), or NULL for none.  http_json() reads the key,
	 * sends it only there, never logs it and wipes it after. */
	const char	*key_header;
	/* Without an api_key: fail ("APP: no api_key set"), or (0) make
	 * the call without the header. */
	int		 key_required;
	const char	*accept;	/* NULL: application/json */
	const char	*post;		/* a JSON body to POST, or NULL */
	/* How many redirects to follow (RDAP: 3); none when key_header
	 * is set, so that the key never reaches another host. */
	int		 redirects;
	/* Hand 4xx answers other than 401, 403 and 429 back to the
	 * caller (with their JSON, if any) instead of failing. */
	int		 pass_4xx;
	/* When not NULL, a failure is written here ('errlen' bytes)
	 * instead of failing the result: for a call whose failure the
	 * caller can live with (RDAP's registrar hop). */
	char		*err;
	size_t		 errlen;
};

/*
 * Make the call; '*json' is the parsed object (the caller's, result.h)
 * or NULL when the body was not a JSON object, '*status' the HTTP
 * status.  Returns MS_OK for a 2xx, a 404 and (with pass_4xx) any other
 * 4xx.  Otherwise the result is already failed with action_fail() (or,
 * with 'call->err', the message is there and the result untouched) and
 * the return is MS_ENET for what may pass (no answer, a timeout, a 5xx,
 * a 429) or MS_EINVAL (no api_key when one is required, 401/403:
 * "authentication failed", other codes, a 2xx that is not JSON, a body
 * over HTTP_MAX_BODY).
 */
enum ms_err	http_json(struct action_ctx *ctx, const struct http_call *call,
		    struct rdict **json, long *status);

/* "BASE" + "/PATH" with one slash between.  Newly allocated (g_free). */
char		*http_url(const char *base, const char *path);

/* Whether 's' is an md5, sha1 or sha256 in hex. */
int		 http_is_hash(const char *s);

/* Whether 's' is safe as one URL path segment (letters, digits, ".-_:",
 * not "." or ".."). */
int		 http_is_segment(const char *s);

#endif /* MS_APPS_HTTP_H */
