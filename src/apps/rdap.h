/* SPDX-License-Identifier: Apache-2.0 */
/*
 * rdap.h -- the whois app's RDAP lookups (rdap.c): one RFC 9082 query
 * at the server that rdap_boot.h names, its RFC 9083 answer turned into
 * the same data fields as the port-43 path of whois.c.  Only whois.c
 * uses it.
 */
#ifndef MS_APPS_RDAP_H
#define MS_APPS_RDAP_H

#include <stddef.h>
#include <stdint.h>

#include "../engine/app.h"

#define RDAP_MAX_RAW		(256 * 1024)	/* the raw field */
#define RDAP_MAX_DEPTH		4	/* nested entities walked */

/* Take a rate-limit token for 'host':'port' (whois.c's buckets):
 * 1 taken, 0 refused within the time left. */
typedef int	(*rdap_take_fn)(struct action_ctx *ctx, void *arg,
		    const char *host, int port);

/*
 * Look 'query' up (a domain, or an address when 'is_ip') at the service
 * 'base' and fill the result of 'ctx': one data item (the port-43 fields
 * plus raw, servers and protocol "rdap"), or the message "not found" on
 * a 404, or a failure (transient for timeouts, refused connections, 5xx
 * and 429).  A registry's "related" link to another server is followed
 * once (the registrar); that hop's failure only shows in the message.
 * Calls 'take' before each request.  Returns the data item (borrowed
 * from the result) or NULL when there is none; summary fields and
 * domain_age_days are left to the caller (whois.c), which derives them
 * from the item the same way for both protocols.
 */
struct rdict	*rdap_lookup(struct action_ctx *ctx, const char *base,
		    const char *query, int is_ip, rdap_take_fn take,
		    void *arg);

#endif /* MS_APPS_RDAP_H */
