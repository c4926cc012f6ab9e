/*
 * psf.h - PC Screen Font (PSF1 and PSF2) parser for the framebuffer console.
 *
 * psf_parse() validates a font image held in memory and describes it without
 * copying the glyphs: the struct points into the caller's buffer, which must
 * outlive it (the kernel's font lives in .rodata). The image is treated as
 * hostile: every size is checked against the buffer with overflow-safe
 * arithmetic, so a corrupt font is an error code, never an out-of-bounds read.
 *
 * Only code points below 256 are mapped (ASCII and Latin-1, what the kernel log
 * prints). Without a Unicode table a code point is its glyph index; with one
 * (PSF1 or PSF2) the table decides, and unmapped code points fall back to the
 * glyph for '?'. No state, no locking: a parsed font is read-only.
 */
#pragma once
#include <stddef.h>
#include <stdint.h>

#define PSF_MAX_WIDTH 32 /* widest glyph we render (Terminus tops out at 16) */
#define PSF_MAX_HEIGHT 64 /* tallest glyph we render */
#define PSF_MAX_GLYPHS 65536

struct psf_font {
	const uint8_t *glyphs; /* first glyph bitmap, inside the caller's buffer */
	uint32_t nglyphs; /* number of glyphs (>= 1) */
	uint32_t width; /* pixels per glyph row, 1..PSF_MAX_WIDTH */
	uint32_t height; /* rows per glyph, 1..PSF_MAX_HEIGHT */
	uint32_t stride; /* bytes per glyph row: (width + 7) / 8 */
	uint32_t bytes_per_glyph; /* height * stride */
	uint16_t map[256]; /* code point -> glyph index, always < nglyphs */
};

/*
 * Parse the PSF1 or PSF2 image buf[0..len) into *font. On success every field
 * is valid and font->glyphs points into buf. Returns 0, ERR_INVALID_ARGS (NULL
 * pointers), ERR_TRUNCATED (header, glyphs or Unicode table run past len) or
 * ERR_MALFORMED (bad magic, sizes out of range or inconsistent). On failure
 * *font is left zeroed.
 */
int psf_parse(struct psf_font *font, const void *buf, size_t len);

/* The bitmap of the glyph shown for code point cp (cp >= 256 shows '?'). */
const uint8_t *psf_glyph(const struct psf_font *font, uint32_t cp);
