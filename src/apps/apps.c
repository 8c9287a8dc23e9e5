/* SPDX-License-Identifier: Apache-2.0 */
/*
 * apps.c -- the list of built-in apps (app_builtin[], app.h).  Adding an
 * app is one file in src/apps/ and one line here.
 */
#include "apps.h"

const struct app *const app_builtin[] = {
	&geoip_app,
	&dns_app,
	&util_app,
	&imap_app,
	&directory_app,
	&virustotal_app,
	&misp_app,
	&whois_app,
	&urlscan_app,
	&intel_app,
	NULL
};
