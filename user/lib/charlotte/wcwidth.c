/*
 * wcwidth.c - terminal column widths (wcwidth.h): a binary search in the tables
 * tools/gen-wcwidth.sh generates from Debian's Unicode data, and the UTF-8 decoding
 * its callers need to find the characters.
 */
#include <charlotte/wcwidth.h>

#include <stdbool.h>

static bool in_table(const struct wc_range *t, unsigned n, uint32_t cp)
{
	if (n == 0 || cp < t[0].first || cp > t[n - 1].last)
		return false;
	unsigned lo = 0, hi = n; /* the range holding cp is in [lo, hi) if any */
	while (lo < hi) {
		unsigned mid = lo + (hi - lo) / 2;
		if (cp > t[mid].last)
			lo = mid + 1;
		else if (cp < t[mid].first)
			hi = mid;
		else
			return true;
	}
	return false;
}

int wc_width(uint32_t cp)
{
	if (cp == 0)
		return 0;
	if (cp < 0x20 || (cp >= 0x7f && cp < 0xa0) || cp > 0x10ffff)
		return -1;
	if (cp < 0x300) /* Latin, the common case: no table holds any below U+0300 */
		return 1; /* U+00AD SOFT HYPHEN too: it is shown */
	if (in_table(wc_zero, wc_zero_n, cp))
		return 0;
	return in_table(wc_wide, wc_wide_n, cp) ? 2 : 1;
}

size_t wc_utf8_decode(const char *s, size_t n, uint32_t *cp)
{
	const unsigned char *u = (const unsigned char *)s;
	unsigned need;
	uint32_t v, min;
	if (u[0] < 0x80) {
		*cp = u[0];
		return 1;
	}
	if (u[0] >= 0xc2 && u[0] <= 0xdf)
		need = 1, v = u[0] & 0x1f, min = 0x80;
	else if (u[0] >= 0xe0 && u[0] <= 0xef)
		need = 2, v = u[0] & 0x0f, min = 0x800;
	else if (u[0] >= 0xf0 && u[0] <= 0xf4)
		need = 3, v = u[0] & 0x07, min = 0x10000;
	else
		goto bad;
	if (n <= need)
		goto bad;
	for (unsigned i = 1; i <= need; i++) {
		if ((u[i] & 0xc0) != 0x80)
			goto bad;
		v = v << 6 | (u[i] & 0x3f);
	}
	if (v < min || v > 0x10ffff || (v >= 0xd800 && v <= 0xdfff))
		goto bad;
	*cp = v;
	return need + 1;
bad:
	*cp = 0xfffd;
	return 1;
}

size_t wc_text_width(const char *s, size_t n)
{
	size_t cols = 0;
	for (size_t i = 0; i < n;) {
		uint32_t cp;
		i += wc_utf8_decode(s + i, n - i, &cp);
		int w = wc_width(cp);
		cols += w > 0 ? (size_t)w : 0;
	}
	return cols;
}
