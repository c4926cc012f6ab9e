/*
 * statmode.c - ns_stat_mode_owner: what a stat says of permissions, owner,
 * group and generation (issue 17), raw and through libc's stat().
 *
 * tmpfs makes entries with POSIX's usual permissions (0755 directories, 0644
 * files, 0777 links; owner and group 0; generation 0, ids are never reused)
 * and reports them with NS_MODE_KEPT; the kernel's own
 * entries (fs:///, proc://) report 0 in all four, and libc then falls back to
 * 0755 / 0644. fsd's figures (the inode's) are fstest's (fs_stat_mode_owner).
 *
 * ns_setattr: SYS_NS_SETATTR on tmpfs (chmod, chown, times, raw and through libc)
 * with the rights it needs and hostile arguments; fsd's are fstest's (fs_setattr).
 */
#include "nstest.h"

#include <errno.h>
#include <fcntl.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include <charlotte/ns.h>
#include <charlotte/syscall.h>
#include <charlotte/testing.h>

static long make(handle_t dir, const char *name, uint32_t type)
{
	struct ns_open_args a = {.type = type, .flags = NS_OPEN_CREATE, .rights = NS_RIGHTS_SAME};
	handle_t h;
	long r = ch_ns_open(dir, name, strlen(name), &a, &h);
	if (r >= 0)
		ch_cap_drop(h);
	return r;
}

/* The stat of name below dir (a link itself when nofollow) has this mode, owner 0. */
static void expect_stat(handle_t dir, const char *name, uint32_t mode)
{
	struct ns_stat st;
	EXPECT_OK(ch_ns_stat_at(dir, name, strlen(name), &st, 0));
	CHECK(st.mode == mode && st.uid == 0 && st.gid == 0 && st.generation == 0,
	      "%s: mode %#x uid %u gid %u generation %u, want mode %#x and zeros", name, st.mode,
	      st.uid, st.gid, st.generation, mode);
}

void nstest_stat_mode_owner(handle_t root, handle_t tmp)
{
	EXPECT_OK(make(tmp, "mo_f", NS_TYPE_FILE));
	EXPECT_OK(make(tmp, "mo_d", NS_TYPE_DIR));
	EXPECT_OK(ch_ns_symlink(tmp, "mo_l", 4, "mo_f", 4, 0));
	expect_stat(tmp, "mo_f", NS_MODE_KEPT | 0644);
	expect_stat(tmp, "mo_d", NS_MODE_KEPT | 0755);
	expect_stat(root, "fs", 0); /* the kernel's own directory */
	expect_stat(root, "proc", 0);
	/* libc: the provider's bits under the type's; the kernel's entries its defaults */
	struct stat s;
	CHECK(stat("/tmp/mo_f", &s) == 0 && s.st_mode == (S_IFREG | 0644) && s.st_uid == 0 &&
	          s.st_gid == 0,
	      "stat /tmp/mo_f: mode %o uid %u gid %u", s.st_mode, s.st_uid, s.st_gid);
	CHECK(lstat("/tmp/mo_l", &s) == 0 && s.st_mode == (S_IFLNK | 0777), "lstat /tmp/mo_l: %o",
	      s.st_mode);
	CHECK(stat("/tmp/mo_d", &s) == 0 && s.st_mode == (S_IFDIR | 0755), "stat /tmp/mo_d: %o",
	      s.st_mode);
	CHECK(stat("fs:///", &s) == 0 && s.st_mode == (S_IFDIR | 0755) && s.st_uid == 0,
	      "stat fs:///: %o uid %u", s.st_mode, s.st_uid);
	EXPECT_OK(ch_ns_unlink(tmp, "mo_l", 4, 0, 0));
	EXPECT_OK(ch_ns_unlink(tmp, "mo_f", 4, 0, 0));
	EXPECT_OK(ch_ns_unlink(tmp, "mo_d", 4, NS_UNLINK_DIR, 0));
}

void nstest_setattr(handle_t root, handle_t tmp)
{
	handle_t f, weak, proc;
	struct ns_stat st, before;
	struct ns_open_args a = {
	    .type = NS_TYPE_FILE, .flags = NS_OPEN_CREATE, .rights = NS_RIGHTS_SAME};
	EXPECT_OK(ch_ns_open(tmp, "sa_f", 4, &a, &f));
	EXPECT_OK(ch_ns_stat(f, &before, 0));
	struct ns_setattr sa = {.valid = NS_ATTR_MODE | NS_ATTR_UID | NS_ATTR_GID | NS_ATTR_ATIME |
	                                 NS_ATTR_MTIME,
	                        .mode = 04750,
	                        .uid = 70000,
	                        .gid = 80000,
	                        .atime = 1700000000000000001ull,
	                        .mtime = 1600000000000000002ull};
	EXPECT_OK(ch_ns_setattr(f, &sa, 0));
	EXPECT_OK(ch_ns_stat(f, &st, 0));
	CHECK(st.mode == (NS_MODE_KEPT | 04750) && st.uid == 70000 && st.gid == 80000 &&
	          st.atime == sa.atime && st.mtime == sa.mtime && st.type == NS_TYPE_FILE &&
	          st.ctime >= before.ctime,
	      "after setattr: mode %#x uid %u gid %u atime %llu mtime %llu", st.mode, st.uid,
	      st.gid, (unsigned long long)st.atime, (unsigned long long)st.mtime);
	/* hostile: nothing changes */
	static const struct ns_setattr bad[] = {
	    {.valid = NS_ATTR_MODE, .mode = 010000},
	    {.valid = NS_ATTR_MODE, .mode = 0xffffffffu},
	    {.valid = 1u << 7},
	    {.valid = 0x80000000u | NS_ATTR_MODE},
	    {.valid = NS_ATTR_ATIME | NS_ATTR_ATIME_NOW},
	    {.valid = NS_ATTR_MTIME | NS_ATTR_MTIME_NOW},
	};
	for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++)
		EXPECT_ERR(ch_ns_setattr(f, &bad[i], 0), ERR_INVALID_ARGS);
	EXPECT_ERR(ch_ns_setattr(f, (const struct ns_setattr *)8, 0), ERR_BAD_ADDRESS);
	EXPECT_ERR(ch_ns_setattr(HANDLE_INVALID, &sa, 0), ERR_BAD_HANDLE);
	/* rights: WRITE for modes and times, MANAGE too for owners; a read-only view none */
	EXPECT_OK(ch_cap_derive(f, RIGHT_READ | RIGHT_INSPECT, 0, &weak));
	struct ns_setattr m = {.valid = NS_ATTR_MODE, .mode = 0600};
	EXPECT_ERR(ch_ns_setattr(weak, &m, 0), ERR_ACCESS_DENIED);
	ch_cap_drop(weak);
	EXPECT_OK(ch_cap_derive(f, RIGHT_WRITE, 0, &weak));
	struct ns_setattr own = {.valid = NS_ATTR_GID, .gid = 1};
	EXPECT_ERR(ch_ns_setattr(weak, &own, 0), ERR_ACCESS_DENIED);
	struct ns_setattr now = {.valid = NS_ATTR_MODE | NS_ATTR_MTIME_NOW, .mode = 0600};
	EXPECT_OK(ch_ns_setattr(weak, &now, 0));
	ch_cap_drop(weak);
	EXPECT_OK(ch_ns_stat(f, &st, 0));
	CHECK(st.mode == (NS_MODE_KEPT | 0600) && st.gid == 80000 && st.mtime == st.ctime &&
	          st.atime == sa.atime,
	      "after the weak ones: mode %#x gid %u mtime %llu ctime %llu", st.mode, st.gid,
	      (unsigned long long)st.mtime, (unsigned long long)st.ctime);
	struct ns_setattr none = {0};
	EXPECT_OK(ch_ns_setattr(f, &none, 0));
	ch_cap_drop(f);
	/* the kernel's own entries keep no attributes */
	EXPECT_ERR(ch_ns_setattr(root, &m, 0), ERR_NOT_SUPPORTED);
	EXPECT_OK(ch_ns_open(root, "proc", 4,
	                     &(struct ns_open_args){.type = NS_TYPE_DIR, .rights = NS_RIGHTS_SAME},
	                     &proc));
	EXPECT_ERR(ch_ns_setattr(proc, &m, 0), ERR_NOT_SUPPORTED);
	ch_cap_drop(proc);
	/* libc */
	struct stat s;
	CHECK(chmod("/tmp/sa_f", 0640) == 0 && stat("/tmp/sa_f", &s) == 0 &&
	          s.st_mode == (S_IFREG | 0640),
	      "chmod: errno %d mode %o", errno, s.st_mode);
	CHECK(chown("/tmp/sa_f", 5, (gid_t)-1) == 0 && stat("/tmp/sa_f", &s) == 0 &&
	          s.st_uid == 5 && s.st_gid == 80000,
	      "chown: errno %d uid %u gid %u", errno, s.st_uid, s.st_gid);
	struct timespec ts[2] = {{1000, 0}, {2000, 500}};
	CHECK(utimensat(AT_FDCWD, "/tmp/sa_f", ts, 0) == 0 && stat("/tmp/sa_f", &s) == 0 &&
	          s.st_atim.tv_sec == 1000 && s.st_mtim.tv_sec == 2000 && s.st_mtim.tv_nsec == 500,
	      "utimensat: errno %d", errno);
	CHECK(chmod("/tmp/sa_f", 017777) == -1 && errno == EINVAL, "chmod 17777: errno %d", errno);
	CHECK(chmod("fs:///", 0700) == -1 && errno == ENOTSUP, "chmod fs:///: errno %d", errno);
	int fd = open("/tmp/sa_f", O_RDONLY);
	CHECK(fd >= 0 && fchmod(fd, 0600) == -1 && errno == EACCES,
	      "fchmod of a read-only descriptor: errno %d", errno);
	close(fd);
	EXPECT_OK(ch_ns_unlink(tmp, "sa_f", 4, 0, 0));
}
