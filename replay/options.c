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
    "  --cpus LIST           CPUs to pin workers to, e.g. 0-15,32-47\n"
    "                        (default: every online CPU this process may\n"
    "                        use; worker i runs on the i-th CPU of the\n"
    "                        list, wrapping around)\n"
    "  --partition KEY       streams by original tid (default), cpu or\n"
    "                        object; each stream keeps its order\n"
    "  --scale-mode MODE     disjoint (default: replicas on different\n"
    "                        objects and pmaps) or shared (same ones)\n"
    "  --pace MODE           asap (default) or recorded[:FACTOR]\n"
    "  --warmup N|DUR        first N events or DUR (e.g. 2s) not measured\n"
    "  --duration DUR        stop measuring after DUR (e.g. 10s, 500ms)\n"
    "  --loop N              replay the trace N times (default 1)\n"
    "  --no-timing           no lock wait/hold timing (raw throughput)\n"
    "  --no-hwc              no hardware counters (perf_event_open)\n"
    "  --check               run the model's invariant check at the end;\n"
    "                        violations make the exit status 1\n"
    "  --phys-mem SIZE       model memory (default 1G per disjoint\n"
    "                        replica), e.g. 512M, 4G\n"
    "  --csv FILE            CSV rows, one per run x lock class\n"
    "                        (docs/csv.md); - is stdout (the human\n"
    "                        report then goes to stderr)\n"
    "  --json FILE           the same as JSON, with per-worker figures\n"
    "                        (outputs are written whole or not at all;\n"
    "                        none may be the trace or an existing trace)\n"
    "  --salvage             replay the intact frames of a corrupt trace\n"
    "                        (refused by default; a cut one is replayed\n"
    "                        with a warning)\n"
    "  --preset NAME         every design family as a release shipped it:\n"
    "                        freebsd10, freebsd12, freebsd13, freebsd14,\n"
    "                        dragonfly56, d24217 (`--preset help` lists\n"
    "                        their designs;\n"
    "                        docs/presets.md); design options after it\n"
    "                        override it (sweep: design lists always do).\n"
    "                        Without it the design is the defaults, which\n"
    "                        are no release\n"
    "  --free SPEC           global | pgcache: the free path (default\n"
    "                        pgcache; FreeBSD 10 is global)\n"
    "  --help                this text\n";

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

void
rp_design_help(FILE *f)
{
	char opt[32], syn[256];
	int fam;

	for (fam = 0; fam < ENG_FAM_COUNT; fam++) {
		if (fam == ENG_FAM_FREE)	/* in rp_opt_common_help */
			continue;
		snprintf(opt, sizeof(opt), "--%s SPEC",
		    eng_family_name((enum eng_family)fam));
		fprintf(f, "  %-21s %s\n", opt, eng_design_syntax(
		    (enum eng_family)fam, " | ", syn, sizeof(syn)));
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
rp_opt_common(int opt, const char *arg, struct rp_opts *o, char *err,
    size_t errlen)
{
	struct rp_config *c = &o->cfg;
	char why[256];
	uint64_t v;

	switch (opt) {
	case RP_OPT_CPUS:
		o->cpus = arg;
		return (1);
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
	case RP_OPT_NO_HWC:
		c->run.hwc = false;
		return (1);
	case RP_OPT_CHECK:
		c->check = true;
		return (1);
	case RP_OPT_PHYS_MEM:
		if (cli_parse_size(arg, &c->phys_bytes) != 0 ||
		    c->phys_bytes < (1u << 20)) {
			snprintf(err, errlen, "--phys-mem: '%s' is not a size "
			    "of at least 1M (e.g. 512M, 4G)", arg);
			return (-1);
		}
		return (1);
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
			return (1);
		case 1:
			exit(0);
		default:
			snprintf(err, errlen, "--preset: %s", why);
			return (-1);
		}
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
