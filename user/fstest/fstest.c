/*
 * fstest.c - fsd end to end in the VM (tests fs_*): the home disk served at
 * fs:///disk, read back, changed through the namespace and libc, and checked
 * again after fsd restarts.
 *
 * fstest starts the driver and fsd itself (disk.c) on the home disk, a fresh
 * copy of build/disk-home.img per test boot. At the end it stops fsd cleanly and
 * prints "fstest: home disk written"; tools/run-tests.sh then runs
 * tools/fsd-check.sh on the image (fs_host_e2fsck, fs_host_readback).
 * `bin/fstest powercut` is instead the writer of the power-cut test (powercut.c).
 *
 * The files of the image and their POSIX cksum CRCs are in the initrd's
 * etc/fs-home.sums (mk/homedisk.mk).
 */
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include <abi/errors.h>
#include <abi/rights.h>
#include <charlotte/driver.h>
#include <charlotte/initrd.h>
#include <charlotte/kbus.h>
#include <charlotte/ns.h>
#include <charlotte/spawn.h>
#include <charlotte/start.h>
#include <charlotte/syscall.h>
#include <charlotte/testing.h>

#include "../fsd/fsd_ctl.h"
#include "fstest.h"

#define DISK FSTEST_DISK
#define HOST_FILE "fstest/host-check.bin" /* tools/fsd-check.sh reads it back */
#define HOST_FILE_SIZE 300000u

static long up; /* 0 once fsd serves, else why not */

static bool ready(void)
{
	if (up < 0) {
		ch_test_not_applicable("fsd not serving the home disk: %s", ch_error_name(up));
		return false;
	}
	return true;
}

/* --- helpers --- */

/* fstest.h; in 32 KiB calls. */
long fstest_write_pattern(handle_t dir, const char *path, uint64_t len, uint32_t seed)
{
	static uint8_t buf[NS_IO_MAX];
	handle_t f;
	long r = fstest_open(dir, path, NS_TYPE_FILE, NS_OPEN_CREATE, &f);
	if (r < 0)
		return r;
	r = ch_ns_truncate(f, 0, FSTEST_LONG);
	for (uint64_t off = 0; r >= 0 && off < len;) {
		size_t n = len - off < sizeof(buf) ? (size_t)(len - off) : sizeof(buf);
		fstest_fill(buf, off, n, seed);
		r = ch_ns_write(f, off, buf, n, FSTEST_LONG);
		if (r >= 0 && (size_t)r != n)
			r = ERR_NO_RESOURCES;
		off += n;
	}
	ch_cap_drop(f);
	return r < 0 ? r : 0;
}

/* 0 when path below dir holds exactly len bytes of pattern seed; else the error or
 * ERR_MALFORMED (with the offset of the first difference in *bad). */
static long check_pattern(handle_t dir, const char *path, uint64_t len, uint32_t seed,
                          uint64_t *bad)
{
	static uint8_t buf[NS_IO_MAX];
	handle_t f;
	struct ns_stat st;
	long r = fstest_open(dir, path, NS_TYPE_FILE, 0, &f);
	if (r < 0)
		return r;
	if ((r = ch_ns_stat(f, &st, FSTEST_LONG)) >= 0 && st.size != len) {
		*bad = st.size;
		r = ERR_MALFORMED;
	}
	for (uint64_t off = 0; r >= 0 && off < len;) {
		size_t n = len - off < sizeof(buf) ? (size_t)(len - off) : sizeof(buf);
		r = ch_ns_read(f, off, buf, n, FSTEST_LONG);
		if (r >= 0 && (size_t)r != n)
			r = ERR_MALFORMED, *bad = off + (uint64_t)r;
		for (size_t i = 0; r >= 0 && i < n; i++)
			if (buf[i] != fstest_pat(off + i, seed))
				r = ERR_MALFORMED, *bad = off + i;
		off += n;
	}
	ch_cap_drop(f);
	return r < 0 ? r : 0;
}

#define EXPECT_PATTERN(dir, path, len, seed)                                   \
	do {                                                                   \
		uint64_t bad_ = 0;                                             \
		long r_ = check_pattern(dir, path, len, seed, &bad_);          \
		CHECK(r_ == 0, "%s: %s at byte %llu", path, ch_error_name(r_), \
		      (unsigned long long)bad_);                               \
	} while (0)

/* The size etc/fs-home.sums gives path of the image (0: not listed). */
static unsigned long image_size(const char *path)
{
	const void *data;
	size_t len, n = strlen(path);
	if (ch_initrd_find("etc/fs-home.sums", &data, &len) < 0)
		return 0;
	for (const char *p = data, *end = p + len; p < end;) {
		const char *nl = memchr(p, '\n', (size_t)(end - p)), *name = nl ? nl : end;
		while (name > p && name[-1] != ' ')
			name--;
		size_t line = (size_t)((nl ? nl : end) - p);
		if ((size_t)((nl ? nl : end) - name) == n && !memcmp(name, path, n)) {
			char buf[64] = {0};
			memcpy(buf, p, line < sizeof(buf) - 1 ? line : sizeof(buf) - 1);
			char *rest;
			strtoul(buf, &rest, 10);
			return strtoul(rest, NULL, 10);
		}
		p = nl ? nl + 1 : end;
	}
	return 0;
}

/* --- the tests --- */

/* Every file of disk/home reads back with the size and CRC the build computed. */
static void test_image_files(void)
{
	if (!ready())
		return;
	const void *data;
	size_t len;
	EXPECT_OK(ch_initrd_find("etc/fs-home.sums", &data, &len));
	char *sums = malloc(len + 1);
	CHECK(sums, "out of memory");
	memcpy(sums, data, len);
	sums[len] = '\0';
	static uint8_t buf[4096];
	unsigned files = 0;
	for (char *line = strtok(sums, "\n"); line; line = strtok(NULL, "\n")) {
		unsigned long crc = strtoul(line, &line, 10);
		unsigned long size = strtoul(line, &line, 10);
		char path[256];
		snprintf(path, sizeof(path), DISK "/%s", line + 1);
		FILE *f = fopen(path, "r");
		if (!f) {
			ch_test_fail("fopen %s: %s", path, strerror(errno));
			break;
		}
		uint32_t c = 0;
		uint64_t total = 0;
		size_t n;
		while ((n = fread(buf, 1, sizeof(buf), f)) > 0) {
			c = fstest_crc(c, buf, n);
			total += n;
		}
		fclose(f);
		c = fstest_cksum_finish(c, total);
		if (total != size || c != crc) {
			ch_test_fail("%s: %llu bytes, crc %u; the image has %lu bytes, crc %lu",
			             path, (unsigned long long)total, c, size, crc);
			break;
		}
		files++;
	}
	free(sums);
	CHECK(ch_test_failed() || files >= 6, "only %u files listed", files);
}

/* Types, sizes, links and a listing of the image's tree. */
static void test_image_tree(void)
{
	if (!ready())
		return;
	struct stat s;
	unsigned long readme = image_size("README");
	CHECK(readme > 0, "README is not in etc/fs-home.sums");
	EXPECT_OK(stat(DISK "/README", &s));
	CHECK(S_ISREG(s.st_mode) && (unsigned long)s.st_size == readme,
	      "README: mode %o size %lld, the image has %lu", s.st_mode, (long long)s.st_size,
	      readme);
	EXPECT_OK(stat(DISK "/samples/deeper", &s));
	CHECK(S_ISDIR(s.st_mode), "samples/deeper: mode %o", s.st_mode);
	handle_t d = fstest_disk_root(), l;
	CHECK(d != HANDLE_INVALID, "cannot open " DISK);
	char target[64] = {0};
	EXPECT_OK(fstest_open(d, "readme", NS_TYPE_LINK, NS_OPEN_NOFOLLOW, &l));
	long n = ch_ns_readlink(l, target, sizeof(target) - 1, FSTEST_LONG);
	ch_cap_drop(l);
	CHECK(n == 6 && !strcmp(target, "README"), "readme -> '%s' (%ld)", target, n);
	struct ns_stat st;
	EXPECT_OK(ch_ns_stat_at(d, "readme", 6, &st, FSTEST_LONG)); /* followed */
	CHECK(st.type == NS_TYPE_FILE && st.size == readme, "readme: type %u size %llu", st.type,
	      (unsigned long long)st.size);
	ch_cap_drop(d);
	DIR *dir = opendir(DISK);
	CHECK(dir, "opendir: %s", strerror(errno));
	unsigned seen = 0;
	struct dirent *e;
	while ((e = readdir(dir))) {
		if (!strcmp(e->d_name, "README") || !strcmp(e->d_name, "readme") ||
		    !strcmp(e->d_name, "notes") || !strcmp(e->d_name, "samples"))
			seen++;
		CHECK(strcmp(e->d_name, ".") && strcmp(e->d_name, ".."), "listed %s", e->d_name);
	}
	closedir(dir);
	CHECK(seen == 4, "%u of README, readme, notes, samples listed", seen);
	CHECK(stat(DISK "/no-such-file", &s) < 0 && errno == ENOENT, "stat of a missing name");
}

/* libc: write, append, read back, truncate, mkdir. */
static void test_create_write(void)
{
	if (!ready())
		return;
	mkdir(DISK "/fstest", 0755);
	FILE *f = fopen(DISK "/fstest/hello.txt", "w");
	CHECK(f, "fopen w: %s", strerror(errno));
	CHECK(fputs("hello, disk\n", f) >= 0, "fputs");
	CHECK(fclose(f) == 0, "fclose");
	f = fopen(DISK "/fstest/hello.txt", "a");
	CHECK(f, "fopen a: %s", strerror(errno));
	fputs("again\n", f);
	fclose(f);
	char buf[64] = {0};
	f = fopen(DISK "/fstest/hello.txt", "r");
	CHECK(f, "fopen r: %s", strerror(errno));
	size_t n = fread(buf, 1, sizeof(buf) - 1, f);
	fclose(f);
	CHECK(n == 18 && !strcmp(buf, "hello, disk\nagain\n"), "read back '%s'", buf);
	EXPECT_OK(truncate(DISK "/fstest/hello.txt", 5));
	struct stat s;
	EXPECT_OK(stat(DISK "/fstest/hello.txt", &s));
	CHECK(s.st_size == 5, "size after truncate %lld", (long long)s.st_size);
	/* the inode's permission bits and owner (fsd makes files 0644, owner and group 0) */
	CHECK(s.st_mode == (S_IFREG | 0644) && s.st_uid == 0 && s.st_gid == 0,
	      "stat: mode %o uid %u gid %u", s.st_mode, s.st_uid, s.st_gid);
	handle_t d = fstest_disk_root(), h;
	CHECK(d != HANDLE_INVALID, "cannot open " DISK);
	struct ns_stat st;
	EXPECT_OK(ch_ns_stat_at(d, "fstest", 6, &st, FSTEST_LONG));
	CHECK(st.mode == (NS_MODE_KEPT | 0755), "fstest: mode %#x", st.mode);
	EXPECT_ERR(fstest_open(d, "fstest/hello.txt", NS_TYPE_FILE,
	                       NS_OPEN_CREATE | NS_OPEN_EXCLUSIVE, &h),
	           ERR_ALREADY_EXISTS);
	EXPECT_ERR(fstest_open(d, "fstest/hello.txt/x", NS_TYPE_FILE, 0, &h), ERR_WRONG_TYPE);
	ch_cap_drop(d);
}

/* Rename (across directories, replacing), unlink, rmdir. */
static void test_rename_unlink(void)
{
	if (!ready())
		return;
	handle_t d = fstest_disk_root();
	CHECK(d != HANDLE_INVALID, "cannot open " DISK);
	mkdir(DISK "/fstest", 0755);
	EXPECT_OK(mkdir(DISK "/fstest/ra", 0755));
	EXPECT_OK(mkdir(DISK "/fstest/rb", 0755));
	EXPECT_OK(fstest_write_pattern(d, "fstest/ra/one", 5000, 1));
	EXPECT_OK(fstest_write_pattern(d, "fstest/rb/two", 7000, 2));
	EXPECT_OK(rename(DISK "/fstest/ra/one", DISK "/fstest/rb/two")); /* replaces two */
	EXPECT_PATTERN(d, "fstest/rb/two", 5000, 1);
	struct stat s;
	CHECK(stat(DISK "/fstest/ra/one", &s) < 0 && errno == ENOENT, "ra/one still there");
	EXPECT_ERR(ch_ns_unlink(d, "fstest/rb", 9, NS_UNLINK_DIR, FSTEST_LONG), ERR_BAD_STATE);
	struct ns_path_arg to = {(uint64_t)(uintptr_t) "fstest/ra/sub", 13};
	EXPECT_OK(ch_ns_rename(d, "fstest/rb", 9, d, &to, FSTEST_LONG)); /* a directory moves */
	EXPECT_PATTERN(d, "fstest/ra/sub/two", 5000, 1);
	to = (struct ns_path_arg){(uint64_t)(uintptr_t) "fstest/ra/sub/in", 16};
	EXPECT_ERR(ch_ns_rename(d, "fstest/ra", 9, d, &to, FSTEST_LONG), ERR_INVALID_ARGS);
	EXPECT_OK(unlink(DISK "/fstest/ra/sub/two"));
	EXPECT_OK(rmdir(DISK "/fstest/ra/sub"));
	EXPECT_OK(rmdir(DISK "/fstest/ra"));
	EXPECT_ERR(ch_ns_unlink(d, "fstest/ra", 9, 0, FSTEST_LONG), ERR_NOT_FOUND);
	ch_cap_drop(d);
}

/* Hard links, symbolic links, and an open file that loses its last name. */
static void test_links(void)
{
	if (!ready())
		return;
	handle_t d = fstest_disk_root(), f;
	CHECK(d != HANDLE_INVALID, "cannot open " DISK);
	mkdir(DISK "/fstest", 0755);
	EXPECT_OK(fstest_write_pattern(d, "fstest/orig", 3000, 3));
	EXPECT_OK(fstest_open(d, "fstest/orig", NS_TYPE_FILE, 0, &f));
	EXPECT_OK(ch_ns_link(d, "fstest/hard", 11, f, FSTEST_LONG));
	struct ns_stat st;
	EXPECT_OK(ch_ns_stat(f, &st, FSTEST_LONG));
	CHECK(st.nlink == 2, "nlink %u after link", st.nlink);
	EXPECT_OK(ch_ns_symlink(d, "fstest/soft", 11, "hard", 4, FSTEST_LONG));
	EXPECT_PATTERN(d, "fstest/soft", 3000, 3); /* through the link */
	EXPECT_OK(ch_ns_unlink(d, "fstest/orig", 11, 0, FSTEST_LONG));
	EXPECT_OK(ch_ns_unlink(d, "fstest/hard", 11, 0, FSTEST_LONG));
	uint8_t b[16];
	long n = ch_ns_read(f, 2990, b, sizeof(b), FSTEST_LONG); /* open, no name left */
	CHECK(n == 10 && b[0] == fstest_pat(2990, 3), "read of the unlinked open file: %ld", n);
	ch_cap_drop(f);
	EXPECT_ERR(fstest_open(d, "fstest/soft", NS_TYPE_FILE, 0, &f),
	           ERR_NOT_FOUND); /* dangling */
	EXPECT_OK(ch_ns_unlink(d, "fstest/soft", 11, 0, FSTEST_LONG));
	ch_cap_drop(d);
}

/* A 16 MiB file (double indirect blocks at 1 KiB) and a sparse one far out. */
static void test_large_file(void)
{
	if (!ready())
		return;
	handle_t d = fstest_disk_root(), f;
	CHECK(d != HANDLE_INVALID, "cannot open " DISK);
	mkdir(DISK "/fstest", 0755);
	EXPECT_OK(fstest_write_pattern(d, "fstest/large", 16u << 20, 4));
	EXPECT_PATTERN(d, "fstest/large", 16u << 20, 4);
	EXPECT_OK(fstest_open(d, "fstest/sparse", NS_TYPE_FILE, NS_OPEN_CREATE, &f));
	uint64_t far = 300ull << 20; /* past the disk's size: only what is written takes room */
	EXPECT_OK(ch_ns_write(f, far, "end", 3, FSTEST_LONG));
	uint8_t b[8] = {1, 1, 1, 1, 1, 1, 1, 1};
	long n = ch_ns_read(f, far - 5, b, sizeof(b), FSTEST_LONG);
	CHECK(n == 8 && !memcmp(b, "\0\0\0\0\0end", 8), "around the end of the hole: %ld", n);
	struct ns_stat st;
	EXPECT_OK(ch_ns_stat(f, &st, FSTEST_LONG));
	CHECK(st.size == far + 3, "sparse size %llu", (unsigned long long)st.size);
	ch_cap_drop(f);
	EXPECT_OK(ch_ns_unlink(d, "fstest/sparse", 13, 0, FSTEST_LONG));
	EXPECT_OK(ch_ns_unlink(d, "fstest/large", 12, 0, FSTEST_LONG));
	ch_cap_drop(d);
}

/* 1,000 files in one directory, listed, half of them removed, a deep tree. */
static void test_many_files(void)
{
	if (!ready())
		return;
	handle_t d = fstest_disk_root();
	CHECK(d != HANDLE_INVALID, "cannot open " DISK);
	mkdir(DISK "/fstest", 0755);
	EXPECT_OK(mkdir(DISK "/fstest/many", 0755));
	char path[600];
	for (unsigned i = 0; i < 1000; i++) {
		snprintf(path, sizeof(path), "fstest/many/file-%04u", i);
		long r = fstest_write_pattern(d, path, 100 + i, i);
		CHECK(r >= 0, "%s: %s", path, ch_error_name(r));
	}
	for (unsigned i = 0; i < 1000; i += 2) {
		snprintf(path, sizeof(path), "fstest/many/file-%04u", i);
		EXPECT_OK(ch_ns_unlink(d, path, strlen(path), 0, FSTEST_LONG));
	}
	DIR *dir = opendir(DISK "/fstest/many");
	CHECK(dir, "opendir: %s", strerror(errno));
	unsigned n = 0, odd = 0;
	struct dirent *e;
	while ((e = readdir(dir))) {
		n++;
		unsigned k = (unsigned)atoi(e->d_name + 5);
		odd += (k & 1) != 0;
	}
	closedir(dir);
	CHECK(n == 500 && odd == 500, "listed %u entries, %u odd", n, odd);
	EXPECT_PATTERN(d, "fstest/many/file-0777", 877, 777);
	/* 40 levels */
	size_t len = strlen(strcpy(path, "fstest/deep"));
	for (int i = 0; i <= 40; i++) {
		handle_t h;
		EXPECT_OK(fstest_open(d, path, NS_TYPE_DIR, NS_OPEN_CREATE, &h));
		ch_cap_drop(h);
		if (i < 40)
			len += (size_t)snprintf(path + len, sizeof(path) - len, "/d%d", i);
	}
	strcpy(path + len, "/bottom");
	EXPECT_OK(fstest_write_pattern(d, path, 1234, 5));
	EXPECT_PATTERN(d, path, 1234, 5);
	ch_cap_drop(d);
}

/* What was synced survives a clean stop and a new fsd (and so a shutdown). */
static void test_restart(void)
{
	if (!ready())
		return;
	handle_t d = fstest_disk_root();
	CHECK(d != HANDLE_INVALID, "cannot open " DISK);
	mkdir(DISK "/fstest", 0755);
	EXPECT_OK(fstest_write_pattern(d, "fstest/kept", 200000, 6));
	EXPECT_OK(fstest_ctl(FSD_CTL_SYNC));
	EXPECT_OK(fstest_write_pattern(d, "fstest/kept-too", 5000, 7)); /* the stop syncs it */
	ch_cap_drop(d);
	EXPECT_OK(fstest_ctl(FSD_CTL_STOP));
	struct ns_stat st;
	handle_t fs = ch_ns_root("fs");
	EXPECT_ERR(ch_ns_stat_at(fs, "disk/README", 11, &st, FSTEST_LONG), ERR_PEER_CLOSED);
	up = fstest_start_fsd();
	EXPECT_OK(up);
	d = fstest_disk_root();
	CHECK(d != HANDLE_INVALID, "cannot open " DISK " again");
	EXPECT_PATTERN(d, "fstest/kept", 200000, 6);
	EXPECT_PATTERN(d, "fstest/kept-too", 5000, 7);
	EXPECT_PATTERN(d, "fstest/many/file-0999", 1099, 999);
	ch_cap_drop(d);
}

/* The file tools/fsd-check.sh reads back with debugfs after the boot. */
static void test_host_file(void)
{
	if (!ready())
		return;
	handle_t d = fstest_disk_root();
	CHECK(d != HANDLE_INVALID, "cannot open " DISK);
	mkdir(DISK "/fstest", 0755);
	EXPECT_OK(fstest_write_pattern(d, HOST_FILE, HOST_FILE_SIZE, 8));
	EXPECT_PATTERN(d, HOST_FILE, HOST_FILE_SIZE, 8);
	ch_cap_drop(d);
}

/*
 * chmod, chown and times through fsd: the inode's bits (its type kept), 32-bit ids and
 * seconds; what ext2 cannot keep is ERR_OUT_OF_RANGE; the rights. tools/fsd-check.sh
 * reads fstest/attr.txt and fstest/attr-dir back with debugfs (fs_host_setattr), and
 * compares the ctime fsd stamped with the host's clock.
 */
static void test_setattr(void)
{
	if (!ready())
		return;
	handle_t d = fstest_disk_root(), f, weak;
	CHECK(d != HANDLE_INVALID, "cannot open " DISK);
	mkdir(DISK "/fstest", 0755);
	EXPECT_OK(fstest_write_pattern(d, "fstest/attr.txt", 100, 11));
	struct stat s;
	time_t before = time(NULL);
	CHECK(chmod(DISK "/fstest/attr.txt", 04751) == 0, "chmod: errno %d", errno);
	CHECK(chown(DISK "/fstest/attr.txt", 70000, 80000) == 0, "chown: errno %d", errno);
	struct timespec ts[2] = {{1111111111, 0}, {1234567890, 0}};
	CHECK(utimensat(AT_FDCWD, DISK "/fstest/attr.txt", ts, 0) == 0, "utimensat: errno %d",
	      errno);
	CHECK(stat(DISK "/fstest/attr.txt", &s) == 0 && s.st_mode == (S_IFREG | 04751) &&
	          s.st_uid == 70000 && s.st_gid == 80000 && s.st_atim.tv_sec == 1111111111 &&
	          s.st_mtim.tv_sec == 1234567890 && s.st_size == 100,
	      "stat: mode %o uid %u gid %u atime %lld mtime %lld size %lld", s.st_mode, s.st_uid,
	      s.st_gid, (long long)s.st_atim.tv_sec, (long long)s.st_mtim.tv_sec,
	      (long long)s.st_size);
	/* with a wall clock (fstest starts the RTC for fsd), ctime is now, not boot time */
	if (ch_wall_clock_known())
		CHECK(s.st_ctim.tv_sec >= before - 5 && s.st_ctim.tv_sec <= time(NULL) + 5 &&
		          before > 1704067200,
		      "ctime %lld, our clock %lld", (long long)s.st_ctim.tv_sec, (long long)before);
	EXPECT_PATTERN(d, "fstest/attr.txt", 100, 11);
	CHECK(mkdir(DISK "/fstest/attr-dir", 0755) == 0 || errno == EEXIST, "mkdir: errno %d",
	      errno);
	CHECK(chmod(DISK "/fstest/attr-dir", 0700) == 0 && stat(DISK "/fstest/attr-dir", &s) == 0 &&
	          s.st_mode == (S_IFDIR | 0700),
	      "chmod of a directory: errno %d mode %o", errno, s.st_mode);
	/* what ext2 cannot keep, and the rights */
	EXPECT_OK(fstest_open(d, "fstest/attr.txt", NS_TYPE_FILE, 0, &f));
	struct ns_setattr far = {.valid = NS_ATTR_MTIME, .mtime = (1ull << 33) * 1000000000ull};
	EXPECT_ERR(ch_ns_setattr(f, &far, FSTEST_LONG), ERR_OUT_OF_RANGE);
	struct ns_setattr noid = {.valid = NS_ATTR_UID, .uid = 0xffffffffu};
	EXPECT_ERR(ch_ns_setattr(f, &noid, FSTEST_LONG), ERR_OUT_OF_RANGE);
	struct ns_setattr bad = {.valid = NS_ATTR_MODE, .mode = 070000};
	EXPECT_ERR(ch_ns_setattr(f, &bad, FSTEST_LONG), ERR_INVALID_ARGS);
	EXPECT_OK(ch_cap_derive(f, RIGHT_READ | RIGHT_INSPECT, 0, &weak));
	struct ns_setattr m = {.valid = NS_ATTR_MODE, .mode = 0600};
	EXPECT_ERR(ch_ns_setattr(weak, &m, FSTEST_LONG), ERR_ACCESS_DENIED);
	ch_cap_drop(weak);
	ch_cap_drop(f);
	CHECK(stat(DISK "/fstest/attr.txt", &s) == 0 && s.st_mode == (S_IFREG | 04751) &&
	          s.st_mtim.tv_sec == 1234567890 && s.st_uid == 70000,
	      "after refused changes: mode %o mtime %lld uid %u", s.st_mode,
	      (long long)s.st_mtim.tv_sec, s.st_uid);
	ch_cap_drop(d);
}

/* Let the kernel tell fsd of the capabilities it dropped: releases go in batches of 32
 * (kernel/ns/remote.c), so 40 more opens and drops of README push ours out. */
static void flush_releases(handle_t d)
{
	for (int i = 0; i < 40; i++) {
		handle_t f;
		if (fstest_open(d, "README", NS_TYPE_FILE, 0, &f) >= 0)
			ch_cap_drop(f);
	}
}

/* SYS_NS_SYNC and SYS_NS_STATFS on the disk: the superblock's figures, which follow a
 * write and an unlink; the rights each needs. */
static void test_sync_statfs(void)
{
	if (!ready())
		return;
	handle_t d = fstest_disk_root(), f, weak;
	CHECK(d != HANDLE_INVALID, "cannot open " DISK);
	struct ns_statfs a, b, c;
	EXPECT_OK(ch_ns_sync(d, 0, FSTEST_LONG));
	EXPECT_OK(ch_ns_statfs(d, &a, FSTEST_LONG));
	CHECK(!strcmp(a.type, "ext2") && a.bsize == 1024 && a.blocks == 65536 && a.files == 16384 &&
	          a.namemax == 255 && a.bfree > 1000 && a.bavail == a.bfree && a.ffree < a.files &&
	          a.flags == 0,
	      "statfs: %s bsize %u blocks %llu free %llu files %llu free %llu flags %#x", a.type,
	      a.bsize, (unsigned long long)a.blocks, (unsigned long long)a.bfree,
	      (unsigned long long)a.files, (unsigned long long)a.ffree, a.flags);
	/* any node of the file system answers for all of it */
	EXPECT_OK(fstest_open(d, "README", NS_TYPE_FILE, 0, &f));
	EXPECT_OK(ch_ns_statfs(f, &b, FSTEST_LONG));
	CHECK(b.blocks == a.blocks && b.bfree == a.bfree, "statfs of a file differs");
	EXPECT_OK(ch_ns_sync(f, 0, FSTEST_LONG));
	ch_cap_drop(f);
	/* 256 blocks of data (and an indirect block or two) */
	mkdir(DISK "/fstest", 0755);
	EXPECT_OK(fstest_write_pattern(d, "fstest/statfs", 256 * 1024, 9));
	EXPECT_OK(ch_ns_statfs(d, &b, FSTEST_LONG));
	CHECK(b.bfree + 256 <= a.bfree && b.bfree + 256 + 8 >= a.bfree && b.ffree + 1 == a.ffree,
	      "after a write of 256 blocks: %llu free blocks (were %llu), %llu inodes (were %llu)",
	      (unsigned long long)b.bfree, (unsigned long long)a.bfree, (unsigned long long)b.ffree,
	      (unsigned long long)a.ffree);
	flush_releases(d);
	EXPECT_OK(ch_ns_unlink(d, "fstest/statfs", 13, 0, FSTEST_LONG));
	EXPECT_OK(ch_ns_statfs(d, &c, FSTEST_LONG));
	CHECK(c.bfree == a.bfree && c.ffree == a.ffree,
	      "after the unlink: %llu free blocks (were %llu), %llu inodes (were %llu)",
	      (unsigned long long)c.bfree, (unsigned long long)a.bfree, (unsigned long long)c.ffree,
	      (unsigned long long)a.ffree);
	/* sync needs WRITE; making it read-only MANAGE too; statfs INSPECT */
	EXPECT_OK(ch_cap_derive(d, RIGHT_LOOKUP | RIGHT_READ | RIGHT_INSPECT, 0, &weak));
	EXPECT_ERR(ch_ns_sync(weak, 0, FSTEST_LONG), ERR_ACCESS_DENIED);
	EXPECT_OK(ch_ns_statfs(weak, &b, FSTEST_LONG));
	ch_cap_drop(weak);
	EXPECT_OK(ch_cap_derive(d, RIGHT_LOOKUP | RIGHT_READ | RIGHT_WRITE, 0, &weak));
	EXPECT_ERR(ch_ns_statfs(weak, &b, FSTEST_LONG), ERR_ACCESS_DENIED);
	EXPECT_ERR(ch_ns_sync(weak, NS_SYNC_READ_ONLY, FSTEST_LONG), ERR_ACCESS_DENIED);
	EXPECT_OK(ch_ns_sync(weak, 0, FSTEST_LONG));
	ch_cap_drop(weak);
	EXPECT_ERR(ch_ns_sync(d, 1u << 7, FSTEST_LONG), ERR_INVALID_ARGS);
	ch_cap_drop(d);
}

/* What shutdown asks: written back, marked clean, read-only; reads go on. Last: fsd
 * serves read-only from here on, and fstest's stop leaves the disk clean. */
static void test_read_only(void)
{
	if (!ready())
		return;
	handle_t d = fstest_disk_root(), f;
	CHECK(d != HANDLE_INVALID, "cannot open " DISK);
	mkdir(DISK "/fstest", 0755);
	EXPECT_OK(fstest_write_pattern(d, "fstest/before-ro", 3000, 10));
	EXPECT_OK(ch_ns_sync(d, NS_SYNC_READ_ONLY, FSTEST_LONG));
	struct ns_statfs s;
	EXPECT_OK(ch_ns_statfs(d, &s, FSTEST_LONG));
	CHECK(s.flags & NS_STATFS_READ_ONLY, "statfs flags %#x after NS_SYNC_READ_ONLY", s.flags);
	EXPECT_PATTERN(d, "fstest/before-ro", 3000, 10);
	EXPECT_PATTERN(d, HOST_FILE, HOST_FILE_SIZE, 8);
	EXPECT_OK(fstest_open(d, "fstest/before-ro", NS_TYPE_FILE, 0, &f));
	EXPECT_ERR(ch_ns_write(f, 0, "x", 1, FSTEST_LONG), ERR_ACCESS_DENIED);
	ch_cap_drop(f);
	EXPECT_ERR(fstest_open(d, "fstest/new", NS_TYPE_FILE, NS_OPEN_CREATE, &f),
	           ERR_ACCESS_DENIED);
	struct ns_setattr m = {.valid = NS_ATTR_MODE, .mode = 0600};
	EXPECT_ERR(ch_ns_setattr(d, &m, FSTEST_LONG), ERR_ACCESS_DENIED);
	EXPECT_OK(ch_ns_sync(d, 0, FSTEST_LONG)); /* nothing to write: fine */
	EXPECT_OK(ch_ns_sync(d, NS_SYNC_READ_ONLY, FSTEST_LONG)); /* again: fine */
	ch_cap_drop(d);
}

static void run_all(void)
{
	ch_test_run("fs_", "image_files", test_image_files);
	ch_test_run("fs_", "image_tree", test_image_tree);
	ch_test_run("fs_", "create_write", test_create_write);
	ch_test_run("fs_", "rename_unlink", test_rename_unlink);
	ch_test_run("fs_", "links", test_links);
	ch_test_run("fs_", "large_file", test_large_file);
	ch_test_run("fs_", "many_files", test_many_files);
	ch_test_run("fs_", "restart", test_restart);
	ch_test_run("fs_", "sync_statfs", test_sync_statfs);
	ch_test_run("fs_", "setattr", test_setattr);
	fstest_map_tests();
	ch_test_run("fs_", "host_file", test_host_file);
	ch_test_run("fs_", "read_only", test_read_only);
}

int main(int argc, char **argv)
{
	if (argc > 1 && strcmp(argv[1], "powercut") == 0)
		return fstest_powercut();
	if (argc > 2 && strcmp(argv[1], "maptouch") == 0)
		return fstest_map_touch(argv[2]);
	up = fstest_start_driver();
	if (up >= 0)
		up = fstest_start_fsd();
	if (up < 0)
		printf("fstest: home disk not served: %s\n", ch_error_name(up));
	int r = ch_test_main(run_all);
	int running = fstest_fsd_running();
	long s = fstest_finish();
	if (running && s < 0)
		printf("fstest: stopping fsd: %s\n", ch_error_name(s));
	else if (running)
		printf("fstest: home disk written\n");
	return r;
}
