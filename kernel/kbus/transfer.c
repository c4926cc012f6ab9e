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
 * Locking: none of our own; the cap layer's locks inside each call. Called
 * without kbus locks held.
 */
#include <kbus/kbus_internal.h>
#include <abi/errors.h>
#include <abi/rights.h>
#include <cap/cap.h>
#include <lib/log.h>

static bool is_copy(const struct kbus_out *m, uint32_t i)
{
	return (m->copy_mask >> i) & 1;
}

/* Decode every handle: rights, and no capability leaving twice. */
static int decode(const struct kbus_out *m)
{
	if (!m->cs)
		return ERR_BAD_HANDLE;
	for (uint32_t i = 0; i < m->nhandles; i++) {
		uint64_t need = RIGHT_TRANSFER | (is_copy(m, i) ? RIGHT_DUPLICATE : 0);
		struct cap_ref ref;
		int err = cap_lookup(m->cs, m->handles[i], OBJ_NONE, need, &ref);
		if (err)
			return err;
		cap_ref_put(&ref);
	}
	for (uint32_t i = 0; i < m->nhandles; i++)
		for (uint32_t j = 0; j < i; j++)
			if (m->handles[i] == m->handles[j] && (!is_copy(m, i) || !is_copy(m, j)))
				return ERR_INVALID_ARGS;
	return 0;
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

int kbus_transfer_in(const struct kbus_out *m, struct cspace *transit, struct kbus_kmsg *msg)
{
	int err = decode(m);
	if (err)
		return err;
	uint32_t i;
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
