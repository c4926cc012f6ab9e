/*
 * iobitmap.c - setting ranges in the I/O permission bitmap (arch/iobitmap.h).
 */
#include <arch/iobitmap.h>

#define IO_PORTS 65536u

uint32_t io_bitmap_allow(uint8_t *bits, uint32_t len, uint32_t first, uint32_t count)
{
	if (first >= IO_PORTS || count == 0)
		return len;
	uint32_t end = count > IO_PORTS - first ? IO_PORTS : first + count; /* exclusive */
	uint32_t p = first;
	while (p < end && (p & 7))
		bits[p >> 3] &= (uint8_t) ~(1u << (p & 7)), p++;
	while (p + 8 <= end)
		bits[p >> 3] = 0, p += 8;
	while (p < end)
		bits[p >> 3] &= (uint8_t) ~(1u << (p & 7)), p++;
	uint32_t need = ((end - 1) >> 3) + 1;
	return need > len ? need : len;
}
