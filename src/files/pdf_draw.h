/* SPDX-License-Identifier: Apache-2.0 */
/*
 * pdf_draw.h -- QR codes drawn as vector rectangles in a PDF content
 * stream (pdf_draw.c): pdf.c feeds the stream's operands and operators,
 * then asks for a grey drawing of its modules.  Pure: no globals.
 */
#ifndef MS_PDF_DRAW_H
#define MS_PDF_DRAW_H

#include <stddef.h>

#include "../common/arena.h"
#include "../common/ms.h"

struct pdf_draw;

struct pdf_draw	*pdf_draw_new(void);
void		 pdf_draw_free(struct pdf_draw *d);

/* A numeric operand (the token's 'n' bytes at 'w'). */
void		 pdf_draw_number(struct pdf_draw *d, const unsigned char *w,
		    size_t n);

/* An operator ('w' NULL: another token, which only ends the operands). */
void		 pdf_draw_op(struct pdf_draw *d, const unsigned char *w,
		    size_t n);

/*
 * After the stream: its modules drawn black on white in 'a' ('*w' x '*h'
 * bytes of grey, at most 1024 a side) when at least 20 dark rectangles
 * of one width make a square of 21 modules or more; else NULL.
 */
unsigned char	*pdf_draw_render(struct pdf_draw *d, struct arena *a,
		    unsigned *w, unsigned *h);

#endif /* MS_PDF_DRAW_H */
