/*
 * arch/iobitmap.h - the x86 I/O permission bitmap's arithmetic (pure: the
 * host tests compile iobitmap.c alone).
 */
#pragma once
#include <stdint.h>

/*
 * Clear (allow) the bits of ports [first, first + count) in bits (8192
 * bytes, bit = port, 1 = denied). Ports beyond 65535 are ignored; count 0
 * does nothing. Returns the number of leading bytes that may now hold a clear
 * bit: max(len, byte of the last port + 1).
 */
uint32_t io_bitmap_allow(uint8_t *bits, uint32_t len, uint32_t first, uint32_t count);
