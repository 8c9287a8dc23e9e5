/* SPDX-License-Identifier: Apache-2.0 */
/*
 * arena.h -- one memory pool per email (rspamd's task_pool) with a hard byte
 * cap and deferred destructors for foreign objects.  Not thread-safe: one
 * arena belongs to one thread at a time.
 */
#ifndef MS_ARENA_H
#define MS_ARENA_H

#include <stdarg.h>
#include <stddef.h>

#include "ms.h"

struct arena;

/* A growable array of pointers whose storage lives in an arena. */
struct arena_vec {
	void	**v;
	size_t	  n;
	size_t	  cap;
};

typedef void	(*arena_dtor_fn)(void *);

/* New arena that refuses to hand out more than 'cap' bytes in total. */
struct arena	*arena_new(size_t cap);
/* Run deferred destructors, newest first, then release all memory.
 * NULL is a no-op. */
void		 arena_free(struct arena *a);

/*
 * Allocate 'n' zeroed bytes, aligned for any type.  Returns NULL once the
 * cap would be passed: callers turn that into MS_ELIMIT.
 */
void		*arena_alloc(struct arena *a, size_t n);
/* Overflow-checked nmemb * size. */
void		*arena_calloc(struct arena *a, size_t nmemb, size_t size);
/* Copies, NUL-terminated; NULL past the cap (or for a NULL 's'). */
char		*arena_strdup(struct arena *a, const char *s);
char		*arena_strndup(struct arena *a, const char *s, size_t n);
void		*arena_memdup(struct arena *a, const void *p, size_t n);
char		*arena_printf(struct arena *a, const char *fmt, ...)
		    __attribute__((format(printf, 2, 3)));
char		*arena_vprintf(struct arena *a, const char *fmt, va_list ap);

/* Call fn(p) when the arena is freed.  MS_ELIMIT past the cap, in which
 * case fn(p) is called at once so that nothing leaks. */
enum ms_err	 arena_defer(struct arena *a, arena_dtor_fn fn, void *p);

/* Bytes handed out so far, and whether the cap was ever hit. */
size_t		 arena_used(const struct arena *a);
int		 arena_exhausted(const struct arena *a);

/* Append 'p' to 'vec' (zero-initialised before first use). */
enum ms_err	 arena_vec_push(struct arena *a, struct arena_vec *vec,
		    void *p);

#endif /* MS_ARENA_H */
