/*
 * test_cap.c - host tests of the capability subsystem (kernel/cap, kernel/obj).
 *
 * Runs the real cspace.c/derive.c/object.c under ASan/UBSan with a counted
 * kmalloc (cap_host_shim.c). Covers, per docs/capabilities.md "Invariants":
 *   - handle format, stale/recycled/forged handles, the error order of lookup;
 *   - derive/duplicate/drop/revoke/inspect/move/copy rules, badges, rights
 *     monotonicity, cspace limits and out-of-memory paths;
 *   - revocation of a 100,000-deep chain and a 100,000-wide tree (iterative);
 *   - a randomized model test (160,000 operations over four cspaces)
 *     checked after every step against a reference model;
 *   - a pthreads stress test of revoke racing derive/drop/move/lookup;
 *   - every test ends with heap bytes and live objects back at their baseline.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>
#include <pthread.h>
#include <stdio.h>
#include <string.h>

#include <abi/errors.h>
#include <cap/cap.h>
#include <obj/test_object.h>

#include "cap_host_shim.h"
#include "cap_test.h"
#include "host_support.h"

/* --- helpers --- */

static struct test_object *new_obj(uint64_t value)
{
	struct test_object *t = NULL;
	assert_int_equal(test_object_create(value, &t), 0);
	return t;
}

static struct cspace *new_cs(uint32_t limit)
{
	struct cspace *cs = NULL;
	assert_int_equal(cspace_create(limit, &cs), 0);
	return cs;
}

static handle_t root(struct cspace *cs, struct test_object *t, uint64_t rights, uint64_t badge)
{
	handle_t h = HANDLE_INVALID;
	assert_int_equal(cap_insert_root(cs, &t->base, rights, badge, &h), 0);
	return h;
}

static handle_t derive(struct cspace *cs, handle_t h, uint64_t rights, uint64_t badge)
{
	handle_t out = HANDLE_INVALID;
	assert_int_equal(cap_derive(cs, h, rights, badge, &out), 0);
	return out;
}

static void expect_live(struct cspace *cs, handle_t h, uint64_t rights, uint64_t badge)
{
	struct cap_ref ref;
	assert_int_equal(cap_lookup(cs, h, OBJ_NONE, 0, &ref), 0);
	assert_int_equal(ref.rights, rights);
	assert_int_equal(ref.badge, badge);
	cap_ref_put(&ref);
}

static void expect_dead(struct cspace *cs, handle_t h)
{
	struct cap_ref ref;
	assert_int_equal(cap_lookup(cs, h, OBJ_NONE, 0, &ref), ERR_BAD_HANDLE);
}

/* --- basic rules --- */

static void test_handle_format(void **state)
{
	(void)state;
	struct baseline b = baseline_take();
	struct cspace *cs = NULL;
	assert_int_equal(cspace_create(0, &cs), ERR_INVALID_ARGS);
	assert_int_equal(cspace_create(CSPACE_MAX_SLOTS + 1, &cs), ERR_INVALID_ARGS);
	cs = new_cs(64);
	struct test_object *t = new_obj(1);
	handle_t h = root(cs, t, RIGHTS_ALL, 0);
	assert_true(h != HANDLE_INVALID);
	assert_true(HANDLE_GEN(h) >= 1);
	assert_int_equal(HANDLE_MAKE(HANDLE_INDEX(h), HANDLE_GEN(h)), h);
	expect_live(cs, h, RIGHTS_ALL, 0);
	expect_dead(cs, HANDLE_INVALID);
	expect_dead(cs, HANDLE_INDEX(h)); /* generation 0 */
	expect_dead(cs, HANDLE_MAKE(HANDLE_INDEX(h), HANDLE_GEN(h) + 1));
	expect_dead(cs, HANDLE_MAKE(HANDLE_INDEX_MASK, 1)); /* beyond the table */
	assert_int_equal(cspace_count(cs), 1);
	cspace_destroy(cs);
	kobject_put(&t->base);
	baseline_check(b);
}

static void test_lookup_error_order(void **state)
{
	(void)state;
	struct baseline b = baseline_take();
	struct cspace *cs = new_cs(16);
	struct test_object *t = new_obj(2);
	handle_t h = root(cs, t, RIGHT_READ, 0);
	struct cap_ref ref = {0};
	handle_t bad = HANDLE_MAKE(HANDLE_INDEX(h), HANDLE_GEN(h) + 1);

	assert_int_equal(cap_lookup(cs, bad, OBJ_MEMORY, RIGHT_WRITE, &ref), ERR_BAD_HANDLE);
	assert_int_equal(cap_lookup(cs, h, OBJ_MEMORY, RIGHT_WRITE, &ref), ERR_WRONG_TYPE);
	assert_int_equal(cap_lookup(cs, h, OBJ_TEST, RIGHT_WRITE, &ref), ERR_ACCESS_DENIED);
	assert_int_equal(cap_lookup(cs, h, OBJ_TEST, RIGHT_READ | RIGHT_WRITE, &ref),
	                 ERR_ACCESS_DENIED);
	assert_null(ref.obj);
	assert_int_equal(cap_lookup(cs, h, OBJ_TEST, RIGHT_READ, &ref), 0);
	assert_ptr_equal(ref.obj, &t->base);
	assert_int_equal(kobject_refcount(&t->base), 3); /* creator + cap + ref */

	/* The ref keeps the object alive after its last capability is gone. */
	kobject_put(&t->base);
	assert_int_equal(cap_drop(cs, h), 0);
	assert_int_equal(cap_drop(cs, h), ERR_BAD_HANDLE);
	assert_int_equal(kobject_live_count(OBJ_TEST), b.objects + 1);
	assert_int_equal(test_object_from(ref.obj)->value, 2);
	cap_ref_put(&ref);
	assert_null(ref.obj);
	assert_int_equal(kobject_live_count(OBJ_TEST), b.objects);
	cspace_destroy(cs);
	baseline_check(b);
}

static void test_derive_rules(void **state)
{
	(void)state;
	struct baseline b = baseline_take();
	struct cspace *cs = new_cs(64);
	struct test_object *t = new_obj(3);
	handle_t r = root(cs, t, RIGHTS_ALL, 0), out;
	handle_t rd = derive(cs, r, RIGHT_READ | RIGHT_DUPLICATE, 0);
	expect_live(cs, rd, RIGHT_READ | RIGHT_DUPLICATE, 0);

	/* Rights never grow, whatever the path. */
	assert_int_equal(cap_derive(cs, rd, RIGHT_READ | RIGHT_WRITE, 0, &out), ERR_ACCESS_DENIED);
	assert_int_equal(cap_derive(cs, rd, RIGHT_READ | (UINT64_C(1) << 63), 0, &out),
	                 ERR_ACCESS_DENIED);
	handle_t ro = derive(cs, rd, RIGHT_READ, 0);
	assert_int_equal(cap_derive(cs, ro, RIGHT_READ, 0, &out), ERR_ACCESS_DENIED);
	assert_int_equal(cap_derive(cs, ro, 0, 0, &out), ERR_ACCESS_DENIED); /* no DUPLICATE */
	assert_int_equal(cap_duplicate(cs, ro, &out), ERR_ACCESS_DENIED);
	handle_t rd2;
	assert_int_equal(cap_duplicate(cs, rd, &rd2), 0);
	expect_live(cs, rd2, RIGHT_READ | RIGHT_DUPLICATE, 0);

	/* Badges: 0 inherits; set once; re-stating the same badge is allowed. */
	handle_t b7 = derive(cs, r, RIGHTS_ALL, 7);
	expect_live(cs, b7, RIGHTS_ALL, 7);
	expect_live(cs, derive(cs, b7, RIGHT_READ | RIGHT_DUPLICATE, 0),
	            RIGHT_READ | RIGHT_DUPLICATE, 7);
	expect_live(cs, derive(cs, b7, RIGHT_READ, 7), RIGHT_READ, 7);
	assert_int_equal(cap_derive(cs, b7, RIGHT_READ, 8, &out), ERR_ACCESS_DENIED);
	assert_int_equal(cap_duplicate(cs, b7, &out), 0);
	expect_live(cs, out, RIGHTS_ALL, 7);

	/* Generic rights gate their operations. */
	struct cap_info info;
	assert_int_equal(cap_inspect(cs, ro, &info), ERR_ACCESS_DENIED);
	assert_int_equal(cap_revoke(cs, ro), ERR_ACCESS_DENIED);
	handle_t ins = derive(cs, r, RIGHT_INSPECT | RIGHT_WRITE, 9);
	assert_int_equal(cap_inspect(cs, ins, &info), 0);
	assert_int_equal(info.type, OBJ_TEST);
	assert_int_equal(info.rights, RIGHT_INSPECT | RIGHT_WRITE);
	assert_int_equal(info.badge, 9);
	assert_int_equal(info.object_id, t->base.id);
	assert_int_equal(info.reserved, 0);
	assert_int_equal(cap_inspect(cs, HANDLE_INVALID, &info), ERR_BAD_HANDLE);

	/* Kernel-side root creation validates its arguments. */
	assert_int_equal(cap_insert_root(cs, &t->base, RIGHTS_ALL | (UINT64_C(1) << 62), 0, &out),
	                 ERR_INVALID_ARGS);
	assert_int_equal(cap_insert_root(cs, NULL, RIGHTS_ALL, 0, &out), ERR_INVALID_ARGS);

	/* revoke(r) removes every descendant but r itself. */
	assert_int_equal(cap_revoke(cs, r), 8);
	assert_int_equal(cspace_count(cs), 1);
	expect_live(cs, r, RIGHTS_ALL, 0);
	expect_dead(cs, rd);
	expect_dead(cs, rd2);
	expect_dead(cs, b7);
	assert_int_equal(cap_revoke(cs, r), 0);
	cspace_destroy(cs);
	kobject_put(&t->base);
	baseline_check(b);
}

static void test_duplicate_is_sibling(void **state)
{
	(void)state;
	struct baseline b = baseline_take();
	struct cspace *cs = new_cs(64);
	struct test_object *t = new_obj(4);
	handle_t r = root(cs, t, RIGHTS_ALL, 0), d, rd;
	handle_t c = derive(cs, r, RIGHTS_ALL, 0);
	handle_t gc = derive(cs, c, RIGHTS_ALL, 0);
	assert_int_equal(cap_duplicate(cs, c, &d), 0);
	/* Revoking c reaches its child but not its sibling copy. */
	assert_int_equal(cap_revoke(cs, c), 1);
	expect_dead(cs, gc);
	expect_live(cs, d, RIGHTS_ALL, 0);
	/* Revoking the parent reaches both. */
	assert_int_equal(cap_revoke(cs, r), 2);
	expect_dead(cs, c);
	expect_dead(cs, d);
	/* A duplicate of a root is another root: revoking r leaves it. */
	assert_int_equal(cap_duplicate(cs, r, &rd), 0);
	derive(cs, rd, RIGHT_READ, 0);
	assert_int_equal(cap_revoke(cs, r), 0);
	expect_live(cs, rd, RIGHTS_ALL, 0);
	assert_int_equal(cap_revoke(cs, rd), 1);
	cspace_destroy(cs);
	kobject_put(&t->base);
	baseline_check(b);
}

static void test_drop_reparents(void **state)
{
	(void)state;
	struct baseline b = baseline_take();
	struct cspace *cs = new_cs(64), *other = new_cs(64);
	struct test_object *t = new_obj(5);
	handle_t r = root(cs, t, RIGHTS_ALL, 0), x;
	handle_t a = derive(cs, r, RIGHTS_ALL, 0);
	handle_t bb = derive(cs, a, RIGHTS_ALL, 0);
	handle_t c;
	assert_int_equal(cap_derive_to(cs, bb, other, RIGHT_READ, 0, &c), 0);
	handle_t a2 = derive(cs, a, RIGHT_READ, 0);
	assert_int_equal(cap_drop(cs, a), 0);
	expect_live(cs, bb, RIGHTS_ALL, 0);
	expect_live(other, c, RIGHT_READ, 0);
	/* The ancestor still reaches the orphans: b, a2 and c (in another cspace). */
	assert_int_equal(cap_revoke(cs, r), 3);
	expect_dead(cs, bb);
	expect_dead(cs, a2);
	expect_dead(other, c);

	/* Children of a dropped root become roots and keep their rights. */
	const uint64_t br = RIGHT_READ | RIGHT_DUPLICATE | RIGHT_REVOKE | RIGHT_TRANSFER;
	a = derive(cs, r, RIGHTS_ALL, 0);
	bb = derive(cs, a, br, 0);
	assert_int_equal(cap_derive(cs, bb, RIGHT_READ, 0, &x), 0);
	assert_int_equal(cap_drop(cs, r), 0);
	assert_int_equal(cap_drop(cs, a), 0);
	expect_live(cs, bb, br, 0);
	assert_int_equal(cap_derive(cs, bb, RIGHT_WRITE, 0, &x), ERR_ACCESS_DENIED);
	assert_int_equal(cap_revoke(cs, bb), 1);

	/* cspace_destroy() drops, so children in other cspaces survive it. */
	handle_t keep;
	assert_int_equal(cap_copy_to(cs, bb, other, &keep), 0);
	assert_int_equal(cap_derive(other, keep, RIGHT_READ, 0, &x), 0);
	cspace_destroy(cs);
	assert_int_equal(cspace_count(other), 2);
	expect_live(other, keep, br, 0);
	assert_int_equal(cap_revoke(other, keep), 1);
	cspace_destroy(other);
	kobject_put(&t->base);
	baseline_check(b);
}

static void test_move_and_copy(void **state)
{
	(void)state;
	struct baseline b = baseline_take();
	struct cspace *a = new_cs(16), *c = new_cs(16);
	struct test_object *t = new_obj(6);
	handle_t r = root(a, t, RIGHTS_ALL, 0), out, m, cp;
	handle_t nt = derive(a, r, RIGHTS_ALL & ~RIGHT_TRANSFER, 0);
	assert_int_equal(cap_move(a, nt, c, &out), ERR_ACCESS_DENIED);
	assert_int_equal(cap_copy_to(a, nt, c, &out), ERR_ACCESS_DENIED);
	assert_int_equal(cap_derive_to(a, nt, c, RIGHT_READ, 0, &out), ERR_ACCESS_DENIED);
	assert_int_equal(cspace_count(c), 0);

	handle_t mv = derive(a, r, RIGHT_TRANSFER | RIGHT_READ | RIGHT_DUPLICATE, 5);
	assert_int_equal(cap_move(a, mv, c, &m), 0);
	expect_dead(a, mv);
	expect_live(c, m, RIGHT_TRANSFER | RIGHT_READ | RIGHT_DUPLICATE, 5);
	assert_int_equal(cap_copy_to(c, m, a, &cp), 0);
	expect_live(a, cp, RIGHT_TRANSFER | RIGHT_READ | RIGHT_DUPLICATE, 5);
	assert_int_equal(cap_move(c, m, c, &out), 0); /* same cspace: new handle */
	expect_dead(c, m);
	m = out;
	/* The moved capability keeps its place: revoking r reaches it and its copy. */
	assert_int_equal(cap_revoke(a, r), 3);
	expect_dead(c, m);
	expect_dead(a, cp);
	assert_int_equal(cap_move(a, mv, c, &out), ERR_BAD_HANDLE);
	assert_int_equal(cspace_count(a), 1);
	assert_int_equal(cspace_count(c), 0);
	cspace_destroy(a);
	cspace_destroy(c);
	kobject_put(&t->base);
	baseline_check(b);
}

/* --- handles: stale, recycled, forged; limits; out of memory --- */

static void test_stale_and_recycled(void **state)
{
	(void)state;
	struct baseline b = baseline_take();
	enum { SLOTS = 4, CYCLES = 10000 };
	struct cspace *cs = new_cs(SLOTS);
	struct test_object *t = new_obj(7);
	static handle_t seen[CYCLES];
	handle_t live[SLOTS];
	for (int i = 0; i < SLOTS; i++)
		live[i] = root(cs, t, RIGHTS_ALL, 0);
	uint64_t s = 0x1234;
	for (int i = 0; i < CYCLES; i++) {
		int k = (int)rnd_below(&s, SLOTS);
		seen[i] = live[k];
		assert_int_equal(cap_drop(cs, live[k]), 0);
		live[k] = root(cs, t, RIGHT_READ, (uint64_t)i);
		assert_true(HANDLE_GEN(live[k]) != 0);
	}
	/* Each slot was reused < 4095 times, so no dead handle aliases a live one. */
	for (int i = 0; i < CYCLES; i++) {
		for (int k = 0; k < SLOTS; k++)
			assert_true(seen[i] != live[k]);
		expect_dead(cs, seen[i]);
	}
	cspace_destroy(cs);

	/* One slot: the generation runs 1..4095 and wraps past 0. */
	cs = new_cs(1);
	handle_t first = root(cs, t, RIGHTS_ALL, 0), h = first;
	for (uint32_t i = 1; i <= HANDLE_GEN_MAX; i++) {
		assert_int_equal(cap_drop(cs, h), 0);
		expect_dead(cs, h);
		h = root(cs, t, RIGHTS_ALL, 0);
		assert_true(HANDLE_GEN(h) != 0);
		if (i < HANDLE_GEN_MAX)
			assert_true(h != first);
	}
	assert_int_equal(h, first); /* the documented aliasing bound */
	cspace_destroy(cs);
	kobject_put(&t->base);
	baseline_check(b);
}

static void test_forged_handles(void **state)
{
	(void)state;
	struct baseline b = baseline_take();
	enum { SPACES = 3, PER = 300 };
	struct cspace *cs[SPACES];
	static handle_t held[SPACES][PER];
	struct test_object *t = new_obj(8);
	for (int i = 0; i < SPACES; i++) {
		cs[i] = new_cs(1024);
		for (int k = 0; k < PER; k++)
			held[i][k] = root(cs[i], t, RIGHT_READ, 0);
		for (int k = 0; k < PER; k += 3) /* leave holes and stale handles */
			assert_int_equal(cap_drop(cs[i], held[i][k]), 0);
	}
	uint64_t s = 0x9e3779b97f4a7c15ull;
	int hits = 0;
	for (int n = 0; n < 300000; n++) {
		int i = (int)rnd_below(&s, SPACES);
		handle_t h = (handle_t)rnd(&s);
		if (n & 1) /* plausible forgeries: small generation, in-range index */
			h = HANDLE_MAKE(rnd_below(&s, 512), 1 + rnd_below(&s, 2));
		bool valid = false;
		for (int k = 0; k < PER && !valid; k++)
			valid = k % 3 != 0 && held[i][k] == h;
		struct cap_ref ref;
		int err = cap_lookup(cs[i], h, OBJ_NONE, 0, &ref);
		assert_int_equal(err, valid ? 0 : ERR_BAD_HANDLE);
		if (!err) {
			hits++;
			cap_ref_put(&ref);
		}
		assert_int_equal(cap_drop(cs[i], valid ? HANDLE_INVALID : h), ERR_BAD_HANDLE);
	}
	assert_true(hits > 0); /* the in-range forgeries did find live slots */
	for (int i = 0; i < SPACES; i++)
		cspace_destroy(cs[i]);
	kobject_put(&t->base);
	baseline_check(b);
}

static void test_cspace_full(void **state)
{
	(void)state;
	struct baseline b = baseline_take();
	enum { LIMIT = 20 }; /* not a power of two: growth clamps to the limit */
	struct cspace *cs = new_cs(LIMIT), *other = new_cs(4);
	struct test_object *t = new_obj(9);
	handle_t h[LIMIT], out;
	h[0] = root(cs, t, RIGHTS_ALL, 0);
	for (int i = 1; i < LIMIT; i++)
		h[i] = derive(cs, h[i - 1], RIGHTS_ALL, 0);
	assert_int_equal(cspace_count(cs), LIMIT);
	assert_int_equal(cap_insert_root(cs, &t->base, RIGHTS_ALL, 0, &out), ERR_NO_RESOURCES);
	assert_int_equal(cap_derive(cs, h[3], RIGHT_READ, 0, &out), ERR_NO_RESOURCES);
	assert_int_equal(cap_duplicate(cs, h[3], &out), ERR_NO_RESOURCES);
	assert_int_equal(cap_move(cs, h[3], cs, &out), ERR_NO_RESOURCES);
	/* Decode errors come before the resource check. */
	assert_int_equal(cap_derive(cs, HANDLE_INVALID, RIGHT_READ, 0, &out), ERR_BAD_HANDLE);
	assert_int_equal(cap_derive(cs, h[3], RIGHTS_ALL | (UINT64_C(1) << 60), 0, &out),
	                 ERR_ACCESS_DENIED);
	for (int i = 0; i < 4; i++)
		root(other, t, RIGHTS_ALL, 0);
	assert_int_equal(cap_move(cs, h[5], other, &out), ERR_NO_RESOURCES);
	expect_live(cs, h[5], RIGHTS_ALL, 0); /* left in place */
	assert_int_equal(cspace_count(cs), LIMIT);
	assert_int_equal(cap_drop(cs, h[7]), 0);
	assert_int_equal(cap_duplicate(cs, h[3], &out), 0);
	assert_int_equal(cap_revoke(cs, h[0]), LIMIT - 1);
	cspace_destroy(cs);
	cspace_destroy(other);
	kobject_put(&t->base);
	baseline_check(b);
}

static void test_out_of_memory(void **state)
{
	(void)state;
	struct baseline b = baseline_take();
	struct cspace *cs = NULL;
	struct test_object *t = NULL;
	handle_t out;

	cap_shim_fail_after(0);
	assert_int_equal(cspace_create(8, &cs), ERR_NO_MEMORY);
	assert_int_equal(test_object_create(0, &t), ERR_NO_MEMORY);
	cap_shim_fail_after(-1);
	cs = new_cs(64);
	t = new_obj(10);
	/* Fail each allocation in turn: every operation fails cleanly or succeeds. */
	for (int n = 0; n < 6; n++) {
		struct cspace *fresh = new_cs(64);
		cap_shim_fail_after(n);
		int err = cap_insert_root(fresh, &t->base, RIGHTS_ALL, 0, &out);
		cap_shim_fail_after(-1);
		assert_true(err == 0 || err == ERR_NO_MEMORY);
		assert_int_equal(cspace_count(fresh), err == 0 ? 1 : 0);
		if (err == 0) {
			cap_shim_fail_after(n);
			handle_t d;
			int e2 = cap_derive_to(fresh, out, cs, RIGHT_READ, 0, &d);
			cap_shim_fail_after(-1);
			assert_true(e2 == 0 || e2 == ERR_NO_MEMORY);
		}
		cspace_destroy(fresh);
	}
	assert_int_equal(kobject_refcount(&t->base), 1 + cspace_count(cs));
	/* Growth needs a new table: failing it is ERR_NO_MEMORY, nothing changes. */
	handle_t r = root(cs, t, RIGHTS_ALL, 0);
	while (cspace_count(cs) < 16)
		derive(cs, r, RIGHT_READ, 0);
	uint32_t before = cspace_count(cs);
	cap_shim_fail_after(1); /* the struct cap succeeds, the table does not */
	assert_int_equal(cap_derive(cs, r, RIGHT_READ, 0, &out), ERR_NO_MEMORY);
	cap_shim_fail_after(0);
	assert_int_equal(cap_duplicate(cs, r, &out), ERR_NO_MEMORY);
	cap_shim_fail_after(-1);
	assert_int_equal(cspace_count(cs), before);
	derive(cs, r, RIGHT_READ, 0);
	cspace_destroy(cs);
	kobject_put(&t->base);
	baseline_check(b);
}

/* --- big trees: iterative revocation --- */

static void test_deep_chain(void **state)
{
	(void)state;
	struct baseline b = baseline_take();
	enum { DEPTH = 100000 };
	struct cspace *cs = new_cs(DEPTH + 1), *odd = new_cs(DEPTH / 2 + 1);
	struct test_object *t = new_obj(11);
	handle_t r = root(cs, t, RIGHTS_ALL, 0), h = r, mid = 0;
	for (int i = 1; i <= DEPTH; i++) {
		assert_int_equal(cap_derive(cs, h, RIGHTS_ALL, 0, &h), 0);
		if (i == DEPTH / 2)
			mid = h;
	}
	assert_int_equal(cspace_count(cs), DEPTH + 1);
	assert_int_equal(cap_drop(cs, mid), 0); /* splices the chain */
	expect_live(cs, h, RIGHTS_ALL, 0);
	assert_int_equal(cap_revoke(cs, r), DEPTH - 1);
	expect_dead(cs, h);
	assert_int_equal(cspace_count(cs), 1);

	/* A chain alternating between two cspaces, torn down by destroying them. */
	h = r;
	bool in_odd = false;
	for (int i = 1; i <= DEPTH; i++) {
		handle_t next;
		assert_int_equal(cap_derive_to(in_odd ? odd : cs, h, i & 1 ? odd : cs, RIGHTS_ALL,
		                               (uint64_t)i & 1, &next),
		                 0);
		h = next;
		in_odd = i & 1; /* badge 1 set at the first step, inherited below */
	}
	expect_live(cs, h, RIGHTS_ALL, 1);
	cspace_destroy(odd);
	cspace_destroy(cs);
	kobject_put(&t->base);
	baseline_check(b);
}

static void test_wide_tree(void **state)
{
	(void)state;
	struct baseline b = baseline_take();
	enum { SPACES = 4, WIDTH = 100000 };
	struct cspace *cs[SPACES];
	for (int i = 0; i < SPACES; i++)
		cs[i] = new_cs(WIDTH);
	struct test_object *t = new_obj(12);
	handle_t r = root(cs[0], t, RIGHTS_ALL, 0), out;
	static handle_t kids[WIDTH];
	for (int i = 0; i < WIDTH; i++)
		assert_int_equal(cap_derive_to(cs[0], r, cs[i % SPACES], RIGHTS_ALL, 0, &kids[i]),
		                 0);
	for (int i = 0; i < WIDTH; i += 100) /* some grandchildren */
		assert_int_equal(cap_derive(cs[i % SPACES], kids[i], RIGHT_READ, 0, &out), 0);
	assert_int_equal(kobject_refcount(&t->base), 1 + 1 + WIDTH + WIDTH / 100);
	assert_int_equal(cap_revoke(cs[0], r), WIDTH + WIDTH / 100);
	for (int i = 0; i < WIDTH; i += 997)
		expect_dead(cs[i % SPACES], kids[i]);
	for (int i = 0; i < SPACES; i++)
		assert_int_equal(cspace_count(cs[i]), i == 0 ? 1 : 0);
	assert_int_equal(kobject_refcount(&t->base), 2);
	for (int i = 0; i < SPACES; i++)
		cspace_destroy(cs[i]);
	kobject_put(&t->base);
	baseline_check(b);
}

/* --- randomized model and threads: cap_stress.c --- */

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(test_handle_format),      cmocka_unit_test(test_lookup_error_order),
	    cmocka_unit_test(test_derive_rules),       cmocka_unit_test(test_duplicate_is_sibling),
	    cmocka_unit_test(test_drop_reparents),     cmocka_unit_test(test_move_and_copy),
	    cmocka_unit_test(test_stale_and_recycled), cmocka_unit_test(test_forged_handles),
	    cmocka_unit_test(test_cspace_full),        cmocka_unit_test(test_out_of_memory),
	    cmocka_unit_test(test_deep_chain),         cmocka_unit_test(test_wide_tree),
	    cmocka_unit_test(cap_test_random_model),   cmocka_unit_test(cap_test_threads),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
