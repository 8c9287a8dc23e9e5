/* SPDX-License-Identifier: Apache-2.0 */
/*
 * intel_feed_int.h -- what the feed readers share: the parse context, the
 * bounds on UNTRUSTED feed files, value classification, time parsing and
 * the one place indicators leave for the sink.  Private to intel_feed*.c.
 */
#ifndef MS_INTEL_FEED_INT_H
#define MS_INTEL_FEED_INT_H

#include <stddef.h>
#include <stdint.h>

#include <jansson.h>

#include "intel.h"

/* One feed file: the whole file is mapped (or parsed by jansson, which
 * takes several times this in memory). */
#define INTEL_FEED_MAX_FILE	(256u * 1024 * 1024)
/* One line of a list or CSV: longer lines are skipped and counted.  A
 * line holds one indicator and a few columns; URLs we keep are at most
 * LIMIT_URL_BYTES. */
#define INTEL_FEED_MAX_LINE	(16u * 1024)
/* One indicator's value (a URL is the longest). */
#define INTEL_FEED_MAX_VALUE	8192
/* Columns split out of one CSV line; the rest stay in the last one. */
#define INTEL_FEED_MAX_FIELDS	64
/* Tags and attributions handed over with one indicator. */
#define INTEL_FEED_MAX_TAGS	64
#define INTEL_FEED_MAX_ATTRIB	64
/* Event files read from one MISP feed directory (manifest entries). */
#define INTEL_FEED_MAX_EVENTS	100000
/* STIX objects in one bundle, MISP attributes in one event: CPU for the
 * relationship walk and the attribute loop. */
#define INTEL_FEED_MAX_OBJECTS	(4u * 1024 * 1024)

/* Relationships looked at for one STIX indicator's attributions: a
 * malware object with a million relationships must not make every one of
 * a million indicators walk them all. */
#define INTEL_FEED_MAX_WALK	4096

/* The state of one intel_feed_parse_path() call. */
struct intel_feed__ctx {
	const char			*file;	/* the file being read */
	intel_sink_fn			 sink;
	void				*arg;
	struct intel_feed_report	*rep;
	char				*err;
	size_t				 errlen;
	int				 stopped;	/* the sink said stop */
};

/*
 * Tell what 's' (UNTRUSTED, 'n' bytes, no NUL needed) is.  Returns 1 and
 * sets '*kind' when it is one indicator: an IPv4 or IPv6 address or CIDR,
 * a URL with a scheme, an md5/sha1/sha256 in hex, an email address, an AS
 * number ("AS64496") or a domain name; 0 otherwise.
 */
int	intel_feed__classify(const char *s, size_t n, enum intel_kind *kind);

/* Domain name syntax only: labels of letters, digits, '-', '_' or UTF-8,
 * at least two, the last not all digits.  1 if so. */
int	intel_feed__is_domain(const char *s, size_t n);

/*
 * Unix seconds from a feed's date: "2016-11-12", "2016-11-12 15:02",
 * ISO 8601 with 'T', seconds, fractions and a zone, or a plain number of
 * seconds (milliseconds when 13 digits).  0 when not understood.
 */
int64_t	intel_feed__time(const char *s, size_t n);

/* Hand 'ind' to the sink and count it.  Returns non-zero when the parse
 * must stop (the sink asked to). */
int	intel_feed__emit(struct intel_feed__ctx *c,
	    const struct intel_indicator *ind);

/* Fill c->err with "FILE: line N: <fmt>" (no line part when 'line' is
 * 0) and return 'rc'. */
enum ms_err	intel_feed__fail(struct intel_feed__ctx *c, enum ms_err rc,
		    size_t line, const char *fmt, ...)
		    __attribute__((format(printf, 4, 5)));

/* Initialise 'ind' to "nothing known". */
void	intel_feed__ind_init(struct intel_indicator *ind);

/* The readers.  'buf' is the whole file, 'len' bytes, UNTRUSTED. */
enum ms_err	intel_feed__list(struct intel_feed__ctx *c, const char *buf,
		    size_t len);
/* One JSON object per line?  Then read it so. */
int		intel_feed__is_jsonl(const char *buf, size_t len);
enum ms_err	intel_feed__jsonl(struct intel_feed__ctx *c, const char *buf,
		    size_t len);
/* AlienVault OTX pulses? */
int		intel_feed__otx_detect(json_t *root);
enum ms_err	intel_feed__otx(struct intel_feed__ctx *c, json_t *root);
enum ms_err	intel_feed__stix(struct intel_feed__ctx *c, json_t *root);
/* Is 'root' MISP JSON (event, events, attributes, manifest)?  Then
 * parse it.  'dir' is the directory a manifest's events live in. */
int		intel_feed__misp_detect(json_t *root);
enum ms_err	intel_feed__misp(struct intel_feed__ctx *c, json_t *root,
		    const char *dir);

/* Read 'path' (a regular file of at most INTEL_FEED_MAX_FILE bytes) into
 * a read-only mapping; release it with intel_feed__unmap. */
enum ms_err	intel_feed__map(struct intel_feed__ctx *c, const char *path,
		    const char **buf, size_t *len);
void		intel_feed__unmap(const char *buf, size_t len);
/* Parse the JSON file at 'path' (bounded like any feed file). */
enum ms_err	intel_feed__load_json(struct intel_feed__ctx *c,
		    const char *path, json_t **out);

#endif /* MS_INTEL_FEED_INT_H */
