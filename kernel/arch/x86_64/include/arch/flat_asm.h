/*
 * arch/flat_asm.h - constants syscall.S needs from C structures and the ABI:
 * the kbus flat path's (each checked against its C definition by a
 * _Static_assert in kernel/kbus/flat.c) and the dispatcher's (checked in
 * kernel/syscall/table.c).
 */
#pragma once

/* SYS_KBUS_CALL_FAST; SYS_KBUS_REPLY_RECV_FAST is the next action */
#define SYSCALL_FLAT_FIRST 0x507
/* offsetof(struct thread, on_cpu) */
#define THREAD_ON_CPU 154
/* arch/thread.h */
#define ARCH_FLAT_GAP 64

/* the dispatcher: syscall_table[] has one entry per action number below this
   (OBJ_TYPE_COUNT types of 256 operations) */
#define SYSCALL_TABLE_SIZE (18 << 8)
#define SYSCALL_ERR_NOT_SUPPORTED (-2)
/* offsetof(struct cpu, current), (struct cpu, need_resched) */
#define CPU_CURRENT 40
#define CPU_NEED_RESCHED 33
/* offsetof(struct thread, ucs), kill_pending (suspend_hint is the next byte) */
#define THREAD_UCS 144
#define THREAD_KILL_PENDING 152
