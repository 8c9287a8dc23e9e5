/* SPDX-License-Identifier: Apache-2.0 */
/*
 * test_common.c -- unit tests for src/common: the arena (zeroing,
 * alignment, the byte cap at the limit and one past it, strings,
 * destructors, vectors, overflow), findings (dedup by id and part) and
 * ms_strerror.  Links only ms_common.  Every test frees what it made.
 */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <string.h>

#include <cmocka.h>

#include "common/arena.h"
#include "common/finding.h"
#include "common/limits.h"
#include "common/ms.h"

/* The arena rounds every request up to this (arena.c ARENA_ALIGN). */
#define ALIGN	16

/* arena_alloc returns zeroed memory, also when the block is reused. */
static void
arena_alloc_zeroed(void **state)
{
	struct arena	*a = arena_new(1 << 20);
	unsigned char	*p;
	size_t		 i, j;

	for (j = 0; j < 64; j++) {
		p = arena_alloc(a, 100 + j);
		assert_non_null(p);
		for (i = 0; i < 100 + j; i++)
			assert_int_equal(0, p[i]);
		memset(p, 0xA5, 100 + j);	/* dirty it for the next */
	}
	/* A large request gets its own block: still zeroed. */
	p = arena_alloc(a, 200000);
	assert_non_null(p);
	for (i = 0; i < 200000; i++)
		assert_int_equal(0, p[i]);
	arena_free(a);
}

/* Every pointer is aligned for any type, whatever the previous sizes. */
static void
arena_alloc_aligned(void **state)
{
	struct arena	*a = arena_new(1 << 20);
	void		*p;
	size_t		 n;

	for (n = 0; n < 200; n++) {
		p = arena_alloc(a, n);
		assert_non_null(p);
		assert_int_equal(0, (uintptr_t)p % _Alignof(max_align_t));
		assert_int_equal(0, (uintptr_t)p % ALIGN);
	}
	arena_free(a);
}

/* A cap of exactly N bytes can be filled to N; N+1 is refused. */
static void
arena_cap_at_limit(void **state)
{
	struct arena	*a = arena_new(4 * ALIGN);

	assert_non_null(arena_alloc(a, 4 * ALIGN));
	assert_int_equal(4 * ALIGN, arena_used(a));
	assert_false(arena_exhausted(a));
	/* Nothing left: even one byte is past the cap. */
	assert_null(arena_alloc(a, 1));
	assert_true(arena_exhausted(a));
	assert_int_equal(4 * ALIGN, arena_used(a));	/* unchanged */
	arena_free(a);
}

static void
arena_cap_plus_one(void **state)
{
	struct arena	*a = arena_new(4 * ALIGN);

	assert_null(arena_alloc(a, 4 * ALIGN + 1));
	assert_true(arena_exhausted(a));
	assert_int_equal(0, arena_used(a));
	arena_free(a);

	/* The same cap reached in steps: the last step that fits succeeds. */
	a = arena_new(4 * ALIGN);
	assert_non_null(arena_alloc(a, 3 * ALIGN));
	assert_non_null(arena_alloc(a, ALIGN));
	assert_false(arena_exhausted(a));
	arena_free(a);

	a = arena_new(4 * ALIGN);
	assert_non_null(arena_alloc(a, 3 * ALIGN));
	assert_null(arena_alloc(a, ALIGN + 1));	/* rounds to 2*ALIGN */
	assert_true(arena_exhausted(a));
	arena_free(a);

	/* A request larger than the whole cap, and SIZE_MAX. */
	a = arena_new(LIMIT_MSG_ARENA);
	assert_null(arena_alloc(a, SIZE_MAX));
	assert_null(arena_alloc(a, (size_t)LIMIT_MSG_ARENA + 1));
	assert_true(arena_exhausted(a));
	arena_free(a);
}

static void
arena_strings(void **state)
{
	struct arena	*a = arena_new(1 << 16);
	char		*s;

	s = arena_strndup(a, "hello, world", 5);
	assert_non_null(s);
	assert_string_equal("hello", s);
	/* strndup copies n bytes exactly, even past an embedded NUL. */
	s = arena_strndup(a, "ab\0cd", 5);
	assert_non_null(s);
	assert_memory_equal("ab\0cd", s, 6);
	s = arena_strdup(a, "");
	assert_non_null(s);
	assert_string_equal("", s);
	assert_null(arena_strdup(a, NULL));
	assert_null(arena_strndup(a, NULL, 3));

	s = arena_printf(a, "%s-%d-%05.1f", "x", -42, 3.14159);
	assert_non_null(s);
	assert_string_equal("x--42-003.1", s);
	s = arena_printf(a, "%s", "");
	assert_non_null(s);
	assert_string_equal("", s);

	s = arena_memdup(a, "\0\1\2", 3);
	assert_non_null(s);
	assert_memory_equal("\0\1\2", s, 3);
	assert_false(arena_exhausted(a));
	arena_free(a);
}

/* Strings past the cap are NULL, never truncated. */
static void
arena_strings_past_cap(void **state)
{
	struct arena	*a = arena_new(2 * ALIGN);
	char		 big[2 * ALIGN + 1];

	memset(big, 'x', sizeof(big) - 1);
	big[sizeof(big) - 1] = '\0';
	/* 2*ALIGN-1 chars + NUL fit exactly. */
	assert_non_null(arena_strndup(a, big, 2 * ALIGN - 1));
	arena_free(a);

	a = arena_new(2 * ALIGN);
	assert_null(arena_strndup(a, big, 2 * ALIGN));	/* NUL is +1 */
	assert_true(arena_exhausted(a));
	assert_null(arena_printf(a, "%s", big));
	arena_free(a);
}

struct order {
	int	seen[8];
	int	n;
};

static struct order	order;

static void
record_a(void *p)
{
	order.seen[order.n++] = *(int *)p;
}

/* Deferred destructors run when the arena is freed, newest first. */
static void
arena_defer_newest_first(void **state)
{
	struct arena	*a = arena_new(1 << 16);
	static int	 v[3] = { 1, 2, 3 };

	memset(&order, 0, sizeof(order));
	assert_int_equal(MS_OK, arena_defer(a, record_a, &v[0]));
	assert_int_equal(MS_OK, arena_defer(a, record_a, &v[1]));
	assert_int_equal(MS_OK, arena_defer(a, record_a, &v[2]));
	assert_int_equal(0, order.n);		/* not yet */
	arena_free(a);
	assert_int_equal(3, order.n);
	assert_int_equal(3, order.seen[0]);
	assert_int_equal(2, order.seen[1]);
	assert_int_equal(1, order.seen[2]);
}

/* Past the cap, arena_defer calls the destructor at once (no leak). */
static void
arena_defer_past_cap(void **state)
{
	struct arena	*a = arena_new(ALIGN);
	static int	 v = 7;
	char		*heap;

	memset(&order, 0, sizeof(order));
	assert_non_null(arena_alloc(a, ALIGN));		/* cap reached */
	assert_int_equal(MS_ELIMIT, arena_defer(a, record_a, &v));
	assert_int_equal(1, order.n);
	assert_int_equal(7, order.seen[0]);
	/* A heap object handed over past the cap is freed right away:
	 * ASan/valgrind report a leak if it is not. */
	heap = xstrdup("owned");
	assert_int_equal(MS_ELIMIT, arena_defer(a, xfree, heap));
	arena_free(a);
	assert_int_equal(1, order.n);		/* not called twice */
}

/* A heap object deferred within the cap is freed by arena_free. */
static void
arena_defer_frees(void **state)
{
	struct arena	*a = arena_new(1 << 16);

	assert_int_equal(MS_OK, arena_defer(a, xfree, xmalloc(100)));
	arena_free(a);
	arena_free(NULL);			/* no-op */
}

static void
arena_vec_growth(void **state)
{
	struct arena		*a = arena_new(1 << 20);
	struct arena_vec	 v = { 0 };
	static int		 x[1000];
	size_t			 i;

	for (i = 0; i < 1000; i++)
		assert_int_equal(MS_OK, arena_vec_push(a, &v, &x[i]));
	assert_int_equal(1000, v.n);
	assert_true(v.cap >= 1000);
	for (i = 0; i < 1000; i++)
		assert_ptr_equal(&x[i], v.v[i]);	/* order kept */
	arena_free(a);
}

/* When growth does not fit, push fails and the vector is unchanged. */
static void
arena_vec_past_cap(void **state)
{
	struct arena		*a = arena_new(8 * sizeof(void *));
	struct arena_vec	 v = { 0 };
	static int		 x[9];
	size_t			 i;

	/* The first growth allocates 8 slots: exactly the cap. */
	for (i = 0; i < 8; i++)
		assert_int_equal(MS_OK, arena_vec_push(a, &v, &x[i]));
	assert_int_equal(MS_ELIMIT, arena_vec_push(a, &v, &x[8]));
	assert_int_equal(8, v.n);
	assert_true(arena_exhausted(a));
	for (i = 0; i < 8; i++)
		assert_ptr_equal(&x[i], v.v[i]);
	arena_free(a);
}

static void
arena_calloc_overflow(void **state)
{
	struct arena	*a = arena_new(1 << 20);
	unsigned char	*p;
	size_t		 i;

	assert_null(arena_calloc(a, SIZE_MAX / 2 + 1, 2));
	assert_true(arena_exhausted(a));
	assert_null(arena_calloc(a, SIZE_MAX, SIZE_MAX));
	assert_int_equal(0, arena_used(a));
	p = arena_calloc(a, 10, 10);
	assert_non_null(p);
	for (i = 0; i < 100; i++)
		assert_int_equal(0, p[i]);
	arena_free(a);
}

static void
finding_dedup(void **state)
{
	struct arena		*a = arena_new(1 << 16);
	struct arena_vec	 v = { 0 };
	struct finding		*f;

	assert_int_equal(MS_OK, finding_add(a, &v, FINDING_PARSE,
	    "bad_base64", "1.2", "first %d", 1));
	assert_int_equal(MS_OK, finding_add(a, &v, FINDING_PARSE,
	    "bad_base64", "1.2", "second %d", 2));
	assert_int_equal(1, v.n);
	f = v.v[0];
	assert_string_equal("first 1", f->detail);	/* first one kept */
	assert_string_equal("1.2", f->part);
	assert_int_equal(FINDING_PARSE, f->kind);

	/* Another part, no part, another id: all distinct. */
	assert_int_equal(MS_OK, finding_add(a, &v, FINDING_PARSE,
	    "bad_base64", "1.3", "x"));
	assert_int_equal(MS_OK, finding_add(a, &v, FINDING_PARSE,
	    "bad_base64", NULL, "x"));
	assert_int_equal(MS_OK, finding_add(a, &v, FINDING_LIMIT,
	    "limit_mime_depth", "1.2", "x"));
	assert_int_equal(4, v.n);
	/* NULL part deduplicates against NULL part only. */
	assert_int_equal(MS_OK, finding_add(a, &v, FINDING_PARSE,
	    "bad_base64", NULL, "again"));
	assert_int_equal(4, v.n);
	f = v.v[2];
	assert_null(f->part);
	f = v.v[3];
	assert_int_equal(FINDING_LIMIT, f->kind);
	assert_string_equal("limit_mime_depth", f->id);

	assert_string_equal("limit", finding_kind_name(FINDING_LIMIT));
	assert_string_equal("parse", finding_kind_name(FINDING_PARSE));
	assert_string_equal("signal", finding_kind_name(FINDING_SIGNAL));
	arena_free(a);
}

/* The caller's id and part strings are copied, not borrowed. */
static void
finding_copies(void **state)
{
	struct arena		*a = arena_new(1 << 16);
	struct arena_vec	 v = { 0 };
	struct finding		*f;
	char			 id[16], part[8];

	memcpy(id, "dup_header", 11);
	memcpy(part, "2", 2);
	assert_int_equal(MS_OK, finding_add(a, &v, FINDING_PARSE, id, part,
	    "%s", "d"));
	memcpy(id, "XXXXXXXXXX", 11);
	memcpy(part, "9", 2);
	f = v.v[0];
	assert_string_equal("dup_header", f->id);
	assert_string_equal("2", f->part);
	arena_free(a);
}

/* A full arena makes finding_add fail with MS_ELIMIT. */
static void
finding_past_cap(void **state)
{
	struct arena		*a = arena_new(ALIGN);
	struct arena_vec	 v = { 0 };

	assert_non_null(arena_alloc(a, ALIGN));
	assert_int_equal(MS_ELIMIT, finding_add(a, &v, FINDING_LIMIT,
	    "limit_msg_arena", NULL, "full"));
	assert_int_equal(0, v.n);
	arena_free(a);
}

static void
strerror_names(void **state)
{
	static const struct {
		enum ms_err	 rc;
		const char	*name;
	} want[] = {
		{ MS_OK,	"success" },
		{ MS_ELIMIT,	"limit exceeded" },
		{ MS_EPARSE,	"malformed input" },
		{ MS_EIO,	"I/O error" },
		{ MS_ENET,	"network error" },
		{ MS_EDB,	"store error" },
		{ MS_EPY,	"playbook error" },
		{ MS_EAGAIN,	"try again" },
		{ MS_EINVAL,	"invalid argument" },
	};
	size_t	i, j;

	for (i = 0; i < MS_ARRAY_LEN(want); i++)
		assert_string_equal(want[i].name, ms_strerror(want[i].rc));
	/* Names are distinct, so a message identifies its code. */
	for (i = 0; i < MS_ARRAY_LEN(want); i++)
		for (j = i + 1; j < MS_ARRAY_LEN(want); j++)
			assert_string_not_equal(ms_strerror(want[i].rc),
			    ms_strerror(want[j].rc));
	assert_string_equal("unknown error", ms_strerror((enum ms_err)999));
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(arena_alloc_zeroed),
		cmocka_unit_test(arena_alloc_aligned),
		cmocka_unit_test(arena_cap_at_limit),
		cmocka_unit_test(arena_cap_plus_one),
		cmocka_unit_test(arena_strings),
		cmocka_unit_test(arena_strings_past_cap),
		cmocka_unit_test(arena_defer_newest_first),
		cmocka_unit_test(arena_defer_past_cap),
		cmocka_unit_test(arena_defer_frees),
		cmocka_unit_test(arena_vec_growth),
		cmocka_unit_test(arena_vec_past_cap),
		cmocka_unit_test(arena_calloc_overflow),
		cmocka_unit_test(finding_dedup),
		cmocka_unit_test(finding_copies),
		cmocka_unit_test(finding_past_cap),
		cmocka_unit_test(strerror_names),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
