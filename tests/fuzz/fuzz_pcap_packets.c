/*
 * fuzz_pcap_packets.c - libFuzzer harness for the libpcap front end's
 * packet parser (capture/pcap_http.c), below libpcap's file reader.
 *
 * The input is read as a little-endian classic pcap file, leniently, here:
 * the global header's magic (micro- or nanosecond times) and link type (an
 * unsupported one picks a supported one, so that mutations reach every
 * link decoder), then records of time, captured and wire length and
 * bytes; a captured length past the end of the input is cut to it.  So
 * the captures tests/workloads/test_pcap_http.c writes seed both pcap
 * harnesses.  Every event and the final counts go through pcap_oracle.
 */
#include <pcap/dlt.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "pcap_http.h"
#include "pcap_oracle.h"

#define PCAP_MAGIC_NS	0xa1b23c4du	/* nanosecond timestamps */
#define MAX_CAPLEN	262144		/* record --snaplen's maximum */

int	LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

/* Link types the parser decodes (ph_link_hdrlen). */
static const int links[] = {
	DLT_EN10MB, DLT_NULL, DLT_LOOP, DLT_LINUX_SLL, DLT_LINUX_SLL2,
	DLT_RAW, DLT_IPV4, DLT_IPV6,
};

/* A little-endian 32-bit word at p. */
static uint32_t
le32(const uint8_t *p)
{
	return ((uint32_t)p[0] | (uint32_t)p[1] << 8 | (uint32_t)p[2] << 16 |
	    (uint32_t)p[3] << 24);
}

/* The parser's sink: every event through the oracle. */
static int
sink(void *arg, const struct pr_event *ev)
{
	pcap_oracle_event(arg, ev);
	return (0);
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct pcap_oracle o;
	struct ph_parser *ps;
	uint64_t ts, packets;
	uint32_t caplen, wire;
	size_t off;
	bool ns, nocache;
	int lt;

	if (size < 24)
		return (0);
	ns = le32(data) == PCAP_MAGIC_NS;
	nocache = (data[16] & 1) != 0;		/* a bit of the snaplen */
	lt = (int)le32(data + 20);
	if (ph_link_hdrlen(lt) < 0)
		lt = links[le32(data + 20) % (sizeof(links) / sizeof(links[0]))];
	memset(&o, 0, sizeof(o));
	o.flags = nocache ? PR_F_NOCACHE : 0;
	if ((ps = ph_parser_create(lt, nocache, sink, &o)) == NULL)
		abort();
	packets = 0;
	for (off = 24; size - off >= 16; off += caplen) {
		ts = (uint64_t)le32(data + off) * 1000000000u +
		    (uint64_t)le32(data + off + 4) * (ns ? 1 : 1000);
		caplen = le32(data + off + 8);
		wire = le32(data + off + 12);
		off += 16;
		if (caplen > size - off)
			caplen = (uint32_t)(size - off);
		if (caplen > MAX_CAPLEN)
			caplen = MAX_CAPLEN;
		ph_parser_packet(ps, ts, data + off, caplen, wire);
		packets++;
	}
	ph_parser_finish(ps);
	if (ph_parser_error(ps) != 0 || ph_parser_counts(ps)->packets !=
	    packets)
		abort();
	pcap_oracle_end(&o, ph_parser_counts(ps));
	ph_parser_destroy(ps);
	return (0);
}
