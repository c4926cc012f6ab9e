/*
 * devtest - the conformance suites of the device classes beyond block, each
 * run over every driver of its class through the class protocol and
 * libcharlotte's client only. Tests are <class>_<target>_<test>. Every target
 * also has fuzz, just before kill: bin/sysfuzz dev sends the driver hostile
 * messages of its class while we hold a client, which must still be served (fuzz.c).
 *
 * Rng targets: virtio (bin/virtio-rng, virtio0) and rdrand (bin/rdrand,
 * rdrand0; not applicable on a CPU without RDRAND): read, bad_calls, kill.
 * Display targets: bochs (bin/bochs-display on std VGA, vga0) and bootfb
 * (bin/bootfb on "fb0", GRUB boots only): info, draw, set_mode, pattern, kill.
 * Clock target: cmos (bin/cmos-rtc on the "rtc" platform device, rtc0): read
 * (a plausible date, wall time advancing with monotonic time), bad_calls, kill.
 * Serial target: uart (bin/uart16550 on the "com2" platform device, com2): loopback
 * (the UART's own loopback through the class), line (settings read back from the
 * UART, impossible ones refused), flow (RTS/CTS holding the sender while nobody
 * reads), overflow (a full receive buffer drops and counts), rights (read-only
 * and write-only sessions), bad_calls, flood (clients that flood and vanish),
 * host, tool (bin/serial sets the line, refuses misuse, and -c in loopback echoes
 * its stdin), kill. host needs someone at COM2's other end: with the PCI test device
 * devtest prints "SERIALHOST READY com2", reads a line from COM2 and writes
 * "pong: <line>" back (tools/devices-qmp.sh checks it); otherwise not applicable.
 *
 * Input targets: ps2 (bin/ps2 on the "i8042" platform device: kbd0, and
 * mouse0 when the controller has a second port) and virtio (bin/virtio-input
 * on the virtio keyboard, kbd1, and the virtio tablet, tablet0). Each target:
 * info, bad_open (malformed calls and arguments answered, the driver still
 * serving), session_limit, keys, kill (a client of a killed driver gets
 * ERR_PEER_CLOSED). devtest starts each target's drivers itself, just before
 * its tests (QEMU sends keys to the input device activated last, so the
 * virtio keyboard starts only after the PS/2 tests).
 *
 * keys needs someone typing: when the machine has a PCI test device
 * (1b36:0005, added only by tools/devices-qmp.sh) devtest prints
 * "INPUTKEYS READY <target>", reads key events until an Enter release and
 * prints them as "INPUTKEYS <target>: <usage>+|-|=[/<modifiers>] ..." (press,
 * release, repeat; the modifiers after a press) for the host to check
 * against the keys it sent over QMP; otherwise keys is not applicable.
 * Grants: log, initrd, pool, ns, hw.
 */
#include <errno.h>
#include <stdio.h>
#include <string.h>
#include <sys/time.h>
#include <time.h>
#include <unistd.h>

#include <abi/ns.h>
#include <abi/rights.h>
#include <charlotte/clock.h>
#include <charlotte/devcall.h>
#include <charlotte/display.h>
#include <charlotte/driver.h>
#include <charlotte/fd.h>
#include <charlotte/hw.h>
#include <charlotte/input.h>
#include <charlotte/kbus.h>
#include <charlotte/names.h>
#include <charlotte/ns.h>
#include <charlotte/rng.h>
#include <charlotte/serial.h>
#include <charlotte/spawn.h>
#include <charlotte/start.h>
#include <charlotte/syscall.h>
#include <charlotte/testing.h>

#include "fuzz.h"

#define LONG (30ull * 1000 * 1000 * 1000)
#define KEYS_WAIT (120ull * 1000 * 1000 * 1000) /* a safety cap: the host types at once */

struct target {
	const char *name;
	const char *kbd, *ptr; /* dev:///input names */
	uint32_t ptr_caps; /* INPUT_CAP_REL or _ABS */
	struct ch_child child[2];
	int nchild;
	bool started;
	long up; /* 0 when the drivers serve, else why not */
};

static struct target targets[] = {
    {.name = "ps2", .kbd = "kbd0", .ptr = "mouse0", .ptr_caps = INPUT_CAP_REL},
    {.name = "virtio", .kbd = "kbd1", .ptr = "tablet0", .ptr_caps = INPUT_CAP_ABS},
};
static struct target *cur;
static char uri_kbd[64], uri_ptr[64];
static bool host_types;

/* The platform device called name under "hw". */
static long find_platform(const char *name, handle_t *out)
{
	handle_t hw = ch_handle("hw");
	if (hw == HANDLE_INVALID)
		return ERR_NOT_FOUND;
	for (uint32_t i = 0;; i++) {
		struct hw_device_info di;
		long r = ch_dev_enum(hw, i, &di, NULL);
		if (r < 0)
			return r == ERR_OUT_OF_RANGE ? ERR_NOT_FOUND : r;
		if (di.bus == HW_BUS_PLATFORM && !strncmp(di.name, name, sizeof(di.name)))
			return ch_dev_enum(hw, i, &di, out);
	}
}

static long spawn(struct target *t, const char *const *argv, handle_t dev)
{
	long r = ch_driver_spawn(argv, dev, 4u << 20, LONG, &t->child[t->nchild]);
	if (t->child[t->nchild].process != HANDLE_INVALID)
		t->nchild++;
	ch_cap_drop(dev);
	return r;
}

static long start_ps2(struct target *t)
{
	handle_t dev;
	const char *a[] = {"bin/ps2", t->kbd, t->ptr, NULL};
	long r = find_platform("i8042", &dev);
	return r < 0 ? r : spawn(t, a, dev);
}

static long start_virtio(struct target *t)
{
	const struct ch_dev_match m = {0x1af4, 0x1052, CH_DEV_ANY, CH_DEV_ANY, CH_DEV_ANY};
	const char *a0[] = {"bin/virtio-input", t->kbd, NULL};
	const char *a1[] = {"bin/virtio-input", t->ptr, NULL};
	handle_t hw = ch_handle("hw"), dev;
	long r = hw == HANDLE_INVALID ? ERR_NOT_FOUND : ch_dev_find(hw, &m, 0, &dev);
	if (r >= 0)
		r = spawn(t, a0, dev);
	if (r >= 0 && ch_dev_find(hw, &m, 1, &dev) >= 0)
		r = spawn(t, a1, dev);
	return r;
}

static void stop(struct target *t)
{
	for (int i = 0; i < t->nchild; i++) {
		struct proc_status st;
		ch_proc_kill(t->child[i].process);
		ch_proc_wait(t->child[i].process, LONG, &st);
		ch_child_release(&t->child[i]);
	}
	if (t->nchild) { /* their entries would keep their pools taken */
		ch_driver_unbind(t->kbd);
		ch_driver_unbind(t->ptr);
	}
	t->nchild = 0;
}

static bool up(void)
{
	if (cur->up < 0) {
		/* only a machine without the device (or CPU feature) makes it not applicable */
		if (cur->up == ERR_NOT_FOUND || cur->up == ERR_NOT_SUPPORTED)
			ch_test_not_applicable("%s drivers not started: %s", cur->name,
			                       ch_error_name(cur->up));
		else
			ch_test_fail("%s drivers not started: %s", cur->name,
			             ch_error_name(cur->up));
		return false;
	}
	return true;
}

/* Whether dev:///input/<name> is bound (a pointer may be absent). */
static bool bound(const char *uri)
{
	handle_t h;
	if (ch_uri_open(uri, NS_TYPE_DEV_INPUT, 0, NS_RIGHTS_SAME, &h) < 0)
		return false;
	ch_cap_drop(h);
	return true;
}

static void test_info(void)
{
	struct ch_input in;
	struct input_event ev;
	if (!up())
		return;
	EXPECT_OK(ch_input_open(&in, uri_kbd, HANDLE_INVALID, 16));
	CHECK(ch_input_info(&in)->caps & INPUT_CAP_KEYS, "keyboard caps %#x",
	      ch_input_info(&in)->caps);
	CHECK(ch_input_info(&in)->model[0], "no model");
	EXPECT_ERR(ch_input_read(&in, &ev, 1, 0), ERR_TIMED_OUT); /* nobody types */
	ch_input_close(&in);
	if (!bound(uri_ptr))
		return; /* a controller without a second port */
	EXPECT_OK(ch_input_open(&in, uri_ptr, HANDLE_INVALID, 256));
	const struct input_info_reply *i = ch_input_info(&in);
	CHECK(i->caps & cur->ptr_caps, "pointer caps %#x", i->caps);
	CHECK(!(i->caps & INPUT_CAP_ABS) || (i->abs_max_x && i->abs_max_y), "no absolute range");
	ch_input_close(&in);
	/* an input device is not a disk */
	handle_t h;
	CHECK(ch_uri_open(uri_kbd, NS_TYPE_DEV_BLOCK, 0, NS_RIGHTS_SAME, &h) < 0,
	      "opened as block");
}

static void test_bad_open(void)
{
	handle_t dev, hs[2];
	if (!up())
		return;
	EXPECT_OK(ch_uri_open(uri_kbd, NS_TYPE_DEV_INPUT, 0, NS_RIGHTS_SAME, &dev));
	const uint32_t bad[] = {0, 3, 512, 0x80000000u};
	for (unsigned k = 0; k < 4; k++) {
		struct input_open q = {.hdr = {INPUT_MSG_OPEN, sizeof(q)}, .entries = bad[k]};
		struct input_open_reply rep;
		EXPECT_ERR(ch_dev_call(dev, &q, sizeof(q), &rep, sizeof(rep), hs, 2, LONG),
		           ERR_INVALID_ARGS);
	}
	/* a header that lies about its length, a short message, an unknown type */
	struct input_open q = {.hdr = {INPUT_MSG_OPEN, 99}, .entries = 4};
	struct input_open_reply rep;
	EXPECT_ERR(ch_dev_call(dev, &q, sizeof(q), &rep, sizeof(rep), hs, 2, LONG), ERR_MALFORMED);
	EXPECT_ERR(ch_dev_call(dev, &q, 4, &rep, sizeof(rep), hs, 2, LONG), ERR_MALFORMED);
	struct dev_msg_hdr junk = {DEV_MSG_BLOCK, sizeof(junk)};
	EXPECT_ERR(ch_dev_call(dev, &junk, sizeof(junk), &rep, sizeof(rep), hs, 2, LONG),
	           ERR_MALFORMED);
	/* one-way junk is ignored; the driver still serves */
	EXPECT_OK(ch_kbus_send_bytes(dev, "junk", 4, KBUS_NONBLOCK, 0));
	struct ch_input in;
	EXPECT_OK(ch_input_open(&in, NULL, dev, 1));
	/* a client scribbling over the ring's words hurts only itself */
	memset(in.base, 0xff, 128);
	ch_input_close(&in);
	EXPECT_OK(ch_input_open(&in, NULL, dev, 8));
	ch_input_close(&in);
	ch_cap_drop(dev);
}

static void test_session_limit(void)
{
	static struct ch_input in[INPUT_MAX_SESSIONS + 1];
	if (!up())
		return;
	for (unsigned i = 0; i < INPUT_MAX_SESSIONS; i++)
		EXPECT_OK(ch_input_open(&in[i], uri_kbd, HANDLE_INVALID, 4));
	EXPECT_ERR(ch_input_open(&in[INPUT_MAX_SESSIONS], uri_kbd, HANDLE_INVALID, 4),
	           ERR_NO_RESOURCES);
	ch_input_close(&in[0]);
	/* the driver frees a session when its client leaves: the slot comes back */
	long r = ERR_NO_RESOURCES;
	for (int tries = 0; tries < 1000 && r == ERR_NO_RESOURCES; tries++) {
		r = ch_input_open(&in[0], uri_kbd, HANDLE_INVALID, 4);
		if (r == ERR_NO_RESOURCES)
			ch_yield();
	}
	EXPECT_OK(r);
	for (unsigned i = 0; i < INPUT_MAX_SESSIONS; i++)
		ch_input_close(&in[i]);
}

static void test_keys(void)
{
	struct ch_input in;
	struct input_event ev[16];
	char line[512];
	size_t n;
	if (!up())
		return;
	if (!host_types) {
		ch_test_not_applicable("nobody types (tools/devices-qmp.sh does)");
		return;
	}
	EXPECT_OK(ch_input_open(&in, uri_kbd, HANDLE_INVALID, 64));
	n = (size_t)snprintf(line, sizeof(line), "INPUTKEYS %s:", cur->name);
	printf("INPUTKEYS READY %s\n", cur->name);
	for (bool done = false; !done;) {
		long k = ch_input_read(&in, ev, 16, KEYS_WAIT);
		if (k < 0) {
			ch_input_close(&in);
			CHECK(0, "read: %s", ch_error_name(k));
		}
		for (long i = 0; i < k && n + 8 < sizeof(line); i++) {
			if (ev[i].type != INPUT_EV_KEY)
				continue;
			n += (size_t)snprintf(line + n, sizeof(line) - n, " %02x%c", ev[i].code,
			                      "-+="[ev[i].value % 3]);
			if (ev[i].modifiers && ev[i].value != INPUT_KEY_RELEASE)
				n += (size_t)snprintf(line + n, sizeof(line) - n, "/%x",
				                      ev[i].modifiers);
			done |= ev[i].code == 0x28 && ev[i].value == INPUT_KEY_RELEASE;
		}
	}
	printf("%s\n", line);
	ch_input_close(&in);
}

static void test_kill(void)
{
	struct ch_input in;
	struct input_event ev;
	struct proc_status st;
	if (!up())
		return;
	EXPECT_OK(ch_input_open(&in, uri_kbd, HANDLE_INVALID, 8));
	EXPECT_OK(ch_proc_kill(cur->child[0].process));
	EXPECT_OK(ch_proc_wait(cur->child[0].process, LONG, &st));
	EXPECT_ERR(ch_input_read(&in, &ev, 1, LONG), ERR_PEER_CLOSED);
	ch_input_close(&in);
	handle_t h;
	CHECK(ch_uri_open(uri_kbd, NS_TYPE_DEV_INPUT, 0, NS_RIGHTS_SAME, &h) < 0 ||
	          ch_input_open(&in, NULL, h, 4) == ERR_PEER_CLOSED,
	      "a dead driver's entry still opens a session");
}

/* Hostile messages to the keyboard's entry (fuzz.h); a new client is then served. */
static void test_fuzz(void)
{
	struct ch_input in;
	if (!up() || !devtest_fuzz(uri_kbd, cur->child[0].process, 0x1a7))
		return;
	EXPECT_OK(ch_input_open(&in, uri_kbd, HANDLE_INVALID, 16));
	ch_input_close(&in);
}

static void run_input(struct target *t, long (*start)(struct target *))
{
	cur = t;
	if (!ch_test_planning() && !t->started) {
		t->started = true;
		t->up = start(t);
		if (t->up < 0)
			printf("devtest: %s: %s\n", t->name, ch_error_name(t->up));
	}
	snprintf(uri_kbd, sizeof(uri_kbd), "dev:///input/%s", t->kbd);
	snprintf(uri_ptr, sizeof(uri_ptr), "dev:///input/%s", t->ptr);
	char prefix[32];
	snprintf(prefix, sizeof(prefix), "input_%s_", t->name);
	ch_test_run(prefix, "info", test_info);
	ch_test_run(prefix, "bad_open", test_bad_open);
	ch_test_run(prefix, "session_limit", test_session_limit);
	ch_test_run(prefix, "keys", test_keys);
	ch_test_run(prefix, "fuzz", test_fuzz);
	ch_test_run(prefix, "kill", test_kill);
}

/* --- display --- */

struct dtarget {
	const char *name, *dev; /* tests' infix; dev:///display name */
	bool settable; /* the driver sets modes */
	struct ch_child child;
	bool started;
	long up;
};

static struct dtarget dtargets[] = {
    {.name = "bochs", .dev = "vga0", .settable = true},
    {.name = "bootfb", .dev = "fb0"},
};
static struct dtarget *dcur;
static char uri_disp[64];

static void dstop(struct dtarget *t, unsigned n)
{
	for (unsigned i = 0; i < n; i++)
		if (t[i].started && t[i].child.process != HANDLE_INVALID) {
			struct proc_status st;
			ch_proc_kill(t[i].child.process);
			ch_proc_wait(t[i].child.process, LONG, &st);
			ch_child_release(&t[i].child);
			ch_driver_unbind(t[i].dev); /* its entry would keep its pool taken */
		}
}

static bool dup_(void)
{
	if (dcur->up < 0) {
		/* only a machine without the device (or CPU feature) makes it not applicable */
		if (dcur->up == ERR_NOT_FOUND || dcur->up == ERR_NOT_SUPPORTED)
			ch_test_not_applicable("%s driver not started: %s", dcur->name,
			                       ch_error_name(dcur->up));
		else
			ch_test_fail("%s driver not started: %s", dcur->name,
			             ch_error_name(dcur->up));
		return false;
	}
	return true;
}

/* Makes t the current target, starting its driver on first use (not while planning). */
static void dstart(struct dtarget *t, long (*start)(struct dtarget *), const char *cls)
{
	dcur = t;
	if (!ch_test_planning() && !t->started) {
		t->started = true;
		t->up = start(t);
		if (t->up < 0)
			printf("devtest: %s %s: %s\n", cls, t->name, ch_error_name(t->up));
	}
}

static long dspawn(struct dtarget *t, const char *path, handle_t dev)
{
	const char *a[] = {path, t->dev, NULL};
	long r = ch_driver_spawn(a, dev, 2u << 20, LONG, &t->child);
	ch_cap_drop(dev);
	return r;
}

/* std VGA / bochs-display: PCI 1234:1111. */
static long start_bochs(struct dtarget *t)
{
	const struct ch_dev_match m = {0x1234, 0x1111, CH_DEV_ANY, CH_DEV_ANY, CH_DEV_ANY};
	handle_t hw = ch_handle("hw"), dev;
	long r = hw == HANDLE_INVALID ? ERR_NOT_FOUND : ch_dev_find(hw, &m, 0, &dev);
	return r < 0 ? r : dspawn(t, "bin/bochs-display", dev);
}

static long start_bootfb(struct dtarget *t)
{
	handle_t dev;
	long r = find_platform("fb0", &dev);
	return r < 0 ? r : dspawn(t, "bin/bootfb", dev);
}

static void test_display_info(void)
{
	struct ch_display d;
	if (!dup_())
		return;
	EXPECT_OK(ch_display_open(&d, uri_disp, HANDLE_INVALID));
	const struct display_info_reply *i = &d.info;
	CHECK(i->nmodes >= 1, "no modes");
	bool listed = false;
	for (uint32_t k = 0; k < i->nmodes; k++)
		listed |= i->modes[k].width == i->current.width &&
		          i->modes[k].height == i->current.height;
	CHECK(listed, "current mode %ux%u not in the list", i->current.width, i->current.height);
	ch_display_close(&d);
}

static void test_display_draw(void)
{
	struct ch_display d;
	if (!dup_())
		return;
	EXPECT_OK(ch_display_open(&d, uri_disp, HANDLE_INVALID));
	EXPECT_OK(ch_display_map(&d));
	const struct display_mode *m = &d.info.current;
	uint32_t stride = m->pitch / 4;
	/* each pixel read back at once: on GRUB boots the kernel's console draws on
	 * fb0 too (FIXME: it should stop once a driver takes the framebuffer) */
	for (uint32_t y = m->height - 16; y < m->height; y++)
		for (uint32_t x = 0; x < m->width; x++) {
			d.pixels[y * stride + x] = x * 7 + y;
			CHECK(d.pixels[y * stride + x] == x * 7 + y, "pixel %u,%u", x, y);
		}
	EXPECT_OK(ch_display_flush(&d, 0, m->height - 16, m->width, 16));
	EXPECT_OK(ch_display_flush(&d, 0, 0, m->width, m->height));
	EXPECT_ERR(ch_display_flush(&d, 1, 0, m->width, 1), ERR_OUT_OF_RANGE);
	EXPECT_ERR(ch_display_flush(&d, 0, m->height, 1, 1), ERR_OUT_OF_RANGE);
	EXPECT_ERR(ch_display_flush(&d, 0xffffffffu, 0, 2, 1), ERR_OUT_OF_RANGE);
	EXPECT_ERR(ch_display_flush(&d, 2, 2, 0xfffffffeu, 1), ERR_OUT_OF_RANGE);
	/* junk: a lying header, a short message, another class's message */
	struct display_flush f = {{DISPLAY_MSG_FLUSH, 99}, 0, 0, 1, 1};
	struct dev_status_reply rep;
	EXPECT_ERR(ch_dev_call(d.dev, &f, sizeof(f), &rep, sizeof(rep), NULL, 0, LONG),
	           ERR_MALFORMED);
	EXPECT_ERR(ch_dev_call(d.dev, &f, 6, &rep, sizeof(rep), NULL, 0, LONG), ERR_MALFORMED);
	struct dev_msg_hdr junk = {INPUT_MSG_OPEN, sizeof(junk)};
	EXPECT_ERR(ch_dev_call(d.dev, &junk, sizeof(junk), &rep, sizeof(rep), NULL, 0, LONG),
	           ERR_MALFORMED);
	/* the framebuffer capability maps, and cannot revoke or derive beyond it */
	struct cap_info ci;
	EXPECT_OK(ch_cap_inspect(d.fb, &ci));
	CHECK((ci.rights & RIGHT_MAP) && !(ci.rights & RIGHT_REVOKE), "framebuffer rights %#llx",
	      (unsigned long long)ci.rights);
	ch_display_close(&d);
}

static void test_display_set_mode(void)
{
	struct ch_display d;
	if (!dup_())
		return;
	EXPECT_OK(ch_display_open(&d, uri_disp, HANDLE_INVALID));
	if (!dcur->settable) {
		EXPECT_ERR(ch_display_set_mode(&d, d.info.current.width, d.info.current.height),
		           ERR_NOT_SUPPORTED);
		ch_display_close(&d);
		return;
	}
	EXPECT_ERR(ch_display_set_mode(&d, 123, 45), ERR_INVALID_ARGS);
	for (uint32_t k = 0; k < 2 && k < d.info.nmodes; k++) {
		struct display_mode want = d.info.modes[k];
		EXPECT_OK(ch_display_set_mode(&d, want.width, want.height));
		EXPECT_OK(ch_display_info(&d));
		CHECK(d.info.current.width == want.width && d.info.current.height == want.height,
		      "mode %ux%u after setting %ux%u", d.info.current.width, d.info.current.height,
		      want.width, want.height);
		EXPECT_OK(ch_display_map(&d));
		d.pixels[(want.height - 1) * (d.info.current.pitch / 4) + want.width - 1] =
		    0x123456;
	}
	ch_display_close(&d);
}

/* The pattern tools/devices-qmp.sh checks in a screendump: a gradient band,
 * quadrant colours. */
static uint32_t pattern(uint32_t x, uint32_t y, uint32_t w, uint32_t h)
{
	if (y >= h / 2 - 8 && y < h / 2 + 8)
		return (x & 0xff) << 16 | 0x40 << 8 | 0x80;
	return y < h / 2 ? (x < w / 2 ? 0xff0000 : 0x00ff00) : (x < w / 2 ? 0x0000ff : 0xffffff);
}

static void test_display_pattern(void)
{
	struct ch_display d;
	if (!dup_())
		return;
	EXPECT_OK(ch_display_open(&d, uri_disp, HANDLE_INVALID));
	if (dcur->settable)
		EXPECT_OK(ch_display_set_mode(&d, 640, 480));
	EXPECT_OK(ch_display_map(&d));
	const struct display_mode *m = &d.info.current;
	for (uint32_t y = 0; y < m->height; y++)
		for (uint32_t x = 0; x < m->width; x++)
			d.pixels[y * (m->pitch / 4) + x] = pattern(x, y, m->width, m->height);
	EXPECT_OK(ch_display_flush(&d, 0, 0, m->width, m->height));
	/* the screen keeps it: nothing later in devtest draws */
	printf("DISPLAYSHOT READY %s %ux%u\n", dcur->name, m->width, m->height);
	ch_display_close(&d);
}

static void test_display_kill(void)
{
	struct ch_display d;
	struct proc_status st;
	if (!dup_())
		return;
	EXPECT_OK(ch_display_open(&d, uri_disp, HANDLE_INVALID));
	EXPECT_OK(ch_proc_kill(dcur->child.process));
	EXPECT_OK(ch_proc_wait(dcur->child.process, LONG, &st));
	EXPECT_ERR(ch_display_info(&d), ERR_PEER_CLOSED);
	ch_display_close(&d);
}

/* Hostile messages (fuzz.h) while we hold a client, which must still be answered. */
static void test_display_fuzz(void)
{
	struct ch_display d;
	if (!dup_())
		return;
	EXPECT_OK(ch_display_open(&d, uri_disp, HANDLE_INVALID));
	if (devtest_fuzz(uri_disp, dcur->child.process, 0xd15))
		EXPECT_OK(ch_display_info(&d));
	ch_display_close(&d);
}

static void run_display(struct dtarget *t, long (*start)(struct dtarget *))
{
	dstart(t, start, "display");
	snprintf(uri_disp, sizeof(uri_disp), "dev:///display/%s", t->dev);
	char prefix[32];
	snprintf(prefix, sizeof(prefix), "display_%s_", t->name);
	ch_test_run(prefix, "info", test_display_info);
	ch_test_run(prefix, "draw", test_display_draw);
	ch_test_run(prefix, "set_mode", test_display_set_mode);
	ch_test_run(prefix, "pattern", test_display_pattern);
	ch_test_run(prefix, "fuzz", test_display_fuzz);
	ch_test_run(prefix, "kill", test_display_kill);
}

/* --- rng --- */

static struct dtarget rtargets[] = {
    {.name = "virtio", .dev = "virtio0"},
    {.name = "rdrand", .dev = "rdrand0"},
};
static char uri_rng[64];

/* virtio-rng: modern 1af4:1044 or transitional 1af4:1005. */
static long start_virtio_rng(struct dtarget *t)
{
	struct ch_dev_match m = {0x1af4, 0x1044, CH_DEV_ANY, CH_DEV_ANY, CH_DEV_ANY};
	handle_t hw = ch_handle("hw"), dev;
	long r = hw == HANDLE_INVALID ? ERR_NOT_FOUND : ch_dev_find(hw, &m, 0, &dev);
	if (r == ERR_NOT_FOUND) {
		m.device = 0x1005;
		r = ch_dev_find(hw, &m, 0, &dev);
	}
	return r < 0 ? r : dspawn(t, "bin/virtio-rng", dev);
}

static long start_rdrand(struct dtarget *t)
{
	const char *a[] = {"bin/rdrand", t->dev, NULL};
	return ch_driver_spawn(a, HANDLE_INVALID, 1u << 20, LONG, &t->child);
}

static void test_rng_read(void)
{
	static uint8_t a[10000], b[4096];
	handle_t dev;
	if (!dup_())
		return;
	EXPECT_OK(ch_rng_open(uri_rng, &dev));
	EXPECT_OK(ch_rng_read(dev, a, sizeof(a))); /* three calls */
	EXPECT_OK(ch_rng_read(dev, b, sizeof(b)));
	unsigned ones = 0;
	for (unsigned i = 0; i < sizeof(a); i++)
		ones += (unsigned)__builtin_popcount(a[i]);
	/* 80,000 fair bits: 40,000 with sigma 141; 2,000 off (14 sigma) is no randomness */
	CHECK(ones > 38000 && ones < 42000, "%u one bits of 80000", ones);
	CHECK(memcmp(a, b, sizeof(b)) != 0, "two reads gave the same bytes");
	EXPECT_OK(ch_rng_read(dev, b, 1));
	ch_cap_drop(dev);
}

static void test_rng_bad_calls(void)
{
	handle_t dev;
	struct {
		struct rng_read_reply h;
		uint8_t bytes[64];
	} rep;
	if (!dup_())
		return;
	EXPECT_OK(ch_rng_open(uri_rng, &dev));
	const uint32_t bad[] = {0, RNG_READ_MAX + 1, 0xffffffffu};
	for (unsigned k = 0; k < 3; k++) {
		struct rng_read q = {{RNG_MSG_READ, sizeof(q)}, bad[k], 0};
		struct kbus_msg m = {.data = &q, .len = sizeof(q)};
		struct kbus_buf kb = {.data = &rep, .capacity = sizeof(rep)};
		EXPECT_OK(ch_kbus_call(dev, &m, &kb, LONG));
		CHECK(kb.len == sizeof(rep.h) && rep.h.status == ERR_INVALID_ARGS,
		      "len %u: status %d", bad[k], rep.h.status);
	}
	struct rng_read q = {{RNG_MSG_READ, 77}, 4, 0};
	struct kbus_msg m = {.data = &q, .len = sizeof(q)};
	struct kbus_buf kb = {.data = &rep, .capacity = sizeof(rep)};
	EXPECT_OK(ch_kbus_call(dev, &m, &kb, LONG));
	CHECK(rep.h.status == ERR_MALFORMED, "a lying header: status %d", rep.h.status);
	m.len = 3;
	EXPECT_OK(ch_kbus_call(dev, &m, &kb, LONG));
	CHECK(rep.h.status == ERR_MALFORMED, "a short message: status %d", rep.h.status);
	/* a reply bigger than the caller's buffer is the kernel's to refuse */
	q = (struct rng_read){{RNG_MSG_READ, sizeof(q)}, 4096, 0};
	m.len = sizeof(q);
	CHECK(ch_kbus_call(dev, &m, &kb, LONG) < 0, "a 4 KiB reply fitted in 80 bytes");
	uint8_t one;
	EXPECT_OK(ch_rng_read(dev, &one, 1)); /* still serving */
	ch_cap_drop(dev);
}

static void test_rng_kill(void)
{
	handle_t dev;
	struct proc_status st;
	uint8_t b[16];
	if (!dup_())
		return;
	EXPECT_OK(ch_rng_open(uri_rng, &dev));
	EXPECT_OK(ch_proc_kill(dcur->child.process));
	EXPECT_OK(ch_proc_wait(dcur->child.process, LONG, &st));
	EXPECT_ERR(ch_rng_read(dev, b, sizeof(b)), ERR_PEER_CLOSED);
	ch_cap_drop(dev);
}

static void test_rng_fuzz(void)
{
	handle_t dev;
	uint8_t one;
	if (!dup_())
		return;
	EXPECT_OK(ch_rng_open(uri_rng, &dev));
	if (devtest_fuzz(uri_rng, dcur->child.process, 0x126))
		EXPECT_OK(ch_rng_read(dev, &one, 1));
	ch_cap_drop(dev);
}

static void run_rng(struct dtarget *t, long (*start)(struct dtarget *))
{
	dstart(t, start, "rng");
	snprintf(uri_rng, sizeof(uri_rng), "dev:///rng/%s", t->dev);
	char prefix[32];
	snprintf(prefix, sizeof(prefix), "rng_%s_", t->name);
	ch_test_run(prefix, "read", test_rng_read);
	ch_test_run(prefix, "bad_calls", test_rng_bad_calls);
	ch_test_run(prefix, "fuzz", test_rng_fuzz);
	ch_test_run(prefix, "kill", test_rng_kill);
}

/* --- clock --- */

static struct dtarget ctargets[] = {
    {.name = "cmos", .dev = "rtc0"},
};
static char uri_clock[64];

static long start_cmos(struct dtarget *t)
{
	handle_t dev;
	long r = find_platform("rtc", &dev);
	return r < 0 ? r : dspawn(t, "bin/cmos-rtc", dev);
}

static void test_clock_read(void)
{
	handle_t dev;
	struct clock_time_reply a, b;
	uint64_t now;
	if (!dup_())
		return;
	EXPECT_OK(ch_clock_open(uri_clock, &dev));
	EXPECT_OK(ch_clock_get(dev, &a));
	/* QEMU's clock starts at the host's UTC time: some time after 2025 */
	CHECK(a.unix_ns > 1735689600ull * 1000000000ull &&
	          a.unix_ns < 4102444800ull * 1000000000ull,
	      "unix time %llu s", (unsigned long long)(a.unix_ns / 1000000000ull));
	CHECK(a.resolution_ns == 1000000000ull, "resolution %llu ns",
	      (unsigned long long)a.resolution_ns);
	/* 50 ms of guest time later, the wall clock moved with the monotonic one */
	EXPECT_OK(ch_sleep_ns(50000000ull));
	EXPECT_OK(ch_clock_get(dev, &b));
	CHECK(b.monotonic_ns - a.monotonic_ns >= 50000000ull, "monotonic moved %llu ns",
	      (unsigned long long)(b.monotonic_ns - a.monotonic_ns));
	CHECK(b.unix_ns - a.unix_ns == b.monotonic_ns - a.monotonic_ns,
	      "wall moved %llu ns, monotonic %llu ns", (unsigned long long)(b.unix_ns - a.unix_ns),
	      (unsigned long long)(b.monotonic_ns - a.monotonic_ns));
	EXPECT_OK(ch_clock_now(dev, &now));
	CHECK(now >= b.unix_ns, "now %llu before the last reading %llu", (unsigned long long)now,
	      (unsigned long long)b.unix_ns);
	ch_cap_drop(dev);
}

/*
 * libc's wall clock: devtest's first CLOCK_REALTIME read (nothing before reads one)
 * finds the driver in dev:///clock, so time(), clock_gettime(CLOCK_REALTIME) and
 * gettimeofday() are Unix time, after 2024-01-01, and agree with the driver (QEMU's
 * RTC starts at the host's UTC time) to within 2 s.
 */
static void test_clock_libc(void)
{
	handle_t dev;
	uint64_t now;
	if (!dup_())
		return;
	time_t t = time(NULL);
	struct timespec ts;
	struct timeval tv;
	CHECK(ch_wall_clock_known(), "libc found no wall clock (time %lld)", (long long)t);
	CHECK(t >= 1704067200, "time() %lld: before 2024-01-01", (long long)t);
	EXPECT_OK(ch_clock_open(uri_clock, &dev));
	EXPECT_OK(ch_clock_now(dev, &now));
	ch_cap_drop(dev);
	long long diff = (long long)(now / 1000000000ull) - (long long)t;
	CHECK(diff >= -2 && diff <= 2, "time() %lld, the driver %llu", (long long)t,
	      (unsigned long long)(now / 1000000000ull));
	CHECK(clock_gettime(CLOCK_REALTIME, &ts) == 0 && ts.tv_sec >= t && ts.tv_sec <= t + 2,
	      "clock_gettime %lld, time %lld", (long long)ts.tv_sec, (long long)t);
	CHECK(gettimeofday(&tv, NULL) == 0 && tv.tv_sec >= ts.tv_sec && tv.tv_sec <= ts.tv_sec + 2,
	      "gettimeofday %lld, clock_gettime %lld", (long long)tv.tv_sec, (long long)ts.tv_sec);
	CHECK(clock_gettime(CLOCK_MONOTONIC, &ts) == 0 && ts.tv_sec < t - 1000000,
	      "CLOCK_MONOTONIC %lld is not time since boot", (long long)ts.tv_sec);
}

static void test_clock_bad_calls(void)
{
	handle_t dev;
	struct clock_time_reply rep;
	if (!dup_())
		return;
	EXPECT_OK(ch_clock_open(uri_clock, &dev));
	struct clock_set set = {{CLOCK_MSG_SET, sizeof(set)}, 0};
	struct kbus_msg m = {.data = &set, .len = sizeof(set)};
	struct kbus_buf kb = {.data = &rep, .capacity = sizeof(rep)};
	EXPECT_OK(ch_kbus_call(dev, &m, &kb, LONG));
	CHECK(kb.len == sizeof(struct dev_status_reply) && rep.status == ERR_ACCESS_DENIED,
	      "set on the reading entry: %u bytes, status %d", kb.len, rep.status);
	struct dev_msg_hdr h = {CLOCK_MSG_GET, 99}; /* a lying header */
	m = (struct kbus_msg){.data = &h, .len = sizeof(h)};
	EXPECT_OK(ch_kbus_call(dev, &m, &kb, LONG));
	CHECK(rep.status == ERR_MALFORMED, "lying header: status %d", rep.status);
	m.len = 3;
	EXPECT_OK(ch_kbus_call(dev, &m, &kb, LONG));
	CHECK(rep.status == ERR_MALFORMED, "short: status %d", rep.status);
	h = (struct dev_msg_hdr){DEV_MSG_CLOCK + 7, sizeof(h)};
	m.len = sizeof(h);
	EXPECT_OK(ch_kbus_call(dev, &m, &kb, LONG));
	CHECK(rep.status == ERR_NOT_SUPPORTED, "unknown type: status %d", rep.status);
	static uint8_t big[20000];
	m = (struct kbus_msg){.data = big, .len = sizeof(big)};
	EXPECT_OK(ch_kbus_call(dev, &m, &kb, LONG));
	CHECK(rep.status == ERR_MALFORMED, "20 KB call: status %d", rep.status);
	EXPECT_OK(ch_clock_get(dev, &rep)); /* still serving */
	ch_cap_drop(dev);
}

/* The clock's time in whole seconds through dev (a GET), or 0 on an error. */
static uint64_t clock_secs(handle_t dev)
{
	uint64_t ns;
	return ch_clock_now(dev, &ns) < 0 ? 0 : ns / 1000000000ull;
}

static bool near(uint64_t got, uint64_t want)
{
	return got >= want && got <= want + 2;
}

/*
 * Setting the clock (docs/devices.md "Clock"): only through the admin entry; the
 * driver writes the chip and answers from the new time; a driver started afresh
 * reads the new time from the chip; times the clock cannot hold are refused and
 * change nothing; libc's clock_settime sets it and time() follows. The wall clock
 * is put back (the time before plus the time the test took) at the end, through
 * the test's driver and through libc's (Exec's driver may be the one it found).
 */
static void test_clock_set(void)
{
	handle_t dev, adm = HANDLE_INVALID;
	char uri_admin[80];
	if (!dup_())
		return;
	snprintf(uri_admin, sizeof(uri_admin), "%s-admin", uri_clock);
	EXPECT_OK(ch_clock_open(uri_clock, &dev));
	EXPECT_OK(ch_clock_open(uri_admin, &adm));
	uint64_t before_ns, mono0 = (uint64_t)ch_clock_ns();
	EXPECT_OK(ch_clock_now(adm, &before_ns));
	/* the reading entry cannot set, and its refusal changes nothing */
	EXPECT_ERR(ch_clock_set(dev, 1900000000ull * 1000000000ull), ERR_ACCESS_DENIED);
	CHECK(near(clock_secs(dev), before_ns / 1000000000ull), "refused set moved the clock");
	/* 2031-05-17 13:45:30 UTC (an afternoon: PM on a 12-hour chip) */
	const uint64_t when = 1952783130ull;
	EXPECT_OK(ch_clock_set(adm, when * 1000000000ull + 250000000ull));
	uint64_t got = clock_secs(dev);
	CHECK(near(got, when), "after set: %llu, want %llu", (unsigned long long)got,
	      (unsigned long long)when);
	got = clock_secs(adm);
	CHECK(near(got, when), "admin after set: %llu", (unsigned long long)got);
	/* hostile times: after 2099, 2200, before 1970 (negative), the largest */
	static const uint64_t bad[] = {4102444800ull * 1000000000ull, 7258118400ull * 1000000000ull,
	                               (uint64_t)-1000000000ll, UINT64_MAX};
	for (unsigned i = 0; i < sizeof(bad) / sizeof(bad[0]); i++)
		EXPECT_ERR(ch_clock_set(adm, bad[i]), ERR_OUT_OF_RANGE);
	got = clock_secs(dev);
	CHECK(near(got, when), "after refused sets: %llu", (unsigned long long)got);
	/* a set with a lying length is malformed, not a set */
	struct clock_set set = {{CLOCK_MSG_SET, sizeof(set) + 8}, 0};
	struct dev_status_reply rep = {0};
	struct kbus_msg m = {.data = &set, .len = sizeof(set)};
	struct kbus_buf kb = {.data = &rep, .capacity = sizeof(rep)};
	EXPECT_OK(ch_kbus_call(adm, &m, &kb, LONG));
	CHECK(rep.status == ERR_MALFORMED, "lying set: status %d", rep.status);
	/* the chip holds it: a fresh driver reads it back */
	struct proc_status st;
	ch_cap_drop(dev);
	ch_cap_drop(adm);
	EXPECT_OK(ch_proc_kill(dcur->child.process));
	EXPECT_OK(ch_proc_wait(dcur->child.process, LONG, &st));
	ch_child_release(&dcur->child);
	dcur->up = start_cmos(dcur);
	EXPECT_OK(dcur->up);
	EXPECT_OK(ch_clock_open(uri_clock, &dev));
	EXPECT_OK(ch_clock_open(uri_admin, &adm));
	got = clock_secs(dev);
	CHECK(near(got, when), "a fresh driver reads %llu, want %llu", (unsigned long long)got,
	      (unsigned long long)when);
	/* libc: settimeofday through the first admin entry of dev:///clock */
	struct timeval tv = {(time_t)when + 3600, 0};
	CHECK(settimeofday(&tv, NULL) == 0, "settimeofday: errno %d", errno);
	time_t t = time(NULL);
	CHECK(t >= (time_t)when + 3600 && t <= (time_t)when + 3602, "time() %lld after set",
	      (long long)t);
	struct timespec bad_ts = {7258118400ll, 0}; /* 2200 */
	errno = 0;
	CHECK(clock_settime(CLOCK_REALTIME, &bad_ts) == -1 && errno == EINVAL,
	      "clock_settime(2200): errno %d", errno);
	/* put the wall clock back: the time before plus the time the test took */
	uint64_t back = before_ns + ((uint64_t)ch_clock_ns() - mono0);
	struct timespec ts = {(time_t)(back / 1000000000ull), (long)(back % 1000000000ull)};
	CHECK(clock_settime(CLOCK_REALTIME, &ts) == 0, "restore by libc: errno %d", errno);
	back = before_ns + ((uint64_t)ch_clock_ns() - mono0);
	EXPECT_OK(ch_clock_set(adm, back));
	got = clock_secs(dev);
	CHECK(near(got, back / 1000000000ull), "restored: %llu, want %llu", (unsigned long long)got,
	      (unsigned long long)(back / 1000000000ull));
	ch_cap_drop(dev);
	ch_cap_drop(adm);
}

static void test_clock_kill(void)
{
	handle_t dev;
	struct proc_status st;
	struct clock_time_reply rep;
	if (!dup_())
		return;
	EXPECT_OK(ch_clock_open(uri_clock, &dev));
	EXPECT_OK(ch_proc_kill(dcur->child.process));
	EXPECT_OK(ch_proc_wait(dcur->child.process, LONG, &st));
	EXPECT_ERR(ch_clock_get(dev, &rep), ERR_PEER_CLOSED);
	ch_cap_drop(dev);
}

/* The reading entry only: the admin entry would set the clock the later tests read. */
static void test_clock_fuzz(void)
{
	handle_t dev;
	struct clock_time_reply t;
	if (!dup_())
		return;
	EXPECT_OK(ch_clock_open(uri_clock, &dev));
	if (devtest_fuzz(uri_clock, dcur->child.process, 0xc10c))
		EXPECT_OK(ch_clock_get(dev, &t));
	ch_cap_drop(dev);
}

static void run_clock(struct dtarget *t, long (*start)(struct dtarget *))
{
	dstart(t, start, "clock");
	snprintf(uri_clock, sizeof(uri_clock), "dev:///clock/%s", t->dev);
	char prefix[32];
	snprintf(prefix, sizeof(prefix), "clock_%s_", t->name);
	ch_test_run(prefix, "read", test_clock_read);
	ch_test_run(prefix, "libc", test_clock_libc);
	ch_test_run(prefix, "bad_calls", test_clock_bad_calls);
	ch_test_run(prefix, "set", test_clock_set);
	ch_test_run(prefix, "fuzz", test_clock_fuzz);
	ch_test_run(prefix, "kill", test_clock_kill);
}

/* --- serial --- */

#define SWAIT (10ull * 1000 * 1000 * 1000) /* a safety cap: loopback bytes come at once */
static struct dtarget stargets[] = {
    {.name = "uart", .dev = "com2"},
};
static char uri_serial[64];
static struct ch_serial S[SERIAL_MAX_SESSIONS + 2];
static const struct serial_config LOOP8N1 = {
    115200, 8, 1, SERIAL_PARITY_NONE, SERIAL_FLOW_NONE, SERIAL_LINE_LOOPBACK, 0};

static long start_uart(struct dtarget *t)
{
	handle_t dev;
	long r = find_platform("com2", &dev);
	return r < 0 ? r : dspawn(t, "bin/uart16550", dev);
}

/* The sessions a test left open (a failed CHECK returns at once). */
static void sclose_all(void)
{
	for (unsigned i = 0; i < sizeof(S) / sizeof(S[0]); i++)
		if (S[i].ep != HANDLE_INVALID)
			ch_serial_close(&S[i]);
	memset(S, 0, sizeof(S));
}

static uint8_t spat(size_t i)
{
	return (uint8_t)(i * 7 + 3 + (i >> 8));
}

/* Exactly n bytes (each read waits up to SWAIT for its first); the count read. */
static long read_all(struct ch_serial *s, uint8_t *buf, size_t n)
{
	size_t got = 0;
	while (got < n) {
		long r = ch_serial_read(s, buf + got, n - got, SWAIT);
		if (r <= 0)
			return r < 0 ? r : (long)got;
		got += (size_t)r;
	}
	return (long)got;
}

/* Throws away whatever is queued once the driver has sent all it holds. */
static long drain(struct ch_serial *s)
{
	static uint8_t junk[SERIAL_IO_MAX];
	struct serial_status st;
	long r;
	for (int i = 0; i < 10000; i++) { /* ~10 s at 1 ms */
		if ((r = ch_serial_status(s, &st)) < 0)
			return r;
		if (!st.tx_queued)
			break;
		ch_sleep_ns(1000000);
	}
	while ((r = ch_serial_read(s, junk, sizeof(junk), 0)) > 0)
		;
	return r;
}

/* Polls the status until done(st) holds (at most ~10 s). */
static long status_until(struct ch_serial *s, struct serial_status *st,
                         bool (*done)(const struct serial_status *))
{
	for (int i = 0; i < 10000; i++) {
		long r = ch_serial_status(s, st);
		if (r < 0 || done(st))
			return r;
		ch_sleep_ns(1000000);
	}
	return ERR_TIMED_OUT;
}

static bool rts_down(const struct serial_status *st)
{
	return !(st->modem & SERIAL_MODEM_RTS);
}

static bool tx_empty(const struct serial_status *st)
{
	return st->tx_queued == 0;
}

static bool same_cfg(const struct serial_config *a, const struct serial_config *b)
{
	return a->baud == b->baud && a->data_bits == b->data_bits && a->stop_bits == b->stop_bits &&
	       a->parity == b->parity && a->flow == b->flow && a->flags == b->flags;
}

static void test_serial_loopback(void)
{
	static uint8_t out[1014], in[1014];
	struct serial_status a, b;
	struct serial_config c = LOOP8N1;
	if (!dup_())
		return;
	EXPECT_OK(ch_serial_open(&S[0], uri_serial, HANDLE_INVALID, SERIAL_MODE_ALL));
	EXPECT_OK(ch_serial_set_line(&S[0], &c));
	CHECK(same_cfg(&c, &LOOP8N1), "set line: %u %u%u%u flow %u flags %x", c.baud, c.data_bits,
	      c.parity, c.stop_bits, c.flow, c.flags);
	EXPECT_OK(drain(&S[0]));
	EXPECT_OK(ch_serial_status(&S[0], &a));
	memcpy(out, "hello, serial\n", 14);
	for (size_t i = 14; i < sizeof(out); i++)
		out[i] = spat(i);
	long n = ch_serial_write(&S[0], out, sizeof(out), SWAIT);
	CHECK(n == (long)sizeof(out), "write: %ld", n);
	n = read_all(&S[0], in, sizeof(in));
	CHECK(n == (long)sizeof(in), "read back %ld of %zu bytes", n, sizeof(in));
	CHECK(!memcmp(in, out, sizeof(in)), "the bytes read back differ");
	EXPECT_OK(ch_serial_status(&S[0], &b));
	CHECK(b.rx_bytes - a.rx_bytes == sizeof(out) && b.tx_bytes - a.tx_bytes == sizeof(out),
	      "counted %llu received, %llu sent", (unsigned long long)(b.rx_bytes - a.rx_bytes),
	      (unsigned long long)(b.tx_bytes - a.tx_bytes));
	CHECK(b.rx_dropped == a.rx_dropped && b.overrun == a.overrun && !b.rx_queued &&
	          !b.tx_queued,
	      "dropped %llu, overrun %llu, queued %u/%u", (unsigned long long)b.rx_dropped,
	      (unsigned long long)b.overrun, b.rx_queued, b.tx_queued);
	CHECK(b.rx_buffer == 4096 && b.tx_buffer == 4096, "buffers %u/%u", b.rx_buffer,
	      b.tx_buffer);
	/* in loopback the modem inputs are our outputs: CTS = RTS, DSR = DTR, DCD = OUT2 */
	uint32_t want = SERIAL_MODEM_DTR | SERIAL_MODEM_RTS | SERIAL_MODEM_CTS | SERIAL_MODEM_DSR |
	                SERIAL_MODEM_DCD;
	CHECK(b.modem == want, "modem lines %#x, want %#x", b.modem, want);
	EXPECT_ERR(ch_serial_read(&S[0], in, 1, 0), 0);
	EXPECT_ERR(ch_serial_read(&S[0], in, 1, 20000000), 0); /* nothing comes: timed out */
}

static void test_serial_line(void)
{
	const struct serial_config good[] = {
	    {9600, 7, 2, SERIAL_PARITY_EVEN, SERIAL_FLOW_NONE, SERIAL_LINE_LOOPBACK, 0},
	    {38400, 8, 1, SERIAL_PARITY_ODD, SERIAL_FLOW_NONE, SERIAL_LINE_LOOPBACK, 0},
	    {300, 5, 1, SERIAL_PARITY_NONE, SERIAL_FLOW_NONE, SERIAL_LINE_LOOPBACK, 0},
	    {2, 6, 2, SERIAL_PARITY_NONE, SERIAL_FLOW_RTSCTS, SERIAL_LINE_LOOPBACK, 0},
	    {115200, 8, 1, SERIAL_PARITY_NONE, SERIAL_FLOW_NONE, SERIAL_LINE_LOOPBACK, 0},
	};
	const struct serial_config bad[] = {
	    {0, 8, 1, 0, 0, 1, 0},      {7, 8, 1, 0, 0, 1, 0},    {115201, 8, 1, 0, 0, 1, 0},
	    {230400, 8, 1, 0, 0, 1, 0}, {1, 8, 1, 0, 0, 1, 0},    {9600, 4, 1, 0, 0, 1, 0},
	    {9600, 9, 1, 0, 0, 1, 0},   {9600, 8, 0, 0, 0, 1, 0}, {9600, 8, 3, 0, 0, 1, 0},
	    {9600, 8, 1, 3, 0, 1, 0},   {9600, 8, 1, 0, 2, 1, 0}, {9600, 8, 1, 0, 0, 3, 0},
	    {9600, 8, 1, 0, 0, 1, 1},
	};
	struct serial_config c;
	uint8_t buf[3];
	if (!dup_())
		return;
	EXPECT_OK(ch_serial_open(&S[0], uri_serial, HANDLE_INVALID, SERIAL_MODE_ALL));
	for (unsigned i = 0; i < sizeof(good) / sizeof(good[0]); i++) {
		c = good[i];
		EXPECT_OK(ch_serial_set_line(&S[0], &c));
		CHECK(same_cfg(&c, &good[i]), "set %u: answered %u baud %u%u%u", good[i].baud,
		      c.baud, c.data_bits, c.parity, c.stop_bits);
		memset(&c, 0, sizeof(c));
		EXPECT_OK(ch_serial_get_line(&S[0], &c));
		CHECK(same_cfg(&c, &good[i]), "get after %u: %u baud %u%u%u flow %u flags %x",
		      good[i].baud, c.baud, c.data_bits, c.parity, c.stop_bits, c.flow, c.flags);
		if (good[i].baud == 9600) { /* bytes still go round at another rate and framing */
			EXPECT_OK(drain(&S[0]));
			CHECK(ch_serial_write(&S[0], "abc", 3, SWAIT) == 3, "write at 9600 7E2");
			CHECK(read_all(&S[0], buf, 3) == 3 && !memcmp(buf, "abc", 3),
			      "read at 9600 7E2");
		}
	}
	for (unsigned i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		c = bad[i];
		EXPECT_ERR(ch_serial_set_line(&S[0], &c), ERR_INVALID_ARGS);
	}
	EXPECT_OK(ch_serial_get_line(&S[0], &c));
	CHECK(same_cfg(&c, &LOOP8N1), "refused settings changed the line: %u baud", c.baud);
}

static void test_serial_flow(void)
{
	static uint8_t out[4096], in[4096];
	struct serial_config c = LOOP8N1;
	struct serial_status a, b, d;
	if (!dup_())
		return;
	EXPECT_OK(ch_serial_open(&S[0], uri_serial, HANDLE_INVALID, SERIAL_MODE_ALL));
	c.flow = SERIAL_FLOW_RTSCTS;
	EXPECT_OK(ch_serial_set_line(&S[0], &c));
	EXPECT_OK(drain(&S[0]));
	EXPECT_OK(ch_serial_status(&S[0], &a));
	CHECK((a.modem & SERIAL_MODEM_RTS) && (a.modem & SERIAL_MODEM_CTS), "modem %#x", a.modem);
	for (size_t i = 0; i < sizeof(out); i++)
		out[i] = spat(i);
	long n = ch_serial_write(&S[0], out, sizeof(out), 0);
	CHECK(n == (long)sizeof(out), "write took %ld", n);
	/* nobody reads: at 3/4 of the receive buffer RTS drops, and (looped back) CTS */
	EXPECT_OK(status_until(&S[0], &b, rts_down));
	CHECK(!(b.modem & SERIAL_MODEM_CTS), "CTS still up: modem %#x", b.modem);
	CHECK(b.rx_queued >= 3072 && b.rx_queued < 3072 + 16 && b.rx_queued + b.tx_queued == 4096,
	      "held with %u received, %u to send", b.rx_queued, b.tx_queued);
	EXPECT_OK(ch_sleep_ns(50000000)); /* held: nothing moves, however long we wait */
	EXPECT_OK(ch_serial_status(&S[0], &d));
	CHECK(d.rx_queued == b.rx_queued && d.tx_queued == b.tx_queued, "moved to %u/%u",
	      d.rx_queued, d.tx_queued);
	n = read_all(&S[0], in, sizeof(in));
	CHECK(n == (long)sizeof(in), "read back %ld of 4096", n);
	CHECK(!memcmp(in, out, sizeof(in)), "the bytes read back differ");
	EXPECT_OK(ch_serial_status(&S[0], &d));
	CHECK(d.rx_dropped == a.rx_dropped && d.overrun == a.overrun, "dropped %llu, overrun %llu",
	      (unsigned long long)(d.rx_dropped - a.rx_dropped),
	      (unsigned long long)(d.overrun - a.overrun));
	CHECK(d.modem & SERIAL_MODEM_RTS, "RTS still down after reading: %#x", d.modem);
	c = LOOP8N1;
	EXPECT_OK(ch_serial_set_line(&S[0], &c));
}

static void test_serial_overflow(void)
{
	static uint8_t out[8192], in[4096];
	struct serial_config c = LOOP8N1;
	struct serial_status a, b;
	if (!dup_())
		return;
	EXPECT_OK(ch_serial_open(&S[0], uri_serial, HANDLE_INVALID, SERIAL_MODE_ALL));
	EXPECT_OK(ch_serial_set_line(&S[0], &c));
	EXPECT_OK(drain(&S[0]));
	EXPECT_OK(ch_serial_status(&S[0], &a));
	for (size_t i = 0; i < sizeof(out); i++)
		out[i] = spat(i);
	long n = ch_serial_write(&S[0], out, sizeof(out), SWAIT); /* waits for room twice over */
	CHECK(n == (long)sizeof(out), "write: %ld", n);
	EXPECT_OK(status_until(&S[0], &b, tx_empty));
	CHECK(b.rx_queued == 4096 && b.rx_dropped - a.rx_dropped == 4096 &&
	          b.rx_bytes - a.rx_bytes == 8192 && b.tx_bytes - a.tx_bytes == 8192,
	      "queued %u, dropped %llu, received %llu, sent %llu", b.rx_queued,
	      (unsigned long long)(b.rx_dropped - a.rx_dropped),
	      (unsigned long long)(b.rx_bytes - a.rx_bytes),
	      (unsigned long long)(b.tx_bytes - a.tx_bytes));
	CHECK(b.overrun == a.overrun, "the UART overran %llu times",
	      (unsigned long long)(b.overrun - a.overrun));
	n = read_all(&S[0], in, sizeof(in));
	CHECK(n == 4096 && !memcmp(in, out, sizeof(in)), "read back %ld: the first 4096 bytes", n);
}

static void test_serial_rights(void)
{
	struct serial_config c = LOOP8N1;
	struct serial_status st;
	uint8_t b;
	if (!dup_())
		return;
	EXPECT_OK(ch_serial_open(&S[0], uri_serial, HANDLE_INVALID, SERIAL_MODE_READ));
	EXPECT_OK(ch_serial_open(&S[1], uri_serial, HANDLE_INVALID, SERIAL_MODE_WRITE));
	EXPECT_OK(ch_serial_open(&S[2], uri_serial, HANDLE_INVALID, SERIAL_MODE_ALL));
	EXPECT_OK(ch_serial_set_line(&S[2], &c));
	EXPECT_OK(drain(&S[2]));
	/* read-only: listens, never writes or configures */
	EXPECT_ERR(ch_serial_write(&S[0], "x", 1, 0), ERR_ACCESS_DENIED);
	EXPECT_ERR(ch_serial_set_line(&S[0], &c), ERR_ACCESS_DENIED);
	EXPECT_OK(ch_serial_get_line(&S[0], &c));
	EXPECT_OK(ch_serial_status(&S[0], &st));
	EXPECT_ERR(ch_serial_read(&S[0], &b, 1, 0), 0);
	/* write-only: the reverse */
	EXPECT_ERR(ch_serial_read(&S[1], &b, 1, 0), ERR_ACCESS_DENIED);
	EXPECT_ERR(ch_serial_status(&S[1], &st), ERR_ACCESS_DENIED);
	EXPECT_ERR(ch_serial_set_line(&S[1], &c), ERR_ACCESS_DENIED);
	CHECK(ch_serial_write(&S[1], "y", 1, SWAIT) == 1, "write-only session cannot write");
	CHECK(read_all(&S[0], &b, 1) == 1 && b == 'y', "the read-only session did not read 'y'");
	/* a session opens only narrower ones; no empty or unknown modes */
	EXPECT_ERR(ch_serial_open_sub(&S[0], SERIAL_MODE_WRITE, &S[3]), ERR_ACCESS_DENIED);
	EXPECT_ERR(ch_serial_open_sub(&S[0], SERIAL_MODE_ALL, &S[3]), ERR_ACCESS_DENIED);
	EXPECT_OK(ch_serial_open_sub(&S[0], SERIAL_MODE_READ, &S[3]));
	EXPECT_ERR(ch_serial_write(&S[3], "x", 1, 0), ERR_ACCESS_DENIED);
	EXPECT_ERR(ch_serial_open_sub(&S[2], 0, &S[4]), ERR_INVALID_ARGS);
	EXPECT_ERR(ch_serial_open_sub(&S[2], 0x8, &S[4]), ERR_INVALID_ARGS);
	/* the mode is the session's, whoever holds it: a copy given on is still read-only */
	handle_t copy;
	EXPECT_OK(ch_cap_duplicate(S[0].ep, &copy));
	struct ch_serial other = {copy, SERIAL_MODE_ALL}; /* what it claims does not matter */
	EXPECT_ERR(ch_serial_write(&other, "x", 1, 0), ERR_ACCESS_DENIED);
	ch_serial_close(&other);
}

/* One raw call on ep; the reply's status (its first 16 bytes) or the call's error. */
static long raw_call(handle_t ep, const void *q, uint32_t len)
{
	struct serial_line_reply r = {0};
	struct kbus_msg m = {.data = q, .len = len};
	struct kbus_buf kb = {.data = &r, .capacity = sizeof(r)};
	long e = ch_kbus_call(ep, &m, &kb, LONG);
	if (e < 0)
		return e;
	return kb.len >= 16 ? r.status : ERR_MALFORMED;
}

static void test_serial_bad_calls(void)
{
	static uint8_t big[20000];
	handle_t dev;
	if (!dup_())
		return;
	EXPECT_OK(ch_uri_open(uri_serial, NS_TYPE_DEV_SERIAL, 0, NS_RIGHTS_SAME, &dev));
	EXPECT_OK(ch_serial_open(&S[0], NULL, dev, SERIAL_MODE_ALL));
	handle_t eps[2] = {dev, S[0].ep}; /* the entry and a session answer alike */
	for (unsigned k = 0; k < 2; k++) {
		handle_t e = eps[k];
		struct dev_msg_hdr h = {SERIAL_MSG_STATUS, 99};
		EXPECT_ERR(raw_call(e, &h, sizeof(h)), ERR_MALFORMED); /* a lying header */
		EXPECT_ERR(raw_call(e, &h, 3), ERR_MALFORMED); /* short */
		h = (struct dev_msg_hdr){DEV_MSG_SERIAL + 9, sizeof(h)};
		EXPECT_ERR(raw_call(e, &h, sizeof(h)), ERR_NOT_SUPPORTED);
		h = (struct dev_msg_hdr){SERIAL_MSG_NOTIFY, sizeof(h)};
		EXPECT_ERR(raw_call(e, &h, sizeof(h)), ERR_NOT_SUPPORTED);
		h = (struct dev_msg_hdr){SERIAL_MSG_WRITE, sizeof(h)};
		EXPECT_ERR(raw_call(e, &h, sizeof(h)), ERR_MALFORMED); /* no serial_io */
		struct {
			struct serial_io q;
			uint8_t b[16];
		} w = {{{SERIAL_MSG_WRITE, sizeof(w.q) + 5}, 10, 0}, {0}};
		EXPECT_ERR(raw_call(e, &w, sizeof(w.q) + 5), ERR_MALFORMED); /* 10 said, 5 sent */
		w.q = (struct serial_io){{SERIAL_MSG_WRITE, sizeof(w.q)}, 0, 0};
		EXPECT_ERR(raw_call(e, &w, sizeof(w.q)), ERR_MALFORMED); /* none */
		w.q = (struct serial_io){{SERIAL_MSG_WRITE, sizeof(w.q) + 5}, 5, 1};
		EXPECT_ERR(raw_call(e, &w, sizeof(w.q) + 5), ERR_MALFORMED); /* reserved */
		struct serial_io *wq = (struct serial_io *)big;
		*wq = (struct serial_io){{SERIAL_MSG_WRITE, sizeof(*wq) + 5000}, 5000, 0};
		EXPECT_ERR(raw_call(e, big, sizeof(*wq) + 5000), ERR_MALFORMED); /* > 4 KiB */
		struct serial_io r = {{SERIAL_MSG_READ, sizeof(r)}, 0, 0};
		EXPECT_ERR(raw_call(e, &r, sizeof(r)), ERR_MALFORMED);
		r.len = SERIAL_IO_MAX + 1;
		EXPECT_ERR(raw_call(e, &r, sizeof(r)), ERR_MALFORMED);
		struct serial_line l = {{SERIAL_MSG_SET_LINE, 12}, LOOP8N1};
		EXPECT_ERR(raw_call(e, &l, 12), ERR_MALFORMED);
		l.hdr = (struct dev_msg_hdr){SERIAL_MSG_GET_LINE, sizeof(l)};
		EXPECT_ERR(raw_call(e, &l, sizeof(l)), ERR_MALFORMED); /* GET carries nothing */
		struct serial_open o = {{SERIAL_MSG_OPEN, sizeof(o)}, SERIAL_MODE_READ, 7};
		EXPECT_ERR(raw_call(e, &o, sizeof(o)), ERR_INVALID_ARGS);
		memset(big, 0xa5, sizeof(big));
		EXPECT_ERR(raw_call(e, big, sizeof(big)), ERR_MALFORMED); /* 20 KB of junk */
		for (int i = 0; i < 20; i++) /* one-way junk, some with a capability */
			ch_kbus_send_bytes(e, big, 64, KBUS_NONBLOCK, 0);
	}
	/* the session limit: the ninth is refused, a closed one is free at once */
	for (unsigned i = 1; i < SERIAL_MAX_SESSIONS; i++)
		EXPECT_OK(ch_serial_open(&S[i], NULL, dev, SERIAL_MODE_READ));
	EXPECT_ERR(ch_serial_open(&S[SERIAL_MAX_SESSIONS], NULL, dev, SERIAL_MODE_READ),
	           ERR_NO_RESOURCES);
	ch_serial_close(&S[3]);
	EXPECT_OK(ch_serial_open(&S[3], NULL, dev, SERIAL_MODE_READ));
	ch_cap_drop(dev);
	/* still serving */
	struct serial_config c = LOOP8N1;
	uint8_t b[2];
	EXPECT_OK(ch_serial_set_line(&S[0], &c));
	EXPECT_OK(drain(&S[0]));
	CHECK(ch_serial_write(&S[0], "ok", 2, SWAIT) == 2, "write after the junk");
	CHECK(read_all(&S[0], b, 2) == 2 && !memcmp(b, "ok", 2), "read after the junk");
}

static void test_serial_flood(void)
{
	static uint8_t out[SERIAL_IO_MAX];
	struct serial_status st;
	uint8_t b[5];
	if (!dup_())
		return;
	memset(out, 'z', sizeof(out));
	/* four clients write far more than the driver holds, never read, and go */
	for (unsigned i = 0; i < 4; i++) {
		EXPECT_OK(ch_serial_open(&S[i], uri_serial, HANDLE_INVALID, SERIAL_MODE_ALL));
		if (i == 0) {
			struct serial_config c = LOOP8N1;
			EXPECT_OK(ch_serial_set_line(&S[0], &c));
		}
		for (int k = 0; k < 8; k++)
			CHECK(ch_serial_write(&S[i], out, sizeof(out), 0) >= 0, "flood write");
		for (int k = 0; k < 50; k++)
			ch_kbus_send_bytes(S[i].ep, out, 256, KBUS_NONBLOCK, 0);
	}
	for (unsigned i = 0; i < 4; i++)
		ch_serial_close(&S[i]);
	EXPECT_OK(ch_serial_open(&S[0], uri_serial, HANDLE_INVALID, SERIAL_MODE_ALL));
	EXPECT_OK(ch_serial_status(&S[0], &st));
	CHECK(st.rx_queued <= st.rx_buffer && st.tx_queued <= st.tx_buffer, "queued %u/%u",
	      st.rx_queued, st.tx_queued);
	EXPECT_OK(drain(&S[0]));
	CHECK(ch_serial_write(&S[0], "alive", 5, SWAIT) == 5, "write after the flood");
	CHECK(read_all(&S[0], b, 5) == 5 && !memcmp(b, "alive", 5), "read after the flood");
}

static void test_serial_host(void)
{
	char line[128];
	size_t n = 0;
	struct serial_config c = {115200, 8, 1, SERIAL_PARITY_NONE, SERIAL_FLOW_NONE, 0, 0};
	if (!dup_())
		return;
	if (!host_types) {
		ch_test_not_applicable("nobody at COM2's other end (tools/devices-qmp.sh is)");
		return;
	}
	EXPECT_OK(ch_serial_open(&S[0], uri_serial, HANDLE_INVALID, SERIAL_MODE_ALL));
	EXPECT_OK(ch_serial_set_line(&S[0], &c));
	EXPECT_OK(drain(&S[0]));
	printf("SERIALHOST READY %s\n", dcur->dev);
	uint64_t end = (uint64_t)ch_clock_ns() + KEYS_WAIT;
	while (n < sizeof(line) - 1 && (n == 0 || line[n - 1] != '\n') &&
	       (uint64_t)ch_clock_ns() < end) {
		long r = ch_serial_read(&S[0], line + n, sizeof(line) - 1 - n, SWAIT);
		CHECK(r >= 0, "read: %s", ch_error_name(r));
		n += (size_t)r;
	}
	line[n] = 0;
	while (n && (line[n - 1] == '\n' || line[n - 1] == '\r'))
		line[--n] = 0;
	printf("SERIALHOST %s: got '%s'\n", dcur->dev, line);
	char ans[160];
	int len = snprintf(ans, sizeof(ans), "pong: %s\r\n", line);
	CHECK(ch_serial_write(&S[0], ans, (size_t)len, SWAIT) == len, "write the answer");
	CHECK(!strcmp(line, "ping from the host 7f3a"), "read '%s' from the host", line);
}

/* Runs bin/serial with args (log, ns; stdin and stdout the fds given, -1: none) and
 * returns its exit code, or -1000; *child lets a caller that feeds it wait later. */
static long run_serial_tool(const char *const *argv, int in, int out, struct ch_child *child)
{
	struct ch_grant g[4] = {{"log", ch_handle("log"), RIGHT_WRITE | RIGHT_TRANSFER},
	                        {"ns", ch_handle("ns"), 0},
	                        {"stdin", HANDLE_INVALID, 0},
	                        {"stdout", HANDLE_INVALID, 0}};
	struct cap_info ci;
	unsigned n = 2;
	ch_cap_inspect(g[1].handle, &ci);
	g[1].rights = ci.rights;
	if (in >= 0 && ch_cap_inspect(ch_fd_handle(in), &ci) >= 0)
		g[n++] = (struct ch_grant){"stdin", ch_fd_handle(in), ci.rights};
	if (out >= 0 && ch_cap_inspect(ch_fd_handle(out), &ci) >= 0)
		g[n++] = (struct ch_grant){"stdout", ch_fd_handle(out), ci.rights};
	struct ch_spawn_args a = {
	    .path = "bin/serial", .argv = argv, .grants = g, .ngrants = n, .child_pool = 1u << 20};
	struct ch_child c = {0};
	struct ch_child *cp = child ? child : &c;
	long r = ch_spawn(&a, cp);
	if (r < 0) {
		printf("devtest: spawning bin/serial: %s\n", ch_error_name(r));
		return -1000;
	}
	if (child)
		return 0;
	struct proc_status st;
	r = ch_proc_wait(c.process, LONG, &st);
	ch_child_release(&c);
	if (r < 0 || st.state != PROC_EXITED)
		printf("devtest: bin/serial: %s, state %d\n", ch_error_name(r), (int)st.state);
	return r < 0 || st.state != PROC_EXITED ? -1000 : st.code;
}

static void test_serial_tool(void)
{
	struct serial_config c;
	if (!dup_())
		return;
	EXPECT_OK(ch_serial_open(&S[0], uri_serial, HANDLE_INVALID, SERIAL_MODE_ALL));
	const char *set[] = {"bin/serial", "-b", "9600", "-f", "7E2", "-l", dcur->dev, NULL};
	long code = run_serial_tool(set, -1, -1, NULL);
	CHECK(code == 0, "serial -b 9600 -f 7E2 -l: exit %ld", code);
	EXPECT_OK(ch_serial_get_line(&S[0], &c));
	const struct serial_config want = {
	    9600, 7, 2, SERIAL_PARITY_EVEN, SERIAL_FLOW_NONE, SERIAL_LINE_LOOPBACK, 0};
	CHECK(same_cfg(&c, &want), "the tool set %u baud %u%u%u", c.baud, c.data_bits, c.parity,
	      c.stop_bits);
	const char *bad_rate[] = {"bin/serial", "-b", "7", dcur->dev, NULL};
	const char *bad_format[] = {"bin/serial", "-f", "9X1", dcur->dev, NULL};
	const char *no_port[] = {"bin/serial", "-l", "nosuch", NULL};
	const char *show[] = {"bin/serial", dcur->dev, NULL};
	CHECK((code = run_serial_tool(bad_rate, -1, -1, NULL)) == 2, "-b 7: exit %ld", code);
	CHECK((code = run_serial_tool(bad_format, -1, -1, NULL)) == 2, "-f 9X1: exit %ld", code);
	CHECK((code = run_serial_tool(no_port, -1, -1, NULL)) == 1, "nosuch: exit %ld", code);
	CHECK((code = run_serial_tool(show, -1, -1, NULL)) == 0, "show: exit %ld", code);
	/* -c in loopback: what goes in comes back out; the tool ends with its stdin */
	const char *conn[] = {"bin/serial", "-c", "-l", dcur->dev, NULL};
	int pin[2], pout[2];
	struct ch_child child;
	CHECK(pipe(pin) == 0 && pipe(pout) == 0, "pipes");
	code = run_serial_tool(conn, pin[0], pout[1], &child);
	close(pin[0]);
	close(pout[1]);
	CHECK(code == 0, "spawning serial -c");
	CHECK(write(pin[1], "ping 5e\n", 8) == 8, "writing the tool's stdin");
	char got[64];
	size_t n = 0;
	while (n < 8) {
		ssize_t r = read(pout[0], got + n, sizeof(got) - 1 - n);
		if (r <= 0)
			break;
		n += (size_t)r;
	}
	got[n] = 0;
	close(pin[1]); /* the tool's stdin ends: it does */
	close(pout[0]);
	struct proc_status st;
	long r = ch_proc_wait(child.process, LONG, &st);
	ch_child_release(&child);
	CHECK(n == 8 && !memcmp(got, "ping 5e\n", 8), "serial -c echoed '%s'", got);
	CHECK(r >= 0 && st.state == PROC_EXITED && st.code == 0, "serial -c: %s, exit %d",
	      ch_error_name(r), st.code);
}

static void test_serial_kill(void)
{
	struct proc_status st;
	struct serial_status ss;
	if (!dup_())
		return;
	EXPECT_OK(ch_serial_open(&S[0], uri_serial, HANDLE_INVALID, SERIAL_MODE_ALL));
	EXPECT_OK(ch_proc_kill(dcur->child.process));
	EXPECT_OK(ch_proc_wait(dcur->child.process, LONG, &st));
	EXPECT_ERR(ch_serial_status(&S[0], &ss), ERR_PEER_CLOSED);
}

/* Last but kill: a well-formed hostile SET_LINE may leave the line anyhow. */
static void test_serial_fuzz(void)
{
	struct serial_status ss;
	if (!dup_())
		return;
	EXPECT_OK(ch_serial_open(&S[0], uri_serial, HANDLE_INVALID, SERIAL_MODE_ALL));
	if (devtest_fuzz(uri_serial, dcur->child.process, 0x5e1))
		EXPECT_OK(ch_serial_status(&S[0], &ss));
}

static void run_serial(struct dtarget *t, long (*start)(struct dtarget *))
{
	static const struct {
		const char *name;
		void (*fn)(void);
	} tests[] = {
	    {"loopback", test_serial_loopback}, {"line", test_serial_line},
	    {"flow", test_serial_flow},         {"overflow", test_serial_overflow},
	    {"rights", test_serial_rights},     {"bad_calls", test_serial_bad_calls},
	    {"flood", test_serial_flood},       {"host", test_serial_host},
	    {"tool", test_serial_tool},         {"fuzz", test_serial_fuzz},
	    {"kill", test_serial_kill},
	};
	dstart(t, start, "serial");
	snprintf(uri_serial, sizeof(uri_serial), "dev:///serial/%s", t->dev);
	char prefix[32];
	snprintf(prefix, sizeof(prefix), "serial_%s_", t->name);
	for (unsigned i = 0; i < sizeof(tests) / sizeof(tests[0]); i++) {
		ch_test_run(prefix, tests[i].name, tests[i].fn);
		sclose_all(); /* what a failed check left open */
	}
}

static void run_all(void)
{
	run_input(&targets[0], start_ps2);
	run_input(&targets[1], start_virtio);
	/* bootfb first: on GRUB boots it is the same VGA memory bochs then takes over */
	run_display(&dtargets[1], start_bootfb);
	run_display(&dtargets[0], start_bochs);
	run_rng(&rtargets[0], start_virtio_rng);
	run_rng(&rtargets[1], start_rdrand);
	run_clock(&ctargets[0], start_cmos);
	/* the drivers above ended with their kill tests: their pools come back first */
	for (unsigned i = 0; i < sizeof(targets) / sizeof(targets[0]); i++)
		stop(&targets[i]);
	dstop(dtargets, sizeof(dtargets) / sizeof(dtargets[0]));
	dstop(rtargets, sizeof(rtargets) / sizeof(rtargets[0]));
	dstop(ctargets, sizeof(ctargets) / sizeof(ctargets[0]));
	ch_driver_unbind("rtc0-admin"); /* the clock's second entry (dstop unbinds rtc0) */
	run_serial(&stargets[0], start_uart);
}

int main(void)
{
	const struct ch_dev_match testdev = {0x1b36, 0x0005, CH_DEV_ANY, CH_DEV_ANY, CH_DEV_ANY};
	handle_t hw = ch_handle("hw"), h;
	host_types = hw != HANDLE_INVALID && ch_dev_find(hw, &testdev, 0, &h) >= 0;
	int r = ch_test_main(run_all);
	for (unsigned i = 0; i < sizeof(targets) / sizeof(targets[0]); i++)
		stop(&targets[i]);
	dstop(dtargets, sizeof(dtargets) / sizeof(dtargets[0]));
	dstop(rtargets, sizeof(rtargets) / sizeof(rtargets[0]));
	dstop(ctargets, sizeof(ctargets) / sizeof(ctargets[0]));
	dstop(stargets, sizeof(stargets) / sizeof(stargets[0]));
	return r;
}
