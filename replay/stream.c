/*
 * stream.c - decoder threads and the window of frames in flight (see
 * stream.h).
 *
 * Slot k of the window holds frame sequence numbers k, k + W, k + 2W, ...
 * A slot is FREE (waiting for its seq to be decoded), BUSY (one decoder
 * fills it), or READY (workers read it; `pending` of them have not
 * released it yet).  Locks: (C) set before the threads start, (M) the
 * stream's mtx, (D) written by the one decoder that holds the slot BUSY,
 * read-only while it is READY, (A) atomic.
 *
 * An inline stream (rp_stream_start_inline) has no decoder thread and no
 * lock users but its one thread: a cursor that needs a frame not decoded
 * yet decodes it (and every frame before it) itself, and the window holds
 * the frames from the oldest one a cursor still needs to the newest one
 * decoded, doubling when it is full instead of waiting for a reader.
 */
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "stream.h"

#define STREAM_POLL_NS	10000000L	/* a waiting worker checks its flag */

enum slot_state { SLOT_FREE = 0, SLOT_BUSY, SLOT_READY };

/* One event of a worker's list: its index in the frame and its stream. */
struct stream_item {
	uint32_t	 ev;
	uint32_t	 stream;
};

struct stream_list {
	struct stream_item *item;	/* (D) */
	size_t		 n, cap;	/* (D) */
};

struct stream_slot {
	uint64_t	 seq;		/* (M) the frame sequence number */
	enum slot_state	 state;		/* (M) */
	unsigned	 pending;	/* (M) workers yet to release it */
	struct pr_event	*ev;		/* (D) the frame, ids remapped */
	size_t		 nev;		/* (D) */
	size_t		 cap;		/* (D) of ev, kept for the next */
	uint64_t	 first;		/* (D) trace index of ev[0] */
	struct stream_list *wl;		/* (D) [nworkers] each one's items */
};

struct rp_stream {
	const struct rp_trace *t;	/* (C) */
	const struct rp_plan *p;	/* (C) */
	uint64_t	 end_seq;	/* (C) loops x frames */
	unsigned	 nslots;	/* (C) the window, W */
	struct stream_slot *slot;	/* [W] */
	pthread_t	*dec;		/* (C) [ndec] */
	unsigned	 ndec;		/* (C) started */
	atomic_uint_fast64_t next_seq;	/* (A) next seq for a decoder */
	pthread_mutex_t	 mtx;
	pthread_cond_t	 free_cv;	/* a slot became FREE, or closed */
	pthread_cond_t	 ready_cv;	/* a slot became READY */
	unsigned	 nactive;	/* (M) cursors that have not left */
	bool		 closed;	/* (M) decoders leave */
	bool		 inline_;	/* (C) no decoders (see the top) */
	uint64_t	 lo, hi;	/* (M) inline: seqs [lo, hi) held */
	int		 err;		/* (M) first decode failure */
	uint64_t	 err_frame;	/* (M) */
};

/* Free a slot whose last reader released it (mtx held). */
static void
slot_recycle(struct rp_stream *s, struct stream_slot *sl)
{
	sl->nev = 0;
	sl->state = SLOT_FREE;
	if (s->inline_) {
		while (s->lo < s->hi &&
		    s->slot[s->lo % s->nslots].state == SLOT_FREE)
			s->lo++;
		return;
	}
	sl->seq += s->nslots;
	pthread_cond_broadcast(&s->free_cv);
}

/* Append an item to a worker's list (decoder holding the slot). */
static int
list_add(struct stream_list *l, uint32_t ev, uint32_t stream)
{
	struct stream_item *a;
	size_t cap;

	if (l->n == l->cap) {
		cap = l->cap == 0 ? 1024 : 2 * l->cap;
		if ((a = realloc(l->item, cap * sizeof(*a))) == NULL)
			return (-1);
		l->item = a;
		l->cap = cap;
	}
	l->item[l->n].ev = ev;
	l->item[l->n++].stream = stream;
	return (0);
}

/*
 * Decode frame `frame` into sl and split it over the workers; 0 or an enum
 * pr_error (the slot is left empty).  The slot is BUSY: this decoder's.
 */
static int
slot_fill(struct rp_stream *s, struct stream_slot *sl, size_t frame)
{
	const struct rp_trace *t = s->t;
	const struct rp_plan *p = s->p;
	uint64_t want;
	uint32_t st, j;
	size_t k;
	unsigned w;
	int e;

	for (w = 0; w < p->nworkers; w++)
		sl->wl[w].n = 0;
	sl->first = t->frame_first[frame];
	want = t->frame_first[frame + 1] - t->frame_first[frame];
	e = rp_trace_frame(t, frame, &sl->ev, &sl->cap, &sl->nev);
	if (e == PR_E_CORRUPT && want == 0)
		return (0);		/* left out by the scan as well */
	if (e == 0 && sl->nev != want)
		e = PR_E_CORRUPT;	/* the file changed since the scan */
	for (k = 0; e == 0 && k < sl->nev; k++) {
		if ((st = rp_plan_stream(p, t, &sl->ev[k])) == UINT32_MAX)
			continue;
		for (j = p->wl_off[st]; e == 0 && j < p->wl_off[st + 1]; j++)
			if (list_add(&sl->wl[p->wl[j]], (uint32_t)k, st) != 0)
				e = PR_E_NOMEM;
	}
	if (e != 0) {
		sl->nev = 0;
		for (w = 0; w < p->nworkers; w++)
			sl->wl[w].n = 0;
	}
	return (e);
}

/* A decoder thread: take the next seq, wait for its slot, fill, publish. */
static void *
stream_decoder(void *arg)
{
	struct rp_stream *s = arg;
	struct stream_slot *sl;
	uint64_t seq;
	size_t frame;
	int e;

	while ((seq = atomic_fetch_add(&s->next_seq, 1)) < s->end_seq) {
		sl = &s->slot[seq % s->nslots];
		frame = (size_t)(seq % s->t->nframes);
		pthread_mutex_lock(&s->mtx);
		while (!s->closed && !(sl->state == SLOT_FREE &&
		    sl->seq == seq))
			pthread_cond_wait(&s->free_cv, &s->mtx);
		if (s->closed) {
			pthread_mutex_unlock(&s->mtx);
			break;
		}
		sl->state = SLOT_BUSY;
		pthread_mutex_unlock(&s->mtx);

		e = slot_fill(s, sl, frame);

		pthread_mutex_lock(&s->mtx);
		if (e != 0 && s->err == 0) {
			s->err = e;
			s->err_frame = frame;
		}
		sl->state = SLOT_READY;
		sl->pending = s->nactive;
		if (sl->pending == 0)
			slot_recycle(s, sl);
		pthread_cond_broadcast(&s->ready_cv);
		pthread_mutex_unlock(&s->mtx);
	}
	return (NULL);
}

uint64_t
rp_stream_bytes(const struct rp_trace *t, unsigned nworkers, unsigned scale,
    unsigned decoders, unsigned window)
{
	uint64_t replicas;

	if (decoders == 0)
		decoders = RP_STREAM_DECODERS;
	if (window == 0)
		window = RP_STREAM_WINDOW(decoders);
	replicas = nworkers == 0 || scale < nworkers ? scale : nworkers;
	return ((uint64_t)window * t->frame_max * (sizeof(struct pr_event) +
	    replicas * sizeof(struct stream_item)));
}

/*
 * Start `decoders` threads (0: an inline stream) over loops passes of t
 * in a window of `window` frames.  0, or -1 with a reason in err.
 */
static int
stream_create(const struct rp_trace *t, const struct rp_plan *p,
    unsigned loops, unsigned decoders, unsigned window,
    struct rp_stream **sp, char *err, size_t errlen)
{
	struct rp_stream *s;
	unsigned k;

	*sp = NULL;
	if ((s = calloc(1, sizeof(*s))) == NULL)
		goto nomem;
	s->t = t;
	s->p = p;
	s->end_seq = (uint64_t)loops * t->nframes;
	s->nslots = window;
	s->nactive = p->nworkers;
	s->inline_ = decoders == 0;
	s->slot = calloc(window, sizeof(*s->slot));
	s->dec = calloc(decoders > 0 ? decoders : 1, sizeof(*s->dec));
	if (s->slot == NULL || s->dec == NULL)
		goto nomem;
	for (k = 0; k < window; k++) {
		s->slot[k].seq = k;
		if ((s->slot[k].wl = calloc(p->nworkers,
		    sizeof(*s->slot[k].wl))) == NULL)
			goto nomem;
	}
	pthread_mutex_init(&s->mtx, NULL);
	pthread_cond_init(&s->free_cv, NULL);
	pthread_cond_init(&s->ready_cv, NULL);
	for (s->ndec = 0; s->ndec < decoders; s->ndec++)
		if (pthread_create(&s->dec[s->ndec], NULL, stream_decoder,
		    s) != 0)
			break;
	if (s->ndec == 0 && !s->inline_) {
		snprintf(err, errlen, "cannot start a decoder thread");
		rp_stream_stop(s, NULL);
		return (-1);
	}
	*sp = s;
	return (0);
nomem:
	snprintf(err, errlen, "out of memory for the replay window");
	if (s != NULL && s->slot != NULL)
		for (k = 0; k < window; k++)
			free(s->slot[k].wl);
	if (s != NULL) {
		free(s->slot);
		free(s->dec);
	}
	free(s);
	return (-1);
}

int
rp_stream_start(const struct rp_trace *t, const struct rp_plan *p,
    unsigned loops, unsigned decoders, unsigned window,
    struct rp_stream **sp, char *err, size_t errlen)
{
	if (decoders == 0)
		decoders = RP_STREAM_DECODERS;
	if (window == 0)
		window = RP_STREAM_WINDOW(decoders);
	return (stream_create(t, p, loops, decoders, window, sp, err,
	    errlen));
}

int
rp_stream_start_inline(const struct rp_trace *t, const struct rp_plan *p,
    unsigned loops, struct rp_stream **sp, char *err, size_t errlen)
{
	return (stream_create(t, p, loops, 0, RP_STREAM_WINDOW(1), sp, err,
	    errlen));
}

/* A slot's buffers (no thread uses it any more). */
static void
stream_slot_free(struct rp_stream *s, struct stream_slot *sl)
{
	unsigned w;

	free(sl->ev);
	for (w = 0; sl->wl != NULL && w < s->p->nworkers; w++)
		free(sl->wl[w].item);
	free(sl->wl);
}

int
rp_stream_stop(struct rp_stream *s, uint64_t *frame)
{
	unsigned k;
	int e;

	pthread_mutex_lock(&s->mtx);
	s->closed = true;
	pthread_cond_broadcast(&s->free_cv);
	pthread_mutex_unlock(&s->mtx);
	for (k = 0; k < s->ndec; k++)
		pthread_join(s->dec[k], NULL);
	e = s->err;
	if (frame != NULL)
		*frame = s->err_frame;
	for (k = 0; k < s->nslots; k++)
		stream_slot_free(s, &s->slot[k]);
	pthread_mutex_destroy(&s->mtx);
	pthread_cond_destroy(&s->free_cv);
	pthread_cond_destroy(&s->ready_cv);
	free(s->slot);
	free(s->dec);
	free(s);
	return (e);
}

/*
 * Inline stream: double the window, every held seq moving to its slot in
 * the larger one.  0 or -1 when out of memory (mtx held).
 */
static int
stream_grow(struct rp_stream *s)
{
	struct stream_slot *a;
	unsigned n = 2 * s->nslots, k;
	uint64_t seq;

	if ((a = calloc(n, sizeof(*a))) == NULL)
		return (-1);
	for (k = 0; k < n; k++)
		if ((a[k].wl = calloc(s->p->nworkers, sizeof(*a[k].wl))) ==
		    NULL)
			break;
	if (k < n) {
		while (k-- > 0)
			free(a[k].wl);
		free(a);
		return (-1);
	}
	for (seq = s->lo; seq < s->hi; seq++) {
		k = (unsigned)(seq % n);
		free(a[k].wl);
		a[k] = s->slot[seq % s->nslots];
		s->slot[seq % s->nslots].ev = NULL;
		s->slot[seq % s->nslots].wl = NULL;
	}
	for (k = 0; k < s->nslots; k++)
		stream_slot_free(s, &s->slot[k]);
	free(s->slot);
	s->slot = a;
	s->nslots = n;
	return (0);
}

/*
 * Inline stream: decode every frame up to seq on this thread; its slot,
 * or NULL when out of memory (mtx held).
 */
static struct stream_slot *
stream_decode_inline(struct rp_stream *s, uint64_t seq)
{
	struct stream_slot *sl;
	int e;

	while (s->hi <= seq) {
		if (s->hi - s->lo == s->nslots && stream_grow(s) != 0)
			return (NULL);
		sl = &s->slot[s->hi % s->nslots];
		sl->seq = s->hi;
		e = slot_fill(s, sl, (size_t)(s->hi % s->t->nframes));
		if (e != 0 && s->err == 0) {
			s->err = e;
			s->err_frame = s->hi % s->t->nframes;
		}
		sl->state = SLOT_READY;
		sl->pending = s->nactive;
		s->hi++;
		if (sl->pending == 0)
			slot_recycle(s, sl);
	}
	return (&s->slot[seq % s->nslots]);
}

int
rp_stream_close(struct rp_stream *s, int rc, char *err, size_t errlen)
{
	uint64_t bad;
	int e;

	e = rp_stream_stop(s, &bad);
	if (e == 0 || rc != 0)
		return (rc);
	snprintf(err, errlen, "frame %llu: %s (the trace changed since it "
	    "was loaded?)", (unsigned long long)bad, pr_strerror(e));
	return (-1);
}

void
rp_cursor_init(struct rp_cursor *c, struct rp_stream *s, unsigned worker)
{
	memset(c, 0, sizeof(*c));
	c->s = s;
	c->worker = worker;
}

/* Wait until seq is READY in its slot; NULL when *flag is raised first. */
static struct stream_slot *
cursor_acquire(struct rp_cursor *c, atomic_int *flag)
{
	struct rp_stream *s = c->s;
	struct stream_slot *sl = &s->slot[c->seq % s->nslots];
	struct timespec ts;

	pthread_mutex_lock(&s->mtx);
	if (s->inline_) {
		sl = stream_decode_inline(s, c->seq);
		pthread_mutex_unlock(&s->mtx);
		return (sl);
	}
	while (!(sl->state == SLOT_READY && sl->seq == c->seq)) {
		if (atomic_load_explicit(flag, memory_order_relaxed) != 0) {
			pthread_mutex_unlock(&s->mtx);
			return (NULL);
		}
		clock_gettime(CLOCK_REALTIME, &ts);
		ts.tv_nsec += STREAM_POLL_NS;
		if (ts.tv_nsec >= 1000000000L) {
			ts.tv_sec++;
			ts.tv_nsec -= 1000000000L;
		}
		pthread_cond_timedwait(&s->ready_cv, &s->mtx, &ts);
	}
	pthread_mutex_unlock(&s->mtx);
	return (sl);
}

/* The worker is done with its slot. */
static void
cursor_release(struct rp_cursor *c)
{
	struct rp_stream *s = c->s;

	pthread_mutex_lock(&s->mtx);
	if (--c->slot->pending == 0)
		slot_recycle(s, c->slot);
	pthread_mutex_unlock(&s->mtx);
	c->slot = NULL;
	c->seq++;
}

int
rp_cursor_next(struct rp_cursor *c, atomic_int *flag, uint64_t cut,
    struct pr_event *ev, unsigned *loop)
{
	const struct rp_plan *p = c->s->p;
	const struct rp_trace *t = c->s->t;
	const struct stream_list *l;
	struct stream_item it;
	uint64_t base;
	unsigned r;

	/* An inline window may have grown and moved since the last call. */
	if (c->s->inline_ && c->slot != NULL)
		c->slot = &c->s->slot[c->seq % c->s->nslots];
	for (;;) {
		if (c->slot == NULL) {
			if (c->seq >= c->s->end_seq)
				return (0);
			if (c->seq < t->nframes &&
			    t->frame_first[c->seq] >= cut)
				return (-1);
			if ((c->slot = cursor_acquire(c, flag)) == NULL)
				return (-1);
			c->i = 0;
			c->r = 0;
		}
		l = &c->slot->wl[c->worker];
		while (c->i < l->n) {
			it = l->item[c->i];
			if (c->seq < t->nframes && c->slot->first + it.ev >= cut)
				return (-1);
			base = (uint64_t)it.stream * p->scale;
			while (c->r < p->scale) {
				r = c->r++;
				if (p->owner[base + r] == c->worker) {
					rp_plan_event(p, &c->slot->ev[it.ev],
					    r, ev);
					*loop = (unsigned)(c->seq / t->nframes);
					return (1);
				}
			}
			c->i++;
			c->r = 0;
		}
		cursor_release(c);
	}
}

void
rp_cursor_leave(struct rp_cursor *c)
{
	struct rp_stream *s = c->s;
	struct stream_slot *sl;
	unsigned k;

	pthread_mutex_lock(&s->mtx);
	s->nactive--;
	for (k = 0; k < s->nslots; k++) {
		sl = &s->slot[k];
		if (sl->state == SLOT_READY && sl->seq >= c->seq &&
		    --sl->pending == 0)
			slot_recycle(s, sl);
	}
	pthread_mutex_unlock(&s->mtx);
	c->slot = NULL;
}
