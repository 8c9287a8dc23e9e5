/* SPDX-License-Identifier: Apache-2.0 */
/*
 * uu.c -- find and decode uuencoded blocks in the text of a part.  Runs
 * in the analysis worker on UNTRUSTED text.  A block is a "begin MODE
 * NAME" line, data lines whose first character gives the decoded length
 * ((c - 32) & 63, four characters per three bytes, alphabet ' '..'`'), a
 * zero-length line ("`" or " ", or an empty line when a mailer stripped
 * the space), and "end".  CRLF line ends, trailing junk after the encoded
 * characters and trailing spaces stripped by mailers are tolerated.
 * Each block is measured first, then decoded into one exact arena
 * allocation, so hostile text costs two linear passes.
 */
#include <string.h>

#include "../common/limits.h"
#include "mail_int.h"
#include "uu.h"

/* One line of the text: 'n' bytes at 'p' without CR/LF; 'next' is the
 * offset of the following line. */
struct uu_line {
	const char	*p;
	size_t		 n;
	size_t		 next;
};

/* The extent of one block, as measured by uu_measure(). */
struct uu_block {
	size_t		 data;		/* offset of the first data line */
	size_t		 good_end;	/* offset after the last good line */
	size_t		 end;		/* offset after the block */
	size_t		 len;		/* decoded bytes */
	int		 complete;	/* "end" seen */
	int		 malformed;	/* bad line inside the block */
	int		 lines;		/* non-empty data lines seen */
};

/* The line starting at 'off' (off < len). */
static void
uu_line(const char *t, size_t len, size_t off, struct uu_line *l)
{
	const char	*nl = memchr(t + off, '\n', len - off);
	size_t		 n = nl != NULL ? (size_t)(nl - (t + off)) : len - off;

	l->p = t + off;
	l->next = off + n + (nl != NULL);
	if (n > 0 && l->p[n - 1] == '\r')
		n--;
	l->n = n;
}

/*
 * A "begin MODE NAME" line: MODE is 1 to 4 octal digits, NAME the rest
 * of the line without trailing white space (may be empty).
 */
static int
uu_is_begin(const struct uu_line *l, unsigned *mode, const char **name,
    size_t *namelen)
{
	size_t	i = 6, n = l->n;

	if (n < 8 || memcmp(l->p, "begin ", 6) != 0)
		return 0;
	*mode = 0;
	while (i < n && i < 10 && l->p[i] >= '0' && l->p[i] <= '7')
		*mode = *mode * 8 + (unsigned)(l->p[i++] - '0');
	if (i == 6 || (i < n && l->p[i] != ' '))
		return 0;
	if (i < n)
		i++;
	while (n > i && (l->p[n - 1] == ' ' || l->p[n - 1] == '\t'))
		n--;
	*name = l->p + i;
	*namelen = n - i;
	return 1;
}

/* An "end" line, possibly with trailing white space. */
static int
uu_is_end(const struct uu_line *l)
{
	size_t	i;

	if (l->n < 3 || memcmp(l->p, "end", 3) != 0)
		return 0;
	for (i = 3; i < l->n; i++)
		if (l->p[i] != ' ' && l->p[i] != '\t')
			return 0;
	return 1;
}

/*
 * A data line: its length character and every encoded character it needs
 * lie in ' '..'`'.  Missing characters (spaces stripped in transit) read
 * as zero, and '*shrt' says so; characters past the needed ones
 * (checksums, junk) are ignored.  Sets '*out' to the decoded length.
 */
static int
uu_data_line(const struct uu_line *l, size_t *out, int *shrt)
{
	size_t	i, need, have;

	*shrt = 0;
	if (l->n == 0) {
		*out = 0;
		return 1;
	}
	if ((unsigned char)l->p[0] < 32 || (unsigned char)l->p[0] > 96)
		return 0;
	*out = (size_t)((l->p[0] - 32) & 63);
	need = (*out + 2) / 3 * 4;
	have = l->n - 1 < need ? l->n - 1 : need;
	*shrt = have < need;
	for (i = 1; i <= have; i++)
		if ((unsigned char)l->p[i] < 32 || (unsigned char)l->p[i] > 96)
			return 0;
	return 1;
}

/* Decode one valid data line into 'out' (room for its length). */
static size_t
uu_decode_line(const struct uu_line *l, unsigned char *out)
{
	unsigned char	c[4];
	size_t		n, i, j, k, o = 0;

	if (l->n == 0)
		return 0;
	n = (size_t)((l->p[0] - 32) & 63);
	for (i = 1; o < n; i += 4) {
		for (k = 0; k < 4; k++) {
			j = i + k;
			c[k] = j < l->n ? (unsigned char)((l->p[j] - 32) & 63)
			    : 0;
		}
		out[o++] = (unsigned char)(c[0] << 2 | c[1] >> 4);
		if (o < n)
			out[o++] = (unsigned char)(c[1] << 4 | c[2] >> 2);
		if (o < n)
			out[o++] = (unsigned char)(c[2] << 6 | c[3]);
	}
	return n;
}

/* True if the line at 'off' continues a block: data or "end". */
static int
uu_continues(const char *t, size_t len, size_t off)
{
	struct uu_line	l;
	size_t		n;
	int		shrt;

	if (off >= len)
		return 0;
	uu_line(t, len, off, &l);
	return uu_is_end(&l) || (l.n > 0 && uu_data_line(&l, &n, &shrt));
}

/*
 * After a bad line inside a block, find the block's "end" (not past the
 * next "begin") so that scanning resumes after it.
 */
static size_t
uu_skip_block(const char *t, size_t len, size_t off)
{
	struct uu_line	l;
	const char	*name;
	unsigned	 mode;
	size_t		 nl;

	while (off < len) {
		uu_line(t, len, off, &l);
		if (uu_is_begin(&l, &mode, &name, &nl))
			return off;
		off = l.next;
		if (uu_is_end(&l))
			break;
	}
	return off;
}

/*
 * Measure the block whose data starts at 'off': where it ends, how many
 * bytes it decodes to, whether "end" was seen, whether it is malformed.
 * A bad line followed by more block lines makes it malformed; a bad line
 * followed by anything else ends a truncated block.  A truncated block
 * loses its last line if that line is short: it was cut, not stripped.
 */
static void
uu_measure(const char *t, size_t len, size_t off, struct uu_block *b)
{
	struct uu_line	l;
	const char	*name;
	unsigned	 mode;
	size_t		 n, nl, prev_end = off, prev_len = 0;
	int		 zero = 0, shrt, cut = 0;

	memset(b, 0, sizeof(*b));
	b->data = b->good_end = b->end = off;
	for (; off < len; off = l.next) {
		uu_line(t, len, off, &l);
		if (uu_is_end(&l)) {
			b->complete = 1;
			b->end = l.next;
			return;
		}
		if (zero && l.n == 0)
			continue;	/* blank lines before "end" */
		if (zero || uu_is_begin(&l, &mode, &name, &nl))
			break;
		if (!uu_data_line(&l, &n, &shrt)) {
			if (b->lines > 0 && uu_continues(t, len, l.next)) {
				b->malformed = 1;
				b->end = uu_skip_block(t, len, l.next);
				return;
			}
			break;
		}
		prev_end = b->good_end;
		prev_len = b->len;
		b->len += n;	/* n <= 63: cannot wrap before len does */
		b->lines += l.n > 0;
		b->good_end = l.next;
		zero = n == 0;
		cut = shrt;
	}
	if (cut) {
		b->good_end = prev_end;
		b->len = prev_len;
	}
	b->end = b->good_end;
}

/* Decode the measured block 'b' into one arena allocation. */
static unsigned char *
uu_decode(struct arena *a, const char *t, const struct uu_block *b)
{
	struct uu_line	 l;
	unsigned char	*out, *w;
	size_t		 off, n;
	int		 shrt;

	if ((out = arena_alloc(a, b->len ? b->len : 1)) == NULL)
		return NULL;
	w = out;
	for (off = b->data; off < b->good_end; off = l.next) {
		uu_line(t, b->good_end, off, &l);
		if (uu_data_line(&l, &n, &shrt) &&
		    (size_t)(w - out) + n <= b->len)
			w += uu_decode_line(&l, w);
	}
	return out;
}

/* Record the uu_file of block 'b' begun at 'start', and its findings. */
static enum ms_err
uu_emit(struct arena *a, const char *t, size_t start, const struct uu_block *b,
    unsigned mode, const char *name, size_t namelen, const char *part,
    struct arena_vec *findings, struct arena_vec *files)
{
	struct uu_file	*f;

	if ((f = arena_alloc(a, sizeof(*f))) == NULL)
		return MS_ELIMIT;
	f->mode = mode;
	f->start = start;
	f->end = b->end;
	f->len = b->len;
	if (namelen > 0 && (f->name = arena_strndup(a, name, namelen)) == NULL)
		return MS_ELIMIT;
	if ((f->data = uu_decode(a, t, b)) == NULL)
		return MS_ELIMIT;
	if (!b->complete && finding_add(a, findings, FINDING_PARSE,
	    "uu_truncated", part, "uuencoded block '%.*s' has no \"end\" "
	    "line; decoded up to the last good line", (int)namelen,
	    name) != MS_OK)
		return MS_ELIMIT;
	return arena_vec_push(a, files, f);
}

/*
 * Scan the text line by line for "begin" lines and decode the block
 * after each; see uu.h.  Scanning resumes after each block.
 */
enum ms_err
uu_scan(struct arena *a, const char *text, size_t len, const char *part,
    struct arena_vec *findings, struct arena_vec *files)
{
	struct uu_line	 l;
	struct uu_block	 b;
	const char	*name;
	unsigned	 mode;
	size_t		 off = 0, nl;
	enum ms_err	 rc = MS_OK;

	while (off < len && rc == MS_OK) {
		uu_line(text, len, off, &l);
		off = l.next;
		if (!uu_is_begin(&l, &mode, &name, &nl))
			continue;
		uu_measure(text, len, l.next, &b);
		if (b.malformed) {
			rc = finding_add(a, findings, FINDING_PARSE,
			    "uu_malformed", part, "uuencoded block '%.*s' has "
			    "a bad line inside; block skipped", (int)nl, name);
			off = b.end;
			continue;
		}
		if (!b.complete && b.lines == 0)
			continue;	/* prose that starts with "begin" */
		if (files->n >= LIMIT_ATTACHMENTS) {
			(void)finding_add(a, findings, FINDING_LIMIT,
			    "limit_attachments", part, "more than %d "
			    "uuencoded blocks", LIMIT_ATTACHMENTS);
			return MS_ELIMIT;
		}
		rc = uu_emit(a, text, (size_t)(l.p - text), &b, mode, name, nl,
		    part, findings, files);
		off = b.end;
	}
	return rc;
}
