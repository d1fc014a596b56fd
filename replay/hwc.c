/*
 * hwc.c - per-thread hardware counters with perf_event_open(2) (see hwc.h).
 */
#include <errno.h>
#include <linux/perf_event.h>
#include <stdio.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/syscall.h>
#include <unistd.h>

#include "hwc.h"

static const struct {
	uint32_t	type;
	uint64_t	config;
} hwc_events[RP_HWC_COUNT] = {
	[RP_HWC_CYCLES] = { PERF_TYPE_HARDWARE, PERF_COUNT_HW_CPU_CYCLES },
	[RP_HWC_INSTRUCTIONS] = { PERF_TYPE_HARDWARE,
	    PERF_COUNT_HW_INSTRUCTIONS },
	[RP_HWC_LLC_MISSES] = { PERF_TYPE_HW_CACHE,
	    PERF_COUNT_HW_CACHE_LL | (PERF_COUNT_HW_CACHE_OP_READ << 8) |
	    (PERF_COUNT_HW_CACHE_RESULT_MISS << 16) },
};

int
rp_hwc_open(struct rp_hwc *h, char *why, size_t whylen)
{
	struct perf_event_attr a;
	long fd;
	int i;

	for (i = 0; i < RP_HWC_COUNT; i++)
		h->fd[i] = -1;
	for (i = 0; i < RP_HWC_COUNT; i++) {
		memset(&a, 0, sizeof(a));
		a.size = sizeof(a);
		a.type = hwc_events[i].type;
		a.config = hwc_events[i].config;
		a.disabled = i == 0;
		a.exclude_kernel = 1;
		a.exclude_hv = 1;
		a.read_format = PERF_FORMAT_GROUP |
		    PERF_FORMAT_TOTAL_TIME_ENABLED |
		    PERF_FORMAT_TOTAL_TIME_RUNNING;
		fd = syscall(SYS_perf_event_open, &a, 0, -1,
		    i == 0 ? -1 : h->fd[0], 0);
		if (fd < 0) {
			snprintf(why, whylen,
			    "hardware counters unavailable (perf_event_open: "
			    "%s%s)", strerror(errno), errno == ENOENT ||
			    errno == EOPNOTSUPP ? ", no PMU: virtual machine?"
			    : errno == EACCES || errno == EPERM ?
			    ", see kernel.perf_event_paranoid" : "");
			rp_hwc_close(h);
			return (-1);
		}
		h->fd[i] = (int)fd;
	}
	return (0);
}

void
rp_hwc_start(struct rp_hwc *h)
{
	if (h->fd[0] < 0)
		return;
	ioctl(h->fd[0], PERF_EVENT_IOC_RESET, PERF_IOC_FLAG_GROUP);
	ioctl(h->fd[0], PERF_EVENT_IOC_ENABLE, PERF_IOC_FLAG_GROUP);
}

void
rp_hwc_stop(struct rp_hwc *h, struct rp_hwc_counts *out)
{
	uint64_t buf[3 + RP_HWC_COUNT];
	double scale;
	ssize_t n;
	int i;

	memset(out, 0, sizeof(*out));
	if (h->fd[0] < 0)
		return;
	ioctl(h->fd[0], PERF_EVENT_IOC_DISABLE, PERF_IOC_FLAG_GROUP);
	n = read(h->fd[0], buf, sizeof(buf));
	/* nr, time_enabled, time_running, values[nr] */
	if (n != (ssize_t)sizeof(buf) || buf[0] != RP_HWC_COUNT ||
	    buf[2] == 0)
		return;
	scale = (double)buf[1] / (double)buf[2];
	for (i = 0; i < RP_HWC_COUNT; i++)
		out->v[i] = (uint64_t)((double)buf[3 + i] * scale);
	out->valid = true;
}

void
rp_hwc_close(struct rp_hwc *h)
{
	int i;

	for (i = 0; i < RP_HWC_COUNT; i++) {
		if (h->fd[i] >= 0)
			close(h->fd[i]);
		h->fd[i] = -1;
	}
}
