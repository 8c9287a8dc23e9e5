/* SPDX-License-Identifier: Apache-2.0 */
/*
 * replay.c -- runs a libFuzzer target over a committed corpus without
 * libFuzzer (SQLite's fuzzcheck, h2o's fuzz/): every regular file in the
 * directories (or files) named on the command line is fed once to
 * LLVMFuzzerTestOneInput.  Linked with each tests/fuzz/fuzz_*.c into
 * replay_fuzz_* and run by ctest in every build, so the corpora are
 * regression tests; under ASan/UBSan a bad input aborts the process, which
 * fails the test by itself.  A missing or empty corpus is a failure, not a
 * silent pass.
 */
#include <dirent.h>
#include <errno.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "common/ms.h"

int	LLVMFuzzerTestOneInput(const uint8_t *, size_t);
int	LLVMFuzzerInitialize(int *, char ***) __attribute__((weak));

static int
cmp_names(const void *x, const void *y)
{
	return strcmp(*(char *const *)x, *(char *const *)y);
}

/* Read a whole file into a heap buffer; NULL (with a message) on error. */
static uint8_t *
slurp(const char *path, size_t *len)
{
	FILE		*f;
	struct stat	 st;
	uint8_t		*buf = NULL;

	if ((f = fopen(path, "rb")) == NULL) {
		fprintf(stderr, "replay: %s: %s\n", path, strerror(errno));
		return NULL;
	}
	if (fstat(fileno(f), &st) == -1 || st.st_size < 0) {
		fprintf(stderr, "replay: %s: %s\n", path, strerror(errno));
		goto out;
	}
	/* One extra byte so that an empty file still has a valid pointer. */
	buf = xmalloc((size_t)st.st_size + 1);
	if (fread(buf, 1, (size_t)st.st_size, f) != (size_t)st.st_size) {
		fprintf(stderr, "replay: %s: short read\n", path);
		xfree(buf);
		buf = NULL;
		goto out;
	}
	*len = (size_t)st.st_size;
out:
	fclose(f);
	return buf;
}

/*
 * Feed one file to the target.  The input is copied into an allocation of
 * exactly its size, as libFuzzer does, so that ASan sees a read one past
 * the end.  Returns 0 on success, -1 if the file could not be read.
 */
static int
run_one(const char *path)
{
	uint8_t	*buf, *exact;
	size_t	 len = 0;

	if ((buf = slurp(path, &len)) == NULL)
		return -1;
	exact = xmalloc(len ? len : 1);
	memcpy(exact, buf, len);
	xfree(buf);
	fprintf(stderr, "replay: %s (%zu bytes)\n", path, len);
	(void)LLVMFuzzerTestOneInput(exact, len);
	xfree(exact);
	return 0;
}

/*
 * Run every regular file in 'dir' in name order (reproducible output).
 * Adds to '*passed' / '*failed'.  Returns the number of files seen, or -1
 * if the directory cannot be read.
 */
static long
run_dir(const char *dir, long *passed, long *failed)
{
	DIR		*d;
	struct dirent	*de;
	struct stat	 st;
	char		**names = NULL, *path;
	size_t		 n = 0, cap = 0, i;
	long		 seen = 0;

	if ((d = opendir(dir)) == NULL) {
		fprintf(stderr, "replay: %s: %s\n", dir, strerror(errno));
		return -1;
	}
	while ((de = readdir(d)) != NULL) {
		if (de->d_name[0] == '.')
			continue;	/* ., .., and hidden files */
		if (n == cap) {
			cap = cap ? cap * 2 : 64;
			names = xrealloc(names, cap * sizeof(*names));
		}
		names[n++] = xstrdup(de->d_name);
	}
	closedir(d);
	if (n > 1)
		qsort(names, n, sizeof(*names), cmp_names);
	for (i = 0; i < n; i++) {
		size_t	l = strlen(dir) + strlen(names[i]) + 2;

		path = xmalloc(l);
		snprintf(path, l, "%s/%s", dir, names[i]);
		if (stat(path, &st) == 0 && S_ISREG(st.st_mode)) {
			seen++;
			if (run_one(path) == 0)
				(*passed)++;
			else
				(*failed)++;
		}
		xfree(path);
		xfree(names[i]);
	}
	xfree(names);
	return seen;
}

int
main(int argc, char **argv)
{
	struct stat	 st;
	long		 passed = 0, failed = 0, seen;
	int		 i, bad = 0;

	if (argc < 2) {
		fprintf(stderr, "usage: %s CORPUS-DIR|FILE...\n", argv[0]);
		return 1;
	}
	if (LLVMFuzzerInitialize != NULL)
		LLVMFuzzerInitialize(&argc, &argv);
	for (i = 1; i < argc; i++) {
		if (stat(argv[i], &st) == -1) {
			fprintf(stderr, "replay: %s: %s\n", argv[i],
			    strerror(errno));
			bad = 1;
			continue;
		}
		if (S_ISREG(st.st_mode)) {
			if (run_one(argv[i]) == 0)
				passed++;
			else
				failed++;
			continue;
		}
		seen = run_dir(argv[i], &passed, &failed);
		if (seen == 0)
			fprintf(stderr, "replay: %s: no input files\n",
			    argv[i]);
		if (seen <= 0)
			bad = 1;
	}
	printf("%ld passed, %ld failed\n", passed, failed);
	return bad || failed ? 1 : 0;
}
