/*
 * test_dragonfly_free.c - --free colored (engine/vm_phys_dfly.c, issue 13):
 * whose colours an allocation draws from.  Every allocation the trace
 * drives (page_insert, page_lookup's grab, map's fault, wire, sendfile) is
 * vm_page_alloc() without VM_ALLOC_CPU(n), so vm_get_pg_color() is given
 * the allocating CPU (mycpu->gd_cpuid): with no topology, that CPU's share
 * of PQ_L2_SIZE / ncpus colours.  bio_page_alloc()'s rotated CPU
 * (VM_ALLOC_CPU((gd_cpuid + ticks) % ncpus), after e3c330f0) spreads
 * buffer-cache pages over every CPU's share instead; no event kind is a
 * buffer-cache allocation (docs/design-dragonfly.md, "Free sub-queues"),
 * so the model never rotates, and this test fails if an event's
 * allocation leaves its CPU's share while the share has pages.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdio.h>
#include <string.h>

#include <cmocka.h>

#include "vm_internal.h"
#include "vmtest.h"

/* One event of kind on worker CPU slot; eng_apply()'s result. */
static int
ev_on(struct vm_engine *e, unsigned slot, uint8_t kind, uint64_t obj,
    uint64_t pindex, uint32_t n)
{
	struct pr_event x;

	memset(&x, 0, sizeof(x));
	x.kind = kind;
	x.obj = obj;
	x.pindex = pindex;
	x.npages = n;
	x.addr = pindex << 12;
	return (eng_apply(eng_cpu(e, slot), &x));
}

/*
 * Two CPUs, 64 colours: CPU 0 allocates from colours 0-31, CPU 1 from
 * 32-63, consecutive pindexes of an object on consecutive colours of the
 * share (pindex + object->pg_color modulo 32), each in its colour's own
 * sub-queue (no far-afield walk), for page_insert, page_lookup's grab and
 * wire alike.
 */
static void
test_free_cpu_share(void **state)
{
	static const uint8_t kinds[] = { PR_PAGE_INSERT, PR_PAGE_LOOKUP,
	    PR_WIRE };
	struct vm_engine *e = mk_design("refcount", "colored:64", "colored",
	    2, 4096);
	struct eng_stats st;
	unsigned slot, c, c0, k, i;
	uint64_t obj;

	(void)state;
	for (i = 0; i < sizeof(kinds) / sizeof(kinds[0]); i++) {
		for (slot = 0; slot < 2; slot++) {
			obj = 1 + 2 * i + slot;
			assert_int_equal(ev_on(e, slot, kinds[i], obj, 0, 32),
			    0);
			c0 = vm_page_color_n(page(e, obj, 0), 64);
			for (k = 0; k < 32; k++) {
				c = vm_page_color_n(page(e, obj, k), 64);
				assert_int_equal(c / 32, slot);
				assert_int_equal(c, slot * 32 +
				    (c0 - slot * 32 + k) % 32);
			}
		}
	}
	eng_stats_collect(e, &st);
	assert_int_equal(st.free_find_steps, 6 * 32);
	assert_int_equal(st.free_far_afield, 0);
	check_clean(e);
	eng_destroy(e);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_free_cpu_share),
	};

	return (cmocka_run_group_tests(tests, NULL, NULL));
}
