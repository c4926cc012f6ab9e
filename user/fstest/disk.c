/*
 * disk.c - fstest's home disk: the driver and fsd started and stopped, and the
 * pattern and CRC helpers both the fs_* suite and the power-cut writer use
 * (fstest.h).
 *
 * Until Exec starts drivers from its manifest, fstest starts them as blktest
 * does: bin/virtio-blk on the third virtio-blk function as vdc (tools/qemu.sh
 * attaches the home disk after the two scratch disks), then serves fs:///disk
 * itself and starts bin/fsd there with a control endpoint (fsd_ctl.h). The wall
 * clock too (bin/cmos-rtc as dev:///clock/rtc, which the test manifest does not
 * start), so that fsd stamps real times (tools/fsd-check.sh compares them with the
 * host's); without an RTC fsd counts from boot, as before.
 */
#include "fstest.h"

#include <stdio.h>
#include <string.h>

#include <abi/errors.h>
#include <abi/rights.h>
#include <charlotte/driver.h>
#include <charlotte/hw.h>
#include <charlotte/kbus.h>
#include <charlotte/names.h>
#include <charlotte/ns.h>
#include <charlotte/spawn.h>
#include <charlotte/start.h>
#include <charlotte/syscall.h>

#include "../fsd/fsd_ctl.h"

static struct ch_child driver, fsd, rtc;
static handle_t ctl = HANDLE_INVALID; /* our end of fsd's control channel */

long fstest_start_driver(void)
{
	const struct ch_dev_match m = {0x1af4, CH_DEV_ANY, 0x01, 0x00, CH_DEV_ANY};
	const char *argv[] = {"bin/virtio-blk", "vdc", NULL};
	handle_t dev, hw = ch_handle("hw");
	long r = hw == HANDLE_INVALID ? ERR_NOT_FOUND : ch_dev_find(hw, &m, 2, &dev);
	if (r < 0)
		return r;
	r = ch_driver_spawn(argv, dev, 4u << 20, FSTEST_LONG, &driver);
	ch_cap_drop(dev);
	return r;
}

/* bin/cmos-rtc on the "rtc" platform device as dev:///clock/rtc; 0 or ERR_*. */
static long start_clock(void)
{
	handle_t hw = ch_handle("hw"), dev = HANDLE_INVALID;
	if (hw == HANDLE_INVALID || rtc.process != HANDLE_INVALID)
		return hw == HANDLE_INVALID ? ERR_NOT_FOUND : 0;
	for (uint32_t i = 0; dev == HANDLE_INVALID; i++) {
		struct hw_device_info di;
		long r = ch_dev_enum(hw, i, &di, NULL);
		if (r < 0)
			return r == ERR_OUT_OF_RANGE ? ERR_NOT_FOUND : r;
		if (di.bus == HW_BUS_PLATFORM && !strncmp(di.name, "rtc", sizeof(di.name)) &&
		    (r = ch_dev_enum(hw, i, &di, &dev)) < 0)
			return r;
	}
	const char *argv[] = {"bin/cmos-rtc", "rtc", NULL};
	long r = ch_driver_spawn(argv, dev, 1u << 20, FSTEST_LONG, &rtc);
	ch_cap_drop(dev);
	return r;
}

long fstest_start_fsd(void)
{
	long clock = start_clock();
	if (clock < 0)
		printf("fstest: no wall clock for fsd: %s\n", ch_error_name(clock));
	handle_t fs = ch_ns_root("fs"), srv, c[2];
	long r = fs == HANDLE_INVALID ? ERR_NOT_FOUND : ch_ns_serve(fs, "disk", 4, &srv);
	if (r < 0)
		return r;
	if ((r = ch_channel_create(ch_handle("pool"), 0, c)) < 0) {
		ch_cap_drop(srv);
		return r;
	}
	struct ch_grant g[4] = {{"log", ch_handle("log"), RIGHT_WRITE | RIGHT_TRANSFER},
	                        {"ns", ch_handle("ns"), NS_RIGHTS_SAME},
	                        {"provider", srv, RIGHT_SEND | RIGHT_RECV | RIGHT_WAIT},
	                        {"ctl", c[1], RIGHT_SEND | RIGHT_RECV | RIGHT_WAIT}};
	struct cap_info ns = {0};
	if ((r = ch_cap_inspect(ch_handle("ns"), &ns)) >= 0) {
		g[1].rights = ns.rights;
		const char *argv[] = {"bin/fsd", "dev:///block/vdc", NULL};
		struct ch_spawn_args a = {.path = argv[0],
		                          .argv = argv,
		                          .grants = g,
		                          .ngrants = 4,
		                          .child_pool = 10u << 20};
		/* an fsd just stopped gives its pool back a moment after its end is
		 * reported: wait for it (the test's own watchdog ends a real hang first) */
		r = ch_spawn_when_room(&a, &fsd, FSTEST_LONG);
	}
	ch_cap_drop(srv);
	ch_cap_drop(c[1]);
	if (r < 0) {
		ch_cap_drop(c[0]);
		return r;
	}
	ctl = c[0];
	struct ns_stat st; /* answered once fsd has mounted and serves */
	r = ch_ns_stat_at(fs, "disk", 4, &st, FSTEST_LONG);
	return r < 0 ? r : st.type == NS_TYPE_DIR ? 0 : ERR_WRONG_TYPE;
}

long fstest_ctl(uint32_t op)
{
	int32_t status = 0;
	struct kbus_msg m = {.data = &op, .len = sizeof(op)};
	struct kbus_buf b = {.data = &status, .capacity = sizeof(status)};
	long r = ch_kbus_call(ctl, &m, &b, FSTEST_LONG);
	if (r < 0)
		return r;
	if (b.len != sizeof(status))
		return ERR_MALFORMED;
	if (op == FSD_CTL_STOP) {
		struct proc_status ps;
		ch_proc_wait(fsd.process, FSTEST_LONG, &ps);
		ch_child_release(&fsd);
		ch_cap_drop(ctl);
		ctl = HANDLE_INVALID;
	}
	return status;
}

long fstest_map(uint32_t ino, uint64_t rights, handle_t *mem, uint64_t *size)
{
	struct fsd_ctl_map q = {.op = FSD_CTL_MAP, .ino = ino, .rights = rights};
	struct fsd_ctl_mapped a = {0};
	handle_t h[1] = {HANDLE_INVALID};
	struct kbus_msg m = {.data = &q, .len = sizeof(q)};
	struct kbus_buf b = {
	    .data = &a, .capacity = sizeof(a), .handles = h, .handles_capacity = 1};
	long r = ch_kbus_call(ctl, &m, &b, FSTEST_LONG);
	if (r >= 0 && (b.len != sizeof(a) || b.nhandles != (a.status < 0 ? 0u : 1u)))
		r = ERR_MALFORMED;
	if (r >= 0 && a.status < 0)
		r = a.status;
	if (r < 0) {
		if (h[0] != HANDLE_INVALID)
			ch_cap_drop(h[0]);
		return r;
	}
	*mem = h[0];
	if (size)
		*size = a.size;
	return 0;
}

long fstest_kill_fsd(void)
{
	if (fsd.process == HANDLE_INVALID)
		return ERR_BAD_STATE;
	struct proc_status ps;
	long r = ch_proc_kill(fsd.process);
	if (r >= 0)
		r = ch_proc_wait(fsd.process, FSTEST_LONG, &ps);
	ch_child_release(&fsd);
	ch_cap_drop(ctl);
	ctl = HANDLE_INVALID;
	return r;
}

int fstest_fsd_running(void)
{
	return ctl != HANDLE_INVALID;
}

long fstest_finish(void)
{
	long r = 0;
	if (ctl != HANDLE_INVALID)
		r = fstest_ctl(FSD_CTL_STOP);
	else if (fsd.process != HANDLE_INVALID)
		ch_proc_kill(fsd.process);
	if (driver.process != HANDLE_INVALID) {
		struct proc_status st;
		ch_proc_kill(driver.process);
		ch_proc_wait(driver.process, FSTEST_LONG, &st);
		ch_child_release(&driver);
		ch_driver_unbind("vdc"); /* its entry would keep its pool taken */
	}
	if (rtc.process != HANDLE_INVALID) {
		struct proc_status st;
		ch_proc_kill(rtc.process);
		ch_proc_wait(rtc.process, FSTEST_LONG, &st);
		ch_child_release(&rtc);
		ch_driver_unbind("rtc");
		ch_driver_unbind("rtc-admin"); /* its second entry: it would keep its pool taken */
	}
	handle_t fs = ch_ns_root("fs");
	if (fs != HANDLE_INVALID)
		ch_ns_unlink(fs, "disk", 4, 0, FSTEST_LONG);
	return r;
}

/* --- patterns and sums --- */

/* The CRC of one more byte: a table made on first use, one entry per byte value. */
static uint32_t crc_table[256];

uint32_t fstest_crc(uint32_t crc, const void *buf, size_t n)
{
	if (!crc_table[1]) {
		for (uint32_t v = 0; v < 256; v++) {
			uint32_t c = v << 24;
			for (int i = 0; i < 8; i++)
				c = c & 0x80000000u ? (c << 1) ^ 0x04c11db7u : c << 1;
			crc_table[v] = c;
		}
	}
	const uint8_t *p = buf;
	for (size_t i = 0; i < n; i++)
		crc = (crc << 8) ^ crc_table[(crc >> 24) ^ p[i]];
	return crc;
}

uint32_t fstest_cksum_finish(uint32_t crc, uint64_t len)
{
	for (; len; len >>= 8) {
		uint8_t b = (uint8_t)len;
		crc = fstest_crc(crc, &b, 1);
	}
	return ~crc;
}

uint8_t fstest_pat(uint64_t i, uint32_t seed)
{
	return (uint8_t)(i * 131 + (i >> 8) + seed);
}

void fstest_fill(uint8_t *buf, uint64_t off, size_t len, uint32_t seed)
{
	for (size_t i = 0; i < len; i++)
		buf[i] = fstest_pat(off + i, seed);
}

handle_t fstest_disk_root(void)
{
	handle_t h;
	struct ns_open_args a = {
	    .type = NS_TYPE_DIR, .rights = NS_RIGHTS_SAME, .timeout = FSTEST_LONG};
	handle_t fs = ch_ns_root("fs");
	return fs != HANDLE_INVALID && ch_ns_open(fs, "disk", 4, &a, &h) >= 0 ? h : HANDLE_INVALID;
}

long fstest_open(handle_t dir, const char *path, uint32_t type, uint32_t flags, handle_t *out)
{
	struct ns_open_args a = {
	    .type = type, .flags = flags, .rights = NS_RIGHTS_SAME, .timeout = FSTEST_LONG};
	return ch_ns_open(dir, path, strlen(path), &a, out);
}
