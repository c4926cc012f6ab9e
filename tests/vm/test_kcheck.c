/*
 * test_kcheck.c - the invariant checker (kernel/debug/kcheck.c, kernel/cap/check.c)
 * passes an honest state and catches each kind of broken one.
 *
 * kcheck_clean: the whole kernel's state as it is (kcheck_run), and a throwaway
 * cspace with a root, a child, a badged grandchild and a duplicate, all pass.
 * kcheck_catches_*: on throwaway cspaces, objects and pools only, the test breaks one
 * invariant by hand (a capability count below the capabilities found, a child with a
 * right its parent lacks, a sibling link that does not point back, a parent marked
 * revoked, a parent pool charged less than its child's quota), checks that the checker
 * names exactly that kind with ERR_BROKEN_INVARIANT, and puts the state back before
 * anything else can see it (nothing else knows these objects).
 */
#include <vmtest.h>

#include <abi/errors.h>
#include <cap/cap.h>
#include <cap/cap_internal.h>
#include <cap/check.h>
#include <debug/kcheck.h>
#include <lib/string.h>
#include <mm/kmalloc.h>
#include <obj/pool.h>
#include <obj/test_object.h>

static struct kcheck_report kc_r;

/* A root with every right but EXEC in a, its child (READ|DUPLICATE, badge 7) in b, and the
 * child's duplicate in b. */
struct kc_tree {
	struct cspace *a, *b;
	struct test_object *t;
	handle_t root, child, dup;
};

static bool kc_tree_make(struct kc_tree *k)
{
	if (cspace_create(8, &k->a) || cspace_create(8, &k->b))
		return false;
	if (test_object_create(1, &k->t))
		return false;
	int e = cap_insert_root(k->a, &k->t->base, RIGHTS_ALL & ~RIGHT_EXEC, 0, &k->root);
	kobject_put(&k->t->base);
	return !e &&
	       !cap_derive_to(k->a, k->root, k->b, RIGHT_READ | RIGHT_DUPLICATE, 7, &k->child) &&
	       !cap_duplicate(k->b, k->child, &k->dup);
}

static void kc_tree_free(struct kc_tree *k)
{
	cspace_destroy(k->b);
	cspace_destroy(k->a);
}

static int kc_check(struct cspace *cs)
{
	memset(&kc_r, 0, sizeof(kc_r));
	return cap_check_cspace(cs, &kc_r, NULL);
}

/* After a check of k.b with one invariant broken (and mended again): r must say that
 * kind, and b must pass again; then k goes. */
static void kc_caught(struct kc_tree *k, int r, uint32_t kind)
{
	VM_EXPECT_EQ(r, ERR_BROKEN_INVARIANT);
	VM_EXPECT_EQ(kc_r.kind, kind);
	VM_EXPECT_EQ(kc_check(k->b), 0);
	kc_tree_free(k);
}

/* Tree lock held by the caller: the capability h names. */
static struct cap *kc_cap(struct cspace *cs, handle_t h)
{
	return cspace_get(cs, h);
}

VM_TEST(kcheck_clean)
{
	struct kc_tree k;
	VM_EXPECT_EQ(kcheck_run(&kc_r), 0);
	VM_EXPECT_EQ(kc_r.kind, KCHECK_OK);
	VM_EXPECT(kc_tree_make(&k));
	VM_EXPECT_EQ(kc_check(k.a), 0);
	VM_EXPECT_EQ(kc_check(k.b), 0);
	VM_EXPECT_EQ(kc_r.caps, 2);
	kc_tree_free(&k);
}

VM_TEST(kcheck_catches_refcount)
{
	struct kc_tree k;
	VM_EXPECT(kc_tree_make(&k));
	uint32_t caps = __atomic_load_n(&k.t->base.caps, __ATOMIC_SEQ_CST);
	VM_EXPECT_EQ(caps, 3);
	__atomic_store_n(&k.t->base.caps, 1, __ATOMIC_SEQ_CST); /* b holds 2 of them */
	int r = kc_check(k.b);
	__atomic_store_n(&k.t->base.caps, caps, __ATOMIC_SEQ_CST);
	VM_EXPECT_EQ(kc_r.obj_id, k.t->base.id);
	kc_caught(&k, r, KCHECK_REFCOUNT);
}

VM_TEST(kcheck_catches_rights_growth)
{
	struct kc_tree k;
	VM_EXPECT(kc_tree_make(&k));
	uint64_t f = cap_tree_lock_irqsave();
	struct cap *c = kc_cap(k.b, k.child);
	c->rights |= RIGHT_EXEC; /* the root lacks it */
	cap_tree_unlock_irqrestore(f);
	int r = kc_check(k.b);
	f = cap_tree_lock_irqsave();
	c->rights &= ~RIGHT_EXEC;
	cap_tree_unlock_irqrestore(f);
	VM_EXPECT_EQ(kc_r.slot, HANDLE_INDEX(k.child));
	kc_caught(&k, r, KCHECK_RIGHTS_GROW);
}

VM_TEST(kcheck_catches_bad_links)
{
	struct kc_tree k;
	VM_EXPECT(kc_tree_make(&k));
	uint64_t f = cap_tree_lock_irqsave();
	struct cap *d = kc_cap(k.b, k.dup), *c = kc_cap(k.b, k.child);
	/* the duplicate is the first child, the child its next sibling */
	struct cap *saved = c->prev_sibling;
	c->prev_sibling = NULL;
	cap_tree_unlock_irqrestore(f);
	int r = kc_check(k.b);
	f = cap_tree_lock_irqsave();
	c->prev_sibling = saved;
	cap_tree_unlock_irqrestore(f);
	VM_EXPECT(saved == d);
	kc_caught(&k, r, KCHECK_LINKS);
}

VM_TEST(kcheck_catches_dead_ancestor)
{
	struct kc_tree k;
	VM_EXPECT(kc_tree_make(&k));
	uint64_t f = cap_tree_lock_irqsave();
	struct cap *root = kc_cap(k.a, k.root);
	root->gone = true;
	cap_tree_unlock_irqrestore(f);
	int r = kc_check(k.b); /* the root lives in a: b's capabilities see it as parent */
	f = cap_tree_lock_irqsave();
	root->gone = false;
	cap_tree_unlock_irqrestore(f);
	kc_caught(&k, r, KCHECK_DEAD_ANCESTOR);
}

/* kcheck_run's pool visitor, through a process-less cspace: the same function. */
VM_TEST(kcheck_catches_pool_undercharge)
{
	struct mem_pool *parent, *child;
	struct cspace *cs;
	handle_t h;
	struct kcheck_report r;
	VM_EXPECT_EQ(pool_create_root(1 << 20, &parent), 0);
	VM_EXPECT_EQ(pool_split(parent, 4096, &child), 0);
	VM_EXPECT_EQ(cspace_create(8, &cs), 0);
	VM_EXPECT_EQ(cap_insert_root(cs, &child->obj, RIGHTS_ALL, 0, &h), 0);
	VM_EXPECT_EQ(kcheck_cspace(cs, &r), 0);
	VM_EXPECT_EQ(r.pools, 1);
	__atomic_fetch_sub(&parent->used, 4096, __ATOMIC_SEQ_CST);
	int e = kcheck_cspace(cs, &r);
	__atomic_fetch_add(&parent->used, 4096, __ATOMIC_SEQ_CST);
	VM_EXPECT_EQ(e, ERR_BROKEN_INVARIANT);
	VM_EXPECT_EQ(r.kind, KCHECK_POOL);
	VM_EXPECT_EQ(r.obj_id, child->obj.id);
	VM_EXPECT_EQ(kcheck_cspace(cs, &r), 0);
	cspace_destroy(cs);
	pool_put(child);
	pool_put(parent);
}
