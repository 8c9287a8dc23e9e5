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
};

static int
alnum(unsigned char c)
{
	return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') ||
	    (c >= '0' && c <= '9') || c >= 0x80;
}

static int
is_open(char c)
{
	return c == '[' || c == '(' || c == '{';
}

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

static void
emit(struct rf *r, const char *s, size_t n)
{
	if (n > r->cap - r->o)
		n = r->cap - r->o;	/* cannot happen: see the cap */
	memcpy(r->out + r->o, s, n);
	r->o += n;
}

static int
ci_match(const char *p, size_t avail, const char *word)
{
	size_t	n = strlen(word);

	return avail >= n && strncasecmp(p, word, n) == 0;
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
		if (strlen(sc[i]) == n && strncasecmp(r->out + k, sc[i], n) == 0)
			return 1;
	return 0;
}

/*
 * A bracketed or escaped marker: any of "[({\ " around ".", "dot", "@",
 * "at", ":", "/" or "://".  Dots and ats must sit between word
 * characters (spaces around the marker are dropped), so "(.)" in prose
 * or "[1]" are left alone; ":" and "/" need a closing bracket, which
 * keeps IPv6 literals like "[::1]" intact.
 */
static int
try_marker(struct rf *r)
{
	const char	*in = r->in;
	size_t		 j = r->i, end = r->len, nclose = 0, k, o;
	const char	*core;
	size_t		 corelen;

	if (end - j > FANG_SPAN)
		end = j + FANG_SPAN;
	while (j < end && (is_open(in[j]) || in[j] == ' ' || in[j] == '\\'))
		j++;
	if (j == r->i || j >= end)
		return 0;
	if (in[j] == '.') {
		core = ".";
		j += 1;
	} else if (ci_match(in + j, end - j, "dot") && j + 3 < r->len &&
	    !alnum((unsigned char)in[j + 3])) {
		core = ".";
		j += 3;
	} else if (in[j] == '@') {
		core = "@";
		j += 1;
	} else if (ci_match(in + j, end - j, "at") && j + 2 < r->len &&
	    !alnum((unsigned char)in[j + 2])) {
		core = "@";
		j += 2;
	} else if (ci_match(in + j, end - j, "://")) {
		core = "://";
		j += 3;
	} else if (in[j] == ':' || in[j] == '/') {
		core = in[j] == ':' ? ":" : "/";
		j += 1;
	} else
		return 0;
	corelen = strlen(core);
	k = j;
	while (k < end && (is_close(in[k]) || in[k] == ' ' || in[k] == '\\')) {
		if (is_close(in[k]))
			nclose++;
		k++;
	}
	if (core[0] == ':' || core[0] == '/') {
		/* Only the closing brackets, never the spaces after. */
		if (nclose == 0)
			return 0;
		while (j < r->len && is_close(in[j]))
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
	mark(r);
	emit(r, core, corelen);
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

/* "user @ example.com": an at sign with spaces on both sides. */
static int
try_at(struct rf *r)
{
	size_t	j = r->i + 1, o = r->o;

	while (j < r->len && j - r->i < 4 && r->in[j] == ' ')
		j++;
	while (o > 0 && r->o - o < 3 && r->out[o - 1] == ' ')
		o--;
	if (j == r->i + 1 || o == r->o || j >= r->len ||
	    !alnum((unsigned char)r->in[j]) || o == 0 ||
	    !alnum((unsigned char)r->out[o - 1]))
		return 0;
	r->o = o;
	mark(r);
	emit(r, "@", 1);
	r->i = j;
	return 1;
}

/* "hxxp", "hXXps", "h**p", "fxp" at the start of a word. */
static int
try_scheme(struct rf *r)
{
	const char	*p = r->in + r->i;
	size_t		 avail = r->len - r->i, n;
	int		 t1, t2;

	if (r->o > 0 && alnum((unsigned char)r->out[r->o - 1]))
		return 0;
	if ((p[0] | 0x20) == 'f') {
		if (avail < 4 || (p[1] | 0x20) != 'x' || (p[2] | 0x20) != 'p' ||
		    (p[3] != ':' && p[3] != '[' && p[3] != '_'))
			return 0;
		mark(r);
		emit(r, "ftp", 3);
		r->i += 3;
		return 1;
	}
	if (avail < 5)
		return 0;
	t1 = (p[1] | 0x20) == 't';
	t2 = (p[2] | 0x20) == 't';
	if ((t1 && t2) || !strchr("xXtT*", p[1]) || !strchr("xXtT*", p[2]) ||
	    (p[3] | 0x20) != 'p')
		return 0;
	n = (p[4] | 0x20) == 's' ? 5 : 4;
	if (n >= avail || (p[n] != ':' && p[n] != '[' && p[n] != '_'))
		return 0;
	mark(r);
	emit(r, n == 5 ? "https" : "http", n);
	r->i += n;
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
		case '[': case '(': case '{': case '\\':
			done = try_marker(&r);
			break;
		case '.':
			done = try_dot(&r);
			break;
		case '@':
			done = try_at(&r);
			break;
		case ':': case '_':
			done = try_sep(&r);
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
