/*
 * libc_thread.c - the libc's futex and thread hooks (libc/sys_hooks.h) over the
 * system calls: SYS_SELF_FUTEX_WAIT / WAKE (abi/sched.h) and ch_thread_spawn()
 * (thread.h), SYS_THREAD_WAIT, SYS_SELF_THREAD_EXIT.
 */
#include <libc/sys_hooks.h>

#include "syscall.h"
#include "thread.h"

long __libc_futex_wait(volatile uint32_t *addr, uint32_t expected, uint64_t timeout_ns)
{
	return ch_futex_wait(addr, expected, timeout_ns);
}

long __libc_futex_wake(volatile uint32_t *addr, uint64_t n)
{
	return ch_futex_wake(addr, n);
}

long __libc_thread_start(int (*fn)(void *), void *arg, void *stack, unsigned long size,
                         handle_t *out)
{
	return ch_thread_spawn(fn, arg, stack, size, out);
}

long __libc_thread_wait(handle_t t, uint64_t timeout_ns)
{
	return ch_thread_wait(t, timeout_ns, NULL);
}

void __libc_thread_release(handle_t t)
{
	ch_cap_drop(t);
}

void __libc_thread_exit(void)
{
	ch_thread_exit(0);
}
