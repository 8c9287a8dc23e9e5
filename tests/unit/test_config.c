/* SPDX-License-Identifier: Apache-2.0 */
/*
 * test_config.c -- mailsoar.conf (config.c): a good file read back
 * through every getter; each error with the FILE:LINE it must name;
 * secrets from the file, a KEY_file and a KEY_env, and never in an
 * error; playbooks per label; asset states made and dropped; [detect]
 * and each of its checks.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>
#include <glib.h>

#include "engine/config.h"

#define SECRET	"s3cr3t-Value"

static char	*tmpdir;
static int	 n_init, n_free;

static enum ms_err
geo_init(const struct asset *as, void **state, char *err, size_t errlen)
{
	if (asset_get(as, "fail") != NULL) {
		snprintf(err, errlen, "cannot open %s", asset_get(as, "db"));
		return MS_EINVAL;
	}
	n_init++;
	*state = g_strdup(asset_get(as, "db"));
	return MS_OK;
}

static void
geo_free(void *state)
{
	n_free++;
	g_free(state);
}

static const struct app_action no_actions[] = {
	{ NULL, NULL, NULL, NULL, NULL, 0 }
};

static const struct app_setting mail_settings[] = {
	{ "host", 1, 0, "the IMAP server" },
	{ "port", 0, 0, NULL },
	{ "password", 1, 1, "the login password" },
	{ NULL, 0, 0, NULL }
};

static const struct app_setting geo_settings[] = {
	{ "db", 1, 0, "a MaxMind database" },
	{ "fail", 0, 0, NULL },
	{ NULL, 0, 0, NULL }
};

static const struct app mail_app = {
	"mail", NULL, no_actions, mail_settings, NULL, NULL, NULL
};
static const struct app geo_app = {
	"geo", NULL, no_actions, geo_settings, geo_init, geo_free, NULL
};
static const struct app *const apps[] = { &mail_app, &geo_app, NULL };

static char *
write_file(const char *name, const char *text)
{
	char	*p = g_build_filename(tmpdir, name, NULL);

	assert_true(g_file_set_contents(p, text, -1, NULL));
	return p;
}

static int
setup(void **state)
{
	(void)state;
	tmpdir = g_dir_make_tmp("test_config_XXXXXX", NULL);
	assert_non_null(tmpdir);
	return 0;
}

static int
teardown(void **state)
{
	GDir		*d = g_dir_open(tmpdir, 0, NULL);
	const char	*n;
	char		*p;

	(void)state;
	while ((n = g_dir_read_name(d)) != NULL) {
		p = g_build_filename(tmpdir, n, NULL);
		remove(p);
		g_free(p);
	}
	g_dir_close(d);
	remove(tmpdir);
	g_free(tmpdir);
	return 0;
}

static const char good[] =
	"# mailsoar.conf\n"				/* 1 */
	"[asset imap1]\n"				/* 2 */
	"app = mail\n"					/* 3 */
	"host=imap.example.org\n"			/* 4 */
	"password=" SECRET "\n"				/* 5 */
	"max_concurrent=2\n"				/* 6 */
	"\n"
	"[engine]\r\n"					/* 8 */
	"  workers=3\n"
	"action_timeout_ms=5000\n"
	"retries=1\n"
	"data_dir=/var/lib/mailsoar\n"
	"\n"
	"[playbooks]\n"
	"dir=/etc/mailsoar/playbooks\n"
	"email=email_triage; notify ;\n"
	"phish=only\n"
	"\n"
	"[playbook_repo]\n"
	"url=https://git.example.org/pb.git\n"
	"sync_interval_s=60\n"
	"\n"
	"[asset geo.eu]\n"
	"app=geo\n"
	"db=/data/GeoIP2-City.mmdb\n"
	"cache_ttl_s=0\n";

static void
good_file(void **state)
{
	struct config		*cf;
	struct asset		*as;
	const char *const	*pb;
	char			*path, err[512], *s;

	(void)state;
	path = write_file("good.conf", good);
	assert_int_equal(config_load(path, apps, &cf, err, sizeof(err)),
	    MS_OK);
	assert_string_equal(config_path(cf), path);
	assert_string_equal(config_get(cf, "engine", "data_dir"),
	    "/var/lib/mailsoar");
	assert_int_equal(config_get_int(cf, "engine", "workers", 8), 3);
	assert_int_equal(config_get_int(cf, "engine", "run_timeout_s", 300),
	    300);
	assert_string_equal(config_get(cf, "playbooks", "dir"),
	    "/etc/mailsoar/playbooks");
	assert_int_equal(config_get_int(cf, "playbook_repo",
	    "sync_interval_s", 0), 60);
	assert_null(config_get(cf, "engine", "nope"));

	pb = config_playbooks(cf, "email");
	assert_string_equal(pb[0], "email_triage");
	assert_string_equal(pb[1], "notify");
	assert_null(pb[2]);
	assert_string_equal(config_playbooks(cf, "phish")[0], "only");
	assert_null(config_playbooks(cf, "other")[0]);
	assert_null(config_playbooks(cf, "dir")[0]);

	assert_int_equal(config_n_assets(cf), 2);
	as = config_asset(cf, 0);
	assert_string_equal(asset_name(as), "imap1");
	assert_string_equal(asset_app(as), "mail");
	assert_ptr_equal(asset_app_table(as), &mail_app);
	assert_string_equal(asset_get(as, "host"), "imap.example.org");
	assert_null(asset_get(as, "port"));
	assert_int_equal(asset_get_int(as, "port", 993), 993);
	assert_null(asset_get(as, "password"));	/* secrets: asset_secret */
	s = asset_secret(as, "password");
	assert_string_equal(s, SECRET);
	xfree(s);
	assert_int_equal(asset_max_concurrent(as), 2);
	assert_int_equal(asset_timeout_ms(as), 5000);	/* from [engine] */
	assert_int_equal(asset_retries(as), 1);
	assert_int_equal(asset_cache_ttl_s(as), 3600);

	as = config_asset_find(cf, "geo.eu");
	assert_ptr_equal(as, config_asset(cf, 1));
	assert_int_equal(asset_max_concurrent(as), 4);
	assert_int_equal(asset_cache_ttl_s(as), 0);
	assert_null(config_asset_find(cf, "geo"));
	assert_null(config_asset(cf, 2));
	assert_null(asset_state(as));

	n_init = n_free = 0;
	assert_int_equal(config_assets_init(cf, err, sizeof(err)), MS_OK);
	assert_string_equal(asset_state(as), "/data/GeoIP2-City.mmdb");
	assert_int_equal(config_assets_init(cf, err, sizeof(err)), MS_OK);
	assert_int_equal(n_init, 1);	/* once */
	config_free(cf);
	assert_int_equal(n_free, 1);
	g_free(path);
}

static void
empty(void **state)
{
	struct config	*cf = config_new_empty();
	char		 err[64];

	(void)state;
	assert_null(config_path(cf));
	assert_int_equal(config_n_assets(cf), 0);
	assert_null(config_playbooks(cf, "email")[0]);
	assert_int_equal(config_get_int(cf, "engine", "workers", 8), 8);
	assert_int_equal(config_assets_init(cf, err, sizeof(err)), MS_OK);
	config_free(cf);
	config_free(NULL);
}

/* Load 'text'; expect MS_EINVAL with "FILE:LINE: " and 'what' in the
 * message, and never the secret. */
static void
expect_err(const char *text, int line, const char *what)
{
	struct config	*cf = NULL;
	char		*path, err[1024], *prefix;

	path = write_file("bad.conf", text);
	err[0] = '\0';
	assert_int_equal(config_load(path, apps, &cf, err, sizeof(err)),
	    MS_EINVAL);
	assert_null(cf);
	prefix = g_strdup_printf("%s:%d: ", path, line);
	if (!g_str_has_prefix(err, prefix) || strstr(err, what) == NULL)
		fail_msg("got \"%s\", want \"%s\" and \"%s\"", err, prefix,
		    what);
	assert_null(strstr(err, SECRET));
	assert_null(strstr(err, "s3cr3t"));
	g_free(prefix);
	g_free(path);
}

#define MAIL	"[asset m]\napp=mail\nhost=h\npassword=" SECRET "\n"

static void
errors(void **state)
{
	(void)state;
	expect_err(MAIL "[asset x]\n\napp=imapp\n", 7,
	    "unknown app 'imapp'; known apps: mail, geo");
	expect_err(MAIL "hots=x\n", 5, "app mail has no setting 'hots'; "
	    "its settings: host (required), port, password (required) "
	    "(secret; or password_file, password_env); and for every "
	    "asset: app, max_concurrent=, timeout_ms=, retries=, "
	    "cache_ttl_s=");
	expect_err("[asset m]\napp=mail\npassword=" SECRET "\n", 1,
	    "missing required setting host=: the IMAP server");
	expect_err("[asset m]\napp=mail\nhost=h\n", 1,
	    "missing required setting password= (or _file=, _env=)");
	expect_err("[asset m]\nhost=h\n", 1,
	    "expected app=APP; known apps: mail, geo");
	expect_err("[engine]\nworkers=8\nretries=two\n", 3,
	    "[engine] retries: expected an integer from 0 to 100, not 'two'");
	expect_err("[engine]\nworkers=0\n", 2, "[engine] workers: expected "
	    "an integer from 1 to 1024, not '0'");
	expect_err(MAIL "timeout_ms=-5\n", 5, "[asset m] timeout_ms: "
	    "expected an integer");
	expect_err(MAIL "max_concurrent=4x\n", 5, "max_concurrent");
	expect_err("[engine]\nworker=8\n", 2, "unknown key 'worker' in "
	    "[engine]; valid: workers=, run_timeout_s=");
	expect_err("[playbook_repo]\nurl=x\nsync=1\n", 3,
	    "unknown key 'sync' in [playbook_repo]");
	expect_err("\n[engin]\n", 2, "unknown group [engin]; expected");
	expect_err("[asset]\napp=mail\n", 1, "expected [asset NAME]");
	expect_err("[asset a b]\napp=mail\n", 1, "expected [asset NAME]");
	expect_err(MAIL "[asset m]\n", 5, "group [asset m] appears twice "
	    "(first at line 1)");
	/* Syntax errors never quote the line: it may hold a secret. */
	expect_err(MAIL "password " SECRET "\n", 5,
	    "expected [GROUP], KEY=VALUE or a # comment");
	expect_err(MAIL "password=" SECRET "2\n", 5, "key 'password' "
	    "appears twice in [asset m] (first at line 4)");
	expect_err("[asset m]\napp=mail\nhost=h\npassword=s3cr3t\\q\n", 4,
	    "[asset m] password: invalid escape sequence");
	expect_err("[playbooks]\nemail=a;b\\q\n", 2, "[playbooks] email: "
	    "expected PLAYBOOK;PLAYBOOK");
	expect_err("workers=8\n", 1, "expected a [GROUP] line before");
	expect_err("[engine\n", 1, "expected [GROUP]");
	expect_err("[engine]\n=3\n", 2, "found no key");
	expect_err("[engine]\ndata_dir=\xff\xfe\n", 2, "not valid UTF-8");
	expect_err(MAIL "password_file=/nonexistent/pw\n", 5,
	    "password_file: cannot read /nonexistent/pw: ");
	expect_err(MAIL "password_env=MS_TEST_UNSET_VAR\n", 5,
	    "the environment variable MS_TEST_UNSET_VAR is not set");
	expect_err(MAIL "[asset g]\napp=geo\n", 5, "[asset g] missing "
	    "required setting db=: a MaxMind database");
	expect_err(MAIL "host_file=/etc/passwd\n", 5,
	    "app mail has no setting 'host_file'");
	expect_err("[feed f]\ninterval_s=3600\n", 1, "[feed f] needs "
	    "exactly one of path= (a file or directory) and url=");
	expect_err("[feed f]\npath=/x\nurl=https://a/\n", 1,
	    "needs exactly one of");
	expect_err("[feed f]\nurl=ftp://a/x\n", 2, "[feed f] url=ftp://a/x: "
	    "not an http:// or https:// URL");
	expect_err("[feed f]\npath=/x\ninterval_s=5\n", 3,
	    "interval_s");
	expect_err("[feed f]\npath=/x\nformat=csv\n", 3,
	    "unknown key 'format' in [feed f]");
	expect_err("[feed f]\npath=/x\n[feed  f]\npath=/y\n", 3,
	    "feed 'f' is defined twice");
	expect_err("[feed a/b]\npath=/x\n", 1, "expected [feed NAME]");
}

static void
feeds(void **state)
{
	struct config		*cf = NULL;
	struct config_feed	 fd;
	char			*path, err[512];

	(void)state;
	path = write_file("feeds.conf", "[feed urlhaus]\n"
	    "url=https://urlhaus.abuse.ch/downloads/csv_recent/\n"
	    "interval_s=600\n\n[feed local]\npath=/srv/intel/drop.txt\n");
	if (config_load(path, apps, &cf, err, sizeof(err)) != MS_OK)
		fail_msg("%s", err);
	assert_int_equal(config_n_feeds(cf), 2);
	config_feed(cf, 0, &fd);
	assert_string_equal(fd.name, "urlhaus");
	assert_string_equal(fd.url,
	    "https://urlhaus.abuse.ch/downloads/csv_recent/");
	assert_null(fd.path);
	assert_int_equal(fd.interval_s, 600);
	config_feed(cf, 1, &fd);
	assert_string_equal(fd.name, "local");
	assert_string_equal(fd.path, "/srv/intel/drop.txt");
	assert_null(fd.url);
	assert_int_equal(fd.interval_s, 3600);
	config_free(cf);
	g_free(path);
}

static void
unreadable(void **state)
{
	struct config	*cf;
	char		 err[256];

	(void)state;
	assert_int_equal(config_load("/nonexistent/mailsoar.conf", apps, &cf,
	    err, sizeof(err)), MS_EIO);
	assert_null(cf);
	assert_non_null(strstr(err, "/nonexistent/mailsoar.conf: "));
}

static void
secrets(void **state)
{
	struct config	*cf;
	char		*pw, *conf, *path, err[512], *s;

	(void)state;
	pw = write_file("pw", SECRET "-file\nsecond line\n");
	conf = g_strdup_printf("[asset a]\napp=mail\nhost=h\n"
	    "password_file=%s\n[asset b]\napp=mail\nhost=h\n"
	    "password_env=MS_TEST_PW\n[asset c]\napp=mail\nhost=h\n"
	    "password=" SECRET "-plain\npassword_env=MS_TEST_PW\n", pw);
	path = write_file("secrets.conf", conf);
	setenv("MS_TEST_PW", SECRET "-env", 1);
	assert_int_equal(config_load(path, apps, &cf, err, sizeof(err)),
	    MS_OK);
	s = asset_secret(config_asset_find(cf, "a"), "password");
	assert_string_equal(s, SECRET "-file");
	xfree(s);
	s = asset_secret(config_asset_find(cf, "b"), "password");
	assert_string_equal(s, SECRET "-env");
	xfree(s);
	s = asset_secret(config_asset_find(cf, "c"), "password");
	assert_string_equal(s, SECRET "-plain");	/* KEY= first */
	xfree(s);
	assert_null(asset_secret(config_asset_find(cf, "a"), "nope"));
	assert_null(asset_get(config_asset_find(cf, "c"), "password"));
	assert_string_equal(asset_get(config_asset_find(cf, "b"),
	    "password_env"), "MS_TEST_PW");
	unsetenv("MS_TEST_PW");
	s = asset_secret(config_asset_find(cf, "b"), "password");
	assert_null(s);		/* gone since */
	config_free(cf);
	g_free(conf);
	g_free(path);
	g_free(pw);
}

/* CONFIG_MAX_BYTES (config.c, 1 MiB): at the limit, and one past it. */
static void
size_limit(void **state)
{
	struct config	*cf;
	GString		*g = g_string_new("[engine]\nworkers=2\n");
	char		*path, err[512];

	(void)state;
	while (g->len < 1024 * 1024 - 80)
		g_string_append(g, "# a comment line of some length, to fill "
		    "the file up to its limit\n");
	while (g->len < 1024 * 1024 - 1)
		g_string_append_c(g, '#');
	g_string_append_c(g, '\n');
	assert_int_equal(g->len, 1024 * 1024);
	path = write_file("big.conf", g->str);
	assert_int_equal(config_load(path, apps, &cf, err, sizeof(err)),
	    MS_OK);
	assert_int_equal(config_get_int(cf, "engine", "workers", 8), 2);
	config_free(cf);
	g_free(path);
	g_string_append_c(g, '\n');
	path = write_file("big.conf", g->str);
	assert_int_equal(config_load(path, apps, &cf, err, sizeof(err)),
	    MS_EINVAL);
	assert_non_null(strstr(err, "not a configuration file"));
	g_free(path);
	g_string_free(g, TRUE);
}

/* A failing asset_init names the file, the asset's line and the asset,
 * and leaves no state behind. */
static void
init_failure(void **state)
{
	struct config	*cf;
	char		*path, err[512];

	(void)state;
	path = write_file("init.conf", "[asset g1]\napp=geo\ndb=/a.mmdb\n"
	    "\n[asset g2]\napp=geo\ndb=/b.mmdb\nfail=1\n");
	assert_int_equal(config_load(path, apps, &cf, err, sizeof(err)),
	    MS_OK);
	n_init = n_free = 0;
	assert_int_equal(config_assets_init(cf, err, sizeof(err)),
	    MS_EINVAL);
	assert_true(g_str_has_suffix(err, ":5: asset 'g2' (app geo): "
	    "cannot open /b.mmdb"));
	assert_true(g_str_has_prefix(err, path));
	assert_int_equal(n_init, 1);
	assert_int_equal(n_free, 1);
	assert_null(asset_state(config_asset(cf, 0)));
	config_free(cf);
	assert_int_equal(n_free, 1);
	g_free(path);
}

/* [detect]: every key read back, lists with either separator; assets
 * left unchecked when no app list is given (analyze --no-store). */
static void
detect_group(void **state)
{
	struct config	*cf = NULL;
	char		*path, err[512];

	(void)state;
	path = write_file("detect.conf", "[detect]\n"
	    "org_domains = corp.example; corp-mail.example.net,x1.example\n"
	    "vips = Jane Boss <jane@corp.example>; The CFO; ceo@corp.example\n"
	    "authserv_id = mx1.corp.example, mx2.corp.example\n"
	    "\n[asset m]\napp=nosuchapp\n");
	assert_int_equal(config_load(path, NULL, &cf, err, sizeof(err)),
	    MS_OK);
	assert_string_equal(config_get(cf, "detect", "org_domains"),
	    "corp.example; corp-mail.example.net,x1.example");
	assert_string_equal(config_get(cf, "detect", "vips"),
	    "Jane Boss <jane@corp.example>; The CFO; ceo@corp.example");
	assert_string_equal(config_get(cf, "detect", "authserv_id"),
	    "mx1.corp.example, mx2.corp.example");
	assert_int_equal(config_n_assets(cf), 0);
	config_free(cf);
	/* With the apps, the asset is checked. */
	assert_int_equal(config_load(path, apps, &cf, err, sizeof(err)),
	    MS_EINVAL);
	assert_non_null(strstr(err, "unknown app 'nosuchapp'"));
	g_free(path);
}

static void
detect_errors(void **state)
{
	(void)state;
	expect_err("[detect]\norg_domains=corp.example\nbrands=x\n", 3,
	    "unknown key 'brands' in [detect]; valid: org_domains=, vips=, "
	    "authserv_id=");
	expect_err("[detect]\norg_domains=corp..example\n", 2,
	    "[detect] org_domains: 'corp..example' is not a domain name");
	expect_err("[detect]\norg_domains=a.example;localhost\n", 2,
	    "'localhost' is not a domain name");
	expect_err("[detect]\norg_domains=-a.example\n", 2,
	    "'-a.example' is not a domain name");
	expect_err("[detect]\norg_domains=a_b.example\n", 2,
	    "'a_b.example' is not a domain name");
	expect_err("[detect]\norg_domains= ; \n", 2,
	    "[detect] org_domains: expected one domain or more");
	expect_err("\n[detect]\nvips=Jane <jane@corp.example\n", 3,
	    "[detect] vips: 'Jane <jane@corp.example': expected Name "
	    "<address>");
	expect_err("[detect]\nvips=Jane <jane>\n", 2,
	    "[detect] vips: 'jane' is not an email address");
	expect_err("[detect]\nvips=Boss;boss@\n", 2,
	    "'boss@' is not an email address");
	expect_err("[detect]\nvips=;\n", 2, "[detect] vips: expected");
	expect_err("[detect]\nauthserv_id=mx.corp.example (v1)\n", 2,
	    "[detect] authserv_id: '(v1)' is not an authserv-id");
	expect_err("[detect]\nauthserv_id=\n", 2,
	    "[detect] authserv_id: expected one authserv-id or more");
	expect_err("[detect]\norg_domains=a.example\n[detect]\n", 3,
	    "group [detect] appears twice");
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(good_file),
		cmocka_unit_test(empty),
		cmocka_unit_test(errors),
		cmocka_unit_test(feeds),
		cmocka_unit_test(detect_group),
		cmocka_unit_test(detect_errors),
		cmocka_unit_test(unreadable),
		cmocka_unit_test(secrets),
		cmocka_unit_test(init_failure),
		cmocka_unit_test(size_limit),
	};

	return cmocka_run_group_tests(tests, setup, teardown);
}
