/*
 * printfmt.c - the `printf` builtin's formatting (printfmt.h). Pure: built on
 * the host too (tests/host/test_sh.c, tests/fuzz/fuzz_sh.c).
 */
#include "printfmt.h"

#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <shared/hex.h>

struct out {
	char *buf;
	size_t len, cap;
	bool nomem;
};

static void put(struct out *o, const char *s, size_t n)
{
	if (o->nomem || !n)
		return;
	if (o->len + n + 1 > o->cap) {
		size_t cap = o->cap ? o->cap : 64;
		while (cap < o->len + n + 1)
			cap *= 2;
		char *b = realloc(o->buf, cap);
		if (!b) {
			o->nomem = true;
			return;
		}
		o->buf = b;
		o->cap = cap;
	}
	memcpy(o->buf + o->len, s, n);
	o->len += n;
	o->buf[o->len] = 0;
}

static void putc1(struct out *o, char c)
{
	put(o, &c, 1);
}

/*
 * The escape at s[0] == '\\'; puts its byte and returns how many bytes it took.
 * octal_zero: %b's form, \0NNN (up to three digits after the 0); otherwise \NNN.
 * *stop: \c (in %b) ends all output.
 */
static size_t escape(struct out *o, const char *s, bool octal_zero, bool *stop)
{
	static const char from[] = "abefnrtv\\\"'", to[] = "\a\b\x1b\f\n\r\t\v\\\"'";
	const char *p = s[1] ? strchr(from, s[1]) : NULL;
	if (p) {
		putc1(o, to[p - from]);
		return 2;
	}
	if (s[1] == 'c' && stop) {
		*stop = true;
		return 2;
	}
	if (s[1] == 'x' && hex_digit(s[2]) >= 0) {
		int v = hex_digit(s[2]);
		size_t n = 3;
		if (hex_digit(s[3]) >= 0)
			v = v * 16 + hex_digit(s[n++]);
		putc1(o, (char)v);
		return n;
	}
	size_t i = 1;
	if (octal_zero && s[1] == '0')
		i = 2;
	if (s[i] >= '0' && s[i] <= '7') {
		int v = 0;
		size_t end = i + 3;
		while (i < end && s[i] >= '0' && s[i] <= '7')
			v = v * 8 + (s[i++] - '0');
		putc1(o, (char)v);
		return i;
	}
	putc1(o, '\\'); /* not an escape: the backslash stays */
	return 1;
}

/* A numeric argument: decimal, 0x hex, 0 octal, or 'c (the character's code). */
static long long number(const char *a, struct sh_printf_result *r)
{
	if (!a || !*a)
		return 0;
	if (a[0] == '\'' || a[0] == '"')
		return (unsigned char)a[1];
	char *end;
	long long v = strtoll(a, &end, 0);
	if ((end == a || *end) && r) {
		if (!r->error[0])
			snprintf(r->error, sizeof(r->error), "%s: not a number", a);
		r->status = 1;
	}
	return v;
}

/*
 * A width or precision at fmt[*k]: digits, or '*' for the next argument (a
 * number; none is 0, which uses it up as a conversion would). Returns -1 with
 * r->error set when the digits do not fit.
 */
static int spec_number(const char *fmt, size_t *k, int argc, char **argv, int *used,
                       struct sh_printf_result *r, long long *v)
{
	if (fmt[*k] == '*') {
		(*k)++;
		*v = number(*used < argc ? argv[*used] : NULL, r);
		if (*used < argc)
			(*used)++;
	} else {
		*v = 0;
		for (; fmt[*k] >= '0' && fmt[*k] <= '9' && *v <= SH_PRINTF_WIDTH_MAX; (*k)++)
			*v = *v * 10 + (fmt[*k] - '0');
	}
	if (*v > SH_PRINTF_WIDTH_MAX || *v < -SH_PRINTF_WIDTH_MAX) {
		snprintf(r->error, sizeof(r->error), "width or precision above %d",
		         SH_PRINTF_WIDTH_MAX);
		return -1;
	}
	return 0;
}

int sh_printf_format(const char *fmt, int argc, char **argv, struct sh_printf_result *r)
{
	struct out o = {0};
	memset(r, 0, sizeof(*r));
	int used = 0;
	bool stop = false;
	do {
		int before = used;
		for (size_t i = 0; fmt[i] && !stop && !o.nomem;) {
			if (fmt[i] == '\\') {
				i += escape(&o, fmt + i, false, NULL);
				continue;
			}
			if (fmt[i] != '%') {
				putc1(&o, fmt[i++]);
				continue;
			}
			if (fmt[i + 1] == '%') {
				putc1(&o, '%');
				i += 2;
				continue;
			}
			/* %[flags][width][.precision]conv: the spec for snprintf */
			char spec[48];
			size_t sn = 0, k = i + 1;
			spec[sn++] = '%';
			bool left = false;
			while (fmt[k] && strchr("-+ 0#", fmt[k]) && sn < 8) {
				left |= fmt[k] == '-';
				spec[sn++] = fmt[k++];
			}
			long long width = 0, prec = -1;
			if (spec_number(fmt, &k, argc, argv, &used, r, &width))
				goto invalid;
			if (width < 0) { /* a negative * width: left-justified */
				width = -width;
				if (!left)
					spec[sn++] = '-';
				left = true;
			}
			if (fmt[k] == '.') {
				k++;
				prec = 0;
				if (spec_number(fmt, &k, argc, argv, &used, r, &prec))
					goto invalid;
			}
			if (width)
				sn += (size_t)snprintf(spec + sn, sizeof(spec) - sn, "%lld", width);
			if (prec >= 0) /* a negative * precision: as if none was given */
				sn += (size_t)snprintf(spec + sn, sizeof(spec) - sn, ".%lld", prec);
			char conv = fmt[k];
			const char *arg = used < argc ? argv[used] : NULL;
			char tmp[160], *big = NULL;
			int n = -1;
			switch (conv) {
			case 'd':
			case 'i':
				memcpy(spec + sn, "lld", 4);
				n = snprintf(tmp, sizeof(tmp), spec, number(arg, r));
				if (n >= (int)sizeof(tmp) && (big = malloc((size_t)n + 1)))
					snprintf(big, (size_t)n + 1, spec, number(arg, NULL));
				break;
			case 'u':
			case 'x':
			case 'X':
			case 'o':
				spec[sn++] = 'l';
				spec[sn++] = 'l';
				spec[sn++] = conv;
				spec[sn] = 0;
				n = snprintf(tmp, sizeof(tmp), spec,
				             (unsigned long long)number(arg, r));
				if (n >= (int)sizeof(tmp) && (big = malloc((size_t)n + 1)))
					snprintf(big, (size_t)n + 1, spec,
					         (unsigned long long)number(arg, NULL));
				break;
			case 'c':
				/* the argument's first byte; none: nothing (its width still counts) */
				memcpy(spec + sn, "s", 2);
				char ch[2] = {arg ? arg[0] : 0, 0};
				n = snprintf(tmp, sizeof(tmp), spec, ch);
				if (n >= (int)sizeof(tmp) && (big = malloc((size_t)n + 1)))
					snprintf(big, (size_t)n + 1, spec, ch);
				break;
			case 's':
			case 'b': {
				/* a string can be long: pad it here rather than in tmp */
				struct out s = {0};
				bool bstop = false;
				const char *v = arg ? arg : "";
				if (conv == 'b') {
					for (size_t j = 0; v[j] && !bstop;) {
						if (v[j] == '\\')
							j += escape(&s, v + j, true, &bstop);
						else
							putc1(&s, v[j++]);
					}
				} else {
					put(&s, v, strlen(v));
				}
				if (s.nomem) {
					free(s.buf);
					o.nomem = true;
					break;
				}
				size_t len = s.len;
				if (prec >= 0 && (size_t)prec < len)
					len = (size_t)prec;
				for (size_t p = len; !left && p < (size_t)width; p++)
					putc1(&o, ' ');
				put(&o, s.buf ? s.buf : "", len);
				for (size_t p = len; left && p < (size_t)width; p++)
					putc1(&o, ' ');
				free(s.buf);
				n = 0;
				if (bstop)
					stop = true;
				break;
			}
			default:
				snprintf(r->error, sizeof(r->error), "%%%c: invalid conversion",
				         conv ? conv : ' ');
				goto invalid;
			}
			if (n >= (int)sizeof(tmp) && !big)
				o.nomem = true;
			else if (n > 0)
				put(&o, big ? big : tmp, (size_t)n);
			free(big);
			if (used < argc)
				used++;
			i = k + 1;
		}
		/* the format again for the arguments left, as long as it takes some */
		if (used == before)
			break;
	} while (used < argc && !stop && !o.nomem);
	if (o.nomem) {
		free(o.buf);
		snprintf(r->error, sizeof(r->error), "out of memory");
		r->status = 1;
		return -1;
	}
	r->out = o.buf;
	r->len = o.len;
	return 0;
invalid:
	r->status = 1;
	free(o.buf);
	return -1;
}
