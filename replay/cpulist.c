/*
 * cpulist.c - CPU list parsing and the online CPUs (see cpulist.h).
 */
#include <ctype.h>
#include <errno.h>
#include <sched.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "cpulist.h"

/* Parse one CPU number at *sp, advancing it; 0 or -1. */
static int
cpulist_number(const char **sp, unsigned *cpu)
{
	unsigned long v;
	char *end;

	if (!isdigit((unsigned char)**sp))
		return (-1);
	errno = 0;
	v = strtoul(*sp, &end, 10);
	if (errno != 0 || v >= RP_CPU_MAX)
		return (-1);
	*cpu = (unsigned)v;
	*sp = end;
	return (0);
}

int
rp_cpulist_parse(const char *s, struct rp_cpulist *out, char *err,
    size_t errlen)
{
	const char *p;
	unsigned lo, hi, c;
	unsigned char *seen;
	size_t cap;

	out->cpu = NULL;
	out->n = 0;
	cap = 0;
	seen = calloc(RP_CPU_MAX, 1);
	if (seen == NULL) {
		snprintf(err, errlen, "out of memory");
		return (-1);
	}
	p = s;
	for (;;) {
		if (cpulist_number(&p, &lo) != 0)
			goto bad;
		hi = lo;
		if (*p == '-') {
			p++;
			if (cpulist_number(&p, &hi) != 0 || hi < lo)
				goto bad;
		}
		for (c = lo; c <= hi; c++) {
			if (seen[c]) {
				snprintf(err, errlen,
				    "CPU list '%s' names CPU %u twice", s, c);
				goto fail;
			}
			seen[c] = 1;
			if (out->n == cap) {
				unsigned *n;

				cap = cap == 0 ? 16 : 2 * cap;
				n = realloc(out->cpu, cap * sizeof(*n));
				if (n == NULL) {
					snprintf(err, errlen, "out of memory");
					goto fail;
				}
				out->cpu = n;
			}
			out->cpu[out->n++] = c;
		}
		if (*p == '\0')
			break;
		if (*p++ != ',')
			goto bad;
	}
	free(seen);
	return (0);
bad:
	snprintf(err, errlen,
	    "malformed CPU list '%s' (expected e.g. 0-15,32-47, CPUs < %d)",
	    s, RP_CPU_MAX);
fail:
	free(seen);
	rp_cpulist_free(out);
	return (-1);
}

int
rp_cpulist_online(struct rp_cpulist *out, char *err, size_t errlen)
{
	char buf[4096];
	FILE *f;
	size_t len;
	long n;
	unsigned i;

	f = fopen("/sys/devices/system/cpu/online", "r");
	if (f != NULL) {
		len = fread(buf, 1, sizeof(buf) - 1, f);
		fclose(f);
		while (len > 0 && isspace((unsigned char)buf[len - 1]))
			len--;
		buf[len] = '\0';
		if (len > 0 && rp_cpulist_parse(buf, out, err, errlen) == 0)
			return (0);
	}
	/* No sysfs: assume CPUs 0..n-1. */
	n = sysconf(_SC_NPROCESSORS_ONLN);
	if (n < 1 || n > RP_CPU_MAX) {
		snprintf(err, errlen, "cannot tell which CPUs are online");
		return (-1);
	}
	out->cpu = malloc((size_t)n * sizeof(*out->cpu));
	if (out->cpu == NULL) {
		snprintf(err, errlen, "out of memory");
		return (-1);
	}
	for (i = 0; i < (unsigned)n; i++)
		out->cpu[i] = i;
	out->n = (size_t)n;
	return (0);
}

int
rp_cpulist_allowed(struct rp_cpulist *out, char *err, size_t errlen)
{
	cpu_set_t set;
	size_t i, n;

	if (rp_cpulist_online(out, err, errlen) != 0)
		return (-1);
	if (sched_getaffinity(0, sizeof(set), &set) != 0)
		return (0);
	for (i = n = 0; i < out->n; i++)
		if (out->cpu[i] < CPU_SETSIZE && CPU_ISSET(out->cpu[i], &set))
			out->cpu[n++] = out->cpu[i];
	if (n == 0) {
		snprintf(err, errlen, "no online CPU is allowed to this "
		    "process");
		rp_cpulist_free(out);
		return (-1);
	}
	out->n = n;
	return (0);
}

bool
rp_cpulist_has(const struct rp_cpulist *l, unsigned cpu)
{
	size_t i;

	for (i = 0; i < l->n; i++)
		if (l->cpu[i] == cpu)
			return (true);
	return (false);
}

const char *
rp_cpulist_format(const struct rp_cpulist *l, char *buf, size_t len)
{
	size_t i, j, off;
	int w;

	off = 0;
	buf[0] = '\0';
	for (i = 0; i < l->n; i = j + 1) {
		/* Fold a run of consecutive CPUs into a range. */
		for (j = i; j + 1 < l->n && l->cpu[j + 1] == l->cpu[j] + 1; j++)
			continue;
		if (j == i)
			w = snprintf(buf + off, len - off, "%s%u",
			    i == 0 ? "" : ",", l->cpu[i]);
		else
			w = snprintf(buf + off, len - off, "%s%u-%u",
			    i == 0 ? "" : ",", l->cpu[i], l->cpu[j]);
		if (w < 0 || (size_t)w >= len - off)
			break;
		off += (size_t)w;
	}
	return (buf);
}

void
rp_cpulist_free(struct rp_cpulist *l)
{
	free(l->cpu);
	l->cpu = NULL;
	l->n = 0;
}
