/*
 * fbcon.h - text console on the boot framebuffer.
 *
 * The kernel log mirrors its lines here once GRUB has handed over a linear RGB
 * framebuffer (Multiboot2 framebuffer tag, type 1). Text is drawn with a PSF
 * font (dev/psf.h); the one linked into the kernel is Debian's Terminus 8x16,
 * embedded at build time by mk/fbcon.mk as fbcon_font_start..fbcon_font_end.
 *
 * Understood: printable Latin-1 bytes, \n (new line, column 0), \r, \t (next
 * multiple of 8), \b (cursor left, no erase), and the SGR subset the log uses
 * for its levels: ESC[0m, ESC[1m, ESC[22m, ESC[30-37m, ESC[39m, ESC[40-47m,
 * ESC[49m, ESC[90-97m, ESC[100-107m. Other escape sequences are consumed and
 * ignored; a sequence may be split across fbcon_write() calls. The console
 * wraps at the right edge and scrolls by moving framebuffer rows up.
 *
 * Locking: none inside. There is one console; its callers (the kernel log)
 * serialise every call, including fbcon_init() against writers.
 */
#pragma once
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

/* A linear, direct-colour framebuffer already mapped at virt. */
struct fb_info {
	uint64_t phys; /* physical base (kept for handing the display to user space) */
	void *virt; /* kernel mapping of at least pitch * height bytes */
	uint32_t width; /* visible pixels per line */
	uint32_t height; /* lines */
	uint32_t pitch; /* bytes from one line to the next */
	uint8_t bpp; /* bits per pixel: 32, 24 or 16 */
	/* Colour fields (bit position and width in the pixel). All sizes 0 means the
	 * usual layout: x8r8g8b8 for 32/24 bpp, r5g6b5 for 16 bpp. */
	uint8_t red_pos, red_size;
	uint8_t green_pos, green_size;
	uint8_t blue_pos, blue_size;
};

/* The console font linked into the kernel (build/font/console.o). */
extern const unsigned char fbcon_font_start[], fbcon_font_end[];

/* Its size in bytes (the symbols mark two ends of one blob, hence uintptr_t). */
static inline size_t fbcon_font_size(void)
{
	return (size_t)((uintptr_t)fbcon_font_end - (uintptr_t)fbcon_font_start);
}

/*
 * Take over the framebuffer *fb (copied; fb->virt must stay mapped) with the
 * PSF font font[0..font_len) (not copied; must stay valid), clear it to the
 * default background and home the cursor. Returns 0, or: ERR_INVALID_ARGS
 * (NULL pointers, unsupported bpp, pitch shorter than a line, colour fields
 * outside the pixel, or a framebuffer smaller than one glyph), or the font's
 * ERR_MALFORMED / ERR_TRUNCATED. On failure the console stays (or becomes)
 * inactive and later writes are dropped.
 */
int fbcon_init(const struct fb_info *fb, const void *font, size_t font_len);

/* Draw s[0..len) at the cursor (see the header comment). No-op when inactive. */
void fbcon_write(const char *s, size_t len);

/* Fill the screen with the current background colour and home the cursor. */
void fbcon_clear(void);

/* Whether fbcon_init() succeeded, and the text grid it gives (0 x 0 if not). */
bool fbcon_active(void);
void fbcon_size(uint32_t *cols, uint32_t *rows);
