/*
 * exec_start.c - the kernel starts Charlotte Exec, the first process.
 *
 * Exec is an ordinary static ELF in the initrd (bin/exec). The kernel does
 * for it what every parent does for its children in user space: create a
 * process paid by a pool, load the ELF segments into memory objects mapped
 * into its address space, build its stack (argv, envp and a start_info that
 * names its handles) and start one thread. Exec receives every initial
 * capability: the root memory pool (all free memory but a kernel reserve),
 * the kernel log, the initrd as read-only memory, the root device "hw"
 * (kernel/hw), and itself.
 */
#include <init/init.h>
#include <abi/errors.h>
#include <abi/rights.h>
#include <abi/syscall.h>
#include <boot/bootinfo.h>
#include <cap/cap.h>
#include <hw/hw.h>
#include <lib/compiler.h>
#include <lib/log.h>
#include <lib/string.h>
#include <mm/pmm.h>
#include <mm/vmm.h>
#include <obj/aspace.h>
#include <obj/debuglog.h>
#include <obj/memory.h>
#include <obj/pool.h>
#include <ns/ns.h>
#include <obj/process.h>
#include <obj/schedctl.h>
#include <shared/elf.h>
#include <shared/ustar.h>

#define EXEC_PATH "bin/exec"
#define STACK_TOP 0x00007ffffff00000ull
#define STACK_SIZE (64 * 1024ull)
#define KERNEL_RESERVE_PAGES 4096 /* 16 MiB the pool can never take */

struct loader {
	struct process *p;
	struct mem_pool *pool;
};

static void copy_to_memory(struct memory *m, uint64_t off, const void *src, uint64_t len)
{
	const uint8_t *s = src;
	while (len) {
		uint64_t in_page = off & (PAGE_SIZE - 1);
		uint64_t n = MIN(len, PAGE_SIZE - in_page);
		uint8_t *dst = phys_to_virt(memory_page_phys(m, off >> PAGE_SHIFT));
		memcpy(dst + in_page, s, n);
		s += n;
		off += n;
		len -= n;
	}
}

static int map_segment(void *ctx, uint64_t vaddr, uint64_t memsz, const void *data, uint64_t filesz,
                       unsigned prot)
{
	struct loader *l = ctx;
	uint64_t base = ALIGN_DOWN(vaddr, PAGE_SIZE);
	uint64_t len = ALIGN_UP(vaddr + memsz, PAGE_SIZE) - base;
	struct memory *m;
	int r = memory_create(l->pool, len, &m);
	if (r)
		return r;
	copy_to_memory(m, vaddr - base, data, filesz);
	r = aspace_map(l->p->as, base, m, 0, len, prot | PROT_READ); /* every map is readable */
	kobject_put(&m->obj); /* the mapping holds it */
	return r;
}

static int grant(struct process *p, struct start_info *si, const char *name, struct kobject *obj,
                 uint64_t rights)
{
	if (si->nhandles >= START_MAX_HANDLES)
		return ERR_NO_RESOURCES;
	struct start_handle *h = &si->handles[si->nhandles];
	int r = cap_insert_root(p->cs, obj, rights, 0, &h->handle);
	if (r)
		return r;
	strlcpy(h->name, name, sizeof(h->name));
	si->nhandles++;
	return 0;
}

/*
 * Stack layout, from the top down: argument strings, the start_info, then
 * (16-byte aligned) argv[0..argc-1], NULL, envp NULL, start_info pointer, 0
 * (docs/userspace.md). rsp points just below argv.
 */
static int build_stack(struct loader *l, const char *mode, struct start_info *si, uint64_t *rsp,
                       uint64_t *argv_out, uint64_t *si_out)
{
	struct memory *m;
	int r = memory_create(l->pool, STACK_SIZE, &m);
	if (r)
		return r;
	uint64_t base = STACK_TOP - STACK_SIZE;
	const char *args[2] = {"exec", mode};
	unsigned argc = mode ? 2 : 1;
	uint64_t sp = STACK_SIZE, argv_va[2];
	for (unsigned i = 0; i < argc; i++) {
		size_t n = strlen(args[i]) + 1;
		sp -= n;
		copy_to_memory(m, sp, args[i], n);
		argv_va[i] = base + sp;
	}
	sp = ALIGN_DOWN(sp - sizeof(*si), 16ull);
	copy_to_memory(m, sp, si, sizeof(*si));
	*si_out = base + sp;
	/* argv[], NULL, envp[] = { NULL }, start_info pointer, 0: as libcharlotte's spawn */
	uint64_t vec[6] = {0};
	unsigned k = 0;
	for (unsigned i = 0; i < argc; i++)
		vec[k++] = argv_va[i];
	k += 2; /* argv terminator, empty envp */
	vec[k] = *si_out;
	sp = ALIGN_DOWN(sp - sizeof(vec), 16ull);
	copy_to_memory(m, sp, vec, sizeof(vec));
	*argv_out = base + sp;
	*rsp = base + sp - 8; /* as after a call: rsp + 8 is 16-byte aligned */
	r = aspace_map(l->p->as, base, m, 0, STACK_SIZE, PROT_READ | PROT_WRITE);
	kobject_put(&m->obj);
	return r;
}

int exec_start(const struct boot_info *bi, const char *mode, struct process **out)
{
	if (bi->module_count == 0)
		return ERR_NOT_FOUND;
	const struct boot_module *mod = &bi->modules[0];
	uint64_t initrd_len = mod->end - mod->start;
	struct ustar_entry e;
	int r = ustar_find(phys_to_virt(mod->start), initrd_len, EXEC_PATH, &e);
	if (r)
		return r;
	uint64_t free_bytes = pmm_free_pages() > KERNEL_RESERVE_PAGES
	                          ? (pmm_free_pages() - KERNEL_RESERVE_PAGES) << PAGE_SHIFT
	                          : 0;
	struct loader l;
	r = pool_create_root(free_bytes, &l.pool);
	if (r)
		return r;
	r = process_create(l.pool, "exec", &l.p);
	if (r)
		goto out_pool;
	uint64_t entry;
	struct elf_loader_ops ops = {map_segment, &l};
	r = elf_load(e.data, e.size, &ops, &entry);
	if (r) {
		pr_err("exec: %s is not a loadable program (error %d)", EXEC_PATH, r);
		goto out_proc;
	}
	struct memory *initrd;
	r = memory_create_phys(ALIGN_DOWN(mod->start, PAGE_SIZE),
	                       ALIGN_UP(mod->end, PAGE_SIZE) - ALIGN_DOWN(mod->start, PAGE_SIZE),
	                       &initrd);
	if (r)
		goto out_proc;
	static struct start_info si;
	memset(&si, 0, sizeof(si));
	si.magic = START_INFO_MAGIC;
	uint64_t mem_rights =
	    RIGHT_READ | RIGHT_MAP | RIGHT_INSPECT | RIGHT_TRANSFER | RIGHT_DUPLICATE;
	if (!r)
		r = grant(l.p, &si, "log", debuglog_object(), /* Exec narrows it per grant name */
		          RIGHT_WRITE | RIGHT_READ | RIGHT_MANAGE | RIGHT_WAIT | RIGHT_TRANSFER |
		              RIGHT_DUPLICATE | RIGHT_INSPECT);
	if (!r)
		r = grant(l.p, &si, "pool", &l.pool->obj, RIGHTS_ALL);
	if (!r)
		r = grant(l.p, &si, "initrd", &initrd->obj, mem_rights);
	if (!r) /* the root device: every device below it (docs/drivers.md) */
		r = grant(l.p, &si, "hw", hw_device_object(hw_root()),
		          RIGHT_INSPECT | RIGHT_ENUMERATE | RIGHT_MAP | RIGHT_READ | RIGHT_WRITE |
		              RIGHT_MANAGE | RIGHT_DUPLICATE | RIGHT_TRANSFER);
	if (!r) /* the scheduler's control: tunables, statistics, weights above the default */
		r = grant(l.p, &si, "sched", schedctl_object(),
		          RIGHT_INSPECT | RIGHT_MANAGE | RIGHT_DUPLICATE | RIGHT_TRANSFER);
	if (!r)
		r = grant(l.p, &si, "self.process", &l.p->obj, RIGHTS_ALL);
	if (!r)
		r = grant(l.p, &si, "self.as", &l.p->as->obj, RIGHTS_ALL);
	struct ns_node *root = NULL;
	if (!r && !(r = ns_root_node(l.pool, &root))) /* the whole namespace */
		r = grant(l.p, &si, "ns", &root->obj, RIGHTS_ALL);
	if (root)
		kobject_put(&root->obj);
	kobject_put(&initrd->obj);
	uint64_t rsp, argv, si_va;
	if (!r)
		r = build_stack(&l, mode, &si, &rsp, &argv, &si_va);
	struct uthread *t;
	if (!r)
		r = uthread_create(l.p, &t);
	if (r)
		goto out_proc;
	r = uthread_start(t, entry, rsp, mode ? 2 : 1, argv, argv + (mode ? 3 : 2) * 8, si_va);
	kobject_put(&t->obj); /* the running thread holds its own reference */
	if (r)
		goto out_proc;
	*out = l.p; /* our creation reference goes to the caller */
	kobject_put(&l.pool->obj);
	return 0;
out_proc:
	kobject_put(&l.p->obj);
out_pool:
	kobject_put(&l.pool->obj);
	return r;
}
