// SPDX-License-Identifier: (BSD-2-Clause OR GPL-2.0)
/*
 * hookcount.bpf.c - an independent counter for the ebpf tests, written
 * apart from the recorder's code: raw_tp programs of its own count the
 * hooks the recorder turns into events, for one inode (any task) and for
 * the process tree under one root (the recorder: its descendants, not the
 * root itself, which is what `record -- CMD` follows).  One global
 * counter per quantity, read by hookcount.c at the end.
 */
#include "vmlinux.h"
#include <bpf/bpf_core_read.h>
#include <bpf/bpf_helpers.h>
#include <bpf/bpf_tracing.h>

char LICENSE[] SEC("license") = "Dual BSD/GPL";

#define USER_TOP		0x00007ffffffff000ULL
#define POSIX_FADV_DONTNEED	4
#define POSIX_FADV_NOREUSE	5

const volatile __u64 target_ino = 0;
const volatile __u32 target_dev = 0;	/* kernel dev_t: major << 20 | minor */
const volatile __u32 root_tgid = 0;	/* count its descendants */
const volatile long nr_munmap = -1;	/* syscall numbers, from hookcount.c */
const volatile long nr_sendfile = -1;
const volatile long nr_fadvise = -1;

/* Descendants of root_tgid (tgid -> 1), added at fork. */
struct {
	__uint(type, BPF_MAP_TYPE_HASH);
	__uint(max_entries, 16384);
	__type(key, __u32);
	__type(value, __u8);
} tree SEC(".maps");

/* On the target inode, by any task. */
__u64 inserts = 0;		/* mm_filemap_add_to_page_cache */
__u64 f_deletes = 0;		/* mm_filemap_delete_from_page_cache */
__u64 f_evicts = 0;		/* ext4_evict_inode */

/* By the tree. */
__u64 adds = 0, deletes = 0, get_pages = 0, map_pages = 0;
__u64 lru_active = 0, lru_inactive = 0, lru_activate = 0, isolate = 0;
__u64 faults = 0, munmaps = 0, sendfiles = 0, dontneed = 0, noreuse = 0;
__u64 dio = 0, forks = 0, forks_newmm = 0, execs = 0, exits = 0;

static __always_inline bool
in_tree(void)
{
	__u32 tgid = bpf_get_current_pid_tgid() >> 32;

	return (bpf_map_lookup_elem(&tree, &tgid) != NULL);
}

static __always_inline bool
is_target(struct folio *folio)
{
	struct inode *host = BPF_CORE_READ(folio, mapping, host);

	return (host != NULL && BPF_CORE_READ(host, i_ino) == target_ino &&
	    BPF_CORE_READ(host, i_sb, s_dev) == target_dev);
}

static __always_inline bool
folio_on_active(struct folio *folio)
{
	unsigned long flags = 0;

	bpf_core_read(&flags, sizeof(flags), &folio->flags);

	return ((flags & (1UL << bpf_core_enum_value(enum pageflags,
	    PG_active))) != 0);
}

SEC("raw_tp/sched_process_fork")
int BPF_PROG(count_fork, struct task_struct *parent, struct task_struct *child)
{
	__u32 ptgid = BPF_CORE_READ(parent, tgid);
	__u32 ctgid = BPF_CORE_READ(child, tgid);
	__u8 one = 1;

	if (ctgid == ptgid || (ptgid != root_tgid &&
	    bpf_map_lookup_elem(&tree, &ptgid) == NULL))
		return (0);
	/* The root's CLONE_VM clones (LeakSanitizer's tracer) are not CMD. */
	if (ptgid == root_tgid &&
	    BPF_CORE_READ(child, mm) == BPF_CORE_READ(parent, mm))
		return (0);
	bpf_map_update_elem(&tree, &ctgid, &one, BPF_ANY);
	__sync_fetch_and_add(&forks, 1);
	if (BPF_CORE_READ(child, mm) != BPF_CORE_READ(parent, mm))
		__sync_fetch_and_add(&forks_newmm, 1);	/* not CLONE_VM */
	return (0);
}

SEC("raw_tp/sched_process_exec")
int BPF_PROG(count_exec)
{
	if (in_tree())
		__sync_fetch_and_add(&execs, 1);
	return (0);
}

SEC("raw_tp/sched_process_exit")
int BPF_PROG(count_exit, struct task_struct *p)
{
	if (in_tree() && BPF_CORE_READ(p, signal, live.counter) == 0)
		__sync_fetch_and_add(&exits, 1);
	return (0);
}

SEC("raw_tp/mm_filemap_add_to_page_cache")
int BPF_PROG(count_add, struct folio *folio)
{
	if (is_target(folio))
		__sync_fetch_and_add(&inserts, 1);
	if (in_tree())
		__sync_fetch_and_add(&adds, 1);
	return (0);
}

SEC("raw_tp/mm_filemap_delete_from_page_cache")
int BPF_PROG(count_delete, struct folio *folio)
{
	if (is_target(folio))
		__sync_fetch_and_add(&f_deletes, 1);
	if (in_tree())
		__sync_fetch_and_add(&deletes, 1);
	return (0);
}

SEC("raw_tp/mm_filemap_get_pages")
int BPF_PROG(count_get_pages)
{
	if (in_tree())
		__sync_fetch_and_add(&get_pages, 1);
	return (0);
}

SEC("raw_tp/mm_filemap_map_pages")
int BPF_PROG(count_map_pages)
{
	if (in_tree())
		__sync_fetch_and_add(&map_pages, 1);
	return (0);
}

SEC("raw_tp/mm_lru_insertion")
int BPF_PROG(count_lru_insertion, struct folio *folio)
{
	if (!in_tree())
		return (0);
	if (folio_on_active(folio))
		__sync_fetch_and_add(&lru_active, 1);
	else
		__sync_fetch_and_add(&lru_inactive, 1);
	return (0);
}

SEC("raw_tp/mm_lru_activate")
int BPF_PROG(count_lru_activate)
{
	if (in_tree())
		__sync_fetch_and_add(&lru_activate, 1);
	return (0);
}

SEC("raw_tp/mm_vmscan_lru_isolate")
int BPF_PROG(count_isolate)
{
	if (in_tree())
		__sync_fetch_and_add(&isolate, 1);
	return (0);
}

static __always_inline void
count_fault(unsigned long address)
{
	struct task_struct *t = (struct task_struct *)bpf_get_current_task();

	if (address < USER_TOP && in_tree() && BPF_CORE_READ(t, mm) != NULL)
		__sync_fetch_and_add(&faults, 1);
}

SEC("raw_tp/page_fault_user")
int BPF_PROG(count_fault_user, unsigned long address)
{
	count_fault(address);
	return (0);
}

SEC("raw_tp/page_fault_kernel")
int BPF_PROG(count_fault_kernel, unsigned long address)
{
	count_fault(address);
	return (0);
}

SEC("raw_tp/sys_enter")
int BPF_PROG(count_sys_enter, struct pt_regs *regs, long id)
{
	long advice;

	if ((id != nr_munmap && id != nr_sendfile && id != nr_fadvise) ||
	    !in_tree())
		return (0);
	if (id == nr_munmap)
		__sync_fetch_and_add(&munmaps, 1);
	else if (id == nr_sendfile)
		__sync_fetch_and_add(&sendfiles, 1);
	else {
		advice = PT_REGS_PARM4_CORE_SYSCALL(regs);
		if (advice == POSIX_FADV_DONTNEED)
			__sync_fetch_and_add(&dontneed, 1);
		else if (advice == POSIX_FADV_NOREUSE)
			__sync_fetch_and_add(&noreuse, 1);
	}
	return (0);
}

/* Direct I/O, at iomap's entry (the recorder takes the system call). */
SEC("raw_tp/iomap_dio_rw_begin")
int BPF_PROG(count_dio)
{
	if (in_tree())
		__sync_fetch_and_add(&dio, 1);
	return (0);
}

SEC("raw_tp/ext4_evict_inode")
int BPF_PROG(count_evict, struct inode *inode)
{
	if (BPF_CORE_READ(inode, i_ino) == target_ino &&
	    BPF_CORE_READ(inode, i_sb, s_dev) == target_dev)
		__sync_fetch_and_add(&f_evicts, 1);
	return (0);
}
