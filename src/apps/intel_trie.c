/* SPDX-License-Identifier: Apache-2.0 */
/*
 * intel_trie.c -- a path-compressed binary trie (Patricia) of IPv4 or
 * IPv6 prefixes, for the intel app's CIDR matches: every prefix covering
 * an address in one walk from the root, at most 'bits' + 1 nodes deep.
 * Built once by the index loader, then read by many worker threads.
 * Keys come from intel_normalise (already parsed); nothing here trusts
 * a length it did not check.
 */
#include <string.h>

#include <glib.h>

#include "intel_int.h"

struct trie_node {
	uint8_t			 key[16];	/* bits past plen are zero */
	int			 plen;
	struct trie_node	*child[2];
	void			*val;
};

struct intel_trie {
	struct trie_node	*root;
	int			 bits;
	size_t			 count;		/* nodes */
};

struct intel_trie *
intel_trie_new(int bits)
{
	struct intel_trie	*t = g_new0(struct intel_trie, 1);

	t->bits = bits == 32 ? 32 : 128;
	return t;
}

/* Iterative, so that a deep trie cannot exhaust the stack. */
void
intel_trie_free(struct intel_trie *t)
{
	GPtrArray		*todo;
	struct trie_node	*n;

	if (t == NULL)
		return;
	todo = g_ptr_array_new();
	if (t->root != NULL)
		g_ptr_array_add(todo, t->root);
	while (todo->len > 0) {
		n = g_ptr_array_remove_index_fast(todo, todo->len - 1);
		if (n->child[0] != NULL)
			g_ptr_array_add(todo, n->child[0]);
		if (n->child[1] != NULL)
			g_ptr_array_add(todo, n->child[1]);
		g_free(n);
	}
	g_ptr_array_free(todo, TRUE);
	g_free(t);
}

static int
bit(const uint8_t *k, int i)
{
	return (k[i / 8] >> (7 - i % 8)) & 1;
}

/* Leading bits 'a' and 'b' share, at most 'max'. */
static int
common_bits(const uint8_t *a, const uint8_t *b, int max)
{
	int	i, n = 0;
	uint8_t	x;

	for (i = 0; n < max; i++) {
		x = a[i] ^ b[i];
		if (x == 0) {
			n += 8;
			continue;
		}
		while (!(x & 0x80)) {
			x <<= 1;
			n++;
		}
		break;
	}
	return n < max ? n : max;
}

static struct trie_node *
node_new(const uint8_t *key, int plen, int bits)
{
	struct trie_node	*n = g_new0(struct trie_node, 1);
	int			 i;

	memcpy(n->key, key, (size_t)bits / 8);
	for (i = plen; i < bits; i++)
		n->key[i / 8] &= (uint8_t)~(0x80u >> (i % 8));
	n->plen = plen;
	return n;
}

void **
intel_trie_slot(struct intel_trie *t, const uint8_t *key, int plen)
{
	struct trie_node	**p = &t->root, *n, *b, *nw;
	int			 c;

	if (plen < 0 || plen > t->bits)
		return NULL;
	while ((n = *p) != NULL) {
		c = common_bits(n->key, key, n->plen < plen ? n->plen : plen);
		if (c < n->plen) {
			nw = node_new(key, plen, t->bits);
			t->count++;
			if (c == plen) {
				/* The new prefix sits above 'n'. */
				nw->child[bit(n->key, plen)] = n;
				*p = nw;
				return &nw->val;
			}
			/* They part at bit 'c': a branch without value. */
			b = node_new(key, c, t->bits);
			t->count++;
			b->child[bit(key, c)] = nw;
			b->child[bit(n->key, c)] = n;
			*p = b;
			return &nw->val;
		}
		if (n->plen == plen)
			return &n->val;
		p = &n->child[bit(key, n->plen)];
	}
	*p = node_new(key, plen, t->bits);
	t->count++;
	return &(*p)->val;
}

size_t
intel_trie_match(const struct intel_trie *t, const uint8_t *key,
    void **vals, int *plens, size_t max)
{
	const struct trie_node	*n = t->root;
	size_t			 k = 0, i;
	void			*tv;
	int			 tp;

	while (n != NULL && k < max) {
		if (common_bits(n->key, key, n->plen) < n->plen)
			break;
		if (n->val != NULL) {
			vals[k] = n->val;
			plens[k] = n->plen;
			k++;
		}
		if (n->plen >= t->bits)
			break;
		n = n->child[bit(key, n->plen)];
	}
	/* Found shortest first; callers want the longest first. */
	for (i = 0; i < k / 2; i++) {
		tv = vals[i];
		vals[i] = vals[k - 1 - i];
		vals[k - 1 - i] = tv;
		tp = plens[i];
		plens[i] = plens[k - 1 - i];
		plens[k - 1 - i] = tp;
	}
	return k;
}

size_t
intel_trie_count(const struct intel_trie *t)
{
	return t->count;
}
