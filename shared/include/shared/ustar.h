/*
 * ustar.h - read-only POSIX ustar reader for the initrd, shared by the kernel
 * and libcharlotte (shared/ustar.c, built once for each).
 *
 * The initrd is a tar archive GRUB loads as a module; the kernel, and later
 * programs that map it, read it in place. The archive is untrusted input: each 512-byte header must carry the
 * ustar magic (POSIX "ustar\0" "00" or GNU "ustar  \0") and a correct checksum
 * (unsigned or signed byte sum), octal fields are parsed strictly (digits, then
 * only space/NUL; base-256 numbers are rejected), and a member's data must lie
 * inside the buffer. Nothing is copied except the path; entry data pointers
 * point into the archive, which must outlive them.
 *
 * Not supported (entries are returned but not interpreted): pax 'x'/'g'
 * headers and GNU 'L'/'K' long names; build the initrd with --format=ustar.
 * No state, no locks, no allocation.
 */
#pragma once
#include <stddef.h>
#include <stdint.h>

#define USTAR_BLOCK 512
#define USTAR_PATH_MAX 256 /* prefix (155) + '/' + name (100) */
#define USTAR_END 1 /* ustar_next(): no more entries */

/* Type flags (the header's typeflag byte; an old-style '\0' is reported as '0'). */
#define USTAR_FILE '0'
#define USTAR_HARDLINK '1'
#define USTAR_SYMLINK '2'
#define USTAR_DIR '5'

struct ustar_entry {
	const char *name; /* points at path[]: re-point it after copying the struct */
	char path[USTAR_PATH_MAX + 1];
	char linkname[101]; /* target of a link entry, NUL-terminated */
	char type;
	uint32_t mode;
	uint64_t size;
	const void *data; /* size bytes inside the archive */
};

/*
 * Read the entry whose header is at *offset (start with 0) and advance *offset
 * past its data. The path is normalised: leading "./" and "/" and trailing "/"
 * removed, so "./bin/init" reads "bin/init" and the root entry "./" reads "".
 * Returns 0 with *out filled, USTAR_END at an all-zero block or the end of the
 * buffer (repeatable: *offset stays put), or an error (*offset unchanged):
 *   ERR_INVALID_ARGS  NULL pointer, or *offset (< len) not a multiple of 512
 *   ERR_MALFORMED     bad magic, checksum or numeric field
 *   ERR_TRUNCATED     a header or the member's data runs past len
 */
int ustar_next(const void *archive, size_t len, size_t *offset, struct ustar_entry *out);

/*
 * Find the first entry whose normalised path equals path (normalised the same
 * way, so "./etc/motd", "/etc/motd" and "etc/motd" all match). Returns 0 with
 * *out filled, ERR_NOT_FOUND, or the first error ustar_next() met before it.
 */
int ustar_find(const void *archive, size_t len, const char *path, struct ustar_entry *out);
