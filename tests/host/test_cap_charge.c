/*
 * test_cap_charge.c - cspace accounting: a cspace's slot table (at its real
 * size) and every capability in it are charged to its payer (a process's
 * memory pool in the kernel), a refused charge
 * fails the operation with ERR_NO_MEMORY and changes nothing, and every byte
 * comes back when capabilities go away.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <abi/errors.h>
#include <abi/rights.h>
#include <cap/cap.h>
#include <cap/cap_internal.h>
#include <mm/kmalloc.h>
#include <obj/test_object.h>

struct payer {
	uint64_t used, quota;
};

static int charge(void *ctx, uint64_t bytes)
{
	struct payer *p = ctx;
	if (p->used + bytes > p->quota)
		return ERR_NO_MEMORY;
	p->used += bytes;
	return 0;
}

static void uncharge(void *ctx, uint64_t bytes)
{
	struct payer *p = ctx;
	assert_true(p->used >= bytes);
	p->used -= bytes;
}

/* A process's cspace: the table at its real size and cap_alloc_cost() per capability. */
static const struct cspace_charge ops = {charge, uncharge, .tables = true, .caps = true};
/* A kbus transit cspace: the table only. */
static const struct cspace_charge table_ops = {charge, uncharge, .tables = true};

#define TABLE(n) ((uint64_t)(n) * sizeof(struct cslot)) /* the shim's kmalloc_size is the size */

static void test_quota_bounds_capabilities(void **state)
{
	(void)state;
	const uint64_t slot = cap_alloc_cost();
	struct payer pay = {0, TABLE(16) + 10 * slot};
	struct cspace *cs;
	struct test_object *t;
	handle_t h[12];
	assert_int_equal(cspace_create(1024, &cs), 0);
	cspace_set_charge(cs, &ops, &pay);
	assert_int_equal(test_object_create(7, &t), 0);
	struct kobject *obj = &t->base;
	for (int i = 0; i < 10; i++)
		assert_int_equal(cap_insert_root(cs, obj, RIGHTS_ALL, 0, &h[i]), 0);
	assert_int_equal(pay.used, TABLE(16) + 10 * slot);
	/* the payer refuses the 11th: nothing changes */
	assert_int_equal(cap_insert_root(cs, obj, RIGHTS_ALL, 0, &h[10]), ERR_NO_MEMORY);
	assert_int_equal(cap_derive(cs, h[0], RIGHT_READ, 0, &h[10]), ERR_NO_MEMORY);
	assert_int_equal(cap_duplicate(cs, h[0], &h[10]), ERR_NO_MEMORY);
	assert_int_equal(cspace_count(cs), 10);
	assert_int_equal(pay.used, TABLE(16) + 10 * slot);
	/* dropping pays back, and the room can be used again */
	assert_int_equal(cap_drop(cs, h[9]), 0);
	assert_int_equal(pay.used, TABLE(16) + 9 * slot);
	assert_int_equal(cap_derive(cs, h[0], RIGHT_READ | RIGHT_DUPLICATE, 0, &h[9]), 0);
	/* revoking the children of h[0] pays back theirs */
	assert_int_equal(cap_revoke(cs, h[0]), 1);
	assert_int_equal(pay.used, TABLE(16) + 9 * slot);
	cspace_destroy(cs);
	assert_int_equal(pay.used, 0);
	kobject_put(obj);
}

static void test_transfer_charges_the_receiver(void **state)
{
	(void)state;
	const uint64_t slot = cap_alloc_cost();
	struct payer a = {0, TABLE(16) + 4 * slot}, b = {0, TABLE(16) + 1 * slot};
	struct cspace *csa, *csb;
	struct test_object *t;
	handle_t h, hb, hb2;
	assert_int_equal(cspace_create(64, &csa), 0);
	assert_int_equal(cspace_create(64, &csb), 0);
	cspace_set_charge(csa, &ops, &a);
	cspace_set_charge(csb, &ops, &b);
	assert_int_equal(test_object_create(1, &t), 0);
	struct kobject *obj = &t->base;
	assert_int_equal(cap_insert_root(csa, obj, RIGHTS_ALL, 0, &h), 0);
	assert_int_equal(cap_copy_to(csa, h, csb, &hb), 0);
	assert_int_equal(b.used, TABLE(16) + slot);
	assert_int_equal(cap_copy_to(csa, h, csb, &hb2), ERR_NO_MEMORY);
	assert_int_equal(cap_move(csb, hb, csa, &hb2), 0); /* moves the cost too */
	assert_int_equal(b.used, TABLE(16)); /* the table stays while csb lives */
	assert_int_equal(a.used, TABLE(16) + 2 * slot);
	cspace_destroy(csb);
	assert_int_equal(b.used, 0);
	cspace_destroy(csa);
	assert_int_equal(a.used, 0);
	kobject_put(obj);
}

/*
 * Fill a process-style cspace and drop everything: the table that grew for
 * them is still allocated, and still charged, at its real size.
 */
static void test_grown_table_stays_charged(void **state)
{
	(void)state;
	enum { N = 4096 };
	const uint64_t slot = cap_alloc_cost();
	struct payer pay = {0, UINT64_MAX};
	struct cspace *cs;
	struct test_object *t;
	static handle_t h[N];
	assert_int_equal(cspace_create(N, &cs), 0);
	cspace_set_charge(cs, &ops, &pay);
	assert_int_equal(test_object_create(5, &t), 0);
	struct kobject *obj = &t->base;
	for (int i = 0; i < N; i++)
		assert_int_equal(cap_insert_root(cs, obj, RIGHTS_ALL, 0, &h[i]), 0);
	assert_int_equal(pay.used, TABLE(N) + N * slot);
	assert_int_equal(cap_insert_root(cs, obj, RIGHTS_ALL, 0, &h[0]), ERR_NO_RESOURCES);
	assert_int_equal(pay.used, TABLE(N) + N * slot);
	for (int i = 0; i < N; i++)
		assert_int_equal(cap_drop(cs, h[i]), 0);
	assert_int_equal(pay.used, TABLE(N));
	assert_int_equal(pay.used, kmalloc_size(sizeof(struct cslot) * cs->capacity));
	cspace_destroy(cs);
	assert_int_equal(pay.used, 0);
	kobject_put(obj);
}

/* A transit-style cspace pays for its table (not its slots); the last release gives it back. */
static void test_table_charged_and_trimmed(void **state)
{
	(void)state;
	struct payer pay = {0, UINT64_MAX};
	struct cspace *cs;
	struct test_object *t;
	static handle_t h[200];
	const uint64_t slot = 0; /* the handles' holder pays for the capabilities */
	assert_int_equal(cspace_create(1024, &cs), 0);
	cspace_set_charge(cs, &table_ops, &pay);
	assert_int_equal(test_object_create(3, &t), 0);
	struct kobject *obj = &t->base;
	cspace_hold(cs);
	cspace_hold(cs);
	for (int i = 0; i < 200; i++)
		assert_int_equal(cap_insert_root(cs, obj, RIGHTS_ALL, 0, &h[i]), 0);
	/* 200 slots: the table grew to 256 (the shim's kmalloc_size is the size) */
	assert_int_equal(pay.used, 200 * slot + 256 * sizeof(struct cslot));
	cspace_release(cs); /* not the last hold, and not empty: kept */
	for (int i = 0; i < 200; i++)
		assert_int_equal(cap_drop(cs, h[i]), 0);
	assert_int_equal(pay.used, 256 * sizeof(struct cslot));
	cspace_hold(cs);
	cspace_release(cs); /* empty, but another hold remains: kept */
	assert_int_equal(pay.used, 256 * sizeof(struct cslot));
	cspace_release(cs); /* the last: trimmed */
	assert_int_equal(pay.used, 0);
	/* it grows again from nothing, charged again; a small table is kept */
	cspace_hold(cs);
	assert_int_equal(cap_insert_root(cs, obj, RIGHTS_ALL, 0, &h[0]), 0);
	assert_int_equal(pay.used, slot + 16 * sizeof(struct cslot));
	assert_int_equal(cap_drop(cs, h[0]), 0);
	cspace_release(cs);
	assert_int_equal(pay.used, 16 * sizeof(struct cslot));
	/* no trim while not empty, even with no hold */
	cspace_hold(cs);
	for (int i = 0; i < 130; i++)
		assert_int_equal(cap_insert_root(cs, obj, RIGHTS_ALL, 0, &h[i]), 0);
	cspace_release(cs);
	assert_int_equal(pay.used, 130 * slot + 256 * sizeof(struct cslot));
	cspace_destroy(cs); /* gives back the table too */
	assert_int_equal(pay.used, 0);
	kobject_put(obj);
}

/* A refused table charge fails the operation and changes nothing. */
static void test_table_charge_refused(void **state)
{
	(void)state;
	struct payer pay = {0, UINT64_MAX};
	struct cspace *cs;
	struct test_object *t;
	handle_t h[17];
	assert_int_equal(cspace_create(1024, &cs), 0);
	cspace_set_charge(cs, &table_ops, &pay);
	assert_int_equal(test_object_create(4, &t), 0);
	struct kobject *obj = &t->base;
	for (int i = 0; i < 16; i++)
		assert_int_equal(cap_insert_root(cs, obj, RIGHTS_ALL, 0, &h[i]), 0);
	uint64_t used = pay.used;
	assert_int_equal(used, 16 * sizeof(struct cslot));
	pay.quota = used + 16 * sizeof(struct cslot); /* not enough for 32 slots */
	assert_int_equal(cap_insert_root(cs, obj, RIGHTS_ALL, 0, &h[16]), ERR_NO_MEMORY);
	assert_int_equal(pay.used, used);
	assert_int_equal(cspace_count(cs), 16);
	pay.quota = used + 32 * sizeof(struct cslot); /* the new table while the old one lives */
	assert_int_equal(cap_insert_root(cs, obj, RIGHTS_ALL, 0, &h[16]), 0);
	assert_int_equal(pay.used, 32 * sizeof(struct cslot));
	cspace_destroy(cs);
	assert_int_equal(pay.used, 0);
	kobject_put(obj);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(test_quota_bounds_capabilities),
	    cmocka_unit_test(test_transfer_charges_the_receiver),
	    cmocka_unit_test(test_grown_table_stays_charged),
	    cmocka_unit_test(test_table_charged_and_trimmed),
	    cmocka_unit_test(test_table_charge_refused),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
