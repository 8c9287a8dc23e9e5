/* SPDX-License-Identifier: Apache-2.0 */
/*
 * fuzz_qr.c -- libFuzzer target for the image decoders and the QR
 * scanner (src/files/qr.c): the UNTRUSTED input is a PNG or JPEG (or
 * not), decoded within the LIMIT_IMAGE_* bounds and scanned; every
 * payload handed back is read so that ASan sees any bad pointer; then the
 * arena is freed (a leak fails under ASan).  Built as fuzz_qr with
 * -DMS_FUZZ=ON, and as replay_fuzz_qr (replay.c) in every build.
 */
#include <stdint.h>
#include <string.h>

#include "common/arena.h"
#include "common/limits.h"
#include "files/qr.h"

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
	struct arena		*a = arena_new(LIMIT_MSG_ARENA);
	struct arena_vec	 v = { 0 };
	const char		*why = NULL;
	size_t			 i, n = 0;

	(void)qr_scan(a, data, size, NULL, &v, &why);
	for (i = 0; i < v.n; i++)
		n += strlen(v.v[i]);
	sink = n + (why ? strlen(why) : 0);
	arena_free(a);
	return 0;
}
