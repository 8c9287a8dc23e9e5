/* SPDX-License-Identifier: Apache-2.0 */
/*
 * arena.c -- bump allocator in chained blocks with a byte cap and a list
 * of destructors.  Used for everything derived from one email.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "arena.h"

#define ARENA_BLOCK	(64 * 1024)
#define ARENA_ALIGN	16

struct arena_block {
	struct arena_block	*next;
	size_t			 size;
	size_t			 used;
	/* payload follows, aligned */
};

struct arena_dtor {
	struct arena_dtor	*next;
	arena_dtor_fn		 fn;
	void			*p;
};

struct arena {
	struct arena_block	*blocks;
	struct arena_dtor	*dtors;
	size_t			 cap;
	size_t			 used;
	int			 exhausted;
};

#define BLOCK_HDR \
	((sizeof(struct arena_block) + ARENA_ALIGN - 1) & \
	    ~(size_t)(ARENA_ALIGN - 1))

struct arena *
arena_new(size_t cap)
{
	struct arena	*a = xcalloc(1, sizeof(*a));

	a->cap = cap;
	return a;
}

void
arena_free(struct arena *a)
{
	struct arena_dtor	*d;
	struct arena_block	*b, *next;

	if (a == NULL)
		return;
	/* Destructors live in the blocks, so run them all before freeing. */
	for (d = a->dtors; d != NULL; d = d->next)
		d->fn(d->p);
	for (b = a->blocks; b != NULL; b = next) {
		next = b->next;
		xfree(b);
	}
	xfree(a);
}

/* Allocate without zeroing: for copies that overwrite every byte. */
static void *
alloc_raw(struct arena *a, size_t n)
{
	struct arena_block	*b = a->blocks;
	size_t			 need, bsize;
	char			*p;

	if (n > a->cap)
		goto full;
	need = (n + ARENA_ALIGN - 1) & ~(size_t)(ARENA_ALIGN - 1);
	if (need == 0)
		need = ARENA_ALIGN;
	if (need > a->cap - a->used)
		goto full;
	if (b == NULL || b->size - b->used < need) {
		/* Large requests get a block of their own; the current
		 * block stays first so its free space is not lost. */
		bsize = need > ARENA_BLOCK / 4 ? need : ARENA_BLOCK;
		b = xmalloc(BLOCK_HDR + bsize);
		b->size = bsize;
		b->used = 0;
		if (need > ARENA_BLOCK / 4 && a->blocks != NULL) {
			b->next = a->blocks->next;
			a->blocks->next = b;
		} else {
			b->next = a->blocks;
			a->blocks = b;
		}
	}
	p = (char *)b + BLOCK_HDR + b->used;
	b->used += need;
	a->used += need;
	return p;
full:
	a->exhausted = 1;
	return NULL;
}

void *
arena_alloc(struct arena *a, size_t n)
{
	void	*p = alloc_raw(a, n);

	if (p != NULL)
		memset(p, 0, n);
	return p;
}

void *
arena_calloc(struct arena *a, size_t nmemb, size_t size)
{
	size_t	n;

	if (__builtin_mul_overflow(nmemb, size, &n)) {
		a->exhausted = 1;
		return NULL;
	}
	return arena_alloc(a, n);
}

char *
arena_strndup(struct arena *a, const char *s, size_t n)
{
	char	*p;

	if (s == NULL || n == SIZE_MAX)
		return NULL;
	if ((p = alloc_raw(a, n + 1)) == NULL)
		return NULL;
	memcpy(p, s, n);
	p[n] = '\0';
	return p;
}

char *
arena_strdup(struct arena *a, const char *s)
{
	if (s == NULL)
		return NULL;
	return arena_strndup(a, s, strlen(s));
}

void *
arena_memdup(struct arena *a, const void *p, size_t n)
{
	void	*q;

	if ((q = alloc_raw(a, n ? n : 1)) == NULL)
		return NULL;
	if (n)
		memcpy(q, p, n);
	return q;
}

char *
arena_vprintf(struct arena *a, const char *fmt, va_list ap)
{
	va_list	 ap2;
	int	 n;
	char	*p;

	va_copy(ap2, ap);
	n = vsnprintf(NULL, 0, fmt, ap2);
	va_end(ap2);
	if (n < 0)
		return NULL;
	if ((p = arena_alloc(a, (size_t)n + 1)) == NULL)
		return NULL;
	vsnprintf(p, (size_t)n + 1, fmt, ap);
	return p;
}

char *
arena_printf(struct arena *a, const char *fmt, ...)
{
	va_list	 ap;
	char	*p;

	va_start(ap, fmt);
	p = arena_vprintf(a, fmt, ap);
	va_end(ap);
	return p;
}

enum ms_err
arena_defer(struct arena *a, arena_dtor_fn fn, void *p)
{
	struct arena_dtor	*d;

	if ((d = arena_alloc(a, sizeof(*d))) == NULL) {
		fn(p);
		return MS_ELIMIT;
	}
	d->fn = fn;
	d->p = p;
	d->next = a->dtors;
	a->dtors = d;
	return MS_OK;
}

size_t
arena_used(const struct arena *a)
{
	return a->used;
}

int
arena_exhausted(const struct arena *a)
{
	return a->exhausted;
}

enum ms_err
arena_vec_push(struct arena *a, struct arena_vec *vec, void *p)
{
	void	**nv;
	size_t	  ncap;

	if (vec->n == vec->cap) {
		ncap = vec->cap ? vec->cap * 2 : 8;
		if ((nv = arena_calloc(a, ncap, sizeof(*nv))) == NULL)
			return MS_ELIMIT;
		if (vec->n)
			memcpy(nv, vec->v, vec->n * sizeof(*nv));
		vec->v = nv;
		vec->cap = ncap;
	}
	vec->v[vec->n++] = p;
	return MS_OK;
}
