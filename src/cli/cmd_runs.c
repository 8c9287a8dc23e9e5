/* SPDX-License-Identifier: Apache-2.0 */
/*
 * cmd_runs.c -- `mailsoar runs show ID [--json]`: one playbook run as a
 * timeline (actions with parameters, status, duration, cache; prompts;
 * the traceback of a failed run); `mailsoar runs list CONTAINER`: the
 * runs of a container (JSON); `mailsoar containers [--json]`.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <glib.h>

#include "cli.h"
#include "../report/report.h"
#include "../store/store.h"

static int
parse_id(const char *s, int64_t *id)
{
	char	*end;

	*id = strtoll(s, &end, 10);
	return *s != '\0' && *end == '\0' && *id > 0 ? 0 : -1;
}

int
cmd_runs(int argc, char **argv)
{
	struct cli_engine	 ce;
	int64_t			 id;
	char			*js = NULL;
	int			 rc, json = argc == 4 &&
				    strcmp(argv[3], "--json") == 0;
	enum ms_err		 r;

	if ((argc != 3 && !json) || (strcmp(argv[1], "show") != 0 &&
	    strcmp(argv[1], "list") != 0) || parse_id(argv[2], &id) != 0) {
		fprintf(stderr, "usage: mailsoar runs show RUN_ID [--json]\n"
		    "       mailsoar runs list CONTAINER_ID\n");
		return CLI_EXIT_USAGE;
	}
	if ((rc = cli_engine_open(&ce, NULL, 0, NULL)) != 0)
		return rc;
	if (strcmp(argv[1], "list") == 0) {
		r = store_runs_json(ce.st, id, &js);
		json = 1;
	} else
		r = store_run_json(ce.st, id, &js);
	if (r != MS_OK) {
		fprintf(stderr, "mailsoar runs: no run %lld\n", (long long)id);
		rc = CLI_EXIT_INPUT;
	} else if (json)
		printf("%s\n", js);
	else
		report_run_text(stdout, js, isatty(STDOUT_FILENO) ?
		    REPORT_COLOR : 0);
	g_free(js);
	cli_engine_close(&ce);
	return rc;
}

int
cmd_containers(int argc, char **argv)
{
	struct cli_engine	 ce;
	char			*js = NULL;
	int			 rc;

	if (argc > 2 || (argc == 2 && strcmp(argv[1], "--json") != 0)) {
		fprintf(stderr, "usage: mailsoar containers [--json]\n");
		return CLI_EXIT_USAGE;
	}
	if ((rc = cli_engine_open(&ce, NULL, 0, NULL)) != 0)
		return rc;
	if (store_containers_json(ce.st, 0, &js) != MS_OK)
		rc = CLI_EXIT_INPUT;
	else if (argc == 2)
		printf("%s\n", js);
	else
		report_containers_text(stdout, js);
	g_free(js);
	cli_engine_close(&ce);
	return rc;
}
