/* SPDX-License-Identifier: Apache-2.0 */
/*
 * sender.c -- the senders the store has seen (schema version 5): one row
 * per From address of a suspicious email, so that a first-time sender can
 * be told from a known one (docs/internals/detect.md, sender_first_time).
 * Runs wherever the store runs; the address and domain come from an
 * email (UNTRUSTED text, bound as parameters, never interpreted).
 */
#include <string.h>

#include "store_int.h"
#include "../common/log.h"

static const char SQL_SENDER_DOMAIN[] =
	"SELECT 1 FROM senders WHERE domain = ? LIMIT 1";
static const char SQL_SENDER_SEEN[] =
	"INSERT INTO senders (address, domain, first_seen, last_seen, count,"
	" last_container) VALUES (?1, ?2, ?3, ?3, 1, ?4)"
	" ON CONFLICT (address) DO UPDATE SET count = count + 1,"
	" last_seen = excluded.last_seen,"
	" last_container = excluded.last_container RETURNING count";

/* Whether any address at 'domain' was seen: 1, 0, or -1 on an error. */
static int
domain_known(struct store *st, const char *domain)
{
	sqlite3_stmt	*s;
	int		 src;

	if ((s = store__stmt(st, STMT_SENDER_DOMAIN, SQL_SENDER_DOMAIN)) ==
	    NULL || store__bind(st, s, "t", domain) != MS_OK)
		return -1;
	src = sqlite3_step(s);
	if (src != SQLITE_ROW && src != SQLITE_DONE) {
		store__fail(st, s, "sender domain");
		return -1;
	}
	sqlite3_reset(s);
	return src == SQLITE_ROW;
}

/* The upsert; '*count' is the address's count after it. */
static enum ms_err
sender_write(struct store *st, const char *address, const char *domain,
    int64_t cid, int64_t *count)
{
	sqlite3_stmt	*s;

	if ((s = store__stmt(st, STMT_SENDER_SEEN, SQL_SENDER_SEEN)) == NULL ||
	    store__bind(st, s, "ttii", address, domain, store__now(),
	    cid) != MS_OK)
		return MS_EDB;
	if (sqlite3_step(s) != SQLITE_ROW)
		return store__fail(st, s, "sender seen");
	*count = sqlite3_column_int64(s, 0);
	if (sqlite3_step(s) != SQLITE_DONE)
		return store__fail(st, s, "sender seen");
	sqlite3_reset(s);
	return MS_OK;
}

enum ms_err
store_sender_seen(struct store *st, const char *address, const char *domain,
    int64_t cid, int *address_new, int *domain_new)
{
	enum ms_err	rc;
	int64_t		count = 0;
	int		outer, known = 0;

	if (address_new != NULL)
		*address_new = 0;
	if (domain_new != NULL)
		*domain_new = 0;
	if (address == NULL || *address == '\0' || domain == NULL ||
	    *domain == '\0' || cid <= 0) {
		log_warnx("store: sender seen: no address, domain or "
		    "container");
		return MS_EINVAL;
	}
	if ((rc = store__wbegin(st, &outer)) != MS_OK)
		return rc;
	if ((known = domain_known(st, domain)) < 0)
		rc = MS_EDB;
	else
		rc = sender_write(st, address, domain, cid, &count);
	if (rc == MS_OK && address_new != NULL)
		*address_new = count == 1;
	if (rc == MS_OK && domain_new != NULL)
		*domain_new = !known;
	return store__wend(st, outer, rc);
}
