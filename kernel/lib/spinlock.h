/*
 * spinlock.h - ticket spinlocks.
 *
 * spin_lock()/spin_unlock() for code that already runs with interrupts off;
 * spin_lock_irqsave()/spin_unlock_irqrestore() everywhere else. Ticket order
 * makes the lock fair across CPUs. Locks are not recursive. Works unchanged in
 * host tests (the arch header there is a stub).
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

static inline void spin_lock(struct spinlock *l)
{
	uint32_t me = __atomic_fetch_add(&l->next, 1, __ATOMIC_RELAXED);
	while (__atomic_load_n(&l->owner, __ATOMIC_ACQUIRE) != me)
		arch_cpu_relax();
}

static inline bool spin_trylock(struct spinlock *l)
{
	uint32_t owner = __atomic_load_n(&l->owner, __ATOMIC_RELAXED);
	uint32_t expect = owner;
	return __atomic_compare_exchange_n(&l->next, &expect, owner + 1, false, __ATOMIC_ACQUIRE,
	                                   __ATOMIC_RELAXED);
}

static inline void spin_unlock(struct spinlock *l)
{
	__atomic_store_n(&l->owner, l->owner + 1, __ATOMIC_RELEASE);
}

static inline bool spin_is_locked(struct spinlock *l)
{
	return __atomic_load_n(&l->owner, __ATOMIC_RELAXED) !=
	       __atomic_load_n(&l->next, __ATOMIC_RELAXED);
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
