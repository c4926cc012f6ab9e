/*
 * malloc.c - the memory allocator: boundary-tag chunks on segregated free lists.
 *
 * Memory comes from __libc_morecore in regions of at least GROW_MIN bytes; a region
 * that starts where the previous one ended is merged into it, so freeing everything
 * leaves one free chunk per run of contiguous memory. Memory is never returned to the
 * system (there is no hook for that yet).
 *
 * Layout. Every chunk starts with a 16-byte header {size | flags, magic}; the payload
 * follows, 16-aligned. A free chunk also keeps free-list links at the start of its
 * payload and a copy of its size in its last 8 bytes (the footer), so the chunk after
 * it can find it when coalescing. Flags: INUSE (this chunk) and PREV_INUSE (the chunk
 * before). A region is [struct region][chunks...][fence]; the fence is a zero-size,
 * in-use header that stops coalescing at the end, PREV_INUSE on the first chunk stops
 * it at the start.
 *
 * Free lists: 128 bins; sizes below 512 bytes have one bin per 16-byte size, larger
 * ones four bins per power of two. A bitmap of non-empty bins finds the next bin that
 * can serve a request in O(1); within the request's own bin the search is first fit.
 *
 * Bad frees. free() and realloc() check that the pointer lies inside a region, is
 * aligned, and that its header carries the in-use magic (which mixes in the chunk's
 * address, so a copied header does not pass). A double free, a wild pointer or an
 * overwritten header ends the program with abort() before anything is changed.
 *
 * Threads: one lock (lock.h's futex word) around each public entry point; the
 * *_unlocked functions are their bodies, for the entry points that call each other.
 */
#include <stdlib.h>

#include <errno.h>
#include <stdint.h>
#include <string.h>

#include "lock.h"
#include "sys_hooks.h"

#define ALIGN 16u
#define HDR 16u
#define MIN_CHUNK 48u /* header + two links + footer, rounded to ALIGN */
#define PAGE 4096u
#define GROW_MIN (64u * 1024u)
#define NBINS 128u
#define SMALL_LIMIT 512u

#define INUSE 1u
#define PREV_INUSE 2u
#define FLAGS 15u

#define MAGIC_USED 0x6d616c6c6f630a55ull
#define MAGIC_FREE 0x6672656563686b46ull
#define MAGIC_FENCE 0x66656e6365212121ull

struct chunk {
	size_t head; /* size | flags */
	uintptr_t magic; /* MAGIC_* ^ address of the chunk */
	/* only while free: */
	struct chunk *next, *prev;
};

struct region {
	struct region *next;
	size_t size; /* bytes from the start of this struct to the end of the fence */
};

static struct chunk *bins[NBINS];
static uint64_t bin_map[NBINS / 64];
static struct region *regions;
static volatile uint32_t malloc_lock;
static size_t from_system, in_use;

static size_t csize(const struct chunk *c)
{
	return c->head & ~(size_t)FLAGS;
}

static struct chunk *cnext(const struct chunk *c)
{
	return (struct chunk *)((char *)c + csize(c));
}

static struct chunk *cprev(const struct chunk *c)
{
	size_t prev_size = ((const size_t *)(const void *)c)[-1];
	return (struct chunk *)((char *)c - prev_size);
}

static uintptr_t magic_of(const struct chunk *c, uint64_t kind)
{
	return (uintptr_t)(kind ^ (uintptr_t)c);
}

static void *payload(struct chunk *c)
{
	return (char *)c + HDR;
}

static unsigned bin_of(size_t size)
{
	if (size < SMALL_LIMIT)
		return (unsigned)(size / ALIGN);
	unsigned log = 63u - (unsigned)__builtin_clzll(size);
	size_t idx = 32u + (log - 9u) * 4u + ((size >> (log - 2u)) & 3u);
	return idx < NBINS ? (unsigned)idx : NBINS - 1u;
}

static void bin_insert(struct chunk *c)
{
	unsigned b = bin_of(csize(c));

	c->prev = NULL;
	c->next = bins[b];
	if (c->next)
		c->next->prev = c;
	bins[b] = c;
	bin_map[b / 64] |= 1ull << (b % 64);
}

static void bin_remove(struct chunk *c)
{
	unsigned b = bin_of(csize(c));

	if (c->prev)
		c->prev->next = c->next;
	else
		bins[b] = c->next;
	if (c->next)
		c->next->prev = c->prev;
	if (!bins[b])
		bin_map[b / 64] &= ~(1ull << (b % 64));
}

static void mark_used(struct chunk *c, size_t size)
{
	c->head = size | INUSE | (c->head & PREV_INUSE);
	c->magic = magic_of(c, MAGIC_USED);
	cnext(c)->head |= PREV_INUSE;
}

/*
 * Make c (size bytes, header's PREV_INUSE already right) a free chunk: merge it with
 * free neighbours and put the result on its free list.
 */
static void release(struct chunk *c, size_t size)
{
	struct chunk *n = (struct chunk *)((char *)c + size);

	if (!(n->head & INUSE)) {
		bin_remove(n);
		size += csize(n);
	}
	if (!(c->head & PREV_INUSE)) {
		struct chunk *p = cprev(c);
		bin_remove(p);
		size += csize(p);
		c = p;
	}
	c->head = size | (c->head & PREV_INUSE);
	c->magic = magic_of(c, MAGIC_FREE);
	((size_t *)(void *)((char *)c + size))[-1] = size;
	cnext(c)->head &= ~(size_t)PREV_INUSE;
	bin_insert(c);
}

/* Shrink in-use chunk c to size bytes, freeing the tail if it can be a chunk. */
static void trim(struct chunk *c, size_t size)
{
	size_t have = csize(c);

	if (have - size < MIN_CHUNK)
		return;
	c->head = size | (c->head & FLAGS);
	struct chunk *tail = (struct chunk *)((char *)c + size);
	tail->head = PREV_INUSE;
	release(tail, have - size);
}

/* The end marker of a region; release() of the chunk before it fixes PREV_INUSE. */
static void set_fence(struct chunk *f)
{
	f->head = INUSE;
	f->magic = magic_of(f, MAGIC_FENCE);
}

/* Get memory for at least `need` bytes of chunk from the system. */
static int grow(size_t need)
{
	size_t want = need + sizeof(struct region) + HDR;
	if (want < need)
		return -1;
	if (want < GROW_MIN)
		want = GROW_MIN;
	if (want < from_system / 4)
		want = from_system / 4; /* grow geometrically: few regions */
	if (want > SIZE_MAX - PAGE)
		return -1;
	want = (want + PAGE - 1) & ~(size_t)(PAGE - 1);

	char *mem = __libc_morecore(want);
	if (!mem)
		return -1;
	from_system += want;

	struct region *r = regions;
	if (r && (char *)r + r->size == mem) {
		/* contiguous: the old fence becomes the header of the new space */
		struct chunk *old_fence = (struct chunk *)(mem - HDR);
		r->size += want;
		set_fence((struct chunk *)(mem + want - HDR));
		release(old_fence, want);
		return 0;
	}
	r = (struct region *)(void *)mem;
	r->next = regions;
	r->size = want;
	regions = r;
	struct chunk *first = (struct chunk *)(mem + sizeof(*r));
	struct chunk *fence = (struct chunk *)(mem + want - HDR);
	first->head = PREV_INUSE;
	set_fence(fence);
	release(first, want - sizeof(*r) - HDR);
	return 0;
}

/* The smallest free chunk of at least `need` bytes, removed from its list, or NULL. */
static struct chunk *take(size_t need)
{
	unsigned b = bin_of(need);

	for (struct chunk *c = bins[b]; c; c = c->next) {
		if (csize(c) >= need) {
			bin_remove(c);
			return c;
		}
	}
	for (b++; b < NBINS; b = (b | 63u) + 1u) {
		uint64_t bits = bin_map[b / 64] >> (b % 64);
		if (bits) {
			b += (unsigned)__builtin_ctzll(bits);
			struct chunk *c = bins[b];
			bin_remove(c);
			return c;
		}
	}
	return NULL;
}

static size_t chunk_size_for(size_t bytes)
{
	if (bytes > SIZE_MAX / 2)
		return 0;
	size_t need = (bytes + HDR + ALIGN - 1) & ~(size_t)(ALIGN - 1);
	return need < MIN_CHUNK ? MIN_CHUNK : need;
}

static void *alloc_chunk(size_t need)
{
	struct chunk *c = take(need);

	if (!c && grow(need) == 0)
		c = take(need);
	if (!c) {
		errno = ENOMEM;
		return NULL;
	}
	size_t have = csize(c);
	mark_used(c, have);
	trim(c, need);
	in_use += csize(c);
	return payload(c);
}

/* Called with malloc_lock held: let it go (an abort may run atexit handlers that free). */
static _Noreturn void bad_pointer(const char *what)
{
	static const char prefix[] = "malloc: invalid pointer passed to ";
	libc_unlock(&malloc_lock);
	__libc_write(2, prefix, sizeof(prefix) - 1);
	__libc_write(2, what, strlen(what));
	__libc_write(2, "\n", 1);
	abort();
}

/* The in-use chunk of ptr, after checking that it is one; aborts if not. */
static struct chunk *chunk_of(void *ptr, const char *what)
{
	uintptr_t p = (uintptr_t)ptr;

	if (p % ALIGN)
		bad_pointer(what);
	for (struct region *r = regions; r; r = r->next) {
		uintptr_t lo = (uintptr_t)r + sizeof(*r) + HDR;
		uintptr_t fence = (uintptr_t)r + r->size - HDR;
		if (p < lo || p >= fence)
			continue;
		struct chunk *c = (struct chunk *)(p - HDR);
		if (c->magic != magic_of(c, MAGIC_USED) || !(c->head & INUSE) ||
		    csize(c) < MIN_CHUNK || csize(c) > fence - (uintptr_t)c ||
		    !(cnext(c)->head & PREV_INUSE))
			break;
		return c;
	}
	bad_pointer(what);
}

static void *malloc_unlocked(size_t size)
{
	size_t need = chunk_size_for(size);

	if (!need) {
		errno = ENOMEM;
		return NULL;
	}
	return alloc_chunk(need);
}

static void free_unlocked(void *ptr)
{
	if (!ptr)
		return;
	struct chunk *c = chunk_of(ptr, "free");
	in_use -= csize(c);
	release(c, csize(c));
}

void *malloc(size_t size)
{
	libc_lock(&malloc_lock);
	void *p = malloc_unlocked(size);
	libc_unlock(&malloc_lock);
	return p;
}

void free(void *ptr)
{
	libc_lock(&malloc_lock);
	free_unlocked(ptr);
	libc_unlock(&malloc_lock);
}

void *calloc(size_t n, size_t size)
{
	if (size && n > SIZE_MAX / size) {
		errno = ENOMEM;
		return NULL;
	}
	void *p = malloc(n * size);
	if (p)
		memset(p, 0, n * size);
	return p;
}

static void *realloc_unlocked(void *ptr, size_t size)
{
	if (!ptr)
		return malloc_unlocked(size);
	struct chunk *c = chunk_of(ptr, "realloc");
	if (!size) {
		free_unlocked(ptr);
		return NULL;
	}
	size_t need = chunk_size_for(size);
	if (!need) {
		errno = ENOMEM;
		return NULL;
	}
	size_t have = csize(c);
	struct chunk *n = cnext(c);
	if (have < need && !(n->head & INUSE) && have + csize(n) >= need) {
		bin_remove(n); /* grow in place into the free neighbour */
		mark_used(c, have + csize(n));
	} else if (have < need) {
		void *q = alloc_chunk(need);
		if (q) {
			memcpy(q, ptr, have - HDR);
			free_unlocked(ptr);
		}
		return q;
	}
	in_use -= have;
	trim(c, need);
	in_use += csize(c);
	return ptr;
}

static void *aligned_alloc_unlocked(size_t align, size_t size)
{
	if (!align || (align & (align - 1))) {
		errno = EINVAL;
		return NULL;
	}
	if (align <= ALIGN)
		return malloc_unlocked(size);
	if (size > SIZE_MAX / 2 || align > SIZE_MAX / 4) {
		errno = ENOMEM;
		return NULL;
	}
	size_t need = chunk_size_for(size);
	char *p = alloc_chunk(need + align + MIN_CHUNK);
	if (!p || (uintptr_t)p % align == 0)
		return p;

	/* Free a leading piece of at least MIN_CHUNK so the payload lands aligned. */
	struct chunk *c = (struct chunk *)(p - HDR);
	uintptr_t q = ((uintptr_t)p + MIN_CHUNK + align - 1) & ~(uintptr_t)(align - 1);
	size_t lead = q - (uintptr_t)p, have = csize(c);
	struct chunk *nc = (struct chunk *)(q - HDR);
	in_use -= have;
	nc->head = (have - lead) | INUSE; /* PREV_INUSE stays clear: the lead is free */
	nc->magic = magic_of(nc, MAGIC_USED);
	release(c, lead);
	trim(nc, need);
	in_use += csize(nc);
	return (void *)q;
}

void *realloc(void *ptr, size_t size)
{
	libc_lock(&malloc_lock);
	void *p = realloc_unlocked(ptr, size);
	libc_unlock(&malloc_lock);
	return p;
}

void *aligned_alloc(size_t align, size_t size)
{
	libc_lock(&malloc_lock);
	void *p = aligned_alloc_unlocked(align, size);
	libc_unlock(&malloc_lock);
	return p;
}

int posix_memalign(void **out, size_t align, size_t size)
{
	if (align < sizeof(void *))
		return EINVAL;
	int saved = errno;
	void *p = aligned_alloc(align, size);
	int err = errno;
	errno = saved;
	if (!p)
		return err;
	*out = p;
	return 0;
}

size_t malloc_usable_size(void *ptr)
{
	libc_lock(&malloc_lock);
	size_t n = ptr ? csize(chunk_of(ptr, "malloc_usable_size")) - HDR : 0;
	libc_unlock(&malloc_lock);
	return n;
}

void malloc_get_stats(struct malloc_stats *out)
{
	memset(out, 0, sizeof(*out));
	libc_lock(&malloc_lock);
	out->from_system = from_system;
	out->in_use = in_use;
	for (unsigned b = 0; b < NBINS; b++) {
		for (struct chunk *c = bins[b]; c; c = c->next) {
			out->free_chunks++;
			if (csize(c) > out->largest_free)
				out->largest_free = csize(c);
		}
	}
	for (struct region *r = regions; r; r = r->next)
		out->regions++;
	libc_unlock(&malloc_lock);
}
