/* SPDX-License-Identifier: Apache-2.0 */
/*
 * detect.c -- the detection signals' frame: the data files (lists,
 * phrases, weights) read once per process, the table of signals with
 * their titles and categories, and the score.  Each detector lives in its
 * own file (detect_auth.c, detect_sender.c, detect_lookalike.c,
 * detect_links.c, detect_content.c, detect_attach.c) and reads UNTRUSTED
 * email data through the analysis; the data files are trusted (shipped or
 * written by the operator).  docs/internals/detect.md lists every signal.
 */
#include <stdarg.h>
#include <stdlib.h>
#include <string.h>

#include "detect_int.h"
#include "../common/log.h"
#include "../extract/extract.h"

/* Every signal: its id, category (for the caps) and title. */
static const struct signal {
	const char	*id;
	const char	*category;
	const char	*title;
} signals[] = {
	{ "auth_spf_fail", "auth", "SPF failed" },
	{ "auth_spf_softfail", "auth", "SPF soft-failed" },
	{ "auth_dkim_fail", "auth", "DKIM failed" },
	{ "auth_dmarc_fail", "auth", "DMARC failed" },
	{ "auth_arc_fail", "auth", "ARC failed" },
	{ "auth_compauth_fail", "auth",
	    "The receiving server's composite authentication failed" },
	{ "auth_unaligned", "auth",
	    "Authentication passed for other domains than the sender's" },
	{ "auth_org_spoof", "auth",
	    "From uses the organisation's domain without passing "
	    "authentication" },
	{ "sender_reply_to_mismatch", "sender",
	    "Reply-To goes to another domain than From" },
	{ "sender_reply_to_freemail", "sender",
	    "Reply-To is a free-mail address the sender's is not" },
	{ "sender_return_path_mismatch", "sender",
	    "Return-Path domain differs from From" },
	{ "sender_brand_impersonation", "sender",
	    "Display name names a brand the sender's domain is not" },
	{ "sender_vip_impersonation", "sender",
	    "Display name of a VIP with another address" },
	{ "sender_display_name_address", "sender",
	    "Display name shows another address or domain than the "
	    "sender's" },
	{ "sender_freemail_lure", "sender",
	    "Free-mail sender on a business or account lure" },
	{ "sender_invalid_address", "sender",
	    "From is not a valid internet address" },
	{ "sender_suspicious_tld", "sender",
	    "Sender domain under a much-abused TLD" },
	{ "sender_free_host", "sender",
	    "Sender domain on free hosting or a cloud tenant name" },
	{ "sender_random_local", "sender",
	    "Sender address with a machine-made random part" },
	{ "sender_random_mailer", "sender",
	    "X-Mailer of random characters (a bulk tool's)" },
	{ "sender_first_time", "history",
	    "First email from this sender address in the store" },
	{ "sender_domain_first_time", "history",
	    "First email from this sender domain in the store" },
	{ "sender_brand_mention", "sender",
	    "Subject names a brand the sender's domain is not, on a lure" },
	{ "sender_brand_in_text", "sender",
	    "The text names a brand the sender's domain is not, on a "
	    "credential lure" },
	{ "lookalike_sender_domain", "lookalike",
	    "Sender domain looks like a protected domain" },
	{ "lookalike_link_domain", "lookalike",
	    "Link domain looks like a protected domain" },
	{ "lookalike_brand_name", "lookalike",
	    "Subject or display name spells a brand with disguised letters "
	    "(lRS, PaypaI, Micr0soft)" },
	{ "confusable_domain", "lookalike",
	    "Domain written with look-alike (homoglyph) characters" },
	{ "mixed_script", "lookalike",
	    "Domain or display name mixes scripts" },
	{ "punycode_host", "lookalike", "Internationalised (punycode) host" },
	{ "link_ip_host", "links", "Link to a bare IP address" },
	{ "link_userinfo", "links", "Link with '@' in its authority" },
	{ "link_bad_host", "links", "Link to a host that is not a domain" },
	{ "link_shortener", "links", "Link through a URL shortener" },
	{ "link_free_host", "links",
	    "Link to free hosting, file sharing or a form builder" },
	{ "link_suspicious_tld", "links", "Link to a much-abused TLD" },
	{ "link_text_mismatch", "links",
	    "Link text shows another domain than the link goes to" },
	{ "link_recipient_in_url", "links",
	    "The recipient's address is in a link" },
	{ "link_many_subdomains", "links", "Link host with many subdomains" },
	{ "link_encoded_letters", "links",
	    "Link with letters or digits hidden as %XX" },
	{ "link_random_host", "links",
	    "Link host with a random, keyboard-mash name" },
	{ "link_open_redirect", "links",
	    "Link redirects to another site through a parameter or an AMP "
	    "path" },
	{ "link_brand_redirect", "links",
	    "Link through a big brand's redirector to another site" },
	{ "link_html_form", "links", "Form in the email body" },
	{ "link_phish_path", "links",
	    "Link path of a phishing page (brand and login words, or a "
	    "script in a compromised site)" },
	{ "content_credential_lure", "content",
	    "Credential-theft language" },
	{ "content_urgency", "content", "Urgency language" },
	{ "content_money_lure", "content",
	    "Payment, refund or prize language" },
	{ "content_bulk_offer", "content", "Bulk-mail offer language" },
	{ "content_delivery_lure", "content",
	    "Parcel delivery or customs-fee language" },
	{ "content_advance_fee", "content",
	    "Advance-fee fraud language (inheritance, next of kin, a share "
	    "of a fortune)" },
	{ "content_crypto_lure", "content",
	    "Crypto-wallet lure (connect your wallet, seed phrase, "
	    "airdrop)" },
	{ "content_prize_lure", "content",
	    "Prize, reward or sweepstakes language" },
	{ "content_spam_topic", "content",
	    "Classic spam topic (pharmacy, adult dating, casino, SEO)" },
	{ "content_attachment_only", "content",
	    "A file with no text to speak of" },
	{ "content_gtube", "content", "The GTUBE anti-spam test string" },
	{ "content_random_token", "content",
	    "A long random token in the text (hash busting)" },
	{ "content_gibberish", "content",
	    "Random-letter filler text (hash busting)" },
	{ "content_callback", "content",
	    "A telephone number to call about a charge or refund" },
	{ "content_alternative_mismatch", "content",
	    "The text part says something else than the HTML part" },
	{ "content_hidden_text", "content",
	    "Text sized to be invisible" },
	{ "content_styled_letters", "content",
	    "Styled look-alike letters in the subject or sender name" },
	{ "content_address_greeting", "content",
	    "Greets the recipient by email address" },
	{ "content_fake_reply", "content",
	    "Reply subject without the thread it replies to" },
	{ "content_many_recipients", "content",
	    "Many recipients in unrelated domains in To and Cc" },
	{ "content_undisclosed_recipients", "content",
	    "No visible recipients" },
	{ "content_invisible_chars", "content",
	    "Zero-width or invisible characters" },
	{ "content_broken_words", "content",
	    "Words broken up by invisible characters" },
	{ "content_disguised_words", "content",
	    "Spam words disguised to slip past filters (v1agra, c.a.s.h, "
	    "tags inside a word)" },
	{ "content_freemail_contact", "content",
	    "Asks to write to a free-mail address the sender's is not, on a "
	    "money or prize lure" },
	{ "content_recipient_in_subject", "content",
	    "The recipient's address in the subject" },
	{ "content_subject_joined", "content",
	    "Subject words joined by underscores" },
	{ "content_image_only", "content", "Body is an image with no text" },
	{ "content_html_only", "content", "HTML body without a text part" },
	{ "many_signals", "combo",
	    "Several independent signals together" },
	{ "content_simulation", "context",
	    "Phishing-simulation (awareness test) email" },
	{ "attach_executable", "attach", "Executable attachment" },
	{ "attach_script", "attach", "Script or shortcut attachment" },
	{ "attach_disk_image", "attach", "Disk image attachment" },
	{ "attach_onenote", "attach", "OneNote attachment" },
	{ "attach_html", "attach", "HTML or SVG attachment" },
	{ "attach_random_name", "attach",
	    "Attachment named with random letters" },
	{ "attach_type_mismatch", "attach",
	    "Attachment content does not match its name" },
	{ "attach_double_extension", "attach",
	    "Attachment name with a double extension" },
	{ "attach_archive_executable", "attach",
	    "Archive holding an executable or script" },
	{ "attach_encrypted_archive", "attach", "Encrypted archive" },
	{ "attach_encrypted_document", "attach",
	    "Password-protected document (Office, or a PDF that needs a "
	    "password)" },
	{ "attach_archive_password", "attach",
	    "Encrypted archive or document with its password in the body" },
	{ "attach_office_macro", "attach", "Office document with macros" },
	{ "attach_html_credential_form", "attach",
	    "HTML attachment with a password form" },
	{ "attach_html_smuggling", "attach",
	    "HTML attachment that builds a file in the browser" },
	{ "attach_qr_url", "attach", "QR code with a link in an image" },
	{ "attach_qr_only", "attach",
	    "A QR code with a link and little else" },
	{ "attach_pdf_javascript", "attach", "PDF with JavaScript" },
	{ "attach_pdf_launch", "attach", "PDF with a Launch action" },
	{ "attach_pdf_embedded_file", "attach",
	    "PDF carrying an embedded file" },
	{ "attach_pdf_link", "attach", "Link in a PDF" },
	{ "attach_pdf_link_only", "attach",
	    "A PDF with a link and little else" },
	{ "attach_office_remote_template", "attach",
	    "Office document that loads remote content when opened" },
	{ "attach_office_dde", "attach", "Office document with a DDE field" },
	{ "attach_office_link", "attach", "Link in an Office document" },
};

static struct detect_data	*data;

const struct detect_data *
detect__data(void)
{
	return data;
}

const char *
detect_data_dir(void)
{
	return data ? data->dir : NULL;
}

static const struct signal *
signal_of(const char *id)
{
	size_t	i;

	for (i = 0; i < G_N_ELEMENTS(signals); i++)
		if (strcmp(signals[i].id, id) == 0)
			return &signals[i];
	return NULL;
}

const char *
detect_title(const char *id)
{
	const struct signal	*s = signal_of(id);

	return s != NULL ? s->title : NULL;
}

const char *
detect_signal_id(size_t i)
{
	return i < G_N_ELEMENTS(signals) ? signals[i].id : NULL;
}

int
detect_points(const char *id)
{
	if (data == NULL || data->points == NULL)
		return 0;
	return GPOINTER_TO_INT(g_hash_table_lookup(data->points, id));
}

/* ---- loading -------------------------------------------------------- */

/* The lines of 'dir'/'name' without comments and blanks, or NULL. */
static char **
read_lines(const char *dir, const char *name)
{
	char	*path = g_build_filename(dir, name, NULL), *buf = NULL;
	char	**lines, **out;
	size_t	 i, n = 0;

	if (!g_file_get_contents(path, &buf, NULL, NULL)) {
		log_warnx("detect: cannot read %s", path);
		g_free(path);
		return NULL;
	}
	g_free(path);
	lines = g_strsplit(buf, "\n", -1);
	g_free(buf);
	out = g_new0(char *, g_strv_length(lines) + 1);
	for (i = 0; lines[i] != NULL; i++) {
		g_strstrip(lines[i]);
		if (lines[i][0] == '\0' || lines[i][0] == '#')
			continue;
		out[n++] = g_strdup(lines[i]);
	}
	g_strfreev(lines);
	return out;
}

static GHashTable *
load_set(const char *dir, const char *name)
{
	GHashTable	*set = g_hash_table_new_full(g_str_hash, g_str_equal,
			    g_free, NULL);
	char		**l = read_lines(dir, name);
	size_t		 i;

	for (i = 0; l != NULL && l[i] != NULL; i++)
		g_hash_table_add(set, g_ascii_strdown(l[i], -1));
	g_strfreev(l);
	return set;
}

static void
load_weights(struct detect_data *d)
{
	GKeyFile	*kf = g_key_file_new();
	char		*path = g_build_filename(d->dir, "weights.conf", NULL);
	char		**keys;
	size_t		 i;
	int		 v;

	d->points = g_hash_table_new_full(g_str_hash, g_str_equal, g_free,
	    NULL);
	d->caps = g_hash_table_new_full(g_str_hash, g_str_equal, g_free,
	    NULL);
	d->suspicious = 30;
	d->malicious = 70;
	if (!g_key_file_load_from_file(kf, path, G_KEY_FILE_NONE, NULL)) {
		log_warnx("detect: cannot read %s: signals carry no points",
		    path);
		goto out;
	}
	if ((v = g_key_file_get_integer(kf, "verdict", "suspicious", NULL)) >
	    0)
		d->suspicious = v;
	if ((v = g_key_file_get_integer(kf, "verdict", "malicious", NULL)) >
	    0)
		d->malicious = v;
	keys = g_key_file_get_keys(kf, "points", NULL, NULL);
	for (i = 0; keys != NULL && keys[i] != NULL; i++) {
		if (signal_of(keys[i]) == NULL)
			log_warnx("detect: %s: unknown signal %s", path,
			    keys[i]);
		g_hash_table_insert(d->points, g_strdup(keys[i]),
		    GINT_TO_POINTER(g_key_file_get_integer(kf, "points",
		    keys[i], NULL)));
	}
	g_strfreev(keys);
	keys = g_key_file_get_keys(kf, "caps", NULL, NULL);
	for (i = 0; keys != NULL && keys[i] != NULL; i++)
		g_hash_table_insert(d->caps, g_strdup(keys[i]),
		    GINT_TO_POINTER(g_key_file_get_integer(kf, "caps",
		    keys[i], NULL)));
	g_strfreev(keys);
out:
	g_key_file_free(kf);
	g_free(path);
}

static void
protect(struct detect_data *d, const char *domain)
{
	const char	*reg = extract_registrable(domain);
	char		*label, *dot;

	if (reg == NULL)
		return;
	g_hash_table_add(d->protected_domains, g_strdup(reg));
	label = g_strdup(reg);
	if ((dot = strchr(label, '.')) != NULL)
		*dot = '\0';
	if (strlen(label) < 4) {	/* too short to tell from noise */
		g_free(label);
		return;
	}
	g_ptr_array_add(d->protected, label);
}

static void
load_brands(struct detect_data *d)
{
	char			**l = read_lines(d->dir, "brands.txt");
	char			**f;
	struct detect_brand	*b;
	size_t			 i, k;

	d->brands = g_ptr_array_new();
	d->brand_domains = g_hash_table_new_full(g_str_hash, g_str_equal,
	    g_free, NULL);
	for (i = 0; l != NULL && l[i] != NULL; i++) {
		f = g_strsplit_set(l[i], " \t", -1);
		b = g_new0(struct detect_brand, 1);
		b->name = g_strdelimit(g_utf8_casefold(f[0], -1), "_", ' ');
		b->domains = g_new0(char *, g_strv_length(f) + 1);
		for (k = 1; f[k] != NULL; k++) {
			if (*f[k] == '\0')
				continue;
			b->domains[k - 1] = g_ascii_strdown(f[k], -1);
			g_hash_table_insert(d->brand_domains,
			    g_strdup(b->domains[k - 1]), b);
			protect(d, b->domains[k - 1]);
		}
		g_strfreev(f);
		g_ptr_array_add(d->brands, b);
	}
	g_strfreev(l);
}

static const char *const class_names[DETECT_CLASSES] = { "cred",
	"urgency", "money", "offer", "delivery", "fraud", "crypto", "prize",
	"spam" };

/* The first word of a casefolded phrase (what the index is keyed by). */
static char *
first_word(const char *p)
{
	size_t	n = 0;

	while (p[n] != '\0' && (g_ascii_isalnum(p[n]) ||
	    (unsigned char)p[n] >= 0x80))
		n++;
	return n > 0 ? g_strndup(p, n) : NULL;
}

static void
load_phrases(struct detect_data *d)
{
	char			**l = read_lines(d->dir, "phrases.txt");
	char			**f, *w;
	struct detect_phrase	*ph;
	GPtrArray		*bucket;
	size_t			 i;
	int			 k;

	d->phrase_list = g_ptr_array_new();
	d->phrases = g_hash_table_new_full(g_str_hash, g_str_equal, g_free,
	    (GDestroyNotify)g_ptr_array_unref);
	for (i = 0; l != NULL && l[i] != NULL; i++) {
		f = g_strsplit(l[i], "\t", 3);
		for (k = 0; k < DETECT_CLASSES && f[0] && f[1] && f[2]; k++)
			if (strcmp(f[0], class_names[k]) == 0)
				break;
		if (k == DETECT_CLASSES || f[1] == NULL || f[2] == NULL ||
		    (w = first_word(g_strstrip(f[2]))) == NULL) {
			g_strfreev(f);
			continue;
		}
		ph = g_new0(struct detect_phrase, 1);
		ph->text = g_utf8_casefold(f[2], -1);
		ph->len = strlen(ph->text);
		ph->cls = (enum detect_class)k;
		ph->weight = (int)strtol(f[1], NULL, 10);
		g_ptr_array_add(d->phrase_list, ph);
		g_free(w);
		w = first_word(ph->text);
		if ((bucket = g_hash_table_lookup(d->phrases, w)) == NULL) {
			bucket = g_ptr_array_new();
			g_hash_table_insert(d->phrases, w, bucket);
		} else
			g_free(w);
		g_ptr_array_add(bucket, ph);
		g_strfreev(f);
	}
	g_strfreev(l);
}

/* Lower-case ASCII words of 4 to 31 letters; others are skipped. */
static void
load_spamwords(struct detect_data *d)
{
	char	**l = read_lines(d->dir, "spamwords.txt");
	size_t	  i, k, n;

	d->spamwords = g_ptr_array_new_with_free_func(g_free);
	for (i = 0; l != NULL && l[i] != NULL; i++) {
		n = strlen(l[i]);
		for (k = 0; k < n && g_ascii_islower(l[i][k]); k++)
			;
		if (k == n && n >= 4 && n < 32)
			g_ptr_array_add(d->spamwords, g_strdup(l[i]));
	}
	g_strfreev(l);
}

/* "U+0430<TAB>a" lines. */
static void
load_confusables(struct detect_data *d)
{
	char		**l = read_lines(d->dir, "confusables.txt");
	char		 *end;
	unsigned long	  cp;
	size_t		  i;

	d->confusables = g_hash_table_new(g_direct_hash, g_direct_equal);
	for (i = 0; l != NULL && l[i] != NULL; i++) {
		if (strncmp(l[i], "U+", 2) != 0)
			continue;
		cp = strtoul(l[i] + 2, &end, 16);
		while (*end == ' ' || *end == '\t')
			end++;
		if (cp == 0 || cp > 0x10ffff || !g_ascii_isalpha(*end))
			continue;
		g_hash_table_insert(d->confusables, GUINT_TO_POINTER(cp),
		    GUINT_TO_POINTER((unsigned)g_ascii_tolower(*end)));
	}
	g_strfreev(l);
}

/*
 * "Jane Doe <jane@example.org>; Boss; ceo@example.org": a name with its
 * address, a name alone or an address alone (config.c checks the form;
 * entries that do not parse are skipped here).
 */
static void
load_vips(struct detect_data *d, const char *s)
{
	char			**l, *lt, *gt, *e;
	struct detect_vip	*v;
	size_t			 i;

	d->vips = g_ptr_array_new();
	if (s == NULL)
		return;
	l = g_strsplit(s, ";", -1);
	for (i = 0; l[i] != NULL; i++) {
		e = g_strstrip(l[i]);
		lt = strchr(e, '<');
		gt = lt ? strchr(lt, '>') : NULL;
		if (*e == '\0' || (lt != NULL && gt == NULL))
			continue;
		v = g_new0(struct detect_vip, 1);
		if (lt != NULL) {
			*lt = *gt = '\0';
			v->addr = g_ascii_strdown(g_strstrip(lt + 1), -1);
			if (*g_strstrip(e) != '\0')
				v->name = g_utf8_casefold(e, -1);
		} else if (strchr(e, '@') != NULL)
			v->addr = g_ascii_strdown(e, -1);
		else
			v->name = g_utf8_casefold(e, -1);
		if (v->addr != NULL && *v->addr == '\0') {
			g_free(v->addr);
			v->addr = NULL;
		}
		if (v->name == NULL && v->addr == NULL) {
			g_free(v);
			continue;
		}
		g_ptr_array_add(d->vips, v);
	}
	g_strfreev(l);
}

static void
load_org(struct detect_data *d, const char *s)
{
	char	**l;
	size_t	 i;

	d->org = g_hash_table_new_full(g_str_hash, g_str_equal, g_free,
	    NULL);
	if (s == NULL)
		return;
	l = g_strsplit_set(s, ",; \t", -1);
	for (i = 0; l[i] != NULL; i++) {
		if (*l[i] == '\0')
			continue;
		g_hash_table_add(d->org, g_ascii_strdown(l[i], -1));
		protect(d, l[i]);
	}
	g_strfreev(l);
}

/* "mx.example.org, mx2.example.org" as a vector, or NULL when empty. */
static char **
split_ids(const char *s)
{
	char	**l, **out;
	size_t	  i, n = 0;

	if (s == NULL)
		return NULL;
	l = g_strsplit_set(s, ",; \t", -1);
	out = g_new0(char *, g_strv_length(l) + 1);
	for (i = 0; l[i] != NULL; i++)
		if (*l[i] != '\0')
			out[n++] = g_strdup(l[i]);
	g_strfreev(l);
	if (n == 0) {
		g_free(out);
		return NULL;
	}
	return out;
}

/* The source tree's data/ when this binary runs from its build tree
 * (tests, bench), else the installed one.  g_free. */
static char *
default_dir(void)
{
#if defined(MS_SRCDIR) && defined(MS_BUILDDIR)
	char	*exe = g_file_read_link("/proc/self/exe", NULL);
	int	 in_build = exe != NULL && g_str_has_prefix(exe,
		    MS_BUILDDIR "/");

	g_free(exe);
	if (in_build)
		return g_strdup(MS_SRCDIR "/data");
#endif
	return g_strdup(MS_DATADIR);
}

static const char *
pick(const char *v, const char *env)
{
	return v != NULL ? v : g_getenv(env);
}

enum ms_err
detect_load(const struct detect_config *cfg)
{
	struct detect_config	 none = { 0 };
	struct detect_data	*d;
	const char		*dir;

	if (cfg == NULL)
		cfg = &none;
	detect_unload();
	d = g_new0(struct detect_data, 1);
	dir = pick(cfg->data_dir, "MAILSOAR_DETECT_DIR");
	d->dir = dir != NULL && *dir != '\0' ? g_strdup(dir) : default_dir();
	load_weights(d);
	d->freemail = load_set(d->dir, "freemail.txt");
	d->shorteners = load_set(d->dir, "shorteners.txt");
	d->freehosts = load_set(d->dir, "freehosts.txt");
	d->tlds = load_set(d->dir, "tlds.txt");
	load_spamwords(d);
	d->protected = g_ptr_array_new_with_free_func(g_free);
	d->protected_domains = g_hash_table_new_full(g_str_hash, g_str_equal,
	    g_free, NULL);
	load_brands(d);
	d->simulation = g_ptr_array_new_with_free_func(g_free);
	{
		char	**l = read_lines(d->dir, "simulation.txt");
		size_t	  i;

		for (i = 0; l != NULL && l[i] != NULL; i++)
			g_ptr_array_add(d->simulation, l[i]);
		g_free(l);	/* the strings moved to the array */
	}
	load_phrases(d);
	load_confusables(d);
	load_org(d, pick(cfg->org_domains, "MAILSOAR_ORG_DOMAINS"));
	load_vips(d, pick(cfg->vips, "MAILSOAR_VIPS"));
	d->authserv = split_ids(pick(cfg->authserv_id,
	    "MAILSOAR_AUTHSERV_ID"));
	data = d;
	return g_hash_table_size(d->points) > 0 ? MS_OK : MS_EIO;
}

void
detect_unload(void)
{
	struct detect_data	*d = data;
	size_t			 i;

	if (d == NULL)
		return;
	data = NULL;
	for (i = 0; i < d->brands->len; i++) {
		struct detect_brand *b = d->brands->pdata[i];

		g_free(b->name);
		g_strfreev(b->domains);
		g_free(b);
	}
	g_ptr_array_free(d->brands, TRUE);
	for (i = 0; i < d->phrase_list->len; i++) {
		struct detect_phrase *p = d->phrase_list->pdata[i];

		g_free(p->text);
		g_free(p);
	}
	g_ptr_array_free(d->phrase_list, TRUE);
	for (i = 0; i < d->vips->len; i++) {
		struct detect_vip *v = d->vips->pdata[i];

		g_free(v->name);
		g_free(v->addr);
		g_free(v);
	}
	g_ptr_array_free(d->vips, TRUE);
	g_hash_table_destroy(d->phrases);
	g_hash_table_destroy(d->points);
	g_hash_table_destroy(d->caps);
	g_hash_table_destroy(d->freemail);
	g_hash_table_destroy(d->shorteners);
	g_hash_table_destroy(d->freehosts);
	g_hash_table_destroy(d->tlds);
	g_hash_table_destroy(d->brand_domains);
	g_hash_table_destroy(d->protected_domains);
	g_hash_table_destroy(d->org);
	g_hash_table_destroy(d->confusables);
	g_ptr_array_free(d->protected, TRUE);
	g_ptr_array_free(d->simulation, TRUE);
	g_ptr_array_free(d->spamwords, TRUE);
	g_strfreev(d->authserv);
	g_free(d->dir);
	g_free(d);
}

/* ---- helpers shared by the detectors -------------------------------- */

void
detect__add(struct detect_ctx *c, const char *id, const char *part,
    const char *fmt, ...)
{
	const struct signal	*s = signal_of(id);
	va_list			 ap;
	char			*ev;

	if (s == NULL)
		return;		/* a detector bug; tests catch it */
	va_start(ap, fmt);
	ev = arena_vprintf(c->a, fmt, ap);
	va_end(ap);
	(void)finding_signal(c->a, &c->an->findings, s->id, s->title,
	    detect_points(id), part, ev);
}

const char *
detect__in_set(GHashTable *set, const char *host)
{
	const char	*p = host;
	gpointer	 k;

	if (set == NULL || host == NULL)
		return NULL;
	while (p != NULL && *p != '\0') {
		if (g_hash_table_lookup_extended(set, p, &k, NULL))
			return k;
		if ((p = strchr(p, '.')) != NULL)
			p++;
	}
	return NULL;
}

/*
 * memchr finds the candidates for the first byte, in either case, and
 * each of the two positions is searched again only once it is passed:
 * linear in 'n' whatever the input, and fast on long HTML.
 */
const char *
detect__memcasemem(const char *hay, size_t n, const char *needle)
{
	const char	*end, *lo = NULL, *up = NULL, *p, *at;
	size_t		 m = strlen(needle);
	char		 cl, cu;

	if (m == 0 || m > n)
		return NULL;
	end = hay + n - m + 1;	/* candidates start before 'end' */
	cl = g_ascii_tolower(needle[0]);
	cu = g_ascii_toupper(needle[0]);
	for (p = hay; p < end; p = at + 1) {
		if (lo != NULL && lo < p)
			lo = NULL;
		if (up != NULL && up < p)
			up = NULL;
		if (lo == NULL && (lo = memchr(p, cl, (size_t)(end - p))) ==
		    NULL)
			lo = end;
		if (cu == cl)
			up = end;
		else if (up == NULL && (up = memchr(p, cu, (size_t)(end -
		    p))) == NULL)
			up = end;
		at = lo < up ? lo : up;
		if (at >= end)
			return NULL;
		if (g_ascii_strncasecmp(at + 1, needle + 1, m - 1) == 0)
			return at;
	}
	return NULL;
}

char *
detect__lower(struct arena *a, const char *s)
{
	char	*out;
	size_t	 n, i;

	if (s == NULL)
		return NULL;
	n = strlen(s);
	while (n > 0 && s[n - 1] == '.')
		n--;
	if ((out = arena_strndup(a, s, n)) == NULL)
		return NULL;
	for (i = 0; i < n; i++)
		out[i] = g_ascii_tolower(out[i]);
	return out;
}

/* ---- the score ------------------------------------------------------ */

const char *
analyze_verdict(int score)
{
	int	sus = data ? data->suspicious : 30;
	int	mal = data ? data->malicious : 70;

	if (score >= mal)
		return "malicious";
	if (score >= sus)
		return "suspicious";
	return "benign";
}

/*
 * Weak signals that are each common in legitimate mail (an HTML-only
 * body, a Return-Path elsewhere, a reply subject) are rare together:
 * past two positive signals, each further one adds many_signals' points
 * (its cap in weights.conf bounds the bonus).
 */
static void
combo(struct detect_ctx *c)
{
	const struct finding	*f;
	size_t			 i;
	int			 n = 0, per = detect_points("many_signals");

	for (i = 0; i < c->an->findings.n; i++) {
		f = c->an->findings.v[i];
		if (f->kind == FINDING_SIGNAL && f->points > 0)
			n++;
	}
	if (n < 3 || per == 0)
		return;
	(void)finding_signal(c->a, &c->an->findings, "many_signals",
	    signal_of("many_signals")->title, per * (n - 2), NULL,
	    arena_printf(c->a, "%d signals", n));
}

/*
 * Sum the signals' points, each category's positive total held to its
 * cap (weights.conf [caps]); a reason's points are what it added after
 * the cap, so that the reasons always add up to the score (before the
 * 0..100 clamp).
 */
static void
score(struct detect_ctx *c)
{
	struct analysis		*an = c->an;
	const struct finding	*f;
	const struct signal	*s;
	struct score_reason	*r;
	GHashTable		*used = g_hash_table_new(g_str_hash,
				    g_str_equal);
	gpointer		 capv;
	size_t			 i;
	int			 total = 0, pts, u, cap;

	combo(c);
	for (i = 0; i < an->findings.n; i++) {
		f = an->findings.v[i];
		if (f->kind != FINDING_SIGNAL || f->points == 0 ||
		    (s = signal_of(f->id)) == NULL)
			continue;
		pts = f->points;
		u = GPOINTER_TO_INT(g_hash_table_lookup(used, s->category));
		if (pts > 0 && data != NULL && g_hash_table_lookup_extended(
		    data->caps, s->category, NULL, &capv)) {
			cap = GPOINTER_TO_INT(capv);
			pts = MIN(pts, MAX(0, cap - u));
		}
		g_hash_table_insert(used, (gpointer)s->category,
		    GINT_TO_POINTER(u + MAX(pts, 0)));
		if (pts == 0 || (r = arena_alloc(c->a, sizeof(*r))) == NULL)
			continue;
		r->id = f->id;
		r->points = pts;
		r->reason = arena_printf(c->a, "%s: %s", f->title,
		    f->evidence ? f->evidence : "");
		if (r->reason == NULL || arena_vec_push(c->a, &an->reasons,
		    r) != MS_OK)
			break;
		total += pts;
	}
	g_hash_table_destroy(used);
	an->score = CLAMP(total, 0, 100);
	an->verdict = analyze_verdict(an->score);
}

/* The sender's address, host and registrable domain, lower case. */
static void
sender(struct detect_ctx *c)
{
	const struct mail_addr	*f = c->e->from;
	const char		*at;

	if (f == NULL || f->addr == NULL || (at = strrchr(f->addr, '@')) ==
	    NULL || at[1] == '\0')
		return;
	c->from_addr = detect__lower(c->a, f->addr);
	c->from_host = detect__lower(c->a, at + 1);
	if (c->from_host != NULL)
		c->from_domain = extract_registrable(c->from_host);
	if (c->from_domain == NULL)
		c->from_domain = c->from_host;
}

enum ms_err
detect_run(struct arena *a, struct analysis *an)
{
	struct detect_ctx	c;

	an->verdict = analyze_verdict(0);
	if (data == NULL || an->email == NULL)
		return MS_OK;
	memset(&c, 0, sizeof(c));
	c.a = a;
	c.an = an;
	c.d = data;
	c.e = an->email;
	sender(&c);
	detect__content(&c);	/* first: the others read its text */
	detect__auth(&c);
	detect__sender(&c);
	detect__lookalike(&c);
	detect__links(&c);
	detect__attach(&c);
	score(&c);
	return arena_exhausted(a) ? MS_ELIMIT : MS_OK;
}
