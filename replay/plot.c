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
	[RP_PLOT_SPEEDUP] = "speedup",
	[RP_PLOT_WAIT] = "wait",
	[RP_PLOT_HOLD] = "hold",
};

/* The CSV columns a chart reads, found by name in the header. */
enum pcol {
	P_RUN_ID, P_DATE, P_TRACE, P_HOST, P_PAGE, P_QUEUE, P_PV, P_PVCHUNK,
	P_SCALE, P_THREADS, P_BATCH, P_LOCK_CLASS, P_ACQUISITIONS,
	P_EVENTS_PER_S, P_HOLD_P50, P_HOLD_P90, P_HOLD_P99, P_HOLD_P999,
	P_HOLD_MAX,
	P_COUNT
};

static const char *const pcol_names[P_COUNT] = {
	"run_id", "date", "trace", "host", "page", "queue", "pv", "pvchunk",
	"scale", "threads", "batch", "lock_class", "acquisitions",
	"events_per_s", "hold_p50_ns", "hold_p90_ns", "hold_p99_ns",
	"hold_p999_ns", "hold_max_ns",
};

/*
 * The dimensions a point may differ in; the panel and series labels are
 * made of the ones that vary among the points drawn.
 */
enum dim {
	D_PAGE, D_QUEUE, D_QFAMILY, D_PV, D_PVCHUNK, D_SCALE, D_THREADS,
	D_BY, D_CLASS,
	D_COUNT
};

static const char *const dim_names[D_COUNT] = {
	"page", "queue", "queue", "pv", "pvchunk", "scale", "threads", "",
	"class",
};

/* One point before reduction. */
struct point {
	char		*dim[D_COUNT];
	char		*panel;		/* made by plot_label() */
	char		*series;
	char		*match;		/* speedup: the baseline's key */
	bool		 base;		/* speedup: a baseline run */
	double		 x;
	double		 y;
};

struct points {
	struct point	*p;
	size_t		 n, cap;
	char		 trace[128];	/* of the first row; "" when several */
	char		 host[128];
	char		 date[32];	/* earliest date (YYYY-MM-DD) */
	bool		 traces, hosts;	/* several of them */
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

size_t
rp_csv_split(char *line, char **f, size_t max)
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

/*
 * A queue spec without its batch size ("batch:63:trylock" ->
 * "batch:trylock"); "locked" is batch size 0 of the batch family.
 */
static void
plot_qfamily(const char *q, char *buf, size_t len)
{
	const char *s;
	size_t n;

	if (strcmp(q, "locked") == 0)
		q = "batch";
	n = 0;
	for (s = q; *s != '\0' && n + 1 < len; s++) {
		if (*s == ':' && s[1] >= '0' && s[1] <= '9') {
			for (s++; s[1] >= '0' && s[1] <= '9'; s++)
				continue;
			continue;
		}
		buf[n++] = *s;
	}
	buf[n] = '\0';
}

/*
 * Append a point for row v (copies the strings); byval and match may be
 * NULL.  0 or -1 when out of memory.
 */
static int
points_add(struct points *ps, char **v, const char *byval,
    const char *match, bool base, double x, double y)
{
	char fam[64];
	struct point *p;
	unsigned d;

	if (ps->n == ps->cap) {
		ps->cap = ps->cap == 0 ? 256 : 2 * ps->cap;
		p = realloc(ps->p, ps->cap * sizeof(*p));
		if (p == NULL)
			return (-1);
		ps->p = p;
	}
	p = &ps->p[ps->n];
	memset(p, 0, sizeof(*p));
	plot_qfamily(v[P_QUEUE], fam, sizeof(fam));
	p->dim[D_PAGE] = strdup(v[P_PAGE]);
	p->dim[D_QUEUE] = strdup(v[P_QUEUE]);
	p->dim[D_QFAMILY] = strdup(fam);
	p->dim[D_PV] = strdup(v[P_PV]);
	p->dim[D_PVCHUNK] = strdup(v[P_PVCHUNK]);
	p->dim[D_SCALE] = strdup(v[P_SCALE]);
	p->dim[D_THREADS] = strdup(v[P_THREADS]);
	p->dim[D_BY] = strdup(byval != NULL ? byval : "");
	p->dim[D_CLASS] = strdup(v[P_LOCK_CLASS]);
	p->match = strdup(match != NULL ? match : "");
	ps->n++;	/* points_free() frees what was copied */
	for (d = 0; d < D_COUNT; d++)
		if (p->dim[d] == NULL)
			return (-1);
	if (p->match == NULL)
		return (-1);
	p->base = base;
	p->x = x;
	p->y = y;
	return (0);
}

/* Free every point and the array. */
static void
points_free(struct points *ps)
{
	size_t i;
	unsigned d;

	for (i = 0; i < ps->n; i++) {
		for (d = 0; d < D_COUNT; d++)
			free(ps->p[i].dim[d]);
		free(ps->p[i].panel);
		free(ps->p[i].series);
		free(ps->p[i].match);
	}
	free(ps->p);
	memset(ps, 0, sizeof(*ps));
}

/* The columns of a CSV header that the options name. */
struct plot_cols {
	int		 col[P_COUNT];
	int		 by;		/* --by, -1: none */
	int		 base;		/* --baseline's column */
	const char	*baseval;
	int		 y;		/* wait's y column */
};

/* Remember the trace, host and date of a row for the title. */
static void
plot_note(struct points *ps, char **v)
{
	if (ps->n == 0 && ps->trace[0] == '\0' && !ps->traces) {
		snprintf(ps->trace, sizeof(ps->trace), "%s", v[P_TRACE]);
		snprintf(ps->host, sizeof(ps->host), "%s", v[P_HOST]);
		snprintf(ps->date, sizeof(ps->date), "%.10s", v[P_DATE]);
		return;
	}
	ps->traces |= strcmp(ps->trace, v[P_TRACE]) != 0;
	ps->hosts |= strcmp(ps->host, v[P_HOST]) != 0;
	if (strncmp(v[P_DATE], ps->date, 10) < 0)
		snprintf(ps->date, sizeof(ps->date), "%.10s", v[P_DATE]);
}

/*
 * The points of one CSV row (all fields f[0..n), the chart's columns v)
 * for a chart kind.  Zero values are kept: a class that never waited is
 * drawn at the floor, not dropped.
 */
static int
plot_row(const struct rp_plot_opts *po, const struct plot_cols *pc,
    char **f, char **v, const char *prev_run, struct points *ps)
{
	static const enum pcol hold[5] = { P_HOLD_P50, P_HOLD_P90,
	    P_HOLD_P99, P_HOLD_P999, P_HOLD_MAX };
	char match[512];
	unsigned i;
	int c;

	plot_note(ps, v);
	switch (po->kind) {
	case RP_PLOT_THROUGHPUT:
	case RP_PLOT_SPEEDUP:
		/* One point per run, not per lock class row. */
		if (strcmp(v[P_RUN_ID], prev_run) == 0)
			return (0);
		match[0] = '\0';
		if (po->kind == RP_PLOT_SPEEDUP) {
			/* Every design column but the baseline's. */
			static const enum pcol key[] = { P_PAGE, P_QUEUE,
			    P_PV, P_PVCHUNK, P_SCALE, P_THREADS, P_TRACE };

			for (i = 0; i < sizeof(key) / sizeof(key[0]); i++) {
				c = pc->col[key[i]];
				snprintf(match + strlen(match), sizeof(match) -
				    strlen(match), "%s|", c == pc->base ? "" :
				    f[c]);
			}
		}
		return (points_add(ps, v, pc->by >= 0 ? f[pc->by] : NULL,
		    match, pc->base >= 0 && strcmp(f[pc->base],
		    pc->baseval) == 0, atof(v[P_THREADS]),
		    atof(v[P_EVENTS_PER_S]) / 1e6));
	case RP_PLOT_WAIT:
		return (points_add(ps, v, NULL, NULL, false,
		    atof(v[P_BATCH]), atof(f[pc->y])));
	default:
		for (i = 0; i < 5; i++)
			if (points_add(ps, v, NULL, NULL, false, i,
			    atof(v[hold[i]])) != 0)
				return (-1);
		return (0);
	}
}

/* The index of header field name in f[0..n), or -1. */
static int
plot_col(char **f, size_t n, const char *name, size_t len)
{
	size_t i;

	for (i = 0; i < n; i++)
		if (strlen(f[i]) == len && strncmp(f[i], name, len) == 0)
			return ((int)i);
	return (-1);
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
	size_t k;

	for (k = 0; k < nwhere; k++) {
		eq = strchr(where[k], '=');
		if (eq == NULL || eq == where[k]) {
			snprintf(err, errlen, "--where '%s' is not "
			    "COLUMN=VALUE", where[k]);
			return (-1);
		}
		wcol[k] = plot_col(f, n, where[k], (size_t)(eq - where[k]));
		if (wcol[k] < 0) {
			snprintf(err, errlen, "--where '%s': no such column "
			    "(docs/csv.md)", where[k]);
			return (-1);
		}
		wval[k] = eq + 1;
	}
	return (0);
}

/* The columns --by, --baseline and --y name; 0 or -1 with err. */
static int
plot_opt_cols(const struct rp_plot_opts *po, char **f, size_t n,
    struct plot_cols *pc, char *err, size_t errlen)
{
	const char *eq, *y;

	pc->by = -1;
	pc->base = -1;
	pc->baseval = NULL;
	if (po->by != NULL && (pc->by = plot_col(f, n, po->by,
	    strlen(po->by))) < 0) {
		snprintf(err, errlen, "--by '%s': no such column "
		    "(docs/csv.md)", po->by);
		return (-1);
	}
	if (po->kind == RP_PLOT_SPEEDUP) {
		if (po->baseline == NULL ||
		    (eq = strchr(po->baseline, '=')) == NULL ||
		    eq == po->baseline) {
			snprintf(err, errlen, "--kind speedup needs "
			    "--baseline COLUMN=VALUE (e.g. page=pagelock:256)");
			return (-1);
		}
		pc->base = plot_col(f, n, po->baseline,
		    (size_t)(eq - po->baseline));
		if (pc->base < 0) {
			snprintf(err, errlen, "--baseline '%s': no such "
			    "column (docs/csv.md)", po->baseline);
			return (-1);
		}
		pc->baseval = eq + 1;
	}
	y = po->y != NULL ? po->y : "wait_p99_ns";
	if ((pc->y = plot_col(f, n, y, strlen(y))) < 0) {
		snprintf(err, errlen, "--y '%s': no such column "
		    "(docs/csv.md)", y);
		return (-1);
	}
	return (0);
}

int
rp_csv_read(const char *csv, const char *const *names, size_t nnames,
    char *const *where, size_t nwhere, struct rp_csv_reader *rd, char *err,
    size_t errlen)
{
	char *line, *hdr, *f[RP_CSV_FIELDS_MAX], *v[RP_CSV_FIELDS_MAX];
	const char *wval[RP_PLOT_WHERE_MAX];
	int col[RP_CSV_FIELDS_MAX], wcol[RP_PLOT_WHERE_MAX], icol, rc;
	size_t cap, n, j, k, lineno;
	bool instances;
	FILE *fp;

	if (nnames >= RP_CSV_FIELDS_MAX || nwhere > RP_PLOT_WHERE_MAX) {
		snprintf(err, errlen, "more than %d --where filters",
		    RP_PLOT_WHERE_MAX);
		return (-1);
	}
	if ((fp = fopen(csv, "r")) == NULL) {
		snprintf(err, errlen, "%s: %s", csv, strerror(errno));
		return (-1);
	}
	line = hdr = NULL;
	cap = 0;
	rc = -1;
	if (getline(&line, &cap, fp) < 0) {
		snprintf(err, errlen, "%s: empty, not a CSV of runs", csv);
		goto out;
	}
	if ((hdr = strdup(line)) == NULL) {
		snprintf(err, errlen, "out of memory");
		goto out;
	}
	n = rp_csv_split(line, f, RP_CSV_FIELDS_MAX);
	for (j = 0; j < nnames; j++) {
		col[j] = plot_col(f, n, names[j], strlen(names[j]));
		if (col[j] < 0) {
			snprintf(err, errlen, "%s: no '%s' column: not a CSV "
			    "of runs (docs/csv.md)", csv, names[j]);
			goto out;
		}
	}
	icol = plot_col(f, n, "lock_instance", strlen("lock_instance"));
	instances = rd->instances;
	for (k = 0; k < nwhere; k++)
		instances |= strncmp(where[k], "lock_instance=", 14) == 0;
	if (plot_where(where, nwhere, f, n, wcol, wval, err, errlen) != 0 ||
	    (rd->header != NULL && rd->header(rd->arg, f, n, err,
	    errlen) != 0))
		goto out;
	for (lineno = 2; getline(&line, &cap, fp) >= 0; lineno++) {
		if (strcmp(line, hdr) == 0 || line[strspn(line, "\r\n")] ==
		    '\0')
			continue;	/* concatenated shards' headers */
		n = rp_csv_split(line, f, RP_CSV_FIELDS_MAX);
		for (j = 0; j < nnames; j++) {
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
		v[nnames] = icol >= 0 && (size_t)icol < n ? f[icol] :
		    (char *)"";
		if (v[nnames][0] != '\0' && !instances)
			continue;	/* a lock instance's row */
		if (rd->row(rd->arg, v, f, n, err, errlen) != 0)
			goto out;
	}
	rc = 0;
out:
	free(line);
	free(hdr);
	fclose(fp);
	return (rc);
}

/* What plot_read() hands its callbacks. */
struct plot_reading {
	const struct rp_plot_opts	*po;
	struct plot_cols		 pc;
	struct points			*ps;
	char				 prev[256];	/* run_id of the
							   previous row */
};

/* rp_csv_reader.header: the columns of the options. */
static int
plot_read_header(void *arg, char **f, size_t n, char *err, size_t errlen)
{
	struct plot_reading *pr = arg;

	return (plot_opt_cols(pr->po, f, n, &pr->pc, err, errlen));
}

/* rp_csv_reader.row: the points of a row. */
static int
plot_read_row(void *arg, char **v, char **f, size_t n, char *err,
    size_t errlen)
{
	struct plot_reading *pr = arg;

	if ((size_t)pr->pc.y >= n || (size_t)(pr->pc.by + 1) > n ||
	    (size_t)(pr->pc.base + 1) > n) {
		snprintf(err, errlen, "a row with %zu fields, fewer than the "
		    "header's", n);
		return (-1);
	}
	if (v[P_COUNT][0] != '\0')
		v[P_LOCK_CLASS] = v[P_COUNT];	/* a lock instance's row */
	if (plot_row(pr->po, &pr->pc, f, v, pr->prev, pr->ps) != 0) {
		snprintf(err, errlen, "out of memory");
		return (-1);
	}
	snprintf(pr->prev, sizeof(pr->prev), "%s", v[P_RUN_ID]);
	return (0);
}

/* Read the rows of the CSV that pass the filters into points. */
static int
plot_read(const char *csv, const struct rp_plot_opts *po, struct points *ps,
    char *err, size_t errlen)
{
	struct plot_reading pr;
	struct rp_csv_reader rd;

	memset(&pr, 0, sizeof(pr));
	pr.po = po;
	pr.ps = ps;
	rd.header = plot_read_header;
	rd.row = plot_read_row;
	rd.arg = &pr;
	rd.instances = false;
	if (rp_csv_read(csv, pcol_names, P_COUNT, po->where, po->nwhere, &rd,
	    err, errlen) != 0)
		return (-1);
	if (ps->n == 0) {
		snprintf(err, errlen, "%s: nothing to plot (no runs%s)", csv,
		    po->nwhere > 0 ? " matching --where" : "");
		return (-1);
	}
	return (0);
}

/* Ascending doubles, for qsort. */
static int
double_cmp(const void *a, const void *b)
{
	double x = *(const double *)a, y = *(const double *)b;

	return (x < y ? -1 : x > y);
}

/* By match key, baselines first, for plot_speedup(). */
static int
point_match_cmp(const void *a, const void *b)
{
	const struct point *pa = a, *pb = b;
	int c;

	if ((c = strcmp(pa->match, pb->match)) != 0)
		return (c);
	return ((int)pb->base - (int)pa->base);
}

/*
 * Divide every run's throughput by the median of its baseline runs (same
 * design but the baseline column, same threads); runs without one are
 * dropped.  0, or -1 with err when no run has a baseline.
 */
static int
plot_speedup(struct points *ps, double *ys, const char *baseline,
    char *err, size_t errlen)
{
	size_t i, j, k, nb, out;
	double med;

	qsort(ps->p, ps->n, sizeof(*ps->p), point_match_cmp);
	out = 0;
	for (i = 0; i < ps->n; i = j) {
		for (j = i; j < ps->n && strcmp(ps->p[j].match,
		    ps->p[i].match) == 0; j++)
			continue;
		for (nb = 0, k = i; k < j && ps->p[k].base; k++)
			ys[nb++] = ps->p[k].y;
		qsort(ys, nb, sizeof(*ys), double_cmp);
		med = nb == 0 ? 0 : nb % 2 == 1 ? ys[nb / 2] :
		    (ys[nb / 2 - 1] + ys[nb / 2]) / 2;
		for (k = i; k < j; k++) {
			if (med <= 0) {
				struct point t = ps->p[k];

				/* No baseline: moved past the kept ones. */
				ps->p[k] = ps->p[ps->n - 1];
				ps->p[ps->n - 1] = t;
				continue;
			}
			ps->p[k].y /= med;
			out++;
		}
	}
	if (out == 0) {
		snprintf(err, errlen, "--baseline %s: no run has a baseline "
		    "run (same design but that column, same threads)",
		    baseline);
		return (-1);
	}
	return (0);
}

/* By panel, series (natural order: "batch:8" before "batch:32"), x. */
static int
point_cmp(const void *a, const void *b)
{
	const struct point *pa = a, *pb = b;
	int c;

	if ((c = strverscmp(pa->panel, pb->panel)) != 0)
		return (c);
	if ((c = strverscmp(pa->series, pb->series)) != 0)
		return (c);
	return (pa->x < pb->x ? -1 : pa->x > pb->x);
}

/*
 * The label of point p made of the dimensions in mask (bits of enum dim)
 * that vary among the points; dflt when none varies.
 */
static char *
plot_label(const struct point *p, unsigned mask,
    const bool *vary, bool named, const char *dflt)
{
	char buf[512];
	size_t len;
	unsigned d;

	buf[0] = '\0';
	for (d = 0; d < D_COUNT; d++) {
		if ((mask & (1u << d)) == 0 || !vary[d])
			continue;
		len = strlen(buf);
		if (named && d != D_CLASS)
			snprintf(buf + len, sizeof(buf) - len, "%s%s=%s",
			    len > 0 ? ", " : "", d == D_BY ? dflt :
			    dim_names[d], p->dim[d]);
		else
			snprintf(buf + len, sizeof(buf) - len, "%s%s",
			    len > 0 ? " " : "", p->dim[d]);
	}
	return (strdup(buf[0] != '\0' || named ? buf : dflt));
}

/*
 * Give every point its panel and series labels for the chart kind; 0 or
 * -1 when out of memory.
 */
static int
plot_labels(struct points *ps, const struct rp_plot_opts *po)
{
	const unsigned design = 1u << D_PAGE | 1u << D_QUEUE | 1u << D_PV |
	    1u << D_PVCHUNK | 1u << D_SCALE;
	bool vary[D_COUNT];
	unsigned panel, series, d;
	char all[512];
	size_t i;
	struct point *p;

	for (d = 0; d < D_COUNT; d++) {
		vary[d] = false;
		for (i = 1; i < ps->n; i++)
			vary[d] |= strcmp(ps->p[i].dim[d], ps->p[0].dim[d]) !=
			    0;
	}
	switch (po->kind) {
	case RP_PLOT_THROUGHPUT:
	case RP_PLOT_SPEEDUP:
		panel = po->by != NULL ? 1u << D_BY : 1u << D_PAGE;
		series = design & ~panel;
		if (po->by != NULL)
			for (d = 0; d < D_BY; d++)
				if (strcmp(po->by, dim_names[d]) == 0)
					series &= ~(1u << d);
		break;
	case RP_PLOT_WAIT:
		panel = 1u << D_PAGE | 1u << D_PV | 1u << D_PVCHUNK |
		    1u << D_SCALE | 1u << D_THREADS;
		series = 1u << D_CLASS;
		vary[D_QUEUE] = false;
		break;
	default:
		panel = design | 1u << D_THREADS;
		series = 1u << D_CLASS;
	}
	for (i = 0; i < ps->n; i++) {
		p = &ps->p[i];
		snprintf(all, sizeof(all), "%s/%s/%s/%s%s%s", p->dim[D_PAGE],
		    p->dim[D_QUEUE], p->dim[D_PV], p->dim[D_PVCHUNK],
		    strcmp(p->dim[D_SCALE], "1") == 0 ? "" : " x",
		    strcmp(p->dim[D_SCALE], "1") == 0 ? "" : p->dim[D_SCALE]);
		p->panel = plot_label(p, panel, vary, true,
		    po->by != NULL ? po->by : "");
		if (po->kind == RP_PLOT_WAIT && vary[D_QFAMILY] &&
		    strcmp(p->dim[D_QFAMILY], "batch") != 0) {
			/* A queue variant beside the batch sizes. */
			snprintf(all, sizeof(all), "%s (%s)", p->dim[D_CLASS],
			    p->dim[D_QFAMILY]);
			p->series = strdup(all);
		} else
			p->series = plot_label(p, series, vary, false, all);
		if (p->panel == NULL || p->series == NULL)
			return (-1);
	}
	return (0);
}

/* A title safe inside gnuplot double quotes ("\n" stays a newline). */
static void
plot_title(FILE *f, const char *s)
{
	fputc('"', f);
	for (; *s != '\0'; s++) {
		if (*s == '\n')
			fputs("\\n", f);
		else
			fputc(*s == '"' || *s == '\\' ? '_' : *s, f);
	}
	fputc('"', f);
}

/*
 * The distinct x values of points [i, j) into xs; returns their number.
 */
static size_t
plot_xs(const struct points *ps, size_t i, size_t j, double *xs)
{
	size_t k, n;

	for (k = i, n = 0; k < j; k++)
		xs[n++] = ps->p[k].x;
	qsort(xs, n, sizeof(*xs), double_cmp);
	for (k = 0, j = n, n = 0; k < j; k++)
		if (n == 0 || xs[k] != xs[n - 1])
			xs[n++] = xs[k];
	return (n);
}

/*
 * Tics at the x values that occur (thread counts, batch sizes) when there
 * are few of them, on a log2 axis for threads.
 */
static void
plot_xtics(FILE *sf, const struct points *ps, double *xs, bool log2x)
{
	size_t i, n;

	n = plot_xs(ps, 0, ps->n, xs);
	if (log2x && xs[0] > 0) {
		fprintf(sf, "set logscale x 2\nset xrange [%g:%g]\n",
		    xs[0] / 1.4, xs[n - 1] * 1.4);
	} else {
		fprintf(sf, "unset logscale x\nset xrange [%g:%g]\n",
		    xs[0] - (n > 1 ? (xs[n - 1] - xs[0]) * 0.05 : 1),
		    xs[n - 1] + (n > 1 ? (xs[n - 1] - xs[0]) * 0.05 : 1));
	}
	if (n > 24)
		return;
	fprintf(sf, "set xtics (");
	for (i = 0; i < n; i++)
		fprintf(sf, "%s%g", i > 0 ? ", " : "", xs[i]);
	fprintf(sf, ")\n");
}

/*
 * A log y axis on which zero shows: values <= 0 are drawn at a floor one
 * decade under the smallest positive value, labelled "0".  Returns the
 * floor.
 */
static double
plot_ylog(FILE *sf, const struct points *ps)
{
	double lo, hi, floor_, d;
	size_t i;

	lo = hi = 0;
	for (i = 0; i < ps->n; i++) {
		if (ps->p[i].y > 0 && (lo == 0 || ps->p[i].y < lo))
			lo = ps->p[i].y;
		if (ps->p[i].y > hi)
			hi = ps->p[i].y;
	}
	if (lo == 0)
		lo = hi = 10;
	for (floor_ = 1e-3; floor_ * 10 <= lo; floor_ *= 10)
		continue;
	floor_ /= 10;
	fprintf(sf, "set logscale y\nset yrange [%g:%g]\nset ytics (\"0\" %g",
	    floor_ / 1.5, hi * 1.5, floor_);
	for (d = floor_ * 10; d <= hi * 10; d *= 10)
		fprintf(sf, ", \"%g\" %g", d, d);
	fprintf(sf, ")\n");
	return (floor_);
}

/* The chart's title: what it shows, then trace, host and date. */
static void
plot_head(FILE *sf, const struct points *ps, const struct rp_plot_opts *po,
    size_t npanels)
{
	char title[768], what[256];

	switch (po->kind) {
	case RP_PLOT_THROUGHPUT:
		snprintf(what, sizeof(what), "Replay throughput vs worker "
		    "threads (median, bars: min-max over repeats)");
		break;
	case RP_PLOT_SPEEDUP:
		snprintf(what, sizeof(what), "Speedup over %s vs worker "
		    "threads (median, bars: min-max over repeats)",
		    po->baseline);
		break;
	case RP_PLOT_WAIT:
		snprintf(what, sizeof(what), "Lock %s vs page-queue batch "
		    "size, per lock class (median over repeats)",
		    po->y != NULL ? po->y : "wait p99");
		break;
	default:
		snprintf(what, sizeof(what), "Lock hold time distribution "
		    "per lock class (median over repeats)");
	}
	snprintf(title, sizeof(title), "%s\ntrace %s, host %s, %s", what,
	    ps->traces ? "(several)" : ps->trace, ps->hosts ? "(several)" :
	    ps->host, ps->date);
	if (npanels > 1) {
		fprintf(sf, "set multiplot layout %zu,%zu title ",
		    (npanels + 1) / 2, npanels > 1 ? (size_t)2 : 1);
		plot_title(sf, title);
		fprintf(sf, " font 'sans,12'\n");
	} else {
		fprintf(sf, "set title ");
		plot_title(sf, title);
		fprintf(sf, "\n");
	}
}

/* The axes of a panel. */
static void
plot_axes(FILE *sf, const struct rp_plot_opts *po)
{
	static const char *const hold_tics =
	    "(\"p50\" 0, \"p90\" 1, \"p99\" 2, \"p99.9\" 3, \"max\" 4)";

	switch (po->kind) {
	case RP_PLOT_THROUGHPUT:
		fprintf(sf, "set xlabel 'worker threads'\n"
		    "set ylabel 'throughput (million events/s)'\n"
		    "set yrange [0:*]\n");
		break;
	case RP_PLOT_SPEEDUP:
		fprintf(sf, "set xlabel 'worker threads'\n"
		    "set ylabel 'speedup (x baseline)'\n"
		    "set yrange [0:*]\n");
		break;
	case RP_PLOT_WAIT:
		fprintf(sf, "set xlabel 'page-queue batch size (entries; "
		    "0 = locked queue)'\nset ylabel '%s'\n", po->y != NULL ?
		    po->y : "wait p99 (ns)");
		break;
	default:
		fprintf(sf, "set xlabel 'quantile'\n"
		    "set ylabel 'hold time (ns)'\n"
		    "set xtics %s\nset xrange [-0.3:4.3]\n", hold_tics);
	}
}

/*
 * Write the data (one gnuplot index block per series: x, median, min,
 * max of repeated points) and the script.  Returns 0, -1 on error with
 * errno or err set.
 */
static int
plot_write(struct points *ps, const struct rp_plot_opts *po, const char *fmt,
    const char *data, const char *script, const char *out, char *err,
    size_t errlen)
{
	static const char *const colours[] = { "#1f77b4", "#d62728",
	    "#2ca02c", "#ff7f0e", "#9467bd", "#8c564b", "#e377c2",
	    "#7f7f7f", "#bcbd22", "#17becf", "#000000", "#aec7e8",
	    "#98df8a", "#ff9896" };
	FILE *df, *sf;
	double *ys, floor_;
	size_t i, j, k, m, n, pi, pj, nser, npanels;
	bool logy, bars;
	int w, h;

	if ((ys = malloc(ps->n * sizeof(*ys))) == NULL)
		return (-1);
	if (po->kind == RP_PLOT_SPEEDUP && plot_speedup(ps, ys, po->baseline,
	    err, errlen) != 0) {
		free(ys);
		return (-2);
	}
	if (plot_labels(ps, po) != 0) {
		free(ys);
		return (-1);
	}
	qsort(ps->p, ps->n, sizeof(*ps->p), point_cmp);
	for (i = npanels = 0; i < ps->n; i++)
		npanels += i == 0 || strcmp(ps->p[i].panel,
		    ps->p[i - 1].panel) != 0;
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
	w = po->width > 0 ? po->width : npanels > 1 ? 1280 : 960;
	h = po->height > 0 ? po->height : npanels > 1 ?
	    (int)(80 + 420 * ((npanels + 1) / 2)) : 600;
	fprintf(sf, "set terminal %s size %d,%d noenhanced font "
	    "'sans,11'\n", strcmp(fmt, "svg") == 0 ? "svg" : "pngcairo",
	    w, h);
	/* 14 distinct colours: one per lock class and queue variant. */
	for (i = 0; i < sizeof(colours) / sizeof(colours[0]); i++)
		fprintf(sf, "set linetype %zu lc rgb '%s' pt %zu\n", i + 1,
		    colours[i], i % 7 + 1);
	fprintf(sf, "set linetype cycle %zu\n",
	    sizeof(colours) / sizeof(colours[0]));
	fprintf(sf, "set output '%s'\nset grid\nset datafile separator "
	    "'\\t'\nset key %s\n", out, npanels > 1 ? "below" :
	    "outside right top");
	logy = po->kind == RP_PLOT_WAIT || po->kind == RP_PLOT_HOLD;
	bars = po->kind == RP_PLOT_THROUGHPUT || po->kind == RP_PLOT_SPEEDUP;
	plot_head(sf, ps, po, npanels);
	plot_axes(sf, po);
	floor_ = logy ? plot_ylog(sf, ps) : 0;
	if (po->kind != RP_PLOT_HOLD)
		plot_xtics(sf, ps, ys, bars);
	nser = 0;
	for (pi = 0; pi < ps->n; pi = pj) {
		for (pj = pi; pj < ps->n && strcmp(ps->p[pj].panel,
		    ps->p[pi].panel) == 0; pj++)
			continue;
		if (npanels > 1) {
			fprintf(sf, "set title ");
			plot_title(sf, ps->p[pi].panel);
			fprintf(sf, "\n");
		}
		fprintf(sf, "plot");
		for (i = pi; i < pj; i = j) {
			/* One series: points i .. j-1; a line per x. */
			for (j = i; j < pj && strcmp(ps->p[j].series,
			    ps->p[i].series) == 0; j++)
				continue;
			for (k = i; k < j; k = m) {
				for (n = 0, m = k; m < j &&
				    ps->p[m].x == ps->p[k].x; m++)
					ys[n++] = ps->p[m].y > 0 || !logy ?
					    ps->p[m].y : floor_;
				qsort(ys, n, sizeof(*ys), double_cmp);
				fprintf(df, "%g\t%g\t%g\t%g\n", ps->p[k].x,
				    n % 2 == 1 ? ys[n / 2] :
				    (ys[n / 2 - 1] + ys[n / 2]) / 2, ys[0],
				    ys[n - 1]);
			}
			fprintf(df, "\n\n");
			fprintf(sf, "%s '%s' index %zu using %s lw 2 title ",
			    i > pi ? "," : "", data, nser, bars ?
			    "1:2:3:4 with yerrorlines" :
			    "1:2 with linespoints");
			plot_title(sf, ps->p[i].series);
			nser++;
		}
		fprintf(sf, "\n");
	}
	if (npanels > 1)
		fprintf(sf, "unset multiplot\n");
	free(ys);
	if ((fclose(df) | fclose(sf)) != 0)
		return (-1);
	return (0);
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
rp_plot_file(const char *csv, const char *path, const char *name,
    const struct rp_plot_opts *po, char *err, size_t errlen)
{
	char dir[] = "/tmp/pagereplay-plot.XXXXXX";
	char data[64], script[64], errpath[64];
	struct points ps;
	struct stat st;
	const char *fmt;
	int rc;

	if (rp_plot_check_name(path, err, errlen) != 0)
		return (-1);
	fmt = plot_format(path);
	if (name == NULL)
		name = path;
	if (strchr(name, '\'') != NULL) {
		snprintf(err, errlen, "'%s': quotes in the name are not "
		    "supported", path);
		return (-1);
	}
	memset(&ps, 0, sizeof(ps));
	if (plot_read(csv, po, &ps, err, errlen) != 0) {
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
	switch (plot_write(&ps, po, fmt, data, script, name, err, errlen)) {
	case 0:
		break;
	case -2:
		goto out;
	default:
		snprintf(err, errlen, "cannot write gnuplot input in %s: %s",
		    dir, strerror(errno));
		goto out;
	}
	if (plot_gnuplot(script, errpath, err, errlen) != 0)
		goto out;
	if (stat(name, &st) != 0 || st.st_size == 0) {
		snprintf(err, errlen, "gnuplot wrote no chart to %s", path);
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

int
rp_plot(const char *csv, const struct rp_out *out, enum rp_plot_kind kind,
    char *const *where, size_t nwhere, char *err, size_t errlen)
{
	struct rp_plot_opts po;

	memset(&po, 0, sizeof(po));
	po.kind = kind;
	po.where = where;
	po.nwhere = nwhere;
	return (rp_plot_file(csv, out->path, rp_out_name(out), &po, err,
	    errlen));
}
