/*
 * test_printf.c - kvsnprintf() against the host C library's vsnprintf().
 *
 * Format strings are generated from every combination of flags, a set of
 * widths and precisions, every length modifier and integer conversion, and
 * values at the edges of each type (INT64_MIN, UINT64_MAX, ...). Output and
 * return value must match glibc byte for byte. A sample of the cases is
 * re-run at every buffer size from 0 to one past the full length to check
 * truncation: the right prefix, always a terminator, never a byte beyond.
 */
#include <limits.h>
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>
#include <cmocka.h>

#include <lib/printf.h>
#include "host_support.h"

static unsigned long ncases;
static bool check_truncation;

/* Compare one format against glibc; optionally at every buffer size. */
static void vcheck(const char *fmt, va_list ap)
{
	char ref[512], out[512];
	va_list a;

	va_copy(a, ap);
	int r = vsnprintf(ref, sizeof(ref), fmt, a);
	va_end(a);
	va_copy(a, ap);
	int k = kvsnprintf(out, sizeof(out), fmt, a);
	va_end(a);
	ncases++;
	if (r != k || memcmp(ref, out, (size_t)r + 1) != 0)
		fail_msg("format \"%s\": glibc %d \"%s\", kernel %d \"%s\"", fmt, r, ref, k, out);
	if (!check_truncation)
		return;

	for (size_t size = 0; size <= (size_t)r + 1; size++) {
		memset(out, '#', sizeof(out));
		va_copy(a, ap);
		k = kvsnprintf(size ? out : NULL, size, fmt, a);
		va_end(a);
		assert_int_equal(k, r);
		if (size == 0) {
			assert_int_equal(out[0], '#');
			continue;
		}
		assert_memory_equal(out, ref, size - 1);
		assert_int_equal(out[size - 1], '\0');
		assert_int_equal(out[size], '#');
	}
}

static void check(const char *fmt, ...)
{
	va_list ap;
	va_start(ap, fmt);
	vcheck(fmt, ap);
	va_end(ap);
}

static const char *const widths[] = {"", "1", "3", "8", "24"};
static const char *const precs[] = {"", ".", ".0", ".1", ".3", ".12", ".30"};

/* Every subset of the five flags, in a fixed order. */
static void flag_string(unsigned mask, char *out)
{
	static const char flags[] = "-0+ #";
	for (unsigned i = 0; i < 5; i++) {
		if (mask & (1u << i))
			*out++ = flags[i];
	}
	*out = '\0';
}

static const long long values[] = {
    0,         1,         -1,       7,
    -7,        42,        127,      -128,
    255,       256,       300,      -300,
    32767,     -32768,    65535,    65536,
    INT_MAX,   INT_MIN,   UINT_MAX, 0x7fffffffffLL,
    LLONG_MAX, LLONG_MIN, -2,       0x123456789abcdefLL,
};

static void test_integers(void **state)
{
	(void)state;
	static const char *const lens[] = {"", "hh", "h", "l", "ll", "z", "t", "j"};
	static const char convs[] = "diuxXo";
	char fmt[64], fl[8];
	unsigned long n = 0;

	for (unsigned mask = 0; mask < 32; mask++) {
		flag_string(mask, fl);
		for (size_t w = 0; w < ARRAY_SIZE(widths); w++) {
			for (size_t p = 0; p < ARRAY_SIZE(precs); p++) {
				for (size_t l = 0; l < ARRAY_SIZE(lens); l++) {
					for (size_t c = 0; c < sizeof(convs) - 1; c++) {
						snprintf(fmt, sizeof(fmt), "<%%%s%s%s%s%c>", fl,
						         widths[w], precs[p], lens[l], convs[c]);
						bool narrow = l < 3;
						for (size_t v = 0; v < ARRAY_SIZE(values); v++) {
							check_truncation = (n++ % 97) == 0;
							if (narrow)
								check(fmt, (int)values[v]);
							else
								check(fmt, values[v]);
						}
					}
				}
			}
		}
	}
	check_truncation = false;
	assert_true(ncases > 100000);
}

static void test_strings_chars_pointers(void **state)
{
	(void)state;
	static const char *const strs[] = {"", "a", "hello", "hello, world", "0123456789abcdef"};
	static const uintptr_t ptrs[] = {1, 0xdead, 0xffff800000000000ULL, UINTPTR_MAX};
	char fmt[64];

	check_truncation = true;
	for (int left = 0; left < 2; left++) {
		for (size_t w = 0; w < ARRAY_SIZE(widths); w++) {
			const char *fl = left ? "-" : "";
			for (size_t p = 0; p < ARRAY_SIZE(precs); p++) {
				snprintf(fmt, sizeof(fmt), "[%%%s%s%ss]", fl, widths[w], precs[p]);
				for (size_t s = 0; s < ARRAY_SIZE(strs); s++)
					check(fmt, strs[s]);
			}
			snprintf(fmt, sizeof(fmt), "[%%%s%sc]", fl, widths[w]);
			check(fmt, 'x');
			check(fmt, '\0');
			check(fmt, 0x141); /* converted to unsigned char */
			snprintf(fmt, sizeof(fmt), "[%%%s%sp]", fl, widths[w]);
			for (size_t i = 0; i < ARRAY_SIZE(ptrs); i++)
				check(fmt, (void *)ptrs[i]);
			check(fmt, NULL);
		}
	}
	check("%s", (char *)NULL);
	check("%10s|%-10s|", (char *)NULL, (char *)NULL);
	/* A precision too short for "(null)" prints nothing (the core's glibc rule). */
	check("%.3s|%.5s|%.6s|%8.2s|%-4.0s|", (char *)NULL, (char *)NULL, (char *)NULL,
	      (char *)NULL, (char *)NULL);
	check_truncation = false;
}

static void test_star_and_literals(void **state)
{
	(void)state;
	check_truncation = true;
	static const int ws[] = {-12, -1, 0, 1, 5, 20};
	for (size_t i = 0; i < ARRAY_SIZE(ws); i++) {
		for (size_t j = 0; j < ARRAY_SIZE(ws); j++) {
			check("%*.*d|%-*.*x|", ws[i], ws[j], -42, ws[j], ws[i], 0xbeefu);
			check("%0*d|%*s|%.*s|", ws[i], 7, ws[j], "ab", ws[j], "abcdef");
		}
	}
	check("");
	check("no conversions at all");
	check("100%% sure %%d");
	check("%d %s %c %x %lld %zu %p", 1, "two", '3', 4u, (long long)INT64_MIN, (size_t)6,
	      (void *)7);
	check("%lld %llu %llx %llo", (long long)INT64_MIN, (unsigned long long)UINT64_MAX,
	      (unsigned long long)UINT64_MAX, (unsigned long long)UINT64_MAX);
	check("%jd %ji %zd %td %tu", INTMAX_MIN, INTMAX_MAX, (size_t)-5, (ptrdiff_t)-9,
	      (ptrdiff_t)-9);
	check("%#x %#X %#o %#.0o %#.0x %.0d|", 0u, 0u, 0u, 0u, 0u, 0);
	check("%+.0d|% .0d|%+05d|% 05d|%-+5d|", 0, 0, 3, 3, 3);
	check_truncation = false;
}

static void test_own_rules(void **state)
{
	(void)state;
	char buf[32];
	/* Unknown conversions and a trailing '%' are copied through literally. */
	const char *odd = "a%yb%5qc%"; /* not a literal: keeps -Wformat quiet */
	assert_int_equal(ksnprintf(buf, sizeof(buf), odd), 9);
	assert_string_equal(buf, "a%yb%5qc%");
	/* The kernel gives the shared core no extend(): floating point, %n and the libc's
	 * q/L length modifiers are unknown conversions, copied through (no argument
	 * is fetched, so the %d after them still prints its own). */
	const char *user_only = "%f|%5.2e|%g|%n|%Lf|%qd|%d";
	assert_int_equal(ksnprintf(buf, sizeof(buf), user_only, 7), 24);
	assert_string_equal(buf, "%f|%5.2e|%g|%n|%Lf|%qd|7");
	/* Size 0 never touches buf, so NULL is fine. */
	assert_int_equal(ksnprintf(NULL, 0, "%d", 12345), 5);
	/* Size 1 stores only the terminator. */
	buf[0] = 'x';
	assert_int_equal(ksnprintf(buf, 1, "%s", "abc"), 3);
	assert_int_equal(buf[0], '\0');
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(test_integers),
	    cmocka_unit_test(test_strings_chars_pointers),
	    cmocka_unit_test(test_star_and_literals),
	    cmocka_unit_test(test_own_rules),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
