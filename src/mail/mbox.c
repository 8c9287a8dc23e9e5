/* SPDX-License-Identifier: Apache-2.0 */
/*
 * mbox.c -- split an mbox file (mboxo/mboxrd: messages introduced by a
 * "From " line at the start of the file or after an empty line) into
 * messages.  UNTRUSTED input; works in place, copies nothing.
 */
#include <string.h>

#include "mail.h"

/*
 * Does the line at 'p' look like a separator, "From sender date"?  Real
 * separators carry a ctime(3) date; a body line that starts with "From "
 * and escaped nobody (mboxo writers do not always) rarely has "hh:mm".
 */
static int
separator(const char *p, const char *end)
{
	const char	*eol = memchr(p, '\n', (size_t)(end - p));

	if (eol == NULL)
		eol = end;
	for (p += 5; p + 5 <= eol; p++)
		if (p[0] >= '0' && p[0] <= '9' && p[1] >= '0' &&
		    p[1] <= '9' && p[2] == ':' && p[3] >= '0' &&
		    p[3] <= '9' && p[4] >= '0' && p[4] <= '9')
			return 1;
	return 0;
}

/* Offset of the next "From " separator line at or after 'from', or
 * 'len' if none. */
static size_t
next_sep(const char *raw, size_t len, size_t from)
{
	const char	*p;
	size_t		 i = from;

	while (i + 6 <= len) {
		p = memmem(raw + i, len - i, "\nFrom ", 6);
		if (p == NULL)
			return len;
		i = (size_t)(p - raw) + 1;
		/* A separator follows an empty line ("\n\nFrom ", also with
		 * CRLF); a "From " inside a paragraph is body text. */
		if (i >= 2 && (raw[i - 2] == '\n' || (i >= 3 &&
		    raw[i - 2] == '\r' && raw[i - 3] == '\n')) &&
		    separator(raw + i, raw + len))
			return i;
	}
	return len;
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
	end = next_sep(raw, len, body);
	*msg = raw + body;
	*mlen = end - body;
	*off = end;
	return 1;
}
