/* SPDX-License-Identifier: Apache-2.0 */
/*
 * imap.c -- one IMAP connection over libetpan (the only file that
 * includes it), for the ingest side of `mailsoar serve` and the imap
 * app.  Runs on whichever thread owns the connection; blocking calls.
 *
 * The server is not trusted.  libetpan parses the protocol, but every
 * byte it reads passes through a guard stream (imap_guard_*) that caps
 * what one call may read, so an endless line or a lying literal ends in
 * MS_ELIMIT instead of memory exhaustion, and that keeps SIGPIPE from a
 * dead peer away from the process.  Every answer is checked before use;
 * a connection that goes out of step is marked dead and every later call
 * fails fast with MS_ENET.  TLS certificates are checked here with GnuTLS
 * (libetpan does not) before a single command is sent.  Passwords and
 * tokens reach libetpan only; no message or log line carries them.
 */
#include <sys/socket.h>
#include <sys/types.h>
#include <arpa/inet.h>
#include <errno.h>
#include <fcntl.h>
#include <netdb.h>
#include <poll.h>
#include <pthread.h>
#include <signal.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include <glib.h>
#include <gnutls/gnutls.h>
#include <gnutls/x509.h>
#include <libetpan/libetpan.h>

#include "../common/limits.h"
#include "../common/log.h"
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

/* The guard stream sits between libetpan and the socket or TLS stream. */
struct imap_guard {
	mailstream_low	*inner;
	struct imap	*im;
};

/* Write 'fmt' into 'err' (which may be NULL). */
static void __attribute__((format(printf, 3, 4)))
imap_seterr(char *err, size_t errlen, const char *fmt, ...)
{
	va_list	ap;

	if (err == NULL || errlen == 0)
		return;
	va_start(ap, fmt);
	vsnprintf(err, errlen, fmt, ap);
	va_end(ap);
}

/* The libetpan timeout: whole seconds, rounded up, at least one. */
static time_t
imap_secs(const struct imap *im)
{
	return (time_t)((im->timeout_ms + 999) / 1000);
}

/*
 * Reads for libetpan: at most what is left of the call's budget.  When
 * the budget is spent the read fails, which libetpan reports as a stream
 * error; 'over' tells imap_fail() what really happened.
 */
static ssize_t
imap_guard_read(mailstream_low *low, void *buf, size_t count)
{
	struct imap_guard	*g = low->data;
	ssize_t			 r;

	if (g->im->budget == 0) {
		g->im->over = 1;
		return -1;
	}
	if (count > g->im->budget)
		count = g->im->budget;
	r = mailstream_low_read(g->inner, buf, count);
	if (r > 0)
		g->im->budget -= (size_t)r;
	/* libetpan leaks the parsed greeting when it is a BYE ("too many
	 * connections"), which a reconnecting daemon may meet every few
	 * seconds: such a greeting ends here, as a read error. */
	if (r > 0 && g->im->greeting) {
		g->im->greeting = 0;
		if (r >= 5 && g_ascii_strncasecmp(buf, "* BYE", 5) == 0) {
			g->im->bye = 1;
			return -1;
		}
	}
	return r;
}

/*
 * Writes for libetpan, with SIGPIPE blocked in this thread: libetpan
 * and GnuTLS send without MSG_NOSIGNAL, and a server that hangs up must
 * not kill the process.  A SIGPIPE raised here is consumed here.
 */
static ssize_t
imap_guard_write(mailstream_low *low, const void *buf, size_t count)
{
	struct imap_guard	*g = low->data;
	struct timespec		 zero = { 0, 0 };
	sigset_t		 pipe_set, old, pending;
	ssize_t			 r;
	int			 was_pending;

	sigemptyset(&pipe_set);
	sigaddset(&pipe_set, SIGPIPE);
	pthread_sigmask(SIG_BLOCK, &pipe_set, &old);
	sigpending(&pending);
	was_pending = sigismember(&pending, SIGPIPE);
	r = mailstream_low_write(g->inner, buf, count);
	if (r < 0 && !was_pending) {
		sigpending(&pending);
		if (sigismember(&pending, SIGPIPE))
			(void)sigtimedwait(&pipe_set, NULL, &zero);
	}
	pthread_sigmask(SIG_SETMASK, &old, NULL);
	return r;
}

/* Close the inner stream (and its socket). */
static int
imap_guard_close(mailstream_low *low)
{
	struct imap_guard	*g = low->data;

	return mailstream_low_close(g->inner);
}

/* The socket under the inner stream. */
static int
imap_guard_get_fd(mailstream_low *low)
{
	struct imap_guard	*g = low->data;

	return mailstream_low_get_fd(g->inner);
}

/* Free the inner stream (without closing its socket), then ourselves. */
static void
imap_guard_free(mailstream_low *low)
{
	struct imap_guard	*g = low->data;

	mailstream_low_free(g->inner);
	xfree(g);
	free(low);	/* checksrc: allow rawalloc -- libetpan's malloc */
}

/* Forwarded to the inner stream. */
static void
imap_guard_cancel(mailstream_low *low)
{
	struct imap_guard	*g = low->data;

	mailstream_low_cancel(g->inner);
}

/* Forwarded to the inner stream. */
static struct mailstream_cancel *
imap_guard_get_cancel(mailstream_low *low)
{
	struct imap_guard	*g = low->data;

	return mailstream_low_get_cancel(g->inner);
}

/* The peer's chain as DER strings, from the inner TLS stream. */
static carray *
imap_guard_chain(mailstream_low *low)
{
	struct imap_guard	*g = low->data;

	if (g->inner->driver->mailstream_get_certificate_chain == NULL)
		return NULL;
	return mailstream_low_get_certificate_chain(g->inner);
}

static mailstream_low_driver imap_guard_driver = {
	.mailstream_read = imap_guard_read,
	.mailstream_write = imap_guard_write,
	.mailstream_close = imap_guard_close,
	.mailstream_get_fd = imap_guard_get_fd,
	.mailstream_free = imap_guard_free,
	.mailstream_cancel = imap_guard_cancel,
	.mailstream_get_cancel = imap_guard_get_cancel,
	.mailstream_get_certificate_chain = imap_guard_chain,
};

/* Put a guard in front of 'inner' (which it then owns). */
static mailstream_low *
imap_guard_wrap(struct imap *im, mailstream_low *inner)
{
	struct imap_guard	*g = xcalloc(1, sizeof(*g));
	mailstream_low		*low;

	g->inner = inner;
	g->im = im;
	low = mailstream_low_new(g, &imap_guard_driver);
	if (low == NULL)
		fatalx("imap: out of memory");
	return low;
}

/* What the next reads may take in all. */
static void
imap_budget(struct imap *im, size_t n)
{
	im->budget = n;
	im->cap = n;
	im->over = 0;
}

/* Start a call: fail fast on a dead connection, else set its budget. */
static enum ms_err
imap_begin(struct imap *im, size_t budget, const char *what, char *err,
    size_t errlen)
{
	if (im == NULL) {
		imap_seterr(err, errlen, "imap: %s: no connection", what);
		return MS_EINVAL;
	}
	if (im->dead || im->s->imap_stream == NULL) {
		imap_seterr(err, errlen, "imap %s: %s: connection is closed",
		    im->host, what);
		return MS_ENET;
	}
	imap_budget(im, budget);
	return MS_OK;
}

/* The server's last response text, printable ASCII only, shortened. */
static void
imap_text(const struct imap *im, char *out, size_t outlen)
{
	const char	*t = im->s->imap_response;
	size_t		 i;

	if (t == NULL || *t == '\0')
		t = "no reason given";
	for (i = 0; t[i] != '\0' && i < IMAP_TEXT_MAX && i + 1 < outlen;
	    i++)
		out[i] = (t[i] >= 0x20 && t[i] < 0x7f) ? t[i] : '?';
	out[i] = '\0';
}

/*
 * Map libetpan's result 'r' of the step 'what' to our error and a
 * sentence.  Stream and protocol trouble kill the connection (we no
 * longer know where we are in the stream); a refusal (NO) leaves it
 * usable and returns 'refused'.
 */
static enum ms_err
imap_fail(struct imap *im, int r, enum ms_err refused, const char *what,
    char *err, size_t errlen)
{
	char	text[IMAP_TEXT_MAX + 1];

	if (im->over) {
		im->dead = 1;
		imap_seterr(err, errlen, "imap %s: %s: answer larger than "
		    "%zu bytes; connection closed", im->host, what,
		    im->cap);
		return MS_ELIMIT;
	}
	switch (r) {
	case MAILIMAP_ERROR_BAD_STATE:
		imap_seterr(err, errlen, "imap %s: %s: no folder selected",
		    im->host, what);
		return MS_EINVAL;
	case MAILIMAP_ERROR_STREAM:
	case MAILIMAP_ERROR_CONNECTION_REFUSED:
	case MAILIMAP_ERROR_SSL:
		im->dead = 1;
		imap_seterr(err, errlen, "imap %s: %s: connection lost",
		    im->host, what);
		return MS_ENET;
	case MAILIMAP_ERROR_PARSE:
	case MAILIMAP_ERROR_FATAL:
	case MAILIMAP_ERROR_PROTOCOL:
	case MAILIMAP_ERROR_MEMORY:
	case MAILIMAP_ERROR_DONT_ACCEPT_CONNECTION:
	case MAILIMAP_ERROR_NEEDS_MORE_DATA:
		im->dead = 1;
		imap_seterr(err, errlen, "imap %s: %s: protocol error "
		    "(libetpan %d); connection closed", im->host, what, r);
		return MS_ENET;
	default:
		imap_text(im, text, sizeof(text));
		imap_seterr(err, errlen, "imap %s: %s: refused: %s",
		    im->host, what, text);
		return refused;
	}
}

/*
 * A TCP connection to host:port within the timeout: every address in
 * turn, non-blocking connect and poll(2).  Returns a blocking socket, or
 * -1 with 'err' set.
 */
static int
imap_tcp(struct imap *im, int port, char *err, size_t errlen)
{
	struct addrinfo		 hints, *res = NULL, *ai;
	struct pollfd		 pfd;
	char			 serv[16];
	socklen_t		 sl;
	int			 fd = -1, rc, soerr = 0, flags;

	memset(&hints, 0, sizeof(hints));
	hints.ai_family = AF_UNSPEC;
	hints.ai_socktype = SOCK_STREAM;
	snprintf(serv, sizeof(serv), "%d", port);
	rc = getaddrinfo(im->host, serv, &hints, &res);
	if (rc != 0) {
		imap_seterr(err, errlen, "imap %s: cannot resolve: %s",
		    im->host, gai_strerror(rc));
		return -1;
	}
	for (ai = res; ai != NULL; ai = ai->ai_next) {
		fd = socket(ai->ai_family, ai->ai_socktype | SOCK_CLOEXEC |
		    SOCK_NONBLOCK, ai->ai_protocol);
		if (fd < 0) {
			soerr = errno;
			continue;
		}
		if (connect(fd, ai->ai_addr, ai->ai_addrlen) == 0)
			break;
		soerr = errno;
		if (errno == EINPROGRESS) {
			pfd.fd = fd;
			pfd.events = POLLOUT;
			rc = poll(&pfd, 1, im->timeout_ms);
			sl = sizeof(soerr);
			if (rc == 1 && getsockopt(fd, SOL_SOCKET, SO_ERROR,
			    &soerr, &sl) == 0 && soerr == 0)
				break;
			if (rc == 0)
				soerr = ETIMEDOUT;
		}
		close(fd);
		fd = -1;
	}
	freeaddrinfo(res);
	if (fd < 0) {
		imap_seterr(err, errlen, "imap %s: cannot connect to port "
		    "%d: %s", im->host, port, g_strerror(soerr));
		return -1;
	}
	flags = fcntl(fd, F_GETFL);
	(void)fcntl(fd, F_SETFL, flags & ~O_NONBLOCK);
	flags = 1;
	(void)setsockopt(fd, SOL_SOCKET, SO_KEEPALIVE, &flags,
	    sizeof(flags));
	return fd;
}

/* libetpan's TLS setup hook: SNI, unless the host is an address. */
static void
imap_tls_setup(struct mailstream_ssl_context *ctx, void *arg)
{
	struct imap	*im = arg;
	unsigned char	 addr[16];

	if (inet_pton(AF_INET, im->host, addr) == 1 ||
	    inet_pton(AF_INET6, im->host, addr) == 1)
		return;
	(void)mailstream_ssl_set_server_name(ctx, im->host);
}

/* Load the trust anchors: 'ca_file', else the system's store. */
static enum ms_err
imap_tls_trust(struct imap *im, const char *ca_file,
    gnutls_x509_trust_list_t *out, char *err, size_t errlen)
{
	gnutls_x509_trust_list_t	tl;
	int				r;

	if (gnutls_x509_trust_list_init(&tl, 0) < 0)
		fatalx("imap: gnutls: out of memory");
	if (ca_file != NULL)
		r = gnutls_x509_trust_list_add_trust_file(tl, ca_file, NULL,
		    GNUTLS_X509_FMT_PEM, 0, 0);
	else
		r = gnutls_x509_trust_list_add_system_trust(tl, 0, 0);
	if (r <= 0) {
		gnutls_x509_trust_list_deinit(tl, 1);
		imap_seterr(err, errlen, "imap %s: no CA certificates in %s",
		    im->host, ca_file ? ca_file : "the system's trust store");
		return MS_EINVAL;
	}
	*out = tl;
	return MS_OK;
}

/*
 * Check the peer's chain against the trust anchors and the host name.
 * Runs right after the handshake, before any IMAP byte is read or sent.
 */
static enum ms_err
imap_tls_verify(struct imap *im, const char *ca_file, char *err,
    size_t errlen)
{
	gnutls_x509_trust_list_t	 tl = NULL;
	gnutls_x509_crt_t		 crt[IMAP_CHAIN_MAX];
	gnutls_typed_vdata_st		 purpose;
	gnutls_datum_t			 der, why = { NULL, 0 };
	carray				*chain;
	MMAPString			*str;
	unsigned int			 i, n = 0, status = 0;
	enum ms_err			 rc = MS_EINVAL;

	chain = mailstream_get_certificate_chain(im->s->imap_stream);
	if (chain == NULL || carray_count(chain) == 0 ||
	    carray_count(chain) > IMAP_CHAIN_MAX) {
		imap_seterr(err, errlen, "certificate of %s not trusted: "
		    "%s", im->host, chain == NULL || carray_count(chain) == 0 ?
		    "no certificate" : "chain too long");
		goto out;
	}
	for (n = 0; n < carray_count(chain); n++) {
		str = carray_get(chain, n);
		der.data = (unsigned char *)str->str;
		der.size = (unsigned int)str->len;
		if (gnutls_x509_crt_init(&crt[n]) < 0)
			fatalx("imap: gnutls: out of memory");
		if (gnutls_x509_crt_import(crt[n], &der,
		    GNUTLS_X509_FMT_DER) < 0) {
			n++;
			imap_seterr(err, errlen, "certificate of %s not "
			    "trusted: malformed certificate", im->host);
			goto out;
		}
	}
	rc = imap_tls_trust(im, ca_file, &tl, err, errlen);
	if (rc != MS_OK)
		goto out;
	rc = MS_EINVAL;
	memset(&purpose, 0, sizeof(purpose));
	purpose.type = GNUTLS_DT_KEY_PURPOSE_OID;
	purpose.data = (unsigned char *)GNUTLS_KP_TLS_WWW_SERVER;
	if (gnutls_x509_trust_list_verify_crt2(tl, crt, n, &purpose, 1, 0,
	    &status, NULL) < 0 || status != 0) {
		if (status == 0 || gnutls_certificate_verification_status_print(
		    status, GNUTLS_CRT_X509, &why, 0) < 0)
			why.data = NULL;
		imap_seterr(err, errlen, "certificate of %s not trusted: %s",
		    im->host, why.data ? (char *)why.data :
		    "verification failed");
		goto out;
	}
	if (!gnutls_x509_crt_check_hostname2(crt[0], im->host, 0)) {
		imap_seterr(err, errlen, "certificate of %s not trusted: "
		    "it does not name %s", im->host, im->host);
		goto out;
	}
	rc = MS_OK;
out:
	gnutls_free(why.data);
	for (i = 0; i < n; i++)
		gnutls_x509_crt_deinit(crt[i]);
	if (tl != NULL)
		gnutls_x509_trust_list_deinit(tl, 1);
	if (chain != NULL)
		mailstream_certificate_chain_free(chain);
	if (rc != MS_OK)
		im->dead = 1;
	return rc;
}

/* STARTTLS: ask, then swap the plain stream for a TLS one and verify. */
static enum ms_err
imap_starttls(struct imap *im, const struct imap_config *cf, char *err,
    size_t errlen)
{
	mailstream	*stream = im->s->imap_stream;
	mailstream_low	*old, *tls;
	int		 r, fd;

	r = mailimap_starttls(im->s);
	/* Bytes already buffered came in plain text after the OK: an
	 * injection attempt (CVE-2020-15953 in libetpan's own code). */
	if (stream->read_buffer_len != 0) {
		im->dead = 1;
		imap_seterr(err, errlen, "imap %s: STARTTLS: server sent "
		    "data before the handshake; refused", im->host);
		return MS_ENET;
	}
	if (r == MAILIMAP_ERROR_STARTTLS || r == MAILIMAP_ERROR_PROTOCOL) {
		/* NO or BAD: the server has no TLS.  Never fall back. */
		im->dead = 1;
		imap_seterr(err, errlen, "imap %s: server refused STARTTLS",
		    im->host);
		return MS_EINVAL;
	}
	if (r != MAILIMAP_NO_ERROR)
		return imap_fail(im, r, MS_ENET, "STARTTLS", err, errlen);
	old = mailstream_get_low(stream);
	fd = mailstream_low_get_fd(old);
	tls = mailstream_low_tls_open_with_callback_timeout(fd,
	    imap_secs(im), imap_tls_setup, im);
	if (tls == NULL) {
		im->dead = 1;
		imap_seterr(err, errlen, "imap %s: STARTTLS: TLS handshake "
		    "failed", im->host);
		return MS_ENET;
	}
	mailstream_low_free(old);	/* the socket now belongs to 'tls' */
	mailstream_set_low(stream, imap_guard_wrap(im, tls));
	if (cf->verify)
		return imap_tls_verify(im, cf->ca_file, err, errlen);
	return MS_OK;
}

/*
 * Connect, start TLS (verified before anything else is read) and read
 * the greeting; STARTTLS after it when configured.
 */
static enum ms_err
imap_connect(struct imap *im, const struct imap_config *cf, char *err,
    size_t errlen)
{
	mailstream	*stream;
	enum ms_err	 rc;
	int		 fd, r, port;

	port = cf->port ? cf->port : cf->tls == IMAP_TLS_IMAPS ? 993 : 143;
	fd = imap_tcp(im, port, err, errlen);
	if (fd < 0)
		return MS_ENET;
	if (cf->tls == IMAP_TLS_IMAPS)
		stream = mailstream_ssl_open_with_callback_timeout(fd,
		    imap_secs(im), imap_tls_setup, im);
	else
		stream = mailstream_socket_open_timeout(fd, imap_secs(im));
	if (stream == NULL) {
		close(fd);
		imap_seterr(err, errlen, "imap %s: %s", im->host,
		    cf->tls == IMAP_TLS_IMAPS ? "TLS handshake failed" :
		    "cannot set up the stream");
		return MS_ENET;
	}
	mailstream_set_low(stream, imap_guard_wrap(im,
	    mailstream_get_low(stream)));
	im->s->imap_stream = stream;
	imap_budget(im, IMAP_RESPONSE_MAX);
	if (cf->tls == IMAP_TLS_IMAPS && cf->verify) {
		rc = imap_tls_verify(im, cf->ca_file, err, errlen);
		if (rc != MS_OK)
			return rc;
	}
	/* mailimap_connect() wants a disconnected session. */
	im->s->imap_stream = NULL;
	im->greeting = 1;
	r = mailimap_connect(im->s, stream);
	im->greeting = 0;
	if (r == MAILIMAP_ERROR_DONT_ACCEPT_CONNECTION || im->bye) {
		im->s->imap_stream = stream;
		im->dead = 1;
		imap_seterr(err, errlen, "imap %s: server refused the "
		    "connection (BYE)", im->host);
		return MS_ENET;
	}
	if (r != MAILIMAP_NO_ERROR_AUTHENTICATED &&
	    r != MAILIMAP_NO_ERROR_NON_AUTHENTICATED) {
		im->s->imap_stream = stream;
		return imap_fail(im, r, MS_ENET, "greeting", err, errlen);
	}
	im->preauth = r == MAILIMAP_NO_ERROR_AUTHENTICATED;
	if (cf->tls != IMAP_TLS_STARTTLS)
		return MS_OK;
	if (im->preauth) {
		/* STARTTLS is not allowed after PREAUTH: a known way to
		 * strip TLS off a connection. */
		im->dead = 1;
		imap_seterr(err, errlen, "imap %s: server sent PREAUTH, so "
		    "STARTTLS is impossible; refused", im->host);
		return MS_EINVAL;
	}
	return imap_starttls(im, cf, err, errlen);
}

/* Ask for the capabilities and remember the ones we use. */
static enum ms_err
imap_caps(struct imap *im, char *err, size_t errlen)
{
	struct mailimap_capability_data	*cap = NULL;
	int				 r;

	imap_budget(im, IMAP_RESPONSE_MAX);
	r = mailimap_capability(im->s, &cap);
	if (r != MAILIMAP_NO_ERROR)
		return imap_fail(im, r, MS_ENET, "CAPABILITY", err, errlen);
	mailimap_capability_data_free(cap);
	im->has_idle = mailimap_has_extension(im->s, "IDLE");
	im->has_move = mailimap_has_extension(im->s, "MOVE");
	im->has_uidplus = mailimap_has_extension(im->s, "UIDPLUS");
	return MS_OK;
}

/* LOGIN or AUTHENTICATE XOAUTH2.  The server's text is not quoted: a
 * hostile server could echo the secret in it. */
static enum ms_err
imap_login(struct imap *im, const struct imap_config *cf, char *err,
    size_t errlen)
{
	int	r;

	if (im->preauth)
		return MS_OK;
	imap_budget(im, IMAP_RESPONSE_MAX);
	if (cf->auth == IMAP_AUTH_XOAUTH2) {
		if (!mailimap_has_xoauth2(im->s)) {
			imap_seterr(err, errlen, "imap %s: server does not "
			    "offer XOAUTH2", im->host);
			return MS_EINVAL;
		}
		r = mailimap_oauth2_authenticate(im->s, cf->username,
		    cf->secret);
	} else {
		if (mailimap_has_extension(im->s, "LOGINDISABLED")) {
			imap_seterr(err, errlen, "imap %s: server refuses "
			    "LOGIN on this connection (LOGINDISABLED; TLS "
			    "needed?)", im->host);
			return MS_EINVAL;
		}
		r = mailimap_login(im->s, cf->username, cf->secret);
	}
	if (r == MAILIMAP_NO_ERROR)
		return MS_OK;
	if (r == MAILIMAP_ERROR_LOGIN || r == MAILIMAP_ERROR_PROTOCOL) {
		if (r == MAILIMAP_ERROR_PROTOCOL)
			im->dead = 1;
		imap_seterr(err, errlen, "imap %s: login refused for %s",
		    im->host, im->user);
		return MS_EINVAL;
	}
	return imap_fail(im, r, MS_EINVAL, "login", err, errlen);
}

enum ms_err
imap_open(const struct imap_config *cf, struct imap **out, char *err,
    size_t errlen)
{
	struct imap	*im = NULL;
	enum ms_err	 rc = MS_EINVAL;

	*out = NULL;
	if (cf == NULL || cf->host == NULL || *cf->host == '\0' ||
	    cf->username == NULL || cf->secret == NULL ||
	    cf->port < 0 || cf->port > 65535) {
		imap_seterr(err, errlen, "imap: host, port, username and "
		    "secret are required");
		goto out;
	}
	im = xcalloc(1, sizeof(*im));
	im->host = xstrdup(cf->host);
	im->user = xstrdup(cf->username);
	im->timeout_ms = cf->timeout_ms > 0 ? cf->timeout_ms :
	    IMAP_TIMEOUT_MS;
	im->s = mailimap_new(0, NULL);
	if (im->s == NULL)
		fatalx("imap: out of memory");
	mailimap_set_timeout(im->s, imap_secs(im));
	rc = imap_connect(im, cf, err, errlen);
	if (rc == MS_OK)
		rc = imap_caps(im, err, errlen);
	if (rc == MS_OK)
		rc = imap_login(im, cf, err, errlen);
	if (rc == MS_OK)
		rc = imap_caps(im, err, errlen);
out:
	if (rc != MS_OK) {
		imap_close(im);
		return rc;
	}
	*out = im;
	return MS_OK;
}

void
imap_close(struct imap *im)
{
	if (im == NULL)
		return;
	if (im->s->imap_stream != NULL) {
		if (!im->dead && im->s->imap_state !=
		    MAILIMAP_STATE_DISCONNECTED) {
			imap_budget(im, IMAP_RESPONSE_MAX);
			(void)mailimap_logout(im->s);
		} else {
			mailstream_close(im->s->imap_stream);
			im->s->imap_stream = NULL;
		}
	}
	mailimap_free(im->s);
	xfree(im->host);
	xfree(im->user);
	xfree(im);
}

int
imap_has_idle(const struct imap *im)
{
	return im != NULL && im->has_idle;
}

int
imap_has_move(const struct imap *im)
{
	return im != NULL && im->has_move;
}

/* A folder name we are willing to send: no controls, bounded. */
static enum ms_err
imap_check_name(struct imap *im, const char *name, char *err,
    size_t errlen)
{
	size_t	i;

	for (i = 0; name != NULL && name[i] != '\0'; i++)
		if ((unsigned char)name[i] < 0x20 || name[i] == 0x7f)
			break;
	if (name == NULL || i == 0 || name[i] != '\0' ||
	    i > IMAP_NAME_MAX) {
		imap_seterr(err, errlen, "imap %s: bad folder name",
		    im->host);
		return MS_EINVAL;
	}
	return MS_OK;
}

enum ms_err
imap_select(struct imap *im, const char *folder, int read_only,
    uint32_t *uidvalidity, uint32_t *uidnext, char *err, size_t errlen)
{
	struct mailimap_selection_info	*sel;
	enum ms_err			 rc;
	int				 r;

	*uidvalidity = 0;
	*uidnext = 0;
	rc = imap_begin(im, IMAP_RESPONSE_MAX, "select", err, errlen);
	if (rc == MS_OK)
		rc = imap_check_name(im, folder, err, errlen);
	if (rc != MS_OK)
		return rc;
	r = read_only ? mailimap_examine(im->s, folder) :
	    mailimap_select(im->s, folder);
	if (r != MAILIMAP_NO_ERROR)
		return imap_fail(im, r, MS_EINVAL, read_only ? "EXAMINE" :
		    "SELECT", err, errlen);
	sel = im->s->imap_selection_info;
	if (sel == NULL || sel->sel_uidvalidity == 0) {
		/* RFC 3501 requires it; without it UIDs mean nothing. */
		im->dead = 1;
		imap_seterr(err, errlen, "imap %s: SELECT: no UIDVALIDITY in "
		    "the answer", im->host);
		return MS_ENET;
	}
	*uidvalidity = sel->sel_uidvalidity;
	*uidnext = sel->sel_uidnext;
	return MS_OK;
}

/* qsort(3) order for UIDs. */
static int
imap_uid_cmp(const void *a, const void *b)
{
	uint32_t	x = *(const uint32_t *)a, y = *(const uint32_t *)b;

	return x < y ? -1 : x > y;
}

/*
 * The UIDs of a SEARCH answer greater than 'after', ascending, without
 * duplicates, at most 'max'.  Servers answer "UID n:*" with the highest
 * UID even when it is below n (RFC 3501 6.4.8): the filter drops it.
 */
static void
imap_collect(clist *res, uint32_t after, size_t max, uint32_t **uids,
    size_t *n)
{
	clistiter	*it;
	uint32_t	*v, *out;
	size_t		 k = 0, i, j;

	out = xmalloc(sizeof(*out) * ((size_t)clist_count(res) + 1));
	for (it = clist_begin(res); it != NULL; it = clist_next(it)) {
		v = clist_content(it);
		if (v != NULL && *v > after)
			out[k++] = *v;
	}
	qsort(out, k, sizeof(*out), imap_uid_cmp);
	for (i = j = 0; i < k; i++)
		if (j == 0 || out[j - 1] != out[i])
			out[j++] = out[i];
	if (j > max)
		j = max;
	if (j == 0) {
		xfree(out);
		out = NULL;
	}
	*uids = out;
	*n = j;
}

/* UID SEARCH 'key' (which it frees). */
static enum ms_err
imap_search(struct imap *im, struct mailimap_search_key *key,
    clist **res, char *err, size_t errlen)
{
	int	r;

	*res = NULL;
	r = mailimap_uid_search(im->s, NULL, key, res);
	mailimap_search_key_free(key);
	if (r != MAILIMAP_NO_ERROR) {
		*res = NULL;
		return imap_fail(im, r, MS_ENET, "UID SEARCH", err, errlen);
	}
	return MS_OK;
}

enum ms_err
imap_uids_after(struct imap *im, uint32_t after, size_t max,
    uint32_t **uids, size_t *n, char *err, size_t errlen)
{
	clist		*res = NULL;
	enum ms_err	 rc;

	*uids = NULL;
	*n = 0;
	rc = imap_begin(im, IMAP_RESPONSE_MAX, "search", err, errlen);
	if (rc != MS_OK || after == UINT32_MAX || max == 0)
		return rc;
	/* 0 is libetpan's '*'. */
	rc = imap_search(im, mailimap_search_key_new_uid(
	    mailimap_set_new_interval(after + 1, 0)), &res, err, errlen);
	if (rc != MS_OK)
		return rc;
	imap_collect(res, after, max, uids, n);
	mailimap_search_result_free(res);
	return MS_OK;
}

/* The interesting parts of one FETCH answer; absent ones stay as set. */
static void
imap_att_scan(struct mailimap_msg_att *att, uint32_t *uid, int64_t *size,
    struct mailimap_msg_att_body_section **body,
    struct mailimap_date_time **date)
{
	struct mailimap_msg_att_item	*item;
	struct mailimap_msg_att_static	*st;
	clistiter			*it;

	if (att == NULL || att->att_list == NULL)
		return;
	for (it = clist_begin(att->att_list); it != NULL;
	    it = clist_next(it)) {
		item = clist_content(it);
		if (item == NULL || item->att_type !=
		    MAILIMAP_MSG_ATT_ITEM_STATIC)
			continue;
		st = item->att_data.att_static;
		if (st == NULL)
			continue;
		switch (st->att_type) {
		case MAILIMAP_MSG_ATT_UID:
			*uid = st->att_data.att_uid;
			break;
		case MAILIMAP_MSG_ATT_RFC822_SIZE:
			*size = st->att_data.att_rfc822_size;
			break;
		case MAILIMAP_MSG_ATT_BODY_SECTION:
			if (body != NULL)
				*body = st->att_data.att_body_section;
			break;
		case MAILIMAP_MSG_ATT_INTERNALDATE:
			if (date != NULL)
				*date = st->att_data.att_internal_date;
			break;
		}
	}
}

/* An INTERNALDATE as unix time; -1 when the server sent nonsense. */
static int64_t
imap_date_unix(const struct mailimap_date_time *d)
{
	GDateTime	*dt;
	int64_t		 t;
	int		 z, off;

	if (d == NULL || d->dt_zone < -2400 || d->dt_zone > 2400)
		return -1;
	dt = g_date_time_new_utc(d->dt_year, d->dt_month, d->dt_day,
	    d->dt_hour, d->dt_min, d->dt_sec);
	if (dt == NULL)
		return -1;
	t = g_date_time_to_unix(dt);
	g_date_time_unref(dt);
	z = d->dt_zone < 0 ? -d->dt_zone : d->dt_zone;
	off = (z / 100) * 3600 + (z % 100) * 60;
	return d->dt_zone < 0 ? t + off : t - off;
}

/* Binary search in ascending 'v'. */
static int
imap_uid_in(const uint32_t *v, size_t n, uint32_t uid)
{
	return n > 0 && bsearch(&uid, v, n, sizeof(*v), imap_uid_cmp) !=
	    NULL;
}

/*
 * Keep the UIDs in 'v' whose INTERNALDATE is 'since' or later: one UID
 * FETCH over their range, since SEARCH SINCE only knows days.
 */
static enum ms_err
imap_since_filter(struct imap *im, int64_t since, uint32_t *v, size_t *n,
    char *err, size_t errlen)
{
	struct mailimap_fetch_type	*ft;
	struct mailimap_set		*set;
	struct mailimap_date_time	*date;
	clist				*res = NULL;
	clistiter			*it;
	uint32_t			 uid, *keep;
	int64_t				 size;
	size_t				 k = 0;
	int				 r;

	ft = mailimap_fetch_type_new_fetch_att_list_empty();
	mailimap_fetch_type_new_fetch_att_list_add(ft,
	    mailimap_fetch_att_new_uid());
	mailimap_fetch_type_new_fetch_att_list_add(ft,
	    mailimap_fetch_att_new_internaldate());
	set = mailimap_set_new_interval(v[0], v[*n - 1]);
	r = mailimap_uid_fetch(im->s, set, ft, &res);
	mailimap_set_free(set);
	mailimap_fetch_type_free(ft);
	if (r != MAILIMAP_NO_ERROR)
		return imap_fail(im, r, MS_ENET, "UID FETCH", err, errlen);
	keep = xcalloc(*n, sizeof(*keep));
	for (it = clist_begin(res); it != NULL; it = clist_next(it)) {
		uid = 0;
		date = NULL;
		imap_att_scan(clist_content(it), &uid, &size, NULL, &date);
		/* A hostile server may repeat a UID: 'keep' stays in
		 * bounds and duplicates go below. */
		if (k < *n && imap_uid_in(v, *n, uid) &&
		    imap_date_unix(date) >= since)
			keep[k++] = uid;
	}
	mailimap_fetch_list_free(res);
	qsort(keep, k, sizeof(*keep), imap_uid_cmp);
	*n = 0;
	for (size_t i = 0; i < k; i++)
		if (*n == 0 || v[*n - 1] != keep[i])
			v[(*n)++] = keep[i];
	xfree(keep);
	return MS_OK;
}

enum ms_err
imap_uids_since(struct imap *im, int64_t since, uint32_t **uids,
    size_t *n, char *err, size_t errlen)
{
	GDateTime	*dt;
	clist		*res = NULL;
	enum ms_err	 rc;

	*uids = NULL;
	*n = 0;
	rc = imap_begin(im, IMAP_RESPONSE_MAX, "search", err, errlen);
	if (rc != MS_OK)
		return rc;
	/* SEARCH SINCE takes a date in the server's time zone: ask from
	 * the day before and let the INTERNALDATE filter decide. */
	dt = g_date_time_new_from_unix_utc(since > 86400 ? since - 86400 :
	    0);
	if (dt == NULL) {
		imap_seterr(err, errlen, "imap %s: bad time", im->host);
		return MS_EINVAL;
	}
	rc = imap_search(im, mailimap_search_key_new_since(mailimap_date_new(
	    g_date_time_get_day_of_month(dt), g_date_time_get_month(dt),
	    g_date_time_get_year(dt))), &res, err, errlen);
	g_date_time_unref(dt);
	if (rc != MS_OK)
		return rc;
	imap_collect(res, 0, SIZE_MAX, uids, n);
	mailimap_search_result_free(res);
	if (*n > 0)
		rc = imap_since_filter(im, since, *uids, n, err, errlen);
	if (rc != MS_OK || *n == 0) {
		xfree(*uids);
		*uids = NULL;
		*n = 0;
	}
	return rc;
}

/* UID FETCH 'uid' with 'att' (taken); the answer's list or an error. */
static enum ms_err
imap_fetch_one(struct imap *im, uint32_t uid, struct mailimap_fetch_att *att,
    clist **res, char *err, size_t errlen)
{
	struct mailimap_fetch_type	*ft;
	struct mailimap_set		*set;
	int				 r;

	*res = NULL;
	ft = mailimap_fetch_type_new_fetch_att_list_empty();
	mailimap_fetch_type_new_fetch_att_list_add(ft,
	    mailimap_fetch_att_new_uid());
	mailimap_fetch_type_new_fetch_att_list_add(ft, att);
	set = mailimap_set_new_single(uid);
	r = mailimap_uid_fetch(im->s, set, ft, res);
	mailimap_set_free(set);
	mailimap_fetch_type_free(ft);
	if (r == MAILIMAP_NO_ERROR)
		return MS_OK;
	*res = NULL;
	/* A NO to UID FETCH is how some servers say "expunged". */
	return imap_fail(im, r, MS_EAGAIN, "UID FETCH", err, errlen);
}

/* imap_fetch() with the size limit as a parameter. */
static enum ms_err
imap_fetch_limit(struct imap *im, uint32_t uid, size_t limit, char **raw,
    size_t *len, char *err, size_t errlen)
{
	struct mailimap_msg_att_body_section	*body;
	clist					*res = NULL;
	clistiter				*it;
	uint32_t				 got;
	int64_t					 size = -1, ignore;
	enum ms_err				 rc;

	*raw = NULL;
	*len = 0;
	rc = imap_begin(im, IMAP_RESPONSE_MAX, "fetch", err, errlen);
	if (rc != MS_OK)
		return rc;
	rc = imap_fetch_one(im, uid, mailimap_fetch_att_new_rfc822_size(),
	    &res, err, errlen);
	if (rc != MS_OK)
		return rc;
	for (it = clist_begin(res); it != NULL; it = clist_next(it)) {
		got = 0;
		ignore = -1;
		imap_att_scan(clist_content(it), &got, &ignore, NULL, NULL);
		if (got == uid && ignore >= 0)
			size = ignore;
	}
	mailimap_fetch_list_free(res);
	if (size < 0) {
		imap_seterr(err, errlen, "imap %s: message %u is gone",
		    im->host, uid);
		return MS_EAGAIN;
	}
	if ((uint64_t)size > limit) {
		imap_seterr(err, errlen, "imap %s: message %u is %lld bytes, "
		    "over the limit of %zu", im->host, uid, (long long)size,
		    limit);
		return MS_ELIMIT;
	}
	/* The server may lie about the size: the budget holds anyway. */
	imap_budget(im, limit + IMAP_FETCH_SLACK);
	rc = imap_fetch_one(im, uid, mailimap_fetch_att_new_body_peek_section(
	    mailimap_section_new(NULL)), &res, err, errlen);
	if (rc != MS_OK)
		return rc;
	body = NULL;
	for (it = clist_begin(res); it != NULL; it = clist_next(it)) {
		struct mailimap_msg_att_body_section	*b = NULL;

		got = 0;
		imap_att_scan(clist_content(it), &got, &ignore, &b, NULL);
		if (got == uid && b != NULL)
			body = b;
	}
	if (body == NULL || body->sec_body_part == NULL) {
		imap_seterr(err, errlen, "imap %s: message %u is gone",
		    im->host, uid);
		rc = MS_EAGAIN;
	} else if (body->sec_length > limit) {
		imap_seterr(err, errlen, "imap %s: message %u is %zu bytes, "
		    "over the limit of %zu", im->host, uid, body->sec_length,
		    limit);
		rc = MS_ELIMIT;
	} else {
		*raw = xmalloc(body->sec_length + 1);
		memcpy(*raw, body->sec_body_part, body->sec_length);
		(*raw)[body->sec_length] = '\0';
		*len = body->sec_length;
	}
	mailimap_fetch_list_free(res);
	return rc;
}

enum ms_err
imap_fetch(struct imap *im, uint32_t uid, char **raw, size_t *len,
    char *err, size_t errlen)
{
	return imap_fetch_limit(im, uid, LIMIT_MSG_BYTES, raw, len, err,
	    errlen);
}

/* Whether an untagged line ("* 3 EXISTS") reports a mailbox change. */
static int
imap_line_changes(const char *line)
{
	const char	*p = line + 2;

	while (*p >= '0' && *p <= '9')
		p++;
	if (p == line + 2 || *p != ' ')
		return 0;
	p++;
	return g_ascii_strncasecmp(p, "EXISTS", 6) == 0 ||
	    g_ascii_strncasecmp(p, "RECENT", 6) == 0 ||
	    g_ascii_strncasecmp(p, "EXPUNGE", 7) == 0;
}

/*
 * Send IDLE and read up to its continuation.  Untagged lines that come
 * first are checked for changes here (libetpan's mailimap_idle() would
 * drop them); anything else before the "+" ends the connection.
 */
static enum ms_err
imap_idle_start(struct imap *im, int *changed, char *err, size_t errlen)
{
	char	*line;
	int	 r, i;

	r = mailimap_send_current_tag(im->s);
	if (r == MAILIMAP_NO_ERROR && (mailstream_write(im->s->imap_stream,
	    "IDLE\r\n", 6) != 6 || mailstream_flush(im->s->imap_stream) != 0))
		r = MAILIMAP_ERROR_STREAM;
	for (i = 0; r == MAILIMAP_NO_ERROR && i < IMAP_IDLE_LINES; i++) {
		line = mailimap_read_line(im->s);
		if (line == NULL)
			return imap_fail(im, MAILIMAP_ERROR_STREAM, MS_ENET,
			    "IDLE", err, errlen);
		if (line[0] == '+')
			return MS_OK;
		if (line[0] != '*' || line[1] != ' ' ||
		    strchr(line, '{') != NULL)
			break;		/* a refusal, a literal, garbage */
		if (imap_line_changes(line))
			*changed = 1;
		if (g_ascii_strncasecmp(line + 2, "BYE", 3) == 0)
			r = MAILIMAP_ERROR_STREAM;
	}
	return imap_fail(im, r == MAILIMAP_NO_ERROR ? MAILIMAP_ERROR_PROTOCOL
	    : r, MS_ENET, "IDLE", err, errlen);
}

/* DONE, then the tagged answer; libetpan records what came with it. */
static enum ms_err
imap_idle_done(struct imap *im, int *changed, char *err, size_t errlen)
{
	struct mailimap_response	*resp = NULL;
	struct mailimap_selection_info	*sel;
	int				 r, ok;

	if (mailstream_write(im->s->imap_stream, "DONE\r\n", 6) != 6 ||
	    mailstream_flush(im->s->imap_stream) != 0 ||
	    mailimap_read_line(im->s) == NULL)
		return imap_fail(im, MAILIMAP_ERROR_STREAM, MS_ENET, "IDLE",
		    err, errlen);
	r = mailimap_parse_response(im->s, &resp);
	if (r != MAILIMAP_NO_ERROR)
		return imap_fail(im, r, MS_ENET, "IDLE", err, errlen);
	ok = resp->rsp_resp_done != NULL && resp->rsp_resp_done->rsp_type ==
	    MAILIMAP_RESP_DONE_TYPE_TAGGED &&
	    resp->rsp_resp_done->rsp_data.rsp_tagged->rsp_cond_state->rsp_type
	    == MAILIMAP_RESP_COND_STATE_OK;
	mailimap_response_free(resp);
	if (!ok)
		return imap_fail(im, MAILIMAP_ERROR_EXTENSION, MS_ENET, "IDLE",
		    err, errlen);
	sel = im->s->imap_selection_info;
	if (sel != NULL && (sel->sel_has_exists || sel->sel_has_recent))
		*changed = 1;
	if (im->s->imap_response_info != NULL &&
	    im->s->imap_response_info->rsp_expunged != NULL &&
	    clist_count(im->s->imap_response_info->rsp_expunged) > 0)
		*changed = 1;
	return MS_OK;
}

/* Wait until 'fd' is readable or 'ms' have passed (EINTR-proof). */
static void
imap_poll(int fd, int ms)
{
	struct pollfd	pfd;
	gint64		end = g_get_monotonic_time() + (gint64)ms * 1000;
	gint64		left;

	pfd.fd = fd;
	pfd.events = POLLIN;
	for (;;) {
		left = (end - g_get_monotonic_time()) / 1000;
		if (left <= 0)
			return;
		if (poll(&pfd, 1, (int)left) >= 0 || errno != EINTR)
			return;
	}
}

enum ms_err
imap_wait(struct imap *im, int wait_ms, int *changed, char *err,
    size_t errlen)
{
	struct mailimap_selection_info	*sel;
	enum ms_err			 rc;

	*changed = 0;
	rc = imap_begin(im, IMAP_RESPONSE_MAX, "idle", err, errlen);
	if (rc != MS_OK)
		return rc;
	sel = im->s->imap_selection_info;
	if (im->s->imap_state != MAILIMAP_STATE_SELECTED || sel == NULL) {
		imap_seterr(err, errlen, "imap %s: idle: no folder selected",
		    im->host);
		return MS_EINVAL;
	}
	if (wait_ms < 0)
		wait_ms = 0;
	if (wait_ms > IMAP_IDLE_MAX_MS)
		wait_ms = IMAP_IDLE_MAX_MS;
	if (!im->has_idle) {
		g_usleep((gulong)wait_ms * 1000);
		*changed = 1;
		return MS_OK;
	}
	sel->sel_has_exists = 0;
	sel->sel_has_recent = 0;
	rc = imap_idle_start(im, changed, err, errlen);
	if (rc != MS_OK)
		return rc;
	/* Bytes already buffered mean the server has spoken. */
	if (!*changed && im->s->imap_stream->read_buffer_len == 0)
		imap_poll(mailimap_idle_get_fd(im->s), wait_ms);
	return imap_idle_done(im, changed, err, errlen);
}

/* Keyword or system flag, checked: libetpan sends it as a raw atom. */
static struct mailimap_flag *
imap_flag_new(const char *flag)
{
	static const struct {
		const char		*name;
		struct mailimap_flag	*(*make)(void);
	} sys[] = {
		{ "\\Seen", mailimap_flag_new_seen },
		{ "\\Answered", mailimap_flag_new_answered },
		{ "\\Flagged", mailimap_flag_new_flagged },
		{ "\\Deleted", mailimap_flag_new_deleted },
		{ "\\Draft", mailimap_flag_new_draft },
	};
	char	*kw;
	size_t	 i;

	if (flag == NULL)
		return NULL;
	for (i = 0; i < MS_ARRAY_LEN(sys); i++)
		if (g_ascii_strcasecmp(flag, sys[i].name) == 0)
			return sys[i].make();
	for (i = 0; flag[i] != '\0'; i++)
		if (flag[i] <= 0x20 || flag[i] >= 0x7f ||
		    strchr("(){%*\"\\]", flag[i]) != NULL)
			return NULL;
	if (i == 0 || i > IMAP_FLAG_MAX)
		return NULL;
	kw = strdup(flag);	/* libetpan frees it with free(3) */
	if (kw == NULL)
		fatalx("imap: out of memory");
	return mailimap_flag_new_flag_keyword(kw);
}

/* UID STORE +FLAGS.SILENT ('flag') for 'uid'. */
static enum ms_err
imap_store(struct imap *im, uint32_t uid, struct mailimap_flag *f,
    char *err, size_t errlen)
{
	struct mailimap_flag_list	*list;
	struct mailimap_store_att_flags	*sf;
	struct mailimap_set		*set;
	int				 r;

	list = mailimap_flag_list_new_empty();
	if (list == NULL || mailimap_flag_list_add(list, f) !=
	    MAILIMAP_NO_ERROR)
		fatalx("imap: out of memory");
	sf = mailimap_store_att_flags_new_add_flags_silent(list);
	set = mailimap_set_new_single(uid);
	r = mailimap_uid_store(im->s, set, sf);
	mailimap_set_free(set);
	mailimap_store_att_flags_free(sf);
	if (r != MAILIMAP_NO_ERROR)
		return imap_fail(im, r, MS_ENET, "UID STORE", err, errlen);
	return MS_OK;
}

enum ms_err
imap_flag(struct imap *im, uint32_t uid, const char *flag, char *err,
    size_t errlen)
{
	struct mailimap_flag	*f;
	enum ms_err		 rc;

	rc = imap_begin(im, IMAP_RESPONSE_MAX, "flag", err, errlen);
	if (rc != MS_OK)
		return rc;
	f = imap_flag_new(flag);
	if (f == NULL) {
		imap_seterr(err, errlen, "imap %s: bad flag", im->host);
		return MS_EINVAL;
	}
	return imap_store(im, uid, f, err, errlen);
}

enum ms_err
imap_move(struct imap *im, uint32_t uid, const char *folder, char *err,
    size_t errlen)
{
	struct mailimap_set	*set;
	enum ms_err		 rc;
	int			 r;

	rc = imap_begin(im, IMAP_RESPONSE_MAX, "move", err, errlen);
	if (rc == MS_OK)
		rc = imap_check_name(im, folder, err, errlen);
	if (rc != MS_OK)
		return rc;
	set = mailimap_set_new_single(uid);
	if (im->has_move) {
		r = mailimap_uid_move(im->s, set, folder);
		if (r != MAILIMAP_NO_ERROR)
			rc = imap_fail(im, r, MS_EINVAL, "UID MOVE", err,
			    errlen);
		goto out;
	}
	r = mailimap_uid_copy(im->s, set, folder);
	if (r != MAILIMAP_NO_ERROR) {
		rc = imap_fail(im, r, MS_EINVAL, "UID COPY", err, errlen);
		goto out;
	}
	rc = imap_store(im, uid, mailimap_flag_new_deleted(), err, errlen);
	if (rc != MS_OK)
		goto out;
	/* Plain EXPUNGE would also remove what others marked \Deleted:
	 * without UIDPLUS the message stays, marked, for the server's
	 * own expunge. */
	if (!im->has_uidplus)
		goto out;
	r = mailimap_uid_expunge(im->s, set);
	if (r != MAILIMAP_NO_ERROR)
		rc = imap_fail(im, r, MS_ENET, "UID EXPUNGE", err, errlen);
out:
	mailimap_set_free(set);
	return rc;
}

enum ms_err
imap_append(struct imap *im, const char *folder, const char *raw,
    size_t len, uint32_t *uid, char *err, size_t errlen)
{
	uint32_t	validity = 0, got = 0;
	enum ms_err	rc;
	int		r;

	*uid = 0;
	rc = imap_begin(im, IMAP_RESPONSE_MAX, "append", err, errlen);
	if (rc == MS_OK)
		rc = imap_check_name(im, folder, err, errlen);
	if (rc != MS_OK)
		return rc;
	r = mailimap_uidplus_append(im->s, folder, NULL, NULL, raw, len,
	    &validity, &got);
	if (r != MAILIMAP_NO_ERROR)
		return imap_fail(im, r, MS_EINVAL, "APPEND", err, errlen);
	*uid = got;
	return MS_OK;
}
