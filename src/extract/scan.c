/* SPDX-License-Identifier: Apache-2.0 */
/*
 * scan.c -- indicators in UNTRUSTED plain text, in one linear pass.  The
 * text is first refanged (defang.c); then it is cut into tokens: runs of
 * host-name characters, and IPv6-looking runs.  What follows a token
 * decides what it is -- "://" makes a URL, "@" an email address -- and
 * otherwise the token is tested, cheapest test first, for a hash, an
 * IPv4 address and a domain.  No regular expressions: each byte is looked
 * at a small, bounded number of times.  Rules: docs/extract.md.
 */
#include <string.h>
#include <strings.h>

#include <glib.h>

#include "../common/limits.h"
#include "extract_int.h"

#define HOST_BUF	(253 * 4 + 8)

struct scan {
	struct ioc_set	*s;
	const char	*t;
	size_t		 n;
	const size_t	*marks;
	size_t		 nmarks;
	const char	*where;
	enum ms_err	 rc;	/* MS_ELIMIT once something was refused */
	/* Ends of candidates that failed: a token starting before one of
	 * them is not tried again as that kind, which keeps the scan linear
	 * on "http://http://http://..." and long colon runs. */
	size_t		 url_fail;
	size_t		 v6_fail;
	size_t		 b64_fail;
};

/*
 * Top-level domains that are more often something else: file extensions
 * ("invoice.zip", "setup.sh", "libfoo.so") and the attribute of code
 * ("server.name").  A bare name ending in one of them is not taken for a
 * domain unless it was written defanged or has three labels or more.
 */
static const char *const ext_tlds[] = {
	"cab", "md", "mov", "name", "one", "pm", "ps", "pub", "py", "sh", "so",
	"tf", "zip",
};

/*
 * A known top-level domain; or, for an email address the writer defanged
 * and so told us it is one, any alphabetic last label
 * ("user[at]example[.]tld").  Bare names always need a known TLD: "(.)"
 * between two words of prose is not enough.
 */
static int
tld_ok(const char *host, unsigned defang)
{
	const char	*t;

	if (extract__tld_known(host))
		return 1;
	if (!defang || (t = strrchr(host, '.')) == NULL || strlen(++t) < 2)
		return 0;
	for (; *t != '\0'; t++)
		if (!g_ascii_isalpha(*t))
			return 0;
	return 1;
}

/* ASCII hex digit. */
static int
is_hex(unsigned char c)
{
	return (c >= '0' && c <= '9') || ((c | 0x20) >= 'a' &&
	    (c | 0x20) <= 'f');
}

/* ASCII letter or digit. */
static int
is_alnum(unsigned char c)
{
	return (c >= '0' && c <= '9') || ((c | 0x20) >= 'a' &&
	    (c | 0x20) <= 'z');
}

/* Decode one UTF-8 sequence; returns its length, 0 when invalid. */
static size_t
u8dec(const unsigned char *p, size_t avail, uint32_t *cp)
{
	size_t	n, i;

	if (p[0] < 0xc2 || p[0] > 0xf4)
		return 0;
	n = p[0] < 0xe0 ? 2 : p[0] < 0xf0 ? 3 : 4;
	if (n > avail)
		return 0;
	*cp = p[0] & (0xff >> (n + 1));
	for (i = 1; i < n; i++) {
		if ((p[i] & 0xc0) != 0x80)
			return 0;
		*cp = (*cp << 6) | (p[i] & 0x3f);
	}
	return n;
}

/* Fullwidth forms of ASCII punctuation (not letters or digits). */
static int
fullwidth_punct(uint32_t cp)
{
	return (cp >= 0xff01 && cp <= 0xff0f) ||
	    (cp >= 0xff1a && cp <= 0xff20) || (cp >= 0xff3b && cp <= 0xff40) ||
	    (cp >= 0xff5b && cp <= 0xff65);
}

/* Spaces, punctuation and symbols end words even without ASCII. */
static int
u_break(uint32_t cp)
{
	return cp < 0xc0 || cp == 0xd7 || cp == 0xf7 ||
	    (cp >= 0x2000 && cp <= 0x2bff) || (cp >= 0x3000 && cp <= 0x303f) ||
	    (cp >= 0xfe30 && cp <= 0xfe4f) || fullwidth_punct(cp) ||
	    cp == 0xfeff || cp >= 0xfff0;
}

/* Length of the host-name character at 'i', or 0. */
static size_t
host_char(const struct scan *sc, size_t i)
{
	unsigned char	c = (unsigned char)sc->t[i];
	uint32_t	cp;
	size_t		l;

	if (c < 0x80)
		return is_alnum(c) || c == '-' || c == '.' || c == '_';
	if ((l = u8dec((const unsigned char *)sc->t + i, sc->n - i, &cp)) == 0)
		return 0;
	return u_break(cp) ? 0 : l;
}

/* Length of the character at 'i' when it may be part of a URL, or 0. */
static size_t
url_char(const struct scan *sc, size_t i)
{
	unsigned char	c = (unsigned char)sc->t[i];
	uint32_t	cp;
	size_t		l;

	if (c < 0x80)
		return c > 0x20 && c != 0x7f && c != '"' && c != '<' &&
		    c != '>' && c != '`' && c != '\\';
	if ((l = u8dec((const unsigned char *)sc->t + i, sc->n - i, &cp)) == 0)
		return 0;
	if (cp < 0xa1 || cp == 0xab || cp == 0xbb || cp == 0xfeff ||
	    fullwidth_punct(cp) ||
	    (cp >= 0x2000 && cp <= 0x206f) || (cp >= 0x3000 && cp <= 0x3002))
		return 0;
	return l;
}

/* Was any byte of [b, e) of the refanged text rewritten? */
static unsigned
defanged(const struct scan *sc, size_t b, size_t e)
{
	size_t	lo = 0, hi = sc->nmarks, mid;

	while (lo < hi) {
		mid = lo + (hi - lo) / 2;
		if (sc->marks[mid] < b)
			lo = mid + 1;
		else
			hi = mid;
	}
	return lo < sc->nmarks && sc->marks[lo] < e ? IOC_F_DEFANGED : 0;
}

/* Remember that a limit refused something; keep scanning. */
static void
note(struct scan *sc, enum ms_err rc)
{
	if (rc == MS_ELIMIT)
		sc->rc = MS_ELIMIT;
}

/* Hex runs of hash length in [b, e), bounded by non-hex bytes. */
static void
scan_hashes(struct scan *sc, size_t b, size_t e)
{
	char		 buf[129];
	const char	*h;
	size_t	 i = b, j, k;
	int	 digit, letter;
	enum ioc_kind	kind;

	while (i < e) {
		if (!is_hex((unsigned char)sc->t[i])) {
			i++;
			continue;
		}
		digit = letter = 0;
		for (j = i; j < sc->n && is_hex((unsigned char)sc->t[j]); j++) {
			if (sc->t[j] <= '9')
				digit = 1;
			else
				letter = 1;
		}
		switch (j - i) {
		case 32: kind = IOC_MD5; break;
		case 40: kind = IOC_SHA1; break;
		case 64: kind = IOC_SHA256; break;
		case 128: kind = IOC_SHA512; break;
		default: kind = IOC_KINDS; break;
		}
		/* Hex-encoded text holding "http": "687474703a2f2f..." */
		if (j - i >= 22 && kind == IOC_KINDS &&
		    (h = memmem(sc->t + i, j - i, "68747470", 8)) != NULL)
			note(sc, extract__hex_url(sc->s, h,
			    j - (size_t)(h - sc->t), sc->where, 0));
		if (kind != IOC_KINDS && digit && letter &&
		    (i == 0 || !is_hex((unsigned char)sc->t[i - 1]))) {
			for (k = 0; k < j - i; k++)
				buf[k] = g_ascii_tolower(sc->t[i + k]);
			buf[k] = '\0';
			note(sc, ioc__add(sc->s, kind, buf, NULL, NULL, NULL,
			    sc->where, defanged(sc, i, j), NULL));
		}
		i = j;
	}
}

#define URL_JOINS	4	/* spaces skipped in one defanged URL */

static const unsigned char bracket[256] = {
	['('] = 1, ['['] = 1, ['{'] = 1, ['<'] = 1,
	[')'] = 1, [']'] = 1, ['}'] = 1, ['>'] = 1,
};

/*
 * A space inside the host part of a URL with a scheme, written to defang
 * it: "http://example .com" or "http://example.com /path".  Only a single
 * space before "." or "/" that is followed by a word character counts.
 */
static int
url_join(const struct scan *sc, size_t j)
{
	return j + 2 < sc->n && j > 0 && sc->t[j] == ' ' &&
	    (sc->t[j + 1] == '.' || sc->t[j + 1] == '/') &&
	    is_alnum((unsigned char)sc->t[j + 2]) &&
	    is_alnum((unsigned char)sc->t[j - 1]);
}

/* Add [start, e) without the joined spaces at 'skip'. */
static enum ms_err
add_joined(struct scan *sc, size_t start, size_t e, const size_t *skip,
    size_t nskip, int schemeless, unsigned flags)
{
	char		*buf;
	size_t		 i, k = 0, n = 0;
	enum ms_err	 rc;

	if (nskip == 0)
		return extract__add_url(sc->s, sc->t + start, e - start,
		    schemeless, sc->where, flags);
	buf = xmalloc(e - start + 1);
	for (i = start; i < e; i++) {
		if (k < nskip && skip[k] == i) {
			k++;
			continue;
		}
		buf[n++] = sc->t[i];
	}
	rc = extract__add_url(sc->s, buf, n, schemeless, sc->where,
	    flags | IOC_F_DEFANGED);
	xfree(buf);
	return rc;
}

/*
 * A URL whose body starts at 'body' ('start' is the scheme, or "www.").
 * Trailing punctuation and unbalanced closing brackets are not part of
 * it.  Returns the end of the URL, or 0 when it is not one we keep.
 */
static size_t
scan_url(struct scan *sc, size_t start, size_t body, int schemeless)
{
	size_t		 j = body, e, l, opens[4] = { 0 }, closes[4] = { 0 };
	size_t		 skip[URL_JOINS], nskip = 0;
	const char	*op = "([{<", *cl = ")]}>", *p;
	int		 in_host = !schemeless;
	unsigned	 fl;
	char		 tag;
	enum ms_err	 rc;

	if (start < sc->url_fail)
		return 0;
	for (;;) {
		if (j < sc->n && in_host && nskip < URL_JOINS &&
		    url_join(sc, j)) {
			skip[nskip++] = j++;
			continue;
		}
		if (j >= sc->n || (l = url_char(sc, j)) == 0)
			break;
		if (sc->t[j] == '/' || sc->t[j] == '?' || sc->t[j] == '#')
			in_host = 0;
		if (!bracket[(unsigned char)sc->t[j]]) {
			j += l;
			continue;
		}
		if ((p = strchr(op, sc->t[j])) != NULL)
			opens[p - op]++;
		else if ((p = strchr(cl, sc->t[j])) != NULL) {
			/* "[text](http://...)" and "(see http://...)": an
			 * unbalanced closing bracket ends the URL unless a
			 * word character follows ("/a)b" is one path). */
			if (closes[p - cl] >= opens[p - cl] &&
			    (j + 1 >= sc->n ||
			    !is_alnum((unsigned char)sc->t[j + 1])))
				break;
			closes[p - cl]++;
		}
		j += l;
	}
	if (j - start > LIMIT_URL_BYTES)
		return j;	/* not a URL we keep; skip it whole */
	for (e = j; e > body; e--) {
		char	c = sc->t[e - 1];

		if (strchr(".,;:!?'\"*", c) != NULL)
			continue;
		if ((p = strchr(cl, c)) != NULL && closes[p - cl] >
		    opens[p - cl]) {
			closes[p - cl]--;
			continue;
		}
		break;
	}
	while (nskip > 0 && skip[nskip - 1] >= e)
		nskip--;
	sc->url_fail = j;	/* undone below when the URL is kept */
	if (e <= body)
		return 0;
	fl = defanged(sc, start, e);
	tag = (char)('A' + (schemeless ? 1 : 0) + (fl ? 2 : 0));
	if (!ioc__raw_get(sc->s, tag, sc->t + start, e - start, &rc)) {
		rc = add_joined(sc, start, e, skip, nskip, schemeless, fl);
		ioc__raw_put(sc->s, tag, sc->t + start, e - start, rc);
		if (rc != MS_EPARSE)
			note(sc, extract__nested(sc->s, sc->t + start,
			    e - start, sc->where, fl, 0));
	}
	if (rc == MS_EPARSE)
		return 0;
	sc->url_fail = 0;
	note(sc, rc);
	scan_hashes(sc, body, e);
	return e;
}

/*
 * "smtp.mailfrom=user@example.com" in Authentication-Results, "i=@..."
 * in DKIM-Signature: a header key glued to the address with "=".  Only
 * these keys are skipped; other '=' are part of the local part (VERP and
 * SRS bounce addresses use them).
 */
static size_t
skip_key(const struct scan *sc, size_t ls, size_t at)
{
	static const char *const keys[] = { "smtp.mailfrom=",
	    "smtp.from=", "smtp.helo=", "header.from=", "header.i=",
	    "header.d=", "envelope-from=", "i=", "d=", "s=" };
	size_t	i, n;

	for (i = 0; i < MS_ARRAY_LEN(keys); i++) {
		n = strlen(keys[i]);
		if (at - ls > n && g_ascii_strncasecmp(sc->t + ls, keys[i],
		    n) == 0)
			return ls + n;
	}
	return ls;
}

/* 'at' is an '@' after the token starting at 'i'. */
static size_t
scan_email(struct scan *sc, size_t i, size_t at)
{
	char		 host[HOST_BUF], uni[HOST_BUF];
	size_t		 ls = at, de = at + 1, l;
	unsigned	 flags;
	char		 tag;
	enum ms_err	 rc;

	while (ls > 0 && at - ls < 64 && (is_alnum((unsigned char)
	    sc->t[ls - 1]) || strchr(".!#$%&'*+/=?^_`{|}~-", sc->t[ls - 1])))
		ls--;
	ls = skip_key(sc, ls, at);
	while (ls < at && !is_alnum((unsigned char)sc->t[ls]) &&
	    sc->t[ls] != '_')
		ls++;
	while (de < sc->n && (l = host_char(sc, de)) > 0)
		de += l;
	while (de > at + 1 && (sc->t[de - 1] == '.' || sc->t[de - 1] == '-'))
		de--;
	if (ls == at || de == at + 1)
		return at + 1;
	flags = defanged(sc, ls, de);
	if (ls >= 7 && g_ascii_strncasecmp(sc->t + ls - 7, "mailto:", 7) == 0)
		flags |= IOC_F_MAILTO;
	tag = (char)('a' + flags);
	if (!ioc__raw_get(sc->s, tag, sc->t + ls, de - ls, &rc)) {
		rc = MS_EPARSE;
		if (extract__host_ascii(sc->t + at + 1, de - at - 1, host,
		    sizeof(host), uni, sizeof(uni)) == 0 &&
		    strchr(host, '.') != NULL && tld_ok(host, flags))
			rc = extract__add_email(sc->s, sc->t + ls, at - ls,
			    host, strlen(host), sc->where, flags);
		ioc__raw_put(sc->s, tag, sc->t + ls, de - ls, rc);
	}
	if (rc == MS_EPARSE)
		return at + 1;
	note(sc, rc);
	return de;
}

/* IPv6 candidates: hex digits, colons and dots, two colons or more. */
static size_t
scan_ipv6(struct scan *sc, size_t i)
{
	char	out[64];
	size_t	e = i, colons = 0, groups = 0, digits = 0, run = 0;

	if (i < sc->v6_fail)
		return 0;
	for (; e < sc->n; e++) {
		unsigned char	c = (unsigned char)sc->t[e];

		if (c == ':') {
			colons++;
			run = 0;
		} else if (is_hex(c) || c == '.') {
			if (run++ == 0)
				groups++;
			digits++;
		} else
			break;
	}
	if (colons < 2)
		return 0;
	sc->v6_fail = e;
	if (e - i > 64 || groups < 2 || digits < 4)
		return 0;
	if (e < sc->n && host_char(sc, e))
		return 0;
	while (e > i + 1 && (sc->t[e - 1] == '.' || (sc->t[e - 1] == ':' &&
	    sc->t[e - 2] != ':')))
		e--;
	if (extract__ipv6(sc->t + i, e - i, out) != 0)
		return 0;
	sc->v6_fail = 0;
	note(sc, extract__add_ip(sc->s, out, 1, sc->where, defanged(sc, i, e)));
	return e;
}

/* Is 'tld' one of the file-extension TLDs above? */
static int
ext_tld(const char *tld)
{
	size_t	i;

	for (i = 0; i < MS_ARRAY_LEN(ext_tlds); i++)
		if (strcmp(tld, ext_tlds[i]) == 0)
			return 1;
	return 0;
}

/*
 * Is [b, e) a domain name we keep?  A known TLD, IDNA-valid, and not
 * "name.ext" with a file-extension TLD unless defanged.  The ASCII and
 * Unicode forms go to 'host' and 'uni' (HOST_BUF each); NULL for a test
 * only.
 */
static int
name_ok(const struct scan *sc, size_t b, size_t e, unsigned fl, char *host,
    char *uni)
{
	char		 h[HOST_BUF], u[HOST_BUF];
	const char	*tld;
	size_t		 k, dots = 0;

	if (host == NULL) {
		host = h;
		uni = u;
	}
	if (memchr(sc->t + b, '_', e - b) != NULL)
		return 0;	/* "pcm_type.name": an identifier */
	if (extract__host_ascii(sc->t + b, e - b, host, HOST_BUF, uni,
	    HOST_BUF) != 0 || !extract__tld_known(host))
		return 0;
	tld = strrchr(host, '.') + 1;
	for (k = 0; host[k] != '\0'; k++)
		dots += host[k] == '.';
	return fl || dots > 1 || !ext_tld(tld);
}

/*
 * "words1.1.1.1words": a dotted quad glued to letters on both sides,
 * inside a token that is not a domain.  Letters on one side only are a
 * version ("v1.8.1.4"); digits or dots next to it an OID.
 */
static void
scan_ipv4_in(struct scan *sc, size_t b, size_t e)
{
	char	ip[16];
	size_t	i = b, j;

	while (i < e) {
		if (!g_ascii_isdigit(sc->t[i])) {
			i++;
			continue;
		}
		for (j = i; j < e && (g_ascii_isdigit(sc->t[j]) ||
		    sc->t[j] == '.'); j++)
			;
		if (i > b && g_ascii_isalpha(sc->t[i - 1]) && j < e &&
		    g_ascii_isalpha(sc->t[j]) &&
		    extract__ipv4(sc->t + i, j - i, ip) == 0)
			note(sc, extract__add_ip(sc->s, ip, 0, sc->where,
			    defanged(sc, i, j)));
		i = j;
	}
}

/* The token [b, e) as an IPv4 address or a bare domain. */
static void
scan_name(struct scan *sc, size_t b, size_t e)
{
	char		 host[HOST_BUF], uni[HOST_BUF], ip[16], tag;
	const char	*rt;
	unsigned	 fl;
	enum ms_err	 rc;

	while (b < e && (sc->t[b] == '.' || sc->t[b] == '-' ||
	    sc->t[b] == '_'))
		b++;
	while (e > b && (sc->t[e - 1] == '.' || sc->t[e - 1] == '-' ||
	    sc->t[e - 1] == '_'))
		e--;
	if (e - b < 3 || (rt = memrchr(sc->t + b, '.', e - b)) == NULL)
		return;
	fl = defanged(sc, b, e);
	if (g_ascii_isdigit(sc->t[e - 1])) {
		if (extract__ipv4(sc->t + b, e - b, ip) == 0)
			note(sc, extract__add_ip(sc->s, ip, 0, sc->where, fl));
		return;
	}
	/* "Sentence.The": a title-case last label is prose, not a TLD. */
	if (g_ascii_isupper(rt[1]) && e - (size_t)(rt - sc->t) > 2 &&
	    g_ascii_islower(rt[2]))
		return;
	/* "example[.]com/path": defanged, so meant as a link. */
	if (fl && e < sc->n && sc->t[e] == '/' && name_ok(sc, b, e, fl, NULL,
	    NULL) && scan_url(sc, b, b, 1) > 0)
		return;
	tag = fl ? 'y' : 'x';
	if (ioc__raw_get(sc->s, tag, sc->t + b, e - b, &rc)) {
		note(sc, rc);
		return;
	}
	if (name_ok(sc, b, e, fl, host, uni))
		rc = extract__add_domain(sc->s, host, uni, sc->where, fl);
	else {
		rc = MS_EPARSE;
		scan_ipv4_in(sc, b, e);
	}
	ioc__raw_put(sc->s, tag, sc->t + b, e - b, rc);
	note(sc, rc);
}

static int
is_scheme(const char *p, size_t n)
{
	static const char *const sc[] = { "http", "https", "ftp", "ftps",
	    "sftp", "tcp", "udp", "ws", "wss" };
	size_t	i;

	for (i = 0; i < MS_ARRAY_LEN(sc); i++)
		if (strlen(sc[i]) == n && g_ascii_strncasecmp(p, sc[i], n) == 0)
			return 1;
	return 0;
}

/* One token starting at 'i'; returns where scanning resumes. */
static size_t
scan_token(struct scan *sc, size_t i)
{
	const char	*t = sc->t;
	size_t		 e = i, l, r;
	enum ms_err	 rc;

	if (is_hex((unsigned char)t[i]) || t[i] == ':') {
		if ((r = scan_ipv6(sc, i)) > 0)
			return r;
		if (t[i] == ':')
			return i + 1;
	}
	while (e < sc->n && (l = host_char(sc, e)) > 0)
		e += l;
	if (e == i)
		return i + 1;
	if (sc->n - e > 9 && g_ascii_strncasecmp(t + e, "%3A%2F%2F", 9) == 0 &&
	    is_scheme(t + i, e - i)) {
		/* "http%3A%2F%2Fexample%2Ecom" */
		for (r = e; r < sc->n && url_char(sc, r) == 1; r++)
			;
		rc = extract__pct_url(sc->s, t + i, r - i, sc->where, 0);
		if (rc != MS_EPARSE) {
			note(sc, rc);
			return r;
		}
	}
	if (sc->n - e >= 3 && t[e] == ':' && t[e + 1] == '/' &&
	    t[e + 2] == '/') {
		if (is_scheme(t + i, e - i) &&
		    (r = scan_url(sc, i, e + 3, 0)) > 0)
			return r;
		return e + 3;
	}
	if (e < sc->n && t[e] == '@')
		return scan_email(sc, i, e);
	if (e - i > 4 && g_ascii_strncasecmp(t + i, "www.", 4) == 0 &&
	    (r = scan_url(sc, i, i, 1)) > 0)
		return r;
	if (e - i >= 16 && i >= sc->b64_fail) {
		/* base64 that decodes to a URL: "aHR0cDovL2V4YW1wbGUuY29t" */
		rc = extract__b64_url(sc->s, t + i, sc->n - i, sc->where, 0,
		    0, &r);
		if (rc != MS_EPARSE) {
			note(sc, rc);
			return i + r;
		}
		sc->b64_fail = i + r;
	}
	scan_hashes(sc, i, e);
	if (memchr(t + i, '.', e - i) != NULL)
		scan_name(sc, i, e);
	return e;
}

/* The main loop: skip separators, hand each token start on. */
static void
scan_all(struct scan *sc)
{
	size_t		i = 0, l;
	unsigned char	c;
	uint32_t	cp;

	while (i < sc->n) {
		c = (unsigned char)sc->t[i];
		if (c < 0x80) {
			if (is_alnum(c) || c == ':')
				i = scan_token(sc, i);
			else
				i++;
			continue;
		}
		l = u8dec((const unsigned char *)sc->t + i, sc->n - i, &cp);
		if (l == 0)
			i++;
		else if (u_break(cp))
			i += l;
		else
			i = scan_token(sc, i);
	}
}

/* Refang (or fall back to the raw text), then scan. */
enum ms_err
extract_text(struct ioc_set *s, const char *text, size_t len,
    const char *where)
{
	struct scan	 sc;
	char		*rf;
	size_t		 rflen;
	size_t		*marks;
	size_t		 nmarks;
	enum ms_err	 rc = MS_OK;

	if (s == NULL)
		return MS_ELIMIT;
	if (len > LIMIT_EXTRACT_BYTES) {
		len = LIMIT_EXTRACT_BYTES;
		rc = MS_ELIMIT;
	}
	memset(&sc, 0, sizeof(sc));
	sc.s = s;
	sc.where = where;
	if (extract__refang(ioc__arena(s), text, len, &rf, &rflen, &marks,
	    &nmarks) == MS_OK) {
		sc.t = rf;
		sc.n = rflen;
		sc.marks = marks;
		sc.nmarks = nmarks;
	} else {
		/* No room for the refanged copy: plain text still works. */
		sc.t = text;
		sc.n = len;
		rc = MS_ELIMIT;
	}
	scan_all(&sc);
	return sc.rc != MS_OK ? sc.rc : rc;
}
