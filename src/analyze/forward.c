/* SPDX-License-Identifier: Apache-2.0 */
/*
 * forward.c -- is this email a user's report of another one?  Users
 * forward a suspicious email to the SOC as an attachment (message/rfc822,
 * .eml, Outlook .msg) or inline (Gmail "---------- Forwarded message
 * ---------", Outlook "-----Original Message-----" or a bare "From: ...
 * Sent: ..." block, Apple "Begin forwarded message:", Thunderbird
 * "-------- Forwarded Message --------").  In both cases the suspicious
 * email becomes the analysis' email and the top-level one its reporter.
 * A reply quotes its thread the same way ("-----Original Message-----",
 * or a bare "From: ... Sent: ..." block), and a phish can append a fake
 * thread to be judged on it: those blocks make a report only under a
 * forward's subject ("FW:", "Fwd:", "TR:", "WG:", ...).  Works on
 * UNTRUSTED text; pure.
 */
#include <string.h>

#include <glib.h>

#include "analyze_int.h"
#include "../common/limits.h"

struct marker {
	const char	*text;
	const char	*style;
	int		 forward;	/* says forward, not reply */
};

static const struct marker markers[] = {
	{ "---------- Forwarded message ---------", "gmail", 1 },
	{ "-------- Forwarded Message --------", "thunderbird", 1 },
	{ "-------- Original Message --------", "thunderbird", 0 },
	{ "-----Original Message-----", "outlook", 0 },
	{ "----- Forwarded Message -----", "yahoo", 1 },
	{ "Begin forwarded message:", "apple", 1 },
};

/* Subject prefixes of a forward, in the languages mail clients speak
 * (en, fr, de, es/it, pt, nl, nordic, pl, tr). */
static const char *const fwd_prefixes[] = { "fw", "fwd", "tr", "wg",
	"rv", "i", "enc", "doorst", "vs", "vl", "fs", "vb", "pd", "ynt" };

/* Reply prefixes that may stand before a forward's ("RE: FW: ..."). */
static const char *const re_prefixes[] = { "re", "aw", "sv", "ref",
	"antw", "r", "res" };

static int
prefix_in(const char *p, size_t n, const char *const *v, size_t nv)
{
	size_t	i;

	for (i = 0; i < nv; i++)
		if (strlen(v[i]) == n && g_ascii_strncasecmp(p, v[i], n) == 0)
			return 1;
	return 0;
}

/* Does 'subject' start as a forward's does, after "[tags]" and reply
 * prefixes? */
static int
forward_subject(const char *s)
{
	const char	*p = s, *q;
	int		 words;

	if (s == NULL)
		return 0;
	for (words = 0; *p != '\0' && words < 6; words++) {
		while (*p == ' ' || *p == '\t')
			p++;
		if (*p == '[') {
			if ((q = strchr(p, ']')) == NULL)
				return 0;
			p = q + 1;
			continue;
		}
		for (q = p; g_ascii_isalpha(*q); q++)
			;
		if (q == p || *q != ':')
			return 0;
		if (prefix_in(p, (size_t)(q - p), fwd_prefixes,
		    G_N_ELEMENTS(fwd_prefixes)))
			return 1;
		if (!prefix_in(p, (size_t)(q - p), re_prefixes,
		    G_N_ELEMENTS(re_prefixes)))
			return 0;
		p = q + 1;
	}
	return 0;
}

/* Header names a forwarding client writes into the quoted block. */
static const char *const fwd_headers[] = {
	"From", "Sent", "Date", "To", "Cc", "Subject", "Reply-To",
};

/* Skip a line's quoting ("> ", "*") and spaces. */
static const char *
unquote(const char *p, const char *end)
{
	while (p < end && (*p == '>' || *p == ' ' || *p == '\t' || *p == '*'))
		p++;
	return p;
}

/* If the line at 'p' is "Name: value" for a forward header, return the
 * header's index, and the value's start in '*val'. */
static int
fwd_header(const char *p, const char *eol, const char **val)
{
	size_t	i, n;

	p = unquote(p, eol);
	for (i = 0; i < G_N_ELEMENTS(fwd_headers); i++) {
		n = strlen(fwd_headers[i]);
		if ((size_t)(eol - p) > n && g_ascii_strncasecmp(p,
		    fwd_headers[i], n) == 0 && (p[n] == ':' ||
		    (p[n] == '*' && p + n + 1 < eol && p[n + 1] == ':'))) {
			p += n + (p[n] == '*' ? 2 : 1);
			while (p < eol && (*p == ' ' || *p == '*' ||
			    *p == '\t'))
				p++;
			*val = p;
			return (int)i;
		}
	}
	return -1;
}

static const char *
line_end(const char *p, const char *end)
{
	const char	*q = memchr(p, '\n', (size_t)(end - p));

	return q ? q : end;
}

/*
 * Find where a forwarded email starts in 'text': a marker line, or an
 * Outlook "From:" line followed by "Sent:" within three lines.  Returns
 * the offset of the quoted header block, or -1.
 */
static long
find_forward(const char *text, size_t len, const char **style, int *forward)
{
	const char	*end = text + len, *p, *eol, *q, *v;
	size_t		 i;
	int		 k, lines;

	for (p = text; p < end; p = eol + 1) {
		eol = line_end(p, end);
		q = unquote(p, eol);
		for (i = 0; i < G_N_ELEMENTS(markers); i++) {
			size_t	n = strlen(markers[i].text);

			if ((size_t)(eol - q) >= n &&
			    memcmp(q, markers[i].text, n) == 0) {
				*style = markers[i].style;
				*forward = markers[i].forward;
				return eol < end ? eol + 1 - text : eol - text;
			}
		}
		if (fwd_header(p, eol, &v) == 0) {
			const char	*r = eol + 1;

			for (lines = 0; lines < 3 && r < end; lines++) {
				const char *reol = line_end(r, end);

				k = fwd_header(r, reol, &v);
				if (k == 1) {
					*style = "outlook";
					*forward = 0;
					return p - text;
				}
				r = reol + 1;
			}
		}
		if (eol >= end)
			break;
	}
	return -1;
}

/* "Name [mailto:a@b]" (Outlook) -> "Name <a@b>". */
static void
append_value(GString *s, const char *v, size_t n)
{
	const char	*m = g_strstr_len(v, (gssize)n, "[mailto:");
	const char	*c;

	if (m != NULL && (c = memchr(m, ']', n - (size_t)(m - v))) != NULL) {
		g_string_append_len(s, v, m - v);
		g_string_append_c(s, '<');
		g_string_append_len(s, m + 8, c - (m + 8));
		g_string_append_c(s, '>');
		return;
	}
	g_string_append_len(s, v, (gssize)n);
}

/*
 * Rebuild an RFC 5322 message from the quoted header block at 'start'
 * and the text after it; 'n_headers' counts the header lines found.
 */
static GString *
rebuild(const char *text, size_t len, size_t start, int *n_headers)
{
	const char	*end = text + len, *p = text + start, *eol, *v;
	GString		*s = g_string_sized_new(len - start + 256);
	int		 k, seen_from = 0;

	*n_headers = 0;
	/* Blank lines may sit between the marker and the block. */
	while (p < end && (*p == '\r' || *p == '\n' || *p == ' '))
		p++;
	for (; p < end; p = eol + 1) {
		eol = line_end(p, end);
		if ((k = fwd_header(p, eol, &v)) < 0)
			break;
		if (k == 0)
			seen_from = 1;
		g_string_append(s, k == 1 ? "Date" : fwd_headers[k]);
		g_string_append(s, ": ");
		append_value(s, v, (size_t)(eol - v) - (eol > v &&
		    eol[-1] == '\r'));
		g_string_append_c(s, '\n');
		(*n_headers)++;
		if (eol >= end) {
			p = end;
			break;
		}
	}
	if (!seen_from)
		*n_headers = 0;
	g_string_append(s, "MIME-Version: 1.0\n"
	    "Content-Type: text/plain; charset=utf-8\n"
	    "Content-Transfer-Encoding: 8bit\n\n");
	if (p < end)
		g_string_append_len(s, p, end - p);
	return s;
}

/* The first email attached to the top-level message, if any. */
static struct mail_part *
attached_email(struct mail_msg *top)
{
	struct mail_part	*p;
	size_t			 i;

	for (i = 0; i < top->parts.n; i++) {
		p = top->parts.v[i];
		if (p->embedded != NULL && p->depth == 0)
			return p;
	}
	return NULL;
}

/* Cut the reporter's HTML at the same marker, for link extraction. */
static void
cut_html(struct analysis *an, const char *style)
{
	const struct mail_email	*r = &an->top->email;
	const char		*hit = NULL;
	size_t			 i;

	if (r->html == NULL)
		return;
	for (i = 0; i < G_N_ELEMENTS(markers) && hit == NULL; i++)
		if (strcmp(markers[i].style, style) == 0)
			hit = g_strstr_len(r->html, (gssize)r->html_len,
			    markers[i].text);
	if (hit == NULL)
		hit = g_strstr_len(r->html, (gssize)r->html_len, "Sent:");
	an->forward_html = hit ? hit : r->html;
	an->forward_html_len = r->html_len - (size_t)(an->forward_html -
	    r->html);
}

/* The offset in seconds of the last "+HHMM" / "-HHMM" word of an RFC 5322
 * date (UNTRUSTED), or 0 when there is none. */
static long
zone_offset(const char *date)
{
	const char	*p;
	long		 off = 0, hh, mm;

	for (p = date; p != NULL && *p != '\0'; p++) {
		if ((*p != '+' && *p != '-') || (p > date && p[-1] != ' ') ||
		    !g_ascii_isdigit(p[1]) || !g_ascii_isdigit(p[2]) ||
		    !g_ascii_isdigit(p[3]) || !g_ascii_isdigit(p[4]) ||
		    (p[5] != '\0' && p[5] != ' ' && p[5] != '\r'))
			continue;
		hh = (p[1] - '0') * 10 + (p[2] - '0');
		mm = (p[3] - '0') * 10 + (p[4] - '0');
		if (hh <= 14 && mm < 60)
			off = (*p == '-' ? -1 : 1) * (hh * 3600 + mm * 60);
	}
	return off;
}

/*
 * Clients write the forwarded email's date for people: Gmail "Thu, Mar
 * 12, 2026 at 7:11 PM", Outlook "Thursday, March 12, 2026 7:11 PM", in
 * the forwarder's local time without a zone.  GMime reads the hour as
 * written and such a time as UTC.  Correct both, so that an inline
 * forward has the same date as the email attached by another user: the
 * hour by its AM/PM, and a missing zone by the offset of the reporter's
 * own Date (the forwarding client's zone).  'ts' is GMime's reading of
 * 'date' (-1: none); both dates are UNTRUSTED.
 */
static int64_t
fwd_date(const char *date, int64_t ts, const char *reporter_date)
{
	const char	*p;
	int64_t		 t = ts;
	int		 h = -1;

	if (date == NULL || ts < 0)
		return ts;
	for (p = date; *p != '\0' && h < 0; p++)
		if (*p == ':' && p > date && g_ascii_isdigit(p[-1]) &&
		    g_ascii_isdigit(p[1]) && g_ascii_isdigit(p[2])) {
			h = p[-1] - '0';
			if (p - 1 > date && g_ascii_isdigit(p[-2]))
				h += (p[-2] - '0') * 10;
		}
	if (h < 0)
		return ts;
	p += 2;			/* past "MM" */
	if (p[0] == ':' && g_ascii_isdigit(p[1]) && g_ascii_isdigit(p[2]))
		p += 3;
	while (*p == ' ')
		p++;
	if ((g_ascii_toupper(p[0]) == 'A' || g_ascii_toupper(p[0]) == 'P') &&
	    g_ascii_toupper(p[1]) == 'M' && !g_ascii_isalpha(p[2])) {
		if (g_ascii_toupper(p[0]) == 'P' && h < 12)
			t += 12 * 3600;
		else if (g_ascii_toupper(p[0]) == 'A' && h == 12)
			t -= 12 * 3600;
		p += 2;
	}
	while (*p == ' ' || *p == '\r')
		p++;
	if (*p == '\0')
		t -= zone_offset(reporter_date);
	return t >= 0 ? t : ts;
}

enum ms_err
analyze__forward(struct arena *a, struct analysis *an)
{
	struct mail_part	*p;
	struct mail_msg		*m = NULL;
	const char		*text, *style = NULL, *copy;
	size_t			 len;
	GString			*s;
	long			 off;
	int			 nh, forward = 0;
	enum ms_err		 rc;

	an->email = &an->top->email;
	an->email_path = "";
	an->suspicious = an->top;
	if ((p = attached_email(an->top)) != NULL) {
		an->email = &p->embedded->email;
		an->email_path = p->path;
		an->reporter = &an->top->email;
		an->report_method = "attachment";
		an->suspicious = p->embedded;
		return MS_OK;
	}
	text = an->top->email.text;
	len = an->top->email.text_len;
	if (text == NULL) {
		text = an->html_text;
		len = an->html_text_len;
	}
	if (text == NULL || (off = find_forward(text, len, &style,
	    &forward)) < 0)
		return MS_OK;
	/* A quoted thread under a reply's subject is a reply, or a fake
	 * thread: the email itself is the one to judge. */
	if (!forward && !forward_subject(an->top->email.subject))
		return MS_OK;
	s = rebuild(text, len, (size_t)off, &nh);
	if (nh == 0) {
		g_string_free(s, TRUE);
		return MS_OK;
	}
	/* mail_parse borrows its input until the arena is freed. */
	copy = arena_memdup(a, s->str, s->len);
	len = s->len;
	g_string_free(s, TRUE);
	if (copy == NULL)
		return MS_ELIMIT;
	rc = mail_parse(a, copy, len, &an->findings, &m);
	if (rc != MS_OK || m == NULL)
		return rc == MS_EPARSE ? MS_OK : rc;
	m->email.date_ts = fwd_date(m->email.date, m->email.date_ts,
	    an->top->email.date);
	an->email = &m->email;
	an->email_path = "inline";
	an->reporter = &an->top->email;
	an->report_method = "inline";
	an->forward_style = style;
	an->suspicious = m;
	cut_html(an, style);
	return MS_OK;
}
