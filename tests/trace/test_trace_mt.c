/*
 * test_trace_mt.c - pr_reader_frame() from several threads at once (plus
 * one thread streaming with pr_reader_next() on the same reader) decodes
 * exactly what a single thread does.  Suite stress: also run under TSan.
 */
#include <pthread.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <cmocka.h>

#include "trace.h"

#define NTHREADS	4
#define ROUNDS		3

static char	path[256];

/* One decoding thread's view: a hash of each frame's events. */
struct worker {
	pthread_t	thr;
	struct pr_reader *r;
	size_t		start;		/* first frame it decodes */
	uint64_t	*hash;		/* per frame */
	int		err;
};

static uint64_t
hash_events(const struct pr_event *evs, size_t n)
{
	uint64_t h = 1469598103934665603ull;
	size_t i;

	for (i = 0; i < n; i++) {
		h = (h ^ evs[i].time_ns) * 1099511628211ull;
		h = (h ^ evs[i].obj ^ evs[i].pindex << 7) * 1099511628211ull;
		h = (h ^ evs[i].addr ^ evs[i].pmap << 3) * 1099511628211ull;
		h = (h ^ evs[i].arg ^ evs[i].npages) * 1099511628211ull;
		h = (h ^ (uint64_t)evs[i].tid << 32 ^ evs[i].cpu << 8 ^
		    evs[i].kind ^ (uint64_t)evs[i].flags << 16) *
		    1099511628211ull;
	}
	return (h);
}

static void *
worker_main(void *arg)
{
	struct worker *w = arg;
	struct pr_event *evs;
	size_t nf, i, k, n;
	int round;

	nf = pr_reader_frames(w->r);
	for (round = 0; round < ROUNDS; round++) {
		for (k = 0; k < nf; k++) {
			i = (w->start + k) % nf;
			if ((w->err = pr_reader_frame(w->r, i, &evs, &n)) !=
			    PR_OK)
				return (NULL);
			w->hash[i] = hash_events(evs, n);
			free(evs);
		}
	}
	return (NULL);
}

/* Stream the whole trace; the hash of all events in order. */
static void *
streamer_main(void *arg)
{
	struct worker *w = arg;
	struct pr_event ev;
	uint64_t h = 0;
	int rc;

	while ((rc = pr_reader_next(w->r, &ev)) == 1)
		h = h * 31 + hash_events(&ev, 1);
	w->err = rc;
	w->hash[0] = h;
	return (NULL);
}

static void
test_parallel_frames(void **state)
{
	struct worker ws[NTHREADS], st;
	struct pr_reader *r;
	struct pr_event *evs, ev;
	uint64_t *want, stream_want = 0, stream_hash = 0;
	size_t nf, i, n;
	int err, t;

	(void)state;
	r = pr_reader_open(path, &err);
	assert_non_null(r);
	nf = pr_reader_frames(r);
	assert_true(nf >= 4);
	want = calloc(nf, sizeof(*want));
	for (i = 0; i < nf; i++) {
		assert_int_equal(pr_reader_frame(r, i, &evs, &n), PR_OK);
		want[i] = hash_events(evs, n);
		free(evs);
	}
	while (pr_reader_next(r, &ev) == 1)
		stream_want = stream_want * 31 + hash_events(&ev, 1);
	pr_reader_close(r);

	r = pr_reader_open(path, &err);
	assert_non_null(r);
	for (t = 0; t < NTHREADS; t++) {
		ws[t].r = r;
		ws[t].start = (size_t)t * nf / NTHREADS;
		ws[t].hash = calloc(nf, sizeof(uint64_t));
		ws[t].err = 0;
		assert_int_equal(pthread_create(&ws[t].thr, NULL,
		    worker_main, &ws[t]), 0);
	}
	st.r = r;
	st.hash = &stream_hash;
	assert_int_equal(pthread_create(&st.thr, NULL, streamer_main, &st),
	    0);
	for (t = 0; t < NTHREADS; t++) {
		assert_int_equal(pthread_join(ws[t].thr, NULL), 0);
		assert_int_equal(ws[t].err, PR_OK);
		for (i = 0; i < nf; i++)
			assert_int_equal(ws[t].hash[i], want[i]);
		free(ws[t].hash);
	}
	assert_int_equal(pthread_join(st.thr, NULL), 0);
	assert_int_equal(st.err, 0);
	assert_int_equal(stream_hash, stream_want);
	pr_reader_close(r);
	free(want);
}

static int
setup(void **state)
{
	struct pr_header h;
	struct pr_writer *w;
	struct pr_event ev;
	uint64_t i, s = 7;
	int err, fd;

	(void)state;
	snprintf(path, sizeof(path), "/tmp/prtrace-mt.XXXXXX");
	if ((fd = mkstemp(path)) < 0)
		return (-1);
	close(fd);
	pr_header_init(&h, PR_SRC_SYNTH);
	if ((w = pr_writer_create(path, &h, &err)) == NULL)
		return (-1);
	memset(&ev, 0, sizeof(ev));
	for (i = 0; i < 200000; i++) {
		s = s * 6364136223846793005ull + 1442695040888963407ull;
		ev.time_ns = i * 97;
		ev.kind = (uint8_t)((s >> 33) % PR_KIND_COUNT);
		ev.obj = (s >> 40) % 5000;
		ev.pindex = (s >> 20) % 100000;
		ev.addr = ev.pindex << 12;
		ev.npages = 1 + (uint32_t)(s % 4);
		ev.tid = 100 + (uint32_t)(i % 13);
		ev.cpu = (uint32_t)(i % 4);
		if (pr_writer_write(w, &ev) != PR_OK)
			return (-1);
		if (i % 20000 == 19999 && pr_writer_flush(w) != PR_OK)
			return (-1);
	}
	return (pr_writer_close(w) == PR_OK ? 0 : -1);
}

static int
teardown(void **state)
{
	(void)state;
	return (unlink(path));
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_parallel_frames),
	};

	return (cmocka_run_group_tests(tests, setup, teardown));
}
