/* SPDX-License-Identifier: Apache-2.0 */
/*
 * finding.h -- a named observation about one email: a limit hit, a parse
 * problem, later a detection signal.  Findings live in the email's arena.
 */
#ifndef MS_FINDING_H
#define MS_FINDING_H

#include "arena.h"

enum finding_kind {
	FINDING_LIMIT,		/* a bound in limits.h was reached */
	FINDING_PARSE,		/* malformed or suspicious structure */
	FINDING_SIGNAL,		/* detection signal (later issue) */
};

struct finding {
	enum finding_kind	 kind;
	const char		*id;	/* "limit_mime_depth", "bad_base64" */
	const char		*part;	/* MIME path it concerns, or NULL */
	const char		*detail; /* one readable sentence */
	int			 points; /* score contribution (0 for now) */
};

/*
 * Append a finding to 'vec' (a vector of struct finding *).  The same id on
 * the same part is recorded once.  Returns MS_ELIMIT if the arena is full
 * (the finding is then dropped: the arena's own exhaustion is reported).
 */
enum ms_err	finding_add(struct arena *a, struct arena_vec *vec,
		    enum finding_kind kind, const char *id, const char *part,
		    const char *fmt, ...) __attribute__((format(printf, 6, 7)));

const char	*finding_kind_name(enum finding_kind kind);

#endif /* MS_FINDING_H */
