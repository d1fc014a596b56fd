/*
 * test_core.c - the replay core without the engine: CPU lists, id maps,
 * id remapping, stream partitioning and balance, scaling (replayed once on
 * a recording target), and the CSV schema against docs/csv.md.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>
#include <unistd.h>

#include "commands.h"

#include "cpulist.h"
#include "idmap.h"
#include "plan.h"
#include "recorder.h"
#include "report.h"

static void
test_cpulist_parse(void **state)
{
	struct rp_cpulist l;
	char err[256], buf[128];

	(void)state;
	assert_int_equal(rp_cpulist_parse("0-3,8,10-11", &l, err,
	    sizeof(err)), 0);
	assert_int_equal(l.n, 7);
	assert_int_equal(l.cpu[0], 0);
	assert_int_equal(l.cpu[4], 8);
	assert_int_equal(l.cpu[6], 11);
	assert_string_equal(rp_cpulist_format(&l, buf, sizeof(buf)),
	    "0-3,8,10-11");
	assert_true(rp_cpulist_has(&l, 10));
	assert_false(rp_cpulist_has(&l, 9));
	rp_cpulist_free(&l);

	assert_int_equal(rp_cpulist_parse("5,1", &l, err, sizeof(err)), 0);
	assert_int_equal(l.cpu[0], 5);		/* order kept */
	rp_cpulist_free(&l);
}

static void
test_cpulist_errors(void **state)
{
	static const char *const bad[] = { "", ",", "1,", "a", "3-1", "1-",
	    "-1", "1,,2", "0-3,2", "4096", "1 2" };
	struct rp_cpulist l;
	char err[256];
	size_t i;

	(void)state;
	for (i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		err[0] = '\0';
		assert_int_equal(rp_cpulist_parse(bad[i], &l, err,
		    sizeof(err)), -1);
		assert_true(strlen(err) > 0);
		assert_null(strchr(err, '\n'));
		assert_null(l.cpu);
	}
	assert_int_equal(rp_cpulist_online(&l, err, sizeof(err)), 0);
	assert_true(l.n >= 1);
	rp_cpulist_free(&l);
}

/* rp_idmap_foreach(): each (id, index) once; seen[] counts the visits. */
static void
idmap_visit(void *arg, uint64_t id, uint32_t index)
{
	unsigned *seen = arg;

	assert_int_equal(id, (uint64_t)index * 0x10001ULL << 12);
	seen[index]++;
}

static void
test_idmap(void **state)
{
	static unsigned seen[10000];
	struct rp_idmap m;
	uint64_t i;

	(void)state;
	rp_idmap_init(&m);
	for (i = 0; i < 10000; i++)
		assert_int_equal(rp_idmap_get(&m, i * 0x10001ULL << 12), i);
	for (i = 0; i < 10000; i++)
		assert_int_equal(rp_idmap_get(&m, i * 0x10001ULL << 12), i);
	assert_int_equal(m.n, 10000);
	rp_idmap_foreach(&m, idmap_visit, seen);
	for (i = 0; i < 10000; i++)
		assert_int_equal(seen[i], 1);
	rp_idmap_free(&m);
}

static size_t
len_equal(unsigned s)
{
	(void)s;
	return (100);
}

static size_t
len_skewed(unsigned s)
{
	return (10 + 37 * (size_t)(s % 7) + (s == 3 ? 500 : 0));
}

/* Ids become dense slots, in order of first appearance, frame by frame. */
static void
test_remap(void **state)
{
	struct pr_event *ev;
	struct rp_trace t;
	size_t i, k, n, cap, total;

	(void)state;
	rec_trace(&t, 8, 5, len_equal);
	assert_int_equal(t.nobjects, 5);
	assert_int_equal(t.npmaps, 3);
	assert_int_equal(t.nframes, (800 + RP_MEM_FRAME - 1) / RP_MEM_FRAME);
	total = 0;
	ev = NULL;
	cap = 0;
	for (i = 0; i < t.nframes; i++) {
		assert_int_equal(rp_trace_frame(&t, i, &ev, &cap, &n), 0);
		for (k = 0; k < n; k++) {
			assert_true(ev[k].obj < 5);
			if (ev[k].kind == PR_MAP)
				assert_true(ev[k].pmap < 3);
		}
		if (i == 0)	/* object 1000 seen first */
			assert_int_equal(ev[0].obj, 0);
		total += n;
	}
	free(ev);
	assert_int_equal(total, t.nev);
	rp_trace_free(&t);
}

/* Stream ids of 64 000 events in 16 frames: the scan's maps merge in order. */
static void
test_scan_frames(void **state)
{
	struct pr_event *ev;
	struct rp_trace t;
	char err[256];
	size_t i, n = 16 * RP_MEM_FRAME;

	(void)state;
	ev = calloc(n, sizeof(*ev));
	for (i = 0; i < n; i++) {
		ev[i].kind = PR_WIRE;
		ev[i].obj = 5000 - i / 1000;	/* a new object every 1000 */
		ev[i].tid = (uint32_t)(i % 3);
		ev[i].cpu = (uint32_t)(i / RP_MEM_FRAME);
	}
	assert_int_equal(rp_trace_adopt(ev, n, &t, err, sizeof(err)), 0);
	assert_int_equal(t.nframes, 16);
	assert_int_equal(t.nobjects, (n + 999) / 1000);
	assert_int_equal(rp_idmap_find(&t.objs, 5000), 0);
	assert_int_equal(rp_idmap_find(&t.objs, 5001), -1);
	assert_int_equal(rp_idmap_find(&t.objs, 5000 - 40), 40);
	assert_int_equal(t.obj_events[40], 1000);
	assert_int_equal(t.tids.n, 3);
	assert_int_equal(t.cpus.n, 16);
	assert_int_equal(t.cpu_events[15], RP_MEM_FRAME);
	assert_int_equal(t.frame_first[3], 3 * RP_MEM_FRAME);
	assert_int_equal(t.frame_max, RP_MEM_FRAME);
	rp_trace_free(&t);
}

/* One event of a priming test trace. */
static struct pr_event
pev(uint8_t kind, uint64_t obj, uint64_t pindex, uint32_t npages)
{
	struct pr_event e;

	memset(&e, 0, sizeof(e));
	e.kind = kind;
	e.obj = obj;
	e.pindex = pindex;
	e.npages = npages;
	return (e);
}

/* Priming events as the target saw them, for test_prime. */
struct prime_log {
	struct pr_event	 ev[64];
	size_t		 n;
};

static int
prime_log_apply(void *cpu, const struct pr_event *ev)
{
	struct prime_log *l = cpu;

	assert_true(l->n < 64);
	l->ev[l->n++] = *ev;
	return (ev->kind == PR_OBJ_CREATE);	/* "skipped" */
}

/*
 * Each page's first event decides what it assumed (prime.h): the loader's
 * pass finds them, remaps them with the trace, and applying them per
 * replica offsets the objects.
 */
static void
test_prime(void **state)
{
	const uint64_t anon = PR_OBJ_ANON | 7, f = 500, g = 600;
	struct pr_event *ev;
	struct prime_log log;
	struct rp_trace t;
	char err[256];
	size_t n = 0;

	(void)state;
	ev = calloc(32, sizeof(*ev));
	ev[n++] = pev(PR_OBJ_CREATE, f, 0, 0);
	ev[n++] = pev(PR_PAGE_INSERT, f, 0, 2);		/* made: 0, 1 */
	ev[n++] = pev(PR_PAGE_REMOVE, f, 1, 3);		/* 2, 3 inactive */
	ev[n++] = pev(PR_DEACTIVATE, f, 4, 1);		/* 4 active */
	ev[n++] = pev(PR_UNWIRE, f, 5, 1);		/* 5 wired */
	ev[n++] = pev(PR_MAP, anon, 40, 1);		/* faulted in */
	ev[n++] = pev(PR_ACTIVATE, anon, 40, 1);
	ev[n++] = pev(PR_MAP, g, 9, 1);			/* inserted next */
	ev[n++] = pev(PR_PAGE_INSERT, g, 9, 1);
	ev[n++] = pev(PR_PAGE_LOOKUP, g, 10, 2);	/* cached: 10, 11 */
	ev[n++] = pev(PR_ACTIVATE, g, 10, 1);
	ev[n++] = pev(PR_RELEASE, g, 20, 8);		/* an advice only */
	ev[n++] = pev(PR_DEACTIVATE, g, 20, 8);		/* noreuse: also */
	ev[n - 1].flags = PR_F_HEAD;
	ev[n++] = pev(PR_REQUEUE, g, 20, 1);		/* 20 inactive */
	assert_int_equal(rp_trace_adopt(ev, n, &t, err, sizeof(err)), 0);
	/* Slots: f 0, anon 1, g 2.  g was never created: primed. */
	assert_int_equal(t.prime.cnt.objects, 2);	/* anon, g */
	assert_int_equal(t.prime.cnt.pages, 7);
	assert_int_equal(t.prime.cnt.inactive, 5);
	assert_int_equal(t.prime.cnt.active, 1);
	assert_int_equal(t.prime.cnt.wired, 1);
	memset(&log, 0, sizeof(log));
	assert_int_equal(rp_prime_apply(&t.prime, 2, 10, prime_log_apply,
	    &log), 4);
	assert_int_equal(log.n, 2 * 8);
	/* Objects first, then runs by object and pindex (trace ids). */
	assert_int_equal(log.ev[0].kind, PR_OBJ_CREATE);
	assert_int_equal(log.ev[0].obj, 2);		/* g: 600 */
	assert_int_equal(log.ev[1].obj, 1);		/* anon: 2^63 | 7 */
	assert_int_equal(log.ev[2].kind, PR_PAGE_INSERT);	/* f 2-3 */
	assert_int_equal(log.ev[2].obj, 0);
	assert_int_equal(log.ev[2].pindex, 2);
	assert_int_equal(log.ev[2].npages, 2);
	assert_int_equal(log.ev[3].kind, PR_PAGE_INSERT);	/* f 4 */
	assert_int_equal(log.ev[3].pindex, 4);
	assert_int_equal(log.ev[4].kind, PR_ACTIVATE);
	assert_int_equal(log.ev[4].pindex, 4);
	assert_int_equal(log.ev[5].kind, PR_WIRE);		/* f 5 */
	assert_int_equal(log.ev[5].pindex, 5);
	assert_int_equal(log.ev[6].kind, PR_PAGE_INSERT);	/* g 10-11 */
	assert_int_equal(log.ev[6].obj, 2);
	assert_int_equal(log.ev[6].pindex, 10);
	assert_int_equal(log.ev[6].npages, 2);
	assert_int_equal(log.ev[7].pindex, 20);			/* g 20 */
	assert_int_equal(log.ev[7].npages, 1);
	/* Replica 1: the same on objects 10 further. */
	assert_int_equal(log.ev[8].obj, 12);
	assert_int_equal(log.ev[9].obj, 11);
	assert_int_equal(log.ev[15].obj, 12);
	assert_int_equal(log.ev[15].pindex, 20);
	rp_trace_free(&t);
}

/*
 * One event of 2^32 - 1 pages (a clipped HTTP body: a sendfile of 2^44
 * bytes, a lookup of UINT32_MAX pages) is one run of the pass, however
 * long: the trace loads at once, in a few runs, and is primed exactly.
 */
static void
test_prime_long_range(void **state)
{
	struct pr_event *ev;
	struct rp_prime p;
	struct rp_trace t;
	char err[256];
	size_t n = 0;

	(void)state;
	ev = calloc(8, sizeof(*ev));
	ev[n++] = pev(PR_SENDFILE, 9, 0, UINT32_MAX);	/* made */
	ev[n++] = pev(PR_PAGE_REMOVE, 9, UINT32_MAX - 1, 2); /* 1 primed */
	ev[n++] = pev(PR_PAGE_LOOKUP, 10, 0, UINT32_MAX);	/* all primed */
	ev[n++] = pev(PR_SENDFILE, 11, 0, 0);		/* 2^32 made */
	ev[n - 1].arg = (uint64_t)1 << 44;
	ev[n++] = pev(PR_PAGE_REMOVE, 11, (uint64_t)1 << 32, 1); /* primed */
	ev[n++] = pev(PR_REQUEUE, 11, 5, 1);		/* made: nothing */
	rp_prime_init(&p);
	for (size_t i = 0; i < n; i++)
		assert_int_equal(rp_prime_event(&p, &ev[i]), 0);
	assert_true(p.runs_max <= 6);
	rp_prime_free(&p);
	assert_int_equal(rp_trace_adopt(ev, n, &t, err, sizeof(err)), 0);
	assert_int_equal(t.prime.cnt.objects, 3);
	assert_int_equal(t.prime.cnt.pages, 2 + (uint64_t)UINT32_MAX);
	assert_int_equal(t.prime.cnt.inactive, 2 + (uint64_t)UINT32_MAX);
	assert_int_equal(t.prime.nev, 3 + 3);
	assert_int_equal(t.prime.ev[3].kind, PR_PAGE_INSERT);	/* 9 */
	assert_int_equal(t.prime.ev[3].pindex, UINT32_MAX);
	assert_int_equal(t.prime.ev[3].npages, 1);
	assert_int_equal(t.prime.ev[4].pindex, 0);		/* 10 */
	assert_int_equal(t.prime.ev[4].npages, UINT32_MAX);
	assert_int_equal(t.prime.ev[5].pindex, (uint64_t)1 << 32); /* 11 */
	rp_trace_free(&t);
}

/*
 * The pass split by position and merged (the scan's threads) decides
 * what one pass in file order decides, and that is what each page's
 * events decide one by one (prime.h's table, written out here for a
 * small space of objects and pages): random traces of overlapping ranges.
 */
#define TP_OBJS		4
#define TP_PAGES	48

/* prime.h's table on one page: 0 untouched, then as prime.c's states. */
static uint8_t
tp_page(uint8_t s, const struct pr_event *ev)
{
	enum { SEEN = 1, PENDING, INACTIVE, ACTIVE, WIRED };

	if (s == 0) {
		switch (ev->kind) {
		case PR_PAGE_LOOKUP:
			return (PENDING);
		case PR_MAP:
			return ((ev->obj & PR_OBJ_ANON) != 0 ? SEEN : PENDING);
		case PR_DEACTIVATE:
			return (ACTIVE);
		case PR_UNWIRE:
			return (WIRED);
		case PR_PAGE_INSERT:
		case PR_WIRE:
		case PR_SENDFILE:
			return (SEEN);
		default:
			return (INACTIVE);
		}
	}
	if (s != PENDING || ev->kind == PR_PAGE_LOOKUP || ev->kind == PR_MAP)
		return (s);
	return (ev->kind == PR_PAGE_INSERT ? SEEN : INACTIVE);
}

static void
test_prime_merge(void **state)
{
	static const uint8_t kinds[] = { PR_OBJ_CREATE, PR_PAGE_INSERT,
	    PR_PAGE_LOOKUP, PR_PAGE_REMOVE, PR_WIRE, PR_UNWIRE, PR_RELEASE,
	    PR_ACTIVATE, PR_DEACTIVATE, PR_REQUEUE, PR_MAP, PR_SENDFILE };
	enum { NEV = 400, NFRAME = 16 };
	uint8_t page[TP_OBJS][TP_PAGES], obj[TP_OBJS];
	struct rp_prime one, part[2];
	struct rp_prime_counts want;
	struct pr_event ev[NEV], *e;
	unsigned seed, i, o, k;

	(void)state;
	for (seed = 1; seed <= 200; seed++) {
		srand(seed);
		memset(page, 0, sizeof(page));
		memset(obj, 0, sizeof(obj));
		memset(&want, 0, sizeof(want));
		for (i = 0; i < NEV; i++) {
			o = (unsigned)rand() % TP_OBJS;
			ev[i] = pev(kinds[rand() % (int)sizeof(kinds)],
			    (o == 3 ? PR_OBJ_ANON : 0) | (100 + o),
			    (unsigned)rand() % (TP_PAGES - 8),
			    (uint32_t)(rand() % 4 == 0 ? 0 : rand() % 8 + 1));
			e = &ev[i];
			if (e->kind == PR_DEACTIVATE && rand() % 4 == 0)
				e->flags = PR_F_HEAD;
			if (e->kind == PR_RELEASE ||
			    (e->flags & PR_F_HEAD) != 0)
				continue;
			if (obj[o] == 0)
				obj[o] = e->kind == PR_OBJ_CREATE ? 1 : 2;
			if (e->kind == PR_OBJ_CREATE)
				continue;
			for (k = 0; k < (e->npages != 0 ? e->npages : 1); k++)
				page[o][e->pindex + k] = tp_page(
				    page[o][e->pindex + k], e);
		}
		for (o = 0; o < TP_OBJS; o++) {
			want.objects += obj[o] == 2;
			for (k = 0; k < TP_PAGES; k++) {
				want.pages += page[o][k] >= 2;
				want.inactive += page[o][k] == 2 ||
				    page[o][k] == 3;
				want.active += page[o][k] == 4;
				want.wired += page[o][k] == 5;
			}
		}
		/* One pass, and two taking alternate frames, in order. */
		rp_prime_init(&one);
		rp_prime_init(&part[0]);
		rp_prime_init(&part[1]);
		for (i = 0; i < NEV; i++) {
			k = i * NFRAME / NEV;
			one.pos = k;
			part[k % 2].pos = k;
			assert_int_equal(rp_prime_event(&one, &ev[i]), 0);
			assert_int_equal(rp_prime_event(&part[k % 2], &ev[i]),
			    0);
		}
		assert_int_equal(rp_prime_merge(&part[1], &part[0]), 0);
		assert_int_equal(rp_prime_finish(&one), 0);
		assert_int_equal(rp_prime_finish(&part[1]), 0);
		assert_memory_equal(&one.cnt, &want, sizeof(want));
		assert_int_equal(part[1].nev, one.nev);
		assert_memory_equal(part[1].ev, one.ev, one.nev *
		    sizeof(*one.ev));
		assert_memory_equal(&part[1].cnt, &want, sizeof(want));
		rp_prime_free(&one);
		rp_prime_free(&part[1]);
	}
}

/*
 * Replayed once: every stream replica is given to exactly one worker and
 * replayed in order (a worker holding m replicas of a stream replays each
 * event m times in a row), and the workers' loads differ by no more than
 * the largest stream.
 */
static void
check_plan(const struct rp_trace *t, const struct rp_plan *p,
    unsigned nstreams, size_t (*len)(unsigned))
{
	struct recorder rec;
	struct rp_target tg;
	size_t i, total, maxlen, lo, hi, *seen, m;
	unsigned w, s, r, *mine;

	assert_int_equal(rec_replay(t, p, &rec, &tg), 0);
	seen = calloc(nstreams, sizeof(*seen));
	mine = calloc(nstreams, sizeof(*mine));
	total = 0;
	lo = SIZE_MAX;
	hi = 0;
	for (s = 0; s < nstreams; s++)
		for (r = 0; r < p->scale; r++)
			assert_true(p->owner[s * p->scale + r] < p->nworkers);
	for (w = 0; w < p->nworkers; w++) {
		memset(seen, 0, nstreams * sizeof(*seen));
		for (s = 0; s < nstreams; s++)
			for (r = mine[s] = 0; r < p->scale; r++)
				mine[s] += p->owner[s * p->scale + r] == w;
		for (i = 0; i < rec.w[w].n; i++) {
			const struct rec_entry *e = &rec.w[w].e[i];

			assert_true(e->tid < nstreams);
			assert_true(mine[e->tid] > 0);
			assert_int_equal(e->pindex,
			    seen[e->tid]++ / mine[e->tid]);
		}
		for (s = 0; s < nstreams; s++)
			assert_int_equal(seen[s], mine[s] * len(s));
		assert_int_equal(rec.w[w].n, p->w[w].n);
		total += p->w[w].n;
		if (p->w[w].n < lo)
			lo = p->w[w].n;
		if (p->w[w].n > hi)
			hi = p->w[w].n;
	}
	maxlen = 0;
	for (s = 0; s < nstreams; s++)
		if (len(s) > maxlen)
			maxlen = len(s);
	m = t->nev * p->scale;
	assert_int_equal(total, m);
	assert_int_equal(total, p->items);
	assert_true(hi - lo <= maxlen);
	free(seen);
	free(mine);
	rec_free(&rec);
}

static void
test_partition_order(void **state)
{
	struct rp_trace t;
	struct rp_plan p;
	char err[256];
	unsigned w;

	(void)state;
	rec_trace(&t, 13, 4, len_skewed);
	for (w = 1; w <= 5; w++) {
		assert_int_equal(rp_plan_build(&t, w, RP_PART_TID, 1,
		    RP_SCALE_DISJOINT, &p, err, sizeof(err)), 0);
		assert_int_equal(p.streams, 13);
		check_plan(&t, &p, 13, len_skewed);
		rp_plan_free(&p);
	}
	assert_int_equal(rp_plan_build(&t, 3, RP_PART_TID, 4,
	    RP_SCALE_SHARED, &p, err, sizeof(err)), 0);
	check_plan(&t, &p, 13, len_skewed);
	rp_plan_free(&p);
	rp_trace_free(&t);
}

/* Equal streams spread exactly evenly. */
static void
test_partition_even(void **state)
{
	struct rp_trace t;
	struct rp_plan p;
	char err[256];
	unsigned w;

	(void)state;
	rec_trace(&t, 12, 3, len_equal);
	assert_int_equal(rp_plan_build(&t, 4, RP_PART_TID, 1,
	    RP_SCALE_DISJOINT, &p, err, sizeof(err)), 0);
	for (w = 0; w < 4; w++) {
		assert_int_equal(p.w[w].n, 300);
		assert_int_equal(p.w[w].streams, 3);
	}
	rp_plan_free(&p);
	/* By CPU: 4 recorded CPUs make 4 streams. */
	assert_int_equal(rp_plan_build(&t, 2, RP_PART_CPU, 1,
	    RP_SCALE_DISJOINT, &p, err, sizeof(err)), 0);
	assert_int_equal(p.streams, 4);
	rp_plan_free(&p);
	/* By object: 3 objects (maps carry an object too). */
	assert_int_equal(rp_plan_build(&t, 2, RP_PART_OBJECT, 1,
	    RP_SCALE_DISJOINT, &p, err, sizeof(err)), 0);
	assert_int_equal(p.streams, 3);
	rp_plan_free(&p);
	rp_trace_free(&t);
}

/* Distinct object and pmap slots the plan's events touch when replayed. */
static void
touched(const struct rp_trace *t, const struct rp_plan *p, uint64_t *nobj,
    uint64_t *npmap)
{
	const struct rec_entry *e;
	struct recorder rec;
	struct rp_target tg;
	unsigned char *o, *m;
	unsigned w;
	size_t i;

	assert_int_equal(rec_replay(t, p, &rec, &tg), 0);
	o = calloc(p->nobjects, 1);
	m = calloc(p->npmaps, 1);
	*nobj = *npmap = 0;
	for (w = 0; w < p->nworkers; w++) {
		for (i = 0; i < rec.w[w].n; i++) {
			e = &rec.w[w].e[i];
			assert_true(e->obj < p->nobjects);
			*nobj += !o[e->obj];
			o[e->obj] = 1;
			if (e->kind == PR_MAP) {
				assert_true(e->pmap < p->npmaps);
				*npmap += !m[e->pmap];
				m[e->pmap] = 1;
			}
		}
	}
	free(o);
	free(m);
	rec_free(&rec);
}

static void
test_scale(void **state)
{
	struct rp_trace t;
	struct rp_plan p;
	uint64_t no, nm;
	char err[256];

	(void)state;
	rec_trace(&t, 6, 5, len_equal);
	assert_int_equal(rp_plan_build(&t, 3, RP_PART_TID, 4,
	    RP_SCALE_DISJOINT, &p, err, sizeof(err)), 0);
	assert_int_equal(p.nobjects, 20);
	touched(&t, &p, &no, &nm);
	assert_int_equal(no, 4 * 5);
	assert_int_equal(nm, 4 * 3);
	assert_int_equal(p.items, 4 * 600);
	rp_plan_free(&p);
	assert_int_equal(rp_plan_build(&t, 3, RP_PART_TID, 4,
	    RP_SCALE_SHARED, &p, err, sizeof(err)), 0);
	assert_int_equal(p.nobjects, 5);
	touched(&t, &p, &no, &nm);
	assert_int_equal(no, 5);
	assert_int_equal(nm, 3);
	rp_plan_free(&p);
	rp_trace_free(&t);
}

/* Lost-event records are counted, not replayed. */
static void
test_lost(void **state)
{
	struct pr_event *ev;
	struct rp_trace t;
	struct rp_plan p;
	char err[256];

	(void)state;
	ev = calloc(3, sizeof(*ev));
	ev[0].kind = PR_PAGE_LOOKUP;
	ev[1].kind = PR_LOST;
	ev[1].arg = 42;
	ev[2].kind = PR_WIRE;
	assert_int_equal(rp_trace_adopt(ev, 3, &t, err, sizeof(err)), 0);
	assert_int_equal(t.lost, 42);
	assert_int_equal(rp_plan_build(&t, 2, RP_PART_TID, 1,
	    RP_SCALE_DISJOINT, &p, err, sizeof(err)), 0);
	assert_int_equal(p.items, 2);
	assert_int_equal(p.dropped, 1);
	rp_plan_free(&p);
	rp_trace_free(&t);
	assert_int_equal(rp_plan_build(&t, 0, RP_PART_TID, 1,
	    RP_SCALE_DISJOINT, &p, err, sizeof(err)), -1);
}

/*
 * The resident footprint (--phys-mem Fx): the peak of pages resident at
 * once, counting grabs once per page, page_remove and obj_terminate.
 */
static void
test_trace_pages(void **state)
{
	static const struct { uint8_t kind; uint64_t obj, pindex;
	    uint32_t npages; } in[] = {
		{ PR_PAGE_INSERT, 7, 0, 10 },	/* obj 7: 10 */
		{ PR_PAGE_LOOKUP, 7, 5, 10 },	/* 5 more: 15 */
		{ PR_MAP, 9, 0, 4 },		/* obj 9: 4, 19 in all */
		{ PR_PAGE_REMOVE, 7, 0, 8 },	/* 11 */
		{ PR_OBJ_TERMINATE, 7, 0, 0 },	/* 4 */
		{ PR_WIRE, 7, 8, 2 },		/* a new incarnation: 6 */
		{ PR_PAGE_INSERT, 9, 4, 10 },	/* 16 */
		{ PR_ACTIVATE, 9, 100, 50 },	/* primed: 50 from the start */
	};
	const size_t n = sizeof(in) / sizeof(in[0]);
	struct pr_event *ev;
	struct rp_trace t;
	char err[256];
	size_t i;

	(void)state;
	ev = calloc(n, sizeof(*ev));
	assert_non_null(ev);
	for (i = 0; i < n; i++) {
		ev[i].kind = in[i].kind;
		ev[i].obj = in[i].obj;
		ev[i].pindex = in[i].pindex;
		ev[i].npages = in[i].npages;
	}
	assert_int_equal(rp_trace_adopt(ev, n, &t, err, sizeof(err)), 0);
	/* 19 at the peak, with the 50 primed pages resident all along */
	assert_int_equal(rp_trace_pages(&t), 69);
	rp_trace_free(&t);
}

/* The column table equals the table in docs/csv.md, in order. */
static void
test_csv_schema(void **state)
{
	const char *path;
	char line[1024], *a, *b;
	unsigned n;
	FILE *f;

	(void)state;
	path = getenv("PR_DOCS_CSV");
	assert_non_null(path);
	f = fopen(path, "r");
	assert_non_null(f);
	n = 0;
	while (fgets(line, sizeof(line), f) != NULL) {
		if (strncmp(line, "| `", 3) != 0)
			continue;
		a = line + 3;
		b = strchr(a, '`');
		assert_non_null(b);
		*b = '\0';
		assert_true(n < rp_ncolumns);
		assert_string_equal(a, rp_columns[n].name);
		/* "integer"/"number" columns are JSON numbers. */
		assert_int_equal(rp_columns[n].numeric,
		    strstr(b + 1, "| string |") == NULL);
		n++;
	}
	fclose(f);
	assert_int_equal(n, rp_ncolumns);
}

/*
 * info shows how long the recording lasted (header start to the
 * recorder's record.end_ns note), not only the span of its events: a
 * 10 s recording of a quiet system has events over 3.79 s.
 */
static void
test_info_recorded(void **state)
{
	char path[] = "/tmp/pr_info_XXXXXX", out[] = "/tmp/pr_out_XXXXXX";
	char *argv[] = { "info", "--json", path, NULL };
	struct pr_header h;
	struct pr_writer *w;
	struct pr_event ev;
	char buf[8192];
	int fd, ofd, saved, e;
	ssize_t n;

	(void)state;
	fd = mkstemp(path);
	assert_true(fd >= 0);
	close(fd);
	pr_header_init(&h, PR_SRC_EBPF);
	w = pr_writer_create(path, &h, &e);
	assert_non_null(w);
	memset(&ev, 0, sizeof(ev));
	ev.kind = PR_PAGE_LOOKUP;
	ev.npages = 1;
	ev.time_ns = 1000000000u;
	assert_int_equal(pr_writer_write(w, &ev), 0);
	ev.time_ns += 3790000000u;
	assert_int_equal(pr_writer_write(w, &ev), 0);
	assert_int_equal(pr_writer_note(w, "record.end_ns",
	    h.start_ns + 10000000000u), 0);
	assert_int_equal(pr_writer_close(w), 0);

	ofd = mkstemp(out);
	assert_true(ofd >= 0);
	fflush(stdout);
	saved = dup(STDOUT_FILENO);
	dup2(ofd, STDOUT_FILENO);
	e = cmd_info(3, argv);
	fflush(stdout);
	dup2(saved, STDOUT_FILENO);
	close(saved);
	assert_int_equal(e, 0);
	n = pread(ofd, buf, sizeof(buf) - 1, 0);
	close(ofd);
	unlink(out);
	unlink(path);
	assert_true(n > 0);
	buf[n] = '\0';
	assert_non_null(strstr(buf, "\"recorded_ns\": 10000000000,"));
	assert_non_null(strstr(buf, "\"duration_ns\": 3790000000,"));
}

/*
 * An eBPF trace for rule F's inference (docs/capture.md): two frames,
 * threads 1 to 3.  Fault-around's lookups are frame 0's events 1 (its map
 * is the thread's next event, after thread 2's) and 7 (its map is thread
 * 2's first event of frame 1); 2 (a read: the thread's next event maps
 * other pages), 5 (the map is for writing), 8 (the map has other pages)
 * and frame 1's 2 (the trace's last event) are not.  With note, the
 * recorder's ebpf.fault_around_flag; with flagged, event 2 flagged as the
 * recorder would have flagged it.
 */
static void
write_fa_trace(const char *path, uint8_t source, bool note, bool flagged)
{
	static const struct {
		uint32_t tid;
		uint8_t kind, flags;
		uint64_t obj, pindex;
		uint32_t npages;
	} evs[] = {
		{ 1, PR_MAP, 0, 0x100, 5, 1 },
		{ 1, PR_PAGE_LOOKUP, 0, 0x100, 0, 16 },
		{ 2, PR_PAGE_LOOKUP, 0, 0x100, 100, 4 },
		{ 1, PR_MAP, 0, 0x100, 0, 16 },
		{ 2, PR_MAP, 0, 0x100, 200, 1 },
		{ 1, PR_PAGE_LOOKUP, 0, 0x100, 16, 16 },
		{ 1, PR_MAP, PR_F_WRITE, 0x100, 16, 16 },
		{ 2, PR_PAGE_LOOKUP, 0, 0x200, 0, 8 },
		{ 1, PR_PAGE_LOOKUP, 0, 0x200, 32, 8 },
		{ 1, PR_MAP, 0, 0x200, 32, 4 },		/* frame 1 */
		{ 2, PR_MAP, 0, 0x200, 0, 8 },
		{ 3, PR_PAGE_LOOKUP, 0, 0x100, 50, 2 },
	};
	struct pr_header h;
	struct pr_writer *w;
	struct pr_event ev;
	size_t i;
	int e;

	pr_header_init(&h, source);
	w = pr_writer_create(path, &h, &e);
	assert_non_null(w);
	for (i = 0; i < sizeof(evs) / sizeof(evs[0]); i++) {
		memset(&ev, 0, sizeof(ev));
		ev.time_ns = 1000 * i;
		ev.tid = evs[i].tid;
		ev.kind = evs[i].kind;
		ev.flags = evs[i].flags;
		ev.obj = evs[i].obj;
		ev.pindex = evs[i].pindex;
		ev.npages = evs[i].npages;
		if (ev.kind == PR_MAP) {
			ev.pmap = 1;
			ev.addr = 0x10000000 + (ev.pindex << 12);
		}
		if (flagged && i == 2)
			ev.flags = PR_F_FAULT_AROUND;
		assert_int_equal(pr_writer_write(w, &ev), 0);
		if (i == 8)
			assert_int_equal(pr_writer_flush(w), 0);
	}
	if (note)
		assert_int_equal(pr_writer_note(w, "ebpf.fault_around_flag",
		    1), 0);
	assert_int_equal(pr_writer_close(w), 0);
}

/*
 * The loader infers PR_F_FAULT_AROUND on an eBPF trace recorded before the
 * flag (rule F), within a frame and across frames, and on no other: one
 * with the recorder's note, one with a flagged lookup, a synthetic one.
 */
static void
test_fault_around_inferred(void **state)
{
	static const struct {
		uint8_t source;
		bool note, flagged;
		uint64_t inferred;
	} cases[] = {
		{ PR_SRC_EBPF, false, false, 2 },
		{ PR_SRC_EBPF, true, false, 0 },
		{ PR_SRC_EBPF, false, true, 0 },
		{ PR_SRC_SYNTH, false, false, 0 },
	};
	const uint8_t want[2][9] = {
		{ 0, 1, 0, 0, 0, 0, 0, 1, 0 },
		{ 0, 0, 0 },
	};
	char path[] = "/tmp/pr_fa_XXXXXX", err[256];
	struct pr_event *ev = NULL;
	struct rp_trace t;
	size_t c, i, k, n, cap = 0;
	bool fa;
	int fd;

	(void)state;
	fd = mkstemp(path);
	assert_true(fd >= 0);
	close(fd);
	for (c = 0; c < sizeof(cases) / sizeof(cases[0]); c++) {
		write_fa_trace(path, cases[c].source, cases[c].note,
		    cases[c].flagged);
		assert_int_equal(rp_trace_load(path, 2, &t, err, sizeof(err)),
		    0);
		assert_int_equal(t.nframes, 2);
		assert_int_equal(t.fa_inferred, cases[c].inferred);
		for (i = 0; i < 2; i++) {
			assert_int_equal(rp_trace_frame(&t, i, &ev, &cap, &n),
			    0);
			assert_int_equal(n, i == 0 ? 9 : 3);
			for (k = 0; k < n; k++) {
				fa = (ev[k].flags & PR_F_FAULT_AROUND) != 0;
				if (cases[c].flagged && i == 0 && k == 2)
					assert_true(fa);
				else
					assert_int_equal(fa, cases[c].inferred ?
					    want[i][k] : 0);
			}
		}
		rp_trace_free(&t);
	}
	free(ev);
	unlink(path);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_cpulist_parse),
		cmocka_unit_test(test_cpulist_errors),
		cmocka_unit_test(test_idmap),
		cmocka_unit_test(test_remap),
		cmocka_unit_test(test_prime),
		cmocka_unit_test(test_prime_long_range),
		cmocka_unit_test(test_prime_merge),
		cmocka_unit_test(test_scan_frames),
		cmocka_unit_test(test_partition_order),
		cmocka_unit_test(test_partition_even),
		cmocka_unit_test(test_scale),
		cmocka_unit_test(test_lost),
		cmocka_unit_test(test_trace_pages),
		cmocka_unit_test(test_csv_schema),
		cmocka_unit_test(test_info_recorded),
		cmocka_unit_test(test_fault_around_inferred),
	};

	return (cmocka_run_group_tests(tests, NULL, NULL));
}
