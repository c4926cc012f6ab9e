/*
 * libc_mem_fake.c - the libc's mapping hooks (sys_hooks.h __libc_map, __libc_unmap,
 * __libc_protect, renamed cl___libc_*) over the host's mmap: a file's bytes are
 * copied in through the fake namespace's read hook (no sharing on the host).
 */
#include "libc_cl.h"

#include <string.h>
#include <sys/mman.h>

#include <abi/errors.h>

struct cl_fake_mem cl_fake_mem;

long cl___libc_map(handle_t file, uint64_t addr, uint64_t len, uint64_t off, int prot, int shared,
                   uint64_t *out)
{
	cl_fake_mem.maps++;
	cl_fake_mem.last_shared = shared;
	cl_fake_mem.last_prot = prot;
	cl_fake_mem.last_file = file;
	if (cl_fake_mem.fail)
		return cl_fake_mem.fail;
	void *p = mmap(addr ? (void *)(uintptr_t)addr : NULL, len, PROT_READ | PROT_WRITE,
	               MAP_PRIVATE | MAP_ANONYMOUS | (addr ? MAP_FIXED : 0), -1, 0);
	if (p == MAP_FAILED)
		return ERR_NO_MEMORY;
	for (uint64_t done = 0; file != HANDLE_INVALID && done < len;) {
		long r = cl___libc_ns_read(file, off + done, (char *)p + done, len - done);
		if (r < 0) {
			munmap(p, len);
			return r;
		}
		if (r == 0)
			break;
		done += (uint64_t)r;
	}
	mprotect(p, len, prot);
	*out = (uint64_t)(uintptr_t)p;
	return 0;
}

long cl___libc_unmap(uint64_t addr, uint64_t len)
{
	cl_fake_mem.unmaps++;
	return munmap((void *)(uintptr_t)addr, len) ? ERR_INVALID_ARGS : 0;
}

long cl___libc_protect(uint64_t addr, uint64_t len, int prot)
{
	cl_fake_mem.protects++;
	return mprotect((void *)(uintptr_t)addr, len, prot) ? ERR_NOT_FOUND : 0;
}
