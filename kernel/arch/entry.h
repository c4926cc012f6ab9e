/*
 * arch/entry.h - the generic kernel's entry points, as architecture code sees them.
 *
 * Arch code (kernel/arch/<arch>/) calls into the rest of the kernel on its own
 * initiative at a few places only: boot, CPU bring-up, the context switch, the
 * system call entry, interrupts and exceptions. Every generic function it calls
 * there is declared here, and only here: their subsystems implement them and
 * include this header (as do generic callers of the same functions), so the
 * boundary between a trap and the kernel is one list. All are direct calls; no
 * function pointer stands between an arch trap and generic code.
 *
 * This header is arch-neutral: it lives in kernel/arch/ itself, not under an
 * architecture's include/ directory, and every architecture calls the same
 * functions with the same meaning. Besides these, arch code uses only the
 * kernel's services through their own headers: lib/ (log, panic, string,
 * spinlocks, ksyms), mm/ (page allocator, slab, kmalloc, vmm), acpi/ (the parsed
 * tables), time/clock.h (which it implements) and struct thread (sched/sched.h,
 * for arch_thread_switch). docs/kernel.md, "The arch boundary".
 */
#pragma once
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

struct trap_frame;
struct thread;

/*
 * Boot: the boot CPU, in long mode on its boot stack, with the boot page tables.
 * magic and info_phys tell the boot protocol and where its information is.
 */
void kmain(uint32_t magic, uint32_t info_phys);

/* CPU bring-up, on each CPU once its tables, interrupts and timer are set up. */
void sched_init_cpu(const char *name); /* the calling context becomes this CPU's first thread */
void sched_start_tick(void); /* start the per-CPU tick */
void sched_idle(void) __attribute__((noreturn)); /* a CPU with nothing else to do */

/* Context switch: a new thread's first code (finish the switch, run its function). */
void sched_thread_entry(void);

/* System call entry: syscall.S dispatches through kernel/syscall/table.c's syscall_table. */

/* The timer interrupt of this CPU: run its expired timer events and re-arm. */
void timer_events_run(void);
/* Interrupt exit (timer and reschedule vectors): switch if the tick or a wake-up asked for it. */
void sched_irq_exit(void);
/* A user thread's kill or suspend: end the calling thread here if it is being killed, park it
 * while its process is suspended. */
void uthread_return_check(void);
/*
 * Every return towards user mode (system calls and traps), interrupts off, just
 * before SYSRET/IRET: a pending reschedule, kill or suspend, in one check.
 */
void user_return_work(void);
/*
 * The kbus flat path (kbus/flat.c): syscall.S calls kbus_flat_call(frame) or
 * kbus_flat_reply_recv(frame) for the two fast kbus actions with interrupts
 * off; each returns the frame to leave on (the new current thread's, the
 * calling one having left the CPU: syscall.S clears its on_cpu once off its
 * stack), or 0 to take the dispatcher. kbus_flat_resume(frame): a thread
 * it blocked, run again by an ordinary switch (returns with interrupts off).
 */
uint64_t kbus_flat_call(struct trap_frame *tf);
uint64_t kbus_flat_reply_recv(struct trap_frame *tf);
void kbus_flat_resume(struct trap_frame *tf);

/* A CPU exception raised in user mode, described without the architecture's registers. */
struct user_fault {
	uint32_t vector; /* the architecture's exception number (arch_exception_name()) */
	bool page_fault; /* an access to addr found no page, or not the rights it needed */
	uint64_t ip; /* the faulting instruction */
	uint64_t addr; /* page faults: the address accessed; otherwise 0 */
	unsigned access; /* page faults: the access, PROT_READ, PROT_WRITE or PROT_EXEC */
};

/*
 * An exception in user mode: a page fault goes to the thread's pager; any other
 * exception, or a page fault no pager resolves, ends the process (this call does
 * not return then). true: retry the instruction. false: no user thread was
 * running (a kernel bug the arch reports).
 */
bool process_user_fault(const struct user_fault *f);
/*
 * A page fault at a user address (from user mode, or from a kernel copy to or
 * from user memory): ask the current thread's pager and wait for its answer
 * (interrupts on; killable). true: retry the access; false: the fault stands.
 */
bool uthread_page_fault(uint64_t addr, uint64_t ip, unsigned access);

/*
 * A device interrupt on slot (arch/hwio.h), in interrupt context on the CPU it
 * arrived at, before the EOI: kernel/hw marks its IRQ object pending, masks a
 * level line and wakes waiters; it allocates nothing.
 */
void hw_irq_deliver(unsigned slot);
/*
 * Bytes received on the kernel's console (the serial line), in interrupt
 * context: the kernel log keeps them for SYS_LOG_READ (obj/debuglog.h) and
 * wakes its readers; it allocates nothing and drops what does not fit.
 */
void debuglog_rx(const char *s, size_t len);
