/*
 * cmd_sweep.c - `pagereplay sweep TRACE`: replay the cross product of
 * designs, batch sizes, thread counts and scales, repeated, into one CSV.
 *
 * The trace is decoded once.  Runs are numbered in a fixed order (page,
 * queue, pv, pvchunk, scale, threads, preset, then repeat innermost); a
 * design axis not given follows each run's preset.  --shard i/n
 * runs the numbers k with k % n == i.  Every shard writes the CSV header
 * (a lone shard loads); `pagereplay merge` joins the shards' files.
 *
 * Steps: parse, axes (defaults, checks), set up (outputs created, trace
 * loaded), run (one sweep_one per run), finish (outputs committed, chart).
 */
#include <err.h>
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cli.h"
#include "commands.h"
#include "options.h"
#include "output.h"
#include "plot.h"
#include "report.h"
#include "session.h"

enum {
	OPT_THREADS = RP_OPT_COMMAND,
	OPT_PAGE,
	OPT_QUEUE,
	OPT_PV,
	OPT_PVCHUNK,
	OPT_SCALE,
	OPT_REPEAT,
	OPT_SHARD,
	OPT_PLOT,
	OPT_SIMULATE,
	OPT_MACHINE,
	OPT_SEED,
	OPT_THINK,
};

/* The list options, in the order of the cross product's loops. */
enum sweep_axis {
	AX_PAGE = 0,
	AX_QUEUE,
	AX_PV,
	AX_PVCHUNK,
	AX_SCALE,
	AX_THREADS,
	AX_PRESET,
	AX_COUNT
};

/* The design axes map onto the design families by index. */
_Static_assert(AX_PAGE == (int)ENG_FAM_PAGE && AX_QUEUE == (int)ENG_FAM_QUEUE &&
    AX_PV == (int)ENG_FAM_PV && AX_PVCHUNK == (int)ENG_FAM_PVCHUNK,
    "sweep's design axes and enum eng_family disagree");
_Static_assert(OPT_QUEUE - OPT_PAGE == AX_QUEUE &&
    OPT_PV - OPT_PAGE == AX_PV && OPT_PVCHUNK - OPT_PAGE == AX_PVCHUNK,
    "sweep's design options and axes disagree");

static const struct option sweep_long[] = {
	{ "threads", required_argument, NULL, OPT_THREADS },
	{ "page", required_argument, NULL, OPT_PAGE },
	{ "queue", required_argument, NULL, OPT_QUEUE },
	{ "pv", required_argument, NULL, OPT_PV },
	{ "pvchunk", required_argument, NULL, OPT_PVCHUNK },
	{ "scale", required_argument, NULL, OPT_SCALE },
	{ "repeat", required_argument, NULL, OPT_REPEAT },
	{ "shard", required_argument, NULL, OPT_SHARD },
	{ "plot", required_argument, NULL, OPT_PLOT },
	{ "simulate", no_argument, NULL, OPT_SIMULATE },
	{ "machine", required_argument, NULL, OPT_MACHINE },
	{ "seed", required_argument, NULL, OPT_SEED },
	{ "think", required_argument, NULL, OPT_THINK },
	RP_OPT_COMMON_LONG
};

/*
 * One axis: the items of a comma-separated list.  An empty item on a
 * design axis or the preset axis (the one item of an axis not given)
 * means "the preset's" / "no preset".
 */
struct sweep_list {
	char		*buf;		/* the list, commas made NULs */
	char		**item;
	size_t		 n;
};

/* A sweep, from the command line to the summary. */
struct sweep {
	struct rp_opts	 o;
	const char	*path;		/* the trace */
	struct sweep_list ax[AX_COUNT];	/* the lists, by enum sweep_axis */
	uint64_t	 repeat;	/* runs of each combination */
	uint64_t	 shard, nshards;	/* --shard I/N */
	uint64_t	 total;		/* runs of the whole sweep */
	uint64_t	 mine;		/* runs of this shard */
	uint64_t	 done;		/* runs of this shard completed */
	uint64_t	 violations;	/* invariant violations, all runs */
	const char	*plot;		/* --plot (NULL: none) */
	const char	*free;		/* --free; NULL: the preset's */
	struct rp_cpulist cpus;
	struct rp_results out;		/* --csv (default stdout), --json,
					   --plot */
	struct rp_host	 host;
	struct rp_trace	 t;
	bool		 loaded;
	struct rp_sim_opts so;		/* --simulate: --machine, --seed,
					   --think */
	bool		 simulate;
	const char	*sim_opt;	/* a simulation option given */
};

/* The --help text. */
static void
sweep_usage(FILE *f)
{
	char *design = NULL;
	size_t len = 0;
	FILE *df;

	if ((df = open_memstream(&design, &len)) != NULL) {
		rp_design_help(df, true);
		fclose(df);
	}
	fprintf(f,
	    "usage: pagereplay sweep TRACE [-t LIST] [--preset LIST] "
	    "[--page LIST]\n"
	    "           [--queue LIST] [--pv LIST] [--pvchunk LIST] "
	    "[--scale LIST]\n"
	    "           [--repeat R] [--shard I/N] [-o FILE.csv] "
	    "[--plot FILE.svg|FILE.png]\n"
	    "           [replay options]\n"
	    "\n"
	    "Replay TRACE (decoded once) for every combination of the lists,\n"
	    "R times each, in a fixed order, and write one CSV: the columns\n"
	    "of `replay --csv` (docs/csv.md), one row per run x lock class\n"
	    "and lock instance, the repeat index in `repeat`.  Lists are\n"
	    "comma-separated.  Without --preset and design lists the design\n"
	    "is the defaults, which are no release.\n"
	    "\n"
	    "  -t, --threads LIST    e.g. 1,2,4,8 (default: one per CPU)\n"
	    "  --preset LIST         e.g. freebsd13,freebsd14: a run per\n"
	    "                        release (`--preset help` lists them); a\n"
	    "                        design list given overrides every\n"
	    "                        preset, one not given follows it\n"
	    "%s"
	    "  --scale LIST          e.g. 1,4,16 (replicas of the streams)\n"
	    "  --repeat R            runs of each combination (default 1)\n"
	    "  --shard I/N           do only runs k with k %% N == I (0 <= I <\n"
	    "                        N; runs numbered in the fixed order, the\n"
	    "                        repeats innermost); `pagereplay merge`\n"
	    "                        joins the shards' files into the sweep\n"
	    "  --plot FILE           chart of the sweep (needs --csv FILE)\n"
	    "  --json FILE           a JSON array of every run's `replay\n"
	    "                        --json` document\n"
	    "  --simulate            simulate each run on --threads virtual\n"
	    "                        CPUs (pagereplay simulate), with:\n"
	    "  --machine M           a machine preset (simulate --help)\n"
	    "  --seed S              order of CPUs tied in virtual time\n"
	    "  --think recorded[:F]|DUR  think before each event\n"
	    "\n"
	    "Replay options (each run):\n"
	    "%s"
	    "\n"
	    "Without --csv (or -o FILE.csv) the CSV goes to stdout.\n"
	    "\n"
	    "Manual: man pagereplay-sweep; docs in " PR_DOCDIR "\n"
	    "\n"
	    "Example:\n"
	    "  pagereplay sweep build.prt --threads 1,2 "
	    "--page pagelock,refcount \\\n"
	    "      --queue locked,batch:8,batch:64 --repeat 3 --csv sweep.csv "
	    "--plot sweep.svg\n"
	    "  pagereplay sweep s.prt --preset freebsd13,freebsd14 -t 2 "
	    "-o eras.csv\n",
	    design != NULL ? design : "", rp_opt_common_help);
	free(design);
}

/*
 * Split a non-empty comma-separated list; an empty item is an error.
 * 0, or -1 with a reason printed.
 */
static int
sweep_list_parse(struct sweep_list *l, const char *opt, const char *arg)
{
	char *p;
	size_t n;

	free(l->buf);
	free(l->item);
	l->buf = strdup(arg);
	for (n = 1, p = l->buf; p != NULL && *p != '\0'; p++)
		n += *p == ',';
	l->item = calloc(n, sizeof(*l->item));
	if (l->buf == NULL || l->item == NULL) {
		warnx("sweep: out of memory");
		return (-1);
	}
	l->n = 0;
	for (p = l->buf;; p++) {
		l->item[l->n++] = p;
		p = strchr(p, ',');
		if (p == NULL)
			break;
		*p = '\0';
	}
	for (n = 0; n < l->n; n++) {
		if (l->item[n][0] == '\0') {
			warnx("sweep: --%s: malformed list '%s' (an empty "
			    "item)", opt, arg);
			return (-1);
		}
	}
	return (0);
}

/* The list of one empty item; 0, or -1 with a reason printed. */
static int
sweep_list_none(struct sweep_list *l)
{
	l->buf = strdup("");
	l->item = calloc(1, sizeof(*l->item));
	if (l->buf == NULL || l->item == NULL) {
		warnx("sweep: out of memory");
		return (-1);
	}
	l->item[0] = l->buf;
	l->n = 1;
	return (0);
}

/* Free a list's items (the list is reusable). */
static void
sweep_list_free(struct sweep_list *l)
{
	free(l->buf);
	free(l->item);
	memset(l, 0, sizeof(*l));
}

/* Check every item of a numeric axis; 0 or -1 with a reason printed. */
static int
sweep_check_numbers(const struct sweep_list *l, const char *opt,
    uint64_t max)
{
	uint64_t v;
	size_t i;

	for (i = 0; i < l->n; i++) {
		if (cli_parse_u64(l->item[i], 1, max, &v) != 0) {
			warnx("sweep: --%s: '%s' is not a number in "
			    "1..%llu", opt, l->item[i],
			    (unsigned long long)max);
			return (-1);
		}
	}
	return (0);
}

/* Whether spec is a valid design of family fam. */
static bool
sweep_design_ok(enum eng_family fam, const char *spec)
{
	struct eng_design d;
	char err[256];

	eng_design_default(&d);
	return (eng_design_parse(&d, fam, spec, err, sizeof(err)) == 0);
}

/*
 * Check every item of a design axis; 0 or -1 with a reason printed.  A
 * spec may itself hold a comma (pagelock:128,nopad): an item that is no
 * design alone but completes the one before it is joined to it.
 */
static int
sweep_check_designs(struct sweep_list *l, enum eng_family fam)
{
	struct eng_design d;
	char err[256];
	size_t i, j;

	if (l->n == 1 && l->item[0][0] == '\0')
		return (0);		/* the preset's */
	for (i = 1; i < l->n; i++) {
		if (sweep_design_ok(fam, l->item[i]))
			continue;
		l->item[i][-1] = ',';	/* items are consecutive in buf */
		if (!sweep_design_ok(fam, l->item[i - 1])) {
			l->item[i][-1] = '\0';
			continue;
		}
		for (j = i; j + 1 < l->n; j++)
			l->item[j] = l->item[j + 1];
		l->n--;
		i--;
	}
	for (i = 0; i < l->n; i++) {
		eng_design_default(&d);
		if (eng_design_parse(&d, fam, l->item[i], err,
		    sizeof(err)) != 0) {
			warnx("sweep: --%s: %s", eng_family_name(fam), err);
			return (-1);
		}
	}
	return (0);
}

/* --shard I/N */
static int
sweep_shard(const char *arg, uint64_t *i, uint64_t *n)
{
	char buf[64], *slash;

	snprintf(buf, sizeof(buf), "%s", arg);
	slash = strchr(buf, '/');
	if (slash == NULL)
		goto bad;
	*slash = '\0';
	if (cli_parse_u64(slash + 1, 1, 1000000, n) != 0 ||
	    cli_parse_u64(buf, 0, *n - 1, i) != 0)
		goto bad;
	return (0);
bad:
	warnx("sweep: --shard: '%s' is not I/N with 0 <= I < N", arg);
	return (-1);
}

/*
 * The configuration of combination idx[] (axis items, checked) into c:
 * the defaults, the run's preset, the design axes given, then --free.
 */
static void
sweep_config(const struct sweep *s, const size_t *idx, struct rp_config *c)
{
	const struct sweep_list *ax = s->ax;
	const char *item;
	char err[256];
	uint64_t v;
	int a;

	eng_design_default(&c->design);
	item = ax[AX_PRESET].item[idx[AX_PRESET]];
	if (item[0] != '\0')
		eng_preset_apply(&c->design, item, err, sizeof(err));
	for (a = AX_PAGE; a <= AX_PVCHUNK; a++) {
		item = ax[a].item[idx[a]];
		if (item[0] != '\0')
			eng_design_parse(&c->design, (enum eng_family)a, item,
			    err, sizeof(err));
	}
	if (s->free != NULL)
		eng_design_parse(&c->design, ENG_FAM_FREE, s->free, err,
		    sizeof(err));
	cli_parse_u64(ax[AX_SCALE].item[idx[AX_SCALE]], 1, RP_SCALE_MAX, &v);
	c->scale = (unsigned)v;
	cli_parse_u64(ax[AX_THREADS].item[idx[AX_THREADS]], 1, 4096, &v);
	c->threads = (unsigned)v;
}

/* Advance the odometer idx[] over the axes; false after the last. */
static bool
sweep_next(const struct sweep_list *ax, size_t *idx)
{
	int a;

	for (a = AX_COUNT - 1; a >= 0; a--) {
		if (++idx[a] < ax[a].n)
			return (true);
		idx[a] = 0;
	}
	return (false);
}

/* Format seconds as "1h02m", "3m05s" or "12s". */
static const char *
sweep_eta(double s, char *buf, size_t len)
{
	unsigned long t = s > 0 ? (unsigned long)(s + 0.5) : 0;

	if (t >= 3600)
		snprintf(buf, len, "%luh%02lum", t / 3600, t % 3600 / 60);
	else if (t >= 60)
		snprintf(buf, len, "%lum%02lus", t / 60, t % 60);
	else
		snprintf(buf, len, "%lus", t);
	return (buf);
}

/* The axes' option names, by enum sweep_axis. */
static const char *const axis_opt[AX_COUNT] = {
	"page", "queue", "pv", "pvchunk", "scale", "threads", "preset"
};

/*
 * --machine, --seed, --think of sweep --simulate (the presets only: host
 * and calibrated measure this machine, simulate's own).  0 or -1 after a
 * message.
 */
static int
sweep_sim_option(struct sweep *s, int ch, const char *arg)
{
	char err[512];
	int rc;

	s->sim_opt = sweep_long[ch - OPT_THREADS].name;
	if (ch == OPT_SEED) {
		rc = cli_parse_u64(arg, 0, UINT64_MAX, &s->so.seed);
		snprintf(err, sizeof(err), "--seed: '%s' is not a number", arg);
	} else if (ch == OPT_MACHINE)
		rc = rp_sim_machine_parse(&s->so, arg, err, sizeof(err));
	else {
		rc = rp_think_parse(&s->so, arg, err, sizeof(err));
		if (rc == 0 && s->so.think == RP_THINK_CALIBRATED) {
			snprintf(err, sizeof(err), "--think calibrated is "
			    "simulate's only (it measures this machine)");
			rc = -1;
		}
	}
	if (rc != 0)
		warnx("sweep: %s", err);
	return (rc);
}

/*
 * Parse the command line into s (lists unchecked).  0, or EXIT_USAGE
 * after a message; *helpp when --help was printed.
 */
static int
sweep_parse(struct sweep *s, int argc, char **argv, bool *helpp)
{
	char err[512];
	int ch, a;

	*helpp = false;
	rp_config_default(&s->o.cfg);
	rp_sim_opts_default(&s->so);
	s->repeat = 1;
	s->nshards = 1;
	optind = 1;
	opterr = 0;
	while ((ch = getopt_long(argc, argv, RP_OPT_SHORT, sweep_long,
	    NULL)) != -1) {
		if (ch == 't')
			ch = OPT_THREADS;
		switch (ch) {
		case OPT_THREADS:
		case OPT_PAGE:
		case OPT_QUEUE:
		case OPT_PV:
		case OPT_PVCHUNK:
		case OPT_SCALE:
			for (a = 0; a < AX_COUNT; a++)
				if (strcmp(axis_opt[a], sweep_long[ch -
				    OPT_THREADS].name) == 0)
					break;
			if (sweep_list_parse(&s->ax[a], axis_opt[a],
			    optarg) != 0)
				return (EXIT_USAGE);
			continue;
		case OPT_REPEAT:
			if (cli_parse_u64(optarg, 1, 100000, &s->repeat) !=
			    0) {
				warnx("sweep: --repeat: '%s' is not a number "
				    "in 1..100000", optarg);
				return (EXIT_USAGE);
			}
			continue;
		case OPT_SHARD:
			if (sweep_shard(optarg, &s->shard, &s->nshards) != 0)
				return (EXIT_USAGE);
			continue;
		case OPT_PLOT:
			s->plot = optarg;
			continue;
		case RP_OPT_PRESET:
			if (strcmp(optarg, "help") == 0) {
				rp_preset_list(stdout);
				*helpp = true;
				return (0);
			}
			if (sweep_list_parse(&s->ax[AX_PRESET], "preset",
			    optarg) != 0)
				return (EXIT_USAGE);
			continue;
		case RP_OPT_FREE:
			s->free = optarg;
			break;		/* checked by rp_opt_common */
		case OPT_SIMULATE:
			s->simulate = true;
			continue;
		case OPT_MACHINE:
		case OPT_SEED:
		case OPT_THINK:
			if (sweep_sim_option(s, ch, optarg) != 0)
				return (EXIT_USAGE);
			continue;
		case 'h':
		case RP_OPT_HELP:
			sweep_usage(stdout);
			*helpp = true;
			return (0);
		case '?':
			warnx("sweep: bad option '%s' (see pagereplay "
			    "sweep --help)", argv[optind - 1]);
			return (EXIT_USAGE);
		}
		if (rp_opt_common(ch, optarg, &s->o, err, sizeof(err)) < 0) {
			warnx("sweep: %s", err);
			return (EXIT_USAGE);
		}
	}
	if (optind != argc - 1) {
		warnx("sweep: %s", optind >= argc ? "no trace given" :
		    "one trace only");
		return (EXIT_USAGE);
	}
	s->path = argv[optind];
	if (s->sim_opt != NULL && !s->simulate) {
		warnx("sweep: --%s needs --simulate", s->sim_opt);
		return (EXIT_USAGE);
	}
	if (s->simulate)
		s->o.cfg.sim = &s->so;
	if (s->plot != NULL && (s->o.csv == NULL ||
	    strcmp(s->o.csv, "-") == 0)) {
		warnx("sweep: --plot needs --csv FILE (the chart is drawn "
		    "from it)");
		return (EXIT_USAGE);
	}
	if (s->plot != NULL && rp_plot_check_name(s->plot, err,
	    sizeof(err)) != 0) {
		warnx("sweep: --plot: %s", err);
		return (EXIT_USAGE);
	}
	return (0);
}

/*
 * Give the unset axes the replay default, check every item and count the
 * runs.  0, or EXIT_USAGE after a message.
 */
static int
sweep_axes(struct sweep *s)
{
	struct eng_design d;
	char err[512], num[32];
	const char *dflt;
	uint64_t total;
	size_t k;
	bool over;
	int a;

	if (rp_cpus_resolve(s->o.cpus, 0, &s->cpus, &over, err,
	    sizeof(err)) != 0) {
		warnx("sweep: --cpus: %s", err);
		return (EXIT_USAGE);
	}
	for (a = 0; a < AX_COUNT; a++) {
		if (s->ax[a].n > 0)
			continue;
		switch (a) {
		case AX_SCALE:
			dflt = "1";
			break;
		case AX_THREADS:
			snprintf(num, sizeof(num), "%zu", s->cpus.n);
			dflt = num;
			break;
		default:		/* the preset's, or no preset */
			dflt = NULL;
		}
		if (dflt == NULL ? sweep_list_none(&s->ax[a]) :
		    sweep_list_parse(&s->ax[a], axis_opt[a], dflt) != 0)
			return (EXIT_USAGE);
	}
	for (k = 0; k < s->ax[AX_PRESET].n; k++) {
		if (s->ax[AX_PRESET].item[k][0] == '\0')
			continue;
		eng_design_default(&d);
		if (eng_preset_apply(&d, s->ax[AX_PRESET].item[k], err,
		    sizeof(err)) != 0) {
			warnx("sweep: --preset: %s", err);
			return (EXIT_USAGE);
		}
	}
	if (sweep_check_designs(&s->ax[AX_PAGE], ENG_FAM_PAGE) != 0 ||
	    sweep_check_designs(&s->ax[AX_QUEUE], ENG_FAM_QUEUE) != 0 ||
	    sweep_check_designs(&s->ax[AX_PV], ENG_FAM_PV) != 0 ||
	    sweep_check_designs(&s->ax[AX_PVCHUNK], ENG_FAM_PVCHUNK) != 0 ||
	    sweep_check_numbers(&s->ax[AX_SCALE], "scale", RP_SCALE_MAX) !=
	    0 || sweep_check_numbers(&s->ax[AX_THREADS], "threads", 4096) !=
	    0)
		return (EXIT_USAGE);
	total = s->repeat;
	for (a = 0; a < AX_COUNT; a++)
		total *= s->ax[a].n;
	s->total = total;
	s->mine = total / s->nshards + (s->shard < total % s->nshards ? 1 :
	    0);
	return (0);
}

/*
 * Everything before the runs: the outputs created (so a bad path fails
 * now), the trace loaded and judged, the largest scale's memory checked.
 * 0 or -1 after a message.
 */
static int
sweep_setup(struct sweep *s)
{
	struct rp_config c;
	char err[512], warn[512];
	uint64_t v, maxscale;
	size_t k;

	rp_run_catch_signals();
	rp_results_init(&s->out, s->o.csv != NULL ? s->o.csv : "-",
	    s->o.json, s->plot, true, true);
	if (s->o.csv == NULL)
		s->out.out[RP_RES_CSV].what = "the CSV (stdout without --csv)";
	if (rp_results_open(&s->out, s->path, err, sizeof(err)) != 0) {
		warnx("sweep: %s", err);
		return (-1);
	}
	if (rp_session_load(s->path, s->o.salvage, &s->t, warn, sizeof(warn),
	    err, sizeof(err)) != 0) {
		warnx("sweep: %s", err);
		return (-1);
	}
	s->loaded = true;
	if (warn[0] != '\0')
		warnx("sweep: warning: %s", warn);
	maxscale = 1;
	for (k = 0; k < s->ax[AX_SCALE].n; k++) {
		cli_parse_u64(s->ax[AX_SCALE].item[k], 1, RP_SCALE_MAX, &v);
		if (v > maxscale)
			maxscale = v;
	}
	c = s->o.cfg;
	c.scale = (unsigned)maxscale;
	if (rp_session_fits(&s->t, &c, err, sizeof(err)) != 0) {
		warnx("sweep: %s", err);
		return (-1);
	}
	rp_host_get(&s->host);
	return (0);
}

/*
 * Run k of the sweep: combination idx[], repeat r.  0 with the run's rows
 * written; 1 when it was interrupted (nothing written); -1 after a
 * message.
 */
static int
sweep_one(struct sweep *s, const size_t *idx, unsigned r, uint64_t k,
    uint64_t t0, unsigned *warned)
{
	struct rp_run_result res;
	struct rp_report rep;
	struct rp_config c;
	char err[512], eta[32], d[4][64];
	const char *preset;
	int rc;

	c = s->o.cfg;
	c.cpus = &s->cpus;
	c.run.progress = false;
	sweep_config(s, idx, &c);
	if (c.sim == NULL && c.threads > s->cpus.n && c.threads > *warned) {
		warnx("sweep: warning: %u threads on %zu CPUs: workers share "
		    "CPUs", c.threads, s->cpus.n);
		*warned = c.threads;
	}
	preset = s->ax[AX_PRESET].item[idx[AX_PRESET]];
	cli_progress("sweep: run %llu of %llu (%s%s%s, %s, %s, %s, scale %u, "
	    "%u threads, repeat %u)%s%s", (unsigned long long)s->done + 1,
	    (unsigned long long)s->mine, preset, preset[0] != '\0' ? ": " :
	    "", eng_design_format(&c.design, ENG_FAM_PAGE, d[0],
	    sizeof(d[0])), eng_design_format(&c.design, ENG_FAM_QUEUE, d[1],
	    sizeof(d[1])), eng_design_format(&c.design, ENG_FAM_PV, d[2],
	    sizeof(d[2])), eng_design_format(&c.design, ENG_FAM_PVCHUNK, d[3],
	    sizeof(d[3])), c.scale,
	    c.threads, r, s->done > 0 ? ", ETA " : "", s->done > 0 ?
	    sweep_eta((cli_now_ns() - t0) / 1e9 / s->done * (s->mine -
	    s->done), eta, sizeof(eta)) : "");
	memset(&rep, 0, sizeof(rep));
	rep.host = &s->host;
	rep.trace = s->path;
	rep.preset = preset[0] != '\0' ? preset : NULL;
	rep.repeat = r;
	rep.run_index = k;
	rep.runs = s->total;
	rep.shard = s->shard;
	rep.nshards = s->nshards;
	rp_report_run_id(&rep, &s->host, (unsigned)k);
	if (rp_session_run(&s->t, &c, &rep, &res, err, sizeof(err)) != 0) {
		cli_progress_done();
		warnx("sweep: run %llu: %s", (unsigned long long)k, err);
		return (-1);
	}
	rc = 1;
	if (!res.interrupted) {
		if (rp_results_stdout(&s->out))
			cli_progress_done();	/* rows on a line of their own */
		rp_results_add(&s->out, &rep);
		if (rep.check_violations > 0)
			s->violations += (uint64_t)rep.check_violations;
		s->done++;
		rc = 0;
	}
	rp_run_result_free(&res);
	return (rc);
}

/*
 * This shard's runs, in the fixed order.  0 when all ran, 1 when
 * interrupted, -1 on an error (after a message).
 */
static int
sweep_run(struct sweep *s)
{
	size_t idx[AX_COUNT];
	uint64_t k, t0;
	unsigned r, warned;
	int rc;

	memset(idx, 0, sizeof(idx));
	warned = 0;
	t0 = cli_now_ns();
	k = 0;
	rc = 0;
	do {
		for (r = 0; r < s->repeat && rc == 0; r++, k++)
			if (k % s->nshards == s->shard)
				rc = sweep_one(s, idx, r, k, t0, &warned);
	} while (rc == 0 && sweep_next(s->ax, idx));
	cli_progress_done();
	return (rc);
}

/*
 * The outputs committed (those of an interrupted sweep too: they hold the
 * completed runs; nothing of a failed one), the chart, and the exit status.
 */
static int
sweep_finish(struct sweep *s, int ran)
{
	struct rp_out *plot = &s->out.out[RP_RES_PLOT];
	char err[512];

	if (rp_results_close(&s->out, ran >= 0, err, sizeof(err)) != 0) {
		warnx("sweep: %s", err);
		return (1);
	}
	if (ran < 0)
		return (1);
	if (ran > 0) {
		warnx("sweep: interrupted after %llu of %llu runs; the CSV "
		    "holds the completed ones", (unsigned long long)s->done,
		    (unsigned long long)s->mine);
		return (1);
	}
	fprintf(stderr, "sweep: wrote %llu runs x %u lock classes and %u "
	    "lock instances to %s%s%s", (unsigned long long)s->done,
	    LC_COUNT, eng_lock_inst_count(), s->o.csv != NULL ?
	    s->o.csv : "stdout", s->o.json != NULL ? " and " : "",
	    s->o.json != NULL ? s->o.json : "");
	if (s->nshards > 1)
		fprintf(stderr, " (shard %llu/%llu of %llu runs)",
		    (unsigned long long)s->shard,
		    (unsigned long long)s->nshards,
		    (unsigned long long)s->total);
	fputc('\n', stderr);
	if (s->violations > 0) {
		warnx("sweep: invariant check failed: %llu violations",
		    (unsigned long long)s->violations);
		return (1);
	}
	if (s->plot == NULL)
		return (0);
	if (rp_plot(s->o.csv, plot, RP_PLOT_THROUGHPUT, NULL, 0, err,
	    sizeof(err)) != 0) {
		warnx("sweep: --plot: %s", err);
		return (1);
	}
	if (rp_out_commit(plot, err, sizeof(err)) != 0) {
		warnx("sweep: %s", err);
		return (1);
	}
	return (0);
}

int
cmd_sweep(int argc, char **argv)
{
	struct sweep s;
	bool help;
	int a, rc;

	memset(&s, 0, sizeof(s));
	rc = sweep_parse(&s, argc, argv, &help);
	if (rc == 0 && !help)
		rc = sweep_axes(&s);
	if (rc == 0 && !help)
		rc = sweep_setup(&s) == 0 ? sweep_finish(&s, sweep_run(&s)) :
		    1;
	rp_results_discard(&s.out);
	if (s.loaded)
		rp_trace_free(&s.t);
	rp_cpulist_free(&s.cpus);
	for (a = 0; a < AX_COUNT; a++)
		sweep_list_free(&s.ax[a]);
	return (rc);
}
