/* SPDX-License-Identifier: Apache-2.0 */
/*
 * detect_links.c -- signals in the links of the suspicious email
 * (UNTRUSTED): bare IP hosts, '@' in the authority, shorteners, free
 * hosting and file sharing (data/shorteners.txt, data/freehosts.txt),
 * much-abused TLDs (data/tlds.txt), the recipient's address in a URL,
 * many subdomains, redirects through a parameter, forms in the body, and
 * link text that shows one domain while the link goes to another.  The
 * URLs come from the indicator set (headers left out); the link texts
 * from a light scan of the HTML body.
 */
#include <string.h>

#include "detect_int.h"
#include "../extract/extract.h"

/* Subdomain labels in front of the registrable domain that make a host
 * look built to hide its real domain ("login.bank.com.evil.example"). */
#define DETECT_MANY_SUBDOMAINS	4

static int
labels(const char *s)
{
	int	n = 1;

	for (; *s != '\0'; s++)
		n += *s == '.';
	return n;
}

/* The host of an absolute URL, lower case, in 'a'; NULL if none. */
static char *
url_host(struct arena *a, const char *url, size_t n)
{
	const char	*p, *end = url + n, *h, *at;
	char		*host;

	if ((p = detect__memcasemem(url, n, "://")) == NULL)
		return NULL;
	h = p + 3;
	for (p = h; p < end && *p != '/' && *p != '?' && *p != '#' &&
	    *p != '\\' && *p != '"' && *p != '\'' && !g_ascii_isspace(*p); p++)
		;
	at = NULL;
	for (const char *q = h; q < p; q++)
		if (*q == '@')
			at = q;
	if (at != NULL)
		h = at + 1;
	for (end = h; end < p && *end != ':'; end++)
		;
	if (end == h || (host = arena_strndup(a, h, (size_t)(end - h))) ==
	    NULL)
		return NULL;
	return detect__lower(a, host);
}

static int
has_userinfo(const char *url)
{
	const char	*p = strstr(url, "://"), *q;

	if (p == NULL)
		return 0;
	for (q = p + 3; *q != '\0' && *q != '/' && *q != '?' && *q != '#'; q++)
		if (*q == '@')
			return 1;
	return 0;
}

/* The host an AMP link serves ("https://www.google.com/amp/s/host/..."),
 * or NULL. */
static char *
amp_host(struct arena *a, const char *url)
{
	const char	*p = strstr(url, "://"), *q;

	if (p == NULL || (p = strchr(p + 3, '/')) == NULL ||
	    strncmp(p, "/amp/", 5) != 0)
		return NULL;
	p += 5;
	if (strncmp(p, "s/", 2) == 0)
		p += 2;
	for (q = p; *q != '\0' && *q != '/' && *q != '?' && *q != '#'; q++)
		;
	if (q == p || memchr(p, '.', (size_t)(q - p)) == NULL)
		return NULL;
	return detect__lower(a, arena_strndup(a, p, (size_t)(q - p)));
}

/*
 * A parameter holding another site's URL ("?u=https%3A%2F%2F...") or an
 * AMP path to another host.  Through a big brand's redirector (Google,
 * Bing, LinkedIn, Facebook...: a domain of data/brands.txt) the link
 * borrows the brand's reputation: link_brand_redirect as well.
 */
static void
open_redirect(struct detect_ctx *c, const struct ioc *io)
{
	const char	*q = strchr(io->value, '?'), *p;
	char		*inner, *host = NULL;
	const char	*reg;
	gpointer	 b;

	if (io->domain == NULL)
		return;
	if (q != NULL && (p = detect__memcasemem(q, strlen(q), "=http")) !=
	    NULL && (inner = g_uri_unescape_string(p + 1, NULL)) != NULL) {
		host = url_host(c->a, inner, strlen(inner));
		g_free(inner);
	}
	/* An AMP path serves another host only on a big brand's cache
	 * (any site may have "/amp/article.html"). */
	if (host == NULL && g_hash_table_lookup(c->d->brand_domains,
	    io->domain) != NULL)
		host = amp_host(c->a, io->value);
	if (host == NULL || (reg = extract_registrable(host)) == NULL ||
	    strcmp(reg, io->domain) == 0)
		return;
	detect__add(c, "link_open_redirect", NULL, "%s", io->value);
	b = g_hash_table_lookup(c->d->brand_domains, io->domain);
	if (b != NULL && g_hash_table_lookup(c->d->brand_domains, reg) != b)
		detect__add(c, "link_brand_redirect", NULL, "%s to %s",
		    io->domain, host);
}

static void
recipient(struct detect_ctx *c, const struct ioc *io)
{
	const struct mail_addr	*t;
	char			*addr, *enc, *b64;
	size_t			 i, n = strlen(io->value);

	for (i = 0; i < c->e->to.n && i < 5; i++) {
		t = c->e->to.v[i];
		if (t->addr == NULL || strchr(t->addr, '@') == NULL ||
		    strlen(t->addr) < 6)
			continue;
		if ((addr = detect__lower(c->a, t->addr)) == NULL ||
		    strchr(addr, '@') == NULL)
			continue;
		enc = arena_printf(c->a, "%.*s%%40%s", (int)(strchr(addr,
		    '@') - addr), addr, strchr(addr, '@') + 1);
		b64 = g_base64_encode((const guchar *)t->addr,
		    strlen(t->addr));
		/* The base64 of the address without its padding, which a
		 * URL-safe encoder would drop. */
		if (strlen(b64) > 4)
			b64[strlen(b64) - 4] = '\0';
		if (detect__memcasemem(io->value, n, addr) != NULL ||
		    (enc != NULL && detect__memcasemem(io->value, n, enc) !=
		    NULL) || strstr(io->value, b64) != NULL)
			detect__add(c, "link_recipient_in_url", NULL, "%s",
			    io->value);
		g_free(b64);
	}
}

/*
 * The path of a phishing page: a login word beside a brand's name on a
 * domain that is not the brand's ("/office365/auth.php"), or a script
 * planted in a compromised WordPress ("/wp-content/.../signin.php").
 */
static void
phish_path(struct detect_ctx *c, const struct ioc *io)
{
	static const char *const login[] = { "login", "signin", "sign-in",
	    "logon", "auth", "verify", "account", "secure", "update",
	    "webmail", "password", "validate", "confirm", "unlock" };
	const struct detect_brand	*b;
	const char			*p = strstr(io->value, "://"), *q;
	char				*path;
	size_t				 i;
	int				 word = 0;

	if (p == NULL || (p = strchr(p + 3, '/')) == NULL)
		return;
	q = p + strcspn(p, "?#");
	if ((path = detect__lower(c->a, arena_strndup(c->a, p, (size_t)(q -
	    p)))) == NULL)
		return;
	for (i = 0; i < G_N_ELEMENTS(login) && !word; i++)
		word = strstr(path, login[i]) != NULL;
	if (!word)
		return;
	if ((strstr(path, "/wp-content/") || strstr(path, "/wp-admin/") ||
	    strstr(path, "/wp-includes/")) && strstr(path, ".php")) {
		detect__add(c, "link_phish_path", NULL, "%s", io->value);
		return;
	}
	for (i = 0; i < c->d->brands->len; i++) {
		b = c->d->brands->pdata[i];
		if (strlen(b->name) < 5 || strchr(b->name, ' ') != NULL ||
		    strstr(path, b->name) == NULL ||
		    (io->domain != NULL && g_hash_table_lookup(
		    c->d->brand_domains, io->domain) == b))
			continue;
		detect__add(c, "link_phish_path", NULL, "%s", io->value);
		return;
	}
}

/* Letters and digits written as %XX ("%68ttp", "%62est"): RFC 3986
 * asks never to encode them, and only hiding a name from filters
 * does. */
static size_t
encoded_letters(const char *u)
{
	size_t	k = 0;
	int	hi, lo, ch;

	for (; *u != '\0'; u++) {
		if (*u != '%' || (hi = g_ascii_xdigit_value(u[1])) < 0 ||
		    (lo = g_ascii_xdigit_value(u[2])) < 0)
			continue;
		ch = hi * 16 + lo;
		if (g_ascii_isalnum(ch))
			k++;
		u += 2;
	}
	return k;
}

/*
 * A host with a keyboard-mash label ("hgshgasdasd.downlirt.click"): a
 * label of letters only, 8 or more, with six consonants in a row or
 * fewer than one vowel in five.  The last label (the TLD) and punycode
 * are not judged.
 */
static int
random_host(const char *host)
{
	const char	*p = host, *q, *k;
	size_t		 n, vowels;
	int		 run, worst;

	if (strncmp(host, "xn--", 4) == 0 || strstr(host, ".xn--") != NULL)
		return 0;
	for (; (q = strchr(p, '.')) != NULL; p = q + 1) {
		n = (size_t)(q - p);
		if (n < 8)
			continue;
		for (k = p, vowels = 0, run = worst = 0; k < q; k++) {
			if (!g_ascii_isalpha(*k))
				break;
			if (strchr("aeiouy", g_ascii_tolower(*k)) != NULL) {
				vowels++;
				run = 0;
			} else if (++run > worst)
				worst = run;
		}
		if (k == q && (worst >= 6 || vowels * 5 < n))
			return 1;
	}
	return 0;
}

static void
one_url(struct detect_ctx *c, const struct ioc *io)
{
	const char	*host = io->host, *tld, *hit;

	if (host == NULL)
		return;
	if (io->flags & IOC_F_IP_HOST) {
		if (!extract_ip_is_private(host))
			detect__add(c, "link_ip_host", NULL, "%s", io->value);
		return;
	}
	if (strchr(host, '.') == NULL && strcmp(host, "localhost") != 0)
		detect__add(c, "link_bad_host", NULL, "%s", io->value);
	if (has_userinfo(io->value))
		detect__add(c, "link_userinfo", NULL, "%s", io->value);
	if ((hit = detect__in_set(c->d->shorteners, host)) != NULL)
		detect__add(c, "link_shortener", NULL, "%s", io->value);
	else if ((hit = detect__in_set(c->d->freehosts, host)) != NULL)
		detect__add(c, "link_free_host", NULL, "%s", io->value);
	tld = strrchr(host, '.');
	if (tld != NULL && g_hash_table_contains(c->d->tlds, tld + 1))
		detect__add(c, "link_suspicious_tld", NULL, "%s", io->value);
	if (io->domain != NULL && labels(host) - labels(io->domain) >=
	    DETECT_MANY_SUBDOMAINS)
		detect__add(c, "link_many_subdomains", NULL, "%s", host);
	if (random_host(host))
		detect__add(c, "link_random_host", NULL, "%s", host);
	if (encoded_letters(io->value) >= 2)
		detect__add(c, "link_encoded_letters", NULL, "%s", io->value);
	open_redirect(c, io);
	recipient(c, io);
	phish_path(c, io);
}

/* A domain-looking text ("www.bank.com", "https://bank.com/login"):
 * its host, lower case, or NULL. */
static char *
text_host(struct arena *a, const char *t, size_t n)
{
	const char	*p = t, *end = t + n, *q;
	char		*h;

	while (p < end && (g_ascii_isspace(*p) || *p == '<' || *p == '['))
		p++;
	if (detect__memcasemem(p, (size_t)(end - p), "://") != NULL)
		return url_host(a, p, (size_t)(end - p));
	for (q = p; q < end && (g_ascii_isalnum(*q) || *q == '.' ||
	    *q == '-'); q++)
		;
	if (q - p < 4 || memchr(p, '.', (size_t)(q - p)) == NULL)
		return NULL;
	/* Only the whole text, or the text starting with "www.". */
	if (q != end && g_ascii_strncasecmp(p, "www.", 4) != 0) {
		while (q < end && (g_ascii_isspace(*q) || *q == '/' ||
		    *q == '>' || *q == ']'))
			q++;
		if (q != end)
			return NULL;
	}
	while (q > p && q[-1] == '.')
		q--;
	h = arena_strndup(a, p, (size_t)(q - p));
	return detect__lower(a, h);
}

/* The value of attribute 'name' in the tag at [p, end), or NULL. */
static char *
attr(struct arena *a, const char *p, const char *end, const char *name)
{
	const char	*v, *ve;
	size_t		 n = strlen(name);
	char		 quote;

	while ((v = detect__memcasemem(p, (size_t)(end - p), name)) != NULL) {
		p = v + n;
		if (!g_ascii_isspace(v[-1]))
			continue;
		while (p < end && g_ascii_isspace(*p))
			p++;
		if (p >= end || *p != '=')
			continue;
		p++;
		while (p < end && g_ascii_isspace(*p))
			p++;
		quote = p < end && (*p == '"' || *p == '\'') ? *p++ : '\0';
		for (ve = p; ve < end && (quote ? *ve != quote :
		    !g_ascii_isspace(*ve) && *ve != '>'); ve++)
			;
		return arena_strndup(a, p, (size_t)(ve - p));
	}
	return NULL;
}

/*
 * Mail security gateways rewrite every link to pass through their
 * scanner (Proofpoint URL Defense, Microsoft Safe Links, Barracuda,
 * Cisco, Symantec, Mimecast).  Such a link hides nothing when the text's
 * domain is inside it; Mimecast's carry only a token, so are trusted.
 */
static int
rewritten_to(const char *hh, const char *href, const char *treg)
{
	static const char *const wrap[] = { "urldefense.proofpoint.com",
	    "urldefense.com", "safelinks.protection.outlook.com",
	    "linkprotect.cudasvc.com", "secure-web.cisco.com",
	    "clicktime.symantec.com", NULL };
	char	*dec, *low;
	size_t	 i, n = strlen(hh), k;

	if (g_str_has_suffix(hh, ".mimecast.com") && g_str_has_prefix(hh,
	    "protect"))
		return 1;
	for (i = 0; wrap[i] != NULL; i++) {
		k = strlen(wrap[i]);
		if (n >= k && strcmp(hh + n - k, wrap[i]) == 0 && (n == k ||
		    hh[n - k - 1] == '.'))
			break;
	}
	if (wrap[i] == NULL)
		return 0;
	dec = g_uri_unescape_string(href, NULL);
	low = g_ascii_strdown(dec != NULL ? dec : href, -1);
	k = strstr(low, treg) != NULL;
	g_free(dec);
	g_free(low);
	return (int)k;
}

static void
anchor(struct detect_ctx *c, const char *href, const char *text,
    size_t tlen)
{
	char		*th, *hh, *vis;
	const char	*treg, *hreg;
	size_t		 vlen;

	vis = detect__html_text(c->a, text, tlen, &vlen);
	if (vis == NULL || (th = text_host(c->a, vis, vlen)) == NULL ||
	    (hh = url_host(c->a, href, strlen(href))) == NULL)
		return;
	treg = extract_registrable(th);
	hreg = extract_registrable(hh);
	if (treg == NULL || hreg == NULL || strcmp(treg, hreg) == 0 ||
	    rewritten_to(hh, href, treg))
		return;
	/* A link text naming a brand's domain, to another of its domains,
	 * is the brand's own doing. */
	if (g_hash_table_lookup(c->d->brand_domains, treg) != NULL &&
	    g_hash_table_lookup(c->d->brand_domains, treg) ==
	    g_hash_table_lookup(c->d->brand_domains, hreg))
		return;
	detect__add(c, "link_text_mismatch", NULL, "text %s, link to %s",
	    th, hh);
}

/* <a href=...>text</a> pairs of the HTML body. */
static void
anchors(struct detect_ctx *c, const char *html, size_t n)
{
	const char	*p = html, *end = html + MIN(n, DETECT_HTML_MAX);
	const char	*gt, *close;
	char		*href;
	size_t		 k = 0;

	while (k < DETECT_LINKS_MAX && (p = detect__memcasemem(p,
	    (size_t)(end - p), "<a")) != NULL) {
		p += 2;
		if (p >= end || !g_ascii_isspace(*p))
			continue;
		if ((gt = memchr(p, '>', (size_t)(end - p))) == NULL)
			break;
		href = attr(c->a, p - 1, gt, "href");
		close = detect__memcasemem(gt, (size_t)(end - gt), "</a");
		if (close == NULL)
			break;
		k++;
		if (href != NULL && g_ascii_strncasecmp(href, "http", 4) == 0)
			anchor(c, href, gt + 1, (size_t)(close - gt - 1));
		p = close;
	}
}

void
detect__links(struct detect_ctx *c)
{
	const struct ioc	*io;
	const struct mail_email	*e = c->e;
	size_t			 i, n;

	n = MIN(ioc_set_count(c->an->iocs, IOC_URL), DETECT_LINKS_MAX);
	for (i = 0; i < n; i++) {
		io = ioc_set_get(c->an->iocs, IOC_URL, i);
		if (io->where == NULL || g_str_has_prefix(io->where, "header"))
			continue;
		if (strstr(io->where, "form action") != NULL &&
		    !g_str_has_prefix(io->where, "attachment"))
			detect__add(c, "link_html_form", NULL, "%s",
			    io->value);
		one_url(c, io);
	}
	if (e->html != NULL)
		anchors(c, e->html, e->html_len);
	if (c->an->forward_html != NULL)
		anchors(c, c->an->forward_html, c->an->forward_html_len);
}
