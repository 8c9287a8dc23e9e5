/* SPDX-License-Identifier: Apache-2.0 */
/*
 * limits.h -- every bound on hostile input, in one place (SQLite's
 * sqliteLimit.h).  Each limit says what it protects.  Past a limit the
 * analysis records a finding ("limit_*") and says so on stderr; nothing
 * is truncated silently.  Each one has a test at the limit and past it.
 */
#ifndef MS_LIMITS_H
#define MS_LIMITS_H

/* One email (or one mbox file) as read from a file, stdin or a mailbox:
 * memory and CPU. */
#define LIMIT_MSG_BYTES		(50u * 1024 * 1024)
/* Everything derived from one email: decoded copies, strings, tables. */
#define LIMIT_MSG_ARENA		(8u * LIMIT_MSG_BYTES)
/* Nested multiparts and message/rfc822 parts: stack depth, CPU. */
#define LIMIT_MIME_DEPTH	32
/* MIME parts walked in one email (all nesting levels): CPU, arena. */
#define LIMIT_MIME_PARTS	4096
/* Sum of decoded part bodies in one email (base64 bombs, TNEF, .msg). */
#define LIMIT_DECODED_BYTES	(200u * 1024 * 1024)
/* Distinct URLs kept for one email or one `extract` input. */
#define LIMIT_URLS_PER_MSG	10000
/* Distinct indicators of any other kind (domains, IPs, emails, hashes). */
#define LIMIT_IOCS_PER_MSG	20000
/* One header field, unfolded: the header parsers are linear but the
 * output is kept in the report. */
#define LIMIT_HEADER_BYTES	(64u * 1024)
/* Header fields in one message header. */
#define LIMIT_HEADERS		2000
/* Received hops parsed per message. */
#define LIMIT_RECEIVED_HOPS	100
/* Length of one URL (longer strings are not URLs we keep). */
#define LIMIT_URL_BYTES		8192
/* Text handed to the indicator extractor per part (HTML or text). */
#define LIMIT_EXTRACT_BYTES	(16u * 1024 * 1024)
/* Attachments recorded for one email, including nested and unpacked. */
#define LIMIT_ATTACHMENTS	1024
/* TNEF attributes and MAPI properties walked in one winmail.dat. */
#define LIMIT_TNEF_ATTRS	10000
/* Streams read from one Outlook .msg compound file. */
#define LIMIT_MSG_STREAMS	20000
/* Memory of the intel app's in-memory index (strings, entries, tags),
 * trie and hash tables aside: about 20 million indicators. */
#define LIMIT_INTEL_INDEX_BYTES	(4ull * 1024 * 1024 * 1024)
/* Matches reported for one looked-up value (covering networks, parent
 * domains, sources): the result's size. */
#define LIMIT_INTEL_MATCHES	256
/* One indicator value, normalised (a URL can be long; LIMIT_URL_BYTES
 * is the longest the extractor keeps). */
#define LIMIT_INTEL_VALUE	LIMIT_URL_BYTES
/* One feed downloaded by `mailsoar intel load URL` (disk; the parser
 * reads at most 256 MiB of a file anyway). */
#define LIMIT_INTEL_FEED_BYTES	(256ull * 1024 * 1024)
/* The whole download of one feed, in milliseconds. */
#define LIMIT_INTEL_FETCH_MS	(10 * 60 * 1000)
/* Entry headers read from one archive attachment (no data is
 * decompressed): CPU on archives of millions of empty entries. */
#define LIMIT_ARCHIVE_ENTRIES	10000

/* Images (PNG, JPEG) decoded to look for QR codes in one email: CPU
 * and memory per email (the rest are not decoded). */
#define LIMIT_QR_IMAGES		16
/* One image file decoded for QR codes (larger files are not read). */
#define LIMIT_IMAGE_BYTES	(20u * 1024 * 1024)
/* Width or height of a decoded image, whatever its header claims. */
#define LIMIT_IMAGE_SIDE	8192
/* Pixels of a decoded image: its 8-bit grey copy is this many bytes,
 * and the QR scanner's time grows with it. */
#define LIMIT_IMAGE_PIXELS	(40u * 1000 * 1000)
/* Memory libjpeg may take for one image (progressive JPEGs buffer all
 * their coefficients: up to 6 bytes a pixel). */
#define LIMIT_IMAGE_DECODE_MEM	(320u * 1024 * 1024)
/* Scans of one progressive JPEG (a many-scan file costs CPU for each
 * without adding pixels). */
#define LIMIT_JPEG_SCANS	100
/* Pixels decoded for QR codes in one email, all images together: the
 * scanner takes about 0.1 s per megapixel of noise, so this bounds the
 * CPU an email full of large noisy images costs (a few seconds). */
#define LIMIT_QR_PIXELS_PER_MSG	(64u * 1000 * 1000)
/* QR codes kept from one image. */
#define LIMIT_QR_PER_IMAGE	16

/* PDF attachments (src/files/pdf.c).  Bytes one FlateDecode stream may
 * inflate to: memory for the copy the lexer reads (decompression bombs
 * stop here). */
#define LIMIT_PDF_INFLATE_PER_STREAM	(8u * 1024 * 1024)
/* Bytes all the streams of one PDF may inflate to: CPU and memory. */
#define LIMIT_PDF_INFLATE_PER_FILE	(32u * 1024 * 1024)
/* Bytes all the PDFs and Office files of one email may inflate to (zlib
 * runs at a few hundred MB/s: a fraction of a second). */
#define LIMIT_PDF_INFLATE_PER_MSG	(64u * 1024 * 1024)
/* Streams looked at in one PDF (the rest are skipped, not read). */
#define LIMIT_PDF_STREAMS	4096
/* Distinct link URIs kept from one PDF: the report's size. */
#define LIMIT_PDF_URIS		256
/* Images listed in one PDF: JPEGs, FlateDecode pixels and drawings (at
 * most LIMIT_QR_IMAGES per email are decoded anyway). */
#define LIMIT_PDF_IMAGES	64
/* Filled rectangles followed in one content stream for a QR code drawn
 * as vectors (pdf_draw.c): memory and the drawing's work. */
#define LIMIT_PDF_DRAW_RECTS	65536

/* Office Open XML attachments (src/files/ooxml.c).  Bytes one XML part
 * (relationships, the Word body, an external link) may inflate to: the
 * heap copy the scanner reads; a zip bomb part stops here. */
#define LIMIT_OOXML_PART_BYTES	(8u * 1024 * 1024)
/* Bytes all the parts read from one file may inflate to (images
 * included): CPU and memory.  The email's LIMIT_PDF_INFLATE_PER_MSG
 * budget is shared with PDFs. */
#define LIMIT_OOXML_BYTES	(32u * 1024 * 1024)
/* External relationships (hyperlinks, remote templates ...) kept from
 * one file: the report's size. */
#define LIMIT_OOXML_URLS	256
/* Images inflated from one file for the QR scanner (at most
 * LIMIT_QR_IMAGES per email are decoded anyway). */
#define LIMIT_OOXML_IMAGES	16

#endif /* MS_LIMITS_H */
