/*
 * transfer.c - capabilities in flight.
 *
 * A capability sent in a message is a real capability the whole time: on
 * send it is moved (cap_move) or copied (cap_copy_to: a child of the
 * sender's) into the transit cspace of the receiving endpoint, and on receive
 * it is moved on into the receiver's cspace. It therefore never leaves the
 * derivation forest: revoking an ancestor reaches it in flight (its transit
 * slot dies and the receiver gets HANDLE_INVALID in its place) and after
 * delivery. The message keeps only transit handles; the capabilities hold the
 * object references. Dropping an undelivered message drops them.
 *
 * All or nothing: every handle is decoded first (ERR_BAD_HANDLE,
 * ERR_ACCESS_DENIED: TRANSFER missing, or DUPLICATE for a copy;
 * ERR_INVALID_ARGS: a handle moved twice, or moved and copied), then copies
 * are made (undone by dropping them), then moves (undone by moving back).
 * Moves fail only when the transit table cannot grow (ERR_NO_MEMORY) or
 * another thread of the sender drops the handle meanwhile; a capability moved
 * back comes back under a new handle value. FIXME: if the sender's own cspace
 * is concurrently filled to its limit while a move is undone, the capability
 * cannot go back and is dropped (logged).
 *
 * Receive: moves out of transit one by one; if the receiver's cspace is full
 * the ones already moved go back to transit (whose freed slots they reuse)
 * and the message stays queued.
 *
 * Transit tables. The capabilities travel in the receiving endpoint's
 * transit cspace, whose slots and table are charged to the channel's pool.
 * Every message that may keep transit handles (from kbus_transfer_in() to
 * kbus_msg_free(), whether queued, being built or delivered, or a reply)
 * holds the transit cspace (cspace_hold); when the last hold goes no transit
 * handle is kept anywhere, and the table is trimmed: its memory comes back
 * once the messages are received or dropped, however big it grew.
 *
 * Cycles are impossible (the cycle rule). An endpoint is closed when its
 * last capability goes, and a capability in flight keeps it open; so an
 * endpoint whose capability sits in its own queue, or endpoints A and B with
 * each one's capability in the other's queue, would keep each other (and
 * their channels' pools) forever once every other handle is gone. Instead of
 * collecting such cycles (a mark-and-sweep over everything in flight, as
 * Linux's unix_gc does, with work proportional to what user space queued),
 * kbus refuses to make them, with two counts per endpoint under its channel
 * lock: `inflight` (messages carrying a capability to it) and `loaded`
 * (messages to it carrying endpoint capabilities). A message carrying
 * endpoint capabilities is refused with ERR_BAD_STATE when its destination
 * is in flight, and when one of the endpoints it carries is loaded. Each
 * endpoint is thus never in flight and loaded at once: an endpoint whose
 * capability is in a queue has no endpoint capabilities in its own, so a
 * chain of "queue of X holds a capability to Y" is at most one link long and
 * no cycle, of any length, can form. Each test is made under one channel
 * lock and the counts are given back only when the message is freed, so
 * racing senders cannot both pass. A call's reply is exempt: it is never
 * queued, only held by its caller, who takes it at once (or drops it). Only endpoints carry queues of
 * capabilities (groups carry bytes, waitsets hold references, not
 * capabilities), so only endpoint capabilities count.
 *
 * Locking: each count under its endpoint's channel lock, taken alone; the
 * cap layer's locks inside each cap call. Called without kbus locks held.
 */
#include <kbus/kbus_internal.h>
#include <abi/errors.h>
#include <abi/rights.h>
#include <cap/cap.h>
#include <lib/compiler.h>
#include <lib/log.h>
#include <obj/object.h>

static bool is_copy(const struct kbus_out *m, uint32_t i)
{
	return (m->copy_mask >> i) & 1;
}

/* Put the endpoint references eps[from..to) took (not counted in flight). */
static void put_eps(struct endpoint **eps, uint32_t from, uint32_t to)
{
	for (uint32_t i = from; i < to; i++)
		if (eps[i]) {
			kobject_put(endpoint_obj(eps[i]));
			eps[i] = NULL;
		}
}

/*
 * Decode every handle: rights, and no capability leaving twice. The endpoints
 * among them go to msg->eps (a reference each); *loads says there are some.
 */
static int decode(const struct kbus_out *m, struct kbus_kmsg *msg, bool *loads)
{
	if (!m->cs)
		return ERR_BAD_HANDLE;
	*loads = false;
	for (uint32_t i = 0; i < m->nhandles; i++) {
		uint64_t need = RIGHT_TRANSFER | (is_copy(m, i) ? RIGHT_DUPLICATE : 0);
		struct cap_ref ref;
		int err = cap_lookup(m->cs, m->handles[i], OBJ_NONE, need, &ref);
		if (err) {
			put_eps(msg->eps, 0, i);
			return err;
		}
		msg->eps[i] = ref.obj->type == OBJ_ENDPOINT ? endpoint_from(ref.obj) : NULL;
		if (msg->eps[i])
			*loads = true; /* the reference stays with msg->eps[i] */
		else
			cap_ref_put(&ref);
	}
	for (uint32_t i = 0; i < m->nhandles; i++)
		for (uint32_t j = 0; j < i; j++)
			if (m->handles[i] == m->handles[j] && (!is_copy(m, i) || !is_copy(m, j))) {
				put_eps(msg->eps, 0, m->nhandles);
				return ERR_INVALID_ARGS;
			}
	return 0;
}

/*
 * The cycle rule's one step, under ep's channel lock: count one more in *mine,
 * refused (ERR_BAD_STATE) while *other is nonzero. load(): a message carrying
 * endpoints to dst; count_in_flight(): a capability to ep inside a message.
 */
static int cycle_count(struct endpoint *ep, uint32_t *mine, const uint32_t *other)
{
	uint64_t irq = spin_lock_irqsave(&ep->ch->lock);
	int err = *other ? ERR_BAD_STATE : 0;
	if (!err)
		(*mine)++;
	spin_unlock_irqrestore(&ep->ch->lock, irq);
	return err;
}

static int load(struct endpoint *dst)
{
	return cycle_count(dst, &dst->loaded, &dst->inflight);
}

static int count_in_flight(struct endpoint *ep)
{
	return cycle_count(ep, &ep->inflight, &ep->loaded);
}

void kbus_transfer_release(struct kbus_kmsg *msg)
{
	struct endpoint *dst = msg->dst;
	msg->dst = NULL;
	if (unlikely(msg->loads)) {
		uint64_t irq = spin_lock_irqsave(&dst->ch->lock);
		dst->loaded--;
		spin_unlock_irqrestore(&dst->ch->lock, irq);
	}
	cspace_release(dst->transit);
	for (uint32_t i = 0; i < msg->neps; i++) {
		struct endpoint *ep = msg->eps[i];
		if (!ep)
			continue;
		uint64_t irq = spin_lock_irqsave(&ep->ch->lock);
		ep->inflight--;
		spin_unlock_irqrestore(&ep->ch->lock, irq);
		kobject_put(endpoint_obj(ep));
		msg->eps[i] = NULL;
	}
	msg->neps = 0;
}

/* Undo the first n handles of msg (copies dropped, moves moved back). */
static void undo(const struct kbus_out *m, struct cspace *transit, struct kbus_kmsg *msg,
                 uint32_t n, bool moves)
{
	for (uint32_t i = 0; i < n; i++) {
		if (is_copy(m, i) == moves)
			continue;
		handle_t h = msg->handles[i];
		if (!moves) {
			cap_drop(transit, h);
			continue;
		}
		handle_t back;
		if (cap_move(transit, h, m->cs, &back) && cap_drop(transit, h) == 0)
			pr_warn("kbus: a capability could not return to its full cspace");
	}
}

int kbus_transfer_in(const struct kbus_out *m, struct endpoint *dst, bool cycle_rule,
                     struct kbus_kmsg *msg)
{
	struct cspace *transit = dst->transit;
	bool loads;
	int err = decode(m, msg, &loads);
	if (err)
		return err;
	if (loads && !cycle_rule) {
		put_eps(msg->eps, 0, m->nhandles);
		loads = false;
	}
	if (loads && (err = load(dst))) {
		put_eps(msg->eps, 0, m->nhandles);
		return err;
	}
	cspace_hold(transit);
	msg->dst = dst;
	msg->loads = loads;
	uint32_t i;
	if (loads) {
		msg->neps = m->nhandles;
		for (i = 0; i < m->nhandles; i++)
			if (msg->eps[i] && (err = count_in_flight(msg->eps[i]))) {
				put_eps(msg->eps, i, m->nhandles);
				return err; /* kbus_msg_free() gives back the rest */
			}
	}
	for (i = 0; i < m->nhandles; i++) {
		if (!is_copy(m, i))
			continue;
		err = cap_copy_to(m->cs, m->handles[i], transit, &msg->handles[i]);
		if (err)
			goto out_copies;
	}
	for (i = 0; i < m->nhandles; i++) {
		if (is_copy(m, i))
			continue;
		err = cap_move(m->cs, m->handles[i], transit, &msg->handles[i]);
		if (err)
			goto out_moves;
	}
	msg->nhandles = m->nhandles;
	return 0;
out_moves:
	undo(m, transit, msg, i, true);
	i = m->nhandles;
out_copies:
	undo(m, transit, msg, i, false);
	return err;
}

void kbus_transfer_undo(const struct kbus_out *m, struct cspace *transit, struct kbus_kmsg *msg)
{
	undo(m, transit, msg, msg->nhandles, true);
	undo(m, transit, msg, msg->nhandles, false);
	msg->nhandles = 0;
}

int kbus_transfer_out(struct kbus_kmsg *msg, struct cspace *transit, struct cspace *cs,
                      handle_t *out)
{
	for (uint32_t i = 0; i < msg->nhandles; i++)
		out[i] = HANDLE_INVALID;
	for (uint32_t i = 0; i < msg->nhandles; i++) {
		int err = cap_move(transit, msg->handles[i], cs, &out[i]);
		if (err == ERR_BAD_HANDLE) {
			out[i] = HANDLE_INVALID; /* revoked in flight */
			continue;
		}
		if (err) {
			kbus_transfer_out_undo(msg, transit, cs, out);
			return err;
		}
	}
	return 0;
}

void kbus_transfer_out_undo(struct kbus_kmsg *msg, struct cspace *transit, struct cspace *cs,
                            handle_t *out)
{
	for (uint32_t i = 0; i < msg->nhandles; i++) {
		if (out[i] == HANDLE_INVALID)
			continue;
		handle_t back;
		if (cap_move(cs, out[i], transit, &back) == 0)
			msg->handles[i] = back;
		else
			msg->handles[i] = HANDLE_INVALID; /* revoked since it arrived */
		out[i] = HANDLE_INVALID;
	}
}

void kbus_transfer_drop(struct kbus_kmsg *msg, struct cspace *transit)
{
	for (uint32_t i = 0; i < msg->nhandles; i++)
		if (msg->handles[i] != HANDLE_INVALID)
			cap_drop(transit, msg->handles[i]); /* ERR_BAD_HANDLE: revoked in flight */
	msg->nhandles = 0;
}
