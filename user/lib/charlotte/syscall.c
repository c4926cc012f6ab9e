/*
 * syscall.c - the typed system call wrappers (see syscall.h).
 *
 * Each wrapper is one ch_syscallN with its action number and arguments in ABI order;
 * pointers travel as integers. No checks here: the kernel does them all.
 */
#include "syscall.h"

#define U(x) ((uint64_t)(uintptr_t)(x))

long ch_null(void)
{
	return ch_syscall0(SYS_SELF_NULL, 0);
}

void ch_thread_exit(int64_t code)
{
	ch_syscall1(SYS_SELF_THREAD_EXIT, 0, (uint64_t)code);
	for (;;)
		__asm__ volatile("ud2");
}

void ch_exit(int code)
{
	ch_syscall1(SYS_SELF_PROCESS_EXIT, 0, (uint64_t)(int64_t)code);
	for (;;)
		__asm__ volatile("ud2");
}

long ch_yield(void)
{
	return ch_syscall0(SYS_SELF_YIELD, 0);
}

int64_t ch_clock_ns(void)
{
	return ch_syscall0(SYS_SELF_CLOCK, 0);
}

long ch_sleep_ns(uint64_t ns)
{
	return ch_syscall1(SYS_SELF_SLEEP, 0, ns);
}

long ch_futex_wait(const volatile uint32_t *addr, uint32_t expected, uint64_t timeout_ns)
{
	return ch_syscall3(SYS_SELF_FUTEX_WAIT, 0, U(addr), expected, timeout_ns);
}

long ch_futex_wake(const volatile uint32_t *addr, uint64_t n)
{
	return ch_syscall2(SYS_SELF_FUTEX_WAKE, 0, U(addr), n);
}

long ch_sleep_until(uint64_t deadline_ns)
{
	return ch_syscall1(SYS_SELF_SLEEP_UNTIL, 0, deadline_ns);
}

long ch_cap_derive(handle_t h, uint64_t rights, uint64_t badge, handle_t *out)
{
	return ch_syscall3(SYS_CAP_DERIVE, h, rights, badge, U(out));
}

long ch_cap_duplicate(handle_t h, handle_t *out)
{
	return ch_syscall1(SYS_CAP_DUPLICATE, h, U(out));
}

long ch_cap_drop(handle_t h)
{
	return ch_syscall0(SYS_CAP_DROP, h);
}

long ch_cap_revoke(handle_t h)
{
	return ch_syscall0(SYS_CAP_REVOKE, h);
}

long ch_cap_inspect(handle_t h, struct cap_info *out)
{
	return ch_syscall1(SYS_CAP_INSPECT, h, U(out));
}

long ch_mem_create(handle_t pool, uint64_t size, handle_t *out)
{
	return ch_syscall3(SYS_POOL_MEM_CREATE, pool, size, 0, U(out));
}

long ch_mem_create_filled(handle_t pool, uint64_t size, const struct mem_fill *fill, handle_t *out)
{
	return ch_syscall4(SYS_POOL_MEM_CREATE, pool, size, MEM_CREATE_FILL, U(out), U(fill));
}

long ch_pool_info(handle_t pool, struct pool_info *out)
{
	return ch_syscall1(SYS_POOL_INFO, pool, U(out));
}

long ch_kmem_info(handle_t root_pool, struct kmem_info *out)
{
	return ch_syscall1(SYS_POOL_KMEM_INFO, root_pool, U(out));
}

long ch_pool_split(handle_t pool, uint64_t bytes, handle_t *out)
{
	return ch_syscall2(SYS_POOL_SPLIT, pool, bytes, U(out));
}

long ch_mem_info(handle_t mem, uint64_t *size_out)
{
	return ch_syscall1(SYS_MEM_INFO, mem, U(size_out));
}

long ch_mem_create_paged(handle_t pool, uint64_t size, handle_t pager, uint64_t key, handle_t *out)
{
	return ch_syscall4(SYS_POOL_MEM_CREATE_PAGED, pool, size, pager, key, U(out));
}

long ch_mem_supply(handle_t mem, uint64_t offset, uint64_t len, const void *src, unsigned flags)
{
	return ch_syscall4(SYS_MEM_SUPPLY, mem, offset, len, U(src), flags);
}

long ch_mem_set_content(handle_t mem, uint64_t bytes)
{
	return ch_syscall1(SYS_MEM_SET_CONTENT, mem, bytes);
}

long ch_as_map(handle_t as, uint64_t vaddr, handle_t mem, uint64_t offset, uint64_t len,
               uint32_t prot)
{
	return ch_syscall5(SYS_AS_MAP, as, vaddr, mem, offset, len, prot);
}

long ch_as_unmap(handle_t as, uint64_t vaddr, uint64_t len)
{
	return ch_syscall2(SYS_AS_UNMAP, as, vaddr, len);
}

long ch_as_protect(handle_t as, uint64_t vaddr, uint64_t len, uint32_t prot)
{
	return ch_syscall3(SYS_AS_PROTECT, as, vaddr, len, prot);
}

long ch_as_query(handle_t as, uint64_t vaddr, struct as_region *out)
{
	return ch_syscall2(SYS_AS_QUERY, as, vaddr, U(out));
}

long ch_proc_create(handle_t pool, const char *name, size_t len, struct proc_create_out *out)
{
	return ch_syscall3(SYS_PROC_CREATE, pool, U(name), len, U(out));
}

long ch_proc_grant(handle_t proc, handle_t h, uint64_t rights, handle_t *child_out)
{
	return ch_syscall3(SYS_PROC_GRANT, proc, h, rights, U(child_out));
}

long ch_proc_kill(handle_t proc)
{
	return ch_syscall0(SYS_PROC_KILL, proc);
}

long ch_proc_status(handle_t proc, struct proc_status *out)
{
	return ch_syscall1(SYS_PROC_STATUS, proc, U(out));
}

long ch_proc_wait(handle_t proc, uint64_t timeout_ns, struct proc_status *out)
{
	return ch_syscall2(SYS_PROC_WAIT, proc, timeout_ns, U(out));
}

long ch_proc_suspend(handle_t proc)
{
	return ch_syscall0(SYS_PROC_SUSPEND, proc);
}

long ch_proc_resume(handle_t proc)
{
	return ch_syscall0(SYS_PROC_RESUME, proc);
}

long ch_thread_create(handle_t proc, handle_t *out)
{
	return ch_syscall1(SYS_THREAD_CREATE, proc, U(out));
}

long ch_thread_start(handle_t thread, uint64_t ip, uint64_t sp, uint64_t arg0, uint64_t arg1)
{
	return ch_syscall4(SYS_THREAD_START, thread, ip, sp, arg0, arg1);
}

long ch_thread_kill(handle_t thread)
{
	return ch_syscall0(SYS_THREAD_KILL, thread);
}

long ch_thread_wait(handle_t thread, uint64_t timeout_ns, int64_t *code_out)
{
	return ch_syscall2(SYS_THREAD_WAIT, thread, timeout_ns, U(code_out));
}

long ch_thread_info(handle_t thread, struct thread_info *out)
{
	return ch_syscall1(SYS_THREAD_INFO, thread, U(out));
}

long ch_log_write(handle_t log, const void *buf, size_t len)
{
	return ch_syscall2(SYS_LOG_WRITE, log, U(buf), len);
}

long ch_log_read(handle_t log, void *buf, size_t len, uint64_t timeout_ns)
{
	return ch_syscall3(SYS_LOG_READ, log, U(buf), len, timeout_ns);
}

long ch_log_raw_write(handle_t log, const void *buf, size_t len)
{
	return ch_syscall2(SYS_LOG_RAW_WRITE, log, U(buf), len);
}

long ch_log_history(handle_t log, uint64_t *pos, void *buf, size_t len)
{
	return ch_syscall3(SYS_LOG_HISTORY, log, U(pos), U(buf), len);
}

long ch_log_check(handle_t log, struct kcheck_report *out)
{
	return ch_syscall1(SYS_LOG_CHECK, log, U(out));
}

long ch_log_coverage(handle_t log, struct kcov_info *out)
{
	return ch_syscall1(SYS_LOG_COVERAGE, log, U(out));
}
