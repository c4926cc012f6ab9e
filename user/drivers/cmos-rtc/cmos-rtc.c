/*
 * cmos-rtc - the PC's CMOS real-time clock (MC146818, the platform device
 * "rtc": ports 0x70-0x71) through the clock class: `bin/cmos-rtc <name>` binds
 * dev:///clock/<name> (type dev.clock).
 *
 * At start the driver waits for the clock's seconds to tick over (sleeping
 * 5 ms between looks, at most 2 s), so the second it reads began within 5 ms
 * of the monotonic time it pairs with it; after that a CLOCK_MSG_GET answers
 * that reading plus the monotonic time elapsed since, with no port I/O. It
 * reads again every 10 minutes and on each start, so a clock set by someone
 * else is seen. Registers are read until two reads in a row agree, none while
 * the update-in-progress flag is up; shared/cmos.c checks every field, and a
 * clock whose registers make no date (a dead battery, a hostile device) makes
 * the driver report ERR_IO instead of a wrong time.
 *
 * CLOCK_MSG_SET answers ERR_NOT_SUPPORTED: the class gives setting to holders
 * of RIGHT_WRITE, and a driver cannot see its callers' rights through a
 * dev:// entry yet (docs/devices.md, "Clock").
 * Grants: log, pool, ns, device (the rtc), ready (charlotte/driver.h).
 */
#include <stdio.h>
#include <string.h>

#include <abi/dev/clock.h>
#include <abi/errors.h>
#include <abi/ns.h>
#include <abi/rights.h>
#include <charlotte/devcall.h>
#include <charlotte/driver.h>
#include <charlotte/hw.h>
#include <charlotte/kbus.h>
#include <charlotte/names.h>
#include <charlotte/ns.h>
#include <charlotte/start.h>
#include <charlotte/syscall.h>
#include <shared/cmos.h>

#define INDEX 0x70
#define DATA 0x71
#define REG_A 0x0a
#define REG_B 0x0b
#define REG_CENTURY 0x32 /* the FADT's century register on QEMU and most PCs */
#define A_UIP 0x80
#define TICK_POLL_NS 5000000ull
#define TICK_WAIT_NS 2000000000ull
#define REREAD_NS (600ull * 1000000000ull)

static struct {
	uint64_t unix_ns, mono_ns; /* the last reading and when */
	bool century;
} clk;

static uint8_t reg(uint8_t r)
{
	ch_outb(INDEX, r);
	return ch_inb(DATA);
}

/* The registers, read twice alike outside an update; 0 or ERR_IO. */
static long read_regs(struct cmos_time *t)
{
	for (int tries = 0; tries < 16; tries++) {
		struct cmos_time a, b;
		for (int i = 0; i < 1000 && (reg(REG_A) & A_UIP); i++)
			;
		a = (struct cmos_time){reg(0),
		                       reg(2),
		                       reg(4),
		                       reg(7),
		                       reg(8),
		                       reg(9),
		                       clk.century ? reg(REG_CENTURY) : 0,
		                       reg(REG_B)};
		if (reg(REG_A) & A_UIP)
			continue;
		b = (struct cmos_time){reg(0),
		                       reg(2),
		                       reg(4),
		                       reg(7),
		                       reg(8),
		                       reg(9),
		                       clk.century ? reg(REG_CENTURY) : 0,
		                       reg(REG_B)};
		if (!memcmp(&a, &b, sizeof(a))) {
			*t = a;
			return 0;
		}
	}
	return ERR_IO;
}

/* Reads the clock at a seconds edge; 0 or ERR_IO. */
static long sync_clock(void)
{
	struct cmos_time t, u;
	long r = read_regs(&t);
	if (r < 0)
		return r;
	int64_t start = ch_clock_ns(), now = start;
	/* wait for the seconds to change, so the reading starts its second */
	while ((r = read_regs(&u)) == 0 && u.sec == t.sec &&
	       (uint64_t)(now - start) < TICK_WAIT_NS) {
		ch_sleep_ns(TICK_POLL_NS);
		now = ch_clock_ns();
	}
	if (r < 0)
		return r;
	int64_t s = cmos_to_unix(&u);
	if (s < 0)
		return ERR_IO;
	clk.unix_ns = (uint64_t)s * 1000000000ull;
	clk.mono_ns = (uint64_t)ch_clock_ns();
	return 0;
}

static void reply(handle_t ep, const void *m, uint32_t len)
{
	struct kbus_msg km = {.data = (void *)m, .len = len};
	ch_kbus_reply(ep, &km);
}

static void status(handle_t ep, uint32_t type, long st)
{
	struct dev_status_reply s = {{type, sizeof(s)}, (int32_t)st, 0};
	reply(ep, &s, sizeof(s));
}

static long serve(handle_t ep)
{
	static uint8_t buf[256];
	static handle_t hs[KBUS_MAX_HANDLES];
	for (;;) {
		struct kbus_buf kb = {.data = buf,
		                      .capacity = sizeof(buf),
		                      .handles = hs,
		                      .handles_capacity = KBUS_MAX_HANDLES};
		long r = ch_kbus_recv(ep, &kb, 0, CH_FOREVER);
		if (r ==
		    ERR_BUFFER_TOO_SMALL) { /* too big for any clock message: take it and refuse */
			static uint8_t big[KBUS_MAX_BYTES];
			kb.data = big;
			kb.capacity = sizeof(big);
			r = ch_kbus_recv(ep, &kb, 0, CH_FOREVER);
			if (r < 0)
				return r;
			for (uint32_t i = 0; i < kb.nhandles && i < KBUS_MAX_HANDLES; i++)
				ch_cap_drop(hs[i]);
			if (kb.flags & KBUS_MSG_CALL)
				status(ep, 0, ERR_MALFORMED);
			continue;
		}
		if (r < 0)
			return r;
		for (uint32_t i = 0; i < kb.nhandles && i < KBUS_MAX_HANDLES; i++)
			ch_cap_drop(hs[i]);
		if (!(kb.flags & KBUS_MSG_CALL))
			continue;
		struct dev_msg_hdr h = {0};
		memcpy(&h, buf, kb.len < sizeof(h) ? kb.len : sizeof(h));
		if (kb.len < sizeof(h) || h.len != kb.len) {
			status(ep, h.type, ERR_MALFORMED);
		} else if (h.type == CLOCK_MSG_GET && kb.len == sizeof(h)) {
			uint64_t now = (uint64_t)ch_clock_ns();
			if (now - clk.mono_ns > REREAD_NS)
				sync_clock(); /* on failure keep counting from the last good one */
			now = (uint64_t)ch_clock_ns();
			struct clock_time_reply t = {
			    .hdr = {CLOCK_MSG_GET, sizeof(t)},
			    .unix_ns = clk.unix_ns + (now - clk.mono_ns),
			    .monotonic_ns = now,
			    .resolution_ns = 1000000000ull,
			};
			reply(ep, &t, sizeof(t));
		} else if (h.type == CLOCK_MSG_SET && kb.len == sizeof(struct clock_set)) {
			status(ep, CLOCK_MSG_SET, ERR_NOT_SUPPORTED);
		} else if (h.type == CLOCK_MSG_GET || h.type == CLOCK_MSG_SET) {
			status(ep, h.type, ERR_MALFORMED);
		} else {
			status(ep, h.type, ERR_NOT_SUPPORTED);
		}
	}
}

static long setup(const char *name, handle_t *ep)
{
	handle_t io, ch[2];
	long r = ch_dev_ioport(ch_handle("device"), 0, &io);
	if (r >= 0)
		r = ch_ioport_enable(io);
	if (r >= 0) {
		uint8_t c = reg(REG_CENTURY);
		clk.century = (c & 0x0f) <= 9 && (c >> 4) >= 1 && (c >> 4) <= 9;
		r = sync_clock();
	}
	if (r >= 0)
		r = ch_channel_create(ch_handle("pool"), 0, ch);
	if (r >= 0) {
		*ep = ch[0];
		r = ch_dev_class_bind("clock", name, ch[1], NS_TYPE_DEV_CLOCK);
	}
	ch_dev_ready(r);
	return r;
}

int main(int argc, char **argv)
{
	handle_t ep;
	if (argc < 2) {
		printf("usage: cmos-rtc <name>\n");
		return 2;
	}
	long r = setup(argv[1], &ep);
	printf("cmos-rtc: %s: %s\n", argv[1], ch_error_name(r));
	if (r >= 0)
		r = serve(ep);
	return 1;
}
