/*
 * eng_alloc.h - the engine's heap allocations: each starts a cache line
 * and fills whole lines, so that no two of them share a line and the
 * engine's layout, line by line, does not depend on what the process
 * allocated before (a sweep, an output file).  simulate's coherence model
 * keys on cache lines (docs/simulate.md): without this its figures would
 * change with the heap's history.  Freed with free().
 */
#ifndef ENG_ALLOC_H
#define ENG_ALLOC_H

#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "lock.h"

/* size bytes, uninitialised, on lines of their own; NULL when out of memory. */
static inline void *
eng_alloc(size_t size)
{
	if (size == 0)
		size = 1;
	if (size > SIZE_MAX - ENG_CACHE_LINE)
		return (NULL);
	return (aligned_alloc(ENG_CACHE_LINE, (size + ENG_CACHE_LINE - 1) /
	    ENG_CACHE_LINE * ENG_CACHE_LINE));
}

/* n zeroed elements of size bytes, as calloc(). */
static inline void *
eng_calloc(size_t n, size_t size)
{
	void *p;

	if (size != 0 && n > SIZE_MAX / size)
		return (NULL);
	if ((p = eng_alloc(n * size)) != NULL)
		memset(p, 0, n * size);
	return (p);
}

#endif /* !ENG_ALLOC_H */
