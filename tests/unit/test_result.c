/* SPDX-License-Identifier: Apache-2.0 */
/*
 * test_result.c -- result.h's reading side on parsed JSON: the getters
 * of nested arrays (used on RFC 9224 bootstrap files and jCards) and
 * what they return for members of another type.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include <cmocka.h>

#include "engine/result.h"

static const char DOC[] =
    "{\"services\":[[[\"com\",\"net\"],[\"https://x.test/\"]],7,"
    "\"s\",{\"k\":1},[-3,9223372036854775807,1.5,null]]}";

static void
list_getters(void **state)
{
	struct rdict	*d = NULL;
	struct rlist	*svcs, *svc, *entries, *nums;
	char		 err[128];
	int64_t		 v = 42;

	(void)state;
	assert_int_equal(result_dict_parse(DOC, &d, err, sizeof(err)),
	    MS_OK);
	svcs = result_dict_get_list(d, "services");
	assert_non_null(svcs);
	assert_int_equal(result_list_len(svcs), 5);
	svc = result_list_get_list(svcs, 0);
	assert_non_null(svc);
	entries = result_list_get_list(svc, 0);
	assert_int_equal(result_list_len(entries), 2);
	assert_string_equal(result_list_get_str(entries, 1), "net");
	assert_string_equal(result_list_get_str(result_list_get_list(svc,
	    1), 0), "https://x.test/");
	/* Another type, or out of range: NULL or 0, '*v' untouched. */
	assert_null(result_list_get_list(svcs, 1));
	assert_null(result_list_get_list(svcs, 99));
	assert_null(result_list_get_str(svcs, 1));
	assert_string_equal(result_list_get_str(svcs, 2), "s");
	assert_null(result_list_get_str(svcs, 3));
	assert_non_null(result_list_get_dict(svcs, 3));
	assert_false(result_list_get_int(svcs, 2, &v));
	assert_int_equal(v, 42);
	assert_true(result_list_get_int(svcs, 1, &v));
	assert_int_equal(v, 7);
	nums = result_list_get_list(svcs, 4);
	assert_true(result_list_get_int(nums, 0, &v));
	assert_int_equal(v, -3);
	assert_true(result_list_get_int(nums, 1, &v));
	assert_true(v == INT64_MAX);
	v = 5;
	assert_false(result_list_get_int(nums, 2, &v));	/* a real */
	assert_false(result_list_get_int(nums, 3, &v));	/* null */
	assert_false(result_list_get_int(nums, 4, &v));	/* past the end */
	assert_int_equal(v, 5);
	result_dict_free(d);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(list_getters),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
