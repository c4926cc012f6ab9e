/*
 * printf.c - the printf engine and the string front ends (sprintf, snprintf, ...).
 *
 * The engine walks the format once, turning each conversion into a field: sign or
 * prefix, zeros, body, and spaces to the requested width, in the order flags demand.
 * It supports flags "-+ #0", width and precision (also as *), lengths hh h l ll j z t L,
 * and conversions d i u o x X c s p % f F e E g G. %n is accepted and ignored (it is a
 * classic attack vector and nothing of ours needs it); %Lf prints the value as a double.
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

struct spec {
	bool left, plus, space, alt, zero;
	int width;
	int prec; /* -1: none given */
	char conv;
};

struct state {
	struct fmt_out *out;
	size_t count;
};

static void emit(struct state *st, const char *s, size_t n)
{
	if (n) {
		st->out->put(st->out, s, n);
		st->count += n;
	}
}

static void emit_repeat(struct state *st, char c, long n)
{
	char block[128];

	if (n <= 0)
		return;
	memset(block, c, sizeof(block));
	for (; n > (long)sizeof(block); n -= (long)sizeof(block))
		emit(st, block, sizeof(block));
	emit(st, block, (size_t)n);
}

/* Spaces before a right-aligned field of len chars (and zeros when they pad instead). */
static void pad_before(struct state *st, const struct spec *sp, long len)
{
	if (!sp->left && !sp->zero)
		emit_repeat(st, ' ', sp->width - len);
}

static void pad_after(struct state *st, const struct spec *sp, long len)
{
	if (sp->left)
		emit_repeat(st, ' ', sp->width - len);
}

/* ---- strings and integers ---- */

static void format_string(struct state *st, struct spec *sp, const char *s)
{
	if (!s)
		s = sp->prec < 0 || sp->prec >= 6 ? "(null)" : "";
	size_t n = sp->prec < 0 ? strlen(s) : strnlen(s, (size_t)sp->prec);

	sp->zero = false;
	pad_before(st, sp, (long)n);
	emit(st, s, n);
	pad_after(st, sp, (long)n);
}

static void format_integer(struct state *st, struct spec *sp, uintmax_t v, bool neg)
{
	char digits[24], prefix[3];
	const char *set = sp->conv == 'X' ? "0123456789ABCDEF" : "0123456789abcdef";
	unsigned base = sp->conv == 'o'                                           ? 8
	                : (sp->conv == 'x' || sp->conv == 'X' || sp->conv == 'p') ? 16
	                                                                          : 10;
	int nd = 0, np = 0;

	for (uintmax_t t = v; t; t /= base)
		digits[sizeof(digits) - 1 - nd++] = set[t % base];
	if (sp->conv == 'd' || sp->conv == 'i') {
		if (neg)
			prefix[np++] = '-';
		else if (sp->plus)
			prefix[np++] = '+';
		else if (sp->space)
			prefix[np++] = ' ';
	} else if (sp->alt && base == 16 && (v || sp->conv == 'p')) {
		prefix[np++] = '0';
		prefix[np++] = sp->conv == 'X' ? 'X' : 'x';
	}
	int prec = sp->prec < 0 ? 1 : sp->prec;
	long zeros = prec > nd ? prec - nd : 0;
	if (base == 8 && sp->alt && zeros == 0 && (nd == 0 || digits[sizeof(digits) - nd] != '0'))
		zeros = 1;
	if (sp->zero && sp->prec < 0 && !sp->left && sp->width > np + zeros + nd)
		zeros = sp->width - np - nd;
	long len = np + zeros + nd;

	if (sp->prec >= 0)
		sp->zero = false;
	pad_before(st, sp, len);
	emit(st, prefix, (size_t)np);
	emit_repeat(st, '0', zeros);
	emit(st, digits + sizeof(digits) - nd, (size_t)nd);
	pad_after(st, sp, len);
}

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
static void emit_digits(struct state *st, const struct decimal *dec, int from, int count)
{
	if (from < 0) {
		int z = count < -from ? count : -from;
		emit_repeat(st, '0', z);
		count -= z;
		from += z;
	}
	if (count <= 0)
		return;
	int avail = from < dec->nd ? dec->nd - from : 0;
	int n = count < avail ? count : avail;
	emit(st, dec->d + from, (size_t)n);
	emit_repeat(st, '0', count - n);
}

/* Body of %f: integer digits, point, frac digits. Returns its length when !st. */
static long body_fixed(struct state *st, const struct decimal *dec, int frac, bool point)
{
	int ints = dec->dexp > 0 ? dec->dexp : 1;

	if (st) {
		if (dec->dexp > 0)
			emit_digits(st, dec, 0, ints);
		else
			emit(st, "0", 1);
		if (point)
			emit(st, ".", 1);
		emit_digits(st, dec, dec->dexp, frac);
	}
	return ints + point + frac;
}

/* Body of %e: d.ddd e+XX. */
static long body_exp(struct state *st, const struct decimal *dec, int frac, bool point, char e)
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
	if (st) {
		char first = digit_at(dec, 0);
		emit(st, &first, 1);
		if (point)
			emit(st, ".", 1);
		emit_digits(st, dec, 1, frac);
		emit(st, ebuf, (size_t)en);
	}
	return 1 + point + frac + en;
}

static void format_float(struct state *st, struct spec *sp, double v)
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
		pad_before(st, sp, len);
		emit(st, &sign, sign != 0);
		emit(st, s, 3);
		pad_after(st, sp, len);
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
	pad_before(st, sp, len);
	emit(st, &sign, sign != 0);
	if (sp->zero && !sp->left)
		emit_repeat(st, '0', sp->width - len);
	if (fixed)
		body_fixed(st, &dec, frac, point);
	else
		body_exp(st, &dec, frac, point, upper ? 'E' : 'e');
	pad_after(st, sp, len);
}

/* ---- the format walk ---- */

enum length { LEN_NONE, LEN_HH, LEN_H, LEN_L, LEN_LL, LEN_J, LEN_Z, LEN_T, LEN_BIG_L };

static const char *parse_spec(const char *f, struct spec *sp, enum length *len, va_list *ap)
{
	*sp = (struct spec){.prec = -1};
	for (;; f++) {
		if (*f == '-')
			sp->left = true;
		else if (*f == '+')
			sp->plus = true;
		else if (*f == ' ')
			sp->space = true;
		else if (*f == '#')
			sp->alt = true;
		else if (*f == '0')
			sp->zero = true;
		else
			break;
	}
	if (*f == '*') {
		int w = va_arg(*ap, int);
		if (w < 0) {
			sp->left = true;
			w = w == INT_MIN ? INT_MAX : -w;
		}
		sp->width = w;
		f++;
	} else {
		for (; *f >= '0' && *f <= '9'; f++)
			sp->width =
			    sp->width > (INT_MAX - 9) / 10 ? INT_MAX : sp->width * 10 + (*f - '0');
	}
	if (*f == '.') {
		f++;
		sp->prec = 0;
		if (*f == '*') {
			int p = va_arg(*ap, int);
			sp->prec = p < 0 ? -1 : p;
			f++;
		} else {
			for (; *f >= '0' && *f <= '9'; f++)
				sp->prec = sp->prec > (INT_MAX - 9) / 10
				               ? INT_MAX
				               : sp->prec * 10 + (*f - '0');
		}
	}
	*len = LEN_NONE;
	switch (*f) {
	case 'h':
		*len = f[1] == 'h' ? LEN_HH : LEN_H;
		f += *len == LEN_HH ? 2 : 1;
		break;
	case 'l':
		*len = f[1] == 'l' ? LEN_LL : LEN_L;
		f += *len == LEN_LL ? 2 : 1;
		break;
	case 'q':
		*len = LEN_LL;
		f++;
		break;
	case 'j':
		*len = LEN_J;
		f++;
		break;
	case 'z':
		*len = LEN_Z;
		f++;
		break;
	case 't':
		*len = LEN_T;
		f++;
		break;
	case 'L':
		*len = LEN_BIG_L;
		f++;
		break;
	}
	sp->conv = *f;
	if (sp->left)
		sp->zero = false;
	return f;
}

static intmax_t signed_arg(enum length len, va_list *ap)
{
	switch (len) {
	case LEN_HH:
		return (signed char)va_arg(*ap, int);
	case LEN_H:
		return (short)va_arg(*ap, int);
	case LEN_L:
	case LEN_Z:
	case LEN_T:
		return va_arg(*ap, long);
	case LEN_LL:
	case LEN_BIG_L:
		return va_arg(*ap, long long);
	case LEN_J:
		return va_arg(*ap, intmax_t);
	default:
		return va_arg(*ap, int);
	}
}

static uintmax_t unsigned_arg(enum length len, va_list *ap)
{
	switch (len) {
	case LEN_HH:
		return (unsigned char)va_arg(*ap, unsigned);
	case LEN_H:
		return (unsigned short)va_arg(*ap, unsigned);
	case LEN_L:
	case LEN_Z:
	case LEN_T:
		return va_arg(*ap, unsigned long);
	case LEN_LL:
	case LEN_BIG_L:
		return va_arg(*ap, unsigned long long);
	case LEN_J:
		return va_arg(*ap, uintmax_t);
	default:
		return va_arg(*ap, unsigned);
	}
}

static void convert(struct state *st, struct spec *sp, enum length len, va_list *ap)
{
	switch (sp->conv) {
	case 'd':
	case 'i': {
		intmax_t v = signed_arg(len, ap);
		format_integer(st, sp, v < 0 ? -(uintmax_t)v : (uintmax_t)v, v < 0);
		break;
	}
	case 'u':
	case 'o':
	case 'x':
	case 'X':
		format_integer(st, sp, unsigned_arg(len, ap), false);
		break;
	case 'p': {
		void *p = va_arg(*ap, void *);
		if (!p) {
			sp->prec = -1;
			format_string(st, sp, "(nil)");
			break;
		}
		sp->alt = true;
		format_integer(st, sp, (uintptr_t)p, false);
		break;
	}
	case 'c': {
		char c = (char)va_arg(*ap, int);
		sp->prec = -1;
		sp->zero = false;
		pad_before(st, sp, 1);
		emit(st, &c, 1);
		pad_after(st, sp, 1);
		break;
	}
	case 's':
		format_string(st, sp, va_arg(*ap, const char *));
		break;
	case 'f':
	case 'F':
	case 'e':
	case 'E':
	case 'g':
	case 'G':
		format_float(st, sp,
		             len == LEN_BIG_L ? (double)va_arg(*ap, long double)
		                              : va_arg(*ap, double));
		break;
	case 'n':
		(void)va_arg(*ap, void *);
		break;
	case '%':
		emit(st, "%", 1);
		break;
	}
}

int __libc_format(struct fmt_out *out, const char *fmt, va_list ap)
{
	struct state st = {.out = out};
	va_list args;

	va_copy(args, ap);
	while (*fmt) {
		const char *pct = strchr(fmt, '%');
		if (!pct) {
			emit(&st, fmt, strlen(fmt));
			break;
		}
		emit(&st, fmt, (size_t)(pct - fmt));
		struct spec sp;
		enum length len;
		const char *f = parse_spec(pct + 1, &sp, &len, &args);
		if (!*f) { /* a lone % at the end: print it as it is */
			emit(&st, pct, (size_t)(f - pct));
			break;
		}
		if (!strchr("diuoxXpcsfFeEgGn%", *f))
			emit(&st, pct, (size_t)(f + 1 - pct)); /* unknown: print it as it is */
		else
			convert(&st, &sp, len, &args);
		fmt = f + 1;
	}
	va_end(args);
	if (st.count > INT_MAX) {
		errno = EOVERFLOW;
		return -1;
	}
	return (int)st.count;
}

/* ---- string front ends ---- */

struct buf_out {
	struct fmt_out out;
	char *buf;
	size_t size; /* room for text, not counting the terminating NUL */
	size_t used;
};

static void buf_put(struct fmt_out *o, const char *s, size_t n)
{
	struct buf_out *b = (struct buf_out *)o;
	size_t room = b->size - b->used;

	if (n > room)
		n = room;
	memcpy(b->buf + b->used, s, n);
	b->used += n;
}

int vsnprintf(char *restrict buf, size_t size, const char *restrict fmt, va_list ap)
{
	struct buf_out b = {.out = {buf_put}, .buf = buf, .size = size ? size - 1 : 0};
	int r = __libc_format(&b.out, fmt, ap);

	if (size)
		buf[b.used] = '\0';
	return r;
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
