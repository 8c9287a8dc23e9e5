/* SPDX-License-Identifier: Apache-2.0 */
/*
 * cli_engine.c -- opening the config, the store and the playbook engine
 * for the commands that need them, with clear messages when one of them
 * is wrong.
 */
#include <errno.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>
#include <sys/stat.h>

#include <glib.h>

#include "cli.h"
#include "../analyze/analyze.h"
#include "../analyze/detect.h"
#include "../engine/config.h"
#include "../report/report.h"
#include "../files/vault.h"
#include "../py/pb.h"
#include "../store/store.h"

struct cli_global	cli_global;

char *
cli_share_dir(const char *sub)
{
	char	*exe, *src;

	exe = g_file_read_link("/proc/self/exe", NULL);
	if (exe != NULL && g_str_has_prefix(exe, MS_BUILDDIR "/")) {
		src = g_build_filename(MS_SRCDIR, sub, NULL);
		if (g_file_test(src, G_FILE_TEST_IS_DIR)) {
			g_free(exe);
			return src;
		}
		g_free(src);
	}
	g_free(exe);
	return g_build_filename(MS_DATADIR, sub, NULL);
}

/* A setting read before the config is checked (config_load reports
 * what is wrong with the file later).  g_free. */
static char *
peek(const char *path, const char *group, const char *key)
{
	GKeyFile	*kf = g_key_file_new();
	char		*v = NULL;

	if (g_key_file_load_from_file(kf, path, G_KEY_FILE_NONE, NULL))
		v = g_key_file_get_string(kf, group, key, NULL);
	g_key_file_free(kf);
	if (v != NULL)
		g_strstrip(v);
	return v;
}

/* 'p' relative to the config file's directory.  g_free. */
static char *
near_config(const char *cpath, const char *p)
{
	char	*base, *out;

	if (p == NULL)
		return NULL;
	if (g_path_is_absolute(p) || cpath == NULL)
		return g_strdup(p);
	base = g_path_get_dirname(cpath);
	out = g_build_filename(base, p, NULL);
	g_free(base);
	return out;
}

/* The playbooks directory: [playbooks] dir= (relative to the config
 * file), else the shipped one. */
static char *
playbooks_dir(const char *cpath)
{
	char	*d, *out;

	if (cli_global.playbooks != NULL)
		return g_strdup(cli_global.playbooks);
	if (cpath == NULL || (d = peek(cpath, "playbooks", "dir")) == NULL)
		return cli_share_dir("playbooks");
	out = near_config(cpath, d);
	g_free(d);
	return out;
}

/* Start the playbook engine: interpreter and Python apps first, since
 * the config may name Python apps. */
static int
start_pb(struct cli_engine *ce, const char *cpath, const char *fixtures,
    unsigned flags, char *err, size_t errlen)
{
	struct pb_options	 po;
	char			*pbdir, *pydir, *apps = NULL, *v;
	int			 rc;

	memset(&po, 0, sizeof(po));
	pbdir = playbooks_dir(cpath);
	pydir = cli_share_dir("python");
	if (cpath != NULL && (v = peek(cpath, "playbooks", "apps_dir")) !=
	    NULL) {
		apps = near_config(cpath, v);
		g_free(v);
	}
	po.playbooks_dir = pbdir;
	po.python_dir = pydir;
	po.apps_dir = apps;
	po.fixtures_json = fixtures;
	po.quiet = (flags & CLI_ENGINE_QUIET) != 0;
	rc = pb_new(ce->st, &po, &ce->pb, err, errlen) == MS_OK ? 0 : -1;
	g_free(pbdir);
	g_free(pydir);
	g_free(apps);
	return rc;
}

/* The apps the config may name: built-in, and Python ones when the
 * engine runs.  NULL-terminated; g_free the vector. */
static const struct app **
all_apps(struct cli_engine *ce)
{
	const struct app *const	*v;
	const struct app	**out;
	size_t			 n = 0, i;

	if (ce->pb == NULL) {
		while (app_builtin[n] != NULL)
			n++;
		v = app_builtin;
	} else
		v = pb_apps(ce->pb, &n);
	out = g_new0(const struct app *, n + 1);
	for (i = 0; i < n; i++)
		out[i] = v[i];
	return out;
}

/* The config file named by -c, else MAILSOAR_CONFIG, or NULL. */
static const char *
config_named(void)
{
	const char	*cpath = cli_global.config;

	if (cpath == NULL)
		cpath = g_getenv("MAILSOAR_CONFIG");
	if (cpath != NULL && *cpath == '\0')
		cpath = NULL;
	return cpath;
}

int
cli_config_open(struct config **cf)
{
	const char	*cpath = config_named();
	char		 err[4096];

	*cf = NULL;
	if (cpath == NULL)
		return 0;
	if (config_load(cpath, NULL, cf, err, sizeof(err)) != MS_OK) {
		fprintf(stderr, "mailsoar: %s\n", err);
		return CLI_EXIT_USAGE;
	}
	return 0;
}

void
cli_analyze_init(const struct config *cf)
{
	struct detect_config	dc;

	memset(&dc, 0, sizeof(dc));
	if (cf != NULL) {
		dc.org_domains = config_get(cf, "detect", "org_domains");
		dc.vips = config_get(cf, "detect", "vips");
		dc.authserv_id = config_get(cf, "detect", "authserv_id");
	}
	analyze_init_with(&dc);
}

int
cli_engine_open(struct cli_engine *ce, const char *datadir, unsigned flags,
    const char *fixtures_json)
{
	const char		*cpath = config_named();
	const struct app	**apps = NULL;
	char			 err[4096];
	char			*dbpath = NULL, *peeked = NULL, *v;
	int			 rc = CLI_EXIT_INPUT;

	memset(ce, 0, sizeof(*ce));
	if (datadir == NULL)
		datadir = cli_global.data;
	if (datadir == NULL && cpath != NULL &&
	    (v = peek(cpath, "engine", "data_dir")) != NULL) {
		peeked = near_config(cpath, v);
		g_free(v);
		datadir = peeked;
	}
	ce->datadir = g_strdup(datadir ? datadir : vault_default_datadir());
	g_free(peeked);
	if (g_mkdir_with_parents(ce->datadir, 0700) != 0) {
		fprintf(stderr, "mailsoar: data directory %s: %s\n",
		    ce->datadir, g_strerror(errno));
		goto out;
	}
	dbpath = g_build_filename(ce->datadir, "mailsoar.db", NULL);
	if (store_open(dbpath, &ce->st, err, sizeof(err)) != MS_OK) {
		fprintf(stderr, "mailsoar: store %s: %s\n", dbpath, err);
		goto out;
	}
	/* Python apps named in the config need the engine to be known. */
	if (cpath != NULL && (v = peek(cpath, "playbooks", "apps_dir")) !=
	    NULL) {
		flags |= CLI_ENGINE_PB;
		g_free(v);
	}
	if ((flags & CLI_ENGINE_PB) && start_pb(ce, cpath, fixtures_json,
	    flags, err, sizeof(err)) != 0) {
		fprintf(stderr, "mailsoar: playbook engine: %s\n", err);
		goto out;
	}
	apps = all_apps(ce);
	if (cpath != NULL) {
		if (config_load(cpath, apps, &ce->cf, err, sizeof(err)) !=
		    MS_OK) {
			fprintf(stderr, "mailsoar: %s\n", err);
			rc = CLI_EXIT_USAGE;
			goto out;
		}
	} else
		ce->cf = config_new_empty();
	config_set_store_path(ce->cf, dbpath);
	if (ce->pb != NULL) {
		if (config_assets_init(ce->cf, err, sizeof(err)) != MS_OK) {
			fprintf(stderr, "mailsoar: %s\n", err);
			rc = CLI_EXIT_USAGE;
			goto out;
		}
		pb_configure(ce->pb, ce->cf);
	}
	rc = 0;
out:
	g_free(apps);
	g_free(dbpath);
	if (rc != 0)
		cli_engine_close(ce);
	return rc;
}

void
cli_engine_close(struct cli_engine *ce)
{
	pb_free(ce->pb);
	store_close(ce->st);
	config_free(ce->cf);
	g_free(ce->datadir);
	memset(ce, 0, sizeof(*ce));
}

static char *
dup_or_null(const char *s)
{
	return s ? xstrdup(s) : NULL;
}

/* Reply and forward prefixes mail clients put before a subject, in
 * English, German (AW, WG), French (TR, RE), Spanish (RV), Portuguese
 * (ENC), Italian (R, I, RIF), Dutch (Antw, Doorst), Nordic (SV, VS, VB,
 * VL), Polish (Odp, PD) and Turkish (YNT). */
static const char *const subject_prefixes[] = {
	"re", "fwd", "fw", "aw", "wg", "tr", "rv", "enc", "r", "i", "rif",
	"antw", "doorst", "sv", "vs", "vb", "vl", "odp", "pd", "ynt",
};

/* The length of one reply/forward prefix at 's' ("Re:", "FW :",
 * "Re[2]:", "AW："), or 0. */
static size_t
subject_prefix(const char *s)
{
	const char	*p;
	size_t		 i, n;

	for (i = 0; i < G_N_ELEMENTS(subject_prefixes); i++) {
		n = strlen(subject_prefixes[i]);
		if (g_ascii_strncasecmp(s, subject_prefixes[i], n) != 0 ||
		    g_ascii_isalnum(s[n]))
			continue;
		p = s + n;
		if (*p == '[' || *p == '(') {
			p++;
			while (g_ascii_isdigit(*p))
				p++;
			if (*p != ']' && *p != ')')
				continue;
			p++;
		}
		while (*p == ' ' || *p == '\t')
			p++;
		if (*p == ':')
			return (size_t)(p + 1 - s);
		if (strncmp(p, "\xef\xbc\x9a", 3) == 0)	/* U+FF1A */
			return (size_t)(p + 3 - s);
	}
	return 0;
}

/* The subject as the campaign key sees it: no leading prefixes, blanks
 * collapsed to one space, trimmed, NFC, lower case.  g_free. */
static char *
subject_norm(const char *subject)
{
	GString		*s = g_string_new(NULL);
	const char	*p = subject ? subject : "";
	char		*valid, *nfc, *low;
	size_t		 n;

	for (;;) {
		while (g_ascii_isspace(*p))
			p++;
		if ((n = subject_prefix(p)) == 0)
			break;
		p += n;
	}
	for (; *p != '\0'; p++) {
		if (g_ascii_isspace(*p)) {
			if (s->len > 0 && s->str[s->len - 1] != ' ')
				g_string_append_c(s, ' ');
		} else
			g_string_append_c(s, *p);
	}
	if (s->len > 0 && s->str[s->len - 1] == ' ')
		g_string_truncate(s, s->len - 1);
	valid = g_utf8_make_valid(s->str, (gssize)s->len);
	nfc = g_utf8_normalize(valid, -1, G_NORMALIZE_NFC);
	low = g_utf8_strdown(nfc ? nfc : valid, -1);
	g_string_free(s, TRUE);
	g_free(valid);
	g_free(nfc);
	return low;
}

/*
 * The campaign key of 'e' (store.h): the same suspicious email forwarded
 * attached by one user and inline by another has neither Message-ID nor
 * body in common, but the same sender, subject and minute.  xfree.
 */
static char *
campaign_key(const struct mail_email *e)
{
	char	*addr, *valid, *subj, *text, *key;

	if (e == NULL || e->from == NULL || e->from->addr == NULL ||
	    *e->from->addr == '\0' || e->date_ts < 0)
		return NULL;
	valid = g_utf8_make_valid(e->from->addr, -1);
	addr = g_utf8_strdown(g_strstrip(valid), -1);
	subj = subject_norm(e->subject);
	text = g_strdup_printf("%s\n%s\n%lld", addr, subj,
	    (long long)(e->date_ts - e->date_ts % 60));
	key = g_compute_checksum_for_string(G_CHECKSUM_SHA256, text, -1);
	g_free(valid);
	g_free(addr);
	g_free(subj);
	g_free(text);
	text = xstrdup(key);
	g_free(key);
	return text;
}

/* Append "<id>" to 'cc''s thread ids unless it is there already. */
static void
thread_add(struct cli_container *cc, const char *id)
{
	char	*t;
	size_t	 i;

	if (id == NULL || *id == '\0')
		return;
	t = g_strdup_printf("<%s>", id);
	for (i = 0; i < cc->nthread_ids; i++)
		if (strcmp(cc->thread_ids[i], t) == 0)
			break;
	if (i < cc->nthread_ids) {
		g_free(t);
		return;
	}
	cc->thread_ids = xrealloc(cc->thread_ids, (cc->nthread_ids + 1) *
	    sizeof(*cc->thread_ids));
	cc->thread_ids[cc->nthread_ids++] = xstrdup(t);
	g_free(t);
}

/*
 * The suspicious email's From address and domain, lower case, for the
 * sender history.  For a user's report 'e' is the reported email, so the
 * reporter is never taken for the sender.  An address without a local
 * part or a domain is no sender.
 */
static void
sender_of(struct cli_container *cc, const struct mail_email *e)
{
	char	*valid, *low, *at;
	size_t	 n;

	cc->sender = cc->sender_domain = NULL;
	if (e == NULL || e->from == NULL || e->from->addr == NULL)
		return;
	valid = g_utf8_make_valid(e->from->addr, -1);
	low = g_utf8_strdown(g_strstrip(valid), -1);
	g_free(valid);
	n = strlen(low);
	while (n > 0 && low[n - 1] == '.')
		low[--n] = '\0';
	at = strrchr(low, '@');
	if (at != NULL && at != low && at[1] != '\0') {
		cc->sender = xstrdup(low);
		cc->sender_domain = xstrdup(at + 1);
	}
	g_free(low);
}

void
cli_container_init(struct cli_container *cc, const struct analysis *an)
{
	const struct mail_email	*e = an->email;
	size_t			 i;

	cc->data = report_analysis_string(an);
	cc->arts = report_artifact_strings(an, &cc->narts);
	cc->subject = dup_or_null(e ? e->subject : NULL);
	cc->message_id = dup_or_null(e ? e->message_id : NULL);
	cc->body_sha256 = dup_or_null(an->body_sha256);
	cc->input_sha256 = dup_or_null(an->hash.sha256[0] ?
	    an->hash.sha256 : NULL);
	cc->reporter = dup_or_null(an->reporter && an->reporter->from ?
	    an->reporter->from->addr : NULL);
	sender_of(cc, e);
	cc->nfiles = an->attachments.n;
	cc->files = xcalloc(cc->nfiles + 1, sizeof(*cc->files));
	for (i = 0; i < cc->nfiles; i++) {
		const struct attachment *at = an->attachments.v[i];

		cc->files[i].sha256 = xstrdup(at->hash.sha256);
		cc->files[i].name = dup_or_null(at->file_name);
		cc->files[i].type = dup_or_null(at->detected_type);
		cc->files[i].size = (int64_t)at->size;
	}
	cc->nreasons = an->reasons.n;
	cc->reasons = xcalloc(cc->nreasons + 1, sizeof(*cc->reasons));
	for (i = 0; i < cc->nreasons; i++) {
		const struct score_reason *r = an->reasons.v[i];

		cc->reasons[i].id = xstrdup(r->id);
		cc->reasons[i].points = r->points;
		cc->reasons[i].reason = xstrdup(r->reason ? r->reason : r->id);
	}
	cc->simulation = an->simulation;
	/* Callers may pass an uninitialised 'cc': every field is set. */
	cc->campaign_key = campaign_key(e);
	cc->thread_ids = NULL;
	cc->nthread_ids = 0;
	if (e != NULL) {
		thread_add(cc, e->in_reply_to);
		for (i = 0; i < e->references.n; i++)
			thread_add(cc, e->references.v[i]);
	}
}

void
cli_container_clear(struct cli_container *cc)
{
	size_t	i;

	for (i = 0; i < cc->narts; i++)
		xfree(cc->arts[i]);
	xfree(cc->arts);
	xfree(cc->data);
	xfree(cc->subject);
	xfree(cc->message_id);
	xfree(cc->body_sha256);
	xfree(cc->input_sha256);
	xfree(cc->reporter);
	xfree(cc->sender);
	xfree(cc->sender_domain);
	for (i = 0; i < cc->nfiles; i++) {
		xfree(cc->files[i].sha256);
		xfree(cc->files[i].name);
		xfree(cc->files[i].type);
	}
	xfree(cc->files);
	for (i = 0; i < cc->nreasons; i++) {
		xfree(cc->reasons[i].id);
		xfree(cc->reasons[i].reason);
	}
	xfree(cc->reasons);
	xfree(cc->campaign_key);
	for (i = 0; i < cc->nthread_ids; i++)
		xfree(cc->thread_ids[i]);
	xfree(cc->thread_ids);
	memset(cc, 0, sizeof(*cc));
}

/* One reason of the score, its evidence {"id": signal}. */
static enum ms_err
reason_add(struct store *st, int64_t cid, const struct cli_reason *r)
{
	GString		*ev = g_string_new("{\"id\":\"");
	enum ms_err	 rc;
	const char	*p;

	/* Signal ids are [a-z0-9_] (detect.c); escape anyway. */
	for (p = r->id; *p != '\0'; p++)
		if (g_ascii_isalnum(*p) || *p == '_')
			g_string_append_c(ev, *p);
	g_string_append(ev, "\"}");
	rc = store_score_add(st, cid, 0, r->points, r->reason, ev->str);
	g_string_free(ev, TRUE);
	return rc;
}

/* A history signal, when weights.conf gives it points. */
static enum ms_err
history_reason(struct store *st, int64_t cid, const char *id,
    const char *what)
{
	struct cli_reason	r;
	enum ms_err		rc;

	r.points = detect_points(id);
	if (r.points == 0 || detect_title(id) == NULL)
		return MS_OK;
	r.id = (char *)id;
	r.reason = g_strdup_printf("%s: %s", detect_title(id), what);
	rc = reason_add(st, cid, &r);
	g_free(r.reason);
	return rc;
}

/*
 * Record the sender of new container 'cid' and score a first sighting.
 * The reasons join the analysis's own in score_reasons, so the score
 * stays their sum and the verdict follows weights.conf's thresholds.
 */
static enum ms_err
sender_history(struct store *st, const struct cli_container *cc,
    int64_t cid)
{
	enum ms_err	rc;
	int		addr_new, domain_new;

	if (cc->sender == NULL)
		return MS_OK;
	rc = store_sender_seen(st, cc->sender, cc->sender_domain, cid,
	    &addr_new, &domain_new);
	if (rc == MS_OK && addr_new)
		rc = history_reason(st, cid, "sender_first_time", cc->sender);
	if (rc == MS_OK && domain_new)
		rc = history_reason(st, cid, "sender_domain_first_time",
		    cc->sender_domain);
	return rc;
}

enum ms_err
cli_container_store(struct store *st, const struct cli_container *cc,
    const char *source, int64_t *cid)
{
	int	created;

	return cli_container_put(st, cc, source, cid, &created);
}

enum ms_err
cli_container_put(struct store *st, const struct cli_container *cc,
    const char *source, int64_t *cid, int *created)
{
	struct store_container_in	in;
	size_t				i;
	enum ms_err			rc;

	memset(&in, 0, sizeof(in));
	in.name = cc->subject ? cc->subject : source;
	in.label = cc->simulation ? "simulation" : "email";
	in.message_id = cc->message_id;
	in.body_sha256 = cc->body_sha256;
	in.input_sha256 = cc->input_sha256;
	in.source = source;
	in.reporter = cc->reporter;
	in.data_json = cc->data;
	in.artifacts_json = (const char *const *)cc->arts;
	in.nartifacts = cc->narts;
	in.data_trusted = 1;		/* report_analysis_string() */
	in.campaign_key = cc->campaign_key;
	in.thread_ids = (const char *const *)cc->thread_ids;
	in.nthread_ids = cc->nthread_ids;
	if ((rc = store_container_put(st, &in, cid, created)) != MS_OK)
		return rc;
	for (i = 0; *created && rc == MS_OK && i < cc->nreasons; i++)
		rc = reason_add(st, *cid, &cc->reasons[i]);
	if (*created && rc == MS_OK)
		rc = sender_history(st, cc, *cid);
	for (i = 0; rc == MS_OK && i < cc->nfiles; i++)
		rc = store_vault_add(st, *cid, cc->files[i].sha256,
		    cc->files[i].size, cc->files[i].name, cc->files[i].type);
	return rc;
}
