/*
 * fmt.c - the printf formatting core (see shared/fmt.h for the dialect).
 *
 * The walk copies literal text in runs up to each '%', parses the conversion into a
 * struct fmt_spec, fetches the argument at the width its length modifier names and
 * prints it as one field, in the order C99 7.19.6.1 specifies:
 *     [spaces] [sign | 0x] [zeros] body [spaces]
 * Widths and precisions saturate at INT_MAX; padding goes out in blocks, so a huge
 * width costs put() calls, not stack. The count of characters produced is kept in
 * out->count whether or not the front end stores them, which makes C99's "length it
 * would have had" return value fall out for free.
 *
 * Shared code (docs/kernel.md, "Code shared by kernel and user space"): compiled
 * with the kernel's flags (no SSE, no red zone) and with the user space's; it may
 * include only the compiler's own headers and <shared/...>.
 */
#include <shared/fmt.h>

#include <stdint.h>

#define INT_LIMIT __INT_MAX__ /* <limits.h> would be one side's, not the compiler's */

void fmt_put(struct fmt_out *out, const char *s, size_t n)
{
	if (n) {
		out->put(out, s, n);
		out->count += n;
	}
}

void fmt_repeat(struct fmt_out *out, char c, long n)
{
	char block[32];
	size_t k = n < (long)sizeof(block) ? (size_t)(n > 0 ? n : 0) : sizeof(block);

	for (size_t i = 0; i < k; i++)
		block[i] = c;
	for (; n > (long)k; n -= (long)k)
		fmt_put(out, block, k);
	if (n > 0)
		fmt_put(out, block, (size_t)n);
}

void fmt_pad_before(struct fmt_out *out, const struct fmt_spec *sp, long len)
{
	if (!sp->left && !sp->zero)
		fmt_repeat(out, ' ', sp->width - len);
}

void fmt_pad_after(struct fmt_out *out, const struct fmt_spec *sp, long len)
{
	if (sp->left)
		fmt_repeat(out, ' ', sp->width - len);
}

/* ---- strings and integers ---- */

static size_t bounded_strlen(const char *s, int max)
{
	size_t n = 0;

	while ((max < 0 || n < (size_t)max) && s[n])
		n++;
	return n;
}

static void format_string(struct fmt_out *out, struct fmt_spec *sp, const char *s)
{
	if (!s)
		s = sp->prec < 0 || sp->prec >= 6 ? "(null)" : "";
	size_t n = bounded_strlen(s, sp->prec);

	sp->zero = false;
	fmt_pad_before(out, sp, (long)n);
	fmt_put(out, s, n);
	fmt_pad_after(out, sp, (long)n);
}

static void format_integer(struct fmt_out *out, struct fmt_spec *sp, uintmax_t v, bool neg)
{
	char digits[24], prefix[3]; /* 22 octal digits for 64 bits */
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
	/* Precision is the minimum number of digits; "%.0d" of 0 prints none. */
	int prec = sp->prec < 0 ? 1 : sp->prec;
	long zeros = prec > nd ? prec - nd : 0;
	if (base == 8 && sp->alt && zeros == 0 && (nd == 0 || digits[sizeof(digits) - nd] != '0'))
		zeros = 1; /* '#' with o: force a leading 0 */
	if (sp->zero && sp->prec < 0 && !sp->left && sp->width > np + zeros + nd)
		zeros = sp->width - np - nd;
	long len = np + zeros + nd;

	if (sp->prec >= 0)
		sp->zero = false;
	fmt_pad_before(out, sp, len);
	fmt_put(out, prefix, (size_t)np);
	fmt_repeat(out, '0', zeros);
	fmt_put(out, digits + sizeof(digits) - nd, (size_t)nd);
	fmt_pad_after(out, sp, len);
}

static intmax_t signed_arg(enum fmt_length len, va_list *ap)
{
	switch (len) {
	case FMT_LEN_HH:
		return (signed char)va_arg(*ap, int);
	case FMT_LEN_H:
		return (short)va_arg(*ap, int);
	case FMT_LEN_L:
	case FMT_LEN_Z: /* the signed type of size_t */
	case FMT_LEN_T:
		return va_arg(*ap, long);
	case FMT_LEN_LL:
		return va_arg(*ap, long long);
	case FMT_LEN_J:
		return va_arg(*ap, intmax_t);
	default:
		return va_arg(*ap, int);
	}
}

static uintmax_t unsigned_arg(enum fmt_length len, va_list *ap)
{
	switch (len) {
	case FMT_LEN_HH:
		return (unsigned char)va_arg(*ap, unsigned);
	case FMT_LEN_H:
		return (unsigned short)va_arg(*ap, unsigned);
	case FMT_LEN_L:
	case FMT_LEN_Z:
	case FMT_LEN_T:
		return va_arg(*ap, unsigned long);
	case FMT_LEN_LL:
		return va_arg(*ap, unsigned long long);
	case FMT_LEN_J:
		return va_arg(*ap, uintmax_t);
	default:
		return va_arg(*ap, unsigned);
	}
}

bool fmt_convert(struct fmt_out *out, struct fmt_spec *sp, va_list *ap)
{
	switch (sp->conv) {
	case 'd':
	case 'i': {
		intmax_t v = signed_arg(sp->len, ap);
		/* Negate in unsigned arithmetic so INTMAX_MIN does not overflow. */
		format_integer(out, sp, v < 0 ? -(uintmax_t)v : (uintmax_t)v, v < 0);
		return true;
	}
	case 'u':
	case 'o':
	case 'x':
	case 'X':
		format_integer(out, sp, unsigned_arg(sp->len, ap), false);
		return true;
	case 'p': {
		void *p = va_arg(*ap, void *);
		if (!p) {
			sp->prec = -1;
			format_string(out, sp, "(nil)");
			return true;
		}
		sp->alt = true;
		format_integer(out, sp, (uintptr_t)p, false);
		return true;
	}
	case 'c': {
		char c = (char)va_arg(*ap, int);
		sp->zero = false;
		fmt_pad_before(out, sp, 1);
		fmt_put(out, &c, 1);
		fmt_pad_after(out, sp, 1);
		return true;
	}
	case 's':
		format_string(out, sp, va_arg(*ap, const char *));
		return true;
	case '%':
		fmt_put(out, "%", 1);
		return true;
	default:
		return false;
	}
}

/* ---- the format walk ---- */

/* Decimal digits at *f, saturating at INT_LIMIT. */
static int parse_number(const char **f)
{
	int v = 0;

	for (; **f >= '0' && **f <= '9'; (*f)++)
		v = v > (INT_LIMIT - 9) / 10 ? INT_LIMIT : v * 10 + (**f - '0');
	return v;
}

static enum fmt_length parse_length(const char **f)
{
	const char *c = *f;
	enum fmt_length len;

	switch (*c) {
	case 'h':
		len = c[1] == 'h' ? FMT_LEN_HH : FMT_LEN_H;
		break;
	case 'l':
		len = c[1] == 'l' ? FMT_LEN_LL : FMT_LEN_L;
		break;
	case 'j':
		len = FMT_LEN_J;
		break;
	case 'z':
		len = FMT_LEN_Z;
		break;
	case 't':
		len = FMT_LEN_T;
		break;
	default:
		return FMT_LEN_NONE;
	}
	*f += len == FMT_LEN_HH || len == FMT_LEN_LL ? 2 : 1;
	return len;
}

/* Parse flags, width, precision and length after a '%'; returns f at the conversion. */
static const char *parse_spec(const char *f, struct fmt_spec *sp, va_list *ap)
{
	*sp = (struct fmt_spec){.prec = -1};
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
		if (w < 0) { /* negative width: left-justify */
			sp->left = true;
			w = w < -INT_LIMIT ? INT_LIMIT : -w;
		}
		sp->width = w;
		f++;
	} else {
		sp->width = parse_number(&f);
	}
	if (*f == '.') {
		f++;
		if (*f == '*') {
			int p = va_arg(*ap, int); /* negative: as if omitted */
			sp->prec = p < 0 ? -1 : p;
			f++;
		} else {
			sp->prec = parse_number(&f);
		}
	}
	sp->len = parse_length(&f);
	sp->conv = *f;
	if (sp->left)
		sp->zero = false;
	return f;
}

size_t fmt_format(struct fmt_out *out, const char *fmt, va_list ap)
{
	va_list args;

	out->count = 0;
	va_copy(args, ap);
	while (*fmt) {
		const char *pct = fmt;
		while (*pct && *pct != '%')
			pct++;
		fmt_put(out, fmt, (size_t)(pct - fmt));
		if (!*pct)
			break;
		struct fmt_spec sp;
		const char *f = parse_spec(pct + 1, &sp, &args);
		if (!*f) { /* cut short by the end: print it as it is */
			fmt_put(out, pct, (size_t)(f - pct));
			break;
		}
		size_t used = 1;
		if (!fmt_convert(out, &sp, &args)) {
			used = out->extend ? out->extend(out, &sp, f, &args) : 0;
			if (!used) { /* unknown: print it as it is */
				fmt_put(out, pct, (size_t)(f + 1 - pct));
				used = 1;
			}
		}
		fmt = f + used;
	}
	va_end(args);
	return out->count;
}

/* ---- the bounded buffer front end ---- */

struct buf_out {
	struct fmt_out out; /* first: put() casts back */
	char *buf;
	size_t room; /* characters that fit before the terminator */
	size_t used;
};

static void buf_put(struct fmt_out *o, const char *s, size_t n)
{
	struct buf_out *b = (struct buf_out *)o;
	size_t k = n < b->room - b->used ? n : b->room - b->used;

	if (k) /* buf may be NULL when size is 0 */
		__builtin_memcpy(b->buf + b->used, s, k);
	b->used += k;
}

size_t fmt_vsnprintf(char *buf, size_t size, fmt_extend_fn *extend, const char *fmt, va_list ap)
{
	struct buf_out b = {
	    .out = {.put = buf_put, .extend = extend}, .buf = buf, .room = size ? size - 1 : 0};
	size_t len = fmt_format(&b.out, fmt, ap);

	if (size)
		buf[b.used] = '\0';
	return len;
}
