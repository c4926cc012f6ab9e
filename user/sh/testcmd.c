/*
 * testcmd.c - the `test` and `[` builtin (pure but for stat(): built on the host too).
 *
 *   test EXPR    [ EXPR ]
 * EXPR is `! EXPR`, `EXPR -a EXPR`, `EXPR -o EXPR` (-a binds tighter), `( EXPR )`,
 * a unary test (-e -f -d -r -w -x -s FILE; -z -n STRING), a binary one (= != for
 * strings; -eq -ne -lt -le -gt -ge for integers) or a lone STRING (true if not
 * empty). Status 0 true, 1 false, 2 a usage error (with a message in err).
 */
#include "testcmd.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#define TEST_MAX_DEPTH 64

struct tctx {
	int argc, i;
	char **argv;
	char *err;
	size_t errcap;
	unsigned depth;
	bool failed;
};

static void tfail(struct tctx *t, const char *fmt, const char *what)
{
	if (!t->failed)
		snprintf(t->err, t->errcap, fmt, what);
	t->failed = true;
}

static const char *peek(struct tctx *t, int k)
{
	return t->i + k < t->argc ? t->argv[t->i + k] : NULL;
}

static bool integer(struct tctx *t, const char *s, long long *v)
{
	char *end;
	*v = strtoll(s, &end, 10);
	if (!*s || *end) {
		tfail(t, "%s: an integer is needed", s);
		return false;
	}
	return true;
}

static bool unary_op(const char *op)
{
	return op && op[0] == '-' && op[1] && !op[2] && strchr("efdrwxszn", op[1]);
}

static bool binary_op(const char *op)
{
	static const char *const ops[] = {"=",   "!=",  "==",  "-eq", "-ne",
	                                  "-lt", "-le", "-gt", "-ge"};
	for (size_t i = 0; op && i < sizeof(ops) / sizeof(*ops); i++)
		if (!strcmp(op, ops[i]))
			return true;
	return false;
}

static bool unary(struct tctx *t, char op, const char *arg)
{
	struct stat st;
	switch (op) {
	case 'z':
		return !*arg;
	case 'n':
		return *arg;
	}
	if (stat(arg, &st) < 0)
		return false;
	switch (op) {
	case 'f':
		return S_ISREG(st.st_mode);
	case 'd':
		return S_ISDIR(st.st_mode);
	case 's':
		return st.st_size > 0;
	default: /* -e -r -w -x: there are no owners or modes to check beyond existing */
		(void)t;
		return true;
	}
}

static bool binary(struct tctx *t, const char *a, const char *op, const char *b)
{
	if (!strcmp(op, "=") || !strcmp(op, "=="))
		return !strcmp(a, b);
	if (!strcmp(op, "!="))
		return strcmp(a, b) != 0;
	long long x, y;
	if (!integer(t, a, &x) || !integer(t, b, &y))
		return false;
	return !strcmp(op, "-eq")   ? x == y
	       : !strcmp(op, "-ne") ? x != y
	       : !strcmp(op, "-lt") ? x < y
	       : !strcmp(op, "-le") ? x <= y
	       : !strcmp(op, "-gt") ? x > y
	                            : x >= y;
}

static bool or_expr(struct tctx *t);

static bool primary(struct tctx *t)
{
	const char *a = peek(t, 0);
	if (!a) {
		tfail(t, "%s", "an argument is missing");
		return false;
	}
	if (++t->depth > TEST_MAX_DEPTH) {
		tfail(t, "%s", "nested too deeply");
		return false;
	}
	bool v;
	if (!strcmp(a, "!") && peek(t, 1) && !binary_op(peek(t, 1))) {
		t->i++;
		v = !primary(t);
	} else if (!strcmp(a, "(") && peek(t, 1) && !binary_op(peek(t, 1))) {
		t->i++;
		v = or_expr(t);
		if (!peek(t, 0) || strcmp(peek(t, 0), ")"))
			tfail(t, "%s", "missing ')'");
		else
			t->i++;
	} else if (peek(t, 1) && binary_op(peek(t, 1)) && peek(t, 2)) {
		v = binary(t, a, peek(t, 1), peek(t, 2));
		t->i += 3;
	} else if (unary_op(a) && peek(t, 1)) {
		v = unary(t, a[1], peek(t, 1));
		t->i += 2;
	} else {
		v = *a;
		t->i++;
	}
	t->depth--;
	return v;
}

static bool and_expr(struct tctx *t)
{
	bool v = primary(t);
	while (!t->failed && peek(t, 0) && !strcmp(peek(t, 0), "-a")) {
		t->i++;
		bool r = primary(t);
		v = v && r;
	}
	return v;
}

static bool or_expr(struct tctx *t)
{
	bool v = and_expr(t);
	while (!t->failed && peek(t, 0) && !strcmp(peek(t, 0), "-o")) {
		t->i++;
		bool r = and_expr(t);
		v = v || r;
	}
	return v;
}

int sh_test_eval(int argc, char **argv, char *err, size_t errcap)
{
	struct tctx t = {.argc = argc, .argv = argv, .i = 1, .err = err, .errcap = errcap};
	err[0] = 0;
	if (!strcmp(argv[0], "[")) {
		if (argc < 2 || strcmp(argv[argc - 1], "]")) {
			snprintf(err, errcap, "[: missing ']'");
			return 2;
		}
		t.argc--;
	}
	if (t.argc <= 1)
		return 1; /* no expression: false */
	bool v = or_expr(&t);
	if (!t.failed && t.i < t.argc)
		tfail(&t, "%s: unexpected", t.argv[t.i]);
	return t.failed ? 2 : v ? 0 : 1;
}
