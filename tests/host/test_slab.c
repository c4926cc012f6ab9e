/*
 * test_slab.c - slab caches and kmalloc over host_support.c's counted pages.
 *
 * Every object is filled with a pattern derived from its address and checked
 * before it is freed, so overlapping objects or a freelist link written into
 * a live object show up as corrupted patterns. After each test everything is
 * freed and shrunk, and the page count must be back where it started: the
 * caches may not leak pages. Double frees and foreign pointers must panic.
 */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <cmocka.h>

#include <lib/compiler.h>
#include <mm/kmalloc.h>
#include <mm/pmm.h>
#include <mm/slab.h>
#include <abi/errors.h>
#include "host_support.h"

static uint64_t rng_state = 88172645463325252ULL;

static uint64_t rnd(void)
{
	rng_state ^= rng_state << 13;
	rng_state ^= rng_state >> 7;
	rng_state ^= rng_state << 17;
	return rng_state;
}

static void fill(void *p, size_t n)
{
	unsigned char *b = p;
	for (size_t i = 0; i < n; i++)
		b[i] = (unsigned char)(((uintptr_t)p >> 4) + i * 7);
}

static void check_fill(const void *p, size_t n)
{
	const unsigned char *b = p;
	for (size_t i = 0; i < n; i++) {
		if (b[i] != (unsigned char)(((uintptr_t)p >> 4) + i * 7))
			fail_msg("object %p corrupted at byte %zu", p, i);
	}
}

/* Pages held now, with kmalloc's reserve slabs (left by earlier tests) returned. */
static uint64_t baseline(void)
{
	kmalloc_shrink();
	return host_pages_outstanding();
}

static void shuffle(void **v, size_t n)
{
	for (size_t i = n; i > 1; i--) {
		size_t j = rnd() % i;
		void *t = v[i - 1];
		v[i - 1] = v[j];
		v[j] = t;
	}
}

/* Fill a cache with n objects, check them, free them in random order. */
static void exercise(struct slab_cache *c, size_t size, size_t align, size_t n)
{
	void **objs = calloc(n, sizeof(*objs));
	struct slab_stats st;
	for (size_t i = 0; i < n; i++) {
		objs[i] = slab_alloc(c);
		assert_non_null(objs[i]);
		assert_int_equal((uintptr_t)objs[i] % align, 0);
		fill(objs[i], size);
	}
	slab_cache_stats(c, &st);
	assert_int_equal(st.objects_in_use, n);
	assert_true(st.objects_capacity >= n);
	assert_true(st.object_size >= size);
	assert_true(st.pages >= (n * size + PAGE_SIZE - 1) / PAGE_SIZE);

	shuffle(objs, n);
	for (size_t i = 0; i < n; i++) {
		check_fill(objs[i], size);
		slab_free(c, objs[i]);
	}
	slab_cache_stats(c, &st);
	assert_int_equal(st.objects_in_use, 0);
	assert_true(st.slabs <= 1); /* only the reserve stays */
	free(objs);
}

static void test_sizes_and_alignments(void **state)
{
	(void)state;
	static const size_t sizes[] = {1, 8, 13, 24, 64, 100, 500, 1000, 2048, 3000, 5000, 20000};
	static const size_t aligns[] = {1, 8, 16, 64, 256, 4096};
	uint64_t base = baseline();

	for (size_t s = 0; s < ARRAY_SIZE(sizes); s++) {
		for (size_t a = 0; a < ARRAY_SIZE(aligns); a++) {
			struct slab_cache c;
			assert_int_equal(slab_cache_init(&c, "test", sizes[s], aligns[a]), 0);
			exercise(&c, sizes[s], aligns[a] < 8 ? 8 : aligns[a], 700);
			exercise(&c, sizes[s], aligns[a] < 8 ? 8 : aligns[a], 300);
			slab_cache_destroy(&c);
			assert_int_equal(host_pages_outstanding(), base);
		}
	}
}

static void test_invalid_args(void **state)
{
	(void)state;
	struct slab_cache c;
	assert_int_equal(slab_cache_init(&c, "x", 0, 8), ERR_INVALID_ARGS);
	assert_int_equal(slab_cache_init(&c, "x", 16, 24), ERR_INVALID_ARGS);
	assert_int_equal(slab_cache_init(&c, "x", 16, 2 * PAGE_SIZE), ERR_INVALID_ARGS);
	assert_int_equal(slab_cache_init(&c, "x", PAGE_SIZE << SLAB_MAX_ORDER, 8),
	                 ERR_INVALID_ARGS);
	assert_int_equal(slab_cache_init_flags(&c, "x", PAGE_SIZE, 8, SLAB_ONE_PAGE),
	                 ERR_INVALID_ARGS);
	assert_null(slab_cache_create("x", 0, 8));
}

static void test_reuse_reserve_and_shrink(void **state)
{
	(void)state;
	uint64_t base = baseline();
	struct slab_cache c;
	struct slab_stats st;
	assert_int_equal(slab_cache_init(&c, "reuse", 40, 8), 0);

	void *a = slab_alloc(&c);
	slab_free(&c, a);
	assert_ptr_equal(slab_alloc(&c), a); /* most recently freed comes back first */
	slab_free(&c, a);
	slab_cache_stats(&c, &st);
	assert_int_equal(st.pages, 1); /* the empty reserve */
	assert_int_equal(slab_cache_shrink(&c), 1);
	assert_int_equal(host_pages_outstanding(), base);

	/* Many slabs emptied at once: all but one go back right away. */
	enum { N = 2000 };
	static void *objs[N];
	for (int i = 0; i < N; i++)
		objs[i] = slab_alloc(&c);
	slab_cache_stats(&c, &st);
	assert_true(st.pages >= N * 40 / PAGE_SIZE);
	assert_int_equal(host_pages_outstanding(), base + st.pages);
	for (int i = 0; i < N; i++)
		slab_free(&c, objs[i]);
	assert_int_equal(host_pages_outstanding(), base + 1);
	slab_cache_destroy(&c);
	assert_int_equal(host_pages_outstanding(), base);

	/* Out of memory is NULL, and the cache works again afterwards. */
	assert_int_equal(slab_cache_init(&c, "oom", 64, 16), 0);
	host_page_alloc_fail_after(0);
	assert_null(slab_alloc(&c));
	host_page_alloc_fail_after(-1);
	void *z = slab_zalloc(&c);
	assert_non_null(z);
	for (int i = 0; i < 64; i++)
		assert_int_equal(((unsigned char *)z)[i], 0);
	slab_free(&c, z);
	slab_cache_destroy(&c);
	assert_int_equal(host_pages_outstanding(), base);
}

static void test_misuse_panics(void **state)
{
	(void)state;
	uint64_t base = baseline();
	struct slab_cache *a = slab_cache_create("a", 32, 8);
	struct slab_cache *b = slab_cache_create("b", 32, 8);
	assert_non_null(a);
	assert_non_null(b);
	void *p = slab_alloc(a), *q = slab_alloc(a), *r = slab_alloc(b);

	EXPECT_PANIC(slab_free(b, p)); /* another cache's object */
	EXPECT_PANIC(slab_free(a, (char *)p + 8)); /* inside an object */
	EXPECT_PANIC(slab_free(a, NULL));
	EXPECT_PANIC(slab_cache_destroy(a)); /* objects still live */
	slab_free(a, p);
	EXPECT_PANIC(slab_free(a, p)); /* double free */

	struct slab_stats st;
	slab_cache_stats(a, &st);
	assert_int_equal(st.objects_in_use, 1);
	slab_free(a, q);
	slab_free(b, r);
	slab_cache_destroy(a);
	slab_cache_destroy(b);
	assert_int_equal(baseline(), base); /* the structs came from kmalloc */
}

static void test_kmalloc_classes_and_large(void **state)
{
	(void)state;
	uint64_t base = baseline();
	static const size_t sizes[] = {0,    1,    15,   16,   17,   100,   1024,   2047,
	                               2048, 2049, 4000, 4080, 4096, 10000, 100000, 1 << 20};
	void *ps[ARRAY_SIZE(sizes)];

	kfree(NULL);
	for (size_t i = 0; i < ARRAY_SIZE(sizes); i++) {
		ps[i] = kzalloc(sizes[i]);
		assert_non_null(ps[i]);
		assert_int_equal((uintptr_t)ps[i] % 16, 0);
		for (size_t j = 0; j < sizes[i]; j++)
			assert_int_equal(((unsigned char *)ps[i])[j], 0);
		fill(ps[i], sizes[i]);
	}
	/* 2048 is the largest slab class; one byte more takes whole pages. */
	assert_non_null(slab_cache_of(ps[8]));
	assert_null(slab_cache_of(ps[9]));
	assert_true(kmalloc_bytes_in_use() > 1 << 20);
	for (size_t i = 0; i < ARRAY_SIZE(sizes); i++) {
		check_fill(ps[i], sizes[i]);
		kfree(ps[i]);
	}
	assert_int_equal(kmalloc_bytes_in_use(), 0);
	kmalloc_shrink();
	assert_int_equal(host_pages_outstanding(), base);

	host_page_alloc_fail_after(0);
	assert_null(kmalloc(64));
	assert_null(kmalloc(10000));
	assert_null(kmalloc(SIZE_MAX - 8)); /* no overflow into a small request */
	host_page_alloc_fail_after(-1);
	assert_null(kmalloc(SIZE_MAX - 8));
	assert_int_equal(kmalloc_bytes_in_use(), 0);
}

static void test_kmalloc_misuse_panics(void **state)
{
	(void)state;
	uint64_t base = baseline();
	struct slab_cache c;
	assert_int_equal(slab_cache_init_flags(&c, "not-kmalloc", 64, 16, SLAB_ONE_PAGE), 0);
	void *foreign = slab_alloc(&c);
	void *page = page_alloc(0);
	void *p = kmalloc(100);

	EXPECT_PANIC(kfree(foreign)); /* slab object, but not kmalloc's */
	EXPECT_PANIC(kfree((char *)page + 64)); /* not a heap pointer at all */
	EXPECT_PANIC(kfree((char *)p + 16)); /* inside an allocation */
	kfree(p);
	EXPECT_PANIC(kfree(p)); /* double free */

	page_free(page, 0);
	slab_free(&c, foreign);
	slab_cache_destroy(&c);
	kmalloc_shrink();
	assert_int_equal(kmalloc_bytes_in_use(), 0);
	assert_int_equal(host_pages_outstanding(), base);
}

static void test_kmalloc_stress(void **state)
{
	(void)state;
	uint64_t base = baseline();
	enum { SLOTS = 3000 };
	static void *p[SLOTS];
	static size_t len[SLOTS];

	for (int step = 0; step < 200000; step++) {
		size_t i = rnd() % SLOTS;
		if (p[i]) {
			check_fill(p[i], len[i]);
			kfree(p[i]);
			p[i] = NULL;
			continue;
		}
		len[i] = rnd() % 8 == 0 ? rnd() % 9000 : rnd() % 300;
		p[i] = kmalloc(len[i]);
		assert_non_null(p[i]);
		assert_int_equal((uintptr_t)p[i] % 16, 0);
		fill(p[i], len[i]);
	}
	for (size_t i = 0; i < SLOTS; i++) {
		if (p[i]) {
			check_fill(p[i], len[i]);
			kfree(p[i]);
			p[i] = NULL;
		}
	}
	assert_int_equal(kmalloc_bytes_in_use(), 0);
	/* one reserve per class at most, and a slab for each block a magazine
	   keeps (KMALLOC_MAG in each of the six classes up to KMALLOC_MAG_MAX) */
	assert_true(host_pages_outstanding() <= base + 8 + 6 * KMALLOC_MAG);
	kmalloc_shrink();
	assert_int_equal(host_pages_outstanding(), base);
}

static int setup(void **state)
{
	(void)state;
	kmalloc_init();
	return 0;
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(test_sizes_and_alignments),
	    cmocka_unit_test(test_invalid_args),
	    cmocka_unit_test(test_reuse_reserve_and_shrink),
	    cmocka_unit_test(test_misuse_panics),
	    cmocka_unit_test(test_kmalloc_classes_and_large),
	    cmocka_unit_test(test_kmalloc_misuse_panics),
	    cmocka_unit_test(test_kmalloc_stress),
	};
	return cmocka_run_group_tests(tests, setup, NULL);
}
