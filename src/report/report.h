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
};

/* `mailsoar extract`: {"urls":[...],"domains":[...],"ips":[...],
 * "emails":[...],"hashes":{"md5":[],"sha1":[],"sha256":[],"sha512":[]}}
 * written to 'f' followed by a newline. */
void	report_iocs_json(FILE *f, const struct ioc_set *s, unsigned flags);
void	report_iocs_text(FILE *f, const struct ioc_set *s, unsigned flags);

/* `mailsoar analyze`: one JSON object (one line unless REPORT_PRETTY)
 * or a readable summary. */
void	report_analysis_json(FILE *f, const struct analysis *an,
	    unsigned flags);
void	report_analysis_text(FILE *f, const struct analysis *an,
	    unsigned flags);

#endif /* MS_REPORT_H */
