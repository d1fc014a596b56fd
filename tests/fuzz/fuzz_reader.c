/*
 * fuzz_reader.c - libFuzzer harness for the trace reader: any bytes, opened
 * as a file, must give an error or events, never a crash, a leak or a
 * hang.  Built with trace.c in FUZZING_BUILD_MODE_UNSAFE_FOR_PRODUCTION,
 * where checksums are not enforced, so mutations reach the decoder.
 */
#include <sys/mman.h>

#include <fcntl.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <unistd.h>

#include "trace.h"

int	LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static char path[64];
	static int fd = -1;
	struct pr_reader_status st;
	struct pr_reader *r;
	struct pr_event ev, *evs;
	const char *key;
	uint64_t value, sum = 0;
	size_t i, n;
	int err, rc;

	if (fd < 0) {
		if ((fd = memfd_create("prfuzz", MFD_CLOEXEC)) < 0)
			abort();
		snprintf(path, sizeof(path), "/proc/self/fd/%d", fd);
	}
	if (ftruncate(fd, 0) != 0 ||
	    (size > 0 && pwrite(fd, data, size, 0) != (ssize_t)size))
		abort();
	if ((r = pr_reader_open(path, &err)) == NULL) {
		if (err <= PR_OK || err >= PR_E_COUNT)
			abort();
		return (0);
	}
	(void)pr_reader_header(r);
	while ((rc = pr_reader_next(r, &ev)) != 0) {
		if (rc < -PR_E_COUNT || rc > 1)
			abort();
		if (rc == 1)
			sum += ev.time_ns + ev.npages;
	}
	for (i = 0; i < pr_reader_frames(r); i++) {
		if (pr_reader_frame(r, i, &evs, &n) == PR_OK) {
			if (n > 0)
				sum += evs[n - 1].obj;
			free(evs);
		}
	}
	for (i = 0; pr_reader_note(r, i, &key, &value); i++)
		sum += value + (uint64_t)key[0];
	pr_reader_status(r, &st);
	if (st.frames != pr_reader_frames(r))
		abort();
	pr_reader_close(r);
	return (sum == 42 ? 0 : 0);
}
