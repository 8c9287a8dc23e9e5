/* SPDX-License-Identifier: Apache-2.0 */
/*
 * cmd_audit.c -- `mailsoar audit verify`: check the audit log's hash
 * chain; exit 0 when it holds, 1 naming the first broken entry.
 * `mailsoar audit list [N]`: the newest N entries (default 50) as JSON.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <glib.h>

#include "cli.h"
#include "../store/store.h"

int
cmd_audit(int argc, char **argv)
{
	struct cli_engine	 ce;
	int64_t			 bad = 0;
	char			 why[512], *js = NULL, *end;
	long			 n = 50;
	int			 rc;

	if (argc < 2 || (strcmp(argv[1], "verify") != 0 &&
	    strcmp(argv[1], "list") != 0) || argc > 3) {
		fprintf(stderr, "usage: mailsoar audit verify | audit list "
		    "[N]\n");
		return CLI_EXIT_USAGE;
	}
	if (argc == 3) {
		n = strtol(argv[2], &end, 10);
		if (*argv[2] == '\0' || *end != '\0' || n < 0) {
			fprintf(stderr, "mailsoar audit list: N is a count\n");
			return CLI_EXIT_USAGE;
		}
	}
	if ((rc = cli_engine_open(&ce, NULL, 0, NULL)) != 0)
		return rc;
	if (strcmp(argv[1], "verify") == 0) {
		why[0] = '\0';
		if (store_audit_verify(ce.st, &bad, why, sizeof(why)) ==
		    MS_OK) {
			printf("audit log: the chain holds\n");
			rc = CLI_EXIT_OK;
		} else {
			printf("audit log: broken at entry %lld: %s\n",
			    (long long)bad, why);
			rc = CLI_EXIT_INPUT;
		}
	} else if (store_audit_json(ce.st, (size_t)n, &js) == MS_OK) {
		printf("%s\n", js);
		g_free(js);
	} else
		rc = CLI_EXIT_INPUT;
	cli_engine_close(&ce);
	return rc;
}
