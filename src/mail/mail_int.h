/* SPDX-License-Identifier: Apache-2.0 */
/*
 * mail_int.h -- helpers shared by the readers inside src/mail (mime.c,
 * header.c, fixup.c, msg.c, tnef.c, mapi.c, uu.c).  Not for use outside
 * src/mail.
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
 * (mapi.c).  The bytes are UNTRUSTED; results live in 'a'.  The helpers
 * keep no state and may run in any thread.
 */

/*
 * MAPI property ids used by the readers ([MS-OXPROPS]; MAIL_ + the usual
 * PR_ name, "SENT_REPR" short for SENT_REPRESENTING).  A tag is the id in
 * the high 16 bits and the type in the low 16.
 */
#define MAIL_PR_SUBJECT			0x0037
#define MAIL_PR_CLIENT_SUBMIT_TIME	0x0039
#define MAIL_PR_SENT_REPR_NAME		0x0042
#define MAIL_PR_SENT_REPR_EMAIL		0x0065
#define MAIL_PR_TRANSPORT_HEADERS	0x007d
#define MAIL_PR_RECIPIENT_TYPE		0x0c15	/* 1 To, 2 Cc, 3 Bcc */
#define MAIL_PR_SENDER_NAME		0x0c1a
#define MAIL_PR_SENDER_EMAIL		0x0c1f
#define MAIL_PR_DELIVERY_TIME		0x0e06
#define MAIL_PR_BODY			0x1000
#define MAIL_PR_BODY_HTML		0x1013	/* PR_HTML when binary */
#define MAIL_PR_INTERNET_MESSAGE_ID	0x1035
#define MAIL_PR_DISPLAY_NAME		0x3001
#define MAIL_PR_EMAIL_ADDRESS		0x3003
#define MAIL_PR_ATTACH_DATA		0x3701	/* _BIN or _OBJ by type */
#define MAIL_PR_ATTACH_FILENAME		0x3704
#define MAIL_PR_ATTACH_METHOD		0x3705
#define MAIL_PR_ATTACH_LONG_FILENAME	0x3707
#define MAIL_PR_ATTACH_MIME_TAG		0x370e
#define MAIL_PR_ATTACH_CONTENT_ID	0x3712
#define MAIL_PR_SMTP_ADDRESS		0x39fe
#define MAIL_PR_INTERNET_CPID		0x3fde
#define MAIL_PR_MESSAGE_CODEPAGE	0x3ffd
#define MAIL_PR_SENDER_SMTP		0x5d01
#define MAIL_PR_SENT_REPR_SMTP		0x5d02

/* MAPI property types; MAIL_PT_MV marks a multi-valued one. */
#define MAIL_PT_SHORT			0x0002
#define MAIL_PT_LONG			0x0003
#define MAIL_PT_OBJECT			0x000d
#define MAIL_PT_STRING8			0x001e
#define MAIL_PT_UNICODE			0x001f
#define MAIL_PT_SYSTIME			0x0040
#define MAIL_PT_BINARY			0x0102
#define MAIL_PT_MV			0x1000

/* PR_ATTACH_METHOD of an attached message (ATTACH_EMBEDDED_MSG). */
#define MAIL_ATTACH_EMBEDDED_MSG	5

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
