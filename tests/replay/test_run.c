/*
 * test_run.c - the replay thread pool with a recording target: workers are
 * really pinned (affinity read back, and the CPU each event ran on), every
 * stream is replayed in order by one worker under real concurrency,
 * warm-up, loops and the duration limit.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "cli.h"
#include "cpulist.h"
#include "plan.h"
#include "recorder.h"
#include "run.h"

static size_t
len_stream(unsigned s)
{
	return (2000 + 300 * (size_t)s);
}

static void
opts_default(struct rp_run_opts *o)
{
	memset(o, 0, sizeof(*o));
	o->loops = 1;
	o->pace_factor = 1.0;
}

/* Each worker pinned to its CPU: affinity read back and every event. */
static void
test_pinning(void **state)
{
	struct rp_cpulist online;
	struct rp_run_result res;
	struct rp_run_opts o;
	struct rp_target tg;
	struct recorder rec;
	struct rp_trace t;
	struct rp_plan p;
	char err[256];
	unsigned w, nw;
	size_t i;

	(void)state;
	assert_int_equal(rp_cpulist_online(&online, err, sizeof(err)), 0);
	nw = online.n < 4 ? (unsigned)online.n : 4;
	rec_trace(&t, 8, 4, len_stream);
	assert_int_equal(rp_plan_build(&t, nw, RP_PART_TID, 1,
	    RP_SCALE_DISJOINT, &p, err, sizeof(err)), 0);
	rec_init(&rec, nw, &tg);
	opts_default(&o);
	/* Reverse order, so that worker i is not on CPU i by chance. */
	for (i = 0; i < online.n / 2; i++) {
		unsigned c = online.cpu[i];

		online.cpu[i] = online.cpu[online.n - 1 - i];
		online.cpu[online.n - 1 - i] = c;
	}
	o.cpus = online.cpu;
	o.ncpus = online.n;
	assert_int_equal(rp_run(&t, &p, &tg, &o, &res, err, sizeof(err)), 0);
	for (w = 0; w < nw; w++) {
		assert_int_equal(res.w[w].cpu, (int)online.cpu[w]);
		assert_true(res.w[w].affinity_ok);
		assert_int_equal(res.w[w].ran_on, (int)online.cpu[w]);
		assert_int_equal(rec.w[w].n, p.w[w].n);
		for (i = 0; i < rec.w[w].n; i++)
			assert_int_equal(rec.w[w].e[i].cpu,
			    (int)online.cpu[w]);
	}
	assert_int_equal(res.events, p.items);
	rp_run_result_free(&res);
	rec_free(&rec);
	rp_plan_free(&p);
	rp_trace_free(&t);
	rp_cpulist_free(&online);
}

/*
 * Streams keep their order and their worker with more workers than CPUs
 * (oversubscribed, so the OS interleaves them) and scale replicas.
 */
static void
test_stream_order(void **state)
{
	struct rp_run_result res;
	struct rp_run_opts o;
	struct rp_target tg;
	struct recorder rec;
	struct rp_trace t;
	struct rp_plan p;
	int64_t *last, *owner;
	char err[256];
	unsigned w, nstreams, scale, r;
	size_t i, u, total;
	uint64_t objs;

	(void)state;
	nstreams = 10;
	scale = 3;
	rec_trace(&t, nstreams, 5, len_stream);
	assert_int_equal(rp_plan_build(&t, 6, RP_PART_TID, scale,
	    RP_SCALE_DISJOINT, &p, err, sizeof(err)), 0);
	rec_init(&rec, 6, &tg);
	opts_default(&o);
	assert_int_equal(rp_run(&t, &p, &tg, &o, &res, err, sizeof(err)), 0);

	last = malloc(nstreams * scale * sizeof(*last));
	owner = malloc(nstreams * scale * sizeof(*owner));
	for (u = 0; u < nstreams * scale; u++)
		last[u] = owner[u] = -1;
	total = 0;
	for (w = 0; w < 6; w++) {
		for (i = 0; i < rec.w[w].n; i++) {
			const struct rec_entry *e = &rec.w[w].e[i];

			/* The replica shows in the object slot. */
			r = (unsigned)(e->obj / t.nobjects);
			assert_true(r < scale);
			u = (size_t)e->tid * scale + r;
			if (owner[u] < 0)
				owner[u] = w;
			assert_int_equal(owner[u], w);
			assert_int_equal((int64_t)e->pindex, last[u] + 1);
			last[u] = (int64_t)e->pindex;
		}
		total += rec.w[w].n;
		assert_int_equal(res.w[w].events, rec.w[w].n);
	}
	assert_int_equal(total, t.nev * scale);
	for (u = 0; u < nstreams * scale; u++)
		assert_int_equal(last[u] + 1, (int64_t)len_stream(
		    (unsigned)(u / scale)));
	objs = 0;
	for (u = 0; u < nstreams * scale; u++)
		objs += owner[u] >= 0;
	assert_int_equal(objs, nstreams * scale);
	free(last);
	free(owner);
	rp_run_result_free(&res);
	rec_free(&rec);
	rp_plan_free(&p);
	rp_trace_free(&t);
}

/* Warm-up events are replayed, then statistics reset; loops repeat. */
static void
test_warmup_loops(void **state)
{
	struct rp_run_result res;
	struct rp_run_opts o;
	struct rp_target tg;
	struct recorder rec;
	struct rp_trace t;
	struct rp_plan p;
	char err[256];
	uint64_t logged;
	unsigned w;

	(void)state;
	rec_trace(&t, 4, 2, len_stream);
	assert_int_equal(rp_plan_build(&t, 2, RP_PART_TID, 1,
	    RP_SCALE_DISJOINT, &p, err, sizeof(err)), 0);
	rec_init(&rec, 2, &tg);
	opts_default(&o);
	o.warmup_events = 1000;
	o.loops = 3;
	assert_int_equal(rp_run(&t, &p, &tg, &o, &res, err, sizeof(err)), 0);
	assert_int_equal(rec.resets, 1);
	assert_true(res.warmup_events >= 999 && res.warmup_events <= 1000);
	/* Measured: three loops minus the warm-up prefix of the first. */
	assert_int_equal(res.events + res.warmup_events, 3 * p.items);
	logged = 0;
	for (w = 0; w < 2; w++)
		logged += rec.w[w].n;
	assert_int_equal(logged, res.events);	/* reset cleared warm-up */
	assert_false(res.stopped);
	rp_run_result_free(&res);
	rec_free(&rec);
	rp_plan_free(&p);
	rp_trace_free(&t);
}

/* The duration limit stops an endless-looking replay. */
static void
test_duration(void **state)
{
	struct rp_run_result res;
	struct rp_run_opts o;
	struct rp_target tg;
	struct recorder rec;
	struct rp_trace t;
	struct rp_plan p;
	char err[256];
	uint64_t t0, el;

	(void)state;
	rec_trace(&t, 2, 2, len_stream);
	assert_int_equal(rp_plan_build(&t, 2, RP_PART_TID, 1,
	    RP_SCALE_DISJOINT, &p, err, sizeof(err)), 0);
	rec_init(&rec, 2, &tg);
	opts_default(&o);
	o.loops = 1000000;
	o.duration_ns = 200000000;	/* 0.2 s */
	t0 = cli_now_ns();
	assert_int_equal(rp_run(&t, &p, &tg, &o, &res, err, sizeof(err)), 0);
	el = cli_now_ns() - t0;
	assert_true(res.stopped);
	assert_true(res.events < p.items * o.loops);
	assert_true(el < 5000000000ULL);
	assert_true(res.elapsed_ns >= 150000000ULL);
	rp_run_result_free(&res);
	rec_free(&rec);
	rp_plan_free(&p);
	rp_trace_free(&t);
}

/* Recorded pacing: events 1 us apart at factor 10 take ~0.1 us each. */
static void
test_pacing(void **state)
{
	struct rp_run_result res;
	struct rp_run_opts o;
	struct rp_target tg;
	struct recorder rec;
	struct rp_trace t;
	struct rp_plan p;
	char err[256];
	double span;

	(void)state;
	rec_trace(&t, 2, 2, len_stream);
	/* 4300 events, 1 us apart: 4.3 ms recorded. */
	assert_int_equal(rp_plan_build(&t, 1, RP_PART_TID, 1,
	    RP_SCALE_DISJOINT, &p, err, sizeof(err)), 0);
	rec_init(&rec, 1, &tg);
	opts_default(&o);
	o.pace = RP_PACE_RECORDED;
	o.pace_factor = 0.1;		/* ten times slower: 43 ms */
	assert_int_equal(rp_run(&t, &p, &tg, &o, &res, err, sizeof(err)), 0);
	span = t.span_ns / o.pace_factor;
	assert_true(res.elapsed_ns >= span * 0.9);
	assert_true(res.elapsed_ns < span * 20);
	rp_run_result_free(&res);
	rec_free(&rec);
	rp_plan_free(&p);
	rp_trace_free(&t);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_pinning),
		cmocka_unit_test(test_stream_order),
		cmocka_unit_test(test_warmup_loops),
		cmocka_unit_test(test_duration),
		cmocka_unit_test(test_pacing),
	};

	return (cmocka_run_group_tests(tests, NULL, NULL));
}
