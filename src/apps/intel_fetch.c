/* SPDX-License-Identifier: Apache-2.0 */
/*
 * intel_fetch.c -- intel_fetch (intel.h): download one threat-intel feed
 * over HTTP(S) into a local file for intel_feed_parse_path, for
 * `mailsoar intel load https://...`.  Runs in the CLI.  The server and
 * its bytes are UNTRUSTED: http and https only (redirects too), at most
 * LIMIT_INTEL_FEED_BYTES written whatever the server announces, a
 * timeout, a bounded number of redirects, certificates verified.
 */
#include <errno.h>
#include <stdio.h>
#include <string.h>

#include <curl/curl.h>
#include <glib.h>

#include "intel.h"
#include "../common/limits.h"

struct fetch {
	FILE		*f;
	curl_off_t	 n;
	int		 over;
};

/* libcurl write callback: to the file, refusing past the cap. */
static size_t
fetch_write(char *p, size_t sz, size_t n, void *arg)
{
	struct fetch	*ft = arg;
	curl_off_t	 room = (curl_off_t)LIMIT_INTEL_FEED_BYTES - ft->n;

	if ((curl_off_t)(sz * n) > room) {
		ft->over = 1;
		return 0;
	}
	ft->n += (curl_off_t)(sz * n);
	return fwrite(p, sz, n, ft->f) == n ? sz * n : 0;
}

/* The last path segment of 'url', reduced to [A-Za-z0-9._-], else
 * "feed".  Newly allocated. */
static char *
fetch_name(const char *url)
{
	const char	*p = strstr(url, "://"), *end, *s;
	GString		*g = g_string_new("");

	p = p ? p + 3 : url;
	end = p + strcspn(p, "?#");
	for (s = end; s > p && s[-1] != '/'; s--)
		;
	if (s == p)		/* no path: the host is all there is */
		s = end;
	for (; s < end && g->len < 100; s++)
		g_string_append_c(g, g_ascii_isalnum(*s) || *s == '.' ||
		    *s == '_' || *s == '-' ? *s : '_');
	if (g->len == 0 || g->str[0] == '.')
		g_string_prepend(g, "feed");
	return g_string_free(g, FALSE);
}

enum ms_err
intel_fetch(const char *url, const char *dir, char **path, char *err,
    size_t errlen)
{
	struct fetch	 ft = { NULL, 0, 0 };
	CURL		*c = NULL;
	CURLcode	 cc;
	char		*name = fetch_name(url), cerr[CURL_ERROR_SIZE] = "";
	enum ms_err	 rc = MS_ENET;
	long		 status = 0;

	*path = g_build_filename(dir, name, NULL);
	g_free(name);
	if ((ft.f = fopen(*path, "wbx")) == NULL) {
		snprintf(err, errlen, "%s: %s", *path, g_strerror(errno));
		rc = MS_EIO;
		goto out;
	}
	if ((c = curl_easy_init()) == NULL) {
		snprintf(err, errlen, "cannot start libcurl");
		goto out;
	}
	curl_easy_setopt(c, CURLOPT_URL, url);
	curl_easy_setopt(c, CURLOPT_PROTOCOLS_STR, "http,https");
	curl_easy_setopt(c, CURLOPT_REDIR_PROTOCOLS_STR, "http,https");
	curl_easy_setopt(c, CURLOPT_MAXFILESIZE_LARGE,
	    (curl_off_t)LIMIT_INTEL_FEED_BYTES);
	curl_easy_setopt(c, CURLOPT_TIMEOUT_MS, (long)LIMIT_INTEL_FETCH_MS);
	curl_easy_setopt(c, CURLOPT_FOLLOWLOCATION, 1L);
	curl_easy_setopt(c, CURLOPT_MAXREDIRS, 5L);
	curl_easy_setopt(c, CURLOPT_NOSIGNAL, 1L);
	curl_easy_setopt(c, CURLOPT_ACCEPT_ENCODING, "");
	curl_easy_setopt(c, CURLOPT_USERAGENT, "mailsoar/" MS_VERSION);
	curl_easy_setopt(c, CURLOPT_ERRORBUFFER, cerr);
	curl_easy_setopt(c, CURLOPT_WRITEFUNCTION, fetch_write);
	curl_easy_setopt(c, CURLOPT_WRITEDATA, &ft);
	cc = curl_easy_perform(c);
	curl_easy_getinfo(c, CURLINFO_RESPONSE_CODE, &status);
	if (ft.over || cc == CURLE_FILESIZE_EXCEEDED) {
		snprintf(err, errlen, "%s: larger than %llu bytes "
		    "(LIMIT_INTEL_FEED_BYTES)", url,
		    (unsigned long long)LIMIT_INTEL_FEED_BYTES);
		rc = MS_ELIMIT;
	} else if (cc != CURLE_OK)
		snprintf(err, errlen, "%s: %s", url, cerr[0] ? cerr :
		    curl_easy_strerror(cc));
	else if (status != 200)
		snprintf(err, errlen, "%s: HTTP status %ld", url, status);
	else
		rc = MS_OK;
out:
	if (ft.f != NULL && fclose(ft.f) != 0 && rc == MS_OK) {
		snprintf(err, errlen, "%s: %s", *path, g_strerror(errno));
		rc = MS_EIO;
	}
	curl_easy_cleanup(c);		/* NULL-safe */
	if (rc != MS_OK) {
		if (ft.f != NULL)
			(void)remove(*path);
		g_free(*path);
		*path = NULL;
	}
	return rc;
}
