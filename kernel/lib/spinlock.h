/*
 * spinlock.h - spinlocks: ticket order on bare metal, test-and-set under a
 * hypervisor.
 *
 * spin_lock()/spin_unlock() for code that already runs with interrupts off;
 * spin_lock_irqsave()/spin_unlock_irqrestore() everywhere else. Locks are not
 * recursive. Works unchanged in host tests (the arch header there is a stub).
 *
 * One lock word, two ways to wait. A free lock (owner == next) is taken by a
 * compare-and-swap of next from owner to owner + 1 (spin_trylock()); unlock
 * adds one to owner. When that first try fails:
 *  - fair (arch_spin_fair(), bare metal): take a ticket (next++) and wait for
 *    owner to reach it, so CPUs get the lock in the order they asked.
 *  - unfair (under a hypervisor): wait until the lock is free and try again.
 *    A ticket hands the lock to one particular waiter, and a virtual CPU the
 *    host is not running at that moment holds up every CPU behind it: under
 *    QEMU TCG with more vCPUs than host cores a handoff took ~12 ms, and a
 *    contended lock stalled a test run for minutes. Whichever CPU is running
 *    takes a free lock at once. Linux's virt_spin_lock() makes the same choice
 *    for guests without paravirtual spinlocks.
 * Both ways keep the same invariant (owner <= next; held iff owner != next), so
 * waiters of either kind can meet on one lock: a ticket holder is never
 * overtaken, since the compare-and-swap succeeds only when nobody holds or
 * waits by ticket.
 */
#pragma once
#include <stdbool.h>
#include <stdint.h>
#include <arch/irq_flags.h>

struct spinlock {
	uint32_t next;
	uint32_t owner;
};

#define SPINLOCK_INIT \
	{             \
		0, 0  \
	}

static inline void spin_init(struct spinlock *l)
{
	l->next = 0;
	l->owner = 0;
}

static inline bool spin_trylock(struct spinlock *l)
{
	uint32_t owner = __atomic_load_n(&l->owner, __ATOMIC_RELAXED);
	uint32_t expect = owner;
	return __atomic_compare_exchange_n(&l->next, &expect, owner + 1, false, __ATOMIC_ACQUIRE,
	                                   __ATOMIC_RELAXED);
}

static inline bool spin_is_locked(struct spinlock *l)
{
	return __atomic_load_n(&l->owner, __ATOMIC_RELAXED) !=
	       __atomic_load_n(&l->next, __ATOMIC_RELAXED);
}

/* The lock was not free at the first try. */
static __attribute__((noinline, unused)) void spin_lock_contended(struct spinlock *l)
{
	if (arch_spin_fair()) {
		uint32_t me = __atomic_fetch_add(&l->next, 1, __ATOMIC_RELAXED);
		while (__atomic_load_n(&l->owner, __ATOMIC_ACQUIRE) != me)
			arch_cpu_relax();
		return;
	}
	do {
		while (spin_is_locked(l))
			arch_cpu_relax();
	} while (!spin_trylock(l));
}

static inline void spin_lock(struct spinlock *l)
{
	if (__builtin_expect(!spin_trylock(l), 0))
		spin_lock_contended(l);
}

static inline __attribute__((always_inline)) void spin_unlock(struct spinlock *l)
{
	arch_release_inc(&l->owner); /* only the holder writes owner */
}

static inline uint64_t spin_lock_irqsave(struct spinlock *l)
{
	uint64_t flags = arch_irq_save();
	spin_lock(l);
	return flags;
}

static inline void spin_unlock_irqrestore(struct spinlock *l, uint64_t flags)
{
	spin_unlock(l);
	arch_irq_restore(flags);
}
