/*
 * testing.h - the small harness behind the user-space test suites (usertest,
 * kbustest, holetest): each test is a function, run by ch_test_run(), which
 * prints a VMTEST RUN <prefix><name> line when it starts (so the harness can
 * name a test that brought the machine down) and then exactly one line that
 * the kernel's test runner and tools/run-tests.sh count:
 *     VMTEST PASS <prefix><name>
 *     VMTEST FAIL <prefix><name>: <first failure reason>
 *     VMTEST NA <prefix><name>: <why>     (ch_test_not_applicable)
 * A suite runs its tests through ch_test_main(), which first prints the plan,
 * one "VMTEST PLAN <prefix><name>" line per ch_test_run() the suite will make,
 * so that a test the suite never got to (it stopped early, or crashed) is a
 * named failure ("did not run") in tools/run-tests.sh.
 * Single-threaded: tests report failures from the thread that runs them.
 */
#pragma once

#include <charlotte/names.h> /* ch_error_name() for the checks below */

/* Record the first failure of the running test (printf format). */
void ch_test_fail(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
/* Whether the running test has failed. */
int ch_test_failed(void);
/* Run fn as test <prefix><name> and print its VMTEST line. */
void ch_test_run(const char *prefix, const char *name, void (*fn)(void));
/* Whether any test run so far failed (the suite's exit status). */
int ch_test_any_failed(void);
/* Report the running test as not applicable here (printf format: why), unless it
 * also failed; the caller returns from the test. */
void ch_test_not_applicable(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
/*
 * Runs run_all twice: first as the plan (each ch_test_run() only prints its
 * PLAN line; run_all must make the same calls both times, so it decides what
 * to skip from test results, never from anything else), then for real.
 * Returns ch_test_any_failed().
 */
int ch_test_main(void (*run_all)(void));
/* Whether ch_test_main() is printing the plan: a suite that skips tests when an
 * earlier one failed checks this, so that the plan still names them. */
int ch_test_planning(void);

/*
 * The checks every suite uses: CHECK records the first failure and returns from
 * the test; EXPECT_OK wants a result >= 0, EXPECT_ERR exactly the error want.
 */
#define CHECK(cond, ...)                           \
	do {                                       \
		if (!(cond)) {                     \
			ch_test_fail(__VA_ARGS__); \
			return;                    \
		}                                  \
	} while (0)

#define EXPECT_OK(expr)                                                                       \
	do {                                                                                  \
		long ch_r_ = (expr);                                                          \
		CHECK(ch_r_ >= 0, "%s: %s (line %d)", #expr, ch_error_name(ch_r_), __LINE__); \
	} while (0)

#define EXPECT_ERR(expr, want)                                                 \
	do {                                                                   \
		long ch_r_ = (expr);                                           \
		CHECK(ch_r_ == (want), "%s: got %s, want %s (line %d)", #expr, \
		      ch_error_name(ch_r_), ch_error_name(want), __LINE__);    \
	} while (0)
