/*
 * pager.h - fsd as the pager of its files (docs/fsd.md "Mapped files").
 *
 * A regular file that someone maps gets a paged memory object (abi/syscall.h,
 * SYS_POOL_MEM_CREATE_PAGED) whose pages fsd supplies from the file on first
 * touch: the kernel calls fsd's pager endpoint with a struct mem_page_request
 * and fsd answers with SYS_MEM_SUPPLY (read-ahead: up to PAGER_READAHEAD bytes
 * within the end of the file, the last page's tail zeroed). Objects are kept
 * per inode, at most PAGER_OBJECTS of them (the least recently used one is
 * retired to make room), so a file mapped again finds its pages present.
 * Writes and truncates keep every page fsd supplied coherent
 * (MEM_SUPPLY_PRESENT), so every mapping sees the file as read() does.
 *
 * Not thread-safe: fsd's one thread calls everything here.
 */
#pragma once
#include <stdbool.h>
#include <stdint.h>

#include <abi/handle.h>

#include "ext2/ext2.h"

/* Objects kept at once (each costs fsd a handle, a bitmap and its supplied pages). */
#define PAGER_OBJECTS 32
/* Bytes supplied for one request at most (the faulting page first, then what follows). */
#define PAGER_READAHEAD (128u << 10)
/* Largest file mapped: its pages are charged to fsd's pool (docs/fsd.md). */
#define PAGER_MAP_MAX (4u << 20)

/* Start: pool pays for the objects, the channel of the pager endpoint; ERR_* on failure.
 * *ep is the end fsd receives requests on (add it to the waitset). */
long pager_init(struct ext2_fs *fs, handle_t pool, handle_t *ep);
/* Answer every request queued on the pager endpoint. */
void pager_serve(void);
/*
 * A capability to ino's object with rights (a subset of RIGHT_READ | RIGHT_MAP |
 * RIGHT_INSPECT | RIGHT_TRANSFER | RIGHT_DUPLICATE; never RIGHT_MANAGE) in *out, and
 * the file's size in *size. ERR_NOT_SUPPORTED (RIGHT_WRITE: shared writable maps are
 * not written back, so not given), ERR_ACCESS_DENIED (other rights), ERR_WRONG_TYPE
 * (not a regular file), ERR_OUT_OF_RANGE (larger than PAGER_MAP_MAX), ERR_NO_MEMORY,
 * ERR_NOT_FOUND.
 */
long pager_map(uint32_t ino, uint64_t rights, handle_t *out, uint64_t *size);
/* [off, off + len) of ino changed (a write): supplied pages get the new bytes. */
void pager_written(uint32_t ino, uint64_t off, uint64_t len);
/* ino's size changed (a truncate): pages past the new end read zeros. */
void pager_resized(uint32_t ino);
/* ino is about to be released (ext2_release): an unlinked file's object is supplied
 * whole and dropped, as the inode may be freed now. */
void pager_releasing(uint32_t ino);
/* Drop every object (mappers keep theirs: pages never supplied then fault) and the
 * pager endpoint: before the unmount. */
void pager_fini(void);
/* How many objects are kept (for tests through the control endpoint). */
unsigned pager_objects(void);
