/*
 * lock_sim.h - the lock layer's hook for simulation in virtual time
 * (`pagereplay simulate`, sim/sim.h).
 *
 * When a hook is installed on a host thread, every lock operation that
 * thread makes through lock.h becomes a scheduling point of a
 * discrete-event simulator instead of touching the host's scheduler:
 *
 *  - every atomic read-modify-write on a lock word or a counted atomic
 *    (the operations lock_stats.h counts as `atomics`) and every releasing
 *    store calls access() first, with the address it is about to touch;
 *  - a spin of n pauses (lock_delay(), the byte lock's spinning) calls
 *    spin(n) instead of executing pauses;
 *  - a park (the futex wait standing for turnstile_wait) calls park(), a
 *    wake calls wake(); the byte lock's sched_yield() calls yield();
 *  - wait and hold times are read from now() (virtual ns) instead of the
 *    TSC, and release() is told each hold before it ends.
 *
 * The hook is per host thread (thread-local), so a simulation on one
 * thread leaves real replays on other threads untouched, and a thread of
 * the model that is not a coroutine of the simulator (none today) would
 * run on the real primitives.  Lock classes are opaque here: a new class
 * needs no change to the hook.  With no hook installed the cost is one
 * thread-local load and a predicted branch per operation.
 *
 * Thread safety: eng_lock_sim_set() affects the calling thread only.
 */
#ifndef ENG_LOCK_SIM_H
#define ENG_LOCK_SIM_H

#include <stdatomic.h>
#include <stddef.h>
#include <stdint.h>

/* What access() is told the CPU does to the line. */
enum eng_sim_op {
	ENG_SIM_RMW = 0,	/* atomic read-modify-write (CAS, fetch-add) */
	ENG_SIM_STORE,		/* plain releasing store */
	ENG_SIM_LOAD,		/* load of a line another CPU may own */
};

struct eng_sim_hook {
	void	*ctx;
	/* The CPU is about to do op on the cache line holding p. */
	void	 (*access)(void *ctx, const void *p, enum eng_sim_op op);
	/* The CPU spins n pauses (lock_delay_spin). */
	void	 (*spin)(void *ctx, unsigned n);
	/* Sleep while *p == v on wait queue(s) queue (futex semantics). */
	void	 (*park)(void *ctx, _Atomic uint32_t *p, uint32_t v,
		     uint32_t queue);
	/* Wake every sleeper on p in queue; returns how many. */
	long	 (*wake)(void *ctx, _Atomic uint32_t *p, uint32_t queue);
	/* Give the CPU away once (sched_yield). */
	void	 (*yield)(void *ctx);
	/* Virtual time of the calling CPU, ns. */
	uint64_t (*now)(void *ctx);
	/*
	 * A lock of class lc taken at call site `site` (eng_site_index())
	 * is about to be released after held ns (timing on): the simulator
	 * may lengthen the hold (a calibrated critical section).
	 */
	void	 (*release)(void *ctx, unsigned site, unsigned lc,
		     uint64_t held);
};

/* The calling thread's hook; NULL: the real primitives. */
extern _Thread_local const struct eng_sim_hook *eng_sim_hook;

/* Install h (NULL: remove) for the calling thread. */
void	eng_lock_sim_set(const struct eng_sim_hook *h);

/*
 * Thread-local state of the model that belongs to the CPU running the code
 * (the pmap layer's debug lock-order record, say).  Registered once, from a
 * constructor, with a function returning the calling thread's copy; the
 * simulator keeps one copy per virtual CPU and swaps it in at every
 * switch, so such state needs no other change to be simulated.
 */
#define ENG_SIM_TLS_MAX	8
struct eng_sim_tls {
	void	*(*addr)(void);		/* the calling thread's copy */
	size_t	 size;
};
void	eng_sim_tls_register(void *(*addr)(void), size_t size);
/* Entry i of the registry, NULL past its end. */
const struct eng_sim_tls *eng_sim_tls(size_t i);

/* An access to the line of p, when simulating. */
static inline void
eng_sim_access(const void *p, enum eng_sim_op op)
{
	const struct eng_sim_hook *h = eng_sim_hook;

	if (__builtin_expect(h != NULL, 0))
		h->access(h->ctx, p, op);
}

#endif /* ENG_LOCK_SIM_H */
