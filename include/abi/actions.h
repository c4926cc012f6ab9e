/*
 * actions.h - the one list of system call actions.
 *
 * Every action the kernel dispatches is one row of CH_ACTIONS (the X-macro
 * pattern of SerenityOS's ENUMERATE_SYSCALLS):
 *
 *     X(ACTION, name, wrapper, target, type, rights, (args...))
 *
 *   ACTION   its number, SYS_* from abi/syscall.h or abi/kbus.h (where its
 *            arguments and errors are documented beside it)
 *   name     the kernel's handler is sys_<name>() (kernel/syscall/)
 *   wrapper  libcharlotte's C wrapper for it
 *   target   what the target handle names, decoded by the dispatcher before
 *            the handler runs (handlers never look up their target):
 *              SELF  nothing: the action is on the caller (target ignored)
 *              OBJ   an object of `type` through a capability with `rights`;
 *                    the handler gets the object, typed, and the capability
 *              CAP   a capability of any type holding `rights` (the cap_*
 *                    actions, which work on the capability itself); the
 *                    handler gets the slot's handle and the decoded capability
 *              SLOT  a slot of the caller's cspace, whatever it holds, with no
 *                    right needed (SYS_CAP_DROP: dropping is what one may
 *                    always do with a handle one has, so there is nothing to
 *                    decode; the drop itself says ERR_BAD_HANDLE)
 *   type     the object type of an OBJ target (OBJ_NONE otherwise)
 *   rights   the rights the target capability must hold (0: none)
 *   args     a0.. in order, one ARG_* kind each (below); missing ones are
 *            unused and ignored by the kernel
 *
 * Argument kinds. The dispatcher acts on two of them for every action alike:
 * an ARG_HANDLE wider than 32 bits is ERR_BAD_HANDLE, and a fixed-size output
 * (ARG_OUT, ARG_OUT_OPT when not 0, ARG_OUT_HANDLE) that is not a user range
 * is ERR_BAD_ADDRESS, both right after the target and before the handler.
 * sysfuzz generates each argument by its kind; the rest is documentation.
 *
 * From this list come the kernel's dispatch table, its handlers' prototypes
 * and the glue that hands them their decoded target (kernel/syscall/),
 * libcharlotte's wrapper check (user/lib/charlotte/actions.c) and sysfuzz's
 * actions, names, target types and argument kinds. A row without a handler
 * or a wrapper does not build (an undeclared identifier / undefined
 * reference). The two actions of the register fast path, which the
 * dispatcher decodes before the table, are CH_FAST_ACTIONS.
 */
#pragma once
#include <abi/debug.h>
#include <abi/handle.h>
#include <abi/hw.h>
#include <abi/kbus.h>
#include <abi/ns.h>
#include <abi/rights.h>
#include <abi/sched.h>
#include <abi/syscall.h>

/* What a target names (the target column). */
#define CH_TARGET_SELF 0
#define CH_TARGET_OBJ 1
#define CH_TARGET_CAP 2
#define CH_TARGET_SLOT 3

/*
 * Argument kinds, each one 64-bit constant: kind in bits 0-7, an auxiliary
 * value in 8-15 (an object type, or the index of the argument holding a
 * count), the size in bytes of what a pointer points at in bits 32-63.
 */
#define CH_ARG(kind, aux, size) ((uint64_t)(kind) | (uint64_t)(aux) << 8 | (uint64_t)(size) << 32)
#define CH_ARG_KIND(k) ((unsigned)((k)&0xff))
#define CH_ARG_AUX(k) ((unsigned)(((k) >> 8) & 0xff))
#define CH_ARG_BYTES(k) ((uint32_t)((k) >> 32))

enum ch_arg_kind {
	CH_ARG_UNUSED = 0,
	/* integers, never dereferenced */
	CH_ARG_INT, /* any value (exit code, badge, words of the fast path) */
	CH_ARG_SIZE, /* a byte count or offset */
	CH_ARG_COUNT, /* a small count (queue depth) */
	CH_ARG_ADDR, /* an address in an address space (mapped, queried, jumped to) */
	CH_ARG_RIGHTS, /* a RIGHT_* mask */
	CH_ARG_PROT, /* a PROT_* mask */
	CH_ARG_FLAGS, /* the action's flag bits */
	CH_ARG_TIMEOUT, /* nanoseconds (UINT64_MAX: forever) or a deadline */
	CH_ARG_KEY, /* a key of the caller's choosing */
	/* handles */
	CH_ARG_HANDLE, /* a handle of type aux (OBJ_NONE: any); 0 may mean none */
	/* user pointers */
	CH_ARG_IN, /* read: size bytes */
	CH_ARG_IN_IF, /* read: size bytes, only when a flag argument asks */
	CH_ARG_IN_BYTES, /* read: as many bytes as argument aux says */
	CH_ARG_OUT, /* written: size bytes */
	CH_ARG_OUT_OPT, /* written: size bytes, unless it is 0 */
	CH_ARG_OUT_HANDLE, /* written: size / 4 new handles of type aux (OBJ_NONE: the target's) */
	CH_ARG_OUT_ARRAY, /* written: up to argument aux elements of size bytes */
	CH_ARG_MSG, /* read: a struct kbus_msg, its data and its handles */
	CH_ARG_MSG_OPT, /* the same, or 0: no message */
	CH_ARG_BUF, /* read and written: a struct kbus_buf and the buffers it names */
};

#define ARG_INT CH_ARG(CH_ARG_INT, 0, 0)
#define ARG_SIZE CH_ARG(CH_ARG_SIZE, 0, 0)
#define ARG_COUNT CH_ARG(CH_ARG_COUNT, 0, 0)
#define ARG_ADDR CH_ARG(CH_ARG_ADDR, 0, 0)
#define ARG_RIGHTS CH_ARG(CH_ARG_RIGHTS, 0, 0)
#define ARG_PROT CH_ARG(CH_ARG_PROT, 0, 0)
#define ARG_FLAGS CH_ARG(CH_ARG_FLAGS, 0, 0)
#define ARG_TIMEOUT CH_ARG(CH_ARG_TIMEOUT, 0, 0)
#define ARG_KEY CH_ARG(CH_ARG_KEY, 0, 0)
#define ARG_HANDLE(type) CH_ARG(CH_ARG_HANDLE, type, 0)
#define ARG_IN(T) CH_ARG(CH_ARG_IN, 0, sizeof(T))
#define ARG_IN_IF(T) CH_ARG(CH_ARG_IN_IF, 0, sizeof(T))
#define ARG_IN_BYTES(len_arg) CH_ARG(CH_ARG_IN_BYTES, len_arg, 0)
#define ARG_OUT(T) CH_ARG(CH_ARG_OUT, 0, sizeof(T))
#define ARG_OUT_OPT(T) CH_ARG(CH_ARG_OUT_OPT, 0, sizeof(T))
#define ARG_OUT_HANDLE(type, n) CH_ARG(CH_ARG_OUT_HANDLE, type, (n) * sizeof(handle_t))
#define ARG_OUT_ARRAY(T, count_arg) CH_ARG(CH_ARG_OUT_ARRAY, count_arg, sizeof(T))
#define ARG_MSG CH_ARG(CH_ARG_MSG, 0, sizeof(struct kbus_msg))
#define ARG_MSG_OPT CH_ARG(CH_ARG_MSG_OPT, 0, sizeof(struct kbus_msg))
#define ARG_BUF CH_ARG(CH_ARG_BUF, 0, sizeof(struct kbus_buf))

/*
 * A row's args as constant expressions: CH_ARGS_ARRAY(args) initializes a
 * uint64_t[CH_MAX_ARGS]; CH_ARGS_MASK(kind, args) has bit i set when a_i is
 * of that kind.
 */
#define CH_MAX_ARGS 5
#define CH_UNPAREN(...) __VA_ARGS__
#define CH_ARGS_ARRAY(args)     \
	{                       \
		CH_UNPAREN args \
	}
#define CH_ARGS_MASK(kind, args) CH_ARGS_MASK_(kind, CH_UNPAREN args)
#define CH_ARGS_MASK_(kind, ...) CH_ARGS_MASK__(kind, __VA_ARGS__ + 0, 0, 0, 0, 0, 0)
#define CH_ARGS_MASK__(kind, a0, a1, a2, a3, a4, ...)                                \
	(CH_ARG_IS(kind, a0) | CH_ARG_IS(kind, a1) << 1 | CH_ARG_IS(kind, a2) << 2 | \
	 CH_ARG_IS(kind, a3) << 3 | CH_ARG_IS(kind, a4) << 4)
#define CH_ARG_IS(kind, k) ((uint32_t)(CH_ARG_KIND(k) == (kind)))

/* clang-format off */
#define CH_ACTIONS(X) \
	X(SYS_SELF_NULL,         self_null,         ch_null,             SELF, OBJ_NONE,          0, ()) \
	X(SYS_SELF_THREAD_EXIT,  self_thread_exit,  ch_thread_exit,      SELF, OBJ_NONE,          0, (ARG_INT)) \
	X(SYS_SELF_PROCESS_EXIT, self_process_exit, ch_exit,             SELF, OBJ_NONE,          0, (ARG_INT)) \
	X(SYS_SELF_YIELD,        self_yield,        ch_yield,            SELF, OBJ_NONE,          0, ()) \
	X(SYS_SELF_CLOCK,        self_clock,        ch_clock_ns,         SELF, OBJ_NONE,          0, ()) \
	X(SYS_SELF_SLEEP,        self_sleep,        ch_sleep_ns,         SELF, OBJ_NONE,          0, (ARG_TIMEOUT)) \
	X(SYS_SELF_FUTEX_WAIT,   self_futex_wait,   ch_futex_wait,       SELF, OBJ_NONE,          0, \
	  (ARG_ADDR, ARG_INT, ARG_TIMEOUT)) \
	X(SYS_SELF_FUTEX_WAKE,   self_futex_wake,   ch_futex_wake,       SELF, OBJ_NONE,          0, \
	  (ARG_ADDR, ARG_COUNT)) \
	X(SYS_SELF_SLEEP_UNTIL,  self_sleep_until,  ch_sleep_until,      SELF, OBJ_NONE,          0, (ARG_TIMEOUT)) \
	X(SYS_CAP_DERIVE,        cap_derive,        ch_cap_derive,       CAP,  OBJ_NONE,          RIGHT_DUPLICATE, \
	  (ARG_RIGHTS, ARG_INT, ARG_OUT_HANDLE(OBJ_NONE, 1))) \
	X(SYS_CAP_DUPLICATE,     cap_duplicate,     ch_cap_duplicate,    CAP,  OBJ_NONE,          RIGHT_DUPLICATE, \
	  (ARG_OUT_HANDLE(OBJ_NONE, 1))) \
	X(SYS_CAP_DROP,          cap_drop,          ch_cap_drop,         SLOT, OBJ_NONE,          0, ()) \
	X(SYS_CAP_REVOKE,        cap_revoke,        ch_cap_revoke,       CAP,  OBJ_NONE,          RIGHT_REVOKE, ()) \
	X(SYS_CAP_INSPECT,       cap_inspect,       ch_cap_inspect,      CAP,  OBJ_NONE,          RIGHT_INSPECT, \
	  (ARG_OUT(struct cap_info))) \
	X(SYS_POOL_MEM_CREATE,   pool_mem_create,   ch_mem_create,       OBJ,  OBJ_MEMORY_POOL,   RIGHT_CREATE, \
	  (ARG_SIZE, ARG_FLAGS, ARG_OUT_HANDLE(OBJ_MEMORY, 1), ARG_IN_IF(struct mem_fill))) \
	X(SYS_POOL_INFO,         pool_info,         ch_pool_info,        OBJ,  OBJ_MEMORY_POOL,   RIGHT_INSPECT, \
	  (ARG_OUT(struct pool_info))) \
	X(SYS_POOL_SPLIT,        pool_split,        ch_pool_split,       OBJ,  OBJ_MEMORY_POOL,   RIGHT_MANAGE, \
	  (ARG_SIZE, ARG_OUT_HANDLE(OBJ_MEMORY_POOL, 1))) \
	X(SYS_POOL_KMEM_INFO,    pool_kmem_info,    ch_kmem_info,        OBJ,  OBJ_MEMORY_POOL,   RIGHT_INSPECT, \
	  (ARG_OUT(struct kmem_info))) \
	X(SYS_MEM_INFO,          mem_info,          ch_mem_info,         OBJ,  OBJ_MEMORY,        RIGHT_INSPECT, \
	  (ARG_OUT(uint64_t))) \
	X(SYS_POOL_MEM_CREATE_PAGED, pool_mem_create_paged, ch_mem_create_paged, OBJ, OBJ_MEMORY_POOL, RIGHT_CREATE, \
	  (ARG_SIZE, ARG_HANDLE(OBJ_ENDPOINT), ARG_KEY, ARG_OUT_HANDLE(OBJ_MEMORY, 1))) \
	X(SYS_MEM_SUPPLY,        mem_supply,        ch_mem_supply,       OBJ,  OBJ_MEMORY,        RIGHT_MANAGE, \
	  (ARG_SIZE, ARG_SIZE, ARG_ADDR, ARG_FLAGS)) \
	X(SYS_MEM_SET_CONTENT,   mem_set_content,   ch_mem_set_content,  OBJ,  OBJ_MEMORY,        RIGHT_MANAGE, \
	  (ARG_SIZE)) \
	X(SYS_AS_MAP,            as_map,            ch_as_map,           OBJ,  OBJ_ADDRESS_SPACE, RIGHT_MAP, \
	  (ARG_ADDR, ARG_HANDLE(OBJ_MEMORY), ARG_SIZE, ARG_SIZE, ARG_PROT)) \
	X(SYS_AS_UNMAP,          as_unmap,          ch_as_unmap,         OBJ,  OBJ_ADDRESS_SPACE, RIGHT_MAP, \
	  (ARG_ADDR, ARG_SIZE)) \
	X(SYS_AS_PROTECT,        as_protect,        ch_as_protect,       OBJ,  OBJ_ADDRESS_SPACE, RIGHT_MAP, \
	  (ARG_ADDR, ARG_SIZE, ARG_PROT)) \
	X(SYS_AS_QUERY,          as_query,          ch_as_query,         OBJ,  OBJ_ADDRESS_SPACE, RIGHT_INSPECT, \
	  (ARG_ADDR, ARG_OUT(struct as_region))) \
	X(SYS_PROC_CREATE,       proc_create,       ch_proc_create,      OBJ,  OBJ_MEMORY_POOL,   RIGHT_CREATE, \
	  (ARG_IN_BYTES(1), ARG_SIZE, ARG_OUT(struct proc_create_out))) \
	X(SYS_PROC_GRANT,        proc_grant,        ch_proc_grant,       OBJ,  OBJ_PROCESS,       RIGHT_MANAGE, \
	  (ARG_HANDLE(OBJ_NONE), ARG_RIGHTS, ARG_OUT(handle_t))) \
	X(SYS_PROC_KILL,         proc_kill,         ch_proc_kill,        OBJ,  OBJ_PROCESS,       RIGHT_MANAGE, ()) \
	X(SYS_PROC_STATUS,       proc_status,       ch_proc_status,      OBJ,  OBJ_PROCESS,       RIGHT_INSPECT, \
	  (ARG_OUT(struct proc_status))) \
	X(SYS_PROC_WAIT,         proc_wait,         ch_proc_wait,        OBJ,  OBJ_PROCESS,       RIGHT_WAIT, \
	  (ARG_TIMEOUT, ARG_OUT_OPT(struct proc_status))) \
	X(SYS_PROC_SUSPEND,      proc_suspend,      ch_proc_suspend,     OBJ,  OBJ_PROCESS,       RIGHT_MANAGE, ()) \
	X(SYS_PROC_RESUME,       proc_resume,       ch_proc_resume,      OBJ,  OBJ_PROCESS,       RIGHT_MANAGE, ()) \
	X(SYS_THREAD_INFO,       thread_info,       ch_thread_info,      OBJ,  OBJ_THREAD,        RIGHT_INSPECT, \
	  (ARG_OUT(struct thread_info))) \
	X(SYS_HW_POWER,          hw_power,          ch_hw_power,         OBJ,  OBJ_DEVICE,        RIGHT_MANAGE, \
	  (ARG_INT)) \
	X(SYS_THREAD_CREATE,     thread_create,     ch_thread_create,    OBJ,  OBJ_PROCESS,       RIGHT_MANAGE, \
	  (ARG_OUT_HANDLE(OBJ_THREAD, 1))) \
	X(SYS_THREAD_START,      thread_start,      ch_thread_start,     OBJ,  OBJ_THREAD,        RIGHT_MANAGE, \
	  (ARG_ADDR, ARG_ADDR, ARG_INT, ARG_INT)) \
	X(SYS_THREAD_KILL,       thread_kill,       ch_thread_kill,      OBJ,  OBJ_THREAD,        RIGHT_MANAGE, ()) \
	X(SYS_THREAD_WAIT,       thread_wait,       ch_thread_wait,      OBJ,  OBJ_THREAD,        RIGHT_WAIT, \
	  (ARG_TIMEOUT, ARG_OUT_OPT(int64_t))) \
	X(SYS_THREAD_SET_PAGER,  thread_set_pager,  ch_thread_set_pager, OBJ,  OBJ_THREAD,        RIGHT_MANAGE, \
	  (ARG_HANDLE(OBJ_ENDPOINT))) \
	X(SYS_LOG_WRITE,         log_write,         ch_log_write,        OBJ,  OBJ_DEBUG_LOG,     RIGHT_WRITE, \
	  (ARG_IN_BYTES(1), ARG_SIZE)) \
	X(SYS_LOG_READ,          log_read,          ch_log_read,         OBJ,  OBJ_DEBUG_LOG,     RIGHT_MANAGE, \
	  (ARG_OUT_ARRAY(char, 1), ARG_SIZE, ARG_TIMEOUT)) \
	X(SYS_LOG_RAW_WRITE,     log_raw_write,     ch_log_raw_write,    OBJ,  OBJ_DEBUG_LOG,     RIGHT_MANAGE, \
	  (ARG_IN_BYTES(1), ARG_SIZE)) \
	X(SYS_LOG_HISTORY,       log_history,       ch_log_history,      OBJ,  OBJ_DEBUG_LOG,     RIGHT_READ, \
	  (ARG_OUT(uint64_t), ARG_OUT_ARRAY(char, 2), ARG_SIZE)) \
	X(SYS_LOG_CHECK,         log_check,         ch_log_check,        OBJ,  OBJ_DEBUG_LOG,     RIGHT_MANAGE, \
	  (ARG_OUT(struct kcheck_report))) \
	X(SYS_LOG_COVERAGE,      log_coverage,      ch_log_coverage,     OBJ,  OBJ_DEBUG_LOG,     RIGHT_READ, \
	  (ARG_OUT(struct kcov_info))) \
	X(SYS_CHANNEL_CREATE,    channel_create,    ch_channel_create_kind, OBJ, OBJ_MEMORY_POOL, RIGHT_CREATE, \
	  (ARG_COUNT, ARG_OUT_HANDLE(OBJ_ENDPOINT, 2), ARG_INT)) \
	X(SYS_KBUS_SEND,         kbus_send,         ch_kbus_send,        OBJ,  OBJ_ENDPOINT,      RIGHT_SEND, \
	  (ARG_MSG, ARG_FLAGS, ARG_TIMEOUT)) \
	X(SYS_KBUS_RECV,         kbus_recv,         ch_kbus_recv,        OBJ,  OBJ_ENDPOINT,      RIGHT_RECV, \
	  (ARG_BUF, ARG_FLAGS, ARG_TIMEOUT)) \
	X(SYS_KBUS_CALL,         kbus_call,         ch_kbus_call,        OBJ,  OBJ_ENDPOINT,      RIGHT_SEND | RIGHT_RECV, \
	  (ARG_MSG, ARG_BUF, ARG_TIMEOUT)) \
	X(SYS_KBUS_REPLY,        kbus_reply,        ch_kbus_reply,       OBJ,  OBJ_ENDPOINT,      RIGHT_SEND, \
	  (ARG_MSG)) \
	X(SYS_KBUS_REPLY_RECV,   kbus_reply_recv,   ch_kbus_reply_recv,  OBJ,  OBJ_ENDPOINT,      RIGHT_RECV, \
	  (ARG_MSG_OPT, ARG_BUF, ARG_TIMEOUT)) \
	X(SYS_KBUS_INFO,         kbus_info,         ch_kbus_info,        OBJ,  OBJ_ENDPOINT,      RIGHT_INSPECT, \
	  (ARG_OUT(struct kbus_endpoint_info))) \
	X(SYS_WAITSET_CREATE,    waitset_create,    ch_waitset_create,   OBJ,  OBJ_MEMORY_POOL,   RIGHT_CREATE, \
	  (ARG_OUT_HANDLE(OBJ_WAITSET, 1))) \
	X(SYS_WAITSET_ADD,       waitset_add,       ch_waitset_add,      OBJ,  OBJ_WAITSET,       RIGHT_MANAGE, \
	  (ARG_HANDLE(OBJ_NONE), ARG_FLAGS, ARG_KEY)) \
	X(SYS_WAITSET_REMOVE,    waitset_remove,    ch_waitset_remove,   OBJ,  OBJ_WAITSET,       RIGHT_MANAGE, \
	  (ARG_KEY)) \
	X(SYS_WAITSET_WAIT,      waitset_wait,      ch_waitset_wait,     OBJ,  OBJ_WAITSET,       RIGHT_WAIT, \
	  (ARG_OUT_ARRAY(struct kbus_event, 1), ARG_COUNT, ARG_TIMEOUT)) \
	X(SYS_WAITSET_TIMER,     waitset_timer,     ch_waitset_timer,    OBJ,  OBJ_WAITSET,       RIGHT_MANAGE, \
	  (ARG_TIMEOUT, ARG_KEY)) \
	X(SYS_GROUP_CREATE,      group_create,      ch_group_create,     OBJ,  OBJ_MEMORY_POOL,   RIGHT_CREATE, \
	  (ARG_COUNT, ARG_OUT_HANDLE(OBJ_GROUP, 1))) \
	X(SYS_GROUP_SUBSCRIBE,   group_subscribe,   ch_group_subscribe,  OBJ,  OBJ_GROUP,         RIGHT_RECV, \
	  (ARG_OUT_HANDLE(OBJ_ENDPOINT, 1))) \
	X(SYS_GROUP_PUBLISH,     group_publish,     ch_group_publish,    OBJ,  OBJ_GROUP,         RIGHT_SEND, \
	  (ARG_MSG)) \
	X(SYS_NS_OPEN,           ns_open,           ch_ns_open,          OBJ,  OBJ_NS_NODE,       0, \
	  (ARG_IN_BYTES(1), ARG_SIZE, ARG_IN(struct ns_open_args), ARG_OUT_HANDLE(OBJ_NONE, 1))) \
	X(SYS_NS_STAT,           ns_stat,           ch_ns_stat_at,       OBJ,  OBJ_NS_NODE,       0, \
	  (ARG_OUT(struct ns_stat), ARG_TIMEOUT, ARG_IN_BYTES(3), ARG_SIZE)) \
	X(SYS_NS_LIST,           ns_list,           ch_ns_list,          OBJ,  OBJ_NS_NODE,       RIGHT_ENUMERATE, \
	  (ARG_OUT(uint64_t), ARG_OUT_ARRAY(char, 2), ARG_SIZE, ARG_TIMEOUT)) \
	X(SYS_NS_READ,           ns_read,           ch_ns_read,          OBJ,  OBJ_NS_NODE,       RIGHT_READ, \
	  (ARG_SIZE, ARG_OUT_ARRAY(char, 2), ARG_SIZE, ARG_TIMEOUT)) \
	X(SYS_NS_WRITE,          ns_write,          ch_ns_write,         OBJ,  OBJ_NS_NODE,       RIGHT_WRITE, \
	  (ARG_SIZE, ARG_IN_BYTES(2), ARG_SIZE, ARG_TIMEOUT)) \
	X(SYS_NS_TRUNCATE,       ns_truncate,       ch_ns_truncate,      OBJ,  OBJ_NS_NODE,       RIGHT_WRITE, \
	  (ARG_SIZE, ARG_TIMEOUT)) \
	X(SYS_NS_UNLINK,         ns_unlink,         ch_ns_unlink,        OBJ,  OBJ_NS_NODE,       RIGHT_REMOVE, \
	  (ARG_IN_BYTES(1), ARG_SIZE, ARG_FLAGS, ARG_TIMEOUT)) \
	X(SYS_NS_RENAME,         ns_rename,         ch_ns_rename,        OBJ,  OBJ_NS_NODE,       RIGHT_REMOVE, \
	  (ARG_IN_BYTES(1), ARG_SIZE, ARG_HANDLE(OBJ_NS_NODE), ARG_IN(struct ns_path_arg), ARG_TIMEOUT)) \
	X(SYS_NS_SYMLINK,        ns_symlink,        ch_ns_symlink,       OBJ,  OBJ_NS_NODE,       RIGHT_CREATE, \
	  (ARG_IN_BYTES(1), ARG_SIZE, ARG_IN_BYTES(3), ARG_SIZE, ARG_TIMEOUT)) \
	X(SYS_NS_LINK,           ns_link,           ch_ns_link,          OBJ,  OBJ_NS_NODE,       RIGHT_CREATE, \
	  (ARG_IN_BYTES(1), ARG_SIZE, ARG_HANDLE(OBJ_NS_NODE), ARG_TIMEOUT)) \
	X(SYS_NS_READLINK,       ns_readlink,       ch_ns_readlink,      OBJ,  OBJ_NS_NODE,       RIGHT_READ, \
	  (ARG_OUT_ARRAY(char, 1), ARG_SIZE, ARG_TIMEOUT)) \
	X(SYS_NS_BIND,           ns_bind,           ch_ns_bind,          OBJ,  OBJ_NS_NODE,       RIGHT_MANAGE, \
	  (ARG_IN_BYTES(1), ARG_SIZE, ARG_HANDLE(OBJ_NONE), ARG_RIGHTS, ARG_INT)) \
	X(SYS_NS_SERVE,          ns_serve,          ch_ns_serve,         OBJ,  OBJ_NS_NODE,       RIGHT_MANAGE, \
	  (ARG_IN_BYTES(1), ARG_SIZE, ARG_OUT_HANDLE(OBJ_ENDPOINT, 1))) \
	X(SYS_NS_WATCH,          ns_watch,          ch_ns_watch,         OBJ,  OBJ_NS_NODE,       RIGHT_ENUMERATE, \
	  (ARG_HANDLE(OBJ_ENDPOINT), ARG_FLAGS, ARG_TIMEOUT)) \
	X(SYS_DEV_INFO,          dev_info,          ch_dev_info,         OBJ,  OBJ_DEVICE,        RIGHT_INSPECT, \
	  (ARG_OUT(struct hw_device_info))) \
	X(SYS_DEV_RESOURCE,      dev_resource,      ch_dev_resource,     OBJ,  OBJ_DEVICE,        RIGHT_INSPECT, \
	  (ARG_INT, ARG_OUT(struct hw_resource))) \
	X(SYS_DEV_ENUM,          dev_enum,          ch_dev_enum,         OBJ,  OBJ_DEVICE,        RIGHT_ENUMERATE, \
	  (ARG_INT, ARG_OUT(struct hw_device_info), ARG_OUT_OPT(handle_t))) \
	X(SYS_DEV_MMIO,          dev_mmio,          ch_dev_mmio,         OBJ,  OBJ_DEVICE,        RIGHT_MAP, \
	  (ARG_INT, ARG_OUT_HANDLE(OBJ_MMIO, 1))) \
	X(SYS_DEV_IOPORT,        dev_ioport,        ch_dev_ioport,       OBJ,  OBJ_DEVICE,        RIGHT_READ | RIGHT_WRITE, \
	  (ARG_INT, ARG_OUT_HANDLE(OBJ_IOPORT, 1))) \
	X(SYS_DEV_IRQ,           dev_irq,           ch_dev_irq,          OBJ,  OBJ_DEVICE,        RIGHT_MANAGE, \
	  (ARG_FLAGS, ARG_INT, ARG_OUT_HANDLE(OBJ_IRQ, 1))) \
	X(SYS_DEV_CONFIG_READ,   dev_config_read,   ch_dev_config_read,  OBJ,  OBJ_DEVICE,        RIGHT_INSPECT, \
	  (ARG_SIZE, ARG_SIZE, ARG_OUT(uint32_t))) \
	X(SYS_DEV_CONFIG_WRITE,  dev_config_write,  ch_dev_config_write, OBJ,  OBJ_DEVICE,        RIGHT_WRITE, \
	  (ARG_SIZE, ARG_SIZE, ARG_INT)) \
	X(SYS_DEV_DMA_MAP,       dev_dma_map,       ch_dev_dma_map,      OBJ,  OBJ_DEVICE,        RIGHT_MANAGE, \
	  (ARG_HANDLE(OBJ_MEMORY), ARG_OUT_ARRAY(uint64_t, 2), ARG_COUNT)) \
	X(SYS_DEV_DMA_UNMAP,     dev_dma_unmap,     ch_dev_dma_unmap,    OBJ,  OBJ_DEVICE,        RIGHT_MANAGE, \
	  (ARG_HANDLE(OBJ_MEMORY))) \
	X(SYS_DEV_LABEL,         dev_label,         ch_dev_label,        OBJ,  OBJ_DEVICE,        RIGHT_MANAGE, \
	  (ARG_IN(struct hw_label))) \
	X(SYS_MMIO_INFO,         mmio_info,         ch_mmio_info,        OBJ,  OBJ_MMIO,          RIGHT_INSPECT, \
	  (ARG_OUT(struct hw_resource))) \
	X(SYS_IOPORT_ENABLE,     ioport_enable,     ch_ioport_enable,    OBJ,  OBJ_IOPORT,        RIGHT_READ | RIGHT_WRITE, ()) \
	X(SYS_IOPORT_INFO,       ioport_info,       ch_ioport_info,      OBJ,  OBJ_IOPORT,        RIGHT_INSPECT, \
	  (ARG_OUT(struct hw_resource))) \
	X(SYS_IRQ_WAIT,          irq_wait,          ch_irq_wait,         OBJ,  OBJ_IRQ,           RIGHT_WAIT, \
	  (ARG_TIMEOUT)) \
	X(SYS_IRQ_ACK,           irq_ack,           ch_irq_ack,          OBJ,  OBJ_IRQ,           RIGHT_SIGNAL, ()) \
	X(SYS_IRQ_INFO,          irq_info,          ch_irq_info,         OBJ,  OBJ_IRQ,           RIGHT_INSPECT, \
	  (ARG_OUT(struct hw_irq_info))) \
	X(SYS_NS_SYNC,           ns_sync,           ch_ns_sync,          OBJ,  OBJ_NS_NODE,       RIGHT_WRITE, \
	  (ARG_FLAGS, ARG_TIMEOUT)) \
	X(SYS_NS_STATFS,         ns_statfs,         ch_ns_statfs,        OBJ,  OBJ_NS_NODE,       RIGHT_INSPECT, \
	  (ARG_OUT(struct ns_statfs), ARG_TIMEOUT)) \
	X(SYS_NS_SETATTR,        ns_setattr,        ch_ns_setattr,       OBJ,  OBJ_NS_NODE,       RIGHT_WRITE, \
	  (ARG_IN(struct ns_setattr), ARG_TIMEOUT)) \
	X(SYS_NS_MAP,            ns_map,            ch_ns_map,           OBJ,  OBJ_NS_NODE,       RIGHT_READ, \
	  (ARG_FLAGS, ARG_OUT_HANDLE(OBJ_MEMORY, 1), ARG_OUT_OPT(uint64_t), ARG_TIMEOUT)) \
	X(SYS_THREAD_SET_SCHED,  thread_set_sched,  ch_thread_set_sched, OBJ,  OBJ_THREAD,        RIGHT_MANAGE, \
	  (ARG_INT, ARG_INT, ARG_HANDLE(OBJ_SCHED))) \
	X(SYS_SCHED_GET,         sched_get,         ch_sched_get,        OBJ,  OBJ_SCHED,         RIGHT_INSPECT, \
	  (ARG_OUT(struct sched_params))) \
	X(SYS_SCHED_SET,         sched_set,         ch_sched_set,        OBJ,  OBJ_SCHED,         RIGHT_MANAGE, \
	  (ARG_IN(struct sched_params))) \
	X(SYS_SCHED_CPU_STATS,   sched_cpu_stats,   ch_sched_cpu_stats,  OBJ,  OBJ_SCHED,         RIGHT_INSPECT, \
	  (ARG_INT, ARG_OUT(struct sched_cpu_stats)))

/*
 * The register fast path (abi/kbus.h): decoded by the dispatcher before the
 * table, an OBJ target like the table's; REPLY_RECV_FAST needs RIGHT_SEND too
 * when a4 bit 0 says there is a reply (checked by its handler on the decoded
 * capability).
 */
#define CH_FAST_ACTIONS(X) \
	X(SYS_KBUS_CALL_FAST,       kbus_call_fast,       ch_kbus_call_fast,       OBJ, OBJ_ENDPOINT, RIGHT_SEND | RIGHT_RECV, \
	  (ARG_INT, ARG_INT, ARG_INT, ARG_INT, ARG_TIMEOUT)) \
	X(SYS_KBUS_REPLY_RECV_FAST, kbus_reply_recv_fast, ch_kbus_reply_recv_fast, OBJ, OBJ_ENDPOINT, RIGHT_RECV, \
	  (ARG_INT, ARG_INT, ARG_INT, ARG_INT, ARG_FLAGS))
/* clang-format on */
