/*
 * prime.c - the state a trace assumes before its first event (see
 * prime.h).
 */
#include <stdlib.h>
#include <string.h>

#include "load.h"
#include "prime.h"

/* A page's or an object's state in the pass. */
enum prime_state {
	PS_SEEN = 1,	/* the trace makes it, or nothing to prime */
	PS_PENDING,	/* first grabbed: primed unless inserted next */
	PS_INACTIVE,	/* primed resident, inactive */
	PS_ACTIVE,	/* primed resident, active */
	PS_WIRED,	/* primed resident, wired once */
};

/* No such event (yet): after every position. */
#define PRIME_NONE	UINT32_MAX
/* Pages at or past it are not looked at (engine: pindex < 2^52). */
#define PRIME_PINDEX_END UINT64_MAX

/*
 * What a run's pages met: their first event (its position and the state
 * prime_first() gives it) and their first that is neither a lookup nor a
 * map, the one that settles a pending page (its position, PRIME_NONE if
 * none yet, and whether it is a page_insert).
 */
struct prime_val {
	uint32_t	first;
	uint32_t	settle;
	uint8_t		state;		/* enum prime_state */
	uint8_t		ins;
};

/*
 * A run of pages of one object, a node of that object's treap: ordered by
 * start, runs never overlap, and two adjacent runs differ in v.  A node's
 * priority is a hash of its index.
 */
struct prime_run {
	uint64_t	start, end;	/* [start, end) */
	uint32_t	left, right;	/* children, 0: none */
	struct prime_val v;
};

/* An object of the pass; obj_used 0 is an empty slot. */
struct prime_obj {
	uint64_t	id;
	uint32_t	root;		/* its runs' treap, 0: none */
	uint32_t	hint;		/* the run last updated, 0: none */
	uint32_t	first;		/* position of its first event */
	uint8_t		used;
	uint8_t		state;		/* PS_SEEN: obj_create first;
					   PS_INACTIVE: it existed */
};

void
rp_prime_init(struct rp_prime *p)
{
	memset(p, 0, sizeof(*p));
}

static uint64_t
prime_hash(uint64_t x)
{
	x ^= x >> 33;
	x *= 0xff51afd7ed558ccdULL;
	x ^= x >> 33;
	return (x);
}

static uint32_t
prime_prio(uint32_t i)
{
	return ((uint32_t)prime_hash(i * 0x9e3779b97f4a7c15ULL));
}

static int
prime_obj_grow(struct rp_prime *p)
{
	struct prime_obj *t, *o;
	size_t cap, i, j;

	cap = p->obj_cap != 0 ? p->obj_cap * 2 : 1024;
	if ((t = calloc(cap, sizeof(*t))) == NULL)
		return (-1);
	for (i = 0; i < p->obj_cap; i++) {
		o = &p->obj[i];
		if (!o->used)
			continue;
		for (j = prime_hash(o->id) & (cap - 1); t[j].used;
		    j = (j + 1) & (cap - 1))
			;
		t[j] = *o;
	}
	free(p->obj);
	p->obj = t;
	p->obj_cap = cap;
	return (0);
}

/*
 * Object id's entry, added when new (at position pos, as state).  NULL out
 * of memory.  The pointer holds until the next call.
 */
static struct prime_obj *
prime_obj_get(struct rp_prime *p, uint64_t id, uint32_t pos, uint8_t state)
{
	struct prime_obj *o;
	size_t i;

	if ((p->nobj + 1) * 2 > p->obj_cap && prime_obj_grow(p) != 0)
		return (NULL);
	for (i = prime_hash(id) & (p->obj_cap - 1);; i = (i + 1) &
	    (p->obj_cap - 1)) {
		o = &p->obj[i];
		if (!o->used) {
			o->used = 1;
			o->id = id;
			o->first = pos;
			o->state = state;
			p->nobj++;
			return (o);
		}
		if (o->id == id) {
			if (pos < o->first) {
				o->first = pos;
				o->state = state;
			}
			return (o);
		}
	}
}

/* A new run [start, end) of v, in no treap yet; 0 out of memory. */
static uint32_t
prime_run_new(struct rp_prime *p, uint64_t start, uint64_t end,
    const struct prime_val *v)
{
	struct prime_run *a, *r;
	uint32_t i, cap;

	if ((i = p->run_free) != 0)
		p->run_free = p->run[i].left;
	else {
		if (p->nrun == 0)
			p->nrun = 1;		/* index 0 is none */
		if (p->nrun >= p->run_cap) {
			if (p->run_cap >= UINT32_MAX / 2)
				return (0);
			cap = p->run_cap != 0 ? p->run_cap * 2 : 1024;
			if ((a = realloc(p->run, (size_t)cap *
			    sizeof(*a))) == NULL)
				return (0);
			p->run = a;
			p->run_cap = cap;
		}
		i = p->nrun++;
	}
	r = &p->run[i];
	r->start = start;
	r->end = end;
	r->left = r->right = 0;
	r->v = *v;
	if (++p->runs > p->runs_max)
		p->runs_max = p->runs;
	return (i);
}

/* Treap root with run n added (n's start is in no run of root). */
static uint32_t
prime_tr_insert(struct rp_prime *p, uint32_t root, uint32_t n)
{
	struct prime_run *r;
	uint32_t c;

	if (root == 0)
		return (n);
	if (p->run[n].start < p->run[root].start) {
		c = prime_tr_insert(p, p->run[root].left, n);
		r = &p->run[root];
		r->left = c;
		if (prime_prio(c) > prime_prio(root)) {
			r->left = p->run[c].right;
			p->run[c].right = root;
			return (c);
		}
	} else {
		c = prime_tr_insert(p, p->run[root].right, n);
		r = &p->run[root];
		r->right = c;
		if (prime_prio(c) > prime_prio(root)) {
			r->right = p->run[c].left;
			p->run[c].left = root;
			return (c);
		}
	}
	return (root);
}

/* One treap of treaps a and b, every start of a below every start of b. */
static uint32_t
prime_tr_join(struct rp_prime *p, uint32_t a, uint32_t b)
{
	if (a == 0)
		return (b);
	if (b == 0)
		return (a);
	if (prime_prio(a) > prime_prio(b)) {
		p->run[a].right = prime_tr_join(p, p->run[a].right, b);
		return (a);
	}
	p->run[b].left = prime_tr_join(p, a, p->run[b].left);
	return (b);
}

/* Treap root without run n (which is in it). */
static uint32_t
prime_tr_remove(struct rp_prime *p, uint32_t root, uint32_t n)
{
	if (root == n)
		return (prime_tr_join(p, p->run[n].left, p->run[n].right));
	if (p->run[n].start < p->run[root].start)
		p->run[root].left = prime_tr_remove(p, p->run[root].left, n);
	else
		p->run[root].right = prime_tr_remove(p, p->run[root].right,
		    n);
	return (root);
}

/* The run of root with the greatest start <= pindex, or 0. */
static uint32_t
prime_tr_le(const struct rp_prime *p, uint32_t root, uint64_t pindex)
{
	uint32_t best = 0;

	while (root != 0) {
		if (p->run[root].start <= pindex) {
			best = root;
			root = p->run[root].right;
		} else
			root = p->run[root].left;
	}
	return (best);
}

/* The run of root with the least start > pindex, or 0. */
static uint32_t
prime_tr_gt(const struct rp_prime *p, uint32_t root, uint64_t pindex)
{
	uint32_t best = 0;

	while (root != 0) {
		if (p->run[root].start > pindex) {
			best = root;
			root = p->run[root].left;
		} else
			root = p->run[root].right;
	}
	return (best);
}

/* Add run n to o's treap. */
static void
prime_run_add(struct rp_prime *p, struct prime_obj *o, uint32_t n)
{
	o->root = prime_tr_insert(p, o->root, n);
}

/* Take run n out of o's treap and free it. */
static void
prime_run_del(struct rp_prime *p, struct prime_obj *o, uint32_t n)
{
	o->root = prime_tr_remove(p, o->root, n);
	if (o->hint == n)
		o->hint = 0;
	p->run[n].left = p->run_free;
	p->run_free = n;
	p->runs--;
}

/*
 * Cut o's run n at pindex (inside it): n keeps the pages below it, and
 * the new run returned (0 out of memory) has the rest.
 */
static uint32_t
prime_run_cut(struct rp_prime *p, struct prime_obj *o, uint32_t n,
    uint64_t pindex)
{
	struct prime_val v = p->run[n].v;
	uint32_t k;

	if ((k = prime_run_new(p, pindex, p->run[n].end, &v)) == 0)
		return (0);
	p->run[n].end = pindex;
	prime_run_add(p, o, k);
	return (k);
}

/*
 * A page's record old after it met w as well (w later in the file than
 * old's events, or of another pass): into *nv; whether it changed.
 */
static int
prime_val_meet(const struct prime_val *old, const struct prime_val *w,
    struct prime_val *nv)
{
	*nv = *old;
	if (w->first < old->first) {
		nv->first = w->first;
		nv->state = w->state;
	}
	if (w->settle < old->settle) {
		nv->settle = w->settle;
		nv->ins = w->ins;
	}
	return (nv->first != old->first || nv->settle != old->settle);
}

static int
prime_val_eq(const struct prime_val *a, const struct prime_val *b)
{
	return (a->first == b->first && a->settle == b->settle &&
	    a->state == b->state && a->ins == b->ins);
}

/*
 * Join o's adjacent runs of one value, from the run holding page from - 1
 * to the last starting below page to.
 */
static void
prime_coalesce(struct rp_prime *p, struct prime_obj *o, uint64_t from,
    uint64_t to)
{
	uint32_t i, k;

	i = prime_tr_le(p, o->root, from > 0 ? from - 1 : 0);
	if (i == 0)
		i = prime_tr_gt(p, o->root, 0);
	while (i != 0 && p->run[i].start < to) {
		k = prime_tr_gt(p, o->root, p->run[i].start);
		if (k != 0 && p->run[k].start == p->run[i].end &&
		    prime_val_eq(&p->run[k].v, &p->run[i].v)) {
			p->run[i].end = p->run[k].end;
			prime_run_del(p, o, k);
			continue;
		}
		i = k;
	}
}

/*
 * Pages [a, b) of o met w: each run's record meets w, pages in no run get
 * one of w.  0, or -1 out of memory.
 */
static int
prime_put(struct rp_prime *p, struct prime_obj *o, uint64_t a, uint64_t b,
    const struct prime_val *w)
{
	struct prime_val nv;
	uint64_t pos, end;
	uint32_t i, k;
	int changed = 0;

	/* The common case: one run has them all, and w changes nothing. */
	i = o->hint;
	if (i != 0 && p->run[i].start <= a && b <= p->run[i].end &&
	    !prime_val_meet(&p->run[i].v, w, &nv))
		return (0);
	for (pos = a; pos < b; pos = end) {
		i = prime_tr_le(p, o->root, pos);
		if (i != 0 && p->run[i].end > pos) {
			end = p->run[i].end < b ? p->run[i].end : b;
			if (!prime_val_meet(&p->run[i].v, w, &nv))
				continue;
			if (p->run[i].start < pos &&
			    (i = prime_run_cut(p, o, i, pos)) == 0)
				return (-1);
			if (p->run[i].end > b && prime_run_cut(p, o, i, b) == 0)
				return (-1);
			p->run[i].v = nv;
		} else {
			k = prime_tr_gt(p, o->root, pos);
			end = k != 0 && p->run[k].start < b ? p->run[k].start :
			    b;
			if ((i = prime_run_new(p, pos, end, w)) == 0)
				return (-1);
			prime_run_add(p, o, i);
		}
		changed = 1;
	}
	if (changed)
		prime_coalesce(p, o, a, b);
	o->hint = prime_tr_le(p, o->root, a);
	return (0);
}

/* The state a page whose first event is ev's assumed (prime.h). */
static enum prime_state
prime_first(const struct pr_event *ev)
{
	switch (ev->kind) {
	case PR_PAGE_LOOKUP:
		return (PS_PENDING);
	case PR_MAP:
		return ((ev->obj & PR_OBJ_ANON) != 0 ? PS_SEEN : PS_PENDING);
	case PR_PAGE_REMOVE:
	case PR_ACTIVATE:
	case PR_REQUEUE:
	case PR_REMOVE_ALL:
	case PR_REMOVE_WRITE:
		return (PS_INACTIVE);
	case PR_DEACTIVATE:
		return (PS_ACTIVE);
	case PR_UNWIRE:
		return (PS_WIRED);
	default:		/* page_insert, wire, sendfile */
		return (PS_SEEN);
	}
}

/*
 * What a run's pages were primed as: their first event decides, unless it
 * left them pending; then the event that settles them does (the grab's
 * own insertion: nothing to prime; any other: they were there).
 */
static enum prime_state
prime_decide(const struct prime_val *v)
{
	if (v->state != PS_PENDING || v->settle == PRIME_NONE)
		return ((enum prime_state)v->state);
	return (v->ins ? PS_SEEN : PS_INACTIVE);
}

/* The pages an event covers, [*a, *b): sendfile's may be in bytes. */
static void
prime_range(const struct pr_event *ev, uint64_t *a, uint64_t *b)
{
	uint64_t first, n;

	first = ev->pindex;
	n = ev->npages != 0 ? ev->npages : 1;
	if (ev->kind == PR_SENDFILE && ev->npages == 0 && ev->arg != 0) {
		first = ev->addr >> PR_PAGE_SHIFT;
		n = ((ev->addr + ev->arg - 1) >> PR_PAGE_SHIFT) - first + 1;
	}
	*a = first;
	*b = n > PRIME_PINDEX_END - first ? PRIME_PINDEX_END : first + n;
}

int
rp_prime_event(struct rp_prime *p, const struct pr_event *ev)
{
	struct prime_obj *o;
	struct prime_val w;
	uint64_t a, b;

	/* Advice is no touch (prime.h); pmap-only kinds have no page. */
	if (!rp_kind_has_obj(ev->kind) || ev->kind == PR_RELEASE ||
	    (ev->kind == PR_DEACTIVATE && (ev->flags & PR_F_HEAD) != 0))
		return (0);
	if ((o = prime_obj_get(p, ev->obj, p->pos, ev->kind ==
	    PR_OBJ_CREATE ? PS_SEEN : PS_INACTIVE)) == NULL)
		return (-1);
	if (ev->kind == PR_OBJ_CREATE || ev->kind == PR_OBJ_TERMINATE)
		return (0);
	prime_range(ev, &a, &b);
	if (a >= b)
		return (0);
	w.first = p->pos;
	w.state = (uint8_t)prime_first(ev);
	w.settle = ev->kind == PR_PAGE_LOOKUP || ev->kind == PR_MAP ?
	    PRIME_NONE : p->pos;
	w.ins = ev->kind == PR_PAGE_INSERT;
	return (prime_put(p, o, a, b, &w));
}

/*
 * Call fn(p, arg, run) for the runs of treap root in pindex order, while
 * it returns 0; its last result.
 */
static int
prime_tr_walk(struct rp_prime *p, uint32_t root,
    int (*fn)(struct rp_prime *, void *, const struct prime_run *),
    void *arg)
{
	int rv;

	if (root == 0)
		return (0);
	if ((rv = prime_tr_walk(p, p->run[root].left, fn, arg)) != 0 ||
	    (rv = fn(p, arg, &p->run[root])) != 0)
		return (rv);
	return (prime_tr_walk(p, p->run[root].right, fn, arg));
}

/* rp_prime_merge()'s walk: one run of src into dst's object. */
struct prime_merge {
	struct rp_prime	*dst;
	struct prime_obj *o;
};

static int
prime_merge_run(struct rp_prime *src, void *arg,
    const struct prime_run *r)
{
	struct prime_merge *m = arg;

	(void)src;
	return (prime_put(m->dst, m->o, r->start, r->end, &r->v));
}

int
rp_prime_merge(struct rp_prime *dst, struct rp_prime *src)
{
	struct prime_merge m;
	struct prime_obj *so;
	size_t i;
	int rv = 0;

	m.dst = dst;
	for (i = 0; i < src->obj_cap && rv == 0; i++) {
		so = &src->obj[i];
		if (!so->used)
			continue;
		/* prime_put() leaves dst's objects alone: m.o holds. */
		if ((m.o = prime_obj_get(dst, so->id, so->first,
		    so->state)) == NULL)
			rv = -1;
		else
			rv = prime_tr_walk(src, so->root, prime_merge_run, &m);
	}
	rp_prime_free(src);
	return (rv);
}

/* By id. */
static int
prime_obj_cmp(const void *a, const void *b)
{
	const struct prime_obj *x = a, *y = b;

	return (x->id < y->id ? -1 : x->id > y->id);
}

/* Append one priming event, or only count it when p->ev is NULL. */
static void
prime_emit(struct rp_prime *p, uint8_t kind, uint64_t obj, uint64_t pindex,
    uint32_t npages)
{
	struct pr_event *ev;

	if (p->ev != NULL) {
		ev = &p->ev[p->nev];
		memset(ev, 0, sizeof(*ev));
		ev->kind = kind;
		ev->obj = obj;
		ev->pindex = pindex;
		ev->npages = npages;
	}
	p->nev++;
}

/* The events of pages [pindex, pindex + n) of obj primed as state. */
static void
prime_emit_pages(struct rp_prime *p, uint64_t obj, uint64_t pindex,
    uint64_t n, enum prime_state state)
{
	uint32_t len;

	p->cnt.pages += n;
	if (state == PS_WIRED)
		p->cnt.wired += n;
	else if (state == PS_ACTIVE)
		p->cnt.active += n;
	else
		p->cnt.inactive += n;
	for (; n > 0; n -= len, pindex += len) {
		len = n < UINT32_MAX ? (uint32_t)n : UINT32_MAX;
		if (state == PS_WIRED) {	/* wire grabs it, in no queue */
			prime_emit(p, PR_WIRE, obj, pindex, len);
			continue;
		}
		prime_emit(p, PR_PAGE_INSERT, obj, pindex, len);
		if (state == PS_ACTIVE)
			prime_emit(p, PR_ACTIVATE, obj, pindex, len);
	}
}

/*
 * rp_prime_finish()'s walk over one object: its pages primed in one state
 * (pending ones are inactive) are one run, [start, end), emitted when the
 * next run does not extend it.
 */
struct prime_emit_run {
	uint64_t	obj;
	uint64_t	start, end;	/* end == start: none */
	enum prime_state state;
};

/* An inactive page's run takes pending ones (they are primed inactive). */
static enum prime_state
prime_class(enum prime_state s)
{
	return (s == PS_PENDING ? PS_INACTIVE : s);
}

static int
prime_finish_run(struct rp_prime *p, void *arg, const struct prime_run *r)
{
	struct prime_emit_run *e = arg;
	enum prime_state s = prime_decide(&r->v);

	if (s < PS_PENDING)
		return (0);
	s = prime_class(s);
	if (e->end != e->start && (e->end != r->start || e->state != s)) {
		prime_emit_pages(p, e->obj, e->start, e->end - e->start,
		    e->state);
		e->end = e->start;
	}
	if (e->end == e->start) {
		e->start = r->start;
		e->state = s;
	}
	e->end = r->end;
	return (0);
}

/* The priming events of the pass's sorted objects, or only their count. */
static void
prime_finish_emit(struct rp_prime *p, const struct prime_obj *objs,
    size_t n)
{
	struct prime_emit_run e;
	size_t i;

	p->nev = 0;
	memset(&p->cnt, 0, sizeof(p->cnt));
	for (i = 0; i < n; i++)
		if (objs[i].state == PS_INACTIVE) {
			prime_emit(p, PR_OBJ_CREATE, objs[i].id, 0, 0);
			p->cnt.objects++;
		}
	for (i = 0; i < n; i++) {
		e.obj = objs[i].id;
		e.start = e.end = 0;
		e.state = PS_SEEN;
		(void)prime_tr_walk(p, objs[i].root, prime_finish_run, &e);
		if (e.end != e.start)
			prime_emit_pages(p, e.obj, e.start, e.end - e.start,
			    e.state);
	}
}

int
rp_prime_finish(struct rp_prime *p)
{
	struct prime_obj *objs;
	size_t i, n;

	free(p->ev);
	p->ev = NULL;
	if ((objs = malloc((p->nobj + 1) * sizeof(*objs))) == NULL)
		return (-1);
	for (i = 0, n = 0; i < p->obj_cap; i++)
		if (p->obj[i].used)
			objs[n++] = p->obj[i];
	qsort(objs, n, sizeof(*objs), prime_obj_cmp);
	prime_finish_emit(p, objs, n);		/* count */
	if ((p->ev = malloc((p->nev + 1) * sizeof(*p->ev))) == NULL) {
		free(objs);
		return (-1);
	}
	prime_finish_emit(p, objs, n);
	free(objs);
	free(p->obj);
	free(p->run);
	p->obj = NULL;
	p->run = NULL;
	p->obj_cap = p->nobj = 0;
	p->run_cap = p->nrun = p->run_free = 0;
	p->runs = 0;
	return (0);
}

void
rp_prime_free(struct rp_prime *p)
{
	free(p->obj);
	free(p->run);
	free(p->ev);
	memset(p, 0, sizeof(*p));
}

uint64_t
rp_prime_apply(const struct rp_prime *p, unsigned replicas,
    uint64_t obj_stride, int (*apply)(void *, const struct pr_event *),
    void *cpu)
{
	struct pr_event ev;
	uint64_t skipped = 0;
	unsigned r;
	size_t i;

	for (r = 0; r < replicas; r++)
		for (i = 0; i < p->nev; i++) {
			ev = p->ev[i];
			ev.obj += (uint64_t)r * obj_stride;
			if (apply(cpu, &ev) != 0)
				skipped++;
		}
	return (skipped);
}
