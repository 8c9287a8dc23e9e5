/* SPDX-License-Identifier: Apache-2.0 */
/*
 * intel_feed_list.c -- plain lists and CSV files of indicators: one per
 * line, '#' and ';' comments, hosts files ("0.0.0.0 name"), Spamhaus
 * DROP ("CIDR ; SBLnnn"), DShield's block.txt (start, end, netblock
 * columns), and CSV with or without a header row (URLhaus, PhishTank,
 * Bambenek, Team Cymru, urlhaus-filter's Splunk lookup).  The layout is
 * decided once per file, from the first data line and the comment just
 * before it; then each line is split in one pass over the mapped file,
 * into one scratch buffer, with no allocation per line.  Trusts nothing:
 * over-long lines, NUL bytes and values that are no indicator are
 * skipped and counted.
 */
#include <stdio.h>
#include <string.h>

#include <glib.h>

#include "intel_feed_int.h"

/* What a CSV column holds, from its header name. */
enum role {
	ROLE_NONE,
	ROLE_FIRST,	/* first seen, added */
	ROLE_LAST,	/* last seen, last online */
	ROLE_TAGS,	/* a comma-separated list of tags */
	ROLE_TAG,	/* one tag (URLhaus "threat", Cymru "report") */
	ROLE_DESC,
	ROLE_MALWARE,	/* a malware family: an attribution */
	ROLE_START,	/* DShield: first address of a block */
	ROLE_NETBLOCK,	/* DShield: its prefix length */
	ROLE_PATH,	/* urlhaus-filter Splunk: the URL's path */
};

struct names {
	const char	*name;
	int		 role;
};

/* Header names of the column that holds the indicator, best first. */
static const char *const value_names[] = {
	"url", "ioc", "indicator", "ip", "ip_address", "ipaddress", "dst_ip",
	"src_ip", "address", "domain", "hostname", "host", "sha256",
	"sha256_hash", "sha1", "sha1_hash", "md5", "md5_hash", "hash",
	"email", "value",
};

static const struct names role_names[] = {
	{ "dateadded", ROLE_FIRST }, { "date_added", ROLE_FIRST },
	{ "first_seen", ROLE_FIRST }, { "firstseen", ROLE_FIRST },
	{ "first_seen_utc", ROLE_FIRST }, { "submission_time", ROLE_FIRST },
	{ "date", ROLE_FIRST }, { "added", ROLE_FIRST },
	{ "last_online", ROLE_LAST }, { "last_seen", ROLE_LAST },
	{ "lastseen", ROLE_LAST }, { "last_seen_utc", ROLE_LAST },
	{ "timestamp", ROLE_LAST }, { "updated", ROLE_LAST },
	{ "tags", ROLE_TAGS },
	{ "threat", ROLE_TAG }, { "report", ROLE_TAG }, { "target", ROLE_TAG },
	{ "category", ROLE_TAG },
	{ "description", ROLE_DESC }, { "comment", ROLE_DESC },
	{ "comments", ROLE_DESC }, { "message", ROLE_DESC },
	{ "reason", ROLE_DESC }, { "info", ROLE_DESC },
	{ "malware", ROLE_MALWARE }, { "malware_family", ROLE_MALWARE },
	{ "family", ROLE_MALWARE }, { "botname", ROLE_TAG },
	{ "signature", ROLE_MALWARE }, { "malware_printable", ROLE_MALWARE },
	{ "start", ROLE_START }, { "netblock", ROLE_NETBLOCK },
	{ "path", ROLE_PATH },
};

struct list {
	struct intel_feed__ctx	*c;
	int			 setup;	/* layout decided */
	char			 delim;	/* 0: a list split on white space */
	int			 header;	/* columns named by a header */
	int			 vcol;	/* the value's column, -1: search */
	int			 vdomain;	/* that column is "domain" */
	int			 role[INTEL_FEED_MAX_FIELDS];
	int			 start, netblock, path;	/* columns or -1 */
	const char		*comment;	/* last comment before data */
	size_t			 commentlen;
	size_t			 lineno;
	size_t			 data;	/* data lines seen */
	size_t			 firstbad;	/* its line number */
	char			*scratch;	/* one line's fields */
	char			*vbuf;	/* a value built from columns */
	char			*fields[INTEL_FEED_MAX_FIELDS];
	size_t			 nf;
};

/*
 * Split 's' ('n' bytes) on 'delim' into l->fields, copies in l->scratch.
 * A field may be double-quoted, with "" for a quote inside; white space
 * around unquoted fields goes.  The last field takes what is left when
 * there are more than INTEL_FEED_MAX_FIELDS.
 */
/*
 * Copy a quoted field's text from s[i] (just past the opening quote) to
 * *o, "" as one quote, in runs found by memchr: the CSV loop is the hot
 * path of a million-line feed.  Returns the index of the closing quote,
 * or 'n' when there is none.
 */
static size_t
quoted(const char *s, size_t n, size_t i, char **o)
{
	const char	*q;
	size_t		 k;

	for (;;) {
		q = memchr(s + i, '"', n - i);
		k = (q != NULL ? (size_t)(q - s) : n) - i;
		memcpy(*o, s + i, k);
		*o += k;
		i += k;
		if (q == NULL || i + 1 >= n || s[i + 1] != '"')
			return i;
		*(*o)++ = '"';
		i += 2;
	}
}

static void
split(struct list *l, const char *s, size_t n, char delim)
{
	const char	*q;
	char		*o = l->scratch;
	size_t		 i = 0, k;

	l->nf = 0;
	while (l->nf < INTEL_FEED_MAX_FIELDS) {
		char	*f;
		int	 last = l->nf + 1 == INTEL_FEED_MAX_FIELDS;

		while (i < n && (s[i] == ' ' || s[i] == '\t') && s[i] != delim)
			i++;
		f = o;
		if (i < n && s[i] == '"') {
			i = quoted(s, n, i + 1, &o);
			q = memchr(s + i, delim, n - i);
			i = q != NULL ? (size_t)(q - s) : n;
		} else {
			q = last ? NULL : memchr(s + i, delim, n - i);
			k = (q != NULL ? (size_t)(q - s) : n) - i;
			memcpy(o, s + i, k);
			o += k;
			i += k;
			while (o > f && (o[-1] == ' ' || o[-1] == '\t'))
				o--;
		}
		*o++ = '\0';
		l->fields[l->nf++] = f;
		if (i >= n)
			break;
		i++;	/* the delimiter */
	}
}

/* Lower-case a header name in place and cut "(UTC)" and the like. */
static void
norm_name(char *f)
{
	char	*p;

	for (p = f; *p != '\0'; p++) {
		if (*p == '(') {
			*p = '\0';
			break;
		}
		*p = g_ascii_tolower(*p);
		if (*p == ' ' || *p == '-')
			*p = '_';
	}
	while (p > f && p[-1] == '_')
		*--p = '\0';
}

static int
value_rank(const char *f)
{
	size_t	i;

	for (i = 0; i < MS_ARRAY_LEN(value_names); i++)
		if (strcmp(f, value_names[i]) == 0)
			return (int)i;
	return -1;
}

static int
role_of(const char *f)
{
	size_t	i;

	for (i = 0; i < MS_ARRAY_LEN(role_names); i++)
		if (strcmp(f, role_names[i].name) == 0)
			return role_names[i].role;
	return ROLE_NONE;
}

/*
 * Is the split line a header?  Two columns or more, none of them an
 * indicator, one of them a name we know.  If so, take the columns.
 */
static int
take_header(struct list *l)
{
	enum intel_kind	k;
	size_t		i;
	int		known = 0, best = -1, r;

	if (l->nf < 2)
		return 0;
	for (i = 0; i < l->nf; i++)
		if (intel_feed__classify(l->fields[i], strlen(l->fields[i]),
		    &k))
			return 0;
	for (i = 0; i < l->nf; i++) {
		norm_name(l->fields[i]);
		if (value_rank(l->fields[i]) >= 0 ||
		    role_of(l->fields[i]) != ROLE_NONE)
			known = 1;
	}
	if (!known)
		return 0;
	l->header = 1;
	for (i = 0; i < l->nf; i++) {
		r = value_rank(l->fields[i]);
		if (r >= 0 && (best < 0 || r < best)) {
			best = r;
			l->vcol = (int)i;
		}
		l->role[i] = role_of(l->fields[i]);
		if (l->role[i] == ROLE_START)
			l->start = (int)i;
		else if (l->role[i] == ROLE_NETBLOCK)
			l->netblock = (int)i;
		else if (l->role[i] == ROLE_PATH)
			l->path = (int)i;
	}
	if (l->vcol >= 0 && strcmp(l->fields[l->vcol], "domain") == 0)
		l->vdomain = 1;
	/* DShield: the block's start and prefix length make the value,
	 * whatever else the header names (its contact "email"). */
	if (l->start >= 0 && l->netblock >= 0) {
		l->vcol = l->start;
		l->vdomain = 0;
	}
	return 1;
}

static int
any_indicator(struct list *l)
{
	enum intel_kind	k;
	size_t		i;

	for (i = 0; i < l->nf; i++)
		if (intel_feed__classify(l->fields[i], strlen(l->fields[i]),
		    &k))
			return 1;
	return 0;
}

/*
 * A MISP feed's hashes.csv: "md5(value),event-uuid" per attribute.  Its
 * digests are of attribute values (a domain, a URL), not of files, so
 * they must not become file hashes.
 */
static int
misp_hashes(struct list *l)
{
	const char	*u;
	size_t		 i;

	if (l->delim != ',' || l->nf != 2 || strlen(l->fields[0]) != 32 ||
	    strlen(l->fields[1]) != 36)
		return 0;
	for (u = l->fields[1], i = 0; i < 36; i++)
		if (!g_ascii_isxdigit(u[i]) && u[i] != '-')
			return 0;
	return 1;
}

/* "url,date,...": a URL whose commas are columns, one of them a date. */
static int
url_then_date(struct list *l, const char *s, size_t n)
{
	size_t	i;

	if (memchr(s, ',', n) == NULL)
		return 0;
	split(l, s, n, ',');
	for (i = 1; i < l->nf; i++)
		if (intel_feed__time(l->fields[i], strlen(l->fields[i])) != 0)
			return 1;
	return 0;
}

/*
 * Decide the layout from the first data line 's' and the comment before
 * it.  Returns 1 when 's' is a header row (no data), -1 when the file is
 * no feed of ours.
 */
static int
setup(struct list *l, const char *s, size_t n)
{
	static const char	delims[] = { ',', '\t', ';', '|' };
	enum intel_kind		k;
	const char		*h;
	size_t			i, hn, nf;

	l->setup = 1;
	/* A whole line that is one indicator (a URL with commas in it, a
	 * bare address) makes a list, not a CSV -- unless it is a URL
	 * followed by a date column ("http://x/a,2024-05-01,..."). */
	if (memchr(s, ' ', n) == NULL && memchr(s, '\t', n) == NULL &&
	    intel_feed__classify(s, n, &k) && !url_then_date(l, s, n))
		return 0;
	for (i = 0; i < sizeof(delims); i++) {
		if (memchr(s, delims[i], n) == NULL)
			continue;
		split(l, s, n, delims[i]);
		if (l->nf < 2)
			continue;
		if (take_header(l)) {
			l->delim = delims[i];
			return 1;
		}
		if (!any_indicator(l))
			continue;
		l->delim = delims[i];
		break;
	}
	if (misp_hashes(l))
		return -1;
	if (l->delim == 0 || l->comment == NULL)
		return 0;
	/* A header in the last comment: "# id,dateadded,url,..." (URLhaus),
	 * "# Format: report|ip|asn|..." (Team Cymru), "; ip, asn, ...". */
	nf = l->nf;
	h = l->comment;
	hn = l->commentlen;
	while (hn > 0 && (*h == '#' || *h == ';' || *h == '/' || *h == ' ' ||
	    *h == '\t')) {
		h++;
		hn--;
	}
	if (hn > 7 && g_ascii_strncasecmp(h, "format:", 7) == 0) {
		h += 7;
		hn -= 7;
	}
	split(l, h, hn, l->delim);
	if (l->nf == nf)
		(void)take_header(l);
	return 0;
}

/* Bambenek's descriptions: "Domain used by shiotob/urlzone/bebloh C&C",
 * "... used by Cryptolocker - Flashback DGA for 10 Nov 2016". */
static int
used_by(const char *d, char *out, size_t outlen)
{
	const char	*p = strstr(d, " used by ");
	size_t		 n;

	if (p == NULL)
		return 0;
	p += 9;
	n = strcspn(p, "(,;");
	if (strstr(p, " - ") != NULL && (size_t)(strstr(p, " - ") - p) < n)
		n = (size_t)(strstr(p, " - ") - p);
	if (n >= 4 && strncmp(p + n - 4, " C&C", 4) == 0)
		n -= 4;
	while (n > 0 && p[n - 1] == ' ')
		n--;
	if (n == 0 || n >= outlen)
		return 0;
	memcpy(out, p, n);
	out[n] = '\0';
	return 1;
}

/* Split a tags field ("elf,mozi") in place onto 'tags'. */
static void
add_tags(char *f, const char **tags, size_t *ntags)
{
	char	*p = f, *e;

	while (*p != '\0' && *ntags < INTEL_FEED_MAX_TAGS) {
		e = strchr(p, ',');
		if (e != NULL)
			*e = '\0';
		while (*p == ' ')
			p++;
		if (*p != '\0' && strcmp(p, "None") != 0)
			tags[(*ntags)++] = p;
		if (e == NULL)
			break;
		p = e + 1;
	}
}

/* The extra columns of a headed CSV. */
static void
columns_named(struct list *l, struct intel_indicator *ind, const char **tags,
    struct intel_attrib *at)
{
	size_t	i;
	char	*f;

	for (i = 0; i < l->nf && i < INTEL_FEED_MAX_FIELDS; i++) {
		f = l->fields[i];
		if ((int)i == l->vcol || *f == '\0')
			continue;
		switch (l->role[i]) {
		case ROLE_FIRST:
			ind->first_seen = intel_feed__time(f, strlen(f));
			break;
		case ROLE_LAST:
			ind->last_seen = intel_feed__time(f, strlen(f));
			break;
		case ROLE_TAGS:
			add_tags(f, tags, &ind->ntags);
			break;
		case ROLE_TAG:
			if (ind->ntags < INTEL_FEED_MAX_TAGS)
				tags[ind->ntags++] = f;
			break;
		case ROLE_DESC:
			if (ind->description == NULL)
				ind->description = f;
			break;
		case ROLE_MALWARE:
			if (ind->nattrib == 0 && strcmp(f, "-") != 0) {
				at->type = "malware";
				at->name = f;
				ind->nattrib = 1;
			}
			break;
		default:
			break;
		}
	}
}

/* The extra columns of a CSV without header: a date, a description, and
 * the malware a description names. */
static void
columns_guessed(struct list *l, int vcol, struct intel_indicator *ind,
    struct intel_attrib *at, char *mw, size_t mwlen)
{
	enum intel_kind	k;
	size_t		i;
	int64_t		t;
	char		*f;

	for (i = 0; i < l->nf; i++) {
		f = l->fields[i];
		if ((int)i == vcol || *f == '\0')
			continue;
		t = intel_feed__time(f, strlen(f));
		if (t != 0) {
			if (ind->first_seen == 0)
				ind->first_seen = t;
			continue;
		}
		if (ind->description != NULL ||
		    intel_feed__classify(f, strlen(f), &k))
			continue;
		ind->description = f;
		if (used_by(f, mw, mwlen)) {
			at->type = "malware";
			at->name = mw;
			ind->nattrib = 1;
		}
	}
}

/* The value of a headed CSV line, built from two columns where the feed
 * splits it.  NULL when the line has none. */
static const char *
named_value(struct list *l)
{
	const char	*v, *p;

	if (l->vcol < 0 || (size_t)l->vcol >= l->nf)
		return NULL;
	v = l->fields[l->vcol];
	/* DShield: "43.229.53.0  43.229.53.255  24" is 43.229.53.0/24. */
	if (l->vcol == l->start && l->netblock >= 0 &&
	    (size_t)l->netblock < l->nf) {
		if (snprintf(l->vbuf, INTEL_FEED_MAX_LINE, "%s/%s", v,
		    l->fields[l->netblock]) >= (int)INTEL_FEED_MAX_LINE)
			return NULL;
		return l->vbuf;
	}
	/* urlhaus-filter's Splunk lookup: "host","path".  The scheme is not
	 * in the feed; http is a guess the store's URL matching forgives
	 * (it compares host and path). */
	if (l->path >= 0 && (size_t)l->path < l->nf) {
		p = l->fields[l->path];
		if (*p == '\0')
			return v;
		if (snprintf(l->vbuf, INTEL_FEED_MAX_LINE, "http://%s%s%s", v,
		    *p == '/' ? "" : "/", p) >= (int)INTEL_FEED_MAX_LINE)
			return NULL;
		return l->vbuf;
	}
	return v;
}

static int
csv_line(struct list *l, const char *s, size_t n)
{
	struct intel_indicator	 ind;
	struct intel_attrib	 at;
	const char		*tags[INTEL_FEED_MAX_TAGS];
	const char		*v = NULL;
	char			 mw[128];
	enum intel_kind		 k;
	size_t			 i;
	int			 vcol = -1;

	split(l, s, n, l->delim);
	if (l->vcol >= 0) {
		v = named_value(l);
		vcol = l->vcol;
		if (v == NULL || !intel_feed__classify(v, strlen(v), &k))
			return 0;
	} else {
		for (i = 0; i < l->nf && v == NULL; i++)
			if (intel_feed__classify(l->fields[i],
			    strlen(l->fields[i]), &k)) {
				v = l->fields[i];
				vcol = (int)i;
			}
		if (v == NULL)
			return 0;
	}
	intel_feed__ind_init(&ind);
	ind.kind = k;
	ind.value = v;
	ind.tags = tags;
	ind.attrib = &at;
	if (l->header)
		columns_named(l, &ind, tags, &at);
	else
		columns_guessed(l, vcol, &ind, &at, mw, sizeof(mw));
	/* A domain blocklist: the "domain" column of a CSV, or the first
	 * column of one without header (Bambenek's masterlists). */
	if (k == INTEL_DOMAIN && (l->vdomain || (!l->header && vcol == 0)))
		ind.subdomains = 1;
	(void)intel_feed__emit(l->c, &ind);
	return 1;
}

/* Sink addresses that start a hosts-file line. */
static int
is_sink_addr(const char *s, size_t n)
{
	return (n == 7 && memcmp(s, "0.0.0.0", 7) == 0) ||
	    (n == 9 && memcmp(s, "127.0.0.1", 9) == 0) ||
	    (n == 2 && memcmp(s, "::", 2) == 0) ||
	    (n == 3 && memcmp(s, "::1", 3) == 0);
}

static int
list_line(struct list *l, const char *s, size_t n)
{
	struct intel_indicator	 ind;
	enum intel_kind		 k;
	size_t			 a, b, c;
	int			 hosts = 0;

	for (a = 0; a < n && s[a] != ' ' && s[a] != '\t'; a++)
		;
	if (is_sink_addr(s, a)) {
		for (b = a; b < n && (s[b] == ' ' || s[b] == '\t'); b++)
			;
		for (c = b; c < n && s[c] != ' ' && s[c] != '\t'; c++)
			;
		/* A sink address alone (a hosts file's blank entry) is no
		 * indicator of anything. */
		if (c == b || s[b] == '#')
			return 0;
		s += b;
		a = c - b;
		hosts = 1;
	}
	if (!intel_feed__classify(s, a, &k))
		return 0;
	memcpy(l->vbuf, s, a);
	l->vbuf[a] = '\0';
	intel_feed__ind_init(&ind);
	ind.kind = k;
	ind.value = l->vbuf;
	/* A list of names blocks them and what is under them; a hosts file
	 * can only name hosts. */
	ind.subdomains = k == INTEL_DOMAIN && !hosts;
	(void)intel_feed__emit(l->c, &ind);
	return 1;
}

static int
is_space(char ch)
{
	return ch == ' ' || ch == '\t' || ch == '\r' || ch == '\v' ||
	    ch == '\f';
}

enum ms_err
intel_feed__list(struct intel_feed__ctx *c, const char *buf, size_t len)
{
	struct list	 l;
	const char	*p = buf, *end = buf + len, *nl, *s;
	size_t		 n;
	int		 ok, hdr;
	enum ms_err	 rc = MS_OK;

	memset(&l, 0, sizeof(l));
	l.c = c;
	l.vcol = l.start = l.netblock = l.path = -1;
	l.scratch = g_malloc(INTEL_FEED_MAX_LINE + INTEL_FEED_MAX_FIELDS + 1);
	l.vbuf = g_malloc(INTEL_FEED_MAX_LINE + 1);
	if (len >= 3 && memcmp(buf, "\xef\xbb\xbf", 3) == 0)
		p += 3;		/* a UTF-8 byte order mark */
	for (; p < end && !c->stopped; p = nl + 1) {
		nl = memchr(p, '\n', (size_t)(end - p));
		if (nl == NULL)
			nl = end;
		l.lineno++;
		s = p;
		n = (size_t)(nl - p);
		while (n > 0 && is_space(*s)) {
			s++;
			n--;
		}
		while (n > 0 && is_space(s[n - 1]))
			n--;
		if (n == 0)
			continue;
		if (*s == '#' || *s == ';' || (n > 1 && s[0] == '/' &&
		    s[1] == '/')) {
			if (!l.setup && n <= INTEL_FEED_MAX_LINE) {
				l.comment = s;
				l.commentlen = n;
			}
			continue;
		}
		l.data++;
		if (n > INTEL_FEED_MAX_LINE || memchr(s, '\0', n) != NULL)
			ok = 0;
		else if (!l.setup && (hdr = setup(&l, s, n)) != 0) {
			if (hdr < 0) {
				rc = intel_feed__fail(c, MS_EPARSE, l.lineno,
				    "a MISP feed's hashes.csv (digests of "
				    "attribute values, not indicators)");
				goto out;
			}
			l.data--;	/* a header row */
			continue;
		} else if (l.delim != 0)
			ok = csv_line(&l, s, n);
		else
			ok = list_line(&l, s, n);
		if (!ok) {
			c->rep->skipped++;
			if (l.firstbad == 0)
				l.firstbad = l.lineno;
		}
	}
	g_strlcpy(c->rep->format, l.delim != 0 ? "csv" : "list",
	    sizeof(c->rep->format));
	if (l.data > 0 && c->rep->indicators == 0 && !c->stopped)
		rc = intel_feed__fail(c, MS_EPARSE, l.firstbad,
		    "no indicator in %zu data line%s", l.data,
		    l.data == 1 ? "" : "s");
out:
	g_free(l.scratch);
	g_free(l.vbuf);
	return rc;
}
