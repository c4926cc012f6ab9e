/*
 * kbustest.h - the harness of bin/kbustest, the user-space kbus test suite.
 *
 * Same shape as bin/usertest: each test is a function, and the runner prints one
 *     VMTEST PASS kbus_user_<name>
 *     VMTEST FAIL kbus_user_<name>: <reason>
 * line for it. CHECK records the first failure and returns from the test.
 *
 * Most tests need a second process: bin/kbustest runs again as a child with
 * argv = {"bin/kbustest", "child", <role>, <arg>} and one end of a channel granted
 * as "ep" (children.c has the roles). A child reports through its channel or its
 * exit code; the parent never waits for one without a timeout, so a kernel that
 * hangs a peer shows up as a FAIL line, not as a stuck suite.
 */
#pragma once

#define kt_fail ch_test_fail /* charlotte/testing.h */
#define kt_failed ch_test_failed

#include <stdint.h>

#include <charlotte/testing.h>

#include <charlotte/kbus.h>
#include <charlotte/names.h>
#include <charlotte/spawn.h>
#include <charlotte/syscall.h>

/* Our handles (from start_info). */
extern handle_t kt_log, kt_pool, kt_self, kt_as;

#define KT_SECOND UINT64_C(1000000000)
#define KT_MS UINT64_C(1000000)
/* Long enough for anything under TCG; reaching it means something hangs. */
#define KT_LONG (20 * KT_SECOND)

/* Scratch mappings of the tests. */
#define KT_VA UINT64_C(0x0000540000000000)
#define FAULT_VA (KT_VA + 0x100000) /* paging.c: where the toucher thread faults */

/* paging.c: a thread of ours paged by pager_ep that writes FAULT_VA. */
long kt_start_toucher(handle_t pager_ep, handle_t *t);
/* paging.c: receive its fault call on server and check it (records a failure). */
void kt_expect_fault(handle_t server, struct kbus_fault_msg *f);

/* Hostile pointers (as in usertest): each must give ERR_BAD_ADDRESS. */
extern const uint64_t kt_bad_ptrs[];
extern const unsigned kt_nbad_ptrs;

/* Rights a child gets on its end of a channel. */
#define KT_EP_RIGHTS \
	(RIGHT_SEND | RIGHT_RECV | RIGHT_WAIT | RIGHT_INSPECT | RIGHT_TRANSFER | RIGHT_DUPLICATE)

/*
 * Spawns bin/kbustest as a child playing role (with arg, may be NULL), granting
 * "log", ep as "ep" (if not HANDLE_INVALID) and extra as "extra" with extra_rights
 * (if not HANDLE_INVALID), and a 2 MiB pool. Returns 0 or an error.
 */
int kt_spawn(const char *role, const char *arg, handle_t ep, handle_t extra, uint64_t extra_rights,
             struct ch_child *c);
/*
 * Waits up to timeout for c to end, fills *st; kills it if it did not (and
 * returns ERR_TIMED_OUT). Releases c either way.
 */
int kt_reap(struct ch_child *c, uint64_t timeout, struct proc_status *st);
/* Like kt_reap, and checks that the child exited with code 0 (records a failure). */
void kt_reap_ok(struct ch_child *c, const char *what);

/* A channel; both ends in e[0], e[1]. Records a failure and returns nonzero if not. */
int kt_channel(uint32_t depth, handle_t e[2]);

/* The tests, one group per file. */
void kt_run_msg_tests(void);
void kt_run_cap_tests(void);
void kt_run_wait_tests(void);
void kt_run_pager_tests(void);
/*
 * paging.c: child role (with arg) blocks a thread of its own on a pager that never
 * answers and says so on "ep"; kill it: it must end PROC_KILLED with no thread left.
 */
void kt_kill_when_blocked(const char *role, const char *arg);
void kt_run_paged_tests(void); /* paged.c */
int kt_paged_child(const char *how);
void kt_run_sched_tests(void);
void kt_run_fast_tests(void); /* fastrace.c: races of the register fast path */

void kt_run(const char *name, void (*fn)(void));

/* The child side: runs role and returns the process's exit code. */
int kt_child_main(int argc, char **argv);
/* fastrace.c's roles (fastcall, fasthold, fastpark, fpuserver): an exit code, or -1
 * when role is not one of them. */
int kt_fast_child(const char *role, const char *arg);

/* --- protocols shared by parents and children --- */

/* Ordered stream (test "order"): a message is a header then a pattern. */
struct kt_seq_msg {
	uint32_t seq;
	uint32_t len; /* bytes of the whole message */
	uint64_t check; /* kt_pattern_sum of the payload */
};
#define KT_SEQ_END UINT32_MAX
/* Fills / checks the payload of message seq (len bytes in all). */
void kt_pattern_fill(uint8_t *p, uint32_t seq, uint32_t len);
int kt_pattern_ok(const uint8_t *p, uint32_t seq, uint32_t len);

/* Requests to the "server" and "caps" roles (first word of a call). */
enum kt_op {
	KT_OP_ADD = 1, /* server: reply a + b, then the data reversed */
	KT_OP_QUIT, /* exit 0 */
	KT_OP_INSPECT, /* caps: inspect the handles that came with this call, keep them */
	KT_OP_RECHECK, /* caps: inspect every kept handle again */
	KT_OP_COUNT, /* caps: how many messages were received so far */
	KT_OP_USE_EP, /* caps: send "hello" on the endpoint that came with this call */
	KT_OP_DROP, /* caps: drop every kept handle */
};

struct kt_req {
	uint32_t op;
	uint32_t n; /* bytes of data that follow */
	uint64_t a, b;
	uint8_t data[256];
};

struct kt_cap_report {
	int32_t r; /* of ch_cap_inspect */
	uint32_t type;
	uint64_t rights;
	uint64_t object_id;
};

struct kt_rep {
	int64_t status;
	uint64_t value;
	uint32_t n; /* reports / bytes that follow */
	uint32_t reserved;
	union {
		uint8_t data[256];
		struct kt_cap_report caps[8];
	};
};
