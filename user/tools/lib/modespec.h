/*
 * modespec.h - chmod's mode operands (modespec.c; pure, host-tested).
 */
#pragma once

#include <stdbool.h>

/*
 * The permission bits spec makes of old (a file's bits, 07777): an octal number
 * (at most 07777), or POSIX's symbolic clauses separated by ','
 * ("u+x,go-w", "a=rX", "g=u", "+t"): who (u g o a; none: all, as there is no
 * umask), then one or more operators (+ - =) each with permissions (r w x s t,
 * X: x when is_dir or some x is set) or one of u g o (copy that class's bits).
 * 0 with *out set, or -1 for a spec that is not one (nothing written).
 */
int mode_parse(const char *spec, unsigned old, bool is_dir, unsigned *out);
