/*
 * bulk.c - bulk data through shared memory capabilities (see bulk.h for the
 * protocol).
 *
 * Everything the receiver maps comes from a message it does not trust: the
 * handle must be a memory object (SYS_MEM_INFO works only on those), and the
 * announced range must lie inside it, before anything is mapped.
 */
#include "bulk.h"

#include <string.h>

#include <abi/errors.h>

#include "pager.h"
#include "start.h"
#include "syscall.h"

#define PAGE UINT64_C(4096)

static uint64_t page_up(uint64_t x)
{
	return (x + PAGE - 1) & ~(PAGE - 1);
}

/* Maps mem (size bytes) at a fresh reserved address with prot; fills b->addr/size. */
static long bulk_map(handle_t mem, uint64_t size, uint32_t prot, struct ch_bulk *b)
{
	handle_t as = ch_handle("self.as");
	if (as == HANDLE_INVALID)
		return ERR_NOT_FOUND;
	uint64_t va = ch_va_reserve(size);
	if (!va)
		return ERR_NO_RESOURCES;
	long r = ch_as_map(as, va, mem, 0, size, prot);
	if (r < 0)
		return r;
	b->addr = (void *)(uintptr_t)va;
	b->size = size;
	return 0;
}

int ch_bulk_create(handle_t pool, uint64_t size, struct ch_bulk *b)
{
	handle_t mem;

	memset(b, 0, sizeof(*b));
	if (pool == HANDLE_INVALID)
		pool = ch_handle("pool");
	if (pool == HANDLE_INVALID)
		return ERR_NOT_FOUND;
	if (size == 0 || page_up(size) < size)
		return ERR_INVALID_ARGS;
	long r = ch_mem_create(pool, size, &mem);
	if (r < 0)
		return (int)r;
	r = bulk_map(mem, page_up(size), PROT_READ | PROT_WRITE, b);
	if (r < 0) {
		ch_cap_drop(mem);
		return (int)r;
	}
	b->mem = mem;
	return 0;
}

long ch_bulk_send(handle_t ep, struct ch_bulk *b, uint64_t offset, uint64_t len, uint64_t tag,
                  enum ch_bulk_mode mode, uint32_t flags, uint64_t timeout)
{
	struct ch_bulk_msg m = {.offset = offset, .len = len, .tag = tag};
	handle_t h = b->mem;
	struct ch_msg_caps caps = {.handles = &h, .count = 1};
	long r;

	if (b->mem == HANDLE_INVALID || offset > b->size || len > b->size - offset)
		return ERR_INVALID_ARGS;
	switch (mode) {
	case CH_BULK_MOVE:
		break;
	case CH_BULK_COPY:
		caps.copy_mask = 1;
		break;
	case CH_BULK_READONLY:
		r = ch_cap_derive(b->mem, RIGHT_READ | RIGHT_MAP | RIGHT_INSPECT | RIGHT_TRANSFER,
		                  0, &h);
		if (r < 0)
			return r;
		break;
	default:
		return ERR_INVALID_ARGS;
	}
	r = ch_msg_send_typed(ep, CH_MSG_TYPE_BULK, &m.hdr, sizeof(m), &caps, flags, timeout);
	if (r < 0) {
		if (mode == CH_BULK_READONLY)
			ch_cap_drop(h);
		return r;
	}
	if (mode == CH_BULK_MOVE)
		b->mem = HANDLE_INVALID;
	return r;
}

long ch_bulk_recv(handle_t ep, struct ch_bulk *b, uint32_t flags, uint64_t timeout)
{
	struct ch_bulk_msg m;
	handle_t hs[1] = {HANDLE_INVALID};
	struct ch_msg_caps caps = {.handles = hs, .capacity = 1};
	uint64_t size;

	memset(b, 0, sizeof(*b));
	long r = ch_msg_recv_typed(ep, CH_MSG_TYPE_BULK, &m.hdr, sizeof(m), &caps, flags, timeout);
	if (r < 0)
		return r;
	if ((r = ch_bulk_msg_check(&m, (uint32_t)r, caps.count, hs)) < 0)
		goto out_drop;
	if (ch_mem_info(hs[0], &size) < 0 || ch_bulk_range_check(&m, size) < 0) {
		r = ERR_MALFORMED;
		goto out_drop;
	}
	if ((r = bulk_map(hs[0], size, PROT_READ, b)) < 0)
		goto out_drop;
	b->mem = hs[0];
	b->offset = m.offset;
	b->len = m.len;
	b->tag = m.tag;
	return (long)m.len;

out_drop:
	for (uint32_t i = 0; i < caps.count; i++)
		if (hs[i] != HANDLE_INVALID)
			ch_cap_drop(hs[i]);
	return r;
}

void ch_bulk_destroy(struct ch_bulk *b)
{
	if (b->addr)
		ch_as_unmap(ch_handle("self.as"), (uint64_t)(uintptr_t)b->addr, b->size);
	if (b->mem != HANDLE_INVALID)
		ch_cap_drop(b->mem);
	memset(b, 0, sizeof(*b));
}
