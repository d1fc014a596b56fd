/*
 * vm_smr.c - safe memory reclamation for the page indexes: under --page
 * refcount the model of FreeBSD 13+'s vm_radix_smr (sys/kern/subr_smr.c,
 * sys/sys/smr.h), which vm_radix_lookup_unlocked() reads the radix trie
 * under.  Under --page dfly and pagelock too, where only the model's own
 * uncounted sections read the indexes: DragonFly 5.6 and FreeBSD 12 have
 * no SMR, and the sections stand for the page pointer their callers
 * already have (vm_page_named_unlocked()).
 *
 * FreeBSD 13 and 14 look pages up without the object lock:
 * vm_page_grab_unlocked() and vm_page_grab_pages_unlocked() find a page
 * with vm_radix_lookup_unlocked(), which brackets the trie walk with
 * smr_enter()/smr_exit(), then busy the page and check that it still has
 * the identity they looked for (vm_page_acquire_unlocked(); read at
 * haowuge/freebsd-src @8b161bad, a 13.1+ tree, and sobomax/freebsd14_vendor
 * @0f7ff342, whose param.h is 13.0's: the same text).  Trie nodes are freed
 * only once no section can still see them; pages are type-stable, so a
 * stale page pointer is safe to follow and the busy plus identity check
 * catches it.
 *
 * The same scheme, small: a global write sequence (smr_wr_seq, the
 * kernel's s_wr.seq) and one word per CPU (smr_seq, c_seq), which holds
 * the write sequence a CPU's section began at, 0 outside one.  A writer
 * that unpublishes a table advances the write sequence and keeps the table
 * on its CPU's list with that goal; the table is freed once no CPU is in
 * a section that began before the goal (smr_poll).  Nothing blocks: a
 * simulated CPU switched out inside a section (lock_sim.h) delays frees and
 * stops no one.  C11 atomics throughout, so ThreadSanitizer sees the
 * ordering (Concurrency Kit's ck_epoch does the same with inline assembly
 * that it cannot see).
 *
 * Why it is safe: a reader's smr_seq exchange and its load of the table
 * pointer are sequentially consistent, and so are the writer's
 * unpublishing store, its advance and its poll's loads.  If the poll reads
 * a reader's smr_seq as a sequence at or past the goal, or 0 written
 * before the reader's exchange, the reader's exchange comes after the
 * advance in the single total order, so its table load comes after the
 * unpublishing store and cannot return the table; if it reads the 0 of
 * the reader's vm_smr_exit() (release), everything the section read
 * happens before the poll, and so before the free.
 *
 * What is counted: smr_enter() on amd64 is one atomic_add_acq_int on the
 * CPU's own c_seq, smr_exit() a releasing store (sys/sys/smr.h).
 * vm_smr_enter(c, true) counts that atomic in the object class (the
 * section reads the object's page index) and reports smr_seq to a
 * simulation as the line it touches.  The model's own lookups in a section
 * (the next pages of a run, which the kernel reaches by TAILQ_NEXT outside
 * any section) pass false: executed, not counted.  The advance and the
 * poll are the model's, not the kernel's (its trie frees nodes one by
 * one), and are not counted either.
 */
#include "vm_internal.h"

/* Retired entries a CPU keeps before it tries to free them. */
#define VM_SMR_POLL_PENDING	16

/* Start the SMR domain.  Before any CPU runs. */
void
vm_smr_init(struct vm_engine *e)
{
	atomic_init(&e->smr_wr_seq, 1);
}

/* c's SMR state: outside a section, nothing retired.  Before c runs. */
void
vm_smr_cpu_init(struct eng_cpu *c)
{
	atomic_init(&c->smr_seq, 0);
	c->smr_head = NULL;
	c->smr_tail = &c->smr_head;
	c->smr_pending = 0;
}

/*
 * Free what c retired and no section can read any more; everything, with
 * all: only when no CPU runs (the engine is being destroyed).  Owned by
 * c's thread.
 */
static void
vm_smr_free(struct eng_cpu *c, bool all)
{
	struct vm_engine *e = c->e;
	struct vm_smr_entry *p;
	uint64_t oldest = UINT64_MAX, s;
	unsigned i;

	if (!all)
		for (i = 0; i < e->ncpus; i++) {
			s = atomic_load(&e->cpus[i]->smr_seq);
			if (s != 0 && s < oldest)
				oldest = s;
		}
	while ((p = c->smr_head) != NULL && (all || p->goal <= oldest)) {
		c->smr_head = p->next;
		c->smr_pending--;
		free(p);
	}
	if (c->smr_head == NULL)
		c->smr_tail = &c->smr_head;
}

/* Free all c retired.  Only when no CPU runs (engine destruction). */
void
vm_smr_cpu_fini(struct eng_cpu *c)
{
	vm_smr_free(c, true);
}

/*
 * smr_enter(): start a section in which page indexes may be read without
 * their objects' locks; kernel: it is the kernel's own smr_enter()
 * (counted).  Sections do not nest.  No lock.
 */
void
vm_smr_enter(struct eng_cpu *c, bool kernel)
{
	ENG_ASSERT(atomic_load_explicit(&c->smr_seq, memory_order_relaxed) ==
	    0);
	if (kernel) {
		c->lk.cls[LC_OBJECT].atomics++;
		eng_sim_access(&c->smr_seq, ENG_SIM_RMW);
	}
	(void)atomic_exchange(&c->smr_seq, atomic_load(&c->e->smr_wr_seq));
}

/* smr_exit(): end c's section.  No lock. */
void
vm_smr_exit(struct eng_cpu *c)
{
	atomic_store_explicit(&c->smr_seq, 0, memory_order_release);
}

/*
 * Free p, the start of an eng_alloc() allocation, once no section that
 * could have read it is running.  p was published where lockless readers
 * look (a page index's table) and has been unpublished by a sequentially
 * consistent store; its owner's lock is held.  Owned by c's thread.
 */
void
vm_smr_retire(struct eng_cpu *c, struct vm_smr_entry *p)
{
	p->goal = atomic_fetch_add(&c->e->smr_wr_seq, 1) + 1;
	p->next = NULL;
	*c->smr_tail = p;
	c->smr_tail = &p->next;
	if (++c->smr_pending >= VM_SMR_POLL_PENDING)
		vm_smr_free(c, false);
}
