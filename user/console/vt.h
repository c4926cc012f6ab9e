/*
 * vt.h - the console's terminal emulator: a screen model fed with the bytes a
 * program writes (UTF-8 text and a VT100/xterm subset of escape sequences,
 * docs/terminal.md), kept as a grid of cells the renderer draws.
 *
 * Pure: no system calls, memory from malloc only at vt_init, so it builds for
 * the host (tests/host/test_console.c, tests/fuzz/fuzz_vt.c). The input is
 * hostile: any byte sequence leaves every index in range (row < rows, col <=
 * cols, where col == cols is only ever a pending wrap) and the parser's state
 * bounded (at most VT_MAX_PARAMS parameters, each clamped to VT_PARAM_MAX; a
 * sequence longer than VT_SEQ_MAX bytes is dropped).
 *
 * Two screens (the primary one and the alternate one of mode 1049), a scroll
 * region, a saved cursor per screen, and a scrollback ring of lines that
 * scrolled off the top of the primary screen (the view may be moved back into
 * it: vt_scroll_view). Answers the terminal owes the program (a cursor
 * position report) collect in vt->answer for the caller to send as input.
 */
#pragma once
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#define VT_MAX_COLS 512u
#define VT_MAX_ROWS 256u
#define VT_MAX_SCROLLBACK 10000u
#define VT_MAX_PARAMS 16u
#define VT_PARAM_MAX 9999u
#define VT_SEQ_MAX 256u /* bytes of one escape sequence (OSC strings included) */
#define VT_TAB 8u

#define VT_ATTR_BOLD 0x1u
#define VT_ATTR_REVERSE 0x2u
#define VT_ATTR_UNDERLINE 0x4u

#define VT_DEFAULT_FG 7u
#define VT_DEFAULT_BG 0u

/* The code point of the cell right of a wide character (which takes two): drawn blank. */
#define VT_WIDE_RIGHT 0u

struct vt_cell {
	uint32_t cp; /* code point shown (' ' when blank; VT_WIDE_RIGHT) */
	uint8_t fg, bg; /* palette indices 0..15 */
	uint8_t attr; /* VT_ATTR_* */
	uint8_t reserved;
};

struct vt_cursor {
	unsigned row, col;
	uint8_t fg, bg, attr;
	bool wrap_pending;
};

enum vt_state { VT_GROUND, VT_ESC, VT_ESC_SKIP, VT_CSI, VT_OSC, VT_OSC_ESC };

struct vt {
	unsigned cols, rows;
	struct vt_cell *primary, *alternate; /* rows * cols each */
	struct vt_cell *grid; /* the screen shown: primary or alternate */
	bool alt_active;

	struct vt_cell *sb; /* scrollback ring: sb_max lines of cols cells */
	unsigned sb_max, sb_count, sb_next; /* sb_next: where the next line goes */
	unsigned view; /* lines scrolled back (0: the live screen) */

	unsigned row, col; /* col == cols: a wrap is pending */
	uint8_t fg, bg, attr;
	unsigned top, bottom; /* scroll region, inclusive */
	bool cursor_visible, autowrap;
	bool lf_crlf; /* '\n' also returns the carriage ("\n" -> "\r\n") */
	struct vt_cursor saved[2]; /* ESC 7 / CSI s: per screen */

	enum vt_state state;
	unsigned seq_len;
	unsigned nparams; /* parameters seen (the last one may be empty) */
	uint32_t params[VT_MAX_PARAMS];
	char priv; /* '?' '>' '=' '<' after CSI, else 0 */
	char inter; /* an intermediate byte (0x20-0x2f), else 0 */

	uint32_t utf8_cp;
	unsigned utf8_need;
	uint32_t utf8_min; /* smallest code point the sequence may encode */

	unsigned generation; /* bumped by every change of the screen */
	char answer[64]; /* bytes owed to the program as input (reports) */
	unsigned answer_len;
};

/* Sets vt up for cols x rows (each 1..VT_MAX_*) with scrollback lines (0..
 * VT_MAX_SCROLLBACK). 0, ERR_INVALID_ARGS or ERR_NO_MEMORY. */
int vt_init(struct vt *vt, unsigned cols, unsigned rows, unsigned scrollback);
void vt_free(struct vt *vt);

/* Feeds len bytes of program output. */
void vt_write(struct vt *vt, const void *buf, size_t len);

/* Full reset (ESC c): both screens blank, attributes and modes default. */
void vt_reset(struct vt *vt);

/* Row r (0..rows-1) of what is shown: the live screen, or scrollback while the
 * view is moved back. */
const struct vt_cell *vt_view_row(const struct vt *vt, unsigned r);

/* Moves the view back (lines > 0) or forward (< 0) in the scrollback, clamped;
 * vt_scroll_view(vt, 0) does nothing, output does not move it (the caller
 * returns to the live screen on a key, as xterm does). */
void vt_scroll_view(struct vt *vt, int lines);
void vt_view_live(struct vt *vt);
