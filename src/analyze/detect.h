/* SPDX-License-Identifier: Apache-2.0 */
/*
 * detect.h -- offline detection signals and the threat score.  After the
 * analysis is built, detect_run() looks at the suspicious email's
 * authentication results, sender, domains, links, text and attachments,
 * adds FINDING_SIGNAL findings with their points, and sums them (capped
 * per category, weights.conf) into analysis.score, .verdict and .reasons.
 * No network, no store: the lists, phrases and weights are read once
 * per process from the data directory (docs/internals/detect.md) and are
 * read-only afterwards, so detect_run() is thread-safe.
 */
#ifndef MS_DETECT_H
#define MS_DETECT_H

#include "analyze.h"

/* What the deployment says about itself; NULL members are unset. */
struct detect_config {
	const char	*data_dir;	/* weights.conf, brands.txt ... */
	const char	*org_domains;	/* "example.org,example.com" (or ;) */
	const char	*vips;		/* "Jane Doe <jane@example.org>;Boss;
					   ceo@example.org" */
	const char	*authserv_id;	/* the trusted Authentication-Results
					   hop(s), ", " or ";" between; default:
					   the topmost one */
};

/*
 * Load the detection data and configuration, replacing what was loaded
 * before.  'cfg' NULL (or its members NULL) takes the environment:
 * MAILSOAR_DETECT_DIR, MAILSOAR_ORG_DOMAINS, MAILSOAR_VIPS,
 * MAILSOAR_AUTHSERV_ID; the data directory defaults to the source
 * tree's data/ when this binary runs from its build tree, else the
 * installed one (MS_DATADIR).  Not thread-safe: call before analysing.
 * A missing file is logged; the others still load.  Returns MS_OK, or
 * MS_EIO when weights.conf could not be read (signals then carry no
 * points and every score is 0).
 */
enum ms_err	 detect_load(const struct detect_config *cfg);
void		 detect_unload(void);

/* The directory the data was loaded from, or NULL.  Borrowed. */
const char	*detect_data_dir(void);

/*
 * Add the signals for 'an' (built by analyze_bytes) and compute its score.
 * Allocates from 'a'.  MS_OK or MS_ELIMIT (arena full: partial signals).
 */
enum ms_err	 detect_run(struct arena *a, struct analysis *an);

/* The title of signal 'id', or NULL when there is none.  Static. */
const char	*detect_title(const char *id);

/* The id of the i-th signal a detector can add, or NULL past the last
 * one.  Static. */
const char	*detect_signal_id(size_t i);

/* The points weights.conf gives 'id' (0 when absent). */
int		 detect_points(const char *id);

#endif /* MS_DETECT_H */
