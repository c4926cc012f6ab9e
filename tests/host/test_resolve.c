/*
 * test_resolve.c - host tests for namespace resolution (shared/ns_resolve.c).
 *
 * Two tmpfs trees (user/tmpfs/tree.c) stand in for two providers, and a
 * small bind table attaches the second below the first, so the tests run
 * real provider walks: links relative and absolute, ".." in targets, escapes
 * above the start node (which must look exactly like missing names), link
 * loops, binds, and providers that lie about what they resolved.
 */
#include <shared/ns_resolve.h>
#include "tree.h"
#include <abi/errors.h>

#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <cmocka.h>

#define S(s) s, strlen(s)

struct world {
	struct tfs a, b;
	struct ns_at bind_at, bind_to; /* one bind point */
	int lie; /* 1: report one name too many; 2: an unknown step code */
	unsigned steps;
};

/* A provider step: name by name through tfs_walk, stopping at a bind point. */
static int step(void *ctx, struct ns_at at, const char *path, size_t len, bool follow_last,
                struct ns_step *out)
{
	struct world *w = ctx;
	struct tfs *fs = at.prov;
	w->steps++;
	out->consumed = 0;
	uint64_t node = at.node;
	uint32_t type = NS_TYPE_DIR;
	struct tfs_walk tw;
	int r = tfs_walk(fs, node, "", 0, false, &tw);
	if (r)
		return r;
	type = tw.type;
	for (size_t i = 0; i < len;) {
		size_t s = i;
		while (i < len && path[i] != '/')
			i++;
		bool last = i == len;
		r = tfs_walk(fs, node, path + s, i - s, !last || follow_last, &tw);
		if (r < 0)
			return r;
		out->consumed++;
		if (r == TFS_WALK_LINK) {
			out->link = tw.link;
			out->link_len = tw.link_len;
			return NS_STEP_LINK;
		}
		node = tw.node;
		type = tw.type;
		if (fs == w->bind_at.prov && node == w->bind_at.node) {
			out->at = w->bind_to;
			return NS_STEP_CROSS;
		}
		if (!last)
			i++;
	}
	if (w->lie == 2)
		return 7;
	out->consumed += w->lie == 1;
	out->at = (struct ns_at){fs, node};
	out->type = type;
	return NS_STEP_NODE;
}

static uint64_t mk(struct tfs *fs, uint64_t dir, const char *name, uint32_t type)
{
	uint64_t id;
	assert_int_equal(tfs_create(fs, dir, S(name), type, true, &id), 0);
	return id;
}

static void ln(struct tfs *fs, uint64_t dir, const char *name, const char *target)
{
	uint64_t id;
	assert_int_equal(tfs_symlink(fs, dir, S(name), S(target), &id), 0);
}

static struct world *world_new(void)
{
	struct world *w = calloc(1, sizeof(*w));
	assert_int_equal(tfs_init(&w->a, 1 << 20, NULL), 0);
	assert_int_equal(tfs_init(&w->b, 1 << 20, NULL), 0);
	/* provider a:  home/ada/{notes, up -> ../.., esc -> ../../.., abs -> /home, self -> self,
	 *              dir -> sub/, sub/x}, mnt (bound to b's root), loop1 -> loop2 -> loop1
	 * provider b:  data/file, back -> ../../home (from mnt: climbs into a again) */
	uint64_t home = mk(&w->a, w->a.root, "home", NS_TYPE_DIR);
	uint64_t ada = mk(&w->a, home, "ada", NS_TYPE_DIR);
	mk(&w->a, ada, "notes", NS_TYPE_FILE);
	uint64_t sub = mk(&w->a, ada, "sub", NS_TYPE_DIR);
	mk(&w->a, sub, "x", NS_TYPE_FILE);
	ln(&w->a, ada, "up", "../..");
	ln(&w->a, ada, "esc", "../../..");
	ln(&w->a, ada, "abs", "/home");
	ln(&w->a, ada, "self", "self");
	ln(&w->a, ada, "dir", "sub/");
	ln(&w->a, ada, "bad", "ok/\xff");
	uint64_t mnt = mk(&w->a, w->a.root, "mnt", NS_TYPE_DIR);
	ln(&w->a, w->a.root, "loop1", "loop2");
	ln(&w->a, w->a.root, "loop2", "loop1");
	uint64_t data = mk(&w->b, w->b.root, "data", NS_TYPE_DIR);
	mk(&w->b, data, "file", NS_TYPE_FILE);
	ln(&w->b, data, "back", "../../home");
	w->bind_at = (struct ns_at){&w->a, mnt};
	w->bind_to = (struct ns_at){&w->b, w->b.root};
	return w;
}

static void world_free(struct world *w)
{
	tfs_destroy(&w->a);
	tfs_destroy(&w->b);
	free(w);
}

/* Resolve s from the node at `from` (a path in a); returns the error or 0 with *out. */
static int resolve_from(struct world *w, const char *from, const char *s, bool follow,
                        struct ns_step *out)
{
	static struct ns_path path, scratch;
	struct tfs_walk tw;
	assert_int_equal(tfs_walk(&w->a, w->a.root, S(from), false, &tw), 0);
	int err = ns_path_parse(s, strlen(s), &path);
	if (err)
		return err;
	return ns_resolve((struct ns_at){&w->a, tw.node}, &path, &scratch, follow, step, w, out);
}

static uint64_t node_at(struct tfs *fs, const char *path)
{
	struct tfs_walk tw;
	assert_int_equal(tfs_walk(fs, fs->root, S(path), false, &tw), 0);
	return tw.node;
}

static void test_plain_and_links(void **state)
{
	(void)state;
	struct world *w = world_new();
	struct ns_step out;
	assert_int_equal(resolve_from(w, "", "home/ada/notes", true, &out), 0);
	assert_int_equal(out.at.node, node_at(&w->a, "home/ada/notes"));
	assert_int_equal(out.type, NS_TYPE_FILE);
	assert_int_equal(resolve_from(w, "", "home/ada/up/home/ada/notes", true, &out), 0);
	assert_int_equal(out.at.node, node_at(&w->a, "home/ada/notes"));
	assert_int_equal(resolve_from(w, "", "home/ada/abs/ada/sub/x", true, &out), 0);
	assert_int_equal(out.at.node, node_at(&w->a, "home/ada/sub/x"));
	assert_int_equal(resolve_from(w, "", "home/ada/dir/x", true, &out), 0);
	assert_int_equal(out.at.node, node_at(&w->a, "home/ada/sub/x"));
	/* NOFOLLOW on the last name gives the link itself; links before it are followed */
	assert_int_equal(resolve_from(w, "", "home/ada/abs", false, &out), 0);
	assert_int_equal(out.type, NS_TYPE_LINK);
	assert_int_equal(resolve_from(w, "", "home/ada/up/home", false, &out), 0);
	assert_int_equal(out.type, NS_TYPE_DIR);
	assert_int_equal(resolve_from(w, "", "home/ada/bad", true, &out), ERR_INVALID_ARGS);
	world_free(w);
}

/* From a sandbox (a capability to home/ada), nothing above it can be named, and trying
 * looks exactly like a missing name: same error, and no provider step above the start. */
static void test_escapes(void **state)
{
	(void)state;
	struct world *w = world_new();
	struct ns_step out;
	assert_int_equal(resolve_from(w, "home/ada", "..", true, &out), ERR_NOT_FOUND);
	assert_int_equal(resolve_from(w, "home/ada", "sub/../../notes", true, &out), ERR_NOT_FOUND);
	assert_int_equal(resolve_from(w, "home/ada", "up", true, &out), ERR_NOT_FOUND);
	assert_int_equal(resolve_from(w, "home/ada", "esc", true, &out), ERR_NOT_FOUND);
	assert_int_equal(resolve_from(w, "home/ada", "nonexistent", true, &out), ERR_NOT_FOUND);
	/* an absolute target starts at the sandbox's root, not the provider's */
	assert_int_equal(resolve_from(w, "home/ada", "abs", true, &out), ERR_NOT_FOUND);
	/* ".." is lexical: "abs/.." is the start itself, whatever abs is */
	assert_int_equal(resolve_from(w, "home/ada", "abs/..", true, &out), 0);
	assert_int_equal(out.at.node, node_at(&w->a, "home/ada"));
	/* the provider is never asked about anything above the start: every step a
	 * resolution makes starts at the sandbox root */
	w->steps = 0;
	assert_int_equal(resolve_from(w, "home/ada", "up/home/ada/notes", true, &out),
	                 ERR_NOT_FOUND);
	assert_int_equal(w->steps, 1); /* the splice itself fails: nothing above is consulted */
	/* from the top, the same link resolves */
	assert_int_equal(resolve_from(w, "", "home/ada/up", true, &out), 0);
	assert_int_equal(out.at.node, w->a.root);
	world_free(w);
}

static void test_loops_and_limits(void **state)
{
	(void)state;
	struct world *w = world_new();
	struct ns_step out;
	assert_int_equal(resolve_from(w, "", "loop1", true, &out), ERR_LOOP);
	assert_int_equal(resolve_from(w, "", "home/ada/self", true, &out), ERR_LOOP);
	assert_int_equal(resolve_from(w, "", "loop1", false, &out), 0); /* NOFOLLOW: no loop */
	/* a chain of exactly NS_LINKS_MAX links resolves; one more does not */
	char name[16], target[16];
	uint64_t id;
	for (int i = 0; i <= NS_LINKS_MAX; i++) {
		snprintf(name, sizeof(name), "c%d", i);
		snprintf(target, sizeof(target), i == NS_LINKS_MAX ? "home" : "c%d", i + 1);
		assert_int_equal(tfs_symlink(&w->a, w->a.root, S(name), S(target), &id), 0);
	}
	assert_int_equal(resolve_from(w, "", "c1", true, &out), 0);
	assert_int_equal(resolve_from(w, "", "c0", true, &out), ERR_LOOP);
	world_free(w);
}

static void test_binds(void **state)
{
	(void)state;
	struct world *w = world_new();
	struct ns_step out;
	assert_int_equal(resolve_from(w, "", "mnt/data/file", true, &out), 0);
	assert_ptr_equal(out.at.prov, &w->b);
	assert_int_equal(out.at.node, node_at(&w->b, "data/file"));
	assert_int_equal(resolve_from(w, "", "mnt", true, &out), 0); /* the bound root itself */
	assert_ptr_equal(out.at.prov, &w->b);
	assert_int_equal(out.at.node, w->b.root);
	assert_int_equal(out.type, NS_TYPE_DIR);
	/* a link in b climbing out of the bind point lands back in a, lexically */
	assert_int_equal(resolve_from(w, "", "mnt/data/back/ada/notes", true, &out), 0);
	assert_ptr_equal(out.at.prov, &w->a);
	assert_int_equal(out.at.node, node_at(&w->a, "home/ada/notes"));
	/* ... but never above a sandbox that starts at the bind point */
	world_free(w);
}

static void test_lying_provider(void **state)
{
	(void)state;
	struct world *w = world_new();
	struct ns_step out;
	w->lie = 1;
	assert_int_equal(resolve_from(w, "", "home/ada", true, &out), ERR_INTERNAL);
	w->lie = 2;
	assert_int_equal(resolve_from(w, "", "home/ada", true, &out), ERR_INTERNAL);
	world_free(w);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(test_plain_and_links),  cmocka_unit_test(test_escapes),
	    cmocka_unit_test(test_loops_and_limits), cmocka_unit_test(test_binds),
	    cmocka_unit_test(test_lying_provider),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
