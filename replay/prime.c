/*
 * prime.c - the state a trace assumes before its first event (see
 * prime.h).
 */
#include <stdlib.h>
#include <string.h>

#include "load.h"
#include "prime.h"

/* A page's state in the pass; 0 is an empty table slot. */
enum prime_state {
	PS_EMPTY = 0,
	PS_SEEN,	/* the trace makes it, or nothing to prime */
	PS_PENDING,	/* first grabbed: primed unless inserted next */
	PS_INACTIVE,	/* primed resident, inactive */
	PS_ACTIVE,	/* primed resident, active */
	PS_WIRED,	/* primed resident, wired once */
};

/* The object's own entry: pindex beyond any page's (engine: < 2^52). */
#define PRIME_OBJ_KEY	UINT64_MAX

struct rp_prime_entry {
	uint64_t	obj;
	uint64_t	pindex;
	uint8_t		state;		/* enum prime_state */
};

void
rp_prime_init(struct rp_prime *p)
{
	memset(p, 0, sizeof(*p));
}

static uint64_t
prime_hash(uint64_t obj, uint64_t pindex)
{
	uint64_t h = obj * 0x9e3779b97f4a7c15ULL ^ pindex;

	h ^= h >> 33;
	h *= 0xff51afd7ed558ccdULL;
	h ^= h >> 33;
	return (h);
}

static int
prime_grow(struct rp_prime *p)
{
	struct rp_prime_entry *t, *e;
	size_t cap, i, j;

	cap = p->cap != 0 ? p->cap * 2 : 4096;
	if ((t = calloc(cap, sizeof(*t))) == NULL)
		return (-1);
	for (i = 0; i < p->cap; i++) {
		e = &p->tab[i];
		if (e->state == PS_EMPTY)
			continue;
		for (j = prime_hash(e->obj, e->pindex) & (cap - 1);
		    t[j].state != PS_EMPTY; j = (j + 1) & (cap - 1))
			;
		t[j] = *e;
	}
	free(p->tab);
	p->tab = t;
	p->cap = cap;
	return (0);
}

/* The entry of (obj, pindex), added empty when new; NULL out of memory. */
static struct rp_prime_entry *
prime_slot(struct rp_prime *p, uint64_t obj, uint64_t pindex)
{
	struct rp_prime_entry *e;
	size_t i;

	if ((p->n + 1) * 2 > p->cap && prime_grow(p) != 0)
		return (NULL);
	for (i = prime_hash(obj, pindex) & (p->cap - 1);; i = (i + 1) &
	    (p->cap - 1)) {
		e = &p->tab[i];
		if (e->state == PS_EMPTY) {
			e->obj = obj;
			e->pindex = pindex;
			return (e);
		}
		if (e->obj == obj && e->pindex == pindex)
			return (e);
	}
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

/* One page's entry after event ev. */
static void
prime_page(struct rp_prime_entry *e, const struct pr_event *ev)
{
	if (e->state == PS_EMPTY) {
		e->state = (uint8_t)prime_first(ev);
		return;
	}
	if (e->state != PS_PENDING)
		return;
	switch (ev->kind) {
	case PR_PAGE_INSERT:		/* the grab's own insertion */
		e->state = PS_SEEN;
		break;
	case PR_PAGE_LOOKUP:
	case PR_MAP:
		break;
	default:			/* it was there */
		e->state = PS_INACTIVE;
		break;
	}
}

/* The pages an event covers: sendfile's may be given in bytes. */
static void
prime_range(const struct pr_event *ev, uint64_t *first, uint64_t *n)
{
	*first = ev->pindex;
	*n = ev->npages != 0 ? ev->npages : 1;
	if (ev->kind == PR_SENDFILE && ev->npages == 0 && ev->arg != 0) {
		*first = ev->addr >> PR_PAGE_SHIFT;
		*n = ((ev->addr + ev->arg - 1) >> PR_PAGE_SHIFT) - *first + 1;
	}
}

int
rp_prime_event(struct rp_prime *p, const struct pr_event *ev)
{
	struct rp_prime_entry *e;
	uint64_t first, n, i;

	/* Advice is no touch (prime.h); pmap-only kinds have no page. */
	if (!rp_kind_has_obj(ev->kind) || ev->kind == PR_RELEASE ||
	    (ev->kind == PR_DEACTIVATE && (ev->flags & PR_F_HEAD) != 0))
		return (0);
	if (ev->kind != PR_OBJ_CREATE && ev->kind != PR_OBJ_TERMINATE) {
		prime_range(ev, &first, &n);
		for (i = 0; i < n && first + i < PRIME_OBJ_KEY; i++) {
			if ((e = prime_slot(p, ev->obj, first + i)) == NULL)
				return (-1);
			if (e->state == PS_EMPTY)
				p->n++;
			prime_page(e, ev);
		}
	}
	if ((e = prime_slot(p, ev->obj, PRIME_OBJ_KEY)) == NULL)
		return (-1);
	if (e->state == PS_EMPTY) {
		p->n++;
		e->state = ev->kind == PR_OBJ_CREATE ? PS_SEEN : PS_INACTIVE;
	}
	return (0);
}

/* Objects first, then by object and pindex. */
static int
prime_cmp(const void *a, const void *b)
{
	const struct rp_prime_entry *x = a, *y = b;
	int xo = x->pindex == PRIME_OBJ_KEY, yo = y->pindex == PRIME_OBJ_KEY;

	if (xo != yo)
		return (yo - xo);
	if (x->obj != y->obj)
		return (x->obj < y->obj ? -1 : 1);
	return (x->pindex < y->pindex ? -1 : x->pindex > y->pindex);
}

/* Append one priming event; ev has room (at most two per entry). */
static void
prime_emit(struct rp_prime *p, uint8_t kind, uint64_t obj, uint64_t pindex,
    uint32_t npages)
{
	struct pr_event *ev = &p->ev[p->nev++];

	memset(ev, 0, sizeof(*ev));
	ev->kind = kind;
	ev->obj = obj;
	ev->pindex = pindex;
	ev->npages = npages;
}

/* The events of one run of pages in one state. */
static void
prime_run(struct rp_prime *p, const struct rp_prime_entry *e, uint32_t n)
{
	p->cnt.pages += n;
	switch (e->state) {
	case PS_WIRED:		/* wire grabs it, in no queue */
		prime_emit(p, PR_WIRE, e->obj, e->pindex, n);
		p->cnt.wired += n;
		return;
	case PS_ACTIVE:
		prime_emit(p, PR_PAGE_INSERT, e->obj, e->pindex, n);
		prime_emit(p, PR_ACTIVATE, e->obj, e->pindex, n);
		p->cnt.active += n;
		return;
	default:		/* inactive, pending */
		prime_emit(p, PR_PAGE_INSERT, e->obj, e->pindex, n);
		p->cnt.inactive += n;
		return;
	}
}

/* Whether an entry is primed as a page (pending ones are, inactive). */
static int
prime_primed(const struct rp_prime_entry *e)
{
	return (e->state >= PS_PENDING);
}

int
rp_prime_finish(struct rp_prime *p)
{
	struct rp_prime_entry *e, *run;
	size_t i, k, n;
	uint32_t len;

	for (i = 0, n = 0; i < p->cap; i++)
		if (prime_primed(&p->tab[i]))
			p->tab[n++] = p->tab[i];
	qsort(p->tab, n, sizeof(*p->tab), prime_cmp);
	free(p->ev);
	p->nev = 0;
	memset(&p->cnt, 0, sizeof(p->cnt));
	if ((p->ev = malloc((2 * n + 1) * sizeof(*p->ev))) == NULL)
		return (-1);
	for (i = 0; i < n; i = k) {
		run = &p->tab[i];
		if (run->pindex == PRIME_OBJ_KEY) {
			prime_emit(p, PR_OBJ_CREATE, run->obj, 0, 0);
			p->cnt.objects++;
			k = i + 1;
			continue;
		}
		/* Pending pages are primed inactive: one run with them. */
		for (k = i + 1, len = 1; k < n && len < UINT32_MAX; k++, len++) {
			e = &p->tab[k];
			if (e->obj != run->obj || e->pindex != run->pindex +
			    len || (e->state == PS_ACTIVE) !=
			    (run->state == PS_ACTIVE) || (e->state ==
			    PS_WIRED) != (run->state == PS_WIRED))
				break;
		}
		prime_run(p, run, len);
	}
	free(p->tab);
	p->tab = NULL;
	p->cap = p->n = 0;
	return (0);
}

void
rp_prime_free(struct rp_prime *p)
{
	free(p->tab);
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
