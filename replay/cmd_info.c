/*
 * cmd_info.c - `pagereplay info FILE [--json] [--allow-truncated]`: a
 * trace's header, duration, events and pages per kind, losses, frames,
 * bytes per event and trailer notes, as a table or as JSON.
 *
 * Every frame is decoded (that is how the per-kind counts are known), so a
 * damaged file is checked as a side effect: a corrupt frame is named with
 * its byte offset, and a file cut short or with a damaged end marker (tail
 * or index block) reports what was recovered.
 */
#include <sys/stat.h>

#include <err.h>
#include <errno.h>
#include <getopt.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "cli.h"
#include "commands.h"
#include "prime.h"
#include "trace.h"

/* A frame that failed its checks. */
struct bad_frame {
	size_t		frame;
	uint64_t	offset;
	int		error;
};

/* What info learns by decoding every frame. */
struct info {
	uint64_t	size;			/* file bytes */
	uint64_t	events;			/* decoded */
	uint64_t	by_kind[PR_KIND_COUNT];
	uint64_t	pages_by_kind[PR_KIND_COUNT];
	uint64_t	first_ns;
	uint64_t	last_ns;
	struct bad_frame *bad;
	size_t		nbad;
	struct pr_reader_status st;
	struct rp_prime	prime;			/* what a replay primes */
};

static void
usage(FILE *f)
{
	fprintf(f,
"usage: pagereplay info FILE [--json] [--allow-truncated]\n"
"\n"
"Show a trace's header (format version, source, host, clock, start time,\n"
"command line), how long the recording lasted (when the recorder noted\n"
"its end), the span of its events, events and pages per kind, lost events,\n"
"frames, bytes per event, what a replay primes (the objects and pages the\n"
"trace touches before creating them) and trailer notes.  Every frame is\n"
"decoded and checked.\n"
"\n"
"      --json             print one JSON object instead of the table\n"
"      --allow-truncated  exit 0 on a file cut short (no end marker);\n"
"                         what was recovered is reported either way\n"
"  -h, --help             this text\n"
"\n"
"Exit status: 0 on a complete, valid trace; 1 when the file cannot be\n"
"read, a frame or the end marker (tail, index block) is corrupt (named\n"
"with its byte offset on stderr), or the file is truncated without\n"
"--allow-truncated; 2 on a usage error.\n"
"\n"
"Manual: man pagereplay-info; docs in " PR_DOCDIR "\n");
}

/* Decode every frame; count per kind; remember the frames that fail. */
static int
scan(struct pr_reader *r, struct info *in)
{
	struct bad_frame *nb;
	struct pr_event *evs;
	size_t nf, i, j, n, cap;
	int e;

	/* One array for every frame: a fresh one a frame costs page faults. */
	evs = NULL;
	cap = 0;
	nf = pr_reader_frames(r);
	for (i = 0; i < nf; i++) {
		if ((e = pr_reader_frame_buf(r, i, &evs, &cap, &n)) != PR_OK) {
			if (e == PR_E_NOMEM)
				goto fail;
			nb = realloc(in->bad, (in->nbad + 1) * sizeof(*nb));
			if (nb == NULL)
				goto nomem;
			in->bad = nb;
			nb[in->nbad].frame = i;
			nb[in->nbad].offset = pr_reader_frame_offset(r, i);
			nb[in->nbad].error = e;
			in->nbad++;
			continue;
		}
		for (j = 0; j < n; j++) {
			if (in->events == 0 || evs[j].time_ns < in->first_ns)
				in->first_ns = evs[j].time_ns;
			if (in->events == 0 || evs[j].time_ns > in->last_ns)
				in->last_ns = evs[j].time_ns;
			in->by_kind[evs[j].kind]++;
			in->pages_by_kind[evs[j].kind] += evs[j].npages;
			in->events++;
			if (rp_prime_event(&in->prime, &evs[j]) != 0)
				goto nomem;
		}
		if (cli_progress_enabled())
			cli_progress("info: frame %zu/%zu", i + 1, nf);
	}
	free(evs);
	cli_progress_done();
	pr_reader_status(r, &in->st);
	return (rp_prime_finish(&in->prime) == 0 ? PR_OK : PR_E_NOMEM);
nomem:
	e = PR_E_NOMEM;
fail:
	free(evs);
	return (e);
}

/* Print s as a JSON string (quoted, escaped). */
static void
json_str(const char *s)
{
	const unsigned char *p;

	putchar('"');
	for (p = (const unsigned char *)s; *p != '\0'; p++) {
		if (*p == '"' || *p == '\\')
			printf("\\%c", *p);
		else if (*p < 0x20)
			printf("\\u%04x", *p);
		else
			putchar(*p);
	}
	putchar('"');
}

static double
bytes_per_event(const struct info *in)
{
	return (in->events == 0 ? 0.0 : (double)in->size /
	    (double)in->events);
}

static uint64_t
duration_ns(const struct info *in)
{
	return (in->events == 0 ? 0 : in->last_ns - in->first_ns);
}

/*
 * How long the recording lasted: from the header's start to the end the
 * recorder noted (record.end_ns, CLOCK_REALTIME like start_ns); 0 when it
 * did not note one (synthetic traces, older recordings).  A quiet system
 * records events for only part of it, so this is not duration_ns().
 */
static uint64_t
recorded_ns(struct pr_reader *r)
{
	const struct pr_header *h = pr_reader_header(r);
	const char *key;
	uint64_t value;
	size_t i;

	for (i = 0; pr_reader_note(r, i, &key, &value); i++)
		if (strcmp(key, "record.end_ns") == 0 && value > h->start_ns)
			return (value - h->start_ns);
	return (0);
}

static void
print_json(const char *path, struct pr_reader *r, const struct info *in)
{
	const struct pr_header *h = pr_reader_header(r);
	const char *key;
	uint64_t value;
	size_t i;
	unsigned k;

	printf("{\"file\": ");
	json_str(path);
	printf(", \"version\": %" PRIu32 ", \"source\": ", h->version);
	json_str(pr_source_name(h->source));
	printf(", \"kernel\": ");
	json_str(h->kernel);
	printf(", \"hostname\": ");
	json_str(h->hostname);
	printf(", \"ncpus\": %" PRIu32 ", \"page_size\": %" PRIu32
	    ", \"clock\": ", h->ncpus, h->page_size);
	json_str(h->clock);
	printf(", \"start_ns\": %" PRIu64 ", \"cmdline\": ", h->start_ns);
	json_str(h->cmdline);
	printf(", \"events\": %" PRIu64 ", \"by_kind\": {", in->events);
	for (k = 0; k < PR_KIND_COUNT; k++)
		printf("%s\"%s\": %" PRIu64, k == 0 ? "" : ", ",
		    pr_kind_name(k), in->by_kind[k]);
	printf("}, \"pages_by_kind\": {");
	for (k = 0; k < PR_KIND_COUNT; k++)
		printf("%s\"%s\": %" PRIu64, k == 0 ? "" : ", ",
		    pr_kind_name(k), in->pages_by_kind[k]);
	printf("}, \"lost\": %" PRIu64 ", \"skipped\": %" PRIu64
	    ", \"frames\": %zu, \"bytes\": %" PRIu64
	    ", \"bytes_per_event\": %.3f, \"duration_ns\": %" PRIu64
	    ", \"recorded_ns\": %" PRIu64
	    ", \"first_ns\": %" PRIu64 ", \"last_ns\": %" PRIu64
	    ", \"truncated\": %s, \"end_damaged\": %s"
	    ", \"corrupt_frames\": [",
	    in->st.lost, in->st.skipped, pr_reader_frames(r), in->size,
	    bytes_per_event(in), duration_ns(in), recorded_ns(r), in->first_ns,
	    in->last_ns,
	    in->st.truncated ? "true" : "false",
	    in->st.end_damaged ? "true" : "false");
	for (i = 0; i < in->nbad; i++)
		printf("%s{\"frame\": %zu, \"offset\": %" PRIu64
		    ", \"error\": \"%s\"}", i == 0 ? "" : ", ",
		    in->bad[i].frame, in->bad[i].offset,
		    pr_strerror(in->bad[i].error));
	printf("], \"error\": ");
	if (in->st.error == PR_OK)
		printf("null");
	else
		printf("{\"error\": \"%s\", \"frame\": %" PRIu64
		    ", \"offset\": %" PRIu64 "}", pr_strerror(in->st.error),
		    in->st.error_frame, in->st.error_offset);
	printf(", \"prime\": {\"objects\": %" PRIu64 ", \"pages\": %" PRIu64
	    ", \"inactive\": %" PRIu64 ", \"active\": %" PRIu64
	    ", \"wired\": %" PRIu64 "}", in->prime.cnt.objects,
	    in->prime.cnt.pages, in->prime.cnt.inactive, in->prime.cnt.active,
	    in->prime.cnt.wired);
	printf(", \"notes\": {");
	for (i = 0; pr_reader_note(r, i, &key, &value); i++) {
		printf("%s", i == 0 ? "" : ", ");
		json_str(key);
		printf(": %" PRIu64, value);
	}
	printf("}}\n");
}

static void
print_table(const char *path, struct pr_reader *r, const struct info *in)
{
	const struct pr_header *h = pr_reader_header(r);
	const char *key;
	uint64_t value;
	time_t secs;
	struct tm tm;
	char when[64];
	size_t i;
	unsigned k;

	secs = (time_t)(h->start_ns / 1000000000u);
	if (gmtime_r(&secs, &tm) == NULL ||
	    strftime(when, sizeof(when), "%Y-%m-%dT%H:%M:%SZ", &tm) == 0)
		snprintf(when, sizeof(when), "?");
	printf("file:      %s\n", path);
	printf("format:    version %" PRIu32 "\n", h->version);
	printf("source:    %s\n", pr_source_name(h->source));
	printf("host:      %s, kernel %s, %" PRIu32 " CPUs, page size %"
	    PRIu32 "\n", h->hostname, h->kernel, h->ncpus, h->page_size);
	printf("clock:     %s, start %s (%" PRIu64 " ns)\n", h->clock, when,
	    h->start_ns);
	printf("command:   %s\n", h->cmdline);
	if (recorded_ns(r) > 0)
		printf("recorded:  %.3f s (start to end of the recording)\n",
		    (double)recorded_ns(r) / 1e9);
	printf("duration:  %.6f s (first to last event)\n",
	    (double)duration_ns(in) / 1e9);
	printf("events:    %" PRIu64 "\n", in->events);
	printf("lost:      %" PRIu64 "\n", in->st.lost);
	if (in->st.skipped != 0)
		printf("skipped:   %" PRIu64 " (kinds unknown to this "
		    "version)\n", in->st.skipped);
	printf("frames:    %zu\n", pr_reader_frames(r));
	printf("size:      %" PRIu64 " bytes, %.2f bytes/event\n", in->size,
	    bytes_per_event(in));
	printf("status:    %s\n", in->nbad != 0 ? "CORRUPT FRAMES" :
	    in->st.truncated ? "TRUNCATED (no end marker)" :
	    in->st.end_damaged ? "DAMAGED END MARKER (tail or index block)" :
	    in->st.error != PR_OK ? pr_strerror(in->st.error) : "complete");
	printf("primed:    %" PRIu64 " objects, %" PRIu64 " pages (%" PRIu64
	    " inactive, %" PRIu64 " active, %" PRIu64 " wired) before a "
	    "replay\n", in->prime.cnt.objects, in->prime.cnt.pages,
	    in->prime.cnt.inactive, in->prime.cnt.active,
	    in->prime.cnt.wired);
	printf("\n%-14s %12s %12s\n", "kind", "events", "pages");
	for (k = 0; k < PR_KIND_COUNT; k++)
		if (in->by_kind[k] != 0)
			printf("%-14s %12" PRIu64 " %12" PRIu64 "\n",
			    pr_kind_name(k), in->by_kind[k],
			    in->pages_by_kind[k]);
	for (i = 0; pr_reader_note(r, i, &key, &value); i++)
		printf("%s%-24s %" PRIu64 "\n", i == 0 ? "\nnotes:\n  " : "  ",
		    key, value);
}

int
cmd_info(int argc, char **argv)
{
	static const struct option longopts[] = {
		{ "json", no_argument, NULL, 'j' },
		{ "allow-truncated", no_argument, NULL, 't' },
		{ "help", no_argument, NULL, 'h' },
		{ NULL, 0, NULL, 0 },
	};
	struct pr_reader *r;
	struct info in;
	struct stat sb;
	const char *path;
	char where[64] = "";
	bool json = false, allow_trunc = false, listed;
	size_t i;
	int c, e, rc;

	optind = 1;
	while ((c = getopt_long(argc, argv, "h", longopts, NULL)) != -1) {
		switch (c) {
		case 'j':
			json = true;
			break;
		case 't':
			allow_trunc = true;
			break;
		case 'h':
			usage(stdout);
			return (0);
		default:
			usage(stderr);
			return (EXIT_USAGE);
		}
	}
	if (optind != argc - 1) {
		usage(stderr);
		return (EXIT_USAGE);
	}
	path = argv[optind];
	if (cli_stdout_is(path)) {
		warnx("info: %s: is also stdout; refusing to write into the "
		    "input", path);
		return (1);
	}
	if ((r = pr_reader_open(path, &e)) == NULL) {
		if (e == PR_E_IO)
			warnx("info: %s: %s", path, strerror(errno));
		else
			warnx("info: %s: %s", path, pr_strerror(e));
		return (1);
	}
	memset(&in, 0, sizeof(in));
	rp_prime_init(&in.prime);
	if (stat(path, &sb) == 0)
		in.size = (uint64_t)sb.st_size;
	if ((e = scan(r, &in)) != PR_OK) {
		warnx("info: %s: %s", path, pr_strerror(e));
		pr_reader_close(r);
		free(in.bad);
		rp_prime_free(&in.prime);
		return (1);
	}
	if (json)
		print_json(path, r, &in);
	else
		print_table(path, r, &in);
	rc = 0;
	for (i = 0; i < in.nbad; i++) {
		warnx("info: %s: frame %zu at byte %" PRIu64 ": %s", path,
		    in.bad[i].frame, in.bad[i].offset,
		    pr_strerror(in.bad[i].error));
		rc = 1;
	}
	/*
	 * Damage the scan of a file without its end marker went past (a
	 * header that breaks a bound, trace-format.md rule 3) is named too:
	 * --allow-truncated accepts a cut, not damage.
	 */
	listed = false;
	for (i = 0; i < in.nbad; i++)
		listed |= in.bad[i].offset == in.st.error_offset;
	if (in.st.truncated && in.st.error != PR_OK &&
	    in.st.error != PR_E_TRUNCATED && !listed) {
		warnx("info: %s: byte %" PRIu64 ": %s (frame header; the scan "
		    "went on from the next sound frame)", path,
		    in.st.error_offset, pr_strerror(in.st.error));
		rc = 1;
	}
	if (in.st.truncated) {
		if (in.st.error == PR_E_TRUNCATED)
			snprintf(where, sizeof(where), " at byte %" PRIu64,
			    in.st.error_offset);
		warnx("info: %s: truncated%s: recovered %" PRIu64 " events in "
		    "%zu frames%s", path, where, in.events,
		    pr_reader_frames(r),
		    allow_trunc ? "" : " (--allow-truncated to accept)");
		if (!allow_trunc)
			rc = 1;
	} else if (in.st.error != PR_OK && in.nbad == 0) {
		warnx("info: %s: byte %" PRIu64 ": %s%s; recovered %" PRIu64
		    " events in %zu frames", path, in.st.error_offset,
		    pr_strerror(in.st.error), in.st.end_damaged ?
		    " (damaged end marker: tail or index block)" : "",
		    in.events, pr_reader_frames(r));
		rc = 1;
	} else if (in.st.end_damaged) {
		warnx("info: %s: damaged end marker (tail or index block); "
		    "recovered %" PRIu64 " events in %zu frames", path,
		    in.events, pr_reader_frames(r));
	}
	pr_reader_close(r);
	free(in.bad);
	rp_prime_free(&in.prime);
	return (rc);
}
