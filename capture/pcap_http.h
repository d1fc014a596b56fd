/*
 * pcap_http.h - the packet-level half of the libpcap front end, shared by
 * `record --pcap/--iface` (pcap_record.c) and the fuzz harnesses
 * (tests/fuzz/fuzz_pcap_*.c).
 *
 * A parser takes captured packets of one link type, in capture order, and
 * hands the sendfile events they imply to a sink, in time order.  It does
 * no I/O and keeps no global state; one parser is used by one thread.
 */
#ifndef PR_CAPTURE_PCAP_HTTP_H
#define PR_CAPTURE_PCAP_HTTP_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "trace_event.h"

#define PH_PENDING_MAX	4096	/* pipelined requests a connection keeps */

/* Counters, written to the trailer as "pcap.<name>" notes. */
struct ph_counts {
	uint64_t	packets;	/* packets read */
	uint64_t	non_tcp;	/* not IPv4/IPv6 TCP: skipped */
	uint64_t	fragments;	/* IP fragments: skipped */
	uint64_t	malformed;	/* headers that do not decode */
	uint64_t	truncated;	/* captured too short for what we need */
	uint64_t	retransmits;	/* segments already seen */
	uint64_t	out_of_order;	/* segments past a hole in the stream */
	uint64_t	resyncs;	/* streams picked up again at a message */
	uint64_t	skipped_bytes;	/* payload dropped while out of step */
	uint64_t	connections;
	uint64_t	requests;
	uint64_t	responses;
	uint64_t	bad_http;	/* bytes that are not an HTTP message */
	uint64_t	unanswered;	/* requests without a response */
	uint64_t	dropped_requests; /* past PH_PENDING_MAX pipelined */
	uint64_t	orphan_responses; /* responses without a request */
	uint64_t	no_body;	/* not a sendfile: error, HEAD, empty */
	uint64_t	events;		/* sendfile events made */
	uint64_t	late;		/* answered after PH_REORDER_NS: time
					   raised to keep the file sorted */
	uint64_t	clipped;	/* bodies longer than an event holds */
	uint64_t	estimated;	/* events of responses whose header was
					   not captured (sizes predicted), or of
					   estimated requests */
	uint64_t	estimated_requests; /* requests cut off by the snap
					   length, taken as copies of the
					   last one */
};

/*
 * Where the events go: called in time order; a nonzero return is the
 * parser's error (ph_parser_error) and later events are dropped.
 */
typedef int	(*ph_sink_fn)(void *arg, const struct pr_event *ev);

struct ph_parser;

/* Link-layer header length of pcap link type lt, or -1: not decoded. */
int	ph_link_hdrlen(int lt);

/*
 * A parser for packets of link type lt (ph_link_hdrlen(lt) >= 0); events
 * flagged NOCACHE when nocache.  NULL when out of memory.
 */
struct ph_parser *ph_parser_create(int lt, bool nocache, ph_sink_fn sink,
	    void *arg);

/*
 * One packet: capture time (ns since the epoch), caplen bytes at pkt of a
 * frame wire bytes long.  Times count from the first packet's.
 */
void	ph_parser_packet(struct ph_parser *p, uint64_t ts_ns,
	    const uint8_t *pkt, size_t caplen, size_t wire);

/* End of input: close every connection and hand over every event held. */
void	ph_parser_finish(struct ph_parser *p);

/* The counters so far. */
const struct ph_counts *ph_parser_counts(const struct ph_parser *p);

/* The first error (the sink's, or PR_E_NOMEM), 0 when none. */
int	ph_parser_error(const struct ph_parser *p);

/* Free the parser (events still held are dropped). */
void	ph_parser_destroy(struct ph_parser *p);

#endif /* PR_CAPTURE_PCAP_HTTP_H */
