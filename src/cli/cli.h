/* SPDX-License-Identifier: Apache-2.0 */
/*
 * cli.h -- one entry point per subcommand (cmd_<name>.c).  Each gets the
 * arguments after the subcommand name (argv[0] is the subcommand) and
 * returns the process exit status (see docs/man/mailsoar.1.md):
 *   0  success; 1  some inputs could not be processed (others were);
 *   2  usage error; 3  a limit was hit on some input (results still given).
 */
#ifndef MS_CLI_H
#define MS_CLI_H

#include <stddef.h>
#include <stdint.h>

#include "../common/ms.h"

#define CLI_EXIT_OK	0
#define CLI_EXIT_INPUT	1
#define CLI_EXIT_USAGE	2
#define CLI_EXIT_LIMIT	3

int	cmd_analyze(int argc, char **argv);
int	cmd_ingest(int argc, char **argv);
int	cmd_extract(int argc, char **argv);
int	cmd_vault(int argc, char **argv);
int	cmd_act(int argc, char **argv);
int	cmd_apps(int argc, char **argv);
int	cmd_asset(int argc, char **argv);
int	cmd_audit(int argc, char **argv);
int	cmd_intel(int argc, char **argv);
int	cmd_prompt(int argc, char **argv);
int	cmd_runs(int argc, char **argv);
int	cmd_containers(int argc, char **argv);
int	cmd_playbook(int argc, char **argv);
int	cmd_serve(int argc, char **argv);
int	cmd_status(int argc, char **argv);

/* Options given before the command: -c FILE (or MAILSOAR_CONFIG) and
 * --data DIR (a command's own --data wins). */
struct cli_global {
	const char	*config;
	const char	*data;
	const char	*playbooks;	/* overrides [playbooks] dir= */
	char		**argv;		/* the whole command line */
};
extern struct cli_global	cli_global;

struct config;
struct store;
struct pb;

/* What the engine commands open: the config, the store under the data
 * directory, and (when asked) the playbook engine. */
struct cli_engine {
	struct config	*cf;
	struct store	*st;
	struct pb	*pb;
	char		*datadir;
};

enum cli_engine_flags {
	CLI_ENGINE_PB		= 1 << 0,	/* start the playbook engine */
	CLI_ENGINE_QUIET	= 1 << 1,	/* no prompt hints */
};

/* Open what 'flags' ask for; 'datadir' NULL for the default.  Returns 0,
 * or a CLI_EXIT_* status after naming the problem on stderr. */
int	cli_engine_open(struct cli_engine *ce, const char *datadir,
	    unsigned flags, const char *fixtures_json);
void	cli_engine_close(struct cli_engine *ce);

/* analyze_init() with the [detect] settings of 'cf' (NULL: none); the
 * environment variables of detect.h fill what the config leaves out. */
void	cli_analyze_init(const struct config *cf);
/* The config of -c or MAILSOAR_CONFIG without the store, for a command
 * that only analyses: its [asset] groups are not checked.  '*cf' is NULL
 * when no config is named.  Returns 0, or a CLI_EXIT_* status after
 * naming the problem on stderr. */
int	cli_config_open(struct config **cf);
struct analysis;

struct cli_file {
	char	*sha256, *name, *type;
	int64_t	 size;
};

/* What storing an analysed email needs, copied out of its arena (so it
 * can cross threads).  All newly allocated. */
struct cli_container {
	char	*data;		/* the analysis, compact JSON */
	char	**arts;		/* artifacts, one JSON object each */
	size_t	 narts;
	char	*subject, *message_id, *body_sha256, *input_sha256;
	char	*reporter;
	/* The suspicious email's From address and its domain, lower case,
	 * for the sender history (store_sender_seen); NULL without one. */
	char	*sender, *sender_domain;
	struct cli_file	*files;	/* the attachments, for vault_files */
	size_t	 nfiles;
	/* Lower-case hex sha256 of the sender's address (lower case) "\n"
	 * the subject without its Re:/Fwd:/AW:/WG:/TR:... prefixes, blanks
	 * collapsed, lower case "\n" the date in Unix seconds rounded down
	 * to the minute; NULL without a sender or a date. */
	char	*campaign_key;
	/* In-Reply-To, then References, each "<id>", without repeats. */
	char	**thread_ids;
	size_t	 nthread_ids;
	/* The offline score's reasons (analysis.reasons), stored as the
	 * new container's first score reasons. */
	struct cli_reason	*reasons;
	size_t			 nreasons;
	int			 simulation;	/* label "simulation" */
};

struct cli_reason {
	char	*id;
	int	 points;
	char	*reason;
};

void	cli_container_init(struct cli_container *cc,
	    const struct analysis *an);
void	cli_container_clear(struct cli_container *cc);
/* Store it (label "email", or "simulation" for a phishing-simulation
 * test) with its attachments' vault entries and, when the container is
 * new, the analysis's score reasons and the sender history (a sender the
 * store never saw adds sender_first_time, and a domain it never saw
 * sender_domain_first_time, to the score); MS_OK with '*cid', else the
 * store's error.  Call it inside a store_begin transaction to make the
 * whole atomic. */
enum ms_err	cli_container_store(struct store *st,
		    const struct cli_container *cc, const char *source,
		    int64_t *cid);
/* The same, saying in '*created' whether a new container was made (0:
 * the email joined one, store.h says how). */
enum ms_err	cli_container_put(struct store *st,
		    const struct cli_container *cc, const char *source,
		    int64_t *cid, int *created);

/* A shipped directory ("python", "playbooks"): the source tree's when
 * this binary runs from its build tree, else the installed one.
 * g_free. */
char	*cli_share_dir(const char *sub);

/* Read a whole file ("-" = stdin) up to 'max' bytes into a g_malloc'd
 * buffer.  Returns 0, or -1 with a message naming the file on stderr
 * (too big: errno EFBIG). */
int	cli_read_file(const char *path, size_t max, char **buf, size_t *len);

#endif /* MS_CLI_H */
