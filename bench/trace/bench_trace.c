/*
 * bench_trace.c - trace library speed: for a synthetic trace of each model
 * (pagereplay synth build|sendfile), encode speed (pr_writer_write of
 * events held in memory), decode speed single-threaded (pr_reader_next,
 * and pr_reader_frame_buf over every frame) and bytes per event.  Events per
 * second of thread CPU time, medians of --repeat runs.  Not a test:
 * figures go in docs/benchmarks.md.
 *
 * With trace files as arguments, decode speed of those files instead
 * (any format version, e.g. the bundled traces and their trace_rewrite
 * copies), events per second of thread CPU time and of wall time.
 *
 * Each run opens the trace afresh, so by default it pays the page faults
 * of a process reading it for the first time: malloc hands the freed
 * buffers back to the kernel at close, and on the project's VM a first
 * touch of a page costs ~18 us (docs/benchmarks.md, "Decode after the
 * directio-fio fix").  --keep-memory tells malloc to keep freed memory
 * (mallopt), so that the runs after the first time the decoder alone.
 *
 * usage: bench_trace [--events N] [--repeat R] [--dir DIR] [--keep-memory]
 *     [TRACE...]
 */
#include <sys/stat.h>

#include <err.h>
#include <getopt.h>
#include <inttypes.h>
#include <malloc.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "cli.h"
#include "commands.h"
#include "trace.h"

/*
 * This thread's CPU time in ns: on a shared, loaded VM it leaves out the
 * time spent waiting for a CPU, which wall time would count.
 */
static uint64_t
cpu_ns(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_THREAD_CPUTIME_ID, &ts);
	return ((uint64_t)ts.tv_sec * 1000000000u + (uint64_t)ts.tv_nsec);
}


/* Print events/s as "median (best)": the best run is the least disturbed. */
static void
print_rate(uint64_t n, double *secs, int repeat)
{
	double med;

	med = cli_median(secs, (size_t)repeat);	/* secs[0]: the best */
	printf(" %6.1fM (%5.1fM)", (double)n / med / 1e6,
	    (double)n / secs[0] / 1e6);
}

/* Load every event of path into memory. */
static struct pr_event *
load(const char *path, uint64_t *np)
{
	struct pr_reader_status st;
	struct pr_reader *r;
	struct pr_event *evs, *fe;
	uint64_t n = 0;
	size_t i, k;
	int e;

	if ((r = pr_reader_open(path, &e)) == NULL)
		errx(1, "%s: %s", path, pr_strerror(e));
	pr_reader_status(r, &st);
	if ((evs = malloc(st.events * sizeof(*evs))) == NULL)
		err(1, "malloc");
	for (i = 0; i < pr_reader_frames(r); i++) {
		if ((e = pr_reader_frame(r, i, &fe, &k)) != PR_OK)
			errx(1, "%s: frame %zu: %s", path, i, pr_strerror(e));
		memcpy(evs + n, fe, k * sizeof(*fe));
		n += k;
		free(fe);
	}
	pr_reader_close(r);
	*np = n;
	return (evs);
}

/* Seconds to write n events to path. */
static double
encode(const char *path, const struct pr_event *evs, uint64_t n)
{
	struct pr_header h;
	struct pr_writer *w;
	uint64_t i, t0;
	int e;

	pr_header_init(&h, PR_SRC_SYNTH);
	t0 = cpu_ns();
	if ((w = pr_writer_create(path, &h, &e)) == NULL)
		errx(1, "%s: %s", path, pr_strerror(e));
	for (i = 0; i < n; i++)
		if ((e = pr_writer_write(w, &evs[i])) != PR_OK)
			errx(1, "write: %s", pr_strerror(e));
	if ((e = pr_writer_close(w)) != PR_OK)
		errx(1, "close: %s", pr_strerror(e));
	return ((double)(cpu_ns() - t0) / 1e9);
}

/*
 * CPU seconds to stream every event (*wall: wall seconds); *sink defeats
 * dead-code elimination.
 */
static double
decode_next(const char *path, uint64_t n, uint64_t *sink, double *wall)
{
	struct pr_reader *r;
	struct pr_event ev;
	uint64_t t0, w0, k = 0;
	int e;

	w0 = cli_now_ns();
	t0 = cpu_ns();
	if ((r = pr_reader_open(path, &e)) == NULL)
		errx(1, "%s: %s", path, pr_strerror(e));
	while (pr_reader_next(r, &ev) == 1) {
		*sink += ev.pindex;
		k++;
	}
	pr_reader_close(r);
	*wall = (double)(cli_now_ns() - w0) / 1e9;
	if (k != n)
		errx(1, "%s: read %" PRIu64 " of %" PRIu64, path, k, n);
	return ((double)(cpu_ns() - t0) / 1e9);
}

/*
 * As decode_next, frame by frame into one array (pr_reader_frame_buf, as
 * replay's loader decodes): an array a frame (pr_reader_frame) would time
 * malloc's page faults, not the decoder.
 */
static double
decode_frames(const char *path, uint64_t n, uint64_t *sink, double *wall)
{
	struct pr_reader *r;
	struct pr_event *evs = NULL;
	uint64_t t0, w0, k = 0;
	size_t i, m, cap = 0;
	int e;

	w0 = cli_now_ns();
	t0 = cpu_ns();
	if ((r = pr_reader_open(path, &e)) == NULL)
		errx(1, "%s: %s", path, pr_strerror(e));
	for (i = 0; i < pr_reader_frames(r); i++) {
		if (pr_reader_frame_buf(r, i, &evs, &cap, &m) != PR_OK)
			errx(1, "%s: frame %zu", path, i);
		*sink += evs[m - 1].pindex;
		k += m;
	}
	free(evs);
	pr_reader_close(r);
	*wall = (double)(cli_now_ns() - w0) / 1e9;
	if (k != n)
		errx(1, "%s: read %" PRIu64 " of %" PRIu64, path, k, n);
	return ((double)(cpu_ns() - t0) / 1e9);
}

/*
 * Decode speed of existing trace files: median (best) of repeat runs,
 * thread CPU time and wall time, pr_reader_next and pr_reader_frame_buf.
 */
static void
bench_files(char **paths, int npaths, int repeat)
{
	double next[16], frame[16], wnext[16], wframe[16];
	struct pr_reader_status st;
	struct pr_reader *r;
	struct stat sb;
	uint64_t sink = 0;
	int e, i, j;

	printf("events per second: median of --repeat runs (best run)\n");
	printf("%-40s %3s %9s %7s %16s %16s %16s %16s\n", "trace", "v",
	    "events", "B/event", "next (CPU)", "next (wall)", "frame (CPU)",
	    "frame (wall)");
	for (i = 0; i < npaths; i++) {
		if ((r = pr_reader_open(paths[i], &e)) == NULL)
			errx(1, "%s: %s", paths[i], pr_strerror(e));
		pr_reader_status(r, &st);
		printf("%-40s %3u %9" PRIu64, paths[i],
		    (unsigned)pr_reader_header(r)->version, st.events);
		pr_reader_close(r);
		if (stat(paths[i], &sb) != 0)
			err(1, "%s", paths[i]);
		printf(" %7.2f", (double)sb.st_size / (double)st.events);
		for (j = 0; j < repeat; j++) {
			next[j] = decode_next(paths[i], st.events, &sink,
			    &wnext[j]);
			frame[j] = decode_frames(paths[i], st.events, &sink,
			    &wframe[j]);
		}
		print_rate(st.events, next, repeat);
		print_rate(st.events, wnext, repeat);
		print_rate(st.events, frame, repeat);
		print_rate(st.events, wframe, repeat);
		printf("\n");
	}
	if (sink == 1)
		printf("\n");
}

static uint64_t
frames_of(const char *path)
{
	struct pr_reader_status st;
	struct pr_reader *r;
	int e;

	if ((r = pr_reader_open(path, &e)) == NULL)
		errx(1, "%s: %s", path, pr_strerror(e));
	pr_reader_status(r, &st);
	pr_reader_close(r);
	return (st.frames);
}

int
main(int argc, char **argv)
{
	static const char *const models[] = { "build", "sendfile" };
	static const struct option longopts[] = {
		{ "events", required_argument, NULL, 'n' },
		{ "repeat", required_argument, NULL, 'r' },
		{ "dir", required_argument, NULL, 'd' },
		{ "keep-memory", no_argument, NULL, 'k' },
		{ NULL, 0, NULL, 0 },
	};
	char src[512], dst[512], nev[32], *sargv[9];
	const char *dir = "/tmp";
	double enc[16], next[16], frame[16], wall;
	struct pr_event *evs;
	struct stat sb;
	uint64_t events = 10000000, repeat = 3, n, sink = 0;
	unsigned m;
	int c, i;

	while ((c = getopt_long(argc, argv, "n:r:d:k", longopts, NULL)) != -1) {
		switch (c) {
		case 'n':
			if (cli_parse_u64(optarg, 1, UINT64_MAX, &events) != 0)
				errx(2, "--events: bad number '%s'", optarg);
			break;
		case 'r':
			if (cli_parse_u64(optarg, 1, 16, &repeat) != 0)
				errx(2, "--repeat: 1..16");
			break;
		case 'd':
			dir = optarg;
			break;
		case 'k':
			/* No mmap'd blocks, no trimming of the heap. */
			if (mallopt(M_MMAP_THRESHOLD, 32 << 20) != 1 ||
			    mallopt(M_TRIM_THRESHOLD, 1 << 30) != 1)
				errx(1, "mallopt failed");
			break;
		default:
			fprintf(stderr, "usage: bench_trace [--events N] "
			    "[--repeat R] [--dir DIR] [--keep-memory] "
			    "[TRACE...]\n");
			return (2);
		}
	}
	if (optind < argc) {
		bench_files(argv + optind, argc - optind, (int)repeat);
		return (0);
	}
	printf("events per CPU second: median of --repeat runs (best run)\n");
	printf("%-9s %10s %7s %7s %16s %16s %16s\n", "model", "events",
	    "frames", "B/event", "encode", "decode next", "decode frame");
	for (m = 0; m < 2; m++) {
		snprintf(src, sizeof(src), "%s/bench-trace-%s.prt", dir,
		    models[m]);
		snprintf(dst, sizeof(dst), "%s/bench-trace-%s.out.prt", dir,
		    models[m]);
		snprintf(nev, sizeof(nev), "%" PRIu64, events);
		sargv[0] = "synth";
		sargv[1] = (char *)models[m];
		sargv[2] = "-n";
		sargv[3] = nev;
		sargv[4] = "--seed";
		sargv[5] = "1";
		sargv[6] = "-o";
		sargv[7] = src;
		sargv[8] = NULL;
		if (cmd_synth(8, sargv) != 0)
			errx(1, "synth %s failed", models[m]);
		evs = load(src, &n);
		for (i = 0; i < (int)repeat; i++) {
			enc[i] = encode(dst, evs, n);
			next[i] = decode_next(dst, n, &sink, &wall);
			frame[i] = decode_frames(dst, n, &sink, &wall);
		}
		if (stat(dst, &sb) != 0)
			err(1, "%s", dst);
		printf("%-9s %10" PRIu64 " %7" PRIu64 " %7.2f", models[m], n,
		    frames_of(dst), (double)sb.st_size / (double)n);
		print_rate(n, enc, (int)repeat);
		print_rate(n, next, (int)repeat);
		print_rate(n, frame, (int)repeat);
		printf("\n");
		free(evs);
		unlink(src);
		unlink(dst);
	}
	return (sink == 1 ? 1 : 0);
}
