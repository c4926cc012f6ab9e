/*
 * modespec.c - chmod's mode operands, octal and symbolic (modespec.h).
 */
#include "modespec.h"

#define S_ALL 07777u

/* The bits of one class letter (u, g, o, a): its rwx, and s or t where they apply. */
static unsigned who_bits(char c)
{
	switch (c) {
	case 'u':
		return 04700;
	case 'g':
		return 02070;
	case 'o':
		return 01007;
	case 'a':
		return S_ALL;
	default:
		return 0;
	}
}

static int parse_octal(const char *s, unsigned *out)
{
	unsigned v = 0;
	for (; *s; s++) {
		if (*s < '0' || *s > '7')
			return -1;
		v = v * 8 + (unsigned)(*s - '0');
		if (v > S_ALL)
			return -1;
	}
	*out = v;
	return 0;
}

/* A class's rwx bits copied to all three classes ("g=u"). */
static unsigned copy_of(char c, unsigned cur)
{
	unsigned shift = c == 'u' ? 6 : c == 'g' ? 3 : 0;
	return ((cur >> shift) & 7u) * 0111u;
}

/* The bits the permission letters at *sp name (moving *sp past them). */
static unsigned perms_of(const char **sp, unsigned cur, bool is_dir)
{
	const char *s = *sp;
	unsigned v = 0;
	if (*s == 'u' || *s == 'g' || *s == 'o') {
		*sp = s + 1;
		return copy_of(*s, cur);
	}
	for (;; s++) {
		switch (*s) {
		case 'r':
			v |= 0444;
			continue;
		case 'w':
			v |= 0222;
			continue;
		case 'x':
			v |= 0111;
			continue;
		case 'X':
			if (is_dir || (cur & 0111))
				v |= 0111;
			continue;
		case 's':
			v |= 06000;
			continue;
		case 't':
			v |= 01000;
			continue;
		default:
			*sp = s;
			return v;
		}
	}
}

int mode_parse(const char *spec, unsigned old, bool is_dir, unsigned *out)
{
	if (!spec || !*spec)
		return -1;
	if (*spec >= '0' && *spec <= '7')
		return parse_octal(spec, out);
	unsigned cur = old & S_ALL;
	const char *s = spec;
	for (;;) {
		unsigned who = 0;
		for (; who_bits(*s); s++)
			who |= who_bits(*s);
		if (!who)
			who = S_ALL;
		if (*s != '+' && *s != '-' && *s != '=')
			return -1; /* a clause needs an operator */
		while (*s == '+' || *s == '-' || *s == '=') {
			char op = *s++;
			unsigned bits = perms_of(&s, cur, is_dir) & who;
			if (op == '+')
				cur |= bits;
			else if (op == '-')
				cur &= ~bits;
			else
				cur = (cur & ~who) | bits;
		}
		if (*s == '\0')
			break;
		if (*s++ != ',' || *s == '\0')
			return -1;
	}
	*out = cur;
	return 0;
}
