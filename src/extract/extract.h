/* SPDX-License-Identifier: Apache-2.0 */
/*
 * extract.h -- indicators of compromise out of UNTRUSTED text and HTML:
 * URLs (also defanged), domains, IPv4/IPv6, email addresses, hashes.
 * The Phantom Parser app's "extract ioc".  URLs are normalised with
 * libcurl's URL API, hosts converted with libidn2 (IDNA 2008, with the
 * Unicode form kept), registrable domains found with libpsl, HTML parsed
 * with libxml2.  Pure: no network, no globals but read-only tables.
 * Thread-safe after extract_init().
 */
#ifndef MS_EXTRACT_H
#define MS_EXTRACT_H

#include "../common/arena.h"

enum ioc_kind {
	IOC_URL,
	IOC_DOMAIN,	/* a host name: from URLs, emails, or text */
	IOC_IP,
	IOC_EMAIL,
	IOC_MD5,
	IOC_SHA1,
	IOC_SHA256,
	IOC_SHA512,
	IOC_KINDS
};

enum ioc_flags {
	IOC_F_DEFANGED	= 1 << 0,	/* was written defanged */
	IOC_F_PRIVATE	= 1 << 1,	/* IP: private, loopback, reserved */
	IOC_F_IPV6	= 1 << 2,	/* IP: v6 */
	IOC_F_IP_HOST	= 1 << 3,	/* URL: host is an IP literal */
	IOC_F_MAILTO	= 1 << 4,	/* email: from a mailto: link */
	IOC_F_IDN	= 1 << 5,	/* URL/domain: host had non-ASCII */
	IOC_F_SCHEMELESS = 1 << 6,	/* URL: written as "www.host/..." */
};

struct ioc {
	enum ioc_kind	 kind;
	const char	*value;	  /* canonical form (see extract.md) */
	const char	*unicode; /* URL/domain: Unicode host form, or NULL */
	const char	*host;	  /* URL: host (ASCII); email: domain part */
	const char	*domain;  /* registrable domain (libpsl), or NULL */
	const char	*where;	  /* first place seen ("body text", ...) */
	unsigned	 flags;	  /* enum ioc_flags */
};

struct ioc_set;

/* Call once per process (tables, libxml2 init). */
void		 extract_init(void);

/* A new, empty, deduplicating set in 'a'. */
struct ioc_set	*ioc_set_new(struct arena *a);

size_t		 ioc_set_count(const struct ioc_set *s, enum ioc_kind k);
/* Items in insertion order; borrowed, live as long as the arena. */
const struct ioc *ioc_set_get(const struct ioc_set *s, enum ioc_kind k,
		    size_t i);
/* How many items were refused because a LIMIT_* was reached. */
size_t		 ioc_set_dropped(const struct ioc_set *s);
const char	*ioc_kind_name(enum ioc_kind k);	/* "url", ... */

/*
 * Find indicators in UNTRUSTED plain text, defanged forms included, and
 * add them to 's' with 'where' (a static or arena string) as their
 * first-seen place.  URLs also add their host (domain or IP); emails add
 * their domain.  Returns MS_OK, or MS_ELIMIT once LIMIT_URLS_PER_MSG or
 * LIMIT_IOCS_PER_MSG refused an item (the rest of the text is still
 * scanned for other kinds) or the input exceeds LIMIT_EXTRACT_BYTES
 * (only the first LIMIT_EXTRACT_BYTES are scanned).
 */
enum ms_err	 extract_text(struct ioc_set *s, const char *text,
		    size_t len, const char *where);

/*
 * Parse UNTRUSTED HTML with libxml2 and add: href/src/action/background/
 * data-*, iframe, meta refresh, area, CSS url(), srcset, with <base>
 * applied (where "html href", "html src", "html form action", ...), and
 * the indicators in the visible text ("html text").  When 'text' is not
 * NULL it receives the visible text (UTF-8, arena) for display.
 * Returns as extract_text.
 */
enum ms_err	 extract_html(struct ioc_set *s, const char *html,
		    size_t len, const char *where, const char **text,
		    size_t *text_len);

/*
 * Add one URL (UNTRUSTED, e.g. from a header like List-Unsubscribe, or a
 * link already isolated) after normalisation.  MS_EPARSE if it is not a
 * URL we keep; MS_ELIMIT as above.
 */
enum ms_err	 extract_url(struct ioc_set *s, const char *url, size_t len,
		    const char *where);

/* Add one email address / domain / IP (from a header).  Same returns. */
enum ms_err	 extract_email(struct ioc_set *s, const char *addr,
		    const char *where);
enum ms_err	 extract_domain(struct ioc_set *s, const char *host,
		    const char *where);
enum ms_err	 extract_ip(struct ioc_set *s, const char *ip,
		    const char *where);

/*
 * Normalise one URL into arena memory (lower-case scheme and host, IDNA
 * host, default port dropped, path percent-encoding normalised).
 * Returns NULL when 'url' is not an absolute http(s)/ftp/... URL.
 */
const char	*extract_url_normalise(struct arena *a, const char *url,
		    size_t len);

/*
 * A host name (UTF-8 or ASCII) as a lower-case IDNA ASCII name in 'out'
 * ('outsz' bytes with the NUL), trailing dots dropped.  Returns 0, or -1
 * when it is not a valid host name or does not fit.  Thread-safe.
 */
int		 extract_host_ascii(const char *host, char *out,
		    size_t outsz);

/*
 * The registrable domain of an ASCII (IDNA) host name, lower case, by the
 * Public Suffix List: "a.b.example.co.uk" -> "example.co.uk".  Borrowed
 * from libpsl's read-only table or from 'host' itself; NULL when 'host'
 * is a public suffix or not a name.
 */
const char	*extract_registrable(const char *host);

/* Is 'ip' (textual IPv4/IPv6) private, loopback, link-local, reserved? */
int		 extract_ip_is_private(const char *ip);

#endif /* MS_EXTRACT_H */
