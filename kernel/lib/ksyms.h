/*
 * ksyms.h - kernel symbol table for backtraces.
 *
 * The table lives in the .ksyms section, filled in by a second link pass
 * (tools/gen-ksyms.sh); on the first pass it is empty and lookups fail.
 */
#pragma once
#include <stdint.h>

/* Name of the function containing addr and the offset into it, or NULL. */
const char *ksyms_lookup(uint64_t addr, uint64_t *offset);
/* Address of a symbol by exact name, or 0. */
uint64_t ksyms_address(const char *name);
