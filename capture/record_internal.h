/*
 * record_internal.h - pieces of the eBPF recorder's user half shared with
 * its unit tests (tests/capture/test_record_map.c).
 */
#ifndef PR_CAPTURE_RECORD_INTERNAL_H
#define PR_CAPTURE_RECORD_INTERNAL_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

/*
 * Id map: 64-bit key to 64-bit value, open addressing, linear probing,
 * backward-shift deletion; key 0 is the empty slot and not a valid key.
 * Not thread-safe: one owner (the drain thread).  Unlike replay/idmap.h it
 * deletes, which ending pmaps and objects need.  A zeroed struct is an
 * empty map.
 */
struct rec_map {
	uint64_t	*key;
	uint64_t	*val;
	size_t		 cap;	/* power of two */
	size_t		 n;
};

/* Look key up: its value in *valp and true, or false. */
bool	rec_map_get(const struct rec_map *m, uint64_t key, uint64_t *valp);
/* Insert or replace key; 0, or -1 when out of memory. */
int	rec_map_put(struct rec_map *m, uint64_t key, uint64_t val);
/* Remove key if present. */
void	rec_map_del(struct rec_map *m, uint64_t key);
/* Free the table; the map is empty again. */
void	rec_map_free(struct rec_map *m);

/*
 * --anonymize's object id hash, keyed: one-to-one, and it keeps the class
 * of an id (bit 63, REC_OBJ_ANON: anonymous memory, else a file), so no
 * object id becomes 0 ("no object") or another object's id.
 */
uint64_t rec_anon_hash(uint64_t x, uint64_t key);

#endif /* PR_CAPTURE_RECORD_INTERNAL_H */
