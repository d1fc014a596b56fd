/*
 * trace_decode.c - loading and decoding frames (trace.h): pr_reader_frame()
 * decodes any frame from any thread (parallel decode, each call with its
 * own buffers from the reader's pool), pr_reader_next() streams every
 * event in batches.  Each frame is checked before memory is sized from it:
 * against the index's copy of its header, its checksum, zstd's content
 * size, then the events.
 */
#include <pthread.h>
#include <stdbool.h>
#include <stdlib.h>
#include <string.h>

#include <zstd.h>

#include "trace.h"
#include "trace_reader_internal.h"

#define PR_NEXT_BATCH	256	/* events pr_reader_next decodes at once */
#define PR_READ_AHEAD	(128 << 10)	/* least bytes a frame's read asks */

/*
 * Make a buffer hold at least need bytes.  A first touch of a page is a
 * page fault, ~18 us on the project's VM (docs/benchmarks.md, "Decode
 * after the directio-fio fix"), so how a buffer grows decides how many
 * there are.  A buffer that the next frame writes in full is grown with
 * realloc (keep): its copy touches only pages the frame writes anyway,
 * and a block malloc has mmap'd grows without a copy.  The object table is
 * sized for a frame of new objects (40 bytes an event) of which a few
 * entries are used: it is freed and allocated afresh (!keep), since a
 * copy would touch all of it (directio-fio's 1.3 MB table, copied at each
 * of its growing frames, cost more than decoding them).  The capacity at
 * least doubles, so that a file whose frames grow one after another
 * allocates a few times, not once a frame; it stays below twice what has
 * been checked.
 */
static int
grow(void **bufp, size_t *capp, size_t need, bool keep)
{
	size_t cap;
	void *nb;

	if (*capp >= need)
		return (PR_OK);
	cap = *capp * 2 > need ? *capp * 2 : need;
	if (keep) {
		if ((nb = realloc(*bufp, cap)) == NULL)
			return (PR_E_NOMEM);
	} else {
		free(*bufp);
		*bufp = NULL;
		*capp = 0;
		if ((nb = malloc(cap)) == NULL)
			return (PR_E_NOMEM);
	}
	*bufp = nb;
	*capp = cap;
	return (PR_OK);
}

/* Take a set of decode buffers from the reader's pool (or a new one). */
static struct pr_decode_bufs *
bufs_get(struct pr_reader *r)
{
	struct pr_decode_bufs *b;

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
bufs_put(struct pr_reader *r, struct pr_decode_bufs *b)
{
	pthread_mutex_lock(&r->st_mtx);
	b->next = r->pool;
	r->pool = b;
	pthread_mutex_unlock(&r->st_mtx);
}

void
pr_decode_bufs_free(struct pr_decode_bufs *b)
{
	ZSTD_freeDCtx(b->dctx);
	free(b->comp);
	free(b->raw);
	free(b->objs);
	free(b->evs);
	free(b);
}

/*
 * Decompress a v2/v3 frame's streams (payload of f->comp bytes, its
 * directory already parsed into b->st) into b->raw, back to back and
 * followed by PR_STREAM_PAD zero bytes.  PR_E_CORRUPT when a stream's zstd
 * frame does not give exactly its size.
 */
static int
streams_load(const struct pr_frame_info *f, struct pr_decode_bufs *b,
    const uint8_t *payload)
{
	const struct pr_streams *st = &b->st;
	unsigned long long csize;
	size_t n;
	unsigned s;

	if (grow((void **)&b->raw, &b->rawcap, PR_STREAMS_BUF(f->raw),
	    true) != PR_OK)
		return (PR_E_NOMEM);
	payload += st->dirlen;
	for (s = 0; s < PR_S_COUNT; s++) {
		if (st->len[s] > 0) {
			csize = ZSTD_getFrameContentSize(payload, st->clen[s]);
			if (csize != st->len[s])
				return (PR_E_CORRUPT);
			n = ZSTD_decompressDCtx(b->dctx, b->raw + st->off[s],
			    st->len[s], payload, st->clen[s]);
			if (ZSTD_isError(n) || n != st->len[s])
				return (PR_E_CORRUPT);
			payload += st->clen[s];
		}
	}
	memset(b->raw + f->raw, 0, PR_STREAM_PAD);
	return (PR_OK);
}

/*
 * Make b->comp hold frame f's bytes (header and payload), reading at least
 * PR_READ_AHEAD bytes from the frame on when they are not there yet: a
 * recording's one-second frames are a few KB, and with one pread(2) a
 * frame the kernel took 5 % of the time to decode build-zstd.prt (perf).
 * The frames read ahead are checked when they are decoded, like any
 * other.  Sets *fbp to the frame's first byte.
 */
static int
frame_read(struct pr_reader *r, const struct pr_frame_info *f,
    struct pr_decode_bufs *b, const uint8_t **fbp)
{
	size_t need, len;
	int err;

	need = PR_FRAME_HDR + (size_t)f->comp;
	if (f->off < b->woff || b->wlen < need ||
	    f->off - b->woff > b->wlen - need) {
		len = r->size - f->off > PR_READ_AHEAD ? PR_READ_AHEAD :
		    (size_t)(r->size - f->off);
		if (len < need)
			len = need;
		if (grow((void **)&b->comp, &b->compcap, len, true) != PR_OK)
			return (PR_E_NOMEM);
		b->wlen = 0;
		err = pr_pread_all(r->fd, b->comp, len, f->off);
		/* A file cut since it was opened: the frame alone, then. */
		if (err == PR_E_TRUNCATED && len > need)
			err = pr_pread_all(r->fd, b->comp, len = need, f->off);
		if (err != PR_OK)
			return (err);
		b->woff = f->off;
		b->wlen = len;
	}
	*fbp = b->comp + (f->off - b->woff);
	return (PR_OK);
}

/*
 * Read frame i, check it (against the index's copy of its header, then its
 * checksum) and decompress it into b->raw (v2, v3: as streams), growing b's
 * buffers only as far as what has been checked so far justifies.  Records
 * a failure in the status.  Safe from several threads with distinct b.
 */
static int
frame_load(struct pr_reader *r, size_t i, struct pr_decode_bufs *b)
{
	const struct pr_frame_info *f = &r->frames[i];
	const uint8_t *fb;
	uint8_t fh[PR_FRAME_HDR];
	unsigned long long csize;
	size_t n;
	int err;

	err = frame_read(r, f, b, &fb);
	if (err == PR_E_IO || err == PR_E_NOMEM) {
		if (err == PR_E_IO)
			pr_reader_error(r, err, i, f->off);
		return (err);
	}
	pr_frame_header_enc(fh, r->hdr.version, f, NULL);
	if (err != PR_OK || memcmp(fh, fb, PR_FRAME_HDR) != 0 ||
	    !SUM_OK(pr_frame_sum(fh, fb + PR_FRAME_HDR, f->comp), f->sum))
		goto corrupt;
	if (r->hdr.version != PR_VERSION_V1) {
		if (pr_streams_dir(fb + PR_FRAME_HDR, f->comp, f->raw,
		    &b->st) != PR_OK)
			goto corrupt;
		err = streams_load(f, b, fb + PR_FRAME_HDR);
		if (err == PR_E_CORRUPT)
			goto corrupt;
		return (err);
	}
	csize = ZSTD_getFrameContentSize(fb + PR_FRAME_HDR, f->comp);
	if (csize != f->raw)
		goto corrupt;
	if (grow((void **)&b->raw, &b->rawcap, (size_t)f->raw +
	    PR_DECODE_PAD, true) != PR_OK)
		return (PR_E_NOMEM);
	n = ZSTD_decompressDCtx(b->dctx, b->raw, f->raw,
	    fb + PR_FRAME_HDR, f->comp);
	if (ZSTD_isError(n) || n != f->raw)
		goto corrupt;
	memset(b->raw + f->raw, 0, PR_DECODE_PAD);
	return (PR_OK);
corrupt:
	pr_reader_error(r, PR_E_CORRUPT, i, f->off);
	return (PR_E_CORRUPT);
}

/*
 * Start decoding frame i, loaded in b, with d1 (v1) or d2 (v2, v3),
 * whichever the file's version uses.  A v2/v3 frame gets its object table
 * from b.
 */
static int
frame_start(struct pr_reader *r, size_t i, struct pr_decode_bufs *b,
    struct pr_decoder *d1, struct pr_decoder2 *d2)
{
	const struct pr_frame_info *f = &r->frames[i];
	size_t nobjs;

	if (r->hdr.version == PR_VERSION_V1) {
		pr_decoder_init(d1, r->kindmap, b->raw, f->raw, f->nevents);
		return (PR_OK);
	}
	nobjs = (f->nevents < PR_OBJS_MAX ? f->nevents : PR_OBJS_MAX) + 1;
	if (grow((void **)&b->objs, &b->objcap, nobjs * sizeof(*b->objs),
	    false) != PR_OK)
		return (PR_E_NOMEM);
	if (pr_decoder2_init(d2, r->hdr.version, r->kindmap, b->raw, &b->st,
	    f->nevents, b->objs, (uint32_t)nobjs) != PR_OK) {
		pr_reader_error(r, PR_E_CORRUPT, i, f->off);
		return (PR_E_CORRUPT);
	}
	return (PR_OK);
}

/*
 * Decode up to max events of frame i (started in d1 or d2, by the file's
 * version); count what is skipped.
 */
static int
frame_run(struct pr_reader *r, size_t i, struct pr_decoder *d1,
    struct pr_decoder2 *d2, struct pr_event *out, size_t max, size_t *np)
{
	uint64_t skipped;
	int err;

	if (r->hdr.version == PR_VERSION_V1)
		err = pr_decoder_run(d1, out, max, np, &skipped);
	else
		err = pr_decoder2_run(d2, out, max, np, &skipped);
	if (err != PR_OK) {
		*np = 0;
		pr_reader_error(r, PR_E_CORRUPT, i, r->frames[i].off);
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
pr_reader_frame_buf(struct pr_reader *r, size_t i, struct pr_event **evsp,
    size_t *capp, size_t *np)
{
	const struct pr_frame_info *f;
	struct pr_decode_bufs *b;
	struct pr_decoder d1;
	struct pr_decoder2 d2;
	size_t bytes;
	int err;

	*np = 0;
	if (r == NULL || i >= r->nframes)
		return (PR_E_ARG);
	f = &r->frames[i];
	if ((b = bufs_get(r)) == NULL)
		return (PR_E_NOMEM);
	if ((err = frame_load(r, i, b)) == PR_OK &&
	    (err = frame_start(r, i, b, &d1, &d2)) == PR_OK) {
		bytes = *capp * sizeof(**evsp);
		err = grow((void **)evsp, &bytes, (size_t)f->nevents *
		    sizeof(**evsp), true);
		*capp = bytes / sizeof(**evsp);
		if (err == PR_OK)
			err = frame_run(r, i, &d1, &d2, *evsp, f->nevents, np);
	}
	bufs_put(r, b);
	return (err);
}

int
pr_reader_frame(struct pr_reader *r, size_t i, struct pr_event **evsp,
    size_t *np)
{
	size_t cap;
	int err;

	*evsp = NULL;
	cap = 0;
	if ((err = pr_reader_frame_buf(r, i, evsp, &cap, np)) != PR_OK) {
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
	struct pr_decode_bufs *b;
	uint32_t *left;
	int err;

	left = r->hdr.version == PR_VERSION_V1 ? &r->dec.left : &r->dec2.left;
	while (r->pos == r->nev) {
		r->nev = r->pos = 0;
		if ((b = r->sbufs) == NULL) {
			if ((b = r->sbufs = bufs_get(r)) == NULL)
				return (-PR_E_NOMEM);
			if (grow((void **)&b->evs, &b->evcap, PR_NEXT_BATCH *
			    sizeof(*b->evs), true) != PR_OK)
				return (-PR_E_NOMEM);
		}
		if (*left > 0) {
			err = frame_run(r, r->cur - 1, &r->dec, &r->dec2,
			    b->evs, PR_NEXT_BATCH, &r->nev);
			if (err != PR_OK) {
				*left = 0;
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
		if ((err = frame_load(r, r->cur++, b)) != PR_OK ||
		    (err = frame_start(r, r->cur - 1, b, &r->dec,
		    &r->dec2)) != PR_OK)
			return (-err);
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
