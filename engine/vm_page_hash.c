/*
 * vm_page_hash.c - --page dfly: DragonFly's vm_page_hash[], the lockless,
 * 4-way set-associative page cache that the fault path tries before it
 * takes the object's token (seed 003: "used to shortcut vm_object locks
 * and locate VM pages more quickly, without locks"; e3c330f0 limited its
 * size, added the set associativity and the ticks replacement, and
 * rewrote the hashing).
 *
 * Read in DragonFly's sys/vm/vm_page.c as stored for this project
 * (servizig/DragonFlyBSD @1c4ecd2e, a tree later than e3c330f0 with the
 * same design): vm_page_hash_hash(), vm_page_hash_get(),
 * vm_page_hash_enter(), the sizing in vm_page_startup_finish(), and the
 * callers: vm_page_lookup(), vm_page_lookup_busy_wait(),
 * vm_page_lookup_busy_try() and vm_page_lookup_sbusy_try() enter the page
 * they found; 5.6's vm_fault_quick() (sys/vm/vm_fault.c at v5.6.0,
 * fa4bfe35; the stored later tree's vm_fault_bypass() replaced it in
 * c2830aa6, 2020) is the one reader, before vm_object_hold().  The
 * e3c330f0 tree itself was not read.
 *
 * No lock: an entry is four relaxed atomics (vm.h), written without
 * ordering against each other or against other writers ("SMP collisions
 * are allowed").  What makes a hit safe is the page, not the entry:
 * vm_page_hash_get() soft-busies the page the entry names and re-checks
 * the page's own object and pindex; --page dfly's removal and free paths
 * hard-busy the page before they change its identity (vm_page.c), so a
 * soft-busied page whose identity matches stays that page until the soft
 * busy is dropped.
 *
 * Differences from DragonFly: entries name the model's object slot, whose
 * identity a terminated object's next incarnation inherits (a page
 * inserted there again is that object's page, so a match is still right);
 * the hash mixes a CRC32C of the slot number, not of the object's
 * address, so that runs are reproducible; vm_page_hash_enter() enters
 * every page it is given, where DragonFly enters only PG_MAPPEDMULTI pages
 * (the model does not track multiple mappings) and optionally only
 * vnode-backed objects.  `ticks` is the hz (100) clock of the trace: the
 * time of the event this CPU is applying (struct eng_cpu now_ns), so that
 * the entries' ages are the recorded workload's and a replay's hash
 * counters do not depend on how fast the host runs it (with the host's
 * clock two single-threaded replays differed); virtual time in a
 * simulation (lock_sim.h).
 */
#include "eng_alloc.h"
#include "vm_internal.h"

#define VM_PAGE_HASH_SET	4		/* set associativity */
#define VM_PAGE_HASH_MIN	4096		/* vm_page_startup_finish */
#define VM_PAGE_HASH_MAX	(8u * 1024 * 1024)
#define VM_PAGE_HASH_HZ		100		/* DragonFly's default hz */

/*
 * vm_page_startup_finish(): 4096 entries, doubled while fewer than one
 * per 16 pages, at most VM_PAGE_HASH_MAX; VM_PAGE_HASH_SET more so that
 * the last set does not wrap.  Returns 0, or -1 when out of memory.
 */
int
vm_page_hash_init(struct vm_engine *e)
{
	uint64_t n = VM_PAGE_HASH_MIN;

	while (n < e->vm_page_array_size / 16)
		n <<= 1;
	if (n > VM_PAGE_HASH_MAX)
		n = VM_PAGE_HASH_MAX;
	e->vm_page_hash = eng_calloc(n + VM_PAGE_HASH_SET,
	    sizeof(*e->vm_page_hash));
	if (e->vm_page_hash == NULL)
		return (-1);
	e->vm_page_hash_size = n;
	return (0);
}

void
vm_page_hash_fini(struct vm_engine *e)
{
	free(e->vm_page_hash);
	e->vm_page_hash = NULL;
}

/*
 * The global `ticks` as CPU c reads it: hz clock ticks of the trace time
 * (or of virtual time under simulate), wrapping as an int does.  The
 * kernel's `ticks` counts from boot, so it is past 0 when the hash is
 * used and an empty entry (ticks 0) is older than any entry written; the
 * trace and virtual clocks start at 0, so the count starts at 1.  (T)
 */
static int
vm_page_hash_ticks(const struct eng_cpu *c)
{
	uint64_t ns;

	ns = eng_sim_hook != NULL ? eng_sim_hook->now(eng_sim_hook->ctx) :
	    c->now_ns;
	return ((int)(uint32_t)(1 + ns / (1000000000u / VM_PAGE_HASH_HZ)));
}

/* CRC32C (iscsi_crc32) of a 64-bit value, bitwise. */
static uint32_t
vm_page_hash_crc32c(uint64_t v)
{
	uint32_t crc = 0xffffffffu;
	int i, k;

	for (i = 0; i < 8; i++) {
		crc ^= (uint8_t)(v >> (8 * i));
		for (k = 0; k < 8; k++)
			crc = (crc >> 1) ^ (0x82f63b78u & -(crc & 1));
	}
	return (~crc);
}

/*
 * vm_page_hash_hash(): the first entry of (object, pindex)'s set.  The
 * object's CRC shifted by 2, folded with itself >> 21, plus pindex * SET
 * so that consecutive pindexes of one object fill consecutive sets.
 */
static struct vm_page_hash_elm *
vm_page_hash_hash(struct vm_engine *e, struct vm_object *obj,
    vm_pindex_t pindex)
{
	uint64_t hi;

	hi = (uint64_t)vm_page_hash_crc32c(obj->slot) << 2;
	hi ^= hi >> (23 - 2);
	hi += pindex * VM_PAGE_HASH_SET;
	hi &= e->vm_page_hash_size - 1;
	return (&e->vm_page_hash[hi]);
}

/*
 * vm_page_hash_get(): the page of obj at pindex, soft-busied, or NULL
 * (the caller then looks it up the slow way, under the object lock).  For
 * each entry of the set naming (obj, pindex): the page the entry names
 * must have that identity, vm_page_sbusy_try() must succeed (not hard
 * busied: being removed or freed), and the identity must still hold once
 * soft-busied; otherwise the soft busy is dropped and the next entry
 * tried (counted in page_hash_fails).  A hit refreshes the entry's ticks
 * only when they changed.  No lock.
 */
struct vm_page *
vm_page_hash_get(struct eng_cpu *c, struct vm_object *obj,
    vm_pindex_t pindex)
{
	struct vm_page_hash_elm *mp;
	struct vm_page *m;
	bool named = false;
	int i, t;

	ENG_ASSERT(c->e->vm_page_hash != NULL);
	mp = vm_page_hash_hash(c->e, obj, pindex);
	eng_sim_access(mp, ENG_SIM_LOAD);
	for (i = 0; i < VM_PAGE_HASH_SET; i++, mp++) {
		if (atomic_load_explicit(&mp->object, memory_order_relaxed) !=
		    obj || atomic_load_explicit(&mp->pindex,
		    memory_order_relaxed) != pindex)
			continue;
		m = atomic_load_explicit(&mp->m, memory_order_relaxed);
		if (m == NULL)
			continue;
		named = true;
		if (atomic_load_explicit(&m->object, memory_order_acquire) !=
		    obj || m->pindex != pindex)
			continue;
		if (!vm_page_sbusy_try(c, m))
			continue;
		if (atomic_load_explicit(&m->object, memory_order_acquire) ==
		    obj && m->pindex == pindex) {
			t = vm_page_hash_ticks(c);
			if (atomic_load_explicit(&mp->ticks,
			    memory_order_relaxed) != t)
				atomic_store_explicit(&mp->ticks, t,
				    memory_order_relaxed);
			c->st.page_hash_hits++;
			return (m);
		}
		vm_page_sbusy_drop(c, m);
	}
	if (named)
		c->st.page_hash_fails++;
	else
		c->st.page_hash_misses++;
	return (NULL);
}

/*
 * vm_page_hash_enter(): remember m at its identity, reusing its own entry
 * if the set has one (ticks refreshed only when changed), else replacing
 * the entry with the oldest ticks, or one whose ticks are from the future
 * (a wrapped field, or a racing update of `ticks`: -1 is tolerated).
 * m was just found in its object: the object is locked, or m is busied.
 * Racing writers may interleave their fields; readers validate.
 */
void
vm_page_hash_enter(struct eng_cpu *c, struct vm_page *m)
{
	struct vm_page_hash_elm *mp, *best;
	struct vm_object *obj;
	vm_pindex_t pindex;
	int best_delta, delta, i, t;

	obj = atomic_load_explicit(&m->object, memory_order_relaxed);
	ENG_ASSERT(c->e->vm_page_hash != NULL && obj != NULL);
	pindex = m->pindex;
	t = vm_page_hash_ticks(c);
	mp = best = vm_page_hash_hash(c->e, obj, pindex);
	eng_sim_access(mp, ENG_SIM_STORE);
	best_delta = t - atomic_load_explicit(&best->ticks,
	    memory_order_relaxed);
	for (i = 0; i < VM_PAGE_HASH_SET; i++, mp++) {
		if (atomic_load_explicit(&mp->m, memory_order_relaxed) == m &&
		    atomic_load_explicit(&mp->object, memory_order_relaxed) ==
		    obj && atomic_load_explicit(&mp->pindex,
		    memory_order_relaxed) == pindex) {
			if (atomic_load_explicit(&mp->ticks,
			    memory_order_relaxed) != t)
				atomic_store_explicit(&mp->ticks, t,
				    memory_order_relaxed);
			return;
		}
		delta = t - atomic_load_explicit(&mp->ticks,
		    memory_order_relaxed);
		if (delta < -1)
			best = mp;
		if (best_delta < delta)
			best = mp;
	}
	atomic_store_explicit(&best->m, m, memory_order_relaxed);
	atomic_store_explicit(&best->object, obj, memory_order_relaxed);
	atomic_store_explicit(&best->pindex, pindex, memory_order_relaxed);
	atomic_store_explicit(&best->ticks, t, memory_order_relaxed);
}

/*
 * Invariant (eng_check(), single-threaded after eng_quiesce()): an entry
 * whose page still has the entry's identity, so that validation would
 * pass, must name a resident page of a live object, found by that
 * object's index.  An entry naming a freed page, or one that left the
 * object or moved, must fail validation: its page's identity differs.
 * Returns the number of violations, printed to out.
 */
uint64_t
vm_page_hash_check(struct vm_engine *e, FILE *out)
{
	struct vm_page_hash_elm *mp;
	struct vm_object *obj;
	struct vm_page *m;
	vm_pindex_t pindex;
	uint64_t i, bad = 0;

	for (i = 0; i < e->vm_page_hash_size + VM_PAGE_HASH_SET; i++) {
		mp = &e->vm_page_hash[i];
		m = atomic_load_explicit(&mp->m, memory_order_relaxed);
		obj = atomic_load_explicit(&mp->object, memory_order_relaxed);
		pindex = atomic_load_explicit(&mp->pindex,
		    memory_order_relaxed);
		if (m == NULL || obj == NULL ||
		    atomic_load_explicit(&m->object, memory_order_relaxed) !=
		    obj || m->pindex != pindex)
			continue;
		if (atomic_load_explicit(&m->pstate, memory_order_relaxed) !=
		    PS_ALLOCATED || !obj->alive ||
		    vm_phash_lookup(&obj->pages, pindex) != m) {
			fprintf(out, "vm_page_hash[%" PRIu64 "]: page %#"
			    PRIx64 " would validate as object %" PRIu64
			    " pindex %" PRIu64 " but is %s\n", i,
			    m->phys_addr, obj->slot, pindex,
			    atomic_load_explicit(&m->pstate,
			    memory_order_relaxed) != PS_ALLOCATED ? "free" :
			    !obj->alive ? "in a terminated object" :
			    "not in the object's index");
			bad++;
		}
	}
	return (bad);
}
