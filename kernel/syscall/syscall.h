/*
 * syscall.h - kernel side of the system call ABI (include/abi/syscall.h).
 *
 * The entry stub (arch/x86_64/syscall.S) saves the user registers and calls
 * syscall_dispatch(), which finds the handler for the action in the table of
 * kernel/syscall/table.c and calls it with the caller's cspace, the target
 * handle and the five arguments. Handlers are "decode, then invoke"
 * (cap/invoke.h): look up the target with cap_lookup() first, check every
 * argument, copy user memory only through mm/uaccess.h, and return 0 / a
 * positive value or an ERR_* code having changed nothing.
 */
#pragma once
#include <stdint.h>
#include <abi/actions.h>
#include <abi/handle.h>

struct cspace;
struct trap_frame;

typedef long (*syscall_fn)(struct cspace *cs, handle_t target, const uint64_t *a);

/* The handlers (one file per object type under kernel/syscall/): sys_<name>() for
 * every row of abi/actions.h, so a row without a handler does not link. */
#define SYSCALL_PROTOTYPE(action, name, wrapper, type, rights) \
	long sys_##name(struct cspace *cs, handle_t target, const uint64_t *a);
CH_ACTIONS(SYSCALL_PROTOTYPE)
#undef SYSCALL_PROTOTYPE

/*
 * The kbus register fast path: these read their words from, and write their
 * results into, the caller's saved frame (rsi, rdx, r10, r8, r9), so the
 * dispatcher calls them with the frame instead of an argument array.
 */
long sys_kbus_call_fast(struct cspace *cs, handle_t target, struct trap_frame *tf);
long sys_kbus_reply_recv_fast(struct cspace *cs, handle_t target, struct trap_frame *tf);

struct kobject;
/*
 * Write a new handle to user memory at uptr; if that fails, drop it again and
 * return ERR_BAD_ADDRESS, so the failed call keeps nothing (publish.c).
 */
long syscall_put_handle(struct cspace *cs, handle_t h, uint64_t uptr);
/*
 * Give obj a root capability with rights in cs and write its handle to uptr.
 * Consumes the caller's reference on obj. Errors as cap_insert_root, or
 * ERR_BAD_ADDRESS (then nothing stays behind).
 */
long syscall_publish(struct cspace *cs, struct kobject *obj, uint64_t rights, uint64_t uptr);

/* syscall.S: decode and run the system call in tf (rax = action), result in tf->rax. */
void syscall_dispatch(struct trap_frame *tf);

/* Look up the handler of an action; NULL if there is none. */
syscall_fn syscall_lookup(uint64_t action);
