/* SPDX-License-Identifier: Apache-2.0 */
/*
 * analyze.h -- bytes in, analysis out: one email becomes a container's
 * worth of data (the suspicious email, the reporter if a user forwarded
 * it, attachments with digests and types, Phantom-style artifacts and
 * findings).  A pure function: no network, no store, no vault, no
 * globals; everything lives in the caller's arena, so it can run in the
 * CLI, in a sandboxed worker and under a fuzzer.  Thread-safe after
 * analyze_init().
 */
#ifndef MS_ANALYZE_H
#define MS_ANALYZE_H

#include "../common/arena.h"
#include "../extract/extract.h"
#include "../files/hash.h"
#include "../files/ooxml.h"
#include "../files/pdf.h"
#include "../mail/mail.h"

/* One file found in the email, at any depth. */
struct attachment {
	const char		*file_name;	/* decoded, or NULL */
	const char		*content_type;	/* as declared */
	const char		*detected_type;	/* libmagic MIME type */
	const char		*detected_desc;	/* libmagic description */
	size_t			 size;
	struct hash_set		 hash;		/* md5, sha1, sha256 */
	const char		*vault_id;	/* = sha256 */
	const char		*path;		/* MIME path, "2.1" */
	const char		*origin;	/* mime, tnef, uuencode, ... */
	int			 is_email;	/* an attached email */
	const unsigned char	*data;		/* the bytes (arena) */
	/* Images: the URLs read from QR codes in it (const char *,
	 * normalised), in the order zbar found them. */
	struct arena_vec	 qr_urls;
	/* PDFs: what files/pdf.c found (NULL: not a PDF, or the same
	 * bytes as an earlier attachment), its flags (PDF_* bits) and the
	 * URLs of its links (const char *, normalised).  The URLs of QR
	 * codes in its JPEG images go to qr_urls. */
	const struct pdf_info	*pdf;
	unsigned		 pdf_flags;
	struct arena_vec	 pdf_urls;
	/* Office Open XML files: what files/ooxml.c found (NULL: not
	 * one, or the same bytes as an earlier attachment), its flags
	 * (OOXML_* bits), the URLs of its external hyperlinks (const
	 * char *, normalised) and the remote content it loads (const
	 * struct ooxml_rel *; their http(s) URLs are indicators).  The
	 * URLs of QR codes in its images go to qr_urls. */
	const struct ooxml_info	*office;
	unsigned		 office_flags;
	struct arena_vec	 office_urls;
	struct arena_vec	 office_remote;
};

enum cef_kind { CEF_STRING, CEF_HEADERS };

/* One CEF field of an artifact, with its Phantom "contains" types. */
struct cef_field {
	const char		*key;		/* "requestURL" */
	enum cef_kind		 kind;
	const char		*value;		/* CEF_STRING */
	const struct arena_vec	*headers;	/* CEF_HEADERS: mail_header */
	const char		*types[4];	/* "url", NULL-terminated */
};

struct artifact {
	const char		*name;		/* "URL Artifact" */
	const char		*label;		/* url, domain, ip, ... */
	struct arena_vec	 cef;		/* struct cef_field * */
	const char		*where;		/* header, body text, ... */
};

/* One line of the threat score: a signal's points after its category's
 * cap (detect.c). */
struct score_reason {
	const char		*id;		/* the finding id */
	int			 points;
	const char		*reason;	/* "title: evidence" */
};

struct analysis {
	const char		*source;	/* file name, "-", or NULL */
	size_t			 size;		/* input bytes */
	struct hash_set		 hash;		/* of the input bytes */
	struct mail_msg		*top;		/* what was received */
	/* The suspicious email: 'top' itself, or the email a user
	 * forwarded (attached or inline). */
	const struct mail_email	*email;
	const char		*email_path;	/* "" or the part path */
	/* When 'top' is a user's report: the reporter's own email. */
	const struct mail_email	*reporter;
	const char		*report_method;	/* "attachment", "inline" */
	const char		*forward_style;	/* "gmail", "outlook" ... */
	const char		*body_sha256;	/* text + html of 'email' */
	struct arena_vec	 attachments;	/* struct attachment * */
	struct arena_vec	 artifacts;	/* struct artifact * */
	struct arena_vec	 findings;	/* struct finding * */
	struct ioc_set		*iocs;		/* everything extracted */
	struct mail_msg		*suspicious;	/* the msg behind 'email' */
	/* Inline forwards: the reporter's HTML from the marker on. */
	const char		*forward_html;
	size_t			 forward_html_len;
	/* Visible text of the top-level HTML body (for forwards). */
	const char		*html_text;
	size_t			 html_text_len;
	/* The offline threat score (detect.c): 0..100, its verdict and
	 * the reasons, each signal's points after the caps. */
	int			 score;
	const char		*verdict;	/* benign, suspicious, ... */
	struct arena_vec	 reasons;	/* struct score_reason * */
	int			 simulation;	/* a phishing-simulation test */
	int			 limit_hit;	/* some LIMIT_* was reached */
	int			 parse_failed;	/* nothing could be read */
};

/*
 * Call once per process before analyze_bytes (GMime, libxml2...).  Also
 * loads the detection data (lists, phrases, weights: detect.h) from the
 * default place; a missing or broken data file is logged and leaves its
 * findings off (or at 0 points).
 */
void		 analyze_init(void);
/* The same, with what the deployment says about itself (detect.h's
 * struct detect_config; NULL or NULL members: the environment). */
struct detect_config;
void		 analyze_init_with(const struct detect_config *dc);
void		 analyze_shutdown(void);

/*
 * Analyse one email (UNTRUSTED 'raw', 'len' bytes: RFC 5322 or Outlook
 * .msg).  'source' is a name for messages (may be NULL).  Allocates only
 * from 'a'; 'raw' is borrowed until 'a' is freed.  Always fills '*out'
 * (unless the arena is exhausted at once);
 * problems are findings.  Returns MS_OK, MS_ELIMIT (a limit was hit:
 * partial results, see findings) or MS_EPARSE (nothing could be read: an
 * empty analysis with a finding).
 */
enum ms_err	 analyze_bytes(struct arena *a, const char *raw, size_t len,
		    const char *source, struct analysis **out);

/*
 * The analysis of an input refused before parsing because it is larger
 * than LIMIT_MSG_BYTES: no email, a limit_msg_bytes finding.  'size' is
 * the input's size as far as it is known.  MS_ELIMIT, or MS_ELIMIT with
 * '*out' NULL if the arena is full.
 */
enum ms_err	 analyze_refused(struct arena *a, const char *source,
		    size_t size, struct analysis **out);

/* The verdict for a score by the loaded thresholds (weights.conf):
 * "benign", "suspicious" or "malicious". */
const char	*analyze_verdict(int score);

/* The CEF value of 'key' in artifact 'art', or NULL. */
const char	*analyze_cef(const struct artifact *art, const char *key);

#endif /* MS_ANALYZE_H */
