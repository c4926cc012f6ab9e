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
 *
 * Waiting for a restart polls with a bound on the number of tries, never on a
 * duration that the test would judge.
 */
#include <stdio.h>
#include <string.h>

#include <charlotte/ns.h>
#include <charlotte/start.h>
#include <charlotte/syscall.h>
#include <charlotte/testing.h>

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
	static char buf[512];
	uint64_t cookie = 0;
	EXPECT_OK(ch_ns_list(fs, &cookie, buf, sizeof(buf), 0));
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
}

int main(int argc, char **argv)
{
	mode = argc > 1 ? argv[1] : "";
	if (!strcmp(mode, "crash"))
		return crash();
	return ch_test_main(run_all);
}
