/*
 * idmap.h - map sparse 64-bit ids (trace object and pmap ids, thread ids,
 * CPUs) onto dense indexes 0, 1, 2, ... in order of first appearance.
 *
 * Open addressing with linear probing; grows at 1/2 load.  Not thread-safe:
 * one owner, or any number of readers (rp_idmap_find) once nobody writes.
 */
#ifndef PR_IDMAP_H
#define PR_IDMAP_H

#include <stddef.h>
#include <stdint.h>

struct rp_idmap {
	uint64_t	*key;		/* slot keys */
	uint32_t	*val;		/* dense index + 1; 0 = empty slot */
	size_t		 cap;		/* slots, a power of two */
	size_t		 n;		/* ids mapped so far */
};

void	rp_idmap_init(struct rp_idmap *m);
void	rp_idmap_free(struct rp_idmap *m);
/*
 * The dense index of id, assigning the next one when id is new.  Returns
 * the index, or -1 when out of memory or past UINT32_MAX - 1 ids.
 */
int64_t	rp_idmap_get(struct rp_idmap *m, uint64_t id);
/* The dense index of id, or -1 when id was never mapped.  Reads only. */
int64_t	rp_idmap_find(const struct rp_idmap *m, uint64_t id);
/* Forget every id, keeping the slots allocated (a map reused per frame). */
void	rp_idmap_clear(struct rp_idmap *m);
/* fn(arg, id, index) for every id mapped, in no set order.  Reads only. */
void	rp_idmap_foreach(const struct rp_idmap *m,
	    void (*fn)(void *arg, uint64_t id, uint32_t index), void *arg);

#endif /* PR_IDMAP_H */
