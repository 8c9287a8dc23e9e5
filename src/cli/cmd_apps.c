/* SPDX-License-Identifier: Apache-2.0 */
/*
 * cmd_apps.c -- `mailsoar apps`: every app the engine knows (built-in and
 * Python), its actions with their parameters and output data paths, its
 * settings, and the configured assets that use it; `mailsoar asset test
 * NAME`: check that one asset works.
 */
#include <stdio.h>
#include <string.h>

#include <glib.h>

#include "cli.h"
#include "../engine/config.h"
#include "../py/pb.h"

static void
print_app(const struct app *ap, struct config *cf)
{
	size_t	i, k, n = 0;

	printf("%s -- %s\n", ap->name, ap->description ? ap->description :
	    "");
	printf("  assets:");
	for (i = 0; i < config_n_assets(cf); i++) {
		struct asset *as = config_asset(cf, i);

		if (asset_app_table(as) == ap) {
			printf(" %s", asset_name(as));
			n++;
		}
	}
	printf("%s\n", n ? "" : " (none configured)");
	if (ap->settings != NULL && ap->settings[0].name != NULL) {
		printf("  settings:");
		for (i = 0; ap->settings[i].name != NULL; i++)
			printf(" %s%s%s", ap->settings[i].name,
			    ap->settings[i].required ? " (required)" : "",
			    ap->settings[i].secret ? " (secret)" : "");
		printf("\n");
	}
	for (i = 0; ap->actions[i].name != NULL; i++) {
		const struct app_action *a = &ap->actions[i];

		printf("  action \"%s\"%s -- %s\n", a->name,
		    a->flags & APP_ACTION_CACHEABLE ? " (cached)" : "",
		    a->description ? a->description : "");
		for (k = 0; a->params && a->params[k].name != NULL; k++)
			printf("      %s%s%s%s%s\n", a->params[k].name,
			    a->params[k].contains ? " [" : "",
			    a->params[k].contains ? a->params[k].contains : "",
			    a->params[k].contains ? "]" : "",
			    a->params[k].flags & APP_PARAM_REQUIRED ?
			    " (required)" : "");
		for (k = 0; a->outputs && a->outputs[k].path != NULL; k++)
			printf("      -> %s%s%s%s\n", a->outputs[k].path,
			    a->outputs[k].contains ? " [" : "",
			    a->outputs[k].contains ? a->outputs[k].contains :
			    "", a->outputs[k].contains ? "]" : "");
	}
}

int
cmd_apps(int argc, char **argv)
{
	struct cli_engine	 ce;
	const struct app *const	*apps;
	size_t			 i, n;
	int			 rc;

	if (argc > 1) {
		fprintf(stderr, "usage: mailsoar [-c CONFIG] apps\n");
		return strcmp(argv[1], "--help") == 0 ? CLI_EXIT_OK :
		    CLI_EXIT_USAGE;
	}
	if ((rc = cli_engine_open(&ce, NULL, CLI_ENGINE_PB, NULL)) != 0)
		return rc;
	apps = pb_apps(ce.pb, &n);
	for (i = 0; i < n; i++) {
		if (i > 0)
			printf("\n");
		print_app(apps[i], ce.cf);
	}
	cli_engine_close(&ce);
	return CLI_EXIT_OK;
}

int
cmd_asset(int argc, char **argv)
{
	struct cli_engine	 ce;
	char			*msg = NULL;
	enum ms_err		 r;
	int			 rc;

	if (argc != 3 || strcmp(argv[1], "test") != 0) {
		fprintf(stderr, "usage: mailsoar [-c CONFIG] asset test "
		    "NAME\n");
		return CLI_EXIT_USAGE;
	}
	if ((rc = cli_engine_open(&ce, NULL, CLI_ENGINE_PB, NULL)) != 0)
		return rc;
	r = pb_asset_test(ce.pb, argv[2], &msg);
	printf("asset %s: %s: %s\n", argv[2], r == MS_OK ? "ok" : "FAILED",
	    msg ? msg : "");
	g_free(msg);
	cli_engine_close(&ce);
	return r == MS_OK ? CLI_EXIT_OK : r == MS_EINVAL ? CLI_EXIT_USAGE :
	    CLI_EXIT_INPUT;
}
