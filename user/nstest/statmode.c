/*
 * statmode.c - ns_stat_mode_owner: what a stat says of permissions, owner,
 * group and generation (issue 17), raw and through libc's stat().
 *
 * tmpfs keeps no owners or permissions of its own and reports POSIX's usual
 * ones (0755 directories, 0644 files, 0777 links; owner and group 0;
 * generation 0, ids are never reused) with NS_MODE_KEPT; the kernel's own
 * entries (fs:///, proc://) report 0 in all four, and libc then falls back to
 * 0755 / 0644. fsd's figures (the inode's) are fstest's (fs_stat_mode_owner).
 */
#include "nstest.h"

#include <string.h>
#include <sys/stat.h>

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
