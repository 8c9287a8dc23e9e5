/* SPDX-License-Identifier: Apache-2.0 */
/*
 * cli_pipeline.h -- what `mailsoar analyze` and `mailsoar ingest` share:
 * emails analysed on a pool of worker threads, each in its own arena,
 * attachments written to the vault, then (with the store) stored as
 * containers in batches with their playbooks started and driven, and
 * handed back to the command in input order on the main thread.  The
 * pipeline keeps at most a few emails per worker in flight, so memory
 * stays bounded whatever the input size.
 */
#ifndef MS_CLI_PIPELINE_H
#define MS_CLI_PIPELINE_H

#include <stddef.h>
#include <stdint.h>

struct cli_engine;
struct vault;
struct cli_pipeline;

/* What one email came to, handed to the 'done' hook.  Borrowed: valid
 * during the call only. */
struct cli_email {
	const char	*name;		/* the file, or "file#N" in an mbox */
	size_t		 len;		/* its bytes */
	int		 status;	/* CLI_EXIT_*: OK, INPUT or LIMIT */
	int		 refused;	/* past LIMIT_MSG_BYTES: not analysed */
	int		 readable;	/* analysed without MS_EPARSE */
	int64_t		 cid;		/* its container, 0: not stored */
	int		 created;	/* 'cid' is new (else joined) */
	const char	*data;		/* the analysis JSON, when stored */
	const char	*out;		/* rendered analysis, or NULL */
	size_t		 outlen;
	const char	*err;		/* messages for stderr, "" if none */
};

enum cli_render {
	CLI_RENDER_NONE,	/* ingest: nothing per email */
	CLI_RENDER_TEXT,	/* report_analysis_text */
	CLI_RENDER_JSON,	/* report_analysis_json, unless stored */
};

struct cli_pipeline_opts {
	int		  jobs;		/* worker threads; 1: none */
	struct cli_engine *ce;		/* NULL: store nothing */
	int		  playbooks;	/* start them on stored containers */
	/* Playbook runs left in flight after each batch (0: wait for all,
	 * as analyze does to print their results). */
	size_t		  runs_in_flight;
	int		  store_unreadable; /* store what gave MS_EPARSE too */
	struct vault	 *vault;	/* NULL: attachments not written */
	enum cli_render	  render;
	unsigned	  rflags;	/* REPORT_* for the renderer */
	/* Called on the main thread for each email in input order, after
	 * it was stored and its batch's playbooks were driven. */
	void		(*done)(void *arg, const struct cli_email *e);
	void		 *arg;
};

/* A pipeline over 'o' (copied).  The vault and engine stay the
 * caller's. */
struct cli_pipeline *cli_pipeline_new(const struct cli_pipeline_opts *o);
/*
 * Read 'path' ("-": stdin) whole, at most LIMIT_MSG_BYTES (analyze's
 * reading): an mbox is split into its emails, anything else is one
 * email; a larger file is handed on refused.  Returns 0, or -1 when it
 * could not be read (cli_read_file named it on stderr).
 */
int	cli_pipeline_file(struct cli_pipeline *pl, const char *path);
/*
 * Map 'path' (a regular file) instead: an mbox of any size is split, and
 * only an email past LIMIT_MSG_BYTES is refused (ingest's reading).
 * Returns 0, or -1 with the reason in 'err'.
 */
int	cli_pipeline_map(struct cli_pipeline *pl, const char *path,
	    char *err, size_t errlen);
/* Wait for every email, store and hand on the last batch, drive the
 * playbooks to their end, and free the pipeline.  Returns the worst
 * status seen (an unreadable input outranks a limit hit). */
int	cli_pipeline_finish(struct cli_pipeline *pl);
/* Fold 'status' into '*worst' the same way. */
void	cli_pipeline_worst(int *worst, int status);

#endif /* MS_CLI_PIPELINE_H */
