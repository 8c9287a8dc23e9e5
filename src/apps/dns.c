/* SPDX-License-Identifier: Apache-2.0 */
/*
 * dns.c -- the dns app: "lookup domain" (A, AAAA, MX, NS, TXT) and
 * "lookup ip" (PTR) through c-ares (the only code that includes ares.h).
 * Runs on the engine's worker threads.  Each call makes its own c-ares
 * channel and drives it with poll(2) until the answers are in or the
 * call's time budget (action_time_left_ms) is spent, so calls share
 * nothing and block no one else.
 *
 * Answers come from the network: the answer section is walked here with
 * every length checked against the message, names are expanded by
 * c-ares (which bounds them and refuses compression loops), and strings
 * reach the result through rdict, which cleans bad UTF-8.
 */
#include <arpa/inet.h>
#include <arpa/nameser.h>
#include <errno.h>
#include <poll.h>
#include <stdio.h>
#include <string.h>

#include <ares.h>
#include <glib.h>

#include "apps.h"

/* Per-try timeout: a slow resolver gets retried within the budget. */
#define DNS_TRY_MIN_MS		50
#define DNS_TRY_MAX_MS		2000
#define DNS_TRIES		3
/* Bound on one answer kept for parsing (TCP answers may reach 64 KiB). */
#define DNS_ANSWER_MAX		65535

struct dns {
	char	*servers;	/* "HOST:PORT" for c-ares, or NULL */
};

/* One query of a call. */
struct dns_query {
	int		 type;		/* ns_t_a ... */
	const char	*tname;		/* "A" */
	int		 status;	/* ARES_* */
	unsigned char	*abuf;
	int		 alen;
	int		 done;
	int		*pending;
};

static const struct {
	const char	*name;
	int		 type;
} dns_types[] = {
	{ "A",		ns_t_a },
	{ "AAAA",	ns_t_aaaa },
	{ "MX",		ns_t_mx },
	{ "NS",		ns_t_ns },
	{ "TXT",	ns_t_txt },
};

static gsize	dns_lib_once;

/* ---- the asset ------------------------------------------------------ */

/* resolver=HOST[:PORT], HOST an IPv4 address or [IPv6]; c-ares takes
 * the same syntax and is asked to check it. */
static enum ms_err
dns_init(const struct asset *as, void **state, char *err, size_t errlen)
{
	const char	*r = asset_get(as, "resolver");
	ares_channel	 ch;
	struct dns	*d;
	int		 st;

	if (g_once_init_enter(&dns_lib_once)) {
		st = ares_library_init(ARES_LIB_INIT_ALL);
		g_once_init_leave(&dns_lib_once, 1);
		if (st != ARES_SUCCESS) {
			snprintf(err, errlen, "c-ares: %s", ares_strerror(st));
			return MS_EINVAL;
		}
	}
	*state = NULL;
	if (r != NULL && *r != '\0') {
		st = ares_init(&ch);
		if (st == ARES_SUCCESS) {
			st = ares_set_servers_ports_csv(ch, r);
			ares_destroy(ch);
		}
		if (st != ARES_SUCCESS || strchr(r, ',') != NULL) {
			snprintf(err, errlen, "resolver=%s: expected an IP "
			    "address, [IPv6 address] or either with :PORT "
			    "(%s)", r, ares_strerror(st));
			return MS_EINVAL;
		}
	}
	d = g_new0(struct dns, 1);
	d->servers = r != NULL && *r != '\0' ? g_strdup(r) : NULL;
	*state = d;
	return MS_OK;
}

static void
dns_free(void *state)
{
	struct dns	*d = state;

	if (d == NULL)
		return;
	g_free(d->servers);
	g_free(d);
}

/* ---- running queries ----------------------------------------------- */

static void
on_answer(void *arg, int status, int timeouts, unsigned char *abuf,
    int alen)
{
	struct dns_query	*q = arg;

	(void)timeouts;
	if (q->done)
		return;
	q->status = status;
	if (status == ARES_SUCCESS && abuf != NULL && alen > 0 &&
	    alen <= DNS_ANSWER_MAX) {
		q->abuf = g_memdup2(abuf, (gsize)alen);
		q->alen = alen;
	}
	q->done = 1;
	(*q->pending)--;
}

/* One round of poll(2) on the channel's sockets, at most until 'left'. */
static int
poll_once(ares_channel ch, int left_ms)
{
	ares_socket_t	 socks[ARES_GETSOCK_MAXNUM];
	struct pollfd	 pfd[ARES_GETSOCK_MAXNUM];
	struct timeval	 maxtv, tv, *tvp;
	unsigned	 bits;
	int		 i, n = 0, wait, r, rd, wr;

	/* ARES_GETSOCK_WRITABLE() shifts a signed 1 into the sign bit for
	 * the last socket; test the bits unsigned. */
	bits = (unsigned)ares_getsock(ch, socks, ARES_GETSOCK_MAXNUM);
	for (i = 0; i < ARES_GETSOCK_MAXNUM; i++) {
		rd = (bits & (1u << i)) != 0;
		wr = (bits & (1u << (i + ARES_GETSOCK_MAXNUM))) != 0;
		if (!rd && !wr)
			continue;
		pfd[n].fd = socks[i];
		pfd[n].events = (rd ? POLLIN : 0) | (wr ? POLLOUT : 0);
		pfd[n].revents = 0;
		n++;
	}
	maxtv.tv_sec = left_ms / 1000;
	maxtv.tv_usec = (left_ms % 1000) * 1000;
	tvp = ares_timeout(ch, &maxtv, &tv);
	wait = (int)(tvp->tv_sec * 1000 + (tvp->tv_usec + 999) / 1000);
	r = poll(pfd, (nfds_t)n, wait);
	if (r < 0)
		return errno == EINTR ? 0 : -1;
	if (r == 0) {
		ares_process_fd(ch, ARES_SOCKET_BAD, ARES_SOCKET_BAD);
		return 0;
	}
	for (i = 0; i < n; i++) {
		if (pfd[i].revents == 0)
			continue;
		ares_process_fd(ch, (pfd[i].revents & (POLLIN | POLLERR |
		    POLLHUP)) ? pfd[i].fd : ARES_SOCKET_BAD,
		    (pfd[i].revents & POLLOUT) ? pfd[i].fd : ARES_SOCKET_BAD);
	}
	return 0;
}

/*
 * Send the 'n' queries for 'name' and wait for all of them, at most
 * the call's time left.  Queries not answered in time keep status
 * ARES_ETIMEOUT.  Returns MS_OK, or MS_ENET if no channel could be made
 * (the action is then failed).
 */
static enum ms_err
run_queries(struct action_ctx *ctx, const char *name, struct dns_query *q,
    size_t n)
{
	struct dns		*d = action_state(ctx);
	struct ares_options	 o;
	ares_channel		 ch;
	gint64			 deadline, now;
	int			 left = action_time_left_ms(ctx), pending = 0;
	int			 st;
	size_t			 i;

	deadline = g_get_monotonic_time() + (gint64)left * 1000;
	memset(&o, 0, sizeof(o));
	o.timeout = CLAMP(left / 4, DNS_TRY_MIN_MS, DNS_TRY_MAX_MS);
	o.tries = DNS_TRIES;
	st = ares_init_options(&ch, &o, ARES_OPT_TIMEOUTMS | ARES_OPT_TRIES);
	if (st != ARES_SUCCESS) {
		action_fail(ctx, 1, "c-ares: %s", ares_strerror(st));
		return MS_ENET;
	}
	if (d != NULL && d->servers != NULL &&
	    (st = ares_set_servers_ports_csv(ch, d->servers)) !=
	    ARES_SUCCESS) {
		ares_destroy(ch);
		action_fail(ctx, 0, "resolver=%s: %s", d->servers,
		    ares_strerror(st));
		return MS_EINVAL;
	}
	for (i = 0; i < n; i++) {
		q[i].status = ARES_ETIMEOUT;
		q[i].pending = &pending;
		pending++;
		ares_query(ch, name, ns_c_in, q[i].type, on_answer, &q[i]);
	}
	while (pending > 0) {
		now = g_get_monotonic_time();
		if (now >= deadline)
			break;
		if (poll_once(ch, (int)((deadline - now + 999) / 1000)) < 0)
			break;
	}
	/* Unanswered queries' callbacks run here (ARES_EDESTRUCTION);
	 * on_answer ignores them once we stop caring: mark them done. */
	for (i = 0; i < n; i++)
		if (!q[i].done) {
			q[i].done = 1;
			q[i].status = ARES_ETIMEOUT;
		}
	ares_destroy(ch);
	return MS_OK;
}

/* ---- reading answers ----------------------------------------------- */

static uint16_t
get16(const unsigned char *p)
{
	return (uint16_t)(p[0] << 8 | p[1]);
}

static uint32_t
get32(const unsigned char *p)
{
	return (uint32_t)p[0] << 24 | (uint32_t)p[1] << 16 |
	    (uint32_t)p[2] << 8 | p[3];
}

/* Skip the name at 'p'; its encoded length, or -1. */
static long
skip_name(const unsigned char *p, const unsigned char *abuf, int alen)
{
	char	*name = NULL;
	long	 len = 0;

	if (ares_expand_name(p, abuf, alen, &name, &len) != ARES_SUCCESS)
		return -1;
	ares_free_string(name);
	return len;
}

/* TXT rdata: its character-strings, concatenated. */
static char *
txt_value(const unsigned char *rd, unsigned rdlen)
{
	GString		*s = g_string_new(NULL);
	unsigned	 i = 0, n;

	while (i < rdlen) {
		n = rd[i++];
		if (n > rdlen - i)
			break;	/* truncated string: keep what fits */
		g_string_append_len(s, (const char *)rd + i, n);
		i += n;
	}
	return g_string_free(s, FALSE);
}

/* The value of one record of type 'type' (g_malloc), or NULL. */
static char *
rr_value(int type, const unsigned char *rd, unsigned rdlen,
    const unsigned char *abuf, int alen, int *prio)
{
	char	 buf[INET6_ADDRSTRLEN], *name = NULL, *v;
	long	 len;

	switch (type) {
	case ns_t_a:
	case ns_t_aaaa:
		if (rdlen != (type == ns_t_a ? 4u : 16u) || inet_ntop(type ==
		    ns_t_a ? AF_INET : AF_INET6, rd, buf, sizeof(buf)) == NULL)
			return NULL;
		return g_strdup(buf);
	case ns_t_txt:
		return txt_value(rd, rdlen);
	case ns_t_mx:
		if (rdlen < 3)
			return NULL;
		*prio = get16(rd);
		rd += 2;
		/* FALLTHROUGH */
	case ns_t_ns:
	case ns_t_ptr:
	case ns_t_cname:
		if (ares_expand_name(rd, abuf, alen, &name, &len) !=
		    ARES_SUCCESS)
			return NULL;
		v = g_strdup(name);
		ares_free_string(name);
		return v;
	}
	return NULL;
}

static const char *
type_name(int type)
{
	switch (type) {
	case ns_t_a:		return "A";
	case ns_t_aaaa:		return "AAAA";
	case ns_t_mx:		return "MX";
	case ns_t_ns:		return "NS";
	case ns_t_txt:		return "TXT";
	case ns_t_ptr:		return "PTR";
	case ns_t_cname:	return "CNAME";
	}
	return "?";
}

/*
 * Add a data item per answer record of the query's type (and CNAME for
 * 'cname'), with TTLs.  Feeds 'counts', 'values' (A/AAAA or PTR names).
 * Returns the number of items, or -1 for a malformed answer.
 */
static int
add_answers(struct action_ctx *ctx, const struct dns_query *q,
    int cname, struct rdict *counts, struct rlist *values)
{
	const unsigned char	*p = q->abuf, *end = q->abuf + q->alen;
	unsigned		 qd, an, i, type, class, rdlen;
	struct rdict		*d;
	uint32_t		 ttl;
	long			 len;
	char			*v;
	int			 prio, items = 0, ncname = 0;

	if (q->alen < HFIXEDSZ)
		return -1;
	qd = get16(p + 4);
	an = get16(p + 6);
	p += HFIXEDSZ;
	for (i = 0; i < qd; i++) {
		if ((len = skip_name(p, q->abuf, q->alen)) < 0 ||
		    end - p < len + QFIXEDSZ)
			return -1;
		p += len + QFIXEDSZ;
	}
	for (i = 0; i < an; i++) {
		if ((len = skip_name(p, q->abuf, q->alen)) < 0 ||
		    end - p < len + RRFIXEDSZ)
			return -1;
		p += len;
		type = get16(p);
		class = get16(p + 2);
		ttl = get32(p + 4);
		rdlen = get16(p + 8);
		p += RRFIXEDSZ;
		if (end - p < (long)rdlen)
			return -1;
		prio = -1;
		v = NULL;
		if (class == ns_c_in && ((int)type == q->type ||
		    (cname && type == ns_t_cname)))
			v = rr_value((int)type, p, rdlen, q->abuf, q->alen,
			    &prio);
		p += rdlen;
		if (v == NULL)
			continue;
		d = action_add_data(ctx);
		rdict_set_str(d, "type", type_name((int)type));
		rdict_set_str(d, "value", v);
		rdict_set_int(d, "ttl", ttl);
		if (prio >= 0)
			rdict_set_int(d, "priority", prio);
		if (type == ns_t_a || type == ns_t_aaaa || type == ns_t_ptr)
			rlist_add_str(values, v);
		if (type == ns_t_cname)
			ncname++;
		g_free(v);
		items++;
	}
	rdict_set_int(counts, q->tname, items - ncname);
	if (ncname > 0)
		rdict_set_int(counts, "CNAME", ncname);
	return items;
}

/* Failure statuses: 1 transient, 0 permanent. */
static int
transient(int status)
{
	switch (status) {
	case ARES_ETIMEOUT:
	case ARES_ESERVFAIL:
	case ARES_EREFUSED:
	case ARES_ECONNREFUSED:
	case ARES_EBADRESP:
	case ARES_ENOMEM:
		return 1;
	}
	return 0;
}

static const char *
status_text(int status)
{
	switch (status) {
	case ARES_ETIMEOUT:	return "timed out";
	case ARES_ESERVFAIL:	return "server failure (SERVFAIL)";
	case ARES_EREFUSED:	return "query refused (REFUSED)";
	case ARES_ECONNREFUSED:	return "connection refused";
	}
	return ares_strerror(status);
}

/*
 * The common end of both actions: NXDOMAIN is an answer (success, no
 * data), other errors fail the call.  Returns 1 when the answers should
 * be read, 0 when the result is settled.
 */
static int
judge(struct action_ctx *ctx, const char *what, struct dns_query *q,
    size_t n)
{
	const char	*server;
	struct dns	*d = action_state(ctx);
	size_t		 i;

	server = d != NULL && d->servers != NULL ? d->servers :
	    "the system resolver";
	for (i = 0; i < n; i++) {
		if (q[i].status == ARES_SUCCESS ||
		    q[i].status == ARES_ENODATA ||
		    q[i].status == ARES_ENOTFOUND)
			continue;
		action_fail(ctx, transient(q[i].status), "%s %s: %s (%s)",
		    what, q[i].tname, status_text(q[i].status), server);
		return 0;
	}
	for (i = 0; i < n; i++)
		if (q[i].status == ARES_ENOTFOUND) {
			action_set_message(ctx, "%s: no such domain "
			    "(NXDOMAIN)", what);
			rdict_set_int(action_summary(ctx), "total_records", 0);
			return 0;
		}
	return 1;
}

/* A host name as a resolver takes it: printable ASCII (IDNs in their
 * xn-- form), at most 253 characters plus a final dot. */
static int
valid_domain(const char *s)
{
	size_t	n = strlen(s), i;

	if (n == 0 || n > 254 || (n == 254 && s[253] != '.'))
		return 0;
	for (i = 0; i < n; i++)
		if (s[i] <= ' ' || s[i] >= 0x7f)
			return 0;
	return strstr(s, "..") == NULL && s[0] != '.';
}

/* Fill 'q' with the types asked for; the count, or 0 for a bad type. */
static size_t
pick_types(const char *type, struct dns_query *q)
{
	size_t	i, n = 0;

	for (i = 0; i < MS_ARRAY_LEN(dns_types); i++) {
		if (type != NULL && *type != '\0' &&
		    g_ascii_strcasecmp(type, "all") != 0 &&
		    g_ascii_strcasecmp(type, dns_types[i].name) != 0)
			continue;
		memset(&q[n], 0, sizeof(q[n]));
		q[n].type = dns_types[i].type;
		q[n].tname = dns_types[i].name;
		n++;
	}
	return n;
}

static enum ms_err
lookup_domain(struct action_ctx *ctx)
{
	struct dns_query	 q[MS_ARRAY_LEN(dns_types)];
	const char		*dom = action_param(ctx, "domain");
	const char		*type = action_param(ctx, "type");
	struct rdict		*sum, *counts;
	struct rlist		*ips;
	size_t			 n, i;
	int			 r, total = 0;

	if (dom == NULL || !valid_domain(dom)) {
		action_fail(ctx, 0, "'%s' is not a domain name",
		    dom ? dom : "");
		return MS_OK;
	}
	n = pick_types(type, q);
	if (n == 0) {
		action_fail(ctx, 0, "type '%s': expected A, AAAA, MX, NS, TXT "
		    "or all", type);
		return MS_OK;
	}
	if (run_queries(ctx, dom, q, n) != MS_OK)
		return MS_OK;
	if (!judge(ctx, dom, q, n))
		goto out;
	sum = action_summary(ctx);
	counts = rdict_add_dict(sum, "counts");
	ips = rdict_add_list(sum, "ips");
	for (i = 0; i < n; i++) {
		rdict_set_int(counts, q[i].tname, 0);
		if (q[i].abuf == NULL)
			continue;
		r = add_answers(ctx, &q[i], q[i].type == ns_t_a, counts, ips);
		if (r < 0) {
			action_fail(ctx, 1, "%s %s: malformed answer", dom,
			    q[i].tname);
			goto out;
		}
		total += r;
	}
	rdict_set_int(sum, "total_records", total);
	if (total == 0)
		action_set_message(ctx, "%s: no records", dom);
	else
		action_set_message(ctx, "%s: %d record%s", dom, total,
		    total == 1 ? "" : "s");
out:
	for (i = 0; i < n; i++)
		g_free(q[i].abuf);
	return MS_OK;
}

/* "4.3.2.1.in-addr.arpa" or the ip6.arpa nibbles; NULL if not an IP. */
static char *
reverse_name(const char *ip)
{
	unsigned char	 a[16];
	GString		*s;
	int		 i;

	if (inet_pton(AF_INET, ip, a) == 1)
		return g_strdup_printf("%u.%u.%u.%u.in-addr.arpa", a[3], a[2],
		    a[1], a[0]);
	if (inet_pton(AF_INET6, ip, a) != 1)
		return NULL;
	s = g_string_new(NULL);
	for (i = 15; i >= 0; i--)
		g_string_append_printf(s, "%x.%x.", a[i] & 0xf, a[i] >> 4);
	g_string_append(s, "ip6.arpa");
	return g_string_free(s, FALSE);
}

static enum ms_err
lookup_ip(struct action_ctx *ctx)
{
	const char		*ip = action_param(ctx, "ip");
	struct dns_query	 q;
	struct rdict		*sum, *counts;
	struct rlist		*names;
	char			*rev;
	int			 r;

	rev = ip != NULL ? reverse_name(ip) : NULL;
	if (rev == NULL) {
		action_fail(ctx, 0, "'%s' is not an IP address",
		    ip ? ip : "");
		return MS_OK;
	}
	memset(&q, 0, sizeof(q));
	q.type = ns_t_ptr;
	q.tname = "PTR";
	if (run_queries(ctx, rev, &q, 1) != MS_OK || !judge(ctx, ip, &q, 1))
		goto out;
	sum = action_summary(ctx);
	counts = rdict_add_dict(sum, "counts");
	rdict_set_int(counts, "PTR", 0);
	names = rdict_add_list(sum, "hostnames");
	r = q.abuf != NULL ? add_answers(ctx, &q, 0, counts, names) : 0;
	if (r < 0) {
		action_fail(ctx, 1, "%s PTR: malformed answer", ip);
		goto out;
	}
	rdict_set_int(sum, "total_records", r);
	if (r == 0)
		action_set_message(ctx, "%s: no PTR record", ip);
	else
		action_set_message(ctx, "%s: %d name%s", ip, r,
		    r == 1 ? "" : "s");
out:
	g_free(q.abuf);
	g_free(rev);
	return MS_OK;
}

/* `mailsoar asset test`: the root's NS records.  Any answer, even "no
 * such domain" from a resolver that serves no root, shows it answers. */
static enum ms_err
dns_test(struct action_ctx *ctx)
{
	struct dns_query	q;

	memset(&q, 0, sizeof(q));
	q.type = ns_t_ns;
	q.tname = "NS";
	if (run_queries(ctx, ".", &q, 1) != MS_OK)
		return MS_OK;
	if (judge(ctx, ". (root)", &q, 1) || q.status == ARES_ENOTFOUND)
		action_set_message(ctx, "the resolver answers");
	g_free(q.abuf);
	return MS_OK;
}

static const struct app_param domain_params[] = {
	{ "domain", "domain", APP_PARAM_REQUIRED, "the name to resolve" },
	{ "type", NULL, 0, "A, AAAA, MX, NS, TXT or all (the default)" },
	{ NULL, NULL, 0, NULL }
};

static const struct app_param ip_params[] = {
	{ "ip", "ip", APP_PARAM_REQUIRED, "IPv4 or IPv6 address" },
	{ NULL, NULL, 0, NULL }
};

static const struct app_output domain_outputs[] = {
	{ "action_result.data.*.type", NULL },
	{ "action_result.data.*.value", NULL },
	{ "action_result.data.*.ttl", NULL },
	{ "action_result.data.*.priority", NULL },
	{ "action_result.summary.total_records", NULL },
	{ "action_result.summary.counts", NULL },
	{ "action_result.summary.ips", "ip" },
	{ "action_result.parameter.domain", "domain" },
	{ NULL, NULL }
};

static const struct app_output ip_outputs[] = {
	{ "action_result.data.*.type", NULL },
	{ "action_result.data.*.value", "domain" },
	{ "action_result.data.*.ttl", NULL },
	{ "action_result.summary.total_records", NULL },
	{ "action_result.summary.hostnames", "domain" },
	{ "action_result.parameter.ip", "ip" },
	{ NULL, NULL }
};

static const struct app_action dns_actions[] = {
	{ "lookup domain", "A, AAAA, MX, NS and TXT records of a domain",
	    domain_params, domain_outputs, lookup_domain,
	    APP_ACTION_CACHEABLE },
	{ "lookup ip", "PTR names of an IP address", ip_params, ip_outputs,
	    lookup_ip, APP_ACTION_CACHEABLE },
	{ NULL, NULL, NULL, NULL, NULL, 0 }
};

static const struct app_setting dns_settings[] = {
	{ "resolver", 0, 0, "HOST[:PORT] of the resolver to ask (default: "
	    "the system's, from /etc/resolv.conf); HOST an IPv4 address or "
	    "[IPv6 address]" },
	{ NULL, 0, 0, NULL }
};

const struct app dns_app = {
	"dns",
	"DNS lookups through a resolver (c-ares)",
	dns_actions,
	dns_settings,
	dns_init,
	dns_free,
	dns_test,
};
