/*
 * plot.h - charts of a CSV of runs (docs/csv.md) drawn with gnuplot:
 *	throughput	events/s vs worker threads, one line per design
 *	wait		wait p99 vs queue batch size, one line per lock class
 *			and thread count
 *	hold		hold-time distribution (p50 .. max) per lock class
 * Repeated runs of one point are reduced to their median; filters
 * ("column=value", all must hold) pick the rows, e.g. one design.  The chart is
 * drawn into a temporary file and renamed into place only when gnuplot
 * succeeded, so a failure leaves no file behind.
 */
#ifndef PR_PLOT_H
#define PR_PLOT_H

#include <stddef.h>

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
 * Draw the rows of csv that match every filter where[0..nwhere) into out.
 * Returns 0, or -1 with a one-line reason in err.
 */
int	rp_plot(const char *csv, const char *out, enum rp_plot_kind kind,
	    char *const *where, size_t nwhere, char *err, size_t errlen);

#endif /* PR_PLOT_H */
