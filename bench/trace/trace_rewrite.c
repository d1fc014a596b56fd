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
 * usage: trace_rewrite [--version 1|2|3] [--merge-frames[=N] |
 *     --frame-events N] IN OUT
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
		{ NULL, 0, NULL, 0 },
	};
	static const char usage[] = "usage: trace_rewrite [--version 1|2|3] "
	    "[--merge-frames[=N] | --frame-events N] IN OUT";
	struct pr_reader_status st;
	struct pr_reader *in, *out;
	struct pr_writer *w;
	struct pr_event *evs = NULL, ev, ev2;
	const char *key;
	uint64_t version = PR_TRACE_VERSION, value, n = 0, k = 0;
	uint64_t merge = 1;	/* input frames per flush; 0: never flush */
	uint64_t fevents = 0;	/* events per flush instead (0: merge) */
	unsigned inversion;
	size_t cap = 0, i, j, m;
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
	w = pr_writer_create_version(argv[optind + 1], pr_reader_header(in),
	    (uint32_t)version, &e);
	if (w == NULL)
		errx(1, "%s: %s", argv[optind + 1], pr_strerror(e));
	for (i = 0; i < pr_reader_frames(in); i++) {
		if ((e = pr_reader_frame_buf(in, i, &evs, &cap, &m)) != PR_OK)
			errx(1, "%s: frame %zu: %s", argv[optind], i,
			    pr_strerror(e));
		for (j = 0; j < m; j++) {
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
