/* SPDX-License-Identifier: Apache-2.0 */
/*
 * artifact.c -- Phantom-compatible artifacts for one container: an Email
 * Artifact with the headers, then one artifact per indicator (URL,
 * domain, IP, email address, hash) and per distinct file.  Each carries
 * CEF fields with their "contains" types so that playbooks can collect
 * values by type (container.values("ip")) whatever the key.  Deduplicated
 * per container: indicators already are (ioc_set), files by sha256.
 */
#include <string.h>

#include "analyze_int.h"

static struct artifact *
art_new(struct arena *a, struct analysis *an, const char *name,
    const char *label, const char *where)
{
	struct artifact	*art;

	if ((art = arena_alloc(a, sizeof(*art))) == NULL)
		return NULL;
	art->name = name;
	art->label = label;
	art->where = where;
	if (arena_vec_push(a, &an->artifacts, art) != MS_OK)
		return NULL;
	return art;
}

/* Add a string CEF field with up to three contains types. */
static enum ms_err
cef(struct arena *a, struct artifact *art, const char *key,
    const char *value, const char *t1, const char *t2, const char *t3)
{
	struct cef_field	*f;

	if (value == NULL)
		return MS_OK;
	if ((f = arena_alloc(a, sizeof(*f))) == NULL)
		return MS_ELIMIT;
	f->key = key;
	f->kind = CEF_STRING;
	f->value = value;
	f->types[0] = t1;
	f->types[1] = t1 ? t2 : NULL;
	f->types[2] = t1 && t2 ? t3 : NULL;
	return arena_vec_push(a, &art->cef, f);
}

const char *
analyze_cef(const struct artifact *art, const char *key)
{
	const struct cef_field	*f;
	size_t			 i;

	for (i = 0; i < art->cef.n; i++) {
		f = art->cef.v[i];
		if (f->kind == CEF_STRING && strcmp(f->key, key) == 0)
			return f->value;
	}
	return NULL;
}

static enum ms_err
email_artifact(struct arena *a, struct analysis *an)
{
	const struct mail_email	*e = an->email;
	const struct mail_addr	*to = e->to.n ? e->to.v[0] : NULL;
	struct artifact		*art;
	struct cef_field	*f;

	if ((art = art_new(a, an, "Email Artifact", "email",
	    "header")) == NULL)
		return MS_ELIMIT;
	if (cef(a, art, "fromEmail", e->from ? e->from->addr : NULL,
	    "email", NULL, NULL) != MS_OK ||
	    cef(a, art, "toEmail", to ? to->addr : NULL, "email", NULL,
	    NULL) != MS_OK ||
	    cef(a, art, "emailSubject", e->subject, NULL, NULL, NULL) !=
	    MS_OK ||
	    cef(a, art, "emailMessageId", e->message_id,
	    "internet message id", NULL, NULL) != MS_OK ||
	    cef(a, art, "sourceAddress", e->originating_ip, "ip", NULL,
	    NULL) != MS_OK)
		return MS_ELIMIT;
	if ((f = arena_alloc(a, sizeof(*f))) == NULL)
		return MS_ELIMIT;
	f->key = "emailHeaders";
	f->kind = CEF_HEADERS;
	f->headers = &e->headers;
	return arena_vec_push(a, &art->cef, f);
}

static const char *
email_key(const char *where)
{
	if (strcmp(where, "header From") == 0 ||
	    strcmp(where, "header Sender") == 0)
		return "fromEmail";
	if (strcmp(where, "header To") == 0 || strcmp(where, "header Cc") == 0)
		return "toEmail";
	if (strcmp(where, "header Reply-To") == 0)
		return "replyToEmail";
	if (strcmp(where, "header Return-Path") == 0)
		return "returnPathEmail";
	return "emailAddress";
}

static enum ms_err
ioc_artifact(struct arena *a, struct analysis *an, const struct ioc *io)
{
	struct artifact	*art;
	const char	*key, *hk;

	switch (io->kind) {
	case IOC_URL:
		if ((art = art_new(a, an, "URL Artifact", "url",
		    io->where)) == NULL)
			return MS_ELIMIT;
		if (cef(a, art, "requestURL", io->value, "url", NULL,
		    NULL) != MS_OK)
			return MS_ELIMIT;
		return cef(a, art, "requestURLUnicode", io->unicode, NULL,
		    NULL, NULL);
	case IOC_DOMAIN:
		if ((art = art_new(a, an, "Domain Artifact", "domain",
		    io->where)) == NULL)
			return MS_ELIMIT;
		if (cef(a, art, "destinationDnsDomain", io->value, "domain",
		    NULL, NULL) != MS_OK)
			return MS_ELIMIT;
		return cef(a, art, "destinationDnsDomainUnicode", io->unicode,
		    NULL, NULL, NULL);
	case IOC_IP:
		key = strncmp(io->where, "header Received", 15) == 0 ?
		    "sourceAddress" : "destinationAddress";
		if ((art = art_new(a, an, "IP Artifact", "ip",
		    io->where)) == NULL)
			return MS_ELIMIT;
		return cef(a, art, key, io->value, "ip", NULL, NULL);
	case IOC_EMAIL:
		if ((art = art_new(a, an, "Email Address Artifact", "email",
		    io->where)) == NULL)
			return MS_ELIMIT;
		return cef(a, art, email_key(io->where), io->value, "email",
		    NULL, NULL);
	default:
		hk = io->kind == IOC_MD5 ? "md5" : io->kind == IOC_SHA1 ?
		    "sha1" : io->kind == IOC_SHA256 ? "sha256" : "sha512";
		if ((art = art_new(a, an, "Hash Artifact", "hash",
		    io->where)) == NULL)
			return MS_ELIMIT;
		return cef(a, art, "fileHash", io->value, "hash", hk, NULL);
	}
}

static int
seen_file(const struct analysis *an, size_t upto, const char *sha256)
{
	const struct attachment	*at;
	size_t			 i;

	for (i = 0; i < upto; i++) {
		at = an->attachments.v[i];
		if (strcmp(at->hash.sha256, sha256) == 0)
			return 1;
	}
	return 0;
}

static enum ms_err
file_artifact(struct arena *a, struct analysis *an,
    const struct attachment *at)
{
	struct artifact	*art;

	if ((art = art_new(a, an, "Vault Artifact", "file", arena_printf(a,
	    "attachment %s", at->path))) == NULL)
		return MS_ELIMIT;
	if (cef(a, art, "fileName", at->file_name, "file name", NULL,
	    NULL) != MS_OK ||
	    cef(a, art, "fileHash", at->hash.sha256, "hash", "sha256",
	    NULL) != MS_OK ||
	    cef(a, art, "fileHashMd5", at->hash.md5, "hash", "md5", NULL) !=
	    MS_OK ||
	    cef(a, art, "fileHashSha1", at->hash.sha1, "hash", "sha1",
	    NULL) != MS_OK ||
	    cef(a, art, "fileHashSha256", at->hash.sha256, "hash", "sha256",
	    NULL) != MS_OK ||
	    cef(a, art, "vaultId", at->vault_id, "vault id", NULL, NULL) !=
	    MS_OK ||
	    cef(a, art, "fileType", at->detected_type, NULL, NULL, NULL) !=
	    MS_OK ||
	    cef(a, art, "fileSize", arena_printf(a, "%zu", at->size), NULL,
	    NULL, NULL) != MS_OK)
		return MS_ELIMIT;
	return MS_OK;
}

enum ms_err
analyze__artifacts(struct arena *a, struct analysis *an)
{
	const struct attachment	*at;
	enum ioc_kind		 k;
	size_t			 i, n;

	if (email_artifact(a, an) != MS_OK)
		return MS_ELIMIT;
	for (k = 0; k < IOC_KINDS; k++) {
		n = ioc_set_count(an->iocs, k);
		for (i = 0; i < n; i++)
			if (ioc_artifact(a, an, ioc_set_get(an->iocs, k, i)) !=
			    MS_OK)
				return MS_ELIMIT;
	}
	for (i = 0; i < an->attachments.n; i++) {
		at = an->attachments.v[i];
		if (!seen_file(an, i, at->hash.sha256) &&
		    file_artifact(a, an, at) != MS_OK)
			return MS_ELIMIT;
	}
	return MS_OK;
}
