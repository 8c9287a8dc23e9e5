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
	f->id = arena_strdup(a, id);
	f->part = arena_strdup(a, part);
	va_start(ap, fmt);
	f->detail = arena_vprintf(a, fmt, ap);
	va_end(ap);
	if (f->id == NULL)
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
