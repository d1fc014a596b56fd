/*
 * test_pageout.c - the page daemon's scan takes the kernel's locks
 * (issue 12 item 6; research conformance.md 2.4 items 9-11).  Read from
 * the footprint's `scan` row: 64 inactive pages of one object, scanned and
 * freed by one single-threaded scan event.
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

#include <cmocka.h>

#include "vm_internal.h"

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

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_scan_fb12),
		cmocka_unit_test(test_scan_fb14),
		cmocka_unit_test(test_scan_transient_batch),
		cmocka_unit_test(test_scan_fb10),
	};

	return (cmocka_run_group_tests(tests, NULL, NULL));
}
