/* SPDX-License-Identifier: Apache-2.0 */
/*
 * cmd_vault.c -- `mailsoar vault get SHA256 [-o FILE] [--data DIR]` and
 * `mailsoar vault path SHA256`: read files back out of the vault.  The
 * file is copied, never opened or run.
 */
#include <getopt.h>
#include <stdio.h>
#include <string.h>

#include "cli.h"
#include "../files/vault.h"

static void
usage(FILE *f)
{
	fprintf(f,
	    "usage: mailsoar vault get SHA256 [-o FILE] [--data DIR]\n"
	    "       mailsoar vault path SHA256 [--data DIR]\n"
	    "  get   copy the stored file to FILE (default: stdout)\n"
	    "  path  print where the stored file is\n");
}

int
cmd_vault(int argc, char **argv)
{
	static const struct option	longopts[] = {
		{ "output", required_argument, NULL, 'o' },
		{ "data", required_argument, NULL, 'd' },
		{ "help", no_argument, NULL, 'h' },
		{ NULL, 0, NULL, 0 }
	};
	const char	*out = "-", *datadir = NULL, *verb, *sha;
	struct vault	*v;
	char		 path[4096];
	enum ms_err	 rc;
	int		 ch;

	optind = 1;
	while ((ch = getopt_long(argc, argv, "o:d:h", longopts, NULL)) != -1) {
		switch (ch) {
		case 'o':
			out = optarg;
			break;
		case 'd':
			datadir = optarg;
			break;
		case 'h':
			usage(stdout);
			return CLI_EXIT_OK;
		default:
			usage(stderr);
			return CLI_EXIT_USAGE;
		}
	}
	if (argc - optind != 2 || (strcmp(argv[optind], "get") != 0 &&
	    strcmp(argv[optind], "path") != 0)) {
		usage(stderr);
		return CLI_EXIT_USAGE;
	}
	verb = argv[optind];
	sha = argv[optind + 1];
	if ((v = vault_open(datadir ? datadir : vault_default_datadir())) ==
	    NULL)
		return CLI_EXIT_INPUT;
	if (strcmp(verb, "path") == 0) {
		rc = vault_path(v, sha, path, sizeof(path));
		if (rc == MS_OK)
			printf("%s\n", path);
	} else
		rc = vault_get(v, sha, out);
	vault_close(v);
	if (rc == MS_EINVAL) {
		fprintf(stderr, "mailsoar vault: '%s' is not a sha256 (64 "
		    "lower-case hex digits)\n", sha);
		return CLI_EXIT_USAGE;
	}
	if (rc != MS_OK) {
		fprintf(stderr, "mailsoar vault: %s: not in the vault, or "
		    "cannot write %s\n", sha, out);
		return CLI_EXIT_INPUT;
	}
	return CLI_EXIT_OK;
}
