/*
 * hookcount.c - run CMD while an independent BPF program (hookcount.bpf.c)
 * counts the recorder's hooks: on FILE's inode by any task, and in CMD's
 * descendants (CMD itself left out: run the recorder as CMD and the
 * counts cover the tree it follows).  Prints one "NAME COUNT" a line.
 * Usage: hookcount FILE CMD [ARGS...].  Exit 77 when the program cannot
 * load, 1 on other errors, else CMD's exit status.
 */
#include <sys/stat.h>
#include <sys/syscall.h>
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
	int go[2], status;
	char c;

	if (argc < 3)
		errx(2, "usage: hookcount FILE CMD [ARGS...]");
	if (stat(argv[1], &st) != 0)
		err(1, "%s", argv[1]);
	if (pipe(go) != 0)
		err(1, "pipe");
	/* CMD waits until the counter is attached: its tree's root. */
	if ((pid = fork()) < 0)
		err(1, "fork");
	if (pid == 0) {
		close(go[1]);
		if (read(go[0], &c, 1) != 1)
			_exit(1);
		execvp(argv[2], argv + 2);
		err(127, "%s", argv[2]);
	}
	close(go[0]);
	libbpf_set_print(quiet);
	skel = hookcount_bpf__open();
	if (skel == NULL)
		errx(77, "cannot open the counter");
	skel->rodata->target_ino = st.st_ino;
	skel->rodata->target_dev = major(st.st_dev) << 20 | minor(st.st_dev);
	skel->rodata->root_tgid = (__u32)pid;
	skel->rodata->nr_munmap = SYS_munmap;
	skel->rodata->nr_sendfile = SYS_sendfile;
	skel->rodata->nr_fadvise = SYS_fadvise64;
	if (hookcount_bpf__load(skel) != 0 || hookcount_bpf__attach(skel) != 0)
		errx(77, "cannot load the counter (BPF)");
	if (write(go[1], "g", 1) != 1)
		err(1, "write");
	if (waitpid(pid, &status, 0) != pid)
		err(1, "waitpid");
#define P(f)	printf("%s %llu\n", #f, (unsigned long long)skel->bss->f)
	P(inserts);
	P(f_deletes);
	P(f_evicts);
	P(adds);
	P(deletes);
	P(get_pages);
	P(map_pages);
	P(lru_active);
	P(lru_inactive);
	P(lru_activate);
	P(isolate);
	P(faults);
	P(munmaps);
	P(sendfiles);
	P(dontneed);
	P(noreuse);
	P(dio);
	P(forks);
	P(forks_newmm);
	P(execs);
	P(exits);
#undef P
	hookcount_bpf__destroy(skel);
	return (WIFEXITED(status) ? WEXITSTATUS(status) : 1);
}
