/*
 * trace.c - the trace library's common ground: the names of kinds, sources
 * and errors, the host facts of a new header, the format's checksum and
 * the frame header's encoding, which the writer (trace_writer.c) and the
 * reader (trace_reader.c, trace_decode.c) share.
 *
 * The library, file by file, with the header that is its contract (trace.h
 * is the public API of them all):
 *   trace.c         this file                        trace_internal.h
 *   trace_codec.c   v1 events <-> raw frame bytes    trace_codec_internal.h
 *   trace_codec2.c  v2 events <-> column streams     trace_codec_internal.h
 *   trace_writer.c  pr_writer_*: frames, index, tail trace.h
 *   trace_reader.c  pr_reader_open: header, then the trace_reader_internal.h
 *                   index or a scan; status, close
 *   trace_decode.c  frames loaded and decoded, in    trace_reader_internal.h
 *                   parallel (pr_reader_frame) or
 *                   streamed (pr_reader_next)
 */
#include <sys/utsname.h>

#include <stdio.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "trace.h"
#include "trace_internal.h"

static const char *const kind_names[PR_KIND_COUNT] = {
	[PR_OBJ_CREATE] = "obj_create",
	[PR_OBJ_TERMINATE] = "obj_terminate",
	[PR_PAGE_INSERT] = "page_insert",
	[PR_PAGE_LOOKUP] = "page_lookup",
	[PR_PAGE_REMOVE] = "page_remove",
	[PR_WIRE] = "wire",
	[PR_UNWIRE] = "unwire",
	[PR_RELEASE] = "release",
	[PR_ACTIVATE] = "activate",
	[PR_DEACTIVATE] = "deactivate",
	[PR_REQUEUE] = "requeue",
	[PR_PMAP_CREATE] = "pmap_create",
	[PR_PMAP_DESTROY] = "pmap_destroy",
	[PR_MAP] = "map",
	[PR_UNMAP] = "unmap",
	[PR_REMOVE_ALL] = "remove_all",
	[PR_REMOVE_WRITE] = "remove_write",
	[PR_EXTRACT_HOLD] = "extract_hold",
	[PR_PROMOTE] = "promote",
	[PR_DEMOTE] = "demote",
	[PR_SCAN] = "scan",
	[PR_SENDFILE] = "sendfile",
	[PR_LOST] = "lost",
};
_Static_assert(PR_KIND_COUNT <= PR_EV_KIND + 1,
    "event kinds must fit the 7-bit kind field");

static const char *const source_names[PR_SRC_COUNT] = {
	[PR_SRC_SYNTH] = "synth",
	[PR_SRC_EBPF] = "ebpf",
	[PR_SRC_PCAP] = "pcap",
};

static const char *const error_names[PR_E_COUNT] = {
	[PR_OK] = "success",
	[PR_E_IO] = "I/O error",
	[PR_E_NOMEM] = "out of memory",
	[PR_E_ARG] = "invalid argument",
	[PR_E_MAGIC] = "not a pagereplay trace (bad magic)",
	[PR_E_VERSION] = "unsupported trace format version",
	[PR_E_CORRUPT] = "corrupt trace data",
	[PR_E_TRUNCATED] = "trace is truncated (no end marker)",
	[PR_E_HEADER_CUT] = "trace header cut short",
};

const char *
pr_strerror(int err)
{
	if (err < 0)
		err = -err;
	if (err >= PR_E_COUNT)
		return ("unknown error");
	return (error_names[err]);
}

const char *
pr_kind_name(unsigned kind)
{
	if (kind >= PR_KIND_COUNT)
		return ("?");
	return (kind_names[kind]);
}

int
pr_kind_from_name(const char *name)
{
	int k;

	if (name == NULL)
		return (-1);
	for (k = 0; k < PR_KIND_COUNT; k++)
		if (strcmp(kind_names[k], name) == 0)
			return (k);
	return (-1);
}

const char *
pr_source_name(unsigned source)
{
	if (source >= PR_SRC_COUNT)
		return ("?");
	return (source_names[source]);
}

void
pr_header_init(struct pr_header *h, enum pr_source source)
{
	struct utsname u;
	struct timespec ts;
	long n;

	memset(h, 0, sizeof(*h));
	h->version = PR_TRACE_VERSION;
	h->source = source;
	if (uname(&u) == 0) {
		snprintf(h->kernel, sizeof(h->kernel), "%s", u.release);
		snprintf(h->hostname, sizeof(h->hostname), "%s", u.nodename);
	}
	n = sysconf(_SC_NPROCESSORS_ONLN);
	h->ncpus = n > 0 ? (uint32_t)n : 1;
	n = sysconf(_SC_PAGESIZE);
	h->page_size = n > 0 ? (uint32_t)n : 4096;
	snprintf(h->clock, sizeof(h->clock), "monotonic");
	if (clock_gettime(CLOCK_REALTIME, &ts) == 0)
		h->start_ns = (uint64_t)ts.tv_sec * 1000000000u +
		    (uint64_t)ts.tv_nsec;
}

uint64_t
pr_checksum(uint64_t seed, const void *buf, size_t len)
{
	const uint64_t k = 0x9e3779b97f4a7c15ull;
	const uint8_t *p = buf;
	uint64_t h, w;
	uint8_t tail[8];

	h = seed ^ ((uint64_t)len * 0xc2b2ae3d27d4eb4full);
	for (; len >= 8; p += 8, len -= 8) {
		h = (h ^ pr_le64dec(p)) * k;
		h ^= h >> 29;
	}
	if (len > 0) {
		memset(tail, 0, sizeof(tail));
		memcpy(tail, p, len);
		w = pr_le64dec(tail);
		h = (h ^ w) * k;
		h ^= h >> 29;
	}
	h *= 0xbf58476d1ce4e5b9ull;
	return (h ^ (h >> 32));
}

uint64_t
pr_frame_sum(const uint8_t *fh, const void *payload, uint32_t comp)
{
	return (pr_checksum(pr_checksum(0, fh, PR_FH_SUM), payload, comp));
}

/* Fill a 48-byte frame header, checksum included (over hdr + payload). */
void
pr_frame_header_enc(uint8_t *fh, uint32_t version,
    const struct pr_frame_info *f, const uint8_t *payload)
{
	pr_le32enc(fh + PR_FH_MAGIC, pr_frame_magic(version));
	pr_le32enc(fh + PR_FH_RAW, f->raw);
	pr_le32enc(fh + PR_FH_COMP, f->comp);
	pr_le32enc(fh + PR_FH_EVENTS, f->nevents);
	pr_le64enc(fh + PR_FH_FIRST, f->first_ns);
	pr_le64enc(fh + PR_FH_LAST, f->last_ns);
	pr_le64enc(fh + PR_FH_LOST, f->lost);
	if (payload != NULL)
		pr_le64enc(fh + PR_FH_SUM, pr_frame_sum(fh, payload,
		    f->comp));
	else
		pr_le64enc(fh + PR_FH_SUM, f->sum);
}
