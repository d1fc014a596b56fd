/*
 * vm_page_hash.c - --page dfly: DragonFly 5.6's vm_page_hash[], the
 * lockless, 4-way set-associative page cache that the fault path tries
 * before it takes the object's token (seed 003: "used to shortcut
 * vm_object locks and locate VM pages more quickly, without locks").
 *
 * Read in 5.6 itself: sys/vm/vm_page.c at tag v5.6.0 (lileding/
 * DragonFlyBSD @fa4bfe35): struct vm_page_hash_elm, vm_page_hash_hash(),
 * vm_page_hash_get(), vm_page_hash_enter(), the sizing in
 * vm_page_startup_finish(), and the callers: vm_page_lookup(),
 * vm_page_lookup_busy_wait(), vm_page_lookup_busy_try() and
 * vm_page_lookup_sbusy_try() enter the page they found; vm_fault_quick()
 * (sys/vm/vm_fault.c) is the one reader, before vm_object_hold().  Until
 * 2026-12-07 this file followed a later tree (servizig/DragonFlyBSD
 * @1c4ecd2e: entries that carry the object and pindex, a CRC32C hash that
 * fills consecutive sets with consecutive pindexes, 8 M entries, ticks
 * written only when they changed), which 5.6 does not have.
 *
 * No lock: an entry is a page pointer and a ticks stamp, relaxed atomics
 * (vm.h), written without ordering against each other or against other
 * writers ("This is a heuristic, SMP collisions are allowed").  An entry
 * names no identity: what makes a hit safe is the page.  vm_page_hash_get()
 * checks the page's own object and pindex, soft-busies it and checks them
 * again; --page dfly's removal and free paths hard-busy the page before
 * they change its identity (vm_page.c), so a soft-busied page whose
 * identity matches stays that page until the soft busy is dropped.
 *
 * Differences from 5.6: the object's address, which 5.6 mixes into the
 * hash, is the model's object slot times 256 bytes (sizeof(struct
 * vm_object) on x86_64, about 250 bytes, rounded up to its kmalloc
 * zone's chunk; the base address is left out), and its pg_color is
 * vm_object_pg_color(); both so that runs are reproducible.  An object
 * slot is reused after termination: the next incarnation hashes as the
 * last did, as a kmalloc'd object may reuse a freed one's address.
 * vm.page_hash_vnode_only is 0 (5.6's default): every page is entered.
 * `ticks` is the hz (100) clock of the trace: the time of the event this
 * CPU is applying (struct eng_cpu now_ns), so that the entries' ages are
 * the recorded workload's and a replay's hash counters do not depend on
 * how fast the host runs it (with the host's clock two single-threaded
 * replays differed); virtual time in a simulation (lock_sim.h).
 */
#include "eng_alloc.h"
#include "vm_internal.h"

#define VM_PAGE_HASH_SET	4		/* power of 2, set-assoc */
#define VM_PAGE_HASH_MIN	4096		/* vm_page_startup_finish */
#define VM_PAGE_HASH_MAX	(1024u * 1024)	/* power of 2, max size */
#define VM_PAGE_HASH_HZ		100		/* DragonFly's default hz */
#define VM_OBJECT_KSIZE		256		/* see the file comment */

/*
 * vm_page_startup_finish(): 4096 entries, doubled while fewer than one
 * per 16 pages, at most VM_PAGE_HASH_MAX.  Returns 0, or -1 when out of
 * memory.
 */
int
vm_page_hash_init(struct vm_engine *e)
{
	uint64_t n = VM_PAGE_HASH_MIN;

	while (n < e->vm_page_array_size / 16)
		n <<= 1;
	if (n > VM_PAGE_HASH_MAX)
		n = VM_PAGE_HASH_MAX;
	e->vm_page_hash = eng_calloc(n, sizeof(*e->vm_page_hash));
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

/* ticks - *stamp, wrapping as the kernel's int arithmetic does.  (a) */
static int
vm_page_hash_age(int ticks, _Atomic int *stamp)
{
	return ((int)((unsigned)ticks -
	    (unsigned)atomic_load_explicit(stamp, memory_order_relaxed)));
}

/*
 * vm_page_hash_hash(): the first entry of (object, pindex)'s set.  The
 * object's address and colour mixed with pindex, folded with itself
 * >> 20, masked to the table and down to a multiple of the set size.
 */
static struct vm_page_hash_elm *
vm_page_hash_hash(struct vm_engine *e, const struct vm_object *obj,
    vm_pindex_t pindex)
{
	uint64_t color = vm_object_pg_color(obj), hi;

	hi = (obj->slot * VM_OBJECT_KSIZE) ^ color ^ pindex;
	hi += color * pindex;
	hi ^= hi >> 20;
	hi &= e->vm_page_hash_size - 1;
	hi &= ~(uint64_t)(VM_PAGE_HASH_SET - 1);
	return (&e->vm_page_hash[hi]);
}

/*
 * vm_page_hash_get(): the page of obj at pindex, soft-busied, or NULL
 * (the caller then looks it up the slow way, under the object token).
 * For each entry of the set: the page it names must have that identity,
 * vm_page_sbusy_try() must succeed (not hard busied: being removed or
 * freed), and the identity must still hold once soft-busied; otherwise
 * the soft busy is dropped and the next entry tried (counted in
 * page_hash_fails when the page had the identity).  A hit stamps the
 * entry's ticks.  No lock.
 */
struct vm_page *
vm_page_hash_get(struct eng_cpu *c, struct vm_object *obj,
    vm_pindex_t pindex)
{
	struct vm_page_hash_elm *mp;
	struct vm_page *m;
	bool found = false;
	int i;

	ENG_ASSERT(c->e->vm_page_hash != NULL);
	mp = vm_page_hash_hash(c->e, obj, pindex);
	eng_sim_access(mp, ENG_SIM_LOAD);
	for (i = 0; i < VM_PAGE_HASH_SET; i++, mp++) {
		m = atomic_load_explicit(&mp->m, memory_order_relaxed);
		if (m == NULL ||
		    atomic_load_explicit(&m->object, memory_order_acquire) !=
		    obj || m->pindex != pindex)
			continue;
		found = true;
		if (!vm_page_sbusy_try(c, m))
			continue;
		if (atomic_load_explicit(&m->object, memory_order_acquire) ==
		    obj && m->pindex == pindex) {
			eng_sim_access(mp, ENG_SIM_STORE);
			atomic_store_explicit(&mp->ticks, vm_page_hash_ticks(c),
			    memory_order_relaxed);
			c->st.page_hash_hits++;
			return (m);
		}
		vm_page_sbusy_drop(c, m);
	}
	if (found)
		c->st.page_hash_fails++;
	else
		c->st.page_hash_misses++;
	return (NULL);
}

/*
 * vm_page_hash_enter(): remember m, stamping its own entry if the set has
 * one, else replacing the entry with the oldest ticks, or one whose ticks
 * are from the future (a wrapped field, or a racing update of `ticks`).
 * m was just found in its object: the token is held, or m is busied.
 * Racing writers may interleave their fields; readers validate.
 */
void
vm_page_hash_enter(struct eng_cpu *c, struct vm_page *m)
{
	struct vm_page_hash_elm *mp, *best;
	struct vm_object *obj;
	int i, t;

	obj = atomic_load_explicit(&m->object, memory_order_relaxed);
	ENG_ASSERT(c->e->vm_page_hash != NULL && obj != NULL);
	t = vm_page_hash_ticks(c);
	mp = best = vm_page_hash_hash(c->e, obj, m->pindex);
	eng_sim_access(mp, ENG_SIM_STORE);
	for (i = 0; i < VM_PAGE_HASH_SET; i++) {
		if (atomic_load_explicit(&mp[i].m, memory_order_relaxed) ==
		    m) {
			atomic_store_explicit(&mp[i].ticks, t,
			    memory_order_relaxed);
			return;
		}
		if (vm_page_hash_age(t, &best->ticks) <
		    vm_page_hash_age(t, &mp[i].ticks) ||
		    vm_page_hash_age(t, &mp[i].ticks) < 0)
			best = &mp[i];
	}
	atomic_store_explicit(&best->m, m, memory_order_relaxed);
	atomic_store_explicit(&best->ticks, t, memory_order_relaxed);
}

/*
 * Invariant (eng_check(), single-threaded after eng_quiesce()): a page an
 * entry names that has an object, so that a fault could validate it,
 * must be a resident page of that live object, found by its index.  A
 * freed page, or one that left its object, has no object.  Returns the
 * number of violations, printed to out.
 */
uint64_t
vm_page_hash_check(struct vm_engine *e, FILE *out)
{
	struct vm_object *obj;
	struct vm_page *m;
	uint64_t i, bad = 0;

	for (i = 0; i < e->vm_page_hash_size; i++) {
		m = atomic_load_explicit(&e->vm_page_hash[i].m,
		    memory_order_relaxed);
		if (m == NULL || (obj = atomic_load_explicit(&m->object,
		    memory_order_relaxed)) == NULL)
			continue;
		if (atomic_load_explicit(&m->pstate, memory_order_relaxed) !=
		    PS_ALLOCATED || !obj->alive ||
		    vm_phash_lookup(&obj->pages, m->pindex) != m) {
			fprintf(out, "vm_page_hash[%" PRIu64 "]: page %#"
			    PRIx64 " would validate as object %" PRIu64
			    " pindex %" PRIu64 " but is %s\n", i,
			    m->phys_addr, obj->slot, m->pindex,
			    atomic_load_explicit(&m->pstate,
			    memory_order_relaxed) != PS_ALLOCATED ? "free" :
			    !obj->alive ? "in a terminated object" :
			    "not in the object's index");
			bad++;
		}
	}
	return (bad);
}
