/*
 * trace_decode.c - loading and decoding frames (trace.h): pr_reader_frame()
 * decodes any frame from any thread (parallel decode, each call with its
 * own buffers from the reader's pool), pr_reader_next() streams every
 * event in batches.  Each frame is checked before memory is sized from it:
 * against the index's copy of its header, its checksum, zstd's content
 * size, then the events.
 */
#include <pthread.h>
#include <stdlib.h>
#include <string.h>

#include <zstd.h>

#include "trace.h"
#include "trace_reader_internal.h"

#define PR_NEXT_BATCH	256	/* events pr_reader_next decodes at once */

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
frame_load(struct pr_reader *r, size_t i, struct pr_decode_bufs *b)
{
	const struct pr_frame_info *f = &r->frames[i];
	uint8_t fh[PR_FRAME_HDR];
	unsigned long long csize;
	size_t n;
	int err;

	if (grow((void **)&b->comp, &b->compcap, PR_FRAME_HDR +
	    (size_t)f->comp) != PR_OK)
		return (PR_E_NOMEM);
	err = pr_pread_all(r->fd, b->comp, PR_FRAME_HDR + (size_t)f->comp,
	    f->off);
	if (err == PR_E_IO) {
		pr_reader_error(r, err, i, f->off);
		return (err);
	}
	pr_frame_header_enc(fh, f, NULL);
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
	pr_reader_error(r, PR_E_CORRUPT, i, f->off);
	return (PR_E_CORRUPT);
}

/* Decode up to max events of frame i (loaded in d); count what is skipped. */
static int
frame_run(struct pr_reader *r, size_t i, struct pr_decoder *d,
    struct pr_event *out, size_t max, size_t *np)
{
	uint64_t skipped;

	if (pr_decoder_run(d, out, max, np, &skipped) != PR_OK) {
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
pr_reader_frame(struct pr_reader *r, size_t i, struct pr_event **evsp,
    size_t *np)
{
	const struct pr_frame_info *f;
	struct pr_decode_bufs *b;
	struct pr_decoder d;
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
			pr_decoder_init(&d, r->kindmap, b->raw,
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
	const struct pr_frame_info *f;
	struct pr_decode_bufs *b;
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
		pr_decoder_init(&r->dec, r->kindmap, b->raw,
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
