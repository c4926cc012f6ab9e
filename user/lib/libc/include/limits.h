/*
 * limits.h - the compiler's limits.h, reached without a host C library.
 *
 * GCC's limits.h, when _LIBC_LIMITS_H_ is not defined, tries #include_next <limits.h>
 * to find a C library's copy, which fails under -nostdinc. Defining _LIBC_LIMITS_H_
 * tells it that we are that C library and it should define everything itself.
 */
#pragma once

#define _LIBC_LIMITS_H_ 1
#include_next <limits.h>
