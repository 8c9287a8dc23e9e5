/* SPDX-License-Identifier: Apache-2.0 */
/*
 * action.h -- one action call as the engine sees it (engine-internal; apps
 * see only the context functions of app.h).  A context holds the call's
 * parameters (copied), its asset, its time budget and its result.  One
 * context is used by one thread at a time: the executor hands it to a
 * worker, the worker runs it, the owner reads the result afterwards.
 */
#ifndef MS_ACTION_H
#define MS_ACTION_H

#include <stddef.h>

#include "app.h"

/* The action of 'app' called 'name' ("geolocate ip"), or NULL. */
const struct app_action *action_find(const struct app *app, const char *name);

/*
 * A call of 'act' on asset 'as' (which must outlive the context) with
 * 'n' parameters given as parallel 'keys'/'vals' arrays (copied; a NULL
 * value is kept as absent).  'timeout_ms' (> 0; <= 0 means 30000) is
 * the budget of each attempt, counted from action_ctx_run().  Never
 * fails (OOM is fatal).  Free with action_ctx_free().
 */
struct action_ctx *action_ctx_new(const struct app_action *act,
		    const struct asset *as, const char *const *keys,
		    const char *const *vals, size_t n, int timeout_ms);
/* NULL-safe. */
void		 action_ctx_free(struct action_ctx *ctx);

/*
 * Check the parameters against the action's table.  An unknown or
 * repeated parameter, or a required one missing or empty, returns
 * MS_EINVAL with 'err' saying which and listing the valid ones:
 * "geolocate ip: unknown parameter 'ipp'; valid: ip (required)".
 */
enum ms_err	 action_ctx_check(const struct action_ctx *ctx, char *err,
		    size_t errlen);

/*
 * Run the action once, on the calling thread (it may block up to the
 * time budget).  The deadline restarts here.  A function that returns
 * anything but MS_OK without calling action_fail() leaves the result
 * failed with ms_strerror() as message (transient for MS_ENET and
 * MS_EAGAIN).  Call action_ctx_reset() before running it again.
 */
void		 action_ctx_run(struct action_ctx *ctx);
/* Forget the result (data, summary, message, status) before a retry. */
void		 action_ctx_reset(struct action_ctx *ctx);

/* 1 when the call ran and did not fail. */
int		 action_ctx_ok(const struct action_ctx *ctx);
/* 1 when the call failed with a transient error (worth a retry). */
int		 action_ctx_transient(const struct action_ctx *ctx);
/* The message ("" when none was set).  Borrowed, valid until the next
 * run, reset or set_result_json. */
const char	*action_ctx_message(const struct action_ctx *ctx);
const struct app_action *action_ctx_action(const struct action_ctx *ctx);

/*
 * The result as one compact JSON object, keys sorted:
 * {"status":"success"|"failed","message":"...","data":[...],
 *  "summary":{...},"parameter":{...}}.  Newly allocated (xfree).
 */
char		*action_ctx_result_json(const struct action_ctx *ctx);
/* The parameters as a compact JSON object with sorted keys (a stable
 * cache key).  Newly allocated (xfree). */
char		*action_ctx_params_json(const struct action_ctx *ctx);

/*
 * For apps written in Python: replace the whole result with 'json', an
 * object {"data":[{...},...],"summary":{...},"message":"..."} (each
 * member optional).  "status":"failed" marks it failed, with
 * "transient":true when worth a retry.  Returns MS_OK, or MS_EINVAL
 * when 'json' is not such an object (the result is then unchanged).
 */
enum ms_err	 action_set_result_json(struct action_ctx *ctx,
		    const char *json);

#endif /* MS_ACTION_H */
