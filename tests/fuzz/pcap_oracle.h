/*
 * pcap_oracle.h - what every run of the libpcap front end must give, on
 * any input: checked by both pcap fuzz harnesses (fuzz_pcap_packets.c on
 * the parser's sink, fuzz_pcap_file.c on the trace `record --pcap` wrote).
 * A broken rule prints itself and aborts, which libFuzzer reports.
 */
#ifndef PR_TESTS_PCAP_ORACLE_H
#define PR_TESTS_PCAP_ORACLE_H

#include <stdint.h>

#include "pcap_http.h"

/* The events seen so far. */
struct pcap_oracle {
	uint64_t	events;		/* events checked */
	uint64_t	last_ns;	/* time of the last one */
	uint8_t		flags;		/* flags every event must carry */
};

/*
 * One event, in output order: a sendfile, not earlier than the one before,
 * npages >= 1 and the pages covering exactly [addr, addr + arg), on a
 * connection (tid >= 1), with the run's flags and nothing else set.
 */
void	pcap_oracle_event(struct pcap_oracle *o, const struct pr_event *ev);

/*
 * The end of a run: as many events as counted, estimated and clipped ones
 * among them, and every request accounted for exactly once: an event, a
 * response without one (no_body), unanswered, or dropped past the
 * pipelining limit.
 */
void	pcap_oracle_end(const struct pcap_oracle *o,
	    const struct ph_counts *c);

#endif /* PR_TESTS_PCAP_ORACLE_H */
