/* SPDX-License-Identifier: Apache-2.0 */
/*
 * geoip.c -- the geoip app: "geolocate ip" over MaxMind DB files
 * (libmaxminddb; the only code that includes maxminddb.h).  Runs on the
 * engine's worker threads; the databases are opened once per asset
 * (mmap) and only read afterwards, which libmaxminddb allows from many
 * threads at once.
 *
 * A database file is trusted no more than its bytes: libmaxminddb
 * checks what it decodes, but only what a lookup touches.  So that a
 * damaged file is refused when the asset loads, not when a playbook
 * needs it, verify() walks the whole search tree and decodes
 * every data record once (about a second for a full city database).
 */
#include <arpa/inet.h>
#include <errno.h>
#include <stdio.h>
#include <string.h>

#include <glib.h>
#include <maxminddb.h>

#include "apps.h"

/* A build time past year 9999 is damage, and would overflow time
 * conversions (bad-data/libmaxminddb-uint64-max-epoch.mmdb). */
#define GEOIP_MAX_EPOCH		253402300799ULL

struct geoip {
	MMDB_s	 db;		/* country or city */
	MMDB_s	 asn;
	int	 has_asn;
	char	**concern;	/* ISO 3166-1 alpha-2, upper case */
};

/* What a database must hold to be of use: one of these top-level keys in
 * at least one record. */
static const char *const country_keys[] = {
	"country", "registered_country", "continent", NULL
};
static const char *const asn_keys[] = { "autonomous_system_number", NULL };

/* Every string of one record, map keys included, must be UTF-8. */
static int
list_valid(const MMDB_entry_data_list_s *l)
{
	for (; l != NULL; l = l->next)
		if (l->entry_data.type == MMDB_DATA_TYPE_UTF8_STRING &&
		    !g_utf8_validate_len(l->entry_data.utf8_string,
		    l->entry_data.data_size, NULL))
			return 0;
	return 1;
}

/* Does the record at 'e' have one of the top-level 'keys'? */
static int
has_key(MMDB_entry_s *e, const char *const *keys)
{
	MMDB_entry_data_s	 ed;
	const char		*path[2] = { NULL, NULL };

	for (; *keys != NULL; keys++) {
		path[0] = *keys;
		if (MMDB_aget_value(e, &ed, path) == MMDB_SUCCESS &&
		    ed.has_data)
			return 1;
	}
	return 0;
}

/* Decode every data record in 'recs' (offset set); count those with
 * 'keys'.  Returns an MMDB status, or -1 for a string not in UTF-8. */
static int
verify_records(MMDB_s *db, GHashTable *recs, const char *const *keys,
    unsigned *useful)
{
	MMDB_entry_data_list_s	*list;
	GHashTableIter		 it;
	MMDB_entry_s		 e;
	gpointer		 k;
	int			 st;

	g_hash_table_iter_init(&it, recs);
	while (g_hash_table_iter_next(&it, &k, NULL)) {
		e.mmdb = db;
		e.offset = (uint32_t)GPOINTER_TO_UINT(k) - 1;
		list = NULL;
		st = MMDB_get_entry_data_list(&e, &list);
		if (st == MMDB_SUCCESS && !list_valid(list))
			st = -1;
		MMDB_free_entry_data_list(list);
		if (st != MMDB_SUCCESS)
			return st;
		if (has_key(&e, keys))
			(*useful)++;
	}
	return MMDB_SUCCESS;
}

/*
 * Check all of 'db': metadata, every node of the search tree, every
 * data record.  'keys' say what the database must contain; 'what' names
 * it in the message ("country", "AS").
 */
static enum ms_err
verify(MMDB_s *db, const char *setting, const char *path,
    const char *const *keys, const char *what, char *err, size_t errlen)
{
	MMDB_entry_data_list_s	*meta = NULL;
	MMDB_search_node_s	 node;
	GHashTable		*recs;
	enum ms_err		 rc = MS_EINVAL;
	unsigned		 useful = 0;
	uint32_t		 i;
	int			 st;

	recs = g_hash_table_new(g_direct_hash, g_direct_equal);
	st = MMDB_get_metadata_as_entry_data_list(db, &meta);
	if (st == MMDB_SUCCESS && !list_valid(meta))
		st = MMDB_INVALID_METADATA_ERROR;
	if (st == MMDB_SUCCESS && db->metadata.build_epoch > GEOIP_MAX_EPOCH)
		st = MMDB_INVALID_METADATA_ERROR;
	for (i = 0; st == MMDB_SUCCESS && i < db->metadata.node_count; i++) {
		st = MMDB_read_node(db, i, &node);
		if (st != MMDB_SUCCESS)
			break;
		if (node.left_record_type == MMDB_RECORD_TYPE_INVALID ||
		    node.right_record_type == MMDB_RECORD_TYPE_INVALID)
			st = MMDB_CORRUPT_SEARCH_TREE_ERROR;
		/* Offsets + 1: the set cannot hold 0 as a key. */
		if (node.left_record_type == MMDB_RECORD_TYPE_DATA)
			g_hash_table_add(recs, GUINT_TO_POINTER(
			    node.left_record_entry.offset + 1));
		if (node.right_record_type == MMDB_RECORD_TYPE_DATA)
			g_hash_table_add(recs, GUINT_TO_POINTER(
			    node.right_record_entry.offset + 1));
	}
	if (st == MMDB_SUCCESS)
		st = verify_records(db, recs, keys, &useful);
	if (st == -1) {
		snprintf(err, errlen, "%s=%s: a string in the database is "
		    "not valid UTF-8 (a damaged file?)", setting, path);
		goto out;
	}
	if (st != MMDB_SUCCESS) {
		snprintf(err, errlen, "%s=%s: %s", setting, path,
		    MMDB_strerror(st));
		goto out;
	}
	if (useful == 0) {
		snprintf(err, errlen, "%s=%s: a %s database holds no %s "
		    "data; %s= needs a MaxMind %s database", setting, path,
		    db->metadata.database_type ? db->metadata.database_type :
		    "(untyped)", what, setting, what);
		goto out;
	}
	rc = MS_OK;
out:
	MMDB_free_entry_data_list(meta);
	g_hash_table_destroy(recs);
	return rc;
}

static enum ms_err
open_db(const struct asset *as, const char *setting,
    const char *const *keys, const char *what, MMDB_s *db, char *err,
    size_t errlen)
{
	const char	*path = asset_get(as, setting);
	int		 st;

	st = MMDB_open(path, MMDB_MODE_MMAP, db);
	if (st == MMDB_FILE_OPEN_ERROR || st == MMDB_IO_ERROR) {
		snprintf(err, errlen, "%s=%s: %s (%s)", setting, path,
		    MMDB_strerror(st), g_strerror(errno));
		return MS_EINVAL;
	}
	if (st != MMDB_SUCCESS) {
		snprintf(err, errlen, "%s=%s: %s", setting, path,
		    MMDB_strerror(st));
		return MS_EINVAL;	/* MMDB_open cleaned up */
	}
	if (verify(db, setting, path, keys, what, err, errlen) != MS_OK) {
		MMDB_close(db);
		return MS_EINVAL;
	}
	return MS_OK;
}

/* countries_of_concern=CN;KP;ir -> upper-case codes. */
static enum ms_err
parse_concern(const char *val, char ***out, char *err, size_t errlen)
{
	GPtrArray	*a = g_ptr_array_new_with_free_func(g_free);
	char		**v = g_strsplit_set(val ? val : "", ";, ", -1);
	enum ms_err	 rc = MS_EINVAL;
	size_t		 i;

	for (i = 0; v[i] != NULL; i++) {
		if (v[i][0] == '\0')
			continue;
		if (strlen(v[i]) != 2 || !g_ascii_isalpha(v[i][0]) ||
		    !g_ascii_isalpha(v[i][1])) {
			snprintf(err, errlen, "countries_of_concern: '%s' is "
			    "not a two-letter ISO 3166 country code", v[i]);
			goto out;
		}
		g_ptr_array_add(a, g_ascii_strup(v[i], -1));
	}
	g_ptr_array_add(a, NULL);
	*out = (char **)g_ptr_array_free(a, FALSE);
	a = NULL;
	rc = MS_OK;
out:
	if (a != NULL)
		g_ptr_array_free(a, TRUE);
	g_strfreev(v);
	return rc;
}

static void
geoip_free(void *state)
{
	struct geoip	*g = state;

	if (g == NULL)
		return;
	MMDB_close(&g->db);
	if (g->has_asn)
		MMDB_close(&g->asn);
	g_strfreev(g->concern);
	g_free(g);
}

static enum ms_err
geoip_init(const struct asset *as, void **state, char *err, size_t errlen)
{
	struct geoip	*g = g_new0(struct geoip, 1);

	*state = NULL;
	if (parse_concern(asset_get(as, "countries_of_concern"), &g->concern,
	    err, errlen) != MS_OK) {
		g_free(g);
		return MS_EINVAL;
	}
	if (open_db(as, "database", country_keys, "country", &g->db, err,
	    errlen) != MS_OK) {
		g_strfreev(g->concern);
		g_free(g);
		return MS_EINVAL;
	}
	if (asset_get(as, "asn_database") != NULL) {
		if (open_db(as, "asn_database", asn_keys, "AS", &g->asn, err,
		    errlen) != MS_OK) {
			geoip_free(g);
			return MS_EINVAL;
		}
		g->has_asn = 1;
	}
	*state = g;
	return MS_OK;
}

/* ---- lookups ---------------------------------------------------------- */

/* The string at 'path' of 'e' (NULL-terminated), newly allocated, or
 * NULL when absent or not a string. */
static char *
get_str(MMDB_entry_s *e, const char *const *path)
{
	MMDB_entry_data_s	ed;

	if (MMDB_aget_value(e, &ed, path) != MMDB_SUCCESS || !ed.has_data ||
	    ed.type != MMDB_DATA_TYPE_UTF8_STRING)
		return NULL;
	return g_strndup(ed.utf8_string, ed.data_size);
}

/* Set 'key' of 'd' to the string at 'path', when there is one. */
static void
set_str(struct rdict *d, const char *key, MMDB_entry_s *e,
    const char *const *path)
{
	char	*s = get_str(e, path);

	if (s != NULL)
		rdict_set_str(d, key, s);
	g_free(s);
}

static void
set_double(struct rdict *d, const char *key, MMDB_entry_s *e,
    const char *const *path)
{
	MMDB_entry_data_s	ed;

	if (MMDB_aget_value(e, &ed, path) != MMDB_SUCCESS || !ed.has_data)
		return;
	if (ed.type == MMDB_DATA_TYPE_DOUBLE)
		rdict_set_real(d, key, ed.double_value);
	else if (ed.type == MMDB_DATA_TYPE_FLOAT)
		rdict_set_real(d, key, ed.float_value);
}

/* All subdivisions' ISO codes; the first one's name and code. */
static void
set_subdivisions(struct rdict *d, MMDB_entry_s *e)
{
	static const char *const p_first[] = { "subdivisions", "0",
	    "iso_code", NULL };
	static const char *const p_name[] = { "subdivisions", "0", "names",
	    "en", NULL };
	const char		*path[4] = { "subdivisions", NULL, "iso_code",
	    NULL };
	struct rlist		*l = NULL;
	char			 idx[16], *s;
	int			 i;

	set_str(d, "state_iso_code", e, p_first);
	set_str(d, "state_name", e, p_name);
	for (i = 0; i < 16; i++) {
		snprintf(idx, sizeof(idx), "%d", i);
		path[1] = idx;
		s = get_str(e, path);
		if (s == NULL)
			break;
		if (l == NULL)
			l = rdict_add_list(d, "subdivision_iso_codes");
		rlist_add_str(l, s);
		g_free(s);
	}
}

/* Fill 'd' from the country or city record 'e'. */
static void
set_location(struct rdict *d, MMDB_entry_s *e)
{
	static const char *const p_cc[] = { "country", "iso_code", NULL };
	static const char *const p_cn[] = { "country", "names", "en", NULL };
	static const char *const p_rc[] = { "registered_country",
	    "iso_code", NULL };
	static const char *const p_kc[] = { "continent", "code", NULL };
	static const char *const p_kn[] = { "continent", "names", "en",
	    NULL };
	static const char *const p_city[] = { "city", "names", "en", NULL };
	static const char *const p_post[] = { "postal", "code", NULL };
	static const char *const p_lat[] = { "location", "latitude", NULL };
	static const char *const p_lon[] = { "location", "longitude", NULL };
	static const char *const p_tz[] = { "location", "time_zone", NULL };

	set_str(d, "country_iso_code", e, p_cc);
	set_str(d, "country_name", e, p_cn);
	set_str(d, "registered_country_iso_code", e, p_rc);
	set_str(d, "continent_code", e, p_kc);
	set_str(d, "continent", e, p_kn);
	set_str(d, "city_name", e, p_city);
	set_subdivisions(d, e);
	set_str(d, "postal_code", e, p_post);
	set_double(d, "latitude", e, p_lat);
	set_double(d, "longitude", e, p_lon);
	set_str(d, "time_zone", e, p_tz);
}

/* Fill 'd' from the ASN record 'e'. */
static void
set_asn(struct rdict *d, MMDB_entry_s *e)
{
	static const char *const p_asn[] = { "autonomous_system_number",
	    NULL };
	static const char *const p_org[] = {
	    "autonomous_system_organization", NULL };
	MMDB_entry_data_s	ed;

	if (MMDB_aget_value(e, &ed, p_asn) == MMDB_SUCCESS && ed.has_data &&
	    ed.type == MMDB_DATA_TYPE_UINT32)
		rdict_set_int(d, "asn", ed.uint32);
	set_str(d, "as_org", e, p_org);
}

static int
concerning(const struct geoip *g, const char *cc)
{
	size_t	i;

	for (i = 0; cc != NULL && g->concern[i] != NULL; i++)
		if (strcmp(g->concern[i], cc) == 0)
			return 1;
	return 0;
}

/* Look 'ip' up in 'db'.  0 found, 1 not in the database, -1 error with
 * the action failed. */
static int
lookup(struct action_ctx *ctx, MMDB_s *db, const char *ip,
    MMDB_entry_s *out)
{
	MMDB_lookup_result_s	r;
	int			gai = 0, st = MMDB_SUCCESS;

	r = MMDB_lookup_string(db, ip, &gai, &st);
	if (gai != 0) {
		action_fail(ctx, 0, "'%s' is not an IP address", ip);
		return -1;
	}
	if (st == MMDB_IPV6_LOOKUP_IN_IPV4_DATABASE_ERROR)
		return 1;
	if (st != MMDB_SUCCESS) {
		action_fail(ctx, 0, "%s: %s", ip, MMDB_strerror(st));
		return -1;
	}
	if (!r.found_entry)
		return 1;
	*out = r.entry;
	return 0;
}

/* A numeric IPv4 or IPv6 address, nothing else (no host names, zones,
 * prefixes or short forms like "10.1"). */
static int
valid_ip(const char *s)
{
	unsigned char	buf[16];

	return inet_pton(AF_INET, s, buf) == 1 ||
	    inet_pton(AF_INET6, s, buf) == 1;
}

static enum ms_err
geolocate_ip(struct action_ctx *ctx)
{
	struct geoip	*g = action_state(ctx);
	const char	*ip = action_param(ctx, "ip");
	struct rdict	*d, *sum;
	MMDB_entry_s	 loc, asn;
	char		*cc, *rc, *city;
	int		 l, a = 1, concern;

	if (ip == NULL || !valid_ip(ip)) {
		action_fail(ctx, 0, "'%s' is not an IP address",
		    ip ? ip : "");
		return MS_OK;
	}
	l = lookup(ctx, &g->db, ip, &loc);
	if (l < 0)
		return MS_OK;
	if (g->has_asn && (a = lookup(ctx, &g->asn, ip, &asn)) < 0)
		return MS_OK;
	if (l == 1 && a == 1) {
		action_set_message(ctx, "%s not found in the database", ip);
		return MS_OK;
	}
	d = action_add_data(ctx);
	sum = action_summary(ctx);
	if (l == 0) {
		static const char *const p_cc[] = { "country", "iso_code",
		    NULL };
		static const char *const p_rc[] = { "registered_country",
		    "iso_code", NULL };
		static const char *const p_city[] = { "city", "names", "en",
		    NULL };

		set_location(d, &loc);
		cc = get_str(&loc, p_cc);
		rc = get_str(&loc, p_rc);
		city = get_str(&loc, p_city);
		concern = concerning(g, cc) || concerning(g, rc);
		rdict_set_str(sum, "country", cc);
		rdict_set_str(sum, "city", city);
		rdict_set_bool(sum, "country_of_concern", concern);
		action_set_message(ctx, "%s: %s%s%s%s", ip,
		    city ? city : "", city ? ", " : "",
		    cc ? cc : rc ? rc : "no country",
		    concern ? " (country of concern)" : "");
		g_free(cc);
		g_free(rc);
		g_free(city);
	} else {
		action_set_message(ctx, "%s: no location in the database",
		    ip);
	}
	if (a == 0) {
		set_asn(d, &asn);
		set_asn(sum, &asn);
	}
	return MS_OK;
}

/* `mailsoar asset test`: the databases were opened and checked by
 * asset_init; report what they are. */
static enum ms_err
geoip_test(struct action_ctx *ctx)
{
	struct geoip	*g = action_state(ctx);

	if (g == NULL) {
		action_fail(ctx, 0, "the databases are not open");
		return MS_OK;
	}
	action_set_message(ctx, "%s (%u nodes)%s%s",
	    g->db.metadata.database_type, g->db.metadata.node_count,
	    g->has_asn ? " and " : "",
	    g->has_asn ? g->asn.metadata.database_type : "");
	return MS_OK;
}

static const struct app_param geolocate_params[] = {
	{ "ip", "ip", APP_PARAM_REQUIRED, "IPv4 or IPv6 address" },
	{ NULL, NULL, 0, NULL }
};

static const struct app_output geolocate_outputs[] = {
	{ "action_result.data.*.country_iso_code", NULL },
	{ "action_result.data.*.country_name", NULL },
	{ "action_result.data.*.registered_country_iso_code", NULL },
	{ "action_result.data.*.continent", NULL },
	{ "action_result.data.*.continent_code", NULL },
	{ "action_result.data.*.city_name", NULL },
	{ "action_result.data.*.state_name", NULL },
	{ "action_result.data.*.state_iso_code", NULL },
	{ "action_result.data.*.subdivision_iso_codes", NULL },
	{ "action_result.data.*.postal_code", NULL },
	{ "action_result.data.*.latitude", NULL },
	{ "action_result.data.*.longitude", NULL },
	{ "action_result.data.*.time_zone", NULL },
	{ "action_result.data.*.asn", NULL },
	{ "action_result.data.*.as_org", NULL },
	{ "action_result.summary.country", NULL },
	{ "action_result.summary.city", NULL },
	{ "action_result.summary.country_of_concern", NULL },
	{ "action_result.parameter.ip", "ip" },
	{ NULL, NULL }
};

static const struct app_action geoip_actions[] = {
	{ "geolocate ip", "Country, city, coordinates and AS of an IP "
	    "address from MaxMind databases", geolocate_params,
	    geolocate_outputs, geolocate_ip, APP_ACTION_CACHEABLE },
	{ NULL, NULL, NULL, NULL, NULL, 0 }
};

static const struct app_setting geoip_settings[] = {
	{ "database", 1, 0, "path of a MaxMind country or city database "
	    "(.mmdb)" },
	{ "asn_database", 0, 0, "path of a MaxMind ASN database (.mmdb)" },
	{ "countries_of_concern", 0, 0, "ISO 3166 country codes, "
	    "';'-separated, flagged in the summary" },
	{ NULL, 0, 0, NULL }
};

const struct app geoip_app = {
	"geoip",
	"IP geolocation from MaxMind DB files (GeoIP2, GeoLite2)",
	geoip_actions,
	geoip_settings,
	geoip_init,
	geoip_free,
	geoip_test,
};
