/* SPDX-License-Identifier: Apache-2.0 */
/*
 * rdap_boot.h -- the RFC 9224 bootstrap registry (rdap_boot.c): which
 * RDAP server answers for a TLD, an address range, an AS number.  Only
 * the whois app uses it.
 */
#ifndef MS_APPS_RDAP_BOOT_H
#define MS_APPS_RDAP_BOOT_H

#include <stddef.h>
#include <stdint.h>

#include "../common/ms.h"

#define RDAP_MAX_BOOTSTRAP	(4 * 1024 * 1024)	/* one bootstrap file */

struct rdap_boot;		/* a loaded bootstrap directory; opaque */

/*
 * Load dns.json, ipv4.json, ipv6.json and asn.json from 'dir' (files in
 * IANA's format, trusted to come from the administrator but still
 * checked: a file that is not RFC 9224 JSON is an error).  Returns MS_OK
 * with '*out' the caller's (rdap_boot_free), or MS_EINVAL with 'err'
 * naming the file and the problem.  The result is read-only: concurrent
 * lookups may share it.
 */
enum ms_err	 rdap_boot_load(const char *dir, struct rdap_boot **out,
		    char *err, size_t errlen);
void		 rdap_boot_free(struct rdap_boot *b);

/* The directory of the shipped files: the source tree's data/rdap when
 * the running program is in the build tree, else MS_DATADIR/rdap.
 * Newly allocated (g_free). */
char		*rdap_boot_default_dir(void);

/* The base URL (ending in '/') of the service for 'name' (the longest
 * matching suffix of whole labels, case-insensitive), for the address
 * 'ip' (the longest matching prefix) or for 'asn'; NULL when the
 * bootstrap has none.  An https URL is preferred over http.  Borrowed
 * from 'b'. */
const char	*rdap_boot_domain(const struct rdap_boot *b, const char *name);
const char	*rdap_boot_ip(const struct rdap_boot *b, const char *ip);
const char	*rdap_boot_asn(const struct rdap_boot *b, uint32_t asn);

#endif /* MS_APPS_RDAP_BOOT_H */
