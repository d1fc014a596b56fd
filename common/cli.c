/*
 * cli.c - parsing and progress helpers shared by the subcommands.
 */
#include <sys/stat.h>

#include <ctype.h>
#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "cli.h"

int
cli_parse_u64(const char *s, uint64_t min, uint64_t max, uint64_t *out)
{
	char *end;
	unsigned long long v;

	if (s == NULL || *s == '\0' || *s == '-' || isspace((unsigned char)*s))
		return (-1);
	errno = 0;
	v = strtoull(s, &end, 0);
	if (errno != 0 || *end != '\0' || v < min || v > max)
		return (-1);
	*out = v;
	return (0);
}

/* Split "123abc" into a number and a unit suffix; 0 or -1. */
static int
split_number(const char *s, double *v, const char **unit)
{
	char *end;

	if (s == NULL || *s == '\0' || *s == '-' || isspace((unsigned char)*s))
		return (-1);
	errno = 0;
	*v = strtod(s, &end);
	if (errno != 0 || end == s || *v < 0)
		return (-1);
	*unit = end;
	return (0);
}

struct unit {
	const char	*name;
	double		 mult;
};

/* A number followed by one of units (or by nothing if "" is a unit). */
static int
parse_with_units(const char *s, const struct unit *units, size_t nunits,
    uint64_t *out)
{
	const char *unit;
	double v;
	size_t i;

	if (split_number(s, &v, &unit) != 0)
		return (-1);
	for (i = 0; i < nunits; i++) {
		if (strcmp(unit, units[i].name) == 0) {
			v *= units[i].mult;
			if (v >= 18446744073709551615.0)
				return (-1);
			*out = (uint64_t)v;
			return (0);
		}
	}
	return (-1);
}

int
cli_parse_size(const char *s, uint64_t *bytes)
{
	static const struct unit units[] = {
		{ "", 1 }, { "b", 1 }, { "B", 1 },
		{ "k", 1024.0 }, { "K", 1024.0 }, { "KiB", 1024.0 },
		{ "m", 1048576.0 }, { "M", 1048576.0 }, { "MiB", 1048576.0 },
		{ "g", 1073741824.0 }, { "G", 1073741824.0 },
		{ "GiB", 1073741824.0 },
	};

	return (parse_with_units(s, units, sizeof(units) / sizeof(units[0]),
	    bytes));
}

int
cli_parse_duration(const char *s, uint64_t *ns)
{
	static const struct unit units[] = {
		{ "", 1e9 }, { "s", 1e9 }, { "ms", 1e6 }, { "us", 1e3 },
		{ "ns", 1 }, { "m", 60e9 }, { "min", 60e9 }, { "h", 3600e9 },
	};

	return (parse_with_units(s, units, sizeof(units) / sizeof(units[0]),
	    ns));
}

bool
cli_progress_enabled(void)
{
	static int enabled = -1;

	if (enabled < 0)
		enabled = isatty(STDOUT_FILENO) && isatty(STDERR_FILENO);
	return (enabled);
}

void
cli_progress(const char *fmt, ...)
{
	va_list ap;

	if (!cli_progress_enabled())
		return;
	fputs("\r", stderr);
	va_start(ap, fmt);
	vfprintf(stderr, fmt, ap);
	va_end(ap);
	fputs("\033[K", stderr);
	fflush(stderr);
}

void
cli_progress_done(void)
{
	if (!cli_progress_enabled())
		return;
	fputs("\r\033[K", stderr);
	fflush(stderr);
}

uint64_t
cli_now_ns(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return ((uint64_t)ts.tv_sec * 1000000000u + (uint64_t)ts.tv_nsec);
}

static int
cli_cmp_double(const void *a, const void *b)
{
	double x = *(const double *)a, y = *(const double *)b;

	return ((x > y) - (x < y));
}

double
cli_median(double *v, size_t n)
{
	qsort(v, n, sizeof(*v), cli_cmp_double);
	return (n % 2 ? v[n / 2] : (v[n / 2 - 1] + v[n / 2]) / 2);
}

bool
cli_stdout_is(const char *path)
{
	struct stat in, out;

	return (stat(path, &in) == 0 && !S_ISCHR(in.st_mode) &&
	    fstat(STDOUT_FILENO, &out) == 0 && out.st_dev == in.st_dev &&
	    out.st_ino == in.st_ino);
}

bool
cli_same_file(const char *a, const char *b)
{
	struct stat sa, sb;

	return (stat(a, &sa) == 0 && stat(b, &sb) == 0 &&
	    sa.st_dev == sb.st_dev && sa.st_ino == sb.st_ino);
}
