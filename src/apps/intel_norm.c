/* SPDX-License-Identifier: Apache-2.0 */
/*
 * intel_norm.c -- intel_normalise (intel.h): the one form in which
 * threat-intel values are stored and compared, so that "Evil.COM." in a
 * feed matches "evil.com" in an email.  Pure functions over UNTRUSTED
 * strings: bounded by the caller's buffer, no allocation, no globals;
 * they run in the CLI while loading and on the intel app's workers.
 */
#include <arpa/inet.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <glib.h>

#include "intel.h"
#include "../extract/extract.h"

static const char *const kind_names[INTEL_KIND_COUNT] = {
	"ip", "domain", "url", "hash", "email", "asn"
};

const char *
intel_kind_name(enum intel_kind kind)
{
	if ((unsigned)kind >= INTEL_KIND_COUNT)
		return "?";
	return kind_names[kind];
}

int
intel_kind_parse(const char *name)
{
	int	i;

	for (i = 0; name != NULL && i < INTEL_KIND_COUNT; i++)
		if (strcmp(name, kind_names[i]) == 0)
			return i;
	return -1;
}

/* Copy 'n' bytes of 's' into 'out' with a NUL, or MS_ELIMIT. */
static enum ms_err
put(char *out, size_t outlen, const char *s, size_t n)
{
	if (n >= outlen)
		return MS_ELIMIT;
	memcpy(out, s, n);
	out[n] = '\0';
	return MS_OK;
}

/* 'v' without leading and trailing white space: start and length. */
static const char *
trim(const char *v, size_t *n)
{
	size_t	len;

	while (g_ascii_isspace(*v))
		v++;
	len = strlen(v);
	while (len > 0 && g_ascii_isspace(v[len - 1]))
		len--;
	*n = len;
	return v;
}

/* A decimal prefix length of at most 'max', or -1. */
static int
prefix_len(const char *p, int max)
{
	int	v = 0;

	if (*p == '\0' || strlen(p) > 3)
		return -1;
	for (; *p != '\0'; p++) {
		if (!g_ascii_isdigit(*p))
			return -1;
		v = v * 10 + (*p - '0');
	}
	return v <= max ? v : -1;
}

static enum ms_err
norm_ip(const char *v, size_t n, char *out, size_t outlen)
{
	unsigned char	 b[16];
	char		 buf[64], text[INET6_ADDRSTRLEN];
	char		*slash;
	int		 af = AF_INET, bits = 32, plen, i;

	if (n == 0 || n >= sizeof(buf))
		return MS_EPARSE;
	memcpy(buf, v, n);
	buf[n] = '\0';
	if ((slash = strchr(buf, '/')) != NULL)
		*slash++ = '\0';
	if (inet_pton(AF_INET, buf, b) != 1) {
		af = AF_INET6;
		bits = 128;
		if (inet_pton(AF_INET6, buf, b) != 1)
			return MS_EPARSE;
	}
	plen = bits;
	if (slash != NULL && (plen = prefix_len(slash, bits)) < 0)
		return MS_EPARSE;
	/* Zero the host bits: "192.0.2.7/24" is the network 192.0.2.0/24. */
	for (i = plen; i < bits; i++)
		b[i / 8] &= (unsigned char)~(0x80u >> (i % 8));
	if (inet_ntop(af, b, text, sizeof(text)) == NULL)
		return MS_EPARSE;
	if (plen == bits)
		return put(out, outlen, text, strlen(text));
	if (snprintf(out, outlen, "%s/%d", text, plen) >= (int)outlen)
		return MS_ELIMIT;
	return MS_OK;
}

static enum ms_err
norm_domain(const char *v, size_t n, char *out, size_t outlen)
{
	char	buf[1024], host[1024];

	if (n >= 2 && v[0] == '*' && v[1] == '.') {
		v += 2;
		n -= 2;
	}
	if (n == 0 || n >= sizeof(buf))
		return n == 0 ? MS_EPARSE : MS_ELIMIT;
	memcpy(buf, v, n);
	buf[n] = '\0';
	if (extract_host_ascii(buf, host, sizeof(host)) != 0)
		return MS_EPARSE;
	return put(out, outlen, host, strlen(host));
}

static enum ms_err
norm_hash(const char *v, size_t n, char *out, size_t outlen)
{
	size_t	i;

	if (n != 32 && n != 40 && n != 64 && n != 128)
		return MS_EPARSE;
	if (n >= outlen)
		return MS_ELIMIT;
	for (i = 0; i < n; i++) {
		if (!g_ascii_isxdigit(v[i]))
			return MS_EPARSE;
		out[i] = g_ascii_tolower(v[i]);
	}
	out[n] = '\0';
	return MS_OK;
}

static enum ms_err
norm_email(const char *v, size_t n, char *out, size_t outlen)
{
	const char	*at = NULL;
	size_t		 i, l;
	enum ms_err	 rc;

	for (i = 0; i < n; i++)
		if (v[i] == '@')
			at = v + i;
	if (at == NULL || at == v)
		return MS_EPARSE;
	l = (size_t)(at - v);
	for (i = 0; i < l; i++)
		if (g_ascii_isspace(v[i]) || v[i] == '\0')
			return MS_EPARSE;
	if (l + 1 >= outlen)
		return MS_ELIMIT;
	memcpy(out, v, l + 1);
	rc = norm_domain(at + 1, n - l - 1, out + l + 1, outlen - l - 1);
	if (rc != MS_OK)
		out[0] = '\0';
	return rc;
}

static enum ms_err
norm_asn(const char *v, size_t n, char *out, size_t outlen)
{
	char		 buf[16];
	char		*end;
	unsigned long	 asn;

	if (n >= 2 && g_ascii_strncasecmp(v, "AS", 2) == 0) {
		v += 2;
		n -= 2;
	}
	if (n == 0 || n >= sizeof(buf) || !g_ascii_isdigit(v[0]))
		return MS_EPARSE;
	memcpy(buf, v, n);
	buf[n] = '\0';
	asn = strtoul(buf, &end, 10);
	if (*end != '\0' || asn > 4294967295UL)
		return MS_EPARSE;
	if (snprintf(out, outlen, "AS%lu", asn) >= (int)outlen)
		return MS_ELIMIT;
	return MS_OK;
}

/* The default port of 'scheme' (lower case), or NULL. */
static const char *
default_port(const char *scheme, size_t n)
{
	static const struct { const char *s, *port; } ports[] = {
		{ "http", "80" }, { "https", "443" }, { "ftp", "21" },
		{ "ws", "80" }, { "wss", "443" },
	};
	size_t	i;

	for (i = 0; i < G_N_ELEMENTS(ports); i++)
		if (strlen(ports[i].s) == n &&
		    memcmp(ports[i].s, scheme, n) == 0)
			return ports[i].port;
	return NULL;
}

/* The host of a URL ('h', 'n' bytes: a name or a [v6] literal) in its
 * normal form appended to 'g'. */
static enum ms_err
url_host(GString *g, const char *h, size_t n)
{
	char		 host[512];
	enum ms_err	 rc;

	if (n > 0 && h[0] == '[') {
		if (n < 3 || h[n - 1] != ']')
			return MS_EPARSE;
		rc = norm_ip(h + 1, n - 2, host, sizeof(host));
		if (rc != MS_OK || strchr(host, ':') == NULL)
			return MS_EPARSE;
		g_string_append_printf(g, "[%s]", host);
		return MS_OK;
	}
	if (norm_ip(h, n, host, sizeof(host)) == MS_OK &&
	    strchr(host, '/') == NULL) {
		g_string_append(g, host);
		return MS_OK;
	}
	if ((rc = norm_domain(h, n, host, sizeof(host))) != MS_OK)
		return rc;
	g_string_append(g, host);
	return MS_OK;
}

/* scheme "://" [userinfo "@"] host [":" port] [path] ["?" query]. */
static enum ms_err
url_build(GString *g, const char *v, size_t n)
{
	const char	*p, *end = v + n, *auth, *aend, *at, *colon, *frag;
	const char	*dport;
	size_t		 slen, i;

	if ((frag = memchr(v, '#', n)) != NULL)
		end = frag;
	p = g_strstr_len(v, end - v, "://");
	slen = p != NULL ? (size_t)(p - v) : 0;
	for (i = 0; i < slen; i++)
		if (!g_ascii_isalnum(v[i]) && v[i] != '+' && v[i] != '-' &&
		    v[i] != '.')
			p = NULL;
	if (p == NULL || slen == 0) {
		g_string_append(g, "http://");
		auth = v;
		slen = 4;
	} else {
		for (i = 0; i < slen; i++)
			g_string_append_c(g, g_ascii_tolower(v[i]));
		g_string_append(g, "://");
		auth = p + 3;
	}
	dport = default_port(g->str, slen);
	for (aend = auth; aend < end && *aend != '/' && *aend != '?' &&
	    *aend != '\\'; aend++)
		;
	at = NULL;
	for (p = auth; p < aend; p++)
		if (*p == '@')
			at = p;
	if (at != NULL) {
		g_string_append_len(g, auth, at + 1 - auth);
		auth = at + 1;
	}
	/* The port is after the last ':' unless that is inside [v6]. */
	colon = NULL;
	for (p = auth; p < aend; p++)
		if (*p == ':')
			colon = p;
		else if (*p == ']')
			colon = NULL;
	if (url_host(g, auth, (colon ? colon : aend) - auth) != MS_OK)
		return MS_EPARSE;
	if (colon != NULL && colon + 1 < aend) {
		for (p = colon + 1; p < aend; p++)
			if (!g_ascii_isdigit(*p))
				return MS_EPARSE;
		while (colon + 2 < aend && colon[1] == '0')
			colon++;	/* ":080" is port 80 */
		if (dport == NULL || (size_t)(aend - colon - 1) !=
		    strlen(dport) || memcmp(colon + 1, dport,
		    strlen(dport)) != 0) {
			g_string_append_c(g, ':');
			g_string_append_len(g, colon + 1, aend - colon - 1);
		}
	}
	if (aend == end || *aend != '/')
		g_string_append_c(g, '/');
	g_string_append_len(g, aend, end - aend);
	return MS_OK;
}

static enum ms_err
norm_url(const char *v, size_t n, char *out, size_t outlen)
{
	GString		*g;
	enum ms_err	 rc;
	size_t		 i;

	if (n == 0)
		return MS_EPARSE;
	for (i = 0; i < n; i++)
		if ((unsigned char)v[i] <= ' ')
			return MS_EPARSE;
	g = g_string_sized_new(n + 16);
	rc = url_build(g, v, n);
	if (rc == MS_OK)
		rc = put(out, outlen, g->str, g->len);
	g_string_free(g, TRUE);
	return rc;
}

enum ms_err
intel_normalise(enum intel_kind kind, const char *value, char *out,
    size_t outlen)
{
	const char	*v;
	enum ms_err	 rc = MS_EPARSE;
	size_t		 n;

	if (outlen == 0)
		return MS_ELIMIT;
	out[0] = '\0';
	if (value == NULL)
		return MS_EPARSE;
	v = trim(value, &n);
	switch (kind) {
	case INTEL_IP:		rc = norm_ip(v, n, out, outlen); break;
	case INTEL_DOMAIN:	rc = norm_domain(v, n, out, outlen); break;
	case INTEL_URL:		rc = norm_url(v, n, out, outlen); break;
	case INTEL_HASH:	rc = norm_hash(v, n, out, outlen); break;
	case INTEL_EMAIL:	rc = norm_email(v, n, out, outlen); break;
	case INTEL_ASN:		rc = norm_asn(v, n, out, outlen); break;
	default:		break;
	}
	if (rc != MS_OK)
		out[0] = '\0';
	return rc;
}
