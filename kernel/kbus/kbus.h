/*
 * kbus.h - the kernel side of the message bus (ABI: include/abi/kbus.h, model:
 * docs/kbus.md): channels of two endpoints, messages with capabilities,
 * synchronous calls with a register fast path, waitsets and multicast groups.
 *
 * Everything here works on kernel objects the caller already decoded (the
 * syscalls in kernel/syscall/sys_kbus.c look the handles up and check
 * rights); kernel threads and the VM tests call it directly. Message bytes
 * and handle arrays are described by struct kbus_out / struct kbus_in, whose
 * data pointers are user addresses when `user` is set (copied with
 * mm/uaccess.h) and kernel pointers otherwise. A send's handle array is
 * always in kernel memory (the handles it names live in `cs`); a receive's
 * handle array is a user address too when `user` is set.
 *
 * Every blocking call takes a timeout in nanoseconds (WAIT_FOREVER: none) and
 * ends early with ERR_INTERRUPTED when the thread is being killed.
 */
#pragma once
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <abi/handle.h>
#include <abi/kbus.h>
#include <obj/object.h>

struct cspace;
struct mem_pool;
struct thread;
struct endpoint;
struct kbus_waitset;
struct kbus_group;

#define KBUS_MAX_DEPTH 4096u

/* A message to send. */
struct kbus_out {
	const void *data; /* len bytes (user address if user) */
	uint32_t len; /* <= KBUS_MAX_BYTES */
	bool user;
	uint32_t nhandles; /* <= KBUS_MAX_HANDLES */
	const handle_t *handles; /* kernel array of handles in cs */
	uint64_t copy_mask; /* bit i: copy handles[i] (needs DUPLICATE), else move */
	struct cspace *cs; /* the sender's cspace (may be NULL when nhandles == 0) */
};

/* Where a received message goes, and what it was. */
struct kbus_in {
	void *data; /* capacity bytes (user address if user) */
	uint32_t capacity;
	bool user;
	handle_t *handles; /* kernel array of handles_capacity entries */
	uint32_t handles_capacity;
	struct cspace *cs; /* receives the capabilities (NULL: refuse messages with handles) */
	/* out */
	uint32_t len, nhandles, flags;
	uint64_t badge;
};

/* --- channels and endpoints (channel.c) --- */

/*
 * Create a channel paid by pool: two endpoints, each the other's peer, each
 * queueing up to depth messages (0: KBUS_DEFAULT_DEPTH; > KBUS_MAX_DEPTH:
 * ERR_INVALID_ARGS). Returns one reference to each; the peer-closed event
 * fires when the last *capability* to an endpoint goes, so callers normally
 * cap_insert_root() both and put their references. Errors: ERR_INVALID_ARGS,
 * ERR_NO_MEMORY (pool quota or heap).
 */
int kbus_channel_create(struct mem_pool *pool, uint32_t depth, struct endpoint **ep0,
                        struct endpoint **ep1);
/* The same, for a channel of a kind (abi/kbus.h KBUS_KIND_*). */
int kbus_channel_create_kind(struct mem_pool *pool, uint32_t depth, uint32_t kind,
                             struct endpoint **ep0, struct endpoint **ep1);

/* The endpoint obj is (obj must be an OBJ_ENDPOINT: KOBJECT_CAST), and back. */
struct endpoint *endpoint_from(struct kobject *obj);
struct kobject *endpoint_obj(struct endpoint *ep);

/*
 * Queue a message on ep's peer, as sent with a capability badged `badge`.
 * Handles are checked all first (ERR_BAD_HANDLE, ERR_ACCESS_DENIED: no
 * TRANSFER, or no DUPLICATE for a copy; ERR_INVALID_ARGS: the same handle
 * moved twice); a refused message changes nothing. Blocks while the peer's
 * queue is full unless flags has KBUS_NONBLOCK (ERR_SHOULD_WAIT).
 * Errors also: ERR_INVALID_ARGS (sizes), ERR_BAD_ADDRESS, ERR_NO_MEMORY (pool),
 * ERR_PEER_CLOSED, ERR_BAD_STATE (ep is a group subscription), ERR_TIMED_OUT,
 * ERR_INTERRUPTED.
 */
int kbus_send(struct endpoint *ep, uint64_t badge, const struct kbus_out *m, uint32_t flags,
              uint64_t timeout);

/*
 * Take the oldest message queued on ep into *in. ERR_BUFFER_TOO_SMALL (sizes
 * reported in in->len / in->nhandles) and ERR_NO_RESOURCES (in->cs full) leave
 * it queued. A call message (in->flags & KBUS_MSG_CALL) makes the calling
 * thread its answerer (kbus_reply). ERR_PEER_CLOSED once the queue is empty
 * and the peer is gone; ERR_SHOULD_WAIT, ERR_TIMED_OUT, ERR_INTERRUPTED.
 */
int kbus_recv(struct endpoint *ep, struct kbus_in *in, uint32_t flags, uint64_t timeout);
/*
 * kbus_recv(), waking run (from kbus_reply_run(), pinned; or NULL) on the
 * way: if we wait, the CPU goes straight to it (reply and receive in one
 * switch, SYS_KBUS_REPLY_RECV); else it is simply woken. Unpins it.
 */
int kbus_recv_run(struct endpoint *ep, struct kbus_in *in, uint32_t flags, uint64_t timeout,
                  struct thread *run);

/* Snapshot of ep's queue for SYS_KBUS_INFO. */
void kbus_endpoint_info(struct endpoint *ep, struct kbus_endpoint_info *out);

/* --- calls (call.c) --- */

/*
 * Send req as a call on ep and wait for its reply, which goes to this thread
 * only. Errors as kbus_send/kbus_recv, plus ERR_PEER_CLOSED when the server
 * side closes or the thread that received the call ends without answering.
 * On ERR_TIMED_OUT / ERR_INTERRUPTED the call is withdrawn (a late reply gets
 * ERR_PEER_CLOSED). A reply that does not fit *rep is discarded with
 * ERR_BUFFER_TOO_SMALL (its sizes reported).
 */
int kbus_call(struct endpoint *ep, uint64_t badge, const struct kbus_out *req, struct kbus_in *rep,
              uint64_t timeout);

/*
 * Answer the call this thread last received on ep. ERR_BAD_STATE if there is
 * none; ERR_PEER_CLOSED if the caller gave up or died (the reply is dropped
 * and its capabilities stay with the sender). Handle errors as kbus_send.
 */
int kbus_reply(struct endpoint *ep, const struct kbus_out *rep);
/*
 * kbus_reply(), but the caller it answers is not woken: *run gets it, pinned
 * (sched_pin()), for kbus_recv_run() to switch to; NULL when there is none
 * to wake (an error).
 */
int kbus_reply_run(struct endpoint *ep, const struct kbus_out *rep, struct thread **run);

/*
 * The fast path: a call carrying KBUS_FAST_WORDS words each way. If a server
 * thread waits in kbus_reply_recv_fast() on the peer, the words go straight to
 * it and this CPU switches to it (no queue, no allocation); otherwise the call
 * is queued as a 32-byte message. Reply words land in out, the replier's
 * badge is 0. Errors as kbus_call.
 */
int kbus_call_fast(struct endpoint *ep, uint64_t badge, const uint64_t w[KBUS_FAST_WORDS],
                   uint64_t out[KBUS_FAST_WORDS], uint64_t timeout);

/*
 * Server side of the fast path: answer the pending call with reply (if not
 * NULL; ERR_PEER_CLOSED/ERR_BAD_STATE from the answer are not fatal: the
 * receive still happens and *reply_err reports them), then wait for the next
 * message on ep. Its words land in out (a queued message of more than 32
 * bytes or with handles: ERR_BUFFER_TOO_SMALL, left queued), its sender's
 * badge in *badge, its KBUS_MSG_* flags in *flags.
 */
int kbus_reply_recv_fast(struct endpoint *ep, const uint64_t *reply, int *reply_err,
                         uint64_t out[KBUS_FAST_WORDS], uint64_t *badge, uint32_t *flags,
                         uint64_t timeout);

/*
 * For the page-fault path (user-level pagers): a blocking, killable call on ep
 * from the faulting thread with len bytes of kernel data and no handles; up to
 * reply_cap bytes of the reply are copied to reply. Returns the reply's length
 * (>= 0) or an error as kbus_call (ERR_INTERRUPTED when killed meanwhile).
 */
int kbus_kernel_call(struct endpoint *ep, const void *data, size_t len, void *reply,
                     size_t reply_cap, uint64_t timeout);
/* The same with a whole kernel message m (m->user false), capabilities from m->cs included
 * (the namespace passes a watcher's endpoint to a provider this way). */
int kbus_kernel_call_msg(struct endpoint *ep, const struct kbus_out *m, void *reply,
                         size_t reply_cap, uint64_t timeout);

/*
 * What a kernel caller takes from a reply's capabilities (kbus_kernel_call_cap):
 * if the reply carries exactly one, of type `type`, a capability derived from
 * it (so its sender can revoke it) with its rights cut to `mask` is placed in
 * cs and its handle and rights stored in out and rights; else out stays
 * HANDLE_INVALID. With cs NULL, a reference to its object is taken instead
 * (obj; NULL: none) and rights are its rights cut to mask. ncaps is how many
 * the reply carried. The reply's capabilities themselves are dropped either way.
 */
struct kbus_kcap {
	struct cspace *cs;
	struct kobject *obj;
	enum obj_type type;
	uint64_t mask;
	handle_t out;
	uint64_t rights;
	uint32_t ncaps;
	int err; /* why out is HANDLE_INVALID with ncaps == 1 (type, rights, cs full) */
};
/* kbus_kernel_call_msg(), taking a capability from the reply as kc says. */
int kbus_kernel_call_cap(struct endpoint *ep, const struct kbus_out *m, void *reply,
                         size_t reply_cap, uint64_t timeout, struct kbus_kcap *kc);

/* Scheduler hook: t was just made. The flat path's records in it (kbus.call,
 * kbus.fw) name t once and for all. */
void kbus_thread_init(struct thread *t);
/* Scheduler hook: t is ending with a received call unanswered. */
void kbus_thread_exit(struct thread *t);
/* Put the endpoint reference the flat path kept in t from one flat call to the
 * next (t->kbus.held_ep, if any), taking t's flat call record off the list it
 * rests on (kbus/flat.c). Interrupts on, no lock held: syscall.S's
 * syscall_flat_fallback and the thread's end call it. */
void kbus_flat_put_held(struct thread *t);

/* --- waitsets (waitset.c) --- */

/* Create an empty waitset paid by pool. Errors: ERR_NO_MEMORY. */
int kbus_waitset_create(struct mem_pool *pool, struct kbus_waitset **out);
/* The waitset obj is (obj must be an OBJ_WAITSET: KOBJECT_CAST), and back. */
struct kbus_waitset *waitset_from(struct kobject *obj);
struct kobject *waitset_obj(struct kbus_waitset *ws);
/*
 * Watch obj (of a waitable type: its ops signal events, obj/object.h; a
 * reference is taken) for events (KBUS_EV_*), reported with key.
 * ERR_ALREADY_EXISTS (key in use), ERR_NO_RESOURCES (KBUS_WAITSET_MAX members,
 * or one of obj's wait queues already has WAITQ_MAX_WATCHES watches),
 * ERR_WRONG_TYPE (not waitable), ERR_INVALID_ARGS (no events, or events its
 * type cannot signal), ERR_NO_MEMORY (the pool pays for each member).
 */
int kbus_waitset_add(struct kbus_waitset *ws, struct kobject *obj, uint32_t events, uint64_t key);
/* Stop watching key. ERR_NOT_FOUND. */
int kbus_waitset_remove(struct kbus_waitset *ws, uint64_t key);
/* Arm (deadline > 0) or cancel (0) the waitset's one timer. */
void kbus_waitset_timer(struct kbus_waitset *ws, uint64_t deadline, uint64_t key);
/*
 * Level-triggered: fill out with up to max currently ready members (waiting
 * until one is, or timeout). Returns their number (>= 1), ERR_TIMED_OUT,
 * ERR_INTERRUPTED or ERR_INVALID_ARGS (max 0). Allocates nothing.
 */
int kbus_waitset_wait(struct kbus_waitset *ws, struct kbus_event *out, uint32_t max,
                      uint64_t timeout);

#define KBUS_WAITSET_MAX 1024u

/* --- multicast groups (group.c) --- */

/* Create a group paid by pool with depth messages per subscriber (0: default). */
int kbus_group_create(struct mem_pool *pool, uint32_t depth, struct kbus_group **out);
/* The group obj is (obj must be an OBJ_GROUP: KOBJECT_CAST), and back. */
struct kbus_group *group_from(struct kobject *obj);
struct kobject *group_obj(struct kbus_group *g);
/*
 * A new subscription endpoint (one reference returned) that receives every
 * message published from now on. ERR_PEER_CLOSED if the group is closed,
 * ERR_NO_MEMORY.
 */
int kbus_group_subscribe(struct kbus_group *g, struct endpoint **out);
/*
 * Deliver m (no handles) to every subscriber; a full subscriber loses its
 * oldest message (counted in kbus_subscription_dropped()). Returns the number
 * of subscribers reached, or ERR_INVALID_ARGS, ERR_BAD_ADDRESS, ERR_NO_MEMORY.
 */
int kbus_group_publish(struct kbus_group *g, const struct kbus_out *m);
/* Messages a subscription lost to overflow. */
uint64_t kbus_subscription_dropped(struct endpoint *ep);
