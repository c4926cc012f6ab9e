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
 * Setting the clock is for whoever can open the admin entry: a driver cannot
 * see a caller's rights through a dev:// entry (each entry is one endpoint,
 * and an open gives the rights the driver bound), so the driver serves two
 * endpoints: dev:///clock/<name> reads (CLOCK_MSG_SET there is
 * ERR_ACCESS_DENIED) and may be handed on, dev:///clock/<name>-admin reads and
 * sets and may not (docs/devices.md, "Clock"). A set writes the registers in
 * the chip's own format (BCD or binary, 12- or 24-hour, as status B says) with
 * the SET bit up, reads them back, and answers from the new time.
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
#define REG_WDAY 0x06
#define B_SET 0x80
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

static void reg_write(uint8_t r, uint8_t v)
{
	ch_outb(INDEX, r);
	ch_outb(DATA, v);
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

/*
 * Sets the clock to unix_ns (whole seconds go to the chip; the driver answers
 * from unix_ns itself): the fields in the format status B reports, written with
 * the SET bit up (the chip stops updating), then SET cleared (it counts from
 * there), then read back and checked. ERR_OUT_OF_RANGE: before 1970 or after
 * CMOS_SET_MAX (or 2069 without a century register); ERR_IO: the chip did not
 * take it.
 */
static long set_clock(uint64_t unix_ns)
{
	if (unix_ns / 1000000000ull > (uint64_t)CMOS_SET_MAX)
		return ERR_OUT_OF_RANGE;
	int64_t secs = (int64_t)(unix_ns / 1000000000ull);
	uint8_t b = reg(REG_B), wday;
	struct cmos_time t;
	if (cmos_from_unix(secs, b & (CMOS_B_BINARY | CMOS_B_24H), clk.century, &t, &wday) < 0)
		return ERR_OUT_OF_RANGE;
	reg_write(REG_B, b | B_SET);
	reg_write(0, t.sec);
	reg_write(2, t.min);
	reg_write(4, t.hour);
	reg_write(REG_WDAY, wday);
	reg_write(7, t.mday);
	reg_write(8, t.mon);
	reg_write(9, t.year);
	if (clk.century)
		reg_write(REG_CENTURY, t.century);
	reg_write(REG_B, b & (uint8_t)~B_SET);
	uint64_t mono = (uint64_t)ch_clock_ns();
	struct cmos_time u;
	long r = read_regs(&u);
	int64_t back = r < 0 ? -1 : cmos_to_unix(&u);
	/* the chip may have ticked once since */
	if (back != secs && back != secs + 1)
		return ERR_IO;
	clk.unix_ns = unix_ns;
	clk.mono_ns = mono;
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

/* Answers every call waiting on ep (admin: the entry that may set the clock). */
static void serve(handle_t ep, bool admin)
{
	static uint8_t buf[256];
	static handle_t hs[KBUS_MAX_HANDLES];
	for (;;) {
		struct kbus_buf kb = {.data = buf,
		                      .capacity = sizeof(buf),
		                      .handles = hs,
		                      .handles_capacity = KBUS_MAX_HANDLES};
		long r = ch_kbus_recv(ep, &kb, KBUS_NONBLOCK, 0);
		if (r ==
		    ERR_BUFFER_TOO_SMALL) { /* too big for any clock message: take it and refuse */
			static uint8_t big[KBUS_MAX_BYTES];
			kb.data = big;
			kb.capacity = sizeof(big);
			r = ch_kbus_recv(ep, &kb, KBUS_NONBLOCK, 0);
			if (r < 0)
				return;
			for (uint32_t i = 0; i < kb.nhandles && i < KBUS_MAX_HANDLES; i++)
				ch_cap_drop(hs[i]);
			if (kb.flags & KBUS_MSG_CALL)
				status(ep, 0, ERR_MALFORMED);
			continue;
		}
		if (r < 0)
			return;
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
			struct clock_set set;
			memcpy(&set, buf, sizeof(set));
			status(ep, CLOCK_MSG_SET,
			       admin ? set_clock(set.unix_ns) : ERR_ACCESS_DENIED);
		} else if (h.type == CLOCK_MSG_GET || h.type == CLOCK_MSG_SET) {
			status(ep, h.type, ERR_MALFORMED);
		} else {
			status(ep, h.type, ERR_NOT_SUPPORTED);
		}
	}
}

/* The entries: <name> (reads, may be handed on) and <name>-admin (reads and sets). */
static long setup(const char *name, handle_t ep[2], handle_t *ws)
{
	handle_t io, ch[2], ach[2], pool = ch_handle("pool");
	char admin[64];
	long r = snprintf(admin, sizeof(admin), "%s-admin", name) >= (int)sizeof(admin)
	             ? ERR_INVALID_ARGS
	             : ch_dev_ioport(ch_handle("device"), 0, &io);
	if (r >= 0)
		r = ch_ioport_enable(io);
	if (r >= 0) {
		uint8_t c = reg(REG_CENTURY);
		clk.century = (c & 0x0f) <= 9 && (c >> 4) >= 1 && (c >> 4) <= 9;
		r = sync_clock();
	}
	if (r >= 0)
		r = ch_waitset_create(pool, ws);
	if (r >= 0)
		r = ch_channel_create(pool, 0, ch);
	if (r >= 0)
		r = ch_channel_create(pool, 0, ach);
	if (r >= 0) {
		ep[0] = ch[0];
		ep[1] = ach[0];
		r = ch_waitset_add(*ws, ep[0], KBUS_EV_READABLE, 0);
	}
	if (r >= 0)
		r = ch_waitset_add(*ws, ep[1], KBUS_EV_READABLE, 1);
	/* the reading entry first: the first of dev:///clock is the one programs read */
	if (r >= 0)
		r = ch_dev_class_bind_rights("clock", name, ch[1], NS_TYPE_DEV_CLOCK,
		                             RIGHT_SEND | RIGHT_RECV | RIGHT_DUPLICATE |
		                                 RIGHT_TRANSFER | RIGHT_INSPECT);
	if (r >= 0)
		r = ch_dev_class_bind_rights("clock", admin, ach[1], NS_TYPE_DEV_CLOCK,
		                             RIGHT_SEND | RIGHT_RECV);
	ch_dev_ready(r);
	return r;
}

int main(int argc, char **argv)
{
	handle_t ep[2], ws;
	struct kbus_event ev[4];
	if (argc < 2) {
		printf("usage: cmos-rtc <name>\n");
		return 2;
	}
	long r = setup(argv[1], ep, &ws);
	printf("cmos-rtc: %s: %s\n", argv[1], ch_error_name(r));
	long n = r < 0 ? r : 0;
	while (n >= 0) {
		for (long i = 0; i < n; i++)
			serve(ep[ev[i].key ? 1 : 0], ev[i].key != 0);
		n = ch_waitset_wait(ws, ev, 4, CH_FOREVER);
	}
	return 1;
}
