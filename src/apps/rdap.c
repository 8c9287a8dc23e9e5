/* SPDX-License-Identifier: Apache-2.0 */
/*
 * rdap.c -- RDAP lookups for the whois app (rdap.h): RFC 9082 queries
 * over HTTP(S) through http.h, RFC 9083 answers turned into the fields
 * of the port-43 path.  Runs on the executor's worker threads.  Answers
 * are UNTRUSTED: read through result.h's getters, every walk of nested
 * entities bounded by RDAP_MAX_DEPTH.
 */
#include <stdarg.h>
#include <stdio.h>
#include <string.h>
#include <arpa/inet.h>

#include <glib.h>

#include "rdap.h"
#include "http.h"
#include "../engine/result.h"

/* ---- answers (UNTRUSTED) ------------------------------------------- */

/* The first property 'name' of the jCard of entity 'e' (RFC 7095:
 * ["vcard", [[name, {params}, type, value...], ...]]), or NULL. */
static struct rlist *
vcard_prop(const struct rdict *e, const char *name)
{
	struct rlist	*va, *props, *p;
	const char	*n;
	size_t		 i;

	va = result_dict_get_list(e, "vcardArray");
	props = va != NULL ? result_list_get_list(va, 1) : NULL;
	if (props == NULL)
		return NULL;
	for (i = 0; i < result_list_len(props); i++) {
		p = result_list_get_list(props, i);
		if (p == NULL || result_list_len(p) < 4)
			continue;
		n = result_list_get_str(p, 0);
		if (n != NULL && g_ascii_strcasecmp(n, name) == 0)
			return p;
	}
	return NULL;
}

/* 's' when it is a non-empty string, else NULL. */
static const char *
some(const char *s)
{
	return s != NULL && *s != '\0' ? s : NULL;
}

/* The text of property 'name' (a structured value: its first
 * non-empty string), or NULL when absent or empty. */
static const char *
vcard_text(const struct rdict *e, const char *name)
{
	struct rlist	*p = vcard_prop(e, name), *v;
	const char	*s = NULL;
	size_t		 i;

	if (p == NULL)
		return NULL;
	v = result_list_get_list(p, 3);
	if (v == NULL)
		return some(result_list_get_str(p, 3));
	for (i = 0; s == NULL && i < result_list_len(v); i++)
		s = some(result_list_get_str(v, i));
	return s;
}

/* The country of an entity's address: the "cc" parameter (RFC 8605),
 * else the seventh component of the "adr" value (a name or a code). */
static const char *
vcard_country(const struct rdict *e)
{
	struct rlist	*p = vcard_prop(e, "adr"), *v;
	struct rdict	*params;
	const char	*s = NULL;

	if (p == NULL)
		return NULL;
	params = result_list_get_dict(p, 1);
	if (params != NULL)
		s = some(result_dict_get_str(params, "cc"));
	v = result_list_get_list(p, 3);
	if (s == NULL && v != NULL)
		s = some(result_list_get_str(v, 6));
	return s;
}

/* Whether entity 'e' has 'role'. */
static int
has_role(const struct rdict *e, const char *role)
{
	struct rlist	*roles = result_dict_get_list(e, "roles");
	const char	*r;
	size_t		 i;

	for (i = 0; roles != NULL && i < result_list_len(roles); i++) {
		r = result_list_get_str(roles, i);
		if (r != NULL && g_ascii_strcasecmp(r, role) == 0)
			return 1;
	}
	return 0;
}

/* The first entity with 'role' under 'o' (its "entities", depth first,
 * at most 'depth' levels down), or NULL. */
static const struct rdict *
find_entity(const struct rdict *o, const char *role, int depth)
{
	struct rlist		*ents;
	const struct rdict	*e, *f = NULL;
	size_t			 i;

	ents = depth > 0 ? result_dict_get_list(o, "entities") : NULL;
	if (ents == NULL)
		return NULL;
	for (i = 0; i < result_list_len(ents); i++) {
		e = result_list_get_dict(ents, i);
		if (e != NULL && has_role(e, role))
			return e;
	}
	for (i = 0; f == NULL && i < result_list_len(ents); i++) {
		e = result_list_get_dict(ents, i);
		if (e != NULL)
			f = find_entity(e, role, depth - 1);
	}
	return f;
}

/* Set 'key' of 'd' to 's' when 's' is a non-empty string. */
static void
set_some(struct rdict *d, const char *key, const char *s)
{
	if (some(s) != NULL)
		rdict_set_str(d, key, s);
}

/* The events (RFC 9083 section 4.5) as the port-43 date fields. */
static void
put_events(struct rdict *d, const struct rdict *j)
{
	static const char *const map[][2] = {
		{ "registration", "creation_date" },
		{ "last changed", "updated_date" },
		{ "expiration", "expiration_date" },
	};
	struct rlist	*evs = result_dict_get_list(j, "events");
	struct rdict	*ev;
	const char	*act, *date;
	size_t		 i, k;

	for (i = 0; evs != NULL && i < result_list_len(evs); i++) {
		ev = result_list_get_dict(evs, i);
		if (ev == NULL)
			continue;
		act = result_dict_get_str(ev, "eventAction");
		date = result_dict_get_str(ev, "eventDate");
		for (k = 0; act != NULL && k < G_N_ELEMENTS(map); k++)
			if (g_ascii_strcasecmp(act, map[k][0]) == 0 &&
			    !result_dict_has(d, map[k][1]))
				set_some(d, map[k][1], date);
	}
}

/* The abuse contact's email, wherever it sits (often inside the
 * registrar's or the registrant's entity). */
static void
put_abuse(struct rdict *d, const struct rdict *j)
{
	const struct rdict	*e = find_entity(j, "abuse", RDAP_MAX_DEPTH);

	if (e != NULL)
		set_some(d, "abuse_email", vcard_text(e, "email"));
}

/* A domain object (RFC 9083 section 5.3) into the port-43 fields. */
static void
parse_domain(struct rdict *d, const struct rdict *j)
{
	const struct rdict	*e;
	struct rlist		*nss, *ns;
	struct rdict		*n;
	const char		*s;
	char			*lower;
	size_t			 i;

	e = find_entity(j, "registrar", 1);
	if (e != NULL)
		set_some(d, "registrar", vcard_text(e, "fn"));
	put_events(d, j);
	e = find_entity(j, "registrant", 1);
	if (e != NULL) {
		s = vcard_text(e, "org");
		set_some(d, "registrant_organization", s != NULL ? s :
		    vcard_text(e, "fn"));
		set_some(d, "registrant_country", vcard_country(e));
	}
	ns = rdict_add_list(d, "name_servers");
	nss = result_dict_get_list(j, "nameservers");
	for (i = 0; nss != NULL && i < result_list_len(nss); i++) {
		n = result_list_get_dict(nss, i);
		s = n != NULL ? some(result_dict_get_str(n, "ldhName")) : NULL;
		if (s == NULL)
			continue;
		lower = g_ascii_strdown(s, -1);
		rlist_add_str(ns, lower);
		g_free(lower);
	}
	put_abuse(d, j);
}

/* "a/len" when the range 'start'..'end' is exactly one prefix, else
 * "start - end" (as RIPE's inetnum); newly allocated, or NULL. */
static char *
range_cidr(const char *start, const char *end)
{
	unsigned char	 a[16], b[16];
	int		 n, bits, i, len;

	if (start == NULL || end == NULL)
		return NULL;
	if (inet_pton(AF_INET, start, a) == 1 &&
	    inet_pton(AF_INET, end, b) == 1)
		n = 4;
	else if (inet_pton(AF_INET6, start, a) == 1 &&
	    inet_pton(AF_INET6, end, b) == 1)
		n = 16;
	else
		return NULL;
	/* The common prefix, then all zero bits in 'a' and all ones in
	 * 'b' after it. */
	for (len = 0; len < n * 8; len++)
		if (((a[len / 8] ^ b[len / 8]) >> (7 - len % 8)) & 1)
			break;
	for (bits = len; bits < n * 8; bits++) {
		i = bits / 8;
		if (((a[i] >> (7 - bits % 8)) & 1) != 0 ||
		    ((b[i] >> (7 - bits % 8)) & 1) != 1)
			return g_strdup_printf("%s - %s", start, end);
	}
	return g_strdup_printf("%s/%d", start, len);
}

/* The network's prefixes: cidr0_cidrs (the cidr0 extension of ARIN,
 * RIPE, APNIC...), else its start and end addresses. */
static void
put_cidr(struct rdict *d, const struct rdict *j)
{
	struct rlist	*cs = result_dict_get_list(j, "cidr0_cidrs");
	struct rdict	*c;
	const char	*p;
	GString		*out = g_string_new(NULL);
	char		*r;
	int64_t		 len;
	size_t		 i;

	for (i = 0; cs != NULL && i < result_list_len(cs); i++) {
		c = result_list_get_dict(cs, i);
		if (c == NULL)
			continue;
		p = result_dict_get_str(c, "v4prefix");
		if (p == NULL)
			p = result_dict_get_str(c, "v6prefix");
		if (p == NULL || !result_dict_get_int(c, "length", &len) ||
		    len < 0 || len > 128)
			continue;
		g_string_append_printf(out, "%s%s/%d", out->len ? ", " : "",
		    p, (int)len);
	}
	if (out->len > 0)
		rdict_set_str(d, "cidr", out->str);
	g_string_free(out, TRUE);
	if (result_dict_has(d, "cidr"))
		return;
	r = range_cidr(result_dict_get_str(j, "startAddress"),
	    result_dict_get_str(j, "endAddress"));
	if (r != NULL)
		rdict_set_str(d, "cidr", r);
	g_free(r);
}

/* An IP network object (RFC 9083 section 5.4) into the port-43
 * fields. */
static void
parse_ip(struct rdict *d, const struct rdict *j)
{
	const struct rdict	*e;
	struct rlist		*as;
	const char		*s;
	char			 buf[16];
	int64_t			 n;

	set_some(d, "network_name", result_dict_get_str(j, "name"));
	put_cidr(d, j);
	set_some(d, "country", result_dict_get_str(j, "country"));
	/* ARIN's origin AS extension; others have none in the network. */
	as = result_dict_get_list(j, "arin_originas0_originautnums");
	if (as != NULL && result_list_get_int(as, 0, &n) && n >= 0 &&
	    n <= UINT32_MAX) {
		snprintf(buf, sizeof(buf), "AS%u", (unsigned)n);
		rdict_set_str(d, "asn", buf);
	}
	e = find_entity(j, "registrant", 1);
	if (e != NULL) {
		s = vcard_text(e, "org");
		set_some(d, "organization", s != NULL ? s :
		    vcard_text(e, "fn"));
		/* ARIN gives no country on the network: the holder's. */
		if (!result_dict_has(d, "country"))
			set_some(d, "country", vcard_country(e));
	}
	put_abuse(d, j);
}

/* ---- lookups -------------------------------------------------------- */

/* Fail: into 'err' when given (the registrar hop), else the result. */
static void __attribute__((format(printf, 5, 6)))
fail(struct action_ctx *ctx, char *err, size_t errlen, int transient,
    const char *fmt, ...)
{
	va_list	 ap;
	char	 msg[512];

	va_start(ap, fmt);
	vsnprintf(msg, sizeof(msg), fmt, ap);
	va_end(ap);
	if (err != NULL)
		g_strlcpy(err, msg, errlen);
	else
		action_fail(ctx, transient, "%s", msg);
}

/* The host (g_free) and port of the http(s) URL 'url'.  MS_OK or
 * MS_EINVAL. */
static enum ms_err
url_host(const char *url, char **host, int *port)
{
	char	*scheme = NULL;
	int	 https;

	*host = NULL;
	if (!g_uri_split_network(url, G_URI_FLAGS_NONE, &scheme, host, port,
	    NULL))
		return MS_EINVAL;
	https = g_ascii_strcasecmp(scheme, "https") == 0;
	if ((!https && g_ascii_strcasecmp(scheme, "http") != 0) ||
	    *host == NULL || **host == '\0') {
		g_free(scheme);
		g_free(*host);
		*host = NULL;
		return MS_EINVAL;
	}
	if (*port < 0)
		*port = https ? 443 : 80;
	g_free(scheme);
	return MS_OK;
}

/* The text of an RFC 9083 error object: "title: description". */
static char *
error_text(const struct rdict *j)
{
	struct rlist	*desc;
	const char	*title = NULL, *d = NULL;

	if (j != NULL) {
		title = result_dict_get_str(j, "title");
		desc = result_dict_get_list(j, "description");
		if (desc != NULL)
			d = result_list_get_str(desc, 0);
	}
	return g_strdup_printf("%s%s%s", title ? title : "",
	    title && d ? ": " : "", d ? d : "");
}

/*
 * GET 'url' (a 'cls' object: "domain" or "ip network") into '*json'.
 * MS_OK with '*status' 2xx and '*json' the object, or 404 and '*json'
 * NULL; otherwise failed (into 'err' when given) and MS_ENET when it
 * may pass, MS_EINVAL when not.
 */
static enum ms_err
get(struct action_ctx *ctx, const char *url, const char *query,
    const char *cls, rdap_take_fn take, void *arg, char *err,
    size_t errlen, struct rdict **json, long *status)
{
	struct http_call	 call = { .accept = "application/rdap+json",
	    .redirects = 3, .pass_4xx = 1, .err = err, .errlen = errlen };
	const char		*oc;
	char			*host = NULL, *label = NULL, *why;
	enum ms_err		 rc = MS_EINVAL;
	int			 port;

	*json = NULL;
	*status = 0;
	if (url_host(url, &host, &port) != MS_OK) {
		fail(ctx, err, errlen, 0, "%s: bad RDAP URL %.200s", query,
		    url);
		goto out;
	}
	label = g_strdup_printf("%s: rdap %s", query, host);
	if (!take(ctx, arg, host, port)) {
		fail(ctx, err, errlen, 1, "%s rate limited", label);
		rc = MS_ENET;
		goto out;
	}
	call.app = label;
	call.url = url;
	rc = http_json(ctx, &call, json, status);
	if (rc != MS_OK)
		goto out;
	rc = MS_EINVAL;
	if (*status == 404) {
		result_dict_free(*json);
		*json = NULL;
		rc = MS_OK;
		goto out;
	}
	if (*status < 200 || *status >= 300) {
		why = error_text(*json);
		fail(ctx, err, errlen, 0, "%s: HTTP %ld%s%s", label, *status,
		    *why ? ": " : "", why);
		g_free(why);
		goto out;
	}
	oc = result_dict_get_str(*json, "objectClassName");
	if (oc == NULL || strcmp(oc, cls) != 0) {
		fail(ctx, err, errlen, 0, "%s: the answer is not an RDAP %s "
		    "object", label, cls);
		goto out;
	}
	rc = MS_OK;
out:
	if (rc != MS_OK) {
		result_dict_free(*json);
		*json = NULL;
	}
	g_free(host);
	g_free(label);
	return rc;
}

/* The registrar's URL from a registry's answer 'j' to 'url': a link
 * with rel "related" and type application/rdap+json on another host or
 * port, https when the registry was (an answer must not downgrade us,
 * as http.c's redirects never do).  Newly allocated, or NULL. */
static char *
related(const struct rdict *j, const char *url)
{
	struct rlist	*links = result_dict_get_list(j, "links");
	struct rdict	*l;
	const char	*rel, *type, *href;
	char		*h0 = NULL, *h1;
	int		 p0, p1, other;
	size_t		 i;

	if (links == NULL || url_host(url, &h0, &p0) != MS_OK)
		return NULL;
	for (i = 0; i < result_list_len(links); i++) {
		l = result_list_get_dict(links, i);
		if (l == NULL)
			continue;
		rel = result_dict_get_str(l, "rel");
		type = result_dict_get_str(l, "type");
		href = result_dict_get_str(l, "href");
		if (rel == NULL || type == NULL || href == NULL ||
		    g_ascii_strcasecmp(rel, "related") != 0 ||
		    g_ascii_strcasecmp(type, "application/rdap+json") != 0 ||
		    strlen(href) > 2048 || url_host(href, &h1, &p1) != MS_OK)
			continue;
		if (g_ascii_strncasecmp(url, "https:", 6) == 0 &&
		    g_ascii_strncasecmp(href, "https:", 6) != 0) {
			g_free(h1);
			continue;
		}
		other = g_ascii_strcasecmp(h0, h1) != 0 || p0 != p1;
		g_free(h1);
		if (other) {
			g_free(h0);
			return g_strdup(href);
		}
	}
	g_free(h0);
	return NULL;
}

/* Merge the registrar's answer 'j' into 'd' (the registry's fields):
 * the registrar wins for the registrant and abuse contact, and fills
 * what the registry left out. */
static void
merge(struct rdict *d, const struct rdict *j)
{
	static const char *const wins[] = { "registrant_organization",
	    "registrant_country", "abuse_email" };
	static const char *const fills[] = { "registrar", "creation_date",
	    "updated_date", "expiration_date" };
	struct rdict	*r = result_dict_new();
	struct rlist	*ns;
	const char	*s;
	size_t		 i;

	parse_domain(r, j);
	for (i = 0; i < G_N_ELEMENTS(wins); i++) {
		s = result_dict_get_str(r, wins[i]);
		if (s != NULL)
			rdict_set_str(d, wins[i], s);
	}
	for (i = 0; i < G_N_ELEMENTS(fills); i++) {
		s = result_dict_get_str(r, fills[i]);
		if (s != NULL && !result_dict_has(d, fills[i]))
			rdict_set_str(d, fills[i], s);
	}
	ns = result_dict_get_list(d, "name_servers");
	if (ns == NULL || result_list_len(ns) == 0)
		result_dict_set_list(d, "name_servers",
		    result_dict_get_list(r, "name_servers"));
	result_dict_free(r);
}

/* Append 'j' as compact JSON to 'raw', one answer per line. */
static void
add_raw(GString *raw, const struct rdict *j)
{
	char	*s;

	if (j == NULL)
		return;
	s = result_dict_dump(j);
	g_string_append_printf(raw, "%s%s", raw->len ? "\n" : "", s);
	xfree(s);
}

struct rdict *
rdap_lookup(struct action_ctx *ctx, const char *base, const char *query,
    int is_ip, rdap_take_fn take, void *arg)
{
	const char	*cls = is_ip ? "ip network" : "domain";
	struct rdict	*j = NULL, *j2 = NULL, *d = NULL;
	struct rlist	*servers;
	GPtrArray	*asked = g_ptr_array_new_with_free_func(g_free);
	GString		*raw = NULL;
	char		*q, *path, *next, err2[512] = "";
	long		 status;
	guint		 i;

	q = is_ip ? g_strdup(query) : g_ascii_strdown(query, -1);
	if (!is_ip && g_str_has_suffix(q, ".") && q[1] != '\0')
		q[strlen(q) - 1] = '\0';	/* "example.com." */
	path = g_strdup_printf("%s/%s", is_ip ? "ip" : "domain", q);
	g_ptr_array_add(asked, http_url(base, path));
	if (get(ctx, asked->pdata[0], query, cls, take, arg, NULL, 0, &j,
	    &status) != MS_OK)
		goto out;
	if (status == 404) {
		action_set_message(ctx, "%s: not found", query);
		goto out;
	}
	/* One hop to the registrar, whose failure costs only its data. */
	next = is_ip ? NULL : related(j, asked->pdata[0]);
	if (next != NULL) {
		g_ptr_array_add(asked, next);
		if (get(ctx, next, query, cls, take, arg, err2, sizeof(err2),
		    &j2, &status) == MS_OK && status == 404)
			g_strlcpy(err2, "not found", sizeof(err2));
	}
	d = action_add_data(ctx);
	if (is_ip)
		parse_ip(d, j);
	else
		parse_domain(d, j);
	if (j2 != NULL)
		merge(d, j2);
	raw = g_string_new(NULL);
	add_raw(raw, j);
	add_raw(raw, j2);
	if (raw->len > RDAP_MAX_RAW)
		g_string_truncate(raw, RDAP_MAX_RAW);
	rdict_set_str(d, "raw", raw->str);
	servers = rdict_add_list(d, "servers");
	for (i = 0; i < asked->len; i++)
		rlist_add_str(servers, asked->pdata[i]);
	rdict_set_str(d, "protocol", "rdap");
	action_set_message(ctx, "%s: found over RDAP (%u server%s)%s%s",
	    query, asked->len, asked->len == 1 ? "" : "s",
	    *err2 ? "; registrar: " : "", err2);
out:
	if (raw != NULL)
		g_string_free(raw, TRUE);
	result_dict_free(j);
	result_dict_free(j2);
	g_ptr_array_free(asked, TRUE);
	g_free(path);
	g_free(q);
	return d;
}
