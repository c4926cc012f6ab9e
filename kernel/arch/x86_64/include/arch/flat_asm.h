/*
 * arch/flat_asm.h - constants syscall.S needs from C structures and the ABI,
 * for the kbus flat path. Each is checked against its C definition by a
 * _Static_assert in kernel/kbus/call.c.
 */
#pragma once

/* SYS_KBUS_CALL_FAST; SYS_KBUS_REPLY_RECV_FAST is the next action */
#define SYSCALL_FLAT_FIRST 0x507
/* offsetof(struct thread, on_cpu) */
#define THREAD_ON_CPU 145
/* arch/thread.h */
#define ARCH_FLAT_GAP 64
