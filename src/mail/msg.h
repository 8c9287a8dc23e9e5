/* SPDX-License-Identifier: Apache-2.0 */
/*
 * msg.h -- Outlook .msg files (OLE2 compound file with MAPI properties,
 * [MS-OXMSG]) read through libgsf into a struct mail_msg.  The only code
 * that includes gsf headers.
 */
#ifndef MS_MSG_H
#define MS_MSG_H

#include "mail.h"

/* True if 'raw' starts with the OLE2 compound file signature. */
int		 msg_sniff(const char *raw, size_t len);

/*
 * Read an Outlook .msg (UNTRUSTED).  Fills email (headers from
 * PR_TRANSPORT_MESSAGE_HEADERS when present, else from the MAPI
 * properties: subject, sender, recipients, body, HTML body), and one part
 * per attachment (path = "<path>.N"); embedded messages
 * (PR_ATTACH_METHOD = ATTACH_EMBEDDED_MSG) are parsed recursively into
 * part->embedded.  'depth' counts nesting for LIMIT_MIME_DEPTH; 'path' is
 * the MIME path prefix ("" at top).  Problems go to 'findings'.
 * Returns MS_OK, MS_ELIMIT or MS_EPARSE (not a compound file / no message).
 */
enum ms_err	 msg_parse(struct arena *a, const unsigned char *raw,
		    size_t len, const char *path, int depth,
		    struct arena_vec *findings, struct mail_msg **out);

#endif /* MS_MSG_H */
