/*
 * cmd_replay.c - `pagereplay replay TRACE`: replay a trace on pinned worker
 * threads against one lock design and report throughput and lock times.
 *
 * Steps: parse, set up (outputs created, trace loaded), run, finish (the
 * report, outputs committed, exit status).
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
#include "report.h"
#include "session.h"

enum {
	OPT_THREADS = RP_OPT_COMMAND,
	OPT_PAGE,
	OPT_QUEUE,
	OPT_PV,
	OPT_PVCHUNK,
	OPT_SCALE,
};

/* --page .. --pvchunk map onto the design families by offset. */
_Static_assert(OPT_QUEUE - OPT_PAGE == ENG_FAM_QUEUE &&
    OPT_PV - OPT_PAGE == ENG_FAM_PV &&
    OPT_PVCHUNK - OPT_PAGE == ENG_FAM_PVCHUNK && ENG_FAM_PAGE == 0,
    "replay's design options and enum eng_family disagree");

static const struct option replay_long[] = {
	{ "threads", required_argument, NULL, OPT_THREADS },
	{ "page", required_argument, NULL, OPT_PAGE },
	{ "queue", required_argument, NULL, OPT_QUEUE },
	{ "pv", required_argument, NULL, OPT_PV },
	{ "pvchunk", required_argument, NULL, OPT_PVCHUNK },
	{ "scale", required_argument, NULL, OPT_SCALE },
	RP_OPT_PRINT_LONG
	RP_OPT_COMMON_LONG
};

/* The --help text. */
static void
replay_usage(FILE *f)
{
	fprintf(f,
	    "usage: pagereplay replay TRACE [-t N] [-C LIST] "
	    "[-o FILE.csv|FILE.json]\n"
	    "           [--preset NAME] [--page SPEC] [--queue SPEC] "
	    "[--pv SPEC]\n"
	    "           [--pvchunk SPEC] [--free SPEC]\n"
	    "           [--partition tid|cpu|object] [--scale K] "
	    "[--scale-mode disjoint|shared]\n"
	    "           [--pace asap|recorded[:F]] [--warmup N|DUR] "
	    "[--duration DUR]\n"
	    "           [--loop N] [--no-timing] [--hold-sample N] [--no-hwc] "
	    "[--check]\n"
	    "           [--phys-mem SIZE|Fx]\n"
	    "           [--csv FILE|-] [--json FILE|-] [--salvage] "
	    "[--no-prime]\n"
	    "           [--sort KEY] [-E N] [--wide]\n"
	    "\n"
	    "Replay TRACE on worker threads pinned to CPUs against one lock\n"
	    "design of the VM model; report events/s (total and per worker),\n"
	    "skipped events, per lock class acquisitions, contention, CAS\n"
	    "retries and wait/hold times (p50 p90 p99 p99.9 max, totals),\n"
	    "and hardware counters per event where the kernel allows.  Wait\n"
	    "times are over the contended acquisitions (as perf lock\n"
	    "contention and lockstat report them), hold times over all.\n"
	    "\n"
	    "  -t, --threads N       worker threads (default: one per CPU)\n"
	    "  --preset NAME         every design family as a release shipped\n"
	    "                        it: freebsd10, freebsd12, freebsd13,\n"
	    "                        freebsd14, dragonfly56, d24217 (`--preset\n"
	    "                        help` lists their designs;\n"
	    "                        docs/presets.md); design\n"
	    "                        options after it override it.  Without\n"
	    "                        it the design is the defaults below,\n"
	    "                        which are no release\n");
	rp_design_help(f, false);
	fprintf(f,
	    "  --scale K             replicate the streams K times\n"
	    "  --sort KEY            order of the lock-class and call-site\n"
	    "                        tables: wait_total (default; contended\n"
	    "                        with --no-timing), contended, wait_max,\n"
	    "                        avg_wait, acquired, hold_total, hold_max\n"
	    "  -E, --entries N       print the top N lock classes and call\n"
	    "                        sites (default: every class, 10 sites)\n"
	    "  --wide                every column (CAS retries, atomics, all\n"
	    "                        wait/hold quantiles); default fits 100\n"
	    "                        columns\n"
	    "%s"
	    "\n"
	    "Manual: man pagereplay-replay; docs in " PR_DOCDIR "\n"
	    "\n"
	    "Examples:\n"
	    "  pagereplay replay build.prt --threads 16 --cpus 0-15 \\\n"
	    "      --page refcount --queue batch:64 --pv perpage "
	    "--csv run.csv\n"
	    "  pagereplay replay s.prt --scale 8 --scale-mode disjoint "
	    "--check\n",
	    rp_opt_common_help);
}

/* Parse one design family's option; 0 or -1 with a message printed. */
static int
replay_design(struct eng_design *d, enum eng_family fam, const char *opt,
    const char *arg)
{
	char err[256];

	if (eng_design_parse(d, fam, arg, err, sizeof(err)) == 0)
		return (0);
	warnx("replay: --%s: %s", opt, err);
	return (-1);
}

/* A replay, from the command line to the report. */
struct replay {
	struct rp_opts	 o;
	const char	*path;		/* the trace */
	struct rp_print_opts print;	/* --sort, -E, --wide */
	struct rp_cpulist cpus;
	struct rp_results out;		/* --csv, --json */
	FILE		*human;		/* the report: stdout, or stderr
					   when data goes to stdout */
	struct rp_trace	 t;
	bool		 loaded;
};

/*
 * Parse and check the command line into r.  0, or EXIT_USAGE after a
 * message; *helpp when --help was printed.
 */
static int
replay_parse(struct replay *r, int argc, char **argv, bool *helpp)
{
	struct rp_opts *o = &r->o;
	uint64_t v;
	char err[512];
	bool over;
	int ch, rc;

	*helpp = false;
	rp_config_default(&o->cfg);
	r->print.sort = -1;
	optind = 1;
	opterr = 0;
	while ((ch = getopt_long(argc, argv, RP_OPT_SHORT "E:", replay_long,
	    NULL)) != -1) {
		switch (ch) {
		case 't':
		case OPT_THREADS:
			if (cli_parse_u64(optarg, 1, 4096, &v) != 0) {
				warnx("replay: --threads: '%s' is not a "
				    "number in 1..4096", optarg);
				return (EXIT_USAGE);
			}
			o->cfg.threads = (unsigned)v;
			continue;
		case OPT_PAGE:
		case OPT_QUEUE:
		case OPT_PV:
		case OPT_PVCHUNK:
			if (replay_design(&o->cfg.design, (enum eng_family)
			    (ch - OPT_PAGE), replay_long[ch - OPT_THREADS].name,
			    optarg) != 0)
				return (EXIT_USAGE);
			continue;
		case OPT_SCALE:
			if (cli_parse_u64(optarg, 1, RP_SCALE_MAX, &v) != 0) {
				warnx("replay: --scale: '%s' is not a number "
				    "in 1..%d", optarg, RP_SCALE_MAX);
				return (EXIT_USAGE);
			}
			o->cfg.scale = (unsigned)v;
			continue;
		case 'h':
		case RP_OPT_HELP:
			replay_usage(stdout);
			*helpp = true;
			return (0);
		case '?':
			warnx("replay: bad option '%s' (see pagereplay "
			    "replay --help)", argv[optind - 1]);
			return (EXIT_USAGE);
		}
		rc = rp_opt_print(ch, optarg, &r->print, err, sizeof(err));
		if (rc == 0)
			rc = rp_opt_common(ch, optarg, o, err, sizeof(err));
		if (rc < 0) {
			warnx("replay: %s", err);
			return (EXIT_USAGE);
		}
	}
	if (optind != argc - 1) {
		warnx("replay: %s", optind >= argc ? "no trace given" :
		    "one trace only");
		return (EXIT_USAGE);
	}
	r->path = argv[optind];
	if (rp_cpus_resolve(o->cpus, o->cfg.threads, &r->cpus, &over, err,
	    sizeof(err)) != 0) {
		warnx("replay: --cpus: %s", err);
		return (EXIT_USAGE);
	}
	if (o->cfg.threads == 0)
		o->cfg.threads = (unsigned)r->cpus.n;
	else if (over)
		warnx("replay: warning: %u threads on %zu CPUs: workers share "
		    "CPUs", o->cfg.threads, r->cpus.n);
	o->cfg.cpus = &r->cpus;
	o->cfg.run.progress = cli_progress_enabled();
	return (0);
}

/*
 * Everything before the run: the outputs created (so a bad path fails
 * now), the trace loaded and judged, its memory needs checked.  0 or -1
 * after a message.
 */
static int
replay_setup(struct replay *r)
{
	struct rp_memory mem;
	char err[512], warn[512];

	rp_run_catch_signals();
	rp_results_init(&r->out, r->o.csv, r->o.json, NULL, true, false);
	if (rp_results_open(&r->out, r->path, err, sizeof(err)) != 0) {
		warnx("replay: %s", err);
		return (-1);
	}
	r->human = rp_results_stdout(&r->out) ? stderr : stdout;
	if (rp_session_load(r->path, r->o.salvage, &r->t, warn, sizeof(warn),
	    err, sizeof(err)) != 0) {
		warnx("replay: %s", err);
		return (-1);
	}
	r->loaded = true;
	if (warn[0] != '\0')
		warnx("replay: warning: %s", warn);
	if (rp_session_fits(&r->t, &r->o.cfg, err, sizeof(err)) != 0) {
		warnx("replay: %s", err);
		return (-1);
	}
	rp_session_memory(&r->t, &r->o.cfg, &mem);
	fprintf(r->human, "scanned %zu events in %.3f s on %u thread%s (%.1f "
	    "M events/s)\nmemory: frames in flight %.1f MiB, ids and plan "
	    "%.1f MiB, model ~%.0f MiB\n", r->t.nev, r->t.decode_ns / 1e9,
	    r->t.decode_threads, r->t.decode_threads == 1 ? "" : "s",
	    r->t.decode_ns > 0 ? r->t.nev * 1e3 / r->t.decode_ns : 0.0,
	    mem.window / 1048576.0, mem.maps / 1048576.0,
	    mem.model / 1048576.0);
	if (r->o.cfg.phys_factor > 0)
		fprintf(r->human, "model memory: --phys-mem %gx of the trace's "
		    "resident footprint (%llu pages) x %u replicas = %llu "
		    "pages\n", r->o.cfg.phys_factor,
		    (unsigned long long)rp_trace_pages(&r->t),
		    r->o.cfg.scale_mode == RP_SCALE_DISJOINT ?
		    r->o.cfg.scale : 1,
		    (unsigned long long)rp_config_phys_pages(&r->o.cfg,
		    &r->t));
	return (0);
}

/* The run itself, into rep and res.  0 or -1 after a message. */
static int
replay_run(struct replay *r, struct rp_host *host, struct rp_report *rep,
    struct rp_run_result *res)
{
	char err[512];

	memset(rep, 0, sizeof(*rep));
	rp_host_get(host);
	rep->host = host;
	rep->trace = r->path;
	rep->preset = r->o.preset;
	rp_report_run_id(rep, host, 0);
	if (rp_session_run(&r->t, &r->o.cfg, rep, res, err,
	    sizeof(err)) != 0) {
		warnx("replay: %s", err);
		return (-1);
	}
	if (rep->streams < r->o.cfg.threads)
		warnx("replay: warning: %llu streams for %u threads: some "
		    "workers had nothing to do (try --partition object or "
		    "--scale)", (unsigned long long)rep->streams,
		    r->o.cfg.threads);
	return (0);
}

/*
 * The report, the outputs committed, and the exit status: 1 for an
 * interrupted run (its figures are still written) or invariant
 * violations.
 */
static int
replay_finish(struct replay *r, const struct rp_report *rep,
    const struct rp_run_result *res)
{
	char err[512];
	int rc;

	rc = 0;
	rp_report_print(r->human, rep, &r->print);
	rp_results_add(&r->out, rep);
	if (rp_results_close(&r->out, true, err, sizeof(err)) != 0) {
		warnx("replay: %s", err);
		rc = 1;
	}
	if (res->interrupted) {
		warnx("replay: interrupted: the figures are of a partial run");
		rc = 1;
	}
	if (rep->check_violations > 0) {
		warnx("replay: invariant check failed: %lld violations",
		    (long long)rep->check_violations);
		rc = 1;
	}
	return (rc);
}

int
cmd_replay(int argc, char **argv)
{
	struct rp_run_result res;
	struct rp_report rep;
	struct rp_host host;
	struct replay r;
	bool help;
	int rc;

	memset(&r, 0, sizeof(r));
	rc = replay_parse(&r, argc, argv, &help);
	if (rc == 0 && !help) {
		rc = 1;
		if (replay_setup(&r) == 0 &&
		    replay_run(&r, &host, &rep, &res) == 0) {
			rc = replay_finish(&r, &rep, &res);
			rp_run_result_free(&res);
		}
	}
	rp_results_discard(&r.out);
	if (r.loaded)
		rp_trace_free(&r.t);
	rp_cpulist_free(&r.cpus);
	return (rc);
}
