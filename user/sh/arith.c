/*
 * arith.c - $((...)): integer arithmetic (pure: built on the host too).
 *
 * The text has had its $ expansions done (expand.c); what is left is read by
 * a recursive-descent evaluator with C's precedence over 64-bit integers:
 *   || && (0 or 1)   == !=   < <= > >=   + -   * / %   unary - + !   ( )
 * Numbers are decimal or 0x hex; a bare NAME is the variable's value (unset or
 * empty: 0). Overflow wraps; division by zero and anything unparsable are
 * errors with a message. Nesting is bounded (ARITH_MAX_DEPTH), so hostile
 * input cannot run the stack out.
 */
#include "expand.h"
#include "parse.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define ARITH_MAX_DEPTH 64

struct arith {
	const char *s;
	size_t i;
	const struct sh_expand_ops *ops;
	char *err;
	size_t errcap;
	unsigned depth;
	bool failed;
};

static void arith_fail(struct arith *a, const char *msg)
{
	if (!a->failed)
		snprintf(a->err, a->errcap, "arithmetic: %s", msg);
	a->failed = true;
}

static void blanks(struct arith *a)
{
	while (a->s[a->i] == ' ' || a->s[a->i] == '\t' || a->s[a->i] == '\n')
		a->i++;
}

/* Does the input continue with operator op (not a longer one sharing its start)? */
static bool take(struct arith *a, const char *op)
{
	blanks(a);
	size_t n = strlen(op);
	if (strncmp(a->s + a->i, op, n) != 0)
		return false;
	char c = a->s[a->i + n];
	if (n == 1 && (op[0] == '<' || op[0] == '>' || op[0] == '!') && c == '=')
		return false; /* <= >= != */
	if (n == 1 && (op[0] == '&' || op[0] == '|'))
		return false;
	a->i += n;
	return true;
}

static long long wrap(unsigned long long v)
{
	return (long long)v;
}

/* A number at s: decimal or 0x hex; false if s is not all a number. */
static bool number(const char *s, size_t n, long long *v)
{
	unsigned long long r = 0;
	size_t i = 0;
	bool hex = n > 2 && s[0] == '0' && (s[1] == 'x' || s[1] == 'X');
	if (hex)
		i = 2;
	if (i >= n)
		return false;
	for (; i < n; i++) {
		char c = s[i];
		unsigned d;
		if (c >= '0' && c <= '9')
			d = (unsigned)(c - '0');
		else if (hex && c >= 'a' && c <= 'f')
			d = (unsigned)(c - 'a' + 10);
		else if (hex && c >= 'A' && c <= 'F')
			d = (unsigned)(c - 'A' + 10);
		else
			return false;
		r = r * (hex ? 16 : 10) + d;
	}
	*v = wrap(r);
	return true;
}

static long long expr(struct arith *a);

static long long primary(struct arith *a)
{
	blanks(a);
	const char *s = a->s + a->i;
	if (take(a, "(")) {
		long long v = expr(a);
		if (!take(a, ")"))
			arith_fail(a, "missing ')'");
		return v;
	}
	size_t n = 0;
	long long v = 0;
	if (s[0] >= '0' && s[0] <= '9') {
		while (sh_name_char(s[n], false))
			n++;
		if (!number(s, n, &v))
			arith_fail(a, "not a number");
	} else if (sh_name_char(s[0], true)) {
		while (sh_name_char(s[n], false))
			n++;
		const char *val = a->ops && a->ops->var ? a->ops->var(a->ops->ctx, s, n) : NULL;
		if (val) {
			while (*val == ' ' || *val == '\t')
				val++;
			size_t l = strlen(val);
			bool neg = l && val[0] == '-';
			if (neg) {
				val++;
				l--;
			}
			while (l && (val[l - 1] == ' ' || val[l - 1] == '\t' || val[l - 1] == '\n'))
				l--;
			if (l && !number(val, l, &v))
				arith_fail(a, "a variable is not a number");
			if (neg)
				v = wrap(0ull - (unsigned long long)v);
		}
	} else {
		arith_fail(a, *s ? "syntax error" : "an operand is missing");
		return 0;
	}
	a->i += n;
	return v;
}

static long long unary(struct arith *a)
{
	if (++a->depth > ARITH_MAX_DEPTH) {
		arith_fail(a, "nested too deeply");
		return 0;
	}
	long long v;
	if (take(a, "-"))
		v = wrap(0ull - (unsigned long long)unary(a));
	else if (take(a, "+"))
		v = unary(a);
	else if (take(a, "!"))
		v = !unary(a);
	else
		v = primary(a);
	a->depth--;
	return v;
}

static long long mul(struct arith *a)
{
	long long v = unary(a);
	while (!a->failed) {
		char op = take(a, "*") ? '*' : take(a, "/") ? '/' : take(a, "%") ? '%' : 0;
		if (!op)
			break;
		long long r = unary(a);
		if (op == '*') {
			v = wrap((unsigned long long)v * (unsigned long long)r);
		} else if (r == 0) {
			arith_fail(a, "division by zero");
			return 0;
		} else if (r == -1) { /* LLONG_MIN / -1 wraps */
			v = op == '/' ? wrap(0ull - (unsigned long long)v) : 0;
		} else {
			v = op == '/' ? v / r : v % r;
		}
	}
	return v;
}

static long long add(struct arith *a)
{
	long long v = mul(a);
	while (!a->failed) {
		if (take(a, "+"))
			v = wrap((unsigned long long)v + (unsigned long long)mul(a));
		else if (take(a, "-"))
			v = wrap((unsigned long long)v - (unsigned long long)mul(a));
		else
			break;
	}
	return v;
}

static long long rel(struct arith *a)
{
	long long v = add(a);
	while (!a->failed) {
		if (take(a, "<="))
			v = v <= add(a);
		else if (take(a, ">="))
			v = v >= add(a);
		else if (take(a, "<"))
			v = v < add(a);
		else if (take(a, ">"))
			v = v > add(a);
		else
			break;
	}
	return v;
}

static long long eq(struct arith *a)
{
	long long v = rel(a);
	while (!a->failed) {
		if (take(a, "=="))
			v = v == rel(a);
		else if (take(a, "!="))
			v = v != rel(a);
		else
			break;
	}
	return v;
}

static long long and_(struct arith *a)
{
	long long v = eq(a);
	while (!a->failed && take(a, "&&")) {
		long long r = eq(a);
		v = v && r;
	}
	return v;
}

static long long expr(struct arith *a)
{
	if (++a->depth > ARITH_MAX_DEPTH) {
		arith_fail(a, "nested too deeply");
		return 0;
	}
	long long v = and_(a);
	while (!a->failed && take(a, "||")) {
		long long r = and_(a);
		v = v || r;
	}
	a->depth--;
	return v;
}

int sh_arith(const char *s, const struct sh_expand_ops *ops, long long *out, char *err,
             size_t errcap)
{
	struct arith a = {.s = s, .ops = ops, .err = err, .errcap = errcap};
	blanks(&a);
	if (!s[a.i]) { /* $(( )) is 0 */
		*out = 0;
		return 0;
	}
	long long v = expr(&a);
	blanks(&a);
	if (!a.failed && s[a.i])
		arith_fail(&a, "syntax error");
	if (a.failed)
		return -1;
	*out = v;
	return 0;
}
