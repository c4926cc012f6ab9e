/*
 * process.c - processes (OBJ_PROCESS): creation, fate, kill, end, faults and
 * waiting. See obj/process.h for the life cycle and locking; the threads
 * themselves are obj/thread.c.
 */
#include <obj/process.h>
#include <hw/hw.h>
#include <obj/aspace.h>
#include <obj/pool.h>
#include <abi/kbus.h>
#include <abi/errors.h>
#include <arch/arch.h>
#include <cap/cap.h>
#include <lib/log.h>
#include <lib/panic.h>
#include <lib/string.h>
#include <mm/kmalloc.h>
#include <mm/vmm.h>
#include <sched/sched.h>

static uint64_t live_processes;

/*
 * Unstarted processes and their creators. A process that has not started has no
 * thread that will ever end it, yet its cspace holds capabilities: if its own
 * capability sits there (SYS_PROC_GRANT), or one to an endpoint whose queue holds
 * its capability, the ring keeps it, its cspace and the pool charges of everything
 * in it alive forever once every other handle is gone (found by sysfuzz, seed
 * 0x928eb721ed361ba3: a self-grant kept a child's whole sub-pool). So a process
 * created by a process sits on its creator's `unstarted` list until one of its
 * threads starts; when the creator ends, every process still on its list is
 * killed, which destroys its cspace and breaks any ring through it. What a
 * creator leaves unstarted is thus reclaimed no later than the creator itself (and
 * as before as soon as the last capability to it goes, when it is in no ring). The
 * list holds no references: process_destroy() unlinks, and the creator's end takes
 * a reference only on a process that is not already being destroyed. Unstarted
 * processes have no threads and create nothing, so the kill never recurses.
 * unstarted_lock guards every list and every p->creator; each hold is O(1).
 */
static struct spinlock unstarted_lock = SPINLOCK_INIT;

void process_set_creator(struct process *p, struct process *creator)
{
	uint64_t irq = spin_lock_irqsave(&unstarted_lock);
	if (!creator->ended_for_creator && !p->creator && !p->started) {
		p->creator = creator;
		p->unstarted_next = creator->unstarted;
		if (creator->unstarted)
			creator->unstarted->unstarted_pprev = &p->unstarted_next;
		p->unstarted_pprev = &creator->unstarted;
		creator->unstarted = p;
	}
	spin_unlock_irqrestore(&unstarted_lock, irq);
}

/* p started or is being destroyed: its creator no longer answers for it. */
static void unstarted_forget(struct process *p)
{
	uint64_t irq = spin_lock_irqsave(&unstarted_lock);
	if (p->creator) {
		*p->unstarted_pprev = p->unstarted_next;
		if (p->unstarted_next)
			p->unstarted_next->unstarted_pprev = p->unstarted_pprev;
		p->creator = NULL;
	}
	spin_unlock_irqrestore(&unstarted_lock, irq);
}

/* c has ended: kill what it created and never started, one at a time. */
static void kill_unstarted(struct process *c)
{
	for (;;) {
		uint64_t irq = spin_lock_irqsave(&unstarted_lock);
		struct process *p = c->unstarted;
		if (p) {
			c->unstarted = p->unstarted_next;
			if (p->unstarted_next)
				p->unstarted_next->unstarted_pprev = &c->unstarted;
			p->creator = NULL;
		}
		bool alive = p && kobject_try_get(&p->obj); /* else its destroy is under way */
		spin_unlock_irqrestore(&unstarted_lock, irq);
		if (!p)
			return;
		if (alive) {
			process_kill(p, PROC_KILLED, 0);
			kobject_put(&p->obj);
		}
	}
}

void process_started(struct process *p)
{
	unstarted_forget(p);
}

/*
 * Pids, for proc://: an index into a fixed table, so a process is found by its
 * name in O(1). Freed pids are reused last-in first-out; the kernel object id
 * (never reused) tells a reused pid's processes apart.
 */
static struct spinlock pid_lock = SPINLOCK_INIT;
static struct process *pid_table[PROCESS_MAX_PIDS];
static uint32_t pid_free[PROCESS_MAX_PIDS];
static uint32_t pid_nfree, pid_next = 1; /* pid 0 is never given */

static int pid_alloc(struct process *p)
{
	int err = 0;
	uint64_t irq = spin_lock_irqsave(&pid_lock);
	if (pid_nfree)
		p->pid = pid_free[--pid_nfree];
	else if (pid_next < PROCESS_MAX_PIDS)
		p->pid = pid_next++;
	else
		err = ERR_NO_RESOURCES;
	if (!err)
		pid_table[p->pid] = p;
	spin_unlock_irqrestore(&pid_lock, irq);
	return err;
}

static void pid_release(struct process *p)
{
	uint64_t irq = spin_lock_irqsave(&pid_lock);
	pid_table[p->pid] = NULL;
	pid_free[pid_nfree++] = p->pid;
	spin_unlock_irqrestore(&pid_lock, irq);
}

struct process *process_by_pid(uint32_t pid)
{
	struct process *p = NULL;
	if (pid == 0 || pid >= PROCESS_MAX_PIDS)
		return NULL;
	uint64_t irq = spin_lock_irqsave(&pid_lock);
	if (pid_table[pid] && kobject_try_get(&pid_table[pid]->obj))
		p = pid_table[pid];
	spin_unlock_irqrestore(&pid_lock, irq);
	return p;
}

struct process *process_next_pid(uint32_t *pid)
{
	for (uint32_t i = *pid + 1; i < PROCESS_MAX_PIDS; i++) {
		struct process *p = process_by_pid(i);
		if (p) {
			*pid = i;
			return p;
		}
	}
	return NULL;
}

static void process_destroy(struct kobject *obj)
{
	struct process *p = process_from(obj);
	pid_release(p);
	unstarted_forget(p);
	ASSERT(!p->unstarted); /* emptied when it ended (only a started process creates) */
	struct cspace *cs = p->cs;
	p->cs = NULL;
	if (cs)
		cspace_destroy(cs); /* a never-started process still holds its capabilities */
	kobject_put(&p->as->obj);
	pool_uncharge(p->pool, PROCESS_CHARGE);
	kobject_put(&p->pool->obj);
	kfree(p);
	__atomic_fetch_sub(&live_processes, 1, __ATOMIC_RELAXED);
}

static bool process_ended(struct process *p)
{
	return __atomic_load_n(&p->ended, __ATOMIC_ACQUIRE);
}

/* Waitset hooks: a process signals its end. */
static uint32_t process_poll(struct kobject *obj)
{
	return process_ended(process_from(obj)) ? KBUS_EV_EXITED : 0;
}

static void process_wait_queues(struct kobject *obj, struct waitq *wq[KOBJECT_WAIT_QUEUES])
{
	wq[0] = &process_from(obj)->waiters;
}

static const struct kobject_ops process_ops = {
    .destroy = process_destroy,
    .signals = KBUS_EV_EXITED,
    .poll = process_poll,
    .wait_queues = process_wait_queues,
};

uint64_t process_live_count(void)
{
	return __atomic_load_n(&live_processes, __ATOMIC_RELAXED);
}

/* A process's capabilities and its slot table are paid from its pool, like its memory. */
static const struct cspace_charge cspace_payer = {pool_charge_cb, pool_uncharge_cb, .tables = true,
                                                  .caps = true};

int process_create(struct mem_pool *pool, const char *name, struct process **out)
{
	int err = pool_charge(pool, PROCESS_CHARGE);
	if (err)
		return err;
	struct process *p = kzalloc(sizeof(*p));
	if (!p) {
		err = ERR_NO_MEMORY;
		goto out_uncharge;
	}
	err = cspace_create(PROCESS_MAX_SLOTS, &p->cs);
	if (err)
		goto out_free;
	cspace_set_charge(p->cs, &cspace_payer, pool);
	err = aspace_create(pool, &p->as);
	if (err)
		goto out_cspace;
	err = pid_alloc(p);
	if (err)
		goto out_aspace;
	kobject_init(&p->obj, OBJ_PROCESS, &process_ops);
	spin_init(&p->lock);
	waitq_init(&p->waiters);
	waitq_init(&p->resumed);
	kobject_get(&pool->obj);
	p->pool = pool;
	strlcpy(p->name, name, sizeof(p->name));
	__atomic_fetch_add(&live_processes, 1, __ATOMIC_RELAXED);
	*out = p;
	return 0;
out_aspace:
	kobject_put(&p->as->obj);
out_cspace:
	cspace_destroy(p->cs);
out_free:
	kfree(p);
out_uncharge:
	pool_uncharge(pool, PROCESS_CHARGE);
	return err;
}

struct process *process_current(void)
{
	struct uthread *t = uthread_current();
	return t ? t->proc : NULL;
}

bool process_decide(struct process *p, enum proc_state why, int code)
{
	if (p->ending)
		return false;
	p->ending = true;
	p->status.state = why;
	p->status.code = code;
	return true;
}

/*
 * Ask every running thread but `except` to end; p's fate is decided, so no
 * thread joins p->threads any more. Batches of PROCESS_KILL_BATCH under
 * p->lock (process.h): a thread seen RUNNING there cannot finish exiting
 * (that needs p->lock) and free its scheduler thread until we let go. Lock
 * order: p->lock, then run queues.
 */
static void kill_threads(struct process *p, struct uthread *except)
{
	bool more;
	do {
		uint64_t irq = spin_lock_irqsave(&p->lock);
		ASSERT(p->ending);
		for (unsigned n = 0; n < PROCESS_KILL_BATCH && p->threads; n++) {
			struct uthread *t = p->threads;
			uthread_unlink(t);
			uthread_link(&p->killed, t);
			if (t != except && t->state == UT_RUNNING && !sched_kill_pending(t->kt))
				sched_kill(t->kt);
		}
		more = p->threads != NULL;
		spin_unlock_irqrestore(&p->lock, irq);
	} while (more);
}

void process_end(struct process *p)
{
	/* the devices it drove stop before anything it pinned for them goes */
	hw_process_ended(p->obj.id);
	/* last thread gone: release the capabilities (nothing can use them now;
	   a process_cs_hold() in progress frees them when it is done) */
	uint64_t irq = spin_lock_irqsave(&p->lock);
	struct cspace *cs = p->cs;
	p->cs = NULL;
	p->ended = true;
	bool held = p->cs_holders != 0;
	spin_unlock_irqrestore(&p->lock, irq);
	if (cs && !held)
		cspace_destroy(cs);
	uint64_t irq2 = spin_lock_irqsave(&unstarted_lock);
	p->ended_for_creator = true; /* no process joins our list from now on */
	spin_unlock_irqrestore(&unstarted_lock, irq2);
	kill_unstarted(p);
	waitq_wake_all(&p->waiters);
}

struct cspace *process_cs_hold(struct process *p)
{
	uint64_t irq = spin_lock_irqsave(&p->lock);
	struct cspace *cs = p->started ? NULL : p->cs; /* SYS_PROC_GRANT's only: unstarted */
	if (cs)
		p->cs_holders++;
	spin_unlock_irqrestore(&p->lock, irq);
	return cs;
}

struct cspace *process_cs_hold_any(struct process *p)
{
	uint64_t irq = spin_lock_irqsave(&p->lock);
	struct cspace *cs = p->cs; /* held as process_cs_hold() does, started or not */
	if (cs)
		p->cs_holders++;
	spin_unlock_irqrestore(&p->lock, irq);
	return cs;
}

uint32_t process_cap_count(struct process *p)
{
	struct cspace *cs = process_cs_hold_any(p);
	if (!cs)
		return 0;
	uint32_t n = cspace_count(cs);
	process_cs_release(p, cs);
	return n;
}

void process_cs_release(struct process *p, struct cspace *cs)
{
	uint64_t irq = spin_lock_irqsave(&p->lock);
	bool last = --p->cs_holders == 0 && p->cs != cs; /* p ended meanwhile */
	spin_unlock_irqrestore(&p->lock, irq);
	if (last)
		cspace_destroy(cs);
}

void process_kill(struct process *p, enum proc_state why, int code)
{
	uint64_t irq = spin_lock_irqsave(&p->lock);
	bool first = process_decide(p, why, code);
	bool no_threads = first && p->live_threads == 0 && !p->ended;
	spin_unlock_irqrestore(&p->lock, irq);
	if (!first)
		return;
	kill_threads(p, uthread_current());
	if (no_threads)
		process_end(p); /* nothing running: it ends now */
}

bool process_user_fault(const struct user_fault *f)
{
	struct process *p = process_current();
	if (!p)
		return false; /* no user thread: the arch reports the kernel's bug */
	if (f->page_fault && uthread_page_fault(f->addr, f->ip, f->access))
		return true; /* the pager mapped it: retry the instruction */
	if (sched_kill_pending(sched_current()))
		uthread_exit_current(-1); /* killed while its pager was asked: not a fault */
	uint64_t irq = spin_lock_irqsave(&p->lock);
	if (process_decide(p, PROC_FAULTED, 0)) {
		p->status.fault_vector = f->vector;
		p->status.fault_addr = f->addr;
		p->status.fault_ip = f->ip;
	}
	spin_unlock_irqrestore(&p->lock, irq);
	pr_info("%s: %s at ip 0x%llx (address 0x%llx): process ended", p->name,
	        arch_exception_name(f->vector), (unsigned long long)f->ip,
	        (unsigned long long)f->addr);
	arch_irq_enable();
	kill_threads(p, uthread_current());
	uthread_exit_current(-1);
}

/* p->lock held: add the CPU time and switches of the threads on list that have not ended. */
static void add_live_threads(struct uthread *list, struct proc_status *out)
{
	for (struct uthread *t = list; t; t = t->next) {
		if (t->state == UT_DEAD)
			continue; /* in p->acct; its scheduler thread may be freed */
		out->cpu_ns += __atomic_load_n(&t->kt->cpu_ns, __ATOMIC_RELAXED);
		out->switches += __atomic_load_n(&t->kt->switches, __ATOMIC_RELAXED);
	}
}

void process_get_status(struct process *p, struct proc_status *out)
{
	sched_account_group(&p->acct); /* a thread running alone has no tick to do it */
	uint64_t irq = spin_lock_irqsave(&p->lock);
	*out = p->status;
	if (!p->ended)
		out->state = PROC_RUNNING;
	out->threads = p->live_threads;
	out->flags = p->suspended && !p->ending ? PROC_FLAG_SUSPENDED : 0;
	out->stopped = p->stopped;
	/* the ended threads' totals, and the live ones' own (as Linux's
	   thread_group_cputime() sums them): an ending thread moves its own into
	   p->acct under p->lock (uthread_exit_current()), so each is counted
	   once. One pass over p's threads, which its pool pays for. */
	out->cpu_ns = p->acct.cpu_ns;
	out->switches = p->acct.switches;
	add_live_threads(p->threads, out);
	add_live_threads(p->killed, out); /* ending, moved by kill_threads() */
	spin_unlock_irqrestore(&p->lock, irq);
}

int process_set_suspended(struct process *p, bool suspend)
{
	uint64_t irq = spin_lock_irqsave(&p->lock);
	bool ok = !p->ending;
	if (ok) {
		__atomic_store_n(&p->suspended, suspend, __ATOMIC_RELEASE);
		/* syscall.S's test; a UT_DEAD thread's scheduler thread may be freed */
		for (struct uthread *t = p->threads; t; t = t->next)
			if (t->state != UT_DEAD)
				__atomic_store_n(&t->kt->suspend_hint, suspend, __ATOMIC_RELEASE);
	}
	spin_unlock_irqrestore(&p->lock, irq);
	if (!ok)
		return ERR_BAD_STATE;
	if (suspend)
		sched_kick_others(); /* a thread of p in user mode elsewhere parks at the IPI's
		                        exit; one running here parks as its call returns */
	else
		waitq_wake_all(&p->resumed);
	return 0;
}

static bool process_not_suspended(void *arg)
{
	return !process_suspended(arg);
}

void process_stop(struct process *p)
{
	uint64_t irq = spin_lock_irqsave(&p->lock);
	p->stopped++;
	spin_unlock_irqrestore(&p->lock, irq);
	/* ends early (ERR_INTERRUPTED) when the thread is killed: the caller ends it */
	waitq_wait(&p->resumed, process_not_suspended, p, WAIT_FOREVER);
	irq = spin_lock_irqsave(&p->lock);
	p->stopped--;
	spin_unlock_irqrestore(&p->lock, irq);
}

static bool process_done(void *arg)
{
	return process_ended(arg);
}

int process_wait(struct process *p, uint64_t timeout_ns)
{
	return waitq_wait(&p->waiters, process_done, p, timeout_ns);
}
