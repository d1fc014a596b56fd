/*
 * test_presets.c - the era presets (issue 12 item 5): each preset sets
 * every family as docs/presets.md says its release shipped, later family
 * options override it, the design values the presets need parse and
 * format, and the two behaviours they add are the kernel's: the queue-lock
 * rate of D37305's half-full trylock (astate:63:trylock, one flush per 33
 * submissions) against astate:63 and 12.x's trylock-when-full
 * (batch:31:trylock-full, one per 32), and the free path following
 * --free, not --queue.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "engine.h"
#include "evgen.h"
#include "solo_hook.h"

/* docs/presets.md's table, by family (page, queue, pv, pvchunk, free). */
static const struct {
	const char *name;
	const char *spec[ENG_FAM_COUNT];
} want[] = {
	{ "freebsd10", { "pagelock:256", "locked", "hashed:256", "global",
	    "global" } },
	{ "freebsd12", { "pagelock:256", "batch:31:trylock-full",
	    "hashed:256", "global", "pgcache" } },
	{ "freebsd13", { "refcount", "astate:31", "superpage", "domain:1",
	    "pgcache" } },
	{ "freebsd14", { "refcount", "astate:63:trylock", "superpage",
	    "domain:1", "pgcache" } },
	{ "dragonfly56", { "dfly", "colored:1024", "dfly", "domain:1",
	    "colored" } },
	{ "d24217", { "refcount", "astate:63:trylock", "perpage", "pmaps",
	    "pgcache" } },
};
#define NWANT	(sizeof(want) / sizeof(want[0]))

static void
test_preset_families(void **state)
{
	const struct eng_preset_info *pi;
	struct eng_design d;
	char err[256], buf[64];
	size_t i;
	int fam;

	(void)state;
	for (i = 0; i < NWANT; i++) {
		assert_int_equal(eng_preset_apply(&d, want[i].name, err,
		    sizeof(err)), 0);
		for (fam = 0; fam < ENG_FAM_COUNT; fam++)
			assert_string_equal(eng_design_format(&d,
			    (enum eng_family)fam, buf, sizeof(buf)),
			    want[i].spec[fam]);
		pi = eng_preset_info(i);
		assert_non_null(pi);
		assert_string_equal(pi->name, want[i].name);
		for (fam = 0; fam < ENG_FAM_COUNT; fam++)
			assert_true(strlen(pi->follows[fam]) > 0);
	}
	assert_null(eng_preset_info(NWANT));
	err[0] = '\0';
	assert_int_equal(eng_preset_apply(&d, "freebsd11", err, sizeof(err)),
	    -1);
	assert_non_null(strstr(err, "freebsd14"));
}

/* A family option after the preset changes that family only. */
static void
test_preset_override(void **state)
{
	struct eng_design d, p;
	char err[256];

	(void)state;
	assert_int_equal(eng_preset_apply(&p, "freebsd12", err, sizeof(err)),
	    0);
	d = p;
	assert_int_equal(eng_design_parse(&d, ENG_FAM_QUEUE, "astate:8", err,
	    sizeof(err)), 0);
	assert_int_equal(d.queue, ENG_QUEUE_ASTATE);
	assert_int_equal(d.batch, 8);
	assert_int_equal(d.trylock, ENG_TRYLOCK_NONE);
	assert_int_equal(d.page, p.page);
	assert_int_equal(d.pv, p.pv);
	assert_int_equal(d.pvchunk, p.pvchunk);
	assert_int_equal(d.free, p.free);
	/* A preset after a family option replaces it. */
	assert_int_equal(eng_preset_apply(&d, "freebsd12", err, sizeof(err)),
	    0);
	assert_memory_equal(&d, &p, sizeof(d));
}

/*
 * The defaults keep today's design, pgcache included (the new values
 * themselves are parsed in test_vm.c's test_design_parse).
 */
static void
test_defaults_unchanged(void **state)
{
	struct eng_design d;

	(void)state;
	eng_design_default(&d);
	assert_int_equal(d.queue, ENG_QUEUE_ASTATE);
	assert_int_equal(d.trylock, ENG_TRYLOCK_NONE);
	assert_int_equal(d.free, ENG_FREE_PGCACHE);
	assert_int_equal(d.pvchunk, ENG_PVCHUNK_GLOBAL);
}

/* Amortized acquisitions of class lc by event under the design. */
static double
amortized(const char *queue, const char *free_spec, const char *event,
    unsigned lc)
{
	struct eng_fp_row *rows;
	struct eng_design d;
	char err[256];
	double v = -1;
	unsigned i;

	eng_design_default(&d);
	assert_int_equal(eng_design_parse(&d, ENG_FAM_QUEUE, queue, err,
	    sizeof(err)), 0);
	assert_int_equal(eng_design_parse(&d, ENG_FAM_FREE, free_spec, err,
	    sizeof(err)), 0);
	rows = calloc(ENG_FP_NVARIANTS, sizeof(*rows));
	assert_non_null(rows);
	assert_int_equal(eng_footprint(&d, rows, NULL, err, sizeof(err)), 0);
	for (i = 0; i < ENG_FP_NVARIANTS; i++)
		if (strcmp(rows[i].event, event) == 0)
			v = (double)rows[i].total.acq[lc] / rows[i].reps;
	free(rows);
	assert_true(v >= 0);
	return (v);
}

/*
 * One requeue per event: astate:63 flushes every 64th submission,
 * D37305 every 33rd (the lock is tried once 32 of 63 slots are taken, so
 * at the 33rd entry), 12.x's full-batch trylock every 32nd for batch:31,
 * the same as a plain lock uncontended.
 */
static void
test_trylock_rates(void **state)
{
	(void)state;
	assert_float_equal(amortized("astate:63", "pgcache", "requeue",
	    LC_PAGEQUEUE), 1.0 / 64, 0.002);
	assert_float_equal(amortized("astate:63:trylock", "pgcache",
	    "requeue", LC_PAGEQUEUE), 1.0 / 33, 0.001);
	assert_float_equal(amortized("batch:31:trylock-full", "pgcache",
	    "requeue", LC_PAGEQUEUE), 1.0 / 32, 0.001);
	assert_float_equal(amortized("batch:31", "pgcache", "requeue",
	    LC_PAGEQUEUE), 1.0 / 32, 0.001);
}

/* The free path follows --free whatever the queue design. */
static void
test_free_axis(void **state)
{
	(void)state;
	assert_float_equal(amortized("locked", "global", "page_insert",
	    LC_FREEQUEUE), 1.0, 0.001);
	assert_true(amortized("locked", "pgcache", "page_insert",
	    LC_FREEQUEUE) < 0.1);
	assert_float_equal(amortized("astate:63", "global", "page_insert",
	    LC_FREEQUEUE), 1.0, 0.001);
	assert_true(amortized("astate:63", "pgcache", "page_insert",
	    LC_FREEQUEUE) < 0.1);
}

/* A solo_hook.h hook that counts the RMWs reported to it. */
static uint64_t rmw_reported, rmw_now;

static void
count_access(void *ctx, const void *p, enum eng_sim_op op)
{
	(void)ctx;
	(void)p;
	rmw_reported += op == ENG_SIM_RMW;
}

static uint64_t
count_now(void *ctx)
{
	(void)ctx;
	return (rmw_now);
}

/*
 * Every atomic the engine counts (the `atomics` of a report) is reported
 * to the simulator before it is executed, so that `simulate` charges each
 * one its cache line's cost: 20 000 random events of every kind on one
 * CPU under each preset, reported RMWs against counted atomics.  Fails
 * if a design counts an atomic it does not report (DragonFly's pmap
 * counters did, so simulate left them out).
 */
static void
test_atomics_reported(void **state)
{
	static const struct eng_sim_hook hook =
	    SOLO_HOOK(count_access, count_now);
	struct eng_params p;
	struct eng_stats st;
	struct vm_engine *e;
	struct pr_event ev;
	char err[256];
	uint64_t counted;
	size_t i, k;
	unsigned lc;

	(void)state;
	for (i = 0; i < NWANT; i++) {
		struct evgen g = {
			.state = 7 + i, .nobjects = 24, .npmaps = 4,
			.pindex_span = 1500, .scan = true, .pmap = true,
		};

		memset(&p, 0, sizeof(p));
		assert_int_equal(eng_preset_apply(&p.design, want[i].name,
		    err, sizeof(err)), 0);
		p.nslots = 1;
		p.nobjects = 24;
		p.npmaps = 4;
		p.phys_pages = 2048;
		e = eng_create(&p, err, sizeof(err));
		assert_non_null(e);
		rmw_reported = 0;
		eng_lock_sim_set(&hook);
		for (k = 0; k < 20000; k++) {
			evgen_next(&g, &ev);
			ev.time_ns = rmw_now = k * 1000;
			(void)eng_apply(eng_cpu(e, 0), &ev);
		}
		eng_lock_sim_set(NULL);
		eng_stats_collect(e, &st);
		for (counted = 0, lc = 0; lc < LC_COUNT; lc++)
			counted += st.lock[lc].atomics;
		if (counted != rmw_reported)
			fail_msg("%s: %ju atomics counted, %ju reported",
			    want[i].name, (uintmax_t)counted,
			    (uintmax_t)rmw_reported);
		assert_true(counted > 20000);
		eng_destroy(e);
	}
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_preset_families),
		cmocka_unit_test(test_preset_override),
		cmocka_unit_test(test_defaults_unchanged),
		cmocka_unit_test(test_trylock_rates),
		cmocka_unit_test(test_free_axis),
		cmocka_unit_test(test_atomics_reported),
	};

	return (cmocka_run_group_tests(tests, NULL, NULL));
}
