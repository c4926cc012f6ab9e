/*
 * kbus.h - the message bus ABI: channels, messages, waitsets, multicast groups
 * and user-level pagers. See docs/kbus.md for the model.
 *
 * A channel is a pair of endpoints (OBJ_ENDPOINT); what one end sends, the
 * other receives, in order. A message is up to KBUS_MAX_BYTES of data plus up
 * to KBUS_MAX_HANDLES capabilities; capabilities move between processes only
 * this way, and only with RIGHT_TRANSFER (copies also need RIGHT_DUPLICATE).
 * A message with any bad handle is refused whole: nothing is delivered and
 * the sender keeps everything.
 *
 * Same register convention as syscall.h: rax = action, rdi = target handle,
 * rsi, rdx, r10, r8, r9 = a0..a4.
 */
#pragma once
#include <stdint.h>
#include <abi/handle.h>
#include <abi/syscall.h>

#define KBUS_MAX_BYTES 65536u
#define KBUS_MAX_HANDLES 64u
#define KBUS_DEFAULT_DEPTH 64u /* messages queued per endpoint before senders wait */
#define KBUS_FAST_WORDS 4u /* words carried in registers by the fast call path */

/* --- message descriptors (user memory) --- */
struct kbus_msg {
	const void *data; /* bytes to send */
	uint32_t len; /* <= KBUS_MAX_BYTES */
	uint32_t nhandles; /* <= KBUS_MAX_HANDLES */
	const handle_t *handles; /* capabilities to send */
	uint64_t copy_mask; /* bit i set: copy handles[i] (needs DUPLICATE), else move it */
};

struct kbus_buf {
	void *data; /* where received bytes go */
	uint32_t capacity; /* bytes available at data */
	uint32_t handles_capacity;
	handle_t *handles; /* where received handles go (in the receiver's cspace) */
	/* filled in by the kernel: */
	uint32_t len; /* bytes of the message (even when ERR_BUFFER_TOO_SMALL) */
	uint32_t nhandles; /* handles of the message (likewise) */
	uint64_t badge; /* badge of the sender's endpoint capability */
	uint32_t flags; /* KBUS_MSG_* */
	uint32_t reserved;
};

#define KBUS_MSG_CALL 0x1 /* the message is a call: answer with SYS_KBUS_REPLY* */

/* flags for send/recv/call */
#define KBUS_NONBLOCK 0x1 /* full queue (send) / empty queue (recv): ERR_SHOULD_WAIT */

/* --- channels --- */
#define SYS_CHANNEL_CREATE SYS_ACTION(OBJ_MEMORY_POOL, 16)
/* target = pool (RIGHT_CREATE) paying for the channel; a0 = queue depth per
 * endpoint (0: KBUS_DEFAULT_DEPTH, max 4096); a1 = handle_t out[2]; a2 = the
 * channel's kind, a word the kernel keeps and SYS_KBUS_INFO reports on either
 * end (0: none; KBUS_KIND_* below; > UINT32_MAX: ERR_INVALID_ARGS). Both
 * endpoint capabilities get SEND|RECV|WAIT|DUPLICATE|TRANSFER|INSPECT|REVOKE. */

/* Channel kinds (a creator's claim, not a kernel guarantee: any program may
 * make a channel of any kind). Byte streams, abi/term.h: */
#define KBUS_KIND_NONE 0u
#define KBUS_KIND_PIPE 1u /* a pipe between two programs */
#define KBUS_KIND_TERM 2u /* a terminal session served by the console */

struct kbus_endpoint_info {
	uint32_t queued; /* messages waiting to be received here */
	uint32_t depth; /* queue limit */
	uint32_t peer_closed; /* 1 once the other end has no capabilities left */
	uint32_t kind; /* the channel's kind (SYS_CHANNEL_CREATE a2); 0 for a group's */
};

#define SYS_KBUS_SEND SYS_ACTION(OBJ_ENDPOINT, 1)
/* a0 = const struct kbus_msg *, a1 = flags, a2 = timeout ns (UINT64_MAX forever).
 * RIGHT_SEND (+ TRANSFER/DUPLICATE on the handles). ERR_PEER_CLOSED if the other
 * end is gone; ERR_SHOULD_WAIT / ERR_TIMED_OUT when the peer's queue stays full. */
#define SYS_KBUS_RECV SYS_ACTION(OBJ_ENDPOINT, 2)
/* a0 = struct kbus_buf *, a1 = flags, a2 = timeout ns. RIGHT_RECV. Returns 0 with
 * the message; ERR_BUFFER_TOO_SMALL leaves it queued and reports its sizes;
 * ERR_PEER_CLOSED once the queue is empty and the peer is gone. */
#define SYS_KBUS_CALL SYS_ACTION(OBJ_ENDPOINT, 3)
/* a0 = const struct kbus_msg *request, a1 = struct kbus_buf *reply, a2 = timeout.
 * RIGHT_SEND|RIGHT_RECV. Sends a call and waits for its reply; replies go to the
 * calling thread only, never to another receiver. */
#define SYS_KBUS_REPLY SYS_ACTION(OBJ_ENDPOINT, 4)
/* a0 = const struct kbus_msg *: answers the last call this thread received on
 * the endpoint. RIGHT_SEND. ERR_BAD_STATE if there is none; ERR_PEER_CLOSED if
 * the caller gave up or died (the reply is discarded). */
#define SYS_KBUS_REPLY_RECV SYS_ACTION(OBJ_ENDPOINT, 5)
/* a0 = const struct kbus_msg *reply (may be 0: just receive), a1 = struct
 * kbus_buf *, a2 = timeout. Reply, then receive the next message. */
#define SYS_KBUS_INFO SYS_ACTION(OBJ_ENDPOINT, 6)
/* a0 = struct kbus_endpoint_info *. RIGHT_INSPECT. */

/* Fast path: up to 4 words in registers, no memory descriptors, no handles.
 * SYS_KBUS_CALL_FAST: a0..a3 = words, a4 = timeout -> rax status, and the
 * reply words in rsi, rdx, r10, r8 (returned registers), badge in r9.
 * SYS_KBUS_REPLY_RECV_FAST: a0..a3 = reply words (a4 bit 0: 1 = there is a
 * reply to send) -> next call's words in rsi, rdx, r10, r8, its badge in r9. */
#define SYS_KBUS_CALL_FAST SYS_ACTION(OBJ_ENDPOINT, 7)
#define SYS_KBUS_REPLY_RECV_FAST SYS_ACTION(OBJ_ENDPOINT, 8)

/* --- waitsets --- */
#define SYS_WAITSET_CREATE SYS_ACTION(OBJ_MEMORY_POOL, 17)
/* target = pool; a0 = handle_t *out. */
#define SYS_WAITSET_ADD SYS_ACTION(OBJ_WAITSET, 1)
/* a0 = handle (endpoint, process, thread, or group subscription), a1 = events
 * (KBUS_EV_*), a2 = user key reported with the event. RIGHT_MANAGE on the
 * waitset, RIGHT_WAIT on the object. ERR_NO_RESOURCES: 1,024 members, or the
 * object is already watched 64 times (by all waitsets together). */
#define SYS_WAITSET_REMOVE SYS_ACTION(OBJ_WAITSET, 2)
/* a0 = key. */
#define SYS_WAITSET_WAIT SYS_ACTION(OBJ_WAITSET, 3)
/* a0 = struct kbus_event *out, a1 = max events, a2 = timeout ns. RIGHT_WAIT.
 * Returns the number of events (>= 1) or ERR_TIMED_OUT. A timer event is
 * added with SYS_WAITSET_TIMER. */
#define SYS_WAITSET_TIMER SYS_ACTION(OBJ_WAITSET, 4)
/* a0 = absolute deadline (monotonic ns, 0 = cancel), a1 = key. One per waitset. */

#define KBUS_EV_READABLE 0x1 /* endpoint: a message is queued */
#define KBUS_EV_WRITABLE 0x2 /* endpoint: the peer's queue has room */
#define KBUS_EV_PEER_CLOSED 0x4
#define KBUS_EV_EXITED 0x8 /* process or thread ended */
#define KBUS_EV_TIMER 0x10

struct kbus_event {
	uint64_t key;
	uint32_t events;
	uint32_t reserved;
};

/* --- multicast groups --- */
#define SYS_GROUP_CREATE SYS_ACTION(OBJ_MEMORY_POOL, 18)
/* target = pool; a0 = queue depth per subscriber, a1 = handle_t *out (the group:
 * SEND|MANAGE|DUPLICATE|TRANSFER|INSPECT|REVOKE; derive a RECV-only copy for
 * subscribers). */
#define SYS_GROUP_SUBSCRIBE SYS_ACTION(OBJ_GROUP, 1)
/* RIGHT_RECV; a0 = handle_t *out: a subscription endpoint (RECV|WAIT) that
 * receives every message published after it was created. */
#define SYS_GROUP_PUBLISH SYS_ACTION(OBJ_GROUP, 2)
/* a0 = const struct kbus_msg * (no handles), RIGHT_SEND. Returns the number of
 * subscribers that got it. A subscriber whose queue is full loses the OLDEST
 * queued message (counted in its dropped counter); the publisher never waits. */

/* --- user-level pagers --- */
#define SYS_THREAD_SET_PAGER SYS_ACTION(OBJ_THREAD, 8)
/* a0 = endpoint handle (RIGHT_SEND) the kernel sends fault messages to, or 0 to
 * remove. RIGHT_MANAGE on the thread. */

struct kbus_fault_msg { /* data of a fault message (flags KBUS_MSG_CALL) */
	uint64_t addr; /* faulting address */
	uint64_t ip; /* instruction pointer */
	uint32_t access; /* PROT_READ / PROT_WRITE / PROT_EXEC */
	uint32_t thread_id; /* object id of the faulting thread (low 32 bits) */
};
/* The pager maps memory and replies (any reply) to resume the thread; a reply
 * whose first 4 bytes are a nonzero int32 means the fault stands: the process
 * ends as PROC_FAULTED, as it would without a pager. A thread killed while its
 * pager works on the fault just ends (no fault is recorded). */
