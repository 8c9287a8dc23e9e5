/* SPDX-License-Identifier: Apache-2.0 */
/*
 * fuzz_extract.c -- libFuzzer target for the indicator extractor: the
 * UNTRUSTED input goes through extract_text(), extract_html() (with the
 * visible text asked for) and extract_url(), all into one set in a fresh
 * arena, and every value handed back is read so that ASan sees any bad
 * pointer; then the arena is freed (a leak fails under ASan).  Built as
 * fuzz_extract with -DMS_FUZZ=ON, and as replay_fuzz_extract (replay.c)
 * in every build.
 */
#include <stdint.h>
#include <string.h>

#include "common/arena.h"
#include "common/limits.h"
#include "extract/extract.h"

int	LLVMFuzzerInitialize(int *, char ***);
int	LLVMFuzzerTestOneInput(const uint8_t *, size_t);

static volatile size_t	sink;

static size_t
touch_str(const char *s)
{
	return s ? strlen(s) : 0;
}

int
LLVMFuzzerInitialize(int *argc, char ***argv)
{
	extract_init();
	return 0;
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct arena		*a = arena_new(LIMIT_MSG_ARENA);
	struct ioc_set		*s = ioc_set_new(a);
	const struct ioc	*io;
	const char		*vis = NULL;
	size_t			 vlen = 0, i, n = 0;
	int			 k;

	if (s == NULL)
		goto out;
	(void)extract_text(s, (const char *)data, size, "fuzz text");
	(void)extract_html(s, (const char *)data, size, "fuzz", &vis, &vlen);
	(void)extract_url(s, (const char *)data,
	    size < LIMIT_URL_BYTES + 1 ? size : LIMIT_URL_BYTES + 1, "fuzz");
	if (vis != NULL && strlen(vis) > vlen)
		__builtin_trap();	/* text_len must cover the text */
	for (k = 0; k < IOC_KINDS; k++)
		for (i = 0; i < ioc_set_count(s, k); i++) {
			io = ioc_set_get(s, k, i);
			n += touch_str(io->value) + touch_str(io->unicode) +
			    touch_str(io->host) + touch_str(io->domain) +
			    touch_str(io->where);
		}
	sink = n + ioc_set_dropped(s);
out:
	arena_free(a);
	return 0;
}
