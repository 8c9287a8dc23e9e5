/* SPDX-License-Identifier: Apache-2.0 */
/*
 * result.h -- the engine's side of the rdict/rlist JSON values of app.h:
 * making, copying, reading, parsing and printing them.  Engine-internal
 * (apps only build values, with the setters of app.h).  result.c is the
 * engine's only user of jansson.  Values are not thread-safe: one thread
 * builds or reads a value at a time.
 */
#ifndef MS_RESULT_H
#define MS_RESULT_H

#include <stddef.h>

#include "app.h"

/* Empty values, owned by the caller.  The _free functions are NULL-safe
 * and free the nested values too. */
struct rdict	*result_dict_new(void);
struct rlist	*result_list_new(void);
void		 result_dict_free(struct rdict *d);
void		 result_list_free(struct rlist *l);

/* Deep copies, owned by the caller. */
struct rdict	*result_dict_copy(const struct rdict *d);
struct rlist	*result_list_copy(const struct rlist *l);
/* Deep copies of 'v' set under 'key' of 'd' (replacing any value). */
void		 result_dict_set_dict(struct rdict *d, const char *key,
		    const struct rdict *v);
void		 result_dict_set_list(struct rdict *d, const char *key,
		    const struct rlist *v);

/* Reading.  Borrowed pointers into 'd' or 'l', NULL when absent or of
 * another JSON type. */
struct rdict	*result_dict_get_dict(const struct rdict *d, const char *key);
struct rlist	*result_dict_get_list(const struct rdict *d, const char *key);
const char	*result_dict_get_str(const struct rdict *d, const char *key);
/* -1 absent or not a boolean, else 0 or 1. */
int		 result_dict_get_bool(const struct rdict *d, const char *key);
int		 result_dict_has(const struct rdict *d, const char *key);
/* An integer member into '*v': 1, or 0 (and '*v' untouched) when absent
 * or not a JSON integer. */
int		 result_dict_get_int(const struct rdict *d, const char *key,
		    int64_t *v);
size_t		 result_list_len(const struct rlist *l);
struct rdict	*result_list_get_dict(const struct rlist *l, size_t i);
struct rlist	*result_list_get_list(const struct rlist *l, size_t i);
const char	*result_list_get_str(const struct rlist *l, size_t i);
/* An integer element into '*v': 1, or 0 (and '*v' untouched). */
int		 result_list_get_int(const struct rlist *l, size_t i,
		    int64_t *v);

/* Compact JSON with sorted keys.  Newly allocated (xfree). */
char		*result_dict_dump(const struct rdict *d);
char		*result_list_dump(const struct rlist *l);

/* Parse 'json' (a JSON object) into '*out' (the caller's).  Returns
 * MS_OK, or MS_EPARSE with '*out' NULL and 'err' saying where. */
enum ms_err	 result_dict_parse(const char *json, struct rdict **out,
		    char *err, size_t errlen);

#endif /* MS_RESULT_H */
