/* SPDX-License-Identifier: Apache-2.0 */
/*
 * app.h -- what an app (a connector) is: a table of actions with their
 * parameters and output data paths, and the functions that run them.
 * Action functions run on the engine's worker threads, without the GIL,
 * and may block (up to the time budget in their context).  They read
 * their parameters and their asset's settings from the context and build
 * their result into it; they never see the store, Python or the engine.
 *
 * Results are JSON-shaped (Phantom's action_result: data[] of dicts and
 * a summary dict) and built through the small rdict/rlist API below,
 * whose implementation (result.c) is the engine's only use of jansson.
 */
#ifndef MS_APP_H
#define MS_APP_H

#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>

#include "../common/ms.h"

struct action_ctx;		/* one action call; opaque */
struct asset;			/* a configured instance of an app; opaque */
struct rdict;			/* a JSON object being built; opaque */
struct rlist;			/* a JSON array being built; opaque */

/* An action's entry point.  Returns MS_OK when it ran (its result says
 * success or failure), anything else when it could not run; either way
 * the message set with action_fail() is what the analyst reads. */
typedef enum ms_err	(*action_fn)(struct action_ctx *ctx);

/* Per-asset state (an open database, a parsed server list), made once
 * when the asset is loaded and shared by concurrent actions: the app
 * makes it thread-safe.  Returns MS_OK or MS_EINVAL with 'err' filled
 * (a clear sentence naming the setting and the problem). */
typedef enum ms_err	(*asset_init_fn)(const struct asset *as, void **state,
			    char *err, size_t errlen);
typedef void		(*asset_free_fn)(void *state);

enum app_param_flags {
	APP_PARAM_REQUIRED	= 1 << 0,
};

/* One parameter: its name, its Phantom "contains" type ("ip", "domain",
 * "url", "hash", "email", "vault id", NULL for none). */
struct app_param {
	const char	*name;
	const char	*contains;
	unsigned	 flags;		/* enum app_param_flags */
	const char	*description;
};

/* One output data path ("action_result.data.*.country_iso_code") and its
 * contains type, for playbook authors and `mailsoar apps`. */
struct app_output {
	const char	*path;
	const char	*contains;
};

enum app_action_flags {
	/* Reads only: its result may be cached and reused by (action,
	 * asset, parameters) for the asset's cache TTL. */
	APP_ACTION_CACHEABLE	= 1 << 0,
};

struct app_action {
	const char			*name;	/* "geolocate ip" */
	const char			*description;
	const struct app_param		*params;	/* {NULL} ends */
	const struct app_output		*outputs;	/* {NULL} ends */
	action_fn			 fn;
	unsigned			 flags;	/* enum app_action_flags */
};

/* One asset setting the app understands (for config validation and
 * `mailsoar apps`).  Secret settings are read with asset_secret() and
 * may be given as KEY=, KEY_file= or KEY_env=; they are never logged. */
struct app_setting {
	const char	*name;
	int		 required;
	int		 secret;
	const char	*description;
};

struct app {
	const char			*name;		/* "geoip" */
	const char			*description;
	const struct app_action		*actions;	/* {NULL} ends */
	const struct app_setting	*settings;	/* {NULL} ends */
	asset_init_fn			 asset_init;	/* may be NULL */
	asset_free_fn			 asset_free;	/* may be NULL */
	/* `mailsoar asset test`: check connectivity, MS_OK or a failure
	 * set with action_fail().  May be NULL (nothing to test). */
	action_fn			 test;
};

/* The built-in apps, NULL-terminated (apps.c). */
extern const struct app *const	app_builtin[];

/* ---- the context, for action functions --------------------------- */

/* A parameter's value as given (string form), or NULL.  Borrowed. */
const char	*action_param(const struct action_ctx *ctx, const char *name);
/* The asset this call runs on and its state from asset_init. */
const struct asset *action_asset(const struct action_ctx *ctx);
void		*action_state(const struct action_ctx *ctx);
/* Milliseconds left before the engine gives up on this call (>= 1). */
int		 action_time_left_ms(const struct action_ctx *ctx);

/* The result under construction.  Data items are appended in order. */
struct rdict	*action_add_data(struct action_ctx *ctx);
struct rdict	*action_summary(struct action_ctx *ctx);
/* The one-line message shown with the result (printf-style). */
void		 action_set_message(struct action_ctx *ctx, const char *fmt,
		    ...) __attribute__((format(printf, 2, 3)));
/* Mark the result failed with a message.  'transient' (a timeout, a
 * refused connection, a 5xx, a 429): the engine retries with backoff. */
void		 action_fail(struct action_ctx *ctx, int transient,
		    const char *fmt, ...) __attribute__((format(printf, 3, 4)));

/* ---- assets --------------------------------------------------------- */

const char	*asset_name(const struct asset *as);
const char	*asset_app(const struct asset *as);
/* A plain setting as written in the config, or NULL.  Borrowed. */
const char	*asset_get(const struct asset *as, const char *key);
/* An integer setting, 'def' when absent.  Config loading has already
 * checked that it parses. */
int64_t		 asset_get_int(const struct asset *as, const char *key,
		    int64_t def);
/* A secret: KEY=, else the first line of the file KEY_file=, else the
 * environment variable named by KEY_env=.  Newly allocated (xfree), or
 * NULL when none is set or the file is unreadable. */
char		*asset_secret(const struct asset *as, const char *key);
/* The path of the engine's own store (DATADIR/mailsoar.db), for apps
 * that read what the CLI put there (the intel app's indicators), or
 * NULL when the engine was configured without one.  Borrowed; valid for
 * the asset's life.  Apps open their own connection (store.h): they
 * never share the engine's. */
const char	*asset_store_path(const struct asset *as);

/* ---- results: JSON objects and arrays ------------------------------- */

/* Setters copy 'key' and 'val'.  'val' NULL sets JSON null.  Strings
 * that are not valid UTF-8 are stored with bad bytes as U+FFFD. */
void		 rdict_set_str(struct rdict *d, const char *key,
		    const char *val);
void		 rdict_set_int(struct rdict *d, const char *key, int64_t val);
void		 rdict_set_real(struct rdict *d, const char *key, double val);
void		 rdict_set_bool(struct rdict *d, const char *key, int val);
/* Nested containers, owned by 'd'. */
struct rdict	*rdict_add_dict(struct rdict *d, const char *key);
struct rlist	*rdict_add_list(struct rdict *d, const char *key);
void		 rlist_add_str(struct rlist *l, const char *val);
void		 rlist_add_int(struct rlist *l, int64_t val);
struct rdict	*rlist_add_dict(struct rlist *l);

#endif /* MS_APP_H */
