/* SPDX-License-Identifier: Apache-2.0 */
/*
 * tnef.h -- Transport Neutral Encapsulation Format (winmail.dat,
 * application/ms-tnef, [MS-OXTNEF]) reader.  Our own decoder: the only
 * free one (ytnef) is GPL.
 */
#ifndef MS_TNEF_H
#define MS_TNEF_H

#include "mail.h"

struct tnef_file {
	const char		*name;	/* long name if present, else 8.3 */
	const char		*mime_type; /* attAttachMimeTag, or NULL */
	const unsigned char	*data;
	size_t			 len;
	struct mail_msg		*embedded; /* attached message, if any */
};

/* True if 'raw' starts with the TNEF signature 0x223e9f78. */
int		 tnef_sniff(const unsigned char *raw, size_t len);

/*
 * Unpack the attachments of one TNEF stream (UNTRUSTED).  Appends
 * struct tnef_file * to 'files'; also returns the message body
 * (PR_BODY / PR_RTF_COMPRESSED is not decompressed) in '*body'
 * if present (else NULL).  'part' names the MIME part in findings.
 * Returns MS_OK, MS_ELIMIT (LIMIT_TNEF_ATTRS) or MS_EPARSE; on
 * MS_EPARSE the files read so far are still in 'files'.
 */
enum ms_err	 tnef_parse(struct arena *a, const unsigned char *raw,
		    size_t len, const char *part, struct arena_vec *findings,
		    struct arena_vec *files, const char **body);

#endif /* MS_TNEF_H */
