/*
 * font.h - the console's glyphs: a PC Screen Font (PSF1 or PSF2, as Debian's
 * console-setup ships them) with its Unicode table turned into a sorted map, so
 * any code point the font covers is drawn (kernel/dev/psf.c maps only Latin-1,
 * which is all the kernel log needs). Code points the font lacks show U+FFFD
 * when it has that glyph, else '?'.
 *
 * Pure (tests/host/test_console.c runs it over the real font and broken ones):
 * the image is untrusted, every size is checked before use; the glyphs stay in
 * the caller's buffer, the map is malloc'd (at most FONT_MAX_MAP entries).
 */
#pragma once
#include <stddef.h>
#include <stdint.h>

#define FONT_MAX_WIDTH 32u
#define FONT_MAX_HEIGHT 64u
#define FONT_MAX_GLYPHS 65536u
#define FONT_MAX_MAP 65536u /* code points mapped at most */

struct font_map_entry {
	uint32_t cp;
	uint32_t glyph;
};

struct font {
	const uint8_t *glyphs;
	uint32_t nglyphs, width, height, stride, bytes_per_glyph;
	struct font_map_entry *map; /* sorted by cp; NULL: code point = glyph index */
	uint32_t nmap, cap;
	uint32_t fallback; /* glyph of U+FFFD, or of '?' */
};

/* 0, ERR_MALFORMED, ERR_TRUNCATED or ERR_NO_MEMORY. */
int font_load(struct font *f, const void *image, size_t len);
void font_free(struct font *f);

/* The glyph index for cp (the fallback when the font lacks it). */
uint32_t font_index(const struct font *f, uint32_t cp);

/* Whether the font has a glyph of its own for cp. */
int font_has(const struct font *f, uint32_t cp);

static inline const uint8_t *font_bits(const struct font *f, uint32_t glyph)
{
	return f->glyphs + (size_t)glyph * f->bytes_per_glyph;
}
