/*
 * elf.h - the ELF64 program loader shared by the kernel and libcharlotte
 * (shared/elf.c, built once for each): checks an executable image and tells the
 * caller which segments to map where.
 *
 * The loader never touches an address space itself: elf_load() validates the whole
 * image first, then calls ops->map_segment once per loadable segment. In user space
 * the callback creates memory capabilities, copies the file bytes and maps them into
 * the child's address space (exokernel style: the parent builds the child); the
 * kernel's callback maps the first program, Exec, at boot; on the host, tests record
 * the calls. Only static, non-PIE x86-64 executables (ET_EXEC) are
 * accepted, since we have no dynamic linker.
 *
 * The image is untrusted: every field is checked with overflow-safe arithmetic before
 * use, and only bytes inside [image, image + size) are ever read.
 */
#pragma once

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#define ELF_PAGE_SIZE 4096u
#define ELF_USER_TOP 0x0000800000000000ull /* first address above the user half */
#define ELF_MAX_PHNUM 64u /* more program headers are refused */

/* prot bits passed to map_segment */
#define ELF_PROT_R 1u
#define ELF_PROT_W 2u
#define ELF_PROT_X 4u

/* Values from the ELF specification, under our own names. */
#define ELF_CLASS64 2
#define ELF_DATA_LSB 1
#define ELF_VERSION_CURRENT 1
#define ELF_ET_EXEC 2
#define ELF_ET_DYN 3
#define ELF_EM_X86_64 62
#define ELF_PT_NULL 0
#define ELF_PT_LOAD 1
#define ELF_PT_DYNAMIC 2
#define ELF_PT_INTERP 3
#define ELF_PT_GNU_STACK 0x6474e551u
#define ELF_PF_X 1u
#define ELF_PF_W 2u
#define ELF_PF_R 4u

struct elf64_ehdr {
	unsigned char e_ident[16]; /* 7f 'E' 'L' 'F', class, data, version, OS ABI ... */
	uint16_t e_type;
	uint16_t e_machine;
	uint32_t e_version;
	uint64_t e_entry;
	uint64_t e_phoff;
	uint64_t e_shoff;
	uint32_t e_flags;
	uint16_t e_ehsize;
	uint16_t e_phentsize;
	uint16_t e_phnum;
	uint16_t e_shentsize;
	uint16_t e_shnum;
	uint16_t e_shstrndx;
};

struct elf64_phdr {
	uint32_t p_type;
	uint32_t p_flags;
	uint64_t p_offset;
	uint64_t p_vaddr;
	uint64_t p_paddr;
	uint64_t p_filesz;
	uint64_t p_memsz;
	uint64_t p_align;
};

/* What elf_validate learned about a valid image. */
struct elf_info {
	uint64_t entry; /* first instruction, inside an executable segment */
	uint64_t lowest; /* page-aligned start of the lowest segment */
	uint64_t highest; /* page-aligned end of the highest segment */
	unsigned nsegments; /* PT_LOAD segments that will be mapped (memsz > 0) */
};

/*
 * How to map: map_segment(ctx, ...) must make [vaddr, vaddr + memsz) accessible with
 * prot (ELF_PROT_*), holding the filesz bytes at file_data at its start and zeros
 * after them. vaddr need not be page-aligned: the callback covers whole pages; no two
 * segments share a page. Returns 0 or a negative ERR_ code, which stops the load.
 */
struct elf_loader_ops {
	int (*map_segment)(void *ctx, uint64_t vaddr, uint64_t memsz, const void *file_data,
	                   uint64_t filesz, unsigned prot);
	void *ctx;
};

/*
 * Check that image (size bytes) is a loadable executable, without mapping anything.
 * Fills *info (if not NULL) on success. Errors:
 *   ERR_INVALID_ARGS   image is NULL
 *   ERR_TRUNCATED      a header, the program header table or segment data lies past size
 *   ERR_MALFORMED      bad magic, version or sizes, filesz > memsz, bad alignment,
 *                      overlapping segments, no segment, entry not in an X segment
 *   ERR_NOT_SUPPORTED  not ELF64 little-endian x86-64 ET_EXEC, an interpreter, more
 *                      than ELF_MAX_PHNUM headers, a writable+executable segment or stack
 *   ERR_OUT_OF_RANGE   a segment at page 0, beyond the user half, or wrapping around
 */
int elf_validate(const void *image, size_t size, struct elf_info *info);

/*
 * Validate image, then call ops->map_segment for each PT_LOAD segment with memsz > 0,
 * in program header order, and store the entry point in *entry_out (if not NULL).
 * Nothing is mapped unless the whole image is valid; if a callback fails, its error is
 * returned and the segments mapped before it stay mapped (the caller discards the
 * half-built address space). Errors: those of elf_validate, ERR_INVALID_ARGS for a
 * missing ops or callback, or the callback's.
 */
int elf_load(const void *image, size_t size, const struct elf_loader_ops *ops, uint64_t *entry_out);
