/*
 * solo_hook.h - the scheduling half of a lock_sim.h hook for one host
 * thread that runs the engine alone, to observe it rather than simulate a
 * machine: nothing spins, wakes, yields or lengthens a hold, and a park is
 * a bug (one CPU has nobody to wait for).  The user supplies access(),
 * which sees every counted atomic's address, and now(), the engine's
 * clock.  Used by the engine tests and bench/engine/bench_addr_floor.
 */
#ifndef ENG_TEST_SOLO_HOOK_H
#define ENG_TEST_SOLO_HOOK_H

#include <stdio.h>
#include <stdlib.h>

#include "lock_sim.h"

static inline void
solo_spin(void *ctx, unsigned n)
{
	(void)ctx;
	(void)n;
}

static inline void
solo_park(void *ctx, _Atomic uint32_t *p, uint32_t v, uint32_t queue)
{
	(void)ctx;
	(void)p;
	(void)v;
	(void)queue;
	fprintf(stderr, "solo_hook: a single-threaded pass parked\n");
	abort();
}

static inline long
solo_wake(void *ctx, _Atomic uint32_t *p, uint32_t queue)
{
	(void)ctx;
	(void)p;
	(void)queue;
	return (0);
}

static inline void
solo_yield(void *ctx)
{
	(void)ctx;
}

static inline void
solo_release(void *ctx, unsigned site, unsigned lc, uint64_t held)
{
	(void)ctx;
	(void)site;
	(void)lc;
	(void)held;
}

/* A struct eng_sim_hook initializer around access_fn and now_fn. */
#define SOLO_HOOK(access_fn, now_fn) {					\
	.access = (access_fn), .spin = solo_spin, .park = solo_park,	\
	.wake = solo_wake, .yield = solo_yield, .now = (now_fn),	\
	.release = solo_release,					\
}

#endif /* !ENG_TEST_SOLO_HOOK_H */
