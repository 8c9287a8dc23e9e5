/* SPDX-License-Identifier: Apache-2.0 */
/*
 * fuzz_pdf.c -- libFuzzer target for the PDF scanner (src/files/pdf.c):
 * the UNTRUSTED input is a PDF (or not), lexed and its FlateDecode
 * streams inflated within the LIMIT_PDF_* bounds, with a small per-email
 * inflate budget so that both caps are reached; every URI and image
 * handed back is read, FlateDecode pixels decoded to grey, so that ASan
 * sees any bad pointer; then the arena
 * is freed (a leak fails under ASan).  Built as fuzz_pdf with
 * -DMS_FUZZ=ON, and as replay_fuzz_pdf (replay.c) in every build.
 */
#include <stdint.h>
#include <string.h>

#include "common/arena.h"
#include "common/limits.h"
#include "files/pdf.h"

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
	struct pdf_info		 pi;
	const struct pdf_image	*img;
	const char		*why;
	unsigned char		*grey;
	unsigned		 w, h;
	size_t			 i, k, n = 0, budget = 1024 * 1024;

	(void)pdf_scan(a, data, size, &budget, &pi);
	for (i = 0; i < pi.uris.n; i++)
		n += strlen(pi.uris.v[i]);
	for (i = 0; i < pi.images.n; i++) {
		img = pi.images.v[i];
		if (img->len > 0)
			n += img->data[0] + img->data[img->len - 1];
		if (img->grey != NULL)
			n += img->grey[0] + img->grey[(size_t)img->width *
			    img->height - 1];
		/* Pixels: decoded to grey under a small budget, every
		 * byte read. */
		if (img->flate && pdf_image_grey(img, 256 * 1024, &budget,
		    &grey, &w, &h, &why) == MS_OK && grey != NULL) {
			for (k = 0; k < (size_t)w * h; k++)
				n += grey[k];
			xfree(grey);
		}
	}
	n += pi.limit ? strlen(pi.limit) : 0;
	n += pi.broken ? strlen(pi.broken) : 0;
	sink = n + pi.flags + pi.pages + pi.text;
	arena_free(a);
	return 0;
}
