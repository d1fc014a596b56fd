/*
 * pcap_record.c - `pagereplay record --pcap FILE | --iface IF`: the command
 * around the packet parser (pcap_http.c).  In steps, as capture/record.c:
 * parse the options, set up (output checked, capture opened, filter
 * compiled), run the capture loop, finish (the parser's last events, the
 * pcap.* trailer notes, the summary line).
 *
 * The trace's start is the first packet's time, so the writer is created
 * at the first packet (or at the end, for a capture without packets).
 */
#include <sys/stat.h>

#include <err.h>
#include <errno.h>
#include <fcntl.h>
#include <getopt.h>
#include <inttypes.h>
#include <pcap/pcap.h>
#include <poll.h>
#include <signal.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "cli.h"
#include "commands.h"
#include "pcap_http.h"
#include "trace.h"

#define PH_SNAPLEN	262144		/* --snaplen's default and maximum */

/* Options. */
struct rp_opts {
	const char	*file;		/* --pcap FILE */
	const char	*iface;		/* --iface IF */
	const char	*filter;	/* --filter EXPR */
	const char	*out;		/* -o OUT */
	uint64_t	duration;	/* --duration, ns; 0 = until stopped */
	int		snaplen;	/* --snaplen */
	bool		nocache;	/* --nocache */
};

/* One run; single-threaded (the signal handler sets ph_stop only). */
struct rp_run {
	const struct rp_opts *o;
	pcap_t		*pcap;
	int		pollfd;		/* live: the capture's fd, else -1 */
	struct ph_parser *ps;
	struct pr_header hdr;
	struct pr_writer *w;
	bool		created;	/* OUT made by the output check */
	bool		started;	/* writer created (or tried) */
	int		err;		/* first output error */
	bool		input_err;	/* the input ended in an error */
	uint64_t	kernel_drops;	/* live: dropped by the kernel */
};

static volatile sig_atomic_t ph_stop;
static pcap_t *ph_signal_pcap;

/*
 * SIGINT/SIGTERM: end the capture cleanly (async-signal-safe).  ph_stop
 * counts the signals: the first ends the capture after the packets the
 * kernel already holds (drain()), a second ends the drain too.
 */
static void
ph_on_signal(int sig)
{
	(void)sig;
	if (ph_stop < 2)
		ph_stop = ph_stop + 1;
	if (ph_signal_pcap != NULL)
		pcap_breakloop(ph_signal_pcap);
}

/* The help text of record --pcap/--iface. */
static void
usage(FILE *f)
{
	fprintf(f,
	    "usage: pagereplay record --pcap FILE -o OUT [--filter EXPR] "
	    "[--nocache]\n"
	    "       pagereplay record --iface IF -o OUT [--filter EXPR] "
	    "[--duration D]\n"
	    "                         [--snaplen N] [--nocache]\n"
	    "\n"
	    "Turn the HTTP/1.1 traffic of a sendfile server into sendfile "
	    "events:\n"
	    "each GET answered 200/206 is one event on the object of its path,\n"
	    "at the request's time, one thread per TCP connection.\n"
	    "\n"
	    "  --pcap FILE       read a pcap or pcapng file\n"
	    "  --iface IF        capture live on interface IF (needs root)\n"
	    "  --filter EXPR     BPF filter expression, e.g. 'tcp port 8080'\n"
	    "  -d, --duration D  stop a live capture after D (30s, 2m, ...)\n"
	    "  --snaplen N       bytes kept per packet (default %d; a short "
	    "one\n"
	    "                    only without pipelining: docs/workloads.md)\n"
	    "  --nocache         flag events NOCACHE (server ran with "
	    "SF_NOCACHE)\n"
	    "  -o, --output OUT  trace file to write\n"
	    "  -h, --help        this text\n"
	    "\n"
	    "Malformed, truncated and out-of-order packets are counted and\n"
	    "skipped; `pagereplay info OUT` shows the counts (pcap.*).\n"
	    "\n"
	    "Manual: man pagereplay-record; docs in " PR_DOCDIR "\n"
	    "\n"
	    "Examples:\n"
	    "  tcpdump -i lo -s 0 -w web.pcap 'tcp port 8080'\n"
	    "  pagereplay record --pcap web.pcap -o web.prt\n"
	    "  pagereplay record --iface lo --filter 'tcp port 8080' "
	    "--duration 30s -o live.prt\n",
	    PH_SNAPLEN);
}

/*
 * Parse argv (argv[0] is "record") into *o: 0, or EXIT_USAGE after a
 * message; *helpp when --help was asked for.
 */
static int
parse_args(int argc, char **argv, struct rp_opts *o, bool *helpp)
{
	static const struct option opts[] = {
		{ "pcap", required_argument, NULL, 'P' },
		{ "iface", required_argument, NULL, 'i' },
		{ "filter", required_argument, NULL, 'f' },
		{ "duration", required_argument, NULL, 'd' },
		{ "snaplen", required_argument, NULL, 's' },
		{ "nocache", no_argument, NULL, 'N' },
		{ "output", required_argument, NULL, 'o' },
		{ "help", no_argument, NULL, 'h' },
		{ NULL, 0, NULL, 0 }
	};
	uint64_t v;
	int ch;

	*helpp = false;
	optind = 0;
	opterr = 1;
	while ((ch = getopt_long(argc, argv, "o:d:h", opts, NULL)) != -1) {
		switch (ch) {
		case 'P':
			o->file = optarg;
			break;
		case 'i':
			o->iface = optarg;
			break;
		case 'f':
			o->filter = optarg;
			break;
		case 'd':
			if (cli_parse_duration(optarg, &o->duration) != 0 ||
			    o->duration == 0) {
				warnx("record: --duration %s: expected a "
				    "duration such as 30s or 2m", optarg);
				return (EXIT_USAGE);
			}
			break;
		case 's':
			if (cli_parse_u64(optarg, 64, PH_SNAPLEN, &v) != 0) {
				warnx("record: --snaplen %s: expected 64..%d",
				    optarg, PH_SNAPLEN);
				return (EXIT_USAGE);
			}
			o->snaplen = (int)v;
			break;
		case 'N':
			o->nocache = true;
			break;
		case 'o':
			o->out = optarg;
			break;
		case 'h':
			*helpp = true;
			return (0);
		default:
			usage(stderr);
			return (EXIT_USAGE);
		}
	}
	if (optind != argc) {
		warnx("record: unexpected argument '%s' (a command to run "
		    "goes with eBPF recording, not --pcap/--iface)",
		    argv[optind]);
		return (EXIT_USAGE);
	}
	if ((o->file == NULL) == (o->iface == NULL)) {
		warnx("record: give exactly one of --pcap FILE and --iface IF");
		return (EXIT_USAGE);
	}
	if (o->out == NULL) {
		warnx("record: -o OUT is required");
		return (EXIT_USAGE);
	}
	if (o->file != NULL && o->duration != 0) {
		warnx("record: --duration applies to --iface only");
		return (EXIT_USAGE);
	}
	return (0);
}

/*
 * Refuse an output that is the capture being read, whatever the names (a
 * hard link or a symlink to it): the writer would truncate it before it is
 * read.  Files are compared by device and inode; only a regular file is
 * lost that way (writing /dev/null or a FIFO destroys nothing).  Then fail
 * on an unwritable output now, not after the capture; a file made only for
 * this check (r->created) goes away if the capture never starts.  0, or
 * the exit status after a message.
 */
static int
check_output(struct rp_run *r)
{
	const struct rp_opts *o = r->o;
	struct stat in, out;
	int fd;

	if (o->file != NULL && (strcmp(o->file, "-") == 0 ?
	    fstat(STDIN_FILENO, &in) : stat(o->file, &in)) == 0 &&
	    S_ISREG(in.st_mode) && stat(o->out, &out) == 0 &&
	    in.st_dev == out.st_dev && in.st_ino == out.st_ino) {
		warnx("record: -o %s is the capture being read (--pcap %s); "
		    "refusing to overwrite it", o->out, o->file);
		return (EXIT_USAGE);
	}
	fd = open(o->out, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0644);
	r->created = fd >= 0;
	if (fd < 0 && errno == EEXIST)
		fd = open(o->out, O_WRONLY | O_CLOEXEC);
	if (fd < 0) {
		warn("record: %s", o->out);
		return (1);
	}
	close(fd);
	return (0);
}

/* Open the capture: a file, or a live interface; NULL after a warning. */
static pcap_t *
ph_open(const char *file, const char *iface, int snaplen)
{
	char ebuf[PCAP_ERRBUF_SIZE];
	pcap_t *p;
	int e;

	ebuf[0] = '\0';
	if (file != NULL) {
		p = pcap_open_offline_with_tstamp_precision(file,
		    PCAP_TSTAMP_PRECISION_NANO, ebuf);
		if (p == NULL)
			warnx("record: %s", ebuf);
		return (p);
	}
	p = pcap_create(iface, ebuf);
	if (p == NULL) {
		warnx("record: --iface %s: %s", iface, ebuf);
		return (NULL);
	}
	(void)pcap_set_snaplen(p, snaplen);
	(void)pcap_set_promisc(p, 0);
	(void)pcap_set_timeout(p, 100);
	(void)pcap_set_immediate_mode(p, 1);
	(void)pcap_set_buffer_size(p, 32 << 20);
	(void)pcap_set_tstamp_precision(p, PCAP_TSTAMP_PRECISION_NANO);
	e = pcap_activate(p);
	if (e < 0) {
		warnx("record: --iface %s: %s%s", iface, pcap_geterr(p),
		    e == PCAP_ERROR_PERM_DENIED ? " (needs root or "
		    "CAP_NET_RAW)" : "");
		pcap_close(p);
		return (NULL);
	}
	if (e > 0)
		warnx("record: --iface %s: %s", iface, pcap_statustostr(e));
	return (p);
}

/* Create the writer, the trace starting at start_ns; 0 or -1. */
static int
rp_start(struct rp_run *r, uint64_t start_ns)
{
	int e;

	if (r->started)
		return (r->w != NULL ? 0 : -1);
	r->started = true;
	r->hdr.start_ns = start_ns;
	r->w = pr_writer_create(r->o->out, &r->hdr, &e);
	if (r->w == NULL) {
		warnx("%s: %s", r->o->out, pr_strerror(e));
		r->err = e;
		return (-1);
	}
	return (0);
}

/* The parser's sink: write one event. */
static int
rp_sink(void *arg, const struct pr_event *ev)
{
	struct rp_run *r = arg;
	int e;

	if (r->w == NULL)
		return (PR_E_ARG);
	if ((e = pr_writer_write(r->w, ev)) != 0 && r->err == 0) {
		warnx("record: %s: %s", r->o->out, pr_strerror(e));
		r->err = e;
	}
	return (e);
}

/* pcap callback: the writer at the first packet, then the parser. */
static void
rp_packet(u_char *arg, const struct pcap_pkthdr *ph, const u_char *pkt)
{
	struct rp_run *r = (struct rp_run *)arg;
	const struct ph_counts *c;
	uint64_t ts;

	ts = (uint64_t)ph->ts.tv_sec * 1000000000u +
	    (uint64_t)ph->ts.tv_usec;	/* nanosecond precision requested */
	if (!r->started && rp_start(r, ts) != 0) {
		pcap_breakloop(r->pcap);
		return;
	}
	ph_parser_packet(r->ps, ts, pkt, ph->caplen, ph->len);
	c = ph_parser_counts(r->ps);
	if (cli_progress_enabled() && (c->packets & 0xfff) == 0)
		cli_progress("record: %" PRIu64 " packets, %" PRIu64
		    " requests, %" PRIu64 " events", c->packets,
		    c->requests, c->events);
}

/*
 * Set up the capture: open it, check its link type, compile the filter,
 * make a live one pollable, and make the parser.  0, or the exit status
 * after a message.
 */
static int
setup(struct rp_run *r)
{
	const struct rp_opts *o = r->o;
	char ebuf[PCAP_ERRBUF_SIZE];
	struct bpf_program prog;
	const char *name;
	int e, lt;

	r->pollfd = -1;
	r->pcap = ph_open(o->file, o->iface, o->snaplen);
	if (r->pcap == NULL)
		return (1);
	lt = pcap_datalink(r->pcap);
	if (ph_link_hdrlen(lt) < 0) {
		name = pcap_datalink_val_to_name(lt);
		warnx("record: link type %s (%d) is not supported",
		    name != NULL ? name : "?", lt);
		return (1);
	}
	if (o->filter != NULL) {
		if (pcap_compile(r->pcap, &prog, o->filter, 1,
		    PCAP_NETMASK_UNKNOWN) != 0) {
			warnx("record: --filter '%s': %s", o->filter,
			    pcap_geterr(r->pcap));
			return (EXIT_USAGE);
		}
		e = pcap_setfilter(r->pcap, &prog);
		pcap_freecode(&prog);
		if (e != 0) {
			warnx("record: --filter: %s", pcap_geterr(r->pcap));
			return (1);
		}
	}
	if (o->iface != NULL) {
		r->pollfd = pcap_get_selectable_fd(r->pcap);
		if (r->pollfd < 0 || pcap_setnonblock(r->pcap, 1, ebuf) != 0) {
			warnx("record: --iface %s: cannot poll the capture",
			    o->iface);
			return (1);
		}
	}
	r->ps = ph_parser_create(lt, o->nocache, rp_sink, r);
	if (r->ps == NULL) {
		warnx("record: out of memory");
		return (1);
	}
	return (0);
}

/* The input failed: say so and keep what was read before the damage. */
static void
input_error(struct rp_run *r)
{
	warnx("record: %s after %" PRIu64 " packets: %s",
	    r->o->file != NULL ? r->o->file : r->o->iface,
	    ph_parser_counts(r->ps)->packets, pcap_geterr(r->pcap));
	r->input_err = true;
}

/*
 * A live capture stopped by a signal: hand the parser the packets the
 * kernel captured before it (they sit in the socket's ring; without this
 * they would be lost silently), until the ring is empty, a second signal
 * or PH_DRAIN_NS under a stream that never pauses.  The capture is
 * non-blocking (setup()), so pcap_dispatch returns 0 when it is empty.
 */
#define	PH_DRAIN_NS	(1000u * 1000 * 1000)
static void
drain(struct rp_run *r)
{
	uint64_t end;
	int e;

	end = cli_now_ns() + PH_DRAIN_NS;
	while (ph_stop < 2 && r->err == 0 && ph_parser_error(r->ps) == 0 &&
	    cli_now_ns() < end) {
		e = pcap_dispatch(r->pcap, -1, rp_packet, (u_char *)r);
		if (e == PCAP_ERROR_BREAK)	/* the signal's breakloop */
			continue;
		if (e == PCAP_ERROR)
			input_error(r);
		if (e <= 0)
			break;
	}
}

/*
 * The capture loop: until the end of the file, a signal, --duration or an
 * output error.  A live capture says when it is listening.
 */
static void
run(struct rp_run *r)
{
	const struct rp_opts *o = r->o;
	struct sigaction sa, oint, oterm;
	struct pollfd pfd;
	struct pcap_stat ps;
	uint64_t deadline;
	int e;

	ph_stop = 0;
	ph_signal_pcap = r->pcap;
	memset(&sa, 0, sizeof(sa));
	sa.sa_handler = ph_on_signal;
	sigemptyset(&sa.sa_mask);
	sigaction(SIGINT, &sa, &oint);
	sigaction(SIGTERM, &sa, &oterm);
	deadline = o->duration != 0 ? cli_now_ns() + o->duration : 0;
	if (o->iface != NULL) {
		/* Like tcpdump's: scripts wait for it before making traffic. */
		fprintf(stderr, "record: listening on %s%s%s%s\n", o->iface,
		    o->filter != NULL ? ", filter '" : "",
		    o->filter != NULL ? o->filter : "",
		    o->filter != NULL ? "'" : "");
		fflush(stderr);
	}
	pfd.fd = r->pollfd;
	pfd.events = POLLIN;
	while (!ph_stop && r->err == 0 && ph_parser_error(r->ps) == 0) {
		/*
		 * Live: wait at most 100 ms (immediate mode would block in
		 * pcap_dispatch), so that --duration ends on time.
		 */
		if (pfd.fd >= 0 && poll(&pfd, 1, 100) < 0 && errno != EINTR) {
			warn("record: poll");
			r->input_err = true;
			break;
		}
		e = pcap_dispatch(r->pcap, -1, rp_packet, (u_char *)r);
		if (e == PCAP_ERROR) {
			input_error(r);
			break;
		}
		if (o->file != NULL && e == 0)	/* end of file */
			break;
		if (deadline != 0 && cli_now_ns() >= deadline)
			break;
	}
	if (ph_stop != 0 && o->iface != NULL && !r->input_err)
		drain(r);
	sigaction(SIGINT, &oint, NULL);
	sigaction(SIGTERM, &oterm, NULL);
	ph_signal_pcap = NULL;
	cli_progress_done();
	if (o->iface != NULL && pcap_stats(r->pcap, &ps) == 0)
		r->kernel_drops = (uint64_t)ps.ps_drop + ps.ps_ifdrop;
}

/* Write the counters as trailer notes. */
static int
write_notes(struct rp_run *r)
{
	const struct ph_counts *c = ph_parser_counts(r->ps);
	const struct { const char *k; uint64_t v; } n[] = {
		{ "pcap.packets", c->packets },
		{ "pcap.non_tcp", c->non_tcp },
		{ "pcap.fragments", c->fragments },
		{ "pcap.malformed", c->malformed },
		{ "pcap.truncated", c->truncated },
		{ "pcap.retransmits", c->retransmits },
		{ "pcap.out_of_order", c->out_of_order },
		{ "pcap.resyncs", c->resyncs },
		{ "pcap.skipped_bytes", c->skipped_bytes },
		{ "pcap.connections", c->connections },
		{ "pcap.requests", c->requests },
		{ "pcap.responses", c->responses },
		{ "pcap.bad_http", c->bad_http },
		{ "pcap.unanswered", c->unanswered },
		{ "pcap.dropped_requests", c->dropped_requests },
		{ "pcap.orphan_responses", c->orphan_responses },
		{ "pcap.no_body", c->no_body },
		{ "pcap.kernel_drops", r->kernel_drops },
		{ "pcap.late", c->late },
		{ "pcap.clipped", c->clipped },
		{ "pcap.estimated", c->estimated },
		{ "pcap.estimated_requests", c->estimated_requests },
	};
	size_t i;
	int e;

	for (i = 0; i < sizeof(n) / sizeof(n[0]); i++)
		if ((e = pr_writer_note(r->w, n[i].k, n[i].v)) != 0)
			return (e);
	return (0);
}

/*
 * Finish: the parser's last events, the notes, the writer closed, the
 * summary on stdout.  Returns the exit status: 0, or 1 after an output
 * error or an input that ended in an error.
 */
static int
finish(struct rp_run *r)
{
	const struct ph_counts *c;
	int e;

	ph_parser_finish(r->ps);
	if (rp_start(r, r->hdr.start_ns) != 0)
		return (1);
	if (r->err == 0 && (e = ph_parser_error(r->ps)) != 0) {
		warnx("record: %s", pr_strerror(e));
		r->err = e;
	}
	if (r->err == 0 && (e = write_notes(r)) != 0) {
		warnx("record: %s: %s", r->o->out, pr_strerror(e));
		r->err = e;
	}
	e = pr_writer_close(r->w);
	r->w = NULL;
	if (e != 0 && r->err == 0) {
		warnx("record: %s: %s", r->o->out, pr_strerror(e));
		r->err = e;
	}
	if (r->err != 0)
		return (1);
	c = ph_parser_counts(r->ps);
	printf("record: %s: %" PRIu64 " packets, %" PRIu64
	    " connections, %" PRIu64 " requests, %" PRIu64
	    " sendfile events\n", r->o->out, c->packets, c->connections,
	    c->requests, c->events);
	if (c->malformed + c->truncated + c->out_of_order + c->bad_http +
	    r->kernel_drops > 0)
		printf("record: skipped: %" PRIu64 " malformed, %" PRIu64
		    " truncated, %" PRIu64 " out of order, %" PRIu64
		    " not HTTP, %" PRIu64 " dropped by the kernel\n",
		    c->malformed, c->truncated, c->out_of_order, c->bad_http,
		    r->kernel_drops);
	if (c->estimated + c->estimated_requests + c->dropped_requests +
	    c->clipped > 0)
		printf("record: estimated %" PRIu64 " events and %" PRIu64
		    " requests past the snap length; dropped %" PRIu64
		    " requests (more than %d pipelined); clipped %" PRIu64
		    " bodies\n",
		    c->estimated,
		    c->estimated_requests, c->dropped_requests, PH_PENDING_MAX,
		    c->clipped);
	return (r->input_err ? 1 : 0);
}

/* Join argv into the header's command line. */
static void
ph_cmdline(char *dst, size_t size, int argc, char **argv)
{
	size_t o;
	int i, n;

	dst[0] = '\0';
	for (i = 0, o = 0; i < argc && o < size; i++) {
		n = snprintf(dst + o, size - o, "%s%s", i > 0 ? " " : "",
		    argv[i]);
		if (n < 0)
			break;
		o += (size_t)n;
	}
}

/*
 * `record --pcap FILE | --iface IF`: argv[0] is "record".  Returns 0, 1
 * (failure, or an input error after which the events read so far were
 * still written) or 2 (usage).
 */
int
cmd_record_pcap(int argc, char **argv)
{
	struct rp_opts o = {
		.snaplen = PH_SNAPLEN,
	};
	struct rp_run r;
	bool help;
	int rc;

	rc = parse_args(argc, argv, &o, &help);
	if (help) {
		usage(stdout);
		return (0);
	}
	if (rc != 0)
		return (rc);
	memset(&r, 0, sizeof(r));
	r.o = &o;
	if ((rc = check_output(&r)) != 0)
		return (rc);
	if ((rc = setup(&r)) == 0) {
		pr_header_init(&r.hdr, PR_SRC_PCAP);
		snprintf(r.hdr.clock, sizeof(r.hdr.clock), "pcap");
		ph_cmdline(r.hdr.cmdline, sizeof(r.hdr.cmdline), argc, argv);
		run(&r);
		rc = finish(&r);
	}
	if (r.pcap != NULL)
		pcap_close(r.pcap);
	ph_parser_destroy(r.ps);
	if (r.created && !r.started)
		(void)unlink(o.out);
	return (rc);
}
