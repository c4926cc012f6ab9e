/*
 * spawn.h - starting a program in a new process, exokernel style: the parent builds
 * the child.
 *
 * ch_spawn() creates an empty process (paid for by the child's own sub-pool when it
 * gets one, else by a pool we hold: see "Who pays" below), maps each ELF
 * segment of the image into the child's address space itself (a memory object per
 * segment that is written, created already holding the segment's bytes; read-only
 * segments of initrd images shared between children through a cache we own),
 * builds the child's stack with the argument block and start_info of startup.h,
 * grants the child the capabilities the caller lists (plus handles to its own
 * process and address space, and optionally a sub-pool), and starts its first
 * thread at the ELF entry point. The child holds nothing we did not grant.
 *
 * Child address space: the ELF segments where the image says, a stack of
 * stack_size bytes ending at CH_STACK_TOP with nothing mapped below it (so running
 * off the bottom faults), and whatever the child maps itself.
 * The segment cache and, for argument blocks over 2 KiB, [CH_SCRATCH_BASE, +stack
 * size) of our own space are used unlocked, so two threads of one process must not
 * spawn at the same time.
 *
 * Who pays: with child_pool > 0 the sub-pool is split first (from pool) and pays for
 * everything made for the child: its process, and so every thread it starts, its
 * cspace and page tables (the kernel charges them to the pool a process was made
 * from), its written segments and its stack. The child's quota thus bounds what it
 * can cost us, and child_pool must cover that (about 65 KiB, the image's data and bss,
 * and the stack) on top of what the child makes. Cached read-only segments are paid
 * by our own "pool". Without child_pool, pool pays for everything.
 */
#pragma once

#include <stddef.h>
#include <stdint.h>

#include <abi/handle.h>
#include <abi/syscall.h>

#include <shared/elf.h>

#define CH_STACK_TOP UINT64_C(0x00007ffffff00000)
#define CH_STACK_SIZE (64u * 1024u)
#define CH_SCRATCH_BASE UINT64_C(0x0000200000000000)
#define CH_SPAWN_MAX_MEMS (ELF_MAX_PHNUM + 1) /* segments + stack */

/* One capability to put into the child's cspace under name. */
struct ch_grant {
	const char *name; /* name in the child's start_info (< 24 bytes) */
	handle_t handle; /* ours; needs RIGHT_TRANSFER */
	uint64_t rights; /* the child's copy gets these (a subset of handle's rights) */
};

#define CH_SPAWN_NO_SELF 1u /* do not grant "self.process" and "self.as" */
#define CH_SPAWN_NO_CACHE 2u /* give the child its own copy of every segment */

struct ch_spawn_args {
	const char *path; /* program; also the process name (its basename) */
	const void *image; /* the ELF image, or NULL: path in the initrd */
	size_t image_len; /* bytes of image */
	const char *const *argv; /* NULL-terminated; NULL: argv = { path, NULL } */
	const char *const *envp; /* NULL-terminated, or NULL */
	const struct ch_grant *grants;
	unsigned ngrants;
	handle_t pool; /* pays (for the sub-pool only, with one); HANDLE_INVALID: our "pool" */
	uint64_t child_pool; /* > 0: a sub-pool of this quota pays for the child; granted "pool" */
	size_t stack_size; /* 0: CH_STACK_SIZE; rounded up to pages */
	unsigned flags; /* CH_SPAWN_* */
};

/* A started child: our handles to it. */
struct ch_child {
	handle_t process; /* RIGHTS_ALL: wait, kill, status */
	handle_t as; /* its address space */
	handle_t thread; /* its first thread */
	handle_t pool; /* the sub-pool granted as "pool", or HANDLE_INVALID */
	uint64_t entry; /* where its first thread started */
	unsigned nmems;
	handle_t mems[CH_SPAWN_MAX_MEMS]; /* its own memory objects (not cached segments) */
};

/*
 * Starts the program a describes; fills *out. On failure nothing is left behind
 * (the half-built process is dropped unstarted). Errors: ERR_INVALID_ARGS (NULL a,
 * out or path, too many grants), the errors of ch_initrd_find() and elf_load() for
 * the image, of ch_args_build() for the arguments, and of the system calls
 * (ERR_NO_MEMORY when the pool is exhausted, ERR_ACCESS_DENIED for a grant we may not
 * transfer, ...).
 */
int ch_spawn(const struct ch_spawn_args *a, struct ch_child *out);
/*
 * ch_spawn, tried again every 10 ms while it fails with ERR_NO_MEMORY, for at most
 * timeout_ns: a child that just ended gives its pool back a moment after its end is
 * reported (and a driver lets go of what a dead client's session held when it next
 * runs), so a spawner that starts children one after another waits for that room.
 */
int ch_spawn_when_room(const struct ch_spawn_args *a, struct ch_child *out, uint64_t timeout_ns);

/*
 * Drops every handle in c (the child keeps running if it still is; kill it first
 * with ch_proc_kill(c->process) if that is not wanted) and clears c.
 */
void ch_child_release(struct ch_child *c);

/*
 * Drops our handles to the cached read-only segments (see below): their memory goes
 * back to our "pool" once no child maps it, and the next spawn loads them anew.
 */
void ch_spawn_cache_drop(void);
