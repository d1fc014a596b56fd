/*
 * test_record_map.c - the recorder's id map (capture/record_map.c) against
 * a plain array, through growth and backward-shift deletions.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>

#include <cmocka.h>

#include "record_internal.h"

#define NKEYS	5000

static uint64_t
rnd(uint64_t *s)
{
	*s ^= *s << 13;
	*s ^= *s >> 7;
	*s ^= *s << 17;
	return (*s);
}

/* Random puts and deletes on few distinct keys, checked after each. */
static void
test_against_array(void **state)
{
	static uint64_t ref[NKEYS];	/* 0: absent, else value */
	struct rec_map m = { 0 };
	uint64_t s = 42, v, k;
	size_t i, op, n = 0;

	(void)state;
	for (op = 0; op < 200000; op++) {
		i = (size_t)(rnd(&s) % NKEYS);
		/* Keys that collide in the low bits, and a huge one. */
		k = i == 0 ? UINT64_MAX : (uint64_t)i << 32 | 1;
		if (rnd(&s) % 3 == 0) {
			rec_map_del(&m, k);
			if (ref[i] != 0)
				n--;
			ref[i] = 0;
		} else {
			v = rnd(&s) | 1;
			assert_int_equal(rec_map_put(&m, k, v), 0);
			if (ref[i] == 0)
				n++;
			ref[i] = v;
		}
		assert_int_equal(m.n, n);
		if (op % 1000 != 0)
			continue;
		for (i = 0; i < NKEYS; i++) {
			k = i == 0 ? UINT64_MAX : (uint64_t)i << 32 | 1;
			if (ref[i] == 0)
				assert_false(rec_map_get(&m, k, &v));
			else {
				assert_true(rec_map_get(&m, k, &v));
				assert_int_equal(v, ref[i]);
			}
		}
	}
	rec_map_free(&m);
	assert_int_equal(m.n, 0);
	assert_false(rec_map_get(&m, 1, &v));
}

/* An empty (zeroed) map answers and deletes without a table. */
static void
test_empty(void **state)
{
	struct rec_map m = { 0 };
	uint64_t v;

	(void)state;
	assert_false(rec_map_get(&m, 7, &v));
	rec_map_del(&m, 7);
	assert_int_equal(rec_map_put(&m, 7, 8), 0);
	assert_true(rec_map_get(&m, 7, &v));
	assert_int_equal(v, 8);
	rec_map_del(&m, 7);
	assert_false(rec_map_get(&m, 7, &v));
	rec_map_free(&m);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_empty),
		cmocka_unit_test(test_against_array),
	};

	return (cmocka_run_group_tests(tests, NULL, NULL));
}
