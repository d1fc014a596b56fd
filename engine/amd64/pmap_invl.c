/*
 * pmap_invl.c - amd64 delayed invalidation (DI), --pv ...:di-locked and
 * --pv ...:di.
 *
 * A kernel function that destroys mappings and their pv entries, and may
 * drop the pv list lock before the TLB shootdown, brackets its work with a
 * DI block, pmap_delayed_invl_start() ... _finish(), so that
 * pmap_remove_all() and pmap_remove_write() can wait for the shootdown
 * (pmap_delayed_invl_wait()).  The model has no TLBs; it keeps the DI
 * bookkeeping because it is machine-wide: every pmap_remove() of every CPU
 * meets every other's there.  Counted in class invl (lock_stats.h).
 *
 * Who opens a block, in the kernel (FreeBSD 12.0 to 14; a 2019 head copy
 * of sys/amd64/amd64/pmap.c, index id 4250888066, and 13.0's, sobomax/
 * freebsd14_vendor @0f7ff342, index id 65761193378): pmap_remove() after
 * its unlocked resident_count == 0 early return, before PMAP_LOCK, closed
 * after PMAP_UNLOCK (@124500-126900 of the 2019 copy); pmap_advise();
 * pmap_enter_pde() replacing 4 KiB mappings; reclaim_pv_chunk() for each
 * pmap it visits, after that pmap's lock, unless its caller opened one
 * (@95000-97700).  Not: pmap_enter() (it shoots down before dropping the
 * pv lock, comment @138000), pmap_protect(), pmap_remove_pages() (the
 * pmap is inactive, comment @172000), pmap_ts_referenced() (comment
 * @186500), pmap_remove_all() and pmap_remove_write(), which wait instead.
 * The model's callers: pmap_remove() (the unmap event) and the teardown
 * pmap_remove() of pmap_ev_destroy() when mappings are left (pmap.c), and
 * reclaim_pv_chunk (pv_chunk.c).
 *
 * :di-locked, FreeBSD 12.0 (pmap_delayed_invl_started/_finished, the 2019
 * copy @13000-16100; 12.1 keeps it as the _l variant for CPUs without
 * CMPXCHG16B, rcslab/aurora-12.1 pmap.c, index id 14092424937, @15500):
 *   start   mtx_lock(&invl_gen_mtx); the new block's generation is the
 *           newest open block's, or pmap_invl_gen, plus one; insert at the
 *           head of pmap_invl_gen_tracker; mtx_unlock.
 *   finish  mtx_lock(&invl_gen_mtx); if no older block is open (LIST_NEXT
 *           NULL): turnstile_chain_lock(&invl_gen_ts), pmap_invl_gen =
 *           the block's generation, wake the waiters, chain unlock; else
 *           hand the generation to the next older block; remove; unlock.
 *   So a block takes invl_gen_mtx twice and, when it is the oldest open
 *   one (always, one CPU alone), the chain lock once.  The chain lock is
 *   a spin mutex of the turnstile hash chain of invl_gen_ts; the model's
 *   is an eng_mtx of its own (lock.h has no spin mutexes).
 *
 * :di, FreeBSD 12.1 and later on CPUs with CMPXCHG16B (the ifuncs choose
 * the _u variant unless vm.pmap.di_locked is set; aurora-12.1 @15000-
 * 22000, 13.0 @19000-26000): a lock-free queue of the open blocks from
 * pmap_invl_gen_head, each element a 16-byte {gen, next} updated by lock
 * cmpxchg16b, next's low bit PMAP_INVL_GEN_NEXT_INVALID.
 *   start_u   walk to the tail (loads); pmap_di_load_invl(tail) and
 *             pmap_di_store_invl(tail, {gen, me}): two RMWs on the tail,
 *             the head when no block is open; then clear INVALID in its
 *             own element (a store).
 *   finish_u  walk to the predecessor; atomic_set_ptr(own next, INVALID);
 *             pmap_di_load_invl(pred), pmap_di_store_invl(pred, {my gen,
 *             my next}): three RMWs; on a failure atomic_clear_ptr(own
 *             next, INVALID) and restart.
 *   So a block executes five locked RMWs, four on another element's line
 *   (the global head when it is alone), and takes no lock unless
 *   pmap_invl_waiters is set (finish_unblock: the chain lock).  The model
 *   packs an element into one word: generation in bits 0-46, next as the
 *   CPU slot's element index in 47-62 (0: NULL), INVALID in 63.
 *
 * Not modelled: pmap_delayed_invl_page() and pmap_delayed_invl_wait()
 * (pmap_remove_all() and pmap_remove_write() take the chain lock, or under
 * :di pmap_invl_waiters' atomics, only when they find a block still open
 * on their page), hence no waiters; pmap_advise() and pmap_enter_pde()
 * (no event of the model); the thread_lock() of start_u/finish_u's
 * priority boost (the thread's own scheduler lock); lock_delay()'s backoff
 * on a restart (the model yields).
 */
#include <stdatomic.h>

#include "eng_alloc.h"
#include "pmap_internal.h"

#define PMAP_DI_INVALID		(1ull << 63)
#define PMAP_DI_NEXT_SHIFT	47
#define PMAP_DI_NEXT_MASK	(0xffffull << PMAP_DI_NEXT_SHIFT)
#define PMAP_DI_GEN_MASK	((1ull << PMAP_DI_NEXT_SHIFT) - 1)
#define PMAP_DI_MAX_SLOTS	0xfffeu

static inline uint64_t
pmap_di_word(uint64_t gen, uint64_t next)
{

	return ((gen & PMAP_DI_GEN_MASK) | next << PMAP_DI_NEXT_SHIFT);
}

static inline uint64_t
pmap_di_next(uint64_t w)
{

	return ((w & PMAP_DI_NEXT_MASK) >> PMAP_DI_NEXT_SHIFT);
}

/*
 * md of c's engine and the index in md_invl of c's element (md_invl[0] is
 * the head), or NULL without DI.
 */
static struct pmap_md *
pmap_invl_md(struct eng_cpu *c, unsigned *idx)
{
	struct pmap_md *md;

	md = pmap_mi_cpu_md(c);
	if (md->md_di == ENG_DI_NONE)
		return (NULL);
	*idx = pmap_mi_cpu_slot(c) + 1;
	ENG_KASSERT(*idx <= md->md_ncnt, "CPU slot %u has no DI element (%u)",
	    *idx - 1, md->md_ncnt);
	return (md);
}

/*
 * Set-up (single-threaded, after md_ncnt): the elements, the head at
 * generation 1 and every thread's element out of DI (pmap_thread_init_
 * invl_gen_u: INVALID; _l: gen 0), pmap_invl_gen 0 as 12.0's, the locks.
 * Returns -1 out of memory.
 */
int
pmap_invl_init(struct pmap_md *md)
{
	unsigned i;

	LIST_INIT(&md->md_invl_tracker);
	eng_mtx_init(&md->md_invl_gen_mtx, LC_INVL);
	eng_mtx_init(&md->md_invl_ts_chain, LC_INVL);
	md->md_invl_gen = 0;
	if (md->md_di == ENG_DI_NONE)
		return (0);
	ENG_KASSERT(md->md_ncnt <= PMAP_DI_MAX_SLOTS, "%u CPU slots",
	    md->md_ncnt);
	md->md_invl = eng_calloc(md->md_ncnt + 1, sizeof(*md->md_invl));
	if (md->md_invl == NULL)
		return (-1);
	atomic_init(&md->md_invl[0].word, pmap_di_word(1, 0));
	for (i = 1; i <= md->md_ncnt; i++)
		atomic_init(&md->md_invl[i].word, PMAP_DI_INVALID);
	return (0);
}

/* pmap_not_in_di(): c has no DI block open (true without DI). */
bool
pmap_not_in_di(struct eng_cpu *c)
{
	struct pmap_md *md;
	struct pmap_invl_gen *me;
	unsigned idx;

	if ((md = pmap_invl_md(c, &idx)) == NULL)
		return (true);
	me = &md->md_invl[idx];
	if (md->md_di == ENG_DI_LOCKED)
		return (atomic_load_explicit(&me->gen, memory_order_relaxed) ==
		    0);
	return ((atomic_load_explicit(&me->word, memory_order_relaxed) &
	    PMAP_DI_INVALID) != 0);
}

/*
 * 12.0's pmap_delayed_invl_started() (start) and _finished() (the _l
 * variants of 12.1+), under invl_gen_mtx.
 */
static void
pmap_delayed_invl_l(struct eng_cpu *c, struct pmap_md *md,
    struct pmap_invl_gen *me, bool start)
{
	ENG_SITE_DEFINE;
	struct eng_lkstat *ls = pmap_mi_lkstat(c);
	struct pmap_invl_gen *other;

	eng_mtx_lock(ls, &md->md_invl_gen_mtx, ENG_HERE);
	if (start) {
		other = LIST_FIRST(&md->md_invl_tracker);	/* newest */
		atomic_store_explicit(&me->gen, (other == NULL ?
		    md->md_invl_gen : atomic_load_explicit(&other->gen,
		    memory_order_relaxed)) + 1, memory_order_relaxed);
		LIST_INSERT_HEAD(&md->md_invl_tracker, me, link);
		eng_mtx_unlock(ls, &md->md_invl_gen_mtx);
		return;
	}
	ENG_KASSERT(atomic_load_explicit(&me->gen, memory_order_relaxed) !=
	    0, "CPU slot %u: DI finished, not started",
	    pmap_mi_cpu_slot(c));
	other = LIST_NEXT(me, link);			/* older */
	if (other == NULL) {
		/* No waiters in the model: no turnstile broadcast. */
		eng_mtx_lock(ls, &md->md_invl_ts_chain, ENG_HERE);
		md->md_invl_gen = atomic_load_explicit(&me->gen,
		    memory_order_relaxed);
		eng_mtx_unlock(ls, &md->md_invl_ts_chain);
	} else
		atomic_store_explicit(&other->gen, atomic_load_explicit(
		    &me->gen, memory_order_relaxed), memory_order_relaxed);
	LIST_REMOVE(me, link);
	eng_mtx_unlock(ls, &md->md_invl_gen_mtx);
	atomic_store_explicit(&me->gen, 0, memory_order_relaxed);
}

/*
 * The walks of start_u and finish_u, by loads: from the head to the
 * element whose next is stop (0: the tail; else c's element, to find its
 * predecessor), into *p.  False, to restart after a delay, when an element
 * is being linked or unlinked (PMAP_INVL_GEN_NEXT_INVALID) or stop was not
 * found (finish_u: "legitimate ... if a thread before us finished").
 */
static bool
pmap_di_walk(struct pmap_md *md, unsigned stop, unsigned *p)
{
	uint64_t w;

	for (*p = 0;; *p = (unsigned)pmap_di_next(w)) {
		w = atomic_load_explicit(&md->md_invl[*p].word,
		    memory_order_acquire);
		if ((w & PMAP_DI_INVALID) != 0)
			return (false);
		if (pmap_di_next(w) == stop)
			return (true);
		if (pmap_di_next(w) == 0)
			return (false);
	}
}

/* pmap_delayed_invl_start_u() of 12.1+. */
static void
pmap_delayed_invl_start_u(struct eng_cpu *c, struct pmap_md *md,
    unsigned idx)
{
	ENG_SITE_DEFINE;
	struct eng_lkstat *ls = pmap_mi_lkstat(c);
	_Atomic uint64_t *tail;
	uint64_t prev, gen;
	unsigned p;

again:
	if (!pmap_di_walk(md, 0, &p)) {
		eng_yield();
		goto again;
	}
	tail = &md->md_invl[p].word;
	prev = eng_atomic_fetchor_64(ls, LC_INVL, tail, 0); /* di_load_invl */
	if ((prev & PMAP_DI_INVALID) != 0 || pmap_di_next(prev) != 0) {
		eng_yield();
		goto again;
	}
	gen = (prev & PMAP_DI_GEN_MASK) + 1;
	atomic_store_explicit(&md->md_invl[idx].word, pmap_di_word(gen, 0) |
	    PMAP_DI_INVALID, memory_order_relaxed);
	if (!eng_atomic_fcmpset_64(ls, LC_INVL, ENG_HERE, tail, &prev,
	    pmap_di_word(prev, idx))) {		/* pmap_di_store_invl */
		eng_yield();
		goto again;
	}
	/* invl_gen->next = NULL: others may now walk past this element. */
	atomic_store_explicit(&md->md_invl[idx].word, pmap_di_word(gen, 0),
	    memory_order_release);
}

/* pmap_delayed_invl_finish_u() and _finish_u_crit() of 12.1+. */
static void
pmap_delayed_invl_finish_u(struct eng_cpu *c, struct pmap_md *md,
    unsigned idx)
{
	ENG_SITE_DEFINE;
	struct eng_lkstat *ls = pmap_mi_lkstat(c);
	_Atomic uint64_t *me, *pred;
	uint64_t prev, mine;
	unsigned p;

	me = &md->md_invl[idx].word;
	ENG_KASSERT((atomic_load_explicit(me, memory_order_relaxed) &
	    PMAP_DI_INVALID) == 0, "CPU slot %u: DI finished, not started",
	    idx - 1);
again:
	if (!pmap_di_walk(md, idx, &p)) {
		eng_yield();
		goto again;
	}
	pred = &md->md_invl[p].word;
	mine = eng_atomic_fetchor_64(ls, LC_INVL, me, PMAP_DI_INVALID) |
	    PMAP_DI_INVALID;				/* atomic_set_ptr */
	prev = eng_atomic_fetchor_64(ls, LC_INVL, pred, 0); /* di_load_invl */
	if ((prev & PMAP_DI_INVALID) != 0 || pmap_di_next(prev) != idx ||
	    !eng_atomic_fcmpset_64(ls, LC_INVL, ENG_HERE, pred, &prev,
	    pmap_di_word(mine, pmap_di_next(mine)))) {	/* di_store_invl */
		(void)eng_atomic_fetchand_64(ls, LC_INVL, me,
		    ~PMAP_DI_INVALID);			/* atomic_clear_ptr */
		eng_yield();
		goto again;
	}
	ENG_KASSERT((prev & PMAP_DI_GEN_MASK) < (mine & PMAP_DI_GEN_MASK),
	    "invalid DI generation sequence %ju %ju",
	    (uintmax_t)(prev & PMAP_DI_GEN_MASK),
	    (uintmax_t)(mine & PMAP_DI_GEN_MASK));
}

/*
 * Open (start) or close c's DI block.  The kernel's callers of start hold
 * no pmap lock (pmap_remove) or the visited pmap's and maybe a pv list
 * lock (reclaim_pv_chunk); the invl locks are leaves.
 */
static void
pmap_delayed_invl(struct eng_cpu *c, bool start)
{
	struct pmap_md *md;
	unsigned idx;

	if ((md = pmap_invl_md(c, &idx)) == NULL)
		return;
	ENG_KASSERT(!start || pmap_not_in_di(c), "CPU slot %u: DI already "
	    "started", idx - 1);
	if (md->md_di == ENG_DI_LOCKED)
		pmap_delayed_invl_l(c, md, &md->md_invl[idx], start);
	else if (start)
		pmap_delayed_invl_start_u(c, md, idx);
	else
		pmap_delayed_invl_finish_u(c, md, idx);
}

/* pmap_delayed_invl_start(): c has no DI block open. */
void
pmap_delayed_invl_start(struct eng_cpu *c)
{

	pmap_delayed_invl(c, true);
}

/* pmap_delayed_invl_finish(): c has its DI block open. */
void
pmap_delayed_invl_finish(struct eng_cpu *c)
{

	pmap_delayed_invl(c, false);
}
