/* SPDX-License-Identifier: Apache-2.0 */
/*
 * pdf_crypt.c -- does an encrypted PDF open without a password?  Many
 * legitimate PDFs are encrypted only to restrict printing or copying:
 * their user password is empty and every reader opens them.  One whose
 * user password is not empty cannot be read by any scanner, which is why
 * lures send them with the password in the email's text.
 *
 * The standard security handler's own check (ISO 32000-1 7.6.3.3-4,
 * ISO 32000-2 7.6.4.4): for revisions 2 to 4 (RC4 and AES-128), the key
 * from the empty password (algorithm 2: MD5 of the padding, /O, /P and
 * the first /ID, 50 more rounds from revision 3), then /U recomputed
 * (algorithm 4 or 5: RC4) and compared; for revision 5, SHA-256 of the
 * validation salt against /U.  Revision 6 (PDF 2.0's AES-256) needs AES
 * for its hash and is not told.  Only MD5, SHA-256 (GLib) and RC4 (a few
 * lines here); nothing is decrypted.
 */
#include <string.h>

#include <glib.h>

#include "pdf_crypt.h"

/* The password padding string of the standard handler. */
static const unsigned char pad[32] = {
	0x28, 0xbf, 0x4e, 0x5e, 0x4e, 0x75, 0x8a, 0x41, 0x64, 0x00, 0x4e,
	0x56, 0xff, 0xfa, 0x01, 0x08, 0x2e, 0x2e, 0x00, 0xb6, 0xd0, 0x68,
	0x3e, 0x80, 0x2f, 0x0c, 0xa9, 0xfe, 0x64, 0x53, 0x69, 0x7a,
};

/* RC4 of 'n' bytes of 'buf' in place with 'key' ('klen' bytes). */
static void
rc4(const unsigned char *key, size_t klen, unsigned char *buf, size_t n)
{
	unsigned char	s[256], t;
	unsigned	i, j = 0, k;

	for (i = 0; i < 256; i++)
		s[i] = (unsigned char)i;
	for (i = 0; i < 256; i++) {
		j = (j + s[i] + key[i % klen]) & 0xff;
		t = s[i];
		s[i] = s[j];
		s[j] = t;
	}
	for (i = j = 0, k = 0; k < n; k++) {
		i = (i + 1) & 0xff;
		j = (j + s[i]) & 0xff;
		t = s[i];
		s[i] = s[j];
		s[j] = t;
		buf[k] ^= s[(s[i] + s[j]) & 0xff];
	}
}

static void
md5(GChecksum *c, unsigned char out[16])
{
	gsize	n = 16;

	g_checksum_get_digest(c, out, &n);
}

/* Algorithm 2 with the empty password: the file key, 'n' bytes. */
static void
file_key(const struct pdf_crypt *c, unsigned char *key, size_t n)
{
	GChecksum	*h = g_checksum_new(G_CHECKSUM_MD5);
	unsigned char	 d[16], p[4];
	unsigned	 up = (unsigned)c->p;
	int		 i;

	p[0] = (unsigned char)(up & 0xff);
	p[1] = (unsigned char)(up >> 8 & 0xff);
	p[2] = (unsigned char)(up >> 16 & 0xff);
	p[3] = (unsigned char)(up >> 24 & 0xff);
	g_checksum_update(h, pad, sizeof(pad));
	g_checksum_update(h, c->o, 32);
	g_checksum_update(h, p, 4);
	g_checksum_update(h, c->id, (gssize)c->idlen);
	if (c->r >= 4 && !c->encrypt_metadata)
		g_checksum_update(h, (const unsigned char *)"\xff\xff\xff\xff",
		    4);
	md5(h, d);
	for (i = 0; c->r >= 3 && i < 50; i++) {
		g_checksum_reset(h);
		g_checksum_update(h, d, (gssize)n);
		md5(h, d);
	}
	g_checksum_free(h);
	memcpy(key, d, n);
}

int
pdf_crypt_opens(const struct pdf_crypt *c)
{
	GChecksum	*h;
	unsigned char	 key[16], k2[16], buf[32], d[32];
	size_t		 n, j;
	gsize		 dn = sizeof(d);
	int		 i;

	if (c->r == 5) {
		if (c->ulen < 48)
			return -1;
		/* SHA-256(password, validation salt) is /U's start. */
		h = g_checksum_new(G_CHECKSUM_SHA256);
		g_checksum_update(h, c->u + 32, 8);
		g_checksum_get_digest(h, d, &dn);
		g_checksum_free(h);
		return memcmp(d, c->u, 32) == 0;
	}
	if (c->r < 2 || c->r > 4 || c->olen < 32 || c->ulen < 32 ||
	    c->idlen == 0)
		return -1;
	n = c->r == 2 ? 5 : (size_t)c->length_bits / 8;
	if (n < 5 || n > 16)
		return -1;
	file_key(c, key, n);
	if (c->r == 2) {		/* algorithm 4 */
		memcpy(buf, pad, 32);
		rc4(key, n, buf, 32);
		return memcmp(buf, c->u, 32) == 0;
	}
	/* Algorithm 5: MD5(pad, ID), RC4 with the key, then with the key
	 * XOR 1 ... 19; the first 16 bytes are /U's. */
	h = g_checksum_new(G_CHECKSUM_MD5);
	g_checksum_update(h, pad, sizeof(pad));
	g_checksum_update(h, c->id, (gssize)c->idlen);
	md5(h, buf);
	g_checksum_free(h);
	for (i = 0; i < 20; i++) {
		for (j = 0; j < n; j++)
			k2[j] = (unsigned char)(key[j] ^ i);
		rc4(k2, n, buf, 16);
	}
	return memcmp(buf, c->u, 16) == 0;
}
