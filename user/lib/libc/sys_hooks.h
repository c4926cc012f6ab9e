/*
 * sys_hooks.h - the only way the C library reaches the system.
 *
 * The libc is written against these functions and nothing else, so it can be
 * built and tested on the host today (tests/host/test_libc.c implements them over a
 * fake arena and a capture buffer) and linked with libcharlotte later, which will
 * implement them on top of syscalls and capabilities:
 *   - __libc_write     debug-log / console capability (fd 1 = stdout, 2 = stderr)
 *   - __libc_morecore  a memory capability mapped into our own address space
 *   - __libc_exit      process exit with a status
 *   - __libc_clock_ns  the dev.clock capability (monotonic) / wall clock (realtime)
 *   - __libc_ns_*      the namespace (abi/ns.h): files and directories (fd.c, path.c)
 *   - __libc_handle, __libc_handle_type, __libc_stream_*, __libc_pipe, __libc_term:
 *                      standard streams, pipes and terminals (abi/term.h; fd.c, termios.c)
 * Errors are the negative codes of include/abi/errors.h.
 */
#pragma once

#include <stdint.h>
#include <abi/handle.h>
#include <abi/ns.h>
#include <abi/term.h>

/*
 * Write len bytes of buf to file descriptor fd (1 = stdout, 2 = stderr).
 * Returns the number of bytes written (may be short, never 0 for len > 0 unless an
 * error) or a negative ERR_ code.
 */
long __libc_write(int fd, const void *buf, unsigned long len);

/*
 * Give the allocator at least `bytes` more bytes of fresh, zero-filled, read-write
 * memory. bytes is a multiple of 4096; the result is 4096-aligned. Returns NULL when
 * no memory is left. Memory is never given back.
 */
void *__libc_morecore(unsigned long bytes);

/* End the process with status; never returns. */
void __libc_exit(int status) __attribute__((noreturn));

/*
 * Read clock `clock` (0 = CLOCK_REALTIME, ns since 1970-01-01 UTC; 1 = CLOCK_MONOTONIC,
 * ns since an arbitrary point). Returns nanoseconds >= 0 or a negative ERR_ code
 * (ERR_NOT_SUPPORTED for an unknown clock).
 */
long long __libc_clock_ns(int clock);

/*
 * Set CLOCK_REALTIME to ns since 1970-01-01 UTC (the only clock that can be set).
 * Returns 0 or a negative ERR_ code (ERR_ACCESS_DENIED / ERR_NOT_FOUND: no clock we
 * may set; ERR_OUT_OF_RANGE: a time the clock cannot hold).
 */
long __libc_clock_set(long long ns);

/*
 * The start_info pointer the spawner left after the environment array (crt0.S stores
 * it before __libc_start runs; NULL if there was none). The libc never reads it: it is
 * an opaque pointer for the system library (libcharlotte's ch_handle()).
 */
extern void *__libc_start_info;

/*
 * The namespace. Open files, directories and the current directory are namespace
 * capabilities (handles of abi/handle.h); every hook but the first two is the action
 * of abi/ns.h of the same name, with the default timeout, and returns what it returns.
 * libcharlotte implements them in user/lib/charlotte/libc_ns.c.
 */

/*
 * Parse s (len bytes): a URI "<scheme>://<host>/<path>" (scheme gets its lower-case
 * scheme; another host is ERR_NO_HOST) or a plain path (scheme gets ""). path (at
 * least NS_PATH_MAX + 2 bytes) gets the normalized path (names joined by '/', none
 * of ".", ".." or percent-escapes left), with a '/' after it when it must name a
 * directory. Returns its length, or the parser's error (docs/namespace.md; a ".."
 * above the start is ERR_NOT_FOUND).
 */
long __libc_ns_parse(const char *s, unsigned long len, char scheme[NS_SCHEME_MAX + 1], char *path);

/* The root of scheme ("fs" for plain paths) in our view, or HANDLE_INVALID. */
handle_t __libc_ns_root(const char *scheme);

long __libc_ns_open(handle_t dir, const char *path, unsigned long len, uint32_t type,
                    uint32_t flags, uint64_t rights, handle_t *out);
long __libc_ns_close(handle_t h); /* drop the capability */
long __libc_ns_stat(handle_t h, struct ns_stat *out);
/* Stat of path below dir in one call, following a link at the end (fstatat). */
long __libc_ns_stat_at(handle_t dir, const char *path, unsigned long len, struct ns_stat *out);
long __libc_ns_list(handle_t dir, uint64_t *cookie, void *buf, unsigned long cap);
long __libc_ns_read(handle_t file, uint64_t off, void *buf, unsigned long len);
long __libc_ns_write(handle_t file, uint64_t off, const void *buf, unsigned long len);
long __libc_ns_truncate(handle_t file, uint64_t size);
long __libc_ns_setattr(handle_t node, const struct ns_setattr *sa);
long __libc_ns_unlink(handle_t dir, const char *path, unsigned long len, uint32_t flags);
long __libc_ns_rename(handle_t dir, const char *path, unsigned long len, handle_t dir2,
                      const char *path2, unsigned long len2);

/*
 * Streams (abi/term.h). libcharlotte implements these in user/lib/charlotte/start.c and
 * term.c over kbus; descriptors that are streams drop their capability with
 * __libc_ns_close (which drops any capability).
 */

/* The capability the spawner named name in the start_info, or HANDLE_INVALID. */
handle_t __libc_handle(const char *name);

#define __LIBC_HANDLE_STREAM 1 /* a kbus endpoint */
#define __LIBC_HANDLE_FILE 2 /* a namespace node */
/* What h is: __LIBC_HANDLE_STREAM (*kind = its channel's KBUS_KIND_*, 0 if it cannot
 * be told) or __LIBC_HANDLE_FILE, or an error (ERR_WRONG_TYPE for anything else). */
long __libc_handle_type(handle_t h, uint32_t *kind);

/*
 * Receive the next data message of stream h into buf (cap bytes), waiting for one.
 * Returns its length (0: an end-of-file mark), ERR_BUFFER_TOO_SMALL with *need = its
 * length when it does not fit (it stays queued), ERR_PEER_CLOSED when the writer is
 * gone and nothing is left, or another error. Calls arriving on the stream are
 * answered ERR_NOT_SUPPORTED and skipped; capabilities arriving with data are dropped.
 */
long __libc_stream_recv(handle_t h, void *buf, unsigned long cap, unsigned long *need);
/* Send len (1..STREAM_MSG_MAX) bytes as one message on stream h, waiting for room.
 * Returns len, ERR_PEER_CLOSED when the reader is gone, or another error. */
long __libc_stream_send(handle_t h, const void *buf, unsigned long len);
/* A new channel of kind KBUS_KIND_PIPE paid by "pool": out[0] the reading end,
 * out[1] the writing end. 0 or an error. */
long __libc_pipe(handle_t out[2]);
/* The terminal request op (TERM_*) with arg on stream h; the checked reply in *out.
 * 0 or an error (the reply's status, or ERR_MALFORMED for a bad reply). */
long __libc_term(handle_t h, uint32_t op, uint32_t arg, struct term_reply *out);

/*
 * Futexes and threads (abi/sched.h; libcharlotte's libc_thread.c). A futex wait blocks
 * while *addr == expected, for at most timeout_ns (UINT64_MAX: forever): 0 when woken,
 * ERR_SHOULD_WAIT (the word differed), ERR_TIMED_OUT, ERR_INTERRUPTED, or an address
 * error. A wake wakes up to n waiters and returns how many.
 */
long __libc_futex_wait(volatile uint32_t *addr, uint32_t expected, uint64_t timeout_ns);
long __libc_futex_wake(volatile uint32_t *addr, uint64_t n);
/* Start fn(arg) in a new thread of this process on [stack, stack + size); its handle in
 * *out. 0 or an error. When fn returns, the thread ends. */
long __libc_thread_start(int (*fn)(void *), void *arg, void *stack, unsigned long size,
                         handle_t *out);
/* Wait up to timeout_ns for thread t to end: 0, ERR_TIMED_OUT, or an error. */
long __libc_thread_wait(handle_t t, uint64_t timeout_ns);
/* Drop the handle of a thread that has ended. */
void __libc_thread_release(handle_t t);
/* End the calling thread (the last one ends the process, with status 0). */
void __libc_thread_exit(void) __attribute__((noreturn));

/*
 * Memory mappings (sys/mman.h; libcharlotte's libc_mem.c). Lengths and addresses are
 * page-aligned by the caller; prot is PROT_* (abi/syscall.h's values).
 * __libc_map maps len bytes at addr (0: anywhere; else the range is first unmapped)
 * with prot: fresh zero-filled memory when file is HANDLE_INVALID, else file's bytes
 * from off: its own pages (SYS_NS_MAP) when shared, or a private copy read now when
 * not (or when the provider maps nothing and the mapping is private). The address in
 * *out. ERR_NOT_SUPPORTED: a shared mapping the provider cannot give.
 */
long __libc_map(handle_t file, uint64_t addr, uint64_t len, uint64_t off, int prot, int shared,
                uint64_t *out);
/* Unmap [addr, addr + len) (holes ignored). */
long __libc_unmap(uint64_t addr, uint64_t len);
/* Change the protection of the mapped range [addr, addr + len). */
long __libc_protect(uint64_t addr, uint64_t len, int prot);
