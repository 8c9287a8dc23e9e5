/* SPDX-License-Identifier: Apache-2.0 */
/*
 * cmd_ingest.c -- `mailsoar ingest [--data DIR] [--no-playbooks]
 * [--jobs N] [--json] PATH...`: bulk import.  Each PATH is an email file
 * (.eml, Outlook .msg), an mbox of any size, a maildir (its cur/ and
 * new/) or a directory searched recursively for all of these.  Every
 * email is analysed, stored as a container (joining an existing one when
 * it is the same email, the same campaign or a reply in its thread) and
 * its playbooks run, through the pipeline `mailsoar analyze` uses
 * (cli_pipeline.c).  Nothing is printed per email: a bad file is named
 * on stderr and skipped, a progress line is kept on stderr when it is a
 * terminal, and a summary comes out at the end.
 *
 * The directory walk runs on the main thread first, so that the progress
 * line knows the total size; it follows symbolic links to files but not
 * to directories (no loops), and reads UNTRUSTED file names only to
 * print them.
 */
#include <errno.h>
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <sys/stat.h>

#include <glib.h>

#include "cli.h"
#include "cli_pipeline.h"
#include "../analyze/analyze.h"
#include "../files/vault.h"

#define INGEST_MAX_JOBS		64	/* worker threads, at most */
#define INGEST_MAX_DEPTH	64	/* directory nesting: stack, loops */
/* Playbook runs left in flight between batches: analysis of the next
 * batch overlaps the actions of this one. */
#define INGEST_RUNS_IN_FLIGHT	256
#define INGEST_PROGRESS_US	(200 * 1000)	/* progress redraw period */

/* One file to import. */
struct ingest_file {
	char	*path;
	int64_t	 size;
};

struct ingest {
	GPtrArray	*files;		/* struct ingest_file * */
	int64_t		 total_bytes;
	int		 worst;
	int		 json;
	int		 tty;		/* progress on stderr */
	int		 drawn;		/* a progress line is showing */
	/* Counts for the summary. */
	size_t		 nfiles, emails, created, joined, unreadable;
	size_t		 limits, skipped;
	int64_t		 bytes_done, started, last_draw;
};

static void
usage(FILE *f)
{
	fprintf(f,
	    "usage: mailsoar ingest [--data DIR] [--no-playbooks] [--jobs N] "
	    "[--json] PATH...\n"
	    "  PATH      an .eml or .msg file, an mbox, a maildir, or a "
	    "directory\n"
	    "            (searched recursively for all of these)\n"
	    "  --data    data directory (default $XDG_DATA_HOME/mailsoar)\n"
	    "  --no-playbooks  store containers but run no playbooks\n"
	    "  --jobs N        analyse on N threads (default: one per CPU)\n"
	    "  --json          the summary as one JSON object\n"
	    "exit: 0 ok, 1 some input unreadable, 2 usage, 3 a limit was "
	    "hit\n");
}

/* Take the progress line off the terminal before other stderr output. */
static void
progress_clear(struct ingest *in)
{
	if (!in->drawn)
		return;
	fputs("\r\033[K", stderr);
	in->drawn = 0;
}

/* Redraw the progress line: bytes done of the total (mbox files hold an
 * unknown number of emails), counts, rate and time left. */
static void
progress(struct ingest *in, int force)
{
	int64_t	 now = g_get_monotonic_time(), el;
	double	 frac, rate, eta;
	char	 bar[21];
	int	 i, n;

	if (!in->tty || (!force && now - in->last_draw < INGEST_PROGRESS_US))
		return;
	in->last_draw = now;
	el = now - in->started;
	frac = in->total_bytes > 0 ? (double)in->bytes_done /
	    (double)in->total_bytes : 1.0;
	if (frac > 1.0)
		frac = 1.0;
	n = (int)(frac * 20.0);
	for (i = 0; i < 20; i++)
		bar[i] = i < n ? '#' : '.';
	bar[20] = '\0';
	rate = el > 0 ? (double)in->emails * 1e6 / (double)el : 0.0;
	eta = frac > 0.0 ? (double)el / 1e6 * (1.0 - frac) / frac : 0.0;
	fprintf(stderr, "\r%3d%% [%s] %zu/%u files %zu emails %.0f/s "
	    "ETA %d:%02d\033[K", (int)(frac * 100.0), bar, in->nfiles,
	    in->files->len, in->emails, rate, (int)eta / 60, (int)eta % 60);
	in->drawn = 1;
}

/* Name a problem with one input on stderr. */
static void
bad(struct ingest *in, const char *path, const char *why)
{
	progress_clear(in);
	fprintf(stderr, "mailsoar: %s: %s\n", path, why);
	in->unreadable++;
	cli_pipeline_worst(&in->worst, CLI_EXIT_INPUT);
}

static void
add_file(struct ingest *in, const char *path, int64_t size)
{
	struct ingest_file	*f = g_new0(struct ingest_file, 1);

	f->path = g_strdup(path);
	f->size = size;
	in->total_bytes += size;
	g_ptr_array_add(in->files, f);
}

static void
file_free(gpointer p)
{
	struct ingest_file	*f = p;

	g_free(f->path);
	g_free(f);
}

/* Whether a file found in a directory is mail: by its name, else an
 * mbox by its first line (Thunderbird's "Inbox" has no extension). */
static int
is_mail(const char *path, const char *name)
{
	static const char *const exts[] = { ".eml", ".msg", ".mbox",
	    ".mbx" };
	char	 head[5];
	size_t	 i, n = 0;
	FILE	*f;

	for (i = 0; i < G_N_ELEMENTS(exts); i++) {
		n = strlen(exts[i]);
		if (strlen(name) > n && g_ascii_strcasecmp(name +
		    strlen(name) - n, exts[i]) == 0)
			return 1;
	}
	if ((f = fopen(path, "rb")) == NULL)
		return 0;
	n = fread(head, 1, sizeof(head), f);
	fclose(f);
	return n == sizeof(head) && memcmp(head, "From ", 5) == 0;
}

static int
is_dir(const char *dir, const char *sub)
{
	char	*p = g_build_filename(dir, sub, NULL);
	int	 r = g_file_test(p, G_FILE_TEST_IS_DIR);

	g_free(p);
	return r;
}

/* g_ptr_array_sort passes pointers to the elements. */
static gint
name_cmp(gconstpointer a, gconstpointer b)
{
	return strcmp(*(char *const *)a, *(char *const *)b);
}

/* A directory's entries, sorted (the import order is the same on every
 * run).  NULL with 'errno' when it cannot be read. */
static GPtrArray *
dir_names(const char *dir)
{
	GDir		*d;
	GError		*ge = NULL;
	GPtrArray	*v;
	const char	*name;

	if ((d = g_dir_open(dir, 0, &ge)) == NULL) {
		errno = ge->code == G_FILE_ERROR_NOENT ? ENOENT : EACCES;
		g_error_free(ge);
		return NULL;
	}
	v = g_ptr_array_new_with_free_func(g_free);
	while ((name = g_dir_read_name(d)) != NULL)
		g_ptr_array_add(v, g_strdup(name));
	g_dir_close(d);
	g_ptr_array_sort(v, name_cmp);
	return v;
}

static void	walk_dir(struct ingest *in, const char *dir, int depth);

/*
 * One directory entry: a subdirectory (not through a link) is walked; a
 * file (through a link too) is taken when 'all' (a maildir's cur/ or
 * new/) or when it looks like mail; a link to nothing that looks like
 * mail is named.
 */
static void
walk_entry(struct ingest *in, const char *dir, const char *name, int all,
    int depth)
{
	struct stat	 st;
	char		*p = g_build_filename(dir, name, NULL);

	if (lstat(p, &st) != 0)
		bad(in, p, g_strerror(errno));
	else if (S_ISDIR(st.st_mode)) {
		if (!all)
			walk_dir(in, p, depth + 1);
	} else if (stat(p, &st) != 0) {
		if (all || is_mail(p, name))
			bad(in, p, g_strerror(errno));
	} else if (S_ISREG(st.st_mode) && (all || is_mail(p, name)))
		add_file(in, p, (int64_t)st.st_size);
	else
		in->skipped += S_ISREG(st.st_mode);
	g_free(p);
}

/* A maildir's cur/ or new/: every file but dot files is an email. */
static void
walk_box(struct ingest *in, const char *dir, int depth)
{
	GPtrArray	*v;
	const char	*name;
	guint		 i;

	if ((v = dir_names(dir)) == NULL) {
		bad(in, dir, g_strerror(errno));
		return;
	}
	for (i = 0; i < v->len; i++) {
		name = g_ptr_array_index(v, i);
		if (name[0] != '.')
			walk_entry(in, dir, name, 1, depth);
	}
	g_ptr_array_free(v, TRUE);
}

/* A maildir (cur/ and new/, whose files are all mail; tmp/ holds
 * deliveries in progress) or a plain directory, recursively. */
static void
walk_dir(struct ingest *in, const char *dir, int depth)
{
	GPtrArray	*v;
	char		*sub;
	const char	*name;
	guint		 i;
	int		 maildir;

	if (depth > INGEST_MAX_DEPTH) {
		bad(in, dir, "directories nested too deep; not searched");
		return;
	}
	if ((v = dir_names(dir)) == NULL) {
		bad(in, dir, g_strerror(errno));
		return;
	}
	maildir = is_dir(dir, "cur") && is_dir(dir, "new");
	for (i = 0; i < v->len; i++) {
		name = g_ptr_array_index(v, i);
		if (maildir && (strcmp(name, "cur") == 0 ||
		    strcmp(name, "new") == 0)) {
			sub = g_build_filename(dir, name, NULL);
			walk_box(in, sub, depth + 1);
			g_free(sub);
		} else if (maildir && strcmp(name, "tmp") == 0)
			continue;
		else
			walk_entry(in, dir, name, 0, depth);
	}
	g_ptr_array_free(v, TRUE);
}

/* A PATH from the command line: a directory is walked, anything else
 * that is a file is taken whatever its name. */
static void
walk_arg(struct ingest *in, const char *path)
{
	struct stat	st;

	if (stat(path, &st) != 0)
		bad(in, path, g_strerror(errno));
	else if (S_ISDIR(st.st_mode))
		walk_dir(in, path, 0);
	else if (S_ISREG(st.st_mode))
		add_file(in, path, (int64_t)st.st_size);
	else
		bad(in, path, "not a file or a directory");
}

/* What one email came to, counted; its problems named.  Main thread. */
static void
counted(void *arg, const struct cli_email *e)
{
	struct ingest	*in = arg;

	in->emails++;
	in->bytes_done += (int64_t)e->len;
	if (e->cid != 0 && e->created)
		in->created++;
	else if (e->cid != 0)
		in->joined++;
	else if (!e->refused)
		in->unreadable++;
	if (e->status == CLI_EXIT_LIMIT)
		in->limits++;
	if (*e->err != '\0') {
		progress_clear(in);
		fputs(e->err, stderr);
	}
	progress(in, 0);
}

/* The summary: one JSON object with --json, else a few lines. */
static void
summary(const struct ingest *in)
{
	double	el = (double)(g_get_monotonic_time() - in->started) / 1e6;
	double	rate = el > 0.0 ? (double)in->emails / el : 0.0;

	if (in->json) {
		printf("{\"files\":%zu,\"emails\":%zu,\"new_containers\":%zu,"
		    "\"joined_containers\":%zu,\"unreadable\":%zu,"
		    "\"limits_hit\":%zu,\"skipped\":%zu,\"elapsed_s\":%.3f,"
		    "\"emails_per_s\":%.1f}\n", in->nfiles, in->emails,
		    in->created, in->joined, in->unreadable, in->limits,
		    in->skipped, el, rate);
		return;
	}
	printf("ingested %zu emails from %zu files in %.1f s "
	    "(%.1f emails/s)\n", in->emails, in->nfiles, el, rate);
	printf("  new containers     %zu\n", in->created);
	printf("  joined containers  %zu\n", in->joined);
	printf("  unreadable         %zu\n", in->unreadable);
	printf("  limits hit         %zu\n", in->limits);
	if (in->skipped > 0)
		printf("  skipped            %zu (not mail)\n", in->skipped);
}

/* Walk every PATH, then feed the files to the pipeline. */
static void
run_all(struct ingest *in, struct cli_pipeline_opts *po, int argc,
    char **argv)
{
	struct cli_pipeline	*pl;
	struct ingest_file	*f;
	char			 err[512];
	int			 i;
	guint			 k;

	for (i = 0; i < argc; i++)
		walk_arg(in, argv[i]);
	po->done = counted;
	po->arg = in;
	pl = cli_pipeline_new(po);
	for (k = 0; k < in->files->len; k++) {
		f = g_ptr_array_index(in->files, k);
		in->nfiles++;
		if (cli_pipeline_map(pl, f->path, err, sizeof(err)) != 0) {
			bad(in, f->path, err);
			in->bytes_done += f->size;
		}
		progress(in, 0);
	}
	cli_pipeline_worst(&in->worst, cli_pipeline_finish(pl));
	progress(in, 1);
	progress_clear(in);
}

static int
parse_jobs(const char *s)
{
	char	*end;
	long	 n = strtol(s, &end, 10);

	if (*s == '\0' || *end != '\0' || n < 1 || n > INGEST_MAX_JOBS)
		return -1;
	return (int)n;
}

int
cmd_ingest(int argc, char **argv)
{
	static const struct option	longopts[] = {
		{ "data", required_argument, NULL, 'd' },
		{ "jobs", required_argument, NULL, 'J' },
		{ "no-playbooks", no_argument, NULL, 'P' },
		{ "json", no_argument, NULL, 'j' },
		{ "help", no_argument, NULL, 'h' },
		{ NULL, 0, NULL, 0 }
	};
	struct cli_pipeline_opts	 po;
	struct ingest			 in;
	struct cli_engine		 ce;
	const char			*datadir = cli_global.data;
	int				 ch, rc;

	memset(&po, 0, sizeof(po));
	memset(&in, 0, sizeof(in));
	po.jobs = (int)MIN(g_get_num_processors(), INGEST_MAX_JOBS);
	po.playbooks = 1;
	optind = 1;
	while ((ch = getopt_long(argc, argv, "d:hJ:j", longopts, NULL)) !=
	    -1) {
		switch (ch) {
		case 'd':
			datadir = optarg;
			break;
		case 'J':
			if ((po.jobs = parse_jobs(optarg)) < 0) {
				fprintf(stderr, "mailsoar ingest: --jobs "
				    "takes 1 to %d\n", INGEST_MAX_JOBS);
				return CLI_EXIT_USAGE;
			}
			break;
		case 'P':
			po.playbooks = 0;
			break;
		case 'j':
			in.json = 1;
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
		fprintf(stderr, "mailsoar ingest: no PATH given\n");
		usage(stderr);
		return CLI_EXIT_USAGE;
	}
	rc = cli_engine_open(&ce, datadir, CLI_ENGINE_QUIET |
	    (po.playbooks ? CLI_ENGINE_PB : 0), NULL);
	if (rc != 0)
		return rc;
	if ((po.vault = vault_open(ce.datadir)) == NULL) {
		fprintf(stderr, "mailsoar ingest: cannot open the vault under "
		    "%s\n", ce.datadir);
		cli_engine_close(&ce);
		return CLI_EXIT_INPUT;
	}
	po.ce = &ce;
	po.runs_in_flight = INGEST_RUNS_IN_FLIGHT;
	po.render = CLI_RENDER_NONE;
	in.files = g_ptr_array_new_with_free_func(file_free);
	in.tty = isatty(STDERR_FILENO);
	in.started = g_get_monotonic_time();
	cli_analyze_init(ce.cf);
	run_all(&in, &po, argc - optind, argv + optind);
	if (vault_sync(po.vault) != MS_OK) {
		fprintf(stderr, "mailsoar ingest: the vault could not be "
		    "flushed to disk\n");
		cli_pipeline_worst(&in.worst, CLI_EXIT_INPUT);
	}
	summary(&in);
	vault_close(po.vault);
	cli_engine_close(&ce);
	analyze_shutdown();
	g_ptr_array_free(in.files, TRUE);
	return in.worst;
}
