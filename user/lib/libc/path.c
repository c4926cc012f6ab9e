/*
 * path.c - names: resolving paths and URIs to capabilities, the current
 * directory, errno from ERR_* codes, and the calls that take a path (stat,
 * mkdir, unlink, rmdir, rename, remove, truncate, chdir, getcwd).
 *
 * A path is one of (docs/userspace.md "Files"):
 *   "<scheme>://<host>/<path>"  a URI, from the root of its scheme in our view
 *   "/a/b"                      a plain path from the fs root
 *   "a/b"                       a plain path from the current directory
 * __libc_ns_parse normalizes either ("." and ".." removed, lexically). The
 * current directory is a directory capability and its normalized path; a
 * relative path whose ".." climbs above it is joined to that path and resolved
 * from the scheme's root instead (the capability alone cannot see above
 * itself). Without a chdir the current directory is the fs root. Not
 * thread-safe: the targets are static.
 */
#include <fcntl.h>
#include <unistd.h>

#include <ctype.h>
#include <errno.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <abi/errors.h>

#include "files.h"

#define ARRAY_LEN(a) (sizeof(a) / sizeof((a)[0]))

/* errno for each ERR_* code (where it differs between a path and an open file: the path's). */
static const struct {
	short err, no;
} errno_table[] = {
    {ERR_INTERNAL, EIO},
    {ERR_NOT_SUPPORTED, ENOTSUP},
    {ERR_INVALID_ARGS, EINVAL},
    {ERR_BAD_STATE, ENOTEMPTY},
    {ERR_TIMED_OUT, ETIMEDOUT},
    {ERR_INTERRUPTED, EINTR},
    {ERR_NO_MEMORY, ENOMEM},
    {ERR_NO_RESOURCES, ENFILE},
    {ERR_SHOULD_WAIT, EAGAIN},
    {ERR_BUFFER_TOO_SMALL, ERANGE},
    {ERR_BAD_HANDLE, EBADF},
    {ERR_WRONG_TYPE, ENOTDIR},
    {ERR_ACCESS_DENIED, EACCES},
    {ERR_BAD_ADDRESS, EFAULT},
    {ERR_OUT_OF_RANGE, ENAMETOOLONG},
    {ERR_ALREADY_EXISTS, EEXIST},
    {ERR_NOT_FOUND, ENOENT},
    {ERR_MALFORMED, EIO},
    {ERR_TRUNCATED, EIO},
    {ERR_CHECKSUM, EIO},
    {ERR_PEER_CLOSED, EIO},
    {ERR_NO_HOST, EHOSTUNREACH},
    {ERR_CROSS_PROVIDER, EXDEV},
    {ERR_LOOP, ELOOP},
    {ERR_IO, EIO},
};

int __libc_errno_of(long err, int on_path)
{
	if (!on_path && err == ERR_WRONG_TYPE)
		return EISDIR; /* reading or writing a directory */
	if (!on_path && err == ERR_OUT_OF_RANGE)
		return EFBIG;
	if (!on_path && err == ERR_BAD_STATE)
		return EIO;
	for (size_t i = 0; i < ARRAY_LEN(errno_table); i++)
		if (errno_table[i].err == err)
			return errno_table[i].no;
	return EIO;
}

int __libc_fail(long err, int on_path)
{
	errno = __libc_errno_of(err, on_path);
	return -1;
}

static struct {
	handle_t dir; /* HANDLE_INVALID: the fs root */
	char scheme[NS_SCHEME_MAX + 1]; /* "" for fs */
	char *path; /* normalized; allocated by the first chdir (NULL: "") */
} cwd;

/*
 * The big buffers of naming files (a target is 4 KiB), allocated on first use
 * rather than static, so a program that never names a file does not pay for
 * their pages when it is spawned. Not thread-safe, like the static buffers
 * they replace.
 */
static struct scratch {
	struct __libc_target t[2]; /* the names an operation resolves */
	char joined[NS_PATH_MAX + 2 + NS_URI_MAX + 1]; /* resolve_joined() */
	char cd[NS_PATH_MAX + 2]; /* chdir() */
} * scratch;

struct __libc_target *__libc_targets(void)
{
	if (!scratch && !(scratch = malloc(sizeof(*scratch)))) {
		errno = ENOMEM;
		return NULL;
	}
	return scratch->t;
}

static const char *cwd_path(void)
{
	return cwd.path ? cwd.path : "";
}

/* The root of scheme ("" is fs) in our view, or ENOENT. */
static int root_of(const char *scheme, handle_t *out)
{
	*out = __libc_ns_root(*scheme && strcmp(scheme, "fs") ? scheme : "fs");
	if (*out != HANDLE_INVALID)
		return 0;
	errno = ENOENT; /* a scheme outside the view looks like a missing name */
	return -1;
}

/* Parse s into t->path and scheme; the error as errno. */
static int parse(const char *s, size_t len, struct __libc_target *t)
{
	long n = __libc_ns_parse(s, len, t->scheme, t->path);
	if (n < 0)
		return __libc_fail(n, 1);
	t->len = (size_t)n;
	return 0;
}

/* Resolve s from the current directory's path (a relative path that climbs above it). */
static int resolve_joined(const char *s, struct __libc_target *t)
{
	if (!__libc_targets())
		return -1;
	char *joined = scratch->joined;
	size_t a = strlen(cwd_path()), b = strlen(s);
	if (b > NS_URI_MAX) {
		errno = ENAMETOOLONG;
		return -1;
	}
	memcpy(joined, cwd_path(), a);
	joined[a] = '/';
	memcpy(joined + a + 1, s, b + 1);
	if (parse(joined, a + 1 + b, t))
		return -1;
	memcpy(t->scheme, cwd.scheme, sizeof(t->scheme));
	return root_of(t->scheme, &t->dir);
}

/* Whether s starts with "<scheme>://" (the rest is checked by the parser). */
static bool is_uri(const char *s)
{
	if (!isalpha((unsigned char)*s))
		return false;
	while (isalnum((unsigned char)*s) || *s == '+' || *s == '-' || *s == '.')
		s++;
	return !strncmp(s, "://", 3);
}

int __libc_resolve(const char *s, struct __libc_target *t)
{
	if (!s) {
		errno = EFAULT;
		return -1;
	}
	if (!*s) {
		errno = ENOENT;
		return -1;
	}
	t->from_cwd = cwd.dir != HANDLE_INVALID && s[0] != '/' && !is_uri(s);
	long n = __libc_ns_parse(s, strlen(s), t->scheme, t->path);
	if (t->from_cwd && n == ERR_NOT_FOUND) {
		t->from_cwd = false;
		return resolve_joined(s, t); /* ".." above the current directory */
	}
	if (n < 0)
		return __libc_fail(n, 1);
	t->len = (size_t)n;
	if (!t->from_cwd)
		return root_of(t->scheme, &t->dir);
	t->dir = cwd.dir;
	memcpy(t->scheme, cwd.scheme, sizeof(t->scheme));
	return 0;
}

int __libc_wrong_type(const struct __libc_target *t)
{
	handle_t h;
	if (__libc_ns_open(t->dir, t->path, t->len, NS_TYPE_DIR, 0, 0, &h) < 0)
		return ENOTDIR;
	__libc_ns_close(h);
	return EISDIR;
}

void __libc_stat_fill(const struct ns_stat *ns, struct stat *st)
{
	static const mode_t modes[NS_TYPE_COUNT] = {
	    [NS_TYPE_DIR] = S_IFDIR | 0755,         [NS_TYPE_FILE] = S_IFREG | 0644,
	    [NS_TYPE_LINK] = S_IFLNK | 0644,        [NS_TYPE_DEV_BLOCK] = S_IFBLK | 0644,
	    [NS_TYPE_DEV_NET] = S_IFCHR | 0644,     [NS_TYPE_DEV_INPUT] = S_IFCHR | 0644,
	    [NS_TYPE_DEV_DISPLAY] = S_IFCHR | 0644, [NS_TYPE_DEV_SERIAL] = S_IFCHR | 0644,
	    [NS_TYPE_DEV_CLOCK] = S_IFCHR | 0644,   [NS_TYPE_DEV_RNG] = S_IFCHR | 0644,
	    [NS_TYPE_SVC] = S_IFSOCK | 0644,
	};
	mode_t mode = ns->type < NS_TYPE_COUNT && modes[ns->type] ? modes[ns->type] : 0644;
	if (ns->mode & NS_MODE_KEPT) /* the provider's permission bits over our defaults */
		mode = (mode & S_IFMT) | (ns->mode & NS_MODE_PERMS);
	*st = (struct stat){
	    .st_ino = ns->node,
	    .st_mode = mode,
	    .st_nlink = ns->nlink,
	    .st_uid = ns->uid,
	    .st_gid = ns->gid,
	    .st_size = (off_t)ns->size,
	    .st_atim = {(time_t)(ns->atime / 1000000000), (long)(ns->atime % 1000000000)},
	    .st_mtim = {(time_t)(ns->mtime / 1000000000), (long)(ns->mtime % 1000000000)},
	    .st_ctim = {(time_t)(ns->ctime / 1000000000), (long)(ns->ctime % 1000000000)},
	};
}

/*
 * stat is one call, SYS_NS_STAT of the path (it follows a link at the end, as stat
 * does). lstat, which must not, and a path written with a trailing '/' (which must
 * name a directory: the open checks that) open the node, stat it and close it.
 */
static int stat_path(const char *path, struct stat *st, uint32_t flags)
{
	struct __libc_target *t = __libc_targets();
	handle_t h;
	struct ns_stat ns;
	if (!st) {
		errno = EFAULT;
		return -1;
	}
	if (!t || __libc_resolve(path, t))
		return -1;
	long r;
	if (!flags && !(t->len && t->path[t->len - 1] == '/')) {
		r = __libc_ns_stat_at(t->dir, t->path, t->len, &ns);
	} else {
		r = __libc_ns_open(t->dir, t->path, t->len, NS_TYPE_ANY, flags, 0, &h);
		if (r < 0)
			return __libc_fail(r, 1);
		r = __libc_ns_stat(h, &ns);
		__libc_ns_close(h);
	}
	if (r < 0)
		return __libc_fail(r, 1);
	__libc_stat_fill(&ns, st);
	return 0;
}

int stat(const char *restrict path, struct stat *restrict st)
{
	return stat_path(path, st, 0);
}

int lstat(const char *restrict path, struct stat *restrict st)
{
	return stat_path(path, st, NS_OPEN_NOFOLLOW);
}

int mkdir(const char *path, mode_t mode)
{
	struct __libc_target *t = __libc_targets();
	handle_t h;
	(void)mode;
	if (!t || __libc_resolve(path, t))
		return -1;
	long r = __libc_ns_open(t->dir, t->path, t->len, NS_TYPE_DIR,
	                        NS_OPEN_CREATE | NS_OPEN_EXCLUSIVE, 0, &h);
	if (r < 0)
		return __libc_fail(r, 1);
	__libc_ns_close(h);
	return 0;
}

static int unlink_path(const char *path, uint32_t flags)
{
	struct __libc_target *t = __libc_targets();
	if (!t || __libc_resolve(path, t))
		return -1;
	long r = __libc_ns_unlink(t->dir, t->path, t->len, flags);
	if (r == ERR_WRONG_TYPE && !flags) {
		errno = __libc_wrong_type(t);
		return -1;
	}
	return r < 0 ? __libc_fail(r, 1) : 0;
}

int unlink(const char *path)
{
	return unlink_path(path, 0);
}

int rmdir(const char *path)
{
	return unlink_path(path, NS_UNLINK_DIR);
}

int remove(const char *path)
{
	int r = unlink(path);
	return r && errno == EISDIR ? rmdir(path) : r;
}

/* Within one provider (the same file system): across two, EXDEV. */
int rename(const char *from, const char *to)
{
	struct __libc_target *a = __libc_targets();
	if (!a)
		return -1;
	struct __libc_target *b = a + 1;
	if (__libc_resolve(from, a) || __libc_resolve(to, b))
		return -1;
	long r = __libc_ns_rename(a->dir, a->path, a->len, b->dir, b->path, b->len);
	if (r == ERR_WRONG_TYPE) {
		errno = __libc_wrong_type(b);
		return -1;
	}
	return r < 0 ? __libc_fail(r, 1) : 0;
}

int truncate(const char *path, off_t size)
{
	int fd = open(path, O_WRONLY);
	if (fd < 0)
		return -1;
	int r = ftruncate(fd, size);
	close(fd);
	return r;
}

int chdir(const char *path)
{
	struct __libc_target *tp = __libc_targets();
	handle_t h;
	if (!tp || __libc_resolve(path, tp))
		return -1;
	if (!cwd.path && !(cwd.path = malloc(NS_PATH_MAX + 2))) {
		errno = ENOMEM;
		return -1;
	}
	const struct __libc_target *t = tp;
	char *joined = scratch->cd;
	long r = __libc_ns_open(t->dir, t->path, t->len, NS_TYPE_DIR, 0, NS_RIGHTS_SAME, &h);
	if (r < 0)
		return __libc_fail(r, 1);
	size_t n = t->len && t->path[t->len - 1] == '/' ? t->len - 1 : t->len;
	size_t a = strlen(cwd.path);
	if (t->from_cwd && a && n) { /* below the current directory: its path, then ours */
		if (a + 1 + n > NS_PATH_MAX) {
			__libc_ns_close(h);
			errno = ENAMETOOLONG;
			return -1;
		}
		memcpy(joined, cwd.path, a);
		joined[a] = '/';
		memcpy(joined + a + 1, t->path, n);
		n += a + 1;
	} else if (t->from_cwd) {
		n = a ? a : n;
		memcpy(joined, a ? cwd.path : t->path, n);
	} else {
		memcpy(joined, t->path, n);
	}
	joined[n] = '\0';
	if (cwd.dir != HANDLE_INVALID)
		__libc_ns_close(cwd.dir);
	cwd.dir = h;
	memcpy(cwd.scheme, t->scheme, sizeof(cwd.scheme));
	memcpy(cwd.path, joined, n + 1);
	return 0;
}

char *getcwd(char *buf, size_t size)
{
	const char *scheme = cwd.scheme[0] && strcmp(cwd.scheme, "fs") ? cwd.scheme : "";
	size_t need = (*scheme ? strlen(scheme) + 3 : 0) + 1 + strlen(cwd_path()) + 1;
	if (buf && !size) {
		errno = EINVAL;
		return NULL;
	}
	if (size && size < need) {
		errno = ERANGE;
		return NULL;
	}
	if (!buf && !(buf = malloc(need))) {
		errno = ENOMEM;
		return NULL;
	}
	snprintf(buf, need, "%s%s/%s", scheme, *scheme ? "://" : "", cwd_path());
	return buf;
}
