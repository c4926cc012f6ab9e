/*
 * svctest.c - bin/svctest: Charlotte Exec's supervision and views, from the
 * programs' side (docs/userspace.md, "Charlotte Exec and the manifest").
 * etc/test.manifest runs it four times, in this order, with the grants each
 * part needs:
 *
 *     svctest restart    (ns) kills the tmpfs serving fs:///tmp through proc://:
 *                        a capability to the old one fails with ERR_PEER_CLOSED,
 *                        and fs:///tmp works again once Exec has restarted it
 *     svctest crash      a service (serve:svc/crashloop, view ns.fs:/tmp:rw) that
 *                        notes each start in fs:///crashloop.starts of its view,
 *                        then crashes
 *     svctest gave-up    (ns) waits until Exec has given up on crashloop (its
 *                        served name goes), then counts the starts: the first
 *                        and EXEC_RESTART_MAX restarts
 *     svctest view       (ns.fs:/tmp:r only) sees fs:///tmp as its fs:///, can
 *                        read and list it and nothing more
 *     svctest driver tst%   a driver line (device: the PCI host bridge, which no
 *                        real driver wants; bind:dev/serial): checks it got its
 *                        device, class directory and instance name, binds
 *                        dev:///serial/tst0 and answers who it is, or crashes
 *                        when asked to
 *     svctest drivers    (ns) talks to it, makes it crash mid-call (ERR_PEER_CLOSED),
 *                        and talks to the restarted instance through a reopen
 *
 * Waiting for a restart polls with a bound on the number of tries, never on a
 * duration that the test would judge.
 */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <string.h>
#include <sys/stat.h>

#include <charlotte/hw.h>
#include <charlotte/kbus.h>
#include <charlotte/ns.h>
#include <charlotte/start.h>
#include <charlotte/syscall.h>
#include <charlotte/testing.h>

#include "../exec/exec.h"
#include "../exec/restart.h"

#define MS UINT64_C(1000000)
#define POLL_TRIES 3000 /* of 10 ms each */

static long nopen(handle_t dir, const char *path, uint32_t type, uint32_t flags, uint64_t rights,
                  handle_t *out)
{
	struct ns_open_args a = {.type = type, .flags = flags, .rights = rights};
	return ch_ns_open(dir, path, strlen(path), &a, out);
}

/* The proc:// name of the first process called name ("" when none). */
static void find_process(handle_t proc, const char *name, char out[16])
{
	static char buf[2048], status[512];
	char want[48];
	uint64_t cookie = 0;
	long n;
	snprintf(want, sizeof(want), "name %s\n", name);
	out[0] = '\0';
	while (!out[0] && (n = ch_ns_list(proc, &cookie, buf, sizeof(buf), 0)) > 0)
		for (long off = 0; off < n && !out[0];) {
			struct ns_dirent *de = (struct ns_dirent *)(buf + off);
			handle_t f;
			off += de->reclen;
			if (nopen(proc, de->name, NS_TYPE_PROC, 0, RIGHT_READ, &f) < 0)
				continue;
			memset(status, 0, sizeof(status));
			if (ch_ns_read(f, 0, status, sizeof(status) - 1, 0) > 0 &&
			    strstr(status, want) && strstr(status, "state running\n"))
				snprintf(out, 16, "%s", de->name);
			ch_cap_drop(f);
		}
}

static void test_restart(void)
{
	handle_t fs = ch_ns_root("fs"), proc = ch_ns_root("proc"), tmp, f;
	char pid[16];
	CHECK(fs != HANDLE_INVALID && proc != HANDLE_INVALID, "no fs:// or proc://");
	EXPECT_OK(nopen(fs, "tmp", NS_TYPE_DIR, 0, NS_RIGHTS_SAME, &tmp));
	EXPECT_OK(nopen(tmp, "before", NS_TYPE_FILE, NS_OPEN_CREATE, NS_RIGHTS_SAME, &f));
	ch_cap_drop(f);
	find_process(proc, "tmpfs", pid);
	CHECK(pid[0], "no tmpfs in proc://");
	EXPECT_OK(ch_ns_unlink(proc, pid, strlen(pid), 0, 0)); /* kill it */
	/* what was opened from the old provider is gone with it */
	EXPECT_ERR(nopen(tmp, "before", NS_TYPE_FILE, 0, NS_RIGHTS_SAME, &f), ERR_PEER_CLOSED);
	ch_cap_drop(tmp);
	/* Exec restarts it and serves fs:///tmp again: reopening works (a new, empty tmpfs) */
	long r = -1;
	for (unsigned i = 0; i < POLL_TRIES && r < 0; i++) {
		r = nopen(fs, "tmp/after", NS_TYPE_FILE, NS_OPEN_CREATE, NS_RIGHTS_SAME, &f);
		if (r < 0) {
			CHECK(r == ERR_PEER_CLOSED, "while it restarts: %s", ch_error_name(r));
			ch_sleep_ns(10 * MS);
		}
	}
	EXPECT_OK(r);
	EXPECT_OK(ch_ns_write(f, 0, "back", 4, 0));
	ch_cap_drop(f);
	EXPECT_ERR(nopen(fs, "tmp/before", NS_TYPE_FILE, 0, NS_RIGHTS_SAME, &f), ERR_NOT_FOUND);
	find_process(proc, "tmpfs", pid);
	CHECK(pid[0], "no tmpfs in proc:// after the restart");
}

/* A service that cannot stay up: note the start in the view's fs:///, then fault. */
static int crash(void)
{
	FILE *f = fopen("/crashloop.starts", "a");
	if (f) {
		fputs("start\n", f);
		fclose(f);
	}
	// cppcheck-suppress nullPointer ; the point: this must page-fault
	return *(volatile int *)(uintptr_t)0;
}

static void test_gives_up(void)
{
	handle_t svc = ch_ns_root("svc"), fs = ch_ns_root("fs"), h;
	CHECK(svc != HANDLE_INVALID && fs != HANDLE_INVALID, "no svc:// or fs://");
	long r = 0;
	for (unsigned i = 0; i < POLL_TRIES && r != ERR_NOT_FOUND; i++) {
		r = nopen(svc, "crashloop", NS_TYPE_ANY, 0, NS_RIGHTS_SAME, &h);
		if (r >= 0)
			ch_cap_drop(h);
		if (r != ERR_NOT_FOUND)
			ch_sleep_ns(10 * MS);
	}
	CHECK(r == ERR_NOT_FOUND, "svc:///crashloop still there: %s", ch_error_name(r));
	static char buf[512];
	EXPECT_OK(nopen(fs, "tmp/crashloop.starts", NS_TYPE_FILE, 0, RIGHT_READ, &h));
	long n = ch_ns_read(h, 0, buf, sizeof(buf) - 1, 0);
	ch_cap_drop(h);
	EXPECT_OK(n);
	unsigned starts = 0;
	for (long i = 0; i < n; i++)
		starts += buf[i] == '\n';
	CHECK(starts == 1 + EXEC_RESTART_MAX, "%u starts, want %u", starts, 1 + EXEC_RESTART_MAX);
}

/* Granted only ns.fs:/tmp:r: fs:/// is fs:///tmp, readable and nothing more. */
static void test_view(void)
{
	handle_t fs = ch_ns_root("fs"), h;
	CHECK(fs != HANDLE_INVALID, "no fs://");
	CHECK(ch_handle("ns") == HANDLE_INVALID && ch_ns_root("proc") == HANDLE_INVALID,
	      "more than the view");
	struct cap_info ci;
	EXPECT_OK(ch_cap_inspect(fs, &ci));
	CHECK(ci.rights == (RIGHT_READ | RIGHT_LOOKUP | RIGHT_ENUMERATE | RIGHT_DUPLICATE |
	                    RIGHT_TRANSFER | RIGHT_INSPECT),
	      "view rights %#llx", (unsigned long long)ci.rights);
	EXPECT_OK(nopen(fs, "crashloop.starts", NS_TYPE_FILE, 0, RIGHT_READ, &h));
	char c;
	EXPECT_OK(ch_ns_read(h, 0, &c, 1, 0));
	EXPECT_ERR(ch_ns_write(h, 0, "x", 1, 0), ERR_ACCESS_DENIED);
	ch_cap_drop(h);
	EXPECT_ERR(nopen(fs, "crashloop.starts", NS_TYPE_FILE, 0, RIGHT_WRITE, &h),
	           ERR_ACCESS_DENIED);
	EXPECT_ERR(nopen(fs, "new", NS_TYPE_FILE, NS_OPEN_CREATE, RIGHT_READ, &h),
	           ERR_ACCESS_DENIED);
	EXPECT_ERR(ch_ns_unlink(fs, "crashloop.starts", 16, 0, 0), ERR_ACCESS_DENIED);
	/* nothing above it can be named: ../tmp (which exists) looks like a missing name */
	EXPECT_ERR(nopen(fs, "../tmp", NS_TYPE_ANY, 0, RIGHT_READ, &h), ERR_NOT_FOUND);
	EXPECT_ERR(nopen(fs, "tmp", NS_TYPE_ANY, 0, RIGHT_READ, &h), ERR_NOT_FOUND);
	FILE *f = fopen("/crashloop.starts", "r"); /* libc's fs root is the view */
	CHECK(f, "fopen in the view");
	fclose(f);
	f = fopen("/crashloop.starts", "a");
	if (f)
		fclose(f);
	CHECK(!f, "wrote through a read-only view");
	/* nor change attributes: no WRITE, so no chmod, chown or times (ns_setattr) */
	EXPECT_OK(nopen(fs, "crashloop.starts", NS_TYPE_FILE, 0, NS_RIGHTS_SAME, &h));
	struct ns_setattr sa = {.valid = NS_ATTR_MODE, .mode = 0777};
	EXPECT_ERR(ch_ns_setattr(h, &sa, 0), ERR_ACCESS_DENIED);
	EXPECT_ERR(ch_ns_setattr(fs, &sa, 0), ERR_ACCESS_DENIED);
	ch_cap_drop(h);
	CHECK(chmod("/crashloop.starts", 0777) == -1 && errno == EACCES,
	      "chmod in a read-only view: errno %d", errno);
	CHECK(utimensat(AT_FDCWD, "/crashloop.starts", NULL, 0) == -1 && errno == EACCES,
	      "utimensat in a read-only view: errno %d", errno);
	static char buf[512];
	uint64_t cookie = 0;
	EXPECT_OK(ch_ns_list(fs, &cookie, buf, sizeof(buf), 0));
}

/* The test driver's words: a call {DRV_WHO} is answered {vendor << 16 | device, bus,
 * the instance name's first 8 bytes, 0}; {DRV_CRASH} makes it fault unanswered. */
#define DRV_WHO 1
#define DRV_CRASH 2

static uint64_t name_word(const char *s)
{
	uint64_t w = 0;
	memcpy(&w, s, strnlen(s, sizeof(w)));
	return w;
}

static int driver(const char *name)
{
	handle_t dev = ch_handle("device"), class = ch_handle("class"), ep[2];
	struct hw_device_info info;
	struct cap_info ci;
	if (ch_handle("ns") != HANDLE_INVALID || ch_dev_info(dev, &info) < 0)
		return 10; /* exactly its grants */
	if (ch_cap_inspect(class, &ci) < 0 || ci.rights != EXEC_CLASS_RIGHTS)
		return 11;
	if (ch_channel_create(ch_handle("pool"), 0, ep) < 0 ||
	    ch_ns_bind(class, name, strlen(name), ep[0], RIGHT_SEND | RIGHT_RECV | RIGHT_WAIT,
	               NS_TYPE_DEV_SERIAL) < 0)
		return 12; /* (ep[0] is kept: the channel lives while a handle to each end does) */
	uint64_t in[KBUS_FAST_WORDS], out[KBUS_FAST_WORDS];
	const uint64_t *reply = NULL;
	for (;;) {
		if (ch_kbus_reply_recv_fast(ep[1], reply, in, NULL) < 0)
			return 13;
		if (in[0] == DRV_CRASH)
			// cppcheck-suppress nullPointer ; the point: this must page-fault
			return *(volatile int *)(uintptr_t)0;
		out[0] = (uint64_t)info.vendor << 16 | info.device;
		out[1] = info.bus;
		out[2] = name_word(name);
		out[3] = 0;
		reply = out;
	}
}

/* Open dev:///serial/tst0 and ask who it is, until an instance answers. */
static long reach_driver(handle_t dev, handle_t *ep, uint64_t out[KBUS_FAST_WORDS])
{
	long r = ERR_NOT_FOUND;
	for (unsigned i = 0; i < POLL_TRIES && r < 0; i++) {
		struct ns_open_args a = {.type = NS_TYPE_DEV_SERIAL, .rights = NS_RIGHTS_SAME};
		r = ch_ns_open(dev, "serial/tst0", 11, &a, ep);
		if (r == 1) {
			uint64_t w[KBUS_FAST_WORDS] = {DRV_WHO};
			r = ch_kbus_call_fast(*ep, w, out, 1000 * MS);
			if (r < 0)
				ch_cap_drop(*ep);
		} else if (r >= 0) {
			ch_cap_drop(*ep);
			r = ERR_WRONG_TYPE;
		}
		if (r < 0)
			ch_sleep_ns(10 * MS);
	}
	return r;
}

static void test_drivers(void)
{
	handle_t dev = ch_ns_root("dev"), ep;
	uint64_t out[KBUS_FAST_WORDS];
	CHECK(dev != HANDLE_INVALID, "no dev://");
	EXPECT_OK(reach_driver(dev, &ep, out));
	CHECK(out[0] == (0x8086u << 16 | 0x29c0u) || out[0] == (0x8086u << 16 | 0x1237u),
	      "device %#llx", (unsigned long long)out[0]);
	CHECK(out[1] == HW_BUS_PCI && out[2] == name_word("tst0"), "bus %llu, name",
	      (unsigned long long)out[1]);
	/* Exec labelled the device with its driver and dev:// name (what `devices` shows);
	 * "hw.list" lists, and nothing more */
	handle_t list = ch_handle("hw.list"), bridge;
	struct hw_device_info info;
	CHECK(list != HANDLE_INVALID, "no hw.list");
	EXPECT_OK(ch_dev_enum(list, 0, &info, NULL));
	uint32_t i = 0;
	while (strcmp(info.name, "0000:00:00.0") != 0)
		EXPECT_OK(ch_dev_enum(list, ++i, &info, NULL));
	CHECK(strcmp(info.label.driver, "svctest") == 0 &&
	          strcmp(info.label.uri, "dev:///serial/tst0") == 0,
	      "label '%.24s' '%.72s'", info.label.driver, info.label.uri);
	EXPECT_OK(ch_dev_enum(list, i, &info, &bridge));
	EXPECT_ERR(ch_dev_label(bridge, &info.label), ERR_ACCESS_DENIED);
	EXPECT_ERR(ch_dev_config_write(bridge, 4, 2, 0), ERR_ACCESS_DENIED);
	ch_cap_drop(bridge);
	/* the driver dies mid-call: its client sees ERR_PEER_CLOSED, then so does every call */
	uint64_t crash[KBUS_FAST_WORDS] = {DRV_CRASH};
	EXPECT_ERR(ch_kbus_call_fast(ep, crash, out, UINT64_MAX), ERR_PEER_CLOSED);
	uint64_t who[KBUS_FAST_WORDS] = {DRV_WHO};
	EXPECT_ERR(ch_kbus_call_fast(ep, who, out, UINT64_MAX), ERR_PEER_CLOSED);
	ch_cap_drop(ep);
	/* Exec restarts it; it binds its entry again, and a reopen reaches it */
	EXPECT_OK(reach_driver(dev, &ep, out));
	CHECK(out[2] == name_word("tst0"), "the restarted instance's name");
	ch_cap_drop(ep);
}

static const char *mode;

static void run_all(void)
{
	if (!strcmp(mode, "restart"))
		ch_test_run("exec_", "service_restart", test_restart);
	else if (!strcmp(mode, "gave-up"))
		ch_test_run("exec_", "service_gives_up", test_gives_up);
	else if (!strcmp(mode, "view"))
		ch_test_run("exec_", "view", test_view);
	else if (!strcmp(mode, "drivers"))
		ch_test_run("exec_", "driver_restart", test_drivers);
}

int main(int argc, char **argv)
{
	mode = argc > 1 ? argv[1] : "";
	if (!strcmp(mode, "crash"))
		return crash();
	if (!strcmp(mode, "driver") && argc > 2)
		return driver(argv[2]);
	return ch_test_main(run_all);
}
