/* SPDX-License-Identifier: Apache-2.0 */
/*
 * ooxml.h -- what a hostile Office Open XML file (docx, docm, xlsx,
 * pptx, dotx ...: a zip with [Content_Types].xml) holds that a mail
 * filter cares about: its external relationships (hyperlinks, and remote
 * templates, OLE objects, frames loaded when it opens), DDE fields and
 * links, macros, and its PNG and JPEG images (for the QR scanner).  Not
 * an Office reader: libarchive lists and inflates the parts under the
 * LIMIT_OOXML_* caps and a bounded scan reads the few XML elements that
 * matter (no DTD, no entity but the five predefined ones and character
 * references).  Legacy OLE files (.doc, .xls) are not read here.  Pure
 * and thread-safe: no globals.
 */
#ifndef MS_OOXML_H
#define MS_OOXML_H

#include <stddef.h>

#include "../common/arena.h"
#include "../common/ms.h"

#define OOXML_REMOTE		0x0001u	/* content loaded on open */
#define OOXML_DDE		0x0002u	/* a DDE or DDEAUTO field code */
#define OOXML_DDE_LINK		0x0004u	/* an xlsx ddeLink */
#define OOXML_MACROS		0x0008u	/* vbaProject.bin */
#define OOXML_EXTERNAL		0x0010u	/* an external relationship */

/* One relationship with TargetMode="External". */
struct ooxml_rel {
	const char	*type;		/* last segment: "hyperlink" */
	const char	*target;	/* entities decoded */
	const char	*part;		/* the .rels part it is in */
	int		 remote;	/* loaded when the file opens */
};

/* One image of the package (.png, .jpg, .jpeg under a media folder),
 * inflated into the arena. */
struct ooxml_image {
	const unsigned char	*data;
	size_t			 len;
	const char		*part;
};

struct ooxml_info {
	unsigned		 flags;		/* OOXML_* */
	/* struct ooxml_rel *: every external relationship, each target
	 * once per type, at most LIMIT_OOXML_URLS. */
	struct arena_vec	 rels;
	/* const char *: the http(s) and ftp targets of external
	 * hyperlinks, each once, in file order. */
	struct arena_vec	 urls;
	/* const char *: DDE evidence ("DDEAUTO c:\\...", "cmd|'/c'"). */
	struct arena_vec	 dde;
	/* struct ooxml_image *, at most LIMIT_OOXML_IMAGES. */
	struct arena_vec	 images;
	size_t			 parts;		/* zip entries read */
	size_t			 inflated;	/* bytes read out of the zip */
	const char		*limit;		/* static: a limit stopped us */
	const char		*broken;	/* static: why it is damaged */
};

/* Is 'p' a zip ("PK\3\4") that names a [Content_Types].xml part? */
int		 ooxml_is_ooxml(const void *p, size_t len);

/*
 * Read the UNTRUSTED zip 'p' ('len' bytes) into '*out' (zeroed first;
 * everything in 'a').  Inflates at most LIMIT_OOXML_PART_BYTES of an XML
 * part, LIMIT_IMAGE_BYTES of an image, LIMIT_OOXML_BYTES in all, and no
 * more than '*budget' (NULL: no budget), which is decreased by what was
 * inflated.  Keeps at most 'max_images' images (and LIMIT_OOXML_IMAGES).
 * Returns MS_OK, MS_ELIMIT (out->limit says which) or MS_EPARSE (not a
 * zip, no [Content_Types].xml, or damaged: out->broken says why); on
 * either error what was found before is in '*out'.
 */
enum ms_err	 ooxml_scan(struct arena *a, const void *p, size_t len,
		    size_t *budget, size_t max_images, struct ooxml_info *out);

/* The OOXML_* bit 'flag' as a short name ("remote_template"), or NULL. */
const char	*ooxml_flag_name(unsigned flag);

#endif /* MS_OOXML_H */
