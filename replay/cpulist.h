/*
 * cpulist.h - CPU lists as users and Linux write them ("0-15,32-47") and
 * the set of online CPUs.
 */
#ifndef PR_CPULIST_H
#define PR_CPULIST_H

#include <stdbool.h>
#include <stddef.h>

#define RP_CPU_MAX	4096	/* highest CPU number accepted, exclusive */

struct rp_cpulist {
	unsigned	*cpu;		/* CPU numbers, in the order given */
	size_t		 n;
};

/*
 * Parse a comma-separated list of CPUs and ranges ("0-3,8,10-11").  A CPU
 * listed twice is an error.  Returns 0, or -1 with a one-line reason in err.
 */
int	rp_cpulist_parse(const char *s, struct rp_cpulist *out, char *err,
	    size_t errlen);
/* The online CPUs (/sys/devices/system/cpu/online); 0 or -1 with err. */
int	rp_cpulist_online(struct rp_cpulist *out, char *err, size_t errlen);
/*
 * The online CPUs this process may run on (sched_getaffinity: a cgroup
 * cpuset or taskset narrows it); 0 or -1 with err.
 */
int	rp_cpulist_allowed(struct rp_cpulist *out, char *err, size_t errlen);
bool	rp_cpulist_has(const struct rp_cpulist *l, unsigned cpu);
/* Canonical text with ranges folded ("0-3,8"); returns buf. */
const char *rp_cpulist_format(const struct rp_cpulist *l, char *buf,
	    size_t len);
void	rp_cpulist_free(struct rp_cpulist *l);

#endif /* PR_CPULIST_H */
