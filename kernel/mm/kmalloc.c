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
 * Per-CPU magazines: each CPU keeps up to KMALLOC_MAG freed objects of each
 * class up to KMALLOC_MAG_MAX bytes and hands them out again first, with
 * interrupts off and no lock (a kbus message, freed on one side and
 * allocated again on the next call, never reaches its slab: about 90
 * instructions less per pair). So the heap holds at most KMALLOC_MAG_BYTES
 * per CPU beyond what is allocated (documented in docs/kernel.md). An
 * object in a magazine counts as free: kmalloc_bytes_in_use() and
 * kmalloc_objects_in_use() leave it out. kfree() still catches a foreign
 * pointer or a double free: the object's place in its slab is checked, and
 * a kept object carries a mark (mag_mark()). kmalloc_shrink() empties every
 * CPU's magazines (each its own, by a cross-CPU call).
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
#include <arch/irq_flags.h>
#include <arch/percpu.h>
#include <arch/smp.h>

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

#define MAG_CLASSES 6 /* 16 ... KMALLOC_MAG_MAX bytes */
_Static_assert(KMALLOC_MIN_SLAB << (MAG_CLASSES - 1) == KMALLOC_MAG_MAX, "magazine classes");
_Static_assert(KMALLOC_MAG *(2 * KMALLOC_MAG_MAX - KMALLOC_MIN_SLAB) == KMALLOC_MAG_BYTES,
               "the documented bound: KMALLOC_MAG objects of each class");

struct magazine {
	uint32_t n;
	void *obj[KMALLOC_MAG];
};

/* this CPU's, touched only with interrupts off (no lock: no other CPU does) */
static struct {
	struct magazine m[MAG_CLASSES];
} __attribute__((aligned(64))) mags[MAX_CPUS];

static struct magazine *my_magazine(unsigned class)
{
	return &mags[this_cpu()->id].m[class];
}

/*
 * A kept object's second word holds its mark (objects are at least 16
 * bytes): kfree() of an object whose word already holds it is a double free,
 * unless its data just looks so, which a look through every magazine tells.
 * (A free to its slab is caught by the slab's own bitmap.)
 */
static inline uint64_t mag_mark(const void *p)
{
	return KMALLOC_MAG_MARK ^ (uintptr_t)p;
}

static void check_not_kept(struct slab_cache *c, const void *p)
{
	for (unsigned cpu = 0; cpu < MAX_CPUS; cpu++) {
		struct magazine *m = &mags[cpu].m[c - classes];
		for (uint32_t i = 0; i < KMALLOC_MAG; i++)
			if (i < READ_ONCE(m->n) && READ_ONCE(m->obj[i]) == p)
				panic("kfree: double free of %p (%s)", p, c->name);
	}
}

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
	unsigned class = class_of(size ? size : 1);
	struct slab_cache *c = &classes[class];
	void *p = NULL;
	if (class < MAG_CLASSES) {
		uint64_t irq = arch_irq_save();
		struct magazine *m = my_magazine(class);
		if (m->n) {
			p = m->obj[--m->n];
			((uint64_t *)p)[1] = 0; /* its mark */
		}
		arch_irq_restore(irq);
	}
	if (!p)
		p = slab_alloc(c);
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
	unsigned class = (unsigned)(c - classes);
	if (class < MAG_CLASSES) {
		uint64_t *word = ptr;
		ASSERT(((uintptr_t)ptr - slab_first_object(c, ptr)) % c->obj_size == 0);
		if (unlikely(word[1] == mag_mark(ptr)))
			check_not_kept(c, ptr); /* kept already (or data that looks so) */
		uint64_t irq = arch_irq_save();
		struct magazine *m = my_magazine(class);
		bool kept = m->n < KMALLOC_MAG;
		if (kept) {
			word[1] = mag_mark(ptr);
			m->obj[m->n++] = ptr;
		}
		arch_irq_restore(irq);
		if (kept) {
			__atomic_fetch_sub(&bytes_in_use, c->obj_size, __ATOMIC_RELAXED);
			return;
		}
	}
	slab_free(c, ptr); /* after the checks: a misuse panics with the count intact */
	__atomic_fetch_sub(&bytes_in_use, c->obj_size, __ATOMIC_RELAXED);
}

/* Objects of class in the CPUs' magazines (a snapshot: they change meanwhile). */
static uint64_t magazine_objects(unsigned class)
{
	uint64_t n = 0;
	for (unsigned cpu = 0; cpu < MAX_CPUS; cpu++)
		n += READ_ONCE(mags[cpu].m[class].n);
	return n;
}

/* Give this CPU's magazines back to their slabs (interrupts off: a cross-CPU call). */
static void magazines_flush(void *unused)
{
	(void)unused;
	for (unsigned class = 0; class < MAG_CLASSES; class ++) {
		struct magazine *m = my_magazine(class);
		while (m->n) {
			void *p = m->obj[--m->n];
			((uint64_t *)p)[1] = 0;
			slab_free(&classes[class], p);
		}
	}
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
		if (i < MAG_CLASSES)
			n -= magazine_objects(i); /* free, though their slabs count them */
	}
	return n;
}

uint64_t kmalloc_shrink(void)
{
	uint64_t pages = 0;
	uint64_t irq = arch_irq_save();
	magazines_flush(NULL);
	arch_irq_restore(irq);
	smp_call_others(magazines_flush, NULL); /* every CPU empties its own */
	for (unsigned i = 0; i < NCLASSES; i++)
		pages += slab_cache_shrink(&classes[i]);
	return pages;
}
