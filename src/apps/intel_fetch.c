/* SPDX-License-Identifier: Apache-2.0 */
/*
 * intel_fetch.c -- feed downloads (intel_fetch.h).
 */
#include <errno.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>
#include <utime.h>
#include <sys/stat.h>

#include <curl/curl.h>
#include <glib.h>

#include "intel_fetch.h"
#include "../common/limits.h"

struct fetch {
	FILE	*f;
	size_t	 len;
	int	 over;
	int	 werr;
};

static size_t
fetch_write(char *p, size_t sz, size_t n, void *arg)
{
	struct fetch	*ft = arg;

	if (ft->len + sz * n > (size_t)LIMIT_INTEL_FEED_BYTES) {
		ft->over = 1;
		return 0;
	}
	if (fwrite(p, sz, n, ft->f) != n) {
		ft->werr = errno ? errno : EIO;
		return 0;
	}
	ft->len += sz * n;
	return sz * n;
}

enum ms_err
intel_fetch(const char *url, const char *dest, int timeout_s,
    int *not_modified, char *err, size_t errlen)
{
	struct fetch	 ft = { NULL, 0, 0, 0 };
	struct stat	 st;
	struct utimbuf	 ut;
	curl_off_t	 ftime = -1;
	CURL		*c = NULL;
	CURLcode	 cc;
	char		*part;
	long		 status = 0, unmet = 0;
	enum ms_err	 rc = MS_ENET;
	int		 have;

	*not_modified = 0;
	have = stat(dest, &st) == 0;
	part = g_strdup_printf("%s.part", dest);
	if ((ft.f = fopen(part, "wb")) == NULL) {
		snprintf(err, errlen, "%s: %s", part, strerror(errno));
		rc = MS_EIO;
		goto out;
	}
	if ((c = curl_easy_init()) == NULL) {
		snprintf(err, errlen, "%s: cannot start curl", url);
		goto out;
	}
	curl_easy_setopt(c, CURLOPT_URL, url);
	curl_easy_setopt(c, CURLOPT_PROTOCOLS_STR, "http,https");
	curl_easy_setopt(c, CURLOPT_REDIR_PROTOCOLS_STR, "https");
	curl_easy_setopt(c, CURLOPT_FOLLOWLOCATION, 1L);
	curl_easy_setopt(c, CURLOPT_MAXREDIRS, 5L);
	curl_easy_setopt(c, CURLOPT_MAXFILESIZE_LARGE,
	    (curl_off_t)LIMIT_INTEL_FEED_BYTES);
	curl_easy_setopt(c, CURLOPT_TIMEOUT, (long)timeout_s);
	curl_easy_setopt(c, CURLOPT_CONNECTTIMEOUT, 30L);
	curl_easy_setopt(c, CURLOPT_NOSIGNAL, 1L);
	curl_easy_setopt(c, CURLOPT_ACCEPT_ENCODING, "");
	curl_easy_setopt(c, CURLOPT_USERAGENT, "mailsoar/" MS_VERSION);
	curl_easy_setopt(c, CURLOPT_WRITEFUNCTION, fetch_write);
	curl_easy_setopt(c, CURLOPT_WRITEDATA, &ft);
	curl_easy_setopt(c, CURLOPT_FILETIME, 1L);
	if (have) {
		curl_easy_setopt(c, CURLOPT_TIMECONDITION,
		    (long)CURL_TIMECOND_IFMODSINCE);
		curl_easy_setopt(c, CURLOPT_TIMEVALUE_LARGE,
		    (curl_off_t)st.st_mtime);
	}
	cc = curl_easy_perform(c);
	if (cc != CURLE_OK) {
		if (ft.over || cc == CURLE_FILESIZE_EXCEEDED) {
			snprintf(err, errlen, "%s: larger than %llu MiB",
			    url, LIMIT_INTEL_FEED_BYTES / (1024 * 1024));
			rc = MS_ELIMIT;
		} else if (ft.werr != 0) {
			snprintf(err, errlen, "%s: %s", part,
			    strerror(ft.werr));
			rc = MS_EIO;
		} else
			snprintf(err, errlen, "%s: %s", url,
			    curl_easy_strerror(cc));
		goto out;
	}
	curl_easy_getinfo(c, CURLINFO_RESPONSE_CODE, &status);
	curl_easy_getinfo(c, CURLINFO_CONDITION_UNMET, &unmet);
	if (have && (status == 304 || unmet)) {
		*not_modified = 1;
		rc = MS_OK;
		goto out;
	}
	if (status != 200) {
		snprintf(err, errlen, "%s: HTTP status %ld", url, status);
		goto out;
	}
	if (fflush(ft.f) != 0 || fsync(fileno(ft.f)) != 0) {
		snprintf(err, errlen, "%s: %s", part, strerror(errno));
		rc = MS_EIO;
		goto out;
	}
	fclose(ft.f);
	ft.f = NULL;
	if (rename(part, dest) != 0) {
		snprintf(err, errlen, "%s: %s", dest, strerror(errno));
		rc = MS_EIO;
		goto out;
	}
	/* The server's Last-Modified becomes the file's time, for the
	 * next request's If-Modified-Since. */
	if (curl_easy_getinfo(c, CURLINFO_FILETIME_T, &ftime) == CURLE_OK &&
	    ftime > 0) {
		ut.actime = ut.modtime = (time_t)ftime;
		(void)utime(dest, &ut);
	}
	rc = MS_OK;
out:
	if (ft.f != NULL)
		fclose(ft.f);
	if (rc != MS_OK || *not_modified)
		(void)unlink(part);
	if (c != NULL)
		curl_easy_cleanup(c);
	g_free(part);
	return rc;
}
