/* SPDX-License-Identifier: Apache-2.0 */
/*
 * detect_lookalike.c -- domains made to pass for a protected one (the
 * brands' domains, data/brands.txt, and the organisation's): a small edit
 * distance (typosquats), the protected name inside a hyphenated label
 * (combosquats), look-alike characters (the confusables skeleton,
 * data/confusables.txt) and mixed scripts; and punycode hosts.  Reads the
 * sender's and the links' domains (UNTRUSTED) from the indicator set.
 */
#include <string.h>

#include "detect_int.h"
#include "../extract/extract.h"

/*
 * Latin letters and Cyrillic, Greek or Armenian ones in one word of 's'
 * as written (before normalisation, which turns the micro sign into a
 * Greek mu): the Latin-1 range counts as Latin.
 */
static int
mixed_words(const char *s)
{
	const char	*p;
	gunichar	 ch;
	GUnicodeScript	 sc;
	int		 latin = 0, other = 0;

	if (!g_utf8_validate(s, -1, NULL))
		return 0;
	for (p = s; *p != '\0'; p = g_utf8_next_char(p)) {
		ch = g_utf8_get_char(p);
		if (!g_unichar_isalnum(ch) && !g_unichar_ismark(ch)) {
			if (latin && other)
				return 1;
			latin = other = 0;
			continue;
		}
		sc = g_unichar_get_script(ch);
		if (ch < 0x250 || sc == G_UNICODE_SCRIPT_LATIN)
			latin |= g_unichar_isalpha(ch);
		else if (sc == G_UNICODE_SCRIPT_CYRILLIC ||
		    sc == G_UNICODE_SCRIPT_GREEK ||
		    sc == G_UNICODE_SCRIPT_ARMENIAN)
			other = 1;
	}
	return latin && other;
}

char *
detect__skeleton(struct arena *a, const char *s, int *mapped, int *mixed)
{
	const struct detect_data *d = detect__data();
	GString		*out;
	char		*nf, *fold, *res;
	const char	*p;
	gunichar	 ch;
	gpointer	 m;
	int		 nmap = 0, mix;

	if (s == NULL)
		return NULL;
	mix = mixed_words(s);
	if ((nf = g_utf8_normalize(s, -1, G_NORMALIZE_NFKD)) == NULL)
		return NULL;
	fold = g_utf8_casefold(nf, -1);
	g_free(nf);
	out = g_string_sized_new(strlen(fold));
	for (p = fold; *p != '\0'; p = g_utf8_next_char(p)) {
		ch = g_utf8_get_char(p);
		if (g_unichar_ismark(ch) || (ch >= 0x200b && ch <= 0x200f) ||
		    (ch >= 0x2060 && ch <= 0x2064) || ch == 0xfeff ||
		    ch == 0xad)
			continue;
		if (ch >= 0x80 && d != NULL && (m = g_hash_table_lookup(
		    d->confusables, GUINT_TO_POINTER(ch))) != NULL) {
			g_string_append_c(out, (char)GPOINTER_TO_UINT(m));
			nmap++;
		} else
			g_string_append_unichar(out, ch);
	}
	g_free(fold);
	res = arena_strndup(a, out->str, out->len);
	g_string_free(out, TRUE);
	if (mapped != NULL)
		*mapped = nmap;
	if (mixed != NULL)
		*mixed = mix;
	return res;
}

int
detect__distance(const char *s, size_t n, const char *t, size_t m, int max)
{
	int	row[3][64];
	int	*pp = row[0], *p = row[1], *cur = row[2], *tmp, best;
	size_t	i, j;

	if (n >= 64 || m >= 64)
		return max + 1;
	if ((n > m ? n - m : m - n) > (size_t)max)
		return max + 1;
	for (j = 0; j <= m; j++)
		p[j] = (int)j;
	for (i = 1; i <= n; i++) {
		cur[0] = (int)i;
		best = cur[0];
		for (j = 1; j <= m; j++) {
			int cost = s[i - 1] != t[j - 1];
			int v = MIN(MIN(p[j] + 1, cur[j - 1] + 1),
			    p[j - 1] + cost);

			if (i > 1 && j > 1 && s[i - 1] == t[j - 2] &&
			    s[i - 2] == t[j - 1])
				v = MIN(v, pp[j - 2] + 1);
			cur[j] = v;
			best = MIN(best, v);
		}
		if (best > max)
			return max + 1;
		tmp = pp;
		pp = p;
		p = cur;
		cur = tmp;
	}
	return p[m];
}

/* The first label of a registrable domain, in 'a'. */
static char *
label_of(struct arena *a, const char *reg)
{
	const char	*dot = strchr(reg, '.');

	return arena_strndup(a, reg, dot ? (size_t)(dot - reg) :
	    strlen(reg));
}

/* Words that combosquats join to a brand's name. */
static int
lure_word(const char *label)
{
	static const char *const w[] = { "secure", "security", "login",
	    "logon", "signin", "verify", "verification", "account", "support",
	    "update", "service", "services", "online", "help", "billing",
	    "mail", "auth", "id", "web", "alert", "notice", "center",
	    "customer", "client", "app", "pay", "payment", "wallet",
	    "recovery", "unlock", "team", "official", "portal", "access" };
	size_t	i;

	for (i = 0; i < G_N_ELEMENTS(w); i++)
		if (strstr(label, w[i]) != NULL)
			return 1;
	return 0;
}

/* The protected label 'label' passes for, or NULL. */
static const char *
near_protected(const struct detect_ctx *c, const char *label)
{
	const char	*pl, *hit;
	size_t		 i, n = strlen(label), pn;
	int		 max;

	for (i = 0; i < c->d->protected->len; i++) {
		pl = c->d->protected->pdata[i];
		pn = strlen(pl);
		if (strcmp(pl, label) == 0)
			return NULL;	/* the name itself, other suffix */
		max = pn >= 9 ? 2 : 1;
		if (pn >= 5 && n >= 5 && detect__distance(label, n, pl, pn,
		    max) <= max)
			return pl;
		/* "paypal-secure", "secure-paypal": the name joined to a
		 * word of the trade ("orange-county" is no lure). */
		if (pn >= 5 && (hit = strstr(label, pl)) != NULL &&
		    ((hit > label && hit[-1] == '-') || hit[pn] == '-') &&
		    lure_word(label))
			return pl;
	}
	return NULL;
}

static int
from_sender(const char *where)
{
	return strcmp(where, "header From") == 0 ||
	    strcmp(where, "header Sender") == 0 ||
	    strcmp(where, "header Reply-To") == 0 ||
	    strcmp(where, "header Return-Path") == 0;
}

/* Domains where the email talks about others: recipients, Received. */
static int
ignored(const char *where)
{
	return g_str_has_prefix(where, "header") && !from_sender(where);
}

static void
one_domain(struct detect_ctx *c, const struct ioc *io)
{
	const char	*reg = io->domain, *pl, *skel_reg;
	char		*label, *skel;
	int		 sender = from_sender(io->where), mapped = 0, mixed = 0;

	if (reg == NULL || g_hash_table_contains(c->d->protected_domains, reg))
		return;
	if (io->unicode != NULL) {
		/* A name in the text of a mail written in that script is no
		 * trick; links and senders are. */
		if (strstr(io->where, "text") == NULL)
			detect__add(c, "punycode_host", NULL, "%s (%s)",
			    io->value, io->unicode);
		skel = detect__skeleton(c->a, io->unicode, &mapped, &mixed);
		if (mixed)
			detect__add(c, "mixed_script", NULL, "%s",
			    io->unicode);
		if (skel != NULL && mapped > 0) {
			skel_reg = extract_registrable(skel);
			label = label_of(c->a, skel_reg ? skel_reg : skel);
			if (label != NULL && (g_hash_table_contains(
			    c->d->protected_domains, skel_reg ? skel_reg :
			    skel) || near_protected(c, label) != NULL ||
			    mixed))
				detect__add(c, "confusable_domain", NULL,
				    "%s reads as %s", io->unicode, skel);
		}
		return;
	}
	if (g_hash_table_contains(c->d->org, reg) ||
	    (label = label_of(c->a, reg)) == NULL ||
	    (pl = near_protected(c, label)) == NULL)
		return;
	detect__add(c, sender ? "lookalike_sender_domain" :
	    "lookalike_link_domain", NULL, "%s (like %s)", io->value, pl);
}

void
detect__lookalike(struct detect_ctx *c)
{
	const struct ioc	*io;
	size_t			 i, n;

	n = MIN(ioc_set_count(c->an->iocs, IOC_DOMAIN), DETECT_LINKS_MAX);
	for (i = 0; i < n; i++) {
		io = ioc_set_get(c->an->iocs, IOC_DOMAIN, i);
		if (io->where != NULL && !ignored(io->where))
			one_domain(c, io);
	}
}
