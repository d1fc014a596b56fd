/*
 * trace_codec_internal.h - the event codec of trace format v1, internal to
 * the trace library: events to raw frame bytes (the writer) and back (the
 * decoder), with every delta context reset at the start of a frame
 * (docs/trace-format.md, "Events").  Implemented in trace_codec.c.
 */
#ifndef PR_TRACE_CODEC_INTERNAL_H
#define PR_TRACE_CODEC_INTERNAL_H

#include <stddef.h>
#include <stdint.h>

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

#endif /* PR_TRACE_CODEC_INTERNAL_H */
