/*
 * cli.h - small helpers shared by every subcommand: number, size and
 * duration parsing with range checks, and the progress line.
 *
 * Conventions (docs/user-guide.md): errors are one line on stderr via
 * warnx(3) ("pagereplay: ..."); exit status 0 success, 1 failure, 2 usage.
 */
#ifndef PR_CLI_H
#define PR_CLI_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#define EXIT_USAGE	2

/* Parse a whole decimal (or 0x hex) number in [min, max]; 0 or -1. */
int	cli_parse_u64(const char *s, uint64_t min, uint64_t max, uint64_t *out);
/* Parse "64M", "1G", "4096", "16k" (binary units) into bytes; 0 or -1. */
int	cli_parse_size(const char *s, uint64_t *bytes);
/* Parse "30s", "500ms", "2m", "1h", "250us", "10" (seconds) into ns. */
int	cli_parse_duration(const char *s, uint64_t *ns);

/*
 * Progress line: shown on stderr, rewritten in place, only when stdout and
 * stderr are terminals; otherwise every call is a no-op.
 */
bool	cli_progress_enabled(void);
void	cli_progress(const char *fmt, ...)
	    __attribute__((format(printf, 1, 2)));
void	cli_progress_done(void);	/* clear the line */

/* Monotonic clock in ns. */
uint64_t cli_now_ns(void);
/*
 * The median of v[0..n) (n > 0; the mean of the middle two when n is
 * even), sorting v in place: v[0] is then the least.
 */
double	cli_median(double *v, size_t n);

/*
 * Whether stdout is the file at path (`replay T.prt >> T.prt` would append
 * the report to the trace it reads).  Character devices (terminals,
 * /dev/null) never are.  (stderr is not checked: saying so would write
 * into the file.)
 */
bool	cli_stdout_is(const char *path);
/* Whether paths a and b name one existing file (the same inode). */
bool	cli_same_file(const char *a, const char *b);

#endif /* PR_CLI_H */
