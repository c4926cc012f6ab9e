/*
 * keymap.c - the US layout and xterm's special keys (keymap.h).
 *
 * Special keys take xterm's modifier parameter when a modifier is held:
 * 1 + Shift (1) + Alt (2) + Ctrl (4), so Ctrl-Up is ESC [ 1 ; 5 A and
 * Shift-Delete ESC [ 3 ; 2 ~. Alt with an ordinary key sends ESC first.
 */
#include "keymap.h"

#include <stdbool.h>
#include <string.h>

#include <abi/dev/input.h>
#include <shared/inputmap.h>

#define ESC "\x1b"

/* HID usages 0x04..0x38: plain and shifted characters of the US layout. */
static const char us_plain[0x39] = {
    [0x04] = 'a', 'b',  'c', 'd',           'e',          'f',  'g',  'h', 'i', 'j', 'k',
    'l',          'm',  'n', 'o',           'p',          'q',  'r',  's', 't', 'u', 'v',
    'w',          'x',  'y', 'z',           [0x1e] = '1', '2',  '3',  '4', '5', '6', '7',
    '8',          '9',  '0', [0x28] = '\r', 0x1b,         0x7f, '\t', ' ', '-', '=', '[',
    ']',          '\\', '#', ';',           '\'',         '`',  ',',  '.', '/',
};
static const char us_shift[0x39] = {
    [0x04] = 'A', 'B', 'C', 'D',           'E',          'F',  'G',  'H', 'I', 'J', 'K',
    'L',          'M', 'N', 'O',           'P',          'Q',  'R',  'S', 'T', 'U', 'V',
    'W',          'X', 'Y', 'Z',           [0x1e] = '!', '@',  '#',  '$', '%', '^', '&',
    '*',          '(', ')', [0x28] = '\r', 0x1b,         0x7f, '\t', ' ', '_', '+', '{',
    '}',          '|', '~', ':',           '"',          '~',  '<',  '>', '?',
};

/* Keypad usages 0x54..0x63 with Num Lock on, and the key each is without it. */
static const char keypad_chars[] = "/*-+\r1234567890.";
static const uint16_t keypad_nav[] = {0,    0, 0,    0,    0,    0x4d, 0x51, 0x4e,
                                      0x50, 0, 0x4f, 0x4a, 0x52, 0x4b, 0x49, 0x4c};

/* Special keys: usage, the final byte, and the number for ESC [ n ~ forms (0: none). */
static const struct special {
	uint16_t usage;
	char final; /* 'A'.. for ESC [ X, '~' for ESC [ n ~, 'P'.. for SS3 (F1-F4) */
	uint8_t num;
} specials[] = {
    {0x52, 'A', 0},  {0x51, 'B', 0},  {0x4f, 'C', 0},  {0x50, 'D', 0},  {0x4a, 'H', 0},
    {0x4d, 'F', 0},  {0x49, '~', 2},  {0x4c, '~', 3},  {0x4b, '~', 5},  {0x4e, '~', 6},
    {0x3a, 'P', 0},  {0x3b, 'Q', 0},  {0x3c, 'R', 0},  {0x3d, 'S', 0},  {0x3e, '~', 15},
    {0x3f, '~', 17}, {0x40, '~', 18}, {0x41, '~', 19}, {0x42, '~', 20}, {0x43, '~', 21},
    {0x44, '~', 23}, {0x45, '~', 24},
};

static size_t put_num(char *out, unsigned v)
{
	size_t n = 0;
	if (v >= 10)
		out[n++] = (char)('0' + v / 10);
	out[n++] = (char)('0' + v % 10);
	return n;
}

static size_t special_bytes(const struct special *s, uint16_t mods, char *out)
{
	unsigned m = 1 + (mods & INPUT_MOD_SHIFT ? 1 : 0) + (mods & INPUT_MOD_ALT ? 2 : 0) +
	             (mods & INPUT_MOD_CTRL ? 4 : 0);
	size_t n = 0;
	bool ss3 = s->final >= 'P' && s->final <= 'S';
	out[n++] = 0x1b;
	if (ss3 && m == 1) {
		out[n++] = 'O';
		out[n++] = s->final;
		return n;
	}
	out[n++] = '[';
	if (s->num)
		n += put_num(out + n, s->num);
	else if (m > 1)
		out[n++] = '1';
	if (m > 1) {
		out[n++] = ';';
		n += put_num(out + n, m);
	}
	out[n++] = s->final;
	return n;
}

/* The control byte Ctrl gives an ordinary key's character, or -1 (Ctrl ignored). */
static int ctrl_byte(char c, uint16_t usage)
{
	if (c >= 'a' && c <= 'z')
		return c - 'a' + 1;
	if (c >= 'A' && c <= 'Z')
		return c - 'A' + 1;
	switch (c) {
	case '@':
	case ' ':
	case '2':
		return 0;
	case '[':
	case '{':
	case '3':
		return 0x1b;
	case '\\':
	case '|':
	case '4':
		return 0x1c;
	case ']':
	case '}':
	case '5':
		return 0x1d;
	case '^':
	case '~':
	case '6':
		return usage == 0x35 ? -1 : 0x1e;
	case '_':
	case '-':
	case '/':
	case '?':
	case '7':
		return 0x1f;
	case '8':
	case 0x7f:
		return usage == 0x2a ? 0x08 : 0x7f; /* Ctrl-Backspace: ^H */
	default:
		return -1;
	}
}

enum keymap_action keymap_us(uint16_t usage, uint16_t mods, char *out, size_t *len)
{
	bool shift = mods & INPUT_MOD_SHIFT, alt = mods & INPUT_MOD_ALT,
	     ctrl = mods & INPUT_MOD_CTRL;
	*len = 0;
	/* the console's own keys */
	if (alt && usage >= 0x3a && usage <= 0x3d) {
		*len = usage - 0x3a;
		return KEYMAP_ACT_VT;
	}
	if (shift && (usage == 0x4b || usage == 0x4e))
		return usage == 0x4b ? KEYMAP_ACT_SCROLL_UP : KEYMAP_ACT_SCROLL_DOWN;

	if (usage >= 0x54 && usage <= 0x63) { /* the keypad */
		unsigned k = usage - 0x54;
		if ((mods & INPUT_MOD_NUM) || !keypad_nav[k]) {
			out[0] = keypad_chars[k];
			*len = 1;
			return KEYMAP_BYTES;
		}
		usage = keypad_nav[k];
	}
	for (size_t i = 0; i < sizeof(specials) / sizeof(specials[0]); i++)
		if (specials[i].usage == usage) {
			*len = special_bytes(&specials[i], mods, out);
			return KEYMAP_BYTES;
		}
	if (usage >= sizeof(us_plain) || !us_plain[usage])
		return KEYMAP_NONE;

	char c = shift ? us_shift[usage] : us_plain[usage];
	if ((mods & INPUT_MOD_CAPS) && usage >= 0x04 && usage <= 0x1d)
		c = shift ? us_plain[usage] : us_shift[usage];
	if (ctrl) {
		int b = ctrl_byte(c, usage);
		if (b >= 0)
			c = (char)b;
	}
	size_t n = 0;
	if (alt)
		out[n++] = 0x1b;
	out[n++] = c;
	*len = n;
	return KEYMAP_BYTES;
}

/* ---- layouts ------------------------------------------------------------------ */

/* Dead keys: the letters each accent composes with, and what they become. */
static const struct {
	uint32_t accent;
	const char *base;
	uint16_t to[20];
} compose_table[] = {
    {'`', "AEIOUaeiou", {0xc0, 0xc8, 0xcc, 0xd2, 0xd9, 0xe0, 0xe8, 0xec, 0xf2, 0xf9}},
    {'\'', "AEIOUYaeiouyCcNnSsZz", {0xc1,  0xc9,  0xcd,  0xd3,  0xda,  0xdd,  0xe1,
                                    0xe9,  0xed,  0xf3,  0xfa,  0xfd,  0x106, 0x107,
                                    0x143, 0x144, 0x15a, 0x15b, 0x179, 0x17a}},
    {'^', "AEIOUaeiou", {0xc2, 0xca, 0xce, 0xd4, 0xdb, 0xe2, 0xea, 0xee, 0xf4, 0xfb}},
    {'~', "ANOano", {0xc3, 0xd1, 0xd5, 0xe3, 0xf1, 0xf5}},
    {'"',
     "AEIOUaeiouyY",
     {0xc4, 0xcb, 0xcf, 0xd6, 0xdc, 0xe4, 0xeb, 0xef, 0xf6, 0xfc, 0xff, 0x178}},
    {',', "Cc", {0xc7, 0xe7}},
    {0xb0, "AaUu", {0xc5, 0xe5, 0x16e, 0x16f}},
    {0x2c7,
     "SsZzCcEeRrNn",
     {0x160, 0x161, 0x17d, 0x17e, 0x10c, 0x10d, 0x11a, 0x11b, 0x158, 0x159, 0x147, 0x148}},
};
uint32_t keymap_compose(uint32_t accent, uint32_t base)
{
	for (size_t i = 0; i < sizeof(compose_table) / sizeof(compose_table[0]); i++) {
		if (compose_table[i].accent != accent)
			continue;
		for (size_t j = 0; base < 0x80 && compose_table[i].base[j]; j++)
			if ((uint32_t)compose_table[i].base[j] == base)
				return compose_table[i].to[j];
	}
	return 0;
}

static size_t put_utf8(char *out, uint32_t cp)
{
	if (cp < 0x80) {
		out[0] = (char)cp;
		return 1;
	}
	if (cp < 0x800) {
		out[0] = (char)(0xc0 | cp >> 6);
		out[1] = (char)(0x80 | (cp & 0x3f));
		return 2;
	}
	if (cp < 0x10000) {
		out[0] = (char)(0xe0 | cp >> 12);
		out[1] = (char)(0x80 | ((cp >> 6) & 0x3f));
		out[2] = (char)(0x80 | (cp & 0x3f));
		return 3;
	}
	out[0] = (char)(0xf0 | cp >> 18);
	out[1] = (char)(0x80 | ((cp >> 12) & 0x3f));
	out[2] = (char)(0x80 | ((cp >> 6) & 0x3f));
	out[3] = (char)(0x80 | (cp & 0x3f));
	return 4;
}

/* The Linux keycode of a character key's usage (inputmap's table read backwards), or 0. */
static unsigned char_keycode(uint16_t usage)
{
	if (usage < 0x04 || (usage > 0x38 && usage != 0x64) || (usage >= 0x28 && usage <= 0x2b))
		return 0;
	for (uint16_t code = 1; code < KMAP_KEYCODES; code++)
		if (inputmap_evdev(code) == usage)
			return code;
	return 0;
}

/* The pending accent, then what keymap_us makes of a key that is not a character. */
static enum keymap_action flush_then_us(struct keymap_state *st, uint16_t usage, uint16_t mods,
                                        char *out, size_t *len)
{
	enum keymap_action a = keymap_us(usage, mods, out, len);
	if (a == KEYMAP_BYTES && st->dead) {
		char acc[4];
		size_t n = put_utf8(acc, st->dead);
		memmove(out + n, out, *len);
		memcpy(out, acc, n);
		*len += n;
		st->dead = 0;
	}
	return a;
}

enum keymap_action keymap_key(const struct kmap *layout, struct keymap_state *st, uint16_t usage,
                              uint16_t mods, bool pressed, char *out, size_t *len)
{
	*len = 0;
	if (usage == 0xe2 || usage == 0xe6)
		*(usage == 0xe2 ? &st->lalt : &st->ralt) = pressed;
	if (!(mods & INPUT_MOD_ALT))
		st->lalt = st->ralt = false;
	if (!pressed)
		return KEYMAP_NONE;
	unsigned kc = layout ? char_keycode(usage) : 0;
	if (!kc)
		return flush_then_us(st, usage, mods, out, len);

	bool altgr = layout->altgr && st->ralt && !st->lalt;
	bool alt = (mods & INPUT_MOD_ALT) && !altgr;
	unsigned idx = (mods & INPUT_MOD_SHIFT ? KMAP_SHIFT : 0) | (altgr ? KMAP_ALTGR : 0);
	uint32_t v = layout->key[idx][kc];
	if ((mods & INPUT_MOD_CAPS) && (v & KMAP_LETTER))
		v = layout->key[idx ^ KMAP_SHIFT][kc];
	uint32_t cp = v & KMAP_CP_MASK;
	if (v & KMAP_DEAD) {
		if (st->dead != cp) {
			st->dead = cp;
			return KEYMAP_NONE;
		}
		st->dead = 0; /* the same dead key twice: the accent itself */
	} else if (!(v & KMAP_CHAR)) {
		return KEYMAP_NONE;
	}
	size_t n = 0;
	if (st->dead) {
		uint32_t c = keymap_compose(st->dead, cp);
		if (c)
			cp = c;
		else if (cp == ' ')
			cp = st->dead;
		else
			n += put_utf8(out, st->dead);
		st->dead = 0;
	}
	if ((mods & INPUT_MOD_CTRL) && cp < 0x80) {
		int b = ctrl_byte((char)cp, usage);
		if (b >= 0)
			cp = (uint32_t)b;
	}
	if (alt)
		out[n++] = 0x1b;
	n += put_utf8(out + n, cp);
	*len = n;
	return KEYMAP_BYTES;
}
