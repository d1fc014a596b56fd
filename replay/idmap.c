/*
 * idmap.c - sparse 64-bit ids to dense indexes (see idmap.h).
 */
#include <stdlib.h>
#include <string.h>

#include "idmap.h"

#define IDMAP_MIN_CAP	64

void
rp_idmap_init(struct rp_idmap *m)
{
	m->key = NULL;
	m->val = NULL;
	m->cap = 0;
	m->n = 0;
}

void
rp_idmap_free(struct rp_idmap *m)
{
	free(m->key);
	free(m->val);
	rp_idmap_init(m);
}

/* A 64-bit mix (splitmix64 finaliser) so that sequential ids spread. */
static uint64_t
idmap_hash(uint64_t x)
{
	x ^= x >> 30;
	x *= 0xbf58476d1ce4e5b9ULL;
	x ^= x >> 27;
	x *= 0x94d049bb133111ebULL;
	x ^= x >> 31;
	return (x);
}

/* Rehash into cap slots; 0 or -1 (out of memory, m unchanged). */
static int
idmap_grow(struct rp_idmap *m, size_t cap)
{
	uint64_t *key;
	uint32_t *val;
	size_t i, j;

	key = malloc(cap * sizeof(*key));
	val = calloc(cap, sizeof(*val));
	if (key == NULL || val == NULL) {
		free(key);
		free(val);
		return (-1);
	}
	for (i = 0; i < m->cap; i++) {
		if (m->val[i] == 0)
			continue;
		j = idmap_hash(m->key[i]) & (cap - 1);
		while (val[j] != 0)
			j = (j + 1) & (cap - 1);
		key[j] = m->key[i];
		val[j] = m->val[i];
	}
	free(m->key);
	free(m->val);
	m->key = key;
	m->val = val;
	m->cap = cap;
	return (0);
}

/* Where id is in m (cap > 0), or the empty slot it would take. */
static size_t
idmap_slot(const struct rp_idmap *m, uint64_t id)
{
	size_t j;

	j = idmap_hash(id) & (m->cap - 1);
	while (m->val[j] != 0 && m->key[j] != id)
		j = (j + 1) & (m->cap - 1);
	return (j);
}

int64_t
rp_idmap_get(struct rp_idmap *m, uint64_t id)
{
	size_t j;

	if (2 * (m->n + 1) > m->cap &&
	    idmap_grow(m, m->cap == 0 ? IDMAP_MIN_CAP : 2 * m->cap) != 0)
		return (-1);
	j = idmap_slot(m, id);
	if (m->val[j] != 0)
		return ((int64_t)m->val[j] - 1);
	if (m->n >= UINT32_MAX - 1)
		return (-1);
	m->key[j] = id;
	m->val[j] = (uint32_t)++m->n;
	return ((int64_t)m->n - 1);
}

int64_t
rp_idmap_find(const struct rp_idmap *m, uint64_t id)
{
	size_t j;

	if (m->cap == 0)
		return (-1);
	j = idmap_slot(m, id);
	return (m->val[j] != 0 ? (int64_t)m->val[j] - 1 : -1);
}

void
rp_idmap_foreach(const struct rp_idmap *m,
    void (*fn)(void *arg, uint64_t id, uint32_t index), void *arg)
{
	size_t j;

	for (j = 0; j < m->cap; j++)
		if (m->val[j] != 0)
			fn(arg, m->key[j], m->val[j] - 1);
}

void
rp_idmap_clear(struct rp_idmap *m)
{
	if (m->cap > 0)
		memset(m->val, 0, m->cap * sizeof(*m->val));
	m->n = 0;
}
