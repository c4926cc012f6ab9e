/*
 * test_buddy.c - the buddy allocator against a page-by-page reference model.
 *
 * The model keeps one state per frame (reserved, free, allocated). Random
 * allocations and frees of random orders run over a range with holes and
 * unaligned edges; after each step the allocator must agree with the model:
 * blocks aligned and inside usable memory, no overlap, the same free count,
 * and ERR_NO_MEMORY only when no aligned free block of that order exists
 * (full coalescing). Freeing everything must restore the exact initial set
 * of free blocks. Broken invariants (double free and friends) must panic.
 */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <cmocka.h>

#include <mm/buddy.h>
#include <abi/errors.h>
#include "host_support.h"

enum { RESERVED, FREE, USED };

struct fixture {
	struct buddy b;
	struct buddy_page *meta;
	uint8_t *model;
	uint64_t base, n;
};

static uint64_t rng_state;

static uint64_t rnd(void)
{
	/* xorshift64*: deterministic per seed, so failures reproduce. */
	rng_state ^= rng_state >> 12;
	rng_state ^= rng_state << 25;
	rng_state ^= rng_state >> 27;
	return rng_state * 0x2545f4914f6cdd1dULL;
}

static void fx_init(struct fixture *f, uint64_t base, uint64_t n)
{
	f->base = base;
	f->n = n;
	f->meta = malloc(buddy_meta_size(n));
	f->model = calloc(n, 1);
	assert_non_null(f->meta);
	assert_non_null(f->model);
	buddy_init(&f->b, base, n, f->meta);
	assert_int_equal(buddy_free_pages(&f->b), 0);
}

static void fx_add(struct fixture *f, uint64_t off, uint64_t n)
{
	buddy_add_free_range(&f->b, f->base + off, n);
	memset(f->model + off, FREE, n);
}

static void fx_fini(struct fixture *f)
{
	free(f->meta);
	free(f->model);
}

static uint64_t model_free(const struct fixture *f)
{
	uint64_t n = 0;
	for (uint64_t i = 0; i < f->n; i++)
		n += f->model[i] == FREE;
	return n;
}

/* Whether the model has an aligned, entirely free block of this order. */
static bool model_has_block(const struct fixture *f, unsigned order)
{
	uint64_t size = 1ull << order;
	uint64_t first = (f->base + size - 1) & ~(size - 1);
	for (uint64_t pfn = first; pfn + size <= f->base + f->n; pfn += size) {
		bool all = true;
		for (uint64_t i = 0; i < size && all; i++)
			all = f->model[pfn - f->base + i] == FREE;
		if (all)
			return true;
	}
	return false;
}

/* Walk the free lists: links consistent, counts right, heads marked. */
static void check_lists(const struct fixture *f)
{
	uint64_t pages = 0;
	for (unsigned o = 0; o < BUDDY_MAX_ORDER; o++) {
		uint64_t count = 0;
		uint32_t prev = BUDDY_NONE;
		for (uint32_t i = f->b.free_list[o]; i != BUDDY_NONE; i = f->meta[i].next) {
			assert_int_equal(f->meta[i].prev, prev);
			assert_int_equal(f->meta[i].order, o);
			assert_true(f->meta[i].flags & BUDDY_PAGE_FREE);
			assert_int_equal((f->base + i) & ((1ull << o) - 1), 0);
			for (uint64_t j = 0; j < (1ull << o); j++)
				assert_int_equal(f->model[i + j], FREE);
			prev = i;
			count++;
		}
		assert_int_equal(count, f->b.free_blocks[o]);
		pages += count << o;
	}
	assert_int_equal(pages, buddy_free_pages(&f->b));
	assert_int_equal(pages, model_free(f));
}

/* The free blocks as (index, order) marks: a canonical picture of the state. */
static uint8_t *snapshot(const struct fixture *f)
{
	uint8_t *s = calloc(f->n, 1);
	assert_non_null(s);
	for (uint64_t i = 0; i < f->n; i++) {
		if (f->meta[i].flags & BUDDY_PAGE_FREE)
			s[i] = (uint8_t)(1 + f->meta[i].order);
	}
	return s;
}

struct block {
	uint64_t pfn;
	unsigned order;
};

static void random_run(uint64_t seed)
{
	struct fixture f;
	rng_state = seed;
	uint64_t base = 1000003 + (rnd() % 4096); /* never aligned to the top order */
	uint64_t n = 6000 + rnd() % 3000;
	fx_init(&f, base, n);

	/* Usable memory in random pieces with odd edges; some touch, so they must merge. */
	uint64_t off = rnd() % 7;
	while (off < n) {
		uint64_t len = 1 + rnd() % 1500;
		if (off + len > n)
			len = n - off;
		fx_add(&f, off, len);
		off += len + (rnd() % 3 == 0 ? 0 : rnd() % 200);
	}
	check_lists(&f);
	uint8_t *initial = snapshot(&f);
	uint64_t initial_free = buddy_free_pages(&f.b);

	struct block *live = malloc(n * sizeof(*live));
	size_t nlive = 0;
	for (int step = 0; step < 6000; step++) {
		if (nlive == 0 || rnd() % 100 < 55) {
			unsigned order =
			    (unsigned)(rnd() % 4 == 0 ? rnd() % BUDDY_MAX_ORDER : rnd() % 3);
			uint64_t pfn;
			int rc = buddy_alloc(&f.b, order, &pfn);
			if (rc == ERR_NO_MEMORY) {
				assert_false(model_has_block(&f, order));
				continue;
			}
			assert_int_equal(rc, 0);
			assert_int_equal(pfn & ((1ull << order) - 1), 0);
			assert_true(pfn >= base && pfn + (1ull << order) <= base + n);
			for (uint64_t i = 0; i < (1ull << order); i++) {
				assert_int_equal(f.model[pfn - base + i], FREE);
				f.model[pfn - base + i] = USED;
			}
			live[nlive++] = (struct block){pfn, order};
		} else {
			size_t k = rnd() % nlive;
			struct block blk = live[k];
			live[k] = live[--nlive];
			buddy_free(&f.b, blk.pfn, blk.order);
			memset(f.model + (blk.pfn - base), FREE, 1ull << blk.order);
		}
		assert_int_equal(buddy_free_pages(&f.b), model_free(&f));
		if (step % 500 == 0) {
			check_lists(&f);
			for (int i = 0; i < 200; i++) {
				uint64_t pfn = base - 5 + rnd() % (n + 10);
				bool model =
				    pfn >= base && pfn < base + n && f.model[pfn - base] == FREE;
				assert_int_equal(buddy_is_free(&f.b, pfn), model);
			}
		}
	}

	while (nlive) {
		struct block blk = live[--nlive];
		buddy_free(&f.b, blk.pfn, blk.order);
		memset(f.model + (blk.pfn - base), FREE, 1ull << blk.order);
	}
	check_lists(&f);
	assert_int_equal(buddy_free_pages(&f.b), initial_free);
	uint8_t *final = snapshot(&f);
	assert_memory_equal(final, initial, n);

	free(final);
	free(initial);
	free(live);
	fx_fini(&f);
}

static void test_random_against_model(void **state)
{
	(void)state;
	for (uint64_t seed = 1; seed <= 12; seed++)
		random_run(seed * 0x9e3779b97f4a7c15ULL);
}

static void test_coalesces_adjacent_ranges(void **state)
{
	(void)state;
	struct fixture f;
	fx_init(&f, 0, 4096);
	/* Three touching pieces with odd edges become one run of top-order blocks. */
	fx_add(&f, 0, 3);
	fx_add(&f, 1025, 2000);
	fx_add(&f, 3, 1022);
	fx_add(&f, 3025, 1071);
	check_lists(&f);
	assert_int_equal(f.b.free_blocks[BUDDY_MAX_ORDER - 1], 4);
	assert_int_equal(buddy_free_pages(&f.b), 4096);
	for (unsigned o = 0; o + 1 < BUDDY_MAX_ORDER; o++)
		assert_int_equal(f.b.free_blocks[o], 0);
	fx_fini(&f);
}

static void test_exhaust_and_errors(void **state)
{
	(void)state;
	struct fixture f;
	uint64_t pfn;
	fx_init(&f, 77, 300);
	assert_int_equal(buddy_alloc(&f.b, 0, &pfn), ERR_NO_MEMORY); /* all reserved */
	fx_add(&f, 10, 250);
	assert_int_equal(buddy_alloc(&f.b, BUDDY_MAX_ORDER, &pfn), ERR_INVALID_ARGS);
	assert_int_equal(buddy_alloc(&f.b, 8, &pfn), ERR_NO_MEMORY); /* 250 pages, unaligned */

	uint64_t got = 0;
	while (buddy_alloc(&f.b, 0, &pfn) == 0) {
		assert_true(pfn >= 87 && pfn < 337);
		got++;
	}
	assert_int_equal(got, 250);
	assert_int_equal(buddy_free_pages(&f.b), 0);
	assert_false(buddy_is_free(&f.b, 100));
	buddy_free(&f.b, 100, 0);
	assert_true(buddy_is_free(&f.b, 100));
	assert_false(buddy_is_free(&f.b, 80)); /* reserved */
	fx_fini(&f);
}

static void test_broken_invariants_panic(void **state)
{
	(void)state;
	struct fixture f;
	uint64_t pfn, p2;
	fx_init(&f, 0, 1024);
	fx_add(&f, 0, 512);
	assert_int_equal(buddy_alloc(&f.b, 3, &pfn), 0);
	assert_int_equal(buddy_alloc(&f.b, 0, &p2), 0);

	EXPECT_PANIC(buddy_free(&f.b, pfn, 2)); /* wrong order */
	EXPECT_PANIC(buddy_free(&f.b, pfn + 1, 0)); /* frame inside a block */
	EXPECT_PANIC(buddy_free(&f.b, 600, 0)); /* reserved, never allocated */
	EXPECT_PANIC(buddy_free(&f.b, 2048, 0)); /* outside the allocator */
	EXPECT_PANIC(buddy_add_free_range(&f.b, 0, 1)); /* added twice */

	buddy_free(&f.b, pfn, 3);
	EXPECT_PANIC(buddy_free(&f.b, pfn, 3)); /* double free */
	buddy_free(&f.b, p2, 0);
	EXPECT_PANIC(buddy_free(&f.b, p2, 0)); /* double free after merging */
	check_lists(&f);
	assert_int_equal(buddy_free_pages(&f.b), 512);
	fx_fini(&f);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(test_random_against_model),
	    cmocka_unit_test(test_coalesces_adjacent_ranges),
	    cmocka_unit_test(test_exhaust_and_errors),
	    cmocka_unit_test(test_broken_invariants_panic),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
