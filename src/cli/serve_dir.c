/* SPDX-License-Identifier: Apache-2.0 */
/*
 * serve_dir.c -- a watched directory (an asset with app=directory): a
 * drop folder where another system writes reported emails, one file each.
 * The watcher takes every file already there, then every file closed
 * after writing or moved in (inotify), in name order per batch; once the
 * main thread has stored a file's email, the file goes to path/.done/
 * (after=move, the default) or is removed (after=delete).  A crash before
 * that leaves the file in place: it is read again at the next start and
 * the store's "ingested" record keeps it from being stored twice.  Files
 * starting with "." are ignored (write to a dot file, then rename).
 */
#include <errno.h>
#include <poll.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>
#include <sys/inotify.h>
#include <sys/stat.h>

#include <glib/gstdio.h>

#include "serve.h"
#include "../common/limits.h"
#include "../common/log.h"
#include "../engine/config.h"

#define DIR_DONE	".done"

enum ms_err
serve_dir_init(struct serve_mailbox *mb, const struct asset *as, char *err,
    size_t errlen)
{
	const char	*v;

	memset(mb, 0, sizeof(*mb));
	g_mutex_init(&mb->lock);
	g_queue_init(&mb->pending);
	mb->is_dir = 1;
	mb->as = as;
	mb->name = g_strdup(asset_name(as));
	mb->folder = g_strdup("");
	mb->state = g_strdup("starting");
	mb->processed = g_async_queue_new();
	if ((v = asset_get(as, "path")) == NULL ||
	    !g_file_test(v, G_FILE_TEST_IS_DIR)) {
		snprintf(err, errlen, "asset %s: path=%s: not a directory",
		    mb->name, v ? v : "(none)");
		return MS_EINVAL;
	}
	mb->path = g_strdup(v);
	mb->key = g_strdup_printf("%s/%s", mb->name, mb->path);
	v = asset_get(as, "after");
	if (v == NULL || strcmp(v, "move") == 0)
		mb->after = 2;
	else if (strcmp(v, "delete") == 0)
		mb->after = 3;
	else {
		snprintf(err, errlen, "asset %s: after=%s: move or delete",
		    mb->name, v);
		return MS_EINVAL;
	}
	return MS_OK;
}

/* Move or remove the files whose emails are stored. */
static void
done_files(struct serve_mailbox *mb)
{
	char	*file, *dst, *base, *dir;

	while ((file = g_async_queue_try_pop(mb->processed)) != NULL) {
		if (mb->after == 3) {
			if (g_unlink(file) != 0)
				log_warn("directory %s: %s", mb->name, file);
		} else {
			dir = g_build_filename(mb->path, DIR_DONE, NULL);
			base = g_path_get_basename(file);
			dst = g_build_filename(dir, base, NULL);
			if (g_mkdir_with_parents(dir, 0700) != 0 ||
			    g_rename(file, dst) != 0)
				log_warn("directory %s: %s", mb->name, file);
			g_free(dir);
			g_free(base);
			g_free(dst);
		}
		g_free(file);
	}
}

/* Queue the regular files of the directory not queued yet, in name
 * order.  1 when asked to stop. */
static int
scan(struct serve_mailbox *mb, GHashTable *queued)
{
	struct serve		*sv = mb->sv;
	GDir			*d = g_dir_open(mb->path, 0, NULL);
	GPtrArray		*names = g_ptr_array_new_with_free_func(g_free);
	const char		*n;
	struct serve_item	*it;
	struct stat		 st;
	char			*path, *raw;
	gsize			 len;
	guint			 i;
	int			 stop = 0;

	if (d == NULL) {
		serve_set_state(mb, "unreadable", g_strerror(errno));
		g_ptr_array_free(names, TRUE);
		return 0;
	}
	while ((n = g_dir_read_name(d)) != NULL)
		if (n[0] != '.')
			g_ptr_array_add(names, g_strdup(n));
	g_dir_close(d);
	g_ptr_array_sort(names, (GCompareFunc)g_strcmp0);
	for (i = 0; i < names->len && !stop; i++) {
		path = g_build_filename(mb->path, *(char **)&names->pdata[i],
		    NULL);
		if (g_hash_table_contains(queued, path) ||
		    g_stat(path, &st) != 0 || !S_ISREG(st.st_mode)) {
			g_free(path);
			continue;
		}
		raw = NULL;
		len = 0;
		if ((size_t)st.st_size > LIMIT_MSG_BYTES)
			len = (gsize)st.st_size;	/* refused, named */
		else if (!g_file_get_contents(path, &raw, &len, NULL)) {
			g_free(path);
			continue;
		}
		while (g_async_queue_length(sv->incoming) >= sv->max_queue &&
		    !(stop = serve_nap(sv, 20)))
			;
		if (stop) {
			g_free(raw);
			g_free(path);
			break;
		}
		it = g_new0(struct serve_item, 1);
		it->mb = mb;
		it->uid = ++mb->fetched;
		it->file = g_strdup(path);
		/* GLib's buffer into our allocator's hands. */
		it->raw = raw ? xmalloc(len + 1) : NULL;
		if (raw != NULL) {
			memcpy(it->raw, raw, len + 1);
			g_free(raw);
		}
		it->len = len;
		g_hash_table_add(queued, path);
		g_mutex_lock(&mb->lock);
		mb->n_fetched++;
		g_mutex_unlock(&mb->lock);
		g_async_queue_push(sv->incoming, it);
	}
	g_ptr_array_free(names, TRUE);
	return stop;
}

static gpointer
watch_dir(gpointer arg)
{
	struct serve_mailbox	*mb = arg;
	struct serve		*sv = mb->sv;
	GHashTable		*queued = g_hash_table_new_full(g_str_hash,
				    g_str_equal, g_free, NULL);
	struct pollfd		 pfd;
	char			 buf[8192];
	int			 fd, wd;

	fd = inotify_init1(IN_NONBLOCK | IN_CLOEXEC);
	wd = fd < 0 ? -1 : inotify_add_watch(fd, mb->path, IN_CLOSE_WRITE |
	    IN_MOVED_TO);
	if (wd < 0) {
		serve_set_state(mb, "polling", g_strerror(errno));
		log_warnx("directory %s: inotify: %s; polling every second",
		    mb->name, g_strerror(errno));
	}
	while (!sv->stop) {
		serve_set_state(mb, "scanning", NULL);
		if (scan(mb, queued))
			break;
		done_files(mb);
		/* Forget what left the directory, so a file written again
		 * under the same name is read again. */
		{
			GHashTableIter	i;
			gpointer	k;

			g_hash_table_iter_init(&i, queued);
			while (g_hash_table_iter_next(&i, &k, NULL))
				if (!g_file_test(k, G_FILE_TEST_EXISTS))
					g_hash_table_iter_remove(&i);
		}
		serve_set_state(mb, wd >= 0 ? "idle" : "polling", NULL);
		if (wd < 0) {
			serve_nap(sv, 1000);
			continue;
		}
		pfd.fd = fd;
		pfd.events = POLLIN;
		/* A second at a time: a stop request, and files to move
		 * once stored, are seen soon. */
		if (poll(&pfd, 1, 1000) > 0)
			while (read(fd, buf, sizeof(buf)) > 0)
				;	/* which file does not matter: rescan */
	}
	if (fd >= 0)
		close(fd);
	g_hash_table_destroy(queued);
	serve_set_state(mb, "stopped", NULL);
	return NULL;
}

void
serve_dir_start(struct serve *sv, struct serve_mailbox *mb)
{
	mb->sv = sv;
	mb->thread = g_thread_new("watch-dir", watch_dir, mb);
}
