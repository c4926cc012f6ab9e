/*
 * kbus_thread.h - kbus's part of every scheduler thread (struct thread's
 * `kbus` member, sched/sched.h).
 *
 * A thread that receives a call becomes its answerer: kbus.pending points at
 * the caller's record (or is KBUS_CALL_ABANDONED once the caller gave up) and
 * kbus.pending_ep at the endpoint it came from (a reference held) until the
 * thread replies, receives again or ends (kbus_thread_exit). Owned by
 * kernel/kbus/call.c, under the channel lock of pending_ep; nothing outside
 * kernel/kbus reads it but the scheduler's "must kbus clean up?" test.
 */
#pragma once

struct kbus_call;
struct endpoint;

/* kbus_thread.pending: the call was received, but its caller is gone. */
#define KBUS_CALL_ABANDONED ((struct kbus_call *)1)

struct kbus_thread {
	struct kbus_call *pending; /* NULL: no call to answer */
	struct endpoint *pending_ep; /* the endpoint it came from (reference held) */
};
