/*
 * call.c - synchronous calls: call, reply, reply-and-receive, the register
 * fast path, and the kernel's own calls (user-level pagers).
 *
 * A call is a message flagged KBUS_MSG_CALL whose sender waits for the
 * answer. The caller keeps a struct kbus_call on its stack; the message
 * points at it while queued. The thread that receives the call becomes its
 * answerer: thread->kbus.pending (kbus/kbus_thread.h) points at the record
 * (or is KBUS_CALL_ABANDONED once the caller gave up) and ->kbus.pending_ep
 * at the endpoint it came from (a reference is held), and the record is
 * linked on that endpoint's list of calls received and not answered.
 * Exactly one of these ends the wait, under the channel lock: the reply
 * (CALL_DONE), the caller giving up (timeout or kill: CALL_CLOSED, a later
 * reply gets ERR_PEER_CLOSED), the server endpoint closing, or the
 * answering thread ending (kbus_thread_exit): both CALL_CLOSED, the caller
 * sees ERR_PEER_CLOSED.
 * A thread has one reply slot: receiving a new call while one is unanswered
 * fails the old one (its caller gets ERR_PEER_CLOSED), as in seL4: every
 * receiver that is about to take a call empties the slot first with
 * kbus_drop_pending() (which takes the old call's channel lock, so it runs
 * with no channel lock held), and a parked fast receiver whose slot is still
 * in use gets the call through the queue.
 *
 * Fast path. A server thread in kbus_reply_recv_fast() with an empty queue
 * parks a struct kbus_fast_waiter (on its stack) in ep->fast_waiter and
 * blocks. kbus_call_fast() on the peer finds it under the channel lock,
 * writes the words and badge into it, makes the server the answerer, and
 * switches straight to it with sched_switch_to() (no run queue, no IPI, no
 * allocation; the server migrates to this CPU). The reply does the same in
 * reverse: the server writes the words into the caller's record, parks
 * itself again, and switches to the caller. Whenever the direct switch is
 * not possible (the other thread not yet off its CPU, a timeout armed on
 * another CPU) it falls back to sched_wake() + block; whenever the server is
 * not parked (queue not empty, busy, closed) the call goes through the queue
 * as a 32-byte message.
 *
 * Locking: the channel lock (kbus_internal.h) guards call records, pending
 * fields and fast waiters. References on endpoints are put only after it is
 * released.
 */
#include <kbus/kbus_internal.h>
#include <abi/errors.h>
#include <lib/compiler.h>
#include <lib/panic.h>
#include <lib/string.h>
#include <abi/rights.h>
#include <arch/entry.h>
#include <arch/irq_flags.h>
#include <arch/syscall_regs.h>
#include <arch/thread.h>
#include <cap/cap.h>
#include <cap/invoke.h>
#include <mm/pmm.h>
#include <mm/uaccess.h>
#include <obj/process.h>
#include <obj/thread.h>
#include <sched/sched.h>
#include <time/clock.h>

static struct kbus_call *pending_of(struct thread *t)
{
	return t->kbus.pending;
}

/* ch->lock held: the current thread becomes the answerer of call (NULL: abandoned). */
static void take_call(struct endpoint *ep, struct kbus_call *call)
{
	struct thread *self = sched_current();
	/* the receiver emptied its reply slot first (kbus_drop_pending) */
	ASSERT(!self->kbus.pending && !self->kbus.pending_ep);
	kobject_get(&ep->obj);
	self->kbus.pending_ep = ep;
	self->kbus.pending = call ? call : KBUS_CALL_ABANDONED;
	self->kbus.pending_kernel = call && call->kreply;
	if (call) {
		call->msg = NULL;
		call->server = self;
		link_call(ep, call);
	}
}

void kbus_call_received(struct endpoint *ep, struct kbus_kmsg *m)
{
	take_call(ep, m->call);
	m->call = NULL;
}

/* ch->lock held: end call with state; wake its caller. */
static void finish(struct kbus_call *call, enum call_state state)
{
	call->state = state;
	sched_wake(call->caller);
}

void kbus_calls_close(struct endpoint *ep)
{
	struct kbus_call *call = ep->calls;
	ep->calls = NULL;
	for (struct kbus_call *next; call; call = next) {
		next = call->next_out;
		call->pprev_out = NULL;
		if (call->state != CALL_WAITING)
			continue; /* a flat record resting here (flat.c): answered */
		if (call->server && call->server->kbus.pending == call)
			call->server->kbus.pending = KBUS_CALL_ABANDONED;
		finish(call, CALL_CLOSED);
	}
}

void kbus_drop_pending(struct thread *t)
{
	struct endpoint *ep = t->kbus.pending_ep;
	if (!ep) {
		t->kbus.pending = NULL;
		return;
	}
	uint64_t irq = spin_lock_irqsave(&ep->ch->lock);
	struct kbus_call *call = pending_of(t);
	if (call && call != KBUS_CALL_ABANDONED) {
		unlink_call(ep, call);
		finish(call, CALL_CLOSED);
	}
	t->kbus.pending = NULL;
	t->kbus.pending_ep = NULL;
	spin_unlock_irqrestore(&ep->ch->lock, irq);
	kobject_put(&ep->obj);
}

void kbus_thread_init(struct thread *t)
{
	/* the flat path's call record (its msg stays NULL: never posted) and waiter */
	t->kbus.call.caller = t;
	t->kbus.fw.thread = t;
	t->kbus.fc.gen = KBUS_FC_NONE; /* the lookup cache is empty */
}

void kbus_thread_exit(struct thread *t)
{
	kbus_drop_pending(t);
	kbus_flat_put_held(t);
}

/* ch->lock held: the caller gives up on call. */
static void abandon(struct endpoint *dst, struct kbus_call *call)
{
	call->state = CALL_CLOSED;
	if (call->msg) {
		call->msg->call = NULL; /* still queued (or being received): answered by nobody */
		call->msg = NULL;
	} else if (call->server) {
		if (call->server->kbus.pending == call)
			call->server->kbus.pending = KBUS_CALL_ABANDONED;
		unlink_call(dst, call);
	}
}

/*
 * Wait for call's end. 0 (replied), ERR_PEER_CLOSED, ERR_TIMED_OUT,
 * ERR_INTERRUPTED. run: the receiver our call woke (kbus_post()), pinned and
 * not yet runnable, or NULL: the CPU goes to it when we block (a call costs
 * one direct switch, no run queue), and it is woken on every other way out.
 */
static int wait_reply(struct endpoint *dst, struct kbus_call *call, uint64_t deadline,
                      struct thread *run)
{
	struct kbus_channel *ch = dst->ch;
	struct thread *self = call->caller;
	for (;;) {
		uint64_t irq = spin_lock_irqsave(&ch->lock);
		if (call->state != CALL_WAITING) {
			spin_unlock_irqrestore(&ch->lock, irq);
			sched_wake_unpin(run);
			return call->state == CALL_DONE ? 0 : ERR_PEER_CLOSED;
		}
		int err = 0;
		if (sched_kill_pending(self))
			err = ERR_INTERRUPTED;
		else if (deadline != UINT64_MAX && clock_monotonic_ns() >= deadline)
			err = ERR_TIMED_OUT;
		if (err) {
			abandon(dst, call);
			spin_unlock_irqrestore(&ch->lock, irq);
			sched_wake_unpin(run);
			return err;
		}
		spin_unlock_irqrestore(&ch->lock, irq);
		kbus_block_until_run(deadline, run);
		run = NULL;
	}
}

/* Queue a call built from m on dst and wait for its end. */
static int call_slow(struct endpoint *dst, uint64_t badge, const struct kbus_out *m,
                     struct kbus_call *call, uint64_t deadline)
{
	struct thread *run;
	int err = kbus_post(dst, badge, m, call, 0, deadline, &run);
	if (err)
		return err;
	return wait_reply(dst, call, deadline, run);
}

/* Copy the four words of the fast path (a call, not memcpy: it stays inline). */
static inline void words_copy(uint64_t *dst, const uint64_t *src)
{
	dst[0] = src[0];
	dst[1] = src[1];
	dst[2] = src[2];
	dst[3] = src[3];
}

/* A finished call's reply as words (fast) or a message (slow); fills out from either. */
static int reply_words(struct endpoint *ep, struct kbus_call *call, uint64_t out[KBUS_FAST_WORDS])
{
	if (likely(call->fast_reply)) {
		words_copy(out, call->words);
		return 0;
	}
	struct kbus_kmsg *m = call->reply;
	int err = m->len > sizeof(call->words) || m->nhandles ? ERR_BUFFER_TOO_SMALL : 0;
	memset(out, 0, sizeof(call->words));
	if (!err)
		memcpy(out, m->data, m->len);
	kbus_msg_free(m, ep->transit);
	return err;
}

int kbus_call(struct endpoint *ep, uint64_t badge, const struct kbus_out *req, struct kbus_in *rep,
              uint64_t timeout)
{
	struct endpoint *dst = ep->peer;
	if (!dst)
		return ERR_BAD_STATE;
	if (req->len > KBUS_MAX_BYTES || req->nhandles > KBUS_MAX_HANDLES)
		return ERR_INVALID_ARGS;
	struct kbus_call call = {.caller = sched_current(), .state = CALL_WAITING};
	int err = call_slow(dst, badge, req, &call, kbus_deadline(timeout));
	if (err)
		return err;
	if (call.fast_reply) {
		struct kbus_kmsg fake = {.len = sizeof(call.words), .data = (uint8_t *)call.words};
		if (fake.len > rep->capacity) {
			rep->len = fake.len;
			rep->nhandles = 0;
			return ERR_BUFFER_TOO_SMALL;
		}
		return kbus_msg_deliver(ep, &fake, rep);
	}
	struct kbus_kmsg *m = call.reply;
	if (m->len > rep->capacity || m->nhandles > rep->handles_capacity ||
	    (m->nhandles && !rep->cs)) {
		rep->len = m->len;
		rep->nhandles = m->nhandles;
		err = ERR_BUFFER_TOO_SMALL;
	} else {
		err = kbus_msg_deliver(ep, m, rep);
		if (!err)
			m->nhandles = 0;
	}
	kbus_msg_free(m, ep->transit); /* an undeliverable reply is dropped */
	return err;
}

int kbus_reply(struct endpoint *ep, const struct kbus_out *rep)
{
	return kbus_reply_run(ep, rep, NULL);
}

/*
 * ch->lock held: self's pending call (or KBUS_CALL_ABANDONED), its reply in
 * place, is done: the slot empties and the caller is woken, or with run
 * given, handed back pinned for the CPU to go to (kbus_reply_run()).
 */
static void answered(struct thread *self, struct endpoint *ep, struct kbus_call *call,
                     struct thread **run)
{
	self->kbus.pending = NULL;
	self->kbus.pending_ep = NULL;
	if (call == KBUS_CALL_ABANDONED)
		return;
	unlink_call(ep, call);
	if (run) {
		call->state = CALL_DONE;
		*run = call->caller;
		sched_pin(*run);
	} else {
		finish(call, CALL_DONE);
	}
}

/*
 * A small reply without capabilities to a kernel caller (call->kreply):
 * copied into a buffer on our stack, then under the lock straight into the
 * caller's, with no message allocated and freed (a provider's answer to
 * every namespace call). The copy from the user is made before the lock,
 * as any message's. 1: not a kernel caller's call after all (the hint was
 * stale): nothing done, the caller builds a message.
 */
static int reply_kernel(struct thread *self, struct endpoint *ep, const struct kbus_out *rep,
                        struct thread **run)
{
	uint8_t buf[KBUS_KREPLY_MAX];
	int err = 0;
	if (rep->user)
		err = copy_from_user(buf, (uint64_t)rep->data, rep->len);
	else
		memcpy(buf, rep->data, rep->len);
	if (err)
		return err;
	uint64_t irq = spin_lock_irqsave(&ep->ch->lock);
	struct kbus_call *call = pending_of(self);
	if (call != KBUS_CALL_ABANDONED && !call->kreply) {
		spin_unlock_irqrestore(&ep->ch->lock, irq);
		return 1;
	}
	if (call != KBUS_CALL_ABANDONED) {
		memcpy(call->kreply, buf, MIN(rep->len, call->kreply_cap));
		call->kreply_len = rep->len;
		call->kreplied = true;
	}
	answered(self, ep, call, run);
	spin_unlock_irqrestore(&ep->ch->lock, irq);
	kobject_put(&ep->obj);
	return call == KBUS_CALL_ABANDONED ? ERR_PEER_CLOSED : 0;
}

int kbus_reply_run(struct endpoint *ep, const struct kbus_out *rep, struct thread **run)
{
	struct thread *self = sched_current();
	if (run)
		*run = NULL;
	if (self->kbus.pending_ep != ep || !ep->peer)
		return ERR_BAD_STATE;
	if (rep->len > KBUS_MAX_BYTES || rep->nhandles > KBUS_MAX_HANDLES)
		return ERR_INVALID_ARGS;
	if (pending_of(self) == KBUS_CALL_ABANDONED) {
		kbus_drop_pending(self);
		return ERR_PEER_CLOSED;
	}
	if (self->kbus.pending_kernel && !rep->nhandles && rep->len <= KBUS_KREPLY_MAX) {
		int r = reply_kernel(self, ep, rep, run);
		if (r <= 0)
			return r;
	}
	struct kbus_kmsg *msg;
	int err = kbus_build(ep->peer, 0, rep, true, &msg);
	if (err)
		return err;
	uint64_t irq = spin_lock_irqsave(&ep->ch->lock);
	struct kbus_call *call = pending_of(self);
	if (call != KBUS_CALL_ABANDONED)
		call->reply = msg;
	answered(self, ep, call, run);
	spin_unlock_irqrestore(&ep->ch->lock, irq);
	if (call == KBUS_CALL_ABANDONED) {
		kbus_unbuild(ep->peer, msg, rep); /* capabilities go back */
		err = ERR_PEER_CLOSED;
	}
	kobject_put(&ep->obj);
	return err;
}

/*
 * Hand call (words w, badge) straight to a receiver parked in
 * kbus_reply_recv_fast() on dst, make it the answerer and switch to it (or
 * wake it). false, with nothing done, when none is parked, messages are
 * queued ahead (FIFO) or dst is closed: the caller queues the call instead.
 */
static bool fast_handoff(struct endpoint *dst, uint64_t badge, const uint64_t w[KBUS_FAST_WORDS],
                         struct kbus_call *call)
{
	uint64_t irq = spin_lock_irqsave(&dst->ch->lock);
	struct kbus_fast_waiter *fw = dst->fast_waiter;
	if (unlikely(!fw || dst->head || dst->closed || READ_ONCE(fw->thread->kbus.pending))) {
		spin_unlock_irqrestore(&dst->ch->lock, irq);
		return false;
	}
	struct thread *server = fw->thread;
	take_first_waiter(dst, fw);
	words_copy(fw->words, w);
	fw->badge = badge;
	/* the last touch of fw: its owner may stop looking for us once it sees this */
	__atomic_store_n(&fw->got, true, __ATOMIC_RELEASE);
	kobject_get(&dst->obj);
	server->kbus.pending_ep = dst;
	server->kbus.pending = call;
	server->kbus.pending_kernel = call->kreply != NULL;
	call->server = server;
	link_call(dst, call);
	/* once unlocked, a kill may wake server, which sees got, returns and
	   may end: the pin keeps its memory until we are done with it */
	sched_pin(server);
	spin_unlock_irqrestore(&dst->ch->lock, irq);
	if (!sched_switch_to(server))
		sched_wake(server);
	sched_unpin(server);
	return true;
}

int kbus_call_fast(struct endpoint *ep, uint64_t badge, const uint64_t w[KBUS_FAST_WORDS],
                   uint64_t out[KBUS_FAST_WORDS], uint64_t timeout)
{
	struct endpoint *dst = ep->peer;
	if (unlikely(!dst))
		return ERR_BAD_STATE;
	struct kbus_call call = {.caller = sched_current(), .state = CALL_WAITING};
	uint64_t deadline = timeout == WAIT_FOREVER ? UINT64_MAX : kbus_deadline(timeout);
	int err;
	if (likely(fast_handoff(dst, badge, w, &call))) {
		err = wait_reply(dst, &call, deadline, NULL);
	} else {
		struct kbus_out m = {.data = w, .len = KBUS_FAST_WORDS * 8};
		err = call_slow(dst, badge, &m, &call, deadline);
	}
	if (err)
		return err;
	return reply_words(ep, &call, out);
}

/* ch->lock held: answer the current thread's pending call on ep with words.
   *run: the caller to run, pinned (once unlocked it may see CALL_DONE by
   another way, return and end: sched_pin()). */
static int answer_fast(struct endpoint *ep, const uint64_t *reply, struct thread **run)
{
	struct thread *self = sched_current();
	if (self->kbus.pending_ep != ep)
		return ERR_BAD_STATE;
	struct kbus_call *call = pending_of(self);
	self->kbus.pending = NULL;
	self->kbus.pending_ep = NULL;
	if (call == KBUS_CALL_ABANDONED)
		return ERR_PEER_CLOSED;
	unlink_call(ep, call);
	words_copy(call->words, reply);
	call->fast_reply = true;
	call->state = CALL_DONE;
	*run = call->caller;
	sched_pin(*run);
	return 0;
}

/* ch->lock held: remove fw from ep's parked fast receivers (unless a caller took it: got). */
static void unpark(struct kbus_fast_waiter *fw)
{
	if (fw->got)
		return;
	*fw->pprev = fw->next;
	if (fw->next)
		fw->next->pprev = fw->pprev;
}

/* ch->lock held: take a small queued message for the fast receiver, or say why not. */
static int take_queued(struct endpoint *ep, uint64_t out[KBUS_FAST_WORDS], uint64_t *badge,
                       uint32_t *flags, struct kbus_kmsg **freeme)
{
	struct kbus_kmsg *m = ep->head;
	if (m->len > KBUS_FAST_WORDS * 8 || m->nhandles)
		return ERR_BUFFER_TOO_SMALL;
	kbus_dequeue(ep);
	memset(out, 0, KBUS_FAST_WORDS * 8);
	memcpy(out, m->data, m->len);
	*badge = m->badge;
	*flags = m->flags;
	if (m->flags & KBUS_MSG_CALL)
		kbus_call_received(ep, m);
	*freeme = m;
	return 0;
}

int kbus_reply_recv_fast(struct endpoint *ep, const uint64_t *reply, int *reply_err,
                         uint64_t out[KBUS_FAST_WORDS], uint64_t *badge, uint32_t *flags,
                         uint64_t timeout)
{
	struct thread *self = sched_current();
	struct kbus_channel *ch = ep->ch;
	struct thread *run = NULL;
	struct kbus_kmsg *freeme = NULL;
	uint64_t deadline = timeout == WAIT_FOREVER ? UINT64_MAX : kbus_deadline(timeout);
	*reply_err = 0;
	if (!reply && self->kbus.pending)
		kbus_drop_pending(self); /* one reply slot: the next call replaces it */
	struct endpoint *put = reply ? self->kbus.pending_ep : NULL;
	uint64_t irq = spin_lock_irqsave(&ch->lock);
	if (reply) {
		*reply_err = answer_fast(ep, reply, &run);
		if (*reply_err == ERR_BAD_STATE)
			put = NULL; /* nothing was pending here: no reference to put */
	}
	int err;
	struct kbus_fast_waiter fw = {.thread = self};
	for (;;) {
		if (ep->head) {
			if ((ep->head->flags & KBUS_MSG_CALL) && self->kbus.pending) {
				spin_unlock_irqrestore(&ch->lock, irq);
				kbus_drop_pending(self);
				irq = spin_lock_irqsave(&ch->lock);
				continue;
			}
			err = take_queued(ep, out, badge, flags, &freeme);
			break;
		}
		err = ep->closed ? ERR_INTERRUPTED : kbus_peer_gone(ep) ? ERR_PEER_CLOSED : 0;
		if (err)
			break;
		park_waiter(ep, &fw); /* unparked before this frame returns */
		spin_unlock_irqrestore(&ch->lock, irq);
		/* a direct switch arms no timer: only when waiting without a deadline */
		bool switched = run && deadline == UINT64_MAX && sched_switch_to(run);
		if (run) {
			if (!switched)
				sched_wake(run);
			sched_unpin(run);
			run = NULL;
		}
		err = switched ? 0 : kbus_block_until(deadline);
		if (likely(__atomic_load_n(&fw.got, __ATOMIC_ACQUIRE))) {
			/* handed over: the caller unparked us and is done with fw */
			words_copy(out, fw.words);
			*badge = fw.badge;
			*flags = KBUS_MSG_CALL;
			err = 0;
			goto out;
		}
		irq = spin_lock_irqsave(&ch->lock);
		unpark(&fw);
		/* closing woke only the first parked receiver: each wakes the next */
		if ((ep->closed || kbus_peer_gone(ep)) && ep->fast_waiter)
			sched_wake(ep->fast_waiter->thread);
		if (fw.got) {
			words_copy(out, fw.words);
			*badge = fw.badge;
			*flags = KBUS_MSG_CALL;
			err = 0;
			break;
		}
		if (!err && sched_kill_pending(self))
			err = ERR_INTERRUPTED;
		if (!err && deadline != UINT64_MAX && clock_monotonic_ns() >= deadline)
			err = ERR_TIMED_OUT;
		if (err)
			break;
	}
	spin_unlock_irqrestore(&ch->lock, irq);
out:
	sched_wake_unpin(run);
	if (freeme)
		kbus_msg_free(freeme, ep->transit);
	if (put)
		kobject_put(&put->obj);
	return err;
}

int kbus_kernel_call(struct endpoint *ep, const void *data, size_t len, void *reply,
                     size_t reply_cap, uint64_t timeout)
{
	if (len > KBUS_MAX_BYTES)
		return ERR_INVALID_ARGS;
	struct kbus_out m = {.data = data, .len = (uint32_t)len};
	return kbus_kernel_call_msg(ep, &m, reply, reply_cap, timeout);
}

int kbus_kernel_call_msg(struct endpoint *ep, const struct kbus_out *m, void *reply,
                         size_t reply_cap, uint64_t timeout)
{
	return kbus_kernel_call_cap(ep, m, reply, reply_cap, timeout, NULL);
}

/* kc's capability from r's (in transit): derived into kc->cs, rights cut to kc->mask. */
static void take_cap(const struct kbus_kmsg *r, struct cspace *transit, struct kbus_kcap *kc)
{
	kc->out = HANDLE_INVALID;
	kc->obj = NULL;
	kc->ncaps = r->nhandles;
	if (r->nhandles != 1)
		return;
	struct cap_ref ref;
	kc->err = cap_lookup(transit, r->handles[0], kc->type, 0, &ref);
	if (kc->err)
		return; /* revoked in flight, or not the type asked */
	kc->rights = ref.rights & kc->mask;
	if (!kc->cs) {
		kc->obj = ref.obj; /* the reference is the caller's now */
		return;
	}
	cap_ref_put(&ref);
	kc->err = cap_derive_to(transit, r->handles[0], kc->cs, kc->rights, 0, &kc->out);
	if (kc->err)
		kc->out = HANDLE_INVALID;
}

int kbus_kernel_call_cap(struct endpoint *ep, const struct kbus_out *m, void *reply,
                         size_t reply_cap, uint64_t timeout, struct kbus_kcap *kc)
{
	if (kc) {
		kc->out = HANDLE_INVALID;
		kc->obj = NULL;
		kc->ncaps = 0;
		kc->err = 0;
	}
	struct endpoint *dst = ep->peer;
	if (!dst)
		return ERR_BAD_STATE;
	if (m->len > KBUS_MAX_BYTES || m->user)
		return ERR_INVALID_ARGS;
	struct kbus_call call = {.caller = sched_current(),
	                         .state = CALL_WAITING,
	                         .kreply = reply,
	                         .kreply_cap = (uint32_t)MIN(reply_cap, (size_t)UINT32_MAX)};
	uint64_t deadline = kbus_deadline(timeout);
	uint64_t w[KBUS_FAST_WORDS] = {0};
	int err;
	bool small = m->len <= sizeof(w) && m->nhandles == 0;
	if (small)
		memcpy(w, m->data, m->len);
	/* small calls (page faults) go to a parked fast receiver through registers */
	if (small && fast_handoff(dst, 0, w, &call))
		err = wait_reply(dst, &call, deadline, NULL);
	else
		err = call_slow(dst, 0, m, &call, deadline);
	if (err)
		return err;
	if (call.fast_reply) {
		memcpy(reply, call.words, MIN(reply_cap, sizeof(call.words)));
		return (int)sizeof(call.words);
	}
	if (call.kreplied)
		return (int)call.kreply_len; /* already in reply */
	struct kbus_kmsg *r = call.reply;
	memcpy(reply, r->data, MIN(reply_cap, (size_t)r->len));
	int n = (int)r->len;
	if (kc)
		take_cap(r, ep->transit, kc);
	kbus_msg_free(r, ep->transit);
	return n;
}

void kbus_flat_put_held(struct thread *t)
{
	struct endpoint *ep = t->kbus.held_ep;
	t->kbus.held_ep = NULL;
	if (!ep)
		return;
	/* the flat record rests on the peer's list only while held_ep is kept
	   (flat.c); a close of the peer may take it off meanwhile */
	if (READ_ONCE(t->kbus.call.pprev_out)) {
		uint64_t irq = spin_lock_irqsave(&ep->ch->lock);
		if (t->kbus.call.pprev_out)
			unlink_call(ep->peer, &t->kbus.call);
		spin_unlock_irqrestore(&ep->ch->lock, irq);
	}
	kobject_put(&ep->obj);
}

/* A parked receiver woken by anything but a flat call: finish its receive. */
static void resume_parked(struct thread *self, struct trap_frame *tf)
{
	struct kbus_fast_waiter *fw = &self->kbus.fw;
	struct endpoint *ep = fw->ep;
	struct kbus_channel *ch = ep->ch;
	uint64_t irq = spin_lock_irqsave(&ch->lock);
	unpark(fw);
	self->kbus.flat = KBUS_FLAT_NONE;
	bool got = fw->got;
	/* closing woke only the first parked receiver: each wakes the next */
	if ((ep->closed || kbus_peer_gone(ep)) && ep->fast_waiter)
		sched_wake(ep->fast_waiter->thread);
	spin_unlock_irqrestore(&ch->lock, irq);
	long r = 0;
	uint64_t out[KBUS_FAST_WORDS], badge;
	if (got) {
		/* handed over by the C path, which took its own reference for pending_ep */
		words_copy(out, fw->words);
		badge = fw->badge;
	} else {
		int reply_err;
		uint32_t flags;
		r = kbus_reply_recv_fast(ep, NULL, &reply_err, out, &badge, &flags, WAIT_FOREVER);
	}
	if (!r)
		arch_fast_set_words(tf, out, badge);
	arch_syscall_set_result(tf, (uint64_t)r);
	kobject_put(&ep->obj); /* the parked reference */
}

/* A flat caller woken by anything but a flat reply: wait for and take the answer. */
static void resume_caller(struct thread *self, struct trap_frame *tf)
{
	struct endpoint *ep = self->kbus.held_ep; /* its reference keeps the channel */
	struct kbus_call *call = &self->kbus.call;
	uint64_t out[KBUS_FAST_WORDS];
	/* from now on a reply switches to us the ordinary way (we may block in C) */
	uint64_t irq = spin_lock_irqsave(&ep->ch->lock);
	self->kbus.flat = KBUS_FLAT_NONE;
	spin_unlock_irqrestore(&ep->ch->lock, irq);
	int r = wait_reply(ep->peer, call, UINT64_MAX, NULL);
	if (!r)
		r = reply_words(ep, call, out);
	if (!r)
		arch_fast_set_words(tf, out, 0);
	arch_syscall_set_result(tf, (uint64_t)r);
}

/* kbus_flat_trampoline (syscall.S): a flat-blocked thread run by a switch. */
void kbus_flat_resume(struct trap_frame *tf)
{
	sched_flat_resumed();
	arch_irq_enable();
	struct thread *self = sched_current();
	if (self->kbus.flat == KBUS_FLAT_PARKED)
		resume_parked(self, tf);
	else
		resume_caller(self, tf);
	arch_irq_disable();
	if (user_return_owed(self))
		user_return_work();
}
