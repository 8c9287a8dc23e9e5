/* SPDX-License-Identifier: Apache-2.0 */
/*
 * httpd.c -- the connectors' stand-in HTTP server (httpd.h).
 */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <arpa/inet.h>
#include <netinet/in.h>
#include <sys/socket.h>

#include <glib.h>

#include "httpd.h"

static int		 lfd = -1, port;
static GThread		*thr;
static volatile int	 stopping;
static GMutex		 mu;
static char		*last_req;
static httpd_fn		 handler;

void
httpd_reply(int fd, int status, const char *extra, const char *type,
    const char *body)
{
	char	*s;

	s = g_strdup_printf("HTTP/1.1 %d X\r\nContent-Type: %s\r\n"
	    "Content-Length: %zu\r\nConnection: close\r\n%s\r\n%s", status,
	    type ? type : "application/json", strlen(body),
	    extra ? extra : "", body);
	if (write(fd, s, strlen(s)) < 0)
		(void)0;
	g_free(s);
}

void
httpd_stall(int ms)
{
	for (; ms > 0 && !stopping; ms -= 20)
		g_usleep(20000);
}

char *
httpd_last(void)
{
	char	*s;

	g_mutex_lock(&mu);
	s = g_strdup(last_req);
	g_mutex_unlock(&mu);
	return s;
}

/* Read one request (head, then Content-Length bytes of body) and hand
 * it to the handler. */
static void
httpd_serve(int fd)
{
	static char		 buf[65536];
	char			 method[16], path[2048], *e, *cl;
	struct httpd_req	 req;
	size_t			 n = 0, want;
	ssize_t			 r;

	for (;;) {
		if (n >= sizeof(buf) - 1)
			return;
		r = read(fd, buf + n, sizeof(buf) - 1 - n);
		if (r <= 0)
			return;
		n += (size_t)r;
		buf[n] = '\0';
		if ((e = strstr(buf, "\r\n\r\n")) == NULL)
			continue;
		cl = strcasestr(buf, "\r\nContent-Length: ");
		want = cl && cl < e ? strtoul(cl + 18, NULL, 10) : 0;
		if (n >= (size_t)(e + 4 - buf) + want)
			break;
	}
	g_mutex_lock(&mu);
	g_free(last_req);
	last_req = g_strdup(buf);
	g_mutex_unlock(&mu);
	if (sscanf(buf, "%15s %2047s HTTP/1.1", method, path) != 2) {
		httpd_reply(fd, 400, NULL, NULL, "{}");
		return;
	}
	req.method = method;
	req.path = path;
	req.raw = buf;
	req.body = e + 4;
	handler(&req, fd);
}

static gpointer
httpd_main(gpointer arg)
{
	int	fd;

	(void)arg;
	while (!stopping) {
		fd = accept(lfd, NULL, NULL);
		if (fd < 0)
			continue;
		if (!stopping)
			httpd_serve(fd);
		close(fd);
	}
	return NULL;
}

/* A loopback address on 'p' (0: any port). */
static struct sockaddr_in
httpd_addr(int p)
{
	struct sockaddr_in	sin;

	memset(&sin, 0, sizeof(sin));
	sin.sin_family = AF_INET;
	sin.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
	sin.sin_port = htons((uint16_t)p);
	return sin;
}

int
httpd_start(httpd_fn fn)
{
	struct sockaddr_in	sin = httpd_addr(0);
	socklen_t		len = sizeof(sin);

	handler = fn;
	stopping = 0;
	lfd = socket(AF_INET, SOCK_STREAM, 0);
	if (lfd < 0 || bind(lfd, (struct sockaddr *)&sin, sizeof(sin)) != 0 ||
	    listen(lfd, 16) != 0 ||
	    getsockname(lfd, (struct sockaddr *)&sin, &len) != 0) {
		perror("httpd");
		abort();
	}
	port = ntohs(sin.sin_port);
	thr = g_thread_new("httpd", httpd_main, NULL);
	return port;
}

void
httpd_stop(void)
{
	struct sockaddr_in	sin = httpd_addr(port);
	int			fd;

	stopping = 1;
	fd = socket(AF_INET, SOCK_STREAM, 0);	/* wake accept() */
	(void)connect(fd, (struct sockaddr *)&sin, sizeof(sin));
	close(fd);
	g_thread_join(thr);
	close(lfd);
	lfd = -1;
	g_free(last_req);
	last_req = NULL;
}
