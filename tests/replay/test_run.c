/*
 * test_run.c - the replay thread pool with a recording target: workers are
 * really pinned (affinity read back, and the CPU each event ran on), every
 * stream is replayed in order by one worker under real concurrency,
 * warm-up, loops, a trace longer than the window of frames in flight, the
 * inline stream of simulate, and the duration limit.
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
#include "stream.h"

static size_t
len_stream(unsigned s)
{
	return (2000 + 300 * (size_t)s);
}

/* A trace, its plan on nw workers, a recorder and default options. */
struct fixture {
	struct rp_trace	 t;
	struct rp_plan	 p;
	struct recorder	 rec;
	struct rp_target tg;
	struct rp_run_opts o;
	struct rp_run_result res;
};

static void
fx_init(struct fixture *f, unsigned nstreams, unsigned nw, unsigned scale)
{
	char err[256];

	memset(f, 0, sizeof(*f));
	rec_trace(&f->t, nstreams, 5, len_stream);
	assert_int_equal(rp_plan_build(&f->t, nw, RP_PART_TID, scale,
	    RP_SCALE_DISJOINT, &f->p, err, sizeof(err)), 0);
	rec_init(&f->rec, nw, &f->tg);
	f->o.loops = 1;
	f->o.pace_factor = 1.0;
}

static void
fx_run(struct fixture *f)
{
	char err[256];

	assert_int_equal(rp_run(&f->t, &f->p, &f->tg, &f->o, &f->res, err,
	    sizeof(err)), 0);
}

static void
fx_free(struct fixture *f)
{
	rp_run_result_free(&f->res);
	rec_free(&f->rec);
	rp_plan_free(&f->p);
	rp_trace_free(&f->t);
}

/* Each worker pinned to its CPU: affinity read back and every event. */
static void
test_pinning(void **state)
{
	struct rp_cpulist online;
	struct fixture f;
	char err[256];
	unsigned w, nw, c;
	size_t i;

	(void)state;
	assert_int_equal(rp_cpulist_allowed(&online, err, sizeof(err)), 0);
	nw = online.n < 4 ? (unsigned)online.n : 4;
	fx_init(&f, 8, nw, 1);
	/* Reverse order, so that worker i is not on CPU i by chance. */
	for (i = 0; i < online.n / 2; i++) {
		c = online.cpu[i];
		online.cpu[i] = online.cpu[online.n - 1 - i];
		online.cpu[online.n - 1 - i] = c;
	}
	f.o.cpus = online.cpu;
	f.o.ncpus = online.n;
	fx_run(&f);
	for (w = 0; w < nw; w++) {
		assert_int_equal(f.res.w[w].cpu, (int)online.cpu[w]);
		assert_true(f.res.w[w].affinity_ok);
		assert_int_equal(f.res.w[w].ran_on, (int)online.cpu[w]);
		assert_int_equal(f.rec.w[w].n, f.p.w[w].n);
		for (i = 0; i < f.rec.w[w].n; i++)
			assert_int_equal(f.rec.w[w].e[i].cpu,
			    (int)online.cpu[w]);
	}
	assert_int_equal(f.res.events, f.p.items);
	fx_free(&f);
	rp_cpulist_free(&online);
}

/*
 * Streams keep their order and their worker with more workers than CPUs
 * (oversubscribed, so the OS interleaves them) and scale replicas.
 */
static void
test_stream_order(void **state)
{
	const unsigned nstreams = 10, scale = 3, nw = 6;
	int64_t last[10 * 3], owner[10 * 3];
	struct fixture f;
	unsigned w, r;
	size_t i, u, total;

	(void)state;
	fx_init(&f, nstreams, nw, scale);
	fx_run(&f);
	for (u = 0; u < nstreams * scale; u++)
		last[u] = owner[u] = -1;
	total = 0;
	for (w = 0; w < nw; w++) {
		for (i = 0; i < f.rec.w[w].n; i++) {
			const struct rec_entry *e = &f.rec.w[w].e[i];

			/* The replica shows in the object slot. */
			r = (unsigned)(e->obj / f.t.nobjects);
			assert_true(r < scale);
			u = (size_t)e->tid * scale + r;
			if (owner[u] < 0)
				owner[u] = w;
			assert_int_equal(owner[u], w);
			assert_int_equal((int64_t)e->pindex, last[u] + 1);
			last[u] = (int64_t)e->pindex;
		}
		total += f.rec.w[w].n;
		assert_int_equal(f.res.w[w].events, f.rec.w[w].n);
	}
	assert_int_equal(total, f.t.nev * scale);
	for (u = 0; u < nstreams * scale; u++)
		assert_int_equal(last[u] + 1, (int64_t)len_stream(
		    (unsigned)(u / scale)));
	fx_free(&f);
}

/* Warm-up events are replayed, then statistics reset; loops repeat. */
static void
test_warmup_loops(void **state)
{
	struct fixture f;
	uint64_t logged;
	unsigned w;

	(void)state;
	fx_init(&f, 4, 2, 1);
	f.o.warmup_events = 1000;
	f.o.loops = 3;
	fx_run(&f);
	assert_int_equal(f.rec.resets, 1);
	assert_true(f.res.warmup_events >= 999 &&
	    f.res.warmup_events <= 1000);
	/* Measured: three loops minus the warm-up prefix of the first. */
	assert_int_equal(f.res.events + f.res.warmup_events, 3 * f.p.items);
	logged = 0;
	for (w = 0; w < 2; w++)
		logged += f.rec.w[w].n;
	assert_int_equal(logged, f.res.events);	/* reset cleared warm-up */
	assert_false(f.res.stopped);
	fx_free(&f);
}

static size_t
len_skewed(unsigned s)
{
	return (s == 0 ? 80000 : 1000);
}

/*
 * A trace of 21 frames (more than the window) where one worker's streams
 * end in the first frame and the other's run to the end: a warm-up that
 * ends deep in the trace and loops neither hang nor lose an event.
 */
static void
test_window_skewed(void **state)
{
	struct fixture f;
	char err[256];

	(void)state;
	memset(&f, 0, sizeof(f));
	rec_trace(&f.t, 3, 2, len_skewed);
	assert_true(f.t.nframes > 2 * RP_STREAM_DECODERS + 2);
	assert_int_equal(rp_plan_build(&f.t, 2, RP_PART_TID, 1,
	    RP_SCALE_DISJOINT, &f.p, err, sizeof(err)), 0);
	rec_init(&f.rec, 2, &f.tg);
	f.o.loops = 2;
	f.o.pace_factor = 1.0;
	f.o.decoders = 1;
	f.o.warmup_events = 60000;
	fx_run(&f);
	assert_int_equal(f.res.warmup_events, 60000);
	assert_int_equal(f.res.events + f.res.warmup_events, 2 * f.p.items);
	assert_int_equal(f.rec.w[0].n + f.rec.w[1].n, f.res.events);
	fx_free(&f);
}

/*
 * Read worker `first`'s share of an inline stream to its end while the
 * other worker holds its first frame (one event read), two loops; each
 * worker's events, hashed in order, into h[2], counted into n[2].
 */
static void
inline_read(const struct fixture *f, unsigned first, uint64_t h[2],
    uint64_t n[2])
{
	struct rp_stream *st;
	struct rp_cursor c[2];
	struct pr_event ev;
	atomic_int never = 0;
	unsigned k, w, loop;
	char err[256];

	assert_int_equal(rp_stream_start_inline(&f->t, &f->p, 2, &st, err,
	    sizeof(err)), 0);
	for (w = 0; w < 2; w++) {
		rp_cursor_init(&c[w], st, w);
		h[w] = n[w] = 0;
	}
	for (k = 0; k < 3; k++) {
		w = k == 1 ? first : 1 - first;
		while (rp_cursor_next(&c[w], &never, UINT64_MAX, &ev,
		    &loop) == 1) {
			h[w] = h[w] * 1000003 + ev.obj * 31 + ev.pindex +
			    loop;
			if (++n[w] == 1 && k == 0)
				break;
		}
		if (k > 0)
			rp_cursor_leave(&c[w]);
	}
	assert_int_equal(rp_stream_stop(st, NULL), 0);
}

/*
 * The inline stream (simulate's): one thread reads a whole worker's share
 * of a trace of 21 frames (far more than its first window) before the
 * other worker starts, which would wait forever on decoder threads; both
 * read all their events, the same ones in the same order either way.
 */
static void
test_inline_skewed(void **state)
{
	struct fixture f;
	uint64_t h0[2], n0[2], h1[2], n1[2];
	char err[256];

	(void)state;
	memset(&f, 0, sizeof(f));
	rec_trace(&f.t, 3, 2, len_skewed);
	assert_true(f.t.nframes > 2 * RP_STREAM_WINDOW(1));
	assert_int_equal(rp_plan_build(&f.t, 2, RP_PART_TID, 1,
	    RP_SCALE_DISJOINT, &f.p, err, sizeof(err)), 0);
	inline_read(&f, 0, h0, n0);
	inline_read(&f, 1, h1, n1);
	assert_int_equal(n0[0], 2 * f.p.w[0].n);
	assert_int_equal(n0[1], 2 * f.p.w[1].n);
	assert_int_equal(n0[0] + n0[1], 2 * f.p.items);
	assert_int_equal(n1[0], n0[0]);
	assert_int_equal(n1[1], n0[1]);
	assert_true(h1[0] == h0[0] && h1[1] == h0[1]);
	rp_plan_free(&f.p);
	rp_trace_free(&f.t);
}

/* The duration limit stops an endless-looking replay. */
static void
test_duration(void **state)
{
	struct fixture f;
	uint64_t t0, el;

	(void)state;
	fx_init(&f, 2, 2, 1);
	f.o.loops = 1000000;
	f.o.duration_ns = 200000000;	/* 0.2 s */
	t0 = cli_now_ns();
	fx_run(&f);
	el = cli_now_ns() - t0;
	assert_true(f.res.stopped);
	assert_true(f.res.events < f.p.items * f.o.loops);
	assert_true(el < 5000000000ULL);
	assert_true(f.res.elapsed_ns >= 100000000ULL);
	fx_free(&f);
}

/* Recorded pacing: 4300 events 1 us apart at factor 0.1 take ~43 ms. */
static void
test_pacing(void **state)
{
	struct fixture f;
	uint64_t t0, wall;
	double span;

	(void)state;
	fx_init(&f, 2, 1, 1);
	f.o.pace = RP_PACE_RECORDED;
	f.o.pace_factor = 0.1;
	t0 = cli_now_ns();
	fx_run(&f);
	wall = cli_now_ns() - t0;
	span = f.t.span_ns / f.o.pace_factor;
	/* The last event is not due before the recorded span has passed. */
	assert_true(wall >= span);
	assert_true(f.res.elapsed_ns < span * 20);
	fx_free(&f);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_pinning),
		cmocka_unit_test(test_stream_order),
		cmocka_unit_test(test_warmup_loops),
		cmocka_unit_test(test_window_skewed),
		cmocka_unit_test(test_inline_skewed),
		cmocka_unit_test(test_duration),
		cmocka_unit_test(test_pacing),
	};

	return (cmocka_run_group_tests(tests, NULL, NULL));
}
