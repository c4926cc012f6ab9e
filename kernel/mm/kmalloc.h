/*
 * kmalloc.h - the general-purpose kernel heap.
 *
 * kmalloc() serves sizes up to KMALLOC_MAX_SLAB from power-of-two slab caches
 * and larger sizes from whole pages. Returns NULL when memory is exhausted;
 * callers must turn that into ERR_NO_MEMORY, never panic. Memory is aligned to
 * at least 16 bytes. Safe on any CPU with interrupts on or off.
 */
#pragma once
#include <stddef.h>

void *kmalloc(size_t size);
void *kzalloc(size_t size);
void kfree(void *ptr);
