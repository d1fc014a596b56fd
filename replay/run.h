/*
 * run.h - one timed replay of a plan: worker threads pinned to CPUs,
 * started together on a barrier, an optional warm-up that is not measured,
 * pacing, a duration limit and loops.  The workers read the trace as it is
 * decoded (replay/stream.h), in bounded memory.
 *
 * The workers drive a target through an ops table, so that the same core
 * drives the engine (engine_target.h) or a recorder in the tests.
 */
#ifndef PR_RUN_H
#define PR_RUN_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "hwc.h"
#include "load.h"
#include "plan.h"

/* What the workers drive. */
struct rp_target {
	void	*ctx;
	/* Worker slot's handle; called once by that worker's thread. */
	void	*(*cpu)(void *ctx, unsigned slot);
	/* Apply one event on the calling worker: 0 applied, else skipped. */
	int	 (*apply)(void *cpu, const struct pr_event *ev);
	/* Zero statistics after the warm-up; every worker waits. Optional. */
	void	 (*reset)(void *ctx);
};

enum rp_pace {
	RP_PACE_ASAP = 0,	/* as fast as possible */
	RP_PACE_RECORDED,	/* at recorded speed times a factor */
};

struct rp_run_opts {
	const unsigned	*cpus;		/* worker i runs on cpus[i % ncpus] */
	size_t		 ncpus;		/* 0: workers are not pinned */
	enum rp_pace	 pace;
	double		 pace_factor;	/* recorded: speed-up (> 0) */
	uint64_t	 warmup_events;	/* events of the first
					   warmup_events / scale trace
					   events, not measured */
	uint64_t	 warmup_ns;	/* or first nanoseconds */
	uint64_t	 duration_ns;	/* stop measuring after (0: none) */
	unsigned	 loops;		/* replay the plan this often (>= 1) */
	bool		 hwc;		/* try hardware counters */
	bool		 progress;	/* progress line (cli.h) */
	unsigned	 decoders;	/* decoder threads (0: default) */
};

struct rp_worker_result {
	int		 cpu;		/* pinned to (-1: not pinned) */
	int		 ran_on;	/* sched_getcpu() once pinned */
	bool		 affinity_ok;	/* affinity read back is {cpu} */
	uint64_t	 events;	/* measured events, skipped included */
	uint64_t	 skipped;	/* measured events the target skipped */
	uint64_t	 warmup_events;
	uint64_t	 start_ns;	/* measured phase, cli_now_ns() */
	uint64_t	 end_ns;
	uint64_t	 behind_ns;	/* recorded pacing: most an event of
					   the measured part started late */
	struct rp_hwc_counts hw;
};

struct rp_run_result {
	unsigned	 nworkers;
	struct rp_worker_result *w;	/* [nworkers] */
	uint64_t	 events;	/* measured, all workers */
	uint64_t	 skipped;
	uint64_t	 warmup_events;
	uint64_t	 elapsed_ns;	/* first start to last end */
	bool		 stopped;	/* the duration limit ended it */
	bool		 interrupted;	/* rp_run_interrupt() ended it */
	uint64_t	 behind_ns;	/* the workers' largest behind_ns */
	struct rp_hwc_counts hw;	/* sums; valid when every worker's is */
	char		 hw_note[192];	/* why hw is not valid */
};

/*
 * Replay plan p of trace t on target tg.  Returns 0, or -1 with a one-line
 * reason in err (a worker that cannot be pinned, threads that cannot be
 * created, a frame that no longer decodes as the scan read it).  r is filled on success; free it with rp_run_result_free().
 */
int	rp_run(const struct rp_trace *t, const struct rp_plan *p,
	    const struct rp_target *tg, const struct rp_run_opts *o,
	    struct rp_run_result *r, char *err, size_t errlen);
void	rp_run_result_free(struct rp_run_result *r);

/*
 * Ask the replay under way (and rp_run_interrupted() callers) to stop:
 * async-signal-safe, for a SIGINT/SIGTERM handler.  The workers stop
 * within a progress tick and the run reports what it measured.
 */
void	rp_run_interrupt(void);
bool	rp_run_interrupted(void);
/* Install rp_run_interrupt() as the SIGINT and SIGTERM handler. */
void	rp_run_catch_signals(void);

#endif /* PR_RUN_H */
