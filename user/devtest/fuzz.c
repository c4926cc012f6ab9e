/*
 * fuzz.c - devtest's driver fuzzing (fuzz.h): hostile device-class messages from
 * another process, the driver answering each and staying up.
 */
#include "fuzz.h"

#include <stdio.h>

#include <abi/errors.h>
#include <abi/rights.h>
#include <charlotte/names.h>
#include <charlotte/ns.h>
#include <charlotte/spawn.h>
#include <charlotte/start.h>
#include <charlotte/syscall.h>
#include <charlotte/testing.h>

#define DEVTEST_FUZZ_CALLS "300"
#define DEVTEST_FUZZ_NS (120ull * 1000 * 1000 * 1000) /* 300 calls, 10 s each at most */

int devtest_fuzz(const char *uri, handle_t driver, uint64_t seed)
{
	char seed_s[24];
	snprintf(seed_s, sizeof(seed_s), "%#llx", (unsigned long long)seed);
	const char *argv[] = {"bin/sysfuzz", "dev", uri, seed_s, DEVTEST_FUZZ_CALLS, NULL};
	struct ch_grant g[] = {
	    {"log", ch_handle("log"), RIGHT_WRITE | RIGHT_TRANSFER},
	    {"ns.dev", ch_ns_root("dev"), RIGHTS_ALL},
	};
	struct ch_spawn_args a = {
	    .path = "bin/sysfuzz", .argv = argv, .grants = g, .ngrants = 2, .child_pool = 1u << 20};
	struct ch_child c;
	struct proc_status st;
	long r = ch_spawn(&a, &c);
	if (r < 0) {
		struct pool_info pi = {0};
		ch_pool_info(ch_handle("pool"), &pi);
		ch_test_fail("spawn bin/sysfuzz dev: %s (our pool: %llu of %llu bytes used)",
		             ch_error_name(r), (unsigned long long)pi.used,
		             (unsigned long long)pi.quota);
		return 0;
	}
	r = ch_proc_wait(c.process, DEVTEST_FUZZ_NS, &st);
	if (r < 0) {
		ch_proc_kill(c.process);
		ch_proc_wait(c.process, DEVTEST_FUZZ_NS, &st);
	}
	ch_child_release(&c);
	if (r < 0 || st.state != PROC_EXITED || st.code != 0) {
		char how[96];
		ch_proc_status_describe(&st, how, sizeof(how));
		ch_test_fail("bin/sysfuzz dev %s: %s (its log line says why)", uri,
		             r < 0 ? ch_error_name(r) : how);
		return 0;
	}
	if (ch_proc_wait(driver, 0, &st) != ERR_TIMED_OUT) {
		ch_test_fail("the driver of %s ended under the fuzzer", uri);
		return 0;
	}
	return 1;
}
