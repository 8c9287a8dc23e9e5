/* SPDX-License-Identifier: Apache-2.0 */
/*
 * attach_pdf.c -- what the analysis takes from a PDF attachment
 * (UNTRUSTED; read by src/files/pdf.c): the URIs of its links become
 * URL indicators (where "PDF NAME") and the attachment's pdf_urls, its
 * active content the attachment's pdf_flags, and its images (JPEG, or
 * FlateDecode pixels) go to the QR scanner under the email's image and
 * pixel budget (where "QR code in PDF NAME").  A limit is a limit_pdf
 * finding, a damaged file a pdf_unreadable finding; neither loses the
 * email.
 */
#include "analyze_int.h"
#include "../common/limits.h"

enum ms_err
analyze__pdf(struct arena *a, struct analysis *an, struct attachment *at,
    struct analyze__budget *b)
{
	struct pdf_info			*pi;
	const struct pdf_image		*img;
	const char			*name, *where, *qwhere;
	size_t				 i;
	enum ms_err			 rc = MS_OK;

	if ((pi = arena_alloc(a, sizeof(*pi))) == NULL)
		return MS_ELIMIT;
	name = at->file_name ? at->file_name : at->path;
	(void)pdf_scan(a, at->data, at->size, &b->inflate, pi);
	at->pdf = pi;
	at->pdf_flags = pi->flags;
	analyze__file_trouble(a, an, at, name, "limit_pdf", pi->limit,
	    "pdf_unreadable", pi->broken);
	where = arena_printf(a, "PDF %s", name);
	qwhere = arena_printf(a, "QR code in PDF %s", name);
	for (i = 0; i < pi->uris.n && rc == MS_OK; i++)
		rc = analyze__file_url(a, an, &at->pdf_urls, pi->uris.v[i],
		    where);
	for (i = 0; i < pi->images.n && rc == MS_OK; i++) {
		img = pi->images.v[i];
		rc = analyze__qr_pdf_image(a, an, at, img, qwhere, b);
	}
	return rc;
}
