/*
 * slab.h - caches of equal-sized kernel objects.
 *
 * A slab is a naturally aligned block of 2^order pages from page_alloc(),
 * with its header (struct slab, private to slab.c) at the start, followed by
 * objects. Masking an object's address with the slab size therefore finds the
 * header, which holds a magic, the owning cache and an allocation bitmap:
 * foreign pointers and double frees are caught by ASSERT at free time.
 *
 * A cache keeps its slabs on three lists: partial, full, and at most one
 * empty slab kept as a reserve; a slab that empties while the reserve is
 * taken goes straight back to the page allocator. slab_cache_shrink() also
 * returns the reserve, so a quiescent cache holds no pages at all.
 *
 * Locking: one spinlock per cache, taken with interrupts saved, so every
 * function below is safe on any CPU with interrupts on or off. The lock is
 * never held across page_alloc()/page_free().
 */
#pragma once
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <lib/spinlock.h>

#define SLAB_MAX_ORDER 3 /* slabs of at most 8 pages; bigger objects use page_alloc() */

/* Flags for slab_cache_init_flags(). */
#define SLAB_ONE_PAGE 0x1u /* every slab is one page, so slab_cache_of() works */

struct slab;

struct slab_cache {
	struct spinlock lock;
	const char *name;
	uint32_t obj_size; /* stride between objects: size rounded up to align */
	uint32_t objs_per_slab;
	uint32_t first_offset; /* of object 0 from the slab start */
	uint8_t order;
	uint8_t flags;
	bool dynamic; /* from slab_cache_create(): destroy frees the struct */
	struct slab *partial, *full, *empty;
	uint64_t objects_in_use;
	uint64_t slabs;
};

struct slab_stats {
	size_t object_size; /* bytes per object, after rounding */
	uint64_t objects_in_use; /* allocated and not yet freed */
	uint64_t objects_capacity; /* objects the cache's slabs can hold */
	uint64_t slabs;
	uint64_t pages; /* pages held from the page allocator */
};

/*
 * Set up a cache in caller-provided storage (for static caches such as
 * kmalloc's). Objects are size bytes aligned to align (a power of two up to
 * PAGE_SIZE; at least 8 is used). name must outlive the cache. Allocates no
 * memory. Returns 0 or ERR_INVALID_ARGS (bad align, object too large).
 */
int slab_cache_init(struct slab_cache *c, const char *name, size_t size, size_t align);
/* slab_cache_init() with SLAB_* flags. */
int slab_cache_init_flags(struct slab_cache *c, const char *name, size_t size, size_t align,
                          unsigned flags);

/*
 * Allocate a cache with kmalloc() and set it up as slab_cache_init() does.
 * Returns NULL on bad arguments or out of memory. Needs kmalloc_init().
 */
struct slab_cache *slab_cache_create(const char *name, size_t size, size_t align);

/*
 * Tear down a cache: every object must have been freed (ASSERT). Returns all
 * pages; frees the struct itself if it came from slab_cache_create().
 */
void slab_cache_destroy(struct slab_cache *c);

/* Allocate one object (contents undefined). Returns NULL when out of memory. */
void *slab_alloc(struct slab_cache *c);
/* Like slab_alloc(), zero-filled. */
void *slab_zalloc(struct slab_cache *c);

/*
 * Return an object to the cache it came from. p must be a live object of c;
 * NULL, a foreign pointer or a double free is a broken invariant (ASSERT).
 */
void slab_free(struct slab_cache *c, void *p);
/* The address of the first object in p's slab of c (p: one of c's objects),
   for a layer that keeps freed objects itself to check a pointer's place. */
uintptr_t slab_first_object(struct slab_cache *c, const void *p);

/* Give every empty slab back to the page allocator. Returns the pages released. */
uint64_t slab_cache_shrink(struct slab_cache *c);

/* A consistent snapshot of the cache's counters. */
void slab_cache_stats(struct slab_cache *c, struct slab_stats *out);

/*
 * The cache owning p when p lies in a SLAB_ONE_PAGE slab; NULL if p's page
 * does not start with a slab header. Only meaningful for pointers the caller
 * knows came from such a cache or from some other page-aligned allocation
 * (kfree() uses it to tell slab objects from page allocations).
 */
struct slab_cache *slab_cache_of(const void *p);
