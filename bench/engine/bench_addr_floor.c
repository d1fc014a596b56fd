/*
 * bench_addr_floor.c - the physical floor of the atomics a trace makes the
 * engine execute, at the addresses it executes them on.
 *
 * traces.py sets the worker's time per event against a floor of "atomics
 * x one uncontended RMW", measured on one hot cache line.  The model's
 * atomics do not hit one hot line: they touch lock words and counters in
 * the page array, the objects, the pmaps and the queues, and the kernel
 * running the same operations would touch the same lines.  This measures
 * that floor too, single-threaded:
 *
 *  1. the trace is decoded into memory and its ids mapped to dense slots
 *     in order of first appearance (as the per-call-site helper of
 *     bench/results.sh does; no priming);
 *  2. RUNS passes of the engine (lock timing off, so on the call-free fast
 *     paths) are timed: the model's ns per event;
 *  3. one more pass runs with a lock_sim.h hook that records the address
 *     of every atomic read-modify-write (the operations counted as
 *     `atomics`), then checks that it recorded as many as were counted;
 *  4. the recorded addresses are moved, page by page, onto a fresh region
 *     (each 4 KiB page of the engine's memory that an atomic touched gets
 *     one page of its own, offsets kept, so no access goes to memory the
 *     engine has since freed), and the sequence is executed as one-byte
 *     `lock or $0` RMWs, RUNS times: the address floor;
 *  5. as many RMWs on one line: the hot floor.
 *
 * The region has as many lines and 4 KiB pages as the atomics touched,
 * with the same L1 sets (the offsets within a page); its L2 and LLC sets
 * and its huge-page backing may differ from the engine's, so the address
 * floor approximates the engine's footprint.  It is a floor in the sense
 * that the atomics are replayed back to back, without the model's other
 * memory traffic between them to evict their lines.  Memory: the events
 * (64 B each) and 16 B per atomic executed (0.3 GB for build-zstd).
 *
 * usage: bench_addr_floor TRACE PRESET [RUNS]
 * Prints events, atomics per event, and ns per event of the model, the
 * hot floor and the address floor (medians of RUNS, default 5) with the
 * two floor ratios.
 */
#include <err.h>
#include <stdatomic.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cli.h"
#include "engine.h"
#include "idmap.h"
#include "solo_hook.h"
#include "trace.h"

#define FLOOR_PAGE	4096u

/* The decoded trace, ids dense. */
struct floor_trace {
	struct pr_event	*ev;
	size_t		 n;
	uint64_t	 nobjects;
	uint64_t	 npmaps;
};

/* The recording hook's state (one thread). */
static struct {
	uintptr_t	*addr;		/* RMW addresses, in order */
	size_t		 n;
	size_t		 cap;
	uint64_t	 now;		/* trace time of the event applied */
} rec;

static void
rec_access(void *ctx, const void *p, enum eng_sim_op op)
{
	(void)ctx;
	if (op != ENG_SIM_RMW)
		return;
	if (rec.n == rec.cap) {
		rec.cap = rec.cap ? 2 * rec.cap : 1u << 20;
		if ((rec.addr = realloc(rec.addr, rec.cap *
		    sizeof(*rec.addr))) == NULL)
			err(1, "recording");
	}
	rec.addr[rec.n++] = (uintptr_t)p;
}

/* The clock the engine reads without a hook: the event's trace time. */
static uint64_t
rec_now(void *ctx)
{
	(void)ctx;
	return (rec.now);
}

static const struct eng_sim_hook rec_hook = SOLO_HOOK(rec_access, rec_now);

static void
load_trace(const char *path, struct floor_trace *t)
{
	struct rp_idmap objs, pmaps;
	struct pr_reader *r;
	int64_t obj, pmap;
	size_t cap = 0;
	int e, rv;

	rp_idmap_init(&objs);
	rp_idmap_init(&pmaps);
	memset(t, 0, sizeof(*t));
	if ((r = pr_reader_open(path, &e)) == NULL)
		errx(2, "%s: cannot read (error %d)", path, e);
	for (;;) {
		if (t->n == cap) {
			cap = cap ? 2 * cap : 1u << 16;
			if ((t->ev = realloc(t->ev, cap * sizeof(*t->ev))) ==
			    NULL)
				err(1, "%s", path);
		}
		if ((rv = pr_reader_next(r, &t->ev[t->n])) <= 0)
			break;
		if ((obj = rp_idmap_get(&objs, t->ev[t->n].obj)) < 0 ||
		    (pmap = rp_idmap_get(&pmaps, t->ev[t->n].pmap)) < 0)
			errx(1, "out of memory");
		t->ev[t->n].obj = (uint64_t)obj;
		t->ev[t->n].pmap = (uint64_t)pmap;
		t->n++;
	}
	pr_reader_close(r);
	if (rv < 0)
		errx(2, "%s: damaged (error %d)", path, -rv);
	t->nobjects = objs.n + 1;
	t->npmaps = pmaps.n + 1;
	rp_idmap_free(&objs);
	rp_idmap_free(&pmaps);
}

static struct vm_engine *
engine_new(const struct floor_trace *t, const char *preset)
{
	struct eng_params p;
	struct vm_engine *e;
	char err[256];

	memset(&p, 0, sizeof(p));
	eng_design_default(&p.design);
	if (eng_preset_apply(&p.design, preset, err, sizeof(err)) != 0)
		errx(2, "%s", err);
	p.nslots = 1;
	p.nobjects = t->nobjects;
	p.npmaps = t->npmaps;
	p.phys_pages = 1ULL << 18;	/* 1 GiB, replay's default */
	p.timing = false;
	if ((e = eng_create(&p, err, sizeof(err))) == NULL)
		errx(1, "%s", err);
	return (e);
}

/* Apply every event on CPU 0; returns the atomics counted. */
static uint64_t
engine_pass(struct vm_engine *e, const struct floor_trace *t)
{
	struct eng_cpu *c = eng_cpu(e, 0);
	struct eng_stats st;
	uint64_t atomics = 0;
	size_t i;
	unsigned lc;

	for (i = 0; i < t->n; i++) {
		rec.now = t->ev[i].time_ns;
		(void)eng_apply(c, &t->ev[i]);
	}
	eng_stats_collect(e, &st);
	for (lc = 0; lc < LC_COUNT; lc++)
		atomics += st.lock[lc].atomics;
	return (atomics);
}

static int
cmp_uptr(const void *a, const void *b)
{
	uintptr_t x = *(const uintptr_t *)a, y = *(const uintptr_t *)b;

	return (x < y ? -1 : x > y);
}

/*
 * Move rec.addr onto a fresh region, one page per page touched, offsets
 * kept.  Returns the region (its pages faulted in).
 */
static uint8_t *
remap_addresses(size_t *npagesp)
{
	uintptr_t *pages, pg, *slot;
	uint8_t *region;
	size_t i, n = 0;

	if ((pages = malloc(rec.n * sizeof(*pages))) == NULL)
		err(1, "remap");
	for (i = 0; i < rec.n; i++)
		pages[i] = rec.addr[i] / FLOOR_PAGE;
	qsort(pages, rec.n, sizeof(*pages), cmp_uptr);
	for (i = 0; i < rec.n; i++)
		if (n == 0 || pages[n - 1] != pages[i])
			pages[n++] = pages[i];
	if ((region = aligned_alloc(FLOOR_PAGE, n * FLOOR_PAGE)) == NULL)
		err(1, "remap");
	memset(region, 0, n * FLOOR_PAGE);
	for (i = 0; i < rec.n; i++) {
		pg = rec.addr[i] / FLOOR_PAGE;
		slot = bsearch(&pg, pages, n, sizeof(*pages), cmp_uptr);
		rec.addr[i] = (uintptr_t)(region + (size_t)(slot - pages) *
		    FLOOR_PAGE + rec.addr[i] % FLOOR_PAGE);
	}
	free(pages);
	*npagesp = n;
	return (region);
}

/* One locked RMW that leaves the byte as it was. */
static inline void
locked_or0(uintptr_t a)
{
	__asm__ __volatile__("lock; orb $0, %0"
	    : "+m"(*(volatile uint8_t *)a) : : "memory");
}

static uint64_t
time_sequence(void)
{
	uint64_t t0 = cli_now_ns();
	size_t i;

	for (i = 0; i < rec.n; i++)
		locked_or0(rec.addr[i]);
	return (cli_now_ns() - t0);
}

static uint64_t
time_hot(uintptr_t a)
{
	uint64_t t0 = cli_now_ns();
	size_t i;

	for (i = 0; i < rec.n; i++)
		locked_or0(a);
	return (cli_now_ns() - t0);
}

int
main(int argc, char **argv)
{
	struct floor_trace t;
	struct vm_engine *e;
	uint64_t atomics = 0, counted;
	double *model, *addr, *hot;
	uint8_t *region;
	size_t npages;
	double m, a, h;
	int i, runs;

	if (argc < 3 || argc > 4) {
		fprintf(stderr, "usage: bench_addr_floor TRACE PRESET [RUNS]\n");
		return (2);
	}
	runs = argc > 3 ? atoi(argv[3]) : 5;
	if (runs < 1)
		errx(2, "RUNS must be at least 1");
	load_trace(argv[1], &t);
	if (t.n == 0)
		errx(2, "%s: no event", argv[1]);
	model = calloc((size_t)runs, sizeof(*model));
	addr = calloc((size_t)runs, sizeof(*addr));
	hot = calloc((size_t)runs, sizeof(*hot));
	if (model == NULL || addr == NULL || hot == NULL)
		err(1, "calloc");
	for (i = 0; i < runs; i++) {
		uint64_t t0;

		e = engine_new(&t, argv[2]);
		t0 = cli_now_ns();
		atomics = engine_pass(e, &t);
		model[i] = (double)(cli_now_ns() - t0);
		eng_destroy(e);
	}
	e = engine_new(&t, argv[2]);
	eng_lock_sim_set(&rec_hook);
	counted = engine_pass(e, &t);
	eng_lock_sim_set(NULL);
	eng_destroy(e);
	if (counted != atomics || rec.n != counted)
		errx(1, "atomics: %ju timed, %ju counted and %zu recorded "
		    "with the hook", (uintmax_t)atomics, (uintmax_t)counted,
		    rec.n);
	region = remap_addresses(&npages);
	for (i = 0; i < runs; i++) {
		addr[i] = (double)time_sequence();
		hot[i] = (double)time_hot((uintptr_t)region);
	}
	m = cli_median(model, (size_t)runs) / (double)t.n;
	a = cli_median(addr, (size_t)runs) / (double)t.n;
	h = cli_median(hot, (size_t)runs) / (double)t.n;
	printf("%s %s: %zu events, %.2f atomics/event on %zu pages; ns/event: "
	    "model %.0f, hot floor %.0f (%.0f%%), address floor %.0f (%.0f%%)"
	    "\n", argv[1], argv[2], t.n, (double)atomics / (double)t.n,
	    npages, m, h, 100 * h / m, a, 100 * a / m);
	free(region);
	free(rec.addr);
	free(t.ev);
	free(model);
	free(addr);
	free(hot);
	return (0);
}
