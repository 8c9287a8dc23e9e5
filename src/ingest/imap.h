/* SPDX-License-Identifier: Apache-2.0 */
/*
 * imap.h -- one IMAP mailbox connection (libetpan: the only code that
 * includes libetpan), for the ingest side of `mailsoar serve` and for the
 * imap app's actions.  Blocking calls, one connection per thread; every
 * call is bounded by the connection's timeout.  The server is not trusted:
 * every size is bounded (LIMIT_MSG_BYTES per message), every answer is
 * checked, and a connection that misbehaves is closed and reported.
 *
 * Errors: MS_ENET for network and protocol trouble (worth a reconnect
 * with backoff), MS_EINVAL for a refusal that retrying will not fix (bad
 * credentials, certificate not trusted, no such mailbox), each with a
 * sentence in 'err' naming the server and the cause.  No password, token
 * or message content ever reaches 'err' or the log.
 */
#ifndef MS_IMAP_H
#define MS_IMAP_H

#include <stddef.h>
#include <stdint.h>

#include "../common/ms.h"

struct imap;

enum imap_tls {
	IMAP_TLS_IMAPS,		/* TLS from the first byte (port 993) */
	IMAP_TLS_STARTTLS,	/* plain, then STARTTLS before login */
	IMAP_TLS_NONE,		/* plain text: tests and loopback only */
};

enum imap_auth {
	IMAP_AUTH_LOGIN,	/* LOGIN, or AUTHENTICATE PLAIN */
	IMAP_AUTH_XOAUTH2,	/* 'secret' is the OAuth2 access token */
};

struct imap_config {
	const char	*host;
	int		 port;		/* 0: 993 for imaps, else 143 */
	enum imap_tls	 tls;
	const char	*ca_file;	/* NULL: the system's CA store */
	int		 verify;	/* check the certificate (default 1) */
	enum imap_auth	 auth;
	const char	*username;
	const char	*secret;	/* password or token; never logged */
	int		 timeout_ms;	/* per network operation */
};

/* Connect, start TLS as configured (verifying the certificate chain and
 * the host name unless verify is 0), and log in. */
enum ms_err	 imap_open(const struct imap_config *cf, struct imap **out,
		    char *err, size_t errlen);
void		 imap_close(struct imap *im);		/* NULL-safe; LOGOUT */

/* Whether the server announced IDLE / MOVE / UIDPLUS. */
int		 imap_has_idle(const struct imap *im);
int		 imap_has_move(const struct imap *im);

/* EXAMINE (read_only) or SELECT 'folder'; '*uidvalidity' and
 * '*uidnext' from the server's answer. */
enum ms_err	 imap_select(struct imap *im, const char *folder,
		    int read_only, uint32_t *uidvalidity, uint32_t *uidnext,
		    char *err, size_t errlen);

/* UIDs of the selected mailbox greater than 'after', ascending, at most
 * 'max' ('*uids' newly allocated, xfree). */
enum ms_err	 imap_uids_after(struct imap *im, uint32_t after,
		    size_t max, uint32_t **uids, size_t *n, char *err,
		    size_t errlen);
/* UIDs of messages with INTERNALDATE on or after 'since' (unix time). */
enum ms_err	 imap_uids_since(struct imap *im, int64_t since,
		    uint32_t **uids, size_t *n, char *err, size_t errlen);

/* The raw RFC 5322 bytes of message 'uid' (BODY.PEEK[]: flags are not
 * changed).  '*raw' newly allocated (xfree).  MS_ELIMIT when larger than
 * LIMIT_MSG_BYTES (nothing returned); MS_EAGAIN when the UID is gone. */
enum ms_err	 imap_fetch(struct imap *im, uint32_t uid, char **raw,
		    size_t *len, char *err, size_t errlen);

/* Wait for the server to announce a change (IDLE), at most 'wait_ms';
 * '*changed' says whether it did.  Without IDLE support, sleeps and
 * reports a change (the caller polls).  MS_ENET when the connection
 * dropped. */
enum ms_err	 imap_wait(struct imap *im, int wait_ms, int *changed,
		    char *err, size_t errlen);

/* After processing (by configuration): add 'flag' ("\\Seen", "$Mailsoar")
 * or MOVE to 'folder' (COPY + \\Deleted + UID EXPUNGE without MOVE). */
enum ms_err	 imap_flag(struct imap *im, uint32_t uid, const char *flag,
		    char *err, size_t errlen);
enum ms_err	 imap_move(struct imap *im, uint32_t uid, const char *folder,
		    char *err, size_t errlen);

/* APPEND a message (tests, the bench, `restore email`); '*uid' from
 * APPENDUID when the server says it, else 0. */
enum ms_err	 imap_append(struct imap *im, const char *folder,
		    const char *raw, size_t len, uint32_t *uid, char *err,
		    size_t errlen);

#endif /* MS_IMAP_H */
