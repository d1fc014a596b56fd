/*
 * plot.c - gnuplot charts of a CSV of runs (see plot.h).
 */
#include <errno.h>
#include <fcntl.h>
#include <spawn.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include "plot.h"

extern char **environ;

static const char *const kind_names[RP_PLOT_COUNT] = {
	[RP_PLOT_THROUGHPUT] = "throughput",
	[RP_PLOT_WAIT] = "wait",
	[RP_PLOT_HOLD] = "hold",
};

/* The CSV columns a chart reads, found by name in the header. */
enum pcol {
	P_RUN_ID, P_PAGE, P_QUEUE, P_PV, P_PVCHUNK, P_SCALE, P_THREADS,
	P_BATCH, P_LOCK_CLASS, P_ACQUISITIONS, P_EVENTS_PER_S, P_WAIT_P99,
	P_HOLD_P50, P_HOLD_P90, P_HOLD_P99, P_HOLD_P999, P_HOLD_MAX,
	P_COUNT
};

static const char *const pcol_names[P_COUNT] = {
	"run_id", "page", "queue", "pv", "pvchunk", "scale", "threads",
	"batch", "lock_class", "acquisitions", "events_per_s", "wait_p99_ns",
	"hold_p50_ns", "hold_p90_ns", "hold_p99_ns", "hold_p999_ns",
	"hold_max_ns",
};

#define PLOT_FIELDS_MAX	256

/* One point of a series before reduction. */
struct point {
	char		*series;
	char		*design;	/* page/queue/pv/pvchunk of the row */
	double		 x;
	double		 y;
};

struct points {
	struct point	*p;
	size_t		 n, cap;
};

int
rp_plot_kind_parse(const char *s, enum rp_plot_kind *k)
{
	unsigned i;

	for (i = 0; i < RP_PLOT_COUNT; i++)
		if (strcmp(s, kind_names[i]) == 0) {
			*k = (enum rp_plot_kind)i;
			return (0);
		}
	return (-1);
}

/* The output's format from its name: "svg", "png" or NULL. */
static const char *
plot_format(const char *out)
{
	size_t n = strlen(out);

	if (n > 4 && strcmp(out + n - 4, ".svg") == 0)
		return ("svg");
	if (n > 4 && strcmp(out + n - 4, ".png") == 0)
		return ("png");
	return (NULL);
}

int
rp_plot_check_name(const char *out, char *err, size_t errlen)
{
	if (plot_format(out) != NULL)
		return (0);
	snprintf(err, errlen, "'%s': the chart's name must end in .svg or "
	    ".png", out);
	return (-1);
}

/*
 * Split one CSV line (RFC 4180 quoting, no newlines inside fields) in
 * place; returns the number of fields.
 */
static size_t
csv_split(char *line, char **f, size_t max)
{
	char *r, *w;
	size_t n;

	line[strcspn(line, "\r\n")] = '\0';
	n = 0;
	r = line;
	for (;;) {
		if (n == max)
			return (n);
		f[n++] = w = r;
		if (*r == '"') {
			for (r++; *r != '\0'; r++) {
				if (*r == '"' && r[1] == '"')
					r++;
				else if (*r == '"') {
					r++;
					break;
				}
				*w++ = *r;
			}
		} else {
			while (*r != '\0' && *r != ',')
				*w++ = *r++;
		}
		if (*r != ',') {
			*w = '\0';
			return (n);
		}
		r++;
		*w = '\0';
	}
}

/* Append a point (copies the strings); 0 or -1 when out of memory. */
static int
points_add(struct points *ps, const char *series, const char *design,
    double x, double y)
{
	struct point *p;

	if (ps->n == ps->cap) {
		ps->cap = ps->cap == 0 ? 256 : 2 * ps->cap;
		p = realloc(ps->p, ps->cap * sizeof(*p));
		if (p == NULL)
			return (-1);
		ps->p = p;
	}
	p = &ps->p[ps->n];
	p->series = strdup(series);
	p->design = strdup(design);
	if (p->series == NULL || p->design == NULL) {
		free(p->series);
		free(p->design);
		return (-1);
	}
	p->x = x;
	p->y = y;
	ps->n++;
	return (0);
}

/* Free every point and the array. */
static void
points_free(struct points *ps)
{
	size_t i;

	for (i = 0; i < ps->n; i++) {
		free(ps->p[i].series);
		free(ps->p[i].design);
	}
	free(ps->p);
	memset(ps, 0, sizeof(*ps));
}

/* The points of one CSV row for a chart kind. */
static int
plot_row(enum rp_plot_kind kind, char **v, const char *prev_run,
    struct points *ps)
{
	static const enum pcol hold[5] = { P_HOLD_P50, P_HOLD_P90,
	    P_HOLD_P99, P_HOLD_P999, P_HOLD_MAX };
	char series[512], design[256];
	unsigned i;
	double y;

	snprintf(design, sizeof(design), "%s/%s/%s/%s", v[P_PAGE],
	    v[P_QUEUE], v[P_PV], v[P_PVCHUNK]);
	switch (kind) {
	case RP_PLOT_THROUGHPUT:
		/* One point per run, not per lock class row. */
		if (strcmp(v[P_RUN_ID], prev_run) == 0)
			return (0);
		if (strcmp(v[P_SCALE], "1") == 0)
			snprintf(series, sizeof(series), "%s", design);
		else
			snprintf(series, sizeof(series), "%s x%s", design,
			    v[P_SCALE]);
		return (points_add(ps, series, design, atof(v[P_THREADS]),
		    atof(v[P_EVENTS_PER_S]) / 1e6));
	case RP_PLOT_WAIT:
		if (atof(v[P_ACQUISITIONS]) == 0 || atof(v[P_WAIT_P99]) <= 0)
			return (0);
		snprintf(series, sizeof(series), "%s, %s threads",
		    v[P_LOCK_CLASS], v[P_THREADS]);
		return (points_add(ps, series, design, atof(v[P_BATCH]),
		    atof(v[P_WAIT_P99])));
	default:
		if (atof(v[P_ACQUISITIONS]) == 0)
			return (0);
		for (i = 0; i < 5; i++) {
			y = atof(v[hold[i]]);
			if (y > 0 && points_add(ps, v[P_LOCK_CLASS], design,
			    i, y) != 0)
				return (-1);
		}
		return (0);
	}
}

/*
 * The columns and values of the filters ("column=value") against header
 * fields f[0..n); 0 or -1 with err.
 */
static int
plot_where(char *const *where, size_t nwhere, char **f, size_t n,
    int *wcol, const char **wval, char *err, size_t errlen)
{
	const char *eq;
	size_t k, i, len;

	for (k = 0; k < nwhere; k++) {
		eq = strchr(where[k], '=');
		if (eq == NULL || eq == where[k]) {
			snprintf(err, errlen, "--where '%s' is not "
			    "COLUMN=VALUE", where[k]);
			return (-1);
		}
		len = (size_t)(eq - where[k]);
		wcol[k] = -1;
		for (i = 0; i < n; i++)
			if (strlen(f[i]) == len &&
			    strncmp(f[i], where[k], len) == 0)
				wcol[k] = (int)i;
		if (wcol[k] < 0) {
			snprintf(err, errlen, "--where '%s': no such column "
			    "(docs/csv.md)", where[k]);
			return (-1);
		}
		wval[k] = eq + 1;
	}
	return (0);
}

/* Read the rows of the CSV that pass the filters into points. */
static int
plot_read(const char *csv, enum rp_plot_kind kind, char *const *where,
    size_t nwhere, struct points *ps, char *err, size_t errlen)
{
	char *line, *hdr, *f[PLOT_FIELDS_MAX], *v[P_COUNT], prev[256];
	const char *wval[RP_PLOT_WHERE_MAX];
	int col[P_COUNT], wcol[RP_PLOT_WHERE_MAX], j, rc;
	size_t cap, n, i, k, lineno;
	FILE *fp;

	if ((fp = fopen(csv, "r")) == NULL) {
		snprintf(err, errlen, "%s: %s", csv, strerror(errno));
		return (-1);
	}
	line = hdr = NULL;
	cap = 0;
	rc = -1;
	prev[0] = '\0';
	if (getline(&line, &cap, fp) < 0) {
		snprintf(err, errlen, "%s: empty, not a CSV of runs", csv);
		goto out;
	}
	if ((hdr = strdup(line)) == NULL) {
		snprintf(err, errlen, "out of memory");
		goto out;
	}
	n = csv_split(line, f, PLOT_FIELDS_MAX);
	for (j = 0; j < P_COUNT; j++) {
		col[j] = -1;
		for (i = 0; i < n; i++)
			if (strcmp(f[i], pcol_names[j]) == 0)
				col[j] = (int)i;
		if (col[j] < 0) {
			snprintf(err, errlen, "%s: no '%s' column: not a CSV "
			    "of runs (docs/csv.md)", csv, pcol_names[j]);
			goto out;
		}
	}
	if (nwhere > RP_PLOT_WHERE_MAX) {
		snprintf(err, errlen, "more than %d --where filters",
		    RP_PLOT_WHERE_MAX);
		goto out;
	}
	if (plot_where(where, nwhere, f, n, wcol, wval, err, errlen) != 0)
		goto out;
	for (lineno = 2; getline(&line, &cap, fp) >= 0; lineno++) {
		if (strcmp(line, hdr) == 0 || line[strspn(line, "\r\n")] ==
		    '\0')
			continue;	/* concatenated shards' headers */
		n = csv_split(line, f, PLOT_FIELDS_MAX);
		for (j = 0; j < P_COUNT; j++) {
			if ((size_t)col[j] >= n) {
				snprintf(err, errlen, "%s:%zu: %zu fields, "
				    "fewer than the header's", csv, lineno, n);
				goto out;
			}
			v[j] = f[col[j]];
		}
		for (k = 0; k < nwhere; k++)
			if ((size_t)wcol[k] >= n || strcmp(f[wcol[k]],
			    wval[k]) != 0)
				break;
		if (k < nwhere)
			continue;
		if (plot_row(kind, v, prev, ps) != 0) {
			snprintf(err, errlen, "out of memory");
			goto out;
		}
		snprintf(prev, sizeof(prev), "%s", v[P_RUN_ID]);
	}
	if (ps->n == 0) {
		snprintf(err, errlen, "%s: nothing to plot (no runs%s%s)", csv,
		    kind == RP_PLOT_THROUGHPUT ? "" :
		    " with lock acquisitions and times",
		    nwhere > 0 ? " matching --where" : "");
		goto out;
	}
	rc = 0;
out:
	free(line);
	free(hdr);
	fclose(fp);
	return (rc);
}

/* By series, then x. */
static int
point_cmp(const void *a, const void *b)
{
	const struct point *pa = a, *pb = b;
	int c;

	if ((c = strcmp(pa->series, pb->series)) != 0)
		return (c);
	return (pa->x < pb->x ? -1 : pa->x > pb->x);
}

/* Ascending doubles, for qsort. */
static int
double_cmp(const void *a, const void *b)
{
	double x = *(const double *)a, y = *(const double *)b;

	return (x < y ? -1 : x > y);
}

/* A title safe inside gnuplot double quotes. */
static void
plot_title(FILE *f, const char *s)
{
	fputc('"', f);
	for (; *s != '\0'; s++)
		fputc(*s == '"' || *s == '\\' ? '_' : *s, f);
	fputc('"', f);
}

/*
 * Tics at the x values that occur (thread counts, batch sizes) when there
 * are few of them; ys is scratch space for ps->n values.
 */
static void
plot_xtics(FILE *sf, const struct points *ps, double *ys)
{
	size_t i, n;

	for (i = 0; i < ps->n; i++)
		ys[i] = ps->p[i].x;
	qsort(ys, ps->n, sizeof(*ys), double_cmp);
	for (i = n = 0; i < ps->n; i++)
		if (n == 0 || ys[i] != ys[n - 1])
			ys[n++] = ys[i];
	if (n > 24)
		return;
	fprintf(sf, "set xtics (");
	for (i = 0; i < n; i++)
		fprintf(sf, "%s%g", i > 0 ? ", " : "", ys[i]);
	fprintf(sf, ")\nset xrange [%g:%g]\n", ys[0] - (n > 1 ?
	    (ys[n - 1] - ys[0]) * 0.05 : 1), ys[n - 1] + (n > 1 ?
	    (ys[n - 1] - ys[0]) * 0.05 : 1));
}

/*
 * Write the data (one gnuplot index block per series, medians of repeated
 * points) and the script.  Returns the number of series, -1 on error.
 */
static int
plot_write(struct points *ps, enum rp_plot_kind kind, const char *fmt,
    const char *data, const char *script, const char *out)
{
	static const char *const hold_tics =
	    "(\"p50\" 0, \"p90\" 1, \"p99\" 2, \"p99.9\" 3, \"max\" 4)";
	FILE *df, *sf;
	double *ys;
	size_t i, j, k, nser;
	char title[512];
	bool one_design;

	/* The design goes in the title when every row shares it. */
	one_design = true;
	for (i = 1; i < ps->n; i++)
		one_design &= strcmp(ps->p[i].design, ps->p[0].design) == 0;
	qsort(ps->p, ps->n, sizeof(*ps->p), point_cmp);
	if ((ys = malloc(ps->n * sizeof(*ys))) == NULL)
		return (-1);
	df = fopen(data, "w");
	sf = fopen(script, "w");
	if (df == NULL || sf == NULL) {
		if (df != NULL)
			fclose(df);
		if (sf != NULL)
			fclose(sf);
		free(ys);
		return (-1);
	}
	fprintf(sf, "set terminal %s size 960,600 noenhanced font "
	    "'sans,11'\n", strcmp(fmt, "svg") == 0 ? "svg dynamic" :
	    "pngcairo");
	fprintf(sf, "set output '%s'\nset grid\nset key outside right top\n"
	    "set datafile separator '\\t'\n", out);
	switch (kind) {
	case RP_PLOT_THROUGHPUT:
		fprintf(sf, "set title 'Replay throughput vs worker threads, "
		    "per design (page/queue/pv/pvchunk)'\n"
		    "set xlabel 'worker threads'\n"
		    "set ylabel 'throughput (million events/s)'\n"
		    "set yrange [0:*]\n");
		break;
	case RP_PLOT_WAIT:
		fprintf(sf, "set title 'Lock wait time p99 vs batch size%s'\n"
		    "set xlabel 'page-queue batch size (entries; 0 = locked "
		    "queue)'\nset ylabel 'wait p99 (ns)'\n"
		    "set logscale y\n", one_design ? "" : " (median over the "
		    "designs; pick one with --where)");
		break;
	default:
		snprintf(title, sizeof(title), "Lock hold time distribution "
		    "per lock class (%s)", one_design ? ps->p[0].design :
		    "median over the designs; pick one with --where");
		fprintf(sf, "set title ");
		plot_title(sf, title);
		fprintf(sf, "\nset xlabel 'quantile'\n"
		    "set ylabel 'hold time (ns)'\nset logscale y\n"
		    "set xtics %s\nset xrange [-0.3:4.3]\n", hold_tics);
	}
	if (kind != RP_PLOT_HOLD)
		plot_xtics(sf, ps, ys);
	fprintf(sf, "plot");
	nser = 0;
	for (i = 0; i < ps->n; i = j) {
		/* One series: points i .. j-1; one line per distinct x. */
		for (j = i; j < ps->n && strcmp(ps->p[j].series,
		    ps->p[i].series) == 0; j++)
			continue;
		for (k = i; k < j;) {
			size_t m, n;

			for (n = 0, m = k; m < j && ps->p[m].x == ps->p[k].x;
			    m++)
				ys[n++] = ps->p[m].y;
			qsort(ys, n, sizeof(*ys), double_cmp);
			fprintf(df, "%g\t%g\n", ps->p[k].x, n % 2 == 1 ?
			    ys[n / 2] : (ys[n / 2 - 1] + ys[n / 2]) / 2);
			k = m;
		}
		fprintf(df, "\n\n");
		fprintf(sf, "%s '%s' index %zu using 1:2 with linespoints "
		    "lw 2 title ", nser > 0 ? "," : "", data, nser);
		plot_title(sf, ps->p[i].series);
		nser++;
	}
	fprintf(sf, "\n");
	free(ys);
	if ((fclose(df) | fclose(sf)) != 0)
		return (-1);
	return ((int)nser);
}

/* Run gnuplot on script; 0, or -1 with its first error line in err. */
static int
plot_gnuplot(const char *script, const char *errpath, char *err,
    size_t errlen)
{
	posix_spawn_file_actions_t fa;
	char *argv[3], line[512];
	FILE *f;
	pid_t pid;
	int e, status;

	argv[0] = (char *)"gnuplot";
	argv[1] = (char *)script;
	argv[2] = NULL;
	posix_spawn_file_actions_init(&fa);
	posix_spawn_file_actions_addopen(&fa, 2, errpath,
	    O_WRONLY | O_CREAT | O_TRUNC, 0600);
	posix_spawn_file_actions_addopen(&fa, 1, "/dev/null", O_WRONLY, 0);
	e = posix_spawnp(&pid, "gnuplot", &fa, NULL, argv, environ);
	posix_spawn_file_actions_destroy(&fa);
	if (e != 0) {
		snprintf(err, errlen, "cannot run gnuplot: %s%s", strerror(e),
		    e == ENOENT ? " (Debian: apt-get install gnuplot-nox)" :
		    "");
		return (-1);
	}
	while (waitpid(pid, &status, 0) < 0 && errno == EINTR)
		continue;
	if (WIFEXITED(status) && WEXITSTATUS(status) == 0)
		return (0);
	snprintf(err, errlen, "gnuplot failed");
	if ((f = fopen(errpath, "r")) != NULL) {
		while (fgets(line, sizeof(line), f) != NULL) {
			line[strcspn(line, "\n")] = '\0';
			if (line[strspn(line, " \t^")] == '\0')
				continue;
			snprintf(err, errlen, "gnuplot failed: %s",
			    line + strspn(line, " \t"));
		}
		fclose(f);
	}
	return (-1);
}

int
rp_plot(const char *csv, const struct rp_out *out, enum rp_plot_kind kind,
    char *const *where, size_t nwhere, char *err, size_t errlen)
{
	char dir[] = "/tmp/pagereplay-plot.XXXXXX";
	char data[64], script[64], errpath[64];
	struct points ps;
	struct stat st;
	const char *fmt, *name;
	int rc;

	if (rp_plot_check_name(out->path, err, errlen) != 0)
		return (-1);
	fmt = plot_format(out->path);
	name = rp_out_name(out);
	if (strchr(name, '\'') != NULL) {
		snprintf(err, errlen, "'%s': quotes in the name are not "
		    "supported", out->path);
		return (-1);
	}
	memset(&ps, 0, sizeof(ps));
	if (plot_read(csv, kind, where, nwhere, &ps, err, errlen) != 0) {
		points_free(&ps);
		return (-1);
	}
	rc = -1;
	if (mkdtemp(dir) == NULL) {
		snprintf(err, errlen, "cannot make a temporary directory: %s",
		    strerror(errno));
		points_free(&ps);
		return (-1);
	}
	snprintf(data, sizeof(data), "%s/data", dir);
	snprintf(script, sizeof(script), "%s/plot.gp", dir);
	snprintf(errpath, sizeof(errpath), "%s/stderr", dir);
	if (plot_write(&ps, kind, fmt, data, script, name) < 0) {
		snprintf(err, errlen, "cannot write gnuplot input in %s: %s",
		    dir, strerror(errno));
		goto out;
	}
	if (plot_gnuplot(script, errpath, err, errlen) != 0)
		goto out;
	if (stat(name, &st) != 0 || st.st_size == 0) {
		snprintf(err, errlen, "gnuplot wrote no chart to %s",
		    out->path);
		goto out;
	}
	rc = 0;
out:
	unlink(data);
	unlink(script);
	unlink(errpath);
	rmdir(dir);
	points_free(&ps);
	return (rc);
}
