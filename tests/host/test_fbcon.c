/*
 * test_fbcon.c - host tests for the PSF parser (dev/psf.c) and the framebuffer
 * console (dev/fbcon.c).
 *
 * The console draws into a malloc'd framebuffer sized exactly (so ASan catches
 * any stray write) with the real Debian Terminus font linked in as the kernel
 * links it (fbcon_font_start..fbcon_font_end). Cells are checked pixel by pixel
 * against the glyph the parser returns for the expected code point. Malformed
 * fonts are built by hand, and a seeded byte-flip fuzz checks the parser's
 * invariants on 100,000 corrupted copies of the real font.
 */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <stdlib.h>
#include <string.h>
#include <cmocka.h>

#include <dev/fbcon.h>
#include <dev/psf.h>
#include <abi/errors.h>

#define GREY 0x00aaaaaau
#define BLACK 0x00000000u

static struct psf_font font; /* the real font, parsed once per test */

static size_t font_len(void)
{
	return fbcon_font_size();
}

/* A framebuffer of cols x rows Terminus cells plus some spare pixels. */
struct test_fb {
	struct fb_info info;
	uint8_t *mem;
	size_t size;
};

static void fb_make(struct test_fb *t, uint32_t w, uint32_t h, uint8_t bpp, uint32_t pad)
{
	memset(t, 0, sizeof(*t));
	t->info.width = w;
	t->info.height = h;
	t->info.bpp = bpp;
	t->info.pitch = w * (bpp / 8) + pad;
	t->size = (size_t)t->info.pitch * h;
	t->mem = malloc(t->size ? t->size : 1);
	assert_non_null(t->mem);
	memset(t->mem, 0x5a, t->size); /* not background: init must clear it */
	t->info.virt = t->mem;
}

static void fb_free(struct test_fb *t)
{
	free(t->mem);
}

static uint32_t px32(const struct test_fb *t, uint32_t x, uint32_t y)
{
	uint32_t v;
	memcpy(&v, t->mem + (size_t)y * t->info.pitch + (size_t)x * 4, 4);
	return v;
}

/* Does cell (col,row) show code point cp in fg on bg (32 bpp)? */
static int cell_is(const struct test_fb *t, uint32_t col, uint32_t row, uint32_t cp, uint32_t fg,
                   uint32_t bg)
{
	const uint8_t *g = psf_glyph(&font, cp);
	for (uint32_t y = 0; y < font.height; y++) {
		for (uint32_t x = 0; x < font.width; x++) {
			int on = g[y * font.stride + x / 8] & (0x80 >> (x % 8));
			uint32_t got = px32(t, col * font.width + x, row * font.height + y);
			if (got != (on ? fg : bg))
				return 0;
		}
	}
	return 1;
}

static int cell_shows(const struct test_fb *t, uint32_t col, uint32_t row, uint32_t cp)
{
	return cell_is(t, col, row, cp, GREY, BLACK);
}

static void con_start(struct test_fb *t, uint32_t cols, uint32_t rows)
{
	fb_make(t, cols * 8, rows * 16, 32, 0);
	assert_int_equal(fbcon_init(&t->info, fbcon_font_start, font_len()), 0);
}

static void put(const char *s)
{
	fbcon_write(s, strlen(s));
}

static int setup(void **state)
{
	(void)state;
	return psf_parse(&font, fbcon_font_start, font_len());
}

/* --- PSF parser -------------------------------------------------------- */

static void test_real_font(void **state)
{
	(void)state;
	assert_int_equal(font.width, 8);
	assert_int_equal(font.height, 16);
	assert_int_equal(font.stride, 1);
	assert_int_equal(font.nglyphs, 256);
	assert_ptr_equal(font.glyphs, fbcon_font_start + 4);
	/* Lat2 glyphs are not in Latin-1 order: the Unicode table must be used. */
	const uint8_t *space = psf_glyph(&font, ' ');
	const uint8_t *a = psf_glyph(&font, 'A');
	int lit = 0;
	for (uint32_t i = 0; i < 16; i++) {
		assert_int_equal(space[i], 0);
		lit += a[i] != 0;
	}
	assert_true(lit >= 8);
	assert_int_not_equal(font.map[0xe9], font.map['e']); /* é has its own glyph */
	assert_int_not_equal(font.map[0xe9], font.map['?']);
	assert_int_equal(font.map[0x01], font.map['?']); /* unmapped -> '?' */
	assert_ptr_equal(psf_glyph(&font, 0x20ac), psf_glyph(&font, '?'));
	for (uint32_t cp = 0; cp < 256; cp++)
		assert_true(font.map[cp] < font.nglyphs);
}

static void test_psf1_no_table_is_identity(void **state)
{
	(void)state;
	static uint8_t img[4 + 256 * 10];
	struct psf_font f;
	img[0] = 0x36, img[1] = 0x04, img[2] = 0, img[3] = 10;
	img[4 + 'A' * 10] = 0x81;
	assert_int_equal(psf_parse(&f, img, sizeof(img)), 0);
	assert_int_equal(f.height, 10);
	for (uint32_t cp = 0; cp < 256; cp++)
		assert_int_equal(f.map[cp], cp);
	assert_int_equal(psf_glyph(&f, 'A')[0], 0x81);
	/* 512-glyph mode needs twice the data. */
	img[2] = 0x01;
	assert_int_equal(psf_parse(&f, img, sizeof(img)), ERR_TRUNCATED);
}

/* Build a PSF2 header into p. */
static void psf2_header(uint8_t *p, uint32_t hs, uint32_t flags, uint32_t n, uint32_t cs,
                        uint32_t h, uint32_t w)
{
	uint32_t v[8] = {0x864ab572u, 0, hs, flags, n, cs, h, w};
	for (int i = 0; i < 8; i++)
		for (int b = 0; b < 4; b++)
			p[i * 4 + b] = (uint8_t)(v[i] >> (8 * b));
}

/* 12x4 glyphs (2 bytes a row), 3 of them, table: '?' ; 'A' + seq ; é + € + bad. */
static size_t psf2_sample(uint8_t *img)
{
	static const uint8_t table[] = {
	    '?',  0xff, 'A',  0xfe, 'B',  0xcc, 0x81, 0xff,
	    0xc3, 0xa9, 0xe2, 0x82, 0xac, 0x80, 0xc0, 0xff,
	};
	psf2_header(img, 32, 1, 3, 8, 4, 12);
	memset(img + 32, 0, 24);
	img[32 + 8] = 0xff, img[32 + 9] = 0xf0; /* glyph 1, row 0: 12 pixels on */
	memcpy(img + 56, table, sizeof(table));
	return 56 + sizeof(table);
}

static void test_psf2_table(void **state)
{
	(void)state;
	uint8_t img[128];
	size_t len = psf2_sample(img);
	struct psf_font f;
	assert_int_equal(psf_parse(&f, img, len), 0);
	assert_int_equal(f.width, 12);
	assert_int_equal(f.stride, 2);
	assert_int_equal(f.bytes_per_glyph, 8);
	assert_int_equal(f.map['?'], 0);
	assert_int_equal(f.map['A'], 1);
	assert_int_equal(f.map['B'], 0); /* only inside a sequence: not mapped */
	assert_int_equal(f.map[0xe9], 2);
	assert_int_equal(f.map[0x80], 0);
	assert_int_equal(psf_glyph(&f, 'A')[1], 0xf0);
	/* Table missing its last terminator. */
	assert_int_equal(psf_parse(&f, img, len - 1), ERR_TRUNCATED);
	/* Without the table flag: identity where glyphs exist, else '?' (itself 0). */
	img[12] = 0;
	assert_int_equal(psf_parse(&f, img, 56), 0);
	assert_int_equal(f.map[2], 2);
	assert_int_equal(f.map['A'], 0);
}

static void test_psf_malformed(void **state)
{
	(void)state;
	uint8_t img[256] = {0};
	struct psf_font f;
	memset(&f, 0x77, sizeof(f));

	assert_int_equal(psf_parse(NULL, img, 4), ERR_INVALID_ARGS);
	assert_int_equal(psf_parse(&f, NULL, 4), ERR_INVALID_ARGS);
	assert_int_equal(psf_parse(&f, img, 0), ERR_TRUNCATED);
	img[0] = 0x36, img[1] = 0x04, img[2] = 0, img[3] = 16;
	assert_int_equal(psf_parse(&f, img, 1), ERR_TRUNCATED);
	assert_int_equal(psf_parse(&f, img, 3), ERR_TRUNCATED);
	assert_null(f.glyphs); /* zeroed on failure */
	assert_int_equal(f.nglyphs, 0);
	assert_int_equal(psf_parse(&f, img, 4), ERR_TRUNCATED); /* no glyphs */
	assert_int_equal(psf_parse(&f, img, sizeof(img)), ERR_TRUNCATED); /* 4096 needed */
	img[3] = 0;
	assert_int_equal(psf_parse(&f, img, sizeof(img)), ERR_MALFORMED); /* height 0 */
	img[3] = 255;
	assert_int_equal(psf_parse(&f, img, sizeof(img)), ERR_MALFORMED); /* too tall */
	memcpy(img, "junkjunk", 8);
	assert_int_equal(psf_parse(&f, img, sizeof(img)), ERR_MALFORMED);

	/* PSF2 headers. */
	psf2_header(img, 32, 0, 3, 8, 4, 12);
	assert_int_equal(psf_parse(&f, img, 20), ERR_TRUNCATED);
	assert_int_equal(psf_parse(&f, img, 40), ERR_TRUNCATED); /* glyphs cut */
	assert_int_equal(psf_parse(&f, img, 56), 0);
	psf2_header(img, 16, 0, 3, 8, 4, 12);
	assert_int_equal(psf_parse(&f, img, 56), ERR_MALFORMED); /* header < 32 */
	psf2_header(img, 0xffffffffu, 0, 3, 8, 4, 12);
	assert_int_equal(psf_parse(&f, img, sizeof(img)), ERR_TRUNCATED);
	psf2_header(img, 0xffffffe0u, 0, 0xffff, 8, 4, 12);
	assert_int_equal(psf_parse(&f, img, sizeof(img)), ERR_TRUNCATED);
	psf2_header(img, 32, 0, 0xffffffffu, 8, 4, 12);
	assert_int_equal(psf_parse(&f, img, sizeof(img)), ERR_MALFORMED); /* huge count */
	psf2_header(img, 32, 0, 1000, 8, 4, 12);
	assert_int_equal(psf_parse(&f, img, sizeof(img)), ERR_TRUNCATED);
	psf2_header(img, 32, 0, 0, 8, 4, 12);
	assert_int_equal(psf_parse(&f, img, sizeof(img)), ERR_MALFORMED); /* no glyphs */
	psf2_header(img, 32, 0, 3, 9, 4, 12);
	assert_int_equal(psf_parse(&f, img, sizeof(img)), ERR_MALFORMED); /* charsize */
	psf2_header(img, 32, 0, 3, 0, 0, 12);
	assert_int_equal(psf_parse(&f, img, sizeof(img)), ERR_MALFORMED); /* height 0 */
	psf2_header(img, 32, 0, 3, 0, 4, 0);
	assert_int_equal(psf_parse(&f, img, sizeof(img)), ERR_MALFORMED); /* width 0 */
	psf2_header(img, 32, 0, 1, 0x80000000u, 0x40000000u, 0x10);
	assert_int_equal(psf_parse(&f, img, sizeof(img)), ERR_MALFORMED); /* wraps in 32 bits */
	psf2_header(img, 32, 0, 1, 4 * 0x20000000u, 4, 0xffffffffu);
	assert_int_equal(psf_parse(&f, img, sizeof(img)), ERR_MALFORMED);
	psf2_header(img, 32, 0, 3, 8, 4, 12);
	img[4] = 1;
	assert_int_equal(psf_parse(&f, img, sizeof(img)), ERR_MALFORMED); /* version */
	psf2_header(img, 32, 1, 3, 8, 4, 12);
	memset(img + 56, 'x', sizeof(img) - 56); /* table never terminated */
	assert_int_equal(psf_parse(&f, img, sizeof(img)), ERR_TRUNCATED);
	/* PSF1 table cut in the middle of an entry. */
	size_t n = font_len();
	uint8_t *cut = malloc(n);
	memcpy(cut, fbcon_font_start, n);
	assert_int_equal(psf_parse(&f, cut, n - 1), ERR_TRUNCATED);
	assert_int_equal(psf_parse(&f, cut, 4 + 4096 + 3), ERR_TRUNCATED);
	free(cut);
}

static uint64_t rng_state = 0x9e3779b97f4a7c15ull;

static uint32_t rng(void)
{
	rng_state ^= rng_state << 13;
	rng_state ^= rng_state >> 7;
	rng_state ^= rng_state << 17;
	return (uint32_t)(rng_state >> 16);
}

/* Whatever parses must describe memory inside the buffer. */
static void check_invariants(const struct psf_font *f, const uint8_t *buf, size_t len)
{
	assert_true(f->nglyphs >= 1 && f->width >= 1 && f->height >= 1);
	assert_true(f->width <= PSF_MAX_WIDTH && f->height <= PSF_MAX_HEIGHT);
	assert_true(f->glyphs >= buf);
	assert_true((size_t)(f->glyphs - buf) + (size_t)f->nglyphs * f->bytes_per_glyph <= len);
	for (uint32_t cp = 0; cp < 256; cp++)
		assert_true(f->map[cp] < f->nglyphs);
}

static void fuzz_one(uint8_t *buf, size_t len, int render)
{
	struct psf_font f;
	if (psf_parse(&f, buf, len) == 0)
		check_invariants(&f, buf, len);
	if (render) {
		static uint32_t pixels[40 * 40];
		struct fb_info fb = {
		    .virt = pixels, .width = 40, .height = 40, .pitch = 160, .bpp = 32};
		if (fbcon_init(&fb, buf, len) == 0)
			put("Hi\xc3\xa9\t\x1b[31mX\n\n\n\b~");
	}
}

static void test_psf_fuzz(void **state)
{
	(void)state;
	size_t n = font_len();
	uint8_t *psf2 = malloc(128);
	size_t n2 = psf2_sample(psf2);
	for (int it = 0; it < 100000; it++) {
		int use2 = it % 4 == 3;
		size_t len = use2 ? n2 : n;
		uint8_t *buf = malloc(len); /* exact size: ASan sees any overread */
		memcpy(buf, use2 ? psf2 : fbcon_font_start, len);
		int flips = 1 + rng() % 4;
		for (int k = 0; k < flips; k++) {
			/* Half the flips hit the header, the rest anywhere. */
			size_t pos = rng() % 2 ? rng() % 32 : rng() % len;
			buf[pos % len] ^= (uint8_t)(1 + rng() % 255);
		}
		if (rng() % 8 == 0)
			len = rng() % (len + 1); /* and sometimes cut it short */
		fuzz_one(buf, len, it % 64 == 0);
		free(buf);
	}
	free(psf2);
}

/* --- Console ----------------------------------------------------------- */

static void test_glyph_pixels(void **state)
{
	(void)state;
	struct test_fb t;
	fb_make(&t, 80, 48, 32, 12); /* pitch wider than a line */
	assert_int_equal(fbcon_init(&t.info, fbcon_font_start, font_len()), 0);
	uint32_t cols, rows;
	fbcon_size(&cols, &rows);
	assert_int_equal(cols, 10);
	assert_int_equal(rows, 3);
	assert_true(fbcon_active());
	for (size_t i = 0; i < t.size; i += 4) /* cleared, padding included */
		assert_true(memcmp(t.mem + i, "\0\0\0\0", 4) == 0 || i % t.info.pitch >= 320);
	put("A\xc3\xa9");
	assert_true(cell_shows(&t, 0, 0, 'A'));
	assert_true(cell_shows(&t, 1, 0, 0xe9));
	assert_true(cell_shows(&t, 2, 0, ' '));
	assert_false(cell_shows(&t, 0, 0, 'B'));
	/* At least one lit pixel of 'A' is grey. */
	int lit = 0;
	for (uint32_t y = 0; y < 16; y++)
		for (uint32_t x = 0; x < 8; x++)
			lit += px32(&t, x, y) == GREY;
	assert_true(lit > 8);
	fb_free(&t);
}

static void test_utf8_and_controls(void **state)
{
	(void)state;
	struct test_fb t;
	con_start(&t, 10, 2);
	put("\xe2\x82\xac\xff\xc3Z\x01\x7f\xc2\x85!");
	assert_true(cell_shows(&t, 0, 0, '?')); /* € has no glyph below 256 */
	assert_true(cell_shows(&t, 1, 0, '?')); /* invalid byte */
	assert_true(cell_shows(&t, 2, 0, '?')); /* lead byte cut off by 'Z' */
	assert_true(cell_shows(&t, 3, 0, 'Z'));
	assert_true(cell_shows(&t, 4, 0, '!')); /* C0, DEL and C1 controls dropped */
	/* A sequence split across writes. */
	put("\xc3");
	put("\xa9");
	assert_true(cell_shows(&t, 5, 0, 0xe9));
	fb_free(&t);
}

static void test_line_wrap(void **state)
{
	(void)state;
	struct test_fb t;
	con_start(&t, 10, 4);
	put("ABCDEFGHIJKL");
	assert_true(cell_shows(&t, 9, 0, 'J'));
	assert_true(cell_shows(&t, 0, 1, 'K'));
	assert_true(cell_shows(&t, 1, 1, 'L'));
	/* A full line then \n: no blank line in between (pending wrap). */
	put("\n0123456789\nX");
	assert_true(cell_shows(&t, 9, 2, '9'));
	assert_true(cell_shows(&t, 0, 3, 'X'));
	fb_free(&t);
}

static void test_scroll(void **state)
{
	(void)state;
	struct test_fb t;
	con_start(&t, 4, 3);
	put("1\n2\n3");
	assert_true(cell_shows(&t, 0, 2, '3'));
	put("\n4\n5x");
	assert_true(cell_shows(&t, 0, 0, '3'));
	assert_true(cell_shows(&t, 0, 1, '4'));
	assert_true(cell_shows(&t, 0, 2, '5'));
	assert_true(cell_shows(&t, 1, 2, 'x'));
	assert_true(cell_shows(&t, 2, 2, ' '));
	/* Wrapping off the bottom scrolls too. */
	put("yzW");
	assert_true(cell_shows(&t, 0, 1, '5'));
	assert_true(cell_shows(&t, 0, 2, 'W'));
	assert_true(cell_shows(&t, 1, 2, ' '));
	fb_free(&t);
}

static void test_one_cell_screen(void **state)
{
	(void)state;
	struct test_fb t;
	con_start(&t, 1, 1);
	put("ab\n\nc\b\bd\t\te");
	assert_true(cell_shows(&t, 0, 0, 'e'));
	fb_free(&t);
}

static void test_backspace_tab_cr(void **state)
{
	(void)state;
	struct test_fb t;
	con_start(&t, 16, 3);
	put("\bab\bc");
	assert_true(cell_shows(&t, 0, 0, 'a'));
	assert_true(cell_shows(&t, 1, 0, 'c'));
	put("\tT\tU");
	assert_true(cell_shows(&t, 8, 0, 'T'));
	assert_true(cell_shows(&t, 2, 0, ' '));
	assert_true(cell_shows(&t, 0, 1, 'U')); /* \t from col 9 reaches the edge: wrap */
	put("\t\tV");
	assert_true(cell_shows(&t, 0, 2, 'V'));
	put("xyz\rQ");
	assert_true(cell_shows(&t, 0, 2, 'Q'));
	assert_true(cell_shows(&t, 1, 2, 'x'));
	fb_free(&t);
}

static void test_sgr_colours(void **state)
{
	(void)state;
	struct test_fb t;
	con_start(&t, 16, 2);
	put("\x1b[31mR\x1b[0mN\x1b[1;32mG\x1b[94mB\x1b[41mX\x1b[mD");
	assert_true(cell_is(&t, 0, 0, 'R', 0xaa0000, BLACK));
	assert_true(cell_is(&t, 1, 0, 'N', GREY, BLACK));
	assert_true(cell_is(&t, 2, 0, 'G', 0x55ff55, BLACK)); /* bold = bright */
	assert_true(cell_is(&t, 3, 0, 'B', 0x5555ff, BLACK));
	assert_true(cell_is(&t, 4, 0, 'X', 0x5555ff, 0xaa0000));
	assert_true(cell_is(&t, 5, 0, 'D', GREY, BLACK));
	put("\x1b[33;1mY\x1b[22my\x1b[1;97;44m \x1b[39;49mz");
	assert_true(cell_is(&t, 6, 0, 'Y', 0xffff55, BLACK));
	assert_true(cell_is(&t, 7, 0, 'y', 0xaa5500, BLACK));
	assert_true(cell_is(&t, 8, 0, ' ', 0xffffff, 0x0000aa));
	assert_true(cell_is(&t, 9, 0, 'z', 0xffffff, BLACK)); /* still bold */
	/* Split across writes; clear keeps the current background. */
	put("\x1b[0;10");
	put("3m");
	fbcon_clear();
	assert_int_equal(px32(&t, 0, 0), 0xffff55);
	put("\x1b[0mh");
	assert_true(cell_is(&t, 0, 0, 'h', GREY, BLACK));
	fb_free(&t);
}

static void test_unknown_escapes(void **state)
{
	(void)state;
	struct test_fb t;
	con_start(&t, 16, 3);
	put("\x1b[2J\x1b[12;34H\x1b[?25l\x1b[38;5;31m\x1b[48:2:1:2:3m\x1b"
	    "c\x1b\x1b[K"
	    "\x1b[99999999999999999999;31;32;33;34;35;36;37;38;39;40m\x1b[!pA");
	assert_true(cell_shows(&t, 0, 0, 'A'));
	/* A control byte ends a sequence and still acts. */
	put("\x1b[3\nB");
	assert_true(cell_shows(&t, 0, 1, 'B'));
	/* A runaway sequence is dropped after 64 bytes; the rest prints as text
	 * (B + 36 '1's fill row 1 and wrap, scrolling B up to row 0). */
	put("\x1b[");
	for (int i = 0; i < 100; i++)
		put("1");
	put("\rC");
	assert_true(cell_shows(&t, 0, 0, 'B'));
	assert_true(cell_shows(&t, 0, 1, '1'));
	assert_true(cell_shows(&t, 0, 2, 'C'));
	assert_true(cell_shows(&t, 4, 2, '1'));
	assert_true(cell_shows(&t, 5, 2, ' '));
	put("\x1b");
	put("[31");
	put("mR");
	assert_true(cell_is(&t, 1, 2, 'R', 0xaa0000, BLACK));
	fb_free(&t);
}

static void test_tiny_and_bad_framebuffers(void **state)
{
	(void)state;
	struct test_fb t;
	const uint32_t sizes[][2] = {{4, 4}, {7, 16}, {8, 15}, {1, 1}, {1000, 3}};
	for (size_t i = 0; i < sizeof(sizes) / sizeof(sizes[0]); i++) {
		fb_make(&t, sizes[i][0], sizes[i][1], 32, 0);
		assert_int_equal(fbcon_init(&t.info, fbcon_font_start, font_len()),
		                 ERR_INVALID_ARGS);
		assert_false(fbcon_active());
		put("hello\n\x1b[31mworld\b\t");
		fbcon_clear();
		assert_int_equal(t.mem[0], 0x5a); /* untouched */
		fb_free(&t);
	}
	fb_make(&t, 64, 32, 32, 0);
	struct fb_info bad = t.info;
	assert_int_equal(fbcon_init(NULL, fbcon_font_start, font_len()), ERR_INVALID_ARGS);
	assert_int_equal(fbcon_init(&bad, NULL, 0), ERR_INVALID_ARGS);
	bad.bpp = 8;
	assert_int_equal(fbcon_init(&bad, fbcon_font_start, font_len()), ERR_INVALID_ARGS);
	bad = t.info;
	bad.pitch = 63 * 4;
	assert_int_equal(fbcon_init(&bad, fbcon_font_start, font_len()), ERR_INVALID_ARGS);
	bad = t.info;
	bad.virt = NULL;
	assert_int_equal(fbcon_init(&bad, fbcon_font_start, font_len()), ERR_INVALID_ARGS);
	bad = t.info;
	bad.red_pos = 30, bad.red_size = 8, bad.green_size = 8, bad.blue_size = 8;
	assert_int_equal(fbcon_init(&bad, fbcon_font_start, font_len()), ERR_INVALID_ARGS);
	assert_int_equal(fbcon_init(&t.info, fbcon_font_start, 3), ERR_TRUNCATED);
	assert_false(fbcon_active());
	uint32_t cols, rows;
	fbcon_size(&cols, &rows);
	assert_int_equal(cols, 0);
	put("dropped");
	assert_int_equal(t.mem[0], 0x5a);
	fb_free(&t);
}

static void test_pixel_formats(void **state)
{
	(void)state;
	struct test_fb t;
	/* 32 bpp with blue and red swapped. */
	fb_make(&t, 16, 16, 32, 0);
	t.info.red_pos = 0, t.info.red_size = 8;
	t.info.green_pos = 8, t.info.green_size = 8;
	t.info.blue_pos = 16, t.info.blue_size = 8;
	assert_int_equal(fbcon_init(&t.info, fbcon_font_start, font_len()), 0);
	put("\x1b[31m\x7f\xc2\x85"
	    "A"); /* DEL and C1 NEL dropped */
	assert_true(cell_is(&t, 0, 0, 'A', 0x0000aa, BLACK));
	fb_free(&t);

	/* 24 and 16 bpp (r5g6b5 by default): bright white lit pixels, black elsewhere. */
	const uint8_t bpps[] = {24, 16};
	for (size_t i = 0; i < 2; i++) {
		uint32_t bytes = bpps[i] / 8;
		fb_make(&t, 17, 33, bpps[i], 3); /* odd sizes, odd pitch */
		assert_int_equal(fbcon_init(&t.info, fbcon_font_start, font_len()), 0);
		put("\x1b[97m\n\n\n\nAB");
		const uint8_t *g = psf_glyph(&font, 'B');
		for (uint32_t y = 0; y < 16; y++) {
			for (uint32_t x = 0; x < 8; x++) {
				const uint8_t *p = t.mem + (size_t)(16 + y) * t.info.pitch +
				                   (size_t)(8 + x) * bytes;
				uint8_t want = g[y] & (0x80 >> x) ? 0xff : 0x00;
				for (uint32_t b = 0; b < bytes; b++)
					assert_int_equal(p[b], want);
			}
		}
		/* Spare pixels right of the grid are background, pitch padding untouched. */
		assert_int_equal(t.mem[16 * bytes], 0);
		assert_int_equal(t.mem[17 * bytes], 0x5a);
		fb_free(&t);
	}
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test_setup(test_real_font, setup),
	    cmocka_unit_test(test_psf1_no_table_is_identity),
	    cmocka_unit_test(test_psf2_table),
	    cmocka_unit_test(test_psf_malformed),
	    cmocka_unit_test_setup(test_psf_fuzz, setup),
	    cmocka_unit_test_setup(test_glyph_pixels, setup),
	    cmocka_unit_test_setup(test_utf8_and_controls, setup),
	    cmocka_unit_test_setup(test_line_wrap, setup),
	    cmocka_unit_test_setup(test_scroll, setup),
	    cmocka_unit_test_setup(test_one_cell_screen, setup),
	    cmocka_unit_test_setup(test_backspace_tab_cr, setup),
	    cmocka_unit_test_setup(test_sgr_colours, setup),
	    cmocka_unit_test_setup(test_unknown_escapes, setup),
	    cmocka_unit_test_setup(test_tiny_and_bad_framebuffers, setup),
	    cmocka_unit_test_setup(test_pixel_formats, setup),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
