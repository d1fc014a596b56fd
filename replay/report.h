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
#include "run.h"
#include "trace.h"

#define RP_LOCK_MAX	16
#define RP_QUANTILES	4	/* p50 p90 p99 p99.9 */

struct rp_column {
	const char	*name;
	bool		 numeric;	/* JSON number (else string) */
};
extern const struct rp_column rp_columns[];
extern const unsigned rp_ncolumns;

/* One lock class of one run (engine statistics, converted). */
struct rp_lock_row {
	char		 name[16];	/* "page", "object", ... */
	uint64_t	 acquisitions;
	uint64_t	 contended;
	uint64_t	 cas_retries;
	uint64_t	 wait_q[RP_QUANTILES];	/* ns */
	uint64_t	 wait_max;
	uint64_t	 wait_total;
	uint64_t	 hold_q[RP_QUANTILES];
	uint64_t	 hold_max;
	uint64_t	 hold_total;
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
	char		 pace[32];
	bool		 timing;
	unsigned	 loops;
	uint64_t	 phys_pages;
	/* results */
	const struct rp_run_result *run;
	struct rp_lock_row lock[RP_LOCK_MAX];
	unsigned	 nlocks;
	uint64_t	 by_kind[PR_KIND_COUNT];
	uint64_t	 skipped_by_kind[PR_KIND_COUNT];
	int64_t		 check_violations;	/* -1: not checked */
	uint64_t	 lost;		/* events the recorder lost */
	uint64_t	 streams;	/* stream replicas replayed */
	const struct rp_host *host;
};

/* Make a run id unique across hosts and processes: host-time-pid-seq. */
void	rp_report_run_id(struct rp_report *r, const struct rp_host *h,
	    unsigned seq);

/* The header line; then one row per lock class of a run. */
void	rp_report_csv_header(FILE *f);
void	rp_report_csv_rows(FILE *f, const struct rp_report *r);
/* One JSON document: the rows, the workers, events per kind. */
void	rp_report_json(FILE *f, const struct rp_report *r);
/* The human table. */
void	rp_report_print(FILE *f, const struct rp_report *r);

#endif /* PR_REPORT_H */
