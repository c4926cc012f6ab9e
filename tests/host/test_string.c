/*
 * test_string.c - lib/string.c against a byte-by-byte model.
 *
 * Built with -Dmemcpy=k_memcpy etc. (test_string.mk), so the names below
 * reach the kernel's functions; __builtin_* calls reach the C library and
 * serve as the reference. Every length, offset and overlap up to a few
 * dozen bytes is tried, which covers all alignment cases.
 */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <cmocka.h>

#include <lib/string.h>
#include "host_support.h"

#define N 80

static void fill(unsigned char *p, size_t n, unsigned seed)
{
	for (size_t i = 0; i < n; i++)
		p[i] = (unsigned char)(seed * 131 + i * 17 + 1);
}

static int sign(int x)
{
	return (x > 0) - (x < 0);
}

static void test_memcpy_memset(void **state)
{
	(void)state;
	unsigned char src[N], dst[N], ref[N];
	for (size_t so = 0; so < 8; so++) {
		for (size_t d = 0; d < 8; d++) {
			for (size_t n = 0; n + 8 <= N; n++) {
				fill(src, N, (unsigned)(so + n));
				fill(dst, N, 7);
				fill(ref, N, 7);
				__builtin_memcpy(ref + d, src + so, n);
				assert_ptr_equal(memcpy(dst + d, src + so, n), dst + d);
				assert_memory_equal(dst, ref, N);

				__builtin_memset(ref + d, (int)(n + 0x100 - 3), n);
				assert_ptr_equal(memset(dst + d, (int)(n + 0x100 - 3), n), dst + d);
				assert_memory_equal(dst, ref, N);
			}
		}
	}
}

static void test_memmove_overlap(void **state)
{
	(void)state;
	unsigned char buf[N], ref[N];
	for (size_t s = 0; s < 24; s++) {
		for (size_t d = 0; d < 24; d++) {
			for (size_t n = 0; n + 24 <= N; n++) {
				fill(buf, N, (unsigned)n);
				fill(ref, N, (unsigned)n);
				/* Reference: copy through a temporary. */
				unsigned char tmp[N];
				__builtin_memcpy(tmp, ref + s, n);
				__builtin_memcpy(ref + d, tmp, n);
				assert_ptr_equal(memmove(buf + d, buf + s, n), buf + d);
				assert_memory_equal(buf, ref, N);
			}
		}
	}
}

static void test_memcmp(void **state)
{
	(void)state;
	unsigned char a[N], b[N];
	for (size_t n = 0; n < 40; n++) {
		for (size_t at = 0; at <= n; at++) {
			fill(a, N, 3);
			fill(b, N, 3);
			if (at < n)
				b[at] =
				    (unsigned char)(a[at] + 0x80); /* high bit: unsigned compare */
			assert_int_equal(sign(memcmp(a, b, n)), sign(__builtin_memcmp(a, b, n)));
			assert_int_equal(sign(memcmp(b, a, n)), sign(__builtin_memcmp(b, a, n)));
		}
	}
	assert_int_equal(memcmp(NULL, NULL, 0), 0);
}

static void test_strlen_strnlen(void **state)
{
	(void)state;
	char s[N];
	for (size_t len = 0; len < 40; len++) {
		__builtin_memset(s, 'x', len);
		s[len] = '\0';
		assert_int_equal(strlen(s), len);
		for (size_t max = 0; max < 45; max++)
			assert_int_equal(strnlen(s, max), len < max ? len : max);
	}
	/* strnlen must not read past max: no terminator within the array. */
	char raw[4] = {'a', 'b', 'c', 'd'};
	assert_int_equal(strnlen(raw, sizeof(raw)), 4);
}

static void test_strcmp_strncmp(void **state)
{
	(void)state;
	static const char *const words[] = {"",  "a",    "ab",    "abc", "abd",
	                                    "b", "\xff", "a\xff", "abcd"};
	for (size_t i = 0; i < sizeof(words) / sizeof(words[0]); i++) {
		for (size_t j = 0; j < sizeof(words) / sizeof(words[0]); j++) {
			const char *a = words[i], *b = words[j];
			assert_int_equal(sign(strcmp(a, b)), sign(__builtin_strcmp(a, b)));
			for (size_t n = 0; n < 6; n++)
				assert_int_equal(sign(strncmp(a, b, n)),
				                 sign(__builtin_strncmp(a, b, n)));
		}
	}
}

static void test_strchr(void **state)
{
	(void)state;
	const char *s = "hello, world";
	assert_ptr_equal(strchr(s, 'h'), s);
	assert_ptr_equal(strchr(s, 'o'), s + 4);
	assert_ptr_equal(strchr(s, 'd'), s + 11);
	assert_ptr_equal(strchr(s, 'z'), NULL);
	assert_ptr_equal(strchr(s, '\0'), s + 12);
	assert_ptr_equal(strchr(s, 'o' + 256), s + 4); /* c converts to char */
	assert_ptr_equal(strchr("", 'a'), NULL);
}

static void test_strlcpy(void **state)
{
	(void)state;
	const char *src = "charlotte";
	for (size_t size = 0; size < 14; size++) {
		char dst[16];
		__builtin_memset(dst, '#', sizeof(dst));
		assert_int_equal(strlcpy(dst, src, size), 9);
		if (size == 0) {
			assert_int_equal(dst[0], '#');
			continue;
		}
		size_t n = size - 1 < 9 ? size - 1 : 9;
		assert_memory_equal(dst, src, n);
		assert_int_equal(dst[n], '\0');
		assert_int_equal(dst[n + 1], '#'); /* nothing written past the terminator */
	}
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(test_memcpy_memset),  cmocka_unit_test(test_memmove_overlap),
	    cmocka_unit_test(test_memcmp),         cmocka_unit_test(test_strlen_strnlen),
	    cmocka_unit_test(test_strcmp_strncmp), cmocka_unit_test(test_strchr),
	    cmocka_unit_test(test_strlcpy),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
