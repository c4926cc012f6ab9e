/*
 * thread.h - user threads (OBJ_THREAD).
 *
 * A user thread (struct uthread) belongs to one process (obj/process.h) and
 * owns one scheduler thread (sched/sched.h) whose kernel stack it runs on when
 * it enters the kernel. It is created not started (UT_NEW), started once
 * (UT_RUNNING) and ends (UT_DEAD) by exit, by a kill of it or its process, or
 * by a fault; it never ends in the middle of a kernel operation, only at its
 * next return towards user mode or when a wait it is in returns
 * ERR_INTERRUPTED. Its end wakes `exited` (uthread_wait, waitsets).
 *
 * References: every capability to it and its running self hold one; it holds
 * one on its process and on its pager endpoint.
 *
 * Locking: its state, its pager and its place in the process's thread lists
 * are guarded by its process's lock (p->lock), like the rest of the process's
 * thread bookkeeping; obj/process.h says what that lock protects and its order.
 */
#pragma once
#include <stdbool.h>
#include <stdint.h>
#include <abi/syscall.h>
#include <arch/entry.h>
#include <obj/object.h>
#include <sched/waitq.h>

struct process;
struct thread;

#define UTHREAD_CHARGE 24576ull /* kernel stack + FPU area + bookkeeping */

enum uthread_state { UT_NEW, UT_RUNNING, UT_DEAD };

struct uthread {
	struct kobject obj;
	struct process *proc; /* reference held */
	struct thread *kt; /* scheduler thread (detached once started) */
	enum uthread_state state; /* p->lock; read without it atomically (acquire) */
	int64_t exit_code;
	uint64_t start_regs[6]; /* ip, sp, then the four arguments (arch_user_frame_init) */
	struct uthread *next, **pprev; /* in proc->threads or proc->killed (O(1) unlink) */
	struct waitq exited;
	struct kobject *pager; /* endpoint fault messages go to (reference held), or NULL */
	uint64_t cpu_ns_final, switches_final; /* its accounting once UT_DEAD */
};

/* The user thread obj is (obj must be an OBJ_THREAD). */
static inline struct uthread *uthread_from(struct kobject *obj)
{
	return KOBJECT_CAST(obj, OBJ_THREAD, struct uthread, obj);
}

/* Create a new (not started) thread in p, paid from p's pool (UTHREAD_CHARGE). */
int uthread_create(struct process *p, struct uthread **out);
/*
 * Start t at ip with stack pointer sp and a0..a3 in its first four argument
 * registers (arch_user_frame_init). ERR_BAD_STATE if started.
 */
int uthread_start(struct uthread *t, uint64_t ip, uint64_t sp, uint64_t a0, uint64_t a1,
                  uint64_t a2, uint64_t a3);
/* Ask t to end (if running). */
void uthread_kill(struct uthread *t);
/* Wait for t to end; 0, ERR_TIMED_OUT or ERR_INTERRUPTED. */
int uthread_wait(struct uthread *t, uint64_t timeout_ns);

/* The calling user thread, or NULL in a kernel thread. */
struct uthread *uthread_current(void);
/* End the calling user thread now (never returns). */
void uthread_exit_current(int64_t code) __attribute__((noreturn));
/*
 * uthread_return_check() (on the way back to user mode) and uthread_page_fault()
 * are called by arch traps: declared in arch/entry.h.
 */
/* t's CPU time, switches and state (SYS_THREAD_INFO). */
void uthread_get_info(struct uthread *t, struct thread_info *out);
/*
 * The first max running threads of p that no kill has asked to end yet
 * (proc://): each one's object id (what cap_inspect reports) in ids[], its info
 * in out[]; how many. Walks p's thread list under p->lock until it has max (the
 * threads not started yet are passed over).
 */
unsigned uthread_list_info(struct process *p, uint64_t *ids, struct thread_info *out, unsigned max);
/*
 * Set t's scheduling weight and affinity (0: leave either; SYS_THREAD_SET_SCHED,
 * whose caller has checked who may raise a weight): sched_set_thread()'s
 * answer, or ERR_BAD_STATE once t has ended. sched_set_thread() runs under t's
 * process lock (interrupts off), as sched_thread_info() does in
 * uthread_get_info(): it must not block.
 */
int uthread_set_sched(struct uthread *t, uint32_t weight, uint64_t affinity);
/* Set (or with NULL clear) t's pager endpoint object; takes a reference. */
void uthread_set_pager(struct uthread *t, struct kobject *endpoint);

/* Put t at the head of *list (a process's thread list). Its process's lock held. */
static inline void uthread_link(struct uthread **list, struct uthread *t)
{
	t->next = *list;
	if (t->next)
		t->next->pprev = &t->next;
	t->pprev = list;
	*list = t;
}

/* Take t off whichever list of its process it is in. Its process's lock held. */
static inline void uthread_unlink(struct uthread *t)
{
	*t->pprev = t->next;
	if (t->next)
		t->next->pprev = t->pprev;
}
