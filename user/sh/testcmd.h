/*
 * testcmd.h - the `test` / `[` builtin's evaluator (testcmd.c; pure but for
 * stat(), so the host tests build it too).
 */
#pragma once

#include <stdbool.h>
#include <stddef.h>

/* Evaluate test's arguments (argv[0] "test" or "["): 0 true, 1 false, 2 an error
 * whose message is put in err (errcap bytes). */
int sh_test_eval(int argc, char **argv, char *err, size_t errcap);
