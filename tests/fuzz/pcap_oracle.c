/*
 * pcap_oracle.c - the rules of pcap_oracle.h.
 */
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>

#include "pcap_oracle.h"

/* Report a broken rule and abort. */
#define ORACLE(cond, ...) do {						\
	if (!(cond)) {							\
		fprintf(stderr, "pcap oracle: %s: ", #cond);		\
		fprintf(stderr, __VA_ARGS__);				\
		fputc('\n', stderr);					\
		abort();						\
	}								\
} while (0)

void
pcap_oracle_event(struct pcap_oracle *o, const struct pr_event *ev)
{
	uint64_t last;

	ORACLE(ev->kind == PR_SENDFILE, "event %" PRIu64 " kind %u",
	    o->events, ev->kind);
	ORACLE(ev->time_ns >= o->last_ns, "event %" PRIu64 " at %" PRIu64
	    " after %" PRIu64, o->events, ev->time_ns, o->last_ns);
	ORACLE(ev->arg >= 1 && ev->addr + (ev->arg - 1) >= ev->addr,
	    "event %" PRIu64 " bytes %" PRIu64 "+%" PRIu64, o->events,
	    ev->addr, ev->arg);
	last = (ev->addr + (ev->arg - 1)) >> PR_PAGE_SHIFT;
	ORACLE(ev->npages >= 1 && ev->pindex == ev->addr >> PR_PAGE_SHIFT &&
	    last - ev->pindex + 1 == ev->npages, "event %" PRIu64 " pages %"
	    PRIu64 "+%" PRIu32 " for bytes %" PRIu64 "+%" PRIu64, o->events,
	    ev->pindex, ev->npages, ev->addr, ev->arg);
	ORACLE(ev->tid >= 1 && ev->flags == o->flags && ev->pmap == 0 &&
	    ev->cpu == 0, "event %" PRIu64 " tid %" PRIu32 " flags %u",
	    o->events, ev->tid, ev->flags);
	o->events++;
	o->last_ns = ev->time_ns;
}

void
pcap_oracle_end(const struct pcap_oracle *o, const struct ph_counts *c)
{
	ORACLE(o->events == c->events, "%" PRIu64 " events, %" PRIu64
	    " counted", o->events, c->events);
	ORACLE(c->estimated <= c->events && c->clipped <= c->events,
	    "%" PRIu64 " estimated, %" PRIu64 " clipped of %" PRIu64,
	    c->estimated, c->clipped, c->events);
	ORACLE(c->requests == c->events + c->no_body + c->unanswered +
	    c->dropped_requests, "%" PRIu64 " requests != %" PRIu64
	    " events + %" PRIu64 " no body + %" PRIu64 " unanswered + %"
	    PRIu64 " dropped", c->requests, c->events, c->no_body,
	    c->unanswered, c->dropped_requests);
}
