/*
 * session.c - one replay run against the engine (see session.h).
 */
#include <malloc.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "session.h"
#include "stream.h"

void
rp_config_default(struct rp_config *c)
{
	memset(c, 0, sizeof(*c));
	eng_design_default(&c->design);
	c->threads = 0;			/* one per CPU of --cpus */
	c->partition = RP_PART_TID;
	c->scale = 1;
	c->scale_mode = RP_SCALE_DISJOINT;
	c->run.pace = RP_PACE_ASAP;
	c->run.pace_factor = 1.0;
	c->run.loops = 1;
	c->run.hwc = true;
	c->timing = true;
	c->hold_sample = 1;
	c->prime = true;
}

uint64_t
rp_config_phys_pages(const struct rp_config *c, const struct rp_trace *t)
{
	uint64_t bytes, pages;

	if (c->phys_factor > 0) {
		pages = (uint64_t)(c->phys_factor * (double)rp_trace_pages(t) *
		    (c->scale_mode == RP_SCALE_DISJOINT ? c->scale : 1) + 0.5);
		return (pages < RP_PHYS_MIN_PAGES ? RP_PHYS_MIN_PAGES : pages);
	}
	bytes = c->phys_bytes;
	if (bytes == 0)
		bytes = RP_PHYS_DEFAULT *
		    (c->scale_mode == RP_SCALE_DISJOINT ? c->scale : 1);
	return (bytes >> PR_PAGE_SHIFT);
}

/*
 * Decoder threads of a run: RP_STREAM_DECODERS, or one per 4 workers when
 * more (a decoder feeds several workers: the model costs 10-100 times
 * what decoding does per event).
 */
static unsigned
session_decoders(const struct rp_config *c)
{
	return (c->threads / 4 > RP_STREAM_DECODERS ? c->threads / 4 :
	    RP_STREAM_DECODERS);
}

void
rp_session_memory(const struct rp_trace *t, const struct rp_config *c,
    struct rp_memory *m)
{
	uint64_t ids;

	m->window = rp_stream_bytes(t, c->threads, c->scale,
	    session_decoders(c), 0);
	/* Map slots (key + value, half full) and counts; owners; plan. */
	ids = t->objs.n + t->pmaps.n + t->tids.n + t->cpus.n;
	m->maps = ids * (2 * (sizeof(uint64_t) + sizeof(uint32_t)) +
	    sizeof(uint64_t)) + (t->nframes + 1) * sizeof(uint64_t) +
	    (ids + 1) * c->scale * 2 * sizeof(uint32_t);
	m->model = rp_config_phys_pages(c, t) * RP_MODEL_PAGE_BYTES;
	m->available = rp_mem_available();
}

int
rp_session_fits(const struct rp_trace *t, const struct rp_config *c,
    char *err, size_t errlen)
{
	struct rp_memory m;

	rp_session_memory(t, c, &m);
	if (m.available == 0 || m.window + m.model <= m.available)
		return (0);
	snprintf(err, errlen, "a run needs about %.0f MiB (frames in flight "
	    "%.0f, model %.0f for --phys-mem %.0f MiB) but %.0f MiB is "
	    "available: lower --phys-mem or --scale",
	    (m.window + m.model) / 1048576.0, m.window / 1048576.0,
	    m.model / 1048576.0,
	    (double)(rp_config_phys_pages(c, t) << PR_PAGE_SHIFT) / 1048576.0,
	    m.available / 1048576.0);
	return (-1);
}

/*
 * What a damaged trace gets (docs/user-guide.md "Damaged traces"): a cut one
 * (the recorder was killed) is replayed with a warning; a corrupt one is
 * refused unless salvage, and then replayed with a warning; one with no
 * intact frame at all is refused.  Each message says what was recovered.
 * 0 (a warning in warn, or warn empty), or -1 with the refusal in err.
 */
static int
session_damage(const char *path, const struct rp_trace *t, bool salvage,
    char *warn, size_t warnlen, char *err, size_t errlen)
{
	char what[160];

	warn[0] = '\0';
	if (!rp_trace_damaged(t)) {
		if (t->truncated)
			snprintf(warn, warnlen, "%s was cut short; replaying "
			    "its %zu events in %llu complete frames", path,
			    t->nev, (unsigned long long)t->frames);
		return (0);
	}
	snprintf(what, sizeof(what), "%s at byte %llu, frame %llu%s",
	    pr_strerror(t->error), (unsigned long long)t->error_offset,
	    (unsigned long long)t->error_frame, t->truncated ?
	    ", and cut short" : "");
	if (!salvage || t->nev == 0) {
		snprintf(err, errlen, "%s is damaged (%s): %llu intact frames "
		    "hold %zu events%s", path, what,
		    (unsigned long long)t->frames, t->nev, t->nev == 0 ? "" :
		    "; --salvage replays them");
		return (-1);
	}
	snprintf(warn, warnlen, "%s is damaged (%s); replaying the %zu events "
	    "of its %llu intact frames (%llu damaged frames left out)", path,
	    what, t->nev, (unsigned long long)t->frames,
	    (unsigned long long)t->bad_frames);
	return (0);
}

int
rp_session_load(const char *path, bool salvage, struct rp_trace *t,
    char *warn, size_t warnlen, char *err, size_t errlen)
{
	struct rp_cpulist online;
	unsigned n;

	/*
	 * A fixed mmap threshold: glibc raises its dynamic one to the size
	 * of the largest block freed (the scan's and the frames' buffers,
	 * megabytes), after which the model's page hashes and page-table
	 * pages of every object and pmap a long trace creates and frees are
	 * carved from the worker threads' arenas and fragment them (a 30 M
	 * event synth build replay: 242 -> 160 MiB peak with this).
	 */
	mallopt(M_MMAP_THRESHOLD, 64 * 1024);
	n = 1;
	if (rp_cpulist_online(&online, err, errlen) == 0) {
		n = (unsigned)online.n;
		rp_cpulist_free(&online);
	}
	if (rp_trace_load(path, n, t, err, errlen) != 0)
		return (-1);
	if (session_damage(path, t, salvage, warn, warnlen, err,
	    errlen) != 0) {
		rp_trace_free(t);
		return (-1);
	}
	return (0);
}

int
rp_cpus_resolve(const char *spec, unsigned threads, struct rp_cpulist *out,
    bool *oversubscribed, char *err, size_t errlen)
{
	struct rp_cpulist online;
	size_t i;

	*oversubscribed = false;
	if (rp_cpulist_online(&online, err, errlen) != 0)
		return (-1);
	if (spec == NULL) {
		rp_cpulist_free(&online);
		if (rp_cpulist_allowed(out, err, errlen) != 0)
			return (-1);
	} else {
		if (rp_cpulist_parse(spec, out, err, errlen) != 0) {
			rp_cpulist_free(&online);
			return (-1);
		}
		for (i = 0; i < out->n; i++) {
			if (!rp_cpulist_has(&online, out->cpu[i])) {
				snprintf(err, errlen, "CPU %u is not online",
				    out->cpu[i]);
				rp_cpulist_free(&online);
				rp_cpulist_free(out);
				return (-1);
			}
		}
		rp_cpulist_free(&online);
	}
	*oversubscribed = threads > out->n;
	return (0);
}

/*
 * rp_target ops over the engine: a worker's eng_cpu, one event on it
 * (called only by the worker owning the eng_cpu), and the statistics reset
 * while every worker waits.
 */
static void *
target_cpu(void *ctx, unsigned slot)
{
	return (eng_cpu(ctx, slot));
}

/* See target_cpu. */
static int
target_apply(void *cpu, const struct pr_event *ev)
{
	return (eng_apply(cpu, ev));
}

/* See target_cpu. */
static void
target_reset(void *ctx)
{
	eng_stats_reset(ctx);
}

/* Replicas with objects of their own: --scale disjoint's, else one. */
static unsigned
session_replicas(const struct rp_plan *plan)
{
	return (plan->obj_stride != 0 ? plan->scale : 1);
}

struct session_anon {
	const struct rp_plan *plan;
	struct vm_engine *e;
};

/* rp_idmap_foreach() over the object ids: see session_object_types(). */
static void
session_object_type(void *arg, uint64_t id, uint32_t slot)
{
	const struct session_anon *a = arg;
	unsigned r;

	if ((id & PR_OBJ_ANON) == 0)
		return;
	for (r = 0; r < session_replicas(a->plan); r++)
		eng_object_anon(a->e, slot + r * a->plan->obj_stride);
}

/*
 * Tell the engine which objects are anonymous memory (trace ids with
 * PR_OBJ_ANON), in every replica (disjoint) or once (shared): the others
 * are files' (eng_object_anon()).
 */
static void
session_object_types(const struct rp_trace *t, const struct rp_plan *plan,
    struct vm_engine *e)
{
	struct session_anon a = { plan, e };

	rp_idmap_foreach(&t->objs, session_object_type, &a);
}

/*
 * Before the timed part: what the trace assumes resident (prime.h), once
 * per replica on its own objects (disjoint) or once (shared), applied on
 * the first worker's CPU while no worker runs, then its batches drained
 * (the page daemon runs meanwhile: priming may need it);
 * rp_run() zeroes the statistics it made.
 */
static void
session_prime(const struct rp_trace *t, const struct rp_config *c,
    const struct rp_plan *plan, struct vm_engine *e, struct rp_report *rep)
{
	unsigned replicas = session_replicas(plan);

	rep->primed = c->prime;
	memset(&rep->prime, 0, sizeof(rep->prime));
	rep->prime_skipped = 0;
	if (!c->prime)
		return;
	rep->prime_skipped = rp_prime_apply(&t->prime, replicas,
	    plan->obj_stride, target_apply, eng_cpu(e, 0));
	eng_cpu_drain(eng_cpu(e, 0));
	rep->prime.objects = t->prime.cnt.objects * replicas;
	rep->prime.pages = t->prime.cnt.pages * replicas;
	rep->prime.inactive = t->prime.cnt.inactive * replicas;
	rep->prime.active = t->prime.cnt.active * replicas;
	rep->prime.wired = t->prime.cnt.wired * replicas;
}

/*
 * The engine's statistics of a lock class or instance into report row l;
 * hold_sample: one hold in that many was timed (rp_config).
 */
static void
session_lock_row(const struct eng_lock_stats *ls, unsigned lc,
    const char *instance, uint32_t hold_sample, struct rp_lock_row *l)
{
	static const double q[RP_QUANTILES] = { 0.5, 0.9, 0.99, 0.999 };
	unsigned k;

	memset(l, 0, sizeof(*l));
	snprintf(l->name, sizeof(l->name), "%s", eng_lock_class_name(lc));
	snprintf(l->instance, sizeof(l->instance), "%s", instance);
	l->acquisitions = ls->acquisitions;
	l->contended = ls->contended;
	l->cas_retries = ls->cas_retries;
	l->atomics = ls->atomics;
	l->wait_hist = ls->wait;
	l->hold_hist = ls->hold;
	for (k = 0; k < RP_QUANTILES; k++) {
		l->wait_q[k] = eng_hist_quantile(&l->wait_hist, q[k]);
		l->hold_q[k] = eng_hist_quantile(&ls->hold, q[k]);
	}
	l->wait_count = l->wait_hist.count;
	l->wait_max = l->wait_hist.max_ns;
	l->wait_total = l->wait_hist.sum_ns;
	l->hold_max = ls->hold.max_ns;
	l->hold_total = eng_hold_total(ls->hold.sum_ns, ls->hold.count,
	    ls->acquisitions, hold_sample);
}

/* Engine statistics of every lock class and instance into report rows. */
static void
session_locks(const struct eng_stats *s, struct rp_report *rep)
{
	unsigned i, k;

	rep->nlocks = 0;
	for (i = 0; i < LC_COUNT && i < RP_LOCK_MAX; i++)
		session_lock_row(&s->lock[i], i, "", rep->hold_sample,
		    &rep->lock[rep->nlocks++]);
	rep->ninst = 0;
	for (i = 0; i < eng_lock_inst_count(); i++)
		session_lock_row(&s->inst[i], eng_lock_inst_class(i),
		    eng_lock_inst_name(i), rep->hold_sample,
		    &rep->inst[rep->ninst++]);
	memcpy(rep->by_kind, s->by_kind, sizeof(rep->by_kind));
	memcpy(rep->skipped_by_kind, s->skipped_by_kind,
	    sizeof(rep->skipped_by_kind));
	rep->nskip_causes = 0;
	for (k = ENG_SKIP_NONE + 1; k < ENG_SKIP_COUNT; k++) {
		rep->skip_cause[rep->nskip_causes].name = eng_skip_name(k);
		rep->skip_cause[rep->nskip_causes++].count =
		    s->skipped_by_cause[k];
	}
}
_Static_assert(ENG_SKIP_COUNT <= RP_SKIP_CAUSE_MAX,
    "RP_SKIP_CAUSE_MAX too small");

/*
 * The engine's counters beyond the lock classes, in report order; the names
 * are the JSON keys documented in docs/csv.md (stable: append only).
 */
static const struct {
	const char	*name;
	size_t		 off;
} session_counters[] = {
#define CNT(f)	{ #f, offsetof(struct eng_stats, f) }
	CNT(queue_ops),
	CNT(queue_nops),
	CNT(pqstate_commit_retries),
	CNT(relock_restarts),
	CNT(reclaims),
	CNT(alloc_failures),
	CNT(reserv_breaks),
	CNT(scan_pages),
	CNT(scan_freed),
	CNT(scan_skipped),
	CNT(pv_restarts),
	CNT(pa_restarts),
	CNT(hold_fallbacks),
	CNT(promotions),
	CNT(promote_failures),
	CNT(demotions),
	CNT(pv_reclaims),
	CNT(pv_reclaimed),
	CNT(pv_chunk_allocs),
	CNT(pv_chunk_frees),
	CNT(pv_chunk_overcommits),
	CNT(scan_inactive),
	CNT(scan_active),
	CNT(pd_wakeups),
	CNT(pd_passes),
	CNT(pd_ooms),
	CNT(vm_waits),
	CNT(vm_wait_ns),
	CNT(free_find_steps),
	CNT(free_far_afield),
	CNT(free_lastq_hits),
	CNT(page_hash_hits),
	CNT(page_hash_misses),
	CNT(page_hash_fails),
	CNT(fault_around_lookups),
#undef CNT
};
_Static_assert(sizeof(session_counters) / sizeof(session_counters[0]) <=
    RP_COUNTER_MAX, "RP_COUNTER_MAX too small");

/* Engine counters and per-call-site lock rows into the report. */
static void
session_counters_sites(struct vm_engine *e, const struct eng_stats *s,
    struct rp_report *rep)
{
	struct eng_site_row *rows;
	size_t i;

	rep->ncounters = 0;
	for (i = 0; i < sizeof(session_counters) /
	    sizeof(session_counters[0]); i++) {
		rep->counter[i].name = session_counters[i].name;
		memcpy(&rep->counter[i].value, (const char *)s +
		    session_counters[i].off, sizeof(uint64_t));
		rep->ncounters++;
	}
	rep->nsites = rep->sites_total = 0;
	if ((rows = calloc(RP_SITE_MAX, sizeof(*rows))) == NULL)
		return;
	rep->sites_total = eng_stats_sites(e, rows, RP_SITE_MAX);
	rep->nsites = rep->sites_total < RP_SITE_MAX ? rep->sites_total :
	    RP_SITE_MAX;
	for (i = 0; i < rep->nsites; i++) {
		rep->site[i].site = rows[i].site != NULL ? rows[i].site : "?";
		rep->site[i].lock_class = eng_lock_class_name(
		    rows[i].lock_class);
		rep->site[i].acquisitions = rows[i].acquisitions;
		rep->site[i].contended = rows[i].contended;
		rep->site[i].cas_retries = rows[i].cas_retries;
		rep->site[i].wait_total = rows[i].wait_ns;
		rep->site[i].hold_total = rows[i].hold_ns;
	}
	free(rows);
}

/* The configuration's facts into the report's columns. */
static void
session_describe(const struct rp_trace *t, const struct rp_config *c,
    struct rp_report *rep)
{
	const struct eng_design *d = &c->design;

	rep->trace_source = pr_source_name(t->hdr.source);
	rep->trace_events = t->nev;
	rep->threads = c->threads;
	rep->cpu_list[0] = '\0';
	if (c->sim != NULL)
		snprintf(rep->cpu_list, sizeof(rep->cpu_list), "0-%u",
		    c->threads - 1);
	else if (c->cpus != NULL)
		rp_cpulist_format(c->cpus, rep->cpu_list,
		    sizeof(rep->cpu_list));
	rep->partition = rp_partition_name(c->partition);
	rep->scale = c->scale;
	rep->scale_mode = rp_scale_mode_name(c->scale_mode);
	eng_design_format(d, ENG_FAM_PAGE, rep->page, sizeof(rep->page));
	eng_design_format(d, ENG_FAM_QUEUE, rep->queue, sizeof(rep->queue));
	eng_design_format(d, ENG_FAM_PV, rep->pv, sizeof(rep->pv));
	eng_design_format(d, ENG_FAM_PVCHUNK, rep->pvchunk,
	    sizeof(rep->pvchunk));
	eng_design_format(d, ENG_FAM_FREE, rep->free, sizeof(rep->free));
	rep->batch = d->queue == ENG_QUEUE_LOCKED ? 0 : d->batch;
	if (c->run.pace == RP_PACE_ASAP)
		snprintf(rep->pace, sizeof(rep->pace), "asap");
	else
		snprintf(rep->pace, sizeof(rep->pace), "recorded:%g",
		    c->run.pace_factor);
	rep->timing = c->timing;
	/* A simulation times every hold (engine/lock.h, "Hold"). */
	rep->hold_sample = c->sim != NULL ? 1 : c->hold_sample;
	rep->loops = c->run.loops;
	rep->phys_pages = rp_config_phys_pages(c, t);
	rep->lost = t->lost;
	rep->check_violations = -1;
	rep->mode = c->sim != NULL ? "simulate" : "replay";
	if (c->sim != NULL) {
		snprintf(rep->machine, sizeof(rep->machine), "%s",
		    c->sim->machine.name);
		rp_think_format(c->sim, rep->think, sizeof(rep->think));
		rep->seed = c->sim->seed;
	}
	if (rep->runs == 0)
		rep->runs = 1;
	if (rep->nshards == 0)
		rep->nshards = 1;
}

/*
 * Loops a run started (the one a stopped run stopped in counted): every
 * loop replays items events, warm-up and measured part together.
 */
static unsigned
session_loops(const struct rp_run_result *res, uint64_t items,
    unsigned loops)
{
	uint64_t ran;

	if (items == 0)
		return (loops);
	ran = (res->events + res->warmup_events + items - 1) / items;
	return (ran < loops ? (unsigned)ran : loops);
}

int
rp_session_run(const struct rp_trace *t, const struct rp_config *c,
    struct rp_report *rep, struct rp_run_result *res, char *err,
    size_t errlen)
{
	struct rp_run_opts o;
	struct eng_params ep;
	struct eng_stats st;
	struct rp_target tg;
	struct vm_engine *e;
	struct rp_plan plan;
	int rc;

	session_describe(t, c, rep);
	if (rp_plan_build(t, c->threads, c->partition, c->scale,
	    c->scale_mode, &plan, err, errlen) != 0)
		return (-1);
	rep->streams = plan.streams * plan.scale;
	if (c->run.warmup_events > 0 && c->run.warmup_events >= plan.items) {
		snprintf(err, errlen, "--warmup %llu: the trace has %llu events "
		    "to replay; nothing would be measured",
		    (unsigned long long)c->run.warmup_events,
		    (unsigned long long)plan.items);
		rp_plan_free(&plan);
		return (-1);
	}
	memset(&ep, 0, sizeof(ep));
	ep.design = c->design;
	ep.nslots = c->threads;
	ep.nobjects = plan.nobjects;
	ep.npmaps = plan.npmaps;
	ep.phys_pages = rep->phys_pages;
	ep.timing = c->timing;
	ep.hold_sample = rep->hold_sample;
	/* The daemon's thread would take the real locks beside the virtual
	 * CPUs: not simulated (docs/simulate.md). */
	ep.pagedaemon = c->sim == NULL;
	if ((e = eng_create(&ep, err, errlen)) == NULL) {
		rp_plan_free(&plan);
		return (-1);
	}
	session_object_types(t, &plan, e);
	session_prime(t, c, &plan, e, rep);
	tg.ctx = e;
	tg.cpu = target_cpu;
	tg.apply = target_apply;
	tg.reset = target_reset;
	o = c->run;
	o.decoders = session_decoders(c);
	o.cpus = c->cpus != NULL ? c->cpus->cpu : NULL;
	o.ncpus = c->cpus != NULL ? c->cpus->n : 0;
	if (c->sim != NULL)
		rc = rp_sim_run(t, &plan, &tg, &o, c->sim, res,
		    &c->sim->counts, err, errlen);
	else
		rc = rp_run(t, &plan, &tg, &o, res, err, errlen);
	if (rc == 0 && res->events == 0 && res->warmup_events > 0 &&
	    !res->interrupted && !res->stopped) {
		snprintf(err, errlen, "--warmup: the warm-up replayed all %llu "
		    "events; nothing was measured (shorten it)",
		    (unsigned long long)res->warmup_events);
		rp_run_result_free(res);
		rc = -1;
	}
	if (rc == 0) {
		rep->loops = session_loops(res, plan.items, c->run.loops);
		eng_quiesce(e);
		if (c->check)
			rep->check_violations = (int64_t)eng_check(e, stderr);
		eng_stats_collect(e, &st);
		session_locks(&st, rep);
		session_counters_sites(e, &st, rep);
		rep->run = res;
	}
	eng_destroy(e);
	rp_plan_free(&plan);
	return (rc);
}
