/*
 * psf.c - PC Screen Font (PSF1 and PSF2) parser.
 *
 * Formats (as written by the Linux kbd tools and Debian's console-setup):
 *
 *   PSF1: 4-byte header { 0x36 0x04, mode, height }, then 256 glyphs (512 when
 *         mode & 0x01) of `height` bytes, 8 pixels wide. mode & 0x06 means a
 *         Unicode table follows: per glyph, little-endian 16-bit code points,
 *         0xFFFE starting combining sequences, 0xFFFF ending the glyph's entry.
 *   PSF2: 32-byte little-endian header { magic 0x864ab572, version, headersize,
 *         flags, length, charsize, height, width }, glyphs at headersize, each
 *         charsize = height * ((width + 7) / 8) bytes. flags & 1 means a Unicode
 *         table follows: per glyph, UTF-8 code points, 0xFE starting sequences,
 *         0xFF ending the entry.
 *
 * Every length comes from the (untrusted) image, so all arithmetic is done in
 * 64 bits on values that were first bounded, and multi-byte fields are read
 * byte by byte (the image may sit at any alignment). Combining sequences are
 * skipped: the console draws one glyph per code point.
 */
#include <dev/psf.h>
#include <abi/errors.h>

#define PSF1_MAGIC0 0x36
#define PSF1_MAGIC1 0x04
#define PSF1_MODE512 0x01
#define PSF1_MODEHASTAB 0x02
#define PSF1_MODEHASSEQ 0x04
#define PSF1_HEADER_SIZE 4
#define PSF1_TABLE_END 0xFFFF
#define PSF1_TABLE_SEQ 0xFFFE

#define PSF2_MAGIC 0x864ab572u
#define PSF2_HAS_UNICODE_TABLE 0x01
#define PSF2_HEADER_SIZE 32
#define PSF2_TABLE_END 0xFF
#define PSF2_TABLE_SEQ 0xFE

#define MAP_UNSET 0xFFFF

/* Cursor over the untrusted bytes [p, end). */
struct psf_reader {
	const uint8_t *p;
	const uint8_t *end;
};

static uint32_t get_le32(const uint8_t *p)
{
	return (uint32_t)p[0] | (uint32_t)p[1] << 8 | (uint32_t)p[2] << 16 | (uint32_t)p[3] << 24;
}

/* Record that glyph g shows code point cp; the first glyph claiming cp wins. */
static void map_set(struct psf_font *font, uint32_t cp, uint32_t g)
{
	if (cp < 256 && font->map[cp] == MAP_UNSET)
		font->map[cp] = (uint16_t)g;
}

static int parse_psf1_table(struct psf_font *font, struct psf_reader *r)
{
	for (uint32_t g = 0; g < font->nglyphs; g++) {
		int in_seq = 0;
		for (;;) {
			if (r->end - r->p < 2)
				return ERR_TRUNCATED;
			uint32_t v = (uint32_t)r->p[0] | (uint32_t)r->p[1] << 8;
			r->p += 2;
			if (v == PSF1_TABLE_END)
				break;
			if (v == PSF1_TABLE_SEQ)
				in_seq = 1;
			else if (!in_seq)
				map_set(font, v, g);
		}
	}
	return 0;
}

/*
 * Decode one UTF-8 code point at r->p (which is before r->end) and advance.
 * Only code points below 0x800 matter to the map, so longer forms are skipped
 * and reported as 0xFFFFFFFF; so are invalid bytes, one at a time.
 */
static uint32_t utf8_next(struct psf_reader *r)
{
	uint8_t b = *r->p++;
	if (b < 0x80)
		return b;
	if (b >= 0xC2 && b <= 0xDF) {
		if (r->p < r->end && (*r->p & 0xC0) == 0x80)
			return (uint32_t)(b & 0x1F) << 6 | (*r->p++ & 0x3F);
		return 0xFFFFFFFF;
	}
	/* 3- and 4-byte forms (or stray bytes): skip their continuation bytes. */
	int more = (b & 0xF0) == 0xE0 ? 2 : (b & 0xF8) == 0xF0 ? 3 : 0;
	while (more-- > 0 && r->p < r->end && (*r->p & 0xC0) == 0x80)
		r->p++;
	return 0xFFFFFFFF;
}

static int parse_psf2_table(struct psf_font *font, struct psf_reader *r)
{
	for (uint32_t g = 0; g < font->nglyphs; g++) {
		int in_seq = 0;
		for (;;) {
			if (r->p >= r->end)
				return ERR_TRUNCATED;
			if (*r->p == PSF2_TABLE_END) {
				r->p++;
				break;
			}
			if (*r->p == PSF2_TABLE_SEQ) {
				r->p++;
				in_seq = 1;
				continue;
			}
			uint32_t cp = utf8_next(r);
			if (!in_seq)
				map_set(font, cp, g);
		}
	}
	return 0;
}

/* Check the glyph array [off, off + n * size) fits in len and describe it. */
static int set_glyphs(struct psf_font *font, const uint8_t *buf, size_t len, uint64_t off,
                      uint32_t n, uint32_t width, uint32_t height)
{
	if (n == 0 || n > PSF_MAX_GLYPHS || width == 0 || width > PSF_MAX_WIDTH || height == 0 ||
	    height > PSF_MAX_HEIGHT)
		return ERR_MALFORMED;
	uint32_t stride = (width + 7) / 8;
	uint64_t end = off + (uint64_t)n * stride * height; /* < 2^33: cannot overflow */
	if (end > len)
		return ERR_TRUNCATED;
	font->glyphs = buf + off;
	font->nglyphs = n;
	font->width = width;
	font->height = height;
	font->stride = stride;
	font->bytes_per_glyph = stride * height;
	return 0;
}

static int parse_psf1(struct psf_font *font, const uint8_t *buf, size_t len)
{
	uint8_t mode = buf[2];
	uint32_t n = mode & PSF1_MODE512 ? 512 : 256;
	int err = set_glyphs(font, buf, len, PSF1_HEADER_SIZE, n, 8, buf[3]);
	if (err)
		return err;
	if (!(mode & (PSF1_MODEHASTAB | PSF1_MODEHASSEQ)))
		return 0;
	struct psf_reader r = {font->glyphs + (size_t)n * font->bytes_per_glyph, buf + len};
	return parse_psf1_table(font, &r);
}

static int parse_psf2(struct psf_font *font, const uint8_t *buf, size_t len)
{
	if (len < PSF2_HEADER_SIZE)
		return ERR_TRUNCATED;
	uint32_t version = get_le32(buf + 4);
	uint32_t headersize = get_le32(buf + 8);
	uint32_t flags = get_le32(buf + 12);
	uint32_t n = get_le32(buf + 16);
	uint32_t charsize = get_le32(buf + 20);
	uint32_t height = get_le32(buf + 24);
	uint32_t width = get_le32(buf + 28);

	if (version != 0 || headersize < PSF2_HEADER_SIZE)
		return ERR_MALFORMED;
	/* Bound height before multiplying; set_glyphs re-checks it. */
	if (height > PSF_MAX_HEIGHT || width > PSF_MAX_WIDTH ||
	    charsize != height * ((width + 7) / 8))
		return ERR_MALFORMED;
	int err = set_glyphs(font, buf, len, headersize, n, width, height);
	if (err)
		return err;
	if (!(flags & PSF2_HAS_UNICODE_TABLE))
		return 0;
	struct psf_reader r = {font->glyphs + (size_t)n * font->bytes_per_glyph, buf + len};
	return parse_psf2_table(font, &r);
}

/* Resolve the map: identity without a table, '?' for whatever stayed unmapped. */
static void finish_map(struct psf_font *font, int has_table)
{
	if (!has_table) {
		for (uint32_t cp = 0; cp < 256 && cp < font->nglyphs; cp++)
			font->map[cp] = (uint16_t)cp;
	}
	uint16_t fallback = font->map['?'] == MAP_UNSET ? 0 : font->map['?'];
	for (uint32_t cp = 0; cp < 256; cp++) {
		if (font->map[cp] == MAP_UNSET)
			font->map[cp] = fallback;
	}
}

int psf_parse(struct psf_font *font, const void *image, size_t len)
{
	if (!font || !image)
		return ERR_INVALID_ARGS;
	const uint8_t *buf = image;
	int err, has_table;

	__builtin_memset(font, 0, sizeof(*font));
	for (uint32_t cp = 0; cp < 256; cp++)
		font->map[cp] = MAP_UNSET;

	if (len >= 2 && buf[0] == PSF1_MAGIC0 && buf[1] == PSF1_MAGIC1) {
		if (len < PSF1_HEADER_SIZE) {
			err = ERR_TRUNCATED;
			goto out_zero;
		}
		has_table = (buf[2] & (PSF1_MODEHASTAB | PSF1_MODEHASSEQ)) != 0;
		err = parse_psf1(font, buf, len);
	} else if (len >= 4 && get_le32(buf) == PSF2_MAGIC) {
		has_table = len >= 16 && (get_le32(buf + 12) & PSF2_HAS_UNICODE_TABLE);
		err = parse_psf2(font, buf, len);
	} else {
		err = len < 4 ? ERR_TRUNCATED : ERR_MALFORMED;
	}
	if (err)
		goto out_zero;
	finish_map(font, has_table);
	return 0;

out_zero:
	__builtin_memset(font, 0, sizeof(*font));
	return err;
}

const uint8_t *psf_glyph(const struct psf_font *font, uint32_t cp)
{
	uint32_t g = font->map[cp < 256 ? cp : '?'];
	return font->glyphs + (size_t)g * font->bytes_per_glyph;
}
