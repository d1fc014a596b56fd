/*
 * options.c - options shared by replay and sweep (see options.h).
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cli.h"
#include "options.h"

const char rp_opt_common_help[] =
    "  -C, --cpus LIST       CPUs to pin workers to, e.g. 0-15,32-47\n"
    "                        (default: every online CPU this process may\n"
    "                        use; worker i runs on the i-th CPU of the\n"
    "                        list, wrapping around)\n"
    "  --partition KEY       streams by original tid (default), cpu or\n"
    "                        object; each stream keeps its order\n"
    "  --scale-mode MODE     disjoint (default: replicas on different\n"
    "                        objects and pmaps) or shared (same ones)\n"
    "  --pace MODE           asap (default) or recorded[:FACTOR]\n"
    "  --warmup N|DUR        first N events or DUR (e.g. 2s) not measured\n"
    "  -d, --duration DUR    stop measuring after DUR (e.g. 10s, 500ms)\n"
    "  --loop N              replay the trace N times (default 1)\n"
    "  --no-timing           no lock wait/hold timing (raw throughput)\n"
    "  --hold-sample N       time the hold of one lock acquisition in N\n"
    "                        per worker (default 1: every one), as\n"
    "                        FreeBSD's debug.lock.prof.skipcount; hold\n"
    "                        percentiles are then over the sampled holds\n"
    "                        and hold totals estimated; every contended\n"
    "                        acquisition's wait is still timed\n"
    "  --no-hwc              no hardware counters (perf_event_open)\n"
    "  --check               run the model's invariant check at the end;\n"
    "                        violations make the exit status 1\n"
    "  --phys-mem SIZE|Fx    model memory (default 1G per disjoint\n"
    "                        replica), e.g. 512M, 4G; or F times the\n"
    "                        trace's resident footprint (the distinct\n"
    "                        pages it makes resident), e.g. 0.5x for\n"
    "                        memory pressure that runs the page daemon\n"
    "  --csv FILE            CSV rows, one per run x lock class, then\n"
    "                        per lock instance (docs/csv.md); - is\n"
    "                        stdout (the report then goes to stderr)\n"
    "  --json FILE           the same as JSON, with per-worker figures\n"
    "                        (outputs are written whole or not at all;\n"
    "                        none may be the trace or an existing trace)\n"
    "  -o, --output FILE     --csv FILE or --json FILE by the name's\n"
    "                        suffix (.csv, .json)\n"
    "  --salvage             replay the intact frames of a corrupt trace\n"
    "                        (refused by default; a cut one is replayed\n"
    "                        with a warning)\n"
    "  --no-prime            start from an empty model instead of making\n"
    "                        resident, before the run, the pages the trace\n"
    "                        touches before inserting them (docs/user-\n"
    "                        guide.md \"Priming\")\n"
    "  -h, --help            this text\n";

/* --phys-mem SIZE (at least 1M) | Fx (0 < F <= 1000) */
static int
opt_phys_mem(const char *arg, struct rp_config *c, char *err, size_t errlen)
{
	size_t len = strlen(arg);
	char *end;
	double f;

	if (len > 1 && arg[len - 1] == 'x') {
		f = strtod(arg, &end);
		if (end != arg + len - 1 || !(f > 0 && f <= 1000)) {
			snprintf(err, errlen, "--phys-mem: '%s' is not a "
			    "factor in (0, 1000] followed by x (e.g. 0.5x)",
			    arg);
			return (-1);
		}
		c->phys_factor = f;
		c->phys_bytes = 0;
		return (1);
	}
	if (cli_parse_size(arg, &c->phys_bytes) != 0 ||
	    c->phys_bytes < (1u << 20)) {
		snprintf(err, errlen, "--phys-mem: '%s' is not a size "
		    "of at least 1M (e.g. 512M, 4G) or a factor of the "
		    "trace's footprint (e.g. 0.5x)", arg);
		return (-1);
	}
	c->phys_factor = 0;
	return (1);
}

/* --pace asap | recorded[:FACTOR] */
static int
opt_pace(const char *arg, struct rp_config *c, char *err, size_t errlen)
{
	char *end;
	double f;

	if (strcmp(arg, "asap") == 0) {
		c->run.pace = RP_PACE_ASAP;
		return (0);
	}
	if (strncmp(arg, "recorded", 8) == 0 &&
	    (arg[8] == '\0' || arg[8] == ':')) {
		f = 1.0;
		if (arg[8] == ':') {
			errno = 0;
			f = strtod(arg + 9, &end);
			if (errno != 0 || end == arg + 9 || *end != '\0' ||
			    !(f > 0 && f < 1e9))
				goto bad;
		}
		c->run.pace = RP_PACE_RECORDED;
		c->run.pace_factor = f;
		return (0);
	}
bad:
	snprintf(err, errlen, "--pace: '%s' is not asap or "
	    "recorded[:FACTOR] with FACTOR > 0", arg);
	return (-1);
}

/* -o FILE: --csv or --json by the name's suffix. */
static int
opt_output(const char *arg, struct rp_opts *o, char *err, size_t errlen)
{
	size_t n = strlen(arg);

	if (n > 4 && strcmp(arg + n - 4, ".csv") == 0)
		o->csv = arg;
	else if (n > 5 && strcmp(arg + n - 5, ".json") == 0)
		o->json = arg;
	else {
		snprintf(err, errlen, "-o: '%s' does not end in .csv or .json "
		    "(--csv FILE and --json FILE take any name, - for "
		    "stdout)", arg);
		return (-1);
	}
	return (0);
}

const char *
rp_design_default(enum eng_family fam, char *buf, size_t len)
{
	struct eng_design d;

	eng_design_default(&d);
	return (eng_design_format(&d, fam, buf, len));
}

void
rp_design_help(FILE *f, bool lists)
{
	char opt[32], syn[256], dflt[64];
	int fam;

	for (fam = 0; fam < ENG_FAM_COUNT; fam++) {
		snprintf(opt, sizeof(opt), "--%s %s",
		    eng_family_name((enum eng_family)fam), lists &&
		    fam != ENG_FAM_FREE ? "LIST" : "SPEC");
		fprintf(f, "  %-21s %s%s\n  %-21s (default: %s)\n", opt,
		    lists && fam != ENG_FAM_FREE ? "of " : "",
		    eng_design_syntax((enum eng_family)fam, " | ", syn,
		    sizeof(syn)), "", rp_design_default((enum eng_family)fam,
		    dflt, sizeof(dflt)));
	}
}

void
rp_preset_list(FILE *f)
{
	const struct eng_preset_info *pi;
	size_t i;
	int fam;

	for (i = 0; (pi = eng_preset_info(i)) != NULL; i++) {
		fprintf(f, "%-10s %s:", pi->name, pi->release);
		for (fam = 0; fam < ENG_FAM_COUNT; fam++)
			fprintf(f, " --%s %s", eng_family_name(
			    (enum eng_family)fam), pi->spec[fam]);
		fprintf(f, "\n");
	}
}

int
rp_opt_preset(const char *arg, struct eng_design *d, char *err,
    size_t errlen)
{
	if (strcmp(arg, "help") == 0) {
		rp_preset_list(stdout);
		return (1);
	}
	return (eng_preset_apply(d, arg, err, errlen));
}

int
rp_opt_print(int opt, const char *arg, struct rp_print_opts *p, char *err,
    size_t errlen)
{
	uint64_t v;

	switch (opt) {
	case RP_OPT_SORT:
		if (rp_sort_key(arg, &p->sort) != 0) {
			snprintf(err, errlen, "--sort: '%s' is not one of %s",
			    arg, rp_sort_keys());
			return (-1);
		}
		return (1);
	case 'E':
	case RP_OPT_ENTRIES:
		if (cli_parse_u64(arg, 1, RP_SITE_MAX, &v) != 0) {
			snprintf(err, errlen, "--entries: '%s' is not a "
			    "number in 1..%d", arg, RP_SITE_MAX);
			return (-1);
		}
		p->entries = (unsigned)v;
		return (1);
	case RP_OPT_WIDE:
		p->wide = true;
		return (1);
	default:
		return (0);
	}
}

int
rp_opt_common(int opt, const char *arg, struct rp_opts *o, char *err,
    size_t errlen)
{
	struct rp_config *c = &o->cfg;
	char why[256];
	uint64_t v;

	switch (opt) {
	case 'C':
	case RP_OPT_CPUS:
		o->cpus = arg;
		return (1);
	case 'o':
	case RP_OPT_OUTPUT:
		return (opt_output(arg, o, err, errlen) == 0 ? 1 : -1);
	case RP_OPT_PARTITION:
		if (rp_partition_parse(arg, &c->partition) != 0) {
			snprintf(err, errlen, "--partition: '%s' is not tid, "
			    "cpu or object", arg);
			return (-1);
		}
		return (1);
	case RP_OPT_SCALE_MODE:
		if (rp_scale_mode_parse(arg, &c->scale_mode) != 0) {
			snprintf(err, errlen, "--scale-mode: '%s' is not "
			    "disjoint or shared", arg);
			return (-1);
		}
		return (1);
	case RP_OPT_PACE:
		return (opt_pace(arg, c, err, errlen) == 0 ? 1 : -1);
	case RP_OPT_WARMUP:
		c->run.warmup_events = c->run.warmup_ns = 0;
		if (cli_parse_u64(arg, 0, UINT64_MAX, &v) == 0)
			c->run.warmup_events = v;
		else if (cli_parse_duration(arg, &c->run.warmup_ns) != 0) {
			snprintf(err, errlen, "--warmup: '%s' is neither a "
			    "number of events nor a duration", arg);
			return (-1);
		}
		return (1);
	case 'd':
	case RP_OPT_DURATION:
		if (cli_parse_duration(arg, &c->run.duration_ns) != 0 ||
		    c->run.duration_ns == 0) {
			snprintf(err, errlen, "--duration: '%s' is not a "
			    "duration (e.g. 10s, 500ms)", arg);
			return (-1);
		}
		return (1);
	case RP_OPT_LOOP:
		if (cli_parse_u64(arg, 1, 1000000, &v) != 0) {
			snprintf(err, errlen, "--loop: '%s' is not a number "
			    "in 1..1000000", arg);
			return (-1);
		}
		c->run.loops = (unsigned)v;
		return (1);
	case RP_OPT_NO_TIMING:
		c->timing = false;
		return (1);
	case RP_OPT_HOLD_SAMPLE:
		if (cli_parse_u64(arg, 1, 1000000, &v) != 0) {
			snprintf(err, errlen, "--hold-sample: '%s' is not a "
			    "number in 1..1000000", arg);
			return (-1);
		}
		c->hold_sample = (uint32_t)v;
		return (1);
	case RP_OPT_NO_HWC:
		c->run.hwc = false;
		return (1);
	case RP_OPT_CHECK:
		c->check = true;
		return (1);
	case RP_OPT_PHYS_MEM:
		return (opt_phys_mem(arg, c, err, errlen));
	case RP_OPT_CSV:
		o->csv = arg;
		return (1);
	case RP_OPT_JSON:
		o->json = arg;
		return (1);
	case RP_OPT_SALVAGE:
		o->salvage = true;
		return (1);
	case RP_OPT_PRESET:
		switch (rp_opt_preset(arg, &c->design, why, sizeof(why))) {
		case 0:
			o->preset = arg;
			return (1);
		case 1:
			exit(0);
		default:
			snprintf(err, errlen, "--preset: %s", why);
			return (-1);
		}
	case RP_OPT_NO_PRIME:
		c->prime = false;
		return (1);
	case RP_OPT_FREE:
		if (eng_design_parse(&c->design, ENG_FAM_FREE, arg, why,
		    sizeof(why)) != 0) {
			snprintf(err, errlen, "--free: %s", why);
			return (-1);
		}
		return (1);
	default:
		return (0);
	}
}
