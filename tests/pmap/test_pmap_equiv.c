/*
 * test_pmap_equiv.c - design equivalence: one thread, the same stream of
 * operations, the same mappings and pv lists under every --pv x --pvchunk
 * design and both --page designs (digest after every 1000 operations).
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>

#include <cmocka.h>

#include "pmap_ops.h"

#define EQ_OPS		12000
#define EQ_EVERY	1000
#define EQ_NPAGES	4096
#define EQ_NPMAPS	6

static void
run_design(const struct eng_design *d, uint64_t *digests, uint64_t *counts)
{
	const struct ops_space sp = { EQ_NPMAPS, EQ_NPAGES, true, true };
	struct pmap_counters cnt;
	struct ops_rng r = { 0x9e3779b97f4a7c15ul };
	struct vm_engine *e;
	int i;

	e = fake_create(d, EQ_NPAGES, EQ_NPMAPS, 1);
	for (i = 0; i < EQ_OPS; i++) {
		ops_step(e->cpus[0], &r, &sp);
		if ((i + 1) % EQ_EVERY == 0) {
			digests[i / EQ_EVERY] = ops_digest(e);
			assert_int_equal(pmap_check(e->md, stderr), 0);
		}
	}
	pmap_md_counters(e->md, &cnt);
	assert_int_equal(cnt.reclaims, 0);	/* reclamation would differ */
	counts[0] = cnt.promotions;
	counts[1] = cnt.demotions;
	counts[2] = cnt.hold_fallbacks;
	fake_destroy(e);
}

static void
test_equivalence(void **state)
{
	uint64_t ref[EQ_OPS / EQ_EVERY], got[EQ_OPS / EQ_EVERY];
	uint64_t refc[3], gotc[3];
	struct eng_design d;
	const char *name;
	unsigned k;
	int i;

	(void)state;
	fake_design(0, &d, &name);
	run_design(&d, ref, refc);
	assert_true(refc[0] > 0 && refc[1] > 0);	/* the stream covers them */
	for (k = 0; k < 2 * FAKE_NDESIGNS; k++) {
		fake_design(k % FAKE_NDESIGNS, &d, &name);
		if (k >= FAKE_NDESIGNS)
			d.page = ENG_PAGE_PAGELOCK;
		run_design(&d, got, gotc);
		for (i = 0; i < EQ_OPS / EQ_EVERY; i++) {
			if (got[i] != ref[i])
				fail_msg("%s: state differs after %d ops",
				    name, (i + 1) * EQ_EVERY);
		}
		assert_memory_equal(gotc, refc, sizeof(refc));
	}
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_equivalence),
	};

	return (cmocka_run_group_tests(tests, NULL, NULL));
}
