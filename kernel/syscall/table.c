/*
 * table.c - the action -> handler table and the dispatcher.
 *
 * Actions are (object type << 8) | operation (abi/syscall.h), so the table is
 * a two-level array indexed directly by type and operation: one bounds check
 * and one load, whatever the number of actions. The kbus register fast path
 * (SYS_KBUS_CALL_FAST, SYS_KBUS_REPLY_RECV_FAST) and the benchmark's
 * SYS_SELF_NULL are tested first and skip the table.
 *
 * syscall_dispatch() runs on the calling thread's kernel stack with
 * interrupts on. Target handles are 32 bits; a target register with any of
 * its upper 32 bits set is a bad handle, never silently truncated.
 */
#include <syscall/syscall.h>
#include <stddef.h>
#include <abi/errors.h>
#include <abi/kbus.h>
#include <abi/syscall.h>
#include <arch/trap.h>
#include <lib/compiler.h>
#include <obj/process.h>
#include <sched/sched.h>

void syscall_dispatch(struct trap_frame *tf);

#define SYS_OPS 32 /* operations per object type the table has room for */
#define T(action) [SYS_ACTION_TYPE(action)][(action)&0xff]

static const syscall_fn table[OBJ_TYPE_COUNT][SYS_OPS] = {
    T(SYS_SELF_NULL) = sys_self_null,
    T(SYS_SELF_THREAD_EXIT) = sys_self_thread_exit,
    T(SYS_SELF_PROCESS_EXIT) = sys_self_process_exit,
    T(SYS_SELF_YIELD) = sys_self_yield,
    T(SYS_SELF_CLOCK) = sys_self_clock,
    T(SYS_SELF_SLEEP) = sys_self_sleep,
    T(SYS_CAP_DERIVE) = sys_cap_derive,
    T(SYS_CAP_DUPLICATE) = sys_cap_duplicate,
    T(SYS_CAP_DROP) = sys_cap_drop,
    T(SYS_CAP_REVOKE) = sys_cap_revoke,
    T(SYS_CAP_INSPECT) = sys_cap_inspect,
    T(SYS_POOL_MEM_CREATE) = sys_pool_mem_create,
    T(SYS_POOL_INFO) = sys_pool_info,
    T(SYS_POOL_SPLIT) = sys_pool_split,
    T(SYS_MEM_INFO) = sys_mem_info,
    T(SYS_AS_MAP) = sys_as_map,
    T(SYS_AS_UNMAP) = sys_as_unmap,
    T(SYS_AS_PROTECT) = sys_as_protect,
    T(SYS_AS_QUERY) = sys_as_query,
    T(SYS_PROC_CREATE) = sys_proc_create,
    T(SYS_PROC_GRANT) = sys_proc_grant,
    T(SYS_PROC_KILL) = sys_proc_kill,
    T(SYS_PROC_STATUS) = sys_proc_status,
    T(SYS_PROC_WAIT) = sys_proc_wait,
    T(SYS_THREAD_CREATE) = sys_thread_create,
    T(SYS_THREAD_START) = sys_thread_start,
    T(SYS_THREAD_KILL) = sys_thread_kill,
    T(SYS_THREAD_WAIT) = sys_thread_wait,
    T(SYS_LOG_WRITE) = sys_log_write,
    T(SYS_THREAD_SET_PAGER) = sys_thread_set_pager,
    T(SYS_CHANNEL_CREATE) = sys_channel_create,
    T(SYS_KBUS_SEND) = sys_kbus_send,
    T(SYS_KBUS_RECV) = sys_kbus_recv,
    T(SYS_KBUS_CALL) = sys_kbus_call,
    T(SYS_KBUS_REPLY) = sys_kbus_reply,
    T(SYS_KBUS_REPLY_RECV) = sys_kbus_reply_recv,
    T(SYS_KBUS_INFO) = sys_kbus_info,
    T(SYS_WAITSET_CREATE) = sys_waitset_create,
    T(SYS_WAITSET_ADD) = sys_waitset_add,
    T(SYS_WAITSET_REMOVE) = sys_waitset_remove,
    T(SYS_WAITSET_WAIT) = sys_waitset_wait,
    T(SYS_WAITSET_TIMER) = sys_waitset_timer,
    T(SYS_GROUP_CREATE) = sys_group_create,
    T(SYS_GROUP_SUBSCRIBE) = sys_group_subscribe,
    T(SYS_GROUP_PUBLISH) = sys_group_publish,
};

syscall_fn syscall_lookup(uint64_t action)
{
	uint64_t type = action >> 8, op = action & 0xff;
	if (type >= OBJ_TYPE_COUNT || op >= SYS_OPS)
		return NULL;
	return table[type][op];
}

void syscall_dispatch(struct trap_frame *tf)
{
	uint64_t action = tf->rax;
	struct thread *self = sched_current();
	long r;
	if (action == SYS_SELF_NULL) {
		r = 0; /* the benchmark's null call: nothing to decode */
	} else {
		/* a thread making system calls is a user thread of a live process */
		struct cspace *cs = ((struct uthread *)self->uthread)->proc->cs;
		if (action == SYS_KBUS_REPLY_RECV_FAST || action == SYS_KBUS_CALL_FAST) {
			if (unlikely(tf->rdi >> 32))
				r = ERR_BAD_HANDLE;
			else if (action == SYS_KBUS_REPLY_RECV_FAST)
				r = sys_kbus_reply_recv_fast(cs, (handle_t)tf->rdi, tf);
			else
				r = sys_kbus_call_fast(cs, (handle_t)tf->rdi, tf);
		} else {
			syscall_fn fn = syscall_lookup(action);
			if (!fn) {
				r = ERR_NOT_SUPPORTED;
			} else if (tf->rdi >> 32) {
				r = ERR_BAD_HANDLE;
			} else {
				uint64_t a[5] = {tf->rsi, tf->rdx, tf->r10, tf->r8, tf->r9};
				r = fn(cs, (handle_t)tf->rdi, a);
			}
		}
	}
	tf->rax = (uint64_t)r;
	if (unlikely(sched_kill_pending(self)))
		uthread_return_check(); /* killed meanwhile: the thread ends here */
}
