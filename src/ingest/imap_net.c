/* SPDX-License-Identifier: Apache-2.0 */
/*
 * imap_net.c -- the transport under libetpan for imap.c: the TCP
 * connection (each address in turn, bounded by the timeout), the guard
 * stream every byte from the server passes through, and the check of the
 * server's certificate chain with GnuTLS, which libetpan does not do.
 * Same thread as the connection's owner.  Trusts nothing it reads.
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
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <glib.h>
#include <gnutls/gnutls.h>
#include <gnutls/x509.h>

#include "../common/log.h"
#include "imap_int.h"

/* The guard stream sits between libetpan and the socket or TLS stream. */
struct imap_guard {
	mailstream_low	*inner;
	struct imap	*im;
};

/*
 * Reads for libetpan: at most what is left of the call's budget.  When
 * the budget is spent the read fails, which libetpan reports as a stream
 * error; 'over' tells imap__fail() what really happened.
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
mailstream_low *
imap__guard_wrap(struct imap *im, mailstream_low *inner)
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

/*
 * A TCP connection to host:port within the timeout: every address in
 * turn, non-blocking connect and poll(2).  Returns a blocking socket, or
 * -1 with 'err' set.
 */
int
imap__tcp(struct imap *im, int port, char *err, size_t errlen)
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
		imap__seterr(err, errlen, "imap %s: cannot resolve: %s",
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
		imap__seterr(err, errlen, "imap %s: cannot connect to port "
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
void
imap__tls_setup(struct mailstream_ssl_context *ctx, void *arg)
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
		imap__seterr(err, errlen, "imap %s: no CA certificates in %s",
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
enum ms_err
imap__tls_verify(struct imap *im, const char *ca_file, char *err,
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
		imap__seterr(err, errlen, "certificate of %s not trusted: "
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
			imap__seterr(err, errlen, "certificate of %s not "
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
		imap__seterr(err, errlen, "certificate of %s not trusted: %s",
		    im->host, why.data ? (char *)why.data :
		    "verification failed");
		goto out;
	}
	if (!gnutls_x509_crt_check_hostname2(crt[0], im->host, 0)) {
		imap__seterr(err, errlen, "certificate of %s not trusted: "
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
