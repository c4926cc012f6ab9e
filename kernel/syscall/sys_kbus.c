/*
 * sys_kbus.c - kbus actions (include/abi/kbus.h): channels, send/receive,
 * calls and their register fast path, waitsets and multicast groups.
 *
 * Thin wrappers: the dispatcher has decoded the target (syscall/syscall.h);
 * these copy descriptors in from user memory (struct kbus_msg, its handle array;
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

long sys_channel_create(struct cspace *cs, struct mem_pool *pool, const struct cap_ref *cap,
                        const uint64_t *a)
{
	(void)cap;
	struct endpoint *e0, *e1;
	handle_t h[2];
	if (a[0] > KBUS_MAX_DEPTH || a[2] > UINT32_MAX)
		return ERR_INVALID_ARGS;
	int r = kbus_channel_create_kind(pool, (uint32_t)a[0], (uint32_t)a[2], &e0, &e1);
	if (r)
		return r;
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
	return r;
}

long sys_kbus_send(struct cspace *cs, struct endpoint *ep, const struct cap_ref *cap,
                   const uint64_t *a)
{
	struct umsg m;
	if (a[1] & ~(uint64_t)KBUS_NONBLOCK)
		return ERR_INVALID_ARGS;
	int r = get_msg(cs, a[0], &m);
	return r ? r : kbus_send(ep, cap->badge, &m.out, (uint32_t)a[1], a[2]);
}

long sys_kbus_recv(struct cspace *cs, struct endpoint *ep, const struct cap_ref *cap,
                   const uint64_t *a)
{
	(void)cap;
	struct kbus_in in;
	if (a[1] & ~(uint64_t)KBUS_NONBLOCK)
		return ERR_INVALID_ARGS;
	int r = get_buf(cs, a[0], &in);
	return r ? r : put_buf(a[0], &in, kbus_recv(ep, &in, (uint32_t)a[1], a[2]));
}

long sys_kbus_call(struct cspace *cs, struct endpoint *ep, const struct cap_ref *cap,
                   const uint64_t *a)
{
	struct umsg m;
	struct kbus_in in;
	int r = get_msg(cs, a[0], &m);
	if (!r)
		r = get_buf(cs, a[1], &in);
	if (!r)
		r = put_buf(a[1], &in, kbus_call(ep, cap->badge, &m.out, &in, a[2]));
	return r;
}

long sys_kbus_reply(struct cspace *cs, struct endpoint *ep, const struct cap_ref *cap,
                    const uint64_t *a)
{
	(void)cap;
	struct umsg m;
	int r = get_msg(cs, a[0], &m);
	return r ? r : kbus_reply(ep, &m.out);
}

/* The row asks RIGHT_RECV; a reply (a0 != 0) needs RIGHT_SEND as well. */
long sys_kbus_reply_recv(struct cspace *cs, struct endpoint *ep, const struct cap_ref *cap,
                         const uint64_t *a)
{
	struct umsg m;
	struct kbus_in in;
	if (a[0] && !(cap->rights & RIGHT_SEND))
		return ERR_ACCESS_DENIED;
	int r = get_buf(cs, a[1], &in);
	if (!r && a[0])
		r = get_msg(cs, a[0], &m);
	struct thread *run = NULL; /* the caller answered: the CPU goes to it if we wait */
	if (!r && a[0]) {
		r = kbus_reply_run(ep, &m.out, &run);
		if (r == ERR_PEER_CLOSED || r == ERR_BAD_STATE)
			r = 0; /* nobody to answer: receive anyway */
	}
	if (!r)
		r = put_buf(a[1], &in, kbus_recv_run(ep, &in, 0, a[2], run));
	else
		sched_wake_unpin(run);
	return r;
}

long sys_kbus_info(struct cspace *cs, struct endpoint *ep, const struct cap_ref *cap,
                   const uint64_t *a)
{
	(void)cs, (void)cap;
	struct kbus_endpoint_info info;
	kbus_endpoint_info(ep, &info);
	return copy_to_user(a[0], &info, sizeof(info));
}

long sys_kbus_call_fast(struct endpoint *ep, const struct cap_ref *cap, struct trap_frame *tf)
{
	uint64_t w[KBUS_FAST_WORDS], out[KBUS_FAST_WORDS];
	arch_fast_words(tf, w);
	int r = kbus_call_fast(ep, cap->badge, w, out, arch_fast_extra(tf));
	if (likely(!r))
		arch_fast_set_words(tf, out, 0);
	return r;
}

/* Decoded with RIGHT_RECV; a reply to send (extra bit 0) needs RIGHT_SEND as well. */
long sys_kbus_reply_recv_fast(struct endpoint *ep, const struct cap_ref *cap, struct trap_frame *tf)
{
	bool reply = arch_fast_extra(tf) & 1;
	if (unlikely(reply && !(cap->rights & RIGHT_SEND)))
		return ERR_ACCESS_DENIED;
	uint64_t w[KBUS_FAST_WORDS], out[KBUS_FAST_WORDS];
	uint64_t badge;
	arch_fast_words(tf, w);
	uint32_t flags;
	int reply_err;
	int r = kbus_reply_recv_fast(ep, reply ? w : NULL, &reply_err, out, &badge, &flags,
	                             WAIT_FOREVER);
	if (likely(!r))
		arch_fast_set_words(tf, out, badge);
	return r;
}

long sys_waitset_create(struct cspace *cs, struct mem_pool *pool, const struct cap_ref *cap,
                        const uint64_t *a)
{
	(void)cap;
	struct kbus_waitset *ws;
	int r = kbus_waitset_create(pool, &ws);
	return r ? r : syscall_publish(cs, waitset_obj(ws), WS_RIGHTS, a[0]);
}

long sys_waitset_add(struct cspace *cs, struct kbus_waitset *ws, const struct cap_ref *cap,
                     const uint64_t *a)
{
	(void)cap;
	struct cap_ref obj;
	int r = cap_lookup(cs, (handle_t)a[0], OBJ_NONE, RIGHT_WAIT, &obj);
	if (r)
		return r;
	r = a[1] >> 32 ? ERR_INVALID_ARGS : kbus_waitset_add(ws, obj.obj, (uint32_t)a[1], a[2]);
	cap_ref_put(&obj);
	return r;
}

long sys_waitset_remove(struct cspace *cs, struct kbus_waitset *ws, const struct cap_ref *cap,
                        const uint64_t *a)
{
	(void)cs, (void)cap;
	return kbus_waitset_remove(ws, a[0]);
}

/* Events are consumed by the wait: the array is checked before (syscall/syscall.h). */
long sys_waitset_wait(struct cspace *cs, struct kbus_waitset *ws, const struct cap_ref *cap,
                      const uint64_t *a)
{
	(void)cs, (void)cap;
	struct kbus_event ev[WAIT_MAX_EVENTS];
	uint32_t max = (uint32_t)MIN(a[1], (uint64_t)WAIT_MAX_EVENTS);
	if (!max)
		return ERR_INVALID_ARGS;
	if (!user_range_ok(a[0], max * sizeof(ev[0])))
		return ERR_BAD_ADDRESS;
	int r = kbus_waitset_wait(ws, ev, max, a[2]);
	if (r > 0 && copy_to_user(a[0], ev, (size_t)r * sizeof(ev[0])))
		r = ERR_BAD_ADDRESS;
	return r;
}

long sys_waitset_timer(struct cspace *cs, struct kbus_waitset *ws, const struct cap_ref *cap,
                       const uint64_t *a)
{
	(void)cs, (void)cap;
	kbus_waitset_timer(ws, a[0], a[1]);
	return 0;
}

long sys_group_create(struct cspace *cs, struct mem_pool *pool, const struct cap_ref *cap,
                      const uint64_t *a)
{
	(void)cap;
	struct kbus_group *g;
	if (a[0] > KBUS_MAX_DEPTH)
		return ERR_INVALID_ARGS;
	int r = kbus_group_create(pool, (uint32_t)a[0], &g);
	return r ? r : syscall_publish(cs, group_obj(g), GROUP_RIGHTS, a[1]);
}

long sys_group_subscribe(struct cspace *cs, struct kbus_group *g, const struct cap_ref *cap,
                         const uint64_t *a)
{
	(void)cap;
	struct endpoint *ep;
	int r = kbus_group_subscribe(g, &ep);
	return r ? r : syscall_publish(cs, endpoint_obj(ep), SUB_RIGHTS, a[0]);
}

long sys_group_publish(struct cspace *cs, struct kbus_group *g, const struct cap_ref *cap,
                       const uint64_t *a)
{
	(void)cap;
	struct umsg m;
	int r = get_msg(cs, a[0], &m);
	return r ? r : kbus_group_publish(g, &m.out);
}
