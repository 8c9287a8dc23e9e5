/* SPDX-License-Identifier: Apache-2.0 */
/*
 * url.c -- canonical forms: URLs through libcurl's URL API, host names
 * through libidn2 (IDNA 2008 / UTS #46) and libpsl, IP addresses through
 * inet_pton(3).  Also the single-item entry points extract_url(),
 * extract_email(), extract_domain() and extract_ip().  Runs in the
 * analysing process; every string it is handed is UNTRUSTED, and libcurl
 * is used only as a parser here (no handle ever connects).
 */
#include <arpa/inet.h>
#include <string.h>

#include <curl/curl.h>
#include <glib.h>
#include <idn2.h>
#include <libpsl.h>

#include "../common/limits.h"
#include "extract_int.h"

#define HOST_MAX	253	/* RFC 1035 name, without the root dot */
#define LABEL_MAX	63

/*
 * Schemes whose URLs we keep.  tcp/udp appear in threat reports as C2
 * addresses; the rest are what mail links and malware downloads use.
 */
static const char *const schemes[] = {
	"http", "https", "ftp", "ftps", "sftp", "tcp", "udp", "ws", "wss",
};

/* Is the (lower-case) scheme one we keep? */
static int
scheme_ok(const char *sc)
{
	size_t	i;

	for (i = 0; i < MS_ARRAY_LEN(schemes); i++)
		if (strcmp(sc, schemes[i]) == 0)
			return 1;
	return 0;
}

/* ASCII lower case, other bytes unchanged. */
static char
lower(char c)
{
	return c >= 'A' && c <= 'Z' ? (char)(c - 'A' + 'a') : c;
}

/* Check label lengths and characters of an ASCII, lower-case name. */
static int
host_valid(const char *h)
{
	size_t	label = 0, total = 0;

	for (; *h != '\0'; h++, total++) {
		if (*h == '.') {
			if (label == 0)
				return -1;
			label = 0;
			continue;
		}
		if (!((*h >= 'a' && *h <= 'z') || (*h >= '0' && *h <= '9') ||
		    *h == '-' || *h == '_'))
			return -1;
		if (++label > LABEL_MAX)
			return -1;
	}
	if (label == 0 || total > HOST_MAX)
		return -1;
	return 0;
}

/*
 * Convert with libidn2.  Non-transitional processing first (IDNA 2008,
 * what browsers do today), then transitional for names only the older
 * rules accept, so that a host a mail client would resolve is not lost.
 */
int
extract__host_ascii(const char *host, size_t len, char *out, size_t outsz,
    char *uni, size_t unisz)
{
	char	 tmp[HOST_MAX * 4 + 8];
	char	*p = NULL;
	size_t	 i;
	int	 ascii = 1, rc = -1;

	uni[0] = '\0';
	while (len > 0 && host[len - 1] == '.')
		len--;
	if (len == 0 || len >= sizeof(tmp))
		return -1;
	for (i = 0; i < len; i++) {
		if (host[i] == '\0')
			return -1;
		if ((unsigned char)host[i] >= 0x80)
			ascii = 0;
		tmp[i] = lower(host[i]);
	}
	tmp[len] = '\0';
	if (ascii) {
		if (len >= outsz)
			return -1;
		memcpy(out, tmp, len + 1);
	} else {
		if (idn2_to_ascii_8z(tmp, &p, IDN2_NFC_INPUT |
		    IDN2_NONTRANSITIONAL) != IDN2_OK &&
		    idn2_to_ascii_8z(tmp, &p, IDN2_NFC_INPUT |
		    IDN2_TRANSITIONAL) != IDN2_OK)
			goto out;
		if (strlen(p) >= outsz)
			goto out;
		for (i = 0; p[i] != '\0'; i++)
			out[i] = lower(p[i]);
		out[i] = '\0';
		idn2_free(p);
		p = NULL;
	}
	if (host_valid(out) != 0)
		goto out;
	if (strncmp(out, "xn--", 4) == 0 || strstr(out, ".xn--") != NULL) {
		if (idn2_to_unicode_8z8z(out, &p, 0) == IDN2_OK &&
		    strlen(p) < unisz && strcmp(p, out) != 0)
			memcpy(uni, p, strlen(p) + 1);
	}
	rc = 0;
out:
	idn2_free(p);
	return rc;
}

int
extract_host_ascii(const char *host, char *out, size_t outsz)
{
	char	uni[8];

	/* The Unicode form is not wanted: a buffer too small for any IDN
	 * keeps it empty. */
	return extract__host_ascii(host, strlen(host), out, outsz, uni,
	    sizeof(uni));
}

/*
 * The last label as a public suffix on its own, through
 * libpsl without the "*" rule, so only real TLDs count.
 */
int
extract__tld_known(const char *host)
{
	const char	*tld = strrchr(host, '.');

	tld = tld == NULL ? host : tld + 1;
	if (*tld == '\0' || (*tld >= '0' && *tld <= '9'))
		return 0;
	return psl_is_public_suffix2(extract__psl(), tld,
	    PSL_TYPE_ANY | PSL_TYPE_NO_STAR_RULE);
}

const char *
extract_registrable(const char *host)
{
	if (host == NULL || *host == '\0')
		return NULL;
	return psl_registrable_domain(extract__psl(), host);
}

/* Add an ASCII host with its registrable domain. */
enum ms_err
extract__add_domain(struct ioc_set *s, const char *host, const char *uni,
    const char *where, unsigned flags)
{
	const char	*reg;

	if (uni != NULL && *uni != '\0')
		flags |= IOC_F_IDN;
	else
		uni = NULL;
	reg = psl_registrable_domain(extract__psl(), host);
	return ioc__add(s, IOC_DOMAIN, host, uni, host, reg, where, flags,
	    NULL);
}

/* Strict dotted quad: four parts of 1-3 digits, no leading zeros. */
int
extract__ipv4(const char *p, size_t n, char *out)
{
	unsigned	v[4];
	size_t		i = 0, part = 0, digits = 0;

	memset(v, 0, sizeof(v));
	for (i = 0; i < n; i++) {
		if (p[i] == '.') {
			if (digits == 0 || ++part > 3)
				return -1;
			digits = 0;
			continue;
		}
		if (p[i] < '0' || p[i] > '9')
			return -1;
		if (digits > 0 && v[part] == 0)
			return -1;	/* leading zero: octal in inet_aton */
		v[part] = v[part] * 10 + (unsigned)(p[i] - '0');
		if (++digits > 3 || v[part] > 255)
			return -1;
	}
	if (part != 3 || digits == 0)
		return -1;
	snprintf(out, 16, "%u.%u.%u.%u", v[0], v[1], v[2], v[3]);
	return 0;
}

/* inet_pton(3) then inet_ntop(3): validation and RFC 5952 form. */
int
extract__ipv6(const char *p, size_t n, char *out)
{
	char		buf[INET6_ADDRSTRLEN + 1];
	struct in6_addr	a6;

	if (n < 2 || n >= sizeof(buf))
		return -1;
	memcpy(buf, p, n);
	buf[n] = '\0';
	if (inet_pton(AF_INET6, buf, &a6) != 1)
		return -1;
	if (inet_ntop(AF_INET6, &a6, out, INET6_ADDRSTRLEN) == NULL)
		return -1;
	return 0;
}

/*
 * Private, loopback, link-local, shared, documentation,
 * benchmarking, multicast and reserved IPv4 ranges.
 */
static int
v4_private(const unsigned char *b)
{
	return b[0] == 0 || b[0] == 10 || b[0] == 127 || b[0] >= 224 ||
	    (b[0] == 100 && (b[1] & 0xc0) == 64) ||
	    (b[0] == 169 && b[1] == 254) ||
	    (b[0] == 172 && (b[1] & 0xf0) == 16) ||
	    (b[0] == 192 && b[1] == 0 && (b[2] == 0 || b[2] == 2)) ||
	    (b[0] == 192 && b[1] == 168) ||
	    (b[0] == 198 && (b[1] & 0xfe) == 18) ||
	    (b[0] == 198 && b[1] == 51 && b[2] == 100) ||
	    (b[0] == 203 && b[1] == 0 && b[2] == 113);
}

/* The IPv6 counterparts, and mapped private IPv4. */
static int
v6_private(const unsigned char *b)
{
	static const unsigned char	zero[16];
	static const unsigned char	mapped[12] = { [10] = 0xff, 0xff };

	if (memcmp(b, zero, 15) == 0)
		return 1;			/* :: and ::1 */
	if (memcmp(b, mapped, 12) == 0)
		return v4_private(b + 12);	/* ::ffff:a.b.c.d */
	return (b[0] & 0xfe) == 0xfc ||		/* fc00::/7 unique local */
	    (b[0] == 0xfe && (b[1] & 0x80) == 0x80) || /* fe80::/9 */
	    b[0] == 0xff ||			/* multicast */
	    (b[0] == 0x20 && b[1] == 0x01 && b[2] == 0x0d && b[3] == 0xb8) ||
	    (b[0] == 0x01 && b[1] == 0x00 && memcmp(b + 2, zero, 6) == 0);
}

/* Textual IP to the range checks above. */
int
extract_ip_is_private(const char *ip)
{
	unsigned char	b[16];

	if (inet_pton(AF_INET, ip, b) == 1)
		return v4_private(b);
	if (inet_pton(AF_INET6, ip, b) == 1)
		return v6_private(b);
	return 0;
}

/* Add a canonical IP with its IPV6 and PRIVATE flags. */
enum ms_err
extract__add_ip(struct ioc_set *s, const char *ip, int v6,
    const char *where, unsigned flags)
{
	if (v6)
		flags |= IOC_F_IPV6;
	if (extract_ip_is_private(ip))
		flags |= IOC_F_PRIVATE;
	return ioc__add(s, IOC_IP, ip, NULL, NULL, NULL, where, flags, NULL);
}

/* Free what extract__url_canon() allocated. */
void
extract__url_clear(struct extract__url *u)
{
	xfree(u->url);
	xfree(u->host);
	xfree(u->unicode);
	memset(u, 0, sizeof(*u));
}

/* Replace curl's host with our canonical one; fills u->host, flags. */
static int
canon_host(CURLU *h, const char *host, struct extract__url *u)
{
	char	out[HOST_MAX + 8], uni[HOST_MAX * 4 + 8], lit[HOST_MAX + 16];
	size_t	n = strlen(host);

	if (host[0] == '[') {
		if (n < 3 || host[n - 1] != ']' ||
		    extract__ipv6(host + 1, n - 2, out) != 0)
			return -1;
		snprintf(lit, sizeof(lit), "[%s]", out);
		if (curl_url_set(h, CURLUPART_HOST, lit, 0) != CURLUE_OK)
			return -1;
		u->flags |= IOC_F_IP_HOST | IOC_F_IPV6;
	} else if (extract__ipv4(host, n, out) == 0) {
		u->flags |= IOC_F_IP_HOST;
	} else {
		if (extract__host_ascii(host, n, out, sizeof(out), uni,
		    sizeof(uni)) != 0)
			return -1;
		if (curl_url_set(h, CURLUPART_HOST, out, 0) != CURLUE_OK)
			return -1;
		if (uni[0] != '\0') {
			u->unicode = xstrdup(uni);
			u->flags |= IOC_F_IDN;
		}
	}
	u->host = xstrdup(out);
	return 0;
}

/*
 * Parse with libcurl, keep known schemes only, replace the
 * host by its canonical form, render without the default port.
 */
enum ms_err
extract__url_canon(const char *url, size_t len, int schemeless,
    struct extract__url *u)
{
	CURLU		*h = NULL;
	char		*buf = NULL, *scheme = NULL, *host = NULL, *out = NULL;
	size_t		 off = schemeless ? 7 : 0;
	enum ms_err	 rc = MS_EPARSE;

	memset(u, 0, sizeof(*u));
	if (len == 0 || len > LIMIT_URL_BYTES || memchr(url, '\0', len))
		return MS_EPARSE;
	buf = xmalloc(len + off + 1);
	memcpy(buf, "http://", off);
	memcpy(buf + off, url, len);
	buf[off + len] = '\0';
	if ((h = curl_url()) == NULL)
		goto out;
	if (curl_url_set(h, CURLUPART_URL, buf,
	    CURLU_NON_SUPPORT_SCHEME | CURLU_URLENCODE) != CURLUE_OK)
		goto out;
	if (curl_url_get(h, CURLUPART_SCHEME, &scheme, 0) != CURLUE_OK ||
	    !scheme_ok(scheme))
		goto out;
	if (curl_url_get(h, CURLUPART_HOST, &host, 0) != CURLUE_OK ||
	    host[0] == '\0')
		goto out;
	if (canon_host(h, host, u) != 0)
		goto out;
	if (curl_url_get(h, CURLUPART_URL, &out, CURLU_NO_DEFAULT_PORT) !=
	    CURLUE_OK)
		goto out;
	u->url = xstrdup(out);
	rc = MS_OK;
out:
	if (rc != MS_OK)
		extract__url_clear(u);
	curl_free(out);
	curl_free(host);
	curl_free(scheme);
	curl_url_cleanup(h);
	xfree(buf);
	return rc;
}

/* The canonical URL copied into 'a'. */
const char *
extract_url_normalise(struct arena *a, const char *url, size_t len)
{
	struct extract__url	 u;
	char			*p;

	if (extract__url_canon(url, len, 0, &u) != MS_OK)
		return NULL;
	p = arena_strdup(a, u.url);
	extract__url_clear(&u);
	return p;
}

/*
 * The URL goes in first, then its host: an IP, or a domain when the
 * name has a dot (single-label hosts like "intranet" say little).
 */
enum ms_err
extract__add_url(struct ioc_set *s, const char *url, size_t len,
    int schemeless, const char *where, unsigned flags)
{
	struct extract__url	 u;
	const char		*reg = NULL;
	enum ms_err		 rc, rc2 = MS_OK;
	unsigned		 hf = flags & IOC_F_DEFANGED;

	if ((rc = extract__url_canon(url, len, schemeless, &u)) != MS_OK)
		return rc;
	if (schemeless)
		flags |= IOC_F_SCHEMELESS;
	flags |= u.flags;
	if (!(u.flags & IOC_F_IP_HOST))
		reg = psl_registrable_domain(extract__psl(), u.host);
	rc = ioc__add(s, IOC_URL, u.url, u.unicode, u.host, reg, where,
	    flags, NULL);
	if (u.flags & IOC_F_IP_HOST)
		rc2 = extract__add_ip(s, u.host, (u.flags & IOC_F_IPV6) != 0,
		    where, hf);
	else if (strchr(u.host, '.') != NULL)
		rc2 = extract__add_domain(s, u.host, u.unicode, where, hf);
	extract__url_clear(&u);
	return rc != MS_OK ? rc : rc2;
}

/* Characters of an unquoted local part (RFC 5322 atext). */
static int
local_char(unsigned char c)
{
	return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') ||
	    (c >= '0' && c <= '9') || c >= 0x80 ||
	    strchr(".!#$%&'*+/=?^_`{|}~-", c) != NULL;
}

/*
 * Validate the local part and domain; add the address and
 * its domain.
 */
enum ms_err
extract__add_email(struct ioc_set *s, const char *local, size_t llen,
    const char *domain, size_t dlen, const char *where, unsigned flags)
{
	char	host[HOST_MAX + 8], uni[HOST_MAX * 4 + 8];
	char	addr[64 + HOST_MAX + 8];
	size_t	i;
	enum ms_err	rc;

	if (llen == 0 || llen > 64 || local[0] == '.' ||
	    local[llen - 1] == '.')
		return MS_EPARSE;
	for (i = 0; i < llen; i++)
		if (!local_char((unsigned char)local[i]) ||
		    (local[i] == '.' && local[i + 1] == '.'))
			return MS_EPARSE;
	if (extract__host_ascii(domain, dlen, host, sizeof(host), uni,
	    sizeof(uni)) != 0 || strchr(host, '.') == NULL)
		return MS_EPARSE;
	snprintf(addr, sizeof(addr), "%.*s@%s", (int)llen, local, host);
	rc = ioc__add(s, IOC_EMAIL, addr, uni[0] ? uni : NULL, host,
	    psl_registrable_domain(extract__psl(), host), where, flags, NULL);
	if (rc == MS_OK)
		rc = extract__add_domain(s, host, uni, where,
		    flags & IOC_F_DEFANGED);
	return rc;
}

/*
 * "mailto:a@x.com,b@y.org?subject=..": each address of the list, with
 * IOC_F_MAILTO.  %40-style escapes are not decoded.  MS_EPARSE when no
 * address was good; otherwise the worst of MS_OK and MS_ELIMIT.
 */
static enum ms_err
add_mailto(struct ioc_set *s, const char *p, size_t len, const char *where)
{
	const char	*end = p + len, *q, *e, *at;
	enum ms_err	 rc = MS_EPARSE, r;

	if ((q = memchr(p, '?', len)) != NULL)
		end = q;
	for (; p < end; p = e + 1) {
		if ((e = memchr(p, ',', (size_t)(end - p))) == NULL)
			e = end;
		at = memrchr(p, '@', (size_t)(e - p));
		if (at != NULL) {
			r = extract__add_email(s, p, (size_t)(at - p), at + 1,
			    (size_t)(e - at - 1), where, IOC_F_MAILTO);
			if (r == MS_ELIMIT || rc == MS_EPARSE)
				rc = r;
		}
		if (e == end)
			break;
	}
	return rc;
}

/* One URL from a header or a link: mailto: gives email addresses. */
enum ms_err
extract_url(struct ioc_set *s, const char *url, size_t len,
    const char *where)
{
	while (len > 0 && (*url == ' ' || *url == '\t' || *url == '<')) {
		url++;
		len--;
	}
	while (len > 0 && (url[len - 1] == ' ' || url[len - 1] == '\t' ||
	    url[len - 1] == '>' || url[len - 1] == '\r' ||
	    url[len - 1] == '\n'))
		len--;
	if (len >= 7 && g_ascii_strncasecmp(url, "mailto:", 7) == 0)
		return add_mailto(s, url + 7, len - 7, where);
	return extract__add_url(s, url, len, 0, where, 0);
}

/* One addr-spec, angle brackets and spaces allowed around. */
enum ms_err
extract_email(struct ioc_set *s, const char *addr, const char *where)
{
	const char	*at, *end;

	while (*addr == ' ' || *addr == '<')
		addr++;
	end = addr + strlen(addr);
	while (end > addr && (end[-1] == ' ' || end[-1] == '>'))
		end--;
	at = memrchr(addr, '@', (size_t)(end - addr));
	if (at == NULL)
		return MS_EPARSE;
	return extract__add_email(s, addr, (size_t)(at - addr), at + 1,
	    (size_t)(end - at - 1), where, 0);
}

/* One IPv4 or IPv6 address, brackets allowed around IPv6. */
enum ms_err
extract_ip(struct ioc_set *s, const char *ip, const char *where)
{
	char	out[INET6_ADDRSTRLEN + 1];
	size_t	n = strlen(ip);

	if (n > 2 && ip[0] == '[' && ip[n - 1] == ']') {
		ip++;
		n -= 2;
	}
	if (extract__ipv4(ip, n, out) == 0)
		return extract__add_ip(s, out, 0, where, 0);
	if (extract__ipv6(ip, n, out) == 0)
		return extract__add_ip(s, out, 1, where, 0);
	return MS_EPARSE;
}

/* One host name (or IP) from a header. */
enum ms_err
extract_domain(struct ioc_set *s, const char *host, const char *where)
{
	char	out[HOST_MAX + 8], uni[HOST_MAX * 4 + 8];

	if (extract_ip(s, host, where) == MS_OK)
		return MS_OK;
	if (extract__host_ascii(host, strlen(host), out, sizeof(out), uni,
	    sizeof(uni)) != 0 || strchr(out, '.') == NULL)
		return MS_EPARSE;
	return extract__add_domain(s, out, uni, where, 0);
}
