/*
 * session.h - one replay run against the engine: the plan, a fresh model,
 * pinned workers, quiesce, the optional invariant check and the report.
 * Shared by `replay` (one run) and `sweep` (many runs of one loaded trace).
 */
#ifndef PR_SESSION_H
#define PR_SESSION_H

#include <stdbool.h>
#include <stdint.h>

#include "cpulist.h"
#include "engine.h"
#include "load.h"
#include "plan.h"
#include "report.h"
#include "run.h"
#include "sim_run.h"

/* Estimated model memory per physical page (engine structures). */
#define RP_MODEL_PAGE_BYTES	192
#define RP_PHYS_DEFAULT		(1ULL << 30)	/* per replica, bytes */
#define RP_PHYS_MIN_PAGES	512		/* one 2 MiB frame */

struct rp_config {
	struct eng_design design;
	unsigned	 threads;
	const struct rp_cpulist *cpus;	/* workers' CPUs; NULL: unpinned */
	enum rp_partition partition;
	unsigned	 scale;
	enum rp_scale_mode scale_mode;
	struct rp_run_opts run;		/* pacing, warm-up, duration, loops,
					   counters, progress (cpus and
					   decoders unused: from the cpus
					   and threads members) */
	bool		 timing;	/* lock wait/hold timing */
	uint32_t	 hold_sample;	/* time one hold in this many per
					   worker (--hold-sample; 1: all) */
	bool		 check;		/* invariant check after the run */
	bool		 prime;		/* make resident what the trace
					   assumes before the run (prime.h) */
	uint64_t	 phys_bytes;	/* model memory (0: default) */
	double		 phys_factor;	/* > 0: model memory is this times
					   the trace's resident footprint
					   (rp_trace_pages), per disjoint
					   replica; phys_bytes unused */
	struct rp_sim_opts *sim;	/* simulate on virtual CPUs (NULL:
					   replay on threads); its counts
					   are the run's */
};

/* Defaults of every option (docs/user-guide.md). */
void	rp_config_default(struct rp_config *c);

/*
 * Model pages a configuration gets on trace t: phys_factor times t's
 * resident footprint (at least one 2 MiB frame), phys_bytes, or the
 * default.
 */
uint64_t rp_config_phys_pages(const struct rp_config *c,
	    const struct rp_trace *t);

/*
 * Bytes a run of c on t needs: the frames in flight (stream.h), the scan's
 * maps and the plan (proportional to distinct ids and streams), the model.
 */
struct rp_memory {
	uint64_t	window;
	uint64_t	maps;
	uint64_t	model;		/* estimate: RP_MODEL_PAGE_BYTES/page */
	uint64_t	available;	/* MemAvailable now (0: unknown) */
};
void	rp_session_memory(const struct rp_trace *t, const struct rp_config *c,
	    struct rp_memory *m);
/*
 * Refuse (-1, the figures in err) when a run of c on t would not fit in
 * the available memory (the scan's maps being already in memory).
 */
int	rp_session_fits(const struct rp_trace *t, const struct rp_config *c,
	    char *err, size_t errlen);

/*
 * Load a trace for a run or a sweep: scanned on every online CPU
 * (load.h).  A cut trace comes with a
 * warning in warn; a corrupt one is refused, or with salvage kept with a
 * warning (docs/user-guide.md "Damaged traces"); warn is empty otherwise.
 * 0, or -1 with err.
 */
int	rp_session_load(const char *path, bool salvage, struct rp_trace *t,
	    char *warn, size_t warnlen, char *err, size_t errlen);

/*
 * Resolve --cpus for n threads: spec NULL means every online CPU the
 * process may run on (rp_cpulist_allowed).  A CPU
 * that is not online is an error; more threads than CPUs only sets
 * *oversubscribed.  0, or -1 with a one-line reason in err.
 */
int	rp_cpus_resolve(const char *spec, unsigned threads,
	    struct rp_cpulist *out, bool *oversubscribed, char *err,
	    size_t errlen);

/*
 * Run c on t (on threads, or simulated when c->sim is set).  Fills rep (rep->run points at res) and res; the caller
 * sets rep->trace, rep->repeat and rep->host before.  Returns 0, or -1
 * with a one-line reason in err.  Invariant violations are not an error
 * here: rep->check_violations counts them.
 */
int	rp_session_run(const struct rp_trace *t, const struct rp_config *c,
	    struct rp_report *rep, struct rp_run_result *res, char *err,
	    size_t errlen);

#endif /* PR_SESSION_H */
