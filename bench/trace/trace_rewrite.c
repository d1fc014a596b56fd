/*
 * trace_rewrite.c - rewrite a trace in format v1, v2 or v3 (the newest, by
 * default), event for event, to compare the formats on the same (real)
 * traces, or to bring a bundled trace to the newest format: the same header, notes
 * and frame boundaries (a frame of the input is a frame of the output, as
 * the recorder's per-second flushes made them), then every event of the
 * output is read back and compared with the input.  Prints bytes per
 * event and frames of both.  Not a user tool.
 *
 * --merge-frames concatenates the input's frames into output frames that
 * the writer ends at its own bound only (about 1 MiB of raw bytes, 256
 * shapes or 65536 objects: docs/trace-format.md): zstd pays part of its
 * cost per frame and stream, and a recording's one-second frames are
 * small (docs/benchmarks.md, "Larger frames on the bundled traces").
 * With --frame-events, --merge-frames is ignored.
 * --merge-frames=N flushes after every N input frames instead (as a
 * recorder flushing every N seconds would have written them), the writer's
 * bound still applying.  --frame-events N flushes after every N events
 * whatever the input's frames: small frames out of any trace, for the
 * tests of merging (bench/trace/meson.build) and to measure what a frame
 * of N events costs.
 *
 * --file-ids clears PR_OBJ_ANON (bit 63) in every object id: it repairs a
 * pcap trace recorded before record --pcap stopped giving about half of
 * all paths that bit, which replay reads as anonymous memory (so the
 * one use meant for users, docs/workloads.md).  Only for pcap traces,
 * whose objects are all files; it refuses, writing nothing, when two ids
 * would become one.  The read-back then compares with the input's ids so
 * cleared.
 *
 * usage: trace_rewrite [--version 1|2|3] [--merge-frames[=N] |
 *     --frame-events N] [--file-ids] IN OUT
 */
#include <sys/stat.h>

#include <err.h>
#include <getopt.h>
#include <inttypes.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cli.h"
#include "trace.h"
#include "trace_internal.h"

static uint64_t
file_size(const char *path)
{
	struct stat sb;

	if (stat(path, &sb) != 0)
		err(1, "%s", path);
	return ((uint64_t)sb.st_size);
}

static int
cmp_u64(const void *a, const void *b)
{
	uint64_t x = *(const uint64_t *)a, y = *(const uint64_t *)b;

	return (x < y ? -1 : x > y);
}

/* Distinct values among ids[0..n), which it sorts. */
static size_t
distinct(uint64_t *ids, size_t n)
{
	size_t i, d;

	qsort(ids, n, sizeof(ids[0]), cmp_u64);
	for (i = 0, d = 0; i < n; i++)
		if (i == 0 || ids[i] != ids[i - 1])
			d++;
	return (d);
}

static struct pr_reader *
open_sound(const char *path)
{
	struct pr_reader *r;
	int e;

	if ((r = pr_reader_open(path, &e)) == NULL)
		errx(1, "%s: %s", path, pr_strerror(e));
	return (r);
}

int
main(int argc, char **argv)
{
	static const struct option longopts[] = {
		{ "version", required_argument, NULL, 'v' },
		{ "merge-frames", optional_argument, NULL, 'm' },
		{ "frame-events", required_argument, NULL, 'e' },
		{ "file-ids", no_argument, NULL, 'f' },
		{ NULL, 0, NULL, 0 },
	};
	static const char usage[] = "usage: trace_rewrite [--version 1|2|3] "
	    "[--merge-frames[=N] | --frame-events N] [--file-ids] IN OUT";
	struct pr_reader_status st;
	struct pr_reader *in, *out;
	struct pr_writer *w;
	struct pr_event *evs = NULL, ev, ev2;
	const char *key;
	uint64_t version = PR_TRACE_VERSION, value, n = 0, k = 0;
	uint64_t merge = 1;	/* input frames per flush; 0: never flush */
	uint64_t fevents = 0;	/* events per flush instead (0: merge) */
	uint64_t clear = 0;	/* --file-ids: PR_OBJ_ANON, cleared */
	uint64_t *ids = NULL;	/* --file-ids: every event's obj */
	unsigned inversion;
	size_t cap = 0, nids = 0, idcap = 0, before, i, j, m;
	int c, e, rc;

	while ((c = getopt_long(argc, argv, "v:", longopts, NULL)) != -1) {
		if (c == 'v' && cli_parse_u64(optarg, 1, 3, &version) == 0)
			continue;
		if (c == 'm' && optarg == NULL) {
			merge = 0;
			continue;
		}
		if (c == 'm' && cli_parse_u64(optarg, 1, UINT32_MAX,
		    &merge) == 0)
			continue;
		if (c == 'e' && cli_parse_u64(optarg, 1, UINT32_MAX,
		    &fevents) == 0)
			continue;
		if (c == 'f') {
			clear = PR_OBJ_ANON;
			continue;
		}
		fprintf(stderr, "%s\n", usage);
		return (2);
	}
	if (argc - optind != 2)
		errx(2, "%s", usage);
	/*
	 * The writer would keep IN as IN.old and the read-back below would
	 * compare the output with itself.
	 */
	if (cli_same_file(argv[optind], argv[optind + 1]))
		errx(2, "%s is the input; refusing to overwrite it",
		    argv[optind + 1]);
	in = open_sound(argv[optind]);
	inversion = pr_reader_header(in)->version;
	if (clear != 0) {
		if (pr_reader_header(in)->source != PR_SRC_PCAP)
			errx(2, "%s: --file-ids: a trace from %s, not "
			    "pcap: its bit 63 may be anonymous memory",
			    argv[optind],
			    pr_source_name(pr_reader_header(in)->source));
		/* Before writing: two ids must not become one. */
		while ((rc = pr_reader_next(in, &ev)) == 1) {
			if (nids == idcap) {
				idcap = idcap == 0 ? 4096 : 2 * idcap;
				if ((ids = reallocarray(ids, idcap,
				    sizeof(ids[0]))) == NULL)
					err(1, "ids");
			}
			ids[nids++] = ev.obj;
		}
		if (rc != 0)
			errx(1, "%s: %s", argv[optind], pr_strerror(-rc));
		before = distinct(ids, nids);
		for (i = 0; i < nids; i++)
			ids[i] &= ~clear;
		if (distinct(ids, nids) != before)
			errx(1, "%s: --file-ids: two object ids differ in bit "
			    "63 only", argv[optind]);
		free(ids);
		pr_reader_close(in);
		in = open_sound(argv[optind]);
	}
	w = pr_writer_create_version(argv[optind + 1], pr_reader_header(in),
	    (uint32_t)version, &e);
	if (w == NULL)
		errx(1, "%s: %s", argv[optind + 1], pr_strerror(e));
	for (i = 0; i < pr_reader_frames(in); i++) {
		if ((e = pr_reader_frame_buf(in, i, &evs, &cap, &m)) != PR_OK)
			errx(1, "%s: frame %zu: %s", argv[optind], i,
			    pr_strerror(e));
		for (j = 0; j < m; j++) {
			evs[j].obj &= ~clear;
			if ((e = pr_writer_write(w, &evs[j])) != PR_OK)
				errx(1, "write: %s", pr_strerror(e));
			if (fevents != 0 && (n + j + 1) % fevents == 0 &&
			    (e = pr_writer_flush(w)) != PR_OK)
				errx(1, "flush: %s", pr_strerror(e));
		}
		if (fevents == 0 && merge != 0 && (i + 1) % merge == 0 &&
		    (e = pr_writer_flush(w)) != PR_OK)
			errx(1, "flush: %s", pr_strerror(e));
		n += m;
	}
	free(evs);
	for (i = 0; pr_reader_note(in, i, &key, &value); i++)
		if ((e = pr_writer_note(w, key, value)) != PR_OK)
			errx(1, "note: %s", pr_strerror(e));
	if ((e = pr_writer_close(w)) != PR_OK)
		errx(1, "close: %s", pr_strerror(e));
	pr_reader_status(in, &st);
	if (st.truncated || st.end_damaged || st.error != PR_OK)
		errx(1, "%s: not a sound trace", argv[optind]);
	pr_reader_close(in);

	/* Read both back: the same events, in order. */
	in = open_sound(argv[optind]);
	out = open_sound(argv[optind + 1]);
	while ((rc = pr_reader_next(in, &ev)) == 1) {
		ev.obj &= ~clear;
		if (pr_reader_next(out, &ev2) != 1 ||
		    memcmp(&ev, &ev2, offsetof(struct pr_event, flags) + 1) !=
		    0)
			errx(1, "event %" PRIu64 " differs", k);
		k++;
	}
	if (rc != 0 || pr_reader_next(out, &ev) != 0 || k != n)
		errx(1, "event counts differ");
	printf("%s: %" PRIu64 " events, v%u %zu frames %.3f B/event -> v%u "
	    "%zu frames %.3f B/event\n", argv[optind], n, inversion,
	    pr_reader_frames(in), (double)file_size(argv[optind]) / (double)n,
	    (unsigned)version, pr_reader_frames(out),
	    (double)file_size(argv[optind + 1]) / (double)n);
	pr_reader_close(in);
	pr_reader_close(out);
	return (0);
}
