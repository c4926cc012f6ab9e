/*
 * vt.c - the console's terminal emulator (vt.h): a byte-at-a-time state
 * machine (ground, ESC, CSI, OSC) over a UTF-8 decoder, acting on a grid of
 * cells. Every cursor move is clamped to the screen (and, for the moves that
 * respect it, to the scroll region), so no sequence can index outside a grid.
 */
#include "vt.h"

#include <stdlib.h>
#include <string.h>

#include <abi/errors.h>
#include <charlotte/wcwidth.h>

#define ESC 0x1b
#define REPLACEMENT 0xfffdu

static unsigned min_u(unsigned a, unsigned b)
{
	return a < b ? a : b;
}

static struct vt_cell blank(const struct vt *vt)
{
	/* Erased cells take the current background (xterm's bce), never reverse. */
	return (struct vt_cell){' ', vt->fg, vt->bg, 0, 0};
}

static struct vt_cell *cell(struct vt *vt, unsigned r, unsigned c)
{
	return &vt->grid[(size_t)r * vt->cols + c];
}

static void fill(struct vt *vt, unsigned r, unsigned c0, unsigned c1)
{
	struct vt_cell b = blank(vt);
	for (unsigned c = c0; c < c1 && c < vt->cols; c++)
		*cell(vt, r, c) = b;
}

static void fill_rows(struct vt *vt, unsigned r0, unsigned r1)
{
	for (unsigned r = r0; r < r1 && r < vt->rows; r++)
		fill(vt, r, 0, vt->cols);
}

/* --- setup ------------------------------------------------------------ */

static void modes_default(struct vt *vt)
{
	vt->fg = VT_DEFAULT_FG;
	vt->bg = VT_DEFAULT_BG;
	vt->attr = 0;
	vt->top = 0;
	vt->bottom = vt->rows - 1;
	vt->cursor_visible = true;
	vt->autowrap = true;
	vt->row = vt->col = 0;
	vt->state = VT_GROUND;
	vt->utf8_need = 0;
	for (int i = 0; i < 2; i++)
		vt->saved[i] = (struct vt_cursor){0, 0, VT_DEFAULT_FG, VT_DEFAULT_BG, 0, false};
}

int vt_init(struct vt *vt, unsigned cols, unsigned rows, unsigned scrollback)
{
	memset(vt, 0, sizeof(*vt));
	if (cols == 0 || cols > VT_MAX_COLS || rows == 0 || rows > VT_MAX_ROWS ||
	    scrollback > VT_MAX_SCROLLBACK)
		return ERR_INVALID_ARGS;
	size_t n = (size_t)cols * rows;
	vt->primary = malloc(n * sizeof(struct vt_cell));
	vt->alternate = malloc(n * sizeof(struct vt_cell));
	vt->sb = scrollback ? malloc((size_t)scrollback * cols * sizeof(struct vt_cell)) : NULL;
	if (!vt->primary || !vt->alternate || (scrollback && !vt->sb)) {
		vt_free(vt);
		return ERR_NO_MEMORY;
	}
	vt->cols = cols;
	vt->rows = rows;
	vt->sb_max = scrollback;
	vt->lf_crlf = true;
	vt_reset(vt);
	return 0;
}

void vt_free(struct vt *vt)
{
	free(vt->primary);
	free(vt->alternate);
	free(vt->sb);
	memset(vt, 0, sizeof(*vt));
}

void vt_reset(struct vt *vt)
{
	modes_default(vt);
	vt->alt_active = false;
	vt->grid = vt->alternate;
	fill_rows(vt, 0, vt->rows);
	vt->grid = vt->primary;
	fill_rows(vt, 0, vt->rows);
	vt->sb_count = vt->sb_next = vt->view = 0;
	vt->generation++;
}

/* --- scrolling -------------------------------------------------------- */

static void push_scrollback(struct vt *vt, unsigned r)
{
	if (!vt->sb_max)
		return;
	memcpy(&vt->sb[(size_t)vt->sb_next * vt->cols], cell(vt, r, 0),
	       vt->cols * sizeof(struct vt_cell));
	vt->sb_next = (vt->sb_next + 1) % vt->sb_max;
	if (vt->sb_count < vt->sb_max)
		vt->sb_count++;
	if (vt->view) /* the view keeps showing the same lines */
		vt->view = min_u(vt->view + 1, vt->sb_count);
}

/* Rows [top, bottom] move up n; n blank rows come in at the bottom. */
static void scroll_up(struct vt *vt, unsigned top, unsigned bottom, unsigned n)
{
	unsigned height = bottom - top + 1;
	n = min_u(n, height);
	if (!vt->alt_active && top == 0)
		for (unsigned i = 0; i < n; i++)
			push_scrollback(vt, i);
	memmove(cell(vt, top, 0), cell(vt, top + n, 0),
	        (size_t)(height - n) * vt->cols * sizeof(struct vt_cell));
	fill_rows(vt, bottom + 1 - n, bottom + 1);
}

/* Rows [top, bottom] move down n; n blank rows come in at the top. */
static void scroll_down(struct vt *vt, unsigned top, unsigned bottom, unsigned n)
{
	unsigned height = bottom - top + 1;
	n = min_u(n, height);
	memmove(cell(vt, top + n, 0), cell(vt, top, 0),
	        (size_t)(height - n) * vt->cols * sizeof(struct vt_cell));
	fill_rows(vt, top, top + n);
}

/* CSI M: rows [row, bottom] move up n (never into the scrollback). */
static void delete_lines(struct vt *vt, unsigned n)
{
	unsigned height = vt->bottom - vt->row + 1;
	n = min_u(n, height);
	memmove(cell(vt, vt->row, 0), cell(vt, vt->row + n, 0),
	        (size_t)(height - n) * vt->cols * sizeof(struct vt_cell));
	fill_rows(vt, vt->bottom + 1 - n, vt->bottom + 1);
}

static void line_feed(struct vt *vt)
{
	if (vt->row == vt->bottom)
		scroll_up(vt, vt->top, vt->bottom, 1);
	else if (vt->row + 1 < vt->rows)
		vt->row++;
}

static void reverse_index(struct vt *vt)
{
	if (vt->row == vt->top)
		scroll_down(vt, vt->top, vt->bottom, 1);
	else if (vt->row > 0)
		vt->row--;
}

/* --- text ------------------------------------------------------------- */

/*
 * A character of width 1 or 2 (wcwidth.h) at the cursor. A wide one takes its
 * cell and the next, whose code point is VT_WIDE_RIGHT; one that does not fit
 * in the last column goes to the next line first (with autowrap; without, it
 * is put in the last two columns), as xterm does. On a one-column screen it
 * takes one cell.
 */
static void put_glyph(struct vt *vt, uint32_t cp, unsigned width)
{
	if (width > vt->cols)
		width = vt->cols;
	if (vt->col + width > vt->cols) {
		if (vt->autowrap) {
			if (vt->col < vt->cols) /* what the wide one leaves: blank */
				fill(vt, vt->row, vt->col, vt->cols);
			vt->col = 0;
			line_feed(vt);
		} else {
			vt->col = vt->cols - width;
		}
	}
	*cell(vt, vt->row, vt->col) = (struct vt_cell){cp, vt->fg, vt->bg, vt->attr, 0};
	if (width == 2)
		*cell(vt, vt->row, vt->col + 1) =
		    (struct vt_cell){VT_WIDE_RIGHT, vt->fg, vt->bg, vt->attr, 0};
	vt->col += width;
}

static void control(struct vt *vt, uint8_t c)
{
	switch (c) {
	case '\n':
	case '\v':
	case '\f':
		if (vt->lf_crlf)
			vt->col = 0;
		line_feed(vt);
		break;
	case '\r':
		vt->col = 0;
		break;
	case '\b':
		if (vt->col >= vt->cols)
			vt->col = vt->cols - 1;
		if (vt->col > 0)
			vt->col--;
		break;
	case '\t': {
		unsigned next = (vt->col / VT_TAB + 1) * VT_TAB;
		vt->col = min_u(next, vt->cols - 1);
		break;
	}
	case ESC:
		vt->state = VT_ESC;
		vt->seq_len = 0;
		break;
	default: /* BEL and the other C0 controls: nothing */
		break;
	}
}

/* --- CSI -------------------------------------------------------------- */

static unsigned param(const struct vt *vt, unsigned i, unsigned dflt)
{
	return i < vt->nparams && vt->params[i] ? vt->params[i] : dflt;
}

static void cursor_to(struct vt *vt, unsigned row, unsigned col)
{
	vt->row = min_u(row, vt->rows - 1);
	vt->col = min_u(col, vt->cols - 1);
}

static void save_cursor(struct vt *vt)
{
	vt->saved[vt->alt_active] = (struct vt_cursor){
	    vt->row, min_u(vt->col, vt->cols - 1), vt->fg, vt->bg, vt->attr, vt->col >= vt->cols};
}

static void restore_cursor(struct vt *vt)
{
	const struct vt_cursor *s = &vt->saved[vt->alt_active];
	cursor_to(vt, s->row, s->col);
	if (s->wrap_pending)
		vt->col = vt->cols;
	vt->fg = s->fg;
	vt->bg = s->bg;
	vt->attr = s->attr;
}

static void erase_display(struct vt *vt, unsigned how)
{
	unsigned col = min_u(vt->col, vt->cols);
	if (how == 0) {
		fill(vt, vt->row, col, vt->cols);
		fill_rows(vt, vt->row + 1, vt->rows);
	} else if (how == 1) {
		fill_rows(vt, 0, vt->row);
		fill(vt, vt->row, 0, col + 1);
	} else if (how == 2) {
		fill_rows(vt, 0, vt->rows);
	} else if (how == 3 && !vt->alt_active) {
		vt->sb_count = vt->sb_next = vt->view = 0; /* xterm: clear the scrollback */
	}
}

static void erase_line(struct vt *vt, unsigned how)
{
	unsigned col = min_u(vt->col, vt->cols);
	if (how == 0)
		fill(vt, vt->row, col, vt->cols);
	else if (how == 1)
		fill(vt, vt->row, 0, col + 1);
	else if (how == 2)
		fill(vt, vt->row, 0, vt->cols);
}

/* Insert (ins) or delete n cells at the cursor, within the line. */
static void shift_cells(struct vt *vt, unsigned n, bool ins)
{
	unsigned col = min_u(vt->col, vt->cols - 1);
	n = min_u(n, vt->cols - col);
	struct vt_cell *line = cell(vt, vt->row, 0);
	size_t keep = vt->cols - col - n;
	if (ins) {
		memmove(&line[col + n], &line[col], keep * sizeof(*line));
		fill(vt, vt->row, col, col + n);
	} else {
		memmove(&line[col], &line[col + n], keep * sizeof(*line));
		fill(vt, vt->row, vt->cols - n, vt->cols);
	}
}

static void sgr_color(struct vt *vt, unsigned *i, bool fg)
{
	/* 38;5;n and 38;2;r;g;b: a colour of the 256 or RGB; shown as the nearest of
	 * the first 16 only for n < 16, otherwise left as it was. */
	unsigned kind = param(vt, *i + 1, 0);
	if (kind == 5) {
		unsigned n = *i + 2 < vt->nparams ? vt->params[*i + 2] : 0;
		if (n < 16) {
			if (fg)
				vt->fg = (uint8_t)n;
			else
				vt->bg = (uint8_t)n;
		}
		*i += 2;
	} else if (kind == 2) {
		*i += 4;
	} else {
		*i += 1;
	}
}

static void sgr(struct vt *vt)
{
	unsigned n = vt->nparams ? vt->nparams : 1;
	for (unsigned i = 0; i < n && i < VT_MAX_PARAMS; i++) {
		unsigned p = i < vt->nparams ? vt->params[i] : 0;
		if (p == 0) {
			vt->fg = VT_DEFAULT_FG;
			vt->bg = VT_DEFAULT_BG;
			vt->attr = 0;
		} else if (p == 1) {
			vt->attr |= VT_ATTR_BOLD;
		} else if (p == 4) {
			vt->attr |= VT_ATTR_UNDERLINE;
		} else if (p == 7) {
			vt->attr |= VT_ATTR_REVERSE;
		} else if (p == 22) {
			vt->attr &= (uint8_t)~VT_ATTR_BOLD;
		} else if (p == 24) {
			vt->attr &= (uint8_t)~VT_ATTR_UNDERLINE;
		} else if (p == 27) {
			vt->attr &= (uint8_t)~VT_ATTR_REVERSE;
		} else if (p >= 30 && p <= 37) {
			vt->fg = (uint8_t)(p - 30);
		} else if (p == 39) {
			vt->fg = VT_DEFAULT_FG;
		} else if (p >= 40 && p <= 47) {
			vt->bg = (uint8_t)(p - 40);
		} else if (p == 49) {
			vt->bg = VT_DEFAULT_BG;
		} else if (p >= 90 && p <= 97) {
			vt->fg = (uint8_t)(p - 90 + 8);
		} else if (p >= 100 && p <= 107) {
			vt->bg = (uint8_t)(p - 100 + 8);
		} else if (p == 38 || p == 48) {
			sgr_color(vt, &i, p == 38);
		}
	}
}

static void answer(struct vt *vt, const char *s, unsigned len)
{
	if (len <= sizeof(vt->answer) - vt->answer_len) {
		memcpy(vt->answer + vt->answer_len, s, len);
		vt->answer_len += len;
	}
}

static void device_status(struct vt *vt)
{
	char buf[32];
	unsigned p = param(vt, 0, 0), n = 0;
	if (p == 5) {
		answer(vt, "\x1b[0n", 4);
		return;
	}
	if (p != 6)
		return;
	/* ESC [ row ; col R, 1-based; both at most VT_MAX_ROWS/COLS (3 digits) */
	unsigned v[2] = {vt->row + 1, min_u(vt->col, vt->cols - 1) + 1};
	buf[n++] = ESC;
	buf[n++] = '[';
	for (int k = 0; k < 2; k++) {
		char d[4];
		int nd = 0;
		do {
			d[nd++] = (char)('0' + v[k] % 10);
			v[k] /= 10;
		} while (v[k] && nd < 4);
		while (nd)
			buf[n++] = d[--nd];
		buf[n++] = k ? 'R' : ';';
	}
	answer(vt, buf, n);
}

static void set_alt_screen(struct vt *vt, bool on, bool cursor)
{
	if (on == vt->alt_active)
		return;
	if (on) {
		if (cursor)
			save_cursor(vt);
		vt->alt_active = true;
		vt->grid = vt->alternate;
		fill_rows(vt, 0, vt->rows);
	} else {
		vt->alt_active = false;
		vt->grid = vt->primary;
		if (cursor)
			restore_cursor(vt);
	}
}

static void private_mode(struct vt *vt, bool on)
{
	for (unsigned i = 0; i < vt->nparams; i++) {
		switch (vt->params[i]) {
		case 7:
			vt->autowrap = on;
			break;
		case 25:
			vt->cursor_visible = on;
			break;
		case 47:
		case 1047:
			set_alt_screen(vt, on, false);
			break;
		case 1048:
			if (on)
				save_cursor(vt);
			else
				restore_cursor(vt);
			break;
		case 1049:
			set_alt_screen(vt, on, true);
			break;
		default:
			break;
		}
	}
}

static void set_region(struct vt *vt)
{
	unsigned top = param(vt, 0, 1), bottom = param(vt, 1, vt->rows);
	bottom = min_u(bottom, vt->rows);
	if (top >= bottom)
		return; /* xterm ignores a region of fewer than two lines */
	vt->top = top - 1;
	vt->bottom = bottom - 1;
	cursor_to(vt, 0, 0);
}

/* Cursor moves that stop at the scroll region when they start inside it. */
static void cursor_up(struct vt *vt, unsigned n)
{
	unsigned limit = vt->row >= vt->top ? vt->top : 0;
	vt->row = vt->row >= limit + n ? vt->row - n : limit;
	vt->col = min_u(vt->col, vt->cols - 1);
}

static void cursor_down(struct vt *vt, unsigned n)
{
	unsigned limit = vt->row <= vt->bottom ? vt->bottom : vt->rows - 1;
	vt->row = vt->row + n <= limit ? vt->row + n : limit;
	vt->col = min_u(vt->col, vt->cols - 1);
}

static void csi_dispatch(struct vt *vt, uint8_t final)
{
	unsigned n = param(vt, 0, 1);
	unsigned col = min_u(vt->col, vt->cols - 1);
	if (vt->priv == '?') {
		if (final == 'h' || final == 'l')
			private_mode(vt, final == 'h');
		return;
	}
	if (vt->priv || vt->inter)
		return; /* other private or intermediate forms: not ours */
	switch (final) {
	case 'A':
		cursor_up(vt, n);
		break;
	case 'B':
	case 'e':
		cursor_down(vt, n);
		break;
	case 'C':
	case 'a':
		vt->col = min_u(col + min_u(n, vt->cols), vt->cols - 1);
		break;
	case 'D':
		vt->col = col >= n ? col - n : 0;
		break;
	case 'E':
		cursor_down(vt, n);
		vt->col = 0;
		break;
	case 'F':
		cursor_up(vt, n);
		vt->col = 0;
		break;
	case 'G':
	case '`':
		vt->col = min_u(n - 1, vt->cols - 1);
		break;
	case 'd':
		vt->row = min_u(n - 1, vt->rows - 1);
		vt->col = col;
		break;
	case 'H':
	case 'f':
		cursor_to(vt, n - 1, param(vt, 1, 1) - 1);
		break;
	case 'J':
		erase_display(vt, param(vt, 0, 0));
		break;
	case 'K':
		erase_line(vt, param(vt, 0, 0));
		break;
	case 'L':
		if (vt->row >= vt->top && vt->row <= vt->bottom) {
			scroll_down(vt, vt->row, vt->bottom, n);
			vt->col = 0;
		}
		break;
	case 'M':
		if (vt->row >= vt->top && vt->row <= vt->bottom) {
			delete_lines(vt, n);
			vt->col = 0;
		}
		break;
	case '@':
		shift_cells(vt, n, true);
		break;
	case 'P':
		shift_cells(vt, n, false);
		break;
	case 'X':
		fill(vt, vt->row, col, col + min_u(n, vt->cols));
		break;
	case 'S':
		scroll_up(vt, vt->top, vt->bottom, n);
		break;
	case 'T':
		scroll_down(vt, vt->top, vt->bottom, n);
		break;
	case 'm':
		sgr(vt);
		break;
	case 'r':
		set_region(vt);
		break;
	case 's':
		save_cursor(vt);
		break;
	case 'u':
		restore_cursor(vt);
		break;
	case 'n':
		device_status(vt);
		break;
	case 'c':
		if (param(vt, 0, 0) == 0)
			answer(vt, "\x1b[?6c", 5); /* a VT102 */
		break;
	default:
		break;
	}
}

/* --- the state machine -------------------------------------------------- */

static void csi_byte(struct vt *vt, uint8_t c)
{
	if (c >= '0' && c <= '9') {
		if (vt->nparams == 0)
			vt->nparams = 1;
		if (vt->nparams <= VT_MAX_PARAMS) {
			uint32_t *p = &vt->params[vt->nparams - 1];
			*p = *p * 10 + (uint32_t)(c - '0');
			if (*p > VT_PARAM_MAX)
				*p = VT_PARAM_MAX;
		}
	} else if (c == ';' || c == ':') {
		if (vt->nparams == 0)
			vt->nparams = 1;
		if (vt->nparams < VT_MAX_PARAMS)
			vt->params[vt->nparams++] = 0;
		else
			vt->nparams = VT_MAX_PARAMS + 1; /* too many: the rest are dropped */
	} else if (c >= '<' && c <= '?') {
		if (vt->seq_len == 1)
			vt->priv = (char)c;
		else
			vt->inter = '!'; /* a marker out of place: ignore the sequence */
	} else if (c >= 0x20 && c <= 0x2f) {
		vt->inter = (char)c;
	} else if (c >= 0x40 && c <= 0x7e) {
		if (vt->nparams > VT_MAX_PARAMS)
			vt->nparams = VT_MAX_PARAMS;
		csi_dispatch(vt, c);
		vt->state = VT_GROUND;
	}
}

static void esc_byte(struct vt *vt, uint8_t c)
{
	vt->state = VT_GROUND;
	switch (c) {
	case '[':
		vt->state = VT_CSI;
		vt->seq_len = 0; /* counts the CSI's own bytes: a marker only at 1 */
		vt->nparams = 0;
		vt->priv = vt->inter = 0;
		memset(vt->params, 0, sizeof(vt->params));
		break;
	case ']':
	case 'P': /* DCS */
	case '_': /* APC */
	case '^': /* PM */
	case 'X': /* SOS */
		vt->state = VT_OSC; /* a string up to BEL or ST: skipped */
		break;
	case '(':
	case ')':
	case '*':
	case '+':
	case '#':
	case '%':
		vt->state = VT_ESC_SKIP; /* one more byte: a charset or test, ignored */
		break;
	case '7':
		save_cursor(vt);
		break;
	case '8':
		restore_cursor(vt);
		break;
	case 'D':
		line_feed(vt);
		break;
	case 'E':
		vt->col = 0;
		line_feed(vt);
		break;
	case 'M':
		reverse_index(vt);
		break;
	case 'c':
		vt_reset(vt);
		break;
	default: /* ESC = / ESC > (keypad modes) and the rest: ignored */
		break;
	}
}

static void codepoint(struct vt *vt, uint32_t cp)
{
	if (cp < 0x20 || cp == 0x7f) {
		control(vt, (uint8_t)cp);
	} else if (cp >= 0x80 && cp < 0xa0) {
		/* C1 controls: dropped */
	} else {
		/* combining marks, joiners, variation selectors (width 0): not drawn */
		int w = wc_width(cp);
		if (w > 0)
			put_glyph(vt, cp, (unsigned)w);
	}
}

/* UTF-8 into code points; a broken sequence shows U+FFFD and the byte is re-read. */
static void text_byte(struct vt *vt, uint8_t c)
{
	if (vt->utf8_need) {
		if ((c & 0xc0) == 0x80) {
			vt->utf8_cp = vt->utf8_cp << 6 | (c & 0x3f);
			if (--vt->utf8_need == 0) {
				uint32_t cp = vt->utf8_cp;
				bool bad = cp < vt->utf8_min || cp > 0x10ffff ||
				           (cp >= 0xd800 && cp <= 0xdfff);
				codepoint(vt, bad ? REPLACEMENT : cp);
			}
			return;
		}
		vt->utf8_need = 0;
		codepoint(vt, REPLACEMENT);
	}
	if (c < 0x80) {
		codepoint(vt, c);
	} else if (c >= 0xc2 && c <= 0xdf) {
		vt->utf8_cp = c & 0x1f;
		vt->utf8_need = 1;
		vt->utf8_min = 0x80;
	} else if (c >= 0xe0 && c <= 0xef) {
		vt->utf8_cp = c & 0x0f;
		vt->utf8_need = 2;
		vt->utf8_min = 0x800;
	} else if (c >= 0xf0 && c <= 0xf4) {
		vt->utf8_cp = c & 0x07;
		vt->utf8_need = 3;
		vt->utf8_min = 0x10000;
	} else {
		codepoint(vt, REPLACEMENT);
	}
}

static void step(struct vt *vt, uint8_t c)
{
	if (vt->state != VT_GROUND && ++vt->seq_len > VT_SEQ_MAX) {
		vt->state = VT_GROUND; /* garbage must not swallow the output */
		text_byte(vt, c);
		return;
	}
	switch (vt->state) {
	case VT_GROUND:
		text_byte(vt, c);
		break;
	case VT_ESC:
		esc_byte(vt, c);
		break;
	case VT_ESC_SKIP:
		vt->state = VT_GROUND;
		break;
	case VT_CSI:
		if (c == ESC) {
			vt->state = VT_ESC;
			vt->seq_len = 0;
		} else if (c < 0x20) {
			control(vt, c); /* C0 inside a sequence acts and the sequence goes on */
		} else {
			csi_byte(vt, c);
		}
		break;
	case VT_OSC:
		if (c == 0x07)
			vt->state = VT_GROUND;
		else if (c == ESC)
			vt->state = VT_OSC_ESC;
		break;
	case VT_OSC_ESC: /* ESC \ ends the string; another ESC starts over */
		vt->state = c == '\\' ? VT_GROUND : VT_OSC;
		break;
	}
}

void vt_write(struct vt *vt, const void *buf, size_t len)
{
	const uint8_t *p = buf;
	if (!vt->grid || !len)
		return;
	for (size_t i = 0; i < len; i++)
		step(vt, p[i]);
	vt->generation++;
}

/* --- the view ----------------------------------------------------------- */

const struct vt_cell *vt_view_row(const struct vt *vt, unsigned r)
{
	if (r >= vt->rows)
		r = vt->rows - 1;
	if (vt->alt_active || vt->view == 0 || r >= vt->view)
		return &vt->grid[(size_t)(r - (vt->alt_active ? 0 : vt->view)) * vt->cols];
	/* line (view - r) back from the newest scrollback line */
	unsigned back = vt->view - r;
	unsigned idx = (vt->sb_next + vt->sb_max - back) % vt->sb_max;
	return &vt->sb[(size_t)idx * vt->cols];
}

void vt_scroll_view(struct vt *vt, int lines)
{
	long v = (long)vt->view + lines;
	if (vt->alt_active || v < 0)
		v = 0;
	if (v > (long)vt->sb_count)
		v = vt->sb_count;
	if ((unsigned)v != vt->view) {
		vt->view = (unsigned)v;
		vt->generation++;
	}
}

void vt_view_live(struct vt *vt)
{
	vt_scroll_view(vt, -(int)vt->view);
}
