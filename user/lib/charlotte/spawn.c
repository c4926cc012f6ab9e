/*
 * spawn.c - ch_spawn(): build a child process from an ELF image (see spawn.h).
 *
 * Steps, each of which may fail (and then everything made so far is dropped):
 *   1. find the image (the initrd, unless given), split the child's sub-pool (with
 *      child_pool: from here on it pays for everything made for the child but cached
 *      segments, see spawn.h's "Who pays") and create the empty process on it;
 *   2. elf_load() validates the image and calls map_segment per PT_LOAD. A segment
 *      that is never written, of an image in the initrd, comes from the segment cache
 *      (below). Any other gets a memory object created with MEM_CREATE_FILL: the
 *      kernel copies the file bytes straight from the image and zeroes only the rest,
 *      so no byte is written twice and nothing is mapped into our own space. It is
 *      mapped into the child with the segment's protection (elf_validate already
 *      refused W+X);
 *   3. grants: the child's own process and address space, the caller's list, and
 *      its sub-pool; the child's handles are recorded in a start_info;
 *   4. the stack: the argument block of ch_args_build() is built in a buffer on our
 *      own stack and becomes the top of a MEM_CREATE_FILL object mapped read-write
 *      below CH_STACK_TOP (a block too big for that buffer is built in place
 *      through a temporary mapping at CH_SCRATCH_BASE instead);
 *   5. a thread at the entry point with rdi = argc, rsi = argv (crt0 finds envp and
 *      start_info from argv).
 *
 * The segment cache: the initrd never changes, so a read-only segment (text,
 * read-only data) can be one memory object that every child started from the same
 * image maps, exokernel style: we own the object and map it into each child, as a
 * shared library's text would be. Entries are keyed by where the segment's bytes
 * lie in our initrd mapping, its address, sizes and protection; the last
 * SEG_CACHE_SLOTS are kept. Their memory is paid for by our own "pool" (not the
 * caller's a->pool nor the child's sub-pool: it outlives the child), and we hold
 * each through a capability derived with only RIGHT_READ | RIGHT_MAP (+ RIGHT_EXEC
 * for text), so no child can make its mapping writable (SYS_AS_PROTECT is bounded
 * by the mapped capability's rights). Without a "pool" of our own, for images not
 * in the initrd, with CH_SPAWN_NO_CACHE, or when our pool is short, segments are made
 * per child.
 * ch_spawn_cache_drop() gives the cached memory back (once no child maps it).
 */
#include "spawn.h"

#include <stdbool.h>
#include <string.h>

#include <abi/errors.h>

#include "initrd.h"
#include "start.h"
#include "startup.h"
#include "syscall.h"

#define PAGE UINT64_C(4096)
#define SEG_CACHE_SLOTS 8
#define ARGS_LOCAL 4096 /* argument blocks up to half of this are built on our stack */

struct loader {
	handle_t pool, self_as;
	handle_t cache_pool; /* pays for cached segments; HANDLE_INVALID: no cache */
	struct ch_child *child;
};

struct seg_key {
	const void *file; /* the segment's bytes in our initrd mapping */
	uint64_t vaddr, memsz, filesz;
	unsigned prot; /* ELF_PROT_* */
};

static struct {
	struct seg_key key;
	handle_t mem; /* derived: READ | MAP (| EXEC); HANDLE_INVALID when unused */
} seg_cache[SEG_CACHE_SLOTS];
static unsigned seg_cache_next;

static uint64_t page_up(uint64_t x)
{
	return (x + PAGE - 1) & ~(PAGE - 1);
}

static bool same_key(const struct seg_key *a, const struct seg_key *b)
{
	return a->file == b->file && a->vaddr == b->vaddr && a->memsz == b->memsz &&
	       a->filesz == b->filesz && a->prot == b->prot;
}

/* Creates a memory object of len bytes holding n bytes of src at off; records it. */
static int create_filled(struct loader *l, uint64_t len, uint64_t off, const void *src, uint64_t n,
                         handle_t *mem)
{
	if (l->child->nmems == CH_SPAWN_MAX_MEMS)
		return ERR_NO_RESOURCES;
	struct mem_fill f = {.offset = off, .len = n, .src = (uint64_t)(uintptr_t)src};
	long r = ch_mem_create_filled(l->pool, len, &f, mem);
	if (r < 0)
		return (int)r;
	l->child->mems[l->child->nmems++] = *mem;
	return 0;
}

/* The cached memory object for segment k (made now if missing), or HANDLE_INVALID. */
static handle_t cached_segment(struct loader *l, const struct seg_key *k, uint64_t len,
                               uint64_t off)
{
	for (unsigned i = 0; i < SEG_CACHE_SLOTS; i++)
		if (seg_cache[i].mem != HANDLE_INVALID && same_key(&seg_cache[i].key, k))
			return seg_cache[i].mem;

	struct mem_fill f = {.offset = off, .len = k->filesz, .src = (uint64_t)(uintptr_t)k->file};
	uint64_t rights = RIGHT_READ | RIGHT_MAP | ((k->prot & ELF_PROT_X) ? RIGHT_EXEC : 0);
	handle_t full, ro;
	if (ch_mem_create_filled(l->cache_pool, len, &f, &full) < 0)
		return HANDLE_INVALID;
	long r = ch_cap_derive(full, rights, 0, &ro);
	ch_cap_drop(full); /* ro moves up in its place */
	if (r < 0)
		return HANDLE_INVALID;
	unsigned i = seg_cache_next++ % SEG_CACHE_SLOTS;
	if (seg_cache[i].mem != HANDLE_INVALID)
		ch_cap_drop(seg_cache[i].mem); /* children that map it keep it alive */
	seg_cache[i].key = *k;
	seg_cache[i].mem = ro;
	return ro;
}

void ch_spawn_cache_drop(void)
{
	for (unsigned i = 0; i < SEG_CACHE_SLOTS; i++) {
		if (seg_cache[i].mem != HANDLE_INVALID)
			ch_cap_drop(seg_cache[i].mem);
		seg_cache[i].mem = HANDLE_INVALID;
	}
}

static int map_segment(void *ctx, uint64_t vaddr, uint64_t memsz, const void *file_data,
                       uint64_t filesz, unsigned prot)
{
	struct loader *l = ctx;
	uint64_t start = vaddr & ~(PAGE - 1);
	uint64_t len = page_up(vaddr + memsz) - start;
	uint32_t p = PROT_READ;
	handle_t mem = HANDLE_INVALID;

	if (!(prot & ELF_PROT_W) && l->cache_pool != HANDLE_INVALID) {
		struct seg_key k = {file_data, vaddr, memsz, filesz, prot};
		mem = cached_segment(l, &k, len, vaddr - start);
	}
	if (mem == HANDLE_INVALID) {
		int err = create_filled(l, len, vaddr - start, file_data, filesz, &mem);
		if (err)
			return err;
	}
	p |= (prot & ELF_PROT_W) ? PROT_WRITE : 0;
	p |= (prot & ELF_PROT_X) ? PROT_EXEC : 0;
	long r = ch_as_map(l->child->as, start, mem, 0, len, p);
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

static int grant_all(const struct ch_spawn_args *a, struct ch_child *c, struct start_info *si)
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
	if (c->pool != HANDLE_INVALID)
		err = grant(c, si, "pool", c->pool, RIGHTS_ALL);
	return err;
}

/* Builds an argument block too big for build_stack's buffer in place, through a
 * temporary mapping of the new stack object at CH_SCRATCH_BASE. */
static int build_stack_in_place(struct loader *l, uint64_t size, const char *const *argv,
                                const char *const *envp, const struct start_info *si,
                                struct ch_args_layout *lay, handle_t *mem)
{
	if (l->child->nmems == CH_SPAWN_MAX_MEMS)
		return ERR_NO_RESOURCES;
	long r = ch_mem_create(l->pool, size, mem);
	if (r < 0)
		return (int)r;
	l->child->mems[l->child->nmems++] = *mem;
	r = ch_as_map(l->self_as, CH_SCRATCH_BASE, *mem, 0, size, PROT_READ | PROT_WRITE);
	if (r < 0)
		return (int)r;
	int err = ch_args_build((void *)(uintptr_t)CH_SCRATCH_BASE, size, CH_STACK_TOP, argv, envp,
	                        si, lay);
	ch_as_unmap(l->self_as, CH_SCRATCH_BASE, size);
	return err;
}

/* Builds the stack and its argument block; fills *lay. */
static int build_stack(struct loader *l, const struct ch_spawn_args *a, const struct start_info *si,
                       struct ch_args_layout *lay)
{
	uint64_t size = page_up(a->stack_size ? a->stack_size : CH_STACK_SIZE);
	const char *def_argv[] = {a->path, NULL};
	const char *const *argv = a->argv ? a->argv : def_argv;
	_Alignas(16) char buf[ARGS_LOCAL];
	handle_t mem;

	/* The layout depends only on the top address, so a short buffer ending where the
	 * stack ends gives the same block; size / 2 is ch_args_build's limit for size. */
	int err = ch_args_build(buf, sizeof(buf), CH_STACK_TOP, argv, a->envp, si, lay);
	if (!err && lay->used <= size / 2)
		err = create_filled(l, size, size - lay->used, buf + sizeof(buf) - lay->used,
		                    lay->used, &mem);
	else if (!err || err == ERR_BUFFER_TOO_SMALL)
		err = build_stack_in_place(l, size, argv, a->envp, si, lay, &mem);
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
	handle_t own_pool = ch_handle("pool");
	struct loader l = {
	    .pool = a->pool ? a->pool : own_pool,
	    .self_as = ch_handle("self.as"),
	    .cache_pool = (a->image || (a->flags & CH_SPAWN_NO_CACHE)) ? HANDLE_INVALID : own_pool,
	    .child = out};
	image = a->image;
	image_len = a->image_len;
	if (!image && (err = ch_initrd_find(a->path, &image, &image_len)))
		return err;
	if ((err = elf_validate(image, image_len, NULL)))
		return err;

	/* The child's sub-pool first: then it pays for its process, address space, page
	 * tables, threads, writable segments and stack, not we. */
	long r;
	if (a->child_pool) {
		if ((r = ch_pool_split(l.pool, a->child_pool, &out->pool)) < 0)
			return (int)r;
		l.pool = out->pool;
	}
	const char *name = basename_of(a->path);
	if ((r = ch_proc_create(l.pool, name, strnlen(name, 31), &pc)) < 0) {
		err = (int)r;
		goto out_release;
	}
	out->process = pc.process;
	out->as = pc.address_space;

	if ((err = elf_load(image, image_len, &(struct elf_loader_ops){map_segment, &l},
	                    &out->entry)) ||
	    (err = grant_all(a, out, &si)) || (err = build_stack(&l, a, &si, &lay)))
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

int ch_spawn_when_room(const struct ch_spawn_args *a, struct ch_child *out, uint64_t timeout_ns)
{
	const uint64_t step = 10000000; /* 10 ms */
	for (uint64_t waited = 0;; waited += step) {
		int r = ch_spawn(a, out);
		if (r != ERR_NO_MEMORY || waited >= timeout_ns)
			return r;
		ch_sleep_ns(step);
	}
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
