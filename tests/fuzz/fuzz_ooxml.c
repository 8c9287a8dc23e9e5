/* SPDX-License-Identifier: Apache-2.0 */
/*
 * fuzz_ooxml.c -- libFuzzer target for the Office Open XML scanner
 * (src/files/ooxml.c): the UNTRUSTED input is a zip (or not), listed by
 * libarchive and its relationships, Word field codes, external links and
 * images inflated within the LIMIT_OOXML_* bounds, with a small
 * per-email inflate budget so that both caps are reached; every string
 * and image handed back is read so that ASan sees any bad pointer; then
 * the arena is freed (a leak fails under ASan).  Built as fuzz_ooxml
 * with -DMS_FUZZ=ON, and as replay_fuzz_ooxml (replay.c) in every build.
 */
#include <stdint.h>
#include <string.h>

#include "common/arena.h"
#include "common/limits.h"
#include "files/ooxml.h"

int	LLVMFuzzerInitialize(int *, char ***);
int	LLVMFuzzerTestOneInput(const uint8_t *, size_t);

static volatile size_t	sink;

int
LLVMFuzzerInitialize(int *argc, char ***argv)
{
	(void)argc;
	(void)argv;
	return 0;
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct arena			*a = arena_new(LIMIT_MSG_ARENA);
	struct ooxml_info		 oi;
	const struct ooxml_rel		*r;
	const struct ooxml_image	*img;
	size_t				 i, n = 0, budget = 1024 * 1024;

	n += ooxml_is_ooxml(data, size);
	(void)ooxml_scan(a, data, size, &budget, 4, &oi);
	for (i = 0; i < oi.rels.n; i++) {
		r = oi.rels.v[i];
		n += strlen(r->type) + strlen(r->target) + strlen(r->part) +
		    (size_t)r->remote;
	}
	for (i = 0; i < oi.urls.n; i++)
		n += strlen(oi.urls.v[i]);
	for (i = 0; i < oi.dde.n; i++)
		n += strlen(oi.dde.v[i]);
	for (i = 0; i < oi.images.n; i++) {
		img = oi.images.v[i];
		if (img->len > 0)
			n += img->data[0] + img->data[img->len - 1];
	}
	n += oi.limit ? strlen(oi.limit) : 0;
	n += oi.broken ? strlen(oi.broken) : 0;
	sink = n + oi.flags + oi.parts + oi.inflated;
	arena_free(a);
	return 0;
}
