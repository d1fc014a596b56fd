/*
 * plot.h - charts of a CSV of runs (docs/csv.md) drawn with gnuplot:
 *	throughput	events/s vs worker threads (log2 axis), one panel per
 *			design family (--by COLUMN, default page), a line per
 *			remaining design, min-max bars over repeats
 *	speedup		the same relative to a baseline (--baseline
 *			COLUMN=VALUE): each run over the baseline run that
 *			differs only in COLUMN
 *	wait		wait p99 (or --y COLUMN) vs queue batch size, a line
 *			per lock class, a panel per remaining design and
 *			thread count
 *	hold		hold-time distribution (p50 .. max), a line per lock
 *			class, a panel per design and thread count
 * Repeated runs of one point are reduced to their median (the bars show
 * their range); quantiles are never combined across designs.  Zero values
 * stay on a log axis at a floor labelled "0".  Filters ("column=value",
 * all must hold) pick the rows.  The chart is drawn into an output of
 * output.h, which the caller commits only when gnuplot succeeded, so a
 * failure leaves no file behind.
 */
#ifndef PR_PLOT_H
#define PR_PLOT_H

#include <stddef.h>

#include "output.h"

enum rp_plot_kind {
	RP_PLOT_THROUGHPUT = 0,
	RP_PLOT_SPEEDUP,
	RP_PLOT_WAIT,
	RP_PLOT_HOLD,
	RP_PLOT_COUNT
};

#define RP_PLOT_WHERE_MAX	16

/* What to draw; zero-filled plus kind is the default chart. */
struct rp_plot_opts {
	enum rp_plot_kind	 kind;
	char *const		*where;		/* "COLUMN=VALUE" filters */
	size_t			 nwhere;
	const char		*by;		/* panel column (throughput,
						   speedup); NULL: page */
	const char		*baseline;	/* speedup: "COLUMN=VALUE" */
	const char		*y;		/* wait: column; NULL:
						   wait_p99_ns */
	int			 width, height;	/* pixels; 0: by panels */
};

int	rp_plot_kind_parse(const char *s, enum rp_plot_kind *k);
/* The output must end in .svg or .png; 0 or -1 with err. */
int	rp_plot_check_name(const char *out, char *err, size_t errlen);

/*
 * Split one CSV line (RFC 4180 quoting, no newlines inside fields) in
 * place into f[0..max); returns the number of fields.
 */
size_t	rp_csv_split(char *line, char **f, size_t max);

#define RP_CSV_FIELDS_MAX	256

/*
 * What rp_csv_read() calls: header with all header fields f[0..n) (NULL:
 * nothing to check), then row for every data row that passes the filters,
 * with v[i] the field of names[i], v[nnames] the row's lock_instance ("":
 * a lock-class row, or a CSV before schema 3) and all fields f[0..n).
 * Each returns 0, or -1 with a one-line reason in err, which stops the
 * reading.  The lock-instance rows (docs/csv.md) are read only with
 * instances, or when a filter names lock_instance.
 */
struct rp_csv_reader {
	int	(*header)(void *arg, char **f, size_t n, char *err,
		    size_t errlen);
	int	(*row)(void *arg, char **v, char **f, size_t n, char *err,
		    size_t errlen);
	void	*arg;
	bool	 instances;
};

/*
 * Read a CSV of runs (shards concatenated: repeated headers are skipped)
 * that must have the columns names[0..nnames), keeping the rows that
 * match every filter where[0..nwhere) ("COLUMN=VALUE").  0, or -1 with
 * err.
 */
int	rp_csv_read(const char *csv, const char *const *names, size_t nnames,
	    char *const *where, size_t nwhere, struct rp_csv_reader *rd,
	    char *err, size_t errlen);

/*
 * Draw the rows of csv that match every filter into the file name (NULL:
 * path); path's suffix gives the format.  Returns 0, or -1 with a
 * one-line reason in err.
 */
int	rp_plot_file(const char *csv, const char *path, const char *name,
	    const struct rp_plot_opts *po, char *err, size_t errlen);

/*
 * Draw the default chart of a kind into out (opened by rp_out_open with
 * RP_OUT_NAMED); the caller commits or discards out.
 */
int	rp_plot(const char *csv, const struct rp_out *out,
	    enum rp_plot_kind kind, char *const *where, size_t nwhere,
	    char *err, size_t errlen);

#endif /* PR_PLOT_H */
