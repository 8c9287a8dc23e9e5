/* SPDX-License-Identifier: Apache-2.0 */
/*
 * finding.c -- recording findings, deduplicated by (id, part).
 */
#include <stdarg.h>
#include <string.h>

#include "finding.h"

static int
same_part(const char *x, const char *y)
{
	if (x == NULL || y == NULL)
		return x == y;
	return strcmp(x, y) == 0;
}

enum ms_err
finding_add(struct arena *a, struct arena_vec *vec, enum finding_kind kind,
    const char *id, const char *part, const char *fmt, ...)
{
	struct finding	*f;
	va_list		 ap;
	size_t		 i;

	for (i = 0; i < vec->n; i++) {
		f = vec->v[i];
		if (strcmp(f->id, id) == 0 && same_part(f->part, part))
			return MS_OK;
	}
	if ((f = arena_alloc(a, sizeof(*f))) == NULL)
		return MS_ELIMIT;
	f->kind = kind;
	f->points = 0;
	f->title = NULL;
	f->evidence = NULL;
	f->id = arena_strdup(a, id);
	f->part = arena_strdup(a, part);
	va_start(ap, fmt);
	f->detail = arena_vprintf(a, fmt, ap);
	va_end(ap);
	if (f->id == NULL)
		return MS_ELIMIT;
	return arena_vec_push(a, vec, f);
}

/* Evidence kept per signal: enough to show an analyst, bounded whatever
 * the email holds. */
#define FINDING_EVIDENCE_MAX	400

/* 'ev' cut to at most 'max' bytes on a UTF-8 boundary, in 'a'. */
static char *
evidence_cut(struct arena *a, const char *ev, size_t max)
{
	size_t	n = strlen(ev);

	if (n <= max)
		return arena_strdup(a, ev);
	while (max > 0 && ((unsigned char)ev[max] & 0xc0) == 0x80)
		max--;
	return arena_printf(a, "%.*s...", (int)max, ev);
}

enum ms_err
finding_signal(struct arena *a, struct arena_vec *vec, const char *id,
    const char *title, int points, const char *part, const char *evidence)
{
	struct finding	*f;
	size_t		 i, have;

	if (evidence == NULL)
		evidence = "";
	for (i = 0; i < vec->n; i++) {
		f = vec->v[i];
		if (f->kind != FINDING_SIGNAL || strcmp(f->id, id) != 0)
			continue;
		have = f->evidence ? strlen(f->evidence) : 0;
		if (*evidence != '\0' && f->evidence != NULL &&
		    have < FINDING_EVIDENCE_MAX &&
		    strstr(f->evidence, evidence) == NULL)
			f->evidence = evidence_cut(a, arena_printf(a, "%s; %s",
			    f->evidence, evidence), FINDING_EVIDENCE_MAX);
		return MS_OK;
	}
	if ((f = arena_alloc(a, sizeof(*f))) == NULL)
		return MS_ELIMIT;
	f->kind = FINDING_SIGNAL;
	f->id = id;
	f->part = arena_strdup(a, part);
	f->title = title;
	f->detail = title;
	f->points = points;
	f->evidence = evidence_cut(a, evidence, FINDING_EVIDENCE_MAX);
	if (f->evidence == NULL)
		return MS_ELIMIT;
	return arena_vec_push(a, vec, f);
}

const char *
finding_kind_name(enum finding_kind kind)
{
	switch (kind) {
	case FINDING_LIMIT:	return "limit";
	case FINDING_PARSE:	return "parse";
	case FINDING_SIGNAL:	return "signal";
	}
	return "unknown";
}
