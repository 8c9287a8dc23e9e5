/* SPDX-License-Identifier: Apache-2.0 */
/*
 * imap.c -- the imap app: a mailbox the SOC owns.  Its assets are what
 * `mailsoar serve` watches (src/cli/serve_watch.c reads these settings);
 * the asset test logs in and opens the folder.  The mailbox actions of
 * the seed (get, delete, restore email) come with a later issue.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <glib.h>

#include "apps.h"
#include "../ingest/imap.h"

/*
 * An OAuth2 access token from the first line a command prints (a token
 * broker, `oauth2l fetch ...`): run by /bin/sh at every connection, so
 * that a refreshed token is used.  Newly allocated in '*token'.
 */
static enum ms_err
token_command(const struct asset *as, const char *cmd, char **token,
    char *err, size_t errlen)
{
	char	*argv[] = { "/bin/sh", "-c", (char *)cmd, NULL };
	gchar	*out = NULL;
	gint	 status = -1;

	*token = NULL;
	if (!g_spawn_sync(NULL, argv, NULL, G_SPAWN_STDERR_TO_DEV_NULL, NULL,
	    NULL, &out, NULL, &status, NULL) ||
	    !g_spawn_check_wait_status(status, NULL) || out == NULL) {
		snprintf(err, errlen, "asset %s: token_command failed",
		    asset_name(as));
		g_free(out);
		return MS_EINVAL;
	}
	out[strcspn(out, "\r\n")] = '\0';
	if (*out != '\0')
		*token = xstrdup(out);
	memset(out, 0, strlen(out));
	g_free(out);
	if (*token == NULL) {
		snprintf(err, errlen, "asset %s: token_command printed no "
		    "token", asset_name(as));
		return MS_EINVAL;
	}
	return MS_OK;
}

enum ms_err
imap_app_config(const struct asset *as, struct imap_config *cf,
    char **secret, const char **folder, char *err, size_t errlen)
{
	const char	*tls = asset_get(as, "tls"), *auth = asset_get(as,
			    "auth"), *v;

	memset(cf, 0, sizeof(*cf));
	*secret = NULL;
	cf->host = asset_get(as, "host");
	cf->port = (int)asset_get_int(as, "port", 0);
	cf->ca_file = asset_get(as, "ca_file");
	cf->verify = (v = asset_get(as, "verify")) == NULL ||
	    strcmp(v, "no") != 0;
	cf->username = asset_get(as, "username");
	cf->timeout_ms = (int)asset_get_int(as, "timeout_ms", 30000);
	if (tls == NULL || strcmp(tls, "imaps") == 0)
		cf->tls = IMAP_TLS_IMAPS;
	else if (strcmp(tls, "starttls") == 0)
		cf->tls = IMAP_TLS_STARTTLS;
	else if (strcmp(tls, "none") == 0)
		cf->tls = IMAP_TLS_NONE;
	else {
		snprintf(err, errlen, "asset %s: tls=%s: imaps, starttls or "
		    "none", asset_name(as), tls);
		return MS_EINVAL;
	}
	if (auth == NULL || strcmp(auth, "login") == 0) {
		cf->auth = IMAP_AUTH_LOGIN;
		*secret = asset_secret(as, "password");
	} else if (strcmp(auth, "xoauth2") == 0) {
		cf->auth = IMAP_AUTH_XOAUTH2;
		if ((*secret = asset_secret(as, "token")) == NULL &&
		    (v = asset_get(as, "token_command")) != NULL &&
		    token_command(as, v, secret, err, errlen) != MS_OK)
			return MS_EINVAL;
	} else {
		snprintf(err, errlen, "asset %s: auth=%s: login or xoauth2",
		    asset_name(as), auth);
		return MS_EINVAL;
	}
	if (cf->host == NULL || cf->username == NULL || *secret == NULL) {
		snprintf(err, errlen, "asset %s: host=, username= and a "
		    "password (or token for xoauth2) are needed",
		    asset_name(as));
		xfree(*secret);
		*secret = NULL;
		return MS_EINVAL;
	}
	cf->secret = *secret;
	*folder = (v = asset_get(as, "folder")) != NULL ? v : "INBOX";
	return MS_OK;
}

/* Log in and open the folder read-only. */
static enum ms_err
test(struct action_ctx *ctx)
{
	const struct asset	*as = action_asset(ctx);
	struct imap_config	 cf;
	struct imap		*im = NULL;
	const char		*folder;
	char			*secret, err[512];
	uint32_t		 uv = 0, next = 0;

	if (imap_app_config(as, &cf, &secret, &folder, err, sizeof(err)) !=
	    MS_OK) {
		action_fail(ctx, 0, "%s", err);
		return MS_OK;
	}
	cf.timeout_ms = action_time_left_ms(ctx);
	if (imap_open(&cf, &im, err, sizeof(err)) != MS_OK ||
	    imap_select(im, folder, 1, &uv, &next, err, sizeof(err)) !=
	    MS_OK)
		action_fail(ctx, 1, "%s", err);
	else
		action_set_message(ctx, "logged in to %s as %s; %s has "
		    "UIDVALIDITY %u, next UID %u%s", cf.host, cf.username,
		    folder, uv, next, imap_has_idle(im) ? ", IDLE" : "");
	imap_close(im);
	if (secret != NULL) {
		memset(secret, 0, strlen(secret));
		xfree(secret);
	}
	return MS_OK;
}

static const struct app_setting imap_settings[] = {
	{ "host", 1, 0, "the IMAP server" },
	{ "port", 0, 0, "default 993 (imaps) or 143" },
	{ "tls", 0, 0, "imaps (default), starttls or none" },
	{ "ca_file", 0, 0, "CA certificates to trust (default: system)" },
	{ "verify", 0, 0, "no: do not check the certificate (tests only)" },
	{ "username", 1, 0, "login name" },
	{ "password", 0, 1, "password (or password_file=, password_env=)" },
	{ "auth", 0, 0, "login (default) or xoauth2" },
	{ "token", 0, 1, "OAuth2 access token for xoauth2 (token_file=...)" },
	{ "token_command", 0, 0, "a command printing the OAuth2 token" },
	{ "folder", 0, 0, "the folder to watch (default INBOX)" },
	{ "poll_interval", 0, 0, "seconds between checks without IDLE, and "
	  "the longest IDLE (default 60)" },
	{ "after", 0, 0, "none (default: read-only), flag or move" },
	{ "flag", 0, 0, "the flag set when after=flag (default $Mailsoar)" },
	{ "move_to", 0, 0, "the folder for after=move" },
	{ "first_run_newest", 0, 0, "first run: only the newest N" },
	{ "first_run_since", 0, 0, "first run: only mail since YYYY-MM-DD" },
	{ NULL, 0, 0, NULL }
};

static const struct app_action imap_actions[] = {
	{ NULL, NULL, NULL, NULL, NULL, 0 }
};

const struct app imap_app = {
	"imap", "a mailbox the SOC owns: watched by mailsoar serve",
	imap_actions, imap_settings, NULL, NULL, test
};
