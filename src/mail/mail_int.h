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

/*
 * MAPI property values, shared by the TNEF and Outlook .msg readers
 * (mapi.c).  The bytes are UNTRUSTED; results live in 'a'.  Pure
 * functions of their arguments, safe in any thread.
 */

/* The little-endian u32 / u64 at 'p'; the caller checked 4 / 8 bytes. */
uint32_t	mail__mapi_le32(const unsigned char *p);
uint64_t	mail__mapi_le64(const unsigned char *p);

/*
 * 'n' bytes of 8-bit text in Windows code page 'cpid' (0 if unknown) to
 * a NUL-terminated UTF-8 copy, up to the first NUL.  Valid UTF-8 is kept
 * as is; bytes that do not convert are replaced (U+FFFD), never dropped.
 * NULL only when the arena is full.
 */
char		*mail__mapi_str8(struct arena *a, uint32_t cpid,
		    const unsigned char *p, size_t n);

/*
 * 'n' bytes of UTF-16LE (possibly unaligned, odd length, with lone
 * surrogates) to a UTF-8 copy, up to the first U+0000.  A trailing odd
 * byte is dropped; lone surrogates become U+FFFD.  NULL only when the
 * arena is full.
 */
char		*mail__mapi_utf16(struct arena *a, const unsigned char *p,
		    size_t n);

/*
 * A copy of Message-ID 'id' (PR_INTERNET_MESSAGE_ID, may be NULL) without
 * surrounding white space and one pair of angle brackets.  NULL when 'id'
 * is NULL or blank, or the arena is full.
 */
const char	*mail__mapi_msgid(struct arena *a, const char *id);

/*
 * Unless 'e' has a date already, set e->date (RFC 5322, UTC, English
 * names whatever the locale) and e->date_ts from FILETIME 'ft' (100 ns
 * ticks since 1601-01-01).  Times before 1970 or after year 9999 leave
 * 'e' alone.  Returns MS_OK, or MS_ELIMIT when the arena is full.
 */
enum ms_err	mail__mapi_date(struct arena *a, struct mail_email *e,
		    uint64_t ft);

/*
 * The properties that name a sender or recipient, as UTF-8 (each may be
 * NULL or empty): display name, SMTP address (PR_SMTP_ADDRESS,
 * PR_SENDER_SMTP_ADDRESS, ...), and e-mail address (PR_EMAIL_ADDRESS,
 * PR_SENDER_EMAIL_ADDRESS, ...), used only when it contains an '@'.
 */
struct mail__mapi_who {
	const char	*name;
	const char	*smtp;
	const char	*email;
};

/*
 * A new address for 'w' in '*out', borrowing its strings (empty ones
 * become NULL); '*out' is NULL when 'w' has neither name nor address.
 * Returns MS_OK, or MS_ELIMIT when the arena is full.
 */
enum ms_err	mail__mapi_addr(struct arena *a,
		    const struct mail__mapi_who *w, struct mail_addr **out);

/*
 * Unless 'e' has a From already (from transport headers), set From to
 * 'repr' (PR_SENT_REPRESENTING_*), else 'sender' (PR_SENDER_*), append
 * it to e->from_all, and set Sender to 'sender' when both have addresses
 * that differ (a delegate).  Returns MS_OK or MS_ELIMIT.
 */
enum ms_err	mail__mapi_senders(struct arena *a, struct mail_email *e,
		    const struct mail__mapi_who *sender,
		    const struct mail__mapi_who *repr);

/*
 * A trimmed, lower-case copy of MIME tag 'tag' (PR_ATTACH_MIME_TAG, may
 * be NULL) in '*out'; NULL when the tag is absent or blank, so that the
 * caller picks its default.  Returns MS_OK, or MS_ELIMIT (arena full).
 */
enum ms_err	mail__mapi_mime(struct arena *a, const char *tag,
		    const char **out);

/* The first of 'a', 'b', 'c' that is neither NULL nor empty, or NULL. */
const char	*mail__mapi_pick(const char *a, const char *b, const char *c);

#endif /* MS_MAIL_INT_H */
