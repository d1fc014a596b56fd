/*
 * record_map.c - the recorder's id map and --anonymize's id hash
 * (record_internal.h).
 */
#include <stdlib.h>
#include <string.h>

#include "record.h"
#include "record_internal.h"

/* The slot where key's probe starts (Fibonacci hashing). */
static size_t
map_home(const struct rec_map *m, uint64_t key)
{
	return ((size_t)(key * 0x9e3779b97f4a7c15ULL >> 20) & (m->cap - 1));
}

/* Double the table (1024 slots at first); -1 when out of memory. */
static int
map_grow(struct rec_map *m)
{
	struct rec_map n;
	size_t i, j;

	n.cap = m->cap == 0 ? 1024 : m->cap * 2;
	n.n = m->n;
	n.key = calloc(n.cap, sizeof(*n.key));
	n.val = calloc(n.cap, sizeof(*n.val));
	if (n.key == NULL || n.val == NULL) {
		free(n.key);
		free(n.val);
		return (-1);
	}
	for (i = 0; i < m->cap; i++) {
		if (m->key[i] == 0)
			continue;
		for (j = map_home(&n, m->key[i]); n.key[j] != 0;
		    j = (j + 1) & (n.cap - 1))
			;
		n.key[j] = m->key[i];
		n.val[j] = m->val[i];
	}
	free(m->key);
	free(m->val);
	*m = n;
	return (0);
}

/* The slot of key, or of the empty slot where it would go. */
static size_t
map_slot(const struct rec_map *m, uint64_t key)
{
	size_t i;

	for (i = map_home(m, key); m->key[i] != 0 && m->key[i] != key;
	    i = (i + 1) & (m->cap - 1))
		;
	return (i);
}

/* Look key up (record_internal.h). */
bool
rec_map_get(const struct rec_map *m, uint64_t key, uint64_t *valp)
{
	size_t i;

	if (m->cap == 0)
		return (false);
	i = map_slot(m, key);
	if (m->key[i] == 0)
		return (false);
	*valp = m->val[i];
	return (true);
}

/* Insert or replace key (record_internal.h). */
int
rec_map_put(struct rec_map *m, uint64_t key, uint64_t val)
{
	size_t i;

	if ((m->n + 1) * 2 > m->cap && map_grow(m) != 0)
		return (-1);
	i = map_slot(m, key);
	if (m->key[i] == 0)
		m->n++;
	m->key[i] = key;
	m->val[i] = val;
	return (0);
}

/* Remove key if present (backward-shift deletion keeps probes short). */
void
rec_map_del(struct rec_map *m, uint64_t key)
{
	size_t i, j, home;

	if (m->cap == 0)
		return;
	i = map_slot(m, key);
	if (m->key[i] == 0)
		return;
	m->key[i] = 0;
	m->n--;
	for (j = (i + 1) & (m->cap - 1); m->key[j] != 0;
	    j = (j + 1) & (m->cap - 1)) {
		home = map_home(m, m->key[j]);
		/* Move j back to i unless its home lies in (i, j]. */
		if (i <= j ? (i < home && home <= j) : (i < home || home <= j))
			continue;
		m->key[i] = m->key[j];
		m->val[i] = m->val[j];
		m->key[j] = 0;
		i = j;
	}
}

void
rec_map_free(struct rec_map *m)
{
	free(m->key);
	free(m->val);
	memset(m, 0, sizeof(*m));
}

/*
 * splitmix64's finaliser in 63 bits: each step (xor with a right shift,
 * multiplication by an odd number mod 2^63) is one-to-one on [0, 2^63),
 * and 0 goes to 0.
 */
static uint64_t
anon_mix(uint64_t x)
{
	x = ((x ^ (x >> 30)) * 0xbf58476d1ce4e5b9ULL) & ~REC_OBJ_ANON;
	x = ((x ^ (x >> 27)) * 0x94d049bb133111ebULL) & ~REC_OBJ_ANON;
	return (x ^ (x >> 31));
}

/*
 * Bit 63 is kept and the other 63 bits are mixed one-to-one with 0 going
 * to 0 (the xor with mix(key) undoes the key for id 0), so no two ids
 * become one and no id becomes 0.
 */
uint64_t
rec_anon_hash(uint64_t x, uint64_t key)
{
	key &= ~REC_OBJ_ANON;
	return ((x & REC_OBJ_ANON) |
	    (anon_mix((x & ~REC_OBJ_ANON) ^ key) ^ anon_mix(key)));
}
