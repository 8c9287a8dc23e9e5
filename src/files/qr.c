/* SPDX-License-Identifier: Apache-2.0 */
/*
 * qr.c -- QR codes in UNTRUSTED images (quishing): PNG through libpng's
 * simplified API, JPEG through libjpeg(-turbo) with an error handler that
 * longjmps back here, both to 8-bit grey (Y800), then libzbar with only
 * the QR symbology enabled.  Runs in the analysis (worker or CLI).
 *
 * Nothing in the file is trusted: the declared sizes are checked against
 * LIMIT_IMAGE_SIDE and LIMIT_IMAGE_PIXELS before a byte of pixels is
 * allocated, libjpeg's memory is capped (LIMIT_IMAGE_DECODE_MEM) and its
 * progressive scans counted (LIMIT_JPEG_SCANS), and every decoder error
 * returns here instead of exiting or printing.  gdk-pixbuf is avoided on
 * purpose: its loader plugins would widen what hostile bytes can reach.
 */
#include <setjmp.h>
#include <stdio.h>	/* jpeglib.h needs FILE */
#include <string.h>

#include <jpeglib.h>
#include <jerror.h>
#include <png.h>
#include <zbar.h>

#include "qr.h"
#include "../common/limits.h"

static const unsigned char png_sig[8] = { 0x89, 'P', 'N', 'G', '\r', '\n',
	0x1a, '\n' };

int
qr_is_image(const void *p, size_t len)
{
	const unsigned char	*b = p;

	if (p == NULL)
		return 0;
	if (len >= sizeof(png_sig) && memcmp(b, png_sig, sizeof(png_sig)) == 0)
		return 1;
	return len >= 3 && b[0] == 0xff && b[1] == 0xd8 && b[2] == 0xff;
}

/* A QR code has at least 21 x 21 modules: a smaller image (spacers,
 * tracking pixels) holds none and is not decoded. */
#define QR_MIN_SIDE	21
/* From this many pixels on, zbar scans every second line. */
#define QR_SPARSE_PIXELS	(1000u * 1000)

/* Are 'w' x 'h' within the caps and 'max' pixels?  Sets '*npix'. */
static int
dims_ok(unsigned long w, unsigned long h, size_t max, size_t *npix)
{
	size_t	n;

	if (w == 0 || h == 0 || w > LIMIT_IMAGE_SIDE || h > LIMIT_IMAGE_SIDE)
		return 0;
	if (__builtin_mul_overflow((size_t)w, (size_t)h, &n) ||
	    n > LIMIT_IMAGE_PIXELS || n > max)
		return 0;
	*npix = n;
	return 1;
}

/*
 * PNG: the simplified API runs every libpng call under its own setjmp
 * (png_safe_execute) and reports failure as 0 with a message in the
 * png_image, so no longjmp crosses this function.  Alpha is composed on
 * white, the way a mail reader shows a transparent QR code.
 */
static enum ms_err
png_grey(const unsigned char *p, size_t len, size_t max,
    unsigned char **out, unsigned *w, unsigned *h, const char **why)
{
	png_image	 img;
	png_color	 white = { 255, 255, 255 };
	unsigned char	*buf = NULL;
	size_t		 npix;
	enum ms_err	 rc = MS_EPARSE;

	memset(&img, 0, sizeof(img));
	img.version = PNG_IMAGE_VERSION;
	if (!png_image_begin_read_from_memory(&img, p, len)) {
		*why = "unreadable PNG header";
		goto out;
	}
	if (!dims_ok(img.width, img.height, max, &npix)) {
		*why = "PNG larger than LIMIT_IMAGE_SIDE, LIMIT_IMAGE_PIXELS "
		    "or what is left of LIMIT_QR_PIXELS_PER_MSG";
		rc = MS_ELIMIT;
		goto out;
	}
	if (img.width < QR_MIN_SIDE || img.height < QR_MIN_SIDE) {
		rc = MS_OK;	/* too small for a QR code: nothing */
		goto out;
	}
	img.format = PNG_FORMAT_GRAY;
	buf = xmalloc(npix);
	if (!png_image_finish_read(&img, &white, buf, (png_int_32)img.width,
	    NULL)) {
		*why = "broken or truncated PNG data";
		goto out;
	}
	*w = img.width;
	*h = img.height;
	*out = buf;
	buf = NULL;
	rc = MS_OK;
out:
	png_image_free(&img);	/* no-op when already freed */
	xfree(buf);
	return rc;
}

struct jpeg_err {
	struct jpeg_error_mgr	 pub;	/* first: libjpeg casts to it */
	jmp_buf			 jb;
	int			 limit;	/* a LIMIT_* stopped the decoder */
};

/* libjpeg's fatal errors come here instead of exit(). */
static void
jpeg_err_exit(j_common_ptr ci)
{
	struct jpeg_err	*e = (struct jpeg_err *)ci->err;

	if (e->pub.msg_code == JERR_OUT_OF_MEMORY ||
	    e->pub.msg_code == JERR_NO_BACKING_STORE)
		e->limit = 1;
	longjmp(e->jb, 1);
}

/* Warnings (corrupt data, premature end) are not printed. */
static void
jpeg_err_output(j_common_ptr ci)
{
	(void)ci;
}

/* Called while libjpeg reads: stop progressive files with too many
 * scans. */
static void
jpeg_progress(j_common_ptr ci)
{
	struct jpeg_err	*e = (struct jpeg_err *)ci->err;

	if (ci->is_decompressor && ((j_decompress_ptr)ci)->input_scan_number >
	    LIMIT_JPEG_SCANS) {
		e->limit = 1;
		longjmp(e->jb, 1);
	}
}

/*
 * JPEG to grey.  Everything the longjmp may skip over is either in
 * memory libjpeg owns (freed by jpeg_destroy_decompress) or volatile.
 */
static enum ms_err
jpeg_grey(const unsigned char *p, size_t len, size_t max,
    unsigned char **out, unsigned *w, unsigned *h, const char **why)
{
	struct jpeg_decompress_struct	 ci;
	struct jpeg_err			 je;
	struct jpeg_progress_mgr	 pm;
	unsigned char *volatile		 buf = NULL;
	volatile enum ms_err		 rc = MS_EPARSE;
	JSAMPROW			 row;
	size_t				 npix;

	memset(&ci, 0, sizeof(ci));
	memset(&pm, 0, sizeof(pm));
	ci.err = jpeg_std_error(&je.pub);
	je.pub.error_exit = jpeg_err_exit;
	je.pub.output_message = jpeg_err_output;
	je.limit = 0;
	*why = "broken JPEG";
	if (setjmp(je.jb)) {
		if (je.limit) {
			*why = "JPEG past LIMIT_JPEG_SCANS or "
			    "LIMIT_IMAGE_DECODE_MEM";
			rc = MS_ELIMIT;
		}
		goto out;
	}
	jpeg_create_decompress(&ci);
	ci.mem->max_memory_to_use = LIMIT_IMAGE_DECODE_MEM;
	pm.progress_monitor = jpeg_progress;
	ci.progress = &pm;
	jpeg_mem_src(&ci, p, (unsigned long)len);
	if (jpeg_read_header(&ci, TRUE) != JPEG_HEADER_OK)
		goto out;
	if (!dims_ok(ci.image_width, ci.image_height, max, &npix)) {
		*why = "JPEG larger than LIMIT_IMAGE_SIDE, LIMIT_IMAGE_PIXELS "
		    "or what is left of LIMIT_QR_PIXELS_PER_MSG";
		rc = MS_ELIMIT;
		goto out;
	}
	if (ci.image_width < QR_MIN_SIDE || ci.image_height < QR_MIN_SIDE) {
		rc = MS_OK;	/* too small for a QR code: nothing */
		goto out;
	}
	if (ci.jpeg_color_space != JCS_GRAYSCALE &&
	    ci.jpeg_color_space != JCS_YCbCr &&
	    ci.jpeg_color_space != JCS_RGB) {
		*why = "JPEG colour space other than grey, YCbCr or RGB";
		goto out;
	}
	ci.out_color_space = JCS_GRAYSCALE;
	if (!jpeg_start_decompress(&ci))
		goto out;	/* only with a suspending source */
	if (ci.output_components != 1 || ci.output_width != ci.image_width ||
	    ci.output_height != ci.image_height)
		goto out;
	buf = xmalloc(npix);
	while (ci.output_scanline < ci.output_height) {
		row = buf + (size_t)ci.output_scanline * ci.output_width;
		if (jpeg_read_scanlines(&ci, &row, 1) != 1)
			goto out;
	}
	(void)jpeg_finish_decompress(&ci);
	*w = ci.output_width;
	*h = ci.output_height;
	*out = buf;
	buf = NULL;
	rc = MS_OK;
out:
	jpeg_destroy_decompress(&ci);	/* safe before create: mem NULL */
	xfree(buf);
	return rc;
}

/* The QR codes of a grey image, onto 'out'. */
static enum ms_err
scan_grey(struct arena *a, unsigned char *grey, unsigned w, unsigned h,
    struct arena_vec *out)
{
	zbar_image_scanner_t	*sc;
	zbar_image_t		*img;
	const zbar_symbol_t	*sym;
	const char		*d;
	char			*s;
	size_t			 kept = 0;
	enum ms_err		 rc = MS_OK;

	sc = zbar_image_scanner_create();
	img = zbar_image_create();
	if (sc == NULL || img == NULL) {
		rc = MS_EPARSE;
		goto out;
	}
	(void)zbar_image_scanner_set_config(sc, ZBAR_NONE, ZBAR_CFG_ENABLE, 0);
	(void)zbar_image_scanner_set_config(sc, ZBAR_QRCODE, ZBAR_CFG_ENABLE,
	    1);
	/* A page-sized image: every second row and column still crosses
	 * each finder pattern (7 modules) of a code a reader could scan,
	 * at half the cost. */
	if ((size_t)w * h >= QR_SPARSE_PIXELS) {
		(void)zbar_image_scanner_set_config(sc, ZBAR_NONE,
		    ZBAR_CFG_X_DENSITY, 2);
		(void)zbar_image_scanner_set_config(sc, ZBAR_NONE,
		    ZBAR_CFG_Y_DENSITY, 2);
	}
	zbar_image_set_format(img, zbar_fourcc('Y', '8', '0', '0'));
	zbar_image_set_size(img, w, h);
	zbar_image_set_data(img, grey, (unsigned long)w * h, NULL);
	if (zbar_scan_image(sc, img) <= 0)
		goto out;	/* -1 (error) or nothing found */
	for (sym = zbar_image_first_symbol(img); sym != NULL && rc == MS_OK &&
	    kept < LIMIT_QR_PER_IMAGE; sym = zbar_symbol_next(sym)) {
		if (zbar_symbol_get_type(sym) != ZBAR_QRCODE ||
		    (d = zbar_symbol_get_data(sym)) == NULL)
			continue;
		s = arena_strndup(a, d, strnlen(d,
		    zbar_symbol_get_data_length(sym)));
		if (s == NULL || arena_vec_push(a, out, s) != MS_OK)
			rc = MS_ELIMIT;
		kept++;
	}
out:
	if (img != NULL)
		zbar_image_destroy(img);
	if (sc != NULL)
		zbar_image_scanner_destroy(sc);
	return rc;
}

enum ms_err
qr_scan(struct arena *a, const void *p, size_t len, size_t *budget,
    struct arena_vec *out, const char **why)
{
	const unsigned char	*b = p;
	const char		*dummy;
	unsigned char		*grey = NULL;
	unsigned		 w = 0, h = 0;
	size_t			 max = budget ? *budget : LIMIT_IMAGE_PIXELS;
	enum ms_err		 rc;

	if (why == NULL)
		why = &dummy;
	*why = "not a PNG or JPEG image";
	if (!qr_is_image(p, len))
		return MS_EPARSE;
	if (len > LIMIT_IMAGE_BYTES) {
		*why = "image larger than LIMIT_IMAGE_BYTES";
		return MS_ELIMIT;
	}
	if (b[0] == 0x89)
		rc = png_grey(b, len, max, &grey, &w, &h, why);
	else
		rc = jpeg_grey(b, len, max, &grey, &w, &h, why);
	if (rc != MS_OK)
		return rc;
	*why = NULL;
	if (grey == NULL)
		return MS_OK;	/* too small to hold a code */
	if (budget != NULL)
		*budget -= (size_t)w * h;	/* dims_ok: <= max */
	rc = scan_grey(a, grey, w, h, out);
	xfree(grey);
	return rc;
}

enum ms_err
qr_scan_grey(struct arena *a, unsigned char *grey, unsigned w, unsigned h,
    size_t *budget, struct arena_vec *out)
{
	size_t	npix;

	if (!dims_ok(w, h, budget ? *budget : LIMIT_IMAGE_PIXELS, &npix))
		return MS_ELIMIT;
	if (w < QR_MIN_SIDE || h < QR_MIN_SIDE)
		return MS_OK;
	if (budget != NULL)
		*budget -= npix;
	return scan_grey(a, grey, w, h, out);
}
