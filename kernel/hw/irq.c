/*
 * irq.c - OBJ_IRQ: one interrupt of a device, bound to a CPU vector slot
 * (MSI, MSI-X) or to a shared IOAPIC line (INTx, ISA), and its delivery.
 *
 * Delivery (hw_irq_deliver, interrupt context, before the EOI) only counts:
 * the IRQ object(s) of the slot get pending + 1 (their IRQ_SIGNAL_PENDING,
 * which waitsets see as KBUS_EV_READABLE), a level line is masked at the
 * IOAPIC and an MSI-X vector at its table entry, and their waiters are woken
 * after hw_lock is let go. Nothing is allocated. SYS_IRQ_ACK clears pending
 * and unmasks: an MSI-X entry at once, a level line once every IRQ object
 * on it has acknowledged.
 *
 * Objects come from a static pool of HW_MAX_IRQS (nothing is charged);
 * vector slots from the arch's ARCH_IRQ_SLOTS (ERR_NO_RESOURCES when out).
 * An IRQ object is unbound when its last reference goes or when the process
 * that claimed its device ends (hw_irq_release_device); an unbound object
 * answers ERR_BAD_STATE and delivers nothing.
 */
#include <hw/hw_internal.h>
#include <abi/errors.h>
#include <abi/kbus.h>
#include <arch/entry.h>
#include <arch/hwio.h>
#include <lib/string.h>

_Static_assert(IRQ_SIGNAL_PENDING == KBUS_EV_READABLE, "waitsets see the pending signal");

#define MSI_CTL 2
#define MSI_CTL_ENABLE 0x1u
#define MSI_CTL_64BIT 0x80u
#define MSIX_CTL 2
#define MSIX_CTL_ENABLE 0x8000u
#define MSIX_CTL_MASKALL 0x4000u
#define MSIX_VCTL_MASK 0x1u

static struct hw_irq pool[HW_MAX_IRQS];
static struct hw_irq *free_list;
static bool pool_ready;
static struct hw_line lines[HW_MAX_LINES];
static struct {
	struct hw_irq *irq; /* MSI / MSI-X */
	struct hw_line *line; /* INTx */
} slots[ARCH_IRQ_SLOTS];

struct hw_irq *hw_irq_from(struct kobject *obj)
{
	return KOBJECT_CAST(obj, OBJ_IRQ, struct hw_irq, obj);
}

struct kobject *hw_irq_object(struct hw_irq *irq)
{
	return &irq->obj;
}

/* ---- hardware, hw_lock held ---- */

static volatile uint32_t *msix_entry(struct hw_device *d, uint32_t vector)
{
	return d->msix_table + vector * 4;
}

static void msix_mask(struct hw_device *d, uint32_t vector, bool masked)
{
	volatile uint32_t *e = msix_entry(d, vector);
	e[3] = masked ? e[3] | MSIX_VCTL_MASK : e[3] & ~MSIX_VCTL_MASK;
}

static void command_set(struct hw_device *d, uint16_t set, uint16_t clear)
{
	uint16_t cmd = (uint16_t)hw_cfg_read(d, PCI_COMMAND, 2);
	hw_cfg_write(d, PCI_COMMAND, 2, (uint16_t)((cmd | set) & ~clear));
}

static void program(struct hw_irq *irq)
{
	struct hw_device *d = irq->dev;
	uint64_t addr;
	uint32_t data;
	if (irq->mode == HW_IRQ_MSIX) {
		arch_msi_message((unsigned)irq->slot, &addr, &data);
		volatile uint32_t *e = msix_entry(d, irq->vector);
		e[3] |= MSIX_VCTL_MASK;
		e[0] = (uint32_t)addr;
		e[1] = (uint32_t)(addr >> 32);
		e[2] = data;
		unsigned ctl = d->caps.msix + MSIX_CTL;
		uint16_t c = (uint16_t)hw_cfg_read(d, ctl, 2);
		hw_cfg_write(d, ctl, 2, (uint16_t)((c | MSIX_CTL_ENABLE) & ~MSIX_CTL_MASKALL));
		/* a message is a memory write by the device: it needs bus mastering */
		command_set(d, PCI_CMD_INTX_DISABLE | PCI_CMD_MASTER, 0);
		e[3] &= ~MSIX_VCTL_MASK;
	} else if (irq->mode == HW_IRQ_MSI) {
		arch_msi_message((unsigned)irq->slot, &addr, &data);
		unsigned cap = d->caps.msi;
		uint16_t c = (uint16_t)hw_cfg_read(d, cap + MSI_CTL, 2);
		hw_cfg_write(d, cap + 4, 4, (uint32_t)addr);
		if (c & MSI_CTL_64BIT) {
			hw_cfg_write(d, cap + 8, 4, (uint32_t)(addr >> 32));
			hw_cfg_write(d, cap + 12, 2, data);
		} else {
			hw_cfg_write(d, cap + 8, 2, data);
		}
		/* one message (multiple message enable 0), enabled */
		hw_cfg_write(d, cap + MSI_CTL, 2, (uint16_t)((c & ~0x70u) | MSI_CTL_ENABLE));
		command_set(d, PCI_CMD_INTX_DISABLE | PCI_CMD_MASTER, 0);
	} else if (d->info.bus == HW_BUS_PCI) {
		command_set(d, 0, PCI_CMD_INTX_DISABLE);
	}
}

/* Every interrupt source of d off: bus mastering, MSI, MSI-X, INTx. */
static void silence(struct hw_device *d)
{
	if (d->info.bus != HW_BUS_PCI)
		return;
	command_set(d, PCI_CMD_INTX_DISABLE, PCI_CMD_MASTER);
	if (d->caps.msi) {
		uint16_t c = (uint16_t)hw_cfg_read(d, d->caps.msi + MSI_CTL, 2);
		hw_cfg_write(d, d->caps.msi + MSI_CTL, 2, c & ~MSI_CTL_ENABLE);
	}
	if (d->caps.msix) {
		unsigned ctl = d->caps.msix + MSIX_CTL;
		uint16_t c = (uint16_t)hw_cfg_read(d, ctl, 2);
		hw_cfg_write(d, ctl, 2, (uint16_t)((c | MSIX_CTL_MASKALL) & ~MSIX_CTL_ENABLE));
	}
}

/* ---- binding, hw_lock held ---- */

static struct hw_line *line_find(uint32_t gsi, bool create)
{
	struct hw_line *empty = NULL;
	for (unsigned i = 0; i < HW_MAX_LINES; i++) {
		if (lines[i].nirqs && lines[i].gsi == gsi)
			return &lines[i];
		if (!lines[i].nirqs && !empty)
			empty = &lines[i];
	}
	return create ? empty : NULL;
}

/* Unbind irq; its slot (if any) is freed. Its waiters must be woken by the caller. */
static void unbind_locked(struct hw_irq *irq)
{
	if (!irq->bound)
		return;
	struct hw_device *d = irq->dev;
	irq->bound = false;
	for (unsigned i = 0; i < HW_DEV_MAX_IRQS; i++)
		if (d->irqs[i] == irq)
			d->irqs[i] = NULL;
	if (irq->mode == HW_IRQ_MSIX) {
		msix_mask(d, irq->vector, true);
	} else if (irq->mode == HW_IRQ_MSI) {
		uint16_t c = (uint16_t)hw_cfg_read(d, d->caps.msi + MSI_CTL, 2);
		hw_cfg_write(d, d->caps.msi + MSI_CTL, 2, c & ~MSI_CTL_ENABLE);
	}
	if (irq->slot >= 0) {
		slots[irq->slot].irq = NULL;
		arch_irq_slot_free((unsigned)irq->slot);
		irq->slot = -1;
	}
	struct hw_line *l = irq->line;
	if (!l)
		return;
	irq->line = NULL;
	for (unsigned i = 0; i < l->nirqs; i++)
		if (l->irqs[i] == irq) {
			l->irqs[i] = l->irqs[--l->nirqs];
			break;
		}
	if (irq->unacked)
		l->unacked--;
	irq->unacked = false;
	if (l->nirqs == 0) {
		arch_gsi_mask(l->gsi, true);
		slots[l->slot].line = NULL;
		arch_irq_slot_free((unsigned)l->slot);
	} else if (l->unacked == 0) {
		arch_gsi_mask(l->gsi, false);
	}
}

static void irq_destroy(struct kobject *obj)
{
	struct hw_irq *irq = hw_irq_from(obj);
	uint64_t f = spin_lock_irqsave(&hw_lock);
	unbind_locked(irq);
	irq->free_next = free_list;
	free_list = irq;
	spin_unlock_irqrestore(&hw_lock, f);
}

/*
 * The last capability is gone: the vector is free from now on, not only once
 * the last reference goes (an interrupt being delivered on another CPU holds
 * one for a moment: a claim made right after the drop must not find the
 * line still bound). Waiters (holding references) see ERR_BAD_STATE.
 */
static void irq_last_cap(struct kobject *obj)
{
	struct hw_irq *irq = hw_irq_from(obj);
	uint64_t f = spin_lock_irqsave(&hw_lock);
	unbind_locked(irq);
	spin_unlock_irqrestore(&hw_lock, f);
	waitq_wake_all(&irq->wq);
}

static uint32_t irq_poll(struct kobject *obj)
{
	struct hw_irq *irq = hw_irq_from(obj);
	return __atomic_load_n(&irq->pending, __ATOMIC_ACQUIRE) ? IRQ_SIGNAL_PENDING : 0;
}

static void irq_wait_queues(struct kobject *obj, struct waitq *wq[KOBJECT_WAIT_QUEUES])
{
	wq[0] = &hw_irq_from(obj)->wq;
}

static const struct kobject_ops irq_ops = {
    .destroy = irq_destroy,
    .last_cap_dropped = irq_last_cap,
    .signals = IRQ_SIGNAL_PENDING,
    .poll = irq_poll,
    .wait_queues = irq_wait_queues,
};

static struct hw_irq *irq_alloc_locked(void)
{
	if (!pool_ready) {
		for (unsigned i = HW_MAX_IRQS; i-- > 0;) {
			pool[i].free_next = free_list;
			free_list = &pool[i];
		}
		pool_ready = true;
	}
	struct hw_irq *irq = free_list;
	if (irq)
		free_list = irq->free_next;
	return irq;
}

static uint32_t pick_mode(const struct hw_device *d, uint32_t modes)
{
	uint32_t have = d->info.irq_modes & modes;
	if (have & HW_IRQ_MSIX)
		return HW_IRQ_MSIX;
	if (have & HW_IRQ_MSI)
		return HW_IRQ_MSI;
	return have & HW_IRQ_INTX;
}

/* The binding checks (hw_lock held): 0 or the error. */
static int bind_check(struct hw_device *d, uint32_t mode, uint32_t vector, int *free_idx)
{
	*free_idx = -1;
	for (unsigned i = 0; i < HW_DEV_MAX_IRQS; i++) {
		struct hw_irq *o = d->irqs[i];
		if (!o) {
			if (*free_idx < 0)
				*free_idx = (int)i;
			continue;
		}
		if (o->mode != mode)
			return ERR_BAD_STATE; /* one interrupt mode at a time */
		if (o->vector == vector)
			return ERR_ALREADY_EXISTS;
	}
	return *free_idx < 0 ? ERR_NO_RESOURCES : 0;
}

int hw_dev_irq(struct hw_device *d, uint64_t pid, uint32_t modes, uint32_t vector,
               struct hw_irq **out)
{
	if (d->info.bus == HW_BUS_ROOT)
		return ERR_NOT_SUPPORTED;
	if (modes == 0 || (modes & ~HW_IRQ_ANY))
		return ERR_INVALID_ARGS;
	uint32_t mode = pick_mode(d, modes);
	if (!mode)
		return ERR_NOT_SUPPORTED;
	uint32_t limit = mode == HW_IRQ_MSIX  ? d->info.msix_vectors
	                 : mode == HW_IRQ_MSI ? 1
	                                      : d->nintx;
	if (vector >= limit)
		return ERR_OUT_OF_RANGE;
	uint32_t key = mode == HW_IRQ_INTX ? d->intx_gsi[vector] : vector;
	int slot = arch_irq_slot_alloc(); /* INTx: used only if the line is new */
	if (slot < 0)
		return slot;
	uint64_t f = spin_lock_irqsave(&hw_lock);
	int idx, r = hw_claim_locked(d, pid);
	if (!r)
		r = bind_check(d, mode, key, &idx);
	struct hw_line *l = NULL;
	if (!r && mode == HW_IRQ_INTX) {
		l = line_find(key, true);
		if (!l || l->nirqs == HW_LINE_MAX_IRQS)
			r = ERR_NO_RESOURCES;
	}
	struct hw_irq *irq = r ? NULL : irq_alloc_locked();
	if (!r && !irq)
		r = ERR_NO_RESOURCES;
	if (r) {
		spin_unlock_irqrestore(&hw_lock, f);
		arch_irq_slot_free((unsigned)slot);
		return r;
	}
	memset(irq, 0, sizeof(*irq));
	kobject_init(&irq->obj, OBJ_IRQ, &irq_ops);
	waitq_init(&irq->wq);
	irq->dev = d;
	irq->mode = mode;
	irq->vector = key;
	irq->bound = true;
	irq->slot = -1;
	d->irqs[idx] = irq;
	if (l) {
		bool fresh = l->nirqs == 0;
		l->irqs[l->nirqs++] = irq;
		irq->line = l;
		if (fresh) {
			l->gsi = key;
			l->slot = slot;
			l->level = d->intx_level[vector];
			l->active_low = d->intx_low[vector];
			l->unacked = 0;
			slots[slot].line = l;
			slot = -1;
			arch_gsi_route(l->gsi, l->level, l->active_low, (unsigned)l->slot);
			arch_gsi_mask(l->gsi, false);
		}
	} else {
		irq->slot = slot;
		slots[slot].irq = irq;
		slot = -1;
	}
	program(irq);
	spin_unlock_irqrestore(&hw_lock, f);
	if (slot >= 0)
		arch_irq_slot_free((unsigned)slot); /* a shared line had one already */
	*out = irq;
	return 0;
}

void hw_irq_release_device(struct hw_device *d)
{
	struct hw_irq *wake[HW_DEV_MAX_IRQS];
	unsigned n = 0;
	uint64_t f = spin_lock_irqsave(&hw_lock);
	silence(d);
	for (unsigned i = 0; i < HW_DEV_MAX_IRQS; i++) {
		struct hw_irq *irq = d->irqs[i];
		if (irq && kobject_try_get(&irq->obj)) {
			unbind_locked(irq);
			wake[n++] = irq;
		} else if (irq) {
			unbind_locked(irq); /* being destroyed: nobody waits */
		}
	}
	spin_unlock_irqrestore(&hw_lock, f);
	for (unsigned i = 0; i < n; i++) {
		waitq_wake_all(&wake[i]->wq);
		kobject_put(&wake[i]->obj);
	}
}

void hw_irq_deliver(unsigned slot)
{
	struct hw_irq *wake[HW_LINE_MAX_IRQS];
	unsigned n = 0;
	if (slot >= ARCH_IRQ_SLOTS)
		return;
	spin_lock(&hw_lock);
	struct hw_irq *one = slots[slot].irq;
	struct hw_line *l = slots[slot].line;
	if (one && one->bound) {
		if (one->mode == HW_IRQ_MSIX)
			msix_mask(one->dev, one->vector, true); /* until the ack */
		if (kobject_try_get(&one->obj))
			wake[n++] = one;
	} else if (l) {
		if (l->level) {
			arch_gsi_mask(l->gsi, true); /* until every object on it acks */
			l->unacked = 0;
		}
		for (unsigned i = 0; i < l->nirqs; i++) {
			struct hw_irq *irq = l->irqs[i];
			if (l->level) {
				irq->unacked = true;
				l->unacked++;
			}
			if (kobject_try_get(&irq->obj))
				wake[n++] = irq;
		}
	}
	for (unsigned i = 0; i < n; i++) {
		__atomic_fetch_add(&wake[i]->count, 1, __ATOMIC_RELAXED);
		__atomic_fetch_add(&wake[i]->pending, 1, __ATOMIC_RELEASE);
	}
	spin_unlock(&hw_lock);
	for (unsigned i = 0; i < n; i++) {
		waitq_wake_all(&wake[i]->wq);
		kobject_put(&wake[i]->obj);
	}
}

static bool wait_cond(void *arg)
{
	struct hw_irq *irq = arg;
	return __atomic_load_n(&irq->pending, __ATOMIC_ACQUIRE) ||
	       !__atomic_load_n(&irq->bound, __ATOMIC_ACQUIRE);
}

long hw_irq_wait(struct hw_irq *irq, uint64_t timeout_ns)
{
	if (!__atomic_load_n(&irq->bound, __ATOMIC_ACQUIRE))
		return ERR_BAD_STATE;
	uint64_t p = __atomic_load_n(&irq->pending, __ATOMIC_ACQUIRE);
	if (!p) {
		if (timeout_ns == 0)
			return ERR_TIMED_OUT;
		int r = waitq_wait(&irq->wq, wait_cond, irq, timeout_ns);
		if (r)
			return r;
		p = __atomic_load_n(&irq->pending, __ATOMIC_ACQUIRE);
		if (!p)
			return ERR_BAD_STATE; /* unbound meanwhile */
	}
	return (long)p;
}

int hw_irq_ack(struct hw_irq *irq)
{
	uint64_t f = spin_lock_irqsave(&hw_lock);
	if (!irq->bound) {
		spin_unlock_irqrestore(&hw_lock, f);
		return ERR_BAD_STATE;
	}
	__atomic_store_n(&irq->pending, 0, __ATOMIC_RELEASE);
	if (irq->mode == HW_IRQ_MSIX) {
		msix_mask(irq->dev, irq->vector, false);
	} else if (irq->line && irq->unacked) {
		irq->unacked = false;
		if (--irq->line->unacked == 0)
			arch_gsi_mask(irq->line->gsi, false);
	}
	spin_unlock_irqrestore(&hw_lock, f);
	return 0;
}

void hw_irq_info(struct hw_irq *irq, struct hw_irq_info *out)
{
	out->mode = irq->mode;
	out->vector = irq->vector;
	out->count = __atomic_load_n(&irq->count, __ATOMIC_RELAXED);
}
