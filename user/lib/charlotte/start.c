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
 *   __libc_clock_ns  SYS_SELF_CLOCK; CLOCK_REALTIME adds the wall clock's offset,
 *                    asked once of a clock driver at the first CLOCK_REALTIME read
 *                    (ch_clock_wall_offset: the "clock" grant, else dev:///clock in
 *                    our view). A process that sees no clock, or whose clock does not
 *                    answer in 2 s, counts CLOCK_REALTIME from boot for its whole
 *                    life (never a jump: fsd's times must not go back).
 *   __libc_handle    ch_handle (the libc asks for "stdin", "stdout", "stderr").
 *   __libc_handle_type  SYS_CAP_INSPECT (OBJ_ENDPOINT: a stream, its kind from
 *                    SYS_KBUS_INFO; OBJ_NS_NODE: a file); a capability without
 *                    RIGHT_INSPECT that SYS_NS_STAT accepts is a file too.
 *   __libc_stream_recv, __libc_stream_send  SYS_KBUS_RECV / SYS_KBUS_SEND, waiting
 *                    as long as it takes (abi/term.h's streams).
 *   __libc_pipe      SYS_CHANNEL_CREATE of kind KBUS_KIND_PIPE on "pool".
 * (__libc_term is in term.c.)
 * __libc_morecore is not thread-safe: the libc's malloc calls it under its lock.
 */
#include "start.h"

#include <string.h>

#include "clock.h"
#include "kbus.h"
#include "syscall.h"
#include <abi/term.h>
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

/* CLOCK_REALTIME - CLOCK_MONOTONIC: 0 until asked, and for good when no clock answers.
 * Not thread-safe on the first read (two threads may both ask; both get one answer). */
static int64_t wall_offset;
static bool wall_asked;

long long __libc_clock_ns(int clock)
{
	if (clock != 0 && clock != 1)
		return ERR_NOT_SUPPORTED;
	int64_t mono = ch_clock_ns();
	if (clock == 1)
		return mono;
	if (!__atomic_load_n(&wall_asked, __ATOMIC_ACQUIRE)) {
		int64_t off;
		if (ch_clock_wall_offset(&off) == 0 && off > 0)
			wall_offset = off;
		__atomic_store_n(&wall_asked, true, __ATOMIC_RELEASE);
	}
	return mono + wall_offset;
}

long __libc_clock_set(long long ns)
{
	if (ns < 0)
		return ERR_OUT_OF_RANGE;
	long r = ch_clock_wall_set((uint64_t)ns);
	if (r < 0)
		return r;
	/* this process's CLOCK_REALTIME follows at once (others ask the driver) */
	wall_offset = ns - ch_clock_ns();
	__atomic_store_n(&wall_asked, true, __ATOMIC_RELEASE);
	return 0;
}

bool ch_wall_clock_known(void)
{
	return wall_offset != 0;
}

handle_t __libc_handle(const char *name)
{
	return ch_handle(name);
}

long __libc_handle_type(handle_t h, uint32_t *kind)
{
	struct cap_info ci;
	struct kbus_endpoint_info ki;
	long r = ch_cap_inspect(h, &ci);
	*kind = 0;
	if (r == ERR_ACCESS_DENIED) {
		struct ns_stat st;
		return __libc_ns_stat(h, &st) >= 0 ? __LIBC_HANDLE_FILE : r;
	}
	if (r < 0)
		return r;
	if (ci.type == OBJ_NS_NODE)
		return __LIBC_HANDLE_FILE;
	if (ci.type != OBJ_ENDPOINT)
		return ERR_WRONG_TYPE;
	if (ch_kbus_info(h, &ki) >= 0)
		*kind = ki.kind;
	return __LIBC_HANDLE_STREAM;
}

long __libc_stream_recv(handle_t h, void *buf, unsigned long cap, unsigned long *need)
{
	handle_t got[KBUS_MAX_HANDLES];
	for (;;) {
		struct kbus_buf b = {.data = buf,
		                     .capacity =
		                         cap < KBUS_MAX_BYTES ? (uint32_t)cap : KBUS_MAX_BYTES,
		                     .handles = got,
		                     .handles_capacity = KBUS_MAX_HANDLES};
		long r = ch_kbus_recv(h, &b, 0, CH_FOREVER);
		if (r == ERR_BUFFER_TOO_SMALL)
			*need = b.len;
		if (r < 0)
			return r;
		for (uint32_t i = 0; i < b.nhandles && i < KBUS_MAX_HANDLES; i++)
			ch_cap_drop(got[i]);
		if (!(b.flags & KBUS_MSG_CALL))
			return b.len;
		/* a call on a stream: not ours to answer but with a refusal */
		struct term_reply no = {.status = ERR_NOT_SUPPORTED};
		struct kbus_msg m = {.data = &no, .len = sizeof(no)};
		ch_kbus_reply(h, &m);
	}
}

long __libc_stream_send(handle_t h, const void *buf, unsigned long len)
{
	struct kbus_msg m = {.data = buf, .len = (uint32_t)len};
	if (len > STREAM_MSG_MAX)
		return ERR_INVALID_ARGS;
	long r = ch_kbus_send(h, &m, 0, CH_FOREVER);
	return r < 0 ? r : (long)len;
}

long __libc_pipe(handle_t out[2])
{
	return ch_channel_create_kind(ch_handle("pool"), 0, out, KBUS_KIND_PIPE);
}
