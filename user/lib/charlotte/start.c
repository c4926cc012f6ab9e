/*
 * start.c - a program's view of its start: the capabilities its spawner named in
 * start_info, and the four basic libc hooks (sys_hooks.h) built on them (the
 * namespace hooks are in libc_ns.c).
 *
 * crt0.S stores the start_info pointer in __libc_start_info before main runs; the
 * start_info lives above the initial stack pointer, in memory the spawner mapped, and
 * is only read. The hooks use the well-known names:
 *   __libc_write     SYS_LOG_WRITE on "log" (fd 1 and 2), in pieces of at most 4096
 *                    bytes; without a "log" capability output is dropped (and
 *                    reported as written, so stdio does not stall).
 *   __libc_morecore  memory objects created from "pool", mapped read-write into
 *                    "self.as" one after another from CH_HEAP_BASE upwards, at least
 *                    CH_HEAP_CHUNK bytes at a time; returns NULL without them.
 *   __libc_exit      SYS_SELF_PROCESS_EXIT.
 *   __libc_clock_ns  SYS_SELF_CLOCK. FIXME: there is no wall clock yet, so
 *                    CLOCK_REALTIME reads the monotonic clock (nanoseconds since boot).
 * Not thread-safe, like the libc's malloc above it: one thread allocates.
 */
#include "start.h"

#include <string.h>

#include "syscall.h"
#include <libc/sys_hooks.h>

/* The heap: [CH_HEAP_BASE, heap_mapped) is mapped; [CH_HEAP_BASE, heap_brk) handed out. */
static uint64_t heap_brk = CH_HEAP_BASE;
static uint64_t heap_mapped = CH_HEAP_BASE;

const struct start_info *ch_start_info(void)
{
	return (const struct start_info *)__libc_start_info;
}

handle_t ch_handle(const char *name)
{
	return ch_start_info_find(ch_start_info(), name);
}

long __libc_write(int fd, const void *buf, unsigned long len)
{
	if (fd != 1 && fd != 2)
		return ERR_BAD_HANDLE;
	handle_t log = ch_handle("log");
	if (log == HANDLE_INVALID)
		return (long)len;
	const char *p = buf;
	unsigned long done = 0;
	while (done < len) {
		unsigned long n = len - done > 4096 ? 4096 : len - done;
		long r = ch_log_write(log, p + done, n);
		if (r < 0)
			return done ? (long)done : r;
		done += n;
	}
	return (long)done;
}

/*
 * When set (by ch_lazy_heap_enable(), pager.c), fresh heap space is handed to
 * this backend instead of being created and mapped here: the pager then backs
 * each page when it is first touched.
 */
int (*ch_heap_backend)(uint64_t base, uint64_t size);

/* Maps at least bytes more of fresh memory at heap_mapped. */
static int heap_grow(uint64_t bytes)
{
	handle_t pool = ch_handle("pool"), as = ch_handle("self.as"), mem;
	uint64_t size = (bytes + CH_HEAP_CHUNK - 1) & ~(uint64_t)(CH_HEAP_CHUNK - 1);

	if (ch_heap_backend) {
		if (size < bytes || size > CH_HEAP_LIMIT - heap_mapped)
			return ERR_NO_MEMORY;
		int err = ch_heap_backend(heap_mapped, size);
		if (err < 0)
			return err;
		heap_mapped += size;
		return 0;
	}

	if (pool == HANDLE_INVALID || as == HANDLE_INVALID)
		return ERR_NOT_FOUND;
	if (size < bytes || size > CH_HEAP_LIMIT - heap_mapped)
		return ERR_NO_MEMORY;
	long r = ch_mem_create(pool, size, &mem);
	if (r < 0)
		return (int)r;
	r = ch_as_map(as, heap_mapped, mem, 0, size, PROT_READ | PROT_WRITE);
	if (r < 0) {
		ch_cap_drop(mem);
		return (int)r;
	}
	/* The memory lives as long as the process: its handle stays in our cspace. */
	heap_mapped += size;
	return 0;
}

void *__libc_morecore(unsigned long bytes)
{
	if (bytes > CH_HEAP_LIMIT - heap_brk)
		return NULL;
	if (heap_brk + bytes > heap_mapped && heap_grow(heap_brk + bytes - heap_mapped) < 0)
		return NULL;
	void *p = (void *)(uintptr_t)heap_brk;
	heap_brk += bytes;
	return p;
}

void __libc_exit(int status)
{
	ch_exit(status);
}

long long __libc_clock_ns(int clock)
{
	if (clock != 0 && clock != 1)
		return ERR_NOT_SUPPORTED;
	return ch_clock_ns();
}
