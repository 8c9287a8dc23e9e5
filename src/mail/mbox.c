/* SPDX-License-Identifier: Apache-2.0 */
/*
 * mbox.c -- split an mbox file into messages: mboxo/mboxrd (each message
 * introduced by a "From " line) and mboxcl (a Content-Length header gives
 * the body's length).  UNTRUSTED input; works in place, copies nothing.
 */
#include <string.h>
#include <strings.h>

#include "mail.h"

/*
 * mboxcl files state each body's length in a Content-Length header, and
 * their separators need not follow an empty line.  Return where the
 * message at 'start' (its header block) ends by that length, if the
 * header is present and points at a separator or at the end.
 */
static size_t
content_length_end(const char *raw, size_t len, size_t start)
{
	const char	*p = raw + start, *end = raw + len, *eol;
	size_t		 body, n = 0, i;

	while (p < end) {
		eol = memchr(p, '\n', (size_t)(end - p));
		if (eol == NULL)
			return 0;
		if (eol == p || (eol == p + 1 && *p == '\r'))
			break;				/* end of headers */
		if (eol - p > 15 &&
		    strncasecmp(p, "Content-Length:", 15) == 0) {
			for (i = 15; p + i < eol && p[i] == ' '; i++)
				;
			for (; p + i < eol && p[i] >= '0' && p[i] <= '9'; i++) {
				if (n > len)
					return 0;
				n = n * 10 + (size_t)(p[i] - '0');
			}
		}
		p = eol + 1;
	}
	if (p >= end || n == 0)
		return 0;
	eol = memchr(p, '\n', (size_t)(end - p));	/* the empty line */
	body = (size_t)(eol - raw) + 1;
	if (n > len - body)
		return 0;
	body += n;
	while (body < len && (raw[body] == '\n' || raw[body] == '\r'))
		body++;
	if (body == len || (len - body >= 5 && memcmp(raw + body, "From ",
	    5) == 0))
		return body;
	return 0;
}

/*
 * Offset of the next "From " separator line at or after 'from', or 'len'
 * if none.  Writers of mbox files quote body lines that start with
 * "From " (">From "), so every such line is a separator, as GMime's and
 * MimeKit's mbox parsers read them.
 */
static size_t
next_sep(const char *raw, size_t len, size_t from)
{
	const char	*p;

	if (from >= len)
		return len;
	p = memmem(raw + from, len - from, "\nFrom ", 6);
	return p ? (size_t)(p - raw) + 1 : len;
}

int
mail_mbox_next(const char *raw, size_t len, size_t *off, const char **msg,
    size_t *mlen)
{
	const char	*eol;
	size_t		 start = *off, body, end;

	if (start >= len)
		return 0;
	/* Skip the separator line itself. */
	if (len - start >= 5 && memcmp(raw + start, "From ", 5) == 0) {
		eol = memchr(raw + start, '\n', len - start);
		if (eol == NULL) {
			*off = len;
			return 0;
		}
		body = (size_t)(eol - raw) + 1;
	} else
		body = start;
	if ((end = content_length_end(raw, len, body)) == 0)
		end = next_sep(raw, len, body);
	*msg = raw + body;
	*mlen = end - body;
	*off = end;
	return 1;
}
