/*
 * load.c - decode a trace into memory in parallel and remap its ids (see
 * load.h).
 */
#include <errno.h>
#include <pthread.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cli.h"
#include "idmap.h"
#include "load.h"

uint64_t
rp_mem_available(void)
{
	char line[256];
	unsigned long long kb;
	FILE *f;

	f = fopen("/proc/meminfo", "r");
	if (f == NULL)
		return (0);
	kb = 0;
	while (fgets(line, sizeof(line), f) != NULL)
		if (sscanf(line, "MemAvailable: %llu kB", &kb) == 1)
			break;
	fclose(f);
	return ((uint64_t)kb * 1024);
}

/* Shared state of the decode threads. */
struct decode_job {
	struct pr_reader *r;		/* (C) safe for pr_reader_frame */
	size_t		 nframes;	/* (C) */
	atomic_size_t	 next;		/* (A) next frame to take */
	struct pr_event	**evs;		/* [frame], written by its decoder */
	size_t		*n;		/* [frame] */
	int		*err;		/* [frame] */
};

/* Decode frames until none is left. */
static void *
decode_worker(void *arg)
{
	struct decode_job *j = arg;
	size_t i;

	while ((i = atomic_fetch_add(&j->next, 1)) < j->nframes)
		j->err[i] = pr_reader_frame(j->r, i, &j->evs[i], &j->n[i]);
	return (NULL);
}

/*
 * Replace object and pmap ids by dense slots; set the trace's totals.  The
 * same pass decides what the trace assumes resident (prime.h), on the
 * trace's own ids, whose priming events are then remapped too.
 */
static int
trace_remap(struct rp_trace *t, char *err, size_t errlen)
{
	struct rp_idmap objs, pmaps;
	struct pr_event *ev;
	uint64_t last;
	int64_t s;
	size_t i;
	int rc;

	rp_idmap_init(&objs);
	rp_idmap_init(&pmaps);
	rp_prime_init(&t->prime);
	rc = 0;
	t->first_ns = t->nev > 0 ? UINT64_MAX : 0;
	last = 0;
	for (i = 0; i < t->nev; i++) {
		ev = &t->ev[i];
		if (ev->time_ns < t->first_ns)
			t->first_ns = ev->time_ns;
		if (ev->time_ns > last)
			last = ev->time_ns;
		if (ev->kind == PR_LOST)
			t->lost += ev->arg;
		if (rp_prime_event(&t->prime, ev) != 0)
			goto nomem;
		if (rp_kind_has_obj(ev->kind)) {
			if ((s = rp_idmap_get(&objs, ev->obj)) < 0)
				goto nomem;
			ev->obj = (uint64_t)s;
		}
		if (rp_kind_has_pmap(ev->kind)) {
			if ((s = rp_idmap_get(&pmaps, ev->pmap)) < 0)
				goto nomem;
			ev->pmap = (uint64_t)s;
		}
	}
	if (rp_prime_finish(&t->prime) != 0)
		goto nomem;
	for (i = 0; i < t->prime.nev; i++) {
		if ((s = rp_idmap_get(&objs, t->prime.ev[i].obj)) < 0)
			goto nomem;
		t->prime.ev[i].obj = (uint64_t)s;
	}
	t->span_ns = last - t->first_ns;
	t->nobjects = objs.n;
	t->npmaps = pmaps.n;
	goto out;
nomem:
	snprintf(err, errlen, "out of memory remapping trace ids");
	rc = -1;
out:
	rp_idmap_free(&objs);
	rp_idmap_free(&pmaps);
	return (rc);
}

/* Refuse a trace whose events need more than mem_limit bytes. */
static int
trace_fits(uint64_t nev, uint64_t mem_limit, char *err, size_t errlen)
{
	uint64_t need;

	need = nev * sizeof(struct pr_event);
	if (mem_limit == 0 || need <= mem_limit)
		return (0);
	snprintf(err, errlen,
	    "trace needs %.1f MiB in memory (%llu events x %zu bytes) but "
	    "only %.1f MiB is available", need / 1048576.0,
	    (unsigned long long)nev, sizeof(struct pr_event),
	    mem_limit / 1048576.0);
	return (-1);
}

int
rp_trace_load(const char *path, unsigned nthreads, uint64_t mem_limit,
    struct rp_trace *t, char *err, size_t errlen)
{
	struct pr_reader_status st;
	struct decode_job j;
	pthread_t *tids;
	uint64_t t0, total;
	size_t i, off;
	unsigned k, started;
	int e, rc;

	memset(t, 0, sizeof(*t));
	memset(&j, 0, sizeof(j));
	rc = -1;
	tids = NULL;
	errno = 0;
	if ((j.r = pr_reader_open(path, &e)) == NULL) {
		if (e == PR_E_IO && errno != 0)
			snprintf(err, errlen, "%s: %s", path, strerror(errno));
		else
			snprintf(err, errlen, "%s: %s", path, pr_strerror(e));
		return (-1);
	}
	t->hdr = *pr_reader_header(j.r);
	pr_reader_status(j.r, &st);
	if (trace_fits(st.events, mem_limit, err, errlen) != 0)
		goto out;
	j.nframes = pr_reader_frames(j.r);
	if (j.nframes == 0 && st.error != 0) {
		snprintf(err, errlen, "%s: %s at byte %llu", path,
		    pr_strerror(st.error),
		    (unsigned long long)st.error_offset);
		goto out;
	}
	j.evs = calloc(j.nframes + 1, sizeof(*j.evs));
	j.n = calloc(j.nframes + 1, sizeof(*j.n));
	j.err = calloc(j.nframes + 1, sizeof(*j.err));
	if (nthreads < 1)
		nthreads = 1;
	if (nthreads > j.nframes)
		nthreads = j.nframes > 0 ? (unsigned)j.nframes : 1;
	tids = calloc(nthreads, sizeof(*tids));
	if (j.evs == NULL || j.n == NULL || j.err == NULL || tids == NULL) {
		snprintf(err, errlen, "out of memory");
		goto out;
	}
	t->decode_threads = nthreads;
	t0 = cli_now_ns();
	for (started = 0; started < nthreads; started++)
		if (pthread_create(&tids[started], NULL, decode_worker,
		    &j) != 0)
			break;
	if (started == 0)
		decode_worker(&j);
	for (k = 0; k < started; k++)
		pthread_join(tids[k], NULL);
	t->decode_ns = cli_now_ns() - t0;

	total = 0;
	for (i = 0; i < j.nframes; i++) {
		if (j.err[i] == PR_E_CORRUPT) {
			t->bad_frames++;
			continue;
		}
		if (j.err[i] != 0) {
			snprintf(err, errlen, "%s: frame %zu: %s", path, i,
			    pr_strerror(j.err[i]));
			goto out;
		}
		total += j.n[i];
	}
	/* The status now has what the decode met as well. */
	pr_reader_status(j.r, &st);
	t->truncated = st.truncated;
	t->frames = j.nframes - t->bad_frames;
	t->error = st.error;
	t->error_frame = st.error_frame;
	t->error_offset = st.error_offset;
	if (trace_fits(total, mem_limit, err, errlen) != 0)
		goto out;
	t->ev = malloc((total > 0 ? total : 1) * sizeof(*t->ev));
	if (t->ev == NULL) {
		snprintf(err, errlen, "out of memory for %llu events",
		    (unsigned long long)total);
		goto out;
	}
	for (i = 0, off = 0; i < j.nframes; i++) {
		if (j.err[i] != 0)
			continue;
		memcpy(t->ev + off, j.evs[i], j.n[i] * sizeof(*t->ev));
		off += j.n[i];
	}
	t->nev = total;
	rc = trace_remap(t, err, errlen);
out:
	for (i = 0; j.evs != NULL && i < j.nframes; i++)
		free(j.evs[i]);
	free(j.evs);
	free(j.n);
	free(j.err);
	free(tids);
	pr_reader_close(j.r);
	if (rc != 0)
		rp_trace_free(t);
	return (rc);
}

int
rp_trace_adopt(struct pr_event *ev, size_t nev, struct rp_trace *t,
    char *err, size_t errlen)
{
	memset(t, 0, sizeof(*t));
	pr_header_init(&t->hdr, PR_SRC_SYNTH);
	t->ev = ev;
	t->nev = nev;
	if (trace_remap(t, err, errlen) != 0) {
		rp_trace_free(t);
		return (-1);
	}
	return (0);
}

bool
rp_trace_damaged(const struct rp_trace *t)
{
	return (t->bad_frames > 0 ||
	    (t->error != PR_OK && t->error != PR_E_TRUNCATED));
}

void
rp_trace_free(struct rp_trace *t)
{
	free(t->ev);
	rp_prime_free(&t->prime);
	memset(t, 0, sizeof(*t));
}

/*
 * The resident pages of rp_trace_pages(): a set of (object slot and
 * incarnation, page index) with linear probing; a removed entry leaves a
 * tombstone until the next rehash.
 */
#define PS_EMPTY	0
#define PS_TOMB		UINT64_MAX

struct pageset {
	uint64_t	*k1;		/* (slot + 1) | incarnation << 32 */
	uint64_t	*k2;		/* page index */
	uint64_t	 cap;		/* power of two */
	uint64_t	 used;		/* entries and tombstones */
};

static uint64_t
pageset_slot(const struct pageset *ps, uint64_t k1, uint64_t k2)
{
	return (((k1 ^ (k2 * 0x9e3779b97f4a7c15ULL)) * 0xff51afd7ed558ccdULL
	    >> 17) & (ps->cap - 1));
}

/* The entry of (k1, k2), or the empty slot where it would go. */
static uint64_t
pageset_find(const struct pageset *ps, uint64_t k1, uint64_t k2)
{
	uint64_t i;

	for (i = pageset_slot(ps, k1, k2);; i = (i + 1) & (ps->cap - 1))
		if (ps->k1[i] == PS_EMPTY || (ps->k1[i] == k1 &&
		    ps->k2[i] == k2))
			return (i);
}

/* Allocate an empty set of cap slots; false when out of memory. */
static bool
pageset_init(struct pageset *ps, uint64_t cap)
{
	ps->k1 = calloc(cap, sizeof(*ps->k1));
	ps->k2 = calloc(cap, sizeof(*ps->k2));
	ps->cap = cap;
	ps->used = 0;
	return (ps->k1 != NULL && ps->k2 != NULL);
}

/* Add (k1, k2); 1 if it was absent, 0 if present, -1 out of memory. */
static int
pageset_add(struct pageset *ps, uint64_t k1, uint64_t k2)
{
	struct pageset big;
	uint64_t i, j;

	i = pageset_find(ps, k1, k2);
	if (ps->k1[i] != PS_EMPTY)
		return (0);
	ps->k1[i] = k1;
	ps->k2[i] = k2;
	if (++ps->used * 2 < ps->cap)
		return (1);
	if (!pageset_init(&big, ps->cap * 2)) {
		free(big.k1);
		free(big.k2);
		return (-1);
	}
	for (i = 0; i < ps->cap; i++) {
		if (ps->k1[i] == PS_EMPTY || ps->k1[i] == PS_TOMB)
			continue;
		j = pageset_find(&big, ps->k1[i], ps->k2[i]);
		big.k1[j] = ps->k1[i];
		big.k2[j] = ps->k2[i];
		big.used++;
	}
	free(ps->k1);
	free(ps->k2);
	*ps = big;
	return (1);
}

/* Remove (k1, k2); whether it was there. */
static bool
pageset_del(struct pageset *ps, uint64_t k1, uint64_t k2)
{
	uint64_t i = pageset_find(ps, k1, k2);

	if (ps->k1[i] == PS_EMPTY)
		return (false);
	ps->k1[i] = PS_TOMB;
	return (true);
}

/* The running count of rp_trace_pages(). */
struct pagecount {
	struct pageset	 ps;
	uint64_t	*count;		/* resident pages per object slot */
	uint64_t	*gen;		/* incarnation per object slot */
	uint64_t	 resident;
	uint64_t	 peak;
};

/* Account one event; -1 when the set cannot grow. */
static int
pagecount_event(struct pagecount *pc, const struct pr_event *ev,
    uint64_t nobjects)
{
	const unsigned alloc = RP_KIND_BIT(PR_PAGE_INSERT) |
	    RP_KIND_BIT(PR_PAGE_LOOKUP) | RP_KIND_BIT(PR_WIRE) |
	    RP_KIND_BIT(PR_MAP) | RP_KIND_BIT(PR_SENDFILE);
	uint64_t k1;
	uint32_t k, np;
	int rv;

	if (!rp_kind_has_obj(ev->kind) || ev->obj >= nobjects)
		return (0);
	k1 = (ev->obj + 1) | pc->gen[ev->obj] << 32;
	np = ev->npages ? ev->npages : 1;
	if (ev->kind == PR_OBJ_TERMINATE) {
		pc->resident -= pc->count[ev->obj];
		pc->count[ev->obj] = 0;
		pc->gen[ev->obj]++;
	} else if (ev->kind == PR_PAGE_REMOVE) {
		for (k = 0; k < np; k++)
			if (pageset_del(&pc->ps, k1, ev->pindex + k)) {
				pc->count[ev->obj]--;
				pc->resident--;
			}
	} else if ((alloc & RP_KIND_BIT(ev->kind)) != 0) {
		for (k = 0; k < np; k++) {
			if ((rv = pageset_add(&pc->ps, k1, ev->pindex + k)) < 0)
				return (-1);
			if (rv > 0) {
				pc->count[ev->obj]++;
				if (++pc->resident > pc->peak)
					pc->peak = pc->resident;
			}
		}
	}
	return (0);
}

/*
 * The peak number of resident pages: the primed ones (resident before the
 * run, prime.h) and then the trace's allocations less its removals.
 */
uint64_t
rp_trace_pages(const struct rp_trace *t)
{
	struct pagecount pc = { { NULL, NULL, 0, 0 }, NULL, NULL, 0, 0 };
	uint64_t i;
	int rv = 0;

	pc.count = calloc(t->nobjects + 1, sizeof(*pc.count));
	pc.gen = calloc(t->nobjects + 1, sizeof(*pc.gen));
	if (pc.count == NULL || pc.gen == NULL || !pageset_init(&pc.ps, 1 << 16))
		rv = -1;
	for (i = 0; i < t->prime.nev && rv >= 0; i++)
		rv = pagecount_event(&pc, &t->prime.ev[i], t->nobjects);
	for (i = 0; i < t->nev && rv >= 0; i++)
		rv = pagecount_event(&pc, &t->ev[i], t->nobjects);
	free(pc.ps.k1);
	free(pc.ps.k2);
	free(pc.count);
	free(pc.gen);
	return (rv < 0 ? 0 : pc.peak);
}
