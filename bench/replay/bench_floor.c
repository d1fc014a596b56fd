/*
 * bench_floor.c - the floor under a replay: decode rate of a trace, and
 * the replay core's own rate (plan, pinned workers, per-event dispatch) on
 * targets that do no modelling: "null" does nothing, "atomic" does the one
 * atomic read-modify-write per page a refcount design cannot avoid, on a
 * shared array of page counters (the physical floor of the hardware).
 *
 * usage: bench_replay_floor TRACE [THREADS...]
 * Prints one line per target and thread count: events/s total and per
 * worker, median of 5 runs.
 */
#include <err.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cli.h"
#include "cpulist.h"
#include "load.h"
#include "plan.h"
#include "run.h"

#define FLOOR_COUNTERS	(1u << 20)	/* page counters, 8 MiB */
#define FLOOR_RUNS	5

static _Atomic uint64_t floor_counter[FLOOR_COUNTERS];

/* Every worker shares the one context (the targets keep no state). */
static void *
floor_cpu(void *ctx, unsigned slot)
{
	(void)slot;
	return (ctx);
}

/* The replay core alone: plan, dispatch, counting. */
static int
floor_null(void *cpu, const struct pr_event *ev)
{
	(void)cpu;
	(void)ev;
	return (0);
}

/* One atomic add per page of the event, on the page's counter. */
static int
floor_atomic(void *cpu, const struct pr_event *ev)
{
	uint64_t h;
	uint32_t i;

	(void)cpu;
	for (i = 0; i < ev->npages; i++) {
		h = (ev->obj * 0x9e3779b97f4a7c15ULL) ^ (ev->pindex + i);
		atomic_fetch_add_explicit(&floor_counter[h &
		    (FLOOR_COUNTERS - 1)], 1, memory_order_relaxed);
	}
	return (0);
}

int
main(int argc, char **argv)
{
	static const struct {
		const char *name;
		int (*apply)(void *, const struct pr_event *);
	} targets[] = { { "null", floor_null }, { "atomic", floor_atomic } };
	struct rp_cpulist online;
	struct rp_run_result res;
	struct rp_run_opts o;
	struct rp_target tg;
	struct rp_trace t;
	struct rp_plan p;
	double rate[FLOOR_RUNS], median;
	char err[512];
	unsigned threads, r;
	int a;
	size_t ti;

	if (argc < 2)
		errx(2, "usage: bench_replay_floor TRACE [THREADS...]");
	if (rp_cpulist_online(&online, err, sizeof(err)) != 0)
		errx(1, "%s", err);
	if (rp_trace_load(argv[1], (unsigned)online.n, &t, err,
	    sizeof(err)) != 0)
		errx(1, "%s", err);
	printf("%s: %zu events, scan %.1f M events/s on %u threads\n",
	    argv[1], t.nev, t.nev * 1e3 / (double)t.decode_ns,
	    t.decode_threads);
	for (a = 2; a < (argc > 2 ? argc : 3); a++) {
		threads = argc > 2 ? (unsigned)atoi(argv[a]) :
		    (unsigned)online.n;
		if (threads < 1)
			errx(2, "bad thread count '%s'", argv[a]);
		if (rp_plan_build(&t, threads, RP_PART_TID, 1,
		    RP_SCALE_DISJOINT, &p, err, sizeof(err)) != 0)
			errx(1, "%s", err);
		for (ti = 0; ti < sizeof(targets) / sizeof(targets[0]); ti++) {
			memset(&tg, 0, sizeof(tg));
			tg.cpu = floor_cpu;
			tg.apply = targets[ti].apply;
			memset(&o, 0, sizeof(o));
			o.cpus = online.cpu;
			o.ncpus = online.n;
			o.loops = 1;
			o.pace_factor = 1;
			for (r = 0; r < FLOOR_RUNS; r++) {
				if (rp_run(&t, &p, &tg, &o, &res, err,
				    sizeof(err)) != 0)
					errx(1, "%s", err);
				rate[r] = res.events * 1e9 /
				    (double)res.elapsed_ns;
				rp_run_result_free(&res);
			}
			median = cli_median(rate, FLOOR_RUNS);
			printf("floor %-6s threads %2u: %8.1f M events/s, "
			    "%8.1f M/s per worker\n", targets[ti].name,
			    threads, median / 1e6, median / 1e6 / threads);
		}
		rp_plan_free(&p);
	}
	rp_trace_free(&t);
	rp_cpulist_free(&online);
	return (0);
}
