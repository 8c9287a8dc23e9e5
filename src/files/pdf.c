/* SPDX-License-Identifier: Apache-2.0 */
/*
 * pdf.c -- links, active content and images in UNTRUSTED PDFs.
 * Runs in the analysis (worker or CLI); the only code that includes
 * zlib.h.
 *
 * This is a lexer, not a PDF reader.  It walks the raw file once, token
 * by token (names with their #xx escapes decoded, literal and hex
 * strings decoded, keywords), and remembers the names and values that
 * matter: "/URI (string)", "/Type /Page", the flag names of pdf.h, and
 * for the object being read its /Filter and /Subtype.  At each "stream"
 * keyword it finds the data by scanning for "endstream" (a /Length in the
 * file may lie and is never read), then: a stream whose only filter is
 * /DCTDecode is a JPEG and is listed; one whose only filter is
 * /FlateDecode is inflated under LIMIT_PDF_INFLATE_* and its content
 * lexed the same way (object streams, /ObjStm, hide links there); an
 * unfiltered one is lexed as it is.  Streams never nest, so the lexer
 * runs at most two levels deep and never recurses.  An image XObject
 * whose only filter is /FlateDecode, and an inline image (BI ... ID ...
 * EI) in a content stream, are listed with the geometry of their
 * dictionary (/Width, /Height, /BitsPerComponent, /ColorSpace,
 * /Predictor, /ImageMask), and pdf_image_grey() turns their pixels into
 * grey for the QR scanner; the filled rectangles of content streams go
 * to pdf_draw.c, which draws a QR code made of them.  The standard
 * security handler's dictionary and the trailer's /ID go to pdf_crypt.c,
 * which tells whether the file needs a password.  Fonts and other
 * filters are skipped.
 */
#include <limits.h>
#include <stdlib.h>
#include <string.h>

#include <zlib.h>

#include "pdf.h"
#include "pdf_crypt.h"
#include "pdf_draw.h"
#include "../common/limits.h"

/* Longest name kept (the PDF spec's own limit is 127 bytes). */
#define NAME_KEEP	127
/* First inflate buffer: most streams are small. */
#define INFLATE_FIRST	(64u * 1024)

enum tok {
	TOK_EOF, TOK_NAME, TOK_STRING, TOK_WORD, TOK_ARRAY_OPEN,
	TOK_ARRAY_CLOSE, TOK_OTHER
};

/* What the previous name token announces for the next token. */
enum prev { PREV_NONE, PREV_URI, PREV_TYPE, PREV_SUBTYPE, PREV_FILTER,
	PREV_WIDTH, PREV_HEIGHT, PREV_BPC, PREV_COLORSPACE, PREV_PREDICTOR,
	PREV_IMAGEMASK, PREV_ENC_R, PREV_ENC_V, PREV_ENC_LENGTH, PREV_ENC_P,
	PREV_ENC_O, PREV_ENC_U, PREV_ENC_META, PREV_ID };

struct lexer {
	const unsigned char	*p, *end;
	enum tok		 t;
	const unsigned char	*word;		/* TOK_WORD, in the input */
	size_t			 wlen;
	char			 name[NAME_KEEP + 1];	/* TOK_NAME */
	unsigned char		*str;	/* TOK_STRING: the scan's buffer */
	size_t			 slen;	/* decoded length, may pass keep */
};

struct scan {
	struct arena		*a;
	struct pdf_info		*out;
	size_t			*budget;
	enum prev		 prev;
	/* The object being read in the raw file. */
	int			 nfilters, flate, dct, image, font;
	int			 in_filters;
	/* An image's geometry, from its dictionary. */
	unsigned		 width, height, bpc, ncomp, predictor;
	int			 cs_array;
	/* An encryption dictionary's values (/Filter /Standard), the one
	 * kept, and the first string of the trailer's /ID. */
	struct pdf_crypt	 cur, crypt;
	int			 cur_std, have_crypt, id_array;
	unsigned char		 id[32];
	size_t			 idlen;
	size_t			 objects;
	size_t			 pending;	/* string bytes before Tj */
	unsigned char		 str[LIMIT_URL_BYTES + 1];
};

static const struct {
	const char	*name;
	unsigned	 flag;
} flag_names[] = {
	{ "JavaScript", PDF_JAVASCRIPT }, { "JS", PDF_JAVASCRIPT },
	{ "Launch", PDF_LAUNCH }, { "EmbeddedFile", PDF_EMBEDDED_FILE },
	{ "EmbeddedFiles", PDF_EMBEDDED_FILE },
	{ "OpenAction", PDF_OPEN_ACTION }, { "AA", PDF_OPEN_ACTION },
	{ "AcroForm", PDF_ACROFORM }, { "XFA", PDF_XFA },
	{ "SubmitForm", PDF_SUBMIT_FORM },
};

const char *
pdf_flag_name(unsigned flag)
{
	switch (flag) {
	case PDF_JAVASCRIPT:	return "javascript";
	case PDF_LAUNCH:	return "launch";
	case PDF_EMBEDDED_FILE:	return "embedded_file";
	case PDF_OPEN_ACTION:	return "open_action";
	case PDF_ACROFORM:	return "acroform";
	case PDF_XFA:		return "xfa";
	case PDF_SUBMIT_FORM:	return "submit_form";
	case PDF_ENCRYPTED:	return "encrypted";
	case PDF_PASSWORD:	return "password";
	default:		return NULL;
	}
}

int
pdf_is_pdf(const void *p, size_t len)
{
	if (p == NULL)
		return 0;
	return memmem(p, len < 1024 ? len : 1024, "%PDF-", 5) != NULL;
}

/* ---- the lexer ------------------------------------------------------ */

static int
is_ws(unsigned char c)
{
	return c == 0 || c == '\t' || c == '\n' || c == '\f' || c == '\r' ||
	    c == ' ';
}

static int
is_delim(unsigned char c)
{
	return strchr("()<>[]{}/%", c) != NULL && c != '\0';
}

static int
hexval(unsigned char c)
{
	if (c >= '0' && c <= '9')
		return c - '0';
	if (c >= 'a' && c <= 'f')
		return c - 'a' + 10;
	if (c >= 'A' && c <= 'F')
		return c - 'A' + 10;
	return -1;
}

/* Keep the first LIMIT_URL_BYTES decoded bytes of a string; count all. */
static void
put(struct lexer *lx, unsigned char c)
{
	if (lx->slen < LIMIT_URL_BYTES)
		lx->str[lx->slen] = c;
	if (lx->slen < SIZE_MAX)
		lx->slen++;
}

/* A name after its '/': "#xx" is the byte xx (PDF 1.2). */
static const unsigned char *
lex_name(struct lexer *lx, const unsigned char *p)
{
	size_t	n = 0;
	int	hi, lo, c;

	while (p < lx->end && !is_ws(*p) && !is_delim(*p)) {
		c = *p++;
		if (c == '#' && lx->end - p >= 2 && (hi = hexval(p[0])) >= 0 &&
		    (lo = hexval(p[1])) >= 0) {
			c = hi << 4 | lo;
			p += 2;
		}
		if (n < NAME_KEEP)
			lx->name[n] = (char)c;
		n++;
	}
	/* A longer name matches nothing we look for. */
	lx->name[n <= NAME_KEEP ? n : 0] = '\0';
	return p;
}

/* An escape after '\' in a literal string; returns the next byte. */
static const unsigned char *
lex_escape(struct lexer *lx, const unsigned char *p)
{
	static const char	from[] = "nrtbf()\\", to[] = "\n\r\t\b\f()\\";
	const char		*k;
	int			 v, i;

	if (p >= lx->end)
		return p;
	if (*p == '\r' || *p == '\n') {		/* line continuation */
		if (*p++ == '\r' && p < lx->end && *p == '\n')
			p++;
		return p;
	}
	if (*p >= '0' && *p <= '7') {
		for (v = 0, i = 0; i < 3 && p < lx->end && *p >= '0' &&
		    *p <= '7'; i++)
			v = v * 8 + (*p++ - '0');
		put(lx, (unsigned char)v);
		return p;
	}
	k = strchr(from, *p);
	put(lx, k != NULL && *p != '\0' ? (unsigned char)to[k - from] : *p);
	return p + 1;
}

/* A literal string after its '(': balanced parentheses, counted. */
static const unsigned char *
lex_string(struct lexer *lx, const unsigned char *p)
{
	size_t	depth = 1;

	lx->slen = 0;
	while (p < lx->end) {
		if (*p == '\\') {
			p = lex_escape(lx, p + 1);
			continue;
		}
		if (*p == '(')
			depth++;
		else if (*p == ')' && --depth == 0)
			return p + 1;
		put(lx, *p++);
	}
	return p;		/* unterminated: the rest of the data */
}

/* A hex string after its '<'; other bytes are ignored, an odd last
 * digit counts as followed by 0. */
static const unsigned char *
lex_hex(struct lexer *lx, const unsigned char *p)
{
	int	v, hi = -1;

	lx->slen = 0;
	for (; p < lx->end && *p != '>'; p++) {
		if ((v = hexval(*p)) < 0)
			continue;
		if (hi < 0)
			hi = v;
		else {
			put(lx, (unsigned char)(hi << 4 | v));
			hi = -1;
		}
	}
	if (hi >= 0)
		put(lx, (unsigned char)(hi << 4));
	return p < lx->end ? p + 1 : p;
}

static enum tok
lex_next(struct lexer *lx)
{
	const unsigned char	*p = lx->p, *e = lx->end;

	for (;;) {
		while (p < e && is_ws(*p))
			p++;
		if (p >= e || *p != '%')
			break;
		while (p < e && *p != '\n' && *p != '\r')
			p++;
	}
	lx->t = TOK_OTHER;
	if (p >= e)
		lx->t = TOK_EOF;
	else if (*p == '/') {
		p = lex_name(lx, p + 1);
		lx->t = TOK_NAME;
	} else if (*p == '(') {
		p = lex_string(lx, p + 1);
		lx->t = TOK_STRING;
	} else if (*p == '<' && e - p >= 2 && p[1] == '<')
		p += 2;
	else if (*p == '<') {
		p = lex_hex(lx, p + 1);
		lx->t = TOK_STRING;
	} else if (*p == '>' && e - p >= 2 && p[1] == '>')
		p += 2;
	else if (*p == '[' || *p == ']') {
		lx->t = *p++ == '[' ? TOK_ARRAY_OPEN : TOK_ARRAY_CLOSE;
	} else if (is_delim(*p))
		p++;
	else {
		lx->word = p;
		while (p < e && !is_ws(*p) && !is_delim(*p))
			p++;
		lx->wlen = (size_t)(p - lx->word);
		lx->t = TOK_WORD;
	}
	lx->p = p;
	return lx->t;
}

static int
word_is(const struct lexer *lx, const char *w)
{
	return lx->wlen == strlen(w) && memcmp(lx->word, w, lx->wlen) == 0;
}

/* ---- what the tokens say -------------------------------------------- */

static void
set_limit(struct scan *s, const char *why)
{
	if (s->out->limit == NULL)
		s->out->limit = why;
}

/* A /URI string: decoded, UTF-16BE with a BOM made ASCII, cut at a NUL,
 * kept once. */
static void
add_uri(struct scan *s, const struct lexer *lx)
{
	struct pdf_info	*o = s->out;
	char		 buf[LIMIT_URL_BYTES + 1], *u;
	size_t		 i, n = 0;

	if (lx->slen == 0 || lx->slen > LIMIT_URL_BYTES)
		return;		/* not a URL we keep */
	if (lx->slen >= 2 && lx->str[0] == 0xfe && lx->str[1] == 0xff) {
		for (i = 3; i < lx->slen; i += 2)
			if (lx->str[i - 1] == 0)
				buf[n++] = (char)lx->str[i];
	} else {
		memcpy(buf, lx->str, lx->slen);
		n = lx->slen;
	}
	buf[n] = '\0';
	if (buf[0] == '\0')
		return;
	for (i = 0; i < o->uris.n; i++)
		if (strcmp(o->uris.v[i], buf) == 0)
			return;
	if (o->uris.n >= LIMIT_PDF_URIS) {
		set_limit(s, "more than LIMIT_PDF_URIS links");
		return;
	}
	if ((u = arena_strdup(s->a, buf)) == NULL ||
	    arena_vec_push(s->a, &o->uris, u) != MS_OK)
		set_limit(s, "the arena is full");
}

/* What the dictionary of the object being read said is forgotten (an
 * encryption dictionary is kept first). */
static void
new_object(struct scan *s)
{
	if (s->cur_std) {
		s->crypt = s->cur;
		s->have_crypt = 1;
	}
	memset(&s->cur, 0, sizeof(s->cur));
	s->cur.length_bits = 40;
	s->cur.encrypt_metadata = 1;
	s->cur_std = 0;
	s->nfilters = s->flate = s->dct = 0;
	s->image = s->font = s->in_filters = 0;
	s->width = s->height = s->bpc = s->ncomp = 0;
	s->predictor = 1;
	s->cs_array = 0;
}

/* A small unsigned decimal ("200"), or 0 for anything else. */
static unsigned
word_uint(const struct lexer *lx)
{
	unsigned	v = 0;
	size_t		i;

	for (i = 0; i < lx->wlen; i++) {
		if (lx->word[i] < '0' || lx->word[i] > '9' || v > 99999999)
			return 0;
		v = v * 10 + (unsigned)(lx->word[i] - '0');
	}
	return v;
}

/* A small signed decimal ("-3904"), or 0 for anything else. */
static int32_t
word_int(const struct lexer *lx)
{
	struct lexer	l = *lx;

	if (lx->wlen > 1 && lx->word[0] == '-') {
		l.word++;
		l.wlen--;
		return -(int32_t)word_uint(&l);
	}
	return (int32_t)word_uint(lx);
}

static void
on_number(struct scan *s, unsigned v)
{
	switch (s->prev) {
	case PREV_WIDTH:	s->width = v; break;
	case PREV_HEIGHT:	s->height = v; break;
	case PREV_BPC:		s->bpc = v; break;
	case PREV_PREDICTOR:	s->predictor = v; break;
	default:		break;
	}
}

/* The components of colour space 'name' (an image's /ColorSpace, or the
 * first name of its array); 0 when the name does not say (ICCBased). */
static unsigned
colour_comps(const char *name)
{
	if (strcmp(name, "DeviceGray") == 0 || strcmp(name, "G") == 0 ||
	    strcmp(name, "CalGray") == 0)
		return 1;
	if (strcmp(name, "DeviceRGB") == 0 || strcmp(name, "RGB") == 0 ||
	    strcmp(name, "CalRGB") == 0)
		return 3;
	if (strcmp(name, "DeviceCMYK") == 0 || strcmp(name, "CMYK") == 0)
		return 4;
	if (strcmp(name, "Indexed") == 0 || strcmp(name, "I") == 0)
		return 1;	/* one index a pixel, read as grey */
	return 0;
}

static void
add_filter(struct scan *s, const char *name)
{
	s->nfilters++;
	if (strcmp(name, "FlateDecode") == 0 || strcmp(name, "Fl") == 0)
		s->flate++;
	else if (strcmp(name, "DCTDecode") == 0 || strcmp(name, "DCT") == 0)
		s->dct++;
}

static void
on_name(struct scan *s, const char *name, int nested)
{
	size_t	i;

	for (i = 0; i < sizeof(flag_names) / sizeof(flag_names[0]); i++)
		if (strcmp(name, flag_names[i].name) == 0)
			s->out->flags |= flag_names[i].flag;
	if (s->prev == PREV_TYPE && strcmp(name, "Page") == 0)
		s->out->pages++;
	if (!nested && s->prev == PREV_SUBTYPE) {
		if (strcmp(name, "Image") == 0)
			s->image = 1;
		else if (strcmp(name, "Type1C") == 0 || strcmp(name,
		    "CIDFontType0C") == 0 || strcmp(name, "OpenType") == 0)
			s->font = 1;
	}
	if (!nested && (s->prev == PREV_FILTER || s->in_filters)) {
		add_filter(s, name);
		if (strcmp(name, "Standard") == 0)
			s->cur_std = 1;
	}
	if (!nested && strcmp(name, "Encrypt") == 0)
		s->out->flags |= PDF_ENCRYPTED;
	if (!nested && (s->prev == PREV_COLORSPACE || s->cs_array)) {
		if (colour_comps(name) > 0)
			s->ncomp = colour_comps(name);
		s->cs_array = 0;
	}
	s->prev = PREV_NONE;
	if (strcmp(name, "URI") == 0)
		s->prev = PREV_URI;
	else if (strcmp(name, "Type") == 0)
		s->prev = PREV_TYPE;
	else if (strcmp(name, "Subtype") == 0)
		s->prev = PREV_SUBTYPE;
	else if (strcmp(name, "Filter") == 0)
		s->prev = PREV_FILTER;
	else if (nested)
		;	/* no image or encryption dictionary in an ObjStm */
	else if (strcmp(name, "Width") == 0)
		s->prev = PREV_WIDTH;
	else if (strcmp(name, "Height") == 0)
		s->prev = PREV_HEIGHT;
	else if (strcmp(name, "BitsPerComponent") == 0)
		s->prev = PREV_BPC;
	else if (strcmp(name, "ColorSpace") == 0)
		s->prev = PREV_COLORSPACE;
	else if (strcmp(name, "Predictor") == 0)
		s->prev = PREV_PREDICTOR;
	else if (strcmp(name, "ImageMask") == 0)
		s->prev = PREV_IMAGEMASK;
	else if (strcmp(name, "R") == 0)
		s->prev = PREV_ENC_R;
	else if (strcmp(name, "V") == 0)
		s->prev = PREV_ENC_V;
	else if (strcmp(name, "Length") == 0)
		s->prev = PREV_ENC_LENGTH;
	else if (strcmp(name, "P") == 0)
		s->prev = PREV_ENC_P;
	else if (strcmp(name, "O") == 0)
		s->prev = PREV_ENC_O;
	else if (strcmp(name, "U") == 0)
		s->prev = PREV_ENC_U;
	else if (strcmp(name, "EncryptMetadata") == 0)
		s->prev = PREV_ENC_META;
	else if (strcmp(name, "ID") == 0)
		s->prev = PREV_ID;
	else if (!nested && strncmp(name, "Length", 6) == 0 &&
	    name[6] >= '1' && name[6] <= '3')
		s->font = 1;	/* /Length1..3: an embedded font program */
}

static int
is_number(const struct lexer *lx)
{
	unsigned char	c = lx->word[0];

	return (c >= '0' && c <= '9') || c == '-' || c == '+' || c == '.';
}

/* A string of the raw file: an encryption dictionary's /O or /U, or
 * the first string of the first /ID. */
static void
crypt_string(struct scan *s, const struct lexer *lx)
{
	size_t	n = lx->slen < LIMIT_URL_BYTES ? lx->slen : LIMIT_URL_BYTES;

	if (s->prev == PREV_ENC_O) {
		s->cur.olen = n < sizeof(s->cur.o) ? n : sizeof(s->cur.o);
		memcpy(s->cur.o, lx->str, s->cur.olen);
	} else if (s->prev == PREV_ENC_U) {
		s->cur.ulen = n < sizeof(s->cur.u) ? n : sizeof(s->cur.u);
		memcpy(s->cur.u, lx->str, s->cur.ulen);
	} else if (s->id_array && s->idlen == 0 && n > 0) {
		s->idlen = n < sizeof(s->id) ? n : sizeof(s->id);
		memcpy(s->id, lx->str, s->idlen);
	}
	s->id_array = 0;	/* the first string only */
}

/* One token of the raw file ('nested' 0) or of a stream's data. */
static void
on_token(struct scan *s, const struct lexer *lx, int nested)
{
	switch (lx->t) {
	case TOK_NAME:
		on_name(s, lx->name, nested);
		return;
	case TOK_STRING:
		if (s->prev == PREV_URI)
			add_uri(s, lx);
		if (!nested)
			crypt_string(s, lx);
		if (nested && SIZE_MAX - s->pending > lx->slen)
			s->pending += lx->slen;
		break;
	case TOK_ARRAY_OPEN:
		if (!nested && s->prev == PREV_FILTER)
			s->in_filters = 1;
		if (!nested && s->prev == PREV_COLORSPACE)
			s->cs_array = 1;
		if (!nested && s->prev == PREV_ID)
			s->id_array = 1;
		break;
	case TOK_ARRAY_CLOSE:
		s->in_filters = 0;
		s->id_array = 0;
		break;
	case TOK_WORD:
		if (!nested && word_is(lx, "obj")) {
			s->objects++;
			new_object(s);
		}
		if (!nested && s->prev >= PREV_WIDTH && s->prev <=
		    PREV_PREDICTOR && is_number(lx))
			on_number(s, word_uint(lx));
		if (!nested && is_number(lx)) {
			if (s->prev == PREV_ENC_R)
				s->cur.r = (int)word_uint(lx);
			else if (s->prev == PREV_ENC_V)
				s->cur.v = (int)word_uint(lx);
			else if (s->prev == PREV_ENC_LENGTH)
				s->cur.length_bits = (int)word_uint(lx);
			else if (s->prev == PREV_ENC_P)
				s->cur.p = word_int(lx);
		}
		if (!nested && s->prev == PREV_ENC_META && word_is(lx, "false"))
			s->cur.encrypt_metadata = 0;
		if (!nested && s->prev == PREV_IMAGEMASK &&
		    word_is(lx, "true")) {
			s->bpc = 1;	/* a stencil: one bit, 0 paints */
			s->ncomp = 1;
		}
		if (!nested || is_number(lx))
			break;
		/* Text-showing operators show the strings before them. */
		if (word_is(lx, "Tj") || word_is(lx, "TJ") ||
		    word_is(lx, "'") || word_is(lx, "\""))
			s->out->text += s->pending;
		s->pending = 0;
		break;
	default:
		break;
	}
	s->prev = PREV_NONE;
}

/* A new image in the output; NULL (a limit set) when there is no room. */
static struct pdf_image *
new_image(struct scan *s)
{
	struct pdf_info		*o = s->out;
	struct pdf_image	*img;

	if (o->images.n >= LIMIT_PDF_IMAGES) {
		set_limit(s, "more than LIMIT_PDF_IMAGES images");
		return NULL;
	}
	if ((img = arena_alloc(s->a, sizeof(*img))) == NULL ||
	    arena_vec_push(s->a, &o->images, img) != MS_OK) {
		set_limit(s, "the arena is full");
		return NULL;
	}
	memset(img, 0, sizeof(*img));
	return img;
}

/* Bytes of 'rows' rows of 'w' pixels of 'ncomp' samples, with a filter
 * byte a row when 'png'. */
static size_t
image_bytes(unsigned w, unsigned h, unsigned ncomp, unsigned bpc, int png)
{
	return (size_t)h * (((size_t)w * ncomp * bpc + 7) / 8 +
	    (png ? 1 : 0));
}

/* A small unsigned number token, or 0. */
static unsigned
token_uint(const struct lexer *lx)
{
	return lx->t == TOK_WORD ? word_uint(lx) : 0;
}

/*
 * An inline image, after "BI": its dictionary's keys in full or short
 * (/W, /H, /BPC, /CS, /F, /DP, /IM), then "ID", one blank, the data and
 * "EI".  Unfiltered data has the length its geometry gives; filtered
 * data ends at the first "EI" between blanks.  The image is listed like
 * a stream's (raw pixels, FlateDecode pixels or a JPEG); the lexer goes
 * on after "EI".
 */
static void
inline_image(struct scan *s, struct lexer *lx)
{
	struct pdf_image	*img;
	const unsigned char	*data, *q, *end = lx->end;
	unsigned char		*copy;
	unsigned		 width = 0, height = 0, bpc = 8, ncomp = 0;
	unsigned		 predictor = 1;
	int			 nfilters = 0, flate = 0, dct = 0, mask = 0;
	char			 key[NAME_KEEP + 1];
	size_t			 len = 0;
	enum tok		 t;

	key[0] = '\0';
	while ((t = lex_next(lx)) != TOK_EOF && !(t == TOK_WORD &&
	    word_is(lx, "ID"))) {
		if (t == TOK_NAME && key[0] == '\0') {
			memcpy(key, lx->name, strlen(lx->name) + 1);
			continue;
		}
		if (t == TOK_NAME && strcmp(key, "Predictor") == 0)
			;		/* a name where a number goes */
		else if (t == TOK_NAME && (strcmp(key, "CS") == 0 ||
		    strcmp(key, "ColorSpace") == 0)) {
			ncomp = colour_comps(lx->name);
		} else if (t == TOK_NAME && (strcmp(key, "F") == 0 ||
		    strcmp(key, "Filter") == 0)) {
			nfilters++;
			flate += strcmp(lx->name, "Fl") == 0 ||
			    strcmp(lx->name, "FlateDecode") == 0;
			dct += strcmp(lx->name, "DCT") == 0 ||
			    strcmp(lx->name, "DCTDecode") == 0;
		} else if (t == TOK_NAME) {
			/* Inside /DP << /Predictor 15 ... >>: a key. */
			memcpy(key, lx->name, strlen(lx->name) + 1);
			continue;
		} else if (strcmp(key, "W") == 0 || strcmp(key, "Width") == 0)
			width = token_uint(lx);
		else if (strcmp(key, "H") == 0 || strcmp(key, "Height") == 0)
			height = token_uint(lx);
		else if (strcmp(key, "BPC") == 0 ||
		    strcmp(key, "BitsPerComponent") == 0)
			bpc = token_uint(lx);
		else if (strcmp(key, "Predictor") == 0)
			predictor = token_uint(lx);
		else if ((strcmp(key, "IM") == 0 || strcmp(key,
		    "ImageMask") == 0) && t == TOK_WORD && word_is(lx, "true"))
			mask = 1;
		else if (t == TOK_ARRAY_OPEN || t == TOK_ARRAY_CLOSE ||
		    t == TOK_OTHER)
			continue;	/* [/Fl] or << ... >>: the key holds */
		key[0] = '\0';
	}
	if (t == TOK_EOF)
		return;
	data = lx->p < end ? lx->p + 1 : end;	/* one blank after ID */
	if (mask) {
		bpc = 1;
		ncomp = 1;
	}
	if (nfilters == 0 && ncomp > 0 && width > 0 && height > 0 &&
	    width <= LIMIT_IMAGE_SIDE && height <= LIMIT_IMAGE_SIDE &&
	    bpc <= 16) {
		len = image_bytes(width, height, ncomp, bpc, 0);
		if (len > (size_t)(end - data))
			len = (size_t)(end - data);
		q = data + len;
	} else {
		for (q = data; (q = memmem(q, (size_t)(end - q), "EI", 2)) !=
		    NULL; q += 2)
			if (q > data && is_ws(q[-1]) && (q + 2 == end ||
			    is_ws(q[2]) || is_delim(q[2])))
				break;
		len = q != NULL ? (size_t)(q - data) : (size_t)(end - data);
		if (q == NULL)
			q = end;
	}
	/* Past "EI" (or to the end when it is missing). */
	lx->p = q;
	if ((q = memmem(q, (size_t)(end - q), "EI", 2)) != NULL)
		lx->p = q + 2;
	if (len == 0 || len > LIMIT_IMAGE_BYTES || nfilters > 1 ||
	    (nfilters == 1 && !flate && !dct) ||
	    (!dct && (width == 0 || height == 0)))
		return;
	/* The stream may be an inflated copy that dies with lex_data(). */
	if ((copy = arena_alloc(s->a, len)) == NULL) {
		set_limit(s, "the arena is full");
		return;
	}
	if ((img = new_image(s)) == NULL)
		return;
	memcpy(copy, data, len);
	img->data = copy;
	img->len = len;
	if (dct)
		return;
	img->flate = 1;
	img->raw = nfilters == 0;
	img->width = width;
	img->height = height;
	img->bpc = bpc;
	img->ncomp = ncomp;
	img->predictor = predictor;
}

/* Lex a stream's data (at most two levels: streams do not nest); its
 * filled rectangles go to pdf_draw.c, and a QR code drawn with them
 * becomes an image. */
static void
lex_data(struct scan *s, const unsigned char *p, size_t n)
{
	struct lexer		 lx;
	struct pdf_draw		*d = pdf_draw_new();
	struct pdf_image	*img;
	unsigned char		*grey;
	unsigned		 w, h;

	memset(&lx, 0, sizeof(lx));
	lx.p = p;
	lx.end = p + n;
	lx.str = s->str;
	while (lex_next(&lx) != TOK_EOF) {
		if (lx.t == TOK_WORD && word_is(&lx, "BI")) {
			inline_image(s, &lx);
			pdf_draw_op(d, NULL, 0);
			continue;
		}
		on_token(s, &lx, 1);
		if (lx.t != TOK_WORD)
			pdf_draw_op(d, NULL, 0);
		else if (is_number(&lx))
			pdf_draw_number(d, lx.word, lx.wlen);
		else
			pdf_draw_op(d, lx.word, lx.wlen);
	}
	s->pending = 0;
	s->prev = PREV_NONE;
	if ((grey = pdf_draw_render(d, s->a, &w, &h)) != NULL &&
	    (img = new_image(s)) != NULL) {
		img->grey = grey;
		img->width = w;
		img->height = h;
		img->bpc = 8;
		img->ncomp = 1;
	}
	pdf_draw_free(d);
}

/* ---- streams -------------------------------------------------------- */

/*
 * Inflate 'n' bytes at 'p' into a heap buffer of at most 'cap' bytes;
 * '*full' says there was more.  A damaged stream gives what came out
 * before the damage.  The caller frees the buffer.
 */
static unsigned char *
inflate_capped(const unsigned char *p, size_t n, size_t cap, size_t *got,
    int *full)
{
	z_stream	 z;
	unsigned char	*buf;
	size_t		 size = cap + 1 < INFLATE_FIRST ? cap + 1 :
			    INFLATE_FIRST;
	int		 zrc;

	*got = 0;
	*full = 0;
	memset(&z, 0, sizeof(z));
	if (inflateInit(&z) != Z_OK)
		return NULL;
	buf = xmalloc(size);
	z.next_in = (unsigned char *)p;		/* zlib does not write it */
	z.avail_in = n > UINT_MAX ? UINT_MAX : (unsigned)n;
	z.next_out = buf;
	z.avail_out = (unsigned)size;
	for (;;) {
		zrc = inflate(&z, Z_NO_FLUSH);
		if (zrc != Z_OK)
			break;		/* the end, damage, or no input */
		if (z.avail_out > 0)
			continue;
		if (size == cap + 1) {	/* one byte past the cap */
			*full = 1;
			break;
		}
		/* Grow geometrically, never past cap + 1. */
		size = size > (cap + 1) / 2 ? cap + 1 : size * 2;
		buf = xrealloc(buf, size);
		z.next_out = buf + z.total_out;
		z.avail_out = (unsigned)(size - z.total_out);
	}
	/* The last byte may also have ended the stream. */
	if (z.total_out > cap)
		*full = 1;
	*got = *full ? cap : z.total_out;
	inflateEnd(&z);
	return buf;
}

static void
inflate_stream(struct scan *s, const unsigned char *p, size_t n)
{
	struct pdf_info	*o = s->out;
	unsigned char	*buf;
	size_t		 cap = LIMIT_PDF_INFLATE_PER_STREAM, got;
	const char	*why = "a stream inflates to more than "
			    "LIMIT_PDF_INFLATE_PER_STREAM bytes";
	int		 full;

	if (cap > LIMIT_PDF_INFLATE_PER_FILE - o->inflated) {
		cap = LIMIT_PDF_INFLATE_PER_FILE - o->inflated;
		why = "the streams inflate to more than "
		    "LIMIT_PDF_INFLATE_PER_FILE bytes";
	}
	if (s->budget != NULL && cap > *s->budget) {
		cap = *s->budget;
		why = "the email's PDFs inflate to more than "
		    "LIMIT_PDF_INFLATE_PER_MSG bytes";
	}
	if (cap == 0) {
		set_limit(s, why);
		o->text_unknown = 1;
		return;
	}
	if ((buf = inflate_capped(p, n, cap, &got, &full)) == NULL)
		return;
	o->inflated += got;
	if (s->budget != NULL)
		*s->budget -= got;
	if (full) {
		set_limit(s, why);
		o->text_unknown = 1;
	}
	lex_data(s, buf, got);
	xfree(buf);
}

/* The data of one stream, given the object's /Filter and /Subtype. */
static void
one_stream(struct scan *s, const unsigned char *p, size_t n)
{
	struct pdf_info		*o = s->out;
	struct pdf_image	*img;

	if (++o->streams > LIMIT_PDF_STREAMS) {
		set_limit(s, "more than LIMIT_PDF_STREAMS streams");
		o->text_unknown = 1;
		return;
	}
	if ((s->nfilters == 1 && s->dct == 1) || (s->image &&
	    s->nfilters == 1 && s->flate == 1 && s->width > 0 &&
	    s->height > 0)) {
		if ((img = new_image(s)) == NULL)
			return;
		img->data = p;
		img->len = n;
		if (s->dct == 1)
			return;
		img->flate = 1;
		img->width = s->width;
		img->height = s->height;
		img->bpc = s->bpc;
		img->ncomp = s->ncomp;
		img->predictor = s->predictor;
		return;
	}
	if (s->image || s->font)
		return;		/* pixels or glyphs: nothing to read */
	if (s->nfilters == 0)
		lex_data(s, p, n);
	else if (s->nfilters == 1 && s->flate == 1)
		inflate_stream(s, p, n);
	else
		o->text_unknown = 1;	/* LZW, ASCII85, chains ... */
}

/* After the "stream" keyword at 'p': find the data by its "endstream"
 * (never by /Length), read it, and return where the lexer goes on. */
static const unsigned char *
stream_at(struct scan *s, const unsigned char *p, const unsigned char *e)
{
	const unsigned char	*start, *end, *next;

	if (p < e && *p == '\r')
		p++;
	if (p < e && *p == '\n')
		p++;
	start = p;
	end = memmem(start, (size_t)(e - start), "endstream", 9);
	if (end == NULL) {
		if (s->out->broken == NULL)
			s->out->broken = "a stream without endstream "
			    "(truncated?)";
		s->out->text_unknown = 1;
		end = next = e;
	} else
		next = end + 9;
	/* The end of line before "endstream" is not data. */
	if (end > start && end[-1] == '\n')
		end--;
	if (end > start && end[-1] == '\r')
		end--;
	one_stream(s, start, (size_t)(end - start));
	/* A stream ends its object: what its dictionary said is spent. */
	new_object(s);
	s->prev = PREV_NONE;
	return next;
}

enum ms_err
pdf_scan(struct arena *a, const void *p, size_t len, size_t *budget,
    struct pdf_info *out)
{
	struct scan		*s;
	struct lexer		 lx;
	const unsigned char	*b = p, *hdr;

	memset(out, 0, sizeof(*out));
	hdr = p != NULL ? memmem(p, len < 1024 ? len : 1024, "%PDF-", 5) :
	    NULL;
	if (hdr == NULL) {
		out->broken = "no %PDF- header in the first 1024 bytes";
		return MS_EPARSE;
	}
	s = xcalloc(1, sizeof(*s));
	new_object(s);
	s->a = a;
	s->out = out;
	s->budget = budget;
	memset(&lx, 0, sizeof(lx));
	lx.p = hdr;
	lx.end = b + len;
	lx.str = s->str;
	while (lex_next(&lx) != TOK_EOF) {
		if (lx.t == TOK_WORD && word_is(&lx, "stream"))
			lx.p = stream_at(s, lx.p, lx.end);
		else
			on_token(s, &lx, 0);
	}
	if (s->objects == 0 && out->broken == NULL)
		out->broken = "no object";
	new_object(s);		/* the last object's dictionary */
	if ((out->flags & PDF_ENCRYPTED) && s->have_crypt) {
		memcpy(s->crypt.id, s->id, s->idlen);
		s->crypt.idlen = s->idlen;
		if (pdf_crypt_opens(&s->crypt) == 0)
			out->flags |= PDF_PASSWORD;
	}
	xfree(s);
	if (out->limit != NULL)
		return MS_ELIMIT;
	return out->broken != NULL ? MS_EPARSE : MS_OK;
}

/* ---- image pixels --------------------------------------------------- */

/* Smallest side worth decoding: a version 1 QR code is 21 modules. */
#define IMAGE_MIN_SIDE	21

static unsigned
paeth(unsigned a, unsigned b, unsigned c)
{
	int	p = (int)a + (int)b - (int)c;
	int	pa = abs(p - (int)a), pb = abs(p - (int)b);
	int	pc = abs(p - (int)c);

	if (pa <= pb && pa <= pc)
		return a;
	return pb <= pc ? b : c;
}

/* Undo PNG predictor 'ft' on one row 'cur' of 'row' bytes, given the
 * row above ('prev', zeros for the first).  'bpp' is the bytes per pixel
 * the filters step back by (at least 1); an unknown type reads as none. */
static void
png_unfilter(unsigned ft, unsigned char *cur, const unsigned char *prev,
    size_t row, size_t bpp)
{
	unsigned	a, b, c;
	size_t		i;

	for (i = 0; i < row && ft >= 1 && ft <= 4; i++) {
		a = i >= bpp ? cur[i - bpp] : 0;
		b = prev[i];
		c = i >= bpp ? prev[i - bpp] : 0;
		if (ft == 1)
			cur[i] = (unsigned char)(cur[i] + a);
		else if (ft == 2)
			cur[i] = (unsigned char)(cur[i] + b);
		else if (ft == 3)
			cur[i] = (unsigned char)(cur[i] + (a + b) / 2);
		else
			cur[i] = (unsigned char)(cur[i] + paeth(a, b, c));
	}
}

/* The next 'n' inflated bytes into 'buf'; once the stream has ended
 * (or is damaged) the rest is 0xff.  Returns the bytes that came from
 * the stream.  With 'raw', the input is copied as it is. */
static size_t
read_inflated(z_stream *z, int raw, int *ended, unsigned char *buf,
    size_t n)
{
	size_t	got;

	if (raw) {
		got = n < z->avail_in ? n : z->avail_in;
		memcpy(buf, z->next_in, got);
		z->next_in += got;
		z->avail_in -= (unsigned)got;
		if (got < n)
			memset(buf + got, 0xff, n - got);
		return got;
	}
	z->next_out = buf;
	z->avail_out = (unsigned)n;
	while (!*ended && z->avail_out > 0)
		if (inflate(z, Z_NO_FLUSH) != Z_OK)
			*ended = 1;	/* the end, damage, or no input */
	got = n - z->avail_out;
	if (got < n)
		memset(buf + got, 0xff, n - got);
	return got;
}

/* How many bytes 'n' bytes at 'p' inflate to, counting no further than
 * just past 'cap'. */
static size_t
inflated_size(const unsigned char *p, size_t n, size_t cap)
{
	unsigned char	 sink[16 * 1024];
	z_stream	 z;
	size_t		 total = 0;
	int		 ended = 0;

	memset(&z, 0, sizeof(z));
	if (inflateInit(&z) != Z_OK)
		return 0;
	z.next_in = (unsigned char *)p;		/* zlib does not write it */
	z.avail_in = n > UINT_MAX ? UINT_MAX : (unsigned)n;
	while (!ended && total <= cap)
		total += read_inflated(&z, 0, &ended, sink, sizeof(sink));
	inflateEnd(&z);
	return total;
}

/* Sample 'k' of a row of 'bpc'-bit samples, stretched to 0-255. */
static unsigned
sample(const unsigned char *rowp, size_t k, unsigned bpc)
{
	size_t		bit;
	unsigned	max, v;

	if (bpc == 8)
		return rowp[k];
	if (bpc == 16)
		return rowp[k * 2];	/* the high byte */
	bit = k * bpc;
	max = (1u << bpc) - 1;
	v = (unsigned)(rowp[bit / 8] >> (8 - bpc - bit % 8)) & max;
	return v * 255 / max;
}

/* One row of 'w' pixels of 'ncomp' 'bpc'-bit samples to grey. */
static void
row_grey(const unsigned char *rowp, unsigned w, unsigned ncomp,
    unsigned bpc, unsigned char *out)
{
	unsigned	x, k, v;

	for (x = 0; x < w; x++) {
		k = x * ncomp;
		if (ncomp == 1)
			v = bpc == 8 ? rowp[x] : sample(rowp, k, bpc);
		else if (ncomp == 3 && bpc == 8)
			v = (299u * rowp[k] + 587u * rowp[k + 1] + 114u *
			    rowp[k + 2]) / 1000;
		else if (ncomp == 3)
			v = (299 * sample(rowp, k, bpc) + 587 * sample(rowp,
			    k + 1, bpc) + 114 * sample(rowp, k + 2, bpc)) /
			    1000;
		else {		/* CMYK */
			v = (30 * sample(rowp, k, bpc) + 59 * sample(rowp,
			    k + 1, bpc) + 11 * sample(rowp, k + 2, bpc)) /
			    100 + sample(rowp, k + 3, bpc);
			v = 255 - (v > 255 ? 255 : v);
		}
		out[x] = (unsigned char)v;
	}
}

enum ms_err
pdf_image_grey(const struct pdf_image *img, size_t max, size_t *budget,
    unsigned char **grey, unsigned *w, unsigned *h, const char **why)
{
	unsigned char	*cur, *prev, *out;
	unsigned	 ncomp = img->ncomp, bpc = img->bpc ? img->bpc : 8;
	unsigned	 y, k;
	size_t		 need, got = 0, row, bpp, total;
	int		 png = img->predictor >= 10, ended = 0;
	z_stream	 z;

	*grey = NULL;
	*w = *h = 0;
	*why = NULL;
	if (!img->flate) {
		*why = "not a FlateDecode image";
		return MS_EPARSE;
	}
	if (bpc != 1 && bpc != 2 && bpc != 4 && bpc != 8 && bpc != 16) {
		*why = "bits per component other than 1, 2, 4, 8 or 16";
		return MS_EPARSE;
	}
	if (img->predictor > 1 && !png) {
		*why = "a TIFF or unknown predictor";
		return MS_EPARSE;
	}
	if (img->width > LIMIT_IMAGE_SIDE || img->height > LIMIT_IMAGE_SIDE ||
	    (size_t)img->width * img->height > LIMIT_IMAGE_PIXELS ||
	    (size_t)img->width * img->height > max) {
		*why = "image larger than LIMIT_IMAGE_SIDE, LIMIT_IMAGE_PIXELS "
		    "or what is left of LIMIT_QR_PIXELS_PER_MSG";
		return MS_ELIMIT;
	}
	if (img->width < IMAGE_MIN_SIDE || img->height < IMAGE_MIN_SIDE)
		return MS_OK;
	need = image_bytes(img->width, img->height, ncomp ? ncomp : 4, bpc,
	    png);
	if (need > LIMIT_PDF_INFLATE_PER_STREAM || (budget != NULL &&
	    need > *budget)) {
		*why = "image data larger than LIMIT_PDF_INFLATE_PER_STREAM "
		    "or what is left of LIMIT_PDF_INFLATE_PER_MSG";
		return MS_ELIMIT;
	}
	/* ICCBased and the like: the data's size tells (1, 3 or 4), read
	 * once to count. */
	if (ncomp == 0) {
		total = img->raw ? img->len : inflated_size(img->data,
		    img->len, need);
		if (budget != NULL)
			*budget -= total < need ? total : need;
		for (k = 1; k <= 4 && ncomp == 0; k++)
			if (k != 2 && total == image_bytes(img->width,
			    img->height, k, bpc, png))
				ncomp = k;
		if (ncomp == 0) {
			*why = "a colour space that neither the dictionary nor "
			    "the data's size tells";
			return MS_EPARSE;
		}
		need = image_bytes(img->width, img->height, ncomp, bpc, png);
		if (budget != NULL && need > *budget) {
			*why = "image data larger than what is left of "
			    "LIMIT_PDF_INFLATE_PER_MSG";
			return MS_ELIMIT;
		}
	}
	memset(&z, 0, sizeof(z));
	if (!img->raw && inflateInit(&z) != Z_OK) {
		*why = "zlib could not start";
		return MS_EPARSE;
	}
	z.next_in = (unsigned char *)img->data;	/* zlib does not write it */
	z.avail_in = img->len > UINT_MAX ? UINT_MAX : (unsigned)img->len;
	/* A row at a time: the filter byte, then the samples; short data
	 * reads as white rows with no filter. */
	row = ((size_t)img->width * ncomp * bpc + 7) / 8;
	bpp = ncomp * bpc / 8;
	cur = xmalloc(row + 1);
	prev = xcalloc(1, row);
	out = xmalloc((size_t)img->width * img->height);
	for (y = 0; y < img->height; y++) {
		got += read_inflated(&z, img->raw, &ended, png ? cur :
		    cur + 1, row + (png ? 1 : 0));
		if (png) {
			png_unfilter(cur[0], cur + 1, prev, row, bpp > 0 ?
			    bpp : 1);
			memcpy(prev, cur + 1, row);
		}
		row_grey(cur + 1, img->width, ncomp, bpc,
		    out + (size_t)y * img->width);
	}
	if (!img->raw) {
		inflateEnd(&z);
		if (budget != NULL)
			*budget -= got;
	}
	xfree(cur);
	xfree(prev);
	*grey = out;
	*w = img->width;
	*h = img->height;
	return MS_OK;
}
