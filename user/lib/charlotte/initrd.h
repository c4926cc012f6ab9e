/*
 * initrd.h - files of the initrd, read in place.
 *
 * The initrd is a ustar archive the kernel hands to Exec as a read-only memory
 * capability ("initrd"); Exec passes it on to programs whose manifest line grants it.
 * The first lookup maps the whole archive read-only at CH_INITRD_BASE in our own
 * address space ("self.as") and keeps it there; lookups use the bounded ustar
 * reader the kernel uses too (<shared/ustar.h>), since the archive is untrusted
 * input. Not thread-safe on the first call.
 */
#pragma once

#include <stddef.h>
#include <stdint.h>

#define CH_INITRD_BASE UINT64_C(0x0000300000000000)

/*
 * Finds the regular file at path ("bin/hello", "./bin/hello" and "/bin/hello" are the
 * same) and points *data at its bytes (read-only, valid for the life of the process)
 * and *len at its size. Errors: ERR_NOT_FOUND (no capability "initrd" or "self.as",
 * or no such file), ERR_BAD_STATE (path names something other than a regular file),
 * the errors of SYS_MEM_INFO / SYS_AS_MAP when mapping, the ustar reader's
 * (ERR_MALFORMED, ERR_TRUNCATED) for a corrupt archive.
 */
int ch_initrd_find(const char *path, const void **data, size_t *len);
