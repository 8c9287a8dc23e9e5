/* SPDX-License-Identifier: Apache-2.0 */
/*
 * cmd_playbook.c -- playbooks as code:
 *   mailsoar playbook test PLAYBOOK EMAIL [--fixtures FILE] [--json]
 *       analyse EMAIL into a throw-away store and run PLAYBOOK (a name in
 *       the playbooks directory, or a path to a .py file) on it, with
 *       recorded action results from FILE instead of live assets; print
 *       the run as a timeline.  Exit 0 when the run succeeded.
 *   mailsoar playbook check FILE...
 *       compile each playbook and check it has `async def on_start`.
 *   mailsoar playbook sync
 *       clone or pull [playbook_repo] url= (branch=) and install every
 *       playbook that compiles into the playbooks directory; one that
 *       does not is reported and the installed version stays.
 */
#include <errno.h>
#include <getopt.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

#include <glib.h>
#include <glib/gstdio.h>

#include "cli.h"
#include "../analyze/analyze.h"
#include "../common/limits.h"
#include "../engine/config.h"
#include "../py/pb.h"
#include "../report/report.h"
#include "../store/store.h"

static void
usage(FILE *f)
{
	fprintf(f, "usage: mailsoar playbook test PLAYBOOK EMAIL "
	    "[--fixtures FILE] [--json]\n"
	    "       mailsoar playbook check FILE.py...\n"
	    "       mailsoar [-c CONFIG] playbook sync\n");
}

/* Analyse 'path' and store it; '*cid'.  Returns a CLI status. */
static int
analyse_into(struct cli_engine *ce, const char *path, int64_t *cid)
{
	struct store		*st = ce->st;
	struct arena		*a;
	struct analysis		*an = NULL;
	struct cli_container	 cc;
	char			*buf;
	size_t			 len;
	int			 rc = CLI_EXIT_INPUT;

	if (cli_read_file(path, LIMIT_MSG_BYTES, &buf, &len) != 0)
		return CLI_EXIT_INPUT;
	cli_analyze_init(ce->cf);
	a = arena_new(LIMIT_MSG_ARENA);
	analyze_bytes(a, buf, len, path, &an);
	if (an != NULL) {
		cli_container_init(&cc, an);
		if (cli_container_store(st, &cc, path, cid) == MS_OK)
			rc = 0;
		else
			fprintf(stderr, "mailsoar playbook: %s: %s\n", path,
			    store_errmsg(st));
		cli_container_clear(&cc);
	}
	arena_free(a);
	g_free(buf);
	analyze_shutdown();
	return rc;
}

static int
pb_test(int argc, char **argv)
{
	static const struct option	longopts[] = {
		{ "fixtures", required_argument, NULL, 'f' },
		{ "json", no_argument, NULL, 'j' },
		{ NULL, 0, NULL, 0 }
	};
	struct cli_engine	 ce;
	char			*fixtures = NULL, *tmp = NULL, *name = NULL;
	char			*dir = NULL, *runs = NULL, *dot;
	const char		*book;
	int			 ch, json = 0, rc;
	int64_t			 cid = 0;
	size_t			 n;
	gsize			 flen;

	optind = 1;
	while ((ch = getopt_long(argc, argv, "f:j", longopts, NULL)) != -1) {
		switch (ch) {
		case 'f':
			if (!g_file_get_contents(optarg, &fixtures, &flen,
			    NULL)) {
				fprintf(stderr, "mailsoar playbook: %s: %s\n",
				    optarg, g_strerror(errno));
				return CLI_EXIT_INPUT;
			}
			break;
		case 'j':
			json = 1;
			break;
		default:
			usage(stderr);
			return CLI_EXIT_USAGE;
		}
	}
	if (argc - optind != 2) {
		usage(stderr);
		g_free(fixtures);
		return CLI_EXIT_USAGE;
	}
	book = argv[optind];
	if (g_str_has_suffix(book, ".py")) {
		/* A file: its directory becomes the playbooks directory. */
		dir = g_path_get_dirname(book);
		name = g_path_get_basename(book);
		if ((dot = strrchr(name, '.')) != NULL)
			*dot = '\0';
	} else
		name = g_strdup(book);
	if ((tmp = g_dir_make_tmp("mailsoar-pbtest-XXXXXX", NULL)) == NULL) {
		fprintf(stderr, "mailsoar playbook: no temporary directory\n");
		rc = CLI_EXIT_INPUT;
		goto out;
	}
	if (dir != NULL)
		cli_global.playbooks = dir;
	rc = cli_engine_open(&ce, tmp, CLI_ENGINE_PB, fixtures);
	if (rc != 0)
		goto out;
	if ((rc = analyse_into(&ce, argv[optind + 1], &cid)) == 0) {
		pb_start(ce.pb, cid, "email", name, &n);
		pb_run_until(ce.pb, 0);
		store_runs_json(ce.st, cid, &runs);
		if (json) {
			printf("%s\n", runs ? runs : "[]");
			rc = report_runs_text(NULL, runs, 0) == 0 ?
			    CLI_EXIT_OK : CLI_EXIT_INPUT;
		} else
			rc = report_runs_text(stdout, runs, isatty(
			    STDOUT_FILENO) ? REPORT_COLOR : 0) == 0 ?
			    CLI_EXIT_OK : CLI_EXIT_INPUT;
	}
	g_free(runs);
	cli_engine_close(&ce);
out:
	if (tmp != NULL) {
		char *argv_rm[] = { "rm", "-rf", tmp, NULL };

		g_spawn_sync(NULL, argv_rm, NULL, G_SPAWN_SEARCH_PATH,
		    NULL, NULL, NULL, NULL, NULL, NULL);
	}
	g_free(tmp);
	g_free(fixtures);
	g_free(name);
	g_free(dir);
	return rc;
}

static int
pb_checkfiles(int argc, char **argv)
{
	struct cli_engine	 ce;
	char			 err[4096];
	int			 i, rc, bad = 0;

	if (argc < 2) {
		usage(stderr);
		return CLI_EXIT_USAGE;
	}
	if ((rc = cli_engine_open(&ce, NULL, CLI_ENGINE_PB, NULL)) != 0)
		return rc;
	for (i = 1; i < argc; i++) {
		if (pb_check(ce.pb, argv[i], err, sizeof(err)) == MS_OK)
			printf("%s: ok\n", argv[i]);
		else {
			printf("%s: FAILED\n%s\n", argv[i], err);
			bad++;
		}
	}
	cli_engine_close(&ce);
	return bad ? CLI_EXIT_INPUT : CLI_EXIT_OK;
}

/* Run git with 'args' (NULL-terminated, after "git"); 0 or -1 with its
 * stderr shown. */
static int
git(const char *dir, const char *const *args)
{
	GPtrArray	*av = g_ptr_array_new();
	gchar		*err = NULL;
	gint		 status = -1;
	size_t		 i;
	int		 ok;

	g_ptr_array_add(av, "git");
	for (i = 0; args[i] != NULL; i++)
		g_ptr_array_add(av, (gpointer)args[i]);
	g_ptr_array_add(av, NULL);
	ok = g_spawn_sync(dir, (gchar **)av->pdata, NULL,
	    G_SPAWN_SEARCH_PATH | G_SPAWN_STDOUT_TO_DEV_NULL, NULL, NULL,
	    NULL, &err, &status, NULL) && g_spawn_check_wait_status(status,
	    NULL);
	if (!ok)
		fprintf(stderr, "mailsoar playbook sync: git %s failed: %s",
		    args[0], err && *err ? err : "(no message)\n");
	g_free(err);
	g_ptr_array_free(av, TRUE);
	return ok ? 0 : -1;
}

/* Copy 'src' over 'dst' atomically (temporary file, rename). */
static int
install_file(const char *src, const char *dst)
{
	gchar	*data = NULL, *tmp;
	gsize	 len;
	int	 ok;

	if (!g_file_get_contents(src, &data, &len, NULL))
		return -1;
	tmp = g_strdup_printf("%s.tmp", dst);
	ok = g_file_set_contents(tmp, data, (gssize)len, NULL) &&
	    g_rename(tmp, dst) == 0;
	g_free(tmp);
	g_free(data);
	return ok ? 0 : -1;
}

static int
pb_sync(void)
{
	struct cli_engine	 ce;
	const char		*url, *branch, *dir;
	char			*work = NULL, *src, *dst, err[4096];
	const char		*name;
	GDir			*d;
	int			 rc, bad = 0, ok = 0;

	if ((rc = cli_engine_open(&ce, NULL, CLI_ENGINE_PB, NULL)) != 0)
		return rc;
	url = config_get(ce.cf, "playbook_repo", "url");
	branch = config_get(ce.cf, "playbook_repo", "branch");
	dir = config_get(ce.cf, "playbooks", "dir");
	if (url == NULL || dir == NULL) {
		fprintf(stderr, "mailsoar playbook sync: the config needs "
		    "[playbook_repo] url= and [playbooks] dir=\n");
		rc = CLI_EXIT_USAGE;
		goto out;
	}
	if (g_mkdir_with_parents(dir, 0755) != 0) {
		fprintf(stderr, "mailsoar playbook sync: %s: %s\n", dir,
		    g_strerror(errno));
		rc = CLI_EXIT_INPUT;
		goto out;
	}
	/* The checkout lives in the data directory; playbooks reach the
	 * playbooks directory only once they compile. */
	work = g_build_filename(ce.datadir, "playbook-repo", NULL);
	if (!g_file_test(work, G_FILE_TEST_IS_DIR)) {
		const char *clone[] = { "clone", "--quiet", "--depth", "1",
		    "--branch", branch ? branch : "main", url, work, NULL };
		const char *clone_def[] = { "clone", "--quiet", "--depth",
		    "1", url, work, NULL };

		if (git(NULL, branch ? clone : clone_def) != 0) {
			rc = CLI_EXIT_INPUT;
			goto out;
		}
	} else {
		const char *fetch[] = { "fetch", "--quiet", "--depth", "1",
		    "origin", branch ? branch : "HEAD", NULL };
		const char *reset[] = { "reset", "--quiet", "--hard",
		    "FETCH_HEAD", NULL };

		if (git(work, fetch) != 0 || git(work, reset) != 0) {
			rc = CLI_EXIT_INPUT;
			goto out;
		}
	}
	if ((d = g_dir_open(work, 0, NULL)) == NULL) {
		rc = CLI_EXIT_INPUT;
		goto out;
	}
	while ((name = g_dir_read_name(d)) != NULL) {
		if (!g_str_has_suffix(name, ".py") || name[0] == '.')
			continue;
		src = g_build_filename(work, name, NULL);
		dst = g_build_filename(dir, name, NULL);
		if (pb_check(ce.pb, src, err, sizeof(err)) != MS_OK) {
			printf("%s: does not compile; the installed version "
			    "stays\n%s\n", name, err);
			bad++;
		} else if (install_file(src, dst) != 0) {
			printf("%s: cannot install into %s\n", name, dir);
			bad++;
		} else {
			printf("%s: installed\n", name);
			ok++;
		}
		g_free(src);
		g_free(dst);
	}
	g_dir_close(d);
	printf("playbook sync: %d installed, %d refused\n", ok, bad);
	rc = bad ? CLI_EXIT_INPUT : CLI_EXIT_OK;
out:
	g_free(work);
	cli_engine_close(&ce);
	return rc;
}

int
cmd_playbook(int argc, char **argv)
{
	if (argc >= 2 && strcmp(argv[1], "test") == 0)
		return pb_test(argc - 1, argv + 1);
	if (argc >= 2 && strcmp(argv[1], "check") == 0)
		return pb_checkfiles(argc - 1, argv + 1);
	if (argc == 2 && strcmp(argv[1], "sync") == 0)
		return pb_sync();
	usage(argc >= 2 && strcmp(argv[1], "--help") == 0 ? stdout : stderr);
	return argc >= 2 && strcmp(argv[1], "--help") == 0 ? CLI_EXIT_OK :
	    CLI_EXIT_USAGE;
}
