/*
 * start.c - how a program begins and ends: __libc_start (called by crt0), errno,
 * atexit/exit, _Exit, abort and the failure path of assert().
 *
 * Exit order: atexit handlers in reverse order of registration (a handler may register
 * more, which then run next), then every stdio stream is flushed, then __libc_exit.
 * abort() flushes nothing and ends the process with status 134 (128 + SIGABRT, the
 * status a POSIX shell shows) since there are no signals.
 */
#include <stdlib.h>

#include <assert.h>
#include <errno.h>
#include <stdio.h>
#include <unistd.h>

#include "files.h"

/* A plain global while programs are single-threaded; see errno.h. */
int errno;

/* Set by crt0.S before __libc_start: the spawner's start_info (see sys_hooks.h). */
void *__libc_start_info;

#define ATEXIT_MAX 32
#define ABORT_STATUS 134

static void (*atexit_fns[ATEXIT_MAX])(void);
static int atexit_count;

int main(int argc, char **argv, char **envp);
void __libc_start(int argc, char **argv, char **envp) __attribute__((noreturn));

/*
 * Called by _start (crt0.S) with the values the spawner put in rdi, rsi, rdx: the
 * argument count, the NULL-terminated argument and environment arrays.
 */
void __libc_start(int argc, char **argv, char **envp)
{
	environ = envp;
	__libc_stdio_init();
	/* The current directory a shell gives its programs: $PWD, looked up in our own
	   view (a sandboxed program cannot go where its view does not reach; then it
	   stays at its root). Not a capability handed over, so nothing leaks with it. */
	const char *pwd = getenv("PWD");
	if (pwd && *pwd) {
		int saved = errno;
		(void)chdir(pwd);
		errno = saved;
	}
	exit(main(argc, argv, envp));
}

int atexit(void (*fn)(void))
{
	if (atexit_count == ATEXIT_MAX)
		return -1;
	atexit_fns[atexit_count++] = fn;
	return 0;
}

void exit(int status)
{
	while (atexit_count > 0)
		atexit_fns[--atexit_count]();
	fflush(NULL);
	__libc_exit(status);
}

void _Exit(int status)
{
	__libc_exit(status);
}

void abort(void)
{
	__libc_exit(ABORT_STATUS);
}

void __assert_fail(const char *expr, const char *file, int line, const char *func)
{
	fprintf(stderr, "%s:%d: %s: assertion `%s' failed\n", file, line, func, expr);
	abort();
}
