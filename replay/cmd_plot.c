/*
 * cmd_plot.c - `pagereplay plot CSV -o FILE.svg|png [--kind KIND]`: charts
 * of any CSV of runs (replay --csv, sweep) with gnuplot.
 */
#include <err.h>
#include <getopt.h>
#include <stdio.h>
#include <string.h>

#include "cli.h"
#include "commands.h"
#include "output.h"
#include "plot.h"

/* The --help text. */
static void
plot_usage(FILE *f)
{
	fprintf(f,
	    "usage: pagereplay plot CSV -o FILE.svg|FILE.png "
	    "[-k KIND] [--by COLUMN]\n"
	    "           [--baseline COLUMN=VALUE] [--y COLUMN] "
	    "[--where COLUMN=VALUE]...\n"
	    "\n"
	    "Draw a chart of a CSV of runs (`replay --csv`, `sweep --csv`,\n"
	    "shards concatenated) with gnuplot (Debian: gnuplot-nox).\n"
	    "Repeated runs of a point are reduced to their median (bars:\n"
	    "min-max); zero values show at a floor labelled 0.\n"
	    "\n"
	    "  -o, --output FILE     the chart; .svg or .png picks the format\n"
	    "  -k, --kind KIND       throughput (default): events/s vs worker\n"
	    "                        threads (log2), a panel per design family\n"
	    "                        (--by), a line per remaining design;\n"
	    "                        speedup: the same over --baseline;\n"
	    "                        wait: lock wait p99 vs page-queue batch\n"
	    "                        size, a line per lock class, a panel per\n"
	    "                        other design and thread count;\n"
	    "                        hold: hold-time p50..max per lock class,\n"
	    "                        a panel per design and thread count\n"
	    "  --by COLUMN           throughput/speedup panels by COLUMN\n"
	    "                        (default page)\n"
	    "  --baseline COLUMN=VALUE\n"
	    "                        speedup: divide by the run with COLUMN =\n"
	    "                        VALUE and otherwise the same design\n"
	    "  --y COLUMN            wait: the column drawn (default\n"
	    "                        wait_p99_ns; e.g. contended)\n"
	    "  --where COLUMN=VALUE  only rows whose COLUMN (docs/csv.md) is\n"
	    "                        VALUE; repeatable, all must hold;\n"
	    "                        lock_instance=NAME draws a single\n"
	    "                        lock's rows (docs/csv.md) instead of\n"
	    "                        the lock classes'\n"
	    "  -h, --help            this text\n"
	    "\n"
	    "Manual: man pagereplay-plot; docs in " PR_DOCDIR "\n"
	    "\n"
	    "Example:\n"
	    "  pagereplay plot sweep.csv -o sweep.png\n"
	    "  pagereplay plot sweep.csv -o speedup.svg --kind speedup "
	    "--baseline page=pagelock:256\n"
	    "  pagereplay plot sweep.csv -o wait.svg --kind wait "
	    "--where page=refcount\n"
	    "  pagereplay plot sweep.csv -o hold.svg --kind hold "
	    "--where queue=batch:63 --where threads=2\n");
}

int
cmd_plot(int argc, char **argv)
{
	static const struct option longopts[] = {
		{ "output", required_argument, NULL, 'o' },
		{ "kind", required_argument, NULL, 'k' },
		{ "where", required_argument, NULL, 'w' },
		{ "by", required_argument, NULL, 'b' },
		{ "baseline", required_argument, NULL, 'B' },
		{ "y", required_argument, NULL, 'y' },
		{ "help", no_argument, NULL, 'h' },
		{ NULL, 0, NULL, 0 }
	};
	char *where[RP_PLOT_WHERE_MAX];
	struct rp_plot_opts po;
	struct rp_out o;
	const char *out;
	size_t nwhere;
	char err[512];
	int ch;

	memset(&o, 0, sizeof(o));
	memset(&po, 0, sizeof(po));
	out = NULL;
	nwhere = 0;
	optind = 1;
	opterr = 0;
	while ((ch = getopt_long(argc, argv, "o:k:h", longopts, NULL)) != -1) {
		switch (ch) {
		case 'o':
			out = optarg;
			break;
		case 'k':
			if (rp_plot_kind_parse(optarg, &po.kind) != 0) {
				warnx("plot: --kind: '%s' is not throughput, "
				    "speedup, wait or hold", optarg);
				return (EXIT_USAGE);
			}
			break;
		case 'w':
			if (nwhere == RP_PLOT_WHERE_MAX) {
				warnx("plot: more than %d --where filters",
				    RP_PLOT_WHERE_MAX);
				return (EXIT_USAGE);
			}
			where[nwhere++] = optarg;
			break;
		case 'b':
			po.by = optarg;
			break;
		case 'B':
			po.baseline = optarg;
			break;
		case 'y':
			po.y = optarg;
			break;
		case 'h':
			plot_usage(stdout);
			return (0);
		default:
			warnx("plot: bad option '%s' (see pagereplay "
			    "plot --help)", argv[optind - 1]);
			return (EXIT_USAGE);
		}
	}
	if (optind != argc - 1 || out == NULL) {
		warnx("plot: %s", out == NULL ? "no output given (-o FILE.svg)"
		    : optind >= argc ? "no CSV given" : "one CSV only");
		return (EXIT_USAGE);
	}
	if (rp_plot_check_name(out, err, sizeof(err)) != 0) {
		warnx("plot: -o %s", err);
		return (EXIT_USAGE);
	}
	if ((po.kind == RP_PLOT_SPEEDUP) != (po.baseline != NULL)) {
		warnx("plot: %s", po.baseline == NULL ? "--kind speedup needs "
		    "--baseline COLUMN=VALUE" : "--baseline is for --kind "
		    "speedup");
		return (EXIT_USAGE);
	}
	po.where = where;
	po.nwhere = nwhere;
	o.what = "-o";
	o.path = out;
	o.flags = RP_OUT_NAMED;
	if (rp_out_open(&o, 1, argv[optind], err, sizeof(err)) != 0) {
		warnx("plot: %s", err);
		return (1);
	}
	if (rp_plot_file(argv[optind], out, rp_out_name(&o), &po,
	    err, sizeof(err)) != 0 || rp_out_commit(&o, err, sizeof(err)) != 0) {
		rp_out_discard(&o);
		warnx("plot: %s", err);
		return (1);
	}
	return (0);
}
