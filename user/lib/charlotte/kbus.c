/*
 * kbus.c - the kbus wrappers and typed messages (see kbus.h).
 *
 * The raw wrappers are one ch_syscallN each, pointers passed as integers. The
 * typed helpers add the header check on top of the raw receive: a message that
 * arrived but is not what the caller asked for is consumed (it cannot be pushed
 * back), so any capabilities it carried are dropped here rather than leaked into
 * the caller's cspace unseen.
 */
#include "kbus.h"

#include "syscall.h"

#define U(x) ((uint64_t)(uintptr_t)(x))

long ch_channel_create(handle_t pool, uint32_t depth, handle_t out[2])
{
	return ch_syscall3(SYS_CHANNEL_CREATE, pool, depth, U(out), KBUS_KIND_NONE);
}

long ch_channel_create_kind(handle_t pool, uint32_t depth, handle_t out[2], uint64_t kind)
{
	return ch_syscall3(SYS_CHANNEL_CREATE, pool, depth, U(out), kind);
}

long ch_kbus_send(handle_t ep, const struct kbus_msg *m, uint32_t flags, uint64_t timeout)
{
	return ch_syscall3(SYS_KBUS_SEND, ep, U(m), flags, timeout);
}

long ch_kbus_recv(handle_t ep, struct kbus_buf *b, uint32_t flags, uint64_t timeout)
{
	return ch_syscall3(SYS_KBUS_RECV, ep, U(b), flags, timeout);
}

long ch_kbus_call(handle_t ep, const struct kbus_msg *req, struct kbus_buf *rep, uint64_t timeout)
{
	return ch_syscall3(SYS_KBUS_CALL, ep, U(req), U(rep), timeout);
}

long ch_kbus_reply(handle_t ep, const struct kbus_msg *rep)
{
	return ch_syscall1(SYS_KBUS_REPLY, ep, U(rep));
}

long ch_kbus_reply_recv(handle_t ep, const struct kbus_msg *rep, struct kbus_buf *b,
                        uint64_t timeout)
{
	return ch_syscall3(SYS_KBUS_REPLY_RECV, ep, U(rep), U(b), timeout);
}

long ch_kbus_info(handle_t ep, struct kbus_endpoint_info *out)
{
	return ch_syscall1(SYS_KBUS_INFO, ep, U(out));
}

long ch_waitset_create(handle_t pool, handle_t *out)
{
	return ch_syscall1(SYS_WAITSET_CREATE, pool, U(out));
}

long ch_waitset_add(handle_t ws, handle_t h, uint32_t events, uint64_t key)
{
	return ch_syscall3(SYS_WAITSET_ADD, ws, h, events, key);
}

long ch_waitset_remove(handle_t ws, uint64_t key)
{
	return ch_syscall1(SYS_WAITSET_REMOVE, ws, key);
}

long ch_waitset_wait(handle_t ws, struct kbus_event *out, uint32_t max, uint64_t timeout)
{
	return ch_syscall3(SYS_WAITSET_WAIT, ws, U(out), max, timeout);
}

long ch_waitset_timer(handle_t ws, uint64_t deadline, uint64_t key)
{
	return ch_syscall2(SYS_WAITSET_TIMER, ws, deadline, key);
}

long ch_group_create(handle_t pool, uint32_t depth, handle_t *out)
{
	return ch_syscall2(SYS_GROUP_CREATE, pool, depth, U(out));
}

long ch_group_subscribe(handle_t group, handle_t *out)
{
	return ch_syscall1(SYS_GROUP_SUBSCRIBE, group, U(out));
}

long ch_group_publish(handle_t group, const struct kbus_msg *m)
{
	return ch_syscall1(SYS_GROUP_PUBLISH, group, U(m));
}

long ch_thread_set_pager(handle_t thread, handle_t ep)
{
	return ch_syscall1(SYS_THREAD_SET_PAGER, thread, ep);
}

long ch_kbus_send_bytes(handle_t ep, const void *data, uint32_t len, uint32_t flags,
                        uint64_t timeout)
{
	struct kbus_msg m = {.data = data, .len = len};
	return ch_kbus_send(ep, &m, flags, timeout);
}

long ch_kbus_recv_bytes(handle_t ep, void *data, uint32_t cap, uint32_t *len, uint32_t flags,
                        uint64_t timeout)
{
	struct kbus_buf b = {.data = data, .capacity = cap};
	long r = ch_kbus_recv(ep, &b, flags, timeout);
	if (len && (r >= 0 || r == ERR_BUFFER_TOO_SMALL))
		*len = b.len;
	return r;
}

/* --- typed messages --- */

static void msg_fill(struct kbus_msg *m, uint32_t type, struct ch_msg_hdr *hdr, uint32_t len,
                     const struct ch_msg_caps *caps)
{
	hdr->type = type;
	hdr->len = len;
	*m = (struct kbus_msg){.data = hdr, .len = len};
	if (caps) {
		m->handles = caps->handles;
		m->nhandles = caps->count;
		m->copy_mask = caps->copy_mask;
	}
}

/* Checks a received message (b filled in by the kernel); drops its handles if bad. */
static long msg_check(const struct kbus_buf *b, uint32_t want, const struct ch_msg_hdr *hdr)
{
	long r = ch_msg_check(hdr, b->len, want);
	if (r >= 0)
		return r;
	for (uint32_t i = 0; i < b->nhandles; i++)
		if (b->handles[i] != HANDLE_INVALID)
			ch_cap_drop(b->handles[i]);
	return r;
}

long ch_msg_send_typed(handle_t ep, uint32_t type, struct ch_msg_hdr *msg, uint32_t len,
                       const struct ch_msg_caps *caps, uint32_t flags, uint64_t timeout)
{
	struct kbus_msg m;

	if (!msg || len < sizeof(*msg))
		return ERR_INVALID_ARGS;
	msg_fill(&m, type, msg, len, caps);
	return ch_kbus_send(ep, &m, flags, timeout);
}

long ch_msg_recv_typed(handle_t ep, uint32_t want, struct ch_msg_hdr *msg, uint32_t cap,
                       struct ch_msg_caps *caps, uint32_t flags, uint64_t timeout)
{
	struct kbus_buf b = {.data = msg, .capacity = cap};

	if (caps) {
		b.handles = caps->handles;
		b.handles_capacity = caps->capacity;
		caps->count = 0;
	}
	long r = ch_kbus_recv(ep, &b, flags, timeout);
	if (r < 0)
		return r;
	if (caps)
		caps->count = b.nhandles;
	r = msg_check(&b, want, msg);
	if (r < 0 && caps)
		caps->count = 0;
	return r;
}

long ch_msg_call_typed(handle_t ep, uint32_t type, struct ch_msg_hdr *req, uint32_t len,
                       uint32_t rep_type, struct ch_msg_hdr *rep, uint32_t rep_cap,
                       uint64_t timeout)
{
	struct kbus_msg m;
	struct kbus_buf b = {.data = rep, .capacity = rep_cap};

	if (!req || len < sizeof(*req))
		return ERR_INVALID_ARGS;
	msg_fill(&m, type, req, len, NULL);
	long r = ch_kbus_call(ep, &m, &b, timeout);
	if (r < 0)
		return r;
	return msg_check(&b, rep_type, rep);
}
