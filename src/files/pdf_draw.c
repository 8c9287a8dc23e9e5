/* SPDX-License-Identifier: Apache-2.0 */
/*
 * pdf_draw.c -- the filled rectangles of an UNTRUSTED content stream,
 * drawn to grey when they make a square of many modules: a QR code drawn
 * as vector paths ("x y w h re f", one rectangle a dark module or run of
 * modules, as TCPDF, ReportLab and SVG converters write them) rather than
 * put in as an image.
 *
 * Follows the operators that place and paint rectangles: q, Q and cm (the
 * current transformation matrix, axis-aligned only: a rotated or skewed
 * one drops the rectangles drawn under it), re, the fills (f, F, f*, B,
 * B*, b, b*), the path ends that paint nothing (n, S, s), the non-stroking
 * colours (g, rg, k, sc, scn: dark when its grey is under one half).  A
 * path with lines or curves (m, l, c, v, y) is not a rectangle and is
 * dropped.  The modules are the dark rectangles whose narrow side most
 * of them share; when at least DRAW_MIN_DARK of them make a square of 21
 * modules or more, they are drawn black on white, a module
 * DRAW_MODULE_PX pixels.  Everything is bounded: at most
 * LIMIT_PDF_DRAW_RECTS rectangles a stream, a drawing of at most
 * PDF_DRAW_SIDE pixels a side.
 */
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include <glib.h>

#include "pdf_draw.h"
#include "../common/limits.h"

/* Saved graphics states (q) followed; deeper ones are not. */
#define DRAW_DEPTH	32
/* The drawing's largest side in pixels, and a module's wished size. */
#define PDF_DRAW_SIDE	1024
#define DRAW_MODULE_PX	4
/* Device coordinates past this are no page's (a PDF page is at most
 * 14,400 units a side): rectangles there are dropped. */
#define DRAW_FAR	1e6
/* Dark rectangles a code needs at least (a version 1 QR code has some
 * 200 dark modules; runs joined, still more than this). */
#define DRAW_MIN_DARK	20

struct rect {
	double	x0, y0, x1, y1;		/* device space, x0 < x1, y0 < y1 */
	int	dark;			/* -1: in the path being built */
};

/* A numeric operand as written, read only when an operator needs it
 * (most numbers of a page are text positions and kerning). */
struct operand {
	const unsigned char	*p;
	size_t			 n;
};

struct pdf_draw {
	struct operand	 num[6];	/* the last numeric operands */
	int		 nnum;
	double		 ctm[6];
	double		 saved[DRAW_DEPTH][6];
	int		 depth;		/* q's seen, saved or not */
	int		 dark;		/* the non-stroking colour */
	int		 path_other;	/* the path has lines or curves */
	size_t		 path;		/* first rectangle of the path */
	struct rect	*r;
	size_t		 n, cap;
	int		 full;		/* LIMIT_PDF_DRAW_RECTS reached */
};

struct pdf_draw *
pdf_draw_new(void)
{
	struct pdf_draw	*d = xcalloc(1, sizeof(*d));

	d->ctm[0] = d->ctm[3] = 1;
	d->dark = 1;			/* black until told otherwise */
	return d;
}

void
pdf_draw_free(struct pdf_draw *d)
{
	if (d == NULL)
		return;
	xfree(d->r);
	xfree(d);
}

void
pdf_draw_number(struct pdf_draw *d, const unsigned char *w, size_t n)
{
	if (d->nnum == 6) {
		memmove(d->num, d->num + 1, 5 * sizeof(d->num[0]));
		d->nnum = 5;
	}
	d->num[d->nnum].p = w;
	d->num[d->nnum++].n = n;
}

/* The last 'k' operands (k <= nnum) as numbers into 'v': in the C
 * locale, 0 for what does not read as a finite number. */
static void
operands(const struct pdf_draw *d, int k, double *v)
{
	const struct operand	*o;
	char			 buf[32], *end;
	size_t			 n;
	int			 i;

	for (i = 0; i < k; i++) {
		o = &d->num[d->nnum - k + i];
		n = o->n < sizeof(buf) ? o->n : sizeof(buf) - 1;
		memcpy(buf, o->p, n);
		buf[n] = '\0';
		v[i] = g_ascii_strtod(buf, &end);
		if (end == buf || !isfinite(v[i]))
			v[i] = 0;
	}
}

/* Is the grey of the last 'k' operands (1 grey, 3 RGB, 4 CMYK) dark? */
static int
dark_colour(const struct pdf_draw *d, int k)
{
	double	c[4], grey;

	operands(d, k, c);

	if (k == 1)
		grey = c[0];
	else if (k == 3)
		grey = 0.299 * c[0] + 0.587 * c[1] + 0.114 * c[2];
	else
		grey = 1 - fmin(1, 0.30 * c[0] + 0.59 * c[1] + 0.11 * c[2] +
		    c[3]);
	return grey < 0.5;
}

/* CTM = M x CTM, M the last six operands. */
static void
concat(struct pdf_draw *d)
{
	double	m[6], *t = d->ctm, r[6];

	operands(d, 6, m);
	r[0] = m[0] * t[0] + m[1] * t[2];
	r[1] = m[0] * t[1] + m[1] * t[3];
	r[2] = m[2] * t[0] + m[3] * t[2];
	r[3] = m[2] * t[1] + m[3] * t[3];
	r[4] = m[4] * t[0] + m[5] * t[2] + t[4];
	r[5] = m[4] * t[1] + m[5] * t[3] + t[5];
	memcpy(d->ctm, r, sizeof(r));
}

/* "x y w h re": onto the path, in device space. */
static void
add_rect(struct pdf_draw *d)
{
	const double	*t = d->ctm;
	struct rect	*r;
	double		 a[4], x0, y0, x1, y1;

	if (fabs(t[1]) > 1e-9 || fabs(t[2]) > 1e-9) {
		d->path_other = 1;	/* rotated or skewed: not followed */
		return;
	}
	operands(d, 4, a);
	x0 = t[0] * a[0] + t[4];
	x1 = t[0] * (a[0] + a[2]) + t[4];
	y0 = t[3] * a[1] + t[5];
	y1 = t[3] * (a[1] + a[3]) + t[5];
	/* Out of any page (or overflowed): not a module. */
	if (!(fabs(x0) < DRAW_FAR && fabs(x1) < DRAW_FAR &&
	    fabs(y0) < DRAW_FAR && fabs(y1) < DRAW_FAR)) {
		d->path_other = 1;
		return;
	}
	if (d->n == LIMIT_PDF_DRAW_RECTS) {
		d->full = 1;
		return;
	}
	if (d->n == d->cap) {
		d->cap = d->cap ? d->cap * 2 : 256;
		d->r = xrealloc(d->r, d->cap * sizeof(*d->r));
	}
	r = &d->r[d->n++];
	r->x0 = fmin(x0, x1);
	r->x1 = fmax(x0, x1);
	r->y0 = fmin(y0, y1);
	r->y1 = fmax(y0, y1);
	r->dark = -1;
}

/* The path painted ('fill') or dropped. */
static void
end_path(struct pdf_draw *d, int fill)
{
	size_t	i;

	if (!fill || d->path_other)
		d->n = d->path;
	for (i = d->path; i < d->n; i++)
		d->r[i].dark = d->dark;
	d->path = d->n;
	d->path_other = 0;
}

static int
op_is(const unsigned char *w, size_t n, const char *op)
{
	return strlen(op) == n && memcmp(w, op, n) == 0;
}

void
pdf_draw_op(struct pdf_draw *d, const unsigned char *w, size_t n)
{
	if (w == NULL || d->full)
		;
	else if (op_is(w, n, "re") && d->nnum >= 4)
		add_rect(d);
	else if (op_is(w, n, "f") || op_is(w, n, "F") ||
	    op_is(w, n, "f*") || op_is(w, n, "B") || op_is(w, n, "B*") ||
	    op_is(w, n, "b") || op_is(w, n, "b*"))
		end_path(d, 1);
	else if (op_is(w, n, "n") || op_is(w, n, "S") || op_is(w, n, "s"))
		end_path(d, 0);
	else if (op_is(w, n, "m") || op_is(w, n, "l") || op_is(w, n, "c") ||
	    op_is(w, n, "v") || op_is(w, n, "y"))
		d->path_other = 1;
	else if (op_is(w, n, "q")) {
		if (d->depth < DRAW_DEPTH)
			memcpy(d->saved[d->depth], d->ctm, sizeof(d->ctm));
		d->depth++;
	} else if (op_is(w, n, "Q")) {
		if (d->depth > 0 && --d->depth < DRAW_DEPTH)
			memcpy(d->ctm, d->saved[d->depth], sizeof(d->ctm));
	} else if (op_is(w, n, "cm") && d->nnum >= 6)
		concat(d);
	else if (op_is(w, n, "g") && d->nnum >= 1)
		d->dark = dark_colour(d, 1);
	else if (op_is(w, n, "rg") && d->nnum >= 3)
		d->dark = dark_colour(d, 3);
	else if (op_is(w, n, "k") && d->nnum >= 4)
		d->dark = dark_colour(d, 4);
	else if ((op_is(w, n, "sc") || op_is(w, n, "scn")) && d->nnum >= 1)
		d->dark = dark_colour(d, d->nnum >= 4 ? 4 : d->nnum >= 3 ?
		    3 : 1);
	d->nnum = 0;
}

static int
cmp_double(const void *x, const void *y)
{
	double	a = *(const double *)x, b = *(const double *)y;

	return a < b ? -1 : a > b;
}

/* The module: the narrow side most dark rectangles share (within 5%),
 * or 0. */
static double
module_size(const struct pdf_draw *d)
{
	double	*v = xmalloc((d->n ? d->n : 1) * sizeof(*v));
	double	 best = 0;
	size_t	 i, j = 0, k = 0, most = 0;

	for (i = 0; i < d->n; i++)
		if (d->r[i].dark == 1)
			v[k++] = fmin(d->r[i].x1 - d->r[i].x0,
			    d->r[i].y1 - d->r[i].y0);
	qsort(v, k, sizeof(*v), cmp_double);
	for (i = 0; i < k; i++) {
		while (v[j] < v[i] * 0.95)
			j++;
		if (v[i] > 0 && i - j + 1 > most) {
			most = i - j + 1;
			best = v[j];
		}
	}
	xfree(v);
	return most >= DRAW_MIN_DARK ? best : 0;
}

/* A dark rectangle one module wide and at most a row of modules long. */
static int
is_module(const struct rect *r, double mod)
{
	double	lo = fmin(r->x1 - r->x0, r->y1 - r->y0);
	double	hi = fmax(r->x1 - r->x0, r->y1 - r->y0);

	return r->dark == 1 && lo >= mod * 0.9 && lo <= mod * 1.1 &&
	    hi <= mod * 200;
}

unsigned char *
pdf_draw_render(struct pdf_draw *d, struct arena *a, unsigned *w,
    unsigned *h)
{
	unsigned char		*px;
	double			 bx0 = HUGE_VAL, by0 = HUGE_VAL;
	double			 bx1 = -HUGE_VAL, by1 = -HUGE_VAL;
	double			 side, mod, scale, pad;
	size_t			 i, n = 0, X0, X1, Y0, Y1, y, W, H;
	const struct rect	*r;

	*w = *h = 0;
	if (d->full || (mod = module_size(d)) <= 0)
		return NULL;
	for (i = 0; i < d->n; i++) {
		r = &d->r[i];
		if (!is_module(r, mod))
			continue;
		n++;
		bx0 = fmin(bx0, r->x0);
		by0 = fmin(by0, r->y0);
		bx1 = fmax(bx1, r->x1);
		by1 = fmax(by1, r->y1);
	}
	/* A code is square, and at least 21 modules a side. */
	side = fmax(bx1 - bx0, by1 - by0);
	if (n < DRAW_MIN_DARK || fmin(bx1 - bx0, by1 - by0) < side * 0.8 ||
	    side < 20 * mod)
		return NULL;
	scale = DRAW_MODULE_PX / mod;
	pad = 4 * DRAW_MODULE_PX;		/* the quiet zone */
	if (side * scale + 2 * pad > PDF_DRAW_SIDE) {
		scale = (PDF_DRAW_SIDE - 2 * pad) / side;
		pad = 4 * mod * scale;
	}
	W = (size_t)((bx1 - bx0) * scale + 2 * pad + 0.5);
	H = (size_t)((by1 - by0) * scale + 2 * pad + 0.5);
	if (W == 0 || H == 0 || W > PDF_DRAW_SIDE || H > PDF_DRAW_SIDE ||
	    (px = arena_alloc(a, W * H)) == NULL)
		return NULL;
	memset(px, 255, W * H);
	/* The modules in black on white, clipped to the drawing; the y
	 * axis turns downwards.  A module is at most 200 x 1 of them, so
	 * the painting is bounded by LIMIT_PDF_DRAW_RECTS such areas. */
	for (i = 0; i < d->n; i++) {
		r = &d->r[i];
		if (!is_module(r, mod))
			continue;
		X0 = (size_t)fmax(0, fmin((double)W, (r->x0 - bx0) * scale +
		    pad + 0.5));
		X1 = (size_t)fmax(0, fmin((double)W, (r->x1 - bx0) * scale +
		    pad + 0.5));
		Y0 = (size_t)fmax(0, fmin((double)H, (by1 - r->y1) * scale +
		    pad + 0.5));
		Y1 = (size_t)fmax(0, fmin((double)H, (by1 - r->y0) * scale +
		    pad + 0.5));
		for (y = Y0; y < Y1 && X1 > X0; y++)
			memset(px + y * W + X0, 0, X1 - X0);
	}
	*w = (unsigned)W;
	*h = (unsigned)H;
	return px;
}
