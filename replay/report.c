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

void
rp_report_csv_rows(FILE *f, const struct rp_report *r)
{
	char buf[512];
	unsigned i, c;

	for (i = 0; i < r->nlocks; i++) {
		for (c = 0; c < C_COUNT; c++) {
			if (c > 0)
				fputc(',', f);
			cell(r, &r->lock[i], (enum col)c, buf, sizeof(buf));
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

void
rp_report_json(FILE *f, const struct rp_report *r)
{
	const struct rp_run_result *run = r->run;
	const struct rp_worker_result *w;
	const struct rp_site_row *s;
	char buf[512];
	unsigned i, c, k;

	fprintf(f, "{\n  \"rows\": [");
	for (i = 0; i < r->nlocks; i++) {
		fprintf(f, "%s\n    {", i > 0 ? "," : "");
		for (c = 0; c < C_COUNT; c++) {
			cell(r, &r->lock[i], (enum col)c, buf, sizeof(buf));
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
	fprintf(f, "\n  ],\n  \"sites_left_off\": %llu,\n  \"lost\": %llu,"
	    "\n  \"hw_note\": ", (unsigned long long)(r->sites_total -
	    r->nsites), (unsigned long long)r->lost);
	json_string(f, run->hw.valid ? "" : run->hw_note);
	fprintf(f, "\n}\n");
}

/*
 * Busiest call sites first: by wait total (timing on), then by
 * acquisitions, then by name for a stable order.
 */
static int
site_busier(const void *a, const void *b)
{
	const struct rp_site_row *x = *(const struct rp_site_row *const *)a;
	const struct rp_site_row *y = *(const struct rp_site_row *const *)b;
	int c;

	if (x->wait_total != y->wait_total)
		return (x->wait_total > y->wait_total ? -1 : 1);
	if (x->acquisitions != y->acquisitions)
		return (x->acquisitions > y->acquisitions ? -1 : 1);
	if ((c = strcmp(x->site, y->site)) != 0)
		return (c);
	return (strcmp(x->lock_class, y->lock_class));
}

/* The engine's counters, several to a line. */
static void
print_counters(FILE *f, const struct rp_report *r)
{
	unsigned i, col;
	int n;

	if (r->ncounters == 0)
		return;
	fprintf(f, "\nengine counters:\n");
	for (i = 0, col = 0; i < r->ncounters; i++) {
		n = fprintf(f, "%s%s %llu", col == 0 ? "  " : ", ",
		    r->counter[i].name,
		    (unsigned long long)r->counter[i].value);
		col += n > 0 ? (unsigned)n : 0;
		if (col > 60 || i + 1 == r->ncounters) {
			fputc('\n', f);
			col = 0;
		}
	}
}

/* The top RP_SITE_TOP call sites x lock class (site_busier order). */
static void
print_sites(FILE *f, const struct rp_report *r)
{
	const struct rp_site_row **top, *s;
	size_t i, n;

	if (r->nsites == 0)
		return;
	if ((top = calloc(r->nsites, sizeof(*top))) == NULL)
		return;
	for (i = 0; i < r->nsites; i++)
		top[i] = &r->site[i];
	qsort(top, r->nsites, sizeof(*top), site_busier);
	n = r->nsites < RP_SITE_TOP ? r->nsites : RP_SITE_TOP;
	fprintf(f, "\ntop %zu of %zu call sites by %s:\n", n, r->sites_total,
	    r->timing ? "wait total" : "acquisitions");
	fprintf(f, "%-28s %-10s %12s %8s %10s %12s %12s\n", "site", "lock",
	    "acquired", "cont%", "cas_retry", "wait_total", "hold_total");
	for (i = 0; i < n; i++) {
		s = top[i];
		fprintf(f, "%-28s %-10s %12llu %8.2f %10llu %12llu %12llu\n",
		    s->site, s->lock_class,
		    (unsigned long long)s->acquisitions, s->acquisitions > 0 ?
		    100.0 * s->contended / s->acquisitions : 0.0,
		    (unsigned long long)s->cas_retries,
		    (unsigned long long)s->wait_total,
		    (unsigned long long)s->hold_total);
	}
	free(top);
}

void
rp_report_print(FILE *f, const struct rp_report *r)
{
	const struct rp_run_result *run = r->run;
	const struct rp_worker_result *w;
	const struct rp_lock_row *l;
	double lo, hi;
	unsigned i, k;

	fprintf(f, "%s: %llu events on %u threads (CPUs %s) in %.3f s: "
	    "%.0f events/s\n", r->trace, (unsigned long long)run->events,
	    r->threads, r->cpu_list[0] != '\0' ? r->cpu_list : "not pinned",
	    run->elapsed_ns / 1e9, rate(run->events, run->elapsed_ns));
	worker_range(run, &lo, &hi);
	fprintf(f, "design: page %s, queue %s, pv %s, pvchunk %s; "
	    "partition %s, scale %u %s, pace %s, loops %u, timing %s\n",
	    r->page, r->queue, r->pv, r->pvchunk, r->partition, r->scale,
	    r->scale_mode, r->pace, r->loops, r->timing ? "on" : "off");
	fprintf(f, "skipped %llu (%.2f%%), warm-up %llu events%s%s\n",
	    (unsigned long long)run->skipped, run->events > 0 ?
	    100.0 * run->skipped / run->events : 0.0,
	    (unsigned long long)run->warmup_events,
	    run->interrupted ? ", interrupted: partial run" :
	    run->stopped ? ", stopped at the duration limit" : "",
	    r->lost > 0 ? ", trace lost events while recording" : "");
	for (k = 0, i = 0; k < PR_KIND_COUNT; k++) {
		if (r->skipped_by_kind[k] == 0)
			continue;
		fprintf(f, "%s%s %llu", i++ == 0 ? "skipped by kind: " : ", ",
		    pr_kind_name(k),
		    (unsigned long long)r->skipped_by_kind[k]);
	}
	if (i > 0)
		fputc('\n', f);
	if (run->hw.valid && run->events > 0)
		fprintf(f, "per event: %.1f cycles, %.1f instructions, "
		    "%.3f LLC misses\n",
		    (double)run->hw.v[RP_HWC_CYCLES] / run->events,
		    (double)run->hw.v[RP_HWC_INSTRUCTIONS] / run->events,
		    (double)run->hw.v[RP_HWC_LLC_MISSES] / run->events);
	else
		fprintf(f, "note: %s\n", run->hw_note);

	fprintf(f, "\n%-10s %12s %8s %10s %12s %8s %8s %8s %9s %10s %12s"
	    " %8s %8s %8s %9s %10s %12s\n", "lock", "acquired", "cont%",
	    "cas_retry", "atomics", "wait50", "wait90", "wait99", "wait99.9", "wait_max",
	    "wait_total", "hold50", "hold90", "hold99", "hold99.9",
	    "hold_max", "hold_total");
	for (i = 0; i < r->nlocks; i++) {
		l = &r->lock[i];
		fprintf(f, "%-10s %12llu %8.2f %10llu %12llu", l->name,
		    (unsigned long long)l->acquisitions, l->acquisitions > 0 ?
		    100.0 * l->contended / l->acquisitions : 0.0,
		    (unsigned long long)l->cas_retries,
		    (unsigned long long)l->atomics);
		for (k = 0; k < RP_QUANTILES; k++)
			fprintf(f, " %*llu", k == 3 ? 9 : 8,
			    (unsigned long long)l->wait_q[k]);
		fprintf(f, " %10llu %12llu", (unsigned long long)l->wait_max,
		    (unsigned long long)l->wait_total);
		for (k = 0; k < RP_QUANTILES; k++)
			fprintf(f, " %*llu", k == 3 ? 9 : 8,
			    (unsigned long long)l->hold_q[k]);
		fprintf(f, " %10llu %12llu\n", (unsigned long long)l->hold_max,
		    (unsigned long long)l->hold_total);
	}
	fprintf(f, "(times in ns%s)\n", r->timing ? "" :
	    "; timing off: no wait/hold times");
	print_sites(f, r);
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
