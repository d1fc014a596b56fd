/*
 * cmd_merge.c - `pagereplay merge FILE...`: join the CSV or the JSON files
 * of a sharded sweep (`sweep --shard I/N`) into the file of the whole
 * sweep, refusing a set of files that is not the sweep exactly.
 *
 * Every run carries its number in the sweep and the sweep's run count
 * (`run_index`, `runs`; docs/csv.md), so the check needs nothing but the
 * files: each run 0 .. runs-1 must come from exactly one file, whole.
 * The files are read into units (a CSV row, or a run's JSON document),
 * sorted by run, checked and written out.
 */
#include <err.h>
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cli.h"
#include "commands.h"
#include "output.h"
#include "report.h"

/* One CSV row or one JSON document of a run. */
struct unit {
	uint64_t	 run;		/* run_index */
	uint64_t	 runs;		/* runs of the sweep */
	size_t		 file;		/* index of the file it came from */
	size_t		 seq;		/* order in the input, for stability */
	char		 run_id[128];
	char		*text;		/* the row's line / the document */
	size_t		 len;
};

struct merge {
	char		**files;
	size_t		 nfiles;
	bool		 json;		/* JSON inputs (else CSV) */
	char		*header;	/* the CSV header line */
	struct unit	*u;
	size_t		 n, cap;
	int		 col_run, col_runs, col_id;	/* CSV columns */
};

static void
merge_usage(FILE *f)
{
	fprintf(f,
	    "usage: pagereplay merge [-o FILE] FILE...\n"
	    "\n"
	    "Join the CSV files (or the --json files) of a sharded sweep\n"
	    "(`sweep --shard I/N`, one file per shard) into the file of the\n"
	    "whole sweep: one CSV header and every row, or one JSON array of\n"
	    "every run's document, in run order.  Every run of the sweep\n"
	    "(columns run_index and runs, docs/csv.md) must be in exactly one\n"
	    "file: a missing or a duplicated shard, or files of different\n"
	    "sweeps, is refused and nothing is written.\n"
	    "\n"
	    "  -o, --output FILE     write here (default: stdout)\n"
	    "  -h, --help            this text\n"
	    "\n"
	    "Manual: man pagereplay-merge; docs in " PR_DOCDIR "\n"
	    "\n"
	    "Example:\n"
	    "  pagereplay merge -o sweep.csv results/shard-*.csv\n");
}

/* Room for one more unit; NULL on allocation failure. */
static struct unit *
merge_unit(struct merge *m)
{
	struct unit *nu;
	size_t cap;

	if (m->n == m->cap) {
		cap = m->cap > 0 ? 2 * m->cap : 64;
		if ((nu = realloc(m->u, cap * sizeof(*nu))) == NULL)
			return (NULL);
		m->u = nu;
		m->cap = cap;
	}
	memset(&m->u[m->n], 0, sizeof(m->u[m->n]));
	m->u[m->n].seq = m->n;
	return (&m->u[m->n++]);
}

/* A whole file into a NUL-terminated buffer; NULL after a message. */
static char *
merge_slurp(const char *path, size_t *lenp)
{
	char *buf, *nb;
	size_t len, cap, got;
	FILE *f;

	if ((f = fopen(path, "r")) == NULL) {
		warn("merge: %s", path);
		return (NULL);
	}
	len = 0;
	cap = 65536;
	buf = malloc(cap + 1);
	while (buf != NULL && (got = fread(buf + len, 1, cap - len, f)) > 0) {
		len += got;
		if (len == cap) {
			cap *= 2;
			if ((nb = realloc(buf, cap + 1)) == NULL) {
				free(buf);
				buf = NULL;
			} else
				buf = nb;
		}
	}
	if (buf == NULL || ferror(f)) {
		warnx("merge: %s: cannot read it", path);
		free(buf);
		fclose(f);
		return (NULL);
	}
	fclose(f);
	buf[len] = '\0';
	*lenp = len;
	return (buf);
}

/*
 * The end of the CSV record starting at p (RFC 4180: a newline inside
 * quotes belongs to the field): the newline or the final NUL.
 */
static char *
csv_record_end(char *p)
{
	bool q = false;

	for (; *p != '\0'; p++) {
		if (*p == '"')
			q = !q;
		else if (*p == '\n' && !q)
			break;
	}
	return (p);
}

/* Field col of the record [p, end) unquoted into b; -1 if it is missing. */
static int
csv_field_get(const char *p, const char *end, int col, char *b, size_t n)
{
	size_t k = 0;
	bool q = false;
	int c = 0;

	for (; p < end; p++) {
		if (*p == '"') {
			if (q && p + 1 < end && p[1] == '"' && c == col &&
			    k + 1 < n)
				b[k++] = *++p;
			else
				q = !q;
			continue;
		}
		if (*p == ',' && !q) {
			if (c++ == col)
				break;
			continue;
		}
		if (c == col && *p != '\r' && k + 1 < n)
			b[k++] = *p;
	}
	if (c < col)
		return (-1);
	b[k] = '\0';
	return (0);
}

/* The index of column name in the header [p, end), -1 if absent. */
static int
csv_column(const char *p, const char *end, const char *name)
{
	char b[64];
	int c;

	for (c = 0; csv_field_get(p, end, c, b, sizeof(b)) == 0; c++)
		if (strcmp(b, name) == 0)
			return (c);
	return (-1);
}

/* A CSV file's rows into units.  0, or -1 after a message. */
static int
merge_csv(struct merge *m, size_t fi, char *buf)
{
	const char *path = m->files[fi];
	struct unit *u;
	char *p, *end, v[64];
	bool more;

	end = csv_record_end(buf);
	if (end == buf) {
		warnx("merge: %s: empty, not a pagereplay CSV", path);
		return (-1);
	}
	more = *end != '\0';
	*end = '\0';
	if (m->header == NULL) {
		m->col_run = csv_column(buf, end, "run_index");
		m->col_runs = csv_column(buf, end, "runs");
		m->col_id = csv_column(buf, end, "run_id");
		if (m->col_run < 0 || m->col_runs < 0 || m->col_id < 0) {
			warnx("merge: %s: no run_index/runs columns (not a "
			    "pagereplay CSV, or one of schema 1 that cannot "
			    "be checked: join those with cat)", path);
			return (-1);
		}
		m->header = buf;
	} else if (strcmp(m->header, buf) != 0) {
		warnx("merge: %s: its header differs from %s's (another "
		    "pagereplay version?)", path, m->files[0]);
		return (-1);
	}
	for (p = end + 1; more && *p != '\0'; p = end + 1) {
		end = csv_record_end(p);
		more = *end != '\0';
		*end = '\0';
		if (end == p || strcmp(p, m->header) == 0)
			continue;	/* empty line, repeated header */
		if ((u = merge_unit(m)) == NULL)
			return (-1);
		u->file = fi;
		u->text = p;
		u->len = (size_t)(end - p);
		if (csv_field_get(p, end, m->col_id, u->run_id,
		    sizeof(u->run_id)) != 0 ||
		    csv_field_get(p, end, m->col_run, v, sizeof(v)) != 0 ||
		    cli_parse_u64(v, 0, UINT64_MAX, &u->run) != 0 ||
		    csv_field_get(p, end, m->col_runs, v, sizeof(v)) != 0 ||
		    cli_parse_u64(v, 1, UINT64_MAX, &u->runs) != 0) {
			warnx("merge: %s: a row without a run_index and runs "
			    "(cut short?)", path);
			return (-1);
		}
	}
	return (0);
}

/* The number after "key": in the NUL-terminated p; -1 if absent. */
static int
json_u64(const char *p, const char *key, uint64_t *v)
{
	char pat[64];
	const char *q;

	snprintf(pat, sizeof(pat), "\"%s\": ", key);
	if ((q = strstr(p, pat)) == NULL)
		return (-1);
	*v = strtoull(q + strlen(pat), NULL, 10);
	return (0);
}

/* The run_id string of the document p into b (empty if absent). */
static void
json_run_id(const char *p, char *b, size_t n)
{
	const char *q;
	size_t k;

	b[0] = '\0';
	if ((q = strstr(p, "\"run_id\": \"")) == NULL)
		return;
	q += strlen("\"run_id\": \"");
	for (k = 0; q[k] != '"' && q[k] != '\0' && k + 1 < n; k++)
		b[k] = q[k];
	b[k] = '\0';
}

/*
 * A JSON file's run documents into units: one document ({...}, replay
 * --json) or an array of them (sweep --json).  The identity of each run
 * is read from its first row.  0, or -1 after a message.
 */
static int
merge_json(struct merge *m, size_t fi, char *buf)
{
	const char *path = m->files[fi];
	struct unit *u;
	char *p, *start;
	unsigned depth, base;
	bool str, esc;

	for (p = buf; *p == ' ' || *p == '\n' || *p == '\t'; p++)
		continue;
	base = *p == '[' ? 1 : 0;
	depth = 0;
	str = esc = false;
	start = NULL;
	for (; *p != '\0'; p++) {
		if (str) {
			if (esc)
				esc = false;
			else if (*p == '\\')
				esc = true;
			else if (*p == '"')
				str = false;
			continue;
		}
		if (*p == '"')
			str = true;
		else if (*p == '{' || *p == '[') {
			if (depth++ == base && *p == '{')
				start = p;
		} else if ((*p == '}' || *p == ']') && depth > 0) {
			if (--depth == base && *p == '}' && start != NULL) {
				if ((u = merge_unit(m)) == NULL)
					return (-1);
				u->file = fi;
				u->text = start;
				u->len = (size_t)(p + 1 - start);
				*p = '\0';	/* strstr stays in the document */
				json_run_id(start, u->run_id,
				    sizeof(u->run_id));
				if (json_u64(start, "run_index", &u->run) != 0 ||
				    json_u64(start, "runs", &u->runs) != 0) {
					warnx("merge: %s: a run without "
					    "run_index and runs", path);
					return (-1);
				}
				*p = '}';
				start = NULL;
			}
		}
	}
	if (depth != 0 || str) {
		warnx("merge: %s: not a whole JSON document (cut short?)",
		    path);
		return (-1);
	}
	return (0);
}

/* Units by run, then input order. */
static int
unit_cmp(const void *a, const void *b)
{
	const struct unit *x = a, *y = b;

	if (x->run != y->run)
		return (x->run < y->run ? -1 : 1);
	return (x->seq < y->seq ? -1 : x->seq > y->seq);
}

/*
 * Whether the units are the sweep exactly: one run count, every run from
 * one file, none missing.  0, or -1 after a message.
 */
static int
merge_check(struct merge *m)
{
	uint64_t runs, k, missing, first;
	size_t i;

	if (m->n == 0) {
		warnx("merge: the files hold no run");
		return (-1);
	}
	qsort(m->u, m->n, sizeof(*m->u), unit_cmp);
	runs = m->u[0].runs;
	for (i = 0; i < m->n; i++) {
		if (m->u[i].runs != runs) {
			warnx("merge: %s has runs of a sweep of %llu runs, %s "
			    "of one of %llu: not shards of one sweep",
			    m->files[m->u[i].file],
			    (unsigned long long)m->u[i].runs,
			    m->files[m->u[0].file], (unsigned long long)runs);
			return (-1);
		}
		if (m->u[i].run >= runs) {
			warnx("merge: %s: run %llu of a sweep of %llu runs",
			    m->files[m->u[i].file],
			    (unsigned long long)m->u[i].run,
			    (unsigned long long)runs);
			return (-1);
		}
		if (i > 0 && m->u[i].run == m->u[i - 1].run &&
		    (m->u[i].file != m->u[i - 1].file ||
		    strcmp(m->u[i].run_id, m->u[i - 1].run_id) != 0)) {
			warnx("merge: run %llu is in %s and in %s: a shard "
			    "given twice?", (unsigned long long)m->u[i].run,
			    m->files[m->u[i - 1].file],
			    m->files[m->u[i].file]);
			return (-1);
		}
	}
	missing = 0;
	first = 0;
	for (i = 0, k = 0; k < runs; k++) {
		if (i < m->n && m->u[i].run == k) {
			while (i < m->n && m->u[i].run == k)
				i++;
			continue;
		}
		if (missing++ == 0)
			first = k;
	}
	if (missing > 0) {
		warnx("merge: %llu of the sweep's %llu runs are missing "
		    "(the first: run %llu): a shard's file not given, or a "
		    "shard that failed", (unsigned long long)missing,
		    (unsigned long long)runs, (unsigned long long)first);
		return (-1);
	}
	return (0);
}

/* The merged file. */
static void
merge_write(const struct merge *m, FILE *f)
{
	size_t i;

	if (m->json)
		fputs("[\n", f);
	else
		fprintf(f, "%s\n", m->header);
	for (i = 0; i < m->n; i++) {
		if (m->json && i > 0)
			fputs(",\n", f);
		fwrite(m->u[i].text, 1, m->u[i].len, f);
		if (!m->json)
			fputc('\n', f);
	}
	if (m->json)
		fputs("\n]\n", f);
}

int
cmd_merge(int argc, char **argv)
{
	static const struct option longopts[] = {
		{ "output", required_argument, NULL, 'o' },
		{ "help", no_argument, NULL, 'h' },
		{ NULL, 0, NULL, 0 }
	};
	struct rp_out out;
	struct merge m;
	char **bufs, err[512], *p;
	size_t i, len;
	int ch, rc;

	memset(&m, 0, sizeof(m));
	memset(&out, 0, sizeof(out));
	out.what = "-o";
	out.path = "-";
	optind = 1;
	opterr = 0;
	while ((ch = getopt_long(argc, argv, "o:h", longopts, NULL)) != -1) {
		switch (ch) {
		case 'o':
			out.path = optarg;
			break;
		case 'h':
			merge_usage(stdout);
			return (0);
		default:
			warnx("merge: bad option '%s' (see pagereplay merge "
			    "--help)", argv[optind - 1]);
			return (EXIT_USAGE);
		}
	}
	if (optind >= argc) {
		warnx("merge: no files given (see pagereplay merge --help)");
		return (EXIT_USAGE);
	}
	m.files = argv + optind;
	m.nfiles = (size_t)(argc - optind);
	if ((bufs = calloc(m.nfiles, sizeof(*bufs))) == NULL) {
		warnx("merge: out of memory");
		return (1);
	}
	rc = 1;
	for (i = 0; i < m.nfiles; i++) {
		if ((bufs[i] = merge_slurp(m.files[i], &len)) == NULL)
			goto out;
		for (p = bufs[i]; *p == ' ' || *p == '\n'; p++)
			continue;
		if (i == 0)
			m.json = *p == '{' || *p == '[';
		if (m.json != (*p == '{' || *p == '[')) {
			warnx("merge: %s and %s: one is CSV, the other JSON",
			    m.files[0], m.files[i]);
			goto out;
		}
		if ((m.json ? merge_json(&m, i, bufs[i]) :
		    merge_csv(&m, i, bufs[i])) != 0)
			goto out;
	}
	if (merge_check(&m) != 0)
		goto out;
	if (rp_out_open(&out, 1, NULL, err, sizeof(err)) != 0 ||
	    rp_out_check_inputs(&out, m.files, m.nfiles, err,
	    sizeof(err)) != 0) {
		warnx("merge: %s", err);
		goto out;
	}
	merge_write(&m, out.f);
	if (rp_out_commit(&out, err, sizeof(err)) != 0) {
		warnx("merge: %s", err);
		goto out;
	}
	fprintf(stderr, "merge: %llu runs from %zu files\n",
	    (unsigned long long)m.u[m.n - 1].runs, m.nfiles);
	rc = 0;
out:
	rp_out_discard(&out);
	for (i = 0; i < m.nfiles; i++)
		free(bufs[i]);
	free(bufs);
	free(m.u);
	return (rc);
}
