/*
 * cmd_replay.c - `pagereplay replay TRACE`: replay a trace on pinned worker
 * threads against one lock design and report throughput and lock times.
 */
#include <err.h>
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cli.h"
#include "commands.h"
#include "options.h"
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

static const struct option replay_long[] = {
	{ "threads", required_argument, NULL, OPT_THREADS },
	{ "page", required_argument, NULL, OPT_PAGE },
	{ "queue", required_argument, NULL, OPT_QUEUE },
	{ "pv", required_argument, NULL, OPT_PV },
	{ "pvchunk", required_argument, NULL, OPT_PVCHUNK },
	{ "scale", required_argument, NULL, OPT_SCALE },
	RP_OPT_COMMON_LONG
};

/* The --help text. */
static void
replay_usage(FILE *f)
{
	fprintf(f,
	    "usage: pagereplay replay TRACE [--threads N] [--cpus LIST]\n"
	    "           [--page SPEC] [--queue SPEC] [--pv SPEC] "
	    "[--pvchunk SPEC]\n"
	    "           [--partition tid|cpu|object] [--scale K] "
	    "[--scale-mode disjoint|shared]\n"
	    "           [--pace asap|recorded[:F]] [--warmup N|DUR] "
	    "[--duration DUR]\n"
	    "           [--loop N] [--no-timing] [--no-hwc] [--check] "
	    "[--phys-mem SIZE]\n"
	    "           [--csv FILE] [--json FILE]\n"
	    "\n"
	    "Replay TRACE on worker threads pinned to CPUs against one lock\n"
	    "design of the VM model; report events/s (total and per worker),\n"
	    "skipped events, per lock class acquisitions, contention, CAS\n"
	    "retries and wait/hold times (p50 p90 p99 p99.9 max, totals),\n"
	    "and hardware counters per event where the kernel allows.\n"
	    "\n"
	    "  --threads N           worker threads (default: one per CPU)\n"
	    "  --page SPEC           pagelock[:N[,nopad]] | refcount\n"
	    "  --queue SPEC          locked | batch:N[:trylock] | astate:N\n"
	    "  --pv SPEC             hashed[:N] | superpage | perpage\n"
	    "  --pvchunk SPEC        global | pmaps\n"
	    "  --scale K             replicate the streams K times\n"
	    "%s"
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

/* Print the table and write the CSV and JSON files. 0 or -1. */
static int
replay_output(const struct rp_opts *o, const struct rp_report *rep)
{
	char err[512];
	FILE *f;
	int rc;

	rp_report_print(stdout, rep);
	rc = 0;
	if (o->csv != NULL) {
		if ((f = rp_open_out(o->csv, err, sizeof(err))) == NULL) {
			warnx("replay: --csv %s", err);
			return (-1);
		}
		rp_report_csv_header(f);
		rp_report_csv_rows(f, rep);
		if ((f != stdout ? fclose(f) : fflush(f)) != 0) {
			warnx("replay: --csv %s: write failed", o->csv);
			rc = -1;
		}
	}
	if (o->json != NULL) {
		if ((f = rp_open_out(o->json, err, sizeof(err))) == NULL) {
			warnx("replay: --json %s", err);
			return (-1);
		}
		rp_report_json(f, rep);
		if ((f != stdout ? fclose(f) : fflush(f)) != 0) {
			warnx("replay: --json %s: write failed", o->json);
			rc = -1;
		}
	}
	return (rc);
}

int
cmd_replay(int argc, char **argv)
{
	struct rp_run_result res;
	struct rp_cpulist cpus;
	struct rp_report rep;
	struct rp_memory mem;
	struct rp_trace t;
	struct rp_host host;
	struct rp_opts o;
	uint64_t v;
	char err[512];
	bool over;
	int ch, r, rc;

	memset(&o, 0, sizeof(o));
	rp_config_default(&o.cfg);
	optind = 1;
	opterr = 0;
	while ((ch = getopt_long(argc, argv, "", replay_long, NULL)) != -1) {
		switch (ch) {
		case OPT_THREADS:
			if (cli_parse_u64(optarg, 1, 4096, &v) != 0) {
				warnx("replay: --threads: '%s' is not a "
				    "number in 1..4096", optarg);
				return (EXIT_USAGE);
			}
			o.cfg.threads = (unsigned)v;
			continue;
		case OPT_PAGE:
		case OPT_QUEUE:
		case OPT_PV:
		case OPT_PVCHUNK:
			if (replay_design(&o.cfg.design, (enum eng_family)
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
			o.cfg.scale = (unsigned)v;
			continue;
		case RP_OPT_HELP:
			replay_usage(stdout);
			return (0);
		case '?':
			warnx("replay: bad option '%s' (see pagereplay "
			    "replay --help)", argv[optind - 1]);
			return (EXIT_USAGE);
		}
		r = rp_opt_common(ch, optarg, &o, err, sizeof(err));
		if (r < 0) {
			warnx("replay: %s", err);
			return (EXIT_USAGE);
		}
	}
	if (optind != argc - 1) {
		warnx("replay: %s", optind >= argc ? "no trace given" :
		    "one trace only");
		return (EXIT_USAGE);
	}
	if (rp_cpus_resolve(o.cpus, o.cfg.threads, &cpus, &over, err,
	    sizeof(err)) != 0) {
		warnx("replay: --cpus: %s", err);
		return (EXIT_USAGE);
	}
	if (o.cfg.threads == 0)
		o.cfg.threads = (unsigned)cpus.n;
	else if (over)
		warnx("replay: warning: %u threads on %zu CPUs: workers share "
		    "CPUs", o.cfg.threads, cpus.n);
	o.cfg.cpus = &cpus;
	o.cfg.run.progress = cli_progress_enabled();

	rc = 1;
	rp_run_catch_signals();
	if (rp_session_load(argv[optind], &t, err, sizeof(err)) != 0) {
		warnx("replay: %s", err);
		goto out_cpus;
	}
	if (t.truncated)
		warnx("replay: warning: %s was cut short; replaying its %zu "
		    "events in complete frames", argv[optind], t.nev);
	if (rp_session_fits(&t, &o.cfg, err, sizeof(err)) != 0) {
		warnx("replay: %s", err);
		goto out_trace;
	}
	rp_session_memory(&t, &o.cfg, &mem);
	printf("decoded %zu events in %.3f s on %u threads (%.1f M "
	    "events/s); memory: trace %.1f MiB, plan %.1f MiB, model ~%.0f "
	    "MiB\n", t.nev, t.decode_ns / 1e9, t.decode_threads,
	    t.decode_ns > 0 ? t.nev * 1e3 / t.decode_ns : 0.0,
	    mem.trace / 1048576.0, mem.plan / 1048576.0,
	    mem.model / 1048576.0);

	memset(&rep, 0, sizeof(rep));
	rp_host_get(&host);
	rep.host = &host;
	rep.trace = argv[optind];
	rp_report_run_id(&rep, &host, 0);
	if (rp_session_run(&t, &o.cfg, &rep, &res, err, sizeof(err)) != 0) {
		warnx("replay: %s", err);
		goto out_trace;
	}
	if (rep.streams < o.cfg.threads)
		warnx("replay: warning: %llu streams for %u threads: some "
		    "workers had nothing to do (try --partition object or "
		    "--scale)", (unsigned long long)rep.streams,
		    o.cfg.threads);
	if (replay_output(&o, &rep) == 0)
		rc = 0;
	if (res.interrupted) {
		warnx("replay: interrupted: the figures are of a partial run");
		rc = 1;
	}
	if (rep.check_violations > 0) {
		warnx("replay: invariant check failed: %lld violations",
		    (long long)rep.check_violations);
		rc = 1;
	}
	rp_run_result_free(&res);
out_trace:
	rp_trace_free(&t);
out_cpus:
	rp_cpulist_free(&cpus);
	return (rc);
}
