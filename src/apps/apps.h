/* SPDX-License-Identifier: Apache-2.0 */
/*
 * apps.h -- the built-in apps' tables, one per file of src/apps/, for
 * apps.c's app_builtin[] (app.h).  Nothing else of an app is public: the
 * engine reaches it through its table.
 */
#ifndef MS_APPS_H
#define MS_APPS_H

#include "../engine/app.h"

extern const struct app	geoip_app;	/* geoip.c */
extern const struct app	dns_app;	/* dns.c */
extern const struct app	util_app;	/* util.c */

#endif /* MS_APPS_H */
