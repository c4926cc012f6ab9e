/*
 * libc_hooks.c - the fake system under the libc's host tests: the four hooks of
 * user/lib/libc/sys_hooks.h (renamed cl___libc_*) and the program's main.
 *
 * Output is captured per stream (and can be made to fail), morecore hands out pages of
 * a static arena up to a limit the tests can lower, exit longjmps back into a test that
 * armed EXPECT_EXIT (and fails the test otherwise), and the clocks are fixed values.
 */
#include "libc_cl.h"

#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <string.h>

#include <cmocka.h>

#include <abi/errors.h>

_Alignas(4096) unsigned char cl_test_arena[ARENA_SIZE];
size_t cl_test_arena_used, cl_test_arena_limit = ARENA_SIZE;
unsigned cl_test_morecore_calls;

void *cl___libc_morecore(unsigned long bytes)
{
	cl_test_morecore_calls++;
	assert_int_equal(bytes % 4096, 0);
	if (bytes > cl_test_arena_limit - cl_test_arena_used)
		return NULL;
	void *p = cl_test_arena + cl_test_arena_used;
	cl_test_arena_used += bytes;
	return p;
}

char cl_test_captured[2][1 << 16];
size_t cl_test_captured_len[2];
unsigned cl_test_write_calls;
int cl_test_write_fails;

long cl___libc_write(int fd, const void *buf, unsigned long len)
{
	assert_true(fd == 1 || fd == 2);
	cl_test_write_calls++;
	if (cl_test_write_fails)
		return ERR_BAD_HANDLE;
	size_t room = sizeof(cl_test_captured[0]) - cl_test_captured_len[fd - 1];
	if (len > room)
		len = room;
	memcpy(cl_test_captured[fd - 1] + cl_test_captured_len[fd - 1], buf, len);
	cl_test_captured_len[fd - 1] += len;
	return (long)len;
}

void cl_test_capture_reset(void)
{
	memset(cl_test_captured_len, 0, sizeof(cl_test_captured_len));
	memset(cl_test_captured, 0, sizeof(cl_test_captured));
	cl_test_write_calls = 0;
}

jmp_buf cl_test_exit_jmp;
int cl_test_exit_armed, cl_test_exit_status;

void cl___libc_exit(int status)
{
	if (!cl_test_exit_armed)
		fail_msg("unexpected exit(%d)", status);
	cl_test_exit_armed = 0;
	cl_test_exit_status = status;
	longjmp(cl_test_exit_jmp, 1);
}

long long cl___libc_clock_ns(int clock)
{
	return clock == 0 ? FAKE_REALTIME : clock == 1 ? 5000000042ll : ERR_NOT_SUPPORTED;
}

long long cl_test_clock_set_ns = -1;

long cl___libc_clock_set(long long ns)
{
	if (ns > 4102444799ll * 1000000000ll)
		return ERR_OUT_OF_RANGE;
	cl_test_clock_set_ns = ns;
	return 0;
}

int cl_test_main_argc;
char **cl_test_main_argv;

int cl_main(int argc, char **argv, char **envp)
{
	(void)envp;
	cl_test_main_argc = argc;
	cl_test_main_argv = argv;
	cl_printf("main ran");
	return 7;
}

static uint64_t rng = 88172645463325252ull;

uint64_t cl_test_rnd(void)
{
	rng ^= rng << 13;
	rng ^= rng >> 7;
	rng ^= rng << 17;
	return rng;
}
