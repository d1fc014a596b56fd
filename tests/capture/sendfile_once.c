/*
 * sendfile_once.c - send FILE to /dev/null with sendfile(2) in 1 MiB
 * calls: the workload of the ebpf sendfile test.  Exit 1 on any error.
 */
#include <sys/sendfile.h>
#include <sys/stat.h>

#include <err.h>
#include <fcntl.h>
#include <unistd.h>

int
main(int argc, char **argv)
{
	struct stat st;
	off_t off = 0;
	ssize_t n;
	int in, out;

	if (argc != 2)
		errx(2, "usage: sendfile_once FILE");
	if ((in = open(argv[1], O_RDONLY)) < 0 || fstat(in, &st) != 0)
		err(1, "%s", argv[1]);
	if ((out = open("/dev/null", O_WRONLY)) < 0)
		err(1, "/dev/null");
	while (off < st.st_size) {
		n = sendfile(out, in, &off, 1 << 20);
		if (n <= 0)
			err(1, "sendfile");
	}
	return (0);
}
