/*
 * libc_mem.c - the libc's mapping hooks (libc/sys_hooks.h: __libc_map,
 * __libc_unmap, __libc_protect) over memory objects, SYS_NS_MAP and
 * SYS_AS_MAP. Addresses come from ch_va_reserve() (pager.h) and are not reused.
 */
#include <abi/errors.h>
#include <abi/rights.h>
#include <abi/syscall.h>
#include <libc/sys_hooks.h>
#include "ns.h"
#include "pager.h"
#include "start.h"
#include "syscall.h"

/* The kernel maps nothing without PROT_READ; a write or exec mapping can be read too. */
static unsigned prot_of(int prot)
{
	return (unsigned)prot | PROT_READ;
}

/* [addr, addr + len) of fresh memory, mapped with prot (read-write first when fill). */
static long map_fresh(handle_t as, uint64_t addr, uint64_t len, unsigned prot)
{
	handle_t mem;
	long r = ch_mem_create(ch_handle("pool"), len, &mem);
	if (r < 0)
		return r;
	r = ch_as_map(as, addr, mem, 0, len, prot);
	ch_cap_drop(mem); /* the mapping holds the object */
	return r;
}

/* A private copy of file's [off, off + len) at addr (the rest past its end zero). */
static long map_copy(handle_t as, handle_t file, uint64_t addr, uint64_t len, uint64_t off,
                     unsigned prot)
{
	long r = map_fresh(as, addr, len, PROT_READ | PROT_WRITE);
	for (uint64_t done = 0; r >= 0 && done < len;) {
		uint64_t k = len - done < NS_IO_MAX ? len - done : NS_IO_MAX;
		r = ch_ns_read(file, off + done, (void *)(uintptr_t)(addr + done), k, 0);
		if (r <= 0)
			break; /* the end of the file, or an error */
		done += (uint64_t)r;
	}
	if (r >= 0 && prot != (PROT_READ | PROT_WRITE))
		r = ch_as_protect(as, addr, len, prot);
	if (r < 0)
		ch_as_unmap(as, addr, len);
	return r < 0 ? r : 0;
}

/* file's own pages from off at addr, as far as its object goes (SYS_NS_MAP). */
static long map_shared(handle_t as, handle_t file, uint64_t addr, uint64_t len, uint64_t off,
                       unsigned prot)
{
	uint64_t rights = RIGHT_READ | (prot & PROT_WRITE ? RIGHT_WRITE : 0) |
	                  (prot & PROT_EXEC ? RIGHT_EXEC : 0);
	handle_t mem;
	uint64_t size = 0;
	long r = ch_ns_map(file, rights, &mem, &size, 0);
	if (r < 0)
		return r;
	if (off >= size)
		r = ERR_OUT_OF_RANGE;
	else /* pages past the object stay unmapped: touching them faults */
		r = ch_as_map(as, addr, mem, off, len < size - off ? len : size - off, prot);
	ch_cap_drop(mem);
	return r;
}

long __libc_map(handle_t file, uint64_t addr, uint64_t len, uint64_t off, int prot, int shared,
                uint64_t *out)
{
	handle_t as = ch_handle("self.as");
	if (as == HANDLE_INVALID)
		return ERR_NOT_FOUND;
	if (addr)
		ch_as_unmap(as, addr, len); /* MAP_FIXED replaces what was there */
	else if (!(addr = ch_va_reserve(len)))
		return ERR_NO_RESOURCES;
	long r = 0;
	if (prot == 0)
		r = 0; /* PROT_NONE: the range stays reserved and unmapped */
	else if (file == HANDLE_INVALID)
		r = map_fresh(as, addr, len, prot_of(prot));
	else if (shared || !(prot & PROT_WRITE)) {
		r = map_shared(as, file, addr, len, off, prot_of(prot));
		if (r == ERR_NOT_SUPPORTED && !shared) /* a provider that maps nothing */
			r = map_copy(as, file, addr, len, off, prot_of(prot));
	} else {
		r = map_copy(as, file, addr, len, off, prot_of(prot));
	}
	if (r < 0)
		return r;
	*out = addr;
	return 0;
}

long __libc_unmap(uint64_t addr, uint64_t len)
{
	return ch_as_unmap(ch_handle("self.as"), addr, len);
}

long __libc_protect(uint64_t addr, uint64_t len, int prot)
{
	if (prot == 0)
		return ERR_NOT_SUPPORTED; /* a mapped page is at least readable */
	return ch_as_protect(ch_handle("self.as"), addr, len, prot_of(prot));
}
