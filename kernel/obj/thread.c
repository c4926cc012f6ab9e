/*
 * thread.c - user threads (OBJ_THREAD): creation, start, exit, kill, page
 * faults sent to a pager, waiting. See obj/thread.h for the life cycle; the
 * process side (its fate, its end) is obj/process.c.
 */
#include <obj/thread.h>
#include <obj/aspace.h>
#include <obj/pool.h>
#include <obj/process.h>
#include <abi/kbus.h>
#include <kbus/kbus.h>
#include <abi/errors.h>
#include <arch/arch.h>
#include <arch/cpufeatures.h>
#include <arch/entry.h>
#include <arch/thread.h>
#include <arch/thread_switch.h>
#include <lib/compiler.h>
#include <lib/string.h>
#include <mm/kmalloc.h>
#include <mm/vmm.h>
#include <sched/sched.h>

static void uthread_destroy(struct kobject *obj)
{
	struct uthread *t = uthread_from(obj);
	struct process *p = t->proc;
	uint64_t irq = spin_lock_irqsave(&p->lock);
	uthread_unlink(t);
	spin_unlock_irqrestore(&p->lock, irq);
	if (t->pager)
		kobject_put(t->pager);
	if (t->state == UT_NEW && t->kt) {
		fpu_area_free(t->kt->fpu);
		thread_discard(t->kt); /* never ran: nobody else will free it */
	}
	pool_uncharge(p->pool, UTHREAD_CHARGE);
	kfree(t);
	kobject_put(&p->obj);
}

/* Waitset hooks: a thread signals its end. */
static uint32_t uthread_poll(struct kobject *obj)
{
	enum uthread_state s = __atomic_load_n(&uthread_from(obj)->state, __ATOMIC_ACQUIRE);
	return s == UT_DEAD ? KBUS_EV_EXITED : 0;
}

static void uthread_wait_queues(struct kobject *obj, struct waitq *wq[KOBJECT_WAIT_QUEUES])
{
	wq[0] = &uthread_from(obj)->exited;
}

static const struct kobject_ops uthread_ops = {
    .destroy = uthread_destroy,
    .signals = KBUS_EV_EXITED,
    .poll = uthread_poll,
    .wait_queues = uthread_wait_queues,
};

/* A user thread's scheduler thread: into user mode at its start (uthread_start). */
static void uthread_main(void *arg)
{
	struct uthread *t = arg;
	struct trap_frame tf;
	arch_user_frame_init(&tf, t->start_regs[0], t->start_regs[1], &t->start_regs[2]);
	uthread_return_check();
	arch_enter_user(&tf);
}

int uthread_create(struct process *p, struct uthread **out)
{
	int err = pool_charge(p->pool, UTHREAD_CHARGE);
	if (err)
		return err;
	struct uthread *t = kzalloc(sizeof(*t));
	if (!t)
		goto out_uncharge;
	t->kt = thread_create(p->name, uthread_main, t, -1);
	if (!t->kt)
		goto out_free;
	t->kt->fpu = fpu_area_alloc();
	if (!t->kt->fpu)
		goto out_thread;
	t->kt->uthread = t;
	t->kt->ucs = p->cs; /* set at process creation, NULL only once its last thread ended */
	thread_set_space(t->kt, &p->as->vs);
	t->kt->acct = &p->acct; /* p outlives it: sched_acct_detach() at its end */
	kobject_init(&t->obj, OBJ_THREAD, &uthread_ops);
	waitq_init(&t->exited);
	t->state = UT_NEW;
	uint64_t irq = spin_lock_irqsave(&p->lock);
	if (p->ending) {
		spin_unlock_irqrestore(&p->lock, irq);
		err = ERR_BAD_STATE;
		goto out_fpu;
	}
	kobject_get(&p->obj);
	t->proc = p;
	t->kt->suspend_hint = process_suspended(p);
	uthread_link(&p->threads, t);
	spin_unlock_irqrestore(&p->lock, irq);
	*out = t;
	return 0;
out_fpu:
	fpu_area_free(t->kt->fpu);
out_thread:
	thread_discard(t->kt);
out_free:
	kfree(t);
	if (!err)
		err = ERR_NO_MEMORY;
out_uncharge:
	pool_uncharge(p->pool, UTHREAD_CHARGE);
	return err;
}

static bool user_address(uint64_t a)
{
	return a < USER_SPACE_END;
}

int uthread_start(struct uthread *t, uint64_t ip, uint64_t sp, uint64_t a0, uint64_t a1,
                  uint64_t a2, uint64_t a3)
{
	if (ip >= USER_MAP_END || !user_address(sp))
		return ERR_INVALID_ARGS;
	struct process *p = t->proc;
	uint64_t irq = spin_lock_irqsave(&p->lock);
	if (t->state != UT_NEW || p->ending) {
		spin_unlock_irqrestore(&p->lock, irq);
		return ERR_BAD_STATE;
	}
	t->state = UT_RUNNING;
	p->live_threads++;
	bool first = !p->started;
	p->started = true;
	uint64_t regs[6] = {ip, sp, a0, a1, a2, a3};
	memcpy(t->start_regs, regs, sizeof(regs));
	kobject_get(&t->obj); /* the running thread's own reference */
	t->kt->detached = true;
	spin_unlock_irqrestore(&p->lock, irq);
	if (first)
		process_started(p);
	sched_start(t->kt);
	return 0;
}

struct uthread *uthread_current(void)
{
	return sched_current()->uthread;
}

void uthread_kill(struct uthread *t)
{
	/* under p->lock: see process.c's kill_threads() for why t->kt cannot vanish meanwhile */
	struct process *p = t->proc;
	uint64_t irq = spin_lock_irqsave(&p->lock);
	if (t->state == UT_RUNNING)
		sched_kill(t->kt);
	spin_unlock_irqrestore(&p->lock, irq);
}

void uthread_exit_current(int64_t code)
{
	/*
	 * An interrupt's way back to user mode calls this with interrupts off;
	 * the last thread's teardown (capabilities, and the memory they may be
	 * the last to hold) is long, so let them in: that trap frame is never
	 * returned to.
	 */
	arch_irq_enable();
	struct thread *kt = sched_current();
	struct uthread *t = kt->uthread;
	struct process *p = t->proc;
	uint64_t irq = spin_lock_irqsave(&p->lock);
	sched_acct_detach(kt); /* p may go once our reference does */
	t->cpu_ns_final = kt->cpu_ns;
	t->switches_final = kt->switches;
	t->state = UT_DEAD;
	t->exit_code = code;
	bool last = --p->live_threads == 0;
	if (last)
		process_decide(p, PROC_EXITED, (int)code);
	spin_unlock_irqrestore(&p->lock, irq);
	waitq_wake_all(&t->exited);
	/* leave the address space and the FPU before the references go */
	irq = arch_irq_save();
	thread_set_space(kt, NULL);
	vmm_space_activate(&kernel_space);
	struct fpu_area *fpu = kt->fpu;
	kt->fpu = NULL;
	kt->uthread = NULL;
	arch_irq_restore(irq);
	fpu_area_free(fpu);
	if (!last) {
		kobject_put(&t->obj);
		thread_exit();
	}
	/*
	 * Our uthread reference goes before the waiters wake: a parent that
	 * drops its handles once it sees the end should find p's pool (and
	 * its quota) already on its way back, not still pinned through t.
	 */
	kobject_get(&p->obj);
	kobject_put(&t->obj);
	process_end(p);
	kobject_put(&p->obj);
	thread_exit();
}

void uthread_return_check(void)
{
	struct thread *kt = sched_current();
	struct uthread *t = kt->uthread;
	if (!t)
		return;
	/* suspended: park here until resumed; a kill ends the park and the thread */
	if (unlikely(process_suspended(t->proc)) && !sched_kill_pending(kt))
		process_stop(t->proc);
	if (sched_kill_pending(kt))
		uthread_exit_current(-1);
}

/* t's info; its process's lock held. */
static void get_info_locked(struct uthread *t, struct thread_info *out)
{
	*out = (struct thread_info){.state = (uint32_t)t->state};
	if (t->state == UT_DEAD) {
		out->cpu_ns = t->cpu_ns_final;
		out->switches = t->switches_final;
	} else {
		/* t->kt lives while t is not dead, which needs p->lock to change */
		out->cpu_ns = __atomic_load_n(&t->kt->cpu_ns, __ATOMIC_RELAXED);
		out->switches = __atomic_load_n(&t->kt->switches, __ATOMIC_RELAXED);
		sched_thread_info(t->kt, out);
	}
}

void uthread_get_info(struct uthread *t, struct thread_info *out)
{
	struct process *p = t->proc;
	sched_account_group(&p->acct); /* its time up to now, if it runs */
	uint64_t irq = spin_lock_irqsave(&p->lock);
	get_info_locked(t, out);
	spin_unlock_irqrestore(&p->lock, irq);
}

unsigned uthread_list_info(struct process *p, uint64_t *ids, struct thread_info *out, unsigned max)
{
	unsigned n = 0;
	sched_account_group(&p->acct); /* their time up to now, those that run */
	uint64_t irq = spin_lock_irqsave(&p->lock);
	for (struct uthread *t = p->threads; t && n < max; t = t->next) {
		if (t->state != UT_RUNNING)
			continue; /* not started (or ended): nothing to show */
		ids[n] = t->obj.id;
		get_info_locked(t, &out[n++]);
	}
	spin_unlock_irqrestore(&p->lock, irq);
	return n;
}

int uthread_set_sched(struct uthread *t, uint32_t weight, uint64_t affinity)
{
	struct process *p = t->proc;
	uint64_t irq = spin_lock_irqsave(&p->lock);
	/* t->kt lives while t is not dead (as in uthread_get_info) */
	int r = t->state == UT_DEAD ? ERR_BAD_STATE : sched_set_thread(t->kt, weight, affinity);
	spin_unlock_irqrestore(&p->lock, irq);
	return r;
}

void uthread_set_pager(struct uthread *t, struct kobject *endpoint)
{
	if (endpoint)
		kobject_get(endpoint);
	uint64_t irq = spin_lock_irqsave(&t->proc->lock);
	struct kobject *old = t->pager;
	t->pager = endpoint;
	spin_unlock_irqrestore(&t->proc->lock, irq);
	if (old)
		kobject_put(old);
}

bool uthread_page_fault(uint64_t addr, uint64_t ip, unsigned access)
{
	struct uthread *t = uthread_current();
	if (!t || addr >= USER_SPACE_END)
		return false;
	if (aspace_fault_wait(t->proc->as, addr))
		return true; /* a map was filling there: it has ended, try again */
	int paged = aspace_fault_paged(t->proc->as, addr, access);
	if (paged)
		return paged > 0; /* paged memory: its pager answered for it */
	uint64_t irq = spin_lock_irqsave(&t->proc->lock);
	struct kobject *pager = t->pager;
	if (pager)
		kobject_get(pager);
	spin_unlock_irqrestore(&t->proc->lock, irq);
	if (!pager)
		return false;
	struct kbus_fault_msg msg = {
	    .addr = addr,
	    .ip = ip,
	    .access = access,
	    .thread_id = (uint32_t)t->obj.id,
	};
	int32_t verdict = 0;
	arch_irq_enable();
	int r = kbus_kernel_call(endpoint_from(pager), &msg, sizeof(msg), &verdict, sizeof(verdict),
	                         WAIT_FOREVER);
	kobject_put(pager);
	/* resume if the pager answered without a verdict or with 0 */
	return r >= 0 && ((size_t)r < sizeof(verdict) || verdict == 0);
}

static bool uthread_done(void *arg)
{
	return __atomic_load_n(&((struct uthread *)arg)->state, __ATOMIC_ACQUIRE) == UT_DEAD;
}

int uthread_wait(struct uthread *t, uint64_t timeout_ns)
{
	return waitq_wait(&t->exited, uthread_done, t, timeout_ns);
}
