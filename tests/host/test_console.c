/*
 * test_console.c - host tests for bin/console's pure parts: the terminal
 * emulator (user/console/vt.c), the line discipline (ldisc.c), the US keymap
 * (keymap.c) and the PSF font with its Unicode table (font.c).
 *
 * The emulator is checked cell by cell after each sequence, and fed 200,000
 * seeded random bytes (escape-heavy) with its invariants checked after every
 * chunk; the font parser gets the real Debian font (linked in as the kernel
 * links it) and hand-made broken ones; the line discipline is driven key by
 * key with its deliveries, echoes and events recorded.
 */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <cmocka.h>

#include <abi/dev/input.h>
#include <abi/errors.h>
#include <abi/term.h>

#include "../../user/console/font.h"
#include "../../user/console/keymap.h"
#include "../../user/console/ldisc.h"
#include "../../user/console/vt.h"

extern const uint8_t fbcon_font_start[], fbcon_font_end[];

/* --- vt ------------------------------------------------------------------ */

static struct vt vt;

static int vt_setup(void **state)
{
	(void)state;
	return vt_init(&vt, 20, 5, 50);
}

static int vt_teardown(void **state)
{
	(void)state;
	vt_free(&vt);
	return 0;
}

static void put(const char *s)
{
	vt_write(&vt, s, strlen(s));
}

/* Row r of the live screen as text (cells' code points below 128). */
static const char *row_text(unsigned r)
{
	static char buf[VT_MAX_COLS + 1];
	const struct vt_cell *c = vt_view_row(&vt, r);
	for (unsigned i = 0; i < vt.cols; i++)
		buf[i] = c[i].cp < 128 ? (char)c[i].cp : '#';
	buf[vt.cols] = '\0';
	return buf;
}

static void check_invariants(const struct vt *v)
{
	assert_true(v->row < v->rows);
	assert_true(v->col <= v->cols);
	assert_true(v->top <= v->bottom && v->bottom < v->rows);
	assert_true(v->nparams <= VT_MAX_PARAMS + 1);
	assert_true(v->sb_count <= v->sb_max && v->view <= v->sb_count);
	assert_true(v->answer_len <= sizeof(v->answer));
	assert_true(v->grid == (v->alt_active ? v->alternate : v->primary));
}

static void test_vt_text_and_wrap(void **state)
{
	(void)state;
	put("hello\nworld");
	assert_string_equal(row_text(0), "hello               ");
	assert_string_equal(row_text(1), "world               "); /* \n returns the carriage */
	put("\r\n01234567890123456789");
	assert_int_equal(vt.row, 2);
	assert_int_equal(vt.col, 20); /* a pending wrap, not yet a new line */
	put("x");
	assert_int_equal(vt.row, 3);
	assert_string_equal(row_text(3), "x                   ");
	put("\tA\bB");
	assert_string_equal(row_text(3), "x       B           ");
}

static void test_vt_cursor_moves(void **state)
{
	(void)state;
	put("\x1b[3;5HX");
	assert_int_equal(vt_view_row(&vt, 2)[4].cp, 'X');
	put("\x1b[2AY"); /* up 2 from row 2: row 0 */
	assert_int_equal(vt_view_row(&vt, 0)[5].cp, 'Y');
	put("\x1b[99B\x1b[99CZ"); /* clamped to the bottom right */
	assert_int_equal(vt_view_row(&vt, 4)[19].cp, 'Z');
	put("\x1b[H\x1b[3C\x1b[1DW");
	assert_int_equal(vt_view_row(&vt, 0)[2].cp, 'W');
	put("\x1b[0;0H\x1b[99999;99999H"); /* huge parameters clamp */
	check_invariants(&vt);
	assert_int_equal(vt.row, 4);
	put("\x1b[5G\x1b[2dQ");
	assert_int_equal(vt_view_row(&vt, 1)[4].cp, 'Q');
}

static void test_vt_erase(void **state)
{
	(void)state;
	put("aaaaa\r\nbbbbb\r\nccccc\x1b[2;3H");
	put("\x1b[K");
	assert_string_equal(row_text(1), "bb                  ");
	put("\x1b[1K");
	assert_string_equal(row_text(1), "                    ");
	put("\x1b[J");
	assert_string_equal(row_text(2), "                    ");
	assert_string_equal(row_text(0), "aaaaa               ");
	put("\x1b[2J");
	assert_string_equal(row_text(0), "                    ");
	put("\x1b[Habcdef\x1b[1;2H\x1b[2P");
	assert_string_equal(row_text(0), "adef                ");
	put("\x1b[2@");
	assert_string_equal(row_text(0), "a  def              ");
	put("\x1b[3X");
	assert_string_equal(row_text(0), "a   ef              ");
}

static void test_vt_sgr(void **state)
{
	(void)state;
	put("\x1b[1;31;44mA\x1b[7mB\x1b[0mC\x1b[92;103mD\x1b[38;5;4mE\x1b[38;2;1;2;3mF\x1b[39;"
	    "49mG");
	const struct vt_cell *c = vt_view_row(&vt, 0);
	assert_int_equal(c[0].fg, 1);
	assert_int_equal(c[0].bg, 4);
	assert_int_equal(c[0].attr, VT_ATTR_BOLD);
	assert_int_equal(c[1].attr, VT_ATTR_BOLD | VT_ATTR_REVERSE);
	assert_int_equal(c[2].fg, VT_DEFAULT_FG);
	assert_int_equal(c[2].attr, 0);
	assert_int_equal(c[3].fg, 10);
	assert_int_equal(c[3].bg, 11);
	assert_int_equal(c[4].fg, 4);
	assert_int_equal(c[5].fg, 4); /* RGB: kept, its arguments not read as codes */
	assert_int_equal(c[5].bg, 11);
	assert_int_equal(c[6].fg, VT_DEFAULT_FG);
	assert_int_equal(c[6].bg, VT_DEFAULT_BG);
}

static void test_vt_scroll_and_scrollback(void **state)
{
	(void)state;
	for (int i = 0; i < 8; i++) {
		char line[32];
		snprintf(line, sizeof(line), "line%d\n", i);
		put(line);
	}
	/* 8 lines and an empty one on 5 rows: lines 0-3 went to the scrollback */
	assert_string_equal(row_text(0), "line4               ");
	assert_int_equal(vt.sb_count, 4);
	vt_scroll_view(&vt, 2);
	assert_string_equal(row_text(0), "line2               ");
	assert_string_equal(row_text(2), "line4               ");
	vt_scroll_view(&vt, 100);
	assert_int_equal(vt.view, 4);
	assert_string_equal(row_text(0), "line0               ");
	vt_view_live(&vt);
	assert_string_equal(row_text(0), "line4               ");
	put("\x1b[3J");
	assert_int_equal(vt.sb_count, 0);
}

static void test_vt_region(void **state)
{
	(void)state;
	put("r0\r\nr1\r\nr2\r\nr3\r\nr4");
	put("\x1b[2;4r"); /* rows 1..3; the cursor goes home */
	assert_int_equal(vt.row, 0);
	put("\x1b[4;1H\n");
	assert_string_equal(row_text(0), "r0                  ");
	assert_string_equal(row_text(1), "r2                  ");
	assert_string_equal(row_text(3), "                    ");
	assert_string_equal(row_text(4), "r4                  ");
	assert_int_equal(vt.sb_count, 0); /* a region's scroll keeps nothing */
	put("\x1b[2;1H\x1bM"); /* reverse index at the top of the region */
	assert_string_equal(row_text(1), "                    ");
	assert_string_equal(row_text(2), "r2                  ");
	put("\x1b[2;1H\x1b[M");
	assert_string_equal(row_text(1), "r2                  ");
	put("\x1b[L");
	assert_string_equal(row_text(1), "                    ");
	put("\x1b[5;2r"); /* top >= bottom: ignored */
	assert_int_equal(vt.top, 1);
	put("\x1b[r");
	assert_int_equal(vt.top, 0);
	assert_int_equal(vt.bottom, 4);
}

static void test_vt_alt_screen_and_save(void **state)
{
	(void)state;
	put("main\x1b[2;3H\x1b[?1049h");
	assert_true(vt.alt_active);
	assert_string_equal(row_text(0), "                    ");
	put("alt");
	put("\x1b[?1049l");
	assert_false(vt.alt_active);
	assert_string_equal(row_text(0), "main                ");
	assert_int_equal(vt.row, 1);
	assert_int_equal(vt.col, 2);
	put("\x1b[31m\x1b"
	    "7\x1b[H\x1b[0m\x1b"
	    "8X");
	assert_int_equal(vt_view_row(&vt, 1)[2].fg, 1);
	put("\x1b[?25l");
	assert_false(vt.cursor_visible);
	put("\x1b[?25h\x1b[s\x1b[5;5H\x1b[u");
	assert_int_equal(vt.row, 1);
}

static void test_vt_utf8(void **state)
{
	(void)state;
	put("\xc3\xa9\xe2\x82\xac\xf0\x9f\x98\x80"); /* é € 😀 (wide: two cells) */
	const struct vt_cell *c = vt_view_row(&vt, 0);
	assert_int_equal(c[0].cp, 0xe9);
	assert_int_equal(c[1].cp, 0x20ac);
	assert_int_equal(c[2].cp, 0x1f600);
	assert_int_equal(c[3].cp, VT_WIDE_RIGHT);
	put("\xc3(\xff\xe0\x80\x80\xed\xa0\x80"); /* broken, invalid, overlong, surrogate */
	assert_int_equal(c[4].cp, 0xfffd);
	assert_int_equal(c[5].cp, '(');
	assert_int_equal(c[6].cp, 0xfffd);
	assert_int_equal(c[7].cp, 0xfffd);
	assert_int_equal(c[8].cp, 0xfffd);
	put("e\xcc\x81\xe2\x80\x8b"); /* a combining accent, a zero-width space: no cell */
	assert_int_equal(vt.col, 10);
}

/* East Asian wide characters take two cells (wcwidth.h, as the shell's editor
 * counts them); one that does not fit in the last column wraps first */
static void test_vt_wide(void **state)
{
	(void)state;
	put("\xe6\x97\xa5\xe6\x9c\xac"
	    "x"); /* 日本x */
	const struct vt_cell *c = vt_view_row(&vt, 0);
	assert_int_equal(c[0].cp, 0x65e5);
	assert_int_equal(c[1].cp, VT_WIDE_RIGHT);
	assert_int_equal(c[2].cp, 0x672c);
	assert_int_equal(c[3].cp, VT_WIDE_RIGHT);
	assert_int_equal(c[4].cp, 'x');
	assert_int_equal(vt.col, 5);
	/* the editor's redraw: the line, then back over the columns after the cursor */
	put("\r$ \xe6\x97\xa5\xe6\x9c\xac"
	    "x\x1b[K\x1b[3D");
	assert_int_equal(vt.col, 4);
	assert_int_equal(c[vt.col].cp, 0x672c);
	/* at the last column: to the next line, the column left blank */
	put("\x1b[1;20H\xe3\x81\x82");
	assert_int_equal(c[19].cp, ' ');
	assert_int_equal(vt.row, 1);
	assert_int_equal(vt.col, 2);
	assert_int_equal(vt_view_row(&vt, 1)[0].cp, 0x3042);
	/* without autowrap: in the last two columns */
	put("\x1b[?7l\x1b[3;20H\xe3\x81\x82\xe3\x81\x84");
	assert_int_equal(vt.row, 2);
	assert_int_equal(vt_view_row(&vt, 2)[18].cp, 0x3044);
	assert_int_equal(vt_view_row(&vt, 2)[19].cp, VT_WIDE_RIGHT);
	check_invariants(&vt);
	/* a one-column screen: one cell */
	struct vt one;
	assert_int_equal(vt_init(&one, 1, 2, 0), 0);
	vt_write(&one, "\xe6\x97\xa5\xe6\x97\xa5", 6);
	assert_int_equal(vt_view_row(&one, 1)[0].cp, 0x65e5);
	assert_true(one.col <= one.cols);
	vt_free(&one);
}

static void test_vt_reports_and_junk(void **state)
{
	(void)state;
	put("\x1b[3;4H\x1b[6n");
	assert_int_equal(vt.answer_len, 6);
	assert_memory_equal(vt.answer, "\x1b[3;4R", 6);
	vt.answer_len = 0;
	put("\x1b]0;a title\x07T\x1b]2;x\x1b\\U\x1bPjunk\x1b\\V");
	assert_int_equal(vt_view_row(&vt, 2)[3].cp, 'T');
	assert_int_equal(vt_view_row(&vt, 2)[4].cp, 'U');
	assert_int_equal(vt_view_row(&vt, 2)[5].cp, 'V');
	/* an endless sequence is dropped after VT_SEQ_MAX bytes, output goes on */
	char junk[600];
	memset(junk, '1', sizeof(junk));
	junk[0] = 0x1b;
	junk[1] = '[';
	vt_write(&vt, junk, sizeof(junk));
	check_invariants(&vt);
	assert_int_equal(vt.state, VT_GROUND);
	put("\x1b[1;2;3;4;5;6;7;8;9;10;11;12;13;14;15;16;17;18;19;20;31mR");
	check_invariants(&vt);
	put("\x1b"
	    "c");
	assert_string_equal(row_text(2), "                    ");
	assert_int_equal(vt.fg, VT_DEFAULT_FG);
}

static void test_vt_init_limits(void **state)
{
	(void)state;
	struct vt v;
	assert_int_equal(vt_init(&v, 0, 5, 0), ERR_INVALID_ARGS);
	assert_int_equal(vt_init(&v, 5, VT_MAX_ROWS + 1, 0), ERR_INVALID_ARGS);
	assert_int_equal(vt_init(&v, 5, 5, VT_MAX_SCROLLBACK + 1), ERR_INVALID_ARGS);
	assert_int_equal(vt_init(&v, 1, 1, 0), 0);
	static const char seq[] = "abc\n\x1b[5;5H\x1b[2Lx\x1b[M\x1b[9@\x1b[9P\x1b[3S\x1b[3T";
	vt_write(&v, seq, sizeof(seq) - 1);
	check_invariants(&v);
	vt_scroll_view(&v, 5);
	assert_int_equal(v.view, 0);
	vt_free(&v);
}

static void test_vt_random(void **state)
{
	(void)state;
	static const char alphabet[] =
	    "\x1b[;?0123456789HJKmABCDrhlsuPMLS@X\n\r\b\t7Mc]\x07\\\xc3\xa9";
	struct vt v;
	assert_int_equal(vt_init(&v, 13, 7, 9), 0);
	srand(18);
	char buf[64];
	for (int round = 0; round < 200000 / (int)sizeof(buf); round++) {
		for (size_t i = 0; i < sizeof(buf); i++)
			buf[i] = rand() % 4 ? alphabet[rand() % (sizeof(alphabet) - 1)]
			                    : (char)(rand() & 0xff);
		vt_write(&v, buf, sizeof(buf));
		check_invariants(&v);
		v.answer_len = 0;
		if (round % 17 == 0)
			vt_scroll_view(&v, rand() % 20 - 10);
		for (unsigned r = 0; r < v.rows; r++)
			assert_non_null(vt_view_row(&v, r));
	}
	vt_free(&v);
}

/* --- ldisc --------------------------------------------------------------- */

struct rec {
	char delivered[8][64];
	size_t dlen[8];
	unsigned ndel;
	char echoed[256];
	size_t elen;
	uint32_t events[8];
	unsigned nev;
};

static void rec_deliver(void *ctx, const char *b, size_t n)
{
	struct rec *r = ctx;
	assert_true(r->ndel < 8 && n <= 64);
	memcpy(r->delivered[r->ndel], b, n);
	r->dlen[r->ndel++] = n;
}

static void rec_echo(void *ctx, const char *b, size_t n)
{
	struct rec *r = ctx;
	assert_true(r->elen + n <= sizeof(r->echoed));
	memcpy(r->echoed + r->elen, b, n);
	r->elen += n;
}

static void rec_event(void *ctx, uint32_t ev)
{
	struct rec *r = ctx;
	r->events[r->nev++] = ev;
}

static const struct ldisc_ops rec_ops = {rec_deliver, rec_echo, rec_event};
static struct ldisc ld;
static struct rec rec;

static void keys(const char *s)
{
	for (; *s; s++)
		ldisc_input(&ld, s, 1);
}

static void ld_reset(void)
{
	memset(&rec, 0, sizeof(rec));
	ldisc_init(&ld, &rec_ops, &rec);
}

static void test_ldisc_canon(void **state)
{
	(void)state;
	ld_reset();
	assert_int_equal(ld.mode, TERM_MODE_ALL);
	keys("helx\x7flo\r");
	assert_int_equal(rec.ndel, 1);
	assert_int_equal(rec.dlen[0], 6);
	assert_memory_equal(rec.delivered[0], "hello\n", 6);
	assert_int_equal(rec.elen, 10);
	assert_memory_equal(rec.echoed, "helx\b \blo\n", 10);
	keys("one two  \x17three\r");
	assert_memory_equal(rec.delivered[1], "one three\n", 10);
	keys("abc\x15x\x08y\r");
	assert_int_equal(rec.dlen[2], 2);
	assert_memory_equal(rec.delivered[2], "y\n", 2);
	keys("\x7f\x7f"); /* erasing an empty line: nothing */
	assert_int_equal(rec.ndel, 3);
	keys("\x01\x7f\r"); /* a control character echoes as ^A and erases as two columns */
	assert_memory_equal(rec.echoed + rec.elen - 9, "^A\b \b\b \b\n", 9);
}

static void test_ldisc_eof_and_utf8(void **state)
{
	(void)state;
	ld_reset();
	keys("\x04");
	assert_int_equal(rec.ndel, 1);
	assert_int_equal(rec.dlen[0], 0);
	keys("ab\x04");
	assert_int_equal(rec.dlen[1], 2);
	keys("\xc3\xa9\xe2\x82\xac\x7f\r");
	assert_int_equal(rec.dlen[2], 3);
	assert_memory_equal(rec.delivered[2], "\xc3\xa9\n", 3);
	/* a wide character erases as two columns, a combining mark as none */
	rec.elen = 0;
	keys("\xe6\x97\xa5\x7f"
	     "e\xcc\x81\x7f\r");
	assert_int_equal(rec.elen, 3 + 6 + 3 + 1);
	assert_memory_equal(rec.echoed,
	                    "\xe6\x97\xa5\b \b\b \b"
	                    "e\xcc\x81\n",
	                    13);
	assert_memory_equal(rec.delivered[3], "e\n", 2);
}

static void test_ldisc_signals(void **state)
{
	(void)state;
	ld_reset();
	keys("abc\x03");
	assert_int_equal(rec.nev, 1);
	assert_int_equal(rec.events[0], TERM_EV_INTR);
	assert_memory_equal(rec.echoed + rec.elen - 3, "^C\n", 3);
	keys("\x1a\x1c"
	     "d\r");
	assert_int_equal(rec.events[1], TERM_EV_SUSP);
	assert_int_equal(rec.events[2], TERM_EV_QUIT);
	assert_int_equal(rec.ndel, 1);
	assert_memory_equal(rec.delivered[0], "d\n", 2); /* abc was dropped */
	ldisc_set_mode(&ld, TERM_MODE_CANON);
	keys("\x03\r");
	assert_int_equal(rec.nev, 3);
	assert_memory_equal(rec.delivered[1], "^C\n" + 0, 0);
	assert_int_equal(rec.dlen[1], 2);
	assert_memory_equal(rec.delivered[1], "\x03\n", 2);
}

static void test_ldisc_raw(void **state)
{
	(void)state;
	ld_reset();
	keys("ab");
	ldisc_set_mode(&ld, TERM_MODE_ISIG | 0x100); /* leaving canon delivers "ab" */
	assert_int_equal(ld.mode, TERM_MODE_ISIG);
	assert_int_equal(rec.ndel, 1);
	assert_int_equal(rec.dlen[0], 2);
	size_t e = rec.elen;
	ldisc_input(&ld, "\x1b[A", 3);
	assert_int_equal(rec.dlen[1], 3);
	assert_memory_equal(rec.delivered[1], "\x1b[A", 3);
	assert_int_equal(rec.elen, e); /* no ECHO */
	ldisc_input(&ld, "x\x03y", 3);
	assert_int_equal(rec.dlen[2], 1);
	assert_int_equal(rec.dlen[3], 1);
	assert_int_equal(rec.events[0], TERM_EV_INTR);
	ldisc_set_mode(&ld, TERM_MODE_ECHO);
	ldisc_input(&ld, "\r", 1);
	assert_memory_equal(rec.delivered[4], "\r", 1);
	assert_memory_equal(rec.echoed + rec.elen - 1, "\r", 1);
}

static void test_ldisc_long_line_and_flush(void **state)
{
	(void)state;
	ld_reset();
	ldisc_set_mode(&ld, TERM_MODE_CANON);
	for (int i = 0; i < 5000; i++)
		ldisc_input(&ld, "a", 1);
	assert_int_equal(ld.len, LDISC_LINE_MAX - 1);
	ldisc_flush(&ld);
	assert_int_equal(ld.len, 0);
	keys("z\r");
	assert_memory_equal(rec.delivered[0], "z\n", 2);

	char out[8];
	size_t used;
	assert_int_equal(ldisc_onlcr("a\nb", 3, out, sizeof(out), &used), 4);
	assert_int_equal(used, 3);
	assert_memory_equal(out, "a\r\nb", 4);
	assert_int_equal(ldisc_onlcr("abc\n", 4, out, 4, &used), 3); /* no room for \r\n */
	assert_int_equal(used, 3);
}

/* --- keymap -------------------------------------------------------------- */

static void expect_key(uint16_t usage, uint16_t mods, const char *want, size_t wlen)
{
	char out[KEYMAP_MAX_BYTES];
	size_t len;
	assert_int_equal(keymap_us(usage, mods, out, &len), KEYMAP_BYTES);
	assert_int_equal(len, wlen);
	assert_memory_equal(out, want, wlen);
}

static void test_keymap(void **state)
{
	(void)state;
	expect_key(0x04, 0, "a", 1);
	expect_key(0x04, INPUT_MOD_SHIFT, "A", 1);
	expect_key(0x04, INPUT_MOD_CAPS, "A", 1);
	expect_key(0x04, INPUT_MOD_CAPS | INPUT_MOD_SHIFT, "a", 1);
	expect_key(0x1e, INPUT_MOD_CAPS, "1", 1);
	expect_key(0x1f, INPUT_MOD_SHIFT, "@", 1);
	expect_key(0x06, INPUT_MOD_CTRL, "\x03", 1);
	expect_key(0x04, INPUT_MOD_ALT,
	           "\x1b"
	           "a",
	           2);
	expect_key(0x31, INPUT_MOD_CTRL, "\x1c", 1);
	expect_key(0x28, 0, "\r", 1);
	expect_key(0x2a, 0, "\x7f", 1);
	expect_key(0x29, 0, "\x1b", 1);
	expect_key(0x52, 0, "\x1b[A", 3);
	expect_key(0x50, 0, "\x1b[D", 3);
	expect_key(0x4a, 0, "\x1b[H", 3);
	expect_key(0x4d, 0, "\x1b[F", 3);
	expect_key(0x49, 0, "\x1b[2~", 4);
	expect_key(0x4c, 0, "\x1b[3~", 4);
	expect_key(0x4b, 0, "\x1b[5~", 4);
	expect_key(0x3a, 0, "\x1bOP", 3);
	expect_key(0x3d, 0, "\x1bOS", 3);
	expect_key(0x3e, 0, "\x1b[15~", 5);
	expect_key(0x45, 0, "\x1b[24~", 5);
	expect_key(0x52, INPUT_MOD_CTRL, "\x1b[1;5A", 6);
	expect_key(0x4c, INPUT_MOD_SHIFT, "\x1b[3;2~", 6);
	expect_key(0x3a, INPUT_MOD_SHIFT, "\x1b[1;2P", 6);
	expect_key(0x59, INPUT_MOD_NUM, "1", 1);
	expect_key(0x59, 0, "\x1b[F", 3); /* keypad End */
	expect_key(0x58, 0, "\r", 1);

	char out[KEYMAP_MAX_BYTES];
	size_t len;
	assert_int_equal(keymap_us(0x3b, INPUT_MOD_ALT, out, &len), KEYMAP_ACT_VT);
	assert_int_equal(len, 1);
	assert_int_equal(keymap_us(0x3d, INPUT_MOD_ALT | INPUT_MOD_CTRL, out, &len), KEYMAP_ACT_VT);
	assert_int_equal(len, 3);
	assert_int_equal(keymap_us(0x4b, INPUT_MOD_SHIFT, out, &len), KEYMAP_ACT_SCROLL_UP);
	assert_int_equal(keymap_us(0x4e, INPUT_MOD_SHIFT, out, &len), KEYMAP_ACT_SCROLL_DOWN);
	assert_int_equal(keymap_us(0xe1, INPUT_MOD_SHIFT, out, &len), KEYMAP_NONE);
	for (uint32_t u = 0; u < 0x10000; u++) /* every usage and modifier: bounded */
		for (uint16_t m = 0; m < 0x40; m += 7)
			if (keymap_us((uint16_t)u, m, out, &len) == KEYMAP_BYTES)
				assert_true(len >= 1 && len <= KEYMAP_MAX_BYTES);
}

/* --- font ---------------------------------------------------------------- */

static void test_font_real(void **state)
{
	(void)state;
	struct font f;
	size_t len = (size_t)(fbcon_font_end - fbcon_font_start);
	assert_int_equal(font_load(&f, fbcon_font_start, len), 0);
	assert_int_equal(f.width, 8);
	assert_int_equal(f.height, 16);
	assert_true(f.nmap > 256);
	assert_true(font_has(&f, 'A'));
	assert_true(font_has(&f, 0xe9));
	assert_false(font_has(&f, 0x1f600));
	assert_int_equal(font_index(&f, 0x1f600), f.fallback);
	assert_int_not_equal(font_index(&f, 'A'), font_index(&f, 'B'));
	for (uint32_t cp = 0; cp < 0x3000; cp++)
		assert_true(font_index(&f, cp) < f.nglyphs);
	for (uint32_t i = 1; i < f.nmap; i++)
		assert_true(f.map[i - 1].cp <= f.map[i].cp);
	font_free(&f);
}

static void test_font_broken(void **state)
{
	(void)state;
	struct font f;
	size_t len = (size_t)(fbcon_font_end - fbcon_font_start);
	uint8_t *copy = malloc(len);
	assert_non_null(copy);
	assert_int_equal(font_load(&f, "xx", 2), ERR_TRUNCATED);
	memcpy(copy, fbcon_font_start, len);
	assert_int_equal(font_load(&f, copy, 100), ERR_TRUNCATED);
	assert_int_equal(font_load(&f, copy, len - 1), ERR_TRUNCATED); /* the table's end */
	copy[3] = 0; /* height 0 */
	assert_int_equal(font_load(&f, copy, len), ERR_MALFORMED);
	/* PSF2: a header that lies about its sizes */
	uint8_t h2[64] = {0x72, 0xb5, 0x4a, 0x86, 0,  0, 0, 0, 32, 0, 0, 0, 1, 0, 0, 0,
	                  1,    0,    0,    0,    16, 0, 0, 0, 16, 0, 0, 0, 8, 0, 0, 0};
	assert_int_equal(font_load(&f, h2, 32 + 16), ERR_TRUNCATED); /* no table */
	h2[48] = 'A';
	h2[49] = 0xff;
	assert_int_equal(font_load(&f, h2, 50), 0);
	assert_int_equal(font_index(&f, 'A'), 0);
	font_free(&f);
	h2[20] = 17; /* charsize disagrees */
	assert_int_equal(font_load(&f, h2, 50), ERR_MALFORMED);
	h2[20] = 16;
	h2[16] = 0xff; /* more glyphs than the image holds */
	h2[17] = 0xff;
	assert_int_equal(font_load(&f, h2, 50), ERR_TRUNCATED);
	/* seeded byte flips of the real font: an error, or a font whose every lookup holds */
	srand(7);
	for (int i = 0; i < 3000; i++) {
		memcpy(copy, fbcon_font_start, len);
		for (int k = 0; k < 4; k++)
			copy[rand() % (rand() % 2 ? 8 : len)] = (uint8_t)rand();
		if (font_load(&f, copy, len) == 0) {
			for (uint32_t cp = 0; cp < 600; cp++)
				assert_true(font_index(&f, cp) < f.nglyphs);
			font_free(&f);
		}
	}
	free(copy);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test_setup_teardown(test_vt_text_and_wrap, vt_setup, vt_teardown),
	    cmocka_unit_test_setup_teardown(test_vt_cursor_moves, vt_setup, vt_teardown),
	    cmocka_unit_test_setup_teardown(test_vt_erase, vt_setup, vt_teardown),
	    cmocka_unit_test_setup_teardown(test_vt_sgr, vt_setup, vt_teardown),
	    cmocka_unit_test_setup_teardown(test_vt_scroll_and_scrollback, vt_setup, vt_teardown),
	    cmocka_unit_test_setup_teardown(test_vt_region, vt_setup, vt_teardown),
	    cmocka_unit_test_setup_teardown(test_vt_alt_screen_and_save, vt_setup, vt_teardown),
	    cmocka_unit_test_setup_teardown(test_vt_utf8, vt_setup, vt_teardown),
	    cmocka_unit_test_setup_teardown(test_vt_wide, vt_setup, vt_teardown),
	    cmocka_unit_test_setup_teardown(test_vt_reports_and_junk, vt_setup, vt_teardown),
	    cmocka_unit_test(test_vt_init_limits),
	    cmocka_unit_test(test_vt_random),
	    cmocka_unit_test(test_ldisc_canon),
	    cmocka_unit_test(test_ldisc_eof_and_utf8),
	    cmocka_unit_test(test_ldisc_signals),
	    cmocka_unit_test(test_ldisc_raw),
	    cmocka_unit_test(test_ldisc_long_line_and_flush),
	    cmocka_unit_test(test_keymap),
	    cmocka_unit_test(test_font_real),
	    cmocka_unit_test(test_font_broken),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
