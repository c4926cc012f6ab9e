/*
 * publish.c - handing new capabilities to the caller.
 *
 * Every action that creates an object ends the same way: insert a root
 * capability into the caller's cspace and write its handle to a user
 * pointer. If that write fails the capability is dropped again, so a failed
 * call leaves nothing behind (and an object nobody holds goes away at once).
 */
#include <syscall/syscall.h>
#include <abi/errors.h>
#include <cap/cap.h>
#include <mm/uaccess.h>
#include <obj/object.h>

long syscall_put_handle(struct cspace *cs, handle_t h, uint64_t uptr)
{
	if (copy_to_user(uptr, &h, sizeof(h))) {
		cap_drop(cs, h);
		return ERR_BAD_ADDRESS;
	}
	return 0;
}

long syscall_publish(struct cspace *cs, struct kobject *obj, uint64_t rights, uint64_t uptr)
{
	handle_t h;
	int r = cap_insert_root(cs, obj, rights, 0, &h);
	kobject_put(obj); /* the capability holds its own reference (or obj goes now) */
	return r ? r : syscall_put_handle(cs, h, uptr);
}
