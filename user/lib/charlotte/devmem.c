/*
 * devmem.c - MMIO mappings and DMA memory for drivers (devmem.h).
 */
#include "devmem.h"

#include <abi/errors.h>
#include <abi/hw.h>
#include <abi/syscall.h>

#include "hw.h"
#include "pager.h"
#include "start.h"
#include "syscall.h"

#define PAGE 4096u

long ch_devmem_map_mmio(handle_t dev, uint32_t index, volatile uint8_t **regs, uint64_t *size)
{
	struct hw_resource res;
	handle_t mmio;
	long r = ch_dev_resource(dev, index, &res);
	if (r < 0)
		return r;
	if (res.kind != HW_RES_MMIO || res.size == 0)
		return ERR_WRONG_TYPE;
	r = ch_dev_mmio(dev, index, &mmio);
	if (r < 0)
		return r;
	uint64_t in = res.base & (PAGE - 1);
	uint64_t len = (in + res.size + PAGE - 1) & ~(uint64_t)(PAGE - 1);
	uint64_t va = ch_va_reserve(len);
	r = va ? ch_as_map(ch_handle("self.as"), va, mmio, 0, len, PROT_READ | PROT_WRITE)
	       : ERR_NO_RESOURCES;
	if (r < 0)
		return r;
	*regs = (volatile uint8_t *)(uintptr_t)(va + in);
	*size = res.size;
	return 0;
}

long ch_devmem_dma_alloc(handle_t dev, uint64_t pages, uint64_t *addrs, struct ch_dma *out)
{
	out->mem = HANDLE_INVALID;
	long r = ch_mem_create(ch_handle("pool"), pages * PAGE, &out->mem);
	uint64_t va = r >= 0 ? ch_va_reserve(pages * PAGE) : 0;
	if (r >= 0 && !va)
		r = ERR_NO_RESOURCES;
	if (r >= 0)
		r = ch_as_map(ch_handle("self.as"), va, out->mem, 0, pages * PAGE,
		              PROT_READ | PROT_WRITE);
	if (r >= 0)
		r = ch_dev_dma_map(dev, out->mem, addrs, pages);
	if (r < 0)
		return r;
	out->va = (uint8_t *)(uintptr_t)va;
	out->pages = pages;
	out->addr = addrs;
	return 0;
}
