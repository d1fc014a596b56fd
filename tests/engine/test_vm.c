/*
 * test_vm.c - per-operation tests of the VM model under every --page x
 * --queue design (driven through eng_apply(), inspected through the
 * internal structures), design parsing, and design equivalence: one thread,
 * the same random event stream, the same resident set, wirings and logical
 * queue membership under every design.
 */
#include <pthread.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdio.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cmocka.h>

#include "evgen.h"
#include "solo_hook.h"
#include "vm_internal.h"
#include "vmtest.h"

static const char *const pages[] = { "pagelock", "refcount" };
static const char *const queues[] = { "locked", "batch:4", "astate:4" };
#define NDESIGNS	(2 * 3)

static struct vm_engine *
mk(unsigned d, uint64_t phys)
{
	return (mk_spec(pages[d / 3], queues[d % 3], 1, phys));
}

/*
 * Design d on two CPUs, with (obj, pindex) resident and exclusive-busied
 * by CPU 1, as a fault holds its page between its unlocked pmap_enter
 * and its unbusy; the page is returned in *mp.
 */
static struct vm_engine *
mk_busied(unsigned d, uint64_t obj, uint64_t pindex, struct vm_page **mp)
{
	struct vm_engine *e = mk_spec(pages[d / 3], queues[d % 3], 2, 2048);

	ev(e, PR_PAGE_INSERT, obj, pindex, 1, 0);
	*mp = page(e, obj, pindex);
	assert_non_null(*mp);
	assert_true(vm_page_tryxbusy(eng_cpu(e, 1), *mp));
	return (e);
}

/* Logical queue after draining the batches. */
static uint8_t
queue_of(struct vm_engine *e, struct vm_page *m)
{
	eng_quiesce(e);
	return (vm_page_queue(m));
}

static void
test_insert_lookup_remove(void **state)
{
	struct vm_page *m;
	unsigned d;

	(void)state;
	for (d = 0; d < NDESIGNS; d++) {
		struct vm_engine *e = mk(d, 2048);

		assert_int_equal(ev(e, PR_PAGE_INSERT, 1, 10, 3, 0), 0);
		assert_int_equal(ev(e, PR_PAGE_INSERT, 1, 10, 3, 0),
		    ENG_SKIP_RESIDENT);
		m = page(e, 1, 11);
		assert_non_null(m);
		assert_int_equal(vm_page_wired_count(e, m), 0);
		assert_int_equal(queue_of(e, m), PQ_INACTIVE);
		/* Contiguous pindexes share a reservation, hence a frame. */
		assert_int_equal(page(e, 1, 10)->phys_addr + 4096,
		    m->phys_addr);
		assert_ptr_equal(vm_page_lockptr(eng_cpu(e, 0), m),
		    vm_page_lockptr(eng_cpu(e, 0), page(e, 1, 12)));
		assert_int_equal(ev(e, PR_PAGE_LOOKUP, 1, 12, 2, 0), 0);
		assert_non_null(page(e, 1, 13));
		assert_int_equal(ev(e, PR_PAGE_REMOVE, 1, 10, 1, 0), 0);
		assert_null(page(e, 1, 10));
		assert_int_equal(ev(e, PR_PAGE_REMOVE, 1, 10, 1, 0),
		    ENG_SKIP_NOT_RESIDENT);
		assert_int_equal(e->objects[1].resident_page_count, 3);
		check_clean(e);
		eng_destroy(e);
	}
}

/*
 * vm_object_page_remove() holds the object's paging in progress across
 * its walk when the object has resident pages (10.4 through 14: "if
 * (object->resident_page_count == 0) return; vm_object_pip_add(object,
 * 1)"): under the write lock and no atomic in 10/12, a blockcount in 13+
 * (two object atomics beside the write lock's two).  An empty object
 * returns first.  The count is back to 0 after the event.
 */
static void
test_page_remove_pip(void **state)
{
	uint64_t before;
	unsigned d;

	(void)state;
	for (d = 0; d < NDESIGNS; d++) {
		struct vm_engine *e = mk(d, 2048);
		bool pl = d / 3 == 0;

		assert_int_equal(ev(e, PR_PAGE_INSERT, 5, 0, 1, 0), 0);
		before = atomics(e, LC_OBJECT);
		assert_int_equal(ev(e, PR_PAGE_REMOVE, 5, 0, 1, 0), 0);
		assert_int_equal(atomics(e, LC_OBJECT) - before, pl ? 2 : 4);
		assert_int_equal(atomic_load(&e->objects[5].pip), 0);
		before = atomics(e, LC_OBJECT);
		assert_int_equal(ev(e, PR_PAGE_REMOVE, 5, 0, 1, 0),
		    ENG_SKIP_NOT_RESIDENT);
		assert_int_equal(atomics(e, LC_OBJECT) - before, 2);
		check_clean(e);
		eng_destroy(e);
	}
}

static void
test_wire_unwire(void **state)
{
	struct eng_stats st;
	struct vm_page *m;
	uint64_t before;
	unsigned d;

	(void)state;
	for (d = 0; d < NDESIGNS; d++) {
		struct vm_engine *e = mk(d, 2048);

		assert_int_equal(ev(e, PR_WIRE, 2, 5, 1, 0), 0);
		m = page(e, 2, 5);
		assert_non_null(m);
		assert_int_equal(vm_page_wired_count(e, m), 1);
		/*
		 * A resident page is wired with no object lock by 13+
		 * (vfs_vmio_extend() -> vm_page_grab_pages_unlocked()),
		 * under the write lock by 10 and 12 (vm_page_grab()).
		 */
		before = acq(e, LC_OBJECT);
		assert_int_equal(ev(e, PR_WIRE, 2, 5, 1, 0), 0);
		assert_int_equal(acq(e, LC_OBJECT) - before, e->pagelock ? 1 : 0);
		assert_int_equal(vm_page_wired_count(e, m), 2);
		if (!e->pagelock)
			assert_int_equal(atomic_load(&m->ref_count),
			    VPRC_OBJREF | 2);
		/* A wired page is not removed (vm_object_page_remove). */
		assert_int_equal(ev(e, PR_PAGE_REMOVE, 2, 5, 1, 0),
		    ENG_SKIP_WIRED);
		/*
		 * 13+ unwires with the page's pointer and no object lock
		 * (vm_page_unhold_pages(), vfs_vmio_truncate()), and so
		 * does 12's buffer cache (vfs_vmio_truncate() of a buffer
		 * that is not B_DIRECT, r331325: the page lock alone);
		 * FreeBSD 10's write-locks the object (allocbuf, d 0).
		 */
		before = acq(e, LC_OBJECT);
		assert_int_equal(ev(e, PR_UNWIRE, 2, 5, 1, 0), 0);
		assert_int_equal(ev(e, PR_UNWIRE, 2, 5, 1, 0), 0);
		assert_int_equal(acq(e, LC_OBJECT) - before, d == 0 ? 2 : 0);
		assert_int_equal(vm_page_wired_count(e, m), 0);
		/*
		 * Last unwiring activates (vm_page_unwire(m, PQ_ACTIVE));
		 * FreeBSD 10's allocbuf() deactivates (vm_page_unwire(m, 0)).
		 */
		assert_int_equal(queue_of(e, m), d == 0 ? PQ_INACTIVE :
		    PQ_ACTIVE);
		/* An unwire of an unwired page is skipped, and counted. */
		assert_int_equal(ev(e, PR_UNWIRE, 2, 5, 1, 0),
		    ENG_SKIP_NOT_WIRED);
		eng_stats_collect(e, &st);
		assert_int_equal(st.skipped_by_kind[PR_UNWIRE], 1);
		check_clean(e);
		eng_destroy(e);
	}
}

/*
 * --page refcount's wire finds a resident page with no object lock
 * (ev_wire_unlocked()): a termination of the object between its wiring
 * and its counting of the wiring as the event's takes the page out and
 * marks it VM_PAGE_EVW_GONE, so the count is refused, the object's sum
 * left at 0, and the wire event's own unwiring frees the page (a counted
 * wiring would have leaked it: no event can reach it any more).
 */
static void
test_wire_unlocked_terminated(void **state)
{
	struct vm_object *obj;
	struct vm_page *m;
	struct eng_cpu *c;
	struct vm_engine *e;

	(void)state;
	e = mk_spec("refcount", "astate:4", 1, 2048);
	c = eng_cpu(e, 0);
	obj = &e->objects[4];
	assert_int_equal(ev(e, PR_PAGE_INSERT, 4, 0, 1, 0), 0);
	assert_int_equal(vm_page_grab_pages_unlocked(c, obj, 0,
	    VM_ALLOC_WIRED | VM_ALLOC_IGN_SBUSY, &m, 1), 1);
	assert_int_equal(ev(e, PR_OBJ_TERMINATE, 4, 0, 1, 0), 0);
	assert_null(atomic_load(&m->object));
	assert_int_equal(vm_page_wired_count(e, m), 1);
	assert_false(vm_page_ev_wiring_add(obj, m));
	assert_int_equal(atomic_load(&obj->ev_wirings), 0);
	vm_page_unwire(c, m, PQ_ACTIVE);
	check_clean(e);
	eng_destroy(e);
}

static void
test_release(void **state)
{
	struct vm_page *m;
	uint64_t before;
	unsigned d;

	(void)state;
	for (d = 0; d < NDESIGNS; d++) {
		struct vm_engine *e = mk(d, 2048);
		uint64_t free0 = e->vmd.vmd_free_count;

		ev(e, PR_WIRE, 3, 0, 2, 0);
		/*
		 * No object lock but FreeBSD 10's (vfs_vmio_release(),
		 * d 0): 12's vfs_vmio_truncate() takes none for a buffer
		 * that is not B_DIRECT, 13+'s vm_page_release() none.
		 */
		before = acq(e, LC_OBJECT);
		assert_int_equal(ev(e, PR_RELEASE, 3, 0, 1, 0), 0);
		assert_int_equal(acq(e, LC_OBJECT) - before, d == 0 ? 1 : 0);
		m = page(e, 3, 0);
		assert_non_null(m);
		assert_int_equal(vm_page_wired_count(e, m), 0);
		assert_int_equal(queue_of(e, m), PQ_INACTIVE);
		/* NOCACHE frees at once. */
		assert_int_equal(ev(e, PR_RELEASE, 3, 1, 1, PR_F_NOCACHE), 0);
		assert_null(page(e, 3, 1));
		assert_int_equal(ev(e, PR_RELEASE, 3, 0, 1, 0),
		    ENG_SKIP_NOT_WIRED);
		eng_quiesce(e);
		assert_int_equal(e->vmd.vmd_free_count, free0 - 1);
		check_clean(e);
		eng_destroy(e);
	}
}

/*
 * An SF_NOCACHE sendfile completion that cannot free its page (still
 * mapped) sends it to the inactive head, as deactivate_noreuse does
 * (release_toq with VPR_TRYFREE).  FreeBSD 10 (pagelock + locked, d 0)
 * has no SF_NOCACHE: a plain release, to the inactive tail.
 */
static void
test_release_nocache_kept(void **state)
{
	struct pr_event x;
	struct vm_page *m;
	unsigned d;

	(void)state;
	for (d = 0; d < NDESIGNS; d++) {
		struct vm_engine *e = mk(d, 2048);

		ev(e, PR_PAGE_INSERT, 3, 0, 4, 0);
		memset(&x, 0, sizeof(x));
		x.kind = PR_MAP;
		x.obj = 3;
		x.pindex = 1;
		x.npages = 1;
		x.addr = 1 << 12;
		assert_int_equal(eng_apply(eng_cpu(e, 0), &x), 0);
		/* sendfile(SF_NOCACHE) of page 1: VPR_TRYFREE only. */
		memset(&x, 0, sizeof(x));
		x.kind = PR_SENDFILE;
		x.obj = 3;
		x.addr = 1 << 12;
		x.arg = 1 << 12;
		x.flags = PR_F_NOCACHE;
		assert_int_equal(eng_apply(eng_cpu(e, 0), &x), 0);
		m = page(e, 3, 1);
		assert_non_null(m);
		assert_int_equal(queue_of(e, m), PQ_INACTIVE);
		if (d == 0)
			assert_ptr_equal(TAILQ_LAST(&vm_page_pagequeue(e,
			    PQ_INACTIVE)->pq_pl, pglist), m);
		else
			assert_ptr_equal(TAILQ_PREV(&e->vmd.vmd_inacthead,
			    pglist, plinks_q), m);
		check_clean(e);
		eng_destroy(e);
	}
}

/* One-page map of obj at pindex in pmap 0 (a fault). */
static int
map1(struct vm_engine *e, uint64_t obj, uint64_t pindex, uint8_t flags)
{
	struct pr_event x;

	memset(&x, 0, sizeof(x));
	x.kind = PR_MAP;
	x.obj = obj;
	x.pindex = pindex;
	x.npages = 1;
	x.addr = (0x1000 + pindex) << 12;
	x.flags = flags;
	return (eng_apply(eng_cpu(e, 0), &x));
}

/*
 * A NOCACHE release (a B_DIRECT buffer's) of a mapped page: 10 and 12
 * (--page pagelock) free it, vfs_vmio_unwire() calling
 * vm_page_try_to_free(), which unmaps it first (one pv-list lock and the
 * pmap's); 13+ (refcount) places it, vm_page_release_locked() freeing only
 * an unmapped page.  A NOCACHE sendfile keeps a mapped page under 12 too
 * (sendfile_free_page(): "Only free unmapped pages").
 */
static void
test_release_nocache_mapped(void **state)
{
	struct pr_event x;
	uint64_t pv0;
	unsigned d;

	(void)state;
	for (d = 0; d < NDESIGNS; d++) {
		struct vm_engine *e = mk(d, 2048);

		assert_int_equal(ev(e, PR_WIRE, 3, 0, 1, 0), 0);
		assert_int_equal(map1(e, 3, 0, 0), 0);
		pv0 = acq(e, LC_PV);
		assert_int_equal(ev(e, PR_RELEASE, 3, 0, 1, PR_F_NOCACHE), 0);
		if (d < 3) {
			assert_null(page(e, 3, 0));
			assert_int_equal(acq(e, LC_PV) - pv0, 1);
		} else {
			assert_non_null(page(e, 3, 0));
			assert_true(pmap_page_is_mapped(page(e, 3, 0)));
			assert_int_equal(acq(e, LC_PV), pv0);
		}
		memset(&x, 0, sizeof(x));
		x.kind = PR_SENDFILE;
		x.obj = 3;
		x.pindex = 1;
		x.npages = 1;
		x.flags = PR_F_NOCACHE;
		assert_int_equal(map1(e, 3, 1, 0), 0);
		assert_int_equal(eng_apply(eng_cpu(e, 0), &x), 0);
		assert_non_null(page(e, 3, 1));
		assert_true(pmap_page_is_mapped(page(e, 3, 1)));
		check_clean(e);
		eng_destroy(e);
	}
}

/*
 * A NOCACHE release on an object no wire event wired is the recorder's
 * POSIX_FADV_DONTNEED (ev_dontneed()), not a release skipped as "not
 * wired".  FreeBSD 11+ (every design here but 10's pagelock + locked, d 0)
 * read-locks the object once for the range and moves its resident pages
 * to the inactive queue; under pagelock the page lock is carried from page
 * to page, so two pages under one lock take it once (13's astate takes
 * none).  FreeBSD 10 caches
 * each unwired, unbusied page, which the model frees, under the object's
 * write lock.  A later wire makes the next NOCACHE release a release.
 */
static void
test_dontneed(void **state)
{
	uint64_t obj0, page0;
	struct vm_page *m;
	unsigned d;

	(void)state;
	for (d = 0; d < NDESIGNS; d++) {
		struct vm_engine *e = mk(d, 2048);

		assert_int_equal(ev(e, PR_PAGE_INSERT, 3, 0, 2, 0), 0);
		assert_int_equal(ev(e, PR_ACTIVATE, 3, 0, 2, 0), 0);
		assert_true(vm_page_lockptr(eng_cpu(e, 0), page(e, 3, 0)) ==
		    vm_page_lockptr(eng_cpu(e, 0), page(e, 3, 1)));
		obj0 = acq(e, LC_OBJECT);
		page0 = acq(e, LC_PAGE);
		assert_int_equal(ev(e, PR_RELEASE, 3, 0, 2, PR_F_NOCACHE), 0);
		assert_int_equal(acq(e, LC_OBJECT) - obj0, 1);
		/* refcount with a page-locked queue locks each page. */
		assert_int_equal(acq(e, LC_PAGE) - page0, d < 3 ? 1 :
		    vm_page_qlock(e) ? 2 : 0);
		if (d == 0) {
			assert_null(page(e, 3, 0));
			assert_null(page(e, 3, 1));
		} else {
			assert_int_equal(queue_of(e, page(e, 3, 0)),
			    PQ_INACTIVE);
			assert_int_equal(queue_of(e, page(e, 3, 1)),
			    PQ_INACTIVE);
		}
		assert_int_equal(ev(e, PR_WIRE, 3, 4, 1, 0), 0);
		assert_int_equal(ev(e, PR_RELEASE, 3, 4, 1, PR_F_NOCACHE), 0);
		assert_null(page(e, 3, 4));
		m = page(e, 3, 1);
		assert_true(d == 0 ? m == NULL : m != NULL);
		check_clean(e);
		eng_destroy(e);
	}
}

/*
 * FreeBSD 10's buffer-cache release (pagelock + locked, d 0):
 * vfs_vmio_release() puts the unwired page on the inactive queue at once
 * (vm_page_unwire(m, 0), release/10.4.0 sys/kern/vfs_bio.c line 1894),
 * and a B_DIRECT buffer's (NOCACHE) is then freed by
 * vm_page_try_to_free(), whose vm_page_free() dequeues it: two queue-lock
 * acquisitions; a mapped page is unmapped and freed as well; a busied one
 * stays at the inactive tail.  12's pagelock + batch (d 1) frees the page
 * without queueing it (test_release).
 */
static void
test_release_nocache_fb10(void **state)
{
	struct vm_engine *e;
	struct vm_page *m;
	uint64_t before;

	(void)state;
	e = mk_busied(0, 3, 2, &m);
	ev(e, PR_WIRE, 3, 0, 3, 0);
	before = acq(e, LC_PAGEQUEUE);
	assert_int_equal(ev(e, PR_RELEASE, 3, 0, 1, PR_F_NOCACHE), 0);
	assert_int_equal(acq(e, LC_PAGEQUEUE) - before, 2);
	assert_null(page(e, 3, 0));
	assert_int_equal(map1(e, 3, 1, 0), 0);
	assert_true(pmap_page_is_mapped(page(e, 3, 1)));
	assert_int_equal(ev(e, PR_RELEASE, 3, 1, 1, PR_F_NOCACHE), 0);
	assert_null(page(e, 3, 1));
	before = acq(e, LC_PAGEQUEUE);
	assert_int_equal(ev(e, PR_RELEASE, 3, 2, 1, PR_F_NOCACHE), 0);
	assert_int_equal(acq(e, LC_PAGEQUEUE) - before, 1);
	assert_ptr_equal(page(e, 3, 2), m);
	assert_int_equal(vm_page_wired_count(e, m), 0);
	assert_ptr_equal(TAILQ_LAST(&vm_page_pagequeue(e, PQ_INACTIVE)->pq_pl,
	    pglist), m);
	vm_page_xunbusy(eng_cpu(e, 1), m);
	check_clean(e);
	eng_destroy(e);
}

/* Object-lock acquisitions and atomics of a fault on CPU 0. */
static void
map_object_cost(struct vm_engine *e, uint64_t obj, uint64_t pindex,
    uint8_t flags, uint64_t *locks, uint64_t *atoms)
{
	uint64_t l = acq(e, LC_OBJECT), a = atomics(e, LC_OBJECT);

	assert_int_equal(map1(e, obj, pindex, flags), 0);
	*locks = acq(e, LC_OBJECT) - l;
	*atoms = atomics(e, LC_OBJECT) - a;
}

/* Object acquisitions of a read fault on (obj, pindex) on CPU 0. */
static uint64_t
map_object_locks(struct vm_engine *e, uint64_t obj, uint64_t pindex)
{
	uint64_t locks, atoms;

	map_object_cost(e, obj, pindex, 0, &locks, &atoms);
	return (locks);
}

/*
 * An extract_hold of n pages is vm_fault_quick_hold_pages(): one
 * pmap_extract_and_hold() a page, each under the pmap lock, including a
 * page that is not mapped (the kernel then faults it in; not modelled).
 * Each hold is dropped at once: no page stays wired.  Skipped only when
 * no page was held.
 */
static void
test_extract_hold_pages(void **state)
{
	struct pr_event x;
	uint64_t before;
	unsigned d, p;

	(void)state;
	for (d = 0; d < NDESIGNS; d++) {
		struct vm_engine *e = mk(d, 2048);

		for (p = 0; p < 3; p++)
			assert_int_equal(map1(e, 2, p, 0), 0);
		memset(&x, 0, sizeof(x));
		x.kind = PR_EXTRACT_HOLD;
		x.addr = (uint64_t)0x1000 << 12;	/* map1's page 0 */
		x.npages = 4;
		before = acq(e, LC_PMAP);
		assert_int_equal(eng_apply(eng_cpu(e, 0), &x), ENG_SKIP_NONE);
		assert_int_equal(acq(e, LC_PMAP) - before, 4);
		for (p = 0; p < 3; p++)
			assert_int_equal(vm_page_wired_count(e, page(e, 2, p)),
			    0);
		x.addr = (uint64_t)0x1003 << 12;	/* nothing mapped */
		x.npages = 2;
		assert_int_equal(eng_apply(eng_cpu(e, 0), &x),
		    ENG_SKIP_NOT_MAPPED);
		check_clean(e);
		eng_destroy(e);
	}
}

/*
 * An O_DIRECT call as the recorder writes it: extract_hold, wire and
 * unwire of the user buffer's pages, named as the anonymous object.  The
 * kernel's work is the extract_hold's (vm_fault_quick_hold_pages(), then
 * vm_page_unhold_pages()); the wire and unwire take no lock, count no
 * atomic and leave no wiring.  A file's pages are still wired (the buffer
 * cache).
 */
static void
test_direct_io_buffer(void **state)
{
	struct lock_counts before;
	struct eng_stats st;
	unsigned d, p;

	(void)state;
	for (d = 0; d < NDESIGNS; d++) {
		struct vm_engine *e = mk(d, 2048);

		eng_object_anon(e, 6);
		for (p = 0; p < 2; p++)
			assert_int_equal(map1(e, 6, p, PR_F_WRITE), 0);
		lock_counts_take(e, &before);
		assert_int_equal(ev(e, PR_WIRE, 6, 0, 2, 0), 0);
		assert_int_equal(ev(e, PR_UNWIRE, 6, 0, 2, 0), 0);
		assert_no_lock_work(e, &before);
		for (p = 0; p < 2; p++)
			assert_int_equal(vm_page_wired_count(e, page(e, 6, p)),
			    0);
		eng_stats_collect(e, &st);
		assert_int_equal(st.skipped_by_kind[PR_WIRE], 0);
		assert_int_equal(st.skipped_by_kind[PR_UNWIRE], 0);
		/* A file's page: the buffer cache's wiring. */
		assert_int_equal(ev(e, PR_WIRE, 2, 0, 1, 0), 0);
		assert_int_equal(vm_page_wired_count(e, page(e, 2, 0)), 1);
		assert_int_equal(ev(e, PR_UNWIRE, 2, 0, 1, 0), 0);
		check_clean(e);
		eng_destroy(e);
	}
}

/*
 * A fault on a page that is not resident allocates it busied, maps it,
 * activates it and unbusies it (vm_fault: vm_page_alloc, pmap_enter,
 * vm_page_activate, vm_page_xunbusy), where an insertion leaves it
 * inactive; it does not set PGA_REFERENCED (pmap_enter's PG_A records the
 * reference).  A fault on a resident page does not move it.
 */
static void
test_map_fault_activates(void **state)
{
	struct vm_page *m;
	unsigned d;

	(void)state;
	for (d = 0; d < NDESIGNS; d++) {
		struct vm_engine *e = mk(d, 2048);

		assert_int_equal(map1(e, 2, 7, PR_F_WRITE), 0);
		m = page(e, 2, 7);
		assert_non_null(m);
		assert_true(pmap_page_is_mapped(m));
		assert_int_equal(queue_of(e, m), PQ_ACTIVE);
		assert_int_equal(VM_PAGE_A_FLAGS(vm_page_astate_load(m)) &
		    PGA_REFERENCED, 0);
		assert_int_equal(atomic_load(&m->busy_lock), VPB_UNBUSIED);
		/* Resident and inactive: the fault maps it, no queue move. */
		ev(e, PR_PAGE_INSERT, 2, 8, 1, 0);
		assert_int_equal(map1(e, 2, 8, 0), 0);
		assert_int_equal(queue_of(e, page(e, 2, 8)), PQ_INACTIVE);
		check_clean(e);
		eng_destroy(e);
	}
}

/*
 * Object-lock acquisitions of a fault on a missing page (vm_fault's slow
 * path): 10/12 (pagelock) 3, the soft path's read lock, the relock for
 * the activation and vm_object_deallocate's; 13+ (refcount) 1, the read
 * lock upgraded, for a file's object, 2 for an anonymous one, whose
 * vm_object_deallocate() write-locks (refcount_release_if_gt(, 2)).  A
 * fault on a resident page: 1, and under 10.4 (d 0) 2: its soft path's
 * vm_fault_prefault() runs after the unlock and read-locks the object for
 * the neighbour before (pindex 0: its PTE is empty), whose missing page
 * ends the loop.  A fault that allocated its page does not prefault
 * ("Don't try to prefault neighboring pages": faultcount = 1).
 */
static void
test_fault_miss_locks(void **state)
{
	uint64_t before;
	unsigned d;

	(void)state;
	for (d = 0; d < NDESIGNS; d++) {
		struct vm_engine *e = mk(d, 2048);
		bool pl = d / 3 == 0;

		eng_object_anon(e, 6);
		before = acq(e, LC_OBJECT);
		assert_int_equal(map1(e, 5, 1, 0), 0);
		assert_int_equal(acq(e, LC_OBJECT) - before, pl ? 3 : 1);
		before = acq(e, LC_OBJECT);
		assert_int_equal(map1(e, 6, 1, 0), 0);
		assert_int_equal(acq(e, LC_OBJECT) - before, pl ? 3 : 2);
		/* Unmapped, so that the fault is one (ev_map()). */
		assert_int_equal(ev_at(e, 0, PR_UNMAP, 6, 1, 1, 0,
		    (0x1000 + 1) << 12), 0);
		before = acq(e, LC_OBJECT);
		assert_int_equal(map1(e, 6, 1, 0), 0);
		assert_int_equal(acq(e, LC_OBJECT) - before, d == 0 ? 2 : 1);
		check_clean(e);
		eng_destroy(e);
	}
}

/*
 * vm_object_set_writeable_dirty() in the fault path.  10/12 (pagelock):
 * a write fault on a vnode's object (the model's non-anonymous objects)
 * that is not OBJ_MIGHTBEDIRTY write-locks at once, its page resident or
 * not (the slow path's 3 acquisitions where the soft path takes 1), and
 * marks the object; the next write faults take the soft path; a
 * termination clears the mark.  An anonymous object, and a read fault,
 * are never held back.  13+ (refcount): no such test, but each write
 * fault on a vnode's object adds an atomic on the object
 * (atomic_add_int(&object->generation, 1)), a read fault and an
 * anonymous object's write fault none.
 *
 * Each fault also prefaults (vm_fault_prefault()), which read-locks the
 * object once per candidate whose PTE is empty under 10.4's soft path
 * and every era's slow path (a page found resident: faultcount 0), and
 * not under 12/13's soft path, which holds the read lock through it.
 * The first read fault maps pindexes 1-3 read-only so (10.4: 3 read
 * locks, and a fourth for pindex 4, missing, which ends the loop); the
 * write faults that follow upgrade those mappings, their prefaults
 * finding 0-3 mapped and locking only for pindex 4 (the last, after the
 * termination unmapped 1-3, for pindex 1, missing).
 */
static void
test_fault_writeable_dirty(void **state)
{
	struct vm_object *obj;
	uint64_t locks, atoms, ratoms;
	unsigned d;

	(void)state;
	for (d = 0; d < NDESIGNS; d++) {
		struct vm_engine *e = mk(d, 2048);
		bool pl = d / 3 == 0;

		eng_object_anon(e, 6);
		obj = &e->objects[5];
		ev(e, PR_PAGE_INSERT, 5, 0, 4, 0);
		ev(e, PR_PAGE_INSERT, 6, 0, 2, 0);
		map_object_cost(e, 5, 0, 0, &locks, &ratoms);
		assert_int_equal(locks, d == 0 ? 5 : 1);
		assert_false(atomic_load(&obj->mightbedirty));
		/* The first write fault, on a resident page. */
		map_object_cost(e, 5, 1, PR_F_WRITE, &locks, &atoms);
		assert_int_equal(locks, pl ? 3 + 1 : 1);
		if (!pl)
			assert_int_equal(atoms, ratoms + 1);
		assert_int_equal(atomic_load(&obj->mightbedirty), pl);
		assert_int_equal(atomic_load(&obj->generation), 1);
		/* Then the soft path. */
		map_object_cost(e, 5, 2, PR_F_WRITE, &locks, &atoms);
		assert_int_equal(locks, d == 0 ? 2 : 1);
		if (!pl)
			assert_int_equal(atoms, ratoms + 1);
		assert_int_equal(atomic_load(&obj->generation), pl ? 1 : 2);
		/* Anonymous memory: the soft path, no count. */
		map_object_cost(e, 6, 0, PR_F_WRITE, &locks, &atoms);
		assert_int_equal(locks, d == 0 ? 2 : 1);
		if (d != 0)
			assert_int_equal(atoms, ratoms);
		assert_false(atomic_load(&e->objects[6].mightbedirty));
		/* A new incarnation is clean again. */
		assert_int_equal(ev(e, PR_OBJ_TERMINATE, 5, 0, 0, 0), 0);
		assert_false(atomic_load(&obj->mightbedirty));
		ev(e, PR_PAGE_INSERT, 5, 0, 1, 0);
		map_object_cost(e, 5, 0, PR_F_WRITE, &locks, &atoms);
		assert_int_equal(locks, pl ? 3 + 1 : 1);
		assert_int_equal(atomic_load(&obj->mightbedirty), pl);
		check_clean(e);
		eng_destroy(e);
	}
}

/*
 * 10/12's soft path: a write fault's vm_fault_dirty(, set_wd false) takes
 * the page lock (under the object's read lock) around its VPO_NOSYNC
 * update and vm_page_dirty(); a read fault does not, nor 13+, whose
 * vm_fault_dirty() takes no page lock.  (The read fault's prefault maps
 * pindex 1 read-only, so the write fault is an upgrade; under 10.4 the
 * prefault read-locks the object for pindexes 1 and 2.)
 */
static void
test_fault_soft_dirty_page_lock(void **state)
{
	uint64_t before;
	unsigned d;

	(void)state;
	for (d = 0; d < NDESIGNS; d++) {
		struct vm_engine *e = mk(d, 2048);
		bool pl = d / 3 == 0;

		eng_object_anon(e, 6);
		ev(e, PR_PAGE_INSERT, 6, 0, 2, 0);
		before = acq(e, LC_PAGE);
		assert_int_equal(map_object_locks(e, 6, 0), d == 0 ? 3 : 1);
		assert_int_equal(acq(e, LC_PAGE) - before, 0);
		before = acq(e, LC_PAGE);
		assert_int_equal(map1(e, 6, 1, PR_F_WRITE), 0);
		assert_int_equal(acq(e, LC_PAGE) - before, pl ? 1 : 0);
		check_clean(e);
		eng_destroy(e);
	}
}

/*
 * vm_fault_prefault() after a soft fault: the neighbours resident within
 * PFBAK = PFFOR = 4 pages are mapped by pmap_enter_quick(), in the
 * outward spiral.  Pindexes 0-9 resident, a read fault on 4: 0-3 and 5-8
 * mapped, 9 not.  The pmap lock: pmap_enter, then per neighbour
 * pmap_is_prefaultable() and pmap_enter_quick(): 17.  The object: the
 * soft path's read lock, and under 10.4 (d 0), whose prefault runs after
 * the unlock, one read lock per neighbour: 9.  A write fault on 4 then
 * (an upgrade) finds every neighbour mapped: 8 pmap_is_prefaultable()
 * locks and nothing more.
 */
static void
test_prefault_soft(void **state)
{
	uint64_t before, obefore;
	unsigned d, p;

	(void)state;
	for (d = 0; d < NDESIGNS; d++) {
		struct vm_engine *e = mk(d, 2048);

		ev(e, PR_PAGE_INSERT, 5, 0, 10, 0);
		before = acq(e, LC_PMAP);
		obefore = acq(e, LC_OBJECT);
		assert_int_equal(map1(e, 5, 4, 0), 0);
		for (p = 0; p < 10; p++)
			assert_int_equal(pmap_page_is_mapped(page(e, 5, p)),
			    p < 9);
		assert_int_equal(acq(e, LC_PMAP) - before, 1 + 8 + 8);
		assert_int_equal(acq(e, LC_OBJECT) - obefore, d == 0 ? 9 : 1);
		before = acq(e, LC_PMAP);
		assert_int_equal(map1(e, 5, 4, PR_F_WRITE), 0);
		assert_int_equal(acq(e, LC_PMAP) - before, 1 + 8);
		check_clean(e);
		eng_destroy(e);
	}
}

/*
 * The spiral ends at the first neighbour whose page is missing (pindex 3
 * here, after 1), and skips one whose PTE is valid or that lies before
 * the entry (the model's entry maps the object from pindex 0: pindex 0's
 * fault has no neighbour before it).
 */
static void
test_prefault_stops(void **state)
{
	uint64_t before;
	unsigned d;

	(void)state;
	for (d = 0; d < NDESIGNS; d++) {
		struct vm_engine *e = mk(d, 2048);

		ev(e, PR_PAGE_INSERT, 5, 0, 3, 0);
		ev(e, PR_PAGE_INSERT, 5, 4, 3, 0);
		before = acq(e, LC_PMAP);
		assert_int_equal(map1(e, 5, 2, 0), 0);
		assert_false(pmap_page_is_mapped(page(e, 5, 0)));
		assert_true(pmap_page_is_mapped(page(e, 5, 1)));
		assert_false(pmap_page_is_mapped(page(e, 5, 4)));
		/* pmap_enter; 1: checked and entered; 3: checked. */
		assert_int_equal(acq(e, LC_PMAP) - before, 1 + 2 + 1);
		/* Pindex 0: 1 and 2 mapped, 3 missing: 3 checks. */
		before = acq(e, LC_PMAP);
		assert_int_equal(map1(e, 5, 0, 0), 0);
		assert_int_equal(acq(e, LC_PMAP) - before, 1 + 3);
		assert_false(pmap_page_is_mapped(page(e, 5, 4)));
		check_clean(e);
		eng_destroy(e);
	}
}

/*
 * The slow path prefaults after its pmap_enter when it found its page
 * resident (faultcount 0), with the object unlocked (one read lock per
 * candidate checked), and not when it allocated the page (a zero fill,
 * faultcount 1: "Don't try to prefault neighboring pages").  The found
 * case is 10/12's first write fault on a vnode's object (the gate of
 * vm_fault_needs_wlock()); 13+ take the soft path there.  A missing
 * page's fault leaves its resident neighbours unmapped in every era.
 */
static void
test_prefault_slow(void **state)
{
	unsigned d;

	(void)state;
	for (d = 0; d < NDESIGNS; d++) {
		struct vm_engine *e = mk(d, 2048);

		ev(e, PR_PAGE_INSERT, 5, 0, 3, 0);
		assert_int_equal(map1(e, 5, 1, PR_F_WRITE), 0);
		assert_true(pmap_page_is_mapped(page(e, 5, 0)));
		assert_true(pmap_page_is_mapped(page(e, 5, 2)));
		ev(e, PR_PAGE_INSERT, 6, 0, 1, 0);
		ev(e, PR_PAGE_INSERT, 6, 2, 1, 0);
		assert_int_equal(map1(e, 6, 1, 0), 0);
		assert_true(pmap_page_is_mapped(page(e, 6, 1)));
		assert_false(pmap_page_is_mapped(page(e, 6, 0)));
		assert_false(pmap_page_is_mapped(page(e, 6, 2)));
		check_clean(e);
		eng_destroy(e);
	}
}

/*
 * A map event's page that this CPU's faults mapped, or their prefaults,
 * is no FreeBSD fault: no lock, no atomic (ev_map(), eng_fault_seen()).
 * As Linux's fault-around window after its fault (the faulting page and
 * its neighbours, one map event): a read fault on pindex 4 maps 0-8, so
 * a map of 0-8 is no work, nor one of 4 again; a map of 0-15 then faults
 * on 9 (pmap_enter, 8 pmap_is_prefaultable() of which 4 enter 10-13) and
 * 14 (pmap_enter; 13, 15 entered, 12, and 16, missing: 4 checks, 1
 * entered), and on no other page.  A write to 2, mapped read-only by the
 * prefault, is a fault (an upgrade); and after any other event (here an
 * activation) the model no longer knows, and 4 faults again.
 */
static void
test_map_seen(void **state)
{
	struct lock_counts lc;
	struct pr_event x;
	uint64_t before;
	unsigned d, p;

	(void)state;
	for (d = 0; d < NDESIGNS; d++) {
		struct vm_engine *e = mk(d, 2048);

		ev(e, PR_PAGE_INSERT, 5, 0, 16, 0);
		assert_int_equal(map1(e, 5, 4, 0), 0);
		memset(&x, 0, sizeof(x));
		x.kind = PR_MAP;
		x.obj = 5;
		x.npages = 9;
		x.addr = (uint64_t)0x1000 << 12;
		lock_counts_take(e, &lc);
		assert_int_equal(eng_apply(eng_cpu(e, 0), &x), 0);
		assert_int_equal(map1(e, 5, 4, 0), 0);
		assert_no_lock_work(e, &lc);
		x.npages = 16;
		before = acq(e, LC_PMAP);
		assert_int_equal(eng_apply(eng_cpu(e, 0), &x), 0);
		assert_int_equal(acq(e, LC_PMAP) - before,
		    (1 + 8 + 4) + (1 + 4 + 1));
		for (p = 0; p < 16; p++)
			assert_true(pmap_page_is_mapped(page(e, 5, p)));
		before = acq(e, LC_PMAP);
		assert_int_equal(map1(e, 5, 2, PR_F_WRITE), 0);
		assert_true(acq(e, LC_PMAP) > before);
		ev(e, PR_ACTIVATE, 5, 15, 1, 0);
		before = acq(e, LC_PMAP);
		assert_int_equal(map1(e, 5, 4, 0), 0);
		assert_true(acq(e, LC_PMAP) > before);
		check_clean(e);
		eng_destroy(e);
	}
}

/*
 * A neighbour the prefault finds mapped to its own page already (an older
 * fault's doing, which this CPU has forgotten) is known too:
 * pmap_is_prefaultable() read its PTE under the pmap lock.  A fault on
 * 12 maps 8-15; after an activation, one on 4 maps 0-7 and finds 8
 * mapped; a map of 0-8 is then no work.
 */
static void
test_map_seen_older(void **state)
{
	struct lock_counts lc;
	struct pr_event x;
	unsigned d;

	(void)state;
	for (d = 0; d < NDESIGNS; d++) {
		struct vm_engine *e = mk(d, 2048);

		ev(e, PR_PAGE_INSERT, 5, 0, 16, 0);
		assert_int_equal(map1(e, 5, 12, 0), 0);
		ev(e, PR_ACTIVATE, 5, 15, 1, 0);
		assert_int_equal(map1(e, 5, 4, 0), 0);
		memset(&x, 0, sizeof(x));
		x.kind = PR_MAP;
		x.obj = 5;
		x.npages = 9;
		x.addr = (uint64_t)0x1000 << 12;
		lock_counts_take(e, &lc);
		assert_int_equal(eng_apply(eng_cpu(e, 0), &x), 0);
		assert_no_lock_work(e, &lc);
		check_clean(e);
		eng_destroy(e);
	}
}

/*
 * 10.4's slow path takes a page it finds resident off its queue before
 * busying it (vm_page_remque() under the page lock), so the activation
 * puts an active page back at the active tail: two page-queue lock
 * acquisitions.  Elsewhere (12's batch queues, 13+) an active page found
 * by a fault stays where it is.  The fault here is 10/12's first write
 * fault on a vnode's object, which takes the slow path with its page
 * resident (test_fault_writeable_dirty); 13+ take the soft path.
 */
static void
test_fault_remque(void **state)
{
	struct vm_page *m0, *m1;
	uint64_t before;
	unsigned d;

	(void)state;
	for (d = 0; d < NDESIGNS; d++) {
		struct vm_engine *e = mk(d, 2048);

		ev(e, PR_PAGE_INSERT, 5, 0, 2, 0);
		ev(e, PR_ACTIVATE, 5, 0, 1, 0);
		ev(e, PR_ACTIVATE, 5, 1, 1, 0);
		m0 = page(e, 5, 0);
		m1 = page(e, 5, 1);
		eng_quiesce(e);
		assert_ptr_equal(TAILQ_LAST(&vm_page_pagequeue(e,
		    PQ_ACTIVE)->pq_pl, pglist), m1);
		before = acq(e, LC_PAGEQUEUE);
		assert_int_equal(map1(e, 5, 0, PR_F_WRITE), 0);
		if (d == 0)
			assert_int_equal(acq(e, LC_PAGEQUEUE) - before, 2);
		assert_int_equal(queue_of(e, m0), PQ_ACTIVE);
		assert_ptr_equal(TAILQ_LAST(&vm_page_pagequeue(e,
		    PQ_ACTIVE)->pq_pl, pglist), d == 0 ? m0 : m1);
		check_clean(e);
		eng_destroy(e);
	}
}

static _Atomic bool busy_fault_done;

static void *
busy_fault_run(void *arg)
{
	assert_int_equal(map1(arg, 4, 3, PR_F_WRITE), 0);
	atomic_store(&busy_fault_done, true);
	return (NULL);
}

/*
 * A write fault whose page another holds busy takes the slow path, marks
 * the page referenced, drops its paging-in-progress count, waits and
 * starts again: it maps the page only once the busy is gone
 * (vm_fault_busy_sleep, RetryFault), and no count is left behind.
 */
static void
test_fault_busy_retry(void **state)
{
	struct vm_page *m;
	pthread_t t;
	unsigned d, ms;

	(void)state;
	for (d = 0; d < NDESIGNS; d++) {
		struct vm_engine *e = mk_busied(d, 4, 3, &m);

		atomic_store(&busy_fault_done, false);
		assert_int_equal(pthread_create(&t, NULL, busy_fault_run, e),
		    0);
		/*
		 * Wait for the fault to find the page busy (it marks it
		 * referenced), however loaded the machine; then it must
		 * still be waiting, the page unmapped.
		 */
		for (ms = 0; (VM_PAGE_A_FLAGS(vm_page_astate_load(m)) &
		    PGA_REFERENCED) == 0 && ms < 30000; ms++)
			usleep(1000);
		assert_true((VM_PAGE_A_FLAGS(vm_page_astate_load(m)) &
		    PGA_REFERENCED) != 0);
		usleep(20000);
		assert_false(atomic_load(&busy_fault_done));
		assert_false(pmap_page_is_mapped(m));
		vm_page_xunbusy(eng_cpu(e, 1), m);
		assert_int_equal(pthread_join(t, NULL), 0);
		assert_true(atomic_load(&busy_fault_done));
		assert_true(pmap_page_is_mapped(m));
		assert_int_equal(atomic_load(&e->objects[4].pip), 0);
		check_clean(e);
		eng_destroy(e);
	}
}

/* The busy-sleep probe: the fault's state when it gives the CPU away. */
static struct {
	struct vm_engine *e;
	struct vm_page	*m;
	unsigned	yields;
	uint32_t	pip;
	bool		locked;
} bsp;

static void
bsp_access(void *ctx, const void *p, enum eng_sim_op op)
{
	(void)ctx;
	(void)p;
	(void)op;
}

static uint64_t
bsp_now(void *ctx)
{
	(void)ctx;
	return (0);
}

/* The fault sleeps on the busy page: look, then let the holder unbusy. */
static void
bsp_yield(void *ctx)
{
	(void)ctx;
	if (bsp.yields++ > 0)
		return;
	bsp.pip = atomic_load(&bsp.e->objects[4].pip);
	bsp.locked = eng_lock_held(&eng_cpu(bsp.e, 0)->lk,
	    &bsp.e->objects[4].lock);
	vm_page_xunbusy(eng_cpu(bsp.e, 1), bsp.m);
}

/*
 * While a fault sleeps on a busy page its object is unlocked; 10/12 keep
 * the paging-in-progress count across the sleep (vm_page_sleep_if_busy(),
 * then vm_object_pip_wakeup() under the lock again), 13+ drop it before
 * (vm_fault_busy_sleep()), so a termination need not wait for the
 * sleeper.  One host thread: the sleep is the model's yield.
 */
static void
test_fault_busy_sleep_pip(void **state)
{
	struct eng_sim_hook hook = SOLO_HOOK(bsp_access, bsp_now);
	unsigned d;

	(void)state;
	hook.yield = bsp_yield;
	for (d = 0; d < NDESIGNS; d++) {
		bool pl = d / 3 == 0;

		memset(&bsp, 0, sizeof(bsp));
		bsp.e = mk_busied(d, 4, 3, &bsp.m);
		eng_lock_sim_set(&hook);
		assert_int_equal(map1(bsp.e, 4, 3, PR_F_WRITE), 0);
		eng_lock_sim_set(NULL);
		assert_int_equal(bsp.yields, 1);
		assert_false(bsp.locked);
		assert_int_equal(bsp.pip, pl ? 1 : 0);
		assert_true(pmap_page_is_mapped(bsp.m));
		assert_int_equal(atomic_load(&bsp.e->objects[4].pip), 0);
		check_clean(bsp.e);
		eng_destroy(bsp.e);
	}
}

/* Whether m's PGA_REFERENCED is set; cleared for the next step. */
static bool
referenced_take(struct vm_engine *e, struct vm_page *m)
{
	bool set = (VM_PAGE_A_FLAGS(vm_page_astate_load(m)) &
	    PGA_REFERENCED) != 0;

	vm_page_aflag_clear(eng_cpu(e, 0), m, PGA_REFERENCED);
	return (set);
}

/*
 * pmap_enter sets PG_A; a removal of the mapping moves it to the page
 * (pmap_remove_pte, pmap_remove_all, and pmap_remove_pde to each page of
 * a 2 MiB mapping: PGA_REFERENCED), the process exit's pmap_remove_pages
 * does not.
 */
static void
test_unmap_references(void **state)
{
	struct eng_stats st;
	struct vm_page *m;
	unsigned d;

	(void)state;
	for (d = 0; d < NDESIGNS; d++) {
		struct vm_engine *e = mk(d, 2048);

		assert_int_equal(map1(e, 2, 7, 0), 0);
		m = page(e, 2, 7);
		assert_non_null(m);
		assert_false(referenced_take(e, m));
		assert_int_equal(ev_at(e, 0, PR_UNMAP, 2, 7, 1, 0,
		    (0x1000 + 7) << 12), 0);
		assert_false(pmap_page_is_mapped(m));
		assert_true(referenced_take(e, m));
		assert_int_equal(map1(e, 2, 7, 0), 0);
		assert_int_equal(ev(e, PR_REMOVE_ALL, 2, 7, 1, 0), 0);
		assert_true(referenced_take(e, m));
		assert_int_equal(map1(e, 2, 7, 0), 0);
		assert_int_equal(ev(e, PR_PMAP_DESTROY, 0, 0, 0, 0), 0);
		assert_false(pmap_page_is_mapped(m));
		assert_false(referenced_take(e, m));

		/* A 2 MiB mapping's PG_A goes to each of its 512 pages. */
		assert_int_equal(ev(e, PR_PMAP_CREATE, 0, 0, 0, 0), 0);
		assert_int_equal(ev_at(e, 0, PR_MAP, 7, 0, NPDEPG, PR_F_WRITE,
		    (uint64_t)1 << PDRSHIFT), 0);
		(void)ev_at(e, 0, PR_PROMOTE, 7, 0, NPDEPG, 0,
		    (uint64_t)1 << PDRSHIFT);
		eng_stats_collect(e, &st);
		assert_int_equal(st.promotions, 1);
		assert_int_equal(ev_at(e, 0, PR_UNMAP, 7, 0, NPDEPG, 0,
		    (uint64_t)1 << PDRSHIFT), 0);
		assert_true(referenced_take(e, page(e, 7, 0)));
		assert_true(referenced_take(e, page(e, 7, NPDEPG - 1)));
		check_clean(e);
		eng_destroy(e);
	}
}

static void *
terminate_obj3(void *arg)
{
	(void)ev_on(arg, 1, PR_OBJ_TERMINATE, 3, 0, 0);
	return (NULL);
}

/*
 * A fault's slow path holds its page busy and its object's
 * paging-in-progress count while the object is unlocked around
 * pmap_enter.  So page_remove skips a busied page (vm_object_page_remove
 * sleeps on it, 10 to 14), and a termination waits until the count is 0
 * (vm_object_terminate's vm_object_pip_wait) before it frees the pages.
 */
static void
test_fault_busy_and_pip(void **state)
{
	struct vm_object *obj;
	struct vm_page *m;
	pthread_t t;
	unsigned d;

	(void)state;
	for (d = 0; d < NDESIGNS; d++) {
		struct vm_engine *e = mk_busied(d, 3, 5, &m);

		assert_int_equal(ev(e, PR_PAGE_REMOVE, 3, 5, 1, 0),
		    ENG_SKIP_BUSY);
		assert_ptr_equal(page(e, 3, 5), m);
		vm_page_xunbusy(eng_cpu(e, 1), m);
		assert_int_equal(ev(e, PR_PAGE_REMOVE, 3, 5, 1, 0), 0);
		assert_null(page(e, 3, 5));

		ev(e, PR_PAGE_INSERT, 3, 6, 1, 0);
		obj = &e->objects[3];
		atomic_store(&obj->pip, 1);
		assert_int_equal(pthread_create(&t, NULL, terminate_obj3, e),
		    0);
		usleep(50000);
		assert_true(atomic_load(&obj->alive));
		assert_non_null(page(e, 3, 6));
		atomic_store(&obj->pip, 0);
		assert_int_equal(pthread_join(t, NULL), 0);
		assert_false(atomic_load(&obj->alive));
		check_clean(e);
		eng_destroy(e);
	}
}

static void
test_queue_ops(void **state)
{
	struct eng_stats st;
	struct vm_page *m;
	unsigned d;

	(void)state;
	for (d = 0; d < NDESIGNS; d++) {
		struct vm_engine *e = mk(d, 2048);

		ev(e, PR_PAGE_INSERT, 4, 0, 4, 0);
		m = page(e, 4, 2);
		assert_int_equal(ev(e, PR_ACTIVATE, 4, 2, 1, 0), 0);
		assert_int_equal(queue_of(e, m), PQ_ACTIVE);
		assert_true(VM_PAGE_A_ACT(vm_page_astate_load(m)) >= ACT_INIT);
		assert_int_equal(ev(e, PR_REQUEUE, 4, 2, 1, 0), 0);
		assert_int_equal(queue_of(e, m), PQ_ACTIVE);
		assert_ptr_equal(TAILQ_LAST(&e->vmd.vmd_pagequeues[PQ_ACTIVE].
		    pq_pl, pglist), m);
		assert_int_equal(ev(e, PR_DEACTIVATE, 4, 2, 1, PR_F_HEAD), 0);
		assert_int_equal(queue_of(e, m), PQ_INACTIVE);
		/* Noreuse: ahead of every other inactive page. */
		assert_ptr_equal(TAILQ_PREV(&e->vmd.vmd_inacthead, pglist,
		    plinks_q), m);
		assert_int_equal(ev(e, PR_DEACTIVATE, 4, 3, 1, 0), 0);
		assert_int_equal(queue_of(e, page(e, 4, 3)), PQ_INACTIVE);
		/* A wired page is not activated. */
		ev(e, PR_WIRE, 4, 0, 1, 0);
		ev(e, PR_ACTIVATE, 4, 0, 1, 0);
		assert_int_not_equal(vm_page_queue(page(e, 4, 0)), PQ_ACTIVE);
		assert_int_equal(ev(e, PR_REQUEUE, 5, 0, 1, 0),
		    ENG_SKIP_NOT_RESIDENT);
		eng_stats_collect(e, &st);
		assert_int_equal(st.skipped, 1);
		assert_int_equal(st.skipped_by_cause[ENG_SKIP_NOT_RESIDENT], 1);
		assert_int_equal(st.skipped_by_kind[PR_REQUEUE], 1);
		check_clean(e);
		eng_destroy(e);
	}
}

static void
test_sendfile(void **state)
{
	unsigned d;

	(void)state;
	for (d = 0; d < NDESIGNS; d++) {
		struct vm_engine *e = mk(d, 2048);
		struct pr_event x = { 0 };
		uint64_t pl0;

		x.kind = PR_SENDFILE;
		x.obj = 6;
		x.addr = 4096 * 8 + 100;
		x.arg = 3 * 4096;	/* pages 8..11 */
		assert_int_equal(eng_apply(eng_cpu(e, 0), &x), 0);
		assert_non_null(page(e, 6, 8));
		assert_non_null(page(e, 6, 11));
		assert_null(page(e, 6, 12));
		assert_int_equal(vm_page_wired_count(e, page(e, 6, 9)), 0);
		assert_int_equal(queue_of(e, page(e, 6, 9)), PQ_INACTIVE);
		/*
		 * SF_NOCACHE completion: the page lock under pagelock, none
		 * under refcount (r352110).  FreeBSD 10 (d 0) ignores the
		 * flag: the pages stay.
		 */
		eng_stats_reset(e);
		x.flags = PR_F_NOCACHE;
		assert_int_equal(eng_apply(eng_cpu(e, 0), &x), 0);
		if (d == 0) {
			assert_non_null(page(e, 6, 8));
			assert_non_null(page(e, 6, 11));
		} else {
			assert_null(page(e, 6, 8));
			assert_null(page(e, 6, 11));
		}
		pl0 = acq(e, LC_PAGE);
		if (e->pagelock) {
			struct eng_site_row rows[64];
			size_t nr, i;
			bool seen = false;

			assert_true(pl0 >= 4);
			/* Keyed by caller: vm_page_release took them. */
			nr = eng_stats_sites(e, rows, 64);
			assert_true(nr > 0 && nr <= 64);
			for (i = 0; i < nr; i++)
				if (strcmp(rows[i].site, "vm_page_release") ==
				    0 && rows[i].lock_class == LC_PAGE) {
					assert_int_equal(rows[i].acquisitions,
					    4);
					seen = true;
				}
			assert_true(seen);
		} else
			assert_int_equal(pl0, 0);
		check_clean(e);
		eng_destroy(e);
	}
}

/*
 * Another event in flight holds a reference on obj (a sendfile, a fault),
 * taken on CPU 1 as vm_object_reference_locked() is: under the write
 * lock in 10/12, the read lock in 13+.
 */
static void
hold_ref(struct vm_engine *e, uint64_t obj)
{
	ENG_SITE_DEFINE;
	struct eng_cpu *c1 = eng_cpu(e, 1);
	struct vm_object *o = &e->objects[obj];

	if (e->pagelock) {
		VM_OBJECT_WLOCK(c1, o);
		vm_object_reference_locked(c1, o);
		VM_OBJECT_WUNLOCK(c1, o);
	} else {
		VM_OBJECT_RLOCK(c1, o);
		vm_object_reference_locked(c1, o);
		VM_OBJECT_RUNLOCK(c1, o);
	}
}

/* Object acquisitions of one sendfile of obj's pages 0 to npages - 1. */
static uint64_t
sendfile_object_locks(struct vm_engine *e, uint64_t obj, uint64_t npages)
{
	struct pr_event x = { 0 };
	uint64_t before = acq(e, LC_OBJECT);

	x.kind = PR_SENDFILE;
	x.obj = obj;
	x.arg = 4096 * npages;
	assert_int_equal(eng_apply(eng_cpu(e, 0), &x), 0);
	return (acq(e, LC_OBJECT) - before);
}

/*
 * The object locks of a sendfile syscall and of a fault's release of its
 * reference, by whether another event holds one.  13+ (vn_sendfile,
 * vm_object_deallocate): sendfile_getobj's read lock, one per turn of
 * the loop (the file's size), a write lock to grab a missing page and a
 * read lock for vm_pager_has_page() of the pages it allocated, the read
 * lock of their read's completion (vnode_pager_generic_getpages_done(),
 * since 2026-12-07), and
 * on the last reference vm_object_deallocate_vnode()'s read lock; with
 * another reference held the release is a compare-and-set.  A fault's
 * slow path on an anonymous object write-locks to drop its reference
 * (the mapping holds one) unless another fault holds one.  10/12 lock for
 * every reference, FreeBSD 10 (--queue locked) once per page sent; 12
 * twice more for a turn that reads pages (sendfile_swapin_io()).  The
 * references all go.
 */
static void
test_object_references(void **state)
{
	ENG_SITE_DEFINE;
	unsigned d;

	(void)state;
	for (d = 0; d < NDESIGNS; d++) {
		struct vm_engine *e = mk_spec(pages[d / 3], queues[d % 3], 2,
		    2048);
		bool pl = d / 3 == 0;
		struct vm_object *o6 = &e->objects[6], *o7 = &e->objects[7];

		assert_int_equal(sendfile_object_locks(e, 6, 1), !pl ? 6 :
		    d % 3 == 0 ? 3 : 5);
		assert_int_equal(sendfile_object_locks(e, 6, 1), 3);
		hold_ref(e, 6);
		assert_int_equal(sendfile_object_locks(e, 6, 1), pl ? 3 : 2);
		assert_int_equal(atomic_load(&o6->ref_count), 1);
		vm_object_deallocate(eng_cpu(e, 1), o6, false, 0, ENG_HERE);
		assert_int_equal(atomic_load(&o6->ref_count), 0);
		/* Three pages: FreeBSD 10 write-locks per page. */
		assert_int_equal(sendfile_object_locks(e, 3, 3), !pl ? 6 :
		    5);
		assert_int_equal(sendfile_object_locks(e, 3, 3), !pl ? 3 :
		    d % 3 == 0 ? 5 : 3);

		eng_object_anon(e, 7);
		hold_ref(e, 7);
		assert_int_equal(map_object_locks(e, 7, 1), pl ? 3 : 1);
		vm_object_deallocate(eng_cpu(e, 1), o7, true, 1, ENG_HERE);
		assert_int_equal(map_object_locks(e, 7, 2), pl ? 3 : 2);
		assert_int_equal(atomic_load(&o7->ref_count), 0);
		check_clean(e);
		eng_destroy(e);
	}
}

static void
test_terminate(void **state)
{
	unsigned d;

	(void)state;
	for (d = 0; d < NDESIGNS; d++) {
		struct vm_engine *e = mk(d, 2048);
		uint64_t free0 = e->vmd.vmd_free_count, lk;

		assert_int_equal(ev(e, PR_OBJ_CREATE, 7, 0, 0, 0), 0);
		assert_int_equal(ev(e, PR_OBJ_CREATE, 7, 0, 0, 0),
		    ENG_SKIP_OBJECT_EXISTS);
		ev(e, PR_PAGE_INSERT, 7, 0, 300, 0);
		ev(e, PR_WIRE, 7, 5, 1, 0);
		eng_stats_reset(e);
		assert_int_equal(ev(e, PR_OBJ_TERMINATE, 7, 0, 0, 0), 0);
		/*
		 * 300 pages in one reservation: pagelock takes one page lock
		 * for the whole walk (vm_page_change_lock, 12+), FreeBSD 10
		 * (pagelock + locked) one per page; refcount none.
		 */
		lk = acq(e, LC_PAGE);
		assert_int_equal(lk, !e->pagelock ? 0 :
		    vm_pq_flagged(e, VM_PQ_SYNC) ? 300 : 1);
		assert_int_equal(e->objects[7].resident_page_count, 0);
		assert_int_equal(ev(e, PR_OBJ_TERMINATE, 7, 0, 0, 0),
		    ENG_SKIP_NO_OBJECT);
		eng_quiesce(e);
		assert_int_equal(e->vmd.vmd_free_count, free0);
		check_clean(e);
		eng_destroy(e);
	}
}

/*
 * An object's page index costs what it holds now, not the most it ever
 * held (vm_phash_remove): a long replay's objects that outlive their
 * pages must not keep their peak tables, or memory grows with the trace
 * (docs/benchmarks.md, "Bounded by what is live").  Fails if the index
 * stops shrinking: after 1000 pages come and 995 go, 5 pages are held in
 * at most 64 slots; after the rest go, in none; and objects whose pages
 * come and go without a termination hold nothing at the end.
 */
static void
test_index_follows_count(void **state)
{
	uint64_t i, k, o;
	unsigned d;

	(void)state;
	for (d = 0; d < NDESIGNS; d++) {
		struct vm_engine *e = mk(d, 4096);

		assert_int_equal(ev(e, PR_OBJ_CREATE, 3, 0, 0, 0), 0);
		assert_int_equal(ev(e, PR_PAGE_INSERT, 3, 0, 1000, 0), 0);
		assert_true(e->objects[3].pages.ph_cap >= 2000);
		for (i = 0; i < 995; i++)
			assert_int_equal(ev(e, PR_PAGE_REMOVE, 3, i, 1, 0), 0);
		assert_int_equal(e->objects[3].pages.ph_cnt, 5);
		assert_true(e->objects[3].pages.ph_cap >= 16 &&
		    e->objects[3].pages.ph_cap <= 64);
		for (i = 995; i < 1000; i++)
			assert_non_null(page(e, 3, i));
		assert_int_equal(ev(e, PR_PAGE_REMOVE, 3, 995, 5, 0), 0);
		assert_int_equal(e->objects[3].pages.ph_cap, 0);
		assert_null(page(e, 3, 999));
		/* Never terminated: 100 rounds of pages in and out. */
		for (k = 0; k < 100; k++)
			for (o = 0; o < 8; o++) {
				ev(e, PR_PAGE_INSERT, o, k * 8, 8 + o, 0);
				ev(e, PR_PAGE_REMOVE, o, k * 8, 8 + o, 0);
			}
		for (o = 0; o < 8; o++) {
			assert_int_equal(e->objects[o].resident_page_count, 0);
			assert_int_equal(e->objects[o].pages.ph_cap, 0);
		}
		eng_quiesce(e);
		check_clean(e);
		eng_destroy(e);
	}
}

/*
 * Free-memory locks (issue 12 item 3).  --free pgcache (FreeBSD 12+): a
 * page of an existing reservation is allocated and freed under the
 * reservation's own lock alone (vm_reserv_extend, vm_reserv_depopulate);
 * the free lock only carves and empties a reservation, and breaks one when
 * no frame is left.  --free global (FreeBSD 10): the free lock for every
 * page, no reservation lock.
 */
static void
test_reserv_locks(void **state)
{
	struct eng_params p = { 0 };
	struct eng_stats st;
	struct vm_engine *e;
	char err[128];
	uint64_t free0;

	(void)state;
	e = mk_spec(NULL, NULL, 1, 2048);
	free0 = e->vmd.vmd_free_count;
	ev(e, PR_PAGE_INSERT, 0, 0, 1, 0);		/* carves */
	assert_int_equal(acq(e, LC_FREEQUEUE), 1);
	assert_int_equal(acq(e, LC_RESERV), 1);
	eng_stats_reset(e);
	ev(e, PR_PAGE_INSERT, 0, 1, 10, 0);
	ev(e, PR_PAGE_REMOVE, 0, 1, 10, 0);
	assert_int_equal(acq(e, LC_RESERV), 20);
	assert_int_equal(acq(e, LC_FREEQUEUE), 0);
	assert_int_equal(e->vmd.vmd_nfree_frames, 3);
	ev(e, PR_PAGE_REMOVE, 0, 0, 1, 0);		/* empties */
	assert_int_equal(acq(e, LC_RESERV), 21);
	assert_int_equal(acq(e, LC_FREEQUEUE), 1);
	assert_int_equal(e->vmd.vmd_nfree_frames, 4);
	check_clean(e);
	assert_int_equal(e->vmd.vmd_free_count, free0);
	eng_destroy(e);

	/* Two frames, two objects: the third breaks a reservation. */
	e = mk_spec(NULL, NULL, 1, 1024);
	ev(e, PR_PAGE_INSERT, 1, 0, 1, 0);
	ev(e, PR_PAGE_INSERT, 2, 0, 1, 0);
	eng_stats_reset(e);
	assert_int_equal(ev(e, PR_PAGE_INSERT, 3, 0, 1, 0), 0);
	eng_stats_collect(e, &st);
	assert_int_equal(st.reserv_breaks, 1);
	assert_int_equal(st.alloc_failures, 0);
	check_clean(e);
	ev(e, PR_OBJ_TERMINATE, 1, 0, 0, 0);
	ev(e, PR_OBJ_TERMINATE, 2, 0, 0, 0);
	ev(e, PR_OBJ_TERMINATE, 3, 0, 0, 0);
	check_clean(e);
	assert_int_equal(e->vmd.vmd_free_count, 1024);
	eng_destroy(e);

	p.nslots = 1;
	p.nobjects = 8;
	p.npmaps = 2;
	p.phys_pages = 2048;
	eng_design_default(&p.design);
	assert_int_equal(eng_design_parse(&p.design, ENG_FAM_FREE, "global",
	    err, sizeof(err)), 0);
	e = eng_create(&p, err, sizeof(err));
	assert_non_null(e);
	ev(e, PR_PAGE_INSERT, 0, 0, 10, 0);
	ev(e, PR_PAGE_REMOVE, 0, 0, 10, 0);
	assert_int_equal(acq(e, LC_FREEQUEUE), 20);
	assert_int_equal(acq(e, LC_RESERV), 0);
	check_clean(e);
	eng_destroy(e);
}

/*
 * --free pgcache: a page whose reservation slot is taken comes from the
 * CPU's page cache, whose import breaks a whole free frame under the free
 * lock alone (no reservation lock: the frame belongs to nobody).
 */
static void
test_reserv_slot_taken(void **state)
{
	ENG_SITE_DEFINE;
	struct vm_engine *e;
	struct vm_object *obj;
	struct eng_cpu *c;
	struct vm_page *m1, *m2;

	(void)state;
	e = mk_spec(NULL, NULL, 1, 2048);
	c = eng_cpu(e, 0);
	obj = &e->objects[0];
	eng_rw_wlock(&c->lk, &obj->lock, ENG_HERE);
	m1 = vm_phys_alloc(c, obj, 0);
	m2 = vm_phys_alloc(c, obj, 0);		/* slot 0 is m1's */
	eng_rw_wunlock(&c->lk, &obj->lock);
	assert_non_null(m1);
	assert_non_null(m2);
	assert_ptr_not_equal(m1, m2);
	assert_int_equal(e->vmd.vmd_nfree_frames, 2);	/* one carved, one broken */
	vm_phys_free(c, m1);
	vm_phys_free(c, m2);
	check_clean(e);
	assert_int_equal(e->vmd.vmd_nfree_frames, 4);
	assert_int_equal(e->vmd.vmd_free_count, 2048);
	eng_destroy(e);
}

/*
 * page_remove under --page refcount exclusive-busies the page first
 * (13/14 vm_object_page_remove: vm_page_tryxbusy); a page another CPU
 * holds busy is left (the kernel sleeps and retries).
 */
static void
test_page_remove_busy(void **state)
{
	struct vm_engine *e;
	struct vm_page *m;

	(void)state;
	e = mk_spec("refcount", NULL, 1, 2048);
	ev(e, PR_PAGE_INSERT, 0, 0, 2, 0);
	eng_quiesce(e);
	m = page(e, 0, 0);
	atomic_store(&m->busy_lock, VPB_BIT_EXCLUSIVE | (7u << VPB_SHIFT));
	assert_int_equal(ev(e, PR_PAGE_REMOVE, 0, 0, 1, 0),
	    ENG_SKIP_BUSY);
	assert_ptr_equal(page(e, 0, 0), m);
	atomic_store(&m->busy_lock, VPB_UNBUSIED);
	assert_int_equal(ev(e, PR_PAGE_REMOVE, 0, 0, 1, 0), 0);
	assert_null(page(e, 0, 0));
	check_clean(e);
	eng_destroy(e);
}

/*
 * A scan event frees unwired inactive pages.  Without the page daemon's
 * thread an allocation that finds no free page fails, and is counted
 * (the daemon's own tests: test_pageout.c).
 */
static void
test_scan_and_no_daemon(void **state)
{
	struct eng_stats st;
	struct pr_event x = { 0 };
	unsigned d;

	(void)state;
	for (d = 0; d < NDESIGNS; d++) {
		struct vm_engine *e = mk(d, 1024);

		ev(e, PR_PAGE_INSERT, 0, 0, 100, 0);
		ev(e, PR_WIRE, 0, 0, 10, 0);
		x.kind = PR_SCAN;
		x.arg = 1000;
		assert_int_equal(eng_apply(eng_cpu(e, 0), &x), 0);
		/* Unwired inactive pages were freed, wired ones kept. */
		assert_int_equal(e->objects[0].resident_page_count, 10);
		/* 2 frames of memory, 3000 pages wanted, no daemon. */
		ev(e, PR_PAGE_INSERT, 1, 0, 1000, 0);
		ev(e, PR_PAGE_INSERT, 2, 0, 1000, 0);
		ev(e, PR_PAGE_INSERT, 3, 0, 1000, 0);
		eng_stats_collect(e, &st);
		assert_int_equal(st.reclaims, 0);
		assert_true(st.alloc_failures >= 3000 - 1024);
		assert_int_equal(st.scan_freed, 90);
		check_clean(e);
		eng_destroy(e);
	}
}

/* Batch designs take the page-queue lock once per N operations. */
static void
test_batching(void **state)
{
	struct eng_params p = { 0 };
	struct eng_stats st;
	struct vm_engine *e;
	char err[128];
	uint64_t a0, i;

	(void)state;
	eng_design_default(&p.design);
	assert_int_equal(eng_design_parse(&p.design, ENG_FAM_QUEUE,
	    "batch:8", err, sizeof(err)), 0);
	p.nslots = 1;
	p.nobjects = 2;
	p.phys_pages = 1024;
	e = eng_create(&p, err, sizeof(err));
	assert_non_null(e);
	ev(e, PR_PAGE_INSERT, 0, 0, 64, 0);
	eng_quiesce(e);
	eng_stats_reset(e);
	a0 = acq(e, LC_PAGEQUEUE);
	for (i = 0; i < 8; i++)
		ev(e, PR_REQUEUE, 0, i, 1, 0);
	assert_int_equal(acq(e, LC_PAGEQUEUE), a0);
	ev(e, PR_REQUEUE, 0, 8, 1, 0);
	assert_int_equal(acq(e, LC_PAGEQUEUE), a0 + 1);
	/*
	 * A stale entry is a no-op: page 20's requeue runs as its dequeue
	 * (the free set PGA_DEQUEUE), then the free's own entry finds it in
	 * no queue.
	 */
	eng_quiesce(e);
	eng_stats_reset(e);
	for (i = 0; i < 7; i++)
		ev(e, PR_REQUEUE, 0, 20 + i, 1, 0);
	ev(e, PR_PAGE_REMOVE, 0, 20, 1, 0);	/* 8th entry: batch full */
	assert_int_equal(acq(e, LC_PAGEQUEUE), 0);
	ev(e, PR_REQUEUE, 0, 30, 1, 0);		/* 9th: processes all */
	eng_stats_collect(e, &st);
	assert_int_equal(st.lock[LC_PAGEQUEUE].acquisitions, 1);
	assert_int_equal(st.queue_ops, 8);
	assert_int_equal(st.queue_nops, 1);
	/* eng_quiesce() work is not counted. */
	ev(e, PR_REQUEUE, 0, 40, 3, 0);
	eng_quiesce(e);
	eng_stats_collect(e, &st);
	assert_int_equal(st.queue_ops, 8);
	assert_int_equal(eng_check(e, stderr), 0);
	eng_destroy(e);
}

static void
test_design_parse(void **state)
{
	static const struct {
		enum eng_family fam;
		const char *in, *out;
	} ok[] = {
		{ ENG_FAM_PAGE, "pagelock", "pagelock:256" },
		{ ENG_FAM_PAGE, "pagelock:32", "pagelock:32" },
		{ ENG_FAM_PAGE, "pagelock:32,nopad", "pagelock:32,nopad" },
		{ ENG_FAM_PAGE, "refcount", "refcount" },
		{ ENG_FAM_QUEUE, "locked", "locked" },
		{ ENG_FAM_QUEUE, "batch", "batch:63" },
		{ ENG_FAM_QUEUE, "batch:7", "batch:7" },
		{ ENG_FAM_QUEUE, "batch:63:trylock", "batch:63:trylock" },
		{ ENG_FAM_QUEUE, "astate:31", "astate:31" },
		{ ENG_FAM_PV, "hashed", "hashed:256" },
		{ ENG_FAM_PV, "hashed:64", "hashed:64" },
		{ ENG_FAM_PV, "hashed:global", "hashed:256:global" },
		{ ENG_FAM_PV, "hashed:64:global", "hashed:64:global" },
		{ ENG_FAM_PV, "hashed:di-locked", "hashed:256:di-locked" },
		{ ENG_FAM_PV, "hashed:128:di", "hashed:128:di" },
		{ ENG_FAM_PV, "superpage:di", "superpage:di" },
		{ ENG_FAM_PV, "superpage:di-locked", "superpage:di-locked" },
		{ ENG_FAM_PV, "perpage:di", "perpage:di" },
		{ ENG_FAM_PV, "perpage", "perpage" },
		{ ENG_FAM_PVCHUNK, "pmaps", "pmaps" },
		/* The values the era presets need (issue 12 item 5). */
		{ ENG_FAM_QUEUE, "astate:63:trylock", "astate:63:trylock" },
		{ ENG_FAM_QUEUE, "astate:trylock", "astate:63:trylock" },
		{ ENG_FAM_QUEUE, "batch:31:trylock-full",
		    "batch:31:trylock-full" },
		{ ENG_FAM_PVCHUNK, "domain", "domain:2" },
		{ ENG_FAM_PVCHUNK, "domain:4", "domain:4" },
		{ ENG_FAM_FREE, "global", "global" },
		{ ENG_FAM_FREE, "pgcache", "pgcache" },
	};
	static const struct {
		enum eng_family fam;
		const char *in;
	} bad[] = {
		{ ENG_FAM_PAGE, "pagelocks" }, { ENG_FAM_PAGE, "pagelock:0" },
		{ ENG_FAM_PAGE, "pagelock:8,pad" }, { ENG_FAM_QUEUE, "batch:0" },
		{ ENG_FAM_QUEUE, "batch:257" }, { ENG_FAM_QUEUE, "astate:8:trylock-full" },
		{ ENG_FAM_QUEUE, "batch:8:try" }, { ENG_FAM_PV, "hashed:" },
		{ ENG_FAM_PVCHUNK, "" }, { ENG_FAM_QUEUE, "fifo" },
		{ ENG_FAM_QUEUE, "astate:63:trylock-full" },
		{ ENG_FAM_QUEUE, "locked:trylock" },
		{ ENG_FAM_PVCHUNK, "domain:0" }, { ENG_FAM_PVCHUNK, "domain:9" },
		{ ENG_FAM_FREE, "slab" }, { ENG_FAM_FREE, "pgcache:8" },
		{ ENG_FAM_PV, "superpage:global" },
		{ ENG_FAM_PV, "hashed:64,global" },
		{ ENG_FAM_PV, "hashed:64:global:global" },
		{ ENG_FAM_PV, "hashed:globals" },
		{ ENG_FAM_PV, "hashed:256:global:di" },
		{ ENG_FAM_PV, "hashed:256,di" },
		{ ENG_FAM_PV, "dfly:di" },
		{ ENG_FAM_PV, "superpage:di:di" },
		{ ENG_FAM_PV, "superpage:dilocked" },
	};
	struct eng_design d, keep;
	char err[128], buf[64];
	size_t i;

	(void)state;
	for (i = 0; i < sizeof(ok) / sizeof(ok[0]); i++) {
		eng_design_default(&d);
		assert_int_equal(eng_design_parse(&d, ok[i].fam, ok[i].in, err,
		    sizeof(err)), 0);
		assert_string_equal(eng_design_format(&d, ok[i].fam, buf,
		    sizeof(buf)), ok[i].out);
	}
	for (i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		eng_design_default(&d);
		keep = d;
		err[0] = '\0';
		assert_int_equal(eng_design_parse(&d, bad[i].fam, bad[i].in,
		    err, sizeof(err)), -1);
		assert_true(strlen(err) > 10 && strchr(err, '\n') == NULL);
		assert_memory_equal(&d, &keep, sizeof(d));	/* untouched */
	}
}

/*
 * The table of designs: every row parses by its name alone, formats back
 * to its canonical spec (with the default count where it has one), and
 * no two rows of a family share a name or a design value.
 */
static void
test_design_table(void **state)
{
	const struct eng_design_info *ri, *rj;
	struct eng_design d;
	char err[128], buf[64], want[64];
	size_t i, j, n[ENG_FAM_COUNT] = { 0 };

	(void)state;
	for (i = 0; (ri = eng_design_info(i)) != NULL; i++) {
		n[ri->fam]++;
		eng_design_default(&d);
		assert_int_equal(eng_design_parse(&d, ri->fam, ri->name, err,
		    sizeof(err)), 0);
		if ((ri->params & ENG_DP_COUNT) != 0)
			snprintf(want, sizeof(want), "%s:%u", ri->name,
			    ri->count_default);
		else
			snprintf(want, sizeof(want), "%s", ri->name);
		assert_string_equal(eng_design_format(&d, ri->fam, buf,
		    sizeof(buf)), want);
		assert_non_null(strstr(eng_design_syntax(ri->fam, " | ", err,
		    sizeof(err)), ri->syntax));
		assert_true(strlen(ri->models) > 0 && strlen(ri->help) > 0);
		for (j = 0; j < i; j++) {
			rj = eng_design_info(j);
			assert_false(rj->fam == ri->fam &&
			    (rj->value == ri->value ||
			    strcmp(rj->name, ri->name) == 0));
		}
	}
	assert_int_equal(n[ENG_FAM_PAGE], ENG_PAGE_NDESIGNS);
	assert_int_equal(n[ENG_FAM_QUEUE], ENG_QUEUE_NDESIGNS);
	assert_int_equal(n[ENG_FAM_PV], ENG_PV_NDESIGNS);
	assert_int_equal(n[ENG_FAM_PVCHUNK], ENG_PVCHUNK_NDESIGNS);
}

/*
 * Design equivalence: the same single-threaded stream (no page-daemon
 * scans, whose choices follow physical queue order, which batching
 * legitimately changes; enough memory that no reclaim runs) leaves the
 * same resident set, wire counts and logical queue of every unwired page
 * under every design.  (Wired pages' queue differs by design: locked
 * dequeues at wiring, batch lazily, astate by request.  So does the queue
 * of a page wired and released while active, e.g. faulted in, then sent:
 * FreeBSD 10 dequeued it at wiring and its unwiring puts it in the
 * inactive queue, while a lazy dequeue leaves it active and release_toq
 * keeps an active page there, and each pair of page and queue families
 * has its own rule; queues are therefore compared among the designs of
 * one page family and one queue family (lock counts, batch sizes,
 * trylocks), residency and wirings across all.)
 */
static void
test_equivalence(void **state)
{
	static const char *const epages[] = { "pagelock", "pagelock:7,nopad",
	    "refcount" };
	static const char *const equeues[] = { "locked", "batch:1", "batch:7",
	    "batch:63:trylock", "astate:5", "astate:63" };
	enum { NOBJ = 6, SPAN = 600, NEV = 60000 };
	static uint32_t ref[6][NOBJ][SPAN];	/* [family pair] 0 absent,
						   else 1+wire|q<<16 */
	struct eng_params p = { 0 };
	struct pr_event x;
	struct vm_engine *e;
	struct vm_page *m;
	char err[128];
	unsigned pi, qi, o, i, firstq[6] = { 1, 1, 1, 1, 1, 1 }, diffs, dq;
	uint32_t v, want;

	(void)state;
	for (pi = 0; pi < 3; pi++)
		for (qi = 0; qi < 6; qi++) {
			struct evgen g = { .state = 42, .nobjects = NOBJ,
			    .npmaps = 3, .pindex_span = SPAN, .scan = false,
			    .pmap = true, .sf_cached = true };

			eng_design_default(&p.design);
			eng_design_parse(&p.design, ENG_FAM_PAGE, epages[pi],
			    err, sizeof(err));
			eng_design_parse(&p.design, ENG_FAM_QUEUE, equeues[qi],
			    err, sizeof(err));
			p.nslots = 1;
			p.nobjects = NOBJ;
			p.npmaps = 3;
			p.phys_pages = 16384;
			e = eng_create(&p, err, sizeof(err));
			assert_non_null(e);
			for (i = 0; i < NEV; i++) {
				evgen_next(&g, &x);
				eng_apply(eng_cpu(e, 0), &x);
			}
			eng_quiesce(e);
			assert_int_equal(eng_check(e, stderr), 0);
			dq = (pi == 2 ? 3 : 0) + (equeues[qi][0] == 'l' ? 0 :
			    equeues[qi][0] == 'b' ? 1 : 2);
			diffs = 0;
			for (o = 0; o < NOBJ; o++)
				for (i = 0; i < SPAN; i++) {
					m = page(e, o, i);
					v = 0;
					if (m != NULL) {
						v = 1 + vm_page_wired_count(e,
						    m);
						if (v == 1)
							v |= (uint32_t)
							    vm_page_queue(m) <<
							    16;
					}
					if (firstq[dq])
						ref[dq][o][i] = v;
					want = ref[dq][o][i];
					if ((v != want || (v & 0xffff) !=
					    (ref[0][o][i] & 0xffff)) &&
					    diffs++ < 5)
						fprintf(stderr, "%s %s: obj %u "
						    "pindex %u: %#x, expected "
						    "%#x\n", epages[pi],
						    equeues[qi], o, i, v,
						    want);
				}
			assert_int_equal(diffs, 0);
			firstq[dq] = 0;
			eng_destroy(e);
		}
}

/*
 * Deactivating or releasing a page that is already inactive: --queue batch
 * submits a requeue every time, as FreeBSD 12's vm_page_deactivate() ->
 * vm_page_requeue() and the 2019 vm_page_mvqueue() -> vm_page_requeue()
 * do (issue 12 item 2); --queue locked returns early, as FreeBSD 10's
 * _vm_page_deactivate() does, and takes no queue lock.
 */
static void
test_requeue_inactive(void **state)
{
	static const char *const qs[] = { "batch:4", "locked" };
	struct eng_stats st;
	struct vm_engine *e;
	unsigned qi, i;

	(void)state;
	for (qi = 0; qi < 2; qi++) {
		e = mk_spec("pagelock", qs[qi], 1, 1024);
		ev(e, PR_PAGE_INSERT, 0, 0, 3, 0);
		ev(e, PR_WIRE, 0, 1, 1, 0);	/* page 1: wired, inactive */
		eng_quiesce(e);
		eng_stats_reset(e);
		/* batch: four requeues fill batch:4; locked: no-ops. */
		for (i = 0; i < 4; i++)
			assert_int_equal(ev(e, PR_DEACTIVATE, 0, 0, 1, 0), 0);
		assert_int_equal(acq(e, LC_PAGEQUEUE), 0);
		/*
		 * batch: the release's requeue is the fifth submission and
		 * flushes the batch.  locked dequeued page 1 at wiring
		 * (FreeBSD 10) and enqueues it now.
		 */
		assert_int_equal(ev(e, PR_RELEASE, 0, 1, 1, 0), 0);
		assert_int_equal(acq(e, LC_PAGEQUEUE), 1);
		eng_stats_collect(e, &st);
		if (qi == 0)
			assert_int_equal(st.queue_ops + st.queue_nops, 5);
		/* Page 1 went to the tail (requeue or enqueue). */
		assert_ptr_equal(TAILQ_LAST(&e->vmd.vmd_pagequeues[
		    PQ_INACTIVE].pq_pl, pglist), page(e, 0, 1));
		assert_int_equal(queue_of(e, page(e, 0, 0)), PQ_INACTIVE);
		check_clean(e);
		eng_destroy(e);
	}
}

/*
 * astate: an SF_NOCACHE send of a cached page wires it (vm_page_wire sets
 * PGA_DEQUEUE without submitting, r356156), then frees it.  13/14's
 * vm_page_unwire_noq() clears PGA_DEQUEUE on the last wiring and
 * vm_page_free_prep()'s vm_page_dequeue_deferred() always submits, so the
 * dequeue goes through the batch queues; before, the request was never
 * submitted and each reallocation dequeued synchronously, one queue-lock
 * acquisition per page (issue 12 item 4: 488 extra per 1000 sends).
 */
static void
test_astate_nocache_dequeue(void **state)
{
	enum { N = 252 };		/* 4 batches of 63 */
	struct pr_event x;
	struct vm_engine *e;
	uint64_t sends, reuse;
	unsigned i;

	(void)state;
	e = mk_spec(NULL, "astate:63", 1, 2048);
	ev(e, PR_PAGE_INSERT, 0, 0, N, 0);
	eng_quiesce(e);
	eng_stats_reset(e);
	for (i = 0; i < N; i++) {
		memset(&x, 0, sizeof(x));
		x.kind = PR_SENDFILE;
		x.obj = 0;
		x.addr = (uint64_t)i << 12;
		x.arg = 1 << 12;
		x.flags = PR_F_NOCACHE;
		assert_int_equal(eng_apply(eng_cpu(e, 0), &x), 0);
		assert_null(page(e, 0, i));
	}
	sends = acq(e, LC_PAGEQUEUE);
	/* Reallocate the same frames: the object's reservation slots. */
	ev(e, PR_PAGE_INSERT, 0, 0, N, 0);
	reuse = acq(e, LC_PAGEQUEUE) - sends;
	/* One flush per 63 dequeues; the new pages' enqueues batch too. */
	assert_int_equal(sends, N / 63 - 1);
	assert_true(reuse <= N / 63 + 1);
	check_clean(e);
	eng_destroy(e);
}

/*
 * Lock assertions test "held by this CPU": CPU 1 holds object 0's lock
 * and page 0's page lock; the object and page-lock assertions of CPU 0
 * panic (exit 70), CPU 1's pass.  Debug builds only (ENG_KASSERT).
 */
/*
 * page_insert is a read through the buffer cache (ev_page_insert_read(),
 * vfs_bio_read()).  FreeBSD 10.4 and 12 (--page pagelock, both queue
 * designs): allocbuf()'s grab, vfs_busy_pages() and the completion
 * (10.4's bufdone_finish(), 12's vfs_vmio_iodone()) each write-lock the
 * object once: 3 a buffer; vm_page_sbusy() and vm_page_sunbusy() are two
 * page atomics; the page comes out valid, unbusied, with no paging in
 * progress left.
 */
static void
test_page_insert_read_pagelock(void **state)
{
	static const char *const qs[] = { "locked", "batch:31:trylock-full" };
	struct lock_counts t0, t1;
	struct vm_engine *e;
	struct vm_page *m;
	unsigned qi;

	(void)state;
	for (qi = 0; qi < 2; qi++) {
		e = mk_spec("pagelock", qs[qi], 1, 1024);
		ev(e, PR_OBJ_CREATE, 0, 0, 0, 0);
		lock_counts_take(e, &t0);
		assert_int_equal(ev(e, PR_PAGE_INSERT, 0, 0, 1, 0), 0);
		lock_counts_take(e, &t1);
		assert_int_equal(t1.acq[LC_OBJECT] - t0.acq[LC_OBJECT], 3);
		m = page(e, 0, 0);
		assert_non_null(m);
		assert_int_equal(atomic_load(&m->valid), VM_PAGE_BITS_ALL);
		assert_int_equal(atomic_load(&m->busy_lock), VPB_UNBUSIED);
		assert_int_equal(atomic_load(&e->objects[0].pip), 0);
		/* An event on the page now resident reads nothing. */
		lock_counts_take(e, &t0);
		assert_int_equal(ev(e, PR_PAGE_INSERT, 0, 0, 1, 0),
		    ENG_SKIP_RESIDENT);
		lock_counts_take(e, &t1);
		assert_int_equal(t1.acq[LC_OBJECT] - t0.acq[LC_OBJECT], 1);
		assert_int_equal(t1.atomics[LC_PAGE], t0.atomics[LC_PAGE]);
		check_clean(e);
		eng_destroy(e);
	}
}

/*
 * The same under --page refcount (13.0's vfs_busy_pages() and
 * vfs_vmio_iodone()): no object lock besides the grab's; the paging in
 * progress raised and dropped by the buffer's page count, one object
 * atomic each; vm_page_busy_acquire(SBUSY), vm_page_bits_set() of
 * m->valid and vm_page_sunbusy(), three page atomics, where the bare
 * allocation had none.
 */
static void
test_page_insert_read_refcount(void **state)
{
	struct lock_counts t0, t1, t2;
	struct vm_engine *e;
	struct vm_page *m;

	(void)state;
	e = mk_spec("refcount", NULL, 1, 1024);
	ev(e, PR_OBJ_CREATE, 0, 0, 0, 0);
	lock_counts_take(e, &t0);
	assert_int_equal(ev(e, PR_PAGE_INSERT, 0, 0, 1, 0), 0);
	lock_counts_take(e, &t1);
	assert_int_equal(t1.acq[LC_OBJECT] - t0.acq[LC_OBJECT], 1);
	assert_int_equal(t1.atomics[LC_PAGE] - t0.atomics[LC_PAGE], 3);
	m = page(e, 0, 0);
	assert_int_equal(atomic_load(&m->valid), VM_PAGE_BITS_ALL);
	assert_int_equal(atomic_load(&m->busy_lock), VPB_UNBUSIED);
	assert_int_equal(atomic_load(&e->objects[0].pip), 0);
	/* A 2-page insertion in a fresh block: one buffer, 2 pip atomics. */
	lock_counts_take(e, &t1);
	assert_int_equal(ev(e, PR_PAGE_INSERT, 0, 16, 2, 0), 0);
	lock_counts_take(e, &t2);
	assert_int_equal(t2.acq[LC_OBJECT] - t1.acq[LC_OBJECT], 1);
	assert_int_equal(t2.atomics[LC_PAGE] - t1.atomics[LC_PAGE], 6);
	assert_int_equal(t2.atomics[LC_OBJECT] - t1.atomics[LC_OBJECT],
	    t1.atomics[LC_OBJECT] - t0.atomics[LC_OBJECT]);
	check_clean(e);
	eng_destroy(e);
}

/*
 * The same under --page dfly (DragonFly 5.6's vfs_busy_pages() and
 * bpdone(), vfs_bio_read_dfly()): allocbuf()'s hold for the grab and
 * bpdone()'s for the completion, two object acquisitions a buffer;
 * vfs_busy_pages() holds nothing.  The pages come out valid and unbusied,
 * with no paging in progress or hold left.  An insertion joining the
 * previous one's buffer takes the grab's hold only.
 */
static void
test_page_insert_read_dfly(void **state)
{
	struct lock_counts t0, t1;
	struct vm_engine *e;
	struct vm_page *m;
	unsigned i;

	(void)state;
	e = mk_design("dfly", "colored:64", "colored", 1, 1024);
	ev(e, PR_OBJ_CREATE, 0, 0, 0, 0);
	lock_counts_take(e, &t0);
	assert_int_equal(ev(e, PR_PAGE_INSERT, 0, 16, 2, 0), 0);
	lock_counts_take(e, &t1);
	assert_int_equal(t1.acq[LC_OBJECT] - t0.acq[LC_OBJECT], 2);
	for (i = 16; i < 18; i++) {
		m = page(e, 0, i);
		assert_non_null(m);
		assert_int_equal(atomic_load(&m->valid), VM_PAGE_BITS_ALL);
		assert_int_equal(atomic_load(&m->busy_lock), VPB_UNBUSIED);
	}
	assert_int_equal(atomic_load(&e->objects[0].pip), 0);
	assert_int_equal(atomic_load(&e->objects[0].hold_count), 0);
	lock_counts_take(e, &t0);
	assert_int_equal(ev(e, PR_PAGE_INSERT, 0, 18, 1, 0), 0);
	lock_counts_take(e, &t1);
	assert_int_equal(t1.acq[LC_OBJECT] - t0.acq[LC_OBJECT], 1);
	assert_int_equal(atomic_load(&page(e, 0, 18)->valid),
	    VM_PAGE_BITS_ALL);
	check_clean(e);
	eng_destroy(e);
}

/*
 * Buffers: an insertion continuing, on the same CPU, the previous one's
 * range within its 8-page block joins that buffer (the grab's lock only);
 * the next block, another event between, another CPU, or another object
 * each start a buffer of their own (3 write locks under pagelock); an
 * event across two blocks is two buffers.
 */
static void
test_page_insert_buffers(void **state)
{
	struct vm_engine *e;
	uint64_t a;

	(void)state;
	e = mk_spec("pagelock", "batch:31:trylock-full", 2, 1024);
	ev(e, PR_OBJ_CREATE, 0, 0, 0, 0);
	ev(e, PR_OBJ_CREATE, 1, 0, 0, 0);
	a = acq(e, LC_OBJECT);
	assert_int_equal(ev(e, PR_PAGE_INSERT, 0, 0, 1, 0), 0);
	assert_int_equal(acq(e, LC_OBJECT) - a, 3);
	a = acq(e, LC_OBJECT);
	assert_int_equal(ev(e, PR_PAGE_INSERT, 0, 1, 2, 0), 0);	/* joins */
	assert_int_equal(acq(e, LC_OBJECT) - a, 1);
	assert_int_equal(atomic_load(&page(e, 0, 2)->valid),
	    VM_PAGE_BITS_ALL);
	a = acq(e, LC_OBJECT);
	assert_int_equal(ev(e, PR_PAGE_INSERT, 0, 4, 1, 0), 0);	/* a gap */
	assert_int_equal(acq(e, LC_OBJECT) - a, 3);
	a = acq(e, LC_OBJECT);
	assert_int_equal(ev(e, PR_PAGE_INSERT, 1, 5, 1, 0), 0);	/* object */
	assert_int_equal(acq(e, LC_OBJECT) - a, 3);
	a = acq(e, LC_OBJECT);
	assert_int_equal(ev_on(e, 1, PR_PAGE_INSERT, 1, 6, 1), 0); /* CPU */
	assert_int_equal(acq(e, LC_OBJECT) - a, 3);
	a = acq(e, LC_OBJECT);
	assert_int_equal(ev_on(e, 1, PR_PAGE_INSERT, 1, 7, 2), 0); /* 7, 8 */
	assert_int_equal(acq(e, LC_OBJECT) - a, 1 + 3);
	ev_on(e, 1, PR_PAGE_LOOKUP, 1, 0, 1);
	a = acq(e, LC_OBJECT);
	assert_int_equal(ev_on(e, 1, PR_PAGE_INSERT, 1, 9, 1), 0); /* event */
	assert_int_equal(acq(e, LC_OBJECT) - a, 3);
	a = acq(e, LC_OBJECT);
	assert_int_equal(ev(e, PR_PAGE_INSERT, 0, 30, 4, 0), 0);	/* 2 */
	assert_int_equal(acq(e, LC_OBJECT) - a, 6);
	check_clean(e);
	eng_destroy(e);
}

/*
 * A sendfile of a page not resident reads it (sendfile_swapin_io()):
 * FreeBSD 12 (--page pagelock, batch queues) write-locks the object twice
 * more, vnode_pager_getpages_async()'s retake and the completion's
 * (vnode_pager_generic_getpages_done()), and unbusies the page in
 * sendfile_iodone(), one page atomic; 13+ (refcount) read-lock it once
 * more (the completion) and unbusy.  The page comes out valid and
 * unbusied; a second send of it, resident, reads nothing.
 */
static void
test_sendfile_miss_reads(void **state)
{
	static const char *const pg[] = { "pagelock", "refcount" };
	static const char *const qs[] = { "batch:31:trylock-full", NULL };
	static const uint64_t more[] = { 2, 1 };
	struct lock_counts t0, t1, t2;
	struct vm_engine *e;
	struct vm_page *m;
	unsigned d;

	(void)state;
	for (d = 0; d < 2; d++) {
		e = mk_spec(pg[d], qs[d], 1, 1024);
		ev(e, PR_OBJ_CREATE, 0, 0, 0, 0);
		/* The block's neighbour: no carve in either measurement. */
		assert_int_equal(ev(e, PR_PAGE_INSERT, 0, 1, 1, 0), 0);
		lock_counts_take(e, &t0);
		assert_int_equal(ev(e, PR_SENDFILE, 0, 0, 1, 0), 0);
		lock_counts_take(e, &t1);
		m = page(e, 0, 0);
		assert_non_null(m);
		assert_int_equal(atomic_load(&m->valid), VM_PAGE_BITS_ALL);
		assert_int_equal(atomic_load(&m->busy_lock), VPB_UNBUSIED);
		assert_int_equal(ev(e, PR_SENDFILE, 0, 0, 1, 0), 0);
		lock_counts_take(e, &t2);
		/* The miss: the grab's write lock, 13+'s has_page read lock
		   (both before 2026-12-07), and the read's. */
		assert_int_equal((t1.acq[LC_OBJECT] - t0.acq[LC_OBJECT]) -
		    (t2.acq[LC_OBJECT] - t1.acq[LC_OBJECT]),
		    (d == 0 ? 0 : 2) + more[d]);
		/* The miss's sendfile_iodone() unbusy: 3 and 2, were 2 and 1. */
		assert_int_equal(t1.atomics[LC_PAGE] - t0.atomics[LC_PAGE],
		    d == 0 ? 3 : 2);
		assert_int_equal(t2.atomics[LC_PAGE] - t1.atomics[LC_PAGE], 4);
		check_clean(e);
		eng_destroy(e);
	}
}

static int
assert_child(int which)
{
	struct vm_engine *e;
	struct eng_cpu *c0, *c1;
	struct vm_object *obj;
	struct vm_page *m;

	ENG_SITE_DEFINE;
	e = mk_spec("pagelock", NULL, 2, 1024);
	c0 = eng_cpu(e, 0);
	c1 = eng_cpu(e, 1);
	ev(e, PR_PAGE_INSERT, 0, 0, 1, 0);
	obj = &e->objects[0];
	m = page(e, 0, 0);
	VM_OBJECT_WLOCK(c1, obj);
	vm_page_lock(c1, m);
	VM_OBJECT_ASSERT_WLOCKED(c1, obj);
	vm_page_assert_locked(c1, m);
	if (which == 0)
		(void)vm_page_lookup(c0, obj, 0);
	else
		vm_page_assert_locked(c0, m);
	return (0);
}

static void
test_assert_held_by_this_cpu(void **state)
{
	int which, status;
	pid_t pid;

	(void)state;
	if (!ENG_DEBUG)
		skip();
	for (which = 0; which < 2; which++) {
		fflush(NULL);
		pid = fork();
		assert_true(pid >= 0);
		if (pid == 0) {
			freopen("/dev/null", "w", stderr);
			_exit(assert_child(which));
		}
		assert_int_equal(waitpid(pid, &status, 0), pid);
		assert_true(WIFEXITED(status));
		assert_int_equal(WEXITSTATUS(status), 70);
	}
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_design_parse),
		cmocka_unit_test(test_insert_lookup_remove),
		cmocka_unit_test(test_page_remove_pip),
		cmocka_unit_test(test_wire_unwire),
		cmocka_unit_test(test_wire_unlocked_terminated),
		cmocka_unit_test(test_release),
		cmocka_unit_test(test_release_nocache_kept),
		cmocka_unit_test(test_release_nocache_mapped),
		cmocka_unit_test(test_dontneed),
		cmocka_unit_test(test_release_nocache_fb10),
		cmocka_unit_test(test_queue_ops),
		cmocka_unit_test(test_map_fault_activates),
		cmocka_unit_test(test_fault_busy_and_pip),
		cmocka_unit_test(test_unmap_references),
		cmocka_unit_test(test_fault_miss_locks),
		cmocka_unit_test(test_fault_writeable_dirty),
		cmocka_unit_test(test_fault_soft_dirty_page_lock),
		cmocka_unit_test(test_prefault_soft),
		cmocka_unit_test(test_prefault_stops),
		cmocka_unit_test(test_prefault_slow),
		cmocka_unit_test(test_map_seen),
		cmocka_unit_test(test_map_seen_older),
		cmocka_unit_test(test_fault_remque),
		cmocka_unit_test(test_fault_busy_retry),
		cmocka_unit_test(test_fault_busy_sleep_pip),
		cmocka_unit_test(test_sendfile),
		cmocka_unit_test(test_extract_hold_pages),
		cmocka_unit_test(test_direct_io_buffer),
		cmocka_unit_test(test_object_references),
		cmocka_unit_test(test_terminate),
		cmocka_unit_test(test_index_follows_count),
		cmocka_unit_test(test_reserv_locks),
		cmocka_unit_test(test_reserv_slot_taken),
		cmocka_unit_test(test_page_remove_busy),
		cmocka_unit_test(test_scan_and_no_daemon),
		cmocka_unit_test(test_batching),
		cmocka_unit_test(test_design_table),
		cmocka_unit_test(test_equivalence),
		cmocka_unit_test(test_requeue_inactive),
		cmocka_unit_test(test_astate_nocache_dequeue),
		cmocka_unit_test(test_assert_held_by_this_cpu),
		cmocka_unit_test(test_page_insert_read_pagelock),
		cmocka_unit_test(test_page_insert_read_refcount),
		cmocka_unit_test(test_page_insert_read_dfly),
		cmocka_unit_test(test_page_insert_buffers),
		cmocka_unit_test(test_sendfile_miss_reads),
	};

	return (cmocka_run_group_tests(tests, NULL, NULL));
}
