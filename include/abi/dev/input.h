/*
 * dev/input.h - the input class (docs/devices.md, "Input"): keyboards and
 * pointers, bound as dev:///input/<name> (type dev.input).
 *
 *   INPUT_MSG_INFO -> struct input_info_reply
 *   INPUT_MSG_OPEN struct input_open -> struct input_open_reply + 2 handles:
 *                  [0] the session endpoint, [1] the session memory (READ | WRITE |
 *                  MAP | INSPECT)
 *
 * The session memory holds one ring of struct input_event, driver -> client:
 * prod at 0 (driver writes), cons at 64 (client writes), events from 128
 * (entries * 24 bytes; input_region_size()). When the ring is full
 * the driver drops the newest event and counts it in the next event's
 * `dropped`. INPUT_MSG_NOTIFY (driver -> client, one-way) says events wait.
 * The client checks every prod it reads (at most entries ahead of its cons:
 * else the session is broken, ERR_MALFORMED) and every event it copies out
 * (a known type); the driver checks cons the same way. A driver serves at
 * most INPUT_MAX_SESSIONS sessions (ERR_NO_RESOURCES beyond); a session ends
 * when the client drops its session endpoint.
 *
 * Keys are USB HID usages (page 7) whatever the device: PS/2 set 1 / set 2
 * and evdev codes are mapped by the driver (shared/inputmap.c); the device's
 * own code stays in `scancode`. Relative y grows downwards, a positive wheel
 * delta is a turn away from the user.
 */
#pragma once
#include <stdint.h>
#include <abi/dev/ring.h>

#define INPUT_MSG_INFO (DEV_MSG_INPUT + 0)
#define INPUT_MSG_OPEN (DEV_MSG_INPUT + 1)
#define INPUT_MSG_NOTIFY (DEV_MSG_INPUT + 2)

#define INPUT_MAX_SESSIONS 8u /* per driver */

#define INPUT_CAP_KEYS 0x1u /* keyboard events */
#define INPUT_CAP_REL 0x2u /* relative pointer (mouse) */
#define INPUT_CAP_ABS 0x4u /* absolute pointer (tablet, touch) */

struct input_info_reply {
	struct dev_msg_hdr hdr;
	int32_t status;
	uint32_t caps; /* INPUT_CAP_* */
	uint32_t abs_max_x, abs_max_y; /* INPUT_CAP_ABS: the range of x and y */
	char model[40];
};

struct input_open {
	struct dev_msg_hdr hdr;
	uint32_t entries; /* a power of two, 1..DEV_RING_MAX */
	uint32_t reserved;
};

struct input_open_reply {
	struct dev_msg_hdr hdr;
	int32_t status;
	uint32_t entries;
};

#define INPUT_REGION_PROD 0u
#define INPUT_REGION_CONS 64u /* client writes */
#define INPUT_REGION_EVENTS 128u

#define INPUT_EV_KEY 1u /* code = keycode (USB HID usage, page 7), value = INPUT_KEY_* */
#define INPUT_EV_REL 2u /* code = INPUT_REL_*, value = signed delta */
#define INPUT_EV_ABS 3u /* code = INPUT_ABS_X / _Y, value = position */
#define INPUT_EV_BUTTON 4u /* code = INPUT_BTN_*, value = 1 pressed, 0 released */

#define INPUT_KEY_RELEASE 0
#define INPUT_KEY_PRESS 1
#define INPUT_KEY_REPEAT 2

#define INPUT_REL_X 0u
#define INPUT_REL_Y 1u
#define INPUT_REL_WHEEL 2u
#define INPUT_ABS_X 0u
#define INPUT_ABS_Y 1u
#define INPUT_BTN_LEFT 0u
#define INPUT_BTN_RIGHT 1u
#define INPUT_BTN_MIDDLE 2u

#define INPUT_MOD_SHIFT 0x1u
#define INPUT_MOD_CTRL 0x2u
#define INPUT_MOD_ALT 0x4u
#define INPUT_MOD_META 0x8u
#define INPUT_MOD_CAPS 0x10u /* caps lock on */
#define INPUT_MOD_NUM 0x20u /* num lock on */

struct input_event {
	uint64_t time_ns; /* monotonic */
	uint16_t type; /* INPUT_EV_* */
	uint16_t code;
	int32_t value;
	uint32_t scancode; /* the device's own code (set 1/2 make code, virtio code), 0: none */
	uint16_t modifiers; /* INPUT_MOD_* after this event */
	uint16_t dropped; /* events lost to a full ring just before this one */
};

/* Bytes of the session memory for entries events (a whole number of pages). */
static inline uint64_t input_region_size(uint32_t entries)
{
	return (INPUT_REGION_EVENTS + (uint64_t)entries * sizeof(struct input_event) + 4095u) &
	       ~(uint64_t)4095u;
}
