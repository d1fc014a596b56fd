/*
 * trace.c - the trace library: writer and reader of trace format v1
 * (docs/trace-format.md, constants in trace_internal.h).
 *
 * Events are encoded into a raw frame buffer (kind, presence mask,
 * delta-coded time and fields as varints, every delta context reset at the
 * start of a frame), and each raw frame of at most PR_FRAME_RAW_TARGET bytes
 * is compressed into one zstd frame behind a checksummed frame header.  A
 * frame therefore decodes on its own, and a file cut anywhere still yields
 * every frame written completely before the cut.
 */
#include <sys/stat.h>
#include <sys/utsname.h>

#include <errno.h>
#include <fcntl.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include <zstd.h>

#include "trace.h"
#include "trace_internal.h"

#define PR_ZSTD_LEVEL	3

/*
 * A fuzzing build (tests/fuzz, libFuzzer's convention) accepts any
 * checksum so that mutated inputs reach the checks behind it.
 */
#ifdef FUZZING_BUILD_MODE_UNSAFE_FOR_PRODUCTION
#define SUM_OK(computed, stored)	((void)(computed), (void)(stored), 1)
#else
#define SUM_OK(computed, stored)	((computed) == (stored))
#endif
#define PR_NOTES_MAX	4096
#define PR_KINDMAP_NONE	0xff	/* a kind this build does not know */
#define PR_KINDMAP_BAD	0xfe	/* beyond the file's kind table */
#define PR_NEXT_BATCH	256	/* events pr_reader_next decodes at once */

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
};

/* Per-frame facts, as in the frame header (trace_internal.h). */
struct frame_info {
	uint64_t	off;		/* file offset of the frame header */
	uint32_t	raw;		/* decompressed size */
	uint32_t	comp;		/* compressed size */
	uint32_t	nevents;
	uint64_t	first_ns;
	uint64_t	last_ns;
	uint64_t	lost;
	uint64_t	sum;
};

struct note {
	char		*key;
	uint64_t	value;
};

/*
 * Delta contexts shared by the encoder and the decoder, zeroed at the start
 * of every frame: time and tid against the previous event, the other fields
 * against the previous event of the same thread slot (tid modulo
 * PR_CTX_SLOTS), since a thread's events touch the same objects and
 * addresses.
 */
struct slot_ctx {
	uint64_t	obj;
	uint64_t	pindex;
	uint64_t	pmap;
	uint64_t	addr;
	uint32_t	cpu;
};

struct codec_ctx {
	uint64_t	time_ns;
	uint32_t	tid;
	struct slot_ctx	slot[PR_CTX_SLOTS];
};

/*
 * A resumable decoder over one raw frame (followed by PR_DECODE_PAD zero
 * bytes), so that streaming decodes small batches that stay in cache.
 */
struct decoder {
	struct codec_ctx c;
	const uint8_t	*p;
	const uint8_t	*end;
	uint32_t	left;		/* events not decoded yet */
	const uint8_t	*kindmap;	/* file kind -> local kind */
};

/* The writer is owned by one thread; nothing in it is locked. */
struct pr_writer {
	int		fd;
	int		error;		/* sticky: first failure */
	uint64_t	off;		/* bytes written so far */
	ZSTD_CCtx	*cctx;
	uint8_t		*raw;		/* current frame, encoded */
	size_t		rawlen;
	uint8_t		*comp;		/* compressed frame + its header */
	size_t		compcap;
	struct codec_ctx ctx;
	uint32_t	fevents;	/* current frame: events, times, lost */
	uint64_t	ffirst;
	uint64_t	flast;
	uint64_t	flost;
	struct frame_info *frames;	/* every frame written, for the index */
	size_t		nframes;
	size_t		framecap;
	uint64_t	events;
	uint64_t	lost;
	struct note	*notes;
	size_t		nnotes;
};

/* Buffers for decoding one frame: a zstd context and three arrays. */
struct decode_bufs {
	ZSTD_DCtx	*dctx;
	uint8_t		*comp;		/* frame header + compressed payload */
	size_t		compcap;
	uint8_t		*raw;		/* decompressed + PR_DECODE_PAD */
	size_t		rawcap;
	struct pr_event	*evs;
	size_t		evcap;
	struct decode_bufs *next;	/* in the reader's pool */
};

/*
 * Reader locking: (C) immutable after pr_reader_open(); (S) under st_mtx;
 * (N) the streaming state, used only by pr_reader_next()'s caller.
 */
struct pr_reader {
	int		fd;		/* (C) */
	uint64_t	size;		/* (C) file size at open */
	struct pr_header hdr;		/* (C) */
	uint8_t		kindmap[PR_EV_KIND + 1]; /* (C) file -> local kind */
	struct frame_info *frames;	/* (C) */
	size_t		nframes;	/* (C) */
	struct note	*notes;		/* (C) */
	size_t		nnotes;		/* (C) */
	pthread_mutex_t	st_mtx;
	struct pr_reader_status st;	/* (S) error fields; the rest (C) */
	uint64_t	skipped;	/* (S) events of unknown kinds */
	struct decode_bufs *pool;	/* (S) idle decode buffers */
	/* Streaming (N). */
	size_t		cur;		/* next frame to decode */
	bool		end_done;	/* truncation already reported */
	struct decode_bufs *sbufs;	/* the current frame, its batch */
	struct decoder	dec;		/* where in the current frame */
	size_t		nev;		/* events in the batch */
	size_t		pos;		/* next one to return */
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

/* Varints (LEB128, at most 10 bytes) and zigzag for signed deltas. */
static inline uint8_t *
put_varint(uint8_t *p, uint64_t v)
{
	while (v >= 0x80) {
		*p++ = (uint8_t)(v | 0x80);
		v >>= 7;
	}
	*p++ = (uint8_t)v;
	return (p);
}

static inline uint64_t
zigzag(uint64_t delta)
{
	return ((delta << 1) ^ (0 - (delta >> 63)));
}

static inline uint64_t
unzigzag(uint64_t z)
{
	return ((z >> 1) ^ (0 - (z & 1)));
}

/*
 * Read a varint without a bounds check: the caller guarantees at least 10
 * readable bytes (the decode padding).  Varints of up to 8 bytes (values
 * below 2^56) are decoded without branching on their length: one 8-byte
 * load, the first byte without its high bit ends it, then the 7-bit
 * groups are packed together.  Sets *bad on an 11-byte varint.
 */
static inline const uint8_t *
get_varint(const uint8_t *p, uint64_t *v, bool *bad)
{
	uint64_t w, stop, x, b;
	unsigned n, shift;

	if (p[0] < 0x80) {
		*v = p[0];
		return (p + 1);
	}
	if (p[1] < 0x80) {
		*v = (p[0] & 0x7fu) | (uint64_t)p[1] << 7;
		return (p + 2);
	}
	w = pr_le64dec(p);
	stop = ~w & 0x8080808080808080ull;
	if (stop != 0) {
		n = (unsigned)__builtin_ctzll(stop) + 1;	/* bits used */
		x = n == 64 ? w : w & ((1ull << n) - 1);
		x &= 0x7f7f7f7f7f7f7f7full;
		x = (x & 0x007f007f007f007full) |
		    (x & 0x7f007f007f007f00ull) >> 1;
		x = (x & 0x00003fff00003fffull) |
		    (x & 0x3fff00003fff0000ull) >> 2;
		x = (x & 0x000000000fffffffull) |
		    (x & 0x0fffffff00000000ull) >> 4;
		*v = x;
		return (p + n / 8);
	}
	x = w & 0x7f7f7f7f7f7f7f7full;
	x = (x & 0x007f007f007f007full) | (x & 0x7f007f007f007f00ull) >> 1;
	x = (x & 0x00003fff00003fffull) | (x & 0x3fff00003fff0000ull) >> 2;
	x = (x & 0x000000000fffffffull) | (x & 0x0fffffff00000000ull) >> 4;
	for (n = 8, shift = 56; n < 10; n++, shift += 7) {
		b = p[n];
		x |= (b & 0x7f) << shift;
		if (b < 0x80) {
			*v = x;
			return (p + n + 1);
		}
	}
	*bad = true;
	*v = x;
	return (p + 10);
}

/*
 * Addresses are mostly page aligned: a delta d is written as one varint
 * zigzag(d >> 12) << 1 | (low 12 bits != 0), then the low 12 bits as a
 * varint when they are not zero.
 */
static inline uint8_t *
put_addr_delta(uint8_t *p, uint64_t d)
{
	uint64_t hi, lo;

	hi = (d >> 12) | (0 - (d >> 63)) << 52;	/* arithmetic shift */
	lo = d & 0xfff;
	p = put_varint(p, zigzag(hi) << 1 | (lo != 0));
	if (lo != 0)
		p = put_varint(p, lo);
	return (p);
}

/* Append one event to a raw frame; at most PR_EVENT_MAX bytes. */
static uint8_t *
encode_event(struct codec_ctx *c, const struct pr_event *ev, uint8_t *p)
{
	struct slot_ctx *sc;
	uint8_t *maskp;
	uint8_t mask = 0;

	*p++ = (uint8_t)(ev->kind | (ev->flags != 0 ? PR_EV_FLAGS : 0));
	if (ev->flags != 0)
		*p++ = ev->flags;
	maskp = p++;
	p = put_varint(p, zigzag(ev->time_ns - c->time_ns));
	c->time_ns = ev->time_ns;
	if (ev->tid != c->tid) {
		mask |= PR_M_TID;
		p = put_varint(p, ev->tid);
		c->tid = ev->tid;
	}
	sc = &c->slot[ev->tid % PR_CTX_SLOTS];
	if (ev->cpu != sc->cpu) {
		mask |= PR_M_CPU;
		p = put_varint(p, ev->cpu);
		sc->cpu = ev->cpu;
	}
	if (ev->obj != 0) {
		mask |= PR_M_OBJ;
		p = put_varint(p, zigzag(ev->obj - sc->obj));
		sc->obj = ev->obj;
	}
	if (ev->pindex != 0) {
		mask |= PR_M_PINDEX;
		p = put_varint(p, zigzag(ev->pindex - sc->pindex));
		sc->pindex = ev->pindex;
	}
	if (ev->pmap != 0) {
		mask |= PR_M_PMAP;
		p = put_varint(p, zigzag(ev->pmap - sc->pmap));
		sc->pmap = ev->pmap;
	}
	if (ev->addr != 0) {
		mask |= PR_M_ADDR;
		p = put_addr_delta(p, ev->addr - sc->addr);
		sc->addr = ev->addr;
	}
	if (ev->arg != 0) {
		mask |= PR_M_ARG;
		p = put_varint(p, ev->arg);
	}
	if (ev->npages != 1) {
		mask |= PR_M_NPAGES;
		p = put_varint(p, ev->npages);
	}
	*maskp = mask;
	return (p);
}

static void
decoder_init(struct decoder *d, const uint8_t *kindmap, const uint8_t *raw,
    size_t rawlen, uint32_t nevents)
{
	memset(&d->c, 0, sizeof(d->c));
	d->p = raw;
	d->end = raw + rawlen;
	d->left = nevents;
	d->kindmap = kindmap;
}

/*
 * Decode up to max more events into out[], dropping events whose file kind
 * is unknown here.  Returns PR_OK or PR_E_CORRUPT; *nout and *skipped
 * count what came out.  After the last event the frame must be used up.
 */
static int
decoder_run(struct decoder *d, struct pr_event *out, size_t max,
    size_t *nout, uint64_t *skipped)
{
	struct codec_ctx *c = &d->c;
	struct slot_ctx *sc;
	const uint8_t *p = d->p, *end = d->end;
	struct pr_event *ev = out;
	uint64_t v, lo;
	size_t i, n;
	uint8_t b0, mask;
	bool bad = false;

	*nout = 0;
	*skipped = 0;
	n = d->left < max ? d->left : max;
	for (i = 0; i < n; i++) {
		/* Past the end, the zero padding decodes; p > end stops it. */
		b0 = *p++;
		ev->kind = d->kindmap[b0 & PR_EV_KIND];
		ev->flags = (b0 & PR_EV_FLAGS) != 0 ? *p++ : 0;
		mask = *p++;
		p = get_varint(p, &v, &bad);
		c->time_ns += unzigzag(v);
		ev->time_ns = c->time_ns;
		if (mask & PR_M_TID) {
			p = get_varint(p, &v, &bad);
			if (v > UINT32_MAX)
				return (PR_E_CORRUPT);
			c->tid = (uint32_t)v;
		}
		ev->tid = c->tid;
		sc = &c->slot[c->tid % PR_CTX_SLOTS];
		if (mask & PR_M_CPU) {
			p = get_varint(p, &v, &bad);
			if (v > UINT32_MAX)
				return (PR_E_CORRUPT);
			sc->cpu = (uint32_t)v;
		}
		ev->cpu = sc->cpu;
		ev->obj = 0;
		if (mask & PR_M_OBJ) {
			p = get_varint(p, &v, &bad);
			sc->obj += unzigzag(v);
			ev->obj = sc->obj;
		}
		ev->pindex = 0;
		if (mask & PR_M_PINDEX) {
			p = get_varint(p, &v, &bad);
			sc->pindex += unzigzag(v);
			ev->pindex = sc->pindex;
		}
		ev->pmap = 0;
		if (mask & PR_M_PMAP) {
			p = get_varint(p, &v, &bad);
			sc->pmap += unzigzag(v);
			ev->pmap = sc->pmap;
		}
		ev->addr = 0;
		if (mask & PR_M_ADDR) {
			p = get_varint(p, &v, &bad);
			lo = 0;
			if (v & 1)
				p = get_varint(p, &lo, &bad);
			sc->addr += unzigzag(v >> 1) << 12 | lo;
			ev->addr = sc->addr;
		}
		ev->arg = 0;
		if (mask & PR_M_ARG)
			p = get_varint(p, &ev->arg, &bad);
		ev->npages = 1;
		if (mask & PR_M_NPAGES) {
			p = get_varint(p, &v, &bad);
			if (v > UINT32_MAX)
				return (PR_E_CORRUPT);
			ev->npages = (uint32_t)v;
		}
		if (p > end || bad)
			return (PR_E_CORRUPT);
		if (ev->kind < PR_KIND_COUNT)
			ev++;
		else if (ev->kind == PR_KINDMAP_NONE)
			(*skipped)++;
		else
			return (PR_E_CORRUPT);	/* beyond the kind table */
	}
	d->p = p;
	d->left -= (uint32_t)n;
	if (d->left == 0 && p != end)
		return (PR_E_CORRUPT);
	*nout = (size_t)(ev - out);
	return (PR_OK);
}

/* Write all of buf at the writer's offset. */
static int
write_all(struct pr_writer *w, const void *buf, size_t len)
{
	const uint8_t *p = buf;
	ssize_t n;

	while (len > 0) {
		n = write(w->fd, p, len);
		if (n < 0) {
			if (errno == EINTR)
				continue;
			return (PR_E_IO);
		}
		p += n;
		len -= (size_t)n;
		w->off += (uint64_t)n;
	}
	return (PR_OK);
}

/*
 * Encode the header payload into buf (PR_HDR_PAYLOAD_MAX bytes); returns
 * its length.  Strings are varint length + bytes, no NUL.
 */
static size_t
hdr_encode(const struct pr_header *h, uint8_t *buf)
{
	const char *strs[4] = { h->kernel, h->hostname, h->clock, h->cmdline };
	const size_t sizes[4] = { sizeof(h->kernel), sizeof(h->hostname),
	    sizeof(h->clock), sizeof(h->cmdline) };
	uint8_t *p = buf;
	size_t n;
	unsigned i;

	p = put_varint(p, h->source);
	p = put_varint(p, h->ncpus);
	p = put_varint(p, h->page_size);
	p = put_varint(p, h->start_ns);
	for (i = 0; i < 4; i++) {
		n = strnlen(strs[i], sizes[i] - 1);
		p = put_varint(p, n);
		memcpy(p, strs[i], n);
		p += n;
	}
	p = put_varint(p, PR_KIND_COUNT);
	for (i = 0; i < PR_KIND_COUNT; i++) {
		n = strlen(kind_names[i]);
		p = put_varint(p, n);
		memcpy(p, kind_names[i], n);
		p += n;
	}
	return ((size_t)(p - buf));
}

static void
writer_free(struct pr_writer *w)
{
	size_t i;

	if (w->fd >= 0)
		close(w->fd);
	ZSTD_freeCCtx(w->cctx);
	free(w->raw);
	free(w->comp);
	free(w->frames);
	for (i = 0; i < w->nnotes; i++)
		free(w->notes[i].key);
	free(w->notes);
	free(w);
}

struct pr_writer *
pr_writer_create(const char *path, const struct pr_header *h, int *errp)
{
	struct pr_writer *w;
	uint8_t *buf;
	size_t len;
	int err;

	if (path == NULL || h == NULL || h->source >= PR_SRC_COUNT) {
		*errp = PR_E_ARG;
		return (NULL);
	}
	w = calloc(1, sizeof(*w));
	buf = malloc(PR_FILE_FIXED + PR_HDR_PAYLOAD_MAX + 8);
	if (w == NULL || buf == NULL)
		goto nomem;
	w->fd = -1;
	w->compcap = PR_FRAME_HDR + ZSTD_compressBound(PR_FRAME_RAW_TARGET);
	w->raw = malloc(PR_FRAME_RAW_TARGET);
	w->comp = malloc(w->compcap);
	w->cctx = ZSTD_createCCtx();
	if (w->raw == NULL || w->comp == NULL || w->cctx == NULL)
		goto nomem;
	ZSTD_CCtx_setParameter(w->cctx, ZSTD_c_compressionLevel,
	    PR_ZSTD_LEVEL);
	/* zstd's content checksum: catches what a forged frame sum hides. */
	ZSTD_CCtx_setParameter(w->cctx, ZSTD_c_checksumFlag, 1);
	w->fd = open(path, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0644);
	if (w->fd < 0) {
		err = errno;
		free(buf);
		writer_free(w);
		errno = err;
		*errp = PR_E_IO;
		return (NULL);
	}
	memcpy(buf, PR_FILE_MAGIC, PR_FILE_MAGIC_LEN);
	pr_le32enc(buf + 8, PR_TRACE_VERSION);
	len = hdr_encode(h, buf + PR_FILE_FIXED);
	pr_le32enc(buf + 12, (uint32_t)len);
	len += PR_FILE_FIXED;
	pr_le64enc(buf + len, pr_checksum(0, buf, len));
	err = write_all(w, buf, len + 8);
	free(buf);
	if (err != PR_OK) {
		err = errno;
		writer_free(w);
		errno = err;
		*errp = PR_E_IO;
		return (NULL);
	}
	*errp = PR_OK;
	return (w);
nomem:
	free(buf);
	if (w != NULL)
		writer_free(w);
	*errp = PR_E_NOMEM;
	return (NULL);
}

/* Fill a 48-byte frame header, checksum included (over hdr + payload). */
static void
frame_header_enc(uint8_t *fh, const struct frame_info *f,
    const uint8_t *payload)
{
	pr_le32enc(fh + PR_FH_MAGIC, PR_FRAME_MAGIC);
	pr_le32enc(fh + PR_FH_RAW, f->raw);
	pr_le32enc(fh + PR_FH_COMP, f->comp);
	pr_le32enc(fh + PR_FH_EVENTS, f->nevents);
	pr_le64enc(fh + PR_FH_FIRST, f->first_ns);
	pr_le64enc(fh + PR_FH_LAST, f->last_ns);
	pr_le64enc(fh + PR_FH_LOST, f->lost);
	if (payload != NULL)
		pr_le64enc(fh + PR_FH_SUM, pr_checksum(
		    pr_checksum(0, fh, PR_FH_SUM), payload, f->comp));
	else
		pr_le64enc(fh + PR_FH_SUM, f->sum);
}

/* Compress and write the current frame, if it holds any event. */
static int
writer_emit(struct pr_writer *w)
{
	struct frame_info f, *nf;
	size_t n, cap;

	if (w->fevents == 0)
		return (PR_OK);
	if (w->nframes == w->framecap) {
		cap = w->framecap == 0 ? 64 : w->framecap * 2;
		nf = realloc(w->frames, cap * sizeof(*nf));
		if (nf == NULL)
			return (PR_E_NOMEM);
		w->frames = nf;
		w->framecap = cap;
	}
	n = ZSTD_compress2(w->cctx, w->comp + PR_FRAME_HDR,
	    w->compcap - PR_FRAME_HDR, w->raw, w->rawlen);
	if (ZSTD_isError(n))
		return (PR_E_NOMEM);
	f.off = w->off;
	f.raw = (uint32_t)w->rawlen;
	f.comp = (uint32_t)n;
	f.nevents = w->fevents;
	f.first_ns = w->ffirst;
	f.last_ns = w->flast;
	f.lost = w->flost;
	frame_header_enc(w->comp, &f, w->comp + PR_FRAME_HDR);
	f.sum = pr_le64dec(w->comp + PR_FH_SUM);
	if (write_all(w, w->comp, PR_FRAME_HDR + n) != PR_OK)
		return (PR_E_IO);
	w->frames[w->nframes++] = f;
	w->rawlen = 0;
	w->fevents = 0;
	w->flost = 0;
	memset(&w->ctx, 0, sizeof(w->ctx));
	return (PR_OK);
}

int
pr_writer_write(struct pr_writer *w, const struct pr_event *ev)
{
	if (w == NULL || ev == NULL || ev->kind >= PR_KIND_COUNT ||
	    (ev->flags & ~PR_F_MASK) != 0)
		return (PR_E_ARG);
	if (w->error != PR_OK)
		return (w->error);
	if (w->rawlen + PR_EVENT_MAX > PR_FRAME_RAW_TARGET &&
	    (w->error = writer_emit(w)) != PR_OK)
		return (w->error);
	w->rawlen = (size_t)(encode_event(&w->ctx, ev, w->raw + w->rawlen) -
	    w->raw);
	if (w->fevents == 0 || ev->time_ns < w->ffirst)
		w->ffirst = ev->time_ns;
	if (w->fevents == 0 || ev->time_ns > w->flast)
		w->flast = ev->time_ns;
	w->fevents++;
	w->events++;
	if (ev->kind == PR_LOST) {
		w->flost += ev->arg;
		w->lost += ev->arg;
	}
	return (PR_OK);
}

int
pr_writer_note(struct pr_writer *w, const char *key, uint64_t value)
{
	struct note *nn;
	size_t i, len;

	if (w == NULL || key == NULL)
		return (PR_E_ARG);
	len = strlen(key);
	if (len == 0 || len > PR_NOTE_KEY_MAX)
		return (PR_E_ARG);
	for (i = 0; i < w->nnotes; i++) {
		if (strcmp(w->notes[i].key, key) == 0) {
			w->notes[i].value = value;
			return (PR_OK);
		}
	}
	if (w->nnotes == PR_NOTES_MAX)
		return (PR_E_ARG);
	nn = realloc(w->notes, (w->nnotes + 1) * sizeof(*nn));
	if (nn == NULL)
		return (PR_E_NOMEM);
	w->notes = nn;
	if ((nn[w->nnotes].key = strdup(key)) == NULL)
		return (PR_E_NOMEM);
	nn[w->nnotes++].value = value;
	return (PR_OK);
}

int
pr_writer_flush(struct pr_writer *w)
{
	if (w == NULL)
		return (PR_E_ARG);
	if (w->error == PR_OK)
		w->error = writer_emit(w);
	return (w->error);
}

uint64_t
pr_writer_bytes(const struct pr_writer *w)
{
	return (w == NULL ? 0 : w->off);
}

/* Write the index block and the tail (the end marker). */
static int
writer_finish(struct pr_writer *w)
{
	uint8_t *buf, *p;
	uint64_t start;
	size_t i, len;
	int err;

	len = 16 + w->nframes * PR_INDEX_ENTRY + 24 +
	    w->nnotes * (1 + PR_NOTE_KEY_MAX + 8) + PR_TAIL;
	if ((buf = malloc(len)) == NULL)
		return (PR_E_NOMEM);
	start = w->off;
	p = buf;
	pr_le32enc(p, PR_INDEX_MAGIC);
	pr_le32enc(p + 4, 0);
	pr_le64enc(p + 8, w->nframes);
	p += 16;
	for (i = 0; i < w->nframes; i++) {
		pr_le64enc(p, w->frames[i].off);
		frame_header_enc(p + 8, &w->frames[i], NULL);
		p += PR_INDEX_ENTRY;
	}
	pr_le64enc(p, w->events);
	pr_le64enc(p + 8, w->lost);
	pr_le64enc(p + 16, w->nnotes);
	p += 24;
	for (i = 0; i < w->nnotes; i++) {
		len = strlen(w->notes[i].key);
		*p++ = (uint8_t)len;
		memcpy(p, w->notes[i].key, len);
		p += len;
		pr_le64enc(p, w->notes[i].value);
		p += 8;
	}
	len = (size_t)(p - buf);
	pr_le64enc(p, start);
	pr_le64enc(p + 8, pr_checksum(0, buf, len));
	memcpy(p + 16, PR_TAIL_MAGIC, 8);
	err = write_all(w, buf, len + PR_TAIL);
	free(buf);
	return (err);
}

int
pr_writer_close(struct pr_writer *w)
{
	int err;

	if (w == NULL)
		return (PR_E_ARG);
	err = w->error;
	if (err == PR_OK)
		err = writer_emit(w);
	if (err == PR_OK)
		err = writer_finish(w);
	if (close(w->fd) != 0 && err == PR_OK)
		err = PR_E_IO;
	w->fd = -1;
	writer_free(w);
	return (err);
}

/* Bounds-checked cursor over an in-memory block (header, index). */
struct cursor {
	const uint8_t	*p;
	const uint8_t	*end;
	bool		bad;
};

static uint64_t
cur_varint(struct cursor *c)
{
	uint64_t r = 0, b;
	unsigned shift;

	for (shift = 0; shift < 70; shift += 7) {
		if (c->p >= c->end) {
			c->bad = true;
			return (0);
		}
		b = *c->p++;
		r |= (b & 0x7f) << shift;
		if (b < 0x80)
			return (r);
	}
	c->bad = true;
	return (0);
}

static uint64_t
cur_u64(struct cursor *c)
{
	uint64_t v;

	if (c->end - c->p < 8) {
		c->bad = true;
		return (0);
	}
	v = pr_le64dec(c->p);
	c->p += 8;
	return (v);
}

/* A length-prefixed string into dst[size]; too long is bad. */
static void
cur_str(struct cursor *c, char *dst, size_t size)
{
	uint64_t n;

	n = cur_varint(c);
	if (c->bad || n >= size || n > (uint64_t)(c->end - c->p)) {
		c->bad = true;
		dst[0] = '\0';
		return;
	}
	memcpy(dst, c->p, n);
	dst[n] = '\0';
	c->p += n;
}

static int
pread_all(int fd, void *buf, size_t len, uint64_t off)
{
	uint8_t *p = buf;
	ssize_t n;

	while (len > 0) {
		n = pread(fd, p, len, (off_t)off);
		if (n < 0 && errno == EINTR)
			continue;
		if (n < 0)
			return (PR_E_IO);
		if (n == 0)
			return (PR_E_TRUNCATED);
		p += n;
		len -= (size_t)n;
		off += (uint64_t)n;
	}
	return (PR_OK);
}

/* Keep the error nearest the start of the file. */
static void
record_error(struct pr_reader *r, int err, uint64_t frame, uint64_t off)
{
	pthread_mutex_lock(&r->st_mtx);
	if (r->st.error == PR_OK || off < r->st.error_offset) {
		r->st.error = err;
		r->st.error_frame = frame;
		r->st.error_offset = off;
	}
	pthread_mutex_unlock(&r->st_mtx);
}

/* Parse the file header; sets r->hdr, the kind map; returns body offset. */
static int
reader_header(struct pr_reader *r, uint64_t *bodyp)
{
	uint8_t fixed[PR_FILE_FIXED], *buf;
	struct cursor c;
	char name[64];
	uint64_t n, i, len;
	int err, k;

	if (r->size < PR_FILE_FIXED) {
		if (r->size == 0)
			return (PR_E_MAGIC);
		if ((err = pread_all(r->fd, fixed, r->size, 0)) != PR_OK)
			return (err);
		return (memcmp(fixed, PR_FILE_MAGIC, r->size < 8 ? r->size :
		    8) == 0 ? PR_E_TRUNCATED : PR_E_MAGIC);
	}
	if ((err = pread_all(r->fd, fixed, sizeof(fixed), 0)) != PR_OK)
		return (err);
	if (memcmp(fixed, PR_FILE_MAGIC, PR_FILE_MAGIC_LEN) != 0)
		return (PR_E_MAGIC);
	r->hdr.version = pr_le32dec(fixed + 8);
	if (r->hdr.version != PR_TRACE_VERSION)
		return (PR_E_VERSION);
	len = pr_le32dec(fixed + 12);
	if (len > PR_HDR_PAYLOAD_MAX)
		return (PR_E_CORRUPT);
	if (r->size < PR_FILE_FIXED + len + 8)
		return (PR_E_TRUNCATED);
	if ((buf = malloc(PR_FILE_FIXED + len + 8)) == NULL)
		return (PR_E_NOMEM);
	if ((err = pread_all(r->fd, buf, PR_FILE_FIXED + len + 8, 0)) !=
	    PR_OK) {
		free(buf);
		return (err);
	}
	if (!SUM_OK(pr_checksum(0, buf, PR_FILE_FIXED + len),
	    pr_le64dec(buf + PR_FILE_FIXED + len))) {
		free(buf);
		return (PR_E_CORRUPT);
	}
	c.p = buf + PR_FILE_FIXED;
	c.end = c.p + len;
	c.bad = false;
	n = cur_varint(&c);
	r->hdr.source = n < PR_SRC_COUNT ? (uint32_t)n : PR_SRC_COUNT;
	n = cur_varint(&c);
	r->hdr.ncpus = n <= UINT32_MAX ? (uint32_t)n : 0;
	n = cur_varint(&c);
	r->hdr.page_size = n <= UINT32_MAX ? (uint32_t)n : 0;
	r->hdr.start_ns = cur_varint(&c);
	cur_str(&c, r->hdr.kernel, sizeof(r->hdr.kernel));
	cur_str(&c, r->hdr.hostname, sizeof(r->hdr.hostname));
	cur_str(&c, r->hdr.clock, sizeof(r->hdr.clock));
	cur_str(&c, r->hdr.cmdline, sizeof(r->hdr.cmdline));
	n = cur_varint(&c);
	if (n > PR_EV_KIND + 1)
		c.bad = true;
	memset(r->kindmap, PR_KINDMAP_BAD, sizeof(r->kindmap));
	for (i = 0; i < n && !c.bad; i++) {
		cur_str(&c, name, sizeof(name));
		k = pr_kind_from_name(name);
		r->kindmap[i] = k < 0 ? PR_KINDMAP_NONE : (uint8_t)k;
	}
	free(buf);
	if (c.bad)
		return (PR_E_CORRUPT);
	*bodyp = PR_FILE_FIXED + len + 8;
	return (PR_OK);
}

/*
 * Decode a 48-byte frame header found at off and check it against the
 * format's bounds and the file's end (limit).  PR_E_TRUNCATED if the frame
 * runs past limit, PR_E_CORRUPT if a field is out of bounds.
 */
static int
frame_header_dec(const uint8_t *fh, uint64_t off, uint64_t limit,
    struct frame_info *f)
{
	f->off = off;
	f->raw = pr_le32dec(fh + PR_FH_RAW);
	f->comp = pr_le32dec(fh + PR_FH_COMP);
	f->nevents = pr_le32dec(fh + PR_FH_EVENTS);
	f->first_ns = pr_le64dec(fh + PR_FH_FIRST);
	f->last_ns = pr_le64dec(fh + PR_FH_LAST);
	f->lost = pr_le64dec(fh + PR_FH_LOST);
	f->sum = pr_le64dec(fh + PR_FH_SUM);
	if (pr_le32dec(fh + PR_FH_MAGIC) != PR_FRAME_MAGIC ||
	    f->raw > PR_FRAME_RAW_MAX || f->nevents == 0 ||
	    (uint64_t)f->nevents * PR_EVENT_MIN > f->raw || f->comp == 0 ||
	    f->comp > ZSTD_compressBound(f->raw) || f->first_ns > f->last_ns)
		return (PR_E_CORRUPT);
	if (off > limit || limit - off < PR_FRAME_HDR + (uint64_t)f->comp)
		return (PR_E_TRUNCATED);
	return (PR_OK);
}

static int
add_frame(struct pr_reader *r, const struct frame_info *f, size_t *capp)
{
	struct frame_info *nf;
	size_t cap;

	if (r->nframes == *capp) {
		cap = *capp == 0 ? 64 : *capp * 2;
		nf = realloc(r->frames, cap * sizeof(*nf));
		if (nf == NULL)
			return (PR_E_NOMEM);
		r->frames = nf;
		*capp = cap;
	}
	r->frames[r->nframes++] = *f;
	r->st.events += f->nevents;
	r->st.lost += f->lost;
	return (PR_OK);
}

/*
 * No usable end marker (truncated), or a damaged one: walk frame headers
 * from the body start up to limit.  Stops at the first incomplete or
 * invalid frame, recording why; an index block met there is the end of the
 * frames (cut while closing when truncated, already reported otherwise).
 */
static int
reader_scan(struct pr_reader *r, uint64_t off, uint64_t limit, bool truncated)
{
	uint8_t fh[PR_FRAME_HDR];
	struct frame_info f;
	size_t cap = 0;
	int err;

	while (off < limit) {
		if (limit - off < PR_FRAME_HDR) {
			record_error(r, PR_E_TRUNCATED, r->nframes, off);
			return (PR_OK);
		}
		if ((err = pread_all(r->fd, fh, sizeof(fh), off)) != PR_OK)
			return (err);
		err = frame_header_dec(fh, off, limit, &f);
		if (err == PR_E_CORRUPT &&
		    pr_le32dec(fh + PR_FH_MAGIC) == PR_INDEX_MAGIC) {
			if (truncated)
				record_error(r, PR_E_TRUNCATED, r->nframes,
				    off);
			return (PR_OK);
		}
		if (err != PR_OK) {
			record_error(r, err, r->nframes, off);
			return (PR_OK);
		}
		if ((err = add_frame(r, &f, &cap)) != PR_OK)
			return (err);
		off += PR_FRAME_HDR + f.comp;
	}
	return (PR_OK);
}

/*
 * Read the tail, the index block and the end marker.  PR_OK when the index
 * is usable, PR_E_TRUNCATED when there is no tail, PR_E_CORRUPT (with
 * *badoff) when there is a tail but the index fails its checks.
 */
static int
reader_index(struct pr_reader *r, uint64_t body, uint64_t *badoff)
{
	uint8_t tail[PR_TAIL], *buf = NULL;
	struct frame_info f;
	struct cursor c;
	uint64_t ioff, n, i, events, lost, prev_end;
	size_t cap = 0, klen;
	int err;

	*badoff = r->size;
	if (r->size < body + PR_TAIL)
		return (PR_E_TRUNCATED);
	if ((err = pread_all(r->fd, tail, sizeof(tail), r->size - PR_TAIL)) !=
	    PR_OK)
		return (err);
	if (memcmp(tail + 16, PR_TAIL_MAGIC, 8) != 0)
		return (PR_E_TRUNCATED);
	ioff = pr_le64dec(tail);
	*badoff = r->size - PR_TAIL;
	if (ioff < body || ioff > r->size - PR_TAIL ||
	    r->size - PR_TAIL - ioff > PR_INDEX_MAX)
		return (PR_E_CORRUPT);
	*badoff = ioff;
	n = r->size - PR_TAIL - ioff;
	if ((buf = malloc(n + 1)) == NULL)
		return (PR_E_NOMEM);
	if ((err = pread_all(r->fd, buf, n, ioff)) != PR_OK)
		goto out;
	err = PR_E_CORRUPT;
	if (!SUM_OK(pr_checksum(0, buf, n), pr_le64dec(tail + 8)) || n < 16 ||
	    pr_le32dec(buf) != PR_INDEX_MAGIC)
		goto out;
	c.p = buf + 16;
	c.end = buf + n;
	c.bad = false;
	n = pr_le64dec(buf + 8);
	if (n > (uint64_t)(c.end - c.p) / PR_INDEX_ENTRY)
		goto out;
	prev_end = body;
	for (i = 0; i < n; i++) {
		if (frame_header_dec(c.p + 8, pr_le64dec(c.p), ioff, &f) !=
		    PR_OK || f.off < prev_end)
			goto out;
		prev_end = f.off + PR_FRAME_HDR + f.comp;
		if ((err = add_frame(r, &f, &cap)) != PR_OK)
			goto out;
		err = PR_E_CORRUPT;
		c.p += PR_INDEX_ENTRY;
	}
	events = cur_u64(&c);
	lost = cur_u64(&c);
	n = cur_u64(&c);
	if (c.bad || events != r->st.events || lost != r->st.lost ||
	    n > PR_NOTES_MAX || n > (uint64_t)(c.end - c.p) / 10)
		goto out;
	if ((r->notes = calloc(n + 1, sizeof(*r->notes))) == NULL) {
		err = PR_E_NOMEM;
		goto out;
	}
	for (i = 0; i < n; i++) {
		if (c.p >= c.end)
			goto out;
		klen = *c.p++;
		if (klen == 0 || klen > (size_t)(c.end - c.p))
			goto out;
		if ((r->notes[i].key = strndup((const char *)c.p, klen)) ==
		    NULL) {
			err = PR_E_NOMEM;
			goto out;
		}
		r->nnotes = i + 1;
		c.p += klen;
		r->notes[i].value = cur_u64(&c);
		if (c.bad)
			goto out;
	}
	err = c.p == c.end ? PR_OK : PR_E_CORRUPT;
out:
	free(buf);
	return (err);
}

/* Forget what a failed index parse left behind. */
static void
reader_reset_frames(struct pr_reader *r)
{
	size_t i;

	free(r->frames);
	r->frames = NULL;
	r->nframes = 0;
	for (i = 0; i < r->nnotes; i++)
		free(r->notes[i].key);
	free(r->notes);
	r->notes = NULL;
	r->nnotes = 0;
	r->st.events = 0;
	r->st.lost = 0;
}

struct pr_reader *
pr_reader_open(const char *path, int *errp)
{
	struct pr_reader *r;
	struct stat sb;
	uint64_t body, badoff;
	int err;

	if (path == NULL) {
		*errp = PR_E_ARG;
		return (NULL);
	}
	if ((r = calloc(1, sizeof(*r))) == NULL) {
		*errp = PR_E_NOMEM;
		return (NULL);
	}
	pthread_mutex_init(&r->st_mtx, NULL);
	r->fd = open(path, O_RDONLY | O_CLOEXEC);
	if (r->fd < 0 || fstat(r->fd, &sb) != 0) {
		err = PR_E_IO;
		goto fail;
	}
	if (!S_ISREG(sb.st_mode)) {
		errno = EINVAL;
		err = PR_E_IO;
		goto fail;
	}
	r->size = (uint64_t)sb.st_size;
	if ((err = reader_header(r, &body)) != PR_OK)
		goto fail;
	err = reader_index(r, body, &badoff);
	if (err == PR_E_IO || err == PR_E_NOMEM)
		goto fail;
	if (err == PR_E_TRUNCATED) {
		/* No end marker: recover what the frames themselves say. */
		reader_reset_frames(r);
		r->st.truncated = true;
		if ((err = reader_scan(r, body, r->size, true)) != PR_OK)
			goto fail;
		if (r->st.error == PR_OK)	/* cut at a frame boundary */
			record_error(r, PR_E_TRUNCATED, r->nframes, r->size);
	} else if (err == PR_E_CORRUPT) {
		/* A damaged index: the frames before it still count. */
		reader_reset_frames(r);
		if ((err = reader_scan(r, body, badoff, false)) != PR_OK)
			goto fail;
		record_error(r, PR_E_CORRUPT, r->nframes, badoff);
	}
	r->st.frames = r->nframes;
	*errp = PR_OK;
	return (r);
fail:
	pr_reader_close(r);
	*errp = err;
	return (NULL);
}

const struct pr_header *
pr_reader_header(const struct pr_reader *r)
{
	return (&r->hdr);
}

size_t
pr_reader_frames(const struct pr_reader *r)
{
	return (r->nframes);
}

uint64_t
pr_reader_frame_offset(const struct pr_reader *r, size_t i)
{
	return (r == NULL || i >= r->nframes ? 0 : r->frames[i].off);
}

/* Grow a buffer to at least need bytes (contents kept). */
static int
grow(void **bufp, size_t *capp, size_t need)
{
	void *nb;

	if (*capp >= need)
		return (PR_OK);
	if ((nb = realloc(*bufp, need)) == NULL)
		return (PR_E_NOMEM);
	*bufp = nb;
	*capp = need;
	return (PR_OK);
}

/* Take a set of decode buffers from the reader's pool (or a new one). */
static struct decode_bufs *
bufs_get(struct pr_reader *r)
{
	struct decode_bufs *b;

	pthread_mutex_lock(&r->st_mtx);
	if ((b = r->pool) != NULL)
		r->pool = b->next;
	pthread_mutex_unlock(&r->st_mtx);
	if (b == NULL && (b = calloc(1, sizeof(*b))) != NULL &&
	    (b->dctx = ZSTD_createDCtx()) == NULL) {
		free(b);
		b = NULL;
	}
	return (b);
}

static void
bufs_put(struct pr_reader *r, struct decode_bufs *b)
{
	pthread_mutex_lock(&r->st_mtx);
	b->next = r->pool;
	r->pool = b;
	pthread_mutex_unlock(&r->st_mtx);
}

static void
bufs_free(struct decode_bufs *b)
{
	ZSTD_freeDCtx(b->dctx);
	free(b->comp);
	free(b->raw);
	free(b->evs);
	free(b);
}

/*
 * Read frame i, check it (against the index's copy of its header, then its
 * checksum) and decompress it into b->raw, growing b's buffers only as far
 * as what has been checked so far justifies.  Records a failure in the
 * status.  Safe from several threads with distinct b.
 */
static int
frame_load(struct pr_reader *r, size_t i, struct decode_bufs *b)
{
	const struct frame_info *f = &r->frames[i];
	uint8_t fh[PR_FRAME_HDR];
	unsigned long long csize;
	size_t n;
	int err;

	if (grow((void **)&b->comp, &b->compcap, PR_FRAME_HDR +
	    (size_t)f->comp) != PR_OK)
		return (PR_E_NOMEM);
	err = pread_all(r->fd, b->comp, PR_FRAME_HDR + (size_t)f->comp,
	    f->off);
	if (err == PR_E_IO) {
		record_error(r, err, i, f->off);
		return (err);
	}
	frame_header_enc(fh, f, NULL);
	if (err != PR_OK || memcmp(fh, b->comp, PR_FRAME_HDR) != 0 ||
	    !SUM_OK(pr_checksum(pr_checksum(0, fh, PR_FH_SUM),
	    b->comp + PR_FRAME_HDR, f->comp), f->sum))
		goto corrupt;
	csize = ZSTD_getFrameContentSize(b->comp + PR_FRAME_HDR, f->comp);
	if (csize != f->raw)
		goto corrupt;
	if (grow((void **)&b->raw, &b->rawcap, (size_t)f->raw +
	    PR_DECODE_PAD) != PR_OK)
		return (PR_E_NOMEM);
	n = ZSTD_decompressDCtx(b->dctx, b->raw, f->raw,
	    b->comp + PR_FRAME_HDR, f->comp);
	if (ZSTD_isError(n) || n != f->raw)
		goto corrupt;
	memset(b->raw + f->raw, 0, PR_DECODE_PAD);
	return (PR_OK);
corrupt:
	record_error(r, PR_E_CORRUPT, i, f->off);
	return (PR_E_CORRUPT);
}

/* Decode up to max events of frame i (loaded in d); count what is skipped. */
static int
frame_run(struct pr_reader *r, size_t i, struct decoder *d,
    struct pr_event *out, size_t max, size_t *np)
{
	uint64_t skipped;

	if (decoder_run(d, out, max, np, &skipped) != PR_OK) {
		*np = 0;
		record_error(r, PR_E_CORRUPT, i, r->frames[i].off);
		return (PR_E_CORRUPT);
	}
	if (skipped != 0) {
		pthread_mutex_lock(&r->st_mtx);
		r->skipped += skipped;
		pthread_mutex_unlock(&r->st_mtx);
	}
	return (PR_OK);
}

int
pr_reader_frame(struct pr_reader *r, size_t i, struct pr_event **evsp,
    size_t *np)
{
	const struct frame_info *f;
	struct decode_bufs *b;
	struct decoder d;
	int err;

	*evsp = NULL;
	*np = 0;
	if (r == NULL || i >= r->nframes)
		return (PR_E_ARG);
	f = &r->frames[i];
	if ((b = bufs_get(r)) == NULL)
		return (PR_E_NOMEM);
	if ((err = frame_load(r, i, b)) == PR_OK) {
		if ((*evsp = malloc((size_t)f->nevents * sizeof(**evsp))) ==
		    NULL) {
			err = PR_E_NOMEM;
		} else {
			decoder_init(&d, r->kindmap, b->raw,
			    f->raw, f->nevents);
			err = frame_run(r, i, &d, *evsp, f->nevents, np);
		}
	}
	bufs_put(r, b);
	if (err != PR_OK) {
		free(*evsp);
		*evsp = NULL;
	}
	return (err);
}

/*
 * pr_reader_next()'s slow path, out of line so that the common call (an
 * event left in the batch) stays a leaf without a stack frame: decode the
 * next batch, loading the next frame when the current one is used up.
 * Returns 1 with a non-empty batch, else what pr_reader_next returns.
 */
static __attribute__((noinline)) int
reader_refill(struct pr_reader *r)
{
	const struct frame_info *f;
	struct decode_bufs *b;
	int err;

	while (r->pos == r->nev) {
		r->nev = r->pos = 0;
		if ((b = r->sbufs) == NULL) {
			if ((b = r->sbufs = bufs_get(r)) == NULL)
				return (-PR_E_NOMEM);
			if (grow((void **)&b->evs, &b->evcap, PR_NEXT_BATCH *
			    sizeof(*b->evs)) != PR_OK)
				return (-PR_E_NOMEM);
		}
		if (r->dec.left > 0) {
			err = frame_run(r, r->cur - 1, &r->dec, b->evs,
			    PR_NEXT_BATCH, &r->nev);
			if (err != PR_OK) {
				r->dec.left = 0;
				return (-err);
			}
			continue;
		}
		if (r->cur == r->nframes) {
			if (r->st.truncated && !r->end_done) {
				r->end_done = true;
				return (-PR_E_TRUNCATED);
			}
			return (0);
		}
		f = &r->frames[r->cur];
		if ((err = frame_load(r, r->cur++, b)) != PR_OK)
			return (-err);
		decoder_init(&r->dec, r->kindmap, b->raw,
		    f->raw, f->nevents);
	}
	return (1);
}

int
pr_reader_next(struct pr_reader *r, struct pr_event *ev)
{
	int ret;

	if (r == NULL || ev == NULL)
		return (-PR_E_ARG);
	if (__builtin_expect(r->pos == r->nev, 0) &&
	    (ret = reader_refill(r)) != 1)
		return (ret);
	*ev = r->sbufs->evs[r->pos++];
	return (1);
}

void
pr_reader_status(const struct pr_reader *r, struct pr_reader_status *st)
{
	struct pr_reader *rw = (struct pr_reader *)r;	/* the lock only */

	pthread_mutex_lock(&rw->st_mtx);
	*st = r->st;
	st->skipped = r->skipped;
	pthread_mutex_unlock(&rw->st_mtx);
}

bool
pr_reader_note(const struct pr_reader *r, size_t i, const char **keyp,
    uint64_t *valuep)
{
	if (r == NULL || i >= r->nnotes)
		return (false);
	*keyp = r->notes[i].key;
	*valuep = r->notes[i].value;
	return (true);
}

void
pr_reader_close(struct pr_reader *r)
{
	struct decode_bufs *b;
	size_t i;

	if (r == NULL)
		return;
	if (r->fd >= 0)
		close(r->fd);
	free(r->frames);
	for (i = 0; i < r->nnotes; i++)
		free(r->notes[i].key);
	free(r->notes);
	while ((b = r->pool) != NULL) {
		r->pool = b->next;
		bufs_free(b);
	}
	if (r->sbufs != NULL)
		bufs_free(r->sbufs);
	pthread_mutex_destroy(&r->st_mtx);
	free(r);
}
