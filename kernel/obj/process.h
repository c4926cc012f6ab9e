/*
 * process.h - processes (OBJ_PROCESS).
 *
 * A process is a cspace, an address space and a set of user threads
 * (obj/thread.h), paid for by a memory pool.
 *
 * Life and death: a process runs while it has live threads. The first of
 * exit (SYS_SELF_PROCESS_EXIT), kill (SYS_PROC_KILL) or an unhandled fault
 * decides its final status; every thread is then asked to end
 * (kill_pending), and the last one to go marks the process ended, releases
 * its capabilities and wakes everyone waiting for it. A thread never dies in
 * the middle of a kernel operation: it ends at its next return towards user
 * mode, or when a wait it is in returns ERR_INTERRUPTED.
 *
 * References: every capability and every live thread holds a reference on
 * its object; a uthread holds one on its process; a process holds its
 * address space and pool.
 *
 * Killing: a kill walks the threads in batches of PROCESS_KILL_BATCH under
 * process->lock, moving each from `threads` to `killed` as it asks it to end,
 * and lets go between batches (interrupts on), so the work per lock hold is
 * bounded however many threads there are (each paid UTHREAD_CHARGE). Once
 * the fate is decided (ending) no thread can be created or started, so the
 * walk ends with every thread asked; two kills at once share the walk, each
 * thread is taken by one of them. The one thread a kill spares, its caller,
 * always ends itself right after (exit, self-kill, fault).
 *
 * Suspension: SYS_PROC_SUSPEND sets `suspended` and kicks the other CPUs;
 * every thread, at its next return towards user mode (uthread_return_check(),
 * the same place a kill ends it), parks in process_stop() on `resumed` until
 * SYS_PROC_RESUME clears the flag, or until it is killed (the park is a
 * killable wait, so a kill ends a suspended process as any other). A thread
 * blocked in a wait is not disturbed: it parks when its wait returns. Nothing
 * walks the threads, so the work per call is O(CPUs).
 *
 * Accounting: `acct` holds what the process's threads ran and how often they
 * were switched off a CPU (sched/sched.h adds at each switch), ended threads
 * included.
 *
 * Locking: process->lock (spinlock) protects the thread lists, the counts, the
 * status and the cspace pointer; it is taken before any cap lock, never after.
 * No cap operation runs under it: one that drops a capability may destroy a
 * thread of the process, which takes process->lock. Another process's syscall
 * that works on p's cspace holds it with process_cs_hold() instead.
 */
#pragma once
#include <stdbool.h>
#include <stdint.h>
#include <abi/syscall.h>
#include <arch/entry.h>
#include <obj/object.h>
#include <obj/thread.h>
#include <sched/sched.h>
#include <sched/waitq.h>

struct cspace;
struct aspace;
struct mem_pool;

#define PROCESS_MAX_SLOTS 4096
#define PROCESS_CHARGE 8192ull /* pool bytes charged for a process's kernel state */
#define PROCESS_KILL_BATCH 32u /* threads a kill asks to end per hold of process->lock */

struct process {
	struct kobject obj;
	struct spinlock lock;
	struct cspace *cs; /* NULL once the process has ended */
	unsigned cs_holders; /* process_cs_hold() users: the last one frees a detached cs */
	struct aspace *as; /* reference held */
	struct mem_pool *pool; /* reference held; pays for everything above */
	struct uthread *threads; /* not yet asked to end by a kill */
	struct uthread *killed; /* asked (or spared: the killer itself) */
	unsigned live_threads;
	bool ending; /* final status decided */
	bool ended; /* every thread gone */
	bool started; /* a thread of it has started (p->lock) */
	bool suspended; /* p->lock; read without it atomically (process_suspended()) */
	unsigned stopped; /* threads parked in process_stop() (p->lock) */
	struct waitq resumed; /* parked threads wait here */
	struct sched_acct acct; /* its threads' CPU time and switches */
	/* process.c, unstarted_lock: what we created and never started (each holds a
	 * reference: killed when we end), and our place on our creator's list */
	struct process *unstarted, *creator, *unstarted_next, **unstarted_pprev;
	bool ended_for_creator; /* ended: nothing joins `unstarted` any more */
	struct proc_status status;
	struct waitq waiters;
	char name[32];
	uint32_t pid; /* its name in proc:// (fixed; reused once the process is gone) */
};

/* Processes alive at once (pids 1..PROCESS_MAX_PIDS-1); one more is ERR_NO_RESOURCES. */
#define PROCESS_MAX_PIDS 4096

/* The process with pid (a reference), or NULL. */
struct process *process_by_pid(uint32_t pid);
/* The next process after *pid (a reference; *pid updated), or NULL: for listings. */
struct process *process_next_pid(uint32_t *pid);

/* The process obj is (obj must be an OBJ_PROCESS). */
static inline struct process *process_from(struct kobject *obj)
{
	return KOBJECT_CAST(obj, OBJ_PROCESS, struct process, obj);
}

/* Create an empty process paid by pool. References returned in *out. */
int process_create(struct mem_pool *pool, const char *name, struct process **out);
/*
 * p was created by a thread of creator: until a thread of p starts, creator's end
 * kills p (so capability rings through an unstarted process's cspace are broken
 * no later than its creator's end; process.c says why).
 */
void process_set_creator(struct process *p, struct process *creator);
/* Decide p's fate (first call wins) and ask every thread to end. */
void process_kill(struct process *p, enum proc_state why, int code);
void process_get_status(struct process *p, struct proc_status *out);
/*
 * p's cspace, kept alive (not destroyed when p ends) until process_cs_release(),
 * with no lock held meanwhile; NULL once p has ended, or once a thread of p
 * has started (capabilities then reach p only through kbus). The caller holds
 * a reference on p.
 */
struct cspace *process_cs_hold(struct process *p);
void process_cs_release(struct process *p, struct cspace *cs);
/* The same hold whether or not p has started, for readers that only look (proc://'s
 * count, the invariant checker): NULL once p has ended. */
struct cspace *process_cs_hold_any(struct process *p);
/* The capabilities p holds now (0 once it ended), started or not: for proc://. */
uint32_t process_cap_count(struct process *p);
/* Wait for p to end; 0, ERR_TIMED_OUT or ERR_INTERRUPTED. */
int process_wait(struct process *p, uint64_t timeout_ns);
/* SYS_PROC_SUSPEND (suspend) / SYS_PROC_RESUME (!suspend): 0, or ERR_BAD_STATE once
 * p's end is decided. */
int process_set_suspended(struct process *p, bool suspend);
/* Is p suspended? (A hint for the return path: process_stop() decides.) */
static inline bool process_suspended(const struct process *p)
{
	return __atomic_load_n(&p->suspended, __ATOMIC_ACQUIRE);
}
/* Does user thread t owe user_return_work() before it runs user code again? (A
 * reschedule on this CPU, a kill, or its process suspended: t->suspend_hint.) */
static inline bool user_return_owed(struct thread *t)
{
	return sched_resched_pending() || __atomic_load_n(&t->return_flags, __ATOMIC_ACQUIRE);
}
/*
 * The calling thread of p parks until p is resumed or the thread is killed
 * (its caller then ends it). Called on the way back to user mode, with any
 * interrupt state (kept).
 */
void process_stop(struct process *p);

/* The calling user thread's process, or NULL in a kernel thread. */
struct process *process_current(void);
/* process_user_fault() is called by arch traps: declared in arch/entry.h. */

/* Live processes and user threads (leak checks). */
uint64_t process_live_count(void);

/* For obj/thread.c, which keeps a process's thread bookkeeping under p->lock: */
/* p->lock held: decide p's final status unless decided; true if this call did. */
bool process_decide(struct process *p, enum proc_state why, int code);
/* p's first thread has started: its creator no longer answers for it. No lock held. */
void process_started(struct process *p);
/* p's last thread is gone: release its capabilities, wake its waiters. No lock held. */
void process_end(struct process *p);
