/*
 * trace_reader_internal.h - the reader's state, internal to the trace
 * library: shared by trace_reader.c (open: header, index or scan, status,
 * close) and trace_decode.c (loading and decoding frames, in parallel or
 * streamed).
 */
#ifndef PR_TRACE_READER_INTERNAL_H
#define PR_TRACE_READER_INTERNAL_H

#include <pthread.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include <zstd.h>

#include "trace.h"
#include "trace_codec_internal.h"
#include "trace_internal.h"

/*
 * A fuzzing build (tests/fuzz, libFuzzer's convention) accepts any
 * checksum so that mutated inputs reach the checks behind it.
 */
#ifdef FUZZING_BUILD_MODE_UNSAFE_FOR_PRODUCTION
#define SUM_OK(computed, stored)	((void)(computed), (void)(stored), 1)
#else
#define SUM_OK(computed, stored)	((computed) == (stored))
#endif

/* Buffers for decoding one frame: a zstd context and four arrays. */
struct pr_decode_bufs {
	ZSTD_DCtx	*dctx;
	uint8_t		*comp;		/* file bytes from woff: the frame and
					   those read ahead with it */
	size_t		compcap;
	uint64_t	woff;		/* file offset of comp[0] */
	size_t		wlen;		/* bytes of comp read from woff */
	uint8_t		*raw;		/* decompressed + PR_DECODE_PAD (v2/3:
					   PR_STREAM_PAD after the streams) */
	size_t		rawcap;
	struct pr_streams st;		/* v2/3: where the streams are in raw */
	struct pr_obj_ctx *objs;	/* v2/3: the frame's object table */
	size_t		objcap;
	struct pr_event	*evs;
	size_t		evcap;
	struct pr_decode_bufs *next;	/* in the reader's pool */
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
	struct pr_frame_info *frames;	/* (C) */
	size_t		nframes;	/* (C) */
	struct pr_note	*notes;		/* (C) */
	size_t		nnotes;		/* (C) */
	pthread_mutex_t	st_mtx;
	struct pr_reader_status st;	/* (S) error fields; the rest (C) */
	uint64_t	skipped;	/* (S) events of unknown kinds */
	struct pr_decode_bufs *pool;	/* (S) idle decode buffers */
	/* Streaming (N). */
	size_t		cur;		/* next frame to decode */
	bool		end_done;	/* truncation already reported */
	struct pr_decode_bufs *sbufs;	/* the current frame, its batch */
	struct pr_decoder dec;		/* where in the current frame (v1) */
	struct pr_decoder2 dec2;	/* where in the current frame (v2/3) */
	size_t		nev;		/* events in the batch */
	size_t		pos;		/* next one to return */
};

/* pread(2) all of buf at off: PR_E_TRUNCATED at the end of the file. */
int	pr_pread_all(int fd, void *buf, size_t len, uint64_t off);

/* Record an error in the status; the one nearest the file's start stays. */
void	pr_reader_error(struct pr_reader *r, int err, uint64_t frame,
	    uint64_t off);

/* Free one set of decode buffers (the reader's pool, on close). */
void	pr_decode_bufs_free(struct pr_decode_bufs *b);

#endif /* PR_TRACE_READER_INTERNAL_H */
