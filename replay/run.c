/*
 * run.c - the replay thread pool (see run.h).
 *
 * Phases, each worker and the main thread meeting on one barrier between
 * them:
 *	start	workers pin themselves, open their counters	barrier A
 *	warm-up	each worker replays its events of the trace's	barrier B
 *		first warmup_events / scale events (or until the
 *		warm-up time is over)
 *	reset	the main thread zeroes the target's statistics	barrier C
 *	measure	workers replay the rest, timed; main shows progress
 *		and raises the stop flag at the duration limit; join.
 */
#include <errno.h>
#include <pthread.h>
#include <sched.h>
#include <signal.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "cli.h"
#include "run.h"
#include "stream.h"

#define RUN_CHECK_EVERY	256		/* events between flag checks */
#define RUN_TICK_NS	200000000ULL	/* progress refresh */
#define RUN_SPIN_NS	20000ULL	/* pacing: spin below, sleep above */
#define RUN_SLEEP_MAX_NS 10000000ULL	/* pacing: longest single sleep */

struct run_shared;

/* Set by rp_run_interrupt() (signal handlers); never cleared. */
static volatile sig_atomic_t run_interrupted;

/*
 * Per-worker state.  Locks: (C) set before the threads start, (W) written
 * by the worker only, read by main after the join or a barrier, (A) atomic.
 */
struct run_worker {
	struct run_shared *sh;		/* (C) */
	unsigned	 slot;		/* (C) */
	pthread_t	 tid;		/* (C) */
	struct rp_cursor cur;		/* (W) its place in the stream */
	struct rp_worker_result res;	/* (W) */
	int		 error;		/* (W) errno of pinning, 0 if fine */
	char		 hw_note[192];	/* (W) */
	_Alignas(64) atomic_uint_fast64_t done;	/* (A) events so far */
};

struct run_shared {
	const struct rp_trace *t;	/* (C) */
	const struct rp_plan *p;	/* (C) */
	const struct rp_target *tg;	/* (C) */
	const struct rp_run_opts *o;	/* (C) */
	uint64_t	 warm_cut;	/* (C) trace index the warm-up
					   ends at (UINT64_MAX: by time) */
	pthread_barrier_t barrier;	/* main + every worker */
	pthread_mutex_t	 gate_mtx;	/* protects gate, abort, warm_over */
	pthread_cond_t	 gate_cv;
	bool		 gate;		/* all threads created */
	bool		 abort;		/* creation failed: leave */
	bool		 warm_over;	/* past barrier B: the warm-up timer
					   leaves (gate_mtx) */
	atomic_int	 warm_stop;	/* (A) warm-up time is over */
	atomic_int	 stop;		/* (A) duration limit reached */
	uint64_t	 pace_start;	/* (C) recorded pacing zero, set
					   before barrier A */
};

/* Pin the calling worker; read the affinity back. 0 or errno. */
static int
run_pin(struct run_worker *w)
{
	const struct rp_run_opts *o = w->sh->o;
	cpu_set_t set;
	int cpu, e;

	w->res.cpu = -1;
	if (o->ncpus > 0) {
		cpu = (int)o->cpus[w->slot % o->ncpus];
		CPU_ZERO(&set);
		CPU_SET(cpu, &set);
		e = pthread_setaffinity_np(pthread_self(), sizeof(set), &set);
		if (e != 0)
			return (e);
		w->res.cpu = cpu;
		CPU_ZERO(&set);
		if (pthread_getaffinity_np(pthread_self(), sizeof(set),
		    &set) == 0)
			w->res.affinity_ok = CPU_COUNT(&set) == 1 &&
			    CPU_ISSET(cpu, &set);
	}
	w->res.ran_on = sched_getcpu();
	return (0);
}

/*
 * Wait until the recorded time of ev (recorded pacing); when that time has
 * passed already, raise *behind to how late ev is.
 */
static void
run_pace(struct run_shared *sh, const struct pr_event *ev, unsigned loop,
    uint64_t *behind)
{
	struct timespec ts;
	uint64_t due, now, rel;

	rel = ev->time_ns - sh->t->first_ns +
	    (uint64_t)loop * (sh->t->span_ns + 1);
	due = sh->pace_start + (uint64_t)((double)rel / sh->o->pace_factor);
	now = cli_now_ns();
	if (now > due && now - due > *behind)
		*behind = now - due;
	while ((now = cli_now_ns()) < due &&
	    atomic_load_explicit(&sh->stop, memory_order_relaxed) == 0) {
		if (due - now <= RUN_SPIN_NS)
			continue;
		rel = due - now - RUN_SPIN_NS;
		if (rel > RUN_SLEEP_MAX_NS)
			rel = RUN_SLEEP_MAX_NS;
		ts.tv_sec = (time_t)(rel / 1000000000u);
		ts.tv_nsec = (long)(rel % 1000000000u);
		nanosleep(&ts, NULL);
	}
}

/*
 * Replay the worker's events from its cursor until its share ends, *flag
 * is raised or the first loop reaches trace index cut.  Counts into
 * *events / *skipped, the pacing lag into *behind.
 */
static void
run_items(struct run_worker *w, void *cpu, uint64_t cut, atomic_int *flag,
    uint64_t *events, uint64_t *skipped, uint64_t *behind)
{
	struct run_shared *sh = w->sh;
	struct pr_event ev;
	unsigned loop;
	uint64_t n;
	bool paced;

	paced = sh->o->pace == RP_PACE_RECORDED;
	for (n = 0;; n++) {
		if ((n & (RUN_CHECK_EVERY - 1)) == 0) {
			atomic_store_explicit(&w->done, *events,
			    memory_order_relaxed);
			if (atomic_load_explicit(flag,
			    memory_order_relaxed) != 0)
				break;
		}
		if (rp_cursor_next(&w->cur, flag, cut, &ev, &loop) <= 0)
			break;
		if (paced)
			run_pace(sh, &ev, loop, behind);
		if (sh->tg->apply(cpu, &ev) != 0)
			(*skipped)++;
		(*events)++;
	}
	atomic_store_explicit(&w->done, *events, memory_order_relaxed);
}

/*
 * A worker thread: wait for the gate, pin itself, then meet the main
 * thread on barriers A, B and C (see the top of this file) around the
 * warm-up, and replay its events as the stream brings them.  Writes only
 * its own run_worker.
 */
static void *
run_worker_main(void *arg)
{
	struct run_worker *w = arg;
	struct run_shared *sh = w->sh;
	const struct rp_run_opts *o = sh->o;
	uint64_t warm_skipped, warm_behind;
	struct rp_hwc hwc;
	unsigned k;
	void *cpu;

	pthread_mutex_lock(&sh->gate_mtx);
	while (!sh->gate && !sh->abort)
		pthread_cond_wait(&sh->gate_cv, &sh->gate_mtx);
	pthread_mutex_unlock(&sh->gate_mtx);
	if (sh->abort) {
		rp_cursor_leave(&w->cur);
		return (NULL);
	}

	w->error = run_pin(w);
	cpu = w->error == 0 ? sh->tg->cpu(sh->tg->ctx, w->slot) : NULL;
	for (k = 0; k < RP_HWC_COUNT; k++)
		hwc.fd[k] = -1;
	if (w->error == 0 && o->hwc)
		rp_hwc_open(&hwc, w->hw_note, sizeof(w->hw_note));
	pthread_barrier_wait(&sh->barrier);		/* A */

	if (w->error == 0 && (o->warmup_events > 0 || o->warmup_ns > 0)) {
		warm_skipped = warm_behind = 0;
		run_items(w, cpu, sh->warm_cut, &sh->warm_stop,
		    &w->res.warmup_events, &warm_skipped, &warm_behind);
	}
	pthread_barrier_wait(&sh->barrier);		/* B */
	pthread_barrier_wait(&sh->barrier);		/* C */

	rp_hwc_start(&hwc);
	w->res.start_ns = cli_now_ns();
	if (w->error == 0)
		run_items(w, cpu, UINT64_MAX, &sh->stop, &w->res.events,
		    &w->res.skipped, &w->res.behind_ns);
	rp_cursor_leave(&w->cur);
	w->res.end_ns = cli_now_ns();
	rp_hwc_stop(&hwc, &w->res.hw);
	rp_hwc_close(&hwc);
	return (NULL);
}

/* Sum of the workers' progress counters. */
static uint64_t
run_done(struct run_worker *ws, unsigned n)
{
	uint64_t sum;
	unsigned i;

	sum = 0;
	for (i = 0; i < n; i++)
		sum += atomic_load_explicit(&ws[i].done, memory_order_relaxed);
	return (sum);
}

/* An absolute CLOCK_REALTIME deadline ns from now (pthread_timedjoin_np). */
static struct timespec
run_deadline(uint64_t ns)
{
	struct timespec ts;
	uint64_t t;

	clock_gettime(CLOCK_REALTIME, &ts);
	t = (uint64_t)ts.tv_nsec + ns;
	ts.tv_sec += (time_t)(t / 1000000000u);
	ts.tv_nsec = (long)(t % 1000000000u);
	return (ts);
}

/*
 * Main thread during the measured phase: join every worker, showing
 * progress, and raise *flag after limit_ns (0: never).
 */
static void
run_watch(struct run_shared *sh, struct run_worker *ws, unsigned n,
    uint64_t limit_ns, atomic_int *flag, const char *what)
{
	struct timespec dl;
	uint64_t t0, now, left, step, total;
	unsigned i;

	t0 = cli_now_ns();
	total = sh->p->items * sh->o->loops;
	for (i = 0; i < n; i++) {
		for (;;) {
			now = cli_now_ns();
			if ((limit_ns > 0 && now - t0 >= limit_ns) ||
			    run_interrupted)
				atomic_store(flag, 1);
			step = RUN_TICK_NS;
			if (limit_ns > 0 && atomic_load(flag) == 0) {
				left = limit_ns - (now - t0);
				if (left < step)
					step = left;
			}
			dl = run_deadline(step);
			if (pthread_timedjoin_np(ws[i].tid, NULL, &dl) == 0)
				break;
			if (sh->o->progress)
				cli_progress("%s: %llu of %llu events, %.1f s",
				    what, (unsigned long long)run_done(ws, n),
				    (unsigned long long)total,
				    (cli_now_ns() - t0) / 1e9);
		}
	}
	if (sh->o->progress)
		cli_progress_done();
}

/*
 * Main thread during the warm-up: raise warm_stop after warmup_ns; the
 * workers reach barrier B themselves.  Woken early by warm_over when the
 * workers ran out of events first (not cancelled: ASan reports a
 * cancelled thread's exit as a stack overflow, google/sanitizers#1399).
 */
static void *
run_warm_timer(void *arg)
{
	struct run_shared *sh = arg;
	struct timespec ts;
	int e;

	ts = run_deadline(sh->o->warmup_ns);
	e = 0;
	pthread_mutex_lock(&sh->gate_mtx);
	while (!sh->warm_over && e != ETIMEDOUT)
		e = pthread_cond_timedwait(&sh->gate_cv, &sh->gate_mtx, &ts);
	pthread_mutex_unlock(&sh->gate_mtx);
	atomic_store(&sh->warm_stop, 1);
	return (NULL);
}

/*
 * The main thread's side of a run (see run.h): start the workers, pass the
 * barriers, reset the target after the warm-up, watch, join and sum.
 */
int
rp_run(const struct rp_trace *t, const struct rp_plan *p,
    const struct rp_target *tg, const struct rp_run_opts *o,
    struct rp_run_result *r, char *err, size_t errlen)
{
	struct run_shared sh;
	struct run_worker *ws;
	struct rp_stream *st;
	pthread_t timer;
	unsigned i, n, created;
	bool timer_on, hw_all;
	uint64_t first, last;
	int rc, e, k;

	memset(r, 0, sizeof(*r));
	memset(&sh, 0, sizeof(sh));
	n = p->nworkers;
	sh.t = t;
	sh.p = p;
	sh.tg = tg;
	sh.o = o;
	ws = aligned_alloc(64, ((n * sizeof(*ws) + 63) / 64) * 64);
	r->w = calloc(n, sizeof(*r->w));
	if (ws == NULL || r->w == NULL) {
		free(ws);
		free(r->w);
		r->w = NULL;
		snprintf(err, errlen, "out of memory");
		return (-1);
	}
	memset(ws, 0, n * sizeof(*ws));
	if (rp_stream_start(t, p, o->loops, o->decoders, 0, &st, err,
	    errlen) != 0) {
		free(ws);
		rp_run_result_free(r);
		return (-1);
	}
	sh.warm_cut = UINT64_MAX;
	if (o->warmup_ns == 0 && o->warmup_events > 0)
		sh.warm_cut = (o->warmup_events + p->scale - 1) / p->scale;
	for (i = 0; i < n; i++)
		rp_cursor_init(&ws[i].cur, st, i);
	e = 0;
	r->nworkers = n;
	pthread_barrier_init(&sh.barrier, NULL, n + 1);
	pthread_mutex_init(&sh.gate_mtx, NULL);
	pthread_cond_init(&sh.gate_cv, NULL);
	for (created = 0; created < n; created++) {
		ws[created].sh = &sh;
		ws[created].slot = created;
		e = pthread_create(&ws[created].tid, NULL, run_worker_main,
		    &ws[created]);
		if (e != 0)
			break;
	}
	pthread_mutex_lock(&sh.gate_mtx);
	if (created < n)
		sh.abort = true;
	else
		sh.gate = true;
	pthread_cond_broadcast(&sh.gate_cv);
	pthread_mutex_unlock(&sh.gate_mtx);
	if (created < n) {
		for (i = 0; i < created; i++)
			pthread_join(ws[i].tid, NULL);
		snprintf(err, errlen, "cannot start worker %u of %u: %s",
		    created + 1, n, strerror(e));
		rc = -1;
		goto out;
	}

	sh.pace_start = cli_now_ns();
	pthread_barrier_wait(&sh.barrier);		/* A */
	timer_on = o->warmup_ns > 0 &&
	    pthread_create(&timer, NULL, run_warm_timer, &sh) == 0;
	pthread_barrier_wait(&sh.barrier);		/* B */
	if (timer_on) {
		pthread_mutex_lock(&sh.gate_mtx);
		sh.warm_over = true;
		pthread_cond_broadcast(&sh.gate_cv);
		pthread_mutex_unlock(&sh.gate_mtx);
		pthread_join(timer, NULL);
	}
	if (tg->reset != NULL)
		tg->reset(tg->ctx);
	pthread_barrier_wait(&sh.barrier);		/* C */
	run_watch(&sh, ws, n, o->duration_ns, &sh.stop, "replay");

	rc = 0;
	first = UINT64_MAX;
	last = 0;
	hw_all = o->hwc;
	for (i = 0; i < n; i++) {
		struct rp_worker_result *wr = &ws[i].res;

		if (ws[i].error != 0 && rc == 0) {
			snprintf(err, errlen,
			    "cannot pin worker %u to CPU %u: %s", i,
			    o->cpus[i % o->ncpus], strerror(ws[i].error));
			rc = -1;
		}
		r->w[i] = *wr;
		r->events += wr->events;
		r->skipped += wr->skipped;
		r->warmup_events += wr->warmup_events;
		if (wr->behind_ns > r->behind_ns)
			r->behind_ns = wr->behind_ns;
		if (wr->start_ns < first)
			first = wr->start_ns;
		if (wr->end_ns > last)
			last = wr->end_ns;
		if (!wr->hw.valid) {
			if (hw_all && ws[i].hw_note[0] != '\0')
				snprintf(r->hw_note, sizeof(r->hw_note), "%s",
				    ws[i].hw_note);
			hw_all = false;
		}
		for (k = 0; k < RP_HWC_COUNT; k++)
			r->hw.v[k] += wr->hw.v[k];
	}
	r->hw.valid = hw_all;
	if (!o->hwc)
		snprintf(r->hw_note, sizeof(r->hw_note),
		    "hardware counters off");
	else if (!hw_all && r->hw_note[0] == '\0')
		snprintf(r->hw_note, sizeof(r->hw_note),
		    "hardware counters unavailable");
	r->elapsed_ns = last > first ? last - first : 0;
	r->interrupted = run_interrupted != 0;
	r->stopped = atomic_load(&sh.stop) != 0 && !r->interrupted &&
	    r->events < p->items * o->loops;
out:
	rc = rp_stream_close(st, rc, err, errlen);
	pthread_barrier_destroy(&sh.barrier);
	pthread_mutex_destroy(&sh.gate_mtx);
	pthread_cond_destroy(&sh.gate_cv);
	free(ws);
	if (rc != 0)
		rp_run_result_free(r);
	return (rc);
}

void
rp_run_result_free(struct rp_run_result *r)
{
	free(r->w);
	memset(r, 0, sizeof(*r));
}

void
rp_run_interrupt(void)
{
	run_interrupted = 1;
}

bool
rp_run_interrupted(void)
{
	return (run_interrupted != 0);
}

/* Signal handler: only raises the flag. */
static void
run_on_signal(int sig)
{
	(void)sig;
	rp_run_interrupt();
}

void
rp_run_catch_signals(void)
{
	struct sigaction sa;

	memset(&sa, 0, sizeof(sa));
	sa.sa_handler = run_on_signal;
	sigemptyset(&sa.sa_mask);
	sigaction(SIGINT, &sa, NULL);
	sigaction(SIGTERM, &sa, NULL);
}
