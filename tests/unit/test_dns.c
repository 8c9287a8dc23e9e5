/* SPDX-License-Identifier: Apache-2.0 */
/*
 * test_dns.c -- the dns app against a real resolver: unbound, started
 * here on 127.0.0.1 and a free port, serving a test zone from local-data
 * (A, AAAA, MX, NS, TXT, PTR) and nothing else (no network needed).
 * Also NXDOMAIN, empty answers, bad input, a closed port and a silent
 * server (a UDP socket that never answers), which must fail as
 * transient within the time budget.  Without unbound the tests fail.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <signal.h>
#include <unistd.h>
#include <netinet/in.h>
#include <sys/prctl.h>
#include <sys/socket.h>
#include <sys/wait.h>
#include <arpa/inet.h>

#include <cmocka.h>
#include <glib.h>
#include <jansson.h>

#include "apps/apps.h"
#include "engine/action.h"
#include "engine/config.h"

#define UNBOUND		"/usr/sbin/unbound"
#define ZONE		"mailsoar.test"

static char	*tmpdir;
static GPid	 unbound_pid;
static int	 port;
static char	 conf_path[4096];

/* Bind a socket of 'type' to 127.0.0.1:'p' (0: any); the fd or -1. */
static int
bind_local(int type, int p, int *got)
{
	struct sockaddr_in	sin;
	socklen_t		len = sizeof(sin);
	int			fd = socket(AF_INET, type, 0);

	memset(&sin, 0, sizeof(sin));
	sin.sin_family = AF_INET;
	sin.sin_port = htons((uint16_t)p);
	sin.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
	if (fd < 0 || bind(fd, (struct sockaddr *)&sin, sizeof(sin)) != 0) {
		if (fd >= 0)
			close(fd);
		return -1;
	}
	if (got != NULL) {
		getsockname(fd, (struct sockaddr *)&sin, &len);
		*got = ntohs(sin.sin_port);
	}
	return fd;
}

/* A port free for both UDP and TCP on 127.0.0.1. */
static int
free_port(void)
{
	int	p, t, u, i;

	for (i = 0; i < 50; i++) {
		t = bind_local(SOCK_STREAM, 0, &p);
		assert_true(t >= 0);
		u = bind_local(SOCK_DGRAM, p, NULL);
		close(t);
		if (u >= 0) {
			close(u);
			return p;
		}
	}
	fail_msg("no free port");
	return -1;
}

static struct config *
load(const char *text, char *err, size_t errlen, enum ms_err want)
{
	struct config	*cf = NULL;
	enum ms_err	 rc;

	assert_true(g_file_set_contents(conf_path, text, -1, NULL));
	assert_int_equal(config_load(conf_path, app_builtin, &cf, err,
	    errlen), MS_OK);
	rc = config_assets_init(cf, err, errlen);
	if (rc != want)
		fail_msg("config_assets_init: %d, want %d: %s", rc, want,
		    err);
	return cf;
}

/* An asset "dns" asking 127.0.0.1:'p' with a budget of 'timeout_ms'. */
static struct config *
load_dns(int p, int timeout_ms)
{
	char	*text, err[512];
	struct config *cf;

	text = g_strdup_printf("[asset dns]\napp=dns\nresolver=127.0.0.1:%d"
	    "\ntimeout_ms=%d\n", p, timeout_ms);
	cf = load(text, err, sizeof(err), MS_OK);
	g_free(text);
	return cf;
}

/* Run 'action' with up to two parameters; the result as JSON, and the
 * context's transient flag and run time in ms. */
static json_t *
run(struct config *cf, const char *action, const char *k1,
    const char *v1, const char *k2, const char *v2, int *transient,
    gint64 *ms)
{
	const char		*keys[2] = { k1, k2 }, *vals[2] = { v1, v2 };
	const struct asset	*as = config_asset_find(cf, "dns");
	const struct app_action	*act = action_find(&dns_app, action);
	struct action_ctx	*ctx;
	json_t			*j;
	gint64			 t0;
	char			*s, err[256];

	assert_non_null(act);
	ctx = action_ctx_new(act, as, keys, vals, k2 ? 2 : 1,
	    asset_timeout_ms(as));
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

/* The data item of 'type' and 'value', or NULL. */
static json_t *
item(json_t *res, const char *type, const char *value)
{
	json_t	*d;
	size_t	 i;

	json_array_foreach(json_object_get(res, "data"), i, d)
		if (strcmp(jstr(d, "type"), type) == 0 &&
		    strcmp(jstr(d, "value"), value) == 0)
			return d;
	return NULL;
}

static json_int_t
jint(json_t *o, const char *key)
{
	json_t	*v = json_object_get(o, key);

	assert_true(json_is_integer(v));
	return json_integer_value(v);
}

static const char unbound_conf[] =
	"server:\n"
	"  interface: 127.0.0.1\n"
	"  port: %d\n"
	"  do-ip6: no\n"
	"  do-not-query-localhost: no\n"
	"  access-control: 127.0.0.0/8 allow\n"
	"  chroot: \"\"\n"
	"  username: \"\"\n"
	"  directory: \"%s\"\n"
	"  pidfile: \"%s/unbound.pid\"\n"
	"  use-syslog: no\n"
	"  logfile: \"unbound.log\"\n"
	"  verbosity: 0\n"
	"  module-config: \"iterator\"\n"
	/* Serve local data only: never recurse to the internet. */
	"  local-zone: \".\" static\n"
	"  local-zone: \"" ZONE ".\" static\n"
	"  local-data: \"" ZONE ". 300 IN A 192.0.2.10\"\n"
	"  local-data: \"" ZONE ". 300 IN A 192.0.2.11\"\n"
	"  local-data: \"" ZONE ". 300 IN AAAA 2001:db8::25\"\n"
	"  local-data: \"" ZONE ". 600 IN MX 10 mx1." ZONE ".\"\n"
	"  local-data: \"" ZONE ". 600 IN MX 20 mx2." ZONE ".\"\n"
	"  local-data: \"" ZONE ". 3600 IN NS ns1." ZONE ".\"\n"
	"  local-data: '" ZONE ". 120 IN TXT \"v=spf1 -all\"'\n"
	"  local-data: '" ZONE ". 120 IN TXT \"part one \" \"part two\"'\n"
	"  local-data: \"mx1." ZONE ". 300 IN A 192.0.2.25\"\n"
	"  local-data: \"www." ZONE ". 300 IN CNAME " ZONE ".\"\n"
	"  local-data-ptr: \"192.0.2.10 " ZONE ".\"\n"
	"  local-data-ptr: \"2001:db8::25 mail6." ZONE ".\"\n";

/* In the child: die with the test, even when it crashes. */
static void
die_with_parent(gpointer unused)
{
	(void)unused;
	prctl(PR_SET_PDEATHSIG, SIGKILL);
}

/* Start unbound and wait until it answers (at most 15 s). */
static int
setup(void **state)
{
	char		*conf, *path, *argv[5];
	GError		*gerr = NULL;
	struct config	*cf;
	json_t		*res;
	gint64		 until;
	int		 ok = 0, st;

	(void)state;
	if (access(UNBOUND, X_OK) != 0) {
		fprintf(stderr, "test_dns: %s is missing: install the unbound "
		    "package (scripts/install-deps)\n", UNBOUND);
		return -1;
	}
	tmpdir = g_dir_make_tmp("test_dns_XXXXXX", NULL);
	snprintf(conf_path, sizeof(conf_path), "%s/mailsoar.conf", tmpdir);
	port = free_port();
	conf = g_strdup_printf(unbound_conf, port, tmpdir, tmpdir);
	path = g_build_filename(tmpdir, "unbound.conf", NULL);
	if (!g_file_set_contents(path, conf, -1, NULL))
		return -1;
	argv[0] = (char *)UNBOUND;
	argv[1] = (char *)"-d";
	argv[2] = (char *)"-c";
	argv[3] = path;
	argv[4] = NULL;
	if (!g_spawn_async(tmpdir, argv, NULL, G_SPAWN_DO_NOT_REAP_CHILD |
	    G_SPAWN_STDOUT_TO_DEV_NULL, die_with_parent, NULL, &unbound_pid,
	    &gerr)) {
		fprintf(stderr, "test_dns: %s\n", gerr->message);
		return -1;
	}
	cf = load_dns(port, 500);
	until = g_get_monotonic_time() + 15 * G_USEC_PER_SEC;
	while (!ok && g_get_monotonic_time() < until) {
		if (waitpid(unbound_pid, &st, WNOHANG) == unbound_pid) {
			fprintf(stderr, "test_dns: unbound exited (%d)\n", st);
			unbound_pid = 0;
			break;
		}
		res = run(cf, "lookup domain", "domain", ZONE, "type", "A",
		    NULL, NULL);
		ok = strcmp(jstr(res, "status"), "success") == 0;
		json_decref(res);
		if (!ok)
			g_usleep(100 * 1000);
	}
	config_free(cf);
	g_free(conf);
	g_free(path);
	return ok ? 0 : -1;
}

static int
teardown(void **state)
{
	const char	*n;
	GDir		*d;
	char		*p;

	(void)state;
	if (unbound_pid > 0) {
		kill(unbound_pid, SIGTERM);
		waitpid(unbound_pid, NULL, 0);
		g_spawn_close_pid(unbound_pid);
	}
	d = g_dir_open(tmpdir, 0, NULL);
	while (d != NULL && (n = g_dir_read_name(d)) != NULL) {
		p = g_build_filename(tmpdir, n, NULL);
		remove(p);
		g_free(p);
	}
	if (d != NULL)
		g_dir_close(d);
	remove(tmpdir);
	g_free(tmpdir);
	return 0;
}

static void
lookup_all(void **state)
{
	struct config	*cf = load_dns(port, 3000);
	json_t		*res, *sum, *d, *ips;

	(void)state;
	res = run(cf, "lookup domain", "domain", ZONE, NULL, NULL, NULL,
	    NULL);
	expect_status(res, "success");
	assert_non_null(item(res, "A", "192.0.2.10"));
	assert_non_null(item(res, "A", "192.0.2.11"));
	d = item(res, "AAAA", "2001:db8::25");
	assert_non_null(d);
	assert_int_equal(jint(d, "ttl"), 300);
	d = item(res, "MX", "mx1." ZONE);
	assert_non_null(d);
	assert_int_equal(jint(d, "priority"), 10);
	assert_int_equal(jint(d, "ttl"), 600);
	assert_int_equal(jint(item(res, "MX", "mx2." ZONE), "priority"), 20);
	assert_int_equal(jint(item(res, "NS", "ns1." ZONE), "ttl"), 3600);
	assert_non_null(item(res, "TXT", "v=spf1 -all"));
	assert_non_null(item(res, "TXT", "part one part two"));
	assert_null(json_object_get(item(res, "A", "192.0.2.10"),
	    "priority"));

	sum = json_object_get(res, "summary");
	assert_int_equal(jint(sum, "total_records"), 8);
	assert_int_equal(jint(json_object_get(sum, "counts"), "A"), 2);
	assert_int_equal(jint(json_object_get(sum, "counts"), "MX"), 2);
	assert_int_equal(jint(json_object_get(sum, "counts"), "TXT"), 2);
	ips = json_object_get(sum, "ips");
	assert_int_equal(json_array_size(ips), 3);
	assert_string_equal(jstr(res, "message"), ZONE ": 8 records");
	json_decref(res);
	config_free(cf);
}

static void
lookup_types(void **state)
{
	struct config	*cf = load_dns(port, 3000);
	json_t		*res;
	int		 tr;

	(void)state;
	res = run(cf, "lookup domain", "domain", ZONE ".", "type", "mx",
	    NULL, NULL);
	expect_status(res, "success");
	assert_int_equal(json_array_size(json_object_get(res, "data")), 2);
	json_decref(res);

	/* A CNAME in the answer is reported (unbound does not chase it
	 * through local data, so no A record follows here). */
	res = run(cf, "lookup domain", "domain", "www." ZONE, "type", "A",
	    NULL, NULL);
	expect_status(res, "success");
	assert_non_null(item(res, "CNAME", ZONE));
	assert_int_equal(jint(json_object_get(json_object_get(res,
	    "summary"), "counts"), "CNAME"), 1);
	json_decref(res);

	/* The name exists, the type does not: success, nothing. */
	res = run(cf, "lookup domain", "domain", "mx1." ZONE, "type", "MX",
	    NULL, NULL);
	expect_status(res, "success");
	assert_int_equal(json_array_size(json_object_get(res, "data")), 0);
	assert_string_equal(jstr(res, "message"), "mx1." ZONE
	    ": no records");
	json_decref(res);

	res = run(cf, "lookup domain", "domain", ZONE, "type", "SOAP", &tr,
	    NULL);
	expect_status(res, "failed");
	assert_false(tr);
	assert_non_null(strstr(jstr(res, "message"), "expected A, AAAA"));
	json_decref(res);
	config_free(cf);
}

static void
nxdomain(void **state)
{
	struct config	*cf = load_dns(port, 3000);
	json_t		*res;

	(void)state;
	res = run(cf, "lookup domain", "domain", "nope." ZONE, NULL, NULL,
	    NULL, NULL);
	expect_status(res, "success");
	assert_int_equal(json_array_size(json_object_get(res, "data")), 0);
	assert_non_null(strstr(jstr(res, "message"), "NXDOMAIN"));
	json_decref(res);
	config_free(cf);
}

static void
lookup_ip(void **state)
{
	struct config	*cf = load_dns(port, 3000);
	json_t		*res;
	int		 tr;

	(void)state;
	res = run(cf, "lookup ip", "ip", "192.0.2.10", NULL, NULL, NULL,
	    NULL);
	expect_status(res, "success");
	assert_non_null(item(res, "PTR", ZONE));
	assert_string_equal(json_string_value(json_array_get(json_object_get(
	    json_object_get(res, "summary"), "hostnames"), 0)), ZONE);
	json_decref(res);

	res = run(cf, "lookup ip", "ip", "2001:db8::25", NULL, NULL, NULL,
	    NULL);
	expect_status(res, "success");
	assert_non_null(item(res, "PTR", "mail6." ZONE));
	json_decref(res);

	res = run(cf, "lookup ip", "ip", "192.0.2.99", NULL, NULL, NULL,
	    NULL);
	expect_status(res, "success");
	assert_int_equal(json_array_size(json_object_get(res, "data")), 0);
	json_decref(res);

	res = run(cf, "lookup ip", "ip", "192.0.2", NULL, NULL, &tr, NULL);
	expect_status(res, "failed");
	assert_false(tr);
	json_decref(res);
	config_free(cf);
}

static void
bad_input(void **state)
{
	static const char *const bad[] = { "a b.example", "a..example",
	    ".example", "caf\xc3\xa9.example", "a\n.example" };
	struct config	*cf = load_dns(port, 3000);
	json_t		*res;
	size_t		 i;
	int		 tr;
	char		 err[512];

	(void)state;
	for (i = 0; i < MS_ARRAY_LEN(bad); i++) {
		res = run(cf, "lookup domain", "domain", bad[i], NULL, NULL,
		    &tr, NULL);
		expect_status(res, "failed");
		assert_false(tr);
		assert_non_null(strstr(jstr(res, "message"),
		    "is not a domain name"));
		json_decref(res);
	}
	config_free(cf);
	cf = load("[asset dns]\napp=dns\nresolver=dns.example.org\n", err,
	    sizeof(err), MS_EINVAL);
	assert_non_null(strstr(err, ":1: asset 'dns' (app dns): "
	    "resolver=dns.example.org: expected an IP address"));
	config_free(cf);
}

/* Nothing listens: ICMP says so, or the tries time out.  Either way a
 * transient failure within the budget. */
static void
closed_port(void **state)
{
	struct config	*cf = load_dns(free_port(), 1500);
	json_t		*res;
	gint64		 ms;
	int		 tr;

	(void)state;
	res = run(cf, "lookup domain", "domain", ZONE, "type", "A", &tr,
	    &ms);
	expect_status(res, "failed");
	assert_true(tr);
	assert_true(ms < 1500 + 500);
	print_message("closed port: %s (%ld ms)\n", jstr(res, "message"),
	    (long)ms);
	json_decref(res);
	config_free(cf);
}

/* A server that reads nothing and says nothing. */
static void
silent_server(void **state)
{
	struct config	*cf;
	json_t		*res;
	gint64		 ms;
	int		 fd, p, tr;

	(void)state;
	fd = bind_local(SOCK_DGRAM, 0, &p);
	assert_true(fd >= 0);
	cf = load_dns(p, 800);
	res = run(cf, "lookup domain", "domain", ZONE, NULL, NULL, &tr, &ms);
	expect_status(res, "failed");
	assert_true(tr);
	assert_non_null(strstr(jstr(res, "message"), "timed out"));
	assert_true(ms >= 700 && ms < 800 + 500);
	json_decref(res);
	config_free(cf);
	close(fd);
}

static void
asset_test(void **state)
{
	struct config		*cf = load_dns(port, 3000);
	struct app_param	 none = { NULL, NULL, 0, NULL };
	struct app_action	 t = { "test", NULL, &none, NULL,
	    dns_app.test, 0 };
	struct action_ctx	*ctx;
	int			 fd, p;

	(void)state;
	ctx = action_ctx_new(&t, config_asset(cf, 0), NULL, NULL, 0, 3000);
	action_ctx_run(ctx);
	assert_true(action_ctx_ok(ctx));
	action_ctx_free(ctx);
	config_free(cf);

	fd = bind_local(SOCK_DGRAM, 0, &p);
	cf = load_dns(p, 300);
	ctx = action_ctx_new(&t, config_asset(cf, 0), NULL, NULL, 0, 300);
	action_ctx_run(ctx);
	assert_false(action_ctx_ok(ctx));
	assert_true(action_ctx_transient(ctx));
	action_ctx_free(ctx);
	config_free(cf);
	close(fd);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(lookup_all),
		cmocka_unit_test(lookup_types),
		cmocka_unit_test(nxdomain),
		cmocka_unit_test(lookup_ip),
		cmocka_unit_test(bad_input),
		cmocka_unit_test(closed_port),
		cmocka_unit_test(silent_server),
		cmocka_unit_test(asset_test),
	};

	return cmocka_run_group_tests(tests, setup, teardown);
}
