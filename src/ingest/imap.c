/* SPDX-License-Identifier: Apache-2.0 */
/*
 * imap.c -- one IMAP connection over libetpan (src/ingest/imap*.c are
 * the only files that include it), for the ingest side of `mailsoar
 * serve` and the imap app: connect, TLS, login, SELECT, IDLE, close.
 * Runs on whichever thread owns the connection; blocking calls.
 *
 * The server is not trusted.  libetpan parses the protocol, but every
 * byte it reads passes through a guard stream (imap_net.c) that caps
 * what one call may read, so an endless line or a lying literal ends in
 * MS_ELIMIT instead of memory exhaustion, and that keeps SIGPIPE from a
 * dead peer away from the process.  Every answer is checked before use;
 * a connection that goes out of step is marked dead and every later call
 * fails fast with MS_ENET.  TLS certificates are checked with GnuTLS
 * (libetpan does not) before a single command is sent.  Passwords and
 * tokens reach libetpan only; no message or log line carries them.
 */
#include <errno.h>
#include <poll.h>
#include <stdarg.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

#include <glib.h>

#include "../common/log.h"
#include "imap_int.h"

/* Write 'fmt' into 'err' (which may be NULL). */
void __attribute__((format(printf, 3, 4)))
imap__seterr(char *err, size_t errlen, const char *fmt, ...)
{
	va_list	ap;

	if (err == NULL || errlen == 0)
		return;
	va_start(ap, fmt);
	vsnprintf(err, errlen, fmt, ap);
	va_end(ap);
}

/* The libetpan timeout: whole seconds, rounded up, at least one. */
time_t
imap__secs(const struct imap *im)
{
	return (time_t)((im->timeout_ms + 999) / 1000);
}

/* What the next reads may take in all. */
void
imap__budget(struct imap *im, size_t n)
{
	im->budget = n;
	im->cap = n;
	im->over = 0;
}

/* Start a call: fail fast on a dead connection, else set its budget. */
enum ms_err
imap__begin(struct imap *im, size_t budget, const char *what, char *err,
    size_t errlen)
{
	if (im == NULL) {
		imap__seterr(err, errlen, "imap: %s: no connection", what);
		return MS_EINVAL;
	}
	if (im->dead || im->s->imap_stream == NULL) {
		imap__seterr(err, errlen, "imap %s: %s: connection is closed",
		    im->host, what);
		return MS_ENET;
	}
	imap__budget(im, budget);
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
enum ms_err
imap__fail(struct imap *im, int r, enum ms_err refused, const char *what,
    char *err, size_t errlen)
{
	char	text[IMAP_TEXT_MAX + 1];

	if (im->over) {
		im->dead = 1;
		imap__seterr(err, errlen, "imap %s: %s: answer larger than "
		    "%zu bytes; connection closed", im->host, what,
		    im->cap);
		return MS_ELIMIT;
	}
	switch (r) {
	case MAILIMAP_ERROR_BAD_STATE:
		imap__seterr(err, errlen, "imap %s: %s: no folder selected",
		    im->host, what);
		return MS_EINVAL;
	case MAILIMAP_ERROR_STREAM:
	case MAILIMAP_ERROR_CONNECTION_REFUSED:
	case MAILIMAP_ERROR_SSL:
		im->dead = 1;
		imap__seterr(err, errlen, "imap %s: %s: connection lost",
		    im->host, what);
		return MS_ENET;
	case MAILIMAP_ERROR_PARSE:
	case MAILIMAP_ERROR_FATAL:
	case MAILIMAP_ERROR_PROTOCOL:
	case MAILIMAP_ERROR_MEMORY:
	case MAILIMAP_ERROR_DONT_ACCEPT_CONNECTION:
	case MAILIMAP_ERROR_NEEDS_MORE_DATA:
		im->dead = 1;
		imap__seterr(err, errlen, "imap %s: %s: protocol error "
		    "(libetpan %d); connection closed", im->host, what, r);
		return MS_ENET;
	default:
		imap_text(im, text, sizeof(text));
		imap__seterr(err, errlen, "imap %s: %s: refused: %s",
		    im->host, what, text);
		return refused;
	}
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
		imap__seterr(err, errlen, "imap %s: STARTTLS: server sent "
		    "data before the handshake; refused", im->host);
		return MS_ENET;
	}
	if (r == MAILIMAP_ERROR_STARTTLS || r == MAILIMAP_ERROR_PROTOCOL) {
		/* NO or BAD: the server has no TLS.  Never fall back. */
		im->dead = 1;
		imap__seterr(err, errlen, "imap %s: server refused STARTTLS",
		    im->host);
		return MS_EINVAL;
	}
	if (r != MAILIMAP_NO_ERROR)
		return imap__fail(im, r, MS_ENET, "STARTTLS", err, errlen);
	old = mailstream_get_low(stream);
	fd = mailstream_low_get_fd(old);
	tls = mailstream_low_tls_open_with_callback_timeout(fd,
	    imap__secs(im), imap__tls_setup, im);
	if (tls == NULL) {
		im->dead = 1;
		imap__seterr(err, errlen, "imap %s: STARTTLS: TLS handshake "
		    "failed", im->host);
		return MS_ENET;
	}
	mailstream_low_free(old);	/* the socket now belongs to 'tls' */
	mailstream_set_low(stream, imap__guard_wrap(im, tls));
	if (cf->verify)
		return imap__tls_verify(im, cf->ca_file, err, errlen);
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
	fd = imap__tcp(im, port, err, errlen);
	if (fd < 0)
		return MS_ENET;
	if (cf->tls == IMAP_TLS_IMAPS)
		stream = mailstream_ssl_open_with_callback_timeout(fd,
		    imap__secs(im), imap__tls_setup, im);
	else
		stream = mailstream_socket_open_timeout(fd, imap__secs(im));
	if (stream == NULL) {
		close(fd);
		imap__seterr(err, errlen, "imap %s: %s", im->host,
		    cf->tls == IMAP_TLS_IMAPS ? "TLS handshake failed" :
		    "cannot set up the stream");
		return MS_ENET;
	}
	mailstream_set_low(stream, imap__guard_wrap(im,
	    mailstream_get_low(stream)));
	im->s->imap_stream = stream;
	imap__budget(im, IMAP_RESPONSE_MAX);
	if (cf->tls == IMAP_TLS_IMAPS && cf->verify) {
		rc = imap__tls_verify(im, cf->ca_file, err, errlen);
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
		imap__seterr(err, errlen, "imap %s: server refused the "
		    "connection (BYE)", im->host);
		return MS_ENET;
	}
	if (r != MAILIMAP_NO_ERROR_AUTHENTICATED &&
	    r != MAILIMAP_NO_ERROR_NON_AUTHENTICATED) {
		im->s->imap_stream = stream;
		return imap__fail(im, r, MS_ENET, "greeting", err, errlen);
	}
	im->preauth = r == MAILIMAP_NO_ERROR_AUTHENTICATED;
	if (cf->tls != IMAP_TLS_STARTTLS)
		return MS_OK;
	if (im->preauth) {
		/* STARTTLS is not allowed after PREAUTH: a known way to
		 * strip TLS off a connection. */
		im->dead = 1;
		imap__seterr(err, errlen, "imap %s: server sent PREAUTH, so "
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

	imap__budget(im, IMAP_RESPONSE_MAX);
	r = mailimap_capability(im->s, &cap);
	if (r != MAILIMAP_NO_ERROR)
		return imap__fail(im, r, MS_ENET, "CAPABILITY", err, errlen);
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
	imap__budget(im, IMAP_RESPONSE_MAX);
	if (cf->auth == IMAP_AUTH_XOAUTH2) {
		if (!mailimap_has_xoauth2(im->s)) {
			imap__seterr(err, errlen, "imap %s: server does not "
			    "offer XOAUTH2", im->host);
			return MS_EINVAL;
		}
		r = mailimap_oauth2_authenticate(im->s, cf->username,
		    cf->secret);
	} else {
		if (mailimap_has_extension(im->s, "LOGINDISABLED")) {
			imap__seterr(err, errlen, "imap %s: server refuses "
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
		imap__seterr(err, errlen, "imap %s: login refused for %s",
		    im->host, im->user);
		return MS_EINVAL;
	}
	return imap__fail(im, r, MS_EINVAL, "login", err, errlen);
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
		imap__seterr(err, errlen, "imap: host, port, username and "
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
	mailimap_set_timeout(im->s, imap__secs(im));
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
			imap__budget(im, IMAP_RESPONSE_MAX);
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
enum ms_err
imap__check_name(struct imap *im, const char *name, char *err,
    size_t errlen)
{
	size_t	i;

	for (i = 0; name != NULL && name[i] != '\0'; i++)
		if ((unsigned char)name[i] < 0x20 || name[i] == 0x7f)
			break;
	if (name == NULL || i == 0 || name[i] != '\0' ||
	    i > IMAP_NAME_MAX) {
		imap__seterr(err, errlen, "imap %s: bad folder name",
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
	rc = imap__begin(im, IMAP_RESPONSE_MAX, "select", err, errlen);
	if (rc == MS_OK)
		rc = imap__check_name(im, folder, err, errlen);
	if (rc != MS_OK)
		return rc;
	r = read_only ? mailimap_examine(im->s, folder) :
	    mailimap_select(im->s, folder);
	if (r != MAILIMAP_NO_ERROR)
		return imap__fail(im, r, MS_EINVAL, read_only ? "EXAMINE" :
		    "SELECT", err, errlen);
	sel = im->s->imap_selection_info;
	if (sel == NULL || sel->sel_uidvalidity == 0) {
		/* RFC 3501 requires it; without it UIDs mean nothing. */
		im->dead = 1;
		imap__seterr(err, errlen, "imap %s: SELECT: no UIDVALIDITY in "
		    "the answer", im->host);
		return MS_ENET;
	}
	*uidvalidity = sel->sel_uidvalidity;
	*uidnext = sel->sel_uidnext;
	return MS_OK;
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
			return imap__fail(im, MAILIMAP_ERROR_STREAM, MS_ENET,
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
	return imap__fail(im, r == MAILIMAP_NO_ERROR ? MAILIMAP_ERROR_PROTOCOL
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
		return imap__fail(im, MAILIMAP_ERROR_STREAM, MS_ENET, "IDLE",
		    err, errlen);
	r = mailimap_parse_response(im->s, &resp);
	if (r != MAILIMAP_NO_ERROR)
		return imap__fail(im, r, MS_ENET, "IDLE", err, errlen);
	ok = resp->rsp_resp_done != NULL && resp->rsp_resp_done->rsp_type ==
	    MAILIMAP_RESP_DONE_TYPE_TAGGED &&
	    resp->rsp_resp_done->rsp_data.rsp_tagged->rsp_cond_state->rsp_type
	    == MAILIMAP_RESP_COND_STATE_OK;
	mailimap_response_free(resp);
	if (!ok)
		return imap__fail(im, MAILIMAP_ERROR_EXTENSION, MS_ENET, "IDLE",
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
	rc = imap__begin(im, IMAP_RESPONSE_MAX, "idle", err, errlen);
	if (rc != MS_OK)
		return rc;
	sel = im->s->imap_selection_info;
	if (im->s->imap_state != MAILIMAP_STATE_SELECTED || sel == NULL) {
		imap__seterr(err, errlen, "imap %s: idle: no folder selected",
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
