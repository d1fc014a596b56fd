/*
 * record.h - what record.bpf.c hands to record.c through the ring buffer.
 *
 * Included by both sides, so plain C types only (no stdint.h: the BPF side
 * has vmlinux.h).  The kind numbers are trace.h's enum pr_kind values, which
 * are part of the file format and never renumbered; record.c asserts that
 * they match.
 */
#ifndef PR_CAPTURE_RECORD_H
#define PR_CAPTURE_RECORD_H

/* enum pr_kind values the kernel side emits (asserted in record.c). */
#define REC_OBJ_TERMINATE	1
#define REC_PAGE_INSERT		2
#define REC_PAGE_LOOKUP		3
#define REC_PAGE_REMOVE		4
#define REC_WIRE		5
#define REC_UNWIRE		6
#define REC_RELEASE		7
#define REC_ACTIVATE		8
#define REC_DEACTIVATE		9
#define REC_REQUEUE		10
#define REC_PMAP_CREATE		11
#define REC_PMAP_DESTROY	12
#define REC_MAP			13
#define REC_UNMAP		14
#define REC_REMOVE_ALL		15
#define REC_REMOVE_WRITE	16
#define REC_EXTRACT_HOLD	17
#define REC_SCAN		20
#define REC_SENDFILE		21

/* pr_event flags (trace.h PR_F_*), asserted likewise. */
#define REC_F_WRITE		0x01
#define REC_F_NOCACHE		0x02
#define REC_F_HEAD		0x04
#define REC_F_FAULT_AROUND	0x08

/*
 * One event as the kernel writes it: 64 bytes, the fields of a
 * struct pr_event with the time still in CLOCK_MONOTONIC ns.
 */
struct rec_event {
	unsigned long long	ts;	/* bpf_ktime_get_ns() */
	unsigned long long	obj;	/* object id (see docs/capture.md) */
	unsigned long long	pindex;	/* first page index in obj */
	unsigned long long	pmap;	/* mm_struct address */
	unsigned long long	addr;	/* virtual address or byte offset */
	unsigned long long	arg;	/* kind-specific */
	unsigned int		npages;	/* pages covered, >= 1 for ranges */
	unsigned int		tid;	/* kernel pid of the thread */
	unsigned short		cpu;	/* bpf_get_smp_processor_id() */
	unsigned char		kind;	/* REC_* */
	unsigned char		flags;	/* REC_F_* */
	unsigned int		hint;	/* REC_H_*: for record.c, not written */
};

/*
 * Hints to record.c, not written to the trace.  REC_H_OWN: a page removal
 * a followed task made on its own account (a truncate, the eviction of a
 * file it unlinked, DONTNEED), not in reclaim (PF_MEMALLOC clear): never
 * another process's work, even on an object the trace has not seen yet.
 */
#define REC_H_OWN		0x01

/*
 * Kernel hooks, indexing the per-CPU hit counters: how many times each hook
 * fired for a followed task (emitted + lost), kept in the kernel so the
 * trace's counts can be checked and are written as trailer notes.
 */
enum rec_hook {
	HOOK_FORK = 0,
	HOOK_EXEC,
	HOOK_EXIT,
	HOOK_FREE,
	HOOK_ADD_TO_PAGE_CACHE,
	HOOK_DELETE_FROM_PAGE_CACHE,
	HOOK_GET_PAGES,
	HOOK_MAP_PAGES,
	HOOK_LRU_INSERTION,
	HOOK_LRU_ACTIVATE,
	HOOK_LRU_ISOLATE,
	HOOK_FAULT,
	HOOK_PIN,
	HOOK_UNPIN,
	HOOK_MUNMAP,
	HOOK_SENDFILE,
	HOOK_FADVISE,
	HOOK_TRY_TO_UNMAP,
	HOOK_MKCLEAN,
	HOOK_EVICT,
	HOOK_VMA_BUSY,		/* bpf_find_vma() busy: fault taken as anon */
	HOOK_VMA_LOOKUP,	/* bpf_find_vma() calls (vma cache misses) */
	HOOK_NO_OBJECT,		/* page events without an object: skipped */
	HOOK_WRITEBACK,		/* ext4_da_write_folios_end with pages */
	HOOK_VMSCAN_WRITE,	/* mm_vmscan_write_folio */
	HOOK_LRU_FOLDED,	/* LRU insertions of a fresh page: no event */
	HOOK_SENDFILE_FOLDED,	/* a sendfile's own page-cache insertions */
	HOOK_REMOVE_MAPPED,	/* removals of a mapped page: + remove_all */
	HOOK_LRU_ANON_UNOWNED,	/* anonymous LRU insertions of no fault */
	HOOK_NOCACHE_FOLDED,	/* --nocache: DONTNEEDs and their removals */
	HOOK_DONTNEED_FOLDED,	/* removals a DONTNEED makes: no event */
	HOOK_COUNT
};

/*
 * Object ids.  A file (page-cache) object is its inode: bit 63 clear,
 * bits 62..55 the device major, 54..40 the minor, 39..0 the inode number.
 * An anonymous object (an address space's private memory, pindex = virtual
 * page number) is its mm_struct address with bit 63 set.
 */
#define REC_OBJ_ANON		(1ULL << 63)
#define REC_OBJ_MAJOR_SHIFT	55
#define REC_OBJ_MINOR_SHIFT	40
#define REC_OBJ_MINOR_MASK	0x7fffULL
#define REC_OBJ_INO_MASK	((1ULL << 40) - 1)

#endif /* PR_CAPTURE_RECORD_H */
