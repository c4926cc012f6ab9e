/*
 * fsops.c - file operations shared by cp, mv, rm and mkdir (fsops.h), over the
 * libc's files, so any URI or path works.
 */
#include "fsops.h"

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "tool.h"

int fsops_copy_file(const char *from, const char *to)
{
	static char buf[32768];
	int in = open(from, O_RDONLY);
	if (in < 0) {
		tool_warn_errno(from);
		return 1;
	}
	int out = open(to, O_WRONLY | O_CREAT | O_TRUNC);
	if (out < 0) {
		tool_warn_errno(to);
		close(in);
		return 1;
	}
	int rc = 0;
	for (;;) {
		ssize_t n = read(in, buf, sizeof(buf));
		if (n < 0) {
			tool_warn_errno(from);
			rc = 1;
			break;
		}
		if (n == 0)
			break;
		if (write(out, buf, (size_t)n) != n) {
			tool_warn_errno(to);
			rc = 1;
			break;
		}
	}
	close(in);
	if (close(out) < 0 && !rc) {
		tool_warn_errno(to);
		rc = 1;
	}
	return rc;
}

static int by_name(const void *a, const void *b)
{
	return strcmp(((const struct fsops_entry *)a)->name, ((const struct fsops_entry *)b)->name);
}

long fsops_list(const char *path, bool all, struct fsops_entry **out)
{
	DIR *d = opendir(path);
	if (!d) {
		tool_warn_errno(path);
		return -1;
	}
	long n = 0, cap = 32;
	struct fsops_entry *e = malloc((size_t)cap * sizeof(*e));
	if (!e) {
		closedir(d);
		tool_warn("%s: out of memory", path);
		return -1;
	}
	struct dirent *de;
	errno = 0;
	while ((de = readdir(d))) {
		if (de->d_name[0] == '.' && !all)
			continue;
		if (n == cap) {
			struct fsops_entry *ne = realloc(e, 2 * (size_t)cap * sizeof(*e));
			if (!ne) {
				errno = ENOMEM;
				break;
			}
			e = ne;
			cap *= 2;
		}
		if (!(e[n].name = strdup(de->d_name))) {
			errno = ENOMEM;
			break;
		}
		e[n++].type = de->d_type;
	}
	int err = errno;
	closedir(d);
	if (err) {
		errno = err;
		tool_warn_errno(path);
		fsops_list_free(e, n);
		return -1;
	}
	qsort(e, (size_t)n, sizeof(*e), by_name);
	*out = e;
	return n;
}

void fsops_list_free(struct fsops_entry *e, long n)
{
	for (long i = 0; e && i < n; i++)
		free(e[i].name);
	free(e);
}

bool fsops_is_dir(const char *path)
{
	struct stat st;
	return stat(path, &st) == 0 && S_ISDIR(st.st_mode);
}

int fsops_copy(const char *from, const char *to, bool recursive)
{
	struct stat st;
	if (stat(from, &st) < 0) {
		tool_warn_errno(from);
		return 1;
	}
	if (!S_ISDIR(st.st_mode))
		return fsops_copy_file(from, to);
	if (!recursive) {
		tool_warn("%s: is a directory (not copied; use -r)", from);
		return 1;
	}
	if (mkdir(to, 0755) < 0 && !(errno == EEXIST && fsops_is_dir(to))) {
		tool_warn_errno(to);
		return 1;
	}
	DIR *d = opendir(from);
	if (!d) {
		tool_warn_errno(from);
		return 1;
	}
	int rc = 0;
	struct dirent *de;
	while ((de = readdir(d))) {
		char *a = tool_join(from, de->d_name), *b = tool_join(to, de->d_name);
		if (a && b)
			rc |= fsops_copy(a, b, true);
		else
			rc = 1;
		free(a);
		free(b);
	}
	closedir(d);
	return rc;
}

/* Removes what is inside directory path (listed first: removing while listing could
 * skip entries). */
static int remove_children(const char *path, bool quiet)
{
	struct fsops_entry *e;
	long n = fsops_list(path, true, &e);
	if (n < 0)
		return 1;
	int rc = 0;
	for (long i = 0; i < n; i++) {
		char *p = tool_join(path, e[i].name);
		rc |= p ? fsops_remove(p, true, quiet) : 1;
		free(p);
	}
	fsops_list_free(e, n);
	return rc;
}

int fsops_remove(const char *path, bool recursive, bool quiet)
{
	struct stat st;
	if (lstat(path, &st) < 0) {
		if (quiet && errno == ENOENT)
			return 0;
		tool_warn_errno(path);
		return 1;
	}
	if (S_ISDIR(st.st_mode)) {
		if (!recursive) {
			tool_warn("%s: is a directory (not removed; use -r)", path);
			return 1;
		}
		if (remove_children(path, quiet))
			return 1;
		if (rmdir(path) < 0) {
			tool_warn_errno(path);
			return 1;
		}
		return 0;
	}
	if (unlink(path) < 0 && !(quiet && errno == ENOENT)) {
		tool_warn_errno(path);
		return 1;
	}
	return 0;
}

int fsops_mkdir(const char *path, bool parents)
{
	if (!parents) {
		if (mkdir(path, 0755) < 0) {
			tool_warn_errno(path);
			return 1;
		}
		return 0;
	}
	char *p = strdup(path);
	if (!p) {
		tool_warn("%s: out of memory", path);
		return 1;
	}
	/* the prefixes end at each '/' after the scheme's "://" and host, or the leading '/' */
	char *s = strstr(p, "://");
	s = s ? strchr(s + 3, '/') : p;
	while (s && *s == '/')
		s++;
	int rc = 0;
	for (;;) {
		char *slash = s ? strchr(s, '/') : NULL;
		if (slash)
			*slash = '\0';
		/* an existing directory first: fs:///tmp is a kernel-tree entry that refuses
		 * creation (ENOTSUP) rather than saying EEXIST */
		if (*p && !fsops_is_dir(p) && mkdir(p, 0755) < 0) {
			tool_warn_errno(p);
			rc = 1;
			break;
		}
		if (!slash)
			break;
		*slash = '/';
		s = slash + 1;
		while (*s == '/')
			s++;
		if (!*s)
			break;
	}
	free(p);
	return rc;
}

const char *fsops_basename(const char *path)
{
	static char buf[256];
	size_t n = strlen(path);
	while (n > 1 && path[n - 1] == '/')
		n--;
	size_t start = n;
	while (start > 0 && path[start - 1] != '/')
		start--;
	size_t len = n - start < sizeof(buf) - 1 ? n - start : sizeof(buf) - 1;
	memcpy(buf, path + start, len);
	buf[len] = '\0';
	return buf;
}
