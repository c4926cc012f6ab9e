/*
 * slab.c - slab caches (design, invariants and locking in mm/slab.h).
 *
 * Slab layout: [struct slab | allocation bitmap | pad to align | obj 0 | ...].
 * A free object's first 8 bytes link it into its slab's freelist; the bitmap
 * (bit set = allocated) is the ground truth, checked on every free.
 *
 * Each slab sits on exactly one of the cache's lists, recorded in s->list:
 *   partial: 0 < inuse < nobj     full: inuse == nobj
 *   empty:   inuse == 0, at most one slab (the reserve)
 * A brand-new slab is put on partial before its first object is taken.
 */
#include <mm/slab.h>
#include <abi/errors.h>
#include <lib/compiler.h>
#include <lib/panic.h>
#include <lib/string.h>
#include <mm/kmalloc.h>
#include <mm/pmm.h>

#define SLAB_MAGIC 0x51ab51abu

enum slab_list { LIST_NONE, LIST_PARTIAL, LIST_FULL, LIST_EMPTY };

struct slab {
	uint32_t magic;
	uint16_t inuse;
	uint16_t nobj;
	struct slab_cache *cache;
	struct slab *next, *prev;
	void *freelist;
	uint8_t list; /* enum slab_list */
	uint64_t bitmap[];
};

static size_t header_size(uint32_t nobj, size_t align)
{
	return ALIGN_UP(sizeof(struct slab) + (nobj + 63) / 64 * sizeof(uint64_t), align);
}

/* Objects per slab of the given order, accounting for the header they displace. */
static uint32_t fit(size_t slab_bytes, size_t stride, size_t align)
{
	uint32_t n = (uint32_t)(slab_bytes / stride);
	while (n && header_size(n, align) + n * stride > slab_bytes)
		n--;
	return n;
}

int slab_cache_init_flags(struct slab_cache *c, const char *name, size_t size, size_t align,
                          unsigned flags)
{
	if (align < 8)
		align = 8; /* room and alignment for the freelist link */
	if (align & (align - 1) || align > PAGE_SIZE || size == 0 ||
	    size > (PAGE_SIZE << SLAB_MAX_ORDER))
		return ERR_INVALID_ARGS;
	size_t stride = ALIGN_UP(size, align);

	/* Smallest order giving at least 8 objects, so headers waste little. */
	unsigned max_order = (flags & SLAB_ONE_PAGE) ? 0 : SLAB_MAX_ORDER;
	unsigned order = 0;
	while (order < max_order && fit(PAGE_SIZE << order, stride, align) < 8)
		order++;
	uint32_t n = fit(PAGE_SIZE << order, stride, align);
	if (n == 0 || n > UINT16_MAX)
		return ERR_INVALID_ARGS;

	spin_init(&c->lock);
	c->name = name;
	c->obj_size = (uint32_t)stride;
	c->objs_per_slab = n;
	c->first_offset = (uint32_t)header_size(n, align);
	c->order = (uint8_t)order;
	c->flags = (uint8_t)flags;
	c->dynamic = false;
	c->partial = c->full = c->empty = NULL;
	c->objects_in_use = 0;
	c->slabs = 0;
	return 0;
}

int slab_cache_init(struct slab_cache *c, const char *name, size_t size, size_t align)
{
	return slab_cache_init_flags(c, name, size, align, 0);
}

struct slab_cache *slab_cache_create(const char *name, size_t size, size_t align)
{
	struct slab_cache *c = kmalloc(sizeof(*c));
	if (!c)
		return NULL;
	if (slab_cache_init(c, name, size, align) != 0) {
		kfree(c);
		return NULL;
	}
	c->dynamic = true;
	return c;
}

static struct slab **list_head(struct slab_cache *c, enum slab_list l)
{
	return l == LIST_PARTIAL ? &c->partial : l == LIST_FULL ? &c->full : &c->empty;
}

static void list_unlink(struct slab_cache *c, struct slab *s)
{
	if (s->list == LIST_NONE)
		return;
	if (s->prev)
		s->prev->next = s->next;
	else
		*list_head(c, s->list) = s->next;
	if (s->next)
		s->next->prev = s->prev;
	s->next = s->prev = NULL;
	s->list = LIST_NONE;
}

static void list_move(struct slab_cache *c, struct slab *s, enum slab_list to)
{
	if (s->list == to)
		return;
	list_unlink(c, s);
	struct slab **head = list_head(c, to);
	s->next = *head;
	s->prev = NULL;
	if (*head)
		(*head)->prev = s;
	*head = s;
	s->list = (uint8_t)to;
}

/* A fresh slab with every object on its freelist; called without the lock. */
static struct slab *slab_new(struct slab_cache *c)
{
	struct slab *s = page_alloc(c->order);
	if (!s)
		return NULL;
	s->magic = SLAB_MAGIC;
	s->inuse = 0;
	s->nobj = (uint16_t)c->objs_per_slab;
	s->cache = c;
	s->next = s->prev = NULL;
	s->list = LIST_NONE;
	memset(s->bitmap, 0, (s->nobj + 63) / 64 * sizeof(uint64_t));

	char *obj = (char *)s + c->first_offset;
	s->freelist = NULL;
	for (uint32_t i = s->nobj; i-- > 0;) {
		void **link = (void **)(obj + (size_t)i * c->obj_size);
		*link = s->freelist;
		s->freelist = link;
	}
	return s;
}

/* Hand a slab that is off every list back to the page allocator. */
static void slab_release(struct slab_cache *c, struct slab *s)
{
	s->magic = 0;
	page_free(s, c->order);
}

void *slab_alloc(struct slab_cache *c)
{
	uint64_t irq = spin_lock_irqsave(&c->lock);
	struct slab *s = c->partial ? c->partial : c->empty;
	if (!s) {
		spin_unlock_irqrestore(&c->lock, irq);
		s = slab_new(c);
		if (!s)
			return NULL;
		irq = spin_lock_irqsave(&c->lock);
		c->slabs++;
		list_move(c, s, LIST_PARTIAL);
	}

	void **obj = s->freelist;
	s->freelist = *obj;
	uint32_t idx = (uint32_t)(((char *)obj - ((char *)s + c->first_offset)) / c->obj_size);
	s->bitmap[idx / 64] |= 1ull << (idx % 64);
	s->inuse++;
	c->objects_in_use++;
	list_move(c, s, s->inuse == s->nobj ? LIST_FULL : LIST_PARTIAL);
	spin_unlock_irqrestore(&c->lock, irq);
	return obj;
}

void *slab_zalloc(struct slab_cache *c)
{
	void *p = slab_alloc(c);
	if (p)
		memset(p, 0, c->obj_size);
	return p;
}

/* p's slab and index in it; panics on a pointer that is not one of c's objects. */
static struct slab *object_of(struct slab_cache *c, const void *p, uint32_t *idx)
{
	ASSERT(p);
	struct slab *s = (struct slab *)ALIGN_DOWN((uintptr_t)p, PAGE_SIZE << c->order);
	ASSERT(s->magic == SLAB_MAGIC && s->cache == c); /* foreign pointer */
	uintptr_t off = (uintptr_t)p - ((uintptr_t)s + c->first_offset);
	ASSERT((uintptr_t)p >= (uintptr_t)s + c->first_offset && off % c->obj_size == 0);
	*idx = (uint32_t)(off / c->obj_size);
	ASSERT(*idx < s->nobj);
	return s;
}

uintptr_t slab_first_object(struct slab_cache *c, const void *p)
{
	uintptr_t s = ALIGN_DOWN((uintptr_t)p, PAGE_SIZE << c->order);
	ASSERT((uintptr_t)p >= s + c->first_offset);
	return s + c->first_offset;
}

void slab_free(struct slab_cache *c, void *p)
{
	uint32_t idx;
	struct slab *s = object_of(c, p, &idx);

	uint64_t irq = spin_lock_irqsave(&c->lock);
	uint64_t bit = 1ull << (idx % 64);
	if (!(s->bitmap[idx / 64] & bit)) {
		spin_unlock_irqrestore(&c->lock, irq);
		panic("slab_free: double free of %p in cache %s", p, c->name);
	}
	s->bitmap[idx / 64] &= ~bit;
	*(void **)p = s->freelist;
	s->freelist = p;
	s->inuse--;
	c->objects_in_use--;

	struct slab *release = NULL;
	if (s->inuse > 0) {
		list_move(c, s, LIST_PARTIAL);
	} else if (!c->empty) {
		list_move(c, s, LIST_EMPTY); /* keep one as a reserve */
	} else {
		list_unlink(c, s);
		c->slabs--;
		release = s;
	}
	spin_unlock_irqrestore(&c->lock, irq);
	if (release)
		slab_release(c, release);
}

uint64_t slab_cache_shrink(struct slab_cache *c)
{
	uint64_t irq = spin_lock_irqsave(&c->lock);
	struct slab *list = c->empty;
	c->empty = NULL;
	uint64_t n = 0;
	for (struct slab *s = list; s; s = s->next) {
		s->list = LIST_NONE;
		n++;
	}
	c->slabs -= n;
	spin_unlock_irqrestore(&c->lock, irq);

	while (list) {
		struct slab *next = list->next;
		slab_release(c, list);
		list = next;
	}
	return n << c->order;
}

void slab_cache_destroy(struct slab_cache *c)
{
	uint64_t irq = spin_lock_irqsave(&c->lock);
	bool idle = c->objects_in_use == 0 && !c->partial && !c->full;
	spin_unlock_irqrestore(&c->lock, irq);
	ASSERT(idle); /* objects still allocated */
	slab_cache_shrink(c);
	c->name = NULL;
	if (c->dynamic)
		kfree(c);
}

void slab_cache_stats(struct slab_cache *c, struct slab_stats *out)
{
	uint64_t irq = spin_lock_irqsave(&c->lock);
	out->object_size = c->obj_size;
	out->objects_in_use = c->objects_in_use;
	out->objects_capacity = c->slabs * c->objs_per_slab;
	out->slabs = c->slabs;
	out->pages = c->slabs << c->order;
	spin_unlock_irqrestore(&c->lock, irq);
}

struct slab_cache *slab_cache_of(const void *p)
{
	const struct slab *s = (const struct slab *)ALIGN_DOWN((uintptr_t)p, PAGE_SIZE);
	if (s->magic != SLAB_MAGIC || !(s->cache->flags & SLAB_ONE_PAGE))
		return NULL;
	return s->cache;
}
