/*
 * sys_futex.c - SYS_SELF_FUTEX_WAIT and SYS_SELF_FUTEX_WAKE (abi/sched.h;
 * SYS_SELF_SLEEP_UNTIL is in sys_self.c, beside SYS_SELF_SLEEP).
 *
 * A futex's key is the memory object behind the address and the offset in
 * it (sched/futex.h), found through the caller's address space
 * (aspace_query). A user address with no mapping record yet may be one a
 * user pager would fill: such an address is read once through the normal
 * user access path (copy_from_user, which asks the thread's pager on a
 * fault) and looked up again; if there is still no mapping, the call is
 * ERR_BAD_ADDRESS.
 */
#include <syscall/syscall.h>
#include <abi/errors.h>
#include <abi/sched.h>
#include <abi/syscall.h>
#include <mm/uaccess.h>
#include <obj/aspace.h>
#include <obj/process.h>
#include <sched/futex.h>

/* The key of the 4-byte aligned user word at va, or an ERR_* (abi/sched.h). */
static int futex_key_of(uint64_t va, struct futex_key *key)
{
	if (va & 3)
		return ERR_INVALID_ARGS;
	if (!user_range_ok(va, sizeof(uint32_t)))
		return ERR_BAD_ADDRESS;
	struct aspace *as = process_current()->as;
	struct as_region reg;
	int r = aspace_query(as, va, &reg);
	if (r == ERR_NOT_FOUND) {
		uint32_t word; /* let a pager map it, then look again */
		if (copy_from_user(&word, va, sizeof(word)))
			return ERR_BAD_ADDRESS;
		r = aspace_query(as, va, &reg);
	}
	if (r == ERR_NOT_FOUND || (!r && !(reg.prot & PROT_READ)))
		return ERR_BAD_ADDRESS;
	if (r)
		return r; /* ERR_INTERRUPTED: killed while a map there was filling */
	key->object = reg.memory_id;
	key->offset = reg.offset + (va - reg.base);
	return 0;
}

long sys_self_futex_wait(struct cspace *cs, const uint64_t *a)
{
	(void)cs;
	struct futex_key key;
	int r = futex_key_of(a[0], &key);
	return r ? r : futex_wait(key, a[0], (uint32_t)a[1], a[2]);
}

long sys_self_futex_wake(struct cspace *cs, const uint64_t *a)
{
	(void)cs;
	if (a[1] == 0)
		return ERR_INVALID_ARGS;
	struct futex_key key;
	int r = futex_key_of(a[0], &key);
	return r ? r : (long)futex_wake(key, a[1] > INT64_MAX ? INT64_MAX : a[1]);
}
