/*
 * stdiotest - the libc's descriptors over streams (abi/term.h, docs/userspace.md
 * "Descriptors and streams"): pipes in one process and between a parent and its
 * children (stdin/stdout granted by ch_spawn), end-of-file marks and closed peers,
 * EPIPE, big writes, calls and capabilities arriving on a stream, dup/dup2, a fake
 * terminal session served by a thread of ours (isatty, termios, ioctl, the
 * ch_term_* client, hostile replies), and files of fs:///tmp as stdin and stdout.
 *
 * The same program is the children: `stdiotest child <what>`.
 */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/stat.h>
#include <termios.h>
#include <unistd.h>

#include <charlotte/fd.h>
#include <charlotte/kbus.h>
#include <charlotte/names.h>
#include <charlotte/spawn.h>
#include <charlotte/start.h>
#include <charlotte/syscall.h>
#include <charlotte/term.h>
#include <charlotte/testing.h>
#include <charlotte/thread.h>

#define LONG (60 * UINT64_C(1000000000))
#define BIG (300u * 1024u) /* more than STREAM_MSG_MAX and KBUS_MAX_BYTES */
#define CHILD_POOL (2u << 20)

static char big_out[BIG], big_in[BIG + 1];
static char iobuf[KBUS_MAX_BYTES];

static void fill_pattern(char *p, size_t n)
{
	for (size_t i = 0; i < n; i++)
		p[i] = (char)('a' + (i * 7 + i / 251) % 26);
}

/* Read fd to its end (at most cap bytes) into buf; the bytes read, or -1. */
static long read_all(int fd, char *buf, size_t cap)
{
	size_t n = 0;
	for (;;) {
		ssize_t r = read(fd, buf + n, cap - n);
		if (r < 0)
			return -1;
		if (r == 0 || (n += (size_t)r) == cap)
			return (long)n;
	}
}

/* ---- children ---- */

/* Copy stdin to stdout with read and write until the first end of file. */
static int child_cat(void)
{
	for (;;) {
		ssize_t r = read(0, iobuf, sizeof(iobuf));
		if (r <= 0)
			return r < 0 ? 2 : 0;
		if (write(1, iobuf, (size_t)r) != r)
			return 3;
	}
}

/* Lines of stdin upper-cased to stdout, through stdio. */
static int child_upper(void)
{
	char *line = NULL;
	size_t cap = 0;
	ssize_t n;
	if (isatty(0) || isatty(1))
		return 4;
	while ((n = getline(&line, &cap, stdin)) > 0) {
		for (ssize_t i = 0; i < n; i++)
			if (line[i] >= 'a' && line[i] <= 'z')
				line[i] = (char)(line[i] - 'a' + 'A');
		fputs(line, stdout);
	}
	return ferror(stdin) ? 5 : 0;
}

/* Write to stdout until it fails: exit 0 when that is EPIPE. */
static int child_spew(void)
{
	for (int i = 0; i < 100000; i++)
		if (write(1, "spew\n", 5) < 0)
			return errno == EPIPE ? 0 : 6;
	return 7;
}

/* stdout and stderr are a file: one line each (stderr's first: it is unbuffered). */
static int child_hello(void)
{
	printf("hello\n");
	fprintf(stderr, "err\n");
	return 0;
}

/* No stdio names: fd 0 is empty, 1 and 2 the log, none a terminal. */
static int child_plain(void)
{
	char c;
	if (read(0, &c, 1) != 0 || isatty(0) || isatty(1) || isatty(2))
		return 8;
	if (ch_fd_handle(0) != HANDLE_INVALID || ch_fd_handle(1) != HANDLE_INVALID)
		return 9;
	return write(1, "stdiotest: plain child\n", 23) == 23 ? 0 : 10;
}

/* ---- spawning ---- */

/* A grant of h under name with all the rights we have on it. */
static struct ch_grant grant_of(const char *name, handle_t h)
{
	struct cap_info ci = {0};
	ch_cap_inspect(h, &ci);
	return (struct ch_grant){name, h, ci.rights};
}

/* Start `stdiotest child <what>` with the given stdin/stdout/stderr descriptors (-1:
 * none); 0 or an error. */
static long spawn_child(const char *what, int in, int out, int err, struct ch_child *c)
{
	const char *argv[] = {"bin/stdiotest", "child", what, NULL};
	struct ch_grant g[4];
	unsigned n = 0;
	g[n++] = grant_of("log", ch_handle("log"));
	if (in >= 0)
		g[n++] = grant_of("stdin", ch_fd_handle(in));
	if (out >= 0)
		g[n++] = grant_of("stdout", ch_fd_handle(out));
	if (err >= 0)
		g[n++] = grant_of("stderr", ch_fd_handle(err));
	struct ch_spawn_args a = {.path = "bin/stdiotest",
	                          .argv = argv,
	                          .grants = g,
	                          .ngrants = n,
	                          .child_pool = CHILD_POOL};
	return ch_spawn(&a, c);
}

/* Wait for c; its exit code, or -1000 - state if it did not exit. */
static int child_wait(struct ch_child *c)
{
	struct proc_status st;
	long r = ch_proc_wait(c->process, LONG, &st);
	ch_child_release(c);
	if (r < 0)
		return -2000;
	return st.state == PROC_EXITED ? st.code : -1000 - (int)st.state;
}

/* ---- pipes in one process ---- */

static void test_pipe_basic(void)
{
	int p[2];
	char buf[16];
	struct stat st;
	EXPECT_OK(pipe(p));
	CHECK(p[0] >= 3 && p[1] > p[0], "pipe gave %d %d", p[0], p[1]);
	CHECK(write(p[1], "abc", 3) == 3, "write: errno %d", errno);
	CHECK(write(p[1], "", 0) == 0, "an empty write");
	CHECK(read(p[0], buf, sizeof(buf)) == 3 && memcmp(buf, "abc", 3) == 0, "read back");
	CHECK(!isatty(p[0]) && errno == ENOTTY, "a pipe is no terminal (errno %d)", errno);
	CHECK(fstat(p[0], &st) == 0 && S_ISFIFO(st.st_mode), "fstat: mode %o", st.st_mode);
	CHECK(lseek(p[0], 0, SEEK_SET) < 0 && errno == ESPIPE, "lseek: errno %d", errno);
	CHECK(write(p[0], "x", 1) < 0 && errno == EBADF, "writing the read end: errno %d", errno);
	CHECK(read(p[1], buf, 1) < 0 && errno == EBADF, "reading the write end: errno %d", errno);
	struct kbus_endpoint_info ki;
	EXPECT_OK(ch_kbus_info(ch_fd_handle(p[0]), &ki));
	CHECK(ki.kind == KBUS_KIND_PIPE, "kind %u", ki.kind);
	EXPECT_OK(close(p[0]));
	EXPECT_OK(close(p[1]));
	CHECK(close(p[0]) < 0 && errno == EBADF, "closing twice: errno %d", errno);
}

/* A 0-byte message reads as end of file once; a closed writer for good. */
static void test_pipe_eof(void)
{
	int p[2];
	char buf[16];
	EXPECT_OK(pipe(p));
	handle_t w = ch_fd_handle(p[1]);
	CHECK(write(p[1], "one", 3) == 3, "write");
	EXPECT_OK(ch_kbus_send_bytes(w, "", 0, 0, CH_FOREVER));
	CHECK(write(p[1], "two", 3) == 3, "write");
	CHECK(read(p[0], buf, sizeof(buf)) == 3, "one");
	CHECK(read(p[0], buf, sizeof(buf)) == 0, "the mark");
	CHECK(read(p[0], buf, sizeof(buf)) == 3 && memcmp(buf, "two", 3) == 0, "after the mark");
	EXPECT_OK(close(p[1]));
	CHECK(read(p[0], buf, sizeof(buf)) == 0, "closed");
	CHECK(read(p[0], buf, sizeof(buf)) == 0, "closed, again");
	EXPECT_OK(close(p[0]));
}

static void test_pipe_epipe(void)
{
	int p[2];
	EXPECT_OK(pipe(p));
	EXPECT_OK(close(p[0]));
	CHECK(write(p[1], "x", 1) < 0 && errno == EPIPE, "errno %d", errno);
	EXPECT_OK(close(p[1]));
}

/* One big write arrives whole and in order, in messages of at most STREAM_MSG_MAX. */
static void test_pipe_big(void)
{
	int p[2];
	EXPECT_OK(pipe(p));
	fill_pattern(big_out, BIG);
	CHECK(write(p[1], big_out, BIG) == (ssize_t)BIG, "write: errno %d", errno);
	EXPECT_OK(close(p[1]));
	size_t n = 0;
	for (;;) {
		ssize_t r = read(p[0], big_in + n, BIG + 1 - n);
		CHECK(r >= 0, "read: errno %d", errno);
		CHECK(r <= (ssize_t)STREAM_MSG_MAX, "a read of %zd bytes", r);
		if (r == 0)
			break;
		n += (size_t)r;
	}
	CHECK(n == BIG && memcmp(big_in, big_out, BIG) == 0, "%zu bytes back", n);
	EXPECT_OK(close(p[0]));
}

/* A message larger than the reads comes in pieces, then the next one. */
static void test_pipe_pieces(void)
{
	int p[2];
	EXPECT_OK(pipe(p));
	fill_pattern(big_out, KBUS_MAX_BYTES);
	handle_t w = ch_fd_handle(p[1]);
	EXPECT_OK(ch_kbus_send_bytes(w, big_out, KBUS_MAX_BYTES, 0, CH_FOREVER));
	CHECK(write(p[1], "next", 4) == 4, "write");
	size_t n = 0;
	while (n < KBUS_MAX_BYTES) {
		ssize_t r = read(p[0], big_in + n, 1000);
		CHECK(r > 0 && r <= 1000, "read %zd at %zu", r, n);
		n += (size_t)r;
	}
	CHECK(n == KBUS_MAX_BYTES && memcmp(big_in, big_out, n) == 0, "%zu bytes", n);
	CHECK(read(p[0], big_in, 1000) == 4 && memcmp(big_in, "next", 4) == 0, "the next message");
	EXPECT_OK(close(p[0]));
	EXPECT_OK(close(p[1]));
}

/* A call on a stream is refused (ERR_NOT_SUPPORTED) and the reader goes on. */
static handle_t caller_ep;
static long caller_result;
static int32_t caller_status;
static char caller_stack[16384] __attribute__((aligned(16)));

static int caller(void *arg)
{
	(void)arg;
	struct term_req req = {.magic = TERM_REQ_MAGIC, .op = TERM_GET_MODE};
	struct term_reply rep = {0};
	struct kbus_msg m = {.data = &req, .len = sizeof(req)};
	struct kbus_buf b = {.data = &rep, .capacity = sizeof(rep)};
	caller_result = ch_kbus_call(caller_ep, &m, &b, CH_FOREVER);
	caller_status = rep.status;
	ch_kbus_send_bytes(caller_ep, "after", 5, 0, CH_FOREVER);
	return 0;
}

static void test_pipe_call(void)
{
	int p[2];
	char buf[16];
	handle_t th;
	EXPECT_OK(pipe(p));
	caller_ep = ch_fd_handle(p[1]);
	EXPECT_OK(ch_thread_spawn(caller, NULL, caller_stack, sizeof(caller_stack), &th));
	CHECK(read(p[0], buf, sizeof(buf)) == 5 && memcmp(buf, "after", 5) == 0, "data after");
	EXPECT_OK(ch_thread_wait(th, LONG, NULL));
	ch_cap_drop(th);
	CHECK(caller_result == 0 && caller_status == ERR_NOT_SUPPORTED, "call: %s, status %s",
	      ch_error_name(caller_result), ch_error_name(caller_status));
	EXPECT_OK(close(p[0]));
	EXPECT_OK(close(p[1]));
}

/* Capabilities sent with data are dropped by the reader. */
static void test_pipe_handles(void)
{
	int p[2];
	char buf[16];
	handle_t other[2];
	EXPECT_OK(pipe(p));
	EXPECT_OK(ch_channel_create(ch_handle("pool"), 0, other));
	struct kbus_msg m = {.data = "cap", .len = 3, .nhandles = 1, .handles = &other[0]};
	EXPECT_OK(ch_kbus_send(ch_fd_handle(p[1]), &m, 0, CH_FOREVER));
	CHECK(read(p[0], buf, sizeof(buf)) == 3 && memcmp(buf, "cap", 3) == 0, "data");
	struct kbus_endpoint_info ki;
	EXPECT_OK(ch_kbus_info(other[1], &ki));
	CHECK(ki.peer_closed == 1, "the capability was kept");
	ch_cap_drop(other[1]);
	EXPECT_OK(close(p[0]));
	EXPECT_OK(close(p[1]));
}

/* dup and dup2 share the open file; the last close drops the capability. */
static void test_dup(void)
{
	int p[2];
	char buf[16];
	EXPECT_OK(pipe(p));
	int d = dup(p[1]);
	CHECK(d > p[1], "dup gave %d", d);
	CHECK(ch_fd_handle(d) == ch_fd_handle(p[1]), "the same capability");
	EXPECT_OK(close(p[1]));
	CHECK(write(d, "via dup", 7) == 7, "write via the dup: errno %d", errno);
	CHECK(read(p[0], buf, sizeof(buf)) == 7, "read");
	CHECK(dup2(d, 40) == 40, "dup2");
	CHECK(dup2(40, 40) == 40, "dup2 onto itself");
	CHECK(dup2(d, 64) < 0 && errno == EBADF, "dup2 out of range");
	EXPECT_OK(close(d));
	CHECK(write(40, "x", 1) == 1, "write via dup2");
	CHECK(read(p[0], buf, sizeof(buf)) == 1, "read");
	EXPECT_OK(close(40));
	CHECK(read(p[0], buf, sizeof(buf)) == 0, "the last close ends the stream");
	/* dup2 over an open descriptor closes it first */
	int q[2];
	EXPECT_OK(pipe(q));
	CHECK(dup2(p[0], q[1]) == q[1], "dup2 over");
	CHECK(read(q[0], buf, sizeof(buf)) == 0, "the replaced writer is gone");
	EXPECT_OK(close(q[1]));
	EXPECT_OK(close(q[0]));
	EXPECT_OK(close(p[0]));
}

static void test_fd_handle(void)
{
	handle_t ends[2];
	char buf[8];
	EXPECT_OK(ch_channel_create(ch_handle("pool"), 0, ends));
	int a = ch_fd_from_handle(ends[0], O_RDWR);
	int b = ch_fd_from_handle(ends[1], O_RDWR);
	CHECK(a >= 0 && b >= 0, "from handles: errno %d", errno);
	CHECK(ch_fd_handle(a) == ends[0], "the handle behind");
	CHECK(write(a, "hi", 2) == 2 && read(b, buf, sizeof(buf)) == 2, "both ways");
	CHECK(write(b, "ho", 2) == 2 && read(a, buf, sizeof(buf)) == 2, "both ways");
	CHECK(!isatty(a), "no kind: no terminal");
	EXPECT_OK(close(a));
	EXPECT_OK(close(b));
	CHECK(ch_fd_from_handle(HANDLE_INVALID, O_RDONLY) < 0 && errno == EBADF, "invalid");
	CHECK(ch_fd_from_handle(ch_handle("self.as"), O_RDONLY) < 0, "an address space");
	CHECK(ch_fd_handle(63) == HANDLE_INVALID && errno == EBADF, "not open");
	CHECK(ch_fd_handle(-1) == HANDLE_INVALID, "negative");
}

/* ---- children over pipes ---- */

static void test_child_cat(void)
{
	int in[2], out[2];
	struct ch_child c;
	EXPECT_OK(pipe(in));
	EXPECT_OK(pipe(out));
	EXPECT_OK(spawn_child("cat", in[0], out[1], -1, &c));
	EXPECT_OK(close(in[0]));
	EXPECT_OK(close(out[1]));
	fill_pattern(big_out, BIG);
	CHECK(write(in[1], big_out, BIG) == (ssize_t)BIG, "write: errno %d", errno);
	EXPECT_OK(close(in[1]));
	long n = read_all(out[0], big_in, BIG + 1);
	EXPECT_OK(close(out[0]));
	int code = child_wait(&c);
	CHECK(code == 0, "child: %d", code);
	CHECK(n == BIG && memcmp(big_in, big_out, BIG) == 0, "%ld bytes back", n);
}

static void test_child_stdio(void)
{
	int in[2], out[2];
	struct ch_child c;
	char buf[64];
	EXPECT_OK(pipe(in));
	EXPECT_OK(pipe(out));
	EXPECT_OK(spawn_child("upper", in[0], out[1], -1, &c));
	EXPECT_OK(close(in[0]));
	EXPECT_OK(close(out[1]));
	CHECK(write(in[1], "hello\nwor", 9) == 9 && write(in[1], "ld\n", 3) == 3, "write");
	EXPECT_OK(close(in[1]));
	long n = read_all(out[0], buf, sizeof(buf));
	EXPECT_OK(close(out[0]));
	int code = child_wait(&c);
	CHECK(code == 0, "child: %d", code);
	CHECK(n == 12 && memcmp(buf, "HELLO\nWORLD\n", 12) == 0, "got %ld: %.*s", n, (int)n, buf);
}

static void test_child_epipe(void)
{
	int out[2];
	struct ch_child c;
	EXPECT_OK(pipe(out));
	EXPECT_OK(spawn_child("spew", -1, out[1], -1, &c));
	EXPECT_OK(close(out[1]));
	EXPECT_OK(close(out[0]));
	int code = child_wait(&c);
	CHECK(code == 0, "child: %d", code);
}

static void test_child_plain(void)
{
	struct ch_child c;
	EXPECT_OK(spawn_child("plain", -1, -1, -1, &c));
	int code = child_wait(&c);
	CHECK(code == 0, "child: %d", code);
}

/* ---- files as stdout and stdin ---- */

static void test_stdout_file(void)
{
	char buf[64];
	struct ch_child c;
	int fd = open("fs:///tmp/stdiotest.out", O_WRONLY | O_CREAT | O_TRUNC);
	CHECK(fd >= 0, "open: errno %d", errno);
	CHECK(write(fd, "first\n", 6) == 6, "write");
	long r = spawn_child("hello", -1, fd, fd, &c);
	EXPECT_OK(close(fd));
	EXPECT_OK(r);
	int code = child_wait(&c);
	CHECK(code == 0, "child: %d", code);
	fd = open("fs:///tmp/stdiotest.out", O_RDONLY);
	CHECK(fd >= 0, "open: errno %d", errno);
	long n = read_all(fd, buf, sizeof(buf));
	EXPECT_OK(close(fd));
	CHECK(n == 16 && memcmp(buf, "first\nerr\nhello\n", 16) == 0, "got %ld: %.*s", n, (int)n,
	      buf);
}

static void test_stdin_file(void)
{
	char buf[64];
	struct ch_child c;
	int out[2];
	int fd = open("fs:///tmp/stdiotest.in", O_WRONLY | O_CREAT | O_TRUNC);
	CHECK(fd >= 0, "open: errno %d", errno);
	CHECK(write(fd, "line1\nline2\n", 12) == 12, "write");
	EXPECT_OK(close(fd));
	fd = open("fs:///tmp/stdiotest.in", O_RDONLY);
	CHECK(fd >= 0, "open: errno %d", errno);
	EXPECT_OK(pipe(out));
	long r = spawn_child("upper", fd, out[1], -1, &c);
	EXPECT_OK(close(fd));
	EXPECT_OK(close(out[1]));
	EXPECT_OK(r);
	long n = read_all(out[0], buf, sizeof(buf));
	EXPECT_OK(close(out[0]));
	int code = child_wait(&c);
	CHECK(code == 0, "child: %d", code);
	CHECK(n == 12 && memcmp(buf, "LINE1\nLINE2\n", 12) == 0, "got %ld: %.*s", n, (int)n, buf);
}

/* ---- a fake terminal session ---- */

enum hostile {
	FAIR,
	SHORT_REPLY, /* 8 bytes */
	LONG_REPLY, /* more than a struct term_reply */
	POSITIVE_STATUS,
	BAD_MODE,
	NO_NUL, /* a name without its NUL */
	WITH_HANDLE, /* a capability in the reply */
};

static struct {
	handle_t ep; /* the console's end */
	volatile enum hostile hostile;
	uint32_t mode;
	unsigned flushes, handles, outputs, calls;
} srv;
static char srv_stack[16384] __attribute__((aligned(16)));

/* Answer term calls on srv.ep until the session's end is closed (no libc here but
 * string functions: the libc is single-threaded). */
static int term_server(void *arg)
{
	(void)arg;
	for (;;) {
		struct term_req req;
		handle_t got[4];
		struct kbus_buf b = {
		    .data = &req, .capacity = sizeof(req), .handles = got, .handles_capacity = 4};
		long r = ch_kbus_recv(srv.ep, &b, 0, CH_FOREVER);
		if (r < 0)
			return r == ERR_PEER_CLOSED ? 0 : 1;
		for (uint32_t i = 0; i < b.nhandles; i++) {
			srv.handles++;
			ch_cap_drop(got[i]);
		}
		if (!(b.flags & KBUS_MSG_CALL)) {
			srv.outputs++;
			continue;
		}
		srv.calls++;
		struct {
			struct term_reply r;
			char extra[32];
		} rep;
		memset(&rep, 0, sizeof(rep));
		uint32_t len = sizeof(struct term_reply);
		if (b.len != sizeof(req) || req.magic != TERM_REQ_MAGIC)
			rep.r.status = ERR_INVALID_ARGS;
		else if (req.op == TERM_GET_MODE)
			rep.r.mode = srv.mode;
		else if (req.op == TERM_SET_MODE)
			rep.r.mode = srv.mode = req.arg;
		else if (req.op == TERM_FLUSH_INPUT)
			srv.flushes++;
		else if (req.op == TERM_GET_SIZE || req.op == TERM_GET_INFO)
			rep.r.cols = 80, rep.r.rows = 25, rep.r.mode = srv.mode;
		else if (req.op != TERM_SET_JOBCTL)
			rep.r.status = ERR_NOT_SUPPORTED;
		if (req.op == TERM_GET_INFO)
			memcpy(rep.r.name, "vt9", 4);
		handle_t extra = HANDLE_INVALID;
		switch (srv.hostile) {
		case FAIR:
			break;
		case SHORT_REPLY:
			len = 8;
			break;
		case LONG_REPLY:
			len = sizeof(rep);
			break;
		case POSITIVE_STATUS:
			rep.r.status = 5;
			break;
		case BAD_MODE:
			rep.r.mode = 0x80;
			break;
		case NO_NUL:
			memset(rep.r.name, 'x', sizeof(rep.r.name));
			break;
		case WITH_HANDLE:
			ch_cap_duplicate(srv.ep, &extra);
			break;
		}
		struct kbus_msg m = {.data = &rep,
		                     .len = len,
		                     .nhandles = extra != HANDLE_INVALID,
		                     .handles = &extra};
		ch_kbus_reply(srv.ep, &m);
	}
}

static int term_fd;
static handle_t term_thread;

/* A session channel of kind KBUS_KIND_TERM: our end as term_fd, the other served. */
static long term_start(void)
{
	handle_t ends[2];
	long r = ch_channel_create_kind(ch_handle("pool"), 0, ends, KBUS_KIND_TERM);
	if (r < 0)
		return r;
	memset(&srv, 0, sizeof(srv));
	srv.ep = ends[1];
	srv.mode = TERM_MODE_ALL;
	term_fd = ch_fd_from_handle(ends[0], O_RDWR);
	if (term_fd < 0)
		return ERR_NO_RESOURCES;
	return ch_thread_spawn(term_server, NULL, srv_stack, sizeof(srv_stack), &term_thread);
}

static long term_stop(void)
{
	close(term_fd);
	int64_t code = -1;
	long r = ch_thread_wait(term_thread, LONG, &code);
	ch_cap_drop(term_thread);
	ch_cap_drop(srv.ep);
	return r < 0 ? r : code == 0 ? 0 : ERR_INTERNAL;
}

static void test_term_isatty(void)
{
	struct stat st;
	EXPECT_OK(term_start());
	CHECK(isatty(term_fd) == 1, "isatty: errno %d", errno);
	CHECK(fstat(term_fd, &st) == 0 && S_ISCHR(st.st_mode), "fstat: mode %o", st.st_mode);
	CHECK(write(term_fd, "out\n", 4) == 4, "output");
	EXPECT_OK(ch_kbus_send_bytes(srv.ep, "typed\n", 6, 0, CH_FOREVER));
	char buf[16];
	CHECK(read(term_fd, buf, sizeof(buf)) == 6 && memcmp(buf, "typed\n", 6) == 0, "input");
	EXPECT_OK(term_stop());
	CHECK(srv.outputs == 1, "%u outputs", srv.outputs);
}

static void test_term_modes(void)
{
	struct termios t;
	struct winsize ws;
	char buf[8];
	EXPECT_OK(term_start());
	CHECK(tcgetattr(term_fd, &t) == 0, "tcgetattr: errno %d", errno);
	CHECK((t.c_lflag & (ICANON | ECHO | ISIG)) == (ICANON | ECHO | ISIG), "lflag %o",
	      t.c_lflag);
	cfmakeraw(&t);
	CHECK(tcsetattr(term_fd, TCSANOW, &t) == 0, "tcsetattr: errno %d", errno);
	CHECK(srv.mode == 0, "server mode %x", srv.mode);
	CHECK(tcgetattr(term_fd, &t) == 0 && !(t.c_lflag & (ICANON | ECHO | ISIG)), "raw back");
	t.c_lflag |= ICANON | ISIG;
	CHECK(tcsetattr(term_fd, TCSADRAIN, &t) == 0, "tcsetattr");
	CHECK(srv.mode == (TERM_MODE_CANON | TERM_MODE_ISIG), "server mode %x", srv.mode);
	CHECK(tcsetattr(term_fd, 7, &t) < 0 && errno == EINVAL, "a bad when");
	/* TCSAFLUSH drops the rest of a message read in part, and asks the console */
	EXPECT_OK(ch_kbus_send_bytes(srv.ep, "junk", 4, 0, CH_FOREVER));
	CHECK(read(term_fd, buf, 2) == 2, "part of the input");
	CHECK(tcsetattr(term_fd, TCSAFLUSH, &t) == 0, "tcsetattr TCSAFLUSH");
	CHECK(srv.flushes == 1, "%u flushes", srv.flushes);
	EXPECT_OK(ch_kbus_send_bytes(srv.ep, "ok", 2, 0, CH_FOREVER));
	CHECK(read(term_fd, buf, sizeof(buf)) == 2 && memcmp(buf, "ok", 2) == 0, "after the flush");
	CHECK(ioctl(term_fd, TIOCGWINSZ, &ws) == 0 && ws.ws_col == 80 && ws.ws_row == 25,
	      "winsize %ux%u", ws.ws_col, ws.ws_row);
	/* the raw client */
	handle_t ep = ch_fd_handle(term_fd);
	struct term_reply info;
	unsigned cols = 0, rows = 0;
	uint32_t mode = 0;
	EXPECT_OK(ch_term_get_info(ep, &info));
	CHECK(strcmp(info.name, "vt9") == 0 && info.cols == 80, "info %s", info.name);
	EXPECT_OK(ch_term_get_size(ep, &cols, &rows));
	CHECK(cols == 80 && rows == 25, "size %ux%u", cols, rows);
	EXPECT_OK(ch_term_set_mode(ep, TERM_MODE_ECHO));
	EXPECT_OK(ch_term_get_mode(ep, &mode));
	CHECK(mode == TERM_MODE_ECHO, "mode %x", mode);
	EXPECT_ERR(ch_term_set_mode(ep, 0x100), ERR_INVALID_ARGS);
	EXPECT_OK(ch_term_flush_input(ep));
	handle_t jc[2];
	EXPECT_OK(ch_channel_create(ch_handle("pool"), 0, jc));
	EXPECT_OK(ch_term_set_jobctl(ep, jc[1]));
	EXPECT_OK(ch_term_set_jobctl(ep, HANDLE_INVALID));
	CHECK(srv.handles == 1, "%u handles reached the server", srv.handles);
	ch_cap_drop(jc[0]);
	ch_cap_drop(jc[1]);
	/* not terminals */
	int p[2];
	EXPECT_OK(pipe(p));
	CHECK(tcgetattr(p[0], &t) < 0 && errno == ENOTTY, "tcgetattr on a pipe: errno %d", errno);
	CHECK(ioctl(p[0], TIOCGWINSZ, &ws) < 0 && errno == ENOTTY, "ioctl on a pipe");
	CHECK(tcgetattr(55, &t) < 0 && errno == EBADF, "tcgetattr on nothing: errno %d", errno);
	close(p[0]);
	close(p[1]);
	EXPECT_OK(term_stop());
}

static void test_term_hostile(void)
{
	struct termios t;
	struct term_reply info;
	EXPECT_OK(term_start());
	handle_t ep = ch_fd_handle(term_fd);
	static const enum hostile kinds[] = {SHORT_REPLY, LONG_REPLY,  POSITIVE_STATUS,
	                                     BAD_MODE,    WITH_HANDLE, NO_NUL};
	for (unsigned i = 0; i < sizeof(kinds) / sizeof(kinds[0]); i++) {
		srv.hostile = kinds[i];
		EXPECT_ERR(ch_term_get_info(ep, &info), ERR_MALFORMED);
		CHECK(tcgetattr(term_fd, &t) < 0 && errno == EIO, "hostile %d: tcgetattr errno %d",
		      kinds[i], errno);
	}
	srv.hostile = FAIR;
	EXPECT_OK(ch_term_get_info(ep, &info));
	/* a bad request (what another client might send) gets an error, we go on */
	struct term_req req = {.magic = 1234, .op = TERM_GET_MODE};
	struct term_reply rep = {0};
	struct kbus_msg m = {.data = &req, .len = sizeof(req)};
	struct kbus_buf b = {.data = &rep, .capacity = sizeof(rep)};
	EXPECT_OK(ch_kbus_call(ep, &m, &b, CH_FOREVER));
	CHECK(rep.status == ERR_INVALID_ARGS, "bad magic: status %d", rep.status);
	EXPECT_OK(term_stop());
}

static void run_all(void)
{
	ch_test_run("stdio_", "pipe_basic", test_pipe_basic);
	ch_test_run("stdio_", "pipe_eof", test_pipe_eof);
	ch_test_run("stdio_", "pipe_epipe", test_pipe_epipe);
	ch_test_run("stdio_", "pipe_big", test_pipe_big);
	ch_test_run("stdio_", "pipe_pieces", test_pipe_pieces);
	ch_test_run("stdio_", "pipe_call", test_pipe_call);
	ch_test_run("stdio_", "pipe_handles", test_pipe_handles);
	ch_test_run("stdio_", "dup", test_dup);
	ch_test_run("stdio_", "fd_handle", test_fd_handle);
	ch_test_run("stdio_", "child_cat", test_child_cat);
	ch_test_run("stdio_", "child_stdio", test_child_stdio);
	ch_test_run("stdio_", "child_epipe", test_child_epipe);
	ch_test_run("stdio_", "child_plain", test_child_plain);
	ch_test_run("stdio_", "stdout_file", test_stdout_file);
	ch_test_run("stdio_", "stdin_file", test_stdin_file);
	ch_test_run("stdio_", "term_isatty", test_term_isatty);
	ch_test_run("stdio_", "term_modes", test_term_modes);
	ch_test_run("stdio_", "term_hostile", test_term_hostile);
}

int main(int argc, char **argv)
{
	if (argc >= 3 && strcmp(argv[1], "child") == 0) {
		const char *w = argv[2];
		return strcmp(w, "cat") == 0     ? child_cat()
		       : strcmp(w, "upper") == 0 ? child_upper()
		       : strcmp(w, "spew") == 0  ? child_spew()
		       : strcmp(w, "hello") == 0 ? child_hello()
		       : strcmp(w, "plain") == 0 ? child_plain()
		                                 : 100;
	}
	return ch_test_main(run_all);
}
