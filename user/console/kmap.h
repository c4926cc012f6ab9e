/*
 * kmap.h - Debian's console keymaps (the loadkeys text format, keymaps(5)) read
 * into a table of Linux keycode x modifiers -> a character, a dead key or an
 * action (docs/terminal.md "Keyboard layouts").
 *
 * Read: "keymaps 0-2,4-6", "[mods] keycode N = sym ...", "include \"name\"",
 * "charset" (iso-8859-1, -15, unicode), the modifier prefixes plain, shift,
 * altgr, control, alt, shiftl, shiftr, ctrll, ctrlr, capsshift, '+' (a letter:
 * Caps Lock applies), U+XXXX, numbers and the keysym names of ASCII, Latin-1
 * and Latin-9, the control characters and the dead keys. Skipped: string,
 * strings/compose "as usual", compose lines (the console composes dead keys
 * with its own table, keymap.c), alt_is_meta. Every other line, an unknown
 * keysym, a keycode or keymap out of range is an error with its file and line.
 *
 * The files are untrusted: each is at most KMAP_FILE_MAX bytes and its lines
 * KMAP_LINE_MAX, includes nest KMAP_DEPTH_MAX deep and a layout reads at most
 * KMAP_FILES_MAX files. Pure (host-tested in tests/host/test_kmap.c); no
 * allocation: the table is the caller's, left in an unspecified state on error
 * (parse into a spare one and switch on success). Not reentrant: the parser's
 * 6 KiB of line buffers are static (the console is one thread).
 */
#pragma once
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#define KMAP_KEYCODES 128u /* Linux keycodes 0..127 are kept (a PC keyboard's) */
#define KMAP_MODS 16u /* modifier sets kept: every mix of the four below */
#define KMAP_SHIFT 1u
#define KMAP_ALTGR 2u
#define KMAP_CTRL 4u
#define KMAP_ALT 8u

#define KMAP_FILE_MAX (64u << 10) /* bytes of one file */
#define KMAP_LINE_MAX 512u /* bytes of one line */
#define KMAP_DEPTH_MAX 4u /* include nesting */
#define KMAP_FILES_MAX 16u /* files read for one layout, itself included */
#define KMAP_NAME_MAX 32u /* a layout's or an include's name, with its NUL */

/* An entry: 0 is a hole (nothing); else one kind flag and, for the first two, a code point. */
#define KMAP_CP_MASK 0x1fffffu
#define KMAP_CHAR (1u << 24) /* a character */
#define KMAP_DEAD (1u << 25) /* a dead key: the code point is its accent (spacing) */
#define KMAP_ACTION (1u << 26) /* a function, console or modifier key: not text */
#define KMAP_LETTER (1u << 27) /* with KMAP_CHAR: Caps Lock applies */

struct kmap {
	uint32_t key[KMAP_MODS][KMAP_KEYCODES]; /* [KMAP_SHIFT | ...][keycode] */
	bool altgr; /* keycode 100 (Right Alt) is AltGr, not Alt */
};

struct kmap_error {
	char file[KMAP_NAME_MAX + 8]; /* the file being read */
	unsigned line; /* 1-based; 0: not about a line */
	char msg[128];
};

/*
 * Finds a file of the keymap directory by path ("de.kmap", "include/euro.inc"):
 * 0 with *data, *len pointing at its bytes (valid until kmap_parse returns), or
 * ERR_NOT_FOUND.
 */
typedef int (*kmap_open_fn)(void *ctx, const char *path, const char **data, size_t *len);

/*
 * Reads layout name (the file "<name>.kmap") into *out. An include "x" is the
 * first of include/x.inc, include/x, x.kmap, x that exists. Names are letters,
 * digits, '.', '_', '-' (not first), shorter than KMAP_NAME_MAX. Returns 0, or
 * ERR_INVALID_ARGS (a bad name), ERR_NOT_FOUND (no such layout or include),
 * ERR_MALFORMED (a line it cannot read), ERR_OUT_OF_RANGE (a file, line, depth or
 * file count beyond the limits), with *err saying where and what.
 */
int kmap_parse(struct kmap *out, const char *name, kmap_open_fn open, void *ctx,
               struct kmap_error *err);

/* err as one line for people: "<file>:<line>: <what>" (or less when it is not about a line). */
void kmap_error_text(const struct kmap_error *err, char *buf, size_t size);

/* Whether name is a layout or include name kmap_parse would accept. */
bool kmap_name_ok(const char *name);
