/*
 * test_pcap_http.c - `record --pcap` on captures this test writes itself:
 * crafted Ethernet/IPv4/TCP packets saved with libpcap's dump API (and one
 * pcapng file written block by block), clean and damaged.  Each case runs
 * the command in-process and reads the trace back: the sendfile events and
 * the pcap.* trailer counts must be exactly what the packets imply.
 */
#include <errno.h>
#include <inttypes.h>
#include <pcap/pcap.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <cmocka.h>

#include "commands.h"
#include "trace.h"

#define MSS	1448

static char	tmpdir[256] = "/tmp/pr-pcap-XXXXXX";
static bool	keep;		/* $PR_PCAP_CORPUS: leave the files there */

/* A capture being written: pcap dumper, or our own pcapng blocks. */
struct cap {
	pcap_t		*dead;
	pcap_dumper_t	*dump;
	FILE		*ng;		/* pcapng when non-NULL */
	uint64_t	usec;		/* clock of the next packet */
	size_t		snap;		/* payload bytes kept per packet */
};

/* One TCP connection on 10.0.0.1:cport -> 10.0.0.2:80. */
struct flow {
	struct cap	*cap;
	uint16_t	cport;
	uint32_t	cseq;		/* client's next sequence number */
	uint32_t	sseq;		/* server's */
};

/* A path in the test's temporary directory (4 rotating buffers). */
static char *
tpath(const char *name)
{
	static char buf[4][512];
	static int i;

	i = (i + 1) % 4;
	snprintf(buf[i], sizeof(buf[i]), "%s/%s", tmpdir, name);
	return (buf[i]);
}

/* Start a capture file: pcap through libpcap, or pcapng by hand. */
static void
cap_open(struct cap *c, const char *path, bool pcapng)
{
	static const uint8_t shb[28] = {
		0x0a, 0x0d, 0x0d, 0x0a, 28, 0, 0, 0,	/* type, length */
		0x4d, 0x3c, 0x2b, 0x1a, 1, 0, 0, 0,	/* magic, v1.0 */
		0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff,
		28, 0, 0, 0
	};
	static const uint8_t idb[20] = {
		1, 0, 0, 0, 20, 0, 0, 0,		/* IDB, length */
		1, 0, 0, 0,				/* EN10MB, reserved */
		0xff, 0xff, 0, 0,			/* snaplen 65535 */
		20, 0, 0, 0
	};

	memset(c, 0, sizeof(*c));
	c->usec = 1700000000ull * 1000000;
	c->snap = SIZE_MAX;
	if (pcapng) {
		c->ng = fopen(path, "wb");
		assert_non_null(c->ng);
		assert_int_equal(fwrite(shb, 1, sizeof(shb), c->ng),
		    sizeof(shb));
		assert_int_equal(fwrite(idb, 1, sizeof(idb), c->ng),
		    sizeof(idb));
		return;
	}
	c->dead = pcap_open_dead(DLT_EN10MB, 65535);
	assert_non_null(c->dead);
	c->dump = pcap_dump_open(c->dead, path);
	assert_non_null(c->dump);
}

/* Finish a capture file. */
static void
cap_close(struct cap *c)
{
	if (c->ng != NULL) {
		assert_int_equal(fclose(c->ng), 0);
		return;
	}
	pcap_dump_close(c->dump);
	pcap_close(c->dead);
}

/* Save a frame of wire length len, of which caplen bytes are kept. */
static void
cap_frame(struct cap *c, const uint8_t *frame, size_t caplen, size_t len)
{
	struct pcap_pkthdr ph;

	c->usec += 100;
	if (c->ng != NULL) {
		uint8_t hdr[28], pad[4] = { 0 };
		uint32_t v, padded = (uint32_t)(caplen + 3) & ~3u;

		v = 6;				/* enhanced packet block */
		memcpy(hdr, &v, 4);
		v = 32 + padded;
		memcpy(hdr + 4, &v, 4);
		v = 0;				/* interface 0 */
		memcpy(hdr + 8, &v, 4);
		v = (uint32_t)(c->usec >> 32);
		memcpy(hdr + 12, &v, 4);
		v = (uint32_t)c->usec;
		memcpy(hdr + 16, &v, 4);
		v = (uint32_t)caplen;
		memcpy(hdr + 20, &v, 4);
		v = (uint32_t)len;
		memcpy(hdr + 24, &v, 4);
		fwrite(hdr, 1, sizeof(hdr), c->ng);
		fwrite(frame, 1, caplen, c->ng);
		fwrite(pad, 1, padded - caplen, c->ng);
		v = 32 + padded;
		fwrite(&v, 1, 4, c->ng);
		return;
	}
	ph.ts.tv_sec = (time_t)(c->usec / 1000000);
	ph.ts.tv_usec = (suseconds_t)(c->usec % 1000000);
	ph.caplen = (bpf_u_int32)caplen;
	ph.len = (bpf_u_int32)len;
	pcap_dump((u_char *)c->dump, &ph, frame);
}

#define TH_FIN	0x01
#define TH_SYN	0x02
#define TH_RST	0x04
#define TH_PSH	0x08
#define TH_ACK	0x10

/*
 * Build and save Ethernet + IPv4 + TCP with payload p[0..n); the capture
 * keeps at most c->snap payload bytes.
 */
static void
cap_tcp(struct cap *c, bool from_client, uint16_t cport, uint32_t seq,
    uint8_t flags, const void *p, size_t n)
{
	static uint8_t f[14 + 20 + 20 + 65536];
	uint8_t *ip = f + 14, *tcp = f + 34;
	size_t iplen = 40 + n, keep;

	memset(f, 0, 54);
	f[12] = 0x08;				/* IPv4 */
	ip[0] = 0x45;
	ip[2] = (uint8_t)(iplen >> 8);
	ip[3] = (uint8_t)iplen;
	ip[8] = 64;
	ip[9] = 6;
	ip[12] = 10; ip[15] = from_client ? 1 : 2;
	ip[16] = 10; ip[19] = from_client ? 2 : 1;
	tcp[0] = (uint8_t)((from_client ? cport : 80) >> 8);
	tcp[1] = (uint8_t)(from_client ? cport : 80);
	tcp[2] = (uint8_t)((from_client ? 80 : cport) >> 8);
	tcp[3] = (uint8_t)(from_client ? 80 : cport);
	tcp[4] = (uint8_t)(seq >> 24);
	tcp[5] = (uint8_t)(seq >> 16);
	tcp[6] = (uint8_t)(seq >> 8);
	tcp[7] = (uint8_t)seq;
	tcp[12] = 5 << 4;
	tcp[13] = flags;
	if (n > 0)
		memcpy(f + 54, p, n);
	keep = n < c->snap ? n : c->snap;
	cap_frame(c, f, 54 + keep, 54 + n);
}

/* Three-way handshake of a new connection from client port cport. */
static void
flow_open(struct flow *fl, struct cap *c, uint16_t cport)
{
	fl->cap = c;
	fl->cport = cport;
	fl->cseq = 1000u * cport;
	fl->sseq = 0xfffff000u;		/* wraps: sequence arithmetic */
	cap_tcp(c, true, cport, fl->cseq++, TH_SYN, NULL, 0);
	cap_tcp(c, false, cport, fl->sseq++, TH_SYN | TH_ACK, NULL, 0);
	cap_tcp(c, true, cport, fl->cseq, TH_ACK, NULL, 0);
}

/* The client sends s in one segment. */
static void
flow_client(struct flow *fl, const char *s)
{
	size_t n = strlen(s);

	cap_tcp(fl->cap, true, fl->cport, fl->cseq, TH_ACK | TH_PSH, s, n);
	fl->cseq += (uint32_t)n;
}

/* The server sends p[0..n) in segments of at most seg bytes. */
static void
flow_server_bytes(struct flow *fl, const uint8_t *p, size_t n, size_t seg)
{
	size_t off, k;

	for (off = 0; off < n; off += k) {
		k = n - off < seg ? n - off : seg;
		cap_tcp(fl->cap, false, fl->cport, fl->sseq, TH_ACK, p + off,
		    k);
		fl->sseq += (uint32_t)k;
	}
}

/* Append header h and body bytes of 'x' to buf at *np. */
static void
append_response(uint8_t *buf, size_t *np, const char *h, size_t body)
{
	size_t n = strlen(h);

	memcpy(buf + *np, h, n);
	memset(buf + *np + n, 'x', body);
	*np += n + body;
}

/* Server sends header h then body bytes of 'x', in MSS segments. */
static void
flow_server(struct flow *fl, const char *h, size_t body)
{
	static uint8_t buf[1 << 20];
	size_t n = 0;

	append_response(buf, &n, h, body);
	flow_server_bytes(fl, buf, n, MSS);
}

/* Both sides send FIN. */
static void
flow_close(struct flow *fl)
{
	cap_tcp(fl->cap, true, fl->cport, fl->cseq++, TH_FIN | TH_ACK, NULL, 0);
	cap_tcp(fl->cap, false, fl->cport, fl->sseq++, TH_FIN | TH_ACK, NULL,
	    0);
}

/* Run `record ARGS...` in-process; returns its exit status. */
static int
record(const char *first, ...)
{
	char *argv[16];
	const char *a;
	va_list ap;
	int argc;

	argv[0] = (char *)"record";
	argc = 1;
	va_start(ap, first);
	for (a = first; a != NULL && argc < 15; a = va_arg(ap, const char *))
		argv[argc++] = (char *)a;
	va_end(ap);
	argv[argc] = NULL;
	return (cmd_record_pcap(argc, argv));
}

/* The decoded trace. */
struct trace {
	struct pr_event	ev[64];
	size_t		n;
	uint32_t	source;
};

/* Read every event of a trace (at most 63) into t. */
static void
trace_read(const char *path, struct trace *t)
{
	struct pr_reader *r;
	int e;

	r = pr_reader_open(path, &e);
	assert_non_null(r);
	t->source = pr_reader_header(r)->source;
	t->n = 0;
	while ((e = pr_reader_next(r, &t->ev[t->n])) == 1) {
		assert_true(t->n < 63);
		t->n++;
	}
	assert_int_equal(e, 0);
	pr_reader_close(r);
}

/* The value of trailer note key; fails the test when it is missing. */
static uint64_t
note(const char *path, const char *key)
{
	struct pr_reader *r;
	const char *k;
	uint64_t v;
	size_t i;
	int e;

	r = pr_reader_open(path, &e);
	assert_non_null(r);
	for (i = 0; pr_reader_note(r, i, &k, &v); i++)
		if (strcmp(k, key) == 0) {
			pr_reader_close(r);
			return (v);
		}
	pr_reader_close(r);
	fail_msg("note %s missing", key);
	return (0);
}

/* FNV-1a, 64 bits, of a path. */
static uint64_t
fnv1a(const char *path)
{
	uint64_t h = 0xcbf29ce484222325ull;

	for (; *path != '\0'; path++) {
		h ^= (uint8_t)*path;
		h *= 0x100000001b3ull;
	}
	return (h);
}

/* The object id the front end gives a path: a file's, never PR_OBJ_ANON. */
static uint64_t
obj_of(const char *path)
{
	return (fnv1a(path) & ~PR_OBJ_ANON);
}

/* ev is the sendfile of [off, off + len) of path on connection tid. */
static void
check_event(const struct pr_event *ev, const char *path, uint64_t off,
    uint64_t len, uint32_t tid, uint8_t flags)
{
	assert_int_equal(ev->kind, PR_SENDFILE);
	assert_true(ev->obj == obj_of(path));
	assert_int_equal(ev->addr, off);
	assert_int_equal(ev->arg, len);
	assert_int_equal(ev->pindex, off / 4096);
	assert_int_equal(ev->npages, (off + len - 1) / 4096 - off / 4096 + 1);
	assert_int_equal(ev->tid, tid);
	assert_int_equal(ev->flags, flags);
}

/*
 * The clean conversation: connection 1 pipelines GET /a, GET /b with a
 * range, HEAD /a, GET /missing; connection 2 sends GET /a?q split over two
 * segments and its response header arrives in two pieces.
 */
static void
write_clean(const char *path, bool pcapng, size_t snap)
{
	struct flow f1, f2;
	struct cap c;

	cap_open(&c, path, pcapng);
	c.snap = snap;
	flow_open(&f1, &c, 40001);
	flow_client(&f1, "GET /a HTTP/1.1\r\nHost: t\r\n\r\n"
	    "GET /b HTTP/1.1\r\nHost: t\r\nRange: bytes=4096-8191\r\n\r\n");
	flow_server(&f1, "HTTP/1.1 200 OK\r\nContent-Length: 10000\r\n\r\n",
	    10000);
	flow_server(&f1, "HTTP/1.1 206 Partial Content\r\n"
	    "Content-Range: bytes 4096-8191/20000\r\n"
	    "Content-Length: 4096\r\n\r\n", 4096);
	flow_client(&f1, "HEAD /a HTTP/1.1\r\n\r\n");
	flow_server(&f1, "HTTP/1.1 200 OK\r\nContent-Length: 10000\r\n\r\n",
	    0);
	flow_client(&f1, "GET /missing HTTP/1.1\r\n\r\n");
	flow_server(&f1, "HTTP/1.1 404 Not Found\r\nContent-Length: 10\r\n"
	    "\r\n", 10);
	flow_open(&f2, &c, 40002);
	flow_client(&f2, "GET /a?q=1 HTTP/1.1\r\nHo");
	flow_client(&f2, "st: t\r\n\r\n");
	flow_server(&f2, "HTTP/1.1 200 OK\r\nContent-Le", 0);
	flow_server(&f2, "ngth: 10000\r\n\r\n", 10000);
	flow_close(&f1);
	flow_close(&f2);
	cap_close(&c);
}

/* The events and counts write_clean's conversation must give. */
static void
check_clean(const char *out, uint8_t flags)
{
	struct trace t;

	trace_read(out, &t);
	assert_int_equal(t.source, PR_SRC_PCAP);
	assert_int_equal(t.n, 3);
	check_event(&t.ev[0], "/a", 0, 10000, 1, flags);
	check_event(&t.ev[1], "/b", 4096, 4096, 1, flags);
	check_event(&t.ev[2], "/a", 0, 10000, 2, flags);
	/* Pipelined: both requests have the time of their segment. */
	assert_true(t.ev[0].time_ns == t.ev[1].time_ns);
	assert_true(t.ev[2].time_ns > t.ev[1].time_ns);
	assert_int_equal(note(out, "pcap.connections"), 2);
	assert_int_equal(note(out, "pcap.requests"), 5);
	assert_int_equal(note(out, "pcap.responses"), 5);
	assert_int_equal(note(out, "pcap.no_body"), 2);
	assert_int_equal(note(out, "pcap.unanswered"), 0);
	assert_int_equal(note(out, "pcap.malformed"), 0);
	assert_int_equal(note(out, "pcap.out_of_order"), 0);
	assert_int_equal(note(out, "pcap.bad_http"), 0);
}

/* The clean conversation, full packets, pcap. */
static void
test_clean_pcap(void **state)
{
	(void)state;
	write_clean(tpath("clean.pcap"), false, SIZE_MAX);
	assert_int_equal(record("--pcap", tpath("clean.pcap"), "-o",
	    tpath("clean.prt"), NULL), 0);
	check_clean(tpath("clean.prt"), 0);
	assert_int_equal(note(tpath("clean.prt"), "pcap.truncated"), 0);
}

/* The same as pcapng, with --nocache setting the flag. */
static void
test_pcapng_nocache(void **state)
{
	(void)state;
	write_clean(tpath("clean.pcapng"), true, SIZE_MAX);
	assert_int_equal(record("--pcap", tpath("clean.pcapng"), "--nocache",
	    "-o", tpath("ng.prt"), NULL), 0);
	check_clean(tpath("ng.prt"), PR_F_NOCACHE);
}

/* Headers only (like tcpdump -s 512): bodies are skipped by length. */
static void
test_short_snaplen(void **state)
{
	(void)state;
	write_clean(tpath("snap.pcap"), false, 200);
	assert_int_equal(record("--pcap", tpath("snap.pcap"), "-o",
	    tpath("snap.prt"), NULL), 0);
	check_clean(tpath("snap.prt"), 0);
	assert_int_equal(note(tpath("snap.prt"), "pcap.truncated"), 0);
}

/* --filter keeps connection 2 only; it becomes thread 1. */
static void
test_filter(void **state)
{
	struct trace t;

	(void)state;
	write_clean(tpath("f.pcap"), false, SIZE_MAX);
	assert_int_equal(record("--pcap", tpath("f.pcap"), "--filter",
	    "tcp port 40002", "-o", tpath("f.prt"), NULL), 0);
	trace_read(tpath("f.prt"), &t);
	assert_int_equal(t.n, 1);
	check_event(&t.ev[0], "/a", 0, 10000, 1, 0);
	assert_int_equal(note(tpath("f.prt"), "pcap.connections"), 1);
}

/*
 * Events carry their request's time, but responses may come back in
 * another order across connections: the trace is still sorted by time.
 */
static void
test_time_order(void **state)
{
	struct flow f1, f2;
	struct trace t;
	struct cap c;

	(void)state;
	cap_open(&c, tpath("order.pcap"), false);
	flow_open(&f1, &c, 40001);
	flow_open(&f2, &c, 40002);
	flow_client(&f1, "GET /slow HTTP/1.1\r\n\r\n");	/* frame 7 */
	flow_client(&f2, "GET /fast HTTP/1.1\r\n\r\n");	/* frame 8 */
	flow_server(&f2, "HTTP/1.1 200 OK\r\nContent-Length: 10\r\n\r\n",
	    10);
	flow_server(&f1, "HTTP/1.1 200 OK\r\nContent-Length: 10\r\n\r\n",
	    10);
	cap_close(&c);
	assert_int_equal(record("--pcap", tpath("order.pcap"), "-o",
	    tpath("order.prt"), NULL), 0);
	trace_read(tpath("order.prt"), &t);
	assert_int_equal(t.n, 2);
	check_event(&t.ev[0], "/slow", 0, 10, 1, 0);
	check_event(&t.ev[1], "/fast", 0, 10, 2, 0);
	/* Frames are 100 us apart; time counts from the first one. */
	assert_int_equal(t.ev[0].time_ns, 600000);
	assert_int_equal(t.ev[1].time_ns, 700000);
	assert_int_equal(note(tpath("order.prt"), "pcap.late"), 0);
}

/*
 * A damaged capture: a frame cut inside its IP header, an IP header that
 * claims more bytes than the frame holds, a bad IP version, a UDP packet,
 * garbage where a request should start, a lost body segment, a
 * retransmission.  Good requests around the damage still become events.
 */
static void
test_damaged(void **state)
{
	static const uint8_t junk[64] = { 0x16, 0x03, 0x01, 0x02, 0x00, 0x01 };
	uint8_t frame[80];
	struct flow f1, f2;
	struct trace t;
	struct cap c;

	(void)state;
	cap_open(&c, tpath("bad.pcap"), false);
	flow_open(&f1, &c, 40001);
	/* Cut frame: Ethernet + 10 bytes of IPv4 header. */
	memset(frame, 0, sizeof(frame));
	frame[12] = 0x08;
	frame[14] = 0x45;
	cap_frame(&c, frame, 24, 24);
	/* Total length 1000 in a 60-byte frame. */
	frame[16] = 0x03;
	frame[17] = 0xe8;
	frame[23] = 6;
	cap_frame(&c, frame, 60, 60);
	/* IP version 7. */
	frame[14] = 0x75;
	cap_frame(&c, frame, 60, 60);
	/* UDP. */
	frame[14] = 0x45;
	frame[16] = 0;
	frame[17] = 40;
	frame[23] = 17;
	cap_frame(&c, frame, 60, 60);
	/* Garbage payload (a TLS hello) instead of a request ... */
	cap_tcp(&c, true, f1.cport, f1.cseq, TH_ACK, junk, sizeof(junk));
	f1.cseq += sizeof(junk);
	/* ... then a good request, picked up again. */
	flow_client(&f1, "GET /c HTTP/1.1\r\n\r\n");
	flow_server(&f1, "HTTP/1.1 200 OK\r\nContent-Length: 5000\r\n\r\n",
	    5000);
	/* A request whose response loses a segment of its body. */
	flow_client(&f1, "GET /d HTTP/1.1\r\n\r\n");
	flow_server(&f1, "HTTP/1.1 200 OK\r\nContent-Length: 3000\r\n\r\n",
	    0);
	f1.sseq += 3000 - MSS;		/* the hole */
	cap_tcp(&c, false, f1.cport, f1.sseq, TH_ACK, "xxxxxxxxxx", 10);
	f1.sseq += 10;
	/* A retransmitted request: counted once. */
	flow_client(&f1, "GET /e HTTP/1.1\r\n\r\n");
	cap_tcp(&c, true, f1.cport, f1.cseq - 19, TH_ACK,
	    "GET /e HTTP/1.1\r\n\r\n", 19);
	flow_server(&f1, "HTTP/1.1 200 OK\r\nContent-Length: 8192\r\n\r\n",
	    8192);
	/* A second connection whose request never gets an answer. */
	flow_open(&f2, &c, 40002);
	flow_client(&f2, "GET /f HTTP/1.1\r\n\r\n");
	cap_close(&c);

	assert_int_equal(record("--pcap", tpath("bad.pcap"), "-o",
	    tpath("bad.prt"), NULL), 0);
	trace_read(tpath("bad.prt"), &t);
	/*
	 * /c is whole.  /d's header was seen, so its event is there; the
	 * hole then puts the server stream out of step until /e's response.
	 */
	assert_int_equal(t.n, 3);
	check_event(&t.ev[0], "/c", 0, 5000, 1, 0);
	check_event(&t.ev[1], "/d", 0, 3000, 1, 0);
	check_event(&t.ev[2], "/e", 0, 8192, 1, 0);
	assert_int_equal(note(tpath("bad.prt"), "pcap.truncated"), 1);
	assert_int_equal(note(tpath("bad.prt"), "pcap.malformed"), 2);
	assert_int_equal(note(tpath("bad.prt"), "pcap.non_tcp"), 1);
	assert_int_equal(note(tpath("bad.prt"), "pcap.bad_http"), 1);
	assert_int_equal(note(tpath("bad.prt"), "pcap.out_of_order"), 1);
	assert_int_equal(note(tpath("bad.prt"), "pcap.retransmits"), 1);
	assert_int_equal(note(tpath("bad.prt"), "pcap.requests"), 4);
	assert_int_equal(note(tpath("bad.prt"), "pcap.unanswered"), 1);
	assert_int_equal(note(tpath("bad.prt"), "pcap.resyncs"), 2);
}

/*
 * Random damage over a clean capture's packet bytes (headers and payload,
 * not the record lengths): the command must neither crash nor leak, and
 * must always leave a readable trace.
 */
static void
test_mutations(void **state)
{
	struct trace t;
	uint8_t *buf;
	FILE *f;
	long sz;
	size_t off, i;
	int round, rc;
	uint32_t caplen;

	(void)state;
	write_clean(tpath("m.pcap"), false, SIZE_MAX);
	f = fopen(tpath("m.pcap"), "rb");
	assert_non_null(f);
	fseek(f, 0, SEEK_END);
	sz = ftell(f);
	rewind(f);
	buf = malloc((size_t)sz);
	assert_non_null(buf);
	assert_int_equal(fread(buf, 1, (size_t)sz, f), (size_t)sz);
	fclose(f);
	srandom(7);
	for (round = 0; round < 150; round++) {
		uint8_t *m = malloc((size_t)sz);

		assert_non_null(m);
		memcpy(m, buf, (size_t)sz);
		/* Walk the records; damage some packets' bytes. */
		for (off = 24; off + 16 <= (size_t)sz; off += 16 + caplen) {
			memcpy(&caplen, m + off + 8, 4);
			if (random() % 4 != 0)
				continue;
			for (i = 0; i < 1 + (size_t)random() % 8; i++)
				m[off + 16 + (size_t)random() % caplen] =
				    (uint8_t)random();
		}
		f = fopen(tpath("mut.pcap"), "wb");
		assert_non_null(f);
		fwrite(m, 1, (size_t)sz, f);
		fclose(f);
		free(m);
		rc = record("--pcap", tpath("mut.pcap"), "-o",
		    tpath("mut.prt"), NULL);
		assert_int_equal(rc, 0);
		trace_read(tpath("mut.prt"), &t);
		for (i = 0; i < t.n; i++) {
			const struct pr_event *ev = &t.ev[i];

			assert_int_equal(ev->kind, PR_SENDFILE);
			assert_true(ev->arg > 0);
			assert_int_equal(ev->npages, (ev->addr + ev->arg - 1) /
			    4096 - ev->addr / 4096 + 1);
		}
	}
	free(buf);
}

/* Bad options and inputs: one-line errors and exit status 1 or 2. */
static void
test_usage(void **state)
{
	FILE *f;

	(void)state;
	write_clean(tpath("u.pcap"), false, SIZE_MAX);
	assert_int_equal(record("--pcap", tpath("u.pcap"), NULL), 2);
	assert_int_equal(record("--pcap", tpath("u.pcap"), "--iface", "lo",
	    "-o", tpath("u.prt"), NULL), 2);
	assert_int_equal(record("--pcap", tpath("u.pcap"), "--duration",
	    "1s", "-o", tpath("u.prt"), NULL), 2);
	assert_int_equal(record("--pcap", tpath("u.pcap"), "--filter",
	    "tcp port", "-o", tpath("u.prt"), NULL), 2);
	assert_int_equal(record("--pcap", tpath("nonexistent.pcap"), "-o",
	    tpath("u.prt"), NULL), 1);
	assert_int_equal(record("--pcap", tpath("u.pcap"), "-o",
	    "/nonexistent/dir/u.prt", NULL), 1);
	/* Not a capture at all. */
	f = fopen(tpath("junk.pcap"), "wb");
	assert_non_null(f);
	fputs("this is not a capture file\n", f);
	fclose(f);
	assert_int_equal(record("--pcap", tpath("junk.pcap"), "-o",
	    tpath("u.prt"), NULL), 1);
	assert_int_equal(record("--help", NULL), 0);
}

/*
 * Bodies whose pages do not fit an event's 32-bit npages (issue 18): a
 * Content-Length of 2^44 used to give npages = 0, and a range near the end
 * of the 64-bit byte space wrapped.  Clipped to the pages an event holds,
 * arg to their bytes, and counted in pcap.clipped.
 */
static void
test_huge_body(void **state)
{
	struct flow f1, f2, f3;
	struct trace t;
	struct cap c;

	(void)state;
	cap_open(&c, tpath("huge.pcap"), false);
	flow_open(&f1, &c, 40001);
	flow_client(&f1, "GET /huge HTTP/1.1\r\n\r\n");
	flow_server(&f1, "HTTP/1.1 200 OK\r\n"
	    "Content-Length: 17592186044416\r\n\r\n", 1000);	/* 2^44 */
	flow_close(&f1);
	flow_open(&f2, &c, 40002);
	flow_client(&f2, "GET /end HTTP/1.1\r\n\r\n");
	flow_server(&f2, "HTTP/1.1 206 Partial Content\r\n"
	    "Content-Range: bytes 18446744073709547520-18446744073709551615/"
	    "18446744073709551615\r\n"
	    "Content-Length: 1099511627776\r\n\r\n", 100);	/* 2^40 */
	flow_close(&f2);
	flow_open(&f3, &c, 40003);		/* just fits: not clipped */
	flow_client(&f3, "GET /big HTTP/1.1\r\n\r\n");
	flow_server(&f3, "HTTP/1.1 200 OK\r\n"
	    "Content-Length: 17592186040320\r\n\r\n", 10);	/* 2^44-4096 */
	flow_close(&f3);
	cap_close(&c);
	assert_int_equal(record("--pcap", tpath("huge.pcap"), "-o",
	    tpath("huge.prt"), NULL), 0);
	trace_read(tpath("huge.prt"), &t);
	assert_int_equal(t.n, 3);
	check_event(&t.ev[0], "/huge", 0, (uint64_t)UINT32_MAX * 4096, 1, 0);
	assert_int_equal(t.ev[0].npages, UINT32_MAX);
	check_event(&t.ev[1], "/end", 18446744073709547520ull, 4096, 2, 0);
	assert_int_equal(t.ev[1].npages, 1);
	check_event(&t.ev[2], "/big", 0, 17592186040320ull, 3, 0);
	assert_int_equal(t.ev[2].npages, UINT32_MAX);
	assert_int_equal(note(tpath("huge.prt"), "pcap.clipped"), 2);
}

/*
 * 5,000 pipelined GETs, then their 5,000 responses (issue 18): only 4,096
 * requests wait at once, and the 904 past that used to push the oldest
 * out, so every event carried the object of a request 904 later.  The
 * first 4,096 now pair with their own responses (object and length), the
 * rest are counted in pcap.dropped_requests, and their responses are
 * neither orphans nor paired with another request; a request after them
 * pairs with its own response again.
 */
static void
test_pipeline_5000(void **state)
{
	struct pr_event ev;
	struct pr_reader *r;
	struct flow f;
	struct cap c;
	char buf[128];
	uint64_t i;
	int e;

	(void)state;
	cap_open(&c, tpath("pipe.pcap"), false);
	c.snap = 200;
	flow_open(&f, &c, 40001);
	for (i = 0; i < 5000; i++) {
		snprintf(buf, sizeof(buf), "GET /o%" PRIu64 " HTTP/1.1\r\n"
		    "\r\n", i);
		flow_client(&f, buf);
	}
	for (i = 0; i < 5000; i++) {
		snprintf(buf, sizeof(buf), "HTTP/1.1 200 OK\r\n"
		    "Content-Length: %" PRIu64 "\r\n\r\n", 100 + i);
		flow_server(&f, buf, 100 + i);
	}
	/* Once the dropped ones are answered, pairing goes on. */
	flow_client(&f, "GET /last HTTP/1.1\r\n\r\n");
	flow_server(&f, "HTTP/1.1 200 OK\r\nContent-Length: 7\r\n\r\n", 7);
	flow_close(&f);
	cap_close(&c);
	assert_int_equal(record("--pcap", tpath("pipe.pcap"), "-o",
	    tpath("pipe.prt"), NULL), 0);
	r = pr_reader_open(tpath("pipe.prt"), &e);
	assert_non_null(r);
	for (i = 0; (e = pr_reader_next(r, &ev)) == 1 && i < 4096; i++) {
		snprintf(buf, sizeof(buf), "/o%" PRIu64, i);
		check_event(&ev, buf, 0, 100 + i, 1, 0);
	}
	assert_int_equal(e, 1);
	check_event(&ev, "/last", 0, 7, 1, 0);
	assert_int_equal(pr_reader_next(r, &ev), 0);
	pr_reader_close(r);
	assert_int_equal(i, 4096);
	assert_int_equal(note(tpath("pipe.prt"), "pcap.requests"), 5001);
	assert_int_equal(note(tpath("pipe.prt"), "pcap.responses"), 5001);
	assert_int_equal(note(tpath("pipe.prt"), "pcap.dropped_requests"),
	    904);
	assert_int_equal(note(tpath("pipe.prt"), "pcap.unanswered"), 0);
	assert_int_equal(note(tpath("pipe.prt"), "pcap.orphan_responses"), 0);
}

/*
 * Pipelined responses on loopback at snap length 512 (issue 18): a
 * response header deep in a 64 KB segment, after the previous body, is
 * not in the capture.  Connection 1: 20 pipelined requests (the same
 * object, two ranges, a HEAD, an object never seen) answered in 65,000-
 * byte segments; only the first header is captured.  Connection 2: the
 * third response's header starts a segment again.  Each lost response is
 * estimated from its request (Range), the object's size seen earlier and
 * the sequence numbers, and counted in pcap.estimated.
 */
static void
test_pipelined_snaplen(void **state)
{
	static uint8_t buf[1 << 20];
	static const char *h200 = "HTTP/1.1 200 OK\r\nServer: t\r\n"
	    "Content-Length: 10000\r\n\r\n";
	struct flow f1, f2;
	struct trace t;
	struct cap c;
	size_t n, i, ncp;
	int k;

	(void)state;
	cap_open(&c, tpath("lo512.pcap"), false);
	c.snap = 512 - 54;
	flow_open(&f1, &c, 40001);
	n = 0;
	for (k = 0; k < 20; k++) {
		if (k == 8) {
			flow_client(&f1, "GET /b HTTP/1.1\r\n"
			    "Range: bytes=0-4095\r\n\r\n");
			append_response(buf, &n, "HTTP/1.1 206 Partial Content"
			    "\r\nServer: t\r\nContent-Range: bytes 0-4095/"
			    "50000\r\nContent-Length: 4096\r\n\r\n", 4096);
		} else if (k == 9) {
			flow_client(&f1, "GET /b HTTP/1.1\r\n"
			    "Range: bytes=8192-20000\r\n\r\n");
			append_response(buf, &n, "HTTP/1.1 206 Partial Content"
			    "\r\nServer: t\r\nContent-Range: bytes "
			    "8192-20000/50000\r\nContent-Length: 11809\r\n"
			    "\r\n", 11809);
		} else if (k == 15) {
			flow_client(&f1, "HEAD /a HTTP/1.1\r\n\r\n");
			append_response(buf, &n, h200, 0);
		} else if (k == 19) {
			flow_client(&f1, "GET /c HTTP/1.1\r\n\r\n");
			append_response(buf, &n, "HTTP/1.1 200 OK\r\nServer: t"
			    "\r\nContent-Length: 3000\r\n\r\n", 3000);
		} else {
			flow_client(&f1, "GET /a HTTP/1.1\r\n\r\n");
			append_response(buf, &n, h200, 10000);
		}
	}
	flow_server_bytes(&f1, buf, n, 65000);
	flow_close(&f1);
	flow_open(&f2, &c, 40002);
	for (k = 0; k < 3; k++)
		flow_client(&f2, "GET /a HTTP/1.1\r\n\r\n");
	n = 0;
	append_response(buf, &n, h200, 10000);
	append_response(buf, &n, h200, 10000);
	flow_server_bytes(&f2, buf, n, n);
	n = 0;
	append_response(buf, &n, h200, 10000);
	flow_server_bytes(&f2, buf, n, 65000);
	flow_close(&f2);
	cap_close(&c);

	assert_int_equal(record("--pcap", tpath("lo512.pcap"), "-o",
	    tpath("lo512.prt"), NULL), 0);
	trace_read(tpath("lo512.prt"), &t);
	assert_int_equal(t.n, 19 + 3);
	for (i = 0, k = 0; k < 20; k++) {
		if (k == 15)
			continue;		/* HEAD: no event */
		if (k == 8)
			check_event(&t.ev[i], "/b", 0, 4096, 1, 0);
		else if (k == 9)
			check_event(&t.ev[i], "/b", 8192, 11809, 1, 0);
		else if (k == 19) {
			/*
			 * Never seen: it takes the rest of the stream, less
			 * a header as long as the last one seen.  An
			 * estimate: the two 206 headers were 47 and 52 bytes
			 * longer than that, its own 1 byte shorter.
			 */
			ncp = 3000 + 47 + 52 - 1;
			check_event(&t.ev[i], "/c", 0, ncp, 1, 0);
		} else
			check_event(&t.ev[i], "/a", 0, 10000, 1, 0);
		i++;
	}
	for (k = 0; k < 3; k++)
		check_event(&t.ev[i + (size_t)k], "/a", 0, 10000, 2, 0);
	assert_int_equal(note(tpath("lo512.prt"), "pcap.estimated"), 18 + 1);
	assert_int_equal(note(tpath("lo512.prt"), "pcap.requests"), 23);
	assert_int_equal(note(tpath("lo512.prt"), "pcap.responses"), 3);
	assert_int_equal(note(tpath("lo512.prt"), "pcap.no_body"), 1);
	assert_int_equal(note(tpath("lo512.prt"), "pcap.unanswered"), 0);
	assert_int_equal(note(tpath("lo512.prt"), "pcap.orphan_responses"), 0);
}

/*
 * A client writing 20 pipelined GETs in one segment, captured at snap
 * length 512: the last 4 requests are cut off (the 17th after its request
 * line).  The bytes lost are exactly 4 requests as long as the ones seen,
 * so they are taken as 4 more of them (pcap.estimated_requests) and all 20
 * responses pair.
 */
static void
test_pipelined_requests_cut(void **state)
{
	static const char *get = "GET /a HTTP/1.1\r\nHost: t\r\n\r\n";
	char reqs[20 * 28 + 1];
	struct flow f;
	struct trace t;
	struct cap c;
	size_t i;

	(void)state;
	assert_int_equal(strlen(get), 28);
	reqs[0] = '\0';
	for (i = 0; i < 20; i++)
		strcat(reqs, get);
	cap_open(&c, tpath("reqcut.pcap"), false);
	c.snap = 16 * 28 + 20;		/* ... "GET /a HTTP/1.1\r\nHos" */
	flow_open(&f, &c, 40001);
	flow_client(&f, reqs);
	for (i = 0; i < 20; i++)
		flow_server(&f, "HTTP/1.1 200 OK\r\nContent-Length: 10000\r\n"
		    "\r\n", 10000);
	flow_close(&f);
	cap_close(&c);
	assert_int_equal(record("--pcap", tpath("reqcut.pcap"), "-o",
	    tpath("reqcut.prt"), NULL), 0);
	trace_read(tpath("reqcut.prt"), &t);
	assert_int_equal(t.n, 20);
	for (i = 0; i < 20; i++)
		check_event(&t.ev[i], "/a", 0, 10000, 1, 0);
	assert_int_equal(note(tpath("reqcut.prt"), "pcap.requests"), 20);
	assert_int_equal(note(tpath("reqcut.prt"), "pcap.estimated_requests"),
	    4);
	assert_int_equal(note(tpath("reqcut.prt"), "pcap.unanswered"), 0);
	assert_int_equal(note(tpath("reqcut.prt"), "pcap.orphan_responses"), 0);
	assert_true(note(tpath("reqcut.prt"), "pcap.estimated") >= 4);
}

/* The whole contents of file path, in a new buffer; its size in *np. */
static uint8_t *
slurp(const char *path, size_t *np)
{
	uint8_t *buf;
	long sz;
	FILE *f;

	f = fopen(path, "rb");
	assert_non_null(f);
	fseek(f, 0, SEEK_END);
	sz = ftell(f);
	rewind(f);
	buf = malloc((size_t)sz + 1);
	assert_non_null(buf);
	assert_int_equal(fread(buf, 1, (size_t)sz, f), (size_t)sz);
	fclose(f);
	*np = (size_t)sz;
	return (buf);
}

/*
 * `record --pcap X -o X` must not truncate the capture it is about to
 * read (issue 16), nor through a hard link or a symlink to it, nor with
 * the symlink as the input: refused (usage, 2), the capture intact.
 */
static void
test_output_is_input(void **state)
{
	uint8_t *before, *after;
	size_t n0, n1;

	(void)state;
	write_clean(tpath("self.pcap"), false, SIZE_MAX);
	before = slurp(tpath("self.pcap"), &n0);
	assert_int_equal(link(tpath("self.pcap"), tpath("self-hard.pcap")), 0);
	assert_int_equal(symlink(tpath("self.pcap"), tpath("self-sym.pcap")),
	    0);
	assert_int_equal(record("--pcap", tpath("self.pcap"), "-o",
	    tpath("self.pcap"), NULL), 2);
	assert_int_equal(record("--pcap", tpath("self.pcap"), "-o",
	    tpath("self-hard.pcap"), NULL), 2);
	assert_int_equal(record("--pcap", tpath("self.pcap"), "-o",
	    tpath("self-sym.pcap"), NULL), 2);
	assert_int_equal(record("--pcap", tpath("self-sym.pcap"), "-o",
	    tpath("self.pcap"), NULL), 2);
	after = slurp(tpath("self.pcap"), &n1);
	assert_int_equal(n1, n0);
	assert_memory_equal(after, before, n0);
	/* Still the capture it was. */
	assert_int_equal(record("--pcap", tpath("self-sym.pcap"), "-o",
	    tpath("self.prt"), NULL), 0);
	check_clean(tpath("self.prt"), 0);
	free(before);
	free(after);
}

/* A capture cut in the middle of a packet record keeps what came before. */
static void
test_cut_file(void **state)
{
	struct trace t;
	long sz;
	FILE *f;

	(void)state;
	write_clean(tpath("cut.pcap"), false, SIZE_MAX);
	f = fopen(tpath("cut.pcap"), "rb");
	assert_non_null(f);
	fseek(f, 0, SEEK_END);
	sz = ftell(f);
	fclose(f);
	/* Cut inside connection 2's last body segment. */
	assert_int_equal(truncate(tpath("cut.pcap"), sz - 200), 0);
	assert_int_equal(record("--pcap", tpath("cut.pcap"), "-o",
	    tpath("cut.prt"), NULL), 1);
	trace_read(tpath("cut.prt"), &t);
	assert_int_equal(t.n, 3);
	check_event(&t.ev[2], "/a", 0, 10000, 2, 0);
}

/*
 * One temporary directory for the whole run; or, with $PR_PCAP_CORPUS set
 * to an existing directory, that one, kept: the captures written there
 * seed the pcap fuzzers (tests/fuzz/run_fuzz_pcap.sh).
 */
static int
setup(void **state)
{
	const char *dir = getenv("PR_PCAP_CORPUS");

	(void)state;
	if (dir != NULL) {
		keep = true;
		snprintf(tmpdir, sizeof(tmpdir), "%s", dir);
		return (0);
	}
	if (mkdtemp(tmpdir) == NULL)
		return (-1);
	return (0);
}

/* Remove it (unless kept). */
static int
teardown(void **state)
{
	char cmd[300 + sizeof(tmpdir)];

	(void)state;
	if (keep)
		return (0);
	snprintf(cmd, sizeof(cmd), "rm -rf '%s'", tmpdir);
	return (system(cmd) == 0 ? 0 : -1);
}

/*
 * A path's object id is a file's: it never has PR_OBJ_ANON, which would
 * make replay treat the file as anonymous memory (priming, DragonFly's
 * vm_filemem_decline).  FNV-1a sets that bit for about half of all paths,
 * four of these six among them.  Each path is asked for twice, the second
 * time with a query: the same path gives the same id, another path
 * another.
 */
static void
test_obj_is_file(void **state)
{
	static const char *const paths[] = { "/index.html", "/style.css",
	    "/app.js", "/robots.txt", "/favicon.ico", "/about.html" };
	const size_t np = sizeof(paths) / sizeof(paths[0]);
	struct trace t;
	struct flow f;
	struct cap c;
	char buf[128];
	size_t i, j, nbit = 0;

	(void)state;
	for (i = 0; i < np; i++)
		if ((fnv1a(paths[i]) & PR_OBJ_ANON) != 0)
			nbit++;
	assert_int_equal(nbit, 4);
	cap_open(&c, tpath("ids.pcap"), false);
	flow_open(&f, &c, 40001);
	for (i = 0; i < 2 * np; i++) {
		snprintf(buf, sizeof(buf), "GET %s%s HTTP/1.1\r\n\r\n",
		    paths[i % np], i < np ? "" : "?v=2");
		flow_client(&f, buf);
		flow_server(&f, "HTTP/1.1 200 OK\r\nContent-Length: 100\r\n"
		    "\r\n", 100);
	}
	flow_close(&f);
	cap_close(&c);
	assert_int_equal(record("--pcap", tpath("ids.pcap"), "-o",
	    tpath("ids.prt"), NULL), 0);
	trace_read(tpath("ids.prt"), &t);
	assert_int_equal(t.n, 2 * np);
	for (i = 0; i < t.n; i++) {
		assert_true((t.ev[i].obj & PR_OBJ_ANON) == 0);
		for (j = 0; j < i; j++)
			assert_true((t.ev[i].obj == t.ev[j].obj) ==
			    (i % np == j % np));
	}
}

/* The cases, in order. */
int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_clean_pcap),
		cmocka_unit_test(test_pcapng_nocache),
		cmocka_unit_test(test_short_snaplen),
		cmocka_unit_test(test_filter),
		cmocka_unit_test(test_time_order),
		cmocka_unit_test(test_damaged),
		cmocka_unit_test(test_mutations),
		cmocka_unit_test(test_usage),
		cmocka_unit_test(test_cut_file),
		cmocka_unit_test(test_output_is_input),
		cmocka_unit_test(test_huge_body),
		cmocka_unit_test(test_pipeline_5000),
		cmocka_unit_test(test_pipelined_snaplen),
		cmocka_unit_test(test_pipelined_requests_cut),
		cmocka_unit_test(test_obj_is_file),
	};

	return (cmocka_run_group_tests(tests, setup, teardown));
}
