/*
 * edit.c - the line editor's state machine (edit.h).
 *
 * One byte at a time: control bytes are Emacs commands, ESC starts either an
 * Alt-key (ESC x) or an xterm sequence (ESC [ ... final byte, ESC O x), and
 * anything else (including UTF-8 bytes) is inserted. The cursor moves, and
 * Backspace and Delete remove, by characters: a UTF-8 sequence with the
 * zero-width ones after it (combining marks: "e" and U+0301 are one), as
 * readline does. The columns a character takes are wcwidth.h's (East Asian wide
 * ones two, combining marks none), so the cursor is placed right after them;
 * the console's terminal emulator (user/console/vt.c) counts the same. Words
 * are runs of letters, digits and '_' (Alt-B/F) or of non-blanks (Ctrl-W), as in
 * readline.
 */
#include "edit.h"

#include <stdint.h>
#include <stdio.h>
#include <string.h>

#include <charlotte/wcwidth.h>

void sh_ed_start(struct sh_ed *e, const struct sh_hist *hist)
{
	memset(e, 0, sizeof(*e));
	e->hist = hist;
	e->hidx = -1;
	e->sidx = -1;
}

void sh_ed_next(struct sh_ed *e)
{
	/* the kill buffer outlives a line, as readline's */
	e->len = e->pos = 0;
	e->buf[0] = 0;
	e->esc = 0;
	e->search = false;
	e->qn = 0;
	e->hidx = -1;
	e->sidx = -1;
}

bool sh_ed_insert(struct sh_ed *e, const char *s, size_t n)
{
	if (e->len + n >= SH_ED_MAX)
		return false;
	memmove(e->buf + e->pos + n, e->buf + e->pos, e->len - e->pos);
	memcpy(e->buf + e->pos, s, n);
	e->len += n;
	e->pos += n;
	e->buf[e->len] = 0;
	return true;
}

static bool continuation(char c)
{
	return ((unsigned char)c & 0xc0) == 0x80;
}

/* Where the code point before p starts. */
static size_t cp_left(const struct sh_ed *e, size_t p)
{
	while (p > 0 && continuation(e->buf[--p]))
		;
	return p;
}

/* Is the code point at p one that takes no column (a combining mark)? */
static bool zero_width_at(const struct sh_ed *e, size_t p)
{
	uint32_t cp;
	wc_utf8_decode(e->buf + p, e->len - p, &cp);
	return wc_width(cp) == 0;
}

/* Where the character before p starts (a base with its marks), and where the one at p ends. */
static size_t char_left(const struct sh_ed *e, size_t p)
{
	p = cp_left(e, p);
	while (p > 0 && zero_width_at(e, p))
		p = cp_left(e, p);
	return p;
}

/* Where the code point at p ends (its continuation bytes, even a stray one's). */
static size_t cp_right(const struct sh_ed *e, size_t p)
{
	if (p < e->len)
		p++;
	while (p < e->len && continuation(e->buf[p]))
		p++;
	return p;
}

static size_t char_right(const struct sh_ed *e, size_t p)
{
	p = cp_right(e, p);
	while (p < e->len && zero_width_at(e, p))
		p = cp_right(e, p);
	return p;
}

static void delete_range(struct sh_ed *e, size_t from, size_t to, bool save)
{
	if (to <= from)
		return;
	if (save) {
		memcpy(e->kill, e->buf + from, to - from);
		e->killn = to - from;
	}
	memmove(e->buf + from, e->buf + to, e->len - to);
	e->len -= to - from;
	e->buf[e->len] = 0;
	if (e->pos > to)
		e->pos -= to - from;
	else if (e->pos > from)
		e->pos = from;
}

static bool is_word(char c)
{
	return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') ||
	       c == '_' || (unsigned char)c >= 0x80;
}

static size_t word_left(const struct sh_ed *e, size_t p)
{
	while (p > 0 && !is_word(e->buf[p - 1]))
		p--;
	while (p > 0 && is_word(e->buf[p - 1]))
		p--;
	return p;
}

static size_t word_right(const struct sh_ed *e, size_t p)
{
	while (p < e->len && !is_word(e->buf[p]))
		p++;
	while (p < e->len && is_word(e->buf[p]))
		p++;
	return p;
}

static void set_line(struct sh_ed *e, const char *s, size_t n)
{
	if (n >= SH_ED_MAX)
		n = SH_ED_MAX - 1;
	memcpy(e->buf, s, n);
	e->len = e->pos = n;
	e->buf[n] = 0;
}

/* Up (dir -1) or down (+1) the history. */
static enum sh_ed_result browse(struct sh_ed *e, int dir)
{
	int n = e->hist ? (int)e->hist->n : 0;
	if (n == 0)
		return SH_ED_BELL;
	int to = e->hidx < 0 ? (dir < 0 ? n - 1 : -1) : e->hidx + dir;
	if (e->hidx < 0 && dir > 0)
		return SH_ED_BELL;
	if (to < 0 && e->hidx >= 0 && dir < 0)
		return SH_ED_BELL; /* at the oldest */
	if (e->hidx < 0) {
		memcpy(e->saved, e->buf, e->len);
		e->savedn = e->len;
	}
	if (to >= n) {
		e->hidx = -1;
		set_line(e, e->saved, e->savedn);
	} else {
		e->hidx = to;
		const char *l = sh_hist_get(e->hist, (unsigned)to);
		set_line(e, l, strlen(l));
	}
	return SH_ED_REDRAW;
}

static void search_update(struct sh_ed *e, int from)
{
	e->query[e->qn] = 0;
	e->sfail = false;
	if (!e->hist || e->qn == 0) {
		e->sidx = -1;
		return;
	}
	int i = sh_hist_search(e->hist, e->query, from);
	if (i >= 0)
		e->sidx = i;
	else
		e->sfail = true; /* no match keeps the last one shown */
}

/* Leave the search with the match as the line. */
static void search_take(struct sh_ed *e)
{
	e->search = false;
	if (e->sidx >= 0) {
		const char *l = sh_hist_get(e->hist, (unsigned)e->sidx);
		set_line(e, l, strlen(l));
		e->hidx = e->sidx;
	}
}

static enum sh_ed_result feed_key(struct sh_ed *e, unsigned char c);

static enum sh_ed_result search_key(struct sh_ed *e, unsigned char c)
{
	if (c == 0x12) { /* Ctrl-R: the next older match */
		if (e->sidx > 0)
			search_update(e, e->sidx - 1);
		else if (e->qn)
			e->sfail = true;
		return SH_ED_REDRAW;
	}
	if (c == 0x07 || c == 0x03) { /* Ctrl-G, Ctrl-C: back to the line as it was */
		e->search = false;
		return SH_ED_REDRAW;
	}
	if (c == 0x7f || c == 0x08) {
		if (e->qn)
			e->qn--;
		search_update(e, e->hist ? (int)e->hist->n - 1 : -1);
		return SH_ED_REDRAW;
	}
	if (c >= 0x20 && c != 0x7f) {
		if (e->qn + 1 < sizeof(e->query))
			e->query[e->qn++] = (char)c;
		search_update(e, e->sidx >= 0 ? e->sidx : e->hist ? (int)e->hist->n - 1 : -1);
		return SH_ED_REDRAW;
	}
	search_take(e);
	if (c == '\r' || c == '\n')
		return SH_ED_ACCEPT;
	feed_key(e, c);
	return SH_ED_REDRAW;
}

static enum sh_ed_result escape(struct sh_ed *e, unsigned char c)
{
	if (e->esc == 1) {
		e->esc = 0;
		switch (c) {
		case '[':
		case 'O':
			e->esc = 2;
			e->seqn = 0;
			e->seq[e->seqn++] = (char)c;
			return SH_ED_NONE;
		case 'b':
		case 'B':
			e->pos = word_left(e, e->pos);
			return SH_ED_REDRAW;
		case 'f':
		case 'F':
			e->pos = word_right(e, e->pos);
			return SH_ED_REDRAW;
		case 'd':
		case 'D':
			delete_range(e, e->pos, word_right(e, e->pos), true);
			return SH_ED_REDRAW;
		case 0x7f:
		case 0x08:
			delete_range(e, word_left(e, e->pos), e->pos, true);
			return SH_ED_REDRAW;
		default:
			return SH_ED_BELL;
		}
	}
	if (e->esc == 3) { /* an overlong sequence: dropped up to its final byte */
		if (c >= 0x40 && c <= 0x7e) {
			e->esc = 0;
			return SH_ED_BELL;
		}
		return SH_ED_NONE;
	}
	/* ESC [ params final, or ESC O final */
	if (e->seqn < sizeof(e->seq))
		e->seq[e->seqn++] = (char)c;
	if ((c >= '0' && c <= '9') || c == ';') {
		if (e->seqn < sizeof(e->seq))
			return SH_ED_NONE;
		e->esc = 3; /* too long: dropped */
		return SH_ED_NONE;
	}
	e->esc = 0;
	switch (c) {
	case 'A':
		return browse(e, -1);
	case 'B':
		return browse(e, 1);
	case 'C':
		e->pos = char_right(e, e->pos);
		return SH_ED_REDRAW;
	case 'D':
		e->pos = char_left(e, e->pos);
		return SH_ED_REDRAW;
	case 'H':
		e->pos = 0;
		return SH_ED_REDRAW;
	case 'F':
		e->pos = e->len;
		return SH_ED_REDRAW;
	case '~': {
		int n = 0;
		for (size_t i = 1; i + 1 < e->seqn; i++)
			if (e->seq[i] >= '0' && e->seq[i] <= '9')
				n = n * 10 + (e->seq[i] - '0');
			else
				break;
		if (n == 1 || n == 7)
			e->pos = 0;
		else if (n == 4 || n == 8)
			e->pos = e->len;
		else if (n == 3 && e->pos < e->len)
			delete_range(e, e->pos, char_right(e, e->pos), false);
		else
			return SH_ED_BELL;
		return SH_ED_REDRAW;
	}
	default:
		return SH_ED_BELL;
	}
}

static enum sh_ed_result feed_key(struct sh_ed *e, unsigned char c)
{
	switch (c) {
	case '\r':
	case '\n':
		return SH_ED_ACCEPT;
	case 0x01: /* Ctrl-A */
		e->pos = 0;
		return SH_ED_REDRAW;
	case 0x05: /* Ctrl-E */
		e->pos = e->len;
		return SH_ED_REDRAW;
	case 0x02: /* Ctrl-B */
		if (e->pos == 0)
			return SH_ED_BELL;
		e->pos = char_left(e, e->pos);
		return SH_ED_REDRAW;
	case 0x06: /* Ctrl-F */
		if (e->pos == e->len)
			return SH_ED_BELL;
		e->pos = char_right(e, e->pos);
		return SH_ED_REDRAW;
	case 0x0b: /* Ctrl-K */
		delete_range(e, e->pos, e->len, true);
		return SH_ED_REDRAW;
	case 0x15: /* Ctrl-U */
		delete_range(e, 0, e->pos, true);
		return SH_ED_REDRAW;
	case 0x17: { /* Ctrl-W: back over blanks, then over non-blanks */
		size_t p = e->pos;
		while (p > 0 && (e->buf[p - 1] == ' ' || e->buf[p - 1] == '\t'))
			p--;
		while (p > 0 && e->buf[p - 1] != ' ' && e->buf[p - 1] != '\t')
			p--;
		delete_range(e, p, e->pos, true);
		return SH_ED_REDRAW;
	}
	case 0x19: /* Ctrl-Y */
		if (!e->killn || !sh_ed_insert(e, e->kill, e->killn))
			return SH_ED_BELL;
		return SH_ED_REDRAW;
	case 0x7f:
	case 0x08: /* Backspace */
		if (e->pos == 0)
			return SH_ED_BELL;
		delete_range(e, char_left(e, e->pos), e->pos, false);
		return SH_ED_REDRAW;
	case 0x04: /* Ctrl-D */
		if (e->len == 0)
			return SH_ED_EOF;
		if (e->pos == e->len)
			return SH_ED_BELL;
		delete_range(e, e->pos, char_right(e, e->pos), false);
		return SH_ED_REDRAW;
	case 0x03: /* Ctrl-C */
		return SH_ED_INTR;
	case 0x09:
		return SH_ED_COMPLETE;
	case 0x0c:
		return SH_ED_CLEAR;
	case 0x10: /* Ctrl-P */
		return browse(e, -1);
	case 0x0e: /* Ctrl-N */
		return browse(e, 1);
	case 0x12: /* Ctrl-R */
		e->search = true;
		e->qn = 0;
		e->sidx = -1;
		e->sfail = false;
		return SH_ED_REDRAW;
	case 0x1b:
		e->esc = 1;
		return SH_ED_NONE;
	default:
		if (c < 0x20)
			return SH_ED_BELL;
		if (!sh_ed_insert(e, (const char *)&c, 1))
			return SH_ED_BELL;
		return SH_ED_REDRAW;
	}
}

enum sh_ed_result sh_ed_feed(struct sh_ed *e, unsigned char c)
{
	if (e->esc)
		return escape(e, c);
	if (e->search) {
		if (c == 0x1b) {
			/* Escape (or an arrow, which starts with it) takes the match to edit */
			search_take(e);
			e->esc = 1;
			return SH_ED_REDRAW;
		}
		return search_key(e, c);
	}
	return feed_key(e, c);
}

size_t sh_ed_render(const struct sh_ed *e, const char *prompt, char *out, size_t cap)
{
	int n;
	if (e->search) {
		const char *m = e->sidx >= 0 ? sh_hist_get(e->hist, (unsigned)e->sidx) : "";
		n = snprintf(out, cap, "\r(%sreverse-i-search)`%.*s': %s\x1b[K",
		             e->sfail ? "failed " : "", (int)e->qn, e->query, m);
	} else {
		n = snprintf(out, cap, "\r%s%.*s\x1b[K", prompt, (int)e->len, e->buf);
		/* back over the columns after the cursor */
		size_t cols = wc_text_width(e->buf + e->pos, e->len - e->pos);
		if (n >= 0 && (size_t)n < cap && cols)
			n += snprintf(out + n, cap - (size_t)n, "\x1b[%zuD", cols);
	}
	if (n < 0)
		return 0;
	return (size_t)n < cap ? (size_t)n : cap - 1;
}
