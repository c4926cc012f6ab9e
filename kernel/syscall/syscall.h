/*
 * syscall.h - kernel side of the system call ABI (include/abi/syscall.h).
 *
 * The entry stub (arch/x86_64/syscall.S) saves the user registers and calls
 * syscall_dispatch(), which finds the action's row of abi/actions.h in the
 * table of kernel/syscall/table.c and decodes, once, what the row says:
 *
 *   target     OBJ: cap_lookup() with the row's type and rights (so
 *              ERR_BAD_HANDLE, ERR_WRONG_TYPE, ERR_ACCESS_DENIED in that
 *              order), the object downcast with its type's _from(); CAP: the
 *              same with any type; SLOT: the handle only; SELF: nothing. A
 *              target wider than 32 bits is ERR_BAD_HANDLE.
 *   arguments  every ARG_HANDLE wider than 32 bits is ERR_BAD_HANDLE; every
 *              fixed-size output pointer (ARG_OUT, ARG_OUT_OPT unless 0,
 *              ARG_OUT_HANDLE) must be a user range (user_range_ok()), or
 *              ERR_BAD_ADDRESS.
 *
 * then calls the handler with its target decoded, and releases the target's
 * reference when the handler returns. Handlers (one file per object family,
 * sys_*.c) are the rest of "decode, then invoke" (cap/invoke.h): they check
 * their other arguments, look up a second handle where the action has one
 * (always `cap_lookup(cs, (handle_t)a[i], ...)`: its width is checked
 * already), copy user memory only through mm/uaccess.h and return 0 / a
 * positive value or an ERR_* code having changed nothing.
 *
 * Output pointers, one rule: outputs are written last, with copy_to_user()
 * (new handles with syscall_publish() / syscall_put_handle()); when the write
 * faults the call returns ERR_BAD_ADDRESS and drops again the capabilities
 * it created, so it changed nothing. The dispatcher has already refused
 * fixed-size outputs outside user space; a handler checks a variable-sized
 * output (an event array, a kbus buffer) with user_range_ok() itself, before
 * it consumes anything it could not give back.
 *
 * A handler must not end the calling thread while the dispatcher holds its
 * target (SYS_PROC_KILL / SYS_THREAD_KILL on the caller): it marks the
 * caller killed and returns; the dispatcher releases the target and ends the
 * thread on its way out. SELF handlers hold nothing and may end it at once.
 */
#pragma once
#include <stdint.h>
#include <abi/actions.h>
#include <abi/handle.h>
#include <arch/entry.h>
#include <cap/invoke.h>

struct cspace;
struct trap_frame;
struct mem_pool;
struct memory;
struct aspace;
struct process;
struct uthread;
struct kobject;
struct endpoint;
struct kbus_waitset;
struct kbus_group;
struct ns_node;
struct hw_device;
struct hw_mmio;
struct hw_ioport;
struct hw_irq;

/*
 * The kernel type and downcast of every type an OBJ row names: the only
 * knowledge of object types the glue has. SYS_OBJ_<type>(X) is X(C type, _from).
 */
#define SYS_OBJ_OBJ_MEMORY_POOL(X) X(struct mem_pool, pool_from)
#define SYS_OBJ_OBJ_MEMORY(X) X(struct memory, memory_from)
#define SYS_OBJ_OBJ_ADDRESS_SPACE(X) X(struct aspace, aspace_from)
#define SYS_OBJ_OBJ_PROCESS(X) X(struct process, process_from)
#define SYS_OBJ_OBJ_THREAD(X) X(struct uthread, uthread_from)
#define SYS_OBJ_OBJ_DEBUG_LOG(X) X(struct kobject, debuglog_from) /* a bare kobject */
#define SYS_OBJ_OBJ_ENDPOINT(X) X(struct endpoint, endpoint_from)
#define SYS_OBJ_OBJ_WAITSET(X) X(struct kbus_waitset, waitset_from)
#define SYS_OBJ_OBJ_GROUP(X) X(struct kbus_group, group_from)
#define SYS_OBJ_OBJ_NS_NODE(X) X(struct ns_node, ns_node_from)
#define SYS_OBJ_OBJ_DEVICE(X) X(struct hw_device, hw_device_from)
#define SYS_OBJ_OBJ_MMIO(X) X(struct hw_mmio, hw_mmio_from)
#define SYS_OBJ_OBJ_IOPORT(X) X(struct hw_ioport, hw_ioport_from)
#define SYS_OBJ_OBJ_IRQ(X) X(struct hw_irq, hw_irq_from)
#define SYS_OBJ_OBJ_SCHED(X) X(struct kobject, schedctl_from) /* a bare kobject */
#define SYS_CTYPE(ctype, from) ctype
#define SYS_FROM(ctype, from) from

/*
 * The handlers' prototypes, one per row of abi/actions.h by its target kind,
 * so a row without a handler does not link:
 *
 *   SELF  long sys_<name>(struct cspace *cs, const uint64_t *a)
 *   SLOT  long sys_<name>(struct cspace *cs, handle_t slot, const uint64_t *a)
 *   CAP   long sys_<name>(struct cspace *cs, handle_t slot, const struct cap_ref *cap,
 *                         const uint64_t *a)
 *   OBJ   long sys_<name>(struct cspace *cs, struct <type> *obj, const struct cap_ref *cap,
 *                         const uint64_t *a)
 *
 * cs is the caller's cspace, a[0..4] the arguments, cap the decoded target
 * capability (its rights and badge; the dispatcher holds its reference).
 */
#define SYS_PROTO_SELF(name, type) long sys_##name(struct cspace *cs, const uint64_t *a);
#define SYS_PROTO_SLOT(name, type) \
	long sys_##name(struct cspace *cs, handle_t slot, const uint64_t *a);
#define SYS_PROTO_CAP(name, type)                                                    \
	long sys_##name(struct cspace *cs, handle_t slot, const struct cap_ref *cap, \
	                const uint64_t *a);
#define SYS_PROTO_OBJ(name, type)                                           \
	long sys_##name(struct cspace *cs, SYS_OBJ_##type(SYS_CTYPE) * obj, \
	                const struct cap_ref *cap, const uint64_t *a);
#define SYS_PROTO(action, name, wrapper, target, type, rights, args) SYS_PROTO_##target(name, type)
CH_ACTIONS(SYS_PROTO)
#undef SYS_PROTO

/*
 * The kbus register fast path: these read their words from, and write their
 * results into, the caller's saved frame (rsi, rdx, r10, r8, r9), so the
 * dispatcher calls them with the frame instead of an argument array; their
 * target is decoded like an OBJ row's.
 */
long sys_kbus_call_fast(struct endpoint *ep, const struct cap_ref *cap, struct trap_frame *tf);
long sys_kbus_reply_recv_fast(struct endpoint *ep, const struct cap_ref *cap,
                              struct trap_frame *tf);

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

/* syscall_dispatch(), the arch's system call entry into the table: arch/entry.h. */
