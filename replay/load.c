/*
 * load.c - scan a trace once in parallel, keep its id maps and stream
 * counts, and hand out its frames remapped (see load.h).
 */
#include <errno.h>
#include <pthread.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cli.h"
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

/* The id classes a scan keeps. */
enum scan_class {
	SCAN_OBJ = 0,		/* object ids; count: events carrying one */
	SCAN_PMAP,		/* pmap ids; count: pmap-only events */
	SCAN_TID,		/* threads of events to replay */
	SCAN_CPU,		/* CPUs of events to replay */
	SCAN_NCLASS
};

/* One frame's ids of one class in order of first appearance, counted. */
struct scan_ids {
	uint64_t	*key;
	uint64_t	*count;
	size_t		 n, cap;
	uint64_t	 last;		/* the previous id, and its index: */
	size_t		 last_i;	/* runs of one id skip the map */
};

/* What the scan of one frame found: built by one thread, then merged. */
struct scan_frame {
	int		 err;		/* pr_reader_frame's result */
	size_t		 nev;
	uint64_t	 lost, dropped, other, tmin, tmax;
	struct scan_ids	 ids[SCAN_NCLASS];
	/* Rule F's inference (load.h), with t->fa_infer: */
	uint64_t	 fa_flagged;	/* lookups the recorder flagged */
	uint64_t	 fa_marked;	/* lookups inferred within the frame */
	struct pr_event	*fa_first;	/* [ids[SCAN_TID].n] each thread's
					   first event */
	uint32_t	*fa_last;	/* [ids[SCAN_TID].n] the index of its
					   last */
	size_t		 fa_cap;	/* of both */
	uint64_t	*fa_tail;	/* [nfa_tail] ascending, index << 1:
					   the threads' last events that are
					   unflagged lookups */
	struct pr_event	*fa_tailev;	/* [nfa_tail] those events */
	size_t		 nfa_tail;
};

/* A thread's last lookup so far, pending its next event (fa_merge). */
struct fa_pend {
	size_t		 tail;		/* its t->fa_tail index + 1; 0: none */
	size_t		 frame;
	struct pr_event	 ev;
};

/*
 * Shared state of the scan threads.  (C) set before they start, (A)
 * atomic, (M) merge_mtx, (T) the thread that took it.
 */
struct scan_job {
	struct rp_trace	*t;		/* (M) what is merged so far */
	size_t		 nframes;	/* (C) */
	atomic_size_t	 next;		/* (A) next frame to take */
	struct rp_prime	*prime;		/* (C) [nthreads], a priming pass
					   per thread, each (T) */
	atomic_uint	 nprime;	/* (A) passes taken */
	pthread_mutex_t	 merge_mtx;
	struct scan_frame **done;	/* (M) [frame] scanned, not merged */
	size_t		 merged;	/* (M) frames merged, in order */
	size_t		 cap[SCAN_NCLASS];	/* (M) of the count arrays */
	uint64_t	 tmax;		/* (M) */
	int		 err;		/* (M) first failure (pr_error), or
					   -1: out of memory */
	size_t		 err_frame;	/* (M) */
	struct fa_pend	*fa_pend;	/* (M) [fa_cap] by thread slot */
	size_t		 fa_cap;	/* (M) */
	size_t		 fa_tail_cap;	/* (M) of t->fa_tail */
	size_t		 fa_cut;	/* (M) a frame before it was left out:
					   no lookup before it pairs */
	uint64_t	 fa_flagged;	/* (M) lookups the recorder flagged */
};

/* The trace's per-class maps and count arrays. */
static struct rp_idmap *
scan_map(struct rp_trace *t, unsigned c)
{
	struct rp_idmap *maps[SCAN_NCLASS] = { &t->objs, &t->pmaps, &t->tids,
	    &t->cpus };

	return (maps[c]);
}

static uint64_t **
scan_counts(struct rp_trace *t, unsigned c)
{
	uint64_t **counts[SCAN_NCLASS] = { &t->obj_events, &t->pmap_events,
	    &t->tid_events, &t->cpu_events };

	return (counts[c]);
}

/*
 * Count inc events for id in one frame's list (local map m).  Its index in
 * the list, or -1.
 */
static int64_t
scan_add(struct rp_idmap *m, struct scan_ids *l, uint64_t id, uint64_t inc)
{
	int64_t s;

	if (l->n > 0 && l->last == id) {
		l->count[l->last_i] += inc;
		return ((int64_t)l->last_i);
	}
	if ((s = rp_idmap_get(m, id)) < 0)
		return (-1);
	if ((size_t)s == l->n) {
		if (l->n == l->cap) {
			uint64_t *k, *c;

			l->cap = l->cap == 0 ? 64 : 2 * l->cap;
			k = realloc(l->key, l->cap * sizeof(*k));
			if (k != NULL)
				l->key = k;
			c = realloc(l->count, l->cap * sizeof(*c));
			if (c != NULL)
				l->count = c;
			if (k == NULL || c == NULL)
				return (-1);
		}
		l->key[l->n] = id;
		l->count[l->n++] = 0;
	}
	l->count[s] += inc;
	l->last = id;
	l->last_i = (size_t)s;
	return (s);
}

static void
scan_frame_free(struct scan_frame *f)
{
	unsigned c;

	for (c = 0; f != NULL && c < SCAN_NCLASS; c++) {
		free(f->ids[c].key);
		free(f->ids[c].count);
	}
	if (f != NULL) {
		free(f->fa_first);
		free(f->fa_last);
		free(f->fa_tail);
		free(f->fa_tailev);
	}
	free(f);
}

/*
 * Rule F (docs/capture.md): is m the map the eBPF recorder emits right
 * after fault-around's lookup l, of the window l looked up?
 */
static bool
fa_pair(const struct pr_event *l, const struct pr_event *m)
{
	return (m->kind == PR_MAP && (m->flags & PR_F_WRITE) == 0 &&
	    m->obj == l->obj && m->pindex == l->pindex &&
	    m->npages == l->npages);
}

/* A lookup whose flag may be inferred: a page_lookup not flagged. */
static bool
fa_candidate(const struct pr_event *ev)
{
	return (ev->kind == PR_PAGE_LOOKUP &&
	    (ev->flags & PR_F_FAULT_AROUND) == 0);
}

/*
 * Flag fault-around's lookups in a frame's events evs[0..n): each unflagged
 * lookup whose thread's next event (lost-event records are no thread's)
 * pairs with it.  tail[0..ntail), ascending, are (base + index) << 1 |
 * decision of the lookups that are their thread's last event in the frame:
 * flagged by their decision, not searched.  The lookups flagged.
 */
static uint64_t
fa_mark(struct pr_event *evs, size_t n, const uint64_t *tail, size_t ntail,
    uint64_t base)
{
	uint64_t marked = 0;
	size_t k, m, t = 0;
	bool pair;

	for (k = 0; k < n; k++) {
		if (!fa_candidate(&evs[k]))
			continue;
		while (t < ntail && (tail[t] >> 1) < base + k)
			t++;
		if (t < ntail && (tail[t] >> 1) == base + k) {
			pair = (tail[t] & 1) != 0;
		} else {
			for (m = k + 1; m < n && (evs[m].kind >= PR_LOST ||
			    evs[m].tid != evs[k].tid); m++)
				;
			pair = m < n && fa_pair(&evs[k], &evs[m]);
		}
		if (pair) {
			evs[k].flags |= PR_F_FAULT_AROUND;
			marked++;
		}
	}
	return (marked);
}

/* The first entry of t->fa_tail at trace index x or later. */
static size_t
fa_tail_lower(const struct rp_trace *t, uint64_t x)
{
	size_t lo = 0, hi = t->nfa_tail, mid;

	while (lo < hi) {
		mid = lo + (hi - lo) / 2;
		if ((t->fa_tail[mid] >> 1) < x)
			lo = mid + 1;
		else
			hi = mid;
	}
	return (lo);
}

/*
 * Thread slot s's event k of frame f (its first when new): remembered for
 * rule F.  0 or -1.
 */
static int
fa_scan_event(struct scan_frame *f, size_t s, const struct pr_event *ev,
    size_t k)
{
	struct pr_event *a;
	uint32_t *b;
	size_t cap;

	if (s >= f->fa_cap) {
		cap = f->fa_cap == 0 ? 64 : 2 * f->fa_cap;
		if ((a = realloc(f->fa_first, cap * sizeof(*a))) != NULL)
			f->fa_first = a;
		if ((b = realloc(f->fa_last, cap * sizeof(*b))) != NULL)
			f->fa_last = b;
		if (a == NULL || b == NULL)
			return (-1);
		f->fa_cap = cap;
	}
	if (f->ids[SCAN_TID].count[s] == 1)
		f->fa_first[s] = *ev;
	f->fa_last[s] = (uint32_t)k;
	return (0);
}

/* Ascending uint64_t, for qsort. */
static int
fa_u64_cmp(const void *a, const void *b)
{
	uint64_t x = *(const uint64_t *)a, y = *(const uint64_t *)b;

	return (x < y ? -1 : x > y);
}

/*
 * Frame f's lookups that are their thread's last event (f->fa_tail, for
 * fa_merge() to decide) and the lookups inferred within it.  0 or -1.
 */
static int
fa_scan_frame(struct scan_frame *f, struct pr_event *evs)
{
	size_t s, n = f->ids[SCAN_TID].n;

	if (n == 0)
		return (0);
	f->fa_tail = malloc(n * sizeof(*f->fa_tail));
	f->fa_tailev = malloc(n * sizeof(*f->fa_tailev));
	if (f->fa_tail == NULL || f->fa_tailev == NULL)
		return (-1);
	for (s = 0; s < n; s++)
		if (fa_candidate(&evs[f->fa_last[s]]))
			f->fa_tail[f->nfa_tail++] = (uint64_t)f->fa_last[s] << 1;
	qsort(f->fa_tail, f->nfa_tail, sizeof(*f->fa_tail), fa_u64_cmp);
	for (s = 0; s < f->nfa_tail; s++)
		f->fa_tailev[s] = evs[f->fa_tail[s] >> 1];
	f->fa_marked = fa_mark(evs, f->nev, f->fa_tail, f->nfa_tail, 0);
	return (0);
}

/* Frame i as stored (original ids), as rp_trace_frame. */
static int
trace_frame_raw(const struct rp_trace *t, size_t i, struct pr_event **evsp,
    size_t *capp, size_t *np)
{
	struct pr_event *a;
	size_t first, n;

	if (t->r != NULL)
		return (pr_reader_frame_buf(t->r, i, evsp, capp, np));
	first = i * RP_MEM_FRAME;
	n = t->nev_mem - first < RP_MEM_FRAME ? t->nev_mem - first :
	    RP_MEM_FRAME;
	if (*evsp == NULL || *capp < n) {
		if ((a = realloc(*evsp, RP_MEM_FRAME * sizeof(*a))) == NULL)
			return (PR_E_NOMEM);
		*evsp = a;
		*capp = RP_MEM_FRAME;
	}
	memcpy(*evsp, t->mem + first, n * sizeof(**evsp));
	*np = n;
	return (0);
}

/*
 * Scan frame i's events into a new summary (local: this thread's maps,
 * *evs its buffer of *cap events) and this thread's priming pass prime,
 * at position i.
 */
static struct scan_frame *
scan_one(struct rp_trace *t, size_t i, struct rp_idmap *local,
    struct rp_prime *prime, struct pr_event **evs, size_t *cap)
{
	const struct pr_event *ev;
	struct scan_frame *f;
	int64_t s;
	bool fail;
	size_t k;
	unsigned c;

	if ((f = calloc(1, sizeof(*f))) == NULL)
		return (NULL);
	for (c = 0; c < SCAN_NCLASS; c++)
		rp_idmap_clear(&local[c]);
	f->err = trace_frame_raw(t, i, evs, cap, &f->nev);
	if (f->err != 0) {
		f->nev = 0;
		return (f);
	}
	prime->pos = (uint32_t)i;
	f->tmin = f->nev > 0 ? UINT64_MAX : 0;
	fail = false;
	for (k = 0; k < f->nev && !fail; k++) {
		ev = &(*evs)[k];
		fail |= rp_prime_event(prime, ev) != 0;
		if (ev->time_ns < f->tmin)
			f->tmin = ev->time_ns;
		if (ev->time_ns > f->tmax)
			f->tmax = ev->time_ns;
		if (ev->kind >= PR_LOST) {
			f->dropped++;
			if (ev->kind == PR_LOST)
				f->lost += ev->arg;
			continue;
		}
		if (rp_kind_has_obj(ev->kind))
			fail |= scan_add(&local[SCAN_OBJ], &f->ids[SCAN_OBJ],
			    ev->obj, 1) < 0;
		if (rp_kind_has_pmap(ev->kind))
			fail |= scan_add(&local[SCAN_PMAP],
			    &f->ids[SCAN_PMAP], ev->pmap,
			    !rp_kind_has_obj(ev->kind)) < 0;
		else if (!rp_kind_has_obj(ev->kind))
			f->other++;
		s = scan_add(&local[SCAN_TID], &f->ids[SCAN_TID], ev->tid, 1);
		fail |= s < 0 || (t->fa_infer &&
		    fa_scan_event(f, (size_t)s, ev, k) != 0);
		fail |= scan_add(&local[SCAN_CPU], &f->ids[SCAN_CPU], ev->cpu,
		    1) < 0;
		if (ev->kind == PR_PAGE_LOOKUP && !fa_candidate(ev))
			f->fa_flagged++;
	}
	if (!fail && t->fa_infer)
		fail = fa_scan_frame(f, *evs) != 0;
	if (fail) {
		scan_frame_free(f);
		return (NULL);
	}
	return (f);
}

/*
 * Rule F across frames: the lookups pending at their thread's end of an
 * earlier frame pair with the thread's first event in frame i, and frame
 * i's last lookups become pending.  0 or -1 (no memory).
 */
static int
fa_merge(struct scan_job *j, size_t i, const struct scan_frame *f)
{
	struct rp_trace *t = j->t;
	const struct scan_ids *l = &f->ids[SCAN_TID];
	struct fa_pend *p;
	uint64_t *a;
	size_t k, cap;
	int64_t s;

	t->fa_inferred += f->fa_marked;
	if (t->tids.n > j->fa_cap) {
		for (cap = j->fa_cap == 0 ? 64 : j->fa_cap; cap < t->tids.n;
		    cap *= 2)
			;
		if ((p = realloc(j->fa_pend, cap * sizeof(*p))) == NULL)
			return (-1);
		memset(p + j->fa_cap, 0, (cap - j->fa_cap) * sizeof(*p));
		j->fa_pend = p;
		j->fa_cap = cap;
	}
	if (t->nfa_tail + f->nfa_tail > j->fa_tail_cap) {
		for (cap = j->fa_tail_cap == 0 ? 64 : j->fa_tail_cap;
		    cap < t->nfa_tail + f->nfa_tail; cap *= 2)
			;
		if ((a = realloc(t->fa_tail, cap * sizeof(*a))) == NULL)
			return (-1);
		t->fa_tail = a;
		j->fa_tail_cap = cap;
	}
	for (k = 0; k < l->n; k++) {
		s = rp_idmap_find(&t->tids, l->key[k]);
		p = &j->fa_pend[s];
		if (p->tail != 0 && p->frame >= j->fa_cut &&
		    fa_pair(&p->ev, &f->fa_first[k])) {
			t->fa_tail[p->tail - 1] |= 1;
			t->fa_inferred++;
		}
		p->tail = 0;
	}
	for (k = 0; k < f->nfa_tail; k++) {
		s = rp_idmap_find(&t->tids, f->fa_tailev[k].tid);
		t->fa_tail[t->nfa_tail++] = (t->frame_first[i] +
		    (f->fa_tail[k] >> 1)) << 1;
		p = &j->fa_pend[s];
		p->tail = t->nfa_tail;
		p->frame = i;
		p->ev = f->fa_tailev[k];
	}
	return (0);
}

/* Merge frame summary f (the next in frame order) into the trace. */
static int
scan_merge(struct scan_job *j, size_t i, const struct scan_frame *f)
{
	struct rp_trace *t = j->t;
	const struct scan_ids *l;
	uint64_t **counts, *a;
	size_t k, cap;
	unsigned c;
	int64_t s;

	t->frame_first[i] = t->nev;
	if (f->err == PR_E_CORRUPT) {
		t->bad_frames++;
		j->fa_cut = i + 1;
		return (0);
	}
	if (f->err != 0) {
		j->err = f->err;
		j->err_frame = i;
		return (-1);
	}
	t->nev += f->nev;
	if (f->nev > t->frame_max)
		t->frame_max = f->nev;
	t->lost += f->lost;
	t->dropped += f->dropped;
	t->other_events += f->other;
	if (f->nev > 0 && f->tmin < t->first_ns)
		t->first_ns = f->tmin;
	if (f->tmax > j->tmax)
		j->tmax = f->tmax;
	for (c = 0; c < SCAN_NCLASS; c++) {
		l = &f->ids[c];
		counts = scan_counts(t, c);
		for (k = 0; k < l->n; k++) {
			if ((s = rp_idmap_get(scan_map(t, c), l->key[k])) < 0)
				goto nomem;
			if ((size_t)s >= j->cap[c]) {
				cap = j->cap[c] == 0 ? 64 : 2 * j->cap[c];
				if ((a = realloc(*counts, cap *
				    sizeof(*a))) == NULL)
					goto nomem;
				memset(a + j->cap[c], 0, (cap - j->cap[c]) *
				    sizeof(*a));
				*counts = a;
				j->cap[c] = cap;
			}
			(*counts)[s] += l->count[k];
		}
	}
	j->fa_flagged += f->fa_flagged;
	if (t->fa_infer && fa_merge(j, i, f) != 0)
		goto nomem;
	return (0);
nomem:
	j->err = -1;
	j->err_frame = i;
	return (-1);
}

/* Scan frames until none is left, merging every finished one in order. */
static void *
scan_worker(void *arg)
{
	struct scan_job *j = arg;
	struct rp_idmap local[SCAN_NCLASS];
	struct rp_prime *prime;
	struct scan_frame *f;
	struct pr_event *evs;
	size_t i, cap;
	unsigned c;

	prime = &j->prime[atomic_fetch_add(&j->nprime, 1)];
	for (c = 0; c < SCAN_NCLASS; c++)
		rp_idmap_init(&local[c]);
	evs = NULL;
	cap = 0;
	while ((i = atomic_fetch_add(&j->next, 1)) < j->nframes) {
		f = scan_one(j->t, i, local, prime, &evs, &cap);
		pthread_mutex_lock(&j->merge_mtx);
		if (f == NULL && j->err == 0) {
			j->err = -1;
			j->err_frame = i;
		}
		j->done[i] = f;
		while (j->err == 0 && j->merged < j->nframes &&
		    j->done[j->merged] != NULL) {
			f = j->done[j->merged];
			(void)scan_merge(j, j->merged, f);
			scan_frame_free(f);
			j->done[j->merged++] = NULL;
		}
		pthread_mutex_unlock(&j->merge_mtx);
	}
	for (c = 0; c < SCAN_NCLASS; c++)
		rp_idmap_free(&local[c]);
	free(evs);
	return (NULL);
}

/*
 * Merge the threads' n priming passes into t's (freeing them), end it and
 * give its events the objects' slots (prime.h primes on the trace's own
 * ids).  0 or -1 with err.
 */
static int
trace_prime_finish(struct rp_trace *t, struct rp_prime *pass, unsigned n,
    char *err, size_t errlen)
{
	unsigned k, big;
	int64_t s;
	size_t i;
	int rv;

	/* The largest pass takes the others. */
	for (k = 1, big = 0; k < n; k++)
		if (pass[k].runs > pass[big].runs)
			big = k;
	rp_prime_free(&t->prime);
	t->prime = pass[big];
	rp_prime_init(&pass[big]);
	for (k = 0, rv = 0; k < n; k++)
		if (rv == 0)
			rv = rp_prime_merge(&t->prime, &pass[k]);
		else
			rp_prime_free(&pass[k]);
	if (rv != 0 || rp_prime_finish(&t->prime) != 0) {
		snprintf(err, errlen, "out of memory priming the trace");
		return (-1);
	}
	for (i = 0; i < t->prime.nev; i++) {
		if ((s = rp_idmap_find(&t->objs, t->prime.ev[i].obj)) < 0) {
			snprintf(err, errlen, "priming names object %llu, "
			    "which the scan did not see",
			    (unsigned long long)t->prime.ev[i].obj);
			return (-1);
		}
		t->prime.ev[i].obj = (uint64_t)s;
	}
	return (0);
}

/* Scan t's frames with up to nthreads threads.  0 or -1 with err. */
static int
trace_scan(struct rp_trace *t, unsigned nthreads, const char *what,
    char *err, size_t errlen)
{
	struct scan_job j;
	pthread_t *tids;
	uint64_t t0;
	unsigned k, started;
	size_t i;
	int rv;

	if (t->nframes >= UINT32_MAX) {
		/* A frame's index is its priming position (prime.h). */
		snprintf(err, errlen, "%s: %zu frames, more than priming "
		    "counts", what, t->nframes);
		return (-1);
	}
	memset(&j, 0, sizeof(j));
	j.t = t;
	j.nframes = t->nframes;
	rp_prime_init(&t->prime);
	t->first_ns = UINT64_MAX;
	t->frame_first = calloc(t->nframes + 1, sizeof(*t->frame_first));
	j.done = calloc(t->nframes + 1, sizeof(*j.done));
	if (nthreads < 1)
		nthreads = 1;
	if (nthreads > t->nframes)
		nthreads = t->nframes > 0 ? (unsigned)t->nframes : 1;
	tids = calloc(nthreads, sizeof(*tids));
	j.prime = calloc(nthreads, sizeof(*j.prime));
	if (t->frame_first == NULL || j.done == NULL || tids == NULL ||
	    j.prime == NULL) {
		free(j.done);
		free(tids);
		free(j.prime);
		snprintf(err, errlen, "out of memory");
		return (-1);
	}
	for (k = 0; k < nthreads; k++)
		rp_prime_init(&j.prime[k]);
	pthread_mutex_init(&j.merge_mtx, NULL);
	t->decode_threads = nthreads;
	t0 = cli_now_ns();
	for (started = 0; started < nthreads; started++)
		if (pthread_create(&tids[started], NULL, scan_worker,
		    &j) != 0)
			break;
	if (started == 0)
		scan_worker(&j);
	for (k = 0; k < started; k++)
		pthread_join(tids[k], NULL);
	t->decode_ns = cli_now_ns() - t0;
	pthread_mutex_destroy(&j.merge_mtx);
	free(j.fa_pend);
	if (j.fa_flagged != 0) {
		/* The recorder flags them: nothing to infer (rule F). */
		t->fa_infer = false;
		t->fa_inferred = 0;
		free(t->fa_tail);
		t->fa_tail = NULL;
		t->nfa_tail = 0;
	}
	for (i = 0; i < t->nframes; i++)
		scan_frame_free(j.done[i]);
	free(j.done);
	free(tids);
	t->frame_first[t->nframes] = t->nev;
	if (t->nev == 0)
		t->first_ns = 0;
	t->span_ns = j.tmax - t->first_ns;
	t->nobjects = t->objs.n;
	t->npmaps = t->pmaps.n;
	t->frames = t->nframes - t->bad_frames;
	if (j.err == -1)
		snprintf(err, errlen, "out of memory scanning the trace ids");
	else if (j.err != 0)
		snprintf(err, errlen, "%s: frame %zu: %s", what, j.err_frame,
		    pr_strerror(j.err));
	if (j.err != 0) {
		for (k = 0; k < nthreads; k++)
			rp_prime_free(&j.prime[k]);
		free(j.prime);
		return (-1);
	}
	rv = trace_prime_finish(t, j.prime, nthreads, err, errlen);
	free(j.prime);
	return (rv);
}

int
rp_trace_frame(const struct rp_trace *t, size_t i, struct pr_event **evsp,
    size_t *capp, size_t *np)
{
	struct pr_event *ev;
	int64_t s;
	size_t k;
	int e;

	*np = 0;
	if ((e = trace_frame_raw(t, i, evsp, capp, np)) != 0)
		return (e);
	if (t->fa_infer) {
		k = fa_tail_lower(t, t->frame_first[i]);
		(void)fa_mark(*evsp, *np, t->fa_tail + k,
		    fa_tail_lower(t, t->frame_first[i + 1]) - k,
		    t->frame_first[i]);
	}
	for (k = 0; k < *np; k++) {
		ev = &(*evsp)[k];
		s = 0;
		if (rp_kind_has_obj(ev->kind) &&
		    (s = rp_idmap_find(&t->objs, ev->obj)) >= 0)
			ev->obj = (uint64_t)s;
		if (s >= 0 && rp_kind_has_pmap(ev->kind) &&
		    (s = rp_idmap_find(&t->pmaps, ev->pmap)) >= 0)
			ev->pmap = (uint64_t)s;
		if (s < 0) {
			/* Not what the scan read: the file changed. */
			*np = 0;
			return (PR_E_CORRUPT);
		}
	}
	return (0);
}

/*
 * Whether rule F's inference applies to an open trace (load.h): an eBPF
 * recording without the note ebpf.fault_around_flag.
 */
static bool
trace_fa_unflagged(const struct pr_reader *r)
{
	const char *key;
	uint64_t value;
	size_t i;

	if (pr_reader_header(r)->source != PR_SRC_EBPF)
		return (false);
	for (i = 0; pr_reader_note(r, i, &key, &value); i++)
		if (strcmp(key, "ebpf.fault_around_flag") == 0 && value != 0)
			return (false);
	return (true);
}

int
rp_trace_load(const char *path, unsigned nthreads, struct rp_trace *t,
    char *err, size_t errlen)
{
	struct pr_reader_status st;
	int e;

	memset(t, 0, sizeof(*t));
	if (cli_stdout_is(path)) {
		snprintf(err, errlen, "%s: is also stdout; refusing to write "
		    "into the input", path);
		return (-1);
	}
	errno = 0;
	if ((t->r = pr_reader_open(path, &e)) == NULL) {
		if (e == PR_E_IO && errno != 0)
			snprintf(err, errlen, "%s: %s", path, strerror(errno));
		else
			snprintf(err, errlen, "%s: %s", path, pr_strerror(e));
		return (-1);
	}
	t->hdr = *pr_reader_header(t->r);
	pr_reader_status(t->r, &st);
	t->nframes = pr_reader_frames(t->r);
	t->fa_infer = trace_fa_unflagged(t->r);
	if (t->nframes == 0 && st.error != 0) {
		snprintf(err, errlen, "%s: %s at byte %llu", path,
		    pr_strerror(st.error),
		    (unsigned long long)st.error_offset);
		rp_trace_free(t);
		return (-1);
	}
	if (trace_scan(t, nthreads, path, err, errlen) != 0) {
		rp_trace_free(t);
		return (-1);
	}
	/* The status now has what the scan met as well. */
	pr_reader_status(t->r, &st);
	t->truncated = st.truncated;
	t->error = st.error;
	t->error_frame = st.error_frame;
	t->error_offset = st.error_offset;
	return (0);
}

int
rp_trace_adopt(struct pr_event *ev, size_t nev, struct rp_trace *t,
    char *err, size_t errlen)
{
	memset(t, 0, sizeof(*t));
	pr_header_init(&t->hdr, PR_SRC_SYNTH);
	t->mem = ev;
	t->nev_mem = nev;
	t->nframes = (nev + RP_MEM_FRAME - 1) / RP_MEM_FRAME;
	if (trace_scan(t, 1, "events", err, errlen) != 0) {
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
	if (t->r != NULL)
		pr_reader_close(t->r);
	free(t->mem);
	free(t->frame_first);
	free(t->fa_tail);
	rp_idmap_free(&t->objs);
	rp_idmap_free(&t->pmaps);
	rp_idmap_free(&t->tids);
	rp_idmap_free(&t->cpus);
	free(t->tid_events);
	free(t->cpu_events);
	free(t->obj_events);
	free(t->pmap_events);
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
 * run, prime.h) and then the trace's allocations less its removals, its
 * frames read again in order.
 */
uint64_t
rp_trace_pages(const struct rp_trace *t)
{
	struct pagecount pc = { { NULL, NULL, 0, 0 }, NULL, NULL, 0, 0 };
	struct pr_event *evs = NULL;
	size_t f, n, cap = 0;
	uint64_t i;
	int rv = 0;

	if ((i = atomic_load(&t->pages_memo)) != 0)
		return (i - 1);

	pc.count = calloc(t->nobjects + 1, sizeof(*pc.count));
	pc.gen = calloc(t->nobjects + 1, sizeof(*pc.gen));
	if (pc.count == NULL || pc.gen == NULL || !pageset_init(&pc.ps, 1 << 16))
		rv = -1;
	for (i = 0; i < t->prime.nev && rv >= 0; i++)
		rv = pagecount_event(&pc, &t->prime.ev[i], t->nobjects);
	for (f = 0; f < t->nframes && rv >= 0; f++) {
		/* A frame the scan left out has no events: skip it too. */
		if (t->frame_first[f + 1] == t->frame_first[f])
			continue;
		if (rp_trace_frame(t, f, &evs, &cap, &n) != 0) {
			rv = -1;
			break;
		}
		for (i = 0; i < n && rv >= 0; i++)
			rv = pagecount_event(&pc, &evs[i], t->nobjects);
	}
	free(evs);
	free(pc.ps.k1);
	free(pc.ps.k2);
	free(pc.count);
	free(pc.gen);
	if (rv < 0)
		return (0);
	/* t is const to its readers; the memo is atomic (load.h). */
	atomic_store(&((struct rp_trace *)(uintptr_t)t)->pages_memo,
	    pc.peak + 1);
	return (pc.peak);
}
