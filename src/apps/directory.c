/* SPDX-License-Identifier: Apache-2.0 */
/*
 * directory.c -- the directory app: a drop folder that `mailsoar serve`
 * watches (src/cli/serve_dir.c reads these settings), for systems that
 * hand reported emails over as files.  The asset test checks that the
 * directory exists and can be read and written.
 */
#include <unistd.h>

#include <glib.h>

#include "apps.h"

static enum ms_err
test(struct action_ctx *ctx)
{
	const char	*path = asset_get(action_asset(ctx), "path");

	if (path == NULL || !g_file_test(path, G_FILE_TEST_IS_DIR))
		action_fail(ctx, 0, "%s is not a directory", path ? path :
		    "path=");
	else if (access(path, R_OK | W_OK | X_OK) != 0)
		action_fail(ctx, 0, "%s: cannot read and write it", path);
	else
		action_set_message(ctx, "%s is watched", path);
	return MS_OK;
}

static const struct app_setting directory_settings[] = {
	{ "path", 1, 0, "the directory to watch" },
	{ "after", 0, 0, "move (to path/.done, the default) or delete" },
	{ NULL, 0, 0, NULL }
};

static const struct app_action directory_actions[] = {
	{ NULL, NULL, NULL, NULL, NULL, 0 }
};

const struct app directory_app = {
	"directory", "a drop folder of reported emails, watched by mailsoar "
	"serve", directory_actions, directory_settings, NULL, NULL, test
};
