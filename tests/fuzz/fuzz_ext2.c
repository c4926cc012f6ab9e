/*
 * fuzz_ext2.c - libFuzzer target for fsd's ext2 engine (user/fsd/ext2): the
 * input is a whole file-system image, mounted from memory.
 *
 * Each input is mounted read-write (the engine falls back to read-only where
 * the image says so); the whole tree is walked (bounded in depth and entries,
 * since a hostile directory may contain itself), every file is read at its
 * start and its end, every link read, every node stat'ed; then a few writes
 * (create, write, mkdir, rename, unlink, truncate, a file unlinked while held)
 * and the unmount. Besides
 * the sanitizers it checks that the engine never touches a device block past
 * the image, that listed names are 1..255 bytes without '/' or NUL and never
 * "." or "..", that reads return at most what was asked and a link at most
 * a block, and that no operation answers ERR_INTERNAL.
 */
#include "fuzz.h"

#include <stdbool.h>
#include <stdio.h>
#include <string.h>
#include <abi/errors.h>

#include "ext2.h"
#include "fs.h"

#define DEV_BLOCK 512u
#define MAX_DEPTH 12
#define MAX_NODES 400
#define READ_LEN 8192
#define DISK_MAX (1u << 20) /* bytes of an input used: libFuzzer's inputs stay below */

static uint8_t disk[DISK_MAX];
static uint64_t disk_blocks;
static unsigned nodes;

static int dev_read(void *ctx, uint64_t first, uint32_t count, void *buf)
{
	(void)ctx;
	FUZZ_CHECK(count > 0 && first < disk_blocks && count <= disk_blocks - first);
	memcpy(buf, disk + first * DEV_BLOCK, (size_t)count * DEV_BLOCK);
	return 0;
}

static int dev_write(void *ctx, uint64_t first, uint32_t count, const void *buf)
{
	(void)ctx;
	FUZZ_CHECK(count > 0 && first < disk_blocks && count <= disk_blocks - first);
	memcpy(disk + first * DEV_BLOCK, buf, (size_t)count * DEV_BLOCK);
	return 0;
}

static uint32_t fixed_now(void)
{
	return 1700000000u;
}

static void read_file(struct ext2_fs *fs, uint32_t ino, uint64_t size)
{
	static uint8_t buf[READ_LEN];
	int64_t n = ext2_read(fs, ino, 0, buf, sizeof(buf));
	FUZZ_CHECK(n != ERR_INTERNAL && n <= (int64_t)sizeof(buf));
	if (size > sizeof(buf)) {
		n = ext2_read(fs, ino, size - sizeof(buf) / 2, buf, sizeof(buf));
		FUZZ_CHECK(n != ERR_INTERNAL && n <= (int64_t)sizeof(buf) / 2);
	}
}

static void walk(struct ext2_fs *fs, uint32_t dir, unsigned depth)
{
	uint64_t cookie = 0;
	struct ext2_dirent_info e;
	int r;
	while (nodes < MAX_NODES && (r = ext2_readdir(fs, dir, &cookie, &e)) == 1) {
		nodes++;
		FUZZ_CHECK(e.name_len >= 1 && strlen(e.name) == e.name_len && !strchr(e.name, '/'));
		FUZZ_CHECK(strcmp(e.name, ".") && strcmp(e.name, ".."));
		uint32_t ino;
		int err = ext2_lookup(fs, dir, e.name, e.name_len, &ino);
		FUZZ_CHECK(err != ERR_INTERNAL);
		struct ext2_stat st;
		if (ext2_stat(fs, e.ino, &st) < 0)
			continue;
		switch (st.mode & EXT2_S_IFMT) {
		case EXT2_S_IFREG:
			read_file(fs, e.ino, st.size);
			break;
		case EXT2_S_IFLNK: {
			char target[4097];
			int64_t n = ext2_readlink(fs, e.ino, target, sizeof(target));
			FUZZ_CHECK(n != ERR_INTERNAL && n < 4096);
			break;
		}
		case EXT2_S_IFDIR:
			if (depth < MAX_DEPTH)
				walk(fs, e.ino, depth + 1);
			break;
		}
	}
}

static void writes(struct ext2_fs *fs, bool big_dir)
{
	static const uint8_t data[5000] = {1, 2, 3};
	uint32_t f = 0, d = 0;
	int err = ext2_create(fs, EXT2_ROOT_INO, "fz", 2, EXT2_S_IFREG | 0644, 1, 2, &f);
	FUZZ_CHECK(err != ERR_INTERNAL);
	if (err == 0) {
		FUZZ_CHECK(ext2_write(fs, f, 0, data, sizeof(data)) != ERR_INTERNAL);
		FUZZ_CHECK(ext2_write(fs, f, 70000, data, 10) != ERR_INTERNAL);
		FUZZ_CHECK(ext2_truncate(fs, f, 3000) != ERR_INTERNAL);
	}
	err = ext2_create(fs, EXT2_ROOT_INO, "fzd", 3, EXT2_S_IFDIR | 0755, 0, 0, &d);
	FUZZ_CHECK(err != ERR_INTERNAL);
	FUZZ_CHECK(ext2_rename(fs, EXT2_ROOT_INO, "fz", 2, EXT2_ROOT_INO, "fzd", 3) !=
	           ERR_INTERNAL);
	if (d)
		FUZZ_CHECK(ext2_rename(fs, EXT2_ROOT_INO, "fz", 2, d, "moved", 5) != ERR_INTERNAL);
	/* a directory large enough for an in-memory index (dindex.c), changed through it
	 * (one input in four: the creates cost) */
	if (d && big_dir) {
		char name[16];
		for (int i = 0; i < EXT2_DINDEX_MIN_ENTRIES + 8; i++) {
			uint32_t ino;
			int len = snprintf(name, sizeof(name), "n%d", i);
			err =
			    ext2_create(fs, d, name, (size_t)len, EXT2_S_IFREG | 0644, 0, 0, &ino);
			FUZZ_CHECK(err != ERR_INTERNAL);
			if (err < 0)
				break;
		}
		for (int i = 0; i < EXT2_DINDEX_MIN_ENTRIES + 8; i += 3) {
			uint32_t ino;
			int len = snprintf(name, sizeof(name), "n%d", i);
			FUZZ_CHECK(ext2_unlink(fs, d, name, (size_t)len) != ERR_INTERNAL);
			FUZZ_CHECK(ext2_lookup(fs, d, name, (size_t)len - 1, &ino) != ERR_INTERNAL);
		}
		FUZZ_CHECK(ext2_dir_check_index(fs, d) != ERR_INTERNAL);
	}
	/* whatever the image holds first goes: its blocks are freed through its map */
	uint64_t cookie = 0;
	struct ext2_dirent_info e;
	if (ext2_readdir(fs, EXT2_ROOT_INO, &cookie, &e) == 1) {
		FUZZ_CHECK(ext2_unlink(fs, EXT2_ROOT_INO, e.name, e.name_len) != ERR_INTERNAL);
		FUZZ_CHECK(ext2_rmdir(fs, EXT2_ROOT_INO, e.name, e.name_len) != ERR_INTERNAL);
	}
	/* a file unlinked while held stays usable until its release */
	uint32_t h;
	if (ext2_create(fs, EXT2_ROOT_INO, "held", 4, EXT2_S_IFREG | 0600, 0, 0, &h) == 0 &&
	    ext2_hold(fs, h) == 0) {
		FUZZ_CHECK(ext2_write(fs, h, 0, data, 100) != ERR_INTERNAL);
		if (ext2_unlink(fs, EXT2_ROOT_INO, "held", 4) == 0) {
			struct ext2_stat st;
			FUZZ_CHECK(ext2_stat(fs, h, &st) != ERR_NOT_FOUND);
		}
		FUZZ_CHECK(ext2_release(fs, h) != ERR_INTERNAL);
	}
	FUZZ_CHECK(ext2_sync(fs) != ERR_INTERNAL);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	disk_blocks = (size < DISK_MAX ? size : DISK_MAX) / DEV_BLOCK;
	if (disk_blocks == 0)
		return 0;
	memcpy(disk, data, disk_blocks * DEV_BLOCK);
	struct ext2_dev dev = {
	    .block_size = DEV_BLOCK,
	    .block_count = disk_blocks,
	    .read_blocks = dev_read,
	    .write_blocks = dev_write,
	};
	struct ext2_mount_opts opts = {.cache_blocks = 24, .now = fixed_now};
	struct ext2_fs *fs;
	int err = ext2_mount(&dev, &opts, &fs);
	FUZZ_CHECK(err != ERR_INTERNAL);
	if (err == 0) {
		nodes = 0;
		walk(fs, EXT2_ROOT_INO, 0);
		struct ext2_info info;
		ext2_info(fs, &info);
		if (!info.read_only)
			writes(fs, size % 4 == 0);
		FUZZ_CHECK(ext2_unmount(fs) != ERR_INTERNAL);
	}
	return 0;
}
