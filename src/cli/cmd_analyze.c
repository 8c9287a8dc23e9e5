/* SPDX-License-Identifier: Apache-2.0 */
/*
 * cmd_analyze.c -- `mailsoar analyze [--json] [--pretty] [--data DIR]
 * [--no-vault] [--no-playbooks] FILE...`: each file (.eml, Outlook .msg,
 * mbox, or - for stdin) is analysed in its own arena; attachments go to
 * the vault; one readable summary or one JSON line per email.  A bad file
 * is named on stderr and the batch goes on.
 */
#include <errno.h>
#include <getopt.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>
#include <sys/stat.h>

#include <glib.h>

#include "cli.h"
#include "../analyze/analyze.h"
#include "../common/limits.h"
#include "../files/vault.h"
#include "../report/report.h"

struct analyze_opts {
	int		 json;
	unsigned	 rflags;
	struct vault	*vault;
	int		 worst;		/* exit status so far */
};

static void
usage(FILE *f)
{
	fprintf(f,
	    "usage: mailsoar analyze [--json [--pretty]] [--data DIR] "
	    "[--no-vault]\n"
	    "                        [--no-playbooks] FILE...\n"
	    "  FILE      an .eml, an Outlook .msg, an mbox file, or - for "
	    "stdin\n"
	    "  --json    one JSON object per email, one per line "
	    "(docs/json.md)\n"
	    "  --pretty  indent the JSON\n"
	    "  --data    data directory (default $XDG_DATA_HOME/mailsoar); "
	    "attachments\n"
	    "            are stored in its vault, keyed by sha256\n"
	    "  --no-vault      do not write attachments to the vault\n"
	    "  --no-playbooks  do not run playbooks (none run yet)\n"
	    "exit: 0 ok, 1 some input unreadable, 2 usage, 3 a limit was "
	    "hit\n");
}

static void
worst(struct analyze_opts *o, int status)
{
	/* An unreadable input (1) outranks a limit hit (3). */
	if (status == CLI_EXIT_INPUT || (status == CLI_EXIT_LIMIT &&
	    o->worst == CLI_EXIT_OK))
		o->worst = status;
}

static void
to_vault(struct analyze_opts *o, const struct analysis *an,
    const char *name)
{
	const struct attachment	*at;
	size_t			 i;

	if (o->vault == NULL)
		return;
	for (i = 0; i < an->attachments.n; i++) {
		at = an->attachments.v[i];
		if (vault_put(o->vault, at->hash.sha256, at->data,
		    at->size) != MS_OK) {
			fprintf(stderr, "mailsoar: %s: attachment %s: cannot "
			    "write to the vault\n", name, at->path);
			worst(o, CLI_EXIT_INPUT);
		}
	}
}

static void
one(struct analyze_opts *o, const char *raw, size_t len, const char *name)
{
	struct arena	*a = arena_new(LIMIT_MSG_ARENA);
	struct analysis	*an;
	enum ms_err	 rc;

	rc = analyze_bytes(a, raw, len, name, &an);
	if (an == NULL) {
		fprintf(stderr, "mailsoar: %s: %s\n", name, ms_strerror(rc));
		worst(o, CLI_EXIT_INPUT);
		goto out;
	}
	if (rc == MS_EPARSE) {
		fprintf(stderr, "mailsoar: %s: not a readable email\n", name);
		worst(o, CLI_EXIT_INPUT);
	} else if (rc == MS_ELIMIT) {
		fprintf(stderr, "mailsoar: %s: a limit was hit; results are "
		    "partial (see findings)\n", name);
		worst(o, CLI_EXIT_LIMIT);
	}
	to_vault(o, an, name);
	if (o->json)
		report_analysis_json(stdout, an, o->rflags);
	else
		report_analysis_text(stdout, an, o->rflags);
out:
	arena_free(a);
}

/* An input past LIMIT_MSG_BYTES still gets its object, saying so. */
static void
refused(struct analyze_opts *o, const char *path)
{
	struct arena	*a = arena_new(64 * 1024);
	struct analysis	*an;
	struct stat	 st;
	size_t		 size = LIMIT_MSG_BYTES + (size_t)1;

	if (strcmp(path, "-") != 0 && stat(path, &st) == 0)
		size = (size_t)st.st_size;
	worst(o, CLI_EXIT_LIMIT);
	if (analyze_refused(a, path, size, &an) == MS_ELIMIT && an != NULL) {
		if (o->json)
			report_analysis_json(stdout, an, o->rflags);
		else
			report_analysis_text(stdout, an, o->rflags);
	}
	arena_free(a);
}

static void
one_file(struct analyze_opts *o, const char *path)
{
	char		*buf, *name;
	const char	*msg;
	size_t		 len, off = 0, mlen, n = 0;

	if (cli_read_file(path, LIMIT_MSG_BYTES, &buf, &len) != 0) {
		if (errno == EFBIG)
			refused(o, path);
		else
			worst(o, CLI_EXIT_INPUT);
		return;
	}
	if (mail_sniff(buf, len) != MAIL_FMT_MBOX) {
		one(o, buf, len, path);
		g_free(buf);
		return;
	}
	while (mail_mbox_next(buf, len, &off, &msg, &mlen)) {
		n++;
		name = g_strdup_printf("%s#%zu", path, n);
		one(o, msg, mlen, name);
		g_free(name);
	}
	g_free(buf);
}

int
cmd_analyze(int argc, char **argv)
{
	static const struct option	longopts[] = {
		{ "json", no_argument, NULL, 'j' },
		{ "pretty", no_argument, NULL, 'p' },
		{ "data", required_argument, NULL, 'd' },
		{ "no-vault", no_argument, NULL, 'V' },
		{ "no-playbooks", no_argument, NULL, 'P' },
		{ "help", no_argument, NULL, 'h' },
		{ NULL, 0, NULL, 0 }
	};
	struct analyze_opts	 o = { 0 };
	const char		*datadir = NULL;
	int			 ch, i, novault = 0;

	optind = 1;
	while ((ch = getopt_long(argc, argv, "jpd:h", longopts, NULL)) != -1) {
		switch (ch) {
		case 'j':
			o.json = 1;
			break;
		case 'p':
			o.rflags |= REPORT_PRETTY;
			break;
		case 'd':
			datadir = optarg;
			break;
		case 'V':
			novault = 1;
			break;
		case 'P':
			break;	/* playbooks arrive with the engine */
		case 'h':
			usage(stdout);
			return CLI_EXIT_OK;
		default:
			usage(stderr);
			return CLI_EXIT_USAGE;
		}
	}
	if (optind >= argc) {
		fprintf(stderr, "mailsoar analyze: no FILE given (use - for "
		    "stdin)\n");
		usage(stderr);
		return CLI_EXIT_USAGE;
	}
	if (!o.json && isatty(STDOUT_FILENO))
		o.rflags |= REPORT_COLOR;
	if (!novault) {
		if (datadir == NULL)
			datadir = vault_default_datadir();
		if ((o.vault = vault_open(datadir)) == NULL) {
			fprintf(stderr, "mailsoar analyze: cannot open the "
			    "vault under %s\n", datadir);
			return CLI_EXIT_INPUT;
		}
	}
	analyze_init();
	for (i = optind; i < argc; i++)
		one_file(&o, argv[i]);
	fflush(stdout);
	if (o.vault != NULL && vault_sync(o.vault) != MS_OK) {
		fprintf(stderr, "mailsoar analyze: the vault could not be "
		    "flushed to disk\n");
		worst(&o, CLI_EXIT_INPUT);
	}
	vault_close(o.vault);
	analyze_shutdown();
	return o.worst;
}
