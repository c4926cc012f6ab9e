/*
 * aspace.c - OBJ_ADDRESS_SPACE: mapping records over vmm page tables.
 *
 * The records (as->map) are a sorted array of non-overlapping mappings,
 * found by binary search; they are the truth about which memory is mapped
 * where, and the page tables always agree with them whenever the lock is
 * free. User mappings use 4 KiB pages only, so unmap and protect never
 * allocate a page table (no 2 MiB page to split) and cannot fail halfway.
 *
 * Accounting: the record array is charged by capacity (grown by doubling).
 * Page tables are charged by reserving the worst case for a map before it
 * runs (arch_mmu_tables_needed(): on x86-64 one PT per 2 MiB region, PD per
 * 1 GiB region and PDPT per 512 GiB region the range touches) and returning
 * what was not used; vmm never frees user tables before the space dies, so
 * as->tables_charged always equals vmm_table_pages() and a failed map cannot
 * leave uncharged tables behind.
 *
 * Every operation is "decode, then invoke" under the lock: everything that
 * can fail (argument checks, overlap or hole checks, record and page-table
 * reservations) comes first; the changes after it cannot fail. Unmap and
 * protect invoke in steps (ASPACE_STEP_PAGES, ASPACE_STEP_RECORDS) with the
 * lock released between them, so interrupts run and a kill is seen: a kill
 * between steps stops the call with ERR_INTERRUPTED, a prefix done. Between
 * steps the records still match the page tables; a mapping cut by a step's
 * end is joined again by the next step (protect), so the result is the
 * records a single step would have left. Memory object references of
 * removed mappings are put after the lock (a last put frees pages).
 *
 * A map longer than a step fills: its decode inserts the record marked
 * `filling` (with its reference on the memory object and its page tables
 * reserved), then steps map ASPACE_STEP_PAGES pages each with the lock
 * released between them, and the last step clears the mark. A filling
 * record is the one place where records and page tables disagree: its pages
 * are mapped from its base up to the filler's progress. So nobody else
 * touches it: a map, unmap, protect or query that meets a filling record in
 * its range sleeps (killably, on fill_wq) until a fill ends, then decodes
 * again; a page fault inside it waits the same way and retries the access;
 * a protect step skips one that appeared after its decode (a new mapping,
 * as a remapped part). Waiting, not ERR_BAD_STATE, because the fill is
 * always short-lived and its owner never waits for anything, so no waiter
 * can deadlock, and a map then looks atomic to every other thread: it takes
 * effect when its last step ends. A filler killed between steps (or whose
 * page-table allocation fails) undoes what it mapped, in steps as well, and
 * removes the record: the map fails with ERR_INTERRUPTED (ERR_NO_MEMORY) and
 * changes nothing but the page tables it already built, which stay charged
 * as after any failed map. The undo is no longer than what was done, so a
 * kill waits at most as long as the map had run. Each step charges the page
 * tables it grew against the fill's reservation, so another operation's
 * settle between steps sees only its own growth.
 */
#include <obj/aspace.h>

#include <abi/errors.h>
#include <arch/irq_flags.h>
#include <arch/smp.h>
#include <lib/compiler.h>
#include <lib/panic.h>
#include <lib/string.h>
#include <mm/kmalloc.h>
#include <mm/pmm.h>
#include <obj/memory.h>
#include <obj/pool.h>
#include <sched/sched.h>
#include <sched/waitq.h>

/*
 * Take as's lock with interrupts off. A holder may be waiting for a TLB
 * shootdown that this CPU must serve, so serve cross-CPU calls while waiting.
 */
static uint64_t as_lock(struct aspace *as)
{
	uint64_t irq = arch_irq_save();
	while (!spin_trylock(&as->obj.lock)) {
		smp_poll_calls();
		arch_cpu_relax();
	}
	return irq;
}

static void as_unlock(struct aspace *as, uint64_t irq)
{
	spin_unlock_irqrestore(&as->obj.lock, irq);
}

static uint64_t map_end(const struct as_mapping *mp)
{
	return mp->base + mp->length;
}

/* Index of the first mapping that ends above va (count if none). Lock held. */
static uint32_t first_ending_after(struct aspace *as, uint64_t va)
{
	uint32_t lo = 0, hi = as->count;
	while (lo < hi) {
		uint32_t mid = lo + (hi - lo) / 2;
		if (map_end(&as->map[mid]) > va)
			hi = mid;
		else
			lo = mid + 1;
	}
	return lo;
}

/* Make room for `extra` more records, charging the growth. Lock held. */
static int reserve_records(struct aspace *as, uint32_t extra)
{
	if (as->count + extra <= as->capacity)
		return 0;
	if (as->count + extra > ASPACE_MAX_MAPPINGS)
		return ERR_NO_RESOURCES;
	uint32_t cap = as->capacity ? as->capacity : 8;
	while (cap < as->count + extra)
		cap *= 2;
	cap = MIN(cap, ASPACE_MAX_MAPPINGS);
	uint64_t grow = (uint64_t)(cap - as->capacity) * sizeof(struct as_mapping);
	if (pool_charge(as->pool, grow))
		return ERR_NO_MEMORY;
	struct as_mapping *n = kmalloc((size_t)cap * sizeof(*n));
	if (!n) {
		pool_uncharge(as->pool, grow);
		return ERR_NO_MEMORY;
	}
	if (as->count)
		memcpy(n, as->map, (size_t)as->count * sizeof(*n));
	kfree(as->map);
	as->map = n;
	as->capacity = cap;
	return 0;
}

/* Insert *mp at index i (room reserved). Lock held. */
static void insert_record(struct aspace *as, uint32_t i, const struct as_mapping *mp)
{
	memmove(&as->map[i + 1], &as->map[i], (size_t)(as->count - i) * sizeof(*mp));
	as->map[i] = *mp;
	as->count++;
}

static bool prot_ok(unsigned prot)
{
	return !(prot & ~PROT_ALL) && (prot & PROT_READ) &&
	       (prot & (PROT_WRITE | PROT_EXEC)) != (PROT_WRITE | PROT_EXEC);
}

static unsigned vm_flags(unsigned prot)
{
	return VM_USER | ((prot & PROT_WRITE) ? VM_WRITE : 0) | ((prot & PROT_EXEC) ? VM_EXEC : 0);
}

/* Aligned, non-empty, non-wrapping, inside [lowest, end). */
static bool user_range_valid(uint64_t va, uint64_t len, uint64_t lowest, uint64_t end)
{
	return IS_ALIGNED(va, PAGE_SIZE) && IS_ALIGNED(len, PAGE_SIZE) && len > 0 && va >= lowest &&
	       va + len > va && va + len <= end;
}

/*
 * Pay the page-table pages grown since the last call out of *reserved (pages
 * charged in advance). Every operation calls it before letting go of the
 * lock, so the growth it sees is its own. Lock held.
 */
static void take_tables(struct aspace *as, uint64_t *reserved)
{
	uint64_t grown = vmm_table_pages(&as->vs) - as->tables_charged;
	ASSERT(grown <= *reserved);
	*reserved -= grown;
	as->tables_charged = vmm_table_pages(&as->vs);
}

/* take_tables(), then return the rest of the reservation. Lock held. */
static void settle_tables(struct aspace *as, uint64_t reserved_pages)
{
	take_tables(as, &reserved_pages);
	pool_uncharge(as->pool, reserved_pages * PAGE_SIZE);
}

/*
 * Waiting for fills (see the top of the file). An operation that meets a
 * filling record notes fill_gen under the lock, lets go and sleeps until it
 * changes (every fill's end bumps it), then decodes again.
 */
#define AS_FILLING 1 /* internal: a filling record is in the way; not an error */

struct fill_wait {
	struct aspace *as;
	uint64_t gen;
};

static bool fill_ended(void *arg)
{
	struct fill_wait *w = arg;
	return __atomic_load_n(&w->as->fill_gen, __ATOMIC_ACQUIRE) != w->gen;
}

/* Sleep until a fill ends after gen was read: 0, or ERR_INTERRUPTED. No lock held. */
static int wait_fill(struct aspace *as, uint64_t gen)
{
	struct fill_wait w = {as, gen};
	return waitq_wait(&as->fill_wq, fill_ended, &w, WAIT_FOREVER);
}

/* Note the generation, let go of the lock and wait (see wait_fill). */
static int unlock_wait_fill(struct aspace *as, uint64_t irq)
{
	uint64_t gen = as->fill_gen;
	as_unlock(as, irq);
	return wait_fill(as, gen);
}

/*
 * vmm_map the pages of m, physically contiguous runs at a time; a paged
 * object's absent pages are left unmapped (the first touch maps them:
 * aspace_fault_paged()). Lock held.
 */
static int map_pages(struct aspace *as, uint64_t va, struct memory *m, uint64_t off, uint64_t len,
                     unsigned prot)
{
	uint64_t first = off / PAGE_SIZE, n = len / PAGE_SIZE;
	for (uint64_t i = 0; i < n;) {
		uint64_t pa = memory_page_lookup(m, first + i), run = 1;
		if (!pa) {
			i++;
			continue;
		}
		while (i + run < n &&
		       memory_page_lookup(m, first + i + run) == pa + run * PAGE_SIZE)
			run++;
		int err = vmm_map(&as->vs, va + i * PAGE_SIZE, pa, run * PAGE_SIZE,
		                  vm_flags(prot) | memory_vm_cache(m));
		if (err) {
			if (i)
				vmm_unmap(&as->vs, va, i * PAGE_SIZE);
			return err;
		}
		i += run;
	}
	return 0;
}

static void aspace_destroy(struct kobject *obj)
{
	struct aspace *as = aspace_from(obj);
	/*
	 * No CPU has the space loaded any more (aspace_activate's rule), so no
	 * TLB holds its translations: the tables and pages can go at once.
	 */
	ASSERT(as->fills == 0); /* a filler holds a reference */
	vmm_space_destroy(&as->vs);
	for (uint32_t i = 0; i < as->count; i++)
		kobject_put(&as->map[i].mem->obj);
	kfree(as->map);
	pool_uncharge(as->pool, as->tables_charged * PAGE_SIZE +
	                            (uint64_t)as->capacity * sizeof(struct as_mapping) +
	                            sizeof(*as) + (as->io_charged ? ARCH_IOPERM_BYTES : 0));
	pool_put(as->pool);
	kfree(as);
}

static const struct kobject_ops aspace_ops = {
    .destroy = aspace_destroy,
};

int aspace_create(struct mem_pool *pool, struct aspace **out)
{
	int err = pool_charge(pool, sizeof(struct aspace) + PAGE_SIZE);
	if (err)
		return err;
	struct aspace *as = kzalloc(sizeof(*as));
	if (!as)
		goto out_uncharge;
	if (vmm_space_create(&as->vs))
		goto out_free;
	ASSERT(vmm_table_pages(&as->vs) == 1);
	kobject_init(&as->obj, OBJ_ADDRESS_SPACE, &aspace_ops);
	waitq_init(&as->fill_wq);
	as->pool = pool;
	pool_get(pool);
	as->tables_charged = 1;
	*out = as;
	return 0;

out_free:
	kfree(as);
out_uncharge:
	pool_uncharge(pool, sizeof(struct aspace) + PAGE_SIZE);
	return ERR_NO_MEMORY;
}

int aspace_map(struct aspace *as, uint64_t va, struct memory *m, uint64_t off, uint64_t len,
               unsigned prot)
{
	return aspace_map_limited(as, va, m, off, len, prot, PROT_ALL);
}

/*
 * Long operations go in steps: a step holds the lock (interrupts off) for at
 * most ASPACE_STEP_PAGES pages and ASPACE_STEP_RECORDS records, then lets go,
 * so interrupts and the tick run and a kill ends the call (ERR_INTERRUPTED).
 */
static bool as_step_interrupted(void)
{
	return sched_kill_pending(sched_current());
}

/*
 * End the fill of the record at va, done bytes of it mapped: on err undo
 * them (in steps; a kill does not stop an undo) and remove the record, else
 * make it an ordinary mapping. Returns the rest of the table reservation and
 * wakes whoever waits for a fill. No lock held.
 */
static int fill_end(struct aspace *as, uint64_t va, uint64_t done, uint64_t reserve, int err)
{
	while (err && done) {
		uint64_t n = MIN(done, (uint64_t)ASPACE_STEP_PAGES * PAGE_SIZE);
		uint64_t irq = as_lock(as);
		vmm_unmap(&as->vs, va + done - n, n);
		as_unlock(as, irq);
		done -= n;
	}
	struct memory *put = NULL;
	uint64_t irq = as_lock(as);
	uint32_t i = first_ending_after(as, va);
	ASSERT(i < as->count && as->map[i].base == va && as->map[i].filling);
	if (err) {
		put = as->map[i].mem;
		memmove(&as->map[i], &as->map[i + 1],
		        (size_t)(as->count - i - 1) * sizeof(*as->map));
		as->count--;
	} else {
		as->map[i].filling = 0;
	}
	__atomic_fetch_sub(&as->fills, 1, __ATOMIC_RELAXED);
	__atomic_store_n(&as->fill_gen, as->fill_gen + 1, __ATOMIC_RELEASE);
	as_unlock(as, irq);
	pool_uncharge(as->pool, reserve * PAGE_SIZE);
	waitq_wake_all(&as->fill_wq);
	if (put)
		kobject_put(&put->obj);
	return err;
}

/*
 * Fill the record rec (inserted, marked filling) a step at a time, with a
 * kill check between steps; reserve: page-table pages charged for it.
 */
static int map_fill(struct aspace *as, const struct as_mapping *rec, uint64_t reserve)
{
	uint64_t done = 0;
	int err = 0;
	while (done < rec->length) {
		if (done && as_step_interrupted()) {
			err = ERR_INTERRUPTED;
			break;
		}
		uint64_t n = MIN(rec->length - done, (uint64_t)ASPACE_STEP_PAGES * PAGE_SIZE);
		uint64_t irq = as_lock(as);
		err = map_pages(as, rec->base + done, rec->mem, rec->offset + done, n, rec->prot);
		take_tables(as, &reserve);
		as_unlock(as, irq);
		if (err)
			break;
		done += n;
	}
	return fill_end(as, rec->base, done, reserve, err);
}

int aspace_map_limited(struct aspace *as, uint64_t va, struct memory *m, uint64_t off, uint64_t len,
                       unsigned prot, unsigned max_prot)
{
	/* never the last user page (arch/mmu.h, USER_MAP_END) */
	if (!user_range_valid(va, len, PAGE_SIZE, USER_MAP_END) || !IS_ALIGNED(off, PAGE_SIZE) ||
	    !prot_ok(prot))
		return ERR_INVALID_ARGS;
	if (prot & ~max_prot)
		return ERR_ACCESS_DENIED;
	if (off > memory_size(m) || len > memory_size(m) - off)
		return ERR_OUT_OF_RANGE;

	uint64_t irq = as_lock(as);
	uint32_t i = first_ending_after(as, va);
	int err = ERR_ALREADY_EXISTS;
	while (i < as->count && as->map[i].base < va + len) {
		if (!as->map[i].filling)
			goto out;
		err = unlock_wait_fill(as, irq); /* it may yet be undone */
		if (err)
			return err;
		irq = as_lock(as);
		i = first_ending_after(as, va);
		err = ERR_ALREADY_EXISTS;
	}
	err = reserve_records(as, 1);
	if (err)
		goto out;
	uint64_t reserve = arch_mmu_tables_needed(va, len);
	err = pool_charge(as->pool, reserve * PAGE_SIZE);
	if (err)
		goto out;
	if (memory_is_paged(m))
		__atomic_store_n(&as->has_paged, true, __ATOMIC_RELEASE);
	struct as_mapping rec = {
	    .base = va,
	    .length = len,
	    .offset = off,
	    .mem = m,
	    .prot = (uint8_t)prot,
	    .max_prot = (uint8_t)(max_prot & PROT_ALL),
	};
	if (len > (uint64_t)ASPACE_STEP_PAGES * PAGE_SIZE) {
		rec.filling = 1;
		kobject_get(&m->obj);
		insert_record(as, i, &rec);
		__atomic_fetch_add(&as->fills, 1, __ATOMIC_RELAXED);
		as_unlock(as, irq);
		return map_fill(as, &rec, reserve);
	}
	err = map_pages(as, va, m, off, len, prot);
	settle_tables(as, reserve);
	if (err)
		goto out;
	kobject_get(&m->obj);
	insert_record(as, i, &rec);
out:
	as_unlock(as, irq);
	return err;
}

/* Split record i at address at (strictly inside it); room reserved. Lock held. */
static void split_record(struct aspace *as, uint32_t i, uint64_t at)
{
	struct as_mapping right = as->map[i];
	uint64_t cut = at - right.base;
	right.base = at;
	right.offset += cut;
	right.length -= cut;
	as->map[i].length = cut;
	kobject_get(&right.mem->obj);
	insert_record(as, i + 1, &right);
}

/*
 * One step of an unmap of [*cur, end): unmaps at most a step's worth, advances
 * *cur (to end when done) and hands the memory objects of removed mappings to
 * put[] (their references go after the lock). AS_FILLING: the next mapping in
 * the range is filling (the step ends just before it). Lock held.
 */
static int unmap_step(struct aspace *as, uint64_t *cur, uint64_t end, struct memory **put,
                      unsigned *nput)
{
	uint64_t budget = ASPACE_STEP_PAGES;
	uint32_t i = first_ending_after(as, *cur);
	if (i < as->count && as->map[i].base < end && as->map[i].filling)
		return AS_FILLING;
	if (i < as->count && as->map[i].base < *cur) {
		struct as_mapping *mp = &as->map[i];
		if (map_end(mp) > end) {
			/* The hole is strictly inside one mapping: it becomes two. */
			int err = reserve_records(as, 1);
			if (err)
				return err;
			split_record(as, i, *cur);
			i++;
		} else {
			/* Its tail goes, from the end back, so the record stays one. */
			uint64_t s = MAX(*cur, map_end(mp) - budget * PAGE_SIZE);
			vmm_unmap(&as->vs, s, map_end(mp) - s); /* 4 KiB pages only: cannot fail */
			mp->length = s - mp->base;
			return 0; /* the next step finds what follows */
		}
	}
	uint32_t r, w = i;
	bool done = true;
	for (r = i; r < as->count && as->map[r].base < end; r++) {
		if (!budget || r - i == ASPACE_STEP_RECORDS || as->map[r].filling) {
			done = false;
			break;
		}
		struct as_mapping mp = as->map[r];
		uint64_t e = MIN(MIN(map_end(&mp), end), mp.base + budget * PAGE_SIZE);
		vmm_unmap(&as->vs, mp.base, e - mp.base);
		budget -= (e - mp.base) / PAGE_SIZE;
		*cur = e;
		if (e < map_end(&mp)) {
			as->map[w] = mp; /* keeps its tail */
			as->map[w].base = e;
			as->map[w].offset += e - mp.base;
			as->map[w++].length = map_end(&mp) - e;
			done = e == end;
			r++;
			break;
		}
		/* Gone: its pages left every TLB in vmm_unmap's shootdown. */
		put[(*nput)++] = mp.mem;
	}
	if (r != w) {
		memmove(&as->map[w], &as->map[r], (size_t)(as->count - r) * sizeof(*as->map));
		as->count -= r - w;
	}
	if (done)
		*cur = end;
	return 0;
}

int aspace_unmap(struct aspace *as, uint64_t va, uint64_t len)
{
	if (!user_range_valid(va, len, 0, USER_SPACE_END))
		return ERR_INVALID_ARGS;
	uint64_t cur = va, end = va + len;
	for (;;) {
		struct memory *put[ASPACE_STEP_RECORDS];
		unsigned nput = 0;
		uint64_t irq = as_lock(as);
		int err = unmap_step(as, &cur, end, put, &nput);
		uint64_t gen = as->fill_gen;
		as_unlock(as, irq);
		/* A last reference frees the object's pages: not with interrupts off. */
		for (unsigned k = 0; k < nput; k++)
			kobject_put(&put[k]->obj);
		if (err == AS_FILLING)
			err = wait_fill(as, gen);
		if (err || cur >= end)
			return err;
		if (as_step_interrupted())
			return ERR_INTERRUPTED;
	}
}

/*
 * Decode a protect: no holes, every mapping allows prot, records for the two
 * ends. AS_FILLING: no hole, but a mapping in the range is filling. Lock held.
 */
static int protect_decode(struct aspace *as, uint64_t va, uint64_t end, unsigned prot)
{
	uint32_t i = first_ending_after(as, va), j;
	int err = 0;
	bool filling = false;
	uint64_t covered = va;
	for (j = i; j < as->count && as->map[j].base < end; j++) {
		if (as->map[j].base > covered)
			return ERR_NOT_FOUND;
		if (prot & ~as->map[j].max_prot)
			err = ERR_ACCESS_DENIED;
		filling |= as->map[j].filling;
		covered = map_end(&as->map[j]);
	}
	if (covered < end)
		return ERR_NOT_FOUND;
	if (filling)
		return AS_FILLING;
	if (err)
		return err;
	return reserve_records(as, (as->map[i].base < va) + (map_end(&as->map[j - 1]) > end));
}

/* Can b's head join a, which ends where b starts, once it has prot? */
static bool joinable(const struct as_mapping *a, const struct as_mapping *b, unsigned prot)
{
	return !a->filling && !b->filling && map_end(a) == b->base && a->mem == b->mem &&
	       a->offset + a->length == b->offset && a->prot == prot && a->max_prot == b->max_prot;
}

/* Remove record i, whose pages now belong to another record. Lock held. */
static void remove_record(struct aspace *as, uint32_t i)
{
	kobject_put(&as->map[i].mem->obj); /* the joined record holds another reference */
	memmove(&as->map[i], &as->map[i + 1], (size_t)(as->count - i - 1) * sizeof(*as->map));
	as->count--;
}

/*
 * One step of a protect of [*cur, end), decoded already: at most a step's
 * worth of pages. A mapping longer than a step is cut at the step's end
 * (*seam); the next step moves that boundary forward instead of cutting
 * again, so a long protect leaves the same records as a short one. Parts
 * unmapped or remapped by another thread between steps are skipped. Lock held.
 */
static int protect_step(struct aspace *as, uint64_t *cur, uint64_t end, unsigned prot,
                        uint64_t *seam)
{
	uint64_t budget = ASPACE_STEP_PAGES;
	for (unsigned n = 0; n < ASPACE_STEP_RECORDS && budget; n++) {
		uint32_t j = first_ending_after(as, *cur);
		if (j == as->count || as->map[j].base >= end) {
			*cur = end;
			return 0;
		}
		if (as->map[j].base > *cur)
			*cur = as->map[j].base;
		if ((prot & ~as->map[j].max_prot) || as->map[j].filling) {
			/* mapped since the decode: not ours to change */
			*cur = map_end(&as->map[j]);
			continue;
		}
		if (as->map[j].base < *cur) {
			int err = reserve_records(as, 1);
			if (err)
				return err;
			split_record(as, j, *cur);
			j++;
		}
		struct as_mapping *mp = &as->map[j];
		uint64_t e = MIN(MIN(map_end(mp), end), *cur + budget * PAGE_SIZE);
		unsigned flags = vm_flags(prot) | memory_vm_cache(mp->mem);
		/* paged memory: only the pages touched so far are mapped */
		int r = memory_is_paged(mp->mem)
		            ? vmm_protect_present(&as->vs, *cur, e - *cur, flags)
		            : vmm_protect(&as->vs, *cur, e - *cur, flags);
		ASSERT(r == 0); /* mapped with 4 KiB pages: nothing to allocate */
		budget -= (e - *cur) / PAGE_SIZE;
		bool join = *seam == *cur && j > 0 && joinable(&as->map[j - 1], mp, prot);
		*seam = 0;
		if (join) {
			as->map[j - 1].length += e - *cur;
			if (e == map_end(mp)) {
				remove_record(as, j);
			} else {
				mp->offset += e - mp->base;
				mp->length -= e - mp->base;
				mp->base = e;
				*seam = e;
			}
		} else {
			if (e < map_end(mp)) {
				int err = reserve_records(as, 1);
				if (err)
					return err;
				split_record(as, j, e);
				*seam = e;
			}
			as->map[j].prot = (uint8_t)prot;
		}
		*cur = e;
		if (e == end)
			return 0;
	}
	return 0;
}

int aspace_protect(struct aspace *as, uint64_t va, uint64_t len, unsigned prot)
{
	if (!user_range_valid(va, len, 0, USER_SPACE_END) || !prot_ok(prot))
		return ERR_INVALID_ARGS;
	uint64_t cur = va, end = va + len, seam = 0;
	uint64_t irq = as_lock(as);
	int err;
	while ((err = protect_decode(as, va, end, prot)) == AS_FILLING) {
		err = unlock_wait_fill(as, irq);
		if (err)
			return err;
		irq = as_lock(as);
	}
	while (!err) {
		err = protect_step(as, &cur, end, prot, &seam);
		if (err || cur >= end)
			break;
		as_unlock(as, irq);
		if (as_step_interrupted())
			return ERR_INTERRUPTED;
		irq = as_lock(as);
	}
	as_unlock(as, irq);
	return err;
}

int aspace_query(struct aspace *as, uint64_t va, struct as_region *out)
{
	uint64_t irq = as_lock(as);
	uint32_t i = first_ending_after(as, va);
	int err = ERR_NOT_FOUND;
	while (i < as->count && as->map[i].base <= va && as->map[i].filling) {
		err = unlock_wait_fill(as, irq);
		if (err)
			return err;
		irq = as_lock(as);
		i = first_ending_after(as, va);
		err = ERR_NOT_FOUND;
	}
	if (i < as->count && as->map[i].base <= va) {
		const struct as_mapping *mp = &as->map[i];
		*out = (struct as_region){
		    .base = mp->base,
		    .length = mp->length,
		    .offset = mp->offset,
		    .prot = mp->prot,
		    .memory_id = mp->mem->obj.id,
		};
		err = 0;
	}
	as_unlock(as, irq);
	return err;
}

bool aspace_fault_wait(struct aspace *as, uint64_t va)
{
	if (!__atomic_load_n(&as->fills, __ATOMIC_ACQUIRE))
		return false; /* the fast path: no map is filling */
	arch_irq_enable();
	uint64_t irq = as_lock(as);
	uint32_t i = first_ending_after(as, va);
	if (i < as->count && as->map[i].base <= va && as->map[i].filling)
		return unlock_wait_fill(as, irq) == 0;
	as_unlock(as, irq);
	return false;
}

/* Map the present page pa at va for record mp, paying for page tables. Lock held. */
static int map_one(struct aspace *as, const struct as_mapping *mp, uint64_t va, uint64_t pa)
{
	uint64_t reserve = arch_mmu_tables_needed(va, PAGE_SIZE);
	int err = pool_charge(as->pool, reserve * PAGE_SIZE);
	if (err)
		return err;
	err = vmm_map(&as->vs, va, pa, PAGE_SIZE, vm_flags(mp->prot) | memory_vm_cache(mp->mem));
	settle_tables(as, reserve);
	return err == ERR_ALREADY_EXISTS ? 0 : err; /* another thread's fault mapped it */
}

int aspace_fault_paged(struct aspace *as, uint64_t addr, unsigned access)
{
	if (!__atomic_load_n(&as->has_paged, __ATOMIC_ACQUIRE))
		return 0; /* the fast path: no paged memory was ever mapped here */
	arch_irq_enable();
	uint64_t va = ALIGN_DOWN(addr, PAGE_SIZE);
	for (bool asked = false;;) {
		uint64_t irq = as_lock(as);
		uint32_t i = first_ending_after(as, va);
		struct as_mapping *mp = i < as->count && as->map[i].base <= va ? &as->map[i] : NULL;
		if (mp && mp->filling)
			return unlock_wait_fill(as, irq) == 0 ? 1 : -1;
		if (!mp || !memory_is_paged(mp->mem)) {
			as_unlock(as, irq);
			return 0;
		}
		if (access & ~(unsigned)mp->prot) {
			as_unlock(as, irq);
			return -1; /* not allowed by the mapping: a real fault */
		}
		uint64_t index = (mp->offset + (va - mp->base)) / PAGE_SIZE;
		uint64_t pa = memory_page_lookup(mp->mem, index);
		if (pa) {
			int err = map_one(as, mp, va, pa);
			as_unlock(as, irq);
			return err ? -1 : 1;
		}
		struct memory *m = mp->mem;
		kobject_get(&m->obj); /* the record may go while the pager works */
		as_unlock(as, irq);
		/* asked already: the pager answered without supplying the page */
		bool present = !asked && memory_page_in(m, index, access, WAIT_FOREVER);
		kobject_put(&m->obj);
		if (!present)
			return -1;
		asked = true;
	}
}

void aspace_activate(struct aspace *as)
{
	vmm_space_activate(&as->vs);
}

struct aspace *aspace_from(struct kobject *obj)
{
	return KOBJECT_CAST(obj, OBJ_ADDRESS_SPACE, struct aspace, obj);
}

int aspace_io_enable(struct aspace *as, uint32_t first, uint32_t count)
{
	uint8_t *bits = NULL;
	if (!arch_ioperm_present(&as->vs.mmu)) {
		int err = pool_charge(as->pool, ARCH_IOPERM_BYTES);
		if (err)
			return err;
		bits = arch_ioperm_alloc();
		if (!bits) {
			pool_uncharge(as->pool, ARCH_IOPERM_BYTES);
			return ERR_NO_MEMORY;
		}
	}
	uint64_t irq = as_lock(as);
	uint8_t *spare = NULL;
	if (bits && arch_ioperm_present(&as->vs.mmu)) { /* another thread won the race */
		spare = bits;
		bits = NULL;
	} else if (bits) {
		as->io_charged = true;
	}
	arch_ioperm_allow(&as->vs.mmu, bits, first, count);
	as_unlock(as, irq);
	if (spare) {
		arch_ioperm_free(spare);
		pool_uncharge(as->pool, ARCH_IOPERM_BYTES);
	}
	return 0;
}
