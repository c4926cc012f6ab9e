/*
 * test_libc_stdlib.c - host tests of the user-space C library's stdlib side: malloc
 * (random alloc/free/realloc stress with content, alignment and overlap checks, memory
 * returning to the arena, aligned allocation, running out of memory, bad frees caught
 * by abort), qsort and bsearch against glibc, rand, the environment, program start and
 * exit with atexit handlers, assert, and the clocks.
 *
 * The libc runs renamed as cl_* over the fake system of libc_hooks.c (see libc_cl.h).
 */
#define _GNU_SOURCE
#include "libc_cl.h"

#include <ctype.h>
#include <errno.h>
#include <limits.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include <cmocka.h>

#include <abi/errors.h>

/* ---- malloc ---- */

static struct cl_malloc_stats stats(void)
{
	struct cl_malloc_stats s;
	cl_malloc_get_stats(&s);
	return s;
}

/* Every byte of a live block holds a pattern derived from its slot. */
struct block {
	unsigned char *p;
	size_t size;
	unsigned char tag;
};

static void check_block(const struct block *b)
{
	for (size_t i = 0; i < b->size; i++) {
		if (b->p[i] != (unsigned char)(b->tag + i))
			fail_msg("block %p byte %zu overwritten", (void *)b->p, i);
	}
}

static void fill_block(struct block *b, size_t from)
{
	for (size_t i = from; i < b->size; i++)
		b->p[i] = (unsigned char)(b->tag + i);
}

static size_t random_size(void)
{
	switch (cl_test_rnd() % 8) {
	case 0:
		return cl_test_rnd() % 8;
	case 1:
		return cl_test_rnd() % 70000; /* bigger than one growth step */
	default:
		return cl_test_rnd() % 600;
	}
}

static void test_malloc_stress(void **state)
{
	(void)state;
	enum { SLOTS = 512 };
	static struct block live[SLOTS];
	struct cl_malloc_stats base = stats();

	for (int iter = 0; iter < 60000; iter++) {
		struct block *b = &live[cl_test_rnd() % SLOTS];
		if (b->p && cl_test_rnd() % 3 == 0) { /* realloc keeps the common prefix */
			check_block(b);
			size_t size = random_size();
			unsigned char *p = cl_realloc(b->p, size ? size : 1);
			assert_non_null(p);
			size_t old = b->size;
			b->p = p;
			b->size = size ? size : 1;
			for (size_t i = 0; i < (old < b->size ? old : b->size); i++)
				assert_int_equal(p[i], (unsigned char)(b->tag + i));
			fill_block(b, old < b->size ? old : b->size);
		} else if (b->p) {
			check_block(b);
			cl_free(b->p);
			b->p = NULL;
		} else {
			b->size = random_size();
			b->tag = (unsigned char)cl_test_rnd();
			b->p = cl_test_rnd() % 4 ? cl_malloc(b->size) : cl_calloc(1, b->size);
			assert_non_null(b->p);
			assert_int_equal((uintptr_t)b->p % 16, 0);
			assert_true(b->p >= cl_test_arena &&
			            b->p + b->size <= cl_test_arena + ARENA_SIZE);
			assert_true(cl_malloc_usable_size(b->p) >= b->size);
			fill_block(b, 0);
		}
	}
	/* no two live blocks overlap */
	for (int i = 0; i < SLOTS; i++) {
		if (!live[i].p)
			continue;
		check_block(&live[i]);
		for (int j = i + 1; j < SLOTS; j++) {
			if (live[j].p)
				assert_true(live[i].p + live[i].size <= live[j].p ||
				            live[j].p + live[j].size <= live[i].p);
		}
	}
	for (int i = 0; i < SLOTS; i++) {
		cl_free(live[i].p);
		live[i].p = NULL;
	}
	/* everything went back: one free chunk per region, nothing in use */
	struct cl_malloc_stats end = stats();
	assert_int_equal(end.in_use, base.in_use);
	if (base.in_use == 0) {
		assert_int_equal(end.free_chunks, end.regions);
		assert_int_equal(end.regions, 1); /* the fake cl_test_arena is contiguous */
		assert_int_equal(end.largest_free, end.from_system - 32);
	}
	/* and the whole of it can be handed out again without asking the system */
	unsigned calls = cl_test_morecore_calls;
	void *all = cl_malloc(end.largest_free - 16);
	assert_non_null(all);
	assert_int_equal(cl_test_morecore_calls, calls);
	cl_free(all);
}

static void test_malloc_aligned(void **state)
{
	(void)state;
	struct cl_malloc_stats base = stats();
	void *ptrs[200];
	for (int i = 0; i < 200; i++) {
		size_t align = (size_t)1 << (cl_test_rnd() % 14);
		size_t size = cl_test_rnd() % 5000;
		ptrs[i] = cl_aligned_alloc(align, size);
		assert_non_null(ptrs[i]);
		assert_int_equal((uintptr_t)ptrs[i] % align, 0);
		memset(ptrs[i], 0xab, size);
		if (i % 3 == 0) {
			cl_free(ptrs[i]);
			ptrs[i] = NULL;
		}
	}
	for (int i = 0; i < 200; i++)
		cl_free(ptrs[i]);
	void *p = NULL;
	assert_int_equal(cl_posix_memalign(&p, 4096, 100), 0);
	assert_int_equal((uintptr_t)p % 4096, 0);
	cl_free(p);
	assert_int_equal(cl_posix_memalign(&p, 3, 100), EINVAL);
	cl_errno = 0;
	assert_null(cl_aligned_alloc(24, 100));
	assert_int_equal(cl_errno, EINVAL);
	assert_int_equal(stats().in_use, base.in_use);
}

static void test_malloc_out_of_memory(void **state)
{
	(void)state;
	/* sizes that cannot exist */
	cl_errno = 0;
	assert_null(cl_malloc(SIZE_MAX));
	assert_int_equal(cl_errno, ENOMEM);
	cl_errno = 0;
	assert_null(cl_calloc(SIZE_MAX / 2, 3));
	assert_int_equal(cl_errno, ENOMEM);
	cl_errno = 0;
	assert_null(cl_malloc(SIZE_MAX - 4096));
	assert_int_equal(cl_errno, ENOMEM);

	/* the system runs out: morecore returns NULL */
	cl_test_arena_limit = cl_test_arena_used;
	struct cl_malloc_stats s = stats();
	cl_errno = 0;
	assert_null(cl_malloc(s.largest_free + 1));
	assert_int_equal(cl_errno, ENOMEM);
	void *keep = cl_malloc(64);
	cl_errno = 0;
	assert_null(cl_realloc(keep, ARENA_SIZE));
	assert_int_equal(cl_errno, ENOMEM);
	cl_free(keep); /* realloc failure leaves the block alone */
	size_t n = 0;
	void **list = NULL, *p;
	while ((p = cl_malloc(1000))) { /* exhaust, then give it all back */
		*(void **)p = list;
		list = p;
		n++;
	}
	assert_int_equal(cl_errno, ENOMEM);
	assert_true(n > 0);
	while (list) {
		p = list;
		list = *(void **)p;
		cl_free(p);
	}
	assert_non_null(p = cl_malloc(1000));
	cl_free(p);
	cl_test_arena_limit = ARENA_SIZE;
	assert_int_equal(stats().in_use, s.in_use);
}

static void test_malloc_bad_free(void **state)
{
	(void)state;
	char *p = cl_malloc(100), *q = cl_malloc(100);
	int on_stack;

	cl_test_capture_reset();
	EXPECT_EXIT(cl_free(p + 16)); /* inside a block */
	assert_int_equal(cl_test_exit_status, 134);
	assert_non_null(strstr(cl_test_captured[1], "invalid pointer passed to free"));
	EXPECT_EXIT(cl_free(p + 1)); /* misaligned */
	EXPECT_EXIT(cl_free(&on_stack)); /* not from malloc at all */
	EXPECT_EXIT(cl_realloc(p + 32, 10));
	cl_free(p);
	EXPECT_EXIT(cl_free(p)); /* double free */
	memset(q - 16, 0, 16); /* header overwritten by an underflow */
	EXPECT_EXIT(cl_free(q));
	assert_int_equal(cl_test_exit_status, 134);
}

/* ---- qsort, bsearch, rand ---- */

static int cmp_int(const void *a, const void *b)
{
	int x = *(const int *)a, y = *(const int *)b;
	return (x > y) - (x < y);
}

struct rec {
	uint32_t key;
	char pad[20];
};

static int cmp_rec(const void *a, const void *b)
{
	const struct rec *x = a, *y = b;
	return (x->key > y->key) - (x->key < y->key);
}

static void test_qsort(void **state)
{
	(void)state;
	static int a[5000], b[5000];
	for (int iter = 0; iter < 300; iter++) {
		size_t n = cl_test_rnd() % (iter < 100 ? 40 : 5000);
		int mode = (int)(cl_test_rnd() % 5),
		    range = (int)(cl_test_rnd() % 2 ? 10 : 1000000);
		for (size_t i = 0; i < n; i++) {
			a[i] = mode == 0   ? (int)i
			       : mode == 1 ? (int)(n - i)
			       : mode == 2 ? 7
			                   : (int)(cl_test_rnd() % (unsigned)range) - range / 2;
		}
		memcpy(b, a, n * sizeof(int));
		cl_qsort(a, n, sizeof(int), cmp_int);
		qsort(b, n, sizeof(int), cmp_int);
		assert_memory_equal(a, b, n * sizeof(int));
		if (n) {
			int key = b[cl_test_rnd() % n];
			int *hit = cl_bsearch(&key, a, n, sizeof(int), cmp_int);
			assert_non_null(hit);
			assert_int_equal(*hit, key);
			key = INT_MAX;
			assert_null(cl_bsearch(&key, a, n, sizeof(int), cmp_int));
		}
	}
	/* bigger elements: sorted by key and a permutation (checked by key sum) */
	static struct rec r[3000];
	uint64_t sum = 0;
	for (size_t i = 0; i < 3000; i++) {
		r[i].key = (uint32_t)(cl_test_rnd() % 500);
		memset(r[i].pad, (int)r[i].key, sizeof(r[i].pad));
		sum += r[i].key;
	}
	cl_qsort(r, 3000, sizeof(*r), cmp_rec);
	for (size_t i = 0; i < 3000; i++) {
		sum -= r[i].key;
		assert_int_equal((unsigned char)r[i].pad[19], (unsigned char)r[i].key);
		if (i)
			assert_true(r[i - 1].key <= r[i].key);
	}
	assert_true(sum == 0);
	cl_qsort(NULL, 0, sizeof(int), cmp_int);
}

static void test_rand(void **state)
{
	(void)state;
	int first[10];
	cl_srand(42);
	for (int i = 0; i < 10; i++)
		first[i] = cl_rand();
	cl_srand(42);
	for (int i = 0; i < 10; i++)
		assert_int_equal(cl_rand(), first[i]);
	int seen_high = 0;
	for (int i = 0; i < 10000; i++) {
		int r = cl_rand();
		assert_true(r >= 0 && r <= 0x7fffffff);
		seen_high |= r > 0x40000000;
	}
	assert_true(seen_high);
}

/* ---- environment, start and exit, assert, time ---- */

static void test_env(void **state)
{
	(void)state;
	char e1[] = "HOME=/home/ada", e2[] = "PATH=/bin", e3[] = "EMPTY=";
	char *spawner_env[] = {e1, e2, e3, NULL};
	struct cl_malloc_stats base = stats();

	cl_environ = spawner_env;
	assert_string_equal(cl_getenv("HOME"), "/home/ada");
	assert_string_equal(cl_getenv("EMPTY"), "");
	assert_null(cl_getenv("HOM"));
	assert_null(cl_getenv("NOPE"));
	assert_int_equal(cl_setenv("HOME", "/root", 0), 0);
	assert_string_equal(cl_getenv("HOME"), "/home/ada");
	assert_int_equal(cl_setenv("HOME", "/root", 1), 0);
	assert_string_equal(cl_getenv("HOME"), "/root");
	assert_string_equal(spawner_env[0], "HOME=/home/ada"); /* the spawner's copy is intact */
	for (int i = 0; i < 50; i++) {
		char name[16];
		snprintf(name, sizeof(name), "VAR%d", i);
		assert_int_equal(cl_setenv(name, name + 3, 1), 0);
	}
	assert_string_equal(cl_getenv("VAR37"), "37");
	assert_string_equal(cl_getenv("PATH"), "/bin");
	assert_int_equal(cl_unsetenv("VAR37"), 0);
	assert_null(cl_getenv("VAR37"));
	assert_string_equal(cl_getenv("VAR38"), "38");
	assert_int_equal(cl_unsetenv("NOT_THERE"), 0);
	cl_errno = 0;
	assert_int_equal(cl_setenv("A=B", "x", 1), -1);
	assert_int_equal(cl_errno, EINVAL);
	assert_int_equal(cl_setenv("", "x", 1), -1);
	assert_int_equal(cl_unsetenv("A=B"), -1);
	for (int i = 0; i < 50; i++) {
		char name[16];
		snprintf(name, sizeof(name), "VAR%d", i);
		cl_unsetenv(name);
	}
	cl_unsetenv("HOME");
	assert_null(cl_getenv("HOME"));
	assert_string_equal(cl_getenv("PATH"), "/bin");
	/* only the environ array itself is still allocated */
	assert_true(stats().in_use - base.in_use < 4096);
}

static int order[64], order_n;
static void at1(void)
{
	order[order_n++] = 1;
}
static void at2(void)
{
	order[order_n++] = 2;
	cl_printf("flushed at exit");
}

static void test_start_exit(void **state)
{
	(void)state;
	char a0[] = "prog", a1[] = "arg";
	char *argv[] = {a0, a1, NULL}, *envp[] = {NULL};

	cl_test_capture_reset();
	EXPECT_EXIT(cl___libc_start(2, argv, envp));
	assert_int_equal(cl_test_exit_status, 7);
	assert_int_equal(cl_test_main_argc, 2);
	assert_ptr_equal(cl_test_main_argv, argv);
	assert_ptr_equal(cl_environ, envp);
	assert_string_equal(cl_test_captured[0], "main ran"); /* exit flushed stdout */

	cl_test_capture_reset();
	order_n = 0;
	assert_int_equal(cl_atexit(at1), 0);
	assert_int_equal(cl_atexit(at2), 0);
	EXPECT_EXIT(cl_exit(3));
	assert_int_equal(cl_test_exit_status, 3);
	assert_int_equal(order_n, 2);
	assert_int_equal(order[0], 2);
	assert_int_equal(order[1], 1);
	assert_string_equal(cl_test_captured[0], "flushed at exit");
	/* handlers ran once: a second exit runs none */
	EXPECT_EXIT(cl_exit(0));
	assert_int_equal(order_n, 2);
	for (int i = 0; i < 32; i++)
		assert_int_equal(cl_atexit(at1), 0);
	assert_int_equal(cl_atexit(at1), -1);
	order_n = 0;
	EXPECT_EXIT(cl_exit(0)); /* drains the 32 at1 handlers */

	cl_test_capture_reset();
	EXPECT_EXIT(cl_abort());
	assert_int_equal(cl_test_exit_status, 134);
	EXPECT_EXIT(cl___assert_fail("x == 1", "prog.c", 12, "f"));
	assert_int_equal(cl_test_exit_status, 134);
	assert_string_equal(cl_test_captured[1], "prog.c:12: f: assertion `x == 1' failed\n");
}

static void test_time(void **state)
{
	(void)state;
	struct cl_timespec ts;
	assert_int_equal(cl_clock_gettime(0, &ts), 0);
	assert_true(ts.tv_sec == FAKE_REALTIME / 1000000000);
	assert_int_equal(ts.tv_nsec, FAKE_REALTIME % 1000000000);
	assert_int_equal(cl_clock_gettime(1, &ts), 0);
	assert_true(ts.tv_sec == 5);
	assert_int_equal(ts.tv_nsec, 42);
	cl_errno = 0;
	assert_int_equal(cl_clock_gettime(7, &ts), -1);
	assert_int_equal(cl_errno, EINVAL);
	assert_int_equal(cl_clock_gettime(0, NULL), -1);
	assert_int_equal(cl_errno, EFAULT);
	long long t = 0;
	assert_true(cl_time(&t) == FAKE_REALTIME / 1000000000);
	assert_true(t == FAKE_REALTIME / 1000000000);
	assert_true(cl_time(NULL) == t);
	struct cl_timeval tv;
	assert_int_equal(cl_gettimeofday(&tv, NULL), 0);
	assert_true(tv.tv_sec == FAKE_REALTIME / 1000000000);
	assert_int_equal(tv.tv_usec, FAKE_REALTIME % 1000000000 / 1000);
	assert_int_equal(cl_gettimeofday(&tv, &tv), -1); /* no time zones */
	assert_int_equal(cl_errno, EINVAL);
}

/* clock_settime / settimeofday: checked, then handed to __libc_clock_set in ns */
static void test_settime(void **state)
{
	(void)state;
	struct cl_timespec ts = {1765000000, 123456789};
	assert_int_equal(cl_clock_settime(0, &ts), 0);
	assert_true(cl_test_clock_set_ns == 1765000000123456789ll);
	struct cl_timeval tv = {1700000000, 250000};
	assert_int_equal(cl_settimeofday(&tv, NULL), 0);
	assert_true(cl_test_clock_set_ns == 1700000000250000000ll);
	cl_test_clock_set_ns = -1;
	/* refused before the hook: another clock, bad fields, NULL, a time zone */
	static const struct cl_timespec bad[] = {
	    {-1, 0}, {0, -1}, {0, 1000000000}, {9223372036ll, 0}, {0x7fffffffffffffffll, 0}};
	for (unsigned i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		cl_errno = 0;
		assert_int_equal(cl_clock_settime(0, &bad[i]), -1);
		assert_int_equal(cl_errno, EINVAL);
	}
	cl_errno = 0;
	assert_int_equal(cl_clock_settime(1, &ts), -1); /* CLOCK_MONOTONIC cannot be set */
	assert_int_equal(cl_errno, EINVAL);
	assert_int_equal(cl_clock_settime(0, NULL), -1);
	assert_int_equal(cl_errno, EFAULT);
	tv = (struct cl_timeval){1700000000, 1000000};
	assert_int_equal(cl_settimeofday(&tv, NULL), -1);
	assert_int_equal(cl_errno, EINVAL);
	tv.tv_usec = 0;
	assert_int_equal(cl_settimeofday(&tv, &tv), -1);
	assert_int_equal(cl_errno, EINVAL);
	assert_true(cl_test_clock_set_ns == -1); /* none reached the hook */
	/* the clock's own refusal (after 2099) comes back as EINVAL */
	ts = (struct cl_timespec){7258118400ll, 0}; /* 2200-01-01 */
	assert_int_equal(cl_clock_settime(0, &ts), -1);
	assert_int_equal(cl_errno, EINVAL);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(test_malloc_stress),
	    cmocka_unit_test(test_malloc_aligned),
	    cmocka_unit_test(test_malloc_out_of_memory),
	    cmocka_unit_test(test_malloc_bad_free),
	    cmocka_unit_test(test_qsort),
	    cmocka_unit_test(test_rand),
	    cmocka_unit_test(test_env),
	    cmocka_unit_test(test_start_exit),
	    cmocka_unit_test(test_time),
	    cmocka_unit_test(test_settime),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
