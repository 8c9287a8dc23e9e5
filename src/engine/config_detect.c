/* SPDX-License-Identifier: Apache-2.0 */
/*
 * config_detect.c -- the [detect] group of mailsoar.conf: what the
 * deployment tells detection about itself (the organisation's domains,
 * its VIPs, the trusted Authentication-Results hops).  config.c reads the
 * group; this file checks each value, so that a typo in a domain is an
 * error at load rather than a detection that silently never fires.  The
 * file is trusted (the administrator's); the checks are about mistakes.
 */
#include <stdio.h>
#include <string.h>

#include <glib.h>

#include "config_int.h"

#define DOMAIN_MAX	253	/* RFC 1035, without the trailing dot */
#define LABEL_MAX	63

const char *const config__detect_keys[] = { "org_domains", "vips",
	"authserv_id", NULL };

/* A host name of two labels or more: letters, digits and '-', no label
 * empty, longer than 63 or starting or ending with '-'. */
static int
valid_domain(const char *s)
{
	size_t	n = strlen(s), label = 0, i;
	int	dots = 0;

	if (n == 0 || n > DOMAIN_MAX)
		return 0;
	for (i = 0; i < n; i++) {
		if (s[i] == '.') {
			if (label == 0 || s[i - 1] == '-')
				return 0;
			label = 0;
			dots++;
			continue;
		}
		if (!g_ascii_isalnum(s[i]) && s[i] != '-')
			return 0;
		if (label == 0 && s[i] == '-')
			return 0;
		if (++label > LABEL_MAX)
			return 0;
	}
	return label > 0 && s[n - 1] != '-' && dots > 0;
}

/* local@domain, the local part without blanks, '<', '>' or '@'. */
static int
valid_address(const char *s)
{
	const char	*at = strrchr(s, '@'), *p;

	if (at == NULL || at == s)
		return 0;
	for (p = s; p < at; p++)
		if (g_ascii_isspace(*p) || *p == '<' || *p == '>' ||
		    *p == '@' || g_ascii_iscntrl(*p))
			return 0;
	return valid_domain(at + 1);
}

static enum ms_err
check_domains(const char *val, char *why, size_t whylen)
{
	char		**l = g_strsplit_set(val, ",; \t", -1);
	enum ms_err	  rc = MS_OK;
	size_t		  i, n = 0;

	for (i = 0; rc == MS_OK && l[i] != NULL; i++) {
		if (*l[i] == '\0')
			continue;
		n++;
		if (!valid_domain(l[i])) {
			snprintf(why, whylen, "'%s' is not a domain name "
			    "(like example.org)", l[i]);
			rc = MS_EINVAL;
		}
	}
	if (rc == MS_OK && n == 0) {
		snprintf(why, whylen, "expected one domain or more, "
		    "separated by ',' or ';'");
		rc = MS_EINVAL;
	}
	g_strfreev(l);
	return rc;
}

/* One VIP: "Name <addr>", "Name" or "addr". */
static enum ms_err
check_vip(char *e, char *why, size_t whylen)
{
	char	*lt = strchr(e, '<'), *gt;

	if (lt != NULL) {
		gt = strchr(lt, '>');
		if (gt == NULL || gt[1] != '\0') {
			snprintf(why, whylen, "'%s': expected Name <address>",
			    e);
			return MS_EINVAL;
		}
		*gt = '\0';
		if (!valid_address(g_strstrip(lt + 1))) {
			snprintf(why, whylen, "'%s' is not an email address",
			    lt + 1);
			return MS_EINVAL;
		}
		return MS_OK;
	}
	if (strchr(e, '@') != NULL && !valid_address(e)) {
		snprintf(why, whylen, "'%s' is not an email address", e);
		return MS_EINVAL;
	}
	return MS_OK;
}

static enum ms_err
check_vips(const char *val, char *why, size_t whylen)
{
	char		**l = g_strsplit(val, ";", -1);
	enum ms_err	  rc = MS_OK;
	size_t		  i, n = 0;

	for (i = 0; rc == MS_OK && l[i] != NULL; i++) {
		if (*g_strstrip(l[i]) == '\0')
			continue;
		n++;
		rc = check_vip(l[i], why, whylen);
	}
	if (rc == MS_OK && n == 0) {
		snprintf(why, whylen, "expected Name <address>, Name or "
		    "address, separated by ';'");
		rc = MS_EINVAL;
	}
	g_strfreev(l);
	return rc;
}

/* authserv-ids are host names in practice; RFC 8601 allows any token,
 * so only what could not be one is refused. */
static enum ms_err
check_authserv(const char *val, char *why, size_t whylen)
{
	char		**l = g_strsplit_set(val, ",; \t", -1);
	enum ms_err	  rc = MS_OK;
	const char	 *p;
	size_t		  i, n = 0;

	for (i = 0; rc == MS_OK && l[i] != NULL; i++) {
		if (*l[i] == '\0')
			continue;
		n++;
		for (p = l[i]; *p != '\0'; p++)
			if (!g_ascii_isalnum(*p) && strchr(".-_", *p) == NULL)
				break;
		if (*p != '\0') {
			snprintf(why, whylen, "'%s' is not an authserv-id "
			    "(a host name like mx.example.org)", l[i]);
			rc = MS_EINVAL;
		}
	}
	if (rc == MS_OK && n == 0) {
		snprintf(why, whylen, "expected one authserv-id or more, "
		    "separated by ',' or ';'");
		rc = MS_EINVAL;
	}
	g_strfreev(l);
	return rc;
}

enum ms_err
config__detect_check(const char *key, const char *val, char *why,
    size_t whylen)
{
	if (strcmp(key, "org_domains") == 0)
		return check_domains(val, why, whylen);
	if (strcmp(key, "vips") == 0)
		return check_vips(val, why, whylen);
	if (strcmp(key, "authserv_id") == 0)
		return check_authserv(val, why, whylen);
	snprintf(why, whylen, "unknown key");
	return MS_EINVAL;
}
