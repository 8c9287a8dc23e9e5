/* SPDX-License-Identifier: Apache-2.0 */
/*
 * mail.h -- the read-only view of one email that every reader in src/mail
 * produces: GMime for RFC 5322 messages (mime.c), libgsf for Outlook .msg
 * files (msg.c).  TNEF (tnef.c) and uuencode (uu.c) add attachments.
 * Everything here lives in the caller's arena and is UTF-8 (text decoded,
 * RFC 2047/2231 words decoded).  Strings absent from the message are NULL.
 *
 * The structs are public (not opaque) because they are a plain read-only
 * data view shared by several readers; only src/mail fills them.
 */
#ifndef MS_MAIL_H
#define MS_MAIL_H

#include <stdint.h>

#include "../common/arena.h"
#include "../common/finding.h"

struct mail_addr {
	const char	*name;		/* display name, decoded; or NULL */
	const char	*addr;		/* local@domain as written */
};

struct mail_header {
	const char	*name;		/* as written */
	const char	*value;		/* unfolded, RFC 2047 decoded */
};

/* One Received: hop, newest first (header order). */
struct mail_hop {
	const char	*from;		/* "from" clause: helo / rdns */
	const char	*by;		/* "by" clause host */
	const char	*ip;		/* IP of the sending side, if given */
	const char	*with;		/* protocol */
	const char	*date;		/* the date after ';' as written */
	int64_t		 ts;		/* Unix time, or -1 */
	int		 ip_private;	/* ip is private/loopback/reserved */
};

/* One method result from Authentication-Results (RFC 8601). */
struct mail_auth {
	const char	*authserv;	/* authserv-id of the stating server */
	const char	*method;	/* spf, dkim, dmarc, arc, ... */
	const char	*result;	/* pass, fail, softfail, none, ... */
	const char	*domain;	/* mailfrom, header.d/.from */
	const char	*reason;
};

struct mail_email {
	struct mail_addr	*from;		/* first From: mailbox */
	struct arena_vec	 from_all;	/* mail_addr *: all of From */
	struct mail_addr	*sender;
	struct mail_addr	*reply_to;
	struct mail_addr	*return_path;
	struct arena_vec	 to;		/* struct mail_addr * */
	struct arena_vec	 cc;
	struct arena_vec	 bcc;
	const char		*subject;
	const char		*date;		/* as written */
	int64_t			 date_ts;	/* Unix time, or -1 */
	const char		*message_id;	/* without <> */
	const char		*in_reply_to;	/* without <> */
	struct arena_vec	 references;	/* const char *, without <> */
	const char		*x_mailer;
	const char		*user_agent;
	struct arena_vec	 received;	/* struct mail_hop * */
	const char		*originating_ip; /* first external hop's IP */
	struct arena_vec	 auth;		/* struct mail_auth * */
	struct arena_vec	 headers;	/* mail_header *, in order */
	const char		*text;		/* first text/plain, UTF-8 */
	size_t			 text_len;
	const char		*html;		/* first text/html, UTF-8 */
	size_t			 html_len;
};

enum mail_part_flags {
	MAIL_PART_ATTACHMENT	= 1 << 0, /* disposition attachment or named */
	MAIL_PART_TEXT		= 1 << 1, /* text/ *: data converted to UTF-8 */
	MAIL_PART_BODY		= 1 << 2, /* chosen as email.text or .html */
	MAIL_PART_UUENCODED	= 1 << 3, /* found as a uuencoded block */
	MAIL_PART_TNEF		= 1 << 4, /* unpacked from winmail.dat */
	MAIL_PART_MSG		= 1 << 5, /* from an Outlook .msg */
	MAIL_PART_LEFTOVER	= 1 << 6, /* text of a multipart with no
					     delimited part (preamble,
					     epilogue): scanned, not shown */
};

struct mail_msg;

/* One leaf part (or message/rfc822 part) with its decoded content. */
struct mail_part {
	const char		*path;		/* "1.2" (IMAP-style) */
	const char		*content_type;	/* lower case "type/subtype" */
	const char		*charset;	/* declared, or NULL */
	const char		*disposition;	/* attachment, inline, NULL */
	const char		*file_name;	/* decoded, or NULL */
	const char		*content_id;
	const char		*encoding;	/* transfer encoding */
	const unsigned char	*data;		/* decoded bytes */
	size_t			 len;
	unsigned		 flags;		/* enum mail_part_flags */
	int			 depth;		/* nesting depth, 0 = top */
	struct mail_msg		*embedded;	/* attached email, parsed */
};

struct mail_msg {
	struct mail_email	 email;
	struct arena_vec	 parts;		/* mail_part *, walk order */
	struct arena_vec	*findings;	/* shared with the caller */
	int			 depth;		/* 0 for the top level */
	const char		*path;		/* "" at top, else part path */
	const char		*source;	/* "rfc5322" or "outlook-msg" */
};

/*
 * Parse an RFC 5322 message (UNTRUSTED 'raw', 'len' bytes).  Allocates
 * only from 'a'; appends problems to 'findings' (struct finding *).
 * 'raw' is borrowed, not copied: it must stay valid and unchanged until
 * 'a' is freed.
 * Nested message/rfc822 parts, attached .eml and .msg files, TNEF and
 * uuencoded blocks are walked and appear in 'parts' (embedded messages
 * parsed).  Returns MS_OK (possibly with findings), MS_ELIMIT when a hard
 * limit stopped the walk (a "limit_*" finding says which; '*out' is still
 * set with what was read) or MS_EPARSE when nothing could be read.
 * Thread-safe after mail_init().
 */
enum ms_err	 mail_parse(struct arena *a, const char *raw, size_t len,
		    struct arena_vec *findings, struct mail_msg **out);

/* Call once per process before any mail_parse (g_mime_init). */
void		 mail_init(void);
void		 mail_shutdown(void);

/*
 * Guess whether UNTRUSTED bytes are an Outlook .msg (OLE2 compound file),
 * an mbox (starts with "From "), or an RFC 5322 message.
 */
enum mail_format { MAIL_FMT_RFC5322, MAIL_FMT_MBOX, MAIL_FMT_OUTLOOK };
enum mail_format mail_sniff(const char *raw, size_t len);

/*
 * Iterate over the messages of an mbox (UNTRUSTED): start with '*off' = 0;
 * each call returns 1 and points '*msg' / '*mlen' at the next message
 * (without its "From " line), or returns 0 at the end.  Bytes are not
 * copied and ">From " quoting is left as it is.
 */
int		 mail_mbox_next(const char *raw, size_t len, size_t *off,
		    const char **msg, size_t *mlen);

#endif /* MS_MAIL_H */
