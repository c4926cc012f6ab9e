/*
 * memory.c - OBJ_MEMORY: allocation, zero-fill, accounting and destruction.
 *
 * memory_create() charges the pool first (pages + metadata, so an
 * over-quota request fails before anything is allocated), then allocates
 * the page array and the pages. Pages come in the largest buddy blocks that
 * fit the remaining size, up to 2 MiB, falling back to smaller orders when
 * the allocator has no such block, so big objects need few allocations and
 * fragmented memory still serves small ones. A failure anywhere frees what
 * was obtained and uncharges everything: a failed create changes nothing.
 *
 * memory_create_from_user() takes its pages unzeroed and writes every byte
 * itself (copied or zeroed) before anyone can see the object.
 *
 * Time: creation runs with interrupts on (preemptible) and checks for a kill
 * before each block it allocates and each page it fills, so a killed caller
 * stops within one block (at most 2 MiB zeroed) with ERR_INTERRUPTED, every
 * block freed and everything uncharged. Destruction runs where the last
 * reference goes, which object.h keeps out of every lock (interrupts on);
 * it walks the page array a block at a time, so freeing takes one step per
 * block, not per page.
 */
#include <obj/memory.h>

#include <abi/errors.h>
#include <lib/compiler.h>
#include <lib/panic.h>
#include <lib/string.h>
#include <mm/kmalloc.h>
#include <mm/pmm.h>
#include <mm/uaccess.h>
#include <mm/vmm.h>
#include <kbus/kbus.h>
#include <obj/pool.h>
#include <obj/thread.h>
#include <sched/sched.h>

#define MEMORY_MAX_ORDER 9u /* 2 MiB blocks */
#define PAGE_ORDER_BITS 0xfull

/* Free the owned blocks recorded in pages[0 .. npages) (whole blocks). */
static void free_blocks(const uint64_t *pages, uint64_t npages)
{
	for (uint64_t i = 0; i < npages;) {
		if (!pages[i]) { /* a paged object's absent page */
			i++;
			continue;
		}
		unsigned tag = (unsigned)(pages[i] & PAGE_ORDER_BITS);
		ASSERT(tag); /* i is always the first page of a block */
		page_free(phys_to_virt(pages[i] & PAGE_MASK), tag - 1);
		i += UINT64_C(1) << (tag - 1);
	}
}

/* Has the caller been asked to end? (A kernel thread never is.) */
static bool create_interrupted(void)
{
	return sched_kill_pending(sched_current());
}

static void memory_destroy(struct kobject *obj)
{
	struct memory *m = memory_from(obj);
	if (m->pages) {
		free_blocks(m->pages, m->npages);
		kfree(m->pages);
	}
	if (m->pool) {
		pool_uncharge(m->pool, m->charged);
		pool_put(m->pool);
	}
	if (m->pager)
		kobject_put(m->pager);
	kfree(m);
}

static const struct kobject_ops memory_ops = {
    .destroy = memory_destroy,
};

/*
 * Fill pages[0 .. npages) with blocks (zeroed if zero); on failure (or a
 * kill: ERR_INTERRUPTED) free them all.
 */
static int alloc_blocks(uint64_t *pages, uint64_t npages, bool zero)
{
	unsigned order = MEMORY_MAX_ORDER;
	for (uint64_t i = 0; i < npages;) {
		if (i && create_interrupted()) {
			free_blocks(pages, i);
			return ERR_INTERRUPTED;
		}
		while (order > 0 && (UINT64_C(1) << order) > npages - i)
			order--;
		void *va = zero ? page_zalloc(order) : page_alloc(order);
		if (!va) {
			if (order > 0) {
				order--;
				continue;
			}
			free_blocks(pages, i);
			return ERR_NO_MEMORY;
		}
		uint64_t pa = virt_to_phys(va);
		uint64_t n = UINT64_C(1) << order;
		pages[i] = pa | (order + 1);
		for (uint64_t k = 1; k < n; k++)
			pages[i + k] = pa + k * PAGE_SIZE;
		i += n;
	}
	return 0;
}

/* How memory_alloc() fills the object. */
enum mem_fill_mode {
	FILL_ZERO, /* pages zeroed */
	FILL_NONE, /* pages as they come (the caller writes every byte) */
	FILL_ABSENT, /* no pages: a paged object's, supplied later (charged then) */
};

static int memory_alloc(struct mem_pool *pool, uint64_t size, enum mem_fill_mode mode,
                        struct memory **out)
{
	uint64_t max = mode == FILL_ABSENT ? MEM_PAGED_MAX_SIZE : MEMORY_MAX_SIZE;
	if (size == 0 || size > max)
		return ERR_INVALID_ARGS;
	uint64_t npages = ALIGN_UP(size, PAGE_SIZE) / PAGE_SIZE;
	/* what the allocators really hand out: the page array and header blocks round up */
	uint64_t charge = (mode == FILL_ABSENT ? 0 : npages * PAGE_SIZE) +
	                  kmalloc_size(npages * sizeof(uint64_t)) +
	                  kmalloc_size(sizeof(struct memory));
	int err = pool_charge(pool, charge);
	if (err)
		return err;
	err = ERR_NO_MEMORY;
	struct memory *m = kzalloc(sizeof(*m));
	if (!m)
		goto out_uncharge;
	m->pages = mode == FILL_ABSENT ? kzalloc(npages * sizeof(uint64_t))
	                               : kmalloc(npages * sizeof(uint64_t));
	if (!m->pages)
		goto out_free_m;
	err = mode == FILL_ABSENT ? 0 : alloc_blocks(m->pages, npages, mode == FILL_ZERO);
	if (err)
		goto out_free_pages;
	kobject_init(&m->obj, OBJ_MEMORY, &memory_ops);
	m->npages = npages;
	m->pool = pool;
	m->charged = charge;
	pool_get(pool);
	*out = m;
	return 0;

out_free_pages:
	kfree(m->pages);
out_free_m:
	kfree(m);
out_uncharge:
	pool_uncharge(pool, charge);
	return err;
}

int memory_create(struct mem_pool *pool, uint64_t size, struct memory **out)
{
	return memory_alloc(pool, size, FILL_ZERO, out);
}

/* Page i of m gets the bytes of [off, off + len) it holds from usrc, zeroes elsewhere. */
static int fill_page(struct memory *m, uint64_t i, uint64_t off, uint64_t len, uint64_t usrc)
{
	uint8_t *page = phys_to_virt(m->pages[i] & PAGE_MASK);
	uint64_t ps = i * PAGE_SIZE, pe = ps + PAGE_SIZE;
	uint64_t cs = MAX(ps, off), ce = MIN(pe, off + len);
	if (cs >= ce) {
		memset(page, 0, PAGE_SIZE);
		return 0;
	}
	memset(page, 0, cs - ps);
	memset(page + (ce - ps), 0, pe - ce);
	return copy_from_user(page + (cs - ps), usrc + (cs - off), ce - cs);
}

int memory_create_from_user(struct mem_pool *pool, uint64_t size, uint64_t off, uint64_t len,
                            uint64_t usrc, struct memory **out)
{
	if (size == 0 || size > MEMORY_MAX_SIZE)
		return ERR_INVALID_ARGS;
	uint64_t bytes = ALIGN_UP(size, PAGE_SIZE);
	if (off > bytes || len > bytes - off)
		return ERR_OUT_OF_RANGE;
	if (!user_range_ok(usrc, len))
		return ERR_BAD_ADDRESS;
	struct memory *m;
	int err = memory_alloc(pool, size, FILL_NONE, &m);
	if (err)
		return err;
	for (uint64_t i = 0; i < m->npages; i++) {
		err = create_interrupted() ? ERR_INTERRUPTED : fill_page(m, i, off, len, usrc);
		if (err) {
			kobject_put(&m->obj); /* never published: its pages go back unseen */
			return err;
		}
	}
	*out = m;
	return 0;
}

int memory_create_paged(struct mem_pool *pool, uint64_t size, struct kobject *pager, uint64_t key,
                        struct memory **out)
{
	struct memory *m;
	int err = memory_alloc(pool, size, FILL_ABSENT, &m);
	if (err)
		return err;
	kobject_get(pager);
	m->pager = pager;
	m->key = key;
	*out = m;
	return 0;
}

bool memory_is_paged(const struct memory *m)
{
	return m->pager != NULL;
}

uint64_t memory_page_lookup(struct memory *m, uint64_t index)
{
	if (!m->pager)
		return memory_page_phys(m, index);
	ASSERT(index < m->npages);
	return __atomic_load_n(&m->pages[index], __ATOMIC_ACQUIRE) & PAGE_MASK;
}

/*
 * Give absent page idx of paged m a new page holding PAGE_SIZE bytes from
 * usrc: 1 if it was installed, 0 if another supplier got there first, or an
 * error. The copy runs before the lock, so it may fault and sleep.
 */
static long supply_absent(struct memory *m, uint64_t idx, uint64_t usrc)
{
	int err = pool_charge(m->pool, PAGE_SIZE);
	if (err)
		return err;
	void *va = page_alloc(0);
	if (!va) {
		pool_uncharge(m->pool, PAGE_SIZE);
		return ERR_NO_MEMORY;
	}
	err = copy_from_user(va, usrc, PAGE_SIZE);
	bool won = false;
	if (!err) {
		uint64_t irq = spin_lock_irqsave(&m->obj.lock);
		won = m->pages[idx] == 0;
		if (won) {
			__atomic_store_n(&m->pages[idx], virt_to_phys(va) | 1, __ATOMIC_RELEASE);
			m->charged += PAGE_SIZE;
		}
		spin_unlock_irqrestore(&m->obj.lock, irq);
	}
	if (!won) {
		page_free(va, 0);
		pool_uncharge(m->pool, PAGE_SIZE);
	}
	return err ? err : won;
}

long memory_supply(struct memory *m, uint64_t off, uint64_t len, uint64_t usrc, unsigned flags)
{
	if (!m->pager)
		return ERR_WRONG_TYPE;
	if (!flags || (flags & ~(MEM_SUPPLY_ABSENT | MEM_SUPPLY_PRESENT)) || len == 0 ||
	    !IS_ALIGNED(off, PAGE_SIZE) || !IS_ALIGNED(len, PAGE_SIZE))
		return ERR_INVALID_ARGS;
	if (off > memory_size(m) || len > memory_size(m) - off)
		return ERR_OUT_OF_RANGE;
	if (!user_range_ok(usrc, len))
		return ERR_BAD_ADDRESS;
	long done = 0;
	for (uint64_t i = 0; i < len / PAGE_SIZE;) {
		if (i && create_interrupted())
			return ERR_INTERRUPTED;
		uint64_t idx = off / PAGE_SIZE + i, src = usrc + i * PAGE_SIZE;
		uint64_t pa = memory_page_lookup(m, idx);
		long r;
		if (pa && (flags & MEM_SUPPLY_PRESENT))
			r = copy_from_user(phys_to_virt(pa), src, PAGE_SIZE) ?: 1;
		else if (!pa && (flags & MEM_SUPPLY_ABSENT))
			r = supply_absent(m, idx, src);
		else
			r = 0; /* not asked for: skipped, not counted */
		if (r < 0)
			return r;
		if (r == 0 && !pa && (flags & MEM_SUPPLY_ABSENT))
			continue; /* another supplier installed it first: look again */
		done += r;
		i++;
	}
	return done;
}

bool memory_page_in(struct memory *m, uint64_t index, unsigned access, uint64_t timeout)
{
	struct uthread *t = uthread_current();
	struct mem_page_request req = {
	    .key = m->key,
	    .offset = index * PAGE_SIZE,
	    .length = PAGE_SIZE,
	    .access = access,
	    .thread_id = t ? (uint32_t)t->obj.id : 0,
	};
	int32_t verdict = 0;
	int r = kbus_kernel_call(endpoint_from(m->pager), &req, sizeof(req), &verdict,
	                         sizeof(verdict), timeout);
	if (r < 0 || ((size_t)r >= sizeof(verdict) && verdict != 0))
		return false; /* no pager, killed, or the pager says the fault stands */
	return memory_page_lookup(m, index) != 0;
}

int memory_create_phys(uint64_t phys, uint64_t size, struct memory **out)
{
	if (size == 0 || size > MEMORY_MAX_SIZE || !IS_ALIGNED(phys, PAGE_SIZE))
		return ERR_INVALID_ARGS;
	uint64_t len = ALIGN_UP(size, PAGE_SIZE);
	if (phys + len < phys)
		return ERR_INVALID_ARGS;
	struct memory *m = kzalloc(sizeof(*m));
	if (!m)
		return ERR_NO_MEMORY;
	kobject_init(&m->obj, OBJ_MEMORY, &memory_ops);
	m->npages = len / PAGE_SIZE;
	m->phys_base = phys;
	*out = m;
	return 0;
}

int memory_create_device(uint64_t phys, uint64_t size, unsigned cache, struct memory **out)
{
	int r = memory_create_phys(phys, size, out);
	if (!r)
		(*out)->cache = cache;
	return r;
}

unsigned memory_vm_cache(const struct memory *m)
{
	return m->cache == MEM_CACHE_WB ? 0 : m->cache == MEM_CACHE_WC ? VM_WC : VM_UNCACHED;
}

bool memory_is_owned(const struct memory *m)
{
	return m->pool != NULL;
}

uint64_t memory_page_phys(struct memory *m, uint64_t index)
{
	ASSERT(index < m->npages);
	if (!m->pages)
		return m->phys_base + index * PAGE_SIZE;
	return m->pages[index] & PAGE_MASK;
}

uint64_t memory_content(struct memory *m)
{
	return __atomic_load_n(&m->content1, __ATOMIC_ACQUIRE) - 1; /* 0 - 1: NONE */
}

int memory_set_content(struct memory *m, uint64_t bytes)
{
	if (bytes != MEM_CONTENT_NONE && bytes > m->npages * PAGE_SIZE)
		return ERR_OUT_OF_RANGE;
	__atomic_store_n(&m->content1, bytes + 1, __ATOMIC_RELEASE);
	return 0;
}

uint64_t memory_size(struct memory *m)
{
	return m->npages * PAGE_SIZE;
}

struct memory *memory_from(struct kobject *obj)
{
	return KOBJECT_CAST(obj, OBJ_MEMORY, struct memory, obj);
}
