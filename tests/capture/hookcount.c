/*
 * hookcount.c - run CMD while an independent BPF program counts the page
 * cache inserts (mm_filemap_add_to_page_cache) on FILE's inode; print
 * "inserts N".  Usage: hookcount FILE CMD [ARGS...].  Exit 77 when the
 * program cannot load, 1 on other errors, else CMD's exit status.
 */
#include <sys/stat.h>
#include <sys/sysmacros.h>
#include <sys/wait.h>

#include <bpf/libbpf.h>

#include <err.h>
#include <stdio.h>
#include <unistd.h>

#pragma GCC diagnostic push
#pragma GCC diagnostic ignored "-Woverlength-strings"
#include "hookcount.skel.h"
#pragma GCC diagnostic pop

static int
quiet(enum libbpf_print_level level, const char *fmt, va_list ap)
{
	(void)level;
	(void)fmt;
	(void)ap;
	return (0);
}

int
main(int argc, char **argv)
{
	struct hookcount_bpf *skel;
	struct stat st;
	pid_t pid;
	int status;

	if (argc < 3)
		errx(2, "usage: hookcount FILE CMD [ARGS...]");
	if (stat(argv[1], &st) != 0)
		err(1, "%s", argv[1]);
	libbpf_set_print(quiet);
	skel = hookcount_bpf__open();
	if (skel == NULL)
		errx(77, "cannot open the counter");
	skel->rodata->target_ino = st.st_ino;
	skel->rodata->target_dev = major(st.st_dev) << 20 | minor(st.st_dev);
	if (hookcount_bpf__load(skel) != 0 || hookcount_bpf__attach(skel) != 0)
		errx(77, "cannot load the counter (BPF)");
	if ((pid = fork()) < 0)
		err(1, "fork");
	if (pid == 0) {
		execvp(argv[2], argv + 2);
		err(127, "%s", argv[2]);
	}
	if (waitpid(pid, &status, 0) != pid)
		err(1, "waitpid");
	printf("inserts %llu\n", (unsigned long long)skel->bss->inserts);
	hookcount_bpf__destroy(skel);
	return (WIFEXITED(status) ? WEXITSTATUS(status) : 1);
}
