/*
 * mman.c - mmap, munmap, mprotect, msync (sys/mman.h): the POSIX checks and
 * errno here, the mapping itself in the hooks (__libc_map, sys_hooks.h).
 */
#include <sys/mman.h>

#include <errno.h>
#include <fcntl.h>
#include <stdint.h>
#include <abi/errors.h>
#include <abi/handle.h>

#include "files.h"

#define PAGE 4096u
#define PROT_ALL (PROT_READ | PROT_WRITE | PROT_EXEC)

static int aligned(uintptr_t v)
{
	return (v & (PAGE - 1)) == 0;
}

/* len rounded up to pages; 0 when it is 0 or too big to round */
static uint64_t pages_of(size_t len)
{
	return len == 0 || len > SIZE_MAX - PAGE
	           ? 0
	           : ((uint64_t)len + PAGE - 1) & ~(uint64_t)(PAGE - 1);
}

void *mmap(void *addr, size_t len, int prot, int flags, int fd, off_t off)
{
	int kind = flags & (MAP_SHARED | MAP_PRIVATE);
	uint64_t n = pages_of(len);
	if (n == 0 || off < 0 || !aligned((uintptr_t)off) || (prot & ~PROT_ALL) ||
	    (kind != MAP_SHARED && kind != MAP_PRIVATE) ||
	    (flags & ~(MAP_SHARED | MAP_PRIVATE | MAP_FIXED | MAP_ANONYMOUS)) ||
	    ((flags & MAP_FIXED) && (!addr || !aligned((uintptr_t)addr)))) {
		errno = EINVAL;
		return MAP_FAILED;
	}
	if ((prot & PROT_WRITE) && (prot & PROT_EXEC)) {
		errno = ENOTSUP; /* W^X: never both */
		return MAP_FAILED;
	}
	uint64_t at = flags & MAP_FIXED ? (uint64_t)(uintptr_t)addr : 0, out = 0;
	handle_t file = HANDLE_INVALID;
	if (!(flags & MAP_ANONYMOUS)) {
		int acc = __libc_fd_access(fd, &file);
		if (acc < 0)
			return MAP_FAILED; /* EBADF */
		/* reading is needed to map at all; writing through a shared map, the write mode */
		if (acc == O_WRONLY ||
		    (kind == MAP_SHARED && (prot & PROT_WRITE) && acc != O_RDWR)) {
			errno = EACCES;
			return MAP_FAILED;
		}
	}
	long r = __libc_map(file, at, n, (uint64_t)off, prot, kind == MAP_SHARED, &out);
	if (r < 0) {
		errno = r == ERR_NOT_SUPPORTED  ? (file == HANDLE_INVALID ? ENOMEM : ENOTSUP)
		        : r == ERR_WRONG_TYPE   ? ENODEV
		        : r == ERR_OUT_OF_RANGE ? (file == HANDLE_INVALID ? ENOMEM : EOVERFLOW)
		        : r == ERR_ALREADY_EXISTS || r == ERR_NO_RESOURCES ? ENOMEM
		                                                           : __libc_errno_of(r, 0);
		return MAP_FAILED;
	}
	return (void *)(uintptr_t)out;
}

int munmap(void *addr, size_t len)
{
	uint64_t n = pages_of(len);
	if (!aligned((uintptr_t)addr) || n == 0) {
		errno = EINVAL;
		return -1;
	}
	long r = __libc_unmap((uint64_t)(uintptr_t)addr, n);
	return r < 0 ? __libc_fail(r, 0) : 0;
}

int mprotect(void *addr, size_t len, int prot)
{
	uint64_t n = pages_of(len);
	if (!aligned((uintptr_t)addr) || n == 0 || (prot & ~PROT_ALL)) {
		errno = EINVAL;
		return -1;
	}
	long r = __libc_protect((uint64_t)(uintptr_t)addr, n, prot);
	if (r == ERR_NOT_FOUND || r == ERR_INVALID_ARGS) {
		errno = ENOMEM; /* POSIX: not (all) mapped */
		return -1;
	}
	return r < 0 ? (errno = r == ERR_ACCESS_DENIED ? EACCES : __libc_errno_of(r, 0), -1) : 0;
}

/* Nothing to write back: shared file mappings are read-only (sys/mman.h), and their
 * pages already are the file's. */
int msync(void *addr, size_t len, int flags)
{
	if (!aligned((uintptr_t)addr) || (flags & ~(MS_ASYNC | MS_SYNC | MS_INVALIDATE)) ||
	    ((flags & MS_ASYNC) && (flags & MS_SYNC))) {
		errno = EINVAL;
		return -1;
	}
	(void)len;
	return 0;
}
