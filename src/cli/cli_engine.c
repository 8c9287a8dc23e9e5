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

/* The playbooks directory: [playbooks] dir= (relative to the config
 * file), else the shipped one. */
static char *
playbooks_dir(struct config *cf)
{
	const char	*d = config_get(cf, "playbooks", "dir");
	char		*base, *out;

	if (cli_global.playbooks != NULL)
		return g_strdup(cli_global.playbooks);
	if (d == NULL)
		return cli_share_dir("playbooks");
	if (g_path_is_absolute(d) || config_path(cf) == NULL)
		return g_strdup(d);
	base = g_path_get_dirname(config_path(cf));
	out = g_build_filename(base, d, NULL);
	g_free(base);
	return out;
}

int
cli_engine_open(struct cli_engine *ce, const char *datadir, unsigned flags,
    const char *fixtures_json)
{
	const char		*cpath = cli_global.config;
	char			 err[2048];
	char			*dbpath = NULL, *pbdir = NULL, *pydir = NULL;
	struct pb_options	 po;
	int			 rc = CLI_EXIT_INPUT;

	memset(ce, 0, sizeof(*ce));
	if (cpath == NULL)
		cpath = g_getenv("MAILSOAR_CONFIG");
	if (cpath != NULL && *cpath != '\0') {
		if (config_load(cpath, app_builtin, &ce->cf, err,
		    sizeof(err)) != MS_OK) {
			fprintf(stderr, "mailsoar: %s\n", err);
			return CLI_EXIT_USAGE;
		}
	} else
		ce->cf = config_new_empty();
	if (datadir == NULL)
		datadir = cli_global.data;
	if (datadir == NULL)
		datadir = config_get(ce->cf, "engine", "data_dir");
	ce->datadir = g_strdup(datadir ? datadir : vault_default_datadir());
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
	if (flags & CLI_ENGINE_PB) {
		if (config_assets_init(ce->cf, err, sizeof(err)) != MS_OK) {
			fprintf(stderr, "mailsoar: %s\n", err);
			rc = CLI_EXIT_USAGE;
			goto out;
		}
		pbdir = playbooks_dir(ce->cf);
		pydir = cli_share_dir("python");
		memset(&po, 0, sizeof(po));
		po.playbooks_dir = pbdir;
		po.python_dir = pydir;
		po.apps_dir = config_get(ce->cf, "playbooks", "apps_dir");
		po.fixtures_json = fixtures_json;
		po.quiet = (flags & CLI_ENGINE_QUIET) != 0;
		if (pb_new(ce->cf, ce->st, &po, &ce->pb, err, sizeof(err)) !=
		    MS_OK) {
			fprintf(stderr, "mailsoar: playbook engine: %s\n", err);
			goto out;
		}
	}
	rc = 0;
out:
	g_free(dbpath);
	g_free(pbdir);
	g_free(pydir);
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

void
cli_container_init(struct cli_container *cc, const struct analysis *an)
{
	const struct mail_email	*e = an->email;

	cc->data = report_analysis_string(an);
	cc->arts = report_artifact_strings(an, &cc->narts);
	cc->subject = dup_or_null(e ? e->subject : NULL);
	cc->message_id = dup_or_null(e ? e->message_id : NULL);
	cc->body_sha256 = dup_or_null(an->body_sha256);
	cc->input_sha256 = dup_or_null(an->hash.sha256[0] ?
	    an->hash.sha256 : NULL);
	cc->reporter = dup_or_null(an->reporter && an->reporter->from ?
	    an->reporter->from->addr : NULL);
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
	memset(cc, 0, sizeof(*cc));
}

enum ms_err
cli_container_store(struct store *st, const struct cli_container *cc,
    const char *source, int64_t *cid)
{
	struct store_container_in	in;
	int				created;

	memset(&in, 0, sizeof(in));
	in.name = cc->subject ? cc->subject : source;
	in.label = "email";
	in.message_id = cc->message_id;
	in.body_sha256 = cc->body_sha256;
	in.input_sha256 = cc->input_sha256;
	in.source = source;
	in.reporter = cc->reporter;
	in.data_json = cc->data;
	in.artifacts_json = (const char *const *)cc->arts;
	in.nartifacts = cc->narts;
	return store_container_put(st, &in, cid, &created);
}
