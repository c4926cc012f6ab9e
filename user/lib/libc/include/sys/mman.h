/*
 * sys/mman.h - mmap, munmap, mprotect, msync (mman.c; docs/userspace.md "Mapping
 * memory and files").
 *
 * Anonymous memory is a fresh zero-filled memory object of our pool. A file is
 * mapped with the memory capability its provider hands out for it (SYS_NS_MAP,
 * fsd its pager): MAP_SHARED, or MAP_PRIVATE without PROT_WRITE, maps the file's
 * own pages, which show later writes to the file. MAP_PRIVATE with PROT_WRITE,
 * or a file whose provider maps nothing (tmpfs), gets a private copy read at
 * mmap() time. A writable MAP_SHARED file mapping is refused (ENOTSUP): nothing
 * writes mapped pages back. Addresses of munmap()ed ranges are not reused.
 */
#pragma once

#include <sys/types.h>

#define PROT_NONE 0x0
#define PROT_READ 0x1 /* the values of abi/syscall.h's */
#define PROT_WRITE 0x2
#define PROT_EXEC 0x4

#define MAP_SHARED 0x01
#define MAP_PRIVATE 0x02
#define MAP_FIXED 0x10 /* exactly at addr, replacing what was mapped there */
#define MAP_ANONYMOUS 0x20
#define MAP_ANON MAP_ANONYMOUS

#define MAP_FAILED ((void *)-1)

#define MS_ASYNC 1
#define MS_INVALIDATE 2
#define MS_SYNC 4

void *mmap(void *addr, size_t len, int prot, int flags, int fd, off_t off);
int munmap(void *addr, size_t len);
int mprotect(void *addr, size_t len, int prot);
int msync(void *addr, size_t len, int flags);
