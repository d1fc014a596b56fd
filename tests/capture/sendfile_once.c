/*
 * sendfile_once.c - send FILE to /dev/null with sendfile(2) in 1 MiB
 * calls: the workload of the ebpf sendfile test.  With "dontneed", drop
 * each range sent from the page cache (POSIX_FADV_DONTNEED) as a server
 * imitating SF_NOCACHE does.  Exit 1 on any error.
 */
#include <sys/sendfile.h>
#include <sys/stat.h>

#include <err.h>
#include <fcntl.h>
#include <stdbool.h>
#include <string.h>
#include <unistd.h>

int
main(int argc, char **argv)
{
	struct stat st;
	off_t off = 0, from;
	ssize_t n;
	bool dontneed;
	int in, out;

	if (argc < 2 || argc > 3 || (argc == 3 && strcmp(argv[2], "dontneed")))
		errx(2, "usage: sendfile_once FILE [dontneed]");
	dontneed = argc == 3;
	if ((in = open(argv[1], O_RDONLY)) < 0 || fstat(in, &st) != 0)
		err(1, "%s", argv[1]);
	if ((out = open("/dev/null", O_WRONLY)) < 0)
		err(1, "/dev/null");
	while (off < st.st_size) {
		from = off;
		n = sendfile(out, in, &off, 1 << 20);
		if (n <= 0)
			err(1, "sendfile");
		if (dontneed && posix_fadvise(in, from, n,
		    POSIX_FADV_DONTNEED) != 0)
			errx(1, "posix_fadvise");
	}
	return (0);
}
