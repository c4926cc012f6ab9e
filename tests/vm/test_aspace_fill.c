/*
 * test_aspace_fill.c - a long map fills in steps (obj/aspace.c): what another
 * thread sees meanwhile, and a kill in the middle; a kill in the middle of a
 * memory object's creation (obj/memory.c).
 *
 * The mapped object is a wrapped physical range that nobody touches, so a map
 * can be long (1 GiB: 262,144 pages) without the memory to back it. The
 * worker runs on another CPU when there is one, so a kill lands in the middle
 * even of an operation that keeps interrupts off (the old kernel's map); on
 * one CPU the worker is preempted by the tick that wakes the test thread. A
 * worker that ended before its kill proves nothing: the test says so and
 * passes.
 */
#include <vmtest.h>

#include <abi/errors.h>
#include <arch/percpu.h>
#include <lib/log.h>
#include <mm/pmm.h>
#include <mm/vmm.h>
#include <obj/aspace.h>
#include <obj/memory.h>
#include <obj/pool.h>
#include <sched/sched.h>

#define FILL_VA UINT64_C(0x200000000000)
#define FILL_SIZE (UINT64_C(1) << 30)
#define FILL_POOL (UINT64_C(1) << 40)
#define FILL_KILL_AFTER_NS (2 * UINT64_C(1000000))

struct worker {
	struct aspace *as;
	struct memory *m;
	struct mem_pool *pool;
	uint64_t size;
	volatile int result;
	volatile bool started, done;
};

static void map_main(void *arg)
{
	struct worker *w = arg;
	w->started = true;
	w->result = aspace_map(w->as, FILL_VA, w->m, 0, w->size, PROT_READ);
	w->done = true;
}

static void create_main(void *arg)
{
	struct worker *w = arg;
	w->started = true;
	w->result = memory_create(w->pool, w->size, &w->m);
	w->done = true;
}

static struct thread *start_worker(void (*fn)(void *), struct worker *w)
{
	int cpu = vmtest_cpus() > 1 ? (int)((this_cpu()->id + 1) % vmtest_cpus()) : -1;
	struct thread *t = thread_create("fill-test", fn, w, cpu);
	sched_start(t);
	while (!w->started)
		sched_yield();
	return t;
}

/* Room for the page tables of a FILL_SIZE map (2 MiB of them per GiB) and more. */
static bool fill_room(void)
{
	return pmm_free_pages() * PAGE_SIZE > FILL_SIZE / 256 + (UINT64_C(16) << 20);
}

VM_TEST(aspace_map_fill_waits)
{
	if (!fill_room()) {
		pr_info("vmtest: aspace_map_fill_waits: not enough memory for the page tables");
		return;
	}
	struct worker w = {.size = FILL_SIZE};
	VM_EXPECT_EQ(pool_create_root(FILL_POOL, &w.pool), 0);
	VM_EXPECT_EQ(aspace_create(w.pool, &w.as), 0);
	VM_EXPECT_EQ(memory_create_phys(0, FILL_SIZE, &w.m), 0);
	uint64_t last = FILL_VA + FILL_SIZE - PAGE_SIZE, pa;

	/* A query that finds the mapping finds it whole: it waited for the fill. */
	struct thread *t = start_worker(map_main, &w);
	struct as_region reg;
	int r;
	while ((r = aspace_query(w.as, last, &reg)) == ERR_NOT_FOUND)
		sched_yield();
	VM_EXPECT_EQ(r, 0);
	VM_EXPECT_EQ(reg.base, FILL_VA);
	VM_EXPECT_EQ(reg.length, FILL_SIZE);
	VM_EXPECT_EQ(vmm_query(&w.as->vs, last, &pa, NULL, NULL), 0);
	thread_join(t);
	VM_EXPECT_EQ(w.result, 0);

	/* An unmap during the fill waits for it, then removes all of it. */
	VM_EXPECT_EQ(aspace_unmap(w.as, FILL_VA, FILL_SIZE), 0);
	w.started = w.done = false;
	t = start_worker(map_main, &w);
	while (!__atomic_load_n(&w.as->fills, __ATOMIC_ACQUIRE) && !w.done)
		sched_yield();
	VM_EXPECT_EQ(aspace_unmap(w.as, FILL_VA, FILL_SIZE), 0);
	VM_EXPECT(w.done);
	VM_EXPECT_EQ(w.result, 0);
	VM_EXPECT_EQ(w.as->count, 0);
	VM_EXPECT_EQ(vmm_query(&w.as->vs, last, &pa, NULL, NULL), ERR_NOT_FOUND);
	thread_join(t);

	kobject_put(&w.as->obj);
	VM_EXPECT_EQ(kobject_refcount(&w.m->obj), 1);
	kobject_put(&w.m->obj);
	pool_put(w.pool);
}

VM_TEST(aspace_map_kill)
{
	if (!fill_room()) {
		pr_info("vmtest: aspace_map_kill: not enough memory for the page tables");
		return;
	}
	struct worker w = {.size = FILL_SIZE};
	VM_EXPECT_EQ(pool_create_root(FILL_POOL, &w.pool), 0);
	VM_EXPECT_EQ(aspace_create(w.pool, &w.as), 0);
	VM_EXPECT_EQ(memory_create_phys(0, FILL_SIZE, &w.m), 0);
	struct pool_info before, after;
	pool_info(w.pool, &before);
	uint64_t tables = w.as->tables_charged, records = w.as->capacity;

	struct thread *t = start_worker(map_main, &w);
	sched_sleep_ns(FILL_KILL_AFTER_NS);
	bool early = w.done;
	sched_kill(t);
	thread_join(t);
	if (early) {
		pr_info("vmtest: aspace_map_kill: the map ended before its kill: not measured");
	} else {
		/* killed midway: undone, nothing left but the page tables it built */
		VM_EXPECT_EQ(w.result, ERR_INTERRUPTED);
		VM_EXPECT_EQ(w.as->count, 0);
		uint64_t pa;
		VM_EXPECT_EQ(vmm_query(&w.as->vs, FILL_VA, &pa, NULL, NULL), ERR_NOT_FOUND);
		pool_info(w.pool, &after);
		/* kept: the page tables it built and room for records (aspace.h) */
		VM_EXPECT_EQ(after.used,
		             before.used + (w.as->tables_charged - tables) * PAGE_SIZE +
		                 (w.as->capacity - records) * sizeof(struct as_mapping));
		VM_EXPECT_EQ(kobject_refcount(&w.m->obj), 1);
	}
	kobject_put(&w.as->obj);
	kobject_put(&w.m->obj);
	pool_put(w.pool);
}

VM_TEST(memobj_create_kill)
{
	struct worker w = {0};
	/* half of what is free: zeroing it spans a few ms even on a fast host */
	w.size = MIN(pmm_free_pages() * PAGE_SIZE / 2, UINT64_C(256) << 20);
	VM_EXPECT_EQ(pool_create_root(FILL_POOL, &w.pool), 0);
	struct thread *t = start_worker(create_main, &w);
	sched_sleep_ns(FILL_KILL_AFTER_NS);
	bool early = w.done;
	sched_kill(t);
	thread_join(t);
	if (early) {
		pr_info(
		    "vmtest: memobj_create_kill: the create ended before its kill: not measured");
		if (w.result == 0)
			kobject_put(&w.m->obj);
	} else {
		VM_EXPECT_EQ(w.result, ERR_INTERRUPTED);
		if (w.result == 0)
			kobject_put(&w.m->obj);
		struct pool_info info;
		pool_info(w.pool, &info);
		VM_EXPECT_EQ(info.used, 0);
	}
	pool_put(w.pool);
}
