/* SPDX-License-Identifier: Apache-2.0 */
/*
 * result.c -- the rdict/rlist JSON values of app.h and result.h over
 * jansson: an rdict is a json_t object and an rlist a json_t array, cast.
 * Runs on the engine's worker threads (apps build their results here)
 * and on the owner thread (printing, parsing results of Python apps).
 * Strings come from remote services and are not trusted to be UTF-8:
 * invalid bytes become U+FFFD, since jansson rejects them.
 */
#include <math.h>
#include <stdio.h>
#include <string.h>

#include <glib.h>
#include <jansson.h>

#include "result.h"
#include "../common/log.h"

/* Sorted keys make the output stable (a cache key, a diffable log);
 * 15 digits print 35.68536 rather than 35.685360000000003. */
#define RESULT_DUMP_FLAGS \
	(JSON_COMPACT | JSON_SORT_KEYS | JSON_REAL_PRECISION(15))

#define J(x)	((json_t *)(x))

/* jansson returns NULL only when malloc(3) does: OOM is fatal (STYLE.md
 * section 3, tier 2), as in xmalloc. */
static json_t *
chk(json_t *j)
{
	if (j == NULL)
		fatalx("result: out of memory");
	return j;
}

/* A JSON string of 's', with invalid UTF-8 replaced by U+FFFD. */
static json_t *
jstr(const char *s)
{
	json_t	*j;
	char	*v;

	if (s == NULL)
		return chk(json_null());
	if (g_utf8_validate(s, -1, NULL))
		return chk(json_string_nocheck(s));
	v = g_utf8_make_valid(s, -1);
	j = json_string_nocheck(v);
	g_free(v);
	return chk(j);
}

/* Set 'key' of object 'o' to 'v' (stolen).  Keys are made valid UTF-8
 * first, so that jansson never refuses one and 'v' stays alive. */
static json_t *
oset(json_t *o, const char *key, json_t *v)
{
	char	*k = NULL;

	MS_ASSERT(json_is_object(o) && key != NULL);
	if (!g_utf8_validate(key, -1, NULL))
		k = g_utf8_make_valid(key, -1);
	if (json_object_set_new_nocheck(o, k ? k : key, v) != 0)
		fatalx("result: out of memory");
	g_free(k);
	return v;
}

static void
aadd(json_t *a, json_t *v)
{
	MS_ASSERT(json_is_array(a));
	if (json_array_append_new(a, v) != 0)
		fatalx("result: out of memory");
}

void
rdict_set_str(struct rdict *d, const char *key, const char *val)
{
	oset(J(d), key, jstr(val));
}

void
rdict_set_int(struct rdict *d, const char *key, int64_t val)
{
	oset(J(d), key, chk(json_integer((json_int_t)val)));
}

/* JSON has no NaN or infinity: those become null. */
void
rdict_set_real(struct rdict *d, const char *key, double val)
{
	oset(J(d), key, isfinite(val) ? chk(json_real(val)) :
	    chk(json_null()));
}

void
rdict_set_bool(struct rdict *d, const char *key, int val)
{
	oset(J(d), key, chk(json_boolean(val)));
}

struct rdict *
rdict_add_dict(struct rdict *d, const char *key)
{
	return (struct rdict *)oset(J(d), key, chk(json_object()));
}

struct rlist *
rdict_add_list(struct rdict *d, const char *key)
{
	return (struct rlist *)oset(J(d), key, chk(json_array()));
}

void
rlist_add_str(struct rlist *l, const char *val)
{
	aadd(J(l), jstr(val));
}

void
rlist_add_int(struct rlist *l, int64_t val)
{
	aadd(J(l), chk(json_integer((json_int_t)val)));
}

struct rdict *
rlist_add_dict(struct rlist *l)
{
	json_t	*o = chk(json_object());

	aadd(J(l), o);
	return (struct rdict *)o;
}

/* ---- engine side (result.h) ------------------------------------------ */

struct rdict *
result_dict_new(void)
{
	return (struct rdict *)chk(json_object());
}

struct rlist *
result_list_new(void)
{
	return (struct rlist *)chk(json_array());
}

void
result_dict_free(struct rdict *d)
{
	json_decref(J(d));	/* NULL-safe */
}

void
result_list_free(struct rlist *l)
{
	json_decref(J(l));
}

struct rdict *
result_dict_copy(const struct rdict *d)
{
	return (struct rdict *)chk(json_deep_copy(J(d)));
}

struct rlist *
result_list_copy(const struct rlist *l)
{
	return (struct rlist *)chk(json_deep_copy(J(l)));
}

void
result_dict_set_dict(struct rdict *d, const char *key,
    const struct rdict *v)
{
	oset(J(d), key, chk(json_deep_copy(J(v))));
}

void
result_dict_set_list(struct rdict *d, const char *key,
    const struct rlist *v)
{
	oset(J(d), key, chk(json_deep_copy(J(v))));
}

struct rdict *
result_dict_get_dict(const struct rdict *d, const char *key)
{
	json_t	*v = json_object_get(J(d), key);

	return json_is_object(v) ? (struct rdict *)v : NULL;
}

struct rlist *
result_dict_get_list(const struct rdict *d, const char *key)
{
	json_t	*v = json_object_get(J(d), key);

	return json_is_array(v) ? (struct rlist *)v : NULL;
}

const char *
result_dict_get_str(const struct rdict *d, const char *key)
{
	return json_string_value(json_object_get(J(d), key));	/* or NULL */
}

/* An integer member; see result.h. */
int
result_dict_get_int(const struct rdict *d, const char *key, int64_t *v)
{
	json_t	*j = json_object_get(J(d), key);

	if (!json_is_integer(j))
		return 0;
	*v = (int64_t)json_integer_value(j);
	return 1;
}

int
result_dict_get_bool(const struct rdict *d, const char *key)
{
	json_t	*v = json_object_get(J(d), key);

	if (!json_is_boolean(v))
		return -1;
	return json_is_true(v);
}

int
result_dict_has(const struct rdict *d, const char *key)
{
	return json_object_get(J(d), key) != NULL;
}

size_t
result_list_len(const struct rlist *l)
{
	return json_array_size(J(l));
}

struct rdict *
result_list_get_dict(const struct rlist *l, size_t i)
{
	json_t	*v = json_array_get(J(l), i);

	return json_is_object(v) ? (struct rdict *)v : NULL;
}

struct rlist *
result_list_get_list(const struct rlist *l, size_t i)
{
	json_t	*v = json_array_get(J(l), i);

	return json_is_array(v) ? (struct rlist *)v : NULL;
}

const char *
result_list_get_str(const struct rlist *l, size_t i)
{
	return json_string_value(json_array_get(J(l), i));	/* or NULL */
}

int
result_list_get_int(const struct rlist *l, size_t i, int64_t *v)
{
	json_t	*j = json_array_get(J(l), i);

	if (!json_is_integer(j))
		return 0;
	*v = (int64_t)json_integer_value(j);
	return 1;
}

/* json_dumps() would hand back malloc(3) memory; size the output first
 * and write it into an xmalloc buffer instead, so callers xfree it. */
static char *
dump(const json_t *j)
{
	size_t	 n;
	char	*buf;

	n = json_dumpb(j, NULL, 0, RESULT_DUMP_FLAGS);
	if (n == 0)
		fatalx("result: cannot encode JSON");
	buf = xmalloc(n + 1);
	if (json_dumpb(j, buf, n, RESULT_DUMP_FLAGS) != n)
		fatalx("result: cannot encode JSON");
	buf[n] = '\0';
	return buf;
}

char *
result_dict_dump(const struct rdict *d)
{
	return dump(J(d));
}

char *
result_list_dump(const struct rlist *l)
{
	return dump(J(l));
}

enum ms_err
result_dict_parse(const char *json, struct rdict **out, char *err,
    size_t errlen)
{
	json_error_t	 jerr;
	json_t		*j;

	*out = NULL;
	j = json_loads(json, JSON_REJECT_DUPLICATES, &jerr);
	if (j == NULL) {
		snprintf(err, errlen, "line %d, column %d: %s", jerr.line,
		    jerr.column, jerr.text);
		return MS_EPARSE;
	}
	if (!json_is_object(j)) {
		snprintf(err, errlen, "expected a JSON object");
		json_decref(j);
		return MS_EPARSE;
	}
	*out = (struct rdict *)j;
	return MS_OK;
}
