/*
 * sim_run.h - one run of a plan on the simulator's virtual CPUs
 * (sim/sim.h) instead of pinned threads: `pagereplay simulate`.
 *
 * Worker slot i is virtual CPU i; it replays its events as run.c's workers
 * do, through the same rp_target, and fills the same rp_run_result, in
 * virtual ns.  Its events come through a cursor of an inline stream
 * (stream.h): no decoder thread, the frames decoded on the calling thread
 * when the first virtual CPU needs them, so the run is deterministic.  Before each event it thinks: a fixed time, or the gap the
 * trace recorded between this event and the worker's previous one.
 * Single-threaded: the whole run happens on the calling thread.
 */
#ifndef PR_SIM_RUN_H
#define PR_SIM_RUN_H

#include <stdint.h>

#include "load.h"
#include "plan.h"
#include "run.h"
#include "sim.h"

enum rp_think {
	RP_THINK_FIXED = 0,	/* think_ns before every event */
	RP_THINK_RECORDED,	/* the recorded gap / think_factor */
	RP_THINK_CALIBRATED,	/* none; machine.work_ns measured here */
};

/* Set by the command before the run (single-threaded); counts: out. */
struct rp_sim_opts {
	struct sim_machine machine;	/* the preset, or measured (host) */
	uint64_t	 seed;		/* tie order (sim_create) */
	enum rp_think	 think;
	uint64_t	 think_ns;	/* fixed */
	double		 think_factor;	/* recorded: gaps divided by it */
	const uint32_t	*hold_ns;	/* calibrated holds, or NULL */
	size_t		 hold_sites, hold_classes;	/* sim_set_holds() */
	struct sim_counts counts;	/* out: the last run's */
};

/* Defaults: the first machine preset, seed 1, think 0. */
void	rp_sim_opts_default(struct rp_sim_opts *so);
/* --machine NAME (a preset; `host` is the caller's): 0 or -1 with err. */
int	rp_sim_machine_parse(struct rp_sim_opts *so, const char *arg,
	    char *err, size_t errlen);
/* --think recorded[:F] | calibrated | DUR: 0 or -1 with err. */
int	rp_think_parse(struct rp_sim_opts *so, const char *arg, char *err,
	    size_t errlen);
/*
 * "0ns", "250ns", "recorded", "recorded:10", "calibrated:120ns" (the
 * work_ns measured): the think column; returns buf.
 */
const char *rp_think_format(const struct rp_sim_opts *so, char *buf,
	    size_t len);

/*
 * Simulate plan p of trace t on target tg: o's loops and duration_ns
 * (virtual) and progress apply; pinning, pacing, warm-up and hardware
 * counters do not.  0 with r filled (free it with rp_run_result_free())
 * and *counts the simulator's counters, or -1 with a one-line reason.
 */
int	rp_sim_run(const struct rp_trace *t, const struct rp_plan *p,
	    const struct rp_target *tg, const struct rp_run_opts *o,
	    const struct rp_sim_opts *so, struct rp_run_result *r,
	    struct sim_counts *counts, char *err, size_t errlen);

#endif /* PR_SIM_RUN_H */
