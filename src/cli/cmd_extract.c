/* SPDX-License-Identifier: Apache-2.0 */
/*
 * cmd_extract.c -- `mailsoar extract`: indicators (URLs, domains, IPs,
 * email addresses, hashes) out of a text or HTML file or stdin, as JSON
 * or a readable list.  With --lines each line (or NUL-ended record with
 * -z) is a separate input with its own JSON object, for analysts who
 * keep indicators one per line and for the corpus tests.  Runs in the
 * CLI process; the input is UNTRUSTED and bounded by LIMIT_MSG_BYTES.
 */
#include <stdio.h>
#include <string.h>
#include <strings.h>

#include <glib.h>

#include "cli.h"
#include "../common/limits.h"
#include "../extract/extract.h"
#include "../report/report.h"

enum mode { MODE_AUTO, MODE_TEXT, MODE_HTML };

struct opts {
	int		 json;
	unsigned	 rflags;
	enum mode	 mode;
	int		 lines;
	char		 sep;
	const char	*path;
};

/* --help text. */
static void
usage(FILE *f)
{
	fputs("usage: mailsoar extract [--json] [--pretty] [--html|--text]\n"
	    "                        [--lines [-z]] [FILE|-]\n"
	    "\n"
	    "Print the indicators in FILE (default: standard input): URLs,\n"
	    "domains, IP addresses, email addresses and MD5/SHA1/SHA256/\n"
	    "SHA512 hashes, defanged forms included (hxxp://, [.], [at]...).\n"
	    "\n"
	    "  --json     one JSON object: urls, domains, ips, emails, hashes\n"
	    "  --pretty   indent the JSON\n"
	    "  --html     parse the input as HTML (links, CSS, visible text)\n"
	    "  --text     scan the input as plain text\n"
	    "             (default: HTML when the input looks like HTML)\n"
	    "  --lines    treat every line as a separate input and print one\n"
	    "             JSON object per line, in order (implies --json)\n"
	    "  -z         with --lines: inputs end with NUL, not newline\n"
	    "\n"
	    "Exit status: 0 ok, 1 input unreadable, 2 usage, 3 a limit was\n"
	    "reached (the indicators found are still printed).\n", f);
}

/* HTML when one of the usual tags shows up early in the input. */
static int
looks_html(const char *p, size_t len)
{
	static const char *const tags[] = { "<html", "<!doctype html",
	    "<head", "<body", "<div", "<table", "<p>", "<p ", "<a ", "<meta",
	    "<span", "<br", "<img", "<font", "<center" };
	size_t	n = len < 4096 ? len : 4096, i, k;

	for (i = 0; i < n; i++) {
		if (p[i] != '<')
			continue;
		for (k = 0; k < MS_ARRAY_LEN(tags); k++)
			if (n - i >= strlen(tags[k]) && g_ascii_strncasecmp(
			    p + i, tags[k], strlen(tags[k])) == 0)
				return 1;
	}
	return 0;
}

/* Extract from one input into a fresh set and print it.  Returns the
 * extract status. */
static enum ms_err
run_one(const struct opts *o, const char *p, size_t len, const char *name)
{
	struct arena	*a = arena_new(LIMIT_MSG_ARENA);
	struct ioc_set	*s = ioc_set_new(a);
	enum ms_err	 rc;
	int		 html;

	html = o->mode == MODE_HTML ||
	    (o->mode == MODE_AUTO && looks_html(p, len));
	if (s == NULL)
		rc = MS_ELIMIT;
	else if (html)
		rc = extract_html(s, p, len, NULL, NULL, NULL);
	else
		rc = extract_text(s, p, len, "text");
	if (rc != MS_OK && len > LIMIT_EXTRACT_BYTES)
		fprintf(stderr, "mailsoar: extract: %s: only the first %u "
		    "bytes were scanned (LIMIT_EXTRACT_BYTES)\n", name,
		    LIMIT_EXTRACT_BYTES);
	if (rc != MS_OK && ioc_set_dropped(s) > 0)
		fprintf(stderr, "mailsoar: extract: %s: %zu indicators not "
		    "kept (LIMIT_URLS_PER_MSG, LIMIT_IOCS_PER_MSG)\n", name,
		    ioc_set_dropped(s));
	else if (rc != MS_OK && len <= LIMIT_EXTRACT_BYTES)
		fprintf(stderr, "mailsoar: extract: %s: %s\n", name,
		    ms_strerror(rc));
	if (o->json)
		report_iocs_json(stdout, s, o->rflags);
	else
		report_iocs_text(stdout, s, o->rflags);
	arena_free(a);
	return rc;
}

/* --lines: every record separately, one JSON object each. */
static int
run_lines(const struct opts *o, const char *buf, size_t len)
{
	const char	*p = buf, *end = buf + len, *e;
	size_t		 n, lineno = 0;
	char		 name[64];
	int		 limit = 0;

	while (p < end) {
		e = memchr(p, o->sep, (size_t)(end - p));
		n = e != NULL ? (size_t)(e - p) : (size_t)(end - p);
		lineno++;
		if (o->sep == '\n' && n > 0 && p[n - 1] == '\r')
			n--;
		snprintf(name, sizeof(name), "record %zu", lineno);
		if (run_one(o, p, n, name) == MS_ELIMIT)
			limit = 1;
		p = e != NULL ? e + 1 : end;
	}
	return limit ? CLI_EXIT_LIMIT : CLI_EXIT_OK;
}

/* Options into 'o'; -1 after --help, -2 on a usage error. */
static int
parse_args(int argc, char **argv, struct opts *o)
{
	int	i;

	memset(o, 0, sizeof(*o));
	o->sep = '\n';
	for (i = 1; i < argc; i++) {
		const char	*a = argv[i];

		if (strcmp(a, "--help") == 0 || strcmp(a, "-h") == 0) {
			usage(stdout);
			return -1;
		} else if (strcmp(a, "--json") == 0)
			o->json = 1;
		else if (strcmp(a, "--pretty") == 0)
			o->rflags |= REPORT_PRETTY;
		else if (strcmp(a, "--html") == 0)
			o->mode = MODE_HTML;
		else if (strcmp(a, "--text") == 0)
			o->mode = MODE_TEXT;
		else if (strcmp(a, "--lines") == 0)
			o->lines = 1;
		else if (strcmp(a, "-z") == 0)
			o->sep = '\0';
		else if (a[0] == '-' && a[1] != '\0') {
			fprintf(stderr, "mailsoar: extract: unknown option "
			    "'%s'\n", a);
			usage(stderr);
			return -2;
		} else if (o->path != NULL) {
			fprintf(stderr, "mailsoar: extract: one input only\n");
			return -2;
		} else
			o->path = a;
	}
	if (o->path == NULL)
		o->path = "-";
	if (o->lines) {
		o->json = 1;
		o->rflags &= ~(unsigned)REPORT_PRETTY;
	}
	return 0;
}

/* Entry point: read the input, extract, print, exit status. */
int
cmd_extract(int argc, char **argv)
{
	struct opts	 o;
	char		*buf = NULL;
	size_t		 len;
	int		 rc;

	if ((rc = parse_args(argc, argv, &o)) != 0)
		return rc == -1 ? CLI_EXIT_OK : CLI_EXIT_USAGE;
	extract_init();
	if (cli_read_file(o.path, LIMIT_MSG_BYTES, &buf, &len) != 0)
		return CLI_EXIT_INPUT;
	if (o.lines)
		rc = run_lines(&o, buf, len);
	else
		rc = run_one(&o, buf, len, o.path) == MS_OK ? CLI_EXIT_OK :
		    CLI_EXIT_LIMIT;
	g_free(buf);
	return rc;
}
