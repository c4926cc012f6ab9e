/*
 * printfmt.h - the `printf` builtin's formatting (docs/shell.md "Builtins").
 * Pure: built on the host too.
 *
 * The format's conversions %s %b %c %d %i %u %x %X %o and %% take
 * [flags -+ 0#][width][.precision] (numbers, or * for the next argument: a
 * negative * width left-justifies, a negative * precision is none; both at most
 * SH_PRINTF_WIDTH_MAX, else an error); escapes \a \b \e \f \n \r \t \v
 * \\ \" \' \NNN (octal) \xHH; %b expands the same escapes in its argument (and
 * \0NNN; \c ends the output). The format is used again while arguments are left
 * (and it takes any); a missing argument is "" or 0. A numeric argument is
 * decimal, 0x hex, 0 octal or 'c (the code of c).
 */
#pragma once

#include <stddef.h>

#define SH_PRINTF_WIDTH_MAX 65536 /* a width or precision, at most */

struct sh_printf_result {
	char *out; /* malloc'd (NULL when nothing was written); the caller frees it */
	size_t len;
	int status; /* 0, or 1 when an argument was not a number (it counts as 0) */
	char error[96]; /* the first problem, for "printf: <error>" */
};

/* Format argv[0..argc) by fmt into r; 0, or -1 (an invalid conversion, out of
 * memory: r->error says which, nothing is output). */
int sh_printf_format(const char *fmt, int argc, char **argv, struct sh_printf_result *r);
