/* SPDX-License-Identifier: Apache-2.0 */
/*
 * report_ioc.c -- an indicator set as JSON (jansson) and as text, for
 * `mailsoar extract`.  JSON: {"urls":[...],"domains":[...],"ips":[...],
 * "emails":[...],"hashes":{"md5":[...],"sha1":[...],"sha256":[...],
 * "sha512":[...]}}, canonical values in first-seen order (docs/extract.md).
 * The values come from UNTRUSTED input: invalid UTF-8 is repaired for
 * JSON, and control characters are masked in text output.
 */
#include <string.h>

#include <glib.h>
#include <jansson.h>

#include "report.h"
#include "report_int.h"

/* A JSON string; invalid UTF-8 becomes U+FFFD rather than nothing. */
static json_t *
jstr(const char *s)
{
	json_t	*j;
	gchar	*v;

	if ((j = json_string(s)) != NULL)
		return j;
	v = g_utf8_make_valid(s, -1);
	j = json_string(v);
	g_free(v);
	return j != NULL ? j : json_null();
}

/* The values of one kind as a JSON array. */
static json_t *
kind_list(const struct ioc_set *s, enum ioc_kind k)
{
	json_t	*a = json_array();
	size_t	 i, n = ioc_set_count(s, k);

	for (i = 0; i < n; i++)
		json_array_append_new(a, jstr(ioc_set_get(s, k, i)->value));
	return a;
}

/* The whole set as one JSON object and a newline. */
void
report_iocs_json(FILE *f, const struct ioc_set *s, unsigned flags)
{
	json_t	*root = json_object(), *h = json_object();
	size_t	 jf = JSON_PRESERVE_ORDER;

	json_object_set_new(root, "urls", kind_list(s, IOC_URL));
	json_object_set_new(root, "domains", kind_list(s, IOC_DOMAIN));
	json_object_set_new(root, "ips", kind_list(s, IOC_IP));
	json_object_set_new(root, "emails", kind_list(s, IOC_EMAIL));
	json_object_set_new(h, "md5", kind_list(s, IOC_MD5));
	json_object_set_new(h, "sha1", kind_list(s, IOC_SHA1));
	json_object_set_new(h, "sha256", kind_list(s, IOC_SHA256));
	json_object_set_new(h, "sha512", kind_list(s, IOC_SHA512));
	json_object_set_new(root, "hashes", h);
	jf |= (flags & REPORT_PRETTY) ? JSON_INDENT(2) : JSON_COMPACT;
	json_dumpf(root, f, jf);
	fputc('\n', f);
	json_decref(root);
}

/* The flags worth a word in a summary line. */
static void
text_flags(FILE *f, const struct ioc *io)
{
	if (io->flags & IOC_F_DEFANGED)
		fputs(" defanged", f);
	if (io->flags & IOC_F_PRIVATE)
		fputs(" private", f);
	if (io->flags & IOC_F_MAILTO)
		fputs(" mailto", f);
	if (io->flags & IOC_F_SCHEMELESS)
		fputs(" schemeless", f);
}

/* One block per kind that has items, then the dropped count. */
void
report_iocs_text(FILE *f, const struct ioc_set *s, unsigned flags)
{
	static const char *const title[IOC_KINDS] = { "URLs", "Domains",
	    "IPs", "Email addresses", "MD5", "SHA1", "SHA256", "SHA512" };
	const struct ioc	*io;
	size_t			 i, n, total = 0;
	int			 k;
	int			 color = (flags & REPORT_COLOR) != 0;

	for (k = 0; k < IOC_KINDS; k++) {
		if ((n = ioc_set_count(s, k)) == 0)
			continue;
		total += n;
		fprintf(f, "%s%s (%zu)%s\n", color ? "\033[1m" : "", title[k],
		    n, color ? "\033[0m" : "");
		for (i = 0; i < n; i++) {
			io = ioc_set_get(s, k, i);
			fputs("  ", f);
			report_safe(f, io->value, 0);
			if (io->unicode != NULL) {
				fputs("  (", f);
				report_safe(f, io->unicode, 0);
				fputc(')', f);
			}
			if (io->flags & (IOC_F_DEFANGED | IOC_F_PRIVATE |
			    IOC_F_MAILTO | IOC_F_SCHEMELESS)) {
				fputs("  [", f);
				text_flags(f, io);
				fputs(" ]", f);
			}
			fputc('\n', f);
		}
	}
	if (total == 0)
		fputs("no indicators found\n", f);
	if (ioc_set_dropped(s) > 0)
		fprintf(f, "%zu indicators not kept: a limit was reached\n",
		    ioc_set_dropped(s));
}
