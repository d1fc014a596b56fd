/*
 * test_synth.c - `pagereplay synth` generates what it promises: per-thread
 * time order, CPUs in range, the build life cycle (create, map, exit) and
 * its invariants, sendfile ranges consistent with trace.h, the no-cache
 * flag, zipf popularity.  Runs cmd_synth() in process.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <cmocka.h>

#include "commands.h"
#include "trace.h"

static char	path[64];

/* Run `synth` with the given arguments (NULL-terminated) into path. */
static void
synth(const char *model, ...)
{
	char *argv[32];
	const char *a;
	va_list ap;
	int argc = 0;

	argv[argc++] = "synth";
	argv[argc++] = (char *)model;
	va_start(ap, model);
	while ((a = va_arg(ap, const char *)) != NULL)
		argv[argc++] = (char *)a;
	va_end(ap);
	argv[argc++] = "-o";
	argv[argc++] = path;
	argv[argc] = NULL;
	assert_int_equal(cmd_synth(argc, argv), 0);
}

/* Per-thread last time, by tid (tids here are < 1 << 16). */
struct times {
	uint64_t	last[1 << 16];
	uint8_t		seen[1 << 16];
};

static void
check_common(const struct pr_event *ev, struct times *t, uint32_t ncpus)
{
	assert_true(ev->tid < (1u << 16));
	if (t->seen[ev->tid])
		assert_true(ev->time_ns >= t->last[ev->tid]);
	t->seen[ev->tid] = 1;
	t->last[ev->tid] = ev->time_ns;
	assert_true(ev->cpu < ncpus);
	assert_true(ev->kind < PR_KIND_COUNT);
}

static void
test_build(void **state)
{
	struct times *t;
	struct pr_reader *r;
	struct pr_event ev;
	uint64_t by_kind[PR_KIND_COUNT] = { 0 }, n = 0, folios = 0;
	uint64_t created[4096] = { 0 };
	uint64_t pmaps_live = 0, writes = 0, anon = 0;
	int err;

	(void)state;
	synth("build", "--seed", "5", "-n", "100000", "--cpus", "4", NULL);
	r = pr_reader_open(path, &err);
	assert_non_null(r);
	assert_int_equal(pr_reader_header(r)->ncpus, 4);
	assert_int_equal(pr_reader_header(r)->source, PR_SRC_SYNTH);
	t = calloc(1, sizeof(*t));
	while (pr_reader_next(r, &ev) == 1) {
		check_common(&ev, t, 4);
		by_kind[ev.kind]++;
		n++;
		switch (ev.kind) {
		case PR_OBJ_CREATE:
			assert_true(ev.obj != 0);
			if ((ev.obj & PR_OBJ_ANON) != 0)
				anon++;	/* a heap: PR_OBJ_ANON | its pmap */
			else
				created[ev.obj % 4096] = ev.obj;
			break;
		case PR_PAGE_INSERT:
		case PR_PAGE_LOOKUP:
			/* A file's page (a heap's faults allocate theirs),
			   never before the file's creation. */
			assert_int_equal(ev.obj & PR_OBJ_ANON, 0);
			assert_int_equal(created[ev.obj % 4096], ev.obj);
			assert_true(ev.npages >= 1);
			folios += ev.npages > 1;
			break;
		case PR_MAP:
			assert_true(ev.pmap != 0 && ev.npages >= 1);
			assert_int_equal(ev.addr & 0xfff, 0);
			writes += (ev.flags & PR_F_WRITE) != 0;
			break;
		case PR_PROMOTE:
		case PR_DEMOTE:
			assert_int_equal(ev.addr & 0x1fffff, 0);
			break;
		case PR_PMAP_CREATE:
			pmaps_live++;
			break;
		case PR_PMAP_DESTROY:
			assert_true(pmaps_live > 0);
			pmaps_live--;
			break;
		case PR_SCAN:
			assert_true(ev.arg > 0);
			break;
		case PR_SENDFILE:
			fail_msg("a sendfile event in a build trace");
			break;
		}
	}
	pr_reader_close(r);
	free(t);
	assert_int_equal(n, 100000);
	assert_true(folios > 0);
	assert_true(writes > 0 && writes < by_kind[PR_MAP]);
	assert_true(by_kind[PR_PMAP_CREATE] > 50);	/* many processes */
	assert_true(anon > 50);				/* their heaps */
	assert_true(by_kind[PR_OBJ_TERMINATE] > 50);
	assert_true(by_kind[PR_PROMOTE] > 0);
	assert_true(by_kind[PR_EXTRACT_HOLD] > 0);
	assert_true(by_kind[PR_REMOVE_WRITE] > 0);
	assert_true(by_kind[PR_UNMAP] > 0);
}

static void
test_sendfile(void **state)
{
	struct times *t;
	struct pr_reader *r;
	struct pr_event ev;
	uint64_t *per_file, nsend = 0, top = 0, i, last;
	int err;

	(void)state;
	synth("sendfile", "--seed", "9", "-n", "50000", "--files", "100",
	    "--clients", "8", "--zipf", "1.2", "--nocache", "--cpus", "2",
	    NULL);
	r = pr_reader_open(path, &err);
	assert_non_null(r);
	t = calloc(1, sizeof(*t));
	per_file = calloc(100, sizeof(*per_file));
	while (pr_reader_next(r, &ev) == 1) {
		check_common(&ev, t, 2);
		if (ev.kind != PR_SENDFILE)
			continue;
		nsend++;
		assert_true(ev.flags & PR_F_NOCACHE);
		assert_true(ev.arg > 0 && ev.arg <= 64 * 1024);
		assert_int_equal(ev.pindex, ev.addr >> 12);
		last = (ev.addr + ev.arg - 1) >> 12;
		assert_int_equal(ev.npages, last - ev.pindex + 1);
		assert_true(ev.obj >= 100000 && ev.obj < 100100);
		per_file[ev.obj - 100000]++;
	}
	pr_reader_close(r);
	assert_true(nsend > 40000);
	/* Zipf 1.2 over 100 files: the top file gets over a tenth. */
	for (i = 0; i < 100; i++)
		if (per_file[i] > top)
			top = per_file[i];
	assert_true(top * 10 > nsend);
	free(per_file);
	free(t);
}

static void
test_duration(void **state)
{
	struct pr_reader *r;
	struct pr_event ev;
	uint64_t n = 0, max = 0;
	int err;

	(void)state;
	synth("build", "-n", "0", "--duration", "5ms", NULL);
	r = pr_reader_open(path, &err);
	assert_non_null(r);
	while (pr_reader_next(r, &ev) == 1) {
		n++;
		if (ev.time_ns > max)
			max = ev.time_ns;
	}
	pr_reader_close(r);
	assert_true(n > 100);
	assert_true(max <= 5000000);
}

static int
setup(void **state)
{
	int fd;

	(void)state;
	snprintf(path, sizeof(path), "/tmp/prsynth-test.XXXXXX");
	if ((fd = mkstemp(path)) < 0)
		return (-1);
	close(fd);
	return (0);
}

static int
teardown(void **state)
{
	(void)state;
	return (unlink(path));
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_build),
		cmocka_unit_test(test_sendfile),
		cmocka_unit_test(test_duration),
	};

	return (cmocka_run_group_tests(tests, setup, teardown));
}
