/* SPDX-License-Identifier: Apache-2.0 */
/*
 * unpack.c -- list an archive's entries (UNTRUSTED bytes) through
 * libarchive without decompressing them: names, encryption, and whether
 * an Office Open XML file carries macros.  Runs in the analysing worker;
 * bounded by LIMIT_ARCHIVE_ENTRIES.
 */
#include <string.h>

#include <archive.h>
#include <archive_entry.h>
#include <glib.h>

#include "unpack.h"
#include "../common/limits.h"

static int
risky_name(const char *name, const char *const *risky)
{
	const char	*dot = strrchr(name, '.');
	size_t		 i;

	if (dot == NULL || risky == NULL)
		return 0;
	for (i = 0; risky[i] != NULL; i++)
		if (g_ascii_strcasecmp(dot + 1, risky[i]) == 0)
			return 1;
	return 0;
}

int
unpack_list(struct arena *a, const void *p, size_t len,
    const char *const *risky, struct unpack_info *out)
{
	struct archive		*ar;
	struct archive_entry	*en;
	const char		*name;
	int			 r, ok = 0;

	memset(out, 0, sizeof(*out));
	if (p == NULL || len == 0 || (ar = archive_read_new()) == NULL)
		return 0;
	archive_read_support_filter_all(ar);
	archive_read_support_format_zip(ar);
	archive_read_support_format_7zip(ar);
	archive_read_support_format_rar(ar);
	archive_read_support_format_rar5(ar);
	archive_read_support_format_tar(ar);
	archive_read_support_format_cab(ar);
	archive_read_support_format_iso9660(ar);
	if (archive_read_open_memory(ar, p, len) != ARCHIVE_OK)
		goto out;
	while ((r = archive_read_next_header(ar, &en)) == ARCHIVE_OK ||
	    r == ARCHIVE_WARN) {
		ok = 1;
		if (out->entries >= LIMIT_ARCHIVE_ENTRIES) {
			out->truncated = 1;
			break;
		}
		out->entries++;
		if (archive_entry_is_encrypted(en))
			out->encrypted = 1;
		name = archive_entry_pathname(en);
		if (name != NULL) {
			if (out->first_risky == NULL && risky_name(name, risky))
				out->first_risky = arena_strdup(a, name);
			if (g_str_has_suffix(name, "vbaProject.bin"))
				out->vba = 1;
		}
		archive_read_data_skip(ar);
	}
	if (archive_read_has_encrypted_entries(ar) > 0)
		out->encrypted = 1;
	/* An encrypted 7-Zip or RAR index stops the reader at once. */
	if (!ok && archive_format(ar) != 0 && r == ARCHIVE_FATAL &&
	    strstr(archive_error_string(ar) ? archive_error_string(ar) : "",
	    "ncrypt") != NULL) {
		out->encrypted = 1;
		ok = 1;
	}
out:
	archive_read_free(ar);
	return ok;
}
