/*
 * cmd_simulate.c - `pagereplay simulate TRACE --cpus N[,N...]`: replay a
 * trace on N virtual CPUs of a modelled machine, in virtual time
 * (sim/sim.h, docs/simulate.md), with the report, CSV and JSON of
 * `replay`.  Deterministic: the same trace, options and --seed give the
 * same figures.
 *
 * Steps: parse, set up (outputs created, trace loaded), one run per CPU
 * count, finish (outputs committed, exit status).
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

#define SIM_COUNTS_MAX	64	/* --cpus list entries */

enum {
	OPT_PAGE = RP_OPT_COMMAND,
	OPT_QUEUE,
	OPT_PV,
	OPT_PVCHUNK,
	OPT_SCALE,
	OPT_MACHINE,
	OPT_SEED,
	OPT_THINK,
};

_Static_assert(OPT_QUEUE - OPT_PAGE == ENG_FAM_QUEUE &&
    OPT_PV - OPT_PAGE == ENG_FAM_PV &&
    OPT_PVCHUNK - OPT_PAGE == ENG_FAM_PVCHUNK && ENG_FAM_PAGE == 0,
    "simulate's design options and enum eng_family disagree");

static const struct option simulate_long[] = {
	{ "page", required_argument, NULL, OPT_PAGE },
	{ "queue", required_argument, NULL, OPT_QUEUE },
	{ "pv", required_argument, NULL, OPT_PV },
	{ "pvchunk", required_argument, NULL, OPT_PVCHUNK },
	{ "scale", required_argument, NULL, OPT_SCALE },
	{ "machine", required_argument, NULL, OPT_MACHINE },
	{ "seed", required_argument, NULL, OPT_SEED },
	{ "think", required_argument, NULL, OPT_THINK },
	RP_OPT_PRINT_LONG
	RP_OPT_COMMON_LONG
};

/* The --help text. */
static void
simulate_usage(FILE *f)
{
	char names[256];

	fprintf(f,
	    "usage: pagereplay simulate TRACE --cpus N[,N...] [--machine M]\n"
	    "           [--seed S] [--think recorded[:F]|calibrated|DUR]\n"
	    "           [--preset P]\n"
	    "           [--page SPEC] [--queue SPEC] [--pv SPEC] "
	    "[--pvchunk SPEC]\n"
	    "           [--partition tid|cpu|object] [--scale K] "
	    "[--scale-mode disjoint|shared]\n"
	    "           [--duration DUR] [--loop N] [--check] "
	    "[--phys-mem SIZE]\n"
	    "           [--csv FILE|-] [--json FILE|-] [--salvage]\n"
	    "           [--sort KEY] [-E N] [--wide]\n"
	    "\n"
	    "Replay TRACE on N virtual CPUs of a modelled machine, in virtual\n"
	    "time: the real engine runs on coroutines of one host thread, and\n"
	    "every lock operation, atomic and releasing store is a scheduling\n"
	    "point whose cost comes from the machine's cache-coherence model;\n"
	    "waiters spin and park in virtual time.  One run per CPU count,\n"
	    "with replay's report, CSV and JSON (mode simulate; times and\n"
	    "events/s are virtual).  The same trace, options and seed give\n"
	    "the same figures.  See docs/simulate.md.\n"
	    "\n"
	    "  --cpus N[,N...]       virtual CPUs of each run (required)\n"
	    "  --machine M           host | %s\n"
	    "                        (default xeon-2s-104; `help` lists them;\n"
	    "                        host: this machine, measured first)\n"
	    "  --seed S              order of CPUs tied in time (default 1)\n"
	    "  --think recorded[:F]  before each event, the gap the trace\n"
	    "                        recorded since the worker's previous\n"
	    "                        one, divided by F\n"
	    "  --think calibrated    no think; each call site's hold and the\n"
	    "                        work between lock operations calibrated\n"
	    "                        on a real one-thread replay here (not\n"
	    "                        deterministic)\n"
	    "  --think DUR           a fixed time (default 0)\n",
	    sim_machine_names(" | ", names, sizeof(names)));
	rp_design_help(f, false);
	fprintf(f,
	    "  --preset NAME         every design family as a release shipped "
	    "it\n"
	    "                        (`--preset help` lists them); design\n"
	    "                        options after it override it\n"
	    "  --partition KEY       streams by tid (default), cpu or object\n"
	    "  --scale K             replicate the streams K times\n"
	    "  --scale-mode MODE     disjoint (default) or shared replicas\n"
	    "  -d, --duration DUR    stop at this virtual time\n"
	    "  --loop N              replay the trace N times (default 1)\n"
	    "  --check               the model's invariant check after each "
	    "run\n"
	    "  --phys-mem SIZE       model memory (default 1G per replica)\n"
	    "  --csv FILE            CSV rows, one per run x lock class, then\n"
	    "                        per lock instance (docs/csv.md)\n"
	    "  --json FILE           JSON, one document per run\n"
	    "  -o, --output FILE     --csv or --json by the name's suffix\n"
	    "  --salvage             replay the intact frames of a corrupt "
	    "trace\n"
	    "  --sort KEY, -E, --entries N, --wide\n"
	    "                        the human tables, as replay's\n"
	    "  -h, --help            this text\n"
	    "(--pace, --warmup, --no-hwc, --no-timing and --hold-sample do "
	    "not apply.)\n"
	    "\n"
	    "Manual: man pagereplay-simulate; docs in " PR_DOCDIR "\n"
	    "\n"
	    "Examples:\n"
	    "  pagereplay simulate build.prt --cpus 1,8,32,64 "
	    "--machine epyc-64 --csv sim.csv\n"
	    "  pagereplay simulate s.prt --cpus 104 --scale 52 "
	    "--preset freebsd12\n");
}

/* A simulation, from the command line to the reports. */
struct simulate {
	struct rp_opts	 o;
	struct rp_sim_opts so;
	const char	*path;
	unsigned	 ncounts;
	unsigned	 counts[SIM_COUNTS_MAX];	/* --cpus */
	struct rp_print_opts print;
	struct rp_results out;
	FILE		*human;
	struct rp_trace	 t;
	bool		 loaded;
	bool		 host;		/* --machine host: measure it */
	uint32_t	*holds;		/* calibrated holds, by site, class */
};

static void
simulate_machines(FILE *f)
{
	const struct sim_machine *m;
	size_t i;

	for (i = 0; (m = sim_machine_info(i)) != NULL; i++)
		fprintf(f, "%-12s %s\n", m->name, m->what);
	fprintf(f, "%-12s this machine, measured at the start of the run "
	    "(not deterministic)\n", "host");
}

/*
 * The calibration replay's mean hold per call site and lock class, as the
 * simulation's shortest holds (sim_set_holds()).
 */
static void
simulate_holds(struct simulate *s, const struct rp_report *rep)
{
	size_t i, nsites = 0;
	unsigned lc;
	int k;

	for (i = 0; i < rep->nsites; i++)
		if ((k = sim_site_index(rep->site[i].site)) >= 0 &&
		    (size_t)k >= nsites)
			nsites = (size_t)k + 1;
	free(s->holds);
	s->holds = calloc(nsites * LC_COUNT + 1, sizeof(*s->holds));
	if (s->holds == NULL)
		return;
	for (i = 0; i < rep->nsites; i++) {
		const struct rp_site_row *r = &rep->site[i];

		for (lc = 0; lc < LC_COUNT; lc++)
			if (strcmp(eng_lock_class_name(lc), r->lock_class) == 0)
				break;
		k = sim_site_index(r->site);
		if (k < 0 || lc == LC_COUNT || r->acquisitions == 0)
			continue;
		s->holds[(size_t)k * LC_COUNT + lc] = (uint32_t)(r->hold_total /
		    r->acquisitions);
	}
	s->so.hold_ns = s->holds;
	s->so.hold_sites = nsites;
	s->so.hold_classes = LC_COUNT;
}

/*
 * --machine host, --think calibrated: calibrate work_ns on a real
 * one-thread replay of the trace (at most 2 s): the replay's ns per event,
 * spread over its atomics, less the RMW's own cost (measured for host,
 * the preset's otherwise); host also measures the rest of the machine
 * (sim_machine_host()).  0 or -1 after a message.
 */
static int
simulate_calibrate(struct simulate *s)
{
	struct rp_config c = s->o.cfg;
	struct rp_run_result res;
	struct rp_report *rep;
	uint64_t atomics = 0, held = 0, outside;
	double per_ev, per_at;
	char err[512];
	unsigned i;

	if ((rep = calloc(1, sizeof(*rep))) == NULL) {
		warnx("simulate: out of memory");
		return (-1);
	}
	c.sim = NULL;
	c.threads = 1;
	c.cpus = NULL;
	c.timing = true;
	c.check = false;
	c.run.duration_ns = 2000000000u;
	c.run.progress = false;
	if (rp_session_run(&s->t, &c, rep, &res, err, sizeof(err)) != 0) {
		warnx("simulate: --machine host: calibration replay: %s", err);
		free(rep);
		return (-1);
	}
	for (i = 0; i < rep->nlocks; i++) {
		atomics += rep->lock[i].atomics;
		held += rep->lock[i].hold_total;
	}
	simulate_holds(s, rep);
	per_ev = res.events > 0 ? (double)res.elapsed_ns / res.events : 0;
	/*
	 * The holds are paid by sim_set_holds(): work_ns is the rest (holds
	 * nest, so their sum may exceed the time they cover: at most half
	 * the run is taken for them).
	 */
	outside = held < res.elapsed_ns / 2 ? res.elapsed_ns - held :
	    res.elapsed_ns / 2;
	per_at = atomics > 0 ? (double)outside / atomics : 0;
	if (s->host) {
		sim_machine_host(&s->so.machine, 1);
		fprintf(s->human, "host machine, measured: RMW %u ns, pause %u "
		    "ns, memory %u ns, CPU-to-CPU line %u ns\n",
		    s->so.machine.hit_ns, s->so.machine.pause_ns,
		    s->so.machine.mem_ns, s->so.machine.ccx_ns);
	}
	s->so.machine.work_ns = 1;
	if (per_at > s->so.machine.hit_ns + 1)
		s->so.machine.work_ns = (uint32_t)(per_at -
		    s->so.machine.hit_ns + 0.5);
	fprintf(s->human, "work_ns %u, calibrated on a one-thread replay of "
	    "%llu events (%.0f ns/event, %.1f atomics/event)\n",
	    s->so.machine.work_ns, (unsigned long long)res.events, per_ev,
	    res.events > 0 ? (double)atomics / res.events : 0.0);
	rp_run_result_free(&res);
	free(rep);
	return (0);
}


/* --cpus N[,N...]: 0 or -1 with err. */
static int
simulate_cpus(struct simulate *s, const char *arg, char *err, size_t errlen)
{
	char *copy, *tok, *save;
	uint64_t v;
	int rc = 0;

	if ((copy = strdup(arg)) == NULL) {
		snprintf(err, errlen, "out of memory");
		return (-1);
	}
	s->ncounts = 0;
	for (tok = strtok_r(copy, ",", &save); tok != NULL && rc == 0;
	    tok = strtok_r(NULL, ",", &save)) {
		if (cli_parse_u64(tok, 1, SIM_CPUS_MAX, &v) != 0) {
			snprintf(err, errlen, "--cpus: '%s' is not a number "
			    "of CPUs in 1..%d", tok, SIM_CPUS_MAX);
			rc = -1;
		} else if (s->ncounts == SIM_COUNTS_MAX) {
			snprintf(err, errlen, "--cpus: more than %d counts",
			    SIM_COUNTS_MAX);
			rc = -1;
		} else
			s->counts[s->ncounts++] = (unsigned)v;
	}
	free(copy);
	if (rc == 0 && s->ncounts == 0) {
		snprintf(err, errlen, "--cpus: no CPU count in '%s'", arg);
		rc = -1;
	}
	return (rc);
}

/* The options only simulate has; 1 taken, 0 not ours, -1 bad value. */
static int
simulate_option(struct simulate *s, int ch, const char *arg, char *err,
    size_t errlen)
{
	char why[256];
	uint64_t v;

	switch (ch) {
	case RP_OPT_CPUS:
		return (simulate_cpus(s, arg, err, errlen) == 0 ? 1 : -1);
	case RP_OPT_PACE:
	case RP_OPT_WARMUP:
	case RP_OPT_NO_HWC:
	case RP_OPT_NO_TIMING:
	case RP_OPT_HOLD_SAMPLE:
		snprintf(err, errlen, "--%s does not apply to a simulation "
		    "(virtual time is always measured, every hold, and "
		    "nothing is paced)",
		    ch == RP_OPT_PACE ? "pace" : ch == RP_OPT_WARMUP ?
		    "warmup" : ch == RP_OPT_NO_HWC ? "no-hwc" :
		    ch == RP_OPT_NO_TIMING ? "no-timing" : "hold-sample");
		return (-1);
	case OPT_PAGE:
	case OPT_QUEUE:
	case OPT_PV:
	case OPT_PVCHUNK:
		if (eng_design_parse(&s->o.cfg.design, (enum eng_family)
		    (ch - OPT_PAGE), arg, why, sizeof(why)) != 0) {
			snprintf(err, errlen, "--%s: %s",
			    simulate_long[ch - OPT_PAGE].name, why);
			return (-1);
		}
		return (1);
	case OPT_SCALE:
		if (cli_parse_u64(arg, 1, RP_SCALE_MAX, &v) != 0) {
			snprintf(err, errlen, "--scale: '%s' is not a number "
			    "in 1..%d", arg, RP_SCALE_MAX);
			return (-1);
		}
		s->o.cfg.scale = (unsigned)v;
		return (1);
	case OPT_MACHINE:
		if (strcmp(arg, "help") == 0) {
			simulate_machines(stdout);
			exit(0);
		}
		s->host = strcmp(arg, "host") == 0;
		if (s->host)
			return (1);
		return (rp_sim_machine_parse(&s->so, arg, err, errlen) == 0 ?
		    1 : -1);
	case OPT_SEED:
		if (cli_parse_u64(arg, 0, UINT64_MAX, &s->so.seed) != 0) {
			snprintf(err, errlen, "--seed: '%s' is not a number",
			    arg);
			return (-1);
		}
		return (1);
	case OPT_THINK:
		return (rp_think_parse(&s->so, arg, err, errlen) == 0 ? 1 :
		    -1);
	default:
		return (rp_opt_print(ch, arg, &s->print, err, errlen));
	}
}

/*
 * Parse and check the command line into s.  0, or EXIT_USAGE after a
 * message; *helpp when --help was printed.
 */
static int
simulate_parse(struct simulate *s, int argc, char **argv, bool *helpp)
{
	char err[512];
	int ch, rc;

	*helpp = false;
	rp_config_default(&s->o.cfg);
	rp_sim_opts_default(&s->so);
	s->print.sort = -1;
	optind = 1;
	opterr = 0;
	while ((ch = getopt_long(argc, argv, "hd:o:E:", simulate_long,
	    NULL)) != -1) {
		if (ch == RP_OPT_HELP || ch == 'h') {
			simulate_usage(stdout);
			*helpp = true;
			return (0);
		}
		if (ch == '?') {
			warnx("simulate: bad option '%s' (see pagereplay "
			    "simulate --help)", argv[optind - 1]);
			return (EXIT_USAGE);
		}
		rc = simulate_option(s, ch, optarg, err, sizeof(err));
		if (rc == 0)
			rc = rp_opt_common(ch, optarg, &s->o, err,
			    sizeof(err));
		if (rc < 0) {
			warnx("simulate: %s", err);
			return (EXIT_USAGE);
		}
	}
	if (optind != argc - 1) {
		warnx("simulate: %s", optind >= argc ? "no trace given" :
		    "one trace only");
		return (EXIT_USAGE);
	}
	if (s->ncounts == 0) {
		warnx("simulate: --cpus N[,N...] is required (virtual CPUs)");
		return (EXIT_USAGE);
	}
	s->path = argv[optind];
	s->o.cfg.sim = &s->so;
	s->o.cfg.run.hwc = false;
	s->o.cfg.run.progress = cli_progress_enabled();
	return (0);
}

/* Outputs created, the trace loaded; 0 or -1 after a message. */
static int
simulate_setup(struct simulate *s)
{
	char err[512], warn[512];

	rp_run_catch_signals();
	rp_results_init(&s->out, s->o.csv, s->o.json, NULL, true,
	    s->ncounts > 1);
	if (rp_results_open(&s->out, s->path, err, sizeof(err)) != 0) {
		warnx("simulate: %s", err);
		return (-1);
	}
	s->human = rp_results_stdout(&s->out) ? stderr : stdout;
	if (rp_session_load(s->path, s->o.salvage, &s->t, warn, sizeof(warn),
	    err, sizeof(err)) != 0) {
		warnx("simulate: %s", err);
		return (-1);
	}
	s->loaded = true;
	if (warn[0] != '\0')
		warnx("simulate: warning: %s", warn);
	if (rp_session_fits(&s->t, &s->o.cfg, err, sizeof(err)) != 0) {
		warnx("simulate: %s", err);
		return (-1);
	}
	return (s->host || s->so.think == RP_THINK_CALIBRATED ?
	    simulate_calibrate(s) : 0);
}

/*
 * Run i of the --cpus list: report it and add it to the outputs.  0, 1
 * (the run's figures are suspect: interrupted, invariants), or -1 after a
 * message.
 */
static int
simulate_one(struct simulate *s, unsigned i, const struct rp_host *host)
{
	struct rp_run_result res;
	struct rp_report *rep;
	struct sim_counts *n = &s->so.counts;
	char err[512];
	int rc = 0;

	if ((rep = calloc(1, sizeof(*rep))) == NULL) {
		warnx("simulate: out of memory");
		return (-1);
	}
	rep->host = host;
	rep->trace = s->path;
	rep->run_index = i;
	rep->runs = s->ncounts;
	rp_report_run_id(rep, host, i);
	s->o.cfg.threads = s->counts[i];
	if (rp_session_run(&s->t, &s->o.cfg, rep, &res, err,
	    sizeof(err)) != 0) {
		warnx("simulate: %u CPUs: %s", s->counts[i], err);
		free(rep);
		return (-1);
	}
	fprintf(s->human, "simulated %u virtual CPUs of %s (%s): %.6f s of "
	    "virtual time; %llu scheduling points, %llu switches, %llu line "
	    "transfers, %llu parks, %llu lines\n", s->counts[i],
	    s->so.machine.name, s->so.machine.what, res.elapsed_ns / 1e9,
	    (unsigned long long)n->points, (unsigned long long)n->switches,
	    (unsigned long long)n->transfers, (unsigned long long)n->parks,
	    (unsigned long long)n->lines);
	rp_report_print(s->human, rep, &s->print);
	rp_results_add(&s->out, rep);
	if (rep->streams < s->counts[i])
		warnx("simulate: warning: %llu streams for %u CPUs: some had "
		    "nothing to do (try --partition object or --scale)",
		    (unsigned long long)rep->streams, s->counts[i]);
	if (res.interrupted) {
		warnx("simulate: interrupted: the figures are of a partial "
		    "run");
		rc = 1;
	}
	if (rep->check_violations > 0) {
		warnx("simulate: invariant check failed: %lld violations",
		    (long long)rep->check_violations);
		rc = 1;
	}
	rp_run_result_free(&res);
	free(rep);
	return (rc);
}

int
cmd_simulate(int argc, char **argv)
{
	struct simulate *s;
	struct rp_host host;
	char err[512];
	unsigned i;
	bool help;
	int rc, r;

	if ((s = calloc(1, sizeof(*s))) == NULL) {
		warnx("simulate: out of memory");
		return (1);
	}
	rc = simulate_parse(s, argc, argv, &help);
	if (rc == 0 && !help) {
		rc = 1;
		if (simulate_setup(s) == 0) {
			rp_host_get(&host);
			rc = 0;
			for (i = 0; i < s->ncounts && rc <= 0 &&
			    !rp_run_interrupted(); i++) {
				r = simulate_one(s, i, &host);
				rc = r < 0 ? 1 : rc > r ? rc : r;
				if (r < 0)
					break;
			}
			if (rc == 0 && rp_results_close(&s->out, true, err,
			    sizeof(err)) != 0) {
				warnx("simulate: %s", err);
				rc = 1;
			}
		}
	}
	rp_results_discard(&s->out);
	if (s->loaded)
		rp_trace_free(&s->t);
	free(s->holds);
	free(s);
	return (rc);
}
