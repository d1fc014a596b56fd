/*
 * test_dragonfly.c - the DragonFly family (issue 13): --queue colored:N
 * (engine/vm_pagequeue_dfly.c).  Sub-queue membership by colour, the
 * per-page spinlock, e3c330f0's unlocked vm_page_activate() of an active
 * page, wiring that leaves the queues alone (and activation that does not
 * look at it), the daemon's walk over the
 * sub-queues, and eng_check() catching a page on the wrong sub-queue.
 * --free colored (engine/vm_phys_dfly.c): the wanted colour, one free
 * sub-queue lock per allocation, the far-afield walk and vpq.lastq.
 * --page dfly (engine/vm_page_hash.c): the fault bypass through
 * vm_page_hash with no object lock, validation against freed and busied
 * pages, the 4-way set, removal waiting out a soft busy, and eng_check()
 * catching an entry that would validate for a freed page.  DragonFly's
 * page-daemon scan (--page dfly on --queue colored): busy pages skipped
 * without their spinlock, each sub-queue's pass bounded by its length.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdio.h>
#include <string.h>

#include <cmocka.h>

#include "vm_internal.h"
#include "vmtest.h"

static struct vm_engine *
mk_free(const char *pg, const char *q, const char *fr, uint64_t phys)
{
	return (mk_design(pg, q, fr, 1, phys));
}

static struct vm_engine *
mk(const char *pg, const char *q, uint64_t phys)
{
	return (mk_design(pg, q, NULL, 1, phys));
}

/* A scan event of up to pages pages on CPU 0. */
static int
scan(struct vm_engine *e, uint64_t pages)
{
	struct pr_event x;

	memset(&x, 0, sizeof(x));
	x.kind = PR_SCAN;
	x.arg = pages;
	return (eng_apply(eng_cpu(e, 0), &x));
}

static bool
linked_on(struct vm_pagequeue *pq, struct vm_page *m)
{
	struct vm_page *x;

	TAILQ_FOREACH(x, &pq->pq_pl, plinks_q)
		if (x == m)
			return (true);
	return (false);
}

/* The design's spec, default and bounds. */
static void
test_parse(void **state)
{
	struct eng_design d;
	char err[128], buf[64];

	(void)state;
	eng_design_default(&d);
	assert_int_equal(eng_design_parse(&d, ENG_FAM_QUEUE, "colored", err,
	    sizeof(err)), 0);
	assert_int_equal(d.queue, ENG_QUEUE_COLORED);
	assert_int_equal(d.colors, 1024);
	assert_int_equal(eng_design_parse(&d, ENG_FAM_QUEUE, "colored:2048",
	    err, sizeof(err)), 0);
	assert_int_equal(d.colors, 2048);
	assert_string_equal(eng_design_format(&d, ENG_FAM_QUEUE, buf,
	    sizeof(buf)), "colored:2048");
	/* The batch size is another design's count, left alone. */
	assert_int_equal(d.batch, VM_BATCHQUEUE_SIZE);
	assert_int_equal(eng_design_parse(&d, ENG_FAM_QUEUE, "colored:0", err,
	    sizeof(err)), -1);
	assert_int_equal(eng_design_parse(&d, ENG_FAM_QUEUE, "colored:4097",
	    err, sizeof(err)), -1);
}

/*
 * vm_add_new_page()'s colour: pfn ^ pfn / 1024 ^ pfn / 1024^2, masked.
 * Hand-computed for PQ_L2_SIZE 1024.
 */
static void
test_color(void **state)
{
	struct vm_engine *e = mk("refcount", "colored:1024", 1 << 21);
	static const struct { uint64_t pfn; unsigned pc; } want[] = {
		{ 0, 0 }, { 1, 1 }, { 1023, 1023 }, { 1024, 1 }, { 1025, 0 },
		{ 2048, 2 }, { 3 * 1024 + 5, 6 }, { 1024 * 1024, 1 },
		{ 1024 * 1024 + 1024, 0 },
	};
	size_t i;

	(void)state;
	for (i = 0; i < sizeof(want) / sizeof(want[0]); i++)
		assert_int_equal(vm_page_color(e, &e->vm_page_array[want[i].pfn]),
		    want[i].pc);
	eng_destroy(e);
}

/*
 * A queued page is on its colour's sub-queue and nowhere else; its page
 * lock is its own spinlock, not a 2 MiB frame's.
 */
static void
test_membership(void **state)
{
	struct vm_engine *e = mk("refcount", "colored:16", 4096);
	struct vm_page *m, *m2;
	unsigned i, pc;

	(void)state;
	assert_int_equal(ev(e, PR_PAGE_INSERT, 1, 0, 40, 0), 0);
	m = page(e, 1, 3);
	m2 = page(e, 1, 4);
	assert_int_equal(vm_page_queue(m), PQ_INACTIVE);
	pc = vm_page_color(e, m);
	for (i = 0; i < 16; i++)
		assert_int_equal(linked_on(vm_pagequeue_nth(e, PQ_INACTIVE, i),
		    m), i == pc);
	assert_ptr_not_equal(vm_page_lockptr(eng_cpu(e, 0), m),
	    vm_page_lockptr(eng_cpu(e, 0), m2));
	assert_int_equal(ev(e, PR_ACTIVATE, 1, 3, 1, 0), 0);
	assert_true(linked_on(vm_pagequeue_nth(e, PQ_ACTIVE, pc), m));
	assert_false(linked_on(vm_pagequeue_nth(e, PQ_INACTIVE, pc), m));
	assert_int_equal(vm_pagequeue_nth(e, PQ_ACTIVE, pc)->pq_cnt, 1);
	/* The major queues hold only their markers. */
	assert_int_equal(vm_page_pagequeue(e, PQ_INACTIVE)->pq_cnt, 0);
	assert_int_equal(vm_page_pagequeue(e, PQ_ACTIVE)->pq_cnt, 0);
	check_clean(e);
	eng_destroy(e);
}

/*
 * e3c330f0: vm_page_activate() of an active page raises act_count with no
 * lock; of an inactive one it takes the page's spinlock and both
 * sub-queues' locks (remove, add).
 */
static void
test_activate_unlocked(void **state)
{
	struct vm_engine *e = mk("refcount", "colored:1024", 4096);
	struct vm_page *m;
	vm_page_astate_t a;
	uint64_t pg, pq;

	(void)state;
	ev(e, PR_PAGE_INSERT, 2, 0, 4, 0);
	m = page(e, 2, 1);
	pg = acq(e, LC_PAGE);
	pq = acq(e, LC_PAGEQUEUE);
	assert_int_equal(ev(e, PR_ACTIVATE, 2, 1, 1, 0), 0);
	assert_int_equal(acq(e, LC_PAGE) - pg, 1);
	assert_int_equal(acq(e, LC_PAGEQUEUE) - pq, 2);
	/* Lower act_count behind the model's back, then activate again. */
	a = vm_page_astate_load(m);
	atomic_store(&m->a, VM_PAGE_A_MAKE(VM_PAGE_A_FLAGS(a),
	    VM_PAGE_A_QUEUE(a), 1));
	pg = acq(e, LC_PAGE);
	pq = acq(e, LC_PAGEQUEUE);
	assert_int_equal(ev(e, PR_ACTIVATE, 2, 1, 1, 0), 0);
	assert_int_equal(acq(e, LC_PAGE), pg);
	assert_int_equal(acq(e, LC_PAGEQUEUE), pq);
	assert_int_equal(VM_PAGE_A_ACT(vm_page_astate_load(m)), ACT_INIT);
	assert_int_equal(vm_page_queue(m), PQ_ACTIVE);
	eng_destroy(e);
}

/*
 * 5.6's vm_page_deactivate() pre-filters a page already inactive before
 * any lock (v5.6.0 sys/vm/vm_page.c lines 3013-3021): deactivating the
 * page just inserted (inactive) takes no page or sub-queue spinlock; once
 * activated, its deactivation takes the page's spinlock and the active
 * and inactive sub-queues'.  Fails when the page's spinlock is taken
 * first, as before 2026-12-07 (page 1 for the inactive page).
 */
static void
test_deactivate_unlocked(void **state)
{
	struct vm_engine *e = mk("refcount", "colored:1024", 4096);
	struct vm_page *m;
	uint64_t pg, pq;

	(void)state;
	ev(e, PR_PAGE_INSERT, 2, 0, 4, 0);
	m = page(e, 2, 1);
	assert_int_equal(vm_page_queue(m), PQ_INACTIVE);
	pg = acq(e, LC_PAGE);
	pq = acq(e, LC_PAGEQUEUE);
	assert_int_equal(ev(e, PR_DEACTIVATE, 2, 1, 1, 0), 0);
	assert_int_equal(acq(e, LC_PAGE), pg);
	assert_int_equal(acq(e, LC_PAGEQUEUE), pq);
	assert_int_equal(vm_page_queue(m), PQ_INACTIVE);
	assert_int_equal(ev(e, PR_ACTIVATE, 2, 1, 1, 0), 0);
	pg = acq(e, LC_PAGE);
	pq = acq(e, LC_PAGEQUEUE);
	assert_int_equal(ev(e, PR_DEACTIVATE, 2, 1, 1, 0), 0);
	assert_int_equal(acq(e, LC_PAGE) - pg, 1);
	assert_int_equal(acq(e, LC_PAGEQUEUE) - pq, 2);
	assert_int_equal(vm_page_queue(m), PQ_INACTIVE);
	check_clean(e);
	eng_destroy(e);
}

/*
 * Wiring leaves the page on its sub-queue (DragonFly's vm_page_wire());
 * the page daemon dequeues it when it finds it, and frees the rest.
 * DragonFly 5.6's vm_page_activate() does not look at wire_count: the
 * wired page goes on the active queue when activated, and the next scan
 * takes it off again; FreeBSD's (here --page refcount) leaves it alone.
 */
static void
test_wire_lazy(void **state)
{
	static const char *pg[] = { "refcount", "dfly" };
	struct vm_engine *e;
	struct vm_page *m;
	size_t i;

	(void)state;
	for (i = 0; i < 2; i++) {
		e = mk(pg[i], "colored:8", 4096);
		ev(e, PR_PAGE_INSERT, 3, 0, 20, 0);
		m = page(e, 3, 5);
		assert_int_equal(ev(e, PR_WIRE, 3, 5, 1, 0), 0);
		assert_true(linked_on(vm_page_pagequeue_m(e, m, PQ_INACTIVE),
		    m));
		assert_int_equal(scan(e, 1000), 0);
		assert_int_equal(vm_page_queue(m), PQ_NONE);
		assert_false(linked_on(vm_page_pagequeue_m(e, m, PQ_INACTIVE),
		    m));
		assert_int_equal(e->objects[3].resident_page_count, 1);
		assert_int_equal(ev(e, PR_ACTIVATE, 3, 5, 1, 0), 0);
		assert_int_equal(vm_page_queue(m),
		    e->dfly ? PQ_ACTIVE : PQ_NONE);
		assert_int_equal(linked_on(vm_page_pagequeue_m(e, m,
		    PQ_ACTIVE), m), e->dfly);
		assert_int_equal(scan(e, 1000), 0);
		assert_int_equal(vm_page_queue(m), PQ_NONE);
		assert_int_equal(vm_page_wired_count(e, m), 1);
		check_clean(e);
		eng_destroy(e);
	}
}

/*
 * A scan event (inactive then active scan) walks the sub-queues: on empty
 * queues each of the N sub-queues costs each scan its marker insertion,
 * one empty collect and the marker's removal, 6N in all, so 2048
 * sub-queues cost twice what 1024 do.  With --page dfly the scan is
 * DragonFly's (vm_pageout_scan_dfly_pq): one hold of the sub-queue's
 * spinlock for an empty sub-queue, 2N in all.
 */
static void
test_scan_walk(void **state)
{
	static const unsigned n[] = { 1024, 2048 };
	static const char *pg[] = { "refcount", "dfly" };
	static const unsigned per[] = { 6, 2 };
	struct vm_engine *e;
	char spec[32];
	uint64_t pq;
	size_t i, j;

	(void)state;
	for (j = 0; j < 2; j++)
		for (i = 0; i < 2; i++) {
			snprintf(spec, sizeof(spec), "colored:%u", n[i]);
			e = mk(pg[j], spec, 4096);
			pq = acq(e, LC_PAGEQUEUE);
			assert_int_equal(scan(e, 64), 0);
			assert_int_equal(acq(e, LC_PAGEQUEUE) - pq,
			    per[j] * n[i]);
			eng_destroy(e);
		}
}

/* eng_check() finds a page linked on a sub-queue not of its colour. */
static void
test_check_wrong_subqueue(void **state)
{
	struct vm_engine *e = mk("refcount", "colored:4", 4096);
	struct vm_pagequeue *from, *to;
	struct vm_page *m;

	(void)state;
	ev(e, PR_PAGE_INSERT, 1, 0, 8, 0);
	m = page(e, 1, 2);
	eng_quiesce(e);
	assert_int_equal(eng_check(e, stderr), 0);
	from = vm_page_pagequeue_m(e, m, PQ_INACTIVE);
	to = vm_pagequeue_nth(e, PQ_INACTIVE, (vm_page_color(e, m) + 1) % 4);
	TAILQ_REMOVE(&from->pq_pl, m, plinks_q);
	from->pq_cnt--;
	TAILQ_INSERT_TAIL(&to->pq_pl, m, plinks_q);
	to->pq_cnt++;
	assert_int_equal(eng_check(e, stderr), 1);
	TAILQ_REMOVE(&to->pq_pl, m, plinks_q);
	to->pq_cnt--;
	TAILQ_INSERT_TAIL(&from->pq_pl, m, plinks_q);
	from->pq_cnt++;
	eng_destroy(e);
}

/*
 * --free colored: consecutive pindexes get consecutive colours (one CPU
 * owns every colour), one free sub-queue lock per allocation and none of
 * the free lock; freed pages go back to their colour.
 */
static void
test_free_color(void **state)
{
	struct vm_engine *e = mk_free("refcount", "colored:64", "colored",
	    4096);
	struct eng_stats st;
	char buf[32];
	unsigned c0, k;
	uint64_t fq;

	(void)state;
	assert_string_equal(eng_design_format(&e->design, ENG_FAM_FREE, buf,
	    sizeof(buf)), "colored");
	fq = acq(e, LC_FREEQUEUE);
	assert_int_equal(ev(e, PR_PAGE_INSERT, 1, 0, 100, 0), 0);
	assert_int_equal(acq(e, LC_FREEQUEUE) - fq, 100);
	c0 = vm_page_color_n(page(e, 1, 0), 64);
	for (k = 1; k < 100; k++)
		assert_int_equal(vm_page_color_n(page(e, 1, k), 64),
		    (c0 + k) % 64);
	eng_stats_collect(e, &st);
	assert_int_equal(st.free_find_steps, 100);
	assert_int_equal(st.free_far_afield, 0);
	assert_int_equal(ev(e, PR_OBJ_TERMINATE, 1, 0, 0, 0), 0);
	assert_int_equal(acq(e, LC_FREEQUEUE) - fq, 200);
	check_clean(e);
	eng_destroy(e);
}

/*
 * Drain the 16 colours of one aligned set (32 colours of 32 pages): the
 * next allocation of one of them looks at its own sub-queue, then
 * (_vm_page_list_find_wide() of DragonFly 89986e03) the whole set again
 * from it and the first sub-queue of the other half, the 17th looked at
 * (8 or more: far afield), and records that sub-queue in its colour's
 * lastq; the next of that colour starts there and finds a page at once.
 */
static void
test_free_far_afield(void **state)
{
	struct vm_engine *e = mk_free("refcount", "colored:32", "colored",
	    1024);
	struct eng_stats st;
	unsigned c0, taken = 0, set;
	uint64_t p, far, steps;

	(void)state;
	assert_int_equal(ev(e, PR_PAGE_INSERT, 1, 0, 1, 0), 0);
	c0 = vm_page_color_n(page(e, 1, 0), 32);
	set = c0 & ~15u;
	taken = 1;
	for (p = 1; taken < 16 * 32; p++)
		if (((p + c0) % 32 & ~15u) == set) {
			assert_int_equal(ev(e, PR_PAGE_INSERT, 1, p, 1, 0), 0);
			taken++;
		}
	while (((p + c0) % 32 & ~15u) != set)
		p++;
	far = p;
	eng_stats_collect(e, &st);
	assert_int_equal(st.free_far_afield, 0);
	steps = st.free_find_steps;
	assert_int_equal(ev(e, PR_PAGE_INSERT, 1, far, 1, 0), 0);
	assert_int_equal(vm_page_color_n(page(e, 1, far), 32), set ^ 16u);
	eng_stats_collect(e, &st);
	assert_int_equal(st.free_find_steps - steps, 1 + 16 + 1);
	assert_int_equal(st.free_far_afield, 1);
	assert_int_equal(st.free_lastq_hits, 0);
	steps = st.free_find_steps;
	assert_int_equal(ev(e, PR_PAGE_INSERT, 1, far + 32, 1, 0), 0);
	assert_int_equal(vm_page_color_n(page(e, 1, far + 32), 32), set ^ 16u);
	eng_stats_collect(e, &st);
	assert_int_equal(st.free_find_steps - steps, 1 + 1);
	assert_int_equal(st.free_lastq_hits, 1);
	assert_int_equal(st.free_far_afield, 1);
	check_clean(e);
	eng_destroy(e);
}

/*
 * --free colored under the other families' designs: the page-lock array
 * (the free path then finds the page lock held by its caller and does not
 * take it again) and FreeBSD's queue designs.  Insert, age, scan, free.
 */
static void
test_free_mixed(void **state)
{
	static const char *const d[][2] = {
		{ "pagelock", "locked" }, { "pagelock", "batch:7" },
		{ "refcount", "astate:8" }, { "pagelock", "colored:8" },
	};
	size_t i;

	(void)state;
	for (i = 0; i < sizeof(d) / sizeof(d[0]); i++) {
		struct vm_engine *e = mk_free(d[i][0], d[i][1], "colored",
		    2048);

		assert_int_equal(ev(e, PR_PAGE_INSERT, 1, 0, 300, 0), 0);
		assert_int_equal(ev(e, PR_ACTIVATE, 1, 0, 100, 0), 0);
		assert_int_equal(ev(e, PR_WIRE, 1, 200, 10, 0), 0);
		assert_int_equal(scan(e, 1000), 0);
		assert_int_equal(ev(e, PR_PAGE_REMOVE, 1, 0, 50, 0), 0);
		/*
		 * 2048 pages, 2500 wanted: the colour walk, then the free
		 * count runs out (no page daemon: the allocations fail).
		 */
		assert_int_equal(ev(e, PR_PAGE_INSERT, 2, 0, 2500, 0), 0);
		check_clean(e);
		assert_int_equal(ev(e, PR_OBJ_TERMINATE, 2, 0, 0, 0), 0);
		check_clean(e);
		eng_destroy(e);
	}
}

/*
 * An engine of preset dragonfly56 (every family DragonFly's, --pv dfly
 * included): one CPU, 8 objects, 2 pmaps, phys pages, the page daemon if
 * pagedaemon.
 */
static struct vm_engine *
mk_dfly56(uint64_t phys, bool pagedaemon)
{
	struct eng_params p = { 0 };
	struct vm_engine *e;
	char err[128];

	eng_design_default(&p.design);
	assert_int_equal(eng_preset_apply(&p.design, "dragonfly56", err,
	    sizeof(err)), 0);
	p.nslots = 1;
	p.nobjects = 8;
	p.npmaps = 2;
	p.phys_pages = phys;
	p.pagedaemon = pagedaemon;
	e = eng_create(&p, err, sizeof(err));
	assert_non_null(e);
	return (e);
}

/*
 * --free colored with the page daemon (preset dragonfly56): allocations
 * take the free count down and frees give it back (vm_domain_allocate(),
 * vm_domain_freecnt_inc(), reported to the daemon), so 3000 pages into
 * 1024 under one object lock wake the daemon, sleep in vm_wait until its
 * scans of the inactive sub-queues free pages, and none fails.
 */
static void
test_free_daemon(void **state)
{
	struct vm_engine *e = mk_dfly56(1024, true);
	struct eng_stats st;
	uint64_t free0;

	(void)state;
	free0 = e->vmd.vmd_free_count;
	assert_int_equal(ev(e, PR_PAGE_INSERT, 1, 0, 10, 0), 0);
	assert_int_equal(e->vmd.vmd_free_count, free0 - 10);
	assert_int_equal(ev(e, PR_PAGE_REMOVE, 1, 0, 10, 0), 0);
	assert_int_equal(e->vmd.vmd_free_count, free0);
	assert_int_equal(ev(e, PR_PAGE_INSERT, 2, 0, 3000, 0), 0);
	check_clean(e);
	eng_stats_collect(e, &st);
	assert_true(st.pd_wakeups > 0);
	assert_true(st.pd_passes > 0);
	assert_true(st.vm_waits > 0);
	assert_int_equal(st.alloc_failures, 0);
	assert_int_equal(e->objects[2].resident_page_count + st.scan_freed,
	    3000);
	eng_destroy(e);
}

/* --page dfly tests: DragonFly's design on its queues, as dragonfly56. */
static struct vm_engine *
mk_dfly(uint64_t phys)
{
	return (mk_free("dfly", "colored:64", "colored", phys));
}

static void
pmap_create0(struct vm_engine *e)
{
	struct pr_event x;

	memset(&x, 0, sizeof(x));
	x.kind = PR_PMAP_CREATE;
	assert_int_equal(eng_apply(eng_cpu(e, 0), &x), 0);
}

/* A map (fault) of (obj, pindex) at its own address in pmap 0. */
static int
map(struct vm_engine *e, uint64_t obj, uint64_t pindex)
{
	return (ev(e, PR_MAP, obj, pindex, 1, 0));
}

static struct eng_stats
stats(struct vm_engine *e)
{
	struct eng_stats st;

	eng_stats_collect(e, &st);
	return (st);
}

/*
 * DragonFly 5.6's vm_fault(): the first fault of a resident page that was
 * never looked up misses vm_page_hash and takes the shared token; it
 * hard-busies the page, takes it off its queue and activates it (its
 * page spinlock twice) and enters it in the hash.  The next fault of a
 * file's page is vm_fault_quick(): no token, the page already active.
 * An anonymous object (OBJ_ONEMAPPING) never takes the quick path.  A
 * missing page takes the shared token, then the exclusive one
 * (KERN_TRY_AGAIN), and sets the exclusive heuristic, so that the next
 * fault of a missing page in that (pmap, object) takes the exclusive
 * token at once; a fault that finds its page clears it.
 */
static void
test_hash_fault_quick(void **state)
{
	struct vm_engine *e = mk_dfly(4096);
	struct vm_page *m;
	uint64_t ob, pg;

	(void)state;
	pmap_create0(e);
	assert_int_equal(ev(e, PR_PAGE_INSERT, 2, 7, 1, 0), 0);
	m = page(e, 2, 7);
	ob = acq(e, LC_OBJECT);
	pg = acq(e, LC_PAGE);
	assert_int_equal(map(e, 2, 7), 0);
	assert_int_equal(acq(e, LC_OBJECT) - ob, 1);
	assert_int_equal(acq(e, LC_PAGE) - pg, 2);
	assert_int_equal(stats(e).page_hash_misses, 1);
	assert_int_equal(stats(e).page_hash_hits, 0);
	assert_int_equal(vm_page_queue(m), PQ_ACTIVE);
	/* A fault on a page still mapped is none (ev_map()): unmap it. */
	assert_int_equal(ev(e, PR_UNMAP, 2, 7, 1, 0), 0);
	ob = acq(e, LC_OBJECT);
	pg = acq(e, LC_PAGE);
	assert_int_equal(map(e, 2, 7), 0);
	assert_int_equal(acq(e, LC_OBJECT), ob);
	assert_int_equal(acq(e, LC_PAGE), pg);
	assert_int_equal(stats(e).page_hash_hits, 1);
	assert_int_equal(atomic_load(&m->busy_lock), VPB_UNBUSIED);

	eng_object_anon(e, 3);
	assert_int_equal(ev(e, PR_PAGE_INSERT, 3, 7, 1, 0), 0);
	assert_int_equal(map(e, 3, 7), 0);
	assert_int_equal(ev(e, PR_UNMAP, 3, 7, 1, 0), 0);
	ob = acq(e, LC_OBJECT);
	assert_int_equal(map(e, 3, 7), 0);
	assert_int_equal(acq(e, LC_OBJECT) - ob, 1);
	assert_int_equal(stats(e).page_hash_hits, 1);

	ob = acq(e, LC_OBJECT);
	assert_int_equal(map(e, 3, 8), 0);
	assert_int_equal(acq(e, LC_OBJECT) - ob, 2);
	assert_int_equal(map(e, 3, 9), 0);
	assert_int_equal(acq(e, LC_OBJECT) - ob, 3);
	assert_int_equal(ev(e, PR_UNMAP, 3, 9, 1, 0), 0);
	assert_int_equal(map(e, 3, 9), 0);	/* found: clears it */
	assert_int_equal(map(e, 3, 10), 0);
	assert_int_equal(acq(e, LC_OBJECT) - ob, 6);
	check_clean(e);
	eng_destroy(e);
}

/*
 * An entry naming a page that was removed and freed does not validate:
 * the page's own identity is gone (vm_page_remove under the hard busy),
 * and 5.6's entry names no identity of its own, so the lookup is a miss.
 * Fails if vm_page_hash_get() trusted the entry without the page's
 * identity.
 */
static void
test_hash_freed_page(void **state)
{
	struct vm_engine *e = mk_dfly(4096);
	struct eng_cpu *c = eng_cpu(e, 0);
	struct vm_object *obj = &e->objects[3];
	struct vm_page *m;

	(void)state;
	assert_int_equal(ev(e, PR_PAGE_INSERT, 3, 5, 1, 0), 0);
	assert_int_equal(ev(e, PR_PAGE_LOOKUP, 3, 5, 1, 0), 0);
	m = page(e, 3, 5);
	assert_ptr_equal(vm_page_hash_get(c, obj, 5), m);
	vm_page_sbusy_drop(c, m);
	assert_int_equal(ev(e, PR_PAGE_REMOVE, 3, 5, 1, 0), 0);
	assert_null(page(e, 3, 5));
	assert_null(vm_page_hash_get(c, obj, 5));
	assert_int_equal(stats(e).page_hash_fails, 0);
	assert_int_equal(stats(e).page_hash_misses, 1);
	assert_int_equal(stats(e).page_hash_hits, 1);
	assert_int_equal(atomic_load(&m->busy_lock), VPB_UNBUSIED);
	check_clean(e);
	eng_destroy(e);
}

/*
 * A hard-busied page (being removed or freed) fails the soft busy; a
 * soft-busied page cannot be hard-busied, so page_remove skips it as busy
 * until the fault drops its soft busy.
 */
static void
test_hash_busy(void **state)
{
	struct vm_engine *e = mk_dfly(4096);
	struct eng_cpu *c = eng_cpu(e, 0);
	struct vm_object *obj = &e->objects[4];
	struct vm_page *m;

	(void)state;
	assert_int_equal(ev(e, PR_PAGE_INSERT, 4, 0, 1, 0), 0);
	assert_int_equal(ev(e, PR_PAGE_LOOKUP, 4, 0, 1, 0), 0);
	m = page(e, 4, 0);
	assert_true(vm_page_tryxbusy(c, m));
	assert_null(vm_page_hash_get(c, obj, 0));
	assert_int_equal(stats(e).page_hash_fails, 1);
	vm_page_xunbusy(c, m);
	assert_ptr_equal(vm_page_hash_get(c, obj, 0), m);
	assert_false(vm_page_tryxbusy(c, m));
	assert_int_equal(ev(e, PR_PAGE_REMOVE, 4, 0, 1, 0), ENG_SKIP_BUSY);
	assert_ptr_equal(page(e, 4, 0), m);
	vm_page_sbusy_drop(c, m);
	assert_int_equal(ev(e, PR_PAGE_REMOVE, 4, 0, 1, 0), 0);
	assert_null(page(e, 4, 0));
	check_clean(e);
	eng_destroy(e);
}

/*
 * The first entry of (object, pindex)'s set in a 4096-entry table, by
 * 5.6's vm_page_hash_hash() as written in sys/vm/vm_page.c at v5.6.0, with
 * the model's object address (slot x 256) and colour.
 */
static uint64_t
hash56(struct vm_object *obj, uint64_t pindex)
{
	uint64_t color = vm_object_pg_color(obj), hi;

	hi = (obj->slot * 256) ^ color ^ pindex;
	hi += color * pindex;
	hi ^= hi >> 20;
	return (hi & (4096 - 1) & ~(uint64_t)3);
}

/*
 * Four ways: five pages of one object whose pindexes fall in one set by
 * 5.6's hash: four stay, the last entered among them, and one of the
 * others was replaced.  Fails if the model's hash is not 5.6's (the five
 * would spread over sets and all hit) or its sets are not 4-way.
 */
static void
test_hash_set(void **state)
{
	struct vm_engine *e = mk_dfly(4096);
	struct eng_cpu *c = eng_cpu(e, 0);
	struct vm_object *obj = &e->objects[5];
	uint64_t pidx[5], p, set;
	struct vm_page *m;
	unsigned hits = 0, n = 0, i;

	(void)state;
	assert_int_equal(e->vm_page_hash_size, 4096);
	set = hash56(obj, 0);
	for (p = 0; n < 5; p++)
		if (hash56(obj, p) == set)
			pidx[n++] = p;
	for (i = 0; i < 5; i++) {
		assert_int_equal(ev(e, PR_PAGE_INSERT, 5, pidx[i], 1, 0), 0);
		assert_int_equal(ev(e, PR_PAGE_LOOKUP, 5, pidx[i], 1, 0), 0);
	}
	for (i = 0; i < 5; i++)
		if ((m = vm_page_hash_get(c, obj, pidx[i])) != NULL) {
			hits++;
			vm_page_sbusy_drop(c, m);
		}
	assert_int_equal(hits, 4);
	assert_non_null(m = vm_page_hash_get(c, obj, pidx[4]));
	vm_page_sbusy_drop(c, m);
	assert_int_equal(stats(e).page_hash_misses, 1);
	check_clean(e);
	eng_destroy(e);
}

/* eng_check()'s count, its report in buf (len bytes, NUL-terminated). */
static int
check_report(struct vm_engine *e, char *buf, size_t len)
{
	FILE *f;
	int bad;

	memset(buf, 0, len);
	f = fmemopen(buf, len - 1, "w");
	assert_non_null(f);
	bad = eng_check(e, f);
	fclose(f);
	return (bad);
}

/*
 * eng_check(): a freed page that kept its identity (a free path that did
 * not remove it from its object under the busy, the obstacle --page dfly
 * removes) would validate through a stale entry, and is reported.
 */
static void
test_hash_check(void **state)
{
	struct vm_engine *e = mk_dfly(4096);
	struct vm_object *obj = &e->objects[6];
	struct vm_page *m;
	char buf[4096];

	(void)state;
	assert_int_equal(ev(e, PR_PAGE_INSERT, 6, 9, 1, 0), 0);
	assert_int_equal(ev(e, PR_PAGE_LOOKUP, 6, 9, 1, 0), 0);
	m = page(e, 6, 9);
	assert_int_equal(ev(e, PR_PAGE_REMOVE, 6, 9, 1, 0), 0);
	eng_quiesce(e);
	assert_int_equal(eng_check(e, stderr), 0);
	atomic_store(&m->object, obj);		/* identity left behind */
	assert_true(check_report(e, buf, sizeof(buf)) >= 1);
	assert_non_null(strstr(buf, "vm_page_hash["));
	assert_non_null(strstr(buf, "is free"));
	atomic_store(&m->object, NULL);
	eng_destroy(e);
}

/*
 * DragonFly's scan (--page dfly on --queue colored) tries to hard-busy
 * each page under the sub-queue's spinlock and passes over a busy one,
 * counted in scan_skipped, without taking its spinlock or moving it; an
 * unbusied page is freed.  Three pages of one colour (pindexes 64 apart
 * on colored:64), the first busied by another CPU: after the scan it is
 * still resident, inactive and at the head of its sub-queue, and the
 * scan took no page spinlock for it.  Once unbusied, the next scan frees
 * it.  Fails if the scan ignores the busy, or dequeues or requeues the
 * busy page, or locks it before trying the busy.
 */
static void
test_scan_skips_busy(void **state)
{
	struct vm_engine *e = mk_design("dfly", "colored:64", "colored", 2,
	    4096);
	struct vm_pagequeue *pq;
	struct vm_page *m;
	struct eng_stats st0, st;
	uint64_t pg, q;

	(void)state;
	assert_int_equal(ev(e, PR_PAGE_INSERT, 1, 0, 1, 0), 0);
	assert_int_equal(ev(e, PR_PAGE_INSERT, 1, 64, 1, 0), 0);
	assert_int_equal(ev(e, PR_PAGE_INSERT, 1, 128, 1, 0), 0);
	m = page(e, 1, 0);
	pq = vm_page_pagequeue_m(e, m, PQ_INACTIVE);
	assert_int_equal(vm_page_color(e, page(e, 1, 64)), vm_page_color(e,
	    m));
	assert_int_equal(pq->pq_cnt, 3);
	assert_true(vm_page_tryxbusy(eng_cpu(e, 1), m));
	/* The busy page alone: no page spinlock, one hold per sub-queue. */
	assert_int_equal(ev(e, PR_PAGE_REMOVE, 1, 64, 1, 0), 0);
	assert_int_equal(ev(e, PR_PAGE_REMOVE, 1, 128, 1, 0), 0);
	st0 = stats(e);
	pg = acq(e, LC_PAGE);
	q = acq(e, LC_PAGEQUEUE);
	assert_int_equal(scan(e, 64), 0);
	st = stats(e);
	assert_int_equal(st.scan_skipped - st0.scan_skipped, 1);
	assert_int_equal(st.scan_freed - st0.scan_freed, 0);
	assert_int_equal(acq(e, LC_PAGE), pg);
	assert_int_equal(acq(e, LC_PAGEQUEUE) - q, 2 * 64);
	assert_ptr_equal(page(e, 1, 0), m);
	assert_int_equal(vm_page_queue(m), PQ_INACTIVE);
	assert_ptr_equal(TAILQ_FIRST(&pq->pq_pl), m);
	/* Two unbusied pages behind it are freed, the busy one stays first. */
	assert_int_equal(ev(e, PR_PAGE_INSERT, 1, 64, 1, 0), 0);
	assert_int_equal(ev(e, PR_PAGE_INSERT, 1, 128, 1, 0), 0);
	assert_int_equal(pq->pq_cnt, 3);
	st0 = stats(e);
	assert_int_equal(scan(e, 64), 0);
	st = stats(e);
	assert_int_equal(st.scan_skipped - st0.scan_skipped, 1);
	assert_int_equal(st.scan_freed - st0.scan_freed, 2);
	assert_null(page(e, 1, 64));
	assert_null(page(e, 1, 128));
	assert_ptr_equal(TAILQ_FIRST(&pq->pq_pl), m);
	assert_int_equal(pq->pq_cnt, 1);
	vm_page_xunbusy(eng_cpu(e, 1), m);
	st0 = stats(e);
	assert_int_equal(scan(e, 64), 0);
	st = stats(e);
	assert_int_equal(st.scan_skipped - st0.scan_skipped, 0);
	assert_int_equal(st.scan_freed - st0.scan_freed, 1);
	assert_null(page(e, 1, 0));
	assert_int_equal(atomic_load(&m->busy_lock), VPB_UNBUSIED);
	check_clean(e);
	eng_destroy(e);
}

/*
 * DragonFly's active scan requeues a referenced page at the tail of its
 * sub-queue, and the pass is bounded by the sub-queue's length when it
 * began: two referenced active pages of one colour are each aged once
 * (act_count + ACT_ADVANCE + 1, PG_REFERENCED), end in their original
 * order, and the scan looked at 2 pages although it may look at 64.
 * Fails if the pass revisits the requeued pages (their act_count would
 * decline again and scan_active exceed 2) or does not requeue them.
 */
static void
test_scan_bounded(void **state)
{
	struct vm_engine *e = mk_dfly(4096);
	struct eng_cpu *c = eng_cpu(e, 0);
	struct vm_pagequeue *pq;
	struct vm_page *m[2];
	struct eng_stats st0, st;
	uint8_t act[2];
	int i;

	(void)state;
	for (i = 0; i < 2; i++) {
		assert_int_equal(ev(e, PR_PAGE_INSERT, 6, 64 * i, 1, 0), 0);
		assert_int_equal(ev(e, PR_ACTIVATE, 6, 64 * i, 1, 0), 0);
		m[i] = page(e, 6, 64 * i);
	}
	pq = vm_page_pagequeue_m(e, m[0], PQ_ACTIVE);
	assert_ptr_equal(pq, vm_page_pagequeue_m(e, m[1], PQ_ACTIVE));
	assert_int_equal(pq->pq_cnt, 2);
	for (i = 0; i < 2; i++) {
		vm_page_aflag_set(c, m[i], PGA_REFERENCED);
		act[i] = VM_PAGE_A_ACT(vm_page_astate_load(m[i]));
	}
	st0 = stats(e);
	assert_int_equal(scan(e, 64), 0);
	st = stats(e);
	assert_int_equal(st.scan_active - st0.scan_active, 2);
	for (i = 0; i < 2; i++) {
		assert_int_equal(vm_page_queue(m[i]), PQ_ACTIVE);
		assert_int_equal(VM_PAGE_A_ACT(vm_page_astate_load(m[i])),
		    act[i] + ACT_ADVANCE + 1);
		assert_int_equal(VM_PAGE_A_FLAGS(vm_page_astate_load(m[i])) &
		    PGA_REFERENCED, 0);
	}
	assert_ptr_equal(TAILQ_FIRST(&pq->pq_pl), m[0]);
	assert_ptr_equal(TAILQ_NEXT(m[0], plinks_q), m[1]);
	/* Unreferenced now: each declines once, a file's page by 2. */
	assert_int_equal(scan(e, 64), 0);
	for (i = 0; i < 2; i++)
		assert_int_equal(VM_PAGE_A_ACT(vm_page_astate_load(m[i])),
		    act[i] + ACT_ADVANCE + 1 - 2 * ACT_DECLINE);
	check_clean(e);
	eng_destroy(e);
}

/*
 * DragonFly's active scan ages an unreferenced page by its object's type
 * (5.6 vm_pageout_scan_active): vm_anonmem_decline (ACT_DECLINE) for
 * anonymous memory, vm_filemem_decline (2 x ACT_DECLINE) for a file's.
 * Two active pages of one sub-queue, one per kind, after one scan.  Fails
 * if the object's type is ignored.
 */
static void
test_decline_by_type(void **state)
{
	struct vm_engine *e = mk_dfly(4096);
	struct vm_page *anon, *file;
	uint8_t act;

	(void)state;
	eng_object_anon(e, 7);
	assert_int_equal(ev(e, PR_PAGE_INSERT, 7, 0, 1, 0), 0);
	assert_int_equal(ev(e, PR_PAGE_INSERT, 6, 0, 1, 0), 0);
	assert_int_equal(ev(e, PR_ACTIVATE, 7, 0, 1, 0), 0);
	assert_int_equal(ev(e, PR_ACTIVATE, 6, 0, 1, 0), 0);
	anon = page(e, 7, 0);
	file = page(e, 6, 0);
	act = VM_PAGE_A_ACT(vm_page_astate_load(anon));
	assert_int_equal(VM_PAGE_A_ACT(vm_page_astate_load(file)), act);
	assert_true(act > 2 * ACT_DECLINE);
	assert_int_equal(scan(e, 64), 0);
	assert_int_equal(VM_PAGE_A_ACT(vm_page_astate_load(anon)),
	    act - ACT_DECLINE);
	assert_int_equal(VM_PAGE_A_ACT(vm_page_astate_load(file)),
	    act - 2 * ACT_DECLINE);
	check_clean(e);
	eng_destroy(e);
}

/*
 * DragonFly 5.6 has no SF_NOCACHE and its libc posix_fadvise() does
 * nothing: a NOCACHE sendfile leaves its pages cached, and a NOREUSE (HEAD)
 * deactivate or a DONTNEED leaves the page active and takes no lock at all.  Fails if
 * the engine acts on the advice under --page dfly.
 */
static void
test_advice_ignored(void **state)
{
	struct vm_engine *e = mk_dfly(4096);
	struct pr_event x;
	struct vm_page *m;
	uint64_t ob, pq, pg;

	(void)state;
	memset(&x, 0, sizeof(x));
	x.kind = PR_SENDFILE;
	x.obj = 5;
	x.arg = 4 * 4096;
	x.flags = PR_F_NOCACHE;
	assert_int_equal(eng_apply(eng_cpu(e, 0), &x), 0);
	assert_non_null(page(e, 5, 0));
	assert_non_null(page(e, 5, 3));
	assert_int_equal(ev(e, PR_ACTIVATE, 5, 0, 1, 0), 0);
	m = page(e, 5, 0);
	assert_int_equal(vm_page_queue(m), PQ_ACTIVE);
	ob = acq(e, LC_OBJECT);
	pq = acq(e, LC_PAGEQUEUE);
	pg = acq(e, LC_PAGE);
	assert_int_equal(ev(e, PR_DEACTIVATE, 5, 0, 1, PR_F_HEAD), 0);
	/* Nor a DONTNEED (a NOCACHE release no wire event wired). */
	assert_int_equal(ev(e, PR_RELEASE, 5, 0, 4, PR_F_NOCACHE), 0);
	assert_int_equal(vm_page_queue(m), PQ_ACTIVE);
	assert_non_null(page(e, 5, 3));
	assert_int_equal(acq(e, LC_OBJECT), ob);
	assert_int_equal(acq(e, LC_PAGEQUEUE), pq);
	assert_int_equal(acq(e, LC_PAGE), pg);
	/* A deactivate without the advice still moves it. */
	assert_int_equal(ev(e, PR_DEACTIVATE, 5, 0, 1, 0), 0);
	assert_int_equal(vm_page_queue(m), PQ_INACTIVE);
	check_clean(e);
	eng_destroy(e);
}

/*
 * DragonFly 5.6's sendfile (kern_sendfile, sf_buf_mfree): a resident page
 * is soft-busied under the object's shared hold and its busy dropped at
 * completion; no wiring, no page spinlock, no queue operation, one
 * shared acquisition of the object per syscall.  A missing page is read
 * through the buffer cache (a wired grab under the exclusive token, the
 * read's vfs_busy_pages() and bpdone() with its hold, and a release to
 * the inactive queue), then sent the same way.  Fails if the send wires,
 * unwires or requeues a resident page, or a missing one is not read.
 */
static void
test_sendfile_soft_busy(void **state)
{
	struct vm_engine *e = mk_dfly(4096);
	struct pr_event x;
	struct vm_page *m;
	uint64_t ob, pq, pg, i;

	(void)state;
	memset(&x, 0, sizeof(x));
	x.kind = PR_SENDFILE;
	x.obj = 5;
	x.arg = 4 * 4096;
	ob = acq(e, LC_OBJECT);
	assert_int_equal(eng_apply(eng_cpu(e, 0), &x), 0);
	/* Held shared, allocbuf's hold, bpdone's (the read), shared again. */
	assert_int_equal(acq(e, LC_OBJECT), ob + 4);
	for (i = 0; i < 4; i++) {
		m = page(e, 5, i);
		assert_non_null(m);
		assert_int_equal(atomic_load(&m->valid), VM_PAGE_BITS_ALL);
		assert_int_equal(vm_page_wired_count(e, m), 0);
		assert_int_equal(vm_page_queue(m), PQ_INACTIVE);
		assert_int_equal(atomic_load(&m->busy_lock), VPB_UNBUSIED);
	}
	assert_int_equal(ev(e, PR_ACTIVATE, 5, 0, 1, 0), 0);
	ob = acq(e, LC_OBJECT);
	pq = acq(e, LC_PAGEQUEUE);
	pg = acq(e, LC_PAGE);
	assert_int_equal(eng_apply(eng_cpu(e, 0), &x), 0);
	assert_int_equal(acq(e, LC_OBJECT), ob + 1);
	assert_int_equal(acq(e, LC_PAGEQUEUE), pq);
	assert_int_equal(acq(e, LC_PAGE), pg);
	assert_int_equal(vm_page_queue(page(e, 5, 0)), PQ_ACTIVE);
	assert_int_equal(vm_page_queue(page(e, 5, 1)), PQ_INACTIVE);
	for (i = 0; i < 4; i++)
		assert_int_equal(atomic_load(&page(e, 5, i)->busy_lock),
		    VPB_UNBUSIED);
	check_clean(e);
	eng_destroy(e);
}

/*
 * A map of a page this CPU's fault has mapped is no fault under --page
 * dfly too (ev_map(), eng_fault_seen()): no hash lookup, no lock, no
 * atomic; a write to the page mapped for reading is one.
 */
static void
test_map_seen_dfly(void **state)
{
	struct vm_engine *e = mk_dfly(4096);
	struct lock_counts lc;

	(void)state;
	pmap_create0(e);
	assert_int_equal(ev(e, PR_PAGE_INSERT, 2, 7, 1, 0), 0);
	assert_int_equal(map(e, 2, 7), 0);
	lock_counts_take(e, &lc);
	assert_int_equal(map(e, 2, 7), 0);
	assert_no_lock_work(e, &lc);
	assert_int_equal(stats(e).page_hash_hits, 0);
	assert_int_equal(ev(e, PR_MAP, 2, 7, 1, PR_F_WRITE), 0);
	assert_int_equal(stats(e).page_hash_hits, 1);
	check_clean(e);
	eng_destroy(e);
}

/* A map of (obj, pindex) that finds it mapped: no lock, no atomic. */
static void
assert_mapped(struct vm_engine *e, uint64_t obj, uint64_t pindex,
    uint8_t flags)
{
	struct lock_counts lc;

	lock_counts_take(e, &lc);
	assert_int_equal(ev(e, PR_MAP, obj, pindex, 1, flags), 0);
	assert_no_lock_work(e, &lc);
}

/* A map of (obj, pindex), a page never looked up, that faults: a token. */
static void
assert_faults(struct vm_engine *e, uint64_t obj, uint64_t pindex)
{
	uint64_t ob = acq(e, LC_OBJECT);

	assert_int_equal(map(e, obj, pindex), 0);
	assert_int_equal(acq(e, LC_OBJECT) - ob, 1);
}

/*
 * DragonFly 5.6's burst (vm_prefault_quick(), engine.c): a fault on the
 * token path maps the resident pages around its own, up to 8, in the
 * spiral +1, -1, +2, -2, ..., soft-busied (a read fault) and read-only,
 * so that their maps are no fault; the burst stops at a missing page and
 * at the object's pindex 0 on its way down; a page a fault or burst of
 * this CPU mapped stops its direction.  A write fault's burst hard-busies
 * and maps writeable.  A fault through vm_fault_quick() has none.  Fails
 * without the burst (each neighbour faults).
 */
static void
test_burst_dfly(void **state)
{
	struct vm_engine *e = mk_dfly56(4096, false);
	uint64_t i, pv;

	(void)state;
	pmap_create0(e);
	assert_int_equal(ev(e, PR_PAGE_INSERT, 2, 96, 16, 0), 0);
	assert_int_equal(map(e, 2, 104), 0);
	for (i = 100; i <= 108; i++) {
		assert_int_equal(atomic_load(&page(e, 2, i)->busy_lock),
		    VPB_UNBUSIED);
		assert_mapped(e, 2, i, 0);
	}
	assert_int_equal(stats(e).page_hash_misses, 1);
	/* +1 = 110 and +2 = 111 mapped, -1 = 108 known: its direction ends. */
	pv = acq(e, LC_PV);
	assert_faults(e, 2, 109);
	assert_int_equal(acq(e, LC_PV) - pv, 3);
	assert_mapped(e, 2, 110, 0);
	assert_mapped(e, 2, 111, 0);
	assert_faults(e, 2, 99);

	/* Down to pindex 0, then on upwards: 3, 1, 4, 0, 5, 6. */
	assert_int_equal(ev(e, PR_PAGE_INSERT, 3, 0, 8, 0), 0);
	assert_int_equal(map(e, 3, 2), 0);
	for (i = 0; i <= 6; i++)
		assert_mapped(e, 3, i, 0);
	assert_faults(e, 3, 7);

	/* A missing page (210) ends the burst: 209, 207 only. */
	assert_int_equal(ev(e, PR_PAGE_INSERT, 4, 200, 10, 0), 0);
	assert_int_equal(ev(e, PR_PAGE_INSERT, 4, 211, 4, 0), 0);
	assert_int_equal(map(e, 4, 208), 0);
	assert_mapped(e, 4, 209, 0);
	assert_mapped(e, 4, 207, 0);
	assert_faults(e, 4, 206);

	/* A write: writeable, hard busy dropped. */
	assert_int_equal(ev(e, PR_PAGE_INSERT, 5, 300, 4, 0), 0);
	assert_int_equal(ev(e, PR_MAP, 5, 301, 1, PR_F_WRITE), 0);
	for (i = 300; i < 304; i++) {
		assert_int_equal(atomic_load(&page(e, 5, i)->busy_lock),
		    VPB_UNBUSIED);
		assert_mapped(e, 5, i, PR_F_WRITE);
	}

	/* vm_fault_quick() clears VM_FAULT_BURST. */
	assert_int_equal(ev(e, PR_PAGE_INSERT, 6, 400, 2, 0), 0);
	assert_int_equal(ev(e, PR_PAGE_LOOKUP, 6, 400, 1, 0), 0);
	assert_int_equal(map(e, 6, 400), 0);
	assert_int_equal(stats(e).page_hash_hits, 1);
	assert_faults(e, 6, 401);
	check_clean(e);
	eng_destroy(e);
}

/*
 * The model's pmap_prefault_ok(): a neighbour this CPU does not know
 * mapped (another event came between) is found so by
 * pmap_ev_enter_prefault() under the pmap lock (class pv under --pv
 * dfly, the lock its pmap_enter() would take; DragonFly reads the PTE
 * unlocked), which ends that direction and notes the page mapped.  A
 * busy neighbour ends the burst.
 */
static void
test_burst_dfly_decline(void **state)
{
	struct vm_engine *e = mk_dfly56(4096, false);
	struct eng_cpu *c = eng_cpu(e, 0);
	uint64_t hits, pv;

	(void)state;
	pmap_create0(e);
	assert_int_equal(ev(e, PR_PAGE_INSERT, 2, 0, 16, 0), 0);
	assert_int_equal(map(e, 2, 2), 0);		/* maps 0-6 */
	assert_int_equal(ev(e, PR_PAGE_INSERT, 3, 0, 1, 0), 0);
	/* 9, then 10, 8, 11, 7, 12, 6 (mapped: declined), 13. */
	pv = acq(e, LC_PV);
	assert_int_equal(map(e, 2, 9), 0);
	assert_int_equal(acq(e, LC_PV) - pv, 1 + 6 + 1);
	assert_mapped(e, 2, 6, 0);
	assert_mapped(e, 2, 13, 0);
	/* 5 was not looked at: a fault (the hash's, from map 2's burst). */
	hits = stats(e).page_hash_hits;
	assert_int_equal(map(e, 2, 5), 0);
	assert_int_equal(stats(e).page_hash_hits, hits + 1);

	/* A hard-busied first candidate (+1) ends the burst. */
	assert_int_equal(ev(e, PR_PAGE_INSERT, 4, 64, 8, 0), 0);
	assert_true(vm_page_tryxbusy(c, page(e, 4, 69)));
	assert_int_equal(map(e, 4, 68), 0);
	vm_page_xunbusy(c, page(e, 4, 69));
	assert_faults(e, 4, 67);
	check_clean(e);
	eng_destroy(e);
}

/*
 * The pages that events name are found the model's way (vm_page_named()):
 * 5.6 enters a page in vm_page_hash[] only from its vm_page_lookup*()
 * functions, and the functions these events model are handed the page
 * (vm_page_activate(), vm_page_unwire(), pmap_remove_all()) or walk the
 * object's tree (vm_object_page_remove()).  So after an activation and a
 * removal of other pages, a file page only inserted is still a hash miss
 * for the fault's vm_fault_quick(); a fault that looked it up makes the
 * next one a hit.
 */
static void
test_hash_event_pages(void **state)
{
	struct vm_engine *e = mk_dfly(4096);

	(void)state;
	pmap_create0(e);
	assert_int_equal(ev(e, PR_PAGE_INSERT, 2, 7, 3, 0), 0);
	assert_int_equal(ev(e, PR_ACTIVATE, 2, 7, 1, 0), 0);
	assert_int_equal(ev(e, PR_DEACTIVATE, 2, 7, 1, 0), 0);
	assert_int_equal(ev(e, PR_PAGE_REMOVE, 2, 8, 2, 0), 0);
	assert_int_equal(map(e, 2, 7), 0);
	assert_int_equal(stats(e).page_hash_hits, 0);
	assert_int_equal(stats(e).page_hash_misses, 1);
	assert_int_equal(ev(e, PR_UNMAP, 2, 7, 1, 0), 0);
	assert_int_equal(map(e, 2, 7), 0);
	assert_int_equal(stats(e).page_hash_hits, 1);
	check_clean(e);
	eng_destroy(e);
}

/*
 * DragonFly 5.6's object holds (vm_object_hold(), vm_object_hold_shared()
 * and vm_object_drop() in sys/vm/vm_object.c at v5.6.0): each hold is
 * refcount_acquire(&obj->hold_count) and the token, each drop
 * refcount_release() and the token's release, so a hold and its drop
 * cost two object atomics besides the lock's own.  Per event, in object
 * atomics:
 *  - map of a resident file page not in vm_page_hash (vm_fault(): the
 *    shared hold to the end): the read lock's 2, paging in progress's 2
 *    (vm_object_pip_add, vm_object_pip_wakeup) and the hold's 2: 6;
 *  - map:new (shared hold, KERN_TRY_AGAIN, exclusive hold): 12, and
 *    vm_page_insert()'s generation: 13;
 *  - page_lookup of a missing page (vm_page_grab(): vm_object_hold_shared,
 *    vm_object_upgrade, vm_object_drop): the shared lock's 2, the
 *    upgrade's relock 2, the hold's 2, the insert's generation 1: 7 (the
 *    upgrade takes no hold);
 *  - page_remove (vm_object_page_remove()'s hold and paging in progress,
 *    and vm_page_remove()'s own hold, recursive): the lock's 2, the
 *    holds' 4, paging in progress 2, the generation 1: 9 (5.6 also
 *    counts the recursive token's t_count, 2 more, not modelled);
 *  - sendfile of a resident page (kern_sendfile(): one shared hold): 4.
 * No hold is left after an event, and eng_check() reports one that is.
 * Fails without the hold_count atomics (4, 9, 5, 5, 2), without the
 * generation's (6, 12, 6, 8), without page_remove's paging in progress
 * (7), or with a hold counted at the upgrade (page_lookup 9).
 */
static void
test_object_holds(void **state)
{
	struct vm_engine *e = mk_dfly(4096);
	struct vm_object *obj = &e->objects[2];
	struct pr_event x;
	char buf[4096];
	uint64_t at;

	(void)state;
	pmap_create0(e);
	assert_int_equal(ev(e, PR_PAGE_INSERT, 2, 7, 1, 0), 0);
	at = atomics(e, LC_OBJECT);
	assert_int_equal(map(e, 2, 7), 0);
	assert_int_equal(stats(e).page_hash_misses, 1);
	assert_int_equal(atomics(e, LC_OBJECT) - at, 6);
	assert_int_equal(atomic_load(&obj->hold_count), 0);

	eng_object_anon(e, 3);
	at = atomics(e, LC_OBJECT);
	assert_int_equal(map(e, 3, 8), 0);		/* map:new */
	assert_int_equal(atomics(e, LC_OBJECT) - at, 13);

	at = atomics(e, LC_OBJECT);
	assert_int_equal(ev(e, PR_PAGE_LOOKUP, 2, 9, 1, 0), 0);
	assert_non_null(page(e, 2, 9));
	assert_int_equal(atomics(e, LC_OBJECT) - at, 7);

	at = atomics(e, LC_OBJECT);
	assert_int_equal(ev(e, PR_PAGE_REMOVE, 2, 9, 1, 0), 0);
	assert_null(page(e, 2, 9));
	assert_int_equal(atomics(e, LC_OBJECT) - at, 9);

	memset(&x, 0, sizeof(x));
	x.kind = PR_SENDFILE;
	x.obj = 2;
	x.pindex = 7;
	x.npages = 1;
	at = atomics(e, LC_OBJECT);
	assert_int_equal(eng_apply(eng_cpu(e, 0), &x), 0);
	assert_int_equal(atomics(e, LC_OBJECT) - at, 4);
	assert_int_equal(atomic_load(&obj->hold_count), 0);
	check_clean(e);

	atomic_store(&obj->hold_count, 1);	/* a hold never dropped */
	assert_int_equal(check_report(e, buf, sizeof(buf)), 1);
	assert_non_null(strstr(buf, "holds 1"));
	atomic_store(&obj->hold_count, 0);
	eng_destroy(e);
}

/*
 * The events whose 5.6 callers hold the page's pointer and no object token
 * or hold take none under --page dfly: activate and deactivate
 * (vm_page_activate(), vm_page_deactivate(): the page's and its
 * sub-queues' spinlocks, v5.6.0 sys/vm/vm_page.c lines 2680-2716 and
 * 3013-3021), requeue (the page daemon's move to the tail under
 * vm_page_and_queue_spin_lock(), sys/vm/vm_pageout.c lines 955-963), and
 * unwire and release (vm_fault_unwire(), sys/vm/vm_fault.c lines
 * 2533-2535, and vfs_vmio_release(), sys/kern/vfs_bio.c lines 1774 and
 * 1796-1798: busied, unwired, woken).  Each event costs no object
 * acquisition and no object atomic (a hold would be 2 lock and 2
 * hold_count atomics), but takes the page's spinlock; the wire before
 * the unwire and the release still holds the object (allocbuf()'s
 * vm_object_hold()).  The page keeps no busy or pin afterwards, and an
 * event naming no resident page is skipped.  Fails with the object hold
 * these events took before 2026-12-07 (one object acquisition and four
 * object atomics each).
 */
static void
test_page_events_unheld(void **state)
{
	static const uint8_t kinds[] = { PR_ACTIVATE, PR_DEACTIVATE,
	    PR_REQUEUE, PR_WIRE, PR_UNWIRE, PR_WIRE, PR_RELEASE };
	struct vm_engine *e = mk_dfly(4096);
	struct vm_object *obj = &e->objects[2];
	uint64_t at, ata, atp;
	size_t i;

	(void)state;
	assert_int_equal(ev(e, PR_PAGE_INSERT, 2, 7, 1, 0), 0);
	for (i = 0; i < sizeof(kinds) / sizeof(kinds[0]); i++) {
		at = acq(e, LC_OBJECT);
		ata = atomics(e, LC_OBJECT);
		atp = acq(e, LC_PAGE);
		assert_int_equal(ev(e, kinds[i], 2, 7, 1, 0), 0);
		if (kinds[i] == PR_WIRE) {
			assert_int_equal(acq(e, LC_OBJECT) - at, 1);
			continue;
		}
		assert_int_equal(acq(e, LC_OBJECT) - at, 0);
		assert_int_equal(atomics(e, LC_OBJECT) - ata, 0);
		assert_true(acq(e, LC_PAGE) - atp >= 1);
		assert_int_equal(atomic_load(&page(e, 2, 7)->busy_lock),
		    VPB_UNBUSIED);
	}
	assert_int_equal(atomic_load(&obj->hold_count), 0);
	assert_int_not_equal(ev(e, PR_ACTIVATE, 2, 9, 1, 0), 0);
	assert_int_not_equal(ev(e, PR_UNWIRE, 2, 7, 1, 0), 0);
	check_clean(e);
	eng_destroy(e);
}

/*
 * obj_create under --page dfly: 5.6's _vm_object_allocate() (v5.6.0
 * sys/vm/vm_object.c lines 381-416) raises the generation (line 405) and
 * holds the new object (vm_object_hold(), line 411) until
 * vm_object_allocate() drops it (line 471): one object acquisition and
 * five object atomics (the lock's 2, hold_count's 2, the generation's 1),
 * no hold left.  A creation of a live object is skipped and costs
 * nothing.  Fails on the lock-free creation before 2026-12-07 (0 and 0).
 */
static void
test_object_create_hold(void **state)
{
	struct vm_engine *e = mk_dfly(4096);
	struct vm_object *obj = &e->objects[5];
	uint64_t at, ata;

	(void)state;
	at = acq(e, LC_OBJECT);
	ata = atomics(e, LC_OBJECT);
	assert_int_equal(ev(e, PR_OBJ_CREATE, 5, 0, 0, 0), 0);
	assert_int_equal(acq(e, LC_OBJECT) - at, 1);
	assert_int_equal(atomics(e, LC_OBJECT) - ata, 5);
	assert_int_equal(atomic_load(&obj->hold_count), 0);
	assert_true(atomic_load(&obj->alive));
	at = acq(e, LC_OBJECT);
	ata = atomics(e, LC_OBJECT);
	assert_int_equal(ev(e, PR_OBJ_CREATE, 5, 0, 0, 0),
	    ENG_SKIP_OBJECT_EXISTS);
	assert_int_equal(acq(e, LC_OBJECT) - at, 0);
	assert_int_equal(atomics(e, LC_OBJECT) - ata, 0);
	check_clean(e);
	eng_destroy(e);
}

/*
 * extract_hold under --page dfly is no work: DragonFly 5.6 holds no page
 * of a user buffer for I/O (physio() bounces it, v5.6.0
 * sys/kern/kern_physio.c lines 97-117; UFS's IO_DIRECT reads through the
 * buffer cache; vm_fault_page_quick() has no caller), so the event takes
 * no lock and no atomic, mapped or not, and the page's wiring never
 * moves.  Fails with the pmap_extract() of each page (a pv-class
 * acquisition, the pmap lock standing for pt_pv) that the model did
 * until 2026-12-07, and with the wiring and unwiring before that.
 */
static void
test_extract_no_hold(void **state)
{
	struct vm_engine *e = mk_dfly56(4096, false);
	struct lock_counts before;
	struct vm_page *m;

	(void)state;
	pmap_create0(e);
	assert_int_equal(ev(e, PR_PAGE_INSERT, 2, 7, 1, 0), 0);
	assert_int_equal(map(e, 2, 7), 0);
	m = page(e, 2, 7);
	lock_counts_take(e, &before);
	assert_int_equal(ev(e, PR_EXTRACT_HOLD, 0, 7, 1, 0), 0);
	assert_int_equal(ev(e, PR_EXTRACT_HOLD, 0, 9, 1, 0), 0);
	assert_no_lock_work(e, &before);
	assert_int_equal(vm_page_wired_count(e, m), 0);
	check_clean(e);
	eng_destroy(e);
}

/*
 * Each scanning thread of DragonFly's resumes after the last sub-queue it
 * visited (5.6 vm_pageout_thread's q1iterator): of two inactive pages
 * alone in sub-queues c1 < c2, a one-page scan from sub-queue 0 visits
 * c1 + 1 sub-queues and frees the first page; the next scan starts at
 * c1 + 1 and visits c2 - c1 to free the second.  Each visited sub-queue
 * costs one spinlock hold, each page one more plus its free's.  Fails
 * with a shared rotor that moves one sub-queue per scan (the second scan
 * would walk from sub-queue 2).
 */
static void
test_scan_resumes(void **state)
{
	struct vm_engine *e = mk_dfly(4096);
	struct vm_page *m;
	uint64_t q0, q1, q2, keep[2] = { 0, 0 }, i, col[2];
	unsigned n = e->vmd.vmd_ncolors;
	int k = 0;

	(void)state;
	assert_int_equal(ev(e, PR_PAGE_INSERT, 1, 0, n, 0), 0);
	for (i = 0; i < n && k < 2; i++) {
		m = page(e, 1, i);
		if (vm_page_color(e, m) >= 2 + 2 * (unsigned)k &&
		    (k == 0 || vm_page_color(e, m) > col[0])) {
			keep[k] = i;
			col[k++] = vm_page_color(e, m);
		}
	}
	assert_int_equal(k, 2);
	for (i = 0; i < n; i++)
		if (i != keep[0] && i != keep[1])
			assert_int_equal(ev(e, PR_PAGE_REMOVE, 1, i, 1, 0), 0);
	q0 = acq(e, LC_PAGEQUEUE);
	assert_int_equal(scan(e, 1), 0);
	q1 = acq(e, LC_PAGEQUEUE);
	assert_null(page(e, 1, keep[0]));
	assert_non_null(page(e, 1, keep[1]));
	assert_int_equal(scan(e, 1), 0);
	q2 = acq(e, LC_PAGEQUEUE);
	assert_null(page(e, 1, keep[1]));
	/* Same per-page cost and active walk (all n sub-queues) in both. */
	assert_int_equal((q2 - q1) - (q1 - q0), (col[1] - col[0]) -
	    (col[0] + 1));
	check_clean(e);
	eng_destroy(e);
}

/*
 * Fill a --page dfly engine (64 sub-queues, 4096 pages, no daemon thread)
 * with inactive pages of object 1 until short of free_target by want
 * pages; returns the shortage.
 */
static int64_t
fill_short(struct vm_engine *e, uint64_t want)
{
	uint64_t free_min, free_target, wakeup, n;

	vm_pageout_thresholds(e, &free_min, &free_target, &wakeup);
	n = e->vmd.vmd_free_count - (free_target - want);
	assert_int_equal(ev(e, PR_PAGE_INSERT, 1, 0, n, 0), 0);
	return ((int64_t)free_target - (int64_t)e->vmd.vmd_free_count);
}

/*
 * DragonFly's daemon spreads a shortage over the inactive sub-queues
 * (5.6 vm_pageout_thread: PQAVERAGE(avail_shortage) per sub-queue, here
 * (64 + 63) / 32 + 1 = 4), visiting them until the shortage is met: 16
 * sub-queues lose 4 pages each, the others none, and the next pass starts
 * at sub-queue 16.  Fails if a sub-queue is asked for the whole shortage
 * (FreeBSD's pass: the first sub-queue would be emptied).
 */
static void
test_daemon_spreads(void **state)
{
	struct vm_engine *e = mk_dfly(4096);
	struct eng_cpu *c = eng_cpu(e, 0);
	uint64_t before[64], cnt;
	struct eng_stats st0, st;
	unsigned i, lost = 0;

	(void)state;
	assert_int_equal(e->vmd.vmd_ncolors, 64);
	assert_int_equal(fill_short(e, 64), 64);
	for (i = 0; i < 64; i++) {
		before[i] = vm_pagequeue_nth(e, PQ_INACTIVE, i)->pq_cnt;
		assert_true(before[i] > 4);
	}
	st0 = stats(e);
	assert_true(vm_pageout_daemon_pass(c));
	st = stats(e);
	assert_int_equal(st.scan_freed - st0.scan_freed, 64);
	assert_int_equal(st.scan_active - st0.scan_active, 0);
	for (i = 0; i < 64; i++) {
		cnt = vm_pagequeue_nth(e, PQ_INACTIVE, i)->pq_cnt;
		assert_int_equal(before[i] - cnt, i < 16 ? 4 : 0);
		lost += before[i] != cnt;
	}
	assert_int_equal(lost, 16);
	assert_int_equal(c->scan_next[0], 16);
	check_clean(e);
	eng_destroy(e);
}

/*
 * The daemon's pass count (5.6: ++pass after a pass that ends short,
 * pass = 0 once met) lowers the active scan's bar: an unreferenced page
 * leaves the active queue once `act_count < pass + 1`.  With every page
 * of an anonymous object active at ACT_INIT (5) and unreferenced,
 * nothing is inactive to free, so each pass ends short and ages every
 * active page by ACT_DECLINE: passes 0 and 1 leave act_count 4 and 3
 * (not below 1 and 2), pass 2 leaves 2, below 3, and the pages leave:
 * while free pages are short, each sub-queue's first PQAVERAGE(32) = 3
 * are cached (freed here), the rest of its 10 deactivated, which meets
 * the shortage (avail_shortage -= delta after the active scan).  Fails
 * without the pass count (pages would wait for act_count 0, pass 4) or
 * without the cache (nothing freed).
 */
static void
test_daemon_pass_count(void **state)
{
	struct vm_engine *e = mk_dfly(4096);
	struct eng_cpu *c = eng_cpu(e, 0);
	uint64_t n, inactive;
	struct eng_stats st;
	struct vm_page *m;
	unsigned i, pass;

	(void)state;
	eng_object_anon(e, 1);		/* declines by ACT_DECLINE */
	(void)fill_short(e, 32);
	n = e->objects[1].resident_page_count;
	assert_int_equal(ev(e, PR_ACTIVATE, 1, 0, n, 0), 0);
	m = page(e, 1, 0);
	assert_int_equal(vm_page_queue(m), PQ_ACTIVE);
	assert_int_equal(VM_PAGE_A_ACT(vm_page_astate_load(m)), ACT_INIT);
	assert_int_equal(VM_PAGE_A_FLAGS(vm_page_astate_load(m)) &
	    PGA_REFERENCED, 0);
	for (pass = 0; pass < 3; pass++) {
		/* 5.6 counts deactivations against the shortage too. */
		assert_int_equal(vm_pageout_daemon_pass(c), pass == 2);
		for (inactive = 0, i = 0; i < e->vmd.vmd_ncolors; i++)
			inactive += vm_pagequeue_nth(e, PQ_INACTIVE,
			    i)->pq_cnt;
		st = stats(e);
		if (pass < 2) {
			assert_int_equal(inactive, 0);
			assert_int_equal(st.scan_freed, 0);
			assert_int_equal(VM_PAGE_A_ACT(vm_page_astate_load(m)),
			    ACT_INIT - 1 - pass);
		} else {
			assert_true(inactive > 0);
			assert_true(st.scan_freed > 0);
			assert_true(n - e->objects[1].resident_page_count ==
			    st.scan_freed);
		}
	}
	check_clean(e);
	eng_destroy(e);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_parse),
		cmocka_unit_test(test_color),
		cmocka_unit_test(test_membership),
		cmocka_unit_test(test_activate_unlocked),
		cmocka_unit_test(test_deactivate_unlocked),
		cmocka_unit_test(test_wire_lazy),
		cmocka_unit_test(test_scan_walk),
		cmocka_unit_test(test_scan_skips_busy),
		cmocka_unit_test(test_scan_bounded),
		cmocka_unit_test(test_scan_resumes),
		cmocka_unit_test(test_decline_by_type),
		cmocka_unit_test(test_advice_ignored),
		cmocka_unit_test(test_sendfile_soft_busy),
		cmocka_unit_test(test_hash_event_pages),
		cmocka_unit_test(test_object_holds),
		cmocka_unit_test(test_daemon_spreads),
		cmocka_unit_test(test_daemon_pass_count),
		cmocka_unit_test(test_check_wrong_subqueue),
		cmocka_unit_test(test_free_color),
		cmocka_unit_test(test_free_far_afield),
		cmocka_unit_test(test_free_mixed),
		cmocka_unit_test(test_free_daemon),
		cmocka_unit_test(test_hash_fault_quick),
		cmocka_unit_test(test_map_seen_dfly),
		cmocka_unit_test(test_burst_dfly),
		cmocka_unit_test(test_burst_dfly_decline),
		cmocka_unit_test(test_hash_freed_page),
		cmocka_unit_test(test_hash_busy),
		cmocka_unit_test(test_hash_set),
		cmocka_unit_test(test_hash_check),
		cmocka_unit_test(test_page_events_unheld),
		cmocka_unit_test(test_object_create_hold),
		cmocka_unit_test(test_extract_no_hold),
	};

	return (cmocka_run_group_tests(tests, NULL, NULL));
}
