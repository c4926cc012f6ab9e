/*
 * sys_debug.c - the kernel log's self-check actions (OBJ_DEBUG_LOG): the invariant
 * checker (SYS_LOG_CHECK, kernel/debug/kcheck.c) and the coverage figure of a KCOV=1
 * kernel (SYS_LOG_COVERAGE, kernel/debug/kcov.c). abi/syscall.h documents both.
 */
#include <syscall/syscall.h>
#include <abi/debug.h>
#include <abi/errors.h>
#include <debug/kcheck.h>
#include <debug/kcov.h>
#include <mm/kmalloc.h>
#include <mm/uaccess.h>

long sys_log_check(struct cspace *cs, struct kobject *log, const struct cap_ref *cap,
                   const uint64_t *a)
{
	(void)cs, (void)log, (void)cap;
	struct kcheck_report *r = kmalloc(sizeof(*r)); /* off the kernel stack */
	if (!r)
		return ERR_NO_MEMORY;
	int err = kcheck_run(r);
	int w = err == ERR_INTERRUPTED ? 0 : copy_to_user(a[0], r, sizeof(*r));
	kfree(r);
	return w ? w : err;
}

long sys_log_coverage(struct cspace *cs, struct kobject *log, const struct cap_ref *cap,
                      const uint64_t *a)
{
	(void)cs, (void)log, (void)cap;
	struct kcov_info k;
	int err = kcov_read(&k);
	return err ? err : copy_to_user(a[0], &k, sizeof(k));
}
