/* SPDX-License-Identifier: Apache-2.0 */
/*
 * unpack.h -- what an archive holds, without extracting it (libarchive:
 * with ooxml.c, which reads Office zips, the only code that includes
 * archive.h).  Zip, 7-Zip, RAR, tar, cab, ISO 9660 and the compressed
 * forms libarchive knows.
 */
#ifndef MS_UNPACK_H
#define MS_UNPACK_H

#include <stddef.h>

#include "../common/arena.h"

struct unpack_info {
	size_t		 entries;	/* entries read */
	int		 encrypted;	/* an entry or the index is encrypted */
	const char	*first_risky;	/* first name with a risky extension,
					   arena, or NULL */
	int		 vba;		/* holds vbaProject.bin: macros */
	int		 truncated;	/* stopped at LIMIT_ARCHIVE_ENTRIES */
};

/*
 * List the entries of UNTRUSTED 'p' ('len' bytes) if it is an archive.
 * 'risky' is a NULL-terminated list of lower-case extensions without the
 * dot ("exe"); an entry whose name ends in one of them is noted.  Reads
 * at most LIMIT_ARCHIVE_ENTRIES headers and decompresses nothing.
 * Returns 1 when 'p' was read as an archive (even partly), else 0.
 */
int	unpack_list(struct arena *a, const void *p, size_t len,
	    const char *const *risky, struct unpack_info *out);

#endif /* MS_UNPACK_H */
