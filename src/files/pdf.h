/* SPDX-License-Identifier: Apache-2.0 */
/*
 * pdf.h -- what a hostile PDF holds that a mail filter cares about: the
 * URIs of its links, its active content (JavaScript, Launch actions,
 * embedded files, forms) and its images (JPEG, FlateDecode pixels and
 * QR codes drawn as rectangles, for the QR scanner).  Not a
 * PDF reader: a bounded lexer over the raw bytes and over the
 * FlateDecode streams (zlib), which never trusts /Length, the xref table
 * or any count in the file.  Pure and thread-safe: no globals.
 */
#ifndef MS_PDF_H
#define MS_PDF_H

#include <stddef.h>

#include "../common/arena.h"
#include "../common/ms.h"

/* Names found as PDF name tokens (after #xx decoding), anywhere. */
#define PDF_JAVASCRIPT		0x0001u	/* /JavaScript or /JS */
#define PDF_LAUNCH		0x0002u	/* /Launch */
#define PDF_EMBEDDED_FILE	0x0004u	/* /EmbeddedFile(s) */
#define PDF_OPEN_ACTION		0x0008u	/* /OpenAction or /AA */
#define PDF_ACROFORM		0x0010u	/* /AcroForm */
#define PDF_XFA			0x0020u	/* /XFA */
#define PDF_SUBMIT_FORM		0x0040u	/* /SubmitForm */
#define PDF_ENCRYPTED		0x0080u	/* /Encrypt: strings are ciphertext */
/* Encrypted with a user password that is not empty: no reader opens it
 * without one (pdf_crypt.c; revisions 2 to 5 of the standard handler). */
#define PDF_PASSWORD		0x0100u

/*
 * One image: a JPEG (a stream whose only filter is /DCTDecode), pixels
 * (an image XObject whose only filter is /FlateDecode, or an inline
 * image "BI ... ID ... EI" in a content stream, compressed so or not,
 * with the geometry its dictionary states; pdf_image_grey() decodes
 * them), or a drawing
 * (a content stream's filled rectangles that make a square of modules,
 * drawn to grey by pdf_draw.c: 'grey', width x height, in the arena).
 */
struct pdf_image {
	const unsigned char	*data;		/* borrowed from the input */
	size_t			 len;
	const unsigned char	*grey;		/* a drawing, or NULL */
	int			 flate;		/* pixels, not a JPEG */
	int			 raw;		/* pixels not compressed (an
						   inline image's) */
	unsigned		 width, height;
	unsigned		 bpc;		/* 1, 2, 4, 8 or 16 */
	unsigned		 ncomp;		/* 1, 3, 4; 0: unknown */
	unsigned		 predictor;	/* 1: none; >= 10: PNG */
};

struct pdf_info {
	unsigned		 flags;		/* PDF_* */
	/* The URIs of /URI entries (const char *, decoded, NUL-terminated,
	 * in the arena), each once, in file order, at most LIMIT_PDF_URIS. */
	struct arena_vec	 uris;
	/* struct pdf_image *, at most LIMIT_PDF_IMAGES. */
	struct arena_vec	 images;
	size_t			 pages;		/* "/Type /Page" seen */
	size_t			 streams;	/* stream ... endstream */
	size_t			 inflated;	/* bytes out of zlib */
	/* Bytes of the strings shown by text operators (Tj, TJ, ', ") in
	 * the content streams read; text_unknown when some stream that
	 * may hold text had a filter we do not decode or was cut short. */
	size_t			 text;
	int			 text_unknown;
	const char		*limit;		/* static: a limit stopped us */
	const char		*broken;	/* static: why it is damaged */
};

/* Does "%PDF-" start within the first 1024 bytes of 'p'? */
int		 pdf_is_pdf(const void *p, size_t len);

/*
 * Read UNTRUSTED PDF bytes 'p' ('len' bytes) into '*out' (zeroed first;
 * strings and vectors in 'a', images point into 'p').  Inflates at most
 * LIMIT_PDF_INFLATE_PER_STREAM bytes of a stream and
 * LIMIT_PDF_INFLATE_PER_FILE of the file, and no more than '*budget'
 * (NULL: no budget), which is decreased by what was inflated.  Inflated
 * data lives on the heap only for the call.  Returns MS_OK, MS_ELIMIT (a
 * limit cut the scan short: out->limit says which) or MS_EPARSE (no PDF
 * header, no object, or damaged: out->broken says why); on either error
 * what was found before is in '*out', and both reasons may be set.
 */
enum ms_err	 pdf_scan(struct arena *a, const void *p, size_t len,
		    size_t *budget, struct pdf_info *out);

/*
 * The pixels of a /FlateDecode image 'img' as 8-bit grey on the heap
 * ('*grey', w x h, the caller frees it; NULL for an image under 21
 * pixels a side, too small for a QR code).  Inflates at most what the
 * geometry needs and no more than '*budget' (NULL: no budget), which is
 * decreased; undoes PNG predictors; RGB and CMYK are weighed to grey,
 * 1- to 4-bit samples and palette indexes stretched to 0-255 (the
 * palette itself is not read); an unknown colour space (ICCBased) is
 * told from the data's size.  Missing rows are white.  Returns MS_OK,
 * MS_ELIMIT (more than LIMIT_IMAGE_SIDE, LIMIT_IMAGE_PIXELS, 'max'
 * pixels or the budget) or MS_EPARSE (a geometry or predictor it cannot
 * read), with a static reason in '*why'.
 */
enum ms_err	 pdf_image_grey(const struct pdf_image *img, size_t max,
		    size_t *budget, unsigned char **grey, unsigned *w,
		    unsigned *h, const char **why);

/* The PDF_* bit 'flag' as a short name ("javascript"), or NULL. */
const char	*pdf_flag_name(unsigned flag);

#endif /* MS_PDF_H */
