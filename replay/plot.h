/*
 * plot.h - charts of a CSV of runs (docs/csv.md) drawn with gnuplot:
 *	throughput	events/s vs worker threads, one line per design
 *	wait		wait p99 vs queue batch size, one line per lock class
 *			and thread count
 *	hold		hold-time distribution (p50 .. max) per lock class
 * Repeated runs of one point are reduced to their median; filters
 * ("column=value", all must hold) pick the rows, e.g. one design.  The
 * chart is drawn into an output of output.h, which the caller commits only
 * when gnuplot succeeded, so a failure leaves no file behind.
 */
#ifndef PR_PLOT_H
#define PR_PLOT_H

#include <stddef.h>

#include "output.h"

enum rp_plot_kind {
	RP_PLOT_THROUGHPUT = 0,
	RP_PLOT_WAIT,
	RP_PLOT_HOLD,
	RP_PLOT_COUNT
};

int	rp_plot_kind_parse(const char *s, enum rp_plot_kind *k);
/* The output must end in .svg or .png; 0 or -1 with err. */
int	rp_plot_check_name(const char *out, char *err, size_t errlen);
#define RP_PLOT_WHERE_MAX	16

/*
 * Draw the rows of csv that match every filter where[0..nwhere) into out
 * (opened by rp_out_open with RP_OUT_NAMED; its name gives the format).
 * Returns 0, or -1 with a one-line reason in err; the caller commits or
 * discards out.
 */
int	rp_plot(const char *csv, const struct rp_out *out,
	    enum rp_plot_kind kind, char *const *where, size_t nwhere,
	    char *err, size_t errlen);

#endif /* PR_PLOT_H */
