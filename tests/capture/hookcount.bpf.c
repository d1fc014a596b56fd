// SPDX-License-Identifier: (BSD-2-Clause OR GPL-2.0)
/*
 * hookcount.bpf.c - an independent counter for the ebpf tests: how many
 * times mm_filemap_add_to_page_cache fires for one inode, and for how many
 * pages, counted by a raw_tp program of its own (not the recorder's code).
 */
#include "vmlinux.h"
#include <bpf/bpf_core_read.h>
#include <bpf/bpf_helpers.h>
#include <bpf/bpf_tracing.h>

char LICENSE[] SEC("license") = "Dual BSD/GPL";

const volatile __u64 target_ino = 0;
const volatile __u32 target_dev = 0;	/* kernel dev_t: major << 20 | minor */

__u64 inserts = 0;

SEC("raw_tp/mm_filemap_add_to_page_cache")
int BPF_PROG(count_add, struct folio *folio)
{
	struct inode *host = BPF_CORE_READ(folio, mapping, host);

	if (host == NULL || BPF_CORE_READ(host, i_ino) != target_ino ||
	    BPF_CORE_READ(host, i_sb, s_dev) != target_dev)
		return (0);
	__sync_fetch_and_add(&inserts, 1);
	return (0);
}
