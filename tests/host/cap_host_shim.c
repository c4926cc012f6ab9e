/*
 * cap_host_shim.c - counted kmalloc for the capability host tests (see
 * cap_host_shim.h). Each block carries a 16-byte header with its size, so
 * kfree() can keep the byte count exact; the header keeps the 16-byte
 * alignment kmalloc promises. panic()/klog() come from host_support.c.
 */
#include "cap_host_shim.h"

#include <stdlib.h>
#include <string.h>

#include <cap/cap_internal.h>
#include <mm/kmalloc.h>

struct shim_header {
	uint64_t size;
	uint64_t magic;
};

#define SHIM_MAGIC 0xc4a9b10c5eedf00dull

static uint64_t bytes_in_use;
static uint64_t blocks_in_use;
static int64_t fail_after = -1;

uint64_t kmalloc_bytes_in_use(void)
{
	return __atomic_load_n(&bytes_in_use, __ATOMIC_RELAXED);
}

uint64_t cap_shim_blocks_in_use(void)
{
	return __atomic_load_n(&blocks_in_use, __ATOMIC_RELAXED);
}

void cap_shim_fail_after(int64_t n)
{
	__atomic_store_n(&fail_after, n, __ATOMIC_RELAXED);
}

/* Consume one allowed allocation; false when fault injection says fail. */
static int shim_may_alloc(void)
{
	int64_t n = __atomic_load_n(&fail_after, __ATOMIC_RELAXED);
	while (n >= 0) {
		if (n == 0)
			return 0;
		if (__atomic_compare_exchange_n(&fail_after, &n, n - 1, 0, __ATOMIC_RELAXED,
		                                __ATOMIC_RELAXED))
			return 1;
	}
	return 1;
}

void *kmalloc(size_t size)
{
	if (!shim_may_alloc())
		return NULL;
	struct shim_header *hdr = malloc(sizeof(*hdr) + size);
	if (!hdr)
		return NULL;
	hdr->size = size;
	hdr->magic = SHIM_MAGIC;
	memset(hdr + 1, 0xa5, size); /* never assume kmalloc memory is zeroed */
	__atomic_fetch_add(&bytes_in_use, size, __ATOMIC_RELAXED);
	__atomic_fetch_add(&blocks_in_use, 1, __ATOMIC_RELAXED);
	return hdr + 1;
}

size_t kmalloc_size(size_t size)
{
	return size ? size : 1;
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
	struct shim_header *hdr = (struct shim_header *)ptr - 1;
	if (hdr->magic != SHIM_MAGIC)
		abort(); /* not from kmalloc, or freed twice */
	hdr->magic = 0;
	__atomic_fetch_sub(&bytes_in_use, hdr->size, __ATOMIC_RELAXED);
	__atomic_fetch_sub(&blocks_in_use, 1, __ATOMIC_RELAXED);
	free(hdr);
}

/* No thread of the host tests is ever killed. */
bool cap_caller_killed(void)
{
	return false;
}
