/*
 * fuzz_pcap_file.c - libFuzzer harness for `record --pcap` whole: any
 * bytes, as a capture file read by libpcap (pcap or pcapng), through the
 * command into a trace.  The command must exit 0, or 1 for a capture
 * libpcap refuses or that ends in an error; whenever it wrote a trace,
 * every event in it and the pcap.* notes go through pcap_oracle.  Files
 * are memfds, so runs touch no disk.
 */
#include <sys/mman.h>

#include <fcntl.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "commands.h"
#include "pcap_http.h"
#include "pcap_oracle.h"
#include "trace.h"

int	LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

/* A memfd named by a /proc/self/fd path in path[size]. */
static int
memfd(const char *name, char *path, size_t size)
{
	int fd;

	if ((fd = memfd_create(name, MFD_CLOEXEC)) < 0)
		abort();
	snprintf(path, size, "/proc/self/fd/%d", fd);
	return (fd);
}

/* The counters of the trace's pcap.* notes. */
static void
read_counts(struct pr_reader *r, struct ph_counts *c)
{
	static const struct {
		const char	*key;
		size_t		 off;
	} keys[] = {
		{ "pcap.requests", offsetof(struct ph_counts, requests) },
		{ "pcap.no_body", offsetof(struct ph_counts, no_body) },
		{ "pcap.unanswered", offsetof(struct ph_counts, unanswered) },
		{ "pcap.dropped_requests",
		    offsetof(struct ph_counts, dropped_requests) },
		{ "pcap.estimated", offsetof(struct ph_counts, estimated) },
		{ "pcap.clipped", offsetof(struct ph_counts, clipped) },
	};
	const char *k;
	uint64_t v;
	size_t i, j, found;

	memset(c, 0, sizeof(*c));
	for (i = 0, found = 0; pr_reader_note(r, i, &k, &v); i++)
		for (j = 0; j < sizeof(keys) / sizeof(keys[0]); j++)
			if (strcmp(k, keys[j].key) == 0) {
				memcpy((char *)c + keys[j].off, &v, sizeof(v));
				found++;
			}
	if (found != sizeof(keys) / sizeof(keys[0])) {
		fprintf(stderr, "pcap oracle: %zu of the notes\n", found);
		abort();
	}
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static char in[64], out[64];
	static int infd = -1, outfd = -1;
	char *argv[] = { (char *)"record", (char *)"--pcap", in,
	    (char *)"-o", out, NULL };
	struct pcap_oracle o;
	struct ph_counts c;
	struct pr_reader *r;
	struct pr_event ev;
	int rc, e;

	if (infd < 0) {
		infd = memfd("prfuzz-pcap", in, sizeof(in));
		outfd = memfd("prfuzz-prt", out, sizeof(out));
	}
	if (ftruncate(infd, 0) != 0 || ftruncate(outfd, 0) != 0 ||
	    (size > 0 && pwrite(infd, data, size, 0) != (ssize_t)size))
		abort();
	rc = cmd_record_pcap(5, argv);
	if (rc != 0 && rc != 1)
		abort();
	if ((r = pr_reader_open(out, &e)) == NULL) {
		if (rc == 0)		/* success without a trace */
			abort();
		return (0);
	}
	memset(&o, 0, sizeof(o));
	while ((e = pr_reader_next(r, &ev)) == 1)
		pcap_oracle_event(&o, &ev);
	if (e != 0)
		abort();
	read_counts(r, &c);
	c.events = o.events;
	pcap_oracle_end(&o, &c);
	pr_reader_close(r);
	return (0);
}
