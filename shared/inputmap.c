/*
 * inputmap.c - keycodes, modifiers and PS/2 byte streams for the input class
 * (<shared/inputmap.h>). Linux evdev codes 1..88 are the set 1 make codes, so
 * one table serves both; the extended keys differ and have their own.
 */
#include <shared/inputmap.h>

#include <abi/dev/input.h>

/* Set 1 make code (no prefix) -> HID usage; also evdev codes 1..88. */
static const uint8_t set1_plain[0x59] = {
    [0x01] = 0x29, [0x02] = 0x1e, [0x03] = 0x1f, [0x04] = 0x20, [0x05] = 0x21, [0x06] = 0x22,
    [0x07] = 0x23, [0x08] = 0x24, [0x09] = 0x25, [0x0a] = 0x26, [0x0b] = 0x27, [0x0c] = 0x2d,
    [0x0d] = 0x2e, [0x0e] = 0x2a, [0x0f] = 0x2b, [0x10] = 0x14, [0x11] = 0x1a, [0x12] = 0x08,
    [0x13] = 0x15, [0x14] = 0x17, [0x15] = 0x1c, [0x16] = 0x18, [0x17] = 0x0c, [0x18] = 0x12,
    [0x19] = 0x13, [0x1a] = 0x2f, [0x1b] = 0x30, [0x1c] = 0x28, [0x1d] = 0xe0, [0x1e] = 0x04,
    [0x1f] = 0x16, [0x20] = 0x07, [0x21] = 0x09, [0x22] = 0x0a, [0x23] = 0x0b, [0x24] = 0x0d,
    [0x25] = 0x0e, [0x26] = 0x0f, [0x27] = 0x33, [0x28] = 0x34, [0x29] = 0x35, [0x2a] = 0xe1,
    [0x2b] = 0x31, [0x2c] = 0x1d, [0x2d] = 0x1b, [0x2e] = 0x06, [0x2f] = 0x19, [0x30] = 0x05,
    [0x31] = 0x11, [0x32] = 0x10, [0x33] = 0x36, [0x34] = 0x37, [0x35] = 0x38, [0x36] = 0xe5,
    [0x37] = 0x55, [0x38] = 0xe2, [0x39] = 0x2c, [0x3a] = 0x39, [0x3b] = 0x3a, [0x3c] = 0x3b,
    [0x3d] = 0x3c, [0x3e] = 0x3d, [0x3f] = 0x3e, [0x40] = 0x3f, [0x41] = 0x40, [0x42] = 0x41,
    [0x43] = 0x42, [0x44] = 0x43, [0x45] = 0x53, [0x46] = 0x47, [0x47] = 0x5f, [0x48] = 0x60,
    [0x49] = 0x61, [0x4a] = 0x56, [0x4b] = 0x5c, [0x4c] = 0x5d, [0x4d] = 0x5e, [0x4e] = 0x57,
    [0x4f] = 0x59, [0x50] = 0x5a, [0x51] = 0x5b, [0x52] = 0x62, [0x53] = 0x63, [0x56] = 0x64,
    [0x57] = 0x44, [0x58] = 0x45,
};

/* Extended keys: set 1 code after 0xe0, evdev code, HID usage. */
static const struct {
	uint8_t set1;
	uint8_t evdev;
	uint8_t usage;
} extended[] = {
    {0x1c, 96, 0x58}, /* keypad enter */
    {0x1d, 97, 0xe4}, /* right ctrl */
    {0x35, 98, 0x54}, /* keypad / */
    {0x37, 99, 0x46}, /* print screen */
    {0x38, 100, 0xe6}, /* right alt */
    {0x47, 102, 0x4a}, /* home */
    {0x48, 103, 0x52}, /* up */
    {0x49, 104, 0x4b}, /* page up */
    {0x4b, 105, 0x50}, /* left */
    {0x4d, 106, 0x4f}, /* right */
    {0x4f, 107, 0x4d}, /* end */
    {0x50, 108, 0x51}, /* down */
    {0x51, 109, 0x4e}, /* page down */
    {0x52, 110, 0x49}, /* insert */
    {0x53, 111, 0x4c}, /* delete */
    {0x5b, 125, 0xe3}, /* left meta */
    {0x5c, 126, 0xe7}, /* right meta */
    {0x5d, 127, 0x65}, /* menu */
};
#define NEXT (sizeof(extended) / sizeof(extended[0]))

uint16_t inputmap_set1(bool ext, uint8_t code)
{
	if (!ext)
		return code < sizeof(set1_plain) ? set1_plain[code] : 0;
	for (unsigned i = 0; i < NEXT; i++)
		if (extended[i].set1 == code)
			return extended[i].usage;
	return 0;
}

uint16_t inputmap_evdev(uint16_t code)
{
	if (code < sizeof(set1_plain))
		return set1_plain[code];
	for (unsigned i = 0; i < NEXT; i++)
		if (extended[i].evdev == code)
			return extended[i].usage;
	return 0;
}

/* The modifier bit a usage holds while down (0: none). */
static uint16_t held_mod(uint16_t usage)
{
	switch (usage) {
	case 0xe0:
	case 0xe4:
		return INPUT_MOD_CTRL;
	case 0xe1:
	case 0xe5:
		return INPUT_MOD_SHIFT;
	case 0xe2:
	case 0xe6:
		return INPUT_MOD_ALT;
	case 0xe3:
	case 0xe7:
		return INPUT_MOD_META;
	default:
		return 0;
	}
}

/* Whether another key holding the same modifier is still down. */
static bool mod_still_held(const struct inputmap_keys *k, uint16_t mod)
{
	for (uint16_t u = 0xe0; u <= 0xe7; u++)
		if (held_mod(u) == mod && (k->down[u / 8] & (1u << (u % 8))))
			return true;
	return false;
}

int inputmap_key(struct inputmap_keys *k, uint16_t usage, bool pressed)
{
	usage &= 0xff;
	uint8_t bit = (uint8_t)(1u << (usage % 8));
	bool was = k->down[usage / 8] & bit;
	uint16_t mod = held_mod(usage);
	if (!pressed) {
		if (!was)
			return -1;
		k->down[usage / 8] &= (uint8_t)~bit;
		if (mod && !mod_still_held(k, mod))
			k->mods &= (uint16_t)~mod;
		return INPUT_KEY_RELEASE;
	}
	if (was)
		return INPUT_KEY_REPEAT;
	k->down[usage / 8] |= bit;
	k->mods |= mod;
	if (usage == 0x39)
		k->mods ^= INPUT_MOD_CAPS;
	else if (usage == 0x53)
		k->mods ^= INPUT_MOD_NUM;
	return INPUT_KEY_PRESS;
}

int inputmap_set1_byte(struct inputmap_set1 *d, uint8_t b, struct inputmap_event *ev)
{
	if (d->skip) { /* the rest of pause: e1 1d 45 e1 9d c5 */
		d->skip--;
		return 0;
	}
	if (b == 0xe0) {
		d->prefix = 0xe0;
		return 0;
	}
	if (b == 0xe1) {
		d->skip = 5;
		d->prefix = 0;
		return 0;
	}
	if (b == 0x00 || b == 0xfa || b == 0xfe || b >= 0xee) { /* acks, errors, overrun */
		d->prefix = 0;
		return 0;
	}
	bool ext = d->prefix == 0xe0, pressed = !(b & 0x80);
	uint8_t code = b & 0x7f;
	d->prefix = 0;
	if (ext && (code == 0x2a || code == 0x36))
		return 0; /* the fake shifts around extended keys */
	uint16_t usage = inputmap_set1(ext, code);
	if (!usage)
		return 0;
	int v = inputmap_key(&d->keys, usage, pressed);
	if (v < 0)
		return 0;
	*ev = (struct inputmap_event){.type = INPUT_EV_KEY,
	                              .code = usage,
	                              .value = v,
	                              .scancode = (ext ? 0xe000u : 0) | code};
	return 1;
}

int inputmap_mouse_byte(struct inputmap_mouse *m, uint8_t b, struct inputmap_event ev[6])
{
	if (m->size != 4)
		m->size = 3;
	if (m->n == 0 && !(b & 0x08))
		return 0; /* not a first byte: out of step */
	m->pkt[m->n++] = b;
	if (m->n < m->size)
		return 0;
	m->n = 0;
	int n = 0;
	uint8_t s = m->pkt[0];
	uint8_t buttons = s & 7;
	for (unsigned i = 0; i < 3; i++) {
		if ((buttons ^ m->buttons) & (1u << i))
			ev[n++] = (struct inputmap_event){.type = INPUT_EV_BUTTON,
			                                  .code = (uint16_t)i,
			                                  .value = (buttons >> i) & 1};
	}
	m->buttons = buttons;
	if (s & 0xc0) /* overflow: the deltas mean nothing */
		return n;
	int32_t dx = m->pkt[1] - ((s & 0x10) ? 256 : 0);
	int32_t dy = m->pkt[2] - ((s & 0x20) ? 256 : 0);
	if (dx)
		ev[n++] =
		    (struct inputmap_event){.type = INPUT_EV_REL, .code = INPUT_REL_X, .value = dx};
	if (dy) /* PS/2 y grows upwards; the class's grows downwards like the screen */
		ev[n++] = (struct inputmap_event){
		    .type = INPUT_EV_REL, .code = INPUT_REL_Y, .value = -dy};
	if (m->size == 4) {
		int32_t dz = m->pkt[3] & 0x0f;
		if (dz & 0x08)
			dz -= 16;
		if (dz) /* PS/2 wheel: positive is towards the user; the class: away */
			ev[n++] = (struct inputmap_event){
			    .type = INPUT_EV_REL, .code = INPUT_REL_WHEEL, .value = -dz};
	}
	return n;
}
