/* SPDX-License-Identifier: Apache-2.0 */
/*
 * fixup.c -- normalise the few malformations that make GMime drop
 * content that mail clients still show, before GMime sees the bytes.
 * Hiding content from scanners while the victim's client renders it is an
 * evasion technique, so leniency here is a security property:
 *
 *  - a delimiter line with junk after the boundary ("--b junk"): RFC 2046
 *    says it is sufficient that the boundary appear in its entirety at the
 *    start of the line; GMime wants the line to end there;
 *  - a boundary longer than RFC 2046's 70 characters, which GMime fails to
 *    match: it is replaced by a short token everywhere;
 *
 * Works on UNTRUSTED bytes; returns a new buffer only when it changed
 * something, so well-formed mail costs one scan.
 */
#include <string.h>

#include <glib.h>

#include "mail_int.h"
#include "../common/limits.h"

#define FIXUP_MAX_BOUNDARIES	64	/* boundaries looked at per message */
#define FIXUP_LONG_BOUNDARY	70	/* RFC 2046 section 5.1.1 */

struct bnd {
	char	*b;		/* boundary value (g_malloc) */
	size_t	 len;
	char	*repl;		/* replacement for a long one, or NULL */
};

/* Collect the boundary parameters written anywhere in the message. */
static size_t
find_boundaries(const char *raw, size_t len, struct bnd *out)
{
	const char	*p = raw, *end = raw + len, *v, *q;
	size_t		 n = 0, i, vl;

	while (n < FIXUP_MAX_BOUNDARIES && (size_t)(end - p) > 9 &&
	    (p = g_strstr_len(p, end - p, "oundary=")) != NULL) {
		v = p + 8;
		p = v;
		if (v < end && *v == '"') {
			v++;
			q = memchr(v, '"', (size_t)(end - v));
			if (q == NULL)
				break;
		} else
			for (q = v; q < end && !g_ascii_isspace(*q) &&
			    *q != ';' && *q != '"'; q++)
				;
		vl = (size_t)(q - v);
		if (vl == 0 || vl > LIMIT_HEADER_BYTES)
			continue;
		for (i = 0; i < n; i++)
			if (out[i].len == vl && memcmp(out[i].b, v, vl) == 0)
				break;
		if (i < n)
			continue;
		out[n].b = g_strndup(v, vl);
		out[n].len = vl;
		out[n].repl = vl > FIXUP_LONG_BOUNDARY ?
		    g_strdup_printf("ms-fixup-boundary-%zu", n) : NULL;
		n++;
	}
	return n;
}

/*
 * Which boundary, if any, opens this "--" line (the longest one that
 * matches, since one boundary may be a prefix of another), and how long
 * is the delimiter ("--b" or "--b--") that should end it.  What follows
 * the delimiter must be white space, or nothing.
 */
static int
delimiter(const char *line, size_t ll, const struct bnd *bs, size_t nb,
    size_t *keep)
{
	size_t	i, n, best_n = 0;
	int	best = -1;

	if (ll < 3 || line[0] != '-' || line[1] != '-')
		return -1;
	for (i = 0; i < nb; i++) {
		n = bs[i].len;
		if (ll - 2 < n || memcmp(line + 2, bs[i].b, n) != 0)
			continue;
		n += 2;
		if (ll - n >= 2 && line[n] == '-' && line[n + 1] == '-')
			n += 2;
		if (n < ll && line[n] != ' ' && line[n] != '\t')
			continue;
		if (best < 0 || n > best_n) {
			best = (int)i;
			best_n = n;
		}
	}
	*keep = best_n;
	return best;
}

/* Only white space after position 'from' of the line? */
static int
blank_after(const char *line, size_t ll, size_t from)
{
	for (; from < ll; from++)
		if (line[from] != ' ' && line[from] != '\t')
			return 0;
	return 1;
}

/* Replace every occurrence of 'from' in 's' (binary-safe). */
static void
replace_all(GString *s, const char *from, const char *to)
{
	size_t		 fl = strlen(from), tl = strlen(to), off = 0;
	const char	*hit;

	while (off < s->len && (hit = memmem(s->str + off, s->len - off,
	    from, fl)) != NULL) {
		off = (size_t)(hit - s->str);
		g_string_erase(s, (gssize)off, (gssize)fl);
		g_string_insert_len(s, (gssize)off, to, (gssize)tl);
		off += tl;
	}
}

static size_t
line_len(const char *p, const char *end, size_t *eol)
{
	const char	*q = memchr(p, '\n', (size_t)(end - p));
	size_t		 n = q ? (size_t)(q - p) : (size_t)(end - p);

	*eol = q ? n + 1 : n;
	if (n > 0 && p[n - 1] == '\r')
		n--;
	return n;
}

char *
mail__fixup(const char *raw, size_t len, size_t *outlen, unsigned *what)
{
	struct bnd	 bs[FIXUP_MAX_BOUNDARIES];
	const char	*p, *end = raw + len;
	GString		*s = NULL;
	size_t		 nb, i, ll, adv, keep;
	int		 k;

	*what = 0;
	if ((nb = find_boundaries(raw, len, bs)) == 0)
		return NULL;
	for (p = raw; p < end; p += adv) {
		ll = line_len(p, end, &adv);
		k = delimiter(p, ll, bs, nb, &keep);
		if (k >= 0 && (!blank_after(p, ll, keep) ||
		    bs[k].repl != NULL)) {
			if (s == NULL)
				s = g_string_new_len(raw, p - raw);
			g_string_append(s, "--");
			g_string_append(s, bs[k].repl ? bs[k].repl : bs[k].b);
			if (keep == bs[k].len + 4)
				g_string_append(s, "--");
			g_string_append_len(s, p + ll, (gssize)(adv - ll));
			*what |= bs[k].repl != NULL ?
			    MAIL_FIXUP_LONG_BOUNDARY : MAIL_FIXUP_DELIMITER;
			continue;
		}
		if (s != NULL)
			g_string_append_len(s, p, (gssize)adv);
	}
	/* Long boundaries also appear in their Content-Type parameter. */
	for (i = 0; s != NULL && i < nb; i++) {
		if (bs[i].repl != NULL)
			replace_all(s, bs[i].b, bs[i].repl);
	}
	for (i = 0; i < nb; i++) {
		g_free(bs[i].b);
		g_free(bs[i].repl);
	}
	if (s == NULL)
		return NULL;
	*outlen = s->len;
	return g_string_free(s, FALSE);
}
