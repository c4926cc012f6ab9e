/*
 * font.c - PSF1/PSF2 with the whole Unicode table (font.h).
 *
 * PSF1: { 0x36 0x04 mode height }, 256 or 512 glyphs 8 wide; with mode & 6 a
 * table of little-endian 16-bit code points per glyph, 0xFFFE before
 * sequences, 0xFFFF ending the glyph. PSF2: a 32-byte header { magic,
 * version, headersize, flags, length, charsize, height, width }; with flags &
 * 1 a table of UTF-8 per glyph, 0xFE before sequences, 0xFF ending it.
 * Sequences (a glyph for several code points together) are skipped: the
 * console draws one glyph per code point.
 */
#include "font.h"

#include <stdlib.h>
#include <string.h>

#include <abi/errors.h>

static uint32_t le32(const uint8_t *p)
{
	return (uint32_t)p[0] | (uint32_t)p[1] << 8 | (uint32_t)p[2] << 16 | (uint32_t)p[3] << 24;
}

struct reader {
	const uint8_t *p, *end;
};

static void add(struct font *f, uint32_t cp, uint32_t g)
{
	if (f->nmap < f->cap) /* beyond FONT_MAX_MAP entries: the rest are dropped */
		f->map[f->nmap++] = (struct font_map_entry){cp, g};
}

/* One UTF-8 code point at r->p (< r->end); 0xFFFFFFFF for a broken one. */
static uint32_t utf8(struct reader *r)
{
	uint8_t b = *r->p++;
	unsigned need = b < 0x80             ? 0
	                : (b & 0xe0) == 0xc0 ? 1
	                : (b & 0xf0) == 0xe0 ? 2
	                : (b & 0xf8) == 0xf0 ? 3
	                                     : 9;
	if (need == 9)
		return 0xFFFFFFFF;
	uint32_t cp = need ? b & (0x3f >> need) : b;
	while (need--) {
		if (r->p >= r->end || (*r->p & 0xc0) != 0x80)
			return 0xFFFFFFFF;
		cp = cp << 6 | (*r->p++ & 0x3f);
	}
	return cp;
}

static int table2(struct font *f, struct reader *r)
{
	for (uint32_t g = 0; g < f->nglyphs; g++) {
		int seq = 0;
		for (;;) {
			if (r->p >= r->end)
				return ERR_TRUNCATED;
			if (*r->p == 0xff) {
				r->p++;
				break;
			}
			if (*r->p == 0xfe) {
				r->p++;
				seq = 1;
				continue;
			}
			uint32_t cp = utf8(r);
			if (!seq && cp != 0xFFFFFFFF)
				add(f, cp, g);
		}
	}
	return 0;
}

static int table1(struct font *f, struct reader *r)
{
	for (uint32_t g = 0; g < f->nglyphs; g++) {
		int seq = 0;
		for (;;) {
			if (r->end - r->p < 2)
				return ERR_TRUNCATED;
			uint32_t v = (uint32_t)r->p[0] | (uint32_t)r->p[1] << 8;
			r->p += 2;
			if (v == 0xffff)
				break;
			if (v == 0xfffe)
				seq = 1;
			else if (!seq)
				add(f, v, g);
		}
	}
	return 0;
}

static int by_cp(const void *a, const void *b)
{
	const struct font_map_entry *x = a, *y = b;
	if (x->cp != y->cp)
		return x->cp < y->cp ? -1 : 1;
	return x->glyph < y->glyph ? -1 : x->glyph > y->glyph;
}

static int glyphs(struct font *f, size_t len, uint64_t off, uint32_t n, uint32_t w, uint32_t h)
{
	if (n == 0 || n > FONT_MAX_GLYPHS || w == 0 || w > FONT_MAX_WIDTH || h == 0 ||
	    h > FONT_MAX_HEIGHT)
		return ERR_MALFORMED;
	f->nglyphs = n;
	f->width = w;
	f->height = h;
	f->stride = (w + 7) / 8;
	f->bytes_per_glyph = f->stride * h;
	if (off + (uint64_t)n * f->bytes_per_glyph > len)
		return ERR_TRUNCATED;
	return 0;
}

int font_load(struct font *f, const void *image, size_t len)
{
	const uint8_t *b = image;
	int err, has_table = 0, psf2 = 0;
	uint64_t off;

	memset(f, 0, sizeof(*f));
	if (len >= 4 && b[0] == 0x36 && b[1] == 0x04) {
		off = 4;
		err = glyphs(f, len, off, b[2] & 1 ? 512 : 256, 8, b[3]);
		has_table = (b[2] & 6) != 0;
	} else if (len >= 32 && le32(b) == 0x864ab572u) {
		psf2 = 1;
		off = le32(b + 8);
		uint32_t h = le32(b + 24), w = le32(b + 28);
		if (le32(b + 4) != 0 || off < 32 || h > FONT_MAX_HEIGHT || w > FONT_MAX_WIDTH ||
		    le32(b + 20) != h * ((w + 7) / 8))
			return ERR_MALFORMED;
		err = glyphs(f, len, off, le32(b + 16), w, h);
		has_table = le32(b + 12) & 1;
	} else {
		return len < 32 ? ERR_TRUNCATED : ERR_MALFORMED;
	}
	if (err)
		goto fail;
	f->glyphs = b + off;
	if (has_table) {
		struct reader r = {f->glyphs + (size_t)f->nglyphs * f->bytes_per_glyph, b + len};
		size_t most = (size_t)(r.end - r.p) / (psf2 ? 1 : 2);
		if (most > FONT_MAX_MAP)
			most = FONT_MAX_MAP;
		f->map = malloc((most ? most : 1) * sizeof(*f->map));
		f->cap = (uint32_t)most;
		if (!f->map) {
			err = ERR_NO_MEMORY;
			goto fail;
		}
		err = psf2 ? table2(f, &r) : table1(f, &r);
		if (err)
			goto fail;
		qsort(f->map, f->nmap, sizeof(*f->map), by_cp);
	}
	f->fallback = 0;
	f->fallback = font_has(f, 0xfffd) ? font_index(f, 0xfffd) : font_index(f, '?');
	return 0;
fail:
	font_free(f);
	return err;
}

void font_free(struct font *f)
{
	free(f->map);
	memset(f, 0, sizeof(*f));
}

static const struct font_map_entry *find(const struct font *f, uint32_t cp)
{
	uint32_t lo = 0, hi = f->nmap;
	while (lo < hi) {
		uint32_t mid = lo + (hi - lo) / 2;
		if (f->map[mid].cp < cp)
			lo = mid + 1;
		else
			hi = mid;
	}
	return lo < f->nmap && f->map[lo].cp == cp ? &f->map[lo] : NULL;
}

int font_has(const struct font *f, uint32_t cp)
{
	if (!f->map)
		return cp < f->nglyphs;
	return find(f, cp) != NULL;
}

uint32_t font_index(const struct font *f, uint32_t cp)
{
	if (!f->map)
		return cp < f->nglyphs ? cp : f->fallback;
	const struct font_map_entry *e = find(f, cp);
	return e ? e->glyph : f->fallback;
}
