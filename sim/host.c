/*
 * host.c - the `host` machine: this machine's costs, measured (sim.h).
 * Each figure is the median of several short trials, so a busy host moves
 * it less; the topology is flat (every other CPU at one distance), since
 * the host's own topology is not read.
 */
#include <pthread.h>
#include <sched.h>
#include <stdatomic.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cli.h"
#include "sim.h"

#define HOST_TRIALS	7

/* ns of one atomic RMW on a line this CPU owns. */
static double
host_rmw(void)
{
	static _Alignas(64) _Atomic uint64_t word;
	double v[HOST_TRIALS];
	uint64_t t0;
	unsigned k, i;

	for (k = 0; k < HOST_TRIALS; k++) {
		t0 = cli_now_ns();
		for (i = 0; i < 200000; i++)
			atomic_fetch_add(&word, 1);
		v[k] = (double)(cli_now_ns() - t0) / 200000;
	}
	return (cli_median(v, HOST_TRIALS));
}

/* ns of one pause. */
static double
host_pause(void)
{
	double v[HOST_TRIALS];
	uint64_t t0;
	unsigned k, i;

	for (k = 0; k < HOST_TRIALS; k++) {
		t0 = cli_now_ns();
		for (i = 0; i < 20000; i++) {
#if defined(__x86_64__) || defined(__i386__)
			__asm__ __volatile__("pause");
#endif
		}
		v[k] = (double)(cli_now_ns() - t0) / 20000;
	}
	return (cli_median(v, HOST_TRIALS));
}

/* ns of a dependent load from memory: a random cycle through 64 MiB. */
static double
host_memory(void)
{
	const size_t n = (64u << 20) / sizeof(size_t);
	double v[HOST_TRIALS];
	size_t *next, i, j, t, p;
	uint64_t x = 1, t0;
	unsigned k;

	if ((next = malloc(n * sizeof(*next))) == NULL)
		return (0);
	for (i = 0; i < n; i++)
		next[i] = i;
	for (i = n - 1; i > 0; i--) {	/* Sattolo: one cycle */
		j = (size_t)(sim_mix(&x) % i);
		t = next[i];
		next[i] = next[j];
		next[j] = t;
	}
	for (k = 0, p = 0; k < HOST_TRIALS; k++) {
		t0 = cli_now_ns();
		for (i = 0; i < 200000; i++)
			p = next[p];
		v[k] = (double)(cli_now_ns() - t0) / 200000;
	}
	free(next);
	return (p == n ? 0 : cli_median(v, HOST_TRIALS));
}

/* Two threads on CPUs 0 and 1 taking turns on one line. */
struct host_pp {
	_Alignas(64) _Atomic uint64_t turn;
	unsigned	 rounds;
	int		 cpu;
};

static void *
host_pong(void *arg)
{
	struct host_pp *pp = arg;
	cpu_set_t set;
	uint64_t i;

	CPU_ZERO(&set);
	CPU_SET(pp->cpu, &set);
	pthread_setaffinity_np(pthread_self(), sizeof(set), &set);
	for (i = 1; i < 2 * (uint64_t)pp->rounds; i += 2) {
		while (atomic_load_explicit(&pp->turn,
		    memory_order_acquire) != i)
			continue;
		atomic_store_explicit(&pp->turn, i + 1, memory_order_release);
	}
	return (NULL);
}

/* ns of one line transfer between two CPUs (0: fewer than two). */
static double
host_transfer(void)
{
	struct host_pp *pp;
	double v[HOST_TRIALS];
	cpu_set_t set, old;
	pthread_t t;
	uint64_t i, t0;
	unsigned k;

	if (sched_getaffinity(0, sizeof(old), &old) != 0 ||
	    CPU_COUNT(&old) < 2 || !CPU_ISSET(0, &old) || !CPU_ISSET(1, &old))
		return (0);
	if ((pp = aligned_alloc(64, sizeof(*pp))) == NULL)
		return (0);
	CPU_ZERO(&set);
	CPU_SET(0, &set);
	sched_setaffinity(0, sizeof(set), &set);
	for (k = 0; k < HOST_TRIALS; k++) {
		memset(pp, 0, sizeof(*pp));
		pp->rounds = 20000;
		pp->cpu = 1;
		if (pthread_create(&t, NULL, host_pong, pp) != 0)
			break;
		t0 = cli_now_ns();
		for (i = 0; i < 2 * (uint64_t)pp->rounds; i += 2) {
			atomic_store_explicit(&pp->turn, i + 1,
			    memory_order_release);
			while (atomic_load_explicit(&pp->turn,
			    memory_order_acquire) != i + 2)
				continue;
		}
		v[k] = (double)(cli_now_ns() - t0) / (2.0 * pp->rounds);
		pthread_join(t, NULL);
	}
	sched_setaffinity(0, sizeof(old), &old);
	free(pp);
	return (k == HOST_TRIALS ? cli_median(v, HOST_TRIALS) : 0);
}

static uint32_t
host_round(double ns, uint32_t fallback)
{
	return (ns > 0 ? (uint32_t)(ns + 0.5) : fallback);
}

void
sim_machine_host(struct sim_machine *m, uint32_t work_ns)
{
	const struct sim_machine *ref = sim_machine_info(0);
	uint32_t move;

	*m = *ref;
	m->name = "host";
	m->what = "this machine, measured (flat: one distance between CPUs)";
	m->sockets = 1;
	m->ccx_per_socket = 1;
	m->cores_per_ccx = SIM_CPUS_MAX;
	m->smt = 1;
	m->hit_ns = host_round(host_rmw(), ref->hit_ns);
	m->pause_ns = host_round(host_pause(), ref->pause_ns);
	m->mem_ns = host_round(host_memory(), ref->mem_ns);
	move = host_round(host_transfer(), ref->ccx_ns);
	m->smt_ns = m->ccx_ns = m->socket_ns = m->remote_ns = move;
	m->work_ns = work_ns;
}
