/*
 * test_sim.c - the simulator (sim/sim.h) against answers known in closed
 * form, with the model's real lock primitives (engine/lock.h) where a lock
 * is involved:
 *  - one global mutex, exponential hold h and think t: the throughput of
 *    the closed M/M/1//N queue (machine-repairman), saturating at 1/h;
 *  - N CPUs on N disjoint locks: N times the throughput of one;
 *  - a line bounced between two CPUs by atomic RMWs: the machine's
 *    transfer time (plus the RMW) per operation, by distance;
 *  - a FIFO ticket lock whose waiters all spin on one line collapses past
 *    saturation (Boyd-Wickizer et al., "Non-scalable locks are dangerous",
 *    2012), while an array lock (one line per waiter) does not;
 *  - a calibrated hold (sim_set_holds()) lasts what the table says;
 *  - the same inputs and seed give the same clocks.
 */
#include <math.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "lock.h"
#include "sim.h"

/* An exponential variate of mean `mean` ns from the stream x (sim_mix). */
static uint64_t
rexp(uint64_t *x, double mean)
{
	double u = ((double)(sim_mix(x) >> 11) + 0.5) / 9007199254740992.0;

	return ((uint64_t)(-log(u) * mean));
}

/* Makespan: the latest clock of CPUs [0, n). */
static uint64_t
makespan(const struct sim *s, unsigned n)
{
	uint64_t t = 0;
	unsigned i;

	for (i = 0; i < n; i++)
		if (sim_clock(s, i) > t)
			t = sim_clock(s, i);
	return (t);
}

/* Mutex loops ---------------------------------------------------------- */

struct mtx_job {
	struct eng_mtx	*locks;		/* one per CPU, or locks[0] for all */
	size_t		 stride;	/* bytes between locks (0: one lock) */
	unsigned	 iters;		/* per CPU; or, when 0, */
	uint64_t	 until;		/* run until this virtual time */
	double		 hold, think;	/* means, ns */
	bool		 exponential;
	struct eng_lkstat *ls;		/* [ncpus] */
};

static void
mtx_cpu(struct sim *s, unsigned cpu, void *arg)
{
	ENG_SITE_DEFINE;
	struct mtx_job *j = arg;
	struct eng_mtx *m = (struct eng_mtx *)((char *)j->locks +
	    j->stride * cpu);
	uint64_t x = 1000 + cpu;
	unsigned i;

	for (i = 0; j->iters > 0 ? i < j->iters : sim_now(s) < j->until;
	    i++) {
		sim_work(s, j->exponential ? rexp(&x, j->think) :
		    (uint64_t)j->think);
		eng_mtx_lock(&j->ls[cpu], m, ENG_HERE);
		sim_work(s, j->exponential ? rexp(&x, j->hold) :
		    (uint64_t)j->hold);
		eng_mtx_unlock(&j->ls[cpu], m);
	}
}

/* Acquisitions per virtual second of j on n CPUs of machine mname. */
static double
mtx_throughput(struct mtx_job *j, const char *mname, unsigned n)
{
	char err[256];
	struct sim *s;
	unsigned i;
	double x;
	int rc;

	s = sim_create(sim_machine_find(mname), n, 1, err, sizeof(err));
	assert_non_null(s);
	j->ls = calloc(n, sizeof(*j->ls));
	assert_non_null(j->ls);
	for (i = 0; i < n; i++) {
		eng_lkstat_init(&j->ls[i], true, 1);
		assert_int_equal(sim_start(s, i, mtx_cpu, j, err,
		    sizeof(err)), 0);
	}
	rc = sim_run(s, err, sizeof(err));
	if (rc != 0)
		fail_msg("%s", err);
	x = 0;
	for (i = 0; i < n; i++) {
		if (j->iters > 0)
			assert_int_equal(j->ls[i].cls[LC_OBJECT].acquisitions,
			    j->iters);
		x += (double)j->ls[i].cls[LC_OBJECT].acquisitions;
	}
	/*
	 * A fixed count per CPU measures the slowest CPU (an unfair lock
	 * leaves a tail with few CPUs); a deadline measures the lock.
	 */
	x = x / (double)(j->iters > 0 ? makespan(s, n) : j->until) * 1e9;
	free(j->ls);
	sim_destroy(s);
	return (x);
}

/* Closed M/M/1//N: throughput with think mean t and service mean h. */
static double
mm1n(unsigned n, double h, double t)
{
	double sum = 0, term = 1;
	unsigned k;

	for (k = 0; k <= n; k++) {
		sum += term;
		term *= (double)(n - k) * h / t;
	}
	return ((1 - 1 / sum) / h * 1e9);
}

static void
test_global_lock_mm1(void **state)
{
	static const unsigned ns[] = { 1, 2, 4, 8, 16 };
	struct mtx_job j;
	struct eng_mtx m;
	double x, want;
	size_t i;

	(void)state;
	eng_mtx_init(&m, LC_OBJECT);
	memset(&j, 0, sizeof(j));
	j.locks = &m;
	j.until = 400000000;		/* 0.4 s: 8000 to 40000 holds */
	j.hold = 10000;
	j.think = 40000;
	j.exponential = true;
	for (i = 0; i < sizeof(ns) / sizeof(ns[0]); i++) {
		x = mtx_throughput(&j, "ideal", ns[i]);
		want = mm1n(ns[i], j.hold, j.think);
		printf("global lock, %2u CPUs: %8.0f/s, M/M/1//N %8.0f/s\n",
		    ns[i], x, want);
		assert_true(fabs(x - want) < 0.06 * want);
	}
	/* Saturation: within 3 % of 1/h at 16 CPUs (ρ = 4 per CPU). */
	assert_true(x > 0.97e9 / j.hold && x < 1.01e9 / j.hold);
}

static void
test_disjoint_locks_linear(void **state)
{
	struct eng_mtx_padalign *locks;
	struct mtx_job j;
	double x1, xn;
	unsigned i;

	(void)state;
	locks = aligned_alloc(ENG_CACHE_LINE, 64 * sizeof(*locks));
	assert_non_null(locks);
	for (i = 0; i < 64; i++)
		eng_mtx_init(&locks[i].m, LC_OBJECT);
	memset(&j, 0, sizeof(j));
	j.locks = &locks[0].m;
	j.stride = sizeof(*locks);
	j.iters = 2000;
	j.hold = 300;
	j.think = 1000;
	x1 = mtx_throughput(&j, "xeon-2s-104", 1);
	xn = mtx_throughput(&j, "xeon-2s-104", 64);
	printf("disjoint locks: 1 CPU %.0f/s, 64 CPUs %.0f/s (%.3f x)\n",
	    x1, xn, xn / x1);
	assert_true(fabs(xn / x1 - 64) < 0.01 * 64);
	free(locks);
}

/* Line bounce ---------------------------------------------------------- */

struct bounce_job {
	_Alignas(64) _Atomic uint32_t word;
	unsigned	 iters;
	struct eng_lkstat ls[2];
};

static void
bounce_cpu(struct sim *s, unsigned cpu, void *arg)
{
	struct bounce_job *j = arg;
	unsigned i;

	(void)s;
	for (i = 0; i < j->iters; i++)
		eng_atomic_fetchadd_32(&j->ls[cpu != 0], LC_PAGE, &j->word,
		    1);
}

/* ns per RMW of two CPUs a and b (a == b: one CPU) bouncing a line. */
static double
bounce_ns(unsigned a, unsigned b, uint64_t *words)
{
	struct bounce_job *j;
	char err[256];
	struct sim *s;
	double per;

	j = aligned_alloc(64, sizeof(*j));
	assert_non_null(j);
	memset(j, 0, sizeof(*j));
	j->iters = 10000;
	eng_lkstat_init(&j->ls[0], false, 1);
	eng_lkstat_init(&j->ls[1], false, 1);
	s = sim_create(sim_machine_find("xeon-2s-104"), 104, 7, err,
	    sizeof(err));
	assert_non_null(s);
	assert_int_equal(sim_start(s, a, bounce_cpu, j, err, sizeof(err)), 0);
	if (b != a)
		assert_int_equal(sim_start(s, b, bounce_cpu, j, err,
		    sizeof(err)), 0);
	assert_int_equal(sim_run(s, err, sizeof(err)), 0);
	per = (double)(sim_clock(s, a) > sim_clock(s, b) ? sim_clock(s, a) :
	    sim_clock(s, b)) / (j->iters * (a == b ? 1 : 2));
	*words = atomic_load(&j->word);
	sim_destroy(s);
	free(j);
	return (per);
}

static void
test_line_bounce(void **state)
{
	const struct sim_machine *m = sim_machine_find("xeon-2s-104");
	uint64_t words;
	double one, smt, core, remote;

	(void)state;
	one = bounce_ns(0, 0, &words);
	assert_int_equal(words, 10000);
	smt = bounce_ns(0, 1, &words);		/* SMT siblings */
	assert_int_equal(words, 20000);
	core = bounce_ns(0, 2, &words);		/* same socket */
	remote = bounce_ns(0, 52, &words);	/* the other socket */
	printf("ns per RMW: alone %.1f, SMT %.1f, socket %.1f, remote "
	    "%.1f\n", one, smt, core, remote);
	assert_true(fabs(one - (m->work_ns + m->hit_ns)) < 1);
	/*
	 * Siblings: the line moves faster than a CPU's own loop runs, so
	 * the two loops overlap; each RMW still pays the transfer.
	 */
	assert_true(m->smt_ns < m->work_ns);
	assert_true(fabs(smt - (m->work_ns + m->smt_ns + m->hit_ns) / 2.0) <
	    0.02 * smt);
	assert_true(fabs(core - (m->ccx_ns + m->hit_ns)) < 0.02 * core);
	assert_true(fabs(remote - (m->remote_ns + m->hit_ns)) <
	    0.02 * remote);
}

/* Ticket lock vs array lock -------------------------------------------- */

#define SPIN_CPUS_MAX	64

struct spin_job {
	_Alignas(64) _Atomic uint32_t next;	/* ticket: next, serving */
	_Atomic uint32_t serving;
	_Alignas(64) struct {
		_Alignas(64) _Atomic uint32_t go;
	} slot[SPIN_CPUS_MAX];			/* array lock: one line each */
	_Alignas(64) uint64_t shared[8];	/* the critical section's data */
	bool		 array;
	unsigned	 n, iters;
	struct eng_lkstat ls[SPIN_CPUS_MAX];
};

static void
spin_cpu(struct sim *s, unsigned cpu, void *arg)
{
	struct spin_job *j = arg;
	struct eng_lkstat *ls = &j->ls[cpu];
	uint32_t my;
	unsigned i;

	for (i = 0; i < j->iters; i++) {
		sim_work(s, 2000);				/* think */
		my = eng_atomic_fetchadd_32(ls, LC_PAGE, &j->next, 1);
		if (j->array) {
			_Atomic uint32_t *go = &j->slot[my % j->n].go;

			sim_access(s, go, ENG_SIM_LOAD);
			while (atomic_load(go) == 0)
				sim_wait_write(s, go);
			atomic_store(go, 0);
			sim_access(s, go, ENG_SIM_STORE);
		} else {
			sim_access(s, &j->serving, ENG_SIM_LOAD);
			while (atomic_load(&j->serving) != my)
				sim_wait_write(s, &j->serving);
		}
		sim_access(s, j->shared, ENG_SIM_RMW);		/* the data */
		j->shared[0]++;
		sim_work(s, 200);
		if (j->array) {
			sim_access(s, &j->slot[(my + 1) % j->n].go,
			    ENG_SIM_STORE);
			atomic_store(&j->slot[(my + 1) % j->n].go, 1);
		} else {
			sim_access(s, &j->serving, ENG_SIM_STORE);
			atomic_fetch_add(&j->serving, 1);
		}
	}
}

/* Acquisitions per virtual second of the ticket or array lock on n CPUs. */
static double
spin_throughput(bool array, unsigned n)
{
	struct spin_job *j;
	char err[256];
	struct sim *s;
	unsigned i;
	double x;

	j = aligned_alloc(64, sizeof(*j));
	assert_non_null(j);
	memset(j, 0, sizeof(*j));
	j->array = array;
	j->n = n;
	j->iters = 400;
	atomic_store(&j->slot[0].go, 1);
	s = sim_create(sim_machine_find("xeon-2s-104"), n, 3, err,
	    sizeof(err));
	assert_non_null(s);
	for (i = 0; i < n; i++) {
		eng_lkstat_init(&j->ls[i], false, 1);
		assert_int_equal(sim_start(s, i, spin_cpu, j, err,
		    sizeof(err)), 0);
	}
	assert_int_equal(sim_run(s, err, sizeof(err)), 0);
	assert_int_equal(j->shared[0], (uint64_t)n * j->iters);
	x = (double)n * j->iters / (double)makespan(s, n) * 1e9;
	sim_destroy(s);
	free(j);
	return (x);
}

static void
test_ticket_collapse(void **state)
{
	static const unsigned ns[] = { 1, 2, 4, 8, 12, 16, 24, 32, 48 };
	double tk[9], ar[9], peak = 0;
	size_t i, last = sizeof(ns) / sizeof(ns[0]) - 1;

	(void)state;
	for (i = 0; i <= last; i++) {
		tk[i] = spin_throughput(false, ns[i]);
		ar[i] = spin_throughput(true, ns[i]);
		printf("%2u CPUs: ticket %8.0f/s, array %8.0f/s\n", ns[i],
		    tk[i], ar[i]);
		if (tk[i] > peak)
			peak = tk[i];
	}
	/* Rises while below saturation ... */
	assert_true(tk[1] > 1.8 * tk[0] && tk[2] > 1.8 * tk[1]);
	/* ... and collapses past it: below half the peak at 48 CPUs. */
	assert_true(tk[last] < 0.5 * peak);
	/* The array lock's hand-off touches one waiter: no collapse. */
	assert_true(ar[last] > 0.9 * ar[5]);
	assert_true(ar[last] > 2 * tk[last]);
}

/* Calibrated holds ----------------------------------------------------- */

struct hold_job {
	struct eng_mtx	 m;
	struct eng_lkstat ls;
};

/* One lock and unlock at this site; nothing in between. */
static void
hold_body(struct hold_job *j)
{
	ENG_SITE_DEFINE;

	eng_mtx_lock(&j->ls, &j->m, ENG_HERE);
	eng_mtx_unlock(&j->ls, &j->m);
}

static void
hold_cpu(struct sim *s, unsigned cpu, void *arg)
{
	unsigned i;

	(void)s;
	(void)cpu;
	for (i = 0; i < 10; i++)
		hold_body(arg);
}

static void
test_calibrated_hold(void **state)
{
	uint32_t table[LC_COUNT * 64];
	struct hold_job *j;
	char err[256];
	struct sim *s;
	int k;

	(void)state;
	j = calloc(1, sizeof(*j));
	assert_non_null(j);
	eng_mtx_init(&j->m, LC_OBJECT);
	eng_lkstat_init(&j->ls, true, 1);
	hold_body(j);		/* registers the site, on the real lock */
	k = sim_site_index("hold_body");
	assert_true(k >= 0 && k < 64);
	memset(table, 0, sizeof(table));
	table[k * LC_COUNT + LC_OBJECT] = 5000;
	eng_lkstat_reset(&j->ls);
	s = sim_create(sim_machine_find("ideal"), 1, 1, err, sizeof(err));
	assert_non_null(s);
	sim_set_holds(s, table, 64, LC_COUNT);
	assert_int_equal(sim_start(s, 0, hold_cpu, j, err, sizeof(err)), 0);
	assert_int_equal(sim_run(s, err, sizeof(err)), 0);
	/* Every hold lasts the table's 5 us (the ideal machine adds 0). */
	assert_int_equal(j->ls.cls[LC_OBJECT].hold.count, 10);
	assert_int_equal(j->ls.cls[LC_OBJECT].hold.sum_ns, 50000);
	assert_int_equal(sim_clock(s, 0), 50000);
	sim_destroy(s);
	free(j);
}

/* Determinism ---------------------------------------------------------- */

static void
test_deterministic(void **state)
{
	struct mtx_job j;
	struct eng_mtx m;
	double a, b;

	(void)state;
	eng_mtx_init(&m, LC_OBJECT);
	memset(&j, 0, sizeof(j));
	j.locks = &m;
	j.iters = 500;
	j.hold = 300;
	j.think = 600;
	j.exponential = true;
	a = mtx_throughput(&j, "epyc-64", 32);
	b = mtx_throughput(&j, "epyc-64", 32);
	assert_true(a == b);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_global_lock_mm1),
		cmocka_unit_test(test_disjoint_locks_linear),
		cmocka_unit_test(test_line_bounce),
		cmocka_unit_test(test_ticket_collapse),
		cmocka_unit_test(test_calibrated_hold),
		cmocka_unit_test(test_deterministic),
	};

	return (cmocka_run_group_tests(tests, NULL, NULL));
}
