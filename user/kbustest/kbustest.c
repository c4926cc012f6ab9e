/*
 * kbustest.c - bin/kbustest: the user-space kbus suite's runner and shared helpers
 * (see kbustest.h).
 *
 * Started by Exec from etc/test.manifest with "log" and a pool; ch_spawn() gives it
 * "self.process" and "self.as". With argv[1] == "child" it is one of the children
 * the tests start (children.c) instead. Exits with 0 when every test passed.
 */
#include "kbustest.h"

#include <charlotte/testing.h>

#include <stdarg.h>
#include <stdio.h>
#include <string.h>

#include <charlotte/start.h>

handle_t kt_log, kt_pool, kt_self, kt_as;

const uint64_t kt_bad_ptrs[] = {
    0, /* NULL */
    0x1000, /* unmapped user page */
    0x00007ffffffff000, /* unmapped, last user page */
    0x0000800000000000, /* first non-canonical address */
    0xffff800000000000, /* kernel: direct map */
    0xffffffff80000000, /* kernel: image */
};
const unsigned kt_nbad_ptrs = sizeof(kt_bad_ptrs) / sizeof(kt_bad_ptrs[0]);

void kt_run(const char *name, void (*fn)(void))
{
	ch_test_run("kbus_user_", name, fn);
}

int kt_spawn(const char *role, const char *arg, handle_t ep, handle_t extra, uint64_t extra_rights,
             struct ch_child *c)
{
	const char *argv[] = {"bin/kbustest", "child", role, arg, NULL};
	struct ch_grant g[3] = {{"log", kt_log, RIGHT_WRITE}};
	unsigned n = 1;

	if (ep != HANDLE_INVALID)
		g[n++] = (struct ch_grant){"ep", ep, KT_EP_RIGHTS};
	if (extra != HANDLE_INVALID)
		g[n++] = (struct ch_grant){"extra", extra, extra_rights};
	struct ch_spawn_args a = {.path = "bin/kbustest",
	                          .argv = argv,
	                          .grants = g,
	                          .ngrants = n,
	                          .child_pool = strcmp(role, "lazy") ? 2u << 20 : 12u << 20};
	return ch_spawn(&a, c);
}

int kt_reap(struct ch_child *c, uint64_t timeout, struct proc_status *st)
{
	long r = ch_proc_wait(c->process, timeout, st);
	if (r == ERR_TIMED_OUT) {
		ch_proc_kill(c->process);
		ch_proc_wait(c->process, KT_LONG, NULL);
	}
	ch_child_release(c);
	return (int)r;
}

void kt_reap_ok(struct ch_child *c, const char *what)
{
	struct proc_status st;
	int r = kt_reap(c, KT_LONG, &st);
	char how[96];

	if (r < 0) {
		kt_fail("%s: wait: %s", what, ch_error_name(r));
		return;
	}
	if (st.state != PROC_EXITED || st.code != 0) {
		ch_proc_status_describe(&st, how, sizeof(how));
		kt_fail("%s: child %s", what, how);
	}
}

int kt_channel(uint32_t depth, handle_t e[2])
{
	long r = ch_channel_create(kt_pool, depth, e);
	if (r < 0) {
		kt_fail("channel_create(depth %u): %s", depth, ch_error_name(r));
		return 1;
	}
	return 0;
}

static uint64_t pattern_byte(uint32_t seq, uint32_t i)
{
	return (uint8_t)(seq * 131u + i * 7u + (i >> 8));
}

void kt_pattern_fill(uint8_t *p, uint32_t seq, uint32_t len)
{
	for (uint32_t i = sizeof(struct kt_seq_msg); i < len; i++)
		p[i] = (uint8_t)pattern_byte(seq, i);
}

int kt_pattern_ok(const uint8_t *p, uint32_t seq, uint32_t len)
{
	for (uint32_t i = sizeof(struct kt_seq_msg); i < len; i++)
		if (p[i] != (uint8_t)pattern_byte(seq, i))
			return 0;
	return 1;
}

/* Both ends come back as live endpoints; everything else depends on it. */
static void test_channel_create(void)
{
	handle_t e[2] = {HANDLE_INVALID, HANDLE_INVALID};
	struct cap_info a, b;

	EXPECT_OK(ch_channel_create(kt_pool, 0, e));
	long r0 = ch_cap_inspect(e[0], &a), r1 = ch_cap_inspect(e[1], &b);
	if (r0 >= 0)
		ch_cap_drop(e[0]);
	if (r1 >= 0)
		ch_cap_drop(e[1]);
	CHECK(r0 >= 0 && r1 >= 0, "ends 0x%x (%s) and 0x%x (%s): not both live", e[0],
	      ch_error_name(r0), e[1], ch_error_name(r1));
	CHECK(a.type == OBJ_ENDPOINT && b.type == OBJ_ENDPOINT && a.object_id != b.object_id,
	      "ends are types %u and %u, ids %llu and %llu", a.type, b.type,
	      (unsigned long long)a.object_id, (unsigned long long)b.object_id);
	/* a channel's kind: kept by the kernel, reported on both ends */
	struct kbus_endpoint_info info;
	EXPECT_OK(ch_channel_create(kt_pool, 0, e));
	EXPECT_OK(ch_kbus_info(e[1], &info));
	CHECK(info.kind == KBUS_KIND_NONE, "plain channel: kind %u", info.kind);
	ch_cap_drop(e[0]);
	ch_cap_drop(e[1]);
	EXPECT_OK(ch_channel_create_kind(kt_pool, 0, e, KBUS_KIND_TERM));
	EXPECT_OK(ch_kbus_info(e[0], &info));
	CHECK(info.kind == KBUS_KIND_TERM, "terminal channel, end 0: kind %u", info.kind);
	EXPECT_OK(ch_kbus_info(e[1], &info));
	CHECK(info.kind == KBUS_KIND_TERM, "terminal channel, end 1: kind %u", info.kind);
	ch_cap_drop(e[0]);
	ch_cap_drop(e[1]);
	EXPECT_ERR(ch_channel_create_kind(kt_pool, 0, e, 1ull << 32), ERR_INVALID_ARGS);
}

static void run_all(void)
{
	kt_run("channel_create", test_channel_create);
	if (kt_failed()) {
		/* planned, not run: each is a "did not run" failure in the harness */
		printf("kbustest: no usable channel: the other tests are not run\n");
		return;
	}
	kt_run_msg_tests();
	kt_run_cap_tests();
	kt_run_wait_tests();
	kt_run_pager_tests();
	kt_run_paged_tests();
	kt_run_sched_tests();
	kt_run_fast_tests();
}

int main(int argc, char **argv)
{
	if (argc >= 3 && strcmp(argv[1], "child") == 0)
		return kt_child_main(argc, argv);
	kt_log = ch_handle("log");
	kt_pool = ch_handle("pool");
	kt_self = ch_handle("self.process");
	kt_as = ch_handle("self.as");
	if (!kt_log || !kt_pool || !kt_self || !kt_as) {
		printf("VMTEST FAIL kbus_user_start_info: missing a capability (log %x pool %x "
		       "self.process %x self.as %x)\n",
		       kt_log, kt_pool, kt_self, kt_as);
		return 1;
	}
	printf("kbustest: starting\n");
	int r = ch_test_main(run_all); /* the plan, then the tests */
	printf("kbustest: done\n");
	return r;
}
