/*
 * devmem.h - what every driver does with memory: map one of its device's MMIO
 * resources, and make DMA memory (a memory object from "pool", mapped here and
 * pinned for the device, with each page's device address). Built on the
 * hardware actions of charlotte/hw.h; the mappings come from ch_va_reserve().
 */
#pragma once
#include <stdint.h>

#include <abi/handle.h>

/*
 * Maps MMIO resource index of dev read-write (uncached) and points *regs at its
 * first byte (a resource that does not start on a page maps the page around
 * it); *size is the resource's size in bytes. ERR_WRONG_TYPE: not MMIO.
 */
long ch_devmem_map_mmio(handle_t dev, uint32_t index, volatile uint8_t **regs, uint64_t *size);

struct ch_dma {
	handle_t mem;
	uint8_t *va; /* our mapping */
	uint64_t pages;
	uint64_t *addr; /* device address of each page: addr[pages] (caller's array) */
};

/* pages zeroed pages of DMA memory for dev; addrs has room for pages entries. */
long ch_devmem_dma_alloc(handle_t dev, uint64_t pages, uint64_t *addrs, struct ch_dma *out);
