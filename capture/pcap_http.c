/*
 * pcap_http.c - the packet parser of the libpcap front end (pcap_http.h;
 * the command around it is pcap_record.c).  HTTP/1.1 traffic of a sendfile
 * server becomes sendfile events.
 *
 * Packets (of a pcap or pcapng file, or a live interface) are decoded down
 * to TCP; each connection's two byte
 * streams are followed in sequence order, far enough to read HTTP/1.1
 * request and response headers and to skip response bodies by their length.
 * Every request (pipelined ones queue in order) is paired with its response;
 * a GET answered 200 or 206 with a non-empty body becomes one PR_SENDFILE
 * event at the request's time, on the object of its path (a stable hash,
 * never PR_OBJ_ANON: a path is a file), with addr = body's byte offset in
 * the file and arg = its length (from Content-Range / Content-Length),
 * pindex/npages the 4 KiB pages it covers, tid = the connection (numbered
 * from 1 in order of appearance).
 *
 * Bad input is counted, skipped and reported as trailer notes (pcap.*):
 * packets too short for their headers, undecodable headers, segments out
 * of order (the stream then skips to the next message start), bytes that do
 * not parse as HTTP.  Headers only are needed: missing body bytes are
 * skipped by length.  Response headers the capture did not keep (a short
 * snap length, pipelined responses deep in a large segment) are estimated
 * from their requests and sizes seen earlier (PH_BLIND, ph_blind_end).
 */
#include <pcap/dlt.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "pcap_http.h"
#include "trace.h"

#define PH_HDR_MAX	65536		/* longest HTTP header we buffer */
#define PH_BUCKETS	4096		/* connection hash buckets (power of 2) */
#define PH_REORDER_NS	2000000000ull	/* events held to sort by time */
#define PH_NPAGES_MAX	UINT32_MAX	/* pages one event holds (ph_emit) */
#define PH_SIZES	4096		/* object sizes remembered (power of 2) */

/* Where a response body ends. */
enum ph_state {
	PH_HEAD = 0,		/* reading a message header */
	PH_BODY,		/* skipping body_left bytes */
	PH_BODY_EOF,		/* response body runs to the end of the stream */
	PH_BLIND		/* in step, but where the responses in the last
				   `blind` bytes start was not captured */
};


/* One direction of a connection. */
struct ph_half {
	uint32_t	next;		/* next expected sequence number */
	bool		synced;		/* next is valid, parser in step */
	bool		fin;		/* FIN seen */
	enum ph_state	state;
	uint64_t	body_left;	/* PH_BODY: bytes still to skip */
	uint64_t	blind;		/* PH_BLIND: bytes since a message start */
	uint64_t	t_first;	/* time of buf's first byte */
	char		*buf;		/* PH_HEAD: header bytes so far */
	size_t		len;		/* bytes in buf */
	size_t		cap;		/* buf's size (0 or PH_HDR_MAX) */
};

/* A request waiting for its response. */
struct ph_req {
	uint64_t	time_ns;	/* capture time of its first byte */
	uint64_t	obj;		/* hash of its path */
	bool		get;		/* GET (else HEAD or other: no event) */
	bool		head;		/* HEAD: the response has no body */
	bool		guessed;	/* cut off, estimated (ph_lost_requests) */
	uint8_t		range;		/* PH_RANGE_*: its Range header ... */
	uint64_t	ra, rb;		/* ... bytes=ra-rb, ra-, or -rb */
	uint64_t	gap;		/* dropped requests just before it */
};

/* The Range header of a request, as far as a size can be predicted. */
enum {
	PH_RANGE_NONE = 0,	/* none: the whole object */
	PH_RANGE_AB,		/* bytes=ra-rb */
	PH_RANGE_FROM,		/* bytes=ra- */
	PH_RANGE_SUFFIX,	/* bytes=-rb: the last rb bytes */
	PH_RANGE_OTHER		/* several ranges, or not understood */
};

/* Connection endpoints; a is the lower (addr, port) of the two. */
struct ph_key {
	uint8_t		addr[2][16];	/* IPv4 as ::ffff:a.b.c.d */
	uint16_t	port[2];
};

/* One TCP connection, in the hash table from first packet to FIN/RST. */
struct ph_conn {
	struct ph_key	key;
	struct ph_half	half[2];	/* half[d]: bytes sent by endpoint d */
	int		client;		/* endpoint sending requests, or -1 */
	uint32_t	tid;		/* connection number, from 1 */
	struct ph_req	*q;		/* pending requests (ring) ... */
	size_t		qhead;		/* ... oldest at q[qhead] ... */
	size_t		qlen;		/* ... qlen of them ... */
	size_t		qcap;		/* ... in room for qcap */
	uint64_t	qgap;		/* dropped requests after the last */
	struct ph_req	eof_req;	/* PH_BODY_EOF: its request ... */
	uint64_t	eof_off;	/* ... body offset ... */
	uint64_t	eof_bytes;	/* ... and bytes so far */
	bool		eof_pending;	/* eof_* are in use */
	uint32_t	hlen[2];	/* last response header length seen:
					   [0] whole object, [1] a range */
	struct ph_req	last_req;	/* last request without a body ... */
	size_t		last_req_len;	/* ... and its header's length */
	struct ph_conn	*next;		/* hash chain */
};

/* An event waiting in the reorder heap; seq keeps equal times in order. */
struct ph_held {
	struct pr_event	ev;
	uint64_t	seq;
};

/* The whole run; single-threaded. */
struct ph_parser {
	int		linktype;
	int		linkhdr;	/* its header length */
	bool		nocache;	/* events flagged NOCACHE */
	ph_sink_fn	sink;		/* where events go ... */
	void		*sink_arg;	/* ... and its argument */
	int		err;		/* first error (sink's or NOMEM) */
	uint64_t	t0;		/* first packet time, ns since epoch */
	uint64_t	now;		/* current packet time, ns since epoch */
	uint32_t	nconns;		/* connections numbered so far */
	struct ph_held	*heap;		/* events by (time, seq), min first */
	size_t		nheld;		/* events in heap */
	size_t		heapcap;	/* room in heap */
	uint64_t	seq;		/* events made so far */
	uint64_t	written_ns;	/* time of the last event handed over */
	struct ph_conn	*buckets[PH_BUCKETS];	/* connections by key */
	struct ph_size {		/* object sizes seen, by obj */
		uint64_t	obj;
		uint64_t	size;
		bool		known;
	}		sizes[PH_SIZES];
	struct ph_counts c;
};

/* FNV-1a, 64 bits: a path's object id (ph_request_line), a key's bucket. */
static uint64_t
path_hash(const char *p, size_t n)
{
	uint64_t h;
	size_t i;

	h = 0xcbf29ce484222325ull;
	for (i = 0; i < n; i++) {
		h ^= (uint8_t)p[i];
		h *= 0x100000001b3ull;
	}
	return (h);
}
/* Heap order: earlier time first, then the order events were made. */
static bool
ph_held_less(const struct ph_held *a, const struct ph_held *b)
{
	return (a->ev.time_ns < b->ev.time_ns ||
	    (a->ev.time_ns == b->ev.time_ns && a->seq < b->seq));
}

/*
 * Events are made when a response arrives but carry their request's time,
 * so they come out of order across connections.  They wait in a min-heap
 * and go to the sink once the capture clock is PH_REORDER_NS past them
 * (all, when `all`); one answered later than that is handed over at the
 * time of the last event handed over, and counted.
 */
static void
ph_drain(struct ph_parser *x, bool all)
{
	struct ph_held *hp = x->heap, t;
	size_t i, c;
	int e;

	while (x->nheld > 0 && (all || (x->now > x->t0 &&
	    hp[0].ev.time_ns + PH_REORDER_NS <= x->now - x->t0))) {
		if (x->err == 0 && (e = x->sink(x->sink_arg, &hp[0].ev)) != 0)
			x->err = e;
		x->written_ns = hp[0].ev.time_ns;
		hp[0] = hp[--x->nheld];
		for (i = 0; (c = 2 * i + 1) < x->nheld; i = c) {
			if (c + 1 < x->nheld && ph_held_less(&hp[c + 1],
			    &hp[c]))
				c++;
			if (!ph_held_less(&hp[c], &hp[i]))
				break;
			t = hp[i];
			hp[i] = hp[c];
			hp[c] = t;
		}
	}
}

/* Put an event into the reorder heap (see ph_drain). */
static void
ph_hold(struct ph_parser *x, const struct pr_event *ev)
{
	struct ph_held *nh, t;
	size_t i;

	if (x->nheld == x->heapcap) {
		nh = realloc(x->heap, (x->heapcap == 0 ? 1024 : x->heapcap * 2) *
		    sizeof(*nh));
		if (nh == NULL) {
			x->err = PR_E_NOMEM;
			return;
		}
		x->heap = nh;
		x->heapcap = x->heapcap == 0 ? 1024 : x->heapcap * 2;
	}
	i = x->nheld++;
	x->heap[i].ev = *ev;
	x->heap[i].seq = x->seq++;
	if (x->heap[i].ev.time_ns < x->written_ns) {
		x->heap[i].ev.time_ns = x->written_ns;
		x->c.late++;
	}
	for (; i > 0 && ph_held_less(&x->heap[i], &x->heap[(i - 1) / 2]);
	    i = (i - 1) / 2) {
		t = x->heap[i];
		x->heap[i] = x->heap[(i - 1) / 2];
		x->heap[(i - 1) / 2] = t;
	}
}

/*
 * Make the sendfile event of a request whose body is [off, off + len).
 *
 * An event holds at most PH_NPAGES_MAX pages (npages is 32 bits) and ends
 * at most at byte 2^64: a longer body (Content-Length 2^44 and up, or a
 * range that runs past 2^64) is clipped to the pages an event can hold,
 * arg to the bytes of those pages from off, and counted in `clipped`; the
 * body is still skipped by its real length.  So every event keeps npages
 * >= 1 and pages that cover exactly [addr, addr + arg).  An event whose
 * size (`estimated`) or request (rq->guessed) was estimated is counted so.
 */
static void
ph_emit(struct ph_parser *x, const struct ph_conn *cn, const struct ph_req *rq,
    uint64_t off, uint64_t len, bool estimated)
{
	struct pr_event ev;
	uint64_t first, room;

	if (!rq->get || len == 0) {
		x->c.no_body++;
		return;
	}
	first = off >> PR_PAGE_SHIFT;
	if (first > (UINT64_MAX >> PR_PAGE_SHIFT) - PH_NPAGES_MAX)
		room = UINT64_MAX - off + 1;	/* off > 0 here */
	else
		room = ((first + PH_NPAGES_MAX) << PR_PAGE_SHIFT) - off;
	if (len > room) {
		len = room;
		x->c.clipped++;
	}
	memset(&ev, 0, sizeof(ev));
	ev.kind = PR_SENDFILE;
	ev.time_ns = rq->time_ns >= x->t0 ? rq->time_ns - x->t0 : 0;
	ev.obj = rq->obj;
	ev.pindex = first;
	ev.npages = (uint32_t)(((off + len - 1) >> PR_PAGE_SHIFT) - first + 1);
	ev.addr = off;
	ev.arg = len;
	ev.tid = cn->tid;
	ev.flags = x->nocache ? PR_F_NOCACHE : 0;
	ph_hold(x, &ev);
	x->c.events++;
	if (estimated || rq->guessed)
		x->c.estimated++;
}

/*
 * The request the next response of cn answers: the oldest pending one,
 * unless requests dropped before it (ph_push) are due first.  False when
 * there is none; *dropped then says whether the response answers a
 * dropped request (else it answers nothing we saw: an orphan).
 */
static bool
ph_pop(struct ph_conn *cn, struct ph_req *rq, bool *dropped)
{
	uint64_t *gap;

	gap = cn->qlen > 0 ? &cn->q[cn->qhead].gap : &cn->qgap;
	*dropped = *gap > 0;
	if (*dropped) {
		(*gap)--;
		return (false);
	}
	if (cn->qlen == 0)
		return (false);
	*rq = cn->q[cn->qhead];
	cn->qhead = (cn->qhead + 1) % cn->qcap;
	cn->qlen--;
	return (true);
}

/*
 * Queue a request behind the pending ones of cn.  At most PH_PENDING_MAX
 * wait: a request past that (or one there is no memory for) is dropped
 * and counted, but its place in the order is kept (as a gap before the
 * next request queued), so that every later response still pairs with its
 * own request.
 */
static void
ph_push(struct ph_parser *x, struct ph_conn *cn, const struct ph_req *rq)
{
	struct ph_req *nq;
	size_t i, ncap;

	if (cn->qlen == cn->qcap) {
		ncap = cn->qcap == 0 ? 8 : cn->qcap * 2;
		nq = cn->qlen < PH_PENDING_MAX ?
		    malloc(ncap * sizeof(*nq)) : NULL;
		if (nq == NULL) {
			cn->qgap++;
			x->c.dropped_requests++;
			return;
		}
		for (i = 0; i < cn->qlen; i++)
			nq[i] = cn->q[(cn->qhead + i) % cn->qcap];
		free(cn->q);
		cn->q = nq;
		cn->qcap = ncap;
		cn->qhead = 0;
	}
	cn->q[(cn->qhead + cn->qlen) % cn->qcap] = *rq;
	cn->q[(cn->qhead + cn->qlen) % cn->qcap].gap = cn->qgap;
	cn->qgap = 0;
	cn->qlen++;
}

/* The stream of half h lost its place: skip to the next message start. */
static void
ph_desync(struct ph_half *h)
{
	h->synced = false;
	h->state = PH_HEAD;
	h->len = 0;
	h->body_left = 0;
}

/* A body that ran to the end of its stream is complete: emit it. */
static void
ph_end_eof_body(struct ph_parser *x, struct ph_conn *cn)
{
	if (!cn->eof_pending)
		return;
	cn->eof_pending = false;
	ph_emit(x, cn, &cn->eof_req, cn->eof_off, cn->eof_bytes, false);
}

/* Remember the size of object obj (a 200's body, a Content-Range total). */
static void
ph_size_put(struct ph_parser *x, uint64_t obj, uint64_t size)
{
	struct ph_size *z = &x->sizes[obj & (PH_SIZES - 1)];

	z->obj = obj;
	z->size = size;
	z->known = true;
}

/* The size of object obj, if one was seen: true and *sizep. */
static bool
ph_size_get(const struct ph_parser *x, uint64_t obj, uint64_t *sizep)
{
	const struct ph_size *z = &x->sizes[obj & (PH_SIZES - 1)];

	if (!z->known || z->obj != obj)
		return (false);
	*sizep = z->size;
	return (true);
}

/*
 * Predict the response to rq on cn whose header the capture did not keep:
 * its header length *hlp (the last one of its kind seen on cn, 0 when none
 * was) and its body [*offp, *offp + *lenp), from rq's Range header and the
 * size of its object seen earlier.  False when the body cannot be
 * predicted (*offp is then the range's start, if any).
 */
static bool
ph_predict(const struct ph_parser *x, const struct ph_conn *cn,
    const struct ph_req *rq, uint64_t *offp, uint64_t *lenp, uint64_t *hlp)
{
	uint64_t size;
	bool known;
	int k;

	k = rq->range != PH_RANGE_NONE;
	*hlp = cn->hlen[k] != 0 ? cn->hlen[k] : cn->hlen[1 - k];
	*offp = rq->range == PH_RANGE_AB || rq->range == PH_RANGE_FROM ?
	    rq->ra : 0;
	*lenp = 0;
	if (*hlp == 0 || (!rq->get && !rq->head))
		return (false);
	if (rq->head)
		return (true);
	known = ph_size_get(x, rq->obj, &size);
	switch (rq->range) {
	case PH_RANGE_NONE:
		*lenp = size;
		return (known);
	case PH_RANGE_AB:
		if (known && rq->ra >= size)
			return (false);		/* 416 */
		*lenp = (known && rq->rb >= size ? size - 1 : rq->rb) -
		    rq->ra + 1;
		return (true);
	case PH_RANGE_FROM:
		if (!known || rq->ra >= size)
			return (false);
		*lenp = size - rq->ra;
		return (true);
	case PH_RANGE_SUFFIX:
		if (!known)
			return (false);
		*lenp = rq->rb < size ? rq->rb : size;
		*offp = size - *lenp;
		return (true);
	default:
		return (false);
	}
}

/*
 * The end of a blind stretch of half h of cn (PH_BLIND): its h->blind
 * bytes held the responses to the oldest pending requests, whose headers
 * the capture did not keep (a small snap length, pipelined responses deep
 * in a large segment).  Walk the requests in order, predicting each
 * response's size (ph_predict), and make the event of each one that fits
 * in what is left of the stretch (give or take half a header), counted as
 * estimated; a GET whose size cannot be predicted takes the rest of the
 * stretch.  Stops at the first request that does not fit, and at requests
 * dropped past PH_PENDING_MAX.  The half then reads a header again.
 */
static void
ph_blind_end(struct ph_parser *x, struct ph_conn *cn, struct ph_half *h)
{
	uint64_t rem, off, len, hl;
	struct ph_req rq;
	bool dropped;

	rem = h->blind;
	h->blind = 0;
	h->state = PH_HEAD;
	h->len = 0;
	while (rem > 0 && cn->qlen > 0 && cn->q[cn->qhead].gap == 0) {
		if (ph_predict(x, cn, &cn->q[cn->qhead], &off, &len, &hl)) {
			if (len > rem || rem - len < hl / 2)
				break;
		} else if (cn->q[cn->qhead].get && hl > 0 && rem > hl)
			len = rem - hl;
		else
			break;
		(void)ph_pop(cn, &rq, &dropped);
		ph_emit(x, cn, &rq, off, len, true);
		rem = rem - len > hl ? rem - len - hl : 0;
	}
}

/* Length of the header line at p (up to '\n'), or n when unterminated. */
static size_t
line_len(const char *p, size_t n)
{
	const char *nl = memchr(p, '\n', n);

	return (nl != NULL ? (size_t)(nl - p) + 1 : n);
}

/* If line l (length n) is header `name`, its value; else NULL. */
static const char *
hdr_value(const char *l, size_t n, const char *name)
{
	size_t k;

	k = strlen(name);
	if (n <= k || strncasecmp(l, name, k) != 0 || l[k] != ':')
		return (NULL);
	for (l += k + 1; *l == ' ' || *l == '\t'; l++)
		continue;
	return (l);
}

/* A decimal number at s (up to a non-digit); false if none or overflow. */
static bool
parse_dec(const char *s, const char **endp, uint64_t *v)
{
	uint64_t r;

	if (*s < '0' || *s > '9')
		return (false);
	for (r = 0; *s >= '0' && *s <= '9'; s++) {
		if (r > UINT64_MAX / 10 ||
		    r * 10 > UINT64_MAX - (uint64_t)(*s - '0'))
			return (false);
		r = r * 10 + (uint64_t)(*s - '0');
	}
	*endp = s;
	*v = r;
	return (true);
}

/*
 * A request's Range header value v: a single range of bytes, kept in rq
 * so that the size of a response the capture did not keep can be
 * predicted (ph_predict); anything else is PH_RANGE_OTHER.
 */
static void
parse_range(const char *v, struct ph_req *rq)
{
	rq->range = PH_RANGE_OTHER;
	if (strncasecmp(v, "bytes=", 6) != 0)
		return;
	v += 6;
	if (*v == '-') {
		if (parse_dec(v + 1, &v, &rq->rb) && rq->rb > 0 &&
		    (*v == '\r' || *v == '\n'))
			rq->range = PH_RANGE_SUFFIX;
		return;
	}
	if (!parse_dec(v, &v, &rq->ra) || *v++ != '-')
		return;
	if (*v == '\r' || *v == '\n')
		rq->range = PH_RANGE_FROM;
	else if (parse_dec(v, &v, &rq->rb) && rq->rb >= rq->ra &&
	    rq->rb < UINT64_MAX && (*v == '\r' || *v == '\n'))
		rq->range = PH_RANGE_AB;
}

/*
 * Header text must be printable: a binary payload is not HTTP.  Checks the
 * n bytes at m.
 */
static bool
printable(const char *m, size_t n)
{
	size_t i;

	for (i = 0; i < n; i++) {
		unsigned char ch = (unsigned char)m[i];

		if (ch < 0x20 && ch != '\r' && ch != '\n' && ch != '\t')
			return (false);
		if (ch == 0x7f)
			return (false);
	}
	return (true);
}

/* Does p (n bytes) start like a request line: an upper-case token + ' '? */
static bool
looks_like_request(const uint8_t *p, size_t n)
{
	size_t i;

	for (i = 0; i < n && i < 16; i++) {
		if (p[i] == ' ')
			return (i > 0);
		if (p[i] < 'A' || p[i] > 'Z')
			return (false);
	}
	return (false);
}

/* Does p (n bytes) start like a status line? */
static bool
looks_like_response(const uint8_t *p, size_t n)
{
	return (n >= 7 && memcmp(p, "HTTP/1.", 7) == 0);
}

/*
 * The request line at m (ll bytes, its '\n' included) into *rq: method and
 * object.  False when it is not a request line.
 */
static bool
ph_request_line(const char *m, size_t ll, struct ph_req *rq)
{
	const char *sp1, *sp2, *path, *pe;

	sp1 = memchr(m, ' ', ll);
	sp2 = sp1 != NULL ? memchr(sp1 + 1, ' ', ll - (size_t)(sp1 + 1 - m)) :
	    NULL;
	if (sp1 == NULL || sp2 == NULL || sp1 == m || sp2 == sp1 + 1 ||
	    (size_t)(m + ll - sp2) < 9 || memcmp(sp2 + 1, "HTTP/1.", 7) != 0)
		return (false);
	rq->get = sp1 - m == 3 && memcmp(m, "GET", 3) == 0;
	rq->head = sp1 - m == 4 && memcmp(m, "HEAD", 4) == 0;
	/* Object: the path without query; an absolute URI keeps its path. */
	path = sp1 + 1;
	if (*path != '/') {
		const char *s = memchr(path, '/', (size_t)(sp2 - path));

		if (s != NULL && s + 1 < sp2 && s[1] == '/')
			s = memchr(s + 2, '/', (size_t)(sp2 - s - 2));
		path = s != NULL ? s : sp2;
	}
	for (pe = path; pe < sp2 && *pe != '?' && *pe != '#'; pe++)
		continue;
	/* FNV-1a sets bit 63 for half of all paths: anonymous memory's. */
	rq->obj = path_hash(path, (size_t)(pe - path)) & ~PR_OBJ_ANON;
	return (true);
}

/*
 * A request header m[0..n) on connection cn: queue it.  Returns false when
 * it is not a request.
 */
static bool
ph_request(struct ph_parser *x, struct ph_conn *cn, struct ph_half *h,
    const char *m, size_t n, uint64_t t)
{
	const char *l, *v, *end;
	struct ph_req rq;
	uint64_t clen;
	size_t ll;

	if (!printable(m, n))
		return (false);
	ll = line_len(m, n);
	memset(&rq, 0, sizeof(rq));
	rq.time_ns = t;
	if (!ph_request_line(m, ll, &rq))
		return (false);
	/* A request body (POST, ...) follows the header: skip it. */
	clen = 0;
	end = m + n;
	for (l = m + ll; l < end; l += ll) {
		ll = line_len(l, (size_t)(end - l));
		if ((v = hdr_value(l, ll, "Content-Length")) != NULL) {
			if (!parse_dec(v, &v, &clen))
				return (false);
		} else if ((v = hdr_value(l, ll, "Range")) != NULL)
			parse_range(v, &rq);
		else if ((v = hdr_value(l, ll, "Transfer-Encoding")) !=
		    NULL && strncasecmp(v, "identity", 8) != 0)
			return (false);	/* chunked upload: not followed */
	}
	x->c.requests++;
	ph_push(x, cn, &rq);
	if (clen > 0) {
		h->state = PH_BODY;
		h->body_left = clen;
	} else {
		cn->last_req = rq;
		cn->last_req_len = n;
	}
	return (true);
}

/*
 * A response header m[0..n) on connection cn: pair it with its request,
 * emit the sendfile event and set up the body skip.  Returns false when
 * it is not a response we can follow.
 */
static bool
ph_response(struct ph_parser *x, struct ph_conn *cn, struct ph_half *h,
    const char *m, size_t n)
{
	const char *l, *v, *end;
	uint64_t status, clen, rstart, rend, total;
	struct ph_req rq;
	bool has_clen, has_range, chunked, have_req, dropped;
	size_t ll;

	if (!printable(m, n) || n < 12 || memcmp(m, "HTTP/1.", 7) != 0 ||
	    m[8] != ' ' || !parse_dec(m + 9, &v, &status) || status < 100 ||
	    status > 999)
		return (false);
	has_clen = has_range = chunked = false;
	clen = rstart = rend = total = 0;
	end = m + n;
	for (l = m + line_len(m, n); l < end; l += ll) {
		ll = line_len(l, (size_t)(end - l));
		if ((v = hdr_value(l, ll, "Content-Length")) != NULL) {
			if (!parse_dec(v, &v, &clen))
				return (false);
			has_clen = true;
		} else if ((v = hdr_value(l, ll, "Content-Range")) != NULL) {
			/* "bytes a-b/total"; the unsatisfied form has no range */
			if (strncasecmp(v, "bytes ", 6) == 0 &&
			    parse_dec(v + 6, &v, &rstart) && *v == '-' &&
			    parse_dec(v + 1, &v, &rend) && rend >= rstart) {
				has_range = true;
				if (*v != '/' || !parse_dec(v + 1, &v, &total))
					total = 0;
			}
		} else if ((v = hdr_value(l, ll, "Transfer-Encoding")) !=
		    NULL && strncasecmp(v, "identity", 8) != 0)
			chunked = true;
	}
	if (status < 200)		/* 100 Continue: the real one follows */
		return (true);
	x->c.responses++;
	cn->hlen[status == 206] = (uint32_t)n;
	have_req = ph_pop(cn, &rq, &dropped);
	if (!have_req) {
		if (!dropped)
			x->c.orphan_responses++;
		memset(&rq, 0, sizeof(rq));	/* no event for it */
	} else if (status == 200 && has_clen && !chunked)
		ph_size_put(x, rq.obj, clen);
	else if (status == 206 && total > 0)
		ph_size_put(x, rq.obj, total);
	if (rq.head || status == 204 || status == 304) {
		if (have_req)
			x->c.no_body++;
		return (true);
	}
	if (chunked) {
		/* Not a sendfile response; we do not follow chunks. */
		if (have_req)
			x->c.no_body++;
		return (false);
	}
	if (status != 200 && status != 206)
		rq.get = false;		/* error page: no event */
	if (status != 206 || !has_range)
		rstart = 0;
	if (!has_clen) {
		/* Delimited by the end of the stream. */
		if (have_req) {
			ph_end_eof_body(x, cn);	/* one from before a hole */
			cn->eof_req = rq;
			cn->eof_off = rstart;
			cn->eof_bytes = 0;
			cn->eof_pending = true;
		}
		h->state = PH_BODY_EOF;
		return (true);
	}
	if (have_req)
		ph_emit(x, cn, &rq, rstart, clen, false);
	if (clen > 0) {
		h->state = PH_BODY;
		h->body_left = clen;
	}
	return (true);
}

/* End of the header in p[0..n), searching from `from`: its length or 0. */
static size_t
header_end(const char *p, size_t n, size_t from)
{
	size_t i;

	for (i = from; i < n; i++) {
		if (p[i] != '\n')
			continue;
		if (i + 1 < n && p[i + 1] == '\n')
			return (i + 2);
		if (i + 2 < n && p[i + 1] == '\r' && p[i + 2] == '\n')
			return (i + 3);
	}
	return (0);
}

/* One complete header on half d of cn. */
static void
ph_message(struct ph_parser *x, struct ph_conn *cn, int d, const char *m,
    size_t n, uint64_t t)
{
	struct ph_half *h = &cn->half[d];
	bool ok;

	if (cn->client < 0)
		cn->client = looks_like_response((const uint8_t *)m, n) ?
		    1 - d : d;
	if (d == cn->client)
		ok = ph_request(x, cn, h, m, n, t);
	else
		ok = ph_response(x, cn, h, m, n);
	if (!ok) {
		x->c.bad_http++;
		ph_desync(h);
	}
}

/*
 * Captured, in-order payload p[0..n) of half d at time t: parse headers,
 * skip bodies.
 */
static void
ph_feed(struct ph_parser *x, struct ph_conn *cn, int d, const uint8_t *p,
    size_t n, uint64_t t)
{
	struct ph_half *h = &cn->half[d];
	size_t e, old, k;
	bool bad;
	char *nb;

	while (n > 0 && h->synced) {
		if (h->state == PH_BODY) {
			k = n < h->body_left ? n : (size_t)h->body_left;
			p += k;
			n -= k;
			h->body_left -= k;
			if (h->body_left == 0)
				h->state = PH_HEAD;
			continue;
		}
		if (h->state == PH_BODY_EOF) {
			cn->eof_bytes += n;
			return;
		}
		if (h->state == PH_BLIND) {
			/* In step: a status line here ends the stretch. */
			if (!looks_like_response(p, n)) {
				h->blind += n;
				return;
			}
			ph_blind_end(x, cn, h);
			continue;
		}
		if (h->len == 0) {
			/* A message must start like one. */
			if (d == cn->client)
				bad = n >= 16 && !looks_like_request(p, n);
			else if (cn->client >= 0)
				bad = n >= 7 && !looks_like_response(p, n);
			else
				bad = false;
			if (bad) {
				x->c.bad_http++;
				x->c.skipped_bytes += n;
				ph_desync(h);
				return;
			}
			h->t_first = t;
			e = header_end((const char *)p, n, 0);
			if (e > 0) {
				ph_message(x, cn, d, (const char *)p, e, t);
				p += e;
				n -= e;
				continue;
			}
		}
		/* Buffer a header that spans segments. */
		old = h->len;
		k = n < PH_HDR_MAX - old ? n : PH_HDR_MAX - old;
		if (old + k > h->cap) {
			nb = realloc(h->buf, PH_HDR_MAX);
			if (nb == NULL) {
				x->c.skipped_bytes += n;
				ph_desync(h);
				return;
			}
			h->buf = nb;
			h->cap = PH_HDR_MAX;
		}
		memcpy(h->buf + old, p, k);
		h->len += k;
		e = header_end(h->buf, h->len, old > 3 ? old - 3 : 0);
		if (e > 0) {
			h->len = 0;
			ph_message(x, cn, d, h->buf, e, h->t_first);
			p += e - old;
			n -= e - old;
			continue;
		}
		if (h->len == PH_HDR_MAX) {
			x->c.bad_http++;
			x->c.skipped_bytes += n;
			ph_desync(h);
		}
		return;
	}
}

/*
 * Requests on the client's half h of cn cut off by the snap length: n
 * bytes not captured, after h->len bytes of a header.  When they make a
 * whole number of requests as long as the last one seen whole (a client
 * repeating a request, as benchmarks and pipelining scripts do), they are
 * taken as that many copies of it, with the path of the cut-off request
 * line when that was captured, queued as guessed (their events count as
 * estimated) and counted; the stream is then at a request boundary again.
 * False when they are not.
 */
static bool
ph_lost_requests(struct ph_parser *x, struct ph_conn *cn, struct ph_half *h,
    size_t n)
{
	struct ph_req rq;
	uint64_t s, k;
	size_t ll;

	s = (uint64_t)h->len + n;
	if (cn->last_req_len == 0 || s % cn->last_req_len != 0)
		return (false);
	rq = cn->last_req;
	ll = h->len > 0 ? line_len(h->buf, h->len) : 0;
	if (ll > 0 && h->buf[ll - 1] == '\n' && printable(h->buf, ll))
		(void)ph_request_line(h->buf, ll, &rq);
	rq.time_ns = h->len > 0 ? h->t_first : x->now;
	rq.guessed = true;
	for (k = s / cn->last_req_len; k > 0; k--) {
		x->c.requests++;
		x->c.estimated_requests++;
		ph_push(x, cn, &rq);
	}
	h->len = 0;
	return (true);
}

/*
 * Payload bytes of half d that the capture did not keep (snap length):
 * fine inside a body; past a response body, the responses there are
 * estimated (PH_BLIND); requests cut off may be (ph_lost_requests); a
 * loss anywhere else.
 */
static void
ph_skip(struct ph_parser *x, struct ph_conn *cn, int d, size_t n)
{
	struct ph_half *h = &cn->half[d];

	if (!h->synced || n == 0)
		return;
	if (h->state == PH_BODY && h->body_left >= n) {
		h->body_left -= n;
		if (h->body_left == 0)
			h->state = PH_HEAD;
		return;
	}
	if (h->state == PH_BODY_EOF) {
		cn->eof_bytes += n;
		return;
	}
	if (h->state == PH_BLIND) {
		h->blind += n;
		return;
	}
	x->c.truncated++;
	if (d == cn->client && h->state == PH_HEAD &&
	    ph_lost_requests(x, cn, h, n))
		return;
	if (cn->client >= 0 && d != cn->client) {
		/*
		 * A response starts in what was not kept: stay in step by
		 * sequence number, blind to where responses start, until a
		 * header shows again (ph_blind_end).
		 */
		h->blind = h->state == PH_BODY ? n - h->body_left :
		    h->len + n;
		h->state = PH_BLIND;
		h->body_left = 0;
		h->len = 0;
		return;
	}
	ph_desync(h);
}

/* Bucket of a connection key. */
static uint32_t
ph_key_hash(const struct ph_key *k)
{
	return ((uint32_t)path_hash((const char *)k, sizeof(*k)) &
	    (PH_BUCKETS - 1));
}

/* Free a connection and its buffers. */
static void
ph_conn_free(struct ph_conn *cn)
{
	int d;

	for (d = 0; d < 2; d++)
		free(cn->half[d].buf);
	free(cn->q);
	free(cn);
}

/* Flush what a connection still holds and free it. */
static void
ph_conn_end(struct ph_parser *x, struct ph_conn *cn)
{
	int d;

	ph_end_eof_body(x, cn);
	for (d = 0; d < 2; d++)
		if (cn->half[d].state == PH_BLIND)
			ph_blind_end(x, cn, &cn->half[d]);
	x->c.unanswered += cn->qlen;
	ph_conn_free(cn);
}

/* Unlink cn from its bucket, then end it (ph_conn_end). */
static void
ph_conn_remove(struct ph_parser *x, struct ph_conn *cn)
{
	struct ph_conn **pp;

	for (pp = &x->buckets[ph_key_hash(&cn->key)]; *pp != cn;
	    pp = &(*pp)->next)
		continue;
	*pp = cn->next;
	ph_conn_end(x, cn);
}

/* Find (or, if create, make) the connection of key k. */
static struct ph_conn *
ph_conn_get(struct ph_parser *x, const struct ph_key *k, bool create)
{
	struct ph_conn *cn;
	uint32_t b;

	b = ph_key_hash(k);
	for (cn = x->buckets[b]; cn != NULL; cn = cn->next)
		if (memcmp(&cn->key, k, sizeof(*k)) == 0)
			return (cn);
	if (!create || (cn = calloc(1, sizeof(*cn))) == NULL)
		return (NULL);
	cn->key = *k;
	cn->client = -1;
	cn->tid = ++x->nconns;
	cn->next = x->buckets[b];
	x->buckets[b] = cn;
	x->c.connections++;
	return (cn);
}

/* TCP flags. */
#define TH_FIN	0x01
#define TH_SYN	0x02
#define TH_RST	0x04
#define TH_ACK	0x10

/*
 * One TCP segment: endpoints, sequence number, flags, the captured payload
 * p[0..cap) of a wire payload of wlen bytes.
 */
static void
ph_segment(struct ph_parser *x, const uint8_t src[16], uint16_t sport,
    const uint8_t dst[16], uint16_t dport, uint32_t seq, uint8_t flags,
    const uint8_t *p, size_t cap, size_t wlen)
{
	struct ph_key k;
	struct ph_conn *cn;
	struct ph_half *h;
	int32_t diff;
	int cmp, d;

	cmp = memcmp(src, dst, 16);
	if (cmp == 0)
		cmp = sport < dport ? -1 : sport > dport;
	d = cmp <= 0 ? 0 : 1;
	memcpy(k.addr[d], src, 16);
	memcpy(k.addr[1 - d], dst, 16);
	k.port[d] = sport;
	k.port[1 - d] = dport;

	cn = ph_conn_get(x, &k, false);
	if ((flags & (TH_SYN | TH_ACK)) == TH_SYN) {
		/* A new connection (maybe reusing the ports of an old one). */
		if (cn != NULL && (cn->half[d].synced ||
		    cn->half[1 - d].synced) && cn->half[d].next != seq + 1) {
			ph_conn_remove(x, cn);
			cn = NULL;
		}
		if (cn == NULL && (cn = ph_conn_get(x, &k, true)) == NULL)
			return;
		cn->client = d;
	}
	if (cn == NULL) {
		if (wlen == 0)		/* a bare ACK/FIN of a stream we missed */
			return;
		if ((cn = ph_conn_get(x, &k, true)) == NULL)
			return;
	}
	h = &cn->half[d];
	if (flags & TH_SYN) {
		h->next = seq + 1;
		h->synced = true;
		h->state = PH_HEAD;
		h->len = 0;
		seq++;
		if ((flags & TH_ACK) != 0 && cn->client < 0)
			cn->client = 1 - d;
	}
	if (wlen > 0 && h->synced) {
		diff = (int32_t)(seq - h->next);
		if (diff < 0 && (int64_t)diff + (int64_t)wlen <= 0) {
			x->c.retransmits++;
			goto flags;
		}
		if (diff < 0) {		/* overlap: keep the new part */
			x->c.retransmits++;
			if ((size_t)-diff >= cap) {
				cap = 0;
			} else {
				p += -diff;
				cap -= (size_t)-diff;
			}
			wlen -= (size_t)-diff;
			seq = h->next;
		} else if (diff > 0) {
			/* A hole (lost or reordered segment): out of step. */
			x->c.out_of_order++;
			if (h->state == PH_BLIND)
				ph_blind_end(x, cn, h);
			ph_desync(h);
		}
	}
	if (wlen > 0 && !h->synced) {
		/* Pick the stream up again at a message start. */
		if ((cn->client != 1 - d && looks_like_request(p, cap)) ||
		    (cn->client != d && looks_like_response(p, cap))) {
			if (cn->client < 0)
				cn->client = looks_like_request(p, cap) ? d :
				    1 - d;
			h->synced = true;
			h->state = PH_HEAD;
			h->len = 0;
			x->c.resyncs++;
		} else {
			x->c.skipped_bytes += wlen;
			goto flags;
		}
	}
	if (wlen > 0) {
		h->next = seq + (uint32_t)wlen;
		ph_feed(x, cn, d, p, cap, x->now);
		ph_skip(x, cn, d, wlen - cap);
	}
flags:
	if (flags & TH_FIN) {
		h->fin = true;
		if (h->state == PH_BODY_EOF)
			ph_end_eof_body(x, cn);
		else if (h->state == PH_BLIND)
			ph_blind_end(x, cn, h);
	}
	if ((flags & TH_RST) || (cn->half[0].fin && cn->half[1].fin))
		ph_conn_remove(x, cn);
}

/* Decode an IPv4 or IPv6 packet at l3[0..cap) of wire length wire. */
static void
ph_ip(struct ph_parser *x, const uint8_t *l3, size_t cap, size_t wire)
{
	uint8_t src[16], dst[16];
	const uint8_t *tcp;
	size_t iphl, iplen, tcplen, thl, pcap_avail;
	uint8_t proto;

	if (cap < 1) {
		x->c.truncated++;
		return;
	}
	memset(src, 0, sizeof(src));
	memset(dst, 0, sizeof(dst));
	if ((l3[0] >> 4) == 4) {
		if (cap < 20) {
			x->c.truncated++;
			return;
		}
		iphl = (size_t)(l3[0] & 0x0f) * 4;
		iplen = (size_t)l3[2] << 8 | l3[3];
		if (iphl < 20 || iplen < iphl || iplen > wire) {
			x->c.malformed++;
			return;
		}
		if (((l3[6] & 0x3f) | l3[7]) != 0) {	/* MF or offset */
			x->c.fragments++;
			return;
		}
		proto = l3[9];
		src[10] = src[11] = dst[10] = dst[11] = 0xff;
		memcpy(src + 12, l3 + 12, 4);
		memcpy(dst + 12, l3 + 16, 4);
	} else if ((l3[0] >> 4) == 6) {
		if (cap < 40) {
			x->c.truncated++;
			return;
		}
		iphl = 40;
		iplen = 40 + ((size_t)l3[4] << 8 | l3[5]);
		if (iplen > wire) {
			x->c.malformed++;
			return;
		}
		proto = l3[6];
		/* Hop-by-hop, routing and destination options headers. */
		while (proto == 0 || proto == 43 || proto == 60) {
			if (cap < iphl + 8) {
				x->c.truncated++;
				return;
			}
			proto = l3[iphl];
			iphl += ((size_t)l3[iphl + 1] + 1) * 8;
			if (iphl > iplen) {
				x->c.malformed++;
				return;
			}
		}
		if (proto == 44) {
			x->c.fragments++;
			return;
		}
		memcpy(src, l3 + 8, 16);
		memcpy(dst, l3 + 24, 16);
	} else {
		x->c.malformed++;
		return;
	}
	if (proto != 6) {
		x->c.non_tcp++;
		return;
	}
	tcplen = iplen - iphl;
	if (tcplen < 20) {
		x->c.malformed++;
		return;
	}
	if (cap < iphl + 20) {
		x->c.truncated++;
		return;
	}
	tcp = l3 + iphl;
	thl = (size_t)(tcp[12] >> 4) * 4;
	if (thl < 20 || thl > tcplen) {
		x->c.malformed++;
		return;
	}
	if (cap < iphl + thl) {
		x->c.truncated++;
		return;
	}
	/* Captured payload: what is left of cap within the IP length. */
	pcap_avail = (cap < iplen ? cap : iplen) - iphl - thl;
	ph_segment(x, src, (uint16_t)(tcp[0] << 8 | tcp[1]), dst,
	    (uint16_t)(tcp[2] << 8 | tcp[3]),
	    (uint32_t)tcp[4] << 24 | (uint32_t)tcp[5] << 16 |
	    (uint32_t)tcp[6] << 8 | tcp[7], tcp[13], tcp + thl, pcap_avail,
	    tcplen - thl);
}

/* Link layers we decode (pcap-linktype(7)) and their header lengths. */
#define PH_ETHERTYPE_IP		0x0800
#define PH_ETHERTYPE_IPV6	0x86dd

static const struct {
	int	dlt;
	size_t	hdrlen;
} ph_links[] = {
	{ DLT_EN10MB, 14 }, { DLT_NULL, 4 }, { DLT_LOOP, 4 },
	{ DLT_LINUX_SLL, 16 }, { DLT_LINUX_SLL2, 20 },
	{ DLT_RAW, 0 }, { DLT_IPV4, 0 }, { DLT_IPV6, 0 },
};

/* Link-layer header length of link type lt, or -1 when unsupported. */
int
ph_link_hdrlen(int lt)
{
	size_t i;

	for (i = 0; i < sizeof(ph_links) / sizeof(ph_links[0]); i++)
		if (ph_links[i].dlt == lt)
			return ((int)ph_links[i].hdrlen);
	return (-1);
}

/* One packet (pcap_http.h), decoded down to IP, then ph_ip(). */
void
ph_parser_packet(struct ph_parser *x, uint64_t ts_ns, const uint8_t *pkt,
    size_t cap, size_t wire)
{
	size_t off;
	uint32_t fam;
	uint16_t et;

	x->c.packets++;
	x->now = ts_ns;
	if (x->c.packets == 1)
		x->t0 = x->now;
	if (wire < cap)
		wire = cap;
	off = (size_t)x->linkhdr;
	if (cap < off || (off == 0 && cap == 0)) {
		x->c.truncated++;
		return;
	}
	switch (x->linktype) {
	case DLT_EN10MB:
		et = (uint16_t)(pkt[12] << 8 | pkt[13]);
		while ((et == 0x8100 || et == 0x88a8) && cap >= off + 4) {
			et = (uint16_t)(pkt[off + 2] << 8 | pkt[off + 3]);
			off += 4;
		}
		break;
	case DLT_NULL:
	case DLT_LOOP:		/* an address family, host or network order */
		memcpy(&fam, pkt, 4);
		if (x->linktype == DLT_LOOP || (fam & 0xffff) == 0)
			fam = (uint32_t)pkt[0] << 24 | (uint32_t)pkt[1] << 16 |
			    (uint32_t)pkt[2] << 8 | pkt[3];
		et = fam == 2 ? PH_ETHERTYPE_IP : (fam == 10 || fam == 24 ||
		    fam == 28 || fam == 30) ? PH_ETHERTYPE_IPV6 : 0;
		break;
	case DLT_LINUX_SLL:
		et = (uint16_t)(pkt[14] << 8 | pkt[15]);
		break;
	case DLT_LINUX_SLL2:
		et = (uint16_t)(pkt[0] << 8 | pkt[1]);
		break;
	default:		/* raw IP */
		et = (pkt[0] >> 4) == 6 ? PH_ETHERTYPE_IPV6 : PH_ETHERTYPE_IP;
		break;
	}
	if (et != PH_ETHERTYPE_IP && et != PH_ETHERTYPE_IPV6) {
		x->c.non_tcp++;
		return;
	}
	if (off > wire) {
		x->c.malformed++;
		return;
	}
	ph_ip(x, pkt + off, cap - off, wire - off);
	ph_drain(x, false);
}

/* A parser for link type lt (pcap_http.h). */
struct ph_parser *
ph_parser_create(int lt, bool nocache, ph_sink_fn sink, void *arg)
{
	struct ph_parser *x;

	if (ph_link_hdrlen(lt) < 0 || (x = calloc(1, sizeof(*x))) == NULL)
		return (NULL);
	x->linktype = lt;
	x->linkhdr = ph_link_hdrlen(lt);
	x->nocache = nocache;
	x->sink = sink;
	x->sink_arg = arg;
	return (x);
}

/* End of input: every connection ends, every held event goes out. */
void
ph_parser_finish(struct ph_parser *x)
{
	struct ph_conn *cn;
	size_t b;

	for (b = 0; b < PH_BUCKETS; b++)
		while ((cn = x->buckets[b]) != NULL) {
			x->buckets[b] = cn->next;
			ph_conn_end(x, cn);
		}
	ph_drain(x, true);
}

/* The counters so far. */
const struct ph_counts *
ph_parser_counts(const struct ph_parser *x)
{
	return (&x->c);
}

/* The first error, 0 when none. */
int
ph_parser_error(const struct ph_parser *x)
{
	return (x->err);
}

/* Free x and whatever it still holds. */
void
ph_parser_destroy(struct ph_parser *x)
{
	struct ph_conn *cn;
	size_t b;

	if (x == NULL)
		return;
	for (b = 0; b < PH_BUCKETS; b++)
		while ((cn = x->buckets[b]) != NULL) {
			x->buckets[b] = cn->next;
			ph_conn_free(cn);
		}
	free(x->heap);
	free(x);
}
