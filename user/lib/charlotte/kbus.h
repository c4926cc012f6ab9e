/*
 * kbus.h - libcharlotte's face of the message bus (ABI: include/abi/kbus.h, model:
 * docs/kbus.md): one wrapper per kbus action, the register fast path, and typed
 * messages.
 *
 * Raw wrappers (ch_channel_create ... ch_thread_set_pager) pass their arguments
 * straight to the kernel and return what it returned: 0 or a value >= 0 on success,
 * a negative ERR_* otherwise. Like syscall.h they check nothing, so tests can hand
 * the kernel hostile pointers. Timeouts are nanoseconds, CH_FOREVER for none.
 *
 * The fast path (ch_kbus_call_fast, ch_kbus_reply_recv_fast) is inline: four words
 * travel in rsi, rdx, r10, r8 both ways and the kernel hands back the answer in the
 * same registers (badge in r9), so the asm declares all five as outputs.
 *
 * Typed messages: a message whose data starts with struct ch_msg_hdr {type, len},
 * len counting the header. The caller lays out its own struct with the header
 * first (no copy on either side); ch_msg_send_typed fills the header in,
 * ch_msg_recv_typed checks it. Types below CH_MSG_TYPE_USER are libcharlotte's own
 * (bulk transfer uses one).
 */
#pragma once

#include <stddef.h>
#include <stdint.h>

#include <abi/errors.h>
#include <abi/handle.h>
#include <abi/kbus.h>
#include <abi/rights.h>
#include <abi/syscall.h>

#define CH_FOREVER UINT64_MAX

/* --- channels --- */

/* A channel paid by pool with depth messages per endpoint (0: default); ends in out[2]. */
long ch_channel_create(handle_t pool, uint32_t depth, handle_t out[2]);
/* A channel of a kind (KBUS_KIND_*), which SYS_KBUS_INFO reports on both ends. */
long ch_channel_create_kind(handle_t pool, uint32_t depth, handle_t out[2], uint64_t kind);
/* Queue m on ep's peer. flags: KBUS_NONBLOCK. */
long ch_kbus_send(handle_t ep, const struct kbus_msg *m, uint32_t flags, uint64_t timeout);
/* Take the oldest message queued on ep into *b (b->len etc. filled in). */
long ch_kbus_recv(handle_t ep, struct kbus_buf *b, uint32_t flags, uint64_t timeout);
/* Send req as a call and wait for the reply into *rep. */
long ch_kbus_call(handle_t ep, const struct kbus_msg *req, struct kbus_buf *rep, uint64_t timeout);
/* Answer the call this thread last received on ep. */
long ch_kbus_reply(handle_t ep, const struct kbus_msg *rep);
/* Answer (rep may be NULL: no answer), then receive the next message into *b. */
long ch_kbus_reply_recv(handle_t ep, const struct kbus_msg *rep, struct kbus_buf *b,
                        uint64_t timeout);
/* Queue state of ep. */
long ch_kbus_info(handle_t ep, struct kbus_endpoint_info *out);

/*
 * Fast call: w[0..3] go to the server in registers; its four reply words come back
 * in out[0..3] (out may alias w). Returns 0 or an error as ch_kbus_call.
 */
static inline long ch_kbus_call_fast(handle_t ep, const uint64_t w[KBUS_FAST_WORDS],
                                     uint64_t out[KBUS_FAST_WORDS], uint64_t timeout)
{
	register uint64_t rsi __asm__("rsi") = w[0];
	register uint64_t rdx __asm__("rdx") = w[1];
	register uint64_t r10 __asm__("r10") = w[2];
	register uint64_t r8 __asm__("r8") = w[3];
	register uint64_t r9 __asm__("r9") = timeout;
	long ret;

	__asm__ volatile("syscall"
	                 : "=a"(ret), "+r"(rsi), "+r"(rdx), "+r"(r10), "+r"(r8), "+r"(r9)
	                 : "0"((uint64_t)SYS_KBUS_CALL_FAST), "D"((uint64_t)ep)
	                 : "rcx", "r11", "memory");
	if (ret >= 0) {
		out[0] = rsi;
		out[1] = rdx;
		out[2] = r10;
		out[3] = r8;
	}
	return ret;
}

/*
 * Fast server step: if reply is not NULL, answer the pending call with its four
 * words; then wait for the next call on ep, whose words land in in[0..3] and its
 * sender's badge in *badge (may be NULL). A queued message that does not fit four
 * words (or carries handles) gives ERR_BUFFER_TOO_SMALL and stays queued for
 * ch_kbus_recv.
 */
static inline long ch_kbus_reply_recv_fast(handle_t ep, const uint64_t *reply,
                                           uint64_t in[KBUS_FAST_WORDS], uint64_t *badge)
{
	register uint64_t rsi __asm__("rsi") = reply ? reply[0] : 0;
	register uint64_t rdx __asm__("rdx") = reply ? reply[1] : 0;
	register uint64_t r10 __asm__("r10") = reply ? reply[2] : 0;
	register uint64_t r8 __asm__("r8") = reply ? reply[3] : 0;
	register uint64_t r9 __asm__("r9") = reply ? 1 : 0;
	long ret;

	__asm__ volatile("syscall"
	                 : "=a"(ret), "+r"(rsi), "+r"(rdx), "+r"(r10), "+r"(r8), "+r"(r9)
	                 : "0"((uint64_t)SYS_KBUS_REPLY_RECV_FAST), "D"((uint64_t)ep)
	                 : "rcx", "r11", "memory");
	if (ret >= 0) {
		in[0] = rsi;
		in[1] = rdx;
		in[2] = r10;
		in[3] = r8;
		if (badge)
			*badge = r9;
	}
	return ret;
}

/* --- waitsets --- */

long ch_waitset_create(handle_t pool, handle_t *out);
/* Watch h (endpoint, process, thread, subscription) for events (KBUS_EV_*) as key. */
long ch_waitset_add(handle_t ws, handle_t h, uint32_t events, uint64_t key);
long ch_waitset_remove(handle_t ws, uint64_t key);
/* Up to max ready events into out; returns how many (>= 1) or ERR_TIMED_OUT. */
long ch_waitset_wait(handle_t ws, struct kbus_event *out, uint32_t max, uint64_t timeout);
/* The waitset's one timer: fires at deadline (monotonic ns; 0 cancels) as key. */
long ch_waitset_timer(handle_t ws, uint64_t deadline, uint64_t key);

/* --- multicast groups --- */

long ch_group_create(handle_t pool, uint32_t depth, handle_t *out);
/* A subscription endpoint (RECV|WAIT) receiving everything published from now on. */
long ch_group_subscribe(handle_t group, handle_t *out);
/* Deliver m (no handles) to every subscriber; returns how many got it. */
long ch_group_publish(handle_t group, const struct kbus_msg *m);

/* --- user-level pagers --- */

/* Faults of thread the kernel cannot resolve go to ep (a call); HANDLE_INVALID: none. */
long ch_thread_set_pager(handle_t thread, handle_t ep);

/* --- convenience --- */

/* Send len bytes (no handles). */
long ch_kbus_send_bytes(handle_t ep, const void *data, uint32_t len, uint32_t flags,
                        uint64_t timeout);
/* Receive into [data, data + cap); the message's length in *len (may be NULL). */
long ch_kbus_recv_bytes(handle_t ep, void *data, uint32_t cap, uint32_t *len, uint32_t flags,
                        uint64_t timeout);

/* --- typed messages --- */

struct ch_msg_hdr {
	uint32_t type; /* what the rest means; CH_MSG_TYPE_USER and up are the program's */
	uint32_t len; /* bytes of the whole message, header included */
};

#define CH_MSG_TYPE_BULK 1u /* bulk.h: a shared memory capability */
#define CH_MSG_TYPE_USER 0x100u
#define CH_MSG_ANY 0u /* ch_msg_recv_typed: accept any type */

/* Handles travelling with a typed message, and where received ones go. */
struct ch_msg_caps {
	handle_t *handles; /* sent (send) / filled in (recv) */
	uint32_t count; /* send: how many; recv: filled in */
	uint32_t capacity; /* recv: room at handles */
	uint64_t copy_mask; /* send: bit i copies handles[i] (else it is moved) */
};

/*
 * Sends the len bytes at msg (a struct starting with struct ch_msg_hdr) after
 * setting msg->type = type and msg->len = len, with caps (may be NULL).
 * ERR_INVALID_ARGS if len < sizeof(struct ch_msg_hdr); else as ch_kbus_send.
 */
long ch_msg_send_typed(handle_t ep, uint32_t type, struct ch_msg_hdr *msg, uint32_t len,
                       const struct ch_msg_caps *caps, uint32_t flags, uint64_t timeout);

/*
 * Receives one message into [msg, msg + cap) and handles into caps (may be NULL:
 * messages with handles are then refused by the kernel and stay queued). The
 * message must be well formed (at least a header, hdr.len equal to the bytes
 * received) and of type want (CH_MSG_ANY: any); otherwise it has been consumed,
 * any handles it carried are dropped, and the result is ERR_MALFORMED. Returns the
 * message's length or an error as ch_kbus_recv (ERR_BUFFER_TOO_SMALL leaves it
 * queued).
 */
long ch_msg_recv_typed(handle_t ep, uint32_t want, struct ch_msg_hdr *msg, uint32_t cap,
                       struct ch_msg_caps *caps, uint32_t flags, uint64_t timeout);

/*
 * The check ch_msg_recv_typed and ch_msg_call_typed make of what arrived (kmsg.c,
 * no system call): the len bytes at data are a typed message of type want
 * (CH_MSG_ANY: any), at least a header whose len is len. Returns len, or
 * ERR_MALFORMED. Reads no more than min(len, sizeof(struct ch_msg_hdr)) bytes.
 */
long ch_msg_check(const void *data, uint32_t len, uint32_t want);

/*
 * Typed call: sends req (header filled in as ch_msg_send_typed) as a call and
 * receives the reply into [rep, rep + rep_cap), checked as ch_msg_recv_typed with
 * rep_type. Returns the reply's length or an error.
 */
long ch_msg_call_typed(handle_t ep, uint32_t type, struct ch_msg_hdr *req, uint32_t len,
                       uint32_t rep_type, struct ch_msg_hdr *rep, uint32_t rep_cap,
                       uint64_t timeout);
