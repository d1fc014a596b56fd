/*
 * report.h - the results of one run: the human table, CSV rows and JSON.
 *
 * The CSV has one row per run x lock class; every design option and the
 * host's facts are on every row, so rows from many runs and machines
 * concatenate.  The columns are the table rp_columns[], in this order,
 * documented in docs/csv.md (a test keeps the two equal).  Append new
 * columns at the end; never rename or reorder.
 */
#ifndef PR_REPORT_H
#define PR_REPORT_H

#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>

#include "hwc.h"
#include "lock_stats.h"
#include "prime.h"
#include "run.h"
#include "trace.h"

#define RP_LOCK_MAX	16
#define RP_QUANTILES	4	/* p50 p90 p99 p99.9 */
#define RP_SCHEMA	4	/* the CSV's `schema` column (docs/csv.md) */

struct rp_column {
	const char	*name;
	bool		 numeric;	/* JSON number (else string) */
};
extern const struct rp_column rp_columns[];
extern const unsigned rp_ncolumns;

/*
 * One lock class of one run (engine statistics, converted), or one lock
 * instance of a class (lock_stats.h: a single named lock).  Wait figures
 * are over the contended acquisitions only, as perf lock contention and
 * lockstat report them; hold figures over every acquisition.
 */
struct rp_lock_row {
	char		 name[16];	/* "page", "object", ... */
	char		 instance[32];	/* "vm_dom[0].inactive", or
					   "" for the whole class */
	uint64_t	 acquisitions;
	uint64_t	 contended;
	uint64_t	 cas_retries;
	uint64_t	 atomics;	/* atomic RMWs, lock operations incl. */
	uint64_t	 wait_count;	/* contended acquisitions timed */
	uint64_t	 wait_q[RP_QUANTILES];	/* ns, contended only */
	uint64_t	 wait_max;
	uint64_t	 wait_total;
	struct eng_hist	 wait_hist;	/* contended acquisitions' waits */
	struct eng_hist	 hold_hist;	/* the timed holds (hold_sample) */
	uint64_t	 hold_q[RP_QUANTILES];
	uint64_t	 hold_max;
	uint64_t	 hold_total;	/* of every acquisition; estimated
					   when holds are sampled */
};

/*
 * One engine counter of a run (struct eng_stats beyond the lock classes:
 * queue, reclamation, page-daemon and pmap counters).  name is the JSON key
 * (docs/csv.md); the names and their order are stable.
 */
#define RP_COUNTER_MAX	48
struct rp_counter {
	const char	*name;		/* static */
	uint64_t	 value;
};

/*
 * One call site x lock class of a run (eng_stats_sites(): the function that
 * took the lock, as lockstat and perf lock key by caller).
 */
#define RP_SITE_MAX	1024
struct rp_site_row {
	const char	*site;		/* function name, static */
	const char	*lock_class;	/* static */
	uint64_t	 acquisitions;
	uint64_t	 contended;
	uint64_t	 cas_retries;
	uint64_t	 wait_total;	/* ns; timing on */
	uint64_t	 hold_total;
};
#define RP_SITE_TOP	10		/* sites in the human table */

/* Skipped events of a run with one cause (engine.h enum eng_skip). */
#define RP_SKIP_CAUSE_MAX 32
struct rp_skip_cause {
	const char	*name;		/* "not_resident", ...; static */
	uint64_t	 count;
};

/* Host facts, gathered once per process. */
struct rp_host {
	char		 name[256];
	char		 kernel[256];
	char		 cpu_model[128];
	unsigned	 cpus;		/* online */
};
void	rp_host_get(struct rp_host *h);

struct rp_report {
	/* identity */
	char		 run_id[128];
	char		 date[32];	/* UTC, ISO 8601 */
	unsigned	 repeat;	/* sweep repeat index, 0 for replay */
	const char	*trace;		/* path as given */
	const char	*trace_source;
	uint64_t	 trace_events;
	/* configuration */
	unsigned	 threads;
	char		 cpu_list[256];
	const char	*partition;
	unsigned	 scale;
	const char	*scale_mode;
	char		 page[64];
	char		 queue[64];
	unsigned	 batch;		/* queue batch size, 0 if none */
	char		 pv[64];
	char		 pvchunk[64];
	char		 free[32];	/* the free path (--free) */
	const char	*preset;	/* --preset the design started from
					   (NULL: none) */
	char		 pace[32];
	bool		 timing;
	uint32_t	 hold_sample;	/* one hold in this many timed (1:
					   all; --hold-sample) */
	unsigned	 loops;		/* started: a stopped run counts
					   the loop it stopped in */
	uint64_t	 phys_pages;
	/* the run's place in its sweep (a replay is run 0 of 1, shard 0/1) */
	uint64_t	 run_index;
	uint64_t	 runs;
	uint64_t	 shard, nshards;
	/* results */
	const struct rp_run_result *run;
	struct rp_lock_row lock[RP_LOCK_MAX];
	unsigned	 nlocks;
	struct rp_lock_row inst[ENG_INST_MAX];	/* lock instances, after
					   the classes in CSV and JSON */
	unsigned	 ninst;
	uint64_t	 by_kind[PR_KIND_COUNT];
	uint64_t	 skipped_by_kind[PR_KIND_COUNT];
	struct rp_skip_cause skip_cause[RP_SKIP_CAUSE_MAX];	/* every
					   cause, in the engine's order */
	unsigned	 nskip_causes;
	struct rp_counter counter[RP_COUNTER_MAX];
	unsigned	 ncounters;
	struct rp_site_row site[RP_SITE_MAX];	/* most acquisitions first */
	size_t		 nsites;	/* rows in site[] */
	size_t		 sites_total;	/* rows the engine had (> nsites:
					   the rest were left off) */
	int64_t		 check_violations;	/* -1: not checked */
	uint64_t	 lost;		/* events the recorder lost */
	uint64_t	 streams;	/* stream replicas replayed */
	bool		 primed;	/* priming on (not --no-prime) */
	struct rp_prime_counts prime;	/* made before the run, all
					   replicas */
	uint64_t	 prime_skipped;	/* priming events the model
					   skipped */
	const struct rp_host *host;
	/* how it ran: "replay", or "simulate" on machine with think, seed */
	const char	*mode;
	char		 machine[32];	/* empty for replay */
	char		 think[32];
	uint64_t	 seed;
};

/* Make a run id unique across hosts and processes: host-time-pid-seq. */
void	rp_report_run_id(struct rp_report *r, const struct rp_host *h,
	    unsigned seq);

/* How the run ended: "complete", "stopped" (--duration), "interrupted". */
const char *rp_report_status(const struct rp_report *r);
/* Percent of all classes' contended acquisitions that are l's (a class
   or an instance). */
double	rp_report_share(const struct rp_report *r, const struct rp_lock_row *l);
/* Mean wait of l's contended acquisitions, ns (0: none). */
uint64_t rp_lock_wait_avg(const struct rp_lock_row *l);

/* The header line; then one row per lock class of a run, then one per
   lock instance. */
void	rp_report_csv_header(FILE *f);
void	rp_report_csv_rows(FILE *f, const struct rp_report *r);
/*
 * One JSON document: the rows, the workers, events per kind, the engine's
 * counters and every call site.
 */
void	rp_report_json(FILE *f, const struct rp_report *r);
/*
 * How the human tables are printed: sorted by a key (rp_sort_key(); -1:
 * wait_total with timing on, else contended), the first entries rows of
 * each (0: every lock class, RP_SITE_TOP call sites), in 100 columns or
 * wide with every column.
 */
struct rp_print_opts {
	int		 sort;
	unsigned	 entries;
	bool		 wide;
};
/* The key named name (perf lock contention's -k names); 0 or -1. */
int	rp_sort_key(const char *name, int *key);
/* The key names, for messages. */
const char *rp_sort_keys(void);
/*
 * The human tables: the lock classes, the busiest call sites, the engine's
 * counters and the workers.
 */
void	rp_report_print(FILE *f, const struct rp_report *r,
	    const struct rp_print_opts *o);

#endif /* PR_REPORT_H */
