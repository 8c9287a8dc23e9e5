/* SPDX-License-Identifier: Apache-2.0 */
/*
 * report_text.c -- the readable summary of an analysis for a terminal.
 * Every string from the email is UNTRUSTED: control characters (escape
 * sequences could drive the analyst's terminal) are shown as '?', and
 * long values are cut with a visible ellipsis.
 */
#include <string.h>

#include <glib.h>

#include "report.h"
#include "report_int.h"
#include "../analyze/analyze.h"

#define TEXT_WIDTH	100	/* longest value shown before "..." */

struct out {
	FILE		*f;
	unsigned	 flags;
};

void
report_safe(FILE *f, const char *s, size_t max)
{
	const char	*p, *end;
	gunichar	 c;
	size_t		 n = 0, len;

	if (s == NULL) {
		fputs("-", f);
		return;
	}
	end = s + strlen(s);
	for (p = s; p < end; p += len) {
		if (max && n++ >= max) {
			fputs("...", f);
			return;
		}
		c = g_utf8_get_char_validated(p, end - p);
		if (c == (gunichar)-1 || c == (gunichar)-2) {
			fputc('?', f);		/* one bad byte */
			len = 1;
			continue;
		}
		len = (size_t)g_unichar_to_utf8(c, NULL);
		if (c < 0x20 || c == 0x7f || (c >= 0x80 && c < 0xa0) ||
		    c == 0x200e || c == 0x200f || (c >= 0x202a &&
		    c <= 0x202e) || (c >= 0x2066 && c <= 0x2069))
			fputc('?', f);		/* controls, bidi overrides */
		else
			fwrite(p, 1, len, f);
	}
}

static void
label(struct out *o, const char *name)
{
	if (o->flags & REPORT_COLOR)
		fprintf(o->f, "\033[1m%-13s\033[0m", name);
	else
		fprintf(o->f, "%-13s", name);
}

static void
addr_line(struct out *o, const char *name, const struct mail_addr *a)
{
	if (a == NULL)
		return;
	label(o, name);
	if (a->name != NULL) {
		fputc('"', o->f);
		report_safe(o->f, a->name, 60);
		fputs("\" ", o->f);
	}
	fputc('<', o->f);
	report_safe(o->f, a->addr, TEXT_WIDTH);
	fputs(">\n", o->f);
}

static void
addrs_line(struct out *o, const char *name, const struct arena_vec *v)
{
	const struct mail_addr	*a;
	size_t			 i;

	if (v->n == 0)
		return;
	label(o, name);
	for (i = 0; i < v->n && i < 5; i++) {
		a = v->v[i];
		fputs(i ? ", " : "", o->f);
		report_safe(o->f, a->addr, 60);
	}
	if (v->n > 5)
		fprintf(o->f, " (+%zu more)", v->n - 5);
	fputc('\n', o->f);
}

static void
value_line(struct out *o, const char *name, const char *v)
{
	if (v == NULL)
		return;
	label(o, name);
	report_safe(o->f, v, TEXT_WIDTH);
	fputc('\n', o->f);
}

static void
auth_line(struct out *o, const struct mail_email *e)
{
	const struct mail_auth	*au;
	const char		*first;
	size_t			 i;

	if (e->auth.n == 0)
		return;
	label(o, "Auth");
	first = ((const struct mail_auth *)e->auth.v[0])->authserv;
	for (i = 0; i < e->auth.n; i++) {
		au = e->auth.v[i];
		if (first != NULL && (au->authserv == NULL ||
		    strcmp(au->authserv, first) != 0))
			continue;
		report_safe(o->f, au->method, 16);
		fputc('=', o->f);
		report_safe(o->f, au->result, 16);
		if (au->domain != NULL) {
			fputc('(', o->f);
			report_safe(o->f, au->domain, 60);
			fputc(')', o->f);
		}
		fputc(' ', o->f);
	}
	if (first != NULL) {
		fputs(" by ", o->f);
		report_safe(o->f, first, 60);
	}
	fputc('\n', o->f);
}

static void
email_block(struct out *o, const struct mail_email *e)
{
	addr_line(o, "From", e->from);
	addr_line(o, "Sender", e->sender);
	addr_line(o, "Reply-To", e->reply_to);
	addr_line(o, "Return-Path", e->return_path);
	addrs_line(o, "To", &e->to);
	addrs_line(o, "Cc", &e->cc);
	value_line(o, "Subject", e->subject);
	value_line(o, "Date", e->date);
	value_line(o, "Message-ID", e->message_id);
	value_line(o, "Mailer", e->x_mailer ? e->x_mailer : e->user_agent);
	if (e->received.n > 0) {
		label(o, "Origin IP");
		report_safe(o->f, e->originating_ip ? e->originating_ip :
		    "(none external)", 60);
		fprintf(o->f, "  (%zu Received hops)\n", e->received.n);
	}
	auth_line(o, e);
}

static void
attachments_block(struct out *o, const struct analysis *an)
{
	const struct attachment	*at;
	size_t			 i;

	if (an->attachments.n == 0)
		return;
	fprintf(o->f, "Attachments (%zu):\n", an->attachments.n);
	for (i = 0; i < an->attachments.n; i++) {
		at = an->attachments.v[i];
		fputs("  ", o->f);
		report_safe(o->f, at->path, 20);
		fputs("  ", o->f);
		report_safe(o->f, at->file_name ? at->file_name : "(no name)",
		    60);
		fprintf(o->f, "  %zu bytes  ", at->size);
		report_safe(o->f, at->content_type, 40);
		if (strcmp(at->content_type, at->detected_type) != 0) {
			fputs(" -> ", o->f);
			report_safe(o->f, at->detected_type, 40);
		}
		fprintf(o->f, "  %s%s\n", at->origin, at->is_email ?
		    " (email)" : "");
		fprintf(o->f, "      sha256 %s\n", at->hash.sha256);
	}
}

static void
iocs_block(struct out *o, const struct analysis *an)
{
	static const char *const names[IOC_KINDS] = { "URLs", "Domains",
	    "IPs", "Email addresses", "MD5", "SHA1", "SHA256", "SHA512" };
	const struct ioc	*io;
	enum ioc_kind		 k;
	size_t			 i, n;

	for (k = 0; k < IOC_KINDS; k++) {
		if ((n = ioc_set_count(an->iocs, k)) == 0)
			continue;
		fprintf(o->f, "%s (%zu):\n", names[k], n);
		for (i = 0; i < n && i < 25; i++) {
			io = ioc_set_get(an->iocs, k, i);
			fputs("  ", o->f);
			report_safe(o->f, io->value, TEXT_WIDTH);
			if (io->unicode != NULL) {
				fputs("  (", o->f);
				report_safe(o->f, io->unicode, 60);
				fputc(')', o->f);
			}
			fputs("  [", o->f);
			report_safe(o->f, io->where, 40);
			fputs("]\n", o->f);
		}
		if (n > 25)
			fprintf(o->f, "  ... %zu more (see --json)\n", n - 25);
	}
}

static void
findings_block(struct out *o, const struct analysis *an)
{
	const struct finding	*f;
	size_t			 i;

	if (an->findings.n == 0)
		return;
	fprintf(o->f, "Findings (%zu):\n", an->findings.n);
	for (i = 0; i < an->findings.n; i++) {
		f = an->findings.v[i];
		fprintf(o->f, "  %-6s %s", finding_kind_name(f->kind), f->id);
		if (f->part != NULL) {
			fputs(" (part ", o->f);
			report_safe(o->f, f->part, 20);
			fputc(')', o->f);
		}
		fputs(": ", o->f);
		report_safe(o->f, f->detail, 2 * TEXT_WIDTH);
		if (f->evidence != NULL && *f->evidence != '\0') {
			fputs(" -- ", o->f);
			report_safe(o->f, f->evidence, 2 * TEXT_WIDTH);
		}
		fputc('\n', o->f);
	}
}

/* The offline score with its reasons (when no store adds its own). */
static void
score_block(struct out *o, const struct analysis *an)
{
	const struct score_reason	*r;
	size_t				 i;

	label(o, "Score");
	fprintf(o->f, "%d/100, %s\n", an->score, an->verdict ? an->verdict :
	    "benign");
	for (i = 0; i < an->reasons.n; i++) {
		r = an->reasons.v[i];
		fprintf(o->f, "%13s %+4d  ", "", r->points);
		report_safe(o->f, r->reason, 100);
		fputc('\n', o->f);
	}
}

void
report_analysis_text(FILE *f, const struct analysis *an, unsigned flags)
{
	struct out	o = { f, flags };

	fputs(flags & REPORT_COLOR ? "\033[1;36m== " : "== ", f);
	report_safe(f, an->source ? an->source : "-", 0);
	fprintf(f, "  (%zu bytes)%s\n", an->size,
	    flags & REPORT_COLOR ? "\033[0m" : "");
	if (an->parse_failed || an->email == NULL) {
		findings_block(&o, an);
		fputc('\n', f);
		return;
	}
	if (an->reporter != NULL) {
		label(&o, "Reported by");
		report_safe(f, an->reporter->from ?
		    an->reporter->from->addr : "-", 60);
		fprintf(f, "  (forwarded %s%s%s)\n", an->report_method,
		    an->forward_style ? ", " : "", an->forward_style ?
		    an->forward_style : "");
		fputs("-- the reported email --\n", f);
	}
	email_block(&o, an->email);
	attachments_block(&o, an);
	iocs_block(&o, an);
	findings_block(&o, an);
	if (!(flags & REPORT_STORED))
		score_block(&o, an);
	fputc('\n', f);
}
