/*
 * test_trace.c - unit tests of the trace library (common/trace*.c): round
 * trips of random event streams, recovery of files cut anywhere, and the
 * documented error for every kind of damage, in format v3 (written by
 * default) and, for the tests listed with "(v1)" and "(v2)", in formats v1
 * and v2 too; the v2/v3 decoder's own checks and v3's predictions on
 * hand-made column streams.
 */
#include <sys/stat.h>
#include <sys/wait.h>

#include <errno.h>
#include <setjmp.h>
#include <stdbool.h>
#include <signal.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <cmocka.h>

#include "trace.h"
#include "trace_codec_internal.h"
#include "trace_internal.h"

static char	tmpdir[] = "/tmp/prtrace-test.XXXXXX";
static uint32_t	wversion = PR_TRACE_VERSION;	/* write_random()'s format */

/* A small deterministic generator (splitmix64) for the property tests. */
static uint64_t
rnd(uint64_t *s)
{
	uint64_t z;

	z = (*s += 0x9e3779b97f4a7c15ull);
	z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ull;
	z = (z ^ (z >> 27)) * 0x94d049bb133111ebull;
	return (z ^ (z >> 31));
}

/* A value that is often extreme: 0, 1, max, near max, or random. */
static uint64_t
rnd_value(uint64_t *s, uint64_t max)
{
	switch (rnd(s) % 8) {
	case 0:
		return (0);
	case 1:
		return (1);
	case 2:
		return (max);
	case 3:
		return (max - rnd(s) % 16);
	case 4:
		return (rnd(s) % 4096);
	default:
		return (max == UINT64_MAX ? rnd(s) : rnd(s) % (max + 1));
	}
}

/* A random event of any kind with any field values the API accepts. */
static void
rnd_event(uint64_t *s, struct pr_event *ev, uint64_t *t)
{
	memset(ev, 0, sizeof(*ev));
	if (rnd(s) % 16 == 0)
		*t = rnd_value(s, UINT64_MAX);	/* time may jump anywhere */
	else
		*t += rnd(s) % 5000;
	ev->time_ns = *t;
	ev->kind = (uint8_t)(rnd(s) % PR_KIND_COUNT);
	ev->flags = (uint8_t)(rnd(s) % (PR_F_MASK + 1));
	ev->obj = rnd_value(s, UINT64_MAX);
	ev->pindex = rnd_value(s, UINT64_MAX);
	ev->pmap = rnd_value(s, UINT64_MAX);
	ev->addr = rnd_value(s, UINT64_MAX);
	if (rnd(s) % 2)
		ev->addr &= ~0xfffull;
	ev->arg = rnd_value(s, UINT64_MAX);
	ev->npages = (uint32_t)rnd_value(s, UINT32_MAX);
	ev->cpu = (uint32_t)rnd_value(s, 3);
	if (rnd(s) % 64 == 0)
		ev->cpu = (uint32_t)rnd_value(s, UINT32_MAX);
	ev->tid = (uint32_t)(1000 + rnd(s) % 8);
	if (rnd(s) % 64 == 0)
		ev->tid = (uint32_t)rnd_value(s, UINT32_MAX);
}

static void
assert_event_equal(const struct pr_event *a, const struct pr_event *b)
{
	assert_int_equal(a->time_ns, b->time_ns);
	assert_int_equal(a->obj, b->obj);
	assert_int_equal(a->pindex, b->pindex);
	assert_int_equal(a->pmap, b->pmap);
	assert_int_equal(a->addr, b->addr);
	assert_int_equal(a->arg, b->arg);
	assert_int_equal(a->npages, b->npages);
	assert_int_equal(a->cpu, b->cpu);
	assert_int_equal(a->tid, b->tid);
	assert_int_equal(a->kind, b->kind);
	assert_int_equal(a->flags, b->flags);
}

static char *
tpath(const char *name)
{
	static char buf[4][256];
	static unsigned n;
	char *p = buf[n++ % 4];

	snprintf(p, sizeof(buf[0]), "%s/%s", tmpdir, name);
	return (p);
}

/*
 * Write n random events (seed) to path, flushing every flush_every events
 * (0: never) so that the file has many frames; returns the events.
 */
static struct pr_event *
write_random(const char *path, uint64_t seed, size_t n, size_t flush_every)
{
	struct pr_header h;
	struct pr_writer *w;
	struct pr_event *evs;
	uint64_t s = seed, t = 0;
	size_t i;
	int err;

	evs = calloc(n + 1, sizeof(*evs));
	assert_non_null(evs);
	pr_header_init(&h, PR_SRC_SYNTH);
	snprintf(h.cmdline, sizeof(h.cmdline), "test seed %llu",
	    (unsigned long long)seed);
	w = pr_writer_create_version(path, &h, wversion, &err);
	assert_non_null(w);
	assert_int_equal(err, PR_OK);
	for (i = 0; i < n; i++) {
		rnd_event(&s, &evs[i], &t);
		assert_int_equal(pr_writer_write(w, &evs[i]), PR_OK);
		if (flush_every != 0 && (i + 1) % flush_every == 0)
			assert_int_equal(pr_writer_flush(w), PR_OK);
	}
	assert_int_equal(pr_writer_note(w, "test.events", n), PR_OK);
	assert_int_equal(pr_writer_close(w), PR_OK);
	return (evs);
}

static uint8_t *
slurp(const char *path, size_t *lenp)
{
	struct stat sb;
	uint8_t *buf;
	FILE *f;

	assert_int_equal(stat(path, &sb), 0);
	buf = malloc((size_t)sb.st_size + 1);
	assert_non_null(buf);
	f = fopen(path, "rb");
	assert_non_null(f);
	assert_int_equal(fread(buf, 1, (size_t)sb.st_size, f),
	    (size_t)sb.st_size);
	fclose(f);
	*lenp = (size_t)sb.st_size;
	return (buf);
}

/*
 * Write buf as path, a new file: rewriting an existing one in place
 * (O_TRUNC) makes ext4 (auto_da_alloc) start its writeback at the close,
 * and the loops below write thousands of them - minutes of disk waits on
 * a loaded machine.
 */
static void
spit(const char *path, const uint8_t *buf, size_t len)
{
	FILE *f;

	assert_true(unlink(path) == 0 || errno == ENOENT);
	f = fopen(path, "wb");
	assert_non_null(f);
	assert_int_equal(fwrite(buf, 1, len, f), len);
	assert_int_equal(fclose(f), 0);
}

/*
 * Read every event with pr_reader_next; compare with want[0..nwant).
 * Returns the final (<= 0) return value of pr_reader_next.
 */
static int
read_compare(struct pr_reader *r, const struct pr_event *want, size_t nwant)
{
	struct pr_event ev;
	size_t n = 0;
	int rc;

	while ((rc = pr_reader_next(r, &ev)) == 1) {
		assert_true(n < nwant);
		assert_event_equal(&ev, &want[n]);
		n++;
	}
	assert_int_equal(n, nwant);
	return (rc);
}

static void
test_names(void **state)
{
	static const char *const names[] = { "obj_create", "obj_terminate",
	    "page_insert", "page_lookup", "page_remove", "wire", "unwire",
	    "release", "activate", "deactivate", "requeue", "pmap_create",
	    "pmap_destroy", "map", "unmap", "remove_all", "remove_write",
	    "extract_hold", "promote", "demote", "scan", "sendfile", "lost" };
	unsigned k;
	int e;

	(void)state;
	assert_int_equal(sizeof(names) / sizeof(names[0]), PR_KIND_COUNT);
	for (k = 0; k < PR_KIND_COUNT; k++) {
		assert_string_equal(pr_kind_name(k), names[k]);
		assert_int_equal(pr_kind_from_name(names[k]), (int)k);
	}
	assert_string_equal(pr_kind_name(PR_KIND_COUNT), "?");
	assert_int_equal(pr_kind_from_name("nope"), -1);
	assert_string_equal(pr_source_name(PR_SRC_EBPF), "ebpf");
	assert_string_equal(pr_source_name(PR_SRC_COUNT), "?");
	for (e = 0; e < PR_E_COUNT; e++)
		assert_true(strlen(pr_strerror(e)) > 0);
	assert_string_equal(pr_strerror(-PR_E_CORRUPT),
	    pr_strerror(PR_E_CORRUPT));
}

/* Round trip: random streams of every kind, extreme values, several seeds. */
static void
test_round_trip(void **state)
{
	static const uint64_t seeds[] = { 1, 2, 3, 42, 0xdeadbeef };
	struct pr_reader_status st;
	struct pr_reader *r;
	struct pr_event *evs, *fe;
	const struct pr_header *h;
	const char *key;
	uint64_t value, lost, nread;
	size_t i, j, n, nf;
	int err;

	(void)state;
	for (i = 0; i < sizeof(seeds) / sizeof(seeds[0]); i++) {
		n = 20000 + (size_t)(seeds[i] % 1000);
		evs = write_random(tpath("rt.prt"), seeds[i], n,
		    i % 2 ? 777 : 0);
		r = pr_reader_open(tpath("rt.prt"), &err);
		assert_non_null(r);
		h = pr_reader_header(r);
		assert_int_equal(h->version, wversion);
		assert_int_equal(h->source, PR_SRC_SYNTH);
		assert_true(strncmp(h->cmdline, "test seed ", 10) == 0);
		assert_int_equal(read_compare(r, evs, n), 0);
		pr_reader_status(r, &st);
		assert_false(st.truncated);
		assert_int_equal(st.error, PR_OK);
		assert_int_equal(st.events, n);
		lost = 0;
		for (j = 0; j < n; j++)
			if (evs[j].kind == PR_LOST)
				lost += evs[j].arg;
		assert_int_equal(st.lost, lost);
		assert_true(pr_reader_note(r, 0, &key, &value));
		assert_string_equal(key, "test.events");
		assert_int_equal(value, n);
		assert_false(pr_reader_note(r, 1, &key, &value));
		/* Random access gives the same events, frame by frame. */
		nf = pr_reader_frames(r);
		assert_int_equal(nf, st.frames);
		nread = 0;
		for (j = nf; j-- > 0;) {
			assert_int_equal(pr_reader_frame(r, j, &fe, &n),
			    PR_OK);
			nread += n;
			free(fe);
		}
		assert_int_equal(nread, st.events);
		pr_reader_close(r);
		free(evs);
	}
}

/* Frames split at the raw size bound; an empty trace; note updates. */
static void
test_frames_and_empty(void **state)
{
	struct pr_reader_status st;
	struct pr_header h;
	struct pr_writer *w;
	struct pr_reader *r;
	struct pr_event ev, *evs;
	const char *key;
	uint64_t value;
	size_t i, n;
	int err;

	(void)state;
	/* 400k events of ~10 raw bytes: several 1 MiB frames. */
	evs = write_random(tpath("big.prt"), 7, 400000, 0);
	r = pr_reader_open(tpath("big.prt"), &err);
	assert_non_null(r);
	assert_true(pr_reader_frames(r) >= 3);
	for (i = 0; i < pr_reader_frames(r); i++)
		assert_true(pr_reader_frame_offset(r, i) > 0);
	assert_int_equal(read_compare(r, evs, 400000), 0);
	pr_reader_close(r);
	free(evs);

	pr_header_init(&h, PR_SRC_EBPF);
	w = pr_writer_create(tpath("empty.prt"), &h, &err);
	assert_non_null(w);
	assert_int_equal(pr_writer_flush(w), PR_OK);	/* nothing to flush */
	assert_int_equal(pr_writer_note(w, "a", 1), PR_OK);
	assert_int_equal(pr_writer_note(w, "a", 2), PR_OK);	/* replaces */
	assert_int_equal(pr_writer_close(w), PR_OK);
	r = pr_reader_open(tpath("empty.prt"), &err);
	assert_non_null(r);
	assert_int_equal(pr_reader_frames(r), 0);
	assert_int_equal(pr_reader_next(r, &ev), 0);
	pr_reader_status(r, &st);
	assert_false(st.truncated);
	assert_int_equal(st.events, 0);
	assert_true(pr_reader_note(r, 0, &key, &value));
	assert_int_equal(value, 2);
	assert_string_equal(pr_source_name(pr_reader_header(r)->source),
	    "ebpf");
	assert_int_equal(pr_reader_frame(r, 0, &evs, &n), PR_E_ARG);
	pr_reader_close(r);
}

static void
test_writer_args(void **state)
{
	struct pr_header h;
	struct pr_writer *w;
	struct pr_event ev;
	char key[PR_NOTE_KEY_MAX + 2];
	int err;

	(void)state;
	pr_header_init(&h, PR_SRC_SYNTH);
	assert_null(pr_writer_create(tpath("nodir/x.prt"), &h, &err));
	assert_int_equal(err, PR_E_IO);
	h.source = PR_SRC_COUNT;
	assert_null(pr_writer_create(tpath("x.prt"), &h, &err));
	assert_int_equal(err, PR_E_ARG);
	h.source = PR_SRC_SYNTH;
	w = pr_writer_create(tpath("x.prt"), &h, &err);
	assert_non_null(w);
	memset(&ev, 0, sizeof(ev));
	ev.kind = PR_KIND_COUNT;
	assert_int_equal(pr_writer_write(w, &ev), PR_E_ARG);
	ev.kind = PR_MAP;
	ev.flags = 0x80;
	assert_int_equal(pr_writer_write(w, &ev), PR_E_ARG);
	ev.flags = PR_F_WRITE;
	assert_int_equal(pr_writer_write(w, &ev), PR_OK);
	assert_int_equal(pr_writer_note(w, "", 1), PR_E_ARG);
	memset(key, 'k', sizeof(key) - 1);
	key[sizeof(key) - 1] = '\0';
	assert_int_equal(pr_writer_note(w, key, 1), PR_E_ARG);
	key[PR_NOTE_KEY_MAX] = '\0';
	assert_int_equal(pr_writer_note(w, key, 1), PR_OK);
	assert_true(pr_writer_bytes(w) > 0);
	assert_int_equal(pr_writer_close(w), PR_OK);
	assert_int_equal(pr_writer_close(NULL), PR_E_ARG);
}

/*
 * Every version carries PR_F_FAULT_AROUND on a page_lookup (the eBPF
 * recorder's fault-around lookups, docs/trace-format.md), beside a read's
 * unflagged lookup of the same presence mask (a v2/v3 shape of its own),
 * and reads it back.
 */
static void
test_fault_around_flag(void **state)
{
	const uint32_t versions[] = { PR_VERSION_V1, PR_VERSION_V2,
	    PR_TRACE_VERSION };
	struct pr_event ev[3];
	struct pr_header h;
	struct pr_reader *r;
	struct pr_writer *w;
	size_t v, i;
	int err;

	(void)state;
	memset(ev, 0, sizeof(ev));
	for (i = 0; i < 3; i++) {
		ev[i].time_ns = 100 * i;
		ev[i].obj = 7;
		ev[i].pindex = 16;
		ev[i].npages = 16;
		ev[i].tid = 1000;
		ev[i].kind = PR_PAGE_LOOKUP;
	}
	ev[0].flags = PR_F_FAULT_AROUND;
	ev[1].tid = 1001;	/* the same presence mask as ev[0]'s */
	ev[2].flags = PR_F_FAULT_AROUND | PR_F_WRITE;
	for (v = 0; v < sizeof(versions) / sizeof(versions[0]); v++) {
		pr_header_init(&h, PR_SRC_EBPF);
		w = pr_writer_create_version(tpath("fa.prt"), &h, versions[v],
		    &err);
		assert_non_null(w);
		for (i = 0; i < 3; i++)
			assert_int_equal(pr_writer_write(w, &ev[i]), PR_OK);
		assert_int_equal(pr_writer_close(w), PR_OK);
		r = pr_reader_open(tpath("fa.prt"), &err);
		assert_non_null(r);
		assert_int_equal(read_compare(r, ev, 3), 0);
		pr_reader_close(r);
	}
}

/*
 * Is cut worth trying: every byte of the header and of the index and tail,
 * around every frame boundary, inside every frame header and payload, and
 * every 11th byte elsewhere.
 */
static bool
cut_point(size_t cut, size_t body, const uint64_t *ends, size_t nf)
{
	size_t i, start;

	if (cut <= body + 1 || cut >= ends[nf - 1] - 1 || cut % 11 == 0)
		return (true);
	for (i = 0; i < nf; i++) {
		start = i == 0 ? body : ends[i - 1];
		if (cut + 2 >= start && cut <= start + 2)
			return (true);	/* at a boundary */
		if (cut == start + PR_FRAME_HDR / 2 ||
		    cut == start + PR_FRAME_HDR ||
		    cut == (start + PR_FRAME_HDR + ends[i]) / 2)
			return (true);	/* mid header, mid payload */
	}
	return (false);
}

/*
 * Cut a file of many frames at every boundary and inside every part: a cut
 * header gives PR_E_HEADER_CUT (or PR_E_MAGIC for an empty file); any other
 * cut opens, says truncated, and yields exactly the frames complete before
 * the cut.
 */
static void
test_truncation_everywhere(void **state)
{
	struct pr_reader_status st;
	struct pr_reader *r;
	struct pr_event *evs, ev;
	uint64_t *ends;
	uint8_t *buf;
	size_t len, cut, nf, i, complete, body;
	int err;

	(void)state;
	evs = write_random(tpath("cut.prt"), 11, 360, 30);
	buf = slurp(tpath("cut.prt"), &len);
	body = PR_FILE_FIXED + pr_le32dec(buf + 12) + 8;
	r = pr_reader_open(tpath("cut.prt"), &err);
	assert_non_null(r);
	nf = pr_reader_frames(r);
	assert_int_equal(nf, 12);
	ends = calloc(nf, sizeof(*ends));
	for (i = 0; i + 1 < nf; i++)
		ends[i] = pr_reader_frame_offset(r, i + 1);
	ends[nf - 1] = pr_le64dec(buf + len - PR_TAIL);	/* the index */
	pr_reader_close(r);
	for (cut = 0; cut < len; cut++) {
		if (!cut_point(cut, body, ends, nf))
			continue;
		spit(tpath("cutn.prt"), buf, cut);
		r = pr_reader_open(tpath("cutn.prt"), &err);
		if (cut < body) {
			assert_null(r);
			assert_int_equal(err, cut == 0 ? PR_E_MAGIC :
			    PR_E_HEADER_CUT);
			continue;
		}
		assert_non_null(r);
		pr_reader_status(r, &st);
		assert_true(st.truncated);
		assert_int_equal(st.error, PR_E_TRUNCATED);
		assert_true(st.error_offset <= cut);
		for (complete = 0; complete < nf && ends[complete] <= cut;)
			complete++;
		assert_int_equal(pr_reader_frames(r), complete);
		assert_int_equal(st.events, complete * 30);
		assert_int_equal(read_compare(r, evs, complete * 30),
		    -PR_E_TRUNCATED);
		assert_int_equal(pr_reader_next(r, &ev), 0);
		pr_reader_close(r);
	}
	free(ends);
	free(buf);
	free(evs);
}

/* Patch a byte range, write it as path, try to open it. */
static struct pr_reader *
open_patched(const uint8_t *buf, size_t len, const char *path, int *errp)
{
	spit(path, buf, len);
	return (pr_reader_open(path, errp));
}

static void
test_bad_headers(void **state)
{
	struct pr_event *evs;
	uint8_t *buf, *copy;
	size_t len, hlen;
	int err;

	(void)state;
	evs = write_random(tpath("h.prt"), 5, 100, 0);
	buf = slurp(tpath("h.prt"), &len);
	copy = malloc(len);
	hlen = pr_le32dec(buf + 12);

	/* Wrong magic. */
	memcpy(copy, buf, len);
	copy[0] ^= 0xff;
	assert_null(open_patched(copy, len, tpath("m.prt"), &err));
	assert_int_equal(err, PR_E_MAGIC);
	assert_null(open_patched((const uint8_t *)"hello, world\n", 13,
	    tpath("m.prt"), &err));
	assert_int_equal(err, PR_E_MAGIC);

	/* Unknown version. */
	memcpy(copy, buf, len);
	pr_le32enc(copy + 8, PR_TRACE_VERSION + 1);
	assert_null(open_patched(copy, len, tpath("v.prt"), &err));
	assert_int_equal(err, PR_E_VERSION);

	/* Header lengths that lie: huge, past the end, short by one. */
	memcpy(copy, buf, len);
	pr_le32enc(copy + 12, 0xffffffffu);
	assert_null(open_patched(copy, len, tpath("l.prt"), &err));
	assert_int_equal(err, PR_E_CORRUPT);
	pr_le32enc(copy + 12, PR_HDR_PAYLOAD_MAX);
	assert_null(open_patched(copy, hlen + 100, tpath("l.prt"), &err));
	assert_int_equal(err, PR_E_HEADER_CUT);
	assert_non_null(strstr(pr_strerror(err), "header cut short"));
	pr_le32enc(copy + 12, (uint32_t)hlen - 1);
	assert_null(open_patched(copy, len, tpath("l.prt"), &err));
	assert_int_equal(err, PR_E_CORRUPT);

	/* A flipped header byte fails the header checksum. */
	memcpy(copy, buf, len);
	copy[PR_FILE_FIXED + 3] ^= 0x55;
	assert_null(open_patched(copy, len, tpath("c.prt"), &err));
	assert_int_equal(err, PR_E_CORRUPT);

	/* Not a regular file, not there. */
	assert_null(pr_reader_open(tmpdir, &err));
	assert_int_equal(err, PR_E_IO);
	assert_null(pr_reader_open(tpath("absent.prt"), &err));
	assert_int_equal(err, PR_E_IO);
	free(copy);
	free(buf);
	free(evs);
}

/*
 * After patching frame i (at off) of a file of nf frames: make its
 * checksum, the index's copy of its header and the index checksum match
 * again, so that only the deeper checks can catch the damage.
 */
static void
fix_frame(uint8_t *buf, size_t len, size_t i, uint64_t off)
{
	uint64_t ioff;
	uint8_t *fh = buf + off;

	pr_le64enc(fh + PR_FH_SUM, pr_frame_sum(fh, fh + PR_FRAME_HDR,
	    pr_le32dec(fh + PR_FH_COMP)));
	ioff = pr_le64dec(buf + len - PR_TAIL);
	memcpy(buf + ioff + 16 + i * PR_INDEX_ENTRY + 8, fh, PR_FRAME_HDR);
	pr_le64enc(buf + len - PR_TAIL + 8, pr_checksum(0, buf + ioff,
	    len - PR_TAIL - ioff));
}

/* Add delta to the event total of the end marker (5-frame files). */
static void
fix_total(uint8_t *buf, size_t len, size_t nf, uint64_t delta)
{
	uint64_t ioff, t;

	ioff = pr_le64dec(buf + len - PR_TAIL);
	t = pr_le64dec(buf + ioff + 16 + nf * PR_INDEX_ENTRY);
	pr_le64enc(buf + ioff + 16 + nf * PR_INDEX_ENTRY, t + delta);
	pr_le64enc(buf + len - PR_TAIL + 8, pr_checksum(0, buf + ioff,
	    len - PR_TAIL - ioff));
}

/*
 * Damage inside frame 2 of 5: the other frames still decode, the damaged
 * one gives PR_E_CORRUPT (named with its offset), streaming goes on.
 */
static void
test_corrupt_frame(void **state)
{
	struct pr_reader_status st;
	struct pr_reader *r;
	struct pr_event *evs, *fe, ev;
	uint8_t *buf, *copy;
	uint64_t off;
	size_t len, n, i, got;
	unsigned variant;
	int err, rc, ncorrupt;

	(void)state;
	evs = write_random(tpath("f.prt"), 9, 500, 100);
	buf = slurp(tpath("f.prt"), &len);
	copy = malloc(len);
	r = pr_reader_open(tpath("f.prt"), &err);
	assert_non_null(r);
	assert_int_equal(pr_reader_frames(r), 5);
	off = pr_reader_frame_offset(r, 2);
	pr_reader_close(r);

	for (variant = 0; variant < 6; variant++) {
		memcpy(copy, buf, len);
		switch (variant) {
		case 0:		/* a compressed byte flipped */
			copy[off + PR_FRAME_HDR + 10] ^= 0x01;
			break;
		case 1:		/* ... with every checksum made to match */
			copy[off + PR_FRAME_HDR + 10] ^= 0x01;
			fix_frame(copy, len, 2, off);
			break;
		case 2:		/* the last compressed byte, sums fixed */
			copy[off + PR_FRAME_HDR +
			    pr_le32dec(copy + off + PR_FH_COMP) - 1] ^= 0x80;
			fix_frame(copy, len, 2, off);
			break;
		case 3:		/* the frame (and index) lie about raw size */
			pr_le32enc(copy + off + PR_FH_RAW, PR_FRAME_RAW_MAX);
			fix_frame(copy, len, 2, off);
			break;
		case 4:		/* ... about the event count */
			pr_le32enc(copy + off + PR_FH_EVENTS, 3);
			fix_frame(copy, len, 2, off);
			fix_total(copy, len, 5, (uint64_t)-97);
			break;
		case 5:		/* the frame header alone disagrees */
			pr_le64enc(copy + off + PR_FH_LOST, 12345);
			break;
		}
		r = open_patched(copy, len, tpath("fc.prt"), &err);
		assert_non_null(r);
		assert_int_equal(pr_reader_frame(r, 2, &fe, &n),
		    PR_E_CORRUPT);
		assert_null(fe);
		assert_int_equal(pr_reader_frame(r, 3, &fe, &n), PR_OK);
		assert_int_equal(n, 100);
		assert_event_equal(&fe[0], &evs[300]);
		free(fe);
		pr_reader_status(r, &st);
		assert_int_equal(st.error, PR_E_CORRUPT);
		assert_int_equal(st.error_frame, 2);
		assert_int_equal(st.error_offset, off);
		pr_reader_close(r);

		/* Streaming: 200 events, one error, the last 200. */
		r = pr_reader_open(tpath("fc.prt"), &err);
		assert_non_null(r);
		got = 0;
		ncorrupt = 0;
		i = 0;
		while ((rc = pr_reader_next(r, &ev)) != 0) {
			if (rc == -PR_E_CORRUPT) {
				ncorrupt++;
				i = 300;
				continue;
			}
			assert_int_equal(rc, 1);
			assert_event_equal(&ev, &evs[i++]);
			got++;
		}
		assert_int_equal(ncorrupt, 1);
		assert_int_equal(got, 400);
		pr_reader_close(r);
	}
	free(copy);
	free(buf);
	free(evs);
}

/*
 * Without its index (the tail cut off) a file is scanned.  A frame header
 * that breaks a bound there is damage, named at its offset, and the scan
 * goes on from the next sound frame (rule 3), so the frames after it are
 * recovered; a last frame that runs past the end is a cut.  Fails if the
 * scan stops at the damage (3 frames, not 4).
 */
static void
test_scan_lies(void **state)
{
	struct pr_reader_status st;
	struct pr_reader *r;
	struct pr_event *evs, *fe;
	uint8_t *buf, *copy;
	uint64_t off, off4, ioff;
	size_t len, n;
	int err;

	(void)state;
	evs = write_random(tpath("s.prt"), 13, 500, 100);
	buf = slurp(tpath("s.prt"), &len);
	copy = malloc(len);
	r = pr_reader_open(tpath("s.prt"), &err);
	assert_non_null(r);
	off = pr_reader_frame_offset(r, 3);
	off4 = pr_reader_frame_offset(r, 4);
	pr_reader_close(r);
	ioff = pr_le64dec(buf + len - PR_TAIL);

	memcpy(copy, buf, ioff);
	pr_le32enc(copy + off + PR_FH_COMP, 0x7fffffff);
	r = open_patched(copy, ioff, tpath("sl.prt"), &err);
	assert_non_null(r);
	pr_reader_status(r, &st);
	assert_true(st.truncated);
	assert_int_equal(pr_reader_frames(r), 4);	/* 0-2, then 4 */
	assert_int_equal(pr_reader_frame_offset(r, 3), off4);
	assert_int_equal(st.events, 400);
	assert_int_equal(st.error, PR_E_CORRUPT);	/* > compressBound */
	assert_int_equal(st.error_offset, off);
	assert_int_equal(pr_reader_frame(r, 3, &fe, &n), PR_OK);
	assert_int_equal(n, 100);
	assert_event_equal(&fe[0], &evs[400]);
	free(fe);
	pr_reader_close(r);

	/* A header zeroed whole: no magic left to find but the next one's. */
	memcpy(copy, buf, ioff);
	memset(copy + off, 0, PR_FRAME_HDR);
	r = open_patched(copy, ioff, tpath("sl.prt"), &err);
	assert_non_null(r);
	pr_reader_status(r, &st);
	assert_int_equal(pr_reader_frames(r), 4);
	assert_int_equal(st.error, PR_E_CORRUPT);
	assert_int_equal(st.error_offset, off);
	pr_reader_close(r);

	/* Frame 4's magic copied into frame 3's payload, its sum wrong. */
	memcpy(copy, buf, ioff);
	pr_le32enc(copy + off + PR_FH_COMP, 0x7fffffff);
	memcpy(copy + off + PR_FRAME_HDR + 8, buf + off4, PR_FRAME_HDR);
	r = open_patched(copy, ioff, tpath("sl.prt"), &err);
	assert_non_null(r);
	assert_int_equal(pr_reader_frames(r), 4);
	assert_int_equal(pr_reader_frame_offset(r, 3), off4);
	pr_reader_close(r);

	/* The last frame claims one byte more than the file has. */
	memcpy(copy, buf, ioff);
	pr_le32enc(copy + off4 + PR_FH_COMP, (uint32_t)(ioff - off4 -
	    PR_FRAME_HDR + 1));
	r = open_patched(copy, ioff, tpath("sl.prt"), &err);
	assert_non_null(r);
	pr_reader_status(r, &st);
	assert_int_equal(pr_reader_frames(r), 4);
	assert_int_equal(st.error, PR_E_TRUNCATED);	/* past the end */
	assert_int_equal(st.error_offset, off4);
	pr_reader_close(r);

	memcpy(copy, buf, ioff);
	pr_le32enc(copy + off + PR_FH_EVENTS, 0xffffffffu);
	r = open_patched(copy, ioff, tpath("sl.prt"), &err);
	assert_non_null(r);
	pr_reader_status(r, &st);
	assert_int_equal(pr_reader_frames(r), 4);
	assert_int_equal(st.error, PR_E_CORRUPT);
	assert_int_equal(st.error_frame, 3);
	pr_reader_close(r);
	free(copy);
	free(buf);
	free(evs);
}

/* A damaged index: the frames are recovered by scanning, error named. */
static void
test_bad_index(void **state)
{
	struct pr_reader_status st;
	struct pr_reader *r;
	struct pr_event *evs;
	uint8_t *buf, *copy;
	uint64_t ioff;
	size_t len;
	int err;

	(void)state;
	evs = write_random(tpath("i.prt"), 17, 500, 100);
	buf = slurp(tpath("i.prt"), &len);
	copy = malloc(len);
	ioff = pr_le64dec(buf + len - PR_TAIL);

	memcpy(copy, buf, len);
	copy[ioff + 20] ^= 0x40;	/* inside the first entry */
	r = open_patched(copy, len, tpath("ic.prt"), &err);
	assert_non_null(r);
	pr_reader_status(r, &st);
	assert_false(st.truncated);
	assert_int_equal(st.error, PR_E_CORRUPT);
	assert_int_equal(st.error_offset, ioff);
	assert_int_equal(pr_reader_frames(r), 5);
	assert_int_equal(read_compare(r, evs, 500), 0);
	pr_reader_close(r);

	memcpy(copy, buf, len);
	pr_le64enc(copy + len - PR_TAIL, len * 2);	/* offset past EOF */
	r = open_patched(copy, len, tpath("ic.prt"), &err);
	assert_non_null(r);
	pr_reader_status(r, &st);
	assert_int_equal(st.error, PR_E_CORRUPT);
	assert_int_equal(pr_reader_frames(r), 5);
	pr_reader_close(r);
	free(copy);
	free(buf);
	free(evs);
}

/*
 * Open a damaged copy of a 5-frame, 500-event file: every frame and event
 * is recovered, and the status says the end marker is damaged at want_off.
 */
static void
assert_end_damaged(const uint8_t *copy, size_t len,
    const struct pr_event *evs, uint64_t want_off, bool notes)
{
	struct pr_reader_status st;
	struct pr_reader *r;
	struct pr_event *fe;
	const char *key;
	uint64_t value;
	size_t i, j, n, total;
	int err;

	r = open_patched(copy, len, tpath("ed.prt"), &err);
	assert_non_null(r);
	pr_reader_status(r, &st);
	assert_false(st.truncated);
	assert_true(st.end_damaged);
	assert_int_equal(st.error, PR_E_CORRUPT);
	assert_int_equal(st.error_offset, want_off);
	assert_int_equal(st.frames, 5);
	assert_int_equal(st.events, 500);
	assert_int_equal(pr_reader_frames(r), 5);
	for (i = 0, total = 0; i < 5; i++) {
		assert_int_equal(pr_reader_frame(r, i, &fe, &n), PR_OK);
		assert_int_equal(n, 100);
		for (j = 0; j < n; j++)
			assert_event_equal(&fe[j], &evs[total + j]);
		total += n;
		free(fe);
	}
	assert_int_equal(total, 500);
	assert_int_equal(read_compare(r, evs, 500), 0);
	assert_int_equal(pr_reader_note(r, 0, &key, &value), notes);
	if (notes) {
		assert_string_equal(key, "test.events");
		assert_int_equal(value, 500);
	}
	pr_reader_status(r, &st);
	assert_int_equal(st.error_offset, want_off);	/* frames were sound */
	pr_reader_close(r);
}

/*
 * Issue 18: one flipped bit in the tail's index offset made the scan stop
 * early (23 of 197 frames of build-zstd.prt kept).  Flip every bit, and
 * set every byte to its complement and to zero, at every position of the
 * index block and the tail: no frame is lost, and the damage is reported
 * where it is, at the index block when the tail still names it, at the
 * tail when it names no index block; a damaged tail magic alone leaves the
 * index (and its notes) in use.
 */
static void
test_end_damage_everywhere(void **state)
{
	struct pr_event *evs;
	uint8_t *buf, *copy;
	uint64_t ioff, want;
	size_t len, pos;
	unsigned v;

	(void)state;
	evs = write_random(tpath("e.prt"), 23, 500, 100);
	buf = slurp(tpath("e.prt"), &len);
	copy = malloc(len);
	ioff = pr_le64dec(buf + len - PR_TAIL);
	for (pos = ioff; pos < len; pos++) {
		for (v = 0; v < 10; v++) {
			memcpy(copy, buf, len);
			if (v < 8)
				copy[pos] ^= (uint8_t)(1u << v);
			else if (v == 8)
				copy[pos] = (uint8_t)~copy[pos];
			else if (copy[pos] != 0)
				copy[pos] = 0;
			else
				continue;
			if (pos >= len - 8)		/* tail magic */
				want = len - 8;
			else if (pos >= len - PR_TAIL + 8)	/* its sum */
				want = ioff;
			else if (pos >= len - PR_TAIL)	/* index offset */
				want = len - PR_TAIL;
			else				/* index block */
				want = ioff;
			assert_end_damaged(copy, len, evs, want,
			    pos >= len - 8);
		}
	}
	free(copy);
	free(buf);
	free(evs);
}

/*
 * An index that passes its checks but disagrees with the body (frame 2
 * left out, totals and checksum made to match): the body is scanned and
 * all five frames come back.
 */
static void
test_index_disagrees(void **state)
{
	struct pr_event *evs;
	uint8_t *buf, *copy, *p, *e2;
	uint64_t ioff, nlen;
	size_t len, ilen;

	(void)state;
	evs = write_random(tpath("d.prt"), 29, 500, 100);
	buf = slurp(tpath("d.prt"), &len);
	copy = malloc(len);
	ioff = pr_le64dec(buf + len - PR_TAIL);
	ilen = len - PR_TAIL - ioff;
	assert_int_equal(pr_le64dec(buf + ioff + 8), 5);

	/* Copy the index without entry 2, then fix its totals and sums. */
	memcpy(copy, buf, ioff + 16 + 2 * PR_INDEX_ENTRY);
	e2 = buf + ioff + 16 + 2 * PR_INDEX_ENTRY;
	memcpy(copy + ioff + 16 + 2 * PR_INDEX_ENTRY, e2 + PR_INDEX_ENTRY,
	    ilen - 16 - 3 * PR_INDEX_ENTRY);
	p = copy + ioff;
	pr_le64enc(p + 8, 4);
	p += 16 + 4 * PR_INDEX_ENTRY;
	pr_le64enc(p, pr_le64dec(p) - pr_le32dec(e2 + 8 + PR_FH_EVENTS));
	pr_le64enc(p + 8, pr_le64dec(p + 8) - pr_le64dec(e2 + 8 + PR_FH_LOST));
	nlen = ilen - PR_INDEX_ENTRY;
	p = copy + ioff + nlen;
	pr_le64enc(p, ioff);
	pr_le64enc(p + 8, pr_checksum(0, copy + ioff, nlen));
	memcpy(p + 16, PR_TAIL_MAGIC, 8);
	assert_end_damaged(copy, ioff + nlen + PR_TAIL, evs, ioff, false);
	free(copy);
	free(buf);
	free(evs);
}

/*
 * A kind this build does not know (renamed in the table) is skipped, and
 * the events around it come out whole, streamed and frame by frame.
 */
static void
test_unknown_kind(void **state)
{
	struct pr_reader_status st;
	struct pr_reader *r;
	struct pr_event *evs, *fe, ev;
	uint8_t *buf, *p;
	size_t len, hlen, nscan, i, n, f, k, m;
	int err;

	(void)state;
	evs = write_random(tpath("k.prt"), 19, 2000, 0);
	buf = slurp(tpath("k.prt"), &len);
	hlen = pr_le32dec(buf + 12);
	p = memmem(buf + PR_FILE_FIXED, hlen, "\004scan", 5);
	assert_non_null(p);
	p[2] = 'k';	/* "skan" */
	pr_le64enc(buf + PR_FILE_FIXED + hlen, pr_checksum(0, buf,
	    PR_FILE_FIXED + hlen));
	r = open_patched(buf, len, tpath("kc.prt"), &err);
	assert_non_null(r);
	nscan = 0;
	for (i = 0; i < 2000; i++)
		nscan += evs[i].kind == PR_SCAN;
	assert_true(nscan > 0);
	n = 0;
	i = 0;
	while (pr_reader_next(r, &ev) == 1) {
		while (evs[i].kind == PR_SCAN)
			i++;
		assert_event_equal(&ev, &evs[i++]);
		n++;
	}
	assert_int_equal(n, 2000 - nscan);
	pr_reader_status(r, &st);
	assert_int_equal(st.skipped, nscan);
	assert_int_equal(st.error, PR_OK);
	i = 0;
	for (f = 0; f < pr_reader_frames(r); f++) {
		assert_int_equal(pr_reader_frame(r, f, &fe, &m), PR_OK);
		for (k = 0; k < m; k++) {
			while (evs[i].kind == PR_SCAN)
				i++;
			assert_event_equal(&fe[k], &evs[i++]);
		}
		free(fe);
	}
	while (i < 2000 && evs[i].kind == PR_SCAN)
		i++;
	assert_int_equal(i, 2000);
	pr_reader_close(r);
	free(buf);
	free(evs);
}

/*
 * kill -9 after pr_writer_flush(): every flushed event is readable and the
 * file says truncated.
 */
static void
test_kill9(void **state)
{
	struct pr_reader_status st;
	struct pr_reader *r;
	struct pr_header h;
	struct pr_writer *w;
	struct pr_event ev;
	uint64_t i;
	pid_t pid;
	int err, status;

	(void)state;
	pid = fork();
	assert_true(pid >= 0);
	if (pid == 0) {
		pr_header_init(&h, PR_SRC_EBPF);
		w = pr_writer_create(tpath("k9.prt"), &h, &err);
		if (w == NULL)
			_exit(1);
		memset(&ev, 0, sizeof(ev));
		for (i = 0; i < 30000; i++) {
			ev.kind = PR_PAGE_LOOKUP;
			ev.time_ns = i;
			ev.obj = i % 7;
			ev.npages = 1;
			if (pr_writer_write(w, &ev) != PR_OK)
				_exit(1);
			if (i % 7000 == 6999 && pr_writer_flush(w) != PR_OK)
				_exit(1);
		}
		pr_writer_flush(w);
		for (; i < 30100; i++)	/* never flushed */
			pr_writer_write(w, &ev);
		kill(getpid(), SIGKILL);
		_exit(1);
	}
	assert_int_equal(waitpid(pid, &status, 0), pid);
	assert_true(WIFSIGNALED(status));
	r = pr_reader_open(tpath("k9.prt"), &err);
	assert_non_null(r);
	pr_reader_status(r, &st);
	assert_true(st.truncated);
	assert_int_equal(st.events, 30000);
	assert_int_equal(pr_reader_frames(r), 5);
	for (i = 0; pr_reader_next(r, &ev) == 1; i++)
		assert_int_equal(ev.time_ns, i);
	assert_int_equal(i, 30000);
	pr_reader_close(r);
}

/*
 * One bit flipped in every byte of a frame's payload, every checksum made
 * to match (so that the frame's own checks are what stands): the frame is
 * either refused (PR_E_CORRUPT, the others still decode) or, when the bit
 * changes nothing zstd decodes (a window size field, say), gives exactly
 * the events written.  Never different events.
 */
static void
test_bitflip_payload(void **state)
{
	struct pr_reader *r;
	struct pr_event *evs, *fe;
	uint8_t *buf, *copy;
	uint64_t off;
	size_t len, comp, b, n, j;
	int err, rc, ncorrupt = 0;

	(void)state;
	evs = write_random(tpath("bf.prt"), 31, 500, 100);
	buf = slurp(tpath("bf.prt"), &len);
	copy = malloc(len);
	r = pr_reader_open(tpath("bf.prt"), &err);
	assert_non_null(r);
	assert_int_equal(pr_reader_frames(r), 5);
	off = pr_reader_frame_offset(r, 2);
	pr_reader_close(r);
	comp = pr_le32dec(buf + off + PR_FH_COMP);
	for (b = 0; b < comp; b++) {
		memcpy(copy, buf, len);
		copy[off + PR_FRAME_HDR + b] ^= (uint8_t)(1u << (b % 8));
		fix_frame(copy, len, 2, off);
		r = open_patched(copy, len, tpath("bfc.prt"), &err);
		assert_non_null(r);
		rc = pr_reader_frame(r, 2, &fe, &n);
		if (rc == PR_OK) {
			assert_int_equal(n, 100);
			for (j = 0; j < n; j++)
				assert_event_equal(&fe[j], &evs[200 + j]);
			free(fe);
		} else {
			assert_int_equal(rc, PR_E_CORRUPT);
			ncorrupt++;
		}
		assert_int_equal(pr_reader_frame(r, 3, &fe, &n), PR_OK);
		assert_event_equal(&fe[0], &evs[300]);
		free(fe);
		if (rc == PR_OK)
			assert_int_equal(read_compare(r, evs, 500), 0);
		else
			assert_int_equal(read_compare(r, evs, 200),
			    -PR_E_CORRUPT);
		pr_reader_close(r);
	}
	assert_true(ncorrupt > (int)comp / 2);
	free(copy);
	free(buf);
	free(evs);
}

/* Hand-made v2 streams for test_v2_decoder_checks(). */
struct v2frame {
	uint8_t		buf[PR_S_COUNT][64];
	size_t		len[PR_S_COUNT];
};

static void
v2_add(struct v2frame *f, unsigned s, const uint8_t *bytes, size_t n)
{
	memcpy(f->buf[s] + f->len[s], bytes, n);
	f->len[s] += n;
}

/*
 * Decode the hand-made frame of nevents events with an object table of
 * objcap entries by the rules of format version (2 or 3): lay the streams
 * out as pr_streams_dir() would, back to back before the zero padding.
 */
static int
vx_decode(uint32_t version, const struct v2frame *f, uint32_t nevents,
    uint32_t objcap, struct pr_event *out, size_t *np)
{
	static uint8_t raw[PR_S_COUNT * 64 + PR_STREAM_PAD];
	static struct pr_decoder2 d;
	struct pr_obj_ctx objs[8];
	struct pr_streams st;
	uint8_t kindmap[PR_EV_KIND + 1];
	uint64_t skipped;
	size_t off = 0;
	unsigned s;
	int err;

	memset(raw, 0, sizeof(raw));
	memset(&st, 0, sizeof(st));
	for (s = 0; s < PR_S_COUNT; s++) {
		memcpy(raw + off, f->buf[s], f->len[s]);
		st.off[s] = off;
		st.len[s] = f->len[s];
		off += f->len[s];
	}
	for (s = 0; s <= PR_EV_KIND; s++)
		kindmap[s] = s < PR_KIND_COUNT ? (uint8_t)s : PR_KINDMAP_NONE;
	if ((err = pr_decoder2_init(&d, version, kindmap, raw, &st,
	    nevents, objs, objcap)) != PR_OK)
		return (err);
	return (pr_decoder2_run(&d, out, nevents, np, &skipped));
}

/* vx_decode() by the rules of v2. */
static int
v2_decode(const struct v2frame *f, uint32_t nevents, uint32_t objcap,
    struct pr_event *out, size_t *np)
{
	return (vx_decode(PR_VERSION_V2, f, nevents, objcap, out, np));
}

/*
 * The v2 decoder's checks on the streams themselves (behind zstd's content
 * checksums, so only a forged frame meets them): a good frame decodes; an
 * object reference past the table, an unused or a missing stream byte, a
 * shape index past the table, a tid delta over 32 bits, a table of too
 * many objects and a bad shape table are PR_E_CORRUPT.
 */
static void
test_v2_decoder_checks(void **state)
{
	/* Two page_lookups of tid 7: a new object, then the slot's again. */
	static const uint8_t shapes[] = { PR_PAGE_LOOKUP, 0,
	    PR_M_TID | PR_M_OBJ | PR_M_PINDEX, PR_PAGE_LOOKUP, PR_F_WRITE,
	    PR_M_OBJ | PR_M_PINDEX };
	static const uint8_t shape[] = { 0, 1 }, time[] = { 20, 2 };
	static const uint8_t tid[] = { 14 }, obj[] = { 1, 0 }, objnew[] = { 10 };
	static const uint8_t pindex[] = { 6, 2 };
	struct v2frame good, f;
	struct pr_event out[4];
	size_t n;

	(void)state;
	memset(&good, 0, sizeof(good));
	v2_add(&good, PR_S_SHAPES, shapes, sizeof(shapes));
	v2_add(&good, PR_S_SHAPE, shape, sizeof(shape));
	v2_add(&good, PR_S_TIME, time, sizeof(time));
	v2_add(&good, PR_S_TID, tid, sizeof(tid));
	v2_add(&good, PR_S_OBJ, obj, sizeof(obj));
	v2_add(&good, PR_S_OBJNEW, objnew, sizeof(objnew));
	v2_add(&good, PR_S_PINDEX, pindex, sizeof(pindex));
	assert_int_equal(v2_decode(&good, 2, 3, out, &n), PR_OK);
	assert_int_equal(n, 2);
	assert_int_equal(out[0].time_ns, 10);
	assert_int_equal(out[1].time_ns, 11);
	assert_int_equal(out[0].tid, 7);
	assert_int_equal(out[1].tid, 7);
	assert_int_equal(out[0].obj, 5);
	assert_int_equal(out[1].obj, 5);
	assert_int_equal(out[0].pindex, 3);
	assert_int_equal(out[1].pindex, 4);
	assert_int_equal(out[1].flags, PR_F_WRITE);
	assert_int_equal(out[1].npages, 1);

	f = good;		/* a reference past the table */
	f.buf[PR_S_OBJ][1] = 3;
	assert_int_equal(v2_decode(&f, 2, 3, out, &n), PR_E_CORRUPT);
	f = good;		/* a byte left over */
	v2_add(&f, PR_S_PINDEX, pindex, 1);
	assert_int_equal(v2_decode(&f, 2, 3, out, &n), PR_E_CORRUPT);
	f = good;		/* a byte missing */
	f.len[PR_S_TIME] = 1;
	assert_int_equal(v2_decode(&f, 2, 3, out, &n), PR_E_CORRUPT);
	f = good;		/* a shape index past the table */
	f.buf[PR_S_SHAPE][1] = 2;
	assert_int_equal(v2_decode(&f, 2, 3, out, &n), PR_E_CORRUPT);
	f = good;		/* a tid delta over 32 bits */
	memcpy(f.buf[PR_S_TID], "\x80\x80\x80\x80\x20", 5);
	f.len[PR_S_TID] = 5;
	assert_int_equal(v2_decode(&f, 2, 3, out, &n), PR_E_CORRUPT);
	f = good;		/* two new objects: 3 entries hold them */
	f.buf[PR_S_OBJ][1] = 2;
	v2_add(&f, PR_S_OBJNEW, objnew, 1);
	assert_int_equal(v2_decode(&f, 2, 3, out, &n), PR_OK);
	assert_int_equal(out[1].obj, 10);
	assert_int_equal(v2_decode(&f, 2, 2, out, &n), PR_E_CORRUPT);
	f = good;		/* a shape table of 5 bytes */
	f.len[PR_S_SHAPES] = 5;
	assert_int_equal(v2_decode(&f, 2, 3, out, &n), PR_E_CORRUPT);
	f = good;		/* a kind byte past 127 */
	f.buf[PR_S_SHAPES][0] = 0x80;
	assert_int_equal(v2_decode(&f, 2, 3, out, &n), PR_E_CORRUPT);
}

/*
 * v3's predictions across fields, on streams that v2 reads otherwise: an
 * address against the object's mapping base plus the pindex (a map of the
 * next page of a mapping codes 0), a pindex against the object's previous
 * one, and npages against the pages that a sendfile's arg bytes at addr
 * span.
 */
static void
test_v3_predictions(void **state)
{
	/* map of a new object (tid 7), map of its next page, sendfile. */
	static const uint8_t shapes[] = {
	    PR_MAP, 0, PR_M_TID | PR_M_OBJ | PR_M_PINDEX | PR_M_ADDR,
	    PR_MAP, 0, PR_M_OBJ | PR_M_PINDEX | PR_M_ADDR,
	    PR_SENDFILE, 0, PR_M_OBJ | PR_M_PINDEX | PR_M_ADDR | PR_M_ARG |
	    PR_M_NPAGES };
	static const uint8_t shape[] = { 0, 1, 2 }, time[] = { 20, 2, 2 };
	static const uint8_t tid[] = { 14 }, obj[] = { 1, 0, 0 };
	static const uint8_t objnew[] = { 10 }, pindex[] = { 6, 2, 0 };
	static const uint8_t addr[] = { 64, 0, 1 }, addrlo[] = { 0x80, 0x02 };
	static const uint8_t arg[] = { 0x80, 0x80, 0x01 }, npages[] = { 0 };
	struct v2frame f;
	struct pr_event out[4];
	size_t n;

	(void)state;
	memset(&f, 0, sizeof(f));
	v2_add(&f, PR_S_SHAPES, shapes, sizeof(shapes));
	v2_add(&f, PR_S_SHAPE, shape, sizeof(shape));
	v2_add(&f, PR_S_TIME, time, sizeof(time));
	v2_add(&f, PR_S_TID, tid, sizeof(tid));
	v2_add(&f, PR_S_OBJ, obj, sizeof(obj));
	v2_add(&f, PR_S_OBJNEW, objnew, sizeof(objnew));
	v2_add(&f, PR_S_PINDEX, pindex, sizeof(pindex));
	v2_add(&f, PR_S_ADDR, addr, sizeof(addr));
	v2_add(&f, PR_S_ADDRLO, addrlo, sizeof(addrlo));
	v2_add(&f, PR_S_ARG, arg, sizeof(arg));
	v2_add(&f, PR_S_NPAGES, npages, sizeof(npages));
	assert_int_equal(vx_decode(PR_VERSION_V3, &f, 3, 2, out, &n), PR_OK);
	assert_int_equal(n, 3);
	assert_int_equal(out[0].obj, 5);
	assert_int_equal(out[0].pindex, 3);
	assert_int_equal(out[0].addr, 0x13000);	/* base 0x10000 + page 3 */
	assert_int_equal(out[1].pindex, 4);
	assert_int_equal(out[1].addr, 0x14000);	/* the same base */
	assert_int_equal(out[2].kind, PR_SENDFILE);
	assert_int_equal(out[2].pindex, 4);
	assert_int_equal(out[2].addr, 0x14100);
	assert_int_equal(out[2].arg, 0x2000);
	assert_int_equal(out[2].npages, 3);	/* 0x100 + 0x2000 bytes */
	/* v2 codes addr against the slot's, npages against the object's. */
	assert_int_equal(v2_decode(&f, 3, 2, out, &n), PR_OK);
	assert_int_equal(out[0].addr, 0x10000);
	assert_int_equal(out[1].addr, 0x10000);
	assert_int_equal(out[2].addr, 0x10100);
	assert_int_equal(out[2].npages, 1);
}

/*
 * Setup and teardown of the "(v1)" and "(v2)" tests: write_random()
 * writes that version; the others write the newest.
 */
static int
use_v1(void **state)
{
	(void)state;
	wversion = PR_VERSION_V1;
	return (0);
}

static int
use_default(void **state)
{
	(void)state;
	wversion = PR_TRACE_VERSION;
	return (0);
}

static int
use_v2(void **state)
{
	(void)state;
	wversion = PR_VERSION_V2;
	return (0);
}

#define V1_TEST(f)	{ #f " (v1)", f, use_v1, use_default, NULL }
#define V2_TEST(f)	{ #f " (v2)", f, use_v2, use_default, NULL }

static int
setup(void **state)
{
	(void)state;
	return (mkdtemp(tmpdir) == NULL ? -1 : 0);
}

static int
teardown(void **state)
{
	char cmd[512];

	(void)state;
	snprintf(cmd, sizeof(cmd), "rm -rf '%s'", tmpdir);
	return (system(cmd) == 0 ? 0 : -1);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_names),
		cmocka_unit_test(test_round_trip),
		cmocka_unit_test(test_frames_and_empty),
		cmocka_unit_test(test_writer_args),
		cmocka_unit_test(test_fault_around_flag),
		cmocka_unit_test(test_truncation_everywhere),
		cmocka_unit_test(test_bad_headers),
		cmocka_unit_test(test_corrupt_frame),
		cmocka_unit_test(test_scan_lies),
		cmocka_unit_test(test_bad_index),
		cmocka_unit_test(test_end_damage_everywhere),
		cmocka_unit_test(test_index_disagrees),
		cmocka_unit_test(test_unknown_kind),
		cmocka_unit_test(test_kill9),
		cmocka_unit_test(test_bitflip_payload),
		cmocka_unit_test(test_v2_decoder_checks),
		cmocka_unit_test(test_v3_predictions),
		V1_TEST(test_round_trip),
		V1_TEST(test_frames_and_empty),
		V1_TEST(test_truncation_everywhere),
		V1_TEST(test_corrupt_frame),
		V1_TEST(test_scan_lies),
		V1_TEST(test_bad_index),
		V1_TEST(test_end_damage_everywhere),
		V1_TEST(test_unknown_kind),
		V1_TEST(test_bitflip_payload),
		V2_TEST(test_round_trip),
		V2_TEST(test_frames_and_empty),
		V2_TEST(test_truncation_everywhere),
		V2_TEST(test_corrupt_frame),
		V2_TEST(test_scan_lies),
		V2_TEST(test_unknown_kind),
		V2_TEST(test_bitflip_payload),
	};

	return (cmocka_run_group_tests(tests, setup, teardown));
}
