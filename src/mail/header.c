/* SPDX-License-Identifier: Apache-2.0 */
/*
 * header.c -- the header fields of one message into struct mail_email:
 * addresses, subject, ids, Received hops (with the originating IP) and
 * Authentication-Results as stated by the receiving servers.  Runs in the
 * analysing process on UNTRUSTED header values, which GMime has already
 * unfolded and RFC 2047-decoded.  Every loop is bounded by the input or by
 * a limit in limits.h.
 */
#include <arpa/inet.h>
#include <string.h>

#include <gmime/gmime.h>

#include "mail_int.h"
#include "../common/limits.h"

int
mail__ip_private(const char *ip)
{
	unsigned char	b[16];

	if (inet_pton(AF_INET, ip, b) == 1)
		return b[0] == 10 || b[0] == 127 || b[0] == 0 ||
		    (b[0] == 172 && (b[1] & 0xf0) == 16) ||
		    (b[0] == 192 && b[1] == 168) ||
		    (b[0] == 169 && b[1] == 254) ||
		    (b[0] == 100 && (b[1] & 0xc0) == 64) ||
		    b[0] >= 224;
	if (inet_pton(AF_INET6, ip, b) == 1) {
		static const unsigned char	zero[16];

		if (memcmp(b, zero, 15) == 0)	/* :: and ::1 */
			return 1;
		return (b[0] & 0xfe) == 0xfc ||		/* fc00::/7 */
		    (b[0] == 0xfe && (b[1] & 0xc0) == 0x80) || /* fe80::/10 */
		    b[0] == 0xff;			/* multicast */
	}
	return 1;	/* not an IP at all: never "external" */
}

static int
is_ip(const char *s)
{
	unsigned char	b[16];

	return inet_pton(AF_INET, s, b) == 1 || inet_pton(AF_INET6, s, b) == 1;
}

/* Lower-case ASCII copy in the arena. */
static char *
lower(struct arena *a, const char *s)
{
	char	*p = arena_strdup(a, s), *q;

	for (q = p; q != NULL && *q; q++)
		*q = g_ascii_tolower(*q);
	return p;
}

static struct mail_addr *
addr_new(struct arena *a, InternetAddress *ia)
{
	struct mail_addr	*ma;
	const char		*name, *addr;

	if ((ma = arena_alloc(a, sizeof(*ma))) == NULL)
		return NULL;
	name = internet_address_get_name(ia);
	addr = internet_address_mailbox_get_addr(INTERNET_ADDRESS_MAILBOX(ia));
	ma->name = (name && *name) ? arena_strdup(a, name) : NULL;
	ma->addr = arena_strdup(a, addr ? addr : "");
	return ma;
}

/* Flatten an address list (groups included) into 'out'. */
static enum ms_err
addrs(struct arena *a, InternetAddressList *l, struct arena_vec *out,
    int depth)
{
	InternetAddress		*ia;
	struct mail_addr	*ma;
	int			 i, n;

	if (l == NULL || depth > 4)
		return MS_OK;
	n = internet_address_list_length(l);
	for (i = 0; i < n && out->n < LIMIT_HEADERS; i++) {
		ia = internet_address_list_get_address(l, i);
		if (INTERNET_ADDRESS_IS_GROUP(ia)) {
			if (addrs(a, internet_address_group_get_members(
			    INTERNET_ADDRESS_GROUP(ia)), out, depth + 1) !=
			    MS_OK)
				return MS_ELIMIT;
			continue;
		}
		if (!INTERNET_ADDRESS_IS_MAILBOX(ia))
			continue;
		if ((ma = addr_new(a, ia)) == NULL ||
		    arena_vec_push(a, out, ma) != MS_OK)
			return MS_ELIMIT;
	}
	return MS_OK;
}

static struct mail_addr *
first_addr(struct arena *a, InternetAddressList *l)
{
	struct arena_vec	v = { 0 };

	if (addrs(a, l, &v, 0) != MS_OK || v.n == 0)
		return NULL;
	return v.v[0];
}

/* "<id@host>" -> "id@host"; NULL for empty. */
static const char *
strip_id(struct arena *a, const char *s)
{
	size_t	n;

	if (s == NULL)
		return NULL;
	while (*s == ' ' || *s == '\t' || *s == '<')
		s++;
	n = strcspn(s, ">");
	while (n > 0 && (s[n - 1] == ' ' || s[n - 1] == '\t'))
		n--;
	return n ? arena_strndup(a, s, n) : NULL;
}

/* Remove RFC 5322 comments "( ... )" (nested, with quoted-pairs). */
static char *
strip_comments(struct arena *a, const char *s, size_t n)
{
	char	*out = arena_alloc(a, n + 1), *o = out;
	int	 depth = 0, quoted = 0;
	size_t	 i;

	if (out == NULL)
		return NULL;
	for (i = 0; i < n; i++) {
		if (s[i] == '\\' && i + 1 < n) {
			if (depth == 0) {
				*o++ = s[i];
				*o++ = s[i + 1];
			}
			i++;
		} else if (s[i] == '"' && depth == 0) {
			quoted = !quoted;
			*o++ = s[i];
		} else if (s[i] == '(' && !quoted) {
			depth++;
		} else if (s[i] == ')' && !quoted && depth > 0) {
			depth--;
			*o++ = ' ';
		} else if (depth == 0) {
			*o++ = s[i];
		}
	}
	*o = '\0';
	return out;
}

/* First IP literal in 's' ("[1.2.3.4]", "[IPv6:...]", or a bare IPv4
 * between delimiters). */
static const char *
find_ip(struct arena *a, const char *s)
{
	const char	*p, *q;
	char		 buf[64];
	size_t		 n;

	for (p = s; (p = strchr(p, '[')) != NULL; p++) {
		q = strchr(p, ']');
		if (q == NULL)
			break;
		p++;
		if (g_ascii_strncasecmp(p, "IPv6:", 5) == 0)
			p += 5;
		n = (size_t)(q - p);
		if (n > 0 && n < sizeof(buf)) {
			memcpy(buf, p, n);
			buf[n] = '\0';
			if (is_ip(buf))
				return arena_strdup(a, buf);
		}
	}
	/* Bare IPv4 such as "from 203.0.113.5 (helo)" or "(1.2.3.4)". */
	for (p = s; *p; p++) {
		if (!g_ascii_isdigit(*p) || (p > s && (g_ascii_isalnum(p[-1]) ||
		    p[-1] == '.')))
			continue;
		n = strspn(p, "0123456789.");
		if (n >= 7 && n < sizeof(buf) && !g_ascii_isalnum(p[n])) {
			memcpy(buf, p, n);
			buf[n] = '\0';
			if (is_ip(buf))
				return arena_strdup(a, buf);
		}
		p += n - 1;
	}
	return NULL;
}

struct mail_hop *
mail__received_parse(struct arena *a, const char *value)
{
	struct mail_hop	*h;
	const char	*semi, *from_raw, *by_raw;
	char		*clean, **tok;
	GDateTime	*dt;
	size_t		 n;
	int		 i;

	if ((h = arena_alloc(a, sizeof(*h))) == NULL)
		return NULL;
	h->ts = -1;
	semi = strrchr(value, ';');
	n = semi ? (size_t)(semi - value) : strlen(value);
	if (semi != NULL) {
		char	*d = g_strstrip(g_strdup(semi + 1));

		h->date = arena_strdup(a, d);
		g_free(d);
		if (h->date != NULL &&
		    (dt = g_mime_utils_header_decode_date(h->date)) != NULL) {
			h->ts = g_date_time_to_unix(dt);
			g_date_time_unref(dt);
		}
	}
	/* The IP sits in the "from" clause's comment, so look for it
	 * before comments are stripped, between "from" and " by ". */
	from_raw = arena_strndup(a, value, n);
	if (from_raw == NULL)
		return NULL;
	by_raw = strstr(from_raw, " by ");
	if (g_ascii_strncasecmp(from_raw, "from", 4) == 0) {
		char *fc = arena_strndup(a, from_raw, by_raw ?
		    (size_t)(by_raw - from_raw) : strlen(from_raw));

		h->ip = fc ? find_ip(a, fc) : NULL;
	}
	if ((clean = strip_comments(a, value, n)) == NULL)
		return NULL;
	tok = g_strsplit_set(clean, " \t\r\n", -1);
	for (i = 0; tok[i] != NULL; i++) {
		const char	**slot = NULL;
		int		  j;

		if (g_ascii_strcasecmp(tok[i], "from") == 0)
			slot = &h->from;
		else if (g_ascii_strcasecmp(tok[i], "by") == 0)
			slot = &h->by;
		else if (g_ascii_strcasecmp(tok[i], "with") == 0)
			slot = &h->with;
		if (slot == NULL || *slot != NULL)
			continue;
		for (j = i + 1; tok[j] != NULL && tok[j][0] == '\0'; j++)
			;
		if (tok[j] != NULL)
			*slot = arena_strdup(a, tok[j]);
	}
	g_strfreev(tok);
	if (h->ip == NULL && h->from != NULL) {
		char	*f = g_strdup(h->from);

		g_strdelimit(f, "[]", ' ');
		g_strstrip(f);
		if (is_ip(f))
			h->ip = arena_strdup(a, f);
		g_free(f);
	}
	h->ip_private = h->ip ? mail__ip_private(h->ip) : 0;
	return h;
}

/* Domain of "user@domain" or "@domain", else the value itself. */
static const char *
domain_of(struct arena *a, const char *v)
{
	const char	*at;

	if (v == NULL)
		return NULL;
	at = strrchr(v, '@');
	return arena_strdup(a, at ? at + 1 : v);
}

static enum ms_err
authres_one(struct arena *a, const char *authserv, char *seg,
    struct arena_vec *out)
{
	struct mail_auth	*au;
	char			**tok, *eq;
	const char		*d = NULL, *helo = NULL, *hd = NULL,
				*hi = NULL, *hf = NULL;
	int			 i;
	enum ms_err		 rc = MS_OK;

	tok = g_strsplit_set(g_strstrip(seg), " \t\r\n", -1);
	if (tok[0] == NULL || (eq = strchr(tok[0], '=')) == NULL)
		goto out;
	if ((au = arena_alloc(a, sizeof(*au))) == NULL) {
		rc = MS_ELIMIT;
		goto out;
	}
	*eq = '\0';
	au->authserv = authserv;
	au->method = lower(a, tok[0]);
	au->result = lower(a, eq + 1);
	if (au->method == NULL || au->result == NULL) {
		rc = MS_ELIMIT;
		goto out;
	}
	if (strchr(au->method, '/') != NULL)
		*strchr((char *)au->method, '/') = '\0';
	for (i = 1; tok[i] != NULL; i++) {
		char	*k = tok[i], *v = strchr(k, '=');

		if (v == NULL)
			continue;
		*v++ = '\0';
		if (*v == '"' && strlen(v) > 1 && v[strlen(v) - 1] == '"') {
			v[strlen(v) - 1] = '\0';
			v++;
		}
		if (g_ascii_strcasecmp(k, "reason") == 0)
			au->reason = arena_strdup(a, v);
		else if (g_ascii_strcasecmp(k, "smtp.mailfrom") == 0)
			d = v;
		else if (g_ascii_strcasecmp(k, "smtp.helo") == 0)
			helo = v;
		else if (g_ascii_strcasecmp(k, "header.d") == 0)
			hd = v;
		else if (g_ascii_strcasecmp(k, "header.i") == 0)
			hi = v;
		else if (g_ascii_strcasecmp(k, "header.from") == 0)
			hf = v;
	}
	if (strcmp(au->method, "spf") == 0)
		au->domain = domain_of(a, d ? d : helo);
	else if (strcmp(au->method, "dkim") == 0)
		au->domain = domain_of(a, hd ? hd : hi);
	else
		au->domain = domain_of(a, hf ? hf : (hd ? hd : d));
	rc = arena_vec_push(a, out, au);
out:
	g_strfreev(tok);
	return rc;
}

enum ms_err
mail__authres_parse(struct arena *a, const char *value,
    struct arena_vec *out)
{
	char		*clean, **seg;
	const char	*authserv = NULL;
	enum ms_err	 rc = MS_OK;
	int		 i;

	if ((clean = strip_comments(a, value, strlen(value))) == NULL)
		return MS_ELIMIT;
	seg = g_strsplit(clean, ";", 64);
	for (i = 0; seg[i] != NULL && rc == MS_OK; i++) {
		g_strstrip(seg[i]);
		if (i == 0 && strchr(seg[i], '=') == NULL) {
			/* authserv-id [version] */
			seg[i][strcspn(seg[i], " \t")] = '\0';
			authserv = arena_strdup(a, seg[i]);
			continue;
		}
		if (seg[i][0] == '\0' || g_ascii_strcasecmp(seg[i],
		    "none") == 0)
			continue;
		rc = authres_one(a, authserv, seg[i], out);
	}
	g_strfreev(seg);
	return rc;
}

/* Received-SPF: "pass (reason) client-ip=...; envelope-from=..." */
static enum ms_err
received_spf(struct arena *a, const char *value, struct arena_vec *out)
{
	struct mail_auth	*au;
	char			 res[32];
	const char		*ef;
	size_t			 n = strcspn(value, " \t(;");

	if (n == 0 || n >= sizeof(res))
		return MS_OK;
	memcpy(res, value, n);
	res[n] = '\0';
	if ((au = arena_alloc(a, sizeof(*au))) == NULL)
		return MS_ELIMIT;
	au->authserv = "Received-SPF";
	au->method = "spf";
	au->result = lower(a, res);
	if ((ef = strstr(value, "envelope-from=")) != NULL) {
		char	*v = g_strndup(ef + 14, strcspn(ef + 14, "; \t"));

		g_strdelimit(v, "\"<>", ' ');
		g_strstrip(v);
		au->domain = domain_of(a, v);
		g_free(v);
	}
	return arena_vec_push(a, out, au);
}

/* Keep a header value, recording (not hiding) an over-long one. */
static const char *
header_value(struct arena *a, const char *name, const char *v,
    struct arena_vec *findings, const char *path)
{
	size_t	n = strlen(v);

	if (n <= LIMIT_HEADER_BYTES)
		return arena_strndup(a, v, n);
	finding_add(a, findings, FINDING_LIMIT, "limit_header_bytes",
	    path[0] ? path : NULL, "header %.60s is %zu bytes; only the "
	    "first %u are kept (LIMIT_HEADER_BYTES)", name, n,
	    LIMIT_HEADER_BYTES);
	return arena_strndup(a, v, LIMIT_HEADER_BYTES);
}

static enum ms_err
one_header(struct arena *a, struct mail_email *e, const char *name,
    const char *v, struct arena_vec *findings, const char *path)
{
	struct mail_header	*h;
	struct mail_hop		*hop;

	if ((h = arena_alloc(a, sizeof(*h))) == NULL)
		return MS_ELIMIT;
	h->name = arena_strdup(a, name);
	h->value = header_value(a, name, v, findings, path);
	if (h->value == NULL || arena_vec_push(a, &e->headers, h) != MS_OK)
		return MS_ELIMIT;
	if (g_ascii_strcasecmp(name, "Received") == 0) {
		if (e->received.n >= LIMIT_RECEIVED_HOPS) {
			finding_add(a, findings, FINDING_LIMIT,
			    "limit_received_hops", path[0] ? path : NULL,
			    "more than %d Received headers "
			    "(LIMIT_RECEIVED_HOPS); the rest not parsed",
			    LIMIT_RECEIVED_HOPS);
			return MS_OK;
		}
		if ((hop = mail__received_parse(a, h->value)) == NULL)
			return MS_ELIMIT;
		return arena_vec_push(a, &e->received, hop);
	}
	if (g_ascii_strcasecmp(name, "Authentication-Results") == 0)
		return mail__authres_parse(a, h->value, &e->auth);
	if (g_ascii_strcasecmp(name, "Received-SPF") == 0)
		return received_spf(a, h->value, &e->auth);
	if (g_ascii_strcasecmp(name, "X-Mailer") == 0 && e->x_mailer == NULL)
		e->x_mailer = h->value;
	else if (g_ascii_strcasecmp(name, "User-Agent") == 0 &&
	    e->user_agent == NULL)
		e->user_agent = h->value;
	else if (g_ascii_strcasecmp(name, "In-Reply-To") == 0 &&
	    e->in_reply_to == NULL)
		e->in_reply_to = strip_id(a, h->value);
	else if (g_ascii_strcasecmp(name, "Date") == 0 && e->date == NULL)
		e->date = h->value;
	return MS_OK;
}

/*
 * A header's value, unfolded, RFC 2047 words decoded.  GMime's decoded
 * value costs a charset conversion set-up per header; most headers
 * (Received, DKIM-Signature ...) carry no encoded word, so those are only
 * unfolded here.  8-bit values go through GMime too (its fallback charsets
 * make them UTF-8).
 */
static const char *
header_text(struct arena *a, GMimeHeader *h)
{
	const char	*raw = g_mime_header_get_raw_value(h), *p;
	char		*out, *o;

	if (raw == NULL)
		return "";
	for (p = raw; *p != '\0'; p++)
		if ((unsigned char)*p >= 0x80 || (p[0] == '=' && p[1] == '?'))
			return g_mime_header_get_value(h);
	if ((out = arena_alloc(a, (size_t)(p - raw) + 1)) == NULL)
		return "";
	/* Unfold: CRLF or LF followed by white space becomes that space;
	 * leading and trailing white space goes. */
	for (p = raw; *p == ' ' || *p == '\t'; p++)
		;
	for (o = out; *p != '\0'; p++)
		if (*p != '\r' && *p != '\n')
			*o++ = *p;
	while (o > out && (o[-1] == ' ' || o[-1] == '\t'))
		o--;
	*o = '\0';
	return out;
}

static enum ms_err
header_list(struct arena *a, GMimeObject *obj, struct mail_email *e,
    struct arena_vec *findings, const char *path)
{
	GMimeHeaderList	*hl = g_mime_object_get_header_list(obj);
	GMimeHeader	*h;
	const char	*v;
	int		 i, n;

	n = hl ? g_mime_header_list_get_count(hl) : 0;
	if (n > LIMIT_HEADERS) {
		finding_add(a, findings, FINDING_LIMIT, "limit_headers",
		    path[0] ? path : NULL, "%d header fields; only the first "
		    "%d are read (LIMIT_HEADERS)", n, LIMIT_HEADERS);
		n = LIMIT_HEADERS;
	}
	for (i = 0; i < n; i++) {
		h = g_mime_header_list_get_header_at(hl, i);
		v = header_text(a, h);
		if (one_header(a, e, g_mime_header_get_name(h), v ? v : "",
		    findings, path) != MS_OK)
			return MS_ELIMIT;
	}
	return MS_OK;
}

/* The originating IP: the oldest hop whose sending IP is public. */
static const char *
originating_ip(const struct mail_email *e)
{
	const struct mail_hop	*h;
	size_t			 i;

	for (i = e->received.n; i > 0; i--) {
		h = e->received.v[i - 1];
		if (h->ip != NULL && !h->ip_private)
			return h->ip;
	}
	return NULL;
}

enum ms_err
mail__email_from_gmime(struct arena *a, void *gmime_message, void *opts,
    struct mail_email *e, struct arena_vec *findings, const char *path)
{
	GMimeMessage		*msg = gmime_message;
	GMimeReferences		*refs;
	GDateTime		*dt;
	const char		*v;
	int			 i;

	if (header_list(a, GMIME_OBJECT(msg), e, findings, path) != MS_OK)
		return MS_ELIMIT;
	if (addrs(a, g_mime_message_get_from(msg), &e->from_all, 0) != MS_OK ||
	    addrs(a, g_mime_message_get_to(msg), &e->to, 0) != MS_OK ||
	    addrs(a, g_mime_message_get_cc(msg), &e->cc, 0) != MS_OK ||
	    addrs(a, g_mime_message_get_bcc(msg), &e->bcc, 0) != MS_OK)
		return MS_ELIMIT;
	e->from = e->from_all.n ? e->from_all.v[0] : NULL;
	e->sender = first_addr(a, g_mime_message_get_sender(msg));
	e->reply_to = first_addr(a, g_mime_message_get_reply_to(msg));
	if ((v = g_mime_object_get_header(GMIME_OBJECT(msg),
	    "Return-Path")) != NULL) {
		InternetAddressList *l = internet_address_list_parse(opts, v);

		e->return_path = first_addr(a, l);
		if (l != NULL)
			g_object_unref(l);
		if (e->return_path == NULL && strstr(v, "<>") != NULL &&
		    (e->return_path = arena_alloc(a, sizeof(struct mail_addr)))
		    != NULL)
			e->return_path->addr = "";	/* null sender */
	}
	e->subject = arena_strdup(a, g_mime_message_get_subject(msg));
	e->message_id = arena_strdup(a, g_mime_message_get_message_id(msg));
	e->date_ts = -1;
	if ((dt = g_mime_message_get_date(msg)) != NULL)
		e->date_ts = g_date_time_to_unix(dt);
	if ((v = g_mime_object_get_header(GMIME_OBJECT(msg),
	    "References")) != NULL &&
	    (refs = g_mime_references_parse(opts, v)) != NULL) {
		for (i = 0; i < g_mime_references_length(refs) &&
		    i < LIMIT_HEADERS; i++)
			if (arena_vec_push(a, &e->references, arena_strdup(a,
			    g_mime_references_get_message_id(refs, i))) !=
			    MS_OK)
				break;
		g_mime_references_free(refs);
	}
	e->originating_ip = originating_ip(e);
	return arena_exhausted(a) ? MS_ELIMIT : MS_OK;
}

enum ms_err
mail__headers(struct arena *a, const char *raw, size_t len,
    struct mail_email *e, struct arena_vec *findings)
{
	struct arena_vec scratch = { 0 };
	struct mail_msg	*m;
	size_t		 i;
	char		*buf;
	enum ms_err	 rc;

	/* A header block plus an empty line is a message with no body. */
	if ((buf = arena_alloc(a, len + 3)) == NULL)
		return MS_ELIMIT;
	memcpy(buf, raw, len);
	memcpy(buf + len, "\n\n", 3);
	/* The block describes a body that is not here (an Outlook .msg
	 * keeps it elsewhere): GMime's complaints about a missing body are
	 * noise, so parse problems go to a scratch list; limits hit are
	 * still reported. */
	rc = mail__parse_nested(a, buf, len + 2, "", 0, &scratch, &m);
	for (i = 0; i < scratch.n; i++)
		if (((struct finding *)scratch.v[i])->kind == FINDING_LIMIT &&
		    arena_vec_push(a, findings, scratch.v[i]) != MS_OK)
			return MS_ELIMIT;
	if (rc != MS_OK || m == NULL)
		return rc == MS_OK ? MS_EPARSE : rc;
	m->email.text = e->text;
	m->email.text_len = e->text_len;
	m->email.html = e->html;
	m->email.html_len = e->html_len;
	*e = m->email;
	return MS_OK;
}
