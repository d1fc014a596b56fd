/*
 * report.c - human table, CSV and JSON of a run (see report.h).
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/utsname.h>
#include <time.h>
#include <unistd.h>

#include "report.h"

#ifndef PR_VERSION
#define PR_VERSION "unknown"
#endif

/* Column ids, in CSV order; rp_columns[] names them. */
enum col {
	C_RUN_ID, C_DATE, C_REPEAT, C_TRACE, C_TRACE_SOURCE, C_TRACE_EVENTS,
	C_THREADS, C_CPU_LIST, C_PARTITION, C_SCALE, C_SCALE_MODE,
	C_PAGE, C_QUEUE, C_BATCH, C_PV, C_PVCHUNK, C_PACE, C_TIMING, C_LOOPS,
	C_PHYS_PAGES,
	C_LOCK_CLASS, C_ACQUISITIONS, C_CONTENDED, C_CONTENDED_PCT,
	C_CAS_RETRIES,
	C_ATOMICS,
	C_WAIT_P50, C_WAIT_P90, C_WAIT_P99, C_WAIT_P999, C_WAIT_MAX,
	C_WAIT_TOTAL,
	C_HOLD_P50, C_HOLD_P90, C_HOLD_P99, C_HOLD_P999, C_HOLD_MAX,
	C_HOLD_TOTAL,
	C_EVENTS, C_SKIPPED, C_WARMUP_EVENTS, C_ELAPSED, C_EVENTS_PER_S,
	C_WORKER_MIN, C_WORKER_MAX,
	C_CYCLES, C_INSTRUCTIONS, C_LLC_MISSES, C_CHECK,
	C_HOST, C_CPUS, C_CPU_MODEL, C_KERNEL, C_VERSION,
	C_STATUS, C_WAIT_COUNT, C_WAIT_AVG, C_CONTENTION_SHARE,
	C_PACE_BEHIND, C_RUN_INDEX, C_RUNS, C_SHARD, C_SCHEMA,
	C_PRIMED_OBJECTS, C_PRIMED_PAGES,
	C_SCAN_PAGES, C_SCAN_FREED, C_VM_WAITS, C_VM_WAIT_NS, C_ALLOC_FAILURES,
	C_LOCK_INSTANCE, C_FREE, C_PRESET,
	C_MODE, C_MACHINE, C_THINK, C_SEED,
	C_HOLD_SAMPLE,
	C_COUNT
};

const struct rp_column rp_columns[C_COUNT] = {
	[C_RUN_ID] = { "run_id", false },
	[C_DATE] = { "date", false },
	[C_REPEAT] = { "repeat", true },
	[C_TRACE] = { "trace", false },
	[C_TRACE_SOURCE] = { "trace_source", false },
	[C_TRACE_EVENTS] = { "trace_events", true },
	[C_THREADS] = { "threads", true },
	[C_CPU_LIST] = { "cpu_list", false },
	[C_PARTITION] = { "partition", false },
	[C_SCALE] = { "scale", true },
	[C_SCALE_MODE] = { "scale_mode", false },
	[C_PAGE] = { "page", false },
	[C_QUEUE] = { "queue", false },
	[C_BATCH] = { "batch", true },
	[C_PV] = { "pv", false },
	[C_PVCHUNK] = { "pvchunk", false },
	[C_PACE] = { "pace", false },
	[C_TIMING] = { "timing", true },
	[C_LOOPS] = { "loops", true },
	[C_PHYS_PAGES] = { "phys_pages", true },
	[C_LOCK_CLASS] = { "lock_class", false },
	[C_ACQUISITIONS] = { "acquisitions", true },
	[C_CONTENDED] = { "contended", true },
	[C_CONTENDED_PCT] = { "contended_pct", true },
	[C_CAS_RETRIES] = { "cas_retries", true },
	[C_ATOMICS] = { "atomics", true },
	[C_WAIT_P50] = { "wait_p50_ns", true },
	[C_WAIT_P90] = { "wait_p90_ns", true },
	[C_WAIT_P99] = { "wait_p99_ns", true },
	[C_WAIT_P999] = { "wait_p999_ns", true },
	[C_WAIT_MAX] = { "wait_max_ns", true },
	[C_WAIT_TOTAL] = { "wait_total_ns", true },
	[C_HOLD_P50] = { "hold_p50_ns", true },
	[C_HOLD_P90] = { "hold_p90_ns", true },
	[C_HOLD_P99] = { "hold_p99_ns", true },
	[C_HOLD_P999] = { "hold_p999_ns", true },
	[C_HOLD_MAX] = { "hold_max_ns", true },
	[C_HOLD_TOTAL] = { "hold_total_ns", true },
	[C_EVENTS] = { "events", true },
	[C_SKIPPED] = { "skipped", true },
	[C_WARMUP_EVENTS] = { "warmup_events", true },
	[C_ELAPSED] = { "elapsed_ns", true },
	[C_EVENTS_PER_S] = { "events_per_s", true },
	[C_WORKER_MIN] = { "worker_events_per_s_min", true },
	[C_WORKER_MAX] = { "worker_events_per_s_max", true },
	[C_CYCLES] = { "cycles_per_event", true },
	[C_INSTRUCTIONS] = { "instructions_per_event", true },
	[C_LLC_MISSES] = { "llc_misses_per_event", true },
	[C_CHECK] = { "check_violations", true },
	[C_HOST] = { "host", false },
	[C_CPUS] = { "cpus", true },
	[C_CPU_MODEL] = { "cpu_model", false },
	[C_KERNEL] = { "kernel", false },
	[C_VERSION] = { "version", false },
	[C_STATUS] = { "status", false },
	[C_WAIT_COUNT] = { "wait_count", true },
	[C_WAIT_AVG] = { "wait_avg_ns", true },
	[C_CONTENTION_SHARE] = { "contention_share_pct", true },
	[C_PACE_BEHIND] = { "pace_behind_max_ns", true },
	[C_RUN_INDEX] = { "run_index", true },
	[C_RUNS] = { "runs", true },
	[C_SHARD] = { "shard", false },
	[C_SCHEMA] = { "schema", true },
	[C_PRIMED_OBJECTS] = { "primed_objects", true },
	[C_PRIMED_PAGES] = { "primed_pages", true },
	[C_SCAN_PAGES] = { "scan_pages", true },
	[C_SCAN_FREED] = { "scan_freed", true },
	[C_VM_WAITS] = { "vm_waits", true },
	[C_VM_WAIT_NS] = { "vm_wait_ns", true },
	[C_ALLOC_FAILURES] = { "alloc_failures", true },
	[C_LOCK_INSTANCE] = { "lock_instance", false },
	[C_FREE] = { "free", false },
	[C_PRESET] = { "preset", false },
	[C_MODE] = { "mode", false },
	[C_MACHINE] = { "machine", false },
	[C_THINK] = { "think", false },
	[C_SEED] = { "seed", true },
	[C_HOLD_SAMPLE] = { "hold_sample", true },
};
const unsigned rp_ncolumns = C_COUNT;

void
rp_host_get(struct rp_host *h)
{
	struct utsname u;
	char line[256], *p;
	FILE *f;
	long n;

	memset(h, 0, sizeof(*h));
	if (uname(&u) == 0) {
		snprintf(h->name, sizeof(h->name), "%s", u.nodename);
		snprintf(h->kernel, sizeof(h->kernel), "%s", u.release);
	}
	n = sysconf(_SC_NPROCESSORS_ONLN);
	h->cpus = n > 0 ? (unsigned)n : 0;
	if ((f = fopen("/proc/cpuinfo", "r")) == NULL)
		return;
	while (fgets(line, sizeof(line), f) != NULL) {
		if (strncmp(line, "model name", 10) != 0 ||
		    (p = strchr(line, ':')) == NULL)
			continue;
		for (p++; *p == ' '; p++)
			continue;
		p[strcspn(p, "\n")] = '\0';
		snprintf(h->cpu_model, sizeof(h->cpu_model), "%s", p);
		break;
	}
	fclose(f);
}

void
rp_report_run_id(struct rp_report *r, const struct rp_host *h, unsigned seq)
{
	struct timespec ts;
	struct tm tm;

	clock_gettime(CLOCK_REALTIME, &ts);
	gmtime_r(&ts.tv_sec, &tm);
	strftime(r->date, sizeof(r->date), "%Y-%m-%dT%H:%M:%SZ", &tm);
	snprintf(r->run_id, sizeof(r->run_id), "%.64s-%04d%02d%02dT%02d%02d%02d"
	    "-%ld-%u", h->name, tm.tm_year + 1900, tm.tm_mon + 1, tm.tm_mday,
	    tm.tm_hour, tm.tm_min, tm.tm_sec, (long)getpid(), seq);
}

/* Events per second of count events in ns. */
static double
rate(uint64_t count, uint64_t ns)
{
	return (ns > 0 ? count * 1e9 / (double)ns : 0.0);
}

/* Slowest and fastest worker, events per second of its own time. */
static void
worker_range(const struct rp_run_result *run, double *lo, double *hi)
{
	unsigned i;
	double v;

	*lo = *hi = 0;
	for (i = 0; i < run->nworkers; i++) {
		v = rate(run->w[i].events, run->w[i].end_ns -
		    run->w[i].start_ns);
		if (i == 0 || v < *lo)
			*lo = v;
		if (i == 0 || v > *hi)
			*hi = v;
	}
}

/* How the run ended: "complete", "stopped" (--duration), "interrupted". */
const char *
rp_report_status(const struct rp_report *r)
{
	if (r->run->interrupted)
		return ("interrupted");
	return (r->run->stopped ? "stopped" : "complete");
}

/* Percent of a class's contended acquisitions among all classes'. */
double
rp_report_share(const struct rp_report *r, const struct rp_lock_row *l)
{
	uint64_t all;
	unsigned i;

	all = 0;
	for (i = 0; i < r->nlocks; i++)
		all += r->lock[i].contended;
	return (all > 0 ? 100.0 * l->contended / all : 0.0);
}

/* Mean wait of a class's contended acquisitions, ns. */
uint64_t
rp_lock_wait_avg(const struct rp_lock_row *l)
{
	return (l->wait_count > 0 ? l->wait_total / l->wait_count : 0);
}

/* The engine counter called name (report.h), or NULL. */
static const struct rp_counter *
counter_find(const struct rp_report *r, const char *name)
{
	unsigned i;

	for (i = 0; i < r->ncounters; i++)
		if (strcmp(r->counter[i].name, name) == 0)
			return (&r->counter[i]);
	return (NULL);
}

/* The engine counter called name as a cell, or an empty cell. */
static void
counter_cell(const struct rp_report *r, const char *name, char *b, size_t n)
{
	const struct rp_counter *k = counter_find(r, name);

	b[0] = '\0';
	if (k != NULL)
		snprintf(b, n, "%llu", (unsigned long long)k->value);
}

/*
 * The text of column c on the row of lock class l; an empty string is a
 * missing value (hardware counters that are unavailable, say).
 */
static void
cell(const struct rp_report *r, const struct rp_lock_row *l, enum col c,
    char *b, size_t n)
{
	const struct rp_run_result *run = r->run;
	double lo, hi;

#define U(v)	snprintf(b, n, "%llu", (unsigned long long)(v))
#define S(v)	snprintf(b, n, "%s", (v) != NULL ? (v) : "")
#define HW(i)	do {							\
	if (run->hw.valid && run->events > 0)				\
		snprintf(b, n, "%.3f", (double)run->hw.v[i] / run->events); \
	else								\
		b[0] = '\0';						\
} while (0)
	switch (c) {
	case C_RUN_ID: S(r->run_id); break;
	case C_DATE: S(r->date); break;
	case C_REPEAT: U(r->repeat); break;
	case C_TRACE: S(r->trace); break;
	case C_TRACE_SOURCE: S(r->trace_source); break;
	case C_TRACE_EVENTS: U(r->trace_events); break;
	case C_THREADS: U(r->threads); break;
	case C_CPU_LIST: S(r->cpu_list); break;
	case C_PARTITION: S(r->partition); break;
	case C_SCALE: U(r->scale); break;
	case C_SCALE_MODE: S(r->scale_mode); break;
	case C_PAGE: S(r->page); break;
	case C_QUEUE: S(r->queue); break;
	case C_BATCH: U(r->batch); break;
	case C_PV: S(r->pv); break;
	case C_PVCHUNK: S(r->pvchunk); break;
	case C_PACE: S(r->pace); break;
	case C_TIMING: U(r->timing ? 1 : 0); break;
	case C_LOOPS: U(r->loops); break;
	case C_PHYS_PAGES: U(r->phys_pages); break;
	case C_LOCK_CLASS: S(l->name); break;
	case C_ACQUISITIONS: U(l->acquisitions); break;
	case C_CONTENDED: U(l->contended); break;
	case C_CONTENDED_PCT:
		snprintf(b, n, "%.3f", l->acquisitions > 0 ?
		    100.0 * l->contended / l->acquisitions : 0.0);
		break;
	case C_CAS_RETRIES: U(l->cas_retries); break;
	case C_ATOMICS: U(l->atomics); break;
	case C_WAIT_P50: U(l->wait_q[0]); break;
	case C_WAIT_P90: U(l->wait_q[1]); break;
	case C_WAIT_P99: U(l->wait_q[2]); break;
	case C_WAIT_P999: U(l->wait_q[3]); break;
	case C_WAIT_MAX: U(l->wait_max); break;
	case C_WAIT_TOTAL: U(l->wait_total); break;
	case C_HOLD_P50: U(l->hold_q[0]); break;
	case C_HOLD_P90: U(l->hold_q[1]); break;
	case C_HOLD_P99: U(l->hold_q[2]); break;
	case C_HOLD_P999: U(l->hold_q[3]); break;
	case C_HOLD_MAX: U(l->hold_max); break;
	case C_HOLD_TOTAL: U(l->hold_total); break;
	case C_EVENTS: U(run->events); break;
	case C_SKIPPED: U(run->skipped); break;
	case C_WARMUP_EVENTS: U(run->warmup_events); break;
	case C_ELAPSED: U(run->elapsed_ns); break;
	case C_EVENTS_PER_S:
		snprintf(b, n, "%.0f", rate(run->events, run->elapsed_ns));
		break;
	case C_WORKER_MIN:
	case C_WORKER_MAX:
		worker_range(run, &lo, &hi);
		snprintf(b, n, "%.0f", c == C_WORKER_MIN ? lo : hi);
		break;
	case C_CYCLES: HW(RP_HWC_CYCLES); break;
	case C_INSTRUCTIONS: HW(RP_HWC_INSTRUCTIONS); break;
	case C_LLC_MISSES: HW(RP_HWC_LLC_MISSES); break;
	case C_CHECK:
		if (r->check_violations < 0)
			b[0] = '\0';
		else
			U(r->check_violations);
		break;
	case C_HOST: S(r->host->name); break;
	case C_CPUS: U(r->host->cpus); break;
	case C_CPU_MODEL: S(r->host->cpu_model); break;
	case C_KERNEL: S(r->host->kernel); break;
	case C_VERSION: S(PR_VERSION); break;
	case C_STATUS: S(rp_report_status(r)); break;
	case C_WAIT_COUNT: U(l->wait_count); break;
	case C_WAIT_AVG: U(rp_lock_wait_avg(l)); break;
	case C_CONTENTION_SHARE:
		snprintf(b, n, "%.3f", rp_report_share(r, l));
		break;
	case C_PACE_BEHIND:
		if (strcmp(r->pace, "asap") == 0)
			b[0] = '\0';
		else
			U(run->behind_ns);
		break;
	case C_RUN_INDEX: U(r->run_index); break;
	case C_RUNS: U(r->runs); break;
	case C_SHARD:
		snprintf(b, n, "%llu/%llu", (unsigned long long)r->shard,
		    (unsigned long long)r->nshards);
		break;
	case C_SCHEMA: U(RP_SCHEMA); break;
	case C_PRIMED_OBJECTS: U(r->prime.objects); break;
	case C_PRIMED_PAGES: U(r->prime.pages); break;
	case C_SCAN_PAGES: counter_cell(r, "scan_pages", b, n); break;
	case C_SCAN_FREED: counter_cell(r, "scan_freed", b, n); break;
	case C_VM_WAITS: counter_cell(r, "vm_waits", b, n); break;
	case C_VM_WAIT_NS: counter_cell(r, "vm_wait_ns", b, n); break;
	case C_ALLOC_FAILURES: counter_cell(r, "alloc_failures", b, n); break;
	case C_LOCK_INSTANCE: S(l->instance); break;
	case C_FREE: S(r->free); break;
	case C_PRESET: S(r->preset); break;
	case C_MODE: S(r->mode != NULL ? r->mode : "replay"); break;
	case C_MACHINE: S(r->machine); break;
	case C_THINK: S(r->think); break;
	case C_SEED:
		if (r->machine[0] == '\0')
			b[0] = '\0';
		else
			U(r->seed);
		break;
	case C_HOLD_SAMPLE: U(r->hold_sample); break;
	default: b[0] = '\0'; break;
	}
#undef U
#undef S
#undef HW
}

/* A CSV field, quoted (RFC 4180) when it holds a comma, quote or newline. */
static void
csv_field(FILE *f, const char *s)
{
	if (strpbrk(s, ",\"\r\n") == NULL) {
		fputs(s, f);
		return;
	}
	fputc('"', f);
	for (; *s != '\0'; s++) {
		if (*s == '"')
			fputc('"', f);
		fputc(*s, f);
	}
	fputc('"', f);
}

void
rp_report_csv_header(FILE *f)
{
	unsigned c;

	for (c = 0; c < C_COUNT; c++) {
		if (c > 0)
			fputc(',', f);
		fputs(rp_columns[c].name, f);
	}
	fputc('\n', f);
}

/* Row i of a run: its lock classes, then its lock instances. */
static const struct rp_lock_row *
report_row(const struct rp_report *r, unsigned i)
{
	return (i < r->nlocks ? &r->lock[i] : &r->inst[i - r->nlocks]);
}

void
rp_report_csv_rows(FILE *f, const struct rp_report *r)
{
	char buf[512];
	unsigned i, c;

	for (i = 0; i < r->nlocks + r->ninst; i++) {
		for (c = 0; c < C_COUNT; c++) {
			if (c > 0)
				fputc(',', f);
			cell(r, report_row(r, i), (enum col)c, buf,
			    sizeof(buf));
			csv_field(f, buf);
		}
		fputc('\n', f);
	}
}

/* A JSON string literal. */
static void
json_string(FILE *f, const char *s)
{
	fputc('"', f);
	for (; *s != '\0'; s++) {
		if (*s == '"' || *s == '\\')
			fprintf(f, "\\%c", *s);
		else if ((unsigned char)*s < 0x20)
			fprintf(f, "\\u%04x", (unsigned char)*s);
		else
			fputc(*s, f);
	}
	fputc('"', f);
}

/* A histogram as JSON: totals and its non-empty buckets, [index, count]. */
static void
json_hist(FILE *f, const struct eng_hist *h)
{
	unsigned b, n;

	fprintf(f, "{\"count\": %llu, \"sum_ns\": %llu, \"max_ns\": %llu, "
	    "\"buckets\": [", (unsigned long long)h->count,
	    (unsigned long long)h->sum_ns, (unsigned long long)h->max_ns);
	for (b = 0, n = 0; b < ENG_HIST_BUCKETS; b++)
		if (h->bucket[b] != 0)
			fprintf(f, "%s[%u, %llu]", n++ > 0 ? ", " : "", b,
			    (unsigned long long)h->bucket[b]);
	fprintf(f, "]}");
}

void
rp_report_json(FILE *f, const struct rp_report *r)
{
	const struct rp_run_result *run = r->run;
	const struct rp_worker_result *w;
	const struct rp_site_row *s;
	char buf[512];
	unsigned i, c, k;

	fprintf(f, "{\n  \"rows\": [");
	for (i = 0; i < r->nlocks + r->ninst; i++) {
		fprintf(f, "%s\n    {", i > 0 ? "," : "");
		for (c = 0; c < C_COUNT; c++) {
			cell(r, report_row(r, i), (enum col)c, buf,
			    sizeof(buf));
			fprintf(f, "%s\"%s\": ", c > 0 ? ", " : "",
			    rp_columns[c].name);
			if (!rp_columns[c].numeric)
				json_string(f, buf);
			else
				fputs(buf[0] != '\0' ? buf : "null", f);
		}
		fputc('}', f);
	}
	fprintf(f, "\n  ],\n  \"workers\": [");
	for (i = 0; i < run->nworkers; i++) {
		w = &run->w[i];
		fprintf(f, "%s\n    {\"worker\": %u, \"cpu\": %d, "
		    "\"ran_on\": %d, \"events\": %llu, \"skipped\": %llu, "
		    "\"elapsed_ns\": %llu, \"events_per_s\": %.0f}",
		    i > 0 ? "," : "", i, w->cpu, w->ran_on,
		    (unsigned long long)w->events,
		    (unsigned long long)w->skipped,
		    (unsigned long long)(w->end_ns - w->start_ns),
		    rate(w->events, w->end_ns - w->start_ns));
	}
	fprintf(f, "\n  ],\n  \"kinds\": {");
	for (k = 0, c = 0; k < PR_KIND_COUNT; k++) {
		if (r->by_kind[k] == 0)
			continue;
		fprintf(f, "%s\n    \"%s\": {\"events\": %llu, "
		    "\"skipped\": %llu}", c++ > 0 ? "," : "", pr_kind_name(k),
		    (unsigned long long)r->by_kind[k],
		    (unsigned long long)r->skipped_by_kind[k]);
	}
	fprintf(f, "\n  },\n  \"skip_causes\": {");
	for (i = 0; i < r->nskip_causes; i++)
		fprintf(f, "%s\n    \"%s\": %llu", i > 0 ? "," : "",
		    r->skip_cause[i].name,
		    (unsigned long long)r->skip_cause[i].count);
	fprintf(f, "\n  },\n  \"counters\": {");
	for (i = 0; i < r->ncounters; i++)
		fprintf(f, "%s\n    \"%s\": %llu", i > 0 ? "," : "",
		    r->counter[i].name,
		    (unsigned long long)r->counter[i].value);
	fprintf(f, "\n  },\n  \"sites\": [");
	for (i = 0; i < r->nsites; i++) {
		s = &r->site[i];
		fprintf(f, "%s\n    {\"site\": ", i > 0 ? "," : "");
		json_string(f, s->site);
		fprintf(f, ", \"lock_class\": ");
		json_string(f, s->lock_class);
		fprintf(f, ", \"acquisitions\": %llu, \"contended\": %llu, "
		    "\"cas_retries\": %llu, \"wait_total_ns\": %llu, "
		    "\"hold_total_ns\": %llu}",
		    (unsigned long long)s->acquisitions,
		    (unsigned long long)s->contended,
		    (unsigned long long)s->cas_retries,
		    (unsigned long long)s->wait_total,
		    (unsigned long long)s->hold_total);
	}
	fprintf(f, "\n  ],\n  \"histograms\": [");
	for (i = 0; i < r->nlocks + r->ninst; i++) {
		fprintf(f, "%s\n    {\"lock_class\": ", i > 0 ? "," : "");
		json_string(f, report_row(r, i)->name);
		fprintf(f, ", \"lock_instance\": ");
		json_string(f, report_row(r, i)->instance);
		fprintf(f, ", \"wait\": ");
		json_hist(f, &report_row(r, i)->wait_hist);
		fprintf(f, ", \"hold\": ");
		json_hist(f, &report_row(r, i)->hold_hist);
		fputc('}', f);
	}
	fprintf(f, "\n  ],\n  \"prime\": {\"enabled\": %s, \"objects\": %llu, "
	    "\"pages\": %llu, \"inactive\": %llu, \"active\": %llu, "
	    "\"wired\": %llu, \"skipped\": %llu}", r->primed ? "true" : "false",
	    (unsigned long long)r->prime.objects,
	    (unsigned long long)r->prime.pages,
	    (unsigned long long)r->prime.inactive,
	    (unsigned long long)r->prime.active,
	    (unsigned long long)r->prime.wired,
	    (unsigned long long)r->prime_skipped);
	fprintf(f, ",\n  \"sites_left_off\": %llu,\n  \"lost\": %llu,"
	    "\n  \"hw_note\": ", (unsigned long long)(r->sites_total -
	    r->nsites), (unsigned long long)r->lost);
	json_string(f, run->hw.valid ? "" : run->hw_note);
	fprintf(f, "\n}\n");
}

/*
 * Sort keys of the human tables, as perf lock contention's -k: a lock
 * class's value and a call site's (a site has no maximum: its total
 * stands in).  Larger first; ties keep the class order / the site name.
 */
enum rp_key {
	K_WAIT_TOTAL, K_CONTENDED, K_WAIT_MAX, K_AVG_WAIT, K_ACQUIRED,
	K_HOLD_TOTAL, K_HOLD_MAX, K_COUNT
};

static const struct {
	const char	*name;
	const char	*site_name;	/* what a site is sorted by */
} rp_keys[K_COUNT] = {
	[K_WAIT_TOTAL] = { "wait_total", "wait_total" },
	[K_CONTENDED] = { "contended", "contended" },
	[K_WAIT_MAX] = { "wait_max", "wait_total" },
	[K_AVG_WAIT] = { "avg_wait", "avg_wait" },
	[K_ACQUIRED] = { "acquired", "acquired" },
	[K_HOLD_TOTAL] = { "hold_total", "hold_total" },
	[K_HOLD_MAX] = { "hold_max", "hold_total" },
};

int
rp_sort_key(const char *name, int *key)
{
	unsigned k;

	for (k = 0; k < K_COUNT; k++) {
		if (strcmp(name, rp_keys[k].name) == 0) {
			*key = (int)k;
			return (0);
		}
	}
	return (-1);
}

const char *
rp_sort_keys(void)
{
	return ("wait_total, contended, wait_max, avg_wait, acquired, "
	    "hold_total, hold_max");
}

/* The key a report is sorted by: o's, else wait_total or contended. */
static enum rp_key
print_key(const struct rp_report *r, const struct rp_print_opts *o)
{
	if (o->sort >= 0 && o->sort < K_COUNT)
		return ((enum rp_key)o->sort);
	return (r->timing ? K_WAIT_TOTAL : K_CONTENDED);
}

/* A lock class's value of key k. */
static uint64_t
lock_value(const struct rp_lock_row *l, enum rp_key k)
{
	switch (k) {
	case K_WAIT_TOTAL: return (l->wait_total);
	case K_CONTENDED: return (l->contended);
	case K_WAIT_MAX: return (l->wait_max);
	case K_AVG_WAIT: return (rp_lock_wait_avg(l));
	case K_ACQUIRED: return (l->acquisitions);
	case K_HOLD_TOTAL: return (l->hold_total);
	case K_HOLD_MAX: return (l->hold_max);
	default: return (0);
	}
}

/* A call site's value of key k (a total for a maximum). */
static uint64_t
site_value(const struct rp_site_row *s, enum rp_key k)
{
	switch (k) {
	case K_CONTENDED: return (s->contended);
	case K_AVG_WAIT:
		return (s->contended > 0 ? s->wait_total / s->contended : 0);
	case K_ACQUIRED: return (s->acquisitions);
	case K_HOLD_TOTAL:
	case K_HOLD_MAX: return (s->hold_total);
	default: return (s->wait_total);
	}
}

/* Lock classes by the key *arg, larger first, then in class order. */
static int
lock_cmp(const void *a, const void *b, void *arg)
{
	const struct rp_lock_row *x = *(const struct rp_lock_row *const *)a;
	const struct rp_lock_row *y = *(const struct rp_lock_row *const *)b;
	enum rp_key k = *(const enum rp_key *)arg;
	uint64_t u = lock_value(x, k), v = lock_value(y, k);

	if (u != v)
		return (u > v ? -1 : 1);
	return (x < y ? -1 : x > y);
}

/* Call sites by the key *arg, then acquisitions, then name. */
static int
site_cmp(const void *a, const void *b, void *arg)
{
	const struct rp_site_row *x = *(const struct rp_site_row *const *)a;
	const struct rp_site_row *y = *(const struct rp_site_row *const *)b;
	enum rp_key k = *(const enum rp_key *)arg;
	uint64_t u = site_value(x, k), v = site_value(y, k);
	int c;

	if (u != v)
		return (u > v ? -1 : 1);
	if (x->acquisitions != y->acquisitions)
		return (x->acquisitions > y->acquisitions ? -1 : 1);
	if ((c = strcmp(x->site, y->site)) != 0)
		return (c);
	return (strcmp(x->lock_class, y->lock_class));
}

/*
 * A time with its unit and four significant digits ("850 ns", "12.34 us",
 * "1.234 ms", "2.500 s"); "-" with timing off.
 */
static const char *
fmt_ns(const struct rp_report *r, uint64_t ns, char *b, size_t n)
{
	static const char *const unit[] = { "us", "ms", "s" };
	double v;
	unsigned u;

	if (!r->timing)
		snprintf(b, n, "-");
	else if (ns < 1000)
		snprintf(b, n, "%llu ns", (unsigned long long)ns);
	else {
		v = ns / 1e3;
		for (u = 0; u < 2 && v >= 999.95; u++)
			v /= 1e3;
		snprintf(b, n, "%.*f %s", v < 9.9995 ? 3 : v < 99.995 ? 2 : 1,
		    v, unit[u]);
	}
	return (b);
}

/*
 * A "label: name count, name count, ..." line of the header, wrapped
 * before column 80 (the default table is 100 columns at most) with the
 * continuation lines indented by two; an item never straddles the wrap.
 */
struct wrapped_list {
	FILE		*f;
	const char	*label;
	unsigned	col;
	unsigned	n;
};

static void
wrapped_item(struct wrapped_list *w, const char *name, uint64_t count)
{
	int item, len;

	item = snprintf(NULL, 0, "%s %llu", name, (unsigned long long)count);
	/* ", " before the item, "," after it: within column 79 */
	if (w->n > 0 && w->col + 3 + (unsigned)(item > 0 ? item : 0) > 79) {
		fputs(",\n ", w->f);
		w->col = 1;
	}
	len = fprintf(w->f, "%s%s %llu", w->n++ == 0 ? w->label :
	    w->col == 1 ? " " : ", ", name, (unsigned long long)count);
	w->col += len > 0 ? (unsigned)len : 0;
}

static void
wrapped_end(struct wrapped_list *w)
{
	if (w->n > 0)
		fputc('\n', w->f);
}

/* The engine's counters, several to a line. */
static void
print_counters(FILE *f, const struct rp_report *r)
{
	struct wrapped_list wl = { .f = f, .label = "  " };
	unsigned i;

	if (r->ncounters == 0)
		return;
	fprintf(f, "\nengine counters:\n");
	for (i = 0; i < r->ncounters; i++)
		wrapped_item(&wl, r->counter[i].name, r->counter[i].value);
	wrapped_end(&wl);
}

/*
 * The site column fits the engine's longest function that takes a lock
 * (vm_pageout_reinsert_inactive, 28), so that the default table stays
 * within 100 columns.
 */
#define RP_SITE_WIDTH	28

/* The top entries call sites x lock class in o's order. */
static void
print_sites(FILE *f, const struct rp_report *r, const struct rp_print_opts *o)
{
	const struct rp_site_row **top, *s;
	char t1[16], t2[16], t3[16];
	enum rp_key key;
	size_t i, n;

	if (r->nsites == 0)
		return;
	if ((top = calloc(r->nsites, sizeof(*top))) == NULL)
		return;
	for (i = 0; i < r->nsites; i++)
		top[i] = &r->site[i];
	key = print_key(r, o);
	qsort_r(top, r->nsites, sizeof(*top), site_cmp, &key);
	n = o->entries > 0 ? o->entries : RP_SITE_TOP;
	n = r->nsites < n ? r->nsites : n;
	fprintf(f, "\ntop %zu of %zu call sites by %s:\n", n, r->sites_total,
	    rp_keys[key].site_name);
	fprintf(f, "%-*s %-9s %10s %10s %6s", RP_SITE_WIDTH, "site", "lock",
	    "acquired", "contended", "cont%");
	if (o->wide)
		fprintf(f, " %10s", "cas_retry");
	fprintf(f, " %10s %9s %10s\n", "wait total", "avg wait",
	    "hold total");
	for (i = 0; i < n; i++) {
		s = top[i];
		fprintf(f, "%-*s %-9s %10llu %10llu %6.2f", RP_SITE_WIDTH, s->site,
		    s->lock_class, (unsigned long long)s->acquisitions,
		    (unsigned long long)s->contended, s->acquisitions > 0 ?
		    100.0 * s->contended / s->acquisitions : 0.0);
		if (o->wide)
			fprintf(f, " %10llu",
			    (unsigned long long)s->cas_retries);
		fprintf(f, " %10s %9s %10s\n",
		    fmt_ns(r, s->wait_total, t1, sizeof(t1)),
		    fmt_ns(r, site_value(s, K_AVG_WAIT), t2, sizeof(t2)),
		    fmt_ns(r, s->hold_total, t3, sizeof(t3)));
	}
	free(top);
}

/*
 * The lock instances (single named locks, lockstat's per-address rows), in
 * their registration order, with their share of all contention.
 */
static void
print_instances(FILE *f, const struct rp_report *r)
{
	const struct rp_lock_row *l;
	char t[16];
	unsigned i;

	if (r->ninst == 0)
		return;
	fprintf(f, "\n%u lock instances:\n%-22s %-10s %11s %10s %6s %9s "
	    "%10s %9s\n", r->ninst, "instance", "lock", "acquired",
	    "contended", "share%", "avg wait", "wait total", "p99 hold");
	for (i = 0; i < r->ninst; i++) {
		l = &r->inst[i];
		fprintf(f, "%-22s %-10s %11llu %10llu %6.2f", l->instance,
		    l->name, (unsigned long long)l->acquisitions,
		    (unsigned long long)l->contended, rp_report_share(r, l));
		fprintf(f, " %9s", fmt_ns(r, rp_lock_wait_avg(l), t,
		    sizeof(t)));
		fprintf(f, " %10s", fmt_ns(r, l->wait_total, t, sizeof(t)));
		fprintf(f, " %9s\n", fmt_ns(r, l->hold_q[2], t, sizeof(t)));
	}
}

/*
 * The lock-class table in o's order: acquisitions, contention, its share
 * of all contention, wait figures over the contended acquisitions, hold
 * figures over all; o->wide adds CAS retries, atomics and every quantile.
 */
static void
print_locks(FILE *f, const struct rp_report *r, const struct rp_print_opts *o)
{
	static const char *const qn[RP_QUANTILES] = { "p50", "p90", "p99",
	    "p99.9" };
	const struct rp_lock_row *top[RP_LOCK_MAX], *l;
	char t[16], h[16];
	enum rp_key key;
	unsigned i, k, n;

	for (i = 0; i < r->nlocks; i++)
		top[i] = &r->lock[i];
	key = print_key(r, o);
	qsort_r(top, r->nlocks, sizeof(*top), lock_cmp, &key);
	n = o->entries > 0 && o->entries < r->nlocks ? o->entries : r->nlocks;
	fprintf(f, "\n%s%u lock classes by %s:\n", n < r->nlocks ? "top " :
	    "", n, rp_keys[key].name);
	fprintf(f, "%-10s %11s %10s %6s %6s", "lock", "acquired", "contended",
	    "cont%", "share%");
	if (o->wide) {
		fprintf(f, " %10s %12s", "cas_retry", "atomics");
		for (k = 0; k < RP_QUANTILES; k++) {
			snprintf(h, sizeof(h), "%s wait", qn[k]);
			fprintf(f, " %*s", k == 3 ? 10 : 9, h);
		}
		fprintf(f, " %9s %9s %10s", "avg wait", "max wait",
		    "wait total");
		for (k = 0; k < RP_QUANTILES; k++) {
			snprintf(h, sizeof(h), "%s hold", qn[k]);
			fprintf(f, " %*s", k == 3 ? 10 : 9, h);
		}
		fprintf(f, " %9s %10s\n", "max hold", "hold total");
	} else
		fprintf(f, " %10s %9s %9s %9s %9s\n", "wait total", "avg wait",
		    "max wait", "p99 wait", "p99 hold");
	for (i = 0; i < n; i++) {
		l = top[i];
		fprintf(f, "%-10s %11llu %10llu %6.2f %6.2f", l->name,
		    (unsigned long long)l->acquisitions,
		    (unsigned long long)l->contended, l->acquisitions > 0 ?
		    100.0 * l->contended / l->acquisitions : 0.0,
		    rp_report_share(r, l));
		if (!o->wide) {
			fprintf(f, " %10s", fmt_ns(r, l->wait_total, t,
			    sizeof(t)));
			fprintf(f, " %9s", fmt_ns(r, rp_lock_wait_avg(l), t,
			    sizeof(t)));
			fprintf(f, " %9s", fmt_ns(r, l->wait_max, t,
			    sizeof(t)));
			fprintf(f, " %9s", fmt_ns(r, l->wait_q[2], t,
			    sizeof(t)));
			fprintf(f, " %9s\n", fmt_ns(r, l->hold_q[2], t,
			    sizeof(t)));
			continue;
		}
		fprintf(f, " %10llu %12llu", (unsigned long long)l->cas_retries,
		    (unsigned long long)l->atomics);
		for (k = 0; k < RP_QUANTILES; k++)
			fprintf(f, " %*s", k == 3 ? 10 : 9, fmt_ns(r,
			    l->wait_q[k], t, sizeof(t)));
		fprintf(f, " %9s", fmt_ns(r, rp_lock_wait_avg(l), t,
		    sizeof(t)));
		fprintf(f, " %9s", fmt_ns(r, l->wait_max, t, sizeof(t)));
		fprintf(f, " %10s", fmt_ns(r, l->wait_total, t, sizeof(t)));
		for (k = 0; k < RP_QUANTILES; k++)
			fprintf(f, " %*s", k == 3 ? 10 : 9, fmt_ns(r,
			    l->hold_q[k], t, sizeof(t)));
		fprintf(f, " %9s", fmt_ns(r, l->hold_max, t, sizeof(t)));
		fprintf(f, " %10s\n", fmt_ns(r, l->hold_total, t, sizeof(t)));
	}
	if (!r->timing)
		fprintf(f, "(timing off: no wait/hold times)\n");
	else if (r->hold_sample > 1)
		fprintf(f, "(wait: over the contended acquisitions; hold: "
		    "over one acquisition in %u per worker, totals estimated; "
		    "share%%: of all contended acquisitions)\n",
		    r->hold_sample);
	else
		fprintf(f, "(wait: over the contended acquisitions; hold: "
		    "over all; share%%: of all contended acquisitions)\n");
	print_instances(f, r);
}

void
rp_report_print(FILE *f, const struct rp_report *r,
    const struct rp_print_opts *o)
{
	const struct rp_run_result *run = r->run;
	const struct rp_worker_result *w;
	const struct rp_counter *kc;
	double lo, hi;
	struct wrapped_list wl;
	char hold_note[48];
	unsigned i, k;

	hold_note[0] = '\0';
	if (r->timing && r->hold_sample > 1)
		snprintf(hold_note, sizeof(hold_note), " (holds: 1 in %u)",
		    r->hold_sample);
	fprintf(f, "%s: %llu events on %u thread%s (CPUs %s) in %.3f s: "
	    "%.0f events/s\n", r->trace, (unsigned long long)run->events,
	    r->threads, r->threads == 1 ? "" : "s",
	    r->cpu_list[0] != '\0' ? r->cpu_list : "not pinned",
	    run->elapsed_ns / 1e9, rate(run->events, run->elapsed_ns));
	worker_range(run, &lo, &hi);
	fprintf(f, "design: page %s, queue %s, pv %s, pvchunk %s, "
	    "free %s%s%s%s\nrun: partition %s, scale %u %s, pace %s, "
	    "loops %u, timing %s%s\n",
	    r->page, r->queue, r->pv, r->pvchunk, r->free, r->preset != NULL ?
	    " (--preset " : "", r->preset != NULL ? r->preset : "",
	    r->preset != NULL ? ")" : "", r->partition, r->scale,
	    r->scale_mode, r->pace, r->loops, r->timing ? "on" : "off",
	    hold_note);
	fprintf(f, "skipped %llu (%.2f%%), warm-up %llu events%s%s\n",
	    (unsigned long long)run->skipped, run->events > 0 ?
	    100.0 * run->skipped / run->events : 0.0,
	    (unsigned long long)run->warmup_events,
	    run->interrupted ? ", interrupted: partial run" :
	    run->stopped ? ", stopped at the duration limit" : "",
	    r->lost > 0 ? ", trace lost events while recording" : "");
	if (r->primed)
		fprintf(f, "primed before the run: %llu objects, %llu pages "
		    "(%llu inactive, %llu active, %llu wired)\n",
		    (unsigned long long)r->prime.objects,
		    (unsigned long long)r->prime.pages,
		    (unsigned long long)r->prime.inactive,
		    (unsigned long long)r->prime.active,
		    (unsigned long long)r->prime.wired);
	else
		fprintf(f, "priming off (--no-prime): the model starts "
		    "empty\n");
	if ((kc = counter_find(r, "alloc_failures")) != NULL && kc->value > 0)
		fprintf(f, "page allocations failed: %llu (the page daemon "
		    "could not free memory; raise --phys-mem)\n",
		    (unsigned long long)kc->value);
	if (strcmp(r->pace, "asap") != 0) {
		fprintf(f, "pace %s: ", r->pace);
		if (run->behind_ns >= 1000000)
			fprintf(f, "fell behind the recorded times by up to "
			    "%.3f ms (the model was slower than the trace)\n",
			    run->behind_ns / 1e6);
		else
			fprintf(f, "kept the recorded times (at most %.3f ms "
			    "late)\n", run->behind_ns / 1e6);
	}
	wl = (struct wrapped_list){ .f = f, .label = "skipped by kind: " };
	for (k = 0; k < PR_KIND_COUNT; k++)
		if (r->skipped_by_kind[k] != 0)
			wrapped_item(&wl, pr_kind_name(k), r->skipped_by_kind[k]);
	wrapped_end(&wl);
	wl = (struct wrapped_list){ .f = f, .label = "skipped by cause: " };
	for (k = 0; k < r->nskip_causes; k++)
		if (r->skip_cause[k].count != 0)
			wrapped_item(&wl, r->skip_cause[k].name,
			    r->skip_cause[k].count);
	wrapped_end(&wl);
	if (run->hw.valid && run->events > 0)
		fprintf(f, "per event: %.1f cycles, %.1f instructions, "
		    "%.3f LLC misses\n",
		    (double)run->hw.v[RP_HWC_CYCLES] / run->events,
		    (double)run->hw.v[RP_HWC_INSTRUCTIONS] / run->events,
		    (double)run->hw.v[RP_HWC_LLC_MISSES] / run->events);
	else
		fprintf(f, "note: %s\n", run->hw_note);

	print_locks(f, r, o);
	print_sites(f, r, o);
	print_counters(f, r);

	fprintf(f, "\n%-6s %4s %12s %10s %12s\n", "worker", "cpu", "events",
	    "skipped", "events/s");
	for (i = 0; i < run->nworkers; i++) {
		w = &run->w[i];
		fprintf(f, "%-6u %4d %12llu %10llu %12.0f\n", i, w->cpu,
		    (unsigned long long)w->events,
		    (unsigned long long)w->skipped,
		    rate(w->events, w->end_ns - w->start_ns));
	}
	if (r->check_violations >= 0)
		fprintf(f, "\ninvariant check: %lld violation%s\n",
		    (long long)r->check_violations,
		    r->check_violations == 1 ? "" : "s");
}
