/*
 * test_inputmap.c - host tests for shared/inputmap.c: set 1 bytes (plain,
 * extended, the fake shifts, pause) and evdev codes to HID usages with press,
 * release, repeat and the modifiers; PS/2 mouse packets (3 and 4 bytes, sign
 * bits, overflow, resync); and any byte sequence decoding without reaching
 * outside a table (under ASan/UBSan).
 */
#include <shared/inputmap.h>
#include <abi/dev/input.h>

#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <cmocka.h>

/* Feeds bytes; the events into out (at most max); how many. */
static int feed(struct inputmap_set1 *d, const uint8_t *b, size_t n, struct inputmap_event *out,
                int max)
{
	int k = 0;
	for (size_t i = 0; i < n; i++) {
		struct inputmap_event e;
		if (inputmap_set1_byte(d, b[i], &e) && k < max)
			out[k++] = e;
	}
	return k;
}

static void test_set1_plain_and_modifiers(void **state)
{
	(void)state;
	struct inputmap_set1 d = {0};
	struct inputmap_event ev[8];
	const uint8_t s[] = {0x1e, 0x9e, 0x2a, 0x30, 0x30, 0xb0, 0xaa};
	assert_int_equal(feed(&d, s, sizeof(s), ev, 8), 7);
	assert_int_equal(ev[0].code, 0x04); /* a */
	assert_int_equal(ev[0].value, INPUT_KEY_PRESS);
	assert_int_equal(ev[1].value, INPUT_KEY_RELEASE);
	assert_int_equal(ev[2].code, 0xe1); /* left shift */
	assert_int_equal(ev[3].code, 0x05); /* b */
	assert_int_equal(ev[4].value, INPUT_KEY_REPEAT);
	assert_int_equal(d.keys.mods, 0);
	/* shift held: both shifts, released one at a time */
	const uint8_t t[] = {0x2a, 0x36, 0xaa};
	feed(&d, t, sizeof(t), ev, 8);
	assert_int_equal(d.keys.mods, INPUT_MOD_SHIFT);
	const uint8_t u[] = {0xb6, 0x3a, 0xba};
	feed(&d, u, sizeof(u), ev, 8);
	assert_int_equal(d.keys.mods, INPUT_MOD_CAPS);
	/* a release of a key never pressed says nothing */
	const uint8_t v[] = {0x9f};
	assert_int_equal(feed(&d, v, 1, ev, 8), 0);
}

static void test_set1_extended(void **state)
{
	(void)state;
	struct inputmap_set1 d = {0};
	struct inputmap_event ev[8];
	/* up (e0 48), print screen with its fake shift, right ctrl, pause */
	const uint8_t s[] = {0xe0, 0x48, 0xe0, 0xc8, 0xe0, 0x2a, 0xe0, 0x37, 0xe0,
	                     0x1d, 0xe1, 0x1d, 0x45, 0xe1, 0x9d, 0xc5, 0x1e};
	int n = feed(&d, s, sizeof(s), ev, 8);
	assert_int_equal(n, 5);
	assert_int_equal(ev[0].code, 0x52);
	assert_int_equal(ev[0].scancode, 0xe048);
	assert_int_equal(ev[1].value, INPUT_KEY_RELEASE);
	assert_int_equal(ev[2].code, 0x46);
	assert_int_equal(ev[3].code, 0xe4);
	assert_int_equal(d.keys.mods, INPUT_MOD_CTRL);
	assert_int_equal(ev[4].code, 0x04); /* the byte after pause decodes again */
}

static void test_evdev(void **state)
{
	(void)state;
	assert_int_equal(inputmap_evdev(30), 0x04); /* KEY_A */
	assert_int_equal(inputmap_evdev(28), 0x28); /* KEY_ENTER */
	assert_int_equal(inputmap_evdev(103), 0x52); /* KEY_UP */
	assert_int_equal(inputmap_evdev(125), 0xe3); /* KEY_LEFTMETA */
	assert_int_equal(inputmap_evdev(0), 0);
	assert_int_equal(inputmap_evdev(0xffff), 0);
	for (unsigned c = 1; c <= 88; c++) /* evdev 1..88 are the set 1 codes */
		assert_int_equal(inputmap_evdev((uint16_t)c), inputmap_set1(false, (uint8_t)c));
}

static void test_mouse(void **state)
{
	(void)state;
	struct inputmap_mouse m = {0};
	struct inputmap_event ev[6];
	/* out of step: a byte without bit 3 is dropped */
	assert_int_equal(inputmap_mouse_byte(&m, 0x00, ev), 0);
	/* left down, x +5, y -3 (PS/2 y up: the class's y grows down) */
	assert_int_equal(inputmap_mouse_byte(&m, 0x29, ev), 0);
	assert_int_equal(inputmap_mouse_byte(&m, 5, ev), 0);
	int n = inputmap_mouse_byte(&m, 0xfd, ev);
	assert_int_equal(n, 3);
	assert_int_equal(ev[0].type, INPUT_EV_BUTTON);
	assert_int_equal(ev[0].value, 1);
	assert_int_equal(ev[1].value, 5);
	assert_int_equal(ev[2].code, INPUT_REL_Y);
	assert_int_equal(ev[2].value, 3);
	/* overflow: buttons only */
	inputmap_mouse_byte(&m, 0x48, ev);
	inputmap_mouse_byte(&m, 0x7f, ev);
	n = inputmap_mouse_byte(&m, 0x7f, ev);
	assert_int_equal(n, 1); /* left released */
	/* IntelliMouse wheel */
	m.size = 4;
	inputmap_mouse_byte(&m, 0x08, ev);
	inputmap_mouse_byte(&m, 0, ev);
	inputmap_mouse_byte(&m, 0, ev);
	n = inputmap_mouse_byte(&m, 0x0f, ev); /* -1: towards the user... */
	assert_int_equal(n, 1);
	assert_int_equal(ev[0].code, INPUT_REL_WHEEL);
	assert_int_equal(ev[0].value, 1); /* ...a turn away in the class is positive */
}

static void test_random_bytes(void **state)
{
	(void)state;
	struct inputmap_set1 d = {0};
	struct inputmap_mouse m = {.size = 4};
	struct inputmap_event ev[6];
	srand(7);
	for (int i = 0; i < 200000; i++) {
		uint8_t b = (uint8_t)rand();
		if (inputmap_set1_byte(&d, b, &ev[0])) {
			assert_true(ev[0].code > 0 && ev[0].code <= 0xe7);
			assert_true(ev[0].value >= 0 && ev[0].value <= 2);
		}
		int n = inputmap_mouse_byte(&m, b, ev);
		assert_true(n >= 0 && n <= 6);
	}
	for (uint32_t c = 0; c < 0x10000; c++)
		assert_true(inputmap_evdev((uint16_t)c) <= 0xe7);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(test_set1_plain_and_modifiers),
	    cmocka_unit_test(test_set1_extended),
	    cmocka_unit_test(test_evdev),
	    cmocka_unit_test(test_mouse),
	    cmocka_unit_test(test_random_bytes),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
