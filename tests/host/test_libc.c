/*
 * test_libc.c - host tests of the user-space C library: printf and stdio, string,
 * ctype and the strtol family (the allocator, qsort, environment and exit are in
 * test_libc_stdlib.c).
 *
 * The libc runs renamed as cl_* (see libc_cl.h and test_libc.mk) next to the host's
 * glibc, and each function is compared with glibc's for the same input: thousands of
 * printf formats and random values (floating point to the last digit), mem and str
 * functions over random strings, offsets and overlaps, strtol over edge cases in every
 * base. Output streams are checked through the capture of the fake __libc_write.
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

/* ---- printf ---- */

#pragma GCC diagnostic ignored "-Wformat-nonliteral"

static char host_buf[4096], cl_buf[4096];

/*
 * glibc drops the zeros of "%#g" when rounding carries into a new power of ten
 * (999.5 with "%#.3g" gives "1.e+03" instead of ISO C's "1.00e+03"). Accept our
 * output when it is glibc's with the zeros after each point put back.
 */
static bool glibc_alt_g_bug(const char *fmt, const char *host, const char *ours)
{
	char squeezed[sizeof(cl_buf)];
	size_t n = 0;

	if (!strchr(fmt, '#') || (!strstr(host, ".e") && !strstr(host, ".E")))
		return false;
	for (size_t i = 0; ours[i]; i++) {
		squeezed[n++] = ours[i];
		if (ours[i] == '.')
			while (ours[i + 1] == '0')
				i++;
	}
	squeezed[n] = '\0';
	return !strcmp(squeezed, host);
}

static void compare_vformat(const char *fmt, ...)
{
	va_list a, b;

	va_start(a, fmt);
	va_copy(b, a);
	int rh = vsnprintf(host_buf, sizeof(host_buf), fmt, a);
	int rc = cl_vsnprintf(cl_buf, sizeof(cl_buf), fmt, b);
	va_end(a);
	va_end(b);
	if ((rh != rc || strcmp(host_buf, cl_buf)) && !glibc_alt_g_bug(fmt, host_buf, cl_buf))
		fail_msg("format \"%s\": host %d \"%s\", libc %d \"%s\"", fmt, rh, host_buf, rc,
		         cl_buf);
}

static void test_printf_integers(void **state)
{
	(void)state;
	static const char *const int_fmts[] = {
	    "%d",    "%i",      "%5d",   "%-5d|", "%05d",  "%+d",     "% d",  "%+05d", "%.3d",
	    "%8.3d", "%-8.3d|", "%.0d",  "%u",    "%x",    "%X",      "%#x",  "%#X",   "%o",
	    "%#o",   "%#.0o",   "%#5o",  "%08x",  "%#08x", "%-#10x|", "%hhd", "%hhu",  "%hd",
	    "%hu",   "%hhx",    "%+.0d", "% .0d", "%#.3x", "%0*d",    "[%c]", "%3c|",  "%-3c|",
	};
	static const int ints[] = {0,     1,         -1,      7,       42,   -42, 255,  256, 65535,
	                           65536, 123456789, INT_MAX, INT_MIN, -128, 127, 0x7f, 0x80};
	for (size_t f = 0; f < sizeof(int_fmts) / sizeof(*int_fmts); f++) {
		for (size_t i = 0; i < sizeof(ints) / sizeof(*ints); i++) {
			if (strstr(int_fmts[f], "*"))
				compare_vformat(int_fmts[f], 7, ints[i]);
			else if (strchr(int_fmts[f], 'c'))
				compare_vformat(int_fmts[f], ints[i] & 0x7f ? ints[i] & 0x7f : 'A');
			else
				compare_vformat(int_fmts[f], ints[i]);
		}
	}
	static const char *const long_fmts[] = {
	    "%ld", "%lu", "%lx",    "%lld",     "%llu",     "%llX", "%#llo", "%jd",  "%zu",
	    "%zd", "%td", "%20lld", "%-25lld|", "%+.30lld", "%qd",  "%Lu",   "%#qx", "%Ld"};
	static const long long longs[] = {0,         1,         -1,           LLONG_MAX,
	                                  LLONG_MIN, 1ll << 32, -(1ll << 40), 999999999999ll};
	for (size_t f = 0; f < sizeof(long_fmts) / sizeof(*long_fmts); f++) {
		for (size_t i = 0; i < sizeof(longs) / sizeof(*longs); i++)
			compare_vformat(long_fmts[f], longs[i]);
	}
	for (int i = 0; i < 20000; i++) {
		long long v = (long long)cl_test_rnd() >> (cl_test_rnd() % 64);
		compare_vformat("%lld %llx %llo %20llu %-+22lld|% 030lld", v, v, v, v, v, v);
		compare_vformat("%*.*lld|%-*lld|", (int)(cl_test_rnd() % 30),
		                (int)(cl_test_rnd() % 30), v, (int)(cl_test_rnd() % 30), v);
	}
}

static void test_printf_strings_pointers(void **state)
{
	(void)state;
	const char *s = "hello, world";
	compare_vformat("%s|%20s|%-20s|%.5s|%10.3s|%-10.3s|", s, s, s, s, s, s);
	compare_vformat("%.*s|%*s|%-*s|", 3, s, -8, "ab", 8, "ab");
	compare_vformat("%s %s", "", "x");
	compare_vformat("%p %p %20p %-20p|", (void *)s, (void *)0x1234, (void *)s, (void *)s);
	compare_vformat("%p %10p|", NULL, NULL);
	compare_vformat("100%% %c%c %%d", 'o', 'k');
	compare_vformat("no conversions at all");
	compare_vformat("%s", "");
	char *null = NULL;
	compare_vformat("%s", null);
	compare_vformat("%10s|", null);
	compare_vformat("%.3s|%.5s|%.6s|%8.2s|%-4.0s|", null, null, null, null, null);
}

static double random_double(void)
{
	switch (cl_test_rnd() % 4) {
	case 0: { /* any bit pattern, including denormals, huge and (rarely) NaN/inf */
		uint64_t b = cl_test_rnd();
		double d;
		memcpy(&d, &b, sizeof(d));
		return d;
	}
	case 1:
		return (double)(int64_t)cl_test_rnd() / (double)(1ull << (cl_test_rnd() % 63));
	case 2: /* short decimals: rounding ties like 0.125, 2.5 */
		return (double)(int)(cl_test_rnd() % 20001 - 10000) /
		       (double)(1 << (cl_test_rnd() % 12));
	default:
		return (double)(int)(cl_test_rnd() % 2000 - 1000) * 1e-3;
	}
}

static void test_printf_floats(void **state)
{
	(void)state;
	static const char *const fmts[] = {
	    "%f",       "%.0f", "%.1f",  "%.3f",    "%.10f",    "%#.0f", "%10.4f",
	    "%-12.2f|", "%+f",  "% f",   "%010.3f", "%F",       "%e",    "%.0e",
	    "%#.0e",    "%.3e", "%.12e", "%E",      "%-14.4e|", "%+e",   "%012.3e",
	    "%g",       "%.0g", "%.1g",  "%.3g",    "%.10g",    "%.17g", "%#g",
	    "%#.3g",    "%G",   "%12g|", "%-12g|",  "%+g",      "%012g", "%Lf",
	};
	static const double vals[] = {0.0,
	                              -0.0,
	                              1.0,
	                              -1.0,
	                              0.5,
	                              1.5,
	                              2.5,
	                              0.125,
	                              0.375,
	                              1e-5,
	                              1e-4,
	                              123456.789,
	                              1e15,
	                              1e16,
	                              1e17,
	                              9.9999995,
	                              0.05,
	                              0.15,
	                              0.25,
	                              0.35,
	                              1e300,
	                              1e-300,
	                              5e-324,
	                              1.7976931348623157e308,
	                              3.14159265358979,
	                              100,
	                              999999.5,
	                              0.000099995};
	for (size_t f = 0; f < sizeof(fmts) / sizeof(*fmts); f++) {
		for (size_t i = 0; i < sizeof(vals) / sizeof(*vals); i++) {
			if (!strcmp(fmts[f], "%Lf"))
				compare_vformat(fmts[f], (long double)vals[i]);
			else
				compare_vformat(fmts[f], vals[i]);
		}
	}
	compare_vformat("%f %F %e %E %g %G", __builtin_inf(), -__builtin_inf(), __builtin_nan(""),
	                __builtin_inf(), __builtin_nan(""), -__builtin_inf());
	compare_vformat("%10f|%-10f|%010f|%+f", __builtin_inf(), __builtin_inf(), -__builtin_inf(),
	                __builtin_inf());
	compare_vformat("%.60f %.40e", 1.0 / 3.0, 2.0 / 3.0);
	for (int i = 0; i < 20000; i++) {
		double d = random_double();
		int p = (int)(cl_test_rnd() % 20);
		if (__builtin_isnan(d))
			continue; /* glibc's sign of NaN from random bits differs in style */
		compare_vformat("%.*f|%.*e|%.*g|%g|%#.*g|%e", p, d, p, d, p, d, d, p, d, d);
	}
}

static void test_snprintf_truncation(void **state)
{
	(void)state;
	char h[64], c[64];
	for (size_t size = 0; size < 40; size++) {
		memset(h, 'Z', sizeof(h));
		memset(c, 'Z', sizeof(c));
		int rh = snprintf(h, size, "%s=%d (%x) %.2f", "answer", 42, 0xbeef, 2.5);
		int rc = cl_snprintf(c, size, "%s=%d (%x) %.2f", "answer", 42, 0xbeef, 2.5);
		assert_int_equal(rh, rc);
		assert_memory_equal(h, c, sizeof(h));
	}
	assert_int_equal(cl_snprintf(NULL, 0, "%d", 12345), 5);
	assert_int_equal(cl_sprintf(c, "%s-%u", "x", 7u), 3);
	assert_string_equal(c, "x-7");
	/* a result longer than INT_MAX is EOVERFLOW */
	cl_errno = 0;
	volatile int wide = INT_MAX; /* not a constant, so GCC does not reject the format */
	assert_int_equal(cl_snprintf(c, sizeof(c), "%*d%*d", wide, 1, wide, 1), -1);
	assert_int_equal(cl_errno, EOVERFLOW);
	assert_int_equal(strlen(c), sizeof(c) - 1);
}

static void test_stdio_streams(void **state)
{
	(void)state;
	cl_test_capture_reset();
	assert_int_equal(cl_printf("abc %d", 5), 5);
	assert_int_equal(cl_test_captured_len[0], 0); /* line buffered: nothing yet */
	assert_int_equal(cl_puts(" and a line"), 0);
	assert_string_equal(cl_test_captured[0], "abc 5 and a line\n");
	cl_putchar('x');
	cl_fputs("yz", cl_stdout);
	assert_int_equal(cl_fwrite("12345", 2, 2, cl_stdout), 2);
	assert_string_equal(cl_test_captured[0], "abc 5 and a line\n");
	assert_int_equal(cl_fflush(cl_stdout), 0);
	assert_string_equal(cl_test_captured[0], "abc 5 and a line\nxyz1234");

	/* stderr is unbuffered, but one fprintf is one write */
	unsigned before = cl_test_write_calls;
	assert_int_equal(cl_fprintf(cl_stderr, "err %s %d%c", "E", 1, '!'), 8);
	assert_string_equal(cl_test_captured[1], "err E 1!");
	assert_int_equal(cl_test_write_calls, before + 1);

	/* a long printf goes out whole */
	cl_test_capture_reset();
	char big[3000];
	memset(big, 'q', sizeof(big) - 1);
	big[sizeof(big) - 1] = '\0';
	assert_int_equal(cl_printf("<%s>\n", big), (int)sizeof(big) + 2);
	assert_int_equal(cl_test_captured_len[0], sizeof(big) + 2);

	/* fully buffered: output only when the buffer fills or on fflush */
	cl_test_capture_reset();
	char mybuf[16];
	assert_int_equal(cl_setvbuf(cl_stdout, mybuf, 0 /* _IOFBF */, sizeof(mybuf)), 0);
	cl_printf("line\n");
	assert_int_equal(cl_test_captured_len[0], 0);
	cl_printf("0123456789abcdef");
	assert_true(cl_test_captured_len[0] > 0);
	cl_fflush(NULL);
	assert_string_equal(cl_test_captured[0], "line\n0123456789abcdef");
	assert_int_equal(cl_setvbuf(cl_stdout, NULL, 1 /* _IOLBF */, 0), 0);
	assert_int_equal(cl_setvbuf(cl_stdout, NULL, 9, 0), -1);

	/* a failing write: EOF, errno EIO, error flag until clearerr */
	cl_test_write_fails = 1;
	cl_errno = 0;
	assert_int_equal(cl_fputs("lost\n", cl_stdout), -1);
	assert_int_equal(cl_errno, EIO);
	assert_true(cl_ferror(cl_stdout));
	assert_int_equal(cl_fprintf(cl_stderr, "x"), -1);
	cl_test_write_fails = 0;
	cl_clearerr(cl_stdout);
	assert_false(cl_ferror(cl_stdout));
	cl_test_capture_reset();
	cl_puts("ok");
	assert_string_equal(cl_test_captured[0], "ok\n");
}

/* ---- string and ctype ---- */

static int sign(int x)
{
	return (x > 0) - (x < 0);
}

static void random_string(char *s, size_t n, const char *alphabet)
{
	size_t k = strlen(alphabet);
	for (size_t i = 0; i < n; i++)
		s[i] = alphabet[cl_test_rnd() % k];
	s[n] = '\0';
}

static void test_mem_functions(void **state)
{
	(void)state;
	static unsigned char src[600], a[700], b[700];
	for (int iter = 0; iter < 20000; iter++) {
		for (size_t i = 0; i < sizeof(src); i++)
			src[i] = (unsigned char)cl_test_rnd();
		size_t n = cl_test_rnd() % 300, so = cl_test_rnd() % 64, doff = cl_test_rnd() % 64;
		memset(a, 0x5a, sizeof(a));
		memset(b, 0x5a, sizeof(b));
		assert_ptr_equal(cl_memcpy(a + doff, src + so, n), a + doff);
		memcpy(b + doff, src + so, n);
		assert_memory_equal(a, b, sizeof(a));

		int c = (int)(cl_test_rnd() % 256);
		assert_ptr_equal(cl_memset(a + doff, c, n), a + doff);
		memset(b + doff, c, n);
		assert_memory_equal(a, b, sizeof(a));

		/* overlapping moves in both directions */
		memcpy(a, src, sizeof(src));
		memcpy(b, src, sizeof(src));
		size_t from = cl_test_rnd() % 300, to = cl_test_rnd() % 300;
		cl_memmove(a + to, a + from, n);
		memmove(b + to, b + from, n);
		assert_memory_equal(a, b, sizeof(a));

		size_t m = cl_test_rnd() % 64;
		memcpy(a, src, m);
		if (m && cl_test_rnd() % 2)
			a[cl_test_rnd() % m] ^= (unsigned char)(1 + cl_test_rnd() % 255);
		assert_int_equal(sign(cl_memcmp(a, src, m)), sign(memcmp(a, src, m)));
		assert_ptr_equal(cl_memchr(src, c, n), memchr(src, c, n));
		assert_ptr_equal(cl_memrchr(src, c, n), memrchr(src, c, n));
	}
}

/* Byte-by-byte references for the exhaustive test below. */
static void ref_move(unsigned char *d, const unsigned char *s, size_t n)
{
	if (d < s)
		for (size_t i = 0; i < n; i++)
			d[i] = s[i];
	else
		for (size_t i = n; i-- > 0;)
			d[i] = s[i];
}

/*
 * mem.S, exhaustively: memcpy and memset of every size 0..300 and some large ones at
 * every source and destination alignment 0..15, and memmove of every size 0..200 at
 * every distance -40..40 (and large ones at distances around a word and a page), each
 * against a byte loop, with guard bytes around the destination untouched.
 */
static void test_mem_exhaustive(void **state)
{
	(void)state;
	enum { BUF = 70000 };
	static unsigned char src[BUF], a[BUF], b[BUF];
	static const size_t large[] = {511, 512, 513, 1000, 4095, 4096, 4097, 32768 + 3, 65536};
	for (size_t i = 0; i < BUF; i++)
		src[i] = (unsigned char)(i * 131 + (i >> 8) + 1);
	for (size_t k = 0; k < 301 + sizeof(large) / sizeof(large[0]); k++) {
		size_t n = k <= 300 ? k : large[k - 301];
		size_t span = n + 48;
		for (size_t so = 0; so < 16; so++) {
			for (size_t doff = 0; doff < 16; doff++) {
				memset(a, 0xee, span);
				memcpy(b, a, span);
				assert_ptr_equal(cl_memcpy(a + 16 + doff, src + so, n),
				                 a + 16 + doff);
				ref_move(b + 16 + doff, src + so, n);
				assert_memory_equal(a, b, span);
				if (so == 0 || so == 5) {
					int c = so ? 0xa5 : 0;
					assert_ptr_equal(cl_memset(a + 16 + doff, c, n),
					                 a + 16 + doff);
					for (size_t i = 0; i < n; i++)
						b[16 + doff + i] = (unsigned char)c;
					assert_memory_equal(a, b, span);
				}
			}
		}
	}
	static const long far[] = {-4097, -4096, -4095, -9, -8,   -7,   -1,
	                           1,     7,     8,     9,  4095, 4096, 4097};
	for (size_t k = 0; k < 201 + 2 * sizeof(far) / sizeof(far[0]); k++) {
		size_t n = k <= 200 ? k : k % 2 ? 5000 : 20000 + 3;
		for (long dist = -40; dist <= 40; dist++) {
			long dd = k <= 200 ? dist : far[(k - 201) / 2];
			if (k > 200 && dist != 0)
				continue;
			for (size_t base = 0; base < 8; base++) {
				size_t from = 8192 + base, to = (size_t)((long)from + dd);
				memcpy(a, src, n + 16384 + 64);
				memcpy(b, src, n + 16384 + 64);
				assert_ptr_equal(cl_memmove(a + to, a + from, n), a + to);
				ref_move(b + to, b + from, n);
				assert_memory_equal(a, b, n + 16384 + 64);
			}
		}
	}
}

static void test_str_functions(void **state)
{
	(void)state;
	char s1[80], s2[80], h[200], c[200];
	for (int iter = 0; iter < 20000; iter++) {
		random_string(s1, cl_test_rnd() % 20, "abcAB ,");
		random_string(s2, cl_test_rnd() % 4, "abcB ,");
		size_t n = cl_test_rnd() % 25;
		int ch = "abcz\0,"[cl_test_rnd() % 6];
		assert_int_equal(cl_strlen(s1), strlen(s1));
		assert_int_equal(cl_strnlen(s1, n), strnlen(s1, n));
		assert_int_equal(sign(cl_strcmp(s1, s2)), sign(strcmp(s1, s2)));
		assert_int_equal(sign(cl_strncmp(s1, s2, n)), sign(strncmp(s1, s2, n)));
		assert_int_equal(sign(cl_strcasecmp(s1, s2)), sign(strcasecmp(s1, s2)));
		assert_int_equal(sign(cl_strncasecmp(s1, s2, n)), sign(strncasecmp(s1, s2, n)));
		assert_ptr_equal(cl_strchr(s1, ch), strchr(s1, ch));
		assert_ptr_equal(cl_strrchr(s1, ch), strrchr(s1, ch));
		assert_ptr_equal(cl_strstr(s1, s2), strstr(s1, s2));
		assert_int_equal(cl_strspn(s1, s2), strspn(s1, s2));
		assert_int_equal(cl_strcspn(s1, s2), strcspn(s1, s2));
		assert_ptr_equal(cl_strpbrk(s1, s2), strpbrk(s1, s2));

		memset(h, 'Z', sizeof(h));
		memset(c, 'Z', sizeof(c));
		strcpy(h, s2);
		cl_strcpy(c, s2);
		strcat(h, s1);
		cl_strcat(c, s1);
		strncat(h, s1, n);
		cl_strncat(c, s1, n);
		assert_memory_equal(h, c, sizeof(h));
		memset(h, 'Z', sizeof(h));
		memset(c, 'Z', sizeof(c));
		strncpy(h, s1, n);
		cl_strncpy(c, s1, n);
		assert_memory_equal(h, c, sizeof(h));
	}
	/* strlcpy / strlcat (BSD): always terminated, return the length they tried */
	char d[8];
	assert_int_equal(cl_strlcpy(d, "abcdefghij", sizeof(d)), 10);
	assert_string_equal(d, "abcdefg");
	assert_int_equal(cl_strlcpy(d, "ab", sizeof(d)), 2);
	assert_int_equal(cl_strlcat(d, "cdefghij", sizeof(d)), 10);
	assert_string_equal(d, "abcdefg");
	assert_int_equal(cl_strlcat(d, "xyz", sizeof(d)), 10);
	assert_int_equal(cl_strlcpy(d, "abc", 0), 3);

	char *dup = cl_strdup("duplicate me");
	assert_string_equal(dup, "duplicate me");
	cl_free(dup);
	dup = cl_strndup("duplicate me", 3);
	assert_string_equal(dup, "dup");
	cl_free(dup);
}

static void test_strtok(void **state)
{
	(void)state;
	for (int iter = 0; iter < 5000; iter++) {
		char a[40], b[40], *sa, *sb;
		random_string(a, cl_test_rnd() % 30, "ab,; ");
		strcpy(b, a);
		char *ta = cl_strtok_r(a, ",; ", &sa), *tb = strtok_r(b, ",; ", &sb);
		for (;;) {
			assert_int_equal(ta ? ta - a : -1, tb ? tb - b : -1);
			if (!ta)
				break;
			assert_string_equal(ta, tb);
			ta = cl_strtok_r(NULL, ",; ", &sa);
			tb = strtok_r(NULL, ",; ", &sb);
		}
	}
	char s[] = "  one two  three ";
	assert_string_equal(cl_strtok(s, " "), "one");
	assert_string_equal(cl_strtok(NULL, " "), "two");
	assert_string_equal(cl_strtok(NULL, " "), "three");
	assert_null(cl_strtok(NULL, " "));
	assert_null(cl_strtok(NULL, " "));
}

static void test_strerror(void **state)
{
	(void)state;
	assert_string_equal(cl_strerror(0), "Success");
	assert_string_equal(cl_strerror(ENOMEM), "Cannot allocate memory");
	assert_string_equal(cl_strerror(ERANGE), strerror(ERANGE));
	assert_string_equal(cl_strerror(EINVAL), strerror(EINVAL));
	static const int files[] = {EXDEV,     EFBIG,  ELOOP, EHOSTUNREACH,
	                            ENOTEMPTY, EISDIR, ESRCH, EDEADLK};
	for (size_t i = 0; i < sizeof(files) / sizeof(files[0]); i++)
		assert_string_equal(cl_strerror(files[i]), strerror(files[i]));
	assert_string_equal(cl_strerror(ERR_CROSS_PROVIDER), "Across providers");
	assert_string_equal(cl_strerror(ERR_LOOP), "Too many links");
	assert_string_equal(cl_strerror(ERR_MALFORMED), "Malformed data");
	assert_string_equal(cl_strerror(ERR_NO_MEMORY), "Out of memory");
	assert_string_equal(cl_strerror(ERR_PEER_CLOSED), "Peer closed");
	assert_string_equal(cl_strerror(10), "Unknown error");
	assert_string_equal(cl_strerror(-7), "Unknown error");
	assert_string_equal(cl_strerror(99999), "Unknown error");
	assert_string_equal(cl_strerror(INT_MIN), "Unknown error");
	for (int e = -60; e < 140; e++)
		assert_non_null(cl_strerror(e));
}

static void test_ctype(void **state)
{
	(void)state;
	for (int c = -1; c < 256; c++) {
		assert_int_equal(!!cl_isalnum(c), !!isalnum(c));
		assert_int_equal(!!cl_isalpha(c), !!isalpha(c));
		assert_int_equal(!!cl_isblank(c), !!isblank(c));
		assert_int_equal(!!cl_iscntrl(c), !!iscntrl(c));
		assert_int_equal(!!cl_isdigit(c), !!isdigit(c));
		assert_int_equal(!!cl_isgraph(c), !!isgraph(c));
		assert_int_equal(!!cl_islower(c), !!islower(c));
		assert_int_equal(!!cl_isprint(c), !!isprint(c));
		assert_int_equal(!!cl_ispunct(c), !!ispunct(c));
		assert_int_equal(!!cl_isspace(c), !!isspace(c));
		assert_int_equal(!!cl_isupper(c), !!isupper(c));
		assert_int_equal(!!cl_isxdigit(c), !!isxdigit(c));
		assert_int_equal(cl_tolower(c), tolower(c));
		assert_int_equal(cl_toupper(c), toupper(c));
	}
}

/* ---- strtol family ---- */

static void test_strtol(void **state)
{
	(void)state;
	static const char *const inputs[] = {
	    "",
	    " ",
	    "0",
	    "-0",
	    "+0",
	    "+",
	    "-",
	    "+-1",
	    "42",
	    "  \t\n\v\f\r42abc",
	    "-42",
	    "0x",
	    "0x1f",
	    "0X1F",
	    "-0x1f",
	    "0xg",
	    " 0x 1",
	    "z",
	    "Z",
	    "zz",
	    "Zz9",
	    "07",
	    "08",
	    "0777",
	    "0b101",
	    "1e5",
	    "9223372036854775807",
	    "9223372036854775808",
	    "-9223372036854775808",
	    "-9223372036854775809",
	    "18446744073709551615",
	    "18446744073709551616",
	    "-18446744073709551615",
	    "-18446744073709551616",
	    "99999999999999999999999999999999999",
	    "-1",
	    "0x7fffffffffffffff",
	    "0xffffffffffffffff",
	    "0x10000000000000000",
	    "1010102",
	    "  +  5",
	    "123 456",
	    "00000000000000000000000000000000000000001",
	    "0x0",
	    "0x00000000000000000001f",
	    "-z",
	    "\t-0x8000000000000000",
	    "4294967296",
	    "-4294967296",
	    "7fffffff",
	    "1_000",
	};
	static const int bases[] = {0, 2, 8, 10, 16, 36, 1, 37, -1};
	for (size_t i = 0; i < sizeof(inputs) / sizeof(*inputs); i++) {
		for (size_t j = 0; j < sizeof(bases) / sizeof(*bases); j++) {
			const char *s = inputs[i];
			int base = bases[j];
			char *eh = (char *)1, *ec = (char *)1;

			errno = 0;
			cl_errno = 0;
			long vh = strtol(s, &eh, base), vc = cl_strtol(s, &ec, base);
			if (vh != vc || eh - s != ec - s || errno != cl_errno)
				fail_msg("strtol(\"%s\", %d): host %ld end %td errno %d, libc %ld "
				         "end %td errno %d",
				         s, base, vh, eh - s, errno, vc, ec - s, cl_errno);
			errno = cl_errno = 0;
			unsigned long uh = strtoul(s, &eh, base), uc = cl_strtoul(s, &ec, base);
			if (uh != uc || eh - s != ec - s || errno != cl_errno)
				fail_msg("strtoul(\"%s\", %d): host %lu end %td errno %d, libc %lu "
				         "end %td errno %d",
				         s, base, uh, eh - s, errno, uc, ec - s, cl_errno);
			errno = cl_errno = 0;
			assert_true(strtoll(s, &eh, base) == cl_strtoll(s, &ec, base));
			assert_int_equal(eh - s, ec - s);
			assert_int_equal(errno, cl_errno);
			errno = cl_errno = 0;
			assert_true(strtoull(s, &eh, base) == cl_strtoull(s, &ec, base));
			assert_int_equal(eh - s, ec - s);
			assert_int_equal(errno, cl_errno);
		}
		assert_int_equal(cl_atoi(inputs[i]), atoi(inputs[i]));
		assert_int_equal(cl_atol(inputs[i]), atol(inputs[i]));
	}
	/* endptr may be NULL */
	assert_int_equal(cl_strtol("123", NULL, 10), 123);
	/* random round trips through printf */
	for (int i = 0; i < 20000; i++) {
		long long v = (long long)cl_test_rnd() >> (cl_test_rnd() % 64);
		char buf[80];
		snprintf(buf, sizeof(buf), "%lld", v);
		assert_true(cl_strtoll(buf, NULL, 10) == v);
		snprintf(buf, sizeof(buf), "%#llx", (unsigned long long)v);
		assert_true(cl_strtoull(buf, NULL, 0) == (unsigned long long)v);
	}
	assert_int_equal(cl_abs(-5), 5);
	assert_int_equal(cl_labs(-5l), 5);
	assert_true(cl_llabs(-5ll) == 5);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(test_printf_integers), cmocka_unit_test(test_printf_strings_pointers),
	    cmocka_unit_test(test_printf_floats),   cmocka_unit_test(test_snprintf_truncation),
	    cmocka_unit_test(test_stdio_streams),   cmocka_unit_test(test_mem_functions),
	    cmocka_unit_test(test_mem_exhaustive),  cmocka_unit_test(test_str_functions),
	    cmocka_unit_test(test_strtok),          cmocka_unit_test(test_strerror),
	    cmocka_unit_test(test_ctype),           cmocka_unit_test(test_strtol),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
