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
#include <glib/gstdio.h>
#include <jansson.h>

#include "apps/apps.h"
#include "engine/action.h"
#include "engine/config.h"
#include "apps/rdap.h"
#include "apps/rdap_boot.h"
#include "httpd.h"

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
	    "rdap=off\ntimeout_ms=%d\n", srv[r].port, timeout_ms);
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
	assert_string_equal(jstr(d, "protocol"), "whois");
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
	text = g_strdup_printf("[asset w]\napp=whois\nserver=127.0.0.1:%d\n"
	    "rdap=off\n", p);
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

/* ---- RDAP ------------------------------------------------------------ */

/*
 * The RDAP stand-in (httpd.c) plays several servers under path
 * prefixes of one port: /com/ a Verisign-style registry, /reg/ a
 * registrar (reached as "localhost", another host than the registry's
 * 127.0.0.1), /tld/ and /sub/ two small registries for the bootstrap's
 * longest-suffix rule, /arin/ and /ripe/ two RIRs.  The answers are
 * modelled on RFC 9083's examples and the registries' documented
 * formats; single quotes stand for double quotes (json_q).
 */
static int	 rdap_port;
static int	 hits_wait;
static char	*boot_dir;

/* 'fmt' with '%d' the stand-in's port and ' made ". */
static char *
json_q(const char *fmt)
{
	char	*s = g_strdup_printf(fmt, rdap_port);

	return g_strdelimit(s, "'", '"');
}

static const char VRSN_DOMAIN[] =
    "{'objectClassName':'domain','handle':'2336799_DOMAIN_COM-VRSN',"
    "'ldhName':'EXAMPLE.COM','links':[{'value':"
    "'http://127.0.0.1:%1$d/com/domain/EXAMPLE.COM','rel':'self','href':"
    "'http://127.0.0.1:%1$d/com/domain/EXAMPLE.COM','type':"
    "'application/rdap+json'},{'value':"
    "'http://127.0.0.1:%1$d/com/domain/EXAMPLE.COM','rel':'related',"
    "'href':'http://localhost:%1$d/reg/domain/EXAMPLE.COM','type':"
    "'application/rdap+json'}],'status':['client delete prohibited',"
    "'client transfer prohibited'],'entities':[{'objectClassName':"
    "'entity','handle':'9999','roles':['registrar'],'publicIds':[{'type':"
    "'IANA Registrar ID','identifier':'9999'}],'vcardArray':['vcard',"
    "[['version',{},'text','4.0'],['fn',{},'text',"
    "'Example Registrar, Inc.']]],'entities':[{'objectClassName':"
    "'entity','roles':['abuse'],'vcardArray':['vcard',[['version',{},"
    "'text','4.0'],['fn',{},'text',''],['tel',{'type':'voice'},'uri',"
    "'tel:+1.5555551234'],['email',{},'text',"
    "'abuse@registry-view.test']]]}]}],'events':[{'eventAction':"
    "'registration','eventDate':'1995-08-14T04:00:00Z'},{'eventAction':"
    "'expiration','eventDate':'2025-08-13T04:00:00Z'},{'eventAction':"
    "'last changed','eventDate':'2024-08-14T07:01:34Z'},{'eventAction':"
    "'last update of RDAP database','eventDate':'2024-11-01T10:00:00Z'}],"
    "'secureDNS':{'delegationSigned':true},'nameservers':[{"
    "'objectClassName':'nameserver','ldhName':'A.IANA-SERVERS.NET'},{"
    "'objectClassName':'nameserver','ldhName':'B.IANA-SERVERS.NET'}],"
    "'rdapConformance':['rdap_level_0',"
    "'icann_rdap_technical_implementation_guide_0',"
    "'icann_rdap_response_profile_0'],'notices':[{'title':"
    "'Terms of Use','description':['Service subject to Terms of Use.'],"
    "'links':[{'href':'https://www.verisign.com/domain-names/"
    "registration-data-access-protocol/terms-service/index.xhtml','type':"
    "'text/html'}]}]}";

static const char REG_DOMAIN[] =
    "{'objectClassName':'domain','ldhName':'example.com','links':[{"
    "'rel':'self','href':'http://localhost:%1$d/reg/domain/example.com',"
    "'type':'application/rdap+json'}],'entities':[{'objectClassName':"
    "'entity','roles':['registrar'],'vcardArray':['vcard',[['version',"
    "{},'text','4.0'],['fn',{},'text','Example Registrar, Inc.']]],"
    "'entities':[{'objectClassName':'entity','roles':['abuse'],"
    "'vcardArray':['vcard',[['version',{},'text','4.0'],['fn',{},'text',"
    "'Abuse desk'],['email',{},'text','abuse@registrar.test']]]}]},{"
    "'objectClassName':'entity','roles':['registrant'],'vcardArray':["
    "'vcard',[['version',{},'text','4.0'],['fn',{},'text',"
    "'REDACTED FOR PRIVACY'],['org',{},'text',"
    "'Internet Assigned Numbers Authority'],['adr',{},'text',['','','',"
    "'','CA','','US']]]]}],'events':[{'eventAction':'registration',"
    "'eventDate':'1995-08-14T04:00:00Z'},{'eventAction':"
    "'registrar expiration','eventDate':'2025-08-13T04:00:00Z'}],"
    "'nameservers':[{'objectClassName':'nameserver','ldhName':"
    "'a.iana-servers.net'}],'rdapConformance':['rdap_level_0']}";

static const char SMALL_DOMAIN[] =
    "{'objectClassName':'domain','ldhName':'%s','entities':[{"
    "'objectClassName':'entity','roles':['registrar'],'vcardArray':["
    "'vcard',[['version',{},'text','4.0'],['fn',{},'text','%s']]]}]}";

/* An ARIN network: cidr0, origin AS, the organisation as registrant
 * with its abuse contact nested, a country only in the address. */
static const char ARIN_NET[] =
    "{'rdapConformance':['nro_rdap_profile_0','rdap_level_0','cidr0',"
    "'arin_originas0'],'handle':'NET-192-0-2-0-1','startAddress':"
    "'192.0.2.0','endAddress':'192.0.2.255','ipVersion':'v4','name':"
    "'TEST-NET-1','type':'DIRECT ALLOCATION','parentHandle':"
    "'NET-192-0-0-0-0','entities':[{'handle':'EXO-1','vcardArray':["
    "'vcard',[['version',{},'text','4.0'],['fn',{},'text','Example Org'],"
    "['adr',{'label':'1 Example Way\\nReston\\nVA\\n20190\\nUnited States',"
    "'cc':'US'},'text',['','','','','','','']],['kind',{},'text','org']]],"
    "'roles':['registrant'],'entities':[{'handle':'ABUSE-ARIN',"
    "'vcardArray':['vcard',[['version',{},'text','4.0'],['fn',{},'text',"
    "'Abuse'],['org',{},'text','Abuse'],['kind',{},'text','group'],"
    "['email',{},'text','abuse@example.org']]],'roles':['abuse'],"
    "'objectClassName':'entity'}],'objectClassName':'entity'}],"
    "'port43':'whois.arin.net','status':['active'],'objectClassName':"
    "'ip network','cidr0_cidrs':[{'v4prefix':'192.0.2.0','length':24}],"
    "'arin_originas0_originautnums':[64496]}";

/* A RIPE network without cidr0: the range is converted. */
static const char RIPE_NET[] =
    "{'objectClassName':'ip network','handle':'%s - %s','startAddress':"
    "'%s','endAddress':'%s','ipVersion':'%s','name':'EXAMPLE-NET',"
    "'type':'ASSIGNED PA','country':'NL','entities':[{'handle':"
    "'ORG-EX1-RIPE','vcardArray':['vcard',[['version',{},'text','4.0'],"
    "['fn',{},'text','Example B.V.'],['kind',{},'text','org']]],'roles':"
    "['registrant'],'objectClassName':'entity'},{'handle':'AR1-RIPE',"
    "'vcardArray':['vcard',[['version',{},'text','4.0'],['fn',{},'text',"
    "'Abuse-C Role'],['email',{'type':'abuse'},'text',"
    "'abuse@example.nl']]],'roles':['abuse'],'objectClassName':"
    "'entity'}],'rdapConformance':['rdap_level_0','nro_rdap_profile_0']}";

static const char NOT_FOUND[] =
    "{\"errorCode\":404,\"title\":\"Not Found\",\"description\":["
    "\"The domain you are looking for was not found.\"],"
    "\"rdapConformance\":[\"rdap_level_0\"]}";

/* A RIPE answer for the range 'a'-'b'. */
static void
reply_ripe(int fd, const char *a, const char *b, const char *v)
{
	char	*s = g_strdup_printf(RIPE_NET, a, b, a, b, v);

	g_strdelimit(s, "'", '"');
	httpd_reply(fd, 200, NULL, "application/rdap+json", s);
	g_free(s);
}

/* A small domain object for 'name' from 'registrar'. */
static void
reply_small(int fd, const char *name, const char *registrar)
{
	char	*s = g_strdup_printf(SMALL_DOMAIN, name, registrar);

	g_strdelimit(s, "'", '"');
	httpd_reply(fd, 200, NULL, "application/rdap+json", s);
	g_free(s);
}

/* A domain whose abuse contact sits 'depth' entities down, with a
 * "related" link that is not HTTP (ignored). */
static void
reply_deep(int fd, int depth)
{
	GString	*s = g_string_new(NULL);
	int	 i;

	g_string_append_printf(s, "{\"objectClassName\":\"domain\","
	    "\"ldhName\":\"deep%d.com\",\"links\":[{\"rel\":\"related\","
	    "\"type\":\"application/rdap+json\",\"href\":"
	    "\"ftp://localhost/domain/deep.com\"}],\"entities\":[", depth);
	for (i = 1; i < depth; i++)
		g_string_append(s, "{\"roles\":[\"technical\"],"
		    "\"entities\":[");
	g_string_append(s, "{\"roles\":[\"abuse\"],\"vcardArray\":["
	    "\"vcard\",[[\"version\",{},\"text\",\"4.0\"],[\"email\",{},"
	    "\"text\",\"deep@abuse.test\"]]]}");
	for (i = 1; i < depth; i++)
		g_string_append(s, "]}");
	g_string_append(s, "]}");
	httpd_reply(fd, 200, NULL, "application/rdap+json", s->str);
	g_string_free(s, TRUE);
}

/* A domain with a 300 KiB notice: raw is capped, the fields are not
 * lost. */
static void
reply_big(int fd)
{
	GString	*s = g_string_new("{\"objectClassName\":\"domain\","
	    "\"ldhName\":\"big.com\",\"notices\":[{\"description\":[\"");

	while (s->len < 300 * 1024)
		g_string_append(s, "xxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxx");
	g_string_append(s, "\"]}],\"nameservers\":[{\"ldhName\":"
	    "\"NS.BIG.COM\"}]}");
	httpd_reply(fd, 200, NULL, "application/rdap+json", s->str);
	g_string_free(s, TRUE);
}

/* Answer one request the way the registries' RDAP services do. */
static void
rdap_serve(const struct httpd_req *req, int fd)
{
	const char	*p = req->path;
	const char	*type = "application/rdap+json";
	char		*s;

	if (strstr(req->raw, "\r\nAccept: application/rdap+json\r\n") ==
	    NULL) {
		httpd_reply(fd, 406, NULL, NULL, "{}");
		return;
	}
	if (strcmp(p, "/com/domain/example.com") == 0 ||
	    strcmp(p, "/com/domain/flaky-registrar.com") == 0) {
		s = json_q(VRSN_DOMAIN);
		if (strstr(p, "flaky") != NULL) {
			/* the same registry answer; the registrar fails */
			char	**v = g_strsplit(s, "EXAMPLE.COM", -1);

			g_free(s);
			s = g_strjoinv("flaky-registrar.com", v);
			g_strfreev(v);
		}
		httpd_reply(fd, 200, NULL, type, s);
		g_free(s);
	} else if (strcmp(p, "/reg/domain/EXAMPLE.COM") == 0) {
		s = json_q(REG_DOMAIN);
		httpd_reply(fd, 200, NULL, type, s);
		g_free(s);
	} else if (strcmp(p, "/reg/domain/flaky-registrar.com") == 0)
		httpd_reply(fd, 503, NULL, NULL, "{}");
	else if (strcmp(p, "/com/domain/slow.com") == 0)
		httpd_stall(1500);
	else if (strcmp(p, "/com/domain/garbage.com") == 0)
		httpd_reply(fd, 200, NULL, type, "{\"objectClassName\":");
	else if (strcmp(p, "/com/domain/html.com") == 0)
		httpd_reply(fd, 200, NULL, "text/html", "<!DOCTYPE html>"
		    "<html><body>Service Unavailable</body></html>");
	else if (strcmp(p, "/com/domain/other.com") == 0)
		httpd_reply(fd, 200, NULL, type, "{\"objectClassName\":"
		    "\"entity\",\"handle\":\"X\"}");
	else if (strcmp(p, "/com/domain/busy.com") == 0)
		httpd_reply(fd, 429, "Retry-After: 30\r\n", type, "{}");
	else if (strcmp(p, "/com/domain/wait.com") == 0) {
		if (g_atomic_int_add(&hits_wait, 1) == 0)
			httpd_reply(fd, 429, "Retry-After: 1\r\n", type, "{}");
		else
			reply_small(fd, "wait.com", "Patient Registrar");
	} else if (strcmp(p, "/com/domain/bad.com") == 0)
		httpd_reply(fd, 400, NULL, type, "{\"errorCode\":400,"
		    "\"title\":\"Bad Request\",\"description\":["
		    "\"Unsupported query.\"]}");
	else if (strcmp(p, "/com/domain/deep4.com") == 0)
		reply_deep(fd, 4);
	else if (strcmp(p, "/com/domain/deep5.com") == 0)
		reply_deep(fd, 5);
	else if (strcmp(p, "/com/domain/big.com") == 0)
		reply_big(fd);
	else if (strcmp(p, "/tld/domain/b.test") == 0)
		reply_small(fd, "b.test", "TLD Registry");
	else if (strcmp(p, "/sub/domain/a.sub.test") == 0)
		reply_small(fd, "a.sub.test", "SUB Registry");
	else if (strcmp(p, "/arin/ip/192.0.2.1") == 0) {
		s = json_q(ARIN_NET);
		httpd_reply(fd, 200, NULL, type, s);
		g_free(s);
	} else if (strcmp(p, "/ripe/ip/192.0.2.200") == 0)
		reply_ripe(fd, "192.0.2.128", "192.0.2.255", "v4");
	else if (strcmp(p, "/ripe/ip/198.18.0.5") == 0)
		reply_ripe(fd, "198.18.0.0", "198.18.1.10", "v4");
	else if (strcmp(p, "/ripe/ip/2001:db8::1") == 0)
		reply_ripe(fd, "2001:db8::",
		    "2001:db8:ffff:ffff:ffff:ffff:ffff:ffff", "v6");
	else
		httpd_reply(fd, 404, NULL, type, NOT_FOUND);
}

/* Write 'dir'/'name' from 'fmt' (json_q). */
static void
write_boot(const char *dir, const char *name, const char *fmt)
{
	char	*path = g_build_filename(dir, name, NULL);
	char	*s = json_q(fmt);

	assert_true(g_file_set_contents(path, s, -1, NULL));
	g_free(s);
	g_free(path);
}

/* Remove a bootstrap directory written by the test. */
static void
rm_boot(const char *dir)
{
	static const char *const names[] = { "dns.json", "ipv4.json",
	    "ipv6.json", "asn.json" };
	char	*path;
	size_t	 i;

	for (i = 0; i < G_N_ELEMENTS(names); i++) {
		path = g_build_filename(dir, names[i], NULL);
		unlink(path);
		g_free(path);
	}
	rmdir(dir);
}

/* The test bootstrap: RFC 9224 files pointing at the stand-in. */
static void
make_boot(void)
{
	boot_dir = g_build_filename(tmpdir, "boot", NULL);
	assert_int_equal(g_mkdir(boot_dir, 0700), 0);
	write_boot(boot_dir, "dns.json", "{'version':'1.0','publication':"
	    "'2024-11-01T00:00:00Z','description':'test','services':["
	    "[['com'],['http://127.0.0.1:%1$d/com/']],"
	    "[['test'],['http://127.0.0.1:%1$d/tld/']],"
	    "[['sub.test'],['http://127.0.0.1:%1$d/sub']]]}");
	write_boot(boot_dir, "ipv4.json", "{'version':'1.0','publication':"
	    "'2024-11-01T00:00:00Z','services':["
	    "[['192.0.2.0/24'],['http://127.0.0.1:%1$d/arin/']],"
	    "[['192.0.2.128/25','198.18.0.0/15'],"
	    "['http://127.0.0.1:%1$d/ripe/']]]}");
	write_boot(boot_dir, "ipv6.json", "{'version':'1.0','publication':"
	    "'2024-11-01T00:00:00Z','services':["
	    "[['2001:db8::/32'],['http://127.0.0.1:%1$d/ripe/']]]}");
	write_boot(boot_dir, "asn.json", "{'version':'1.0','publication':"
	    "'2024-11-01T00:00:00Z','services':["
	    "[['64496-64511'],['http://127.0.0.1:%1$d/arin/']]]}");
}

/* An asset "w" using the test bootstrap, with port 43 at the local
 * IANA stand-in for what the bootstrap does not cover. */
static struct config *
load_rdap(int timeout_ms, const char *extra)
{
	struct config	*cf;
	char		*text;

	text = g_strdup_printf("[asset w]\napp=whois\nserver=127.0.0.1:%d\n"
	    "rdap_bootstrap=%s\ntimeout_ms=%d\n%s", srv[R_IANA].port,
	    boot_dir, timeout_ms, extra ? extra : "");
	cf = load(text, MS_OK);
	g_free(text);
	return cf;
}

/* The registry's answer, then the registrar's through the "related"
 * link: registry dates and name servers, the registrar's registrant and
 * abuse contact. */
static void
rdap_domain(void **state)
{
	struct config	*cf = load_rdap(3000, NULL);
	json_t		*res, *d, *ns, *sv, *sum;
	char		*last;

	(void)state;
	res = run(cf, "whois domain", "domain", "Example.COM", NULL, NULL);
	expect_status(res, "success");
	d = data0(res);
	assert_string_equal(jstr(d, "protocol"), "rdap");
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
	assert_string_equal(json_string_value(json_array_get(ns, 1)),
	    "b.iana-servers.net");
	sv = json_object_get(d, "servers");
	assert_int_equal(json_array_size(sv), 2);
	assert_non_null(strstr(json_string_value(json_array_get(sv, 0)),
	    "127.0.0.1"));
	assert_non_null(strstr(json_string_value(json_array_get(sv, 0)),
	    "/com/domain/example.com"));
	assert_non_null(strstr(json_string_value(json_array_get(sv, 1)),
	    "localhost"));
	/* Both answers, one JSON text per line. */
	assert_non_null(strstr(jstr(d, "raw"), "2336799_DOMAIN_COM-VRSN"));
	assert_non_null(strstr(jstr(d, "raw"), "\n{"));
	assert_non_null(strstr(jstr(d, "raw"), "REDACTED FOR PRIVACY"));
	sum = json_object_get(res, "summary");
	assert_string_equal(jstr(sum, "registrar"), "Example Registrar, Inc.");
	assert_string_equal(jstr(sum, "country"), "US");
	assert_true(json_integer_value(json_object_get(sum, "age_days")) >
	    10000);
	json_decref(res);
	last = httpd_last();
	assert_non_null(strstr(last, "GET /reg/domain/EXAMPLE.COM "));
	g_free(last);
	config_free(cf);
}

/* A registrar that fails costs its data only: the registry's stays. */
static void
rdap_registrar_down(void **state)
{
	struct config	*cf = load_rdap(3000, NULL);
	json_t		*res, *d;

	(void)state;
	res = run(cf, "whois domain", "domain", "flaky-registrar.com", NULL,
	    NULL);
	expect_status(res, "success");
	d = data0(res);
	assert_string_equal(jstr(d, "registrar"), "Example Registrar, Inc.");
	assert_string_equal(jstr(d, "abuse_email"),
	    "abuse@registry-view.test");
	assert_null(json_object_get(d, "registrant_organization"));
	assert_int_equal(json_array_size(json_object_get(d, "servers")), 2);
	assert_non_null(strstr(jstr(res, "message"), "registrar: "));
	assert_non_null(strstr(jstr(res, "message"), "HTTP 503"));
	json_decref(res);
	config_free(cf);
}

/* A 404 with an RFC 9083 error object is "not found", a success. */
static void
rdap_not_found(void **state)
{
	struct config	*cf = load_rdap(3000, NULL);
	json_t		*res;

	(void)state;
	res = run(cf, "whois domain", "domain", "nosuch.com", NULL, NULL);
	expect_status(res, "success");
	assert_non_null(strstr(jstr(res, "message"), "not found"));
	assert_int_equal(json_array_size(json_object_get(res, "data")), 0);
	json_decref(res);
	res = run(cf, "whois ip", "ip", "192.0.2.7", NULL, NULL);
	expect_status(res, "success");
	assert_non_null(strstr(jstr(res, "message"), "not found"));
	json_decref(res);
	config_free(cf);
}

/* Failures: a server that does not answer in time (transient), JSON
 * cut short, HTML, a JSON object that is not a domain, a 400 with its
 * error object (not retried), a 429 whose Retry-After exceeds the
 * budget (transient) and one that fits (waited out once). */
static void
rdap_failures(void **state)
{
	struct config	*cf = load_rdap(500, NULL);
	json_t		*res;
	gint64		 ms;
	int		 tr;

	(void)state;
	res = run(cf, "whois domain", "domain", "slow.com", &tr, &ms);
	expect_status(res, "failed");
	assert_true(tr);
	assert_true(ms >= 400 && ms < 1400);
	json_decref(res);
	config_free(cf);

	cf = load_rdap(3000, NULL);
	res = run(cf, "whois domain", "domain", "garbage.com", &tr, NULL);
	expect_status(res, "failed");
	assert_false(tr);
	assert_non_null(strstr(jstr(res, "message"), "malformed JSON"));
	json_decref(res);
	res = run(cf, "whois domain", "domain", "html.com", &tr, NULL);
	expect_status(res, "failed");
	assert_false(tr);
	assert_non_null(strstr(jstr(res, "message"), "malformed JSON"));
	json_decref(res);
	res = run(cf, "whois domain", "domain", "other.com", &tr, NULL);
	expect_status(res, "failed");
	assert_false(tr);
	assert_non_null(strstr(jstr(res, "message"), "not an RDAP domain"));
	json_decref(res);
	res = run(cf, "whois domain", "domain", "bad.com", &tr, NULL);
	expect_status(res, "failed");
	assert_false(tr);
	assert_non_null(strstr(jstr(res, "message"),
	    "HTTP 400: Bad Request: Unsupported query."));
	json_decref(res);
	res = run(cf, "whois domain", "domain", "busy.com", &tr, &ms);
	expect_status(res, "failed");
	assert_true(tr);
	assert_true(ms < 1000);
	assert_non_null(strstr(jstr(res, "message"), "retry after 30 s"));
	json_decref(res);
	res = run(cf, "whois domain", "domain", "wait.com", &tr, &ms);
	expect_status(res, "success");
	assert_true(ms >= 900);
	assert_string_equal(jstr(data0(res), "registrar"),
	    "Patient Registrar");
	json_decref(res);
	config_free(cf);
}

/* A closed port: a refused connection is transient. */
static void
rdap_refused(void **state)
{
	struct config	*cf;
	json_t		*res;
	char		*dir, *text;
	int		 fd, p, tr;

	(void)state;
	fd = listen_local(&p);
	close(fd);
	dir = g_build_filename(tmpdir, "boot-closed", NULL);
	assert_int_equal(g_mkdir(dir, 0700), 0);
	text = g_strdup_printf("{'version':'1.0','services':[[['com'],"
	    "['http://127.0.0.1:%d/']]]}", p);
	write_boot(dir, "dns.json", text);
	g_free(text);
	write_boot(dir, "ipv4.json", "{'version':'1.0','services':[]}");
	write_boot(dir, "ipv6.json", "{'version':'1.0','services':[]}");
	write_boot(dir, "asn.json", "{'version':'1.0','services':[]}");
	text = g_strdup_printf("[asset w]\napp=whois\nrdap_bootstrap=%s\n",
	    dir);
	cf = load(text, MS_OK);
	g_free(text);
	res = run(cf, "whois domain", "domain", "example.com", &tr, NULL);
	expect_status(res, "failed");
	assert_true(tr);
	json_decref(res);
	config_free(cf);
	rm_boot(dir);
	g_free(dir);
}

/* The bootstrap: the longest label suffix, the longest prefix, port 43
 * for what it does not cover, rdap=only and rdap=off. */
static void
rdap_bootstrap_choice(void **state)
{
	struct config	*cf = load_rdap(3000, NULL);
	json_t		*res, *d;
	int		 tr;

	(void)state;
	res = run(cf, "whois domain", "domain", "b.test.", NULL, NULL);
	expect_status(res, "success");
	assert_string_equal(jstr(data0(res), "registrar"), "TLD Registry");
	json_decref(res);
	res = run(cf, "whois domain", "domain", "a.sub.test", NULL, NULL);
	expect_status(res, "success");
	d = data0(res);
	assert_string_equal(jstr(d, "registrar"), "SUB Registry");
	assert_non_null(strstr(json_string_value(json_array_get(
	    json_object_get(d, "servers"), 0)), "/sub/domain/a.sub.test"));
	json_decref(res);
	/* 198.51.100.0/24 is not in the bootstrap: port 43. */
	res = run(cf, "whois ip", "ip", "198.51.100.7", NULL, NULL);
	expect_status(res, "success");
	d = data0(res);
	assert_string_equal(jstr(d, "protocol"), "whois");
	assert_string_equal(jstr(d, "network_name"), "TEST-NET-2");
	json_decref(res);
	config_free(cf);

	cf = load_rdap(3000, "rdap=only\n");
	res = run(cf, "whois ip", "ip", "198.51.100.7", &tr, NULL);
	expect_status(res, "failed");
	assert_false(tr);
	assert_non_null(strstr(jstr(res, "message"), "rdap=only"));
	json_decref(res);
	config_free(cf);

	/* rdap=off: port 43 even for a TLD with an RDAP service. */
	cf = load_rdap(3000, "rdap=off\n");
	res = run(cf, "whois domain", "domain", "example.com", NULL, NULL);
	expect_status(res, "success");
	d = data0(res);
	assert_string_equal(jstr(d, "protocol"), "whois");
	assert_int_equal(json_array_size(json_object_get(d, "servers")), 3);
	assert_string_equal(jstr(d, "registrant_country"), "US");
	json_decref(res);
	config_free(cf);
}

/* IP networks: ARIN's cidr0 and origin AS, RIPE's ranges converted to
 * a prefix when they are one, IPv6. */
static void
rdap_ip(void **state)
{
	struct config	*cf = load_rdap(3000, NULL);
	json_t		*res, *d, *sum;

	(void)state;
	res = run(cf, "whois ip", "ip", "192.0.2.1", NULL, NULL);
	expect_status(res, "success");
	d = data0(res);
	assert_string_equal(jstr(d, "protocol"), "rdap");
	assert_string_equal(jstr(d, "network_name"), "TEST-NET-1");
	assert_string_equal(jstr(d, "cidr"), "192.0.2.0/24");
	assert_string_equal(jstr(d, "asn"), "AS64496");
	assert_string_equal(jstr(d, "organization"), "Example Org");
	assert_string_equal(jstr(d, "country"), "US");
	assert_string_equal(jstr(d, "abuse_email"), "abuse@example.org");
	sum = json_object_get(res, "summary");
	assert_string_equal(jstr(sum, "organization"), "Example Org");
	assert_string_equal(jstr(sum, "country"), "US");
	json_decref(res);

	/* 192.0.2.128/25 is more specific than ARIN's /24. */
	res = run(cf, "whois ip", "ip", "192.0.2.200", NULL, NULL);
	expect_status(res, "success");
	d = data0(res);
	assert_string_equal(jstr(d, "cidr"), "192.0.2.128/25");
	assert_string_equal(jstr(d, "country"), "NL");
	assert_string_equal(jstr(d, "organization"), "Example B.V.");
	assert_string_equal(jstr(d, "abuse_email"), "abuse@example.nl");
	assert_null(json_object_get(d, "asn"));
	json_decref(res);

	res = run(cf, "whois ip", "ip", "198.18.0.5", NULL, NULL);
	expect_status(res, "success");
	assert_string_equal(jstr(data0(res), "cidr"),
	    "198.18.0.0 - 198.18.1.10");
	json_decref(res);

	res = run(cf, "whois ip", "ip", "2001:db8::1", NULL, NULL);
	expect_status(res, "success");
	assert_string_equal(jstr(data0(res), "cidr"), "2001:db8::/32");
	json_decref(res);
	config_free(cf);
}

/* The asset's buckets cover RDAP hosts too. */
static void
rdap_rate_limit(void **state)
{
	struct config	*cf = load_rdap(200, NULL);
	json_t		*res;
	int		 i, tr, limited = 0;

	(void)state;
	for (i = 0; i < 16; i++) {
		res = run(cf, "whois domain", "domain", "b.test", &tr, NULL);
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

/* Bad settings and bad bootstrap files fail the asset's loading. */
static void
rdap_bad_config(void **state)
{
	struct config	*cf;
	char		*dir, *text;

	(void)state;
	cf = load("[asset w]\napp=whois\nrdap=maybe\n", MS_EINVAL);
	config_free(cf);
	cf = load("[asset w]\napp=whois\nrdap_bootstrap=/nonexistent\n",
	    MS_EINVAL);
	config_free(cf);
	/* rdap=off does not read the bootstrap at all. */
	cf = load("[asset w]\napp=whois\nrdap=off\n"
	    "rdap_bootstrap=/nonexistent\n", MS_OK);
	config_free(cf);

	dir = g_build_filename(tmpdir, "boot-bad", NULL);
	assert_int_equal(g_mkdir(dir, 0700), 0);
	write_boot(dir, "ipv4.json", "{'version':'1.0','services':[]}");
	write_boot(dir, "ipv6.json", "{'version':'1.0','services':[]}");
	write_boot(dir, "asn.json", "{'version':'1.0','services':[]}");
	text = g_strdup_printf("[asset w]\napp=whois\nrdap_bootstrap=%s\n",
	    dir);
	write_boot(dir, "dns.json", "<html>not json</html>");
	cf = load(text, MS_EINVAL);
	config_free(cf);
	write_boot(dir, "dns.json", "{'version':'1.0','services':[[['com'],"
	    "['ftp://example.test/']]]}");
	cf = load(text, MS_EINVAL);
	config_free(cf);
	write_boot(dir, "dns.json", "{'version':'1.0','services':[]}");
	write_boot(dir, "ipv4.json", "{'version':'1.0','services':[[["
	    "'10.0.0.0/33'],['https://x.test/']]]}");
	cf = load(text, MS_EINVAL);
	config_free(cf);
	write_boot(dir, "ipv4.json", "{'version':'1.0','services':[]}");
	cf = load(text, MS_OK);
	config_free(cf);
	g_free(text);
	rm_boot(dir);
	g_free(dir);
}

/* Limits: entities nested RDAP_MAX_DEPTH deep are read, one more are
 * not; raw stops at RDAP_MAX_RAW bytes. */
static void
rdap_limits(void **state)
{
	struct config	*cf = load_rdap(3000, NULL);
	json_t		*res, *d;

	(void)state;
	res = run(cf, "whois domain", "domain", "deep4.com", NULL, NULL);
	expect_status(res, "success");
	d = data0(res);
	assert_string_equal(jstr(d, "abuse_email"), "deep@abuse.test");
	/* The ftp:// related link is not followed. */
	assert_int_equal(json_array_size(json_object_get(d, "servers")), 1);
	json_decref(res);
	res = run(cf, "whois domain", "domain", "deep5.com", NULL, NULL);
	expect_status(res, "success");
	assert_null(json_object_get(data0(res), "abuse_email"));
	json_decref(res);
	res = run(cf, "whois domain", "domain", "big.com", NULL, NULL);
	expect_status(res, "success");
	d = data0(res);
	assert_int_equal(strlen(jstr(d, "raw")), RDAP_MAX_RAW);
	assert_string_equal(json_string_value(json_array_get(
	    json_object_get(d, "name_servers"), 0)), "ns.big.com");
	json_decref(res);
	config_free(cf);
}

/* A bootstrap file of RDAP_MAX_BOOTSTRAP bytes loads; one byte more
 * does not. */
static void
rdap_boot_size(void **state)
{
	struct rdap_boot	*b = NULL;
	char			*dir, *path, *text, err[512];
	const char		*json = "{\"version\":\"1.0\",\"services\":[]}";

	(void)state;
	dir = g_build_filename(tmpdir, "boot-size", NULL);
	assert_int_equal(g_mkdir(dir, 0700), 0);
	write_boot(dir, "ipv4.json", "{'version':'1.0','services':[]}");
	write_boot(dir, "ipv6.json", "{'version':'1.0','services':[]}");
	write_boot(dir, "asn.json", "{'version':'1.0','services':[]}");
	path = g_build_filename(dir, "dns.json", NULL);
	text = g_malloc(RDAP_MAX_BOOTSTRAP + 2);
	memset(text, ' ', RDAP_MAX_BOOTSTRAP + 1);
	memcpy(text, json, strlen(json));
	text[RDAP_MAX_BOOTSTRAP + 1] = '\0';
	assert_true(g_file_set_contents(path, text, RDAP_MAX_BOOTSTRAP,
	    NULL));
	if (rdap_boot_load(dir, &b, err, sizeof(err)) != MS_OK)
		fail_msg("%s", err);
	rdap_boot_free(b);
	assert_true(g_file_set_contents(path, text, RDAP_MAX_BOOTSTRAP + 1,
	    NULL));
	assert_int_equal(rdap_boot_load(dir, &b, err, sizeof(err)),
	    MS_EINVAL);
	assert_null(b);
	assert_non_null(strstr(err, "larger than"));
	g_free(text);
	g_free(path);
	rm_boot(dir);
	g_free(dir);
}

/* The shipped snapshot parses and maps what it says it maps. */
static void
rdap_shipped(void **state)
{
	struct rdap_boot	*b = NULL;
	char			*dir, err[512];

	(void)state;
	dir = rdap_boot_default_dir();
	assert_string_equal(dir, MS_SRCDIR "/data/rdap");
	if (rdap_boot_load(dir, &b, err, sizeof(err)) != MS_OK)
		fail_msg("%s", err);
	assert_string_equal(rdap_boot_domain(b, "example.com"),
	    "https://rdap.verisign.com/com/v1/");
	assert_string_equal(rdap_boot_domain(b, "WWW.Example.NET."),
	    "https://rdap.verisign.com/net/v1/");
	assert_string_equal(rdap_boot_domain(b, "wikipedia.org"),
	    "https://rdap.publicinterestregistry.org/rdap/");
	assert_string_equal(rdap_boot_domain(b, "bbc.co.uk"),
	    "https://rdap.nominet.uk/uk/");
	assert_null(rdap_boot_domain(b, "example.invalid"));
	assert_null(rdap_boot_domain(b, "com.invalid"));
	/* https is preferred to ARIN's http URL listed next to it. */
	assert_string_equal(rdap_boot_ip(b, "8.8.8.8"),
	    "https://rdap.arin.net/registry/");
	assert_string_equal(rdap_boot_ip(b, "193.0.0.1"),
	    "https://rdap.db.ripe.net/");
	assert_string_equal(rdap_boot_ip(b, "1.1.1.1"),
	    "https://rdap.apnic.net/");
	assert_string_equal(rdap_boot_ip(b, "200.1.2.3"),
	    "https://rdap.lacnic.net/rdap/");
	assert_string_equal(rdap_boot_ip(b, "41.1.2.3"),
	    "https://rdap.afrinic.net/rdap/");
	assert_string_equal(rdap_boot_ip(b, "2001:4860:4860::8888"),
	    "https://rdap.arin.net/registry/");
	assert_string_equal(rdap_boot_ip(b, "2a00:1450:4001::1"),
	    "https://rdap.db.ripe.net/");
	assert_null(rdap_boot_ip(b, "10.1.2.3"));
	assert_null(rdap_boot_ip(b, "127.0.0.1"));
	assert_null(rdap_boot_ip(b, "not-an-ip"));
	assert_string_equal(rdap_boot_asn(b, 3333),
	    "https://rdap.db.ripe.net/");
	assert_string_equal(rdap_boot_asn(b, 1),
	    "https://rdap.arin.net/registry/");
	assert_null(rdap_boot_asn(b, 4200000000u));
	rdap_boot_free(b);
	rdap_boot_free(NULL);
	g_free(dir);
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
	rdap_port = httpd_start(rdap_serve);
	make_boot();
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
	httpd_stop();
	rm_boot(boot_dir);
	g_free(boot_dir);
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
		cmocka_unit_test(rdap_domain),
		cmocka_unit_test(rdap_registrar_down),
		cmocka_unit_test(rdap_not_found),
		cmocka_unit_test(rdap_failures),
		cmocka_unit_test(rdap_refused),
		cmocka_unit_test(rdap_bootstrap_choice),
		cmocka_unit_test(rdap_ip),
		cmocka_unit_test(rdap_rate_limit),
		cmocka_unit_test(rdap_bad_config),
		cmocka_unit_test(rdap_limits),
		cmocka_unit_test(rdap_boot_size),
		cmocka_unit_test(rdap_shipped),
	};

	return cmocka_run_group_tests(tests, setup, teardown);
}
