/* SPDX-License-Identifier: Apache-2.0 */
/*
 * cmd_analyze.c -- `mailsoar analyze [--json] [--pretty] [--data DIR]
 * [--no-vault] [--jobs N] [--no-playbooks] FILE...`: each email (.eml,
 * Outlook .msg, each message of an mbox, or - for stdin) is analysed in its
 * own arena on a pool of worker threads; attachments go to the vault; the
 * readable summaries or JSON lines come out in input order.  A bad file is
 * named on stderr and the batch goes on.
 *
 * The pipeline (cli_pipeline.c, shared with `mailsoar ingest`) analyses
 * on a pool of worker threads, keeping a few emails per worker in flight
 * so that memory stays bounded; each worker renders its email's output
 * (and its stderr messages).  With the store (the default), emails are
 * stored as containers in batches, the playbooks for their label start
 * on them and are driven to their end together (pb.h), and each email is
 * printed here, in input order, with its container, score and runs.
 */
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <glib.h>

#include "cli.h"
#include "cli_pipeline.h"
#include "../analyze/analyze.h"
#include "../engine/config.h"
#include "../files/vault.h"
#include "../report/report.h"
#include "../store/store.h"

#define ANALYZE_MAX_JOBS	64	/* worker threads, at most */

struct analyze_opts {
	int		 json;
	unsigned	 rflags;
	struct vault	*vault;
	int		 worst;		/* exit status so far */
	int		 jobs;
	struct cli_engine *ce;		/* NULL: --no-store */
	int		 playbooks;	/* run them */
};

static void
usage(FILE *f)
{
	fprintf(f,
	    "usage: mailsoar analyze [--json [--pretty]] [--data DIR] "
	    "[--no-vault]\n"
	    "                        [--jobs N] [--no-playbooks] [--no-store] "
	    "FILE...\n"
	    "  FILE      an .eml, an Outlook .msg, an mbox file, or - for "
	    "stdin\n"
	    "  --json    one JSON object per email, one per line "
	    "(docs/json.md)\n"
	    "  --pretty  indent the JSON\n"
	    "  --data    data directory (default $XDG_DATA_HOME/mailsoar); "
	    "attachments\n"
	    "            are stored in its vault, keyed by sha256\n"
	    "  --no-vault      do not write attachments to the vault\n"
	    "  --jobs N        analyse on N threads (default: one per CPU); "
	    "output\n"
	    "                  keeps the input order\n"
	    "  --no-playbooks  store containers but run no playbooks\n"
	    "  --no-store      neither store containers nor run playbooks\n"
	    "exit: 0 ok, 1 some input unreadable, 2 usage, 3 a limit was "
	    "hit\n");
}

/* Print one email: a stored one with its container, score and runs
 * (JSON merged into the analysis object, text after the analysis
 * summary), else what its worker rendered.  Main thread. */
static void
print_email(void *arg, const struct cli_email *e)
{
	struct analyze_opts	*o = arg;
	struct store		*st;
	char			*c = NULL, *sc = NULL, *runs = NULL;
	int			 total;

	fflush(stdout);
	if (*e->err != '\0')
		fputs(e->err, stderr);
	if (e->out != NULL)
		fwrite(e->out, 1, e->outlen, stdout);
	if (e->cid == 0)
		return;
	st = o->ce->st;
	store_container_meta_json(st, e->cid, &c);
	store_score_json(st, e->cid, &sc, &total);
	store_runs_json(st, e->cid, &runs);
	if (o->json)
		report_container_json(stdout, e->data, c, sc, runs,
		    o->rflags);
	else
		report_container_text(stdout, c, sc, runs, o->rflags);
	xfree(c);
	xfree(sc);
	xfree(runs);
}

static int
parse_jobs(const char *s)
{
	char	*end;
	long	 n = strtol(s, &end, 10);

	if (*s == '\0' || *end != '\0' || n < 1 || n > ANALYZE_MAX_JOBS)
		return -1;
	return (int)n;
}

static void
run_all(struct analyze_opts *o, int argc, char **argv, int first)
{
	struct cli_pipeline_opts	 po;
	struct cli_pipeline		*pl;
	int				 i;

	memset(&po, 0, sizeof(po));
	po.jobs = o->jobs;
	po.ce = o->ce;
	po.playbooks = o->playbooks;
	po.store_unreadable = 1;
	po.vault = o->vault;
	po.render = o->json ? CLI_RENDER_JSON : CLI_RENDER_TEXT;
	po.rflags = o->rflags;
	po.done = print_email;
	po.arg = o;
	pl = cli_pipeline_new(&po);
	for (i = first; i < argc; i++)
		cli_pipeline_file(pl, argv[i]);
	cli_pipeline_worst(&o->worst, cli_pipeline_finish(pl));
}

int
cmd_analyze(int argc, char **argv)
{
	static const struct option	longopts[] = {
		{ "json", no_argument, NULL, 'j' },
		{ "pretty", no_argument, NULL, 'p' },
		{ "data", required_argument, NULL, 'd' },
		{ "no-vault", no_argument, NULL, 'V' },
		{ "jobs", required_argument, NULL, 'J' },
		{ "no-playbooks", no_argument, NULL, 'P' },
		{ "no-store", no_argument, NULL, 'S' },
		{ "help", no_argument, NULL, 'h' },
		{ NULL, 0, NULL, 0 }
	};
	struct analyze_opts	 o = { 0 };
	struct cli_engine	 ce;
	struct config		*cf = NULL;	/* --no-store's */
	const char		*datadir = NULL;
	int			 ch, novault = 0, nostore = 0, rc;

	o.jobs = (int)MIN(g_get_num_processors(), ANALYZE_MAX_JOBS);
	optind = 1;
	while ((ch = getopt_long(argc, argv, "jpd:hJ:", longopts, NULL)) !=
	    -1) {
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
		case 'J':
			if ((o.jobs = parse_jobs(optarg)) < 0) {
				fprintf(stderr, "mailsoar analyze: --jobs "
				    "takes 1 to %d\n", ANALYZE_MAX_JOBS);
				return CLI_EXIT_USAGE;
			}
			break;
		case 'P':
			o.playbooks = -1;
			break;
		case 'S':
			nostore = 1;
			break;
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
	if (datadir == NULL)
		datadir = cli_global.data;
	if (!nostore) {
		o.playbooks = o.playbooks == 0;
		rc = cli_engine_open(&ce, datadir, o.playbooks ? CLI_ENGINE_PB :
		    0, NULL);
		if (rc != 0)
			return rc;
		o.ce = &ce;
		datadir = ce.datadir;
	} else {
		o.playbooks = 0;
		if ((rc = cli_config_open(&cf)) != 0)
			return rc;
	}
	if (!novault) {
		if (datadir == NULL)
			datadir = vault_default_datadir();
		if ((o.vault = vault_open(datadir)) == NULL) {
			fprintf(stderr, "mailsoar analyze: cannot open the "
			    "vault under %s\n", datadir);
			config_free(cf);
			return CLI_EXIT_INPUT;
		}
	}
	cli_analyze_init(o.ce != NULL ? o.ce->cf : cf);
	run_all(&o, argc, argv, optind);
	fflush(stdout);
	if (o.vault != NULL && vault_sync(o.vault) != MS_OK) {
		fprintf(stderr, "mailsoar analyze: the vault could not be "
		    "flushed to disk\n");
		cli_pipeline_worst(&o.worst, CLI_EXIT_INPUT);
	}
	vault_close(o.vault);
	if (o.ce != NULL)
		cli_engine_close(o.ce);
	config_free(cf);
	analyze_shutdown();
	return o.worst;
}
