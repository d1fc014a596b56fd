/*
 * trace.h - the pagereplay trace file: header, writer and reader.
 *
 * One library, used by every tool (record, synth, info, replay, sweep), reads
 * and writes the versioned binary format described in docs/trace-format.md.
 * The body is a sequence of independent zstd frames (bounded raw size), so a
 * reader can seek, decode frames in parallel and recover every complete frame
 * of a file that was cut short or whose end marker (tail, index) is damaged.
 * The implementation is split by part (common/trace.c says which file holds
 * what); the byte-level format is in trace_internal.h.
 *
 * The event model (kinds, flags, struct pr_event) is in trace_event.h.
 *
 * Error convention: functions return 0 (PR_OK) on success or a positive
 * enum pr_error; pr_reader_next() returns 1 (event), 0 (end) or -error.
 */
#ifndef PR_TRACE_H
#define PR_TRACE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "trace_event.h"

#define PR_TRACE_VERSION	3	/* written; 1, 2 and 3 are read */

enum pr_source {
	PR_SRC_SYNTH = 0,
	PR_SRC_EBPF,
	PR_SRC_PCAP,
	PR_SRC_COUNT
};

#define PR_HDR_STR	256
#define PR_HDR_CMDLINE	4096

struct pr_header {
	uint32_t	version;		/* written: PR_TRACE_VERSION;
						   read: the file's (1-3) */
	uint32_t	source;			/* enum pr_source */
	char		kernel[PR_HDR_STR];	/* uname -r of the recording host */
	char		hostname[PR_HDR_STR];
	uint32_t	ncpus;			/* online CPUs when recorded */
	uint32_t	page_size;		/* recording host's page size */
	char		clock[32];		/* "monotonic", "synthetic", ... */
	uint64_t	start_ns;		/* CLOCK_REALTIME at start, ns */
	char		cmdline[PR_HDR_CMDLINE];	/* what was recorded */
};

enum pr_error {
	PR_OK = 0,
	PR_E_IO,		/* read/write/open failed (errno kept) */
	PR_E_NOMEM,
	PR_E_ARG,		/* bad argument to the API */
	PR_E_MAGIC,		/* not a pagereplay trace */
	PR_E_VERSION,		/* unknown format version */
	PR_E_CORRUPT,		/* a frame or header fails its checks */
	PR_E_TRUNCATED,		/* the file ends before its end marker */
	PR_E_HEADER_CUT,	/* the file ends inside its header */
	PR_E_COUNT
};

const char	*pr_strerror(int err);
const char	*pr_source_name(unsigned source);

/* Fill a header with this host's facts (uname, CPUs, page size, time). */
void		 pr_header_init(struct pr_header *h, enum pr_source source);

/*
 * Writer: streaming, bounded memory.  Events are buffered into the current
 * frame and compressed when it reaches its size bound, on pr_writer_flush(),
 * or on pr_writer_close(), which also writes the frame index and the end
 * marker with totals.  Not thread-safe: one writer per thread.
 */
struct pr_writer;

/* A non-empty regular file at path is renamed path.old first (perf's
 * perf.data.old convention), never overwritten. */
struct pr_writer *pr_writer_create(const char *path,
		    const struct pr_header *h, int *errp);
int		 pr_writer_write(struct pr_writer *w, const struct pr_event *ev);
/* Attach a named counter to the trailer (e.g. "pcap.malformed"). */
int		 pr_writer_note(struct pr_writer *w, const char *key,
		    uint64_t value);
int		 pr_writer_flush(struct pr_writer *w);
int		 pr_writer_close(struct pr_writer *w);	/* frees w */
uint64_t	 pr_writer_bytes(const struct pr_writer *w);	/* on disk */

/*
 * Reader.  pr_reader_next() streams every event in order.
 * pr_reader_frame() decodes frame i into a caller-freed array and is safe to
 * call from several threads at once for any frames (parallel decode).
 *
 * pr_reader_open() fails (NULL, *errp set) only when the file cannot be
 * read or its header is bad: PR_E_IO, PR_E_MAGIC, PR_E_VERSION, PR_E_CORRUPT
 * (header checksum or fields), PR_E_HEADER_CUT (cut inside the header).  A
 * body without end marker opens with status.truncated set and every
 * complete frame available.  A damaged end marker (tail or index block)
 * opens with status.end_damaged set and every frame of the body found by
 * scanning it frame by frame, whatever the tail or index says
 * (status.error = PR_E_CORRUPT at the index, or at the tail when it names
 * no index block); an index that passes its checks but does not list the
 * body's frames back to back counts as damaged.
 * pr_reader_next() returns -PR_E_CORRUPT once for a frame that fails its
 * checks and goes on with the next frame on the following call (it decodes
 * in batches after the checksums pass, so only a forged frame can fail
 * after some of its events were returned); on a
 * truncated file it returns -PR_E_TRUNCATED once after the last recovered
 * event, then 0.  The status keeps the error nearest the start of the file.
 *
 * Whether a file is sound, from pr_reader_status():
 *  - clean: !truncated && !end_damaged && error == PR_OK.  At open, that
 *    covers the header, the tail, the index and the frame headers; frame
 *    payloads are checked as they are decoded, so a caller that must know
 *    decodes every frame (or checks each pr_reader_frame() result) before
 *    trusting error.
 *  - truncated: the file was cut (no end marker); frames and events say
 *    what was recovered.
 *  - end_damaged: the end marker is there but damaged (not a cut); frames
 *    and events say what was recovered, error is PR_E_CORRUPT and
 *    error_offset names the damage (or an earlier corrupt frame).
 *  - error != PR_OK otherwise: a corrupt frame (error_frame, error_offset).
 */
struct pr_reader;

struct pr_reader_status {
	bool		truncated;	/* no end marker: the file was cut */
	bool		end_damaged;	/* the end marker (tail, index block)
					   fails its checks, not a cut: frames
					   found by scanning the body (from
					   the index if only the tail's magic
					   is hit) */
	uint64_t	frames;		/* complete, readable frames */
	uint64_t	events;		/* events in those frames */
	uint64_t	lost;		/* sum of PR_LOST.arg */
	int		error;		/* first error met (0: none) */
	uint64_t	error_frame;	/* frame of that error */
	uint64_t	error_offset;	/* byte offset of that error */
	uint64_t	skipped;	/* events of kinds unknown to this build,
					   dropped by the decoder so far */
};

struct pr_reader *pr_reader_open(const char *path, int *errp);
const struct pr_header *pr_reader_header(const struct pr_reader *r);
size_t		 pr_reader_frames(const struct pr_reader *r);
/* File offset of frame i's header (to name a bad frame); 0 if none. */
uint64_t	 pr_reader_frame_offset(const struct pr_reader *r, size_t i);
int		 pr_reader_next(struct pr_reader *r, struct pr_event *ev);
int		 pr_reader_frame(struct pr_reader *r, size_t i,
		    struct pr_event **evsp, size_t *np);
/*
 * pr_reader_frame() into the caller's array *evsp of *capp events (NULL,
 * 0 at first), grown with realloc to at least twice its capacity when
 * frame i holds more; the array stays the caller's whatever the result
 * (a reader that decodes frame after frame allocates a few times, and
 * touches fresh pages only for its largest frame).
 */
int		 pr_reader_frame_buf(struct pr_reader *r, size_t i,
		    struct pr_event **evsp, size_t *capp, size_t *np);
void		 pr_reader_status(const struct pr_reader *r,
		    struct pr_reader_status *st);
/* Trailer notes, i = 0.. until it returns false. */
bool		 pr_reader_note(const struct pr_reader *r, size_t i,
		    const char **keyp, uint64_t *valuep);
void		 pr_reader_close(struct pr_reader *r);

#endif /* PR_TRACE_H */
