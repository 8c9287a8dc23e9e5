/* SPDX-License-Identifier: Apache-2.0 */
/*
 * detect_content.c -- signals in what the email says (UNTRUSTED): the
 * phrase model (credential theft, urgency, payment and bulk-offer
 * language in seven languages, data/phrases.txt), fake replies, hidden
 * recipients, invisible characters, spam words in disguise
 * (data/spamwords.txt), image-only and HTML-only bodies and
 * phishing-simulation headers.  Also builds the casefolded text the
 * other detectors read, and the text an HTML body shows.
 */
#include <string.h>

#include "detect_int.h"
#include "../extract/extract.h"

/* Recipients in To and Cc, and their distinct domains, that make a
 * bulk send. */
#define DETECT_MANY_RCPT	5
#define DETECT_MANY_RCPT_DOMAINS 4

/* A text part shorter than this may be a stub of the HTML one. */
#define DETECT_STUB_TEXT	400

/* Least total weight of a class's distinct phrases for its signal. */
static const int class_min[DETECT_CLASSES] = { 4, 4, 4, 4, 4, 5, 4, 4,
	4 };
static const char *const class_signal[DETECT_CLASSES] = {
	"content_credential_lure", "content_urgency", "content_money_lure",
	"content_bulk_offer", "content_delivery_lure", "content_advance_fee",
	"content_crypto_lure", "content_prize_lure", "content_spam_topic" };

/* The anti-spam test string every filter flags (GTUBE). */
static const char gtube[] =
	"XJS*C4JDBQADN1.NSBN3*2IDNEN*GTUBE-STANDARD-ANTI-UBE-TEST-EMAIL*C.34X";

static int
tag_is(const char *p, const char *end, const char *name)
{
	size_t	n = strlen(name);

	return (size_t)(end - p) > n && g_ascii_strncasecmp(p, name, n) == 0 &&
	    !g_ascii_isalnum(p[n]);
}

/* Skip from '<' past the tag's '>' (or to 'end'). */
static const char *
skip_tag(const char *p, const char *end)
{
	const char	*q = memchr(p, '>', (size_t)(end - p));

	return q ? q + 1 : end;
}

static void
put_char(GString *s, char ch)
{
	if (ch == ' ' && (s->len == 0 || s->str[s->len - 1] == ' '))
		return;
	g_string_append_c(s, ch);
}

static int
name_in(const char *name, size_t n, const char *const *list, size_t len)
{
	size_t	i;

	for (i = 0; i < len; i++)
		if (strlen(list[i]) == n &&
		    g_ascii_strncasecmp(name, list[i], n) == 0)
			return 1;
	return 0;
}

/*
 * Does the tag at 'p' ('<') break words where it stands?  Block and
 * replaced elements do ("a<br>b" reads "a b"); inline ones, elements a
 * browser does not know, comments and processing instructions do not
 * ("pass<span>word</span>" and "V<?x>IAGRA" read as one word, as a
 * browser shows them).  With 'strict', the known inline elements break
 * words too: what is left joining them is markup no editor writes.
 */
static int
tag_breaks(const char *p, const char *end, int strict)
{
	static const char *const blocks[] = {
		"address", "article", "aside", "blockquote", "body", "br",
		"button", "caption", "center", "dd", "div", "dl", "dt",
		"fieldset", "figure", "footer", "form", "h1", "h2", "h3",
		"h4", "h5", "h6", "header", "hr", "html", "iframe", "img",
		"input", "li", "main", "nav", "ol", "option", "p", "pre",
		"section", "select", "table", "tbody", "td", "textarea",
		"tfoot", "th", "thead", "tr", "ul",
	};
	static const char *const inlines[] = {
		"a", "abbr", "b", "bdi", "bdo", "big", "cite", "code", "del",
		"dfn", "em", "font", "i", "ins", "kbd", "label", "mark",
		"o:p", "q", "s", "samp", "small", "span", "strike",
		"strong", "sub", "sup", "time", "tt", "u", "var", "wbr",
	};
	const char	*q = p + 1;
	size_t		 n = 0;

	if (q < end && *q == '/')
		q++;
	while (q + n < end && n < 16 && (g_ascii_isalnum(q[n]) ||
	    q[n] == ':'))
		n++;
	if (n == 0)
		return 0;
	return name_in(q, n, blocks, G_N_ELEMENTS(blocks)) || (strict &&
	    name_in(q, n, inlines, G_N_ELEMENTS(inlines)));
}

/* "&#118;" or "&#x76;" at 'p': its character into 's' (a blank for a
 * space, a control or no character at all), returns the next byte;
 * NULL if 'p' holds no numeric entity. */
static const char *
numeric_entity(GString *s, const char *p, const char *end)
{
	const char	*q = p + 2;
	gunichar	 ch = 0;
	int		 hex, digits = 0;

	if (end - p < 4 || p[1] != '#')
		return NULL;
	if ((hex = (*q == 'x' || *q == 'X')))
		q++;
	for (; q < end && digits < 8 && (hex ? g_ascii_isxdigit(*q) :
	    g_ascii_isdigit(*q)); q++, digits++)
		ch = ch * (hex ? 16 : 10) + (gunichar)(hex ?
		    g_ascii_xdigit_value(*q) : g_ascii_digit_value(*q));
	if (digits == 0 || q >= end || *q != ';')
		return NULL;
	if (ch < 0x20 || ch == 0x7f || !g_unichar_validate(ch) ||
	    g_unichar_isspace(ch))
		put_char(s, ' ');
	else
		g_string_append_unichar(s, ch);
	return q + 1;
}

/* One entity at 'p' ('&'): its text into 's', returns the next byte. */
static const char *
entity(GString *s, const char *p, const char *end)
{
	static const struct { const char *name; const char *text; } ents[] = {
		{ "&nbsp;", " " }, { "&amp;", "&" }, { "&lt;", "<" },
		{ "&gt;", ">" }, { "&quot;", "\"" }, { "&apos;", "'" },
		{ "&zwnj;", "\xe2\x80\x8c" }, { "&zwj;", "\xe2\x80\x8d" },
		{ "&shy;", "\xc2\xad" },
	};
	const char	*q;
	size_t		 i, n;

	if ((q = numeric_entity(s, p, end)) != NULL)
		return q;
	for (i = 0; i < G_N_ELEMENTS(ents); i++) {
		n = strlen(ents[i].name);
		if ((size_t)(end - p) >= n &&
		    g_ascii_strncasecmp(p, ents[i].name, n) == 0) {
			if (ents[i].text[0] == ' ')
				put_char(s, ' ');
			else
				g_string_append(s, ents[i].text);
			return p + n;
		}
	}
	g_string_append_c(s, '&');
	return p + 1;
}

static char *
html_text(struct arena *a, const char *html, size_t n, size_t *outlen,
    int strict)
{
	const char	*p = html, *end = html + MIN(n, DETECT_HTML_MAX);
	const char	*close;
	GString		*s = g_string_sized_new(MIN(n, 4096));
	char		*out;
	int		 brk;

	while (p < end) {
		if (*p == '<') {
			brk = tag_breaks(p, end, strict);
			close = NULL;
			if (tag_is(p + 1, end, "script"))
				close = "</script";
			else if (tag_is(p + 1, end, "style"))
				close = "</style";
			else if (tag_is(p + 1, end, "head"))
				close = "</head";
			else if (tag_is(p + 1, end, "title"))
				close = "</title";
			else if (p + 4 <= end && strncmp(p, "<!--", 4) == 0)
				close = "-->";
			if (close != NULL) {
				/* A comment joins; the others end words. */
				brk = close[0] != '-';
				p = detect__memcasemem(p + 1, (size_t)(end -
				    p - 1), close);
				if (p == NULL)
					break;
			}
			p = skip_tag(p, end);
			if (brk)
				put_char(s, ' ');
		} else if (*p == '&') {
			p = entity(s, p, end);
		} else {
			put_char(s, *p == '\n' || *p == '\r' || *p == '\t' ?
			    ' ' : *p);
			p++;
		}
	}
	out = arena_strndup(a, s->str, s->len);
	*outlen = out ? s->len : 0;
	g_string_free(s, TRUE);
	return out;
}

char *
detect__html_text(struct arena *a, const char *html, size_t n,
    size_t *outlen)
{
	return html_text(a, html, n, outlen, 0);
}

/* Casefolded subject and visible text, blanks collapsed, bounded. */
static void
build_text(struct detect_ctx *c)
{
	const struct mail_email	*e = c->e;
	GString			*s = g_string_new(NULL);
	char			*fold;
	size_t			 i, n;

	if (e->html != NULL)
		c->html_text = detect__html_text(c->a, e->html, e->html_len,
		    &c->html_text_len);
	/* A text part much shorter than the HTML one is often a stub
	 * ("view this email in your browser"): read the HTML then. */
	if (e->text != NULL && e->text_len > 0 && (e->html == NULL ||
	    e->text_len >= DETECT_STUB_TEXT || e->text_len * 8 >=
	    e->html_len)) {
		c->visible = e->text;
		c->visible_len = e->text_len;
	} else if (c->html_text != NULL) {
		c->visible = c->html_text;
		c->visible_len = c->html_text_len;
	}
	if (e->subject != NULL)
		g_string_append(s, e->subject);
	g_string_append_c(s, ' ');
	if (c->visible != NULL)
		g_string_append_len(s, c->visible, (gssize)MIN(c->visible_len,
		    DETECT_TEXT_MAX));
	/* The HTML too, when the text part is another text: what the
	 * reader sees is the HTML. */
	if (c->html_text != NULL && c->visible != c->html_text &&
	    s->len < DETECT_TEXT_MAX) {
		g_string_append_c(s, ' ');
		g_string_append_len(s, c->html_text, (gssize)MIN(
		    c->html_text_len, DETECT_TEXT_MAX - s->len));
	}
	/* Casefolding wants valid UTF-8; the mail module gives it, but a
	 * cut may have split a character. */
	fold = g_utf8_make_valid(s->str, (gssize)s->len);
	g_string_free(s, TRUE);
	s = g_string_new(NULL);
	{
		char *f2 = g_utf8_casefold(fold, -1);

		n = strlen(f2);
		for (i = 0; i < n; i++)
			put_char(s, g_ascii_isspace(f2[i]) ? ' ' : f2[i]);
		g_free(f2);
	}
	g_free(fold);
	c->text = arena_strndup(c->a, s->str, s->len);
	c->text_len = c->text ? s->len : 0;
	g_string_free(s, TRUE);
}

static int
word_byte(unsigned char ch)
{
	return g_ascii_isalnum(ch) || ch >= 0x80;
}

/* Each distinct phrase of the model found in c->text, by class. */
static void
phrases(struct detect_ctx *c)
{
	const char		*t = c->text, *end;
	GHashTable		*seen;
	GPtrArray		*bucket;
	struct detect_phrase	*ph;
	char			 word[64];
	size_t			 i, n, k;

	if (t == NULL || c->d->phrases == NULL)
		return;
	end = t + c->text_len;
	seen = g_hash_table_new(g_direct_hash, g_direct_equal);
	for (i = 0; t + i < end; ) {
		if (!word_byte((unsigned char)t[i])) {
			i++;
			continue;
		}
		for (n = 0; t + i + n < end && word_byte((unsigned char)
		    t[i + n]); n++)
			;
		if (n < sizeof(word)) {
			memcpy(word, t + i, n);
			word[n] = '\0';
			bucket = g_hash_table_lookup(c->d->phrases, word);
			for (k = 0; bucket != NULL && k < bucket->len; k++) {
				ph = bucket->pdata[k];
				if ((size_t)(end - (t + i)) < ph->len ||
				    memcmp(t + i, ph->text, ph->len) != 0 ||
				    (t + i + ph->len < end && word_byte(
				    (unsigned char)t[i + ph->len]) &&
				    word_byte((unsigned char)ph->text[ph->len -
				    1])) || g_hash_table_contains(seen, ph))
					continue;
				g_hash_table_add(seen, ph);
				c->cls[ph->cls] += ph->weight;
				c->cls_ev[ph->cls] = c->cls_ev[ph->cls] ?
				    arena_printf(c->a, "%s, \"%s\"",
				    c->cls_ev[ph->cls], ph->text) :
				    arena_printf(c->a, "\"%s\"", ph->text);
			}
		}
		i += n;
	}
	g_hash_table_destroy(seen);
	for (k = 0; k < DETECT_CLASSES; k++)
		if (c->cls[k] >= class_min[k])
			detect__add(c, class_signal[k], NULL, "%s",
			    c->cls_ev[k]);
}

static int
reply_prefix(const char *s)
{
	static const char *const pre[] = { "re:", "re :", "aw:", "sv:",
	    "antw:", "rif:", "r:", "res:", "ref:" };
	size_t	i;

	while (s != NULL && g_ascii_isspace(*s))
		s++;
	for (i = 0; s != NULL && i < G_N_ELEMENTS(pre); i++)
		if (g_ascii_strncasecmp(s, pre[i], strlen(pre[i])) == 0)
			return 1;
	return 0;
}

static int
forward_prefix(const char *s)
{
	static const char *const pre[] = { "fw:", "fwd:", "tr:", "wg:",
	    "rv:", "enc:", "i:", "doorst:" };
	size_t	i;

	while (s != NULL && g_ascii_isspace(*s))
		s++;
	for (i = 0; s != NULL && i < G_N_ELEMENTS(pre); i++)
		if (g_ascii_strncasecmp(s, pre[i], strlen(pre[i])) == 0)
			return 1;
	return 0;
}

/* A quoted header block ("From: ... Sent: ... Subject: ...") in the
 * first part of the text, in English, French, German or Spanish. */
static const char *
quoted_block(const struct detect_ctx *c)
{
	static const char *const from[] = { "from:", "de :", "de:",
	    "von:" };
	static const char *const sent[] = { "sent:", "envoyé :",
	    "envoyé:", "gesendet:", "enviado:" };
	const char	*p;
	size_t		 i, k, n;

	if (c->text == NULL)
		return NULL;
	n = MIN(c->text_len, 4096);
	for (i = 0; i < G_N_ELEMENTS(from); i++) {
		if ((p = detect__memcasemem(c->text, n, from[i])) == NULL)
			continue;
		for (k = 0; k < G_N_ELEMENTS(sent); k++)
			if (detect__memcasemem(p, MIN(300, (size_t)(c->text +
			    n - p)), sent[k]) != NULL)
				return p;
	}
	return NULL;
}

/* A reply, or a quoted thread, with no thread behind it: the history
 * of a conversation that never happened lends a request credibility. */
static void
fake_reply(struct detect_ctx *c)
{
	const struct mail_email	*e = c->e;

	const struct mail_email	*r = c->an->reporter;

	/* forward.c takes a "Forwarded message" block for an inline
	 * forward whatever the subject (a bare From:/Sent: block only
	 * under a forward's); one whose subject is no forward's and that
	 * starts no thread is a fake thread, whoever "reported" it. */
	if (r != NULL) {
		if (c->an->report_method != NULL && strcmp(
		    c->an->report_method, "inline") == 0 &&
		    !forward_prefix(r->subject) && r->in_reply_to == NULL &&
		    r->references.n == 0)
			detect__add(c, "content_fake_reply", NULL, "a quoted "
			    "From:/Sent: block under \"%s\", not a forward",
			    r->subject ? r->subject : "");
		return;
	}
	if (e->in_reply_to != NULL || e->references.n > 0)
		return;
	if (reply_prefix(e->subject))
		detect__add(c, "content_fake_reply", NULL, "Subject: %s",
		    e->subject);
	else if (!forward_prefix(e->subject) && quoted_block(c) != NULL)
		detect__add(c, "content_fake_reply", NULL, "a quoted From:/"
		    "Sent: block, no In-Reply-To or References");
}

/* Registrable domain of an address, lower case, in 'a' (or NULL). */
static const char *
domain_of(struct arena *a, const struct mail_addr *ad)
{
	const char	*at, *reg;
	char		*h;

	if (ad == NULL || ad->addr == NULL || (at = strrchr(ad->addr, '@')) ==
	    NULL || (h = detect__lower(a, at + 1)) == NULL)
		return NULL;
	reg = extract_registrable(h);
	return reg ? reg : h;
}

/* One email to many unrelated people in To and Cc: a bulk send that
 * did not even hide its list. */
static void
many_recipients(struct detect_ctx *c)
{
	const struct mail_email	*e = c->e;
	GHashTable		*doms;
	const char		*d;
	size_t			 i, n = e->to.n + e->cc.n;

	if (n < DETECT_MANY_RCPT || c->an->reporter != NULL)
		return;
	doms = g_hash_table_new(g_str_hash, g_str_equal);
	for (i = 0; i < n && i < 200; i++)
		if ((d = domain_of(c->a, i < e->to.n ? e->to.v[i] :
		    e->cc.v[i - e->to.n])) != NULL)
			g_hash_table_add(doms, (gpointer)d);
	if (g_hash_table_size(doms) >= DETECT_MANY_RCPT_DOMAINS)
		detect__add(c, "content_many_recipients", NULL, "%zu "
		    "recipients in %u domains", n, g_hash_table_size(doms));
	g_hash_table_destroy(doms);
}

static void
undisclosed(struct detect_ctx *c)
{
	const struct mail_email	*e = c->e;
	const struct mail_addr	*t;
	size_t			 i;

	if (c->an->reporter != NULL)
		return;		/* a forwarded email's To is rebuilt */
	if (e->to.n == 0 && e->cc.n == 0) {
		detect__add(c, "content_undisclosed_recipients", NULL,
		    "no To or Cc address");
		return;
	}
	for (i = 0; i < e->to.n; i++) {
		t = e->to.v[i];
		if ((t->name && detect__memcasemem(t->name, strlen(t->name),
		    "undisclosed")) || (t->addr && detect__memcasemem(t->addr,
		    strlen(t->addr), "undisclosed"))) {
			detect__add(c, "content_undisclosed_recipients", NULL,
			    "To: %s", t->name ? t->name : t->addr);
			return;
		}
	}
}

/* Zero-width and invisible format characters in 'p'. */
static size_t
invisible(const char *p, size_t n)
{
	const unsigned char	*u = (const unsigned char *)p;
	size_t			 i, k = 0;

	n = MIN(n, DETECT_HTML_MAX);
	for (i = 0; i + 2 < n; i++) {
		if (u[i] == 0xe2 && u[i + 1] == 0x80 && u[i + 2] >= 0x8b &&
		    u[i + 2] <= 0x8f)
			k++;	/* U+200B..U+200F */
		else if (u[i] == 0xe2 && u[i + 1] == 0x81 && u[i + 2] >= 0xa0 &&
		    u[i + 2] <= 0xa4)
			k++;	/* U+2060..U+2064 */
		else if (u[i] == 0xef && u[i + 1] == 0xbb && u[i + 2] == 0xbf &&
		    i > 0)
			k++;	/* U+FEFF not as a BOM */
		else if (u[i] == 0xc2 && u[i + 1] == 0xad && i > 0 &&
		    g_ascii_isalpha(u[i - 1]) && g_ascii_isalpha(u[i + 2]))
			k++;	/* soft hyphen inside an ASCII word (not the
				   0xAD of 8-bit text read as Latin-1) */
		else if (u[i] == 0xcd && u[i + 1] == 0x8f)
			k++;	/* U+034F combining grapheme joiner */
		else if (u[i] == 0xef && u[i + 1] == 0xb8 && u[i + 2] >= 0x80 &&
		    u[i + 2] <= 0x8f && i > 0 && u[i - 1] < 0x80)
			k++;	/* variation selector after ASCII */
		else if (u[i] == 0xf3 && u[i + 1] == 0xa0 && i + 3 < n)
			k++;	/* U+E0000..U+E0FFF tags, selectors */
		else if (u[i] == 0xe1 && u[i + 1] == 0xa0 && u[i + 2] == 0x8e)
			k++;	/* U+180E Mongolian vowel separator */
	}
	return k;
}

static void
invisible_chars(struct detect_ctx *c)
{
	const struct mail_email	*e = c->e;
	size_t			 ns, nb;

	ns = e->subject ? invisible(e->subject, strlen(e->subject)) : 0;
	if (e->from != NULL && e->from->name != NULL)
		ns += invisible(e->from->name, strlen(e->from->name));
	nb = c->visible ? invisible(c->visible, c->visible_len) : 0;
	if (ns > 0 || nb >= 3)
		detect__add(c, "content_invisible_chars", NULL, "%zu in the "
		    "subject and sender name, %zu in the body", ns, nb);
}

static void
body_shape(struct detect_ctx *c)
{
	const struct mail_email	*e = c->e;
	size_t			 i, letters = 0;

	/* A text part of blanks only ("\n") is no text part. */
	for (i = 0; e->text != NULL && i < e->text_len; i++)
		if (!g_ascii_isspace(e->text[i]))
			break;
	if (e->html == NULL || (e->text != NULL && i < e->text_len) ||
	    c->an->reporter != NULL)
		return;
	detect__add(c, "content_html_only", NULL, "%zu bytes of HTML",
	    e->html_len);
	for (i = 0; c->visible != NULL && i < c->visible_len; i++)
		if (g_ascii_isalpha(c->visible[i]) ||
		    (unsigned char)c->visible[i] >= 0x80)
			letters++;
	if (letters < 40 && detect__memcasemem(e->html, MIN(e->html_len,
	    DETECT_HTML_MAX), "<img") != NULL)
		detect__add(c, "content_image_only", NULL, "%zu letters of "
		    "text beside the images", letters);
}

static void
simulation(struct detect_ctx *c)
{
	const struct mail_header	*h;
	const char			*rule, *colon;
	size_t				 i, k, nl;

	for (k = 0; k < c->d->simulation->len; k++) {
		rule = c->d->simulation->pdata[k];
		colon = strchr(rule, ':');
		nl = colon ? (size_t)(colon - rule) : strlen(rule);
		for (i = 0; i < c->e->headers.n; i++) {
			h = c->e->headers.v[i];
			if (strlen(h->name) != nl || g_ascii_strncasecmp(
			    h->name, rule, nl) != 0)
				continue;
			if (colon != NULL && (h->value == NULL ||
			    detect__memcasemem(h->value, strlen(h->value),
			    colon + 1) == NULL))
				continue;
			c->an->simulation = 1;
			detect__add(c, "content_simulation", NULL, "%s: %s",
			    h->name, h->value ? h->value : "");
			return;
		}
	}
}

/*
 * Filler of random letters that makes each copy of a bulk email differ
 * ("zlYJHtL pllpMeYLpxImtjTJXGp"): words whose case flips back and forth
 * inside them.  Judged over at least 30 words of the visible text.
 */
static void
gibberish(struct detect_ctx *c)
{
	const char	*p = c->visible, *end;
	size_t		 words = 0, odd = 0;
	int		 flips, len;

	if (p == NULL)
		return;
	end = p + MIN(c->visible_len, DETECT_TEXT_MAX);
	while (p < end) {
		while (p < end && !g_ascii_isalpha(*p))
			p++;
		flips = len = 0;
		for (; p < end && g_ascii_isalpha(*p); p++, len++)
			if (len > 0 && g_ascii_islower(p[-1]) &&
			    g_ascii_isupper(*p))
				flips++;
		/* Letters and digits mixed in one token ("nal6kof9u"). */
		for (; p < end && g_ascii_isalnum(*p); p++, len++)
			if (g_ascii_isdigit(*p))
				flips += 2;
		if (len == 0)
			continue;
		words++;
		if (flips >= 2 && len >= 6)
			odd++;
	}
	if (words >= 30 && odd * 10 >= words)
		detect__add(c, "content_gibberish", NULL, "%zu of %zu words",
		    odd, words);
}

/* Letters from the Mathematical Alphanumeric Symbols, fullwidth forms
 * or enclosed alphanumerics ("𝖤𝗑𝗄𝗅𝗎𝗌𝗂𝗏"): text styled to slip past
 * word filters. */
static size_t
styled(const char *s)
{
	const char	*p;
	gunichar	 ch;
	size_t		 n = 0;

	if (s == NULL || !g_utf8_validate(s, -1, NULL))
		return 0;
	for (p = s; *p != '\0'; p = g_utf8_next_char(p)) {
		ch = g_utf8_get_char(p);
		if ((ch >= 0x1d400 && ch <= 0x1d7ff) || (ch >= 0xff21 &&
		    ch <= 0xff5a) || (ch >= 0x2460 && ch <= 0x24ff) ||
		    (ch >= 0x1f130 && ch <= 0x1f189))
			n++;
	}
	return n;
}

/* Letters spaced out ("I T A U", "D P D") so that no word matches:
 * the longest run of one-letter words. */
static int
spaced(const char *s)
{
	const char	*p;
	int		 run = 0, best = 0;

	for (p = s; p != NULL && *p != '\0'; p++) {
		if (g_ascii_isalpha(*p) && (p == s || p[-1] == ' ') &&
		    (p[1] == ' ' || p[1] == '\0'))
			best = MAX(best, ++run);
		else if (*p != ' ')
			run = 0;
	}
	return best;
}

static void
styled_letters(struct detect_ctx *c)
{
	const struct mail_email	*e = c->e;
	const char		*name = e->from ? e->from->name : NULL;
	size_t			 n;

	n = styled(e->subject) + styled(name);
	if (n >= 3)
		detect__add(c, "content_styled_letters", NULL, "%zu styled "
		    "letters in the subject or sender name", n);
	else if (spaced(e->subject) >= 3 || spaced(name) >= 3)
		detect__add(c, "content_styled_letters", NULL, "letters "
		    "spaced out: %s", spaced(name) >= 3 ? name : e->subject);
}

/* "Hello jane@example.org": the greeting knows only the address. */
static void
address_greeting(struct detect_ctx *c)
{
	const struct mail_addr	*t;
	size_t			 n;

	if (c->e->to.n != 1 || c->an->reporter != NULL)
		return;
	t = c->e->to.v[0];
	if (t->addr == NULL || strlen(t->addr) < 6)
		return;
	n = c->visible ? MIN(c->visible_len, 300) : 0;
	if ((n > 0 && detect__memcasemem(c->visible, n, t->addr) != NULL) ||
	    (c->e->subject != NULL && detect__memcasemem(c->e->subject,
	    strlen(c->e->subject), t->addr) != NULL))
		detect__add(c, "content_address_greeting", NULL, "%s",
		    t->addr);
}

/* Text sized to be invisible (font-size 0 or 1px), repeatedly: filler
 * that only filters read.  A single hidden preheader is common in
 * newsletters and does not count. */
static void
hidden_text(struct detect_ctx *c)
{
	static const char *const pat[] = { "font-size:0", "font-size: 0",
	    "font-size:1px", "font-size: 1px", "font-size:0px",
	    "font-size: 0px" };
	const char	*h = c->e->html, *p, *end;
	size_t		 i, n = 0;

	if (h == NULL)
		return;
	end = h + MIN(c->e->html_len, DETECT_HTML_MAX);
	for (i = 0; i < G_N_ELEMENTS(pat); i++)
		for (p = h; p < end && (p = detect__memcasemem(p,
		    (size_t)(end - p), pat[i])) != NULL; p++)
			if (!g_ascii_isdigit(p[strlen(pat[i])]) &&
			    p[strlen(pat[i])] != '.')
				n++;
	if (n >= 3)
		detect__add(c, "content_hidden_text", NULL, "%zu blocks of "
		    "invisible text", n);
}

/* Add the first DETECT_ALT_WORDS words (3+ letters, lower case) of
 * 'p' to 'set', or count those in it. */
#define DETECT_ALT_WORDS	300

static size_t
words(struct arena *a, const char *p, size_t n, GHashTable *set, int add,
    size_t *total)
{
	const char	*end = p + MIN(n, DETECT_TEXT_MAX), *w;
	char		*word;
	size_t		 k = 0, hits = 0;

	while (p < end && k < DETECT_ALT_WORDS) {
		while (p < end && !g_ascii_isalpha(*p))
			p++;
		for (w = p; p < end && g_ascii_isalpha(*p); p++)
			;
		if (p - w < 3)
			continue;
		if ((word = detect__lower(a, arena_strndup(a, w, (size_t)(p -
		    w)))) == NULL)
			break;
		k++;
		if (add)
			g_hash_table_add(set, word);
		else
			hits += g_hash_table_contains(set, word);
	}
	*total = k;
	return hits;
}

/*
 * The two forms of a multipart/alternative body say different things: a
 * harmless text part for filters beside the HTML that people read.
 */
static void
alternative_mismatch(struct detect_ctx *c)
{
	const struct mail_email	*e = c->e;
	GHashTable		*set;
	size_t			 nt, nh, hits;

	if (e->text == NULL || c->html_text == NULL || c->visible ==
	    c->html_text || e->text_len < 200 || c->html_text_len < 200)
		return;
	set = g_hash_table_new(g_str_hash, g_str_equal);
	(void)words(c->a, e->text, e->text_len, set, 1, &nt);
	hits = words(c->a, c->html_text, c->html_text_len, set, 0, &nh);
	g_hash_table_destroy(set);
	if (nt >= 30 && nh >= 30 && hits * 5 < nh)
		detect__add(c, "content_alternative_mismatch", NULL, "%zu of "
		    "%zu HTML words in the text part", hits, nh);
}

/* A telephone number: 10 to 15 digits with the usual separators. */
static int
phone_at(const char *p, const char *end, const char **next)
{
	const char	*q = p;
	int		 digits = 0;

	if (*q == '+')
		q++;
	for (; q < end && (g_ascii_isdigit(*q) || *q == ' ' || *q == '-' ||
	    *q == '.' || *q == '(' || *q == ')'); q++)
		if (g_ascii_isdigit(*q))
			digits++;
	*next = q > p ? q : p + 1;
	return digits >= 10 && digits <= 15;
}

/*
 * Callback phishing: no link, a telephone number to call about a
 * charge, a renewal or a refund, where a person finishes the job.
 */
static void
callback(struct detect_ctx *c)
{
	const char	*p, *end, *next;

	if (c->text == NULL || c->cls[DETECT_MONEY] < 4)
		return;
	end = c->text + c->text_len;
	for (p = c->text; p < end; p = next) {
		if ((*p != '+' && !g_ascii_isdigit(*p)) || (p > c->text &&
		    g_ascii_isalnum(p[-1]))) {
			next = p + 1;
			continue;
		}
		if (phone_at(p, end, &next)) {
			detect__add(c, "content_callback", NULL, "%.*s beside "
			    "%s", (int)MIN(next - p, 24), p,
			    c->cls_ev[DETECT_MONEY]);
			return;
		}
	}
}

/* Only a file: no text to speak of beside an attachment. */
static void
attachment_only(struct detect_ctx *c)
{
	const struct attachment	*at;
	size_t			 i, letters = 0;

	if (c->an->reporter != NULL)
		return;
	for (i = 0; c->visible != NULL && i < c->visible_len; i++)
		if (g_ascii_isalpha(c->visible[i]) ||
		    (unsigned char)c->visible[i] >= 0x80)
			letters++;
	if (letters >= 20)
		return;
	for (i = 0; i < c->an->attachments.n; i++) {
		at = c->an->attachments.v[i];
		if (!at->is_email && at->file_name != NULL &&
		    !g_str_has_prefix(at->detected_type, "image/")) {
			detect__add(c, "content_attachment_only", NULL,
			    "%zu letters of text beside %s", letters,
			    at->file_name);
			return;
		}
	}
}

static void
gtube_test(struct detect_ctx *c)
{
	const struct mail_email	*e = c->e;
	const struct attachment	*at;
	size_t			 i;

	for (i = 0; i < c->an->attachments.n; i++) {
		at = c->an->attachments.v[i];
		if (at->data != NULL && memmem(at->data, MIN(at->size,
		    DETECT_HTML_MAX), gtube, sizeof(gtube) - 1) != NULL) {
			detect__add(c, "content_gtube", at->path, "the GTUBE "
			    "test string");
			return;
		}
	}

	if ((e->text != NULL && memmem(e->text, MIN(e->text_len,
	    DETECT_HTML_MAX), gtube, sizeof(gtube) - 1) != NULL) ||
	    (e->html != NULL && memmem(e->html, MIN(e->html_len,
	    DETECT_HTML_MAX), gtube, sizeof(gtube) - 1) != NULL))
		detect__add(c, "content_gtube", NULL, "the GTUBE test string");
}

/* Look-alike letters in the subject or the sender's name ("Amаzon" with
 * a Cyrillic a). */
static void
mixed_words(struct detect_ctx *c)
{
	const struct mail_email	*e = c->e;
	int			 mixed = 0;

	if (e->subject != NULL)
		(void)detect__skeleton(c->a, e->subject, NULL, &mixed);
	if (mixed) {
		detect__add(c, "mixed_script", NULL, "Subject: %s",
		    e->subject);
		return;
	}
	if (e->from != NULL && e->from->name != NULL)
		(void)detect__skeleton(c->a, e->from->name, NULL, &mixed);
	if (mixed)
		detect__add(c, "mixed_script", NULL, "From: %s",
		    e->from->name);
}

/* Invisible characters between two letters: words broken up to slip
 * past word filters ("H‌el‌lo"). */
static void
broken_words(struct detect_ctx *c)
{
	const unsigned char	*u = (const unsigned char *)c->visible;
	size_t			 i, n, k = 0, len;

	if (u == NULL)
		return;
	n = MIN(c->visible_len, DETECT_TEXT_MAX);
	for (i = 1; i < n; i++) {
		if (!g_ascii_isalpha(u[i - 1]))
			continue;
		len = invisible((const char *)u + i, MIN(n - i, 3));
		if (len == 0 || (u[i] != 0xe2 && u[i] != 0xc2 &&
		    u[i] != 0xef && u[i] != 0xcd))
			continue;
		/* The run of invisible characters, then a letter. */
		while (i + 3 <= n && invisible((const char *)u + i,
		    MIN(n - i, 3)) > 0)
			i += u[i] == 0xc2 || u[i] == 0xcd ? 2 : 3;
		if (i < n && g_ascii_isalpha(u[i]))
			k++;
	}
	if (k >= 10)
		detect__add(c, "content_broken_words", NULL, "%zu words "
		    "broken by invisible characters", k);
}

/* Does 'ch' stand for 'letter' in a disguised word ("v1agra", "c@sh")?
 * Sets *odd when it is not the letter itself. */
static int
stands_for(unsigned char ch, char letter, int *odd)
{
	static const struct { char ch; const char *letters; } leet[] = {
		{ '0', "o" }, { '1', "il" }, { '|', "il" }, { '!', "i" },
		{ '3', "e" }, { '4', "a" }, { '@', "a" }, { '5', "s" },
		{ '$', "s" }, { '7', "t" },
	};
	size_t	i;

	if (ch == (unsigned char)letter)
		return 1;
	for (i = 0; i < G_N_ELEMENTS(leet); i++)
		if (ch == (unsigned char)leet[i].ch &&
		    strchr(leet[i].letters, letter) != NULL) {
			*odd = 1;
			return 1;
		}
	return 0;
}

static int
word_separator(unsigned char ch)
{
	return ch != '\0' && strchr(".-_*~+'`,/\\", ch) != NULL;
}

/*
 * Is 'w' written at t[i], disguised?  Two ways: letters spaced out one
 * blank apart ("v i a g r a"), or up to three punctuation marks between
 * letters ("via.gra", "c-i-a-l-i-s"); in both, digits and signs may
 * stand for letters ("v1agra").  0 when 'w' is not there, or is written
 * plain.
 */
static int
disguised_at(const char *t, size_t n, size_t i, const char *w, int spaced)
{
	size_t	p = i, k, run, group = 0, next;
	int	odd = 0;

	for (k = 0; w[k] != '\0'; k++, group++) {
		if (k > 0 && spaced) {
			if (p >= n || t[p] != ' ')
				return 0;
			p++;
			odd = 1;
		} else if (k > 0) {
			for (run = 0; p < n && run < 3 &&
			    word_separator((unsigned char)t[p]); run++)
				p++;
			for (next = 0; p + next < n &&
			    g_ascii_isalpha(t[p + next]); next++)
				;
			/* One hyphen between two parts of two letters or
			 * more is how compounds are written ("gift-card",
			 * "log-in"), no disguise. */
			if (run > 0 && !(run == 1 && t[p - 1] == '-' &&
			    group >= 2 && next >= 2))
				odd = 1;
			if (run > 0)
				group = 0;
		}
		if (p >= n || !stands_for((unsigned char)t[p], w[k], &odd))
			return 0;
		p++;
	}
	return odd && (p >= n || !word_byte((unsigned char)t[p]));
}

/* The first spam word standing whole in 't' that 'html' never spells,
 * or NULL. */
static const char *
unspelt_word(const GPtrArray *sw, const char *t, size_t n,
    const char *html, size_t html_len)
{
	const char	*w;
	size_t		 i, j, k, len;

	for (i = 0; t != NULL && i < n; i = k + 1) {
		for (k = i; k < n && g_ascii_isalpha(t[k]); k++)
			;
		len = k - i;
		if (len < 4 || (i > 0 && word_byte((unsigned char)t[i - 1])) ||
		    (k < n && word_byte((unsigned char)t[k])))
			continue;
		for (j = 0; j < sw->len; j++) {
			w = sw->pdata[j];
			if (w[0] == g_ascii_tolower(t[i]) && strlen(w) == len &&
			    g_ascii_strncasecmp(t + i, w, len) == 0 &&
			    detect__memcasemem(html, html_len, w) == NULL)
				return w;
		}
	}
	return NULL;
}

/* A spam word the HTML shows whole though its source never spells it:
 * split by comments, processing instructions, made-up tags or
 * character references ("V<!-- -->IAGRA", "&#118;iagra").  A split by
 * <span> or <b> does not count: word processors write those inside
 * words.  NULL if none. */
static const char *
split_by_markup(struct detect_ctx *c)
{
	const struct mail_email	*e = c->e;
	const char		*t;
	size_t			 n;

	if (e->html == NULL || unspelt_word(c->d->spamwords, c->html_text,
	    c->html_text_len, e->html, e->html_len) == NULL)
		return NULL;
	t = html_text(c->a, e->html, e->html_len, &n, 1);
	return unspelt_word(c->d->spamwords, t, n, e->html, e->html_len);
}

/* Spam words disguised so that no word filter knows them. */
static void
disguised_words(struct detect_ctx *c)
{
	const GPtrArray	*sw = c->d->spamwords;
	const char	*t = c->text, *w, *found = NULL;
	size_t		 n = c->text_len, i, j;

	for (i = 0; t != NULL && i < n && found == NULL; i++) {
		if (i > 0 && word_byte((unsigned char)t[i - 1]))
			continue;
		for (j = 0; j < sw->len && found == NULL; j++) {
			w = sw->pdata[j];
			if (w[0] != t[i] && g_ascii_isalpha(t[i]))
				continue;
			if (disguised_at(t, n, i, w, 0) ||
			    disguised_at(t, n, i, w, 1))
				found = w;
		}
	}
	if (found != NULL) {
		detect__add(c, "content_disguised_words", NULL, "\"%s\" "
		    "disguised in the text", found);
		return;
	}
	if ((w = split_by_markup(c)) != NULL)
		detect__add(c, "content_disguised_words", NULL, "\"%s\" "
		    "split by markup in the HTML", w);
}

/*
 * A long random token in the visible text that makes each copy of a bulk
 * email differ ("x08aoxt11c7v7dkd61499y1526907joz1mq..."): 40 or more
 * lower-case letters and digits, a quarter of them digits and a quarter
 * letters past 'f'.  Hex digests (sha256 in a security notice) have no
 * letter past 'f'; base64 and PGP armour mix cases.
 */
static void
random_token(struct detect_ctx *c)
{
	const char	*p = c->visible, *end, *t;
	size_t		 n, digits, high;
	int		 upper;

	if (p == NULL)
		return;
	end = p + MIN(c->visible_len, DETECT_TEXT_MAX);
	while (p < end) {
		if (!g_ascii_isalnum(*p)) {
			p++;
			continue;
		}
		for (t = p, digits = high = 0, upper = 0; p < end &&
		    g_ascii_isalnum(*p); p++) {
			if (g_ascii_isupper(*p))
				upper = 1;
			else if (g_ascii_isdigit(*p))
				digits++;
			else if (*p > 'f')
				high++;
		}
		n = (size_t)(p - t);
		if (!upper && n >= 40 && digits * 4 >= n && high * 4 >= n) {
			detect__add(c, "content_random_token", NULL, "%.*s",
			    (int)MIN(n, 80), t);
			return;
		}
	}
}

/* A free-mail address in the text that is not the sender's, on a money,
 * prize or advance-fee lure: "write to me at ...@gmail.com". */
static void
freemail_contact(struct detect_ctx *c)
{
	const char	*p, *end, *at, *s, *q;
	char		*addr, *host;
	const char	*reg, *rt;

	if (c->visible == NULL || c->cls[DETECT_FRAUD] + c->cls[DETECT_MONEY] +
	    c->cls[DETECT_PRIZE] + c->cls[DETECT_CRYPTO] < 4)
		return;
	rt = c->e->reply_to != NULL ? c->e->reply_to->addr : NULL;
	p = c->visible;
	end = p + MIN(c->visible_len, DETECT_TEXT_MAX);
	while ((at = memchr(p, '@', (size_t)(end - p))) != NULL) {
		p = at + 1;
		for (s = at; s > c->visible && (g_ascii_isalnum(s[-1]) ||
		    strchr("._%+-", s[-1]) != NULL); s--)
			;
		for (q = at + 1; q < end && (g_ascii_isalnum(*q) ||
		    *q == '.' || *q == '-'); q++)
			;
		while (q > at + 1 && q[-1] == '.')
			q--;
		if (s == at || q == at + 1)
			continue;
		host = detect__lower(c->a, arena_strndup(c->a, at + 1,
		    (size_t)(q - at - 1)));
		if (host == NULL || (reg = extract_registrable(host)) == NULL ||
		    !g_hash_table_contains(c->d->freemail, reg))
			continue;
		addr = detect__lower(c->a, arena_strndup(c->a, s,
		    (size_t)(q - s)));
		if (addr == NULL || (c->from_addr != NULL &&
		    strcmp(addr, c->from_addr) == 0) || (rt != NULL &&
		    g_ascii_strcasecmp(addr, rt) == 0))
			continue;
		detect__add(c, "content_freemail_contact", NULL, "%s, "
		    "from %s", addr, c->from_addr ? c->from_addr :
		    "(no sender)");
		return;
	}
}

/* A recipient's address in the subject ("..., alice@example.org"); not
 * in a bounce, whose subject names the address that failed. */
static void
recipient_in_subject(struct detect_ctx *c)
{
	const struct mail_addr	*r;
	size_t			 i;

	if (c->e->subject == NULL || c->an->reporter != NULL ||
	    (c->from_addr != NULL && (g_str_has_prefix(c->from_addr,
	    "mailer-daemon@") || g_str_has_prefix(c->from_addr,
	    "postmaster@"))))
		return;
	for (i = 0; i < c->e->to.n; i++) {
		r = c->e->to.v[i];
		if (r->addr == NULL || strchr(r->addr, '@') == NULL ||
		    detect__memcasemem(c->e->subject, strlen(c->e->subject),
		    r->addr) == NULL)
			continue;
		detect__add(c, "content_recipient_in_subject", NULL, "%s",
		    r->addr);
		return;
	}
}

/* A subject with its words joined by underscores instead of blanks
 * ("_hurry_up_!_Rewards_have_arrived!_", "Bitcoin__Balance__0.7__BTC");
 * not dots, which URLs and host names have. */
static void
subject_joined(struct detect_ctx *c)
{
	const char	*s = c->e->subject, *p;
	size_t		 joins = 0, blanks = 0;

	if (s == NULL)
		return;
	for (p = s; *p != '\0'; p++) {
		if (*p == ' ')
			blanks++;
		else if (*p == '_' && p > s && (g_ascii_isalnum(p[-1]) ||
		    p[-1] == '!')) {
			/* A run of underscores is one join. */
			while (p[1] == '_')
				p++;
			if (g_ascii_isalnum(p[1]) || p[1] == '!')
				joins++;
		}
	}
	if (joins >= 3 && joins > blanks * 2)
		detect__add(c, "content_subject_joined", NULL, "Subject: %s",
		    s);
}

void
detect__content(struct detect_ctx *c)
{
	build_text(c);
	phrases(c);
	fake_reply(c);
	undisclosed(c);
	many_recipients(c);
	invisible_chars(c);
	broken_words(c);
	disguised_words(c);
	random_token(c);
	freemail_contact(c);
	recipient_in_subject(c);
	subject_joined(c);
	body_shape(c);
	attachment_only(c);
	gibberish(c);
	callback(c);
	alternative_mismatch(c);
	hidden_text(c);
	styled_letters(c);
	address_greeting(c);
	gtube_test(c);
	mixed_words(c);
	simulation(c);
}
