/*
 * keymap.h - key events of the input class (USB HID usages, page 7, with the
 * driver's modifier state) to the bytes a terminal sends: the US layout, and
 * xterm's sequences for the other keys (abi/term.h lists them). A few keys are
 * the console's own and never become bytes (KEYMAP_ACT_*): Alt-F1..F4 (also
 * Ctrl-Alt-F1..F4) switch virtual consoles, Shift-PgUp/PgDn scroll back.
 *
 * A layout read from Debian's keymaps (kmap.h) replaces the US characters of
 * the character keys (HID usages 0x04..0x38 but Enter, Escape, Backspace, Tab,
 * and the ISO key 0x64); the other keys, Ctrl's control bytes and Alt's ESC
 * stay as above. Right Alt is AltGr when the layout says so (keycode 100 =
 * AltGr). Dead keys wait for the next key: a letter they compose with (Latin-1
 * and Latin-9, keymap.c's table) becomes the composed letter, Space or the same
 * dead key gives the accent itself, any other key the accent and then the key.
 *
 * Pure (host-tested in tests/host/test_console.c): tables and functions.
 */
#pragma once
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "kmap.h"

#define KEYMAP_MAX_BYTES 16u /* the longest sequence a key makes */

enum keymap_action {
	KEYMAP_NONE = 0, /* no bytes, nothing to do (a modifier, a release) */
	KEYMAP_BYTES, /* *len bytes in out */
	KEYMAP_ACT_VT, /* switch to virtual console *len (0-based) */
	KEYMAP_ACT_SCROLL_UP, /* Shift-PgUp: half a screen back */
	KEYMAP_ACT_SCROLL_DOWN,
};

/*
 * What a key press (or repeat) of usage with modifiers (INPUT_MOD_*) means. out
 * has room for KEYMAP_MAX_BYTES. Releases are KEYMAP_NONE: the caller passes
 * only presses and repeats.
 */
enum keymap_action keymap_us(uint16_t usage, uint16_t modifiers, char *out, size_t *len);

/* What the keyboards' layout needs to remember between keys. */
struct keymap_state {
	bool lalt, ralt; /* Left and Right Alt are down */
	uint32_t dead; /* a dead key's accent waiting for the next key; 0: none */
};

/*
 * Like keymap_us, with layout's characters (NULL: the US layout), for every key
 * event (pressed false: a release, which only updates st).
 */
enum keymap_action keymap_key(const struct kmap *layout, struct keymap_state *st, uint16_t usage,
                              uint16_t modifiers, bool pressed, char *out, size_t *len);

/* The composition of accent (a KMAP_DEAD code point) with base, or 0. */
uint32_t keymap_compose(uint32_t accent, uint32_t base);
