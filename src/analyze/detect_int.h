/* SPDX-License-Identifier: Apache-2.0 */
/*
 * detect_int.h -- what the detectors (detect_*.c) share: the loaded data
 * and one email's context.  Not an interface outside src/analyze.
 */
#ifndef MS_DETECT_INT_H
#define MS_DETECT_INT_H

#include <glib.h>

#include "detect.h"

/* Bytes of subject and visible text the phrase model reads (CPU). */
#define DETECT_TEXT_MAX		(64u * 1024)
/* Bytes of an HTML body or attachment the HTML scanners read (CPU). */
#define DETECT_HTML_MAX		(1024u * 1024)
/* Links compared with their text, and URLs checked, per email (CPU). */
#define DETECT_LINKS_MAX	500

enum detect_class { DETECT_CRED, DETECT_URGENCY, DETECT_MONEY,
	DETECT_OFFER, DETECT_DELIVERY, DETECT_FRAUD, DETECT_CRYPTO,
	DETECT_PRIZE, DETECT_SPAM, DETECT_CLASSES };

struct detect_phrase {
	char			*text;		/* casefolded */
	size_t			 len;
	enum detect_class	 cls;
	int			 weight;
};

struct detect_brand {
	char			*name;		/* casefolded, blanks */
	char			**domains;	/* registrable domains */
};

struct detect_vip {
	char			*name;		/* casefolded, or NULL */
	char			*addr;		/* lower case, or NULL */
};

struct detect_data {
	char		*dir;
	GHashTable	*points;	/* id -> GINT_TO_POINTER(points) */
	GHashTable	*caps;		/* category -> cap */
	int		 suspicious, malicious;
	GHashTable	*freemail, *shorteners, *freehosts, *tlds;
	GPtrArray	*brands;	/* struct detect_brand * */
	GHashTable	*brand_domains;	/* registrable -> brand */
	GPtrArray	*protected;	/* char *: labels lookalikes aim at */
	GHashTable	*protected_domains; /* registrable -> "" */
	GPtrArray	*simulation;	/* char *: "name" or "name:value" */
	GPtrArray	*spamwords;	/* char *: words spam disguises */
	GHashTable	*phrases;	/* first word -> GPtrArray of phrase */
	GPtrArray	*phrase_list;	/* owns struct detect_phrase * */
	GHashTable	*confusables;	/* code point -> ASCII letter */
	GHashTable	*org;		/* organisation domains */
	GPtrArray	*vips;		/* struct detect_vip * */
	char		**authserv;	/* trusted authserv-ids, or NULL */
};

/* One email's detection. */
struct detect_ctx {
	struct arena		*a;
	struct analysis		*an;
	const struct detect_data *d;
	const struct mail_email	*e;
	const char		*from_addr;	/* lower case, or NULL */
	const char		*from_domain;	/* registrable, or NULL */
	const char		*from_host;	/* lower case, or NULL */
	const char		*text;		/* casefolded subject + text */
	size_t			 text_len;
	const char		*visible;	/* body text, not casefolded */
	size_t			 visible_len;
	const char		*html_text;	/* the HTML body's text */
	size_t			 html_text_len;
	int			 cls[DETECT_CLASSES];	/* phrase weights */
	const char		*cls_ev[DETECT_CLASSES];	/* phrases */
};

/* Add signal 'id' with printf-style evidence (detect.c). */
void	detect__add(struct detect_ctx *c, const char *id, const char *part,
	    const char *fmt, ...) __attribute__((format(printf, 4, 5)));

/* Is 'host' or one of its parent domains in 'set'?  Returns the matched
 * entry or NULL. */
const char *detect__in_set(GHashTable *set, const char *host);

/* Case-insensitive search of 'needle' in the first 'n' bytes of 'hay'. */
const char *detect__memcasemem(const char *hay, size_t n,
	    const char *needle);

/* A lower-case copy of 'host' with trailing dots removed, in 'a'. */
char	*detect__lower(struct arena *a, const char *s);

/* Visible text of HTML (tags, scripts, styles dropped; a few entities
 * decoded), at most DETECT_HTML_MAX bytes read, in 'a'. */
char	*detect__html_text(struct arena *a, const char *html, size_t n,
	    size_t *outlen);

/*
 * The confusables skeleton of UTF-8 's' (detect_lookalike.c): NFKD,
 * marks dropped, casefolded, look-alike letters mapped to Latin
 * (data/confusables.txt), invisible characters dropped.  '*mapped' (may
 * be NULL) counts the letters mapped, '*mixed' is set when Latin letters
 * and Cyrillic, Greek or Armenian ones stand in one word.  In 'a'.
 */
char	*detect__skeleton(struct arena *a, const char *s, int *mapped,
	    int *mixed);

/* The detectors, one file each. */
void	detect__auth(struct detect_ctx *c);
void	detect__sender(struct detect_ctx *c);
void	detect__lookalike(struct detect_ctx *c);
void	detect__links(struct detect_ctx *c);
void	detect__content(struct detect_ctx *c);
void	detect__attach(struct detect_ctx *c);

/* Damerau-Levenshtein distance of two byte strings, or 'max' + 1 once
 * it is known to exceed 'max' (detect_lookalike.c). */
int	detect__distance(const char *s, size_t n, const char *t, size_t m,
	    int max);

/* The data (detect.c); NULL before detect_load. */
const struct detect_data *detect__data(void);

#endif /* MS_DETECT_INT_H */
