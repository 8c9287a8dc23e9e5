/* SPDX-License-Identifier: Apache-2.0 */
/*
 * serve.h -- shared by cmd_serve.c (the daemon's main thread: analysis,
 * store, playbooks) and serve_watch.c (one thread per watched mailbox).
 *
 * A watcher logs in, opens its folder, fetches every message after the
 * store's cursor, in UID order, and queues it for the main thread; then it
 * waits with IDLE (or polls) and starts again.  It never touches the
 * store: the main thread stores each message's container and moves the
 * cursor in one transaction, so that a crash at any point loses nothing
 * and stores nothing twice.  After a UIDVALIDITY change it rescans the
 * folder; the main thread skips every message the store says this
 * mailbox delivered already (the same bytes: the SHA-256 of the report).
 */
#ifndef MS_SERVE_H
#define MS_SERVE_H

#include <stdint.h>

#include <glib.h>

#include "cli.h"
#include "../ingest/imap.h"

struct asset;

/* One message fetched by a watcher, on its way to the store. */
struct serve_item {
	struct serve_mailbox	*mb;
	uint32_t		 uidvalidity;
	uint32_t		 uid;		/* a sequence for directories */
	char			*file;		/* directories: its path */
	char			*raw;		/* xfree; NULL: not fetched */
	size_t			 len;
	/* Filled by the analysis thread. */
	struct cli_container	 cc;
	char			*key;		/* ingested key, g_free */
	int			 analysed;	/* 1: cc valid */
	int			 status;	/* CLI_EXIT_* of the analysis */
	int			 done;		/* set under the lock */
};

/* A mailbox asset (app=imap) or a watched directory (app=directory),
 * and its watcher thread. */
struct serve_mailbox {
	int		 is_dir;
	char		*path;		/* directories */
	char		*name;		/* the asset's */
	char		*key;		/* "asset/folder": the cursor's name */
	const struct asset *as;
	char		*folder;
	int		 poll_s;
	int		 after;		/* 0 none, 1 flag, 2 move */
	char		*flag, *move_to;
	int		 first_newest;	/* 0: everything */
	int64_t		 first_since;	/* 0: everything */
	/* The cursor the store had at start (read by the main thread). */
	int		 have_cursor;
	uint32_t	 cur_uidvalidity, cur_uid;
	/* Shared with the main thread, under 'lock'. */
	GMutex		 lock;
	char		*state;		/* connecting, idle, fetching, ... */
	char		*last_error;
	uint32_t	 uidvalidity;	/* the server's */
	uint32_t	 fetched;	/* last UID queued */
	uint32_t	 stored;	/* last UID stored (main thread) */
	uint64_t	 n_fetched, n_stored;
	int64_t		 connected_at;
	/* Items of this mailbox in UID order until stored (main thread). */
	GQueue		 pending;
	GAsyncQueue	*processed;	/* UIDs to flag or move (uint), or
					 * for directories paths (g_free) */
	GThread		*thread;
	struct serve	*sv;
};

struct serve {
	GPtrArray	*mailboxes;	/* struct serve_mailbox * */
	GAsyncQueue	*incoming;	/* struct serve_item * from watchers */
	volatile int	 stop;		/* watchers: stop now */
	GMutex		 wlock;		/* for the watchers' sleeps */
	GCond		 wcond;
	int		 max_queue;	/* fetched, not yet stored */
};

/* Read the mailbox asset settings; MS_EINVAL with 'err'. */
enum ms_err	 serve_mailbox_init(struct serve_mailbox *mb,
		    const struct asset *as, char *err, size_t errlen);
void		 serve_mailbox_clear(struct serve_mailbox *mb);
void		 serve_watch_start(struct serve *sv, struct serve_mailbox *mb);
/* The same for a directory asset (serve_dir.c). */
enum ms_err	 serve_dir_init(struct serve_mailbox *mb,
		    const struct asset *as, char *err, size_t errlen);
void		 serve_dir_start(struct serve *sv, struct serve_mailbox *mb);
/* Ask every watcher to stop and wait for them. */
void		 serve_watch_stop_all(struct serve *sv);
/* What a watcher is doing, and its last error (kept when NULL), for the
 * status file. */
void		 serve_set_state(struct serve_mailbox *mb, const char *state,
		    const char *error);
/* Sleep up to 'ms' unless asked to stop; 1 when asked. */
int		 serve_nap(struct serve *sv, int ms);
void		 serve_item_free(struct serve_item *it);

#endif /* MS_SERVE_H */
