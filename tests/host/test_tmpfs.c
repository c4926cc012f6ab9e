/*
 * test_tmpfs.c - host tests for the tmpfs provider's tree (user/tmpfs/tree.c).
 *
 * Each operation with good and bad arguments, POSIX's corner cases (rename
 * over an existing name, a directory below itself, unlink of an open file),
 * listings that stay stable while the directory changes, files with holes,
 * and the memory limit: under a limit too small for an operation it fails
 * whole, and a random workload that removes everything it made returns the
 * byte count to its start (ASan reports any leak on top).
 */
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

static uint64_t fake_ns;
static uint64_t fake_clock(void)
{
	return fake_ns += 1000;
}

#define S(s) s, strlen(s)

static uint64_t walk(struct tfs *fs, const char *path, int want)
{
	struct tfs_walk w;
	int r = tfs_walk(fs, fs->root, path, strlen(path), true, &w);
	if (r != want)
		fail_msg("walk %s: %d, want %d", path, r, want);
	return r == 0 || r == TFS_WALK_LINK ? w.node : 0;
}

static void test_create_walk_stat(void **state)
{
	(void)state;
	struct tfs fs;
	assert_int_equal(tfs_init(&fs, 1 << 20, fake_clock), 0);
	uint64_t home, ada, f, again;
	assert_int_equal(tfs_create(&fs, fs.root, S("home"), NS_TYPE_DIR, true, &home), 0);
	assert_int_equal(tfs_create(&fs, home, S("ada"), NS_TYPE_DIR, true, &ada), 0);
	assert_int_equal(tfs_create(&fs, ada, S("notes.txt"), NS_TYPE_FILE, true, &f), 0);
	assert_int_equal(walk(&fs, "home/ada/notes.txt", 0), f);
	assert_int_equal(walk(&fs, "", 0), fs.root);
	walk(&fs, "home/bob", ERR_NOT_FOUND);
	walk(&fs, "home/ada/notes.txt/x", ERR_WRONG_TYPE);
	walk(&fs, "home//ada", ERR_INVALID_ARGS);
	walk(&fs, "home/./ada", ERR_INVALID_ARGS);
	walk(&fs, "home/../home", ERR_INVALID_ARGS); /* ".." is the kernel's, never the tree's */
	walk(&fs, "home/", ERR_INVALID_ARGS);
	/* create: exclusive, existing of the same and of another type */
	assert_int_equal(tfs_create(&fs, ada, S("notes.txt"), NS_TYPE_FILE, true, &again),
	                 ERR_ALREADY_EXISTS);
	assert_int_equal(tfs_create(&fs, ada, S("notes.txt"), NS_TYPE_FILE, false, &again), 0);
	assert_int_equal(again, f);
	assert_int_equal(tfs_create(&fs, ada, S("notes.txt"), NS_TYPE_DIR, false, &again),
	                 ERR_WRONG_TYPE);
	assert_int_equal(tfs_create(&fs, f, S("x"), NS_TYPE_FILE, true, &again), ERR_WRONG_TYPE);
	assert_int_equal(tfs_create(&fs, 999, S("x"), NS_TYPE_FILE, true, &again), ERR_NOT_FOUND);
	assert_int_equal(tfs_create(&fs, ada, S("x"), NS_TYPE_LINK, true, &again),
	                 ERR_INVALID_ARGS);
	static const char *bad[] = {"", ".", "..", "a/b"};
	for (int i = 0; i < 4; i++)
		assert_int_equal(tfs_create(&fs, ada, S(bad[i]), NS_TYPE_FILE, true, &again),
		                 ERR_INVALID_ARGS);
	assert_int_equal(tfs_create(&fs, ada, "a\0b", 3, NS_TYPE_FILE, true, &again),
	                 ERR_INVALID_ARGS);
	struct ns_stat st;
	assert_int_equal(tfs_stat(&fs, home, &st), 0);
	assert_int_equal(st.type, NS_TYPE_DIR);
	assert_int_equal(st.nlink, 3); /* its entry, itself, ada's ".." */
	assert_int_equal(st.mode, NS_MODE_KEPT | 0755);
	assert_int_equal(tfs_stat(&fs, f, &st), 0);
	assert_int_equal(st.type, NS_TYPE_FILE);
	assert_int_equal(st.nlink, 1);
	/* made with POSIX's usual permissions, owner 0; ids never reused */
	assert_int_equal(st.mode, NS_MODE_KEPT | 0644);
	assert_int_equal(st.uid, 0);
	assert_int_equal(st.gid, 0);
	assert_int_equal(st.generation, 0);
	assert_int_equal(st.size, 0);
	assert_int_equal(tfs_stat(&fs, 12345, &st), ERR_NOT_FOUND);
	tfs_destroy(&fs);
}

/* chmod, chown, utimensat: what is named changes, the rest and the type stay */
static void test_setattr(void **state)
{
	(void)state;
	struct tfs fs;
	assert_int_equal(tfs_init(&fs, 1 << 20, fake_clock), 0);
	uint64_t d, f, l;
	assert_int_equal(tfs_create(&fs, fs.root, S("d"), NS_TYPE_DIR, true, &d), 0);
	assert_int_equal(tfs_create(&fs, d, S("f"), NS_TYPE_FILE, true, &f), 0);
	assert_int_equal(tfs_symlink(&fs, d, S("l"), S("f"), &l), 0);
	struct ns_stat st, before;
	assert_int_equal(tfs_stat(&fs, l, &st), 0);
	assert_int_equal(st.mode, NS_MODE_KEPT | 0777);
	assert_int_equal(tfs_stat(&fs, f, &before), 0);
	struct ns_setattr sa = {.valid = NS_ATTR_MODE, .mode = 04751};
	assert_int_equal(tfs_setattr(&fs, f, &sa), 0);
	assert_int_equal(tfs_stat(&fs, f, &st), 0);
	assert_int_equal(st.mode, NS_MODE_KEPT | 04751);
	assert_int_equal(st.type, NS_TYPE_FILE);
	assert_int_equal(st.uid, 0);
	assert_true(st.ctime > before.ctime);
	assert_int_equal(st.mtime, before.mtime);
	sa = (struct ns_setattr){.valid = NS_ATTR_UID | NS_ATTR_GID | NS_ATTR_ATIME | NS_ATTR_MTIME,
	                         .uid = 70000,
	                         .gid = 80000,
	                         .atime = 1700000000123456789ull,
	                         .mtime = 1600000000000000001ull};
	assert_int_equal(tfs_setattr(&fs, f, &sa), 0);
	assert_int_equal(tfs_stat(&fs, f, &st), 0);
	assert_int_equal(st.mode, NS_MODE_KEPT | 04751);
	assert_int_equal(st.uid, 70000);
	assert_int_equal(st.gid, 80000);
	assert_int_equal(st.atime, 1700000000123456789ull);
	assert_int_equal(st.mtime, 1600000000000000001ull);
	sa = (struct ns_setattr){.valid = NS_ATTR_MTIME_NOW | NS_ATTR_GID, .gid = 5};
	assert_int_equal(tfs_setattr(&fs, f, &sa), 0);
	assert_int_equal(tfs_stat(&fs, f, &st), 0);
	assert_int_equal(st.mtime, st.ctime); /* now */
	assert_int_equal(st.atime, 1700000000123456789ull);
	assert_int_equal(st.uid, 70000);
	assert_int_equal(st.gid, 5);
	/* a directory keeps its type; bad requests change nothing */
	sa = (struct ns_setattr){.valid = NS_ATTR_MODE, .mode = 0700};
	assert_int_equal(tfs_setattr(&fs, d, &sa), 0);
	assert_int_equal(tfs_stat(&fs, d, &st), 0);
	assert_int_equal(st.mode, NS_MODE_KEPT | 0700);
	assert_int_equal(st.type, NS_TYPE_DIR);
	static const struct ns_setattr bad[] = {
	    {.valid = NS_ATTR_MODE, .mode = 010000},
	    {.valid = 1u << 7},
	    {.valid = NS_ATTR_ATIME | NS_ATTR_ATIME_NOW},
	    {.valid = NS_ATTR_MTIME | NS_ATTR_MTIME_NOW},
	};
	for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++)
		assert_int_equal(tfs_setattr(&fs, d, &bad[i]), ERR_INVALID_ARGS);
	assert_int_equal(tfs_stat(&fs, d, &before), 0);
	assert_int_equal(before.mode, NS_MODE_KEPT | 0700);
	assert_int_equal(tfs_setattr(&fs, 12345, &sa), ERR_NOT_FOUND);
	tfs_destroy(&fs);
}

static void test_links(void **state)
{
	(void)state;
	struct tfs fs;
	assert_int_equal(tfs_init(&fs, 1 << 20, fake_clock), 0);
	uint64_t d, f, l;
	assert_int_equal(tfs_create(&fs, fs.root, S("d"), NS_TYPE_DIR, true, &d), 0);
	assert_int_equal(tfs_create(&fs, d, S("f"), NS_TYPE_FILE, true, &f), 0);
	assert_int_equal(tfs_symlink(&fs, fs.root, S("l"), S("d/f"), &l), 0);
	struct tfs_walk w;
	assert_int_equal(tfs_walk(&fs, fs.root, S("l"), true, &w), TFS_WALK_LINK);
	assert_int_equal(w.consumed, 1);
	assert_int_equal(w.link_len, 3);
	assert_memory_equal(w.link, "d/f", 3);
	assert_int_equal(tfs_walk(&fs, fs.root, S("l"), false, &w), 0); /* NOFOLLOW: the link */
	assert_int_equal(w.node, l);
	assert_int_equal(w.type, NS_TYPE_LINK);
	assert_int_equal(tfs_symlink(&fs, d, S("up"), S("../.."), &l), 0);
	assert_int_equal(tfs_walk(&fs, fs.root, S("d/up/x/y"), true, &w), TFS_WALK_LINK);
	assert_int_equal(w.consumed, 2); /* the kernel splices "d" + "../.." + "x/y" */
	char buf[8];
	assert_int_equal(tfs_readlink(&fs, l, buf, sizeof(buf)), 5);
	assert_int_equal(tfs_readlink(&fs, f, buf, sizeof(buf)), ERR_WRONG_TYPE);
	assert_int_equal(tfs_symlink(&fs, d, S("bad"), "a\0b", 3, &l), ERR_INVALID_ARGS);
	assert_int_equal(tfs_symlink(&fs, d, S("bad"), "", 0, &l), ERR_INVALID_ARGS);
	/* hard links */
	assert_int_equal(tfs_link(&fs, fs.root, S("f2"), f), 0);
	assert_int_equal(tfs_link(&fs, fs.root, S("f2"), f), ERR_ALREADY_EXISTS);
	assert_int_equal(tfs_link(&fs, fs.root, S("d2"), d), ERR_WRONG_TYPE);
	struct ns_stat st;
	assert_int_equal(tfs_stat(&fs, f, &st), 0);
	assert_int_equal(st.nlink, 2);
	assert_int_equal(tfs_unlink(&fs, d, S("f"), 0), 0);
	assert_int_equal(walk(&fs, "f2", 0), f);
	assert_int_equal(tfs_unlink(&fs, fs.root, S("f2"), 0), 0);
	assert_int_equal(tfs_stat(&fs, f, &st), ERR_NOT_FOUND); /* last name gone, not held */
	tfs_destroy(&fs);
}

static void test_unlink_rules_and_holds(void **state)
{
	(void)state;
	struct tfs fs;
	assert_int_equal(tfs_init(&fs, 1 << 20, fake_clock), 0);
	uint64_t base = fs.used;
	uint64_t d, f, sub;
	assert_int_equal(tfs_create(&fs, fs.root, S("d"), NS_TYPE_DIR, true, &d), 0);
	assert_int_equal(tfs_create(&fs, d, S("f"), NS_TYPE_FILE, true, &f), 0);
	assert_int_equal(tfs_unlink(&fs, fs.root, S("d"), 0), ERR_WRONG_TYPE); /* a dir: rmdir */
	assert_int_equal(tfs_unlink(&fs, fs.root, S("d"), TFS_UNLINK_DIR), ERR_BAD_STATE);
	assert_int_equal(tfs_unlink(&fs, d, S("f"), TFS_UNLINK_DIR), ERR_WRONG_TYPE);
	assert_int_equal(tfs_unlink(&fs, d, S("nope"), 0), ERR_NOT_FOUND);
	assert_int_equal(tfs_unlink(&fs, d, S(".."), 0), ERR_INVALID_ARGS);
	assert_int_equal(tfs_unlink(&fs, d, S("f"), 8), ERR_INVALID_ARGS);
	/* an open file outlives its last name */
	assert_int_equal(tfs_hold(&fs, f), 0);
	assert_int_equal(tfs_write(&fs, f, 0, "hello", 5), 5);
	assert_int_equal(tfs_unlink(&fs, d, S("f"), 0), 0);
	char buf[8];
	assert_int_equal(tfs_read(&fs, f, 0, buf, sizeof(buf)), 5);
	assert_memory_equal(buf, "hello", 5);
	tfs_release(&fs, f);
	assert_int_equal(tfs_read(&fs, f, 0, buf, sizeof(buf)), ERR_NOT_FOUND);
	/* a removed directory still held can be listed (empty) but not filled */
	assert_int_equal(tfs_create(&fs, d, S("sub"), NS_TYPE_DIR, true, &sub), 0);
	assert_int_equal(tfs_hold(&fs, sub), 0);
	assert_int_equal(tfs_unlink(&fs, d, S("sub"), TFS_UNLINK_DIR), 0);
	assert_int_equal(tfs_create(&fs, sub, S("x"), NS_TYPE_FILE, true, &f), ERR_NOT_FOUND);
	tfs_release(&fs, sub);
	assert_int_equal(tfs_unlink(&fs, fs.root, S("d"), TFS_UNLINK_DIR), 0);
	assert_int_equal(fs.used, base);
	tfs_destroy(&fs);
}

static void test_rename(void **state)
{
	(void)state;
	struct tfs fs;
	assert_int_equal(tfs_init(&fs, 1 << 20, fake_clock), 0);
	uint64_t a, b, ab, f, g, e;
	assert_int_equal(tfs_create(&fs, fs.root, S("a"), NS_TYPE_DIR, true, &a), 0);
	assert_int_equal(tfs_create(&fs, fs.root, S("b"), NS_TYPE_DIR, true, &b), 0);
	assert_int_equal(tfs_create(&fs, a, S("ab"), NS_TYPE_DIR, true, &ab), 0);
	assert_int_equal(tfs_create(&fs, a, S("f"), NS_TYPE_FILE, true, &f), 0);
	assert_int_equal(tfs_create(&fs, b, S("g"), NS_TYPE_FILE, true, &g), 0);
	assert_int_equal(tfs_create(&fs, b, S("empty"), NS_TYPE_DIR, true, &e), 0);
	/* across directories, replacing a file: g's node goes */
	assert_int_equal(tfs_rename(&fs, a, S("f"), b, S("g")), 0);
	assert_int_equal(walk(&fs, "b/g", 0), f);
	walk(&fs, "a/f", ERR_NOT_FOUND);
	struct ns_stat st;
	assert_int_equal(tfs_stat(&fs, g, &st), ERR_NOT_FOUND);
	/* kinds must match; a non-empty directory is not replaced */
	assert_int_equal(tfs_rename(&fs, b, S("g"), b, S("empty")), ERR_WRONG_TYPE);
	assert_int_equal(tfs_rename(&fs, fs.root, S("a"), b, S("g")), ERR_WRONG_TYPE);
	assert_int_equal(tfs_rename(&fs, b, S("empty"), fs.root, S("b")), ERR_BAD_STATE);
	assert_int_equal(tfs_rename(&fs, fs.root, S("a"), a, S("x")), ERR_INVALID_ARGS);
	assert_int_equal(tfs_rename(&fs, fs.root, S("a"), ab, S("x")), ERR_INVALID_ARGS);
	assert_int_equal(tfs_rename(&fs, a, S("ab"), b, S("empty")), 0); /* over an empty dir */
	assert_int_equal(walk(&fs, "b/empty", 0), ab);
	assert_int_equal(tfs_stat(&fs, a, &st), 0);
	assert_int_equal(st.nlink, 2);
	assert_int_equal(tfs_stat(&fs, b, &st), 0);
	assert_int_equal(st.nlink, 3);
	assert_int_equal(tfs_rename(&fs, b, S("nope"), a, S("x")), ERR_NOT_FOUND);
	/* same node under both names: nothing happens */
	assert_int_equal(tfs_link(&fs, a, S("h"), f), 0);
	assert_int_equal(tfs_rename(&fs, a, S("h"), b, S("g")), 0);
	assert_int_equal(walk(&fs, "a/h", 0), f);
	/* rename within one directory keeps the listing consistent */
	assert_int_equal(tfs_rename(&fs, a, S("h"), a, S("h2")), 0);
	assert_int_equal(walk(&fs, "a/h2", 0), f);
	tfs_destroy(&fs);
}

static unsigned list_all(struct tfs *fs, uint64_t dir, size_t bufsize, char names[][16])
{
	char buf[512];
	uint64_t cookie = 0;
	unsigned n = 0;
	long got;
	while ((got = tfs_list(fs, dir, &cookie, buf, bufsize)) > 0) {
		for (long off = 0; off < got;) {
			struct ns_dirent *de = (struct ns_dirent *)(buf + off);
			assert_int_equal(de->reclen % 8, 0);
			assert_int_equal(de->name[de->namelen], '\0');
			snprintf(names[n++], 16, "%s", de->name);
			off += de->reclen;
		}
	}
	assert_int_equal(got, 0);
	return n;
}

static void test_list(void **state)
{
	(void)state;
	struct tfs fs;
	assert_int_equal(tfs_init(&fs, 1 << 20, fake_clock), 0);
	uint64_t id;
	char name[16];
	for (int i = 0; i < 100; i++) {
		snprintf(name, sizeof(name), "e%03d", i);
		assert_int_equal(tfs_create(&fs, fs.root, S(name),
		                            i % 3 ? NS_TYPE_FILE : NS_TYPE_DIR, true, &id),
		                 0);
	}
	static char names[200][16];
	assert_int_equal(list_all(&fs, fs.root, 40, names), 100); /* one entry per page */
	assert_int_equal(list_all(&fs, fs.root, 512, names), 100);
	for (int i = 0; i < 100; i++) {
		snprintf(name, sizeof(name), "e%03d", i);
		assert_string_equal(names[i], name);
	}
	char small[8];
	uint64_t cookie = 0;
	assert_int_equal(tfs_list(&fs, fs.root, &cookie, small, sizeof(small)),
	                 ERR_BUFFER_TOO_SMALL);
	/* changes between pages: nothing else repeats or goes missing */
	char buf[128];
	cookie = 0;
	long got = tfs_list(&fs, fs.root, &cookie, buf, sizeof(buf));
	assert_true(got > 0);
	assert_int_equal(tfs_unlink(&fs, fs.root, S("e050"), 0), 0);
	assert_int_equal(tfs_create(&fs, fs.root, S("late"), NS_TYPE_FILE, true, &id), 0);
	unsigned seen = 0, late = 0;
	do {
		for (long off = 0; off < got; seen++) {
			struct ns_dirent *de = (struct ns_dirent *)(buf + off);
			late += !strcmp(de->name, "late");
			assert_string_not_equal(de->name, "e050");
			off += de->reclen;
		}
	} while ((got = tfs_list(&fs, fs.root, &cookie, buf, sizeof(buf))) > 0);
	assert_int_equal(seen, 100); /* 99 old + the late one */
	assert_int_equal(late, 1);
	assert_int_equal(tfs_list(&fs, id, &cookie, buf, sizeof(buf)), ERR_WRONG_TYPE);
	tfs_destroy(&fs);
}

static void test_file_data(void **state)
{
	(void)state;
	struct tfs fs;
	assert_int_equal(tfs_init(&fs, 1 << 22, fake_clock), 0);
	uint64_t f, base;
	assert_int_equal(tfs_create(&fs, fs.root, S("f"), NS_TYPE_FILE, true, &f), 0);
	base = fs.used;
	static char buf[3 * 4096], big[10000];
	memset(big, 'x', sizeof(big));
	/* a write far out leaves a hole that reads as zeros and costs no pages */
	assert_int_equal(tfs_write(&fs, f, 100000, "end", 3), 3);
	struct ns_stat st;
	assert_int_equal(tfs_stat(&fs, f, &st), 0);
	assert_int_equal(st.size, 100003);
	memset(buf, 0x55, sizeof(buf));
	assert_int_equal(tfs_read(&fs, f, 4000, buf, sizeof(buf)), sizeof(buf));
	for (size_t i = 0; i < sizeof(buf); i++)
		assert_int_equal(buf[i], 0);
	assert_int_equal(tfs_read(&fs, f, 99999, buf, 100), 4);
	assert_memory_equal(buf + 1, "end", 3);
	assert_int_equal(tfs_read(&fs, f, 200000, buf, 100), 0);
	/* across page boundaries */
	assert_int_equal(tfs_write(&fs, f, 4090, big, sizeof(big)), sizeof(big));
	assert_int_equal(tfs_read(&fs, f, 4090, buf, sizeof(buf)), sizeof(buf));
	assert_memory_equal(buf, big, sizeof(buf));
	/* truncate: shrinking frees pages and zeroes the tail, growing reads zeros */
	uint64_t before = fs.used;
	assert_int_equal(tfs_truncate(&fs, f, 4095), 0);
	assert_true(fs.used < before);
	assert_int_equal(tfs_truncate(&fs, f, 8192), 0);
	assert_int_equal(tfs_read(&fs, f, 4090, buf, 10), 10);
	assert_memory_equal(buf, "xxxxx\0\0\0\0\0", 10);
	assert_int_equal(tfs_truncate(&fs, f, 0), 0);
	assert_int_equal(tfs_stat(&fs, f, &st), 0);
	assert_int_equal(st.size, 0);
	/* out of range and wrong types */
	assert_int_equal(tfs_write(&fs, f, UINT64_MAX - 1, "ab", 2), ERR_OUT_OF_RANGE);
	assert_int_equal(tfs_truncate(&fs, f, UINT64_MAX), ERR_OUT_OF_RANGE);
	assert_int_equal(tfs_write(&fs, fs.root, 0, "ab", 2), ERR_WRONG_TYPE);
	assert_int_equal(tfs_read(&fs, fs.root, 0, buf, 2), ERR_WRONG_TYPE);
	assert_int_equal(tfs_truncate(&fs, 4242, 0), ERR_NOT_FOUND);
	assert_int_equal(tfs_write(&fs, f, 0, "", 0), 0);
	assert_int_equal(tfs_unlink(&fs, fs.root, S("f"), 0), 0);
	assert_true(fs.used < base);
	tfs_destroy(&fs);
}

/* Under a limit, an operation that does not fit fails whole and changes nothing. */
static void test_limit(void **state)
{
	(void)state;
	struct tfs fs;
	assert_int_equal(tfs_init(&fs, 64 * 1024, fake_clock), 0);
	uint64_t f;
	assert_int_equal(tfs_create(&fs, fs.root, S("f"), NS_TYPE_FILE, true, &f), 0);
	static char big[128 * 1024];
	uint64_t used = fs.used;
	assert_int_equal(tfs_write(&fs, f, 0, big, sizeof(big)), ERR_NO_MEMORY);
	struct ns_stat st;
	assert_int_equal(tfs_stat(&fs, f, &st), 0);
	assert_int_equal(st.size, 0);
	assert_true(fs.used - used <= 64 * sizeof(void *)); /* at most the page table grew */
	/* fill with names until full: every failure is ERR_NO_MEMORY, then all go away */
	char name[32];
	uint64_t id;
	int i = 0, err;
	do {
		snprintf(name, sizeof(name), "n%d", i);
		err = tfs_create(&fs, fs.root, S(name), i % 2 ? NS_TYPE_FILE : NS_TYPE_DIR, true,
		                 &id);
	} while (!err && ++i < 100000);
	assert_int_equal(err, ERR_NO_MEMORY);
	assert_true(fs.used <= fs.limit);
	snprintf(name, sizeof(name), "n%d", i);
	struct tfs_walk w;
	assert_int_equal(tfs_walk(&fs, fs.root, S(name), true, &w), ERR_NOT_FOUND);
	for (int k = 0; k < i; k++) {
		snprintf(name, sizeof(name), "n%d", k);
		assert_int_equal(tfs_unlink(&fs, fs.root, S(name), k % 2 ? 0 : TFS_UNLINK_DIR), 0);
	}
	tfs_destroy(&fs);
}

static uint64_t rng = 88172645463325252ull;
static unsigned next(void)
{
	rng ^= rng << 13;
	rng ^= rng >> 7;
	rng ^= rng << 17;
	return (unsigned)rng;
}

/* A random workload over a few names in a few directories, then removal of everything. */
static void test_random_workload(void **state)
{
	(void)state;
	struct tfs fs;
	assert_int_equal(tfs_init(&fs, 1 << 20, fake_clock), 0);
	uint64_t base = fs.used, dirs[4] = {fs.root, 0, 0, 0};
	static const char *names[] = {"a", "b", "c", "d", "e"};
	for (int i = 1; i < 4; i++)
		assert_int_equal(tfs_create(&fs, fs.root, S(names[i]), NS_TYPE_DIR, true, &dirs[i]),
		                 0);
	static char data[9000];
	for (unsigned round = 0; round < 20000; round++) {
		uint64_t d = dirs[next() % 4], d2 = dirs[next() % 4], id;
		const char *n = names[next() % 5], *n2 = names[next() % 5];
		struct tfs_walk w;
		switch (next() % 8) {
		case 0:
			tfs_create(&fs, d, S(n), NS_TYPE_FILE, next() % 2, &id);
			break;
		case 1:
			tfs_create(&fs, d, S(n), NS_TYPE_DIR, true, &id);
			break;
		case 2:
			tfs_unlink(&fs, d, S(n), next() % 2 ? TFS_UNLINK_DIR : 0);
			break;
		case 3:
			tfs_rename(&fs, d, S(n), d2, S(n2));
			break;
		case 4:
			if (tfs_walk(&fs, d, S(n), false, &w) == 0)
				tfs_link(&fs, d2, S(n2), w.node);
			break;
		case 5:
			if (tfs_walk(&fs, d, S(n), false, &w) == 0)
				tfs_write(&fs, w.node, next() % 20000, data, next() % sizeof(data));
			break;
		case 6:
			if (tfs_walk(&fs, d, S(n), false, &w) == 0)
				tfs_truncate(&fs, w.node, next() % 20000);
			break;
		case 7:
			tfs_symlink(&fs, d, S(n), S("a/b"), &id);
			break;
		}
		assert_true(fs.used <= fs.limit);
	}
	/* remove everything, deepest first, and the count must come back to the start */
	for (int pass = 0; pass < 8; pass++)
		for (int k = 0; k < 4; k++)
			for (int i = 0; i < 5; i++)
				for (uint64_t dd = 0; dd < 4; dd++)
					if (tfs_unlink(&fs, dirs[dd], S(names[i]), 0) ==
					    ERR_WRONG_TYPE)
						tfs_unlink(&fs, dirs[dd], S(names[i]),
						           TFS_UNLINK_DIR);
	for (int i = 1; i < 4; i++)
		tfs_unlink(&fs, fs.root, S(names[i]), TFS_UNLINK_DIR);
	struct ns_stat st;
	assert_int_equal(tfs_stat(&fs, fs.root, &st), 0);
	assert_int_equal(st.size, 0);
	assert_int_equal(fs.nnodes, 1); /* nothing left over, nothing leaked */
	assert_int_equal(fs.used - base, fs.ids_cap > 64 ? (fs.ids_cap - 64) * sizeof(void *) : 0);
	tfs_destroy(&fs);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(test_create_walk_stat),
	    cmocka_unit_test(test_links),
	    cmocka_unit_test(test_unlink_rules_and_holds),
	    cmocka_unit_test(test_setattr),
	    cmocka_unit_test(test_rename),
	    cmocka_unit_test(test_list),
	    cmocka_unit_test(test_file_data),
	    cmocka_unit_test(test_limit),
	    cmocka_unit_test(test_random_workload),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
