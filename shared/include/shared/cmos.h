/*
 * cmos.h - the pure part of the CMOS real-time clock driver (user/drivers/cmos-rtc):
 * turning the MC146818 registers into seconds since 1970, with every field
 * checked, since a broken or hostile clock can hold anything.
 */
#pragma once
#include <stdbool.h>
#include <stdint.h>

/* Register values as read (BCD or binary, 12- or 24-hour as status B says). */
struct cmos_time {
	uint8_t sec, min, hour, mday, mon, year, century; /* century 0: not available */
	uint8_t status_b; /* bit 2: binary, bit 1: 24-hour */
};

#define CMOS_B_BINARY 0x04
#define CMOS_B_24H 0x02

/*
 * Seconds since 1970-01-01T00:00:00Z of t (the clock keeps UTC, as QEMU's does
 * by default), or -1 when a field is out of range or not valid BCD. Without a
 * century register, years 00-69 are 2000-2069 and 70-99 are 1970-1999.
 */
int64_t cmos_to_unix(const struct cmos_time *t);

/* Days since 1970-01-01 of a proleptic Gregorian date (y >= 1970, m 1-12, d 1-31). */
int64_t cmos_days_from_civil(int64_t y, unsigned m, unsigned d);

/* The latest time the clock class sets: 2099-12-31T23:59:59Z (the RTC keeps two
 * year digits; without a century register 00-69 read back as 2000-2069). */
#define CMOS_SET_MAX 4102444799ll

/*
 * The registers for secs since 1970 in the format status_b says (BCD or binary,
 * 12- or 24-hour); century is filled when has_century, else 0. wday is 1-7,
 * Sunday = 1. 0, or -1 when secs is before 1970, after CMOS_SET_MAX, or (without
 * a century register) after 2069, which would read back as 1970.
 */
int cmos_from_unix(int64_t secs, uint8_t status_b, bool has_century, struct cmos_time *out,
                   uint8_t *wday);
