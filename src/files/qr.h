/* SPDX-License-Identifier: Apache-2.0 */
/*
 * qr.h -- QR codes in images: decodes a PNG (libpng) or JPEG (libjpeg)
 * to 8-bit grey within the LIMIT_IMAGE_* bounds and reads its QR codes
 * with libzbar.  The only code that includes png.h, jpeglib.h and
 * zbar.h.  Pure and thread-safe: no globals, one decoder and one scanner
 * per call.
 */
#ifndef MS_QR_H
#define MS_QR_H

#include <stddef.h>

#include "../common/arena.h"
#include "../common/ms.h"

/* Is 'p' a PNG or a JPEG by its signature?  (Cheap; decodes nothing.) */
int		 qr_is_image(const void *p, size_t len);

/*
 * Decode UNTRUSTED image bytes 'p' ('len' bytes, PNG or JPEG by their
 * signature, whatever the name or declared type) and push every QR
 * code's payload, as a NUL-terminated arena string cut at its first NUL,
 * onto 'out' (a vector of const char *), at most LIMIT_QR_PER_IMAGE.
 * The grey copy lives on the heap only for the call; an image under
 * 21 pixels a side is not decoded.  Returns MS_OK (possibly no
 * payload), MS_EPARSE (not a PNG or JPEG, or broken: a readable detail
 * in '*why' when not NULL, static), or MS_ELIMIT (more than
 * LIMIT_IMAGE_BYTES, LIMIT_IMAGE_SIDE, LIMIT_IMAGE_PIXELS,
 * LIMIT_JPEG_SCANS or LIMIT_IMAGE_DECODE_MEM, or more pixels than
 * '*budget'; nothing decoded).  '*budget' (NULL: no budget) is the
 * pixels the caller still lets this email decode; a decoded image's
 * pixels are taken from it.
 */
enum ms_err	 qr_scan(struct arena *a, const void *p, size_t len,
		    size_t *budget, struct arena_vec *out, const char **why);

/*
 * Scan an 8-bit grey image ('w' x 'h' bytes, decoded elsewhere: a PDF's
 * pixels) for QR codes, onto 'out' as qr_scan() does; takes w x h from
 * '*budget' (NULL: no budget).  MS_ELIMIT (nothing scanned) when it is
 * larger than LIMIT_IMAGE_SIDE, LIMIT_IMAGE_PIXELS or '*budget'.
 */
enum ms_err	 qr_scan_grey(struct arena *a, unsigned char *grey,
		    unsigned w, unsigned h, size_t *budget,
		    struct arena_vec *out);

#endif /* MS_QR_H */
