/* SPDX-License-Identifier: Apache-2.0 */
/*
 * http.c -- JSON over HTTP(S) for the connectors (http.h).
 */
#include <stdarg.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>

#include <curl/curl.h>
#include <glib.h>

#include "http.h"
#include "../engine/result.h"

/* A response being received. */
struct http_resp {
	GString	*body;
	int	 over;		/* the body exceeded the cap */
	long	 retry_after;	/* seconds from Retry-After, or -1 */
};

/* Fail the call: into call->err when the caller asked, else the
 * action's result. */
static void __attribute__((format(printf, 4, 5)))
http_fail(struct action_ctx *ctx, const struct http_call *call,
    int transient, const char *fmt, ...)
{
	va_list	 ap;
	char	 msg[512];

	va_start(ap, fmt);
	vsnprintf(msg, sizeof(msg), fmt, ap);
	va_end(ap);
	if (call->err != NULL)
		g_strlcpy(call->err, msg, call->errlen);
	else
		action_fail(ctx, transient, "%s", msg);
}

/* libcurl write callback: append, refusing more than the cap. */
static size_t
http_write(char *p, size_t sz, size_t n, void *arg)
{
	struct http_resp	*r = arg;

	if (r->body->len + sz * n > HTTP_MAX_BODY) {
		r->over = 1;
		return 0;
	}
	g_string_append_len(r->body, p, (gssize)(sz * n));
	return sz * n;
}

/* libcurl header callback: note Retry-After (the seconds form; a date
 * is left alone and the 429 fails at once). */
static size_t
http_header(char *p, size_t sz, size_t n, void *arg)
{
	struct http_resp	*r = arg;
	size_t			 len = sz * n;
	char			 buf[32];
	char			*end;
	gint64			 v;

	if (len > 12 && len < 12 + sizeof(buf) &&
	    g_ascii_strncasecmp(p, "retry-after:", 12) == 0) {
		memcpy(buf, p + 12, len - 12);
		buf[len - 12] = '\0';
		g_strstrip(buf);
		v = g_ascii_strtoll(buf, &end, 10);
		if (end != buf && *end == '\0' && v >= 0 && v < 86400)
			r->retry_after = (long)v;
	}
	return len;
}

/* One request into 'r'; CURLE_OK with '*status' set, or libcurl's
 * error. */
static CURLcode
http_once(struct action_ctx *ctx, const struct http_call *call,
    struct curl_slist *hdr, struct http_resp *r, long *status)
{
	CURL		*c;
	CURLcode	 cc;

	g_string_truncate(r->body, 0);
	r->over = 0;
	r->retry_after = -1;
	if ((c = curl_easy_init()) == NULL)
		return CURLE_OUT_OF_MEMORY;
	curl_easy_setopt(c, CURLOPT_URL, call->url);
	curl_easy_setopt(c, CURLOPT_PROTOCOLS_STR, "http,https");
	curl_easy_setopt(c, CURLOPT_REDIR_PROTOCOLS_STR, "https");
	curl_easy_setopt(c, CURLOPT_MAXFILESIZE_LARGE,
	    (curl_off_t)HTTP_MAX_BODY);
	curl_easy_setopt(c, CURLOPT_TIMEOUT_MS,
	    (long)action_time_left_ms(ctx));
	/* A key travels in a header of ours, which libcurl would repeat to
	 * wherever a redirect leads: a call with a key follows none. */
	curl_easy_setopt(c, CURLOPT_FOLLOWLOCATION,
	    call->redirects > 0 && call->key_header == NULL ? 1L : 0L);
	curl_easy_setopt(c, CURLOPT_MAXREDIRS, (long)call->redirects);
	curl_easy_setopt(c, CURLOPT_UNRESTRICTED_AUTH, 0L);
	curl_easy_setopt(c, CURLOPT_NOSIGNAL, 1L);
	curl_easy_setopt(c, CURLOPT_HTTPHEADER, hdr);
	if (call->post != NULL)
		curl_easy_setopt(c, CURLOPT_POSTFIELDS, call->post);
	curl_easy_setopt(c, CURLOPT_WRITEFUNCTION, http_write);
	curl_easy_setopt(c, CURLOPT_WRITEDATA, r);
	curl_easy_setopt(c, CURLOPT_HEADERFUNCTION, http_header);
	curl_easy_setopt(c, CURLOPT_HEADERDATA, r);
	cc = curl_easy_perform(c);
	if (cc == CURLE_OK)
		curl_easy_getinfo(c, CURLINFO_RESPONSE_CODE, status);
	curl_easy_cleanup(c);
	return cc;
}

enum ms_err
http_json(struct action_ctx *ctx, const struct http_call *call,
    struct rdict **json, long *status)
{
	struct http_resp	 r;
	struct curl_slist	*hdr = NULL;
	CURLcode		 cc;
	char			*acc, *key = NULL, *auth = NULL, err[256];
	enum ms_err		 rc = MS_EINVAL;
	int			 attempt;

	*json = NULL;
	*status = 0;
	r.body = g_string_new(NULL);
	acc = g_strdup_printf("Accept: %s",
	    call->accept ? call->accept : "application/json");
	if (call->key_header != NULL) {
		key = asset_secret(action_asset(ctx), "api_key");
		if (key != NULL && *key != '\0') {
			auth = g_strdup_printf("%s: %s", call->key_header, key);
			hdr = curl_slist_append(hdr, auth);
		} else if (call->key_required) {
			http_fail(ctx, call, 0, "%s: no api_key set",
			    call->app);
			goto out;
		}
	}
	hdr = curl_slist_append(hdr, acc);
	if (call->post != NULL)
		hdr = curl_slist_append(hdr,
		    "Content-Type: application/json");
	for (attempt = 0; attempt < 2; attempt++) {
		cc = http_once(ctx, call, hdr, &r, status);
		if (cc != CURLE_OK) {
			if (r.over || cc == CURLE_FILESIZE_EXCEEDED) {
				http_fail(ctx, call, 0, "%s: response larger "
				    "than %d bytes", call->app,
				    HTTP_MAX_BODY);
				goto out;
			}
			http_fail(ctx, call, 1, "%s: %s", call->app,
			    curl_easy_strerror(cc));
			rc = MS_ENET;
			goto out;
		}
		if (*status != 429)
			break;
		/* Wait once, when the server's delay fits the budget. */
		if (attempt == 0 && r.retry_after >= 0 &&
		    r.retry_after * 1000 + 1000 < action_time_left_ms(ctx)) {
			g_usleep((gulong)r.retry_after * G_USEC_PER_SEC);
			continue;
		}
		rc = MS_ENET;
		if (r.retry_after >= 0)
			http_fail(ctx, call, 1, "%s: rate limited; retry after "
			    "%ld s", call->app, r.retry_after);
		else
			http_fail(ctx, call, 1, "%s: rate limited", call->app);
		goto out;
	}
	if (*status == 401 || *status == 403) {
		http_fail(ctx, call, 0, "%s: authentication failed (check "
		    "api_key)", call->app);
		goto out;
	}
	if (*status >= 500) {
		http_fail(ctx, call, 1, "%s: server error (HTTP %ld)",
		    call->app, *status);
		rc = MS_ENET;
		goto out;
	}
	if (*status >= 200 && *status < 300) {
		if (result_dict_parse(r.body->str, json, err,
		    sizeof(err)) != MS_OK) {
			http_fail(ctx, call, 0, "%s: malformed JSON response: "
			    "%s", call->app, err);
			goto out;
		}
		rc = MS_OK;
		goto out;
	}
	if (*status == 404 || (call->pass_4xx && *status >= 400 &&
	    *status < 500)) {
		/* The caller reads the error object, if there is one. */
		if (result_dict_parse(r.body->str, json, err,
		    sizeof(err)) != MS_OK)
			*json = NULL;
		rc = MS_OK;
		goto out;
	}
	http_fail(ctx, call, 0, "%s: unexpected HTTP status %ld", call->app,
	    *status);
out:
	curl_slist_free_all(hdr);
	if (auth != NULL) {
		memset(auth, 0, strlen(auth));
		g_free(auth);
	}
	if (key != NULL) {
		memset(key, 0, strlen(key));
		xfree(key);
	}
	g_free(acc);
	g_string_free(r.body, TRUE);
	return rc;
}

char *
http_url(const char *base, const char *path)
{
	while (*path == '/')
		path++;
	return g_strdup_printf("%s%s%s", base,
	    g_str_has_suffix(base, "/") ? "" : "/", path);
}

int
http_is_hash(const char *s)
{
	size_t	n = strlen(s), i;

	if (n != 32 && n != 40 && n != 64)
		return 0;
	for (i = 0; i < n; i++)
		if (!g_ascii_isxdigit(s[i]))
			return 0;
	return 1;
}

int
http_is_segment(const char *s)
{
	if (*s == '\0' || strcmp(s, ".") == 0 || strcmp(s, "..") == 0)
		return 0;
	for (; *s != '\0'; s++)
		if (!g_ascii_isalnum(*s) && strchr(".-_:", *s) == NULL)
			return 0;
	return 1;
}
