/*
 * options.h - the command-line options `replay`, `sweep` and `simulate`
 * share: CPUs, partitioning, scaling mode, pacing, warm-up, duration,
 * loops, timing, check, model memory, the output files, damaged traces,
 * the era preset and the free path (design families without a list
 * form); and the human tables' options of the commands that print them.
 * Each command adds its own (single values for replay, lists for sweep)
 * to a getopt_long table that ends with RP_OPT_COMMON_LONG.
 */
#ifndef PR_OPTIONS_H
#define PR_OPTIONS_H

#include <getopt.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdio.h>

#include "report.h"
#include "session.h"

enum rp_opt {
	RP_OPT_CPUS = 256,
	RP_OPT_PARTITION,
	RP_OPT_SCALE_MODE,
	RP_OPT_PACE,
	RP_OPT_WARMUP,
	RP_OPT_DURATION,
	RP_OPT_LOOP,
	RP_OPT_NO_TIMING,
	RP_OPT_HOLD_SAMPLE,
	RP_OPT_NO_HWC,
	RP_OPT_CHECK,
	RP_OPT_PHYS_MEM,
	RP_OPT_CSV,
	RP_OPT_JSON,
	RP_OPT_SALVAGE,
	RP_OPT_PRESET,
	RP_OPT_FREE,
	RP_OPT_NO_PRIME,
	RP_OPT_HELP,
	RP_OPT_OUTPUT,
	RP_OPT_SORT,		/* RP_OPT_PRINT_LONG */
	RP_OPT_ENTRIES,
	RP_OPT_WIDE,
	RP_OPT_COMMAND		/* first value free for a command's own */
};

#define RP_OPT_COMMON_LONG						\
	{ "cpus", required_argument, NULL, RP_OPT_CPUS },		\
	{ "partition", required_argument, NULL, RP_OPT_PARTITION },	\
	{ "scale-mode", required_argument, NULL, RP_OPT_SCALE_MODE },	\
	{ "pace", required_argument, NULL, RP_OPT_PACE },		\
	{ "warmup", required_argument, NULL, RP_OPT_WARMUP },		\
	{ "duration", required_argument, NULL, RP_OPT_DURATION },	\
	{ "loop", required_argument, NULL, RP_OPT_LOOP },		\
	{ "no-timing", no_argument, NULL, RP_OPT_NO_TIMING },		\
	{ "hold-sample", required_argument, NULL, RP_OPT_HOLD_SAMPLE },	\
	{ "no-hwc", no_argument, NULL, RP_OPT_NO_HWC },			\
	{ "check", no_argument, NULL, RP_OPT_CHECK },			\
	{ "phys-mem", required_argument, NULL, RP_OPT_PHYS_MEM },	\
	{ "csv", required_argument, NULL, RP_OPT_CSV },			\
	{ "json", required_argument, NULL, RP_OPT_JSON },		\
	{ "salvage", no_argument, NULL, RP_OPT_SALVAGE },		\
	{ "preset", required_argument, NULL, RP_OPT_PRESET },		\
	{ "free", required_argument, NULL, RP_OPT_FREE },		\
	{ "no-prime", no_argument, NULL, RP_OPT_NO_PRIME },		\
	{ "help", no_argument, NULL, RP_OPT_HELP },			\
	{ "output", required_argument, NULL, RP_OPT_OUTPUT },		\
	{ NULL, 0, NULL, 0 }

/*
 * The human tables' options of the commands that print them (replay,
 * simulate): --sort KEY, -E/--entries N, --wide; put before
 * RP_OPT_COMMON_LONG in a command's table and parsed by rp_opt_print().
 */
#define RP_OPT_PRINT_LONG						\
	{ "sort", required_argument, NULL, RP_OPT_SORT },		\
	{ "entries", required_argument, NULL, RP_OPT_ENTRIES },		\
	{ "wide", no_argument, NULL, RP_OPT_WIDE },

/*
 * The short options replay and sweep share, as perf users type them: -C
 * CPU list, -d duration, -o output file, -h help (and each command's -t
 * threads).  No letter means two things across the subcommands.
 */
#define RP_OPT_SHORT	"hC:d:o:t:"

/* Help text of the shared options, for the commands' usage(). */
extern const char rp_opt_common_help[];

struct rp_opts {
	struct rp_config cfg;
	const char	*cpus;		/* --cpus as given (NULL: online) */
	const char	*csv;		/* --csv (NULL: none; "-": stdout) */
	const char	*json;		/* --json (likewise) */
	const char	*preset;	/* the last --preset (NULL: none) */
	bool		 salvage;	/* replay a corrupt trace's intact
					   frames (rp_session_damage) */
};

/*
 * Apply option opt (a short one of RP_OPT_SHORT too: -C, -d, -o) with
 * argument arg.  Returns 1 when it is a shared option, 0 when it is not,
 * -1 on a bad value (one-line reason in err).  -o FILE is --csv FILE or
 * --json FILE by the name's suffix.
 * `--preset help` prints the presets (rp_preset_list) and exits 0.
 */
int	rp_opt_common(int opt, const char *arg, struct rp_opts *o, char *err,
	    size_t errlen);

/*
 * Apply a table option (RP_OPT_PRINT_LONG, or -E) to p.  Returns 1 when opt
 * is one, 0 when it is not, -1 on a bad value (one-line reason in err).
 */
int	rp_opt_print(int opt, const char *arg, struct rp_print_opts *p,
	    char *err, size_t errlen);

/*
 * --preset NAME into d (every family; later family options override it).
 * Returns 0, 1 when NAME is "help" (the presets printed to stdout), or -1
 * with a one-line reason in err.  For every command that takes --preset.
 */
int	rp_opt_preset(const char *arg, struct eng_design *d, char *err,
	    size_t errlen);
/* The presets, one per line with their designs, as `--preset help`. */
void	rp_preset_list(FILE *f);
/*
 * --help lines of the design options (every family, --free included),
 * from the engine's design table, each with its default; lists: sweep's
 * comma-separated lists (--free stays one SPEC).
 */
void	rp_design_help(FILE *f, bool lists);
/* The design of family fam without any option or preset, into buf. */
const char *rp_design_default(enum eng_family fam, char *buf, size_t len);

#endif /* PR_OPTIONS_H */
