/* SPDX-License-Identifier: Apache-2.0 */
/*
 * analyze_int.h -- helpers shared by the files of src/analyze.
 */
#ifndef MS_ANALYZE_INT_H
#define MS_ANALYZE_INT_H

#include "analyze.h"

/*
 * Decide whether the top-level email is a user's report (forward.c):
 * sets email, email_path, reporter, report_method, forward_style,
 * suspicious, forward_html.  Needs an->html_text when the top-level
 * email has only an HTML body.  MS_OK or MS_ELIMIT.
 */
enum ms_err	analyze__forward(struct arena *a, struct analysis *an);

/* Build the artifacts from iocs, email and attachments (artifact.c). */
enum ms_err	analyze__artifacts(struct arena *a, struct analysis *an);

#endif /* MS_ANALYZE_INT_H */
