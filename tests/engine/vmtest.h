/*
 * vmtest.h - what the cmocka tests of the VM model share (test_vm.c,
 * test_dragonfly.c, test_dragonfly_free.c, test_pageout.c): an engine of
 * given designs, one event on a CPU, a
 * page by (object, pindex), a lock class's acquisitions, every class's
 * counts, the invariant check.  Include after <cmocka.h> and "vm_internal.h".
 */
#ifndef ENG_TEST_VMTEST_H
#define ENG_TEST_VMTEST_H

#include <stdio.h>
#include <string.h>

/*
 * An engine of the given page, queue and free designs (NULL: the
 * default), nslots CPUs, 8 objects, 2 pmaps and phys pages.
 */
static inline struct vm_engine *
mk_design(const char *pg, const char *q, const char *fr, unsigned nslots,
    uint64_t phys)
{
	struct eng_params p = { 0 };
	struct vm_engine *e;
	char err[128];

	eng_design_default(&p.design);
	if (pg != NULL)
		assert_int_equal(eng_design_parse(&p.design, ENG_FAM_PAGE, pg,
		    err, sizeof(err)), 0);
	if (q != NULL)
		assert_int_equal(eng_design_parse(&p.design, ENG_FAM_QUEUE, q,
		    err, sizeof(err)), 0);
	if (fr != NULL)
		assert_int_equal(eng_design_parse(&p.design, ENG_FAM_FREE, fr,
		    err, sizeof(err)), 0);
	p.nslots = nslots;
	p.nobjects = 8;
	p.npmaps = 2;
	p.phys_pages = phys;
	e = eng_create(&p, err, sizeof(err));
	assert_non_null(e);
	return (e);
}

static inline struct vm_engine *
mk_spec(const char *pg, const char *q, unsigned nslots, uint64_t phys)
{
	return (mk_design(pg, q, NULL, nslots, phys));
}

/*
 * One event on CPU slot: n pages of obj from pindex, at address addr (a
 * PR_SCAN's page count, n, goes in arg); eng_apply()'s result.
 */
static inline int
ev_at(struct vm_engine *e, unsigned slot, uint8_t kind, uint64_t obj,
    uint64_t pindex, uint32_t n, uint8_t flags, uint64_t addr)
{
	struct pr_event x;

	memset(&x, 0, sizeof(x));
	x.kind = kind;
	x.obj = obj;
	x.pindex = pindex;
	x.npages = n;
	x.flags = flags;
	x.addr = addr;
	x.arg = n;
	return (eng_apply(eng_cpu(e, slot), &x));
}

/* ev_at on CPU 0, at the first page's own address. */
static inline int
ev(struct vm_engine *e, uint8_t kind, uint64_t obj, uint64_t pindex,
    uint32_t n, uint8_t flags)
{
	return (ev_at(e, 0, kind, obj, pindex, n, flags, pindex << 12));
}

/* ev_at on CPU slot, no flags, at the first page's own address. */
static inline int
ev_on(struct vm_engine *e, unsigned slot, uint8_t kind, uint64_t obj,
    uint64_t pindex, uint32_t n)
{
	return (ev_at(e, slot, kind, obj, pindex, n, 0, pindex << 12));
}

static inline struct vm_page *
page(struct vm_engine *e, uint64_t obj, uint64_t pindex)
{
	return (vm_phash_lookup(&e->objects[obj].pages, pindex));
}

static inline uint64_t
acq(struct vm_engine *e, unsigned lc)
{
	struct eng_stats st;

	eng_stats_collect(e, &st);
	return (st.lock[lc].acquisitions);
}

/* Atomics of lock class lc counted so far (the reports' `atomics`). */
static inline uint64_t
atomics(struct vm_engine *e, unsigned lc)
{
	struct eng_stats st;

	eng_stats_collect(e, &st);
	return (st.lock[lc].atomics);
}

/* Every lock class's acquisitions and atomics at one moment. */
struct lock_counts {
	uint64_t	acq[LC_COUNT];
	uint64_t	atomics[LC_COUNT];
};

static inline void
lock_counts_take(struct vm_engine *e, struct lock_counts *lc)
{
	struct eng_stats st;
	unsigned i;

	eng_stats_collect(e, &st);
	for (i = 0; i < LC_COUNT; i++) {
		lc->acq[i] = st.lock[i].acquisitions;
		lc->atomics[i] = st.lock[i].atomics;
	}
}

/* No lock class was acquired, nor any atomic counted, since then. */
static inline void
assert_no_lock_work(struct vm_engine *e, const struct lock_counts *then)
{
	struct lock_counts now;
	unsigned i;

	lock_counts_take(e, &now);
	for (i = 0; i < LC_COUNT; i++) {
		assert_int_equal(now.acq[i], then->acq[i]);
		assert_int_equal(now.atomics[i], then->atomics[i]);
	}
}

static inline void
check_clean(struct vm_engine *e)
{
	eng_quiesce(e);
	assert_int_equal(eng_check(e, stderr), 0);
}

#endif /* ENG_TEST_VMTEST_H */
