/*
 * pager.c - the in-process user-level pager and lazy regions (see pager.h).
 *
 * State: one channel. `client` is the end given to SYS_THREAD_SET_PAGER (the
 * kernel sends fault calls through it); the pager thread serves `server` with
 * SYS_KBUS_REPLY_RECV_FAST, so each answer and the wait for the next fault are
 * one system call, and while it is parked there the kernel hands a fault over in
 * registers and switches straight to it (docs/kbus.md). A fault that was queued
 * instead (the pager was busy) arrives the same way: 24 bytes, zero-padded to
 * four words. The region table is a small array under a spinlock; the pager
 * only reads it, registering and releasing write it.
 *
 * Page-granular regions are backed from a chunk: one memory object of
 * PAGE_CHUNK bytes, created (zero-filled) once and mapped a page at a time, so a
 * fault costs one SYS_AS_MAP. A chunk's memory is freed once none of its pages
 * is mapped any more, so up to PAGE_CHUNK - 4096 bytes can outlive a released
 * region whose pages shared a chunk with one still mapped. Chunked regions (the
 * heap) get a fresh object per chunk, as before.
 *
 * The pager thread uses system calls only (no malloc, no stdio: the libc is not
 * thread-safe), and its stack is mapped before it starts.
 */
#include "pager.h"

#include <string.h>

#include <abi/errors.h>
#include <abi/kbus.h>

#include "kbus.h"
#include "start.h"
#include "syscall.h"

#define PAGE UINT64_C(4096)
#define HEAP_CHUNK UINT64_C(0x10000)
#define PAGE_CHUNK UINT64_C(0x10000) /* memory object pages of page-granular regions come from */

struct region {
	uint64_t base, end, chunk; /* end == 0: free slot */
};

static struct region regions[CH_PAGER_MAX_REGIONS];
static volatile int table_lock;
static handle_t client, server, pager_thread, pool, self_as;
static volatile int started;
static uint64_t va_next = CH_VA_BASE;
static struct ch_pager_stats stats;
static unsigned last_region; /* the pager thread's guess: the region that faulted last */
static handle_t chunk; /* the pager thread's current chunk (0: none) */
static uint64_t chunk_used = PAGE_CHUNK; /* bytes of it already mapped */

/*
 * start.c's hook, if it has one: when set, __libc_morecore calls it for fresh heap
 * space [base, base + size) instead of creating and mapping memory itself.
 */
extern int (*ch_heap_backend)(uint64_t base, uint64_t size) __attribute__((weak));

void ch_thread_trampoline(void); /* thread.c */

static void lock(void)
{
	while (__atomic_exchange_n(&table_lock, 1, __ATOMIC_ACQUIRE))
		ch_yield();
}

static void unlock(void)
{
	__atomic_store_n(&table_lock, 0, __ATOMIC_RELEASE);
}

uint64_t ch_va_reserve(uint64_t size)
{
	size = (size + PAGE - 1) & ~(PAGE - 1);
	if (size == 0 || size > CH_VA_LIMIT - CH_VA_BASE)
		return 0;
	uint64_t base = __atomic_fetch_add(&va_next, size, __ATOMIC_RELAXED);
	if (base + size > CH_VA_LIMIT || base + size < base)
		return 0;
	return base;
}

/* --- the region table --- */

/* Copies the region containing addr into *out; false if none. */
static int region_find(uint64_t addr, struct region *out)
{
	int found = 0;
	unsigned i = last_region;
	lock();
	if (!(regions[i].end && addr >= regions[i].base && addr < regions[i].end))
		for (i = 0; i < CH_PAGER_MAX_REGIONS; i++)
			if (regions[i].end && addr >= regions[i].base && addr < regions[i].end)
				break;
	if (i < CH_PAGER_MAX_REGIONS) {
		*out = regions[i];
		last_region = i;
		found = 1;
	}
	unlock();
	return found;
}

int ch_lazy_region_chunked(uint64_t base, uint64_t size, uint64_t chunk)
{
	uint64_t end = base + size;
	int err = ERR_NO_RESOURCES;

	if ((base | size | chunk) & (PAGE - 1) || size == 0 || chunk == 0 || end < base ||
	    end > UINT64_C(0x0000800000000000))
		return ERR_INVALID_ARGS;
	lock();
	for (unsigned i = 0; i < CH_PAGER_MAX_REGIONS; i++)
		if (regions[i].end && base < regions[i].end && regions[i].base < end) {
			err = ERR_ALREADY_EXISTS;
			goto out;
		}
	for (unsigned i = 0; i < CH_PAGER_MAX_REGIONS; i++)
		if (!regions[i].end) {
			regions[i] = (struct region){base, end, chunk};
			err = 0;
			break;
		}
out:
	unlock();
	return err;
}

int ch_lazy_region(uint64_t base, uint64_t size)
{
	return ch_lazy_region_chunked(base, size, PAGE);
}

int ch_lazy_release(uint64_t base)
{
	struct region r = {0};

	lock();
	for (unsigned i = 0; i < CH_PAGER_MAX_REGIONS; i++)
		if (regions[i].end && regions[i].base == base) {
			r = regions[i];
			regions[i].end = 0;
			break;
		}
	unlock();
	if (!r.end)
		return ERR_NOT_FOUND;
	long e = ch_as_unmap(ch_handle("self.as"), r.base, r.end - r.base);
	return e < 0 ? (int)e : 0;
}

void *ch_lazy_alloc(uint64_t size)
{
	uint64_t base = ch_va_reserve(size);
	if (!base || ch_lazy_region(base, (size + PAGE - 1) & ~(PAGE - 1)) < 0)
		return NULL;
	return (void *)(uintptr_t)base;
}

/* --- serving faults --- */

static void count(uint64_t *c, uint64_t n)
{
	__atomic_fetch_add(c, n, __ATOMIC_RELAXED);
}

/* Maps fresh memory over [start, start + len); 0, ERR_ALREADY_EXISTS or an error. */
static long back(uint64_t start, uint64_t len)
{
	handle_t mem;
	long r = ch_mem_create(pool, len, &mem);
	if (r < 0)
		return r;
	r = ch_as_map(self_as, start, mem, 0, len, PROT_READ | PROT_WRITE);
	ch_cap_drop(mem); /* the mapping keeps the memory alive */
	if (r >= 0)
		count(&stats.bytes, len);
	return r;
}

/* Maps one page of the current chunk (a new one when it is used up) at page. */
static long back_page(uint64_t page)
{
	if (chunk_used == PAGE_CHUNK) {
		handle_t mem;
		long r = ch_mem_create(pool, PAGE_CHUNK, &mem);
		if (r < 0)
			return r;
		if (chunk)
			ch_cap_drop(chunk); /* its mappings keep its pages */
		chunk = mem;
		chunk_used = 0;
		count(&stats.bytes, PAGE_CHUNK);
	}
	long r = ch_as_map(self_as, page, chunk, chunk_used, PAGE, PROT_READ | PROT_WRITE);
	if (r >= 0)
		chunk_used += PAGE;
	return r;
}

/* The answer to one fault: 0 resumes the thread, anything else kills it. */
static int32_t serve(const struct kbus_fault_msg *f)
{
	struct region reg;
	struct as_region m;
	uint64_t page = f->addr & ~(PAGE - 1);

	if (!region_find(f->addr, &reg))
		goto refuse;
	long r;
	if (reg.chunk == PAGE) {
		r = back_page(page);
	} else {
		uint64_t start = reg.base + (page - reg.base) / reg.chunk * reg.chunk;
		uint64_t end = reg.end - start < reg.chunk ? reg.end : start + reg.chunk;
		r = back(start, end - start);
		if (r == ERR_ALREADY_EXISTS)
			r = back_page(page); /* part of the chunk is mapped: just this page */
	}
	if (r >= 0) {
		count(&stats.served, 1);
		return 0;
	}
	if (r == ERR_ALREADY_EXISTS && ch_as_query(self_as, page, &m) >= 0 &&
	    (m.prot & f->access) == f->access) {
		count(&stats.raced, 1); /* mapped since the fault: try again */
		return 0;
	}
refuse:
	count(&stats.refused, 1);
	return ERR_NOT_FOUND;
}

static int pager_main(void *arg)
{
	uint64_t w[KBUS_FAST_WORDS], answer[KBUS_FAST_WORDS] = {0};
	const uint64_t *reply = NULL;
	struct kbus_fault_msg f;

	(void)arg;
	_Static_assert(sizeof(f) <= sizeof(w), "a fault message fits the fast path");
	for (;;) {
		/* A reply to a thread killed meanwhile is dropped; the receive happens anyway. */
		long r = ch_kbus_reply_recv_fast(server, reply, w, NULL);
		reply = NULL;
		if (r == ERR_PEER_CLOSED || r == ERR_INTERRUPTED)
			return 0;
		if (r < 0)
			return (int)-r; /* nobody but the kernel writes here: a broken invariant */
		memcpy(&f, w, sizeof(f));
		answer[0] = (uint32_t)serve(&f);
		reply = answer;
	}
}

int ch_pager_start(void)
{
	handle_t ends[2], mem, self = ch_handle("self.process"), me = ch_handle("self.thread");
	long r;

	if (started)
		return 0;
	pool = ch_handle("pool");
	self_as = ch_handle("self.as");
	if (!pool || !self_as || !self)
		return ERR_NOT_FOUND;
	if ((r = ch_channel_create(pool, 0, ends)) < 0)
		return (int)r;
	uint64_t stack = ch_va_reserve(CH_PAGER_STACK + CH_LAZY_GUARD) + CH_LAZY_GUARD;
	if (stack == CH_LAZY_GUARD) {
		r = ERR_NO_RESOURCES;
		goto out_channel;
	}
	if ((r = ch_mem_create(pool, CH_PAGER_STACK, &mem)) < 0)
		goto out_channel;
	r = ch_as_map(self_as, stack, mem, 0, CH_PAGER_STACK, PROT_READ | PROT_WRITE);
	ch_cap_drop(mem);
	if (r < 0)
		goto out_channel;
	client = ends[0];
	server = ends[1];
	if ((r = ch_thread_create(self, &pager_thread)) < 0)
		goto out_unmap;
	uint64_t sp = stack + CH_PAGER_STACK;
	r = ch_thread_start(pager_thread, (uint64_t)(uintptr_t)ch_thread_trampoline, sp,
	                    (uint64_t)(uintptr_t)pager_main, 0);
	if (r < 0)
		goto out_thread;
	started = 1;
	if (me != HANDLE_INVALID)
		return ch_pager_attach(me);
	return 0;

out_thread:
	ch_cap_drop(pager_thread);
out_unmap:
	ch_as_unmap(self_as, stack, CH_PAGER_STACK);
out_channel:
	ch_cap_drop(ends[0]);
	ch_cap_drop(ends[1]);
	client = server = pager_thread = HANDLE_INVALID;
	return (int)r;
}

int ch_pager_attach(handle_t thread)
{
	if (!started)
		return ERR_BAD_STATE;
	long r = ch_thread_set_pager(thread, client);
	return r < 0 ? (int)r : 0;
}

handle_t ch_pager_endpoint(void)
{
	return started ? client : HANDLE_INVALID;
}

int ch_thread_spawn_lazy(int (*fn)(void *), void *arg, size_t size, handle_t *out, void **stack_out)
{
	handle_t self = ch_handle("self.process"), t;
	uint64_t len = ((uint64_t)size + PAGE - 1) & ~(PAGE - 1);
	long r;

	if (!fn || !out || size < 256)
		return ERR_INVALID_ARGS;
	if (!started)
		return ERR_BAD_STATE;
	uint64_t base = ch_va_reserve(len + CH_LAZY_GUARD);
	if (!base)
		return ERR_NO_RESOURCES;
	base += CH_LAZY_GUARD;
	if ((r = ch_lazy_region(base, len)) < 0)
		return (int)r;
	if ((r = ch_thread_create(self, &t)) < 0)
		goto out_region;
	if ((r = ch_pager_attach(t)) < 0 ||
	    (r = ch_thread_start(t, (uint64_t)(uintptr_t)ch_thread_trampoline, base + len,
	                         (uint64_t)(uintptr_t)fn, (uint64_t)(uintptr_t)arg)) < 0)
		goto out_thread;
	*out = t;
	if (stack_out)
		*stack_out = (void *)(uintptr_t)base;
	return 0;

out_thread:
	ch_cap_drop(t);
out_region:
	ch_lazy_release(base);
	return (int)r;
}

static int heap_backend(uint64_t base, uint64_t size)
{
	(void)base;
	(void)size;
	return 0; /* the whole heap range is a lazy region: the pager backs it on touch */
}

int ch_lazy_heap_enable(void)
{
	if (!&ch_heap_backend)
		return ERR_NOT_SUPPORTED;
	if (!started)
		return ERR_BAD_STATE;
	int err = ch_lazy_region_chunked(CH_HEAP_BASE, CH_HEAP_LIMIT - CH_HEAP_BASE, HEAP_CHUNK);
	if (err)
		return err;
	ch_heap_backend = heap_backend;
	return 0;
}

void ch_pager_stats(struct ch_pager_stats *out)
{
	out->served = __atomic_load_n(&stats.served, __ATOMIC_RELAXED);
	out->raced = __atomic_load_n(&stats.raced, __ATOMIC_RELAXED);
	out->refused = __atomic_load_n(&stats.refused, __ATOMIC_RELAXED);
	out->bytes = __atomic_load_n(&stats.bytes, __ATOMIC_RELAXED);
}
