/*
 * keymap.h - key events of the input class (USB HID usages, page 7, with the
 * driver's modifier state) to the bytes a terminal sends: the US layout, and
 * xterm's sequences for the other keys (abi/term.h lists them). A few keys are
 * the console's own and never become bytes (KEYMAP_ACT_*): Alt-F1..F4 (also
 * Ctrl-Alt-F1..F4) switch virtual consoles, Shift-PgUp/PgDn scroll back.
 *
 * Pure (host-tested in tests/host/test_console.c): a table and a function.
 */
#pragma once
#include <stddef.h>
#include <stdint.h>

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
