/*
 * test_acpi_s5.c - host tests for acpi_s5_scan() (kernel/acpi/acpi.c), which
 * finds `Name (_S5, Package () { SLP_TYPa, SLP_TYPb, ... })` in a DSDT's AML
 * for powering off (kernel/acpi/power.c).
 *
 * Every case is copied into a malloc'd buffer of exactly its length, so ASan
 * reports any byte the scanner reads outside it: truncations at every length,
 * package lengths that lie, values out of range, names without a NameOp, and
 * random bytes around planted names.
 */
#include <acpi/acpi.h>
#include <abi/errors.h>

#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <cmocka.h>

#include <lib/log.h>

void klog(enum log_level level, const char *fmt, ...)
{
	(void)level, (void)fmt;
}

/* Scan a copy of exactly len bytes; the result, and the values when found. */
static int scan(const uint8_t *aml, size_t len, uint8_t *a, uint8_t *b)
{
	uint8_t *copy = malloc(len ? len : 1);
	assert_non_null(copy);
	if (len)
		memcpy(copy, aml, len);
	*a = *b = 0xee;
	int r = acpi_s5_scan(copy, len, a, b);
	free(copy);
	return r;
}

#define SCAN(arr, a, b) scan(arr, sizeof(arr), a, b)

/* QEMU's (pc and q35): Name (_S5, Package (0x04) { Zero, Zero, Zero, Zero }) */
static const uint8_t qemu[] = {0x10, 0x08, 0x08, '_',  'S',  '5',  '_', 0x12,
                               0x06, 0x04, 0x00, 0x00, 0x00, 0x00, 0xa4};

static void test_qemu_zeros(void **state)
{
	(void)state;
	uint8_t a, b;
	assert_int_equal(SCAN(qemu, &a, &b), 0);
	assert_int_equal(a, 0);
	assert_int_equal(b, 0);
}

static void test_byte_prefix_and_root(void **state)
{
	(void)state;
	uint8_t a, b;
	/* Name (\_S5, Package (0x04) { 0x07, 0x05, Zero, Zero }) */
	static const uint8_t root[] = {0x08, '\\', '_',  'S',  '5',  '_',  0x12, 0x08,
	                               0x04, 0x0a, 0x07, 0x0a, 0x05, 0x00, 0x00};
	assert_int_equal(SCAN(root, &a, &b), 0);
	assert_int_equal(a, 7);
	assert_int_equal(b, 5);
	/* One and a word constant */
	static const uint8_t word[] = {0x08, '_',  'S',  '5',  '_',  0x12,
	                               0x06, 0x02, 0x01, 0x0b, 0x03, 0x00};
	assert_int_equal(SCAN(word, &a, &b), 0);
	assert_int_equal(a, 1);
	assert_int_equal(b, 3);
	/* a dword constant, and a one-element package serving both */
	static const uint8_t one[] = {0x08, '_',  'S',  '5', '_', 0x12, 0x07,
	                              0x01, 0x0c, 0x06, 0,   0,   0};
	assert_int_equal(SCAN(one, &a, &b), 0);
	assert_int_equal(a, 6);
	assert_int_equal(b, 6);
}

static void test_two_byte_pkglength(void **state)
{
	(void)state;
	uint8_t aml[80] = {0x08, '_', 'S', '5', '_', 0x12};
	/* PkgLength 0x41 0x04: 1 + (0x04 << 4) = 65 bytes from its first byte */
	aml[6] = 0x41;
	aml[7] = 0x04;
	aml[8] = 0x02; /* elements */
	aml[9] = 0x0a;
	aml[10] = 0x03;
	aml[11] = 0x01;
	assert_true(6 + 65 <= (int)sizeof(aml));
	uint8_t a, b;
	assert_int_equal(scan(aml, sizeof(aml), &a, &b), 0);
	assert_int_equal(a, 3);
	assert_int_equal(b, 1);
	/* the same package cut short of its stated length */
	assert_int_equal(scan(aml, 6 + 64, &a, &b), ERR_MALFORMED);
}

static void test_not_found(void **state)
{
	(void)state;
	uint8_t a, b;
	assert_int_equal(scan(NULL, 0, &a, &b), ERR_NOT_FOUND);
	assert_int_equal(scan((const uint8_t *)"_S5_", 4, &a, &b), ERR_NOT_FOUND);
	/* the name with no NameOp before it: a string or a reference, not a declaration */
	static const uint8_t str[] = {0x0d, '_', 'S', '5', '_', 0x12, 0x06, 0x04, 0, 0, 0, 0};
	assert_int_equal(SCAN(str, &a, &b), ERR_NOT_FOUND);
	/* the name at the very start: nothing before it to be a NameOp */
	static const uint8_t start[] = {'_', 'S', '5', '_', 0x12, 0x06, 0x04, 0, 0, 0, 0};
	assert_int_equal(SCAN(start, &a, &b), ERR_NOT_FOUND);
	/* \_S4_ and the like are not it */
	static const uint8_t s4[] = {0x08, '_', 'S', '4', '_', 0x12, 0x06, 0x04, 0, 0, 0, 0};
	assert_int_equal(SCAN(s4, &a, &b), ERR_NOT_FOUND);
	assert_int_equal(a, 0xee); /* untouched */
}

static void test_hostile_packages(void **state)
{
	(void)state;
	uint8_t a, b;
	/* a Method, not a Package */
	static const uint8_t method[] = {0x08, '_', 'S', '5', '_', 0x14, 0x06, 0x04, 0, 0, 0, 0};
	assert_int_equal(SCAN(method, &a, &b), ERR_MALFORMED);
	/* values past SLP_TYP's 3 bits */
	static const uint8_t big[] = {0x08, '_',  'S',  '5',  '_',  0x12,
	                              0x06, 0x02, 0x0a, 0x08, 0x00, 0x00};
	assert_int_equal(SCAN(big, &a, &b), ERR_MALFORMED);
	static const uint8_t bigw[] = {0x08, '_',  'S',  '5',  '_',  0x12,
	                               0x06, 0x02, 0x00, 0x0b, 0x00, 0x01};
	assert_int_equal(SCAN(bigw, &a, &b), ERR_MALFORMED);
	/* Ones, and an opcode that is no constant */
	static const uint8_t ones[] = {0x08, '_', 'S', '5', '_', 0x12, 0x05, 0x02, 0xff, 0x00};
	assert_int_equal(SCAN(ones, &a, &b), ERR_MALFORMED);
	static const uint8_t local[] = {0x08, '_', 'S', '5', '_', 0x12, 0x05, 0x02, 0x60, 0x00};
	assert_int_equal(SCAN(local, &a, &b), ERR_MALFORMED);
	/* no elements; a package length that does not cover its count; one beyond the table */
	static const uint8_t empty[] = {0x08, '_', 'S', '5', '_', 0x12, 0x02, 0x00};
	assert_int_equal(SCAN(empty, &a, &b), ERR_MALFORMED);
	static const uint8_t tiny[] = {0x08, '_', 'S', '5', '_', 0x12, 0x01, 0x02, 0x00, 0x00};
	assert_int_equal(SCAN(tiny, &a, &b), ERR_MALFORMED);
	static const uint8_t huge[] = {0x08, '_',  'S',  '5',  '_', 0x12,
	                               0xff, 0xff, 0xff, 0x02, 0,   0};
	assert_int_equal(SCAN(huge, &a, &b), ERR_MALFORMED);
	/* two elements promised, the package ends after one (the next bytes are outside it) */
	static const uint8_t short2[] = {0x08, '_',  'S',  '5',  '_', 0x12,
	                                 0x03, 0x02, 0x01, 0x01, 0x01};
	assert_int_equal(SCAN(short2, &a, &b), ERR_MALFORMED);
	/* a byte prefix whose byte is outside the package */
	static const uint8_t cut[] = {0x08, '_', 'S', '5', '_', 0x12, 0x03, 0x01, 0x0a, 0x01};
	assert_int_equal(SCAN(cut, &a, &b), ERR_MALFORMED);
	/* a bad declaration first, then a good one: the good one is found */
	static const uint8_t second[] = {0x08, '_', 'S', '5', '_', 0x12, 0x06, 0x02, 0xff, 0xff,
	                                 0x08, '_', 'S', '5', '_', 0x12, 0x04, 0x02, 0x01, 0x00};
	assert_int_equal(SCAN(second, &a, &b), 0);
	assert_int_equal(a, 1);
	assert_int_equal(b, 0);
}

/* Every prefix of a valid declaration: found only when whole, never a read past it. */
static void test_truncations(void **state)
{
	(void)state;
	static const uint8_t full[] = {0x5b, 0x80, 0x08, '\\', '_',  'S',  '5',  '_',  0x12, 0x0b,
	                               0x04, 0x0a, 0x05, 0x0c, 0x05, 0x00, 0x00, 0x00, 0x00, 0x00};
	uint8_t a, b;
	for (size_t len = 0; len <= sizeof(full); len++) {
		int r = scan(full, len, &a, &b);
		if (len == sizeof(full)) {
			assert_int_equal(r, 0);
			assert_int_equal(a, 5);
			assert_int_equal(b, 5);
		} else {
			assert_int_not_equal(r, 0);
		}
	}
}

/* Random bytes with planted names: never a read outside, values always 0..7. */
static void test_fuzz(void **state)
{
	(void)state;
	uint8_t buf[64];
	srand(18);
	for (int iter = 0; iter < 200000; iter++) {
		size_t len = (size_t)(rand() % (int)sizeof(buf));
		for (size_t i = 0; i < len; i++)
			buf[i] = (uint8_t)(rand() % 4 ? rand() % 16 : rand());
		if (len >= 6) {
			size_t at = 1 + (size_t)rand() % (len - 5);
			buf[at - 1] = 0x08;
			memcpy(buf + at, "_S5_", 4);
			if (at + 4 < len)
				buf[at + 4] = 0x12;
		}
		uint8_t a, b;
		int r = scan(buf, len, &a, &b);
		assert_true(r == 0 || r == ERR_NOT_FOUND || r == ERR_MALFORMED);
		if (r == 0)
			assert_true(a <= 7 && b <= 7);
	}
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(test_qemu_zeros),
	    cmocka_unit_test(test_byte_prefix_and_root),
	    cmocka_unit_test(test_two_byte_pkglength),
	    cmocka_unit_test(test_not_found),
	    cmocka_unit_test(test_hostile_packages),
	    cmocka_unit_test(test_truncations),
	    cmocka_unit_test(test_fuzz),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
