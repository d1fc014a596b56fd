/*
 * cmd_report.c - `pagereplay report CSV -o report.html`: one self-contained
 * HTML page (inline SVG charts, no script, no network) of a CSV of runs
 * for a review: the throughput and speedup charts, the page-queue
 * contention chart (when the queue design varies), the hold-time charts, a throughput table and, per design and
 * thread count, a lockstat-style table of the lock classes (acquisitions,
 * contention and its share of all contention, wait and hold times), the
 * table D37305's review pasted from lockstat.
 */
#include <err.h>
#include <errno.h>
#include <getopt.h>
#include <math.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "cli.h"
#include "commands.h"
#include "output.h"
#include "plot.h"

/* The columns the tables read, found by name in the header. */
enum rcol {
	R_RUN_ID, R_DATE, R_TRACE, R_HOST, R_CPU_MODEL, R_VERSION, R_PAGE,
	R_QUEUE, R_PV, R_PVCHUNK, R_SCALE, R_THREADS, R_LOCK_CLASS,
	R_ACQUISITIONS, R_CONTENDED, R_WAIT_TOTAL, R_WAIT_MAX, R_HOLD_TOTAL,
	R_HOLD_MAX, R_EVENTS_PER_S,
	R_COUNT
};

static const char *const rcol_names[R_COUNT] = {
	"run_id", "date", "trace", "host", "cpu_model", "version", "page",
	"queue", "pv", "pvchunk", "scale", "threads", "lock_class",
	"acquisitions", "contended", "wait_total_ns", "wait_max_ns",
	"hold_total_ns", "hold_max_ns", "events_per_s",
};

/* One CSV row: the columns of enum rcol, copied. */
struct row {
	char		*v[R_COUNT];
	char		*instance;	/* lock_instance, "" on a class row */
	char		*key;		/* design and threads, for grouping */
	size_t		 seq;		/* its place in the CSV */
};

struct rows {
	struct row	*r;
	size_t		 n, cap;
};

/* The --help text. */
static void
report_usage(FILE *f)
{
	fprintf(f,
	    "usage: pagereplay report CSV -o FILE.html "
	    "[--baseline COLUMN=VALUE]\n"
	    "           [--where COLUMN=VALUE]...\n"
	    "\n"
	    "Write one self-contained HTML page (inline SVG, no network) of a\n"
	    "CSV of runs (`replay --csv`, `sweep --csv`, shards concatenated)\n"
	    "for a review: throughput and speedup charts, page-queue\n"
	    "contention and hold-time charts, a throughput table and a\n"
	    "lockstat-style table of the lock classes per design and thread\n"
	    "count, each class's lock instances (the page-queue locks one by\n"
	    "one) below it.  Charts are drawn with gnuplot (Debian:\n"
	    "gnuplot-nox).\n"
	    "\n"
	    "  -o, --output FILE     the page (.html)\n"
	    "  --baseline COLUMN=VALUE\n"
	    "                        speedup over the runs with COLUMN = VALUE\n"
	    "                        (default: the first page design of the\n"
	    "                        CSV when it has several)\n"
	    "  --where COLUMN=VALUE  only rows whose COLUMN (docs/csv.md) is\n"
	    "                        VALUE; repeatable, all must hold\n"
	    "  -h, --help            this text\n"
	    "\n"
	    "Manual: man pagereplay-report; docs in " PR_DOCDIR "\n"
	    "\n"
	    "Example:\n"
	    "  pagereplay report sweep.csv -o report.html "
	    "--baseline page=pagelock:256\n");
}

/* s with &, <, >, " escaped for HTML. */
static void
html(FILE *f, const char *s)
{
	for (; *s != '\0'; s++) {
		switch (*s) {
		case '&':
			fputs("&amp;", f);
			break;
		case '<':
			fputs("&lt;", f);
			break;
		case '>':
			fputs("&gt;", f);
			break;
		case '"':
			fputs("&quot;", f);
			break;
		default:
			fputc(*s, f);
		}
	}
}

/* Free every row. */
static void
rows_free(struct rows *rs)
{
	size_t i;
	unsigned j;

	for (i = 0; i < rs->n; i++) {
		for (j = 0; j < R_COUNT; j++)
			free(rs->r[i].v[j]);
		free(rs->r[i].instance);
		free(rs->r[i].key);
	}
	free(rs->r);
	memset(rs, 0, sizeof(*rs));
}

/* rp_csv_reader.row: copy a row's columns. */
static int
report_row(void *arg, char **v, char **f, size_t n, char *err,
    size_t errlen)
{
	struct rows *rs = arg;
	char key[512];
	struct row *r;
	unsigned j;

	(void)f;
	(void)n;
	if (rs->n == rs->cap) {
		rs->cap = rs->cap == 0 ? 256 : 2 * rs->cap;
		r = realloc(rs->r, rs->cap * sizeof(*r));
		if (r == NULL)
			goto oom;
		rs->r = r;
	}
	r = &rs->r[rs->n];
	memset(r, 0, sizeof(*r));
	r->seq = rs->n++;
	for (j = 0; j < R_COUNT; j++)
		if ((r->v[j] = strdup(v[j])) == NULL)
			goto oom;
	if ((r->instance = strdup(v[R_COUNT])) == NULL)
		goto oom;
	snprintf(key, sizeof(key), "%s/%s/%s/%s%s%s, %s threads",
	    r->v[R_PAGE], r->v[R_QUEUE], r->v[R_PV], r->v[R_PVCHUNK],
	    strcmp(r->v[R_SCALE], "1") == 0 ? "" : " x",
	    strcmp(r->v[R_SCALE], "1") == 0 ? "" : r->v[R_SCALE],
	    r->v[R_THREADS]);
	if ((r->key = strdup(key)) == NULL)
		goto oom;
	return (0);
oom:
	snprintf(err, errlen, "out of memory");
	return (-1);
}

/*
 * Read the rows of csv that pass the filters where[0..nwhere)
 * ("COLUMN=VALUE"); 0, or -1 with err.
 */
static int
report_read(const char *csv, char *const *where, size_t nwhere,
    struct rows *rs, char *err, size_t errlen)
{
	struct rp_csv_reader rd;

	rd.header = NULL;
	rd.row = report_row;
	rd.arg = rs;
	rd.instances = true;
	if (rp_csv_read(csv, rcol_names, R_COUNT, where, nwhere, &rd, err,
	    errlen) != 0)
		return (-1);
	if (rs->n == 0) {
		snprintf(err, errlen, "%s: no runs%s", csv, nwhere > 0 ?
		    " matching --where" : "");
		return (-1);
	}
	return (0);
}

/* By key (natural order), then run, then the CSV's order (classes). */
static int
row_cmp(const void *a, const void *b)
{
	const struct row *ra = a, *rb = b;
	int c;

	if ((c = strverscmp(ra->key, rb->key)) != 0)
		return (c);
	if ((c = strverscmp(ra->v[R_RUN_ID], rb->v[R_RUN_ID])) != 0)
		return (c);
	return (ra->seq < rb->seq ? -1 : ra->seq > rb->seq);
}

/* A time in ns as ns, µs, ms or s with its unit. */
static void
report_time(FILE *f, double ns)
{
	if (ns < 1e3)
		fprintf(f, "%.0f ns", ns);
	else if (ns < 1e6)
		fprintf(f, "%.1f µs", ns / 1e3);
	else if (ns < 1e9)
		fprintf(f, "%.1f ms", ns / 1e6);
	else
		fprintf(f, "%.2f s", ns / 1e9);
}

/* The throughput table: median, min, max of events/s per design. */
static void
report_throughput(FILE *f, const struct rows *rs)
{
	double ys[1024], t;
	size_t i, j, k, n, m;

	fprintf(f, "<h2>Throughput</h2>\n<table>\n<tr><th>design "
	    "(page/queue/pv/pvchunk), threads</th><th>runs</th>"
	    "<th>median Mevents/s</th><th>min</th><th>max</th></tr>\n");
	for (i = 0; i < rs->n; i = j) {
		for (j = i; j < rs->n && strcmp(rs->r[j].key,
		    rs->r[i].key) == 0; j++)
			continue;
		for (n = 0, k = i; k < j && n < 1024; k++)
			if (k == i || strcmp(rs->r[k].v[R_RUN_ID],
			    rs->r[k - 1].v[R_RUN_ID]) != 0)
				ys[n++] = atof(rs->r[k].v[R_EVENTS_PER_S]);
		for (k = 1; k < n; k++)		/* insertion sort: few */
			for (m = k; m > 0 && ys[m - 1] > ys[m]; m--) {
				t = ys[m];
				ys[m] = ys[m - 1];
				ys[m - 1] = t;
			}
		fprintf(f, "<tr><td>");
		html(f, rs->r[i].key);
		fprintf(f, "</td><td>%zu</td><td>%.3f</td><td>%.3f</td>"
		    "<td>%.3f</td></tr>\n", n, (n % 2 == 1 ? ys[n / 2] :
		    (ys[n / 2 - 1] + ys[n / 2]) / 2) / 1e6, ys[0] / 1e6,
		    ys[n - 1] / 1e6);
	}
	fprintf(f, "</table>\n");
}

/*
 * Per design and thread count, the lock classes as lockstat shows them:
 * means over the repeats of acquisitions, contended acquisitions, their
 * share of all contention events of the design, total and maximum wait,
 * average and maximum hold; then the class's lock instances (a single
 * lock, as lockstat's per-address rows), their share of the same total.
 */
static void
report_lockstat(FILE *f, const struct rows *rs)
{
	struct cls {
		char	 name[48];
		double	 acq, cont, wtot, wmax, htot, hmax;
	} c[32];
	char name[sizeof(c[0].name)];
	size_t i, j, k, x, nc, no, nruns, ord[32];
	double allcont;

	fprintf(f, "<h2>Lock classes (lockstat style)</h2>\n<p>Means over "
	    "the repeats.  <i>share</i> is the class's part of all "
	    "contention events of the design: the metric of review "
	    "D37305.  The indented rows are single locks of the class "
	    "above (lockstat's rows by address), their share of the "
	    "same total.</p>\n");
	for (i = 0; i < rs->n; i = j) {
		for (j = i; j < rs->n && strcmp(rs->r[j].key,
		    rs->r[i].key) == 0; j++)
			continue;
		nc = nruns = 0;
		allcont = 0;
		for (k = i; k < j; k++) {
			const struct row *r = &rs->r[k];

			if (k == i || strcmp(r->v[R_RUN_ID],
			    rs->r[k - 1].v[R_RUN_ID]) != 0)
				nruns++;
			snprintf(name, sizeof(name), "%s%s%s",
			    r->v[R_LOCK_CLASS], r->instance[0] != '\0' ?
			    " " : "", r->instance);
			for (x = 0; x < nc; x++)
				if (strcmp(c[x].name, name) == 0)
					break;
			if (x == nc) {
				if (nc == 32)
					continue;
				memset(&c[nc], 0, sizeof(c[nc]));
				snprintf(c[nc].name, sizeof(c[nc].name), "%s",
				    name);
				nc++;
			}
			c[x].acq += atof(r->v[R_ACQUISITIONS]);
			c[x].cont += atof(r->v[R_CONTENDED]);
			c[x].wtot += atof(r->v[R_WAIT_TOTAL]);
			c[x].htot += atof(r->v[R_HOLD_TOTAL]);
			if (atof(r->v[R_WAIT_MAX]) > c[x].wmax)
				c[x].wmax = atof(r->v[R_WAIT_MAX]);
			if (atof(r->v[R_HOLD_MAX]) > c[x].hmax)
				c[x].hmax = atof(r->v[R_HOLD_MAX]);
			if (r->instance[0] == '\0')
				allcont += atof(r->v[R_CONTENDED]);
		}
		fprintf(f, "<h3>");
		html(f, rs->r[i].key);
		fprintf(f, " <small>(%zu run%s)</small></h3>\n<table>\n"
		    "<tr><th>lock class (instance)</th><th>acquisitions</th>"
		    "<th>contended</th><th>contended %%</th><th>share</th>"
		    "<th>wait total</th><th>wait max</th><th>hold avg</th>"
		    "<th>hold max</th></tr>\n", nruns, nruns == 1 ? "" : "s");
		/* Each class's instances right below it. */
		for (k = no = 0; k < nc; k++) {
			if (strchr(c[k].name, ' ') != NULL)
				continue;
			ord[no++] = k;
			for (x = 0; x < nc; x++)
				if (strncmp(c[x].name, c[k].name,
				    strlen(c[k].name)) == 0 &&
				    c[x].name[strlen(c[k].name)] == ' ')
					ord[no++] = x;
		}
		for (x = 0; x < no; x++) {
			k = ord[x];
			fprintf(f, "<tr%s><td>", strchr(c[k].name, ' ') !=
			    NULL ? " class=\"inst\"" : "");
			html(f, c[k].name);
			fprintf(f, "</td><td>%.0f</td><td>%.*f</td>"
			    "<td>%.2f</td><td>%.1f %%</td><td>",
			    c[k].acq / nruns, fmod(c[k].cont, nruns) != 0 ? 1 :
			    0, c[k].cont / nruns,
			    c[k].acq > 0 ? 100 * c[k].cont / c[k].acq : 0,
			    allcont > 0 ? 100 * c[k].cont / allcont : 0);
			report_time(f, c[k].wtot / nruns);
			fprintf(f, "</td><td>");
			report_time(f, c[k].wmax);
			fprintf(f, "</td><td>");
			report_time(f, c[k].acq > 0 ? c[k].htot / c[k].acq :
			    0);
			fprintf(f, "</td><td>");
			report_time(f, c[k].hmax);
			fprintf(f, "</td></tr>\n");
		}
		fprintf(f, "</table>\n");
	}
}

/*
 * Draw one chart as SVG into dir and copy it inline into f (from its
 * <svg element on); a chart that cannot be drawn becomes a note saying
 * why.  -1 only on a read error of the drawn file.
 */
static int
report_chart(FILE *f, const char *csv, const char *dir, const char *title,
    const struct rp_plot_opts *po)
{
	char path[256], err[512], *buf, *svg;
	FILE *sf;
	size_t n;
	long len;

	snprintf(path, sizeof(path), "%s/chart.svg", dir);
	fprintf(f, "<h2>");
	html(f, title);
	fprintf(f, "</h2>\n");
	if (rp_plot_file(csv, path, NULL, po, err, sizeof(err)) != 0) {
		fprintf(f, "<p class=\"note\">No chart: ");
		html(f, err);
		fprintf(f, "</p>\n");
		return (0);
	}
	if ((sf = fopen(path, "r")) == NULL)
		return (-1);
	buf = NULL;
	if (fseek(sf, 0, SEEK_END) != 0 || (len = ftell(sf)) < 0 ||
	    fseek(sf, 0, SEEK_SET) != 0 ||
	    (buf = malloc((size_t)len + 1)) == NULL ||
	    (n = fread(buf, 1, (size_t)len, sf)) != (size_t)len) {
		free(buf);
		fclose(sf);
		unlink(path);
		return (-1);
	}
	fclose(sf);
	unlink(path);
	buf[n] = '\0';
	svg = strstr(buf, "<svg");
	fprintf(f, "<div class=\"chart\">%s</div>\n", svg != NULL ? svg :
	    "");
	free(buf);
	return (0);
}

/* The default speedup baseline: the first page design when several. */
static void
report_baseline(const struct rows *rs, char *buf, size_t len)
{
	size_t i;

	buf[0] = '\0';
	for (i = 1; i < rs->n; i++)
		if (strcmp(rs->r[i].v[R_PAGE], rs->r[0].v[R_PAGE]) != 0) {
			snprintf(buf, len, "page=%s", rs->r[0].v[R_PAGE]);
			return;
		}
}

/* Write the page; 0, or -1 with err. */
static int
report_write(FILE *f, const char *csv, struct rows *rs,
    const struct rp_plot_opts *base, char *err, size_t errlen)
{
	char dir[] = "/tmp/pagereplay-report.XXXXXX", bl[256], title[320];
	struct rp_plot_opts po;
	size_t i, nruns;
	int rc;

	for (i = nruns = 0; i < rs->n; i++)
		nruns += i == 0 || strcmp(rs->r[i].v[R_RUN_ID],
		    rs->r[i - 1].v[R_RUN_ID]) != 0;
	if (mkdtemp(dir) == NULL) {
		snprintf(err, errlen, "cannot make a temporary directory: %s",
		    strerror(errno));
		return (-1);
	}
	fprintf(f, "<!DOCTYPE html>\n<html lang=\"en\">\n<head>\n"
	    "<meta charset=\"utf-8\">\n<title>pagereplay report: ");
	html(f, rs->r[0].v[R_TRACE]);
	fprintf(f, "</title>\n<style>\n"
	    "body{font-family:sans-serif;margin:2em;max-width:1320px;"
	    "color:#222;background:#fff}\n"
	    "table{border-collapse:collapse;margin:0.5em 0 1.5em}\n"
	    "th,td{border:1px solid #bbb;padding:2px 8px;text-align:right;"
	    "font-variant-numeric:tabular-nums}\n"
	    "th{background:#e8eef6}\n"
	    "td:first-child,th:first-child{text-align:left}\n"
	    "tr.inst td:first-child{padding-left:2em;color:#555}\n"
	    ".chart svg{max-width:100%%;height:auto}\n"
	    ".note{color:#a00}\n</style>\n</head>\n<body>\n");
	fprintf(f, "<h1>pagereplay report</h1>\n<p>Trace <b>");
	html(f, rs->r[0].v[R_TRACE]);
	fprintf(f, "</b>, host <b>");
	html(f, rs->r[0].v[R_HOST]);
	fprintf(f, "</b> (");
	html(f, rs->r[0].v[R_CPU_MODEL]);
	fprintf(f, "), %zu runs from ", nruns);
	html(f, rs->r[0].v[R_DATE]);
	fprintf(f, ", pagereplay ");
	html(f, rs->r[0].v[R_VERSION]);
	fprintf(f, ".  CSV: <code>");
	html(f, csv);
	fprintf(f, "</code> (columns: docs/csv.md).</p>\n");

	rc = -1;
	po = *base;
	po.kind = RP_PLOT_THROUGHPUT;
	po.width = 1280;
	if (report_chart(f, csv, dir, "Throughput vs worker threads",
	    &po) != 0)
		goto out;
	if (base->baseline == NULL) {
		report_baseline(rs, bl, sizeof(bl));
		po.baseline = bl[0] != '\0' ? bl : NULL;
	}
	if (po.baseline != NULL) {
		po.kind = RP_PLOT_SPEEDUP;
		snprintf(title, sizeof(title), "Speedup over %s",
		    po.baseline);
		if (report_chart(f, csv, dir, title, &po) != 0)
			goto out;
	}
	for (i = 1; i < rs->n; i++)
		if (strcmp(rs->r[i].v[R_QUEUE], rs->r[0].v[R_QUEUE]) != 0)
			break;
	po.kind = RP_PLOT_WAIT;
	po.y = "contended";
	if (i < rs->n && report_chart(f, csv, dir, "Contended acquisitions "
	    "vs page-queue batch size", &po) != 0)
		goto out;
	po.kind = RP_PLOT_HOLD;
	po.y = NULL;
	if (report_chart(f, csv, dir, "Hold-time distribution", &po) != 0)
		goto out;
	qsort(rs->r, rs->n, sizeof(*rs->r), row_cmp);
	report_throughput(f, rs);
	report_lockstat(f, rs);
	fprintf(f, "</body>\n</html>\n");
	rc = 0;
out:
	if (rc != 0)
		snprintf(err, errlen, "cannot read a chart drawn in %s: %s",
		    dir, strerror(errno));
	rmdir(dir);
	return (rc);
}

int
cmd_report(int argc, char **argv)
{
	static const struct option longopts[] = {
		{ "output", required_argument, NULL, 'o' },
		{ "baseline", required_argument, NULL, 'B' },
		{ "where", required_argument, NULL, 'w' },
		{ "help", no_argument, NULL, 'h' },
		{ NULL, 0, NULL, 0 }
	};
	char *where[RP_PLOT_WHERE_MAX];
	struct rp_plot_opts po;
	struct rows rs;
	struct rp_out o;
	const char *out;
	char err[512];
	size_t n;
	int ch;

	memset(&o, 0, sizeof(o));
	memset(&po, 0, sizeof(po));
	memset(&rs, 0, sizeof(rs));
	out = NULL;
	optind = 1;
	opterr = 0;
	while ((ch = getopt_long(argc, argv, "o:h", longopts, NULL)) != -1) {
		switch (ch) {
		case 'o':
			out = optarg;
			break;
		case 'B':
			po.baseline = optarg;
			break;
		case 'w':
			if (po.nwhere == RP_PLOT_WHERE_MAX) {
				warnx("report: more than %d --where filters",
				    RP_PLOT_WHERE_MAX);
				return (EXIT_USAGE);
			}
			where[po.nwhere++] = optarg;
			break;
		case 'h':
			report_usage(stdout);
			return (0);
		default:
			warnx("report: bad option '%s' (see pagereplay "
			    "report --help)", argv[optind - 1]);
			return (EXIT_USAGE);
		}
	}
	po.where = where;
	if (optind != argc - 1 || out == NULL) {
		warnx("report: %s", out == NULL ? "no output given "
		    "(-o FILE.html)" : optind >= argc ? "no CSV given" :
		    "one CSV only");
		return (EXIT_USAGE);
	}
	n = strlen(out);
	if (n < 6 || strcmp(out + n - 5, ".html") != 0) {
		warnx("report: -o '%s': the page's name must end in .html",
		    out);
		return (EXIT_USAGE);
	}
	o.what = "-o";
	o.path = out;
	if (rp_out_open(&o, 1, argv[optind], err, sizeof(err)) != 0) {
		warnx("report: %s", err);
		return (1);
	}
	if (report_read(argv[optind], where, po.nwhere, &rs, err,
	    sizeof(err)) != 0 || report_write(o.f, argv[optind], &rs, &po,
	    err, sizeof(err)) != 0 || rp_out_commit(&o, err,
	    sizeof(err)) != 0) {
		rows_free(&rs);
		rp_out_discard(&o);
		warnx("report: %s", err);
		return (1);
	}
	rows_free(&rs);
	return (0);
}
