/*
 * test_ext2_corrupt.c - the ext2 engine of fsd (user/fsd/ext2) on corrupted
 * images: mke2fs images with one field changed (superblock fields, group
 * descriptors, block pointers out of range, on metadata or looping through
 * indirect blocks, directory entries with bad rec_len / name_len / inode
 * numbers, names with NUL or '/', an entry naming a free inode). Each must fail
 * cleanly: the expected error code, a log line naming the structure, the file
 * system marked as having errors where it was mounted read-write, and never a
 * crash, a hang, or an access outside the image (ASan, and the cache's limit).
 */
#include "ext2_fixture.h"

#include <stdio.h>
#include <string.h>
#include <unistd.h>
#include <abi/errors.h>

static void fresh_copy(void)
{
	assert_int_equal(ext2_sh("cp %s %s", path_in("base.img"), path_in("c.img")), 0);
}

static void patch(uint64_t off, const void *v, size_t n)
{
	FILE *f = fopen(path_in("c.img"), "r+b");
	assert_non_null(f);
	assert_int_equal(fseeko(f, (off_t)off, SEEK_SET), 0);
	assert_int_equal(fwrite(v, 1, n, f), n);
	fclose(f);
}

static void patch32(uint64_t off, uint32_t v)
{
	patch(off, &v, 4);
}

static void patch16(uint64_t off, uint16_t v)
{
	patch(off, &v, 2);
}

static uint32_t peek32(uint64_t off)
{
	return image_peek("c.img", off, 4);
}

/* The byte offset of path's inode in c.img (1 KiB blocks), from debugfs. */
static uint64_t inode_offset(const char *path)
{
	char out[600];
	snprintf(out, sizeof(out), "%s.imap", path_in("c.img"));
	assert_int_equal(
	    ext2_sh("debugfs -R 'imap %s' %s > %s 2>/dev/null", path, path_in("c.img"), out), 0);
	FILE *f = fopen(out, "r");
	assert_non_null(f);
	char line[256];
	unsigned long block = 0, off = 0;
	while (fgets(line, sizeof(line), f)) {
		char *at = strstr(line, "located at block");
		if (at)
			assert_int_equal(
			    sscanf(at, "located at block %lu, offset 0x%lx", &block, &off), 2);
	}
	fclose(f);
	assert_true(block != 0);
	return (uint64_t)block * 1024 + off;
}

static void expect_mount_fails(int want, const char *in_log)
{
	last_log[0] = 0;
	assert_int_equal(mount_img("c.img", false), want);
	if (!strstr(last_log, in_log))
		fail_msg("log '%s' does not name '%s'", last_log, in_log);
}

static void test_corrupt_super(void **state)
{
	(void)state;
	make_small_image();
	static const struct {
		unsigned off, size;
		uint32_t value;
		int err;
		const char *log;
	} cases[] = {
	    {56, 2, 0x1234, ERR_MALFORMED, "magic"},
	    {24, 4, 7, ERR_NOT_SUPPORTED, "block size"},
	    {24, 4, 2, ERR_MALFORMED, "first data block"},
	    {4, 4, 0xfffffff0u, ERR_MALFORMED, "block count"},
	    {4, 4, 1, ERR_MALFORMED, "block count"},
	    {40, 4, 0, ERR_MALFORMED, "inodes per group"},
	    {40, 4, 0x7fffffff, ERR_MALFORMED, "inodes per group"},
	    {0, 4, 12345, ERR_MALFORMED, "inodes"},
	    {32, 4, 0, ERR_MALFORMED, "blocks per group"},
	    {32, 4, 9, ERR_MALFORMED, "blocks per group"},
	    {88, 2, 100, ERR_MALFORMED, "inode size"},
	    {88, 2, 8192, ERR_MALFORMED, "inode size"},
	    {84, 4, 2, ERR_MALFORMED, "first inode"},
	    {20, 4, 0, ERR_MALFORMED, "first data block"},
	    {76, 4, 5, ERR_NOT_SUPPORTED, "revision"},
	    {96, 4, 0x42, ERR_NOT_SUPPORTED, "'extent'"},
	    {96, 4, 0x80002, ERR_NOT_SUPPORTED, "unknown 0x80000"},
	    {206, 2, 60000, ERR_MALFORMED, "reserved descriptor"},
	    /* the group descriptor table starts at block 2 */
	    {2048 + 0, 4, 9999999, ERR_MALFORMED, "group descriptor 0: bad block bitmap"},
	    {2048 + 4, 4, 1, ERR_MALFORMED, "group descriptor 0: bad inode bitmap"},
	    {2048 + 8, 4, 0, ERR_MALFORMED, "group descriptor 0: bad inode table"},
	    {2048 + 8, 4, 4000, ERR_MALFORMED, "group descriptor 0: bad inode table"},
	    {2048 + 12, 2, 60000, ERR_MALFORMED, "free block count"},
	};
	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		fresh_copy();
		uint32_t v = cases[i].value;
		if (cases[i].off == 96)
			v |= peek32(1024 + 96);
		if (cases[i].size == 2)
			patch16(1024 + (cases[i].off < 1024 ? cases[i].off : cases[i].off - 1024),
			        (uint16_t)v);
		else
			patch32(cases[i].off < 1024 ? 1024 + cases[i].off : cases[i].off, v);
		expect_mount_fails(cases[i].err, cases[i].log);
	}
	/* an unknown read-only-compatible feature: a read-only mount that says why */
	fresh_copy();
	patch32(1024 + 100, peek32(1024 + 100) | 0x0400);
	assert_int_equal(mount_img("c.img", false), 0);
	assert_non_null(strstr(last_log, "metadata_csum"));
	struct ext2_info info;
	ext2_info(fs, &info);
	assert_true(info.read_only);
	uint32_t ino;
	assert_int_equal(ext2_create(fs, EXT2_ROOT_INO, "x", 1, EXT2_S_IFREG, 0, 0, &ino),
	                 ERR_ACCESS_DENIED);
	engine_matches("small/odd", 3, 0, 1000);
	unmount_img();
	/* the error state: read-only too */
	fresh_copy();
	patch16(1024 + 58, 3);
	assert_int_equal(mount_img("c.img", false), 0);
	ext2_info(fs, &info);
	assert_true(info.read_only);
	unmount_img();
	/* a device smaller than the file system says */
	fresh_copy();
	assert_int_equal(truncate(path_in("c.img"), 2 << 20), 0);
	expect_mount_fails(ERR_MALFORMED, "block count");
	assert_int_equal(truncate(path_in("c.img"), 1500), 0);
	expect_mount_fails(ERR_MALFORMED, "superblock");
}

static void test_corrupt_pointers(void **state)
{
	(void)state;
	make_small_image();
	uint8_t buf[4096];
	/* a block pointer past the end, and one on the superblock */
	static const uint32_t bad[] = {0xfffffff0u, 4096, 1, 2};
	for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		fresh_copy();
		patch32(inode_offset("/small/odd") + 40, bad[i]);
		assert_int_equal(mount_img("c.img", false), 0);
		assert_int_equal(ext2_read(fs, resolve("small/odd"), 0, buf, 100), ERR_MALFORMED);
		assert_non_null(strstr(last_log, "pointer"));
		assert_int_equal(ext2_unlink(fs, resolve("small"), "odd", 3), ERR_MALFORMED);
		unmount_img();
		assert_int_equal(peek32(1024 + 56) >> 16, 3); /* s_state: clean, with errors */
	}
	/* an indirect block that points at itself: reads end, freeing it is caught */
	fresh_copy();
	uint64_t ioff = inode_offset("/ind/double");
	uint32_t ind = peek32(ioff + 40 + 12 * 4);
	patch32((uint64_t)ind * 1024 + 8, ind);
	assert_int_equal(mount_img("c.img", false), 0);
	uint32_t ino = resolve("ind/double");
	for (uint64_t off = 0; off < (12 + 256 + 3) * 1024; off += sizeof(buf))
		if (ext2_read(fs, ino, off, buf, sizeof(buf)) <= 0)
			fail_msg("read at %llu: %lld", (unsigned long long)off,
			         (long long)ext2_read(fs, ino, off, buf, sizeof(buf)));
	assert_int_equal(ext2_unlink(fs, resolve("ind"), "double", 6), ERR_MALFORMED);
	assert_non_null(strstr(last_log, "freed twice"));
	unmount_img();
	/* a double indirect block whose entries all point at itself */
	fresh_copy();
	uint32_t dind = peek32(ioff + 40 + 13 * 4);
	for (int i = 0; i < 256; i++)
		patch32((uint64_t)dind * 1024 + 4 * i, dind);
	assert_int_equal(mount_img("c.img", false), 0);
	ino = resolve("ind/double");
	for (uint64_t off = 0; off < 300 * 1024; off += sizeof(buf))
		ext2_read(fs, ino, off, buf, sizeof(buf));
	assert_int_equal(ext2_truncate(fs, ino, 0), ERR_MALFORMED);
	unmount_img();
	/* a huge size: reads of the hole end, writes past the largest file are refused */
	fresh_copy();
	patch32(inode_offset("/small/odd") + 108, 0x7fffffff);
	assert_int_equal(mount_img("c.img", false), 0);
	ino = resolve("small/odd");
	assert_int_equal(ext2_read(fs, ino, (uint64_t)1 << 33, buf, 100), 100);
	assert_int_equal(ext2_read(fs, ino, (uint64_t)1 << 60, buf, 100), ERR_MALFORMED);
	assert_int_equal(ext2_write(fs, ino, (uint64_t)1 << 45, buf, 1), ERR_OUT_OF_RANGE);
	unmount_img();
}

static void test_corrupt_dirents(void **state)
{
	(void)state;
	make_small_image();
	/* entries of /small: "." at 0, ".." at 12, then the names at 24 */
	static const struct {
		unsigned off, size;
		uint32_t value;
		const char *log;
	} cases[] = {
	    {24 + 4, 2, 0, "bad rec_len"},       {24 + 4, 2, 6, "bad rec_len"},
	    {24 + 4, 2, 30, "bad rec_len"},      {24 + 4, 2, 2000, "past the block"},
	    {24 + 6, 1, 200, "bad name_len"},    {24 + 8, 1, '/', "NUL or '/'"},
	    {24 + 9, 1, 0, "NUL or '/'"},        {24, 4, 0x7fffffff, "inode number"},
	    {12 + 4, 2, 1016, "past the block"}, {0, 4, 7777777, "inode number"},
	};
	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		fresh_copy();
		uint64_t dir = (uint64_t)peek32(inode_offset("/small") + 40) * 1024;
		uint32_t v = cases[i].value;
		if (cases[i].size == 1)
			patch(dir + cases[i].off, &v, 1);
		else if (cases[i].size == 2)
			patch16(dir + cases[i].off, (uint16_t)v);
		else
			patch32(dir + cases[i].off, v);
		assert_int_equal(mount_img("c.img", false), 0);
		uint32_t small = resolve("small"), ino;
		last_log[0] = 0;
		int err = ext2_lookup(fs, small, "two", 3, &ino);
		if (err != ERR_MALFORMED)
			fail_msg("case %zu: lookup: %d", i, err);
		if (!strstr(last_log, cases[i].log))
			fail_msg("case %zu: log '%s' does not name '%s'", i, last_log,
			         cases[i].log);
		uint64_t cookie = 0;
		struct ext2_dirent_info e;
		int r;
		while ((r = ext2_readdir(fs, small, &cookie, &e)) == 1)
			;
		assert_int_equal(r, ERR_MALFORMED);
		assert_int_equal(ext2_create(fs, small, "new", 3, EXT2_S_IFREG, 0, 0, &ino),
		                 ERR_MALFORMED);
		assert_int_equal(ext2_rmdir(fs, EXT2_ROOT_INO, "small", 5), ERR_MALFORMED);
		unmount_img();
	}
	/* a directory entry naming a free inode */
	fresh_copy();
	uint64_t dir = (uint64_t)peek32(inode_offset("/small") + 40) * 1024;
	patch32(dir + 24, 40);
	assert_int_equal(mount_img("c.img", false), 0);
	struct ext2_stat st;
	uint32_t ino;
	assert_int_equal(ext2_resolve(fs, EXT2_ROOT_INO, "small/odd", &ino), ERR_MALFORMED);
	assert_non_null(strstr(last_log, "inode 40 is referenced but not in use"));
	assert_int_equal(ext2_stat(fs, 40, &st), ERR_NOT_FOUND);
	unmount_img();
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test_setup_teardown(test_corrupt_super, setup, teardown),
	    cmocka_unit_test_setup_teardown(test_corrupt_pointers, setup, teardown),
	    cmocka_unit_test_setup_teardown(test_corrupt_dirents, setup, teardown),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
