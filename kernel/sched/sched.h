/*
 * sched.h - kernel threads and the Dynamic Quantum Round Robin scheduler
 * (docs/scheduler.md; the policy itself is sched/dqrr.c).
 *
 * Each CPU has its own run queue; a one-shot timer per CPU ends a thread's
 * slice, armed only while another thread waits for the CPU. A woken thread
 * may preempt the running one at its next exit from the kernel. Idle CPUs
 * halt, and take ready threads from the busiest queue (work stealing);
 * threads move between CPUs within their affinity mask.
 *
 * Thread lifetime: thread_create() returns a thread that is not yet running;
 * sched_start() makes it runnable. A thread ends by returning from its
 * function or calling thread_exit(). Joinable threads are freed by
 * thread_join(); detached ones by the scheduler after their last switch.
 */
#pragma once
#include <stdbool.h>
#include <stdint.h>
#include <arch/percpu.h>
#include <kbus/kbus_thread.h>
#include <time/clock.h>
#include <sched/dqrr.h>

#define THREAD_STACK_ORDER 2 /* 16 KiB kernel stacks */
/* The old fixed quantum; now the default max quantum is SCHED_MAX_QUANTUM_NS.
 * Kept as a unit for tests and polls that count "ticks" of 10 ms. */
#define SCHED_TICK_NS 10000000ull
#define SCHED_TARGET_LATENCY_NS 20000000ull /* defaults of the tunables (abi/sched.h) */
#define SCHED_MIN_QUANTUM_NS 1000000ull
#define SCHED_MAX_QUANTUM_NS 20000000ull
/*
 * Busy CPUs balance their queues (sched.c, balance()): each at most once per
 * SCHED_BALANCE_NS, looking at no more than SCHED_BALANCE_SCAN queued threads
 * of the other queue (and of its own) with interrupts off.
 */
#define SCHED_BALANCE_NS 10000000ull
#define SCHED_BALANCE_SCAN 16u
#define SCHED_SHARE_WINDOW_NS 64000000ull /* how far back a thread's share looks, about */
/* A CPU running one thread takes no timer interrupt: its time is accounted
 * when a reader asks (sched_account_group()) if it ran longer than this since
 * it was last accounted; so a reading is at most this much behind. */
#define SCHED_ACCOUNT_FRESH_NS 1000000ull

enum thread_state { THREAD_NEW, THREAD_READY, THREAD_RUNNING, THREAD_BLOCKED, THREAD_DEAD };

struct trap_frame;
struct uthread;
struct fpu_area; /* arch/cpufeatures.h */
struct cspace;

/*
 * Accounting of a group of threads (a process's): what its ended threads ran
 * and their switches, each added by sched_acct_detach() at the thread's end
 * (under the owner's lock, which its readers hold while they add the live
 * threads' own cpu_ns and switches: process_get_status()). The link also
 * names the group for sched_account_group(). The group must outlive it.
 */
struct sched_acct {
	uint64_t cpu_ns;
	uint64_t switches;
};

struct thread {
	uint64_t rsp; /* saved kernel stack pointer while switched out */
	void *stack; /* base of the kernel stack (NULL: boot stack) */
	enum thread_state state;
	unsigned cpu;
	bool detached;
	bool exited; /* switched away for the last time: safe to free */
	bool wake_pending; /* sched_wake() came before sched_block() */
	uint32_t pins; /* sched_pin()s, plus SCHED_PIN_DEAD once a detached thread ended (atomic) */
	uint64_t id;
	void (*fn)(void *);
	void *arg;
	struct thread *next; /* run queue link */
	struct timer_event sleep_timer;
	char name[24];
	struct uthread *uthread; /* obj/thread.h: user threads' part; NULL for kernel threads */
	struct vm_space *vs; /* address space to run in (NULL: kernel threads) */
	struct fpu_area *fpu; /* FPU/SSE/AVX state of user threads (arch-owned) */
	/* a user thread's process's cspace, for the dispatch (syscall.S) and the kbus
	   flat path (set at creation; it outlives the thread's system calls) */
	struct cspace *ucs;
	union {
		struct {
			bool kill_pending; /* end at the next return towards user mode */
			bool suspend_hint; /* its process is suspended (a copy of
			                      uproc->suspended, written under its lock) */
		};
		uint16_t return_flags; /* both at once: user_return_owed(), syscall.S */
	};
	bool on_cpu; /* its registers are live on a CPU (set at switch-in, cleared
				 once the switch away has completed): sched_switch_to() only
				 takes threads that are off every CPU */
	struct kbus_thread kbus; /* kbus's part: the call this thread must answer */
	/* accounting, written only by the CPU running the thread (at its switches) */
	uint64_t run_start; /* clock_monotonic_ns() at its last switch-in */
	uint64_t cpu_ns; /* time it ran before its last switch-out */
	uint64_t switches; /* times it was switched off a CPU */
	struct sched_acct *acct; /* its group's totals, or NULL */
	uint64_t space_root; /* the page-table root a switch to it loads: vs's, or
	                        the kernel's (thread_set_space(), arch/thread_switch.h) */
	/* scheduling (abi/sched.h); set through sched_set_thread() */
	uint32_t weight; /* SCHED_WEIGHT_MIN..MAX */
	uint64_t affinity; /* CPUs it may run on (bit i = CPU i), never 0 */
	uint64_t wake_time; /* clock_monotonic_ns() when last made runnable by a wake */
	uint64_t wakeups; /* wake-up latency accounting: count, sum, max */
	uint64_t wake_ns_total;
	uint64_t wake_ns_max;
	struct dqrr_thread dq; /* the policy's part: budget of its turn (its queue's lock) */
	bool front_queued; /* queued at the front (credit, or preempted with budget left) */
	uint64_t share_at, share_cpu; /* balance(): its recent share is measured from this
	                                  time and the CPU time it had had then */
	struct thread *all_next, **all_pprev; /* every thread, for the NMI dump (all_lock) */
};

/*
 * CPU bring-up (sched_init_cpu, sched_start_tick, sched_idle), a new thread's
 * first code (sched_thread_entry) and interrupt exit (sched_irq_exit) are
 * called by arch code: declared in arch/entry.h.
 */

/* cpu >= 0 and online: the thread is pinned there (affinity = that CPU);
 * cpu < 0: any CPU, starting on the next of a rotation. NULL if out of memory. */
struct thread *thread_create(const char *name, void (*fn)(void *), void *arg, int cpu);
void sched_start(struct thread *t);
/* End the calling thread. */
void thread_exit(void) __attribute__((noreturn));
/* Wait for t to end, then free it. t must not be detached. */
void thread_join(struct thread *t);
/*
 * Keep t's memory while a waker that took it off a wait (waitq_wake_take(),
 * kbus_reply_run()) has yet to wake it or switch to it, outside the lock
 * that kept it there: t may be woken otherwise meanwhile, end and be freed.
 * Pin only while t is known to be alive (under that lock). A detached
 * thread that ends pinned is freed by its last sched_unpin() (the count
 * reaches SCHED_PIN_DEAD), a joined one by thread_join() once unpinned.
 */
#define SCHED_PIN_DEAD (1u << 31)
static inline void sched_pin(struct thread *t)
{
	__atomic_fetch_add(&t->pins, 1, __ATOMIC_RELAXED);
}
void sched_unpin(struct thread *t);
/* Wake and unpin a pinned thread (nothing for NULL). */
void sched_wake_unpin(struct thread *t);
/*
 * sched_block(), handing the CPU first to run (pinned, taken off a wait and
 * not yet woken; or NULL) with sched_switch_to(), else waking it; unpins it.
 */
void sched_block_run(struct thread *run);

/* The calling thread (inline: one %gs-relative load, which stays right when the
 * thread moves to another CPU at any point; hot in every system call). */
static inline struct thread *sched_current(void)
{
	return this_cpu_current();
}
/* A reschedule is pending on this CPU (interrupts off, so the CPU stays ours):
 * one %gs-relative load (arch/percpu.h, struct cpu's need_resched). */
static inline bool sched_resched_pending(void)
{
	return this_cpu_need_resched();
}
void sched_yield(void);
/* Sleep at least ns (a timer event wakes us). */
void sched_sleep_ns(uint64_t ns);
/*
 * Block the caller until sched_wake(t). A wake that arrives before the block
 * is remembered (wake_pending), so publish yourself, then block: no lost wake-ups.
 */
void sched_block(void);
void sched_wake(struct thread *t);
/*
 * Direct switch for IPC fast paths: block the caller and run next at once on
 * this CPU, with no run-queue trip, no IPI and no allocation. next must be
 * BLOCKED and off every CPU; it migrates here. Refused (returns false, nothing
 * changed) when next is not blocked or still on a CPU, when it has a timeout
 * armed on another CPU (timer events are per CPU), or when a wake-up for the
 * caller is already pending; the caller then falls back to sched_wake(next)
 * and sched_block(). Returns true after the caller has been woken and
 * switched back in (a sched_wake() on it, like sched_block()).
 */
bool sched_switch_to(struct thread *next);
/* Free a thread that was created but never started. */
void thread_discard(struct thread *t);
/* Has someone asked t to end? Waits return ERR_INTERRUPTED when so. */
static inline bool sched_kill_pending(struct thread *t)
{
	return __atomic_load_n(&t->kill_pending, __ATOMIC_ACQUIRE);
}
/* Ask t to end: set kill_pending and wake it wherever it waits. */
void sched_kill(struct thread *t);
/* The kbus flat path's switches (sched/direct.h; sched_flat_switch() is inline there).
 * self->rsp already holds the saved context self resumes from (arch_flat_context()). */
bool sched_flat_begin(struct thread *self, struct thread *next);
void sched_flat_switch_real(struct thread *self, struct thread *next) __attribute__((noreturn));
void sched_flat_block(struct thread *self) __attribute__((noreturn));
void sched_flat_resumed(void);
/* Kick every other online CPU to its scheduler (a resched IPI): what runs
 * there in user mode comes back through its interrupt exit at once. */
void sched_kick_others(void);
/*
 * The calling thread stops adding to its group: what it ran until now is
 * added first. Interrupts off.
 */
void sched_acct_detach(struct thread *self);
/*
 * Account, up to now, the threads of group g that are running on a CPU and
 * were last accounted over SCHED_ACCOUNT_FRESH_NS ago (a thread running alone
 * takes no tick that would do it): a cross-CPU call to each such CPU, O(CPUs),
 * before a reader reads g's totals or its threads'. Interrupts on; no lock held.
 */
void sched_account_group(const struct sched_acct *g);
/*
 * The scheduler's tunables and statistics (abi/sched.h: the checks of
 * SYS_SCHED_SET are sched_set_params()'s; it returns ERR_INVALID_ARGS having
 * changed nothing).
 */
struct sched_params;
struct sched_cpu_stats;
struct thread_info;
void sched_get_params(struct sched_params *out);
int sched_set_params(const struct sched_params *p);
/* ERR_NOT_FOUND for a CPU that is not online. */
int sched_cpu_stats(unsigned cpu, struct sched_cpu_stats *out);
/*
 * Set t's weight (0: leave) and affinity mask (0: leave). ERR_INVALID_ARGS
 * for a weight outside SCHED_WEIGHT_MIN..MAX or a mask with no online CPU.
 * (Who may raise a weight is the caller's check: SYS_THREAD_SET_SCHED.)
 */
int sched_set_thread(struct thread *t, uint32_t weight, uint64_t affinity);
/* t's scheduling fields of struct thread_info (weight, affinity, cpu, wake-ups). */
void sched_thread_info(struct thread *t, struct thread_info *out);
/* The kernel command line's scheduler options (`sched=fixed`), before sched_init_cpu(). */
void sched_cmdline(const char *cmdline);
/* Threads created so far and still allocated (leak checks). */
uint64_t sched_live_threads(void);

/* Every CPU's run queue and timer events on the log (the NMI dump only). */
void sched_debug_dump(void);
