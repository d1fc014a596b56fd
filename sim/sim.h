/*
 * sim.h - a deterministic discrete-event simulator of N virtual CPUs in
 * virtual time, for `pagereplay simulate` (docs/simulate.md).
 *
 * Each virtual CPU is a coroutine (ucontext) on the one host thread that
 * calls sim_run(); the coroutine runs real code (the engine) and gives the
 * host thread away only at scheduling points.  While sim_run() runs, the
 * lock layer's hook (engine/lock_sim.h) is installed on that thread, so
 * every lock operation of the engine is such a point:
 *
 *  - an atomic read-modify-write, a releasing store or a watched load of a
 *    cache line (sim_access()): the CPU first pays the machine's work_ns
 *    for the code since its last point, waits until it is the earliest
 *    runnable CPU (so shared state changes in virtual-time order), then
 *    pays the line's cost from the coherence model (below);
 *  - a spin of n pauses: n x pause_ns, then a point;
 *  - a park (turnstile_wait): the CPU leaves the run queue until a wake
 *    on the same word; it runs again wake_ns after the waker's time;
 *  - a yield: yield_ns, then a point.
 *
 * Order: the runnable CPU with the smallest clock runs; ties go by a
 * permutation of the CPU ids drawn from the seed.  Nothing reads the host's
 * clock, so a run is a pure function of its inputs and the seed.
 *
 * Coherence (cache.c): every line touched is tracked at 64-byte
 * granularity with its owner (modified/exclusive) or its sharers.  A load
 * of a line this CPU holds costs load_ns, an RMW of a line it owns hit_ns;
 * otherwise the line comes from the nearest holder (SMT sibling, same core
 * complex, same socket, other socket: smt_ns, ccx_ns, socket_ns, remote_ns)
 * or from memory (mem_ns), and an RMW or store invalidates every other
 * copy (the farthest sharer's distance).  Transfers of one line are
 * serialised: a request waits until the line's previous transfer is over.
 *
 * Machines (machine.c) are data: a topology and these costs, each with its
 * public source (docs/simulate.md).  Virtual CPU i fills sockets in order,
 * cores in order and SMT siblings adjacent (cpu 2k and 2k+1 share a core
 * when smt is 2), as FreeBSD numbers them.
 *
 * Thread safety: a struct sim belongs to the thread that created it; the
 * sim_* calls marked "from a virtual CPU" may only be made by code running
 * on one of its coroutines.
 */
#ifndef SIM_SIM_H
#define SIM_SIM_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "lock_sim.h"

#define SIM_CPUS_MAX	1024

/* A machine model: constant data (presets), or measured once (host). */
struct sim_machine {
	const char	*name;		/* "xeon-2s-104" */
	const char	*what;		/* one line */
	unsigned	 sockets;
	unsigned	 ccx_per_socket;	/* core complexes (shared L3) */
	unsigned	 cores_per_ccx;
	unsigned	 smt;		/* hardware threads per core */
	/* Costs, ns. */
	uint32_t	 load_ns;	/* load of a line held here */
	uint32_t	 hit_ns;	/* atomic RMW of a line owned here */
	uint32_t	 smt_ns;	/* line from the SMT sibling */
	uint32_t	 ccx_ns;	/* from another core of the complex */
	uint32_t	 socket_ns;	/* from another complex, same socket */
	uint32_t	 remote_ns;	/* from the other socket */
	uint32_t	 mem_ns;	/* from memory (no cache holds it) */
	uint32_t	 pause_ns;	/* one pause instruction */
	uint32_t	 park_ns;	/* going to sleep (turnstile, switch) */
	uint32_t	 wake_ns;	/* wakeup until the sleeper runs */
	uint32_t	 yield_ns;	/* sched_yield() round trip */
	uint32_t	 work_ns;	/* engine code between two points */
};

/* Hardware threads of m. */
unsigned sim_machine_threads(const struct sim_machine *m);
/* Preset i (NULL past the end), by name (NULL: none). */
const struct sim_machine *sim_machine_info(size_t i);
const struct sim_machine *sim_machine_find(const char *name);
/* The presets' names as "a | b | c"; returns buf. */
const char *sim_machine_names(const char *sep, char *buf, size_t len);
/*
 * The `host` machine (host.c): this machine's atomic RMW, pause, memory
 * and CPU-to-CPU line transfer (CPUs 0 and 1) measured, medians of short
 * trials; flat topology (SIM_CPUS_MAX CPUs at one distance); park, wake
 * and yield as the first preset; work_ns as given (the caller calibrates
 * it).  Takes about a second; not deterministic, being a measurement.
 */
void	sim_machine_host(struct sim_machine *m, uint32_t work_ns);

/*
 * splitmix64: the next number of the stream whose state is *x (the tie
 * order's permutation, and a test's random variates).
 */
uint64_t sim_mix(uint64_t *x);

struct sim;

/* The body of a virtual CPU. */
typedef void sim_fn(struct sim *s, unsigned cpu, void *arg);

/*
 * A simulator of ncpus virtual CPUs on machine m (copied), tie order from
 * seed.  NULL with a one-line reason in err (too many CPUs for m, no
 * memory).
 */
struct sim *sim_create(const struct sim_machine *m, unsigned ncpus,
	    uint64_t seed, char *err, size_t errlen);
void	sim_destroy(struct sim *s);
/* CPU cpu will run fn(s, cpu, arg) (before sim_run). 0 or -1 (memory). */
int	sim_start(struct sim *s, unsigned cpu, sim_fn *fn, void *arg,
	    char *err, size_t errlen);
/*
 * Run every started CPU to its end, with the lock hook installed on the
 * calling thread.  0, or -1 when every CPU left is parked (a deadlock in
 * the model: err names the words they sleep on).
 */
int	sim_run(struct sim *s, char *err, size_t errlen);

/* From a virtual CPU: who am I, my clock, ns of work (no point). */
unsigned sim_self(const struct sim *s);
uint64_t sim_now(const struct sim *s);
void	sim_work(struct sim *s, uint64_t ns);
/* From a virtual CPU: a scheduling point with op on p's line. */
void	sim_access(struct sim *s, const void *p, enum eng_sim_op op);
/*
 * From a virtual CPU: spin on p's line, held in this CPU's cache, until
 * another CPU writes it (no cost while it is not written), then load it.
 */
void	sim_wait_write(struct sim *s, const void *p);

/*
 * Calibrated critical sections: hold_ns[site * nclasses + lc] is the
 * shortest hold of a lock of class lc taken at call site `site`
 * (lock.h's site index); a release before it pays the rest.  0: none.
 * The table must outlive sim_run() (before sim_run).
 */
void	sim_set_holds(struct sim *s, const uint32_t *hold_ns, size_t nsites,
	    size_t nclasses);
/* The site index of the function named name (registered), or -1. */
int	sim_site_index(const char *name);

/* After sim_run(): a CPU's final clock, and the run's counters. */
uint64_t sim_clock(const struct sim *s, unsigned cpu);
struct sim_counts {
	uint64_t	points;		/* scheduling points */
	uint64_t	switches;	/* coroutine switches */
	uint64_t	transfers;	/* line transfers between caches */
	uint64_t	parks;
	uint64_t	lines;		/* distinct lines touched */
};
void	sim_counts(const struct sim *s, struct sim_counts *out);

#endif /* SIM_SIM_H */
