/*
 * ustar.c - read-only ustar archive reader (see ustar.h for the contract).
 *
 * Header layout (POSIX.1-1988 ustar, offsets in a 512-byte block):
 *   0 name[100]  100 mode[8]  108 uid[8]  116 gid[8]  124 size[12]
 *   136 mtime[12]  148 chksum[8]  156 typeflag  157 linkname[100]
 *   257 magic[6]  263 version[2]  265 uname[32]  297 gname[32]
 *   329 devmajor[8]  337 devminor[8]  345 prefix[155]
 * Text fields need not be NUL-terminated when full, so every copy is bounded
 * by its field width. The checksum is the byte sum of the header with the
 * chksum field read as spaces; historic tars summed signed chars, so both
 * sums are accepted.
 *
 * Shared code (docs/kernel.md, "Code shared by kernel and user space"): the kernel
 * reads the initrd with it at boot, libcharlotte when a program opens an initrd file.
 * It calls only compiler builtins, which each side's string functions back.
 */
#include <shared/ustar.h>

#include <abi/errors.h>
#include <stdbool.h>

#define OFF_NAME 0
#define OFF_MODE 100
#define OFF_SIZE 124
#define OFF_CHKSUM 148
#define OFF_TYPE 156
#define OFF_LINK 157
#define OFF_MAGIC 257
#define OFF_PREFIX 345

static bool is_zero_block(const uint8_t *b, size_t n)
{
	for (size_t i = 0; i < n; i++)
		if (b[i])
			return false;
	return true;
}

/*
 * Parse an octal field: optional leading spaces, at least one digit, then only
 * spaces or NULs to the end of the field. Base-256 (high bit set) is rejected.
 */
static int parse_octal(const uint8_t *f, size_t n, uint64_t *out)
{
	size_t i = 0;
	uint64_t v = 0;
	while (i < n && f[i] == ' ')
		i++;
	size_t first = i;
	for (; i < n && f[i] >= '0' && f[i] <= '7'; i++) {
		if (v > (UINT64_MAX >> 3))
			return ERR_MALFORMED;
		v = v << 3 | (uint64_t)(f[i] - '0');
	}
	if (i == first)
		return ERR_MALFORMED;
	for (; i < n; i++)
		if (f[i] != ' ' && f[i] != '\0')
			return ERR_MALFORMED;
	*out = v;
	return 0;
}

static bool checksum_ok(const uint8_t *h)
{
	uint64_t want;
	if (parse_octal(h + OFF_CHKSUM, 8, &want))
		return false;
	uint64_t usum = 0;
	int64_t ssum = 0;
	for (size_t i = 0; i < USTAR_BLOCK; i++) {
		uint8_t c = (i >= OFF_CHKSUM && i < OFF_CHKSUM + 8) ? ' ' : h[i];
		usum += c;
		ssum += (int8_t)c;
	}
	return want == usum || (ssum >= 0 && want == (uint64_t)ssum);
}

static bool magic_ok(const uint8_t *h)
{
	return __builtin_memcmp(h + OFF_MAGIC,
	                        "ustar\0"
	                        "00",
	                        8) == 0 ||
	       __builtin_memcmp(h + OFF_MAGIC, "ustar  \0", 8) == 0;
}

/* Bounded copy of a field that may lack its NUL; returns the length copied. */
static size_t copy_field(char *dst, const uint8_t *src, size_t n)
{
	size_t i = 0;
	for (; i < n && src[i]; i++)
		dst[i] = (char)src[i];
	dst[i] = '\0';
	return i;
}

/* Strip leading "./" and "/" and trailing "/" in place; return the start. */
static const char *normalise(char *p, size_t *len)
{
	size_t n = *len;
	while (n && (p[0] == '/' || (p[0] == '.' && (n == 1 || p[1] == '/')))) {
		p++;
		n--;
	}
	while (n && p[n - 1] == '/')
		n--;
	p[n] = '\0';
	*len = n;
	return p;
}

static void build_path(struct ustar_entry *out, const uint8_t *h)
{
	size_t n = copy_field(out->path, h + OFF_PREFIX, 155);
	if (n)
		out->path[n++] = '/';
	n += copy_field(out->path + n, h + OFF_NAME, 100);
	/* normalise() may start past path[0]: move the result to the front */
	const char *p = normalise(out->path, &n);
	__builtin_memmove(out->path, p, n + 1);
	out->name = out->path;
}

int ustar_next(const void *archive, size_t len, size_t *offset, struct ustar_entry *out)
{
	if (!archive || !offset || !out)
		return ERR_INVALID_ARGS;
	const uint8_t *base = archive;
	size_t off = *offset;
	if (off >= len) /* also where an unpadded last member leaves us */
		return USTAR_END;
	if (off % USTAR_BLOCK)
		return ERR_INVALID_ARGS;
	size_t left = len - off;
	const uint8_t *h = base + off;
	if (left < USTAR_BLOCK)
		return is_zero_block(h, left) ? USTAR_END : ERR_TRUNCATED;
	if (is_zero_block(h, USTAR_BLOCK))
		return USTAR_END;
	if (!magic_ok(h) || !checksum_ok(h))
		return ERR_MALFORMED;

	uint64_t size, mode;
	if (parse_octal(h + OFF_SIZE, 12, &size) || parse_octal(h + OFF_MODE, 8, &mode) ||
	    mode > UINT32_MAX)
		return ERR_MALFORMED;
	if (size > left - USTAR_BLOCK)
		return ERR_TRUNCATED;

	build_path(out, h);
	copy_field(out->linkname, h + OFF_LINK, 100);
	out->type = h[OFF_TYPE] ? (char)h[OFF_TYPE] : USTAR_FILE;
	out->mode = (uint32_t)mode;
	out->size = size;
	out->data = h + USTAR_BLOCK;

	/* size <= left - 512, so this cannot overflow; the last pad may be missing. */
	size_t next = off + USTAR_BLOCK + (size_t)size;
	size_t pad = (USTAR_BLOCK - next % USTAR_BLOCK) % USTAR_BLOCK;
	*offset = pad <= len - next ? next + pad : len;
	return 0;
}

int ustar_find(const void *archive, size_t len, const char *path, struct ustar_entry *out)
{
	if (!path)
		return ERR_INVALID_ARGS;
	/* Leading "./" and "/" and trailing "/" do not count against the length: any
	 * spelling of an archive path fits want[] once they are gone. */
	while (path[0] == '/' || (path[0] == '.' && (path[1] == '/' || path[1] == '\0')))
		path++;
	char want[USTAR_PATH_MAX + 1];
	size_t n = 0;
	while (n < USTAR_PATH_MAX && path[n]) {
		want[n] = path[n];
		n++;
	}
	for (size_t i = n; path[i]; i++)
		if (path[i] != '/')
			return ERR_NOT_FOUND; /* longer than any archive path */
	want[n] = '\0';
	const char *w = normalise(want, &n);

	size_t off = 0;
	for (;;) {
		int rc = ustar_next(archive, len, &off, out);
		if (rc == USTAR_END)
			return ERR_NOT_FOUND;
		if (rc < 0)
			return rc;
		if (__builtin_strcmp(out->name, w) == 0)
			return 0;
	}
}
