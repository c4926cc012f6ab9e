/*
 * test_ext2.c - the ext2 engine of fsd (user/fsd/ext2) against e2fsprogs.
 *
 * Images are made by the host's `mke2fs -t ext2 -d <dir>` from trees whose
 * bytes the test generates (gen()), with 1 KiB and 4 KiB blocks: files that
 * need direct, single, double and triple indirect blocks (the large ones
 * sparse, so images stay small), deep trees, links fast and slow, hard links.
 * The engine reads them back exactly; then creates, writes, renames and
 * deletes; after unmount `e2fsck -fn` must find nothing wrong and `debugfs`
 * must read back exactly the bytes written. Also: the on-disk mount state, a
 * cut in the middle of unsynced writes, files unlinked while held, the cache
 * alone. Corrupted images are test_ext2_corrupt.c's.
 */
#include "ext2_fixture.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <abi/errors.h>

#include "cache.h"
#include "fs.h"

/* --- The known tree --- */

struct known {
	const char *path;
	uint32_t seed;
	uint64_t data_off; /* bytes before it are a hole */
	uint64_t size;
};

static struct known tree[16];
static size_t ntree;
static const char *deep_path;
static const char slow_target[] = "../a/link/target/long/enough/not/to/fit/in/the/sixty/bytes/"
                                  "of/i_block/so/it/needs/a/block/of/its/own/0123456789";

static void add_known(const char *path, uint32_t seed, uint64_t data_off, uint64_t len)
{
	host_file(path, seed, data_off, len);
	tree[ntree++] = (struct known){path, seed, data_off, data_off + len};
}

/* The tree for block size bs under tmpdir/src; image rel of size_mib MiB. */
static void make_tree_image(uint32_t bs, const char *rel, unsigned size_mib, const char *extra)
{
	uint64_t p = bs / 4;
	ntree = 0;
	assert_int_equal(ext2_sh("cd %s && mkdir -p src/small src/ind src/links src/empty", tmpdir),
	                 0);
	add_known("src/small/empty", 1, 0, 0);
	add_known("src/small/one", 2, 0, 1);
	add_known("src/small/odd", 3, 0, 1000);
	add_known("src/small/twelve", 4, 0, 12 * bs);
	add_known("src/ind/single", 5, 0, 12 * bs + 100);
	add_known("src/ind/double", 6, 0, (12 + p + 3) * bs + 7);
	add_known("src/ind/triple", 7, (12 + p + p * p + 2) * bs + 5, 5000);
	add_known("src/ind/sparse", 8, 300 * 1024, 200);
	static char deep[600];
	char *d = deep + sprintf(deep, "src");
	for (int i = 0; i < 40; i++)
		d += sprintf(d, "/d%d", i);
	assert_int_equal(ext2_sh("mkdir -p %s/%s", tmpdir, deep), 0);
	strcat(deep, "/leaf");
	add_known(deep, 9, 0, 3333);
	deep_path = deep + 4;
	assert_int_equal(ext2_sh("cd %s/src && ln -s ../small/odd links/fast && ln -s '%s' "
	                         "links/slow && ln small/odd links/hard && chmod 0640 small/odd && "
	                         "chown 1234:5678 small/one",
	                         tmpdir, slow_target),
	                 0);
	assert_int_equal(ext2_sh("mke2fs -q -F -t ext2 -b %u %s -d %s/src %s %uM >/dev/null 2>&1",
	                         bs, extra ? extra : "", tmpdir, path_in(rel), size_mib),
	                 0);
}

static void check_known_tree(void)
{
	for (size_t i = 0; i < ntree; i++)
		engine_matches(tree[i].path + 4, tree[i].seed, tree[i].data_off, tree[i].size);
	char buf[256];
	assert_int_equal(ext2_readlink(fs, resolve("links/fast"), buf, sizeof(buf)), 12);
	assert_string_equal(buf, "../small/odd");
	assert_int_equal(ext2_readlink(fs, resolve("links/slow"), buf, sizeof(buf)),
	                 strlen(slow_target));
	assert_string_equal(buf, slow_target);
	assert_int_equal(resolve("links/hard"), resolve("small/odd"));
	struct ext2_stat st;
	assert_int_equal(ext2_stat(fs, resolve("small/odd"), &st), 0);
	assert_int_equal(st.mode, EXT2_S_IFREG | 0640);
	assert_int_equal(st.links, 2);
	assert_int_equal(ext2_stat(fs, resolve("small/one"), &st), 0);
	assert_int_equal(st.uid, 1234);
	assert_int_equal(st.gid, 5678);
	assert_true(st.mtime > 1600000000u);
	assert_int_equal(ext2_stat(fs, resolve("links/fast"), &st), 0);
	assert_int_equal(st.mode & EXT2_S_IFMT, EXT2_S_IFLNK);
	/* a listing of the root: every name once, no "." or ".." */
	uint64_t cookie = 0;
	struct ext2_dirent_info e;
	unsigned seen = 0, n = 0;
	int r;
	while ((r = ext2_readdir(fs, EXT2_ROOT_INO, &cookie, &e)) == 1) {
		n++;
		if (!strcmp(e.name, "small") || !strcmp(e.name, "ind") ||
		    !strcmp(e.name, "links") || !strcmp(e.name, "empty") || !strcmp(e.name, "d0") ||
		    !strcmp(e.name, "lost+found"))
			seen++;
		assert_true(strcmp(e.name, ".") && strcmp(e.name, ".."));
	}
	assert_int_equal(r, 0);
	assert_int_equal(seen, 6);
	assert_int_equal(n, 6);
	uint32_t ino;
	assert_int_equal(ext2_lookup(fs, EXT2_ROOT_INO, "nope", 4, &ino), ERR_NOT_FOUND);
	assert_int_equal(ext2_lookup(fs, resolve("small/odd"), "x", 1, &ino), ERR_WRONG_TYPE);
	assert_int_equal(ext2_read(fs, resolve("small"), 0, buf, 1), ERR_WRONG_TYPE);
}

static void read_tree(uint32_t bs)
{
	make_tree_image(bs, "t.img", bs == 1024 ? 16 : 24, NULL);
	assert_int_equal(mount_img("t.img", true), 0);
	struct ext2_info info;
	ext2_info(fs, &info);
	assert_int_equal(info.block_size, bs);
	assert_true(info.read_only);
	check_known_tree();
	unmount_img();
	fsck_clean("t.img");
}

static void test_read_tree_1k(void **state)
{
	(void)state;
	read_tree(1024);
}

static void test_read_tree_2k(void **state)
{
	(void)state;
	read_tree(2048);
}

static void test_read_tree_4k(void **state)
{
	(void)state;
	read_tree(4096);
}

/* Revision 0 (no features: 16-bit name lengths, 128-byte inodes). */
static void test_read_rev0(void **state)
{
	(void)state;
	make_tree_image(1024, "r0.img", 16, "-r 0");
	assert_int_equal(mount_img("r0.img", false), 0);
	check_known_tree();
	uint32_t ino;
	assert_int_equal(ext2_create(fs, EXT2_ROOT_INO, "new", 3, EXT2_S_IFREG | 0644, 0, 0, &ino),
	                 0);
	uint8_t buf[5000];
	gen(77, 0, buf, sizeof(buf));
	assert_int_equal(ext2_write(fs, ino, 0, buf, sizeof(buf)), sizeof(buf));
	unmount_img();
	fsck_clean("r0.img");
	debugfs_matches("r0.img", "/new", 77, sizeof(buf));
}

/* --- Writing --- */

static void write_ops(uint32_t bs)
{
	uint32_t p = bs / 4;
	make_tree_image(bs, "w.img", 48, NULL);
	assert_int_equal(mount_img("w.img", false), 0);
	struct ext2_info before;
	ext2_info(fs, &before);
	uint32_t start = clock_now();

	mk("", "new", EXT2_S_IFDIR | 0755);
	mk("new", "sub", EXT2_S_IFDIR | 0700);
	uint32_t big = mk("new", "big", EXT2_S_IFREG | 0644);
	write_gen(big, 20, 0, 20u << 20);
	uint32_t sparse = mk("new", "sparse", EXT2_S_IFREG | 0600);
	uint64_t far = ((uint64_t)12 + p + (uint64_t)p * p + 5) * bs + 11;
	write_gen(sparse, 21, far, 5000);
	/* append to a file with two names, truncate across the indirect levels */
	write_gen(resolve("small/odd"), 3, 1000, 3000);
	assert_int_equal(ext2_truncate(fs, resolve("ind/double"), 12 * bs + 50), 0);
	assert_int_equal(ext2_truncate(fs, resolve("ind/single"), 0), 0);
	write_gen(resolve("ind/single"), 5, 0, 500);
	assert_int_equal(ext2_truncate(fs, resolve("ind/triple"), 0), 0);
	/* renames: across directories, a directory (its ".." follows), replacing */
	assert_int_equal(ren("small", "twelve", "new/sub", "twelve"), 0);
	assert_int_equal(ren("", "ind", "new", "ind"), 0);
	assert_int_equal(ren("", "new", "new/sub", "x"), ERR_INVALID_ARGS);
	assert_int_equal(ren("new", "sub", "new/sub", "x"), ERR_INVALID_ARGS);
	mk("new", "victim", EXT2_S_IFREG | 0644);
	assert_int_equal(ren("small", "one", "new", "victim"), 0);
	mk("", "a1", EXT2_S_IFDIR | 0755);
	mk("", "a2", EXT2_S_IFDIR | 0755);
	mk("a1", "inside", EXT2_S_IFDIR | 0755);
	assert_int_equal(ren("", "a2", "", "a1"), ERR_BAD_STATE);
	assert_int_equal(ren("", "a2", "", "small"), ERR_BAD_STATE);
	assert_int_equal(ren("a1", "inside", "", "a2"), 0); /* replaces the empty a2 */
	assert_int_equal(ren("", "a2", "new/sub", "moved"), 0);
	assert_int_equal(ren("new", "victim", "", "a1"), ERR_WRONG_TYPE);
	assert_int_equal(ren("new", "victim", "new", "victim"), 0);
	/* hard links, unlink, rmdir */
	assert_int_equal(ext2_link(fs, resolve("new"), "hardlink", 8, big), 0);
	assert_int_equal(ext2_link(fs, EXT2_ROOT_INO, "dirlink", 7, resolve("new")),
	                 ERR_WRONG_TYPE);
	assert_int_equal(ext2_unlink(fs, resolve("links"), "hard", 4), 0);
	assert_int_equal(ext2_unlink(fs, EXT2_ROOT_INO, "new", 3), ERR_WRONG_TYPE);
	assert_int_equal(ext2_rmdir(fs, EXT2_ROOT_INO, "new", 3), ERR_BAD_STATE);
	assert_int_equal(ext2_rmdir(fs, resolve("small"), "odd", 3), ERR_WRONG_TYPE);
	assert_int_equal(ext2_rmdir(fs, EXT2_ROOT_INO, "empty", 5), 0);
	assert_int_equal(ext2_rmdir(fs, EXT2_ROOT_INO, "a1", 2), 0); /* inside moved out */
	assert_int_equal(ext2_rmdir(fs, EXT2_ROOT_INO, "a2", 2), ERR_NOT_FOUND);
	/* links, names */
	uint32_t l;
	assert_int_equal(ext2_symlink(fs, resolve("new"), "fast", 4, "big", 3, 0, 0, &l), 0);
	assert_int_equal(
	    ext2_symlink(fs, resolve("new"), "slow", 4, slow_target, strlen(slow_target), 0, 0, &l),
	    0);
	assert_int_equal(ext2_create(fs, EXT2_ROOT_INO, "new", 3, EXT2_S_IFREG, 0, 0, &l),
	                 ERR_ALREADY_EXISTS);
	assert_int_equal(ext2_create(fs, EXT2_ROOT_INO, "a/b", 3, EXT2_S_IFREG, 0, 0, &l),
	                 ERR_INVALID_ARGS);
	assert_int_equal(ext2_create(fs, EXT2_ROOT_INO, "..", 2, EXT2_S_IFREG, 0, 0, &l),
	                 ERR_INVALID_ARGS);
	assert_int_equal(ext2_create(fs, EXT2_ROOT_INO, "a\0b", 3, EXT2_S_IFREG, 0, 0, &l),
	                 ERR_INVALID_ARGS);
	/* deeper still */
	char deeper[1024];
	snprintf(deeper, sizeof(deeper), "%s", deep_path);
	*strrchr(deeper, '/') = 0;
	for (int i = 0; i < 30; i++) {
		char name[16];
		snprintf(name, sizeof(name), "e%d", i);
		mk(deeper, name, EXT2_S_IFDIR | 0755);
		strcat(deeper, "/");
		strcat(deeper, name);
	}
	write_gen(mk(deeper, "bottom", EXT2_S_IFREG | 0644), 22, 0, 777);
	/* modes, owners (32-bit ids) and times as given */
	uint32_t victim = resolve("new/victim");
	assert_int_equal(ext2_setattr(fs, victim, 04751, 70000, 80000, 1111111111u, 1234567890u),
	                 0);
	assert_int_equal(ext2_setattr(fs, victim, EXT2_ATTR_KEEP, EXT2_ATTR_KEEP, EXT2_ATTR_KEEP,
	                              EXT2_ATTR_KEEP, EXT2_ATTR_KEEP),
	                 0);
	struct ext2_stat vs;
	assert_int_equal(ext2_stat(fs, victim, &vs), 0);
	assert_int_equal(vs.mode & 07777, 04751);
	assert_int_equal(vs.atime, 1111111111u);
	assert_int_equal(vs.mtime, 1234567890u);
	assert_int_equal(ext2_sync(fs), 0);
	unmount_img();
	assert_int_equal(ext2_sh("debugfs -R 'stat /new/victim' %s 2>/dev/null | grep -q "
	                         "'User: 70000 *Group: 80000'",
	                         path_in("w.img")),
	                 0);

	/* a generation as e2fsprogs sets it reaches ext2_stat (fsd's ns_stat.generation) */
	assert_int_equal(
	    ext2_sh("debugfs -w -R 'sif /new/victim generation 4242' %s >/dev/null 2>&1",
	            path_in("w.img")),
	    0);
	fsck_clean("w.img");
	debugfs_matches("w.img", "/new/big", 20, 20u << 20);
	debugfs_matches("w.img", "/small/odd", 3, 4000);
	debugfs_matches("w.img", "/new/ind/double", 6, 12 * bs + 50);
	debugfs_matches("w.img", "/new/sub/twelve", 4, 12 * bs);
	debugfs_matches("w.img", "/new/victim", 2, 1);

	assert_int_equal(mount_img("w.img", true), 0);
	engine_matches("new/big", 20, 0, 20u << 20);
	engine_matches("new/hardlink", 20, 0, 20u << 20);
	engine_matches("new/sparse", 21, far, far + 5000);
	engine_matches("small/odd", 3, 0, 4000);
	engine_matches("new/ind/single", 5, 0, 500);
	engine_matches("new/ind/double", 6, 0, 12 * bs + 50);
	engine_matches("new/ind/triple", 7, 0, 0);
	engine_matches("new/ind/sparse", 8, 300 * 1024, 300 * 1024 + 200);
	engine_matches("new/sub/twelve", 4, 0, 12 * bs);
	engine_matches("new/victim", 2, 0, 1);
	strcat(deeper, "/bottom");
	engine_matches(deeper, 22, 0, 777);
	engine_matches(deep_path, 9, 0, 3333);
	uint32_t ino;
	assert_int_equal(ext2_resolve(fs, EXT2_ROOT_INO, "new/ind/..", &ino), 0);
	assert_int_equal(ino, resolve("new"));
	assert_int_equal(ext2_resolve(fs, EXT2_ROOT_INO, "new/sub/moved/..", &ino), 0);
	assert_int_equal(ino, resolve("new/sub"));
	assert_int_equal(ext2_resolve(fs, EXT2_ROOT_INO, "small/one", &ino), ERR_NOT_FOUND);
	struct ext2_stat st;
	assert_int_equal(ext2_stat(fs, big, &st), 0);
	assert_int_equal(st.links, 2);
	assert_true(st.mtime >= start && st.ctime >= start && st.mtime <= clock_now());
	assert_int_equal(st.mode, EXT2_S_IFREG | 0644);
	assert_int_equal(st.blocks % (bs / 512), 0);
	assert_true(st.blocks >= (20u << 20) / 512);
	assert_int_equal(ext2_stat(fs, resolve("small/odd"), &st), 0);
	assert_int_equal(st.links, 1);
	assert_int_equal(ext2_stat(fs, resolve("new/victim"), &st), 0);
	assert_int_equal(st.uid, 70000);
	assert_int_equal(st.gid, 80000);
	assert_int_equal(st.mode, EXT2_S_IFREG | 04751);
	assert_int_equal(st.mtime, 1234567890u);
	assert_int_equal(st.generation, 4242);
	char buf[256];
	assert_int_equal(ext2_readlink(fs, resolve("new/slow"), buf, sizeof(buf)),
	                 strlen(slow_target));
	assert_string_equal(buf, slow_target);
	assert_int_equal(ext2_write(fs, big, 0, "x", 1), ERR_ACCESS_DENIED);
	unmount_img();

	/* everything written freed again: the counts come back */
	assert_int_equal(mount_img("w.img", false), 0);
	assert_int_equal(ext2_unlink(fs, resolve("new"), "big", 3), 0);
	assert_int_equal(ext2_unlink(fs, resolve("new"), "hardlink", 8), 0);
	assert_int_equal(ext2_unlink(fs, resolve("new"), "sparse", 6), 0);
	struct ext2_info after;
	ext2_info(fs, &after);
	assert_true(after.free_blocks > before.free_blocks);
	unmount_img();
	fsck_clean("w.img");
}

static void test_write_ops_1k(void **state)
{
	(void)state;
	write_ops(1024);
}

static void test_write_ops_4k(void **state)
{
	(void)state;
	write_ops(4096);
}

/* --- Many files --- */

static void test_many_files(void **state)
{
	(void)state;
	assert_int_equal(
	    ext2_sh("mkdir -p %s/src && mke2fs -q -F -t ext2 -b 1024 -N 4096 -d %s/src "
	            "%s 16M >/dev/null 2>&1",
	            tmpdir, tmpdir, path_in("m.img")),
	    0);
	assert_int_equal(mount_img("m.img", false), 0);
	enum { DIRS = 8, FILES = 3000 };
	char name[32], dir[32];
	for (int d = 0; d < DIRS; d++) {
		snprintf(name, sizeof(name), "dir%d", d);
		mk("", name, EXT2_S_IFDIR | 0755);
	}
	for (int i = 0; i < FILES; i++) {
		snprintf(dir, sizeof(dir), "dir%d", i % DIRS);
		snprintf(name, sizeof(name), "file-%05d", i);
		write_gen(mk(dir, name, EXT2_S_IFREG | 0644), 1000 + i, 0, 100 + (i * 37) % 3000);
	}
	/* every third one goes, every fifth moves to the next directory */
	for (int i = 0; i < FILES; i++) {
		snprintf(dir, sizeof(dir), "dir%d", i % DIRS);
		snprintf(name, sizeof(name), "file-%05d", i);
		if (i % 3 == 0) {
			assert_int_equal(ext2_unlink(fs, resolve(dir), name, strlen(name)), 0);
		} else if (i % 5 == 0) {
			char to[32];
			snprintf(to, sizeof(to), "dir%d", (i + 1) % DIRS);
			assert_int_equal(ren(dir, name, to, name), 0);
		}
	}
	unmount_img();
	fsck_clean("m.img");
	debugfs_matches("m.img", "/dir1/file-00001", 1001, 100 + 37);
	assert_int_equal(mount_img("m.img", true), 0);
	for (int i = 0; i < FILES; i++) {
		int d = i % 3 == 0 ? -1 : i % 5 == 0 ? (i + 1) % DIRS : i % DIRS;
		char path[64];
		snprintf(path, sizeof(path), "dir%d/file-%05d", d < 0 ? i % DIRS : d, i);
		uint32_t ino;
		int err = ext2_resolve(fs, EXT2_ROOT_INO, path, &ino);
		if (d < 0) {
			assert_int_equal(err, ERR_NOT_FOUND);
			continue;
		}
		assert_int_equal(err, 0);
		if (i % 97 == 1)
			engine_matches(path, 1000 + i, 0, 100 + (i * 37) % 3000);
	}
	unmount_img();
}

/* A hashed (htree) directory, as e2fsck -D makes it: read as a plain one, changed without its index. */
static void test_htree_dir(void **state)
{
	(void)state;
	assert_int_equal(
	    ext2_sh("mkdir -p %s/src/big && cd %s/src/big && for i in $(seq 1 600); do "
	            "echo $i > name-with-some-length-$i; done",
	            tmpdir, tmpdir),
	    0);
	assert_int_equal(ext2_sh("mke2fs -q -F -t ext2 -b 1024 -d %s/src %s 8M >/dev/null 2>&1 && "
	                         "e2fsck -fyD %s >/dev/null 2>&1; [ $? -le 1 ]",
	                         tmpdir, path_in("h.img"), path_in("h.img")),
	                 0);
	assert_int_equal(ext2_sh("debugfs -R 'stat /big' %s 2>/dev/null | grep -q 'Flags: 0x1000'",
	                         path_in("h.img")),
	                 0);
	assert_int_equal(mount_img("h.img", false), 0);
	uint32_t big = resolve("big"), ino;
	unsigned n = 0;
	uint64_t cookie = 0;
	struct ext2_dirent_info e;
	while (ext2_readdir(fs, big, &cookie, &e) == 1)
		n++;
	assert_int_equal(n, 600);
	assert_int_equal(ext2_lookup(fs, big, "name-with-some-length-437", 25, &ino), 0);
	uint8_t buf[8];
	assert_int_equal(ext2_read(fs, ino, 0, buf, sizeof(buf)), 4);
	assert_memory_equal(buf, "437\n", 4);
	assert_int_equal(ext2_unlink(fs, big, "name-with-some-length-1", 23), 0);
	write_gen(mk("big", "added", EXT2_S_IFREG | 0644), 60, 0, 100);
	unmount_img();
	fsck_clean("h.img");
	debugfs_matches("h.img", "/big/added", 60, 100);
}

/* --- The in-memory directory index (dindex.c) --- */

/* The names the model holds in dir m (0 or 1), as a linear list. */
#define IDX_NAMES 600
static char idx_name[IDX_NAMES][260];
static uint8_t idx_where[IDX_NAMES]; /* 0: nowhere, 1: in big, 2: in other */

static void idx_make_name(unsigned i, uint32_t r)
{
	/* lengths 1..255, mostly short, so entries of every size come and go */
	unsigned len = r % 7 == 0 ? 100 + r % 156 : 1 + r % 30;
	int n = snprintf(idx_name[i], sizeof(idx_name[i]), "%u-", i);
	for (unsigned k = (unsigned)n; k < len; k++)
		idx_name[i][k] = (char)('a' + (r >> (k % 24)) % 26);
	idx_name[i][len > (unsigned)n ? len : (unsigned)n] = 0;
}

/* Both directories: the index agrees with a walk, and every name is where the model says. */
static void idx_check(uint32_t big, uint32_t other)
{
	assert_int_equal(ext2_dir_check_index(fs, big), 0);
	assert_int_equal(ext2_dir_check_index(fs, other), 0);
	for (unsigned i = 0; i < IDX_NAMES; i++) {
		uint32_t ino;
		size_t len = strlen(idx_name[i]);
		int in_big = ext2_lookup(fs, big, idx_name[i], len, &ino);
		int in_other = ext2_lookup(fs, other, idx_name[i], len, &ino);
		assert_int_equal(in_big, idx_where[i] == 1 ? 0 : ERR_NOT_FOUND);
		assert_int_equal(in_other, idx_where[i] == 2 ? 0 : ERR_NOT_FOUND);
	}
}

/*
 * Random creates, unlinks, renames (within and across directories, replacing) and
 * links in two large directories: after each step the index is checked against a
 * linear walk (ext2_dir_check_index) and every name against a model. Then more
 * indexed directories than EXT2_DINDEX_DIRS: the least recently used are dropped and
 * rebuilt, and lookups stay right. e2fsck finds the result clean.
 */
static void dir_index_random(uint32_t bs)
{
	assert_int_equal(ext2_sh("mkdir -p %s/src && mke2fs -q -F -t ext2 -b %u -N 4096 -d %s/src "
	                         "%s 16M >/dev/null 2>&1",
	                         tmpdir, bs, tmpdir, path_in("x.img")),
	                 0);
	assert_int_equal(mount_img("x.img", false), 0);
	uint32_t big = mk("", "big", EXT2_S_IFDIR | 0755);
	uint32_t other = mk("", "other", EXT2_S_IFDIR | 0755);
	uint32_t r = 12345 + bs, ino;
	memset(idx_where, 0, sizeof(idx_where));
	for (unsigned i = 0; i < IDX_NAMES; i++) {
		r = r * 1103515245u + 12345u;
		idx_make_name(i, r >> 8);
	}
	/* fill big past the size that gets an index */
	for (unsigned i = 0; i < 200; i++) {
		assert_int_equal(ext2_create(fs, big, idx_name[i], strlen(idx_name[i]),
		                             EXT2_S_IFREG | 0644, 0, 0, &ino),
		                 0);
		idx_where[i] = 1;
	}
	assert_non_null(ext2_dindex_get(fs, big));
	idx_check(big, other);
	for (unsigned step = 0; step < 3000; step++) {
		r = r * 1103515245u + 12345u;
		unsigned i = (r >> 8) % IDX_NAMES, j = (r >> 3) % IDX_NAMES, op = (r >> 20) % 5;
		uint32_t di = idx_where[i] == 2 ? other : big, dj = (r >> 28) & 1 ? other : big;
		const char *ni = idx_name[i], *nj = idx_name[j];
		if (op <= 1 && !idx_where[i]) { /* create */
			assert_int_equal(
			    ext2_create(fs, dj, ni, strlen(ni), EXT2_S_IFREG | 0644, 0, 0, &ino),
			    0);
			idx_where[i] = dj == big ? 1 : 2;
		} else if (op == 2 && idx_where[i]) { /* unlink */
			assert_int_equal(ext2_unlink(fs, di, ni, strlen(ni)), 0);
			idx_where[i] = 0;
		} else if (op == 3 && idx_where[i] && i != j &&
		           (!idx_where[j] || idx_where[j] == (dj == big ? 1 : 2))) {
			/* rename, replacing j; two names of one file stay both (POSIX) */
			uint32_t ino_i, ino_j = 0;
			assert_int_equal(ext2_lookup(fs, di, ni, strlen(ni), &ino_i), 0);
			if (idx_where[j])
				assert_int_equal(ext2_lookup(fs, dj, nj, strlen(nj), &ino_j), 0);
			assert_int_equal(ext2_rename(fs, di, ni, strlen(ni), dj, nj, strlen(nj)),
			                 0);
			if (ino_i != ino_j) {
				idx_where[j] = dj == big ? 1 : 2;
				idx_where[i] = 0;
			}
		} else if (op == 4 && idx_where[i] && !idx_where[j]) { /* link */
			assert_int_equal(ext2_lookup(fs, di, ni, strlen(ni), &ino), 0);
			assert_int_equal(ext2_link(fs, dj, nj, strlen(nj), ino), 0);
			idx_where[j] = dj == big ? 1 : 2;
		} else if (idx_where[i]) { /* an existing name is not created again */
			assert_int_equal(
			    ext2_create(fs, di, ni, strlen(ni), EXT2_S_IFREG | 0644, 0, 0, &ino),
			    ERR_ALREADY_EXISTS);
		}
		if (step % 50 == 0)
			idx_check(big, other);
		else {
			assert_int_equal(ext2_dir_check_index(fs, big), 0);
			assert_int_equal(ext2_dir_check_index(fs, other), 0);
		}
	}
	idx_check(big, other);
	/* more large directories than indexes kept: the least recently used go */
	char name[32];
	uint32_t dirs[EXT2_DINDEX_DIRS + 3];
	for (unsigned d = 0; d < EXT2_DINDEX_DIRS + 3; d++) {
		snprintf(name, sizeof(name), "many%u", d);
		dirs[d] = mk("", name, EXT2_S_IFDIR | 0755);
		for (unsigned k = 0; k < EXT2_DINDEX_MIN_ENTRIES + 10; k++) {
			snprintf(name, sizeof(name), "entry-%u-%u", d, k);
			assert_int_equal(ext2_create(fs, dirs[d], name, strlen(name),
			                             EXT2_S_IFREG | 0644, 0, 0, &ino),
			                 0);
		}
	}
	for (unsigned pass = 0; pass < 2; pass++) {
		for (unsigned d = 0; d < EXT2_DINDEX_DIRS + 3; d++) {
			snprintf(name, sizeof(name), "entry-%u-%u", d, EXT2_DINDEX_MIN_ENTRIES + 9);
			assert_int_equal(ext2_lookup(fs, dirs[d], name, strlen(name), &ino), 0);
			assert_non_null(ext2_dindex_get(fs, dirs[d]));
			assert_int_equal(ext2_dir_check_index(fs, dirs[d]), 0);
			assert_int_equal(ext2_lookup(fs, dirs[d], "absent", 6, &ino),
			                 ERR_NOT_FOUND);
		}
		assert_true(fs->ndix <= EXT2_DINDEX_DIRS);
		assert_true(fs->dix_bytes <= EXT2_DINDEX_BYTES);
	}
	/* a removed directory's index goes with it */
	for (unsigned k = 0; k < EXT2_DINDEX_MIN_ENTRIES + 10; k++) {
		snprintf(name, sizeof(name), "entry-%u-%u", 0u, k);
		assert_int_equal(ext2_unlink(fs, dirs[0], name, strlen(name)), 0);
	}
	assert_int_equal(ext2_rmdir(fs, EXT2_ROOT_INO, "many0", 5), 0);
	assert_null(ext2_dindex_get(fs, dirs[0]));
	unmount_img();
	fsck_clean("x.img");
}

static void test_dir_index_1k(void **state)
{
	(void)state;
	dir_index_random(1024);
}

static void test_dir_index_4k(void **state)
{
	(void)state;
	dir_index_random(4096);
}

/* --- A full disk, a full inode table --- */

static void test_full_disk(void **state)
{
	(void)state;
	assert_int_equal(ext2_sh("mkdir -p %s/src && mke2fs -q -F -t ext2 -b 1024 -N 64 -m 0 -d "
	                         "%s/src %s 2M >/dev/null 2>&1",
	                         tmpdir, tmpdir, path_in("f.img")),
	                 0);
	assert_int_equal(mount_img("f.img", false), 0);
	uint32_t ino = mk("", "fill", EXT2_S_IFREG | 0644);
	static uint8_t buf[65536];
	uint64_t total = 0;
	for (;;) {
		gen(30, total, buf, sizeof(buf));
		int64_t n = ext2_write(fs, ino, total, buf, sizeof(buf));
		if (n < 0) {
			assert_int_equal(n, ERR_NO_RESOURCES);
			break;
		}
		total += (uint64_t)n;
		if ((size_t)n < sizeof(buf))
			break;
	}
	assert_true(total > 1000000);
	struct ext2_info info;
	ext2_info(fs, &info);
	assert_int_equal(info.free_blocks, 0);
	/* a directory needs a block: refused, and its inode given back */
	uint32_t d;
	assert_int_equal(ext2_create(fs, EXT2_ROOT_INO, "dir", 3, EXT2_S_IFDIR | 0755, 0, 0, &d),
	                 ERR_NO_RESOURCES);
	struct ext2_info again;
	ext2_info(fs, &again);
	assert_int_equal(again.free_inodes, info.free_inodes);
	assert_int_equal(ext2_write(fs, ino, total, buf, 1), ERR_NO_RESOURCES);
	unmount_img();
	fsck_clean("f.img");
	debugfs_matches("f.img", "/fill", 30, total);

	assert_int_equal(mount_img("f.img", false), 0);
	engine_matches("fill", 30, 0, total);
	assert_int_equal(ext2_truncate(fs, resolve("fill"), total / 2), 0);
	int made = 0, err;
	for (;;) {
		char name[16];
		snprintf(name, sizeof(name), "f%d", made);
		uint32_t f;
		err = ext2_create(fs, EXT2_ROOT_INO, name, strlen(name), EXT2_S_IFREG | 0644, 0, 0,
		                  &f);
		if (err < 0)
			break;
		made++;
	}
	assert_int_equal(err, ERR_NO_RESOURCES);
	assert_true(made > 40);
	ext2_info(fs, &info);
	assert_int_equal(info.free_inodes, 0);
	unmount_img();
	fsck_clean("f.img");
	debugfs_matches("f.img", "/fill", 30, total / 2);
}

/* --- The mount state, the cache --- */

static uint16_t image16(const char *rel, uint64_t off)
{
	return (uint16_t)image_peek(rel, off, 2);
}

static void test_mount_state(void **state)
{
	(void)state;
	make_small_image();
	uint16_t count = image16("base.img", 1024 + 52);
	assert_int_equal(image16("base.img", 1024 + 58), 1); /* clean */
	assert_int_equal(mount_img("base.img", false), 0);
	assert_int_equal(image16("base.img", 1024 + 58), 0); /* not clean while mounted */
	assert_int_equal(image16("base.img", 1024 + 52), count + 1);
	assert_true(img.flushes > 0);
	unmount_img();
	assert_int_equal(image16("base.img", 1024 + 58), 1);
	/* a read-only mount writes nothing */
	assert_int_equal(mount_img("base.img", true), 0);
	engine_matches("small/two", 4, 0, 2000);
	assert_int_equal(img.writes, 0);
	unmount_img();
	assert_int_equal(image16("base.img", 1024 + 52), count + 1);
	fsck_clean("base.img");
}

/*
 * A cut: the image as the device holds it in the middle of writes (dirty
 * buffers not yet written are lost). e2fsck -fy repairs it, and what was
 * synced before is intact.
 */
static void test_cut_after_sync(void **state)
{
	(void)state;
	assert_int_equal(ext2_sh("mkdir -p %s/src && mke2fs -q -F -t ext2 -b 1024 -d %s/src %s 16M "
	                         ">/dev/null 2>&1",
	                         tmpdir, tmpdir, path_in("p.img")),
	                 0);
	assert_int_equal(mount_img("p.img", false), 0);
	mk("", "kept", EXT2_S_IFDIR | 0755);
	write_gen(mk("kept", "synced", EXT2_S_IFREG | 0644), 40, 0, 1u << 20);
	assert_int_equal(ext2_sync(fs), 0);
	/* more writes, some of them evicted to the device, none synced */
	mk("", "lost", EXT2_S_IFDIR | 0755);
	for (int i = 0; i < 40; i++) {
		char name[16];
		snprintf(name, sizeof(name), "f%d", i);
		write_gen(mk("lost", name, EXT2_S_IFREG | 0644), 41, 0, 50000);
	}
	assert_int_equal(ext2_unlink(fs, EXT2_ROOT_INO, "kept", 4), ERR_WRONG_TYPE);
	assert_int_equal(ext2_sh("cp %s %s", path_in("p.img"), path_in("cut.img")), 0);
	unmount_img();
	fsck_clean("p.img");
	int st = ext2_sh("e2fsck -fy %s >/dev/null 2>&1", path_in("cut.img"));
	assert_true(st >= 0 && st <= 2);
	fsck_clean("cut.img");
	debugfs_matches("cut.img", "/kept/synced", 40, 1u << 20);
}

/*
 * A clock behind the image (fsd's counts seconds since boot: there is no wall clock
 * yet): times count on from the file system's own latest time, so they never go
 * back, and a deleted inode's dtime is never a small number, which e2fsck reads as
 * a link of the orphan list once a tool with a real clock has written the
 * superblock. Found by the power-cut test (tools/power-cut.sh): after e2fsck -fy,
 * e2fsck -fn said "Inode 41 was part of the orphaned inode list".
 */
static void test_clock_behind_image(void **state)
{
	(void)state;
	make_small_image();
	uint32_t made = image_peek("base.img", 1024 + 48, 4); /* s_wtime */
	assert_true(made > 1000000);
	boot_clock = 3;
	assert_int_equal(mount_img("base.img", false), 0);
	uint32_t ino = mk("", "new", EXT2_S_IFREG | 0644);
	write_gen(ino, 60, 0, 5000);
	struct ext2_stat st;
	assert_int_equal(ext2_stat(fs, ino, &st), 0);
	assert_true(st.mtime >= made && st.ctime >= made && st.mtime < made + 100);
	assert_int_equal(ext2_unlink(fs, resolve("small"), "odd", 3), 0);
	unmount_img();
	boot_clock = 0;
	assert_true(image_peek("base.img", 1024 + 48, 4) >= made);
	fsck_clean("base.img");
	/* a system with a real clock mounts it and writes the superblock (e2fsck -fy
	 * after a repair writes s_wtime) */
	assert_int_equal(ext2_sh("debugfs -w -f - %s >/dev/null 2>&1 <<EOF\n"
	                         "ssv mtime %u\nssv wtime %u\nEOF",
	                         path_in("base.img"), made + 1000, made + 1000),
	                 0);
	fsck_clean("base.img");
}

/* An unlinked file held open lives on until its last release (or the unmount). */
static void test_unlink_while_held(void **state)
{
	(void)state;
	make_small_image();
	assert_int_equal(mount_img("base.img", false), 0);
	struct ext2_info before, held, after;
	ext2_info(fs, &before);
	uint32_t a = mk("", "a", EXT2_S_IFREG | 0644), b = mk("", "b", EXT2_S_IFREG | 0644);
	write_gen(a, 50, 0, 300000);
	write_gen(b, 51, 0, 5000);
	assert_int_equal(ext2_hold(fs, a), 0);
	assert_int_equal(ext2_hold(fs, a), 0);
	assert_int_equal(ext2_hold(fs, b), 0);
	assert_int_equal(ext2_unlink(fs, EXT2_ROOT_INO, "a", 1), 0);
	assert_int_equal(ext2_unlink(fs, EXT2_ROOT_INO, "b", 1), 0);
	uint32_t ino;
	assert_int_equal(ext2_lookup(fs, EXT2_ROOT_INO, "a", 1, &ino), ERR_NOT_FOUND);
	struct ext2_stat st;
	assert_int_equal(ext2_stat(fs, a, &st), 0);
	assert_int_equal(st.links, 0);
	write_gen(a, 50, 300000, 1000);
	static uint8_t buf[301000], want[301000];
	assert_int_equal(ext2_read(fs, a, 0, buf, sizeof(buf)), sizeof(buf));
	gen(50, 0, want, sizeof(want));
	assert_memory_equal(buf, want, sizeof(buf));
	ext2_info(fs, &held);
	assert_int_equal(ext2_release(fs, a), 0);
	assert_int_equal(ext2_stat(fs, a, &st), 0); /* one hold left */
	assert_int_equal(ext2_release(fs, a), 0);
	assert_int_equal(ext2_release(fs, a), ERR_NOT_FOUND);
	assert_int_equal(ext2_stat(fs, a, &st), ERR_NOT_FOUND); /* freed: a stale number */
	assert_int_equal(ext2_stat(fs, 0, &st), ERR_NOT_FOUND);
	assert_int_equal(ext2_read(fs, 1u << 30, 0, buf, 1), ERR_NOT_FOUND);
	ext2_info(fs, &after);
	assert_true(after.free_blocks > held.free_blocks + 290);
	unmount_img(); /* releases b, which frees it */
	fsck_clean("base.img");
	assert_int_equal(mount_img("base.img", true), 0);
	ext2_info(fs, &after);
	assert_int_equal(after.free_blocks, before.free_blocks);
	assert_int_equal(after.free_inodes, before.free_inodes);
	unmount_img();
}

/*
 * What a shutdown asks (ext2_make_read_only): an unlinked file held open is freed,
 * everything written back, the image clean for e2fsck while still mounted, and
 * nothing changed or written after it; reads go on.
 */
static void test_make_read_only(void **state)
{
	(void)state;
	make_small_image();
	assert_int_equal(mount_img("base.img", false), 0);
	struct ext2_info before, after;
	ext2_info(fs, &before);
	uint32_t a = mk("", "a", EXT2_S_IFREG | 0644), b = mk("", "b", EXT2_S_IFREG | 0644);
	write_gen(a, 60, 0, 70000);
	write_gen(b, 61, 0, 30000);
	assert_int_equal(ext2_hold(fs, b), 0);
	assert_int_equal(ext2_unlink(fs, EXT2_ROOT_INO, "b", 1), 0);
	assert_int_equal(image16("base.img", 1024 + 58), 0); /* not clean while mounted */
	assert_int_equal(ext2_make_read_only(fs), 0);
	assert_int_equal(image16("base.img", 1024 + 58), 1); /* clean, still mounted */
	fsck_clean("base.img");
	debugfs_matches("base.img", "/a", 60, 70000);
	uint64_t writes = img.writes;
	ext2_info(fs, &after);
	assert_true(after.read_only);
	assert_int_equal(after.free_inodes, before.free_inodes - 1); /* b freed, a kept */
	struct ext2_stat st;
	assert_int_equal(ext2_stat(fs, b, &st), ERR_NOT_FOUND);
	uint32_t ino;
	assert_int_equal(ext2_create(fs, EXT2_ROOT_INO, "c", 1, EXT2_S_IFREG | 0644, 0, 0, &ino),
	                 ERR_ACCESS_DENIED);
	assert_int_equal(ext2_write(fs, a, 0, "x", 1), ERR_ACCESS_DENIED);
	assert_int_equal(ext2_truncate(fs, a, 0), ERR_ACCESS_DENIED);
	engine_matches("a", 60, 0, 70000);
	assert_int_equal(ext2_release(fs, b), 0);
	assert_int_equal(ext2_sync(fs), 0);
	assert_int_equal(ext2_make_read_only(fs), 0); /* again: nothing to do */
	unmount_img();
	assert_int_equal(img.writes, writes);
	fsck_clean("base.img");
}

/* A device in memory for the cache test: 64 blocks of 512 bytes. */
static uint8_t mem_disk[64 * 512];
static unsigned mem_writes;

static int mem_read(void *ctx, uint64_t first, uint32_t count, void *buf)
{
	(void)ctx;
	assert_true(first + count <= 64);
	memcpy(buf, mem_disk + first * 512, count * 512);
	return 0;
}

static int mem_write(void *ctx, uint64_t first, uint32_t count, const void *buf)
{
	(void)ctx;
	assert_true(first + count <= 64);
	memcpy(mem_disk + first * 512, buf, count * 512);
	mem_writes++;
	return 0;
}

static void test_cache_lru_write_back(void **state)
{
	(void)state;
	struct ext2_dev dev = {.block_size = 512,
	                       .block_count = 64,
	                       .read_blocks = mem_read,
	                       .write_blocks = mem_write};
	struct bcache c;
	/* 1 KiB blocks (2 device blocks each): 32 of them, 16 buffers */
	assert_int_equal(bcache_init(&c, &dev, 1024, 4, 32), 0);
	assert_int_equal(c.nbufs, BCACHE_MIN);
	for (uint32_t i = 0; i < 32; i++)
		memset(mem_disk + i * 1024, (int)i, 1024);
	struct bcache_buf *b, *pinned[BCACHE_MIN];
	for (uint32_t i = 0; i < 20; i++) {
		assert_int_equal(bcache_get(&c, i, true, &b), 0);
		assert_int_equal(b->data[100], i);
		b->data[0] = (uint8_t)(0x80 + i);
		bcache_dirty(b);
		bcache_put(&c, b);
	}
	/* 20 blocks through 16 buffers: the 4 least recently used went back to the device */
	assert_int_equal(c.misses, 20);
	assert_int_equal(mem_writes, 4);
	assert_int_equal(mem_disk[0], 0x80);
	assert_int_equal(mem_disk[4 * 1024], 4); /* still only in the cache */
	assert_int_equal(bcache_get(&c, 19, true, &b), 0);
	assert_int_equal(c.hits, 1);
	bcache_put(&c, b);
	/* a forgotten block is never written (a freed block's stale contents) */
	bcache_forget(&c, 15);
	/* past the limit: refused, no device access */
	assert_int_equal(bcache_get(&c, 32, true, &b), ERR_MALFORMED);
	/* every buffer pinned: no room, nothing lost */
	for (uint32_t i = 0; i < BCACHE_MIN; i++)
		assert_int_equal(bcache_get(&c, i, true, &pinned[i]), 0);
	assert_int_equal(bcache_get(&c, 30, true, &b), ERR_NO_RESOURCES);
	for (uint32_t i = 0; i < BCACHE_MIN; i++)
		bcache_put(&c, pinned[i]);
	/* sync writes the rest */
	assert_int_equal(bcache_sync(&c), 0);
	for (uint32_t i = 0; i < 20; i++)
		assert_int_equal(mem_disk[i * 1024], i == 15 ? 15 : 0x80 + i);
	unsigned writes = mem_writes;
	assert_int_equal(bcache_sync(&c), 0);
	assert_int_equal(mem_writes, writes); /* nothing dirty left */
	bcache_destroy(&c);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test_setup_teardown(test_read_tree_1k, setup, teardown),
	    cmocka_unit_test_setup_teardown(test_read_tree_2k, setup, teardown),
	    cmocka_unit_test_setup_teardown(test_read_tree_4k, setup, teardown),
	    cmocka_unit_test_setup_teardown(test_read_rev0, setup, teardown),
	    cmocka_unit_test_setup_teardown(test_write_ops_1k, setup, teardown),
	    cmocka_unit_test_setup_teardown(test_write_ops_4k, setup, teardown),
	    cmocka_unit_test_setup_teardown(test_many_files, setup, teardown),
	    cmocka_unit_test_setup_teardown(test_htree_dir, setup, teardown),
	    cmocka_unit_test_setup_teardown(test_dir_index_1k, setup, teardown),
	    cmocka_unit_test_setup_teardown(test_dir_index_4k, setup, teardown),
	    cmocka_unit_test_setup_teardown(test_full_disk, setup, teardown),
	    cmocka_unit_test_setup_teardown(test_mount_state, setup, teardown),
	    cmocka_unit_test_setup_teardown(test_cut_after_sync, setup, teardown),
	    cmocka_unit_test_setup_teardown(test_clock_behind_image, setup, teardown),
	    cmocka_unit_test_setup_teardown(test_unlink_while_held, setup, teardown),
	    cmocka_unit_test_setup_teardown(test_make_read_only, setup, teardown),
	    cmocka_unit_test(test_cache_lru_write_back),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
