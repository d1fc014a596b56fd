/*
 * test_record_map.c - the recorder's id map (capture/record_map.c) against
 * a plain array, through growth and backward-shift deletions, and when its
 * growth runs out of memory; its --anonymize id hash.  Linked with
 * --wrap=calloc (meson.build): record_map.c's callocs come here.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>

#include <cmocka.h>

#include "record_internal.h"

#define NKEYS	5000
#define NIDS	20000		/* small ids, and random ones, per key */
#define ANON	(1ULL << 63)	/* PR_OBJ_ANON */

void	*__real_calloc(size_t n, size_t size);
void	*__wrap_calloc(size_t n, size_t size);

static unsigned calloc_fail_in;	/* fail the calloc this many from now */

void *
__wrap_calloc(size_t n, size_t size)
{
	if (calloc_fail_in != 0 && --calloc_fail_in == 0)
		return (NULL);
	return (__real_calloc(n, size));
}

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

/*
 * A growth that runs out of memory (either of its two tables) fails the
 * put, frees what it got and leaves the map as it was: every key keeps its
 * value and the map grows once memory is back.  The recorder fails its
 * capture on that -1 (record.c, pmap_id() and obj_seen()).
 */
static void
test_grow_out_of_memory(void **state)
{
	struct rec_map m = { 0 };
	uint64_t v, k;
	unsigned which;

	(void)state;
	for (which = 1; which <= 2; which++) {
		calloc_fail_in = which;
		assert_int_equal(rec_map_put(&m, 1, 1), -1);
		assert_int_equal(m.n, 0);
		assert_false(rec_map_get(&m, 1, &v));
	}
	calloc_fail_in = 0;
	/* 512 keys fill the first table of 1024 to its growth point. */
	for (k = 1; k <= 512; k++)
		assert_int_equal(rec_map_put(&m, k << 20, k), 0);
	assert_int_equal(m.cap, 1024);
	for (which = 1; which <= 2; which++) {
		calloc_fail_in = which;
		assert_int_equal(rec_map_put(&m, 513 << 20, 513), -1);
		assert_int_equal(m.cap, 1024);
		assert_int_equal(m.n, 512);
		assert_false(rec_map_get(&m, 513 << 20, &v));
		for (k = 1; k <= 512; k++) {
			assert_true(rec_map_get(&m, k << 20, &v));
			assert_int_equal(v, k);
		}
	}
	calloc_fail_in = 0;
	assert_int_equal(rec_map_put(&m, 513 << 20, 513), 0);
	assert_int_equal(m.cap, 2048);
	assert_true(rec_map_get(&m, 513 << 20, &v));
	assert_int_equal(v, 513);
	rec_map_free(&m);
}

static int
cmp_u64(const void *a, const void *b)
{
	uint64_t x = *(const uint64_t *)a, y = *(const uint64_t *)b;

	return (x < y ? -1 : x > y);
}

/*
 * --anonymize's hash keeps an id's class (bit 63: anonymous memory, else
 * a file; replay primes and reclaims the two differently) and gives no
 * object id 0 ("no object") or another object's id.  Ids of both classes:
 * small and large, and the one a plain hash of id ^ key sends to 0.
 */
static void
test_anon_hash(void **state)
{
	static const uint64_t keys[] = { 0x0123456789abcdefULL,
	    0x9e3779b97f4a7c15ULL, 0xfedcba9876543210ULL, UINT64_MAX };
	static uint64_t out[2 * NIDS + 2];
	uint64_t s = 7, id, h;
	size_t k, i, n;

	(void)state;
	/* Never hashed ("no object"), but the one id that may become 0. */
	assert_int_equal(rec_anon_hash(0, keys[0]), 0);
	for (k = 0; k < sizeof(keys) / sizeof(keys[0]); k++) {
		n = 0;
		for (i = 0; i < 2 * NIDS + 2; i++) {
			if (i < NIDS)
				id = i + 1;
			else if (i < 2 * NIDS)
				id = rnd(&s) & ~ANON;
			else
				id = keys[k] & ~ANON;
			id |= i % 2 == 0 ? ANON : 0;
			h = rec_anon_hash(id, keys[k]);
			assert_true((h & ANON) == (id & ANON));
			assert_true(h != 0);
			out[n++] = h;
		}
		qsort(out, n, sizeof(out[0]), cmp_u64);
		for (i = 1; i < n; i++)
			assert_true(out[i] != out[i - 1]);
	}
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_empty),
		cmocka_unit_test(test_against_array),
		cmocka_unit_test(test_grow_out_of_memory),
		cmocka_unit_test(test_anon_hash),
	};

	return (cmocka_run_group_tests(tests, NULL, NULL));
}
