/*
 * input.h - the input class client (abi/dev/input.h, docs/devices.md): open a
 * keyboard or pointer by URI and read its events from the session's ring.
 *
 * Every event is copied out of shared memory once and checked there (a known
 * type); a driver whose prod runs more than `entries` ahead of us breaks the
 * session (ERR_MALFORMED from then on). Notifications are received into a
 * buffer that takes any message with any handles (dropped), so a driver
 * cannot jam our queue. ERR_PEER_CLOSED: the driver is gone (close, reopen).
 * Not thread-safe: one thread per struct ch_input.
 */
#pragma once
#include <stdint.h>

#include <abi/dev/input.h>
#include <abi/handle.h>
#include <shared/devring.h>

struct ch_input {
	handle_t ep, mem;
	uint8_t *base;
	uint64_t map_size;
	struct devring ring;
	struct input_info_reply info;
};

/* Opens a session of entries events (0: 64) on uri ("dev:///input/kbd0"), or
 * with uri NULL on dev (a capability to a driver's endpoint, kept by the
 * caller). ERR_MALFORMED: the driver's answer does not hold up. */
long ch_input_open(struct ch_input *in, const char *uri, handle_t dev, uint32_t entries);

/* Ends the session. */
void ch_input_close(struct ch_input *in);

/* The device's description (caps, model, absolute range), asked at open. */
const struct input_info_reply *ch_input_info(const struct ch_input *in);

/*
 * Up to max events into out, waiting up to timeout ns for the first one.
 * Returns how many (>= 1), ERR_TIMED_OUT, ERR_PEER_CLOSED, ERR_MALFORMED.
 */
long ch_input_read(struct ch_input *in, struct input_event *out, uint32_t max, uint64_t timeout);
