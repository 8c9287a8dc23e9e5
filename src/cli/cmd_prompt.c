/* SPDX-License-Identifier: Apache-2.0 */
/*
 * cmd_prompt.c -- `mailsoar prompt list [--all]`: prompts waiting for an
 * analyst (JSON); `mailsoar prompt answer ID CHOICE [--as NAME]`: answer
 * one, recorded in the audit log under NAME (default: $USER).  The
 * running playbook sees the answer within a second.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <glib.h>

#include "cli.h"
#include "../store/store.h"

int
cmd_prompt(int argc, char **argv)
{
	struct cli_engine	 ce;
	const char		*who = g_getenv("USER");
	char			 err[512], *js = NULL, *end;
	long long		 id;
	int			 rc;

	if (argc >= 2 && strcmp(argv[1], "list") == 0 && argc <= 3) {
		if ((rc = cli_engine_open(&ce, NULL, 0, NULL)) != 0)
			return rc;
		if (store_prompts_json(ce.st, !(argc == 3 &&
		    strcmp(argv[2], "--all") == 0), &js) == MS_OK)
			printf("%s\n", js);
		else
			rc = CLI_EXIT_INPUT;
		g_free(js);
		cli_engine_close(&ce);
		return rc;
	}
	if (argc == 6 && strcmp(argv[4], "--as") == 0) {
		who = argv[5];
		argc = 4;
	}
	if (argc != 4 || strcmp(argv[1], "answer") != 0) {
		fprintf(stderr, "usage: mailsoar prompt list [--all]\n"
		    "       mailsoar prompt answer ID CHOICE [--as NAME]\n");
		return CLI_EXIT_USAGE;
	}
	id = strtoll(argv[2], &end, 10);
	if (*argv[2] == '\0' || *end != '\0' || id <= 0) {
		fprintf(stderr, "mailsoar prompt: '%s' is not a prompt id\n",
		    argv[2]);
		return CLI_EXIT_USAGE;
	}
	if ((rc = cli_engine_open(&ce, NULL, 0, NULL)) != 0)
		return rc;
	if (store_prompt_answer(ce.st, id, argv[3], who ? who : "analyst",
	    err, sizeof(err)) != MS_OK) {
		fprintf(stderr, "mailsoar prompt: %s\n", err);
		rc = CLI_EXIT_INPUT;
	} else
		printf("prompt %lld answered: %s\n", id, argv[3]);
	cli_engine_close(&ce);
	return rc;
}
