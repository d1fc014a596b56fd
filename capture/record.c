/*
 * record.c - `pagereplay record`: the user half of the eBPF recorder.
 *
 * Sequence (libbpf-bootstrap's): check what the kernel offers, open the
 * skeleton, pick each hook's flavour (tp_btf/fentry, else raw_tp/kprobe)
 * with bpf_program__set_autoload(), write the knobs, load, attach, seed the
 * followed tgids, then a drain thread polls the ring buffer every 10 ms and
 * writes events through common/trace.h while the main thread waits for CMD,
 * a signal, --duration or -p's process, and draws the status line.
 *
 * The drain thread owns the writer (trace.h writers are single-threaded);
 * the main thread reads its progress through atomics.  Kernel pointers never
 * reach the file: address spaces become dense ids in order of appearance.
 * The mapping of Linux hooks onto abstract events is in docs/capture.md.
 */
#include <sys/prctl.h>
#include <sys/resource.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <sys/random.h>
#include <sys/wait.h>

#include <bpf/bpf.h>
#include <bpf/btf.h>
#include <bpf/libbpf.h>

#include <dirent.h>
#include <err.h>
#include <errno.h>
#include <fcntl.h>
#include <getopt.h>
#include <poll.h>
#include <pthread.h>
#include <signal.h>
#include <stdatomic.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "cli.h"
#include "commands.h"
#include "record.h"
#include "record_internal.h"
/* The skeleton embeds the BPF object as one long string literal. */
#pragma GCC diagnostic push
#pragma GCC diagnostic ignored "-Woverlength-strings"
#include "record.skel.h"
#pragma GCC diagnostic pop
#include "trace.h"

/* record.h mirrors trace.h's numbers for the BPF side; keep them equal. */
_Static_assert(REC_OBJ_TERMINATE == PR_OBJ_TERMINATE, "kind");
_Static_assert(REC_PAGE_INSERT == PR_PAGE_INSERT, "kind");
_Static_assert(REC_PAGE_LOOKUP == PR_PAGE_LOOKUP, "kind");
_Static_assert(REC_PAGE_REMOVE == PR_PAGE_REMOVE, "kind");
_Static_assert(REC_WIRE == PR_WIRE, "kind");
_Static_assert(REC_UNWIRE == PR_UNWIRE, "kind");
_Static_assert(REC_RELEASE == PR_RELEASE, "kind");
_Static_assert(REC_ACTIVATE == PR_ACTIVATE, "kind");
_Static_assert(REC_DEACTIVATE == PR_DEACTIVATE, "kind");
_Static_assert(REC_REQUEUE == PR_REQUEUE, "kind");
_Static_assert(REC_PMAP_CREATE == PR_PMAP_CREATE, "kind");
_Static_assert(REC_PMAP_DESTROY == PR_PMAP_DESTROY, "kind");
_Static_assert(REC_MAP == PR_MAP, "kind");
_Static_assert(REC_UNMAP == PR_UNMAP, "kind");
_Static_assert(REC_REMOVE_ALL == PR_REMOVE_ALL, "kind");
_Static_assert(REC_REMOVE_WRITE == PR_REMOVE_WRITE, "kind");
_Static_assert(REC_EXTRACT_HOLD == PR_EXTRACT_HOLD, "kind");
_Static_assert(REC_SCAN == PR_SCAN, "kind");
_Static_assert(REC_SENDFILE == PR_SENDFILE, "kind");
_Static_assert(REC_F_WRITE == PR_F_WRITE, "flag");
_Static_assert(REC_F_NOCACHE == PR_F_NOCACHE, "flag");
_Static_assert(REC_F_HEAD == PR_F_HEAD, "flag");
_Static_assert(REC_F_FAULT_AROUND == PR_F_FAULT_AROUND, "flag");
_Static_assert(REC_OBJ_ANON == PR_OBJ_ANON, "object class");
_Static_assert(sizeof(struct rec_event) == 64, "rec_event is 64 bytes");

#define DEFAULT_BUFFER	(64ULL << 20)
#define MIN_BUFFER	(64ULL << 10)
#define MAX_BUFFER	(1ULL << 31)
#define POLL_MS		10
#define FLUSH_NS	1000000000ULL	/* frames reach the disk this often */
#define TICK_MS		100		/* main loop period */
#define MAX_PIDS	64		/* -p PIDs followed at once */
#define PIDFD_GONE	(-1)		/* -p process exited (or unused slot) */
#define PIDFD_NONE	(-2)		/* no pidfd_open(): poll kill(0) */
#define STOP_MS		2000		/* CMD's time to exit on SIGTERM */

/* Hook table: the two flavours of each hook and the kernel name probed. */
enum hook_type {
	HT_TP,		/* tracepoint: tp_btf, else raw_tp */
	HT_FUNC		/* kernel function: fentry/fexit, else kprobe */
};

static const struct hook {
	enum rec_hook	 id;
	enum hook_type	 type;
	const char	*target;	/* tracepoint or function name */
	const char	*fast;		/* tp_btf / fentry program */
	const char	*fallback;	/* raw_tp / kprobe program */
	bool		 needed;	/* capture is pointless without it */
} hooks[] = {
	{ HOOK_FORK, HT_TP, "sched_process_fork", "fork_btf", "fork_raw",
	    true },
	{ HOOK_EXEC, HT_TP, "sched_process_exec", "exec_btf", "exec_raw",
	    true },
	{ HOOK_EXIT, HT_TP, "sched_process_exit", "exit_btf", "exit_raw",
	    true },
	{ HOOK_FREE, HT_TP, "sched_process_free", "free_btf", "free_raw",
	    true },
	{ HOOK_ADD_TO_PAGE_CACHE, HT_TP, "mm_filemap_add_to_page_cache",
	    "add_btf", "add_raw", true },
	{ HOOK_DELETE_FROM_PAGE_CACHE, HT_TP,
	    "mm_filemap_delete_from_page_cache", "delete_btf", "delete_raw",
	    true },
	{ HOOK_GET_PAGES, HT_TP, "mm_filemap_get_pages", "get_pages_btf",
	    "get_pages_raw", false },
	{ HOOK_MAP_PAGES, HT_TP, "mm_filemap_map_pages", "map_pages_btf",
	    "map_pages_raw", false },
	{ HOOK_LRU_INSERTION, HT_TP, "mm_lru_insertion",
	    "lru_insertion_btf", "lru_insertion_raw", false },
	{ HOOK_LRU_ACTIVATE, HT_TP, "mm_lru_activate", "lru_activate_btf",
	    "lru_activate_raw", false },
	{ HOOK_LRU_ISOLATE, HT_TP, "mm_vmscan_lru_isolate",
	    "lru_isolate_btf", "lru_isolate_raw", false },
	{ HOOK_FAULT, HT_TP, "page_fault_user", "fault_user_btf",
	    "fault_user_raw", false },
	{ HOOK_FAULT, HT_TP, "page_fault_kernel", "fault_kernel_btf",
	    "fault_kernel_raw", false },
	{ HOOK_UNPIN, HT_TP, "sys_exit", "sys_exit_btf", "sys_exit_raw",
	    false },
	{ HOOK_MUNMAP, HT_TP, "sys_enter", "sys_enter_btf", "sys_enter_raw",
	    false },
	{ HOOK_EVICT, HT_TP, "ext4_evict_inode", "evict_btf", "evict_raw",
	    false },
	{ HOOK_WRITEBACK, HT_TP, "ext4_da_write_folios_start",
	    "wb_start_btf", "wb_start_raw", false },
	{ HOOK_WRITEBACK, HT_TP, "ext4_da_write_folios_end", "wb_end_btf",
	    "wb_end_raw", false },
	{ HOOK_VMSCAN_WRITE, HT_TP, "mm_vmscan_write_folio",
	    "vmscan_write_btf", "vmscan_write_raw", false },
	{ HOOK_TRY_TO_UNMAP, HT_FUNC, "try_to_unmap", "try_to_unmap_fentry",
	    "try_to_unmap_kprobe", false },
	{ HOOK_MKCLEAN, HT_FUNC, "folio_mkclean", "mkclean_fentry",
	    "mkclean_kprobe", false },
};
#define NHOOKS	(sizeof(hooks) / sizeof(hooks[0]))

/* Trailer note names of the hit counters, by enum rec_hook. */
static const char *const hook_note[HOOK_COUNT] = {
	[HOOK_FORK] = "ebpf.hook.sched_process_fork",
	[HOOK_EXEC] = "ebpf.hook.sched_process_exec",
	[HOOK_EXIT] = "ebpf.hook.sched_process_exit",
	[HOOK_FREE] = "ebpf.hook.sched_process_free",
	[HOOK_ADD_TO_PAGE_CACHE] = "ebpf.hook.mm_filemap_add_to_page_cache",
	[HOOK_DELETE_FROM_PAGE_CACHE] =
	    "ebpf.hook.mm_filemap_delete_from_page_cache",
	[HOOK_GET_PAGES] = "ebpf.hook.mm_filemap_get_pages",
	[HOOK_MAP_PAGES] = "ebpf.hook.mm_filemap_map_pages",
	[HOOK_LRU_INSERTION] = "ebpf.hook.mm_lru_insertion",
	[HOOK_LRU_ACTIVATE] = "ebpf.hook.mm_lru_activate",
	[HOOK_LRU_ISOLATE] = "ebpf.hook.mm_vmscan_lru_isolate",
	[HOOK_FAULT] = "ebpf.hook.page_fault",
	[HOOK_PIN] = "ebpf.hook.direct_io",
	[HOOK_UNPIN] = "ebpf.hook.direct_io_done",
	[HOOK_MUNMAP] = "ebpf.hook.munmap",
	[HOOK_SENDFILE] = "ebpf.hook.sendfile",
	[HOOK_FADVISE] = "ebpf.hook.fadvise64",
	[HOOK_TRY_TO_UNMAP] = "ebpf.hook.try_to_unmap",
	[HOOK_MKCLEAN] = "ebpf.hook.folio_mkclean",
	[HOOK_EVICT] = "ebpf.hook.ext4_evict_inode",
	[HOOK_VMA_BUSY] = "ebpf.vma_busy",
	[HOOK_VMA_LOOKUP] = "ebpf.vma_lookups",
	[HOOK_NO_OBJECT] = "ebpf.no_object",
	[HOOK_WRITEBACK] = "ebpf.hook.ext4_da_write_folios",
	[HOOK_VMSCAN_WRITE] = "ebpf.hook.mm_vmscan_write_folio",
	[HOOK_LRU_FOLDED] = "ebpf.lru_insertion_folded",
	[HOOK_SENDFILE_FOLDED] = "ebpf.sendfile_insert_folded",
	[HOOK_REMOVE_MAPPED] = "ebpf.remove_mapped",
	[HOOK_LRU_ANON_UNOWNED] = "ebpf.lru_anon_unowned",
	[HOOK_NOCACHE_FOLDED] = "ebpf.nocache_folded",
	[HOOK_DONTNEED_FOLDED] = "ebpf.dontneed_folded",
};

/*
 * How CMD ended, for record's exit status and the trailer notes (cmd.*).
 * status is what a shell reports: the exit code, 128 + N for signal N,
 * 127 when CMD was not found and 126 when it could not be run.
 */
struct cmd_end {
	bool	ran;		/* exec succeeded */
	bool	stopped;	/* the capture ended first: record ended CMD */
	int	status;
};

/* Options (one struct, designated defaults: execsnoop's struct env). */
struct rec_opts {
	const char	*out;		/* -o FILE */
	bool		 all;		/* -a */
	pid_t		 pids[MAX_PIDS];	/* -p PID..., each a tree */
	int		 npids;		/* 0 = no -p */
	char		**cmd;		/* -- CMD ARGS..., NULL = none */
	uint64_t	 buffer;	/* --buffer, bytes */
	uint64_t	 duration_ns;	/* --duration, 0 = until the end */
	bool		 anonymize;	/* --anonymize */
	bool		 nocache;	/* --nocache: sendfile is SF_NOCACHE */
	bool		 classic;	/* --classic: raw_tp/kprobe only */
	bool		 verbose;	/* -v: libbpf's debug output */
};

/*
 * Drain state.  (D) owned by the drain thread (the main thread reads it
 * only after joining it); (A) atomic, shared by both threads; (C) constant
 * after start.
 */
struct rec_state {
	struct record_bpf	*skel;		/* (C) */
	struct ring_buffer	*rb;		/* (C) */
	struct pr_writer	*w;		/* (D) */
	const struct rec_opts	*o;		/* (C) */
	uint64_t		 start_mono;	/* (C) ns, CLOCK_MONOTONIC */
	uint64_t		 anon_key;	/* (C) --anonymize hash key */
	int			 ncpus;		/* (C) possible CPUs */
	struct rec_map		 pmaps;		/* (D) mm -> dense pmap id */
	struct rec_map		 objs;		/* (D) live objects -> 1 */
	uint64_t		 next_pmap;	/* (D) next dense pmap id */
	uint64_t		 lost_seen;	/* (D) losses already written */
	uint64_t		 dropped;	/* (D) orphan destroys skipped */
	uint64_t		 foreign;	/* (D) others' page events skipped */
	uint64_t		 foreign_wb;	/* (D) of them, writeback rounds */
	int			 write_err;	/* (D) first pr_* error, 0 none */
	int			 write_errno;	/* (D) its errno */
	atomic_bool		 stop;		/* (A) main -> drain: finish */
	atomic_bool		 failed;	/* (A) drain -> main: writer gave up */
	atomic_uint_fast64_t	 events;	/* (A) events written */
	atomic_uint_fast64_t	 bytes;		/* (A) bytes on disk */
	atomic_uint_fast64_t	 lost;		/* (A) events lost so far */
};

static volatile sig_atomic_t got_signal;

/* SIGINT/SIGTERM: only note it; the main loop ends the capture. */
static void
on_signal(int sig)
{
	got_signal = sig;
}

/* The usage text, to f. */
static void
usage(FILE *f)
{
	fprintf(f,
	    "usage: pagereplay record -o FILE [-a | -p PID... | -- CMD [ARGS...]]\n"
	    "           [--buffer SIZE] [--duration TIME] [--anonymize]\n"
	    "           [--nocache] [--classic] [-v]\n"
	    "\n"
	    "Record page-level VM events with eBPF into a trace: page-cache\n"
	    "inserts, lookups and removals, page-queue moves, faults, pins,\n"
	    "sendfile, munmap, fadvise, address spaces (docs/capture.md).\n"
	    "Needs root, kernel BTF and BPF.  SIGINT/SIGTERM and CMD's exit\n"
	    "end the capture cleanly; frames reach the disk every second.\n"
	    "With CMD, the exit status is CMD's (128+N for signal N, 127 not\n"
	    "found, 126 not runnable; 0 when the capture ended first); CMD\n"
	    "is killed if the recorder dies.\n"
	    "\n"
	    "  -o, --output FILE   trace to write\n"
	    "  -a, --all           every process (the recorder excepted)\n"
	    "  -p, --pid PID[,PID] each PID's process tree, until all have\n"
	    "                      exited (repeatable)\n"
	    "  -- CMD [ARGS...]    run CMD and follow its process tree\n"
	    "      --buffer SIZE   BPF ring buffer (default 64M, power of 2)\n"
	    "  -d, --duration TIME stop after TIME (30s, 500ms, 2m)\n"
	    "      --anonymize     hash object ids, leave out command lines\n"
	    "      --nocache       mark sendfile events NOCACHE: the server\n"
	    "                      drops what it sent (Linux has no\n"
	    "                      SF_NOCACHE; as record --pcap --nocache);\n"
	    "                      its DONTNEEDs of sent files are folded\n"
	    "      --classic       raw tracepoints and kprobes only (no\n"
	    "                      tp_btf/fentry), to test the fallback\n"
	    "  -v, --verbose       libbpf's debug output\n"
	    "  -h, --help          this text\n"
	    "\n"
	    "Manual: man pagereplay-record; docs in " PR_DOCDIR "\n"
	    "\n"
	    "Examples:\n"
	    "  pagereplay record -o cat.prt -- cat /usr/bin/gcc-12\n"
	    "  pagereplay record -o sys.prt -a --duration 10s\n");
}

/* --- drain thread ---------------------------------------------------- */

/*
 * The first error ends the capture: keep it (err, a pr_* code, and errno)
 * and tell the main thread to stop.  Later events are not written, so the
 * trace holds what was recorded before it, never events with a missing
 * announcement or id.  Drain thread only.
 */
static void
fail(struct rec_state *s, int err)
{
	if (s->write_err != 0)
		return;
	s->write_errno = errno;
	s->write_err = err;
	atomic_store(&s->failed, true);
}

/* Write one event; on the first error remember it and stop writing. */
static void
put(struct rec_state *s, const struct pr_event *ev)
{
	int err;

	if (s->write_err != 0)
		return;
	err = pr_writer_write(s->w, ev);
	if (err != 0) {
		fail(s, err);
		return;
	}
	atomic_fetch_add(&s->events, 1);
}

/*
 * Write an event record.c makes up (announcements, ends) on obj or pmap,
 * at the time, CPU and thread of the event that called for it.
 */
static void
put_synth(struct rec_state *s, uint8_t kind, uint64_t obj, uint64_t pmap,
    const struct pr_event *at)
{
	struct pr_event ev;

	memset(&ev, 0, sizeof(ev));
	ev.time_ns = at->time_ns;
	ev.cpu = at->cpu;
	ev.tid = at->tid;
	ev.kind = kind;
	ev.obj = obj;
	ev.pmap = pmap;
	put(s, &ev);
}

/*
 * The dense pmap id of an mm, announcing it with PR_PMAP_CREATE (at the
 * event's time) the first time it is seen.  Out of memory, the capture
 * fails (fail()) and 0 is returned: nothing more is written.
 */
static uint64_t
pmap_id(struct rec_state *s, uint64_t mm, const struct pr_event *at)
{
	uint64_t id;

	if (rec_map_get(&s->pmaps, mm, &id))
		return (id);
	id = ++s->next_pmap;
	if (rec_map_put(&s->pmaps, mm, id) != 0) {
		fail(s, PR_E_NOMEM);
		return (0);
	}
	put_synth(s, PR_PMAP_CREATE, 0, id, at);
	return (id);
}

/*
 * Announce obj with PR_OBJ_CREATE the first time it is seen alive.  Out of
 * memory, the capture fails (fail()).
 */
static void
obj_seen(struct rec_state *s, uint64_t obj, const struct pr_event *at)
{
	uint64_t one;

	if (rec_map_get(&s->objs, obj, &one))
		return;
	if (rec_map_put(&s->objs, obj, 1) != 0) {
		fail(s, PR_E_NOMEM);
		return;
	}
	put_synth(s, PR_OBJ_CREATE, obj, 0, at);
}

/* A pmap ended: so does its anonymous object, if it was announced. */
static void
end_anon(struct rec_state *s, uint64_t obj, const struct pr_event *at)
{
	uint64_t one;

	if (s->o->anonymize)
		obj = rec_anon_hash(obj, s->anon_key);
	if (!rec_map_get(&s->objs, obj, &one))
		return;
	rec_map_del(&s->objs, obj);
	put_synth(s, PR_OBJ_TERMINATE, obj, 0, at);
}

/*
 * Following a process tree, a followed task also runs page work on behalf
 * of others: it drains the per-CPU LRU batches that other processes filled
 * and reclaims their pages.  A queue move or removal on an object (or an
 * anonymous object of an address space) the tree never touched is such
 * work, and so is a flusher's writeback round (REMOVE_WRITE, any task's)
 * on such an object: skip it and count it (ebpf.foreign_page_events; the
 * writeback rounds also in ebpf.foreign_writeback).  A removal the
 * kernel half marks REC_H_OWN (made outside reclaim: a truncate, an unlink,
 * an eviction it started) is the task's own, seen object or not.  -a keeps
 * all.
 */
static bool
foreign_page_event(struct rec_state *s, const struct rec_event *r)
{
	uint64_t id, obj;

	if (s->o->all || r->obj == 0 || (r->hint & REC_H_OWN) != 0)
		return (false);
	switch (r->kind) {
	case PR_ACTIVATE:
	case PR_DEACTIVATE:
	case PR_REQUEUE:
	case PR_PAGE_REMOVE:
	case PR_REMOVE_ALL:
	case PR_REMOVE_WRITE:
		break;
	default:
		return (false);
	}
	if (r->obj & REC_OBJ_ANON) {
		if (rec_map_get(&s->pmaps, r->obj, &id))
			return (false);
	} else {
		obj = s->o->anonymize ? rec_anon_hash(r->obj, s->anon_key) :
		    r->obj;
		if (rec_map_get(&s->objs, obj, &id))
			return (false);
	}
	s->foreign++;
	if (r->kind == PR_REMOVE_WRITE)
		s->foreign_wb++;
	return (true);
}

/*
 * Turn one kernel record into trace events: time relative to the start,
 * mm pointers to dense pmap ids (an anonymous object's id follows its
 * pmap's), objects and pmaps announced on first sight, ends of unseen ones
 * skipped, object ids hashed with --anonymize.
 */
static int
on_record(void *ctx, void *data, size_t size)
{
	struct rec_state *s = ctx;
	const struct rec_event *r = data;
	struct pr_event ev;
	uint64_t id, mm;

	if (size < sizeof(*r))
		return (0);
	memset(&ev, 0, sizeof(ev));
	ev.time_ns = r->ts > s->start_mono ? r->ts - s->start_mono : 0;
	ev.pindex = r->pindex;
	ev.addr = r->addr;
	ev.arg = r->arg;
	ev.npages = r->npages;
	ev.cpu = r->cpu;
	ev.tid = r->tid;
	ev.kind = r->kind;
	ev.flags = r->flags;
	if (r->kind == PR_SENDFILE && s->o->nocache)
		ev.flags |= PR_F_NOCACHE;

	/* mm keys carry REC_OBJ_ANON, as anonymous object ids do. */
	mm = r->pmap | REC_OBJ_ANON;
	if (r->kind == PR_PMAP_DESTROY) {
		/* The end of a pmap never seen: nothing to end. */
		if (!rec_map_get(&s->pmaps, mm, &id)) {
			s->dropped++;
			return (0);
		}
		ev.pmap = id;
		put(s, &ev);
		end_anon(s, REC_OBJ_ANON | id, &ev);
		rec_map_del(&s->pmaps, mm);
		return (0);
	}
	if (r->pmap != 0) {
		if (r->kind == PR_PMAP_CREATE && rec_map_get(&s->pmaps, mm, &id))
			return (0);	/* already announced */
		ev.pmap = pmap_id(s, mm, &ev);
		if (r->kind == PR_PMAP_CREATE)
			return (0);	/* pmap_id() wrote it */
	}
	if (foreign_page_event(s, r))
		return (0);
	if (r->obj & REC_OBJ_ANON)
		ev.obj = REC_OBJ_ANON | pmap_id(s, r->obj, &ev);
	else
		ev.obj = r->obj;
	if (ev.obj != 0 && s->o->anonymize)
		ev.obj = rec_anon_hash(ev.obj, s->anon_key);

	if (ev.obj != 0) {
		if (r->kind == PR_OBJ_TERMINATE) {
			if (!rec_map_get(&s->objs, ev.obj, &id)) {
				s->dropped++;
				return (0);
			}
			rec_map_del(&s->objs, ev.obj);
		} else
			obj_seen(s, ev.obj, &ev);
	}
	put(s, &ev);
	return (0);
}

/* Sum a per-CPU counter array slot. */
static uint64_t
percpu_sum(struct rec_state *s, struct bpf_map *map, uint32_t key)
{
	uint64_t *v, sum = 0;
	int i;

	v = calloc((size_t)s->ncpus, sizeof(*v));
	if (v == NULL)
		return (0);
	if (bpf_map__lookup_elem(map, &key, sizeof(key), v,
	    sizeof(*v) * (size_t)s->ncpus, 0) == 0)
		for (i = 0; i < s->ncpus; i++)
			sum += v[i];
	free(v);
	return (sum);
}

/* Turn new kernel-side losses into one PR_LOST record. */
static void
write_lost(struct rec_state *s)
{
	struct pr_event ev;
	uint64_t total;

	total = percpu_sum(s, s->skel->maps.lost, 0);
	if (total <= s->lost_seen)
		return;
	memset(&ev, 0, sizeof(ev));
	ev.time_ns = cli_now_ns() - s->start_mono;
	ev.kind = PR_LOST;
	ev.arg = total - s->lost_seen;
	put(s, &ev);
	s->lost_seen = total;
	atomic_store(&s->lost, total);
}

/*
 * Close the current frame (a failure is kept as the writer's error) and
 * publish the bytes on disk.  Drain thread only.
 */
static void
flush(struct rec_state *s)
{
	int err;

	if (s->write_err == 0) {
		err = pr_writer_flush(s->w);
		if (err != 0)
			fail(s, err);
	}
	atomic_store(&s->bytes, pr_writer_bytes(s->w));
}

/*
 * The drain thread: poll the ring buffer, write events, every second write
 * new losses and flush a frame; on stop, drain what is left.
 */
static void *
drain_main(void *arg)
{
	struct rec_state *s = arg;
	uint64_t last = cli_now_ns(), now;

	while (!atomic_load(&s->stop)) {
		ring_buffer__poll(s->rb, POLL_MS);
		ring_buffer__consume(s->rb);
		now = cli_now_ns();
		if (now - last >= FLUSH_NS) {
			write_lost(s);
			flush(s);
			last = now;
		}
	}
	ring_buffer__consume(s->rb);
	write_lost(s);
	return (NULL);
}

/* --- setup ----------------------------------------------------------- */

/*
 * libbpf's messages: everything with -v, nothing otherwise (record.c says
 * what failed in its own one line).
 */
static int
libbpf_print(enum libbpf_print_level level, const char *fmt, va_list ap)
{
	(void)level;
	return (vfprintf(stderr, fmt, ap));
}

static int
libbpf_quiet(enum libbpf_print_level level, const char *fmt, va_list ap)
{
	(void)level;
	(void)fmt;
	(void)ap;
	return (0);
}

/*
 * What the kernel lacks for recording, as one phrase, or NULL when it has
 * everything (root, BTF, BPF tracing programs, BPF ring buffer).
 */
static const char *
missing_prereq(void)
{
	if (geteuid() != 0)
		return ("root (BPF tracing needs CAP_BPF, CAP_PERFMON and "
		    "CAP_SYS_ADMIN; run as root)");
	if (access("/sys/kernel/btf/vmlinux", R_OK) != 0)
		return ("kernel BTF (/sys/kernel/btf/vmlinux: build the "
		    "kernel with CONFIG_DEBUG_INFO_BTF=y)");
	if (libbpf_probe_bpf_prog_type(BPF_PROG_TYPE_RAW_TRACEPOINT,
	    NULL) != 1)
		return ("BPF support (raw tracepoint programs do not load: "
		    "CONFIG_BPF_SYSCALL, or kernel.unprivileged_bpf/lockdown)");
	if (libbpf_probe_bpf_map_type(BPF_MAP_TYPE_RINGBUF, NULL) != 1)
		return ("the BPF ring buffer (Linux 5.8 or later)");
	return (NULL);
}

/*
 * Whether a BTF-typed program of attach type at (BPF_TRACE_RAW_TP: tp_btf,
 * BPF_TRACE_FENTRY) loads against BTF type id: the kernel's own answer, as
 * bcc's fentry_can_attach() (libbpf cannot probe tracing programs).
 */
static bool
tracing_loads(enum bpf_attach_type at, int id)
{
	struct bpf_insn insns[2] = {
		{ .code = BPF_ALU64 | BPF_MOV | BPF_K, .dst_reg = BPF_REG_0 },
		{ .code = BPF_JMP | BPF_EXIT },
	};
	struct bpf_prog_load_opts opts;
	int fd;

	/* Not LIBBPF_OPTS(): its statement expression is not ISO C. */
	memset(&opts, 0, sizeof(opts));
	opts.sz = sizeof(opts);
	opts.expected_attach_type = at;
	opts.attach_btf_id = (uint32_t)id;
	fd = bpf_prog_load(BPF_PROG_TYPE_TRACING, NULL, "GPL", insns, 2,
	    &opts);
	if (fd < 0)
		return (false);
	close(fd);
	return (true);
}

/*
 * Choose each hook's flavour and turn the other off: tracepoints as tp_btf
 * when the kernel loads one against the hook's BTF type, else raw_tp;
 * functions as fentry when one loads, else kprobe when the kernel has
 * kprobes, else neither (one note names them).  classic forces raw_tp and
 * kprobe.  Returns how many hooks do without their BTF flavour.
 */
static int
choose_flavours(struct record_bpf *skel, bool classic)
{
	struct bpf_program *fast, *slow;
	struct btf *btf = NULL;
	char name[128], off[256];
	bool use_fast, use_slow, kprobes;
	size_t i, used = 0;
	int id, n = 0;

	kprobes = access("/sys/bus/event_source/devices/kprobe/type",
	    F_OK) == 0;
	if (!classic)
		btf = btf__load_vmlinux_btf();
	off[0] = '\0';
	for (i = 0; i < NHOOKS; i++) {
		fast = bpf_object__find_program_by_name(skel->obj,
		    hooks[i].fast);
		slow = bpf_object__find_program_by_name(skel->obj,
		    hooks[i].fallback);
		use_fast = false;
		if (btf != NULL && hooks[i].type == HT_TP) {
			snprintf(name, sizeof(name), "btf_trace_%s",
			    hooks[i].target);
			id = btf__find_by_name_kind(btf, name,
			    BTF_KIND_TYPEDEF);
			use_fast = id > 0 && tracing_loads(BPF_TRACE_RAW_TP,
			    id);
		} else if (btf != NULL) {
			id = btf__find_by_name_kind(btf, hooks[i].target,
			    BTF_KIND_FUNC);
			use_fast = id > 0 && tracing_loads(BPF_TRACE_FENTRY,
			    id);
		}
		use_slow = !use_fast && (hooks[i].type == HT_TP || kprobes);
		bpf_program__set_autoload(fast, use_fast);
		bpf_program__set_autoload(slow, use_slow);
		if (!use_fast)
			n++;
		if (!use_fast && !use_slow && used < sizeof(off))
			used += (size_t)snprintf(off + used, sizeof(off) - used,
			    "%s%s", used > 0 ? ", " : "", hooks[i].target);
	}
	if (off[0] != '\0')
		warnx("record: note: no fentry or kprobe on this kernel; not "
		    "recorded: %s", off);
	btf__free(btf);
	return (n);
}

/* Open, configure and load the skeleton; NULL after one error line. */
static struct record_bpf *
load_skel(const struct rec_opts *o, bool classic, int *fallbacks)
{
	struct record_bpf *skel;
	int err;

	skel = record_bpf__open();
	if (skel == NULL) {
		warnx("record: cannot open the BPF object: %s",
		    strerror(errno));
		return (NULL);
	}
	*fallbacks = choose_flavours(skel, classic);
	/* Derive what a loaded function hook does not show (capture.md). */
	skel->rodata->derive_remove_all =
	    !bpf_program__autoload(skel->progs.try_to_unmap_fentry) &&
	    !bpf_program__autoload(skel->progs.try_to_unmap_kprobe);
	skel->rodata->derive_remove_write =
	    !bpf_program__autoload(skel->progs.mkclean_fentry) &&
	    !bpf_program__autoload(skel->progs.mkclean_kprobe);
	skel->rodata->follow_all = o->all;
	skel->rodata->self_tgid = (uint32_t)getpid();
	skel->rodata->follow_cmd = o->cmd != NULL;
	skel->rodata->nocache = o->nocache;
	skel->rodata->wakeup_bytes = o->buffer / 8;
	skel->rodata->nr_munmap = SYS_munmap;
	skel->rodata->nr_sendfile = SYS_sendfile;
	skel->rodata->nr_fadvise = SYS_fadvise64;
	skel->rodata->nr_read = SYS_read;
	skel->rodata->nr_write = SYS_write;
	skel->rodata->nr_pread = SYS_pread64;
	skel->rodata->nr_pwrite = SYS_pwrite64;
	skel->rodata->nr_mmap = SYS_mmap;
	skel->rodata->nr_mremap = SYS_mremap;
	skel->rodata->nr_brk = SYS_brk;
	if (bpf_map__set_max_entries(skel->maps.events,
	    (uint32_t)o->buffer) != 0) {
		warnx("record: bad --buffer size %ju", (uintmax_t)o->buffer);
		record_bpf__destroy(skel);
		return (NULL);
	}
	err = record_bpf__load(skel);
	if (err != 0) {
		if (!classic)
			warnx("record: note: BTF-typed hooks do not load (%s); "
			    "using raw tracepoints and kprobes",
			    strerror(-err));
		else
			warnx("record: cannot load the BPF programs: %s "
			    "(-v shows the verifier log)", strerror(-err));
		record_bpf__destroy(skel);
		return (NULL);
	}
	return (skel);
}

/*
 * Attach every loaded program, keeping the links in links[NHOOKS].  A
 * missing optional hook is a note (its events are absent); a missing
 * needed one is an error.  0 or -1.
 */
static int
attach_all(struct record_bpf *skel, struct bpf_link **links)
{
	struct bpf_program *p;
	size_t i;

	for (i = 0; i < NHOOKS; i++) {
		p = bpf_object__find_program_by_name(skel->obj, hooks[i].fast);
		if (!bpf_program__autoload(p))
			p = bpf_object__find_program_by_name(skel->obj,
			    hooks[i].fallback);
		if (!bpf_program__autoload(p))
			continue;	/* neither flavour: noted already */
		links[i] = bpf_program__attach(p);
		if (links[i] != NULL)
			continue;
		if (hooks[i].needed) {
			warnx("record: cannot attach to %s: %s",
			    hooks[i].target, strerror(errno));
			return (-1);
		}
		warnx("record: note: %s unavailable (%s); its events are not "
		    "recorded", hooks[i].target, strerror(errno));
	}
	return (0);
}

/*
 * Follow pid and its descendants: add every process whose parent is
 * followed, scanning /proc until nothing new turns up (the hooks are
 * attached first, so later forks are caught by sched_process_fork).
 * Returns how many processes are followed.
 */
static int
seed_tree(struct record_bpf *skel, pid_t root)
{
	struct dirent *de;
	char path[300], buf[512], *p;
	uint32_t tgid, ppid;
	uint8_t one = 1, v;
	DIR *d;
	FILE *f;
	int n = 0, added, pass;

	tgid = (uint32_t)root;
	if (bpf_map__update_elem(skel->maps.tgids, &tgid, sizeof(tgid), &one,
	    sizeof(one), BPF_ANY) != 0)
		return (0);
	n = 1;
	for (pass = 0, added = 1; added > 0 && pass < 64; pass++) {
		added = 0;
		if ((d = opendir("/proc")) == NULL)
			break;
		while ((de = readdir(d)) != NULL) {
			if (de->d_name[0] < '1' || de->d_name[0] > '9')
				continue;
			snprintf(path, sizeof(path), "/proc/%s/stat",
			    de->d_name);
			if ((f = fopen(path, "r")) == NULL)
				continue;
			p = fgets(buf, sizeof(buf), f);
			fclose(f);
			/* "pid (comm) state ppid ...": comm may hold ')'. */
			if (p == NULL || (p = strrchr(buf, ')')) == NULL ||
			    sscanf(p + 1, " %*c %u", &ppid) != 1)
				continue;
			tgid = (uint32_t)strtoul(de->d_name, NULL, 10);
			if (bpf_map__lookup_elem(skel->maps.tgids, &ppid,
			    sizeof(ppid), &v, sizeof(v), 0) != 0 ||
			    bpf_map__lookup_elem(skel->maps.tgids, &tgid,
			    sizeof(tgid), &v, sizeof(v), 0) == 0)
				continue;
			if (bpf_map__update_elem(skel->maps.tgids, &tgid,
			    sizeof(tgid), &one, sizeof(one), BPF_ANY) == 0) {
				added++;
				n++;
			}
		}
		closedir(d);
	}
	return (n);
}

/*
 * Fork CMD, held before exec until the parent writes to *gofd; *errfd
 * reads the exec errno if exec fails (EOF when it succeeds).  CMD dies
 * with the recorder (SIGKILL as its parent-death signal, which survives
 * exec): after a kill -9 of the recorder it would run on unrecorded.
 * -1 on error.
 */
static pid_t
spawn_held(char **cmd, int *gofd, int *errfd)
{
	int go[2], ep[2], e;
	pid_t pid, parent = getpid();
	char c;

	if (pipe2(go, O_CLOEXEC) != 0)
		return (-1);
	if (pipe2(ep, O_CLOEXEC) != 0) {
		close(go[0]);
		close(go[1]);
		return (-1);
	}
	pid = fork();
	if (pid < 0) {
		close(go[0]);
		close(go[1]);
		close(ep[0]);
		close(ep[1]);
		return (-1);
	}
	if (pid == 0) {
		/*
		 * The recorder may have died before prctl(): then this child
		 * was already reparented and the signal would never come
		 * (prctl(2)'s advice: check the parent after setting it).
		 */
		if (prctl(PR_SET_PDEATHSIG, SIGKILL) != 0 ||
		    getppid() != parent)
			_exit(127);
		close(go[1]);
		close(ep[0]);
		if (read(go[0], &c, 1) != 1)
			_exit(127);
		execvp(cmd[0], cmd);
		e = errno;
		if (write(ep[1], &e, sizeof(e)) < 0)
			_exit(127);
		_exit(127);
	}
	close(go[0]);
	close(ep[1]);
	*gofd = go[1];
	*errfd = ep[0];
	return (pid);
}

/* What was recorded, for the header (empty with --anonymize). */
static void
describe(const struct rec_opts *o, char *buf, size_t len)
{
	size_t used;
	char **a;
	int i;

	buf[0] = '\0';
	if (o->anonymize)
		return;
	if (o->all)
		snprintf(buf, len, "record -a");
	else if (o->npids > 0) {
		used = (size_t)snprintf(buf, len, "record -p");
		for (i = 0; i < o->npids && used < len; i++)
			used += (size_t)snprintf(buf + used, len - used, "%s%ld",
			    i == 0 ? " " : ",", (long)o->pids[i]);
	} else {
		used = (size_t)snprintf(buf, len, "record --");
		for (a = o->cmd; *a != NULL && used < len; a++)
			used += (size_t)snprintf(buf + used, len - used, " %s",
			    *a);
	}
}

/*
 * Add -p's comma-separated process ids to o->pids (-p may be repeated, as
 * perf's -p takes a list); 0, or -1 after a message.
 */
static int
parse_pids(const char *arg, struct rec_opts *o)
{
	char buf[32];
	const char *p, *end;
	uint64_t v;
	size_t n;

	for (p = arg;; p = end + 1) {
		end = strchr(p, ',');
		n = end == NULL ? strlen(p) : (size_t)(end - p);
		if (n >= sizeof(buf)) {
			warnx("record: bad -p '%s': process ids", arg);
			return (-1);
		}
		memcpy(buf, p, n);
		buf[n] = '\0';
		if (cli_parse_u64(buf, 1, INT32_MAX, &v) != 0) {
			warnx("record: bad -p '%s': process ids", arg);
			return (-1);
		}
		if (o->npids == MAX_PIDS) {
			warnx("record: more than %d processes for -p", MAX_PIDS);
			return (-1);
		}
		o->pids[o->npids++] = (pid_t)v;
		if (end == NULL)
			return (0);
	}
}

/* Parse argv into *o; 0, or EXIT_USAGE after a message (or 0 for help). */
static int
parse_args(int argc, char **argv, struct rec_opts *o, bool *helpp)
{
	static const struct option longopts[] = {
		{ "output", required_argument, NULL, 'o' },
		{ "all", no_argument, NULL, 'a' },
		{ "pid", required_argument, NULL, 'p' },
		{ "buffer", required_argument, NULL, 'b' },
		{ "duration", required_argument, NULL, 'd' },
		{ "anonymize", no_argument, NULL, 'A' },
		{ "nocache", no_argument, NULL, 'N' },
		{ "classic", no_argument, NULL, 'C' },
		{ "verbose", no_argument, NULL, 'v' },
		{ "help", no_argument, NULL, 'h' },
		{ NULL, 0, NULL, 0 }
	};
	uint64_t v, b;
	int c, i, modes;

	*helpp = false;
	optind = 1;
	while ((c = getopt_long(argc, argv, "+o:ap:d:vh", longopts,
	    NULL)) != -1) {
		switch (c) {
		case 'o':
			o->out = optarg;
			break;
		case 'a':
			o->all = true;
			break;
		case 'p':
			if (parse_pids(optarg, o) != 0)
				return (EXIT_USAGE);
			break;
		case 'b':
			if (cli_parse_size(optarg, &v) != 0 ||
			    v < MIN_BUFFER || v > MAX_BUFFER) {
				warnx("record: bad --buffer '%s': a size from "
				    "64k to 2G", optarg);
				return (EXIT_USAGE);
			}
			for (b = MIN_BUFFER; b < v; b <<= 1)
				;
			o->buffer = b;
			break;
		case 'd':
			if (cli_parse_duration(optarg, &v) != 0 || v == 0) {
				warnx("record: bad --duration '%s': e.g. 30s, "
				    "500ms, 2m", optarg);
				return (EXIT_USAGE);
			}
			o->duration_ns = v;
			break;
		case 'A':
			o->anonymize = true;
			break;
		case 'N':
			o->nocache = true;
			break;
		case 'C':
			o->classic = true;
			break;
		case 'v':
			o->verbose = true;
			break;
		case 'h':
			*helpp = true;
			return (0);
		default:
			usage(stderr);
			return (EXIT_USAGE);
		}
	}
	if (optind < argc)
		o->cmd = argv + optind;
	modes = (o->all ? 1 : 0) + (o->npids > 0 ? 1 : 0) +
	    (o->cmd != NULL ? 1 : 0);
	if (o->out == NULL || modes != 1) {
		warnx("record: %s", o->out == NULL ? "-o FILE is required" :
		    "give exactly one of -a, -p PID or -- CMD");
		usage(stderr);
		return (EXIT_USAGE);
	}
	for (i = 0; i < o->npids; i++)
		if (kill(o->pids[i], 0) != 0 && errno == ESRCH) {
			warnx("record: no process %ld", (long)o->pids[i]);
			return (EXIT_USAGE);
		}
	return (0);
}

/*
 * Trailer notes: the end of the recording (CLOCK_REALTIME, like the
 * header's start_ns: `info` shows how long it lasted), losses, hook
 * firings, fallbacks, skipped orphans, that fault-around's lookups carry
 * PR_F_FAULT_AROUND (ebpf.fault_around_flag 1: replay infers the flag on
 * traces without the note), and with CMD how it ended (cmd.ran 0: it
 * never ran, the trace holds only the recorder's child before its failed
 * exec).
 */
static void
write_notes(struct rec_state *s, int fallbacks, const struct cmd_end *ce)
{
	struct timespec ts;
	uint32_t k;

	clock_gettime(CLOCK_REALTIME, &ts);
	pr_writer_note(s->w, "record.end_ns", (uint64_t)ts.tv_sec *
	    1000000000u + (uint64_t)ts.tv_nsec);
	pr_writer_note(s->w, "ebpf.lost", s->lost_seen);
	pr_writer_note(s->w, "ebpf.buffer", s->o->buffer);
	pr_writer_note(s->w, "ebpf.fallback_hooks", (uint64_t)fallbacks);
	pr_writer_note(s->w, "ebpf.orphan_ends", s->dropped);
	pr_writer_note(s->w, "ebpf.foreign_page_events", s->foreign);
	pr_writer_note(s->w, "ebpf.foreign_writeback", s->foreign_wb);
	pr_writer_note(s->w, "ebpf.fault_around_flag", 1);
	for (k = 0; k < HOOK_COUNT; k++)
		pr_writer_note(s->w, hook_note[k],
		    percpu_sum(s, s->skel->maps.hits, k));
	if (ce == NULL)
		return;
	pr_writer_note(s->w, "cmd.ran", ce->ran ? 1 : 0);
	pr_writer_note(s->w, "cmd.status", (uint64_t)ce->status);
	pr_writer_note(s->w, "cmd.stopped", ce->stopped ? 1 : 0);
}

/* A wait(2) status as a shell reports it: the code, or 128 + signal. */
static int
shell_status(int ws)
{
	if (WIFEXITED(ws))
		return (WEXITSTATUS(ws));
	if (WIFSIGNALED(ws))
		return (128 + WTERMSIG(ws));
	return (1);
}

/*
 * End a CMD still running when the capture stops: SIGTERM (as perf record
 * does) and up to STOP_MS to exit, recorded; then SIGKILL.  Its wait(2)
 * status.
 */
static int
stop_child(pid_t child)
{
	int i, ws = 0;

	kill(child, SIGTERM);
	for (i = 0; i < STOP_MS / TICK_MS; i++) {
		if (waitpid(child, &ws, WNOHANG) == child)
			return (ws);
		poll(NULL, 0, TICK_MS);
	}
	kill(child, SIGKILL);
	while (waitpid(child, &ws, 0) < 0 && errno == EINTR)
		;
	return (ws);
}

/*
 * Whether every -p process has exited: pidfds[i] polls readable at its
 * exit (and is then closed and set to PIDFD_GONE); a process without one
 * (PIDFD_NONE) is checked with kill(0).  Waits up to TICK_MS.
 */
static bool
pids_gone(const struct rec_opts *o, int *pidfds)
{
	struct pollfd pfd[MAX_PIDS];
	int i, left = 0;

	for (i = 0; i < o->npids; i++) {
		pfd[i].fd = pidfds[i];	/* poll skips negative fds */
		pfd[i].events = POLLIN;
		pfd[i].revents = 0;
		if (pidfds[i] == PIDFD_NONE && kill(o->pids[i], 0) != 0 &&
		    errno == ESRCH)
			pidfds[i] = PIDFD_GONE;
	}
	if (poll(pfd, (nfds_t)o->npids, TICK_MS) > 0)
		for (i = 0; i < o->npids; i++)
			if (pidfds[i] >= 0 && pfd[i].revents != 0) {
				close(pidfds[i]);
				pidfds[i] = PIDFD_GONE;
			}
	for (i = 0; i < o->npids; i++)
		if (pidfds[i] != PIDFD_GONE)
			left++;
	return (o->npids > 0 && left == 0);
}

/*
 * Wait for the end: a signal, CMD's exit, the exit of every -p process,
 * --duration, or a writer failure; draw the status line meanwhile.  A CMD
 * still running at the end is stopped (stop_child).  CMD's end in *ce.
 */
static void
wait_end(struct rec_state *s, pid_t child, int *pidfds, struct cmd_end *ce)
{
	uint64_t start = cli_now_ns(), now, last_draw = 0, last_events = 0;
	uint64_t ev;
	int ws;

	for (;;) {
		if (got_signal != 0 || atomic_load(&s->failed))
			break;
		if (child > 0 && waitpid(child, &ws, WNOHANG) == child) {
			ce->status = shell_status(ws);
			child = -1;
			break;
		}
		now = cli_now_ns();
		if (s->o->duration_ns != 0 && now - start >= s->o->duration_ns)
			break;
		if (now - last_draw >= 1000000000ULL) {
			ev = atomic_load(&s->events);
			cli_progress("record: %ju events, %ju/s, %.1f MB, "
			    "%ju lost", (uintmax_t)ev,
			    (uintmax_t)(last_draw == 0 ? 0 :
			    (ev - last_events) * 1000000000ULL /
			    (now - last_draw)),
			    (double)atomic_load(&s->bytes) / 1e6,
			    (uintmax_t)atomic_load(&s->lost));
			last_draw = now;
			last_events = ev;
		}
		if (pids_gone(s->o, pidfds))
			break;
	}
	cli_progress_done();
	if (child > 0) {
		ce->stopped = true;
		ce->status = shell_status(stop_child(child));
	}
}

/*
 * Start CMD held (followed from its fork on: record.bpf.c's follow_cmd)
 * and let it exec: true when it runs, false
 * when it could not start or exec (said in one line; ce->status 127 for
 * not found, 126 otherwise, as time(1)).
 */
static bool
start_cmd(struct rec_state *s, pid_t *childp, struct cmd_end *ce)
{
	int gofd, errfd, e = 0;
	bool ran;

	*childp = spawn_held(s->o->cmd, &gofd, &errfd);
	if (*childp < 0) {
		warnx("record: cannot start %s: %s", s->o->cmd[0],
		    strerror(errno));
		ce->status = 126;
		return (false);
	}
	if (write(gofd, "g", 1) != 1)
		e = errno;
	else if (read(errfd, &e, sizeof(e)) != (ssize_t)sizeof(e))
		e = 0;		/* EOF: exec succeeded */
	close(gofd);
	close(errfd);
	ran = e == 0;
	if (!ran) {
		warnx("record: cannot run %s: %s", s->o->cmd[0], strerror(e));
		waitpid(*childp, NULL, 0);
		*childp = -1;
		ce->status = e == ENOENT ? 127 : 126;
	}
	ce->ran = ran;
	return (ran);
}

/* Say how CMD ended when it failed by itself (as time(1) does). */
static void
report_cmd(const struct rec_opts *o, const struct cmd_end *ce)
{
	if (!ce->ran || ce->stopped || ce->status == 0)
		return;
	if (ce->status > 128)
		warnx("record: %s was killed by signal %d", o->cmd[0],
		    ce->status - 128);
	else
		warnx("record: %s exited with status %d", o->cmd[0],
		    ce->status);
}

/*
 * Start the capture: everything after the options are known.  The exit
 * status: 1 when the recorder fails; with CMD, CMD's status (struct
 * cmd_end) unless the capture ended first (a signal, --duration): 0.
 */
static int
record_run(const struct rec_opts *o)
{
	struct bpf_link *links[NHOOKS] = { NULL };
	struct cmd_end ce = { .ran = false, .stopped = false, .status = 0 };
	struct rec_state s;
	struct pr_header h;
	struct sigaction sa;
	pthread_t drain;
	const char *why;
	pid_t child = -1;
	int pidfds[MAX_PIDS];
	int err, e, i, fallbacks = 0, rc = 1;
	bool ok = false, drained = false;
	size_t k;

	if ((why = missing_prereq()) != NULL) {
		warnx("record: cannot record: missing %s", why);
		return (1);
	}
	/* First, so a signal during the set-up still ends the capture. */
	memset(&sa, 0, sizeof(sa));
	sa.sa_handler = on_signal;
	sigaction(SIGINT, &sa, NULL);
	sigaction(SIGTERM, &sa, NULL);
	libbpf_set_print(o->verbose ? libbpf_print : libbpf_quiet);
	memset(&s, 0, sizeof(s));
	s.o = o;
	s.ncpus = libbpf_num_possible_cpus();
	for (i = 0; i < MAX_PIDS; i++)
		pidfds[i] = PIDFD_GONE;
	if (o->anonymize && getrandom(&s.anon_key, sizeof(s.anon_key), 0) !=
	    (ssize_t)sizeof(s.anon_key))
		s.anon_key = cli_now_ns() ^ ((uint64_t)getpid() << 32);

	s.skel = load_skel(o, o->classic, &fallbacks);
	if (s.skel == NULL && !o->classic)
		s.skel = load_skel(o, true, &fallbacks);
	if (s.skel == NULL)
		return (1);
	if (attach_all(s.skel, links) != 0)
		goto cleanup;
	s.rb = ring_buffer__new(bpf_map__fd(s.skel->maps.events), on_record,
	    &s, NULL);
	if (s.rb == NULL) {
		warnx("record: cannot map the ring buffer: %s",
		    strerror(errno));
		goto cleanup;
	}

	pr_header_init(&h, PR_SRC_EBPF);
	snprintf(h.clock, sizeof(h.clock), "monotonic");
	describe(o, h.cmdline, sizeof(h.cmdline));
	s.start_mono = cli_now_ns();
	s.w = pr_writer_create(o->out, &h, &err);
	if (s.w == NULL) {
		warnx("record: cannot create %s: %s", o->out,
		    err == PR_E_IO ? strerror(errno) : pr_strerror(err));
		goto cleanup;
	}

	for (i = 0; i < o->npids; i++) {
		pidfds[i] = (int)syscall(SYS_pidfd_open, o->pids[i], 0);
		if (pidfds[i] < 0)
			pidfds[i] = PIDFD_NONE;
		seed_tree(s.skel, o->pids[i]);
	}
	if (pthread_create(&drain, NULL, drain_main, &s) != 0) {
		warnx("record: cannot start the drain thread");
		goto close_writer;
	}
	drained = true;
	if (o->cmd == NULL || start_cmd(&s, &child, &ce)) {
		wait_end(&s, child, pidfds, &ce);
		ok = true;
	} else
		ok = true;	/* the trace is written and marked cmd.ran 0 */
	atomic_store(&s.stop, true);
	pthread_join(drain, NULL);
	flush(&s);
close_writer:
	write_notes(&s, fallbacks, o->cmd != NULL && drained ? &ce : NULL);
	err = s.write_err;
	e = s.write_errno;
	if (err == 0) {
		err = pr_writer_close(s.w);
		e = errno;
	} else
		pr_writer_close(s.w);
	if (err != 0) {
		warnx("record: writing %s: %s; the frames written before it "
		    "are readable", o->out, err == PR_E_IO ? strerror(e) :
		    pr_strerror(err));
		ok = false;
	}
	if (ok) {
		fprintf(stderr, "record: %ju events, %ju lost, %.1f MB "
		    "written to %s\n", (uintmax_t)atomic_load(&s.events),
		    (uintmax_t)s.lost_seen, (double)atomic_load(&s.bytes) /
		    1e6, o->out);
		rc = 0;
		if (o->cmd != NULL) {
			report_cmd(o, &ce);
			rc = ce.stopped ? 0 : ce.status;
		}
	}
cleanup:
	for (i = 0; i < o->npids; i++)
		if (pidfds[i] >= 0)
			close(pidfds[i]);
	ring_buffer__free(s.rb);
	for (k = 0; k < NHOOKS; k++)
		bpf_link__destroy(links[k]);
	record_bpf__destroy(s.skel);
	rec_map_free(&s.pmaps);
	rec_map_free(&s.objs);
	return (rc);
}

/* `pagereplay record` with the eBPF front end (commands.h). */
int
cmd_record_ebpf(int argc, char **argv)
{
	struct rec_opts o = {
		.buffer = DEFAULT_BUFFER,
	};
	bool help;
	int rc;

	rc = parse_args(argc, argv, &o, &help);
	if (help) {
		usage(stdout);
		return (0);
	}
	if (rc != 0)
		return (rc);
	return (record_run(&o));
}
