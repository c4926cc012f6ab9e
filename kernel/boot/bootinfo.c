/*
 * bootinfo.c - Multiboot2 and PVH boot information parsers.
 *
 * Both formats are read through a mapping callback so the same code runs in
 * the kernel (direct map) and in host tests (a fake physical memory buffer).
 * Every length and count from the loader is checked against the structure
 * that contains it; strings are copied with a bound; anything beyond the
 * fixed capacities of struct boot_info is dropped, never overflowed.
 */
#include <boot/bootinfo.h>
#include <abi/errors.h>
#include <lib/compiler.h>

#define MB2_TAG_END 0
#define MB2_TAG_CMDLINE 1
#define MB2_TAG_LOADER 2
#define MB2_TAG_MODULE 3
#define MB2_TAG_MMAP 6
#define MB2_TAG_FRAMEBUFFER 8
#define MB2_TAG_ACPI_OLD 14
#define MB2_TAG_ACPI_NEW 15
#define MB2_MAX_SIZE (1u << 20)

struct mb2_tag {
	uint32_t type;
	uint32_t size;
};

static void copy_str(char *dst, size_t cap, const char *src, size_t srclen)
{
	size_t i = 0;
	for (; i + 1 < cap && i < srclen && src[i]; i++)
		dst[i] = src[i];
	dst[i] = 0;
}

static uint32_t rd32(const uint8_t *p)
{
	uint32_t v;
	__builtin_memcpy(&v, p, 4);
	return v;
}

static uint64_t rd64(const uint8_t *p)
{
	uint64_t v;
	__builtin_memcpy(&v, p, 8);
	return v;
}

static void add_range(struct boot_info *bi, uint64_t base, uint64_t len, uint32_t type)
{
	if (len == 0 || bi->mmap_count >= BOOT_MAX_MMAP)
		return;
	if (base + len < base) /* wraps: clip at the top of the address space */
		len = -base;
	if (type < BOOT_MEM_USABLE || type > BOOT_MEM_BAD)
		type = BOOT_MEM_RESERVED;
	bi->mmap[bi->mmap_count++] = (struct boot_mem_range){base, len, type};
}

static void parse_mb2_mmap(struct boot_info *bi, const uint8_t *tag, uint32_t size)
{
	if (size < 16)
		return;
	uint32_t esize = rd32(tag + 8);
	if (esize < 24 || esize > 4096)
		return;
	for (uint32_t off = 16; off + esize <= size; off += esize)
		add_range(bi, rd64(tag + off), rd64(tag + off + 8), rd32(tag + off + 16));
}

static void parse_mb2_fb(struct boot_info *bi, const uint8_t *tag, uint32_t size)
{
	if (size < 31)
		return;
	struct boot_fb *fb = &bi->fb;
	fb->phys = rd64(tag + 8);
	fb->pitch = rd32(tag + 16);
	fb->width = rd32(tag + 20);
	fb->height = rd32(tag + 24);
	fb->bpp = tag[28];
	uint8_t type = tag[29];
	if (type != 1 || size < 38) /* only direct RGB colour */
		return;
	fb->red_pos = tag[32];
	fb->red_size = tag[33];
	fb->green_pos = tag[34];
	fb->green_size = tag[35];
	fb->blue_pos = tag[36];
	fb->blue_size = tag[37];
	fb->present = fb->width && fb->height && fb->pitch >= fb->width * (fb->bpp / 8u) &&
	              (fb->bpp == 32 || fb->bpp == 24 || fb->bpp == 16);
}

int bootinfo_parse_mb2(boot_map_fn map, uint64_t info_phys, struct boot_info *bi)
{
	const uint8_t *hdr = map(info_phys, 8);
	if (!hdr)
		return ERR_BAD_ADDRESS;
	uint32_t total = rd32(hdr);
	if (total < 16 || total > MB2_MAX_SIZE)
		return ERR_MALFORMED;
	const uint8_t *p = map(info_phys, total);
	if (!p)
		return ERR_TRUNCATED;
	bi->protocol = "multiboot2";
	bi->info_phys = info_phys;
	bi->info_len = total;
	for (uint32_t off = 8; off + 8 <= total;) {
		uint32_t type = rd32(p + off), size = rd32(p + off + 4);
		if (size < 8 || size > total - off)
			return ERR_MALFORMED;
		const uint8_t *t = p + off;
		switch (type) {
		case MB2_TAG_END:
			return 0;
		case MB2_TAG_CMDLINE:
			copy_str(bi->cmdline, sizeof(bi->cmdline), (const char *)t + 8, size - 8);
			break;
		case MB2_TAG_LOADER:
			copy_str(bi->loader, sizeof(bi->loader), (const char *)t + 8, size - 8);
			break;
		case MB2_TAG_MODULE:
			if (size >= 16 && bi->module_count < BOOT_MAX_MODULES) {
				struct boot_module *m = &bi->modules[bi->module_count];
				m->start = rd32(t + 8);
				m->end = rd32(t + 12);
				if (m->end < m->start)
					break;
				copy_str(m->cmdline, sizeof(m->cmdline), (const char *)t + 16,
				         size - 16);
				bi->module_count++;
			}
			break;
		case MB2_TAG_MMAP:
			parse_mb2_mmap(bi, t, size);
			break;
		case MB2_TAG_FRAMEBUFFER:
			parse_mb2_fb(bi, t, size);
			break;
		case MB2_TAG_ACPI_OLD:
		case MB2_TAG_ACPI_NEW:
			/* prefer the v2 copy; keep the v1 one only if nothing better */
			if (type == MB2_TAG_ACPI_NEW || bi->rsdp_len == 0) {
				size_t n = MIN((size_t)size - 8, sizeof(bi->rsdp));
				__builtin_memcpy(bi->rsdp, t + 8, n);
				bi->rsdp_len = n;
			}
			break;
		default:
			break;
		}
		off += ALIGN_UP(size, 8u);
	}
	return ERR_TRUNCATED; /* no end tag */
}

#define PVH_MAGIC_VALUE 0x336ec578u

int bootinfo_parse_pvh(boot_map_fn map, uint64_t info_phys, struct boot_info *bi)
{
	const uint8_t *si = map(info_phys, 56);
	if (!si)
		return ERR_BAD_ADDRESS;
	if (rd32(si) != PVH_MAGIC_VALUE)
		return ERR_MALFORMED;
	uint32_t version = rd32(si + 4);
	uint32_t nr_modules = rd32(si + 12);
	uint64_t modlist = rd64(si + 16), cmdline = rd64(si + 24), rsdp = rd64(si + 32);
	bi->protocol = "pvh";
	bi->info_phys = info_phys;
	bi->info_len = 56;
	copy_str(bi->loader, sizeof(bi->loader), "qemu-pvh", 8);
	if (cmdline) {
		const char *c = map(cmdline, BOOT_CMDLINE_MAX);
		if (c)
			copy_str(bi->cmdline, sizeof(bi->cmdline), c, BOOT_CMDLINE_MAX);
	}
	bi->rsdp_phys = rsdp;
	for (uint32_t i = 0; i < nr_modules && bi->module_count < BOOT_MAX_MODULES; i++) {
		const uint8_t *m = map(modlist + 32ull * i, 32);
		if (!m)
			break;
		struct boot_module *bm = &bi->modules[bi->module_count];
		bm->start = rd64(m);
		bm->end = bm->start + rd64(m + 8);
		if (bm->end < bm->start)
			continue;
		bm->cmdline[0] = 0;
		bi->module_count++;
	}
	if (version < 1)
		return ERR_NOT_SUPPORTED; /* no memory map: we cannot guess RAM */
	uint64_t memmap = rd64(si + 40);
	uint32_t entries = rd32(si + 48);
	for (uint32_t i = 0; i < entries && i < 4 * BOOT_MAX_MMAP; i++) {
		const uint8_t *e = map(memmap + 24ull * i, 24);
		if (!e)
			return ERR_TRUNCATED;
		add_range(bi, rd64(e), rd64(e + 8), rd32(e + 16));
	}
	return 0;
}

bool cmdline_find(const char *cmdline, const char *key, const char **value, size_t *vlen)
{
	size_t klen = __builtin_strlen(key);
	const char *p = cmdline;
	while (*p) {
		while (*p == ' ')
			p++;
		const char *w = p;
		while (*p && *p != ' ')
			p++;
		size_t wlen = (size_t)(p - w);
		if (wlen >= klen && __builtin_memcmp(w, key, klen) == 0 &&
		    (wlen == klen || w[klen] == '=')) {
			const char *v = wlen == klen ? w + klen : w + klen + 1;
			if (value)
				*value = v;
			if (vlen)
				*vlen = (size_t)(p - v);
			return true;
		}
	}
	return false;
}
