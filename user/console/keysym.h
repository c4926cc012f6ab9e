/*
 * keysym.h - keysym names and numbers of the loadkeys format, for kmap.c
 * (private to the console's keymap parser; pure, host-tested with it).
 */
#pragma once
#include <stdbool.h>
#include <stdint.h>

#include "kmap.h"

/*
 * A keysym (without its '+') to a kmap entry: a character, a dead key, an action
 * or 0 (VoidSymbol); false: a name or number it does not know.
 */
bool kmap_keysym(const char *name, uint32_t *entry);

/* The upper-case pair of a lower-case letter code point (itself if none). */
uint32_t kmap_upper(uint32_t cp);

/* Digits of base (10 or 16) to *v, at most 0xffffff; false: anything else. */
bool kmap_parse_uint(const char *s, unsigned base, uint32_t *v);

/* A decimal or 0x-hexadecimal number, as kmap_parse_uint. */
bool kmap_parse_num(const char *s, uint32_t *v);
