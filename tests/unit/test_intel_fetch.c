/* SPDX-License-Identifier: Apache-2.0 */
/*
 * test_intel_fetch.c -- feed downloads against a local HTTP server:
 * a whole body, a conditional GET answered 304, errors and a cut
 * connection, none of which may harm the copy already there.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>
#include <sys/stat.h>

#include <cmocka.h>
#include <glib.h>

#include "apps/intel_fetch.h"
#include "httpd.h"

#define FEED	"# Spamhaus DROP\n192.0.2.0/24 ; SBL1\n198.51.100.0/24 ; SBL2\n"
#define LASTMOD	"Last-Modified: Sun, 29 Nov 2026 10:00:00 GMT\r\n"
#define LASTMOD_T	1795946400	/* the same instant */

static char	*tmpdir;
static int	 port;

static void
serve(const struct httpd_req *req, int fd)
{
	const char	*cut = "HTTP/1.1 200 OK\r\nContent-Length: 1000\r\n"
			    "Connection: close\r\n\r\npartial";

	if (strcmp(req->path, "/drop.txt") == 0) {
		if (strcasestr(req->raw, "\r\nIf-Modified-Since: ") != NULL)
			httpd_reply(fd, 304, LASTMOD, "text/plain", "");
		else
			httpd_reply(fd, 200, LASTMOD, "text/plain", FEED);
	} else if (strcmp(req->path, "/cut.txt") == 0) {
		if (write(fd, cut, strlen(cut)) < 0)
			(void)0;
	} else if (strcmp(req->path, "/moved") == 0)
		httpd_reply(fd, 301, "Location: http://127.0.0.1:1/x\r\n",
		    "text/plain", "");
	else
		httpd_reply(fd, 404, NULL, "text/plain", "not found");
}

static int
setup(void **state)
{
	(void)state;
	tmpdir = g_dir_make_tmp("ms-fetch-XXXXXX", NULL);
	port = httpd_start(serve);
	return 0;
}

static int
teardown(void **state)
{
	char	*cmd;

	(void)state;
	httpd_stop();
	cmd = g_strdup_printf("rm -rf '%s'", tmpdir);
	assert_int_equal(system(cmd), 0);
	g_free(cmd);
	g_free(tmpdir);
	return 0;
}

static char *
url(const char *path)
{
	return g_strdup_printf("http://127.0.0.1:%d%s", port, path);
}

/* The file's text (g_free), or NULL. */
static char *
slurp(const char *path)
{
	char	*s = NULL;

	g_file_get_contents(path, &s, NULL, NULL);
	return s;
}

static void
test_fetch(void **state)
{
	char		*dest = g_build_filename(tmpdir, "drop.txt", NULL);
	char		*part = g_strconcat(dest, ".part", NULL);
	char		*u = url("/drop.txt"), *s, err[512];
	struct stat	 st;
	int		 nm;

	(void)state;
	assert_int_equal(intel_fetch(u, dest, 10, &nm, err, sizeof(err)),
	    MS_OK);
	assert_false(nm);
	s = slurp(dest);
	assert_string_equal(s, FEED);
	g_free(s);
	assert_int_equal(stat(dest, &st), 0);
	assert_int_equal((long long)st.st_mtime, LASTMOD_T);
	assert_int_not_equal(access(part, F_OK), 0);

	/* The second time: If-Modified-Since, a 304, the file kept. */
	assert_int_equal(intel_fetch(u, dest, 10, &nm, err, sizeof(err)),
	    MS_OK);
	assert_true(nm);
	s = slurp(dest);
	assert_string_equal(s, FEED);
	g_free(s);
	g_free(u);
	g_free(part);
	g_free(dest);
}

static void
test_failures_keep_the_old_copy(void **state)
{
	char	*dest = g_build_filename(tmpdir, "keep.txt", NULL);
	char	*part = g_strconcat(dest, ".part", NULL);
	char	*u, *s, err[512];
	int	 nm;

	(void)state;
	assert_true(g_file_set_contents(dest, "old\n", -1, NULL));
	u = url("/missing.txt");
	assert_int_equal(intel_fetch(u, dest, 10, &nm, err, sizeof(err)),
	    MS_ENET);
	assert_non_null(strstr(err, "HTTP status 404"));
	assert_non_null(strstr(err, u));
	g_free(u);

	u = url("/cut.txt");
	assert_int_equal(intel_fetch(u, dest, 10, &nm, err, sizeof(err)),
	    MS_ENET);
	g_free(u);

	/* A redirect to plain http is refused (https only). */
	u = url("/moved");
	assert_int_not_equal(intel_fetch(u, dest, 10, &nm, err,
	    sizeof(err)), MS_OK);
	g_free(u);

	assert_int_equal(intel_fetch("http://127.0.0.1:1/x", dest, 5, &nm,
	    err, sizeof(err)), MS_ENET);
	s = slurp(dest);
	assert_string_equal(s, "old\n");
	g_free(s);
	assert_int_not_equal(access(part, F_OK), 0);

	assert_int_equal(intel_fetch("http://127.0.0.1:1/x",
	    "/nonexistent/dir/f", 5, &nm, err, sizeof(err)), MS_EIO);
	g_free(part);
	g_free(dest);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_fetch),
		cmocka_unit_test(test_failures_keep_the_old_copy),
	};

	return cmocka_run_group_tests(tests, setup, teardown);
}
