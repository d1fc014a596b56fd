/*
 * trace_codec_internal.h - the event codecs of trace formats v1 and v2,
 * internal to the trace library: events to frame bytes (the writer) and
 * back (the decoder), with every context reset at the start of a frame
 * (docs/trace-format.md, "Events" and "Format v2: column streams").  v1
 * is implemented in trace_codec.c, v2 in trace_codec2.c.
 */
#ifndef PR_TRACE_CODEC_INTERNAL_H
#define PR_TRACE_CODEC_INTERNAL_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include <zstd.h>

#include "trace_event.h"
#include "trace_internal.h"

/* The reader's kind map (file kind -> local kind) holds these too. */
#define PR_KINDMAP_NONE	0xff	/* a kind this build does not know */
#define PR_KINDMAP_BAD	0xfe	/* beyond the file's kind table */

/*
 * Delta contexts shared by the encoder and the decoder, zeroed at the start
 * of every frame: time and tid against the previous event, the other fields
 * against the previous event of the same thread slot (tid modulo
 * PR_CTX_SLOTS), since a thread's events touch the same objects and
 * addresses.
 */
struct pr_slot_ctx {
	uint64_t	obj;
	uint64_t	pindex;
	uint64_t	pmap;
	uint64_t	addr;
	uint32_t	cpu;
};

struct pr_codec_ctx {
	uint64_t	time_ns;
	uint32_t	tid;
	struct pr_slot_ctx slot[PR_CTX_SLOTS];
};

/*
 * A resumable decoder over one raw frame (followed by PR_DECODE_PAD zero
 * bytes), so that streaming decodes small batches that stay in cache.
 */
struct pr_decoder {
	struct pr_codec_ctx c;
	const uint8_t	*p;
	const uint8_t	*end;
	uint32_t	left;		/* events not decoded yet */
	const uint8_t	*kindmap;	/* file kind -> local kind */
};

/* Append v as a varint (LEB128, at most 10 bytes). */
static inline uint8_t *
pr_put_varint(uint8_t *p, uint64_t v)
{
	while (v >= 0x80) {
		*p++ = (uint8_t)(v | 0x80);
		v >>= 7;
	}
	*p++ = (uint8_t)v;
	return (p);
}

/* Zigzag: a signed delta as an unsigned varint, and back. */
static inline uint64_t
pr_zigzag(uint64_t delta)
{
	return ((delta << 1) ^ (0 - (delta >> 63)));
}

static inline uint64_t
pr_unzigzag(uint64_t z)
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
pr_get_varint_long(const uint8_t *p, uint64_t *v, bool *bad)
{
	uint64_t w, stop, x, b;
	unsigned n, shift;

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

/* As pr_get_varint_long(), one and two bytes (the most) first. */
static inline const uint8_t *
pr_get_varint(const uint8_t *p, uint64_t *v, bool *bad)
{
	if (__builtin_expect(p[0] < 0x80, 1)) {
		*v = p[0];
		return (p + 1);
	}
	if (p[1] < 0x80) {
		*v = (p[0] & 0x7fu) | (uint64_t)p[1] << 7;
		return (p + 2);
	}
	return (pr_get_varint_long(p, v, bad));
}

/*
 * pr_get_varint() for a stream whose values take one or two bytes about
 * equally often (time deltas): those two lengths without a branch on which,
 * since a mispredicted branch costs more than the few instructions spared.
 */
static inline const uint8_t *
pr_get_varint2(const uint8_t *p, uint64_t *v, bool *bad)
{
	uint64_t b0 = p[0], b1 = p[1], two = b0 >> 7;

	if (__builtin_expect((b0 & b1) < 0x80, 1)) {
		*v = (b0 & 0x7f) | (b1 << 7 & (0 - two));
		return (p + 1 + two);
	}
	return (pr_get_varint_long(p, v, bad));
}

/* Append one event to a raw frame; at most PR_EVENT_MAX bytes. */
uint8_t	*pr_encode_event(struct pr_codec_ctx *c, const struct pr_event *ev,
	    uint8_t *p);

/* Start decoding a raw frame of nevents events (PR_DECODE_PAD after it). */
void	 pr_decoder_init(struct pr_decoder *d, const uint8_t *kindmap,
	    const uint8_t *raw, size_t rawlen, uint32_t nevents);

/*
 * Decode up to max more events into out[], dropping events whose file kind
 * is unknown here.  Returns PR_OK or PR_E_CORRUPT; *nout and *skipped
 * count what came out.  After the last event the frame must be used up.
 */
int	 pr_decoder_run(struct pr_decoder *d, struct pr_event *out, size_t max,
	    size_t *nout, uint64_t *skipped);

/*
 * Format v2: each frame holds its events as column streams, one zstd frame
 * per non-empty stream behind a directory of their sizes.  The streams, in
 * directory order:
 */
enum pr_stream {
	PR_S_SHAPE = 0,	/* u8 per event: index into the shape table */
	PR_S_SHAPES,	/* the shape table: (kind, flags, mask) byte triples */
	PR_S_TIME,	/* varint per event: zigzag(time delta) >> 8 tlo */
	PR_S_TIMELO,	/* tlo bytes per event: zigzag(time delta)'s low */
	PR_S_TID,	/* varint per PR_M_TID: zigzag32(tid delta) */
	PR_S_CPU,	/* varint per PR_M_CPU: cpu */
	PR_S_OBJ,	/* varint per PR_M_OBJ: object reference */
	PR_S_OBJNEW,	/* varint per new object: zigzag(obj - previous new) */
	PR_S_PINDEX,	/* varint per PR_M_PINDEX: zigzag(slot delta) */
	PR_S_PMAP,	/* varint per PR_M_PMAP: zigzag(slot delta) */
	PR_S_ADDR,	/* varint per PR_M_ADDR: address delta, high part */
	PR_S_ADDRLO,	/* varint per odd PR_S_ADDR value: low 12 bits */
	PR_S_ARG,	/* varint per PR_M_ARG: zigzag(object delta) */
	PR_S_NPAGES,	/* varint per PR_M_NPAGES: zigzag32(object delta) */
	PR_S_COUNT
};

#define PR_SHAPES_MAX	256	/* shape table entries per frame */
#define PR_OBJS_MAX	65536	/* distinct objects per frame (v2) */
#define PR_TLO_MAX	3	/* time's low bytes stored apart, at most */
#define PR_DIR_MAX	(1 + PR_S_COUNT * 10)	/* tlo, 2 varints each */
#define PR_V2_SLACK	(PR_S_COUNT * 80 + PR_DIR_MAX)	/* over the bound */

/*
 * An object of a v2 frame and the contexts kept with it: arg and npages
 * are coded against the previous values for the same object.  Entry 0 of
 * the table is object 0, the context of events without an object.
 */
struct pr_obj_ctx {
	uint64_t	obj;
	uint64_t	arg;
	uint64_t	pindex;		/* v3: the last pindex */
	uint64_t	abase;		/* v3: addr - (pindex << 12), last */
	uint32_t	npages;
};

/* v2 per-slot contexts (tid % PR_CTX_SLOTS). */
struct pr_slot2 {
	uint64_t	pindex;
	uint64_t	pmap;
	uint64_t	addr;
	uint32_t	cpu;
	uint32_t	oi;		/* the slot's object: table index */
};

/* A v2 frame's shape, decoded: local kind, flags, presence mask. */
struct pr_shape {
	uint8_t		kind;
	uint8_t		flags;
	uint8_t		mask;
};

/*
 * The v2 encoder: one frame's streams, built event by event.  Owned by its
 * writer's thread; not locked.
 */
struct pr_enc2;

/* An encoder of version 2 or 3 frames (PR_VERSION_V2, _V3). */
struct pr_enc2	*pr_enc2_create(uint32_t version);
void		 pr_enc2_free(struct pr_enc2 *e);
/* Raw bytes buffered so far (all streams). */
size_t		 pr_enc2_rawlen(const struct pr_enc2 *e);
/*
 * Append one event; false (nothing appended) when the frame is full: its
 * shape or object table, or PR_FRAME_RAW_TARGET raw bytes.
 */
bool		 pr_enc2_event(struct pr_enc2 *e, const struct pr_event *ev);
/*
 * Compress the frame into out (at least pr_enc2_bound() bytes): the
 * directory, then one zstd frame per non-empty stream.  Returns the
 * payload's length or 0 on a zstd failure; *rawp is the raw total.  The
 * encoder is reset for the next frame.
 */
size_t		 pr_enc2_emit(struct pr_enc2 *e, ZSTD_CCtx *cctx, uint8_t *out,
		    uint32_t *rawp);
size_t		 pr_enc2_bound(void);

/*
 * A v2 frame's streams in memory: stream s at raw + off[s], len[s] bytes,
 * the streams back to back in directory order, the last followed by
 * PR_STREAM_PAD zero bytes.  The decoder reads up to PR_CHUNK events (at
 * most 10 bytes each per stream, and 8 bytes ahead) without a bounds
 * check, then checks every stream: a read past a stream's end lands in
 * the streams behind it or in the padding, inside the buffer either way.
 * One padding a frame, not one a stream, since zeroing thirteen of them
 * cost more than the decoder's work on a frame of a few thousand events.
 */
#define PR_CHUNK	256
#define PR_STREAM_PAD	(PR_CHUNK * 10 + 16)
struct pr_streams {
	unsigned	tlo;		/* bytes of PR_S_TIMELO per event */
	size_t		off[PR_S_COUNT];
	size_t		len[PR_S_COUNT];
	size_t		clen[PR_S_COUNT];
	size_t		dirlen;		/* the directory's length */
};

/* The buffer that holds a frame of raw bytes as streams, with padding. */
#define PR_STREAMS_BUF(raw)	((size_t)(raw) + PR_STREAM_PAD)

/*
 * Parse a v2 frame's directory (payload of comp bytes, raw bytes in
 * total): PR_OK or PR_E_CORRUPT.  Fills st.
 */
int	 pr_streams_dir(const uint8_t *payload, size_t comp, size_t raw,
	    struct pr_streams *st);

/*
 * A resumable v2 decoder over one frame's streams.  Owned by one caller: a
 * pr_reader_frame() call, or the streaming reader's (N) state; not locked.
 */
struct pr_decoder2 {
	const uint8_t	*p[PR_S_COUNT];
	const uint8_t	*end[PR_S_COUNT];
	struct pr_shape	shape[PR_SHAPES_MAX];
	struct pr_obj_ctx *objs;	/* the frame's object table */
	uint64_t	tlomask;	/* the low bytes PR_S_TIMELO holds */
	unsigned	tloshift;	/* their bits */
	uint32_t	nobjs;
	uint32_t	objcap;
	uint64_t	prevnew;	/* the last new object */
	uint64_t	time_ns;
	uint32_t	tid;
	uint32_t	left;		/* events not decoded yet */
	uint8_t		xobj;		/* v3: PR_M_OBJ (addr predicted) */
	uint8_t		xarg;		/* v3: PR_M_ARG (npages predicted) */
	struct pr_slot2	slot[PR_CTX_SLOTS];
};

/*
 * Start decoding a frame of nevents events whose streams are in raw (as
 * st says), with an object table of objcap entries (at least
 * min(nevents, PR_OBJS_MAX) + 1).  PR_E_CORRUPT when the shape table is
 * malformed.
 */
int	 pr_decoder2_init(struct pr_decoder2 *d, uint32_t version,
	    const uint8_t *kindmap, const uint8_t *raw,
	    const struct pr_streams *st, uint32_t nevents,
	    struct pr_obj_ctx *objs, uint32_t objcap);
/*
 * As pr_decoder_run(), for v2 and v3, except that it may write all of
 * out[0..max): every event is decoded into place, and those of unknown
 * kinds are squeezed out afterwards.
 */
int	 pr_decoder2_run(struct pr_decoder2 *d, struct pr_event *out,
	    size_t max, size_t *nout, uint64_t *skipped);

#endif /* PR_TRACE_CODEC_INTERNAL_H */
