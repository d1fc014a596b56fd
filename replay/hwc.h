/*
 * hwc.h - hardware counters of one thread (cycles, instructions, last-level
 * cache misses) through perf_event_open(2), user space only.  Where the
 * kernel or the hypervisor does not allow them, opening fails with a reason
 * and the report says so instead of printing numbers.
 */
#ifndef PR_HWC_H
#define PR_HWC_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

enum rp_hwc_counter {
	RP_HWC_CYCLES = 0,
	RP_HWC_INSTRUCTIONS,
	RP_HWC_LLC_MISSES,
	RP_HWC_COUNT
};

struct rp_hwc {
	int		fd[RP_HWC_COUNT];	/* group; fd[0] leads */
};

struct rp_hwc_counts {
	bool		valid;
	uint64_t	v[RP_HWC_COUNT];
};

/*
 * Open a disabled counter group on the calling thread.  0, or -1 with the
 * reason in why (h then holds no descriptors).
 */
int	rp_hwc_open(struct rp_hwc *h, char *why, size_t whylen);
void	rp_hwc_start(struct rp_hwc *h);
/* Stop counting and read the group (scaled if it was multiplexed). */
void	rp_hwc_stop(struct rp_hwc *h, struct rp_hwc_counts *out);
void	rp_hwc_close(struct rp_hwc *h);

#endif /* PR_HWC_H */
