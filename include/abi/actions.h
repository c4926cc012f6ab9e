/*
 * actions.h - the one list of system call actions.
 *
 * Every action the kernel dispatches is one row of CH_ACTIONS (the X-macro
 * pattern of SerenityOS's ENUMERATE_SYSCALLS):
 *
 *     X(ACTION, name, wrapper, type, rights)
 *
 *   ACTION   its number, SYS_* from abi/syscall.h or abi/kbus.h (where its
 *            arguments and errors are documented beside it)
 *   name     the kernel's handler is sys_<name>() (kernel/syscall/)
 *   wrapper  libcharlotte's C wrapper for it
 *   type     the object type its target must have (OBJ_NONE: none, the caller)
 *   rights   the rights the target capability must hold (0: none)
 *
 * From this list come the kernel's dispatch table and its handlers'
 * prototypes (kernel/syscall/), libcharlotte's wrapper check
 * (user/lib/charlotte/actions.c) and sysfuzz's actions, names and target
 * types. A row without a handler or a wrapper does not build. The two actions
 * of the register fast path, which the dispatcher decodes itself before the
 * table, are CH_FAST_ACTIONS.
 */
#pragma once
#include <abi/handle.h>
#include <abi/kbus.h>
#include <abi/rights.h>
#include <abi/syscall.h>

/* clang-format off */
#define CH_ACTIONS(X) \
	X(SYS_SELF_NULL,         self_null,         ch_null,             OBJ_NONE,          0) \
	X(SYS_SELF_THREAD_EXIT,  self_thread_exit,  ch_thread_exit,      OBJ_NONE,          0) \
	X(SYS_SELF_PROCESS_EXIT, self_process_exit, ch_exit,             OBJ_NONE,          0) \
	X(SYS_SELF_YIELD,        self_yield,        ch_yield,            OBJ_NONE,          0) \
	X(SYS_SELF_CLOCK,        self_clock,        ch_clock_ns,         OBJ_NONE,          0) \
	X(SYS_SELF_SLEEP,        self_sleep,        ch_sleep_ns,         OBJ_NONE,          0) \
	X(SYS_CAP_DERIVE,        cap_derive,        ch_cap_derive,       OBJ_NONE,          RIGHT_DUPLICATE) \
	X(SYS_CAP_DUPLICATE,     cap_duplicate,     ch_cap_duplicate,    OBJ_NONE,          RIGHT_DUPLICATE) \
	X(SYS_CAP_DROP,          cap_drop,          ch_cap_drop,         OBJ_NONE,          0) \
	X(SYS_CAP_REVOKE,        cap_revoke,        ch_cap_revoke,       OBJ_NONE,          RIGHT_REVOKE) \
	X(SYS_CAP_INSPECT,       cap_inspect,       ch_cap_inspect,      OBJ_NONE,          RIGHT_INSPECT) \
	X(SYS_POOL_MEM_CREATE,   pool_mem_create,   ch_mem_create,       OBJ_MEMORY_POOL,   RIGHT_CREATE) \
	X(SYS_POOL_INFO,         pool_info,         ch_pool_info,        OBJ_MEMORY_POOL,   RIGHT_INSPECT) \
	X(SYS_POOL_SPLIT,        pool_split,        ch_pool_split,       OBJ_MEMORY_POOL,   RIGHT_MANAGE) \
	X(SYS_MEM_INFO,          mem_info,          ch_mem_info,         OBJ_MEMORY,        RIGHT_INSPECT) \
	X(SYS_AS_MAP,            as_map,            ch_as_map,           OBJ_ADDRESS_SPACE, RIGHT_MAP) \
	X(SYS_AS_UNMAP,          as_unmap,          ch_as_unmap,         OBJ_ADDRESS_SPACE, RIGHT_MAP) \
	X(SYS_AS_PROTECT,        as_protect,        ch_as_protect,       OBJ_ADDRESS_SPACE, RIGHT_MAP) \
	X(SYS_AS_QUERY,          as_query,          ch_as_query,         OBJ_ADDRESS_SPACE, RIGHT_INSPECT) \
	X(SYS_PROC_CREATE,       proc_create,       ch_proc_create,      OBJ_MEMORY_POOL,   RIGHT_CREATE) \
	X(SYS_PROC_GRANT,        proc_grant,        ch_proc_grant,       OBJ_PROCESS,       RIGHT_MANAGE) \
	X(SYS_PROC_KILL,         proc_kill,         ch_proc_kill,        OBJ_PROCESS,       RIGHT_MANAGE) \
	X(SYS_PROC_STATUS,       proc_status,       ch_proc_status,      OBJ_PROCESS,       RIGHT_INSPECT) \
	X(SYS_PROC_WAIT,         proc_wait,         ch_proc_wait,        OBJ_PROCESS,       RIGHT_WAIT) \
	X(SYS_THREAD_CREATE,     thread_create,     ch_thread_create,    OBJ_PROCESS,       RIGHT_MANAGE) \
	X(SYS_THREAD_START,      thread_start,      ch_thread_start,     OBJ_THREAD,        RIGHT_MANAGE) \
	X(SYS_THREAD_KILL,       thread_kill,       ch_thread_kill,      OBJ_THREAD,        RIGHT_MANAGE) \
	X(SYS_THREAD_WAIT,       thread_wait,       ch_thread_wait,      OBJ_THREAD,        RIGHT_WAIT) \
	X(SYS_THREAD_SET_PAGER,  thread_set_pager,  ch_thread_set_pager, OBJ_THREAD,        RIGHT_MANAGE) \
	X(SYS_LOG_WRITE,         log_write,         ch_log_write,        OBJ_DEBUG_LOG,     RIGHT_WRITE) \
	X(SYS_CHANNEL_CREATE,    channel_create,    ch_channel_create,   OBJ_MEMORY_POOL,   RIGHT_CREATE) \
	X(SYS_KBUS_SEND,         kbus_send,         ch_kbus_send,        OBJ_ENDPOINT,      RIGHT_SEND) \
	X(SYS_KBUS_RECV,         kbus_recv,         ch_kbus_recv,        OBJ_ENDPOINT,      RIGHT_RECV) \
	X(SYS_KBUS_CALL,         kbus_call,         ch_kbus_call,        OBJ_ENDPOINT,      RIGHT_SEND | RIGHT_RECV) \
	X(SYS_KBUS_REPLY,        kbus_reply,        ch_kbus_reply,       OBJ_ENDPOINT,      RIGHT_SEND) \
	X(SYS_KBUS_REPLY_RECV,   kbus_reply_recv,   ch_kbus_reply_recv,  OBJ_ENDPOINT,      RIGHT_RECV) \
	X(SYS_KBUS_INFO,         kbus_info,         ch_kbus_info,        OBJ_ENDPOINT,      RIGHT_INSPECT) \
	X(SYS_WAITSET_CREATE,    waitset_create,    ch_waitset_create,   OBJ_MEMORY_POOL,   RIGHT_CREATE) \
	X(SYS_WAITSET_ADD,       waitset_add,       ch_waitset_add,      OBJ_WAITSET,       RIGHT_MANAGE) \
	X(SYS_WAITSET_REMOVE,    waitset_remove,    ch_waitset_remove,   OBJ_WAITSET,       RIGHT_MANAGE) \
	X(SYS_WAITSET_WAIT,      waitset_wait,      ch_waitset_wait,     OBJ_WAITSET,       RIGHT_WAIT) \
	X(SYS_WAITSET_TIMER,     waitset_timer,     ch_waitset_timer,    OBJ_WAITSET,       RIGHT_MANAGE) \
	X(SYS_GROUP_CREATE,      group_create,      ch_group_create,     OBJ_MEMORY_POOL,   RIGHT_CREATE) \
	X(SYS_GROUP_SUBSCRIBE,   group_subscribe,   ch_group_subscribe,  OBJ_GROUP,         RIGHT_RECV) \
	X(SYS_GROUP_PUBLISH,     group_publish,     ch_group_publish,    OBJ_GROUP,         RIGHT_SEND)

/* The register fast path (abi/kbus.h): decoded by the dispatcher before the table. */
#define CH_FAST_ACTIONS(X) \
	X(SYS_KBUS_CALL_FAST,       kbus_call_fast,       ch_kbus_call_fast,       OBJ_ENDPOINT, RIGHT_SEND | RIGHT_RECV) \
	X(SYS_KBUS_REPLY_RECV_FAST, kbus_reply_recv_fast, ch_kbus_reply_recv_fast, OBJ_ENDPOINT, RIGHT_RECV)
/* clang-format on */
