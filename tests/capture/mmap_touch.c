/*
 * mmap_touch.c - map N anonymous pages and FILE, write every anonymous
 * page and read every file page, unmap, exit: the child of the ebpf
 * process-tree test.  Exit 1 on any error.
 */
#include <sys/mman.h>
#include <sys/stat.h>

#include <err.h>
#include <fcntl.h>
#include <stdlib.h>
#include <unistd.h>

int
main(int argc, char **argv)
{
	volatile unsigned char *a, *f;
	struct stat st;
	unsigned long sum = 0;
	size_t n, i, pg = 4096;
	int fd;

	if (argc != 3)
		errx(2, "usage: mmap_touch NPAGES FILE");
	n = strtoul(argv[1], NULL, 10);
	a = mmap(NULL, n * pg, PROT_READ | PROT_WRITE,
	    MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	if (a == MAP_FAILED)
		err(1, "mmap");
	for (i = 0; i < n; i++)
		a[i * pg] = 1;
	if ((fd = open(argv[2], O_RDONLY)) < 0 || fstat(fd, &st) != 0)
		err(1, "%s", argv[2]);
	f = mmap(NULL, (size_t)st.st_size, PROT_READ, MAP_SHARED, fd, 0);
	if (f == MAP_FAILED)
		err(1, "mmap %s", argv[2]);
	for (i = 0; i < (size_t)st.st_size; i += pg)
		sum += f[i];
	munmap((void *)f, (size_t)st.st_size);
	munmap((void *)a, n * pg);
	return (sum == (unsigned long)-1);
}
