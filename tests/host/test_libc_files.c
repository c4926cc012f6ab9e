/*
 * test_libc_files.c - host tests of the user-space C library's files: fopen mode
 * parsing, the ERR_* to errno table, descriptors cutting transfers at NS_IO_MAX and
 * taking short writes, stdio buffering (one write per buffer, read-ahead given back
 * when a stream turns to writing, ftell and fseek across it), path resolution from
 * the root, a URI and the current directory (and ".." above it), paged readdir, and
 * that nothing leaks a handle; mmap's checks and what it asks of its hook. The
 * namespace is the fake of libc_ns_fake.c, the mapping hooks libc_mem_fake.c's.
 */
#include "libc_cl.h"

#include <errno.h>
#include <fcntl.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>

#include <cmocka.h>

#include <abi/errors.h>
#include <abi/rights.h>
#include <sys/mman.h>
#include <sys/stat.h>

/* The libc's values are Linux's, the host's here: the same numbers. */
#define DT_DIR 4
#define DT_REG 8
#define CL_S_IFDIR 0040000
#define CL_S_IFREG 0100000

static int setup(void **state)
{
	(void)state;
	cl_fake_ns_reset();
	return 0;
}

/* A file of the fake namespace holding text. */
static void put(const char *path, const char *text)
{
	int fd = cl_open(path, O_WRONLY | O_CREAT | O_TRUNC);
	if (fd < 3)
		fail_msg("open %s: errno %d", path, cl_errno);
	assert_int_equal(cl_write(fd, text, strlen(text)), (long)strlen(text));
	assert_int_equal(cl_close(fd), 0);
}

static void test_fopen_modes(void **state)
{
	(void)state;
	static const struct {
		const char *mode;
		int flags;
	} good[] = {
	    {"r", O_RDONLY},
	    {"rb", O_RDONLY},
	    {"r+", O_RDWR},
	    {"rb+", O_RDWR},
	    {"r+b", O_RDWR},
	    {"w", O_WRONLY | O_CREAT | O_TRUNC},
	    {"w+", O_RDWR | O_CREAT | O_TRUNC},
	    {"wx", O_WRONLY | O_CREAT | O_TRUNC | O_EXCL},
	    {"w+x", O_RDWR | O_CREAT | O_TRUNC | O_EXCL},
	    {"wbx", O_WRONLY | O_CREAT | O_TRUNC | O_EXCL},
	    {"a", O_WRONLY | O_CREAT | O_APPEND},
	    {"a+", O_RDWR | O_CREAT | O_APPEND},
	    {"ab+", O_RDWR | O_CREAT | O_APPEND},
	    {"re", O_RDONLY | O_CLOEXEC},
	};
	for (size_t i = 0; i < sizeof(good) / sizeof(good[0]); i++)
		if (cl___libc_fopen_flags(good[i].mode) != good[i].flags)
			fail_msg("mode \"%s\": %#o, want %#o", good[i].mode,
			         cl___libc_fopen_flags(good[i].mode), good[i].flags);
	static const char *const bad[] = {"",    "q",   "rw", "rx", "ax",
	                                  "a+x", "r+q", "+r", "R",  "w t"};
	for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++)
		if (cl___libc_fopen_flags(bad[i]) != -1)
			fail_msg("mode \"%s\" accepted", bad[i]);
	assert_int_equal(cl___libc_fopen_flags(NULL), -1);
	cl_errno = 0;
	assert_null(cl_fopen("/x", "rw"));
	assert_int_equal(cl_errno, EINVAL);
	assert_int_equal(cl_fake.opens, 0); /* refused before any system call */
}

static void test_errno_table(void **state)
{
	(void)state;
	static const struct {
		long err;
		int on_path, on_file;
	} table[] = {
	    {ERR_NOT_FOUND, ENOENT, ENOENT},
	    {ERR_ACCESS_DENIED, EACCES, EACCES},
	    {ERR_ALREADY_EXISTS, EEXIST, EEXIST},
	    {ERR_WRONG_TYPE, ENOTDIR, EISDIR},
	    {ERR_NO_HOST, EHOSTUNREACH, EHOSTUNREACH},
	    {ERR_CROSS_PROVIDER, EXDEV, EXDEV},
	    {ERR_LOOP, ELOOP, ELOOP},
	    {ERR_BAD_STATE, ENOTEMPTY, EIO},
	    {ERR_OUT_OF_RANGE, ENAMETOOLONG, EFBIG},
	    {ERR_INVALID_ARGS, EINVAL, EINVAL},
	    {ERR_NO_MEMORY, ENOMEM, ENOMEM},
	    {ERR_NO_RESOURCES, ENFILE, ENFILE},
	    {ERR_BAD_HANDLE, EBADF, EBADF},
	    {ERR_BAD_ADDRESS, EFAULT, EFAULT},
	    {ERR_TIMED_OUT, ETIMEDOUT, ETIMEDOUT},
	    {ERR_PEER_CLOSED, EIO, EIO},
	    {ERR_NOT_SUPPORTED, ENOTSUP, ENOTSUP},
	    {ERR_MALFORMED, EIO, EIO},
	    {ERR_INTERRUPTED, EINTR, EINTR},
	    {-99, EIO, EIO}, /* a code the libc does not know */
	};
	for (size_t i = 0; i < sizeof(table) / sizeof(table[0]); i++) {
		assert_int_equal(cl___libc_errno_of(table[i].err, 1), table[i].on_path);
		assert_int_equal(cl___libc_errno_of(table[i].err, 0), table[i].on_file);
	}
}

static void test_io_in_pieces(void **state)
{
	(void)state;
	static char out[100000], in[100001];
	for (size_t i = 0; i < sizeof(out); i++)
		out[i] = (char)(i * 13 + (i >> 8));
	int fd = cl_open("/big", O_RDWR | O_CREAT | O_EXCL);
	assert_true(fd >= 3);
	assert_int_equal(cl_write(fd, out, sizeof(out)), sizeof(out));
	assert_int_equal(cl_fake.writes, 4); /* 3 x NS_IO_MAX + the rest */
	assert_int_equal(cl_lseek(fd, 0, SEEK_SET), 0);
	assert_int_equal(cl_read(fd, in, sizeof(in)), sizeof(out));
	assert_memory_equal(in, out, sizeof(out));
	assert_int_equal(cl_fake.reads, 4); /* the fourth is short: the end */
	assert_true(cl_fake.max_io <= NS_IO_MAX);
	/* a provider that takes less than asked: write says so, fwrite goes on */
	cl_fake.write_max = 1000;
	assert_int_equal(cl_lseek(fd, 0, SEEK_SET), 0);
	assert_int_equal(cl_write(fd, out, 5000), 1000);
	assert_int_equal(cl_lseek(fd, 0, SEEK_CUR), 1000);
	assert_int_equal(cl_close(fd), 0);
	void *f = cl_fopen("/big", "r+");
	assert_non_null(f);
	assert_int_equal(cl_fwrite(out, 1, 5000, f), 5000);
	assert_int_equal(cl_fclose(f), 0);
	cl_fake.write_max = 0;
	/* a failing provider: the errno of its code */
	cl_fake.fail_write = ERR_NO_MEMORY;
	fd = cl_open("/big", O_WRONLY);
	cl_errno = 0;
	assert_int_equal(cl_write(fd, "x", 1), -1);
	assert_int_equal(cl_errno, ENOMEM);
	cl_close(fd);
	cl_fake.fail_write = 0;
}

static void test_stream_buffering(void **state)
{
	(void)state;
	void *f = cl_fopen("/buf", "w");
	assert_non_null(f);
	for (int i = 0; i < 100; i++)
		assert_int_equal(cl_fwrite("0123456789", 1, 10, f), 10);
	assert_int_equal(cl_fake.writes, 0); /* 1000 bytes: still in the buffer */
	assert_int_equal(cl_ftell(f), 1000); /* ftell writes them out */
	assert_int_equal(cl_fake.writes, 1);
	for (int i = 0; i < 200; i++)
		cl_fwrite("0123456789", 1, 10, f);
	assert_int_equal(cl_fclose(f), 0);
	assert_int_equal(cl_fake.writes, 3); /* 2000 more in 1024-byte buffers */
	/* reading: one read per buffer, one more to see the end */
	f = cl_fopen("/buf", "r");
	cl_fake.reads = 0;
	int n = 0;
	while (cl_fgetc(f) != -1)
		n++;
	assert_int_equal(n, 3000);
	assert_true(cl_feof(f));
	assert_int_equal(cl_fake.reads, 4);
	assert_int_equal(cl_fclose(f), 0);
}

static void test_read_then_write(void **state)
{
	(void)state;
	char buf[16] = {0};
	put("/rw", "0123456789");
	void *f = cl_fopen("/rw", "r+");
	assert_int_equal(cl_fgetc(f), '0'); /* the whole file is read ahead */
	assert_int_equal(cl_ftell(f), 1);
	assert_int_equal(cl_fwrite("AB", 1, 2, f), 2); /* lands at 1, not 10 */
	assert_int_equal(cl_ftell(f), 3);
	assert_int_equal(cl_fgetc(f), '3');
	assert_int_equal(cl_fseek(f, 2, SEEK_CUR), 0);
	assert_int_equal(cl_fgetc(f), '6');
	assert_int_equal(cl_fseek(f, -2, SEEK_END), 0);
	assert_int_equal(cl_fread(buf, 1, sizeof(buf), f), 2);
	assert_string_equal(buf, "89");
	assert_int_equal(cl_fseek(f, 0, SEEK_SET), 0);
	assert_int_equal(cl_fread(buf, 1, sizeof(buf), f), 10);
	assert_string_equal(buf, "0AB3456789");
	assert_non_null(cl_fgets(buf, sizeof(buf), f) == NULL ? buf : NULL);
	assert_int_equal(cl_fclose(f), 0);
}

/* chmod, chown, utimensat and friends: one setattr each, with the rights it needs */
static void test_attrs(void **state)
{
	(void)state;
	struct cl_stat st;
	put("/f", "x");
	assert_int_equal(cl_chmod("/f", 0640), 0);
	assert_int_equal(cl_fake.last_rights, RIGHT_WRITE); /* opened with only what it needs */
	assert_int_equal(cl_fake.last_setattr.valid, NS_ATTR_MODE);
	assert_int_equal(cl_stat("/f", &st), 0);
	assert_int_equal(st.st_mode, 0100640);
	unsigned calls = cl_fake.setattrs;
	assert_int_equal(cl_chmod("/f", 010644), -1); /* beyond 07777: refused here */
	assert_int_equal(cl_errno, EINVAL);
	assert_int_equal(cl_fake.setattrs, calls);
	assert_int_equal(cl_chmod("/nope", 0600), -1);
	assert_int_equal(cl_errno, ENOENT);
	assert_int_equal(cl_chown("/f", 1000, 100), 0);
	assert_int_equal(cl_fake.last_rights, RIGHT_WRITE | RIGHT_MANAGE);
	assert_int_equal(cl_chown("/f", (unsigned)-1, 7), 0); /* -1: the owner stays */
	assert_int_equal(cl_fake.last_setattr.valid, NS_ATTR_GID);
	assert_int_equal(cl_lchown("/f", 9, (unsigned)-1), 0);
	assert_int_equal(cl_fake.last_setattr.valid, NS_ATTR_UID);
	assert_int_equal(cl_stat("/f", &st), 0);
	assert_int_equal(st.st_uid, 9);
	assert_int_equal(st.st_gid, 7);
	/* times: given, now, omitted; bad nanoseconds and other directories refused */
	struct cl_timespec ts[2] = {{1700000000, 5}, {1600000000, UTIME_OMIT}};
	assert_int_equal(cl_utimensat(AT_FDCWD, "/f", ts, 0), 0);
	assert_int_equal(cl_fake.last_setattr.valid, NS_ATTR_ATIME);
	assert_int_equal(cl_fake.last_setattr.atime, 1700000000000000005ull);
	ts[0].tv_nsec = UTIME_NOW;
	ts[1].tv_nsec = 0;
	assert_int_equal(cl_utimensat(AT_FDCWD, "/f", ts, 0), 0);
	assert_int_equal(cl_fake.last_setattr.valid, NS_ATTR_ATIME_NOW | NS_ATTR_MTIME);
	assert_int_equal(cl_stat("/f", &st), 0);
	assert_int_equal(st.st_mtim.tv_sec, 1600000000);
	assert_int_equal(cl_utimensat(AT_FDCWD, "/f", NULL, 0), 0);
	assert_int_equal(cl_fake.last_setattr.valid, NS_ATTR_ATIME_NOW | NS_ATTR_MTIME_NOW);
	calls = cl_fake.setattrs;
	ts[1].tv_nsec = 1000000000;
	assert_int_equal(cl_utimensat(AT_FDCWD, "/f", ts, 0), -1);
	assert_int_equal(cl_errno, EINVAL);
	assert_int_equal(cl_utimensat(3, "f", NULL, 0), -1);
	assert_int_equal(cl_errno, ENOTSUP);
	assert_int_equal(cl_utimensat(AT_FDCWD, "/f", NULL, 1), -1);
	assert_int_equal(cl_errno, EINVAL);
	assert_int_equal(cl_fake.setattrs, calls);
	struct cl_utimbuf ub = {100, 200};
	assert_int_equal(cl_utime("/f", &ub), 0);
	assert_int_equal(cl_fake.last_setattr.mtime, 200000000000ull);
	struct cl_timeval tv[2] = {{1, 500000}, {2, 999999}};
	assert_int_equal(cl_utimes("/f", tv), 0);
	assert_int_equal(cl_fake.last_setattr.atime, 1500000000ull);
	assert_int_equal(cl_fake.last_setattr.mtime, 2999999000ull);
	/* through a descriptor: its own capability, no open */
	int fd = cl_open("/f", O_RDONLY);
	unsigned opens = cl_fake.opens;
	assert_int_equal(cl_fchmod(fd, 0600), 0);
	assert_int_equal(cl_fchown(fd, 1, 2), 0);
	assert_int_equal(cl_futimens(fd, NULL), 0);
	assert_int_equal(cl_fake.opens, opens);
	assert_int_equal(cl_fstat(fd, &st), 0);
	assert_int_equal(st.st_mode, 0100600);
	assert_int_equal(st.st_uid, 1);
	assert_int_equal(cl_close(fd), 0);
	assert_int_equal(cl_fchmod(fd, 0600), -1);
	assert_int_equal(cl_errno, EBADF);
}

static void test_paths(void **state)
{
	(void)state;
	char cwd[64];
	handle_t root = cl___libc_ns_root("fs");
	int handles = cl_fake_ns_open_handles();
	put("rel", "r");
	assert_int_equal(cl_fake.last_dir, root); /* no chdir: from the fs root */
	assert_string_equal(cl_fake.last_path, "rel");
	put("fs://localhost/a/../uri", "u"); /* normalized before it is sent */
	assert_string_equal(cl_fake.last_path, "uri");
	assert_int_equal(cl_mkdir("/d", 0), 0);
	assert_int_equal(cl_mkdir("d/e", 0), 0);
	assert_int_equal(cl_chdir("/d"), 0);
	assert_string_equal(cl_getcwd(cwd, sizeof(cwd)), "/d");
	put("x", "x");
	assert_int_not_equal(cl_fake.last_dir, root); /* from the current directory */
	assert_string_equal(cl_fake.last_path, "x");
	put("../y", "y"); /* above it: its path joined, from the root */
	assert_int_equal(cl_fake.last_dir, root);
	assert_string_equal(cl_fake.last_path, "y");
	assert_int_equal(cl_mkdir("e/../z/", 0), 0); /* a trailing '/' is kept: a directory */
	assert_string_equal(cl_fake.last_path, "z/");
	assert_int_equal(cl_open("z/", O_WRONLY | O_CREAT), -1);
	assert_int_equal(cl_errno, EISDIR);
	assert_int_equal(cl_chdir("e"), 0);
	assert_string_equal(cl_getcwd(cwd, sizeof(cwd)), "/d/e");
	assert_int_equal(cl_chdir("../../d/./e/.."), 0);
	assert_string_equal(cl_getcwd(cwd, sizeof(cwd)), "/d");
	struct cl_stat st;
	assert_int_equal(cl_stat("/y", &st), 0);
	assert_int_equal(st.st_mode & 0170000, CL_S_IFREG);
	assert_int_equal(st.st_size, 1);
	assert_int_equal(st.st_mtim.tv_sec, 1);
	assert_int_equal(st.st_mtim.tv_nsec, 500000000);
	assert_int_equal(cl_stat(".", &st), 0);
	assert_int_equal(st.st_mode & 0170000, CL_S_IFDIR);
	/* stat is one SYS_NS_STAT of the path; lstat and a trailing '/' open the node */
	unsigned opens = cl_fake.opens, stat_ats = cl_fake.stat_ats;
	assert_int_equal(cl_stat("x", &st), 0);
	assert_int_equal(cl_fake.stat_ats, stat_ats + 1);
	assert_int_equal(cl_fake.opens, opens);
	assert_int_not_equal(cl_fake.last_dir, root);
	assert_string_equal(cl_fake.last_path, "x");
	assert_int_equal(cl_stat("/d/x/q", &st), -1);
	assert_int_equal(cl_errno, ENOTDIR);
	assert_int_equal(cl_stat("/d/nope", &st), -1);
	assert_int_equal(cl_errno, ENOENT);
	cl_fake.fail_open = ERR_ACCESS_DENIED;
	assert_int_equal(cl_stat("x", &st), -1);
	assert_int_equal(cl_errno, EACCES);
	cl_fake.fail_open = 0;
	assert_int_equal(cl_lstat("x", &st), 0);
	assert_int_equal(cl_fake.opens, opens + 1);
	assert_int_equal(cl_stat("x/", &st), -1); /* a trailing '/': a directory or nothing */
	assert_int_equal(cl_errno, ENOTDIR);
	assert_int_equal(cl_fake.opens, opens + 2);
	assert_int_equal(cl_stat("e/", &st), 0);
	assert_int_equal(st.st_mode & 0170000, CL_S_IFDIR);
	assert_int_equal(cl_fake.stat_ats, stat_ats + 4);
	/* errors of naming */
	cl_errno = 0;
	assert_int_equal(cl_stat("fs://elsewhere/y", &st), -1);
	assert_int_equal(cl_errno, EHOSTUNREACH);
	assert_int_equal(cl_stat("dev:///y", &st), -1);
	assert_int_equal(cl_errno, ENOENT); /* no root for dev in this view */
	assert_int_equal(cl_stat("../..", &st), -1);
	assert_int_equal(cl_errno, ENOENT);
	assert_int_equal(cl_stat("", &st), -1);
	assert_int_equal(cl_errno, ENOENT);
	assert_int_equal(cl_stat(NULL, &st), -1);
	assert_int_equal(cl_errno, EFAULT);
	assert_int_equal(cl_open("/d/x/q", O_RDONLY), -1);
	assert_int_equal(cl_errno, ENOTDIR);
	assert_int_equal(cl_open("/d", O_WRONLY), -1);
	assert_int_equal(cl_errno, EISDIR);
	assert_int_equal(cl_unlink("/d/e"), -1);
	assert_int_equal(cl_errno, EISDIR);
	assert_int_equal(cl_rmdir("/d"), -1);
	assert_int_equal(cl_errno, ENOTEMPTY);
	cl_fake.fail_rename = ERR_CROSS_PROVIDER;
	assert_int_equal(cl_rename("/y", "/d/y"), -1);
	assert_int_equal(cl_errno, EXDEV);
	cl_fake.fail_rename = 0;
	assert_int_equal(cl_rename("/y", "e/y"), 0);
	assert_int_equal(cl_stat("/d/e/y", &st), 0);
	assert_null(cl_getcwd(cwd, 2));
	assert_int_equal(cl_errno, ERANGE);
	assert_int_equal(cl_chdir("fs:///"), 0);
	assert_string_equal(cl_getcwd(cwd, sizeof(cwd)), "/");
	/* every open was closed; the current directory holds one */
	assert_int_equal(cl_fake_ns_open_handles(), handles + 1);
}

/* mmap, munmap, mprotect, msync: POSIX's checks and errno here, the rest in the hook. */
static void test_mmap(void **state)
{
	(void)state;
	memset(&cl_fake_mem, 0, sizeof(cl_fake_mem));
	put("/m", "mapped bytes");
	int ro = cl_open("/m", O_RDONLY), wo = cl_open("/m", O_WRONLY), rw = cl_open("/m", O_RDWR);
	assert_true(ro >= 3 && wo >= 3 && rw >= 3);
	/* a file, private: its bytes, the rest of the page zero */
	char *p = cl_mmap(NULL, 100, PROT_READ, MAP_PRIVATE, ro, 0);
	assert_ptr_not_equal(p, MAP_FAILED);
	assert_memory_equal(p, "mapped bytes\0\0", 14);
	assert_int_equal(cl_fake_mem.last_shared, 0);
	assert_int_equal(cl_munmap(p, 100), 0);
	/* shared, read-only, from a descriptor open for reading */
	p = cl_mmap(NULL, 4096, PROT_READ, MAP_SHARED, ro, 0);
	assert_ptr_not_equal(p, MAP_FAILED);
	assert_int_equal(cl_fake_mem.last_shared, 1);
	assert_int_equal(cl_munmap(p, 4096), 0);
	/* anonymous: no file asked */
	p = cl_mmap(NULL, 8192, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	assert_ptr_not_equal(p, MAP_FAILED);
	assert_int_equal(cl_fake_mem.last_file, HANDLE_INVALID);
	p[8191] = 1;
	assert_int_equal(cl_mprotect(p, 8192, PROT_READ), 0);
	assert_int_equal(cl_msync(p, 8192, MS_SYNC), 0);
	assert_int_equal(cl_munmap(p, 8192), 0);
	unsigned maps = cl_fake_mem.maps;
	/* refused before the hook: each with its errno */
	struct {
		size_t len;
		int prot, flags, fd;
		long long off;
		int err;
	} bad[] = {
	    {0, PROT_READ, MAP_PRIVATE, ro, 0, EINVAL}, /* nothing */
	    {100, PROT_READ, MAP_PRIVATE, ro, 100, EINVAL}, /* offset not a page's */
	    {100, PROT_READ, MAP_PRIVATE, ro, -4096, EINVAL},
	    {100, PROT_READ, 0, ro, 0, EINVAL}, /* neither shared nor private */
	    {100, PROT_READ, MAP_SHARED | MAP_PRIVATE, ro, 0, EINVAL},
	    {100, PROT_READ, MAP_PRIVATE | 0x100000, ro, 0, EINVAL}, /* unknown flag */
	    {100, 0x10, MAP_PRIVATE, ro, 0, EINVAL}, /* unknown protection */
	    {100, PROT_WRITE | PROT_EXEC, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0, ENOTSUP}, /* W^X */
	    {100, PROT_READ, MAP_PRIVATE, 77, 0, EBADF},
	    {100, PROT_READ, MAP_PRIVATE, wo, 0, EACCES}, /* cannot read it */
	    {100, PROT_READ | PROT_WRITE, MAP_SHARED, ro, 0, EACCES}, /* cannot write it */
	    {(size_t)-1, PROT_READ, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0, EINVAL},
	};
	for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		cl_errno = 0;
		assert_ptr_equal(
		    cl_mmap(NULL, bad[i].len, bad[i].prot, bad[i].flags, bad[i].fd, bad[i].off),
		    MAP_FAILED);
		if (cl_errno != bad[i].err)
			fail_msg("case %zu: errno %d, wanted %d", i, cl_errno, bad[i].err);
	}
	cl_errno = 0;
	assert_ptr_equal(cl_mmap((void *)1, 100, PROT_READ, MAP_PRIVATE | MAP_FIXED, ro, 0),
	                 MAP_FAILED);
	assert_int_equal(cl_errno, EINVAL);
	assert_int_equal(cl_fake_mem.maps, maps);
	/* what the hook answers, as errno: a shared map the provider cannot give */
	cl_fake_mem.fail = ERR_NOT_SUPPORTED;
	assert_ptr_equal(cl_mmap(NULL, 100, PROT_READ | PROT_WRITE, MAP_SHARED, rw, 0), MAP_FAILED);
	assert_int_equal(cl_errno, ENOTSUP);
	cl_fake_mem.fail = ERR_WRONG_TYPE;
	assert_ptr_equal(cl_mmap(NULL, 100, PROT_READ, MAP_SHARED, rw, 0), MAP_FAILED);
	assert_int_equal(cl_errno, ENODEV);
	cl_fake_mem.fail = 0;
	/* munmap and mprotect: alignment and length */
	cl_errno = 0;
	assert_int_equal(cl_munmap((void *)4097, 4096), -1);
	assert_int_equal(cl_errno, EINVAL);
	assert_int_equal(cl_munmap((void *)4096, 0), -1);
	assert_int_equal(cl_mprotect((void *)4097, 4096, PROT_READ), -1);
	assert_int_equal(cl_msync((void *)4096, 4096, MS_SYNC | MS_ASYNC), -1);
	assert_int_equal(cl_errno, EINVAL);
	cl_close(ro);
	cl_close(wo);
	cl_close(rw);
}

static void test_readdir_paged(void **state)
{
	(void)state;
	char name[32];
	unsigned char seen[40] = {0};
	assert_int_equal(cl_mkdir("/many", 0), 0);
	for (int i = 0; i < 40; i++) {
		snprintf(name, sizeof(name), "/many/%c%02d", i % 4 ? 'f' : 'd', i);
		if (i % 4)
			put(name, "");
		else
			assert_int_equal(cl_mkdir(name, 0), 0);
	}
	cl_fake.list_max = 3;
	void *d = cl_opendir("/many");
	assert_non_null(d);
	struct cl_dirent *e;
	int n = 0;
	while ((e = cl_readdir(d))) {
		int i = (e->d_name[1] - '0') * 10 + (e->d_name[2] - '0');
		assert_true(i >= 0 && i < 40 && !seen[i]++);
		assert_int_equal(e->d_type, i % 4 ? DT_REG : DT_DIR);
		n++;
	}
	assert_int_equal(n, 40);
	assert_int_equal(cl_fake.lists, 15); /* 14 pages of 3 at most, then the end */
	assert_null(cl_readdir(d));
	assert_int_equal(cl_closedir(d), 0);
	assert_null(cl_opendir("/many/f01"));
	assert_int_equal(cl_errno, ENOTDIR);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test_setup(test_fopen_modes, setup),
	    cmocka_unit_test_setup(test_errno_table, setup),
	    cmocka_unit_test_setup(test_io_in_pieces, setup),
	    cmocka_unit_test_setup(test_stream_buffering, setup),
	    cmocka_unit_test_setup(test_read_then_write, setup),
	    cmocka_unit_test_setup(test_paths, setup),
	    cmocka_unit_test_setup(test_attrs, setup),
	    cmocka_unit_test_setup(test_readdir_paged, setup),
	    cmocka_unit_test_setup(test_mmap, setup),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
