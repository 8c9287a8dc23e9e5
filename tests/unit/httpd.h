/* SPDX-License-Identifier: Apache-2.0 */
/*
 * httpd.h -- a stand-in HTTP/1.1 server for the connectors' tests: one
 * thread on 127.0.0.1, one connection at a time, "Connection: close".
 * The test's handler answers each request the way the real service's
 * documented API would; the server keeps the last request (head and
 * body) so that tests can check method, path, headers and body.
 */
#ifndef MS_TEST_HTTPD_H
#define MS_TEST_HTTPD_H

#include <stddef.h>

struct httpd_req {
	const char	*method;	/* "GET" */
	const char	*path;		/* "/api/v3/files/..." */
	const char	*raw;		/* head and body, NUL-terminated */
	const char	*body;		/* after the head ("" if none) */
};

/* Answer 'req' on 'fd' with httpd_reply(), or not at all (the client
 * then sees the connection close). */
typedef void	(*httpd_fn)(const struct httpd_req *req, int fd);

/* Start the server; returns its port. */
int	httpd_start(httpd_fn fn);
void	httpd_stop(void);
/* Send a whole response; 'type' NULL means application/json. */
void	httpd_reply(int fd, int status, const char *extra_headers,
	    const char *type, const char *body);
/* Sleep up to 'ms' in small steps, returning early when stopping (for
 * handlers that play a server that does not answer). */
void	httpd_stall(int ms);
/* The last request as received (head and body), newly allocated
 * (g_free), or NULL before the first. */
char	*httpd_last(void);

#endif /* MS_TEST_HTTPD_H */
