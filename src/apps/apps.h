/* SPDX-License-Identifier: Apache-2.0 */
/*
 * apps.h -- the built-in apps' tables, one per file of src/apps/, for
 * apps.c's app_builtin[] (app.h).  Nothing else of an app is public: the
 * engine reaches it through its table.
 */
#ifndef MS_APPS_H
#define MS_APPS_H

#include "../engine/app.h"
#include "../ingest/imap.h"

extern const struct app	geoip_app;	/* geoip.c */
extern const struct app	dns_app;	/* dns.c */
extern const struct app	util_app;	/* util.c */
extern const struct app	imap_app;	/* imap.c */
extern const struct app	directory_app;	/* directory.c */
extern const struct app	virustotal_app;	/* virustotal.c */
extern const struct app	misp_app;	/* misp.c */
extern const struct app	whois_app;	/* whois.c */
extern const struct app	urlscan_app;	/* urlscan.c */
extern const struct app	intel_app;	/* intel.c */

/* An imap asset's connection settings (imap.c); '*secret' newly
 * allocated (wipe and xfree it after imap_open), '*folder' borrowed.
 * MS_EINVAL with 'err' naming the setting. */
enum ms_err	imap_app_config(const struct asset *as,
		    struct imap_config *cf, char **secret,
		    const char **folder, char *err, size_t errlen);

#endif /* MS_APPS_H */
