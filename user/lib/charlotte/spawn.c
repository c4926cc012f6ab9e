/*
 * spawn.c - ch_spawn(): build a child process from an ELF image (see spawn.h).
 *
 * Steps, each of which may fail (and then everything made so far is dropped):
 *   1. find the image (the initrd, unless given) and create the empty process;
 *   2. elf_load() validates the image and calls map_segment per PT_LOAD: a memory
 *      object covering the segment's pages is created from the pool, mapped
 *      read-write at CH_SCRATCH_BASE in our space, filled (memory objects start
 *      zeroed, so only the file bytes are copied), unmapped, and mapped into the
 *      child with the segment's protection (elf_validate already refused W+X);
 *   3. grants: the child's own process and address space, the caller's list, and
 *      a sub-pool; the child's handles are recorded in a start_info;
 *   4. the stack: a memory object filled the same way with the argument block of
 *      ch_args_build(), mapped read-write below CH_STACK_TOP;
 *   5. a thread at the entry point with rdi = argc, rsi = argv (crt0 finds envp and
 *      start_info from argv).
 */
#include "spawn.h"

#include <string.h>

#include <abi/errors.h>

#include "initrd.h"
#include "start.h"
#include "startup.h"
#include "syscall.h"

#define PAGE UINT64_C(4096)

struct loader {
	handle_t pool, self_as;
	struct ch_child *child;
};

static uint64_t page_up(uint64_t x)
{
	return (x + PAGE - 1) & ~(PAGE - 1);
}

/* Creates a memory object of len bytes and maps it read-write at CH_SCRATCH_BASE. */
static int scratch_create(struct loader *l, uint64_t len, handle_t *mem)
{
	if (l->child->nmems == CH_SPAWN_MAX_MEMS)
		return ERR_NO_RESOURCES;
	long r = ch_mem_create(l->pool, len, mem);
	if (r < 0)
		return (int)r;
	l->child->mems[l->child->nmems++] = *mem;
	r = ch_as_map(l->self_as, CH_SCRATCH_BASE, *mem, 0, len, PROT_READ | PROT_WRITE);
	return r < 0 ? (int)r : 0;
}

static int map_segment(void *ctx, uint64_t vaddr, uint64_t memsz, const void *file_data,
                       uint64_t filesz, unsigned prot)
{
	struct loader *l = ctx;
	uint64_t start = vaddr & ~(PAGE - 1);
	uint64_t len = page_up(vaddr + memsz) - start;
	uint32_t p = 0;
	handle_t mem;

	int err = scratch_create(l, len, &mem);
	if (err)
		return err;
	memcpy((char *)(uintptr_t)CH_SCRATCH_BASE + (vaddr - start), file_data, filesz);
	ch_as_unmap(l->self_as, CH_SCRATCH_BASE, len);

	p |= (prot & ELF_PROT_R) ? PROT_READ : 0;
	p |= (prot & ELF_PROT_W) ? PROT_WRITE : 0;
	p |= (prot & ELF_PROT_X) ? PROT_EXEC : 0;
	long r = ch_as_map(l->child->as, start, mem, 0, len, p | PROT_READ);
	return r < 0 ? (int)r : 0;
}

static const char *basename_of(const char *path)
{
	const char *slash = strrchr(path, '/');
	return slash ? slash + 1 : path;
}

/* Grants h to the child as name and records the child's handle in si. */
static int grant(struct ch_child *c, struct start_info *si, const char *name, handle_t h,
                 uint64_t rights)
{
	handle_t theirs;
	long r = ch_proc_grant(c->process, h, rights, &theirs);
	if (r < 0)
		return (int)r;
	return ch_start_info_add(si, name, theirs);
}

static int grant_all(const struct ch_spawn_args *a, struct ch_child *c, handle_t pool,
                     struct start_info *si)
{
	int err = 0;

	ch_start_info_init(si);
	if (!(a->flags & CH_SPAWN_NO_SELF)) {
		if ((err = grant(c, si, "self.process", c->process, RIGHTS_ALL)) ||
		    (err = grant(c, si, "self.as", c->as, RIGHTS_ALL)))
			return err;
	}
	for (unsigned i = 0; i < a->ngrants; i++)
		if ((err =
		         grant(c, si, a->grants[i].name, a->grants[i].handle, a->grants[i].rights)))
			return err;
	if (a->child_pool) {
		long r = ch_pool_split(pool, a->child_pool, &c->pool);
		if (r < 0)
			return (int)r;
		err = grant(c, si, "pool", c->pool, RIGHTS_ALL);
	}
	return err;
}

/* Builds the stack and its argument block; fills *lay. */
static int build_stack(struct loader *l, const struct ch_spawn_args *a, const struct start_info *si,
                       struct ch_args_layout *lay)
{
	uint64_t size = page_up(a->stack_size ? a->stack_size : CH_STACK_SIZE);
	const char *def_argv[] = {a->path, NULL};
	handle_t mem;

	int err = scratch_create(l, size, &mem);
	if (!err)
		err = ch_args_build((void *)(uintptr_t)CH_SCRATCH_BASE, size, CH_STACK_TOP,
		                    a->argv ? a->argv : def_argv, a->envp, si, lay);
	ch_as_unmap(l->self_as, CH_SCRATCH_BASE, size);
	if (err)
		return err;
	long r = ch_as_map(l->child->as, CH_STACK_TOP - size, mem, 0, size, PROT_READ | PROT_WRITE);
	return r < 0 ? (int)r : 0;
}

int ch_spawn(const struct ch_spawn_args *a, struct ch_child *out)
{
	struct start_info si;
	struct ch_args_layout lay;
	struct proc_create_out pc;
	const void *image;
	size_t image_len;
	int err;

	if (!a || !out || !a->path || a->ngrants > START_MAX_HANDLES)
		return ERR_INVALID_ARGS;
	memset(out, 0, sizeof(*out));
	struct loader l = {.pool = a->pool ? a->pool : ch_handle("pool"),
	                   .self_as = ch_handle("self.as"),
	                   .child = out};
	image = a->image;
	image_len = a->image_len;
	if (!image && (err = ch_initrd_find(a->path, &image, &image_len)))
		return err;
	if ((err = elf_validate(image, image_len, NULL)))
		return err;

	const char *name = basename_of(a->path);
	long r = ch_proc_create(l.pool, name, strnlen(name, 31), &pc);
	if (r < 0)
		return (int)r;
	out->process = pc.process;
	out->as = pc.address_space;

	if ((err = elf_load(image, image_len, &(struct elf_loader_ops){map_segment, &l},
	                    &out->entry)) ||
	    (err = grant_all(a, out, l.pool, &si)) || (err = build_stack(&l, a, &si, &lay)))
		goto out_release;
	if ((r = ch_thread_create(out->process, &out->thread)) < 0 ||
	    (r = ch_thread_start(out->thread, out->entry, lay.sp, lay.argc, lay.argv)) < 0) {
		err = (int)r;
		goto out_release;
	}
	return 0;

out_release:
	ch_child_release(out);
	return err;
}

void ch_child_release(struct ch_child *c)
{
	handle_t hs[] = {c->thread, c->pool, c->as, c->process};

	for (unsigned i = 0; i < c->nmems; i++)
		ch_cap_drop(c->mems[i]);
	for (unsigned i = 0; i < sizeof(hs) / sizeof(hs[0]); i++)
		if (hs[i] != HANDLE_INVALID)
			ch_cap_drop(hs[i]);
	memset(c, 0, sizeof(*c));
}
