/*
 * flat.c - the kbus flat path: a fast call, or a reply and receive, in one
 * pass from the SYSCALL to the SYSRET (docs/kbus.md, "The flat path").
 *
 * This file is compiled with rbx and r12-r15 as call-clobbered registers
 * (mk/kernel.mk: -fcall-used-*), so the two entries neither save nor restore
 * them: syscall.S has already put the user's values in the frame and reloads
 * every register from the frame it leaves on (its flat exit, and the C
 * path's entry after a fallback). Nothing here may be called from C: every
 * function but the two entries is static, and they are called only from
 * syscall.S. What they call in other files keeps the usual convention.
 * Without a frame pointer and with rbp fixed (syscall.S keeps the entering
 * thread there), the entries need no stack frame as long as their hot path
 * calls nothing: whatever would (the locked lookup, a peer waiting in C code,
 * a park with no reply) is a noinline function reached by a tail call.
 */
#include <kbus/kbus_internal.h>
#include <abi/rights.h>
#include <arch/entry.h>
#include <arch/flat_asm.h>
#include <arch/syscall_regs.h>
#include <arch/thread.h>
#include <cap/hold.h>
#include <obj/process.h>
#include <obj/thread.h>
#include <sched/direct.h>
#include <sched/sched.h>

/*
 * syscall.S sends the two fast actions here first, with interrupts off and
 * the caller's frame at the top of its kernel stack. When both sides can be
 * served without blocking in C code, the whole call (or reply and receive) is
 * done in this one pass:
 *
 *   call: the server is parked on the peer endpoint; the badge goes into the
 *     server's frame, the caller blocks with its wait described in its own
 *     thread (kbus.call, KBUS_FLAT_CALLER), and the CPU leaves to user mode
 *     on the server's frame, with the four words loaded from the caller's
 *     (syscall.S);
 *   reply and receive: the reply words reach the caller the same way, the
 *     server parks (kbus.fw, KBUS_FLAT_PARKED) and the CPU leaves on the
 *     caller's frame; with no reply to send, the server parks and the
 *     scheduler picks what runs.
 *
 * A thread blocked here keeps no kernel frames: its saved context resumes in
 * kbus_flat_resume() when anything else wakes it (a kill, a close, a queued
 * message, a call or reply by the C path), which finishes the operation with
 * the C path's own code. A peer blocked in C code (the C path's parked
 * receiver, a caller in wait_reply()) is switched to the ordinary way. Every
 * other case (a timeout, queued messages, a full reply slot, a busy lock, a
 * wake-up pending, a peer last on another CPU, an I/O bitmap to change)
 * returns 0 before anything changed and the C path runs the action from the
 * start.
 *
 * Capabilities: the handle used last time is taken from the thread's lookup
 * cache (flat_cached(): no lock, the endpoint kept by a reference of the
 * thread's own); any other lookup (flat_lookup()) holds the cspace lock (no reference taken)
 * until the channel lock is ours, and the channel cannot be freed while that
 * is held (endpoint_destroy() takes it). References a blocked thread needs are kept
 * in the thread: the caller's on its own endpoint (kbus.held_ep, reused by
 * its next flat call, put when a fast action falls back to the C path or
 * parks, and at thread exit), the parked
 * receiver's on its endpoint (kbus.fw.ep, which becomes kbus.pending_ep when
 * a call is handed over and back when it parks again). So a steady call /
 * reply-and-receive loop takes no reference and no interrupt flag save.
 *
 * The resting record: a flat call links the caller's kbus.call on the server
 * end's outstanding list (dst->calls, where a close finds the calls to end),
 * and the flat reply leaves it there, answered (CALL_DONE, which
 * kbus_calls_close() passes by), so the next flat call finds it linked. It
 * rests only on held_ep's peer, and leaves with held_ep
 * (kbus_flat_put_held(), flat_park_block()) or by any C-path unlink_call(),
 * which sets pprev_out to NULL: "on no list".
 */
_Static_assert(SYSCALL_FLAT_FIRST == SYS_KBUS_CALL_FAST &&
                   SYSCALL_FLAT_FIRST + 1 == SYS_KBUS_REPLY_RECV_FAST,
               "syscall.S routes the two fast actions");
/* the rights of the flat actions: a call needs both, a reply both, a receive RECV */
#define FLAT_RIGHTS (RIGHT_SEND | RIGHT_RECV)
_Static_assert(THREAD_ON_CPU == __builtin_offsetof(struct thread, on_cpu), "syscall.S clears it");

static inline struct trap_frame *frame_of(struct thread *t)
{
	return arch_thread_frame(t->stack, PAGE_SIZE << THREAD_STACK_ORDER);
}

/* ch->lock held: park self's own waiter on ep (the reference fw.ep is self's). */
static void flat_park(struct thread *self, struct endpoint *ep)
{
	struct kbus_fast_waiter *fw = &self->kbus.fw;
	/* fw->thread is self since kbus_thread_init() */
	fw->got = false;
	fw->ep = ep;
	park_waiter(ep, fw);
	self->kbus.flat = KBUS_FLAT_PARKED;
}

/* ch->lock held: the receiver parked at the head of dst's list, if a call may
   go to it now (nothing queued before it, dst open), or NULL. */
static inline struct kbus_fast_waiter *parked_waiter(struct endpoint *dst)
{
	struct kbus_fast_waiter *fw = dst->fast_waiter;
	return fw && !dst->head && !dst->closed ? fw : NULL;
}

/* ch->lock held, self switched to server (or about to): self's call becomes
   server's pending one. */
static inline __attribute__((always_inline)) void hand_call(struct thread *self,
                                                            struct endpoint *dst,
                                                            struct kbus_fast_waiter *fw,
                                                            struct thread *server)
{
	take_first_waiter(dst, fw);
	struct kbus_call *call = &self->kbus.call;
	/* call->caller is self and call->msg NULL since kbus_thread_init() (a flat
	   call is handed over, never posted as a message) */
	call->state = CALL_WAITING;
	call->fast_reply = false;
	call->server = server;
	if (!call->pprev_out)
		link_call(dst, call); /* else it rests there already (the header) */
	server->kbus.pending = call;
	server->kbus.pending_kernel = false; /* a user caller */
	self->kbus.flat = KBUS_FLAT_CALLER;
}

/* The server waits in C code (the C path's receive): hand the call over and
   switch to it for real (out of line: the entries need no stack frame). */
static __attribute__((noinline)) uint64_t flat_call_to_c(struct thread *self, struct trap_frame *tf,
                                                         struct endpoint *dst,
                                                         struct thread *server, uint64_t badge)
{
	struct kbus_fast_waiter *fw = dst->fast_waiter;
	if (READ_ONCE(server->kbus.pending) || !sched_flat_begin(self, server)) {
		/* its reply slot is in use: the C path queues */
		spin_unlock(&dst->ch->lock);
		return 0;
	}
	hand_call(self, dst, fw, server);
	kobject_get(&dst->obj); /* a C-path receiver holds a capability's reference */
	server->kbus.pending_ep = dst;
	arch_fast_words(tf, fw->words); /* it copies them out itself */
	fw->badge = badge;
	__atomic_store_n(&fw->got, true, __ATOMIC_RELEASE);
	spin_unlock(&dst->ch->lock);
	sched_flat_switch_real(self, server);
}

static inline __attribute__((always_inline)) uint64_t
flat_call(struct thread *self, struct trap_frame *tf, struct endpoint *ep, uint64_t badge)
{
	struct endpoint *dst = ep->peer;
	struct kbus_channel *ch = ep->ch;
	struct kbus_fast_waiter *fw = dst ? parked_waiter(dst) : NULL;
	if (!fw) {
		spin_unlock(&ch->lock);
		return 0;
	}
	/* a server parked here by the flat path has an empty reply slot (it
	   parks only with none, and a call leaves with it) */
	struct thread *server = fw->thread;
	self->rsp = arch_flat_context(tf); /* where self resumes */
	/* parked by the flat path, server has no other waiter: fw is its kbus.fw
	   (a C-path receive starts only after kbus_flat_resume() set NONE) */
	if (server->kbus.flat != KBUS_FLAT_PARKED)
		return flat_call_to_c(self, tf, dst, server, badge);
	struct trap_frame *stf = frame_of(server); /* read once: the stores below may alias */
	if (!sched_flat_switch(self, server)) {
		spin_unlock(&ch->lock);
		return 0;
	}
	/* switched: nothing below may fail */
	hand_call(self, dst, fw, server);
	server->kbus.flat = KBUS_FLAT_NONE;
	server->kbus.pending_ep = dst; /* fw->ep: the parked reference moves */
	arch_flat_set_extra(stf, badge); /* the words stay in tf (syscall.S) */
	spin_unlock(&ch->lock);
	return (uint64_t)stf;
}

/* A receive with no reply to send and nothing queued: park on ep and let the
   scheduler pick (out of line: the entries need no stack frame). */
static __attribute__((noinline)) uint64_t
flat_park_block(struct thread *self, struct trap_frame *tf, struct endpoint *ep)
{
	if (self->kbus.pending || self->kbus.pending_ep != NULL || self->kbus.held_ep != ep ||
	    !sched_flat_begin(self, NULL)) {
		spin_unlock(&ep->ch->lock);
		return 0;
	}
	self->kbus.held_ep = NULL; /* its reference is the parked one now */
	if (self->kbus.call.pprev_out)
		unlink_call(ep->peer, &self->kbus.call); /* it rested on held_ep's peer */
	flat_park(self, ep);
	self->rsp = arch_flat_context(tf); /* where it resumes */
	spin_unlock(&ep->ch->lock);
	sched_flat_block(self);
}

/* ch->lock held, self switched to caller (or about to): the call is answered
   and self parks on ep again. */
static inline __attribute__((always_inline)) void
answer_call(struct thread *self, struct endpoint *ep, struct kbus_call *call, bool rest)
{
	if (!rest)
		unlink_call(ep, call);
	call->state = CALL_DONE;
	call->fast_reply = true;
	self->kbus.pending = NULL;
	self->kbus.pending_ep = NULL; /* its reference is the parked one now */
	flat_park(self, ep);
}

/* The caller waits in C code (wait_reply()): answer and switch to it for real. */
static __attribute__((noinline)) uint64_t flat_reply_to_c(struct thread *self,
                                                          struct trap_frame *tf,
                                                          struct endpoint *ep,
                                                          struct kbus_call *call)
{
	if (!sched_flat_begin(self, call->caller)) {
		spin_unlock(&ep->ch->lock);
		return 0;
	}
	answer_call(self, ep, call, false); /* perhaps a C-path caller's, on its stack */
	arch_fast_words(tf, call->words); /* wait_reply() returns them */
	spin_unlock(&ep->ch->lock);
	sched_flat_switch_real(self, call->caller);
}

static inline __attribute__((always_inline)) uint64_t flat_reply_recv(struct thread *self,
                                                                      struct trap_frame *tf,
                                                                      struct endpoint *ep,
                                                                      bool reply, bool cached)
{
	struct kbus_channel *ch = ep->ch;
	if (ep->head || ep->closed || !ep->peer || ep->peer->closed)
		goto out_none; /* a queued message, an error or a group's: the C path */
	if (!reply)
		return flat_park_block(self, tf, ep);
	struct kbus_call *call = self->kbus.pending;
	/* cached: flat_cached() found ep to be pending_ep */
	if ((!cached && self->kbus.pending_ep != ep) || call == KBUS_CALL_ABANDONED)
		goto out_none;
	struct thread *caller = call->caller;
	self->rsp = arch_flat_context(tf); /* where self resumes */
	/* blocked by the flat path, caller is in no other call: call is its
	   kbus.call (a C-path call starts only after kbus_flat_resume() set NONE) */
	if (caller->kbus.flat != KBUS_FLAT_CALLER)
		return flat_reply_to_c(self, tf, ep, call);
	struct trap_frame *ctf = frame_of(caller); /* read once: the stores below may alias */
	if (!sched_flat_switch(self, caller))
		goto out_none;
	/* switched: nothing below may fail */
	answer_call(self, ep, call, true); /* the flat record rests */
	caller->kbus.flat = KBUS_FLAT_NONE;
	arch_flat_set_extra(ctf, 0); /* the words stay in tf (syscall.S) */
	spin_unlock(&ch->lock);
	return (uint64_t)ctf;
out_none:
	spin_unlock(&ch->lock);
	return 0;
}

/*
 * The endpoint h names with the rights needed (call: SEND and RECV, as the C
 * path asks), its channel locked, or NULL with nothing locked; the lookup
 * cache (self->kbus.fc) then holds it, and its badge. keep: self is about to
 * block on it (a call, or a receive with no reply), so the reference a
 * blocked thread keeps (see above) is taken now, while the capability holds
 * one, and kept in held_ep even if we give up later (syscall.S's
 * syscall_flat_fallback puts it); a replying receiver reuses the pending call's.
 *
 * The cache: the last lookup, if the handle is the same and no handle of the
 * cspace died since (cap_gen()): no lock, no slot. The endpoint must be one
 * we hold a reference to ourselves (held_ep, or the pending call's
 * pending_ep for a reply), which keeps it and its channel while we lock the
 * channel. Anything else goes by flat_lookup(), out of line so that the
 * entries need no stack frame.
 */
static __attribute__((noinline)) struct endpoint *flat_lookup(struct thread *self, uint64_t h,
                                                              uint64_t need, bool keep)
{
	struct cspace *cs = self->ucs;
	if (unlikely(h >> 32))
		return NULL;
	struct cap_ref cap;
	struct kobject *obj = cap_hold(cs, (handle_t)h, OBJ_ENDPOINT, need, &cap);
	if (!obj)
		return NULL;
	struct endpoint *ep = container_of(obj, struct endpoint, obj);
	if (keep && self->kbus.held_ep != ep) {
		if (self->kbus.held_ep) {
			cap_hold_release(cs);
			return NULL;
		}
		kobject_get(obj);
		self->kbus.held_ep = ep;
	}
	if (unlikely(!spin_trylock(&ep->ch->lock))) {
		cap_hold_release(cs);
		return NULL;
	}
	/* the cache, while gen cannot move (cs->lock); only a capability that
	   allows every flat action is cached, so a hit needs no rights test */
	self->kbus.fc.h = (handle_t)h;
	self->kbus.fc.gen = (cap.rights & FLAT_RIGHTS) == FLAT_RIGHTS ? cs->gen : KBUS_FC_NONE;
	self->kbus.fc.ep = ep;
	self->kbus.fc.badge = cap.badge;
	cap_hold_release(cs);
	return ep;
}

static inline __attribute__((always_inline)) bool flat_cached(struct thread *self, uint64_t h,
                                                              bool keep)
{
	return likely(h == self->kbus.fc.h && cap_gen(self->ucs) == self->kbus.fc.gen &&
	              self->kbus.fc.ep == (keep ? self->kbus.held_ep : self->kbus.pending_ep));
}

static __attribute__((noinline)) uint64_t flat_call_lookup(struct thread *self,
                                                           struct trap_frame *tf)
{
	struct endpoint *ep =
	    flat_lookup(self, arch_syscall_target(tf), RIGHT_SEND | RIGHT_RECV, true);
	return ep ? flat_call(self, tf, ep, self->kbus.fc.badge) : 0;
}

static __attribute__((noinline)) uint64_t flat_reply_recv_lookup(struct thread *self,
                                                                 struct trap_frame *tf, bool reply)
{
	struct endpoint *ep = flat_lookup(self, arch_syscall_target(tf),
	                                  reply ? RIGHT_RECV | RIGHT_SEND : RIGHT_RECV, !reply);
	return ep ? flat_reply_recv(self, tf, ep, reply, false) : 0;
}

/* SYS_KBUS_CALL_FAST (syscall.S) */
uint64_t kbus_flat_call(struct trap_frame *tf)
{
	struct thread *self = sched_current();
	if (arch_fast_extra(tf) != WAIT_FOREVER)
		return 0;
	if (!flat_cached(self, arch_syscall_target(tf), true))
		return flat_call_lookup(self, tf);
	struct endpoint *ep = self->kbus.fc.ep;
	if (unlikely(!spin_trylock(&ep->ch->lock)))
		return 0;
	return flat_call(self, tf, ep, self->kbus.fc.badge);
}

/* SYS_KBUS_REPLY_RECV_FAST (syscall.S) */
uint64_t kbus_flat_reply_recv(struct trap_frame *tf)
{
	struct thread *self = sched_current();
	bool reply = arch_fast_extra(tf) & 1;
	if (!flat_cached(self, arch_syscall_target(tf), !reply))
		return flat_reply_recv_lookup(self, tf, reply);
	struct endpoint *ep = self->kbus.fc.ep;
	if (unlikely(!spin_trylock(&ep->ch->lock)))
		return 0;
	return flat_reply_recv(self, tf, ep, reply, true);
}
