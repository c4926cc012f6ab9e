/*
 * edbuf.c - edit's text: an array of lines, each its own growing buffer
 * (edbuf.h). A line is small, so inserting in it moves bytes; the array moves
 * line records when lines are added or joined.
 */
#include "edbuf.h"

#include <stdlib.h>
#include <string.h>

static int line_reserve(struct edline *l, size_t need)
{
	if (need <= l->cap)
		return 0;
	size_t cap = l->cap ? l->cap : 16;
	while (cap < need)
		cap *= 2;
	char *s = realloc(l->s, cap);
	if (!s)
		return -1;
	l->s = s;
	l->cap = cap;
	return 0;
}

/* Room for one more line record. */
static int lines_reserve(struct edbuf *b)
{
	if (b->nlines < b->cap)
		return 0;
	size_t cap = b->cap ? 2 * b->cap : 64;
	struct edline *l = realloc(b->line, cap * sizeof(*l));
	if (!l)
		return -1;
	b->line = l;
	b->cap = cap;
	return 0;
}

/* Inserts an empty line record at index at. */
static int insert_line(struct edbuf *b, size_t at)
{
	if (lines_reserve(b) < 0)
		return -1;
	memmove(&b->line[at + 1], &b->line[at], (b->nlines - at) * sizeof(*b->line));
	b->line[at] = (struct edline){0};
	b->nlines++;
	return 0;
}

int edbuf_load(struct edbuf *b, const char *text, size_t len)
{
	*b = (struct edbuf){0};
	if (insert_line(b, 0) < 0)
		return -1;
	for (size_t i = 0; i < len; i++) {
		if (text[i] == '\n') {
			if (insert_line(b, b->nlines) < 0)
				goto fail;
			continue;
		}
		struct edline *l = &b->line[b->nlines - 1];
		if (line_reserve(l, l->len + 1) < 0)
			goto fail;
		l->s[l->len++] = text[i];
	}
	return 0;
fail:
	edbuf_free(b);
	return -1;
}

void edbuf_free(struct edbuf *b)
{
	for (size_t i = 0; i < b->nlines; i++)
		free(b->line[i].s);
	free(b->line);
	*b = (struct edbuf){0};
}

char *edbuf_text(const struct edbuf *b, size_t *len)
{
	size_t n = 0;
	for (size_t i = 0; i < b->nlines; i++)
		n += b->line[i].len + 1;
	char *t = malloc(n + 1);
	if (!t)
		return NULL;
	size_t k = 0;
	for (size_t i = 0; i < b->nlines; i++) {
		if (b->line[i].len) /* an empty line may have no buffer */
			memcpy(t + k, b->line[i].s, b->line[i].len);
		k += b->line[i].len;
		if (i + 1 < b->nlines)
			t[k++] = '\n';
	}
	*len = k;
	return t;
}

int edbuf_insert(struct edbuf *b, char c)
{
	struct edline *l = &b->line[b->row];
	if (line_reserve(l, l->len + 1) < 0)
		return -1;
	memmove(l->s + b->col + 1, l->s + b->col, l->len - b->col);
	l->s[b->col++] = c;
	l->len++;
	b->dirty = true;
	return 0;
}

int edbuf_newline(struct edbuf *b)
{
	if (insert_line(b, b->row + 1) < 0)
		return -1;
	struct edline *cur = &b->line[b->row], *next = &b->line[b->row + 1];
	size_t tail = cur->len - b->col;
	if (line_reserve(next, tail) < 0) {
		memmove(&b->line[b->row + 1], &b->line[b->row + 2],
		        (b->nlines - b->row - 2) * sizeof(*b->line));
		b->nlines--;
		return -1;
	}
	if (tail)
		memcpy(next->s, cur->s + b->col, tail);
	next->len = tail;
	cur->len = b->col;
	b->row++;
	b->col = 0;
	b->dirty = true;
	return 0;
}

/* Appends line row + 1 to line row and removes it. */
static void join_next(struct edbuf *b, size_t row)
{
	struct edline *cur = &b->line[row], *next = &b->line[row + 1];
	if (line_reserve(cur, cur->len + next->len) < 0)
		return;
	if (next->len)
		memcpy(cur->s + cur->len, next->s, next->len);
	cur->len += next->len;
	free(next->s);
	memmove(&b->line[row + 1], &b->line[row + 2], (b->nlines - row - 2) * sizeof(*b->line));
	b->nlines--;
	b->dirty = true;
}

void edbuf_backspace(struct edbuf *b)
{
	if (b->col > 0) {
		b->col--;
		edbuf_delete(b);
	} else if (b->row > 0) {
		size_t col = b->line[b->row - 1].len;
		size_t before = b->nlines;
		join_next(b, b->row - 1);
		if (b->nlines < before) {
			b->row--;
			b->col = col;
		}
	}
}

void edbuf_delete(struct edbuf *b)
{
	struct edline *l = &b->line[b->row];
	if (b->col < l->len) {
		memmove(l->s + b->col, l->s + b->col + 1, l->len - b->col - 1);
		l->len--;
		b->dirty = true;
	} else if (b->row + 1 < b->nlines) {
		join_next(b, b->row);
	}
}

void edbuf_left(struct edbuf *b)
{
	if (b->col > 0) {
		b->col--;
	} else if (b->row > 0) {
		b->row--;
		b->col = b->line[b->row].len;
	}
}

void edbuf_right(struct edbuf *b)
{
	if (b->col < b->line[b->row].len) {
		b->col++;
	} else if (b->row + 1 < b->nlines) {
		b->row++;
		b->col = 0;
	}
}

void edbuf_up(struct edbuf *b)
{
	if (b->row > 0)
		b->row--;
	if (b->col > b->line[b->row].len)
		b->col = b->line[b->row].len;
}

void edbuf_down(struct edbuf *b)
{
	if (b->row + 1 < b->nlines)
		b->row++;
	if (b->col > b->line[b->row].len)
		b->col = b->line[b->row].len;
}

/* The first occurrence of needle (n bytes) in line l at or after from, or -1. */
static long find_in(const struct edline *l, size_t from, const char *needle, size_t n)
{
	for (size_t i = from; i + n <= l->len; i++)
		if (memcmp(l->s + i, needle, n) == 0)
			return (long)i;
	return -1;
}

bool edbuf_find(struct edbuf *b, const char *needle)
{
	size_t n = strlen(needle);
	if (n == 0)
		return false;
	/* from just after the cursor to the end, then from the top back to the cursor */
	for (size_t k = 0; k <= b->nlines; k++) {
		size_t row = (b->row + k) % b->nlines;
		size_t from = k == 0 ? b->col + 1 : 0;
		long at = find_in(&b->line[row], from, needle, n);
		if (at >= 0 && !(k == b->nlines && (size_t)at > b->col)) {
			b->row = row;
			b->col = (size_t)at;
			return true;
		}
	}
	return false;
}
