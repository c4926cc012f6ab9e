/*
 * libc_ns_fake.c - a fake namespace under the libc's host tests: the
 * __libc_ns_* hooks of user/lib/libc/sys_hooks.h (renamed cl___libc_ns_*).
 *
 * One flat table of entries named by their whole normalized path ("" is the
 * fs root), files holding malloc'd bytes, and a table of open handles. Paths
 * are parsed with the real shared/ns_uri.c. Enough of tmpfs's answers to drive
 * the libc (ERR_NOT_FOUND, ERR_WRONG_TYPE, ERR_ALREADY_EXISTS, ERR_BAD_STATE),
 * with counters and knobs the tests use: calls, the largest transfer, a limit
 * on each write and on the entries of each list, an error to fail with.
 */
#include "libc_cl.h"

#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <abi/errors.h>
#include <shared/ns_uri.h>

#define ENTRIES 512
#define HANDLES 256
#define HANDLE_BASE 100

struct entry {
	bool used;
	uint32_t type;
	char path[NS_PATH_MAX + 1];
	char *data;
	size_t size;
	uint32_t mode, uid, gid; /* mode: NS_MODE_KEPT | bits once set */
	uint64_t atime, mtime;
};

static struct entry entries[ENTRIES];
static int handles[HANDLES]; /* entry index + 1; 0: free */
struct cl_fake_ns cl_fake;

void cl_fake_ns_reset(void)
{
	for (int i = 0; i < ENTRIES; i++)
		free(entries[i].data);
	memset(entries, 0, sizeof(entries));
	memset(handles, 0, sizeof(handles));
	memset(&cl_fake, 0, sizeof(cl_fake));
	entries[0] = (struct entry){.used = true, .type = NS_TYPE_DIR};
}

int cl_fake_ns_open_handles(void)
{
	int n = 0;
	for (int i = 0; i < HANDLES; i++)
		n += handles[i] != 0;
	return n;
}

static int find(const char *path, size_t len)
{
	for (int i = 0; i < ENTRIES; i++)
		if (entries[i].used && strlen(entries[i].path) == len &&
		    !memcmp(entries[i].path, path, len))
			return i;
	return -1;
}

static struct entry *entry_of(handle_t h)
{
	if (h < HANDLE_BASE || h >= HANDLE_BASE + HANDLES || !handles[h - HANDLE_BASE])
		return NULL;
	return &entries[handles[h - HANDLE_BASE] - 1];
}

/* The whole path of rel below h into out; its length, or an error. *dir: a trailing '/'. */
static long join(handle_t h, const char *rel, size_t len, char *out, bool *dir)
{
	struct entry *d = entry_of(h);
	if (!d)
		return ERR_BAD_HANDLE;
	*dir = len && rel[len - 1] == '/';
	len -= *dir;
	size_t a = strlen(d->path);
	if (a + 1 + len > NS_PATH_MAX)
		return ERR_OUT_OF_RANGE;
	memcpy(out, d->path, a);
	if (a && len)
		out[a++] = '/';
	memcpy(out + a, rel, len);
	out[a + len] = '\0';
	return (long)(a + len);
}

/* Walk the directories above path (n bytes): ERR_NOT_FOUND or ERR_WRONG_TYPE on the way. */
static int walk_parents(const char *path, size_t n)
{
	for (size_t i = 0; i < n; i++) {
		if (path[i] != '/')
			continue;
		int e = find(path, i);
		if (e < 0)
			return ERR_NOT_FOUND;
		if (entries[e].type != NS_TYPE_DIR)
			return ERR_WRONG_TYPE;
	}
	return 0;
}

static int make(const char *path, uint32_t type)
{
	for (int i = 1; i < ENTRIES; i++) {
		if (!entries[i].used) {
			entries[i] = (struct entry){.used = true, .type = type};
			strcpy(entries[i].path, path);
			return i;
		}
	}
	return ERR_NO_RESOURCES;
}

static bool has_children(const char *path)
{
	size_t n = strlen(path);
	for (int i = 1; i < ENTRIES; i++)
		if (entries[i].used && !strncmp(entries[i].path, path, n) &&
		    entries[i].path[n] == '/')
			return true;
	return false;
}

long cl___libc_ns_parse(const char *s, unsigned long len, char *scheme, char *path)
{
	static struct ns_uri u;
	int err;
	if (ns_is_uri(s, len)) {
		err = ns_uri_parse(s, len, &u);
		if (!err && !ns_uri_is_local(&u, NULL))
			err = ERR_NO_HOST;
	} else {
		u.scheme[0] = '\0';
		err = ns_path_parse(s, len, &u.path);
	}
	if (err)
		return err;
	strcpy(scheme, u.scheme);
	memcpy(path, u.path.buf, u.path.len);
	size_t n = u.path.len;
	if (u.path.dir && n)
		path[n++] = '/';
	path[n] = '\0';
	return (long)n;
}

static handle_t new_handle(int e)
{
	for (int i = 0; i < HANDLES; i++) {
		if (!handles[i]) {
			handles[i] = e + 1;
			return HANDLE_BASE + (handle_t)i;
		}
	}
	return HANDLE_INVALID;
}

handle_t cl___libc_ns_root(const char *scheme)
{
	static handle_t root;
	if (strcmp(scheme, "fs"))
		return HANDLE_INVALID;
	if (!entry_of(root) || entry_of(root) != &entries[0])
		root = new_handle(0);
	return root;
}

/*
 * What open and stat_at share: note the call, then look path up below dir: the
 * entry's index in *e (-1: none, its parents being there), the path in full, or
 * the walk's error (or fail_open's).
 */
static long look_up(handle_t dir, const char *path, unsigned long len, char *full, bool *must_dir,
                    int *e)
{
	cl_fake.last_dir = dir;
	snprintf(cl_fake.last_path, sizeof(cl_fake.last_path), "%.*s", (int)len, path);
	if (cl_fake.fail_open)
		return cl_fake.fail_open;
	long n = join(dir, path, len, full, must_dir);
	if (n < 0)
		return n;
	int err = walk_parents(full, (size_t)n);
	*e = find(full, (size_t)n);
	return err ? err : n;
}

long cl___libc_ns_open(handle_t dir, const char *path, unsigned long len, uint32_t type,
                       uint32_t flags, uint64_t rights, handle_t *out)
{
	static char full[NS_PATH_MAX + 1];
	bool must_dir;
	int e;
	cl_fake.opens++;
	cl_fake.last_rights = rights;
	long n = look_up(dir, path, len, full, &must_dir, &e);
	if (n < 0)
		return n;
	must_dir |= (flags & NS_OPEN_DIRECTORY) != 0;
	if (e >= 0 && (flags & NS_OPEN_EXCLUSIVE))
		return ERR_ALREADY_EXISTS;
	if (e < 0 && !(flags & NS_OPEN_CREATE))
		return ERR_NOT_FOUND;
	if (e < 0) {
		uint32_t t = type != NS_TYPE_ANY ? type : must_dir ? NS_TYPE_DIR : NS_TYPE_FILE;
		if ((e = make(full, t)) < 0)
			return e;
	}
	if ((type != NS_TYPE_ANY && entries[e].type != type) ||
	    (must_dir && entries[e].type != NS_TYPE_DIR))
		return ERR_WRONG_TYPE;
	*out = new_handle(e);
	return *out == HANDLE_INVALID ? ERR_NO_RESOURCES : 0;
}

long cl___libc_ns_close(handle_t h)
{
	if (h >= FAKE_STREAM_BASE)
		return cl_fake_stream_close(h); /* libc_stream_fake.c */
	if (!entry_of(h))
		return ERR_BAD_HANDLE;
	handles[h - HANDLE_BASE] = 0;
	return 0;
}

static void stat_of(const struct entry *e, struct ns_stat *out)
{
	*out = (struct ns_stat){.node = (uint64_t)(e - entries),
	                        .type = e->type,
	                        .nlink = 1,
	                        .size = e->size,
	                        .mode = e->mode,
	                        .uid = e->uid,
	                        .gid = e->gid,
	                        .atime = e->atime,
	                        .mtime = e->mode ? e->mtime : 1500000000ull};
}

long cl___libc_ns_stat(handle_t h, struct ns_stat *out)
{
	struct entry *e = entry_of(h);
	if (!e)
		return ERR_BAD_HANDLE;
	stat_of(e, out);
	return 0;
}

/* As the kernel's SYS_NS_STAT of a path: the errors of a walk (open's fail_open too). */
long cl___libc_ns_stat_at(handle_t dir, const char *path, unsigned long len, struct ns_stat *out)
{
	static char full[NS_PATH_MAX + 1];
	bool must_dir;
	int e;
	cl_fake.stat_ats++;
	long n = look_up(dir, path, len, full, &must_dir, &e);
	if (n < 0)
		return n;
	if (e < 0)
		return ERR_NOT_FOUND;
	stat_of(&entries[e], out);
	return 0;
}

long cl___libc_ns_setattr(handle_t h, const struct ns_setattr *sa)
{
	struct entry *e = entry_of(h);
	if (!e)
		return ERR_BAD_HANDLE;
	cl_fake.setattrs++;
	cl_fake.last_setattr = *sa;
	if (!ns_setattr_ok(sa))
		return ERR_INVALID_ARGS;
	if (!e->mode)
		e->mode = NS_MODE_KEPT | 0644;
	if (sa->valid & NS_ATTR_MODE)
		e->mode = NS_MODE_KEPT | sa->mode;
	if (sa->valid & NS_ATTR_UID)
		e->uid = sa->uid;
	if (sa->valid & NS_ATTR_GID)
		e->gid = sa->gid;
	if (sa->valid & (NS_ATTR_ATIME | NS_ATTR_ATIME_NOW))
		e->atime = sa->valid & NS_ATTR_ATIME ? sa->atime : 42;
	if (sa->valid & (NS_ATTR_MTIME | NS_ATTR_MTIME_NOW))
		e->mtime = sa->valid & NS_ATTR_MTIME ? sa->mtime : 42;
	return 0;
}

long cl___libc_ns_list(handle_t h, uint64_t *cookie, void *buf, unsigned long cap)
{
	struct entry *d = entry_of(h);
	if (!d)
		return ERR_BAD_HANDLE;
	if (d->type != NS_TYPE_DIR)
		return ERR_WRONG_TYPE;
	cl_fake.lists++;
	size_t at = 0, n = strlen(d->path), count = 0;
	uint64_t i = *cookie;
	for (; i < ENTRIES; i++) {
		const char *p = entries[i].path, *name = p + (n ? n + 1 : 0);
		if (!entries[i].used || i == 0 || strncmp(p, d->path, n) || (n && p[n] != '/') ||
		    strchr(name, '/'))
			continue;
		size_t nl = strlen(name),
		       rec = (sizeof(struct ns_dirent) + nl + 1 + 7) & ~(size_t)7;
		if (at + rec > cap || (cl_fake.list_max && count == cl_fake.list_max))
			break;
		struct ns_dirent *de = (struct ns_dirent *)((char *)buf + at);
		*de = (struct ns_dirent){.node = i,
		                         .type = entries[i].type,
		                         .reclen = (uint16_t)rec,
		                         .namelen = (uint16_t)nl};
		memcpy(de->name, name, nl + 1);
		at += rec;
		count++;
	}
	*cookie = i;
	return (long)at;
}

long cl___libc_ns_read(handle_t h, uint64_t off, void *buf, unsigned long len)
{
	struct entry *e = entry_of(h);
	if (!e)
		return ERR_BAD_HANDLE;
	if (e->type != NS_TYPE_FILE)
		return ERR_WRONG_TYPE;
	cl_fake.reads++;
	if (len > cl_fake.max_io)
		cl_fake.max_io = len;
	if (len > NS_IO_MAX)
		return ERR_INVALID_ARGS; /* the kernel would cut it short: the libc must not ask */
	if (off >= e->size)
		return 0;
	size_t n = e->size - off < len ? e->size - off : len;
	memcpy(buf, e->data + off, n);
	return (long)n;
}

long cl___libc_ns_write(handle_t h, uint64_t off, const void *buf, unsigned long len)
{
	struct entry *e = entry_of(h);
	if (!e)
		return ERR_BAD_HANDLE;
	if (e->type != NS_TYPE_FILE)
		return ERR_WRONG_TYPE;
	cl_fake.writes++;
	if (len > cl_fake.max_io)
		cl_fake.max_io = len;
	if (len > NS_IO_MAX)
		return ERR_INVALID_ARGS;
	if (cl_fake.fail_write)
		return cl_fake.fail_write;
	if (cl_fake.write_max && len > cl_fake.write_max)
		len = cl_fake.write_max;
	if (off + len > e->size) {
		e->data = realloc(e->data, off + len);
		memset(e->data + e->size, 0, off > e->size ? off - e->size : 0);
		e->size = off + len;
	}
	memcpy(e->data + off, buf, len);
	return (long)len;
}

long cl___libc_ns_truncate(handle_t h, uint64_t size)
{
	struct entry *e = entry_of(h);
	if (!e)
		return ERR_BAD_HANDLE;
	if (e->type != NS_TYPE_FILE)
		return ERR_WRONG_TYPE;
	e->data = realloc(e->data, size ? size : 1);
	if (size > e->size)
		memset(e->data + e->size, 0, size - e->size);
	e->size = size;
	return 0;
}

long cl___libc_ns_unlink(handle_t dir, const char *path, unsigned long len, uint32_t flags)
{
	static char full[NS_PATH_MAX + 1];
	bool must_dir;
	long n = join(dir, path, len, full, &must_dir);
	if (n < 0)
		return n;
	int err = walk_parents(full, (size_t)n), e = find(full, (size_t)n);
	if (err || e < 0)
		return err ? err : ERR_NOT_FOUND;
	if ((entries[e].type == NS_TYPE_DIR) != !!(flags & NS_UNLINK_DIR))
		return ERR_WRONG_TYPE;
	if (has_children(full))
		return ERR_BAD_STATE;
	free(entries[e].data);
	entries[e] = (struct entry){0};
	return 0;
}

long cl___libc_ns_rename(handle_t dir, const char *path, unsigned long len, handle_t dir2,
                         const char *path2, unsigned long len2)
{
	static char from[NS_PATH_MAX + 1], to[NS_PATH_MAX + 1];
	bool d1, d2;
	long n1 = join(dir, path, len, from, &d1), n2;
	if (n1 < 0 || (n2 = join(dir2, path2, len2, to, &d2)) < 0)
		return n1 < 0 ? n1 : n2;
	if (cl_fake.fail_rename)
		return cl_fake.fail_rename;
	int err = walk_parents(from, (size_t)n1), e = find(from, (size_t)n1), old;
	if (!err)
		err = walk_parents(to, (size_t)n2);
	if (err || e < 0)
		return err ? err : ERR_NOT_FOUND;
	if ((old = find(to, (size_t)n2)) >= 0) {
		if (entries[old].type != entries[e].type)
			return ERR_WRONG_TYPE;
		if (has_children(to))
			return ERR_BAD_STATE;
		free(entries[old].data);
		entries[old] = (struct entry){0};
	}
	for (int i = 1; i < ENTRIES; i++) { /* the entry and everything below it */
		char *p = entries[i].path;
		if (entries[i].used && !strncmp(p, from, (size_t)n1) && (!p[n1] || p[n1] == '/')) {
			char rest[NS_PATH_MAX + 1];
			strcpy(rest, p + n1);
			if ((size_t)n2 + strlen(rest) > NS_PATH_MAX)
				return ERR_OUT_OF_RANGE;
			memcpy(p, to, (size_t)n2);
			strcpy(p + n2, rest);
		}
	}
	return 0;
}
