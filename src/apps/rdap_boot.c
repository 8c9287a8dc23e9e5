/* SPDX-License-Identifier: Apache-2.0 */
/*
 * rdap_boot.c -- the RFC 9224 bootstrap registry for the whois app's
 * RDAP lookups (rdap_boot.h): IANA-format files read once when an asset
 * loads, then shared read-only by the lookups on the worker threads.
 * The files come from the administrator (or IANA, copied in) and are
 * still checked entry by entry.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <arpa/inet.h>

#include <glib.h>

#include "rdap_boot.h"
#include "../engine/result.h"

/* One address block of ipv4.json or ipv6.json. */
struct rdap_net {
	int		 family;	/* AF_INET or AF_INET6 */
	unsigned char	 addr[16];
	int		 len;		/* prefix length in bits */
	const char	*url;		/* borrowed from 'urls' */
};

/* One AS number range of asn.json. */
struct rdap_asr {
	uint32_t	 lo, hi;
	const char	*url;
};

struct rdap_boot {
	GHashTable	*dns;		/* lower-case suffix -> url */
	GArray		*nets;		/* struct rdap_net */
	GArray		*asns;		/* struct rdap_asr */
	GPtrArray	*urls;		/* the base URLs, owned */
};

/* An entry adder: MS_OK or MS_EINVAL. */
typedef enum ms_err	(*rdap_add_fn)(struct rdap_boot *b, const char *entry,
			    const char *url);

/* The service's URL to use: the first https one, else the first http
 * one, else NULL. */
static const char *
pick_url(const struct rlist *urls)
{
	const char	*u, *http = NULL;
	size_t		 i;

	for (i = 0; i < result_list_len(urls); i++) {
		u = result_list_get_str(urls, i);
		if (u == NULL)
			continue;
		if (g_str_has_prefix(u, "https://"))
			return u;
		if (http == NULL && g_str_has_prefix(u, "http://"))
			http = u;
	}
	return http;
}

/* dns.json: "com", "co.uk"; stored lower-case without a final dot. */
static enum ms_err
add_dns(struct rdap_boot *b, const char *entry, const char *url)
{
	char	*k;

	if (*entry == '\0' || strlen(entry) > 253)
		return MS_EINVAL;
	k = g_ascii_strdown(entry, -1);
	if (g_str_has_suffix(k, "."))
		k[strlen(k) - 1] = '\0';
	g_hash_table_insert(b->dns, k, (gpointer)url);
	return MS_OK;
}

/* ipv4.json and ipv6.json: "192.0.0.0/8", "2001:200::/23". */
static enum ms_err
add_net(struct rdap_boot *b, const char *entry, const char *url)
{
	struct rdap_net	 n;
	char		 a[64], *slash, *end;
	long		 len;

	memset(&n, 0, sizeof(n));
	if (g_strlcpy(a, entry, sizeof(a)) >= sizeof(a))
		return MS_EINVAL;
	slash = strchr(a, '/');
	if (slash == NULL)
		return MS_EINVAL;
	*slash = '\0';
	errno = 0;
	len = strtol(slash + 1, &end, 10);
	if (errno != 0 || end == slash + 1 || *end != '\0' || len < 0)
		return MS_EINVAL;
	if (inet_pton(AF_INET, a, n.addr) == 1 && len <= 32)
		n.family = AF_INET;
	else if (inet_pton(AF_INET6, a, n.addr) == 1 && len <= 128)
		n.family = AF_INET6;
	else
		return MS_EINVAL;
	n.len = (int)len;
	n.url = url;
	g_array_append_val(b->nets, n);
	return MS_OK;
}

/* An AS number in 's' up to 'end' (exclusive); 1 when it is one. */
static int
parse_asn(const char *s, const char *end, uint32_t *v)
{
	guint64	 n;
	char	*e;

	if (s == end || !g_ascii_isdigit(*s))
		return 0;
	errno = 0;
	n = g_ascii_strtoull(s, &e, 10);
	if (errno != 0 || e != end || n > UINT32_MAX)
		return 0;
	*v = (uint32_t)n;
	return 1;
}

/* asn.json: "1-1876" or "3333". */
static enum ms_err
add_asn(struct rdap_boot *b, const char *entry, const char *url)
{
	struct rdap_asr	 r;
	const char	*dash = strchr(entry, '-');
	const char	*end = entry + strlen(entry);

	if (dash == NULL) {
		if (!parse_asn(entry, end, &r.lo))
			return MS_EINVAL;
		r.hi = r.lo;
	} else if (!parse_asn(entry, dash, &r.lo) ||
	    !parse_asn(dash + 1, end, &r.hi) || r.hi < r.lo)
		return MS_EINVAL;
	r.url = url;
	g_array_append_val(b->asns, r);
	return MS_OK;
}

/* The services of one parsed file 'j' into 'b'.  MS_OK or MS_EINVAL
 * with 'err' set (without the file name). */
static enum ms_err
load_services(struct rdap_boot *b, const struct rdict *j, rdap_add_fn add,
    char *err, size_t errlen)
{
	struct rlist	*svcs, *svc, *entries, *urls;
	const char	*url, *e;
	size_t		 i, k;

	svcs = result_dict_get_list(j, "services");
	if (result_dict_get_str(j, "version") == NULL || svcs == NULL) {
		snprintf(err, errlen, "no \"version\" or \"services\"");
		return MS_EINVAL;
	}
	for (i = 0; i < result_list_len(svcs); i++) {
		svc = result_list_get_list(svcs, i);
		entries = svc != NULL ? result_list_get_list(svc, 0) : NULL;
		urls = svc != NULL ? result_list_get_list(svc, 1) : NULL;
		if (result_list_len(svc) != 2 || entries == NULL ||
		    urls == NULL) {
			snprintf(err, errlen, "service %zu is not "
			    "[[entries], [URLs]]", i);
			return MS_EINVAL;
		}
		url = pick_url(urls);
		if (url == NULL) {
			snprintf(err, errlen, "service %zu has no http(s) "
			    "URL", i);
			return MS_EINVAL;
		}
		g_ptr_array_add(b->urls, g_strdup(url));
		url = b->urls->pdata[b->urls->len - 1];
		for (k = 0; k < result_list_len(entries); k++) {
			e = result_list_get_str(entries, k);
			if (e == NULL || add(b, e, url) != MS_OK) {
				snprintf(err, errlen, "service %zu: bad entry "
				    "%zu%s%.64s", i, k, e ? " " : "",
				    e ? e : "");
				return MS_EINVAL;
			}
		}
	}
	return MS_OK;
}

/* Read and load 'dir'/'name'.  MS_OK or MS_EINVAL with 'err' set. */
static enum ms_err
load_file(struct rdap_boot *b, const char *dir, const char *name,
    rdap_add_fn add, char *err, size_t errlen)
{
	struct rdict	*j = NULL;
	struct stat	 st;
	GError		*gerr = NULL;
	char		*path, *text = NULL, why[256];
	enum ms_err	 rc = MS_EINVAL;

	path = g_build_filename(dir, name, NULL);
	if (stat(path, &st) != 0) {
		snprintf(err, errlen, "%s: %s", path, g_strerror(errno));
		goto out;
	}
	if (st.st_size > RDAP_MAX_BOOTSTRAP) {
		snprintf(err, errlen, "%s: larger than %d bytes", path,
		    RDAP_MAX_BOOTSTRAP);
		goto out;
	}
	if (!g_file_get_contents(path, &text, NULL, &gerr)) {
		snprintf(err, errlen, "%s", gerr->message);
		g_error_free(gerr);
		goto out;
	}
	if (result_dict_parse(text, &j, why, sizeof(why)) != MS_OK ||
	    load_services(b, j, add, why, sizeof(why)) != MS_OK) {
		snprintf(err, errlen, "%s: not an RFC 9224 bootstrap file: "
		    "%s", path, why);
		goto out;
	}
	rc = MS_OK;
out:
	result_dict_free(j);
	g_free(text);
	g_free(path);
	return rc;
}

enum ms_err
rdap_boot_load(const char *dir, struct rdap_boot **out, char *err,
    size_t errlen)
{
	struct rdap_boot	*b = g_new0(struct rdap_boot, 1);

	*out = NULL;
	b->dns = g_hash_table_new_full(g_str_hash, g_str_equal, g_free, NULL);
	b->nets = g_array_new(FALSE, FALSE, sizeof(struct rdap_net));
	b->asns = g_array_new(FALSE, FALSE, sizeof(struct rdap_asr));
	b->urls = g_ptr_array_new_with_free_func(g_free);
	if (load_file(b, dir, "dns.json", add_dns, err, errlen) != MS_OK ||
	    load_file(b, dir, "ipv4.json", add_net, err, errlen) != MS_OK ||
	    load_file(b, dir, "ipv6.json", add_net, err, errlen) != MS_OK ||
	    load_file(b, dir, "asn.json", add_asn, err, errlen) != MS_OK) {
		rdap_boot_free(b);
		return MS_EINVAL;
	}
	*out = b;
	return MS_OK;
}

void
rdap_boot_free(struct rdap_boot *b)
{
	if (b == NULL)
		return;
	g_hash_table_destroy(b->dns);
	g_array_free(b->nets, TRUE);
	g_array_free(b->asns, TRUE);
	g_ptr_array_free(b->urls, TRUE);
	g_free(b);
}

char *
rdap_boot_default_dir(void)
{
#if defined(MS_SRCDIR) && defined(MS_BUILDDIR)
	char	*exe, *src;

	/* Uninstalled: a program of the build tree reads the source
	 * tree's files, as cli_share_dir() does for the playbooks. */
	exe = g_file_read_link("/proc/self/exe", NULL);
	if (exe != NULL && g_str_has_prefix(exe, MS_BUILDDIR "/")) {
		src = g_build_filename(MS_SRCDIR, "data", "rdap", NULL);
		if (g_file_test(src, G_FILE_TEST_IS_DIR)) {
			g_free(exe);
			return src;
		}
		g_free(src);
	}
	g_free(exe);
#endif
	return g_build_filename(MS_DATADIR, "rdap", NULL);
}

const char *
rdap_boot_domain(const struct rdap_boot *b, const char *name)
{
	const char	*p, *url = NULL;
	char		*lower;

	lower = g_ascii_strdown(name, -1);
	if (g_str_has_suffix(lower, "."))
		lower[strlen(lower) - 1] = '\0';
	/* Longest suffix first: the whole name, then without its first
	 * label, and so on. */
	for (p = lower; p != NULL && *p != '\0'; ) {
		url = g_hash_table_lookup(b->dns, p);
		if (url != NULL)
			break;
		p = strchr(p, '.');
		if (p != NULL)
			p++;
	}
	g_free(lower);
	return url;
}

/* Whether the first 'bits' bits of 'a' and 'b' agree. */
static int
prefix_match(const unsigned char *a, const unsigned char *b, int bits)
{
	int	full = bits / 8, rest = bits % 8;
	int	mask;

	if (memcmp(a, b, (size_t)full) != 0)
		return 0;
	if (rest == 0)
		return 1;
	mask = (0xff << (8 - rest)) & 0xff;
	return (a[full] & mask) == (b[full] & mask);
}

const char *
rdap_boot_ip(const struct rdap_boot *b, const char *ip)
{
	const struct rdap_net	*n;
	unsigned char		 addr[16];
	const char		*url = NULL;
	int			 family, best = -1;
	guint			 i;

	if (inet_pton(AF_INET, ip, addr) == 1)
		family = AF_INET;
	else if (inet_pton(AF_INET6, ip, addr) == 1)
		family = AF_INET6;
	else
		return NULL;
	for (i = 0; i < b->nets->len; i++) {
		n = &g_array_index(b->nets, struct rdap_net, i);
		if (n->family == family && n->len > best &&
		    prefix_match(n->addr, addr, n->len)) {
			best = n->len;
			url = n->url;
		}
	}
	return url;
}

const char *
rdap_boot_asn(const struct rdap_boot *b, uint32_t asn)
{
	const struct rdap_asr	*r;
	guint			 i;

	for (i = 0; i < b->asns->len; i++) {
		r = &g_array_index(b->asns, struct rdap_asr, i);
		if (asn >= r->lo && asn <= r->hi)
			return r->url;
	}
	return NULL;
}
