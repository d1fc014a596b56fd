/*
 * pmap_ops.h - a seeded random stream of pmap operations shared by the
 * equivalence and stress tests, and a canonical digest of pmap state.
 */
#ifndef TESTS_PMAP_OPS_H
#define TESTS_PMAP_OPS_H

#include "mi_fake.h"

#define OPS_VA0		0x7f0000000000ul

struct ops_rng {
	uint64_t	s;
};

struct ops_space {
	uint64_t	npmaps;		/* pmaps the stream uses: [0, npmaps) */
	uint64_t	npages;		/* pages the stream maps: [0, npages) */
	bool		remove_all;	/* include try_remove_all/_write */
	bool		lifecycle;	/* include pmap destroy/create */
};

uint64_t ops_rand(struct ops_rng *r);
/* Apply one random operation on CPU c. */
void	ops_step(struct eng_cpu *c, struct ops_rng *r,
	    const struct ops_space *sp);
/*
 * FNV-1a digest of every pmap's mappings (va, pa, RW/W/PS bits), counts,
 * and every pv list as a sorted set of (pmap, va).  Single-threaded.
 */
uint64_t ops_digest(struct vm_engine *e);

#endif /* TESTS_PMAP_OPS_H */
