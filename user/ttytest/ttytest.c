/*
 * ttytest - the kernel's console actions on the log (VM test suite "tty_*").
 *
 * Exec grants the log three times, as "log" (write), "dmesg" (and read the
 * history) and "console" (and the serial line: SYS_LOG_READ, SYS_LOG_RAW_WRITE);
 * the tests check each name gives what it should and no more, the history's
 * positions and contents, the raw write's limits, the input read's timeout,
 * non-blocking, waitset and kill paths, and (GRUB boots) that the kernel's
 * framebuffer console draws nothing once a process has the screen.
 *
 * Input itself needs a host that types: tools/serial-input.sh boots with a
 * second QEMU "edu" PCI device (tools/qemu.sh always adds one) as the sign
 * that it does (tty_input_host is NA without it), waits for our "TTYINPUT
 * READY" lines and types on the serial line.
 *
 *   bin/ttytest          the suite
 *   bin/ttytest echo     read the serial line until "quit\r" (or \n); log each
 *                        chunk as "ttytest: got <hex bytes>"
 */
#include <stdio.h>
#include <string.h>

#include <charlotte/driver.h>
#include <charlotte/kbus.h>
#include <charlotte/start.h>
#include <charlotte/syscall.h>
#include <charlotte/testing.h>
#include <charlotte/thread.h>

#define MS 1000000ull
#define KERNEL_ADDR 0xffff800000001000ull
#define FB_VA 0x500000000000ull /* where the framebuffer is mapped */

#define HOST_WAIT (120 * 1000 * MS) /* a safety net only: the host types on our cue */
#define BURST 3000u /* bytes the host types at once: more than the UART's FIFO */

static handle_t h_log, h_dmesg, h_console;
static bool host_types; /* a second "edu" device: tools/serial-input.sh types on serial */
static char big[LOG_IO_MAX * 2];
static char hist[64 * 1024 + 1];

static uint64_t rights_of(handle_t h)
{
	struct cap_info ci;
	return ch_cap_inspect(h, &ci) == 0 ? ci.rights : 0;
}

static void test_grant_rights(void)
{
	const uint64_t pass = RIGHT_TRANSFER | RIGHT_DUPLICATE | RIGHT_INSPECT;
	uint64_t r = rights_of(h_log);
	CHECK(r == (RIGHT_WRITE | pass), "log has %#llx", (unsigned long long)r);
	r = rights_of(h_dmesg);
	CHECK(r == (RIGHT_READ | RIGHT_WRITE | pass), "dmesg has %#llx", (unsigned long long)r);
	r = rights_of(h_console);
	CHECK(r == (RIGHT_READ | RIGHT_WRITE | RIGHT_MANAGE | RIGHT_WAIT | pass),
	      "console has %#llx", (unsigned long long)r);
}

static void test_rights_refused(void)
{
	uint64_t pos = 0;
	char c;
	EXPECT_ERR(ch_log_read(h_log, &c, 1, 0), ERR_ACCESS_DENIED);
	EXPECT_ERR(ch_log_raw_write(h_log, "x", 1), ERR_ACCESS_DENIED);
	EXPECT_ERR(ch_log_history(h_log, &pos, &c, 1), ERR_ACCESS_DENIED);
	EXPECT_ERR(ch_log_read(h_dmesg, &c, 1, 0), ERR_ACCESS_DENIED);
	EXPECT_ERR(ch_log_raw_write(h_dmesg, "x", 1), ERR_ACCESS_DENIED);
	/* the console's rights, narrowed: each action needs its own right */
	handle_t ro;
	EXPECT_OK(ch_cap_derive(h_console, RIGHT_READ, 0, &ro));
	EXPECT_ERR(ch_log_read(ro, &c, 1, 0), ERR_ACCESS_DENIED);
	EXPECT_ERR(ch_log_raw_write(ro, "x", 1), ERR_ACCESS_DENIED);
	EXPECT_ERR(ch_log_write(ro, "x", 1), ERR_ACCESS_DENIED);
	EXPECT_OK(ch_log_history(ro, &pos, &c, 1));
	handle_t mo;
	EXPECT_OK(ch_cap_derive(h_console, RIGHT_MANAGE, 0, &mo));
	EXPECT_ERR(ch_log_history(mo, &pos, &c, 1), ERR_ACCESS_DENIED);
	EXPECT_ERR(ch_log_read(mo, &c, 1, 0), ERR_SHOULD_WAIT);
	ch_cap_drop(ro);
	ch_cap_drop(mo);
	/* the log is no other object's, nor they the log */
	EXPECT_ERR(ch_log_read(ch_handle("pool"), &c, 1, 0), ERR_WRONG_TYPE);
}

/* Read the history from *pos to the end into hist (the newest 64 KiB at most). */
static long read_all(handle_t h, uint64_t *pos)
{
	size_t have = 0;
	for (;;) {
		long n = ch_log_history(h, pos, big, sizeof(big));
		if (n < 0)
			return n;
		if (n == 0)
			break;
		if ((size_t)n > LOG_IO_MAX)
			return ERR_INVALID_ARGS; /* more than one call may give */
		if (have + (size_t)n > sizeof(hist) - 1) {
			size_t drop = have + (size_t)n - (sizeof(hist) - 1);
			memmove(hist, hist + drop, have - drop);
			have -= drop;
		}
		memcpy(hist + have, big, (size_t)n);
		have += (size_t)n;
	}
	hist[have] = 0;
	return (long)have;
}

static void test_history_has_line(void)
{
	uint64_t start = UINT64_MAX;
	EXPECT_OK(ch_log_history(h_dmesg, &start, big, 16)); /* clamps to the newest */
	static const char line[] = "history marker 7e1c\n";
	EXPECT_OK(ch_log_write(h_log, line, sizeof(line) - 1));
	uint64_t pos = start;
	long n = read_all(h_dmesg, &pos);
	CHECK(n > 0, "nothing after the marker: %ld", n);
	CHECK(strstr(hist, "ttytest: history marker 7e1c") != NULL, "marker not in history");
	CHECK(pos >= start + (uint64_t)n, "pos %llu, start %llu, n %ld", (unsigned long long)pos,
	      (unsigned long long)start, n);
	/* from 0: the oldest kept, which on a long boot is no longer byte 0 */
	pos = 0;
	n = ch_log_history(h_dmesg, &pos, big, 100);
	CHECK(n == 100, "first read of 100: %ld", n);
	CHECK(pos >= 100, "pos %llu", (unsigned long long)pos);
	n = read_all(h_dmesg, &pos);
	CHECK(n > 0 && strstr(hist, "ttytest: history marker 7e1c"), "marker not seen from 0");
}

static void test_history_positions(void)
{
	uint64_t end = UINT64_MAX;
	EXPECT_ERR(ch_log_history(h_dmesg, &end, big, sizeof(big)), 0);
	CHECK(end != UINT64_MAX && end > 0, "end %llu", (unsigned long long)end);
	uint64_t pos = end;
	EXPECT_ERR(ch_log_history(h_dmesg, &pos, big, 0), 0);
	CHECK(pos >= end, "len 0 moved pos back: %llu", (unsigned long long)pos);
	/* a huge length reads LOG_IO_MAX at most */
	pos = 0;
	long n = ch_log_history(h_dmesg, &pos, big, (size_t)1 << 40);
	CHECK(n > 0 && n <= (long)LOG_IO_MAX, "huge len read %ld", n);
	/* positions advance exactly by what was read, while nothing is lost */
	uint64_t p0 = pos;
	n = ch_log_history(h_dmesg, &pos, big, 10);
	CHECK(n >= 0 && pos == p0 + (uint64_t)n, "pos %llu after %ld from %llu",
	      (unsigned long long)pos, n, (unsigned long long)p0);
	/* the total kept never exceeds the ring (the oldest only moves forward) */
	end = UINT64_MAX;
	EXPECT_OK(ch_log_history(h_dmesg, &end, big, 1));
	uint64_t first = 0;
	EXPECT_OK(ch_log_history(h_dmesg, &first, big, 1));
	CHECK(first >= 1 && first - 1 + 64 * 1024 >= end, "oldest %llu, newest %llu",
	      (unsigned long long)(first - 1), (unsigned long long)end);
}

static void test_history_bad_args(void)
{
	uint64_t pos = 0;
	EXPECT_ERR(ch_log_history(h_dmesg, (uint64_t *)0x10, big, 16), ERR_BAD_ADDRESS);
	EXPECT_ERR(ch_log_history(h_dmesg, (uint64_t *)KERNEL_ADDR, big, 16), ERR_BAD_ADDRESS);
	EXPECT_ERR(ch_log_history(h_dmesg, &pos, (void *)KERNEL_ADDR, 16), ERR_BAD_ADDRESS);
	CHECK(pos == 0, "pos changed by a failed call: %llu", (unsigned long long)pos);
	EXPECT_ERR(ch_log_history(h_dmesg, &pos, (void *)0x1000, (size_t)1 << 40), ERR_BAD_ADDRESS);
	CHECK(pos == 0, "pos changed by a failed call: %llu", (unsigned long long)pos);
}

static void test_raw_write(void)
{
	static const char raw[] = "ttytest raw 51c9 \033[0m\r\n";
	uint64_t pos = UINT64_MAX;
	EXPECT_OK(ch_log_history(h_dmesg, &pos, big, 1));
	EXPECT_ERR(ch_log_raw_write(h_console, raw, sizeof(raw) - 1), (long)sizeof(raw) - 1);
	EXPECT_ERR(ch_log_raw_write(h_console, raw, 0), 0);
	memset(big, '.', sizeof(big));
	big[LOG_IO_MAX - 2] = '\r';
	big[LOG_IO_MAX - 1] = '\n';
	EXPECT_ERR(ch_log_raw_write(h_console, big, LOG_IO_MAX), (long)LOG_IO_MAX);
	EXPECT_ERR(ch_log_raw_write(h_console, big, LOG_IO_MAX + 1), ERR_INVALID_ARGS);
	EXPECT_ERR(ch_log_raw_write(h_console, (void *)KERNEL_ADDR, 8), ERR_BAD_ADDRESS);
	EXPECT_ERR(ch_log_raw_write(h_console, (void *)0x10, 8), ERR_BAD_ADDRESS);
	/* raw bytes are the terminal's: not in the log's history */
	long n = read_all(h_dmesg, &pos);
	CHECK(n >= 0, "history: %s", ch_error_name(n));
	CHECK(strstr(hist, "raw 51c9") == NULL, "a raw write reached the history");
}

static void test_read_nonblocking(void)
{
	char buf[16];
	EXPECT_ERR(ch_log_read(h_console, buf, sizeof(buf), 0), ERR_SHOULD_WAIT);
	EXPECT_ERR(ch_log_read(h_console, buf, 0, 0), ERR_INVALID_ARGS);
	EXPECT_ERR(ch_log_read(h_console, buf, (size_t)1 << 40, 0), ERR_SHOULD_WAIT);
	EXPECT_ERR(ch_log_read(h_console, (void *)KERNEL_ADDR, 16, 0), ERR_BAD_ADDRESS);
	EXPECT_ERR(ch_log_read(h_console, (void *)0x10, 16, 0), ERR_BAD_ADDRESS);
}

static void test_read_timeout(void)
{
	char buf[16];
	uint64_t t0 = ch_clock_ns();
	EXPECT_ERR(ch_log_read(h_console, buf, sizeof(buf), 20 * MS), ERR_TIMED_OUT);
	CHECK(ch_clock_ns() - t0 >= 20 * MS, "woke after %llu ns",
	      (unsigned long long)(ch_clock_ns() - t0));
}

static void test_read_waitset(void)
{
	handle_t ws;
	struct kbus_event ev;
	EXPECT_OK(ch_waitset_create(ch_handle("pool"), &ws));
	EXPECT_ERR(ch_waitset_add(ws, h_dmesg, KBUS_EV_READABLE, 1), ERR_ACCESS_DENIED);
	EXPECT_OK(ch_waitset_add(ws, h_console, KBUS_EV_READABLE, 1));
	long r = ch_waitset_wait(ws, &ev, 1, 10 * MS);
	ch_cap_drop(ws);
	CHECK(r == ERR_TIMED_OUT || r == 0, "no input, yet the waitset says %ld", r);
}

static int reader(void *arg)
{
	char buf[8];
	return (int)ch_log_read(*(handle_t *)arg, buf, sizeof(buf), UINT64_MAX);
}

static void test_read_killable(void)
{
	static char stack[16384] __attribute__((aligned(16)));
	handle_t t;
	EXPECT_OK(ch_thread_spawn(reader, &h_console, stack, sizeof(stack), &t));
	EXPECT_ERR(ch_thread_wait(t, 20 * MS, NULL), ERR_TIMED_OUT); /* it waits */
	EXPECT_OK(ch_thread_kill(t));
	EXPECT_OK(ch_thread_wait(t, UINT64_MAX, NULL));
	ch_cap_drop(t);
}

/* The platform device called name under hw, or HANDLE_INVALID. */
static handle_t find_platform(handle_t hw, const char *name)
{
	struct hw_device_info info;
	handle_t h;
	for (uint32_t i = 0; ch_dev_enum(hw, i, &info, NULL) == 0; i++)
		if (strcmp(info.name, name) == 0)
			return ch_dev_enum(hw, i, &info, &h) == 0 ? h : HANDLE_INVALID;
	return HANDLE_INVALID;
}

/*
 * Once a process has the framebuffer, the kernel draws no more log on it: paint
 * the whole screen, log enough lines to scroll it (if the console still drew),
 * and find every pixel as painted. GRUB boots only (fb0).
 */
static void test_fb_handoff(void)
{
	handle_t fb = find_platform(ch_handle("hw"), "fb0"), mmio;
	struct hw_resource r;
	if (fb == HANDLE_INVALID) {
		ch_test_not_applicable("no boot framebuffer (PVH boot)");
		return;
	}
	EXPECT_OK(ch_dev_resource(fb, 0, &r));
	CHECK(r.fb_bpp == 32 && r.fb_pitch >= r.fb_width * 4, "fb0: %u bpp, pitch %u", r.fb_bpp,
	      r.fb_pitch);
	EXPECT_OK(ch_dev_mmio(fb, 0, &mmio));
	uint64_t in_page = r.base & 4095, len = (in_page + r.size + 4095) & ~4095ull;
	long m = ch_as_map(ch_handle("self.as"), FB_VA, mmio, 0, len, PROT_READ | PROT_WRITE);
	ch_cap_drop(mmio);
	ch_cap_drop(fb);
	EXPECT_OK(m);
	volatile uint32_t *px = (volatile uint32_t *)(FB_VA + in_page);
	uint32_t stride = r.fb_pitch / 4, bad = 0, bad_x = 0, bad_y = 0;
	for (uint32_t y = 0; y < r.fb_height; y++)
		for (uint32_t x = 0; x < r.fb_width; x++)
			px[y * stride + x] = 0x00123456;
	for (int i = 0; i < 80; i++)
		ch_log_write(h_log, "fb hand-off: a line the screen must not show\n", 45);
	for (uint32_t y = 0; y < r.fb_height; y++)
		for (uint32_t x = 0; x < r.fb_width; x++)
			if (px[y * stride + x] != 0x00123456 && bad++ == 0)
				bad_x = x, bad_y = y;
	EXPECT_OK(ch_as_unmap(ch_handle("self.as"), FB_VA, len));
	CHECK(bad == 0, "%u pixels changed after the hand-off, first at %u,%u", bad, bad_x, bad_y);
}

/* Read exactly len bytes of input into buf; the error, or 0. */
static long read_exactly(char *buf, size_t len)
{
	for (size_t have = 0; have < len;) {
		long n = ch_log_read(h_console, buf + have, len - have, HOST_WAIT);
		if (n < 0)
			return n;
		have += (size_t)n;
	}
	return 0;
}

/*
 * What the host types arrives, byte for byte: a short line read as it comes,
 * then a burst of BURST bytes typed while we sleep and waited for through a
 * waitset (the interrupt keeps them in the ring meanwhile).
 */
static void test_input_host(void)
{
	static char got[BURST + 1];
	if (!host_types) {
		ch_test_not_applicable(
		    "nobody types on the serial line (tools/serial-input.sh does)");
		return;
	}
	char stale[64];
	while (ch_log_read(h_console, stale, sizeof(stale), 0) > 0)
		;
	printf("TTYINPUT READY line\n");
	static const char line[] = "ping 7f3a\r";
	EXPECT_OK(read_exactly(got, sizeof(line) - 1));
	CHECK(memcmp(got, line, sizeof(line) - 1) == 0, "got '%.*s'", (int)sizeof(line) - 1, got);

	handle_t ws;
	struct kbus_event ev;
	EXPECT_OK(ch_waitset_create(ch_handle("pool"), &ws));
	EXPECT_OK(ch_waitset_add(ws, h_console, KBUS_EV_READABLE, 7));
	printf("TTYINPUT READY burst %u\n", BURST);
	ch_sleep_ns(200 * MS); /* not reading: the bytes wait in the kernel */
	long r = ch_waitset_wait(ws, &ev, 1, HOST_WAIT);
	ch_cap_drop(ws);
	CHECK(r == 1 && ev.key == 7, "waitset: %ld (key %llu)", r, (unsigned long long)ev.key);
	EXPECT_OK(read_exactly(got, BURST));
	for (unsigned i = 0; i < BURST; i++)
		CHECK(got[i] == (char)('a' + i % 26), "byte %u is %#x", i, (unsigned char)got[i]);
	EXPECT_ERR(ch_log_read(h_console, got, 1, 0), ERR_SHOULD_WAIT); /* nothing more */
}

static void run_all(void)
{
	ch_test_run("tty_", "grant_rights", test_grant_rights);
	ch_test_run("tty_", "rights_refused", test_rights_refused);
	ch_test_run("tty_", "history_has_line", test_history_has_line);
	ch_test_run("tty_", "history_positions", test_history_positions);
	ch_test_run("tty_", "history_bad_args", test_history_bad_args);
	ch_test_run("tty_", "raw_write", test_raw_write);
	ch_test_run("tty_", "read_nonblocking", test_read_nonblocking);
	ch_test_run("tty_", "read_timeout", test_read_timeout);
	ch_test_run("tty_", "read_waitset", test_read_waitset);
	ch_test_run("tty_", "read_killable", test_read_killable);
	ch_test_run("tty_", "fb_handoff", test_fb_handoff);
	ch_test_run("tty_", "input_host", test_input_host);
}

/* Log what is typed, in hex, until a line "quit". */
static int echo_main(void)
{
	char buf[64], line[64 * 3 + 16];
	char last[5] = {0};
	printf("ttytest: reading the serial line\n");
	for (;;) {
		long n = ch_log_read(h_console, buf, sizeof(buf), UINT64_MAX);
		if (n < 0) {
			printf("ttytest: read: %s\n", ch_error_name(n));
			return 1;
		}
		size_t at = (size_t)snprintf(line, sizeof(line), "got");
		for (long i = 0; i < n; i++) {
			at += (size_t)snprintf(line + at, sizeof(line) - at, " %02x",
			                       (unsigned char)buf[i]);
			memmove(last, last + 1, 3);
			last[3] = buf[i];
			if (strcmp(last, "quit") == 0) {
				printf("ttytest: %s\nttytest: quit\n", line);
				return 0;
			}
		}
		printf("ttytest: %s\n", line);
	}
}

int main(int argc, char **argv)
{
	h_log = ch_handle("log");
	h_dmesg = ch_handle("dmesg");
	h_console = ch_handle("console");
	if (h_log == HANDLE_INVALID || h_dmesg == HANDLE_INVALID || h_console == HANDLE_INVALID) {
		printf("VMTEST FAIL tty_start_info: missing log %x dmesg %x console %x\n", h_log,
		       h_dmesg, h_console);
		return 1;
	}
	const struct ch_dev_match edu = {0x1234, 0x11e8, CH_DEV_ANY, CH_DEV_ANY, CH_DEV_ANY};
	handle_t hw = ch_handle("hw"), dev;
	host_types = hw != HANDLE_INVALID && ch_dev_find(hw, &edu, 1, &dev) >= 0;
	if (argc >= 2 && strcmp(argv[1], "echo") == 0)
		return echo_main();
	return ch_test_main(run_all);
}
