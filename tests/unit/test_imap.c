/* SPDX-License-Identifier: Apache-2.0 */
/*
 * test_imap.c -- imap.c against a real Dovecot (shared/recipes/dovecot.md)
 * started here on free loopback ports: one instance in plain text, one
 * with TLS required (STARTTLS on the imap port, an imaps port), with a CA
 * and a server certificate for "localhost" made by openssl at test time.
 * A third instance is stopped under an idle connection.  A scripted fake
 * server (a thread) plays the hostile or unusual parts Dovecot never
 * does: garbage, endless lines, lying sizes, XOAUTH2.  Without dovecot
 * or openssl the tests fail.
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
#include <sys/stat.h>
#include <sys/wait.h>
#include <arpa/inet.h>

#include <cmocka.h>
#include <glib.h>

#include "common/limits.h"
#include "ingest/imap.h"

#define DOVECOT		"/usr/sbin/dovecot"
#define DOVEADM		"/usr/bin/doveadm"
#define PASSWORD	"Sw0rdfish-42"
#define PHISH		MS_CORPUS "/phishing_pot/"
#define TIMEOUT_MS	5000

struct dove {
	char	*dir;
	char	*conf;
	GPid	 pid;
	int	 port;		/* imap: plain, or STARTTLS */
	int	 tls_port;	/* imaps, or 0 */
};

static char		*tmpdir;
static char		*ca_file;
static struct dove	 plain, tls;

/* A TCP port free on 127.0.0.1 right now. */
static int
free_port(void)
{
	struct sockaddr_in	sin;
	socklen_t		len = sizeof(sin);
	int			fd, p;

	fd = socket(AF_INET, SOCK_STREAM, 0);
	memset(&sin, 0, sizeof(sin));
	sin.sin_family = AF_INET;
	sin.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
	if (fd < 0 || bind(fd, (struct sockaddr *)&sin, sizeof(sin)) != 0 ||
	    getsockname(fd, (struct sockaddr *)&sin, &len) != 0)
		p = -1;
	else
		p = ntohs(sin.sin_port);
	if (fd >= 0)
		close(fd);
	return p;
}

/* Whether something accepts connections on 127.0.0.1:'port'. */
static int
port_open(int port)
{
	struct sockaddr_in	sin;
	int			fd, ok;

	fd = socket(AF_INET, SOCK_STREAM, 0);
	memset(&sin, 0, sizeof(sin));
	sin.sin_family = AF_INET;
	sin.sin_port = htons((uint16_t)port);
	sin.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
	ok = connect(fd, (struct sockaddr *)&sin, sizeof(sin)) == 0;
	close(fd);
	return ok;
}

/* Run 'argv' to the end; its exit status, or -1. */
static int
run(char **argv, char **out)
{
	GError	*gerr = NULL;
	int	 st;

	if (!g_spawn_sync(tmpdir, argv, NULL, out == NULL ?
	    G_SPAWN_STDOUT_TO_DEV_NULL : 0, NULL, NULL, out, NULL, &st,
	    &gerr)) {
		fprintf(stderr, "test_imap: %s: %s\n", argv[0], gerr->message);
		g_error_free(gerr);
		return -1;
	}
	return WIFEXITED(st) ? WEXITSTATUS(st) : -1;
}

/* Run a shell script; 0 when it succeeded. */
static int
sh(const char *script)
{
	char	*argv[] = { (char *)"/bin/sh", (char *)"-ec", (char *)script,
		    NULL };

	return run(argv, NULL);
}

/* doveadm -c CONF ARGS... for 'd'; its exit status. */
static int
doveadm(struct dove *d, char **out, ...)
{
	char	*argv[16];
	va_list	 ap;
	int	 n = 0;

	argv[n++] = (char *)DOVEADM;
	argv[n++] = (char *)"-c";
	argv[n++] = d->conf;
	va_start(ap, out);
	for (argv[n] = va_arg(ap, char *); argv[n] != NULL && n < 14;
	    argv[n] = va_arg(ap, char *))
		n++;
	va_end(ap);
	argv[n] = NULL;
	return run(argv, out);
}

/* In the child: die with the test, even when it crashes. */
static void
die_with_parent(gpointer unused)
{
	(void)unused;
	prctl(PR_SET_PDEATHSIG, SIGTERM);
}

static const char dove_conf[] =
	"base_dir = %1$s/run\n"
	"state_dir = %1$s/state\n"
	"log_path = %1$s/dovecot.log\n"
	"protocols = imap\n"
	"listen = 127.0.0.1\n"
	"disable_plaintext_auth = no\n"
	"auth_mechanisms = plain login\n"
	"auth_failure_delay = 0\n"
	/* No growing auth penalty for the wrong-password tests: the auth
	 * process cannot reach anvil's penalty socket. */
	"service anvil {\n"
	"  unix_listener anvil-auth-penalty {\n"
	"    mode = 0\n"
	"  }\n"
	"}\n"
	"mailbox_idle_check_interval = 1 secs\n"
	"mail_location = maildir:%1$s/mail/%%u\n"
	"default_internal_user = dovenull\n"
	"default_login_user = dovenull\n"
	"first_valid_uid = 1\n"
	"first_valid_gid = 1\n"
	"passdb {\n"
	"  driver = passwd-file\n"
	"  args = scheme=PLAIN username_format=%%u %2$s/users\n"
	"}\n"
	"userdb {\n"
	"  driver = static\n"
	"  args = uid=dovenull gid=dovenull home=%1$s/mail/%%u\n"
	"}\n"
	"service imap-login {\n"
	"  inet_listener imap {\n"
	"    address = 127.0.0.1\n"
	"    port = %3$d\n"
	"  }\n"
	"%4$s"
	"}\n"
	"%5$s";

/* Start a Dovecot named 'name', with TLS required when 'with_tls'. */
static int
dove_start(struct dove *d, const char *name, int with_tls)
{
	char	*imaps = NULL, *ssl = NULL, *text, *script, *argv[5];
	GError	*gerr = NULL;
	gint64	 until;

	memset(d, 0, sizeof(*d));
	d->dir = g_build_filename(tmpdir, name, NULL);
	d->conf = g_build_filename(d->dir, "dovecot.conf", NULL);
	d->port = free_port();
	if (with_tls) {
		d->tls_port = free_port();
		imaps = g_strdup_printf("  inet_listener imaps {\n"
		    "    address = 127.0.0.1\n    port = %d\n    ssl = yes\n"
		    "  }\n", d->tls_port);
		ssl = g_strdup_printf("ssl = required\nssl_cert = <%s/cert.pem"
		    "\nssl_key = <%s/key.pem\n", tmpdir, tmpdir);
	} else
		ssl = g_strdup("ssl = no\n");
	text = g_strdup_printf(dove_conf, d->dir, tmpdir, d->port,
	    imaps ? imaps : "", ssl);
	script = g_strdup_printf("mkdir -p %1$s/run %1$s/state %1$s/mail; "
	    "chown dovenull:dovenull %1$s/mail; chmod 755 %1$s", d->dir);
	if (d->port <= 0 || (with_tls && d->tls_port <= 0) || sh(script) != 0 ||
	    !g_file_set_contents(d->conf, text, -1, NULL))
		goto fail;
	argv[0] = (char *)DOVECOT;
	argv[1] = (char *)"-F";
	argv[2] = (char *)"-c";
	argv[3] = d->conf;
	argv[4] = NULL;
	if (!g_spawn_async(tmpdir, argv, NULL, G_SPAWN_DO_NOT_REAP_CHILD,
	    die_with_parent, NULL, &d->pid, &gerr)) {
		fprintf(stderr, "test_imap: %s\n", gerr->message);
		g_error_free(gerr);
		goto fail;
	}
	until = g_get_monotonic_time() + 15 * G_USEC_PER_SEC;
	while (!port_open(d->port) || (with_tls && !port_open(d->tls_port))) {
		if (g_get_monotonic_time() > until) {
			fprintf(stderr, "test_imap: dovecot %s did not start "
			    "(see %s/dovecot.log)\n", name, d->dir);
			goto fail;
		}
		g_usleep(20000);
	}
	g_free(imaps);
	g_free(ssl);
	g_free(text);
	g_free(script);
	return 0;
fail:
	g_free(imaps);
	g_free(ssl);
	g_free(text);
	g_free(script);
	return -1;
}

/* Stop 'd': doveadm stop, then SIGKILL if it is still there. */
static void
dove_stop(struct dove *d)
{
	gint64	until;
	int	st;

	if (d->conf == NULL)
		return;
	if (d->pid > 0 && waitpid(d->pid, &st, WNOHANG) == d->pid)
		d->pid = 0;		/* already stopped */
	if (d->pid > 0) {
		(void)doveadm(d, NULL, "stop", NULL);
		until = g_get_monotonic_time() + 5 * G_USEC_PER_SEC;
		while (waitpid(d->pid, &st, WNOHANG) == 0) {
			if (g_get_monotonic_time() > until) {
				kill(d->pid, SIGKILL);
				waitpid(d->pid, &st, 0);
				break;
			}
			g_usleep(20000);
		}
		d->pid = 0;
	}
	g_free(d->dir);
	g_free(d->conf);
	memset(d, 0, sizeof(*d));
}

/* The pids of the processes named 'comm' whose parent is 'ppid'. */
static GArray *
children(GPid ppid, const char *comm)
{
	GArray		*pids = g_array_new(FALSE, FALSE, sizeof(int));
	GDir		*dir = g_dir_open("/proc", 0, NULL);
	const char	*name;
	char		*path, *stat, *p, want[64];
	int		 pid, parent;

	snprintf(want, sizeof(want), "(%s)", comm);
	for (name = dir ? g_dir_read_name(dir) : NULL; name != NULL;
	    name = g_dir_read_name(dir)) {
		pid = (int)strtol(name, &p, 10);
		if (*p != '\0' || pid <= 0)
			continue;
		path = g_strdup_printf("/proc/%d/stat", pid);
		stat = NULL;
		if (g_file_get_contents(path, &stat, NULL, NULL) &&
		    strstr(stat, want) != NULL) {
			p = strrchr(stat, ')');
			if (sscanf(p + 1, " %*c %d", &parent) == 1 &&
			    parent == ppid)
				g_array_append_val(pids, pid);
		}
		g_free(stat);
		g_free(path);
	}
	if (dir != NULL)
		g_dir_close(dir);
	return pids;
}

/* Whether the log of 'd' contains 'needle' this many times. */
static int
log_count(struct dove *d, const char *needle)
{
	char	*path, *text = NULL, *p;
	int	 n = 0;

	path = g_build_filename(d->dir, "dovecot.log", NULL);
	if (g_file_get_contents(path, &text, NULL, NULL))
		for (p = strstr(text, needle); p != NULL;
		    p = strstr(p + 1, needle))
			n++;
	g_free(text);
	g_free(path);
	return n;
}

/* The CA, a server certificate for "localhost", two Dovecots. */
static int
group_setup(void **state)
{
	(void)state;
	if (access(DOVECOT, X_OK) != 0 || access(DOVEADM, X_OK) != 0) {
		fprintf(stderr, "test_imap: dovecot is missing: install "
		    "dovecot-imapd (scripts/install-deps)\n");
		return -1;
	}
	tmpdir = g_dir_make_tmp("test_imap_XXXXXX", NULL);
	if (tmpdir == NULL || chmod(tmpdir, 0755) != 0)
		return -1;
	ca_file = g_build_filename(tmpdir, "ca.pem", NULL);
	if (sh("openssl req -x509 -newkey ec -pkeyopt "
	    "ec_paramgen_curve:prime256v1 -nodes -days 2 "
	    "-subj '/CN=mailsoar test CA' -keyout ca.key -out ca.pem "
	    "2>/dev/null\n"
	    "openssl req -newkey ec -pkeyopt ec_paramgen_curve:prime256v1 "
	    "-nodes -subj /CN=localhost -keyout key.pem -out srv.csr "
	    "2>/dev/null\n"
	    "printf 'subjectAltName=DNS:localhost\\n"
	    "extendedKeyUsage=serverAuth\\n' > ext.cnf\n"
	    "openssl x509 -req -in srv.csr -CA ca.pem -CAkey ca.key "
	    "-CAcreateserial -days 2 -extfile ext.cnf -out cert.pem "
	    "2>/dev/null\n"
	    "for u in soc alice bob carol dave erin frank gina hank; do "
	    "echo \"$u:{PLAIN}" PASSWORD "\"; done > users\n"
	    "chmod 644 users key.pem\n") != 0) {
		fprintf(stderr, "test_imap: openssl failed\n");
		return -1;
	}
	if (dove_start(&plain, "plain", 0) != 0 ||
	    dove_start(&tls, "tls", 1) != 0)
		return -1;
	return 0;
}

static int
group_teardown(void **state)
{
	char	*script;

	(void)state;
	dove_stop(&plain);
	dove_stop(&tls);
	if (tmpdir != NULL && getenv("TEST_IMAP_KEEP") != NULL)
		fprintf(stderr, "test_imap: kept %s\n", tmpdir);
	else if (tmpdir != NULL) {
		script = g_strdup_printf("rm -rf '%s'", tmpdir);
		(void)sh(script);
		g_free(script);
	}
	g_free(tmpdir);
	g_free(ca_file);
	return 0;
}

/* A configuration for 'user' on 'host':'port'. */
static struct imap_config
conf(const char *host, int port, enum imap_tls mode, const char *user)
{
	struct imap_config	cf;

	memset(&cf, 0, sizeof(cf));
	cf.host = host;
	cf.port = port;
	cf.tls = mode;
	cf.verify = 1;
	cf.auth = IMAP_AUTH_LOGIN;
	cf.username = user;
	cf.secret = PASSWORD;
	cf.timeout_ms = TIMEOUT_MS;
	return cf;
}

/* imap_open() that must give 'want'; the connection (or NULL). */
static struct imap *
open_want(const struct imap_config *cf, enum ms_err want, char *err,
    size_t errlen)
{
	struct imap	*im = (struct imap *)1;
	enum ms_err	 rc;

	err[0] = '\0';
	rc = imap_open(cf, &im, err, errlen);
	if (rc != want)
		fail_msg("imap_open: %d, want %d: %s", rc, want, err);
	if (rc == MS_OK)
		assert_non_null(im);
	else
		assert_null(im);
	return im;
}

/* A plain-text connection to the plain Dovecot as 'user'. */
static struct imap *
open_plain(const char *user)
{
	struct imap_config	cf = conf("127.0.0.1", plain.port,
				    IMAP_TLS_NONE, user);
	char			err[512];

	return open_want(&cf, MS_OK, err, sizeof(err));
}

/* SELECT 'folder', which must work; its UIDVALIDITY. */
static uint32_t
select_ok(struct imap *im, const char *folder, int read_only)
{
	uint32_t	v, next;
	char		err[512];
	enum ms_err	rc;

	rc = imap_select(im, folder, read_only, &v, &next, err, sizeof(err));
	if (rc != MS_OK)
		fail_msg("select %s: %d: %s", folder, rc, err);
	assert_true(v != 0);
	assert_true(next >= 1);
	return v;
}

/* 'raw' with bare LF made CRLF, as APPEND sends it. */
static GString *
crlf(const char *raw, size_t len)
{
	GString	*s = g_string_sized_new(len + len / 16);
	size_t	 i;

	for (i = 0; i < len; i++) {
		if (raw[i] == '\n' && (i == 0 || raw[i - 1] != '\r'))
			g_string_append_c(s, '\r');
		g_string_append_c(s, raw[i]);
	}
	return s;
}

/* APPEND 'len' bytes to 'folder'; the new UID (APPENDUID). */
static uint32_t
append_ok(struct imap *im, const char *folder, const char *raw, size_t len)
{
	uint32_t	uid = 0;
	char		err[512];
	enum ms_err	rc;

	rc = imap_append(im, folder, raw, len, &uid, err, sizeof(err));
	if (rc != MS_OK)
		fail_msg("append: %d: %s", rc, err);
	assert_true(uid > 0);
	return uid;
}

/* APPEND the corpus file 'name'; its UID, and its bytes in '*body'. */
static uint32_t
append_file(struct imap *im, const char *name, GString **body)
{
	char		*path = g_strconcat(PHISH, name, NULL), *raw;
	gsize		 len;
	uint32_t	 uid;

	if (!g_file_get_contents(path, &raw, &len, NULL))
		fail_msg("cannot read %s", path);
	uid = append_ok(im, "INBOX", raw, len);
	if (body != NULL)
		*body = crlf(raw, len);
	g_free(raw);
	g_free(path);
	return uid;
}

/* imap_uids_after() that must work. */
static size_t
uids_ok(struct imap *im, uint32_t after, size_t max, uint32_t **uids)
{
	size_t		n = 99;
	char		err[512];
	enum ms_err	rc;

	rc = imap_uids_after(im, after, max, uids, &n, err, sizeof(err));
	if (rc != MS_OK)
		fail_msg("uids_after %u: %d: %s", after, rc, err);
	return n;
}

/* Fetch 'uid', which must equal 'want'. */
static void
fetch_same(struct imap *im, uint32_t uid, const GString *want)
{
	char		*raw = NULL, err[512];
	size_t		 len = 0;
	enum ms_err	 rc;

	rc = imap_fetch(im, uid, &raw, &len, err, sizeof(err));
	if (rc != MS_OK)
		fail_msg("fetch %u: %d: %s", uid, rc, err);
	assert_int_equal(len, want->len);
	assert_memory_equal(raw, want->str, len);
	xfree(raw);
}

/* ---- login and TLS ---------------------------------------------------- */

static void
test_login_ok(void **state)
{
	struct imap	*im;

	(void)state;
	im = open_plain("soc");
	assert_true(imap_has_idle(im));
	assert_true(imap_has_move(im));
	imap_close(im);
	imap_close(NULL);
}

static void
test_login_wrong_password(void **state)
{
	struct imap_config	cf = conf("127.0.0.1", plain.port,
				    IMAP_TLS_NONE, "soc");
	char			err[512];

	(void)state;
	cf.secret = "not-" PASSWORD;
	open_want(&cf, MS_EINVAL, err, sizeof(err));
	assert_non_null(strstr(err, "login refused for soc"));
	assert_non_null(strstr(err, "127.0.0.1"));
	assert_null(strstr(err, PASSWORD));
	/* Unknown user: the same answer. */
	cf = conf("127.0.0.1", plain.port, IMAP_TLS_NONE, "nobody");
	open_want(&cf, MS_EINVAL, err, sizeof(err));
	assert_non_null(strstr(err, "login refused for nobody"));
	assert_null(strstr(err, PASSWORD));
}

static void
test_connect_refused(void **state)
{
	struct imap_config	cf = conf("127.0.0.1", free_port(),
				    IMAP_TLS_NONE, "soc");
	char			err[512];

	(void)state;
	open_want(&cf, MS_ENET, err, sizeof(err));
	assert_non_null(strstr(err, "cannot connect"));
	cf.host = "";
	open_want(&cf, MS_EINVAL, err, sizeof(err));
}

/* IMAPS without our CA: refused before a byte of IMAP, so Dovecot logs
 * a connection without any auth attempt and never a login. */
static void
test_tls_untrusted(void **state)
{
	struct imap_config	cf = conf("localhost", tls.tls_port,
				    IMAP_TLS_IMAPS, "erin");
	char			err[512];
	int			before;
	gint64			until;

	(void)state;
	before = log_count(&tls, "no auth attempts");
	open_want(&cf, MS_EINVAL, err, sizeof(err));
	assert_non_null(strstr(err, "certificate of localhost not trusted"));
	assert_null(strstr(err, PASSWORD));
	until = g_get_monotonic_time() + 5 * G_USEC_PER_SEC;
	while (log_count(&tls, "no auth attempts") == before &&
	    g_get_monotonic_time() < until)
		g_usleep(50000);
	assert_int_equal(log_count(&tls, "no auth attempts"), before + 1);
	assert_int_equal(log_count(&tls, "user=<erin>"), 0);

	/* The same through STARTTLS. */
	cf = conf("localhost", tls.port, IMAP_TLS_STARTTLS, "erin");
	open_want(&cf, MS_EINVAL, err, sizeof(err));
	assert_non_null(strstr(err, "not trusted"));
	assert_int_equal(log_count(&tls, "user=<erin>"), 0);

	/* A CA file with no certificate in it. */
	cf = conf("localhost", tls.tls_port, IMAP_TLS_IMAPS, "erin");
	cf.ca_file = "/dev/null";
	open_want(&cf, MS_EINVAL, err, sizeof(err));
	assert_non_null(strstr(err, "no CA certificates"));
}

static void
test_tls_trusted(void **state)
{
	struct imap_config	 cf = conf("localhost", tls.tls_port,
				    IMAP_TLS_IMAPS, "soc");
	struct imap		*im;
	char			 err[512];

	(void)state;
	cf.ca_file = ca_file;
	im = open_want(&cf, MS_OK, err, sizeof(err));
	select_ok(im, "INBOX", 1);
	imap_close(im);
	/* verify = 0 skips the check. */
	cf.ca_file = NULL;
	cf.verify = 0;
	im = open_want(&cf, MS_OK, err, sizeof(err));
	imap_close(im);
}

static void
test_tls_wrong_host(void **state)
{
	struct imap_config	cf = conf("127.0.0.1", tls.tls_port,
				    IMAP_TLS_IMAPS, "soc");
	char			err[512];

	(void)state;
	cf.ca_file = ca_file;
	open_want(&cf, MS_EINVAL, err, sizeof(err));
	assert_non_null(strstr(err, "certificate of 127.0.0.1 not trusted"));
	assert_non_null(strstr(err, "does not name"));
}

static void
test_starttls(void **state)
{
	struct imap_config	 cf = conf("localhost", tls.port,
				    IMAP_TLS_STARTTLS, "soc");
	struct imap		*im;
	char			 err[512];

	(void)state;
	cf.ca_file = ca_file;
	im = open_want(&cf, MS_OK, err, sizeof(err));
	select_ok(im, "INBOX", 0);
	imap_close(im);
	/* IMAPS against a plain port: the handshake fails. */
	cf = conf("localhost", plain.port, IMAP_TLS_IMAPS, "soc");
	cf.ca_file = ca_file;
	open_want(&cf, MS_ENET, err, sizeof(err));
	/* STARTTLS against a server that has no TLS. */
	cf.tls = IMAP_TLS_STARTTLS;
	open_want(&cf, MS_EINVAL, err, sizeof(err));
	assert_non_null(strstr(err, "STARTTLS"));
}

/* ---- mailbox ---------------------------------------------------------- */

static void
test_select(void **state)
{
	struct imap	*im;
	uint32_t	 v1, v2, next;
	char		 err[512];

	(void)state;
	im = open_plain("alice");
	v1 = select_ok(im, "INBOX", 0);
	v2 = select_ok(im, "INBOX", 1);
	assert_int_equal(v1, v2);
	assert_int_equal(imap_select(im, "No/Such/Folder", 0, &v1, &next,
	    err, sizeof(err)), MS_EINVAL);
	assert_non_null(strstr(err, "SELECT"));
	assert_int_equal(v1, 0);
	assert_int_equal(imap_select(im, "bad\r\nname", 0, &v1, &next, err,
	    sizeof(err)), MS_EINVAL);
	/* The connection is still good. */
	select_ok(im, "INBOX", 1);
	imap_close(im);
}

/* Three corpus emails: APPENDUID, ascending UIDs, the n:* quirk, and
 * byte-identical FETCH. */
static void
test_append_fetch(void **state)
{
	static const char	*names[] = { "sample-1005.eml",
				    "sample-102.eml", "sample-1052.eml" };
	struct imap		*im;
	GString			*body[3];
	uint32_t		 uid[3], *uids = NULL, next;
	char			*raw, err[512];
	size_t			 n, i, len;

	(void)state;
	im = open_plain("bob");
	for (i = 0; i < 3; i++)
		uid[i] = append_file(im, names[i], &body[i]);
	assert_true(uid[0] < uid[1] && uid[1] < uid[2]);
	/* Without a selected folder there is nothing to search. */
	assert_int_equal(imap_uids_after(im, 0, 10, &uids, &n, err,
	    sizeof(err)), MS_EINVAL);
	select_ok(im, "INBOX", 1);
	n = uids_ok(im, 0, 100, &uids);
	assert_int_equal(n, 3);
	for (i = 0; i < 3; i++)
		assert_int_equal(uids[i], uid[i]);
	xfree(uids);
	n = uids_ok(im, uid[0], 100, &uids);
	assert_int_equal(n, 2);
	assert_int_equal(uids[0], uid[1]);
	assert_int_equal(uids[1], uid[2]);
	xfree(uids);
	n = uids_ok(im, 0, 2, &uids);		/* at most 'max' */
	assert_int_equal(n, 2);
	assert_int_equal(uids[0], uid[0]);
	xfree(uids);
	/* "UID last+1:*" makes the server answer the last UID. */
	n = uids_ok(im, uid[2], 100, &uids);
	assert_int_equal(n, 0);
	assert_null(uids);
	n = uids_ok(im, UINT32_MAX, 100, &uids);
	assert_int_equal(n, 0);
	for (i = 0; i < 3; i++)
		fetch_same(im, uid[i], body[i]);
	/* A UID that does not exist. */
	raw = (char *)1;
	assert_int_equal(imap_fetch(im, uid[2] + 100, &raw, &len, err,
	    sizeof(err)), MS_EAGAIN);
	assert_null(raw);
	assert_non_null(strstr(err, "gone"));
	/* Still usable. */
	fetch_same(im, uid[0], body[0]);
	assert_int_equal(imap_select(im, "INBOX", 1, &uid[0], &next, err,
	    sizeof(err)), MS_OK);
	assert_int_equal(next, uid[2] + 1);
	for (i = 0; i < 3; i++)
		g_string_free(body[i], TRUE);
	imap_close(im);
}

static void
test_uids_since(void **state)
{
	struct imap	*im;
	uint32_t	 uid, *uids = NULL;
	size_t		 n = 0;
	char		 err[512];
	int64_t		 now = g_get_real_time() / G_USEC_PER_SEC;

	(void)state;
	im = open_plain("carol");
	uid = append_file(im, "sample-11.eml", NULL);
	select_ok(im, "INBOX", 1);
	assert_int_equal(imap_uids_since(im, now - 3600, &uids, &n, err,
	    sizeof(err)), MS_OK);
	assert_int_equal(n, 1);
	assert_int_equal(uids[0], uid);
	xfree(uids);
	/* An hour ahead: SEARCH SINCE (by day) finds it, the INTERNALDATE
	 * check drops it. */
	assert_int_equal(imap_uids_since(im, now + 3600, &uids, &n, err,
	    sizeof(err)), MS_OK);
	assert_int_equal(n, 0);
	assert_null(uids);
	assert_int_equal(imap_uids_since(im, now + 3 * 86400, &uids, &n,
	    err, sizeof(err)), MS_OK);
	assert_int_equal(n, 0);
	imap_close(im);
}

/* A message of exactly 'len' bytes in CRLF lines. */
static char *
big_message(size_t len)
{
	static const char	 head[] = "From: a@example.org\r\n"
				    "Subject: big\r\n\r\n";
	char			*m = xmalloc(len);
	size_t			 i;

	memcpy(m, head, sizeof(head) - 1);
	for (i = sizeof(head) - 1; i < len; i++)
		m[i] = (i % 78 == 76) ? '\r' : (i % 78 == 77) ? '\n' : 'x';
	m[len - 2] = '\r';
	m[len - 1] = '\n';
	return m;
}

/* LIMIT_MSG_BYTES is fetched; one byte more is refused on its
 * RFC822.SIZE, and the connection stays usable. */
static void
test_fetch_limit(void **state)
{
	struct imap	*im;
	uint32_t	 at, over, small;
	char		*m, *raw = NULL, err[512];
	size_t		 len = 0;
	GString		*body;

	(void)state;
	im = open_plain("dave");
	m = big_message(LIMIT_MSG_BYTES);
	at = append_ok(im, "INBOX", m, LIMIT_MSG_BYTES);
	xfree(m);
	m = big_message(LIMIT_MSG_BYTES + 1);
	over = append_ok(im, "INBOX", m, LIMIT_MSG_BYTES + 1);
	xfree(m);
	small = append_file(im, "sample-11.eml", &body);
	select_ok(im, "INBOX", 1);
	assert_int_equal(imap_fetch(im, at, &raw, &len, err, sizeof(err)),
	    MS_OK);
	assert_int_equal(len, LIMIT_MSG_BYTES);
	assert_memory_equal(raw + len - 4, "xx\r\n", 4);
	xfree(raw);
	raw = (char *)1;
	assert_int_equal(imap_fetch(im, over, &raw, &len, err, sizeof(err)),
	    MS_ELIMIT);
	assert_null(raw);
	assert_non_null(strstr(err, "over the limit"));
	fetch_same(im, small, body);
	g_string_free(body, TRUE);
	imap_close(im);
}

/* ---- IDLE ------------------------------------------------------------- */

struct appender {
	const char	*user;
	int		 delay_ms;
};

/* Thread: after a while, append one message as another connection. */
static gpointer
append_later(gpointer arg)
{
	struct appender	*ap = arg;
	struct imap	*im;

	g_usleep((gulong)ap->delay_ms * 1000);
	im = open_plain(ap->user);
	append_ok(im, "INBOX", "Subject: hi\r\n\r\nhello\r\n", 22);
	imap_close(im);
	return NULL;
}

static void
test_idle(void **state)
{
	struct imap	*im;
	struct appender	 ap = { "frank", 300 };
	GThread		*thr;
	gint64		 t0, ms;
	char		 err[512];
	int		 changed = -1;

	(void)state;
	im = open_plain("frank");
	select_ok(im, "INBOX", 1);
	/* Nothing happens: changed = 0 after the wait. */
	t0 = g_get_monotonic_time();
	assert_int_equal(imap_wait(im, 400, &changed, err, sizeof(err)),
	    MS_OK);
	ms = (g_get_monotonic_time() - t0) / 1000;
	assert_int_equal(changed, 0);
	assert_true(ms >= 350 && ms < 3000);
	/* Another connection appends while we wait. */
	thr = g_thread_new("append", append_later, &ap);
	t0 = g_get_monotonic_time();
	assert_int_equal(imap_wait(im, 10000, &changed, err, sizeof(err)),
	    MS_OK);
	ms = (g_get_monotonic_time() - t0) / 1000;
	g_thread_join(thr);
	assert_int_equal(changed, 1);
	if (ms > ap.delay_ms + 1000)
		fail_msg("change seen after %lld ms", (long long)ms);
	/* And the connection still works. */
	select_ok(im, "INBOX", 1);
	imap_close(im);
}

/* Dovecot stopped under an idling connection: MS_ENET, then fast
 * MS_ENET for every later call. */
static void
test_server_stops(void **state)
{
	struct dove	 d;
	struct imap	*im;
	GArray		*imaps;
	uint32_t	 v, next, *uids = NULL;
	size_t		 n;
	guint		 i;
	char		 err[512];
	int		 changed = -1;
	gint64		 t0;

	(void)state;
	assert_int_equal(dove_start(&d, "doomed", 0), 0);
	{
		struct imap_config	cf = conf("127.0.0.1", d.port,
					    IMAP_TLS_NONE, "soc");

		im = open_want(&cf, MS_OK, err, sizeof(err));
	}
	select_ok(im, "INBOX", 1);
	/* shutdown_clients = yes should end the sessions with the master;
	 * in this sandbox they outlive it, so end them as it would. */
	imaps = children(d.pid, "imap");
	assert_true(imaps->len >= 1);
	assert_int_equal(doveadm(&d, NULL, "stop", NULL), 0);
	for (i = 0; i < imaps->len; i++)
		kill(g_array_index(imaps, int, i), SIGTERM);
	g_array_free(imaps, TRUE);
	t0 = g_get_monotonic_time();
	assert_int_equal(imap_wait(im, 5000, &changed, err, sizeof(err)),
	    MS_ENET);
	assert_true(g_get_monotonic_time() - t0 < 5 * G_USEC_PER_SEC);
	assert_non_null(strstr(err, "127.0.0.1"));
	assert_int_equal(imap_uids_after(im, 0, 10, &uids, &n, err,
	    sizeof(err)), MS_ENET);
	assert_non_null(strstr(err, "closed"));
	assert_int_equal(imap_select(im, "INBOX", 0, &v, &next, err,
	    sizeof(err)), MS_ENET);
	imap_close(im);
	dove_stop(&d);
}

/* ---- flag, move, UIDVALIDITY ------------------------------------------ */

static void
test_flag_move(void **state)
{
	struct imap	*im, *other;
	GString		*body;
	uint32_t	 a, b, *uids = NULL;
	char		*out = NULL, err[512], uidarg[32];
	size_t		 n;

	(void)state;
	assert_int_equal(doveadm(&plain, NULL, "mailbox", "create", "-u",
	    "gina", "Archive", NULL), 0);
	im = open_plain("gina");
	a = append_file(im, "sample-102.eml", NULL);
	b = append_file(im, "sample-1005.eml", &body);
	select_ok(im, "INBOX", 0);
	assert_int_equal(imap_flag(im, a, "\\Seen", err, sizeof(err)), MS_OK);
	assert_int_equal(imap_flag(im, a, "$Mailsoar", err, sizeof(err)),
	    MS_OK);
	assert_int_equal(imap_flag(im, a, "bad flag", err, sizeof(err)),
	    MS_EINVAL);
	assert_int_equal(imap_flag(im, a, "x)\r\n1 LOGOUT", err,
	    sizeof(err)), MS_EINVAL);
	assert_int_equal(imap_flag(im, a, "\\Recent", err, sizeof(err)),
	    MS_EINVAL);
	snprintf(uidarg, sizeof(uidarg), "%u", a);
	assert_int_equal(doveadm(&plain, &out, "fetch", "-u", "gina",
	    "flags", "mailbox", "INBOX", "uid", uidarg, NULL), 0);
	assert_non_null(strstr(out, "\\Seen"));
	assert_non_null(strstr(out, "$Mailsoar"));
	g_free(out);

	assert_int_equal(imap_move(im, b, "Archive", err, sizeof(err)),
	    MS_OK);
	assert_int_equal(imap_move(im, a, "No Such Folder", err,
	    sizeof(err)), MS_EINVAL);
	/* A second connection sees it moved. */
	other = open_plain("gina");
	select_ok(other, "INBOX", 1);
	n = uids_ok(other, 0, 100, &uids);
	assert_int_equal(n, 1);
	assert_int_equal(uids[0], a);
	xfree(uids);
	select_ok(other, "Archive", 1);
	n = uids_ok(other, 0, 100, &uids);
	assert_int_equal(n, 1);
	fetch_same(other, uids[0], body);
	xfree(uids);
	imap_close(other);
	g_string_free(body, TRUE);
	imap_close(im);
}

static void
test_uidvalidity_changes(void **state)
{
	struct imap	*im;
	uint32_t	 v1, v2;

	(void)state;
	assert_int_equal(doveadm(&plain, NULL, "mailbox", "create", "-u",
	    "hank", "Box", NULL), 0);
	im = open_plain("hank");
	v1 = select_ok(im, "Box", 1);
	select_ok(im, "INBOX", 1);
	assert_int_equal(doveadm(&plain, NULL, "mailbox", "delete", "-u",
	    "hank", "Box", NULL), 0);
	assert_int_equal(doveadm(&plain, NULL, "mailbox", "create", "-u",
	    "hank", "Box", NULL), 0);
	v2 = select_ok(im, "Box", 1);
	assert_true(v1 != v2);
	imap_close(im);
}

/* ---- a scripted fake server -------------------------------------------- */

enum fake_mode {
	FAKE_PLAIN,		/* logs in, selects, nothing else */
	FAKE_XOAUTH2,		/* checks the XOAUTH2 string */
	FAKE_IDLE_EARLY,	/* EXISTS before IDLE's continuation */
	FAKE_IDLE_GARBAGE,	/* garbage instead of a continuation */
	FAKE_SIZE_LIE,		/* RFC822.SIZE 10, then a huge literal */
	FAKE_SIZE_BIG,		/* RFC822.SIZE one past the limit */
	FAKE_SEARCH,		/* odd SEARCH answers */
	FAKE_NO_UIDVALIDITY,	/* SELECT without UIDVALIDITY */
	FAKE_NO_IDLE,		/* no IDLE capability */
	FAKE_LOGINDISABLED,	/* LOGINDISABLED in the capabilities */
	FAKE_STARTTLS_INJECT,	/* plain text right after STARTTLS's OK */
};

struct fake {
	enum fake_mode	 mode;
	const char	*greeting;
	size_t		 fill;		/* junk bytes after the greeting */
	int		 lfd;
	int		 port;
	GThread		*thr;
	char		 idle_tag[32];
	int		 step;
	int		 logins;	/* LOGIN commands seen */
	int		 bodies;	/* BODY fetches seen */
};

/* Send all of 'p'; 0, or -1 once the client is gone. */
static int
fake_send(int fd, const char *p, size_t n)
{
	ssize_t	r;

	while (n > 0) {
		r = send(fd, p, n, MSG_NOSIGNAL);
		if (r <= 0)
			return -1;
		p += r;
		n -= (size_t)r;
	}
	return 0;
}

/* One line from the client, without CRLF; NULL at EOF. */
static char *
fake_line(int fd)
{
	GString	*s = g_string_new(NULL);
	char	 c;

	while (recv(fd, &c, 1, 0) == 1) {
		if (c == '\n') {
			if (s->len > 0 && s->str[s->len - 1] == '\r')
				g_string_truncate(s, s->len - 1);
			return g_string_free(s, FALSE);
		}
		if (s->len < 65536)
			g_string_append_c(s, c);
	}
	g_string_free(s, TRUE);
	return NULL;
}

/* The answer to SELECT and EXAMINE. */
static void
fake_select(struct fake *f, const char *tag, GString *out)
{
	g_string_append(out, "* 1 EXISTS\r\n* 0 RECENT\r\n");
	if (f->mode != FAKE_NO_UIDVALIDITY)
		g_string_append(out, "* OK [UIDVALIDITY 7] v\r\n");
	g_string_append_printf(out, "* OK [UIDNEXT 10] n\r\n"
	    "%s OK [READ-WRITE] done\r\n", tag);
}

/* XOAUTH2: OK for the right token, else the error dance (and the
 * token echoed back, which imap.c must not quote). */
static void
fake_xoauth2(struct fake *f, const char *tag, const char *arg,
    GString *out)
{
	static const char	 want[] = "user=soc\001auth=Bearer tok-123"
				    "\001\001";
	guchar			*dec;
	gsize			 n;

	dec = g_base64_decode(arg, &n);
	if (n == sizeof(want) - 1 && memcmp(dec, want, n) == 0)
		g_string_append_printf(out, "%s OK [CAPABILITY IMAP4rev1 "
		    "IDLE] hello\r\n", tag);
	else {
		g_strlcpy(f->idle_tag, tag, sizeof(f->idle_tag));
		f->step = 1;
		g_string_append(out, "+ eyJzdGF0dXMiOiI0MDEifQ==\r\n");
	}
	g_free(dec);
}

/* The FETCH answers: RFC822.SIZE 10 (FAKE_SIZE_LIE) or the limit + 1
 * (FAKE_SIZE_BIG), and a literal past the limit. */
static void
fake_fetch(struct fake *f, const char *tag, const char *cmd, GString *out)
{
	size_t	n = LIMIT_MSG_BYTES + 2 * 65536;

	if (strstr(cmd, "RFC822.SIZE") != NULL) {
		g_string_append_printf(out, "* 1 FETCH (UID 5 RFC822.SIZE "
		    "%zu)\r\n%s OK done\r\n", f->mode == FAKE_SIZE_BIG ?
		    (size_t)LIMIT_MSG_BYTES + 1 : (size_t)10, tag);
		return;
	}
	f->bodies++;
	g_string_append_printf(out, "* 1 FETCH (UID 5 BODY[] {%zu}\r\n", n);
	g_string_set_size(out, out->len + n);
	memset(out->str + out->len - n, 'x', n);
	g_string_append_printf(out, ")\r\n%s OK done\r\n", tag);
}

/* The SEARCH answers of FAKE_SEARCH, one per call. */
static void
fake_search(struct fake *f, const char *tag, GString *out)
{
	if (f->step++ < 2)
		g_string_append_printf(out, "* SEARCH 9 3 5 5 2 4294967295\r\n"
		    "%s OK done\r\n", tag);
	else
		g_string_append_printf(out, "* SEARCH 1 x)(\r\n%s OK done\r\n",
		    tag);
}

/* Answer one command line; -1 to hang up. */
static int
fake_answer(struct fake *f, const char *line, GString *out)
{
	char	tag[32], *sp;
	const char *cmd;

	sp = strchr(line, ' ');
	g_strlcpy(tag, line, sp ? MIN(sizeof(tag), (size_t)(sp - line) + 1)
	    : sizeof(tag));
	cmd = sp ? sp + 1 : "";
	if (f->step == 1 && f->mode == FAKE_XOAUTH2) {
		/* The empty line after the error continuation. */
		f->step = 0;
		g_string_append_printf(out, "%s NO [AUTHENTICATIONFAILED] "
		    "tok-bad is not valid\r\n", f->idle_tag);
	} else if (g_ascii_strcasecmp(line, "DONE") == 0)
		g_string_append_printf(out, "%s OK idle done\r\n", f->idle_tag);
	else if (g_ascii_strncasecmp(cmd, "CAPABILITY", 10) == 0)
		g_string_append_printf(out, "* CAPABILITY IMAP4rev1 %s%s%s\r\n"
		    "%s OK done\r\n", f->mode == FAKE_NO_IDLE ? "" : "IDLE ",
		    f->mode == FAKE_XOAUTH2 ? "AUTH=XOAUTH2 " : "",
		    f->mode == FAKE_LOGINDISABLED ? "LOGINDISABLED" :
		    "STARTTLS", tag);
	else if (g_ascii_strncasecmp(cmd, "STARTTLS", 8) == 0)
		g_string_append_printf(out, "%s OK begin\r\n* OK injected\r\n",
		    tag);
	else if (g_ascii_strncasecmp(cmd, "LOGIN ", 6) == 0) {
		f->logins++;
		g_string_append_printf(out, "%s OK in\r\n", tag);
	} else if (g_ascii_strncasecmp(cmd, "AUTHENTICATE XOAUTH2 ", 21) == 0)
		fake_xoauth2(f, tag, cmd + 21, out);
	else if (g_ascii_strncasecmp(cmd, "SELECT ", 7) == 0 ||
	    g_ascii_strncasecmp(cmd, "EXAMINE ", 8) == 0)
		fake_select(f, tag, out);
	else if (g_ascii_strncasecmp(cmd, "IDLE", 4) == 0) {
		g_strlcpy(f->idle_tag, tag, sizeof(f->idle_tag));
		if (f->mode == FAKE_IDLE_GARBAGE)
			g_string_append(out, "%%% what\r\n");
		else if (f->mode == FAKE_IDLE_EARLY)
			g_string_append(out, "* 2 EXISTS\r\n+ idling\r\n");
		else
			g_string_append(out, "+ idling\r\n");
	} else if (g_ascii_strncasecmp(cmd, "UID FETCH", 9) == 0)
		fake_fetch(f, tag, cmd, out);
	else if (g_ascii_strncasecmp(cmd, "UID SEARCH", 10) == 0)
		fake_search(f, tag, out);
	else if (g_ascii_strncasecmp(cmd, "LOGOUT", 6) == 0) {
		g_string_append_printf(out, "* BYE bye\r\n%s OK done\r\n", tag);
		return -1;
	} else
		g_string_append_printf(out, "%s BAD what?\r\n", tag);
	return 0;
}

/* Thread: serve one client. */
static gpointer
fake_main(gpointer arg)
{
	struct fake	*f = arg;
	GString		*out, *junk;
	char		*line;
	int		 fd, rc = 0;

	fd = accept(f->lfd, NULL, NULL);
	if (fd < 0)
		return NULL;
	if (fake_send(fd, f->greeting, strlen(f->greeting)) == 0 &&
	    f->fill > 0) {
		junk = g_string_new(NULL);
		g_string_set_size(junk, f->fill);
		memset(junk->str, 'A', f->fill);
		(void)fake_send(fd, junk->str, junk->len);
		g_string_free(junk, TRUE);
	}
	while (rc == 0 && (line = fake_line(fd)) != NULL) {
		out = g_string_new(NULL);
		rc = fake_answer(f, line, out);
		if (fake_send(fd, out->str, out->len) != 0)
			rc = -1;
		g_string_free(out, TRUE);
		g_free(line);
	}
	close(fd);
	return NULL;
}

/* Start a fake server for one connection. */
static void
fake_start(struct fake *f, enum fake_mode mode, const char *greeting)
{
	struct sockaddr_in	sin;
	socklen_t		len = sizeof(sin);

	memset(f, 0, sizeof(*f));
	f->mode = mode;
	f->greeting = greeting ? greeting : "* OK fake ready\r\n";
	f->lfd = socket(AF_INET, SOCK_STREAM, 0);
	memset(&sin, 0, sizeof(sin));
	sin.sin_family = AF_INET;
	sin.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
	assert_true(f->lfd >= 0);
	assert_int_equal(bind(f->lfd, (struct sockaddr *)&sin, sizeof(sin)),
	    0);
	assert_int_equal(listen(f->lfd, 1), 0);
	assert_int_equal(getsockname(f->lfd, (struct sockaddr *)&sin, &len),
	    0);
	f->port = ntohs(sin.sin_port);
}

/* Run the server thread (after any extra setup of 'f'). */
static void
fake_run(struct fake *f)
{
	f->thr = g_thread_new("fake", fake_main, f);
}

/* Wait for the server thread to end. */
static void
fake_stop(struct fake *f)
{
	shutdown(f->lfd, SHUT_RDWR);
	g_thread_join(f->thr);
	close(f->lfd);
}

/* A connection to the fake server as soc, which must give 'want'. */
static struct imap *
fake_open(struct fake *f, enum imap_tls mode, enum ms_err want, char *err,
    size_t errlen)
{
	struct imap_config	cf = conf("127.0.0.1", f->port, mode, "soc");

	return open_want(&cf, want, err, errlen);
}

static void
test_fake_xoauth2(void **state)
{
	struct fake		 f;
	struct imap_config	 cf;
	struct imap		*im;
	char			 err[512];

	(void)state;
	fake_start(&f, FAKE_XOAUTH2, NULL);
	fake_run(&f);
	cf = conf("127.0.0.1", f.port, IMAP_TLS_NONE, "soc");
	cf.auth = IMAP_AUTH_XOAUTH2;
	cf.secret = "tok-123";
	im = open_want(&cf, MS_OK, err, sizeof(err));
	imap_close(im);
	fake_stop(&f);

	fake_start(&f, FAKE_XOAUTH2, NULL);
	fake_run(&f);
	cf.port = f.port;
	cf.secret = "tok-bad";
	open_want(&cf, MS_EINVAL, err, sizeof(err));
	assert_non_null(strstr(err, "login refused for soc"));
	assert_null(strstr(err, "tok-bad"));
	fake_stop(&f);

	/* A server without AUTH=XOAUTH2. */
	fake_start(&f, FAKE_PLAIN, NULL);
	fake_run(&f);
	cf.port = f.port;
	open_want(&cf, MS_EINVAL, err, sizeof(err));
	assert_non_null(strstr(err, "XOAUTH2"));
	fake_stop(&f);
}

static void
test_fake_greetings(void **state)
{
	struct fake	f;
	char		err[512];

	(void)state;
	fake_start(&f, FAKE_PLAIN, "\001\002 garbage \377\r\n");
	fake_run(&f);
	fake_open(&f, IMAP_TLS_NONE, MS_ENET, err, sizeof(err));
	fake_stop(&f);

	fake_start(&f, FAKE_PLAIN, "* BYE go away\r\n");
	fake_run(&f);
	fake_open(&f, IMAP_TLS_NONE, MS_ENET, err, sizeof(err));
	assert_non_null(strstr(err, "refused the connection"));
	fake_stop(&f);

	/* A greeting that never ends: the read cap, not memory, stops it. */
	fake_start(&f, FAKE_PLAIN, "* OK ");
	f.fill = 17u * 1024 * 1024;
	fake_run(&f);
	fake_open(&f, IMAP_TLS_NONE, MS_ELIMIT, err, sizeof(err));
	assert_non_null(strstr(err, "larger than"));
	fake_stop(&f);

	/* PREAUTH where STARTTLS was asked for: refused. */
	fake_start(&f, FAKE_PLAIN, "* PREAUTH welcome\r\n");
	fake_run(&f);
	fake_open(&f, IMAP_TLS_STARTTLS, MS_EINVAL, err, sizeof(err));
	assert_non_null(strstr(err, "PREAUTH"));
	fake_stop(&f);

	/* Plain text queued behind STARTTLS's OK: refused. */
	fake_start(&f, FAKE_STARTTLS_INJECT, NULL);
	fake_run(&f);
	fake_open(&f, IMAP_TLS_STARTTLS, MS_ENET, err, sizeof(err));
	assert_non_null(strstr(err, "before the handshake"));
	fake_stop(&f);

	/* LOGINDISABLED: the password is not sent. */
	fake_start(&f, FAKE_LOGINDISABLED, NULL);
	fake_run(&f);
	fake_open(&f, IMAP_TLS_NONE, MS_EINVAL, err, sizeof(err));
	assert_non_null(strstr(err, "LOGINDISABLED"));
	fake_stop(&f);
	assert_int_equal(f.logins, 0);
}

static void
test_fake_idle(void **state)
{
	struct fake	 f;
	struct imap	*im;
	char		 err[512];
	int		 changed = -1;
	gint64		 t0;

	(void)state;
	/* EXISTS before "+ idling": a change, reported at once. */
	fake_start(&f, FAKE_IDLE_EARLY, NULL);
	fake_run(&f);
	im = fake_open(&f, IMAP_TLS_NONE, MS_OK, err, sizeof(err));
	assert_true(imap_has_idle(im));
	select_ok(im, "INBOX", 1);
	t0 = g_get_monotonic_time();
	assert_int_equal(imap_wait(im, 5000, &changed, err, sizeof(err)),
	    MS_OK);
	assert_int_equal(changed, 1);
	assert_true(g_get_monotonic_time() - t0 < G_USEC_PER_SEC);
	imap_close(im);
	fake_stop(&f);

	fake_start(&f, FAKE_IDLE_GARBAGE, NULL);
	fake_run(&f);
	im = fake_open(&f, IMAP_TLS_NONE, MS_OK, err, sizeof(err));
	select_ok(im, "INBOX", 1);
	assert_int_equal(imap_wait(im, 5000, &changed, err, sizeof(err)),
	    MS_ENET);
	imap_close(im);
	fake_stop(&f);

	/* No IDLE: sleep and say "changed" so that the caller polls. */
	fake_start(&f, FAKE_NO_IDLE, NULL);
	fake_run(&f);
	im = fake_open(&f, IMAP_TLS_NONE, MS_OK, err, sizeof(err));
	assert_false(imap_has_idle(im));
	assert_false(imap_has_move(im));
	select_ok(im, "INBOX", 1);
	t0 = g_get_monotonic_time();
	assert_int_equal(imap_wait(im, 200, &changed, err, sizeof(err)),
	    MS_OK);
	assert_int_equal(changed, 1);
	assert_true(g_get_monotonic_time() - t0 >= 190 * 1000);
	imap_close(im);
	fake_stop(&f);
}

static void
test_fake_answers(void **state)
{
	struct fake	 f;
	struct imap	*im;
	uint32_t	*uids = NULL, v, next;
	char		*raw = NULL, err[512];
	size_t		 n = 0, len;

	(void)state;
	/* SEARCH: unsorted, duplicates, UIDs at or below 'after'. */
	fake_start(&f, FAKE_SEARCH, NULL);
	fake_run(&f);
	im = fake_open(&f, IMAP_TLS_NONE, MS_OK, err, sizeof(err));
	select_ok(im, "INBOX", 1);
	n = uids_ok(im, 3, 100, &uids);
	assert_int_equal(n, 3);
	assert_int_equal(uids[0], 5);
	assert_int_equal(uids[1], 9);
	assert_int_equal(uids[2], UINT32_MAX);
	xfree(uids);
	n = uids_ok(im, 3, 2, &uids);
	assert_int_equal(n, 2);
	assert_int_equal(uids[1], 9);
	xfree(uids);
	/* Garbage: the connection is closed, and stays closed. */
	assert_int_equal(imap_uids_after(im, 0, 10, &uids, &n, err,
	    sizeof(err)), MS_ENET);
	assert_null(uids);
	assert_int_equal(imap_uids_after(im, 0, 10, &uids, &n, err,
	    sizeof(err)), MS_ENET);
	assert_non_null(strstr(err, "closed"));
	imap_close(im);
	fake_stop(&f);

	/* RFC822.SIZE says 10, the literal says 50 MB and more. */
	fake_start(&f, FAKE_SIZE_LIE, NULL);
	fake_run(&f);
	im = fake_open(&f, IMAP_TLS_NONE, MS_OK, err, sizeof(err));
	select_ok(im, "INBOX", 1);
	assert_int_equal(imap_fetch(im, 7, &raw, &len, err, sizeof(err)),
	    MS_EAGAIN);		/* the answer is about UID 5 */
	assert_int_equal(imap_fetch(im, 5, &raw, &len, err, sizeof(err)),
	    MS_ELIMIT);
	assert_null(raw);
	assert_non_null(strstr(err, "larger than"));
	assert_int_equal(imap_fetch(im, 5, &raw, &len, err, sizeof(err)),
	    MS_ENET);
	imap_close(im);
	fake_stop(&f);

	/* RFC822.SIZE over the limit: refused without fetching. */
	fake_start(&f, FAKE_SIZE_BIG, NULL);
	fake_run(&f);
	im = fake_open(&f, IMAP_TLS_NONE, MS_OK, err, sizeof(err));
	select_ok(im, "INBOX", 1);
	assert_int_equal(imap_fetch(im, 5, &raw, &len, err, sizeof(err)),
	    MS_ELIMIT);
	assert_non_null(strstr(err, "over the limit"));
	imap_close(im);
	fake_stop(&f);
	assert_int_equal(f.bodies, 0);

	fake_start(&f, FAKE_NO_UIDVALIDITY, NULL);
	fake_run(&f);
	im = fake_open(&f, IMAP_TLS_NONE, MS_OK, err, sizeof(err));
	assert_int_equal(imap_select(im, "INBOX", 0, &v, &next, err,
	    sizeof(err)), MS_ENET);
	assert_non_null(strstr(err, "UIDVALIDITY"));
	imap_close(im);
	fake_stop(&f);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_login_ok),
		cmocka_unit_test(test_login_wrong_password),
		cmocka_unit_test(test_connect_refused),
		cmocka_unit_test(test_tls_untrusted),
		cmocka_unit_test(test_tls_trusted),
		cmocka_unit_test(test_tls_wrong_host),
		cmocka_unit_test(test_starttls),
		cmocka_unit_test(test_select),
		cmocka_unit_test(test_append_fetch),
		cmocka_unit_test(test_uids_since),
		cmocka_unit_test(test_fetch_limit),
		cmocka_unit_test(test_idle),
		cmocka_unit_test(test_server_stops),
		cmocka_unit_test(test_flag_move),
		cmocka_unit_test(test_uidvalidity_changes),
		cmocka_unit_test(test_fake_xoauth2),
		cmocka_unit_test(test_fake_greetings),
		cmocka_unit_test(test_fake_idle),
		cmocka_unit_test(test_fake_answers),
	};

	signal(SIGPIPE, SIG_DFL);	/* imap.c must cope without help */
	return cmocka_run_group_tests(tests, group_setup, group_teardown);
}
