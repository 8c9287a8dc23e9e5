/* SPDX-License-Identifier: Apache-2.0 */
/*
 * mail_int.h -- helpers shared by the readers inside src/mail (mime.c,
 * msg.c, tnef.c, uu.c).  Not for use outside src/mail.
 */
#ifndef MS_MAIL_INT_H
#define MS_MAIL_INT_H

#include "mail.h"

/*
 * Parse an RFC 5322 header block (UNTRUSTED; e.g. an Outlook .msg's
 * PR_TRANSPORT_MESSAGE_HEADERS) into the header fields of 'e' (addresses,
 * subject, ids, Received hops, Authentication-Results, the raw header
 * list).  Body fields are left alone.  Returns MS_OK or MS_ELIMIT.
 */
enum ms_err	mail__headers(struct arena *a, const char *raw, size_t len,
		    struct mail_email *e, struct arena_vec *findings);

/*
 * Parse 'len' bytes as an RFC 5322 message nested at 'path' / 'depth'
 * (for attached .eml files and message/rfc822 parts).
 */
enum ms_err	mail__parse_nested(struct arena *a, const char *raw,
		    size_t len, const char *path, int depth,
		    struct arena_vec *findings, struct mail_msg **out);

/*
 * Append a new part to 'm' (counting it against LIMIT_MIME_PARTS, its
 * data against LIMIT_DECODED_BYTES).  MS_ELIMIT past a limit (a finding
 * is recorded).  '*out' receives the zeroed part to fill.
 */
enum ms_err	mail__part_new(struct arena *a, struct mail_msg *m,
		    const char *path, struct mail_part **out);

/*
 * Fill the header fields of 'e' from a parsed GMime message (header.c).
 * 'opts' are the parser options used for address lists.  'path' names the
 * message in findings.  Returns MS_OK or MS_ELIMIT.  The GMime types are
 * passed as void * so that this header does not include gmime.h.
 */
enum ms_err	mail__email_from_gmime(struct arena *a, void *gmime_message,
		    void *opts, struct mail_email *e,
		    struct arena_vec *findings, const char *path);

/* Parse one Received: value into a hop (header.c).  NULL past the cap. */
struct mail_hop	*mail__received_parse(struct arena *a, const char *value);

/* Parse one Authentication-Results: value, appending struct mail_auth *
 * to 'out' (header.c). */
enum ms_err	mail__authres_parse(struct arena *a, const char *value,
		    struct arena_vec *out);

/* Is textual 'ip' private, loopback, link-local or otherwise not a
 * public internet address? */
int		mail__ip_private(const char *ip);

enum mail_fixup {
	MAIL_FIXUP_DELIMITER	 = 1 << 0,	/* junk after a delimiter */
	MAIL_FIXUP_LONG_BOUNDARY = 1 << 1,	/* boundary over 70 chars */
};

/*
 * Normalise malformations GMime would drop content for (fixup.c).
 * Returns NULL if 'raw' needs no change, else a g_malloc'd copy with
 * '*outlen' bytes; '*what' says what was changed (enum mail_fixup).
 */
char		*mail__fixup(const char *raw, size_t len, size_t *outlen,
		    unsigned *what);

#endif /* MS_MAIL_INT_H */
