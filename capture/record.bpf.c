// SPDX-License-Identifier: (BSD-2-Clause OR GPL-2.0)
/*
 * record.bpf.c - the kernel half of `pagereplay record`.
 *
 * Each handler turns one Linux hook into abstract VM events (trace.h enum
 * pr_kind; the mapping is tabled in docs/capture.md) for the followed
 * process tree (or every task with follow_all) and writes them to one BPF
 * ring buffer.  A failed reserve is counted in the per-CPU `lost` counter,
 * which record.c turns into PR_LOST records: nothing is dropped silently.
 *
 * Every hook has two flavours: tracepoints as tp_btf (BTF-typed, cheapest
 * dispatch) and raw_tp, functions as fentry/fexit and kprobe.  record.c
 * probes the kernel and turns off the flavour it does not use with
 * bpf_program__set_autoload(); the handlers read through BPF_CORE_READ so
 * the same helper serves both.
 */
#include "vmlinux.h"
#include <bpf/bpf_core_read.h>
#include <bpf/bpf_helpers.h>
#include <bpf/bpf_tracing.h>

#include "record.h"

char LICENSE[] SEC("license") = "Dual BSD/GPL";

#define PAGE_SHIFT	12
#define PAGE_SIZE	(1ULL << PAGE_SHIFT)
#define MAX_RANGE	(1U << 20)	/* cap on npages of one event */
#define MAX_FOLIO_ORDER	20

#define USER_TOP	0x00007ffffffff000ULL	/* x86-64 TASK_SIZE_MAX */
#define X86_PF_WRITE	0x02		/* page fault error code: write */
#define O_DIRECT	00040000	/* x86 open(2) flag */
#define ENOENT		2
#define EBUSY		16
#define POSIX_FADV_DONTNEED	4
#define POSIX_FADV_NOREUSE	5
#define PF_MEMALLOC	0x00000800	/* task flag: in reclaim */

/* Events to user space; record.c sets the size from --buffer. */
struct {
	__uint(type, BPF_MAP_TYPE_RINGBUF);
	__uint(max_entries, 1 << 24);
} events SEC(".maps");

/* Followed thread groups (tgid -> 1), seeded by record.c. */
struct {
	__uint(type, BPF_MAP_TYPE_HASH);
	__uint(max_entries, 65536);
	__type(key, __u32);
	__type(value, __u8);
} tgids SEC(".maps");

/*
 * Address spaces of followed processes: tgid -> mm, and mm -> how many
 * followed processes use it (vfork and CLONE_VM share one).  The pmap ends
 * when the count drops to 0 at exec or exit.
 */
struct {
	__uint(type, BPF_MAP_TYPE_HASH);
	__uint(max_entries, 65536);
	__type(key, __u32);
	__type(value, __u64);
} tgmm SEC(".maps");

struct {
	__uint(type, BPF_MAP_TYPE_HASH);
	__uint(max_entries, 65536);
	__type(key, __u64);
	__type(value, __u32);
} mmusers SEC(".maps");

/* A thread's pinned user range, unwired when its system call returns. */
struct pin_range {
	__u64	pmap;
	__u64	lo;	/* first virtual page */
	__u64	hi;	/* last virtual page + 1 */
};

struct {
	__uint(type, BPF_MAP_TYPE_HASH);
	__uint(max_entries, 4096);
	__type(key, __u32);
	__type(value, struct pin_range);
} pins SEC(".maps");

/*
 * A thread's file-backed fault in progress: where its vma maps the file,
 * so the pages fault-around maps (mm_filemap_map_pages) get addresses.
 */
struct fault_vma {
	__u64	mm;
	__u64	obj;
	__u64	start;	/* vm_start */
	__u64	pgoff;	/* vm_pgoff: file page at vm_start */
	__u64	npages;	/* vma length in pages */
};

struct {
	__uint(type, BPF_MAP_TYPE_LRU_HASH);
	__uint(max_entries, 4096);
	__type(key, __u32);
	__type(value, struct fault_vma);
} faulting SEC(".maps");

/*
 * Recently looked-up vmas of each followed address space, so a fault
 * costs a bpf_find_vma() (mmap lock, and an irq_work to release it) only on
 * a miss.  Emptied when the mm ends and around every system call that
 * changes its mappings (mmap, munmap, mremap, brk); splits and merges keep
 * a cached range's file offsets right.  Slots are replaced round robin
 * without a lock: a racing update can misattribute one fault.
 */
#define VMA_SLOTS	4

struct vma_cache {
	struct fault_vma slot[VMA_SLOTS];	/* npages 0: empty; obj 0: anon */
	__u32		next;			/* slot to replace */
};

struct {
	__uint(type, BPF_MAP_TYPE_LRU_HASH);
	__uint(max_entries, 16384);
	__type(key, __u64);
	__type(value, struct vma_cache);
} vmacache SEC(".maps");

/* Threads inside a mapping-changing system call (tid -> 1). */
struct {
	__uint(type, BPF_MAP_TYPE_HASH);
	__uint(max_entries, 4096);
	__type(key, __u32);
	__type(value, __u8);
} remapping SEC(".maps");

/*
 * Inodes a followed task is evicting (inode address -> what is left to
 * remove).  ext4_evict_inode fires before truncate_inode_pages_final(), so
 * the object ends at the removal of its last page-cache page, not at the
 * tracepoint: otherwise its removals would follow its end.
 */
struct evicting {
	__u64	obj;
	__s64	pages;	/* (a) page-cache pages not yet removed */
	__u32	hint;	/* REC_H_OWN when evicted outside reclaim */
	__u32	pad;
};

struct {
	__uint(type, BPF_MAP_TYPE_LRU_HASH);
	__uint(max_entries, 4096);
	__type(key, __u64);
	__type(value, struct evicting);
} evicting SEC(".maps");

/*
 * Pages a recorded task has just allocated (page_key -> 1): a page-cache
 * insertion, or a fault (which may allocate an anonymous page, or copy a
 * private file page on write).  The LRU insertion that follows
 * (folio_add_lru, drained from a per-CPU batch, maybe by another task) is
 * part of that allocation, as FreeBSD enqueues the page it allocates or
 * faults in, and makes no event; it consumes the entry.
 */
struct {
	__uint(type, BPF_MAP_TYPE_LRU_HASH);
	__uint(max_entries, 65536);
	__type(key, __u64);
	__type(value, __u8);
} fresh SEC(".maps");

/*
 * File pages a recorded task mapped (page_key -> 1), by a fault or
 * fault-around; the page's removal outside an eviction consumes the entry
 * and is preceded by REC_REMOVE_ALL.  Unmapping does not clear it.
 */
struct {
	__uint(type, BPF_MAP_TYPE_LRU_HASH);
	__uint(max_entries, 262144);
	__type(key, __u64);
	__type(value, __u8);
} mapped SEC(".maps");

/*
 * Each thread's last sendfile (tid -> the file it sent).  While the call
 * runs (SR_SENDING), the page-cache insertions the thread makes in that
 * file belong to the sendfile: its range, which the model's sendfile
 * allocates, and the readahead beyond it (FreeBSD's sendfile reads ahead
 * too; the model allocates those pages at their first use).  With nocache
 * (record --nocache: the server drops what it sends, as SF_NOCACHE would),
 * a POSIX_FADV_DONTNEED of a file a sendfile sent (sent) is that
 * SF_NOCACHE (SR_DROPPING, on the advised file, while it runs): neither the
 * advice nor the removals it makes are events, the NOCACHE sendfile frees
 * them.  An event loop interleaves connections, so the advice need not
 * follow its own sendfile.
 */
#define SR_SENT		0	/* the call returned */
#define SR_SENDING	1	/* in the sendfile */
#define SR_DROPPING	2	/* in its DONTNEED */

struct send_range {
	__u64	obj;
	__u32	state;	/* SR_* */
	__u32	pad;
};

struct {
	__uint(type, BPF_MAP_TYPE_LRU_HASH);
	__uint(max_entries, 4096);
	__type(key, __u32);
	__type(value, struct send_range);
} sending SEC(".maps");

/*
 * Threads inside a POSIX_FADV_DONTNEED that is an event (tid -> the
 * advised object): the page-cache removals Linux makes for it
 * (invalidate_mapping_pages(), during the call) are its own, not events.
 * FreeBSD's DONTNEED, which the replay models from the advice, removes
 * nothing: 11+ deactivates the range's pages, 10.4 caches them.
 */
struct {
	__uint(type, BPF_MAP_TYPE_HASH);
	__uint(max_entries, 4096);
	__type(key, __u32);
	__type(value, __u64);
} advising SEC(".maps");

/* Files a sendfile sent, with nocache (object id -> 1). */
struct {
	__uint(type, BPF_MAP_TYPE_LRU_HASH);
	__uint(max_entries, 16384);
	__type(key, __u64);
	__type(value, __u8);
} sent SEC(".maps");

/* ext4 writeback rounds in progress: tid -> wbc->nr_to_write at start. */
struct {
	__uint(type, BPF_MAP_TYPE_HASH);
	__uint(max_entries, 4096);
	__type(key, __u32);
	__type(value, __s64);
} wbround SEC(".maps");

/* Events that found the ring buffer full. */
struct {
	__uint(type, BPF_MAP_TYPE_PERCPU_ARRAY);
	__uint(max_entries, 1);
	__type(key, __u32);
	__type(value, __u64);
} lost SEC(".maps");

/* Hook firings for followed tasks, by enum rec_hook. */
struct {
	__uint(type, BPF_MAP_TYPE_PERCPU_ARRAY);
	__uint(max_entries, HOOK_COUNT);
	__type(key, __u32);
	__type(value, __u64);
} hits SEC(".maps");

/* Knobs, written by record.c before load. */
const volatile bool follow_all = false;		/* -a: every task */
const volatile __u32 self_tgid = 0;		/* the recorder: never */
const volatile bool follow_cmd = false;		/* -- CMD: follow its fork */
const volatile bool nocache = false;		/* --nocache (sending) */
/* Rules U and W, off where try_to_unmap / folio_mkclean hooks load. */
const volatile bool derive_remove_all = true;
const volatile bool derive_remove_write = true;
const volatile __u64 wakeup_bytes = 1 << 20;	/* wake the reader past */
const volatile long nr_munmap = -1;		/* syscall numbers */
const volatile long nr_sendfile = -1;
const volatile long nr_fadvise = -1;
const volatile long nr_read = -1;
const volatile long nr_write = -1;
const volatile long nr_pread = -1;
const volatile long nr_pwrite = -1;
const volatile long nr_mmap = -1;
const volatile long nr_mremap = -1;
const volatile long nr_brk = -1;

/* Threads with a pin_range entry: sys_exit looks only when non-zero. */
__u64 pins_outstanding = 0;
/* Threads with a remapping entry, likewise. */
__u64 remaps_outstanding = 0;
/* Threads whose sending entry is not SR_SENT, likewise. */
__u64 sends_outstanding = 0;
/* Threads with an advising entry, likewise. */
__u64 advises_outstanding = 0;

#define FOLD_PAGES	16	/* pages of one event marked or checked */

/* Key of page pindex of obj in fresh and mapped. */
static __always_inline __u64
page_key(__u64 obj, __u64 pindex)
{
	return (obj ^ (pindex * 0x9e3779b97f4a7c15ULL));
}

/*
 * The object a fresh mark names: a file, or for every anonymous object the
 * bare REC_OBJ_ANON, since the task draining a per-CPU LRU batch (whose
 * address space obj_of_folio() takes) need not be the one that faulted.
 */
static __always_inline __u64
fresh_obj(__u64 obj)
{
	return ((obj & REC_OBJ_ANON) != 0 ? REC_OBJ_ANON : obj);
}

/* Mark page pindex of obj in map m (fresh, mapped). */
static __always_inline void
page_mark(void *m, __u64 obj, __u64 pindex)
{
	__u64 key = page_key(obj, pindex);
	__u8 one = 1;

	bpf_map_update_elem(m, &key, &one, BPF_ANY);
}

/*
 * Whether tgid is recorded: every task but the recorder with -a, else the
 * followed tree.
 */
static __always_inline bool
tgid_followed(__u32 tgid)
{
	if (tgid == self_tgid)
		return (false);
	if (follow_all)
		return (true);
	return (bpf_map_lookup_elem(&tgids, &tgid) != NULL);
}

/* Whether the current task is recorded. */
static __always_inline bool
current_followed(void)
{
	return (tgid_followed(bpf_get_current_pid_tgid() >> 32));
}

/* Count one firing of hook for a recorded task (this CPU's counter). */
static __always_inline void
hit(enum rec_hook hook)
{
	__u32 key = hook;
	__u64 *c;

	c = bpf_map_lookup_elem(&hits, &key);
	if (c != NULL)
		(*c)++;
}

/*
 * Reserve one event of the given kind with its time, CPU and thread filled
 * in and every other field 0; on a full ring buffer count the loss and
 * return NULL.
 */
static __always_inline struct rec_event *
rec_reserve(__u8 kind)
{
	struct rec_event *r;
	__u32 key = 0;
	__u64 *c;

	r = bpf_ringbuf_reserve(&events, sizeof(*r), 0);
	if (r == NULL) {
		c = bpf_map_lookup_elem(&lost, &key);
		if (c != NULL)
			(*c)++;
		return (NULL);
	}
	r->ts = bpf_ktime_get_ns();
	r->obj = 0;
	r->pindex = 0;
	r->pmap = 0;
	r->addr = 0;
	r->arg = 0;
	r->npages = 0;
	r->tid = (__u32)bpf_get_current_pid_tgid();
	r->cpu = (unsigned short)bpf_get_smp_processor_id();
	r->kind = kind;
	r->flags = 0;
	r->hint = 0;
	return (r);
}

/*
 * Commit an event.  The reader is woken only once wakeup_bytes are waiting
 * (it also polls every 10 ms), so a burst costs no wakeup per record.
 */
static __always_inline void
rec_submit(struct rec_event *r)
{
	__u64 avail;

	avail = bpf_ringbuf_query(&events, BPF_RB_AVAIL_DATA);
	bpf_ringbuf_submit(r, avail >= wakeup_bytes ? BPF_RB_FORCE_WAKEUP :
	    BPF_RB_NO_WAKEUP);
}

/*
 * Emit a page-range event of kind on (obj, pindex, npages), with hint
 * (REC_H_*) for record.c.
 */
static __always_inline void
emit_range(__u8 kind, __u64 obj, __u64 pindex, __u64 npages, __u8 flags,
    __u32 hint)
{
	struct rec_event *r;

	if (obj == 0) {
		/*
		 * No object: a folio truncated before the LRU batch holding
		 * it drained (its mapping is gone), a movable-ops page.
		 */
		hit(HOOK_NO_OBJECT);
		return;
	}
	r = rec_reserve(kind);
	if (r == NULL)
		return;
	r->obj = obj;
	r->pindex = pindex;
	r->npages = npages == 0 ? 1 : npages > MAX_RANGE ? MAX_RANGE : npages;
	r->flags = flags;
	r->hint = hint;
	rec_submit(r);
}

/*
 * Emit kind on a whole object or address space: an object's end
 * (REC_OBJ_TERMINATE obj; record.c skips it if obj was never seen), an
 * address space's start or end (REC_PMAP_CREATE/DESTROY mm; record.c ends
 * its anonymous object with it).
 */
static __always_inline void
emit_whole(__u8 kind, __u64 obj, __u64 mm)
{
	struct rec_event *r;

	r = rec_reserve(kind);
	if (r == NULL)
		return;
	r->obj = obj;
	r->pmap = mm;
	rec_submit(r);
}

/* One more followed process uses mm; the first announces the pmap. */
static __always_inline void
mm_get(__u32 tgid, __u64 mm)
{
	__u32 *c, one = 1;

	if (mm == 0)
		return;
	bpf_map_update_elem(&tgmm, &tgid, &mm, BPF_ANY);
	c = bpf_map_lookup_elem(&mmusers, &mm);
	if (c != NULL) {
		__sync_fetch_and_add(c, 1);
		return;
	}
	bpf_map_update_elem(&mmusers, &mm, &one, BPF_NOEXIST);
	emit_whole(REC_PMAP_CREATE, 0, mm);
}

/*
 * tgid stops using its address space (exec, exit); the last user ends the
 * pmap.  A process followed without a known mm (-p, -a, CMD before its
 * exec) ends fallback_mm, when given, directly.
 */
static __always_inline void
mm_put(__u32 tgid, __u64 fallback_mm)
{
	__u64 *mmp, mm;
	__u32 *c;

	mmp = bpf_map_lookup_elem(&tgmm, &tgid);
	if (mmp == NULL) {
		if (fallback_mm != 0) {
			bpf_map_delete_elem(&vmacache, &fallback_mm);
			emit_whole(REC_PMAP_DESTROY, 0, fallback_mm);
		}
		return;
	}
	mm = *mmp;
	bpf_map_delete_elem(&tgmm, &tgid);
	c = bpf_map_lookup_elem(&mmusers, &mm);
	if (c == NULL || __sync_sub_and_fetch(c, 1) != 0)
		return;
	bpf_map_delete_elem(&mmusers, &mm);
	bpf_map_delete_elem(&vmacache, &mm);
	emit_whole(REC_PMAP_DESTROY, 0, mm);
}

/* Object id of an inode: device and inode number (record.h). */
static __always_inline __u64
obj_of_inode(struct inode *inode)
{
	__u64 ino;
	__u32 dev;

	if (inode == NULL)
		return (0);
	dev = BPF_CORE_READ(inode, i_sb, s_dev);
	ino = BPF_CORE_READ(inode, i_ino);
	return (((__u64)((dev >> 20) & 0xff) << REC_OBJ_MAJOR_SHIFT) |
	    (((__u64)dev & REC_OBJ_MINOR_MASK) << REC_OBJ_MINOR_SHIFT) |
	    (ino & REC_OBJ_INO_MASK));
}

/* Object id of a page-cache mapping (its inode), 0 for none. */
static __always_inline __u64
obj_of_mapping(struct address_space *mapping)
{
	if (mapping == NULL)
		return (0);
	return (obj_of_inode(BPF_CORE_READ(mapping, host)));
}

/* Whether the current task is reclaiming memory (PF_MEMALLOC). */
static __always_inline bool
in_reclaim(void)
{
	struct task_struct *t = (struct task_struct *)bpf_get_current_task();

	return ((BPF_CORE_READ(t, flags) & PF_MEMALLOC) != 0);
}

/* The current task's address space, 0 for a kernel thread. */
static __always_inline __u64
current_mm(void)
{
	struct task_struct *t = (struct task_struct *)bpf_get_current_task();

	return ((__u64)BPF_CORE_READ(t, mm));
}

/*
 * A folio's object: the inode of a page-cache folio; for an anonymous one
 * (mapping bit 0, PAGE_MAPPING_ANON) the current address space's anonymous
 * object.  0 when there is none (movable-ops pages, kernel threads).
 */
static __always_inline __u64
obj_of_folio(struct folio *folio)
{
	__u64 m, mm;

	m = (__u64)BPF_CORE_READ(folio, mapping);
	if (m == 0)
		return (0);
	if ((m & 3) == 2)
		return (0);
	if (m & 1) {
		mm = current_mm();
		return (mm == 0 ? 0 : mm | REC_OBJ_ANON);
	}
	return (obj_of_mapping((struct address_space *)m));
}

/*
 * Pages in a folio: 1, or 2^order for a large folio (PG_head set; the order
 * is the low byte of the first tail page's flags, folio->_flags_1, in
 * the kernels that have that field; older ones report 1).
 */
static __always_inline __u32
folio_npages(struct folio *folio)
{
	unsigned long flags = 0, flags1 = 0;
	int head = bpf_core_enum_value(enum pageflags, PG_head);
	__u32 order;

	bpf_core_read(&flags, sizeof(flags), &folio->flags);
	if (!(flags & (1UL << head)))
		return (1);
	if (!bpf_core_field_exists(folio->_flags_1))
		return (1);
	flags1 = BPF_CORE_READ(folio, _flags_1);
	order = flags1 & 0xff;
	if (order > MAX_FOLIO_ORDER)
		order = MAX_FOLIO_ORDER;
	return (1U << order);
}

/* Whether the folio is on an active LRU list (PG_active). */
static __always_inline bool
folio_active(struct folio *folio)
{
	unsigned long flags = 0;
	int active = bpf_core_enum_value(enum pageflags, PG_active);

	bpf_core_read(&flags, sizeof(flags), &folio->flags);
	return ((flags & (1UL << active)) != 0);
}

/* A folio event: kind on the folio's object and pages. */
static __always_inline void
emit_folio(enum rec_hook hook, __u8 kind, struct folio *folio)
{
	if (!current_followed())
		return;
	hit(hook);
	emit_range(kind, obj_of_folio(folio),
	    (__u64)BPF_CORE_READ(folio, index), folio_npages(folio), 0, 0);
}

/* A mapping range event: kind on pages [first, last] of mapping. */
static __always_inline void
emit_mapping(enum rec_hook hook, __u8 kind, struct address_space *mapping,
    __u64 first, __u64 last, __u8 flags)
{
	if (!current_followed())
		return;
	hit(hook);
	emit_range(kind, obj_of_mapping(mapping), first,
	    last >= first ? last - first + 1 : 1, flags, 0);
}

/* --- process tree ---------------------------------------------------- */

/*
 * A fork by a followed process: follow the child; a new process (not a
 * thread) uses its own address space, or its parent's under CLONE_VM.
 * With CMD, the recorder's own fork of CMD is followed from here, so
 * nothing CMD's process does escapes (a seed after fork() returned would
 * miss its first faults); a CLONE_VM clone of the recorder (a sanitizer's
 * helper task) is not CMD.
 */
static __always_inline void
on_fork(struct task_struct *parent, struct task_struct *child)
{
	__u32 ptgid = BPF_CORE_READ(parent, tgid);
	__u32 ctgid = BPF_CORE_READ(child, tgid);
	bool cmd = follow_cmd && ptgid == self_tgid && ctgid != ptgid &&
	    BPF_CORE_READ(child, mm) != BPF_CORE_READ(parent, mm);
	__u8 one = 1;

	if (!cmd && !tgid_followed(ptgid))
		return;
	hit(HOOK_FORK);
	if (ctgid == ptgid)
		return;		/* a thread */
	if (!follow_all)
		bpf_map_update_elem(&tgids, &ctgid, &one, BPF_ANY);
	mm_get(ctgid, (__u64)BPF_CORE_READ(child, mm));
}

/* exec: the old address space is left, a new one starts. */
static __always_inline void
on_exec(struct task_struct *p)
{
	__u32 tgid = BPF_CORE_READ(p, tgid);

	if (!tgid_followed(tgid))
		return;
	hit(HOOK_EXEC);
	mm_put(tgid, 0);
	mm_get(tgid, (__u64)BPF_CORE_READ(p, mm));
}

/*
 * The last thread of a followed process exits: its address space ends.
 * The process stays followed until it is freed (on_free): after this
 * tracepoint do_exit() still closes its files, and the last close of an
 * unlinked file evicts it, whose removals and end are the process's.
 */
static __always_inline void
on_exit(struct task_struct *p)
{
	__u32 tgid = BPF_CORE_READ(p, tgid);

	if (!tgid_followed(tgid))
		return;
	hit(HOOK_EXIT);
	if (BPF_CORE_READ(p, signal, live.counter) != 0)
		return;
	mm_put(tgid, (__u64)BPF_CORE_READ(p, mm));
}

/*
 * A task is freed (after it was reaped): the group leader's free stops
 * following its process.  A leader outlives the other threads.
 */
static __always_inline void
on_free(struct task_struct *p)
{
	__u32 tgid = BPF_CORE_READ(p, tgid);

	if (follow_all || BPF_CORE_READ(p, pid) != (int)tgid ||
	    !tgid_followed(tgid))
		return;
	hit(HOOK_FREE);
	bpf_map_delete_elem(&tgids, &tgid);
}

SEC("tp_btf/sched_process_fork")
int BPF_PROG(fork_btf, struct task_struct *parent, struct task_struct *child)
{
	on_fork(parent, child);
	return (0);
}

SEC("raw_tp/sched_process_fork")
int BPF_PROG(fork_raw, struct task_struct *parent, struct task_struct *child)
{
	on_fork(parent, child);
	return (0);
}

SEC("tp_btf/sched_process_exec")
int BPF_PROG(exec_btf, struct task_struct *p)
{
	on_exec(p);
	return (0);
}

SEC("raw_tp/sched_process_exec")
int BPF_PROG(exec_raw, struct task_struct *p)
{
	on_exec(p);
	return (0);
}

SEC("tp_btf/sched_process_exit")
int BPF_PROG(exit_btf, struct task_struct *p)
{
	on_exit(p);
	return (0);
}

SEC("raw_tp/sched_process_exit")
int BPF_PROG(exit_raw, struct task_struct *p)
{
	on_exit(p);
	return (0);
}

SEC("tp_btf/sched_process_free")
int BPF_PROG(free_btf, struct task_struct *p)
{
	on_free(p);
	return (0);
}

SEC("raw_tp/sched_process_free")
int BPF_PROG(free_raw, struct task_struct *p)
{
	on_free(p);
	return (0);
}

/* --- page cache ------------------------------------------------------ */

/* Whether the current thread is in the DONTNEED of its sendfile of obj. */
static __always_inline bool
dropping(__u64 obj)
{
	struct send_range *sr;
	__u32 tid;

	if (sends_outstanding == 0)
		return (false);
	tid = (__u32)bpf_get_current_pid_tgid();
	sr = bpf_map_lookup_elem(&sending, &tid);
	return (sr != NULL && sr->state == SR_DROPPING && sr->obj == obj);
}

/* Whether the current thread is in a DONTNEED of obj that is an event. */
static __always_inline bool
advised(__u64 obj)
{
	__u64 *o;
	__u32 tid;

	if (advises_outstanding == 0)
		return (false);
	tid = (__u32)bpf_get_current_pid_tgid();
	o = bpf_map_lookup_elem(&advising, &tid);
	return (o != NULL && *o == obj);
}

/*
 * Whether a recorded task mapped one of pages [pindex, pindex + n) of obj
 * (the first FOLD_PAGES) since they were inserted; forgets them.
 */
static __always_inline bool
was_mapped(__u64 obj, __u64 pindex, __u32 n)
{
	bool any = false;
	__u64 key;
	__u32 i;

	for (i = 0; i < FOLD_PAGES && i < n; i++) {
		key = page_key(obj, pindex + i);
		if (bpf_map_delete_elem(&mapped, &key) == 0)
			any = true;
	}
	return (any);
}

/*
 * A folio leaves the page cache.  A removal by a followed task outside
 * reclaim is its own (REC_H_OWN).  Outside an eviction, a page a recorded
 * task mapped is unmapped everywhere first (REC_REMOVE_ALL): FreeBSD's
 * vm_object_page_remove() and page daemon call vm_page_try_remove_all() on
 * the pages of a referenced object, where Linux unmapped it already
 * (unmap_mapping_folio, try_to_unmap) without a tracepoint.  A removal
 * from an inode a followed task is evicting belongs to that eviction,
 * whoever runs it (reclaim may race the truncation), and the last one ends
 * the object (struct evicting).  With nocache, the removals of a DONTNEED
 * that stands for a NOCACHE sendfile are none (sending); those of any
 * other DONTNEED are that advice's (advising).
 */
static __always_inline void
on_delete(struct folio *folio)
{
	struct evicting *ev;
	struct inode *host;
	__u64 key, obj, pindex;
	__u32 n, hint;

	host = BPF_CORE_READ(folio, mapping, host);
	key = (__u64)host;
	ev = key == 0 ? NULL : bpf_map_lookup_elem(&evicting, &key);
	obj = obj_of_inode(host);
	if (ev != NULL && ev->obj != obj) {
		bpf_map_delete_elem(&evicting, &key);	/* a reused inode */
		ev = NULL;
	}
	if (ev == NULL && !current_followed())
		return;
	hit(HOOK_DELETE_FROM_PAGE_CACHE);
	n = folio_npages(folio);
	pindex = (__u64)BPF_CORE_READ(folio, index);
	if (ev == NULL) {
		if (dropping(obj)) {
			hit(HOOK_NOCACHE_FOLDED);
			return;
		}
		if (advised(obj)) {
			hit(HOOK_DONTNEED_FOLDED);
			return;
		}
		hint = in_reclaim() ? 0 : REC_H_OWN;
		if (derive_remove_all && was_mapped(obj, pindex, n)) {
			hit(HOOK_REMOVE_MAPPED);
			emit_range(REC_REMOVE_ALL, obj, pindex, n, 0, hint);
		}
		emit_range(REC_PAGE_REMOVE, obj, pindex, n, 0, hint);
		return;
	}
	emit_range(REC_PAGE_REMOVE, obj, pindex, n, 0, ev->hint);
	if (__sync_fetch_and_add(&ev->pages, -(__s64)n) > (__s64)n)
		return;
	if (bpf_map_delete_elem(&evicting, &key) == 0)
		emit_whole(REC_OBJ_TERMINATE, obj, 0);
}

/*
 * A folio enters the page cache: a page insertion, marked fresh for its
 * LRU insertion, unless the thread is in a sendfile of that file (the
 * sendfile event allocates it).
 */
static __always_inline void
on_add(struct folio *folio)
{
	struct send_range *sr;
	__u64 obj, pindex;
	__u32 tid;

	if (!current_followed())
		return;
	hit(HOOK_ADD_TO_PAGE_CACHE);
	obj = obj_of_folio(folio);
	pindex = (__u64)BPF_CORE_READ(folio, index);
	if (obj != 0)
		page_mark(&fresh, obj, pindex);
	if (sends_outstanding != 0 && obj != 0) {
		tid = (__u32)bpf_get_current_pid_tgid();
		sr = bpf_map_lookup_elem(&sending, &tid);
		if (sr != NULL && sr->state == SR_SENDING && sr->obj == obj) {
			hit(HOOK_SENDFILE_FOLDED);
			return;
		}
	}
	emit_range(REC_PAGE_INSERT, obj, pindex, folio_npages(folio), 0, 0);
}

SEC("tp_btf/mm_filemap_add_to_page_cache")
int BPF_PROG(add_btf, struct folio *folio)
{
	on_add(folio);
	return (0);
}

SEC("raw_tp/mm_filemap_add_to_page_cache")
int BPF_PROG(add_raw, struct folio *folio)
{
	on_add(folio);
	return (0);
}

SEC("tp_btf/mm_filemap_delete_from_page_cache")
int BPF_PROG(delete_btf, struct folio *folio)
{
	on_delete(folio);
	return (0);
}

SEC("raw_tp/mm_filemap_delete_from_page_cache")
int BPF_PROG(delete_raw, struct folio *folio)
{
	on_delete(folio);
	return (0);
}

SEC("tp_btf/mm_filemap_get_pages")
int BPF_PROG(get_pages_btf, struct address_space *mapping,
    unsigned long first, unsigned long last)
{
	emit_mapping(HOOK_GET_PAGES, REC_PAGE_LOOKUP, mapping, first, last, 0);
	return (0);
}

SEC("raw_tp/mm_filemap_get_pages")
int BPF_PROG(get_pages_raw, struct address_space *mapping,
    unsigned long first, unsigned long last)
{
	emit_mapping(HOOK_GET_PAGES, REC_PAGE_LOOKUP, mapping, first, last, 0);
	return (0);
}

/*
 * Fault-around: the pages [first, last] of mapping are looked up (flag
 * FAULT_AROUND: the fault's lookup, not a read's) and, when the thread's
 * fault in progress maps that file, mapped at the matching addresses of
 * its vma.
 */
static __always_inline void
on_map_pages(struct address_space *mapping, __u64 first, __u64 last)
{
	struct fault_vma *fv;
	struct rec_event *r;
	__u32 i, tid = (__u32)bpf_get_current_pid_tgid();
	__u64 obj;

	emit_mapping(HOOK_MAP_PAGES, REC_PAGE_LOOKUP, mapping, first, last,
	    REC_F_FAULT_AROUND);
	fv = bpf_map_lookup_elem(&faulting, &tid);
	if (fv == NULL)
		return;
	obj = obj_of_mapping(mapping);
	if (obj == 0 || obj != fv->obj || fv->mm != current_mm() ||
	    first < fv->pgoff ||
	    last < first || last >= fv->pgoff + fv->npages)
		return;
	for (i = 0; i < FOLD_PAGES && first + i <= last; i++)
		page_mark(&mapped, obj, first + i);
	r = rec_reserve(REC_MAP);
	if (r == NULL)
		return;
	r->pmap = fv->mm;
	r->addr = fv->start + ((first - fv->pgoff) << PAGE_SHIFT);
	r->obj = obj;
	r->pindex = first;
	r->npages = last - first + 1 > MAX_RANGE ? MAX_RANGE :
	    last - first + 1;
	rec_submit(r);
}

SEC("tp_btf/mm_filemap_map_pages")
int BPF_PROG(map_pages_btf, struct address_space *mapping,
    unsigned long first, unsigned long last)
{
	on_map_pages(mapping, first, last);
	return (0);
}

SEC("raw_tp/mm_filemap_map_pages")
int BPF_PROG(map_pages_raw, struct address_space *mapping,
    unsigned long first, unsigned long last)
{
	on_map_pages(mapping, first, last);
	return (0);
}

/* --- page queues ----------------------------------------------------- */

/*
 * A folio joins an LRU list.  A fresh page (fresh: just inserted or
 * faulted) is being enqueued by its allocation: no event.  Any other file
 * page is put back after isolation (folio_putback_lru: migration,
 * compaction, munlock): the active queue, or a requeue on the inactive
 * one; any other anonymous one is skipped (counted).
 */
static __always_inline void
on_lru_insertion(struct folio *folio)
{
	__u64 obj, pindex, key;

	if (!current_followed())
		return;
	hit(HOOK_LRU_INSERTION);
	obj = obj_of_folio(folio);
	pindex = (__u64)BPF_CORE_READ(folio, index);
	key = page_key(fresh_obj(obj), pindex);
	if (obj != 0 && bpf_map_delete_elem(&fresh, &key) == 0) {
		hit(HOOK_LRU_FOLDED);
		return;
	}
	if (obj & REC_OBJ_ANON) {
		/*
		 * An anonymous folio names its anon_vma, not its address
		 * space: one no fault explains is another process's (its
		 * per-CPU LRU batch drained here, compaction or migration
		 * running here), or one allocated without a fault (exec's
		 * stack, get_user_pages).
		 */
		hit(HOOK_LRU_ANON_UNOWNED);
		return;
	}
	emit_range(folio_active(folio) ? REC_ACTIVATE : REC_REQUEUE, obj,
	    pindex, folio_npages(folio), 0, 0);
}

SEC("tp_btf/mm_lru_insertion")
int BPF_PROG(lru_insertion_btf, struct folio *folio)
{
	on_lru_insertion(folio);
	return (0);
}

SEC("raw_tp/mm_lru_insertion")
int BPF_PROG(lru_insertion_raw, struct folio *folio)
{
	on_lru_insertion(folio);
	return (0);
}

SEC("tp_btf/mm_lru_activate")
int BPF_PROG(lru_activate_btf, struct folio *folio)
{
	emit_folio(HOOK_LRU_ACTIVATE, REC_ACTIVATE, folio);
	return (0);
}

SEC("raw_tp/mm_lru_activate")
int BPF_PROG(lru_activate_raw, struct folio *folio)
{
	emit_folio(HOOK_LRU_ACTIVATE, REC_ACTIVATE, folio);
	return (0);
}

/* Reclaim isolates pages from an LRU list: a page-daemon scan. */
static __always_inline void
on_lru_isolate(unsigned long nr_scanned)
{
	struct rec_event *r;

	if (!current_followed())
		return;
	hit(HOOK_LRU_ISOLATE);
	r = rec_reserve(REC_SCAN);
	if (r == NULL)
		return;
	r->arg = nr_scanned;
	rec_submit(r);
}

SEC("tp_btf/mm_vmscan_lru_isolate")
int BPF_PROG(lru_isolate_btf, int zoneidx, int order,
    unsigned long nr_requested, unsigned long nr_scanned)
{
	on_lru_isolate(nr_scanned);
	return (0);
}

SEC("raw_tp/mm_vmscan_lru_isolate")
int BPF_PROG(lru_isolate_raw, int zoneidx, int order,
    unsigned long nr_requested, unsigned long nr_scanned)
{
	on_lru_isolate(nr_scanned);
	return (0);
}

/* --- mappings -------------------------------------------------------- */

/* bpf_find_vma() callback: the vma's range, offset and file object. */
static long
fault_vma(struct task_struct *task, struct vm_area_struct *vma, void *data)
{
	struct fault_vma *fv = data;
	struct file *file;

	fv->start = BPF_CORE_READ(vma, vm_start);
	fv->pgoff = BPF_CORE_READ(vma, vm_pgoff);
	fv->npages = (BPF_CORE_READ(vma, vm_end) - fv->start) >> PAGE_SHIFT;
	file = BPF_CORE_READ(vma, vm_file);
	fv->obj = file == NULL ? 0 : obj_of_inode(BPF_CORE_READ(file, f_inode));
	return (0);
}

/*
 * The vma of mm holding addr into *fv: from the cache, else looked up and
 * cached.  Returns 0, -ENOENT (no vma: the fault fails) or -EBUSY (the
 * lookup could not run now).
 */
static __always_inline long
vma_of(struct task_struct *task, __u64 mm, __u64 addr, struct fault_vma *fv)
{
	struct vma_cache *vc, nvc;
	struct fault_vma *v;
	long err;
	__u32 i;

	vc = bpf_map_lookup_elem(&vmacache, &mm);
	if (vc != NULL) {
		for (i = 0; i < VMA_SLOTS; i++) {
			v = &vc->slot[i];
			if (v->npages != 0 && addr >= v->start &&
			    addr < v->start + (v->npages << PAGE_SHIFT)) {
				*fv = *v;
				return (0);
			}
		}
	}
	hit(HOOK_VMA_LOOKUP);
	err = bpf_find_vma(task, addr, fault_vma, fv, 0);
	if (err != 0)
		return (err);
	fv->mm = mm;
	if (vc != NULL) {
		i = vc->next & (VMA_SLOTS - 1);
		vc->slot[i] = *fv;
		vc->next = i + 1;
		return (0);
	}
	__builtin_memset(&nvc, 0, sizeof(nvc));
	nvc.slot[0] = *fv;
	nvc.next = 1;
	bpf_map_update_elem(&vmacache, &mm, &nvc, BPF_NOEXIST);
	return (0);
}

/*
 * A page fault on a user address by a followed task: MAP of the page,
 * on the vma's file at its page offset, or on the address space's
 * anonymous object at the virtual page number.  Taken at fault entry.
 */
static __always_inline void
on_fault(unsigned long address, unsigned long error_code)
{
	struct task_struct *task;
	struct fault_vma fv;
	struct rec_event *r;
	__u64 mm, addr, obj, pindex;
	__u32 tgid, tid;
	long err;

	if (address >= USER_TOP || !current_followed())
		return;
	task = bpf_get_current_task_btf();
	mm = (__u64)BPF_CORE_READ(task, mm);
	if (mm == 0)
		return;
	hit(HOOK_FAULT);
	tgid = bpf_get_current_pid_tgid() >> 32;
	if (bpf_map_lookup_elem(&tgmm, &tgid) == NULL)
		mm_get(tgid, mm);	/* first sight of this process's mm */
	__builtin_memset(&fv, 0, sizeof(fv));
	addr = address & ~(PAGE_SIZE - 1);
	obj = mm | REC_OBJ_ANON;
	pindex = addr >> PAGE_SHIFT;
	err = vma_of(task, mm, addr, &fv);
	if (err == -ENOENT)
		return;		/* no vma: the fault fails */
	if (err == -EBUSY)
		hit(HOOK_VMA_BUSY);	/* taken as anonymous */
	tid = (__u32)bpf_get_current_pid_tgid();
	/*
	 * Only file faults leave their vma for fault-around (an anonymous
	 * fault has none; a stale entry is told apart by mm and file).
	 */
	if (err == 0 && fv.obj != 0) {
		obj = fv.obj;
		pindex = fv.pgoff + ((addr - fv.start) >> PAGE_SHIFT);
		bpf_map_update_elem(&faulting, &tid, &fv, BPF_ANY);
		page_mark(&mapped, obj, pindex);
		/* A write to a private mapping copies it anonymously. */
		if (error_code & X86_PF_WRITE)
			page_mark(&fresh, REC_OBJ_ANON, pindex);
	}
	page_mark(&fresh, fresh_obj(obj), pindex);
	r = rec_reserve(REC_MAP);
	if (r == NULL)
		return;
	r->pmap = mm;
	r->addr = addr;
	r->obj = obj;
	r->pindex = pindex;
	r->npages = 1;
	r->flags = (error_code & X86_PF_WRITE) ? REC_F_WRITE : 0;
	rec_submit(r);
}

SEC("tp_btf/page_fault_user")
int BPF_PROG(fault_user_btf, unsigned long address, struct pt_regs *regs,
    unsigned long error_code)
{
	on_fault(address, error_code);
	return (0);
}

SEC("raw_tp/page_fault_user")
int BPF_PROG(fault_user_raw, unsigned long address, struct pt_regs *regs,
    unsigned long error_code)
{
	on_fault(address, error_code);
	return (0);
}

/* The kernel touching user memory (copy_to_user and friends). */
SEC("tp_btf/page_fault_kernel")
int BPF_PROG(fault_kernel_btf, unsigned long address, struct pt_regs *regs,
    unsigned long error_code)
{
	on_fault(address, error_code);
	return (0);
}

SEC("raw_tp/page_fault_kernel")
int BPF_PROG(fault_kernel_raw, unsigned long address, struct pt_regs *regs,
    unsigned long error_code)
{
	on_fault(address, error_code);
	return (0);
}

/*
 * Direct I/O (a read or write on an O_DIRECT file): the model's
 * extract-and-hold plus a wire of the user buffer's pages, taken as the
 * address space's anonymous object.  The range is remembered per thread and
 * unwired when the system call returns (synchronous direct I/O completes
 * before that).
 */
static __always_inline void
on_direct_io(__u64 start, __u64 len)
{
	struct pin_range *pr, nr;
	struct rec_event *r;
	__u32 tid = (__u32)bpf_get_current_pid_tgid();
	__u64 mm, lo, n;

	mm = current_mm();
	if (mm == 0 || len == 0)
		return;
	hit(HOOK_PIN);
	lo = start >> PAGE_SHIFT;
	n = ((start + len + PAGE_SIZE - 1) >> PAGE_SHIFT) - lo;
	r = rec_reserve(REC_EXTRACT_HOLD);
	if (r != NULL) {
		r->pmap = mm;
		r->addr = lo << PAGE_SHIFT;
		r->npages = n > MAX_RANGE ? MAX_RANGE : n;
		rec_submit(r);
	}
	emit_range(REC_WIRE, mm | REC_OBJ_ANON, lo, n, 0, 0);
	pr = bpf_map_lookup_elem(&pins, &tid);
	if (pr != NULL) {
		if (lo < pr->lo)
			pr->lo = lo;
		if (lo + n > pr->hi)
			pr->hi = lo + n;
		return;
	}
	nr.pmap = mm;
	nr.lo = lo;
	nr.hi = lo + n;
	if (bpf_map_update_elem(&pins, &tid, &nr, BPF_NOEXIST) == 0)
		__sync_fetch_and_add(&pins_outstanding, 1);
}

/*
 * A system call returns: forget the cached vmas if it changed mappings,
 * the DONTNEED and the sendfile range, unwire what the thread's direct I/O
 * wired.
 */
static __always_inline void
on_sys_exit(void)
{
	struct send_range *sr;
	struct pin_range *pr;
	__u64 mm;
	__u32 tid;

	if (remaps_outstanding != 0) {
		tid = (__u32)bpf_get_current_pid_tgid();
		if (bpf_map_lookup_elem(&remapping, &tid) != NULL) {
			mm = current_mm();
			bpf_map_delete_elem(&vmacache, &mm);
			if (bpf_map_delete_elem(&remapping, &tid) == 0)
				__sync_fetch_and_sub(&remaps_outstanding, 1);
		}
	}
	if (advises_outstanding != 0) {
		tid = (__u32)bpf_get_current_pid_tgid();
		if (bpf_map_delete_elem(&advising, &tid) == 0)
			__sync_fetch_and_sub(&advises_outstanding, 1);
	}
	if (sends_outstanding != 0) {
		tid = (__u32)bpf_get_current_pid_tgid();
		sr = bpf_map_lookup_elem(&sending, &tid);
		if (sr != NULL && sr->state != SR_SENT) {
			sr->state = SR_SENT;
			__sync_fetch_and_sub(&sends_outstanding, 1);
		}
	}
	if (pins_outstanding == 0)
		return;
	tid = (__u32)bpf_get_current_pid_tgid();
	pr = bpf_map_lookup_elem(&pins, &tid);
	if (pr == NULL)
		return;
	hit(HOOK_UNPIN);
	emit_range(REC_UNWIRE, pr->pmap | REC_OBJ_ANON, pr->lo,
	    pr->hi - pr->lo, 0, 0);
	if (bpf_map_delete_elem(&pins, &tid) == 0)
		__sync_fetch_and_sub(&pins_outstanding, 1);
}

SEC("tp_btf/sys_exit")
int BPF_PROG(sys_exit_btf)
{
	on_sys_exit();
	return (0);
}

SEC("raw_tp/sys_exit")
int BPF_PROG(sys_exit_raw)
{
	on_sys_exit();
	return (0);
}

/* The file open on fd in the current task, or NULL. */
static __always_inline struct file *
fd_file(long fd)
{
	struct task_struct *t = (struct task_struct *)bpf_get_current_task();
	struct fdtable *fdt;
	struct file **fds;
	struct file *f = NULL;

	if (fd < 0)
		return (NULL);
	fdt = BPF_CORE_READ(t, files, fdt);
	if (fdt == NULL || fd >= BPF_CORE_READ(fdt, max_fds))
		return (NULL);
	fds = BPF_CORE_READ(fdt, fd);
	if (bpf_probe_read_kernel(&f, sizeof(f), &fds[fd]) != 0)
		return (NULL);
	return (f);
}

/* Pages [off, off + len) as (first page, count), len clipped to size. */
static __always_inline void
byte_range(__u64 off, __u64 len, __u64 size, __u64 *first, __u64 *n)
{
	if (len == 0 || off + len > size)
		len = size > off ? size - off : 1;
	*first = off >> PAGE_SHIFT;
	*n = ((off + len + PAGE_SIZE - 1) >> PAGE_SHIFT) - *first;
}

/* munmap(addr, len) by a recorded task. */
static __always_inline void
on_munmap(unsigned long addr, unsigned long len)
{
	struct rec_event *r;

	hit(HOOK_MUNMAP);
	r = rec_reserve(REC_UNMAP);
	if (r == NULL)
		return;
	r->pmap = current_mm();
	r->addr = addr & ~(PAGE_SIZE - 1);
	r->npages = (len + PAGE_SIZE - 1) >> PAGE_SHIFT;
	rec_submit(r);
}

/*
 * sendfile(out, in_fd, uoff, count): the range of in_fd's file sent,
 * remembered until the call returns (on_add).
 */
static __always_inline void
on_sendfile(long in_fd, loff_t *uoff, unsigned long count)
{
	struct send_range sr, *old;
	struct rec_event *r;
	__u32 tid = (__u32)bpf_get_current_pid_tgid();
	__u8 one = 1;
	struct inode *inode;
	struct file *f;
	__u64 off = 0, first, n;

	f = fd_file(in_fd);
	if (f == NULL)
		return;
	hit(HOOK_SENDFILE);
	if (uoff != NULL)
		bpf_probe_read_user(&off, sizeof(off), uoff);
	else
		off = BPF_CORE_READ(f, f_pos);
	inode = BPF_CORE_READ(f, f_inode);
	byte_range(off, count, BPF_CORE_READ(inode, i_size), &first, &n);
	sr.obj = obj_of_inode(inode);
	sr.state = SR_SENDING;
	sr.pad = 0;
	old = bpf_map_lookup_elem(&sending, &tid);
	if (old == NULL || old->state == SR_SENT)
		__sync_fetch_and_add(&sends_outstanding, 1);
	bpf_map_update_elem(&sending, &tid, &sr, BPF_ANY);
	if (nocache)
		bpf_map_update_elem(&sent, &sr.obj, &one, BPF_ANY);
	r = rec_reserve(REC_SENDFILE);
	if (r == NULL)
		return;
	r->obj = sr.obj;
	r->pindex = first;
	r->npages = n;
	r->addr = off;
	r->arg = count;
	rec_submit(r);
}

/*
 * fadvise64(fd, off, len, advice): DONTNEED and NOREUSE only; with nocache
 * a DONTNEED of a file a sendfile sent is that sendfile's (sending).
 */
static __always_inline void
on_fadvise(long fd, __u64 off, __u64 len, long advice)
{
	struct send_range *sr;
	struct inode *inode;
	__u64 obj;
	__u32 tid;
	struct file *f;
	__u64 first, n;

	if (advice != POSIX_FADV_DONTNEED && advice != POSIX_FADV_NOREUSE)
		return;
	f = fd_file(fd);
	if (f == NULL)
		return;
	hit(HOOK_FADVISE);
	inode = BPF_CORE_READ(f, f_inode);
	byte_range(off, len, BPF_CORE_READ(inode, i_size), &first, &n);
	obj = obj_of_inode(inode);
	if (nocache && advice == POSIX_FADV_DONTNEED &&
	    bpf_map_lookup_elem(&sent, &obj) != NULL) {
		tid = (__u32)bpf_get_current_pid_tgid();
		sr = bpf_map_lookup_elem(&sending, &tid);
		if (sr != NULL && sr->state == SR_SENT) {
			sr->obj = obj;
			sr->state = SR_DROPPING;
			__sync_fetch_and_add(&sends_outstanding, 1);
			hit(HOOK_NOCACHE_FOLDED);
			return;
		}
	}
	if (advice == POSIX_FADV_DONTNEED) {
		emit_range(REC_RELEASE, obj, first, n, REC_F_NOCACHE, 0);
		tid = (__u32)bpf_get_current_pid_tgid();
		if (bpf_map_update_elem(&advising, &tid, &obj,
		    BPF_NOEXIST) == 0)
			__sync_fetch_and_add(&advises_outstanding, 1);
	} else
		emit_range(REC_DEACTIVATE, obj, first, n, REC_F_HEAD, 0);
}

/* A read or write of fd: direct I/O when fd is open with O_DIRECT. */
static __always_inline void
on_rw(long fd, __u64 buf, __u64 len)
{
	struct file *f;

	f = fd_file(fd);
	if (f == NULL || !(BPF_CORE_READ(f, f_flags) & O_DIRECT))
		return;
	on_direct_io(buf, len);
}

/*
 * Every system call enters here; only the ones the model needs, by a
 * recorded task, go on (the syscall numbers are knobs set by record.c).
 */
static __always_inline void
on_sys_enter(struct pt_regs *regs, long id)
{
	__u32 tid;
	__u64 mm;
	__u8 one = 1;

	if (id != nr_read && id != nr_write && id != nr_pread &&
	    id != nr_pwrite && id != nr_munmap && id != nr_sendfile &&
	    id != nr_fadvise && id != nr_mmap && id != nr_mremap &&
	    id != nr_brk)
		return;
	if (!current_followed())
		return;
	if (id == nr_munmap || id == nr_mmap || id == nr_mremap ||
	    id == nr_brk) {
		/* Mappings change: no cached vma until the call returns. */
		mm = current_mm();
		bpf_map_delete_elem(&vmacache, &mm);
		tid = (__u32)bpf_get_current_pid_tgid();
		if (bpf_map_update_elem(&remapping, &tid, &one,
		    BPF_NOEXIST) == 0)
			__sync_fetch_and_add(&remaps_outstanding, 1);
		if (id != nr_munmap)
			return;
	}
	if (id == nr_read || id == nr_write || id == nr_pread ||
	    id == nr_pwrite)
		on_rw(PT_REGS_PARM1_CORE_SYSCALL(regs),
		    PT_REGS_PARM2_CORE_SYSCALL(regs),
		    PT_REGS_PARM3_CORE_SYSCALL(regs));
	else if (id == nr_munmap)
		on_munmap(PT_REGS_PARM1_CORE_SYSCALL(regs),
		    PT_REGS_PARM2_CORE_SYSCALL(regs));
	else if (id == nr_sendfile)
		on_sendfile(PT_REGS_PARM2_CORE_SYSCALL(regs),
		    (loff_t *)PT_REGS_PARM3_CORE_SYSCALL(regs),
		    PT_REGS_PARM4_CORE_SYSCALL(regs));
	else
		on_fadvise(PT_REGS_PARM1_CORE_SYSCALL(regs),
		    PT_REGS_PARM2_CORE_SYSCALL(regs),
		    PT_REGS_PARM3_CORE_SYSCALL(regs),
		    PT_REGS_PARM4_CORE_SYSCALL(regs));
}

SEC("tp_btf/sys_enter")
int BPF_PROG(sys_enter_btf, struct pt_regs *regs, long id)
{
	on_sys_enter(regs, id);
	return (0);
}

SEC("raw_tp/sys_enter")
int BPF_PROG(sys_enter_raw, struct pt_regs *regs, long id)
{
	on_sys_enter(regs, id);
	return (0);
}

/* --- reverse mappings and object end -------------------------------- */

/*
 * ext4 writes back a run of dirty pages (ext4_do_writepages: one round of
 * mpage_prepare_extent_to_map between these tracepoints): FreeBSD
 * write-protects every page it starts writing (vfs_busy_pages,
 * vm_pageout_flush: pmap_remove_write).  The round's pages are the
 * wbc->nr_to_write it consumed, ending at next_pos.  Any task's rounds are
 * taken: the flusher threads write back what the followed tasks dirtied,
 * and record.c keeps, following a tree, those on objects the tree touched.
 */
static __always_inline void
on_wb_start(struct writeback_control *wbc)
{
	__u32 tid = (__u32)bpf_get_current_pid_tgid();
	__s64 left;

	if (!derive_remove_write ||
	    bpf_get_current_pid_tgid() >> 32 == self_tgid)
		return;
	left = BPF_CORE_READ(wbc, nr_to_write);
	bpf_map_update_elem(&wbround, &tid, &left, BPF_ANY);
}

static __always_inline void
on_wb_end(struct inode *inode, __u64 next_pos, struct writeback_control *wbc)
{
	__u32 tid = (__u32)bpf_get_current_pid_tgid();
	__s64 *left, n;
	__u64 end;

	left = bpf_map_lookup_elem(&wbround, &tid);
	if (left == NULL)
		return;
	n = *left - BPF_CORE_READ(wbc, nr_to_write);
	bpf_map_delete_elem(&wbround, &tid);
	end = next_pos >> PAGE_SHIFT;
	if (n <= 0 || (__u64)n > end)
		return;
	hit(HOOK_WRITEBACK);
	emit_range(REC_REMOVE_WRITE, obj_of_inode(inode), end - n, n, 0, 0);
}

SEC("tp_btf/ext4_da_write_folios_start")
int BPF_PROG(wb_start_btf, struct inode *inode, loff_t start_pos,
    loff_t next_pos, struct writeback_control *wbc)
{
	on_wb_start(wbc);
	return (0);
}

SEC("raw_tp/ext4_da_write_folios_start")
int BPF_PROG(wb_start_raw, struct inode *inode, loff_t start_pos,
    loff_t next_pos, struct writeback_control *wbc)
{
	on_wb_start(wbc);
	return (0);
}

SEC("tp_btf/ext4_da_write_folios_end")
int BPF_PROG(wb_end_btf, struct inode *inode, loff_t start_pos,
    loff_t next_pos, struct writeback_control *wbc, int ret)
{
	on_wb_end(inode, next_pos, wbc);
	return (0);
}

SEC("raw_tp/ext4_da_write_folios_end")
int BPF_PROG(wb_end_raw, struct inode *inode, loff_t start_pos,
    loff_t next_pos, struct writeback_control *wbc, int ret)
{
	on_wb_end(inode, next_pos, wbc);
	return (0);
}

/* Reclaim writes a dirty folio out (pageout): vm_pageout_flush. */
SEC("tp_btf/mm_vmscan_write_folio")
int BPF_PROG(vmscan_write_btf, struct folio *folio)
{
	if (derive_remove_write)
		emit_folio(HOOK_VMSCAN_WRITE, REC_REMOVE_WRITE, folio);
	return (0);
}

SEC("raw_tp/mm_vmscan_write_folio")
int BPF_PROG(vmscan_write_raw, struct folio *folio)
{
	if (derive_remove_write)
		emit_folio(HOOK_VMSCAN_WRITE, REC_REMOVE_WRITE, folio);
	return (0);
}

SEC("fentry/try_to_unmap")
int BPF_PROG(try_to_unmap_fentry, struct folio *folio)
{
	emit_folio(HOOK_TRY_TO_UNMAP, REC_REMOVE_ALL, folio);
	return (0);
}

SEC("kprobe/try_to_unmap")
int BPF_KPROBE(try_to_unmap_kprobe, struct folio *folio)
{
	emit_folio(HOOK_TRY_TO_UNMAP, REC_REMOVE_ALL, folio);
	return (0);
}

SEC("fentry/folio_mkclean")
int BPF_PROG(mkclean_fentry, struct folio *folio)
{
	emit_folio(HOOK_MKCLEAN, REC_REMOVE_WRITE, folio);
	return (0);
}

SEC("kprobe/folio_mkclean")
int BPF_KPROBE(mkclean_kprobe, struct folio *folio)
{
	emit_folio(HOOK_MKCLEAN, REC_REMOVE_WRITE, folio);
	return (0);
}

/*
 * An inode leaves memory (ext4; other file systems have no generic
 * tracepoint and need fentry): the object ends after its pages.  The
 * tracepoint comes first in ext4_evict_inode(), before
 * truncate_inode_pages_final() removes the i_data.nrpages pages still
 * cached (nothing can add one: the inode is I_FREEING), so the end waits
 * in `evicting` for the removal of the last of them (on_delete).
 */
static __always_inline void
on_evict(struct inode *inode)
{
	struct evicting ev;
	__u64 key = (__u64)inode;

	if (!current_followed())
		return;
	ev.obj = obj_of_inode(inode);
	if (ev.obj == 0)
		return;
	hit(HOOK_EVICT);
	ev.pages = (__s64)BPF_CORE_READ(inode, i_data.nrpages);
	ev.hint = in_reclaim() ? 0 : REC_H_OWN;
	ev.pad = 0;
	if (ev.pages > 0 &&
	    bpf_map_update_elem(&evicting, &key, &ev, BPF_ANY) == 0)
		return;
	emit_whole(REC_OBJ_TERMINATE, ev.obj, 0);
}

SEC("tp_btf/ext4_evict_inode")
int BPF_PROG(evict_btf, struct inode *inode)
{
	on_evict(inode);
	return (0);
}

SEC("raw_tp/ext4_evict_inode")
int BPF_PROG(evict_raw, struct inode *inode)
{
	on_evict(inode);
	return (0);
}
