/*
 * pcap_http.c - `pagereplay record --pcap FILE | --iface IF`: the libpcap
 * front end.  HTTP/1.1 traffic of a sendfile server becomes sendfile events.
 *
 * Packets (pcap or pcapng files, or a live interface with a BPF filter
 * compiled by libpcap) are decoded down to TCP; each connection's two byte
 * streams are followed in sequence order, far enough to read HTTP/1.1
 * request and response headers and to skip response bodies by their length.
 * Every request (pipelined ones queue in order) is paired with its response;
 * a GET answered 200 or 206 with a non-empty body becomes one PR_SENDFILE
 * event at the request's time, on the object of its path (a stable 64-bit
 * hash), with addr = body's byte offset in the file and arg = its length
 * (from Content-Range / Content-Length), pindex/npages the 4 KiB pages it
 * covers, tid = the connection (numbered from 1 in order of appearance).
 *
 * Bad input is counted, skipped and reported as trailer notes (pcap.*):
 * packets too short for their headers, undecodable headers, segments out
 * of order (the stream then skips to the next message start), bytes that do
 * not parse as HTTP.  Headers only are needed, so a small snap length
 * (tcpdump -s 512) is enough: missing body bytes are skipped by length.
 */
#include <err.h>
#include <errno.h>
#include <fcntl.h>
#include <getopt.h>
#include <inttypes.h>
#include <pcap/pcap.h>
#include <poll.h>
#include <signal.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <unistd.h>

#include "cli.h"
#include "commands.h"
#include "trace.h"

#define PH_HDR_MAX	65536		/* longest HTTP header we buffer */
#define PH_PENDING_MAX	4096		/* pipelined requests per connection */
#define PH_BUCKETS	4096		/* connection hash buckets (power of 2) */
#define PH_SNAPLEN	262144
#define PH_REORDER_NS	2000000000ull	/* events held to sort by time */

/* Counters, written to the trailer as "pcap.<name>" notes. */
struct ph_counts {
	uint64_t	packets;	/* packets read */
	uint64_t	non_tcp;	/* not IPv4/IPv6 TCP: skipped */
	uint64_t	fragments;	/* IP fragments: skipped */
	uint64_t	malformed;	/* headers that do not decode */
	uint64_t	truncated;	/* captured too short for what we need */
	uint64_t	retransmits;	/* segments already seen */
	uint64_t	out_of_order;	/* segments past a hole in the stream */
	uint64_t	resyncs;	/* streams picked up again at a message */
	uint64_t	skipped_bytes;	/* payload dropped while out of step */
	uint64_t	connections;
	uint64_t	requests;
	uint64_t	responses;
	uint64_t	bad_http;	/* bytes that are not an HTTP message */
	uint64_t	unanswered;	/* requests without a response */
	uint64_t	orphan_responses; /* responses without a request */
	uint64_t	no_body;	/* not a sendfile: error, HEAD, empty */
	uint64_t	events;		/* sendfile events written */
	uint64_t	late;		/* answered after PH_REORDER_NS: time
					   raised to keep the file sorted */
	uint64_t	kernel_drops;	/* live: dropped by the kernel/driver */
};

/* Where a response body ends. */
enum ph_state {
	PH_HEAD = 0,		/* reading a message header */
	PH_BODY,		/* skipping body_left bytes */
	PH_BODY_EOF		/* response body runs to the end of the stream */
};

/* One direction of a connection. */
struct ph_half {
	uint32_t	next;		/* next expected sequence number */
	bool		synced;		/* next is valid, parser in step */
	bool		fin;		/* FIN seen */
	enum ph_state	state;
	uint64_t	body_left;	/* PH_BODY: bytes still to skip */
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
	struct ph_req	eof_req;	/* PH_BODY_EOF: its request ... */
	uint64_t	eof_off;	/* ... body offset ... */
	uint64_t	eof_bytes;	/* ... and bytes so far */
	bool		eof_pending;	/* eof_* are in use */
	struct ph_conn	*next;		/* hash chain */
};

/* An event waiting in the reorder heap; seq keeps equal times in order. */
struct ph_held {
	struct pr_event	ev;
	uint64_t	seq;
};

/* The whole run; single-threaded. */
struct ph_ctx {
	pcap_t		*pcap;
	int		linktype;
	int		linkhdr;	/* its header length */
	struct pr_writer *w;
	struct pr_header hdr;
	const char	*out;
	bool		nocache;
	bool		started;	/* writer created, t0 set */
	uint64_t	t0;		/* first packet time, ns since epoch */
	uint64_t	now;		/* current packet time, ns since epoch */
	int		err;		/* first write error */
	uint32_t	nconns;		/* connections numbered so far */
	struct ph_held	*heap;		/* events by (time, seq), min first */
	size_t		nheld;		/* events in heap */
	size_t		heapcap;	/* room in heap */
	uint64_t	seq;		/* events made so far */
	uint64_t	written_ns;	/* time of the last event written */
	struct ph_conn	*buckets[PH_BUCKETS];	/* connections by key */
	struct ph_counts c;
};

static volatile sig_atomic_t ph_stop;
static pcap_t *ph_signal_pcap;

/* SIGINT/SIGTERM: end the capture cleanly (async-signal-safe). */
static void
ph_on_signal(int sig)
{
	(void)sig;
	ph_stop = 1;
	if (ph_signal_pcap != NULL)
		pcap_breakloop(ph_signal_pcap);
}

/* The help text of record --pcap/--iface. */
static void
usage(FILE *f)
{
	fprintf(f,
	    "usage: pagereplay record --pcap FILE -o OUT [--filter EXPR] "
	    "[--nocache]\n"
	    "       pagereplay record --iface IF -o OUT [--filter EXPR] "
	    "[--duration D]\n"
	    "                         [--snaplen N] [--nocache]\n"
	    "\n"
	    "Turn the HTTP/1.1 traffic of a sendfile server into sendfile "
	    "events:\n"
	    "each GET answered 200/206 is one event on the object of its path,\n"
	    "at the request's time, one thread per TCP connection.\n"
	    "\n"
	    "  --pcap FILE       read a pcap or pcapng file\n"
	    "  --iface IF        capture live on interface IF (needs root)\n"
	    "  --filter EXPR     BPF filter expression, e.g. 'tcp port 8080'\n"
	    "  --duration D      stop a live capture after D (30s, 2m, ...)\n"
	    "  --snaplen N       bytes kept per packet (default %d; headers "
	    "suffice)\n"
	    "  --nocache         flag events NOCACHE (server ran with "
	    "SF_NOCACHE)\n"
	    "  -o, --output OUT  trace file to write\n"
	    "  -h, --help        this text\n"
	    "\n"
	    "Malformed, truncated and out-of-order packets are counted and\n"
	    "skipped; `pagereplay info OUT` shows the counts (pcap.*).\n"
	    "\n"
	    "Examples:\n"
	    "  tcpdump -i lo -s 512 -w web.pcap 'tcp port 8080'\n"
	    "  pagereplay record --pcap web.pcap -o web.prt\n"
	    "  pagereplay record --iface lo --filter 'tcp port 8080' "
	    "--duration 30s -o live.prt\n",
	    PH_SNAPLEN);
}

/* FNV-1a, 64 bits: the object id of a path. */
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

/* Create the writer at the first packet, so that its start is t0. */
static int
ph_start(struct ph_ctx *x)
{
	int e;

	if (x->started)
		return (x->w != NULL ? 0 : -1);
	x->started = true;
	x->hdr.start_ns = x->t0;
	x->w = pr_writer_create(x->out, &x->hdr, &e);
	if (x->w == NULL) {
		warnx("%s: %s", x->out, pr_strerror(e));
		x->err = e;
		return (-1);
	}
	return (0);
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
 * and are written once the capture clock is PH_REORDER_NS past them (all,
 * when `all`); one answered later than that is written at the time of the
 * last event written, and counted.
 */
static void
ph_drain(struct ph_ctx *x, bool all)
{
	struct ph_held *hp = x->heap, t;
	size_t i, c;
	int e;

	while (x->nheld > 0 && (all || (x->now > x->t0 &&
	    hp[0].ev.time_ns + PH_REORDER_NS <= x->now - x->t0))) {
		e = pr_writer_write(x->w, &hp[0].ev);
		if (e != 0 && x->err == 0) {
			warnx("record: %s: %s", x->out, pr_strerror(e));
			x->err = e;
		}
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
ph_hold(struct ph_ctx *x, const struct pr_event *ev)
{
	struct ph_held *nh, t;
	size_t i;

	if (x->nheld == x->heapcap) {
		nh = realloc(x->heap, (x->heapcap == 0 ? 1024 : x->heapcap * 2) *
		    sizeof(*nh));
		if (nh == NULL) {
			warnx("record: out of memory");
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

/* Make the sendfile event of a request whose body is [off, off + len). */
static void
ph_emit(struct ph_ctx *x, const struct ph_conn *cn, const struct ph_req *rq,
    uint64_t off, uint64_t len)
{
	struct pr_event ev;

	if (!rq->get || len == 0) {
		x->c.no_body++;
		return;
	}
	if (ph_start(x) != 0)
		return;
	memset(&ev, 0, sizeof(ev));
	ev.kind = PR_SENDFILE;
	ev.time_ns = rq->time_ns >= x->t0 ? rq->time_ns - x->t0 : 0;
	ev.obj = rq->obj;
	ev.pindex = off >> PR_PAGE_SHIFT;
	ev.npages = (uint32_t)(((off + len - 1) >> PR_PAGE_SHIFT) -
	    (off >> PR_PAGE_SHIFT) + 1);
	ev.addr = off;
	ev.arg = len;
	ev.tid = cn->tid;
	ev.flags = x->nocache ? PR_F_NOCACHE : 0;
	ph_hold(x, &ev);
	x->c.events++;
}

/* Take the oldest pending request of cn; false when there is none. */
static bool
ph_pop(struct ph_conn *cn, struct ph_req *rq)
{
	if (cn->qlen == 0)
		return (false);
	*rq = cn->q[cn->qhead];
	cn->qhead = (cn->qhead + 1) % cn->qcap;
	cn->qlen--;
	return (true);
}

/*
 * Queue a request behind the pending ones of cn; past PH_PENDING_MAX the
 * oldest is dropped as unanswered.
 */
static void
ph_push(struct ph_ctx *x, struct ph_conn *cn, const struct ph_req *rq)
{
	struct ph_req *nq, old;
	size_t i, ncap;

	if (cn->qlen == PH_PENDING_MAX) {	/* never answered: drop */
		(void)ph_pop(cn, &old);
		x->c.unanswered++;
	}
	if (cn->qlen == cn->qcap) {
		ncap = cn->qcap == 0 ? 8 : cn->qcap * 2;
		nq = malloc(ncap * sizeof(*nq));
		if (nq == NULL) {
			x->c.unanswered++;
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
ph_end_eof_body(struct ph_ctx *x, struct ph_conn *cn)
{
	if (!cn->eof_pending)
		return;
	cn->eof_pending = false;
	ph_emit(x, cn, &cn->eof_req, cn->eof_off, cn->eof_bytes);
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
		if (r > (UINT64_MAX - 9) / 10)
			return (false);
		r = r * 10 + (uint64_t)(*s - '0');
	}
	*endp = s;
	*v = r;
	return (true);
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
 * A request header m[0..n) on connection cn: queue it.  Returns false when
 * it is not a request.
 */
static bool
ph_request(struct ph_ctx *x, struct ph_conn *cn, struct ph_half *h,
    const char *m, size_t n, uint64_t t)
{
	const char *sp1, *sp2, *l, *v, *end, *path, *pe;
	struct ph_req rq;
	uint64_t clen;
	size_t ll;

	if (!printable(m, n))
		return (false);
	ll = line_len(m, n);
	sp1 = memchr(m, ' ', ll);
	sp2 = sp1 != NULL ? memchr(sp1 + 1, ' ', ll - (size_t)(sp1 + 1 - m)) :
	    NULL;
	if (sp1 == NULL || sp2 == NULL || sp1 == m || sp2 == sp1 + 1 ||
	    (size_t)(m + ll - sp2) < 9 || memcmp(sp2 + 1, "HTTP/1.", 7) != 0)
		return (false);
	memset(&rq, 0, sizeof(rq));
	rq.time_ns = t;
	rq.get = sp1 - m == 3 && memcmp(m, "GET", 3) == 0;
	rq.head = sp1 - m == 4 && memcmp(m, "HEAD", 4) == 0;
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
	rq.obj = path_hash(path, (size_t)(pe - path));
	/* A request body (POST, ...) follows the header: skip it. */
	clen = 0;
	end = m + n;
	for (l = m + ll; l < end; l += ll) {
		ll = line_len(l, (size_t)(end - l));
		if ((v = hdr_value(l, ll, "Content-Length")) != NULL) {
			if (!parse_dec(v, &v, &clen))
				return (false);
		} else if ((v = hdr_value(l, ll, "Transfer-Encoding")) !=
		    NULL && strncasecmp(v, "identity", 8) != 0)
			return (false);	/* chunked upload: not followed */
	}
	x->c.requests++;
	ph_push(x, cn, &rq);
	if (clen > 0) {
		h->state = PH_BODY;
		h->body_left = clen;
	}
	return (true);
}

/*
 * A response header m[0..n) on connection cn: pair it with its request,
 * emit the sendfile event and set up the body skip.  Returns false when
 * it is not a response we can follow.
 */
static bool
ph_response(struct ph_ctx *x, struct ph_conn *cn, struct ph_half *h,
    const char *m, size_t n)
{
	const char *l, *v, *end;
	uint64_t status, clen, rstart, rend;
	struct ph_req rq;
	bool has_clen, has_range, chunked, have_req;
	size_t ll;

	if (!printable(m, n) || n < 12 || memcmp(m, "HTTP/1.", 7) != 0 ||
	    m[8] != ' ' || !parse_dec(m + 9, &v, &status) || status < 100 ||
	    status > 999)
		return (false);
	has_clen = has_range = chunked = false;
	clen = rstart = rend = 0;
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
			    parse_dec(v + 1, &v, &rend) && rend >= rstart)
				has_range = true;
		} else if ((v = hdr_value(l, ll, "Transfer-Encoding")) !=
		    NULL && strncasecmp(v, "identity", 8) != 0)
			chunked = true;
	}
	if (status < 200)		/* 100 Continue: the real one follows */
		return (true);
	x->c.responses++;
	have_req = ph_pop(cn, &rq);
	if (!have_req) {
		x->c.orphan_responses++;
		memset(&rq, 0, sizeof(rq));	/* no event for it */
	}
	if (rq.head || status == 204 || status == 304) {
		x->c.no_body++;
		return (true);
	}
	if (chunked) {
		/* Not a sendfile response; we do not follow chunks. */
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
			cn->eof_req = rq;
			cn->eof_off = rstart;
			cn->eof_bytes = 0;
			cn->eof_pending = true;
		}
		h->state = PH_BODY_EOF;
		return (true);
	}
	if (have_req)
		ph_emit(x, cn, &rq, rstart, clen);
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
ph_message(struct ph_ctx *x, struct ph_conn *cn, int d, const char *m,
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
ph_feed(struct ph_ctx *x, struct ph_conn *cn, int d, const uint8_t *p,
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
 * Payload bytes of half d that the capture did not keep (snap length):
 * fine inside a body, a loss anywhere else.
 */
static void
ph_skip(struct ph_ctx *x, struct ph_conn *cn, int d, size_t n)
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
	x->c.truncated++;
	ph_desync(h);
}

/* Bucket of a connection key. */
static uint32_t
ph_key_hash(const struct ph_key *k)
{
	return ((uint32_t)path_hash((const char *)k, sizeof(*k)) &
	    (PH_BUCKETS - 1));
}

/* Flush what a connection still holds and free it. */
static void
ph_conn_end(struct ph_ctx *x, struct ph_conn *cn)
{
	int d;

	ph_end_eof_body(x, cn);
	x->c.unanswered += cn->qlen;
	for (d = 0; d < 2; d++)
		free(cn->half[d].buf);
	free(cn->q);
	free(cn);
}

/* Unlink cn from its bucket, then end it (ph_conn_end). */
static void
ph_conn_remove(struct ph_ctx *x, struct ph_conn *cn)
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
ph_conn_get(struct ph_ctx *x, const struct ph_key *k, bool create)
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
ph_segment(struct ph_ctx *x, const uint8_t src[16], uint16_t sport,
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
	}
	if ((flags & TH_RST) || (cn->half[0].fin && cn->half[1].fin))
		ph_conn_remove(x, cn);
}

/* Decode an IPv4 or IPv6 packet at l3[0..cap) of wire length wire. */
static void
ph_ip(struct ph_ctx *x, const uint8_t *l3, size_t cap, size_t wire)
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
static int
ph_link_hdrlen(int lt)
{
	size_t i;

	for (i = 0; i < sizeof(ph_links) / sizeof(ph_links[0]); i++)
		if (ph_links[i].dlt == lt)
			return ((int)ph_links[i].hdrlen);
	return (-1);
}

/* pcap callback: one packet, decoded down to IP, then ph_ip(). */
static void
ph_packet(u_char *arg, const struct pcap_pkthdr *ph, const u_char *pkt)
{
	struct ph_ctx *x = (struct ph_ctx *)arg;
	size_t cap, wire, off;
	uint32_t fam;
	uint16_t et;

	x->c.packets++;
	x->now = (uint64_t)ph->ts.tv_sec * 1000000000u +
	    (uint64_t)ph->ts.tv_usec;	/* nanosecond precision requested */
	if (x->c.packets == 1) {
		x->t0 = x->now;
		if (ph_start(x) != 0) {
			pcap_breakloop(x->pcap);
			return;
		}
	}
	cap = ph->caplen;
	wire = ph->len >= ph->caplen ? ph->len : ph->caplen;
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
	if (cli_progress_enabled() && (x->c.packets & 0xfff) == 0)
		cli_progress("record: %" PRIu64 " packets, %" PRIu64
		    " requests, %" PRIu64 " events", x->c.packets,
		    x->c.requests, x->c.events);
}

/* Write the counters as trailer notes. */
static int
ph_notes(struct ph_ctx *x)
{
	const struct { const char *k; uint64_t v; } n[] = {
		{ "pcap.packets", x->c.packets },
		{ "pcap.non_tcp", x->c.non_tcp },
		{ "pcap.fragments", x->c.fragments },
		{ "pcap.malformed", x->c.malformed },
		{ "pcap.truncated", x->c.truncated },
		{ "pcap.retransmits", x->c.retransmits },
		{ "pcap.out_of_order", x->c.out_of_order },
		{ "pcap.resyncs", x->c.resyncs },
		{ "pcap.skipped_bytes", x->c.skipped_bytes },
		{ "pcap.connections", x->c.connections },
		{ "pcap.requests", x->c.requests },
		{ "pcap.responses", x->c.responses },
		{ "pcap.bad_http", x->c.bad_http },
		{ "pcap.unanswered", x->c.unanswered },
		{ "pcap.orphan_responses", x->c.orphan_responses },
		{ "pcap.no_body", x->c.no_body },
		{ "pcap.kernel_drops", x->c.kernel_drops },
		{ "pcap.late", x->c.late },
	};
	size_t i;
	int e;

	for (i = 0; i < sizeof(n) / sizeof(n[0]); i++)
		if ((e = pr_writer_note(x->w, n[i].k, n[i].v)) != 0)
			return (e);
	return (0);
}

/* Open the capture: a file, or a live interface; NULL after a warning. */
static pcap_t *
ph_open(const char *file, const char *iface, int snaplen)
{
	char ebuf[PCAP_ERRBUF_SIZE];
	pcap_t *p;
	int e;

	ebuf[0] = '\0';
	if (file != NULL) {
		p = pcap_open_offline_with_tstamp_precision(file,
		    PCAP_TSTAMP_PRECISION_NANO, ebuf);
		if (p == NULL)
			warnx("record: %s", ebuf);
		return (p);
	}
	p = pcap_create(iface, ebuf);
	if (p == NULL) {
		warnx("record: --iface %s: %s", iface, ebuf);
		return (NULL);
	}
	(void)pcap_set_snaplen(p, snaplen);
	(void)pcap_set_promisc(p, 0);
	(void)pcap_set_timeout(p, 100);
	(void)pcap_set_immediate_mode(p, 1);
	(void)pcap_set_buffer_size(p, 32 << 20);
	(void)pcap_set_tstamp_precision(p, PCAP_TSTAMP_PRECISION_NANO);
	e = pcap_activate(p);
	if (e < 0) {
		warnx("record: --iface %s: %s%s", iface, pcap_geterr(p),
		    e == PCAP_ERROR_PERM_DENIED ? " (needs root or "
		    "CAP_NET_RAW)" : "");
		pcap_close(p);
		return (NULL);
	}
	if (e > 0)
		warnx("record: --iface %s: %s", iface, pcap_statustostr(e));
	return (p);
}

/* Join argv into the header's command line. */
static void
ph_cmdline(char *dst, size_t size, int argc, char **argv)
{
	size_t o;
	int i, n;

	dst[0] = '\0';
	for (i = 0, o = 0; i < argc && o < size; i++) {
		n = snprintf(dst + o, size - o, "%s%s", i > 0 ? " " : "",
		    argv[i]);
		if (n < 0)
			break;
		o += (size_t)n;
	}
}

/*
 * `record --pcap FILE | --iface IF`: argv[0] is "record".  Returns 0, 1
 * (failure, or an input error after which the events read so far were
 * still written) or 2 (usage).
 */
int
cmd_record_pcap(int argc, char **argv)
{
	static const struct option opts[] = {
		{ "pcap", required_argument, NULL, 'P' },
		{ "iface", required_argument, NULL, 'i' },
		{ "filter", required_argument, NULL, 'f' },
		{ "duration", required_argument, NULL, 'd' },
		{ "snaplen", required_argument, NULL, 's' },
		{ "nocache", no_argument, NULL, 'N' },
		{ "output", required_argument, NULL, 'o' },
		{ "help", no_argument, NULL, 'h' },
		{ NULL, 0, NULL, 0 }
	};
	struct sigaction sa, oint, oterm;
	char ebuf[PCAP_ERRBUF_SIZE];
	struct bpf_program prog;
	struct pollfd pfd;
	struct pcap_stat ps;
	struct ph_ctx *x;
	struct ph_conn *cn;
	const char *file, *iface, *filter;
	uint64_t duration, deadline, v;
	int ch, e, rc, snaplen, fd;
	bool created, input_err;
	size_t b;

	file = iface = filter = NULL;
	created = false;
	duration = 0;
	snaplen = PH_SNAPLEN;
	x = calloc(1, sizeof(*x));
	if (x == NULL) {
		warnx("record: out of memory");
		return (1);
	}
	optind = 0;
	opterr = 1;
	rc = 1;
	while ((ch = getopt_long(argc, argv, "o:h", opts, NULL)) != -1) {
		switch (ch) {
		case 'P':
			file = optarg;
			break;
		case 'i':
			iface = optarg;
			break;
		case 'f':
			filter = optarg;
			break;
		case 'd':
			if (cli_parse_duration(optarg, &duration) != 0 ||
			    duration == 0) {
				warnx("record: --duration %s: expected a "
				    "duration such as 30s or 2m", optarg);
				rc = EXIT_USAGE;
				goto out;
			}
			break;
		case 's':
			if (cli_parse_u64(optarg, 64, PH_SNAPLEN, &v) != 0) {
				warnx("record: --snaplen %s: expected 64..%d",
				    optarg, PH_SNAPLEN);
				rc = EXIT_USAGE;
				goto out;
			}
			snaplen = (int)v;
			break;
		case 'N':
			x->nocache = true;
			break;
		case 'o':
			x->out = optarg;
			break;
		case 'h':
			usage(stdout);
			rc = 0;
			goto out;
		default:
			usage(stderr);
			rc = EXIT_USAGE;
			goto out;
		}
	}
	rc = EXIT_USAGE;
	if (optind != argc) {
		warnx("record: unexpected argument '%s' (a command to run "
		    "goes with eBPF recording, not --pcap/--iface)",
		    argv[optind]);
		goto out;
	}
	if ((file == NULL) == (iface == NULL)) {
		warnx("record: give exactly one of --pcap FILE and --iface IF");
		goto out;
	}
	if (x->out == NULL) {
		warnx("record: -o OUT is required");
		goto out;
	}
	if (file != NULL && duration != 0) {
		warnx("record: --duration applies to --iface only");
		goto out;
	}
	/*
	 * Fail on an unwritable output now, not after the capture; a file
	 * made only for this check goes away if the capture cannot start.
	 */
	fd = open(x->out, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0644);
	created = fd >= 0;
	if (fd < 0 && errno == EEXIST)
		fd = open(x->out, O_WRONLY | O_CLOEXEC);
	if (fd < 0) {
		warn("record: %s", x->out);
		rc = 1;
		goto out;
	}
	close(fd);

	rc = 1;
	x->pcap = ph_open(file, iface, snaplen);
	if (x->pcap == NULL)
		goto out;
	x->linktype = pcap_datalink(x->pcap);
	x->linkhdr = ph_link_hdrlen(x->linktype);
	if (x->linkhdr < 0) {
		warnx("record: link type %s (%d) is not supported",
		    pcap_datalink_val_to_name(x->linktype) != NULL ?
		    pcap_datalink_val_to_name(x->linktype) : "?",
		    x->linktype);
		goto close;
	}
	if (filter != NULL) {
		if (pcap_compile(x->pcap, &prog, filter, 1,
		    PCAP_NETMASK_UNKNOWN) != 0) {
			warnx("record: --filter '%s': %s", filter,
			    pcap_geterr(x->pcap));
			rc = EXIT_USAGE;
			goto close;
		}
		e = pcap_setfilter(x->pcap, &prog);
		pcap_freecode(&prog);
		if (e != 0) {
			warnx("record: --filter: %s", pcap_geterr(x->pcap));
			goto close;
		}
	}
	pfd.fd = -1;
	pfd.events = POLLIN;
	if (iface != NULL) {
		pfd.fd = pcap_get_selectable_fd(x->pcap);
		if (pfd.fd < 0 || pcap_setnonblock(x->pcap, 1, ebuf) != 0) {
			warnx("record: --iface %s: cannot poll the capture",
			    iface);
			goto close;
		}
	}
	pr_header_init(&x->hdr, PR_SRC_PCAP);
	snprintf(x->hdr.clock, sizeof(x->hdr.clock), "pcap");
	ph_cmdline(x->hdr.cmdline, sizeof(x->hdr.cmdline), argc, argv);
	x->t0 = x->hdr.start_ns;

	ph_stop = 0;
	ph_signal_pcap = x->pcap;
	memset(&sa, 0, sizeof(sa));
	sa.sa_handler = ph_on_signal;
	sigemptyset(&sa.sa_mask);
	sigaction(SIGINT, &sa, &oint);
	sigaction(SIGTERM, &sa, &oterm);
	deadline = duration != 0 ? cli_now_ns() + duration : 0;
	if (iface != NULL) {
		/* Like tcpdump's: scripts wait for it before making traffic. */
		fprintf(stderr, "record: listening on %s%s%s%s\n", iface,
		    filter != NULL ? ", filter '" : "",
		    filter != NULL ? filter : "", filter != NULL ? "'" : "");
		fflush(stderr);
	}
	input_err = false;
	while (!ph_stop && x->err == 0) {
		/*
		 * Live: wait at most 100 ms (immediate mode would block in
		 * pcap_dispatch), so that --duration ends on time.
		 */
		if (pfd.fd >= 0 && poll(&pfd, 1, 100) < 0 && errno != EINTR) {
			warn("record: poll");
			input_err = true;
			break;
		}
		e = pcap_dispatch(x->pcap, -1, ph_packet, (u_char *)x);
		if (e == PCAP_ERROR) {
			/* Keep what was read before the damage. */
			warnx("record: %s after %" PRIu64 " packets: %s",
			    file != NULL ? file : iface, x->c.packets,
			    pcap_geterr(x->pcap));
			input_err = true;
			break;
		}
		if (file != NULL && e == 0)	/* end of file */
			break;
		if (deadline != 0 && cli_now_ns() >= deadline)
			break;
	}
	sigaction(SIGINT, &oint, NULL);
	sigaction(SIGTERM, &oterm, NULL);
	ph_signal_pcap = NULL;
	cli_progress_done();
	if (iface != NULL && pcap_stats(x->pcap, &ps) == 0)
		x->c.kernel_drops = (uint64_t)ps.ps_drop + ps.ps_ifdrop;

	/* Connections still open: their pending work ends here. */
	for (b = 0; b < PH_BUCKETS; b++)
		while ((cn = x->buckets[b]) != NULL) {
			x->buckets[b] = cn->next;
			ph_conn_end(x, cn);
		}
	if (ph_start(x) != 0)
		goto close;
	ph_drain(x, true);
	if (x->err == 0) {
		if ((e = ph_notes(x)) != 0) {
			warnx("record: %s: %s", x->out, pr_strerror(e));
			x->err = e;
		}
	}
	e = pr_writer_close(x->w);
	x->w = NULL;
	if (e != 0 && x->err == 0) {
		warnx("record: %s: %s", x->out, pr_strerror(e));
		x->err = e;
	}
	if (x->err == 0) {
		printf("record: %s: %" PRIu64 " packets, %" PRIu64
		    " connections, %" PRIu64 " requests, %" PRIu64
		    " sendfile events\n", x->out, x->c.packets,
		    x->c.connections, x->c.requests, x->c.events);
		if (x->c.malformed + x->c.truncated + x->c.out_of_order +
		    x->c.bad_http + x->c.kernel_drops > 0)
			printf("record: skipped: %" PRIu64 " malformed, %"
			    PRIu64 " truncated, %" PRIu64 " out of order, %"
			    PRIu64 " not HTTP, %" PRIu64 " dropped by the "
			    "kernel\n", x->c.malformed, x->c.truncated,
			    x->c.out_of_order, x->c.bad_http,
			    x->c.kernel_drops);
		rc = input_err ? 1 : 0;
	}
close:
	pcap_close(x->pcap);
out:
	if (created && !x->started)
		(void)unlink(x->out);
	free(x->heap);
	free(x);
	return (rc);
}
