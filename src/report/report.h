/* SPDX-License-Identifier: Apache-2.0 */
/*
 * report.h -- turning analyses and indicator sets into JSON (jansson: the
 * only module that includes jansson.h) and into readable text.  Schema:
 * docs/json.md.
 */
#ifndef MS_REPORT_H
#define MS_REPORT_H

#include <stdio.h>

#include "../extract/extract.h"

struct analysis;

enum report_flags {
	REPORT_PRETTY	= 1 << 0,	/* indented JSON instead of one line */
	REPORT_COLOR	= 1 << 1,	/* ANSI colours in text output */
	REPORT_STORED	= 1 << 2,	/* text: the container's score
					   follows (report_container_text) */
};

/* `mailsoar extract`: {"urls":[...],"domains":[...],"ips":[...],
 * "emails":[...],"hashes":{"md5":[],"sha1":[],"sha256":[],"sha512":[]}}
 * written to 'f' followed by a newline. */
void	report_iocs_json(FILE *f, const struct ioc_set *s, unsigned flags);
void	report_iocs_text(FILE *f, const struct ioc_set *s, unsigned flags);

/* `mailsoar analyze`: one JSON object (one line unless REPORT_PRETTY),
 * with the offline score, verdict and score_breakdown, or a readable
 * summary (with the score unless REPORT_STORED). */
void	report_analysis_json(FILE *f, const struct analysis *an,
	    unsigned flags);
void	report_analysis_text(FILE *f, const struct analysis *an,
	    unsigned flags);

/* For the store: the analysis as compact JSON without the score keys,
 * which the container's own replace (xfree), and each artifact
 * as its own JSON object text ('*n' of them, NULL-terminated; xfree each
 * and the vector). */
char	*report_analysis_string(const struct analysis *an);
char	**report_artifact_strings(const struct analysis *an, size_t *n);

/*
 * After the playbooks: 'analysis_json' (report_analysis_string) with the
 * container's keys from 'container_json' (store_container_json) and
 * 'runs_json' (store_runs_json) added: container_id, seen_count,
 * reporters, score, verdict, score_breakdown, playbook_runs.  One line
 * or indented.  A JSON that does not parse is printed as it is.
 */
void	report_container_json(FILE *f, const char *analysis_json,
	    const char *container_json, const char *score_json,
	    const char *runs_json, unsigned flags);
/* The same, readable, after report_analysis_text's summary. */
void	report_container_text(FILE *f, const char *container_json,
	    const char *score_json, const char *runs_json, unsigned flags);
/* `mailsoar containers`: one line per container. */
void	report_containers_text(FILE *f, const char *containers_json);
/* A playbook run as a timeline (`mailsoar runs show`). */
void	report_run_text(FILE *f, const char *run_json, unsigned flags);
/* Every run of a store_runs_json() array as a timeline ('f' NULL: just
 * count).  Returns how many did not succeed, -1 when there were none. */
int	report_runs_text(FILE *f, const char *runs_json, unsigned flags);
/* `mailsoar status`: the daemon's serve.json, readable. */
void	report_status_text(FILE *f, const char *status_json, int alive);
/* `mailsoar intel stats`: store_intel_stats_json, one source a line
 * with its kinds, then the totals. */
void	report_intel_stats_text(FILE *f, const char *stats_json);
/* The verdict for a score by the thresholds of weights.conf (default:
 * benign < 30 <= suspicious < 70 <= malicious). */
const char *report_verdict(int score);

#endif /* MS_REPORT_H */
