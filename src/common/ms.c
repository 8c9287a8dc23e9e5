/* SPDX-License-Identifier: Apache-2.0 */
/*
 * ms.c -- error names and the checked allocators.  Runs in every process;
 * trusts nothing but malloc(3).
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "ms.h"

const char *
ms_strerror(enum ms_err rc)
{
	switch (rc) {
	case MS_OK:	return "success";
	case MS_ELIMIT:	return "limit exceeded";
	case MS_EPARSE:	return "malformed input";
	case MS_EIO:	return "I/O error";
	case MS_ENET:	return "network error";
	case MS_EDB:	return "store error";
	case MS_EPY:	return "playbook error";
	case MS_EAGAIN:	return "try again";
	case MS_EINVAL:	return "invalid argument";
	}
	return "unknown error";
}

static void
oom(size_t n)
{
	fprintf(stderr, "mailsoar: out of memory (%zu bytes)\n", n);
	abort();
}

void *
xmalloc(size_t n)
{
	void	*p = malloc(n ? n : 1);

	if (p == NULL)
		oom(n);
	return p;
}

void *
xcalloc(size_t nmemb, size_t size)
{
	void	*p = calloc(nmemb ? nmemb : 1, size ? size : 1);

	if (p == NULL)
		oom(nmemb * size);
	return p;
}

void *
xrealloc(void *p, size_t n)
{
	void	*q = realloc(p, n ? n : 1);

	if (q == NULL)
		oom(n);
	return q;
}

char *
xstrdup(const char *s)
{
	size_t	 n = strlen(s) + 1;
	char	*p = xmalloc(n);

	memcpy(p, s, n);
	return p;
}

void
xfree(void *p)
{
	free(p);
}
