/*
 * testing.h - the small harness behind the user-space test suites (usertest,
 * kbustest): each test is a function, run by ch_test_run(), which prints
 * a VMTEST RUN <prefix><name> line when it starts (so the harness can name a
 * test that brought the machine down) and then exactly one line that the
 * kernel's test runner and tools/run-tests.sh count:
 *     VMTEST PASS <prefix><name>
 *     VMTEST FAIL <prefix><name>: <first failure reason>
 * Single-threaded: tests report failures from the thread that runs them.
 */
#pragma once

/* Record the first failure of the running test (printf format). */
void ch_test_fail(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
/* Whether the running test has failed. */
int ch_test_failed(void);
/* Run fn as test <prefix><name> and print its VMTEST line. */
void ch_test_run(const char *prefix, const char *name, void (*fn)(void));
/* Whether any test run so far failed (the suite's exit status). */
int ch_test_any_failed(void);
