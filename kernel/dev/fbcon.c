/*
 * fbcon.c - text console on the boot framebuffer.
 *
 * State is one static struct: the framebuffer description, the parsed font,
 * the text grid (cols x rows of font-sized cells, anchored top-left; leftover
 * pixels on the right and bottom stay background), the cursor, the colours,
 * and two small decoders that carry across fbcon_write() calls: UTF-8 (input
 * is UTF-8; code points below 256 have glyphs, others and invalid bytes show
 * '?') and the escape-sequence parser.
 *
 * Invariants while active: cols, rows >= 1; row < rows; col <= cols, where
 * col == cols is a pending wrap (the next glyph goes to the next line first,
 * so a line of exactly cols characters followed by \n leaves no blank line).
 *
 * Rendering writes pixels straight into the framebuffer; scrolling moves the
 * pixel rows up with memmove and clears the last text row. Under QEMU the
 * framebuffer is ordinary RAM, so this beats keeping a shadow grid and
 * redrawing every cell. There is no lock: the kernel log serialises callers.
 */
#include <dev/fbcon.h>
#include <dev/psf.h>
#include <abi/errors.h>
#include <lib/compiler.h>

#define ESC 0x1b
#define CSI_MAX_PARAMS 8
#define CSI_MAX_LEN 64 /* a longer sequence is garbage: drop it */
#define CSI_PARAM_MAX 9999
#define TAB_WIDTH 8
#define COLOR_DEFAULT_FG 7
#define COLOR_DEFAULT_BG 0

enum esc_state { ST_NORMAL, ST_ESC, ST_CSI };

/* The 16 VGA text colours as 8-bit RGB: 0-7 normal, 8-15 bright. */
static const uint8_t palette[16][3] = {
    {0, 0, 0},     {170, 0, 0},     {0, 170, 0},    {170, 85, 0},    {0, 0, 170},   {170, 0, 170},
    {0, 170, 170}, {170, 170, 170}, {85, 85, 85},   {255, 85, 85},   {85, 255, 85}, {255, 255, 85},
    {85, 85, 255}, {255, 85, 255},  {85, 255, 255}, {255, 255, 255},
};

static struct {
	bool active;
	struct fb_info fb;
	struct psf_font font;
	uint32_t bytespp;
	bool fast32; /* 32 bpp with 4-byte aligned lines: store whole words */
	uint32_t cols, rows;
	uint32_t col, row;

	uint8_t fg, bg; /* palette indices */
	bool bold; /* shows normal foreground colours bright */
	uint32_t fg_px, bg_px;

	uint32_t utf8_cp; /* code point being assembled */
	uint32_t utf8_need; /* continuation bytes still expected */

	enum esc_state state;
	uint32_t csi_len;
	uint32_t nparams; /* index of the parameter being read */
	bool csi_private; /* '?', '>', ':' ... seen: not plain SGR, ignore it */
	uint32_t params[CSI_MAX_PARAMS];
} con;

/* --- Pixels ------------------------------------------------------------ */

static uint32_t pack_field(uint8_t c, uint8_t pos, uint8_t size)
{
	uint32_t v = size >= 8 ? (uint32_t)c << (size - 8) : (uint32_t)c >> (8 - size);
	return v << pos;
}

static uint32_t pack_color(uint8_t idx)
{
	const uint8_t *rgb = palette[idx & 15];
	const struct fb_info *fb = &con.fb;
	return pack_field(rgb[0], fb->red_pos, fb->red_size) |
	       pack_field(rgb[1], fb->green_pos, fb->green_size) |
	       pack_field(rgb[2], fb->blue_pos, fb->blue_size);
}

static void update_colors(void)
{
	uint8_t fg = con.bold && con.fg < 8 ? con.fg + 8 : con.fg;
	con.fg_px = pack_color(fg);
	con.bg_px = pack_color(con.bg);
}

static void put_pixel(uint8_t *p, uint32_t px)
{
	switch (con.bytespp) {
	case 4:
		__builtin_memcpy(p, &px, 4);
		break;
	case 3:
		__builtin_memcpy(p, &px, 3);
		break;
	default:
		__builtin_memcpy(p, &px, 2);
		break;
	}
}

static uint8_t *pixel_addr(uint32_t x, uint32_t y)
{
	return (uint8_t *)con.fb.virt + (size_t)y * con.fb.pitch + (size_t)x * con.bytespp;
}

/* Fill framebuffer lines [y, y + n) across the whole width with background. */
static void fill_lines(uint32_t y, uint32_t n)
{
	for (uint32_t i = 0; i < n; i++) {
		uint8_t *p = pixel_addr(0, y + i);
		if (con.fast32) {
			uint32_t *q = (uint32_t *)p;
			for (uint32_t x = 0; x < con.fb.width; x++)
				q[x] = con.bg_px;
		} else {
			for (uint32_t x = 0; x < con.fb.width; x++, p += con.bytespp)
				put_pixel(p, con.bg_px);
		}
	}
}

static bool glyph_bit(const uint8_t *bits, uint32_t x)
{
	return (bits[x >> 3] >> (7 - (x & 7))) & 1;
}

static void draw_glyph(uint32_t col, uint32_t row, uint32_t cp)
{
	const struct psf_font *f = &con.font;
	const uint8_t *bits = psf_glyph(f, cp);
	uint8_t *line = pixel_addr(col * f->width, row * f->height);

	for (uint32_t y = 0; y < f->height; y++, bits += f->stride, line += con.fb.pitch) {
		if (con.fast32) {
			uint32_t *q = (uint32_t *)line;
			for (uint32_t x = 0; x < f->width; x++)
				q[x] = glyph_bit(bits, x) ? con.fg_px : con.bg_px;
		} else {
			uint8_t *p = line;
			for (uint32_t x = 0; x < f->width; x++, p += con.bytespp)
				put_pixel(p, glyph_bit(bits, x) ? con.fg_px : con.bg_px);
		}
	}
}

/* --- Cursor movement --------------------------------------------------- */

static void scroll_up(void)
{
	size_t cell_bytes = (size_t)con.font.height * con.fb.pitch;
	uint8_t *base = con.fb.virt;
	__builtin_memmove(base, base + cell_bytes, (size_t)(con.rows - 1) * cell_bytes);
	fill_lines((con.rows - 1) * con.font.height, con.font.height);
}

static void newline(void)
{
	con.col = 0;
	if (con.row + 1 < con.rows) {
		con.row++;
		return;
	}
	scroll_up();
}

static void put_glyph(uint32_t cp)
{
	if (con.col >= con.cols)
		newline();
	draw_glyph(con.col, con.row, cp);
	con.col++;
}

/* --- Escape sequences -------------------------------------------------- */

static void apply_sgr(void)
{
	/* nparams is the index of the last parameter, capped at CSI_MAX_PARAMS. */
	uint32_t n = con.nparams < CSI_MAX_PARAMS ? con.nparams + 1 : CSI_MAX_PARAMS;
	for (uint32_t i = 0; i < n; i++) {
		uint32_t p = con.params[i];
		if (p == 0) {
			con.fg = COLOR_DEFAULT_FG;
			con.bg = COLOR_DEFAULT_BG;
			con.bold = false;
		} else if (p == 1) {
			con.bold = true;
		} else if (p == 22) {
			con.bold = false;
		} else if (p >= 30 && p <= 37) {
			con.fg = (uint8_t)(p - 30);
		} else if (p == 39) {
			con.fg = COLOR_DEFAULT_FG;
		} else if (p >= 40 && p <= 47) {
			con.bg = (uint8_t)(p - 40);
		} else if (p == 49) {
			con.bg = COLOR_DEFAULT_BG;
		} else if (p >= 90 && p <= 97) {
			con.fg = (uint8_t)(p - 90 + 8);
		} else if (p >= 100 && p <= 107) {
			con.bg = (uint8_t)(p - 100 + 8);
		} else if (p == 38 || p == 48) {
			break; /* 256-colour / RGB forms: their arguments are not codes */
		}
	}
	update_colors();
}

static void csi_start(void)
{
	con.state = ST_CSI;
	con.csi_len = 0;
	con.nparams = 0;
	con.csi_private = false;
	__builtin_memset(con.params, 0, sizeof(con.params));
}

/*
 * Feed one byte to the CSI parser. Returns false when c ends the sequence
 * without belonging to it - a control byte, or the byte past CSI_MAX_LEN
 * (garbage must not swallow output) - and is to be handled as ordinary input.
 */
static bool csi_byte(uint8_t c)
{
	if (c < 0x20 || c > 0x7e || ++con.csi_len > CSI_MAX_LEN) {
		con.state = ST_NORMAL;
		return false;
	}
	if (c >= '0' && c <= '9') {
		if (con.nparams < CSI_MAX_PARAMS) {
			uint32_t *p = &con.params[con.nparams];
			*p = MIN(*p * 10 + (uint32_t)(c - '0'), CSI_PARAM_MAX);
		}
	} else if (c == ';') {
		if (con.nparams < CSI_MAX_PARAMS)
			con.nparams++;
	} else if (c < 0x40) {
		con.csi_private = true; /* private markers, intermediates, ':' */
	} else {
		if (c == 'm' && !con.csi_private)
			apply_sgr();
		con.state = ST_NORMAL;
	}
	return true;
}

/* --- Input decoding ---------------------------------------------------- */

static void put_codepoint(uint32_t cp)
{
	switch (cp) {
	case '\n':
		newline();
		break;
	case '\r':
		con.col = 0;
		break;
	case '\t':
		con.col = MIN(ALIGN_UP(con.col + 1, TAB_WIDTH), con.cols);
		break;
	case '\b':
		if (con.col > 0)
			con.col--;
		break;
	case ESC:
		con.state = ST_ESC;
		break;
	default:
		if (cp >= 0x20 && !(cp >= 0x7f && cp < 0xa0))
			put_glyph(cp); /* C0 and C1 controls are dropped */
		break;
	}
}

/* Assemble UTF-8; a broken sequence shows as '?' and the byte is re-read. */
static void put_byte(uint8_t c)
{
	if (con.utf8_need) {
		if ((c & 0xc0) == 0x80) {
			con.utf8_cp = con.utf8_cp << 6 | (c & 0x3f);
			if (--con.utf8_need == 0)
				put_codepoint(con.utf8_cp);
			return;
		}
		con.utf8_need = 0;
		put_codepoint('?');
	}
	if (c < 0x80) {
		put_codepoint(c);
	} else if (c >= 0xc2 && c <= 0xdf) {
		con.utf8_cp = c & 0x1f;
		con.utf8_need = 1;
	} else if (c >= 0xe0 && c <= 0xef) {
		con.utf8_cp = c & 0x0f;
		con.utf8_need = 2;
	} else if (c >= 0xf0 && c <= 0xf4) {
		con.utf8_cp = c & 0x07;
		con.utf8_need = 3;
	} else {
		put_codepoint('?');
	}
}

void fbcon_write(const char *s, size_t len)
{
	if (!con.active || !s)
		return;
	for (size_t i = 0; i < len; i++) {
		uint8_t c = (uint8_t)s[i];
		switch (con.state) {
		case ST_ESC:
			if (c == '[')
				csi_start();
			else if (c != ESC)
				con.state = ST_NORMAL; /* two-byte sequence: drop it */
			break;
		case ST_CSI:
			if (csi_byte(c))
				break;
			/* The sequence was cut short by c: fall through and print c. */
			__attribute__((fallthrough));
		default:
			put_byte(c);
			break;
		}
	}
}

/* --- Setup ------------------------------------------------------------- */

static bool field_ok(uint8_t pos, uint8_t size, uint8_t bpp)
{
	return size <= 16 && pos < bpp && (uint32_t)pos + size <= bpp;
}

static int check_fb(const struct fb_info *fb, struct fb_info *out)
{
	if (!fb->virt || fb->width == 0 || fb->height == 0)
		return ERR_INVALID_ARGS;
	if (fb->bpp != 32 && fb->bpp != 24 && fb->bpp != 16)
		return ERR_INVALID_ARGS;
	if ((uint64_t)fb->width * (fb->bpp / 8) > fb->pitch)
		return ERR_INVALID_ARGS;
	*out = *fb;
	if (!fb->red_size && !fb->green_size && !fb->blue_size) {
		bool rgb565 = fb->bpp == 16;
		out->red_pos = rgb565 ? 11 : 16;
		out->green_pos = rgb565 ? 5 : 8;
		out->blue_pos = 0;
		out->red_size = rgb565 ? 5 : 8;
		out->green_size = rgb565 ? 6 : 8;
		out->blue_size = rgb565 ? 5 : 8;
	}
	if (!field_ok(out->red_pos, out->red_size, out->bpp) ||
	    !field_ok(out->green_pos, out->green_size, out->bpp) ||
	    !field_ok(out->blue_pos, out->blue_size, out->bpp))
		return ERR_INVALID_ARGS;
	return 0;
}

int fbcon_init(const struct fb_info *fb, const void *font, size_t font_len)
{
	struct fb_info info;
	int err;

	con.active = false;
	if (!fb || !font)
		return ERR_INVALID_ARGS;
	err = check_fb(fb, &info);
	if (err)
		return err;
	err = psf_parse(&con.font, font, font_len);
	if (err)
		return err;
	if (info.width / con.font.width == 0 || info.height / con.font.height == 0)
		return ERR_INVALID_ARGS;

	con.fb = info;
	con.bytespp = info.bpp / 8;
	con.fast32 =
	    info.bpp == 32 && IS_ALIGNED((uintptr_t)info.virt, 4) && IS_ALIGNED(info.pitch, 4);
	con.cols = info.width / con.font.width;
	con.rows = info.height / con.font.height;
	con.fg = COLOR_DEFAULT_FG;
	con.bg = COLOR_DEFAULT_BG;
	con.bold = false;
	con.utf8_need = 0;
	con.state = ST_NORMAL;
	update_colors();
	con.active = true;
	fbcon_clear();
	return 0;
}

void fbcon_clear(void)
{
	if (!con.active)
		return;
	fill_lines(0, con.fb.height);
	con.col = 0;
	con.row = 0;
}

bool fbcon_active(void)
{
	return con.active;
}

void fbcon_size(uint32_t *cols, uint32_t *rows)
{
	*cols = con.active ? con.cols : 0;
	*rows = con.active ? con.rows : 0;
}
