/*
 * inputmap.h - what every input driver shares (docs/devices.md, "Input"): the
 * keycodes of the input class (USB HID usages, page 7) from PS/2 set 1 make
 * codes and from Linux evdev codes (virtio-input), the modifier state with
 * press / release / repeat, and the PS/2 byte streams (keyboard set 1 as the
 * i8042 translates it, mouse packets of 3 or 4 bytes) turned into class events.
 *
 * No system calls and no trust in the device: any byte sequence decodes to
 * events or to nothing, never to an index outside a table (host-tested by
 * tests/host/test_inputmap.c).
 */
#pragma once
#include <stdbool.h>
#include <stdint.h>

/* HID usage of set 1 make code `code` (0..0x7f), ext: after an 0xe0 prefix. 0: none. */
uint16_t inputmap_set1(bool ext, uint8_t code);

/* HID usage of Linux evdev key code `code` (virtio-input). 0: none. */
uint16_t inputmap_evdev(uint16_t code);

/* The keys down (a bit per usage) and the modifiers (INPUT_MOD_*). */
struct inputmap_keys {
	uint8_t down[32];
	uint16_t mods;
};

/*
 * A key event on usage (pressed or released): updates k and returns the class
 * value (INPUT_KEY_PRESS, _REPEAT for a press of a key already down, _RELEASE),
 * or -1 for a release of a key that is not down (dropped). Lock keys toggle
 * their modifier on press.
 */
int inputmap_key(struct inputmap_keys *k, uint16_t usage, bool pressed);

/* One decoded event (the fields of struct input_event a driver fills in). */
struct inputmap_event {
	uint16_t type, code;
	int32_t value;
	uint32_t scancode;
};

/* Set 1 keyboard bytes: a byte at a time. */
struct inputmap_set1 {
	uint8_t prefix; /* 0, 0xe0, or 0xe1 (pause: its bytes are swallowed) */
	uint8_t skip; /* bytes of a pause sequence still to swallow */
	struct inputmap_keys keys;
};

/* Feeds one byte: fills *ev and returns 1 when it completes a key event, else 0. */
int inputmap_set1_byte(struct inputmap_set1 *d, uint8_t b, struct inputmap_event *ev);

/* PS/2 mouse packets: 3 bytes, or 4 with the IntelliMouse wheel. */
struct inputmap_mouse {
	uint8_t pkt[4];
	uint8_t n, size; /* bytes so far; packet size (3 or 4) */
	uint8_t buttons; /* last reported (bit 0 left, 1 right, 2 middle) */
};

/*
 * Feeds one byte; when it completes a packet, writes up to 6 events into ev
 * (buttons that changed, x, y, wheel: only what moved) and returns how many.
 * A first byte without bit 3 set is out of step and dropped (resync).
 */
int inputmap_mouse_byte(struct inputmap_mouse *m, uint8_t b, struct inputmap_event ev[6]);
