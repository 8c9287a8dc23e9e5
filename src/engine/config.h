/* SPDX-License-Identifier: Apache-2.0 */
/*
 * config.h -- mailsoar.conf (GLib key-file format), read once at start
 * and again on SIGHUP.  Every error names FILE:LINE and what was expected;
 * nothing from a secret setting ever reaches an error or the log.
 *
 *   [engine]                 workers=, run_timeout_s=, action_timeout_ms=,
 *                            retries=, cache_ttl_s=, data_dir=
 *   [playbooks]              dir=, apps_dir= (Python apps), and one key per
 *                            container label: email=email_triage;other
 *                            (playbooks run in that order)
 *   [playbook_repo]          url=, branch=, sync_interval_s=
 *   [detect]                 org_domains=, vips=, authserv_id= (what
 *                            detection knows of the deployment,
 *                            detect.h); each value is checked
 *   [asset NAME]             app=APP, the app's settings (app.h), plus
 *                            max_concurrent=, timeout_ms=, retries=,
 *                            cache_ttl_s= for this asset
 *
 * Unknown groups, unknown keys in [engine]/[playbooks]/[playbook_repo],
 * unknown apps, settings an app does not declare, missing required
 * settings and integers that do not parse are all errors.
 */
#ifndef MS_CONFIG_H
#define MS_CONFIG_H

#include <stddef.h>
#include <stdint.h>

#include "app.h"

struct config;

/*
 * Read and check 'path'.  'apps' is the NULL-terminated list of apps
 * that assets may name (the built-ins plus Python apps); NULL skips the
 * [asset NAME] groups unchecked (for a command that reads the other
 * groups only, like `analyze --no-store`).  Asset
 * states are not made here (see config_assets_init).  Returns MS_OK, or
 * MS_EIO (unreadable) / MS_EINVAL (wrong) with 'err' = "FILE:LINE: ...".
 */
enum ms_err	 config_load(const char *path, const struct app *const *apps,
		    struct config **out, char *err, size_t errlen);
/* An empty configuration (no assets, defaults everywhere). */
struct config	*config_new_empty(void);
void		 config_free(struct config *cf);

/* The path of the store the engine opened (DATADIR/mailsoar.db), for
 * apps that read it (asset_store_path, app.h).  Call it before
 * config_assets_init; 'path' is copied; NULL clears it. */
void		 config_set_store_path(struct config *cf, const char *path);

/* Run every asset's asset_init.  On failure, 'err' names the asset and
 * the problem, and no state is left behind. */
enum ms_err	 config_assets_init(struct config *cf, char *err,
		    size_t errlen);

const char	*config_path(const struct config *cf);	/* or NULL */
/* A setting of a fixed group ("engine", "playbooks", "playbook_repo",
 * "detect"), or NULL.  Borrowed. */
const char	*config_get(const struct config *cf, const char *group,
		    const char *key);
int64_t		 config_get_int(const struct config *cf, const char *group,
		    const char *key, int64_t def);

/* A [feed NAME]: a threat-intel feed loaded every interval_s by
 * `mailsoar intel refresh`.  Exactly one of path and url is set.
 * Borrowed from the config. */
struct config_feed {
	const char	*name;
	const char	*path;		/* a file or directory */
	const char	*url;		/* http:// or https:// */
	int64_t		 interval_s;
};

size_t		 config_n_feeds(const struct config *cf);
void		 config_feed(const struct config *cf, size_t i,
		    struct config_feed *out);

size_t		 config_n_assets(const struct config *cf);
struct asset	*config_asset(const struct config *cf, size_t i);
struct asset	*config_asset_find(const struct config *cf, const char *name);

/* The playbooks for containers of 'label', in order, NULL-terminated
 * (an empty list when none are configured).  Borrowed. */
const char *const *config_playbooks(const struct config *cf,
		    const char *label);
/* Whether [playbooks] has a line for 'label' at all (an empty one says
 * "none"; no line lets the engine use its default). */
int		 config_has_playbooks(const struct config *cf,
		    const char *label);

/* Engine-side facts about an asset (config.c owns struct asset). */
const struct app *asset_app_table(const struct asset *as);
void		*asset_state(const struct asset *as);
int		 asset_max_concurrent(const struct asset *as);	/* >= 1 */
int		 asset_timeout_ms(const struct asset *as);	/* > 0 */
int		 asset_retries(const struct asset *as);		/* >= 0 */
int		 asset_cache_ttl_s(const struct asset *as);	/* >= 0 */

#endif /* MS_CONFIG_H */
