/*
 * printf.c - the C library's printf: floating point over the shared printf core, and
 * the string front ends (sprintf, snprintf, ...).
 *
 * Integers, strings, characters and pointers are the printf core's, the same code the
 * kernel formats with (<shared/fmt.h>, shared/fmt.c). The libc adds, through the
 * core's extend() callback, what only user space has: the conversions f F e E g G,
 * the length modifiers q (= ll) and L (long double; with an integer, = ll), and %n,
 * which is accepted and ignored (it is a classic attack vector and nothing of ours
 * needs it); %Lf prints the value as a double.
 *
 * Floating point is exact, not approximate: the double m*2^e is expanded into all its
 * decimal digits with a small base-10^9 big number (at most 767 significant digits),
 * then rounded half-to-even at the requested place, which is what glibc prints in the
 * default rounding mode. The output is therefore the same as the host's to the digit.
 */
#include <stdio.h>

#include <errno.h>
#include <limits.h>
#include <stdbool.h>
#include <stdint.h>
#include <string.h>

#include "format.h"

/* ---- floating point ---- */

#define LIMB 1000000000u
#define LIMBS 96 /* 767 digits / 9 rounded up, and some */
#define DIGITS (LIMBS * 9 + 1)

struct decimal {
	char d[DIGITS]; /* significant digits, no leading or trailing zeros */
	int nd; /* how many; 0 means the value is zero */
	int dexp; /* value = 0.d[0]d[1]... * 10^dexp */
};

struct big {
	uint32_t limb[LIMBS]; /* base 10^9, least significant first */
	int n;
};

static void big_mul(struct big *b, uint32_t factor)
{
	uint64_t carry = 0;

	for (int i = 0; i < b->n; i++) {
		uint64_t t = (uint64_t)b->limb[i] * factor + carry;
		b->limb[i] = (uint32_t)(t % LIMB);
		carry = t / LIMB;
	}
	while (carry) {
		b->limb[b->n++] = (uint32_t)(carry % LIMB);
		carry /= LIMB;
	}
}

static uint32_t pow5(int n)
{
	uint32_t p = 1;

	while (n--)
		p *= 5;
	return p;
}

/* Exact decimal digits of the finite, non-negative double v. */
static void decimal_exact(double v, struct decimal *dec)
{
	uint64_t bits;
	struct big b = {.n = 0};

	memcpy(&bits, &v, sizeof(bits));
	int bexp = (int)((bits >> 52) & 0x7ff);
	uint64_t m = bits & ((1ull << 52) - 1);
	if (bexp)
		m |= 1ull << 52;
	else
		bexp = 1;
	int e = bexp - 1075; /* v = m * 2^e */

	dec->nd = 0;
	dec->dexp = 1;
	if (!m)
		return;
	for (; m; m /= LIMB)
		b.limb[b.n++] = (uint32_t)(m % LIMB);
	for (int left = e; left > 0; left -= 29)
		big_mul(&b, 1u << (left < 29 ? left : 29));
	int k = -e; /* v = m * 5^k / 10^k when e < 0 */
	for (int left = k; left > 0; left -= 13)
		big_mul(&b, left >= 13 ? 1220703125u : pow5(left));

	int nd = 0;
	for (int i = b.n - 1; i >= 0; i--) {
		char tmp[9];
		uint32_t l = b.limb[i];
		for (int j = 8; j >= 0; j--, l /= 10)
			tmp[j] = (char)('0' + l % 10);
		int start = 0;
		if (i == b.n - 1)
			while (start < 8 && tmp[start] == '0')
				start++;
		memcpy(dec->d + nd, tmp + start, (size_t)(9 - start));
		nd += 9 - start;
	}
	dec->dexp = nd - (k > 0 ? k : 0);
	while (nd && dec->d[nd - 1] == '0')
		nd--;
	dec->nd = nd;
}

/* Keep `keep` significant digits, rounding half to even; keep <= 0 may leave zero or 1. */
static void decimal_round(struct decimal *dec, int keep)
{
	if (keep >= dec->nd)
		return;
	if (keep < 0) {
		dec->nd = 0;
		dec->dexp = 1;
		return;
	}
	char next = dec->d[keep];
	bool more = keep + 1 < dec->nd; /* digits are trimmed, so any beyond are non-zero */
	bool odd = keep > 0 && (dec->d[keep - 1] - '0') % 2;
	bool up = next > '5' || (next == '5' && (more || odd));

	dec->nd = keep;
	if (up) {
		int i = keep - 1;
		while (i >= 0 && dec->d[i] == '9')
			i--;
		if (i < 0) {
			dec->d[0] = '1';
			dec->nd = 1;
			dec->dexp++;
			return;
		}
		dec->d[i]++;
		dec->nd = i + 1;
	}
	while (dec->nd && dec->d[dec->nd - 1] == '0')
		dec->nd--;
	if (!dec->nd)
		dec->dexp = 1;
}

static char digit_at(const struct decimal *dec, int i)
{
	return i >= 0 && i < dec->nd ? dec->d[i] : '0';
}

/* count digits starting at position from (negative: before the first), zero-filled. */
static void emit_digits(struct fmt_out *out, const struct decimal *dec, int from, int count)
{
	if (from < 0) {
		int z = count < -from ? count : -from;
		fmt_repeat(out, '0', z);
		count -= z;
		from += z;
	}
	if (count <= 0)
		return;
	int avail = from < dec->nd ? dec->nd - from : 0;
	int n = count < avail ? count : avail;
	fmt_put(out, dec->d + from, (size_t)n);
	fmt_repeat(out, '0', count - n);
}

/* Body of %f: integer digits, point, frac digits. Returns its length when !out. */
static long body_fixed(struct fmt_out *out, const struct decimal *dec, int frac, bool point)
{
	int ints = dec->dexp > 0 ? dec->dexp : 1;

	if (out) {
		if (dec->dexp > 0)
			emit_digits(out, dec, 0, ints);
		else
			fmt_put(out, "0", 1);
		if (point)
			fmt_put(out, ".", 1);
		emit_digits(out, dec, dec->dexp, frac);
	}
	return ints + point + frac;
}

/* Body of %e: d.ddd e+XX. */
static long body_exp(struct fmt_out *out, const struct decimal *dec, int frac, bool point, char e)
{
	int x = dec->nd ? dec->dexp - 1 : 0;
	char ebuf[8];
	int en = 0;
	unsigned ux = (unsigned)(x < 0 ? -x : x);

	ebuf[en++] = e;
	ebuf[en++] = x < 0 ? '-' : '+';
	char tmp[6];
	int tn = 0;
	do
		tmp[tn++] = (char)('0' + ux % 10);
	while ((ux /= 10));
	if (tn < 2)
		tmp[tn++] = '0';
	while (tn)
		ebuf[en++] = tmp[--tn];
	if (out) {
		char first = digit_at(dec, 0);
		fmt_put(out, &first, 1);
		if (point)
			fmt_put(out, ".", 1);
		emit_digits(out, dec, 1, frac);
		fmt_put(out, ebuf, (size_t)en);
	}
	return 1 + point + frac + en;
}

static void format_float(struct fmt_out *out, struct fmt_spec *sp, double v)
{
	struct decimal dec;
	bool neg = __builtin_signbit(v);
	char sign = neg ? '-' : sp->plus ? '+' : sp->space ? ' ' : 0;
	bool upper = sp->conv >= 'A' && sp->conv <= 'Z';
	char c = (char)(sp->conv | 0x20);
	int prec = sp->prec < 0 ? 6 : sp->prec;
	long len;

	if (__builtin_isnan(v) || __builtin_isinf(v)) {
		const char *s =
		    __builtin_isnan(v) ? (upper ? "NAN" : "nan") : (upper ? "INF" : "inf");
		sp->zero = false;
		len = 3 + (sign != 0);
		fmt_pad_before(out, sp, len);
		fmt_put(out, &sign, sign != 0);
		fmt_put(out, s, 3);
		fmt_pad_after(out, sp, len);
		return;
	}
	decimal_exact(neg ? -v : v, &dec);
	bool fixed = c == 'f';
	int frac = prec;
	if (c == 'g') {
		int p = prec ? prec : 1;
		decimal_round(&dec, p);
		int x = dec.nd ? dec.dexp - 1 : 0;
		fixed = x >= -4 && x < p;
		frac = fixed ? p - 1 - x : p - 1;
		if (!sp->alt) {
			int sig = fixed ? dec.nd - dec.dexp : dec.nd - 1;
			frac = frac < sig ? frac : (sig > 0 ? sig : 0);
		}
	} else {
		decimal_round(&dec, fixed ? dec.dexp + prec : prec + 1);
	}
	bool point = frac > 0 || sp->alt;
	len = (fixed ? body_fixed(NULL, &dec, frac, point)
	             : body_exp(NULL, &dec, frac, point, upper ? 'E' : 'e')) +
	      (sign != 0);
	fmt_pad_before(out, sp, len);
	fmt_put(out, &sign, sign != 0);
	if (sp->zero && !sp->left)
		fmt_repeat(out, '0', sp->width - len);
	if (fixed)
		body_fixed(out, &dec, frac, point);
	else
		body_exp(out, &dec, frac, point, upper ? 'E' : 'e');
	fmt_pad_after(out, sp, len);
}

/* ---- the libc's extension of the core ---- */

static bool is_float_conv(char c)
{
	return c && strchr("fFeEgG", c);
}

/* extend() for the core: f F e E g G, n, and the length modifiers q and L. */
static size_t libc_extend(struct fmt_out *out, struct fmt_spec *sp, const char *f, va_list *ap)
{
	size_t used = 1;
	bool big_l = false;

	if ((*f == 'q' || *f == 'L') && sp->len == FMT_LEN_NONE) {
		big_l = *f == 'L';
		sp->len = FMT_LEN_LL;
		sp->conv = *++f;
		used = 2;
		if (!is_float_conv(*f) && *f != 'n')
			return fmt_convert(out, sp, ap) ? used : 0;
	}
	if (is_float_conv(*f)) {
		format_float(out, sp,
		             big_l ? (double)va_arg(*ap, long double) : va_arg(*ap, double));
		return used;
	}
	if (*f == 'n') {
		(void)va_arg(*ap, void *);
		return used;
	}
	return 0;
}

/* The core's count as printf's return value: -1 and EOVERFLOW past INT_MAX. */
static int result(size_t n)
{
	if (n > INT_MAX) {
		errno = EOVERFLOW;
		return -1;
	}
	return (int)n;
}

int __libc_format(struct fmt_out *out, const char *fmt, va_list ap)
{
	out->extend = libc_extend;
	return result(fmt_format(out, fmt, ap));
}

/* ---- string front ends ---- */

int vsnprintf(char *restrict buf, size_t size, const char *restrict fmt, va_list ap)
{
	return result(fmt_vsnprintf(buf, size, libc_extend, fmt, ap));
}

int snprintf(char *restrict buf, size_t size, const char *restrict fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	int r = vsnprintf(buf, size, fmt, ap);
	va_end(ap);
	return r;
}

int vsprintf(char *restrict buf, const char *restrict fmt, va_list ap)
{
	return vsnprintf(buf, (size_t)INT_MAX + 1, fmt, ap);
}

int sprintf(char *restrict buf, const char *restrict fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	int r = vsprintf(buf, fmt, ap);
	va_end(ap);
	return r;
}
