/* SPDX-License-Identifier: Apache-2.0 */
/*
 * imap_int.h -- what the imap files share (imap__*): the connection, its
 * read budget and error helpers, the guarded transport.  Included only by
 * src/ingest/imap*.c, the only code that includes libetpan.
 *
 *   imap.c      connect, TLS, login, SELECT, IDLE, close
 *   imap_net.c  TCP, the guard stream under libetpan, certificate checks
 *   imap_msg.c  SEARCH, FETCH, STORE, MOVE, APPEND
 */
#ifndef MS_IMAP_INT_H
#define MS_IMAP_INT_H

#include <stddef.h>
#include <stdint.h>
#include <time.h>

#include <libetpan/libetpan.h>

#include "imap.h"

/* One answer other than a message body (SEARCH results, capabilities,
 * SELECT data): memory.  SEARCH over a million UIDs is about 8 MB. */
#define IMAP_RESPONSE_MAX	(16u * 1024 * 1024)
/* Protocol bytes around a fetched message (FETCH line, UID, flags). */
#define IMAP_FETCH_SLACK	(64u * 1024)
/* Certificates a server may present in its chain. */
#define IMAP_CHAIN_MAX		16
/* Untagged lines accepted before IDLE's continuation. */
#define IMAP_IDLE_LINES		1000
/* RFC 2177: re-issue IDLE well before the server's 30-minute timer. */
#define IMAP_IDLE_MAX_MS	(25 * 60 * 1000)
/* Server text quoted in an error message. */
#define IMAP_TEXT_MAX		120
/* A folder name or a flag, as we send it. */
#define IMAP_NAME_MAX		1000
#define IMAP_FLAG_MAX		100
/* When the configuration gives no timeout. */
#define IMAP_TIMEOUT_MS		30000

struct imap {
	mailimap	*s;
	char		*host;		/* for messages and SNI */
	char		*user;		/* for messages */
	int		 timeout_ms;
	int		 preauth;	/* the greeting was PREAUTH */
	int		 has_idle;
	int		 has_move;
	int		 has_uidplus;
	int		 dead;		/* out of step or closed: no more I/O */
	size_t		 budget;	/* bytes this call may still read */
	size_t		 cap;		/* what the budget started at */
	int		 over;		/* the budget ran out */
	int		 greeting;	/* the next read starts the greeting */
	int		 bye;		/* ... and it was a BYE */
};

/* Write 'fmt' into 'err' (which may be NULL). */
void		 imap__seterr(char *err, size_t errlen, const char *fmt, ...)
		    __attribute__((format(printf, 3, 4)));
/* libetpan's timeout for 'im': whole seconds, rounded up. */
time_t		 imap__secs(const struct imap *im);
/* Let the next reads of 'im' take 'n' bytes in all. */
void		 imap__budget(struct imap *im, size_t n);
/* Start the call 'what': MS_ENET at once on a dead connection, else
 * set the budget to 'budget'. */
enum ms_err	 imap__begin(struct imap *im, size_t budget, const char *what,
		    char *err, size_t errlen);
/* libetpan's result 'r' of step 'what' as our error and a sentence;
 * 'refused' is the error for a NO.  Stream and protocol trouble mark
 * the connection dead. */
enum ms_err	 imap__fail(struct imap *im, int r, enum ms_err refused,
		    const char *what, char *err, size_t errlen);
/* MS_OK if 'name' is a folder name we are willing to send. */
enum ms_err	 imap__check_name(struct imap *im, const char *name,
		    char *err, size_t errlen);

/* A blocking TCP socket to im->host:'port' within the timeout, or -1. */
int		 imap__tcp(struct imap *im, int port, char *err, size_t errlen);
/* Put the guard stream (read budget, no SIGPIPE) in front of 'inner',
 * which it then owns. */
mailstream_low	*imap__guard_wrap(struct imap *im, mailstream_low *inner);
/* libetpan's TLS setup callback ('arg' is the struct imap): SNI. */
void		 imap__tls_setup(struct mailstream_ssl_context *ctx, void *arg);
/* Check the peer's chain against 'ca_file' (NULL: the system's store)
 * and the host name; MS_EINVAL (and a dead connection) if untrusted. */
enum ms_err	 imap__tls_verify(struct imap *im, const char *ca_file,
		    char *err, size_t errlen);

#endif /* MS_IMAP_INT_H */
