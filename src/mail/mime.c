/* SPDX-License-Identifier: Apache-2.0 */
/*
 * mime.c -- RFC 5322 / MIME messages through GMime into the read-only
 * struct mail_msg view.  Walks the MIME tree with a depth counter, decodes
 * every leaf (transfer encoding, then charset to UTF-8 for text), and hands
 * attached emails (.eml, message/rfc822), Outlook .msg files, TNEF
 * winmail.dat and uuencoded blocks to their readers so that every file in
 * the message shows up as a part.  Runs in the analysing process on
 * UNTRUSTED bytes; trusts nothing it reads.  GMime objects are tied to the
 * arena and released with it.
 */
#include <string.h>

#include <gmime/gmime.h>

#include "mail_int.h"
#include "msg.h"
#include "tnef.h"
#include "uu.h"
#include "../common/limits.h"
#include "../common/log.h"

/*
 * Per-parse budget, shared by every nested message of one top-level
 * email: parts and decoded bytes.  It lives on the stack of mail_parse();
 * readers reach it through mail__part_new(), which runs on the same
 * thread, so a thread-local pointer is enough and keeps the readers'
 * signatures free of it.
 */
struct mail_budget {
	size_t	parts;
	size_t	decoded;
	int	parts_hit;
	int	decoded_hit;
};

static _Thread_local struct mail_budget	*tl_budget;

/* Parser warnings are recorded against the message being constructed. */
struct warn_ctx {
	struct arena		*a;
	struct arena_vec	*findings;
	const char		*path;
};

struct walk {
	struct arena		*a;
	struct mail_msg		*m;
	GMimeParserOptions	*opts;
};

static enum ms_err	walk_object(struct walk *, GMimeObject *, const char *,
			    int);

/* libgsf reports every broken compound file on GLib's default handler;
 * hostile input is expected here, so those go to our debug log. */
static void
quiet_log(const gchar *domain, GLogLevelFlags level, const gchar *msg,
    gpointer user)
{
	(void)level;
	(void)user;
	log_debug("%s: %s", domain ? domain : "glib", msg);
}

void
mail_init(void)
{
	g_mime_init();
	g_log_set_handler("libgsf", G_LOG_LEVEL_MASK, quiet_log, NULL);
	g_log_set_handler("libgsf:msole", G_LOG_LEVEL_MASK, quiet_log, NULL);
}

void
mail_shutdown(void)
{
	g_mime_shutdown();
}

enum mail_format
mail_sniff(const char *raw, size_t len)
{
	if (msg_sniff(raw, len))
		return MAIL_FMT_OUTLOOK;
	if (len >= 5 && memcmp(raw, "From ", 5) == 0)
		return MAIL_FMT_MBOX;
	return MAIL_FMT_RFC5322;
}

static const char *
warning_id(GMimeParserWarning w)
{
	switch (w) {
	case GMIME_WARN_DUPLICATED_HEADER:	return "duplicated_header";
	case GMIME_WARN_DUPLICATED_PARAMETER:	return "duplicated_parameter";
	case GMIME_WARN_UNENCODED_8BIT_HEADER:	return "unencoded_8bit_header";
	case GMIME_WARN_INVALID_CONTENT_TYPE:	return "invalid_content_type";
	case GMIME_WARN_INVALID_RFC2047_HEADER_VALUE:
		return "invalid_rfc2047_header";
	case GMIME_WARN_MALFORMED_MULTIPART:	return "malformed_multipart";
	case GMIME_WARN_TRUNCATED_MESSAGE:	return "truncated_message";
	case GMIME_WARN_MALFORMED_MESSAGE:	return "malformed_message";
	case GMIME_CRIT_INVALID_HEADER_NAME:	return "invalid_header_name";
	case GMIME_CRIT_CONFLICTING_HEADER:	return "conflicting_header";
	case GMIME_CRIT_CONFLICTING_PARAMETER:	return "conflicting_parameter";
	case GMIME_CRIT_MULTIPART_WITHOUT_BOUNDARY:
		return "multipart_without_boundary";
	case GMIME_WARN_INVALID_PARAMETER:	return "invalid_parameter";
	case GMIME_WARN_INVALID_ADDRESS_LIST:	return "invalid_address_list";
	case GMIME_CRIT_NESTING_OVERFLOW:	return "limit_mime_depth";
	case GMIME_WARN_PART_WITHOUT_CONTENT:	return "part_without_content";
	case GMIME_CRIT_PART_WITHOUT_HEADERS_OR_CONTENT:
		return "part_without_headers_or_content";
	default:				return "mime_warning";
	}
}

/* GMime's parser warnings become parse findings on the message. */
static void
on_warning(gint64 offset, GMimeParserWarning w, const gchar *item,
    gpointer user)
{
	struct warn_ctx	*wc = user;
	char		 clean[81];
	size_t		 i;

	/* 'item' is attacker text: keep it short and printable. */
	clean[0] = '\0';
	for (i = 0; item != NULL && item[i] != '\0' && i < 80; i++)
		clean[i] = g_ascii_isprint(item[i]) ? item[i] : '?';
	clean[i] = '\0';
	finding_add(wc->a, wc->findings,
	    w == GMIME_CRIT_NESTING_OVERFLOW ? FINDING_LIMIT : FINDING_PARSE,
	    warning_id(w), wc->path[0] ? wc->path : NULL,
	    "MIME parser: %s%s%s (offset %lld)", warning_id(w),
	    clean[0] ? ": " : "", clean, (long long)offset);
}

enum ms_err
mail__part_new(struct arena *a, struct mail_msg *m, const char *path,
    struct mail_part **out)
{
	struct mail_part	*p;

	*out = NULL;
	if (tl_budget != NULL && ++tl_budget->parts > LIMIT_MIME_PARTS) {
		if (!tl_budget->parts_hit)
			finding_add(a, m->findings, FINDING_LIMIT,
			    "limit_mime_parts", path,
			    "more than %d MIME parts (LIMIT_MIME_PARTS); "
			    "the rest of the message was not walked",
			    LIMIT_MIME_PARTS);
		tl_budget->parts_hit = 1;
		return MS_ELIMIT;
	}
	if ((p = arena_alloc(a, sizeof(*p))) == NULL)
		return MS_ELIMIT;
	p->path = arena_strdup(a, path);
	p->depth = m->depth;
	if (arena_vec_push(a, &m->parts, p) != MS_OK)
		return MS_ELIMIT;
	*out = p;
	return MS_OK;
}

/* Count 'n' decoded bytes against LIMIT_DECODED_BYTES. */
static enum ms_err
budget_decoded(struct arena *a, struct mail_msg *m, const char *path,
    size_t n)
{
	if (tl_budget == NULL)
		return MS_OK;
	if (n > LIMIT_DECODED_BYTES - tl_budget->decoded) {
		if (!tl_budget->decoded_hit)
			finding_add(a, m->findings, FINDING_LIMIT,
			    "limit_decoded_bytes", path,
			    "decoded parts exceed %u bytes "
			    "(LIMIT_DECODED_BYTES); part not decoded",
			    LIMIT_DECODED_BYTES);
		tl_budget->decoded_hit = 1;
		return MS_ELIMIT;
	}
	tl_budget->decoded += n;
	return MS_OK;
}

static char *
child_path(struct arena *a, const char *path, int i)
{
	if (path == NULL || path[0] == '\0')
		return arena_printf(a, "%d", i);
	return arena_printf(a, "%s.%d", path, i);
}

static const char *
lower_mime_type(struct arena *a, GMimeContentType *ct)
{
	char	*s, *p;

	if (ct == NULL)
		return "text/plain";
	s = g_mime_content_type_get_mime_type(ct);
	p = arena_strdup(a, s);
	g_free(s);
	if (p != NULL)
		for (s = p; *s; s++)
			*s = g_ascii_tolower(*s);
	return p;
}

/*
 * Convert decoded text from its declared charset to valid UTF-8.  Unknown
 * or lying charsets fall back to Windows-1252 (what mail clients do),
 * and whatever still is not UTF-8 is repaired with U+FFFD.
 */
static const char *
to_utf8(struct arena *a, const char *charset, const char *p, size_t n,
    size_t *outlen)
{
	const char	*cs = NULL;
	gchar		*conv = NULL, *valid;
	gsize		 wrote = 0;
	const char	*res;

	if (charset != NULL)
		cs = g_mime_charset_iconv_name(charset);
	if (cs != NULL && g_ascii_strcasecmp(cs, "UTF-8") != 0 &&
	    g_ascii_strcasecmp(cs, "US-ASCII") != 0 &&
	    g_ascii_strcasecmp(cs, "ASCII") != 0)
		conv = g_convert(p, (gssize)n, "UTF-8", cs, NULL, &wrote,
		    NULL);
	if (conv == NULL && !g_utf8_validate(p, (gssize)n, NULL))
		conv = g_convert(p, (gssize)n, "UTF-8", "WINDOWS-1252", NULL,
		    &wrote, NULL);
	if (conv != NULL) {
		p = conv;
		n = wrote;
	}
	if (g_utf8_validate(p, (gssize)n, NULL) && memchr(p, '\0', n) == NULL)
		res = arena_strndup(a, p, n);
	else {
		valid = g_utf8_make_valid(p, (gssize)n);
		res = arena_strdup(a, valid);
		g_free(valid);
	}
	g_free(conv);
	*outlen = res ? strlen(res) : 0;
	return res;
}

/* Decode a leaf's content (transfer encoding only) into arena bytes. */
static enum ms_err
decode_part(struct walk *wk, GMimePart *part, const char *path,
    const unsigned char **data, size_t *len)
{
	GMimeDataWrapper	*w = g_mime_part_get_content(part);
	GMimeStream		*src, *mem;
	GByteArray		*ba;
	gint64			 elen;
	enum ms_err		 rc;

	*data = (const unsigned char *)"";
	*len = 0;
	if (w == NULL)
		return MS_OK;
	src = g_mime_data_wrapper_get_stream(w);
	elen = src ? g_mime_stream_length(src) : 0;
	/* Decoded size never exceeds the encoded size for base64, QP and
	 * uuencode, so the encoded length bounds what we are about to
	 * allocate. */
	if (elen > 0 && (rc = budget_decoded(wk->a, wk->m, path,
	    (size_t)elen)) != MS_OK)
		return rc;
	mem = g_mime_stream_mem_new();
	g_mime_data_wrapper_write_to_stream(w, mem);
	ba = g_mime_stream_mem_get_byte_array(GMIME_STREAM_MEM(mem));
	*data = arena_memdup(wk->a, ba->data, ba->len);
	*len = ba->len;
	g_object_unref(mem);
	if (*data == NULL) {
		*len = 0;
		return MS_ELIMIT;
	}
	return MS_OK;
}

static int
name_ends(const char *name, const char *ext)
{
	size_t	n, e;

	if (name == NULL)
		return 0;
	n = strlen(name);
	e = strlen(ext);
	return n >= e && g_ascii_strcasecmp(name + n - e, ext) == 0;
}

/*
 * Does this start like an RFC 5322 header block (attached .eml files)?
 * The first line must be "Name: value" with a valid field name.
 */
static int
looks_like_email(const unsigned char *p, size_t n)
{
	size_t	i;

	for (i = 0; i < n && i < 128; i++) {
		if (p[i] == ':')
			return i > 0;
		if (p[i] <= ' ' || p[i] >= 127)
			return 0;
	}
	return 0;
}

/* Unpack a winmail.dat into parts "<path>.N". */
static enum ms_err
unpack_tnef(struct walk *wk, struct mail_part *p)
{
	struct arena_vec	 files = { 0 };
	struct tnef_file	*tf;
	struct mail_part	*q;
	const char		*body = NULL;
	enum ms_err		 rc;
	size_t			 i;

	rc = tnef_parse(wk->a, p->data, p->len, p->path, wk->m->findings,
	    &files, &body);
	for (i = 0; i < files.n; i++) {
		tf = files.v[i];
		if (mail__part_new(wk->a, wk->m, child_path(wk->a, p->path,
		    (int)i + 1), &q) != MS_OK)
			return MS_ELIMIT;
		q->content_type = tf->mime_type ? tf->mime_type :
		    "application/octet-stream";
		q->disposition = "attachment";
		q->file_name = tf->name;
		q->data = tf->data;
		q->len = tf->len;
		q->embedded = tf->embedded;
		q->flags = MAIL_PART_ATTACHMENT | MAIL_PART_TNEF;
	}
	if (body != NULL && wk->m->email.text == NULL) {
		wk->m->email.text = body;
		wk->m->email.text_len = strlen(body);
	}
	return rc == MS_ELIMIT ? MS_ELIMIT : MS_OK;
}

/* Add the uuencoded files found in a text part as parts "<path>.uN". */
static enum ms_err
unpack_uu(struct walk *wk, struct mail_part *p)
{
	struct arena_vec	 files = { 0 };
	struct uu_file		*uf;
	struct mail_part	*q;
	size_t			 i;

	if (p->len < 6 || memmem(p->data, p->len, "begin ", 6) == NULL)
		return MS_OK;
	if (uu_scan(wk->a, (const char *)p->data, p->len, p->path,
	    wk->m->findings, &files) != MS_OK)
		return MS_ELIMIT;
	for (i = 0; i < files.n; i++) {
		uf = files.v[i];
		if (mail__part_new(wk->a, wk->m, arena_printf(wk->a,
		    "%s.u%zu", p->path, i + 1), &q) != MS_OK)
			return MS_ELIMIT;
		q->content_type = "application/octet-stream";
		q->disposition = "attachment";
		q->file_name = uf->name;
		q->data = uf->data;
		q->len = uf->len;
		q->flags = MAIL_PART_ATTACHMENT | MAIL_PART_UUENCODED;
	}
	return MS_OK;
}

/* Parse an attached email (.eml, message/rfc822 bytes or .msg). */
static enum ms_err
parse_embedded(struct walk *wk, struct mail_part *p, int depth)
{
	enum ms_err	rc;

	if (depth + 1 > LIMIT_MIME_DEPTH) {
		finding_add(wk->a, wk->m->findings, FINDING_LIMIT,
		    "limit_mime_depth", p->path,
		    "attached email nested deeper than %d "
		    "(LIMIT_MIME_DEPTH); not parsed", LIMIT_MIME_DEPTH);
		return MS_ELIMIT;
	}
	if (msg_sniff((const char *)p->data, p->len)) {
		rc = msg_parse(wk->a, p->data, p->len, p->path, depth + 1,
		    wk->m->findings, &p->embedded);
		/* A compound file that holds no message is an Office
		 * document (.doc, .xls, encrypted .docx): a file, not an
		 * email, and nothing wrong with it. */
		if (rc == MS_EPARSE) {
			p->embedded = NULL;
			return MS_OK;
		}
	} else
		rc = mail__parse_nested(wk->a, (const char *)p->data, p->len,
		    p->path, depth + 1, wk->m->findings, &p->embedded);
	if (rc == MS_EPARSE) {
		finding_add(wk->a, wk->m->findings, FINDING_PARSE,
		    "bad_attached_email", p->path,
		    "attached email could not be read");
		rc = MS_OK;
	}
	return rc;
}

static void
part_meta(struct walk *wk, GMimeObject *obj, struct mail_part *p)
{
	GMimeContentType	*ct = g_mime_object_get_content_type(obj);
	GMimeContentDisposition	*cd;
	const char		*s;

	p->content_type = lower_mime_type(wk->a, ct);
	if (ct != NULL && (s = g_mime_content_type_get_parameter(ct,
	    "charset")) != NULL)
		p->charset = arena_strdup(wk->a, s);
	cd = g_mime_object_get_content_disposition(obj);
	if (cd != NULL && (s = g_mime_content_disposition_get_disposition(
	    cd)) != NULL)
		p->disposition = arena_strdup(wk->a, s);
	if ((s = g_mime_object_get_content_id(obj)) != NULL)
		p->content_id = arena_strdup(wk->a, s);
	if ((s = g_mime_object_get_header(obj,
	    "Content-Transfer-Encoding")) != NULL) {
		char	*e = g_strstrip(g_ascii_strdown(s, -1));

		p->encoding = arena_strdup(wk->a, e);
		g_free(e);
	}
}

/* Choose the message's display bodies: first inline text and HTML. */
static void
choose_body(struct mail_msg *m, struct mail_part *p)
{
	struct mail_email	*e = &m->email;

	if (p->flags & MAIL_PART_ATTACHMENT)
		return;
	if (strcmp(p->content_type, "text/plain") == 0 && e->text == NULL) {
		e->text = (const char *)p->data;
		e->text_len = p->len;
		p->flags |= MAIL_PART_BODY;
	} else if (strcmp(p->content_type, "text/html") == 0 &&
	    e->html == NULL) {
		e->html = (const char *)p->data;
		e->html_len = p->len;
		p->flags |= MAIL_PART_BODY;
	}
}

static enum ms_err
walk_leaf(struct walk *wk, GMimeObject *obj, const char *path, int depth)
{
	struct mail_part	*p;
	const char		*fn;
	enum ms_err		 rc;

	if ((rc = mail__part_new(wk->a, wk->m, path, &p)) != MS_OK)
		return rc;
	part_meta(wk, obj, p);
	fn = g_mime_part_get_filename(GMIME_PART(obj));
	p->file_name = arena_strdup(wk->a, fn);
	if (fn != NULL || (p->disposition != NULL &&
	    g_ascii_strcasecmp(p->disposition, "attachment") == 0))
		p->flags |= MAIL_PART_ATTACHMENT;
	if ((rc = decode_part(wk, GMIME_PART(obj), path, &p->data,
	    &p->len)) != MS_OK)
		return rc;
	if (g_str_has_prefix(p->content_type, "text/") &&
	    !(p->flags & MAIL_PART_ATTACHMENT)) {
		p->data = (const unsigned char *)to_utf8(wk->a, p->charset,
		    (const char *)p->data, p->len, &p->len);
		if (p->data == NULL)
			return MS_ELIMIT;
		p->flags |= MAIL_PART_TEXT;
		choose_body(wk->m, p);
		return unpack_uu(wk, p);
	}
	if (strcmp(p->content_type, "application/ms-tnef") == 0 ||
	    strcmp(p->content_type, "application/vnd.ms-tnef") == 0 ||
	    tnef_sniff(p->data, p->len))
		return unpack_tnef(wk, p);
	/* GMime leaves a message/rfc822 part with a base64 or QP transfer
	 * encoding as a leaf: its decoded bytes are the email. */
	if (msg_sniff((const char *)p->data, p->len) ||
	    strcmp(p->content_type, "message/rfc822") == 0 ||
	    strcmp(p->content_type, "message/global") == 0 ||
	    (name_ends(p->file_name, ".eml") &&
	    looks_like_email(p->data, p->len)))
		return parse_embedded(wk, p, depth);
	return MS_OK;
}

static enum ms_err	from_gmime(struct arena *, GMimeMessage *,
			    GMimeParserOptions *, const char *, int,
			    struct arena_vec *, struct mail_msg **);

/*
 * message/rfc822 (and message/global) parts.  GMime has parsed the inner
 * message already: walk it in place (re-parsing each level would cost
 * O(depth^2)).  The part's bytes are the inner message serialised again,
 * which is the file an analyst would save; they count against
 * LIMIT_DECODED_BYTES like any decoded part.
 */
static enum ms_err
walk_message_part(struct walk *wk, GMimeObject *obj, const char *path,
    int depth)
{
	GMimeMessage		*inner;
	struct mail_part	*p;
	char			*s;
	size_t			 n;
	enum ms_err		 rc;

	if ((rc = mail__part_new(wk->a, wk->m, path, &p)) != MS_OK)
		return rc;
	part_meta(wk, obj, p);
	p->flags |= MAIL_PART_ATTACHMENT;
	p->file_name = arena_strdup(wk->a,
	    g_mime_object_get_content_type_parameter(obj, "name"));
	inner = g_mime_message_part_get_message(GMIME_MESSAGE_PART(obj));
	if (inner == NULL)
		return MS_OK;
	if (depth + 1 > LIMIT_MIME_DEPTH) {
		finding_add(wk->a, wk->m->findings, FINDING_LIMIT,
		    "limit_mime_depth", path, "attached email nested deeper "
		    "than %d (LIMIT_MIME_DEPTH); not walked",
		    LIMIT_MIME_DEPTH);
		return MS_ELIMIT;
	}
	s = g_mime_object_to_string(GMIME_OBJECT(inner), NULL);
	n = strlen(s);
	if ((rc = budget_decoded(wk->a, wk->m, path, n)) == MS_OK) {
		p->data = arena_memdup(wk->a, s, n);
		p->len = n;
	}
	g_free(s);
	if (rc != MS_OK)
		return rc;
	if (p->data == NULL)
		return MS_ELIMIT;
	return from_gmime(wk->a, inner, wk->opts, path, depth + 1,
	    wk->m->findings, &p->embedded);
}

/*
 * A multipart in which GMime found no part (broken or missing
 * delimiters) still has content, in its prologue and epilogue: keep it as
 * a text part so that nothing a client might render goes unexamined.
 */
static enum ms_err
multipart_leftovers(struct walk *wk, GMimeMultipart *mp, const char *path)
{
	const char		*pro = g_mime_multipart_get_prologue(mp);
	const char		*epi = g_mime_multipart_get_epilogue(mp);
	struct mail_part	*p;
	char			*t;
	enum ms_err		 rc;

	if ((pro == NULL || *pro == '\0') && (epi == NULL || *epi == '\0'))
		return MS_OK;
	finding_add(wk->a, wk->m->findings, FINDING_PARSE,
	    "multipart_without_parts", path[0] ? path : NULL,
	    "a multipart in which no part could be delimited; its text was "
	    "kept as one part");
	if ((rc = mail__part_new(wk->a, wk->m, path[0] ? path : "1", &p)) !=
	    MS_OK)
		return rc;
	t = arena_printf(wk->a, "%s%s%s", pro ? pro : "", pro && epi ?
	    "\n" : "", epi ? epi : "");
	if (t == NULL)
		return MS_ELIMIT;
	p->content_type = "text/plain";
	p->data = (const unsigned char *)to_utf8(wk->a, NULL, t, strlen(t),
	    &p->len);
	if (p->data == NULL)
		return MS_ELIMIT;
	p->flags = MAIL_PART_TEXT | MAIL_PART_LEFTOVER;
	return MS_OK;
}

static enum ms_err
walk_object(struct walk *wk, GMimeObject *obj, const char *path, int depth)
{
	GMimeMultipart	*mp;
	enum ms_err	 rc;
	int		 i, n;

	if (depth > LIMIT_MIME_DEPTH) {
		finding_add(wk->a, wk->m->findings, FINDING_LIMIT,
		    "limit_mime_depth", path,
		    "MIME parts nested deeper than %d (LIMIT_MIME_DEPTH); "
		    "deeper parts not walked", LIMIT_MIME_DEPTH);
		return MS_ELIMIT;
	}
	if (GMIME_IS_MULTIPART(obj)) {
		mp = GMIME_MULTIPART(obj);
		n = g_mime_multipart_get_count(mp);
		if (n == 0)
			return multipart_leftovers(wk, mp, path);
		for (i = 0; i < n; i++) {
			rc = walk_object(wk, g_mime_multipart_get_part(mp, i),
			    child_path(wk->a, path, i + 1), depth + 1);
			if (rc != MS_OK)
				return rc;
		}
		return MS_OK;
	}
	if (GMIME_IS_MESSAGE_PART(obj))
		return walk_message_part(wk, obj, path, depth);
	if (GMIME_IS_PART(obj))
		return walk_leaf(wk, obj, path, depth);
	return MS_OK;
}

static GMimeParserOptions *
new_options(struct warn_ctx *wc)
{
	GMimeParserOptions	*o = g_mime_parser_options_new();
	static const char	*fallback[] = { "UTF-8", "WINDOWS-1252",
	    NULL };

	g_mime_parser_options_set_address_compliance_mode(o,
	    GMIME_RFC_COMPLIANCE_LOOSE);
	g_mime_parser_options_set_parameter_compliance_mode(o,
	    GMIME_RFC_COMPLIANCE_LOOSE);
	g_mime_parser_options_set_rfc2047_compliance_mode(o,
	    GMIME_RFC_COMPLIANCE_LOOSE);
	g_mime_parser_options_set_allow_addresses_without_domain(o, TRUE);
	g_mime_parser_options_set_fallback_charsets(o, fallback);
	g_mime_parser_options_set_warning_callback(o, on_warning, wc);
	return o;
}

static void
options_free(void *p)
{
	g_mime_parser_options_free(p);
}

/*
 * The bytes of a message handed to GMime without a copy: a GByteArray
 * that borrows them.  The stream reads from it for as long as the message
 * lives (GMime reads part contents lazily), so it is released after the
 * message, by a destructor registered before it (destructors run newest
 * first); stealing the data back keeps GLib from freeing our buffer.
 */
static void
borrowed_free(void *p)
{
	GByteArray	*ba = p;
	gsize		 n;

	(void)g_byte_array_steal(ba, &n);
	g_byte_array_unref(ba);
}

/* Build a GMimeMessage from bytes that outlive the arena's use of them;
 * tied to the arena. */
static GMimeMessage *
construct(struct arena *a, GMimeParserOptions *opts, const char *raw,
    size_t len)
{
	GMimeStream	*stream;
	GMimeParser	*parser;
	GMimeMessage	*msg;
	GByteArray	*ba;

	if (len > G_MAXUINT)
		return NULL;
	ba = g_byte_array_new_take((guint8 *)raw, len);
	if (arena_defer(a, borrowed_free, ba) != MS_OK)
		return NULL;
	stream = g_mime_stream_mem_new_with_byte_array(ba);
	g_mime_stream_mem_set_owner(GMIME_STREAM_MEM(stream), FALSE);
	parser = g_mime_parser_new_with_stream(stream);
	g_object_unref(stream);
	g_mime_parser_set_format(parser, GMIME_FORMAT_MESSAGE);
	msg = g_mime_parser_construct_message(parser, opts);
	g_object_unref(parser);
	if (msg != NULL && arena_defer(a, g_object_unref, msg) != MS_OK)
		return NULL;
	return msg;
}

/* Fill a new mail_msg from a parsed GMime message and walk its body. */
static enum ms_err
from_gmime(struct arena *a, GMimeMessage *msg, GMimeParserOptions *opts,
    const char *path, int depth, struct arena_vec *findings,
    struct mail_msg **out)
{
	struct walk	 wk = { .a = a, .opts = opts };
	struct mail_msg	*m;
	GMimeObject	*body;
	enum ms_err	 rc;

	*out = NULL;
	if ((m = arena_alloc(a, sizeof(*m))) == NULL)
		return MS_ELIMIT;
	m->findings = findings;
	m->depth = depth;
	m->path = path ? path : "";
	m->source = "rfc5322";
	wk.m = m;
	if ((rc = mail__email_from_gmime(a, msg, opts, &m->email,
	    findings, m->path)) != MS_OK)
		return rc;
	*out = m;
	body = g_mime_message_get_mime_part(msg);
	if (body == NULL)
		return MS_OK;
	/* IMAP numbering: a single-part body is "1"; a multipart's
	 * children are "1", "2", ... under the message's own path. */
	if (GMIME_IS_MULTIPART(body))
		return walk_object(&wk, body, m->path, depth);
	return walk_object(&wk, body, child_path(a, m->path, 1), depth);
}

/*
 * GMime gives up on input that does not start with a header block.  Such
 * "emails" (a pasted body, a broken export) are still read: as a message
 * with no header fields whose body is the whole input.
 */
static GMimeMessage *
construct_headerless(struct arena *a, GMimeParserOptions *opts,
    const char *raw, size_t len, struct arena_vec *findings,
    const char *path)
{
	GMimeMessage	*msg;
	char		*buf;

	if (len == 0 || (buf = arena_alloc(a, len + 1)) == NULL)
		return NULL;
	buf[0] = '\n';
	memcpy(buf + 1, raw, len);
	if ((msg = construct(a, opts, buf, len + 1)) != NULL)
		finding_add(a, findings, FINDING_PARSE, "no_headers",
		    path && path[0] ? path : NULL, "no header block: the "
		    "whole input was read as the body");
	return msg;
}

static void
fixup_findings(struct arena *a, struct arena_vec *findings,
    const char *path, unsigned what)
{
	const char	*part = path && path[0] ? path : NULL;

	if (what & MAIL_FIXUP_DELIMITER)
		finding_add(a, findings, FINDING_PARSE, "boundary_junk", part,
		    "MIME delimiter lines with text after the boundary "
		    "(read as delimiters, as RFC 2046 allows)");
	if (what & MAIL_FIXUP_LONG_BOUNDARY)
		finding_add(a, findings, FINDING_PARSE, "boundary_too_long",
		    part, "a MIME boundary longer than 70 characters "
		    "(RFC 2046)");
}

enum ms_err
mail__parse_nested(struct arena *a, const char *raw, size_t len,
    const char *path, int depth, struct arena_vec *findings,
    struct mail_msg **out)
{
	struct warn_ctx		*wc;
	GMimeParserOptions	*opts;
	GMimeMessage		*msg;
	char			*fixed;
	size_t			 flen;
	unsigned		 what;

	*out = NULL;
	if ((wc = arena_alloc(a, sizeof(*wc))) == NULL)
		return MS_ELIMIT;
	wc->a = a;
	wc->findings = findings;
	wc->path = path ? path : "";
	opts = new_options(wc);
	if (arena_defer(a, options_free, opts) != MS_OK)
		return MS_ELIMIT;
	if ((fixed = mail__fixup(raw, len, &flen, &what)) != NULL) {
		fixup_findings(a, findings, path, what);
		if (arena_defer(a, g_free, fixed) != MS_OK)
			return MS_ELIMIT;
		raw = fixed;
		len = flen;
	}
	if ((msg = construct(a, opts, raw, len)) == NULL &&
	    !arena_exhausted(a))
		msg = construct_headerless(a, opts, raw, len, findings, path);
	if (msg == NULL)
		return arena_exhausted(a) ? MS_ELIMIT : MS_EPARSE;
	return from_gmime(a, msg, opts, path, depth, findings, out);
}

enum ms_err
mail_parse(struct arena *a, const char *raw, size_t len,
    struct arena_vec *findings, struct mail_msg **out)
{
	struct mail_budget	 budget = { 0 };
	struct mail_budget	*saved = tl_budget;
	enum ms_err		 rc;

	*out = NULL;
	if (len > LIMIT_MSG_BYTES) {
		finding_add(a, findings, FINDING_LIMIT, "limit_msg_bytes",
		    NULL, "message of %zu bytes exceeds %u "
		    "(LIMIT_MSG_BYTES); not parsed", len, LIMIT_MSG_BYTES);
		return MS_ELIMIT;
	}
	tl_budget = &budget;
	if (msg_sniff(raw, len))
		rc = msg_parse(a, (const unsigned char *)raw, len, "", 0,
		    findings, out);
	else
		rc = mail__parse_nested(a, raw, len, "", 0, findings, out);
	tl_budget = saved;
	if (rc == MS_OK && arena_exhausted(a))
		rc = MS_ELIMIT;
	if (rc == MS_ELIMIT && arena_exhausted(a))
		finding_add(a, findings, FINDING_LIMIT, "limit_msg_arena",
		    NULL, "decoded data exceeds %u bytes (LIMIT_MSG_ARENA)",
		    LIMIT_MSG_ARENA);
	return rc;
}
