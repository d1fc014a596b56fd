/*
 * machine.c - the machines the simulator models, as data (see sim.h).
 * docs/simulate.md gives each figure's public source; figures marked there
 * as estimates have no published measurement behind them.
 */
#include <stdio.h>
#include <string.h>

#include "sim.h"

static const struct sim_machine sim_machines[] = {
	{
		.name = "xeon-2s-104",
		.what = "2 x 26-core Cascade Lake-SP, 2 threads a core "
		    "(104 threads, as poudriere -j 104 in D21833)",
		.sockets = 2, .ccx_per_socket = 1, .cores_per_ccx = 26,
		.smt = 2,
		.load_ns = 2, .hit_ns = 9, .smt_ns = 8, .ccx_ns = 48,
		.socket_ns = 48, .remote_ns = 130, .mem_ns = 85,
		.pause_ns = 65, .park_ns = 1500, .wake_ns = 4000,
		.yield_ns = 1000, .work_ns = 30,
	},
	{
		.name = "epyc-64",
		.what = "1 x 64-core EPYC 7742 (Zen 2, 4-core complexes), 2 "
		    "threads a core (128 threads)",
		.sockets = 1, .ccx_per_socket = 16, .cores_per_ccx = 4,
		.smt = 2,
		.load_ns = 2, .hit_ns = 8, .smt_ns = 7, .ccx_ns = 28,
		.socket_ns = 110, .remote_ns = 110, .mem_ns = 110,
		.pause_ns = 25, .park_ns = 1500, .wake_ns = 4000,
		.yield_ns = 1000, .work_ns = 30,
	},
	{
		.name = "epyc-128",
		.what = "2 x 64-core EPYC 7742 (Zen 2, 4-core complexes), 2 "
		    "threads a core (256 threads)",
		.sockets = 2, .ccx_per_socket = 16, .cores_per_ccx = 4,
		.smt = 2,
		.load_ns = 2, .hit_ns = 8, .smt_ns = 7, .ccx_ns = 28,
		.socket_ns = 110, .remote_ns = 200, .mem_ns = 110,
		.pause_ns = 25, .park_ns = 1500, .wake_ns = 4000,
		.yield_ns = 1000, .work_ns = 30,
	},
	{
		.name = "ideal",
		.what = "1024 CPUs, free coherence and no work between "
		    "points: lock hand-off and think time only (analytic "
		    "tests)",
		.sockets = 1, .ccx_per_socket = 1, .cores_per_ccx = 1024,
		.smt = 1,
		.load_ns = 0, .hit_ns = 0, .smt_ns = 0, .ccx_ns = 0,
		.socket_ns = 0, .remote_ns = 0, .mem_ns = 0,
		.pause_ns = 1, .park_ns = 0, .wake_ns = 0,
		.yield_ns = 1, .work_ns = 0,
	},
};

unsigned
sim_machine_threads(const struct sim_machine *m)
{
	return (m->sockets * m->ccx_per_socket * m->cores_per_ccx * m->smt);
}

const struct sim_machine *
sim_machine_info(size_t i)
{
	return (i < sizeof(sim_machines) / sizeof(sim_machines[0]) ?
	    &sim_machines[i] : NULL);
}

const struct sim_machine *
sim_machine_find(const char *name)
{
	const struct sim_machine *m;
	size_t i;

	for (i = 0; (m = sim_machine_info(i)) != NULL; i++)
		if (strcmp(m->name, name) == 0)
			return (m);
	return (NULL);
}

const char *
sim_machine_names(const char *sep, char *buf, size_t len)
{
	const struct sim_machine *m;
	size_t i, off = 0;
	int n;

	buf[0] = '\0';
	for (i = 0; (m = sim_machine_info(i)) != NULL && off < len; i++) {
		n = snprintf(buf + off, len - off, "%s%s", i > 0 ? sep : "",
		    m->name);
		if (n < 0)
			break;
		off += (size_t)n;
	}
	return (buf);
}
