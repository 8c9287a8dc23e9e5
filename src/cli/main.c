/* SPDX-License-Identifier: Apache-2.0 */
/*
 * main.c -- the mailsoar command: dispatch to one cmd_*.c per subcommand.
 */
#include <errno.h>
#include <stdio.h>
#include <string.h>
#include <sys/stat.h>

#include <glib.h>

#include "cli.h"
#include "../common/log.h"

static const struct {
	const char	*name;
	int		(*fn)(int, char **);
	const char	*help;
} cmds[] = {
	{ "analyze", cmd_analyze,
	  "analyse emails (.eml, .msg, mbox, -) into containers" },
	{ "ingest", cmd_ingest, "import .eml, .msg, mbox, maildirs, trees" },
	{ "extract", cmd_extract,
	  "pull indicators out of text or HTML" },
	{ "vault", cmd_vault, "read files from the vault" },
	{ "act", cmd_act, "run one action now and print its result" },
	{ "apps", cmd_apps, "list apps, their actions and the assets" },
	{ "asset", cmd_asset, "asset test NAME: check an asset works" },
	{ "playbook", cmd_playbook,
	  "playbook test|check|sync: test, compile, pull playbooks" },
	{ "runs", cmd_runs, "runs show ID: a playbook run as a timeline" },
	{ "containers", cmd_containers, "list stored containers" },
	{ "prompt", cmd_prompt, "prompt list | prompt answer ID CHOICE" },
	{ "audit", cmd_audit, "audit verify | audit list" },
	{ "intel", cmd_intel,
	  "intel load PATH... | stats | lookup VALUE: threat-intel feeds" },
	{ "serve", cmd_serve, "watch the mailboxes, store, run playbooks" },
	{ "status", cmd_status, "what a running mailsoar serve is doing" },
};

static void
usage(FILE *f)
{
	size_t	i;

	fprintf(f, "usage: mailsoar [-c CONFIG] [--data DIR] COMMAND "
	    "[ARGS...]\n\ncommands:\n");
	for (i = 0; i < G_N_ELEMENTS(cmds); i++)
		fprintf(f, "  %-10s %s\n", cmds[i].name, cmds[i].help);
	fprintf(f, "\n'mailsoar COMMAND --help' for a command's options.\n");
}

int
cli_read_file(const char *path, size_t max, char **buf, size_t *len)
{
	FILE	*f;
	GString	*s;
	char		 chunk[65536];
	size_t		 n;
	struct stat	 st;
	int	 is_stdin = strcmp(path, "-") == 0;

	*buf = NULL;
	*len = 0;
	f = is_stdin ? stdin : fopen(path, "rb");
	if (f == NULL) {
		fprintf(stderr, "mailsoar: %s: %s\n", path, strerror(errno));
		return -1;
	}
	/* A regular file is read at its size in one go; pipes grow. */
	if (fstat(fileno(f), &st) == 0 && S_ISREG(st.st_mode) &&
	    st.st_size > 0 && (size_t)st.st_size <= max)
		s = g_string_sized_new((gsize)st.st_size + 1);
	else
		s = g_string_sized_new(sizeof(chunk));
	while ((n = fread(chunk, 1, sizeof(chunk), f)) > 0) {
		if (n > max - s->len) {
			fprintf(stderr, "mailsoar: %s: larger than %zu bytes "
			    "(LIMIT_MSG_BYTES); not analysed\n", path, max);
			g_string_free(s, TRUE);
			if (!is_stdin)
				fclose(f);
			errno = EFBIG;
			return -1;
		}
		g_string_append_len(s, chunk, (gssize)n);
	}
	if (ferror(f)) {
		fprintf(stderr, "mailsoar: %s: %s\n", path, strerror(errno));
		g_string_free(s, TRUE);
		if (!is_stdin)
			fclose(f);
		return -1;
	}
	if (!is_stdin)
		fclose(f);
	*len = s->len;
	*buf = g_string_free(s, FALSE);
	return 0;
}

/* -c FILE, --config FILE, --data DIR before the command: consumed,
 * with argv shifted.  Returns -1 on a usage error. */
static int
global_opts(int *argc, char ***argv)
{
	char	**v = *argv;
	int	  n = *argc;

	while (n > 2 && v[1][0] == '-') {
		if (strcmp(v[1], "-c") == 0 || strcmp(v[1], "--config") == 0)
			cli_global.config = v[2];
		else if (strcmp(v[1], "--data") == 0)
			cli_global.data = v[2];
		else
			break;
		v[2] = v[0];
		v += 2;
		n -= 2;
	}
	if (n == 2 && (strcmp(v[1], "-c") == 0 ||
	    strcmp(v[1], "--config") == 0 || strcmp(v[1], "--data") == 0)) {
		fprintf(stderr, "mailsoar: %s needs a value\n", v[1]);
		return -1;
	}
	*argc = n;
	*argv = v;
	return 0;
}

int
main(int argc, char **argv)
{
	size_t	i;

	log_init("mailsoar", LOG_LEVEL_WARN);
	/* serve executes it again on SIGHUP; global_opts shifts argv. */
	cli_global.argv = g_strdupv(argv);
	if (global_opts(&argc, &argv) != 0)
		return CLI_EXIT_USAGE;
	if (argc < 2) {
		usage(stderr);
		return CLI_EXIT_USAGE;
	}
	if (strcmp(argv[1], "--help") == 0 || strcmp(argv[1], "-h") == 0 ||
	    strcmp(argv[1], "help") == 0) {
		usage(stdout);
		return CLI_EXIT_OK;
	}
	if (strcmp(argv[1], "--version") == 0) {
		printf("mailsoar %s\n", MS_VERSION);
		return CLI_EXIT_OK;
	}
	for (i = 0; i < G_N_ELEMENTS(cmds); i++)
		if (strcmp(argv[1], cmds[i].name) == 0)
			return cmds[i].fn(argc - 1, argv + 1);
	fprintf(stderr, "mailsoar: unknown command '%s'\n", argv[1]);
	usage(stderr);
	return CLI_EXIT_USAGE;
}
