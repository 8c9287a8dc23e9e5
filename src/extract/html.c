/* SPDX-License-Identifier: Apache-2.0 */
/*
 * html.c -- indicators in UNTRUSTED HTML: link attributes (href, src,
 * form action, srcset, background, data-*), meta refresh, CSS url() in
 * style attributes and <style>, with <base href> applied to relative
 * links, plus the visible text, which goes through the text scanner.
 * libxml2's HTML parser builds the tree (recovering, never touching the
 * network, without its own depth limit, which would drop the rest of the
 * document); the walk over it follows parent pointers, so no depth is
 * too deep for it.  Runs in the analysing process.
 */
#include <string.h>
#include <strings.h>

#include <curl/curl.h>
#include <glib.h>
#include <libxml/HTMLparser.h>
#include <libxml/tree.h>

#include "../common/limits.h"
#include "extract_int.h"

enum where_id {
	W_HREF, W_SRC, W_ACTION, W_IFRAME, W_REFRESH, W_CSS, W_SRCSET,
	W_BACKGROUND, W_DATA, W_TEXT, W_COUNT
};

static const char *const where_names[W_COUNT] = {
	"html href", "html src", "html form action", "html iframe",
	"html meta refresh", "html css url", "html srcset",
	"html background", "html data attribute", "html text",
};

struct hx {
	struct ioc_set	*s;
	struct arena	*a;
	xmlDocPtr	 doc;
	const char	*where;
	const char	*w[W_COUNT];	/* composed lazily */
	char		*base;		/* absolute <base href>, or NULL */
	GString		*text;
	int		 text_full;
	enum ms_err	 rc;
};

/* Remember a limit; other outcomes of one link do not matter here. */
static void
note(struct hx *h, enum ms_err rc)
{
	if (rc == MS_ELIMIT)
		h->rc = MS_ELIMIT;
}

/* "html href", or "<caller's where>: html href". */
static const char *
where_of(struct hx *h, enum where_id id)
{
	if (h->w[id] != NULL)
		return h->w[id];
	if (h->where == NULL || *h->where == '\0')
		h->w[id] = where_names[id];
	else
		h->w[id] = arena_printf(h->a, "%s: %s", h->where,
		    where_names[id]);
	if (h->w[id] == NULL) {
		h->rc = MS_ELIMIT;
		return where_names[id];
	}
	return h->w[id];
}

/* HTML's ASCII whitespace. */
static int
is_space(char c)
{
	return c == ' ' || c == '\t' || c == '\n' || c == '\r' || c == '\f';
}

/* Has 'v' a scheme ("x:" with letters, digits, + - . before the colon)? */
static int
has_scheme(const char *v)
{
	const char	*p = v;

	if (!g_ascii_isalpha(*p))
		return 0;
	while (g_ascii_isalnum(*p) || *p == '+' || *p == '-' || *p == '.')
		p++;
	return *p == ':';
}

/* Resolve 'rel' against the base; NULL when that fails.  curl_free(). */
static char *
resolve(const char *base, const char *rel)
{
	CURLU	*u;
	char	*out = NULL;

	if ((u = curl_url()) == NULL)
		return NULL;
	if (curl_url_set(u, CURLUPART_URL, base, CURLU_NON_SUPPORT_SCHEME) ==
	    CURLUE_OK && curl_url_set(u, CURLUPART_URL, rel,
	    CURLU_NON_SUPPORT_SCHEME | CURLU_URLENCODE) == CURLUE_OK)
		(void)curl_url_get(u, CURLUPART_URL, &out, 0);
	curl_url_cleanup(u);
	return out;
}

/*
 * An absolute link; repeated ones are answered from the set's cache.  A
 * link that is not a URL we keep ("hxxp://evil[.]example/" in an
 * analyst's report, "tcp:1.2.3.4") is scanned as text instead, so that
 * defanged forms and bare indicators in it are still found.
 */
static void
add_abs(struct hx *h, const char *u, size_t n, const char *where)
{
	enum ms_err	rc;

	if (!ioc__raw_get(h->s, 'L', u, n, &rc)) {
		rc = extract__add_url(h->s, u, n, 0, where, 0);
		ioc__raw_put(h->s, 'L', u, n, rc);
		if (rc != MS_EPARSE)
			note(h, extract__nested(h->s, u, n, where, 0, 0));
		else
			note(h, extract_text(h->s, u, n, where));
	}
	note(h, rc == MS_ELIMIT ? rc : MS_OK);
}

/*
 * One link-valued attribute.  Browsers strip surrounding whitespace and
 * drop tabs and newlines inside URLs, so we do too.  Relative links count
 * only with a <base>, except "www.host/..." and "//host/..." which mail
 * clients open as absolute.
 */
static void
add_link(struct hx *h, const char *v, const char *where)
{
	char	*buf, *abs = NULL;
	size_t	 n = 0;

	while (is_space(*v))
		v++;
	if (*v == '\0' || *v == '#' || strlen(v) > LIMIT_URL_BYTES)
		return;
	buf = xmalloc(strlen(v) + 8);
	for (; *v != '\0'; v++)
		if (*v != '\t' && *v != '\n' && *v != '\r')
			buf[n++] = *v;
	while (n > 0 && is_space(buf[n - 1]))
		n--;
	buf[n] = '\0';
	if (g_ascii_strncasecmp(buf, "mailto:", 7) == 0)
		note(h, extract_url(h->s, buf, n, where));
	else if (g_ascii_strncasecmp(buf, "javascript:", 11) == 0)
		note(h, extract_text(h->s, buf + 11, n - 11, where));
	else if (has_scheme(buf))
		add_abs(h, buf, n, where);
	else if (h->base != NULL && (abs = resolve(h->base, buf)) != NULL)
		add_abs(h, abs, strlen(abs), where);
	else if (buf[0] == '/' && buf[1] == '/')
		note(h, extract__add_url(h->s, buf + 2, n - 2, 1, where, 0));
	else if (g_ascii_strncasecmp(buf, "www.", 4) == 0)
		note(h, extract__add_url(h->s, buf, n, 1, where, 0));
	curl_free(abs);
	xfree(buf);
}

/* CSS: url(...) and @import "..." anywhere in 'css'. */
static void
add_css(struct hx *h, const char *css)
{
	const char	*p = css, *q, *e;
	char		*u;
	char		 quote;

	while ((q = strcasestr(p, "url(")) != NULL) {
		q += 4;
		while (is_space(*q))
			q++;
		quote = (*q == '"' || *q == '\'') ? *q++ : 0;
		for (e = q; *e != '\0' && (quote ? *e != quote :
		    *e != ')' && !is_space(*e)); e++)
			;
		if (e > q && (u = g_strndup(q, (gsize)(e - q))) != NULL) {
			add_link(h, u, where_of(h, W_CSS));
			g_free(u);
		}
		p = *e != '\0' ? e + 1 : e;
	}
}

/* srcset: "url [descriptor], url [descriptor], ..." */
static void
add_srcset(struct hx *h, const char *v)
{
	const char	*p = v, *e;
	char		*u;

	for (;;) {
		while (is_space(*p) || *p == ',')
			p++;
		if (*p == '\0')
			break;
		for (e = p; *e != '\0' && !is_space(*e); e++)
			;
		while (e > p && e[-1] == ',')
			e--;
		u = g_strndup(p, (gsize)(e - p));
		add_link(h, u, where_of(h, W_SRCSET));
		g_free(u);
		p = e;
		while (*p != '\0' && *p != ',')
			p++;
	}
}

/* <meta http-equiv="refresh" content="0; url='http://...'"> */
static void
add_refresh(struct hx *h, const char *c)
{
	const char	*p = c;
	char		*u;
	size_t		 n;

	while (g_ascii_isdigit(*p) || *p == '.' || is_space(*p))
		p++;
	if (*p == ';' || *p == ',')
		p++;
	while (is_space(*p))
		p++;
	if (g_ascii_strncasecmp(p, "url", 3) == 0) {
		const char	*q = p + 3;

		while (is_space(*q))
			q++;
		if (*q == '=') {
			p = q + 1;
			while (is_space(*p))
				p++;
		}
	}
	if (*p == '\'' || *p == '"') {
		const char	*e = strchr(p + 1, *p);

		n = e != NULL ? (size_t)(e - p - 1) : strlen(p + 1);
		p++;
	} else
		n = strlen(p);
	u = g_strndup(p, n);
	add_link(h, u, where_of(h, W_REFRESH));
	g_free(u);
}

/* libxml2's HTML parser gives element and attribute names in lower
 * case, so a byte comparison is enough. */
static int
name_is(const xmlChar *n, const char *s)
{
	return n != NULL && n[0] == (xmlChar)s[0] &&
	    strcmp((const char *)n, s) == 0;
}

/* Where a link in attribute 'an' of element 'en' comes from, or -1. */
static int
link_attr(const xmlChar *en, const xmlChar *an, const char *v)
{
	if (name_is(an, "href") || name_is(an, "cite") ||
	    name_is(an, "xlink:href"))
		return W_HREF;
	if (name_is(an, "src") || name_is(an, "data") ||
	    name_is(an, "poster"))
		return name_is(en, "iframe") || name_is(en, "frame") ?
		    W_IFRAME : W_SRC;
	if (name_is(an, "action") || name_is(an, "formaction"))
		return W_ACTION;
	if (name_is(an, "background"))
		return W_BACKGROUND;
	if (strncmp((const char *)an, "data-", 5) == 0 &&
	    (g_ascii_strncasecmp(v, "http", 4) == 0 ||
	    g_ascii_strncasecmp(v, "www.", 4) == 0 ||
	    strncmp(v, "//", 2) == 0))
		return W_DATA;
	return -1;
}

/* A cheap first filter on attribute names before the value is copied. */
static int
attr_wanted(const xmlChar *an)
{
	switch (an[0]) {
	case 'h': case 'c': case 'x': case 's': case 'd': case 'p':
	case 'a': case 'f': case 'b': case 'i':
		return 1;
	default:
		return 0;
	}
}

/* Every link-bearing attribute of element 'n'. */
static void
visit_attrs(struct hx *h, xmlNodePtr n)
{
	xmlAttrPtr	 at;
	xmlChar		*v;
	int		 w;

	for (at = n->properties; at != NULL; at = at->next) {
		if (!attr_wanted(at->name))
			continue;
		v = xmlNodeListGetString(h->doc, at->children, 1);
		if (v == NULL)
			continue;
		if ((w = link_attr(n->name, at->name, (char *)v)) >= 0)
			add_link(h, (char *)v, where_of(h, w));
		else if (name_is(at->name, "srcset") ||
		    name_is(at->name, "imagesrcset"))
			add_srcset(h, (char *)v);
		else if (name_is(at->name, "style"))
			add_css(h, (char *)v);
		else if (name_is(at->name, "content") &&
		    name_is(n->name, "meta")) {
			xmlChar	*he = xmlGetProp(n, (const xmlChar *)
			    "http-equiv");

			if (he != NULL && g_ascii_strcasecmp((char *)he,
			    "refresh") == 0)
				add_refresh(h, (char *)v);
			xmlFree(he);
		}
		xmlFree(v);
	}
}

/* Append to the visible text, up to LIMIT_EXTRACT_BYTES. */
static void
text_add(struct hx *h, const char *p, size_t n)
{
	if (h->text_full)
		return;
	if (n > LIMIT_EXTRACT_BYTES - h->text->len) {
		h->text_full = 1;
		h->rc = MS_ELIMIT;
		return;
	}
	g_string_append_len(h->text, p, (gssize)n);
}

/* Elements that break lines in rendered text. */
static int
is_block(const xmlChar *name)
{
	static const char *const blocks[] = { "p", "div", "br", "li", "tr",
	    "td", "th", "h1", "h2", "h3", "h4", "h5", "h6", "table", "ul",
	    "ol", "blockquote", "pre", "hr", "title", "dd", "dt", "form",
	    "section", "article", "header", "footer", "center", "address" };
	size_t	i;

	for (i = 0; i < MS_ARRAY_LEN(blocks); i++)
		if (name_is(name, blocks[i]))
			return 1;
	return 0;
}

/* Pre-order visit; returns 1 when the children should be walked. */
static int
visit(struct hx *h, xmlNodePtr n)
{
	xmlNodePtr	c;

	if (n->type == XML_TEXT_NODE || n->type == XML_CDATA_SECTION_NODE) {
		if (n->content != NULL)
			text_add(h, (const char *)n->content,
			    strlen((const char *)n->content));
		return 0;
	}
	if (n->type != XML_ELEMENT_NODE)
		return 0;
	visit_attrs(h, n);
	if (is_block(n->name))
		text_add(h, "\n", 1);
	if (name_is(n->name, "style")) {
		for (c = n->children; c != NULL; c = c->next)
			if (c->content != NULL)
				add_css(h, (const char *)c->content);
		return 0;
	}
	return !name_is(n->name, "script") && !name_is(n->name, "template");
}

/*
 * Pre-order walk without recursion: down to the children, along to the
 * next sibling, up through the parents.  Hiding links under thousands of
 * unclosed elements is an evasion seen in phishing mail, so every depth
 * is walked; the node count is bounded by LIMIT_EXTRACT_BYTES of input.
 */
static void
walk(struct hx *h, xmlNodePtr root)
{
	xmlNodePtr	n = root;
	size_t		depth = 0;

	while (n != NULL) {
		if (visit(h, n) && n->children != NULL) {
			n = n->children;
			depth++;
			continue;
		}
		while (n != NULL && n->next == NULL) {
			if (depth == 0) {
				n = NULL;
				break;
			}
			n = n->parent;
			depth--;
			if (n != NULL && n->type == XML_ELEMENT_NODE &&
			    is_block(n->name))
				text_add(h, "\n", 1);
		}
		if (n != NULL)
			n = n->next;
	}
}

/* The first <base href>, when it is an absolute URL. */
static void
find_base(struct hx *h, xmlNodePtr n, size_t depth)
{
	xmlChar	*v;

	for (; n != NULL && h->base == NULL; n = n->next) {
		if (n->type != XML_ELEMENT_NODE)
			continue;
		if (name_is(n->name, "base") &&
		    (v = xmlGetProp(n, (const xmlChar *)"href")) != NULL) {
			if (has_scheme((char *)v))
				h->base = g_strstrip(g_strdup((char *)v));
			xmlFree(v);
		}
		/* <base> belongs in <head>: a shallow search is enough. */
		if (depth < 3)
			find_base(h, n->children, depth + 1);
	}
}

/* Parse, find <base>, walk, then scan the visible text. */
enum ms_err
extract_html(struct ioc_set *s, const char *html, size_t len,
    const char *where, const char **text, size_t *text_len)
{
	struct hx	 h;
	char		*t;

	if (text != NULL)
		*text = NULL;
	if (text_len != NULL)
		*text_len = 0;
	if (s == NULL)
		return MS_ELIMIT;
	memset(&h, 0, sizeof(h));
	h.s = s;
	h.a = ioc__arena(s);
	h.where = where;
	if (len > LIMIT_EXTRACT_BYTES) {
		len = LIMIT_EXTRACT_BYTES;
		h.rc = MS_ELIMIT;
	}
	/*
	 * XML_PARSE_HUGE lifts libxml2's own depth limit (256), past which it
	 * stops parsing and silently drops the rest of the document: 300
	 * nested <div>s would hide every link after them.  The parser keeps
	 * its stack on the heap and the input is bounded by
	 * LIMIT_EXTRACT_BYTES; our walk has no depth limit either.
	 */
	h.doc = htmlReadMemory(html, (int)len, NULL, "UTF-8",
	    HTML_PARSE_RECOVER | HTML_PARSE_NOERROR | HTML_PARSE_NOWARNING |
	    HTML_PARSE_NONET | HTML_PARSE_COMPACT | XML_PARSE_HUGE);
	if (h.doc == NULL)
		return h.rc;	/* empty or hopeless: nothing to find */
	h.text = g_string_new(NULL);
	find_base(&h, h.doc->children, 0);
	walk(&h, h.doc->children);
	note(&h, extract_text(s, h.text->str, h.text->len,
	    where_of(&h, W_TEXT)));
	if (text != NULL) {
		if ((t = arena_strndup(h.a, h.text->str, h.text->len)) == NULL)
			h.rc = MS_ELIMIT;
		*text = t;
		if (text_len != NULL && t != NULL)
			*text_len = h.text->len;
	}
	g_string_free(h.text, TRUE);
	g_free(h.base);
	xmlFreeDoc(h.doc);
	return h.rc;
}
