/* SPDX-License-Identifier: Apache-2.0 */
/*
 * tnef.c -- our own decoder for Transport Neutral Encapsulation Format
 * streams (winmail.dat, application/ms-tnef, [MS-OXTNEF]).  It runs in the
 * analysis worker on UNTRUSTED bytes: every length is checked against the
 * attribute or property it sits in, nothing is read past the buffer, and
 * embedded messages (PR_ATTACH_DATA_OBJ holding IID_IMessage + a nested
 * TNEF stream) recurse with a depth counter.  Attachment bytes are not
 * copied: tnef_file.data points into 'raw', which the caller keeps alive.
 * Only names and bodies (converted to UTF-8) are allocated, in the arena.
 * The conversion of MAPI values (strings, dates, addresses) is shared
 * with msg.c, in mapi.c.  Compressed RTF bodies are not decompressed.
 */
#include <string.h>

#include <glib.h>

#include "../common/limits.h"
#include "mail_int.h"
#include "tnef.h"

#define TNEF_SIGNATURE		0x223e9f78u

/* Attribute ids: type in the high 16 bits, id in the low 16. */
#define ATT_SUBJECT		0x00018004u
#define ATT_BODY		0x0002800cu
#define ATT_ATTACH_DATA		0x0006800fu
#define ATT_ATTACH_TITLE	0x00018010u
#define ATT_ATTACH_RENDDATA	0x00069002u
#define ATT_MSG_PROPS		0x00069003u
#define ATT_RECIP_TABLE		0x00069004u
#define ATT_ATTACHMENT		0x00069005u
#define ATT_OEM_CODEPAGE	0x00069007u

/* IID_IMessage {00020307-0000-0000-C000-000000000046}, as stored. */
static const unsigned char iid_imessage[16] = {
	0x07, 0x03, 0x02, 0x00, 0x00, 0x00, 0x00, 0x00,
	0xc0, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x46
};

/* A bounded little-endian reader.  Invariant: off <= len. */
struct tnef_rd {
	const unsigned char	*p;
	size_t			 len;
	size_t			 off;
};

/* One attachment being assembled from its attributes. */
struct tnef_att {
	int			 open;
	const char		*title;		/* attAttachTitle (8.3) */
	const char		*long_name;	/* PR_ATTACH_LONG_FILENAME */
	const char		*file_name;	/* PR_ATTACH_FILENAME */
	const char		*mime;		/* PR_ATTACH_MIME_TAG */
	const unsigned char	*data;		/* attAttachData */
	size_t			 len;
	int			 have_data;
	const unsigned char	*obj;		/* PR_ATTACH_DATA_OBJ */
	size_t			 obj_len;
	int			 have_obj;
	int			 obj_is_msg;	/* IID_IMessage + TNEF */
	uint32_t		 method;	/* PR_ATTACH_METHOD */
};

/* One row of attRecipTable being read. */
struct tnef_rcpt {
	struct mail__mapi_who	 who;		/* PR_DISPLAY_NAME, ... */
	uint32_t		 type;		/* 1 to, 2 cc, 3 bcc */
};

/* The envelope of a message, used when it is an embedded one. */
struct tnef_env {
	const char		*headers;	/* transport headers */
	const char		*msgid;
	struct mail__mapi_who	 sender;	/* PR_SENDER_* */
	struct mail__mapi_who	 repr;		/* PR_SENT_REPRESENTING_* */
	uint64_t		 submit;	/* FILETIME, 0 if none */
	struct arena_vec	 rcpt[3];	/* to, cc, bcc */
};

/* State of one TNEF stream; nested streams get their own. */
struct tnef_ctx {
	struct arena		*a;
	struct arena_vec	*findings;
	const char		*part;		/* path named in findings */
	size_t			*nattrs;	/* shared by nested streams */
	int			 depth;
	struct arena_vec	*files;		/* struct tnef_file * */
	uint32_t		 cpid;		/* attOemCodepage */
	const char		*body;		/* PR_BODY */
	const char		*legacy_body;	/* attBody */
	const char		*html;		/* PR_BODY_HTML */
	const char		*subject;
	struct tnef_env		 env;
	struct tnef_rcpt	*row;		/* set inside attRecipTable */
};

static enum ms_err	tnef_stream(struct tnef_ctx *, const unsigned char *,
			    size_t);

/* Read a little-endian u16; -1 at the end of the buffer. */
static int
rd_u16(struct tnef_rd *r, uint16_t *v)
{
	if (r->len - r->off < 2)
		return -1;
	*v = (uint16_t)(r->p[r->off] | r->p[r->off + 1] << 8);
	r->off += 2;
	return 0;
}

/* Read a little-endian u32; -1 at the end of the buffer. */
static int
rd_u32(struct tnef_rd *r, uint32_t *v)
{
	const unsigned char	*q = r->p + r->off;

	if (r->len - r->off < 4)
		return -1;
	*v = (uint32_t)q[0] | (uint32_t)q[1] << 8 | (uint32_t)q[2] << 16 |
	    (uint32_t)q[3] << 24;
	r->off += 4;
	return 0;
}

/* Take 'n' bytes; -1 if fewer are left. */
static int
rd_take(struct tnef_rd *r, size_t n, const unsigned char **out)
{
	if (n > r->len - r->off)
		return -1;
	*out = r->p + r->off;
	r->off += n;
	return 0;
}

/*
 * Take 'n' bytes and the padding to the next multiple of 4.  Writers
 * sometimes drop the padding of the last value, so a short pad at the
 * very end is tolerated.
 */
static int
rd_take_pad(struct tnef_rd *r, size_t n, const unsigned char **out)
{
	size_t	pad = (4 - (n & 3)) & 3;

	if (rd_take(r, n, out) != 0)
		return -1;
	if (pad > r->len - r->off)
		pad = r->len - r->off;
	r->off += pad;
	return 0;
}

/* Record a parse finding on the stream's part. */
static enum ms_err
tnef_finding(struct tnef_ctx *c, const char *id, const char *detail)
{
	return finding_add(c->a, c->findings, FINDING_PARSE, id, c->part,
	    "%s", detail);
}

/* An 8-bit string in the stream's code page as UTF-8 in the arena. */
static char *
tnef_str8(struct tnef_ctx *c, const unsigned char *p, size_t n)
{
	return mail__mapi_str8(c->a, c->cpid, p, n);
}

/* A string property of type 'type' as UTF-8 in the arena. */
static char *
tnef_prop_str(struct tnef_ctx *c, uint16_t type, const unsigned char *p,
    size_t n)
{
	if (type == MAIL_PT_UNICODE)
		return mail__mapi_utf16(c->a, p, n);
	return tnef_str8(c, p, n);
}

/* True for the types whose value is a counted, padded byte string. */
static int
tnef_vartype(uint16_t base)
{
	return base == MAIL_PT_STRING8 || base == MAIL_PT_UNICODE ||
	    base == MAIL_PT_BINARY || base == MAIL_PT_OBJECT;
}

/* Size of one fixed-size value of 'base' type, 0 if unknown. */
static size_t
tnef_fixed_size(uint16_t base)
{
	switch (base) {
	case 0x0001:	/* PT_NULL */
	case MAIL_PT_SHORT:	/* 2, padded */
	case MAIL_PT_LONG:
	case 0x0004:	/* PT_FLOAT */
	case 0x000a:	/* PT_ERROR */
	case 0x000b:	/* PT_BOOLEAN, padded */
		return 4;
	case 0x0005:	/* PT_DOUBLE */
	case 0x0006:	/* PT_CURRENCY */
	case 0x0007:	/* PT_APPTIME */
	case 0x0014:	/* PT_I8 */
	case 0x0040:	/* PT_SYSTIME */
		return 8;
	case 0x0048:	/* PT_CLSID */
		return 16;
	}
	return 0;
}

/*
 * Handle the value of PR_ATTACH_DATA_OBJ.  A PT_OBJECT value starts with
 * the interface id; IID_IMessage followed by a TNEF signature is an
 * embedded message, anything else is kept as the attachment's bytes.
 */
static void
tnef_data_obj(struct tnef_att *t, uint16_t base, const unsigned char *v,
    size_t n)
{
	t->have_obj = 1;
	t->obj = v;
	t->obj_len = n;
	if (base != MAIL_PT_OBJECT || n < 16)
		return;
	t->obj = v + 16;
	t->obj_len = n - 16;
	if (memcmp(v, iid_imessage, 16) == 0 &&
	    tnef_sniff(t->obj, t->obj_len))
		t->obj_is_msg = 1;
}

/* Where a string property of a message, attachment ('t') or recipient
 * row (c->row) is kept; NULL when it is not used. */
static const char **
tnef_str_dst(struct tnef_ctx *c, struct tnef_att *t, uint16_t id)
{
	if (c->row != NULL)
		return id == MAIL_PR_DISPLAY_NAME ? &c->row->who.name :
		    id == MAIL_PR_SMTP_ADDRESS ? &c->row->who.smtp :
		    id == MAIL_PR_EMAIL_ADDRESS ? &c->row->who.email : NULL;
	if (t != NULL)
		return id == MAIL_PR_ATTACH_LONG_FILENAME ? &t->long_name :
		    id == MAIL_PR_ATTACH_FILENAME ? &t->file_name :
		    id == MAIL_PR_ATTACH_MIME_TAG ? &t->mime : NULL;
	switch (id) {
	case MAIL_PR_BODY:			return &c->body;
	case MAIL_PR_BODY_HTML:		return &c->html;
	case MAIL_PR_SUBJECT:		return &c->subject;
	case MAIL_PR_TRANSPORT_HEADERS:	return &c->env.headers;
	case MAIL_PR_INTERNET_MESSAGE_ID:	return &c->env.msgid;
	case MAIL_PR_SENDER_NAME:		return &c->env.sender.name;
	case MAIL_PR_SENDER_EMAIL:		return &c->env.sender.email;
	case MAIL_PR_SENDER_SMTP:		return &c->env.sender.smtp;
	case MAIL_PR_SENT_REPR_NAME:		return &c->env.repr.name;
	case MAIL_PR_SENT_REPR_EMAIL:	return &c->env.repr.email;
	case MAIL_PR_SENT_REPR_SMTP:		return &c->env.repr.smtp;
	}
	return NULL;
}

/* The fixed-size properties used: attach method, recipient type, time. */
static void
tnef_fixed_prop(struct tnef_ctx *c, struct tnef_att *t, uint16_t id,
    uint16_t base, const unsigned char *v, size_t n)
{
	if (base == MAIL_PT_LONG && n >= 4 && c->row != NULL &&
	    id == MAIL_PR_RECIPIENT_TYPE)
		c->row->type = mail__mapi_le32(v);
	else if (base == MAIL_PT_LONG && n >= 4 && t != NULL &&
	    id == MAIL_PR_ATTACH_METHOD)
		t->method = mail__mapi_le32(v);
	else if (base == MAIL_PT_SYSTIME && n >= 8 && t == NULL &&
	    c->row == NULL && id == MAIL_PR_CLIENT_SUBMIT_TIME)
		c->env.submit = mail__mapi_le64(v);
}

/*
 * One property value.  'att' is NULL for message-level properties and
 * recipient rows.  Only the first value of a multi-valued property
 * reaches here.
 */
static enum ms_err
tnef_prop(struct tnef_ctx *c, struct tnef_att *t, uint16_t id,
    uint16_t base, const unsigned char *v, size_t n)
{
	const char	**dst;
	char		 *s;

	if (base == MAIL_PT_LONG || base == MAIL_PT_SYSTIME) {
		tnef_fixed_prop(c, t, id, base, v, n);
		return MS_OK;
	}
	if (t != NULL && id == MAIL_PR_ATTACH_DATA &&
	    (base == MAIL_PT_BINARY || base == MAIL_PT_OBJECT)) {
		tnef_data_obj(t, base, v, n);
		return MS_OK;
	}
	if (base != MAIL_PT_STRING8 && base != MAIL_PT_UNICODE &&
	    !(id == MAIL_PR_BODY_HTML && base == MAIL_PT_BINARY))
		return MS_OK;
	if ((dst = tnef_str_dst(c, t, id)) == NULL)
		return MS_OK;
	if ((s = tnef_prop_str(c, base, v, n)) == NULL)
		return MS_ELIMIT;
	*dst = s;
	return MS_OK;
}

/*
 * Skip the name of a named property (id >= 0x8000): GUID, kind, then a
 * numeric id or a counted UTF-16 name padded to 4.  -1 if malformed.
 */
static int
tnef_skip_name(struct tnef_rd *r)
{
	const unsigned char	*p;
	uint32_t		 kind, n;

	if (rd_take(r, 16, &p) != 0 || rd_u32(r, &kind) != 0)
		return -1;
	if (kind == 0)
		return rd_u32(r, &n);
	if (kind != 1 || rd_u32(r, &n) != 0)
		return -1;
	return rd_take_pad(r, n, &p);
}

/*
 * The values of one property of variable-size type: count, then count
 * times (length, bytes padded to 4).  Each value costs at least 4 bytes,
 * so a hostile count ends at the buffer's end.  -1 if truncated.
 */
static int
tnef_var_values(struct tnef_ctx *c, struct tnef_att *t, struct tnef_rd *r,
    uint16_t id, uint16_t base, enum ms_err *rc)
{
	const unsigned char	*v;
	uint32_t		 count, i, n;

	if (rd_u32(r, &count) != 0)
		return -1;
	for (i = 0; i < count; i++) {
		if (rd_u32(r, &n) != 0 || rd_take_pad(r, n, &v) != 0)
			return -1;
		if (i == 0 && (*rc = tnef_prop(c, t, id, base, v, n)) != MS_OK)
			return 0;
	}
	return 0;
}

/*
 * The values of one property of fixed-size type; multi-valued ones
 * carry a count first.  -1 if truncated or of unknown type.
 */
static int
tnef_fixed_values(struct tnef_ctx *c, struct tnef_att *t, struct tnef_rd *r,
    uint16_t id, uint16_t type, enum ms_err *rc)
{
	const unsigned char	*v;
	uint16_t		 base = type & ~MAIL_PT_MV;
	size_t			 sz = tnef_fixed_size(base), total;
	uint32_t		 count = 1;

	if (sz == 0)
		return -1;
	if ((type & MAIL_PT_MV) && rd_u32(r, &count) != 0)
		return -1;
	if (__builtin_mul_overflow((size_t)count, sz, &total) ||
	    rd_take(r, total, &v) != 0)
		return -1;
	if (count > 0)
		*rc = tnef_prop(c, t, id, base, v, sz);
	return 0;
}

/*
 * A MAPI property list (UNTRUSTED) read from 'r': count, then typed,
 * tagged values.  Every property counts against LIMIT_TNEF_ATTRS.
 * '*bad' is set when the list is malformed or truncated.
 */
static enum ms_err
tnef_proplist(struct tnef_ctx *c, struct tnef_att *t, struct tnef_rd *r,
    int *bad)
{
	enum ms_err	 rc = MS_OK;
	uint32_t	 count, i;
	uint16_t	 type, id;

	*bad = rd_u32(r, &count) != 0;
	for (i = 0; !*bad && i < count && rc == MS_OK; i++) {
		if (++*c->nattrs > LIMIT_TNEF_ATTRS)
			return MS_ELIMIT;
		if (rd_u16(r, &type) != 0 || rd_u16(r, &id) != 0 ||
		    (id >= 0x8000 && tnef_skip_name(r) != 0)) {
			*bad = 1;
			break;
		}
		if (tnef_vartype(type & ~MAIL_PT_MV))
			*bad = tnef_var_values(c, t, r, id, type & ~MAIL_PT_MV,
			    &rc);
		else
			*bad = tnef_fixed_values(c, t, r, id, type, &rc);
	}
	return rc;
}

/*
 * A property list attribute (attMsgProps, attAttachment).  A malformed
 * list is reported and abandoned; what was read stays.
 */
static enum ms_err
tnef_props(struct tnef_ctx *c, struct tnef_att *t, const unsigned char *p,
    size_t len)
{
	struct tnef_rd	 r = { p, len, 0 };
	enum ms_err	 rc;
	int		 bad;

	rc = tnef_proplist(c, t, &r, &bad);
	if (bad && rc == MS_OK)
		rc = tnef_finding(c, "tnef_bad_props", "malformed or "
		    "truncated MAPI property list");
	return rc;
}

/* Add a recipient row to To, Cc or Bcc. */
static enum ms_err
tnef_rcpt_add(struct tnef_ctx *c, const struct tnef_rcpt *row)
{
	struct mail_addr	*ad;
	enum ms_err		 rc;

	rc = mail__mapi_addr(c->a, &row->who, &ad);
	if (rc != MS_OK || ad == NULL)
		return rc;
	return arena_vec_push(c->a, &c->env.rcpt[row->type == 2 ? 1 :
	    row->type == 3 ? 2 : 0], ad);
}

/* attRecipTable (UNTRUSTED): a count of rows, each a property list. */
static enum ms_err
tnef_recips(struct tnef_ctx *c, const unsigned char *p, size_t len)
{
	struct tnef_rd		 r = { p, len, 0 };
	struct tnef_rcpt	 row;
	enum ms_err		 rc = MS_OK;
	uint32_t		 rows, i;
	int			 bad;

	bad = rd_u32(&r, &rows) != 0;
	for (i = 0; !bad && i < rows && rc == MS_OK; i++) {
		if (++*c->nattrs > LIMIT_TNEF_ATTRS)
			return MS_ELIMIT;
		memset(&row, 0, sizeof(row));
		c->row = &row;
		rc = tnef_proplist(c, NULL, &r, &bad);
		c->row = NULL;
		if (rc == MS_OK && !bad)
			rc = tnef_rcpt_add(c, &row);
	}
	if (bad && rc == MS_OK)
		rc = tnef_finding(c, "tnef_bad_props", "malformed or "
		    "truncated recipient table");
	return rc;
}

/*
 * Turn the files of an embedded message into its parts, so that the
 * embedded struct mail_msg reads like any other.  Paths are "<m>.N".
 */
static enum ms_err
tnef_msg_parts(struct arena *a, struct mail_msg *m, struct arena_vec *files)
{
	struct tnef_file	*f;
	struct mail_part	*p;
	const char		*path;
	enum ms_err		 rc;
	size_t			 i;

	for (i = 0; i < files->n; i++) {
		f = files->v[i];
		if ((path = arena_printf(a, "%s.%zu", m->path, i + 1)) == NULL)
			return MS_ELIMIT;
		if ((rc = mail__part_new(a, m, path, &p)) != MS_OK)
			return rc;
		p->content_type = f->embedded != NULL ?
		    "application/vnd.ms-outlook" : f->mime_type != NULL ?
		    f->mime_type : "application/octet-stream";
		p->disposition = "attachment";
		p->file_name = f->name;
		p->data = f->data;
		p->len = f->len;
		p->flags = MAIL_PART_ATTACHMENT | MAIL_PART_TNEF;
		p->embedded = f->embedded;
	}
	return MS_OK;
}

/*
 * The envelope of an embedded message: its transport headers when it
 * kept them (a message forwarded as an attachment does), then what they
 * did not give from the MAPI properties and the recipient table.
 */
static enum ms_err
tnef_envelope(struct tnef_ctx *s, struct mail_msg *m)
{
	struct mail_email	*e = &m->email;
	const struct tnef_env	*v = &s->env;
	enum ms_err		 rc;

	if (v->headers != NULL && *v->headers != '\0' &&
	    (rc = mail__headers(s->a, v->headers, strlen(v->headers), e,
	    s->findings)) != MS_OK)
		return rc;
	if (e->subject == NULL)
		e->subject = s->subject;
	if (e->message_id == NULL)
		e->message_id = mail__mapi_msgid(s->a, v->msgid);
	if ((rc = mail__mapi_date(s->a, e, v->submit)) != MS_OK)
		return rc;
	if (e->to.n == 0 && e->cc.n == 0 && e->bcc.n == 0) {
		e->to = v->rcpt[0];
		e->cc = v->rcpt[1];
		e->bcc = v->rcpt[2];
	}
	return mail__mapi_senders(s->a, e, &v->sender, &v->repr);
}

/*
 * Parse the TNEF stream of an embedded message (attachment number
 * 'index') into f->embedded.  Past LIMIT_MIME_DEPTH the bytes are kept
 * as plain data and a finding says so.
 */
static enum ms_err
tnef_embedded(struct tnef_ctx *c, struct tnef_att *t, struct tnef_file *f,
    size_t index)
{
	struct tnef_ctx		 sub;
	struct arena_vec	 files = { NULL, 0, 0 };
	struct mail_msg		*m;
	enum ms_err		 rc;

	if (c->depth + 1 > LIMIT_MIME_DEPTH)
		return finding_add(c->a, c->findings, FINDING_LIMIT,
		    "limit_mime_depth", c->part, "TNEF messages nested "
		    "deeper than %d", LIMIT_MIME_DEPTH);
	if ((m = arena_alloc(c->a, sizeof(*m))) == NULL)
		return MS_ELIMIT;
	m->path = arena_printf(c->a, "%s%s%zu", c->part ? c->part : "",
	    c->part && *c->part ? "." : "", index);
	if (m->path == NULL)
		return MS_ELIMIT;
	memset(&sub, 0, sizeof(sub));
	sub.a = c->a;
	sub.findings = c->findings;
	sub.part = m->path;
	sub.nattrs = c->nattrs;
	sub.depth = c->depth + 1;
	sub.files = &files;
	rc = tnef_stream(&sub, t->obj, t->obj_len);
	if (rc == MS_ELIMIT)
		return rc;
	m->findings = c->findings;
	m->depth = sub.depth;
	m->source = "tnef";
	m->email.date_ts = -1;
	f->embedded = m;
	if ((rc = tnef_envelope(&sub, m)) != MS_OK)
		return rc;
	m->email.text = sub.body != NULL ? sub.body : sub.legacy_body;
	m->email.text_len = m->email.text ? strlen(m->email.text) : 0;
	m->email.html = sub.html;
	m->email.html_len = sub.html ? strlen(sub.html) : 0;
	return tnef_msg_parts(c->a, m, &files);
}

/*
 * Close the attachment being assembled: emit a struct tnef_file when it
 * carried bytes (attAttachData or PR_ATTACH_DATA_OBJ), then reset.
 */
static enum ms_err
tnef_flush(struct tnef_ctx *c, struct tnef_att *t)
{
	struct tnef_file	*f;
	enum ms_err		 rc = MS_OK;

	if (!t->open || (!t->have_data && !t->have_obj))
		goto out;
	if (c->files->n >= LIMIT_ATTACHMENTS) {
		rc = finding_add(c->a, c->findings, FINDING_LIMIT,
		    "limit_attachments", c->part, "more than %d TNEF "
		    "attachments", LIMIT_ATTACHMENTS);
		goto out;
	}
	if ((f = arena_alloc(c->a, sizeof(*f))) == NULL) {
		rc = MS_ELIMIT;
		goto out;
	}
	f->name = mail__mapi_pick(t->long_name, t->file_name, t->title);
	rc = mail__mapi_mime(c->a, t->mime, &f->mime_type);
	if (t->have_data && !t->obj_is_msg) {
		f->data = t->data;
		f->len = t->len;
	} else {
		f->data = t->obj;
		f->len = t->obj_len;
	}
	if (rc == MS_OK)
		rc = arena_vec_push(c->a, c->files, f);
	if (rc == MS_OK && t->obj_is_msg)
		rc = tnef_embedded(c, t, f, c->files->n);
out:
	memset(t, 0, sizeof(*t));
	return rc;
}

/* One attribute (UNTRUSTED 'd', 'n' bytes), dispatched on its id. */
static enum ms_err
tnef_attr(struct tnef_ctx *c, struct tnef_att *t, uint32_t id,
    const unsigned char *d, size_t n)
{
	enum ms_err	rc = MS_OK;

	switch (id) {
	case ATT_ATTACH_RENDDATA:
		rc = tnef_flush(c, t);
		t->open = 1;
		break;
	case ATT_ATTACH_TITLE:
		t->open = 1;
		if ((t->title = tnef_str8(c, d, n)) == NULL)
			rc = MS_ELIMIT;
		break;
	case ATT_ATTACH_DATA:
		t->open = t->have_data = 1;
		t->data = d;
		t->len = n;
		break;
	case ATT_ATTACHMENT:
		t->open = 1;
		rc = tnef_props(c, t, d, n);
		break;
	case ATT_MSG_PROPS:
		rc = tnef_props(c, NULL, d, n);
		break;
	case ATT_RECIP_TABLE:
		rc = tnef_recips(c, d, n);
		break;
	case ATT_BODY:
		if ((c->legacy_body = tnef_str8(c, d, n)) == NULL)
			rc = MS_ELIMIT;
		break;
	case ATT_SUBJECT:
		if (c->subject == NULL &&
		    (c->subject = tnef_str8(c, d, n)) == NULL)
			rc = MS_ELIMIT;
		break;
	case ATT_OEM_CODEPAGE:
		if (n >= 4)
			c->cpid = mail__mapi_le32(d);
		break;
	}
	return rc;
}

/* The TNEF checksum: sum of the data bytes modulo 65536. */
static uint16_t
tnef_sum(const unsigned char *d, size_t n)
{
	uint32_t	s = 0;
	size_t		i;

	for (i = 0; i < n; i++)
		s += d[i];
	return (uint16_t)s;
}

/*
 * Read one attribute header and data at r->off.  Returns 1 with the
 * attribute, 0 at the end of the stream, -1 on a malformed stream (a
 * finding says why and *rc is set).
 */
static int
tnef_next(struct tnef_ctx *c, struct tnef_rd *r, uint32_t *id,
    const unsigned char **d, uint32_t *n, enum ms_err *rc)
{
	uint16_t	ck;
	uint8_t		level;

	if (r->off == r->len)
		return 0;
	if (r->len - r->off < 9) {
		*rc = tnef_finding(c, "tnef_trailing_garbage", "bytes after "
		    "the last TNEF attribute");
		return 0;
	}
	level = r->p[r->off++];
	(void)rd_u32(r, id);
	(void)rd_u32(r, n);
	if (level != 1 && level != 2) {
		/* Seen in the wild as junk appended after a valid stream:
		 * what was read is good, so this is not an error. */
		*rc = tnef_finding(c, "tnef_bad_level", "TNEF attribute of "
		    "unknown level; rest of the stream ignored");
		return 0;
	}
	if (rd_take(r, *n, d) != 0) {
		(void)tnef_finding(c, "tnef_truncated", "TNEF attribute "
		    "longer than the stream");
		*rc = MS_EPARSE;
		return -1;
	}
	if (rd_u16(r, &ck) != 0)
		*rc = tnef_finding(c, "tnef_truncated", "TNEF attribute "
		    "without its checksum");
	else if (ck != tnef_sum(*d, *n))
		*rc = tnef_finding(c, "tnef_checksum", "TNEF attribute "
		    "checksum mismatch");
	return 1;
}

/* Walk one TNEF stream (signature, key, attributes) into 'c'. */
static enum ms_err
tnef_stream(struct tnef_ctx *c, const unsigned char *raw, size_t len)
{
	struct tnef_rd		 r = { raw, len, 0 };
	struct tnef_att		 t;
	const unsigned char	*d;
	enum ms_err		 rc = MS_OK, frc;
	uint32_t		 sig, id, n;
	uint16_t		 key;

	memset(&t, 0, sizeof(t));
	if (rd_u32(&r, &sig) != 0 || sig != TNEF_SIGNATURE ||
	    rd_u16(&r, &key) != 0)
		return MS_EPARSE;
	while (rc == MS_OK && tnef_next(c, &r, &id, &d, &n, &rc) > 0) {
		if (rc != MS_OK)
			break;
		if (++*c->nattrs > LIMIT_TNEF_ATTRS)
			rc = MS_ELIMIT;
		else
			rc = tnef_attr(c, &t, id, d, n);
	}
	if (rc == MS_ELIMIT)
		return rc;
	frc = tnef_flush(c, &t);
	return frc != MS_OK ? frc : rc;
}

/* The signature 0x223e9f78, little-endian.  See tnef.h. */
int
tnef_sniff(const unsigned char *raw, size_t len)
{
	return len >= 4 && raw[0] == 0x78 && raw[1] == 0x9f &&
	    raw[2] == 0x3e && raw[3] == 0x22;
}

/*
 * Walk one TNEF stream; see tnef.h.  Limit findings are recorded here,
 * once, whatever level of nesting hit them.
 */
enum ms_err
tnef_parse(struct arena *a, const unsigned char *raw, size_t len,
    const char *part, struct arena_vec *findings, struct arena_vec *files,
    const char **body)
{
	struct tnef_ctx	c;
	size_t		nattrs = 0;
	enum ms_err	rc;

	*body = NULL;
	memset(&c, 0, sizeof(c));
	c.a = a;
	c.findings = findings;
	c.part = part;
	c.nattrs = &nattrs;
	c.files = files;
	if (!tnef_sniff(raw, len)) {
		(void)tnef_finding(&c, "tnef_bad_signature", "not a TNEF "
		    "stream");
		return MS_EPARSE;
	}
	rc = tnef_stream(&c, raw, len);
	if (nattrs > LIMIT_TNEF_ATTRS)
		(void)finding_add(a, findings, FINDING_LIMIT,
		    "limit_tnef_attrs", part, "more than %d TNEF attributes "
		    "and MAPI properties", LIMIT_TNEF_ATTRS);
	*body = c.body != NULL ? c.body : c.legacy_body;
	return rc;
}
