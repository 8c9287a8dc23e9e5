/* SPDX-License-Identifier: Apache-2.0 */
/*
 * filetest.h -- what the unit tests of files inside emails (test_qr.c,
 * test_pdf.c, test_ooxml.c) share: QR code images made at test time, an
 * email carrying files run through the analysis, and readers of the
 * result.
 */
#ifndef MS_TEST_FILETEST_H
#define MS_TEST_FILETEST_H

#include <stddef.h>

#include <glib.h>

#include "analyze/analyze.h"

/* cmocka group setup and teardown: the analysis started with the
 * source tree's detection data; stopped, and the last arena freed. */
int	 filetest_setup(void **state);
int	 filetest_teardown(void **state);

/* A new arena for the next scan or analysis; the one the last call
 * gave (or filetest_attached used) is freed. */
struct arena *filetest_arena(void);

/* A QR code PNG of 'text' from qrencode(1); fails the test when
 * qrencode is missing (scripts/install-deps installs it). */
GBytes	*filetest_qr_png(const char *text);

/* The pixels of the PNG 'png' as 8-bit grey (g_malloc), its size in
 * '*w' and '*h'. */
unsigned char *filetest_png_grey(GBytes *png, unsigned *w, unsigned *h);

/* The PNG 'png' as a grey JPEG (quality 95) through libjpeg; its size in
 * '*w' and '*h' when not NULL. */
GBytes	*filetest_to_jpeg(GBytes *png, unsigned *w, unsigned *h);

/*
 * An email with a short text body and 'files' attached (base64, type
 * 'ctype', file names 'names'), analysed into a filetest_arena().  Fails
 * the test unless the analysis gives a result.
 */
struct analysis *filetest_attached(GBytes *const *files,
	    const char *const *names, const char *ctype, size_t n);

/* The same with 'text' (UTF-8, one line or more) as the body. */
struct analysis *filetest_attached_text(GBytes *const *files,
	    const char *const *names, const char *ctype, size_t n,
	    const char *text);

/* The finding 'id' of any kind, or NULL. */
const struct finding *filetest_finding(const struct analysis *an,
	    const char *id);

/* The URL indicator 'url', or NULL. */
const struct ioc *filetest_url(const struct analysis *an, const char *url);

#endif /* MS_TEST_FILETEST_H */
