/* SPDX-License-Identifier: Apache-2.0 */
/*
 * defang.c -- undo the ways analysts and phishers "defang" indicators
 * (hxxp://, example[.]com, user[at]example.com, http__host, ...) so that
 * the scanner in scan.c sees ordinary text.  One linear pass over
 * UNTRUSTED bytes that copies runs of uninteresting bytes at once and
 * records where it rewrote something, so that the indicator found there
 * can be flagged IOC_F_DEFANGED.  Rules and their limits: docs/extract.md.
 */
#include <string.h>

#include "../common/limits.h"
#include "extract_int.h"

#define FANG_SPAN	24	/* bytes looked at around one marker */

struct rf {
	struct arena	*a;
	const char	*in;
	size_t		 len;
	size_t		 i;		/* next input byte */
	char		*out;
	size_t		 o;		/* output length */
	size_t		 cap;
	size_t		*marks;
	size_t		 nmarks;
	size_t		 capmarks;
	int		 full;		/* arena refused the marks */
};

/* Bytes that may start a defanged form; everything else is copied. */
static const unsigned char trigger[256] = {
	['['] = 1, ['('] = 1, ['{'] = 1, ['\\'] = 1, ['.'] = 1, ['@'] = 1,
	['h'] = 1, ['H'] = 1, ['f'] = 1, ['F'] = 1, [':'] = 1, ['_'] = 1,
	['x'] = 1, ['X'] = 1, ['A'] = 1, ['D'] = 1, ['a'] = 1, ['d'] = 1,
	['-'] = 1, [']'] = 1, [')'] = 1, ['}'] = 1, ['^'] = 1,
	[0xc2] = 1, [0xe2] = 1, [0xef] = 1,
};

/* A word byte: ASCII letter or digit, or any non-ASCII byte. */
static int
alnum(unsigned char c)
{
	return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') ||
	    (c >= '0' && c <= '9') || c >= 0x80;
}

/* Opening brackets that defangers put around markers. */
static int
is_open(char c)
{
	return c == '[' || c == '(' || c == '{';
}

/* Their closing counterparts. */
static int
is_close(char c)
{
	return c == ']' || c == ')' || c == '}';
}

/* Remember that output offset 'o' holds rewritten text. */
static void
mark(struct rf *r)
{
	size_t	*nm, ncap;

	if (r->nmarks > 0 && r->marks[r->nmarks - 1] == r->o)
		return;
	if (r->nmarks == r->capmarks) {
		ncap = r->capmarks ? r->capmarks * 2 : 16;
		nm = arena_calloc(r->a, ncap, sizeof(*nm));
		if (nm == NULL) {
			r->full = 1;
			return;
		}
		if (r->nmarks)
			memcpy(nm, r->marks, r->nmarks * sizeof(*nm));
		r->marks = nm;
		r->capmarks = ncap;
	}
	r->marks[r->nmarks++] = r->o;
}

/* Append to the output; the cap is sized so that it never cuts. */
static void
emit(struct rf *r, const char *s, size_t n)
{
	if (n > r->cap - r->o)
		n = r->cap - r->o;	/* cannot happen: see the cap */
	memcpy(r->out + r->o, s, n);
	r->o += n;
}

/* Is the word just written (letters only) a scheme we refang after? */
static int
after_scheme(const struct rf *r)
{
	static const char *const sc[] = { "http", "https", "ftp", "ftps",
	    "sftp", "tcp", "udp", "ws", "wss" };
	size_t	 k = r->o, n, i;

	while (k > 0 && r->o - k < 6 &&
	    ((r->out[k - 1] | 0x20) >= 'a' && (r->out[k - 1] | 0x20) <= 'z'))
		k--;
	n = r->o - k;
	if (n < 2 || n > 5 || (k > 0 && alnum((unsigned char)r->out[k - 1])))
		return 0;
	for (i = 0; i < MS_ARRAY_LEN(sc); i++)
		if (strlen(sc[i]) == n &&
		    strncasecmp(r->out + k, sc[i], n) == 0)
			return 1;
	return 0;
}

/* Bytes that may surround a marker: brackets, space, backslash. */
static int
is_fence(char c)
{
	return is_open(c) || is_close(c) || c == ' ' || c == '\\';
}

/* Words that stand for "." or "@" inside brackets, in a few languages. */
static const struct {
	const char	*word;
	const char	*core;
} words[] = {
	{ "dot", "." }, { "punto", "." }, { "punkt", "." },
	{ "at", "@" }, { "arroba", "@" }, { "et", "@" },
};

/* The marker's core at 'p': "." "," "@" "://" ":" "/" or a word. */
static const char *
marker_core(const char *p, size_t avail, size_t *n)
{
	size_t	i, wl;

	if (avail >= 3 && strncmp(p, "://", 3) == 0) {
		*n = 3;
		return "://";
	}
	*n = 1;
	switch (p[0]) {
	case '.': case ',':
		return ".";
	case '-':
		return "-";
	case '@':
		return "@";
	case ':':
		return ":";
	case '/':
		return "/";
	}
	for (i = 0; i < MS_ARRAY_LEN(words); i++) {
		wl = strlen(words[i].word);
		if (avail > wl && strncasecmp(p, words[i].word, wl) == 0 &&
		    !alnum((unsigned char)p[wl])) {
			*n = wl;
			return words[i].core;
		}
	}
	return NULL;
}

/* "(http)://" and "[https]://". */
static int
try_bracket_scheme(struct rf *r)
{
	const char	*p = r->in + r->i;
	size_t		 avail = r->len - r->i, n;

	if (avail < 9 || strncasecmp(p + 1, "http", 4) != 0)
		return 0;
	n = (p[5] | 0x20) == 's' ? 6 : 5;
	if (!is_close(p[n]) || avail < n + 4 || strncmp(p + n + 1, "://", 3))
		return 0;
	mark(r);
	emit(r, n == 6 ? "https://" : "http://", n == 6 ? 8 : 7);
	r->i += n + 4;
	return 1;
}

/*
 * "foodot]com", "fooAT)bar.com": the word was glued to the name before
 * it and only a closing bracket marks it.  The word is taken back out of
 * the output.
 */
static int
try_tail(struct rf *r)
{
	size_t	i, wl, j = r->i;

	while (j < r->len && j - r->i < 4 && is_close(r->in[j]))
		j++;
	if (j >= r->len || !alnum((unsigned char)r->in[j]))
		return 0;
	for (i = 0; i < MS_ARRAY_LEN(words); i++) {
		wl = strlen(words[i].word);
		if (r->o <= wl || strncasecmp(r->out + r->o - wl,
		    words[i].word, wl) != 0 ||
		    !alnum((unsigned char)r->out[r->o - wl - 1]))
			continue;
		r->o -= wl;
		mark(r);
		emit(r, words[i].core, 1);
		r->i = j;
		return 1;
	}
	return 0;
}

/*
 * A bracketed or escaped marker: brackets, spaces, backslashes or a
 * caret around ".", ",", "dot", "@", "at", ":", "/" or "://" (also the
 * Spanish and German words for dot and at).  Dots and ats must sit
 * between word characters (spaces around the marker are dropped), so
 * "(.)" in prose or "[1]" are left alone; ":" and "/" need a bracket
 * after them, which keeps IPv6 literals like "[::1]" intact.
 */
static int
try_marker(struct rf *r)
{
	const char	*in = r->in, *core;
	size_t		 j = r->i, end = r->len, nbr = 0, k, o, cl;
	int		 opened = 0, spaced = 0, fenced = 0;

	if (end - j > FANG_SPAN)
		end = j + FANG_SPAN;
	if (in[j] == '\\' && j + 1 < end && in[j + 1] == '/') {
		/* JSON's "\/" is escaping, not defanging: no mark. */
		emit(r, "/", 1);
		r->i += 2;
		return 1;
	}
	if (is_open(in[j]) && try_bracket_scheme(r))
		return 1;
	if (is_close(in[j]) && try_tail(r))
		return 1;
	while (j < end && (is_fence(in[j]) || in[j] == '^')) {
		opened |= !is_close(in[j]) && in[j] != ' ';
		spaced |= in[j] == ' ';
		fenced |= in[j] != ' ' && in[j] != '\\';
		j++;
	}
	if (j >= end || (core = marker_core(in + j, end - j, &cl)) == NULL)
		return 0;
	j += cl;
	k = j;
	while (k < end && is_fence(in[k])) {
		if (in[k] != ' ' && in[k] != '\\')
			nbr++;
		spaced |= in[k] == ' ';
		k++;
	}
	fenced |= nbr > 0;
	/* "(see this). it" and "(me) at home" are prose: a marker that
	 * starts with a closing bracket takes no spaces. */
	if (!opened && (spaced || (r->o > 0 && r->out[r->o - 1] == ' ')))
		return 0;
	if (core[0] == ':' || core[0] == '/') {
		/* Only the brackets, never the spaces after. */
		if (nbr == 0)
			return 0;
		while (j < r->len && (is_open(in[j]) || is_close(in[j])))
			j++;
	} else {
		if (k >= r->len || !alnum((unsigned char)in[k]))
			return 0;
		o = r->o;
		while (o > 0 && r->o - o < 4 && r->out[o - 1] == ' ')
			o--;
		if (o == 0 || !alnum((unsigned char)r->out[o - 1]))
			return 0;
		r->o = o;
		j = k;
	}
	/* "example\.com" is read, but a backslash alone is how regular
	 * expressions escape dots too: not evidence of defanging. */
	if (fenced)
		mark(r);
	emit(r, core, strlen(core));
	r->i = j;
	return 1;
}

/* "10.]]10" and "10.)10": a dot followed by closing brackets. */
static int
try_dot(struct rf *r)
{
	size_t	j = r->i + 1;

	while (j < r->len && j - r->i < 8 && is_close(r->in[j]))
		j++;
	if (j == r->i + 1 || j >= r->len ||
	    !alnum((unsigned char)r->in[j]) ||
	    r->o == 0 || !alnum((unsigned char)r->out[r->o - 1]))
		return 0;
	mark(r);
	emit(r, ".", 1);
	r->i = j;
	return 1;
}

/* "user @ example.com": an at sign with spaces on one side or both. */
static int
try_at(struct rf *r)
{
	size_t	j = r->i + 1, o = r->o;

	while (j < r->len && j - r->i < 4 && r->in[j] == ' ')
		j++;
	while (o > 0 && r->o - o < 3 && r->out[o - 1] == ' ')
		o--;
	if ((j == r->i + 1 && o == r->o) || j >= r->len ||
	    !alnum((unsigned char)r->in[j]) || o == 0 ||
	    !alnum((unsigned char)r->out[o - 1]))
		return 0;
	r->o = o;
	mark(r);
	emit(r, "@", 1);
	r->i = j;
	return 1;
}

/* ASCII lower-case letter or digit. */
static int
lower_or_digit(char c)
{
	return (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9');
}

/* After "user at ": is the next name written defanged ("example[dot]",
 * "example dot com")?  Only then is a lower-case "at" taken for "@". */
static int
defanged_ahead(const char *q, size_t avail)
{
	size_t	k = 0;

	while (k < avail && k < 64 && (alnum((unsigned char)q[k]) ||
	    q[k] == '-'))
		k++;
	while (k < avail && k < 68 && q[k] == ' ')
		k++;
	if (k >= avail)
		return 0;
	if (is_open(q[k]))
		return 1;
	return avail - k > 4 && strncasecmp(q + k, "dot", 3) == 0 &&
	    (q[k + 3] == ' ' || is_open(q[k + 3]));
}

/* Before offset 'o' of the output: "@name"?  Then a lower-case " dot "
 * continues an email address. */
static int
email_behind(const struct rf *r, size_t o)
{
	size_t	k = o;

	while (k > 0 && o - k < 255 && (alnum((unsigned char)r->out[k - 1]) ||
	    r->out[k - 1] == '-' || r->out[k - 1] == '.'))
		k--;
	return k < o && k > 0 && r->out[k - 1] == '@';
}

/*
 * "user AT example DOT com" (upper case, spaced), "fooDOTcom" (upper
 * case glued between lower-case letters), and lower-case "at"/"dot" only
 * inside an address that is visibly defanged: "user at example[dot]com",
 * "user@example dot com".  Plain English "at" and "dot" stay as they are.
 */
static int
try_word(struct rf *r)
{
	const char	*p = r->in + r->i, *core;
	size_t		 avail = r->len - r->i, n, j, o = r->o, k;
	int		 upper = 1;

	if (avail > 2 && (p[1] | 0x20) != 't' && (p[1] | 0x20) != 'o')
		return 0;
	if (avail > 2 && strncasecmp(p, "at", 2) == 0) {
		n = 2;
		core = "@";
	} else if (avail > 3 && strncasecmp(p, "dot", 3) == 0) {
		n = 3;
		core = ".";
	} else
		return 0;
	for (k = 0; k < n; k++)
		if (p[k] < 'A' || p[k] > 'Z')
			upper = 0;
	if (upper && o > 0 && lower_or_digit(r->out[o - 1]) &&
	    lower_or_digit(p[n])) {
		mark(r);
		emit(r, core, 1);
		r->i += n;
		return 1;
	}
	while (o > 0 && r->o - o < 3 && r->out[o - 1] == ' ')
		o--;
	for (j = n; j < avail && j - n < 3 && p[j] == ' '; j++)
		;
	if (o == r->o || j == n || o == 0 ||
	    !alnum((unsigned char)r->out[o - 1]) || j >= avail ||
	    !alnum((unsigned char)p[j]))
		return 0;
	if (!upper && (core[0] == '@' ? !defanged_ahead(p + j, avail - j) :
	    !email_behind(r, o)))
		return 0;
	r->o = o;
	mark(r);
	emit(r, core, 1);
	r->i += j;
	return 1;
}

/*
 * Invisible characters phishers put inside links and names to break
 * naive matching: soft hyphen U+00AD, zero-width space, non-joiner and
 * joiner U+200B-U+200D, word joiner U+2060, and U+FEFF.  They are
 * dropped, and what they sat in counts as defanged.
 */
static int
try_invisible(struct rf *r)
{
	const unsigned char	*p = (const unsigned char *)r->in + r->i;
	size_t			 avail = r->len - r->i, n = 0;

	if (avail >= 2 && p[0] == 0xc2 && p[1] == 0xad)
		n = 2;
	else if (avail >= 3 && p[0] == 0xe2 && p[1] == 0x80 &&
	    p[2] >= 0x8b && p[2] <= 0x8d)
		n = 3;
	else if (avail >= 3 && p[0] == 0xe2 && p[1] == 0x81 && p[2] == 0xa0)
		n = 3;
	else if (avail >= 3 && p[0] == 0xef && p[1] == 0xbb && p[2] == 0xbf)
		n = 3;
	if (n == 0)
		return 0;
	if (r->o > 0 && alnum((unsigned char)r->out[r->o - 1]))
		mark(r);
	r->i += n;
	return 1;
}

/* "bad-dot-com". */
static int
try_hyphen(struct rf *r)
{
	const char	*p = r->in + r->i;

	if (r->len - r->i < 6 || strncasecmp(p, "-dot-", 5) != 0 ||
	    r->o == 0 || !alnum((unsigned char)r->out[r->o - 1]) ||
	    !alnum((unsigned char)p[5]))
		return 0;
	/* Not marked: "-dot-" also shows up in branch and file names
	 * ("fix-git-dot-pm"), so the name must pass the ordinary checks. */
	emit(r, ".", 1);
	r->i += 5;
	return 1;
}

/*
 * The separator after a scheme word at 'q': "://" as it should be, or
 * "]://", " ://", ":///", "//", ":\\\\", ":__", "__", with up to two
 * spaces before the host.  Returns the bytes it spans (0: none) and sets
 * '*odd' when it was not plain "://".
 */
static size_t
scheme_sep(const char *q, size_t avail, int *odd)
{
	size_t	k = 0, sl = 0, sp;
	int	colon;

	if (k < avail && q[k] == ']') {
		k++;
		*odd = 1;
	}
	if (k < avail && q[k] == ' ') {
		k++;
		*odd = 1;
	}
	colon = k < avail && q[k] == ':';
	if (colon)
		k++;
	while (k < avail && sl < 3 && (q[k] == '/' || q[k] == '\\' ||
	    q[k] == '_')) {
		if (q[k] != '/')
			*odd = 1;
		k++;
		sl++;
	}
	if (sl < 2 || (sl == 2 && q[k - 1] != q[k - 2]))
		return 0;
	if (!colon || sl == 3)
		*odd = 1;
	for (sp = k; sp < avail && sp - k < 2 && q[sp] == ' '; sp++)
		*odd = 1;
	if (sp >= avail || !alnum((unsigned char)q[sp]))
		return 0;
	return sp;
}

/*
 * A scheme word at the start of a word: "hxxp", "hXXps", "h**p", "fxp",
 * "xxxx", "xxxxs", or a plain "http"/"ftp" followed by a broken
 * separator.  Bracketed separators ("hxxp[:]//") are left to try_marker.
 */
static int
try_scheme(struct rf *r)
{
	const char	*p = r->in + r->i, *canon;
	size_t		 avail = r->len - r->i, n, k;
	int		 odd = 0;

	if (r->o > 0 && alnum((unsigned char)r->out[r->o - 1]))
		return 0;
	if (avail < 6)
		return 0;
	if ((p[0] | 0x20) == 'f' && (p[2] | 0x20) == 'p' &&
	    ((p[1] | 0x20) == 'x' || (p[1] | 0x20) == 't')) {
		odd = (p[1] | 0x20) == 'x';
		n = (p[3] | 0x20) == 's' ? 4 : 3;
		canon = n == 4 ? "ftps" : "ftp";
	} else if ((p[0] | 0x20) == 'h' && strchr("xXtT*", p[1]) &&
	    strchr("xXtT*", p[2]) && (p[3] | 0x20) == 'p') {
		odd = (p[1] | 0x20) != 't' || (p[2] | 0x20) != 't';
		n = (p[4] | 0x20) == 's' ? 5 : 4;
		canon = n == 5 ? "https" : "http";
	} else if ((p[0] | 0x20) == 'x' && (p[1] | 0x20) == 'x' &&
	    (p[2] | 0x20) == 'x' && (p[3] | 0x20) == 'x') {
		odd = 1;
		n = (p[4] | 0x20) == 's' || (p[4] | 0x20) == 'x' ? 5 : 4;
		canon = n == 5 ? "https" : "http";
	} else
		return 0;
	if (n < avail && p[n] == '[') {
		if (!odd)
			return 0;
		k = 0;		/* "hxxp[:]//": the marker does the rest */
	} else if ((k = scheme_sep(p + n, avail - n, &odd)) == 0 || !odd)
		return 0;
	mark(r);
	emit(r, canon, strlen(canon));
	if (k > 0)
		emit(r, "://", 3);
	r->i += n + k;
	return 1;
}

/* ":\\host", ":__host", "__host" and ":// host" after a scheme. */
static int
try_sep(struct rf *r)
{
	const char	*p = r->in + r->i;
	size_t		 avail = r->len - r->i, n = 0, sp;

	if (!after_scheme(r))
		return 0;
	if (avail >= 3 && p[0] == ':' && p[1] == '\\' && p[2] == '\\')
		n = 3;
	else if (avail >= 3 && p[0] == ':' && p[1] == '_' && p[2] == '_')
		n = 3;
	else if (avail >= 2 && p[0] == '_' && p[1] == '_')
		n = 2;
	else if (avail >= 4 && p[0] == ':' && p[1] == '/' && p[2] == '/' &&
	    p[3] == ' ')
		n = 3;
	if (n == 0)
		return 0;
	sp = n;
	while (sp < avail && sp - n < 4 && p[sp] == ' ')
		sp++;
	if (sp >= avail || !alnum((unsigned char)p[sp]))
		return 0;
	if (p[0] == ':' && p[1] == '/' && sp == n)
		return 0;
	mark(r);
	emit(r, "://", 3);
	r->i += sp;
	return 1;
}

/*
 * The pass itself: copy runs of ordinary bytes, try the
 * rule for each trigger byte, copy the byte when no rule applies.
 */
enum ms_err
extract__refang(struct arena *a, const char *in, size_t len, char **out,
    size_t *outlen, size_t **marks, size_t *nmarks)
{
	struct rf	r;
	size_t		j;
	int		done;

	memset(&r, 0, sizeof(r));
	r.a = a;
	r.in = in;
	r.len = len;
	/* Only "__" -> "://" grows, by one byte per six input bytes. */
	r.cap = len + len / 4 + 16;
	if ((r.out = arena_alloc(a, r.cap + 1)) == NULL)
		return MS_ELIMIT;
	while (r.i < len) {
		j = r.i;
		while (j < len && !trigger[(unsigned char)in[j]])
			j++;
		if (j > r.i) {
			emit(&r, in + r.i, j - r.i);
			r.i = j;
			if (j >= len)
				break;
		}
		switch (in[r.i]) {
		case '[': case '(': case '{': case '\\': case '^':
		case ']': case ')': case '}':
			done = try_marker(&r);
			break;
		case '.':
			done = try_dot(&r);
			break;
		case '@':
			done = try_at(&r);
			break;
		case 'A': case 'D': case 'a': case 'd':
			done = try_word(&r);
			break;
		case '-':
			done = try_hyphen(&r);
			break;
		case ':': case '_':
			done = try_sep(&r);
			break;
		case '\xc2': case '\xe2': case '\xef':
			done = try_invisible(&r);
			break;
		default:
			done = try_scheme(&r);
			break;
		}
		if (!done)
			emit(&r, in + r.i++, 1);
	}
	r.out[r.o] = '\0';
	*out = r.out;
	*outlen = r.o;
	*marks = r.marks;
	*nmarks = r.nmarks;
	return r.full ? MS_ELIMIT : MS_OK;
}
