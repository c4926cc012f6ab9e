/*
 * test_libc_streams.c - host tests of the user-space C library's streams over the
 * fake message bus of libc_stream_fake.c: messages of at most STREAM_MSG_MAX bytes
 * out, one message (or the rest of one) per read in, end-of-file marks and closed
 * peers, EPIPE, calls refused, dup/dup2 sharing one capability, stdio on a stream
 * (fdopen, getline, ungetc), termios and TIOCGWINSZ on a terminal, getopt, a file
 * capability wrapped as a descriptor, and the standard streams from start_info names
 * (run last: it changes descriptors 0-2 for good).
 */
#include "libc_cl.h"

#include <errno.h>
#include <fcntl.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>

#include <cmocka.h>

#include <abi/errors.h>
#include <abi/kbus.h>

/* The libc's declarations under their cl_ names (its values are Linux's, as here). */
struct cl_termios {
	unsigned c_iflag, c_oflag, c_cflag, c_lflag;
	unsigned char c_line, c_cc[32];
	unsigned c_ispeed, c_ospeed;
};
struct cl_winsize {
	unsigned short ws_row, ws_col, ws_xpixel, ws_ypixel;
};
#define CL_ICANON 0000002
#define CL_ECHO 0000010
#define CL_ISIG 0000001
#define CL_TCSANOW 0
#define CL_TCSAFLUSH 2
#define CL_TIOCGWINSZ 0x5413
#define CL_S_IFIFO 0010000
#define CL_S_IFMT 0170000

extern void *cl_stdin;
extern char *cl_optarg;
extern int cl_optind, cl_opterr, cl_optopt;
int cl_pipe(int fds[2]);
int cl_dup(int fd);
int cl_dup2(int fd, int nfd);
int cl_isatty(int fd);
handle_t cl_ch_fd_handle(int fd);
int cl_ch_fd_from_handle(handle_t h, int oflags);
void cl___libc_stdio_init(void);
void *cl_fdopen(int fd, const char *mode);
long cl_getline(char **line, size_t *cap, void *f);
int cl_ungetc(int c, void *f);
int cl_tcgetattr(int fd, struct cl_termios *t);
int cl_tcsetattr(int fd, int when, const struct cl_termios *t);
void cl_cfmakeraw(struct cl_termios *t);
int cl_ioctl(int fd, unsigned long req, ...);
int cl_getopt(int argc, char *const argv[], const char *optstring);
void cl_free(void *p);

static char out[100000], in[100000];

static int setup(void **state)
{
	(void)state;
	cl_fake_ns_reset();
	cl_fake_stream_reset();
	return 0;
}

static void pattern(char *p, size_t n)
{
	for (size_t i = 0; i < n; i++)
		p[i] = (char)(i * 31 + i / 509);
}

/* A descriptor on one end of a new fake channel of kind; *other gets the other end. */
static int channel_fd(uint32_t kind, int oflags, handle_t *other)
{
	handle_t h[2];
	assert_int_equal(cl_fake_stream_channel(kind, h), 0);
	*other = h[1];
	int fd = cl_ch_fd_from_handle(h[0], oflags);
	assert_true(fd >= 3);
	return fd;
}

static void test_pipe_messages(void **state)
{
	(void)state;
	int p[2];
	assert_int_equal(cl_pipe(p), 0);
	pattern(out, 40000);
	assert_int_equal(cl_write(p[1], out, 40000), 40000);
	assert_int_equal(cl_fake_stream.sends, 3);
	assert_int_equal(cl_fake_stream.max_msg, STREAM_MSG_MAX);
	assert_int_equal(cl_write(p[1], out, 0), 0);
	assert_int_equal(cl_fake_stream.sends, 3);
	assert_int_equal(cl_read(p[0], in, sizeof(in)), STREAM_MSG_MAX);
	assert_int_equal(cl_read(p[0], in + STREAM_MSG_MAX, sizeof(in)), STREAM_MSG_MAX);
	assert_int_equal(cl_read(p[0], in + 2 * STREAM_MSG_MAX, sizeof(in)),
	                 40000 - 2 * STREAM_MSG_MAX);
	assert_memory_equal(in, out, 40000);
	struct cl_stat st;
	assert_int_equal(cl_fstat(p[0], &st), 0);
	assert_int_equal(st.st_mode & CL_S_IFMT, CL_S_IFIFO);
	assert_int_equal(cl_lseek(p[0], 0, SEEK_CUR), -1);
	assert_int_equal(cl_errno, ESPIPE);
	assert_int_equal(cl_write(p[0], "x", 1), -1);
	assert_int_equal(cl_errno, EBADF);
	assert_int_equal(cl_close(p[0]), 0);
	assert_int_equal(cl_close(p[1]), 0);
	assert_int_equal(cl_fake_stream.closes, 2);
	cl_fake_stream.fail_pipe = ERR_NO_MEMORY;
	assert_int_equal(cl_pipe(p), -1);
	assert_int_equal(cl_errno, ENOMEM);
}

/* A message larger than the reads comes in pieces; calls between are refused. */
static void test_read_pieces(void **state)
{
	(void)state;
	handle_t w;
	int fd = channel_fd(KBUS_KIND_PIPE, O_RDONLY, &w);
	pattern(out, 60000);
	assert_int_equal(cl_fake_stream_push(w, out, 60000, 0), 0);
	assert_int_equal(cl_fake_stream_push(w, "call", 4, 1), 0);
	assert_int_equal(cl_fake_stream_push(w, "y", 1, 0), 0);
	size_t n = 0;
	while (n < 60000) {
		long r = cl_read(fd, in + n, 3000);
		assert_true(r > 0 && r <= 3000);
		n += (size_t)r;
	}
	assert_int_equal(n, 60000);
	assert_memory_equal(in, out, 60000);
	assert_int_equal(cl_read(fd, in, 3000), 1);
	assert_int_equal(in[0], 'y');
	assert_int_equal(cl_fake_stream.calls_refused, 1);
	/* one byte at a time */
	assert_int_equal(cl_fake_stream_push(w, "abc", 3, 0), 0);
	for (int i = 0; i < 3; i++) {
		assert_int_equal(cl_read(fd, in, 1), 1);
		assert_int_equal(in[0], "abc"[i]);
	}
	assert_int_equal(cl_close(fd), 0);
}

static void test_eof(void **state)
{
	(void)state;
	handle_t w;
	int fd = channel_fd(KBUS_KIND_PIPE, O_RDONLY, &w);
	assert_int_equal(cl_fake_stream_push(w, "", 0, 0), 0);
	assert_int_equal(cl_fake_stream_push(w, "z", 1, 0), 0);
	assert_int_equal(cl_read(fd, in, 10), 0);
	assert_int_equal(cl_read(fd, in, 10), 1);
	assert_int_equal(cl_fake_stream_close(w), 0);
	assert_int_equal(cl_read(fd, in, 10), 0);
	assert_int_equal(cl_read(fd, in, 10), 0);
	assert_int_equal(cl_close(fd), 0);
}

static void test_epipe(void **state)
{
	(void)state;
	int p[2];
	assert_int_equal(cl_pipe(p), 0);
	assert_int_equal(cl_close(p[0]), 0);
	assert_int_equal(cl_write(p[1], "x", 1), -1);
	assert_int_equal(cl_errno, EPIPE);
	assert_int_equal(cl_close(p[1]), 0);
}

static void test_dup(void **state)
{
	(void)state;
	int p[2];
	assert_int_equal(cl_pipe(p), 0);
	int d = cl_dup(p[1]);
	assert_true(d > p[1]);
	assert_int_equal(cl_ch_fd_handle(d), cl_ch_fd_handle(p[1]));
	assert_int_equal(cl_close(p[1]), 0);
	assert_int_equal(cl_fake_stream.closes, 0);
	assert_int_equal(cl_dup2(d, 50), 50);
	assert_int_equal(cl_close(d), 0);
	assert_int_equal(cl_write(50, "w", 1), 1);
	assert_int_equal(cl_read(p[0], in, 10), 1);
	assert_int_equal(cl_dup2(p[0], 50), 50); /* closes the last writer */
	assert_int_equal(cl_fake_stream.closes, 1);
	assert_int_equal(cl_read(50, in, 10), 0);
	assert_int_equal(cl_dup2(50, 64), -1);
	assert_int_equal(cl_errno, EBADF);
	assert_int_equal(cl_dup(63), -1);
	assert_int_equal(cl_errno, EBADF);
	assert_int_equal(cl_close(50), 0);
	assert_int_equal(cl_close(p[0]), 0);
	assert_int_equal(cl_fake_stream.closes, 2);
}

static void test_fdopen_getline(void **state)
{
	(void)state;
	handle_t w;
	int fd = channel_fd(KBUS_KIND_PIPE, O_RDONLY, &w);
	assert_int_equal(cl_fake_stream_push(w, "ab\ncd", 5, 0), 0);
	assert_int_equal(cl_fake_stream_push(w, "e\n", 2, 0), 0);
	assert_int_equal(cl_fake_stream_close(w), 0);
	void *f = cl_fdopen(fd, "r");
	assert_non_null(f);
	char *line = NULL;
	size_t cap = 0;
	assert_int_equal(cl_getline(&line, &cap, f), 3);
	assert_string_equal(line, "ab\n");
	assert_int_equal(cl_ungetc('Q', f), 'Q');
	assert_int_equal(cl_fgetc(f), 'Q');
	assert_int_equal(cl_getline(&line, &cap, f), 4);
	assert_string_equal(line, "cde\n");
	assert_int_equal(cl_getline(&line, &cap, f), -1);
	assert_true(cl_feof(f));
	cl_free(line);
	assert_int_equal(cl_fclose(f), 0);
	assert_null(cl_fdopen(fd, "r")); /* closed with the stream */
	assert_int_equal(cl_errno, EBADF);
}

static void test_termios(void **state)
{
	(void)state;
	handle_t con;
	int fd = channel_fd(KBUS_KIND_TERM, O_RDWR, &con);
	struct cl_termios t;
	struct cl_winsize ws;
	assert_int_equal(cl_isatty(fd), 1);
	assert_int_equal(cl_tcgetattr(fd, &t), 0);
	assert_int_equal(t.c_lflag, CL_ICANON | CL_ECHO | CL_ISIG);
	cl_cfmakeraw(&t);
	assert_int_equal(t.c_lflag & (CL_ICANON | CL_ECHO | CL_ISIG), 0);
	/* TCSAFLUSH drops the rest of a message read in part */
	assert_int_equal(cl_fake_stream_push(con, "junk", 4, 0), 0);
	assert_int_equal(cl_read(fd, in, 2), 2);
	assert_int_equal(cl_tcsetattr(fd, CL_TCSAFLUSH, &t), 0);
	assert_int_equal(cl_fake_stream.term_mode, 0);
	assert_int_equal(cl_fake_stream.term_flushes, 1);
	assert_int_equal(cl_fake_stream_push(con, "ok", 2, 0), 0);
	assert_int_equal(cl_read(fd, in, 10), 2);
	assert_memory_equal(in, "ok", 2);
	t.c_lflag = CL_ECHO;
	assert_int_equal(cl_tcsetattr(fd, CL_TCSANOW, &t), 0);
	assert_int_equal(cl_fake_stream.term_mode, TERM_MODE_ECHO);
	assert_int_equal(cl_tcsetattr(fd, 9, &t), -1);
	assert_int_equal(cl_errno, EINVAL);
	assert_int_equal(cl_ioctl(fd, CL_TIOCGWINSZ, &ws), 0);
	assert_int_equal(ws.ws_col, 100);
	assert_int_equal(ws.ws_row, 30);
	assert_int_equal(cl_ioctl(fd, 0x1234, &ws), -1);
	assert_int_equal(cl_errno, EINVAL);
	cl_fake_stream.term_fail = ERR_MALFORMED;
	assert_int_equal(cl_tcgetattr(fd, &t), -1);
	assert_int_equal(cl_errno, EIO);
	cl_fake_stream.term_fail = 0;
	/* a pipe, the log, nothing */
	int p[2];
	assert_int_equal(cl_pipe(p), 0);
	assert_int_equal(cl_isatty(p[0]), 0);
	assert_int_equal(cl_errno, ENOTTY);
	assert_int_equal(cl_tcgetattr(p[0], &t), -1);
	assert_int_equal(cl_errno, ENOTTY);
	assert_int_equal(cl_ioctl(p[1], CL_TIOCGWINSZ, &ws), -1);
	assert_int_equal(cl_errno, ENOTTY);
	assert_int_equal(cl_isatty(1), 0);
	assert_int_equal(cl_isatty(60), 0);
	assert_int_equal(cl_errno, EBADF);
	cl_close(p[0]);
	cl_close(p[1]);
	assert_int_equal(cl_close(fd), 0);
}

static void test_getopt(void **state)
{
	(void)state;
	char *argv[] = {"p", "-ab", "-c", "val", "-dx", "--", "-e", NULL};
	cl_optind = 0;
	assert_int_equal(cl_getopt(7, argv, "abc:d:"), 'a');
	assert_int_equal(cl_getopt(7, argv, "abc:d:"), 'b');
	assert_int_equal(cl_getopt(7, argv, "abc:d:"), 'c');
	assert_string_equal(cl_optarg, "val");
	assert_int_equal(cl_getopt(7, argv, "abc:d:"), 'd');
	assert_string_equal(cl_optarg, "x");
	assert_int_equal(cl_getopt(7, argv, "abc:d:"), -1);
	assert_int_equal(cl_optind, 6);
	char *argv2[] = {"p", "-z", "-c", NULL};
	cl_optind = 0;
	assert_int_equal(cl_getopt(3, argv2, ":c:"), '?');
	assert_int_equal(cl_optopt, 'z');
	assert_int_equal(cl_getopt(3, argv2, ":c:"), ':');
	assert_int_equal(cl_optopt, 'c');
	assert_int_equal(cl_getopt(3, argv2, ":c:"), -1);
	char *argv3[] = {"p", "file", "-a", NULL};
	cl_optind = 0;
	assert_int_equal(cl_getopt(3, argv3, "a"), -1);
	assert_int_equal(cl_optind, 1);
}

static void test_from_handle_file(void **state)
{
	(void)state;
	int fd = cl_open("/f", O_WRONLY | O_CREAT);
	int handles = cl_fake_ns_open_handles(); /* the root's */
	assert_true(fd >= 3);
	assert_int_equal(cl_write(fd, "hello", 5), 5);
	assert_int_equal(cl_close(fd), 0);
	handle_t h;
	assert_int_equal(
	    cl___libc_ns_open(cl___libc_ns_root("fs"), "f", 1, NS_TYPE_FILE, 0, NS_RIGHTS_SAME, &h),
	    0);
	int a = cl_ch_fd_from_handle(h, O_RDONLY);
	assert_true(a >= 3);
	assert_int_equal(cl_ch_fd_handle(a), h);
	assert_int_equal(cl_read(a, in, 10), 5);
	assert_int_equal(cl_close(a), 0);
	assert_int_equal(cl_ch_fd_from_handle(HANDLE_INVALID, O_RDONLY), -1);
	assert_int_equal(cl_errno, EBADF);
	assert_int_equal(cl_ch_fd_from_handle(77, O_RDONLY), -1);
	assert_int_equal(cl_fake_ns_open_handles(), handles - 1); /* fd's */
}

/* Last: descriptors 0-2 from the start_info names. */
static void test_std_streams(void **state)
{
	(void)state;
	handle_t a[2], b[2];
	char buf[64];
	assert_int_equal(cl_isatty(0), 0); /* the fallbacks first */
	assert_int_equal(cl_read(0, buf, 1), 0);
	assert_int_equal(cl_ch_fd_handle(1), HANDLE_INVALID);
	assert_int_equal(cl_fake_stream_channel(KBUS_KIND_PIPE, a), 0);
	assert_int_equal(cl_fake_stream_channel(KBUS_KIND_PIPE, b), 0);
	cl_fake_stream.std[0] = a[0];
	cl_fake_stream.std[1] = b[0];
	cl_fake_stream.std[2] = b[0]; /* one capability under two names */
	cl___libc_stdio_init();
	assert_int_equal(cl_ch_fd_handle(0), a[0]);
	assert_int_equal(cl_ch_fd_handle(2), b[0]);
	/* stdout is a pipe: fully buffered; stderr unbuffered */
	cl_printf("line\n");
	assert_int_equal(cl_fake_stream_queued(b[1]), 0);
	cl_fprintf(cl_stderr, "err\n");
	assert_int_equal(cl_fake_stream_pop(b[1], buf, sizeof(buf)), 4);
	assert_int_equal(cl_fflush(cl_stdout), 0);
	assert_int_equal(cl_fake_stream_pop(b[1], buf, sizeof(buf)), 5);
	assert_memory_equal(buf, "line\n", 5);
	/* stdin */
	assert_int_equal(cl_fake_stream_push(a[1], "in\n", 3, 0), 0);
	assert_int_equal(cl_fgetc(cl_stdin), 'i');
	/* closing one of two names keeps the capability; the second drops it */
	assert_int_equal(cl_close(2), 0);
	assert_int_equal(cl_fake_stream.closes, 0);
	assert_int_equal(cl_fclose(cl_stdout), 0);
	assert_int_equal(cl_fake_stream.closes, 1);
	assert_int_equal(cl_write(1, "x", 1), -1);
	assert_int_equal(cl_errno, EBADF);
	/* the lowest free number is taken */
	int p[2];
	assert_int_equal(cl_pipe(p), 0);
	assert_int_equal(p[0], 1);
	assert_int_equal(p[1], 2);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test_setup(test_pipe_messages, setup),
	    cmocka_unit_test_setup(test_read_pieces, setup),
	    cmocka_unit_test_setup(test_eof, setup),
	    cmocka_unit_test_setup(test_epipe, setup),
	    cmocka_unit_test_setup(test_dup, setup),
	    cmocka_unit_test_setup(test_fdopen_getline, setup),
	    cmocka_unit_test_setup(test_termios, setup),
	    cmocka_unit_test_setup(test_getopt, setup),
	    cmocka_unit_test_setup(test_from_handle_file, setup),
	    cmocka_unit_test_setup(test_std_streams, setup),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
