/*
 * cache.c - the coherence model of the simulator (see sim.h): per 64-byte
 * line its owner or its sharers, the cost of moving it between virtual
 * CPUs by their distance in the machine's topology, and the serialisation
 * of one line's transfers.
 */
#include <stdbool.h>
#include <stdlib.h>
#include <string.h>

#include "sim_internal.h"

#define SIM_LINE_SHIFT	6	/* ENG_CACHE_LINE */
#define SIM_CACHE_MIN	4096

static size_t
cache_slot(uintptr_t key, size_t cap)
{
	return ((size_t)((key * 0x9e3779b97f4a7c15ull) >> 17) & (cap - 1));
}

int
sim_cache_init(struct sim_cache *c, const struct sim_machine *m,
    unsigned ncpus)
{
	memset(c, 0, sizeof(*c));
	c->m = m;
	c->ncpus = ncpus;
	c->words = (ncpus + 63) / 64;
	c->cap = SIM_CACHE_MIN;
	c->line = calloc(c->cap, sizeof(*c->line));
	c->sharers = calloc(c->cap * c->words, sizeof(*c->sharers));
	if (c->line == NULL || c->sharers == NULL) {
		sim_cache_free(c);
		return (-1);
	}
	return (0);
}

void
sim_cache_free(struct sim_cache *c)
{
	free(c->line);
	free(c->sharers);
	c->line = NULL;
	c->sharers = NULL;
}

/* Double the table, rehashing every line with its sharers. */
static int
cache_grow(struct sim_cache *c)
{
	struct sim_line *nl;
	uint64_t *ns;
	size_t i, j, cap = c->cap * 2;

	nl = calloc(cap, sizeof(*nl));
	ns = calloc(cap * c->words, sizeof(*ns));
	if (nl == NULL || ns == NULL) {
		free(nl);
		free(ns);
		return (-1);
	}
	for (i = 0; i < c->cap; i++) {
		if (c->line[i].key == 0)
			continue;
		for (j = cache_slot(c->line[i].key, cap); nl[j].key != 0;
		    j = (j + 1) & (cap - 1))
			continue;
		nl[j] = c->line[i];
		memcpy(&ns[j * c->words], &c->sharers[i * c->words],
		    c->words * sizeof(*ns));
	}
	free(c->line);
	free(c->sharers);
	c->line = nl;
	c->sharers = ns;
	c->cap = cap;
	return (0);
}

struct sim_line *
sim_cache_line(struct sim_cache *c, const void *p)
{
	uintptr_t key = ((uintptr_t)p >> SIM_LINE_SHIFT) + 1;
	size_t i;

	for (;;) {
		for (i = cache_slot(key, c->cap); c->line[i].key != 0;
		    i = (i + 1) & (c->cap - 1))
			if (c->line[i].key == key)
				return (&c->line[i]);
		if (2 * (c->n + 1) <= c->cap)
			break;
		if (cache_grow(c) != 0)
			return (NULL);
	}
	c->n++;
	c->line[i].key = key;
	c->line[i].owner = -1;
	return (&c->line[i]);
}

static uint64_t *
cache_sharers(const struct sim_cache *c, const struct sim_line *l)
{
	return (&c->sharers[(size_t)(l - c->line) * c->words]);
}

bool
sim_cache_holds(const struct sim_cache *c, const struct sim_line *l,
    unsigned cpu)
{
	return (l->owner == (int32_t)cpu ||
	    (cache_sharers(c, l)[cpu / 64] >> (cpu % 64) & 1) != 0);
}

/*
 * Distance between two virtual CPUs in ns: CPUs fill sockets, then core
 * complexes, then cores, SMT siblings adjacent (sim.h).
 */
static uint32_t
cache_distance(const struct sim_machine *m, unsigned a, unsigned b)
{
	unsigned ca = a / m->smt, cb = b / m->smt;

	if (a == b)
		return (0);
	if (ca == cb)
		return (m->smt_ns);
	ca /= m->cores_per_ccx;
	cb /= m->cores_per_ccx;
	if (ca == cb)
		return (m->ccx_ns);
	if (ca / m->ccx_per_socket == cb / m->ccx_per_socket)
		return (m->socket_ns);
	return (m->remote_ns);
}

/* Nearest (near) or farthest (!near) other sharer of l from cpu; 0: none. */
static uint32_t
cache_sharer_distance(const struct sim_cache *c, const struct sim_line *l,
    unsigned cpu, bool near)
{
	const uint64_t *w = cache_sharers(c, l);
	uint32_t d, best = 0;
	bool any = false;
	unsigned i, b;
	uint64_t x;

	for (i = 0; i < c->words; i++)
		for (x = w[i]; x != 0; x &= x - 1) {
			b = i * 64 + (unsigned)__builtin_ctzll(x);
			if (b == cpu)
				continue;
			d = cache_distance(c->m, cpu, b);
			if (!any || (near ? d < best : d > best))
				best = d;
			any = true;
		}
	return (best);
}

uint64_t
sim_cache_access(struct sim_cache *c, struct sim_line *l, unsigned cpu,
    enum eng_sim_op op, uint64_t now)
{
	const struct sim_machine *m = c->m;
	uint64_t *w = cache_sharers(c, l);
	uint64_t start;
	uint32_t move;
	bool any;
	unsigned i;

	if (op == ENG_SIM_LOAD) {
		if (sim_cache_holds(c, l, cpu))
			return (now + m->load_ns);
		if (l->owner >= 0) {
			move = cache_distance(m, cpu, (unsigned)l->owner);
			w[l->owner / 64] |= 1ull << (l->owner % 64);
			l->owner = -1;
		} else {
			for (i = 0, any = false; i < c->words; i++)
				any |= w[i] != 0;
			move = any ? cache_sharer_distance(c, l, cpu, true) :
			    m->mem_ns;
		}
		w[cpu / 64] |= 1ull << (cpu % 64);
	} else {
		l->writes++;
		if (l->owner == (int32_t)cpu)
			return (now + m->hit_ns);
		if (l->owner >= 0)
			move = cache_distance(m, cpu, (unsigned)l->owner);
		else {
			for (i = 0, any = false; i < c->words; i++)
				any |= (w[i] & ~(i == cpu / 64 ?
				    1ull << (cpu % 64) : 0)) != 0;
			if (any)
				move = cache_sharer_distance(c, l, cpu, false);
			else if (sim_cache_holds(c, l, cpu))
				move = 0;	/* the only copy: upgrade */
			else
				move = m->mem_ns;
		}
		memset(w, 0, c->words * sizeof(*w));
		l->owner = (int32_t)cpu;
		if (move == 0)
			return (now + m->hit_ns);
		move += m->hit_ns;
	}
	/* A transfer: after the line's previous one. */
	c->transfers++;
	start = now > l->busy_until ? now : l->busy_until;
	l->busy_until = start + move;
	return (l->busy_until);
}
