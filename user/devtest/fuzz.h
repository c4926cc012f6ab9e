/*
 * fuzz.h - devtest's <class>_<target>_fuzz tests: bin/sysfuzz's device-class fuzzer
 * (user/sysfuzz/dev.c) against one driver.
 */
#pragma once
#include <stdint.h>

#include <abi/handle.h>

/*
 * Runs "bin/sysfuzz dev <uri> <seed> <calls>" with our view of dev:// and waits for
 * it: records a test failure unless it exits 0 (the driver answered every hostile
 * call, and the probes between them) and the driver's process still runs afterwards.
 * Returns whether it passed; the caller then checks that its own client, opened
 * before, is still served.
 */
int devtest_fuzz(const char *uri, handle_t driver, uint64_t seed);
