/*
 * strings.h - case-insensitive comparison (string.c).
 */
#pragma once

#include <stddef.h>

int strcasecmp(const char *a, const char *b);
int strncasecmp(const char *a, const char *b, size_t n);
