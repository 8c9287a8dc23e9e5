/* SPDX-License-Identifier: Apache-2.0 */
/*
 * detect_auth.c -- signals from what the receiving server stated in
 * Authentication-Results (RFC 8601): SPF, DKIM, DMARC and ARC failures,
 * and the organisation's own domains in From without a pass.  Only the
 * trusted hop counts: the configured authserv-id, else the topmost
 * statement (the one nearest to us); statements further down can be
 * written by the sender.  Read, not verified.
 */
#include <string.h>

#include "detect_int.h"
#include "../extract/extract.h"

/*
 * The hop whose Authentication-Results count: the topmost one with a
 * configured authserv-id (several when mail passes through more than one
 * trusted server), else the first configured one (whose results are then
 * absent); without configuration, the topmost hop.
 */
static const char *
trusted_authserv(const struct detect_ctx *c)
{
	const struct mail_auth	*au;
	size_t			 i, k;

	if (c->d->authserv != NULL) {
		for (i = 0; i < c->e->auth.n; i++) {
			au = c->e->auth.v[i];
			for (k = 0; au->authserv != NULL &&
			    c->d->authserv[k] != NULL; k++)
				if (g_ascii_strcasecmp(au->authserv,
				    c->d->authserv[k]) == 0)
					return c->d->authserv[k];
		}
		return c->d->authserv[0];
	}
	if (c->e->auth.n == 0)
		return NULL;
	au = c->e->auth.v[0];
	return au->authserv;
}

static int
same(const char *a, const char *b)
{
	if (a == NULL || b == NULL)
		return a == b;
	return g_ascii_strcasecmp(a, b) == 0;
}

/* The result of 'method' from the trusted hop: "fail" wins over the
 * rest only when there is no "pass" (several DKIM signatures). */
static const struct mail_auth *
result(const struct detect_ctx *c, const char *serv, const char *method)
{
	const struct mail_auth	*au, *got = NULL;
	size_t			 i;

	for (i = 0; i < c->e->auth.n; i++) {
		au = c->e->auth.v[i];
		if (!same(au->authserv, serv) || au->method == NULL ||
		    au->result == NULL || g_ascii_strcasecmp(au->method,
		    method) != 0)
			continue;
		if (g_ascii_strcasecmp(au->result, "pass") == 0)
			return au;
		if (got == NULL)
			got = au;
	}
	return got;
}

static int
is(const struct mail_auth *au, const char *r)
{
	return au != NULL && g_ascii_strcasecmp(au->result, r) == 0;
}

static void
fail(struct detect_ctx *c, const char *id, const struct mail_auth *au)
{
	detect__add(c, id, NULL, "%s=%s%s%s (by %s)", au->method, au->result,
	    au->domain ? " " : "", au->domain ? au->domain : "",
	    au->authserv ? au->authserv : "?");
}

/* Does the method's domain belong to the sender's organisation? */
static int
aligned(const struct detect_ctx *c, const struct mail_auth *au)
{
	const char	*reg;
	char		*d;

	if (au == NULL || au->domain == NULL || c->from_domain == NULL)
		return 0;
	if ((d = detect__lower(c->a, strchr(au->domain, '@') ?
	    strchr(au->domain, '@') + 1 : au->domain)) == NULL)
		return 0;
	reg = extract_registrable(d);
	return strcmp(reg ? reg : d, c->from_domain) == 0;
}

/*
 * The trusted hop passed SPF or DKIM, but for other domains than the
 * sender's: nothing vouches for the From address (what DMARC checks, for
 * the many domains that publish no DMARC policy).
 */
static void
unaligned(struct detect_ctx *c, const struct mail_auth *spf,
    const struct mail_auth *dkim, const struct mail_auth *dmarc)
{
	if (c->from_domain == NULL || is(dmarc, "pass") || is(dmarc, "fail"))
		return;
	if (!is(spf, "pass") && !is(dkim, "pass"))
		return;
	if ((is(spf, "pass") && aligned(c, spf)) || (is(dkim, "pass") &&
	    aligned(c, dkim)))
		return;
	if ((spf != NULL && spf->domain == NULL) || (dkim != NULL &&
	    dkim->domain == NULL))
		return;		/* a pass for a domain not written down */
	detect__add(c, "auth_unaligned", NULL, "From %s; spf %s, dkim %s",
	    c->from_domain, spf && spf->domain ? spf->domain : "-",
	    dkim && dkim->domain ? dkim->domain : "-");
}

void
detect__auth(struct detect_ctx *c)
{
	const char		*serv = trusted_authserv(c);
	const struct mail_auth	*spf, *dkim, *dmarc, *arc, *comp;

	spf = result(c, serv, "spf");
	dkim = result(c, serv, "dkim");
	dmarc = result(c, serv, "dmarc");
	arc = result(c, serv, "arc");
	comp = result(c, serv, "compauth");	/* Microsoft's verdict */
	if (is(spf, "fail"))
		fail(c, "auth_spf_fail", spf);
	else if (is(spf, "softfail"))
		fail(c, "auth_spf_softfail", spf);
	if (is(dkim, "fail"))
		fail(c, "auth_dkim_fail", dkim);
	if (is(dmarc, "fail"))
		fail(c, "auth_dmarc_fail", dmarc);
	if (is(arc, "fail"))
		fail(c, "auth_arc_fail", arc);
	if (is(comp, "fail") && !is(dmarc, "fail"))
		fail(c, "auth_compauth_fail", comp);
	unaligned(c, spf, dkim, dmarc);
	if (c->from_domain != NULL && g_hash_table_contains(c->d->org,
	    c->from_domain) && !is(dmarc, "pass") && !is(dkim, "pass") &&
	    !is(spf, "pass"))
		detect__add(c, "auth_org_spoof", NULL, "From %s, no SPF, DKIM "
		    "or DMARC pass%s%s", c->from_addr, serv ? " by " : "",
		    serv ? serv : "");
}
