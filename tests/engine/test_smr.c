/*
 * test_smr.c - the page index read without the object lock (--page
 * refcount; engine/vm_smr.c, vm_phash_lookup_unlocked() in vm_object.c).
 *
 * One writer CPU churns an object's page index under the object lock:
 * inserts and removes keys around a set of keys that stay, so that
 * removals move stable entries back (backward shift), tables grow and
 * shrink (each replaced table goes to vm_smr_retire()), and the index
 * empties and is freed when the churn keys go.  Reader CPUs look the
 * stable keys up in SMR sections meanwhile, with no lock.  Every lookup
 * that settles must find its stable key with its value (no false miss
 * while entries move, no value from another slot), most must settle (the
 * others go to the engine's locked path), and under ASan no read may touch
 * a freed table.  They also look up the keys that come and go, and those
 * of a second object whose writer keeps 10-14 of 64 keys in a small
 * table, removing and inserting one at a time so that slots are reused at
 * once: a key found must come with its own value, never that of a key
 * that took its slot (a race of a few instructions: the test catches that
 * bug in some runs, not all).
 * Fails on a removal that empties a slot before the entry behind it is
 * copied there, on a probe trusted while a removal ran, and on a retire
 * that frees at once.  Run under TSan and ASan by scripts/test.
 *
 * Usage: test_engine_smr [seconds]   (default 1.5)
 */
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "vm_internal.h"

#define SMR_READERS	2
#define SMR_STABLE	24	/* keys always present */
#define SMR_CHURN	400	/* keys that come and go */

struct reader {
	pthread_t	tid;
	struct eng_cpu	*cpu;
	struct vm_object *obj;
	struct vm_object *reuse;	/* the small table's object */
	_Atomic bool	*stop;
	uint64_t	lookups;
	uint64_t	unsettled;
	uint64_t	misses;
	uint64_t	wrong;
};

/* The value the index maps key to: any pointer not NULL. */
static void *
val_of(uint64_t key)
{
	return ((void *)(uintptr_t)(0x1000 + key * 8));
}

/* Stable key i; spread so that churn keys probe past them. */
static uint64_t
stable_key(unsigned i)
{
	return ((uint64_t)i * 17 + 3);
}

/* The keys the writer uses: the stable ones among them. */
#define SMR_KEYS	(SMR_STABLE * 17 + 64)
/* The small table's keys, and how many of them it holds. */
#define SMR_REUSE_KEYS	64
#define SMR_REUSE_MIN	10
#define SMR_REUSE_MAX	14

static bool
is_stable(uint64_t k)
{
	return (k % 17 == 3 && k / 17 < SMR_STABLE);
}

static void *
reader_main(void *arg)
{
	struct reader *r = arg;
	struct vm_object *obj;
	uint64_t k;
	unsigned i = 0;
	bool settled;
	void *v;

	while (!atomic_load_explicit(r->stop, memory_order_relaxed)) {
		/*
		 * Stable keys, keys that come and go, and the small table's,
		 * in turn.
		 */
		obj = i % 3 == 2 ? r->reuse : r->obj;
		k = i % 3 == 0 ? stable_key(i / 3 % SMR_STABLE) : i % 3 == 1 ?
		    i / 3 % SMR_KEYS : i / 3 % SMR_REUSE_KEYS;
		i++;
		vm_smr_enter(r->cpu, false);
		v = vm_phash_lookup_unlocked(&obj->pages, k, &settled);
		vm_smr_exit(r->cpu);
		r->lookups++;
		if (!settled)
			r->unsettled++;
		else if (v == NULL && obj == r->obj && is_stable(k))
			r->misses++;
		else if (v != NULL && v != val_of(k))
			r->wrong++;
	}
	return (NULL);
}

static double
now_s(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return ((double)ts.tv_sec + (double)ts.tv_nsec / 1e9);
}

int
main(int argc, char **argv)
{
	ENG_SITE_DEFINE;
	struct reader r[SMR_READERS];
	struct eng_params p;
	struct vm_engine *e;
	struct vm_object *obj, *reuse;
	struct eng_cpu *w;
	_Atomic bool stop = false;
	bool in[SMR_REUSE_KEYS] = { false };
	double seconds = argc > 1 ? atof(argv[1]) : 1.5, end;
	uint64_t rounds = 0, lookups = 0, unsettled = 0, misses = 0, wrong = 0;
	uint64_t x = 1, k;
	char err[128];
	unsigned i, n, held = 0;

	memset(&p, 0, sizeof(p));
	eng_design_default(&p.design);
	if (eng_design_parse(&p.design, ENG_FAM_PAGE, "refcount", err,
	    sizeof(err)) != 0) {
		fprintf(stderr, "refcount: %s\n", err);
		return (1);
	}
	p.nslots = SMR_READERS + 1;
	p.nobjects = 2;
	p.npmaps = 1;
	p.phys_pages = 1024;
	if ((e = eng_create(&p, err, sizeof(err))) == NULL) {
		fprintf(stderr, "eng_create: %s\n", err);
		return (1);
	}
	obj = &e->objects[0];
	reuse = &e->objects[1];
	w = eng_cpu(e, 0);
	VM_OBJECT_WLOCK(w, obj);
	for (i = 0; i < SMR_STABLE; i++)
		if (vm_phash_insert(w, &obj->pages, stable_key(i),
		    val_of(stable_key(i))) != 0)
			return (1);
	VM_OBJECT_WUNLOCK(w, obj);
	for (i = 0; i < SMR_READERS; i++) {
		memset(&r[i], 0, sizeof(r[i]));
		r[i].cpu = eng_cpu(e, i + 1);
		r[i].obj = obj;
		r[i].reuse = reuse;
		r[i].stop = &stop;
		if (pthread_create(&r[i].tid, NULL, reader_main, &r[i]) != 0)
			return (1);
	}
	end = now_s() + seconds;
	while (now_s() < end) {
		/* Grow past the stable keys, then shrink back to them. */
		VM_OBJECT_WLOCK(w, obj);
		n = SMR_CHURN / 2 + (unsigned)(x % (SMR_CHURN / 2));
		for (i = 0; i < n; i++) {
			x = x * 6364136223846793005ULL + 1442695040888963407ULL;
			k = (x >> 33) % SMR_KEYS;
			if (!is_stable(k) && vm_phash_insert(w, &obj->pages, k,
			    val_of(k)) != 0)
				return (1);
		}
		VM_OBJECT_WUNLOCK(w, obj);
		VM_OBJECT_WLOCK(w, obj);
		for (k = 0; k < SMR_KEYS; k++)
			if (!is_stable(k))
				vm_phash_remove(w, &obj->pages, k);
		VM_OBJECT_WUNLOCK(w, obj);
		/* The small table: one removal or insertion a lock hold. */
		for (i = 0; i < 1024; i++) {
			x = x * 6364136223846793005ULL + 1442695040888963407ULL;
			k = (x >> 33) % SMR_REUSE_KEYS;
			VM_OBJECT_WLOCK(w, reuse);
			if (in[k] && held > SMR_REUSE_MIN) {
				vm_phash_remove(w, &reuse->pages, k);
				in[k] = false;
				held--;
			} else if (!in[k] && held < SMR_REUSE_MAX) {
				if (vm_phash_insert(w, &reuse->pages, k,
				    val_of(k)) != 0)
					return (1);
				in[k] = true;
				held++;
			}
			VM_OBJECT_WUNLOCK(w, reuse);
		}
		rounds++;
	}
	atomic_store(&stop, true);
	for (i = 0; i < SMR_READERS; i++) {
		pthread_join(r[i].tid, NULL);
		lookups += r[i].lookups;
		unsettled += r[i].unsettled;
		misses += r[i].misses;
		wrong += r[i].wrong;
	}
	/* Empty the indexes too: their last tables go through retire. */
	VM_OBJECT_WLOCK(w, obj);
	for (i = 0; i < SMR_STABLE; i++)
		vm_phash_remove(w, &obj->pages, stable_key(i));
	VM_OBJECT_WUNLOCK(w, obj);
	VM_OBJECT_WLOCK(w, reuse);
	for (k = 0; k < SMR_REUSE_KEYS; k++)
		vm_phash_remove(w, &reuse->pages, k);
	VM_OBJECT_WUNLOCK(w, reuse);
	eng_destroy(e);
	printf("%ju writer rounds, %ju lockless lookups (%ju left to the "
	    "locked path): %ju false misses, %ju wrong values\n",
	    (uintmax_t)rounds, (uintmax_t)lookups, (uintmax_t)unsettled,
	    (uintmax_t)misses, (uintmax_t)wrong);
	if (rounds == 0 || lookups == 0 || unsettled * 2 > lookups) {
		fprintf(stderr, "FAIL: nothing ran, or most lookups never "
		    "settled\n");
		return (1);
	}
	if (misses != 0 || wrong != 0) {
		fprintf(stderr, "FAIL: a lockless lookup missed a key that "
		    "was there, or read another key's value\n");
		return (1);
	}
	return (0);
}
