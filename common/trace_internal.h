/*
 * trace_internal.h - byte-level constants of trace formats v1-v3 and the frame
 * header's in-memory form, shared by the trace library's files
 * (common/trace*.c) and the tests that build damaged files on purpose.
 * docs/trace-format.md is the prose version of this file.
 *
 * File:   file header | frame* | index block | tail
 * Every integer on disk is little-endian.
 */
#ifndef PR_TRACE_INTERNAL_H
#define PR_TRACE_INTERNAL_H

#include <stddef.h>
#include <stdint.h>
#include <string.h>

/*
 * File header: magic[8] "PRTRACE\0", u32 version, u32 payload length, the
 * payload (varints and length-prefixed strings, see trace_writer.c
 * hdr_encode()),
 * then u64 checksum of every byte before it.
 */
#define PR_FILE_MAGIC		"PRTRACE"	/* 8 bytes with its NUL */
#define PR_FILE_MAGIC_LEN	8
#define PR_FILE_FIXED		16		/* magic, version, length */
#define PR_HDR_PAYLOAD_MAX	65536

/*
 * Frame: a 48-byte frame header then comp_size bytes.  v1: one zstd frame
 * that decompresses to raw_size bytes of encoded events.  v2: a stream
 * directory then one zstd frame per non-empty column stream, raw_size the
 * sum of the streams' decompressed sizes (trace_codec2.c).  v3: the v2
 * payload, with addr and npages predicted from the event's other fields.
 */
#define PR_VERSION_V1		1
#define PR_VERSION_V2		2
#define PR_VERSION_V3		3	/* v2's streams, cross-field contexts */
#define PR_FRAME_MAGIC		0x31465250u	/* "PRF1" */
#define PR_FRAME_MAGIC_V2	0x32465250u	/* "PRF2" */
#define PR_FRAME_MAGIC_V3	0x33465250u	/* "PRF3" */
#define PR_EVENT_MIN_V2		2	/* v2, v3: shape byte, time: bytes/event */
#define PR_FRAME_HDR		48
#define PR_FRAME_RAW_TARGET	(1u << 20)	/* writer: raw bytes/frame */
#define PR_FRAME_RAW_MAX	(16u << 20)	/* reader: larger is corrupt */
#define PR_EVENT_MIN		3	/* kind, mask, time: bytes per event */
#define PR_EVENT_MAX		103	/* kind, flags, mask, 10 varints */
#define PR_DECODE_PAD		128	/* zeroed slack after a raw frame */
#define PR_CTX_SLOTS		256	/* delta contexts: tid % PR_CTX_SLOTS */

/* Frame header field offsets. */
#define PR_FH_MAGIC		0	/* u32 PR_FRAME_MAGIC */
#define PR_FH_RAW		4	/* u32 raw (decompressed) size */
#define PR_FH_COMP		8	/* u32 compressed size */
#define PR_FH_EVENTS		12	/* u32 events in the frame */
#define PR_FH_FIRST		16	/* u64 smallest time_ns */
#define PR_FH_LAST		24	/* u64 largest time_ns */
#define PR_FH_LOST		32	/* u64 sum of PR_LOST.arg */
#define PR_FH_SUM		40	/* u64 checksum: bytes 0-39, payload */

/*
 * Index block (written by pr_writer_close): u32 PR_INDEX_MAGIC, u32 0,
 * u64 nframes, nframes entries of { u64 offset, 48-byte frame header },
 * u64 events, u64 lost, u64 nnotes, nnotes notes { u8 keylen, key,
 * u64 value }.  Then the tail: u64 index offset, u64 checksum of the index
 * block, 8-byte PR_TAIL_MAGIC.  The tail is the end marker.
 */
#define PR_INDEX_MAGIC		0x58495250u	/* "PRIX" */
#define PR_INDEX_ENTRY		(8 + PR_FRAME_HDR)
#define PR_TAIL			24
#define PR_TAIL_MAGIC		"PREND\0v1"
#define PR_NOTE_KEY_MAX		255
#define PR_NOTES_MAX		4096	/* notes in one trailer */
#define PR_INDEX_MAX		(256u << 20)	/* larger is corrupt */

/* Event encoding: byte 0 = file kind | PR_EV_FLAGS; byte 1 = PR_M_* mask. */
#define PR_EV_FLAGS		0x80	/* a flags byte follows */
#define PR_EV_KIND		0x7f
#define PR_M_TID		0x01	/* tid differs from previous: varint */
#define PR_M_CPU		0x02	/* cpu differs from previous: varint */
#define PR_M_OBJ		0x04	/* obj != 0: zigzag delta */
#define PR_M_PINDEX		0x08	/* pindex != 0: zigzag delta */
#define PR_M_PMAP		0x10	/* pmap != 0: zigzag delta */
#define PR_M_ADDR		0x20	/* addr != 0: zigzag delta */
#define PR_M_ARG		0x40	/* arg != 0: varint */
#define PR_M_NPAGES		0x80	/* npages != 1: varint */

static inline void
pr_le32enc(void *p, uint32_t v)
{
	uint8_t *b = p;

	b[0] = (uint8_t)v;
	b[1] = (uint8_t)(v >> 8);
	b[2] = (uint8_t)(v >> 16);
	b[3] = (uint8_t)(v >> 24);
}

static inline void
pr_le64enc(void *p, uint64_t v)
{
	pr_le32enc(p, (uint32_t)v);
	pr_le32enc((uint8_t *)p + 4, (uint32_t)(v >> 32));
}

static inline uint32_t
pr_le32dec(const void *p)
{
	const uint8_t *b = p;

	return ((uint32_t)b[0] | (uint32_t)b[1] << 8 | (uint32_t)b[2] << 16 |
	    (uint32_t)b[3] << 24);
}

static inline uint64_t
pr_le64dec(const void *p)
{
	return ((uint64_t)pr_le32dec(p) |
	    (uint64_t)pr_le32dec((const uint8_t *)p + 4) << 32);
}

/* Per-frame facts, as in the frame header. */
struct pr_frame_info {
	uint64_t	off;		/* file offset of the frame header */
	uint32_t	raw;		/* decompressed size */
	uint32_t	comp;		/* compressed size */
	uint32_t	nevents;
	uint64_t	first_ns;
	uint64_t	last_ns;
	uint64_t	lost;
	uint64_t	sum;
};

/* A trailer note (pr_writer_note, pr_reader_note). */
struct pr_note {
	char		*key;
	uint64_t	value;
};

/*
 * Fill a 48-byte frame header of a file of the given format version from
 * f; its checksum is computed over the header and payload (f->comp bytes),
 * or taken from f->sum when payload is NULL (the index's copy, the
 * reader's check).
 */
void		pr_frame_header_enc(uint8_t *fh, uint32_t version,
		    const struct pr_frame_info *f, const uint8_t *payload);

/* The frame magic of a format version (1, 2 or 3). */
static inline uint32_t
pr_frame_magic(uint32_t version)
{
	return (version == PR_VERSION_V1 ? PR_FRAME_MAGIC :
	    version == PR_VERSION_V2 ? PR_FRAME_MAGIC_V2 : PR_FRAME_MAGIC_V3);
}

/*
 * pr_writer_create() for a given format version (PR_VERSION_V1, _V2 or
 * _V3): older versions for the tests and the format benchmarks.
 */
struct pr_header;
struct pr_writer *pr_writer_create_version(const char *path,
		    const struct pr_header *h, uint32_t version, int *errp);

/*
 * The format's checksum: 64-bit multiply-xorshift over little-endian
 * 8-byte words (the last word zero-padded), seeded with the length.
 * Chaining: pass the previous result as seed.  Fast, not cryptographic.
 */
uint64_t	pr_checksum(uint64_t seed, const void *buf, size_t len);
/* A frame's checksum: over its header's bytes 0-39, then its payload. */
uint64_t	pr_frame_sum(const uint8_t *fh, const void *payload,
		    uint32_t comp);

#endif /* PR_TRACE_INTERNAL_H */
