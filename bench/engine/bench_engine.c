/*
 * bench_engine.c - single-thread cost of the VM operations under each
 * --page x --queue design, with lock timing on and off, beside the bare
 * cost of the atomic read-modify-writes each operation executes (the
 * physical floor: atomics per operation, read from the engine's counters,
 * times the cost of one uncontended lock-prefixed RMW on this machine).
 *
 * Usage: bench_engine [seconds-per-cell]   (default 0.3)
 *        bench_engine --costs   (one atomic RMW and one TSC read, in ns)
 * Each cell is the median of 5 runs.
 */
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cli.h"
#include "engine.h"
#include "evgen.h"
#include "lock.h"

#define RUNS	5

static const char *const designs[][2] = {
	{ "pagelock", "locked" }, { "pagelock", "batch:63" },
	{ "refcount", "batch:63" }, { "refcount", "batch:63:trylock" },
	{ "refcount", "astate:63" }, { "refcount", "locked" },
};

enum op { OP_SENDFILE, OP_SENDFILE_NOCACHE, OP_WIRE_UNWIRE, OP_ACT_DEACT,
    OP_MIX, OP_COUNT };
static const char *const opnames[OP_COUNT] = { "sendfile", "sendfile:nocache",
    "wire+unwire", "activate+deactivate", "mix" };

/* One operation i of op: one event, or the pair named. */
static void
step(struct eng_cpu *c, enum op op, uint64_t i, struct evgen *g)
{
	struct pr_event ev;

	memset(&ev, 0, sizeof(ev));
	ev.obj = i % 64;
	ev.pindex = (i / 64) % 256;
	ev.npages = 1;
	switch (op) {
	case OP_SENDFILE:
	case OP_SENDFILE_NOCACHE:
		ev.kind = PR_SENDFILE;
		ev.flags = op == OP_SENDFILE_NOCACHE ? PR_F_NOCACHE : 0;
		eng_apply(c, &ev);
		break;
	case OP_WIRE_UNWIRE:
		ev.kind = PR_WIRE;
		eng_apply(c, &ev);
		ev.kind = PR_UNWIRE;
		eng_apply(c, &ev);
		break;
	case OP_ACT_DEACT:
		ev.kind = (i / 16384) % 2 ? PR_DEACTIVATE : PR_ACTIVATE;
		eng_apply(c, &ev);
		break;
	case OP_MIX:
		evgen_next(g, &ev);
		eng_apply(c, &ev);
		break;
	default:
		break;
	}
}

/* ns per operation and atomics per operation, one run. */
static double
run(const char *page, const char *queue, enum op op, bool timing,
    double seconds, double *atomics)
{
	struct evgen g = { .state = 7, .nobjects = 64, .npmaps = 1,
	    .pindex_span = 1024, .scan = true, .pmap = false };
	struct eng_params p = { 0 };
	struct eng_stats st;
	struct vm_engine *e;
	struct eng_cpu *c;
	uint64_t i, n = 0, t0, t, a;
	char err[256];
	unsigned lc;

	eng_design_default(&p.design);
	eng_design_parse(&p.design, ENG_FAM_PAGE, page, err, sizeof(err));
	eng_design_parse(&p.design, ENG_FAM_QUEUE, queue, err, sizeof(err));
	p.nslots = 1;
	p.nobjects = 64;
	p.npmaps = 1;
	p.phys_pages = 65536;
	p.timing = timing;
	if ((e = eng_create(&p, err, sizeof(err))) == NULL) {
		fprintf(stderr, "%s\n", err);
		exit(1);
	}
	c = eng_cpu(e, 0);
	for (i = 0; i < 64 * 256; i++)		/* warm: every page resident */
		step(c, OP_SENDFILE, i, &g);
	eng_stats_reset(e);
	t0 = cli_now_ns();
	do {
		for (i = 0; i < 4096; i++)
			step(c, op, n + i, &g);
		n += 4096;
		t = cli_now_ns();
	} while ((double)(t - t0) < seconds * 1e9);
	eng_stats_collect(e, &st);
	for (a = 0, lc = 0; lc < LC_COUNT; lc++)
		a += st.lock[lc].atomics;
	*atomics = (double)a / (double)n;
	eng_destroy(e);
	return ((double)(t - t0) / (double)n);
}

/* Cost of one uncontended atomic fetch-add (lock xadd) in ns. */
static double
atomic_cost(void)
{
	static _Atomic uint64_t word;
	double r[RUNS];
	uint64_t t0, i;
	int k;

	for (k = 0; k < RUNS; k++) {
		t0 = cli_now_ns();
		for (i = 0; i < 20000000; i++)
			atomic_fetch_add_explicit(&word, 1,
			    memory_order_acq_rel);
		r[k] = (double)(cli_now_ns() - t0) / 20000000.0;
	}
	return (cli_median(r, RUNS));
}

/*
 * Cost of one TSC read (eng_rdtsc(), what lock timing reads twice per
 * acquisition) in ns, amid independent work as in the engine: the loop's
 * time with the read less its time without.
 */
static double
rdtsc_cost(void)
{
	double r[RUNS];
	uint64_t t0, t1, i, x, sum;
	int k;

	for (k = 0; k < RUNS; k++) {
		x = 1;
		sum = 0;
		t0 = cli_now_ns();
		for (i = 0; i < 10000000; i++) {
			x = x * 6364136223846793005ULL + 1;
			sum += eng_rdtsc();
		}
		t1 = cli_now_ns();
		for (i = 0; i < 10000000; i++) {
			x = x * 6364136223846793005ULL + 1;
			__asm__ __volatile__("" : "+r"(x));
		}
		r[k] = ((double)(t1 - t0) - (double)(cli_now_ns() - t1)) /
		    10000000.0;
		__asm__ __volatile__("" : : "r"(sum + x));
	}
	return (cli_median(r, RUNS));
}

int
main(int argc, char **argv)
{
	double seconds = argc > 1 ? atof(argv[1]) : 0.3;
	double on[RUNS], off[RUNS], at = 0, ac;
	unsigned d, k;
	int op;

	ac = atomic_cost();
	if (argc > 1 && strcmp(argv[1], "--costs") == 0) {
		printf("%.3f %.3f\n", ac, rdtsc_cost());
		return (0);
	}
	printf("one uncontended atomic RMW: %.2f ns\n\n", ac);
	printf("%-8s %-17s %-20s %9s %9s %8s %10s\n", "page", "queue",
	    "operation", "ns/op", "ns/op", "atomics", "floor");
	printf("%-8s %-17s %-20s %9s %9s %8s %10s\n", "", "", "",
	    "timing on", "off", "per op", "ns/op");
	for (d = 0; d < sizeof(designs) / sizeof(designs[0]); d++)
		for (op = 0; op < OP_COUNT; op++) {
			for (k = 0; k < RUNS; k++) {
				on[k] = run(designs[d][0], designs[d][1], op,
				    true, seconds / RUNS, &at);
				off[k] = run(designs[d][0], designs[d][1], op,
				    false, seconds / RUNS, &at);
			}
			printf("%-8s %-17s %-20s %9.1f %9.1f %8.2f %10.1f\n",
			    designs[d][0], designs[d][1], opnames[op],
			    cli_median(on, RUNS), cli_median(off, RUNS), at,
			    at * ac);
		}
	return (0);
}
