/*
 * printf.c - kvsnprintf(), the kernel's only formatter (see lib/printf.h).
 *
 * Output goes through a sink that counts every character but stores only
 * those that fit, leaving room for the terminator; that makes the C99 return
 * value fall out for free. Each conversion is parsed into a struct spec, the
 * argument is fetched at the width its length modifier names, and integers
 * are printed by one routine that handles sign, prefix, precision and
 * padding in the order C99 7.19.6.1 specifies:
 *     [spaces] [sign|0x] [zeros] digits [spaces]
 */
#include <lib/printf.h>
#include <stdbool.h>
#include <stdint.h>

struct sink {
	char *buf;
	size_t size;
	size_t len; /* characters produced so far, stored or not */
};

enum { F_LEFT = 1, F_ZERO = 2, F_PLUS = 4, F_SPACE = 8, F_ALT = 16, F_UPPER = 32 };

enum length { LEN_INT, LEN_CHAR, LEN_SHORT, LEN_LONG, LEN_LLONG, LEN_SIZE, LEN_PTRDIFF, LEN_MAX };

struct spec {
	unsigned flags;
	int width;
	int prec; /* -1: none given */
	enum length len;
};

static void put(struct sink *s, char c)
{
	if (s->len + 1 < s->size)
		s->buf[s->len] = c;
	s->len++;
}

static void put_n(struct sink *s, char c, int n)
{
	for (; n > 0; n--)
		put(s, c);
}

static void put_str(struct sink *s, const char *str, int n)
{
	for (int i = 0; i < n; i++)
		put(s, str[i]);
}

static int bounded_strlen(const char *str, int max)
{
	int n = 0;
	while ((max < 0 || n < max) && str[n])
		n++;
	return n;
}

/* Text with width and '-' (for %s, %c and the "(nil)" of %p). */
static void emit_text(struct sink *s, const struct spec *sp, const char *str, int n)
{
	if (!(sp->flags & F_LEFT))
		put_n(s, ' ', sp->width - n);
	put_str(s, str, n);
	if (sp->flags & F_LEFT)
		put_n(s, ' ', sp->width - n);
}

static void emit_int(struct sink *s, const struct spec *sp, uintmax_t v, bool neg, unsigned base)
{
	const char *digits = (sp->flags & F_UPPER) ? "0123456789ABCDEF" : "0123456789abcdef";
	char tmp[24]; /* 22 octal digits for 64 bits */
	int n = 0;
	while (v) {
		// cppcheck-suppress zerodivcond ; base is 8, 10 or 16, never 0
		tmp[n++] = digits[v % base];
		v /= base;
	}

	/* Precision is the minimum number of digits; "%.0d" of 0 prints none. */
	int prec = sp->prec < 0 ? 1 : sp->prec;
	if (base == 8 && (sp->flags & F_ALT) && prec <= n)
		prec = n + 1; /* '#' with o: force a leading 0 */
	int zeros = prec > n ? prec - n : 0;

	char prefix[2];
	int plen = 0;
	if (neg)
		prefix[plen++] = '-';
	else if (sp->flags & F_PLUS)
		prefix[plen++] = '+';
	else if (sp->flags & F_SPACE)
		prefix[plen++] = ' ';
	else if (base == 16 && (sp->flags & F_ALT) && n > 0) {
		prefix[plen++] = '0';
		prefix[plen++] = (sp->flags & F_UPPER) ? 'X' : 'x';
	}

	int pad = sp->width - (plen + zeros + n);
	if (pad > 0 && (sp->flags & F_ZERO) && !(sp->flags & F_LEFT) && sp->prec < 0) {
		zeros += pad;
		pad = 0;
	}
	if (!(sp->flags & F_LEFT))
		put_n(s, ' ', pad);
	put_str(s, prefix, plen);
	put_n(s, '0', zeros);
	while (n)
		put(s, tmp[--n]);
	if (sp->flags & F_LEFT)
		put_n(s, ' ', pad);
}

static intmax_t fetch_signed(enum length len, va_list *ap)
{
	switch (len) {
	case LEN_CHAR:
		return (signed char)va_arg(*ap, int);
	case LEN_SHORT:
		return (short)va_arg(*ap, int);
	case LEN_LONG:
		return va_arg(*ap, long);
	case LEN_LLONG:
		return va_arg(*ap, long long);
	case LEN_SIZE:
		return (ptrdiff_t)va_arg(*ap, size_t); /* the signed type of size_t */
	case LEN_PTRDIFF:
		return va_arg(*ap, ptrdiff_t);
	case LEN_MAX:
		return va_arg(*ap, intmax_t);
	default:
		return va_arg(*ap, int);
	}
}

static uintmax_t fetch_unsigned(enum length len, va_list *ap)
{
	switch (len) {
	case LEN_CHAR:
		return (unsigned char)va_arg(*ap, unsigned);
	case LEN_SHORT:
		return (unsigned short)va_arg(*ap, unsigned);
	case LEN_LONG:
		return va_arg(*ap, unsigned long);
	case LEN_LLONG:
		return va_arg(*ap, unsigned long long);
	case LEN_SIZE:
		return va_arg(*ap, size_t);
	case LEN_PTRDIFF:
		return (uintmax_t)(size_t)va_arg(*ap, ptrdiff_t);
	case LEN_MAX:
		return va_arg(*ap, uintmax_t);
	default:
		return va_arg(*ap, unsigned);
	}
}

/* Parse flags, width, precision and length at *fmt; leaves *fmt at the conversion. */
static void parse_spec(const char **fmt, struct spec *sp, va_list *ap)
{
	const char *f = *fmt;
	sp->flags = 0;
	for (;; f++) {
		if (*f == '-')
			sp->flags |= F_LEFT;
		else if (*f == '0')
			sp->flags |= F_ZERO;
		else if (*f == '+')
			sp->flags |= F_PLUS;
		else if (*f == ' ')
			sp->flags |= F_SPACE;
		else if (*f == '#')
			sp->flags |= F_ALT;
		else
			break;
	}

	sp->width = 0;
	if (*f == '*') {
		sp->width = va_arg(*ap, int);
		if (sp->width < 0) { /* negative width: left-justify */
			sp->flags |= F_LEFT;
			sp->width = sp->width == INT32_MIN ? INT32_MAX : -sp->width;
		}
		f++;
	} else {
		while (*f >= '0' && *f <= '9' && sp->width < 100000000)
			sp->width = sp->width * 10 + (*f++ - '0');
	}

	sp->prec = -1;
	if (*f == '.') {
		f++;
		sp->prec = 0;
		if (*f == '*') {
			sp->prec = va_arg(*ap, int); /* negative: as if omitted */
			if (sp->prec < 0)
				sp->prec = -1;
			f++;
		} else {
			while (*f >= '0' && *f <= '9' && sp->prec < 100000000)
				sp->prec = sp->prec * 10 + (*f++ - '0');
		}
	}

	sp->len = LEN_INT;
	switch (*f) {
	case 'h':
		f++;
		sp->len = LEN_SHORT;
		if (*f == 'h') {
			f++;
			sp->len = LEN_CHAR;
		}
		break;
	case 'l':
		f++;
		sp->len = LEN_LONG;
		if (*f == 'l') {
			f++;
			sp->len = LEN_LLONG;
		}
		break;
	case 'z':
		f++;
		sp->len = LEN_SIZE;
		break;
	case 't':
		f++;
		sp->len = LEN_PTRDIFF;
		break;
	case 'j':
		f++;
		sp->len = LEN_MAX;
		break;
	default:
		break;
	}
	*fmt = f;
}

/* Handle one conversion character c; returns false if c is unknown. */
static bool convert(struct sink *s, struct spec *sp, char c, va_list *ap)
{
	switch (c) {
	case 'd':
	case 'i': {
		intmax_t v = fetch_signed(sp->len, ap);
		/* Negate in unsigned arithmetic so INT64_MIN does not overflow. */
		uintmax_t mag = v < 0 ? -(uintmax_t)v : (uintmax_t)v;
		emit_int(s, sp, mag, v < 0, 10);
		return true;
	}
	case 'u':
	case 'x':
	case 'X':
	case 'o': {
		unsigned base = c == 'u' ? 10 : c == 'o' ? 8 : 16;
		sp->flags &= ~(unsigned)(F_PLUS | F_SPACE); /* signed conversions only */
		if (c == 'X')
			sp->flags |= F_UPPER;
		emit_int(s, sp, fetch_unsigned(sp->len, ap), false, base);
		return true;
	}
	case 'p': {
		void *p = va_arg(*ap, void *);
		if (!p) {
			emit_text(s, sp, "(nil)", 5);
			return true;
		}
		sp->flags |= F_ALT;
		emit_int(s, sp, (uintptr_t)p, false, 16);
		return true;
	}
	case 's': {
		const char *str = va_arg(*ap, const char *);
		if (!str)
			str = "(null)";
		emit_text(s, sp, str, bounded_strlen(str, sp->prec));
		return true;
	}
	case 'c': {
		char ch = (char)va_arg(*ap, int);
		emit_text(s, sp, &ch, 1);
		return true;
	}
	case '%':
		put(s, '%');
		return true;
	default:
		return false;
	}
}

int kvsnprintf(char *buf, size_t size, const char *fmt, va_list ap)
{
	struct sink s = {buf, size, 0};
	va_list args;
	va_copy(args, ap);

	while (*fmt) {
		if (*fmt != '%') {
			put(&s, *fmt++);
			continue;
		}
		const char *start = fmt++;
		struct spec sp;
		parse_spec(&fmt, &sp, &args);
		if (*fmt && convert(&s, &sp, *fmt, &args)) {
			fmt++;
			continue;
		}
		/* Unknown or truncated conversion: copy it through as written. */
		while (start < fmt)
			put(&s, *start++);
		if (*fmt)
			put(&s, *fmt++);
	}
	va_end(args);

	if (size)
		buf[s.len < size ? s.len : size - 1] = '\0';
	return s.len > INT32_MAX ? INT32_MAX : (int)s.len;
}

int ksnprintf(char *buf, size_t size, const char *fmt, ...)
{
	va_list ap;
	va_start(ap, fmt);
	int n = kvsnprintf(buf, size, fmt, ap);
	va_end(ap);
	return n;
}
