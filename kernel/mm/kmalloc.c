/*
 * kmalloc.c - the general-purpose kernel heap (interface in mm/kmalloc.h).
 *
 * Sizes up to KMALLOC_MAX_SLAB go to one of eight SLAB_ONE_PAGE caches,
 * 16, 32, ... 2048 bytes. Larger sizes get 2^order whole pages starting with a
 * 16-byte struct large_header; the caller's memory follows it. kfree() tells
 * the two apart from the page the pointer lies in: a large block's header
 * page starts with LARGE_MAGIC and the pointer is exactly 16 bytes in, while
 * every slab page starts with a slab header (slab_cache_of()).
 *
 * FIXME: one-page slabs fit a single 2048-byte object beside the header, so
 * kmalloc-2048 wastes half of each page; multi-page slabs for it need a
 * per-page descriptor from the pmm so kfree() can find their header.
 *
 * Locking: the caches lock themselves and the counter is atomic; nothing
 * here takes a lock of its own.
 */
#include <mm/kmalloc.h>
#include <lib/compiler.h>
#include <lib/panic.h>
#include <lib/string.h>
#include <mm/pmm.h>
#include <mm/slab.h>

#define NCLASSES 8 /* 16 << 7 == KMALLOC_MAX_SLAB */
#define LARGE_MAGIC 0x6b6d616c6c6f6321ull

struct large_header {
	uint64_t magic;
	uint32_t order;
	uint32_t unused;
};

_Static_assert(sizeof(struct large_header) == 16, "keeps large blocks 16-byte aligned");
_Static_assert(KMALLOC_MIN_SLAB << (NCLASSES - 1) == KMALLOC_MAX_SLAB, "size classes");

static struct slab_cache classes[NCLASSES];
static const char *const class_names[NCLASSES] = {
    "kmalloc-16",  "kmalloc-32",  "kmalloc-64",   "kmalloc-128",
    "kmalloc-256", "kmalloc-512", "kmalloc-1024", "kmalloc-2048",
};
static uint32_t class_cost[NCLASSES]; /* kmalloc_size() of each class: its share of a page */
static bool ready;
static uint64_t bytes_in_use;
static uint64_t large_blocks; /* large blocks handed out and not freed */

void kmalloc_init(void)
{
	ASSERT(!ready);
	for (unsigned i = 0; i < NCLASSES; i++) {
		int rc = slab_cache_init_flags(&classes[i], class_names[i], KMALLOC_MIN_SLAB << i,
		                               16, SLAB_ONE_PAGE);
		ASSERT(rc == 0);
		class_cost[i] = (uint32_t)(PAGE_SIZE / classes[i].objs_per_slab);
	}
	ready = true;
}

/* The size class of 1..KMALLOC_MAX_SLAB bytes: 16 << class_of(size) >= size. */
static unsigned class_of(size_t size)
{
	return size <= KMALLOC_MIN_SLAB ? 0 : 60 - (unsigned)__builtin_clzl(size - 1);
}

/* The page order a large block of size bytes (header included) needs. */
static unsigned large_order(size_t size)
{
	size_t total = size + sizeof(struct large_header);
	unsigned order = 0;
	while ((PAGE_SIZE << order) < total)
		order++;
	return order;
}

static void *large_alloc(size_t size)
{
	if (size > ((size_t)1 << 40)) /* beyond any page_alloc() order */
		return NULL;
	unsigned order = large_order(size);
	struct large_header *h = page_alloc(order);
	if (!h)
		return NULL;
	h->magic = LARGE_MAGIC;
	h->order = order;
	__atomic_fetch_add(&bytes_in_use, PAGE_SIZE << order, __ATOMIC_RELAXED);
	__atomic_fetch_add(&large_blocks, 1, __ATOMIC_RELAXED);
	return h + 1;
}

void *kmalloc(size_t size)
{
	ASSERT(ready);
	if (size > KMALLOC_MAX_SLAB)
		return large_alloc(size);
	struct slab_cache *c = &classes[class_of(size ? size : 1)];
	void *p = slab_alloc(c);
	if (p)
		__atomic_fetch_add(&bytes_in_use, c->obj_size, __ATOMIC_RELAXED);
	return p;
}

size_t kmalloc_size(size_t size)
{
	ASSERT(ready);
	if (size > KMALLOC_MAX_SLAB)
		return size > ((size_t)1 << 40) ? size : PAGE_SIZE << large_order(size);
	return class_cost[class_of(size ? size : 1)];
}

void *kzalloc(size_t size)
{
	void *p = kmalloc(size);
	if (p)
		memset(p, 0, size);
	return p;
}

void kfree(void *ptr)
{
	if (!ptr)
		return;
	struct large_header *h = (struct large_header *)ALIGN_DOWN((uintptr_t)ptr, PAGE_SIZE);
	if ((void *)(h + 1) == ptr && h->magic == LARGE_MAGIC) {
		unsigned order = h->order;
		h->magic = 0;
		__atomic_fetch_sub(&bytes_in_use, PAGE_SIZE << order, __ATOMIC_RELAXED);
		__atomic_fetch_sub(&large_blocks, 1, __ATOMIC_RELAXED);
		page_free(h, order);
		return;
	}
	struct slab_cache *c = slab_cache_of(ptr);
	ASSERT(c >= classes && c < classes + NCLASSES); /* not from kmalloc */
	slab_free(c, ptr);
	__atomic_fetch_sub(&bytes_in_use, c->obj_size, __ATOMIC_RELAXED);
}

uint64_t kmalloc_bytes_in_use(void)
{
	return __atomic_load_n(&bytes_in_use, __ATOMIC_RELAXED);
}

/* Summed from the classes' own counts: no cost on kmalloc()'s fast path. */
uint64_t kmalloc_objects_in_use(void)
{
	uint64_t n = __atomic_load_n(&large_blocks, __ATOMIC_RELAXED);
	for (unsigned i = 0; i < NCLASSES; i++) {
		struct slab_stats st;
		slab_cache_stats(&classes[i], &st);
		n += st.objects_in_use;
	}
	return n;
}

uint64_t kmalloc_shrink(void)
{
	uint64_t pages = 0;
	for (unsigned i = 0; i < NCLASSES; i++)
		pages += slab_cache_shrink(&classes[i]);
	return pages;
}
