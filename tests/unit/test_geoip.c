/* SPDX-License-Identifier: Apache-2.0 */
/*
 * test_geoip.c -- the geoip app against MaxMind's test databases in
 * MS_CORPUS/maxmind-test-dbs.  What each address must map to comes from
 * the corpus' EXPECTED-*.tsv files, read here (not copied): for every
 * network listed, its first address is looked up and compared with the
 * most specific network that holds it.  Every corrupt database of
 * bad-data/ (and the broken ones of test-data/) must be refused when
 * the asset loads, with an error naming the file.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <math.h>
#include <arpa/inet.h>

#include <cmocka.h>
#include <glib.h>
#include <jansson.h>

#include "apps/apps.h"
#include "engine/action.h"
#include "engine/config.h"

#define DBS	MS_CORPUS "/maxmind-test-dbs"
#define TDATA	DBS "/test-data"

static char	*tmpdir;

/* One row of an EXPECTED-*.tsv file, its network mapped into IPv6 the
 * way MaxMind's trees hold IPv4 (::a.b.c.d). */
struct row {
	char		**f;		/* the fields */
	char		 *addr;		/* the network's first address */
	unsigned char	  net[16];
	int		  plen;
};

static int
parse_net(const char *s, struct row *r)
{
	char	**p = g_strsplit(s, "/", 2);
	int	  ok = 0;

	if (p[0] == NULL || p[1] == NULL)
		goto out;
	r->addr = g_strdup(p[0]);
	memset(r->net, 0, sizeof(r->net));
	if (inet_pton(AF_INET, p[0], r->net + 12) == 1) {
		r->plen = 96 + (int)g_ascii_strtoll(p[1], NULL, 10);
		ok = 1;
	} else if (inet_pton(AF_INET6, p[0], r->net) == 1) {
		r->plen = (int)g_ascii_strtoll(p[1], NULL, 10);
		ok = 1;
	}
out:
	g_strfreev(p);
	return ok;
}

/* Rows of 'file' whose first field is 'db' (or all when NULL), the
 * network in field 'netcol'. */
static GPtrArray *
read_tsv(const char *file, const char *db, int netcol)
{
	GPtrArray	*rows = g_ptr_array_new();
	char		*text, **lines, *path;
	struct row	*r;
	size_t		 i;

	path = g_build_filename(DBS, file, NULL);
	assert_true(g_file_get_contents(path, &text, NULL, NULL));
	lines = g_strsplit(text, "\n", -1);
	for (i = 0; lines[i] != NULL; i++) {
		if (lines[i][0] == '#' || lines[i][0] == '\0')
			continue;
		r = g_new0(struct row, 1);
		r->f = g_strsplit(lines[i], "\t", -1);
		if ((db != NULL && strcmp(r->f[0], db) != 0) ||
		    !parse_net(r->f[netcol], r)) {	/* header, other db */
			g_strfreev(r->f);
			g_free(r->addr);
			g_free(r);
			continue;
		}
		g_ptr_array_add(rows, r);
	}
	assert_true(rows->len > 10);
	g_strfreev(lines);
	g_free(text);
	g_free(path);
	return rows;
}

static void
free_rows(GPtrArray *rows)
{
	struct row	*r;
	size_t		 i;

	for (i = 0; i < rows->len; i++) {
		r = g_ptr_array_index(rows, i);
		g_strfreev(r->f);
		g_free(r->addr);
		g_free(r);
	}
	g_ptr_array_free(rows, TRUE);
}

static int
in_net(const unsigned char *a, const struct row *r)
{
	int	i, bits = r->plen;

	for (i = 0; bits > 0; i++, bits -= 8) {
		unsigned char m = bits >= 8 ? 0xff : (0xff << (8 - bits));

		if ((a[i] & m) != (r->net[i] & m))
			return 0;
	}
	return 1;
}

/* The most specific row that holds 'a', or NULL. */
static const struct row *
best(GPtrArray *rows, const unsigned char *a)
{
	const struct row	*r, *b = NULL;
	size_t			 i;

	for (i = 0; i < rows->len; i++) {
		r = g_ptr_array_index(rows, i);
		if (in_net(a, r) && (b == NULL || r->plen > b->plen))
			b = r;
	}
	return b;
}

static struct config *
load(const char *text, char *err, size_t errlen, enum ms_err want)
{
	struct config	*cf = NULL;
	char		*path = g_build_filename(tmpdir, "geo.conf", NULL);
	enum ms_err	 rc;

	assert_true(g_file_set_contents(path, text, -1, NULL));
	assert_int_equal(config_load(path, app_builtin, &cf, err, errlen),
	    MS_OK);
	rc = config_assets_init(cf, err, errlen);
	if (rc != want)
		fail_msg("config_assets_init: %d, want %d: %s", rc, want,
		    err);
	g_free(path);
	return cf;
}

static struct config *
load_dbs(const char *db, const char *asn, const char *concern)
{
	struct config	*cf;
	char		*text, err[1024];

	text = g_strdup_printf("[asset geo]\napp=geoip\ndatabase=%s/%s\n"
	    "%s%s%s%s%s%s\n", TDATA, db,
	    asn ? "asn_database=" TDATA "/" : "", asn ? asn : "",
	    asn ? "\n" : "", concern ? "countries_of_concern=" : "",
	    concern ? concern : "", concern ? "\n" : "");
	cf = load(text, err, sizeof(err), MS_OK);
	g_free(text);
	return cf;
}

/* Run "geolocate ip" on 'ip'; the result as JSON. */
static json_t *
geolocate(struct config *cf, const char *ip)
{
	const struct asset	*as = config_asset_find(cf, "geo");
	const char		*k = "ip";
	struct action_ctx	*ctx;
	json_t			*j;
	char			*s, err[256];

	ctx = action_ctx_new(action_find(&geoip_app, "geolocate ip"), as,
	    &k, &ip, 1, 5000);
	assert_int_equal(action_ctx_check(ctx, err, sizeof(err)), MS_OK);
	action_ctx_run(ctx);
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

static json_t *
item0(json_t *res)
{
	return json_array_get(json_object_get(res, "data"), 0);
}

/* 'key' of 'o' is 'want', or absent when 'want' is empty. */
static void
expect_str(json_t *o, const char *key, const char *want, const char *ip)
{
	const char	*got = jstr(o, key);

	if (want[0] == '\0' && got == NULL)
		return;
	if (got == NULL || strcmp(got, want) != 0)
		fail_msg("%s: %s is \"%s\", want \"%s\"", ip, key,
		    got ? got : "(absent)", want);
}

static void
expect_num(json_t *o, const char *key, const char *want, const char *ip)
{
	json_t	*v = json_object_get(o, key);

	if (want[0] == '\0') {
		assert_null(v);
		return;
	}
	if (v == NULL || fabs(json_number_value(v) - g_ascii_strtod(want,
	    NULL)) > 1e-6)
		fail_msg("%s: %s is %g, want %s", ip, key,
		    json_number_value(v), want);
}

/* Look every row's first address up; check its most specific row. */
static void
check_rows(struct config *cf, GPtrArray *rows,
    void (*cmp)(json_t *, const struct row *))
{
	const struct row	*r, *want;
	json_t			*res;
	size_t			 i;

	for (i = 0; i < rows->len; i++) {
		r = g_ptr_array_index(rows, i);
		want = best(rows, r->net);
		res = geolocate(cf, r->addr);
		if (strcmp(jstr(res, "status"), "success") != 0)
			fail_msg("%s: %s", r->addr, jstr(res, "message"));
		cmp(res, want);
		json_decref(res);
	}
}

/* EXPECTED-city.tsv: network country city_en subdivisions lat lon */
static void
cmp_city(json_t *res, const struct row *w)
{
	json_t		*d = item0(res), *subs, *v;
	GString		*s = g_string_new(NULL);
	const char	*ip = w->addr;
	size_t		 i;

	assert_non_null(d);
	expect_str(d, "country_iso_code", w->f[1], ip);
	expect_str(d, "city_name", w->f[2], ip);
	subs = json_object_get(d, "subdivision_iso_codes");
	json_array_foreach(subs, i, v)
		g_string_append_printf(s, "%s%s", i ? "," : "",
		    json_string_value(v));
	if (strcmp(s->str, w->f[3]) != 0)
		fail_msg("%s: subdivisions %s, want %s", ip, s->str,
		    w->f[3]);
	g_string_free(s, TRUE);
	expect_num(d, "latitude", w->f[4], ip);
	expect_num(d, "longitude", w->f[5], ip);
	expect_str(json_object_get(res, "summary"), "country", w->f[1], ip);
}

/* EXPECTED-country.tsv: db network country registered represented
 * continent traits */
static void
cmp_country(json_t *res, const struct row *w)
{
	json_t	*d = item0(res), *sum = json_object_get(res, "summary");
	int	 concern;

	assert_non_null(d);
	expect_str(d, "country_iso_code", w->f[2], w->addr);
	expect_str(d, "registered_country_iso_code", w->f[3], w->addr);
	expect_str(d, "continent_code", w->f[5], w->addr);
	/* The test asset names CN and BT as countries of concern. */
	concern = strcmp(w->f[2], "CN") == 0 || strcmp(w->f[3], "CN") == 0 ||
	    strcmp(w->f[2], "BT") == 0 || strcmp(w->f[3], "BT") == 0;
	if (json_is_true(json_object_get(sum, "country_of_concern")) !=
	    concern)
		fail_msg("%s: country_of_concern should be %d", w->addr,
		    concern);
}

/* EXPECTED-asn.tsv: network asn org */
static void
cmp_asn(json_t *res, const struct row *w)
{
	json_t	*d = item0(res);

	assert_non_null(d);
	expect_num(d, "asn", w->f[1], w->addr);
	expect_str(d, "as_org", w->f[2], w->addr);
}

static void
city(void **state)
{
	struct config	*cf = load_dbs("GeoIP2-City-Test.mmdb", NULL, NULL);
	GPtrArray	*rows = read_tsv("EXPECTED-city.tsv", NULL, 0);

	(void)state;
	check_rows(cf, rows, cmp_city);
	free_rows(rows);
	config_free(cf);
}

static void
country(void **state)
{
	static const char *const dbs[] = { "GeoIP2-Country-Test",
	    "GeoLite2-Country-Test" };
	struct config	*cf;
	GPtrArray	*rows;
	char		*f;
	size_t		 i;

	(void)state;
	for (i = 0; i < 2; i++) {
		f = g_strconcat(dbs[i], ".mmdb", NULL);
		cf = load_dbs(f, NULL, "cn; bt");
		rows = read_tsv("EXPECTED-country.tsv", dbs[i], 1);
		check_rows(cf, rows, cmp_country);
		free_rows(rows);
		config_free(cf);
		g_free(f);
	}
}

static void
asn(void **state)
{
	struct config	*cf = load_dbs("GeoIP2-Country-Test.mmdb",
	    "GeoLite2-ASN-Test.mmdb", NULL);
	GPtrArray	*rows = read_tsv("EXPECTED-asn.tsv", NULL, 0);

	(void)state;
	check_rows(cf, rows, cmp_asn);
	free_rows(rows);
	config_free(cf);
}

/* City and AS data in one item; the summary says both. */
static void
city_and_asn(void **state)
{
	struct config	*cf = load_dbs("GeoIP2-City-Test.mmdb",
	    "GeoLite2-ASN-Test.mmdb", "GB");
	GPtrArray	*rows = read_tsv("EXPECTED-asn.tsv", NULL, 0);
	const char	*ip = "81.2.69.142";
	json_t		*res, *sum;
	unsigned char	 a[16] = { 0 };

	(void)state;
	res = geolocate(cf, ip);
	sum = json_object_get(res, "summary");
	assert_string_equal(jstr(sum, "country"), "GB");
	assert_string_equal(jstr(sum, "city"), "London");
	assert_true(json_is_true(json_object_get(sum, "country_of_concern")));
	assert_non_null(strstr(jstr(res, "message"), "London, GB"));
	assert_int_equal(inet_pton(AF_INET, ip, a + 12), 1);
	if (best(rows, a) != NULL)
		assert_non_null(json_object_get(item0(res), "asn"));
	else
		assert_null(json_object_get(item0(res), "asn"));
	json_decref(res);
	free_rows(rows);
	config_free(cf);
}

/* Not in the database: success, a message, no data. */
static void
not_found(void **state)
{
	struct config	*cf = load_dbs("GeoIP2-City-Test.mmdb", NULL, NULL);
	GPtrArray	*rows = read_tsv("EXPECTED-city.tsv", NULL, 0);
	unsigned char	 a[16] = { 0 };
	json_t		*res;

	(void)state;
	assert_int_equal(inet_pton(AF_INET, "10.0.0.1", a + 12), 1);
	assert_null(best(rows, a));	/* the corpus agrees */
	res = geolocate(cf, "10.0.0.1");
	assert_string_equal(jstr(res, "status"), "success");
	assert_non_null(strstr(jstr(res, "message"), "not found"));
	assert_int_equal(json_array_size(json_object_get(res, "data")), 0);
	json_decref(res);
	free_rows(rows);
	config_free(cf);
}

/* Not an IP: failed, not worth a retry. */
static void
invalid_ip(void **state)
{
	static const char *const bad[] = { "999.1.1.1", "example.com",
	    "1.2.3.4/24", "fe80::1%lo", "10.1", " 1.2.3.4", "1.2.3.4 ",
	    "::g", "1.2.3.4\xff" };
	struct config		*cf = load_dbs("GeoIP2-City-Test.mmdb", NULL,
	    NULL);
	const struct asset	*as = config_asset_find(cf, "geo");
	struct action_ctx	*ctx;
	const char		*k = "ip";
	size_t			 i;

	(void)state;
	for (i = 0; i < MS_ARRAY_LEN(bad); i++) {
		ctx = action_ctx_new(action_find(&geoip_app, "geolocate ip"),
		    as, &k, &bad[i], 1, 5000);
		action_ctx_run(ctx);
		assert_false(action_ctx_ok(ctx));
		assert_false(action_ctx_transient(ctx));
		assert_non_null(strstr(action_ctx_message(ctx),
		    "is not an IP address"));
		action_ctx_free(ctx);
	}
	config_free(cf);
}

/* 'db' as database= is refused, with an error naming it. */
static void
expect_refused(const char *setting, const char *db, const char *why)
{
	struct config	*cf;
	char		*text, err[1024];

	text = g_strdup_printf("[asset geo]\napp=geoip\n"
	    "database=%s\n%s=%s\n", strcmp(setting, "database") == 0 ? db :
	    TDATA "/GeoIP2-City-Test.mmdb", setting, db);
	if (strcmp(setting, "database") == 0)
		text[strlen(text) - strlen(db) - 10] = '\0';	/* one line */
	cf = load(text, err, sizeof(err), MS_EINVAL);
	if (strstr(err, db) == NULL || (why && strstr(err, why) == NULL))
		fail_msg("%s: error \"%s\" should name it and say \"%s\"", db,
		    err, why ? why : "");
	print_message("refused: %s\n", strstr(err, "): ") + 3);
	assert_null(asset_state(config_asset(cf, 0)));
	config_free(cf);
	g_free(text);
}

static void
bad_data(void **state)
{
	static const char *const broken[] = {
		TDATA "/GeoIP2-City-Test-Broken-Double-Format.mmdb",
		TDATA "/GeoIP2-City-Test-Invalid-Node-Count.mmdb",
		TDATA "/MaxMind-DB-test-broken-pointers-24.mmdb",
		TDATA "/MaxMind-DB-test-broken-search-tree-24.mmdb",
	};
	GDir		*top, *sub;
	const char	*n, *m;
	char		*dir, *p;
	size_t		 i;
	int		 count = 0;

	(void)state;
	top = g_dir_open(DBS "/bad-data", 0, NULL);
	assert_non_null(top);
	while ((n = g_dir_read_name(top)) != NULL) {
		dir = g_build_filename(DBS "/bad-data", n, NULL);
		sub = g_dir_open(dir, 0, NULL);
		while (sub != NULL && (m = g_dir_read_name(sub)) != NULL) {
			if (!g_str_has_suffix(m, ".mmdb"))
				continue;
			p = g_build_filename(dir, m, NULL);
			expect_refused("database", p, NULL);
			expect_refused("asn_database", p, NULL);
			g_free(p);
			count++;
		}
		if (sub != NULL)
			g_dir_close(sub);
		g_free(dir);
	}
	g_dir_close(top);
	assert_true(count >= 20);
	for (i = 0; i < MS_ARRAY_LEN(broken); i++)
		expect_refused("database", broken[i], NULL);
}

static void
wrong_files(void **state)
{
	struct config	*cf;
	char		 err[1024];

	(void)state;
	expect_refused("database", TDATA "/nonexistent.mmdb",
	    "No such file");
	expect_refused("database", TDATA "/README.md",
	    "invalid metadata");
	expect_refused("database", TDATA "/GeoLite2-ASN-Test.mmdb",
	    "holds no country data");
	expect_refused("asn_database", TDATA "/GeoIP2-City-Test.mmdb",
	    "holds no AS data");
	expect_refused("database", TDATA "/MaxMind-DB-test-ipv4-24.mmdb",
	    "holds no country data");
	cf = load("[asset geo]\napp=geoip\ndatabase=" TDATA
	    "/GeoIP2-City-Test.mmdb\ncountries_of_concern=CN;KPX\n", err,
	    sizeof(err), MS_EINVAL);
	assert_non_null(strstr(err, "'KPX' is not a two-letter"));
	config_free(cf);
}

static void
asset_test(void **state)
{
	struct config		*cf = load_dbs("GeoIP2-City-Test.mmdb",
	    "GeoLite2-ASN-Test.mmdb", NULL);
	struct app_action	 t = { "test", NULL, NULL, NULL,
	    geoip_app.test, 0 };
	struct app_param	 none = { NULL, NULL, 0, NULL };
	struct action_ctx	*ctx;

	(void)state;
	t.params = &none;
	ctx = action_ctx_new(&t, config_asset(cf, 0), NULL, NULL, 0, 1000);
	action_ctx_run(ctx);
	assert_true(action_ctx_ok(ctx));
	assert_non_null(strstr(action_ctx_message(ctx), "GeoIP2-City"));
	assert_non_null(strstr(action_ctx_message(ctx), "GeoLite2-ASN"));
	action_ctx_free(ctx);
	config_free(cf);
}

static int
setup(void **state)
{
	(void)state;
	tmpdir = g_dir_make_tmp("test_geoip_XXXXXX", NULL);
	return tmpdir == NULL;
}

static int
teardown(void **state)
{
	char	*p = g_build_filename(tmpdir, "geo.conf", NULL);

	(void)state;
	remove(p);
	remove(tmpdir);
	g_free(p);
	g_free(tmpdir);
	return 0;
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(city),
		cmocka_unit_test(country),
		cmocka_unit_test(asn),
		cmocka_unit_test(city_and_asn),
		cmocka_unit_test(not_found),
		cmocka_unit_test(invalid_ip),
		cmocka_unit_test(bad_data),
		cmocka_unit_test(wrong_files),
		cmocka_unit_test(asset_test),
	};

	return cmocka_run_group_tests(tests, setup, teardown);
}
