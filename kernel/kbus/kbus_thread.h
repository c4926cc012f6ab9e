/*
 * kbus_thread.h - kbus's part of every scheduler thread (struct thread's
 * `kbus` member, sched/sched.h).
 *
 * A thread that receives a call becomes its answerer: kbus.pending points at
 * the caller's record (or is KBUS_CALL_ABANDONED once the caller gave up) and
 * kbus.pending_ep at the endpoint it came from (a reference held) until the
 * thread replies, receives again or ends (kbus_thread_exit). Owned by
 * kernel/kbus/call.c and flat.c, under the channel lock of pending_ep; nothing outside
 * kernel/kbus reads it but the scheduler's "must kbus clean up?" test.
 */
#pragma once
#include <stdbool.h>
#include <stdint.h>
#include <abi/kbus.h>

struct kbus_call;
struct kbus_kmsg;
struct endpoint;
struct thread;

/* A thread waiting in kbus_reply_recv_fast(): on its stack (the C path), or
 * the thread's own kbus.fw while it is parked by the flat path (call.c). */
struct kbus_fast_waiter {
	struct thread *thread;
	struct kbus_fast_waiter *next; /* other parked receivers of the endpoint */
	struct kbus_fast_waiter **pprev; /* the pointer to us while parked: O(1) unpark */
	bool got; /* a call was handed over */
	uint64_t words[KBUS_FAST_WORDS];
	uint64_t badge;
	struct endpoint *ep; /* flat path: where it is parked (a reference held) */
};

/* The caller side of a call: on the caller's stack until it returns (the C
 * path), or the thread's own kbus.call while it waits in the flat path. */
enum call_state { CALL_WAITING, CALL_DONE, CALL_CLOSED };
struct kbus_call {
	struct thread *caller;
	enum call_state state; /* ch->lock */
	struct kbus_kmsg *msg; /* while queued: the request */
	struct kbus_kmsg *reply; /* CALL_DONE by the slow path */
	bool fast_reply; /* CALL_DONE with words */
	/* a kernel caller's reply buffer (kbus_kernel_call_msg(); NULL: a user
	   caller's call): a small reply without capabilities is copied straight
	   into it (kreply_len bytes sent, at most kreply_cap kept), no message */
	void *kreply;
	uint32_t kreply_cap, kreply_len;
	bool kreplied; /* CALL_DONE that way */
	uint64_t words[KBUS_FAST_WORDS];
	struct thread *server; /* received by this thread (NULL: queued) */
	/* the server endpoint's outstanding list. A thread's flat record
	   (kbus.call) may also rest there, answered (not CALL_WAITING), from one
	   flat call to the next: see flat.c */
	struct kbus_call *next_out, **pprev_out;
};

/* kbus_thread.flat: how a thread left by the flat path waits (call.c). */
enum kbus_flat_wait {
	KBUS_FLAT_NONE, /* not waiting in the flat path (its kernel context is real) */
	KBUS_FLAT_CALLER, /* waits for the answer to kbus.call */
	KBUS_FLAT_PARKED, /* parked receiver: kbus.fw on kbus.fw.ep's list */
};

/* kbus_thread.pending: the call was received, but its caller is gone. */
#define KBUS_CALL_ABANDONED ((struct kbus_call *)1)

#define KBUS_FC_NONE UINT64_MAX

struct kbus_thread {
	struct kbus_call *pending; /* NULL: no call to answer */
	struct endpoint *pending_ep; /* the endpoint it came from (reference held) */
	bool pending_kernel; /* a hint, set with pending: its caller is the kernel
	                        (the reply checks call->kreply under the lock) */
	/* The flat path (call.c): a thread it blocks keeps no kernel frames; its
	   wait is described here and its saved context resumes in kbus_flat_resume(). */
	enum kbus_flat_wait flat;
	struct endpoint *held_ep; /* a reference kept from one flat call to the next
	                             (put when a fast action falls back to the C
	                             path, when the thread parks, at its end) */
	/* the flat path's last lookup (flat.c): handle h named the endpoint ep,
	   with SEND and RECV and this badge, when the thread's cspace had
	   generation gen (KBUS_FC_NONE: no entry; a generation never reaches it) */
	struct {
		uint32_t h;
		uint64_t gen;
		struct endpoint *ep;
		uint64_t badge;
	} fc;
	struct kbus_call call; /* KBUS_FLAT_CALLER: the call */
	struct kbus_fast_waiter fw; /* KBUS_FLAT_PARKED: the parked receiver */
};
