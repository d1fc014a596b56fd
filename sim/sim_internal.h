/*
 * sim_internal.h - what the simulator's files share (not a public header):
 * the cache-line table of the coherence model (cache.c).
 */
#ifndef SIM_INTERNAL_H
#define SIM_INTERNAL_H

#include <stddef.h>
#include <stdint.h>

#include "sim.h"

/*
 * One cache line's coherence state.  All fields are the simulator
 * thread's (one host thread; no locking).
 */
struct sim_line {
	uintptr_t	 key;		/* line address / 64, plus one; 0: free */
	int32_t		 owner;		/* CPU holding it modified, or -1 */
	uint32_t	 nwatch;	/* CPUs in sim_wait_write() on it */
	uint64_t	 busy_until;	/* the last transfer's end */
	uint64_t	 writes;	/* RMWs and stores, ever */
};

struct sim_cache {
	const struct sim_machine *m;
	unsigned	 ncpus;
	unsigned	 words;		/* sharer bitmap words per line */
	struct sim_line	*line;		/* [cap] */
	uint64_t	*sharers;	/* [cap * words]: valid shared copies */
	size_t		 cap;		/* power of two */
	size_t		 n;		/* lines in use */
	uint64_t	 transfers;
};

int	sim_cache_init(struct sim_cache *c, const struct sim_machine *m,
	    unsigned ncpus);
void	sim_cache_free(struct sim_cache *c);
/* The line of p, created on first use (NULL: out of memory). */
struct sim_line *sim_cache_line(struct sim_cache *c, const void *p);
/* Does cpu hold a valid copy of l? */
bool	sim_cache_holds(const struct sim_cache *c, const struct sim_line *l,
	    unsigned cpu);
/*
 * cpu does op on line l at time now: the coherence state moves, and the
 * time the operation completes is returned.
 */
uint64_t sim_cache_access(struct sim_cache *c, struct sim_line *l,
	    unsigned cpu, enum eng_sim_op op, uint64_t now);

#endif /* SIM_INTERNAL_H */
