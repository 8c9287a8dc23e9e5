/* SPDX-License-Identifier: Apache-2.0 */
/*
 * intel_feed.c -- reads a threat-intel feed from disk and hands its
 * indicators to a sink: finds the format from the content (JSON: a STIX
 * bundle, MISP, OTX pulses, or one object per line; '<': an HTML page,
 * refused; anything else: a list or CSV), maps the file, and holds what
 * the readers share: classification of a value into an indicator kind,
 * feed dates, error text.  Runs in whatever thread calls it; trusts
 * nothing in the files.  The readers are intel_feed_list.c,
 * intel_feed_jsonl.c, intel_feed_stix.c, intel_feed_misp.c and
 * intel_feed_otx.c; docs/internals/intel-feeds.md describes what each
 * takes and skips.
 */
#include <errno.h>
#include <fcntl.h>
#include <stdarg.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <arpa/inet.h>

#include <glib.h>

#include "intel_feed_int.h"

enum ms_err
intel_feed__fail(struct intel_feed__ctx *c, enum ms_err rc, size_t line,
    const char *fmt, ...)
{
	char	msg[256];
	va_list	ap;

	va_start(ap, fmt);
	(void)vsnprintf(msg, sizeof(msg), fmt, ap);
	va_end(ap);
	if (c->err == NULL || c->errlen == 0)
		return rc;
	if (line > 0)
		(void)snprintf(c->err, c->errlen, "%s: line %zu: %s", c->file,
		    line, msg);
	else
		(void)snprintf(c->err, c->errlen, "%s: %s", c->file, msg);
	return rc;
}

void
intel_feed__ind_init(struct intel_indicator *ind)
{
	memset(ind, 0, sizeof(*ind));
	ind->confidence = -1;
}

int
intel_feed__emit(struct intel_feed__ctx *c, const struct intel_indicator *ind)
{
	c->rep->indicators++;
	if (c->sink(c->arg, ind) != 0)
		c->stopped = 1;
	return c->stopped;
}

/* --- classification ------------------------------------------------ */

static int
is_hex(const char *s, size_t n)
{
	size_t	i;

	for (i = 0; i < n; i++)
		if (!g_ascii_isxdigit(s[i]))
			return 0;
	return 1;
}

/* An address or CIDR.  inet_pton wants a NUL-terminated copy; IPv6 text
 * with a prefix is at most 45 + 4 bytes. */
static int
is_ip(const char *s, size_t n)
{
	char		 a[64];
	unsigned char	 bin[16];
	const char	*slash;
	size_t		 alen;
	int		 af, max, plen, i;

	if (n >= sizeof(a) || n < 2)
		return 0;
	slash = memchr(s, '/', n);
	alen = slash != NULL ? (size_t)(slash - s) : n;
	memcpy(a, s, alen);
	a[alen] = '\0';
	af = memchr(a, ':', alen) != NULL ? AF_INET6 : AF_INET;
	if (inet_pton(af, a, bin) != 1)
		return 0;
	if (slash == NULL)
		return 1;
	max = af == AF_INET ? 32 : 128;
	plen = 0;
	if (n - alen < 2 || n - alen > 4)
		return 0;
	for (i = 1; (size_t)i < n - alen; i++) {
		if (!g_ascii_isdigit(slash[i]))
			return 0;
		plen = plen * 10 + (slash[i] - '0');
	}
	return plen <= max;
}

int
intel_feed__is_domain(const char *s, size_t n)
{
	size_t	i, lab = 0, labels = 1;
	int	alpha = 0;

	if (n > 0 && s[n - 1] == '.')	/* the root, "example.com." */
		n--;
	if (n == 0 || n > 253)
		return 0;
	for (i = 0; i < n; i++) {
		unsigned char	ch = (unsigned char)s[i];

		if (ch == '.') {
			if (lab == 0)
				return 0;
			lab = 0;
			labels++;
			alpha = 0;
			continue;
		}
		if (!g_ascii_isalnum(ch) && ch != '-' && ch != '_' &&
		    ch < 0x80)
			return 0;
		if (!g_ascii_isdigit(ch))
			alpha = 1;
		if (++lab > 63)
			return 0;
	}
	/* "1.2.3.4" and "1.2.3.4.5" are not names: the TLD has a letter. */
	return lab > 0 && labels >= 2 && alpha;
}

static int
is_url(const char *s, size_t n)
{
	size_t	i;

	if (n == 0 || !g_ascii_isalpha(s[0]))
		return 0;
	for (i = 1; i < n && i < 16; i++)
		if (!g_ascii_isalnum(s[i]) && s[i] != '+' && s[i] != '-' &&
		    s[i] != '.')
			break;
	if (i + 3 >= n || memcmp(s + i, "://", 3) != 0)
		return 0;
	for (i += 3; i < n; i++)
		if ((unsigned char)s[i] <= ' ' || s[i] == 0x7f)
			return 0;
	return 1;
}

static int
is_email(const char *s, size_t n)
{
	const char	*at = memchr(s, '@', n);
	size_t		 i, local;

	if (at == NULL)
		return 0;
	local = (size_t)(at - s);
	if (local == 0 || local > 64)
		return 0;
	for (i = 0; i < local; i++)
		if ((unsigned char)s[i] <= ' ' || s[i] == '@' || s[i] == '"' ||
		    s[i] == '<' || s[i] == '>' || s[i] == ',')
			return 0;
	return intel_feed__is_domain(at + 1, n - local - 1);
}

static int
is_asn(const char *s, size_t n)
{
	size_t	i;

	if (n < 3 || n > 12 || g_ascii_toupper(s[0]) != 'A' ||
	    g_ascii_toupper(s[1]) != 'S')
		return 0;
	for (i = 2; i < n; i++)
		if (!g_ascii_isdigit(s[i]))
			return 0;
	return 1;
}

int
intel_feed__classify(const char *s, size_t n, enum intel_kind *kind)
{
	if (n == 0 || n > INTEL_FEED_MAX_VALUE)
		return 0;
	if (is_url(s, n))
		*kind = INTEL_URL;
	else if ((g_ascii_isxdigit(s[0]) || s[0] == ':') && is_ip(s, n))
		*kind = INTEL_IP;
	else if ((n == 32 || n == 40 || n == 64) && is_hex(s, n))
		*kind = INTEL_HASH;
	else if (is_asn(s, n))
		*kind = INTEL_ASN;
	else if (memchr(s, '@', n) != NULL)
		return is_email(s, n) ? (*kind = INTEL_EMAIL, 1) : 0;
	else if (intel_feed__is_domain(s, n))
		*kind = INTEL_DOMAIN;
	else
		return 0;
	return 1;
}

/* --- dates ----------------------------------------------------------- */

/* Days from 1970-01-01 to y-m-d, proleptic Gregorian (Howard Hinnant's
 * days_from_civil): no timegm(), no TZ, no locale. */
static int64_t
days_from_civil(int64_t y, int m, int d)
{
	int64_t		era;
	unsigned	yoe, doy, doe;

	y -= m <= 2;
	era = (y >= 0 ? y : y - 399) / 400;
	yoe = (unsigned)(y - era * 400);
	doy = (unsigned)((153 * (m + (m > 2 ? -3 : 9)) + 2) / 5 + d - 1);
	doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
	return era * 146097 + (int64_t)doe - 719468;
}

/* Read exactly 'w' digits at s[*i]. */
static int
digits(const char *s, size_t n, size_t *i, int w, int *out)
{
	int	v = 0, k;

	if (*i + (size_t)w > n)
		return 0;
	for (k = 0; k < w; k++) {
		if (!g_ascii_isdigit(s[*i + k]))
			return 0;
		v = v * 10 + (s[*i + k] - '0');
	}
	*i += (size_t)w;
	*out = v;
	return 1;
}

static int64_t
unix_number(const char *s, size_t n)
{
	int64_t	v = 0;
	size_t	i;

	if (n == 0 || n > 13)
		return 0;
	for (i = 0; i < n; i++) {
		if (!g_ascii_isdigit(s[i]))
			return 0;
		v = v * 10 + (s[i] - '0');
	}
	return n == 13 ? v / 1000 : v;
}

int64_t
intel_feed__time(const char *s, size_t n)
{
	size_t	i = 0;
	int	y, mo, d, h = 0, mi = 0, sec = 0, zh, zm, sign;
	int64_t	t;

	while (n > 0 && (s[n - 1] == ' ' || s[n - 1] == '\t'))
		n--;
	/* Unix seconds: nine digits or more, so that a count or a prefix
	 * length in some column is not taken for a date in 1970. */
	if (n > 0 && n <= 13 && g_ascii_isdigit(s[0]) &&
	    memchr(s, '-', n) == NULL)
		return n >= 9 ? unix_number(s, n) : 0;
	if (!digits(s, n, &i, 4, &y) || i >= n || s[i++] != '-' ||
	    !digits(s, n, &i, 2, &mo) || i >= n || s[i++] != '-' ||
	    !digits(s, n, &i, 2, &d))
		return 0;
	if (mo < 1 || mo > 12 || d < 1 || d > 31)
		return 0;
	if (i < n && (s[i] == 'T' || s[i] == ' ')) {
		i++;
		if (!digits(s, n, &i, 2, &h) || i >= n || s[i++] != ':' ||
		    !digits(s, n, &i, 2, &mi))
			return 0;
		if (i < n && s[i] == ':') {
			i++;
			if (!digits(s, n, &i, 2, &sec))
				return 0;
		}
		while (i < n && (s[i] == '.' || g_ascii_isdigit(s[i])))
			i++;	/* fractions of a second */
	}
	if (h > 23 || mi > 59 || sec > 60)
		return 0;
	t = days_from_civil(y, mo, d) * 86400 + h * 3600 + mi * 60 + sec;
	while (i < n && s[i] == ' ')
		i++;
	if (i == n || s[i] == 'Z' || g_ascii_strncasecmp(s + i, "UTC",
	    MIN(n - i, 3)) == 0)
		return t;
	if (s[i] != '+' && s[i] != '-')
		return t;	/* some trailing word: take the UTC reading */
	sign = s[i++] == '-' ? -1 : 1;
	if (!digits(s, n, &i, 2, &zh))
		return t;
	if (i < n && s[i] == ':')
		i++;
	if (!digits(s, n, &i, 2, &zm))
		zm = 0;
	return t - sign * (zh * 3600 + zm * 60);
}

/* --- files ----------------------------------------------------------- */

enum ms_err
intel_feed__map(struct intel_feed__ctx *c, const char *path,
    const char **buf, size_t *len)
{
	struct stat	 st;
	void		*p;
	int		 fd;

	*buf = NULL;
	*len = 0;
	fd = open(path, O_RDONLY | O_CLOEXEC | O_NOCTTY);
	if (fd == -1)
		return intel_feed__fail(c, MS_EIO, 0, "open: %s",
		    strerror(errno));
	if (fstat(fd, &st) == -1) {
		(void)close(fd);
		return intel_feed__fail(c, MS_EIO, 0, "stat: %s",
		    strerror(errno));
	}
	if (!S_ISREG(st.st_mode)) {
		(void)close(fd);
		return intel_feed__fail(c, MS_EIO, 0, "not a regular file");
	}
	if ((uint64_t)st.st_size > INTEL_FEED_MAX_FILE) {
		(void)close(fd);
		return intel_feed__fail(c, MS_ELIMIT, 0,
		    "%lld bytes, more than the %u a feed file may have",
		    (long long)st.st_size, INTEL_FEED_MAX_FILE);
	}
	c->rep->files++;
	if (st.st_size == 0) {
		(void)close(fd);
		*buf = "";
		return MS_OK;
	}
	p = mmap(NULL, (size_t)st.st_size, PROT_READ, MAP_PRIVATE, fd, 0);
	(void)close(fd);
	if (p == MAP_FAILED)
		return intel_feed__fail(c, MS_EIO, 0, "mmap: %s",
		    strerror(errno));
	/* One forward pass: let the kernel read ahead. */
	(void)madvise(p, (size_t)st.st_size, MADV_SEQUENTIAL);
	*buf = p;
	*len = (size_t)st.st_size;
	return MS_OK;
}

void
intel_feed__unmap(const char *buf, size_t len)
{
	if (buf != NULL && len > 0)
		(void)munmap((void *)(uintptr_t)buf, len);
}

static enum ms_err
parse_json(struct intel_feed__ctx *c, const char *buf, size_t len,
    json_t **out)
{
	json_error_t	je;

	/* jansson bounds nesting itself (JSON_PARSER_MAX_DEPTH). */
	*out = json_loadb(buf, len, JSON_REJECT_DUPLICATES, &je);
	if (*out == NULL)
		return intel_feed__fail(c, MS_EPARSE, je.line > 0 ?
		    (size_t)je.line : 0, "JSON: %s", je.text);
	return MS_OK;
}

enum ms_err
intel_feed__load_json(struct intel_feed__ctx *c, const char *path,
    json_t **out)
{
	const char	*buf;
	size_t		 len;
	enum ms_err	 rc;

	*out = NULL;
	rc = intel_feed__map(c, path, &buf, &len);
	if (rc != MS_OK)
		return rc;
	rc = parse_json(c, buf, len, out);
	intel_feed__unmap(buf, len);
	return rc;
}

static int
is_stix(json_t *root)
{
	const char	*type, *id;

	if (!json_is_object(root))
		return 0;
	type = json_string_value(json_object_get(root, "type"));
	id = json_string_value(json_object_get(root, "id"));
	if (type == NULL || id == NULL)
		return 0;
	if (strcmp(type, "bundle") == 0)
		return 1;
	/* A single STIX object: "type--uuid" ids and a spec_version. */
	return strstr(id, "--") != NULL &&
	    json_object_get(root, "spec_version") != NULL;
}

/* The directory part of 'path', for a manifest's event files. */
static char *
dir_of(const char *path)
{
	return g_path_get_dirname(path);
}

static enum ms_err
parse_file(struct intel_feed__ctx *c, const char *path)
{
	const char	*buf;
	size_t		 len, i;
	json_t		*root = NULL;
	char		*dir;
	enum ms_err	 rc;

	rc = intel_feed__map(c, path, &buf, &len);
	if (rc != MS_OK)
		return rc;
	for (i = 0; i < len && g_ascii_isspace(buf[i]); i++)
		;
	if (i + 3 <= len && (unsigned char)buf[i] == 0xef &&
	    (unsigned char)buf[i + 1] == 0xbb && (unsigned char)buf[i + 2] ==
	    0xbf)
		i += 3;		/* a UTF-8 byte order mark */
	if (i < len && buf[i] == '{' && intel_feed__is_jsonl(buf + i,
	    len - i)) {
		rc = intel_feed__jsonl(c, buf + i, len - i);
		intel_feed__unmap(buf, len);
		return rc;
	}
	if (i < len && (buf[i] == '{' || buf[i] == '[')) {
		rc = parse_json(c, buf + i, len - i, &root);
		intel_feed__unmap(buf, len);
		if (rc != MS_OK)
			return rc;
		if (is_stix(root)) {
			g_strlcpy(c->rep->format, "stix2.1",
			    sizeof(c->rep->format));
			rc = intel_feed__stix(c, root);
		} else if (intel_feed__otx_detect(root)) {
			rc = intel_feed__otx(c, root);
		} else if (intel_feed__misp_detect(root)) {
			dir = dir_of(path);
			rc = intel_feed__misp(c, root, dir);
			g_free(dir);
		} else
			rc = intel_feed__fail(c, MS_EPARSE, 0, "JSON that is "
			    "no STIX 2 bundle, MISP or OTX");
		json_decref(root);
		return rc;
	}
	if (i < len && buf[i] == '<') {
		intel_feed__unmap(buf, len);
		return intel_feed__fail(c, MS_EPARSE, 0, "an HTML or XML "
		    "page, not a feed (HTML tables are not read)");
	}
	rc = intel_feed__list(c, buf, len);
	intel_feed__unmap(buf, len);
	return rc;
}

static enum ms_err
parse_dir(struct intel_feed__ctx *c, const char *path)
{
	char		*manifest;
	json_t		*root = NULL;
	enum ms_err	 rc;

	manifest = g_build_filename(path, "manifest.json", NULL);
	if (access(manifest, F_OK) != 0) {
		g_free(manifest);
		return intel_feed__fail(c, MS_EPARSE, 0, "a directory "
		    "without manifest.json: not a MISP feed");
	}
	c->file = manifest;
	rc = intel_feed__load_json(c, manifest, &root);
	if (rc == MS_OK && (!json_is_object(root) ||
	    !intel_feed__misp_detect(root)))
		rc = intel_feed__fail(c, MS_EPARSE, 0, "not a MISP manifest");
	if (rc == MS_OK)
		rc = intel_feed__misp(c, root, path);
	json_decref(root);
	/* Errors were written with c->file; the caller's buffer has them. */
	c->file = path;
	g_free(manifest);
	return rc;
}

enum ms_err
intel_feed_parse_path(const char *path, intel_sink_fn sink, void *arg,
    struct intel_feed_report *rep, char *err, size_t errlen)
{
	struct intel_feed__ctx	c;
	struct stat		st;

	memset(rep, 0, sizeof(*rep));
	if (err != NULL && errlen > 0)
		err[0] = '\0';
	memset(&c, 0, sizeof(c));
	c.file = path;
	c.sink = sink;
	c.arg = arg;
	c.rep = rep;
	c.err = err;
	c.errlen = errlen;
	if (path == NULL || sink == NULL)
		return MS_EINVAL;
	if (stat(path, &st) == -1)
		return intel_feed__fail(&c, MS_EIO, 0, "%s", strerror(errno));
	if (S_ISDIR(st.st_mode)) {
		g_strlcpy(rep->format, "misp-feed", sizeof(rep->format));
		return parse_dir(&c, path);
	}
	return parse_file(&c, path);
}
