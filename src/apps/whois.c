/* SPDX-License-Identifier: Apache-2.0 */
/*
 * whois.c -- the whois app: RFC 3912 lookups of domains and IP addresses
 * over TCP port 43, following the referral chain IANA -> registry ->
 * registrar (or RIR for addresses), at most WHOIS_HOPS servers, each
 * answer capped at WHOIS_MAX_ANSWER bytes and every connect and read
 * bounded by the action's time left; or over RDAP (rdap.c) when the
 * RFC 9224 bootstrap names a service for the TLD or the address.  Runs
 * on the executor's worker threads; trusts nothing it reads from the
 * network.  A small token bucket per server (whois or RDAP host),
 * shared by the asset's calls, keeps us polite.
 */
#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <time.h>
#include <unistd.h>
#include <netdb.h>
#include <sys/socket.h>
#include <arpa/inet.h>

#include <glib.h>

#include "apps.h"
#include "rdap.h"
#include "rdap_boot.h"
#include "../engine/result.h"

#define WHOIS_HOPS		3	/* servers per lookup */
#define WHOIS_MAX_ANSWER	(256 * 1024)	/* bytes kept per answer */
#define WHOIS_HOST_MAX		256	/* a server name from a referral */
#define WHOIS_BUCKET_SIZE	10	/* burst of queries per server */
#define WHOIS_BUCKET_RATE	2	/* queries per second per server */

/* One server's token bucket. */
struct whois_bucket {
	double	tokens;
	gint64	last;		/* monotonic us of the last refill */
};

/* rdap= */
enum whois_rdap {
	WHOIS_RDAP_OFF,		/* port 43 only */
	WHOIS_RDAP_ON,		/* RDAP where the bootstrap has a service */
	WHOIS_RDAP_ONLY,	/* RDAP or nothing */
};

/* Per-asset state: the forced server, if any, RDAP's bootstrap and the
 * buckets. */
struct whois {
	char			 host[WHOIS_HOST_MAX];
	int			 port;		/* 0: start at IANA */
	enum whois_rdap		 rdap;
	struct rdap_boot	*boot;		/* NULL with rdap=off */
	GMutex		 mu;
	GHashTable	*buckets;	/* "host:port" -> struct whois_bucket */
};

/* One lookup's fetched answer. */
struct whois_answer {
	char	*text;		/* NUL-terminated, g_free */
	size_t	 len;
	int	 timeout;	/* the server did not answer in time */
};

/*
 * Parse "HOST[:PORT]" (or "[V6]:PORT") into 'host' and '*port' (43 by
 * default).  Returns MS_OK or MS_EINVAL.
 */
static enum ms_err
parse_server(const char *s, char *host, size_t hostlen, int *port)
{
	const char	*colon, *end;
	char		*ep;
	long		 p = 43;
	size_t		 n;

	if (s == NULL || *s == '\0')
		return MS_EINVAL;
	if (*s == '[') {
		end = strchr(s, ']');
		if (end == NULL)
			return MS_EINVAL;
		s++;
		colon = end[1] == ':' ? end + 1 : NULL;
		if (end[1] != '\0' && colon == NULL)
			return MS_EINVAL;
	} else {
		colon = strchr(s, ':');
		if (colon != NULL && strchr(colon + 1, ':') != NULL)
			colon = NULL;	/* a bare IPv6 address */
		end = colon != NULL ? colon : s + strlen(s);
	}
	if (colon != NULL) {
		errno = 0;
		p = strtol(colon + 1, &ep, 10);
		if (errno != 0 || *ep != '\0' || p < 1 || p > 65535)
			return MS_EINVAL;
	}
	n = (size_t)(end - s);
	if (n == 0 || n >= hostlen)
		return MS_EINVAL;
	memcpy(host, s, n);
	host[n] = '\0';
	*port = (int)p;
	return MS_OK;
}

/*
 * Take a token from the bucket of 'host':'port', waiting for one up to
 * the action's time left.  Returns 1 when taken, 0 when rate limited.
 */
static int
bucket_take(struct action_ctx *ctx, struct whois *w, const char *host,
    int port)
{
	struct whois_bucket	*b;
	char			*key;
	gint64			 now, wait_us;
	int			 got = 0;

	key = g_strdup_printf("%s:%d", host, port);
	for (;;) {
		g_mutex_lock(&w->mu);
		now = g_get_monotonic_time();
		b = g_hash_table_lookup(w->buckets, key);
		if (b == NULL) {
			b = g_new0(struct whois_bucket, 1);
			b->tokens = WHOIS_BUCKET_SIZE;
			b->last = now;
			g_hash_table_insert(w->buckets, g_strdup(key), b);
		}
		b->tokens += (double)(now - b->last) * WHOIS_BUCKET_RATE /
		    G_USEC_PER_SEC;
		if (b->tokens > WHOIS_BUCKET_SIZE)
			b->tokens = WHOIS_BUCKET_SIZE;
		b->last = now;
		if (b->tokens >= 1) {
			b->tokens -= 1;
			got = 1;
		}
		wait_us = (gint64)((1 - b->tokens) * G_USEC_PER_SEC /
		    WHOIS_BUCKET_RATE) + 1;
		g_mutex_unlock(&w->mu);
		if (got || wait_us / 1000 >= action_time_left_ms(ctx))
			break;
		g_usleep((gulong)wait_us);
	}
	g_free(key);
	return got;
}

/* Wait for 'ev' on 'fd' up to the time left; 1 ready, 0 timeout, -1. */
static int
wait_fd(struct action_ctx *ctx, int fd, short ev)
{
	struct pollfd	pfd = { fd, ev, 0 };
	int		r;

	do {
		r = poll(&pfd, 1, action_time_left_ms(ctx) - 1);
	} while (r < 0 && errno == EINTR);
	return r;
}

/*
 * Connect to 'host':'port' without blocking past the time left.  The fd
 * or -1 ('*timeout' set when it was the clock).
 */
static int
connect_to(struct action_ctx *ctx, const char *host, int port, int *timeout)
{
	struct addrinfo	 hints, *res = NULL, *ai;
	char		 ps[16];
	socklen_t	 sl;
	int		 fd = -1, err, r;

	memset(&hints, 0, sizeof(hints));
	hints.ai_socktype = SOCK_STREAM;
	snprintf(ps, sizeof(ps), "%d", port);
	if (getaddrinfo(host, ps, &hints, &res) != 0)
		return -1;
	for (ai = res; ai != NULL; ai = ai->ai_next) {
		fd = socket(ai->ai_family, ai->ai_socktype | SOCK_NONBLOCK |
		    SOCK_CLOEXEC, ai->ai_protocol);
		if (fd < 0)
			continue;
		if (connect(fd, ai->ai_addr, ai->ai_addrlen) == 0)
			break;
		if (errno == EINPROGRESS) {
			r = wait_fd(ctx, fd, POLLOUT);
			sl = sizeof(err);
			if (r == 0)
				*timeout = 1;
			if (r > 0 && getsockopt(fd, SOL_SOCKET, SO_ERROR, &err,
			    &sl) == 0 && err == 0)
				break;
		}
		close(fd);
		fd = -1;
		if (*timeout)
			break;
	}
	freeaddrinfo(res);
	return fd;
}

/*
 * Ask 'host':'port' for 'query' and read the answer (UNTRUSTED) into
 * 'a', keeping at most WHOIS_MAX_ANSWER bytes.  MS_OK, or MS_ENET with
 * 'a->timeout' set when the clock ran out.
 */
static enum ms_err
fetch(struct action_ctx *ctx, const char *host, int port, const char *query,
    struct whois_answer *a)
{
	char		*q, buf[8192];
	size_t		 qlen, off = 0;
	ssize_t		 n;
	enum ms_err	 rc = MS_ENET;
	int		 fd, r;

	memset(a, 0, sizeof(*a));
	q = g_strdup_printf("%s\r\n", query);
	qlen = strlen(q);
	fd = connect_to(ctx, host, port, &a->timeout);
	if (fd < 0)
		goto out;
	a->text = g_malloc(WHOIS_MAX_ANSWER + 1);
	while (off < qlen) {
		if ((r = wait_fd(ctx, fd, POLLOUT)) <= 0) {
			a->timeout = r == 0;
			goto out;
		}
		n = send(fd, q + off, qlen - off, MSG_NOSIGNAL);
		if (n < 0 && errno != EAGAIN && errno != EINTR)
			goto out;
		if (n > 0)
			off += (size_t)n;
	}
	for (;;) {
		r = wait_fd(ctx, fd, POLLIN);
		if (r <= 0) {
			a->timeout = r == 0;
			goto out;
		}
		n = recv(fd, buf, sizeof(buf), 0);
		if (n < 0 && (errno == EAGAIN || errno == EINTR))
			continue;
		if (n < 0)
			goto out;
		if (n == 0)
			break;
		if ((size_t)n > WHOIS_MAX_ANSWER - a->len)
			n = (ssize_t)(WHOIS_MAX_ANSWER - a->len);
		memcpy(a->text + a->len, buf, (size_t)n);
		a->len += (size_t)n;
		if (a->len == WHOIS_MAX_ANSWER)
			break;		/* capped: the rest is not read */
	}
	a->text[a->len] = '\0';
	rc = MS_OK;
out:
	if (fd >= 0)
		close(fd);
	g_free(q);
	return rc;
}

/*
 * The value of the first line of 'text' whose key (before ':', trimmed,
 * case-insensitive) is 'key', trimmed; newly allocated or NULL.
 */
static char *
field(const char *text, const char *key)
{
	const char	*p = text, *nl, *colon, *k;
	size_t		 klen = strlen(key);
	char		*v;

	while (p != NULL && *p != '\0') {
		nl = strchr(p, '\n');
		colon = memchr(p, ':', nl != NULL ? (size_t)(nl - p) :
		    strlen(p));
		k = p;
		while (k < colon && (*k == ' ' || *k == '\t'))
			k++;
		if (colon != NULL && (size_t)(colon - k) == klen &&
		    strncasecmp(k, key, klen) == 0) {
			v = nl != NULL ? g_strndup(colon + 1,
			    (gsize)(nl - colon - 1)) : g_strdup(colon + 1);
			g_strstrip(v);
			if (*v != '\0')
				return v;
			g_free(v);
		}
		p = nl != NULL ? nl + 1 : NULL;
	}
	return NULL;
}

/* The first of 'keys' (NULL-ended) found in 'text'; newly allocated. */
static char *
field_any(const char *text, const char *const *keys)
{
	char	*v;

	for (; *keys != NULL; keys++)
		if ((v = field(text, *keys)) != NULL)
			return v;
	return NULL;
}

/*
 * The next server named by 'text' (refer:, whois:, Registrar WHOIS
 * Server:, ReferralServer: whois://), into 'host'/'*port'.  1 if any.
 */
static int
referral(const char *text, char *host, size_t hostlen, int *port)
{
	static const char *const keys[] = { "refer", "whois",
	    "Registrar WHOIS Server", "ReferralServer", NULL };
	char	*v, *s;
	int	 ok;

	v = field_any(text, keys);
	if (v == NULL)
		return 0;
	s = v;
	if (g_str_has_prefix(s, "whois://"))
		s += strlen("whois://");
	else if (strstr(s, "://") != NULL) {
		g_free(v);
		return 0;	/* rwhois:// or http(s)://: not RFC 3912 */
	}
	s[strcspn(s, "/ \t")] = '\0';
	ok = parse_server(s, host, hostlen, port) == MS_OK;
	g_free(v);
	return ok;
}

/* Whether 'text' says the object does not exist. */
static int
not_found(const char *text)
{
	static const char *const marks[] = { "No match for", "NOT FOUND",
	    "No entries found", "No Data Found", "Status: free",
	    "returned 0 objects", NULL };
	const char *const	*m;

	for (m = marks; *m != NULL; m++)
		if (strstr(text, *m) != NULL)
			return 1;
	return 0;
}

/* Copy the field 'key' of 'text' under 'name' of 'd' if present;
 * returns it (newly allocated) or NULL. */
static char *
put(struct rdict *d, const char *name, const char *text,
    const char *const *keys)
{
	char	*v = field_any(text, keys);

	if (v != NULL)
		rdict_set_str(d, name, v);
	return v;
}

/* Days since the ISO 8601 date at the start of 's', or -1. */
static int64_t
age_days(const char *s)
{
	GDateTime	*dt, *now;
	GTimeZone	*utc;
	char		 day[11], *iso;
	int64_t		 r;

	if (strlen(s) < 10)
		return -1;
	memcpy(day, s, 10);
	day[10] = '\0';
	iso = g_strdup_printf("%sT00:00:00Z", day);
	utc = g_time_zone_new_utc();
	dt = g_date_time_new_from_iso8601(iso, utc);
	g_time_zone_unref(utc);
	g_free(iso);
	if (dt == NULL)
		return -1;
	now = g_date_time_new_now_utc();
	r = g_date_time_difference(now, dt) / G_TIME_SPAN_DAY;
	g_date_time_unref(now);
	g_date_time_unref(dt);
	return r;
}

/* The fields of a domain answer (the last one of the chain) into 'd'. */
static void
parse_domain(struct rdict *d, const char *text)
{
	static const char *const k_reg[] = { "Registrar", "registrar",
	    "Sponsoring Registrar", NULL };
	static const char *const k_cre[] = { "Creation Date", "created",
	    "Registered on", NULL };
	static const char *const k_upd[] = { "Updated Date", "changed",
	    "last-update", NULL };
	static const char *const k_exp[] = { "Registry Expiry Date",
	    "Registrar Registration Expiration Date", "Expiry Date",
	    "expires", NULL };
	static const char *const k_org[] = { "Registrant Organization",
	    "org", NULL };
	static const char *const k_cc[] = { "Registrant Country", NULL };
	static const char *const k_abuse[] = {
	    "Registrar Abuse Contact Email", "abuse-mailbox", NULL };
	static const char *const k_ns[] = { "Name Server", "nserver", NULL };
	struct rlist	*ns;
	const char	*p, *nl;
	char		*v, *line, *lower;

	g_free(put(d, "registrar", text, k_reg));
	g_free(put(d, "creation_date", text, k_cre));
	g_free(put(d, "updated_date", text, k_upd));
	g_free(put(d, "expiration_date", text, k_exp));
	g_free(put(d, "registrant_organization", text, k_org));
	g_free(put(d, "registrant_country", text, k_cc));
	g_free(put(d, "abuse_email", text, k_abuse));
	ns = rdict_add_list(d, "name_servers");
	for (p = text; p != NULL && *p != '\0'; p = nl != NULL ? nl + 1 :
	    NULL) {
		nl = strchr(p, '\n');
		line = nl != NULL ? g_strndup(p, (gsize)(nl - p)) :
		    g_strdup(p);
		v = field_any(line, k_ns);
		if (v != NULL) {
			v[strcspn(v, " \t")] = '\0';
			lower = g_ascii_strdown(v, -1);
			rlist_add_str(ns, lower);
			g_free(lower);
		}
		g_free(v);
		g_free(line);
	}
}

/* The fields of an IP answer (ARIN or RIPE style) into 'd'. */
static void
parse_ip(struct rdict *d, const char *text)
{
	static const char *const k_net[] = { "NetName", "netname", NULL };
	static const char *const k_cidr[] = { "CIDR", "inetnum",
	    "inet6num", "NetRange", NULL };
	static const char *const k_cc[] = { "Country", NULL };
	static const char *const k_asn[] = { "OriginAS", "origin", NULL };
	static const char *const k_org[] = { "OrgName", "org-name",
	    "Organization", "descr", NULL };
	static const char *const k_abuse[] = { "OrgAbuseEmail",
	    "abuse-mailbox", NULL };

	g_free(put(d, "network_name", text, k_net));
	g_free(put(d, "cidr", text, k_cidr));
	g_free(put(d, "country", text, k_cc));
	g_free(put(d, "asn", text, k_asn));
	g_free(put(d, "organization", text, k_org));
	g_free(put(d, "abuse_email", text, k_abuse));
}

/* What both protocols derive from the data item 'd': domain_age_days,
 * and the summary's registrar, age_days and country (a domain) or
 * organization and country (an address). */
static void
summarize(struct action_ctx *ctx, struct rdict *d, int is_ip)
{
	static const char *const ip_keys[][2] = {
		{ "organization", "organization" }, { "country", "country" },
	};
	static const char *const dom_keys[][2] = {
		{ "registrar", "registrar" },
		{ "registrant_country", "country" },
	};
	struct rdict	*sum = action_summary(ctx);
	const char	*s, *const (*keys)[2] = is_ip ? ip_keys : dom_keys;
	int64_t		 age;
	size_t		 i;

	for (i = 0; i < 2; i++) {
		s = result_dict_get_str(d, keys[i][0]);
		if (s != NULL)
			rdict_set_str(sum, keys[i][1], s);
	}
	s = is_ip ? NULL : result_dict_get_str(d, "creation_date");
	age = s != NULL ? age_days(s) : -1;
	if (age >= 0) {
		rdict_set_int(d, "domain_age_days", age);
		rdict_set_int(sum, "age_days", age);
	}
}

/* Whether 'text' looks like a whois answer at all ("key: value" lines
 * or a comment), rather than junk. */
static int
looks_whois(const char *text, size_t len)
{
	size_t	i, bad = 0;

	if (len == 0)
		return 0;
	for (i = 0; i < len; i++)
		if ((unsigned char)text[i] < 0x09 ||
		    (text[i] > 0x0d && (unsigned char)text[i] < 0x20))
			bad++;
	return bad == 0 && strchr(text, ':') != NULL;
}

/*
 * Follow the port-43 chain for 'query' ('is_ip': an address) and fill
 * the result.  Failures go through action_fail().
 */
static void
lookup43(struct action_ctx *ctx, const char *query, int is_ip)
{
	struct whois		*w = action_state(ctx);
	struct whois_answer	 a, last;
	struct rlist		*servers;
	struct rdict		*d;
	GPtrArray		*seen;
	char			 host[WHOIS_HOST_MAX], *key;
	int			 port, hop, i, dup;

	memset(&last, 0, sizeof(last));
	seen = g_ptr_array_new_with_free_func(g_free);
	if (w->port != 0) {
		g_strlcpy(host, w->host, sizeof(host));
		port = w->port;
	} else {
		g_strlcpy(host, "whois.iana.org", sizeof(host));
		port = 43;
	}
	for (hop = 0; hop < WHOIS_HOPS; hop++) {
		key = g_strdup_printf("%s:%d", host, port);
		dup = 0;
		for (i = 0; i < (int)seen->len; i++)
			if (g_ascii_strcasecmp(key, seen->pdata[i]) == 0)
				dup = 1;
		if (dup) {
			g_free(key);
			break;		/* a loop: keep the last answer */
		}
		g_ptr_array_add(seen, key);
		if (!bucket_take(ctx, w, host, port)) {
			action_fail(ctx, 1, "%s: whois server %s rate limited",
			    query, key);
			goto out;
		}
		if (fetch(ctx, host, port, query, &a) != MS_OK) {
			action_fail(ctx, 1, "%s: whois server %s: %s", query,
			    key, a.timeout ? "timed out" :
			    "connection failed");
			g_free(a.text);
			goto out;
		}
		g_free(last.text);
		last = a;
		if (!looks_whois(a.text, a.len) || not_found(a.text) ||
		    !referral(a.text, host, sizeof(host), &port))
			break;
	}
	if (!looks_whois(last.text, last.len)) {
		action_fail(ctx, 0, "%s: whois server %s sent no whois answer",
		    query, (char *)seen->pdata[seen->len - 1]);
		goto out;
	}
	if (not_found(last.text)) {
		action_set_message(ctx, "%s: not found", query);
		goto out;
	}
	d = action_add_data(ctx);
	if (is_ip)
		parse_ip(d, last.text);
	else
		parse_domain(d, last.text);
	summarize(ctx, d, is_ip);
	rdict_set_str(d, "raw", last.text);
	servers = rdict_add_list(d, "servers");
	for (i = 0; i < (int)seen->len; i++)
		rlist_add_str(servers, seen->pdata[i]);
	rdict_set_str(d, "protocol", "whois");
	action_set_message(ctx, "%s: found (%u server%s)", query, seen->len,
	    seen->len == 1 ? "" : "s");
out:
	g_free(last.text);
	g_ptr_array_free(seen, TRUE);
}

/* rdap_take_fn over the asset's buckets. */
static int
rdap_take(struct action_ctx *ctx, void *arg, const char *host, int port)
{
	return bucket_take(ctx, arg, host, port);
}

/*
 * Look 'query' up over RDAP when the asset allows it and the bootstrap
 * names a service, else over port 43.  An RDAP failure is not retried
 * over port 43: the registry's RDAP service is the authoritative one
 * (ICANN ended the gTLD registries' port-43 obligation), a transient
 * failure is retried by the engine, and one result stays one protocol.
 */
static void
lookup(struct action_ctx *ctx, const char *query, int is_ip)
{
	struct whois	*w = action_state(ctx);
	struct rdict	*d;
	const char	*base = NULL;

	if (w->rdap != WHOIS_RDAP_OFF)
		base = is_ip ? rdap_boot_ip(w->boot, query) :
		    rdap_boot_domain(w->boot, query);
	if (base != NULL) {
		d = rdap_lookup(ctx, base, query, is_ip, rdap_take, w);
		if (d != NULL)
			summarize(ctx, d, is_ip);
	} else if (w->rdap == WHOIS_RDAP_ONLY)
		action_fail(ctx, 0, "%s: the RDAP bootstrap names no service "
		    "for it (rdap=only)", query);
	else
		lookup43(ctx, query, is_ip);
}

/* `whois domain`. */
static enum ms_err
whois_domain(struct action_ctx *ctx)
{
	const char	*dom = action_param(ctx, "domain");
	size_t		 i, n = strlen(dom);

	for (i = 0; i < n; i++)
		if (!g_ascii_isalnum(dom[i]) && dom[i] != '-' &&
		    dom[i] != '.')
			break;
	if (n == 0 || n > 253 || i < n || strchr(dom, '.') == NULL) {
		action_fail(ctx, 0, "'%s' is not a domain name", dom);
		return MS_OK;
	}
	lookup(ctx, dom, 0);
	return MS_OK;
}

/* `whois ip`. */
static enum ms_err
whois_ip(struct action_ctx *ctx)
{
	const char	*ip = action_param(ctx, "ip");
	unsigned char	 buf[16];

	if (inet_pton(AF_INET, ip, buf) != 1 &&
	    inet_pton(AF_INET6, ip, buf) != 1) {
		action_fail(ctx, 0, "'%s' is not an IP address", ip);
		return MS_OK;
	}
	lookup(ctx, ip, 1);
	return MS_OK;
}

/* rdap= and rdap_bootstrap= into 'w'.  MS_OK or MS_EINVAL with 'err'
 * naming the setting. */
static enum ms_err
init_rdap(const struct asset *as, struct whois *w, char *err,
    size_t errlen)
{
	const char	*mode = asset_get(as, "rdap");
	const char	*dir = asset_get(as, "rdap_bootstrap");
	char		*def = NULL, why[512];
	enum ms_err	 rc;

	if (mode == NULL || strcmp(mode, "on") == 0)
		w->rdap = WHOIS_RDAP_ON;
	else if (strcmp(mode, "off") == 0)
		w->rdap = WHOIS_RDAP_OFF;
	else if (strcmp(mode, "only") == 0)
		w->rdap = WHOIS_RDAP_ONLY;
	else {
		snprintf(err, errlen, "rdap=%s: not off, on or only", mode);
		return MS_EINVAL;
	}
	if (w->rdap == WHOIS_RDAP_OFF)
		return MS_OK;
	if (dir == NULL)
		dir = def = rdap_boot_default_dir();
	rc = rdap_boot_load(dir, &w->boot, why, sizeof(why));
	if (rc != MS_OK)
		snprintf(err, errlen, "rdap_bootstrap=%s: %s (rdap=off "
		    "turns RDAP off)", dir, why);
	g_free(def);
	return rc;
}

/* asset_init: the forced server, RDAP's bootstrap and the buckets. */
static enum ms_err
whois_init(const struct asset *as, void **state, char *err, size_t errlen)
{
	struct whois	*w = xcalloc(1, sizeof(*w));
	const char	*s = asset_get(as, "server");

	if (s != NULL && parse_server(s, w->host, sizeof(w->host),
	    &w->port) != MS_OK) {
		snprintf(err, errlen, "server=%s: not HOST[:PORT]", s);
		xfree(w);
		return MS_EINVAL;
	}
	if (init_rdap(as, w, err, errlen) != MS_OK) {
		xfree(w);
		return MS_EINVAL;
	}
	g_mutex_init(&w->mu);
	w->buckets = g_hash_table_new_full(g_str_hash, g_str_equal, g_free,
	    g_free);
	*state = w;
	return MS_OK;
}

/* asset_free. */
static void
whois_free(void *state)
{
	struct whois	*w = state;

	if (w == NULL)
		return;
	g_hash_table_destroy(w->buckets);
	g_mutex_clear(&w->mu);
	rdap_boot_free(w->boot);
	xfree(w);
}

static const struct app_param domain_params[] = {
	{ "domain", "domain", APP_PARAM_REQUIRED, "the domain to look up" },
	{ NULL, NULL, 0, NULL }
};

static const struct app_param ip_params[] = {
	{ "ip", "ip", APP_PARAM_REQUIRED, "IPv4 or IPv6 address" },
	{ NULL, NULL, 0, NULL }
};

static const struct app_output domain_outputs[] = {
	{ "action_result.data.*.registrar", NULL },
	{ "action_result.data.*.creation_date", NULL },
	{ "action_result.data.*.updated_date", NULL },
	{ "action_result.data.*.expiration_date", NULL },
	{ "action_result.data.*.domain_age_days", NULL },
	{ "action_result.data.*.registrant_organization", NULL },
	{ "action_result.data.*.registrant_country", NULL },
	{ "action_result.data.*.name_servers", "domain" },
	{ "action_result.data.*.abuse_email", "email" },
	{ "action_result.data.*.raw", NULL },
	{ "action_result.data.*.servers", NULL },
	{ "action_result.data.*.protocol", NULL },
	{ "action_result.summary.registrar", NULL },
	{ "action_result.summary.age_days", NULL },
	{ "action_result.summary.country", NULL },
	{ "action_result.parameter.domain", "domain" },
	{ NULL, NULL }
};

static const struct app_output ip_outputs[] = {
	{ "action_result.data.*.network_name", NULL },
	{ "action_result.data.*.cidr", NULL },
	{ "action_result.data.*.country", NULL },
	{ "action_result.data.*.asn", NULL },
	{ "action_result.data.*.organization", NULL },
	{ "action_result.data.*.abuse_email", "email" },
	{ "action_result.data.*.raw", NULL },
	{ "action_result.data.*.servers", NULL },
	{ "action_result.data.*.protocol", NULL },
	{ "action_result.summary.organization", NULL },
	{ "action_result.summary.country", NULL },
	{ "action_result.parameter.ip", "ip" },
	{ NULL, NULL }
};

static const struct app_action whois_actions[] = {
	{ "whois domain", "Registration data of a domain (RDAP or RFC 3912)",
	    domain_params, domain_outputs, whois_domain,
	    APP_ACTION_CACHEABLE },
	{ "whois ip", "Registration data of an IP address (RDAP or "
	    "RFC 3912)",
	    ip_params, ip_outputs, whois_ip, APP_ACTION_CACHEABLE },
	{ NULL, NULL, NULL, NULL, NULL, 0 }
};

static const struct app_setting whois_settings[] = {
	{ "server", 0, 0, "HOST[:PORT] of the whois server to start at "
	    "(default: whois.iana.org:43)" },
	{ "rdap", 0, 0, "off, on (default: RDAP where the bootstrap names a "
	    "service, else port 43) or only" },
	{ "rdap_bootstrap", 0, 0, "directory of the RFC 9224 bootstrap files "
	    "dns.json, ipv4.json, ipv6.json, asn.json (default: the shipped "
	    "ones)" },
	{ NULL, 0, 0, NULL }
};

const struct app whois_app = {
	"whois",
	"Registration data of domains and IP addresses (RDAP, whois)",
	whois_actions,
	whois_settings,
	whois_init,
	whois_free,
	NULL,
};
