/*
 * wcwidth.h - how many terminal columns a character takes (wcwidth.c), for the
 * shell's line editor (user/sh/edit.c) and the console's terminal emulator and
 * line discipline (user/console/vt.c, ldisc.c), which must agree on where the
 * cursor is.
 *
 * The rules are Markus Kuhn's wcwidth() and glibc's, on the Unicode Character
 * Database that Debian's unicode-data package ships: tools/gen-wcwidth.sh turns it
 * into the tables below at build time (mk/unicode.mk). Pure: built on the host too.
 */
#pragma once

#include <stddef.h>
#include <stdint.h>

/*
 * The columns cp takes: 0 for combining marks, format characters (Mn, Me, Cf but
 * U+00AD), Hangul medial vowels and final consonants (U+1160..U+11FF), U+200B
 * and NUL; 2 for East Asian Wide and Fullwidth characters (East_Asian_Width W or
 * F, with the unassigned CJK blocks and planes 2 and 3); 1 for the rest,
 * ambiguous-width ones too. Control characters (U+0001..U+001F, U+007F..U+009F)
 * and code points past U+10FFFF are not printable: -1, as wcwidth().
 */
int wc_width(uint32_t cp);

/*
 * Decodes the UTF-8 character at s (n > 0 bytes left) into *cp and returns its
 * length in bytes (1..4). A byte that does not start a well-formed sequence
 * (overlong, a surrogate, past U+10FFFF, cut short) is one byte: *cp is
 * U+FFFD and the length 1, so a caller always advances.
 */
size_t wc_utf8_decode(const char *s, size_t n, uint32_t *cp);

/* The columns of n bytes of UTF-8 text (each unprintable character: 0). */
size_t wc_text_width(const char *s, size_t n);

/* The generated tables (tools/gen-wcwidth.sh): inclusive, sorted, disjoint ranges. */
struct wc_range {
	uint32_t first, last;
};
extern const struct wc_range wc_zero[], wc_wide[];
extern const unsigned wc_zero_n, wc_wide_n;
extern const char wc_unicode_version[]; /* "15.0.0" */
