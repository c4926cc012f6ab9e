/*
 * cmos.c - CMOS clock registers to Unix time (cmos.h).
 */
#include <shared/cmos.h>

/* A BCD byte's value, or -1 when a nibble is not a decimal digit. */
static int bcd(uint8_t v)
{
	if ((v & 0x0f) > 9 || (v >> 4) > 9)
		return -1;
	return (v >> 4) * 10 + (v & 0x0f);
}

static int field(uint8_t v, bool binary)
{
	return binary ? v : bcd(v);
}

static bool leap(int64_t y)
{
	return (y % 4 == 0 && y % 100 != 0) || y % 400 == 0;
}

int64_t cmos_days_from_civil(int64_t y, unsigned m, unsigned d)
{
	/* days before each month in a common year */
	static const uint16_t before[12] = {0, 31, 59, 90, 120, 151, 181, 212, 243, 273, 304, 334};
	int64_t yy = y - 1; /* whole years before y, counted from year 1 */
	int64_t days = yy * 365 + yy / 4 - yy / 100 + yy / 400; /* 0001-01-01 .. y-01-01 */
	days -= 719162; /* 0001-01-01 .. 1970-01-01 */
	days += before[m - 1] + (m > 2 && leap(y)) + (d - 1);
	return days;
}

int64_t cmos_to_unix(const struct cmos_time *t)
{
	static const uint8_t mdays[12] = {31, 29, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31};
	bool bin = t->status_b & CMOS_B_BINARY;
	int sec = field(t->sec, bin), min = field(t->min, bin), mday = field(t->mday, bin),
	    mon = field(t->mon, bin), year = field(t->year, bin);
	bool pm = !(t->status_b & CMOS_B_24H) && (t->hour & 0x80);
	int hour = field(t->hour & (t->status_b & CMOS_B_24H ? 0xff : 0x7f), bin);
	if (sec < 0 || sec > 59 || min < 0 || min > 59 || hour < 0 || mday < 1 || mon < 1 ||
	    mon > 12 || year < 0 || year > 99)
		return -1;
	if (!(t->status_b & CMOS_B_24H)) { /* 12-hour: 12 AM is 0, 12 PM is 12 */
		if (hour < 1 || hour > 12)
			return -1;
		hour = hour % 12 + (pm ? 12 : 0);
	} else if (hour > 23) {
		return -1;
	}
	int64_t full;
	if (t->century) {
		int c = field(t->century, bin);
		if (c < 19 || c > 99)
			return -1;
		full = c * 100 + year;
	} else {
		full = year < 70 ? 2000 + year : 1900 + year;
	}
	if (full < 1970 || mday > mdays[mon - 1] || (mon == 2 && mday == 29 && !leap(full)))
		return -1;
	return ((cmos_days_from_civil(full, (unsigned)mon, (unsigned)mday) * 24 + hour) * 60 +
	        min) *
	           60 +
	       sec;
}

static uint8_t put(int v, bool binary)
{
	return (uint8_t)(binary ? v : (v / 10) << 4 | v % 10);
}

int cmos_from_unix(int64_t secs, uint8_t status_b, bool has_century, struct cmos_time *out,
                   uint8_t *wday)
{
	if (secs < 0 || secs > CMOS_SET_MAX)
		return -1;
	int64_t days = secs / 86400, rem = secs % 86400;
	/* civil from days (H. Hinnant's algorithm), eras of 400 years from 0000-03-01 */
	int64_t z = days + 719468, era = z / 146097;
	int64_t doe = z - era * 146097;
	int64_t yoe = (doe - doe / 1460 + doe / 36524 - doe / 146096) / 365;
	int64_t doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
	int64_t mp = (5 * doy + 2) / 153;
	int d = (int)(doy - (153 * mp + 2) / 5 + 1);
	int m = (int)(mp < 10 ? mp + 3 : mp - 9);
	int64_t y = yoe + era * 400 + (m <= 2);
	if (!has_century && y > 2069)
		return -1;
	bool bin = status_b & CMOS_B_BINARY;
	int hour = (int)(rem / 3600);
	uint8_t h;
	if (status_b & CMOS_B_24H)
		h = put(hour, bin);
	else /* 12-hour: 0 is 12 AM, 12 is 12 PM; bit 7 marks PM */
		h = (uint8_t)(put(hour % 12 ? hour % 12 : 12, bin) | (hour >= 12 ? 0x80 : 0));
	*out = (struct cmos_time){.sec = put((int)(rem % 60), bin),
	                          .min = put((int)(rem / 60 % 60), bin),
	                          .hour = h,
	                          .mday = put(d, bin),
	                          .mon = put(m, bin),
	                          .year = put((int)(y % 100), bin),
	                          .century = has_century ? put((int)(y / 100), bin) : 0,
	                          .status_b = status_b};
	*wday = (uint8_t)((days + 4) % 7 + 1); /* 1970-01-01 was a Thursday (5) */
	return 0;
}
