/* SPDX-License-Identifier: Apache-2.0 */
/*
 * cmd_intel.c -- `mailsoar intel load [--source NAME] PATH...`: read
 * threat-intel feeds (files, directories, or http(s) URLs downloaded
 * first by intel_fetch; intel_feed_parse_path tells the format from the
 * content) into the store, each source replaced in one transaction;
 * `mailsoar intel stats [--json]`: what the store holds per source and
 * kind; `mailsoar intel lookup [--kind K] VALUE`:
 * the stored indicators equal to one value; `mailsoar intel refresh
 * [--force] [FEED...]`: the configured [feed NAME] groups that are due.
 * Feed files are UNTRUSTED:
 * the parser checks them, and every value is normalised here
 * (intel_normalise) before the store sees it.
 */
#include <errno.h>
#include <getopt.h>
#include <stdio.h>
#include <string.h>
#include <time.h>
#include <unistd.h>
#include <utime.h>
#include <sys/stat.h>

#include <glib.h>

#include "cli.h"
#include "../apps/intel.h"
#include "../apps/intel_fetch.h"
#include "../common/limits.h"
#include "../engine/config.h"
#include "../report/report.h"
#include "../store/store.h"

/* One feed being loaded: the sink's state. */
struct feed {
	struct store_intel_load	*load;
	size_t			 bad;		/* values not normalised */
	enum ms_err		 rc;		/* the first store error */
	char			*norm;		/* LIMIT_INTEL_VALUE + 1 */
	GPtrArray		*pairs;		/* attribution, flattened */
};

static int64_t
us(int64_t s)
{
	return s > 0 && s < INT64_MAX / G_USEC_PER_SEC ? s * G_USEC_PER_SEC :
	    0;
}

/* intel_sink_fn: normalise one indicator and hand it to the store. */
static int
sink(void *arg, const struct intel_indicator *ind)
{
	struct feed		*f = arg;
	struct store_intel_row	 r;
	size_t			 i;

	if (intel_normalise(ind->kind, ind->value, f->norm,
	    LIMIT_INTEL_VALUE + 1) != MS_OK) {
		f->bad++;
		return 0;
	}
	g_ptr_array_set_size(f->pairs, 0);
	for (i = 0; i < ind->nattrib; i++) {
		if (ind->attrib[i].type == NULL || ind->attrib[i].name == NULL)
			continue;
		g_ptr_array_add(f->pairs, (char *)ind->attrib[i].type);
		g_ptr_array_add(f->pairs, (char *)ind->attrib[i].name);
	}
	memset(&r, 0, sizeof(r));
	r.kind = intel_kind_name(ind->kind);
	r.value = f->norm;
	r.source = ind->source;
	r.confidence = ind->confidence;
	r.tlp = ind->tlp;
	r.tags = ind->tags;
	r.ntags = ind->ntags;
	r.attrib = (const char *const *)f->pairs->pdata;
	r.nattrib = f->pairs->len / 2;
	r.description = ind->description;
	r.first_seen = us(ind->first_seen);
	r.last_seen = us(ind->last_seen);
	r.expires = us(ind->expires);
	r.subdomains = ind->subdomains;
	r.threat_level = ind->threat_level;
	f->rc = store_intel_load_add(f->load, &r);
	return f->rc != MS_OK;
}

/* store_intel_source_fn: one line per source into a GString. */
static void
source_line(void *arg, const char *source, size_t count)
{
	g_string_append_printf(arg, "  source %s: %zu indicators\n", source,
	    count);
}

/* The default source of 'path': its base name without a trailing '/'. */
static char *
source_of(const char *path)
{
	char	*p = g_strdup(path), *b;
	size_t	 n = strlen(p);

	while (n > 1 && p[n - 1] == '/')
		p[--n] = '\0';
	b = g_path_get_basename(p);
	g_free(p);
	return b;
}

/* Load one path ('shown' in messages); 0 or -1 (said on stderr). */
static int
load_one(struct store *st, const char *path, const char *shown,
    const char *source)
{
	struct intel_feed_report	 rep;
	struct feed			 f;
	char				 err[1024], *src;
	gint64				 t0 = g_get_monotonic_time();
	GString				*lines = g_string_new("");
	size_t				 n = 0;
	enum ms_err			 rc;

	memset(&f, 0, sizeof(f));
	memset(&rep, 0, sizeof(rep));
	src = source ? g_strdup(source) : source_of(path);
	if (store_intel_load_begin(st, src, path, &f.load) != MS_OK) {
		fprintf(stderr, "mailsoar intel load: %s: store: %s\n", shown,
		    store_errmsg(st));
		g_string_free(lines, TRUE);
		g_free(src);
		return -1;
	}
	f.norm = g_malloc(LIMIT_INTEL_VALUE + 1);
	f.pairs = g_ptr_array_new();
	err[0] = '\0';
	rc = intel_feed_parse_path(path, sink, &f, &rep, err, sizeof(err));
	if (rc == MS_OK && f.rc != MS_OK)
		snprintf(err, sizeof(err), "store: %s", store_errmsg(st));
	if (rc == MS_OK && f.rc == MS_OK) {
		store_intel_load_sources(f.load, source_line, lines);
		rc = store_intel_load_commit(f.load, rep.format,
		    rep.skipped + f.bad, &n);
	}
	else {
		store_intel_load_abort(f.load);
		rc = rc != MS_OK ? rc : f.rc;
	}
	if (rc == MS_OK)
		printf("%s: format %s, %zu indicators loaded, %zu skipped, "
		    "%.2f s\n%s", shown, rep.format, n, rep.skipped + f.bad,
		    (double)(g_get_monotonic_time() - t0) / G_USEC_PER_SEC,
		    lines->str);
	else
		fprintf(stderr, "mailsoar intel load: %s: %s; nothing "
		    "loaded\n", shown, err[0] ? err : ms_strerror(rc));
	g_ptr_array_free(f.pairs, TRUE);
	g_string_free(lines, TRUE);
	g_free(f.norm);
	g_free(src);
	return rc == MS_OK ? 0 : -1;
}

/* The last path segment of 'url', reduced to [A-Za-z0-9._-], else
 * "feed": the downloaded file's name, and so the default source name.
 * Newly allocated. */
static char *
url_name(const char *url)
{
	const char	*p = strstr(url, "://"), *end, *s;
	GString		*g = g_string_new("");

	p = p ? p + 3 : url;
	end = p + strcspn(p, "?#");
	for (s = end; s > p && s[-1] != '/'; s--)
		;
	if (s == p)		/* no path: the host is all there is */
		s = end;
	for (; s < end && g->len < 100; s++)
		g_string_append_c(g, g_ascii_isalnum(*s) || *s == '.' ||
		    *s == '_' || *s == '-' ? *s : '_');
	if (g->len == 0 || g->str[0] == '.')
		g_string_prepend(g, "feed");
	return g_string_free(g, FALSE);
}

/* Download 'url' into a temporary directory and load it from there. */
static int
load_url(struct store *st, const char *url, const char *source)
{
	char	*dir, *name, *path, err[1024];
	int	 rc = -1, nm;

	if ((dir = g_dir_make_tmp("mailsoar-feed-XXXXXX", NULL)) == NULL) {
		fprintf(stderr, "mailsoar intel load: %s: cannot make a "
		    "temporary directory\n", url);
		return -1;
	}
	name = url_name(url);
	path = g_build_filename(dir, name, NULL);
	if (intel_fetch(url, path, LIMIT_INTEL_FETCH_MS / 1000, &nm, err,
	    sizeof(err)) != MS_OK)
		fprintf(stderr, "mailsoar intel load: %s; nothing loaded\n",
		    err);
	else
		rc = load_one(st, path, url, source);
	(void)remove(path);
	(void)remove(dir);
	g_free(path);
	g_free(name);
	g_free(dir);
	return rc;
}

static int
intel_load(int argc, char **argv)
{
	static const struct option	longopts[] = {
		{ "source", required_argument, NULL, 's' },
		{ "help", no_argument, NULL, 'h' },
		{ NULL, 0, NULL, 0 }
	};
	struct cli_engine	 ce;
	const char		*source = NULL;
	int			 c, i, rc, bad = 0;

	optind = 1;
	while ((c = getopt_long(argc, argv, "s:h", longopts, NULL)) != -1) {
		if (c == 's')
			source = optarg;
		else {
			fprintf(c == 'h' ? stdout : stderr, "usage: mailsoar "
			    "intel load [--source NAME] PATH...\n");
			return c == 'h' ? CLI_EXIT_OK : CLI_EXIT_USAGE;
		}
	}
	if (optind >= argc || (source != NULL && *source == '\0')) {
		fprintf(stderr, "usage: mailsoar intel load [--source NAME] "
		    "PATH...\n");
		return CLI_EXIT_USAGE;
	}
	if ((rc = cli_engine_open(&ce, NULL, 0, NULL)) != 0)
		return rc;
	for (i = optind; i < argc; i++)
		if ((g_str_has_prefix(argv[i], "http://") ||
		    g_str_has_prefix(argv[i], "https://") ?
		    load_url(ce.st, argv[i], source) :
		    load_one(ce.st, argv[i], argv[i], source)) != 0)
			bad++;
	cli_engine_close(&ce);
	return bad ? CLI_EXIT_INPUT : CLI_EXIT_OK;
}

/* ---- refresh ------------------------------------------------------ */

/*
 * [feed NAME] groups are loaded when due: DATADIR/feeds/NAME.stamp's
 * time is that of the last attempt (set after a success; after a
 * failure, set so that the next try comes FEED_RETRY_S later rather
 * than a whole interval), and a URL feed's last download stays in
 * DATADIR/feeds/NAME.data for the next If-Modified-Since.
 */
#define FEED_RETRY_S	300

/* Set the stamp's time to 'when' (creating it). */
static void
stamp_set(const char *stamp, time_t when)
{
	struct utimbuf	ut;

	if (!g_file_set_contents(stamp, "", 0, NULL))
		return;
	ut.actime = ut.modtime = when;
	(void)utime(stamp, &ut);
}

/* Load one configured feed if due (or 'force'); 0 or -1. */
static int
refresh_one(struct cli_engine *ce, const struct config_feed *fd,
    const char *dir, int force)
{
	struct stat	 st;
	time_t		 now = time(NULL);
	char		*stamp, *data, err[1024];
	int		 rc = -1, nm = 0, have;

	stamp = g_strdup_printf("%s/%s.stamp", dir, fd->name);
	data = g_strdup_printf("%s/%s.data", dir, fd->name);
	have = stat(stamp, &st) == 0;
	if (!force && have && now - st.st_mtime < fd->interval_s &&
	    st.st_mtime <= now) {
		printf("%s: not due (next in %lld s)\n", fd->name,
		    (long long)(fd->interval_s - (now - st.st_mtime)));
		g_free(stamp);
		g_free(data);
		return 0;	/* no attempt: the stamp stays */
	}
	if (fd->url != NULL) {
		if (intel_fetch(fd->url, data, LIMIT_INTEL_FETCH_MS / 1000,
		    &nm, err, sizeof(err)) != MS_OK) {
			fprintf(stderr, "mailsoar intel refresh: feed %s: %s; "
			    "the indicators loaded before stay\n", fd->name,
			    err);
			goto out;
		}
		/* Unchanged on the server and loaded before: nothing to
		 * do (a forced refresh loads the copy again). */
		if (nm && have && !force) {
			printf("%s: not modified since the last load\n",
			    fd->name);
			rc = 0;
			goto out;
		}
		/* A copy that did not load is not kept: the next try must
		 * fetch it whole, not get a 304 for it. */
		if ((rc = load_one(ce->st, data, fd->url, fd->name)) != 0)
			(void)unlink(data);
	} else
		rc = load_one(ce->st, fd->path, fd->path, fd->name);
out:
	if (rc == 0)
		stamp_set(stamp, now);
	else
		stamp_set(stamp, now - fd->interval_s + FEED_RETRY_S);
	g_free(stamp);
	g_free(data);
	return rc;
}

static int
intel_refresh(int argc, char **argv)
{
	static const struct option	longopts[] = {
		{ "force", no_argument, NULL, 'f' },
		{ "help", no_argument, NULL, 'h' },
		{ NULL, 0, NULL, 0 }
	};
	struct config_feed	 fd;
	struct cli_engine	 ce;
	char			*dir;
	size_t			 i, n;
	int			 c, j, rc, force = 0, bad = 0, found;

	optind = 1;
	while ((c = getopt_long(argc, argv, "fh", longopts, NULL)) != -1) {
		if (c == 'f')
			force = 1;
		else {
			fprintf(c == 'h' ? stdout : stderr, "usage: mailsoar "
			    "intel refresh [--force] [FEED...]\n");
			return c == 'h' ? CLI_EXIT_OK : CLI_EXIT_USAGE;
		}
	}
	if ((rc = cli_engine_open(&ce, NULL, 0, NULL)) != 0)
		return rc;
	n = config_n_feeds(ce.cf);
	for (j = optind; j < argc; j++) {
		for (i = 0, found = 0; i < n && !found; i++) {
			config_feed(ce.cf, i, &fd);
			found = strcmp(fd.name, argv[j]) == 0;
		}
		if (!found) {
			fprintf(stderr, "mailsoar intel refresh: no [feed %s] "
			    "in the configuration (%zu feed(s) configured)\n",
			    argv[j], n);
			cli_engine_close(&ce);
			return CLI_EXIT_USAGE;
		}
	}
	if (n == 0)
		printf("no [feed NAME] in the configuration: nothing to "
		    "refresh\n");
	dir = g_build_filename(ce.datadir, "feeds", NULL);
	if (n > 0 && g_mkdir_with_parents(dir, 0700) != 0) {
		fprintf(stderr, "mailsoar intel refresh: %s: %s\n", dir,
		    g_strerror(errno));
		bad++;
		n = 0;
	}
	for (i = 0; i < n; i++) {
		config_feed(ce.cf, i, &fd);
		for (j = optind, found = optind >= argc; j < argc; j++)
			found |= strcmp(fd.name, argv[j]) == 0;
		if (found && refresh_one(&ce, &fd, dir, force) != 0)
			bad++;
	}
	g_free(dir);
	cli_engine_close(&ce);
	return bad ? CLI_EXIT_INPUT : CLI_EXIT_OK;
}

/* ---- stats -------------------------------------------------------- */

static int
intel_stats(int argc, char **argv)
{
	struct cli_engine	 ce;
	char			*js = NULL;
	int			 rc, json = 0;

	if (argc == 2 && strcmp(argv[1], "--json") == 0)
		json = 1;
	else if (argc != 1) {
		fprintf(stderr, "usage: mailsoar intel stats [--json]\n");
		return CLI_EXIT_USAGE;
	}
	if ((rc = cli_engine_open(&ce, NULL, 0, NULL)) != 0)
		return rc;
	if (store_intel_stats_json(ce.st, &js) != MS_OK) {
		fprintf(stderr, "mailsoar intel stats: %s\n",
		    store_errmsg(ce.st));
		rc = CLI_EXIT_INPUT;
	} else if (json)
		printf("%s\n", js);
	else
		report_intel_stats_text(stdout, js);
	g_free(js);
	cli_engine_close(&ce);
	return rc;
}

/* ---- lookup ------------------------------------------------------- */

static int
print_row(void *arg, const struct store_intel_row *r)
{
	size_t	i, *n = arg;

	printf("%s %s  source %s", r->kind, r->value, r->source);
	if (r->confidence >= 0)
		printf(", confidence %d", r->confidence);
	if (r->tlp != NULL)
		printf(", tlp %s", r->tlp);
	for (i = 0; i < r->nattrib; i++)
		printf("%s%s %s", i == 0 ? ", attribution: " : "; ",
		    r->attrib[2 * i], r->attrib[2 * i + 1]);
	for (i = 0; i < r->ntags; i++)
		printf("%s%s", i == 0 ? ", tags: " : " ", r->tags[i]);
	printf("\n");
	(*n)++;
	return 0;
}

/* The kind of a bare value: an IP, a URL, a hash, an email, else a
 * domain. */
static enum intel_kind
guess_kind(const char *v, char *norm, size_t len)
{
	static const enum intel_kind order[] = { INTEL_IP, INTEL_HASH,
	    INTEL_EMAIL, INTEL_ASN };
	size_t	i;

	if (strstr(v, "://") != NULL)
		return INTEL_URL;
	for (i = 0; i < G_N_ELEMENTS(order); i++)
		if (intel_normalise(order[i], v, norm, len) == MS_OK)
			return order[i];
	return strchr(v, '/') != NULL ? INTEL_URL : INTEL_DOMAIN;
}

static int
intel_lookup(int argc, char **argv)
{
	struct cli_engine	 ce;
	const char		*kname = NULL, *v;
	char			*norm;
	size_t			 n = 0;
	int			 rc, kind;

	if (argc == 4 && strcmp(argv[1], "--kind") == 0) {
		kname = argv[2];
		v = argv[3];
	} else if (argc == 2)
		v = argv[1];
	else {
		fprintf(stderr, "usage: mailsoar intel lookup [--kind "
		    "ip|domain|url|hash|email|asn] VALUE\n");
		return CLI_EXIT_USAGE;
	}
	norm = g_malloc(LIMIT_INTEL_VALUE + 1);
	kind = kname ? intel_kind_parse(kname) : (int)guess_kind(v, norm,
	    LIMIT_INTEL_VALUE + 1);
	if (kind < 0 || intel_normalise((enum intel_kind)kind, v, norm,
	    LIMIT_INTEL_VALUE + 1) != MS_OK) {
		fprintf(stderr, "mailsoar intel lookup: '%s' is not a%s %s\n",
		    v, kind == INTEL_IP ? "n" : "", kind < 0 ? "kind" :
		    intel_kind_name((enum intel_kind)kind));
		g_free(norm);
		return CLI_EXIT_USAGE;
	}
	if ((rc = cli_engine_open(&ce, NULL, 0, NULL)) != 0) {
		g_free(norm);
		return rc;
	}
	if (store_intel_lookup(ce.st, intel_kind_name((enum intel_kind)kind),
	    norm, print_row, &n) != MS_OK) {
		fprintf(stderr, "mailsoar intel lookup: %s\n",
		    store_errmsg(ce.st));
		rc = CLI_EXIT_INPUT;
	} else if (n == 0) {
		printf("%s %s: not in the intel store (exact match only; "
		    "the intel app also matches networks and parent "
		    "domains)\n", intel_kind_name((enum intel_kind)kind), norm);
		rc = CLI_EXIT_INPUT;
	}
	cli_engine_close(&ce);
	g_free(norm);
	return rc;
}

int
cmd_intel(int argc, char **argv)
{
	if (argc >= 2 && strcmp(argv[1], "load") == 0)
		return intel_load(argc - 1, argv + 1);
	if (argc >= 2 && strcmp(argv[1], "refresh") == 0)
		return intel_refresh(argc - 1, argv + 1);
	if (argc >= 2 && strcmp(argv[1], "stats") == 0)
		return intel_stats(argc - 1, argv + 1);
	if (argc >= 2 && strcmp(argv[1], "lookup") == 0)
		return intel_lookup(argc - 1, argv + 1);
	fprintf(argc >= 2 && strcmp(argv[1], "--help") == 0 ? stdout :
	    stderr, "usage: mailsoar intel load [--source NAME] PATH...\n"
	    "       mailsoar intel refresh [--force] [FEED...]\n"
	    "       mailsoar intel stats [--json]\n"
	    "       mailsoar intel lookup [--kind KIND] VALUE\n");
	return argc >= 2 && strcmp(argv[1], "--help") == 0 ? CLI_EXIT_OK :
	    CLI_EXIT_USAGE;
}
