/*
 * main.c - pagereplay: one binary, one subcommand per job.
 *
 * The command table follows perf's commands[]: a name, the function, and a
 * one-line summary for "pagereplay --help".  `record` picks the eBPF or the
 * libpcap front end by its options.
 */
#include <err.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cli.h"
#include "commands.h"
#include "trace.h"

#ifndef PR_VERSION
#define PR_VERSION "unknown"
#endif
#ifndef PR_DOCDIR
#define PR_DOCDIR "/usr/local/share/doc/pagereplay"
#endif

static int	cmd_record(int argc, char **argv);

static const struct command {
	const char	*name;
	int		(*fn)(int, char **);
	const char	*summary;
} commands[] = {
	{ "record", cmd_record,
	    "record page-level VM events (eBPF, or libpcap with --pcap/--iface)" },
	{ "info", cmd_info,
	    "show a trace's header, duration, counts per kind, losses" },
	{ "synth", cmd_synth,
	    "generate a synthetic trace (build, sendfile), no root needed" },
	{ "replay", cmd_replay,
	    "replay a trace on pinned threads against one lock design" },
	{ "sweep", cmd_sweep,
	    "replay the cross product of designs, batch sizes, threads" },
	{ "simulate", cmd_simulate,
	    "replay a trace on N virtual CPUs of a modelled machine" },
	{ "merge", cmd_merge,
	    "join the CSV or JSON files of a sharded sweep, checked whole" },
	{ "plot", cmd_plot,
	    "draw charts (SVG/PNG, gnuplot) from a CSV of runs" },
	{ "report", cmd_report,
	    "one self-contained HTML page of charts and tables of a CSV" },
	{ "footprint", cmd_footprint,
	    "locks and atomics each VM operation takes under a design" },
};
#define NCOMMANDS	(sizeof(commands) / sizeof(commands[0]))

static void
usage(FILE *f)
{
	size_t i;

	fprintf(f,
	    "usage: pagereplay COMMAND [OPTIONS] [ARGS]\n"
	    "       pagereplay COMMAND --help\n"
	    "       pagereplay --version\n"
	    "\n"
	    "Record page-level VM events from real workloads and replay them\n"
	    "against a model of the FreeBSD page-locking designs.\n"
	    "\n"
	    "Commands:\n");
	for (i = 0; i < NCOMMANDS; i++)
		fprintf(f, "  %-10s %s\n", commands[i].name,
		    commands[i].summary);
	fprintf(f, "\nSee pagereplay(1), pagereplay-COMMAND(1) and the user "
	    "guide,\n%s/user-guide.md.\n", PR_DOCDIR);
}

/*
 * `record` has two front ends: libpcap when --pcap or --iface appears
 * before "--", eBPF otherwise.  Plain `record --help` shows both usages.
 */
static int
cmd_record(int argc, char **argv)
{
	char *pcap_help[] = { argv[0], (char *)"--pcap", (char *)"-",
	    (char *)"--help", NULL };
	int i, rv;

	if (argc == 2 && (strcmp(argv[1], "--help") == 0 ||
	    strcmp(argv[1], "-h") == 0)) {
		rv = cmd_record_ebpf(argc, argv);
		printf("\n");
		fflush(stdout);
		return (rv | cmd_record_pcap(4, pcap_help));
	}
	for (i = 1; i < argc; i++) {
		if (strcmp(argv[i], "--") == 0)
			break;
		if (strcmp(argv[i], "--pcap") == 0 ||
		    strncmp(argv[i], "--pcap=", 7) == 0 ||
		    strcmp(argv[i], "--iface") == 0 ||
		    strncmp(argv[i], "--iface=", 8) == 0)
			return (cmd_record_pcap(argc, argv));
	}
	return (cmd_record_ebpf(argc, argv));
}

int
main(int argc, char **argv)
{
	size_t i;

	if (argc < 2) {
		usage(stderr);
		return (EXIT_USAGE);
	}
	if (strcmp(argv[1], "--help") == 0 || strcmp(argv[1], "-h") == 0 ||
	    strcmp(argv[1], "help") == 0) {
		if (argc > 2 && strcmp(argv[1], "help") == 0) {
			char *hargv[] = { argv[2], (char *)"--help", NULL };

			for (i = 0; i < NCOMMANDS; i++)
				if (strcmp(argv[2], commands[i].name) == 0)
					return (commands[i].fn(2, hargv));
			warnx("unknown command '%s'", argv[2]);
			return (EXIT_USAGE);
		}
		usage(stdout);
		return (0);
	}
	if (strcmp(argv[1], "--version") == 0 || strcmp(argv[1], "-V") == 0) {
		printf("pagereplay %s (trace format %d)\n", PR_VERSION,
		    PR_TRACE_VERSION);
		return (0);
	}
	for (i = 0; i < NCOMMANDS; i++)
		if (strcmp(argv[1], commands[i].name) == 0)
			return (commands[i].fn(argc - 1, argv + 1));
	warnx("unknown command '%s' (see pagereplay --help)", argv[1]);
	return (EXIT_USAGE);
}
