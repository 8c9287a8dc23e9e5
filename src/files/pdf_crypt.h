/* SPDX-License-Identifier: Apache-2.0 */
/*
 * pdf_crypt.h -- whether a PDF encrypted with the standard security
 * handler opens with an empty user password (pdf_crypt.c).  pdf.c fills
 * the dictionary's values in.
 */
#ifndef MS_PDF_CRYPT_H
#define MS_PDF_CRYPT_H

#include <stddef.h>
#include <stdint.h>

/* /Filter /Standard's dictionary and the first string of the trailer's
 * /ID, as read (strings decoded, cut to the sizes here). */
struct pdf_crypt {
	int		 r, v;			/* /R, /V */
	int		 length_bits;		/* /Length, 40 by default */
	int		 encrypt_metadata;	/* /EncryptMetadata, 1 */
	int32_t		 p;			/* /P */
	unsigned char	 o[48], u[48];		/* /O, /U */
	size_t		 olen, ulen;
	unsigned char	 id[32];		/* the first /ID string */
	size_t		 idlen;
};

/* 1: it opens without a password; 0: a user password is needed; -1:
 * cannot tell (revision 6, or values missing or out of range). */
int	pdf_crypt_opens(const struct pdf_crypt *c);

#endif /* MS_PDF_CRYPT_H */
