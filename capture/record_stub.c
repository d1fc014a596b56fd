/*
 * record_stub.c - `pagereplay record` when the eBPF recorder is not built.
 * capture/meson.build passes PR_RECORD_MISSING: what the build lacked.
 */
#include <err.h>

#include "commands.h"

#ifndef PR_RECORD_MISSING
#define PR_RECORD_MISSING "unknown"
#endif

/* Say in one line what the build lacked; exit status 1. */
int
cmd_record_ebpf(int argc, char **argv)
{
	(void)argc;
	(void)argv;
	warnx("record: built without the eBPF recorder (%s); scripts/setup "
	    "installs libbpf-dev, clang and bpftool, then reconfigure with "
	    "-Dcapture=enabled", PR_RECORD_MISSING);
	return (1);
}
