/* SPDX-License-Identifier: Apache-2.0 */
/*
 * fuzz_intel_feed.c -- libFuzzer target for the threat-intel feed readers:
 * the UNTRUSTED input is written to a file in a private directory (the
 * readers take a path) and read with intel_feed_parse_path(), which picks
 * the reader from the content: lists, CSV, JSON lines, STIX, MISP, OTX.
 * Every string the sink is handed is read so that ASan sees a bad
 * pointer, and the sink checks what the report promises.  Built as
 * fuzz_intel_feed with -DMS_FUZZ=ON, and as replay_fuzz_intel_feed
 * (replay.c) in every build.
 */
#include <fcntl.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <glib.h>

#include "apps/intel.h"

int	LLVMFuzzerInitialize(int *, char ***);
int	LLVMFuzzerTestOneInput(const uint8_t *, size_t);

static volatile size_t	 sink_total;
static char		*feed_path;

static size_t
touch_str(const char *s)
{
	return s != NULL ? strlen(s) : 0;
}

static int
sink(void *arg, const struct intel_indicator *ind)
{
	size_t	*n = arg, i;

	if (ind->value == NULL || ind->kind >= INTEL_KIND_COUNT ||
	    ind->confidence < -1 || ind->confidence > 100)
		__builtin_trap();
	*n += touch_str(ind->value) + touch_str(ind->source) +
	    touch_str(ind->tlp) + touch_str(ind->description);
	for (i = 0; i < ind->ntags; i++)
		*n += touch_str(ind->tags[i]);
	for (i = 0; i < ind->nattrib; i++)
		*n += touch_str(ind->attrib[i].type) +
		    touch_str(ind->attrib[i].name);
	return 0;
}

static char		*feed_dir;

/* Leave no temporary directory behind (replay runs in every build). */
static void
cleanup(void)
{
	(void)unlink(feed_path);
	(void)rmdir(feed_dir);
	g_free(feed_path);
	g_free(feed_dir);
}

int
LLVMFuzzerInitialize(int *argc, char ***argv)
{
	feed_dir = g_dir_make_tmp("fuzz_intel_feed.XXXXXX", NULL);
	if (feed_dir == NULL)
		abort();
	feed_path = g_build_filename(feed_dir, "feed", NULL);
	if (atexit(cleanup) != 0)
		abort();
	return 0;
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct intel_feed_report	rep;
	char				err[256];
	size_t				n = 0;
	int				fd;

	fd = open(feed_path, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0600);
	if (fd == -1)
		abort();
	if (size > 0 && write(fd, data, size) != (ssize_t)size)
		abort();
	(void)close(fd);
	if (intel_feed_parse_path(feed_path, sink, &n, &rep, err,
	    sizeof(err)) == MS_OK && rep.files != 1)
		__builtin_trap();	/* one file, read once */
	if (strlen(err) >= sizeof(err))
		__builtin_trap();
	sink_total = n + rep.indicators + rep.skipped;
	return 0;
}
