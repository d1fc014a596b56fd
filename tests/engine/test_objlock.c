/*
 * test_objlock.c - the object lock mode of page_lookup and release per page
 * design (issue 12 items 5 and 8; research conformance-notes.md 2.5 items
 * 12 and 13).
 * FreeBSD <= 12 (--page pagelock) vm_page_grab() asserts the object write
 * lock, so a lookup must wait for a reader of the object; 13+ (--page
 * refcount) finds a resident page with no object lock at all
 * (vm_page_grab_pages_unlocked(), engine/vm_smr.c), so it runs beside a
 * writer too; DragonFly (--page dfly) takes the shared token and waits for
 * a writer.  A release of a wired page (13+'s vm_page_release(m, 0))
 * takes no object lock under refcount, nor does 12's buffer cache
 * (vfs_vmio_truncate() of a buffer that is not B_DIRECT, r331325) for a
 * release or an unwire; 10.4's write-locks for both.  A wire of a
 * resident page takes none under refcount (13+'s vfs_vmio_extend() ->
 * vm_page_grab_pages_unlocked()), the write lock under pagelock.
 *
 * Deterministic: CPU 1 read- or write-locks the object, a thread runs the
 * lookup on CPU 0, and the test waits until either the lookup finished or
 * the lock word shows a writer waiting for the reader (a reader parked
 * behind the writer); no timing is involved.
 */
#include <pthread.h>
#include <sched.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "vm_internal.h"

struct lookup_arg {
	struct vm_engine	*e;
	uint8_t			kind;
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

	apply(a->e, a->kind);
	atomic_store(&a->done, true);
	return (NULL);
}

/*
 * True if event kind (page_lookup or wire of a resident page, release or
 * unwire of a wired one) waited for CPU 1's read lock of the object (writer false:
 * the event write-locks) or write lock (writer true: the event locks the
 * object at all), else false.
 */
static bool
event_waits_q(const char *page, const char *queue, uint8_t kind, bool writer)
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
	    sizeof(err)) != 0 || (queue != NULL && eng_design_parse(&p.design,
	    ENG_FAM_QUEUE, queue, err, sizeof(err)) != 0)) {
		fprintf(stderr, "%s %s: %s\n", page, queue ? queue : "", err);
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
	if (apply(e, PR_PAGE_INSERT) != 0 ||
	    ((kind == PR_RELEASE || kind == PR_UNWIRE) &&
	    apply(e, PR_WIRE) != 0)) {
		fprintf(stderr, "%s: page_insert or wire skipped\n", page);
		exit(1);
	}
	obj = &e->objects[0];
	c1 = eng_cpu(e, 1);
	if (writer)
		VM_OBJECT_WLOCK(c1, obj);
	else
		VM_OBJECT_RLOCK(c1, obj);
	a.e = e;
	a.kind = kind;
	atomic_init(&a.done, false);
	if (pthread_create(&t, NULL, lookup_thread, &a) != 0)
		exit(1);
	for (;;) {
		w = atomic_load(&obj->lock.rw_lock);
		if ((w & (writer ? ENG_RW_READ_WAITERS | ENG_RW_WRITE_WAITERS :
		    ENG_RW_WRITE_WAITERS | ENG_RW_WRITE_SPINNER)) != 0) {
			waited = true;
			break;
		}
		if (atomic_load(&a.done)) {
			waited = false;
			break;
		}
		sched_yield();
	}
	if (writer)
		VM_OBJECT_WUNLOCK(c1, obj);
	else
		VM_OBJECT_RUNLOCK(c1, obj);
	pthread_join(t, NULL);
	eng_destroy(e);
	return (waited);
}

/* event_waits_q() under the page design's default queue design. */
static bool
event_waits(const char *page, uint8_t kind, bool writer)
{
	return (event_waits_q(page, NULL, kind, writer));
}

int
main(void)
{
	int fail = 0;

	if (!event_waits("pagelock", PR_PAGE_LOOKUP, false)) {
		fprintf(stderr, "FAIL: pagelock page_lookup ran beside a "
		    "reader: FreeBSD 12 vm_page_grab needs the write lock\n");
		fail = 1;
	}
	if (event_waits("refcount", PR_PAGE_LOOKUP, false) ||
	    event_waits("refcount", PR_PAGE_LOOKUP, true)) {
		fprintf(stderr, "FAIL: refcount page_lookup of a resident "
		    "page waited for the object lock: 13+ looks it up "
		    "without it\n");
		fail = 1;
	}
	if (event_waits("dfly", PR_PAGE_LOOKUP, false) ||
	    !event_waits("dfly", PR_PAGE_LOOKUP, true)) {
		fprintf(stderr, "FAIL: dfly page_lookup is not under the "
		    "shared token\n");
		fail = 1;
	}
	if (!event_waits_q("pagelock", "locked", PR_RELEASE, true)) {
		fprintf(stderr, "FAIL: FreeBSD 10's release ran beside a "
		    "writer: 10.4's vfs_vmio_release() write-locks\n");
		fail = 1;
	}
	if (event_waits_q("pagelock", "batch:31", PR_RELEASE, true) ||
	    event_waits_q("pagelock", "batch:31", PR_UNWIRE, true)) {
		fprintf(stderr, "FAIL: pagelock release or unwire (not "
		    "FreeBSD 10) waited for the object lock: 12's "
		    "vfs_vmio_truncate() takes none for a buffer that is not "
		    "B_DIRECT\n");
		fail = 1;
	}
	if (!event_waits("pagelock", PR_WIRE, false)) {
		fprintf(stderr, "FAIL: pagelock wire ran beside a reader: "
		    "12's vfs_vmio_extend() grabs under the write lock\n");
		fail = 1;
	}
	if (event_waits("refcount", PR_WIRE, true)) {
		fprintf(stderr, "FAIL: refcount wire of a resident page "
		    "waited for the object lock: 13+'s "
		    "vm_page_grab_pages_unlocked() takes none\n");
		fail = 1;
	}
	if (event_waits("refcount", PR_RELEASE, true)) {
		fprintf(stderr, "FAIL: refcount release waited for the object "
		    "lock: 13+'s vm_page_release(m, 0) takes none\n");
		fail = 1;
	}
	if (!event_waits_q("pagelock", "locked", PR_UNWIRE, false)) {
		fprintf(stderr, "FAIL: FreeBSD 10's unwire ran beside a "
		    "reader: 10.4's allocbuf() unwires under the write "
		    "lock\n");
		fail = 1;
	}
	if (!fail)
		printf("ok: page_lookup write-locks under pagelock, takes no "
		    "object lock under refcount, the shared token under "
		    "dfly; release and unwire lock under FreeBSD 10 only "
		    "(12: the page lock); wire write-locks under pagelock, "
		    "not under refcount\n");
	return (fail);
}
