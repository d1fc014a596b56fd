/*
 * output.c - outputs checked, created and committed safely, and the
 * results writer of replay and sweep (see output.h).
 */
#include <sys/stat.h>

#include <errno.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "output.h"
#include "trace.h"

/* Whether a and b are the same file. */
static bool
same_file(const struct stat *a, const struct stat *b)
{
	return (a->st_dev == b->st_dev && a->st_ino == b->st_ino);
}

/*
 * Whether path is a pagereplay trace, whole or damaged: anything the
 * reader does not reject as foreign (PR_E_MAGIC) or unreadable.
 */
static bool
is_trace(const char *path)
{
	struct pr_reader *r;
	int e;

	if ((r = pr_reader_open(path, &e)) != NULL) {
		pr_reader_close(r);
		return (true);
	}
	return (e == PR_E_VERSION || e == PR_E_CORRUPT ||
	    e == PR_E_TRUNCATED);
}

/*
 * The destination of a path that does not exist yet: its directory
 * resolved, then its last component.  NULL with errno set.
 */
static char *
new_dest(const char *path)
{
	char dir[PATH_MAX], *copy, *slash, *base, *dest;
	const char *dirp;

	if ((copy = strdup(path)) == NULL)
		return (NULL);
	dest = NULL;
	if ((slash = strrchr(copy, '/')) == NULL) {
		base = copy;
		dirp = ".";
	} else {
		*slash = '\0';
		base = slash + 1;
		dirp = slash == copy ? "/" : copy;
	}
	if (*base == '\0')
		errno = EISDIR;
	else if (realpath(dirp, dir) != NULL && asprintf(&dest, "%s/%s",
	    strcmp(dir, "/") == 0 ? "" : dir, base) < 0)
		dest = NULL;
	free(copy);
	return (dest);
}

/*
 * Resolve where o goes, without touching any file: stdout, a device or
 * FIFO written in place, or dest.  0, or -1 with err.
 */
static int
out_resolve(struct rp_out *o, const struct stat *in, mode_t *modep,
    char *err, size_t errlen)
{
	struct stat sb, so;
	mode_t mask;

	if (strcmp(o->path, "-") == 0) {
		if ((o->flags & RP_OUT_NAMED) != 0) {
			snprintf(err, errlen, "%s: cannot be stdout", o->what);
			return (-1);
		}
		if (in != NULL && fstat(STDOUT_FILENO, &so) == 0 &&
		    same_file(&so, in)) {
			snprintf(err, errlen, "%s: stdout is the input; "
			    "refusing to write into it", o->what);
			return (-1);
		}
		o->f = stdout;
		return (0);
	}
	if (stat(o->path, &sb) != 0) {
		if (errno == ENOENT && lstat(o->path, &sb) == 0) {
			snprintf(err, errlen, "%s %s: a symbolic link to a "
			    "missing file", o->what, o->path);
			return (-1);
		}
		if (errno != ENOENT || (o->dest = new_dest(o->path)) == NULL) {
			snprintf(err, errlen, "%s %s: %s", o->what, o->path,
			    strerror(errno));
			return (-1);
		}
		mask = umask(0);
		umask(mask);
		*modep = 0666 & ~mask;
		return (0);
	}
	o->exists = true;
	o->dev = sb.st_dev;
	o->ino = sb.st_ino;
	if (S_ISDIR(sb.st_mode)) {
		snprintf(err, errlen, "%s %s: is a directory", o->what,
		    o->path);
		return (-1);
	}
	if (in != NULL && same_file(&sb, in)) {
		snprintf(err, errlen, "%s %s: is the input; refusing to "
		    "overwrite it", o->what, o->path);
		return (-1);
	}
	if ((o->flags & RP_OUT_NAMED) == 0 && !S_ISCHR(sb.st_mode) &&
	    fstat(STDOUT_FILENO, &so) == 0 && same_file(&sb, &so)) {
		o->f = stdout;
		return (0);
	}
	if (!S_ISREG(sb.st_mode))
		return (0);		/* a device or FIFO: in place */
	if (is_trace(o->path)) {
		snprintf(err, errlen, "%s %s: is a pagereplay trace; refusing "
		    "to replace it", o->what, o->path);
		return (-1);
	}
	if (access(o->path, W_OK) != 0 ||
	    (o->dest = realpath(o->path, NULL)) == NULL) {
		snprintf(err, errlen, "%s %s: %s", o->what, o->path,
		    strerror(errno));
		return (-1);
	}
	*modep = sb.st_mode & 07777;
	return (0);
}

/* Whether a and b (both resolved) are one destination. */
static bool
out_same(const struct rp_out *a, const struct rp_out *b)
{
	if (a->f == stdout || b->f == stdout)
		return (a->f == b->f);
	if (a->exists || b->exists)
		return (a->exists && b->exists && a->dev == b->dev &&
		    a->ino == b->ino);
	return (strcmp(a->dest, b->dest) == 0);
}

/* Create o's file: the temporary one, or the device in place. */
static int
out_create(struct rp_out *o, mode_t mode, char *err, size_t errlen)
{
	int fd;

	if (o->f == stdout)
		return (0);
	if (o->dest == NULL) {
		if ((o->flags & RP_OUT_NAMED) == 0 &&
		    (o->f = fopen(o->path, "w")) == NULL)
			goto fail;
		return (0);
	}
	if (asprintf(&o->tmp, "%s.part.XXXXXX", o->dest) < 0) {
		o->tmp = NULL;
		goto fail;
	}
	if ((fd = mkstemp(o->tmp)) < 0) {
		free(o->tmp);
		o->tmp = NULL;
		goto fail;
	}
	if (fchmod(fd, mode) != 0 || ((o->flags & RP_OUT_NAMED) == 0 &&
	    (o->f = fdopen(fd, "w")) == NULL)) {
		snprintf(err, errlen, "%s %s: %s", o->what, o->path,
		    strerror(errno));
		close(fd);
		return (-1);
	}
	if ((o->flags & RP_OUT_NAMED) != 0)
		close(fd);
	return (0);
fail:
	snprintf(err, errlen, "%s %s: cannot create: %s", o->what, o->path,
	    strerror(errno));
	return (-1);
}

int
rp_out_open(struct rp_out *out, size_t n, const char *input, char *err,
    size_t errlen)
{
	struct stat in;
	mode_t mode;
	size_t i, j;

	if (input == NULL || stat(input, &in) != 0)
		input = NULL;
	for (i = 0; i < n; i++) {
		if (out[i].path == NULL)
			continue;
		mode = 0;
		if (out_resolve(&out[i], input != NULL ? &in : NULL, &mode,
		    err, errlen) != 0)
			goto fail;
		for (j = 0; j < i; j++) {
			if (out[j].path == NULL || !out_same(&out[i], &out[j]))
				continue;
			if (out[i].f == stdout)
				snprintf(err, errlen, "%s and %s both go to "
				    "stdout; give each its own file",
				    out[j].what, out[i].what);
			else
				snprintf(err, errlen, "%s %s and %s %s are the "
				    "same file; give each its own",
				    out[j].what, out[j].path, out[i].what,
				    out[i].path);
			goto fail;
		}
		if (out_create(&out[i], mode, err, errlen) != 0)
			goto fail;
	}
	return (0);
fail:
	for (j = 0; j <= i && j < n; j++)
		rp_out_discard(&out[j]);
	return (-1);
}

int
rp_out_check_inputs(const struct rp_out *o, char *const *inputs, size_t n,
    char *err, size_t errlen)
{
	struct stat in, dst;
	size_t i;

	if (o->path == NULL || o->dest == NULL || stat(o->dest, &dst) != 0)
		return (0);
	for (i = 0; i < n; i++) {
		if (stat(inputs[i], &in) == 0 && same_file(&in, &dst)) {
			snprintf(err, errlen, "%s %s is the input %s; write "
			    "to a new file", o->what, o->path, inputs[i]);
			return (-1);
		}
	}
	return (0);
}

bool
rp_out_is_stdout(const struct rp_out *o)
{
	return (o->path != NULL && o->f == stdout);
}

const char *
rp_out_name(const struct rp_out *o)
{
	return (o->tmp != NULL ? o->tmp : o->path);
}

int
rp_out_commit(struct rp_out *o, char *err, size_t errlen)
{
	int e;

	e = 0;
	if (o->f != NULL) {
		errno = 0;
		if (fflush(o->f) != 0 || ferror(o->f))
			e = errno != 0 ? errno : EIO;
		else if (o->tmp != NULL && fsync(fileno(o->f)) != 0)
			e = errno;
		if (o->f != stdout && fclose(o->f) != 0 && e == 0)
			e = errno;
		o->f = NULL;
	}
	if (e == 0 && o->tmp != NULL && rename(o->tmp, o->dest) != 0)
		e = errno;
	if (e == 0) {
		free(o->tmp);
		o->tmp = NULL;
	}
	rp_out_discard(o);
	if (e == 0)
		return (0);
	snprintf(err, errlen, "%s %s: write failed: %s", o->what, o->path,
	    strerror(e));
	return (-1);
}

void
rp_out_discard(struct rp_out *o)
{
	if (o->f != NULL && o->f != stdout)
		fclose(o->f);
	o->f = NULL;
	if (o->tmp != NULL)
		unlink(o->tmp);
	free(o->tmp);
	free(o->dest);
	o->tmp = o->dest = NULL;
}

void
rp_results_init(struct rp_results *r, const char *csv, const char *json,
    const char *plot, bool header, bool array)
{
	memset(r, 0, sizeof(*r));
	r->out[RP_RES_CSV].what = "--csv";
	r->out[RP_RES_CSV].path = csv;
	r->out[RP_RES_JSON].what = "--json";
	r->out[RP_RES_JSON].path = json;
	r->out[RP_RES_PLOT].what = "--plot";
	r->out[RP_RES_PLOT].path = plot;
	r->out[RP_RES_PLOT].flags = RP_OUT_NAMED;
	r->header = header;
	r->array = array;
}

int
rp_results_open(struct rp_results *r, const char *input, char *err,
    size_t errlen)
{
	if (rp_out_open(r->out, RP_RES_COUNT, input, err, errlen) != 0)
		return (-1);
	if (r->out[RP_RES_CSV].f != NULL && r->header)
		rp_report_csv_header(r->out[RP_RES_CSV].f);
	if (r->out[RP_RES_JSON].f != NULL && r->array)
		fputs("[\n", r->out[RP_RES_JSON].f);
	return (0);
}

bool
rp_results_stdout(const struct rp_results *r)
{
	size_t i;

	for (i = 0; i < RP_RES_COUNT; i++)
		if (rp_out_is_stdout(&r->out[i]))
			return (true);
	return (false);
}

void
rp_results_add(struct rp_results *r, const struct rp_report *rep)
{
	FILE *f;

	if ((f = r->out[RP_RES_CSV].f) != NULL) {
		rp_report_csv_rows(f, rep);
		fflush(f);
	}
	if ((f = r->out[RP_RES_JSON].f) != NULL) {
		if (r->array && r->runs > 0)
			fputs(",\n", f);
		rp_report_json(f, rep);
	}
	r->runs++;
}

int
rp_results_close(struct rp_results *r, bool keep, char *err,
    size_t errlen)
{
	char e2[512];
	int rc;

	if (!keep) {
		rp_out_discard(&r->out[RP_RES_CSV]);
		rp_out_discard(&r->out[RP_RES_JSON]);
		return (0);
	}
	if (r->out[RP_RES_JSON].f != NULL && r->array)
		fputs("]\n", r->out[RP_RES_JSON].f);
	rc = rp_out_commit(&r->out[RP_RES_CSV], err, errlen);
	if (rp_out_commit(&r->out[RP_RES_JSON], rc == 0 ? err : e2,
	    rc == 0 ? errlen : sizeof(e2)) != 0)
		rc = -1;
	return (rc);
}

void
rp_results_discard(struct rp_results *r)
{
	size_t i;

	for (i = 0; i < RP_RES_COUNT; i++)
		rp_out_discard(&r->out[i]);
}
