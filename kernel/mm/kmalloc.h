/*
 * kmalloc.h - the general-purpose kernel heap.
 *
 * kmalloc() serves sizes up to KMALLOC_MAX_SLAB from power-of-two slab caches
 * and larger sizes from whole pages. Returns NULL when memory is exhausted;
 * callers must turn that into ERR_NO_MEMORY, never panic. Memory is aligned to
 * at least 16 bytes. Safe on any CPU with interrupts on or off.
 *
 * kmalloc_init() must run once, after the page allocator is up and before
 * the first kmalloc() or slab_cache_create().
 */
#pragma once
#include <stddef.h>
#include <stdint.h>

#define KMALLOC_MIN_SLAB 16
#define KMALLOC_MAX_SLAB 2048
/* Per-CPU magazines (kmalloc.c): up to KMALLOC_MAG freed objects of each
   class up to KMALLOC_MAG_MAX bytes, so at most KMALLOC_MAG_BYTES per CPU */
#define KMALLOC_MAG 8
#define KMALLOC_MAG_MAX 512
#define KMALLOC_MAG_BYTES (8 * 1008)
/* A kept block's second word: this xor its address (kmalloc.c, mag_mark()) */
#define KMALLOC_MAG_MARK 0x6d61672d6b657074ull

/* Set up the size-class caches. Allocates nothing; call once at boot. */
void kmalloc_init(void);

/* size bytes (0 is treated as 1), 16-byte aligned, or NULL when out of memory. */
void *kmalloc(size_t size);
/* Like kmalloc(), zero-filled. */
void *kzalloc(size_t size);
/* Free memory from kmalloc()/kzalloc(); NULL is a no-op. Foreign pointers and double frees ASSERT. */
void kfree(void *ptr);

/*
 * Memory kmalloc(size) takes from the page allocator: for a slab size its
 * share of a slab page (PAGE_SIZE / objects per slab), for a large size the
 * whole power-of-two block, header included. Callers charge this, not size,
 * so a quota covers what is really used.
 */
size_t kmalloc_size(size_t size);

/* Bytes handed out and not yet freed, counted in whole size classes / pages (leak checks). */
uint64_t kmalloc_bytes_in_use(void);
/* Allocations handed out and not yet freed (slab objects and large blocks). */
uint64_t kmalloc_objects_in_use(void);
/* Empty every CPU's magazines (a cross-CPU call: not from interrupt context),
   then return the size-class caches' empty slabs to the page allocator.
   Returns pages released. */
uint64_t kmalloc_shrink(void);
