/* SPDX-License-Identifier: Apache-2.0 */
/*
 * analyze.c -- the pure function from an email's bytes to its analysis:
 * parse (src/mail), find the suspicious email if a user forwarded it
 * (forward.c), list every file in it with digests and real types
 * (src/files), pull indicators out of headers, bodies and text-like
 * attachments (src/extract), URLs out of QR codes in images
 * (src/files/qr.c), links out of PDFs (attach_pdf.c) and Office files
 * (attach_office.c), and build
 * Phantom-style artifacts (artifact.c).  UNTRUSTED input throughout;
 * all memory in one arena.
 */
#include <string.h>

#include <glib.h>

#include "analyze_int.h"
#include "detect.h"
#include "../common/limits.h"
#include "../files/filetype.h"
#include "../files/pdf.h"
#include "../files/qr.h"

void
analyze_init(void)
{
	analyze_init_with(NULL);
}

void
analyze_init_with(const struct detect_config *dc)
{
	mail_init();
	extract_init();
	(void)detect_load(dc);		/* logs what it could not read */
}

void
analyze_shutdown(void)
{
	filetype_thread_cleanup();
	detect_unload();
	mail_shutdown();
}

static const char *
part_origin(const struct mail_part *p, const struct mail_msg *m)
{
	if (p->flags & MAIL_PART_TNEF)
		return "tnef";
	if (p->flags & MAIL_PART_UUENCODED)
		return "uuencode";
	if (p->flags & MAIL_PART_MSG || strcmp(m->source, "outlook-msg") == 0)
		return "outlook-msg";
	return "mime";
}

/* A part is a file when it is an attachment, or an inline non-text part
 * (images, embedded objects): anything but the display bodies. */
static int
is_file(const struct mail_part *p)
{
	if (p->flags & MAIL_PART_ATTACHMENT)
		return 1;
	if (p->flags & (MAIL_PART_BODY | MAIL_PART_TEXT))
		return 0;
	return strncmp(p->content_type, "multipart/", 10) != 0;
}

static enum ms_err
add_attachment(struct arena *a, struct analysis *an, struct mail_msg *m,
    struct mail_part *p)
{
	struct attachment	*at;

	if (an->attachments.n >= LIMIT_ATTACHMENTS) {
		finding_add(a, &an->findings, FINDING_LIMIT,
		    "limit_attachments", p->path, "more than %d attachments "
		    "(LIMIT_ATTACHMENTS); the rest are not listed",
		    LIMIT_ATTACHMENTS);
		an->limit_hit = 1;
		return MS_OK;
	}
	if ((at = arena_alloc(a, sizeof(*at))) == NULL)
		return MS_ELIMIT;
	at->file_name = p->file_name;
	at->content_type = p->content_type;
	at->size = p->len;
	at->path = p->path;
	at->origin = part_origin(p, m);
	at->is_email = p->embedded != NULL;
	at->data = p->data;
	hash_buf(p->data, p->len, &at->hash);
	at->vault_id = at->hash.sha256;
	filetype_detect(a, p->data, p->len, &at->detected_type,
	    &at->detected_desc);
	return arena_vec_push(a, &an->attachments, at);
}

/* Every file at every depth, in walk order. */
static enum ms_err
collect_files(struct arena *a, struct analysis *an, struct mail_msg *m,
    int depth)
{
	struct mail_part	*p;
	size_t			 i;
	enum ms_err		 rc;

	if (depth > LIMIT_MIME_DEPTH)
		return MS_OK;	/* already reported by the parser */
	for (i = 0; i < m->parts.n; i++) {
		p = m->parts.v[i];
		if (is_file(p) && (rc = add_attachment(a, an, m, p)) != MS_OK)
			return rc;
		if (p->embedded != NULL && (rc = collect_files(a, an,
		    p->embedded, depth + 1)) != MS_OK)
			return rc;
	}
	return MS_OK;
}

/*
 * The extractors' verdict on one input: MS_EPARSE (not an indicator we
 * keep, such as a malformed address) is no error for the analysis, and
 * MS_ELIMIT is remembered (the ioc_set counts what it dropped) while the
 * analysis goes on with the other sources.
 */
static enum ms_err
note(struct analysis *an, enum ms_err rc)
{
	if (rc == MS_ELIMIT)
		an->limit_hit = 1;
	return rc == MS_ELIMIT || rc == MS_EPARSE ? MS_OK : rc;
}

/* Extract from a body or file; a bound hit there is named in a finding
 * (how many indicators were dropped is reported once, at the end). */
static enum ms_err
extract_from(struct arena *a, struct analysis *an, int html,
    const char *p, size_t n, const char *where)
{
	enum ms_err	rc;

	if (html)
		rc = extract_html(an->iocs, p, n, where, NULL, NULL);
	else
		rc = extract_text(an->iocs, p, n, where);
	if (rc == MS_ELIMIT && ioc_set_dropped(an->iocs) == 0)
		finding_add(a, &an->findings, FINDING_LIMIT, "limit_extract",
		    NULL, "%s: %zu bytes, more than the extractor takes "
		    "(LIMIT_EXTRACT_BYTES or LIMIT_URL_BYTES); the rest was "
		    "not searched", where, n);
	return note(an, rc);
}

static enum ms_err
header_addr(struct analysis *an, const struct mail_addr *ad,
    const char *where)
{
	if (ad == NULL || ad->addr == NULL || ad->addr[0] == '\0')
		return MS_OK;
	return note(an, extract_email(an->iocs, ad->addr, where));
}

static enum ms_err
header_addrs(struct analysis *an, const struct arena_vec *v,
    const char *where)
{
	size_t		i;
	enum ms_err	rc;

	for (i = 0; i < v->n; i++)
		if ((rc = header_addr(an, v->v[i], where)) != MS_OK)
			return rc;
	return MS_OK;
}

/* Indicators from the suspicious email's headers. */
static enum ms_err
header_iocs(struct analysis *an, const struct mail_email *e)
{
	const struct mail_hop		*h;
	const struct mail_header	*hd;
	size_t				 i;
	enum ms_err			 rc = MS_OK;

	if ((rc = header_addrs(an, &e->from_all, "header From")) != MS_OK ||
	    (rc = header_addr(an, e->sender, "header Sender")) != MS_OK ||
	    (rc = header_addr(an, e->reply_to, "header Reply-To")) != MS_OK ||
	    (rc = header_addr(an, e->return_path, "header Return-Path")) !=
	    MS_OK || (rc = header_addrs(an, &e->to, "header To")) != MS_OK ||
	    (rc = header_addrs(an, &e->cc, "header Cc")) != MS_OK)
		return rc;
	if (e->originating_ip != NULL && (rc = note(an, extract_ip(an->iocs,
	    e->originating_ip, "header Received (originating)"))) != MS_OK)
		return rc;
	for (i = 0; i < e->received.n && rc == MS_OK; i++) {
		h = e->received.v[i];
		if (h->ip != NULL && !h->ip_private)
			rc = note(an, extract_ip(an->iocs, h->ip,
			    "header Received"));
	}
	for (i = 0; i < e->headers.n && rc == MS_OK; i++) {
		hd = e->headers.v[i];
		if (g_ascii_strcasecmp(hd->name, "List-Unsubscribe") == 0 ||
		    g_ascii_strcasecmp(hd->name, "List-Post") == 0)
			rc = note(an, extract_text(an->iocs, hd->value,
			    strlen(hd->value), "header List-Unsubscribe"));
	}
	return rc;
}

static int
text_like(const struct attachment *at)
{
	static const char *const ext[] = { ".txt", ".htm", ".html", ".svg",
	    ".ics", ".xml", ".csv", ".url", ".shtml", ".xhtml", ".js",
	    ".vbs", ".hta", ".json", ".eml" };
	size_t		i, n, e;

	if (g_str_has_prefix(at->content_type, "text/") ||
	    g_str_has_prefix(at->detected_type, "text/") ||
	    strcmp(at->detected_type, "image/svg+xml") == 0)
		return 1;
	n = at->file_name ? strlen(at->file_name) : 0;
	for (i = 0; i < G_N_ELEMENTS(ext); i++) {
		e = strlen(ext[i]);
		if (n >= e && g_ascii_strcasecmp(at->file_name + n - e,
		    ext[i]) == 0)
			return 1;
	}
	return 0;
}

static int
html_like(const struct attachment *at)
{
	const char	*f = at->file_name;

	return strstr(at->content_type, "html") != NULL ||
	    strstr(at->detected_type, "html") != NULL ||
	    strstr(at->detected_type, "svg") != NULL ||
	    strstr(at->detected_type, "xml") != NULL ||
	    (f != NULL && (g_str_has_suffix(f, ".htm") ||
	    g_str_has_suffix(f, ".html") || g_str_has_suffix(f, ".svg")));
}

/* Bodies of the suspicious email, then text-like attachments. */
static enum ms_err
body_iocs(struct arena *a, struct analysis *an)
{
	const struct mail_email	*e = an->email;
	struct attachment	*at;
	const char		*where;
	size_t			 i, n;
	enum ms_err		 rc = MS_OK;

	if (e->text != NULL)
		rc = extract_from(a, an, 0, e->text, e->text_len,
		    "body text");
	if (rc == MS_OK && e->html != NULL)
		rc = extract_from(a, an, 1, e->html, e->html_len,
		    "body html");
	if (rc == MS_OK && an->forward_html != NULL)
		rc = extract_from(a, an, 1, an->forward_html,
		    an->forward_html_len, "forwarded html");
	for (i = 0; an->suspicious != NULL && i < an->suspicious->parts.n &&
	    rc == MS_OK; i++) {
		const struct mail_part *p = an->suspicious->parts.v[i];

		if (p->flags & MAIL_PART_LEFTOVER)
			rc = extract_from(a, an, 0, (const char *)p->data,
			    p->len, "mime leftover text");
	}
	for (i = 0; i < an->attachments.n && rc == MS_OK; i++) {
		at = an->attachments.v[i];
		if (at->is_email || !text_like(at))
			continue;
		n = at->size > LIMIT_EXTRACT_BYTES ? LIMIT_EXTRACT_BYTES :
		    at->size;
		where = arena_printf(a, "attachment %s", at->path);
		rc = extract_from(a, an, html_like(at),
		    (const char *)at->data, n, where);
	}
	return rc;
}

/* Bodies of attached emails other than the suspicious one. */
static enum ms_err
nested_iocs(struct arena *a, struct analysis *an, struct mail_msg *m,
    int depth)
{
	struct mail_part	*p;
	const struct mail_email	*e;
	const char		*where;
	size_t			 i;
	enum ms_err		 rc = MS_OK;

	for (i = 0; i < m->parts.n && rc == MS_OK && depth <=
	    LIMIT_MIME_DEPTH; i++) {
		p = m->parts.v[i];
		if (p->embedded == NULL)
			continue;
		e = &p->embedded->email;
		if (e != an->email) {
			where = arena_printf(a, "attachment %s body", p->path);
			if ((rc = header_iocs(an, e)) == MS_OK &&
			    e->text != NULL)
				rc = extract_from(a, an, 0, e->text,
				    e->text_len, where);
			if (rc == MS_OK && e->html != NULL)
				rc = extract_from(a, an, 1, e->html,
				    e->html_len, where);
		}
		if (rc == MS_OK)
			rc = nested_iocs(a, an, p->embedded, depth + 1);
	}
	return rc;
}

/* A URL in a file (a QR code's payload, a PDF or Office link:
 * UNTRUSTED) is kept on the file and added to the indicators; anything
 * else (text, vCard, Wi-Fi) is not. */
void
analyze__file_trouble(struct arena *a, struct analysis *an,
    const struct attachment *at, const char *name, const char *limit_id,
    const char *limit, const char *broken_id, const char *broken)
{
	if (limit != NULL) {
		finding_add(a, &an->findings, FINDING_LIMIT, limit_id,
		    at->path, "%s: %s; the rest was not read", name, limit);
		an->limit_hit = 1;
	}
	if (broken != NULL)
		finding_add(a, &an->findings, FINDING_PARSE, broken_id,
		    at->path, "%s: %s", name, broken);
}

enum ms_err
analyze__file_url(struct arena *a, struct analysis *an,
    struct arena_vec *urls, const char *s, const char *where)
{
	char		*url;
	size_t		 n = strlen(s);

	if (n > LIMIT_URL_BYTES)
		return MS_OK;
	/* The copy is ours, in the arena: only the interface is const. */
	url = (char *)extract_url_normalise(a, s, n);
	if (url == NULL)
		return MS_OK;	/* not a URL (or the arena is full) */
	if (arena_vec_push(a, urls, url) != MS_OK || where == NULL)
		return MS_ELIMIT;
	return note(an, extract_url(an->iocs, s, n, where));
}

/* One image's QR codes; an image we cannot or may not decode is a
 * finding, not an error. */
/* Room for one more image under LIMIT_QR_IMAGES?  The first image past
 * it is a limit_qr_images finding, the others nothing. */
static int
qr_room(struct arena *a, struct analysis *an, struct attachment *at,
    struct analyze__budget *b)
{
	if (b->images_full)
		return 0;
	if (b->images++ == LIMIT_QR_IMAGES) {
		finding_add(a, &an->findings, FINDING_LIMIT,
		    "limit_qr_images", at->path, "more than %d images "
		    "(LIMIT_QR_IMAGES); the rest are not searched for QR "
		    "codes", LIMIT_QR_IMAGES);
		an->limit_hit = 1;
		b->images_full = 1;
		return 0;
	}
	return 1;
}

/* What decoding one image of 'at' gave ('rc', 'why', 'payloads'): a
 * finding for a limit or damage, the URLs of its QR codes. */
static enum ms_err
qr_done(struct arena *a, struct analysis *an, struct attachment *at,
    enum ms_err rc, const char *why, const struct arena_vec *payloads,
    const char *where)
{
	const char	*name = at->file_name ? at->file_name : "(no name)";
	size_t		 k;

	if (rc == MS_ELIMIT && !arena_exhausted(a)) {
		finding_add(a, &an->findings, FINDING_LIMIT, "limit_image",
		    at->path, "%s: %s; not searched for QR codes", name, why);
		an->limit_hit = 1;
		return MS_OK;
	}
	if (rc == MS_EPARSE) {
		finding_add(a, &an->findings, FINDING_PARSE,
		    "image_unreadable", at->path, "%s: %s", name, why);
		return MS_OK;
	}
	for (k = 0; k < payloads->n && rc == MS_OK; k++)
		rc = analyze__file_url(a, an, &at->qr_urls, payloads->v[k],
		    where);
	return rc;
}

enum ms_err
analyze__qr_image(struct arena *a, struct analysis *an,
    struct attachment *at, const void *p, size_t len, const char *where,
    struct analyze__budget *b)
{
	struct arena_vec	 payloads = { 0 };
	const char		*why = NULL;
	enum ms_err		 rc;

	if (!qr_room(a, an, at, b))
		return MS_OK;
	rc = qr_scan(a, p, len, &b->pixels, &payloads, &why);
	return qr_done(a, an, at, rc, why, &payloads, where);
}

enum ms_err
analyze__qr_pdf_image(struct arena *a, struct analysis *an,
    struct attachment *at, const struct pdf_image *img, const char *where,
    struct analyze__budget *b)
{
	struct arena_vec	 payloads = { 0 };
	const char		*why = NULL;
	unsigned char		*grey;
	unsigned		 w, h;
	enum ms_err		 rc;

	if (!img->flate && img->grey == NULL)
		return analyze__qr_image(a, an, at, img->data, img->len,
		    where, b);
	if (!qr_room(a, an, at, b))
		return MS_OK;
	if (img->grey != NULL)		/* a drawing, in the arena */
		rc = qr_scan_grey(a, (unsigned char *)img->grey, img->width,
		    img->height, &b->pixels, &payloads);
	else if ((rc = pdf_image_grey(img, b->pixels, &b->inflate, &grey,
	    &w, &h, &why)) == MS_OK && grey != NULL) {
		rc = qr_scan_grey(a, grey, w, h, &b->pixels, &payloads);
		xfree(grey);
	}
	if (rc == MS_ELIMIT && why == NULL)
		why = "image larger than what is left of "
		    "LIMIT_QR_PIXELS_PER_MSG";
	return qr_done(a, an, at, rc, why, &payloads, where);
}

/* Was an image with the same bytes as v[i] seen before it? */
static int
seen_before(const struct arena_vec *v, size_t i)
{
	const struct attachment	*at = v->v[i], *o;
	size_t			 k;

	for (k = 0; k < i; k++) {
		o = v->v[k];
		if (o->size == at->size &&
		    strcmp(o->hash.sha256, at->hash.sha256) == 0)
			return 1;
	}
	return 0;
}

/* URLs in QR codes of PNG and JPEG files (attachments and inline
 * images, at any depth; the same bytes once), and links and QR codes
 * in PDFs (attach_pdf.c) and Office files (attach_office.c), at most
 * LIMIT_QR_IMAGES images in all.  Runs
 * after the text extractors, so a URL also written in a body keeps its
 * body place. */
static enum ms_err
qr_iocs(struct arena *a, struct analysis *an)
{
	struct analyze__budget	 b = { .pixels = LIMIT_QR_PIXELS_PER_MSG,
				    .inflate = LIMIT_PDF_INFLATE_PER_MSG };
	struct attachment	*at;
	const char		*where;
	size_t			 i;
	enum ms_err		 rc = MS_OK;

	for (i = 0; i < an->attachments.n && rc == MS_OK; i++) {
		at = an->attachments.v[i];
		if (at->is_email || seen_before(&an->attachments, i))
			continue;
		if (pdf_is_pdf(at->data, at->size)) {
			rc = analyze__pdf(a, an, at, &b);
			continue;
		}
		if (ooxml_is_ooxml(at->data, at->size)) {
			rc = analyze__office(a, an, at, &b);
			continue;
		}
		if (!qr_is_image(at->data, at->size))
			continue;
		where = arena_printf(a, "QR code in %s", at->file_name ?
		    at->file_name : at->path);
		rc = analyze__qr_image(a, an, at, at->data, at->size, where,
		    &b);
	}
	return rc;
}

static void
body_hash(struct arena *a, struct analysis *an)
{
	GChecksum	*c = g_checksum_new(G_CHECKSUM_SHA256);

	if (an->email->text != NULL)
		g_checksum_update(c, (const guchar *)an->email->text,
		    (gssize)an->email->text_len);
	g_checksum_update(c, (const guchar *)"\0", 1);
	if (an->email->html != NULL)
		g_checksum_update(c, (const guchar *)an->email->html,
		    (gssize)an->email->html_len);
	an->body_sha256 = arena_strdup(a, g_checksum_get_string(c));
	g_checksum_free(c);
}

/* HTML-only reports: the visible text, to look for a forward marker. */
static void
top_html_text(struct arena *a, struct analysis *an)
{
	const struct mail_email	*t = &an->top->email;
	struct ioc_set		*scratch;

	if (t->text != NULL || t->html == NULL)
		return;
	/* Parsing HTML costs more than everything else here: do it only
	 * when the raw HTML shows a trace of a forward marker. */
	if (memmem(t->html, t->html_len, "orwarded", 8) == NULL &&
	    memmem(t->html, t->html_len, "riginal Message", 15) == NULL &&
	    memmem(t->html, t->html_len, "Sent:", 5) == NULL)
		return;
	if ((scratch = ioc_set_new(a)) == NULL)
		return;
	(void)extract_html(scratch, t->html, t->html_len, "body html",
	    &an->html_text, &an->html_text_len);
}

enum ms_err
analyze_refused(struct arena *a, const char *source, size_t size,
    struct analysis **out)
{
	struct analysis	*an;

	if ((*out = an = arena_alloc(a, sizeof(*an))) == NULL)
		return MS_ELIMIT;
	an->source = arena_strdup(a, source);
	an->size = size;
	an->parse_failed = 1;
	an->limit_hit = 1;
	an->verdict = analyze_verdict(0);
	an->iocs = ioc_set_new(a);
	finding_add(a, &an->findings, FINDING_LIMIT, "limit_msg_bytes", NULL,
	    "input larger than %u bytes (LIMIT_MSG_BYTES); not analysed",
	    LIMIT_MSG_BYTES);
	return MS_ELIMIT;
}

enum ms_err
analyze_bytes(struct arena *a, const char *raw, size_t len,
    const char *source, struct analysis **out)
{
	struct analysis	*an;
	enum ms_err	 rc, prc;

	*out = NULL;
	if ((an = arena_alloc(a, sizeof(*an))) == NULL)
		return MS_ELIMIT;
	*out = an;
	an->source = arena_strdup(a, source);
	an->size = len;
	an->verdict = analyze_verdict(0);
	hash_sha256(raw, len, an->hash.sha256);
	if ((an->iocs = ioc_set_new(a)) == NULL)
		return MS_ELIMIT;
	prc = mail_parse(a, raw, len, &an->findings, &an->top);
	if (an->top == NULL) {
		an->parse_failed = 1;
		if (prc != MS_ELIMIT)
			finding_add(a, &an->findings, FINDING_PARSE,
			    "unreadable", NULL, "not an email that could be "
			    "read (%s)", ms_strerror(prc));
		return prc == MS_OK ? MS_EPARSE : prc;
	}
	if (prc == MS_ELIMIT)
		an->limit_hit = 1;
	top_html_text(a, an);
	if ((rc = analyze__forward(a, an)) != MS_OK ||
	    (rc = collect_files(a, an, an->top, 0)) != MS_OK ||
	    (rc = header_iocs(an, an->email)) != MS_OK ||
	    (rc = body_iocs(a, an)) != MS_OK ||
	    (rc = nested_iocs(a, an, an->top, 0)) != MS_OK ||
	    (rc = qr_iocs(a, an)) != MS_OK)
		goto out;
	body_hash(a, an);
	if ((rc = analyze__artifacts(a, an)) == MS_OK)
		rc = detect_run(a, an);
out:
	if (ioc_set_dropped(an->iocs) > 0) {
		finding_add(a, &an->findings, FINDING_LIMIT, "limit_iocs",
		    NULL, "%zu indicators not kept: more than %d URLs or %d "
		    "other indicators (LIMIT_URLS_PER_MSG, "
		    "LIMIT_IOCS_PER_MSG)", ioc_set_dropped(an->iocs),
		    LIMIT_URLS_PER_MSG, LIMIT_IOCS_PER_MSG);
		an->limit_hit = 1;
	}
	if (rc == MS_OK && (an->limit_hit || arena_exhausted(a)))
		rc = MS_ELIMIT;
	return rc;
}
