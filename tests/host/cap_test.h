/*
 * cap_test.h - helpers shared by the capability host tests (test_cap.c and
 * cap_stress.c): a small PRNG, heap/object baselines, and the two big tests
 * that live in cap_stress.c. Include after <cmocka.h>.
 */
#pragma once
#include <stdint.h>

#include <obj/object.h>

#include "cap_host_shim.h"

/* xorshift64: deterministic, seedable, one per thread. */
static inline uint64_t rnd(uint64_t *s)
{
	uint64_t x = *s;
	x ^= x << 13;
	x ^= x >> 7;
	x ^= x << 17;
	return *s = x;
}

static inline uint32_t rnd_below(uint64_t *s, uint32_t n)
{
	return (uint32_t)(rnd(s) % n);
}

/* Heap bytes, heap blocks and live kernel objects at one moment. */
struct baseline {
	uint64_t bytes, blocks, objects;
};

static inline struct baseline baseline_take(void)
{
	return (struct baseline){kmalloc_bytes_in_use(), cap_shim_blocks_in_use(),
	                         kobject_live_count(OBJ_NONE)};
}

/* Fail the current test unless memory and objects are back at b. */
static inline void baseline_check(struct baseline b)
{
	assert_int_equal(kmalloc_bytes_in_use(), b.bytes);
	assert_int_equal(cap_shim_blocks_in_use(), b.blocks);
	assert_int_equal(kobject_live_count(OBJ_NONE), b.objects);
}

/* Randomized operations checked step by step against a reference model. */
void cap_test_random_model(void **state);
/* pthreads: revocation racing derive/duplicate/drop/move/lookup. */
void cap_test_threads(void **state);
