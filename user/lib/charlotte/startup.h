/*
 * startup.h - the initial state of a process, as data: the start_info that names its
 * capabilities and the argument block at the top of its first stack.
 *
 * Pure functions (no system calls), so the spawner and the program's side are both
 * tested on the host (tests/host/test_charlotte.c). The layout they build is the one
 * crt0.S reads and docs/userspace.md describes; the kernel builds the same for Exec:
 *
 *   top of stack (e.g. 0x7ffffff00000)
 *     argument strings, then environment strings (each NUL-terminated)
 *     padding to 16 bytes
 *     struct start_info                          <- start_info (16-aligned)
 *     padding to 16 bytes
 *     0                                          (reserved, for an auxiliary vector)
 *     start_info pointer
 *     NULL
 *     envp[0] .. envp[envc-1]
 *     NULL
 *     argv[0] .. argv[argc-1]                    <- argv = initial rsp (16-aligned)
 *   registers: rdi = argc, rsi = argv, rdx = envp, rcx = start_info
 */
#pragma once

#include <stddef.h>
#include <stdint.h>

#include <abi/handle.h>
#include <abi/syscall.h>

#define CH_ARGS_MAX 1024 /* arguments or environment strings, each */

/*
 * The handle called name in si, or HANDLE_INVALID when si is NULL, not a valid
 * start_info (magic, nhandles <= START_MAX_HANDLES) or has no such name. Names longer
 * than the field never match; a name field without a NUL is ignored.
 */
handle_t ch_start_info_find(const struct start_info *si, const char *name);

/* Empties si and stamps its magic. */
void ch_start_info_init(struct start_info *si);

/*
 * Appends (name, h) to si. Errors: ERR_INVALID_ARGS for an empty name or one that does
 * not fit the field with its NUL, ERR_ALREADY_EXISTS for a name already there,
 * ERR_NO_RESOURCES when si is full.
 */
int ch_start_info_add(struct start_info *si, const char *name, handle_t h);

/* Where ch_args_build put things, as addresses in the child. */
struct ch_args_layout {
	uint64_t sp; /* initial rsp = argv */
	uint64_t argc; /* rdi */
	uint64_t argv; /* rsi */
	uint64_t envp; /* rdx */
	uint64_t start_info; /* rcx */
	size_t used; /* bytes used at the top of the stack */
};

/*
 * Builds the argument block described above in buf, our view of the child's stack
 * [top - size, top), where top is a 16-aligned child address. argv and envp are
 * NULL-terminated (either may be NULL: empty); si is copied in. The block may use at
 * most half of size, leaving the rest for the stack proper. Fills *out on success.
 * Errors: ERR_INVALID_ARGS (NULL buf/si/out, top unaligned or size < 4096 or
 * top < size), ERR_BUFFER_TOO_SMALL (the block does not fit), ERR_NO_RESOURCES (more
 * than CH_ARGS_MAX strings in argv or envp).
 */
int ch_args_build(void *buf, size_t size, uint64_t top, const char *const *argv,
                  const char *const *envp, const struct start_info *si, struct ch_args_layout *out);
