/* SPDX-License-Identifier: Apache-2.0 */
/*
 * intel_feed_jsonl.c -- feeds of one JSON object per line, such as
 * Spamhaus' drop_v4.json / asndrop.json ({"cidr": "1.10.16.0/20",
 * "sblid": "SBL256894", ...}, then a {"type": "metadata"} line).  Each
 * line is parsed alone (at most INTEL_FEED_MAX_LINE bytes), and the
 * value taken from the first member with a known name.  Trusts nothing:
 * a line that is no object or holds no indicator is skipped and counted.
 */
#include <stdio.h>
#include <string.h>

#include <glib.h>

#include "intel_feed_int.h"

/* Members that hold the indicator, best first. */
/* Members that hold the indicator, best first.  "asn" comes before the
 * names: Spamhaus' asndrop.json gives each AS's "domain" as context. */
static const char *const value_keys[] = {
	"cidr", "ip", "ipv4", "ipv6", "asn", "url", "domain", "hostname",
	"host", "indicator", "ioc", "value", "sha256", "sha1", "md5", "hash",
	"email",
};

static const char *const desc_keys[] = {
	"sblid", "description", "comment", "asname", "name",
};

int
intel_feed__is_jsonl(const char *buf, size_t len)
{
	const char	*nl = memchr(buf, '\n', len);
	json_t		*o;
	size_t		 i;
	int		 ok;

	if (nl == NULL || (size_t)(nl - buf) > INTEL_FEED_MAX_LINE)
		return 0;
	/* A first line that is a whole object, and another after it. */
	for (i = (size_t)(nl - buf) + 1; i < len && g_ascii_isspace(buf[i]);
	    i++)
		;
	if (i >= len || buf[i] != '{')
		return 0;
	o = json_loadb(buf, (size_t)(nl - buf), 0, NULL);
	ok = json_is_object(o);
	json_decref(o);
	return ok;
}

/* The indicator of one line's object into 'v' (INTEL_FEED_MAX_VALUE+1
 * bytes).  Returns its length, 0 if none. */
static size_t
value_of(const json_t *o, char *v, enum intel_kind *k)
{
	const json_t	*m;
	const char	*s;
	size_t		 i, n;
	int		 w;

	for (i = 0; i < MS_ARRAY_LEN(value_keys); i++) {
		m = json_object_get(o, value_keys[i]);
		if (json_is_integer(m) && strcmp(value_keys[i], "asn") == 0)
			w = snprintf(v, INTEL_FEED_MAX_VALUE + 1, "AS%lld",
			    (long long)json_integer_value(m));
		else if ((s = json_string_value(m)) != NULL)
			w = snprintf(v, INTEL_FEED_MAX_VALUE + 1, "%s%s",
			    strcmp(value_keys[i], "asn") == 0 &&
			    g_ascii_isdigit(*s) ? "AS" : "", s);
		else
			continue;
		if (w <= 0 || w > INTEL_FEED_MAX_VALUE)
			continue;
		n = (size_t)w;
		if (intel_feed__classify(v, n, k))
			return n;
	}
	return 0;
}

static int
line(struct intel_feed__ctx *c, const json_t *o, char *v)
{
	struct intel_indicator	 ind;
	const char		*tags[INTEL_FEED_MAX_TAGS];
	const json_t		*t;
	const char		*s;
	enum intel_kind		 k;
	size_t			 i;

	if (value_of(o, v, &k) == 0)
		return 0;
	intel_feed__ind_init(&ind);
	ind.kind = k;
	ind.value = v;
	ind.tags = tags;
	for (i = 0; i < MS_ARRAY_LEN(desc_keys) && ind.description == NULL;
	    i++)
		ind.description = json_string_value(json_object_get(o,
		    desc_keys[i]));
	s = json_string_value(json_object_get(o, "first_seen"));
	ind.first_seen = s != NULL ? intel_feed__time(s, strlen(s)) : 0;
	s = json_string_value(json_object_get(o, "last_seen"));
	ind.last_seen = s != NULL ? intel_feed__time(s, strlen(s)) : 0;
	t = json_object_get(o, "tags");
	for (i = 0; i < json_array_size(t) && ind.ntags <
	    INTEL_FEED_MAX_TAGS; i++)
		if ((s = json_string_value(json_array_get(t, i))) != NULL)
			tags[ind.ntags++] = s;
	(void)intel_feed__emit(c, &ind);
	return 1;
}

enum ms_err
intel_feed__jsonl(struct intel_feed__ctx *c, const char *buf, size_t len)
{
	const char	*p = buf, *end = buf + len, *nl;
	char		*v = g_malloc(INTEL_FEED_MAX_VALUE + 1);
	json_t		*o;
	size_t		 lineno = 0, data = 0, firstbad = 0, n;
	enum ms_err	 rc = MS_OK;

	g_strlcpy(c->rep->format, "jsonl", sizeof(c->rep->format));
	for (; p < end && !c->stopped; p = nl + 1) {
		nl = memchr(p, '\n', (size_t)(end - p));
		if (nl == NULL)
			nl = end;
		lineno++;
		n = (size_t)(nl - p);
		while (n > 0 && g_ascii_isspace(p[n - 1]))
			n--;
		if (n == 0)
			continue;
		data++;
		o = n <= INTEL_FEED_MAX_LINE ? json_loadb(p, n, 0, NULL) : NULL;
		if (g_strcmp0(json_string_value(json_object_get(o, "type")),
		    "metadata") == 0)
			data--;		/* Spamhaus' trailer */
		else if (!json_is_object(o) || !line(c, o, v)) {
			c->rep->skipped++;
			if (firstbad == 0)
				firstbad = lineno;
		}
		json_decref(o);
	}
	if (data > 0 && c->rep->indicators == 0 && !c->stopped)
		rc = intel_feed__fail(c, MS_EPARSE, firstbad, "no indicator "
		    "in %zu JSON line%s", data, data == 1 ? "" : "s");
	g_free(v);
	return rc;
}
