/*
 * syscall.h - libcharlotte's system call layer: the raw `syscall` instruction and one
 * typed wrapper per action of include/abi/syscall.h.
 *
 * ch_syscall0..5 follow the ABI's register convention exactly: rax = action, rdi =
 * target handle, rsi, rdx, r10, r8, r9 = arguments a0..a4, result in rax; the CPU
 * clobbers rcx and r11, and "memory" tells the compiler the kernel may read and write
 * anything we pointed it at. They are inline so a test can pass any value in any
 * register (hostile pointers, forged handles, unknown actions).
 *
 * The typed wrappers return what the kernel returned: 0 (or a value >= 0) on success,
 * a negative ERR_* code (include/abi/errors.h) on failure. They add no checks of their
 * own, so a wrapper called with a bad pointer shows exactly what the kernel does with
 * it. Output pointers are written by the kernel only on success.
 */
#pragma once

#include <stddef.h>
#include <stdint.h>

#include <abi/debug.h>
#include <abi/errors.h>
#include <abi/handle.h>
#include <abi/rights.h>
#include <abi/sched.h>
#include <abi/syscall.h>

#include <charlotte/hw.h> /* the hardware actions' wrappers */

static inline long ch_syscall5(uint64_t action, handle_t target, uint64_t a0, uint64_t a1,
                               uint64_t a2, uint64_t a3, uint64_t a4)
{
	register uint64_t r10 __asm__("r10") = a2;
	register uint64_t r8 __asm__("r8") = a3;
	register uint64_t r9 __asm__("r9") = a4;
	long ret;

	__asm__ volatile("syscall"
	                 : "=a"(ret)
	                 : "a"(action), "D"((uint64_t)target), "S"(a0), "d"(a1), "r"(r10), "r"(r8),
	                   "r"(r9)
	                 : "rcx", "r11", "memory");
	return ret;
}

static inline long ch_syscall4(uint64_t action, handle_t target, uint64_t a0, uint64_t a1,
                               uint64_t a2, uint64_t a3)
{
	return ch_syscall5(action, target, a0, a1, a2, a3, 0);
}

static inline long ch_syscall3(uint64_t action, handle_t target, uint64_t a0, uint64_t a1,
                               uint64_t a2)
{
	return ch_syscall5(action, target, a0, a1, a2, 0, 0);
}

static inline long ch_syscall2(uint64_t action, handle_t target, uint64_t a0, uint64_t a1)
{
	return ch_syscall5(action, target, a0, a1, 0, 0, 0);
}

static inline long ch_syscall1(uint64_t action, handle_t target, uint64_t a0)
{
	return ch_syscall5(action, target, a0, 0, 0, 0, 0);
}

static inline long ch_syscall0(uint64_t action, handle_t target)
{
	return ch_syscall5(action, target, 0, 0, 0, 0, 0);
}

/* --- The caller itself --- */

/* Does nothing; returns 0. */
long ch_null(void);
/* Ends the calling thread with code. */
void ch_thread_exit(int64_t code) __attribute__((noreturn));
/* Ends every thread of the calling process; code is its exit status. */
void ch_exit(int code) __attribute__((noreturn));
/* Gives up the rest of the time slice. */
long ch_yield(void);
/* Monotonic nanoseconds since boot (never negative). */
int64_t ch_clock_ns(void);
/* Sleeps for at least ns nanoseconds. */
long ch_sleep_ns(uint64_t ns);
/*
 * Futexes (abi/sched.h): block while *addr == expected, for at most timeout_ns
 * (UINT64_MAX: forever): 0 when woken, ERR_SHOULD_WAIT (the word differed),
 * ERR_TIMED_OUT, ERR_INTERRUPTED, ERR_INVALID_ARGS (misaligned), ERR_BAD_ADDRESS.
 */
long ch_futex_wait(const volatile uint32_t *addr, uint32_t expected, uint64_t timeout_ns);
/* Wakes up to n (>= 1) waiters on addr, in any process mapping it; returns how many. */
long ch_futex_wake(const volatile uint32_t *addr, uint64_t n);
/* Sleeps until ch_clock_ns() >= deadline_ns (at once if it has passed). */
long ch_sleep_until(uint64_t deadline_ns);

/* --- Any capability --- */

/* A new capability to h's object with rights (a subset of h's) and badge, in *out. */
long ch_cap_derive(handle_t h, uint64_t rights, uint64_t badge, handle_t *out);
/* A copy of h with the same rights, in *out. Needs RIGHT_DUPLICATE. */
long ch_cap_duplicate(handle_t h, handle_t *out);
/* Frees h's slot; its derived children move up to h's parent. */
long ch_cap_drop(handle_t h);
/* Invalidates every capability derived from h, in every process. Needs RIGHT_REVOKE. */
long ch_cap_revoke(handle_t h);
/* Type, rights, badge and object id of h. Needs RIGHT_INSPECT. */
long ch_cap_inspect(handle_t h, struct cap_info *out);

/* --- Memory pools and memory --- */

/* A zero-filled memory object of size bytes (rounded up to pages), charged to pool. */
long ch_mem_create(handle_t pool, uint64_t size, handle_t *out);
/* Like ch_mem_create, with fill->len bytes from fill->src at fill->offset (MEM_CREATE_FILL). */
long ch_mem_create_filled(handle_t pool, uint64_t size, const struct mem_fill *fill, handle_t *out);
/* The pool's quota and the bytes charged to it now. */
long ch_pool_info(handle_t pool, struct pool_info *out);
/* The machine's memory and the kernel heap; root pool only (SYS_POOL_KMEM_INFO). */
long ch_kmem_info(handle_t root_pool, struct kmem_info *out);
/* A new pool whose quota of bytes is carved out of pool's. */
long ch_pool_split(handle_t pool, uint64_t bytes, handle_t *out);
/* The size of a memory object in bytes. */
long ch_mem_info(handle_t mem, uint64_t *size_out);
/*
 * A paged memory object of size bytes whose pages pager (an endpoint with
 * RIGHT_SEND) supplies on first touch: it is called with a struct
 * mem_page_request carrying key (SYS_POOL_MEM_CREATE_PAGED in abi/syscall.h).
 */
long ch_mem_create_paged(handle_t pool, uint64_t size, handle_t pager, uint64_t key, handle_t *out);
/*
 * Supply [offset, offset + len) of paged memory mem from src: absent pages
 * (MEM_SUPPLY_ABSENT), present ones (MEM_SUPPLY_PRESENT) or both. Returns the
 * number of pages written.
 */
long ch_mem_supply(handle_t mem, uint64_t offset, uint64_t len, const void *src, unsigned flags);
/* How many bytes of paged memory mem are its file's (MEM_CONTENT_NONE: it shows none);
 * the kernel serves reads of the file from them (SYS_MEM_SET_CONTENT). */
long ch_mem_set_content(handle_t mem, uint64_t bytes);

/* --- Address spaces --- */

/* Maps [offset, offset + len) of mem at vaddr in as with prot (PROT_*). */
long ch_as_map(handle_t as, uint64_t vaddr, handle_t mem, uint64_t offset, uint64_t len,
               uint32_t prot);
/* Unmaps [vaddr, vaddr + len) of as; holes are ignored. */
long ch_as_unmap(handle_t as, uint64_t vaddr, uint64_t len);
/* Changes the protection of the mapped range [vaddr, vaddr + len). */
long ch_as_protect(handle_t as, uint64_t vaddr, uint64_t len, uint32_t prot);
/* The mapping of as that contains vaddr. */
long ch_as_query(handle_t as, uint64_t vaddr, struct as_region *out);

/* --- Processes --- */

/* A new empty process named name (len <= 31 bytes), paid for by pool. */
long ch_proc_create(handle_t pool, const char *name, size_t len, struct proc_create_out *out);
/* Puts a copy of h with rights (a subset of h's) into proc's cspace; its handle there
 * in *child_out. */
long ch_proc_grant(handle_t proc, handle_t h, uint64_t rights, handle_t *child_out);
/* Ends every thread of proc. */
long ch_proc_kill(handle_t proc);
/* How proc is doing (or how it ended). */
long ch_proc_status(handle_t proc, struct proc_status *out);
/* Waits up to timeout_ns (UINT64_MAX: forever) for proc to end; 0 or ERR_TIMED_OUT.
 * out may be NULL. */
long ch_proc_wait(handle_t proc, uint64_t timeout_ns, struct proc_status *out);
/* Stops every thread of proc at its next return to user mode (RIGHT_MANAGE); a kill
 * still ends it. ERR_BAD_STATE once proc has ended. */
long ch_proc_suspend(handle_t proc);
/* Lets a suspended proc run again (0 if it was not suspended). */
long ch_proc_resume(handle_t proc);

/* --- Threads --- */

/* A new, not yet started thread of proc, in *out. */
long ch_thread_create(handle_t proc, handle_t *out);
/* Starts thread at ip with stack pointer sp, rdi = arg0, rsi = arg1. */
long ch_thread_start(handle_t thread, uint64_t ip, uint64_t sp, uint64_t arg0, uint64_t arg1);
/* Ends thread. */
long ch_thread_kill(handle_t thread);
/* Waits up to timeout_ns for thread to end; its exit code in *code_out (may be NULL). */
long ch_thread_wait(handle_t thread, uint64_t timeout_ns, int64_t *code_out);
/* thread's CPU time, switch count and state (RIGHT_INSPECT). */
long ch_thread_info(handle_t thread, struct thread_info *out);

/* --- The kernel log --- */

/* Writes len (<= 4096) bytes of buf to the kernel log. */
long ch_log_write(handle_t log, const void *buf, size_t len);
/* The serial console's input (RIGHT_MANAGE): up to len (> 0; at most 4096 are
 * read) bytes typed, waiting up to timeout_ns for the first. Bytes (>= 1),
 * ERR_SHOULD_WAIT (none and timeout 0), ERR_TIMED_OUT, ERR_INTERRUPTED. */
long ch_log_read(handle_t log, void *buf, size_t len, uint64_t timeout_ns);
/* len (<= 4096) bytes to the serial console as they are (RIGHT_MANAGE). */
long ch_log_raw_write(handle_t log, const void *buf, size_t len);
/* The log's history (RIGHT_READ): bytes from position *pos (clamped to what
 * is kept) into buf, *pos advanced; bytes copied, 0 when up to date. Start
 * with *pos = 0 for everything kept. */
long ch_log_history(handle_t log, uint64_t *pos, void *buf, size_t len);
/* SYS_LOG_CHECK (RIGHT_MANAGE) and SYS_LOG_COVERAGE (RIGHT_READ): abi/debug.h. */
long ch_log_check(handle_t log, struct kcheck_report *out);
long ch_log_coverage(handle_t log, struct kcov_info *out);
