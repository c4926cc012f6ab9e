/*
 * kbus_internal.h - structures shared by the files of kernel/kbus/. Nothing
 * outside kernel/kbus/ includes this.
 *
 * A channel is one allocation holding its two endpoints and the lock they
 * share. A group subscription is a "channel" with one endpoint and no peer.
 *
 * Locking (order: group lock, then a channel lock, then cap locks, then wait
 * queue and run queue locks):
 *   ch->lock   both endpoints' queues, closed flags, fast waiters, calls
 *              received and not answered, and the kbus.pending fields of
 *              threads that received a call from this channel.
 * The cap layer's rule "no other lock held across a cap operation" is relaxed
 * for kbus in one way only: nothing in kbus calls into kernel/cap while
 * holding ch->lock except cap_move(), which never frees and never runs a
 * destroy or last_cap_dropped hook. Operations that may free (cap_drop,
 * cspace_destroy, kobject_put) run with no kbus lock held.
 */
#pragma once
#include <kbus/kbus.h>
#include <kbus/kbus_thread.h>
#include <lib/spinlock.h>
#include <sched/waitq.h>

struct kbus_call;

/* The largest reply a kernel caller gets without a message (call.c,
   reply_kernel()): a namespace walk's or stat's; on the replier's stack. */
#define KBUS_KREPLY_MAX 256u

/*
 * A queued message. Its arrays follow the structure in the same block, and so
 * do its bytes when the whole fits a slab size class; bigger bytes get pages
 * of their own (data_order), so a 64 KiB message takes 64 KiB, not 128.
 */
struct kbus_kmsg {
	struct kbus_kmsg *next;
	struct kbus_call *call; /* CALL message: the waiting caller (NULL: it gave up) */
	struct mem_pool *pool; /* charged `charge` bytes (what the blocks take); reference held */
	uint64_t charge;
	uint64_t badge;
	uint32_t len, nhandles, flags;
	int32_t data_order; /* data from page_alloc(data_order), or -1: inside the block */
	handle_t *handles; /* capabilities in flight, in the queue's transit cspace */
	uint8_t *data;
	/* Capabilities in flight (transfer.c): released by kbus_msg_free(). */
	struct endpoint *dst; /* holds dst's transit cspace (cspace_hold; NULL: none taken) */
	bool loads; /* counted in dst->loaded: carries endpoint capabilities */
	uint32_t neps; /* entries of eps in use: nhandles when it loads, else 0 */
	struct endpoint **eps; /* per handle: its endpoint (counted in flight, ref held) or NULL */
};

/* struct kbus_fast_waiter and struct kbus_call: kbus/kbus_thread.h. */

struct kbus_channel;

/*
 * A place in a group's circular subscriber list (group lock): a
 * subscription's, the group's head, or a publisher's or closer's cursor (a
 * bookmark that lets a long walk drop the lock and resume; walks skip them).
 */
struct kbus_sub_link {
	struct kbus_sub_link *next, *prev; /* NULL: not in a list */
	bool is_sub; /* part of a struct endpoint */
};

struct endpoint {
	struct kobject obj;
	struct kbus_channel *ch;
	struct endpoint *peer; /* NULL: group subscription */
	struct kbus_group *group; /* subscription: its group (reference held) */
	struct kbus_sub_link sub; /* subscription: in the group's list (group lock) */
	struct kbus_kmsg *head, *tail; /* messages waiting to be received here */
	uint32_t queued, depth;
	uint32_t reserved; /* places taken by senders still building their message */
	uint64_t dropped; /* subscriptions: messages lost to overflow */
	bool closed; /* no capability left: nobody can receive here */
	bool destroyed; /* object gone (memory stays with the channel) */
	struct cspace *transit; /* capabilities in flight towards this endpoint */
	/* transfer.c's cycle rule, under ch->lock: */
	uint32_t loaded; /* messages to here carrying endpoint capabilities */
	uint32_t inflight; /* messages carrying a capability to this endpoint */
	struct waitq readable; /* woken: message queued, peer closed, closed */
	struct waitq writable; /* woken: room made, peer closed, closed */
	struct kbus_fast_waiter *fast_waiter; /* receivers parked in the fast path (a stack) */
	struct kbus_call *calls; /* received here, not yet answered */
};

struct kbus_channel {
	struct spinlock lock;
	struct mem_pool *pool; /* pays for the channel and its messages; reference held */
	uint64_t charge; /* charged for the channel itself */
	unsigned alive; /* endpoints not yet destroyed */
	unsigned nep; /* 2 for a channel, 1 for a subscription */
	uint32_t kind; /* SYS_CHANNEL_CREATE's a2, reported by kbus_endpoint_info */
	struct endpoint ep[2];
};

/* channel.c */
/* A channel block with nep endpoints (refcount 1 each); memory charged. */
int kbus_channel_alloc(struct mem_pool *pool, uint32_t depth, unsigned nep,
                       struct kbus_channel **out);
/* ch->lock held: is the other side gone (peer closed, or group closed)?
   (inline: the flat path asks it at every reply) */
bool kbus_group_closed(struct kbus_group *g);
static inline bool kbus_peer_gone(struct endpoint *ep)
{
	return ep->peer ? ep->peer->closed : kbus_group_closed(ep->group);
}
/* ch->lock held: append m to ep's queue and wake receivers. */
void kbus_enqueue(struct endpoint *ep, struct kbus_kmsg *m);
/* kbus_enqueue(), and with run: *run is the one receiver to hand the CPU to
 * (waitq_wake_take(): pinned, not yet runnable) or NULL. */
void kbus_enqueue_run(struct endpoint *ep, struct kbus_kmsg *m, struct thread **run);
/* ch->lock held: take the head of ep's queue (NULL if empty) and wake senders. */
struct kbus_kmsg *kbus_dequeue(struct endpoint *ep);
/* ch->lock held: put m back at the head of ep's queue. */
void kbus_requeue(struct endpoint *ep, struct kbus_kmsg *m);
/* Wake everything waiting on ep (state changed). Any lock. */
void kbus_wake(struct endpoint *ep);
/*
 * Sending is reserve (a queue place: waits for room), build (message and
 * capabilities in flight), commit (enqueue; ERR_PEER_CLOSED if dst closed
 * meanwhile, the reservation is released either way). A failed build
 * unreserves; a failed commit unbuilds (capabilities go back to the sender).
 */
int kbus_reserve(struct endpoint *dst, uint32_t flags, uint64_t deadline);
void kbus_unreserve(struct endpoint *dst);
/* reply: a call's reply, held by its waiting caller and never queued (no cycle rule). */
int kbus_build(struct endpoint *dst, uint64_t badge, const struct kbus_out *m, bool reply,
               struct kbus_kmsg **out);
void kbus_unbuild(struct endpoint *dst, struct kbus_kmsg *msg, const struct kbus_out *m);
int kbus_commit(struct endpoint *dst, struct kbus_kmsg *msg, struct thread **run);
/* All three for one message (a call if call != NULL); run: as kbus_enqueue_run()
 * (set only on success), or NULL to wake receivers the ordinary way. */
int kbus_post(struct endpoint *dst, uint64_t badge, const struct kbus_out *m,
              struct kbus_call *call, uint32_t flags, uint64_t deadline, struct thread **run);
/* Allocate and charge a message for m (bytes copied, no handles yet). */
int kbus_msg_alloc(struct mem_pool *pool, const struct kbus_out *m, struct kbus_kmsg **out);
/* Free m: release its in-flight capabilities from transit, uncharge. No locks held. */
void kbus_msg_free(struct kbus_kmsg *m, struct cspace *transit);
/* Copy a dequeued message into in (bytes, then capabilities). No lock held. */
int kbus_msg_deliver(struct endpoint *ep, struct kbus_kmsg *m, struct kbus_in *in);
/* Sleep until woken or deadline (absolute); killable. Returns 0 or ERR_*. */
int kbus_block_until(uint64_t deadline);
/* kbus_block_until(), handing the CPU to run first (sched_block_run(); run is
 * woken and unpinned whatever happens). */
int kbus_block_until_run(uint64_t deadline, struct thread *run);
/* Absolute deadline for a timeout (WAIT_FOREVER -> UINT64_MAX). */
uint64_t kbus_deadline(uint64_t timeout);

/* transfer.c */
/*
 * Move / copy m's handles from m->cs into dst's transit cspace, all or
 * nothing; fills msg->handles / nhandles and takes the holds kbus_msg_free()
 * gives back (dst's transit table, the in-flight counts of the cycle rule,
 * applied when cycle_rule is set).
 * Errors: ERR_INVALID_ARGS, ERR_BAD_HANDLE, ERR_ACCESS_DENIED, ERR_BAD_STATE
 * (the message would close a cycle, see transfer.c), ERR_NO_RESOURCES,
 * ERR_NO_MEMORY (pool or heap: transit slots are charged to dst's channel).
 */
int kbus_transfer_in(const struct kbus_out *m, struct endpoint *dst, bool cycle_rule,
                     struct kbus_kmsg *msg);
/* msg->dst set: give back what kbus_transfer_in() took (its capabilities have left transit). No lock held. */
void kbus_transfer_release(struct kbus_kmsg *msg);
/* Give the capabilities of a refused message back to the sender (reverse of _in). */
void kbus_transfer_undo(const struct kbus_out *m, struct cspace *transit, struct kbus_kmsg *msg);
/*
 * Move msg's capabilities from transit into cs, writing their new handles to
 * out (HANDLE_INVALID for one revoked in flight). All or nothing:
 * ERR_NO_RESOURCES / ERR_NO_MEMORY leave msg as it was.
 */
int kbus_transfer_out(struct kbus_kmsg *msg, struct cspace *transit, struct cspace *cs,
                      handle_t *out);
/* Undo kbus_transfer_out (the receive failed later). */
void kbus_transfer_out_undo(struct kbus_kmsg *msg, struct cspace *transit, struct cspace *cs,
                            handle_t *out);
/* Drop the capabilities msg carries. */
void kbus_transfer_drop(struct kbus_kmsg *msg, struct cspace *transit);

/* call.c */
/* ch->lock held: ep closed; fail its pending calls (callers woken). */
void kbus_calls_close(struct endpoint *ep);
/*
 * ch->lock held: m, a CALL message, was dequeued by the current thread, whose
 * reply slot is empty (a receiver calls kbus_drop_pending() first).
 */
void kbus_call_received(struct endpoint *ep, struct kbus_kmsg *m);
/*
 * Empty t's reply slot (t is the current or an ending thread): its unanswered
 * call fails (the caller gets ERR_PEER_CLOSED) and the endpoint reference
 * goes. Takes that call's channel lock: call with no kbus lock held.
 */
void kbus_drop_pending(struct thread *t);

/* group.c */
bool kbus_group_closed(struct kbus_group *g);
void kbus_group_unsubscribe(struct endpoint *ep);
void kbus_group_put(struct kbus_group *g);

/* --- call lists and parked receivers (call.c, flat.c); ch->lock held --- */

/* ch->lock held: unlink call from its server endpoint's outstanding list
   (pprev_out NULL: on none, which a thread's flat record tests). */
static inline void unlink_call(struct endpoint *ep, struct kbus_call *call)
{
	(void)ep;
	*call->pprev_out = call->next_out; /* O(1): however many calls are outstanding */
	if (call->next_out)
		call->next_out->pprev_out = call->pprev_out;
	call->pprev_out = NULL;
}

/* ch->lock held: call is outstanding on ep (received, not yet answered). */
static inline void link_call(struct endpoint *ep, struct kbus_call *call)
{
	call->next_out = ep->calls;
	call->pprev_out = &ep->calls;
	if (ep->calls)
		ep->calls->pprev_out = &call->next_out;
	ep->calls = call;
}

/* ch->lock held: fw starts waiting on ep (its receivers parked in the fast path). */
static inline void park_waiter(struct endpoint *ep, struct kbus_fast_waiter *fw)
{
	fw->next = ep->fast_waiter;
	fw->pprev = &ep->fast_waiter;
	if (fw->next)
		fw->next->pprev = &fw->next;
	ep->fast_waiter = fw;
}

/* ch->lock held: take fw, the first of ep's parked receivers, off the list. */
static inline void take_first_waiter(struct endpoint *ep, struct kbus_fast_waiter *fw)
{
	ep->fast_waiter = fw->next;
	if (fw->next)
		fw->next->pprev = &ep->fast_waiter;
}
