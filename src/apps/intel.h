/* SPDX-License-Identifier: Apache-2.0 */
/*
 * intel.h -- the local threat-intel indicators: what a feed parser hands
 * over (intel_feed.c reads MISP feeds, STIX 2.1 bundles, CSV and plain
 * lists), and what the store keeps and the intel app looks up (intel.c).
 *
 * Parsers see UNTRUSTED files and report indicators one at a time through
 * a sink; every pointer in a struct intel_indicator is borrowed and valid
 * only during the sink call.  Values are as the feed wrote them: the
 * store normalises them (intel_normalise) before keeping or matching.
 */
#ifndef MS_INTEL_H
#define MS_INTEL_H

#include <stddef.h>
#include <stdint.h>

#include "../common/ms.h"

enum intel_kind {
	INTEL_IP,	/* "192.0.2.1", "2001:db8::1", a CIDR "192.0.2.0/24" */
	INTEL_DOMAIN,	/* a host or domain name */
	INTEL_URL,
	INTEL_HASH,	/* md5, sha1 or sha256, in hex (told apart by length) */
	INTEL_EMAIL,	/* an email address */
	INTEL_ASN,	/* "AS64496" */
	INTEL_KIND_COUNT
};

/* Who or what an indicator is attributed to. */
struct intel_attrib {
	const char	*type;	/* "threat-actor", "intrusion-set", "malware",
				 * "campaign", "tool", "event", "galaxy" */
	const char	*name;	/* "APT1", "Poison Ivy", an event's info */
};

struct intel_indicator {
	enum intel_kind			 kind;
	const char			*value;
	/* The feed's name for the source, or NULL for the caller's
	 * default (the file's name): a MISP event's Orgc, a STIX
	 * identity's name. */
	const char			*source;
	int				 confidence;	/* 0-100, -1 unknown */
	const char			*tlp;	/* "clear", "green",
						 * "amber", "amber+strict",
						 * "red", NULL */
	const char *const		*tags;
	size_t				 ntags;
	const struct intel_attrib	*attrib;
	size_t				 nattrib;
	const char			*description;	/* or NULL */
	/* Unix seconds, 0 when the feed does not say. */
	int64_t				 first_seen;
	int64_t				 last_seen;
	int64_t				 expires;	/* STIX valid_until */
	/* A domain indicator that also covers its subdomains (a feed of
	 * registered domains, a STIX pattern on a parent domain). */
	int				 subdomains;
	/* A MISP threat level, 1 (high) to 4 (undefined); 0 unknown. */
	int				 threat_level;
};

/* Called once per indicator; a non-zero return stops the parse. */
typedef int	(*intel_sink_fn)(void *arg, const struct intel_indicator *ind);

struct intel_feed_report {
	char	format[32];	/* "misp-feed", "stix2.1", "csv", "list",
				 * "misp-event", ... */
	size_t	indicators;	/* handed to the sink */
	size_t	skipped;	/* lines or objects not understood */
	size_t	files;		/* files read (a directory holds several) */
};

/*
 * Read 'path' (a file, or a directory such as a MISP feed with its
 * manifest.json) and hand every indicator to 'sink'.  The format is
 * detected from the content, not the name.  Returns MS_OK (with 'rep'
 * filled; a file with some bad lines is still MS_OK, they count in
 * 'skipped'), or MS_EPARSE / MS_EIO / MS_ELIMIT with 'err' a sentence
 * naming the file and, where known, the line.
 */
enum ms_err	intel_feed_parse_path(const char *path, intel_sink_fn sink,
		    void *arg, struct intel_feed_report *rep, char *err,
		    size_t errlen);

#endif /* MS_INTEL_H */
