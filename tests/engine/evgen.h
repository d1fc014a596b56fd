/*
 * evgen.h - random VM event streams for the engine tests: a small world of
 * objects, pmaps and page ranges that spans several 2 MiB reservations, so
 * that page locks, reservations and queues collide.
 */
#ifndef ENG_TEST_EVGEN_H
#define ENG_TEST_EVGEN_H

#include <stdbool.h>
#include <stdint.h>
#include <string.h>

#include "trace.h"

struct evgen {
	uint64_t	state;		/* xorshift64* */
	uint64_t	nobjects;
	uint64_t	npmaps;
	uint64_t	pindex_span;	/* pages per object touched */
	bool		scan;		/* include page-daemon scans */
	bool		pmap;		/* include pmap events */
	bool		sf_cached;	/* no SF_NOCACHE sendfile (which
					   FreeBSD 10 ignores) */
};

static inline uint64_t
evgen_rand(struct evgen *g)
{
	g->state ^= g->state >> 12;
	g->state ^= g->state << 25;
	g->state ^= g->state >> 27;
	return (g->state * 0x2545F4914F6CDD1DULL);
}

static inline uint64_t
evgen_below(struct evgen *g, uint64_t n)
{
	return (evgen_rand(g) % n);
}

/* Next event: weights favour the page-cache operations. */
static inline void
evgen_next(struct evgen *g, struct pr_event *ev)
{
	static const uint8_t mix[] = {
		PR_PAGE_INSERT, PR_PAGE_INSERT, PR_PAGE_LOOKUP, PR_PAGE_LOOKUP,
		PR_PAGE_REMOVE, PR_WIRE, PR_WIRE, PR_UNWIRE, PR_UNWIRE,
		PR_RELEASE, PR_RELEASE, PR_ACTIVATE, PR_ACTIVATE,
		PR_DEACTIVATE, PR_DEACTIVATE, PR_REQUEUE, PR_SENDFILE,
		PR_SENDFILE, PR_OBJ_TERMINATE, PR_OBJ_CREATE, PR_SCAN,
		PR_PMAP_CREATE, PR_MAP, PR_MAP, PR_UNMAP, PR_REMOVE_ALL,
		PR_REMOVE_WRITE, PR_EXTRACT_HOLD, PR_PMAP_DESTROY, PR_PROMOTE,
		PR_DEMOTE,
	};
	uint8_t kind;

	do
		kind = mix[evgen_below(g, sizeof(mix))];
	while ((!g->scan && kind == PR_SCAN) ||
	    (!g->pmap && kind >= PR_PMAP_CREATE && kind <= PR_DEMOTE));
	memset(ev, 0, sizeof(*ev));
	ev->kind = kind;
	ev->obj = evgen_below(g, g->nobjects);
	ev->pindex = evgen_below(g, g->pindex_span);
	ev->npages = 1 + (uint32_t)evgen_below(g, 4);
	ev->pmap = evgen_below(g, g->npmaps);
	ev->addr = (ev->obj << 30) + (ev->pindex << 12);
	switch (kind) {
	case PR_RELEASE:
	case PR_SENDFILE:
		if (evgen_below(g, 2) && !(kind == PR_SENDFILE &&
		    g->sf_cached))
			ev->flags = PR_F_NOCACHE;
		break;
	case PR_DEACTIVATE:
		if (evgen_below(g, 4) == 0)
			ev->flags = PR_F_HEAD;
		break;
	case PR_MAP:
		if (evgen_below(g, 2))
			ev->flags = PR_F_WRITE;
		break;
	case PR_SCAN:
		ev->arg = 1 + evgen_below(g, 16);
		break;
	case PR_PROMOTE:
	case PR_DEMOTE:
		ev->addr &= ~(((uint64_t)1 << 21) - 1);
		break;
	case PR_OBJ_TERMINATE:
		/* Rarer than the rest: keep objects populated. */
		if (evgen_below(g, 4) != 0)
			ev->kind = PR_PAGE_LOOKUP;
		break;
	default:
		break;
	}
}

#endif /* ENG_TEST_EVGEN_H */
