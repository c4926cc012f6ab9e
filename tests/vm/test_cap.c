/*
 * test_cap.c - in-kernel tests of the capability subsystem, on every CPU.
 *
 * cap_basic and cap_deep_revoke run the sequential rules and a deep
 * revocation on the kernel stack (iterative: a recursive revoke of a
 * 20,000-deep chain would overflow it). cap_parallel runs on all CPUs at
 * once: each round, CPU role 0 plants a root and a shared child; every other
 * CPU derives, duplicates, copies, moves, drops, revokes and looks up
 * capabilities below that child across all cspaces, and also runs exact
 * checks on a private tree of its own; role 0 then revokes the root. After
 * the revocation returns no operation on any of the round's capabilities may
 * succeed; after each round the cspaces are empty and the round's object is
 * freed; after the test, kmalloc_bytes_in_use() and the live object count
 * are back at their baseline.
 */
#include <vmtest.h>

#include <abi/errors.h>
#include <cap/cap.h>
#include <cap/cap_internal.h>
#include <lib/log.h>
#include <lib/spinlock.h>
#include <mm/kmalloc.h>
#include <obj/pool.h>
#include <obj/process.h>
#include <obj/test_object.h>

#define VCAP_MAX_CPUS 64
/* Rounds: fewer on big machines, where TCG makes lock handoffs slow. */
#define VCAP_ROUNDS(ncpus) ((ncpus) > 4 ? 20 : 60)
#define VCAP_HELD 48
#define VCAP_MAX_OPS 400 /* per worker and round, before the revoke */
#define VCAP_PRIVATE_DEPTH 32

static uint64_t vcap_rnd(uint64_t *s)
{
	uint64_t x = *s;
	x ^= x << 13;
	x ^= x >> 7;
	x ^= x << 17;
	return *s = x;
}

static uint32_t vcap_below(uint64_t *s, uint32_t n)
{
	return (uint32_t)(vcap_rnd(s) % n);
}

/* --- sequential --- */

VM_TEST(cap_basic)
{
	uint64_t bytes = kmalloc_bytes_in_use(), objs = kobject_live_count(OBJ_NONE);
	struct cspace *a, *b;
	struct test_object *t;
	VM_EXPECT_EQ(cspace_create(8, &a), 0);
	VM_EXPECT_EQ(cspace_create(8, &b), 0);
	VM_EXPECT_EQ(test_object_create(42, &t), 0);
	handle_t r, c, d, m, out;
	struct cap_ref ref;
	struct cap_info info;
	VM_EXPECT_EQ(cap_insert_root(a, &t->base, RIGHTS_ALL, 0, &r), 0);
	kobject_put(&t->base);
	VM_EXPECT_EQ(cap_derive(a, r, RIGHT_READ | RIGHT_DUPLICATE | RIGHT_TRANSFER, 5, &c), 0);
	VM_EXPECT_EQ(cap_derive(a, c, RIGHT_WRITE, 0, &out), ERR_ACCESS_DENIED);
	VM_EXPECT_EQ(cap_derive(a, c, RIGHT_READ, 6, &out), ERR_ACCESS_DENIED);
	VM_EXPECT_EQ(cap_lookup(a, c, OBJ_MEMORY, 0, &ref), ERR_WRONG_TYPE);
	VM_EXPECT_EQ(cap_lookup(a, c, OBJ_TEST, RIGHT_WRITE, &ref), ERR_ACCESS_DENIED);
	VM_EXPECT_EQ(cap_lookup(a, HANDLE_INVALID, OBJ_TEST, 0, &ref), ERR_BAD_HANDLE);
	VM_EXPECT_EQ(cap_inspect(a, c, &info), ERR_ACCESS_DENIED);
	VM_EXPECT_EQ(cap_inspect(a, r, &info), 0);
	VM_EXPECT_EQ(info.object_id, t->base.id);
	VM_EXPECT_EQ(cap_duplicate(a, c, &d), 0);
	VM_EXPECT_EQ(cap_move(a, d, b, &m), 0);
	VM_EXPECT_EQ(cap_lookup(a, d, OBJ_NONE, 0, &ref), ERR_BAD_HANDLE);
	VM_EXPECT_EQ(cap_lookup(b, m, OBJ_TEST, RIGHT_READ, &ref), 0);
	VM_EXPECT_EQ(ref.badge, 5);
	VM_EXPECT_EQ(test_object_from(ref.obj)->value, 42);
	VM_EXPECT_EQ(cap_revoke(a, r), 2);
	VM_EXPECT_EQ(cspace_count(b), 0);
	/* The ref outlives the revoked capability; the object outlives its caps. */
	VM_EXPECT_EQ(cap_drop(a, r), 0);
	VM_EXPECT_EQ(kobject_live_count(OBJ_TEST), 1);
	cap_ref_put(&ref);
	VM_EXPECT_EQ(kobject_live_count(OBJ_NONE), objs);
	cspace_destroy(a);
	cspace_destroy(b);
	VM_EXPECT_EQ(kmalloc_bytes_in_use(), bytes);
}

VM_TEST(cap_deep_revoke)
{
	enum { DEPTH = 20000 };
	uint64_t bytes = kmalloc_bytes_in_use(), objs = kobject_live_count(OBJ_NONE);
	struct cspace *cs;
	struct test_object *t;
	VM_EXPECT_EQ(cspace_create(DEPTH + 1, &cs), 0);
	VM_EXPECT_EQ(test_object_create(1, &t), 0);
	handle_t r, h;
	VM_EXPECT_EQ(cap_insert_root(cs, &t->base, RIGHTS_ALL, 0, &r), 0);
	kobject_put(&t->base);
	h = r;
	for (int i = 0; i < DEPTH; i++)
		if (cap_derive(cs, h, RIGHTS_ALL, 0, &h) != 0) {
			VM_FAIL("derive %d failed", i);
			break;
		}
	VM_EXPECT_EQ(cap_revoke(cs, r), DEPTH);
	VM_EXPECT_EQ(cspace_count(cs), 1);
	cspace_destroy(cs);
	VM_EXPECT_EQ(kobject_live_count(OBJ_NONE), objs);
	VM_EXPECT_EQ(kmalloc_bytes_in_use(), bytes);
}

/* --- parallel --- */

struct vcap_barrier {
	unsigned count, total, gen;
};

static void vcap_barrier_wait(struct vcap_barrier *b)
{
	unsigned gen = __atomic_load_n(&b->gen, __ATOMIC_ACQUIRE);
	if (__atomic_add_fetch(&b->count, 1, __ATOMIC_ACQ_REL) == b->total) {
		__atomic_store_n(&b->count, 0, __ATOMIC_RELAXED);
		__atomic_store_n(&b->gen, gen + 1, __ATOMIC_RELEASE);
		return;
	}
	while (__atomic_load_n(&b->gen, __ATOMIC_ACQUIRE) == gen)
		arch_cpu_relax();
}

struct vcap_held {
	unsigned cs;
	handle_t h;
	uint64_t rights;
};

struct vcap_ctx {
	unsigned ncpus;
	unsigned next_role;
	struct vcap_barrier barrier;
	struct cspace *cs[VCAP_MAX_CPUS]; /* one per role, shared by all */
	struct cspace *priv[VCAP_MAX_CPUS]; /* one per role, private to it */
	handle_t round; /* shared child of the round's root, in cs[0] */
	uint64_t round_value;
	int revoked; /* atomic */
	uint64_t ops, ok;
	struct vcap_held held[VCAP_MAX_CPUS][VCAP_HELD];
	unsigned nheld[VCAP_MAX_CPUS];
};

static void vcap_hold(struct vcap_ctx *x, unsigned role, unsigned cs, handle_t h, uint64_t r)
{
	struct vcap_held *held = x->held[role];
	if (x->nheld[role] == VCAP_HELD) {
		int err = cap_drop(x->cs[held[0].cs], held[0].h);
		if (err && err != ERR_BAD_HANDLE)
			VM_FAIL("drop to make room: %d", err);
		held[0] = held[--x->nheld[role]];
	}
	held[x->nheld[role]++] = (struct vcap_held){cs, h, r};
}

/* One random operation on the round's capabilities; returns its result. */
static int vcap_op(struct vcap_ctx *x, unsigned role, uint64_t *rng)
{
	struct vcap_held *held = x->held[role];
	unsigned n = x->nheld[role];
	int k = n && vcap_below(rng, 4) ? (int)vcap_below(rng, n) : -1;
	unsigned cs = k < 0 ? 0 : held[k].cs, to = vcap_below(rng, x->ncpus);
	handle_t h = k < 0 ? x->round : held[k].h, out;
	uint64_t rights = k < 0 ? RIGHTS_ALL : held[k].rights;
	uint64_t nr = rights & (vcap_rnd(rng) | (vcap_below(rng, 5) ? RIGHTS_GENERIC : 0));
	struct cap_ref ref;
	int err;

	switch (vcap_below(rng, k < 0 ? 4 : 8)) {
	case 0:
	case 1:
		err = cap_derive_to(x->cs[cs], h, x->cs[to], nr, vcap_below(rng, 3), &out);
		if (!err)
			vcap_hold(x, role, to, out, nr);
		return err;
	case 2:
		err = cap_duplicate(x->cs[cs], h, &out);
		if (!err)
			vcap_hold(x, role, cs, out, rights);
		return err;
	case 3:
		err = cap_copy_to(x->cs[cs], h, x->cs[to], &out);
		if (!err)
			vcap_hold(x, role, to, out, rights);
		return err;
	case 4:
		err = cap_drop(x->cs[cs], h);
		held[k] = held[--x->nheld[role]];
		return err;
	case 5:
		err = cap_move(x->cs[cs], h, x->cs[to], &out);
		if (!err) {
			held[k].cs = to;
			held[k].h = out;
		}
		return err;
	case 6:
		err = cap_revoke(x->cs[cs], h);
		return err > 0 ? 0 : err;
	default:
		err = cap_lookup(x->cs[cs], h, OBJ_TEST, 0, &ref);
		if (err)
			return err;
		if (test_object_from(ref.obj)->value != x->round_value)
			VM_FAIL("lookup found another object");
		if (ref.rights & ~rights)
			VM_FAIL("lookup found rights %llx beyond %llx",
			        (unsigned long long)ref.rights, (unsigned long long)rights);
		cap_ref_put(&ref);
		return 0;
	}
}

/* Exact checks on a private tree: chain, duplicate, drop, revoke. */
static void vcap_private(struct cspace *cs, uint64_t value)
{
	struct test_object *t;
	handle_t r, h, d;
	if (test_object_create(value, &t) != 0) {
		VM_FAIL("out of memory");
		return;
	}
	VM_EXPECT_EQ(cap_insert_root(cs, &t->base, RIGHTS_ALL, 0, &r), 0);
	kobject_put(&t->base);
	h = r;
	uint64_t rights = RIGHTS_ALL;
	for (int i = 0; i < VCAP_PRIVATE_DEPTH; i++) {
		rights &= ~(UINT64_C(1) << (16 + i % 12)); /* shed one type right per level */
		VM_EXPECT_EQ(cap_derive(cs, h, rights, 0, &h), 0);
		VM_EXPECT_EQ(cap_derive(cs, h, rights | RIGHT_WRITE, 0, &d),
		             (rights & RIGHT_WRITE) ? 0 : ERR_ACCESS_DENIED);
		if (rights & RIGHT_WRITE)
			VM_EXPECT_EQ(cap_drop(cs, d), 0);
	}
	VM_EXPECT_EQ(cap_duplicate(cs, h, &d), 0);
	VM_EXPECT_EQ(cap_drop(cs, h), 0);
	VM_EXPECT_EQ(cap_revoke(cs, r), VCAP_PRIVATE_DEPTH); /* chain - h + d */
	VM_EXPECT_EQ(cap_drop(cs, r), 0);
	VM_EXPECT_EQ(cspace_count(cs), 0);
}

static void vcap_worker(struct vcap_ctx *x, unsigned role)
{
	uint64_t rng = 0x9e3779b97f4a7c15ull * (role + 1);
	unsigned ops = 0;
	for (unsigned extra = 0; extra < 20;) {
		bool after = __atomic_load_n(&x->revoked, __ATOMIC_ACQUIRE);
		if (!after && ops++ >= VCAP_MAX_OPS) {
			/* Enough for this round: wait for the revoke without taking locks. */
			arch_cpu_relax();
			continue;
		}
		int err = vcap_op(x, role, &rng);
		__atomic_fetch_add(&x->ops, 1, __ATOMIC_RELAXED);
		if (!err)
			__atomic_fetch_add(&x->ok, 1, __ATOMIC_RELAXED);
		if (after && err != ERR_BAD_HANDLE)
			VM_FAIL("capability outlived its revocation (%d)", err);
		else if (err && err != ERR_BAD_HANDLE && err != ERR_ACCESS_DENIED)
			VM_FAIL("unexpected error %d", err);
		extra += after;
		if (vcap_below(&rng, 64) == 0)
			vcap_private(x->priv[role], rng);
	}
}

static void vcap_revoker(struct vcap_ctx *x, unsigned round)
{
	struct test_object *t;
	handle_t root;
	uint64_t rng = round + 1;
	if (test_object_create(round, &t) != 0) {
		VM_FAIL("out of memory");
		return;
	}
	x->round_value = round;
	VM_EXPECT_EQ(cap_insert_root(x->cs[0], &t->base, RIGHTS_ALL, 0, &root), 0);
	kobject_put(&t->base);
	VM_EXPECT_EQ(cap_derive(x->cs[0], root, RIGHTS_ALL, 0, &x->round), 0);
	__atomic_store_n(&x->revoked, 0, __ATOMIC_RELAXED);
	vcap_barrier_wait(&x->barrier); /* round starts */
	for (uint32_t i = vcap_below(&rng, 100); i; i--) {
		struct cap_ref ref;
		if (cap_lookup(x->cs[0], x->round, OBJ_TEST, RIGHT_REVOKE, &ref) == 0)
			cap_ref_put(&ref);
	}
	if (cap_revoke(x->cs[0], root) < 1)
		VM_FAIL("round revoke failed");
	VM_EXPECT_EQ(cap_drop(x->cs[0], root), 0);
	__atomic_store_n(&x->revoked, 1, __ATOMIC_RELEASE);
}

static void vcap_parallel(unsigned cpu, void *arg)
{
	struct vcap_ctx *x = arg;
	(void)cpu;
	unsigned role = __atomic_fetch_add(&x->next_role, 1, __ATOMIC_RELAXED);
	uint64_t bytes = 0, objs = 0;

	vcap_barrier_wait(&x->barrier); /* everyone is running: baseline */
	if (role == 0) {
		bytes = kmalloc_bytes_in_use();
		objs = kobject_live_count(OBJ_NONE);
		for (unsigned i = 0; i < x->ncpus; i++)
			if (cspace_create(4096, &x->cs[i]) != 0 ||
			    cspace_create(VCAP_PRIVATE_DEPTH + 2, &x->priv[i]) != 0)
				VM_FAIL("cspace_create");
	}
	vcap_barrier_wait(&x->barrier);
	for (unsigned round = 0; round < VCAP_ROUNDS(x->ncpus); round++) {
		if (role == 0)
			vcap_revoker(x, round);
		else {
			vcap_barrier_wait(&x->barrier); /* round starts */
			vcap_worker(x, role);
		}
		vcap_barrier_wait(&x->barrier); /* round over */
		for (unsigned k = 0; k < x->nheld[role]; k++) {
			struct cap_ref ref;
			struct vcap_held *hd = &x->held[role][k];
			if (cap_lookup(x->cs[hd->cs], hd->h, OBJ_NONE, 0, &ref) != ERR_BAD_HANDLE)
				VM_FAIL("handle alive after its round");
		}
		x->nheld[role] = 0;
		if (role == 0) {
			for (unsigned i = 0; i < x->ncpus; i++)
				VM_EXPECT_EQ(cspace_count(x->cs[i]), 0);
			VM_EXPECT_EQ(kobject_live_count(OBJ_NONE), objs);
		}
		vcap_barrier_wait(&x->barrier);
	}
	if (role == 0) {
		for (unsigned i = 0; i < x->ncpus; i++) {
			cspace_destroy(x->cs[i]);
			cspace_destroy(x->priv[i]);
		}
		VM_EXPECT_EQ(kobject_live_count(OBJ_NONE), objs);
		/*
		 * At most the baseline: the runner may free memory of earlier
		 * test threads meanwhile, so equality would be flaky; a leak
		 * of ours shows as growth.
		 */
		VM_EXPECT(kmalloc_bytes_in_use() <= bytes);
		VM_EXPECT(x->ncpus == 1 || x->ok > x->ops / 10);
	}
}

VM_TEST(cap_parallel)
{
	VM_NEEDS_CPUS(2);
	static struct vcap_ctx ctx;
	__builtin_memset(&ctx, 0, sizeof(ctx));
	ctx.ncpus = vmtest_cpus();
	if (ctx.ncpus > VCAP_MAX_CPUS || ctx.ncpus < 1) {
		VM_FAIL("%u CPUs", ctx.ncpus);
		return;
	}
	ctx.barrier.total = ctx.ncpus;
	vmtest_run_parallel(vcap_parallel, &ctx);
	VM_EXPECT_EQ(ctx.next_role, ctx.ncpus);
}

/*
 * A process's cspace pays for its slot table as long as the table exists:
 * fill it, drop everything, and the pool is still charged for the table the
 * capabilities made grow (the table never shrinks while handles may be
 * kept). Issue 13: it used to be charged per live slot only, so the table
 * stayed allocated and uncharged.
 */
VM_TEST(process_cspace_charge)
{
	static handle_t h[PROCESS_MAX_SLOTS];
	struct mem_pool *pool;
	struct process *p;
	struct test_object *o;
	struct pool_info before, full, after;
	VM_EXPECT_EQ(pool_create_root(UINT64_C(1) << 30, &pool), 0);
	VM_EXPECT_EQ(process_create(pool, "charge", &p), 0);
	VM_EXPECT_EQ(test_object_create(0, &o), 0);
	pool_info(pool, &before);
	uint32_t n = 0;
	while (n < PROCESS_MAX_SLOTS && cap_insert_root(p->cs, &o->base, RIGHTS_ALL, 0, &h[n]) == 0)
		n++;
	VM_EXPECT_EQ(n, PROCESS_MAX_SLOTS);
	pool_info(pool, &full);
	for (uint32_t i = 0; i < n; i++)
		VM_EXPECT_EQ(cap_drop(p->cs, h[i]), 0);
	pool_info(pool, &after);
	uint64_t table = kmalloc_size(sizeof(struct cslot) * PROCESS_MAX_SLOTS);
	pr_info("vmtest: process cspace of %u capabilities: pool +%llu bytes full, +%llu after "
	        "dropping them all (table %llu bytes)",
	        n, (unsigned long long)(full.used - before.used),
	        (unsigned long long)(after.used - before.used), (unsigned long long)table);
	VM_EXPECT(full.used - before.used >= table + n * kmalloc_size(sizeof(struct cap)));
	VM_EXPECT_EQ(after.used - before.used, table);
	kobject_put(&p->obj); /* never started: destroying it destroys its cspace */
	kobject_put(&o->base);
	pool_info(pool, &after);
	VM_EXPECT_EQ(after.used, 0);
	pool_put(pool);
}
