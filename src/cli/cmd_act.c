/* SPDX-License-Identifier: Apache-2.0 */
/*
 * cmd_act.c -- `mailsoar act ACTION [--asset NAME] key=value...`: run one
 * action now, with the same asset selection, cache, retries, timeout and
 * recording as inside a playbook, and print its result as one JSON
 * object (status, message, data, summary, parameter, app, asset, cached,
 * duration_ms).  Exit 0 when the action succeeded, 1 when it failed or
 * was skipped, 2 for a usage error (unknown action, parameter, asset).
 */
#include <getopt.h>
#include <stdio.h>
#include <string.h>

#include <glib.h>

#include "cli.h"
#include "../py/pb.h"

static void
usage(FILE *f)
{
	fprintf(f, "usage: mailsoar act ACTION [--asset NAME] "
	    "[--data DIR] key=value...\n"
	    "  e.g. mailsoar act \"geolocate ip\" ip=81.2.69.160\n"
	    "  'mailsoar apps' lists the actions and their parameters\n");
}

int
cmd_act(int argc, char **argv)
{
	static const struct option	longopts[] = {
		{ "asset", required_argument, NULL, 'a' },
		{ "data", required_argument, NULL, 'd' },
		{ "help", no_argument, NULL, 'h' },
		{ NULL, 0, NULL, 0 }
	};
	struct cli_engine	 ce;
	const char		*asset = NULL, *datadir = NULL, *action;
	const char		**keys, **vals;
	char			*res = NULL, err[2048], *eq;
	int			 ch, i, n, rc;

	optind = 1;
	while ((ch = getopt_long(argc, argv, "+a:d:h", longopts, NULL)) != -1) {
		switch (ch) {
		case 'a':
			asset = optarg;
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
	if (optind >= argc) {
		usage(stderr);
		return CLI_EXIT_USAGE;
	}
	action = argv[optind++];
	n = argc - optind;
	keys = g_new0(const char *, n + 1);
	vals = g_new0(const char *, n + 1);
	for (i = 0; i < n; i++) {
		char *kv = argv[optind + i];

		if ((eq = strchr(kv, '=')) == NULL || eq == kv) {
			fprintf(stderr, "mailsoar act: '%s' is not "
			    "key=value\n", kv);
			g_free(keys);
			g_free(vals);
			return CLI_EXIT_USAGE;
		}
		*eq = '\0';
		keys[i] = kv;
		vals[i] = eq + 1;
	}
	if ((rc = cli_engine_open(&ce, datadir, CLI_ENGINE_PB, NULL)) != 0)
		goto out;
	if (pb_act(ce.pb, action, asset, keys, vals, (size_t)n, &res, err,
	    sizeof(err)) != MS_OK) {
		fprintf(stderr, "mailsoar act: %s\n", err);
		rc = CLI_EXIT_USAGE;
	} else {
		printf("%s\n", res ? res : "{}");
		rc = res != NULL && strstr(res, "\"status\": \"success\"") ?
		    CLI_EXIT_OK : CLI_EXIT_INPUT;
	}
	g_free(res);
	cli_engine_close(&ce);
out:
	g_free(keys);
	g_free(vals);
	return rc;
}
