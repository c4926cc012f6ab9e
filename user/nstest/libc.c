/*
 * libc.c - bin/nstest: the C library's files over the namespace (fd.c, path.c,
 * dirent.c, stdio.c of user/lib/libc). nstest holds "ns", so libc's fs root is
 * fs below it and fs:///tmp is the tmpfs nstest serves; every test works in
 * names of its own below /tmp. Each errno checked is the one docs/userspace.md
 * ("Files") promises for that ERR_* code.
 */
#include "nstest.h"

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include <abi/ns.h>
#include <charlotte/ns.h>
#include <charlotte/testing.h>

/* expr (a libc call) fails with errno e */
#define EXPECT_ERRNO(expr, e)                                                                  \
	do {                                                                                   \
		errno = 0;                                                                     \
		long r_ = (long)(expr);                                                        \
		CHECK(r_ == -1 || r_ == 0, "%s: returned %ld (line %d)", #expr, r_, __LINE__); \
		CHECK(errno == (e), "%s: errno %s, want %s (line %d)", #expr, strerror(errno), \
		      strerror(e), __LINE__);                                                  \
	} while (0)
#define EXPECT_LIBC_OK(expr) \
	CHECK((expr) == 0, "%s: %s (line %d)", #expr, strerror(errno), __LINE__)

/* NULL, where a test passes one on purpose (volatile: no checker assumes its value) */
static const char *volatile no_string;

/* The errno of a failed fopen, 0 if it opened (the stream is closed again). */
static int fopen_err(const char *path, const char *mode)
{
	errno = 0;
	FILE *f = fopen(path, mode);
	if (!f)
		return errno;
	fclose(f);
	return 0;
}

/* Write text to path with fopen "w"; 0 or -1. */
static int put(const char *path, const char *text)
{
	FILE *f = fopen(path, "w");
	if (!f)
		return -1;
	size_t n = strlen(text);
	int r = fwrite(text, 1, n, f) == n ? 0 : -1;
	return fclose(f) ? -1 : r;
}

/* The first cap - 1 bytes of path, read with fopen "r"; -1 on an error. */
static long get(const char *path, char *buf, size_t cap)
{
	FILE *f = fopen(path, "r");
	if (!f)
		return -1;
	size_t n = fread(buf, 1, cap - 1, f);
	buf[n] = '\0';
	int err = ferror(f);
	fclose(f);
	return err ? -1 : (long)n;
}

static void test_roundtrip(void)
{
	char buf[64];
	FILE *f = fopen("fs:///tmp/lc_round.txt", "w");
	CHECK(f, "fopen w: %s", strerror(errno));
	CHECK(fprintf(f, "line %d\nsecond\n", 1) == 14, "fprintf");
	CHECK(fputs("last", f) == 0 && fclose(f) == 0, "fputs, fclose");
	/* the same file as a plain path */
	f = fopen("/tmp/lc_round.txt", "r");
	CHECK(f, "fopen r: %s", strerror(errno));
	CHECK(fgets(buf, sizeof(buf), f) && !strcmp(buf, "line 1\n"), "fgets 1: '%s'", buf);
	CHECK(fgets(buf, sizeof(buf), f) && !strcmp(buf, "second\n"), "fgets 2: '%s'", buf);
	CHECK(fgets(buf, 3, f) && !strcmp(buf, "la"), "fgets short: '%s'", buf);
	CHECK(fgetc(f) == 's' && fgetc(f) == 't', "fgetc");
	CHECK(fgetc(f) == EOF && feof(f) && !ferror(f), "EOF");
	CHECK(!fgets(buf, sizeof(buf), f), "fgets at the end");
	EXPECT_LIBC_OK(fclose(f));
	/* open/read/write, more than NS_IO_MAX at once both ways */
	size_t big = 3 * NS_IO_MAX + 123;
	unsigned char *out = malloc(big), *in = malloc(big + 1);
	CHECK(out && in, "malloc");
	for (size_t i = 0; i < big; i++)
		out[i] = (unsigned char)(i * 7 + (i >> 9));
	int fd = open("/tmp/lc_big", O_RDWR | O_CREAT | O_EXCL, 0644);
	CHECK(fd >= 3, "open: %s", strerror(errno));
	CHECK(write(fd, out, big) == (ssize_t)big, "write big: %s", strerror(errno));
	CHECK(lseek(fd, 0, SEEK_SET) == 0, "lseek");
	CHECK(read(fd, in, big + 1) == (ssize_t)big && !memcmp(in, out, big), "read big");
	CHECK(read(fd, in, 1) == 0, "read at the end");
	EXPECT_LIBC_OK(close(fd));
	f = fopen("/tmp/lc_big", "rb");
	CHECK(f && fread(in, 1, big, f) == big && !memcmp(in, out, big), "fread big");
	fclose(f);
	free(out);
	free(in);
	EXPECT_LIBC_OK(unlink("/tmp/lc_big"));
}

static void test_append(void)
{
	char buf[64];
	CHECK(put("/tmp/lc_app", "one") == 0, "put");
	FILE *f = fopen("/tmp/lc_app", "a");
	CHECK(f && fputs("two", f) == 0 && fclose(f) == 0, "append");
	CHECK(get("/tmp/lc_app", buf, sizeof(buf)) == 6 && !strcmp(buf, "onetwo"), "'%s'", buf);
	/* a+: reads anywhere, writes at the end whatever the position */
	f = fopen("/tmp/lc_app", "a+");
	CHECK(f, "fopen a+: %s", strerror(errno));
	CHECK(fseek(f, 3, SEEK_SET) == 0 && fgetc(f) == 't', "read in a+");
	CHECK(fputs("3", f) == 0 && ftell(f) == 7, "ftell after an append: %ld", ftell(f));
	EXPECT_LIBC_OK(fclose(f));
	CHECK(get("/tmp/lc_app", buf, sizeof(buf)) == 7 && !strcmp(buf, "onetwo3"), "'%s'", buf);
	/* O_APPEND through a descriptor, with another writer in between */
	int fd = open("/tmp/lc_app", O_WRONLY | O_APPEND);
	CHECK(fd >= 3 && write(fd, "4", 1) == 1, "append write");
	CHECK(put("/tmp/lc_app", "xy") == 0 && write(fd, "5", 1) == 1, "write after truncate");
	close(fd);
	CHECK(get("/tmp/lc_app", buf, sizeof(buf)) == 3 && !strcmp(buf, "xy5"), "'%s'", buf);
}

static void test_seek(void)
{
	char buf[16] = {0};
	FILE *f = fopen("/tmp/lc_seek", "w+");
	CHECK(f, "fopen w+: %s", strerror(errno));
	CHECK(fputs("0123456789", f) == 0 && ftell(f) == 10, "ftell after write");
	CHECK(fseek(f, 2, SEEK_SET) == 0 && ftell(f) == 2, "fseek set");
	CHECK(fread(buf, 1, 3, f) == 3 && !memcmp(buf, "234", 3), "read at 2: '%s'", buf);
	CHECK(ftell(f) == 5, "ftell after read: %ld", ftell(f));
	CHECK(fputs("ab", f) == 0 && ftell(f) == 7, "write after read"); /* at 5, not 10 */
	CHECK(fseek(f, -3, SEEK_END) == 0 && fgetc(f) == '7', "fseek end");
	CHECK(fseek(f, -2, SEEK_CUR) == 0 && fgetc(f) == 'b', "fseek cur");
	rewind(f);
	CHECK(fread(buf, 1, sizeof(buf), f) == 10 && !memcmp(buf, "01234ab789", 10), "'%s'", buf);
	CHECK(fseek(f, -11, SEEK_END) == -1 && errno == EINVAL, "before the start");
	EXPECT_LIBC_OK(fclose(f));
	int fd = open("/tmp/lc_seek", O_RDONLY);
	CHECK(lseek(fd, 0, SEEK_END) == 10 && lseek(fd, 20, SEEK_SET) == 20, "lseek");
	CHECK(read(fd, buf, 4) == 0, "read past the end");
	close(fd);
}

static void test_truncate(void)
{
	struct stat st;
	char buf[16];
	CHECK(put("/tmp/lc_trunc", "long contents") == 0, "put");
	FILE *f = fopen("/tmp/lc_trunc", "w");
	CHECK(f, "fopen w: %s", strerror(errno));
	EXPECT_LIBC_OK(stat("/tmp/lc_trunc", &st));
	CHECK(st.st_size == 0, "size after w: %lld", (long long)st.st_size);
	fclose(f);
	f = fopen("/tmp/lc_trunc", "r+"); /* r+ keeps the contents */
	CHECK(f && fputs("AB", f) == 0 && fclose(f) == 0, "r+");
	CHECK(put("/tmp/lc_t2", "0123456789") == 0, "put");
	int fd = open("/tmp/lc_t2", O_RDWR);
	EXPECT_LIBC_OK(ftruncate(fd, 4));
	EXPECT_LIBC_OK(fstat(fd, &st));
	CHECK(st.st_size == 4, "after ftruncate: %lld", (long long)st.st_size);
	close(fd);
	EXPECT_LIBC_OK(truncate("/tmp/lc_t2", 2));
	CHECK(get("/tmp/lc_t2", buf, sizeof(buf)) == 2 && !strcmp(buf, "01"), "'%s'", buf);
	fd = open("/tmp/lc_t2", O_WRONLY | O_TRUNC);
	EXPECT_LIBC_OK(fstat(fd, &st));
	CHECK(st.st_size == 0, "after O_TRUNC: %lld", (long long)st.st_size);
	EXPECT_ERRNO(ftruncate(fd, -1), EINVAL);
	close(fd);
}

static void test_stat(void)
{
	struct stat st, st2;
	CHECK(put("/tmp/lc_st", "12345") == 0, "put");
	EXPECT_LIBC_OK(stat("/tmp/lc_st", &st));
	CHECK(S_ISREG(st.st_mode) && st.st_size == 5 && st.st_nlink == 1, "file: mode %o size %lld",
	      st.st_mode, (long long)st.st_size);
	EXPECT_LIBC_OK(stat("fs://localhost/tmp/lc_st", &st2));
	CHECK(st2.st_ino == st.st_ino, "the same node by URI");
	EXPECT_LIBC_OK(mkdir("/tmp/lc_std", 0755));
	EXPECT_LIBC_OK(mkdir("/tmp/lc_std/a", 0755));
	EXPECT_LIBC_OK(stat("/tmp/lc_std", &st));
	CHECK(S_ISDIR(st.st_mode) && st.st_size == 1, "dir: mode %o size %lld", st.st_mode,
	      (long long)st.st_size);
	EXPECT_LIBC_OK(stat("fs:///", &st));
	CHECK(S_ISDIR(st.st_mode), "the fs root: mode %o", st.st_mode);
	int fd = open("/tmp/lc_st", O_RDONLY);
	EXPECT_LIBC_OK(fstat(fd, &st));
	CHECK(S_ISREG(st.st_mode) && st.st_size == 5, "fstat");
	close(fd);
	EXPECT_LIBC_OK(fstat(1, &st));
	CHECK(S_ISCHR(st.st_mode), "the console");
	EXPECT_ERRNO(stat("/tmp/lc_nothing", &st), ENOENT);
	EXPECT_ERRNO(stat("/tmp/lc_st/x", &st), ENOTDIR);
	EXPECT_ERRNO(stat("/tmp/lc_st/", &st), ENOTDIR);
}

static void test_readdir(void)
{
	enum { N = 130 };
	char name[64];
	static unsigned char seen[N];
	EXPECT_LIBC_OK(mkdir("/tmp/lc_dir", 0755));
	for (int i = 0; i < N; i++) {
		snprintf(name, sizeof(name), "/tmp/lc_dir/%s%03d", i % 10 ? "file" : "dir", i);
		if (i % 10)
			CHECK(put(name, "x") == 0, "put %s: %s", name, strerror(errno));
		else
			EXPECT_LIBC_OK(mkdir(name, 0755));
	}
	DIR *d = opendir("fs:///tmp/lc_dir");
	CHECK(d, "opendir: %s", strerror(errno));
	for (int pass = 0; pass < 2; pass++) {
		memset(seen, 0, sizeof(seen));
		int count = 0, bad = 0;
		struct dirent *e;
		errno = 0;
		while ((e = readdir(d))) {
			int i = atoi(e->d_name + (e->d_name[0] == 'd' ? 3 : 4));
			bad +=
			    i < 0 || i >= N || seen[i]++ || e->d_type != (i % 10 ? DT_REG : DT_DIR);
			count++;
		}
		CHECK(errno == 0 && count == N && !bad, "pass %d: %d entries, %d wrong, %s", pass,
		      count, bad, strerror(errno));
		CHECK(!readdir(d), "after the end");
		rewinddir(d);
	}
	EXPECT_LIBC_OK(closedir(d));
	CHECK(!opendir("/tmp/lc_dir/file001") && errno == ENOTDIR, "opendir of a file");
	CHECK(!opendir("/tmp/lc_none") && errno == ENOENT, "opendir of nothing");
}

static void test_name_errors(void)
{
	EXPECT_LIBC_OK(mkdir("/tmp/lc_e", 0755));
	EXPECT_ERRNO(mkdir("/tmp/lc_e", 0755), EEXIST);
	EXPECT_ERRNO(mkdir("/tmp/lc_none/x", 0755), ENOENT);
	CHECK(put("/tmp/lc_e/f", "f") == 0, "put");
	EXPECT_ERRNO(mkdir("/tmp/lc_e/f/x", 0755), ENOTDIR);
	EXPECT_ERRNO(rmdir("/tmp/lc_e"), ENOTEMPTY);
	EXPECT_ERRNO(rmdir("/tmp/lc_e/f"), ENOTDIR);
	EXPECT_ERRNO(rmdir("/tmp/lc_e/none"), ENOENT);
	EXPECT_ERRNO(unlink("/tmp/lc_e/none"), ENOENT);
	EXPECT_ERRNO(unlink("/tmp/lc_e"), EISDIR);
	EXPECT_ERRNO(open("/tmp/lc_e/f", O_WRONLY | O_CREAT | O_EXCL), EEXIST);
	CHECK(fopen_err("/tmp/lc_e/f", "wx") == EEXIST, "wx: %s", strerror(errno));
	CHECK(fopen_err("/tmp/lc_e", "w") == EISDIR, "w of a dir: %s", strerror(errno));
	CHECK(fopen_err("/tmp/lc_e/f/g", "r") == ENOTDIR, "below a file");
	FILE *d = fopen("/tmp/lc_e", "r"); /* a directory opens for reading; reading it fails */
	CHECK(d && fgetc(d) == EOF && ferror(d) && errno == EISDIR, "read of a dir");
	fclose(d);
	/* a link loop is ELOOP, a name over NS_NAME_MAX ENAMETOOLONG: told apart */
	CHECK(ch_ns_symlink(ch_ns_root("fs"), "tmp/lc_e/loop", 13, "loop", 4, 0) == 0, "symlink");
	CHECK(fopen_err("/tmp/lc_e/loop", "r") == ELOOP, "a loop: %s", strerror(errno));
	EXPECT_ERRNO(open("/tmp/lc_e/loop/x", O_RDONLY), ELOOP);
	EXPECT_LIBC_OK(unlink("/tmp/lc_e/loop"));
	static char longname[NS_NAME_MAX + 16] = "/tmp/";
	memset(longname + 5, 'n', NS_NAME_MAX + 1);
	CHECK(fopen_err(longname, "r") == ENAMETOOLONG, "a long name: %s", strerror(errno));
	/* rename: within tmpfs, over a file, and errors */
	CHECK(put("/tmp/lc_e/g", "g") == 0, "put");
	EXPECT_LIBC_OK(rename("/tmp/lc_e/g", "fs:///tmp/lc_e/f"));
	EXPECT_ERRNO(rename("/tmp/lc_e/g", "/tmp/lc_e/h"), ENOENT);
	EXPECT_ERRNO(rename("/tmp/lc_e/f", "/tmp/lc_none/h"), ENOENT);
	EXPECT_LIBC_OK(mkdir("/tmp/lc_e/sub", 0755));
	EXPECT_ERRNO(rename("/tmp/lc_e/f", "/tmp/lc_e/sub"), EISDIR);
	EXPECT_ERRNO(rename("/tmp/lc_e/sub", "/tmp/lc_e/f"), ENOTDIR);
	EXPECT_ERRNO(rename("/tmp/lc_e", "/tmp/lc_std"), ENOTEMPTY); /* test_stat made it */
	/* from tmpfs to the kernel tree: two providers */
	EXPECT_ERRNO(rename("fs:///tmp/lc_e/f", "fs:///lc_moved"), EXDEV);
	EXPECT_ERRNO(rename("/tmp/lc_e/f", "/lc_moved"), EXDEV);
	EXPECT_LIBC_OK(remove("/tmp/lc_e/f"));
	EXPECT_LIBC_OK(remove("/tmp/lc_e/sub"));
	EXPECT_LIBC_OK(rmdir("/tmp/lc_e"));
	EXPECT_ERRNO(remove("/tmp/lc_e"), ENOENT);
}

static void test_chdir(void)
{
	char buf[64], small[4];
	EXPECT_LIBC_OK(mkdir("/tmp/lc_cd", 0755));
	EXPECT_LIBC_OK(mkdir("/tmp/lc_cd/sub", 0755));
	EXPECT_LIBC_OK(chdir("/tmp/lc_cd"));
	CHECK(getcwd(buf, sizeof(buf)) && !strcmp(buf, "/tmp/lc_cd"), "getcwd '%s'", buf);
	CHECK(put("rel.txt", "relative") == 0, "put relative: %s", strerror(errno));
	CHECK(get("/tmp/lc_cd/rel.txt", buf, sizeof(buf)) == 8, "the same file, absolute");
	EXPECT_LIBC_OK(chdir("sub"));
	CHECK(getcwd(buf, sizeof(buf)) && !strcmp(buf, "/tmp/lc_cd/sub"), "getcwd '%s'", buf);
	/* ".." above the current directory: its path, lexically */
	CHECK(get("../rel.txt", buf, sizeof(buf)) == 8 && !strcmp(buf, "relative"), "../rel.txt");
	CHECK(get("./../sub/../rel.txt", buf, sizeof(buf)) == 8, "./../sub/../rel.txt");
	EXPECT_LIBC_OK(chdir(".."));
	CHECK(getcwd(buf, sizeof(buf)) && !strcmp(buf, "/tmp/lc_cd"), "getcwd '%s'", buf);
	EXPECT_LIBC_OK(rename("rel.txt", "sub/moved.txt"));
	struct stat st;
	EXPECT_LIBC_OK(stat("/tmp/lc_cd/sub/moved.txt", &st));
	/* a directory renamed keeps being the current directory */
	EXPECT_LIBC_OK(chdir("sub"));
	EXPECT_LIBC_OK(rename("/tmp/lc_cd/sub", "/tmp/lc_cd/sub2"));
	EXPECT_LIBC_OK(stat("moved.txt", &st));
	EXPECT_ERRNO(chdir("moved.txt"), ENOTDIR);
	EXPECT_ERRNO(chdir("nowhere"), ENOENT);
	EXPECT_ERRNO(getcwd(small, sizeof(small)), ERANGE);
	EXPECT_LIBC_OK(chdir("fs:///tmp"));
	char *dup = getcwd(NULL, 0);
	CHECK(dup && !strcmp(dup, "/tmp"), "getcwd(NULL) '%s'", dup ? dup : "(null)");
	free(dup);
	CHECK(get("lc_cd/sub2/moved.txt", buf, sizeof(buf)) == 8, "from /tmp");
	EXPECT_LIBC_OK(chdir("/"));
	CHECK(getcwd(buf, sizeof(buf)) && !strcmp(buf, "/"), "getcwd '%s'", buf);
	EXPECT_ERRNO(chdir(".."), ENOENT); /* nothing above the root */
}

static void test_other_host(void)
{
	struct stat st;
	CHECK(put("/tmp/lc_host", "h") == 0, "put");
	CHECK(fopen_err("fs://node2/tmp/lc_host", "r") == EHOSTUNREACH, "fopen: %s",
	      strerror(errno));
	EXPECT_ERRNO(stat("fs://node2.example/tmp/lc_host", &st), EHOSTUNREACH);
	EXPECT_ERRNO(unlink("fs://node2/tmp/lc_host"), EHOSTUNREACH);
	EXPECT_ERRNO(open("fs://other/x", O_RDONLY), EHOSTUNREACH);
	EXPECT_LIBC_OK(stat("FS://LOCALHOST/tmp/lc_host", &st));
	EXPECT_ERRNO(stat("nosuch:///x", &st), ENOENT); /* no root for the scheme */
	EXPECT_ERRNO(stat("fs:///tmp%2Flc_host", &st), EINVAL);
	EXPECT_ERRNO(stat("fs:///..", &st), ENOENT);
}

static void test_bad_args(void)
{
	struct stat st;
	char buf[8];
	CHECK(put("/tmp/lc_bad", "b") == 0, "put");
	CHECK(fopen_err(no_string, "r") == EFAULT, "fopen(NULL): %s", strerror(errno));
	static const char *const modes[] = {"", "q", "rw", "rx", "ax", "r+q", "+r"};
	for (unsigned i = 0; i < sizeof(modes) / sizeof(modes[0]); i++)
		CHECK(fopen_err("/tmp/lc_bad", modes[i]) == EINVAL, "mode '%s'", modes[i]);
	CHECK(fopen_err("/tmp/lc_bad", no_string) == EINVAL, "mode NULL");
	EXPECT_ERRNO(open(no_string, O_RDONLY), EFAULT);
	EXPECT_ERRNO(open("", O_RDONLY), ENOENT);
	EXPECT_ERRNO(open("/tmp/lc_bad", O_ACCMODE), EINVAL);
	EXPECT_ERRNO(open("/tmp/lc_bad", O_RDONLY | 0x40000000), EINVAL);
	EXPECT_ERRNO(stat("/tmp/lc_bad", NULL), EFAULT);
	EXPECT_ERRNO(stat(no_string, &st), EFAULT);
	EXPECT_ERRNO(mkdir(no_string, 0), EFAULT);
	EXPECT_ERRNO(rename("/tmp/lc_bad", no_string), EFAULT);
	EXPECT_ERRNO(read(99, buf, 1), EBADF);
	EXPECT_ERRNO(read(-1, buf, 1), EBADF);
	EXPECT_ERRNO(close(1000), EBADF);
	EXPECT_ERRNO(lseek(1, 0, SEEK_SET), ESPIPE);
	int fd = open("/tmp/lc_bad", O_RDONLY);
	EXPECT_ERRNO(write(fd, "x", 1), EBADF);
	EXPECT_ERRNO(ftruncate(fd, 0), EBADF);
	EXPECT_ERRNO(lseek(fd, -1, SEEK_SET), EINVAL);
	EXPECT_ERRNO(lseek(fd, 0, 7), EINVAL);
	EXPECT_LIBC_OK(close(fd));
	EXPECT_ERRNO(close(fd), EBADF);
	fd = open("/tmp/lc_bad", O_WRONLY);
	EXPECT_ERRNO(read(fd, buf, 1), EBADF);
	close(fd);
	FILE *f = fopen("/tmp/lc_bad", "r");
	// cppcheck-suppress writeReadOnlyFile ; the point: EBADF
	CHECK(f && fwrite("x", 1, 1, f) == 0 && ferror(f) && errno == EBADF, "fwrite on r");
	errno = 0;
	CHECK(!fgets(buf, 0, f) && errno == EINVAL, "fgets size 0");
	fclose(f);
	EXPECT_ERRNO(getcwd(buf, 0), EINVAL);
	/* every descriptor in use: EMFILE, and all of them come back */
	int fds[80], n = 0;
	while (n < 80 && (fds[n] = open("/tmp/lc_bad", O_RDONLY)) >= 0)
		n++;
	CHECK(n < 80 && errno == EMFILE, "%d opens, then %s", n, strerror(errno));
	while (n > 0)
		EXPECT_LIBC_OK(close(fds[--n]));
}

void nstest_libc_tests(handle_t tmp)
{
	(void)tmp; /* the libc reaches it as fs:///tmp */
	ch_test_run("ns_", "libc_roundtrip", test_roundtrip);
	ch_test_run("ns_", "libc_append", test_append);
	ch_test_run("ns_", "libc_seek", test_seek);
	ch_test_run("ns_", "libc_truncate", test_truncate);
	ch_test_run("ns_", "libc_stat", test_stat);
	ch_test_run("ns_", "libc_readdir", test_readdir);
	ch_test_run("ns_", "libc_name_errors", test_name_errors);
	ch_test_run("ns_", "libc_chdir", test_chdir);
	ch_test_run("ns_", "libc_other_host", test_other_host);
	ch_test_run("ns_", "libc_bad_args", test_bad_args);
}
