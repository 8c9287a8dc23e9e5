/* SPDX-License-Identifier: Apache-2.0 */
/*
 * extract_int.h -- helpers shared by the files of the extract module
 * (ioc.c, defang.c, scan.c, url.c, html.c).  Not an interface: nothing
 * outside src/extract/ includes this.  Every name is extract__* or
 * ioc__*, per the libuv convention for module-private symbols.
 */
#ifndef MS_EXTRACT_INT_H
#define MS_EXTRACT_INT_H

#include <stddef.h>

#include "extract.h"

/* The libpsl context (builtin list, or the system file as a fallback). */
const void	*extract__psl(void);

/*
 * Add one item to 's' unless its value is already there (then only its
 * flags are OR-ed in).  'value' and the other strings are copied into the
 * set's arena.  '*added' (may be NULL) is set to 1 when the item is new.
 * Returns MS_OK, or MS_ELIMIT when the per-kind limit or the arena
 * refused the item (counted in ioc_set_dropped()).
 */
enum ms_err	 ioc__add(struct ioc_set *s, enum ioc_kind k,
		    const char *value, const char *unicode, const char *host,
		    const char *domain, const char *where, unsigned flags,
		    int *added);
/* Has 'value' of kind 'k' been seen?  For callers that want to skip
 * expensive work on duplicates. */
int		 ioc__has(const struct ioc_set *s, enum ioc_kind k,
		    const char *value);
struct arena	*ioc__arena(const struct ioc_set *s);
/*
 * A cache of candidates already processed, keyed by 'tag' and the raw
 * bytes: ioc__raw_get() returns 1 and the earlier outcome in '*rc' when
 * the candidate was seen; ioc__raw_put() records one.  Only a cache:
 * entries may be refused (long candidates, memory), never wrong.
 */
int		 ioc__raw_get(struct ioc_set *s, char tag, const char *p,
		    size_t n, enum ms_err *rc);
void		 ioc__raw_put(struct ioc_set *s, char tag, const char *p,
		    size_t n, enum ms_err rc);

/*
 * Refanged copy of UNTRUSTED text: "hxxp" -> "http", "[.]" -> ".",
 * "[at]" -> "@", "http__" -> "http://" and the other forms listed in
 * docs/extract.md.  The copy lives in 'a'; '*marks' receives the sorted
 * output offsets where a replacement was made (for IOC_F_DEFANGED),
 * '*nmarks' their count.  Returns MS_OK or MS_ELIMIT (arena).
 */
enum ms_err	 extract__refang(struct arena *a, const char *in, size_t len,
		    char **out, size_t *outlen, size_t **marks,
		    size_t *nmarks);

/* A canonical URL and its parts, in heap memory (url_canon_clear). */
struct extract__url {
	char		*url;		/* canonical URL */
	char		*host;		/* ASCII host, lower case, no [] */
	char		*unicode;	/* Unicode host, or NULL */
	unsigned	 flags;		/* IOC_F_IP_HOST, _IDN, _IPV6 */
};

/*
 * Canonicalise UNTRUSTED 'url' ('len' bytes, no NUL needed).  When
 * 'schemeless' is set "http://" is put in front.  Returns MS_OK, or
 * MS_EPARSE when it is not a URL we keep.  On MS_OK clear 'u' with
 * extract__url_clear().
 */
enum ms_err	 extract__url_canon(const char *url, size_t len,
		    int schemeless, struct extract__url *u);
void		 extract__url_clear(struct extract__url *u);

/*
 * Add a URL found in text or HTML, with its host (domain or IP).
 * MS_EPARSE when not a URL we keep, MS_ELIMIT as ioc__add.
 */
enum ms_err	 extract__add_url(struct ioc_set *s, const char *url,
		    size_t len, int schemeless, const char *where,
		    unsigned flags);

/*
 * Host names.  extract__host_ascii() turns 'host' (UTF-8 or ASCII,
 * 'len' bytes) into a lower-case IDNA ASCII name in 'out' (size 'outsz')
 * and, when it is an IDN, its Unicode form in 'uni' (size 'unisz', else
 * ""); returns 0, or -1 when it is not a valid host name.
 */
int		 extract__host_ascii(const char *host, size_t len, char *out,
		    size_t outsz, char *uni, size_t unisz);
/* Does the last label of ASCII 'host' name a known top-level domain? */
int		 extract__tld_known(const char *host);
/* Add a domain (already ASCII, lower case); 'uni' may be NULL. */
enum ms_err	 extract__add_domain(struct ioc_set *s, const char *host,
		    const char *uni, const char *where, unsigned flags);

/* Dotted-quad IPv4 in 'p' ('n' bytes): strict (no leading zeros, no
 * fifth part).  Writes the text to 'out' (16 bytes); returns 0 or -1. */
int		 extract__ipv4(const char *p, size_t n, char *out);
/* IPv6 in 'p' ('n' bytes) to its RFC 5952 text in 'out' (46 bytes). */
int		 extract__ipv6(const char *p, size_t n, char *out);
/* Add a validated, canonical IP. */
enum ms_err	 extract__add_ip(struct ioc_set *s, const char *ip, int v6,
		    const char *where, unsigned flags);

/* Add 'local'@'domain' (lengths given) after checks; MS_EPARSE if bad. */
enum ms_err	 extract__add_email(struct ioc_set *s, const char *local,
		    size_t llen, const char *domain, size_t dlen,
		    const char *where, unsigned flags);

/*
 * nested.c: URLs inside the query or path of the URL 'u' (raw text):
 * plain, percent-encoded or base64, each added with 'where' and 'flags',
 * 'depth' levels deep already.  Returns MS_OK or MS_ELIMIT.
 */
enum ms_err	 extract__nested(struct ioc_set *s, const char *u, size_t n,
		    const char *where, unsigned flags, int depth);
/* base64 at 'p' (up to 'n' bytes) whose plain text holds an http(s)
 * URL: add it.  '*used' gets the length of the run looked at.
 * MS_EPARSE if none. */
enum ms_err	 extract__b64_url(struct ioc_set *s, const char *p, size_t n,
		    const char *where, unsigned flags, int depth,
		    size_t *used);
/* The same for hex digit pairs, and for a percent-encoded URL. */
enum ms_err	 extract__hex_url(struct ioc_set *s, const char *p, size_t n,
		    const char *where, unsigned flags);
enum ms_err	 extract__pct_url(struct ioc_set *s, const char *p, size_t n,
		    const char *where, unsigned flags);
/* Tolerant base64 decoding into 'out' (at least 'n' bytes). */
size_t		 extract__b64_decode(const char *p, size_t n, char *out,
		    size_t *used);

#endif /* MS_EXTRACT_INT_H */
