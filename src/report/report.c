/* SPDX-License-Identifier: Apache-2.0 */
/*
 * report.c -- an analysis as one JSON object (jansson) for `mailsoar
 * analyze --json`.  The schema is written down in docs/json.md; keep the
 * two in step.  Strings from the email are UTF-8 already (src/mail made
 * them so); jansson escapes them.
 */
#include <stdlib.h>
#include <string.h>

#include <glib.h>
#include <jansson.h>

#include "report.h"
#include "report_int.h"
#include "../analyze/analyze.h"

/* A JSON string from 'n' bytes; invalid UTF-8 (a reader missed a
 * conversion) is repaired with U+FFFD rather than dropped, since
 * jansson would refuse to dump it. */
static json_t *
strn(const char *s, size_t n)
{
	json_t	*j;
	gchar	*v;

	if (s == NULL)
		return json_null();
	/* GLib's validator is much faster than jansson's on long bodies. */
	if (g_utf8_validate_len(s, n, NULL))
		return json_stringn_nocheck(s, n);
	v = g_utf8_make_valid(s, (gssize)n);
	j = json_string(v);
	g_free(v);
	return j ? j : json_null();
}

/* json_dumps allocates with jansson's allocator, malloc(3) by default. */
static void
jsonw_free(char *p)
{
	xfree(p);
}

static json_t *
str(const char *s)
{
	return s ? strn(s, strlen(s)) : json_null();
}

static json_t *
addr(const struct mail_addr *a)
{
	if (a == NULL)
		return json_null();
	return json_pack("{s:o,s:o}", "address", str(a->addr), "name",
	    str(a->name));
}

static json_t *
addr_list(const struct arena_vec *v)
{
	json_t	*arr = json_array();
	size_t	 i;

	for (i = 0; i < v->n; i++)
		json_array_append_new(arr, addr(v->v[i]));
	return arr;
}

static json_t *
str_list(const struct arena_vec *v)
{
	json_t	*arr = json_array();
	size_t	 i;

	for (i = 0; i < v->n; i++)
		json_array_append_new(arr, str(v->v[i]));
	return arr;
}

static json_t *
hops(const struct mail_email *e)
{
	const struct mail_hop	*h;
	json_t			*arr = json_array();
	size_t			 i;

	for (i = 0; i < e->received.n; i++) {
		h = e->received.v[i];
		json_array_append_new(arr, json_pack(
		    "{s:o,s:o,s:o,s:b,s:o,s:o,s:o}",
		    "from", str(h->from), "by", str(h->by), "ip", str(h->ip),
		    "ip_private", h->ip_private, "with", str(h->with),
		    "date", str(h->date), "timestamp",
		    h->ts >= 0 ? json_integer(h->ts) : json_null()));
	}
	return arr;
}

static json_t *
auth(const struct mail_email *e)
{
	static const char *const methods[] = { "spf", "dkim", "dmarc",
	    "arc" };
	const struct mail_auth	*au, *first = NULL;
	json_t			*all = json_array(), *o = json_object();
	size_t			 i, m;

	for (i = 0; i < e->auth.n; i++) {
		au = e->auth.v[i];
		if (first == NULL)
			first = au;
		json_array_append_new(all, json_pack(
		    "{s:o,s:o,s:o,s:o,s:o}", "authserv_id", str(au->authserv),
		    "method", str(au->method), "result", str(au->result),
		    "domain", str(au->domain), "reason", str(au->reason)));
	}
	json_object_set_new(o, "authserv_id", str(first ? first->authserv :
	    NULL));
	/* The summary trusts only the topmost stating server: results
	 * further down were written by hops we cannot vouch for. */
	for (m = 0; m < sizeof(methods) / sizeof(methods[0]); m++) {
		json_t	*r = json_null();

		for (i = 0; i < e->auth.n; i++) {
			au = e->auth.v[i];
			if (strcmp(au->method, methods[m]) != 0 ||
			    (first->authserv != NULL && (au->authserv ==
			    NULL || strcmp(au->authserv, first->authserv))))
				continue;
			r = json_pack("{s:o,s:o}", "result", str(au->result),
			    "domain", str(au->domain));
			break;
		}
		json_object_set_new(o, methods[m], r);
	}
	json_object_set_new(o, "all", all);
	return o;
}

static json_t *
report_email(const struct mail_email *e)
{
	json_t	*o;

	o = json_pack("{s:o,s:o,s:o,s:o,s:o,s:o,s:o,s:o,s:o}",
	    "from", addr(e->from), "sender", addr(e->sender),
	    "reply_to", addr(e->reply_to), "return_path", addr(e->return_path),
	    "to", addr_list(&e->to), "cc", addr_list(&e->cc),
	    "bcc", addr_list(&e->bcc), "subject", str(e->subject),
	    "date", str(e->date));
	json_object_set_new(o, "date_unix", e->date_ts >= 0 ?
	    json_integer(e->date_ts) : json_null());
	json_object_set_new(o, "message_id", str(e->message_id));
	json_object_set_new(o, "in_reply_to", str(e->in_reply_to));
	json_object_set_new(o, "references", str_list(&e->references));
	json_object_set_new(o, "x_mailer", str(e->x_mailer));
	json_object_set_new(o, "user_agent", str(e->user_agent));
	json_object_set_new(o, "received", hops(e));
	json_object_set_new(o, "originating_ip", str(e->originating_ip));
	json_object_set_new(o, "authentication_results", auth(e));
	json_object_set_new(o, "body", json_pack("{s:o,s:o}",
	    "text", strn(e->text, e->text_len),
	    "html", strn(e->html, e->html_len)));
	return o;
}

static json_t *
reporter(const struct analysis *an)
{
	const struct mail_email	*r = an->reporter;

	if (r == NULL)
		return json_null();
	return json_pack("{s:o,s:o,s:o,s:o,s:o,s:o,s:o}",
	    "address", str(r->from ? r->from->addr : NULL),
	    "name", str(r->from ? r->from->name : NULL),
	    "subject", str(r->subject), "date", str(r->date),
	    "message_id", str(r->message_id),
	    "method", str(an->report_method),
	    "style", str(an->forward_style));
}

/* An array of the strings of 'v' (const char *). */
static json_t *
str_array(const struct arena_vec *v)
{
	json_t	*arr = json_array();
	size_t	 i;

	for (i = 0; i < v->n; i++)
		json_array_append_new(arr, str(v->v[i]));
	return arr;
}

/* The bits of 'flags' by the names 'name' gives them (PDF_*:
 * "javascript", ...; OOXML_*: "remote_template", ...). */
static json_t *
flag_names(unsigned flags, const char *(*name)(unsigned))
{
	json_t		*arr = json_array();
	unsigned	 bit;

	for (bit = 1; bit != 0 && bit <= flags; bit <<= 1)
		if ((flags & bit) && name(bit) != NULL)
			json_array_append_new(arr, json_string(name(bit)));
	return arr;
}

/* Remote content of an Office file: [{"type":, "target":}]. */
static json_t *
office_remote(const struct arena_vec *v)
{
	const struct ooxml_rel	*r;
	json_t			*arr = json_array();
	size_t			 i;

	for (i = 0; i < v->n; i++) {
		r = v->v[i];
		json_array_append_new(arr, json_pack("{s:o,s:o}", "type",
		    str(r->type), "target", str(r->target)));
	}
	return arr;
}

static json_t *
attachments(const struct analysis *an)
{
	const struct attachment	*at;
	json_t			*arr = json_array(), *o;
	size_t			 i;

	for (i = 0; i < an->attachments.n; i++) {
		at = an->attachments.v[i];
		o = json_pack(
		    "{s:o,s:o,s:o,s:o,s:I,s:s,s:s,s:s,s:s,s:o,s:o,s:b}",
		    "file_name", str(at->file_name),
		    "content_type", str(at->content_type),
		    "detected_type", str(at->detected_type),
		    "detected_description", str(at->detected_desc),
		    "size", (json_int_t)at->size,
		    "md5", at->hash.md5, "sha1", at->hash.sha1,
		    "sha256", at->hash.sha256, "vault_id", at->vault_id,
		    "path", str(at->path), "origin", str(at->origin),
		    "is_email", at->is_email);
		if (o == NULL)
			continue;
		json_array_append_new(arr, o);	/* 'arr' holds it now */
		/* Only files with such links or flags carry the keys. */
		if (at->qr_urls.n > 0)
			json_object_set_new(o, "qr_urls",
			    str_array(&at->qr_urls));
		if (at->pdf_urls.n > 0)
			json_object_set_new(o, "pdf_urls",
			    str_array(&at->pdf_urls));
		if (at->pdf_flags != 0)
			json_object_set_new(o, "pdf_flags",
			    flag_names(at->pdf_flags, pdf_flag_name));
		if (at->office_urls.n > 0)
			json_object_set_new(o, "office_urls",
			    str_array(&at->office_urls));
		if (at->office_remote.n > 0)
			json_object_set_new(o, "office_remote",
			    office_remote(&at->office_remote));
		if (at->office != NULL && at->office->dde.n > 0)
			json_object_set_new(o, "office_dde",
			    str_array(&at->office->dde));
		if (at->office_flags != 0)
			json_object_set_new(o, "office_flags",
			    flag_names(at->office_flags,
			    ooxml_flag_name));
	}
	return arr;
}

/* emailHeaders: an object; a repeated header becomes an array. */
static json_t *
headers_obj(const struct arena_vec *v)
{
	const struct mail_header	*h;
	json_t				*o = json_object(), *cur;
	size_t				 i;

	for (i = 0; i < v->n; i++) {
		h = v->v[i];
		cur = json_object_get(o, h->name);
		if (cur == NULL)
			json_object_set_new(o, h->name, str(h->value));
		else if (json_is_array(cur))
			json_array_append_new(cur, str(h->value));
		else
			json_object_set_new(o, h->name, json_pack("[O,o]",
			    cur, str(h->value)));
	}
	return o;
}

static json_t *
artifacts(const struct analysis *an)
{
	const struct artifact	*art;
	const struct cef_field	*f;
	json_t			*arr = json_array(), *cef, *types, *t;
	size_t			 i, j, k;

	for (i = 0; i < an->artifacts.n; i++) {
		art = an->artifacts.v[i];
		cef = json_object();
		types = json_object();
		for (j = 0; j < art->cef.n; j++) {
			f = art->cef.v[j];
			json_object_set_new(cef, f->key, f->kind == CEF_HEADERS
			    ? headers_obj(f->headers) : str(f->value));
			if (f->types[0] == NULL)
				continue;
			t = json_array();
			for (k = 0; k < 4 && f->types[k] != NULL; k++)
				json_array_append_new(t, json_string(
				    f->types[k]));
			json_object_set_new(types, f->key, t);
		}
		json_array_append_new(arr, json_pack("{s:s,s:s,s:o,s:o,s:o}",
		    "name", art->name, "label", art->label, "cef", cef,
		    "cef_types", types, "where", str(art->where)));
	}
	return arr;
}

static json_t *
findings(const struct analysis *an)
{
	const struct finding	*f;
	json_t			*arr = json_array();
	size_t			 i;

	for (i = 0; i < an->findings.n; i++) {
		f = an->findings.v[i];
		if (f->kind == FINDING_SIGNAL)
			json_array_append_new(arr, json_pack(
			    "{s:s,s:s,s:o,s:o,s:i,s:o,s:o}", "id", f->id,
			    "kind", finding_kind_name(f->kind),
			    "part", str(f->part), "detail", str(f->detail),
			    "points", f->points, "title", str(f->title),
			    "evidence", str(f->evidence)));
		else
			json_array_append_new(arr, json_pack(
			    "{s:s,s:s,s:o,s:o,s:i}", "id", f->id,
			    "kind", finding_kind_name(f->kind),
			    "part", str(f->part), "detail", str(f->detail),
			    "points", f->points));
	}
	return arr;
}

/* The offline score: "score", "verdict", "score_breakdown" added to 'o'
 * (the keys the store's container replaces, report_container_json). */
static void
score_keys(json_t *o, const struct analysis *an)
{
	const struct score_reason	*r;
	json_t				*arr = json_array();
	size_t				 i;

	for (i = 0; i < an->reasons.n; i++) {
		r = an->reasons.v[i];
		json_array_append_new(arr, json_pack("{s:s,s:i,s:o}", "id",
		    r->id, "points", r->points, "reason", str(r->reason)));
	}
	json_object_set_new(o, "score", json_integer(an->score));
	json_object_set_new(o, "verdict", json_string(an->verdict ?
	    an->verdict : analyze_verdict(an->score)));
	json_object_set_new(o, "score_breakdown", arr);
}

static const char *
status(const struct analysis *an)
{
	if (an->limit_hit)
		return "limit";
	return an->parse_failed ? "unreadable" : "ok";
}

/* The whole analysis as a JSON object.  New reference. */
static json_t *
analysis_obj(const struct analysis *an)
{
	json_t	*o;

	o = json_pack("{s:o,s:I,s:s?,s:s,s:s}", "source", str(an->source),
	    "size", (json_int_t)an->size, "sha256", an->hash.sha256[0] ?
	    an->hash.sha256 : NULL,
	    "status", status(an), "format", an->top ? an->top->source :
	    "unknown");
	json_object_set_new(o, "email", an->email ? report_email(an->email)
	    : json_null());
	json_object_set_new(o, "email_path", str(an->email_path));
	json_object_set_new(o, "body_sha256", str(an->body_sha256));
	json_object_set_new(o, "reporter", reporter(an));
	json_object_set_new(o, "attachments", attachments(an));
	json_object_set_new(o, "artifacts", artifacts(an));
	json_object_set_new(o, "findings", findings(an));
	return o;
}

/* Dump 'o' to 'f' as one line (or indented) and a newline. */
void
report__dump(FILE *f, json_t *o, unsigned flags)
{
	char	*out;
	size_t	 jflags = JSON_PRESERVE_ORDER;

	if (flags & REPORT_PRETTY)
		jflags |= JSON_INDENT(2);
	else
		jflags |= JSON_COMPACT;
	/* One buffer, one write: json_dumpf writes each token separately. */
	if ((out = json_dumps(o, jflags)) != NULL) {
		fputs(out, f);
		jsonw_free(out);
	}
	fputc('\n', f);
}

void
report_analysis_json(FILE *f, const struct analysis *an, unsigned flags)
{
	json_t	*o = analysis_obj(an);

	score_keys(o, an);
	report__dump(f, o, flags);
	json_decref(o);
}

char *
report_analysis_string(const struct analysis *an)
{
	json_t	*o = analysis_obj(an);
	char	*s = json_dumps(o, JSON_PRESERVE_ORDER | JSON_COMPACT);

	json_decref(o);
	return s;
}

char **
report_artifact_strings(const struct analysis *an, size_t *n)
{
	json_t	*arr = artifacts(an);
	char	**v;
	size_t	 i;

	*n = json_array_size(arr);
	v = xcalloc(*n + 1, sizeof(*v));
	for (i = 0; i < *n; i++)
		v[i] = json_dumps(json_array_get(arr, i),
		    JSON_PRESERVE_ORDER | JSON_COMPACT);
	json_decref(arr);
	return v;
}
