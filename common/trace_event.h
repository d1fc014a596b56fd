/*
 * trace_event.h - the event model of the pagereplay trace: event kinds,
 * flags and the decoded event.  Everything that consumes events (the engine,
 * replay, the front ends) needs this header; only producers and readers of
 * trace files need trace.h, which includes it.
 *
 * Events are abstract VM operations, not Linux internals, so that a trace
 * captured on Linux drives the FreeBSD model in engine/.
 */
#ifndef PR_TRACE_EVENT_H
#define PR_TRACE_EVENT_H

#include <stdint.h>

#define PR_PAGE_SHIFT		12	/* the model's page: 4 KiB */

/*
 * Event kinds.  The numeric values are part of the file format (the header
 * also carries the name table, so a reader maps names, not numbers); append
 * new kinds before PR_KIND_COUNT, never renumber.
 */
enum pr_kind {
	PR_OBJ_CREATE = 0,	/* obj */
	PR_OBJ_TERMINATE,	/* obj: free every page (vm_object_terminate) */
	PR_PAGE_INSERT,		/* obj, pindex, npages: allocate + insert */
	PR_PAGE_LOOKUP,		/* obj, pindex, npages: grab (insert if absent);
				   flags FAULT_AROUND */
	PR_PAGE_REMOVE,		/* obj, pindex, npages: remove + free */
	PR_WIRE,		/* obj, pindex, npages */
	PR_UNWIRE,		/* obj, pindex, npages */
	PR_RELEASE,		/* obj, pindex, npages; flags NOCACHE */
	PR_ACTIVATE,		/* obj, pindex, npages */
	PR_DEACTIVATE,		/* obj, pindex, npages; flags HEAD (noreuse) */
	PR_REQUEUE,		/* obj, pindex, npages */
	PR_PMAP_CREATE,		/* pmap */
	PR_PMAP_DESTROY,	/* pmap */
	PR_MAP,			/* pmap, addr, obj, pindex, npages; flags WRITE */
	PR_UNMAP,		/* pmap, addr, npages */
	PR_REMOVE_ALL,		/* obj, pindex, npages */
	PR_REMOVE_WRITE,	/* obj, pindex, npages */
	PR_EXTRACT_HOLD,	/* pmap, addr, npages */
	PR_PROMOTE,		/* pmap, addr (2 MiB aligned) */
	PR_DEMOTE,		/* pmap, addr (2 MiB aligned) */
	PR_SCAN,		/* arg = pages the page daemon scans */
	PR_SENDFILE,		/* obj, pindex, npages; addr = byte offset,
				   arg = byte length; flags NOCACHE */
	PR_LOST,		/* arg = events lost (ring buffer overflow) */
	PR_KIND_COUNT
};

/*
 * An object id with bit 63 set is an address space's anonymous memory
 * (pindex = virtual page number): its pages come into being at their first
 * fault.  Other ids are files (docs/trace-format.md).
 */
#define PR_OBJ_ANON	(1ULL << 63)

/* Event flags (struct pr_event.flags). */
#define PR_F_WRITE	0x01	/* map / lookup: for writing */
#define PR_F_NOCACHE	0x02	/* release / sendfile: SF_NOCACHE, FADV_DONTNEED */
#define PR_F_HEAD	0x04	/* deactivate: head of inactive (noreuse) */
#define PR_F_FAULT_AROUND 0x08	/* page_lookup: fault-around's, not a read's */
#define PR_F_MASK	0x0f

/*
 * One decoded event.  Fields a kind does not use are 0; npages is >= 1 for
 * page-range kinds (a Linux large folio covers 2^order pages).
 */
struct pr_event {
	uint64_t	time_ns;	/* since pr_header.start_ns */
	uint64_t	obj;		/* object id (inode, anon object, file) */
	uint64_t	pindex;		/* first page index in obj */
	uint64_t	pmap;		/* address-space id (mm) */
	uint64_t	addr;		/* virtual address, or byte offset */
	uint64_t	arg;		/* kind-specific (see enum pr_kind) */
	uint32_t	npages;		/* pages covered */
	uint32_t	cpu;		/* CPU the event was recorded on */
	uint32_t	tid;		/* recording thread (or connection) */
	uint8_t		kind;		/* enum pr_kind */
	uint8_t		flags;		/* PR_F_* */
};

const char	*pr_kind_name(unsigned kind);	/* "?" when unknown */
int		 pr_kind_from_name(const char *name);	/* -1 when unknown */

#endif /* PR_TRACE_EVENT_H */
