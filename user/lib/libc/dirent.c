/*
 * dirent.c - opendir, readdir, closedir: a directory read a page at a time.
 *
 * A DIR is a descriptor opened with O_DIRECTORY, the cookie of SYS_NS_LIST
 * and one page of struct ns_dirent records (abi/ns.h); readdir hands them out
 * one by one and lists the next page when the last is used up, so a directory
 * of any size needs only this page. Entries come in the provider's order.
 */
#include <dirent.h>

#include <errno.h>
#include <fcntl.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "files.h"

#define DIR_PAGE 2048 /* holds the largest record (a 255-byte name) several times over */

struct __libc_dir {
	int fd;
	int end; /* the provider said there is no more */
	uint64_t cookie;
	size_t pos, len; /* records in page[pos..len) not handed out yet */
	struct dirent ent;
	_Alignas(8) char page[DIR_PAGE];
};

DIR *opendir(const char *path)
{
	DIR *d = malloc(sizeof(*d));
	if (!d) {
		errno = ENOMEM;
		return NULL;
	}
	*d = (DIR){.fd = open(path, O_RDONLY | O_DIRECTORY)};
	if (d->fd < 0) {
		free(d);
		return NULL;
	}
	return d;
}

struct dirent *readdir(DIR *d)
{
	if (d->pos == d->len) {
		if (d->end)
			return NULL;
		long n = __libc_ns_list(__libc_fd_handle(d->fd), &d->cookie, d->page, DIR_PAGE);
		if (n < 0) {
			__libc_fail(n, 0);
			return NULL;
		}
		d->pos = 0;
		d->len = (size_t)n;
		if (n == 0) {
			d->end = 1;
			return NULL;
		}
	}
	/* the kernel checked the records: each reclen within the page, each name in it */
	const struct ns_dirent *de = (const struct ns_dirent *)(d->page + d->pos);
	struct stat st;
	__libc_stat_fill(&(struct ns_stat){.type = de->type}, &st);
	d->ent.d_ino = de->node;
	d->ent.d_type = (unsigned char)((st.st_mode & S_IFMT) >> 12);
	memcpy(d->ent.d_name, de->name, de->namelen + 1u);
	d->pos += de->reclen;
	return &d->ent;
}

void rewinddir(DIR *d)
{
	d->cookie = 0;
	d->pos = d->len = 0;
	d->end = 0;
}

int closedir(DIR *d)
{
	int r = close(d->fd);
	free(d);
	return r;
}

int dirfd(DIR *d)
{
	return d->fd;
}
