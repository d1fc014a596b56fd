/*
 * test_stress.c - every --page x --queue design (--page dfly: faults
 * through the lockless vm_page_hash racing removals and frees) on 2-8
 * threads, the --free design alternating (per-reservation locks, the global free lock), running a
 * random mix of every event kind against a small machine (so allocators
 * sleep in vm_wait while the page daemon's thread frees pages, and
 * reservations break), for a bounded time each; then
 * eng_quiesce() and eng_check() must find no violation.  Run under TSan and
 * ASan/UBSan by scripts/test.
 *
 * Usage: test_engine_stress [seconds-per-design [page/queue [runs]]]
 *   seconds-per-design defaults to 0.4; page/queue (e.g. refcount/astate:63)
 *   runs only the designs whose "page/queue" name starts with it, runs times
 *   each (default 1), to chase a violation seen once.
 */
#include <pthread.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "engine.h"
#include "evgen.h"

#define STRESS_MAX_THREADS	8

static const char *const pages[] = { "pagelock", "pagelock:16,nopad",
    "refcount", "dfly" };
static const char *const frees[] = { "pgcache", "global" };
static const char *const queues[] = { "locked", "batch:1", "batch:7",
    "batch:31:trylock-full", "batch:63:trylock", "astate:8", "astate:63",
    "astate:63:trylock", "colored:16", "colored:1024" };

struct worker {
	pthread_t	tid;
	struct eng_cpu	*cpu;
	uint64_t	seed;
	uint64_t	events;
	_Atomic bool	*stop;
};

static void *
worker_main(void *arg)
{
	struct worker *w = arg;
	struct pr_event ev;
	struct evgen g = {
		.state = w->seed, .nobjects = 24, .npmaps = 4,
		.pindex_span = 1500, .scan = true, .pmap = true,
	};

	while (!atomic_load_explicit(w->stop, memory_order_relaxed)) {
		evgen_next(&g, &ev);
		eng_apply(w->cpu, &ev);
		w->events++;
	}
	return (NULL);
}

static int
run_design(const char *page, const char *queue, const char *freed,
    unsigned nthreads, double seconds, uint64_t seed)
{
	struct worker w[STRESS_MAX_THREADS];
	struct eng_params p = { 0 };
	struct eng_stats st;
	struct vm_engine *e;
	struct timespec ts;
	_Atomic bool stop = false;
	uint64_t bad, events = 0;
	char err[256];
	unsigned i;

	eng_design_default(&p.design);
	if (eng_design_parse(&p.design, ENG_FAM_PAGE, page, err,
	    sizeof(err)) != 0 || eng_design_parse(&p.design, ENG_FAM_QUEUE,
	    queue, err, sizeof(err)) != 0 || eng_design_parse(&p.design,
	    ENG_FAM_FREE, freed, err, sizeof(err)) != 0) {
		fprintf(stderr, "design: %s\n", err);
		return (1);
	}
	/* DragonFly's queues with its free sub-queues and pmap (dragonfly56). */
	if (p.design.queue == ENG_QUEUE_COLORED) {
		p.design.free = ENG_FREE_COLORED;
		p.design.pv = ENG_PV_DFLY;
		freed = "colored";	/* the report line says so */
	}
	p.nslots = nthreads;
	p.nobjects = 24;
	p.npmaps = 4;
	p.phys_pages = 2048;
	p.timing = (seed & 1) != 0;
	p.pagedaemon = true;
	if ((e = eng_create(&p, err, sizeof(err))) == NULL) {
		fprintf(stderr, "eng_create: %s\n", err);
		return (1);
	}
	for (i = 0; i < nthreads; i++) {
		w[i].cpu = eng_cpu(e, i);
		w[i].seed = seed * 7919 + i + 1;
		w[i].events = 0;
		w[i].stop = &stop;
		if (pthread_create(&w[i].tid, NULL, worker_main, &w[i]) != 0) {
			fprintf(stderr, "pthread_create failed\n");
			return (1);
		}
	}
	ts.tv_sec = (time_t)seconds;
	ts.tv_nsec = (long)((seconds - (double)ts.tv_sec) * 1e9);
	nanosleep(&ts, NULL);
	atomic_store(&stop, true);
	for (i = 0; i < nthreads; i++) {
		pthread_join(w[i].tid, NULL);
		events += w[i].events;
	}
	eng_quiesce(e);
	bad = eng_check(e, stderr);
	eng_stats_collect(e, &st);
	printf("%-18s %-17s %-7s %u threads: %8ju events, %6ju skipped, "
	    "%5ju vm_waits, %6ju freed by scans, %4ju alloc failures, "
	    "%ju violations\n", page, queue, freed, nthreads, (uintmax_t)events,
	    (uintmax_t)st.skipped, (uintmax_t)st.vm_waits,
	    (uintmax_t)st.scan_freed, (uintmax_t)st.alloc_failures,
	    (uintmax_t)bad);
	if (st.events != events) {
		fprintf(stderr, "stats count %ju events, workers %ju\n",
		    (uintmax_t)st.events, (uintmax_t)events);
		bad++;
	}
	eng_destroy(e);
	return (bad != 0);
}

int
main(int argc, char **argv)
{
	/* More threads than this machine's CPUs too: the mutex parks. */
	static const unsigned nthreads[] = { 2, 3, 4, STRESS_MAX_THREADS };
	double seconds = argc > 1 ? atof(argv[1]) : 0.4;
	const char *only = argc > 2 ? argv[2] : "";
	long runs = argc > 3 ? atol(argv[3]) : 1;
	unsigned pi, qi, n = 0;
	char name[64];
	int fails = 0;
	long r;

	for (pi = 0; pi < sizeof(pages) / sizeof(pages[0]); pi++)
		for (qi = 0; qi < sizeof(queues) / sizeof(queues[0]); qi++, n++) {
			snprintf(name, sizeof(name), "%s/%s", pages[pi],
			    queues[qi]);
			if (strncmp(name, only, strlen(only)) != 0)
				continue;
			for (r = 0; r < runs; r++)
				fails += run_design(pages[pi], queues[qi],
				    frees[n % (sizeof(frees) / sizeof(frees[0]))],
				    nthreads[n % (sizeof(nthreads) /
				    sizeof(nthreads[0]))], seconds, n + 1);
		}
	if (fails != 0)
		fprintf(stderr, "%d designs failed\n", fails);
	return (fails != 0);
}
