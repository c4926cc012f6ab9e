/*
 * elf.c - validation and loading of ELF64 executables (see elf.h).
 *
 * Validation is a decode half that may fail and touches nothing; loading is the
 * invoke half that only walks headers already proven good. Headers are copied out of
 * the image byte by byte into aligned structs, so a misaligned or short image can never
 * make us read outside it. Checks, in order:
 *   1. the ELF header: magic, class, data, versions, type, machine, header sizes;
 *   2. the program header table: count (1..ELF_MAX_PHNUM) and position in the file;
 *   3. each PT_LOAD: file range, filesz <= memsz, address range in the user half and
 *      above page 0, alignment, no W+X, no page shared with another segment;
 *   4. other headers: no PT_INTERP, no executable stack;
 *   5. at least one segment, and the entry point inside an executable one.
 * All range arithmetic is written so it cannot wrap (a + b <= limit becomes
 * a <= limit && b <= limit - a).
 */
#include <shared/elf.h>

#include <abi/errors.h>

#define PAGE_MASK ((uint64_t)ELF_PAGE_SIZE - 1)

static void copy_in(void *dst, const void *src, size_t n)
{
	unsigned char *d = dst;
	const unsigned char *s = src;

	while (n--)
		*d++ = *s++;
}

static int check_ehdr(const struct elf64_ehdr *eh)
{
	const unsigned char *id = eh->e_ident;

	if (id[0] != 0x7f || id[1] != 'E' || id[2] != 'L' || id[3] != 'F')
		return ERR_MALFORMED;
	if (id[4] != ELF_CLASS64)
		return id[4] == 1 ? ERR_NOT_SUPPORTED : ERR_MALFORMED;
	if (id[5] != ELF_DATA_LSB)
		return id[5] == 2 ? ERR_NOT_SUPPORTED : ERR_MALFORMED;
	if (id[6] != ELF_VERSION_CURRENT || eh->e_version != ELF_VERSION_CURRENT)
		return ERR_MALFORMED;
	if (eh->e_type != ELF_ET_EXEC)
		return eh->e_type >= 1 && eh->e_type <= 4 ? ERR_NOT_SUPPORTED : ERR_MALFORMED;
	if (eh->e_machine != ELF_EM_X86_64)
		return ERR_NOT_SUPPORTED;
	if (eh->e_ehsize != sizeof(struct elf64_ehdr) ||
	    eh->e_phentsize != sizeof(struct elf64_phdr) || eh->e_phnum == 0)
		return ERR_MALFORMED;
	if (eh->e_phnum > ELF_MAX_PHNUM)
		return ERR_NOT_SUPPORTED;
	return 0;
}

static bool is_pow2(uint64_t x)
{
	return x && !(x & (x - 1));
}

/* Pages [first, last] covered by a PT_LOAD already checked by check_load. */
static uint64_t first_page(const struct elf64_phdr *ph)
{
	return ph->p_vaddr & ~PAGE_MASK;
}

static uint64_t last_page(const struct elf64_phdr *ph)
{
	return (ph->p_vaddr + ph->p_memsz - 1) & ~PAGE_MASK;
}

static int check_load(const struct elf64_phdr *ph, size_t size)
{
	if (ph->p_offset > size || ph->p_filesz > size - ph->p_offset)
		return ERR_TRUNCATED;
	if (ph->p_filesz > ph->p_memsz)
		return ERR_MALFORMED;
	if (ph->p_vaddr < ELF_PAGE_SIZE || ph->p_vaddr >= ELF_USER_TOP ||
	    ph->p_memsz > ELF_USER_TOP - ph->p_vaddr)
		return ERR_OUT_OF_RANGE;
	if (ph->p_align > 1 &&
	    (!is_pow2(ph->p_align) || ph->p_vaddr % ph->p_align != ph->p_offset % ph->p_align))
		return ERR_MALFORMED;
	if ((ph->p_flags & ELF_PF_W) && (ph->p_flags & ELF_PF_X))
		return ERR_NOT_SUPPORTED;
	return 0;
}

static void read_phdr(const void *image, const struct elf64_ehdr *eh, unsigned i,
                      struct elf64_phdr *ph)
{
	copy_in(ph, (const unsigned char *)image + eh->e_phoff + (uint64_t)i * sizeof(*ph),
	        sizeof(*ph));
}

/* Does PT_LOAD i share a page with any earlier PT_LOAD? */
static bool overlaps_earlier(const void *image, const struct elf64_ehdr *eh, unsigned i,
                             const struct elf64_phdr *ph)
{
	for (unsigned j = 0; j < i; j++) {
		struct elf64_phdr other;
		read_phdr(image, eh, j, &other);
		if (other.p_type != ELF_PT_LOAD || other.p_memsz == 0)
			continue;
		if (first_page(ph) <= last_page(&other) && first_page(&other) <= last_page(ph))
			return true;
	}
	return false;
}

static int check_phdrs(const void *image, size_t size, const struct elf64_ehdr *eh,
                       struct elf_info *info)
{
	bool entry_ok = false;

	*info = (struct elf_info){.entry = eh->e_entry, .lowest = ELF_USER_TOP};
	for (unsigned i = 0; i < eh->e_phnum; i++) {
		struct elf64_phdr ph;
		read_phdr(image, eh, i, &ph);
		if (ph.p_type == ELF_PT_INTERP)
			return ERR_NOT_SUPPORTED;
		if (ph.p_type == ELF_PT_GNU_STACK && (ph.p_flags & ELF_PF_X))
			return ERR_NOT_SUPPORTED;
		if (ph.p_type != ELF_PT_LOAD)
			continue;
		int err = check_load(&ph, size);
		if (err)
			return err;
		if (ph.p_memsz == 0)
			continue;
		if (overlaps_earlier(image, eh, i, &ph))
			return ERR_MALFORMED;
		info->nsegments++;
		if (first_page(&ph) < info->lowest)
			info->lowest = first_page(&ph);
		if (last_page(&ph) + ELF_PAGE_SIZE > info->highest)
			info->highest = last_page(&ph) + ELF_PAGE_SIZE;
		if ((ph.p_flags & ELF_PF_X) && eh->e_entry >= ph.p_vaddr &&
		    eh->e_entry - ph.p_vaddr < ph.p_memsz)
			entry_ok = true;
	}
	if (!info->nsegments || !entry_ok)
		return ERR_MALFORMED;
	return 0;
}

/* Check the ELF header and the table's place in the file; *eh is filled. */
static int read_ehdr(const void *image, size_t size, struct elf64_ehdr *eh)
{
	if (!image)
		return ERR_INVALID_ARGS;
	if (size < sizeof(*eh))
		return ERR_TRUNCATED;
	copy_in(eh, image, sizeof(*eh));
	int err = check_ehdr(eh);
	if (err)
		return err;
	uint64_t table = (uint64_t)eh->e_phnum * sizeof(struct elf64_phdr);
	if (eh->e_phoff > size || table > size - eh->e_phoff)
		return ERR_TRUNCATED;
	return 0;
}

int elf_validate(const void *image, size_t size, struct elf_info *info)
{
	struct elf64_ehdr eh;
	struct elf_info local;
	int err = read_ehdr(image, size, &eh);

	if (err)
		return err;
	return check_phdrs(image, size, &eh, info ? info : &local);
}

static unsigned prot_of(uint32_t flags)
{
	return ((flags & ELF_PF_R) ? ELF_PROT_R : 0) | ((flags & ELF_PF_W) ? ELF_PROT_W : 0) |
	       ((flags & ELF_PF_X) ? ELF_PROT_X : 0);
}

int elf_load(const void *image, size_t size, const struct elf_loader_ops *ops, uint64_t *entry_out)
{
	struct elf64_ehdr eh;
	struct elf_info info;

	if (!ops || !ops->map_segment)
		return ERR_INVALID_ARGS;
	int err = read_ehdr(image, size, &eh);
	if (!err)
		err = check_phdrs(image, size, &eh, &info);
	if (err)
		return err;
	for (unsigned i = 0; i < eh.e_phnum; i++) {
		struct elf64_phdr ph;
		read_phdr(image, &eh, i, &ph);
		if (ph.p_type != ELF_PT_LOAD || ph.p_memsz == 0)
			continue;
		err = ops->map_segment(ops->ctx, ph.p_vaddr, ph.p_memsz,
		                       (const unsigned char *)image + ph.p_offset, ph.p_filesz,
		                       prot_of(ph.p_flags));
		if (err)
			return err;
	}
	if (entry_out)
		*entry_out = info.entry;
	return 0;
}
