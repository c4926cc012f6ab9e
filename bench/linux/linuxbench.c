/*
 * linuxbench.c - the Linux half of `make bench`: micro-benchmarks equivalent to
 * CharlotteOS's bin/bench, run inside Debian's kernel booted by PVH in the same
 * QEMU configuration (docs/bench.md).
 *
 * A static glibc program, started by the initramfs's /init. Each metric runs a
 * warm-up, then `n` samples of `iters` operations each; a sample is timed twice:
 *
 *     ns0 = clock_gettime(MONOTONIC); t0 = rdtsc; <iters operations>; t1 = rdtsc;
 *     ns1 = clock_gettime(MONOTONIC)
 *
 * so the rdtsc interval excludes the clock_gettime calls. Per-operation figures
 * are (t1 - t0) / iters and (ns1 - ns0) / iters, rounded. Under QEMU's
 * `-icount shift=0,sleep=off` the TSC advances one tick per guest instruction
 * (summed over all CPUs; idle time is skipped), so the rdtsc figures are
 * instruction counts; in plain TCG they are host cycles and only the ns figures
 * mean anything. Each metric prints one line on stdout (the serial console):
 *
 *     BENCH <name> median=<> min=<> max=<> n=<samples> iters=<ops per sample> \
 *         ns_median=<> ns_min=<> ns_max=<>
 *
 * framed by "BENCH INFO ..." and "BENCH DONE". Every process is pinned to CPU 0,
 * so two-process metrics measure the same-CPU switch path and repeat exactly.
 *
 * `signal` is self-timed: each operation is timed from just before the wake (in
 * this process) to just after the waiter's FUTEX_WAIT returned (in the waiter,
 * on the same CPU), and the sample is the sum of those intervals.
 *
 * `linuxbench --exit` exits at once: the image that spawn_exec starts.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <linux/futex.h>
#include <pthread.h>
#include <sched.h>
#include <stdbool.h>
#include <spawn.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/mount.h>
#include <sys/prctl.h>
#include <sys/resource.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <sys/utsname.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "../blk_bench.h"
#include "../fs_bench.h"
#include "../sched_bench.h"

#define MAX_SAMPLES 256
#define PAGE 4096
#define MSG_BYTES 64
#define FAULT_PAGES 32
#define RTT10_BYTES 80 /* ipc_rtt_10w: 10 words each way */

extern char **environ;

struct sample {
	uint64_t tsc;
	uint64_t ns;
};

/* One benchmark: setup (may be 0), `iters` operations, teardown (may be 0). */
struct bench {
	const char *name;
	int samples;
	int iters;
	void (*setup)(void);
	void (*run)(int iters);
	void (*teardown)(void);
	bool self_timed; /* run() sums its operations' own intervals in self_tsc / self_ns */
	void (*after)(void); /* after each sample, not timed (may be 0) */
};

static uint64_t self_tsc, self_ns; /* a self-timed sample's total */

static void die(const char *what)
{
	printf("BENCH ERROR %s: %s\n", what, strerror(errno));
	fflush(stdout);
	exit(1);
}

static inline uint64_t rdtsc_fenced(void)
{
	uint32_t lo, hi;

	__asm__ volatile("lfence; rdtsc; lfence" : "=a"(lo), "=d"(hi)::"memory");
	return ((uint64_t)hi << 32) | lo;
}

static uint64_t now_ns(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (uint64_t)ts.tv_sec * 1000000000u + (uint64_t)ts.tv_nsec;
}

static void xwrite(int fd, const void *buf, size_t len)
{
	if (write(fd, buf, len) != (ssize_t)len)
		die("write");
}

static void xread(int fd, void *buf, size_t len)
{
	if (read(fd, buf, len) != (ssize_t)len)
		die("read");
}

/* --- null_syscall: getppid, the cheapest syscall that does real work --- */

static void run_null_syscall(int iters)
{
	for (int i = 0; i < iters; i++) {
		long ret;
		__asm__ volatile("syscall"
		                 : "=a"(ret)
		                 : "a"((long)SYS_getppid)
		                 : "rcx", "r11", "memory");
	}
}

/* An unknown syscall number: entry, the -ENOSYS check and exit only. */
static void run_enosys_syscall(int iters)
{
	for (int i = 0; i < iters; i++) {
		long ret;
		__asm__ volatile("syscall" : "=a"(ret) : "a"(1023L) : "rcx", "r11", "memory");
	}
}

/* --- A child process that serves one two-process benchmark --- */

static pid_t peer;
static int to_peer = -1, from_peer = -1; /* pipe ends, or one socket in both */
static int sock[2] = {-1, -1};
static int *shared_word;

static void start_peer(void (*serve)(void))
{
	peer = fork();
	if (peer < 0)
		die("fork");
	if (peer == 0) {
		serve();
		_exit(0);
	}
}

static void stop_peer(void)
{
	if (to_peer >= 0)
		close(to_peer);
	if (from_peer >= 0 && from_peer != to_peer)
		close(from_peer);
	for (int i = 0; i < 2; i++)
		if (sock[i] >= 0)
			close(sock[i]);
	to_peer = from_peer = sock[0] = sock[1] = -1;
	if (waitpid(peer, NULL, 0) < 0)
		die("waitpid");
}

/* --- ipc_rtt: pipe ping-pong of one 8-byte word between two processes --- */

static int pipe_in[2], pipe_out[2];

static void serve_pipe_echo(void)
{
	uint64_t word;

	close(pipe_out[1]);
	close(pipe_in[0]);
	while (read(pipe_out[0], &word, sizeof(word)) == sizeof(word))
		xwrite(pipe_in[1], &word, sizeof(word));
}

static void setup_pipe_pair(void (*serve)(void))
{
	if (pipe(pipe_out) < 0 || pipe(pipe_in) < 0)
		die("pipe");
	start_peer(serve);
	close(pipe_out[0]);
	close(pipe_in[1]);
	to_peer = pipe_out[1];
	from_peer = pipe_in[0];
}

static void setup_pipe_rtt(void)
{
	setup_pipe_pair(serve_pipe_echo);
}

static void run_pipe_rtt(int iters)
{
	uint64_t word = 0;

	for (int i = 0; i < iters; i++) {
		xwrite(to_peer, &word, sizeof(word));
		xread(from_peer, &word, sizeof(word));
	}
}

/* --- ipc_rtt_10w: the same with 80 bytes (10 words) each way --- */

static void serve_pipe_echo10(void)
{
	char buf[RTT10_BYTES];

	close(pipe_out[1]);
	close(pipe_in[0]);
	while (read(pipe_out[0], buf, sizeof(buf)) == sizeof(buf))
		xwrite(pipe_in[1], buf, sizeof(buf));
}

static void setup_pipe_rtt10(void)
{
	setup_pipe_pair(serve_pipe_echo10);
}

static void run_pipe_rtt10(int iters)
{
	char buf[RTT10_BYTES] = {0};

	for (int i = 0; i < iters; i++) {
		xwrite(to_peer, buf, sizeof(buf));
		xread(from_peer, buf, sizeof(buf));
	}
}

/* --- ipc_rtt_unix: the same over a unix stream socket pair --- */

static void serve_sock_echo(void)
{
	uint64_t word;

	close(sock[0]);
	while (read(sock[1], &word, sizeof(word)) == sizeof(word))
		xwrite(sock[1], &word, sizeof(word));
}

static void setup_unix_rtt(void)
{
	if (socketpair(AF_UNIX, SOCK_STREAM, 0, sock) < 0)
		die("socketpair");
	start_peer(serve_sock_echo);
	close(sock[1]);
	sock[1] = -1;
	to_peer = from_peer = sock[0];
	sock[0] = -1;
}

/* --- ipc_rtt_futex: a shared word handed back and forth with futex wait/wake --- */

static long futex(int *word, int op, int val)
{
	return syscall(SYS_futex, word, op, val, NULL, NULL, 0);
}

/* Wait until *word != val, then return its value. */
static int futex_wait_change(int *word, int val)
{
	int v;

	while ((v = __atomic_load_n(word, __ATOMIC_ACQUIRE)) == val)
		futex(word, FUTEX_WAIT, val);
	return v;
}

static void futex_set(int *word, int val)
{
	__atomic_store_n(word, val, __ATOMIC_RELEASE);
	futex(word, FUTEX_WAKE, 1);
}

/* The word: 0 = parent's turn, 1 = child's turn, 2 = child must exit. */
static void serve_futex(void)
{
	for (;;) {
		if (futex_wait_change(shared_word, 0) == 2)
			return;
		futex_set(shared_word, 0);
	}
}

static void setup_futex_rtt(void)
{
	shared_word = mmap(NULL, PAGE, PROT_READ | PROT_WRITE, MAP_SHARED | MAP_ANONYMOUS, -1, 0);
	if (shared_word == MAP_FAILED)
		die("mmap shared");
	*shared_word = 0;
	start_peer(serve_futex);
}

static void run_futex_rtt(int iters)
{
	for (int i = 0; i < iters; i++) {
		futex_set(shared_word, 1);
		futex_wait_change(shared_word, 1);
	}
}

static void teardown_futex_rtt(void)
{
	futex_set(shared_word, 2);
	stop_peer();
	munmap(shared_word, PAGE);
}

/* --- yield and futex_pingpong: two threads of this process, pinned to CPU 0 --- */

static pthread_t partner;
static volatile int partner_stop;
static int turn; /* 0 ours, 1 the partner's, 2 it must end */

static void *yield_partner(void *arg)
{
	while (!__atomic_load_n(&partner_stop, __ATOMIC_ACQUIRE))
		sched_yield();
	return arg;
}

static void *futex_partner(void *arg)
{
	while (futex_wait_change(&turn, 0) != 2)
		futex_set(&turn, 0);
	return arg;
}

static void start_partner(void *(*fn)(void *))
{
	partner_stop = 0;
	turn = 0;
	errno = pthread_create(&partner, NULL, fn, NULL);
	if (errno)
		die("pthread_create");
}

static void setup_yield(void)
{
	start_partner(yield_partner);
}

/* One round trip: our sched_yield runs the partner, whose sched_yield runs us. */
static void run_yield(int iters)
{
	for (int i = 0; i < iters; i++)
		sched_yield();
}

static void setup_futex_pingpong(void)
{
	start_partner(futex_partner);
}

static void run_futex_pingpong(int iters)
{
	for (int i = 0; i < iters; i++) {
		futex_set(&turn, 1);
		futex_wait_change(&turn, 1);
	}
}

static void stop_partner(void)
{
	__atomic_store_n(&partner_stop, 1, __ATOMIC_RELEASE);
	futex_set(&turn, 2);
	pthread_join(partner, NULL);
}

/* --- ipc_oneway: a stream of 64-byte pipe messages to a reading process --- */

/* Reads a count, then that many 64-byte messages, then acknowledges with a byte. */
static void serve_pipe_sink(void)
{
	char msg[MSG_BYTES];
	int count;

	close(pipe_out[1]);
	close(pipe_in[0]);
	while (read(pipe_out[0], &count, sizeof(count)) == sizeof(count)) {
		for (int i = 0; i < count; i++)
			xread(pipe_out[0], msg, sizeof(msg));
		xwrite(pipe_in[1], "", 1);
	}
}

static void setup_pipe_oneway(void)
{
	setup_pipe_pair(serve_pipe_sink);
}

static void run_pipe_oneway(int iters)
{
	char msg[MSG_BYTES] = {0}, ack;

	xwrite(to_peer, &iters, sizeof(iters));
	for (int i = 0; i < iters; i++)
		xwrite(to_peer, msg, sizeof(msg));
	xread(from_peer, &ack, 1);
}

/* --- cap_transfer: SCM_RIGHTS, one fd per seqpacket message; the receiver closes it --- */

static int passed_fd = -1;

static void serve_fd_sink(void)
{
	char byte;
	union {
		struct cmsghdr hdr;
		char buf[CMSG_SPACE(sizeof(int))];
	} ctl;
	struct iovec iov = {.iov_base = &byte, .iov_len = 1};
	struct msghdr mh = {.msg_iov = &iov, .msg_iovlen = 1};

	close(sock[0]);
	for (;;) {
		mh.msg_control = ctl.buf;
		mh.msg_controllen = sizeof(ctl.buf);
		if (recvmsg(sock[1], &mh, 0) != 1)
			return;
		if (byte == 'a') { /* the last of a batch: acknowledge */
			xwrite(sock[1], "", 1);
			continue;
		}
		struct cmsghdr *c = CMSG_FIRSTHDR(&mh);
		if (!c || c->cmsg_type != SCM_RIGHTS)
			die("recvmsg: no SCM_RIGHTS");
		int fd;
		memcpy(&fd, CMSG_DATA(c), sizeof(fd));
		close(fd);
	}
}

/* A seqpacket pair to a peer process running serve, and the fd to pass. */
static void setup_fd_peer(void (*serve)(void))
{
	if (socketpair(AF_UNIX, SOCK_SEQPACKET, 0, sock) < 0)
		die("socketpair");
	passed_fd = open("/dev/null", O_RDONLY);
	if (passed_fd < 0)
		die("open /dev/null");
	start_peer(serve);
	close(sock[1]);
	sock[1] = -1;
}

static void setup_cap_transfer(void)
{
	setup_fd_peer(serve_fd_sink);
}

static void run_cap_transfer(int iters)
{
	char byte = 'm';
	union {
		struct cmsghdr hdr;
		char buf[CMSG_SPACE(sizeof(int))];
	} ctl;
	struct iovec iov = {.iov_base = &byte, .iov_len = 1};
	struct msghdr mh = {.msg_iov = &iov,
	                    .msg_iovlen = 1,
	                    .msg_control = ctl.buf,
	                    .msg_controllen = sizeof(ctl.buf)};
	struct cmsghdr *c = CMSG_FIRSTHDR(&mh);

	c->cmsg_level = SOL_SOCKET;
	c->cmsg_type = SCM_RIGHTS;
	c->cmsg_len = CMSG_LEN(sizeof(int));
	memcpy(CMSG_DATA(c), &passed_fd, sizeof(int));
	for (int i = 0; i < iters; i++)
		if (sendmsg(sock[0], &mh, 0) != 1)
			die("sendmsg");
	xwrite(sock[0], "a", 1);
	xread(sock[0], &byte, 1);
}

static void teardown_cap_transfer(void)
{
	stop_peer();
	close(passed_fd);
}

/* --- cap_transfer_move: one fd to the peer and back, each side closing what it sent --- */

/* Sends fd with one byte on s by SCM_RIGHTS; returns what sendmsg returned. */
static ssize_t send_fd(int s, int fd)
{
	char byte = 'm';
	union {
		struct cmsghdr hdr;
		char buf[CMSG_SPACE(sizeof(int))];
	} ctl;
	struct iovec iov = {.iov_base = &byte, .iov_len = 1};
	struct msghdr mh = {.msg_iov = &iov,
	                    .msg_iovlen = 1,
	                    .msg_control = ctl.buf,
	                    .msg_controllen = sizeof(ctl.buf)};
	struct cmsghdr *c = CMSG_FIRSTHDR(&mh);

	c->cmsg_level = SOL_SOCKET;
	c->cmsg_type = SCM_RIGHTS;
	c->cmsg_len = CMSG_LEN(sizeof(int));
	memcpy(CMSG_DATA(c), &fd, sizeof(int));
	return sendmsg(s, &mh, 0);
}

/* Receives one message carrying an fd on s: the fd, or -1 (end, or no fd). */
static int recv_fd(int s)
{
	char byte;
	union {
		struct cmsghdr hdr;
		char buf[CMSG_SPACE(sizeof(int))];
	} ctl;
	struct iovec iov = {.iov_base = &byte, .iov_len = 1};
	struct msghdr mh = {.msg_iov = &iov,
	                    .msg_iovlen = 1,
	                    .msg_control = ctl.buf,
	                    .msg_controllen = sizeof(ctl.buf)};
	int fd;

	if (recvmsg(s, &mh, 0) != 1)
		return -1;
	struct cmsghdr *c = CMSG_FIRSTHDR(&mh);
	if (!c || c->cmsg_type != SCM_RIGHTS)
		return -1;
	memcpy(&fd, CMSG_DATA(c), sizeof(fd));
	return fd;
}

/* Sends back every fd it gets, closing its own copy: a move. */
static void serve_fd_echo(void)
{
	int fd;

	close(sock[0]);
	while ((fd = recv_fd(sock[1])) >= 0) {
		if (send_fd(sock[1], fd) != 1)
			die("sendmsg back");
		close(fd);
	}
}

static void setup_cap_move(void)
{
	setup_fd_peer(serve_fd_echo);
}

/* One round trip: sendmsg + close here, recvmsg + sendmsg + close there, recvmsg here. */
static void run_cap_move(int iters)
{
	for (int i = 0; i < iters; i++) {
		if (send_fd(sock[0], passed_fd) != 1)
			die("sendmsg");
		close(passed_fd);
		passed_fd = recv_fd(sock[0]);
		if (passed_fd < 0)
			die("recvmsg: no fd back");
	}
}

/* --- signal: wake a process blocked in FUTEX_WAIT on a shared word --- */

struct signal_page {
	int word; /* the signal: a sequence number, raised by us */
	int ack; /* the waiter's answer: the last sequence it saw */
	int stop; /* set before the last signal: the waiter exits */
	int pad;
	uint64_t t1, ns1; /* when the waiter ran after the last signal */
};

#define SIGNAL_TRIES 1000 /* signals in a row that found no waiter before we give up */

static volatile struct signal_page *sig;

static void serve_signal_waiter(void)
{
	int last = 0, w;

	for (;;) {
		while ((w = __atomic_load_n(&sig->word, __ATOMIC_ACQUIRE)) == last)
			futex((int *)&sig->word, FUTEX_WAIT, last);
		uint64_t t1 = rdtsc_fenced();
		uint64_t ns1 = now_ns();
		sig->t1 = t1;
		sig->ns1 = ns1;
		if (__atomic_load_n(&sig->stop, __ATOMIC_ACQUIRE))
			return;
		last = w;
		__atomic_store_n(&sig->ack, w, __ATOMIC_RELEASE);
		futex((int *)&sig->ack, FUTEX_WAKE, 1);
	}
}

static void setup_signal(void)
{
	sig = mmap(NULL, PAGE, PROT_READ | PROT_WRITE, MAP_SHARED | MAP_ANONYMOUS, -1, 0);
	if (sig == MAP_FAILED)
		die("mmap shared");
	start_peer(serve_signal_waiter);
}

/* Raise the word to seq and wake its waiter; how many were woken. */
static long signal_raise(int seq)
{
	__atomic_store_n(&sig->word, seq, __ATOMIC_RELEASE);
	return futex((int *)&sig->word, FUTEX_WAKE, 1);
}

/*
 * One operation: from just before the signal (the store and FUTEX_WAKE) to the
 * waiter's first instruction after its FUTEX_WAIT returned, whatever runs in
 * between. The sched_yield before it lets the waiter, if it was not yet back in
 * its wait, get there; a wake that found nobody is done again (as bin/bench).
 */
static void run_signal(int iters)
{
	self_tsc = self_ns = 0;
	for (int i = 0; i < iters; i++) {
		uint64_t t0, ns0;
		long n;
		int tries = 0;
		do {
			if (tries++ == SIGNAL_TRIES) {
				errno = EAGAIN;
				die("signal: the waiter never blocks");
			}
			sched_yield();
			int seq = sig->word + 1, a;
			ns0 = now_ns();
			t0 = rdtsc_fenced();
			n = signal_raise(seq);
			while ((a = __atomic_load_n(&sig->ack, __ATOMIC_ACQUIRE)) != seq)
				futex((int *)&sig->ack, FUTEX_WAIT, a);
			if (n < 0)
				die("FUTEX_WAKE");
		} while (n != 1);
		self_tsc += sig->t1 - t0;
		self_ns += sig->ns1 - ns0;
	}
}

static void teardown_signal(void)
{
	__atomic_store_n(&sig->stop, 1, __ATOMIC_RELEASE);
	signal_raise(sig->word + 1);
	stop_peer();
	munmap((void *)sig, PAGE);
}

/* --- pager_fault: first write to fresh anonymous pages --- */

static char *fault_area;

static void setup_fault_area(void)
{
	fault_area = mmap(NULL, FAULT_PAGES * PAGE, PROT_READ | PROT_WRITE,
	                  MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	if (fault_area == MAP_FAILED)
		die("mmap");
	madvise(fault_area, FAULT_PAGES * PAGE, MADV_NOHUGEPAGE);
}

/* iters must be FAULT_PAGES: one sample touches one fresh area. */
static void run_page_fault(int iters)
{
	for (int i = 0; i < iters; i++)
		((volatile char *)fault_area)[(size_t)i * PAGE] = 1;
}

static void teardown_fault_area(void)
{
	munmap(fault_area, FAULT_PAGES * PAGE);
}

/* --- map_unmap: map one resident page of a memory object, then unmap it --- */

static int memfd = -1;

static void setup_memfd(void)
{
	memfd = memfd_create("bench", 0);
	if (memfd < 0 || ftruncate(memfd, PAGE) < 0)
		die("memfd");
	char *p = mmap(NULL, PAGE, PROT_READ | PROT_WRITE, MAP_SHARED, memfd, 0);
	if (p == MAP_FAILED)
		die("mmap memfd");
	p[0] = 1; /* allocate the page once, outside the measurement */
	munmap(p, PAGE);
}

static void run_map_unmap(int iters)
{
	for (int i = 0; i < iters; i++) {
		void *p =
		    mmap(NULL, PAGE, PROT_READ | PROT_WRITE, MAP_SHARED | MAP_POPULATE, memfd, 0);
		if (p == MAP_FAILED)
			die("mmap");
		munmap(p, PAGE);
	}
}

static void teardown_memfd(void)
{
	close(memfd);
}

/* map_unmap_lazy: an anonymous page mapped and unmapped without being touched. */
static void run_map_unmap_lazy(int iters)
{
	for (int i = 0; i < iters; i++) {
		void *p =
		    mmap(NULL, PAGE, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
		if (p == MAP_FAILED)
			die("mmap");
		munmap(p, PAGE);
	}
}

/* --- thread_create: pthread_create + pthread_join of a thread that returns --- */

static void *empty_thread(void *arg)
{
	return arg;
}

static void run_thread_create(int iters)
{
	for (int i = 0; i < iters; i++) {
		pthread_t t;
		errno = pthread_create(&t, NULL, empty_thread, NULL);
		if (errno)
			die("pthread_create");
		pthread_join(t, NULL);
	}
}

/* --- spawn: fork + _exit + waitpid; spawn_exec: posix_spawn of this program --- */

static void run_fork_exit_wait(int iters)
{
	for (int i = 0; i < iters; i++) {
		pid_t pid = fork();
		if (pid < 0)
			die("fork");
		if (pid == 0)
			_exit(0);
		if (waitpid(pid, NULL, 0) != pid)
			die("waitpid");
	}
}

static const char *self_path = "/bin/linuxbench";

static void run_spawn_exec(int iters)
{
	char *argv[] = {(char *)"linuxbench", (char *)"--exit", NULL};

	for (int i = 0; i < iters; i++) {
		pid_t pid;
		errno = posix_spawn(&pid, self_path, NULL, NULL, argv, environ);
		if (errno)
			die("posix_spawn");
		if (waitpid(pid, NULL, 0) != pid)
			die("waitpid");
	}
}

/* --- The driver --- */

/* --- ns_lookup / ns_stat: a 4-component path in tmpfs (CharlotteOS: its tmpfs provider) --- */

#define NS_PATH "/bench-tmp/a/b/c/d"

static void setup_tmpfs_path(void)
{
	if (mkdir("/bench-tmp", 0755) && errno != EEXIST)
		die("mkdir /bench-tmp");
	if (mount("tmpfs", "/bench-tmp", "tmpfs", 0, NULL))
		die("mount tmpfs");
	if (mkdir("/bench-tmp/a", 0755) || mkdir("/bench-tmp/a/b", 0755) ||
	    mkdir("/bench-tmp/a/b/c", 0755))
		die("mkdir");
	int fd = open(NS_PATH, O_CREAT | O_WRONLY, 0644);
	if (fd < 0)
		die("create " NS_PATH);
	close(fd);
}

static void teardown_tmpfs_path(void)
{
	umount("/bench-tmp");
}

static void run_ns_lookup(int iters)
{
	for (int i = 0; i < iters; i++) {
		int fd = open(NS_PATH, O_RDONLY);
		if (fd < 0)
			die("open " NS_PATH);
		close(fd);
	}
}

static void run_ns_stat(int iters)
{
	struct stat st;
	for (int i = 0; i < iters; i++)
		if (stat(NS_PATH, &st))
			die("stat " NS_PATH);
}

/*
 * blk_read_4k, blk_read_seq: the instructions of a sample that waits for a disk.
 * Under -icount sleep=off a CPU halted while QEMU's disk thread works moves guest
 * time straight to the next timer deadline (docs/bench.md, "blk_read_4k,
 * blk_read_seq"), so these samples time themselves: the interval less the time CPU
 * 0 was idle by the kernel's own account (tick-sched's idle_sleeptime +
 * iowait_sleeptime in /proc/timer_list, ns of CLOCK_MONOTONIC, converted to TSC
 * ticks by the interval's ratio), read outside the interval. Linux stops its idle
 * account at each interrupt's entry (tick_irq_enter), so interrupt handling counts.
 */
static uint64_t busy_idle0, busy_ns0, busy_t0;

/* CPU 0's idle + iowait ns by the kernel's tick-sched account (/proc/timer_list). */
static uint64_t idle_ns(void)
{
	static char buf[1 << 16];
	int fd = open("/proc/timer_list", O_RDONLY);
	ssize_t n = 0, k;
	if (fd < 0)
		die("/proc/timer_list");
	while (n < (ssize_t)sizeof(buf) - 1 &&
	       (k = read(fd, buf + n, sizeof(buf) - 1 - (size_t)n)) > 0)
		n += k;
	close(fd);
	buf[n] = 0;
	const char *cpu = strstr(buf, "cpu: 0\n");
	const char *keys[] = {".idle_sleeptime", ".iowait_sleeptime"};
	uint64_t sum = 0;
	for (int i = 0; i < 2; i++) {
		const char *p = cpu ? strstr(cpu, keys[i]) : NULL;
		if (!p || !(p = strchr(p, ':'))) {
			errno = ENOENT;
			die("/proc/timer_list: no idle_sleeptime / iowait_sleeptime for cpu 0");
		}
		sum += strtoull(p + 1, NULL, 10);
	}
	return sum;
}

static void busy_begin(void)
{
	busy_idle0 = idle_ns();
	busy_ns0 = now_ns();
	busy_t0 = rdtsc_fenced();
}

static void busy_end(void)
{
	uint64_t t1 = rdtsc_fenced();
	uint64_t ns1 = now_ns();
	uint64_t idle = idle_ns() - busy_idle0;
	uint64_t span = t1 - busy_t0, span_ns = ns1 > busy_ns0 ? ns1 - busy_ns0 : 1;
	uint64_t idle_tsc = (uint64_t)((unsigned __int128)idle * span / span_ns);
	self_tsc = idle_tsc < span ? span - idle_tsc : 0;
	self_ns = ns1 - busy_ns0;
}

/* blk_read_4k: one 4 KiB pread with O_DIRECT from the virtio-blk disk (the init
 * loads the virtio modules), walking the first MiB as CharlotteOS's bench does. */
static int blk_fd = -1;
static void *blk_buf;
static off_t blk_off;

static void setup_blk(void)
{
	blk_fd = open("/dev/vda", O_RDONLY | O_DIRECT);
	if (blk_fd >= 0 && posix_memalign(&blk_buf, 4096, 4096) != 0)
		die("posix_memalign");
}

static void run_blk_read(int iters)
{
	busy_begin();
	for (int i = 0; i < iters; i++) {
		if (pread(blk_fd, blk_buf, 4096, blk_off) != 4096)
			die("pread /dev/vda");
		blk_off = (blk_off + 4096) % (1 << 20);
	}
	busy_end();
}

static void teardown_blk(void)
{
	close(blk_fd);
	free(blk_buf);
}

/*
 * blk_read_seq: BLK_SEQ_MIB MiB from the start of /dev/vdc (the fs_* disk, mounted on
 * /fsb: reading the device under a mounted file system is allowed and changes
 * nothing) by pread of BLK_SEQ_LINUX_REQ bytes with O_DIRECT, in order, as `dd
 * iflag=direct bs=1M` reads; the block layer splits each into the requests
 * virtio-blk takes and has them in flight together.
 * Timed as blk_read_4k is (busy_begin / busy_end).
 */
static int seq_fd = -1;
static void *seq_buf;

static void setup_blk_seq(void)
{
	seq_fd = open("/dev/vdc", O_RDONLY | O_DIRECT);
	if (seq_fd >= 0 && posix_memalign(&seq_buf, 4096, BLK_SEQ_LINUX_REQ) != 0)
		die("posix_memalign");
}

static void run_blk_seq(int iters)
{
	uint64_t total = (uint64_t)iters << 20;
	busy_begin();
	for (uint64_t off = 0; off < total; off += BLK_SEQ_LINUX_REQ)
		if (pread(seq_fd, seq_buf, BLK_SEQ_LINUX_REQ, (off_t)off) != BLK_SEQ_LINUX_REQ)
			die("pread /dev/vdc");
	busy_end();
}

static void teardown_blk_seq(void)
{
	close(seq_fd);
	free(seq_buf);
}

/*
 * fs_read_1m, fs_create_small, fs_stat: the ext2 image of mk/bench.mk, attached as
 * the third virtio-blk disk (/dev/vdc) and mounted on /fsb by /init through ext4's
 * driver (CONFIG_EXT4_USE_FOR_EXT2), read-write. The operations are fs_bench.h's,
 * as bin/bench's: open + read + close, open(O_CREAT) + write + close, stat.
 */
#define FS_FILE "/fsb/read1m.bin"
#define FS_CREATE_DIR_FMT "/fsb/create/%d"
#define FS_CREATE_FMT "/fsb/create/%d/f%04d"

static unsigned char *fs_buf;
static bool fs_ready; /* setup found the disk as mk/bench.mk made it */

/* The file is there with its content (read once: the page cache is warm). */
static void setup_fs_read(void)
{
	fs_buf = malloc(FS_READ_BYTES);
	if (!fs_buf)
		die("malloc");
	long n = fs_bench_read(FS_FILE, fs_buf);
	fs_ready = n == FS_READ_BYTES && fs_bench_content_ok(fs_buf);
	if (!fs_ready)
		printf("BENCH ERROR " FS_FILE ": %s (is /dev/vdc mounted on /fsb?)\n",
		       n < 0 ? strerror(errno) : "not what mk/bench.mk wrote");
}

static void teardown_fs(void)
{
	free(fs_buf);
	fs_buf = NULL;
	fs_ready = false;
}

/* open + read of the whole 1 MiB + close, from the page cache */
static void run_fs_read(int iters)
{
	for (int i = 0; i < iters; i++)
		if (fs_bench_read(FS_FILE, fs_buf) != FS_READ_BYTES)
			die("read " FS_FILE);
}

static void run_fs_stat(int iters)
{
	struct stat st;
	for (int i = 0; i < iters; i++)
		if (stat(FS_FILE, &st))
			die("stat " FS_FILE);
}

static int fs_round; /* fs_create_small: the sample's directory, /fsb/create/<fs_round> */

/* Each sample's files go into a new directory, made before it (not timed). */
static int fs_create_dir(void)
{
	char name[64];
	snprintf(name, sizeof(name), FS_CREATE_DIR_FMT, fs_round);
	return mkdir(name, 0755);
}

static void setup_fs_create(void)
{
	fs_buf = malloc(FS_CREATE_BYTES);
	if (!fs_buf)
		die("malloc");
	memset(fs_buf, 'x', FS_CREATE_BYTES);
	fs_round = 0;
	fs_ready = fs_create_dir() == 0;
	if (!fs_ready)
		printf("BENCH ERROR /fsb/create: %s (is /dev/vdc mounted on /fsb?)\n",
		       strerror(errno));
}

/* per file: open(O_CREAT | O_EXCL) of a new name, write 4 KiB, close */
static void run_fs_create(int iters)
{
	char name[64];
	for (int i = 0; i < iters; i++) {
		snprintf(name, sizeof(name), FS_CREATE_FMT, fs_round, i);
		if (fs_bench_create(name, fs_buf))
			die("create");
	}
}

/* Between samples, not timed: sync, and the next sample's directory. */
static void fs_create_after(void)
{
	sync();
	fs_round++;
	if (fs_create_dir())
		die("mkdir");
}

static const struct bench benches[] = {
    {"null_syscall", 101, 100, 0, run_null_syscall, 0, false, 0},
    {"null_syscall_enosys", 101, 100, 0, run_enosys_syscall, 0, false, 0},
    {"ipc_rtt", 101, 10, setup_pipe_rtt, run_pipe_rtt, stop_peer, false, 0},
    {"ipc_rtt_10w", 101, 10, setup_pipe_rtt10, run_pipe_rtt10, stop_peer, false, 0},
    {"ipc_rtt_futex", 101, 10, setup_futex_rtt, run_futex_rtt, teardown_futex_rtt, false, 0},
    {"ipc_rtt_unix", 101, 10, setup_unix_rtt, run_pipe_rtt, stop_peer, false, 0},
    {"ipc_oneway", 101, 100, setup_pipe_oneway, run_pipe_oneway, stop_peer, false, 0},
    {"cap_transfer", 101, 50, setup_cap_transfer, run_cap_transfer, teardown_cap_transfer, false,
     0},
    {"cap_transfer_move", 101, 10, setup_cap_move, run_cap_move, teardown_cap_transfer, false, 0},
    {"signal", 101, 10, setup_signal, run_signal, teardown_signal, true, 0},
    {"pager_fault", 101, FAULT_PAGES, 0, run_page_fault, 0, false, 0}, /* per sample: see below */
    {"map_unmap", 101, 10, setup_memfd, run_map_unmap, teardown_memfd, false, 0},
    {"map_unmap_lazy", 101, 10, 0, run_map_unmap_lazy, 0, false, 0},
    {"thread_create", 101, 4, 0, run_thread_create, 0, false, 0},
    {"spawn", 51, 1, 0, run_fork_exit_wait, 0, false, 0},
    {"spawn_exec", 21, 1, 0, run_spawn_exec, 0, false, 0},
    {"ns_lookup", 101, 10, setup_tmpfs_path, run_ns_lookup, teardown_tmpfs_path, false, 0},
    {"ns_stat", 101, 10, setup_tmpfs_path, run_ns_stat, teardown_tmpfs_path, false, 0},
    {"blk_read_4k", 101, 10, setup_blk, run_blk_read, teardown_blk, true, 0},
    {"blk_read_seq", BLK_SEQ_SAMPLES, BLK_SEQ_MIB, setup_blk_seq, run_blk_seq, teardown_blk_seq,
     true, 0},
    {"fs_read_1m", FS_READ_SAMPLES, 1, setup_fs_read, run_fs_read, teardown_fs, false, 0},
    {"fs_create_small", FS_CREATE_SAMPLES, FS_CREATE_FILES, setup_fs_create, run_fs_create,
     teardown_fs, false, fs_create_after},
    {"fs_stat", FS_STAT_SAMPLES, FS_STAT_ITERS, setup_fs_read, run_fs_stat, teardown_fs, false, 0},
    {"yield", 101, 10, setup_yield, run_yield, stop_partner, false, 0},
    {"futex_pingpong", 101, 10, setup_futex_pingpong, run_futex_pingpong, stop_partner, false, 0},
};

static int cmp_u64(const void *a, const void *b)
{
	uint64_t x = *(const uint64_t *)a, y = *(const uint64_t *)b;

	return (x > y) - (x < y);
}

/* Sorts v; prints " <prefix>median=.. <prefix>min=.. <prefix>max=..". */
static void print_stats(const char *prefix, uint64_t *v, int n)
{
	qsort(v, (size_t)n, sizeof(*v), cmp_u64);
	printf(" %smedian=%llu %smin=%llu %smax=%llu", prefix, (unsigned long long)v[n / 2], prefix,
	       (unsigned long long)v[0], prefix, (unsigned long long)v[n - 1]);
}

static struct sample time_one(const struct bench *b)
{
	struct sample s;
	uint64_t ns0, ns1, t0, t1;

	ns0 = now_ns();
	t0 = rdtsc_fenced();
	b->run(b->iters);
	t1 = rdtsc_fenced();
	ns1 = now_ns();
	s.tsc = b->self_timed ? self_tsc : t1 - t0;
	s.ns = b->self_timed ? self_ns : ns1 - ns0;
	return s;
}

/* pager_fault needs a fresh area per sample, made and freed outside the timing. */
static bool per_sample_setup(const struct bench *b)
{
	return b->run == run_page_fault;
}

static void run_bench(const struct bench *b)
{
	static uint64_t tsc[MAX_SAMPLES], ns[MAX_SAMPLES];
	uint64_t half = (uint64_t)b->iters / 2;
	int warmup = 3;

	if (b->setup && !per_sample_setup(b))
		b->setup();
	if (b->run == run_blk_read && blk_fd < 0) {
		printf("BENCH ERROR %s: /dev/vda: %s\n", b->name, strerror(errno));
		return;
	}
	if (b->run == run_blk_seq && seq_fd < 0) {
		printf("BENCH ERROR %s: /dev/vdc: %s\n", b->name, strerror(errno));
		return;
	}
	if (b->teardown == teardown_fs && !fs_ready) {
		teardown_fs();
		return;
	}
	for (int i = -warmup; i < b->samples; i++) {
		if (per_sample_setup(b))
			setup_fault_area();
		struct sample s = time_one(b);
		if (per_sample_setup(b))
			teardown_fault_area();
		if (b->after)
			b->after();
		if (i < 0)
			continue;
		tsc[i] = (s.tsc + half) / (uint64_t)b->iters;
		ns[i] = (s.ns + half) / (uint64_t)b->iters;
	}
	if (b->teardown && !per_sample_setup(b))
		b->teardown();
	printf("BENCH %s", b->name);
	print_stats("", tsc, b->samples);
	printf(" n=%d iters=%d", b->samples, b->iters);
	print_stats("ns_", ns, b->samples);
	printf("\n");
	fflush(stdout);
}

/*
 * --- scheduler metrics (bin/bench's, docs/bench.md "Scheduler metrics") ---
 *
 * Threads of this process, all on CPU 0 like everything here (the process is
 * pinned before they are made), under SCHED_OTHER (CFS in 6.1). CPU times by
 * each thread's CPU-time clock (pthread_getcpuclockid), latencies by
 * CLOCK_MONOTONIC: under icount, guest time. Weights are nice values: 0, -3
 * and -6 are CFS weights 1024, 1991 and 3906 (its table), about 1:2:4; the
 * error is taken against those weights. The sleeper's timer slack is set to
 * 1 ns (PR_SET_TIMERSLACK; the default 50 us would add timer coalescing, not
 * scheduling, to its latency). CharlotteOS has no SCHED_MODE_FIXED
 * counterpart here: wake_p99_us_fixed is CharlotteOS's only.
 */
static volatile int hogs_stop;
static int hogs_go = 1; /* 0: hogs wait (blocked on the futex) before they spin */
static volatile int hog_nice[SCHED_MAX_THREADS];
static uint64_t hog_end_cpu[SCHED_MAX_THREADS]; /* each one's CPU time as it ended */

static uint64_t self_cpu_ns(void)
{
	struct timespec ts;
	if (clock_gettime(CLOCK_THREAD_CPUTIME_ID, &ts) < 0)
		die("thread CPU clock");
	return (uint64_t)ts.tv_sec * 1000000000ull + (uint64_t)ts.tv_nsec;
}

static void *hog_fn(void *arg)
{
	int i = (int)(intptr_t)arg;
	if (hog_nice[i] && setpriority(PRIO_PROCESS, (id_t)syscall(SYS_gettid), hog_nice[i]) < 0)
		die("setpriority");
	futex_wait_change(&hogs_go, 0);
	while (!hogs_stop) /* no pause: TCG leaves its execution loop at each one */
		;
	hog_end_cpu[i] = self_cpu_ns();
	return NULL;
}

static uint64_t thread_cpu_ns(pthread_t t)
{
	clockid_t c;
	struct timespec ts;
	if (pthread_getcpuclockid(t, &c) != 0 || clock_gettime(c, &ts) < 0)
		die("thread CPU clock");
	return (uint64_t)ts.tv_sec * 1000000000ull + (uint64_t)ts.tv_nsec;
}

/* n spinning threads of nice values nice[] (NULL: 0) for ns; their CPU times. */
static void hogs_run(int n, const int *nice, uint64_t ns, uint64_t *cpu)
{
	pthread_t t[SCHED_MAX_THREADS];
	uint64_t before[SCHED_MAX_THREADS];
	hogs_stop = 0;
	hogs_go = 0;
	for (int i = 0; i < n; i++) {
		hog_nice[i] = nice ? nice[i] : 0;
		if (pthread_create(&t[i], NULL, hog_fn, (void *)(intptr_t)i) != 0)
			die("pthread_create");
	}
	usleep(20000); /* each has set its nice value and waits */
	for (int i = 0; i < n; i++)
		before[i] = thread_cpu_ns(t[i]); /* blocked: nothing moves while we read */
	__atomic_store_n(&hogs_go, 1, __ATOMIC_RELEASE);
	futex(&hogs_go, FUTEX_WAKE, INT_MAX); /* all released at once */
	struct timespec d = {(time_t)(ns / 1000000000ull), (long)(ns % 1000000000ull)};
	while (nanosleep(&d, &d) < 0 && errno == EINTR)
		;
	/* all stop at one moment; each notes its own time as it ends (bench.c does the same) */
	hogs_stop = 1;
	for (int i = 0; i < n; i++) {
		pthread_join(t[i], NULL);
		cpu[i] = hog_end_cpu[i] - before[i];
	}
	hogs_go = 1;
}

static void print_one(const char *name, double v)
{
	printf("BENCH %s median=%.4f min=%.4f max=%.4f n=1\n", name, v, v, v);
}

static void bench_fairness(void)
{
	uint64_t cpu[SCHED_FAIR_THREADS];
	double sum = 0, sq = 0;
	hogs_run(SCHED_FAIR_THREADS, NULL, SCHED_FAIR_NS, cpu);
	for (int i = 0; i < SCHED_FAIR_THREADS; i++)
		sum += (double)cpu[i], sq += (double)cpu[i] * (double)cpu[i];
	print_one("sched_fairness_jain", sq > 0 ? sum * sum / (SCHED_FAIR_THREADS * sq) : 0);
}

static void bench_weights(void)
{
	static const int nice[3] = {0, -3, -6};
	static const double w[3] = {1024, 1991, 3906}; /* CFS's sched_prio_to_weight */
	uint64_t cpu[3];
	double total, worst = 0;
	hogs_run(3, nice, SCHED_WEIGHT_NS, cpu);
	total = (double)(cpu[0] + cpu[1] + cpu[2]);
	for (int i = 0; i < 3; i++) {
		double want = w[i] / (w[0] + w[1] + w[2]),
		       got = total > 0 ? (double)cpu[i] / total : 0;
		double err = got > want ? got / want - 1 : 1 - got / want;
		worst = err > worst ? err : worst;
	}
	print_one("sched_weight_error_pct", worst * 100);
}

static void bench_wake(void)
{
	static uint64_t lat[SCHED_WAKE_SAMPLES];
	pthread_t t[SCHED_HOGS];
	hogs_stop = 0;
	for (int i = 0; i < SCHED_HOGS; i++) {
		hog_nice[i] = 0;
		if (pthread_create(&t[i], NULL, hog_fn, (void *)(intptr_t)i) != 0)
			die("pthread_create");
	}
	if (prctl(PR_SET_TIMERSLACK, 1UL, 0, 0, 0) < 0)
		die("PR_SET_TIMERSLACK");
	for (int i = -SCHED_WAKE_WARMUP; i < SCHED_WAKE_SAMPLES; i++) {
		uint64_t deadline = now_ns() + SCHED_SLEEP_NS;
		struct timespec d = {(time_t)(deadline / 1000000000ull),
		                     (long)(deadline % 1000000000ull)};
		while (clock_nanosleep(CLOCK_MONOTONIC, TIMER_ABSTIME, &d, NULL) == EINTR)
			;
		uint64_t now = now_ns();
		if (i >= 0)
			lat[i] = now > deadline ? now - deadline : 0;
	}
	hogs_stop = 1;
	for (int i = 0; i < SCHED_HOGS; i++)
		pthread_join(t[i], NULL);
	qsort(lat, SCHED_WAKE_SAMPLES, sizeof(lat[0]), cmp_u64);
	const int pct[2] = {50, 99};
	for (int k = 0; k < 2; k++) {
		uint64_t v = lat[(SCHED_WAKE_SAMPLES * pct[k] + 99) / 100 - 1];
		printf("BENCH wake_p%d_us median=%.3f min=%.3f max=%.3f n=%d\n", pct[k], v / 1000.0,
		       lat[0] / 1000.0, lat[SCHED_WAKE_SAMPLES - 1] / 1000.0, SCHED_WAKE_SAMPLES);
	}
}

static void bench_sched(const char *only)
{
	if (!only || strstr(only, "sched_fairness"))
		bench_fairness();
	if (!only || strstr(only, "sched_weight"))
		bench_weights();
	if (!only || strstr(only, "wake"))
		bench_wake();
	fflush(stdout);
}

static void pin_to_cpu0(void)
{
	cpu_set_t set;

	CPU_ZERO(&set);
	CPU_SET(0, &set);
	if (sched_setaffinity(0, sizeof(set), &set) < 0)
		die("sched_setaffinity");
}

int main(int argc, char **argv)
{
	struct utsname u;
	const char *only = getenv("benchonly");

	if (argc > 1 && strcmp(argv[1], "--exit") == 0)
		return 0;
	if (argc > 0 && argv[0][0] == '/')
		self_path = argv[0];
	setvbuf(stdout, NULL, _IOLBF, 0);
	if (!getenv("benchnopin"))
		pin_to_cpu0();
	uname(&u);
	printf("BENCH INFO os=linux release=%s cpus=%ld pinned=%s\n", u.release,
	       sysconf(_SC_NPROCESSORS_ONLN), getenv("benchnopin") ? "no" : "cpu0");
	for (size_t i = 0; i < sizeof(benches) / sizeof(benches[0]); i++)
		if (!only || strstr(only, benches[i].name))
			run_bench(&benches[i]);
	bench_sched(only);
	printf("BENCH DONE\n");
	return 0;
}
