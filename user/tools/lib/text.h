/*
 * text.h - the pure logic of the text tools, built for the target and the host
 * tests: wc's counting, sizes for people, sort's comparison, splitting a buffer
 * into lines, hexdump -C's lines, tree's branches and ls's columns and long lines.
 */
#pragma once

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

/* wc: counts of what has been fed so far; zero it, then wc_feed() every piece. */
struct wc_counts {
	uint64_t lines, words, bytes;
	bool in_word; /* the last byte fed was inside a word */
};
void wc_feed(struct wc_counts *c, const char *p, size_t n);

/* n bytes for people: "512", "1.5K", "12M", "3.0G" (powers of 1024, one decimal below
 * 10). Returns out (at least 8 bytes). */
char *text_human_size(uint64_t n, char *out, size_t cap);

/* sort's order of two lines: bytes (strcmp), or with numeric the leading number
 * (blanks, a sign, digits, a fraction), lines without one counting as 0, ties by bytes. */
int text_sort_compare(const char *a, const char *b, bool numeric);

/*
 * Splits buf (len bytes, NUL-terminated at len) into lines in place: each '\n'
 * becomes a NUL, a last line without one counts too. Returns the number of lines
 * and *out a malloc'd array of them, or (size_t)-1 if out of memory.
 */
size_t text_split_lines(char *buf, size_t len, char ***out);

/* One line of hexdump -C for n (1..16) bytes at offset off, without the newline:
 * "00000010  41 42 ...  |AB..|". out needs HEXDUMP_LINE_MAX bytes. */
#define HEXDUMP_LINE_MAX 80
void text_hexdump_line(char *out, uint64_t off, const uint8_t *p, size_t n);

/* tree: the prefix of an entry at depth d (>= 1): for each ancestor level below d
 * "|   " or "    " (last[i]: that ancestor was the last of its directory), then
 * "|-- " or "`-- ". out needs 4 * d + 1 bytes. */
void text_tree_prefix(char *out, size_t cap, const bool *last, unsigned depth);

/* ls: the column layout of n names of the given widths for a screen width: the
 * number of columns (>= 1) and each column's width (the widest name + 2). */
void text_columns(const size_t *widths, size_t n, unsigned screen, unsigned *cols, unsigned *colw);

/* The nine permission letters of mode (rwxr-xr-x; s, S, t, T for the set-id and sticky
 * bits), NUL-terminated. */
void text_mode(unsigned mode, char out[10]);

/* What ls -l shows of an entry's permissions and owner (stat's st_mode, st_uid, st_gid). */
struct text_owner {
	unsigned mode, uid, gid;
};

/* ls -l's line without the newline: type letter, permissions, links, owner, group, size
 * (or -h: for people), name, and " -> target" for a link. */
void text_ls_long(char *out, size_t cap, char type, const struct text_owner *o, uint64_t nlink,
                  uint64_t size, bool human, const char *name, const char *target);

/* date: seconds since 1970-01-01 UTC as "YYYY-MM-DD HH:MM:SS UTC" (proleptic Gregorian
 * calendar); out needs TEXT_DATE_MAX bytes. */
#define TEXT_DATE_MAX 80
void text_date(uint64_t unix_s, char *out);
/* The reverse, for `date -s`: "YYYY-MM-DD HH:MM:SS" (a 'T' may stand for the space,
 * " UTC" or "Z" may follow; ":SS" may be left out) or "@<seconds>", a real date of
 * 1970-9999 in UTC, into *unix_s. 0, or -1 (not such a date: month 13, Feb 30, hour
 * 24, year 1969, trailing junk, ...). */
int text_parse_date(const char *s, uint64_t *unix_s);
