/* SPDX-License-Identifier: Apache-2.0 */
/*
 * detect_attach.c -- signals in the files of the email (UNTRUSTED):
 * dangerous types by name and by content (executables, scripts and
 * shortcuts, disk images, OneNote, HTML and SVG), content that does not
 * match the name, double extensions, archives holding executables,
 * encrypted archives (with the password in the body), Office macros, and
 * HTML files with password forms or that build a file in the browser
 * (HTML smuggling), links in QR codes (quishing: analyze.c reads
 * them from PNG and JPEG images, and from JPEGs in PDFs), and PDFs with
 * JavaScript, Launch actions, embedded files or links (files/pdf.c).
 * Attached emails are judged by their own content.
 */
#include <string.h>

#include "detect_int.h"
#include "../files/unpack.h"

static const char *const exe_ext[] = { "exe", "scr", "com", "pif", "cpl",
	"msi", "msp", "dll", "bat", "cmd", "jar", "apk", "app", "dmg", "reg",
	"msc", "gadget", "appx", "msix", NULL };
static const char *const script_ext[] = { "js", "jse", "vbs", "vbe",
	"wsf", "wsh", "hta", "ps1", "psm1", "lnk", "scf", "inf", "url",
	"vb", "sct", "xll", "iqy", "slk", "library-ms", "settingcontent-ms",
	NULL };
static const char *const disk_ext[] = { "iso", "img", "vhd", "vhdx",
	"udf", NULL };
static const char *const onenote_ext[] = { "one", "onepkg", NULL };
static const char *const html_ext[] = { "html", "htm", "shtml", "xhtml",
	"svg", "mht", "mhtml", "xht", NULL };
static const char *const macro_ext[] = { "docm", "xlsm", "pptm", "dotm",
	"xltm", "xlam", "ppam", "potm", NULL };
/* Names a lure gives a file to look harmless. */
static const char *const doc_ext[] = { "pdf", "doc", "docx", "xls",
	"xlsx", "ppt", "pptx", "txt", "rtf", "jpg", "jpeg", "png", "gif",
	"csv", "odt", "mp3", "mp4", "wav", NULL };
/* What an archive must not hold. */
static const char *const risky_ext[] = { "exe", "scr", "com", "pif",
	"cpl", "msi", "dll", "bat", "cmd", "jar", "js", "jse", "vbs", "vbe",
	"wsf", "wsh", "hta", "ps1", "lnk", "iso", "img", "vhd", "one",
	"html", "htm", "svg", "xll", "docm", "xlsm", NULL };

static int
in(const char *ext, const char *const *list)
{
	size_t	i;

	for (i = 0; ext != NULL && list[i] != NULL; i++)
		if (g_ascii_strcasecmp(ext, list[i]) == 0)
			return 1;
	return 0;
}

/* The last extension of 'name' (without the dot), or NULL. */
static const char *
ext_of(const char *name)
{
	const char	*dot = name ? strrchr(name, '.') : NULL;

	return dot && dot[1] != '\0' ? dot + 1 : NULL;
}

/* The extension before the last one, in 'a', or NULL. */
static char *
inner_ext(struct arena *a, const char *name)
{
	const char	*last = strrchr(name, '.');
	size_t		 i;

	if (last == NULL)
		return NULL;
	for (i = (size_t)(last - name); i > 0 && name[i - 1] != '.'; i--)
		if (name[i - 1] == ' ' || name[i - 1] == '/')
			return NULL;
	if (i == 0)
		return NULL;
	return arena_strndup(a, name + i, (size_t)(last - name) - i);
}

static int
type_has(const struct attachment *at, const char *s)
{
	return (at->detected_type && strstr(at->detected_type, s) != NULL) ||
	    (at->detected_desc && strstr(at->detected_desc, s) != NULL);
}

static int
is_executable(const struct attachment *at)
{
	return type_has(at, "x-dosexec") || type_has(at, "x-msdownload") ||
	    type_has(at, "x-executable") || type_has(at, "x-mach-binary") ||
	    type_has(at, "x-sharedlib") || type_has(at, "PE32") ||
	    type_has(at, "portable-executable") ||
	    type_has(at, "MS-DOS executable") ||
	    type_has(at, "MS Windows shortcut");
}

/* The MIME type only: libmagic's description of a PDF says "(zip
 * deflate encoded)". */
static int
type_is(const struct attachment *at, const char *s)
{
	return at->detected_type != NULL && strstr(at->detected_type, s) !=
	    NULL;
}

static int
is_archive(const struct attachment *at)
{
	return type_is(at, "zip") || type_is(at, "rar") ||
	    type_is(at, "x-7z") || type_is(at, "gzip") ||
	    type_is(at, "x-tar") || type_is(at, "vnd.ms-cab") ||
	    type_is(at, "x-iso9660") || type_is(at, "openxmlformats");
}

static int
is_html(const struct attachment *at)
{
	return type_has(at, "text/html") || type_has(at, "image/svg") ||
	    in(ext_of(at->file_name), html_ext);
}

static const char *
name_of(const struct attachment *at)
{
	return at->file_name ? at->file_name : "(no name)";
}

/* A name of random letters ("lmnxebwvlmatkswgkwlsm.pdf"): six
 * consonants in a row before the extension. */
static int
random_name(const char *name)
{
	const char	*p;
	int		 run = 0;

	for (p = name; *p != '\0' && *p != '.'; p++) {
		run = g_ascii_isalpha(*p) && strchr("aeiouyAEIOUY", *p) ==
		    NULL ? run + 1 : 0;
		if (run >= 6)
			return 1;
	}
	return 0;
}

static void
by_name(struct detect_ctx *c, const struct attachment *at)
{
	const char	*ext = ext_of(at->file_name), *n = name_of(at);
	char		*inner;

	if (ext == NULL)
		return;
	if (random_name(at->file_name))
		detect__add(c, "attach_random_name", at->path, "%s", n);
	if (in(ext, exe_ext))
		detect__add(c, "attach_executable", at->path, "%s", n);
	else if (in(ext, script_ext))
		detect__add(c, "attach_script", at->path, "%s", n);
	else if (in(ext, disk_ext))
		detect__add(c, "attach_disk_image", at->path, "%s", n);
	else if (in(ext, onenote_ext))
		detect__add(c, "attach_onenote", at->path, "%s", n);
	else if (in(ext, html_ext))
		detect__add(c, "attach_html", at->path, "%s", n);
	else if (in(ext, macro_ext))
		detect__add(c, "attach_office_macro", at->path, "%s", n);
	if ((in(ext, exe_ext) || in(ext, script_ext) || in(ext, disk_ext) ||
	    in(ext, html_ext)) && (inner = inner_ext(c->a,
	    at->file_name)) != NULL && in(inner, doc_ext))
		detect__add(c, "attach_double_extension", at->path, "%s", n);
}

/* A harmless name on a dangerous content. */
static void
by_content(struct detect_ctx *c, const struct attachment *at)
{
	const char	*ext = ext_of(at->file_name);

	if (is_executable(at)) {
		if (!in(ext, exe_ext) && !in(ext, script_ext))
			detect__add(c, "attach_type_mismatch", at->path,
			    "%s is %s", name_of(at), at->detected_desc);
		detect__add(c, "attach_executable", at->path, "%s (%s)",
		    name_of(at), at->detected_type);
		return;
	}
	if (ext != NULL && in(ext, doc_ext) && (is_html(at) ||
	    (is_archive(at) && !type_has(at, "openxmlformats") &&
	    strncmp(ext, "doc", 3) != 0 && strncmp(ext, "xls", 3) != 0 &&
	    strncmp(ext, "ppt", 3) != 0)))
		detect__add(c, "attach_type_mismatch", at->path, "%s is %s",
		    name_of(at), at->detected_type);
}

static int
body_has_password(const struct detect_ctx *c)
{
	static const char *const words[] = { "password", "passwort",
	    "mot de passe", "contraseña", "contrasena", "senha",
	    "wachtwoord", "pwd", "pass:", "kennwort", "clave", "parola",
	    "hasło", "пароль" };
	size_t	i;

	for (i = 0; c->text != NULL && i < G_N_ELEMENTS(words); i++)
		if (strstr(c->text, words[i]) != NULL)
			return 1;
	return 0;
}

static void
archive(struct detect_ctx *c, const struct attachment *at)
{
	struct unpack_info	ui;

	if (!is_archive(at) || !unpack_list(c->a, at->data, at->size,
	    risky_ext, &ui))
		return;
	if (ui.vba)
		detect__add(c, "attach_office_macro", at->path, "%s "
		    "(vbaProject.bin)", name_of(at));
	if (ui.first_risky != NULL && !type_has(at, "openxmlformats"))
		detect__add(c, "attach_archive_executable", at->path, "%s "
		    "holds %s", name_of(at), ui.first_risky);
	if (ui.encrypted) {
		detect__add(c, "attach_encrypted_archive", at->path, "%s",
		    name_of(at));
		if (body_has_password(c))
			detect__add(c, "attach_archive_password", at->path,
			    "%s, password given in the body", name_of(at));
	}
}

/*
 * A password-protected document: an Office file (libmagic: "CDFV2
 * Encrypted", application/encrypted) or a PDF that does not open with
 * an empty user password (pdf_crypt.c; the many PDFs encrypted only to
 * restrict printing open without one and do not count).  No scanner can
 * read it, which is why lures send them with the password in the text.
 */
static void
encrypted_document(struct detect_ctx *c, const struct attachment *at)
{
	if (!type_is(at, "application/encrypted") && !type_has(at,
	    "CDFV2 Encrypted") && !(at->pdf_flags & PDF_PASSWORD))
		return;
	detect__add(c, "attach_encrypted_document", at->path, "%s",
	    name_of(at));
	if (body_has_password(c))
		detect__add(c, "attach_archive_password", at->path,
		    "%s, password given in the body", name_of(at));
}

/* OLE2 documents with a VBA project (the stream names are UTF-16). */
static void
ole_macro(struct detect_ctx *c, const struct attachment *at)
{
	static const char vba[] = "_\0V\0B\0A\0_\0P\0R\0O\0J\0E\0C\0T";

	if (!type_has(at, "CDFV2") && !type_has(at, "msword") &&
	    !type_has(at, "ms-excel") && !type_has(at, "ms-powerpoint") &&
	    !type_has(at, "x-ole-storage"))
		return;
	if (at->data != NULL && memmem(at->data, at->size, vba,
	    sizeof(vba) - 1) != NULL)
		detect__add(c, "attach_office_macro", at->path, "%s "
		    "(_VBA_PROJECT)", name_of(at));
}

static void
html_file(struct detect_ctx *c, const struct attachment *at)
{
	const char	*p = (const char *)at->data;
	size_t		 n = MIN(at->size, DETECT_HTML_MAX);

	if (!is_html(at) || p == NULL)
		return;
	if (in(ext_of(at->file_name), html_ext) == 0 && at->file_name != NULL)
		detect__add(c, "attach_html", at->path, "%s (%s)",
		    name_of(at), at->detected_type);
	if (detect__memcasemem(p, n, "<form") != NULL &&
	    (detect__memcasemem(p, n, "type=\"password\"") != NULL ||
	    detect__memcasemem(p, n, "type='password'") != NULL ||
	    detect__memcasemem(p, n, "type=password") != NULL))
		detect__add(c, "attach_html_credential_form", at->path, "%s",
		    name_of(at));
	if ((detect__memcasemem(p, n, "atob(") != NULL &&
	    (detect__memcasemem(p, n, "blob") != NULL ||
	    detect__memcasemem(p, n, "download") != NULL ||
	    detect__memcasemem(p, n, "document.write") != NULL ||
	    detect__memcasemem(p, n, "location") != NULL)) ||
	    detect__memcasemem(p, n, "msSaveOrOpenBlob") != NULL ||
	    detect__memcasemem(p, n, "data:application/octet-stream") !=
	    NULL || detect__memcasemem(p, n, "data:application/x-zip") !=
	    NULL || (detect__memcasemem(p, n, "unescape(") != NULL &&
	    detect__memcasemem(p, n, "document.write") != NULL))
		detect__add(c, "attach_html_smuggling", at->path, "%s",
		    name_of(at));
}

/* Links in QR codes; returns how many. */
static size_t
qr_links(struct detect_ctx *c, const struct attachment *at)
{
	size_t	k;

	for (k = 0; k < at->qr_urls.n; k++)
		detect__add(c, "attach_qr_url", at->path, "%s",
		    (const char *)at->qr_urls.v[k]);
	return at->qr_urls.n;
}

/* A PDF that is little more than a link: at most PDF_FEW_PAGES pages,
 * at most PDF_FEW_LINKS distinct links, and fewer than PDF_FEW_TEXT
 * bytes of strings shown by text operators in its content streams (a
 * short paragraph: fonts with two-byte codes count each letter twice).
 * PDFs with streams in other encodings, or cut by a limit, are not
 * judged.  Lures are a line of text and a button, or a blurred picture
 * with a link over it; a real document has more text. */
#define PDF_FEW_PAGES	2
#define PDF_FEW_LINKS	3
#define PDF_FEW_TEXT	1024

static void
pdf_file(struct detect_ctx *c, const struct attachment *at)
{
	const struct pdf_info	*pi = at->pdf;

	if (pi == NULL)
		return;
	if (pi->flags & PDF_JAVASCRIPT)
		detect__add(c, "attach_pdf_javascript", at->path, "%s%s",
		    name_of(at), pi->flags & PDF_OPEN_ACTION ?
		    " (with an automatic action)" : "");
	if (pi->flags & PDF_LAUNCH)
		detect__add(c, "attach_pdf_launch", at->path, "%s",
		    name_of(at));
	if (pi->flags & PDF_EMBEDDED_FILE)
		detect__add(c, "attach_pdf_embedded_file", at->path, "%s",
		    name_of(at));
	/* Once per PDF: a catalogue with fifty links is no worse than a
	 * lure with one. */
	if (at->pdf_urls.n == 1)
		detect__add(c, "attach_pdf_link", at->path, "%s",
		    (const char *)at->pdf_urls.v[0]);
	else if (at->pdf_urls.n > 1)
		detect__add(c, "attach_pdf_link", at->path, "%s (and %zu "
		    "more)", (const char *)at->pdf_urls.v[0],
		    at->pdf_urls.n - 1);
	if (at->pdf_urls.n > 0 && at->pdf_urls.n <= PDF_FEW_LINKS &&
	    pi->pages <= PDF_FEW_PAGES && pi->text < PDF_FEW_TEXT &&
	    !pi->text_unknown && pi->limit == NULL)
		detect__add(c, "attach_pdf_link_only", at->path, "%s: %zu "
		    "page(s), %zu bytes of text, %zu link(s)", name_of(at),
		    pi->pages, pi->text, at->pdf_urls.n);
}

/* Office Open XML: remote content loaded on open (template injection,
 * CVE-2017-0199, Follina), DDE, and its hyperlinks once per file. */
static void
office_file(struct detect_ctx *c, const struct attachment *at)
{
	const struct ooxml_info	*oi = at->office;
	const struct ooxml_rel	*r;

	if (oi == NULL)
		return;
	if (at->office_remote.n > 0) {
		r = at->office_remote.v[0];
		detect__add(c, "attach_office_remote_template", at->path,
		    "%s: %s %s%s", name_of(at), r->type, r->target,
		    at->office_remote.n > 1 ? " (and more)" : "");
	}
	if (oi->flags & (OOXML_DDE | OOXML_DDE_LINK))
		detect__add(c, "attach_office_dde", at->path, "%s: %s",
		    name_of(at), oi->dde.n > 0 ? (const char *)oi->dde.v[0] :
		    "a DDE field");
	if (at->office_urls.n == 1)
		detect__add(c, "attach_office_link", at->path, "%s",
		    (const char *)at->office_urls.v[0]);
	else if (at->office_urls.n > 1)
		detect__add(c, "attach_office_link", at->path, "%s (and %zu "
		    "more)", (const char *)at->office_urls.v[0],
		    at->office_urls.n - 1);
}

/* An email that is little more than a QR code with a link: the phone
 * that scans it is outside the mail filter's sight. */
static void
qr_only(struct detect_ctx *c, size_t qr)
{
	const struct finding	*f;
	size_t			 i, letters = 0;

	if (qr == 0 || c->an->reporter != NULL)
		return;
	for (i = 0; i < c->an->findings.n; i++) {
		f = c->an->findings.v[i];
		if (strcmp(f->id, "content_image_only") == 0) {
			detect__add(c, "attach_qr_only", NULL, "an image "
			    "body with a QR code");
			return;
		}
	}
	for (i = 0; c->visible != NULL && i < c->visible_len; i++)
		if (g_ascii_isalpha(c->visible[i]) ||
		    (unsigned char)c->visible[i] >= 0x80)
			letters++;
	if (letters < 40)
		detect__add(c, "attach_qr_only", NULL, "%zu letters of text "
		    "beside the QR code", letters);
}

void
detect__attach(struct detect_ctx *c)
{
	const struct attachment	*at;
	size_t			 i, qr = 0;

	for (i = 0; i < c->an->attachments.n; i++) {
		at = c->an->attachments.v[i];
		if (at->is_email)
			continue;
		by_name(c, at);
		by_content(c, at);
		archive(c, at);
		encrypted_document(c, at);
		ole_macro(c, at);
		html_file(c, at);
		pdf_file(c, at);
		office_file(c, at);
		qr += qr_links(c, at);
	}
	qr_only(c, qr);
}
