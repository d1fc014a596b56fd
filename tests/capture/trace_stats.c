/*
 * trace_stats.c - summarise a trace for the ebpf tests, one fact a line:
 *
 *	events N / lost N / truncated 0|1 / frames N
 *	kind NAME EVENTS PAGES		per kind, PAGES = sum of npages
 *	insert_max_obj OBJ PAGES	the object with the most inserted pages
 *	pmaps_mapped N			distinct pmaps with PR_MAP events
 *	map_anon_pages N		pages mapped from anonymous objects
 *	obj_create_class ANON FILE	PR_OBJ_CREATE events on anonymous
 *					(bit 63) and on file ids
 *	map_wrong_class N		PR_MAP events whose object's class
 *					disagrees with its pindex (an
 *					anonymous object's is addr's page)
 *	fault_around N PAIRED		page_lookup events flagged
 *					PR_F_FAULT_AROUND, and how many of
 *					them the thread's next event maps
 *					(a PR_MAP of the same object,
 *					pindex and npages)
 *	tid TID EVENTS			per recording thread
 *	tidkind TID KIND EVENTS		per thread and kind
 *	obj_events N			events on obj=ID (when given)
 *	obj_inserts N			PR_PAGE_INSERT events on obj=ID
 *	objkind KIND EVENTS		per kind, events on obj=ID
 *	obj_after_end N			events on obj=ID after its end
 *					(PR_OBJ_TERMINATE) and before a
 *					new PR_OBJ_CREATE
 *	cmdline TEXT			the header's command line
 *	note KEY VALUE			trailer notes
 *
 * Usage: trace_stats FILE [dump] [obj=ID].  With dump, every event first,
 * one a line.  Exit 1 when the file cannot be read.
 */
#include <err.h>
#include <stdbool.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "trace.h"

#define MAXN	65536

struct count {
	uint64_t	key;
	uint64_t	n;
};

/* Add n to key's count in a small linear table; the table is bounded. */
static void
bump(struct count *t, size_t *nt, uint64_t key, uint64_t n)
{
	size_t i;

	for (i = 0; i < *nt; i++)
		if (t[i].key == key) {
			t[i].n += n;
			return;
		}
	if (*nt < MAXN) {
		t[*nt].key = key;
		t[*nt].n = n;
		(*nt)++;
	}
}

/*
 * The fault-around lookup a thread's next event may map: its last event's
 * if that was one, in a small linear table.  Returns whether ev maps the
 * range of tid's pending lookup, then makes ev the thread's last event.
 */
static bool
fa_next(struct pr_event *pend, size_t *np, const struct pr_event *ev)
{
	bool paired = false;
	size_t i;

	for (i = 0; i < *np && pend[i].tid != ev->tid; i++)
		;
	if (i < *np)
		paired = ev->kind == PR_MAP && pend[i].kind == PR_PAGE_LOOKUP &&
		    ev->obj == pend[i].obj && ev->pindex == pend[i].pindex &&
		    ev->npages == pend[i].npages;
	else if (*np < MAXN)
		(*np)++;
	if (i < *np) {
		pend[i] = *ev;
		if ((ev->flags & PR_F_FAULT_AROUND) == 0)
			pend[i].kind = PR_LOST;	/* no lookup to pair */
	}
	return (paired);
}

int
main(int argc, char **argv)
{
	static struct count objs[MAXN], pmaps[MAXN], tids[MAXN], tk[MAXN];
	static struct pr_event pend[MAXN];
	uint64_t kev[PR_KIND_COUNT] = { 0 }, kpg[PR_KIND_COUNT] = { 0 };
	size_t nobj = 0, npmap = 0, ntid = 0, ntk = 0, npend = 0, i, best = 0;
	uint64_t fa = 0, fa_paired = 0;
	uint64_t okev[PR_KIND_COUNT] = { 0 };
	uint64_t want = 0, nwant = 0, anon = 0, after_end = 0;
	uint64_t created[2] = { 0 }, wrong_class = 0;
	bool ended = false;
	bool dump = false;
	struct pr_reader_status st;
	struct pr_reader *r;
	struct pr_event ev;
	const char *key;
	uint64_t val;
	int err, rc;

	for (i = 2; i < (size_t)argc; i++) {
		if (strcmp(argv[i], "dump") == 0)
			dump = true;
		else if (strncmp(argv[i], "obj=", 4) == 0)
			want = strtoull(argv[i] + 4, NULL, 0);
		else
			argc = 0;
	}
	if (argc < 2) {
		fprintf(stderr, "usage: trace_stats FILE [dump] [obj=ID]\n");
		return (2);
	}
	r = pr_reader_open(argv[1], &err);
	if (r == NULL)
		errx(1, "%s: %s", argv[1], pr_strerror(err));
	while ((rc = pr_reader_next(r, &ev)) == 1) {
		if (dump)
			printf("%" PRIu64 " %s obj=%#" PRIx64 " pindex=%" PRIu64
			    " n=%u pmap=%" PRIu64 " addr=%#" PRIx64 " arg=%"
			    PRIu64 " tid=%u cpu=%u flags=%u\n", ev.time_ns,
			    pr_kind_name(ev.kind), ev.obj, ev.pindex,
			    ev.npages, ev.pmap, ev.addr, ev.arg, ev.tid, ev.cpu,
			    ev.flags);
		if (ev.kind >= PR_KIND_COUNT)
			continue;
		kev[ev.kind]++;
		kpg[ev.kind] += ev.npages;
		if (ev.kind == PR_PAGE_INSERT)
			bump(objs, &nobj, ev.obj, ev.npages);
		if (ev.kind == PR_MAP)
			bump(pmaps, &npmap, ev.pmap, 1);
		if (ev.kind == PR_MAP && (ev.obj >> 63) != 0)
			anon += ev.npages;
		if (ev.kind == PR_MAP &&
		    (ev.obj >> 63 != 0) != (ev.pindex == ev.addr / 4096))
			wrong_class++;
		if (ev.kind == PR_OBJ_CREATE)
			created[ev.obj >> 63 != 0 ? 0 : 1]++;
		if (ev.kind == PR_PAGE_LOOKUP &&
		    (ev.flags & PR_F_FAULT_AROUND) != 0)
			fa++;
		if (ev.kind != PR_LOST && fa_next(pend, &npend, &ev))
			fa_paired++;
		bump(tids, &ntid, ev.tid, 1);
		bump(tk, &ntk, (uint64_t)ev.tid << 8 | ev.kind, 1);
		if (want != 0 && ev.obj == want) {
			nwant++;
			okev[ev.kind]++;
			if (ended && ev.kind != PR_OBJ_CREATE)
				after_end++;
			if (ev.kind == PR_OBJ_TERMINATE ||
			    ev.kind == PR_OBJ_CREATE)
				ended = ev.kind == PR_OBJ_TERMINATE;
		}
	}
	pr_reader_status(r, &st);
	printf("events %" PRIu64 "\nlost %" PRIu64 "\ntruncated %d\n"
	    "frames %" PRIu64 "\nerror %d\n", st.events, st.lost,
	    st.truncated ? 1 : 0, st.frames, rc < 0 ? -rc : 0);
	for (i = 0; i < PR_KIND_COUNT; i++)
		printf("kind %s %" PRIu64 " %" PRIu64 "\n", pr_kind_name(i),
		    kev[i], kpg[i]);
	for (i = 1; i < nobj; i++)
		if (objs[i].n > objs[best].n)
			best = i;
	if (nobj > 0)
		printf("insert_max_obj %#" PRIx64 " %" PRIu64 "\n",
		    objs[best].key, objs[best].n);
	printf("pmaps_mapped %zu\nmap_anon_pages %" PRIu64 "\n", npmap, anon);
	printf("obj_create_class %" PRIu64 " %" PRIu64 "\nmap_wrong_class %"
	    PRIu64 "\n", created[0], created[1], wrong_class);
	printf("fault_around %" PRIu64 " %" PRIu64 "\n", fa, fa_paired);
	for (i = 0; i < ntid; i++)
		printf("tid %" PRIu64 " %" PRIu64 "\n", tids[i].key,
		    tids[i].n);
	for (i = 0; i < ntk; i++)
		printf("tidkind %" PRIu64 " %s %" PRIu64 "\n", tk[i].key >> 8,
		    pr_kind_name(tk[i].key & 0xff), tk[i].n);
	if (want != 0) {
		printf("obj_events %" PRIu64 "\nobj_inserts %" PRIu64 "\n"
		    "obj_after_end %" PRIu64 "\n", nwant,
		    okev[PR_PAGE_INSERT], after_end);
		for (i = 0; i < PR_KIND_COUNT; i++)
			printf("objkind %s %" PRIu64 "\n", pr_kind_name(i),
			    okev[i]);
	}
	printf("cmdline %s\n", pr_reader_header(r)->cmdline);
	for (i = 0; pr_reader_note(r, i, &key, &val); i++)
		printf("note %s %" PRIu64 "\n", key, val);
	pr_reader_close(r);
	return (0);
}
