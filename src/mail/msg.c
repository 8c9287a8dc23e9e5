/* SPDX-License-Identifier: Apache-2.0 */
/*
 * msg.c -- Outlook .msg files ([MS-OXMSG]): an OLE2 compound file whose
 * streams "__substg1.0_PPPPTTTT" hold the variable-size MAPI properties
 * (id PPPP, type TTTT) and whose "__properties_version1.0" stream holds
 * the fixed-size ones.  Recipients and attachments are sub-storages;
 * an attached message is a storage "__substg1.0_3701000D" read the same
 * way, with a depth counter.  The only file that includes gsf headers.
 * Runs in the analysis worker on UNTRUSTED bytes: libgsf parses the
 * compound file, and every stream is read into the arena with its size
 * checked against the input's size and counted against LIMIT_MSG_STREAMS.
 * GObjects are unreferenced as soon as they are read, or tied to the
 * arena with arena_defer().  The conversion of MAPI values (strings,
 * dates, addresses) is shared with tnef.c, in mapi.c.  Compressed RTF
 * bodies are not decompressed.
 */
#include <string.h>

#include <gsf/gsf-infile-msole.h>
#include <gsf/gsf-infile.h>
#include <gsf/gsf-input-memory.h>
#include <gsf/gsf-input.h>

#include "../common/limits.h"
#include "mail_int.h"
#include "msg.h"

#define PROPS_NAME		"__properties_version1.0"
#define RECIP_PREFIX		"__recip_version1.0_#"
#define ATTACH_PREFIX		"__attach_version1.0_#"
#define EMBEDDED_NAME		"__substg1.0_3701000D"

/* Header sizes of __properties_version1.0 ([MS-OXMSG] 2.4.1). */
#define PROPS_HDR_TOP		32
#define PROPS_HDR_EMBEDDED	24
#define PROPS_HDR_SUB		8

/* Whole-file state, shared by nested messages. */
struct msg_ctx {
	struct arena		*a;
	struct arena_vec	*findings;
	size_t			 max;		/* input size */
	size_t			 streams;	/* LIMIT_MSG_STREAMS */
};

/* One storage read as a message, recipient or attachment. */
struct msg_obj {
	GsfInfile		*dir;
	const unsigned char	*props;		/* __properties_version1.0 */
	size_t			 nprops;	/* its length */
	size_t			 hdr;		/* its header size */
	uint32_t		 cpid;		/* for PT_STRING8 values */
	const char		*path;		/* for findings */
};

/*
 * Count one stream or storage against LIMIT_MSG_STREAMS.  MS_ELIMIT
 * (with a finding, once) past it.
 */
static enum ms_err
msg_count(struct msg_ctx *c, const char *path)
{
	if (++c->streams <= LIMIT_MSG_STREAMS)
		return MS_OK;
	(void)finding_add(c->a, c->findings, FINDING_LIMIT,
	    "limit_msg_streams", path, "more than %d streams in an Outlook "
	    ".msg (LIMIT_MSG_STREAMS)", LIMIT_MSG_STREAMS);
	return MS_ELIMIT;
}

/*
 * Read the stream 'name' of 'dir' into the arena, NUL-terminated twice
 * (so UTF-16 and 8-bit strings end).  '*out' is NULL when there is no
 * such stream, or it is a storage, or it cannot be read (a finding then
 * says so).  Returns MS_OK or MS_ELIMIT.
 */
static enum ms_err
msg_read(struct msg_ctx *c, struct msg_obj *o, const char *name,
    const unsigned char **out, size_t *len)
{
	GsfInput	*in;
	gsf_off_t	 size;
	unsigned char	*buf = NULL;
	enum ms_err	 rc;

	*out = NULL;
	*len = 0;
	if ((in = gsf_infile_child_by_name(o->dir, name)) == NULL)
		return MS_OK;
	if ((rc = msg_count(c, o->path)) != MS_OK)
		goto out;
	if (GSF_IS_INFILE(in) && gsf_infile_num_children(GSF_INFILE(in)) >= 0)
		goto out;
	size = gsf_input_size(in);
	if (size < 0 || (uint64_t)size > c->max) {
		rc = finding_add(c->a, c->findings, FINDING_PARSE,
		    "msg_bad_stream", o->path, "stream %s claims %lld bytes",
		    name, (long long)size);
		goto out;
	}
	if ((buf = arena_alloc(c->a, (size_t)size + 2)) == NULL) {
		rc = MS_ELIMIT;
		goto out;
	}
	if (size > 0 && gsf_input_read(in, (size_t)size, buf) == NULL) {
		rc = finding_add(c->a, c->findings, FINDING_PARSE,
		    "msg_bad_stream", o->path, "stream %s cannot be read",
		    name);
		goto out;
	}
	*out = buf;
	*len = (size_t)size;
out:
	g_object_unref(in);
	return rc;
}

/*
 * Find the fixed-size property 'id' of type 'type' in the object's
 * property stream; '*val' gets its 8 value bytes.  0 if absent.
 */
static int
msg_fixed(const struct msg_obj *o, uint16_t id, uint16_t type,
    const unsigned char **val)
{
	const unsigned char	*e;
	size_t			 off;

	if (o->props == NULL || o->nprops < o->hdr)
		return 0;
	for (off = o->hdr; o->nprops - off >= 16; off += 16) {
		e = o->props + off;
		if ((e[0] | e[1] << 8) == type && (e[2] | e[3] << 8) == id) {
			*val = e + 8;
			return 1;
		}
	}
	return 0;
}

/* A PT_LONG property, or 'dflt' when absent. */
static uint32_t
msg_long(const struct msg_obj *o, uint16_t id, uint32_t dflt)
{
	const unsigned char	*v;

	return msg_fixed(o, id, MAIL_PT_LONG, &v) ? mail__mapi_le32(v) : dflt;
}

/*
 * The string property 'id' of 'o' (PT_UNICODE, else PT_STRING8) as
 * UTF-8, or NULL when absent.  MS_ELIMIT when the arena is full.
 */
static enum ms_err
msg_string(struct msg_ctx *c, struct msg_obj *o, uint16_t id,
    const char **out)
{
	const unsigned char	*p;
	size_t			 n;
	char			 name[32];
	enum ms_err		 rc;

	*out = NULL;
	g_snprintf(name, sizeof(name), "__substg1.0_%04X%04X", id,
	    MAIL_PT_UNICODE);
	if ((rc = msg_read(c, o, name, &p, &n)) != MS_OK)
		return rc;
	if (p != NULL) {
		*out = mail__mapi_utf16(c->a, p, n);
	} else {
		g_snprintf(name, sizeof(name), "__substg1.0_%04X%04X", id,
		    MAIL_PT_STRING8);
		if ((rc = msg_read(c, o, name, &p, &n)) != MS_OK)
			return rc;
		if (p == NULL)
			return MS_OK;
		*out = mail__mapi_str8(c->a, o->cpid, p, n);
	}
	return *out == NULL ? MS_ELIMIT : MS_OK;
}

/* The binary property 'id' of 'o', or NULL. */
static enum ms_err
msg_binary(struct msg_ctx *c, struct msg_obj *o, uint16_t id,
    const unsigned char **out, size_t *len)
{
	char	name[32];

	g_snprintf(name, sizeof(name), "__substg1.0_%04X%04X", id,
	    MAIL_PT_BINARY);
	return msg_read(c, o, name, out, len);
}

/*
 * Open 'dir' as an object: load its property stream, whose header is
 * 'hdr' bytes, and pick the code page of its 8-bit strings.
 */
static enum ms_err
msg_obj_open(struct msg_ctx *c, struct msg_obj *o, GsfInfile *dir,
    size_t hdr, uint32_t cpid, const char *path)
{
	memset(o, 0, sizeof(*o));
	o->dir = dir;
	o->hdr = hdr;
	o->path = path;
	if (msg_read(c, o, PROPS_NAME, &o->props, &o->nprops) != MS_OK)
		return MS_ELIMIT;
	o->cpid = msg_long(o, MAIL_PR_MESSAGE_CODEPAGE,
	    msg_long(o, MAIL_PR_INTERNET_CPID, cpid));
	return MS_OK;
}

/*
 * The addresses of a recipient or sender into 'w': the SMTP property,
 * and the e-mail address property only when that is absent or empty
 * (mail__mapi_addr() then decides whether it is an address).
 */
static enum ms_err
msg_smtp(struct msg_ctx *c, struct msg_obj *o, uint16_t smtp_id,
    uint16_t email_id, struct mail__mapi_who *w)
{
	enum ms_err	rc;

	w->email = NULL;
	if ((rc = msg_string(c, o, smtp_id, &w->smtp)) != MS_OK)
		return rc;
	if (w->smtp != NULL && *w->smtp != '\0')
		return MS_OK;
	return msg_string(c, o, email_id, &w->email);
}

static enum ms_err	msg_message(struct msg_ctx *, GsfInfile *, size_t,
			    uint32_t, const char *, int, struct mail_msg **);

/* A string property and where to store it. */
struct msg_sprop {
	uint16_t	  id;
	const char	**dst;
};

/* Read several string properties of 'o'; stops at the first error. */
static enum ms_err
msg_strings(struct msg_ctx *c, struct msg_obj *o,
    const struct msg_sprop *props, size_t n)
{
	enum ms_err	rc;
	size_t		i;

	for (i = 0; i < n; i++) {
		rc = msg_string(c, o, props[i].id, props[i].dst);
		if (rc != MS_OK)
			return rc;
	}
	return MS_OK;
}

/* One "__recip_version1.0_#N" storage into the To, Cc or Bcc list. */
static enum ms_err
msg_recipient(struct msg_ctx *c, struct mail_msg *m, GsfInfile *dir,
    uint32_t cpid, struct arena_vec *to, struct arena_vec *cc,
    struct arena_vec *bcc)
{
	struct msg_obj		 o;
	struct mail_addr	*ad;
	struct arena_vec	*vec;
	struct mail__mapi_who	 w;
	enum ms_err		 rc;

	if ((rc = msg_obj_open(c, &o, dir, PROPS_HDR_SUB, cpid,
	    m->path)) != MS_OK)
		return rc;
	if ((rc = msg_string(c, &o, MAIL_PR_DISPLAY_NAME, &w.name)) != MS_OK)
		return rc;
	rc = msg_smtp(c, &o, MAIL_PR_SMTP_ADDRESS, MAIL_PR_EMAIL_ADDRESS, &w);
	if (rc != MS_OK)
		return rc;
	switch (msg_long(&o, MAIL_PR_RECIPIENT_TYPE, 1) & 0x0fffffff) {
	case 2:
		vec = cc;
		break;
	case 3:
		vec = bcc;
		break;
	default:
		vec = to;
		break;
	}
	rc = mail__mapi_addr(c->a, &w, &ad);
	if (rc != MS_OK || ad == NULL)
		return rc;
	return arena_vec_push(c->a, vec, ad);
}

/* The path of the n-th child of a message at 'path' ("N" at the top). */
static const char *
msg_child_path(struct arena *a, const char *path, size_t n)
{
	if (path == NULL || *path == '\0')
		return arena_printf(a, "%zu", n);
	return arena_printf(a, "%s.%zu", path, n);
}

/* True if 'dir' holds any MAPI property stream: it is a message. */
static int
msg_is_message(GsfInfile *dir)
{
	const char	*name;
	int		 i, n = gsf_infile_num_children(dir);

	for (i = 0; i < n; i++) {
		name = gsf_infile_name_by_index(dir, i);
		if (name != NULL && (strcmp(name, PROPS_NAME) == 0 ||
		    strncmp(name, "__substg1.0_", 12) == 0))
			return 1;
	}
	return 0;
}

/*
 * The attached message of an attachment (storage __substg1.0_3701000D),
 * parsed into p->embedded unless that would pass LIMIT_MIME_DEPTH.  The
 * storage of an OLE object (method 6) is not a message and is skipped;
 * so is one without any method that does not look like a message.
 */
static enum ms_err
msg_attached_msg(struct msg_ctx *c, struct mail_msg *m, struct msg_obj *o,
    struct mail_part *p, uint32_t method)
{
	GsfInput	*in;
	enum ms_err	 rc = MS_OK;

	if ((in = gsf_infile_child_by_name(o->dir, EMBEDDED_NAME)) == NULL)
		return MS_OK;
	if (!GSF_IS_INFILE(in) || gsf_infile_num_children(GSF_INFILE(in)) < 0)
		goto out;
	if (method != MAIL_ATTACH_EMBEDDED_MSG &&
	    !msg_is_message(GSF_INFILE(in)))
		goto out;
	p->content_type = "application/vnd.ms-outlook";
	if (m->depth + 1 > LIMIT_MIME_DEPTH) {
		rc = finding_add(c->a, c->findings, FINDING_LIMIT,
		    "limit_mime_depth", p->path, "attached Outlook messages "
		    "nested deeper than %d (LIMIT_MIME_DEPTH); not parsed",
		    LIMIT_MIME_DEPTH);
		goto out;
	}
	if ((rc = msg_count(c, p->path)) != MS_OK)
		goto out;
	rc = msg_message(c, GSF_INFILE(in), PROPS_HDR_EMBEDDED, o->cpid,
	    p->path, m->depth + 1, &p->embedded);
	if (rc == MS_EPARSE)
		rc = finding_add(c->a, c->findings, FINDING_PARSE,
		    "bad_attached_email", p->path, "attached Outlook message "
		    "could not be read");
out:
	g_object_unref(in);
	return rc;
}

/*
 * One "__attach_version1.0_#N" storage as part 'n' of 'm': names, MIME
 * tag, content id, and either the bytes (PR_ATTACH_DATA_BIN) or an
 * attached message.
 */
static enum ms_err
msg_attachment(struct msg_ctx *c, struct mail_msg *m, GsfInfile *dir,
    uint32_t cpid, size_t n)
{
	struct msg_obj		 o;
	struct mail_part	*p;
	const char		*path, *lname, *sname, *dname, *tag, *cid;
	uint32_t		 method;
	const struct msg_sprop	 props[] = {
		{ MAIL_PR_ATTACH_LONG_FILENAME, &lname },
		{ MAIL_PR_ATTACH_FILENAME, &sname },
		{ MAIL_PR_DISPLAY_NAME, &dname },
		{ MAIL_PR_ATTACH_MIME_TAG, &tag },
		{ MAIL_PR_ATTACH_CONTENT_ID, &cid },
	};
	enum ms_err		 rc;

	if ((path = msg_child_path(c->a, m->path, n)) == NULL)
		return MS_ELIMIT;
	if ((rc = msg_obj_open(c, &o, dir, PROPS_HDR_SUB, cpid, path)) != MS_OK)
		return rc;
	if ((rc = mail__part_new(c->a, m, path, &p)) != MS_OK)
		return rc;
	if ((rc = msg_strings(c, &o, props, MS_ARRAY_LEN(props))) != MS_OK)
		return rc;
	p->content_id = cid;
	p->file_name = mail__mapi_pick(lname, sname, dname);
	p->disposition = "attachment";
	p->flags = MAIL_PART_ATTACHMENT | MAIL_PART_MSG;
	if ((rc = mail__mapi_mime(c->a, tag, &p->content_type)) != MS_OK)
		return rc;
	if (p->content_type == NULL)
		p->content_type = "application/octet-stream";
	rc = msg_binary(c, &o, MAIL_PR_ATTACH_DATA, &p->data, &p->len);
	if (rc != MS_OK)
		return rc;
	method = msg_long(&o, MAIL_PR_ATTACH_METHOD, 0);
	if (p->data == NULL &&
	    (method == 0 || method == MAIL_ATTACH_EMBEDDED_MSG))
		return msg_attached_msg(c, m, &o, p, method);
	return MS_OK;
}

/*
 * The submit (else delivery) time, when the headers gave no Date, as an
 * RFC 5322 date in UTC (English names whatever the locale).
 */
static enum ms_err
msg_date(struct msg_ctx *c, struct mail_email *e, struct msg_obj *o)
{
	const unsigned char	*v;

	if (!msg_fixed(o, MAIL_PR_CLIENT_SUBMIT_TIME, MAIL_PT_SYSTIME, &v) &&
	    !msg_fixed(o, MAIL_PR_DELIVERY_TIME, MAIL_PT_SYSTIME, &v))
		return MS_OK;
	return mail__mapi_date(c->a, e, mail__mapi_le64(v));
}

/*
 * From (sent representing, else sender) and Sender (when a delegate sent
 * on behalf of someone else), unless the headers gave them.
 */
static enum ms_err
msg_senders(struct msg_ctx *c, struct mail_email *e, struct msg_obj *o)
{
	struct mail__mapi_who	 s, r;
	const struct msg_sprop	 names[] = {
		{ MAIL_PR_SENDER_NAME, &s.name },
		{ MAIL_PR_SENT_REPR_NAME, &r.name },
	};
	enum ms_err		 rc;

	/* Not even read when the headers named the sender. */
	if (e->from != NULL)
		return MS_OK;
	rc = msg_strings(c, o, names, MS_ARRAY_LEN(names));
	if (rc == MS_OK)
		rc = msg_smtp(c, o, MAIL_PR_SENDER_SMTP,
		    MAIL_PR_SENDER_EMAIL, &s);
	if (rc == MS_OK)
		rc = msg_smtp(c, o, MAIL_PR_SENT_REPR_SMTP,
		    MAIL_PR_SENT_REPR_EMAIL, &r);
	if (rc != MS_OK)
		return rc;
	return mail__mapi_senders(c->a, e, &s, &r);
}

/*
 * The envelope: transport headers when present (parsed like any header
 * block), then whatever they did not give from the MAPI properties.
 */
static enum ms_err
msg_envelope(struct msg_ctx *c, struct mail_msg *m, struct msg_obj *o)
{
	struct mail_email	*e = &m->email;
	const char		*s;
	enum ms_err		 rc;

	if ((rc = msg_string(c, o, MAIL_PR_TRANSPORT_HEADERS, &s)) != MS_OK)
		return rc;
	if (s != NULL && *s != '\0' &&
	    (rc = mail__headers(c->a, s, strlen(s), e, c->findings)) != MS_OK)
		return rc;
	if (e->subject == NULL &&
	    (rc = msg_string(c, o, MAIL_PR_SUBJECT, &e->subject)) != MS_OK)
		return rc;
	if (e->message_id == NULL) {
		if ((rc = msg_string(c, o, MAIL_PR_INTERNET_MESSAGE_ID,
		    &s)) != MS_OK)
			return rc;
		e->message_id = mail__mapi_msgid(c->a, s);
	}
	if ((rc = msg_date(c, e, o)) != MS_OK)
		return rc;
	return msg_senders(c, e, o);
}

/*
 * Plain text (PR_BODY) and HTML (PR_HTML: bytes in the PR_INTERNET_CPID
 * code page, converted to UTF-8).
 */
static enum ms_err
msg_bodies(struct msg_ctx *c, struct mail_msg *m, struct msg_obj *o)
{
	struct mail_email	*e = &m->email;
	const unsigned char	*p;
	size_t			 n;
	enum ms_err		 rc;

	if ((rc = msg_string(c, o, MAIL_PR_BODY, &e->text)) != MS_OK)
		return rc;
	e->text_len = e->text != NULL ? strlen(e->text) : 0;
	if ((rc = msg_binary(c, o, MAIL_PR_BODY_HTML, &p, &n)) != MS_OK)
		return rc;
	if (p != NULL) {
		e->html = mail__mapi_str8(c->a,
		    msg_long(o, MAIL_PR_INTERNET_CPID, o->cpid), p, n);
		if (e->html == NULL)
			return MS_ELIMIT;
	} else {
		rc = msg_string(c, o, MAIL_PR_BODY_HTML, &e->html);
		if (rc != MS_OK)
			return rc;
	}
	e->html_len = e->html != NULL ? strlen(e->html) : 0;
	return MS_OK;
}

/*
 * Walk the recipient and attachment storages of a message.  Recipients
 * go to 'to', 'cc', 'bcc'; attachments become parts "<path>.N".
 */
static enum ms_err
msg_children(struct msg_ctx *c, struct mail_msg *m, struct msg_obj *o,
    struct arena_vec *rcpt)
{
	GsfInput	*child;
	const char	*name;
	enum ms_err	 rc = MS_OK;
	size_t		 natt = 0;
	int		 i, n = gsf_infile_num_children(o->dir), recip;

	for (i = 0; i < n && rc == MS_OK; i++) {
		name = gsf_infile_name_by_index(o->dir, i);
		if (name == NULL)
			continue;
		recip = strncmp(name, RECIP_PREFIX, strlen(RECIP_PREFIX)) == 0;
		if (!recip &&
		    strncmp(name, ATTACH_PREFIX, strlen(ATTACH_PREFIX)) != 0)
			continue;
		if ((rc = msg_count(c, m->path)) != MS_OK)
			break;
		if ((child = gsf_infile_child_by_index(o->dir, i)) == NULL)
			continue;
		if (GSF_IS_INFILE(child) &&
		    gsf_infile_num_children(GSF_INFILE(child)) >= 0)
			rc = recip ? msg_recipient(c, m, GSF_INFILE(child),
			    o->cpid, &rcpt[0], &rcpt[1], &rcpt[2]) :
			    msg_attachment(c, m, GSF_INFILE(child), o->cpid,
			    ++natt);
		g_object_unref(child);
	}
	return rc;
}

/*
 * Read the message stored in 'dir' (property header 'hdr' bytes) at
 * 'path' / 'depth' into a new struct mail_msg.  '*out' is set as soon as
 * the storage is known to be a message, so that a limit hit later still
 * leaves what was read.  MS_EPARSE if 'dir' is not a message.
 */
static enum ms_err
msg_message(struct msg_ctx *c, GsfInfile *dir, size_t hdr, uint32_t cpid,
    const char *path, int depth, struct mail_msg **out)
{
	struct arena_vec	 rcpt[3];
	struct mail_email	*e;
	struct mail_msg		*m;
	struct msg_obj		 o;
	enum ms_err		 rc;

	*out = NULL;
	memset(rcpt, 0, sizeof(rcpt));
	if (!msg_is_message(dir))
		return MS_EPARSE;
	if ((m = arena_alloc(c->a, sizeof(*m))) == NULL)
		return MS_ELIMIT;
	m->findings = c->findings;
	m->depth = depth;
	m->path = path != NULL ? path : "";
	m->source = "outlook-msg";
	m->email.date_ts = -1;
	e = &m->email;
	*out = m;
	if ((rc = msg_obj_open(c, &o, dir, hdr, cpid, m->path)) != MS_OK)
		return rc;
	rc = msg_envelope(c, m, &o);
	if (rc == MS_OK)
		rc = msg_bodies(c, m, &o);
	if (rc == MS_OK)
		rc = msg_children(c, m, &o, rcpt);
	/* The headers, when present, already named the recipients. */
	if (e->to.n == 0 && e->cc.n == 0 && e->bcc.n == 0) {
		e->to = rcpt[0];
		e->cc = rcpt[1];
		e->bcc = rcpt[2];
	}
	return rc;
}

/* The OLE2 compound file signature; see msg.h. */
int
msg_sniff(const char *raw, size_t len)
{
	static const char	sig[8] = "\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1";

	return len >= sizeof(sig) && memcmp(raw, sig, sizeof(sig)) == 0;
}

/*
 * Open the compound file and read its root as a message; see msg.h.
 */
enum ms_err
msg_parse(struct arena *a, const unsigned char *raw, size_t len,
    const char *path, int depth, struct arena_vec *findings,
    struct mail_msg **out)
{
	struct msg_ctx	 c = { a, findings, len, 0 };
	GsfInput	*in;
	GsfInfile	*ole;
	GError		*err = NULL;

	*out = NULL;
	if (!msg_sniff((const char *)raw, len))
		return MS_EPARSE;
	if (depth > LIMIT_MIME_DEPTH) {
		(void)finding_add(a, findings, FINDING_LIMIT,
		    "limit_mime_depth", path, "Outlook message nested deeper "
		    "than %d (LIMIT_MIME_DEPTH); not parsed", LIMIT_MIME_DEPTH);
		return MS_ELIMIT;
	}
	/* No copy: 'raw' outlives the parse, and only the arena's copies
	 * of what was read are kept. */
	in = gsf_input_memory_new(raw, (gsf_off_t)len, FALSE);
	if (in == NULL)
		return MS_EPARSE;
	if (arena_defer(a, g_object_unref, in) != MS_OK)
		return MS_ELIMIT;
	if ((ole = gsf_infile_msole_new(in, &err)) == NULL) {
		(void)finding_add(a, findings, FINDING_PARSE, "msg_bad_ole",
		    path, "not a readable OLE2 compound file");
		g_clear_error(&err);
		return MS_EPARSE;
	}
	if (arena_defer(a, g_object_unref, ole) != MS_OK)
		return MS_ELIMIT;
	return msg_message(&c, ole, PROPS_HDR_TOP, 1252, path, depth, out);
}
