/* SPDX-License-Identifier: Apache-2.0 */
/*
 * serve_watch.c -- the watcher thread of one mailbox asset (see serve.h):
 * connect with backoff, fetch what is new, wait with IDLE or poll, apply
 * flag/move to what the main thread stored.  Talks to the server only
 * through imap.h; never logs a secret.
 */
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "serve.h"
#include "../apps/apps.h"
#include "../common/limits.h"
#include "../common/log.h"
#include "../engine/config.h"

#define WATCH_BACKOFF_MIN_MS	1000
#define WATCH_BACKOFF_MAX_MS	60000
#define WATCH_FETCH_BATCH	256	/* UIDs asked for per search */

void
serve_set_state(struct serve_mailbox *mb, const char *state,
    const char *error)
{
	g_mutex_lock(&mb->lock);
	g_free(mb->state);
	mb->state = g_strdup(state);
	if (error != NULL) {
		g_free(mb->last_error);
		mb->last_error = g_strdup(error);
	}
	g_mutex_unlock(&mb->lock);
}

/* "YYYY-MM-DD" to unix time (UTC), or -1. */
static int64_t
parse_day(const char *s)
{
	GDateTime	*d;
	int		 y, m, dd;
	int64_t		 t;
	char		 extra;

	if (sscanf(s, "%4d-%2d-%2d%c", &y, &m, &dd, &extra) != 3 ||
	    (d = g_date_time_new_utc(y, m, dd, 0, 0, 0)) == NULL)
		return -1;
	t = g_date_time_to_unix(d);
	g_date_time_unref(d);
	return t;
}

/* An integer setting in [min, max], 'def' when absent; -1 with 'err'
 * when it is not one. */
static int
int_setting(const struct asset *as, const char *key, int def, int min,
    int max, int *out, char *err, size_t errlen)
{
	const char	*v = asset_get(as, key);
	gint64		 n;

	*out = def;
	if (v == NULL)
		return 0;
	if (!g_ascii_string_to_signed(v, 10, min, max, &n, NULL)) {
		snprintf(err, errlen, "asset %s: %s=%s: a number from %d to "
		    "%d", asset_name(as), key, v, min, max);
		return -1;
	}
	*out = (int)n;
	return 0;
}

enum ms_err
serve_mailbox_init(struct serve_mailbox *mb, const struct asset *as,
    char *err, size_t errlen)
{
	int		 port;
	const char	*v;

	memset(mb, 0, sizeof(*mb));
	g_mutex_init(&mb->lock);
	g_queue_init(&mb->pending);
	mb->as = as;
	mb->name = g_strdup(asset_name(as));
	mb->folder = g_strdup((v = asset_get(as, "folder")) ? v : "INBOX");
	mb->key = g_strdup_printf("%s/%s", mb->name, mb->folder);
	mb->state = g_strdup("starting");
	mb->processed = g_async_queue_new();
	if (int_setting(as, "poll_interval", 60, 1, 86400, &mb->poll_s, err,
	    errlen) != 0 || int_setting(as, "first_run_newest", 0, 0,
	    INT_MAX, &mb->first_newest, err, errlen) != 0 ||
	    int_setting(as, "port", 0, 1, 65535, &port, err, errlen) != 0)
		return MS_EINVAL;
	if ((v = asset_get(as, "first_run_since")) != NULL &&
	    (mb->first_since = parse_day(v)) < 0) {
		snprintf(err, errlen, "asset %s: first_run_since=%s: a date "
		    "YYYY-MM-DD", mb->name, v);
		return MS_EINVAL;
	}
	v = asset_get(as, "after");
	if (v == NULL || strcmp(v, "none") == 0)
		mb->after = 0;
	else if (strcmp(v, "flag") == 0) {
		mb->after = 1;
		mb->flag = g_strdup((v = asset_get(as, "flag")) ? v :
		    "$Mailsoar");
	} else if (strcmp(v, "move") == 0 &&
	    (v = asset_get(as, "move_to")) != NULL) {
		mb->after = 2;
		mb->move_to = g_strdup(v);
	} else {
		snprintf(err, errlen, "asset %s: after= none, flag, or move "
		    "with move_to=", mb->name);
		return MS_EINVAL;
	}
	return MS_OK;
}

void
serve_mailbox_clear(struct serve_mailbox *mb)
{
	struct serve_item	*it;

	while ((it = g_queue_pop_head(&mb->pending)) != NULL)
		serve_item_free(it);
	if (mb->processed != NULL) {
		gpointer p;

		while (mb->is_dir &&
		    (p = g_async_queue_try_pop(mb->processed)) != NULL)
			g_free(p);
		g_async_queue_unref(mb->processed);
	}
	g_free(mb->path);
	g_free(mb->name);
	g_free(mb->key);
	g_free(mb->folder);
	g_free(mb->flag);
	g_free(mb->move_to);
	g_free(mb->state);
	g_free(mb->last_error);
	g_mutex_clear(&mb->lock);
}

void
serve_item_free(struct serve_item *it)
{
	if (it == NULL)
		return;
	xfree(it->raw);
	g_free(it->file);
	cli_container_clear(&it->cc);
	g_free(it->key);
	g_free(it);
}

int
serve_nap(struct serve *sv, int ms)
{
	int64_t	end = g_get_monotonic_time() + (int64_t)ms * 1000;

	g_mutex_lock(&sv->wlock);
	while (!sv->stop && g_get_monotonic_time() < end)
		g_cond_wait_until(&sv->wcond, &sv->wlock, end);
	g_mutex_unlock(&sv->wlock);
	return sv->stop;
}

/* Flag or move what the main thread has stored. */
static enum ms_err
after_stored(struct serve_mailbox *mb, struct imap *im, char *err,
    size_t errlen)
{
	gpointer	p;
	enum ms_err	rc = MS_OK;

	while (rc == MS_OK && (p = g_async_queue_try_pop(mb->processed)) !=
	    NULL) {
		uint32_t uid = (uint32_t)GPOINTER_TO_UINT(p);

		if (mb->after == 1)
			rc = imap_flag(im, uid, mb->flag, err, errlen);
		else if (mb->after == 2)
			rc = imap_move(im, uid, mb->move_to, err, errlen);
	}
	return rc == MS_EAGAIN ? MS_OK : rc;
}

/* Queue one fetched message for the main thread (waits while the main
 * thread has too much in hand).  1 when asked to stop. */
static int
push(struct serve_mailbox *mb, uint32_t uidvalidity, uint32_t uid,
    char *raw, size_t len)
{
	struct serve		*sv = mb->sv;
	struct serve_item	*it = g_new0(struct serve_item, 1);

	while (g_async_queue_length(sv->incoming) >= sv->max_queue)
		if (serve_nap(sv, 20)) {
			xfree(raw);
			g_free(it);
			return 1;
		}
	it->mb = mb;
	it->uidvalidity = uidvalidity;
	it->uid = uid;
	it->raw = raw;
	it->len = len;
	g_async_queue_push(sv->incoming, it);
	g_mutex_lock(&mb->lock);
	mb->fetched = uid;
	mb->n_fetched++;
	g_mutex_unlock(&mb->lock);
	return 0;
}

/*
 * The UIDs to fetch now: after the last one queued, or, on the first run
 * or after a UIDVALIDITY change, the whole folder (or its newest N / what
 * came since a date on a first run).
 */
static enum ms_err
to_fetch(struct serve_mailbox *mb, struct imap *im, uint32_t after,
    int first, uint32_t **uids, size_t *n, char *err, size_t errlen)
{
	enum ms_err	rc;

	if (first && mb->first_since > 0)
		return imap_uids_since(im, mb->first_since, uids, n, err,
		    errlen);
	rc = imap_uids_after(im, after, first && mb->first_newest ?
	    (size_t)-1 : WATCH_FETCH_BATCH, uids, n, err, errlen);
	if (rc == MS_OK && first && mb->first_newest > 0 &&
	    *n > (size_t)mb->first_newest) {
		size_t skip = *n - (size_t)mb->first_newest;

		memmove(*uids, *uids + skip, (size_t)mb->first_newest *
		    sizeof(**uids));
		*n = (size_t)mb->first_newest;
	}
	return rc;
}

/* Without IDLE: wait poll_interval seconds before the next search, a
 * second at a time, so that a stop request and stored messages to flag
 * are seen soon.  (With IDLE, the caller waits a second at a time and
 * the server's word ends the wait.) */
static enum ms_err
poll_wait(struct serve_mailbox *mb, struct imap *im, char *err,
    size_t errlen)
{
	enum ms_err	 rc;
	int		 s, changed;

	for (s = 0; s < mb->poll_s && !mb->sv->stop; s++) {
		if ((rc = imap_wait(im, 1000, &changed, err, errlen)) !=
		    MS_OK || (rc = after_stored(mb, im, err, errlen)) !=
		    MS_OK)
			return rc;
	}
	return MS_OK;
}

/* One session: fetch and wait until the connection drops or we stop.
 * Returns MS_OK when asked to stop. */
static enum ms_err
session(struct serve_mailbox *mb, struct imap *im, char *err,
    size_t errlen)
{
	uint32_t	 uv, next, after, *uids = NULL;
	size_t		 n, i;
	int		 first, changed;
	char		*raw;
	size_t		 len;
	enum ms_err	 rc;

	rc = imap_select(im, mb->folder, mb->after == 0, &uv, &next, err,
	    errlen);
	if (rc != MS_OK)
		return rc;
	g_mutex_lock(&mb->lock);
	mb->uidvalidity = uv;
	first = !mb->have_cursor && mb->fetched == 0;
	if (mb->have_cursor && mb->cur_uidvalidity != uv) {
		log_warnx("mailbox %s: UIDVALIDITY changed (%u -> %u): "
		    "rescanning, skipping what was ingested", mb->key,
		    mb->cur_uidvalidity, uv);
		mb->cur_uidvalidity = uv;	/* one rescan */
		mb->cur_uid = 0;
		mb->fetched = 0;
	}
	after = MAX(mb->fetched, mb->have_cursor ? mb->cur_uid : 0);
	g_mutex_unlock(&mb->lock);
	while (!mb->sv->stop) {
		serve_set_state(mb, "fetching", NULL);
		uids = NULL;
		if ((rc = to_fetch(mb, im, after, first, &uids, &n, err,
		    errlen)) != MS_OK)
			return rc;
		first = 0;
		for (i = 0; i < n && !mb->sv->stop; i++) {
			rc = imap_fetch(im, uids[i], &raw, &len, err, errlen);
			if (rc == MS_EAGAIN || rc == MS_ELIMIT) {
				/* Gone, or too big: an empty item says so. */
				log_warnx("mailbox %s: UID %u: %s", mb->key,
				    uids[i], rc == MS_ELIMIT ? "larger than "
				    "LIMIT_MSG_BYTES, not ingested" : "gone");
				raw = NULL;
				len = rc == MS_ELIMIT ? LIMIT_MSG_BYTES + 1 : 0;
			} else if (rc != MS_OK) {
				xfree(uids);
				return rc;
			}
			if (push(mb, uv, uids[i], raw, len)) {
				xfree(uids);
				return MS_OK;
			}
			after = uids[i];
		}
		xfree(uids);
		if (n > 0)
			continue;	/* more may have come meanwhile */
		if ((rc = after_stored(mb, im, err, errlen)) != MS_OK)
			return rc;
		serve_set_state(mb, imap_has_idle(im) ? "idle" : "polling",
		    NULL);
		changed = 0;
		if (imap_has_idle(im))
			rc = imap_wait(im, 1000, &changed, err, errlen);
		else
			rc = poll_wait(mb, im, err, errlen);
		if (rc != MS_OK)
			return rc;
	}
	return MS_OK;
}

static gpointer
watch(gpointer arg)
{
	struct serve_mailbox	*mb = arg;
	struct serve		*sv = mb->sv;
	struct imap_config	 cf;
	struct imap		*im;
	const char		*folder;
	char			*secret, err[1024];
	int			 backoff = WATCH_BACKOFF_MIN_MS;
	enum ms_err		 rc;

	while (!sv->stop) {
		serve_set_state(mb, "connecting", NULL);
		if (imap_app_config(mb->as, &cf, &secret, &folder, err,
		    sizeof(err)) != MS_OK) {
			serve_set_state(mb, "misconfigured", err);
			log_warnx("mailbox %s: %s", mb->key, err);
			serve_nap(sv, WATCH_BACKOFF_MAX_MS);
			continue;
		}
		im = NULL;
		rc = imap_open(&cf, &im, err, sizeof(err));
		memset(secret, 0, strlen(secret));
		xfree(secret);
		if (rc == MS_OK) {
			g_mutex_lock(&mb->lock);
			mb->connected_at = g_get_real_time();
			g_mutex_unlock(&mb->lock);
			log_info("mailbox %s: connected", mb->key);
			backoff = WATCH_BACKOFF_MIN_MS;
			rc = session(mb, im, err, sizeof(err));
		}
		imap_close(im);
		if (sv->stop)
			break;
		if (rc != MS_OK) {
			serve_set_state(mb, "waiting to reconnect", err);
			log_warnx("mailbox %s: %s; again in %d s", mb->key,
			    err, backoff / 1000);
		}
		serve_nap(sv, backoff);
		backoff = MIN(backoff * 2, WATCH_BACKOFF_MAX_MS);
	}
	serve_set_state(mb, "stopped", NULL);
	return NULL;
}

void
serve_watch_start(struct serve *sv, struct serve_mailbox *mb)
{
	mb->sv = sv;
	mb->thread = g_thread_new("watch", watch, mb);
}

void
serve_watch_stop_all(struct serve *sv)
{
	guint	i;

	g_mutex_lock(&sv->wlock);
	sv->stop = 1;
	g_cond_broadcast(&sv->wcond);
	g_mutex_unlock(&sv->wlock);
	for (i = 0; i < sv->mailboxes->len; i++) {
		struct serve_mailbox *mb = sv->mailboxes->pdata[i];

		if (mb->thread != NULL)
			g_thread_join(mb->thread);
		mb->thread = NULL;
	}
}
