/*
 * sys_kbus.c - kbus actions (include/abi/kbus.h): channels, send/receive,
 * calls and their register fast path, waitsets and multicast groups.
 *
 * Thin wrappers: decode the target (cap_lookup with the action's rights),
 * copy descriptors in from user memory (struct kbus_msg, its handle array;
 * struct kbus_buf), check sizes, and call kernel/kbus. Message bytes and
 * received handles move straight between user memory and the kernel message
 * inside kbus (kbus_out/kbus_in with user = true), so nothing is copied twice.
 * The sender's badge is the badge of the endpoint capability it sends with.
 */
#include <syscall/syscall.h>
#include <abi/errors.h>
#include <abi/kbus.h>
#include <abi/rights.h>
#include <arch/syscall_regs.h>
#include <arch/trap.h>
#include <cap/cap.h>
#include <cap/invoke.h>
#include <kbus/kbus.h>
#include <lib/compiler.h>
#include <lib/string.h>

_Static_assert(KBUS_FAST_WORDS == ARCH_FAST_WORDS, "the fast path's words are the registers'");
#include <mm/uaccess.h>
#include <obj/pool.h>
#include <obj/process.h>

#define EP_RIGHTS                                                                                  \
	(RIGHT_SEND | RIGHT_RECV | RIGHT_WAIT | RIGHT_DUPLICATE | RIGHT_TRANSFER | RIGHT_INSPECT | \
	 RIGHT_REVOKE)
#define WS_RIGHTS                                                                       \
	(RIGHT_WAIT | RIGHT_MANAGE | RIGHT_DUPLICATE | RIGHT_TRANSFER | RIGHT_INSPECT | \
	 RIGHT_REVOKE)
#define GROUP_RIGHTS                                                                 \
	(RIGHT_SEND | RIGHT_RECV | RIGHT_MANAGE | RIGHT_DUPLICATE | RIGHT_TRANSFER | \
	 RIGHT_INSPECT | RIGHT_REVOKE)
#define SUB_RIGHTS (RIGHT_RECV | RIGHT_WAIT | RIGHT_INSPECT)
#define WAIT_MAX_EVENTS 64u

/* A user message descriptor, decoded: the handle array is copied in. */
struct umsg {
	struct kbus_out out;
	handle_t handles[KBUS_MAX_HANDLES];
};

static int get_msg(struct cspace *cs, uint64_t uptr, struct umsg *m)
{
	struct kbus_msg um;
	int err = copy_from_user(&um, uptr, sizeof(um));
	if (err)
		return err;
	if (um.len > KBUS_MAX_BYTES || um.nhandles > KBUS_MAX_HANDLES)
		return ERR_INVALID_ARGS;
	if (!user_range_ok((uint64_t)um.data, um.len))
		return ERR_BAD_ADDRESS;
	err = copy_from_user(m->handles, (uint64_t)um.handles, um.nhandles * sizeof(handle_t));
	if (err)
		return err;
	m->out = (struct kbus_out){
	    .data = um.data,
	    .len = um.len,
	    .user = true,
	    .nhandles = um.nhandles,
	    .handles = m->handles,
	    .copy_mask = um.copy_mask,
	    .cs = cs,
	};
	return 0;
}

static int get_buf(struct cspace *cs, uint64_t uptr, struct kbus_in *in)
{
	struct kbus_buf ub;
	int err = copy_from_user(&ub, uptr, sizeof(ub));
	if (err)
		return err;
	uint32_t nh = MIN(ub.handles_capacity, KBUS_MAX_HANDLES);
	if (!user_range_ok((uint64_t)ub.data, ub.capacity) ||
	    !user_range_ok((uint64_t)ub.handles, nh * sizeof(handle_t)))
		return ERR_BAD_ADDRESS;
	*in = (struct kbus_in){
	    .data = ub.data,
	    .capacity = ub.capacity,
	    .user = true,
	    .handles = ub.handles,
	    .handles_capacity = nh,
	    .cs = cs,
	};
	return 0;
}

/* Report what was received (also the sizes on ERR_BUFFER_TOO_SMALL). */
static int put_buf(uint64_t uptr, const struct kbus_in *in, int err)
{
	if (err && err != ERR_BUFFER_TOO_SMALL)
		return err;
	struct {
		uint32_t len, nhandles;
		uint64_t badge;
		uint32_t flags, reserved;
	} r = {in->len, in->nhandles, err ? 0 : in->badge, err ? 0 : in->flags, 0};
	_Static_assert(sizeof(r) == sizeof(struct kbus_buf) - offsetof(struct kbus_buf, len),
	               "kbus_buf tail layout");
	int cerr = copy_to_user(uptr + offsetof(struct kbus_buf, len), &r, sizeof(r));
	return err ? err : cerr;
}

static struct endpoint *ep_of(struct cap_ref *ref)
{
	return endpoint_from(ref->obj);
}

long sys_channel_create(struct cspace *cs, handle_t target, const uint64_t *a)
{
	struct cap_ref pool;
	int r = cap_lookup(cs, target, OBJ_MEMORY_POOL, RIGHT_CREATE, &pool);
	if (r)
		return r;
	struct endpoint *e0, *e1;
	handle_t h[2];
	if (a[0] > KBUS_MAX_DEPTH) {
		r = ERR_INVALID_ARGS;
		goto out;
	}
	if (!user_range_ok(a[1], sizeof(h))) {
		r = ERR_BAD_ADDRESS;
		goto out;
	}
	r = kbus_channel_create(pool_from(pool.obj), (uint32_t)a[0], &e0, &e1);
	if (r)
		goto out;
	r = cap_insert_root(cs, endpoint_obj(e0), EP_RIGHTS, 0, &h[0]);
	if (!r) {
		r = cap_insert_root(cs, endpoint_obj(e1), EP_RIGHTS, 0, &h[1]);
		if (r)
			cap_drop(cs, h[0]);
	}
	kobject_put(endpoint_obj(e0));
	kobject_put(endpoint_obj(e1));
	if (!r && copy_to_user(a[1], h, sizeof(h))) {
		cap_drop(cs, h[0]);
		cap_drop(cs, h[1]);
		r = ERR_BAD_ADDRESS;
	}
out:
	cap_ref_put(&pool);
	return r;
}

long sys_kbus_send(struct cspace *cs, handle_t target, const uint64_t *a)
{
	struct cap_ref ref;
	struct umsg m;
	int r = cap_lookup(cs, target, OBJ_ENDPOINT, RIGHT_SEND, &ref);
	if (r)
		return r;
	if (a[1] & ~(uint64_t)KBUS_NONBLOCK)
		r = ERR_INVALID_ARGS;
	else
		r = get_msg(cs, a[0], &m);
	if (!r)
		r = kbus_send(ep_of(&ref), ref.badge, &m.out, (uint32_t)a[1], a[2]);
	cap_ref_put(&ref);
	return r;
}

long sys_kbus_recv(struct cspace *cs, handle_t target, const uint64_t *a)
{
	struct cap_ref ref;
	struct kbus_in in;
	int r = cap_lookup(cs, target, OBJ_ENDPOINT, RIGHT_RECV, &ref);
	if (r)
		return r;
	if (a[1] & ~(uint64_t)KBUS_NONBLOCK)
		r = ERR_INVALID_ARGS;
	else
		r = get_buf(cs, a[0], &in);
	if (!r)
		r = put_buf(a[0], &in, kbus_recv(ep_of(&ref), &in, (uint32_t)a[1], a[2]));
	cap_ref_put(&ref);
	return r;
}

long sys_kbus_call(struct cspace *cs, handle_t target, const uint64_t *a)
{
	struct cap_ref ref;
	struct umsg m;
	struct kbus_in in;
	int r = cap_lookup(cs, target, OBJ_ENDPOINT, RIGHT_SEND | RIGHT_RECV, &ref);
	if (r)
		return r;
	r = get_msg(cs, a[0], &m);
	if (!r)
		r = get_buf(cs, a[1], &in);
	if (!r)
		r = put_buf(a[1], &in, kbus_call(ep_of(&ref), ref.badge, &m.out, &in, a[2]));
	cap_ref_put(&ref);
	return r;
}

long sys_kbus_reply(struct cspace *cs, handle_t target, const uint64_t *a)
{
	struct cap_ref ref;
	struct umsg m;
	int r = cap_lookup(cs, target, OBJ_ENDPOINT, RIGHT_SEND, &ref);
	if (r)
		return r;
	r = get_msg(cs, a[0], &m);
	if (!r)
		r = kbus_reply(ep_of(&ref), &m.out);
	cap_ref_put(&ref);
	return r;
}

long sys_kbus_reply_recv(struct cspace *cs, handle_t target, const uint64_t *a)
{
	struct cap_ref ref;
	struct umsg m;
	struct kbus_in in;
	uint64_t need = RIGHT_RECV | (a[0] ? RIGHT_SEND : 0);
	int r = cap_lookup(cs, target, OBJ_ENDPOINT, need, &ref);
	if (r)
		return r;
	r = get_buf(cs, a[1], &in);
	if (!r && a[0])
		r = get_msg(cs, a[0], &m);
	if (!r && a[0]) {
		r = kbus_reply(ep_of(&ref), &m.out);
		if (r == ERR_PEER_CLOSED || r == ERR_BAD_STATE)
			r = 0; /* nobody to answer: receive anyway */
	}
	if (!r)
		r = put_buf(a[1], &in, kbus_recv(ep_of(&ref), &in, 0, a[2]));
	cap_ref_put(&ref);
	return r;
}

long sys_kbus_info(struct cspace *cs, handle_t target, const uint64_t *a)
{
	struct cap_ref ref;
	struct kbus_endpoint_info info;
	int r = cap_lookup(cs, target, OBJ_ENDPOINT, RIGHT_INSPECT, &ref);
	if (r)
		return r;
	kbus_endpoint_info(ep_of(&ref), &info);
	cap_ref_put(&ref);
	return copy_to_user(a[0], &info, sizeof(info));
}

long sys_kbus_call_fast(struct cspace *cs, handle_t target, struct trap_frame *tf)
{
	struct cap_ref ref;
	int r = cap_lookup(cs, target, OBJ_ENDPOINT, RIGHT_SEND | RIGHT_RECV, &ref);
	if (unlikely(r))
		return r;
	uint64_t w[KBUS_FAST_WORDS], out[KBUS_FAST_WORDS];
	arch_fast_words(tf, w);
	r = kbus_call_fast(ep_of(&ref), ref.badge, w, out, arch_fast_extra(tf));
	cap_ref_put(&ref);
	if (likely(!r))
		arch_fast_set_words(tf, out, 0);
	return r;
}

long sys_kbus_reply_recv_fast(struct cspace *cs, handle_t target, struct trap_frame *tf)
{
	struct cap_ref ref;
	bool reply = arch_fast_extra(tf) & 1;
	int r = cap_lookup(cs, target, OBJ_ENDPOINT, RIGHT_RECV | (reply ? RIGHT_SEND : 0), &ref);
	if (unlikely(r))
		return r;
	uint64_t w[KBUS_FAST_WORDS], out[KBUS_FAST_WORDS];
	uint64_t badge;
	arch_fast_words(tf, w);
	uint32_t flags;
	int reply_err;
	r = kbus_reply_recv_fast(ep_of(&ref), reply ? w : NULL, &reply_err, out, &badge, &flags,
	                         WAIT_FOREVER);
	cap_ref_put(&ref);
	if (likely(!r))
		arch_fast_set_words(tf, out, badge);
	return r;
}

long sys_waitset_create(struct cspace *cs, handle_t target, const uint64_t *a)
{
	struct cap_ref pool;
	struct kbus_waitset *ws;
	int r = cap_lookup(cs, target, OBJ_MEMORY_POOL, RIGHT_CREATE, &pool);
	if (r)
		return r;
	if (!user_range_ok(a[0], sizeof(handle_t)))
		r = ERR_BAD_ADDRESS;
	else
		r = kbus_waitset_create(pool_from(pool.obj), &ws);
	if (!r)
		r = syscall_publish(cs, waitset_obj(ws), WS_RIGHTS, a[0]);
	cap_ref_put(&pool);
	return r;
}

long sys_waitset_add(struct cspace *cs, handle_t target, const uint64_t *a)
{
	struct cap_ref ws, obj;
	int r = cap_lookup(cs, target, OBJ_WAITSET, RIGHT_MANAGE, &ws);
	if (r)
		return r;
	r = a[0] >> 32 ? ERR_BAD_HANDLE
	               : cap_lookup(cs, (handle_t)a[0], OBJ_NONE, RIGHT_WAIT, &obj);
	if (!r) {
		r = a[1] >> 32
		        ? ERR_INVALID_ARGS
		        : kbus_waitset_add(waitset_from(ws.obj), obj.obj, (uint32_t)a[1], a[2]);
		cap_ref_put(&obj);
	}
	cap_ref_put(&ws);
	return r;
}

long sys_waitset_remove(struct cspace *cs, handle_t target, const uint64_t *a)
{
	struct cap_ref ws;
	int r = cap_lookup(cs, target, OBJ_WAITSET, RIGHT_MANAGE, &ws);
	if (r)
		return r;
	r = kbus_waitset_remove(waitset_from(ws.obj), a[0]);
	cap_ref_put(&ws);
	return r;
}

long sys_waitset_wait(struct cspace *cs, handle_t target, const uint64_t *a)
{
	struct cap_ref ws;
	struct kbus_event ev[WAIT_MAX_EVENTS];
	int r = cap_lookup(cs, target, OBJ_WAITSET, RIGHT_WAIT, &ws);
	if (r)
		return r;
	uint32_t max = (uint32_t)MIN(a[1], (uint64_t)WAIT_MAX_EVENTS);
	if (!max)
		r = ERR_INVALID_ARGS;
	else if (!user_range_ok(a[0], max * sizeof(ev[0])))
		r = ERR_BAD_ADDRESS;
	else
		r = kbus_waitset_wait(waitset_from(ws.obj), ev, max, a[2]);
	if (r > 0 && copy_to_user(a[0], ev, (size_t)r * sizeof(ev[0])))
		r = ERR_BAD_ADDRESS;
	cap_ref_put(&ws);
	return r;
}

long sys_waitset_timer(struct cspace *cs, handle_t target, const uint64_t *a)
{
	struct cap_ref ws;
	int r = cap_lookup(cs, target, OBJ_WAITSET, RIGHT_MANAGE, &ws);
	if (r)
		return r;
	kbus_waitset_timer(waitset_from(ws.obj), a[0], a[1]);
	cap_ref_put(&ws);
	return 0;
}

long sys_group_create(struct cspace *cs, handle_t target, const uint64_t *a)
{
	struct cap_ref pool;
	struct kbus_group *g;
	int r = cap_lookup(cs, target, OBJ_MEMORY_POOL, RIGHT_CREATE, &pool);
	if (r)
		return r;
	if (a[0] > KBUS_MAX_DEPTH)
		r = ERR_INVALID_ARGS;
	else if (!user_range_ok(a[1], sizeof(handle_t)))
		r = ERR_BAD_ADDRESS;
	else
		r = kbus_group_create(pool_from(pool.obj), (uint32_t)a[0], &g);
	if (!r)
		r = syscall_publish(cs, group_obj(g), GROUP_RIGHTS, a[1]);
	cap_ref_put(&pool);
	return r;
}

long sys_group_subscribe(struct cspace *cs, handle_t target, const uint64_t *a)
{
	struct cap_ref ref;
	struct endpoint *ep;
	int r = cap_lookup(cs, target, OBJ_GROUP, RIGHT_RECV, &ref);
	if (r)
		return r;
	if (!user_range_ok(a[0], sizeof(handle_t)))
		r = ERR_BAD_ADDRESS;
	else
		r = kbus_group_subscribe(group_from(ref.obj), &ep);
	if (!r)
		r = syscall_publish(cs, endpoint_obj(ep), SUB_RIGHTS, a[0]);
	cap_ref_put(&ref);
	return r;
}

long sys_group_publish(struct cspace *cs, handle_t target, const uint64_t *a)
{
	struct cap_ref ref;
	struct umsg m;
	int r = cap_lookup(cs, target, OBJ_GROUP, RIGHT_SEND, &ref);
	if (r)
		return r;
	r = get_msg(cs, a[0], &m);
	if (!r)
		r = kbus_group_publish(group_from(ref.obj), &m.out);
	cap_ref_put(&ref);
	return r;
}
