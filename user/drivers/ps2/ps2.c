/*
 * ps2 - the PS/2 keyboard and mouse behind the i8042 controller (the platform
 * device "i8042": ports 0x60 and 0x64, ISA IRQ 1 for the keyboard as interrupt
 * vector 0, IRQ 12 for the mouse as vector 1), serving both through the input
 * class: `bin/ps2 <kbd name> <mouse name>` binds dev:///input/<kbd name> and,
 * when the controller has a second port, dev:///input/<mouse name>.
 *
 * The controller translates the keyboard's set 2 codes to set 1 (we turn
 * translation on, as every PC firmware does), and shared/inputmap.c maps
 * set 1 to the class's HID usages with press / release / repeat and the
 * modifiers. The mouse is put in IntelliMouse mode when it takes it (4-byte
 * packets with the wheel). Every byte from the device is decoded by code that
 * any byte sequence cannot lead astray; a controller that does not answer
 * during setup makes the driver report ERR_IO and end.
 * Grants: log, pool, ns, device (the i8042), ready (charlotte/driver.h).
 */
#include <stdio.h>
#include <string.h>

#include <abi/errors.h>
#include <charlotte/devcall.h>
#include <charlotte/hw.h>
#include <charlotte/inputserve.h>
#include <charlotte/kbus.h>
#include <charlotte/names.h>
#include <charlotte/start.h>
#include <charlotte/syscall.h>
#include <shared/inputmap.h>

#define DATA 0x60
#define CMD 0x64 /* status when read */
#define ST_OUT 0x01 /* a byte waits at DATA */
#define ST_IN 0x02 /* the controller has not taken our last byte yet */
#define ST_AUX 0x20 /* the waiting byte is the mouse's */
#define SPINS 1000000 /* status polls before a controller counts as silent */

#define KEY_KBD_IRQ 1u
#define KEY_MOUSE_IRQ 2u
#define KEY_KBD 16u
#define KEY_MOUSE 32u

static struct input_server kbd, mouse;
static struct inputmap_set1 kdec;
static struct inputmap_mouse mdec;
static bool have_mouse;

static int wait_in_empty(void)
{
	for (int i = 0; i < SPINS; i++)
		if (!(ch_inb(CMD) & ST_IN))
			return 0;
	return ERR_IO;
}

static int cmd(uint8_t c)
{
	int r = wait_in_empty();
	if (!r)
		ch_outb(CMD, c);
	return r;
}

static int data_out(uint8_t b)
{
	int r = wait_in_empty();
	if (!r)
		ch_outb(DATA, b);
	return r;
}

/* The next byte the controller has for us, or ERR_IO. */
static int data_in(void)
{
	for (int i = 0; i < SPINS; i++)
		if (ch_inb(CMD) & ST_OUT)
			return ch_inb(DATA);
	return ERR_IO;
}

/* A command byte to the mouse, answered by an acknowledgement (0xfa). */
static int mouse_cmd(uint8_t b)
{
	int r = cmd(0xd4);
	if (!r)
		r = data_out(b);
	if (!r)
		r = data_in();
	return r < 0 ? r : r == 0xfa ? 0 : ERR_IO;
}

/* IntelliMouse: sample rates 200, 100, 80 and an ID of 3 turn the wheel on. */
static void mouse_setup(void)
{
	static const uint8_t rates[] = {200, 100, 80};
	for (unsigned i = 0; i < 3; i++)
		if (mouse_cmd(0xf3) || mouse_cmd(rates[i]))
			return;
	if (mouse_cmd(0xf2) == 0 && data_in() == 3)
		mdec.size = 4;
}

static int controller_setup(void)
{
	int r = cmd(0xad); /* both ports off while we set up */
	if (!r)
		r = cmd(0xa7);
	for (int i = 0; i < 64 && (ch_inb(CMD) & ST_OUT); i++)
		(void)ch_inb(DATA); /* stale bytes */
	if (!r)
		r = cmd(0x20);
	int cfg = r ? r : data_in();
	if (cfg < 0)
		return cfg;
	have_mouse = cfg & 0x20; /* a second port exists when its clock bit reads back */
	cfg = (cfg | 0x01 | 0x02 | 0x40) & ~0x30; /* interrupts, translation, clocks on */
	r = cmd(0x60);
	if (!r)
		r = data_out((uint8_t)cfg);
	if (!r)
		r = cmd(0xae);
	if (!r && have_mouse) {
		r = cmd(0xa8);
		if (!r && mouse_cmd(0xf6) == 0) { /* defaults */
			mouse_setup();
			have_mouse = mouse_cmd(0xf4) == 0; /* reporting on */
		} else {
			have_mouse = false;
		}
	}
	if (!r)
		r = data_out(0xf4); /* keyboard: scanning on (its 0xfa is dropped by the decoder) */
	return r;
}

/* Every byte the controller holds, to whichever device it came from. */
static void drain(void)
{
	for (int i = 0; i < 256; i++) {
		uint8_t st = ch_inb(CMD);
		if (!(st & ST_OUT))
			break;
		uint8_t b = ch_inb(DATA);
		struct inputmap_event ev[6];
		if (st & ST_AUX) {
			int n = have_mouse ? inputmap_mouse_byte(&mdec, b, ev) : 0;
			for (int k = 0; k < n; k++)
				input_serve_event(&mouse, ev[k].type, ev[k].code, ev[k].value, 0);
		} else if (inputmap_set1_byte(&kdec, b, &ev[0])) {
			kbd.modifiers = kdec.keys.mods;
			input_serve_event(&kbd, ev[0].type, ev[0].code, ev[0].value,
			                  ev[0].scancode);
		}
	}
	input_serve_flush(&kbd);
	if (have_mouse)
		input_serve_flush(&mouse);
}

static long setup(handle_t dev, handle_t ws, const char *kname, const char *mname, handle_t irq[2])
{
	handle_t io;
	long r = 0;
	for (uint32_t i = 0; i < 2 && r >= 0; i++) {
		r = ch_dev_ioport(dev, i, &io);
		if (r >= 0)
			r = ch_ioport_enable(io);
	}
	if (r >= 0)
		r = controller_setup();
	if (r >= 0)
		r = ch_dev_irq(dev, HW_IRQ_INTX, 0, &irq[0]);
	if (r >= 0)
		r = ch_waitset_add(ws, irq[0], KBUS_EV_READABLE, KEY_KBD_IRQ);
	if (r >= 0 && have_mouse && ch_dev_irq(dev, HW_IRQ_INTX, 1, &irq[1]) >= 0)
		have_mouse = ch_waitset_add(ws, irq[1], KBUS_EV_READABLE, KEY_MOUSE_IRQ) >= 0;
	if (r >= 0)
		r = input_serve_init(&kbd, ws, KEY_KBD, INPUT_CAP_KEYS, "PS/2 keyboard", 0, 0);
	if (r >= 0 && have_mouse)
		r = input_serve_init(&mouse, ws, KEY_MOUSE, INPUT_CAP_REL,
		                     mdec.size == 4 ? "PS/2 IntelliMouse" : "PS/2 mouse", 0, 0);
	if (r >= 0 && have_mouse)
		r = input_serve_bind(&mouse, mname);
	if (r >= 0)
		r = input_serve_bind(&kbd, kname);
	ch_dev_ready(r); /* the spawner waits for this */
	drain(); /* anything that came during setup */
	return r;
}

int main(int argc, char **argv)
{
	handle_t dev = ch_handle("device"), ws, irq[2] = {HANDLE_INVALID, HANDLE_INVALID};
	if (argc < 3) {
		printf("usage: ps2 <kbd name> <mouse name>\n");
		return 2;
	}
	long r = ch_waitset_create(ch_handle("pool"), &ws);
	if (r >= 0)
		r = setup(dev, ws, argv[1], argv[2], irq);
	printf("ps2: %s%s%s: %s\n", argv[1], have_mouse ? ", " : "", have_mouse ? argv[2] : "",
	       ch_error_name(r));
	if (r < 0)
		return 1;
	for (;;) {
		struct kbus_event ev[8];
		long n = ch_waitset_wait(ws, ev, 8, CH_FOREVER);
		if (n < 0)
			return 1;
		bool irq_seen[2] = {false, false};
		for (long i = 0; i < n; i++) {
			if (input_serve_handle(&kbd, &ev[i]) ||
			    (have_mouse && input_serve_handle(&mouse, &ev[i])))
				continue;
			if (ev[i].key == KEY_KBD_IRQ || ev[i].key == KEY_MOUSE_IRQ)
				irq_seen[ev[i].key - KEY_KBD_IRQ] = true;
		}
		if (irq_seen[0] || irq_seen[1]) {
			drain();
			for (int k = 0; k < 2; k++)
				if (irq_seen[k])
					ch_irq_ack(irq[k]);
		}
	}
}
