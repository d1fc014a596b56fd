/*
 * cmd_footprint.c - `pagereplay footprint`: the command shell (options,
 * usage, printing) around eng_footprint(), the engine's measurement of the
 * locks and atomics each VM operation takes under a design
 * (engine/footprint.c).
 */
#include <err.h>
#include <getopt.h>
#include <inttypes.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>

#include "cli.h"
#include "commands.h"
#include "engine.h"
#include "options.h"

static void
fp_progress(const char *event)
{
	cli_progress("footprint: %s", event);
}

static void
fp_usage(FILE *f)
{
	char syn[256];

	fprintf(f,
	    "usage: pagereplay footprint [--preset NAME] [--page SPEC] "
	    "[--queue SPEC]\n"
	    "                            [--pv SPEC] [--pvchunk SPEC] "
	    "[--free SPEC] [--json]\n"
	    "\n"
	    "For each event kind, the locks taken (per lock class) and the "
	    "atomic\n"
	    "read-modify-writes executed by one single-threaded execution on "
	    "a model\n"
	    "prepared so the event does its full work, with the batch queues "
	    "drained\n"
	    "(deferred work shows as 0), and beside it the acquisitions per "
	    "event\n"
	    "amortized over %d executions back to back (%d for promote and "
	    "demote),\n"
	    "where a batch flush shows as 1/N.  Read from the engine's lock "
	    "counters.\n"
	    "\n", ENG_FP_REPS, ENG_FP_REPS_SUPER);
	rp_design_help(f, false);
	fprintf(f,
	    "  --preset NAME  every family as a release shipped it:\n"
	    "             %s;\n"
	    "             `--preset help` lists their designs "
	    "(docs/presets.md).\n"
	    "             Family options after --preset override it.  "
	    "Without a preset\n"
	    "             the design is the defaults, which are no release.\n",
	    eng_preset_names(", ", syn, sizeof(syn)));
	fprintf(f,
	    "  --json     a list of {event, lock_class, acquisitions, "
	    "amortized, atomics}\n"
	    "  -h, --help\n"
	    "\n"
	    "Variants: release:nocache and sendfile:nocache (SF_NOCACHE), "
	    "release:dontneed\n"
	    "(POSIX_FADV_DONTNEED of an active page), deactivate:head, "
	    "deactivate:inactive\n"
	    "(of a page already inactive), map:write, map:new (a fault that "
	    "allocates\n"
	    "the page), sendfile:miss (of a page not resident, which it "
	    "reads).  Events\n"
	    "that were skipped show \"(skipped)\".\n"
	    "\n"
	    "Manual: man pagereplay-footprint; docs in " PR_DOCDIR "\n"
	    "\n"
	    "example: pagereplay footprint --page pagelock --queue batch:63\n");
}

static void
fp_print(const struct eng_design *d, const struct eng_fp_row *rows, bool json)
{
	const struct eng_fp_row *row;
	char b[64];
	unsigned i, lc, n = 0;
	int fam;
	bool any;

	if (!json) {
		printf("#");
		for (fam = 0; fam < ENG_FAM_COUNT; fam++)
			printf("%s %s %s", fam > 0 ? "," : "", eng_family_name(
			    (enum eng_family)fam), eng_design_format(d,
			    (enum eng_family)fam, b, sizeof(b)));
		printf("\n");
		printf("%-19s %-10s %12s %10s %8s\n", "EVENT", "LOCK_CLASS",
		    "ACQUISITIONS", "AMORTIZED", "ATOMICS");
	} else
		printf("[");
	for (i = 0; i < ENG_FP_NVARIANTS; i++) {
		row = &rows[i];
		any = false;
		for (lc = 0; lc < LC_COUNT; lc++) {
			if (row->single.acq[lc] == 0 &&
			    row->single.atomics[lc] == 0 &&
			    row->total.acq[lc] == 0)
				continue;
			any = true;
			if (json)
				printf("%s\n  {\"event\": \"%s\", "
				    "\"lock_class\": \"%s\", "
				    "\"acquisitions\": %" PRIu64 ", "
				    "\"amortized\": %.3f, \"atomics\": %" PRIu64
				    "}", n++ ? "," : "", rows[i].event,
				    eng_lock_class_name(lc),
				    row->single.acq[lc],
				    (double)row->total.acq[lc] / row->reps,
				    row->single.atomics[lc]);
			else
				printf("%-19s %-10s %12" PRIu64 " %10.3f "
				    "%8" PRIu64 "%s\n", rows[i].event,
				    eng_lock_class_name(lc),
				    row->single.acq[lc],
				    (double)row->total.acq[lc] / row->reps,
				    row->single.atomics[lc],
				    row->single_rv ? "  (skipped)" : "");
		}
		if (!any && !json)
			printf("%-19s %-10s %12d %10.3f %8d%s\n",
			    rows[i].event, "-", 0, 0.0, 0,
			    row->single_rv ? "  (skipped)" : "");
	}
	if (json)
		printf("\n]\n");
}

/* getopt values: a design family's option is FP_OPT_FAM + its family. */
enum { FP_OPT_JSON = 256, FP_OPT_PRESET, FP_OPT_FAM };

int
cmd_footprint(int argc, char **argv)
{
	static const struct option opts[] = {
		{ "page", required_argument, NULL, FP_OPT_FAM + ENG_FAM_PAGE },
		{ "queue", required_argument, NULL,
		    FP_OPT_FAM + ENG_FAM_QUEUE },
		{ "pv", required_argument, NULL, FP_OPT_FAM + ENG_FAM_PV },
		{ "pvchunk", required_argument, NULL,
		    FP_OPT_FAM + ENG_FAM_PVCHUNK },
		{ "free", required_argument, NULL, FP_OPT_FAM + ENG_FAM_FREE },
		{ "preset", required_argument, NULL, FP_OPT_PRESET },
		{ "json", no_argument, NULL, FP_OPT_JSON },
		{ "help", no_argument, NULL, 'h' },
		{ NULL, 0, NULL, 0 },
	};
	struct eng_design d;
	struct eng_fp_row *rows;
	enum eng_family fam;
	bool json = false;
	char err[256];
	int ch;

	eng_design_default(&d);
	optind = 1;
	while ((ch = getopt_long(argc, argv, "h", opts, NULL)) != -1) {
		if (ch >= FP_OPT_FAM && ch < FP_OPT_FAM + ENG_FAM_COUNT) {
			fam = (enum eng_family)(ch - FP_OPT_FAM);
			if (eng_design_parse(&d, fam, optarg, err,
			    sizeof(err)) != 0) {
				warnx("footprint: --%s: %s",
				    eng_family_name(fam), err);
				return (EXIT_USAGE);
			}
			continue;
		}
		switch (ch) {
		case FP_OPT_JSON:
			json = true;
			break;
		case FP_OPT_PRESET:
			switch (rp_opt_preset(optarg, &d, err, sizeof(err))) {
			case 0:
				break;
			case 1:
				return (0);
			default:
				warnx("footprint: --preset: %s", err);
				return (EXIT_USAGE);
			}
			break;
		case 'h':
			fp_usage(stdout);
			return (0);
		default:
			fp_usage(stderr);
			return (EXIT_USAGE);
		}
	}
	if (optind != argc) {
		warnx("footprint: unexpected argument '%s'", argv[optind]);
		fp_usage(stderr);
		return (EXIT_USAGE);
	}
	rows = calloc(ENG_FP_NVARIANTS, sizeof(*rows));
	if (rows == NULL) {
		warnx("footprint: out of memory");
		return (1);
	}
	if (eng_footprint(&d, rows, cli_progress_enabled() ?
	    fp_progress : NULL, err, sizeof(err)) != 0) {
		warnx("footprint: %s", err);
		free(rows);
		return (1);
	}
	if (cli_progress_enabled())
		cli_progress_done();
	fp_print(&d, rows, json);
	free(rows);
	return (0);
}
