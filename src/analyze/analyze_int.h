/* SPDX-License-Identifier: Apache-2.0 */
/*
 * analyze_int.h -- helpers shared by the files of src/analyze.
 */
#ifndef MS_ANALYZE_INT_H
#define MS_ANALYZE_INT_H

#include "analyze.h"

/*
 * Decide whether the top-level email is a user's report (forward.c):
 * sets email, email_path, reporter, report_method, forward_style,
 * suspicious, forward_html.  Needs an->html_text when the top-level
 * email has only an HTML body.  MS_OK or MS_ELIMIT.
 */
enum ms_err	analyze__forward(struct arena *a, struct analysis *an);

/* Build the artifacts from iocs, email and attachments (artifact.c). */
enum ms_err	analyze__artifacts(struct arena *a, struct analysis *an);

/* What one email may still spend on images and PDFs (analyze.c). */
struct analyze__budget {
	size_t	pixels;		/* LIMIT_QR_PIXELS_PER_MSG */
	size_t	images;		/* images decoded so far (LIMIT_QR_IMAGES) */
	int	images_full;	/* limit_qr_images was reported */
	size_t	inflate;	/* LIMIT_PDF_INFLATE_PER_MSG: PDFs, Office */
};

/*
 * A URL found in a file (UNTRUSTED 's', NUL-terminated): normalised and
 * pushed onto 'urls' (an attachment's qr_urls, pdf_urls or office_urls)
 * and added to the indicators with 'where'.  Anything that is not a URL
 * is ignored.  MS_OK or MS_ELIMIT (analyze.c).
 */
/*
 * What a file scanner could not read of 'at' (shown as 'name'): 'limit'
 * (static, or NULL) is a FINDING_LIMIT finding 'limit_id' and sets
 * an->limit_hit, 'broken' a FINDING_PARSE finding 'broken_id'
 * (analyze.c).
 */
void		analyze__file_trouble(struct arena *a, struct analysis *an,
		    const struct attachment *at, const char *name,
		    const char *limit_id, const char *limit,
		    const char *broken_id, const char *broken);

enum ms_err	analyze__file_url(struct arena *a, struct analysis *an,
		    struct arena_vec *urls, const char *s, const char *where);

/*
 * QR codes in one image of 'at' (UNTRUSTED 'p', 'len' bytes), their URLs
 * with 'where'; within 'b' (one image more, pixels).  An image that
 * cannot or may not be decoded is a finding.  MS_OK or MS_ELIMIT
 * (analyze.c).
 */
enum ms_err	analyze__qr_image(struct arena *a, struct analysis *an,
		    struct attachment *at, const void *p, size_t len,
		    const char *where, struct analyze__budget *b);

/* The same for an image of a PDF attachment: a JPEG, /FlateDecode
 * pixels that pdf_image_grey() decodes within b->inflate, or a drawing
 * of rectangles already in grey. */
enum ms_err	analyze__qr_pdf_image(struct arena *a, struct analysis *an,
		    struct attachment *at, const struct pdf_image *img,
		    const char *where, struct analyze__budget *b);

/*
 * Links, active content and QR codes in the PDF attachment 'at'
 * (attach_pdf.c): sets at->pdf, at->pdf_flags, at->pdf_urls and the QR
 * URLs of its images; limits and damage are findings.  MS_OK or
 * MS_ELIMIT.
 */
enum ms_err	analyze__pdf(struct arena *a, struct analysis *an,
		    struct attachment *at, struct analyze__budget *b);

/*
 * External links, remote content, DDE and QR codes in the Office Open
 * XML attachment 'at' (attach_office.c): sets at->office,
 * at->office_flags, at->office_urls, at->office_remote and the QR URLs
 * of its images; limits and damage are findings.  MS_OK or MS_ELIMIT.
 */
enum ms_err	analyze__office(struct arena *a, struct analysis *an,
		    struct attachment *at, struct analyze__budget *b);

#endif /* MS_ANALYZE_INT_H */
