/*
 * arch/percpu.h - per-CPU data, reached through the GS base.
 *
 * Every CPU owns one struct cpu, allocated at SMP start-up (the BSP's is
 * static). GS base points at it in kernel mode, so this_cpu() is a single
 * load. Fields are touched only by their own CPU unless noted.
 */
#pragma once
#include <stdbool.h>
#include <stdint.h>
#include <arch/gdt.h>
#include <arch/trap.h>

#define MAX_CPUS 64
#define IST_STACK_SIZE 8192

struct thread;
struct jmp_buf_k;

struct cpu {
	struct cpu *self; /* must stay first: this_cpu() reads %gs:0 */
	uint64_t user_rsp_scratch; /* syscall entry scratch (offset 8) */
	uint64_t kernel_rsp; /* syscall entry stack (offset 16) */
	unsigned id; /* 0..ncpus-1, 0 = BSP */
	uint32_t apic_id;
	bool online;
	bool need_resched; /* switch at the next exit from a trap or system call: set by
	                      any CPU (its run queue's need_resched points here) */
	struct thread *current;
	struct thread *idle;
	struct gdt_block gdt;
	struct jmp_buf_k *try_buf; /* arch_try() in progress */
	struct trap_frame *try_tf;
	uint64_t irq_count;
	uint64_t timer_ticks;
	/* the I/O bitmap in this CPU's TSS (ioperm.c): whose (arch_mmu io_id, 0:
	   none), which generation of it, and how many leading bytes may be clear */
	uint64_t io_owner, io_gen;
	uint32_t io_len;
	void *sched; /* scheduler's per-CPU run queue */
	uint8_t ist_stacks[3][IST_STACK_SIZE] __attribute__((aligned(16)));
};

extern struct cpu *cpus[MAX_CPUS];
extern unsigned cpu_count;

static inline struct cpu *this_cpu(void)
{
	struct cpu *c;
	__asm__ volatile("movq %%gs:0, %0" : "=r"(c));
	return c;
}

/*
 * The thread running on this CPU, in one GS-relative load: a thread that is
 * preempted and moved to another CPU between reading this_cpu() and its
 * ->current would read the old CPU's thread, so code that runs with
 * interrupts on must use this.
 */
static inline struct thread *this_cpu_current(void)
{
	struct thread *t;
	__asm__ volatile("movq %%gs:%c1, %0"
	                 : "=r"(t)
	                 : "i"(__builtin_offsetof(struct cpu, current)));
	return t;
}

/* This CPU's need_resched, in one GS-relative load (sched_resched_pending()). */
static inline bool this_cpu_need_resched(void)
{
	bool r;
	__asm__ volatile("movb %%gs:%c1, %0"
	                 : "=q"(r)
	                 : "i"(__builtin_offsetof(struct cpu, need_resched)));
	return r;
}

/* This CPU's run queue (struct cpu's sched), in one GS-relative load. */
static inline void *this_cpu_sched(void)
{
	void *rq;
	__asm__ volatile("movq %%gs:%c1, %0"
	                 : "=r"(rq)
	                 : "i"(__builtin_offsetof(struct cpu, sched)));
	return rq;
}

/* This CPU runs t from now on (struct cpu's current), in one GS-relative store:
 * interrupts off, by the scheduler's switches. */
static inline void this_cpu_set_current(struct thread *t)
{
	__asm__ volatile("movq %0, %%gs:%c1" ::"r"(t), "i"(__builtin_offsetof(struct cpu, current))
	                 : "memory");
}

/* Point GS base at c and build its GDT/TSS. */
void percpu_setup(struct cpu *c);
