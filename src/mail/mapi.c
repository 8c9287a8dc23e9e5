/* SPDX-License-Identifier: Apache-2.0 */
/*
 * mapi.c -- MAPI property values as the TNEF (tnef.c) and Outlook .msg
 * (msg.c) readers both find them: 8-bit strings in a Windows code page
 * and UTF-16LE strings turned into UTF-8, FILETIME dates, Message-IDs,
 * MIME tags, and the addresses of senders and recipients.  It runs in the
 * analysis worker on UNTRUSTED bytes; every result is allocated in the
 * caller's arena, and nothing here keeps state between calls.
 */
#include <string.h>
#include <time.h>

#include <glib.h>

#include "mail_int.h"

/* Seconds from 1601-01-01 (FILETIME's epoch) to 1970-01-01. */
#define FILETIME_UNIX_EPOCH	11644473600ull

/* See mail_int.h. */
uint32_t
mail__mapi_le32(const unsigned char *p)
{
	return (uint32_t)p[0] | (uint32_t)p[1] << 8 | (uint32_t)p[2] << 16 |
	    (uint32_t)p[3] << 24;
}

/* See mail_int.h. */
uint64_t
mail__mapi_le64(const unsigned char *p)
{
	return (uint64_t)mail__mapi_le32(p) |
	    (uint64_t)mail__mapi_le32(p + 4) << 32;
}

/*
 * The iconv name of Windows code page 'cp' in 'buf', or NULL for UTF-8
 * (65001) and unset (0).  Unknown pages map to "CPnnn", which iconv may
 * refuse; callers then fall back to replacing invalid bytes.
 */
static const char *
mapi_charset(uint32_t cp, char *buf, size_t bufsz)
{
	static const struct {
		uint32_t	 cp;
		const char	*name;
	} map[] = {
		{ 10000, "MACINTOSH" }, { 20127, "ASCII" },
		{ 20866, "KOI8-R" }, { 21866, "KOI8-U" },
		{ 50220, "ISO-2022-JP" }, { 50221, "ISO-2022-JP" },
		{ 50222, "ISO-2022-JP" }, { 51932, "EUC-JP" },
		{ 51949, "EUC-KR" }, { 52936, "HZ-GB-2312" },
		{ 54936, "GB18030" },
	};
	size_t	i;

	if (cp == 0 || cp == 65001)
		return NULL;
	for (i = 0; i < MS_ARRAY_LEN(map); i++)
		if (map[i].cp == cp)
			return map[i].name;
	if (cp >= 28591 && cp <= 28606)
		g_snprintf(buf, bufsz, "ISO-8859-%u", (unsigned)(cp - 28590));
	else
		g_snprintf(buf, bufsz, "CP%u", (unsigned)cp);
	return buf;
}

/*
 * See mail_int.h.  Valid UTF-8 is kept as it is, whatever the code page
 * says: writers label UTF-8 text with their ANSI page often enough.
 */
char *
mail__mapi_str8(struct arena *a, uint32_t cpid, const unsigned char *p,
    size_t n)
{
	const unsigned char	*nul = memchr(p, '\0', n);
	const char		*cs;
	char			 csbuf[16], *u = NULL, *out;
	gsize			 ulen = 0;

	if (nul != NULL)
		n = (size_t)(nul - p);
	if (g_utf8_validate((const char *)p, (gssize)n, NULL))
		return arena_strndup(a, (const char *)p, n);
	cs = mapi_charset(cpid, csbuf, sizeof(csbuf));
	if (cs != NULL)
		u = g_convert((const char *)p, (gssize)n, "UTF-8", cs, NULL,
		    &ulen, NULL);
	if (u == NULL) {
		u = g_utf8_make_valid((const char *)p, (gssize)n);
		ulen = strlen(u);
	}
	out = arena_strndup(a, u, ulen);
	g_free(u);
	return out;
}

/*
 * See mail_int.h.  The units are copied out first because 'p' may be
 * unaligned; lone surrogates are repaired there, since g_utf16_to_utf8()
 * would refuse the whole string for one of them.
 */
char *
mail__mapi_utf16(struct arena *a, const unsigned char *p, size_t n)
{
	gunichar2	*w;
	char		*u, *out;
	size_t		 i, nw = n / 2;
	glong		 ulen = 0;

	w = g_new(gunichar2, nw + 1);
	for (i = 0; i < nw; i++) {
		w[i] = (gunichar2)(p[2 * i] | p[2 * i + 1] << 8);
		if (w[i] == 0)
			break;
	}
	nw = i;
	for (i = 0; i < nw; i++) {
		if (w[i] >= 0xd800 && w[i] <= 0xdbff && i + 1 < nw &&
		    w[i + 1] >= 0xdc00 && w[i + 1] <= 0xdfff)
			i++;
		else if (w[i] >= 0xd800 && w[i] <= 0xdfff)
			w[i] = 0xfffd;
	}
	u = g_utf16_to_utf8(w, (glong)nw, NULL, &ulen, NULL);
	g_free(w);
	if (u == NULL)
		return arena_strdup(a, "");
	out = arena_strndup(a, u, (size_t)ulen);
	g_free(u);
	return out;
}

/*
 * Move '*s' past its leading ASCII white space and return its length
 * without the trailing white space.
 */
static size_t
mapi_trim(const char **s)
{
	size_t	n;

	while (g_ascii_isspace(**s))
		(*s)++;
	n = strlen(*s);
	while (n > 0 && g_ascii_isspace((*s)[n - 1]))
		n--;
	return n;
}

/* See mail_int.h. */
const char *
mail__mapi_msgid(struct arena *a, const char *id)
{
	size_t	n;

	if (id == NULL)
		return NULL;
	n = mapi_trim(&id);
	if (n >= 2 && id[0] == '<' && id[n - 1] == '>')
		return arena_strndup(a, id + 1, n - 2);
	return n > 0 ? arena_strndup(a, id, n) : NULL;
}

/*
 * See mail_int.h.  The names of days and months are spelled out here
 * rather than taken from strftime(), whose %a and %b follow the locale.
 */
enum ms_err
mail__mapi_date(struct arena *a, struct mail_email *e, uint64_t ft)
{
	static const char	 days[7][4] = { "Sun", "Mon", "Tue", "Wed",
				    "Thu", "Fri", "Sat" };
	static const char	 months[12][4] = { "Jan", "Feb", "Mar", "Apr",
				    "May", "Jun", "Jul", "Aug", "Sep", "Oct",
				    "Nov", "Dec" };
	struct tm		 tm;
	time_t			 t;

	/* 100 ns ticks since 1601-01-01. */
	if (e->date != NULL || ft / 10000000 < FILETIME_UNIX_EPOCH)
		return MS_OK;
	t = (time_t)(ft / 10000000 - FILETIME_UNIX_EPOCH);
	if (gmtime_r(&t, &tm) == NULL || tm.tm_year > 9999 - 1900)
		return MS_OK;
	e->date_ts = (int64_t)t;
	e->date = arena_printf(a, "%s, %02d %s %04d %02d:%02d:%02d +0000",
	    days[tm.tm_wday % 7], tm.tm_mday, months[tm.tm_mon % 12],
	    tm.tm_year + 1900, tm.tm_hour, tm.tm_min, tm.tm_sec);
	return e->date == NULL ? MS_ELIMIT : MS_OK;
}

/*
 * See mail_int.h.  The e-mail address property holds an Exchange
 * "/O=.../CN=..." name for directory users, which is no address; it is
 * only taken when it has an '@'.
 */
enum ms_err
mail__mapi_addr(struct arena *a, const struct mail__mapi_who *w,
    struct mail_addr **out)
{
	const char	*name = w->name, *addr = w->smtp;

	*out = NULL;
	if (addr == NULL || *addr == '\0')
		addr = w->email != NULL && strchr(w->email, '@') != NULL ?
		    w->email : NULL;
	if (name != NULL && *name == '\0')
		name = NULL;
	if (addr == NULL && name == NULL)
		return MS_OK;
	if ((*out = arena_alloc(a, sizeof(**out))) == NULL)
		return MS_ELIMIT;
	(*out)->name = name;
	(*out)->addr = addr;
	return MS_OK;
}

/*
 * See mail_int.h.  "Sent representing" is who the message is from; the
 * sender differs from it only when a delegate sent on someone's behalf,
 * which is what the Sender: header says in RFC 5322.
 */
enum ms_err
mail__mapi_senders(struct arena *a, struct mail_email *e,
    const struct mail__mapi_who *sender, const struct mail__mapi_who *repr)
{
	struct mail_addr	*s, *r;

	if (e->from != NULL)
		return MS_OK;
	if (mail__mapi_addr(a, sender, &s) != MS_OK ||
	    mail__mapi_addr(a, repr, &r) != MS_OK)
		return MS_ELIMIT;
	e->from = r != NULL ? r : s;
	if (r != NULL && s != NULL && s->addr != NULL && r->addr != NULL &&
	    g_ascii_strcasecmp(s->addr, r->addr) != 0)
		e->sender = s;
	return e->from != NULL ? arena_vec_push(a, &e->from_all, e->from) :
	    MS_OK;
}

/* See mail_int.h. */
enum ms_err
mail__mapi_mime(struct arena *a, const char *tag, const char **out)
{
	char	*m;
	size_t	 i, n;

	*out = NULL;
	if (tag == NULL)
		return MS_OK;
	if ((n = mapi_trim(&tag)) == 0)
		return MS_OK;
	if ((m = arena_strndup(a, tag, n)) == NULL)
		return MS_ELIMIT;
	for (i = 0; i < n; i++)
		m[i] = g_ascii_tolower(m[i]);
	*out = m;
	return MS_OK;
}

/* See mail_int.h. */
const char *
mail__mapi_pick(const char *a, const char *b, const char *c)
{
	if (a != NULL && *a != '\0')
		return a;
	if (b != NULL && *b != '\0')
		return b;
	if (c != NULL && *c != '\0')
		return c;
	return NULL;
}
