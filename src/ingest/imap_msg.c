/* SPDX-License-Identifier: Apache-2.0 */
/*
 * imap_msg.c -- the message calls of imap.h: UID SEARCH (after a UID,
 * since a time), FETCH with the size limit, STORE, MOVE and APPEND.
 * Every answer is the server's word only: UIDs are filtered and sorted
 * here, sizes checked before and after, flags checked before sending.
 */
#include <stdlib.h>
#include <string.h>

#include <glib.h>

#include "../common/limits.h"
#include "../common/log.h"
#include "imap_int.h"

/* qsort(3) order for UIDs. */
static int
imap_uid_cmp(const void *a, const void *b)
{
	uint32_t	x = *(const uint32_t *)a, y = *(const uint32_t *)b;

	return x < y ? -1 : x > y;
}

/*
 * The UIDs of a SEARCH answer greater than 'after', ascending, without
 * duplicates, at most 'max'.  Servers answer "UID n:*" with the highest
 * UID even when it is below n (RFC 3501 6.4.8): the filter drops it.
 */
static void
imap_collect(clist *res, uint32_t after, size_t max, uint32_t **uids,
    size_t *n)
{
	clistiter	*it;
	uint32_t	*v, *out;
	size_t		 k = 0, i, j;

	out = xmalloc(sizeof(*out) * ((size_t)clist_count(res) + 1));
	for (it = clist_begin(res); it != NULL; it = clist_next(it)) {
		v = clist_content(it);
		if (v != NULL && *v > after)
			out[k++] = *v;
	}
	qsort(out, k, sizeof(*out), imap_uid_cmp);
	for (i = j = 0; i < k; i++)
		if (j == 0 || out[j - 1] != out[i])
			out[j++] = out[i];
	if (j > max)
		j = max;
	if (j == 0) {
		xfree(out);
		out = NULL;
	}
	*uids = out;
	*n = j;
}

/* UID SEARCH 'key' (which it frees). */
static enum ms_err
imap_search(struct imap *im, struct mailimap_search_key *key,
    clist **res, char *err, size_t errlen)
{
	int	r;

	*res = NULL;
	r = mailimap_uid_search(im->s, NULL, key, res);
	mailimap_search_key_free(key);
	if (r != MAILIMAP_NO_ERROR) {
		*res = NULL;
		return imap__fail(im, r, MS_ENET, "UID SEARCH", err, errlen);
	}
	return MS_OK;
}

enum ms_err
imap_uids_after(struct imap *im, uint32_t after, size_t max,
    uint32_t **uids, size_t *n, char *err, size_t errlen)
{
	clist		*res = NULL;
	enum ms_err	 rc;

	*uids = NULL;
	*n = 0;
	rc = imap__begin(im, IMAP_RESPONSE_MAX, "search", err, errlen);
	if (rc != MS_OK || after == UINT32_MAX || max == 0)
		return rc;
	/* 0 is libetpan's '*'. */
	rc = imap_search(im, mailimap_search_key_new_uid(
	    mailimap_set_new_interval(after + 1, 0)), &res, err, errlen);
	if (rc != MS_OK)
		return rc;
	imap_collect(res, after, max, uids, n);
	mailimap_search_result_free(res);
	return MS_OK;
}

/* The interesting parts of one FETCH answer; absent ones stay as set. */
static void
imap_att_scan(struct mailimap_msg_att *att, uint32_t *uid, int64_t *size,
    struct mailimap_msg_att_body_section **body,
    struct mailimap_date_time **date)
{
	struct mailimap_msg_att_item	*item;
	struct mailimap_msg_att_static	*st;
	clistiter			*it;

	if (att == NULL || att->att_list == NULL)
		return;
	for (it = clist_begin(att->att_list); it != NULL;
	    it = clist_next(it)) {
		item = clist_content(it);
		if (item == NULL || item->att_type !=
		    MAILIMAP_MSG_ATT_ITEM_STATIC)
			continue;
		st = item->att_data.att_static;
		if (st == NULL)
			continue;
		switch (st->att_type) {
		case MAILIMAP_MSG_ATT_UID:
			*uid = st->att_data.att_uid;
			break;
		case MAILIMAP_MSG_ATT_RFC822_SIZE:
			*size = st->att_data.att_rfc822_size;
			break;
		case MAILIMAP_MSG_ATT_BODY_SECTION:
			if (body != NULL)
				*body = st->att_data.att_body_section;
			break;
		case MAILIMAP_MSG_ATT_INTERNALDATE:
			if (date != NULL)
				*date = st->att_data.att_internal_date;
			break;
		}
	}
}

/* An INTERNALDATE as unix time; -1 when the server sent nonsense. */
static int64_t
imap_date_unix(const struct mailimap_date_time *d)
{
	GDateTime	*dt;
	int64_t		 t;
	int		 z, off;

	if (d == NULL || d->dt_zone < -2400 || d->dt_zone > 2400)
		return -1;
	dt = g_date_time_new_utc(d->dt_year, d->dt_month, d->dt_day,
	    d->dt_hour, d->dt_min, d->dt_sec);
	if (dt == NULL)
		return -1;
	t = g_date_time_to_unix(dt);
	g_date_time_unref(dt);
	z = d->dt_zone < 0 ? -d->dt_zone : d->dt_zone;
	off = (z / 100) * 3600 + (z % 100) * 60;
	return d->dt_zone < 0 ? t + off : t - off;
}

/* Binary search in ascending 'v'. */
static int
imap_uid_in(const uint32_t *v, size_t n, uint32_t uid)
{
	return n > 0 && bsearch(&uid, v, n, sizeof(*v), imap_uid_cmp) !=
	    NULL;
}

/*
 * Keep the UIDs in 'v' whose INTERNALDATE is 'since' or later: one UID
 * FETCH over their range, since SEARCH SINCE only knows days.
 */
static enum ms_err
imap_since_filter(struct imap *im, int64_t since, uint32_t *v, size_t *n,
    char *err, size_t errlen)
{
	struct mailimap_fetch_type	*ft;
	struct mailimap_set		*set;
	struct mailimap_date_time	*date;
	clist				*res = NULL;
	clistiter			*it;
	uint32_t			 uid, *keep;
	int64_t				 size;
	size_t				 k = 0;
	int				 r;

	ft = mailimap_fetch_type_new_fetch_att_list_empty();
	mailimap_fetch_type_new_fetch_att_list_add(ft,
	    mailimap_fetch_att_new_uid());
	mailimap_fetch_type_new_fetch_att_list_add(ft,
	    mailimap_fetch_att_new_internaldate());
	set = mailimap_set_new_interval(v[0], v[*n - 1]);
	r = mailimap_uid_fetch(im->s, set, ft, &res);
	mailimap_set_free(set);
	mailimap_fetch_type_free(ft);
	if (r != MAILIMAP_NO_ERROR)
		return imap__fail(im, r, MS_ENET, "UID FETCH", err, errlen);
	keep = xcalloc(*n, sizeof(*keep));
	for (it = clist_begin(res); it != NULL; it = clist_next(it)) {
		uid = 0;
		date = NULL;
		imap_att_scan(clist_content(it), &uid, &size, NULL, &date);
		/* A hostile server may repeat a UID: 'keep' stays in
		 * bounds and duplicates go below. */
		if (k < *n && imap_uid_in(v, *n, uid) &&
		    imap_date_unix(date) >= since)
			keep[k++] = uid;
	}
	mailimap_fetch_list_free(res);
	qsort(keep, k, sizeof(*keep), imap_uid_cmp);
	*n = 0;
	for (size_t i = 0; i < k; i++)
		if (*n == 0 || v[*n - 1] != keep[i])
			v[(*n)++] = keep[i];
	xfree(keep);
	return MS_OK;
}

enum ms_err
imap_uids_since(struct imap *im, int64_t since, uint32_t **uids,
    size_t *n, char *err, size_t errlen)
{
	GDateTime	*dt;
	clist		*res = NULL;
	enum ms_err	 rc;

	*uids = NULL;
	*n = 0;
	rc = imap__begin(im, IMAP_RESPONSE_MAX, "search", err, errlen);
	if (rc != MS_OK)
		return rc;
	/* SEARCH SINCE takes a date in the server's time zone: ask from
	 * the day before and let the INTERNALDATE filter decide. */
	dt = g_date_time_new_from_unix_utc(since > 86400 ? since - 86400 :
	    0);
	if (dt == NULL) {
		imap__seterr(err, errlen, "imap %s: bad time", im->host);
		return MS_EINVAL;
	}
	rc = imap_search(im, mailimap_search_key_new_since(mailimap_date_new(
	    g_date_time_get_day_of_month(dt), g_date_time_get_month(dt),
	    g_date_time_get_year(dt))), &res, err, errlen);
	g_date_time_unref(dt);
	if (rc != MS_OK)
		return rc;
	imap_collect(res, 0, SIZE_MAX, uids, n);
	mailimap_search_result_free(res);
	if (*n > 0)
		rc = imap_since_filter(im, since, *uids, n, err, errlen);
	if (rc != MS_OK || *n == 0) {
		xfree(*uids);
		*uids = NULL;
		*n = 0;
	}
	return rc;
}

/* UID FETCH 'uid' with 'att' (taken); the answer's list or an error. */
static enum ms_err
imap_fetch_one(struct imap *im, uint32_t uid, struct mailimap_fetch_att *att,
    clist **res, char *err, size_t errlen)
{
	struct mailimap_fetch_type	*ft;
	struct mailimap_set		*set;
	int				 r;

	*res = NULL;
	ft = mailimap_fetch_type_new_fetch_att_list_empty();
	mailimap_fetch_type_new_fetch_att_list_add(ft,
	    mailimap_fetch_att_new_uid());
	mailimap_fetch_type_new_fetch_att_list_add(ft, att);
	set = mailimap_set_new_single(uid);
	r = mailimap_uid_fetch(im->s, set, ft, res);
	mailimap_set_free(set);
	mailimap_fetch_type_free(ft);
	if (r == MAILIMAP_NO_ERROR)
		return MS_OK;
	*res = NULL;
	/* A NO to UID FETCH is how some servers say "expunged". */
	return imap__fail(im, r, MS_EAGAIN, "UID FETCH", err, errlen);
}

/* imap_fetch() with the size limit as a parameter. */
static enum ms_err
imap_fetch_limit(struct imap *im, uint32_t uid, size_t limit, char **raw,
    size_t *len, char *err, size_t errlen)
{
	struct mailimap_msg_att_body_section	*body;
	clist					*res = NULL;
	clistiter				*it;
	uint32_t				 got;
	int64_t					 size = -1, ignore;
	enum ms_err				 rc;

	*raw = NULL;
	*len = 0;
	rc = imap__begin(im, IMAP_RESPONSE_MAX, "fetch", err, errlen);
	if (rc != MS_OK)
		return rc;
	rc = imap_fetch_one(im, uid, mailimap_fetch_att_new_rfc822_size(),
	    &res, err, errlen);
	if (rc != MS_OK)
		return rc;
	for (it = clist_begin(res); it != NULL; it = clist_next(it)) {
		got = 0;
		ignore = -1;
		imap_att_scan(clist_content(it), &got, &ignore, NULL, NULL);
		if (got == uid && ignore >= 0)
			size = ignore;
	}
	mailimap_fetch_list_free(res);
	if (size < 0) {
		imap__seterr(err, errlen, "imap %s: message %u is gone",
		    im->host, uid);
		return MS_EAGAIN;
	}
	if ((uint64_t)size > limit) {
		imap__seterr(err, errlen, "imap %s: message %u is %lld bytes, "
		    "over the limit of %zu", im->host, uid, (long long)size,
		    limit);
		return MS_ELIMIT;
	}
	/* The server may lie about the size: the budget holds anyway. */
	imap__budget(im, limit + IMAP_FETCH_SLACK);
	rc = imap_fetch_one(im, uid, mailimap_fetch_att_new_body_peek_section(
	    mailimap_section_new(NULL)), &res, err, errlen);
	if (rc != MS_OK)
		return rc;
	body = NULL;
	for (it = clist_begin(res); it != NULL; it = clist_next(it)) {
		struct mailimap_msg_att_body_section	*b = NULL;

		got = 0;
		imap_att_scan(clist_content(it), &got, &ignore, &b, NULL);
		if (got == uid && b != NULL)
			body = b;
	}
	if (body == NULL || body->sec_body_part == NULL) {
		imap__seterr(err, errlen, "imap %s: message %u is gone",
		    im->host, uid);
		rc = MS_EAGAIN;
	} else if (body->sec_length > limit) {
		imap__seterr(err, errlen, "imap %s: message %u is %zu bytes, "
		    "over the limit of %zu", im->host, uid, body->sec_length,
		    limit);
		rc = MS_ELIMIT;
	} else {
		*raw = xmalloc(body->sec_length + 1);
		memcpy(*raw, body->sec_body_part, body->sec_length);
		(*raw)[body->sec_length] = '\0';
		*len = body->sec_length;
	}
	mailimap_fetch_list_free(res);
	return rc;
}

enum ms_err
imap_fetch(struct imap *im, uint32_t uid, char **raw, size_t *len,
    char *err, size_t errlen)
{
	return imap_fetch_limit(im, uid, LIMIT_MSG_BYTES, raw, len, err,
	    errlen);
}

/* Keyword or system flag, checked: libetpan sends it as a raw atom. */
static struct mailimap_flag *
imap_flag_new(const char *flag)
{
	static const struct {
		const char		*name;
		struct mailimap_flag	*(*make)(void);
	} sys[] = {
		{ "\\Seen", mailimap_flag_new_seen },
		{ "\\Answered", mailimap_flag_new_answered },
		{ "\\Flagged", mailimap_flag_new_flagged },
		{ "\\Deleted", mailimap_flag_new_deleted },
		{ "\\Draft", mailimap_flag_new_draft },
	};
	char	*kw;
	size_t	 i;

	if (flag == NULL)
		return NULL;
	for (i = 0; i < MS_ARRAY_LEN(sys); i++)
		if (g_ascii_strcasecmp(flag, sys[i].name) == 0)
			return sys[i].make();
	for (i = 0; flag[i] != '\0'; i++)
		if (flag[i] <= 0x20 || flag[i] >= 0x7f ||
		    strchr("(){%*\"\\]", flag[i]) != NULL)
			return NULL;
	if (i == 0 || i > IMAP_FLAG_MAX)
		return NULL;
	kw = strdup(flag);	/* libetpan frees it with free(3) */
	if (kw == NULL)
		fatalx("imap: out of memory");
	return mailimap_flag_new_flag_keyword(kw);
}

/* UID STORE +FLAGS.SILENT ('flag') for 'uid'. */
static enum ms_err
imap_store(struct imap *im, uint32_t uid, struct mailimap_flag *f,
    char *err, size_t errlen)
{
	struct mailimap_flag_list	*list;
	struct mailimap_store_att_flags	*sf;
	struct mailimap_set		*set;
	int				 r;

	list = mailimap_flag_list_new_empty();
	if (list == NULL || mailimap_flag_list_add(list, f) !=
	    MAILIMAP_NO_ERROR)
		fatalx("imap: out of memory");
	sf = mailimap_store_att_flags_new_add_flags_silent(list);
	set = mailimap_set_new_single(uid);
	r = mailimap_uid_store(im->s, set, sf);
	mailimap_set_free(set);
	mailimap_store_att_flags_free(sf);
	if (r != MAILIMAP_NO_ERROR)
		return imap__fail(im, r, MS_ENET, "UID STORE", err, errlen);
	return MS_OK;
}

enum ms_err
imap_flag(struct imap *im, uint32_t uid, const char *flag, char *err,
    size_t errlen)
{
	struct mailimap_flag	*f;
	enum ms_err		 rc;

	rc = imap__begin(im, IMAP_RESPONSE_MAX, "flag", err, errlen);
	if (rc != MS_OK)
		return rc;
	f = imap_flag_new(flag);
	if (f == NULL) {
		imap__seterr(err, errlen, "imap %s: bad flag", im->host);
		return MS_EINVAL;
	}
	return imap_store(im, uid, f, err, errlen);
}

enum ms_err
imap_move(struct imap *im, uint32_t uid, const char *folder, char *err,
    size_t errlen)
{
	struct mailimap_set	*set;
	enum ms_err		 rc;
	int			 r;

	rc = imap__begin(im, IMAP_RESPONSE_MAX, "move", err, errlen);
	if (rc == MS_OK)
		rc = imap__check_name(im, folder, err, errlen);
	if (rc != MS_OK)
		return rc;
	set = mailimap_set_new_single(uid);
	if (im->has_move) {
		r = mailimap_uid_move(im->s, set, folder);
		if (r != MAILIMAP_NO_ERROR)
			rc = imap__fail(im, r, MS_EINVAL, "UID MOVE", err,
			    errlen);
		goto out;
	}
	r = mailimap_uid_copy(im->s, set, folder);
	if (r != MAILIMAP_NO_ERROR) {
		rc = imap__fail(im, r, MS_EINVAL, "UID COPY", err, errlen);
		goto out;
	}
	rc = imap_store(im, uid, mailimap_flag_new_deleted(), err, errlen);
	if (rc != MS_OK)
		goto out;
	/* Plain EXPUNGE would also remove what others marked \Deleted:
	 * without UIDPLUS the message stays, marked, for the server's
	 * own expunge. */
	if (!im->has_uidplus)
		goto out;
	r = mailimap_uid_expunge(im->s, set);
	if (r != MAILIMAP_NO_ERROR)
		rc = imap__fail(im, r, MS_ENET, "UID EXPUNGE", err, errlen);
out:
	mailimap_set_free(set);
	return rc;
}

enum ms_err
imap_append(struct imap *im, const char *folder, const char *raw,
    size_t len, uint32_t *uid, char *err, size_t errlen)
{
	uint32_t	validity = 0, got = 0;
	enum ms_err	rc;
	int		r;

	*uid = 0;
	rc = imap__begin(im, IMAP_RESPONSE_MAX, "append", err, errlen);
	if (rc == MS_OK)
		rc = imap__check_name(im, folder, err, errlen);
	if (rc != MS_OK)
		return rc;
	r = mailimap_uidplus_append(im->s, folder, NULL, NULL, raw, len,
	    &validity, &got);
	if (r != MAILIMAP_NO_ERROR)
		return imap__fail(im, r, MS_EINVAL, "APPEND", err, errlen);
	*uid = got;
	return MS_OK;
}
