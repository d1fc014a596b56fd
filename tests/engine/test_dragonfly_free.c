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
 *
 * And how the walk goes on a miss, as _vm_page_list_find() and
 * _vm_page_list_find_wide() of DragonFly's sys/vm/vm_page.c at 89986e03
 * (mneumann/DragonFlyBSD, after e3c330f0) do it: vpq.lastq is set once 8
 * sub-queues were looked at, the widened search starts at lastq, and a
 * page whose spinlock is held is passed over (spin_trylock).
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>

#include <cmocka.h>

#include "vm_internal.h"
#include "vmtest.h"

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

/*
 * One CPU, 32 colours, 1024 pages (32 of each colour).  Object 1's pindex
 * p wants colour (c0 + p) % 32, c0 the colour pindex 0 got.
 */
struct walk {
	struct vm_engine *e;
	unsigned	c0;	/* the colour of object 1's pindex 0 */
	uint64_t	k;	/* next round of pindexes */
};

static void
walk_init(struct walk *w)
{
	w->e = mk_design("refcount", "colored:32", "colored", 1, 1024);
	assert_int_equal(ev_on(w->e, 0, PR_PAGE_INSERT, 1, 0, 1), 0);
	w->c0 = vm_page_color_n(page(w->e, 1, 0), 32);
	w->k = 1;
}

/* The j-th colour of c0's aligned set of 16, from c0 on. */
static unsigned
walk_pos(const struct walk *w, unsigned j)
{
	return ((w->c0 & ~15u) | ((w->c0 + j) & 15u));
}

/* The pindex of a new round that wants colour x. */
static uint64_t
walk_pindex(struct walk *w, unsigned x)
{
	return (w->k++ * 32 + (x + 32 - w->c0) % 32);
}

/*
 * Allocate the page for object 1's pindex p; its colour, and through
 * *steps the sub-queues the allocation looked at.
 */
static unsigned
walk_alloc(struct walk *w, uint64_t p, uint64_t *steps)
{
	struct eng_stats st0, st1;

	eng_stats_collect(w->e, &st0);
	assert_int_equal(ev_on(w->e, 0, PR_PAGE_INSERT, 1, p, 1), 0);
	eng_stats_collect(w->e, &st1);
	if (steps != NULL)
		*steps = st1.free_find_steps - st0.free_find_steps;
	return (vm_page_color_n(page(w->e, 1, p), 32));
}

/*
 * Allocate every free page of colour x, each from its own sub-queue; the
 * pindex of the first in *first unless NULL.
 */
static void
walk_drain(struct walk *w, unsigned x, uint64_t *first)
{
	uint64_t a, n = 0, p;

	for (a = 0; a < w->e->vm_page_array_size; a++)
		n += atomic_load_explicit(&w->e->vm_page_array[a].pstate,
		    memory_order_relaxed) == PS_FREE &&
		    vm_page_color_n(&w->e->vm_page_array[a], 32) == x;
	for (; n > 0; n--) {
		p = walk_pindex(w, x);
		if (first != NULL && *first == UINT64_MAX)
			*first = p;
		assert_int_equal(walk_alloc(w, p, NULL), x);
	}
}

/*
 * _vm_page_list_find_wide(): lastq is set when the page comes from the
 * ninth or a later sub-queue looked at (count >= 8), even inside the
 * first aligned set of 16, and not from the eighth; the next miss of the
 * colour then starts at lastq and finds the page there at once.
 */
static void
test_free_lastq_wander(void **state)
{
	struct walk w;
	struct eng_stats st;
	uint64_t steps;
	unsigned j;

	(void)state;
	walk_init(&w);
	for (j = 0; j < 7; j++)
		walk_drain(&w, walk_pos(&w, j), NULL);
	/* The wanted sub-queue, then 0-7 of the search: count 7. */
	assert_int_equal(walk_alloc(&w, walk_pindex(&w, w.c0), &steps),
	    walk_pos(&w, 7));
	assert_int_equal(steps, 1 + 8);
	eng_stats_collect(w.e, &st);
	assert_int_equal(st.free_far_afield, 0);
	walk_drain(&w, walk_pos(&w, 7), NULL);
	/* Count 8: lastq set. */
	assert_int_equal(walk_alloc(&w, walk_pindex(&w, w.c0), &steps),
	    walk_pos(&w, 8));
	assert_int_equal(steps, 1 + 9);
	eng_stats_collect(w.e, &st);
	assert_int_equal(st.free_far_afield, 1);
	assert_int_equal(st.free_lastq_hits, 0);
	/* From lastq: its own sub-queue first. */
	assert_int_equal(walk_alloc(&w, walk_pindex(&w, w.c0), &steps),
	    walk_pos(&w, 8));
	assert_int_equal(steps, 1 + 1);
	eng_stats_collect(w.e, &st);
	assert_int_equal(st.free_far_afield, 1);
	assert_int_equal(st.free_lastq_hits, 1);
	check_clean(w.e);
	eng_destroy(w.e);
}

/*
 * _vm_page_list_find_wide() starts at lastq itself: with lastq's
 * sub-queue emptied and a page freed back to one of the colours between
 * the wanted one and lastq, the search from lastq finds the sub-queue
 * after lastq's, not the nearer refilled one a search from the wanted
 * colour would find, and leaves lastq as it is (count 1).
 */
static void
test_free_lastq_start(void **state)
{
	struct walk w;
	struct eng_stats st;
	uint64_t steps, back = UINT64_MAX;
	unsigned j;

	(void)state;
	walk_init(&w);
	for (j = 0; j < 8; j++)
		walk_drain(&w, walk_pos(&w, j), j == 3 ? &back : NULL);
	assert_int_equal(walk_alloc(&w, walk_pindex(&w, w.c0), NULL),
	    walk_pos(&w, 8));
	walk_drain(&w, walk_pos(&w, 8), NULL);
	assert_int_equal(ev_on(w.e, 0, PR_PAGE_REMOVE, 1, back, 1), 0);
	assert_null(page(w.e, 1, back));
	assert_int_equal(walk_alloc(&w, walk_pindex(&w, w.c0), &steps),
	    walk_pos(&w, 9));
	assert_int_equal(steps, 1 + 2);
	eng_stats_collect(w.e, &st);
	assert_int_equal(st.free_far_afield, 1);
	assert_int_equal(st.free_lastq_hits, 0);
	check_clean(w.e);
	eng_destroy(w.e);
}

/*
 * _vm_page_list_find(): the sub-queue is spinlocked and each page's
 * spinlock only tried: a free page whose lock another CPU holds is passed
 * over and the next page of the same sub-queue taken, the held one left
 * at the head for the next allocation.  Two CPUs: CPU 0 wants colour
 * (pindex + object->pg_color) % 16.  (The model before this took the first
 * page and then blocked on its lock: the suite's timeout fails that.)
 */
static void
test_free_trylock_skip(void **state)
{
	ENG_SITE_DEFINE;
	struct walk w;
	struct eng_cpu *c, *c1;
	struct eng_mtx *held;
	struct vm_page *m0, *m1;
	uint64_t steps;

	(void)state;
	w.e = mk_design("refcount", "colored:32", "colored", 2, 1024);
	assert_int_equal(ev_on(w.e, 0, PR_PAGE_INSERT, 1, 0, 1), 0);
	m0 = page(w.e, 1, 0);
	w.c0 = vm_page_color_n(m0, 32);
	c = eng_cpu(w.e, 0);
	c1 = eng_cpu(w.e, 1);
	assert_int_equal(ev_on(w.e, 0, PR_PAGE_REMOVE, 1, 0, 1), 0);
	assert_int_equal(atomic_load_explicit(&m0->pstate,
	    memory_order_relaxed), PS_FREE);
	held = vm_page_lockptr(c1, m0);
	eng_mtx_lock(&c1->lk, held, ENG_HERE);
	assert_int_equal(walk_alloc(&w, 0, &steps), w.c0);
	m1 = page(w.e, 1, 0);
	eng_mtx_unlock(&c1->lk, held);
	assert_ptr_not_equal(m1, m0);
	assert_ptr_not_equal(vm_page_lockptr(c, m1), held);
	assert_int_equal(steps, 1);
	assert_int_equal(atomic_load_explicit(&m0->pstate,
	    memory_order_relaxed), PS_FREE);
	assert_int_equal(walk_alloc(&w, 32, &steps), w.c0);
	assert_ptr_equal(page(w.e, 1, 32), m0);
	assert_int_equal(steps, 1);
	check_clean(w.e);
	eng_destroy(w.e);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_free_cpu_share),
		cmocka_unit_test(test_free_lastq_wander),
		cmocka_unit_test(test_free_lastq_start),
		cmocka_unit_test(test_free_trylock_skip),
	};

	return (cmocka_run_group_tests(tests, NULL, NULL));
}
