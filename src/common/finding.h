/* SPDX-License-Identifier: Apache-2.0 */
/*
 * finding.h -- a named observation about one email: a limit hit, a parse
 * problem, or a detection signal with its points toward the threat score
 * (src/analyze/detect.c).  Findings live in the email's arena.
 */
#ifndef MS_FINDING_H
#define MS_FINDING_H

#include "arena.h"

enum finding_kind {
	FINDING_LIMIT,		/* a bound in limits.h was reached */
	FINDING_PARSE,		/* malformed or suspicious structure */
	FINDING_SIGNAL,		/* detection signal (detect.c) */
};

struct finding {
	enum finding_kind	 kind;
	const char		*id;	/* "limit_mime_depth", "bad_base64" */
	const char		*part;	/* MIME path it concerns, or NULL */
	const char		*detail; /* one readable sentence */
	int			 points; /* score contribution (signals) */
	const char		*title;	/* signals: a short title, else NULL */
	const char		*evidence; /* signals: the header, URL or text
					      that fired it, else NULL */
};

/*
 * Append a finding to 'vec' (a vector of struct finding *).  The same id on
 * the same part is recorded once.  Returns MS_ELIMIT if the arena is full
 * (the finding is then dropped: the arena's own exhaustion is reported).
 */
enum ms_err	finding_add(struct arena *a, struct arena_vec *vec,
		    enum finding_kind kind, const char *id, const char *part,
		    const char *fmt, ...) __attribute__((format(printf, 6, 7)));

/*
 * Append a detection signal: 'id' (static or arena string), 'title',
 * 'points' and 'evidence' (UNTRUSTED text from the email, copied and cut
 * to a few hundred bytes).  The same id is recorded once per email:
 * a second call appends its evidence to the first's ("; "), up to the
 * same bound.  MS_OK or MS_ELIMIT as finding_add.
 */
enum ms_err	finding_signal(struct arena *a, struct arena_vec *vec,
		    const char *id, const char *title, int points,
		    const char *part, const char *evidence);

const char	*finding_kind_name(enum finding_kind kind);

#endif /* MS_FINDING_H */
