/*
 * test_cmos.c - CMOS clock registers to Unix time (shared/cmos.c), checked
 * against the host's timegm() and with hostile register values.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <time.h>

#include <cmocka.h>

#include <shared/cmos.h>

static uint8_t to_bcd(int v)
{
	return (uint8_t)((v / 10) << 4 | (v % 10));
}

static int64_t host(int y, int mo, int d, int h, int mi, int s)
{
	struct tm tm = {.tm_year = y - 1900,
	                .tm_mon = mo - 1,
	                .tm_mday = d,
	                .tm_hour = h,
	                .tm_min = mi,
	                .tm_sec = s};
	return (int64_t)timegm(&tm);
}

static void test_known(void **state)
{
	(void)state;
	/* 2026-12-05 08:45:30, BCD, 24-hour, century register */
	struct cmos_time t = {0x30, 0x45, 0x08, 0x05, 0x12, 0x26, 0x20, CMOS_B_24H};
	assert_int_equal(cmos_to_unix(&t), host(2026, 12, 5, 8, 45, 30));
	/* the same in binary */
	t = (struct cmos_time){30, 45, 8, 5, 12, 26, 20, CMOS_B_24H | CMOS_B_BINARY};
	assert_int_equal(cmos_to_unix(&t), host(2026, 12, 5, 8, 45, 30));
	/* epoch, no century register: 70 is 1970 */
	t = (struct cmos_time){0, 0, 0, 1, 1, 0x70, 0, CMOS_B_24H};
	assert_int_equal(cmos_to_unix(&t), 0);
	/* a leap day, and 2000 (a leap century) */
	t = (struct cmos_time){0x59, 0x59, 0x23, 0x29, 0x02, 0x00, 0x20, CMOS_B_24H};
	assert_int_equal(cmos_to_unix(&t), host(2000, 2, 29, 23, 59, 59));
}

static void test_every_day(void **state)
{
	(void)state;
	/* every day from 1970 to 2099 at 12:34:56, against the host */
	for (int y = 1970; y < 2100; y++)
		for (int m = 1; m <= 12; m++)
			for (int d = 1; d <= 31; d++) {
				struct cmos_time t = {to_bcd(56),      to_bcd(34), to_bcd(12),
				                      to_bcd(d),       to_bcd(m),  to_bcd(y % 100),
				                      to_bcd(y / 100), CMOS_B_24H};
				int64_t want = host(y, m, d, 12, 34, 56);
				struct tm back;
				time_t tt = (time_t)want;
				gmtime_r(&tt, &back);
				if (back.tm_mday != d) /* no such day: refused */
					assert_int_equal(cmos_to_unix(&t), -1);
				else
					assert_int_equal(cmos_to_unix(&t), want);
			}
}

static void test_twelve_hour(void **state)
{
	(void)state;
	/* 12 AM is midnight, 12 PM noon, 1 PM 13:00 (bit 7 = PM) */
	struct cmos_time t = {0, 0, 0x12, 0x01, 0x01, 0x24, 0x20, 0};
	assert_int_equal(cmos_to_unix(&t), host(2024, 1, 1, 0, 0, 0));
	t.hour = 0x80 | 0x12;
	assert_int_equal(cmos_to_unix(&t), host(2024, 1, 1, 12, 0, 0));
	t.hour = 0x80 | 0x01;
	assert_int_equal(cmos_to_unix(&t), host(2024, 1, 1, 13, 0, 0));
	t.hour = 0x00; /* hour 0 does not exist on a 12-hour clock */
	assert_int_equal(cmos_to_unix(&t), -1);
	t.hour = 0x13;
	assert_int_equal(cmos_to_unix(&t), -1);
}

static void test_hostile(void **state)
{
	(void)state;
	const struct cmos_time good = {0x30, 0x45, 0x08, 0x05, 0x12, 0x26, 0x20, CMOS_B_24H};
	assert_true(cmos_to_unix(&good) > 0);
	/* each field in turn: not BCD, or out of range */
	static const uint8_t bad[] = {0x0a, 0xa0, 0xff, 0x60, 0x99};
	for (unsigned f = 0; f < 7; f++)
		for (unsigned i = 0; i < sizeof(bad); i++) {
			struct cmos_time t = good;
			uint8_t *p = (uint8_t *)&t + f;
			*p = bad[i];
			int64_t r = cmos_to_unix(&t);
			if (f == 5 && (bad[i] == 0x60 || bad[i] == 0x99)) /* years 2060, 2099 */
				continue;
			if (f == 6 && (bad[i] == 0x60 || bad[i] == 0x99)) /* centuries 60, 99 */
				continue;
			assert_int_equal(r, -1);
		}
	struct cmos_time t = good;
	t.mday = 0;
	assert_int_equal(cmos_to_unix(&t), -1);
	t = good;
	t.mon = 0;
	assert_int_equal(cmos_to_unix(&t), -1);
	t = good;
	t.mon = 0x13;
	assert_int_equal(cmos_to_unix(&t), -1);
	t = good;
	t.hour = 0x24;
	assert_int_equal(cmos_to_unix(&t), -1);
	t = good;
	t.century = 0x18; /* 1826: before the epoch */
	assert_int_equal(cmos_to_unix(&t), -1);
	t = good; /* every byte value in every field: never a crash, never before 1970 */
	for (unsigned f = 0; f < 8; f++)
		for (unsigned v = 0; v < 256; v++) {
			struct cmos_time u = good;
			((uint8_t *)&u)[f] = (uint8_t)v;
			int64_t r = cmos_to_unix(&u);
			assert_true(r == -1 || r >= 0);
		}
}

/* The four formats a chip may report: BCD or binary, 12- or 24-hour. */
static const uint8_t formats[4] = {CMOS_B_24H, CMOS_B_24H | CMOS_B_BINARY, 0, CMOS_B_BINARY};

/* secs encoded in format f (century register or not), checked field by field against
 * gmtime_r, and decoded back to secs. */
static void round_trip(int64_t secs, uint8_t f, bool century)
{
	struct cmos_time t;
	uint8_t wday;
	assert_int_equal(cmos_from_unix(secs, f, century, &t, &wday), 0);
	assert_int_equal(cmos_to_unix(&t), secs);
	time_t tt = (time_t)secs;
	struct tm tm;
	gmtime_r(&tt, &tm);
	bool bin = f & CMOS_B_BINARY;
	uint8_t (*enc)(int) = bin ? NULL : to_bcd;
#define FIELD(v) ((uint8_t)(enc ? enc(v) : (v)))
	assert_int_equal(t.sec, FIELD(tm.tm_sec));
	assert_int_equal(t.min, FIELD(tm.tm_min));
	assert_int_equal(t.mday, FIELD(tm.tm_mday));
	assert_int_equal(t.mon, FIELD(tm.tm_mon + 1));
	assert_int_equal(t.year, FIELD(tm.tm_year % 100));
	assert_int_equal(t.century, century ? FIELD((tm.tm_year + 1900) / 100) : 0);
	if (f & CMOS_B_24H) {
		assert_int_equal(t.hour, FIELD(tm.tm_hour));
	} else {
		int h = tm.tm_hour % 12 ? tm.tm_hour % 12 : 12;
		assert_int_equal(t.hour, FIELD(h) | (tm.tm_hour >= 12 ? 0x80 : 0));
	}
#undef FIELD
	assert_int_equal(wday, tm.tm_wday + 1);
	assert_int_equal(t.status_b, f);
}

static void test_encode_every_day(void **state)
{
	(void)state;
	/* every day 1970-2099 at a time that moves through every hour, in every format */
	for (int64_t day = 0, n = 0; day * 86400 <= CMOS_SET_MAX; day++, n++) {
		int64_t secs = day * 86400 + (n * 3607) % 86400;
		for (unsigned f = 0; f < 4; f++) {
			round_trip(secs, formats[f], true);
			if (secs < host(2070, 1, 1, 0, 0, 0))
				round_trip(secs, formats[f], false);
		}
	}
	/* every second of one day around noon and midnight, 12-hour BCD and binary */
	int64_t base = host(2026, 12, 5, 0, 0, 0);
	for (int64_t s = 0; s < 86400; s += 13) {
		round_trip(base + s, 0, true);
		round_trip(base + s, CMOS_B_BINARY, false);
	}
	static const int64_t edges[] = {
	    0,           59, 60, 3599, 3600, 43199, 43200, 86399, 86400, 951782400 /* 2000-02-29 */,
	    CMOS_SET_MAX};
	for (unsigned i = 0; i < sizeof(edges) / sizeof(edges[0]); i++)
		for (unsigned f = 0; f < 4; f++)
			round_trip(edges[i], formats[f], true);
}

static void test_encode_refused(void **state)
{
	(void)state;
	struct cmos_time t;
	uint8_t wday;
	/* before 1970, after 2099, and past 2069 without a century register */
	static const int64_t bad[] = {-1, -86400, INT64_MIN, CMOS_SET_MAX + 1, INT64_MAX};
	for (unsigned i = 0; i < sizeof(bad) / sizeof(bad[0]); i++)
		for (unsigned f = 0; f < 4; f++)
			assert_int_equal(cmos_from_unix(bad[i], formats[f], true, &t, &wday), -1);
	assert_int_equal(cmos_from_unix(host(2200, 1, 1, 0, 0, 0), CMOS_B_24H, true, &t, &wday),
	                 -1);
	assert_int_equal(cmos_from_unix(host(2070, 1, 1, 0, 0, 0), CMOS_B_24H, false, &t, &wday),
	                 -1);
	assert_int_equal(
	    cmos_from_unix(host(2069, 12, 31, 23, 59, 59), CMOS_B_24H, false, &t, &wday), 0);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(test_known),
	    cmocka_unit_test(test_every_day),
	    cmocka_unit_test(test_twelve_hour),
	    cmocka_unit_test(test_hostile),
	    cmocka_unit_test(test_encode_every_day),
	    cmocka_unit_test(test_encode_refused),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
