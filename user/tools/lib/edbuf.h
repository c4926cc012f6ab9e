/*
 * edbuf.h - the text edit works on (edbuf.c): lines of bytes with a cursor, and
 * the edits a key makes. Pure C, host-tested; the screen and keys are edit.c's.
 *
 * The cursor is (row, col), col a byte offset in the row (0..len). Every edit
 * keeps it inside the text, sets dirty, and returns 0 or -1 when out of memory
 * (the text unchanged).
 */
#pragma once

#include <stdbool.h>
#include <stddef.h>

struct edline {
	char *s;
	size_t len, cap;
};

struct edbuf {
	struct edline *line;
	size_t nlines, cap; /* nlines >= 1 */
	size_t row, col;
	bool dirty;
};

/* The text of len bytes as lines: each '\n' ends one, what follows the last is the last
 * line (empty when the text ends with '\n'), so edbuf_text() gives the same bytes back. */
int edbuf_load(struct edbuf *b, const char *text, size_t len);
void edbuf_free(struct edbuf *b);
/* The text (the lines joined by '\n') as a malloc'd buffer of *len bytes, or NULL. */
char *edbuf_text(const struct edbuf *b, size_t *len);

int edbuf_insert(struct edbuf *b, char c);
/* Splits the line at the cursor; the cursor goes to the start of the new line. */
int edbuf_newline(struct edbuf *b);
/* Deletes the byte before the cursor, joining with the line above at column 0. */
void edbuf_backspace(struct edbuf *b);
/* Deletes the byte at the cursor, joining the next line at the end of a line. */
void edbuf_delete(struct edbuf *b);

/* Cursor moves: left and right cross line ends; up and down keep the column where the
 * line is long enough. */
void edbuf_left(struct edbuf *b);
void edbuf_right(struct edbuf *b);
void edbuf_up(struct edbuf *b);
void edbuf_down(struct edbuf *b);

/* Moves the cursor to the next occurrence of needle after it (wrapping around the
 * end); whether there was one. */
bool edbuf_find(struct edbuf *b, const char *needle);
