/*
 * fuzz_elf.c - libFuzzer target for the ELF64 loader (shared/elf.c): elf_validate()
 * and elf_load() with a map callback that records what it is asked to map.
 *
 * The input is the image. elf_load() must agree with elf_validate() and, for
 * a valid image, ask for exactly info.nsegments mappings, each inside the user
 * half above page 0, no wider than it says (filesz <= memsz), never writable
 * and executable, sharing no page with another, with its file bytes inside the
 * image (they are all read, so ASan sees any that are not), and an entry point
 * in an executable one. A second load whose callback fails at the k-th call
 * (k from the image's last byte) returns that failure and calls no further.
 */
#include "fuzz.h"

#include <shared/elf.h>
#include <abi/errors.h>

#include <stdbool.h>
#include <string.h>

#define FAIL_CODE ERR_NO_MEMORY

struct mapping {
	uint64_t vaddr, memsz;
	unsigned prot;
};

struct recorder {
	const uint8_t *image;
	size_t size;
	unsigned calls, fail_at; /* fail_at: 1-based call that fails, 0: none */
	struct mapping maps[ELF_MAX_PHNUM];
};

static int map_segment(void *ctx, uint64_t vaddr, uint64_t memsz, const void *file_data,
                       uint64_t filesz, unsigned prot)
{
	struct recorder *rec = ctx;
	FUZZ_CHECK(rec->calls < ELF_MAX_PHNUM);
	if (rec->fail_at && rec->calls + 1 == rec->fail_at)
		return FAIL_CODE;
	FUZZ_CHECK(memsz > 0 && filesz <= memsz);
	FUZZ_CHECK(vaddr >= ELF_PAGE_SIZE && vaddr < ELF_USER_TOP && memsz <= ELF_USER_TOP - vaddr);
	FUZZ_CHECK((prot & (ELF_PROT_W | ELF_PROT_X)) != (ELF_PROT_W | ELF_PROT_X));
	FUZZ_CHECK((prot & ~(ELF_PROT_R | ELF_PROT_W | ELF_PROT_X)) == 0);
	const uint8_t *d = file_data;
	FUZZ_CHECK(d >= rec->image && d <= rec->image + rec->size);
	FUZZ_CHECK(filesz <= (uint64_t)(rec->image + rec->size - d));
	unsigned sum = 0;
	for (uint64_t i = 0; i < filesz; i++)
		sum += d[i];
	(void)sum;
	uint64_t first = vaddr / ELF_PAGE_SIZE, last = (vaddr + memsz - 1) / ELF_PAGE_SIZE;
	for (unsigned i = 0; i < rec->calls; i++) {
		const struct mapping *m = &rec->maps[i];
		uint64_t f = m->vaddr / ELF_PAGE_SIZE,
		         l = (m->vaddr + m->memsz - 1) / ELF_PAGE_SIZE;
		FUZZ_CHECK(last < f || first > l); /* no page shared */
	}
	rec->maps[rec->calls++] = (struct mapping){vaddr, memsz, prot};
	return 0;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct elf_info info;
	int valid = elf_validate(data, size, &info);
	FUZZ_CHECK(valid == 0 || valid == ERR_TRUNCATED || valid == ERR_MALFORMED ||
	           valid == ERR_NOT_SUPPORTED || valid == ERR_OUT_OF_RANGE);
	static struct recorder rec;
	memset(&rec, 0, sizeof(rec));
	rec.image = data;
	rec.size = size;
	struct elf_loader_ops ops = {map_segment, &rec};
	uint64_t entry = 0;
	int r = elf_load(data, size, &ops, &entry);
	FUZZ_CHECK(r == valid);
	if (r != 0)
		return 0;
	FUZZ_CHECK(rec.calls == info.nsegments && rec.calls > 0);
	FUZZ_CHECK(entry == info.entry);
	bool in_x = false;
	for (unsigned i = 0; i < rec.calls; i++) {
		const struct mapping *m = &rec.maps[i];
		FUZZ_CHECK(m->vaddr >= info.lowest && m->vaddr + m->memsz <= info.highest);
		in_x |= (m->prot & ELF_PROT_X) && entry >= m->vaddr && entry - m->vaddr < m->memsz;
	}
	FUZZ_CHECK(in_x);
	/* a callback that fails stops the load with its error */
	unsigned calls = rec.calls;
	memset(&rec, 0, sizeof(rec));
	rec.image = data;
	rec.size = size;
	rec.fail_at = 1 + data[size - 1] % calls;
	FUZZ_CHECK(elf_load(data, size, &ops, NULL) == FAIL_CODE);
	FUZZ_CHECK(rec.calls == rec.fail_at - 1);
	return 0;
}
