/* SPDX-License-Identifier: Apache-2.0 */
/*
 * config.c -- mailsoar.conf (config.h) and the assets it declares
 * (struct asset, the asset_* functions of app.h and config.h).  Runs in
 * the daemon's main process at start and on SIGHUP, and in the CLI.
 * The file is written by the administrator and trusted to mean what it
 * says, but is checked strictly: a typo is an error naming FILE:LINE,
 * never a setting silently ignored.
 *
 * GKeyFile reads the values (escapes, ';'-separated lists) but reports
 * no line numbers for what it accepts, so the file is scanned here first
 * (scan_text): that pass checks the syntax, rejects repeated groups and
 * keys, and maps every group and key to its line.  Secret settings'
 * values never reach an error message or the log: the messages name
 * keys and lines, never the text of a line.
 */
#include <errno.h>
#include <limits.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <glib.h>

#include "config.h"
#include "config_int.h"

/* mailsoar.conf is a few KiB; anything larger is a mistake (a log file
 * given as config), not worth reading into memory. */
#define CONFIG_MAX_BYTES	(1024 * 1024)
/* A secret file holds one line (a password, a token). */
#define CONFIG_SECRET_MAX	(64 * 1024)

/* Separates group and key in the hash tables' keys. */
#define SEP	"\037"

struct asset {
	char			*name;
	const struct app	*app;
	GHashTable		*settings;	/* key -> value, as written */
	void			*state;		/* from app->asset_init */
	int			 inited;
	int			 line;		/* of [asset NAME] */
	int			 max_concurrent;
	int			 timeout_ms;
	int			 retries;
	int			 cache_ttl_s;
	char			*store_path;	/* config_set_store_path */
};

struct config {
	char		*path;		/* NULL for config_new_empty() */
	char		*store_path;	/* config_set_store_path, or NULL */
	GHashTable	*values;	/* "group" SEP "key" -> value */
	GHashTable	*playbooks;	/* label -> NULL-terminated strv */
	GPtrArray	*assets;	/* struct asset *, file order */
	GPtrArray	*feeds;		/* struct feed *, file order */
};

/* A [feed NAME] group: its settings live in 'values' under 'group'. */
struct feed {
	char	*name;
	char	*group;		/* as written: "feed urlhaus" */
};

/* An integer setting: its range and default. */
struct knob {
	const char	*key;
	int64_t		 min;
	int64_t		 max;
	int64_t		 def;
};

static const struct knob engine_knobs[] = {
	{ "workers",		1, 1024,	8 },
	{ "run_timeout_s",	1, 7 * 86400,	300 },
	{ "action_timeout_ms",	1, 86400000,	30000 },
	{ "retries",		0, 100,		2 },
	{ "cache_ttl_s",	0, 366 * 86400,	3600 },
	{ "shutdown_grace_s",	0, 3600,	10 },
	{ NULL, 0, 0, 0 }
};

static const struct knob repo_knobs[] = {
	{ "sync_interval_s",	1, 366 * 86400,	300 },
	{ NULL, 0, 0, 0 }
};

/* Every asset's own knobs; the defaults of the last three come from
 * [engine] (action_timeout_ms, retries, cache_ttl_s). */
static const struct knob asset_knobs[] = {
	{ "max_concurrent",	1, 1024,	4 },
	{ "timeout_ms",		1, 86400000,	30000 },
	{ "retries",		0, 100,		2 },
	{ "cache_ttl_s",	0, 366 * 86400,	3600 },
	{ NULL, 0, 0, 0 }
};

static const struct knob feed_knobs[] = {
	{ "interval_s",		60, 366 * 86400,	3600 },
	{ NULL, 0, 0, 0 }
};

static const struct knob no_knobs[] = {
	{ NULL, 0, 0, 0 }
};

static const char *const engine_strs[] = { "data_dir", NULL };
static const char *const playbooks_strs[] = { "dir", "apps_dir", NULL };
static const char *const repo_strs[] = { "url", "branch", NULL };
static const char *const feed_strs[] = { "path", "url", NULL };

/* One config_load() call. */
struct load {
	const char		*path;
	const struct app *const	*apps;
	GKeyFile		*kf;
	GHashTable		*lines;	/* group [SEP key] -> line */
	char			*err;
	size_t			 errlen;
};

static const char *const	no_playbooks[] = { NULL };

/* Write "FILE:LINE: message" into the caller's buffer. */
static enum ms_err
fail(struct load *ld, int line, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));

static enum ms_err
fail(struct load *ld, int line, const char *fmt, ...)
{
	va_list	 ap;
	char	*msg;

	va_start(ap, fmt);
	msg = g_strdup_vprintf(fmt, ap);
	va_end(ap);
	if (line > 0)
		snprintf(ld->err, ld->errlen, "%s:%d: %s", ld->path, line,
		    msg);
	else
		snprintf(ld->err, ld->errlen, "%s: %s", ld->path, msg);
	g_free(msg);
	return MS_EINVAL;
}

static int
line_of(const struct load *ld, const char *group, const char *key)
{
	char	*k;
	int	 line;

	if (key == NULL)
		return GPOINTER_TO_INT(g_hash_table_lookup(ld->lines, group));
	k = g_strconcat(group, SEP, key, NULL);
	line = GPOINTER_TO_INT(g_hash_table_lookup(ld->lines, k));
	g_free(k);
	return line;
}

/*
 * The syntax pass.  Accepts what GKeyFile accepts (leading white space,
 * '#' comments, CRLF) minus repeated groups and keys, which GKeyFile
 * would merge or let the last one win.  Messages never quote a line: it
 * may hold a secret.
 */
static enum ms_err
scan_text(struct load *ld, const char *text)
{
	char		**lines = g_strsplit(text, "\n", -1);
	char		*group = NULL, *k, *s, *eq;
	enum ms_err	 rc = MS_EINVAL;
	int		 no, prev;

	for (no = 1; lines[no - 1] != NULL; no++) {
		s = g_strstrip(lines[no - 1]);	/* also drops a CR */
		if (!g_utf8_validate(s, -1, NULL)) {
			fail(ld, no, "not valid UTF-8");
			goto out;
		}
		if (*s == '\0' || *s == '#')
			continue;
		if (*s == '[') {
			if (s[strlen(s) - 1] != ']' || strlen(s) < 3) {
				fail(ld, no, "expected [GROUP]");
				goto out;
			}
			g_free(group);
			group = g_strndup(s + 1, strlen(s) - 2);
			k = g_strdup(group);
		} else if ((eq = strchr(s, '=')) != NULL) {
			if (group == NULL) {
				fail(ld, no, "expected a [GROUP] line before "
				    "the first KEY=VALUE");
				goto out;
			}
			*eq = '\0';
			g_strchomp(s);
			if (*s == '\0') {
				fail(ld, no, "expected KEY=VALUE, found no "
				    "key before '='");
				goto out;
			}
			k = g_strconcat(group, SEP, s, NULL);
		} else {
			fail(ld, no, "expected [GROUP], KEY=VALUE or a "
			    "# comment");
			goto out;
		}
		prev = GPOINTER_TO_INT(g_hash_table_lookup(ld->lines, k));
		if (prev != 0) {
			if (*s == '[')
				fail(ld, no, "group [%s] appears twice "
				    "(first at line %d)", group, prev);
			else
				fail(ld, no, "key '%s' appears twice in [%s] "
				    "(first at line %d)", s, group, prev);
			g_free(k);
			goto out;
		}
		g_hash_table_insert(ld->lines, k, GINT_TO_POINTER(no));
	}
	rc = MS_OK;
out:
	g_free(group);
	g_strfreev(lines);
	return rc;
}

/* The value of group/key with escapes undone.  The message names the key
 * only: the value may be a secret. */
static enum ms_err
get_str(struct load *ld, const char *group, const char *key, char **out)
{
	GError	*gerr = NULL;

	/* GKeyFile may return a value and an error both (a bad escape). */
	*out = g_key_file_get_string(ld->kf, group, key, &gerr);
	if (gerr == NULL && *out != NULL)
		return MS_OK;
	g_clear_error(&gerr);
	if (*out != NULL)
		memset(*out, 0, strlen(*out));
	g_clear_pointer(out, g_free);
	return fail(ld, line_of(ld, group, key), "[%s] %s: invalid escape "
	    "sequence or encoding in the value", group, key);
}

static enum ms_err
parse_int(struct load *ld, const char *group, const struct knob *kn,
    const char *val, int64_t *out)
{
	GError	*gerr = NULL;
	gint64	 v;

	if (g_ascii_string_to_signed(val, 10, kn->min, kn->max, &v,
	    &gerr)) {
		*out = v;
		return MS_OK;
	}
	g_error_free(gerr);
	return fail(ld, line_of(ld, group, kn->key), "[%s] %s: expected an "
	    "integer from %" G_GINT64_FORMAT " to %" G_GINT64_FORMAT
	    ", not '%s'", group, kn->key, kn->min, kn->max, val);
}

static const struct knob *
knob_find(const struct knob *t, const char *key)
{
	for (; t->key != NULL; t++)
		if (strcmp(t->key, key) == 0)
			return t;
	return NULL;
}

static int
str_in(const char *const *t, const char *key)
{
	for (; *t != NULL; t++)
		if (strcmp(*t, key) == 0)
			return 1;
	return 0;
}

/* "a, b, c" of a knob table and a string table, for messages. */
static void
list_keys(GString *s, const struct knob *kt, const char *const *st)
{
	for (; kt != NULL && kt->key != NULL; kt++)
		g_string_append_printf(s, "%s%s=", s->len ? ", " : "",
		    kt->key);
	for (; st != NULL && *st != NULL; st++)
		g_string_append_printf(s, "%s%s=", s->len ? ", " : "", *st);
}

/* [engine] and [playbook_repo]: integer knobs and plain strings. */
static enum ms_err
load_fixed(struct load *ld, struct config *cf, const char *group,
    const struct knob *kt, const char *const *st)
{
	const struct knob	*kn;
	enum ms_err		 rc = MS_OK;
	GString			*valid;
	char			**keys, *val = NULL;
	int64_t			 v;
	size_t			 i;

	keys = g_key_file_get_keys(ld->kf, group, NULL, NULL);
	for (i = 0; rc == MS_OK && keys != NULL && keys[i] != NULL; i++) {
		kn = knob_find(kt, keys[i]);
		if (kn == NULL && !str_in(st, keys[i])) {
			valid = g_string_new(NULL);
			list_keys(valid, kt, st);
			rc = fail(ld, line_of(ld, group, keys[i]), "unknown "
			    "key '%s' in [%s]; valid: %s", keys[i], group,
			    valid->str);
			g_string_free(valid, TRUE);
			break;
		}
		rc = get_str(ld, group, keys[i], &val);
		if (rc == MS_OK && kn != NULL)
			rc = parse_int(ld, group, kn, val, &v);
		if (rc == MS_OK)
			g_hash_table_insert(cf->values,
			    g_strconcat(group, SEP, keys[i], NULL), val);
		else
			g_free(val);
		val = NULL;
	}
	g_strfreev(keys);
	return rc;
}

/* [playbooks]: dir=, apps_dir=, and one ';'-separated list per label. */
static enum ms_err
load_playbooks(struct load *ld, struct config *cf)
{
	const char	*g = "playbooks";
	GError		*gerr = NULL;
	GPtrArray	*names;
	enum ms_err	 rc = MS_OK;
	char		**keys, **list, *val;
	size_t		 i, j;

	keys = g_key_file_get_keys(ld->kf, g, NULL, NULL);
	for (i = 0; rc == MS_OK && keys != NULL && keys[i] != NULL; i++) {
		if (str_in(playbooks_strs, keys[i])) {
			rc = get_str(ld, g, keys[i], &val);
			if (rc == MS_OK)
				g_hash_table_insert(cf->values,
				    g_strconcat(g, SEP, keys[i], NULL), val);
			continue;
		}
		list = g_key_file_get_string_list(ld->kf, g, keys[i], NULL,
		    &gerr);
		if (list == NULL || gerr != NULL) {
			g_clear_error(&gerr);
			g_strfreev(list);
			rc = fail(ld, line_of(ld, g, keys[i]), "[playbooks] "
			    "%s: expected PLAYBOOK;PLAYBOOK...", keys[i]);
			break;
		}
		names = g_ptr_array_new();
		for (j = 0; list[j] != NULL; j++) {
			g_strstrip(list[j]);
			if (list[j][0] != '\0')
				g_ptr_array_add(names, g_strdup(list[j]));
		}
		g_ptr_array_add(names, NULL);
		g_strfreev(list);
		g_hash_table_insert(cf->playbooks, g_strdup(keys[i]),
		    g_ptr_array_free(names, FALSE));
	}
	g_strfreev(keys);
	return rc;
}

static const struct app *
app_find(const struct app *const *apps, const char *name)
{
	for (; apps != NULL && *apps != NULL; apps++)
		if (strcmp((*apps)->name, name) == 0)
			return *apps;
	return NULL;
}

static const struct app_setting *
setting_find(const struct app *app, const char *key)
{
	const struct app_setting	*s;

	for (s = app->settings; s != NULL && s->name != NULL; s++)
		if (strcmp(s->name, key) == 0)
			return s;
	return NULL;
}

/* The secret setting that 'key' (KEY_file or KEY_env) points at. */
static const struct app_setting *
secret_of(const struct app *app, const char *key, const char *suffix)
{
	const struct app_setting	*s;
	size_t				 n = strlen(key), m = strlen(suffix);
	char				*base;

	if (n <= m || strcmp(key + n - m, suffix) != 0)
		return NULL;
	base = g_strndup(key, n - m);
	s = setting_find(app, base);
	g_free(base);
	return s != NULL && s->secret ? s : NULL;
}

static void
asset_free1(struct asset *as)
{
	if (as == NULL)
		return;
	if (as->inited && as->app->asset_free != NULL)
		as->app->asset_free(as->state);
	g_hash_table_destroy(as->settings);
	g_free(as->store_path);
	g_free(as->name);
	g_free(as);
}

static int
valid_asset_name(const char *s)
{
	if (*s == '\0')
		return 0;
	for (; *s != '\0'; s++)
		if (!g_ascii_isalnum(*s) && strchr("_.-", *s) == NULL)
			return 0;
	return 1;
}

/* "known apps: a, b" */
static char *
known_apps(const struct app *const *apps)
{
	GString	*s = g_string_new(NULL);

	for (; apps != NULL && *apps != NULL; apps++)
		g_string_append_printf(s, "%s%s", s->len ? ", " : "",
		    (*apps)->name);
	if (s->len == 0)
		g_string_append(s, "none");
	return g_string_free(s, FALSE);
}

/* "database (required), asn_database; and for every asset: ..." */
static char *
app_settings_list(const struct app *app)
{
	const struct app_setting	*s;
	GString				*g = g_string_new(NULL);

	for (s = app->settings; s != NULL && s->name != NULL; s++) {
		g_string_append_printf(g, "%s%s", g->len ? ", " : "",
		    s->name);
		if (s->required)
			g_string_append(g, " (required)");
		if (s->secret)
			g_string_append_printf(g, " (secret; or %s_file, "
			    "%s_env)", s->name, s->name);
	}
	if (g->len == 0)
		g_string_append(g, "none");
	g_string_append(g, "; and for every asset: app");
	list_keys(g, asset_knobs, NULL);
	return g_string_free(g, FALSE);
}

/* A KEY_file= or KEY_env= that must lead somewhere at load time. */
static enum ms_err
check_secret_source(struct load *ld, const char *group, const char *key,
    const char *val)
{
	if (g_str_has_suffix(key, "_file")) {
		if (access(val, R_OK) != 0)
			return fail(ld, line_of(ld, group, key), "[%s] %s: "
			    "cannot read %s: %s", group, key, val,
			    g_strerror(errno));
	} else if (getenv(val) == NULL) {
		return fail(ld, line_of(ld, group, key), "[%s] %s: the "
		    "environment variable %s is not set", group, key, val);
	}
	return MS_OK;
}

/* One key of an asset group: store it, check it if it is a knob. */
static enum ms_err
asset_key(struct load *ld, struct asset *as, const char *group,
    const char *key, const char *val)
{
	const struct knob	*kn = knob_find(asset_knobs, key);
	enum ms_err		 rc = MS_OK;
	int64_t			 v;
	char			*list;

	if (kn != NULL) {
		rc = parse_int(ld, group, kn, val, &v);
		if (rc != MS_OK)
			return rc;
		if (strcmp(key, "max_concurrent") == 0)
			as->max_concurrent = (int)v;
		else if (strcmp(key, "timeout_ms") == 0)
			as->timeout_ms = (int)v;
		else if (strcmp(key, "retries") == 0)
			as->retries = (int)v;
		else
			as->cache_ttl_s = (int)v;
	} else if (secret_of(as->app, key, "_file") != NULL ||
	    secret_of(as->app, key, "_env") != NULL) {
		rc = check_secret_source(ld, group, key, val);
	} else if (strcmp(key, "app") != 0 &&
	    setting_find(as->app, key) == NULL) {
		list = app_settings_list(as->app);
		rc = fail(ld, line_of(ld, group, key), "[%s] app %s has no "
		    "setting '%s'; its settings: %s", group, as->app->name,
		    key, list);
		g_free(list);
	}
	if (rc == MS_OK)
		g_hash_table_insert(as->settings, g_strdup(key),
		    g_strdup(val));
	return rc;
}

/* Required settings present (a secret through any of its three keys). */
static enum ms_err
asset_required(struct load *ld, struct asset *as, const char *group)
{
	const struct app_setting	*s;
	const char			*v;
	char				*f, *e;
	int				 have;

	for (s = as->app->settings; s != NULL && s->name != NULL; s++) {
		if (!s->required)
			continue;
		v = g_hash_table_lookup(as->settings, s->name);
		have = v != NULL && *v != '\0';
		if (!have && s->secret) {
			f = g_strconcat(s->name, "_file", NULL);
			e = g_strconcat(s->name, "_env", NULL);
			have = g_hash_table_contains(as->settings, f) ||
			    g_hash_table_contains(as->settings, e);
			g_free(f);
			g_free(e);
		}
		if (!have)
			return fail(ld, as->line, "[%s] missing required "
			    "setting %s=%s%s%s", group, s->name,
			    s->secret ? " (or _file=, _env=)" : "",
			    s->description ? ": " : "",
			    s->description ? s->description : "");
	}
	return MS_OK;
}

static enum ms_err
load_asset(struct load *ld, struct config *cf, const char *group)
{
	struct asset	*as = g_new0(struct asset, 1);
	enum ms_err	 rc = MS_EINVAL;
	char		**keys = NULL, *app = NULL, *val = NULL, *known;
	size_t		 i;

	as->settings = g_hash_table_new_full(g_str_hash, g_str_equal,
	    g_free, g_free);
	as->line = line_of(ld, group, NULL);
	as->name = g_strdup(group + strlen("asset"));
	g_strstrip(as->name);
	if (!valid_asset_name(as->name)) {
		fail(ld, as->line, "expected [asset NAME] with a NAME of "
		    "letters, digits, '_', '.' or '-'");
		goto out;
	}
	if (config_asset_find(cf, as->name) != NULL) {
		fail(ld, as->line, "asset '%s' is defined twice", as->name);
		goto out;
	}
	as->max_concurrent = 4;
	as->timeout_ms = (int)config_get_int(cf, "engine",
	    "action_timeout_ms", 30000);
	as->retries = (int)config_get_int(cf, "engine", "retries", 2);
	as->cache_ttl_s = (int)config_get_int(cf, "engine", "cache_ttl_s",
	    3600);

	if (!g_key_file_has_key(ld->kf, group, "app", NULL)) {
		known = known_apps(ld->apps);
		fail(ld, as->line, "[%s] expected app=APP; known apps: %s",
		    group, known);
		g_free(known);
		goto out;
	}
	if (get_str(ld, group, "app", &app) != MS_OK)
		goto out;
	as->app = app_find(ld->apps, app);
	if (as->app == NULL) {
		known = known_apps(ld->apps);
		fail(ld, line_of(ld, group, "app"), "[%s] unknown app '%s'; "
		    "known apps: %s", group, app, known);
		g_free(known);
		goto out;
	}

	keys = g_key_file_get_keys(ld->kf, group, NULL, NULL);
	for (i = 0; keys != NULL && keys[i] != NULL; i++) {
		if (get_str(ld, group, keys[i], &val) != MS_OK)
			goto out;
		if (asset_key(ld, as, group, keys[i], val) != MS_OK)
			goto out;
		g_clear_pointer(&val, g_free);
	}
	rc = asset_required(ld, as, group);
out:
	if (rc == MS_OK)
		g_ptr_array_add(cf->assets, as);
	else
		asset_free1(as);
	if (val != NULL)
		memset(val, 0, strlen(val));	/* may be a secret */
	g_free(val);
	g_free(app);
	g_strfreev(keys);
	return rc;
}

static void
feed_free(gpointer p)
{
	struct feed	*fd = p;

	g_free(fd->name);
	g_free(fd->group);
	g_free(fd);
}

struct config *
config_new_empty(void)
{
	struct config	*cf = g_new0(struct config, 1);

	cf->values = g_hash_table_new_full(g_str_hash, g_str_equal, g_free,
	    g_free);
	cf->playbooks = g_hash_table_new_full(g_str_hash, g_str_equal,
	    g_free, (GDestroyNotify)g_strfreev);
	cf->assets = g_ptr_array_new_with_free_func(
	    (GDestroyNotify)asset_free1);
	cf->feeds = g_ptr_array_new_with_free_func(feed_free);
	return cf;
}

void
config_free(struct config *cf)
{
	if (cf == NULL)
		return;
	g_ptr_array_free(cf->assets, TRUE);
	g_ptr_array_free(cf->feeds, TRUE);
	g_hash_table_destroy(cf->values);
	g_hash_table_destroy(cf->playbooks);
	g_free(cf->store_path);
	g_free(cf->path);
	g_free(cf);
}

/* [feed NAME]: a threat-intel feed that `mailsoar intel refresh` (and so
 * `mailsoar serve`) loads every interval_s, from path= or url=. */
static enum ms_err
load_feed(struct load *ld, struct config *cf, const char *group)
{
	struct feed	*fd;
	const char	*path, *url;
	char		*name;
	enum ms_err	 rc;
	guint		 i;

	name = g_strstrip(g_strdup(group + strlen("feed")));
	if (!valid_asset_name(name)) {
		g_free(name);
		return fail(ld, line_of(ld, group, NULL), "expected [feed "
		    "NAME] with a NAME of letters, digits, '_', '.' or '-'");
	}
	for (i = 0; i < cf->feeds->len; i++) {
		fd = g_ptr_array_index(cf->feeds, i);
		if (strcmp(fd->name, name) == 0) {
			g_free(name);
			return fail(ld, line_of(ld, group, NULL), "feed '%s' "
			    "is defined twice", fd->name);
		}
	}
	if ((rc = load_fixed(ld, cf, group, feed_knobs, feed_strs)) !=
	    MS_OK) {
		g_free(name);
		return rc;
	}
	path = config_get(cf, group, "path");
	url = config_get(cf, group, "url");
	if ((path == NULL) == (url == NULL)) {
		g_free(name);
		return fail(ld, line_of(ld, group, NULL), "[%s] needs "
		    "exactly one of path= (a file or directory) and url=",
		    group);
	}
	if (url != NULL && !g_str_has_prefix(url, "https://") &&
	    !g_str_has_prefix(url, "http://")) {
		g_free(name);
		return fail(ld, line_of(ld, group, "url"), "[%s] url=%s: "
		    "not an http:// or https:// URL", group, url);
	}
	fd = g_new0(struct feed, 1);
	fd->name = name;
	fd->group = g_strdup(group);
	g_ptr_array_add(cf->feeds, fd);
	return MS_OK;
}

/* Each asset keeps its own copy, so that it never points into a config
 * freed before it. */
void
config_set_store_path(struct config *cf, const char *path)
{
	struct asset	*as;
	guint		 i;

	g_free(cf->store_path);
	cf->store_path = g_strdup(path);
	for (i = 0; i < cf->assets->len; i++) {
		as = g_ptr_array_index(cf->assets, i);
		g_free(as->store_path);
		as->store_path = g_strdup(path);
	}
}

/* [detect]: strings only, each checked by config_detect.c. */
static enum ms_err
load_detect(struct load *ld, struct config *cf)
{
	const char	*key, *val;
	enum ms_err	 rc;
	char		 why[512];
	size_t		 i;

	rc = load_fixed(ld, cf, "detect", no_knobs, config__detect_keys);
	for (i = 0; rc == MS_OK && config__detect_keys[i] != NULL; i++) {
		key = config__detect_keys[i];
		if ((val = config_get(cf, "detect", key)) == NULL)
			continue;
		if (config__detect_check(key, val, why, sizeof(why)) != MS_OK)
			rc = fail(ld, line_of(ld, "detect", key), "[detect] "
			    "%s: %s", key, why);
	}
	return rc;
}

/* Every group, in file order; [engine] first since assets take their
 * defaults from it. */
static enum ms_err
load_groups(struct load *ld, struct config *cf)
{
	char		**groups = g_key_file_get_groups(ld->kf, NULL);
	enum ms_err	 rc = MS_OK;
	const char	*g;
	size_t		 i;

	if (g_key_file_has_group(ld->kf, "engine"))
		rc = load_fixed(ld, cf, "engine", engine_knobs, engine_strs);
	for (i = 0; rc == MS_OK && groups[i] != NULL; i++) {
		g = groups[i];
		if (strcmp(g, "engine") == 0)
			continue;
		else if (strcmp(g, "playbooks") == 0)
			rc = load_playbooks(ld, cf);
		else if (strcmp(g, "playbook_repo") == 0)
			rc = load_fixed(ld, cf, g, repo_knobs, repo_strs);
		else if (strcmp(g, "detect") == 0)
			rc = load_detect(ld, cf);
		else if (strncmp(g, "asset", 5) == 0 &&
		    (g[5] == ' ' || g[5] == '\t' || g[5] == '\0')) {
			if (ld->apps != NULL)
				rc = load_asset(ld, cf, g);
		}
		else if (strncmp(g, "feed", 4) == 0 &&
		    (g[4] == ' ' || g[4] == '\t' || g[4] == '\0'))
			rc = load_feed(ld, cf, g);
		else
			rc = fail(ld, line_of(ld, g, NULL), "unknown group "
			    "[%s]; expected [engine], [playbooks], "
			    "[playbook_repo], [detect], [asset NAME] or "
			    "[feed NAME]", g);
	}
	g_strfreev(groups);
	return rc;
}

enum ms_err
config_load(const char *path, const struct app *const *apps,
    struct config **out, char *err, size_t errlen)
{
	struct config	*cf = NULL;
	struct load	 ld;
	GError		*gerr = NULL;
	enum ms_err	 rc;
	gsize		 len = 0;
	char		*text = NULL;

	*out = NULL;
	memset(&ld, 0, sizeof(ld));
	ld.path = path;
	ld.apps = apps;
	ld.err = err;
	ld.errlen = errlen;
	ld.lines = g_hash_table_new_full(g_str_hash, g_str_equal, g_free,
	    NULL);
	if (!g_file_get_contents(path, &text, &len, &gerr)) {
		snprintf(err, errlen, "%s: %s", path, gerr->message);
		g_error_free(gerr);
		rc = MS_EIO;
		goto out;
	}
	if (len > CONFIG_MAX_BYTES || memchr(text, '\0', len) != NULL) {
		rc = fail(&ld, 0, "not a configuration file (larger than "
		    "%d bytes or binary)", CONFIG_MAX_BYTES);
		goto out;
	}
	rc = scan_text(&ld, text);
	if (rc != MS_OK)
		goto out;
	ld.kf = g_key_file_new();
	g_key_file_set_list_separator(ld.kf, ';');
	if (!g_key_file_load_from_data(ld.kf, text, len, G_KEY_FILE_NONE,
	    &gerr)) {
		/* The scan accepts no more than GKeyFile does, except in
		 * corners (odd key names); its message names no value. */
		rc = fail(&ld, 0, "%s", gerr->message);
		g_error_free(gerr);
		goto out;
	}
	cf = config_new_empty();
	cf->path = g_strdup(path);
	rc = load_groups(&ld, cf);
out:
	if (text != NULL)
		memset(text, 0, len);	/* secrets */
	g_free(text);
	if (ld.kf != NULL)
		g_key_file_free(ld.kf);
	g_hash_table_destroy(ld.lines);
	if (rc == MS_OK)
		*out = cf;
	else
		config_free(cf);
	return rc;
}

enum ms_err
config_assets_init(struct config *cf, char *err, size_t errlen)
{
	struct asset	*as;
	enum ms_err	 rc = MS_OK;
	char		 why[512];
	size_t		 i;

	for (i = 0; rc == MS_OK && i < cf->assets->len; i++) {
		as = g_ptr_array_index(cf->assets, i);
		if (as->inited || as->app->asset_init == NULL)
			continue;
		why[0] = '\0';
		rc = as->app->asset_init(as, &as->state, why, sizeof(why));
		if (rc == MS_OK) {
			as->inited = 1;
			continue;
		}
		as->state = NULL;
		if (cf->path != NULL)
			snprintf(err, errlen, "%s:%d: asset '%s' (app %s): %s",
			    cf->path, as->line, as->name, as->app->name, why);
		else
			snprintf(err, errlen, "asset '%s' (app %s): %s",
			    as->name, as->app->name, why);
	}
	if (rc == MS_OK)
		return MS_OK;
	/* No state is left behind. */
	for (i = 0; i < cf->assets->len; i++) {
		as = g_ptr_array_index(cf->assets, i);
		if (as->inited && as->app->asset_free != NULL)
			as->app->asset_free(as->state);
		as->inited = 0;
		as->state = NULL;
	}
	return rc;
}

const char *
config_path(const struct config *cf)
{
	return cf->path;
}

const char *
config_get(const struct config *cf, const char *group, const char *key)
{
	char		*k = g_strconcat(group, SEP, key, NULL);
	const char	*v = g_hash_table_lookup(cf->values, k);

	g_free(k);
	return v;
}

int64_t
config_get_int(const struct config *cf, const char *group,
    const char *key, int64_t def)
{
	const char	*v = config_get(cf, group, key);
	gint64		 n;

	if (v == NULL || !g_ascii_string_to_signed(v, 10, G_MININT64,
	    G_MAXINT64, &n, NULL))
		return def;
	return n;
}

size_t
config_n_feeds(const struct config *cf)
{
	return cf->feeds->len;
}

void
config_feed(const struct config *cf, size_t i, struct config_feed *out)
{
	const struct feed	*fd = g_ptr_array_index(cf->feeds, i);

	out->name = fd->name;
	out->path = config_get(cf, fd->group, "path");
	out->url = config_get(cf, fd->group, "url");
	out->interval_s = config_get_int(cf, fd->group, "interval_s", 3600);
}

size_t
config_n_assets(const struct config *cf)
{
	return cf->assets->len;
}

struct asset *
config_asset(const struct config *cf, size_t i)
{
	return i < cf->assets->len ? g_ptr_array_index(cf->assets, i) : NULL;
}

struct asset *
config_asset_find(const struct config *cf, const char *name)
{
	struct asset	*as;
	size_t		 i;

	for (i = 0; i < cf->assets->len; i++) {
		as = g_ptr_array_index(cf->assets, i);
		if (strcmp(as->name, name) == 0)
			return as;
	}
	return NULL;
}

const char *const *
config_playbooks(const struct config *cf, const char *label)
{
	char	**v = g_hash_table_lookup(cf->playbooks, label);

	return v != NULL ? (const char *const *)v : no_playbooks;
}

int
config_has_playbooks(const struct config *cf, const char *label)
{
	return g_hash_table_lookup(cf->playbooks, label) != NULL;
}

/* ---- assets ----------------------------------------------------------- */

const struct app *
asset_app_table(const struct asset *as)
{
	return as->app;
}

void *
asset_state(const struct asset *as)
{
	return as->state;
}

int
asset_max_concurrent(const struct asset *as)
{
	return as->max_concurrent;
}

int
asset_timeout_ms(const struct asset *as)
{
	return as->timeout_ms;
}

int
asset_retries(const struct asset *as)
{
	return as->retries;
}

int
asset_cache_ttl_s(const struct asset *as)
{
	return as->cache_ttl_s;
}

const char *
asset_name(const struct asset *as)
{
	return as->name;
}

const char *
asset_store_path(const struct asset *as)
{
	return as->store_path;
}

const char *
asset_app(const struct asset *as)
{
	return as->app->name;
}

/* Secret settings are not plain settings: asset_get() returns NULL for
 * them, so that a value cannot reach a log line by accident. */
const char *
asset_get(const struct asset *as, const char *key)
{
	const struct app_setting	*s = setting_find(as->app, key);

	if (s != NULL && s->secret)
		return NULL;
	return g_hash_table_lookup(as->settings, key);
}

int64_t
asset_get_int(const struct asset *as, const char *key, int64_t def)
{
	const char	*v = asset_get(as, key);
	gint64		 n;

	if (v == NULL || !g_ascii_string_to_signed(v, 10, G_MININT64,
	    G_MAXINT64, &n, NULL))
		return def;
	return n;
}

/* The first line of 'path', or NULL. */
static char *
first_line(const char *path)
{
	gsize	 len = 0;
	char	*text = NULL, *s = NULL;

	if (!g_file_get_contents(path, &text, &len, NULL))
		return NULL;
	if (len <= CONFIG_SECRET_MAX) {
		text[strcspn(text, "\r\n")] = '\0';
		s = xstrdup(text);
	}
	memset(text, 0, len);
	g_free(text);
	return s;
}

char *
asset_secret(const struct asset *as, const char *key)
{
	const char	*v;
	char		*k;

	v = g_hash_table_lookup(as->settings, key);
	if (v != NULL && *v != '\0')
		return xstrdup(v);
	k = g_strconcat(key, "_file", NULL);
	v = g_hash_table_lookup(as->settings, k);
	g_free(k);
	if (v != NULL)
		return first_line(v);
	k = g_strconcat(key, "_env", NULL);
	v = g_hash_table_lookup(as->settings, k);
	g_free(k);
	if (v != NULL && (v = getenv(v)) != NULL)
		return xstrdup(v);
	return NULL;
}
