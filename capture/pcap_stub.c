/*
 * pcap_stub.c - `record --pcap/--iface` when built without libpcap.
 */
#include <err.h>

#include "commands.h"

int
cmd_record_pcap(int argc, char **argv)
{
	(void)argc;
	(void)argv;
	warnx("record --pcap/--iface: built without libpcap "
	    "(install libpcap-dev and reconfigure with -Dcapture=enabled)");
	return (1);
}
