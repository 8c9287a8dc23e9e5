/* SPDX-License-Identifier: Apache-2.0 */
/*
 * ooxml.c -- external relationships, DDE and images in UNTRUSTED Office
 * Open XML files.  Runs in the analysis (worker or CLI).
 *
 * libarchive walks the zip entries (names, sizes and compression ratios
 * are the attacker's: none is trusted).  Only the parts that matter are
 * inflated, each into a heap buffer that never grows past its cap:
 * "*.rels" (relationships), the Word body, headers and footers (field
 * codes), xl/externalLinks/ (ddeLink) and PNG and JPEG files under a
 * media folder.  The XML is not parsed: a bounded scan finds start tags
 * by their local name, reads their attributes with quotes honoured and
 * decodes the five predefined entities and character references; a DTD
 * is plain text to it, so entity bombs cost nothing.
 */
#include <string.h>

#include <archive.h>
#include <archive_entry.h>
#include <glib.h>

#include "ooxml.h"
#include "../common/limits.h"

/* Longest attribute value or DDE instruction kept. */
#define VALUE_KEEP	LIMIT_URL_BYTES
/* Longest DDE evidence kept. */
#define DDE_KEEP	200
/* Field code text gathered from one part (instrText runs joined). */
#define INSTR_KEEP	(64u * 1024)
/* Read buffer step. */
#define READ_STEP	(64u * 1024)

struct scan {
	struct arena		*a;
	struct ooxml_info	*out;
	size_t			*budget;
	size_t			 max_images;
	size_t			 total;		/* inflated, all parts */
};

static const struct {
	unsigned	 bit;
	const char	*name;
} flag_names[] = {
	{ OOXML_REMOTE, "remote_template" },
	{ OOXML_DDE, "dde" },
	{ OOXML_DDE_LINK, "dde_link" },
	{ OOXML_MACROS, "macros" },
	{ OOXML_EXTERNAL, "external_links" },
};

const char *
ooxml_flag_name(unsigned flag)
{
	size_t	i;

	for (i = 0; i < G_N_ELEMENTS(flag_names); i++)
		if (flag_names[i].bit == flag)
			return flag_names[i].name;
	return NULL;
}

int
ooxml_is_ooxml(const void *p, size_t len)
{
	static const char	ct[] = "[Content_Types].xml";

	if (p == NULL || len < 30 || memcmp(p, "PK\003\004", 4) != 0)
		return 0;
	return memmem(p, len, ct, sizeof(ct) - 1) != NULL;
}

static int
has_prefix(const char *s, const char *pre)
{
	return g_ascii_strncasecmp(s, pre, strlen(pre)) == 0;
}

static int
has_suffix(const char *s, const char *suf)
{
	size_t	n = strlen(s), m = strlen(suf);

	return n >= m && g_ascii_strcasecmp(s + n - m, suf) == 0;
}

/* Append XML character data 's'..'end' to 'g', decoded (the five
 * entities, &#N; and &#xH;; anything else as it is), while 'g' is
 * shorter than 'keep'. */
static void
xml_append(GString *g, const char *s, const char *end, size_t keep)
{
	const char	*semi;
	gunichar	 c;
	char		*e;
	size_t		 n;

	while (s < end && g->len < keep) {
		if (*s != '&' || (semi = memchr(s, ';', MIN((size_t)(end - s),
		    12))) == NULL) {
			g_string_append_c(g, *s++);
			continue;
		}
		n = (size_t)(semi - s) + 1;
		if (n == 5 && memcmp(s, "&amp;", 5) == 0)
			g_string_append_c(g, '&');
		else if (n == 4 && memcmp(s, "&lt;", 4) == 0)
			g_string_append_c(g, '<');
		else if (n == 4 && memcmp(s, "&gt;", 4) == 0)
			g_string_append_c(g, '>');
		else if (n == 6 && memcmp(s, "&quot;", 6) == 0)
			g_string_append_c(g, '"');
		else if (n == 6 && memcmp(s, "&apos;", 6) == 0)
			g_string_append_c(g, '\'');
		else if (n > 3 && s[1] == '#') {
			if (s[2] == 'x' || s[2] == 'X')
				c = (gunichar)g_ascii_strtoull(s + 3, &e, 16);
			else
				c = (gunichar)g_ascii_strtoull(s + 2, &e, 10);
			if (e != semi || c == 0 || !g_unichar_validate(c)) {
				g_string_append_c(g, *s++);
				continue;
			}
			g_string_append_unichar(g, c);
		} else {
			g_string_append_c(g, *s++);
			continue;
		}
		s += n;
	}
}

/* 's'..'end' decoded into a NUL-terminated arena string of at most
 * VALUE_KEEP bytes. */
static char *
xml_decode(struct arena *a, const char *s, const char *end)
{
	GString		*g = g_string_sized_new(64);
	char		*r;

	xml_append(g, s, end, VALUE_KEEP);
	r = arena_strndup(a, g->str, MIN(g->len, (size_t)VALUE_KEEP));
	g_string_free(g, TRUE);
	return r;
}

/* The end of the tag that starts at 'p' ('<'): the '>' outside quotes,
 * or NULL. */
static const char *
tag_end(const char *p, const char *end)
{
	char	q = 0;

	for (; p < end; p++) {
		if (q != 0) {
			if (*p == q)
				q = 0;
		} else if (*p == '"' || *p == '\'')
			q = *p;
		else if (*p == '>')
			return p;
	}
	return NULL;
}

static int
name_char(char c)
{
	return g_ascii_isalnum(c) || c == '_' || c == '-' || c == '.' ||
	    c == ':';
}

/*
 * The next start tag at or after '*pp' whose local name (after any
 * prefix) is 'local': sets '*start' to its '<' and returns its '>', or
 * NULL when there is none.  '*pp' moves past what was looked at.
 */
static const char *
next_tag(const char **pp, const char *end, const char *local,
    const char **start)
{
	const char	*p = *pp, *lt, *q, *n, *gt;
	size_t		 m = strlen(local);

	while (p < end && (lt = memchr(p, '<', (size_t)(end - p))) != NULL) {
		p = lt + 1;
		for (q = p; q < end && name_char(*q); q++)
			;
		/* The name is p..q; its local part ends it. */
		n = q;
		if ((size_t)(n - p) < m || memcmp(n - m, local, m) != 0 ||
		    (n - m > p && n[-(ptrdiff_t)m - 1] != ':'))
			continue;
		if ((gt = tag_end(q, end)) == NULL) {
			*pp = end;
			return NULL;
		}
		*start = lt;
		*pp = gt + 1;
		return gt;
	}
	*pp = end;
	return NULL;
}

/* The value of attribute 'name' (with any prefix) in the tag 's'..'end',
 * decoded, or NULL. */
static char *
attr(struct arena *a, const char *s, const char *end, const char *name)
{
	const char	*p = s, *n, *v, *ve;
	size_t		 m = strlen(name);
	char		 q;

	/* Skip the element name. */
	while (p < end && *p != ' ' && *p != '\t' && *p != '\r' &&
	    *p != '\n')
		p++;
	while (p < end) {
		while (p < end && g_ascii_isspace(*p))
			p++;
		for (n = p; p < end && name_char(*p); p++)
			;
		if (p == n)
			return NULL;	/* '/' or '>' or junk */
		v = p;
		while (v < end && g_ascii_isspace(*v))
			v++;
		if (v >= end || *v != '=')
			return NULL;
		v++;
		while (v < end && g_ascii_isspace(*v))
			v++;
		if (v >= end || (*v != '"' && *v != '\''))
			return NULL;
		q = *v++;
		if ((ve = memchr(v, q, (size_t)(end - v))) == NULL)
			return NULL;
		if ((size_t)(p - n) >= m && memcmp(p - m, name, m) == 0 &&
		    ((size_t)(p - n) == m || p[-(ptrdiff_t)m - 1] == ':'))
			return xml_decode(a, v, ve);
		p = ve + 1;
	}
	return NULL;
}

/* Does the file: URL 't' name another host ("file://host/share",
 * "file:////host", "file:\\\\host")?  "file:///C:/Users/..." is the
 * local disk: Word writes the user's own template that way. */
static int
file_host(const char *t)
{
	size_t	k = 0;

	t += 5;		/* "file:" */
	while (t[k] == '/' || t[k] == '\\')
		k++;
	if (k != 2 && k < 4)
		return 0;
	t += k;
	if (g_ascii_isalpha(t[0]) && (t[1] == ':' || t[1] == '|'))
		return 0;	/* file://C:/ */
	if (has_prefix(t, "localhost") && (t[9] == '/' || t[9] == '\\' ||
	    t[9] == '\0'))
		return 0;
	return t[0] != '\0';
}

/* Is a target of a relationship of type 'type' loaded from elsewhere
 * when the document opens? */
static int
remote_target(const char *type, const char *t)
{
	static const char *const	 loaded[] = { "attachedTemplate",
	    "oleObject", "frame", "subDocument", "externalLinkPath",
	    "externalLink", "package", "image", NULL };
	static const char *const	 schemes[] = { "http:", "https:",
	    "ftp:", "mhtml:", "ms-msdt:", "search-ms:", "ms-", "\\\\",
	    "//", NULL };
	size_t				 i;
	int				 known = 0;

	for (i = 0; loaded[i] != NULL; i++)
		if (g_ascii_strcasecmp(type, loaded[i]) == 0)
			known = 1;
	if (!known)
		return 0;
	if (g_ascii_strcasecmp(type, "image") == 0)
		return has_prefix(t, "http:") || has_prefix(t, "https:") ||
		    has_prefix(t, "\\\\");
	/* A workbook linking to another on a file share is routine in
	 * offices; only one fetched over the internet counts. */
	if (g_ascii_strncasecmp(type, "externalLink", 12) == 0)
		return has_prefix(t, "http:") || has_prefix(t, "https:") ||
		    has_prefix(t, "ftp:") || has_prefix(t, "mhtml:") ||
		    has_prefix(t, "ms-");
	for (i = 0; schemes[i] != NULL; i++)
		if (has_prefix(t, schemes[i]))
			return 1;
	return has_prefix(t, "file:") && file_host(t);
}

static int
vec_has(const struct arena_vec *v, const char *s)
{
	size_t	i;

	for (i = 0; i < v->n; i++)
		if (strcmp(v->v[i], s) == 0)
			return 1;
	return 0;
}

static void
limit(struct scan *s, const char *why)
{
	if (s->out->limit == NULL)
		s->out->limit = why;
}

/* The <Relationship> elements of a .rels part. */
static void
rels(struct scan *s, const char *part, const char *x, size_t len)
{
	const char		*p = x, *end = x + len, *st, *gt, *seg;
	char			*type, *target, *mode;
	struct ooxml_rel	*r;
	size_t			 i;
	int			 dup;

	while ((gt = next_tag(&p, end, "Relationship", &st)) != NULL) {
		mode = attr(s->a, st, gt, "TargetMode");
		if (mode == NULL || g_ascii_strcasecmp(mode, "External") != 0)
			continue;
		type = attr(s->a, st, gt, "Type");
		target = attr(s->a, st, gt, "Target");
		if (type == NULL || target == NULL)
			continue;
		g_strstrip(target);
		if ((seg = strrchr(type, '/')) != NULL)
			type = (char *)seg + 1;
		s->out->flags |= OOXML_EXTERNAL;
		for (i = 0, dup = 0; i < s->out->rels.n && !dup; i++) {
			r = s->out->rels.v[i];
			dup = strcmp(r->type, type) == 0 &&
			    strcmp(r->target, target) == 0;
		}
		if (dup)
			continue;
		if (s->out->rels.n >= LIMIT_OOXML_URLS) {
			limit(s, "more than LIMIT_OOXML_URLS external "
			    "relationships");
			return;
		}
		if ((r = arena_calloc(s->a, 1, sizeof(*r))) == NULL)
			return;
		r->type = type;
		r->target = target;
		r->part = part;
		r->remote = remote_target(type, target);
		if (r->remote)
			s->out->flags |= OOXML_REMOTE;
		(void)arena_vec_push(s->a, &s->out->rels, r);
		if (g_ascii_strcasecmp(type, "hyperlink") == 0 &&
		    (has_prefix(target, "http://") ||
		    has_prefix(target, "https://") ||
		    has_prefix(target, "ftp://")) &&
		    !vec_has(&s->out->urls, target))
			(void)arena_vec_push(s->a, &s->out->urls, target);
	}
}

/* Is "DDE" or "DDEAUTO" a word of the field code 'f'?  Returns where. */
static const char *
dde_in(const char *f)
{
	const char	*p;
	size_t		 n;

	for (p = f; (p = strcasestr(p, "DDE")) != NULL; p += 3) {
		n = g_ascii_strncasecmp(p, "DDEAUTO", 7) == 0 ? 7 : 3;
		if ((p == f || !g_ascii_isalnum(p[-1])) &&
		    !g_ascii_isalnum(p[n]))
			return p;
	}
	return NULL;
}

static void
dde_note(struct scan *s, const char *instr)
{
	const char	*p;
	char		*e;

	if ((p = dde_in(instr)) == NULL)
		return;
	s->out->flags |= OOXML_DDE;
	if (s->out->dde.n >= 16)
		return;
	e = arena_strndup(s->a, p, strnlen(p, DDE_KEEP));
	if (e != NULL && !vec_has(&s->out->dde, e))
		(void)arena_vec_push(s->a, &s->out->dde, e);
}

/* The URLs of HYPERLINK fields in the field code text 'f' (HYPERLINK
 * "https://..." \\o "tip"): a link Word shows like any other, that no
 * relationship lists.  Only http(s) and ftp, as for relationships. */
static void
hyperlink_fields(struct scan *s, const char *f)
{
	const char	*p, *q, *e;
	char		*u;

	for (p = f; (p = strcasestr(p, "HYPERLINK")) != NULL; p += 9) {
		if ((p > f && g_ascii_isalnum(p[-1])) ||
		    g_ascii_isalnum(p[9]))
			continue;
		for (q = p + 9; *q == ' ' || *q == '\t'; q++)
			;
		/* "\l" names a bookmark in the document: no URL. */
		if (*q != '"' || (e = strchr(q + 1, '"')) == NULL)
			continue;
		if ((u = arena_strndup(s->a, q + 1, (size_t)(e - q - 1))) ==
		    NULL)
			return;
		g_strstrip(u);
		if (!has_prefix(u, "http://") && !has_prefix(u, "https://") &&
		    !has_prefix(u, "ftp://"))
			continue;
		if (vec_has(&s->out->urls, u))
			continue;
		if (s->out->urls.n >= LIMIT_OOXML_URLS) {
			limit(s, "more than LIMIT_OOXML_URLS links");
			return;
		}
		(void)arena_vec_push(s->a, &s->out->urls, u);
	}
}

/* Field codes of a Word part: the text of its instrText elements joined
 * (a field split over runs is one string again) and fldSimple's
 * w:instr attributes. */
static void
fields(struct scan *s, const char *x, size_t len)
{
	const char	*p = x, *end = x + len, *st, *gt, *ce;
	GString		*instr = g_string_new(NULL);
	char		*v;

	while ((gt = next_tag(&p, end, "instrText", &st)) != NULL) {
		if (gt[-1] == '/')
			continue;
		ce = g_strstr_len(gt + 1, end - gt - 1, "</");
		if (ce == NULL)
			ce = end;
		xml_append(instr, gt + 1, ce, INSTR_KEEP);
		p = ce;
	}
	dde_note(s, instr->str);
	hyperlink_fields(s, instr->str);
	g_string_free(instr, TRUE);
	p = x;
	while ((gt = next_tag(&p, end, "fldSimple", &st)) != NULL)
		if ((v = attr(s->a, st, gt, "instr")) != NULL) {
			dde_note(s, v);
			hyperlink_fields(s, v);
		}
}

/* An xlsx external link part: <ddeLink ddeService= ddeTopic=>. */
static void
dde_links(struct scan *s, const char *x, size_t len)
{
	const char	*p = x, *end = x + len, *st, *gt;
	char		*svc, *topic, *e;

	while ((gt = next_tag(&p, end, "ddeLink", &st)) != NULL) {
		s->out->flags |= OOXML_DDE_LINK;
		svc = attr(s->a, st, gt, "ddeService");
		topic = attr(s->a, st, gt, "ddeTopic");
		if (s->out->dde.n >= 16)
			continue;
		e = arena_printf(s->a, "%.*s|'%.*s'", 80, svc ? svc : "",
		    DDE_KEEP, topic ? topic : "");
		if (e != NULL && !vec_has(&s->out->dde, e))
			(void)arena_vec_push(s->a, &s->out->dde, e);
	}
}

enum kind { K_SKIP, K_RELS, K_WORD, K_XLINK, K_IMAGE };

static enum kind
kind_of(const char *name)
{
	if (has_suffix(name, ".rels"))
		return K_RELS;
	if (has_prefix(name, "word/") && has_suffix(name, ".xml") &&
	    (has_prefix(name, "word/document") ||
	    has_prefix(name, "word/header") ||
	    has_prefix(name, "word/footer") ||
	    has_prefix(name, "word/footnotes") ||
	    has_prefix(name, "word/endnotes") ||
	    has_prefix(name, "word/glossary/document")))
		return K_WORD;
	if (has_prefix(name, "xl/externalLinks/") && has_suffix(name, ".xml"))
		return K_XLINK;
	if (strstr(name, "/media/") != NULL && (has_suffix(name, ".png") ||
	    has_suffix(name, ".jpg") || has_suffix(name, ".jpeg")))
		return K_IMAGE;
	return K_SKIP;
}

/*
 * Inflate the current entry into a new heap buffer of at most 'cap'
 * bytes (and what the file and the email may still inflate).  Returns
 * the buffer (g_free it; NUL-terminated) and its length in '*n', or
 * NULL when the entry cannot be read (damaged, encrypted).  '*cut' is
 * set when a cap stopped the read.
 */
static char *
inflate_entry(struct scan *s, struct archive *ar, size_t cap, size_t *n,
    int *cut)
{
	char		*buf, one;
	size_t		 room = cap, have = 0, size = 0;
	la_ssize_t	 r;

	*cut = 0;
	if (room > LIMIT_OOXML_BYTES - s->total)
		room = LIMIT_OOXML_BYTES - s->total;
	if (s->budget != NULL && room > *s->budget)
		room = *s->budget;
	buf = NULL;
	for (;;) {
		if (have == size) {
			if (size >= room) {
				/* Full: is there more? */
				*cut = archive_read_data(ar, &one, 1) != 0;
				break;
			}
			size = MIN(room, size + READ_STEP + size);
			buf = g_realloc(buf, size + 1);
		}
		r = archive_read_data(ar, buf + have, size - have);
		if (r < 0) {
			g_free(buf);
			*n = 0;
			return NULL;
		}
		if (r == 0)
			break;
		have += (size_t)r;
	}
	if (buf == NULL)
		buf = g_malloc(1);
	buf[have] = '\0';
	*n = have;
	s->total += have;
	s->out->inflated += have;
	if (s->budget != NULL)
		*s->budget -= have;
	return buf;
}

static void
entry(struct scan *s, struct archive *ar, const char *name, enum kind k)
{
	struct ooxml_image	*img;
	const char		*part;
	char			*buf;
	size_t			 n, cap;
	int			 cut;

	if (k == K_IMAGE && (s->out->images.n >= s->max_images ||
	    s->out->images.n >= LIMIT_OOXML_IMAGES)) {
		if (s->out->images.n >= LIMIT_OOXML_IMAGES)
			limit(s, "more than LIMIT_OOXML_IMAGES images");
		return;
	}
	cap = k == K_IMAGE ? LIMIT_IMAGE_BYTES : LIMIT_OOXML_PART_BYTES;
	if ((buf = inflate_entry(s, ar, cap, &n, &cut)) == NULL) {
		if (s->out->broken == NULL)
			s->out->broken = "a part could not be inflated";
		return;
	}
	if (cut && s->total >= LIMIT_OOXML_BYTES)
		limit(s, "more than LIMIT_OOXML_BYTES inflated");
	else if (cut && cap > n)
		limit(s, "the email's inflate budget is spent");
	else if (cut)
		limit(s, k == K_IMAGE ? "an image larger than "
		    "LIMIT_IMAGE_BYTES" : "a part larger than "
		    "LIMIT_OOXML_PART_BYTES");
	part = arena_strdup(s->a, name);
	switch (k) {
	case K_RELS:
		rels(s, part, buf, n);
		break;
	case K_WORD:
		fields(s, buf, n);
		break;
	case K_XLINK:
		dde_links(s, buf, n);
		break;
	case K_IMAGE:
		/* A cut image is not decoded. */
		if (!cut && n > 0 &&
		    (img = arena_calloc(s->a, 1, sizeof(*img))) != NULL &&
		    (img->data = arena_memdup(s->a, buf, n)) != NULL) {
			img->len = n;
			img->part = part;
			(void)arena_vec_push(s->a, &s->out->images, img);
		}
		break;
	case K_SKIP:
		break;
	}
	g_free(buf);
}

enum ms_err
ooxml_scan(struct arena *a, const void *p, size_t len, size_t *budget,
    size_t max_images, struct ooxml_info *out)
{
	struct scan		 s = { a, out, budget, max_images, 0 };
	struct archive		*ar;
	struct archive_entry	*en;
	const char		*name;
	enum kind		 k;
	int			 r, types = 0;

	memset(out, 0, sizeof(*out));
	if (p == NULL || len == 0 || (ar = archive_read_new()) == NULL) {
		out->broken = "empty";
		return MS_EPARSE;
	}
	/* The seekable reader: the central directory's sizes, so that
	 * skipping an entry is a seek, never an inflate. */
	archive_read_support_format_zip_seekable(ar);
	if (archive_read_open_memory(ar, p, len) != ARCHIVE_OK) {
		out->broken = "not a zip";
		goto out;
	}
	while ((r = archive_read_next_header(ar, &en)) == ARCHIVE_OK ||
	    r == ARCHIVE_WARN) {
		if (out->parts >= LIMIT_ARCHIVE_ENTRIES) {
			limit(&s, "more than LIMIT_ARCHIVE_ENTRIES parts");
			break;
		}
		out->parts++;
		if ((name = archive_entry_pathname(en)) == NULL)
			continue;
		if (strcmp(name, "[Content_Types].xml") == 0)
			types = 1;
		if (has_suffix(name, "vbaProject.bin"))
			out->flags |= OOXML_MACROS;
		k = kind_of(name);
		if (k == K_SKIP || archive_entry_is_encrypted(en) ||
		    s.total >= LIMIT_OOXML_BYTES ||
		    (budget != NULL && *budget == 0)) {
			if (k != K_SKIP && s.total >= LIMIT_OOXML_BYTES)
				limit(&s, "more than LIMIT_OOXML_BYTES "
				    "inflated");
			else if (k != K_SKIP && budget != NULL &&
			    *budget == 0)
				limit(&s, "the email's inflate budget is "
				    "spent");
			continue;
		}
		entry(&s, ar, name, k);
	}
	if (r == ARCHIVE_FATAL && out->broken == NULL)
		out->broken = "truncated or damaged zip";
	if (!types && out->broken == NULL)
		out->broken = "no [Content_Types].xml part";
out:
	archive_read_free(ar);
	if (out->broken != NULL)
		return MS_EPARSE;
	return out->limit != NULL ? MS_ELIMIT : MS_OK;
}
