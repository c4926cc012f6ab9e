/*
 * fs_bench.h - the fs_* metrics' parameters and operations (docs/bench.md
 * "fs_read_1m, fs_create_small, fs_stat"), one definition for both sides:
 * user/bench/bench.c (CharlotteOS: fsd serving fs:///bench-disk) and
 * bench/linux/linuxbench.c (Linux: ext4's driver on /fsb) include it, so they make
 * the same calls on the same ext2 image (mk/bench.mk's fs-bench.img). Each side
 * passes its own paths; the operations are the POSIX calls a program makes.
 */
#pragma once
#include <fcntl.h>
#include <unistd.h>

#define FS_READ_BYTES (1 << 20) /* read1m.bin: byte i is i mod 251 */
#define FS_READ_SAMPLES 31
#define FS_CREATE_FILES 1000 /* fs_create_small: files per sample (all timed) */
#define FS_CREATE_SAMPLES 5
#define FS_CREATE_BYTES 4096
#define FS_STAT_SAMPLES 101
#define FS_STAT_ITERS 10

/* open + read of the whole file into buf (FS_READ_BYTES) + close: its length, or -1. */
static inline long fs_bench_read(const char *path, unsigned char *buf)
{
	int fd = open(path, O_RDONLY);
	if (fd < 0)
		return -1;
	long done = 0;
	for (;;) {
		ssize_t r = read(fd, buf + done, (size_t)(FS_READ_BYTES - done));
		if (r < 0) {
			close(fd);
			return -1;
		}
		if (r == 0 || (done += r) == FS_READ_BYTES)
			break;
	}
	return close(fd) ? -1 : done;
}

/* Whether buf holds what mk/bench.mk wrote in read1m.bin. */
static inline int fs_bench_content_ok(const unsigned char *buf)
{
	for (long i = 0; i < FS_READ_BYTES; i++)
		if (buf[i] != i % 251)
			return 0;
	return 1;
}

/* A new file (O_CREAT | O_EXCL) at path, FS_CREATE_BYTES of buf written, closed: 0 or -1. */
static inline int fs_bench_create(const char *path, const unsigned char *buf)
{
	int fd = open(path, O_WRONLY | O_CREAT | O_EXCL, 0644);
	if (fd < 0)
		return -1;
	int ok = write(fd, buf, FS_CREATE_BYTES) == FS_CREATE_BYTES;
	return close(fd) == 0 && ok ? 0 : -1;
}
