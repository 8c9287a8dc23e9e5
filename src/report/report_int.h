/* SPDX-License-Identifier: Apache-2.0 */
/*
 * report_int.h -- shared by the text writers of src/report/, not by
 * their callers.
 */
#ifndef MS_REPORT_INT_H
#define MS_REPORT_INT_H

#include <stddef.h>
#include <stdio.h>

#include <jansson.h>

/* Print UNTRUSTED 's' on a terminal: C0/C1 controls, DEL, bidi marks and
 * overrides, and every byte of invalid UTF-8 become '?'.  Cut after 'max'
 * characters with "..." (0: no cut).  NULL prints "-". */
void	report_safe(FILE *f, const char *s, size_t max);

/* Dump 'o' to 'f' as one line (REPORT_PRETTY: indented), then '\n'. */
void	report__dump(FILE *f, json_t *o, unsigned flags);

#endif /* MS_REPORT_INT_H */
