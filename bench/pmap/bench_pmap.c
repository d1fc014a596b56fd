/*
 * bench_pmap.c - the pmap model's costs per design, on the test page layer
 * (tests/pmap/mi_fake.c: trivial atomics for the MI side, so the figures
 * are the pmap's own).
 *
 *  1. Single thread: ns per operation (median of 5 rounds) for pmap_enter,
 *     pmap_remove (one page), pmap_remove_all and pmap_remove_write (pages
 *     with 4 mappings), pmap_extract_and_hold (+ unwire), promotion and
 *     demotion of a 2 MiB run.
 *  2. Two threads, each with its own pmap, entering and removing mappings
 *     of different pages: "shared run" = both threads' pages in one 2 MiB
 *     frame (hashed and superpage alias them on one pv lock; perpage does
 *     not); "separate runs" = each thread in its own frame.  Reports Mops/s
 *     and the pv lock's contended share and wait time.
 *
 * usage: bench_pmap [scale]   (contention run length x 200 ms; default 1)
 */
#include <pthread.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "cli.h"
#include "mi_fake.h"

#define VA0		0x7f0000000000ul
#define NPAGES		16384
#define NOPS		4096		/* pages per single-thread round */
#define ROUNDS		5
#define NRUNS		8		/* 2 MiB runs for promote/demote */

static double scale = 1.0;

/* Page i of the single-thread rounds: scattered, so nothing promotes. */
static uint64_t
page_of(uint64_t i)
{

	return ((i * 2053) % NPAGES);
}

enum { OP_ENTER, OP_HOLD, OP_RWRITE, OP_RALL, OP_REMOVE, OP_PROMOTE,
    OP_DEMOTE, OP_COUNT };
static const char *op_names[OP_COUNT] = { "enter", "extract_hold",
    "remove_write", "remove_all", "remove", "promote", "demote" };

/*
 * Samples: ns per operation of batches of BATCH operations (one operation
 * for promote/demote); the figure is their median, which a preemption of
 * the measuring thread on a shared machine does not move.
 */
#define BATCH		128
#define MAXSAMPLES	4096

struct samples {
	double		v[MAXSAMPLES];
	int		n;
};

static struct samples samp[OP_COUNT];

static void
sample(unsigned op, uint64_t t0, uint64_t nops)
{

	if (samp[op].n < MAXSAMPLES)
		samp[op].v[samp[op].n++] = (double)(cli_now_ns() - t0) /
		    (double)nops;
}

static void
single_round(const struct eng_design *d)
{
	struct vm_engine *e;
	struct eng_cpu *c;
	uint64_t b, i, t, p, r;

	e = fake_create(d, NPAGES, 8, 1);
	c = e->cpus[0];
	for (b = 0; b < NOPS; b += BATCH) {
		t = cli_now_ns();
		for (i = b; i < b + BATCH; i++)
			pmap_ev_enter(c, 0, VA0 + i * PAGE_SIZE,
			    fake_page(e, page_of(i)), true);
		sample(OP_ENTER, t, BATCH);
	}
	for (b = 0; b < NOPS; b += BATCH) {
		t = cli_now_ns();
		for (i = b; i < b + BATCH; i++)
			pmap_ev_extract_and_hold(c, 0, VA0 + i * PAGE_SIZE);
		sample(OP_HOLD, t, BATCH);
	}
	for (p = 1; p < 4; p++)
		for (i = 0; i < NOPS; i++)
			pmap_ev_enter(c, p, VA0 + i * PAGE_SIZE,
			    fake_page(e, page_of(i)), true);
	for (b = 0; b < NOPS; b += BATCH) {
		t = cli_now_ns();
		for (i = b; i < b + BATCH; i++)
			pmap_remove_write(c, fake_page(e, page_of(i)));
		sample(OP_RWRITE, t, BATCH);
	}
	for (b = 0; b < NOPS; b += BATCH) {
		t = cli_now_ns();
		for (i = b; i < b + BATCH; i++)
			pmap_remove_all(c, fake_page(e, page_of(i)));
		sample(OP_RALL, t, BATCH);
	}
	for (i = 0; i < NOPS; i++)
		pmap_ev_enter(c, 0, VA0 + i * PAGE_SIZE, fake_page(e,
		    page_of(i)), true);
	for (b = 0; b < NOPS; b += BATCH) {
		t = cli_now_ns();
		for (i = b; i < b + BATCH; i++)
			pmap_ev_remove(c, 0, VA0 + i * PAGE_SIZE, 1);
		sample(OP_REMOVE, t, BATCH);
	}
	for (r = 0; r < NRUNS; r++)
		for (i = 0; i < NPTEPG; i++)
			pmap_ev_enter(c, 4, VA0 + r * NBPDR + i * PAGE_SIZE,
			    fake_page(e, r * NPTEPG + i), true);
	for (p = 0; p < 8; p++) {
		for (r = 0; r < NRUNS; r++) {
			t = cli_now_ns();
			pmap_ev_demote(c, 4, VA0 + r * NBPDR);
			sample(OP_DEMOTE, t, 1);
		}
		for (r = 0; r < NRUNS; r++) {
			t = cli_now_ns();
			pmap_ev_promote(c, 4, VA0 + r * NBPDR);
			sample(OP_PROMOTE, t, 1);
		}
	}
	if (pmap_check(e->md, stderr) != 0)
		abort();
	fake_destroy(e);
}

struct cworker {
	pthread_t	td;
	struct eng_cpu	*c;
	uint64_t	slot, first, ops;
	_Atomic bool	*stop;
};

/* Enter then remove each of 256 pages of the worker's run, until stop. */
static void *
cworker_main(void *arg)
{
	struct cworker *w = arg;
	uint64_t i, va;

	while (!atomic_load_explicit(w->stop, memory_order_relaxed)) {
		for (i = 0; i < 256; i++) {
			va = VA0 + i * PAGE_SIZE;
			pmap_ev_enter(w->c, w->slot, va,
			    fake_page(w->c->e, w->first + i), true);
			pmap_ev_remove(w->c, w->slot, va, 1);
		}
		w->ops += 2 * 256;
	}
	return (NULL);
}

static void
contention_round(const struct eng_design *d, bool shared, double *mops,
    struct eng_lock_stats *sum)
{
	struct eng_lock_stats pv;
	struct cworker w[2];
	struct timespec dur;
	struct vm_engine *e;
	_Atomic bool stop;
	uint64_t t;
	int k;

	e = fake_create(d, NPAGES, 4, 2);
	memset(&pv, 0, sizeof(pv));
	atomic_init(&stop, false);
	for (k = 0; k < 2; k++) {
		eng_lkstat_init(&e->cpus[k]->lk, true, 1);
		w[k].c = e->cpus[k];
		w[k].slot = (uint64_t)k;
		/* Shared: halves of frame 0.  Separate: frames 0 and 1. */
		w[k].first = shared ? (uint64_t)k * 256 : (uint64_t)k * NPTEPG;
		w[k].ops = 0;
		w[k].stop = &stop;
	}
	t = cli_now_ns();
	for (k = 0; k < 2; k++)
		pthread_create(&w[k].td, NULL, cworker_main, &w[k]);
	dur.tv_sec = 0;
	dur.tv_nsec = (long)(200000000 * scale);
	if (dur.tv_nsec > 999999999)
		dur.tv_nsec = 999999999;
	nanosleep(&dur, NULL);
	atomic_store(&stop, true);
	for (k = 0; k < 2; k++)
		pthread_join(w[k].td, NULL);
	t = cli_now_ns() - t;
	for (k = 0; k < 2; k++) {
		pv.acquisitions += e->cpus[k]->lk.cls[LC_PV].acquisitions;
		pv.contended += e->cpus[k]->lk.cls[LC_PV].contended;
		eng_hist_merge(&pv.wait, &e->cpus[k]->lk.cls[LC_PV].wait);
	}
	*mops = (double)(w[0].ops + w[1].ops) / (double)t * 1e3;
	sum->acquisitions += pv.acquisitions;
	sum->contended += pv.contended;
	eng_hist_merge(&sum->wait, &pv.wait);
	fake_destroy(e);
}

/* Contended share of the acquisitions, percent. */
static double
pct(const struct eng_lock_stats *l)
{

	return (l->acquisitions != 0 ?
	    100.0 * (double)l->contended / (double)l->acquisitions : 0);
}

int
main(int argc, char **argv)
{
	double mops[2][ROUNDS];
	struct eng_lock_stats sum[2];
	struct eng_design d;
	const char *name;
	unsigned k, op, s;
	int r;

	if (argc > 1 && (scale = atof(argv[1])) <= 0) {
		fprintf(stderr, "usage: bench_pmap [scale > 0]\n");
		return (2);
	}
	eng_tsc_calibrate();
	printf("Single thread, ns per operation (median over batches of %d, "
	    "%d rounds; remove_all/remove_write: 4 mappings per page)\n\n",
	    BATCH, ROUNDS);
	printf("| design |");
	for (op = 0; op < OP_COUNT; op++)
		printf(" %s |", op_names[op]);
	printf("\n|---|");
	for (op = 0; op < OP_COUNT; op++)
		printf("---:|");
	printf("\n");
	for (k = 0; k < FAKE_NDESIGNS; k++) {
		fake_design(k, &d, &name);
		memset(samp, 0, sizeof(samp));
		for (r = 0; r < ROUNDS; r++)
			single_round(&d);
		printf("| %s |", name);
		for (op = 0; op < OP_COUNT; op++)
			printf(" %.0f |", cli_median(samp[op].v, samp[op].n));
		printf("\n");
	}
	printf("\nTwo threads, own pmaps, enter+remove of different pages "
	    "(Mops/s: median of %d rounds; pv lock contention and wait: all "
	    "rounds)\n\n", ROUNDS);
	printf("| design | Mops/s shared run | Mops/s separate runs | "
	    "pv contended shared | pv contended separate | "
	    "pv wait p50/p99 ns shared, of the contended |\n");
	printf("|---|---:|---:|---:|---:|---:|\n");
	for (k = 0; k < FAKE_NDESIGNS; k++) {
		fake_design(k, &d, &name);
		memset(sum, 0, sizeof(sum));
		for (s = 0; s < 2; s++)
			for (r = 0; r < ROUNDS; r++)
				contention_round(&d, s == 0, &mops[s][r],
				    &sum[s]);
		printf("| %s | %.2f | %.2f | %.3f%% | %.3f%% | %llu/%llu |\n",
		    name, cli_median(mops[0], ROUNDS), cli_median(mops[1], ROUNDS),
		    pct(&sum[0]), pct(&sum[1]),
		    (unsigned long long)eng_hist_quantile(&sum[0].wait, 0.5),
		    (unsigned long long)eng_hist_quantile(&sum[0].wait, 0.99));
	}
	return (0);
}
