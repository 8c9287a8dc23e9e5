/* SPDX-License-Identifier: Apache-2.0 */
/*
 * intel_int.h -- what the intel app's files share: the CIDR trie
 * (intel_trie.c) and the in-memory index of the store's indicators
 * (intel_index.c) that the app (intel.c) answers from.  Only src/apps
 * and tests/unit/test_intel.c include it.
 */
#ifndef MS_INTEL_INT_H
#define MS_INTEL_INT_H

#include <stddef.h>
#include <stdint.h>

#include "intel.h"

struct store;

/* ---- intel_trie.c: a path-compressed binary (Patricia) trie ---------- */

/*
 * Prefixes of 'bits' (32 for IPv4, 128 for IPv6) bits, each with one
 * value pointer.  Keys are network-order bytes; bits past a prefix's
 * length are ignored.  Not thread-safe to change; concurrent readers of
 * an unchanging trie are fine.
 */
struct intel_trie;

struct intel_trie *intel_trie_new(int bits);
/* Frees the nodes, not the values (NULL-safe). */
void		 intel_trie_free(struct intel_trie *t);
/* The value slot of 'key'/'plen' (0 <= plen <= bits), made (NULL) if
 * new.  The slot stays valid until the trie is freed. */
void		**intel_trie_slot(struct intel_trie *t, const uint8_t *key,
		    int plen);
/*
 * The prefixes holding a value that cover the address 'key' (all bits
 * significant), longest first: up to 'max' values into 'vals' and their
 * lengths into 'plens'.  Returns how many were written.
 */
size_t		 intel_trie_match(const struct intel_trie *t,
		    const uint8_t *key, void **vals, int *plens, size_t max);
/* Nodes, branches without a value included (memory). */
size_t		 intel_trie_count(const struct intel_trie *t);

/* ---- intel_index.c: the indicators in memory -------------------------- */

/* One indicator of one source.  Entries with the same value (several
 * sources) are chained through 'next'. */
struct intel_entry {
	const struct intel_entry *next;
	const char		*value;
	const char		*source;
	const char		*tlp;		/* or NULL */
	const char		*description;	/* or NULL */
	const char *const	*tags;		/* 'ntags' */
	const char *const	*attrib;	/* 'nattrib' type/name pairs */
	int64_t			 first_seen;	/* us, 0 unknown */
	int64_t			 last_seen;
	int64_t			 expires;	/* us, 0 never */
	uint32_t		 ntags;
	uint32_t		 nattrib;
	int16_t			 confidence;	/* -1 unknown */
	uint8_t			 kind;		/* enum intel_kind */
	uint8_t			 subdomains;
	uint8_t			 threat_level;
};

/* How an indicator matched the value looked up. */
enum intel_how {
	INTEL_HOW_EXACT,
	INTEL_HOW_CIDR,		/* a network covering the IP */
	INTEL_HOW_PARENT,	/* a parent domain that covers subdomains */
	INTEL_HOW_URL_NOQUERY,	/* the URL without its query */
	INTEL_HOW_URL_HOST,	/* the URL's host (name or IP) */
};

struct intel_match {
	const struct intel_entry *e;
	enum intel_how		 how;
};

struct intel_index;

/* "exact", "cidr", "parent domain", "url without query", "url host". */
const char	*intel_how_name(enum intel_how how);

/* An empty index. */
struct intel_index *intel_index_new(void);
void		 intel_index_free(struct intel_index *ix);	/* NULL-safe */
/* Add one indicator (copied; 'value' already normalised).  A repeat of
 * (kind, value, source) is ignored.  MS_EPARSE when an IP value does
 * not parse, MS_ELIMIT past LIMIT_INTEL_INDEX_BYTES. */
enum ms_err	 intel_index_add(struct intel_index *ix,
		    enum intel_kind kind, const char *value,
		    const struct intel_entry *in);
/* Everything in the store (store_intel_foreach), into a new index. */
enum ms_err	 intel_index_load(struct store *st, struct intel_index **out,
		    char *err, size_t errlen);
size_t		 intel_index_count(const struct intel_index *ix);

/*
 * The indicators matching 'value' (normalised, of 'kind') that have not
 * expired at 'now' (us): up to 'max' into 'out', exact matches first,
 * then covering networks longest first or parent domains nearest first;
 * a URL also by its query-less form and by its host.  Returns the count.
 * Thread-safe on an index nobody changes.
 */
size_t		 intel_index_lookup(const struct intel_index *ix,
		    enum intel_kind kind, const char *value, int64_t now,
		    struct intel_match *out, size_t max);

#endif /* MS_INTEL_INT_H */
