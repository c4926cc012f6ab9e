/*
 * test_elf.c - host tests of the shared ELF64 loader (shared/elf.c).
 *
 * A recording map_segment callback stands in for the address space and checks every
 * call against the loader's promises (user half, no page 0, no shared pages, no W+X,
 * file data inside the image, entry in an executable segment). Cases: a small image
 * built in memory and two real static executables built by the host gcc load as
 * expected; every header field corrupted in turn gives its documented error; every
 * truncation length is refused or, past the last byte used, accepted; and 100,000
 * random byte flips never crash (this file runs under ASan and UBSan, with each image
 * in an allocation of exactly its size so any read past the end is caught).
 */
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <setjmp.h>
#include <stdarg.h>

#include <cmocka.h>

#include <abi/errors.h>
#include <shared/elf.h>

/* ---- the recording callback ---- */

struct mapped {
	uint64_t vaddr, memsz, filesz;
	const void *data;
	unsigned prot;
};

struct recorder {
	const unsigned char *image;
	size_t size;
	struct mapped seg[ELF_MAX_PHNUM];
	unsigned n;
	int fail_at; /* return ERR_NO_MEMORY on this call (0-based), -1 never */
};

static uint64_t page_down(uint64_t a)
{
	return a & ~(uint64_t)(ELF_PAGE_SIZE - 1);
}

static int record(void *ctx, uint64_t vaddr, uint64_t memsz, const void *data, uint64_t filesz,
                  unsigned prot)
{
	struct recorder *r = ctx;
	const unsigned char *d = data;

	assert_true(r->n < ELF_MAX_PHNUM);
	if (r->fail_at == (int)r->n)
		return ERR_NO_MEMORY;
	assert_true(memsz > 0 && filesz <= memsz);
	assert_true(vaddr >= ELF_PAGE_SIZE && vaddr < ELF_USER_TOP);
	assert_true(memsz <= ELF_USER_TOP - vaddr);
	assert_true(d >= r->image && d <= r->image + r->size);
	assert_true(filesz <= (uint64_t)(r->image + r->size - d));
	assert_false((prot & ELF_PROT_W) && (prot & ELF_PROT_X));
	assert_int_equal(prot & ~7u, 0);
	for (unsigned i = 0; i < r->n; i++) {
		const struct mapped *o = &r->seg[i];
		bool apart = page_down(vaddr + memsz - 1) < page_down(o->vaddr) ||
		             page_down(o->vaddr + o->memsz - 1) < page_down(vaddr);
		assert_true(apart);
	}
	r->seg[r->n++] = (struct mapped){vaddr, memsz, filesz, data, prot};
	return 0;
}

/* Load image (copied into an allocation of exactly size bytes) and check the result. */
static int load_checked(const void *image, size_t size, struct recorder *r, uint64_t *entry)
{
	unsigned char *copy = malloc(size ? size : 1);
	assert_non_null(copy);
	memcpy(copy, image, size);
	*r = (struct recorder){.image = copy, .size = size, .fail_at = -1};
	struct elf_loader_ops ops = {record, r};
	struct elf_info info;
	*entry = 0;
	int rc = elf_load(copy, size, &ops, entry);
	int vrc = elf_validate(copy, size, &info);
	assert_int_equal(rc, vrc);
	if (rc == 0) {
		bool entry_ok = false;
		for (unsigned i = 0; i < r->n; i++) {
			const struct mapped *m = &r->seg[i];
			if ((m->prot & ELF_PROT_X) && *entry >= m->vaddr &&
			    *entry - m->vaddr < m->memsz)
				entry_ok = true;
		}
		assert_true(entry_ok);
		assert_int_equal(info.nsegments, r->n);
		assert_true(info.entry == *entry);
		assert_true(info.lowest < info.highest && info.highest <= ELF_USER_TOP);
	} else {
		assert_true(rc < 0);
		assert_int_equal(r->n, 0); /* nothing mapped from a bad image */
	}
	free(copy);
	return rc;
}

/* ---- a small valid image, built in memory ---- */

enum { NPH = 4, IMG_SIZE = 0x1a0 };

struct image {
	union {
		unsigned char bytes[IMG_SIZE];
		struct {
			struct elf64_ehdr eh;
			struct elf64_phdr ph[NPH];
		};
	};
};

static void make_image(struct image *img)
{
	memset(img, 0, sizeof(*img));
	for (size_t i = 0; i < IMG_SIZE; i++)
		img->bytes[i] = (unsigned char)(i * 7 + 3);
	img->eh = (struct elf64_ehdr){
	    .e_ident = {0x7f, 'E', 'L', 'F', ELF_CLASS64, ELF_DATA_LSB, 1, 0},
	    .e_type = ELF_ET_EXEC,
	    .e_machine = ELF_EM_X86_64,
	    .e_version = 1,
	    .e_entry = 0x401150,
	    .e_phoff = sizeof(struct elf64_ehdr),
	    .e_ehsize = sizeof(struct elf64_ehdr),
	    .e_phentsize = sizeof(struct elf64_phdr),
	    .e_phnum = NPH,
	};
	/* headers, read-only */
	img->ph[0] =
	    (struct elf64_phdr){ELF_PT_LOAD, ELF_PF_R, 0, 0x400000, 0x400000, 0x120, 0x120, 0x1000};
	/* text */
	img->ph[1] = (struct elf64_phdr){
	    ELF_PT_LOAD, ELF_PF_R | ELF_PF_X, 0x140, 0x401140, 0x401140, 0x40, 0x40, 0x1000};
	/* data + bss */
	img->ph[2] = (struct elf64_phdr){
	    ELF_PT_LOAD, ELF_PF_R | ELF_PF_W, 0x180, 0x402180, 0x402180, 0x20, 0x3000, 0x1000};
	img->ph[3] = (struct elf64_phdr){ELF_PT_GNU_STACK, ELF_PF_R | ELF_PF_W, 0, 0, 0, 0, 0, 16};
}

static void test_valid_image(void **state)
{
	(void)state;
	struct image img;
	struct recorder r;
	uint64_t entry;

	make_image(&img);
	assert_int_equal(load_checked(img.bytes, IMG_SIZE, &r, &entry), 0);
	assert_true(entry == 0x401150);
	assert_int_equal(r.n, 3);
	assert_true(r.seg[0].vaddr == 0x400000 && r.seg[0].prot == ELF_PROT_R);
	assert_true(r.seg[1].vaddr == 0x401140 && r.seg[1].prot == (ELF_PROT_R | ELF_PROT_X));
	assert_true(r.seg[2].memsz == 0x3000 && r.seg[2].filesz == 0x20);
	assert_true(r.seg[2].prot == (ELF_PROT_R | ELF_PROT_W));

	struct elf_info info;
	assert_int_equal(elf_validate(img.bytes, IMG_SIZE, &info), 0);
	assert_true(info.lowest == 0x400000 && info.highest == 0x406000);
	assert_int_equal(elf_validate(img.bytes, IMG_SIZE, NULL), 0);

	/* the data handed over is the file's */
	unsigned char *copy = malloc(IMG_SIZE);
	memcpy(copy, img.bytes, IMG_SIZE);
	r = (struct recorder){.image = copy, .size = IMG_SIZE, .fail_at = -1};
	struct elf_loader_ops ops = {record, &r};
	assert_int_equal(elf_load(copy, IMG_SIZE, &ops, NULL), 0);
	assert_ptr_equal(r.seg[1].data, copy + 0x140);
	assert_ptr_equal(r.seg[2].data, copy + 0x180);

	/* a failing callback stops the load with its error */
	r = (struct recorder){.image = copy, .size = IMG_SIZE, .fail_at = 1};
	assert_int_equal(elf_load(copy, IMG_SIZE, &ops, &entry), ERR_NO_MEMORY);
	assert_int_equal(r.n, 1);

	/* bad arguments */
	assert_int_equal(elf_load(NULL, IMG_SIZE, &ops, &entry), ERR_INVALID_ARGS);
	assert_int_equal(elf_load(copy, IMG_SIZE, NULL, &entry), ERR_INVALID_ARGS);
	struct elf_loader_ops no_cb = {NULL, NULL};
	assert_int_equal(elf_load(copy, IMG_SIZE, &no_cb, &entry), ERR_INVALID_ARGS);
	assert_int_equal(elf_validate(NULL, 100, NULL), ERR_INVALID_ARGS);
	free(copy);
}

/* ---- every field corrupted in turn ---- */

#define C(err, stmt)             \
	case __COUNTER__ - base: \
		*what = #stmt;   \
		stmt;            \
		return err

/* Apply corruption k to img; returns the error it must cause, or 1 past the last case. */
static int corrupt(int k, struct image *img, const char **what)
{
	struct elf64_ehdr *eh = &img->eh;
	struct elf64_phdr *ph = img->ph;
	enum { base = __COUNTER__ + 1 };

	switch (k) {
		C(ERR_MALFORMED, eh->e_ident[0] = 0x7e);
		C(ERR_MALFORMED, eh->e_ident[1] = 'e');
		C(ERR_MALFORMED, eh->e_ident[2] = 0);
		C(ERR_MALFORMED, eh->e_ident[3] = 'f');
		C(ERR_NOT_SUPPORTED, eh->e_ident[4] = 1);
		C(ERR_MALFORMED, eh->e_ident[4] = 0);
		C(ERR_MALFORMED, eh->e_ident[4] = 3);
		C(ERR_NOT_SUPPORTED, eh->e_ident[5] = 2);
		C(ERR_MALFORMED, eh->e_ident[5] = 0);
		C(ERR_MALFORMED, eh->e_ident[6] = 0);
		C(ERR_MALFORMED, eh->e_ident[6] = 2);
		C(0, eh->e_ident[7] = 3); /* OS ABI GNU: fine */
		C(ERR_NOT_SUPPORTED, eh->e_type = ELF_ET_DYN);
		C(ERR_NOT_SUPPORTED, eh->e_type = 1);
		C(ERR_NOT_SUPPORTED, eh->e_type = 4);
		C(ERR_MALFORMED, eh->e_type = 0);
		C(ERR_MALFORMED, eh->e_type = 0xfe00);
		C(ERR_NOT_SUPPORTED, eh->e_machine = 3);
		C(ERR_NOT_SUPPORTED, eh->e_machine = 183);
		C(ERR_MALFORMED, eh->e_version = 0);
		C(ERR_MALFORMED, eh->e_version = 2);
		C(ERR_MALFORMED, eh->e_ehsize = 52);
		C(ERR_MALFORMED, eh->e_ehsize = 0xffff);
		C(ERR_MALFORMED, eh->e_phentsize = 0);
		C(ERR_MALFORMED, eh->e_phentsize = 32);
		C(ERR_MALFORMED, eh->e_phentsize = 57);
		C(ERR_MALFORMED, eh->e_phnum = 0);
		C(0, eh->e_phnum = 3);
		C(ERR_NOT_SUPPORTED, eh->e_phnum = ELF_MAX_PHNUM + 1);
		C(ERR_NOT_SUPPORTED, eh->e_phnum = 0xffff);
		C(ERR_TRUNCATED, eh->e_phoff = IMG_SIZE);
		C(ERR_TRUNCATED, eh->e_phoff = IMG_SIZE - 100);
		C(ERR_TRUNCATED, eh->e_phoff = UINT64_MAX - 10);
		C(ERR_TRUNCATED, eh->e_phoff = UINT64_MAX);
		C(ERR_TRUNCATED, eh->e_phoff = 1ull << 63);
		C(0, eh->e_shoff = UINT64_MAX); /* section headers are not used */
		C(ERR_MALFORMED, eh->e_entry = 0);
		C(ERR_MALFORMED, eh->e_entry = 0x401180); /* just past the text */
		C(ERR_MALFORMED, eh->e_entry = 0x40113f); /* just before */
		C(0, eh->e_entry = 0x40117f);
		C(0, eh->e_entry = 0x401140);
		C(ERR_MALFORMED, eh->e_entry = 0x402180); /* data is not executable */
		C(ERR_MALFORMED, eh->e_entry = 0x400000);
		C(ERR_MALFORMED, eh->e_entry = UINT64_MAX);
		/* file ranges */
		C(ERR_TRUNCATED, ph[1].p_offset = IMG_SIZE - 0x3f);
		C(ERR_TRUNCATED, ph[1].p_offset = UINT64_MAX);
		C(ERR_TRUNCATED, ph[1].p_offset = UINT64_MAX - 0x3f);
		C(ERR_TRUNCATED, (ph[1].p_filesz = UINT64_MAX - 0x100, ph[1].p_memsz = UINT64_MAX));
		C(ERR_TRUNCATED, (ph[2].p_filesz = IMG_SIZE, ph[2].p_memsz = 0x3000));
		C(0, (ph[1].p_offset = IMG_SIZE, ph[1].p_filesz = 0, ph[1].p_align = 1));
		C(ERR_MALFORMED, ph[2].p_memsz = 0x1f);
		C(ERR_MALFORMED, ph[1].p_memsz = 0x3f);
		/* addresses */
		C(ERR_OUT_OF_RANGE, ph[0].p_vaddr = 0);
		C(ERR_OUT_OF_RANGE, ph[2].p_vaddr = 0x180);
		C(ERR_OUT_OF_RANGE, ph[2].p_vaddr = 0xffffffff80002180ull); /* kernel half */
		C(ERR_OUT_OF_RANGE, ph[2].p_vaddr = 0x0000800000000180ull); /* just above user */
		C(ERR_OUT_OF_RANGE, ph[2].p_vaddr = 0xfffffffffffff180ull); /* wraps */
		C(ERR_OUT_OF_RANGE, ph[2].p_memsz = ELF_USER_TOP);
		C(ERR_OUT_OF_RANGE, ph[2].p_memsz = UINT64_MAX);
		C(0, (ph[2].p_vaddr = ELF_USER_TOP - 0x3e80,
		      ph[2].p_memsz = 0x3e80)); /* ends at the top */
		C(ERR_OUT_OF_RANGE,
		  (ph[2].p_vaddr = ELF_USER_TOP - 0x3e80, ph[2].p_memsz = 0x3e81));
		/* overlap, also within one page */
		C(ERR_MALFORMED, ph[2].p_vaddr = 0x401180);
		C(ERR_MALFORMED, ph[1].p_vaddr = 0x400140);
		C(ERR_MALFORMED, (ph[2].p_vaddr = 0x3ff180, ph[2].p_memsz = 0xe80 + 1));
		C(0, (ph[2].p_vaddr = 0x3ff180, ph[2].p_memsz = 0xe80));
		C(ERR_MALFORMED, ph[2] = ph[1]);
		/* alignment */
		C(ERR_MALFORMED, ph[1].p_align = 3);
		C(ERR_MALFORMED, ph[1].p_align = 0x1001);
		C(ERR_MALFORMED, (ph[1].p_vaddr = 0x401150, eh->e_entry = 0x401150));
		C(0, (ph[1].p_vaddr = 0x401150, ph[1].p_align = 16, eh->e_entry = 0x401150));
		C(0, ph[1].p_align = 0);
		C(0, ph[1].p_align = 1);
		C(ERR_MALFORMED, ph[1].p_align = 1ull << 63 | 1);
		/* permissions */
		C(ERR_NOT_SUPPORTED, ph[1].p_flags |= ELF_PF_W);
		C(ERR_NOT_SUPPORTED, ph[2].p_flags |= ELF_PF_X);
		C(ERR_NOT_SUPPORTED, ph[3].p_flags |= ELF_PF_X);
		C(0, ph[0].p_flags = 0); /* an inaccessible guard segment is allowed */
		/* kinds of headers */
		C(ERR_NOT_SUPPORTED, ph[3].p_type = ELF_PT_INTERP);
		C(0, ph[3].p_type = ELF_PT_DYNAMIC);
		C(0, ph[3].p_type = 0x12345678);
		C(ERR_MALFORMED, ph[0].p_type = ph[1].p_type = ph[2].p_type = ELF_PT_NULL);
		C(ERR_MALFORMED, ph[1].p_memsz = ph[1].p_filesz = 0); /* entry in nothing */
		C(0, ph[0].p_memsz = ph[0].p_filesz = 0); /* empty segments are skipped */
	default:
		return 1;
	}
}

static void test_corrupted_fields(void **state)
{
	(void)state;
	int k = 0, expect;
	const char *what = "";
	struct image img;

	for (;; k++) {
		make_image(&img);
		if ((expect = corrupt(k, &img, &what)) == 1)
			break;
		struct recorder r;
		uint64_t entry;
		int rc = load_checked(img.bytes, IMG_SIZE, &r, &entry);
		if (rc != expect)
			fail_msg("case %d `%s': got %d, want %d", k, what, rc, expect);
	}
	assert_true(k > 80);
}

/* ---- truncation ---- */

/* The bytes a valid image needs: headers, table and every segment's file data. */
static size_t bytes_needed(const unsigned char *image)
{
	struct elf64_ehdr eh;
	memcpy(&eh, image, sizeof(eh));
	size_t need = eh.e_phoff + (size_t)eh.e_phnum * sizeof(struct elf64_phdr);
	for (unsigned i = 0; i < eh.e_phnum; i++) {
		struct elf64_phdr ph;
		memcpy(&ph, image + eh.e_phoff + i * sizeof(ph), sizeof(ph));
		if (ph.p_type == ELF_PT_LOAD && ph.p_offset + ph.p_filesz > need)
			need = ph.p_offset + ph.p_filesz;
	}
	return need;
}

/* Every prefix shorter than what the image needs is refused, longer ones load. */
static void check_truncations(const unsigned char *image, size_t size, size_t exact_step)
{
	size_t need = bytes_needed(image);
	struct recorder r;
	uint64_t entry;

	assert_true(need <= size);
	for (size_t len = 0; len <= size; len++) {
		int rc;
		if (len % exact_step == 0 || (len + 2 >= need && len <= need + 2)) {
			rc = load_checked(image, len, &r, &entry); /* ASan sees any overread */
		} else {
			struct elf_info info;
			rc = elf_validate(image, len, &info);
		}
		if ((rc == 0) != (len >= need))
			fail_msg("length %zu of %zu (needs %zu): %d", len, size, need, rc);
		if (rc)
			assert_int_equal(rc, ERR_TRUNCATED);
	}
}

static unsigned char *read_file(const char *path, size_t *size)
{
	FILE *f = fopen(path, "rb");
	if (!f)
		return NULL;
	fseek(f, 0, SEEK_END);
	long n = ftell(f);
	fseek(f, 0, SEEK_SET);
	unsigned char *buf = n > 0 ? malloc((size_t)n) : NULL;
	if (buf && fread(buf, 1, (size_t)n, f) != (size_t)n) {
		free(buf);
		buf = NULL;
	}
	fclose(f);
	*size = (size_t)n;
	return buf;
}

static void test_truncated(void **state)
{
	(void)state;
	struct image img;
	make_image(&img);
	check_truncations(img.bytes, IMG_SIZE, 1);
}

/* ---- real executables ---- */

static void check_real(const char *path, unsigned min_segments)
{
	size_t size;
	unsigned char *image = read_file(path, &size);
	if (!image) {
		printf("# skipped: no fixture %s\n", path);
		return;
	}
	struct recorder r;
	uint64_t entry;
	struct elf64_ehdr eh;
	memcpy(&eh, image, sizeof(eh));
	assert_int_equal(load_checked(image, size, &r, &entry), 0);
	assert_true(entry == eh.e_entry);
	assert_true(r.n >= min_segments);
	bool text = false, data = false;
	for (unsigned i = 0; i < r.n; i++) {
		text |= r.seg[i].prot == (ELF_PROT_R | ELF_PROT_X);
		data |=
		    r.seg[i].prot == (ELF_PROT_R | ELF_PROT_W) && r.seg[i].memsz > r.seg[i].filesz;
	}
	assert_true(text && data);
	check_truncations(image, size, size < 100000 ? 1 : 997);
	free(image);
}

static void test_real_executables(void **state)
{
	(void)state;
	check_real(ELF_FIXTURE_NOLIBC, 2);
	check_real(ELF_FIXTURE_GLIBC, 3);
}

/* ---- fuzz ---- */

static uint64_t rng = 0x9e3779b97f4a7c15ull;
static uint64_t rnd(void)
{
	rng ^= rng << 13;
	rng ^= rng >> 7;
	rng ^= rng << 17;
	return rng;
}

static void fuzz(const unsigned char *image, size_t size, int iterations, size_t hot)
{
	unsigned char *buf = malloc(size);
	unsigned accepted = 0;

	for (int it = 0; it < iterations; it++) {
		memcpy(buf, image, size);
		int flips = 1 + (int)(rnd() % 8);
		for (int f = 0; f < flips; f++) {
			size_t at = rnd() % 4 ? rnd() % hot : rnd() % size; /* mostly headers */
			switch (rnd() % 3) {
			case 0:
				buf[at] ^= (unsigned char)(1u << (rnd() % 8));
				break;
			case 1:
				buf[at] = (unsigned char)rnd();
				break;
			default:
				buf[at] = rnd() % 2 ? 0xff : 0;
			}
		}
		size_t len = rnd() % 16 ? size : rnd() % (size + 1);
		struct recorder r;
		uint64_t entry;
		accepted += load_checked(buf, len, &r, &entry) == 0;
	}
	free(buf);
	assert_true(accepted > 0); /* some flips hit bytes that do not matter */
}

static void test_fuzz(void **state)
{
	(void)state;
	struct image img;
	make_image(&img);
	fuzz(img.bytes, IMG_SIZE, 100000, sizeof(img.eh) + sizeof(img.ph));

	size_t size;
	unsigned char *image = read_file(ELF_FIXTURE_NOLIBC, &size);
	if (image) {
		struct elf64_ehdr eh;
		memcpy(&eh, image, sizeof(eh));
		fuzz(image, size, 10000, eh.e_phoff + eh.e_phnum * sizeof(struct elf64_phdr));
		free(image);
	}
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(test_valid_image), cmocka_unit_test(test_corrupted_fields),
	    cmocka_unit_test(test_truncated),   cmocka_unit_test(test_real_executables),
	    cmocka_unit_test(test_fuzz),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
