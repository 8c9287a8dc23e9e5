/* SPDX-License-Identifier: Apache-2.0 */
/*
 * nested.c -- URLs wrapped in other URLs and in base64.  Redirectors and
 * link-protection services carry the real target in a query parameter:
 * plain ("https://www.google.com/url?q=https://evil.example/"),
 * percent-encoded ("?url=https%3A%2F%2Fevil.example%2F", as Microsoft
 * Safe Links does) or base64 ("?u=aHR0cHM6Ly9ldmlsLmV4YW1wbGUv").  Each
 * is decoded one level and added as a URL of its own, and unwrapped again
 * up to NEST_MAX levels.  The input is UNTRUSTED URL text; every decoded
 * copy is bounded by the input's length.
 */
#include <string.h>
#include <strings.h>

#include <glib.h>

#include "../common/limits.h"
#include "extract_int.h"

#define NEST_MAX	4	/* redirect inside redirect inside ... */

static const char *const schemes[] = { "http", "https", "ftp", "ftps" };

/* Is [p, p+n) a scheme worth unwrapping (any case)? */
static int
nest_scheme(const char *p, size_t n)
{
	size_t	i;

	for (i = 0; i < MS_ARRAY_LEN(schemes); i++)
		if (strlen(schemes[i]) == n &&
		    g_ascii_strncasecmp(p, schemes[i], n) == 0)
			return 1;
	return 0;
}

/* Value of a hex digit, or -1. */
static int
hexval(char c)
{
	if (c >= '0' && c <= '9')
		return c - '0';
	c = (char)(c | 0x20);
	return c >= 'a' && c <= 'f' ? c - 'a' + 10 : -1;
}

/* Percent-decode [p, p+n) into 'out' (n bytes at least); its length. */
static size_t
pct_decode(const char *p, size_t n, char *out)
{
	size_t	i, o = 0;
	int	hi, lo;

	for (i = 0; i < n; i++) {
		if (p[i] == '%' && i + 2 < n &&
		    (hi = hexval(p[i + 1])) >= 0 &&
		    (lo = hexval(p[i + 2])) >= 0) {
			out[o++] = (char)(hi << 4 | lo);
			i += 2;
		} else
			out[o++] = p[i];
	}
	return o;
}

/* Base64 alphabet, standard and URL-safe; -1 for anything else. */
static int
b64val(unsigned char c)
{
	if (c >= 'A' && c <= 'Z')
		return c - 'A';
	if (c >= 'a' && c <= 'z')
		return c - 'a' + 26;
	if (c >= '0' && c <= '9')
		return c - '0' + 52;
	if (c == '+' || c == '-')
		return 62;
	if (c == '/' || c == '_')
		return 63;
	return -1;
}

/*
 * Decode the base64 run at 'p' (at most 'n' bytes; it ends at the first
 * byte outside the alphabet, padding included) into 'out'.  Missing or
 * wrong padding is tolerated: a trailing partial group is dropped.
 * Returns the decoded length; '*used' gets the bytes consumed.
 */
size_t
extract__b64_decode(const char *p, size_t n, char *out, size_t *used)
{
	size_t		i, o = 0;
	unsigned	acc = 0;
	int		bits = 0, v;

	for (i = 0; i < n && (v = b64val((unsigned char)p[i])) >= 0; i++) {
		acc = (acc << 6) | (unsigned)v;
		bits += 6;
		if (bits >= 8) {
			bits -= 8;
			out[o++] = (char)((acc >> bits) & 0xff);
		}
	}
	while (i < n && p[i] == '=')
		i++;
	*used = i;
	return o;
}

/* Length of the URL at the start of decoded bytes: up to whitespace,
 * a control byte, a quote or angle bracket. */
static size_t
url_span(const char *p, size_t n)
{
	size_t	i;

	for (i = 0; i < n; i++)
		if ((unsigned char)p[i] <= 0x20 || p[i] == '"' ||
		    p[i] == '<' || p[i] == '>' || p[i] == 0x7f)
			break;
	return i;
}

/* Add a decoded URL and look inside it in turn. */
static enum ms_err
add_inner(struct ioc_set *s, const char *u, size_t n, const char *where,
    unsigned flags, int depth)
{
	enum ms_err	rc, rc2;

	n = url_span(u, n);
	if (n < 10 || !g_ascii_isalpha(u[0]))
		return MS_EPARSE;
	rc = extract__add_url(s, u, n, 0, where, flags);
	if (rc == MS_EPARSE)
		return rc;
	rc2 = extract__nested(s, u, n, where, flags, depth + 1);
	return rc == MS_ELIMIT || rc2 == MS_ELIMIT ? MS_ELIMIT : MS_OK;
}

/*
 * Decoded bytes that hold "http://" or "https://" somewhere (the encoder
 * may have wrapped the URL in other text): add the URL found there.
 */
static enum ms_err
add_decoded(struct ioc_set *s, const char *d, size_t dn, const char *where,
    unsigned flags, int depth)
{
	const char	*h = d, *end = d + dn;

	while ((h = memmem(h, (size_t)(end - h), "http", 4)) != NULL) {
		if ((end - h > 7 && strncmp(h + 4, "://", 3) == 0) ||
		    (end - h > 8 && strncmp(h + 4, "s://", 4) == 0))
			return add_inner(s, h, (size_t)(end - h), where, flags,
			    depth);
		h += 4;
	}
	return MS_EPARSE;
}

/*
 * A base64 run at 'p' (up to 'n' bytes, at most 2 * LIMIT_URL_BYTES of it
 * decoded) whose plain text holds an http(s) URL: add that URL.
 * '*used' gets the bytes of the run looked at.  MS_EPARSE if none.
 */
enum ms_err
extract__b64_url(struct ioc_set *s, const char *p, size_t n,
    const char *where, unsigned flags, int depth, size_t *used)
{
	char		 small[512], *buf = small;
	size_t		 dn, run;
	enum ms_err	 rc;

	if (n > LIMIT_URL_BYTES * 2)
		n = LIMIT_URL_BYTES * 2;
	for (run = 0; run < n && (b64val((unsigned char)p[run]) >= 0 ||
	    p[run] == '='); run++)
		;
	*used = run;
	if (run < 16)
		return MS_EPARSE;
	if (run > sizeof(small))
		buf = xmalloc(run);
	dn = extract__b64_decode(p, run, buf, used);
	rc = dn >= 11 ? add_decoded(s, buf, dn, where, flags, depth) :
	    MS_EPARSE;
	if (buf != small)
		xfree(buf);
	return rc;
}

/* The same for a run of hex digit pairs ("687474703a2f2f..."). */
enum ms_err
extract__hex_url(struct ioc_set *s, const char *p, size_t n,
    const char *where, unsigned flags)
{
	char		*buf;
	size_t		 i, dn = 0;
	enum ms_err	 rc;

	if (n > LIMIT_URL_BYTES * 2)
		n = LIMIT_URL_BYTES * 2;
	buf = xmalloc(n / 2 + 1);
	for (i = 0; i + 1 < n; i += 2)
		buf[dn++] = (char)(hexval(p[i]) << 4 | hexval(p[i + 1]));
	rc = add_decoded(s, buf, dn, where, flags, 0);
	xfree(buf);
	return rc;
}

/* "http%3A%2F%2Fexample%2Ecom" standing alone in text. */
enum ms_err
extract__pct_url(struct ioc_set *s, const char *p, size_t n,
    const char *where, unsigned flags)
{
	char		*buf;
	size_t		 dn;
	enum ms_err	 rc;

	if (n > LIMIT_URL_BYTES * 3)
		n = LIMIT_URL_BYTES * 3;
	buf = xmalloc(n + 1);
	dn = pct_decode(p, n, buf);
	rc = add_inner(s, buf, dn, where, flags, 0);
	xfree(buf);
	return rc;
}

/*
 * The query and path of the URL 'u' (raw text, 'n' bytes): an embedded
 * "scheme://" or "scheme%3A%2F%2F" starts an inner URL that ends at the
 * next '&'; "=aHR0c..." starts a base64 one.
 */
enum ms_err
extract__nested(struct ioc_set *s, const char *u, size_t n,
    const char *where, unsigned flags, int depth)
{
	const char	*p;
	char		*buf;
	size_t		 k, s0, end, dn, used;
	int		 enc;
	enum ms_err	 rc = MS_OK;

	if (depth >= NEST_MAX || (p = memmem(u, n, "://", 3)) == NULL)
		return MS_OK;
	for (k = (size_t)(p - u) + 3; k < n && !strchr("/?#", u[k]); k++)
		;
	for (; k < n; k++) {
		if (u[k] == '=' && n - k > 12 &&
		    strncmp(u + k + 1, "aHR0c", 5) == 0) {
			if (extract__b64_url(s, u + k + 1, n - k - 1, where,
			    flags, depth, &used) == MS_ELIMIT)
				rc = MS_ELIMIT;
			k += used;
			continue;
		}
		enc = u[k] == '%' && n - k >= 9 &&
		    g_ascii_strncasecmp(u + k, "%3A%2F%2F", 9) == 0;
		if (!enc && !(u[k] == ':' && n - k >= 3 &&
		    strncmp(u + k, "://", 3) == 0))
			continue;
		for (s0 = k; s0 > 0 && g_ascii_isalpha(u[s0 - 1]); s0--)
			;
		if (!nest_scheme(u + s0, k - s0))
			continue;
		for (end = k; end < n && u[end] != '&'; end++)
			;
		if (enc) {
			buf = xmalloc(end - s0 + 1);
			dn = pct_decode(u + s0, end - s0, buf);
			if (add_inner(s, buf, dn, where, flags, depth) ==
			    MS_ELIMIT)
				rc = MS_ELIMIT;
			xfree(buf);
		} else if (add_inner(s, u + s0, end - s0, where, flags,
		    depth) == MS_ELIMIT)
			rc = MS_ELIMIT;
		k = end;
	}
	return rc;
}
