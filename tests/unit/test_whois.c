/* SPDX-License-Identifier: Apache-2.0 */
/*
 * test_whois.c -- the whois app against local whois servers: threads
 * of this test listening on 127.0.0.1 and free ports, each playing one
 * role with answers in the registries' documented formats (IANA's
 * "refer:", a Verisign-style thin .com answer, a registrar's answer, an
 * ARIN answer with ReferralServer, a RIPE inetnum).  Also an unknown
 * domain, a self-referral loop, a silent server (transient, within the
 * budget), a server sending 1 MB of junk (capped, failed) and bad input.
 */
#include <errno.h>
#include <poll.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <setjmp.h>
#include <unistd.h>
#include <netinet/in.h>
#include <sys/socket.h>
#include <arpa/inet.h>

#include <cmocka.h>
#include <glib.h>
#include <jansson.h>

#include "apps/apps.h"
#include "engine/action.h"
#include "engine/config.h"

enum role { R_IANA, R_VRSN, R_REG, R_ARIN, R_RIPE, R_JUNK, R_SILENT,
    R_COUNT };

struct server {
	enum role	 role;
	int		 fd;
	int		 port;
	GThread		*thread;
};

static struct server	srv[R_COUNT];
static volatile int	stop;
static char		*tmpdir;
static char		 conf_path[4096];

static const char iana_fmt[] =
    "%% IANA WHOIS server\n"
    "%% for more information on IANA, visit http://www.iana.org\n"
    "%% This query returned 1 object\n\n"
    "refer:        127.0.0.1:%d\n\n"
    "domain:       COM\n\n"
    "organisation: VeriSign Global Registry Services\n"
    "address:      12061 Bluemont Way\n"
    "address:      Reston VA 20190\n"
    "address:      United States of America (the)\n\n"
    "whois:        127.0.0.1:%d\n\n"
    "status:       ACTIVE\n"
    "remarks:      Registration information: http://www.verisign-grs.com\n"
    "\ncreated:      1985-01-01\n"
    "changed:      2023-12-07\n"
    "source:       IANA\n";

static const char vrsn_fmt[] =
    "   Domain Name: EXAMPLE.COM\n"
    "   Registry Domain ID: 2336799_DOMAIN_COM-VRSN\n"
    "   Registrar WHOIS Server: 127.0.0.1:%d\n"
    "   Registrar URL: http://www.iana.org\n"
    "   Updated Date: 2024-08-14T07:01:34Z\n"
    "   Creation Date: 1995-08-14T04:00:00Z\n"
    "   Registry Expiry Date: 2025-08-13T04:00:00Z\n"
    "   Registrar: RESERVED-Internet Assigned Numbers Authority\n"
    "   Registrar IANA ID: 376\n"
    "   Name Server: A.IANA-SERVERS.NET\n"
    "   Name Server: B.IANA-SERVERS.NET\n"
    ">>> Last update of whois database: 2024-11-01T10:00:00Z <<<\n";

static const char reg_answer[] =
    "Domain Name: example.com\n"
    "Registry Domain ID: 2336799_DOMAIN_COM-VRSN\n"
    "Registrar WHOIS Server: whois.example-registrar.test\n"
    "Updated Date: 2024-08-14T07:01:34Z\n"
    "Creation Date: 1995-08-14T04:00:00Z\n"
    "Registrar Registration Expiration Date: 2025-08-13T04:00:00Z\n"
    "Registrar: Example Registrar, Inc.\n"
    "Registrar IANA ID: 9999\n"
    "Registrar Abuse Contact Email: abuse@registrar.test\n"
    "Registrar Abuse Contact Phone: +1.5555551234\n"
    "Registrant Name: REDACTED FOR PRIVACY\n"
    "Registrant Organization: Internet Assigned Numbers Authority\n"
    "Registrant Country: US\n"
    "Name Server: a.iana-servers.net\n"
    "Name Server: b.iana-servers.net\n"
    "DNSSEC: signedDelegation\n";

static const char arin_fmt[] =
    "#\n# ARIN WHOIS data and services are subject to the Terms of Use\n#\n"
    "\nNetRange:       192.0.2.0 - 192.0.2.255\n"
    "CIDR:           192.0.2.0/24\n"
    "NetName:        TEST-NET-1\n"
    "NetType:        Allocated to RIPE NCC\n"
    "Organization:   RIPE Network Coordination Centre (RIPE)\n"
    "RegDate:        2010-01-01\n"
    "Updated:        2020-01-01\n"
    "ReferralServer: whois://127.0.0.1:%d\n";

static const char arin_direct[] =
    "NetRange:       198.51.100.0 - 198.51.100.255\n"
    "CIDR:           198.51.100.0/24\n"
    "NetName:        TEST-NET-2\n"
    "OriginAS:       AS64496\n"
    "Organization:   Example Org (EXO-1)\n"
    "\nOrgName:        Example Org\n"
    "Country:        US\n"
    "OrgAbuseEmail:  abuse@example.org\n";

static const char ripe_answer[] =
    "% This is the RIPE Database query service.\n"
    "% The objects are in RPSL format.\n\n"
    "inetnum:        192.0.2.0 - 192.0.2.255\n"
    "netname:        EXAMPLE-NET\n"
    "descr:          Example network\n"
    "country:        NL\n"
    "org:            ORG-EX1-RIPE\n"
    "abuse-mailbox:  abuse@example.nl\n"
    "status:         ASSIGNED PA\n"
    "source:         RIPE\n\n"
    "route:          192.0.2.0/24\n"
    "origin:         AS64500\n";

/* The answer of server 'r' to 'q'; newly allocated. */
static char *
answer(enum role r, const char *q)
{
	switch (r) {
	case R_IANA:
		if (strcmp(q, "loop.test") == 0)
			return g_strdup_printf("refer: 127.0.0.1:%d\n",
			    srv[R_IANA].port);
		if (strcmp(q, "junk.test") == 0)
			return g_strdup_printf("refer: 127.0.0.1:%d\n",
			    srv[R_JUNK].port);
		if (strchr(q, ':') != NULL || g_ascii_isdigit(q[0]))
			return g_strdup_printf("refer: 127.0.0.1:%d\n",
			    srv[R_ARIN].port);
		return g_strdup_printf(iana_fmt, srv[R_VRSN].port,
		    srv[R_VRSN].port);
	case R_VRSN:
		if (g_ascii_strcasecmp(q, "example.com") == 0)
			return g_strdup_printf(vrsn_fmt, srv[R_REG].port);
		return g_strdup_printf("No match for \"%s\".\n>>> Last "
		    "update of whois database: 2024-11-01T10:00:00Z <<<\n",
		    q);
	case R_REG:
		return g_strdup(reg_answer);
	case R_ARIN:
		if (strcmp(q, "192.0.2.1") == 0)
			return g_strdup_printf(arin_fmt, srv[R_RIPE].port);
		return g_strdup(arin_direct);
	case R_RIPE:
		return g_strdup(ripe_answer);
	default:
		return NULL;
	}
}

/* Send 'len' bytes, ignoring a peer that hung up. */
static void
send_all(int fd, const char *p, size_t len)
{
	ssize_t	n;

	while (len > 0) {
		n = send(fd, p, len, MSG_NOSIGNAL);
		if (n <= 0)
			return;
		p += n;
		len -= (size_t)n;
	}
}

/* Serve one connection: read the query line, answer, close. */
static void
serve_one(struct server *s, int c)
{
	char	 q[512], *a, *junk;
	size_t	 len = 0;
	ssize_t	 n;

	while (len < sizeof(q) - 1) {
		n = recv(c, q + len, sizeof(q) - 1 - len, 0);
		if (n <= 0)
			break;
		len += (size_t)n;
		q[len] = '\0';
		if (strstr(q, "\r\n") != NULL)
			break;
	}
	q[len] = '\0';
	q[strcspn(q, "\r\n")] = '\0';
	if (s->role == R_JUNK) {
		junk = g_malloc(1024 * 1024);
		for (len = 0; len < 1024 * 1024; len++)
			junk[len] = (char)(len * 7 % 256);
		send_all(c, junk, 1024 * 1024);
		g_free(junk);
	} else {
		a = answer(s->role, q);
		send_all(c, a, strlen(a));
		g_free(a);
	}
	close(c);
}

/* A server's thread: accept until 'stop'.  The silent one never
 * accepts: connections wait in its backlog unanswered. */
static gpointer
serve(gpointer arg)
{
	struct server	*s = arg;
	struct pollfd	 pfd = { s->fd, POLLIN, 0 };
	int		 c;

	while (!stop) {
		if (s->role == R_SILENT || poll(&pfd, 1, 50) <= 0) {
			g_usleep(50000);
			continue;
		}
		c = accept(s->fd, NULL, NULL);
		if (c >= 0)
			serve_one(s, c);
	}
	return NULL;
}

/* Listen on 127.0.0.1 and a free port. */
static int
listen_local(int *port)
{
	struct sockaddr_in	sin;
	socklen_t		len = sizeof(sin);
	int			fd = socket(AF_INET, SOCK_STREAM, 0);

	memset(&sin, 0, sizeof(sin));
	sin.sin_family = AF_INET;
	sin.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
	if (fd < 0 || bind(fd, (struct sockaddr *)&sin, sizeof(sin)) != 0 ||
	    listen(fd, 16) != 0)
		return -1;
	getsockname(fd, (struct sockaddr *)&sin, &len);
	*port = ntohs(sin.sin_port);
	return fd;
}

static struct config *
load(const char *text, enum ms_err want)
{
	struct config	*cf = NULL;
	enum ms_err	 rc;
	char		 err[512];

	assert_true(g_file_set_contents(conf_path, text, -1, NULL));
	assert_int_equal(config_load(conf_path, app_builtin, &cf, err,
	    sizeof(err)), MS_OK);
	rc = config_assets_init(cf, err, sizeof(err));
	if (rc != want)
		fail_msg("config_assets_init: %d, want %d: %s", rc, want,
		    err);
	return cf;
}

/* An asset "w" starting at server role 'r' with a budget. */
static struct config *
load_whois(enum role r, int timeout_ms)
{
	struct config	*cf;
	char		*text;

	text = g_strdup_printf("[asset w]\napp=whois\nserver=127.0.0.1:%d\n"
	    "timeout_ms=%d\n", srv[r].port, timeout_ms);
	cf = load(text, MS_OK);
	g_free(text);
	return cf;
}

/* Run 'action' with one parameter; the result as JSON. */
static json_t *
run(struct config *cf, const char *action, const char *k, const char *v,
    int *transient, gint64 *ms)
{
	const struct asset	*as = config_asset_find(cf, "w");
	const struct app_action	*act = action_find(&whois_app, action);
	struct action_ctx	*ctx;
	json_t			*j;
	gint64			 t0;
	char			*s, err[256];

	assert_non_null(act);
	ctx = action_ctx_new(act, as, &k, &v, 1, asset_timeout_ms(as));
	assert_int_equal(action_ctx_check(ctx, err, sizeof(err)), MS_OK);
	t0 = g_get_monotonic_time();
	action_ctx_run(ctx);
	if (ms != NULL)
		*ms = (g_get_monotonic_time() - t0) / 1000;
	if (transient != NULL)
		*transient = action_ctx_transient(ctx);
	s = action_ctx_result_json(ctx);
	j = json_loads(s, 0, NULL);
	assert_non_null(j);
	xfree(s);
	action_ctx_free(ctx);
	return j;
}

static const char *
jstr(json_t *o, const char *key)
{
	return json_string_value(json_object_get(o, key));
}

static void
expect_status(json_t *res, const char *status)
{
	if (strcmp(jstr(res, "status"), status) != 0)
		fail_msg("status %s, want %s: %s", jstr(res, "status"),
		    status, jstr(res, "message"));
}

static json_t *
data0(json_t *res)
{
	json_t	*d = json_array_get(json_object_get(res, "data"), 0);

	assert_non_null(d);
	return d;
}

static void
domain_chain(void **state)
{
	struct config	*cf = load_whois(R_IANA, 3000);
	json_t		*res, *d, *ns;

	(void)state;
	res = run(cf, "whois domain", "domain", "example.com", NULL, NULL);
	expect_status(res, "success");
	d = data0(res);
	assert_string_equal(jstr(d, "registrar"), "Example Registrar, Inc.");
	assert_string_equal(jstr(d, "creation_date"),
	    "1995-08-14T04:00:00Z");
	assert_string_equal(jstr(d, "updated_date"), "2024-08-14T07:01:34Z");
	assert_string_equal(jstr(d, "expiration_date"),
	    "2025-08-13T04:00:00Z");
	assert_string_equal(jstr(d, "registrant_organization"),
	    "Internet Assigned Numbers Authority");
	assert_string_equal(jstr(d, "registrant_country"), "US");
	assert_string_equal(jstr(d, "abuse_email"), "abuse@registrar.test");
	assert_true(json_integer_value(json_object_get(d,
	    "domain_age_days")) > 10000);
	ns = json_object_get(d, "name_servers");
	assert_int_equal(json_array_size(ns), 2);
	assert_string_equal(json_string_value(json_array_get(ns, 0)),
	    "a.iana-servers.net");
	/* IANA -> registry -> registrar: three hops, then the bound. */
	assert_int_equal(json_array_size(json_object_get(d, "servers")), 3);
	assert_non_null(strstr(jstr(d, "raw"), "Registrant Country: US"));
	assert_string_equal(jstr(json_object_get(res, "summary"),
	    "registrar"), "Example Registrar, Inc.");
	assert_string_equal(jstr(json_object_get(res, "summary"),
	    "country"), "US");
	json_decref(res);
	config_free(cf);
}

static void
domain_unknown(void **state)
{
	struct config	*cf = load_whois(R_IANA, 3000);
	json_t		*res;

	(void)state;
	res = run(cf, "whois domain", "domain", "nosuch-domain.com", NULL,
	    NULL);
	expect_status(res, "success");
	assert_non_null(strstr(jstr(res, "message"), "not found"));
	assert_int_equal(json_array_size(json_object_get(res, "data")), 0);
	json_decref(res);
	config_free(cf);
}

static void
ip_chain(void **state)
{
	struct config	*cf = load_whois(R_IANA, 3000);
	json_t		*res, *d;

	(void)state;
	res = run(cf, "whois ip", "ip", "192.0.2.1", NULL, NULL);
	expect_status(res, "success");
	d = data0(res);
	/* IANA -> ARIN -> RIPE (ReferralServer: whois://). */
	assert_int_equal(json_array_size(json_object_get(d, "servers")), 3);
	assert_string_equal(jstr(d, "network_name"), "EXAMPLE-NET");
	assert_string_equal(jstr(d, "cidr"), "192.0.2.0 - 192.0.2.255");
	assert_string_equal(jstr(d, "country"), "NL");
	assert_string_equal(jstr(d, "asn"), "AS64500");
	assert_string_equal(jstr(d, "abuse_email"), "abuse@example.nl");
	json_decref(res);

	res = run(cf, "whois ip", "ip", "198.51.100.7", NULL, NULL);
	expect_status(res, "success");
	d = data0(res);
	assert_int_equal(json_array_size(json_object_get(d, "servers")), 2);
	assert_string_equal(jstr(d, "network_name"), "TEST-NET-2");
	assert_string_equal(jstr(d, "cidr"), "198.51.100.0/24");
	assert_string_equal(jstr(d, "country"), "US");
	assert_string_equal(jstr(d, "asn"), "AS64496");
	assert_string_equal(jstr(d, "organization"), "Example Org");
	assert_string_equal(jstr(d, "abuse_email"), "abuse@example.org");
	json_decref(res);
	config_free(cf);
}

static void
self_loop(void **state)
{
	struct config	*cf = load_whois(R_IANA, 3000);
	json_t		*res, *d;

	(void)state;
	res = run(cf, "whois domain", "domain", "loop.test", NULL, NULL);
	expect_status(res, "success");
	d = data0(res);
	assert_int_equal(json_array_size(json_object_get(d, "servers")), 1);
	json_decref(res);
	config_free(cf);
}

static void
silent_server(void **state)
{
	struct config	*cf = load_whois(R_SILENT, 400);
	json_t		*res;
	gint64		 ms;
	int		 tr;

	(void)state;
	res = run(cf, "whois domain", "domain", "example.com", &tr, &ms);
	expect_status(res, "failed");
	assert_true(tr);
	assert_true(ms >= 300 && ms < 400 + 500);
	json_decref(res);
	config_free(cf);
}

static void
closed_port(void **state)
{
	struct config	*cf;
	json_t		*res;
	char		*text;
	int		 fd, p, tr;

	(void)state;
	fd = listen_local(&p);
	close(fd);
	text = g_strdup_printf("[asset w]\napp=whois\nserver=127.0.0.1:%d\n",
	    p);
	cf = load(text, MS_OK);
	g_free(text);
	res = run(cf, "whois ip", "ip", "192.0.2.1", &tr, NULL);
	expect_status(res, "failed");
	assert_true(tr);
	json_decref(res);
	config_free(cf);
}

static void
junk(void **state)
{
	struct config	*cf = load_whois(R_JUNK, 3000);
	json_t		*res;
	int		 tr;

	(void)state;
	res = run(cf, "whois domain", "domain", "example.com", &tr, NULL);
	expect_status(res, "failed");
	assert_false(tr);
	json_decref(res);
	config_free(cf);

	cf = load_whois(R_IANA, 3000);	/* junk as a referral */
	res = run(cf, "whois domain", "domain", "junk.test", &tr, NULL);
	expect_status(res, "failed");
	assert_false(tr);
	json_decref(res);
	config_free(cf);
}

static void
bad_input(void **state)
{
	struct config	*cf = load_whois(R_IANA, 3000);
	json_t		*res;
	int		 tr;

	(void)state;
	res = run(cf, "whois domain", "domain", "not a domain", &tr, NULL);
	expect_status(res, "failed");
	assert_false(tr);
	json_decref(res);
	res = run(cf, "whois ip", "ip", "300.1.2.3", &tr, NULL);
	expect_status(res, "failed");
	assert_false(tr);
	json_decref(res);
	config_free(cf);
	cf = load("[asset w]\napp=whois\nserver=host:99999\n", MS_EINVAL);
	config_free(cf);
}

static void
rate_limit(void **state)
{
	struct config	*cf = load_whois(R_RIPE, 200);
	json_t		*res;
	int		 i, tr, limited = 0;

	(void)state;
	/* A burst of 10, then 2/s: with 200 ms per call, some wait and
	 * pass, and some are refused as transient. */
	for (i = 0; i < 16; i++) {
		res = run(cf, "whois domain", "domain", "example.com", &tr,
		    NULL);
		if (strcmp(jstr(res, "status"), "failed") == 0) {
			assert_true(tr);
			if (strstr(jstr(res, "message"), "rate limited") ==
			    NULL)
				fail_msg("%s", jstr(res, "message"));
			limited++;
		}
		json_decref(res);
	}
	assert_true(limited > 0);
	config_free(cf);
}

static int
setup(void **state)
{
	int	i;

	(void)state;
	tmpdir = g_dir_make_tmp("test_whois_XXXXXX", NULL);
	snprintf(conf_path, sizeof(conf_path), "%s/mailsoar.conf", tmpdir);
	for (i = 0; i < R_COUNT; i++) {
		srv[i].role = (enum role)i;
		srv[i].fd = listen_local(&srv[i].port);
		if (srv[i].fd < 0)
			return -1;
	}
	for (i = 0; i < R_COUNT; i++)
		srv[i].thread = g_thread_new("whois", serve, &srv[i]);
	return 0;
}

static int
teardown(void **state)
{
	int	i;

	(void)state;
	stop = 1;
	for (i = 0; i < R_COUNT; i++) {
		g_thread_join(srv[i].thread);
		close(srv[i].fd);
	}
	unlink(conf_path);
	rmdir(tmpdir);
	g_free(tmpdir);
	return 0;
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(domain_chain),
		cmocka_unit_test(domain_unknown),
		cmocka_unit_test(ip_chain),
		cmocka_unit_test(self_loop),
		cmocka_unit_test(silent_server),
		cmocka_unit_test(closed_port),
		cmocka_unit_test(junk),
		cmocka_unit_test(bad_input),
		cmocka_unit_test(rate_limit),
	};

	return cmocka_run_group_tests(tests, setup, teardown);
}
