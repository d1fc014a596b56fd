/*
 * test_objlock.c - the object lock mode of page_lookup per page design
 * (issue 12 items 5 and 8; research conformance-notes.md 2.5 item 12).
 * FreeBSD <= 12 (--page pagelock) vm_page_grab() asserts the object write
 * lock, so a lookup must wait for a reader of the object; 13+ (--page
 * refcount) looks up under the read lock and runs beside one.
 *
 * Deterministic: CPU 1 read-locks the object, a thread runs the lookup on
 * CPU 0, and the test waits until either the lookup finished or the lock
 * word shows a writer waiting for the reader; no timing is involved.
 */
#include <pthread.h>
#include <sched.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "vm_internal.h"

struct lookup_arg {
	struct vm_engine	*e;
	_Atomic bool		done;
};

static int
apply(struct vm_engine *e, uint8_t kind)
{
	struct pr_event x;

	memset(&x, 0, sizeof(x));
	x.kind = kind;
	x.npages = 1;
	return (eng_apply(eng_cpu(e, 0), &x));
}

static void *
lookup_thread(void *p)
{
	struct lookup_arg *a = p;

	apply(a->e, PR_PAGE_LOOKUP);
	atomic_store(&a->done, true);
	return (NULL);
}

/* True if page_lookup waited for the reader (a write lock), else false. */
static bool
lookup_waits_for_reader(const char *page)
{
	ENG_SITE_DEFINE;
	struct eng_params p;
	struct lookup_arg a;
	struct vm_engine *e;
	struct eng_cpu *c1;
	struct vm_object *obj;
	pthread_t t;
	char err[128];
	uint32_t w;
	bool waited;

	memset(&p, 0, sizeof(p));
	eng_design_default(&p.design);
	if (eng_design_parse(&p.design, ENG_FAM_PAGE, page, err,
	    sizeof(err)) != 0) {
		fprintf(stderr, "%s: %s\n", page, err);
		exit(1);
	}
	p.nslots = 2;
	p.nobjects = 1;
	p.npmaps = 1;
	p.phys_pages = 1024;
	if ((e = eng_create(&p, err, sizeof(err))) == NULL) {
		fprintf(stderr, "eng_create: %s\n", err);
		exit(1);
	}
	if (apply(e, PR_PAGE_INSERT) != 0) {
		fprintf(stderr, "%s: page_insert skipped\n", page);
		exit(1);
	}
	obj = &e->objects[0];
	c1 = eng_cpu(e, 1);
	VM_OBJECT_RLOCK(c1, obj);
	a.e = e;
	atomic_init(&a.done, false);
	if (pthread_create(&t, NULL, lookup_thread, &a) != 0)
		exit(1);
	for (;;) {
		w = atomic_load(&obj->lock.rw_lock);
		if ((w & (ENG_RW_WRITE_WAITERS | ENG_RW_WRITE_SPINNER)) != 0) {
			waited = true;
			break;
		}
		if (atomic_load(&a.done)) {
			waited = false;
			break;
		}
		sched_yield();
	}
	VM_OBJECT_RUNLOCK(c1, obj);
	pthread_join(t, NULL);
	eng_destroy(e);
	return (waited);
}

int
main(void)
{
	int fail = 0;

	if (!lookup_waits_for_reader("pagelock")) {
		fprintf(stderr, "FAIL: pagelock page_lookup ran beside a "
		    "reader: FreeBSD 12 vm_page_grab needs the write lock\n");
		fail = 1;
	}
	if (lookup_waits_for_reader("refcount")) {
		fprintf(stderr, "FAIL: refcount page_lookup of a resident "
		    "page waited for a reader\n");
		fail = 1;
	}
	if (!fail)
		printf("ok: page_lookup write-locks under pagelock, "
		    "read-locks under refcount\n");
	return (fail);
}
