/* SPDX-License-Identifier: Apache-2.0 */
/*
 * apptest.h -- what the connectors' unit tests share: a configuration
 * written to a file and loaded with its assets, an action run on an asset
 * with its result as JSON, and readers of that result.  Test secrets
 * contain "sekret" or "wrong-key": apptest_run() fails the test when a
 * result shows either.
 */
#ifndef MS_TEST_APPTEST_H
#define MS_TEST_APPTEST_H

#include <stddef.h>

#include <jansson.h>

#include "engine/app.h"
#include "engine/config.h"

/* Write 'text' to DIR/apptest.conf and load it with the built-in apps,
 * then start its assets.  NULL with 'err' set when either fails (a
 * config_load failure also fails the test). */
struct config	*apptest_load(const char *dir, const char *text, char *err,
		    size_t errlen);

/* Run 'action' of 'app' on asset 'asset' with 'n' parameters; the
 * result as JSON (json_decref it), '*ok' and '*transient' its status. */
json_t		*apptest_runv(const struct app *app, struct config *cf,
		    const char *asset, const char *action, const char **k,
		    const char **v, size_t n, int timeout_ms, int *ok,
		    int *transient);
/* The same with one parameter. */
json_t		*apptest_run(const struct app *app, struct config *cf,
		    const char *asset, const char *action, const char *k,
		    const char *v, int timeout_ms, int *ok, int *transient);

/* The summary's string and integer members (NULL, 0 when absent), and
 * the result's message ("" when none). */
const char	*apptest_sumstr(json_t *j, const char *k);
json_int_t	 apptest_sumint(json_t *j, const char *k);
const char	*apptest_msg(json_t *j);

#endif /* MS_TEST_APPTEST_H */
