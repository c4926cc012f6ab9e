/*
 * thread.c - ch_thread_spawn() and the trampoline new threads start in.
 *
 * SYS_THREAD_START gives a thread rdi and rsi: we pass fn and arg, and the trampoline
 * calls fn(arg) on a 16-byte aligned stack (SysV) and hands its result to
 * ch_thread_exit(). rbp is cleared so backtraces end there.
 */
#include "thread.h"

#include <stdint.h>

#include <abi/errors.h>

#include "start.h"
#include "syscall.h"

void ch_thread_trampoline(void);

__asm__(".text\n"
        ".globl ch_thread_trampoline\n"
        ".type ch_thread_trampoline, @function\n"
        "ch_thread_trampoline:\n"
        "	xorl %ebp, %ebp\n"
        "	andq $-16, %rsp\n"
        "	movq %rdi, %rax\n"
        "	movq %rsi, %rdi\n"
        "	call *%rax\n"
        "	movslq %eax, %rdi\n"
        "	call ch_thread_exit\n"
        "	ud2\n"
        ".size ch_thread_trampoline, . - ch_thread_trampoline\n");

int ch_thread_spawn(int (*fn)(void *), void *arg, void *stack, size_t size, handle_t *out)
{
	handle_t self = ch_handle("self.process"), t;

	if (!fn || !stack || !out || size < 256)
		return ERR_INVALID_ARGS;
	if (self == HANDLE_INVALID)
		return ERR_NOT_FOUND;
	long r = ch_thread_create(self, &t);
	if (r < 0)
		return (int)r;
	uint64_t sp = ((uint64_t)(uintptr_t)stack + size) & ~UINT64_C(15);
	r = ch_thread_start(t, (uint64_t)(uintptr_t)ch_thread_trampoline, sp,
	                    (uint64_t)(uintptr_t)fn, (uint64_t)(uintptr_t)arg);
	if (r < 0) {
		ch_cap_drop(t);
		return (int)r;
	}
	*out = t;
	return 0;
}
