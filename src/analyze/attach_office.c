/* SPDX-License-Identifier: Apache-2.0 */
/*
 * attach_office.c -- what the analysis takes from an Office Open XML
 * attachment (UNTRUSTED; read by src/files/ooxml.c): the http(s) and ftp
 * targets of its external hyperlinks become URL indicators (where
 * "Office NAME") and the attachment's office_urls; remote content
 * loaded when it opens (templates, OLE objects, frames) becomes the
 * attachment's office_remote and the http(s) URL in its target an
 * indicator too (where "Office NAME remote template"); what it holds
 * (remote content, DDE, macros) its office_flags.  Its PNG and JPEG
 * images go to the QR scanner under the email's image and pixel budget
 * (where "QR code in Office NAME").  A
 * limit is a limit_office finding, a damaged file an office_unreadable
 * finding; neither loses the email.
 */
#include <string.h>

#include "analyze_int.h"
#include "../common/limits.h"

/* The http(s) URL inside a remote target ("mhtml:http://h/x!x-usc:..."),
 * cut at a '!' (MHTML's part separator), or NULL. */
static const char *
remote_url(struct arena *a, const char *t)
{
	const char	*h, *bang;

	h = strcasestr(t, "http://");
	if (h == NULL)
		h = strcasestr(t, "https://");
	if (h == NULL)
		return NULL;
	if ((bang = strchr(h, '!')) != NULL)
		return arena_strndup(a, h, (size_t)(bang - h));
	return h;
}

enum ms_err
analyze__office(struct arena *a, struct analysis *an, struct attachment *at,
    struct analyze__budget *b)
{
	struct ooxml_info		*oi;
	struct arena_vec		 scratch = { 0 };
	const struct ooxml_rel		*r;
	const struct ooxml_image	*img;
	const char			*name, *where, *rwhere, *qwhere, *u;
	size_t				 i, room;
	enum ms_err			 rc = MS_OK;

	if ((oi = arena_alloc(a, sizeof(*oi))) == NULL)
		return MS_ELIMIT;
	name = at->file_name ? at->file_name : at->path;
	/* One image more than the email may still decode, so that
	 * analyze__qr_image reports limit_qr_images. */
	room = b->images_full || b->images > LIMIT_QR_IMAGES ? 0 :
	    LIMIT_QR_IMAGES - b->images + 1;
	(void)ooxml_scan(a, at->data, at->size, &b->inflate, room, oi);
	at->office = oi;
	at->office_flags = oi->flags;
	analyze__file_trouble(a, an, at, name, "limit_office", oi->limit,
	    "office_unreadable", oi->broken);
	where = arena_printf(a, "Office %s", name);
	rwhere = arena_printf(a, "Office %s remote template", name);
	qwhere = arena_printf(a, "QR code in Office %s", name);
	for (i = 0; i < oi->urls.n && rc == MS_OK; i++)
		rc = analyze__file_url(a, an, &at->office_urls, oi->urls.v[i],
		    where);
	for (i = 0; i < oi->rels.n && rc == MS_OK; i++) {
		r = oi->rels.v[i];
		if (!r->remote)
			continue;
		if (arena_vec_push(a, &at->office_remote, (void *)r) != MS_OK)
			return MS_ELIMIT;
		if ((u = remote_url(a, r->target)) != NULL)
			rc = analyze__file_url(a, an, &scratch, u, rwhere);
	}
	for (i = 0; i < oi->images.n && rc == MS_OK; i++) {
		img = oi->images.v[i];
		rc = analyze__qr_image(a, an, at, img->data, img->len,
		    qwhere, b);
	}
	return rc;
}
