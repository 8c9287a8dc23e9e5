/* SPDX-License-Identifier: Apache-2.0 */
/*
 * detect_sender.c -- signals about who the email claims to be from
 * (UNTRUSTED headers): Reply-To and Return-Path going elsewhere than
 * From, a display name naming a brand (data/brands.txt) or a configured
 * VIP with another address, a display name showing another address, and
 * a free-mail sender on a credential or payment lure.
 */
#include <string.h>

#include "detect_int.h"
#include "../extract/extract.h"

/* The registrable domain of an address, lower case, or NULL. */
static const char *
addr_domain(struct arena *a, const struct mail_addr *ad)
{
	const char	*at, *reg;
	char		*host;

	if (ad == NULL || ad->addr == NULL || (at = strrchr(ad->addr, '@')) ==
	    NULL || at[1] == '\0')
		return NULL;
	if ((host = detect__lower(a, at + 1)) == NULL)
		return NULL;
	reg = extract_registrable(host);
	return reg ? reg : host;
}

/* Same organisation: the same registrable domain, or two domains of the
 * same brand. */
static int
same_org(const struct detect_ctx *c, const char *x, const char *y)
{
	gpointer	bx, by;

	if (strcmp(x, y) == 0)
		return 1;
	bx = g_hash_table_lookup(c->d->brand_domains, x);
	by = g_hash_table_lookup(c->d->brand_domains, y);
	return bx != NULL && bx == by;
}

/* The same mailbox, "+tags" aside ("ann+news@x" is "ann@x"). */
static int
same_mailbox(const char *x, const char *y)
{
	size_t	nx, ny;

	if (x == NULL || y == NULL)
		return 1;
	nx = strcspn(x, "+@");
	ny = strcspn(y, "+@");
	return nx == ny && g_ascii_strncasecmp(x, y, nx) == 0 &&
	    strchr(x, '@') != NULL && strchr(y, '@') != NULL &&
	    g_ascii_strcasecmp(strchr(x, '@'), strchr(y, '@')) == 0;
}

static void
mismatch(struct detect_ctx *c)
{
	const struct mail_email	*e = c->e;
	const char		*d;

	if (c->from_domain == NULL || c->an->reporter != NULL)
		return;
	d = addr_domain(c->a, e->reply_to);
	if (d != NULL && !same_org(c, d, c->from_domain)) {
		detect__add(c, "sender_reply_to_mismatch", NULL, "From %s, "
		    "Reply-To %s", c->from_addr, e->reply_to->addr);
		/* Answers go to an account anyone can open. */
		if (g_hash_table_contains(c->d->freemail, d))
			detect__add(c, "sender_reply_to_freemail", NULL, "%s",
			    e->reply_to->addr);
	} else if (d != NULL && g_hash_table_contains(c->d->freemail, d) &&
	    !same_mailbox(e->reply_to->addr, c->from_addr))
		/* Another mailbox of the same free-mail provider: answers
		 * go to someone else than the one writing. */
		detect__add(c, "sender_reply_to_freemail", NULL, "From %s, "
		    "Reply-To %s", c->from_addr, e->reply_to->addr);
	d = addr_domain(c->a, e->return_path);
	if (d != NULL && !same_org(c, d, c->from_domain))
		detect__add(c, "sender_return_path_mismatch", NULL, "From %s, "
		    "Return-Path %s", c->from_addr, e->return_path->addr);
}

/* How many times 'hay' holds 'word' between non-letters. */
static size_t
count_word(const char *hay, const char *word)
{
	const char	*p = hay;
	size_t		 n = strlen(word), k = 0;

	while ((p = strstr(p, word)) != NULL) {
		if ((p == hay || !g_ascii_isalnum(p[-1])) &&
		    !g_ascii_isalnum(p[n]))
			k++;
		p++;
	}
	return k;
}

static int
has_word(const char *hay, const char *word)
{
	return count_word(hay, word) > 0;
}

/* Does 'hay' hold 'word' between non-letters, in a blank-separated
 * token that is no link, path or address ("orange" in
 * ".../images/orange-hr.gif" is not the brand)? */
static int
has_prose_word(const char *hay, const char *word)
{
	const char	*p = hay, *b, *e;
	size_t		 n = strlen(word);

	while ((p = strstr(p, word)) != NULL) {
		if ((p == hay || !g_ascii_isalnum(p[-1])) &&
		    !g_ascii_isalnum(p[n])) {
			for (b = p; b > hay && b[-1] != ' '; b--)
				;
			for (e = p + n; *e != '\0' && *e != ' '; e++)
				;
			if (memchr(b, '/', (size_t)(e - b)) == NULL &&
			    memchr(b, '@', (size_t)(e - b)) == NULL)
				return 1;
		}
		p++;
	}
	return 0;
}

static int
brand_domain(const struct detect_brand *b, const char *domain)
{
	size_t	i;

	for (i = 0; domain != NULL && b->domains[i] != NULL; i++)
		if (strcmp(b->domains[i], domain) == 0)
			return 1;
	return 0;
}

/*
 * Whether display name 'name' (casefolded) shows VIP 'v' while the email
 * comes from elsewhere: another address than the VIP's, or, for a VIP
 * known by name only, a domain outside the organisation's.  A VIP known
 * by address only is shown by a name holding that address.
 */
static int
vip_named(const struct detect_ctx *c, const struct detect_vip *v,
    const char *name)
{
	const char	*shown = v->name ? v->name : v->addr;

	if (shown == NULL || strstr(name, shown) == NULL)
		return 0;
	if (v->addr != NULL)
		return c->from_addr == NULL || strcmp(c->from_addr,
		    v->addr) != 0;
	return c->from_domain == NULL || !g_hash_table_contains(c->d->org,
	    c->from_domain);
}

static void
impersonation(struct detect_ctx *c, const char *name)
{
	const struct detect_brand	*b;
	const struct detect_vip		*v;
	size_t				 i;

	for (i = 0; i < c->d->brands->len; i++) {
		b = c->d->brands->pdata[i];
		if (!has_word(name, b->name) || brand_domain(b,
		    c->from_domain) || g_hash_table_contains(c->d->org,
		    c->from_domain ? c->from_domain : ""))
			continue;
		detect__add(c, "sender_brand_impersonation", NULL, "\"%s\" "
		    "<%s>", c->e->from->name, c->from_addr);
		break;
	}
	for (i = 0; i < c->d->vips->len; i++) {
		v = c->d->vips->pdata[i];
		if (!vip_named(c, v, name))
			continue;
		detect__add(c, "sender_vip_impersonation", NULL, "\"%s\" <%s>, "
		    "VIP %s", c->e->from->name, c->from_addr, v->addr ?
		    v->addr : v->name);
		break;
	}
}

/* Does the address around 'at' in 'name' (casefolded) equal 'addr'? */
static int
shows_address(const char *name, const char *at, const char *addr)
{
	const char	*p = at, *q = at + 1;

	while (p > name && (g_ascii_isalnum(p[-1]) || strchr("._%+-",
	    p[-1]) != NULL))
		p--;
	while (g_ascii_isalnum(*q) || *q == '.' || *q == '-')
		q++;
	return addr != NULL && strlen(addr) == (size_t)(q - p) &&
	    g_ascii_strncasecmp(p, addr, (size_t)(q - p)) == 0;
}

/* A display name that is, or holds, another address or a domain
 * ("ethereum.org" <x@icloud.com>). */
static void
name_address(struct detect_ctx *c, const char *name)
{
	const char	*at = strchr(name, '@'), *p, *q, *dot;
	char		*host, *dom;
	const char	*reg;

	if (c->from_domain == NULL)
		return;
	if (at != NULL)
		p = at + 1;
	else {
		/* A word.tld in the name: letters on both sides of a dot. */
		for (dot = strchr(name, '.'); dot != NULL; dot = strchr(dot +
		    1, '.'))
			if (dot > name && g_ascii_isalnum(dot[-1]) &&
			    g_ascii_isalpha(dot[1]) && g_ascii_isalpha(dot[2]))
				break;
		if (dot == NULL)
			return;
		for (p = dot; p > name && (g_ascii_isalnum(p[-1]) ||
		    p[-1] == '-' || p[-1] == '.'); p--)
			;
	}
	for (q = p; *q != '\0' && (g_ascii_isalnum(*q) ||
	    *q == '.' || *q == '-'); q++)
		;
	if (q == p || memchr(p, '.', (size_t)(q - p)) == NULL)
		return;
	host = arena_strndup(c->a, p, (size_t)(q - p));
	if ((dom = detect__lower(c->a, host)) == NULL)
		return;
	reg = extract_registrable(dom);
	if (reg == NULL)
		return;
	/* The same domain is fine, unless it is a free-mail provider's and
	 * the name shows another of its mailboxes. */
	if (same_org(c, reg, c->from_domain) && (at == NULL ||
	    !g_hash_table_contains(c->d->freemail, reg) ||
	    shows_address(name, at, c->from_addr)))
		return;
	detect__add(c, "sender_display_name_address", NULL, "\"%s\" <%s>",
	    c->e->from->name, c->from_addr);
}

static int
consonant(char ch)
{
	return g_ascii_isalpha(ch) && strchr("aeiouyAEIOUY", ch) == NULL;
}

/* A local part with a machine-made token: five consonants in a row
 * ("wvqlk") or digits inside letters ("a7ibk9sl"), as bulk senders and
 * throw-away accounts make them. */
static int
random_local(const char *addr)
{
	const char	*p;
	int		 run = 0, letters = 0, inner = 0, digit_seen = 0;

	for (p = addr; *p != '\0' && *p != '@'; p++) {
		if (!g_ascii_isalnum(*p)) {
			run = letters = digit_seen = 0;
			continue;
		}
		run = consonant(*p) ? run + 1 : 0;
		if (run >= 5)
			return 1;
		if (g_ascii_isdigit(*p))
			digit_seen = letters > 0;
		else {
			letters++;
			if (digit_seen)
				inner++;
			digit_seen = 0;
		}
		if (inner >= 2)
			return 1;
	}
	return 0;
}

/* The subject names a brand the sender is not, and the text is a lure. */
static void
brand_mention(struct detect_ctx *c)
{
	const struct detect_brand	*b;
	char				*subj;
	size_t				 i;
	int				 lure;

	lure = c->cls[DETECT_CRED] >= 2 || c->cls[DETECT_MONEY] >= 2 ||
	    c->cls[DETECT_FRAUD] >= 2 || c->cls[DETECT_PRIZE] >= 2 ||
	    c->cls[DETECT_CRYPTO] >= 2 ||
	    c->cls[DETECT_DELIVERY] >= 2 || c->cls[DETECT_URGENCY] >= 2;
	if (!lure || c->from_domain == NULL ||
	    g_hash_table_contains(c->d->org, c->from_domain))
		return;
	subj = c->e->subject != NULL ? detect__skeleton(c->a, c->e->subject,
	    NULL, NULL) : NULL;
	for (i = 0; subj != NULL && i < c->d->brands->len; i++) {
		b = c->d->brands->pdata[i];
		if (!has_word(subj, b->name) || brand_domain(b, c->from_domain))
			continue;
		detect__add(c, "sender_brand_mention", NULL, "%s from %s",
		    b->name, c->from_addr);
		return;
	}
	/* The text, on a credential lure only: brands are named in much
	 * legitimate mail ("get it on Google Play"). */
	if (c->cls[DETECT_CRED] < 4 || c->text == NULL)
		return;
	for (i = 0; i < c->d->brands->len; i++) {
		b = c->d->brands->pdata[i];
		if (strlen(b->name) < 4 || !has_prose_word(c->text, b->name) ||
		    brand_domain(b, c->from_domain))
			continue;
		detect__add(c, "sender_brand_in_text", NULL, "%s from %s",
		    b->name, c->from_addr);
		return;
	}
}

/*
 * An X-Mailer of random characters ("W9ijQ", "adpVx", "BkXkD"), as bulk
 * tools write a new one per campaign: one token of 4 to 8 letters and
 * digits, no version, with a digit among the letters or upper case
 * after lower case, or more than one capital not leading the token.
 * Real mailers name themselves with a word and a version ("Gmail",
 * "Microsoft Outlook 16.0", "PHPMailer 6.1").
 */
static int
random_mailer(const char *m)
{
	size_t	n, i, caps = 0;
	int	digit = 0, alpha = 0, flip = 0;

	while (*m == ' ' || *m == '\t')
		m++;
	for (n = 0; m[n] != '\0' && m[n] != ' ' && m[n] != '\t' &&
	    m[n] != '\r' && m[n] != '\n'; n++)
		if (!g_ascii_isalnum(m[n]))
			return 0;
	for (i = n; m[i] == ' ' || m[i] == '\t' || m[i] == '\r' ||
	    m[i] == '\n'; i++)
		;
	if (n < 4 || n > 8 || m[i] != '\0')
		return 0;
	for (i = 0; i < n; i++) {
		if (g_ascii_isdigit(m[i]))
			digit = 1;
		else {
			alpha++;
			if (g_ascii_isupper(m[i]) && i > 0) {
				caps++;
				if (g_ascii_islower(m[i - 1]))
					flip = 1;
			}
		}
	}
	return alpha > 0 && ((digit && alpha >= 2) || flip || caps >= 2);
}

/*
 * 'raw' with the letters a word disguises put back, or NULL when it
 * disguises none: a lower-case 'l' in an upper-case word ("lRS") read
 * as 'I', an upper-case 'I' after lower-case letters ("PaypaI") as 'l',
 * and a '0' or '1' between letters ("Micr0soft", "App1e") as 'o' and as
 * 'one' (which 'i' or 'l' is 'one' says).
 */
static char *
undisguised(struct arena *a, const char *raw, char one)
{
	char	*s = arena_strdup(a, raw);
	size_t	 i, j, k;
	int	 up, low, changed = 0;

	if (s == NULL)
		return NULL;
	for (i = 0; s[i] != '\0'; i = j) {
		for (j = i; g_ascii_isalnum(s[j]); j++)
			;
		if (j == i) {
			j++;
			continue;
		}
		for (up = low = 0, k = i; k < j; k++) {
			up += g_ascii_isupper(s[k]) && s[k] != 'I';
			low += g_ascii_islower(s[k]) && s[k] != 'l';
		}
		for (k = i; k < j; k++) {
			if (s[k] == 'l' && up >= 2 && low == 0)
				s[k] = 'I';
			else if (s[k] == 'I' && k > i && low >= 2 && up <= 1 &&
			    g_ascii_islower(s[k - 1]))
				s[k] = 'l';
			else if ((s[k] == '0' || s[k] == '1') && k > i &&
			    k + 1 < j && g_ascii_isalpha(s[k - 1]) &&
			    g_ascii_isalpha(s[k + 1]))
				s[k] = s[k] == '0' ? 'o' : one;
			else if ((s[k] == '0' || s[k] == '1') && k + 1 == j &&
			    k >= i + 2 && g_ascii_isalpha(s[k - 1]) &&
			    g_ascii_isalpha(s[k - 2]))
				s[k] = s[k] == '0' ? 'o' : one;
			else
				continue;
			changed = 1;
		}
	}
	return changed ? s : NULL;
}

/* The subject or the display name spells a brand the sender is not with
 * disguised letters ("lRS", "PaypaI", "Micr0soft"). */
static void
disguised_brand(struct detect_ctx *c, const char *raw, const char *where)
{
	const struct detect_brand	*b;
	char				*plain, *u;
	size_t				 i, v;

	if (raw == NULL || c->from_domain == NULL ||
	    g_hash_table_contains(c->d->org, c->from_domain) ||
	    (plain = detect__skeleton(c->a, raw, NULL, NULL)) == NULL)
		return;
	for (v = 0; v < 2; v++) {
		if ((u = undisguised(c->a, raw, v == 0 ? 'i' : 'l')) == NULL ||
		    (u = detect__skeleton(c->a, u, NULL, NULL)) == NULL)
			return;
		for (i = 0; i < c->d->brands->len; i++) {
			b = c->d->brands->pdata[i];
			/* More times disguised than written plainly. */
			if (strlen(b->name) < 3 || count_word(u, b->name) <=
			    count_word(plain, b->name) ||
			    brand_domain(b, c->from_domain))
				continue;
			detect__add(c, "lookalike_brand_name", NULL, "%s: "
			    "\"%s\" spells %s, from %s", where, raw, b->name,
			    c->from_addr);
			return;
		}
	}
}

/* A free-mail sender on a business lure: credentials, a payment, a
 * fortune to share, a prize or a wallet. */
static void
freemail_lure(struct detect_ctx *c)
{
	static const enum detect_class lures[] = { DETECT_CRED,
		DETECT_MONEY, DETECT_FRAUD, DETECT_PRIZE, DETECT_CRYPTO };
	size_t	i;

	if (c->from_domain == NULL || !g_hash_table_contains(c->d->freemail,
	    c->from_domain))
		return;
	for (i = 0; i < G_N_ELEMENTS(lures); i++) {
		if (c->cls[lures[i]] < 4)
			continue;
		detect__add(c, "sender_freemail_lure", NULL, "%s: %s",
		    c->from_addr, c->cls_ev[lures[i]]);
		return;
	}
}

void
detect__sender(struct detect_ctx *c)
{
	const struct mail_addr	*f = c->e->from;
	char			*name;

	mismatch(c);
	if (f != NULL && c->an->reporter == NULL && (c->from_host == NULL ||
	    strchr(c->from_host, '.') == NULL))
		detect__add(c, "sender_invalid_address", NULL, "From: %s%s%s",
		    f->name ? f->name : "", f->name ? " " : "",
		    f->addr ? f->addr : "(no address)");
	if (c->from_host != NULL && strrchr(c->from_host, '.') != NULL &&
	    g_hash_table_contains(c->d->tlds, strrchr(c->from_host, '.') + 1))
		detect__add(c, "sender_suspicious_tld", NULL, "%s",
		    c->from_addr);
	if (c->from_host != NULL && detect__in_set(c->d->freehosts,
	    c->from_host) != NULL)
		detect__add(c, "sender_free_host", NULL, "%s", c->from_addr);
	if (c->from_addr != NULL && c->an->reporter == NULL &&
	    random_local(c->from_addr))
		detect__add(c, "sender_random_local", NULL, "%s",
		    c->from_addr);
	brand_mention(c);
	if (c->e->x_mailer != NULL && c->an->reporter == NULL &&
	    random_mailer(c->e->x_mailer))
		detect__add(c, "sender_random_mailer", NULL, "X-Mailer: %s",
		    c->e->x_mailer);
	disguised_brand(c, c->e->subject, "Subject");
	if (f != NULL && f->name != NULL)
		disguised_brand(c, f->name, "Display name");
	if (f != NULL && f->name != NULL && *f->name != '\0') {
		name = detect__skeleton(c->a, f->name, NULL, NULL);
		if (name != NULL) {
			impersonation(c, name);
			name_address(c, name);
		}
	}
	freemail_lure(c);
}
