/*
 * test_pageout.c - the page daemon (issue 12 item 6).
 *
 * Its thread, under the freebsd10, freebsd12 and freebsd14 presets: it
 * sleeps until an allocation takes the free count below
 * vmd_pageout_wakeup_thresh, then its scans free pages back to the
 * target; an allocator with no free page sleeps in vm_wait and is woken
 * when the daemon has freed pages (the allocator holds the only object's
 * lock while it allocates, so the daemon can free nothing until it
 * sleeps); a referenced mapped page is reactivated, not freed, and its
 * PG_A is cleared by pmap_ts_referenced(); wired memory that the daemon
 * cannot free makes it give up (the model's OOM) and the allocations fail,
 * counted.
 *
 * The scan takes the kernel's locks (research conformance.md 2.4 items
 * 9-11).  Read from the footprint's `scan` row: 64 inactive pages of one
 * object, scanned and freed by one single-threaded scan event.
 *
 * Kernel counts (tests/conformance/freebsd.tsv cites them):
 * - object lock: one acquisition for a run of same-object pages, 12.0
 *   `if (object != m->object)` and 13/14 `if (object == NULL || object !=
 *   m->object)` in vm_pageout_scan_inactive; FreeBSD 10 (--queue locked)
 *   one per page.
 * - page-queue locks: inactive scan init 1, a collect per batch plus the
 *   final empty one, the two unconditional vm_pageout_reinsert_inactive()
 *   flushes, end 1, the laundry queue 1; active scan on an empty queue
 *   init 1, collect 1, end 1.  batch 31: 1+4+2+1+1+3 = 12; batch 63:
 *   1+3+2+1+1+3 = 11.
 * - 13/14 (astate) takes no reference on a scanned page: the page's
 *   atomics are tryxbusy, xunbusy and the free's unlink, 3 per page.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdio.h>
#include <string.h>
#include <time.h>

#include <cmocka.h>

#include "solo_hook.h"
#include "vm_internal.h"
#include "vmtest.h"

static struct eng_fp_row rows[ENG_FP_NVARIANTS];

/* The footprint's scan row under the given designs. */
static const struct eng_fp_row *
scan_row(const char *pg, const char *q)
{
	struct eng_design d;
	char err[128];
	size_t i;

	eng_design_default(&d);
	assert_int_equal(eng_design_parse(&d, ENG_FAM_PAGE, pg, err,
	    sizeof(err)), 0);
	assert_int_equal(eng_design_parse(&d, ENG_FAM_QUEUE, q, err,
	    sizeof(err)), 0);
	assert_int_equal(eng_footprint(&d, rows, NULL, err, sizeof(err)), 0);
	for (i = 0; i < ENG_FP_NVARIANTS; i++)
		if (rows[i].event != NULL && strcmp(rows[i].event, "scan") == 0) {
			assert_int_equal(rows[i].single_rv, 0);
			return (&rows[i]);
		}
	fail_msg("no scan row");
	return (NULL);
}

/* FreeBSD 12.0: pagelock + batch:31. */
static void
test_scan_fb12(void **state)
{
	const struct eng_fp_row *r = scan_row("pagelock:256", "batch:31");

	(void)state;
	assert_int_equal(r->single.acq[LC_OBJECT], 1);
	assert_int_equal(r->single.acq[LC_PAGEQUEUE], 12);
	/* vm_page_change_lock: the 64 pages of one 2 MiB frame, one lock. */
	assert_int_equal(r->single.acq[LC_PAGE], 1);
}

/* FreeBSD 13/14: refcount + astate:63, no transient reference. */
static void
test_scan_fb14(void **state)
{
	const struct eng_fp_row *r = scan_row("refcount", "astate:63");

	(void)state;
	assert_int_equal(r->single.acq[LC_OBJECT], 1);
	assert_int_equal(r->single.acq[LC_PAGEQUEUE], 11);
	assert_int_equal(r->single.acq[LC_PAGE], 0);
	assert_int_equal(r->single.atomics[LC_PAGE], 3 * 64);
}

/* Seed 000's transient reference stays with refcount + batch. */
static void
test_scan_transient_batch(void **state)
{
	const struct eng_fp_row *r = scan_row("refcount", "batch:63");

	(void)state;
	assert_int_equal(r->single.acq[LC_OBJECT], 1);
	assert_int_equal(r->single.atomics[LC_PAGE], 5 * 64 + 2);
}

/* FreeBSD 10: the object locked and unlocked for every page. */
static void
test_scan_fb10(void **state)
{
	const struct eng_fp_row *r = scan_row("pagelock", "locked");

	(void)state;
	assert_int_equal(r->single.acq[LC_OBJECT], 64);
	assert_int_equal(r->single.acq[LC_PAGE], 64);
}

static const char *const presets[] = { "freebsd10", "freebsd12",
    "freebsd14" };
/*
 * vm_pageout_init_domain() for 4096 pages: free_min, free_target, wakeup
 * threshold.  10.x/12.0: minimum 4 + (4096 - 1024) / 200 = 19; 13/14:
 * 4096 / 200 = 20; reserved 32 + 34 + 4096 / 768 = 71.
 */
static const uint64_t thresholds[][3] = { { 90, 147, 126 },
    { 90, 147, 126 }, { 91, 151, 135 } };
#define NPRESETS	(sizeof(presets) / sizeof(presets[0]))

/* A one-worker engine of preset pre with phys pages, page daemon or not. */
static struct vm_engine *
mk(const char *pre, uint64_t phys, bool daemon)
{
	struct eng_params p = { 0 };
	struct vm_engine *e;
	char err[128];

	eng_design_default(&p.design);
	assert_int_equal(eng_preset_apply(&p.design, pre, err, sizeof(err)),
	    0);
	p.nslots = 1;
	p.nobjects = 8;
	p.npmaps = 2;
	p.phys_pages = phys;
	p.pagedaemon = daemon;
	e = eng_create(&p, err, sizeof(err));
	assert_non_null(e);
	return (e);
}

/*
 * Quiesce (the daemon stops), check the invariants, collect the counters;
 * returns object 0's resident pages.
 */
static uint64_t
finish(struct vm_engine *e, struct eng_stats *st)
{
	uint64_t resident;

	eng_quiesce(e);
	assert_int_equal(eng_check(e, stderr), 0);
	eng_stats_collect(e, st);
	resident = e->objects[0].resident_page_count;
	eng_destroy(e);
	return (resident);
}

/*
 * Hold the daemon idle once it has made a pass (10 s at most); its CPU's
 * counters may then be read.  The caller resumes it.
 */
static const struct eng_cpu_stats *
hold_after_pass(struct vm_engine *e)
{
	const struct eng_cpu_stats *st = &e->cpus[e->params.nslots]->st;
	struct timespec ms = { 0, 1000000 };
	int i;

	for (i = 0; i < 10000; i++) {
		vm_pageout_hold(e);
		if (st->pd_passes > 0)
			return (st);
		vm_pageout_resume(e);
		nanosleep(&ms, NULL);
	}
	fail_msg("the page daemon made no pass in 10 s");
	return (NULL);
}

/*
 * The daemon sleeps while the free count is at or above the wakeup
 * threshold, is woken by the allocation that takes it below, and frees
 * inactive pages until the count is back at the target.
 */
static void
test_daemon_wakes_at_threshold(void **state)
{
	const struct eng_cpu_stats *pd;
	struct eng_cpu *c;
	struct vm_engine *e;
	struct eng_stats st;
	uint64_t before = 0, fmin, ftarget, wake, i;
	size_t k;

	(void)state;
	for (k = 0; k < NPRESETS; k++) {
		e = mk(presets[k], 4096, true);
		c = eng_cpu(e, 0);
		vm_pageout_thresholds(e, &fmin, &ftarget, &wake);
		assert_int_equal(fmin, thresholds[k][0]);
		assert_int_equal(ftarget, thresholds[k][1]);
		assert_int_equal(wake, thresholds[k][2]);
		/* The daemon sleeps until our wakeup: the count is ours. */
		for (i = 0; c->st.pd_wakeups == 0; i++) {
			assert_true(i < 4096);
			before = e->vmd.vmd_free_count;
			assert_int_equal(ev_at(e, 0, PR_PAGE_INSERT, i / 512,
			    i % 512, 1, 0, 0), 0);
		}
		assert_true(before >= wake);
		assert_int_equal(c->st.pd_wakeups, 1);
		pd = hold_after_pass(e);
		assert_true(pd->scan_inactive > 0);
		assert_true(pd->scan_freed > 0);
		assert_true(e->vmd.vmd_free_count >= wake);
		vm_pageout_resume(e);
		(void)finish(e, &st);
		assert_int_equal(st.vm_waits, 0);
		assert_int_equal(st.alloc_failures, 0);
	}
}

/*
 * 3000 pages into 1024: one event under one object lock, so the daemon
 * can free nothing of it until the allocator sleeps in vm_wait; it is
 * woken when the daemon has freed pages, and no allocation fails.
 */
static void
test_waiters_wake(void **state)
{
	struct vm_engine *e;
	struct eng_stats st;
	uint64_t resident;
	size_t k;

	(void)state;
	for (k = 0; k < NPRESETS; k++) {
		e = mk(presets[k], 1024, true);
		assert_int_equal(ev(e, PR_PAGE_INSERT, 0, 0, 3000, 0), 0);
		resident = finish(e, &st);
		assert_true(st.vm_waits > 0);
		assert_true(st.vm_wait_ns > 0);
		assert_true(st.reclaims >= st.vm_waits);
		assert_int_equal(st.alloc_failures, 0);
		assert_int_equal(st.by_kind[PR_PAGE_INSERT], 1);
		assert_int_equal(st.skipped, 0);
		/* Every page was allocated: resident, or freed by a scan. */
		assert_int_equal(resident + st.scan_freed, 3000);
		assert_true(st.pd_passes > 0);
		assert_true(st.scan_pages >= st.scan_freed);
	}
}

/* The wiring injected into a scan: a lockless grab on another CPU. */
static struct {
	struct vm_engine *e;
	struct vm_page	*m;
	bool		armed;
	unsigned	fired;
} wb;

/*
 * Just before the scan's atomic on the page's busy word (its tryxbusy),
 * CPU 1 wires the page as sendfile's vm_page_grab_pages_unlocked() does
 * (its busy taken and dropped around vm_page_wire_mapped(); only the
 * wiring is left) and records it as an event's wiring.
 */
static void
wb_access(void *ctx, const void *p, enum eng_sim_op op)
{
	(void)ctx;
	(void)op;
	if (!wb.armed || p != &wb.m->busy_lock)
		return;
	wb.armed = false;
	wb.fired++;
	assert_true(vm_page_wire_mapped(eng_cpu(wb.e, 1), wb.m));
	vm_page_ev_wiring_add(wb.m->object, wb.m);
}

static uint64_t
wb_now(void *ctx)
{
	(void)ctx;
	return (0);
}

/*
 * --page refcount: a lockless grab can wire an inactive page between the
 * scan's wiring test and its busy, under any queue design; the scan must
 * test the wiring again once the page is busied and leave a wired page
 * (13/14 vm_pageout_scan_inactive(): "skip_page" on vm_page_wired() after
 * vm_page_tryxbusy()).  Without that test the refcount + batch scan freed
 * the page with the wiring on it (an engine panic, "freeing a referenced
 * page", seen once in report-recipes' batch sweep).
 */
static void
test_scan_wired_while_busied(void **state)
{
	static const struct eng_sim_hook hook = SOLO_HOOK(wb_access, wb_now);
	static const char *const queues[] = { "batch:63", "astate:63" };
	struct vm_engine *e;
	struct eng_stats st;
	size_t q;

	(void)state;
	for (q = 0; q < 2; q++) {
		e = mk_design("refcount", queues[q], NULL, 2, 4096);
		assert_int_equal(ev(e, PR_PAGE_INSERT, 0, 0, 1, 0), 0);
		vm_page_pqbatch_drain(eng_cpu(e, 0));
		memset(&wb, 0, sizeof(wb));
		wb.e = e;
		wb.m = page(e, 0, 0);
		wb.armed = true;
		eng_lock_sim_set(&hook);
		assert_int_equal(ev(e, PR_SCAN, 0, 0, 100, 0), 0);
		eng_lock_sim_set(NULL);
		assert_int_equal(wb.fired, 1);
		assert_ptr_equal(page(e, 0, 0), wb.m);
		assert_int_equal(vm_page_wired_count(e, wb.m), 1);
		eng_stats_collect(e, &st);
		assert_int_equal(st.scan_freed, 0);
		assert_int_equal(ev_on(e, 1, PR_UNWIRE, 0, 0, 1), 0);
		check_clean(e);
		eng_destroy(e);
	}
}

/*
 * An inactive scan (a scan event, no daemon) reactivates the referenced
 * mapped pages, whose PG_A pmap_ts_referenced() clears, and frees the
 * others.
 */
static void
test_referenced_reactivated(void **state)
{
	struct vm_engine *e;
	struct eng_stats st;
	struct vm_page *m;
	uint64_t i;
	size_t k;

	(void)state;
	for (k = 0; k < NPRESETS; k++) {
		e = mk(presets[k], 4096, false);
		/*
		 * pages 0, 10, ..., 90; 0-40 mapped (PG_A) and
		 * PGA_REFERENCED by their faults, one each, their
		 * neighbours not resident (so that no fault's prefault maps
		 * another's page read-only with no PG_A, pmap_enter_quick).
		 */
		for (i = 0; i < 10; i++)
			assert_int_equal(ev(e, PR_PAGE_INSERT, 0, 10 * i, 1,
			    0), 0);
		for (i = 0; i < 5; i++)
			assert_int_equal(ev_at(e, 0, PR_MAP, 0, 10 * i, 1, 0,
			    0x10000000 + 10 * i * 4096), 0);
		vm_page_pqbatch_drain(eng_cpu(e, 0));
		assert_int_equal(ev(e, PR_SCAN, 0, 0, 100, 0), 0);
		vm_page_pqbatch_drain(eng_cpu(e, 0));
		assert_int_equal(e->objects[0].resident_page_count, 5);
		for (i = 0; i < 5; i++) {
			m = vm_phash_lookup(&e->objects[0].pages, 10 * i);
			assert_non_null(m);
			assert_int_equal(vm_page_queue(m), PQ_ACTIVE);
			/* The scan cleared the mapping's referenced bit. */
			assert_int_equal(pmap_ts_referenced(eng_cpu(e, 0), m),
			    0);
		}
		/* A new fault sets PG_A again: one reference. */
		assert_int_equal(ev_at(e, 0, PR_MAP, 0, 0, 1, 0, 0x10000000), 0);
		m = vm_phash_lookup(&e->objects[0].pages, 0);
		assert_int_equal(pmap_ts_referenced(eng_cpu(e, 0), m), 1);
		assert_int_equal(pmap_ts_referenced(eng_cpu(e, 0), m), 0);
		assert_int_equal(finish(e, &st), 5);
		assert_int_equal(st.scan_freed, 5);
		assert_int_equal(st.scan_inactive, 10);
	}
}

/*
 * --page refcount with a page-locked queue design: the active scan takes
 * seed 000's transient reference ("Page queue scans now require a
 * transient reference", D20486), so a page whose last reference is gone
 * (removed from its object, its free not yet done) is left alone: the
 * scan must not age or move a page that vm_page_free_prep() is about to
 * dequeue.  Without the reference the scan lowered its act_count.  A live
 * unwired page beside it is aged as before (act_count 5 -> 4, still
 * active): the scan's own reference is not a wiring.
 */
static void
test_active_scan_skips_unreferenced(void **state)
{
	static const char *const queues[] = { "locked", "batch:63",
	    "colored:16" };
	ENG_SITE_DEFINE;
	struct vm_engine *e;
	struct vm_object *o;
	struct vm_page *m, *live;
	struct eng_cpu *c;
	vm_page_astate_t a;
	uint8_t act;
	size_t k;

	(void)state;
	for (k = 0; k < sizeof(queues) / sizeof(queues[0]); k++) {
		e = mk_spec("refcount", queues[k], 1, 4096);
		c = eng_cpu(e, 0);
		o = &e->objects[0];
		assert_int_equal(ev(e, PR_PAGE_INSERT, 0, 0, 2, 0), 0);
		assert_int_equal(ev(e, PR_ACTIVATE, 0, 0, 2, 0), 0);
		vm_page_pqbatch_drain(c);
		m = vm_phash_lookup(&o->pages, 0);
		live = vm_phash_lookup(&o->pages, 1);
		assert_non_null(m);
		assert_non_null(live);
		assert_int_equal(vm_page_queue(m), PQ_ACTIVE);
		act = VM_PAGE_A_ACT(vm_page_astate_load(live));
		VM_OBJECT_WLOCK(c, o);
		assert_true(vm_page_remove(c, m));	/* no reference left */
		VM_OBJECT_WUNLOCK(c, o);
		a = vm_page_astate_load(m);
		assert_int_equal(ev(e, PR_SCAN, 0, 0, 100, 0), 0);
		vm_page_pqbatch_drain(c);
		assert_int_equal(vm_page_astate_load(m), a);
		assert_int_equal(vm_page_queue(live), PQ_ACTIVE);
		assert_int_equal(VM_PAGE_A_ACT(vm_page_astate_load(live)),
		    act - ACT_DECLINE);
		vm_page_free(c, m);
		check_clean(e);
		eng_destroy(e);
	}
}

/*
 * Wired memory the daemon cannot free: after vm_pageout_oom_seq passes
 * that freed nothing it gives up, and the allocations that find no free
 * page fail, each counted, none dropped silently.
 */
static void
test_oom_counted(void **state)
{
	struct vm_engine *e;
	struct eng_stats st;
	uint64_t resident;

	(void)state;
	e = mk("freebsd14", 1024, true);
	assert_int_equal(ev(e, PR_WIRE, 0, 0, 1100, 0), 0);
	resident = finish(e, &st);
	assert_true(st.pd_ooms >= 1);
	assert_true(st.alloc_failures >= 1100 - 1024);
	assert_int_equal(resident + st.alloc_failures, 1100);
	assert_int_equal(st.scan_freed, 0);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_daemon_wakes_at_threshold),
		cmocka_unit_test(test_waiters_wake),
		cmocka_unit_test(test_referenced_reactivated),
		cmocka_unit_test(test_scan_wired_while_busied),
		cmocka_unit_test(test_oom_counted),
		cmocka_unit_test(test_scan_fb12),
		cmocka_unit_test(test_scan_fb14),
		cmocka_unit_test(test_scan_transient_batch),
		cmocka_unit_test(test_scan_fb10),
		cmocka_unit_test(test_active_scan_skips_unreferenced),
	};

	return (cmocka_run_group_tests(tests, NULL, NULL));
}
