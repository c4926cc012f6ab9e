/*
 * screen.c - a vt on the framebuffer: the display (dev:///display/vga0, else
 * fb0, or the one --display names) mapped once, a grid of font-sized
 * cells from the top-left corner, and a copy of what each cell shows so a
 * redraw only touches the cells that changed (the framebuffer is write-combined:
 * never read back). The cursor is the cell drawn in reverse while the blink
 * phase is on and the program has not hidden it.
 */
#include "console.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <abi/errors.h>

/* The 16 colours (VGA's), XRGB8888: 0-7 normal, 8-15 bright. */
static const uint32_t palette[16] = {
    0x000000, 0xaa0000, 0x00aa00, 0xaa5500, 0x0000aa, 0xaa00aa, 0x00aaaa, 0xaaaaaa,
    0x555555, 0xff5555, 0x55ff55, 0xffff55, 0x5555ff, 0xff55ff, 0x55ffff, 0xffffff,
};

static const char *const display_names[] = {"dev:///display/vga0", "dev:///display/fb0"};

int screen_open(struct screen *scr, const struct font *f, const char *uri)
{
	long r = ERR_NOT_FOUND;
	for (unsigned i = 0; i < 2 && r < 0; i++)
		r = ch_display_open(&scr->disp, uri ? uri : display_names[i], HANDLE_INVALID);
	if (r < 0)
		return (int)r;
	if ((r = ch_display_map(&scr->disp)) < 0)
		goto fail;
	const struct display_mode *m = &scr->disp.info.current;
	scr->px = scr->disp.pixels;
	scr->stride = m->pitch / 4;
	scr->width = m->width;
	scr->height = m->height;
	scr->cols = m->width / f->width;
	scr->rows = m->height / f->height;
	if (scr->cols > VT_MAX_COLS)
		scr->cols = VT_MAX_COLS;
	if (scr->rows > VT_MAX_ROWS)
		scr->rows = VT_MAX_ROWS;
	r = ERR_NOT_SUPPORTED;
	if (!scr->cols || !scr->rows)
		goto fail;
	scr->shown = calloc((size_t)scr->cols * scr->rows, sizeof(struct vt_cell));
	r = ERR_NO_MEMORY;
	if (!scr->shown)
		goto fail;
	for (uint32_t y = 0; y < scr->height; y++) /* clear, margins included */
		memset(&scr->px[(size_t)y * scr->stride], 0, (size_t)scr->width * 4);
	ch_display_flush(&scr->disp, 0, 0, scr->width, scr->height);
	scr->present = true;
	scr->shown_vt = 0;
	return 0;
fail:
	ch_display_close(&scr->disp);
	return (int)r;
}

static void draw_cell(struct screen *scr, const struct font *f, unsigned row, unsigned col,
                      const struct vt_cell *c, bool cursor)
{
	unsigned fg = c->fg & 15, bg = c->bg & 15;
	if ((c->attr & VT_ATTR_BOLD) && fg < 8)
		fg += 8;
	bool rev = ((c->attr & VT_ATTR_REVERSE) != 0) ^ cursor;
	uint32_t fpx = palette[rev ? bg : fg], bpx = palette[rev ? fg : bg];
	/* a wide character's glyph is the font's one-cell one (Terminus has no CJK:
	 * U+FFFD's), and its right half is blank */
	const uint8_t *bits =
	    font_bits(f, font_index(f, c->cp == VT_WIDE_RIGHT ? (uint32_t)' ' : c->cp));
	uint32_t *line = &scr->px[(size_t)row * f->height * scr->stride + (size_t)col * f->width];
	for (uint32_t y = 0; y < f->height; y++, bits += f->stride, line += scr->stride) {
		bool under = (c->attr & VT_ATTR_UNDERLINE) && y == f->height - 1;
		for (uint32_t x = 0; x < f->width; x++)
			line[x] = under || (bits[x >> 3] >> (7 - (x & 7)) & 1) ? fpx : bpx;
	}
}

static bool same(const struct vt_cell *a, const struct vt_cell *b)
{
	return a->cp == b->cp && a->fg == b->fg && a->bg == b->bg && a->attr == b->attr;
}

void screen_draw(struct screen *scr, const struct font *f, struct vt *vt, unsigned vtno)
{
	if (!scr->present)
		return;
	bool all = scr->shown_vt != vtno;
	unsigned rows = vt->rows < scr->rows ? vt->rows : scr->rows;
	unsigned cols = vt->cols < scr->cols ? vt->cols : scr->cols;
	unsigned crow = vt->row, ccol = vt->col < vt->cols ? vt->col : vt->cols - 1;
	bool cursor = vt->cursor_visible && scr->cursor_on && vt->view == 0;
	unsigned y0 = rows, y1 = 0;

	/* the cell under the old cursor is redrawn as it is now */
	if (scr->shown_cursor && scr->shown_row < scr->rows && scr->shown_col < scr->cols)
		scr->shown[(size_t)scr->shown_row * scr->cols + scr->shown_col].cp = 0xffffffffu;
	for (unsigned r = 0; r < rows; r++) {
		const struct vt_cell *line = vt_view_row(vt, r);
		for (unsigned c = 0; c < cols; c++) {
			struct vt_cell *s = &scr->shown[(size_t)r * scr->cols + c];
			bool here = cursor && r == crow && c == ccol;
			if (!all && !here && same(s, &line[c]))
				continue;
			draw_cell(scr, f, r, c, &line[c], here);
			*s = line[c];
			if (here)
				s->cp = 0xffffffffu; /* drawn with the cursor: redraw next time */
			y0 = r < y0 ? r : y0;
			y1 = r + 1 > y1 ? r + 1 : y1;
		}
	}
	scr->shown_cursor = cursor;
	scr->shown_row = crow;
	scr->shown_col = ccol;
	scr->shown_vt = vtno;
	if (y1 > y0)
		ch_display_flush(&scr->disp, 0, y0 * f->height, cols * f->width,
		                 (y1 - y0) * f->height);
}

void screen_blink(struct screen *scr)
{
	scr->cursor_on = !scr->cursor_on;
}
