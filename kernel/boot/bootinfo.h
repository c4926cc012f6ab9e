/*
 * bootinfo.h - what the boot loader told us, in one loader-neutral form.
 *
 * The arch boot code parses Multiboot2 (GRUB) or PVH (QEMU -kernel) into a
 * struct boot_info early in kmain() and generic code reads only this. All
 * parsers treat the loader's data as untrusted: bounded copies, capped counts.
 */
#pragma once
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#define BOOT_MAX_MMAP 128
#define BOOT_MAX_MODULES 16
#define BOOT_CMDLINE_MAX 256

enum boot_mem_type {
	BOOT_MEM_USABLE = 1,
	BOOT_MEM_RESERVED = 2,
	BOOT_MEM_ACPI_RECLAIM = 3,
	BOOT_MEM_ACPI_NVS = 4,
	BOOT_MEM_BAD = 5,
};

struct boot_mem_range {
	uint64_t base;
	uint64_t len;
	uint32_t type;
};

struct boot_module {
	uint64_t start; /* physical */
	uint64_t end; /* physical, exclusive */
	char cmdline[64];
};

struct boot_fb {
	bool present;
	uint64_t phys;
	uint32_t width, height, pitch;
	uint8_t bpp;
	uint8_t red_pos, red_size, green_pos, green_size, blue_pos, blue_size;
};

struct boot_info {
	const char *protocol; /* "multiboot2" or "pvh" */
	char loader[32];
	char cmdline[BOOT_CMDLINE_MAX];
	struct boot_mem_range mmap[BOOT_MAX_MMAP];
	unsigned mmap_count;
	struct boot_module modules[BOOT_MAX_MODULES];
	unsigned module_count;
	struct boot_fb fb;
	uint8_t rsdp[36]; /* copy of the RSDP when the loader passed one */
	size_t rsdp_len;
	uint64_t rsdp_phys; /* or its address (PVH); 0 = search needed */
	uint64_t info_phys, info_len; /* loader structure, reserved until parsed */
};

/* Maps physical memory for the parsers; returns NULL when not reachable. */
typedef const void *(*boot_map_fn)(uint64_t phys, size_t len);

/* Parse Multiboot2 information at info_phys. 0 or ERR_MALFORMED, ERR_TRUNCATED. */
int bootinfo_parse_mb2(boot_map_fn map, uint64_t info_phys, struct boot_info *out);
/* Parse a PVH hvm_start_info at info_phys. 0 or ERR_MALFORMED, ERR_NOT_SUPPORTED. */
int bootinfo_parse_pvh(boot_map_fn map, uint64_t info_phys, struct boot_info *out);

/*
 * Find "key" or "key=value" in a space-separated command line. Returns true if
 * present; value and vlen (optional) get the value ("" when there is none).
 */
bool cmdline_find(const char *cmdline, const char *key, const char **value, size_t *vlen);
