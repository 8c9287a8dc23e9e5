/* SPDX-License-Identifier: Apache-2.0 */
/*
 * ms.h -- project-wide basics: the one error enum, checked allocation,
 * defensive-branch macros.  Included by every module.
 */
#ifndef MS_H
#define MS_H

#include <stddef.h>
#include <stdint.h>

enum ms_err {
	MS_OK = 0,
	MS_ELIMIT,	/* input or arena exceeded a limit in limits.h */
	MS_EPARSE,	/* input malformed */
	MS_EIO,		/* local I/O; errno set */
	MS_ENET,	/* remote action failed */
	MS_EDB,		/* store failure */
	MS_EPY,		/* playbook raised */
	MS_EAGAIN,	/* not ready; retry on next event */
	MS_EINVAL,	/* caller error: bad argument or configuration */
};

/* A short English name for 'rc' ("limit exceeded", ...).  Static string. */
const char	*ms_strerror(enum ms_err rc);

/*
 * Heap allocation that never returns NULL: OOM is fatal (tier 2 in
 * STYLE.md).  Only these and the arena touch malloc(3).
 */
void	*xmalloc(size_t n);
void	*xcalloc(size_t nmemb, size_t size);
void	*xrealloc(void *p, size_t n);
char	*xstrdup(const char *s);
void	 xfree(void *p);

#define MS_ARRAY_LEN(a)	(sizeof(a) / sizeof((a)[0]))

#ifdef NDEBUG
#define MS_ASSERT(x)	((void)0)
#else
#include <assert.h>
#define MS_ASSERT(x)	assert(x)
#endif

/* SQLite's defensive-branch markers: true/false in release builds. */
#define ALWAYS(x)	(x)
#define NEVER(x)	(x)

#endif /* MS_H */
