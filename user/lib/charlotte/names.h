/*
 * names.h - words for numbers, for log lines: error codes, object types, rights,
 * CPU exceptions and how a process ended.
 *
 * Pure functions (no system calls; tested on the host). Unknown values get a
 * generic word, never NULL.
 */
#pragma once

#include <stddef.h>
#include <stdint.h>

#include <abi/syscall.h>

/* "ERR_NO_MEMORY" for ERR_NO_MEMORY, "OK" for 0, "ERR_?" for an unknown code. */
const char *ch_error_name(long err);

/* "memory", "address-space", "process", ... for enum obj_type; "unknown" otherwise. */
const char *ch_obj_type_name(uint32_t type);

/*
 * Writes rights as names joined by '|' ("read|map|transfer"), "none" for 0, and
 * "0x<hex>" for bits without a name; at most size bytes including the NUL. Returns buf.
 */
char *ch_rights_format(uint64_t rights, char *buf, size_t size);

/* The name of CPU exception vector ("#PF page fault"), or "exception" if unknown. */
const char *ch_exception_name(uint32_t vector);

/*
 * Describes how a process ended, for a log line: "exited with code N", "killed",
 * "faulted: #PF page fault at 0x401000 (address 0x0)" (the address only for page
 * faults; other faults show "(vector N)"), "running". Writes at most size bytes
 * including the NUL; returns buf.
 */
char *ch_proc_status_describe(const struct proc_status *st, char *buf, size_t size);
