/* SPDX-License-Identifier: Apache-2.0 */
/*
 * uu.h -- find and decode uuencoded blocks ("begin 644 name" ... "end")
 * inside text parts, as old mailers and some malspam still send them.
 */
#ifndef MS_UU_H
#define MS_UU_H

#include "mail.h"

struct uu_file {
	const char		*name;
	unsigned		 mode;
	const unsigned char	*data;
	size_t			 len;
	size_t			 start;	/* offset of the "begin" line */
	size_t			 end;	/* offset after the "end" line */
};

/*
 * Scan UNTRUSTED 'text' for uuencoded blocks and append struct uu_file *
 * to 'files'.  A block without "end" is decoded up to the last good line
 * and reported in 'findings' (id "uu_truncated", part 'part').
 * Returns MS_OK or MS_ELIMIT (arena).
 */
enum ms_err	 uu_scan(struct arena *a, const char *text, size_t len,
		    const char *part, struct arena_vec *findings,
		    struct arena_vec *files);

#endif /* MS_UU_H */
