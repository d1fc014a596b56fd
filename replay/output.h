/*
 * output.h - the files replay, sweep and plot write (--csv, --json, a
 * chart), and what keeps the user's other files safe from them:
 *
 *  - every output is checked and created before the work starts, so a bad
 *    path fails at once instead of after the replay;
 *  - no output may be the input or another output: files are compared by
 *    device and inode, so a symbolic or hard link to the input counts, and
 *    names that do not exist yet by their resolved directory;
 *  - an existing pagereplay trace is never replaced;
 *  - a file is written under a temporary name next to its destination
 *    (DEST.part.XXXXXX) and renamed onto it by rp_out_commit(), so a
 *    failed run leaves no half file and an existing good one unchanged;
 *  - every write, flush and close error is caught.
 *
 * "-" is stdout, and so is a path naming the file or pipe stdout already
 * writes to (/dev/stdout); a device such as /dev/null is written in place.
 *
 * Single-threaded: one command's main thread opens, writes and commits.
 */
#ifndef PR_OUTPUT_H
#define PR_OUTPUT_H

#include <sys/types.h>

#include <stdbool.h>
#include <stddef.h>
#include <stdio.h>

#include "report.h"

/* rp_out.flags */
#define RP_OUT_NAMED	0x1	/* another program writes it by name
				   (rp_out_name); no stream is opened */

struct rp_out {
	const char	*what;		/* the option, for messages: "--csv" */
	const char	*path;		/* as given; NULL: not wanted; "-":
					   stdout */
	int		 flags;		/* RP_OUT_* */
	FILE		*f;		/* the stream (NULL: named, closed) */
	char		*dest;		/* renamed onto at commit (NULL:
					   written in place) */
	char		*tmp;		/* written here until the commit */
	bool		 exists;	/* dest existed when opened: dev/ino */
	dev_t		 dev;
	ino_t		 ino;
};

/*
 * Check and create the outputs out[0..n) whose path is set, in order:
 * none may be input (a file the command reads; NULL: none) or another of
 * them, or replace a trace, and each is created under its temporary name.
 * Returns 0, or -1 with a one-line reason in err and nothing left behind.
 */
int	rp_out_open(struct rp_out *out, size_t n, const char *input, char *err,
	    size_t errlen);
/* Whether o is written to stdout (the human report then goes to stderr). */
bool	rp_out_is_stdout(const struct rp_out *o);
/* The file to write o to by name until the commit (RP_OUT_NAMED). */
const char *rp_out_name(const struct rp_out *o);
/*
 * Flush and close o, catching every error, and rename it onto its
 * destination.  0, or -1 with a one-line reason in err (the temporary file
 * is then removed).  A no-op for an output not wanted or already done.
 */
int	rp_out_commit(struct rp_out *o, char *err, size_t errlen);
/* Close o and remove its temporary file: the destination is untouched. */
void	rp_out_discard(struct rp_out *o);

/*
 * The results of replay and sweep: CSV rows (docs/csv.md) of every run
 * after one header, and the runs' JSON documents, one document or an array
 * of them.  A sweep adds its chart, drawn from the CSV once that is
 * committed.  Rows are flushed after every run, so even a killed sweep's
 * temporary file holds its completed runs.
 */
enum rp_results_out {
	RP_RES_CSV = 0,
	RP_RES_JSON,
	RP_RES_PLOT,		/* named; drawn and committed by the caller */
	RP_RES_COUNT
};

struct rp_results {
	struct rp_out	 out[RP_RES_COUNT];	/* by rp_results_out; the
						   caller sets the paths */
	bool		 header;	/* CSV header first */
	bool		 array;		/* JSON: an array of documents */
	size_t		 runs;		/* runs added */
};

/*
 * Set up r for the outputs csv, json and plot (each NULL: none); header and
 * array as in struct rp_results.  No file is touched yet.
 */
void	rp_results_init(struct rp_results *r, const char *csv,
	    const char *json, const char *plot, bool header, bool array);
/* rp_out_open() of every output, then the CSV header and the "[". */
int	rp_results_open(struct rp_results *r, const char *input, char *err,
	    size_t errlen);
/* Whether any output is stdout. */
bool	rp_results_stdout(const struct rp_results *r);
/* Write one run's CSV rows and JSON document. */
void	rp_results_add(struct rp_results *r, const struct rp_report *rep);
/*
 * End the CSV and JSON outputs: committed when keep (0, or -1 with err),
 * discarded otherwise (0).  The chart is left to the caller.
 */
int	rp_results_close(struct rp_results *r, bool keep, char *err,
	    size_t errlen);
/* Discard every output not committed (error paths; idempotent). */
void	rp_results_discard(struct rp_results *r);

#endif /* PR_OUTPUT_H */
