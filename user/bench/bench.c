/*
 * bench.c - bin/bench: CharlotteOS's half of `make bench` (docs/bench.md), the
 * same metrics as bench/linux/linuxbench.c measured the same way.
 *
 * Each metric runs 3 warm-up samples, then `n` samples of `iters` operations; a
 * sample is timed twice,
 *     ns0 = SYS_SELF_CLOCK; t0 = lfence; rdtsc; lfence; <iters operations>;
 *     t1 = lfence; rdtsc; lfence; ns1 = SYS_SELF_CLOCK
 * and the per-operation figures are (t1 - t0) / iters and (ns1 - ns0) / iters,
 * rounded. Under `-icount shift=0` the TSC counts guest instructions. One line per
 * metric on the log:
 *     BENCH <name> median=<> min=<> max=<> n=<samples> iters=<> ns_median=<> ...
 * between "BENCH INFO os=charlotteos" and "BENCH DONE".
 *
 * Two-process metrics use a child: bin/bench itself run as `bench server` (fast
 * call/reply server), `bench server10` (general call/reply server echoing 80
 * bytes), `bench capecho` (answers each call by moving its capability back) or
 * `bench sink` (receives messages, drops capabilities, and answers a 1-byte
 * end-of-sample marker), with one end of a channel granted as "ep"; or `bench
 * waiter`, which shares a page with us ("shm") and waits on a futex in it
 * (signal). `bench exit` exits at once: the image `spawn` starts. pager_fault
 * runs in a thread attached to libcharlotte's in-process pager (pager.h).
 *
 * `signal` is self-timed: each operation is timed from just before the signal
 * (in this process) to just after the waiter's wait returns (in the waiter, on
 * the same CPU), and the sample is the sum of those intervals (struct bench's
 * self_timed), not the driver's interval.
 *
 * Started by Exec from etc/bench.manifest with "log", "initrd" and a pool.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/stat.h>

#include <charlotte/blk.h>
#include <charlotte/driver.h>
#include <charlotte/kbus.h>
#include <charlotte/names.h>
#include <charlotte/ns.h>
#include <charlotte/pager.h>
#include <charlotte/sched.h>
#include <charlotte/spawn.h>
#include <charlotte/start.h>
#include <charlotte/syscall.h>
#include <charlotte/thread.h>

#include "../../bench/fs_bench.h"
#include "../../bench/blk_bench.h"
#include "../../bench/sched_bench.h"
#include "../fsd/fsd_ctl.h"

#define MAX_SAMPLES 256
#define WARMUP 3
#define PAGE 4096u
#define MSG_BYTES 64u
#define FAULT_PAGES 32u
#define CAP_ITERS 50u
#define RTT10_BYTES 80u /* ipc_rtt_10w: 10 words each way */
#define MAP_VA UINT64_C(0x0000580000000000)
#define SHM_VA UINT64_C(0x0000580000200000) /* signal's shared page, same VA in both */

struct bench {
	const char *name;
	int samples;
	int iters;
	int (*setup)(void); /* once, before the samples (may be NULL) */
	void (*before)(void); /* before each sample, not timed (may be NULL) */
	void (*run)(int iters);
	void (*after)(void); /* after each sample, not timed (may be NULL) */
	void (*teardown)(void); /* once (may be NULL) */
	int self_timed; /* run() sums its operations' own intervals in self_tsc / self_ns */
};

/*
 * The threads' stacks (thread_create, yield and futex_pingpong's partner, the
 * scheduler metrics' spinners), STACK_BYTES each, come from malloc in main, not
 * from bss: `spawn` starts this very image, and each of its bss pages is zeroed
 * at every spawn, so the spawn figure would grow with the benchmark's own arrays.
 */
#define STACK_BYTES 16384u
static uint8_t *thread_stack, *partner_stack, *hog_stacks;

static handle_t pool, self_as, ep;
static struct ch_child peer;
static int errors;
static uint64_t self_tsc, self_ns; /* a self-timed sample's total (see struct bench) */

static void error(const char *what, long r)
{
	if (errors++ < 20)
		printf("BENCH ERROR %s: %s\n", what, ch_error_name(r));
}

static inline uint64_t rdtsc_fenced(void)
{
	uint32_t lo, hi;
	__asm__ volatile("lfence; rdtsc; lfence" : "=a"(lo), "=d"(hi)::"memory");
	return ((uint64_t)hi << 32) | lo;
}

/* --- null_syscall --- */

static void run_null(int iters)
{
	for (int i = 0; i < iters; i++)
		ch_syscall0(SYS_SELF_NULL, 0);
}

/* --- two-process metrics: a child with one end of a channel --- */

static int start_peer(const char *role, uint32_t depth)
{
	handle_t e[2];
	const char *argv[] = {"bin/bench", role, NULL};
	long r = ch_channel_create(pool, depth, e);
	if (r < 0) {
		error("channel_create", r);
		return (int)r;
	}
	struct ch_grant g[] = {{"ep", e[1], RIGHT_SEND | RIGHT_RECV | RIGHT_WAIT}};
	struct ch_spawn_args a = {
	    .path = "bin/bench", .argv = argv, .grants = g, .ngrants = 1, .child_pool = 1u << 20};
	r = ch_spawn(&a, &peer);
	ch_cap_drop(e[1]);
	if (r < 0) {
		ch_cap_drop(e[0]);
		error("spawn peer", r);
		return (int)r;
	}
	ep = e[0];
	return 0;
}

static void stop_peer(void)
{
	ch_cap_drop(ep); /* the peer's next receive gets ERR_PEER_CLOSED and it exits */
	if (ch_proc_wait(peer.process, 5000000000ull, NULL) < 0)
		ch_proc_kill(peer.process);
	ch_child_release(&peer);
	ep = HANDLE_INVALID;
}

static int setup_rtt(void)
{
	return start_peer("server", 0);
}

static void run_rtt(int iters)
{
	uint64_t w[4] = {1, 2, 3, 4};
	for (int i = 0; i < iters; i++) {
		long r = ch_kbus_call_fast(ep, w, w, CH_FOREVER);
		if (r < 0) {
			error("ipc_rtt call", r);
			return;
		}
	}
}

/* ipc_rtt_10w: 80 bytes each way, more than the four register words, so the
 * general call path (a message descriptor and a reply buffer in memory), as a
 * real program sending 80 bytes takes it. */
static int setup_rtt10(void)
{
	return start_peer("server10", 0);
}

static void run_rtt10(int iters)
{
	static uint64_t req[RTT10_BYTES / 8], rep[RTT10_BYTES / 8];
	for (int i = 0; i < iters; i++) {
		req[0] = (uint64_t)i;
		struct kbus_msg m = {.data = req, .len = RTT10_BYTES};
		struct kbus_buf b = {.data = rep, .capacity = RTT10_BYTES};
		long r = ch_kbus_call(ep, &m, &b, CH_FOREVER);
		if (r >= 0 && (b.len != RTT10_BYTES || rep[0] != (uint64_t)i))
			r = ERR_MALFORMED;
		if (r < 0) {
			error("ipc_rtt_10w call", r);
			return;
		}
	}
}

static int setup_oneway(void)
{
	return start_peer("sink", 256);
}

/* Ends a sample: a 1-byte marker, answered by the sink once it got everything. */
static void sample_end(const char *what)
{
	char c = 0;
	uint32_t len;
	long r = ch_kbus_send_bytes(ep, &c, 1, 0, CH_FOREVER);
	if (r >= 0)
		r = ch_kbus_recv_bytes(ep, &c, 1, &len, 0, CH_FOREVER);
	if (r < 0)
		error(what, r);
}

static void run_oneway(int iters)
{
	static uint8_t msg[MSG_BYTES];
	for (int i = 0; i < iters; i++) {
		long r = ch_kbus_send_bytes(ep, msg, MSG_BYTES, 0, CH_FOREVER);
		if (r < 0) {
			error("ipc_oneway send", r);
			return;
		}
	}
	sample_end("ipc_oneway end");
}

/* cap_transfer: each message carries a copy of one capability (copy_mask: the
 * kernel duplicates it as part of the send, as SCM_RIGHTS takes a reference to
 * the file); the sink drops what it got. Nothing is prepared per sample. */
static handle_t cap_src;

static int setup_cap(void)
{
	long r = ch_mem_create(pool, PAGE, &cap_src);
	if (r < 0) {
		error("mem_create", r);
		return (int)r;
	}
	return start_peer("sink", 256);
}

static void run_cap(int iters)
{
	static uint8_t msg[8];
	for (int i = 0; i < iters; i++) {
		struct kbus_msg m = {.data = msg,
		                     .len = sizeof(msg),
		                     .handles = &cap_src,
		                     .nhandles = 1,
		                     .copy_mask = 1};
		long r = ch_kbus_send(ep, &m, 0, CH_FOREVER);
		if (r < 0) {
			error("cap_transfer send", r);
			return;
		}
	}
	sample_end("cap_transfer end");
}

static void teardown_cap(void)
{
	stop_peer();
	ch_cap_drop(cap_src);
}

/* cap_transfer_move: one capability travels to the peer and back by move, as a
 * call whose reply carries it (bench capecho); per round trip, two moves. */
static handle_t move_cap;

static int setup_cap_move(void)
{
	long r = ch_mem_create(pool, PAGE, &move_cap);
	if (r < 0) {
		error("mem_create", r);
		return (int)r;
	}
	return start_peer("capecho", 0);
}

static void run_cap_move(int iters)
{
	static uint8_t msg[8], rep[8];
	for (int i = 0; i < iters; i++) {
		handle_t back = HANDLE_INVALID;
		struct kbus_msg m = {
		    .data = msg, .len = sizeof(msg), .handles = &move_cap, .nhandles = 1};
		struct kbus_buf b = {
		    .data = rep, .capacity = sizeof(rep), .handles = &back, .handles_capacity = 1};
		long r = ch_kbus_call(ep, &m, &b, CH_FOREVER);
		if (r >= 0 && b.nhandles != 1)
			r = ERR_MALFORMED;
		if (r < 0) {
			error("cap_transfer_move call", r);
			return;
		}
		move_cap = back;
	}
}

static void teardown_cap_move(void)
{
	stop_peer();
	ch_cap_drop(move_cap);
}

/* --- signal: wake a thread of another process blocked on a futex in shared memory --- */

/* The page both processes map at SHM_VA. */
struct signal_page {
	uint32_t word; /* the signal: a sequence number, raised by us */
	uint32_t ack; /* the waiter's answer: the last sequence it saw */
	uint32_t stop; /* set before the last signal: the waiter exits */
	uint32_t pad;
	uint64_t t1, ns1; /* when the waiter ran after the last signal */
};

#define SIG ((volatile struct signal_page *)(uintptr_t)SHM_VA)
#define SIGNAL_TRIES 1000 /* signals in a row that found no waiter before we give up */

static handle_t sig_mem;

static int setup_signal(void)
{
	const char *argv[] = {"bin/bench", "waiter", NULL};
	long r = ch_mem_create(pool, PAGE, &sig_mem);
	if (r >= 0)
		r = ch_as_map(self_as, SHM_VA, sig_mem, 0, PAGE, PROT_READ | PROT_WRITE);
	if (r >= 0) {
		struct ch_grant g[] = {{"shm", sig_mem, RIGHT_MAP | RIGHT_READ | RIGHT_WRITE}};
		struct ch_spawn_args a = {.path = "bin/bench",
		                          .argv = argv,
		                          .grants = g,
		                          .ngrants = 1,
		                          .child_pool = 1u << 20};
		r = ch_spawn(&a, &peer);
	}
	if (r < 0) {
		error("signal setup", r);
		return -1;
	}
	return 0;
}

/* Raise the word to seq and wake its waiter; how many were woken. */
static long signal_raise(uint32_t seq)
{
	__atomic_store_n(&SIG->word, seq, __ATOMIC_RELEASE);
	return ch_futex_wake(&SIG->word, 1);
}

/* Wait until the waiter has answered seq. */
static void signal_wait_ack(uint32_t seq)
{
	uint32_t a;
	while ((a = __atomic_load_n(&SIG->ack, __ATOMIC_ACQUIRE)) != seq)
		ch_futex_wait(&SIG->ack, a, CH_FOREVER);
}

/*
 * One operation: from just before the signal (the store and SYS_SELF_FUTEX_WAKE)
 * to the waiter's first instruction after its SYS_SELF_FUTEX_WAIT returned,
 * whatever runs in between (the wake, the switch, or, when the wake does not
 * switch at once, our own way into the wait for the answer). The yield before
 * it lets the waiter, if it was not yet back in its wait, get there; a signal
 * that woke nobody (the waiter was not blocked after all) is done again, so
 * every counted one woke a blocked thread.
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
				error("signal: the waiter never blocks", ERR_BAD_STATE);
				return;
			}
			ch_yield();
			uint32_t seq = SIG->word + 1;
			ns0 = (uint64_t)ch_clock_ns();
			t0 = rdtsc_fenced();
			n = signal_raise(seq);
			signal_wait_ack(seq);
			if (n < 0) {
				error("signal wake", n);
				return;
			}
		} while (n != 1);
		self_tsc += SIG->t1 - t0;
		self_ns += SIG->ns1 - ns0;
	}
}

static void teardown_signal(void)
{
	__atomic_store_n(&SIG->stop, 1, __ATOMIC_RELEASE);
	signal_raise(SIG->word + 1);
	if (ch_proc_wait(peer.process, 5000000000ull, NULL) < 0)
		ch_proc_kill(peer.process);
	ch_child_release(&peer);
	ch_as_unmap(self_as, SHM_VA, PAGE);
	ch_cap_drop(sig_mem);
}

/* --- pager_fault: first touch of lazily backed pages, in a paged thread --- */

static uint8_t *fault_area;

static void before_fault(void)
{
	fault_area = ch_lazy_alloc(FAULT_PAGES * PAGE);
	if (!fault_area)
		error("lazy_alloc", ERR_NO_RESOURCES);
}

static void run_fault(int iters)
{
	for (int i = 0; i < iters; i++)
		((volatile uint8_t *)fault_area)[(uint64_t)i * PAGE] = 1;
}

static void after_fault(void)
{
	long r = ch_lazy_release((uint64_t)(uintptr_t)fault_area);
	if (r < 0)
		error("lazy_release", r);
}

/* --- map_unmap --- */

static handle_t map_mem;

static int setup_map(void)
{
	long r = ch_mem_create(pool, PAGE, &map_mem);
	if (r < 0)
		error("mem_create", r);
	return (int)r;
}

static void run_map(int iters)
{
	for (int i = 0; i < iters; i++) {
		long r = ch_as_map(self_as, MAP_VA, map_mem, 0, PAGE, PROT_READ | PROT_WRITE);
		if (r >= 0)
			r = ch_as_unmap(self_as, MAP_VA, PAGE);
		if (r < 0) {
			error("map_unmap", r);
			return;
		}
	}
}

static void teardown_map(void)
{
	ch_cap_drop(map_mem);
}

/* --- thread_create --- */

static int thread_fn(void *arg)
{
	(void)arg;
	return 0;
}

static void run_thread(int iters)
{
	for (int i = 0; i < iters; i++) {
		handle_t t;
		long r = ch_thread_spawn(thread_fn, NULL, thread_stack, STACK_BYTES, &t);
		if (r >= 0) {
			r = ch_thread_wait(t, CH_FOREVER, NULL);
			ch_cap_drop(t);
		}
		if (r < 0) {
			error("thread_create", r);
			return;
		}
	}
}

/* --- spawn --- */

static void run_spawn(int iters)
{
	const char *argv[] = {"bin/bench", "exit", NULL};
	struct ch_spawn_args a = {.path = "bin/bench", .argv = argv, .flags = CH_SPAWN_NO_SELF};
	for (int i = 0; i < iters; i++) {
		struct ch_child c;
		long r = ch_spawn(&a, &c);
		if (r >= 0) {
			r = ch_proc_wait(c.process, CH_FOREVER, NULL);
			ch_child_release(&c);
		}
		if (r < 0) {
			error("spawn", r);
			return;
		}
	}
}

/* --- ns_lookup / ns_stat: a path through the kernel tree into the tmpfs provider --- */

#define NS_BENCH_PATH "bench-tmp/a/b/c/d"
static handle_t ns_fs;
static struct ch_child ns_tmpfs;

static long ns_open_path(const char *path, uint32_t type, uint32_t flags, handle_t *out)
{
	struct ns_open_args a = {.type = type, .flags = flags, .rights = RIGHT_READ};
	if (flags & NS_OPEN_CREATE)
		a.rights = NS_RIGHTS_SAME;
	return ch_ns_open(ns_fs, path, strlen(path), &a, out);
}

/* fs:///bench-tmp served by a bin/tmpfs of our own, holding a/b/c/d. */
static int setup_ns(void)
{
	handle_t root = ch_handle("ns"), srv, h;
	struct ns_open_args a = {.type = NS_TYPE_DIR, .rights = NS_RIGHTS_SAME};
	long r = root == HANDLE_INVALID ? ERR_BAD_HANDLE : ch_ns_open(root, "fs", 2, &a, &ns_fs);
	if (r >= 0)
		r = ch_ns_serve(ns_fs, "bench-tmp", 9, &srv);
	if (r >= 0) {
		struct ch_grant g = {"provider", srv, RIGHT_SEND | RIGHT_RECV | RIGHT_WAIT};
		struct ch_spawn_args sa = {
		    .path = "bin/tmpfs", .grants = &g, .ngrants = 1, .child_pool = 4u << 20};
		r = ch_spawn(&sa, &ns_tmpfs);
		ch_cap_drop(srv);
	}
	static const char *const dirs[] = {"bench-tmp/a", "bench-tmp/a/b", "bench-tmp/a/b/c"};
	for (unsigned i = 0; r >= 0 && i < 3; i++)
		if ((r = ns_open_path(dirs[i], NS_TYPE_DIR, NS_OPEN_CREATE, &h)) >= 0)
			ch_cap_drop(h);
	if (r >= 0 && (r = ns_open_path(NS_BENCH_PATH, NS_TYPE_FILE, NS_OPEN_CREATE, &h)) >= 0)
		ch_cap_drop(h);
	if (r < 0)
		error("ns setup", r);
	return r < 0 ? -1 : 0;
}

static void teardown_ns(void)
{
	ch_proc_kill(ns_tmpfs.process);
	ch_proc_wait(ns_tmpfs.process, CH_FOREVER, NULL);
	ch_child_release(&ns_tmpfs);
	ch_ns_unlink(ns_fs, "bench-tmp", 9, 0, 0);
	ch_cap_drop(ns_fs);
}

/* open + close of the 4-component path, as Linux open(O_RDONLY) + close */
static void run_ns_lookup(int iters)
{
	for (int i = 0; i < iters; i++) {
		handle_t h;
		long r = ns_open_path(NS_BENCH_PATH, NS_TYPE_FILE, 0, &h);
		if (r < 0) {
			error("ns_lookup", r);
			return;
		}
		ch_cap_drop(h);
	}
}

/* the attributes of the path, as Linux stat(path) */
static void run_ns_stat(int iters)
{
	for (int i = 0; i < iters; i++) {
		struct ns_stat st;
		long r = ch_ns_stat_at(ns_fs, NS_BENCH_PATH, sizeof(NS_BENCH_PATH) - 1, &st, 0);
		if (r < 0) {
			error("ns_stat", r);
			return;
		}
	}
}

/*
 * --- blk_read_4k, blk_read_seq: the instructions of a sample that waits for a disk ---
 *
 * Under -icount sleep=off a CPU halted while QEMU's disk thread works (in host
 * time) moves guest time straight to the next timer deadline, so a sample that
 * waits for the disk counts that jump too (docs/bench.md, "blk_read_4k,
 * blk_read_seq"). These samples time themselves (self_timed): the interval less
 * the time CPU 0 spent in the idle thread by the scheduler's own account
 * (sched_cpu_stats' idle_ns, read outside the interval, converted to TSC ticks by
 * the interval's ratio of ticks to ns). What is left is the instructions executed.
 * The idle thread's time runs from the switch to it to the switch away, so an
 * interrupt taken while idle counts as idle up to the switch to the thread it
 * wakes (docs/bench.md says what that leaves out).
 */
static uint64_t busy_idle0, busy_ns0, busy_t0;

static uint64_t idle_ns(void)
{
	struct sched_cpu_stats st;
	return ch_sched_cpu_stats(ch_handle("sched"), 0, &st) < 0 ? 0 : st.idle_ns;
}

static void busy_begin(void)
{
	busy_idle0 = idle_ns();
	busy_ns0 = (uint64_t)ch_clock_ns();
	busy_t0 = rdtsc_fenced();
}

static void busy_end(void)
{
	uint64_t t1 = rdtsc_fenced();
	uint64_t ns1 = (uint64_t)ch_clock_ns();
	uint64_t idle = idle_ns() - busy_idle0;
	uint64_t span = t1 - busy_t0, span_ns = ns1 > busy_ns0 ? ns1 - busy_ns0 : 1;
	uint64_t idle_tsc = (uint64_t)((unsigned __int128)idle * span / span_ns);
	self_tsc = idle_tsc < span ? span - idle_tsc : 0;
	self_ns = ns1 - busy_ns0;
}

/* --- blk_read_4k: a client, the block class and bin/virtio-blk --- */

/* One 4 KiB read through the block class and the virtio-blk driver (another
 * process), waited for: the same as Linux's pread(O_DIRECT) on /dev/vda. The
 * offsets walk the first MiB of the disk, as linuxbench's do. */
static struct ch_child blk_driver;
static struct ch_blk blk;
static uint64_t blk_off;

static int setup_blk(void)
{
	const struct ch_dev_match m = {0x1af4, CH_DEV_ANY, 0x01, 0x00, CH_DEV_ANY};
	const char *argv[] = {"bin/virtio-blk", "vda", NULL};
	handle_t dev, hw = ch_handle("hw");
	long r = hw == HANDLE_INVALID ? ERR_NOT_FOUND : ch_dev_find(hw, &m, 0, &dev);
	if (r >= 0) {
		r = ch_driver_spawn(argv, dev, 8u << 20, CH_FOREVER, &blk_driver);
		ch_cap_drop(dev);
	}
	if (r >= 0)
		r = ch_blk_open(&blk, "dev:///block/vda", HANDLE_INVALID, 4, PAGE);
	if (r >= 0 && ch_handle("sched") == HANDLE_INVALID)
		r = ERR_NOT_FOUND; /* no idle time to subtract */
	if (r < 0)
		error("virtio-blk", r);
	return r < 0 ? -1 : 0;
}

static void run_blk(int iters)
{
	busy_begin();
	for (int i = 0; i < iters; i++) {
		struct blk_cqe c = {0};
		long r = ch_blk_submit(&blk, BLK_OP_READ, blk_off, PAGE, 0);
		if (r >= 0)
			r = ch_blk_wait(&blk, &c, CH_FOREVER);
		if (r < 0 || c.status != 0) {
			error("blk read", r < 0 ? r : c.status);
			return;
		}
		blk_off = (blk_off + PAGE) % (1u << 20);
	}
	busy_end();
}

static void teardown_blk(void)
{
	struct proc_status st;
	ch_blk_close(&blk);
	ch_proc_kill(blk_driver.process);
	ch_proc_wait(blk_driver.process, CH_FOREVER, &st);
	ch_child_release(&blk_driver);
}

/*
 * --- blk_read_seq: 16 MiB in order from the fs_* disk through the block class ---
 *
 * A sequential reader as a program writes one with the asynchronous calls: a session
 * with a 1 MiB data area (BLK_SEQ_WINDOW), the area cut into requests of the driver's
 * largest transfer (max_transfer: 128 KiB for virtio-blk), all of them in flight; each
 * completion is checked, its data used in place (where the device put it: no copy,
 * as Linux's O_DIRECT lands in the reader's buffer) and its piece of the area
 * submitted again for the next offset. The disk is the third virtio-blk function
 * (vdc, 64 MiB), which Linux reads as /dev/vdc.
 * Timed as blk_read_4k is (busy_begin / busy_end).
 */
static struct ch_child seq_driver;
static struct ch_blk seq;

static int setup_blk_seq(void)
{
	const struct ch_dev_match m = {0x1af4, CH_DEV_ANY, 0x01, 0x00, CH_DEV_ANY};
	const char *argv[] = {"bin/virtio-blk", "vdc", NULL};
	handle_t dev, hw = ch_handle("hw");
	long r = hw == HANDLE_INVALID ? ERR_NOT_FOUND : ch_dev_find(hw, &m, 2, &dev);
	if (r >= 0) {
		r = ch_driver_spawn(argv, dev, 8u << 20, CH_FOREVER, &seq_driver);
		ch_cap_drop(dev);
	}
	if (r >= 0)
		r = ch_blk_open(&seq, "dev:///block/vdc", HANDLE_INVALID, BLK_SEQ_ENTRIES,
		                BLK_SEQ_WINDOW);
	if (r >= 0 && ch_blk_info(&seq)->size < (uint64_t)BLK_SEQ_MIB << 20)
		r = ERR_OUT_OF_RANGE;
	if (r >= 0 && ch_handle("sched") == HANDLE_INVALID)
		r = ERR_NOT_FOUND;
	if (r < 0)
		error("blk_read_seq setup (bin/virtio-blk on vdc)", r);
	return r < 0 ? -1 : 0;
}

/* iters MiB from offset 0, all of the window in flight. */
static long read_seq(uint64_t total)
{
	uint64_t piece = ch_blk_info(&seq)->max_transfer;
	uint64_t window = seq.s.data_size;
	piece = piece < window ? piece : window;
	uint64_t next = 0, done = 0;
	uint64_t slot_off[BLK_SEQ_ENTRIES];
	long r = 0;
	for (uint64_t a = 0; r >= 0 && a + piece <= window && next < total; a += piece) {
		r = ch_blk_submit(&seq, BLK_OP_READ, next, (uint32_t)piece, a);
		if (r >= 0)
			slot_off[r % BLK_SEQ_ENTRIES] = a;
		next += piece;
	}
	while (r >= 0 && done < total) {
		struct blk_cqe c;
		if ((r = ch_blk_wait(&seq, &c, CH_FOREVER)) < 0)
			break;
		if (c.status != 0 || c.len != piece)
			return c.status ? c.status : ERR_IO;
		done += piece;
		uint64_t a = slot_off[c.tag % BLK_SEQ_ENTRIES];
		if (next < total) {
			r = ch_blk_submit(&seq, BLK_OP_READ, next, (uint32_t)piece, a);
			if (r >= 0)
				slot_off[r % BLK_SEQ_ENTRIES] = a;
			next += piece;
		}
	}
	return r < 0 ? r : 0;
}

static void run_blk_seq(int iters)
{
	busy_begin();
	long r = read_seq((uint64_t)iters << 20);
	busy_end();
	if (r < 0)
		error("blk_read_seq", r);
}

static void teardown_blk_seq(void)
{
	struct proc_status st;
	ch_blk_close(&seq);
	ch_proc_kill(seq_driver.process);
	ch_proc_wait(seq_driver.process, CH_FOREVER, &st);
	ch_child_release(&seq_driver);
}

/*
 * --- fs_read_1m, fs_create_small, fs_stat: bin/fsd on the benchmark's ext2 disk ---
 *
 * The disk is mk/bench.mk's fs-bench.img (ext2, 4 KiB blocks), a fresh copy of which
 * tools/bench.sh attaches as the third virtio-blk disk, as Linux's side sees it too.
 * Set up as a normal boot does it (fs_start): bin/virtio-blk on that function as
 * dev:///block/vdc, fs:///bench-disk served (SYS_NS_SERVE) by a bin/fsd of our own on
 * it, read-write. The operations are fs_bench.h's, what a program does: libc's open /
 * read / write / close / stat on fs:/// paths (the namespace, the kernel, fsd and its
 * cache), as Linux's side does them on /fsb.
 *
 * Setup waits without a timeout, as setup_blk does: under -icount sleep=off a CPU
 * waiting for the disk moves guest time straight to the next timer deadline, so a
 * wait with a timeout times out at fsd's first disk read (tools/bench.sh's own
 * timeout ends a boot that hangs).
 */
#define FS_LONG CH_FOREVER
#define FS_FILE "fs:///bench-disk/read1m.bin"
#define FS_CREATE_DIR_FMT "fs:///bench-disk/create/%d"
#define FS_CREATE_FMT "fs:///bench-disk/create/%d/f%04d"

static struct ch_child fs_driver, fs_fsd;
static handle_t fs_ctl = HANDLE_INVALID;
static uint8_t *fs_buf;

/*
 * The driver on the third virtio-blk function as dev:///block/vdc (8 MiB, as Exec's
 * driver line), then fs:///bench-disk served by bin/fsd with the grants a normal boot
 * gives it (initrd/etc/exec.manifest: `serve:fs/disk ns.dev:/block:r log pool:12M --
 * dev:///vdc`), plus "ctl" for a clean stop.
 */
static long fs_start(void)
{
	const struct ch_dev_match m = {0x1af4, CH_DEV_ANY, 0x01, 0x00, CH_DEV_ANY};
	const char *dargv[] = {"bin/virtio-blk", "vdc", NULL};
	const char *argv[] = {"bin/fsd", "dev:///vdc", NULL};
	handle_t dev, hw = ch_handle("hw"), fs = ch_ns_root("fs"), devns = ch_ns_root("dev");
	handle_t block = HANDLE_INVALID, srv = HANDLE_INVALID,
	         c[2] = {HANDLE_INVALID, HANDLE_INVALID};
	long r = hw == HANDLE_INVALID ? ERR_NOT_FOUND : ch_dev_find(hw, &m, 2, &dev);
	if (r < 0)
		return r;
	r = ch_driver_spawn(dargv, dev, 8u << 20, FS_LONG, &fs_driver);
	ch_cap_drop(dev);
	/* ns.dev:/block:r: dev:///block, to read and look up (the view's rights) */
	struct ns_open_args va = {.type = NS_TYPE_DIR,
	                          .rights = RIGHT_READ | RIGHT_LOOKUP | RIGHT_ENUMERATE |
	                                    RIGHT_DUPLICATE | RIGHT_TRANSFER | RIGHT_INSPECT};
	if (r >= 0)
		r = devns == HANDLE_INVALID ? ERR_NOT_FOUND
		                            : ch_ns_open(devns, "block", 5, &va, &block);
	if (r >= 0)
		r = fs == HANDLE_INVALID ? ERR_NOT_FOUND : ch_ns_serve(fs, "bench-disk", 10, &srv);
	if (r >= 0)
		r = ch_channel_create(pool, 0, c);
	if (r >= 0) {
		struct ch_grant g[4] = {{"log", ch_handle("log"), RIGHT_WRITE | RIGHT_TRANSFER},
		                        {"ns.dev", block, va.rights},
		                        {"provider", srv, RIGHT_SEND | RIGHT_RECV | RIGHT_WAIT},
		                        {"ctl", c[1], RIGHT_SEND | RIGHT_RECV | RIGHT_WAIT}};
		struct ch_spawn_args a = {.path = argv[0],
		                          .argv = argv,
		                          .grants = g,
		                          .ngrants = 4,
		                          .child_pool = 16u << 20};
		r = ch_spawn(&a, &fs_fsd);
	}
	handle_t drop[] = {block, srv, c[1], r < 0 ? c[0] : HANDLE_INVALID};
	for (unsigned i = 0; i < sizeof(drop) / sizeof(drop[0]); i++)
		if (drop[i] != HANDLE_INVALID)
			ch_cap_drop(drop[i]);
	if (r < 0)
		return r;
	fs_ctl = c[0];
	struct ns_stat st; /* answered once fsd has mounted the disk and serves */
	r = ch_ns_stat_at(fs, "bench-disk", 10, &st, FS_LONG);
	return r < 0 ? r : st.type == NS_TYPE_DIR ? 0 : ERR_WRONG_TYPE;
}

/* fsd stopped cleanly (FSD_CTL_STOP: written back, unmounted), the rest undone. */
static void teardown_fs(void)
{
	free(fs_buf);
	fs_buf = NULL;
	if (fs_ctl != HANDLE_INVALID) {
		uint32_t op = FSD_CTL_STOP;
		int32_t status = 0;
		struct kbus_msg m = {.data = &op, .len = sizeof(op)};
		struct kbus_buf b = {.data = &status, .capacity = sizeof(status)};
		long r = ch_kbus_call(fs_ctl, &m, &b, FS_LONG);
		if (r < 0 || status < 0)
			error("fsd stop", r < 0 ? r : status);
		ch_cap_drop(fs_ctl);
		fs_ctl = HANDLE_INVALID;
	}
	if (fs_fsd.process != HANDLE_INVALID) {
		if (ch_proc_wait(fs_fsd.process, FS_LONG, NULL) < 0)
			ch_proc_kill(fs_fsd.process);
		ch_child_release(&fs_fsd);
	}
	handle_t fs = ch_ns_root("fs");
	if (fs != HANDLE_INVALID)
		ch_ns_unlink(fs, "bench-disk", 10, 0, 0);
	if (fs_driver.process != HANDLE_INVALID) {
		ch_proc_kill(fs_driver.process);
		ch_proc_wait(fs_driver.process, CH_FOREVER, NULL);
		ch_child_release(&fs_driver);
		ch_driver_unbind("vdc");
	}
}

static int fs_setup(size_t buf_bytes)
{
	long r = (fs_buf = malloc(buf_bytes)) ? fs_start() : ERR_NO_MEMORY;
	if (r < 0) {
		error("fs setup (bin/virtio-blk on vdc, bin/fsd)", r);
		teardown_fs();
		return -1;
	}
	return 0;
}

/* The file is there with byte i = i mod 251 (read once: fsd's cache is warm). */
static int setup_fs_read(void)
{
	if (fs_setup(FS_READ_BYTES) < 0)
		return -1;
	long n = fs_bench_read(FS_FILE, fs_buf);
	if (n != FS_READ_BYTES || !fs_bench_content_ok(fs_buf)) {
		printf("BENCH ERROR " FS_FILE ": %s\n",
		       n < 0 ? "cannot read" : "not the 1 MiB mk/bench.mk wrote");
		errors++;
		teardown_fs();
		return -1;
	}
	return 0;
}

/* open + read of the whole 1 MiB + close, from fsd's cache */
static void run_fs_read(int iters)
{
	for (int i = 0; i < iters; i++)
		if (fs_bench_read(FS_FILE, fs_buf) != FS_READ_BYTES) {
			error("fs_read_1m", ERR_IO);
			return;
		}
}

/*
 * fs_map_read_1m (ours only): fs_read_1m's work through a mapping, as a program does
 * it: open, mmap() of the whole file (SYS_NS_MAP: fsd answers with the file's paged
 * object; its pages present, fsd keeps the object between opens), one memcpy out,
 * munmap, close.
 */
static int setup_fs_map(void)
{
	return setup_fs_read();
}

static long fs_map_read(void)
{
	int fd = open(FS_FILE, O_RDONLY);
	if (fd < 0)
		return ERR_IO;
	long r = 0;
	void *p = mmap(NULL, FS_READ_BYTES, PROT_READ, MAP_SHARED, fd, 0);
	if (p == MAP_FAILED) {
		r = ERR_IO;
	} else {
		memcpy(fs_buf, p, FS_READ_BYTES);
		if (munmap(p, FS_READ_BYTES))
			r = ERR_IO;
	}
	return close(fd) && r >= 0 ? ERR_IO : r;
}

static void run_fs_map(int iters)
{
	for (int i = 0; i < iters; i++) {
		long r = fs_map_read();
		if (r < 0) {
			error("fs_map_read_1m", r);
			return;
		}
	}
}

static void fs_map_after(void)
{
	if (!fs_bench_content_ok(fs_buf))
		error("fs_map_read_1m content", ERR_MALFORMED);
}

/* stat() of the file */
static void run_fs_stat(int iters)
{
	struct stat st;
	for (int i = 0; i < iters; i++)
		if (stat(FS_FILE, &st)) {
			error("fs_stat", ERR_IO);
			return;
		}
}

static int fs_round; /* fs_create_small: the sample's directory, create/<fs_round> */

/* Each sample's files go into a new directory, made before it (not timed). */
static int fs_create_dir(void)
{
	char name[64];
	snprintf(name, sizeof(name), FS_CREATE_DIR_FMT, fs_round);
	return mkdir(name, 0755);
}

static int setup_fs_create(void)
{
	if (fs_setup(FS_CREATE_BYTES) < 0)
		return -1;
	memset(fs_buf, 'x', FS_CREATE_BYTES);
	fs_round = 0;
	if (fs_create_dir()) {
		error("fs_create_small mkdir", ERR_IO);
		teardown_fs();
		return -1;
	}
	return 0;
}

/* per file: open(O_CREAT | O_EXCL) of a new name, write 4 KiB, close */
static void run_fs_create(int iters)
{
	char name[64];
	for (int i = 0; i < iters; i++) {
		snprintf(name, sizeof(name), FS_CREATE_FMT, fs_round, i);
		if (fs_bench_create(name, fs_buf)) {
			error("fs_create_small", ERR_IO);
			return;
		}
	}
}

/* Between samples, not timed: sync (SYS_NS_SYNC on the disk, as the sync tool does),
 * and the next sample's directory. */
static void fs_create_after(void)
{
	handle_t fs = ch_ns_root("fs"), dir;
	struct ns_open_args a = {.type = NS_TYPE_DIR, .rights = RIGHT_READ | RIGHT_WRITE};
	long r = fs == HANDLE_INVALID ? ERR_NOT_FOUND : ch_ns_open(fs, "bench-disk", 10, &a, &dir);
	if (r >= 0) {
		r = ch_ns_sync(dir, 0, FS_LONG);
		ch_cap_drop(dir);
	}
	if (r < 0)
		error("fs_create_small sync", r);
	fs_round++;
	if (fs_create_dir())
		error("fs_create_small mkdir", ERR_IO);
}

/* --- yield and futex_pingpong: two threads of this process, one CPU --- */

static handle_t partner;
static volatile uint32_t partner_stop, turn; /* turn: 0 ours, 1 the partner's, 2 it must end */

static int yield_partner(void *arg)
{
	(void)arg;
	while (!__atomic_load_n(&partner_stop, __ATOMIC_ACQUIRE))
		ch_yield();
	return 0;
}

/* Wait until turn != v; its value. */
static uint32_t turn_wait_change(uint32_t v)
{
	uint32_t t;
	while ((t = __atomic_load_n(&turn, __ATOMIC_ACQUIRE)) == v)
		ch_futex_wait(&turn, v, CH_FOREVER);
	return t;
}

static void turn_set(uint32_t v)
{
	__atomic_store_n(&turn, v, __ATOMIC_RELEASE);
	ch_futex_wake(&turn, 1);
}

static int futex_partner(void *arg)
{
	(void)arg;
	while (turn_wait_change(0) != 2)
		turn_set(0);
	return 0;
}

static int start_partner(int (*fn)(void *))
{
	partner_stop = 0;
	turn = 0;
	long r = ch_thread_spawn(fn, NULL, partner_stack, STACK_BYTES, &partner);
	if (r < 0)
		error("partner thread", r);
	return r < 0 ? -1 : 0;
}

static void stop_partner(void)
{
	__atomic_store_n(&partner_stop, 1, __ATOMIC_RELEASE);
	turn_set(2);
	if (ch_thread_wait(partner, 5000000000ull, NULL) < 0)
		ch_thread_kill(partner);
	ch_cap_drop(partner);
}

static int setup_yield(void)
{
	return start_partner(yield_partner);
}

/* One round trip: our yield runs the partner, whose yield runs us again. */
static void run_yield(int iters)
{
	for (int i = 0; i < iters; i++)
		ch_yield();
}

static int setup_futex_pingpong(void)
{
	return start_partner(futex_partner);
}

static void run_futex_pingpong(int iters)
{
	for (int i = 0; i < iters; i++) {
		turn_set(1);
		turn_wait_change(1);
	}
}

/* --- the driver --- */

static const struct bench benches[] = {
    {"null_syscall", 101, 100, 0, 0, run_null, 0, 0, 0},
    {"ipc_rtt", 101, 10, setup_rtt, 0, run_rtt, 0, stop_peer, 0},
    {"ipc_rtt_10w", 101, 10, setup_rtt10, 0, run_rtt10, 0, stop_peer, 0},
    {"ipc_oneway", 101, 100, setup_oneway, 0, run_oneway, 0, stop_peer, 0},
    {"cap_transfer", 101, CAP_ITERS, setup_cap, 0, run_cap, 0, teardown_cap, 0},
    {"cap_transfer_move", 101, 10, setup_cap_move, 0, run_cap_move, 0, teardown_cap_move, 0},
    {"signal", 101, 10, setup_signal, 0, run_signal, 0, teardown_signal, 1},
    {"pager_fault", 101, FAULT_PAGES, 0, before_fault, run_fault, after_fault, 0, 0},
    {"map_unmap", 101, 10, setup_map, 0, run_map, 0, teardown_map, 0},
    {"thread_create", 101, 4, 0, 0, run_thread, 0, 0, 0},
    {"spawn", 101, 1, 0, 0, run_spawn, 0, 0, 0},
    {"ns_lookup", 101, 10, setup_ns, 0, run_ns_lookup, 0, teardown_ns, 0},
    {"ns_stat", 101, 10, setup_ns, 0, run_ns_stat, 0, teardown_ns, 0},
    {"blk_read_4k", 101, 10, setup_blk, 0, run_blk, 0, teardown_blk, 1},
    {"blk_read_seq", BLK_SEQ_SAMPLES, BLK_SEQ_MIB, setup_blk_seq, 0, run_blk_seq, 0,
     teardown_blk_seq, 1},
    {"fs_read_1m", FS_READ_SAMPLES, 1, setup_fs_read, 0, run_fs_read, 0, teardown_fs, 0},
    {"fs_create_small", FS_CREATE_SAMPLES, FS_CREATE_FILES, setup_fs_create, 0, run_fs_create,
     fs_create_after, teardown_fs, 0},
    {"fs_stat", FS_STAT_SAMPLES, FS_STAT_ITERS, setup_fs_read, 0, run_fs_stat, 0, teardown_fs, 0},
    {"fs_map_read_1m", FS_READ_SAMPLES, 1, setup_fs_map, 0, run_fs_map, fs_map_after, teardown_fs,
     0},
    {"yield", 101, 10, setup_yield, 0, run_yield, 0, stop_partner, 0},
    {"futex_pingpong", 101, 10, setup_futex_pingpong, 0, run_futex_pingpong, 0, stop_partner, 0},
};

static uint64_t tsc[MAX_SAMPLES], ns[MAX_SAMPLES];

static int cmp_u64(const void *a, const void *b)
{
	uint64_t x = *(const uint64_t *)a, y = *(const uint64_t *)b;
	return (x > y) - (x < y);
}

/* Runs every sample of b into tsc[] / ns[] (no output: may run in another thread). */
static int measure(const struct bench *b)
{
	uint64_t half = (uint64_t)b->iters / 2;

	if (b->setup && b->setup() < 0)
		return -1;
	for (int i = -WARMUP; i < b->samples; i++) {
		if (b->before)
			b->before();
		uint64_t ns0 = (uint64_t)ch_clock_ns();
		uint64_t t0 = rdtsc_fenced();
		b->run(b->iters);
		uint64_t t1 = rdtsc_fenced();
		uint64_t ns1 = (uint64_t)ch_clock_ns();
		if (b->after)
			b->after();
		if (b->self_timed) {
			t0 = 0, t1 = self_tsc;
			ns0 = 0, ns1 = self_ns;
		}
		if (i >= 0) {
			tsc[i] = (t1 - t0 + half) / (uint64_t)b->iters;
			ns[i] = (ns1 - ns0 + half) / (uint64_t)b->iters;
		}
	}
	if (b->teardown)
		b->teardown();
	return 0;
}

static int measure_thread(void *arg)
{
	return measure(arg);
}

/* pager_fault must fault in a thread the pager serves: one started lazily. */
static int measure_paged(const struct bench *b)
{
	handle_t t;
	int64_t code;
	void *stack;
	long r = ch_pager_start();
	if (r >= 0)
		r = ch_thread_spawn_lazy(measure_thread, (void *)b, 64 * 1024, &t, &stack);
	if (r >= 0) {
		r = ch_thread_wait(t, CH_FOREVER, &code);
		ch_cap_drop(t);
		ch_lazy_release((uint64_t)(uintptr_t)stack);
	}
	if (r < 0) {
		error("pager thread", r);
		return -1;
	}
	return (int)code;
}

static void print_stats(const char *prefix, uint64_t *v, int n)
{
	qsort(v, (size_t)n, sizeof(*v), cmp_u64);
	printf(" %smedian=%llu %smin=%llu %smax=%llu", prefix, (unsigned long long)v[n / 2], prefix,
	       (unsigned long long)v[0], prefix, (unsigned long long)v[n - 1]);
}

static void run_bench(const struct bench *b)
{
	int before = errors;
	int r = b->run == run_fault ? measure_paged(b) : measure(b);
	if (r < 0 || errors != before) {
		printf("BENCH ERROR %s: not measured\n", b->name);
		return;
	}
	printf("BENCH %s", b->name);
	print_stats("", tsc, b->samples);
	printf(" n=%d iters=%d", b->samples, b->iters);
	print_stats("ns_", ns, b->samples);
	printf("\n");
}

/*
 * --- scheduler metrics (issue 19; docs/bench.md "Scheduler metrics") ---
 *
 * Not samples of timed operations: each runs threads of ours for a stretch of
 * guest time and prints one figure as median = min = max (n = 1), or, for the
 * wake-up latencies, a percentile of SCHED_WAKE_SAMPLES sleeps with the
 * minimum and maximum beside it. CPU times are the kernel's (SYS_THREAD_INFO),
 * latencies the monotonic clock's: under icount, guest time.
 *
 *   sched_fairness_jain     SCHED_FAIR_THREADS equal spinning threads for
 *                           SCHED_FAIR_NS: Jain's index (sum x)^2 / (n sum x^2)
 *                           of the CPU time each got (1 = perfectly fair)
 *   sched_weight_error_pct  three spinning threads of weights 100, 200, 400
 *                           (SYS_THREAD_SET_SCHED with the grant "sched") for
 *                           SCHED_WEIGHT_NS: the worst |share / (w / sum w) - 1|
 *                           in percent
 *   wake_p50_us, wake_p99_us   our main thread sleeps 1 ms SCHED_WAKE_SAMPLES
 *                           times while SCHED_HOGS threads spin: how long after
 *                           its deadline it runs again, in microseconds
 *   wake_p50_us_fixed, wake_p99_us_fixed   the same under SCHED_MODE_FIXED
 *                           (SYS_SCHED_SET; the tunables are put back after)
 *   sched_throughput_pct    the hogs' work (loop iterations) per guest ns during
 *                           the wake-up runs, DQRR's as a percentage of the
 *                           fixed quantum's (issue 19: within 2%, i.e. >= 98)
 *
 * `bin/bench smp` (the SMP boot, tools/bench.sh) runs only these, with their
 * threads counted per online CPU (sched_bench.h's SCHED_SMP_*), as rows named
 * <metric>_smp<CPUs>: bench_sched_smp() below.
 */
#define HOGS_MAX SCHED_SMP_MAX_THREADS /* spinners at once, at most, either form */
static volatile int hogs_stop;
static volatile uint32_t hogs_go; /* 0: hogs wait (blocked) before they spin */
static volatile uint64_t hog_count[HOGS_MAX]; /* each hog's loop iterations */

static int hog_fn(void *arg)
{
	volatile uint64_t *count = arg;
	while (!hogs_go)
		ch_futex_wait(&hogs_go, 0, CH_FOREVER);
	while (!hogs_stop) /* no pause: TCG leaves its execution loop at each one */
		(*count)++;
	return 0;
}

/* The hogs' iterations together (their work: sched_throughput_pct). */
static uint64_t hogs_work(int n)
{
	uint64_t sum = 0;
	for (int i = 0; i < n; i++)
		sum += hog_count[i];
	return sum;
}

/* Let the hogs hogs_start_held() made spin, all at once. */
static void hogs_release(void)
{
	hogs_go = 1;
	ch_futex_wake(&hogs_go, UINT64_MAX);
}

/*
 * n threads (weights[i], or the default for NULL) that wait, blocked, for
 * hogs_release() and then spin; 0 or an error.
 */
static long hogs_start_held(handle_t *t, int n, const uint32_t *weights)
{
	long r = 0;
	int started = 0;
	hogs_stop = 0;
	hogs_go = 0;
	for (int i = 0; i < n; i++)
		hog_count[i] = 0;
	for (; started < n && r >= 0; started++) {
		r = ch_thread_spawn(hog_fn, (void *)&hog_count[started],
		                    hog_stacks + (size_t)started * STACK_BYTES, STACK_BYTES,
		                    &t[started]);
		if (r < 0)
			break;
		if (weights)
			r = ch_thread_set_sched(t[started], weights[started], 0,
			                        ch_handle("sched"));
	}
	if (r >= 0)
		return 0;
	hogs_stop = 1;
	hogs_release();
	for (int i = 0; i < started; i++) {
		ch_thread_wait(t[i], CH_FOREVER, NULL);
		ch_cap_drop(t[i]);
	}
	return r;
}

/* n spinning hogs_start_held() threads, released at once. */
static long hogs_start(handle_t *t, int n, const uint32_t *weights)
{
	long r = hogs_start_held(t, n, weights);
	if (r >= 0)
		hogs_release();
	return r;
}

/*
 * Stop them; their CPU time since the snapshots in before[] into cpu[]. All
 * stop at one moment (the flag; each ends as soon as it next runs) and their
 * times are read once they have ended, so reading them one after the other
 * (each read a system call that may wait behind the spinners) cannot give the
 * last ones read more.
 */
static void hogs_stop_all(handle_t *t, int n, const uint64_t *before, uint64_t *cpu)
{
	struct thread_info ti;
	hogs_stop = 1;
	for (int i = 0; i < n; i++)
		ch_thread_wait(t[i], CH_FOREVER, NULL);
	for (int i = 0; i < n; i++) {
		cpu[i] = ch_thread_info(t[i], &ti) == 0 ? ti.cpu_ns - before[i] : 0;
		ch_cap_drop(t[i]);
	}
}

/* Each one's CPU time now. */
static void hogs_snapshot(handle_t *t, int n, uint64_t *out)
{
	struct thread_info ti;
	for (int i = 0; i < n; i++)
		out[i] = ch_thread_info(t[i], &ti) == 0 ? ti.cpu_ns : 0;
}

/* "BENCH name median=v min=v max=v n=1" with v to 4 decimals. */
static void print_one(const char *name, double v)
{
	long long x = (long long)(v * 10000 + 0.5);
	printf("BENCH %s median=%lld.%04lld min=%lld.%04lld max=%lld.%04lld n=1\n", name, x / 10000,
	       x % 10000, x / 10000, x % 10000, x / 10000, x % 10000);
}

/* Run n hogs (weights or NULL) for ns of guest time; their CPU times in cpu[]. */
static long hogs_run(int n, const uint32_t *weights, uint64_t ns, uint64_t *cpu)
{
	handle_t t[HOGS_MAX];
	uint64_t before[HOGS_MAX];
	long r = hogs_start_held(t, n, weights);
	if (r < 0)
		return r;
	hogs_snapshot(t, n, before); /* blocked: nothing moves while we read */
	hogs_release();
	ch_sleep_ns(ns);
	hogs_stop_all(t, n, before, cpu);
	return 0;
}

/* Jain's index over n equal spinners, printed as name; their CPU times in cpu[]. */
static long bench_fairness(const char *name, int n, uint64_t ns, uint64_t *cpu)
{
	long r = hogs_run(n, NULL, ns, cpu);
	if (r < 0) {
		error(name, r);
		return r;
	}
	double sum = 0, sq = 0;
	for (int i = 0; i < n; i++)
		sum += (double)cpu[i], sq += (double)cpu[i] * (double)cpu[i];
	print_one(name, sq > 0 ? sum * sum / (n * sq) : 0);
	return 0;
}

static void bench_weights(void)
{
	static const uint32_t w[3] = {100, 200, 400};
	uint64_t cpu[3];
	if (ch_handle("sched") == HANDLE_INVALID) {
		printf("BENCH ERROR sched_weight_error_pct: no grant \"sched\"\n");
		return;
	}
	long r = hogs_run(3, w, SCHED_WEIGHT_NS, cpu);
	if (r < 0) {
		error("sched_weight_error_pct", r);
		return;
	}
	double total = (double)(cpu[0] + cpu[1] + cpu[2]), worst = 0;
	for (int i = 0; i < 3; i++) {
		double want = (double)w[i] / 700.0, got = total > 0 ? (double)cpu[i] / total : 0;
		double err = got > want ? got / want - 1 : 1 - got / want;
		worst = err > worst ? err : worst;
	}
	print_one("sched_weight_error_pct", worst * 100);
}

/* bench_wake(): the hogs' work per guest ns under the default mode (0: not measured). */
static double wake_throughput;

/* The online CPUs (SYS_SCHED_CPU_STATS answers for each); 0 without the control. */
static int online_cpus(handle_t ctl, struct sched_cpu_stats *st)
{
	int n = 0;
	while (n < SCHED_SMP_MAX_CPUS + 1 && ch_sched_cpu_stats(ctl, (uint32_t)n, &st[n]) == 0)
		n++;
	return n;
}

/*
 * The SMP form's "BENCH INFO" line (not a metric) about a run: threads queued
 * on each CPU now, and what each CPU did since a[] (switches, threads stolen,
 * migrations onto it).
 */
static void smp_info(const char *name, const struct sched_cpu_stats *a)
{
	struct sched_cpu_stats b[SCHED_SMP_MAX_CPUS + 1];
	int n = online_cpus(ch_handle("sched"), b);
	printf("BENCH INFO %s", name);
	for (int i = 0; i < n; i++)
		printf(" cpu%d=nready:%u,switches:%llu,steals:%llu,migrations:%llu", i, b[i].nready,
		       (unsigned long long)(b[i].switches - a[i].switches),
		       (unsigned long long)(b[i].steals - a[i].steals),
		       (unsigned long long)(b[i].migrations - a[i].migrations));
	printf("\n");
}

/*
 * Sleeps 1 ms SCHED_WAKE_SAMPLES times under nhogs hogs; prints p50 and p99 as
 * wake_p50_us<mode><smp> and wake_p99_us<mode><smp>. mode is "" (the default
 * mode, which must run first) or "_fixed", which also prints
 * sched_throughput_pct<smp>; smp is "" or "_smp<CPUs>".
 */
static void bench_wake(const char *mode, const char *smp, int nhogs)
{
	static uint64_t lat[SCHED_WAKE_SAMPLES];
	struct sched_cpu_stats st[SCHED_SMP_MAX_CPUS + 1];
	handle_t t[HOGS_MAX];
	long r = hogs_start(t, nhogs, NULL);
	if (r < 0) {
		error("wake hogs", r);
		return;
	}
	if (*smp)
		online_cpus(ch_handle("sched"), st);
	uint64_t t0 = (uint64_t)ch_clock_ns();
	for (int i = -SCHED_WAKE_WARMUP; i < SCHED_WAKE_SAMPLES; i++) {
		uint64_t deadline = (uint64_t)ch_clock_ns() + SCHED_SLEEP_NS;
		ch_sleep_ns(SCHED_SLEEP_NS);
		uint64_t now = (uint64_t)ch_clock_ns();
		if (i >= 0)
			lat[i] = now > deadline ? now - deadline : 0;
	}
	uint64_t work = hogs_work(nhogs), t1 = (uint64_t)ch_clock_ns();
	if (*smp) {
		char name[48];
		snprintf(name, sizeof(name), "wake%s%s", mode, smp);
		smp_info(name, st);
	}
	uint64_t zero[HOGS_MAX] = {0}, cpu[HOGS_MAX];
	hogs_stop_all(t, nhogs, zero, cpu);
	double rate = t1 > t0 ? (double)work / (double)(t1 - t0) : 0;
	if (!*mode) {
		wake_throughput = rate;
	} else if (wake_throughput > 0 && rate > 0) {
		char name[48];
		snprintf(name, sizeof(name), "sched_throughput_pct%s", smp);
		print_one(name, 100.0 * wake_throughput / rate);
	}
	qsort(lat, SCHED_WAKE_SAMPLES, sizeof(lat[0]), cmp_u64);
	const int pct[2] = {50, 99};
	for (int k = 0; k < 2; k++) {
		uint64_t v = lat[(SCHED_WAKE_SAMPLES * pct[k] + 99) / 100 - 1];
		printf("BENCH wake_p%d_us%s%s median=%llu.%03llu min=%llu.%03llu max=%llu.%03llu "
		       "n=%d\n",
		       pct[k], mode, smp, (unsigned long long)(v / 1000),
		       (unsigned long long)(v % 1000), (unsigned long long)(lat[0] / 1000),
		       (unsigned long long)(lat[0] % 1000),
		       (unsigned long long)(lat[SCHED_WAKE_SAMPLES - 1] / 1000),
		       (unsigned long long)(lat[SCHED_WAKE_SAMPLES - 1] % 1000),
		       SCHED_WAKE_SAMPLES);
	}
}

/* The wake-up runs under SCHED_MODE_FIXED (SYS_SCHED_SET), the tunables put back after. */
static void bench_wake_fixed(const char *smp, int nhogs)
{
	handle_t ctl = ch_handle("sched");
	struct sched_params p, fixed;
	long r = ctl == HANDLE_INVALID ? ERR_NOT_FOUND : ch_sched_get(ctl, &p);
	fixed = p;
	fixed.mode = SCHED_MODE_FIXED;
	if (r >= 0)
		r = ch_sched_set(ctl, &fixed);
	if (r < 0) {
		error("wake_p99_us_fixed: SYS_SCHED_SET", r);
		return;
	}
	bench_wake("_fixed", smp, nhogs);
	ch_sched_set(ctl, &p);
}

static void bench_sched(const char *only)
{
	uint64_t cpu[SCHED_FAIR_THREADS];
	if (!only || strstr(only, "sched_fairness"))
		bench_fairness("sched_fairness_jain", SCHED_FAIR_THREADS, SCHED_FAIR_NS, cpu);
	if (!only || strstr(only, "sched_weight"))
		bench_weights();
	if (!only || strstr(only, "wake"))
		bench_wake("", "", SCHED_HOGS);
	if (only && !strstr(only, "wake"))
		return;
	bench_wake_fixed("", SCHED_HOGS);
}

/*
 * Jain's index over n spinners, and two "BENCH INFO" lines (not metrics):
 * what each CPU did meanwhile (smp_info(), after the spinners ended) and each
 * spinner's CPU time in guest ms.
 */
static void bench_fairness_smp(const char *name, int n)
{
	struct sched_cpu_stats a[SCHED_SMP_MAX_CPUS + 1];
	uint64_t cpu[HOGS_MAX];
	online_cpus(ch_handle("sched"), a);
	if (bench_fairness(name, n, SCHED_SMP_FAIR_NS, cpu) < 0)
		return;
	smp_info(name, a);
	printf("BENCH INFO %s threads=%d cpu_ms=", name, n);
	for (int i = 0; i < n; i++)
		printf("%s%llu", i ? "," : "", (unsigned long long)(cpu[i] / 1000000));
	printf("\n");
}

/*
 * `bin/bench smp`: the scheduler metrics in their SMP form, on every online
 * CPU (docs/bench.md "The SMP boot"), rows suffixed _smp<CPUs>:
 *   sched_fairness_jain_smpN         SCHED_SMP_FAIR_PER_CPU spinners per CPU
 *   sched_fairness_jain_smpN_uneven  half a CPU's worth fewer (10 on 4 CPUs), so
 *                                    the queues cannot all be equal: fairness
 *                                    then needs threads to move between CPUs
 *   wake_p50_us_smpN, wake_p99_us_smpN, the _fixed pair, sched_throughput_pct_smpN
 *                                    as on one CPU, with SCHED_SMP_HOGS_PER_CPU
 *                                    hogs per CPU
 * Weighted shares have no SMP row: DQRR shares a CPU by weight among the
 * threads of its queue, so across CPUs the 1:2:4 figure is the one-CPU one.
 */
static void bench_sched_smp(void)
{
	struct sched_cpu_stats st[SCHED_SMP_MAX_CPUS + 1];
	char smp[16], name[64];
	int ncpu = online_cpus(ch_handle("sched"), st);
	if (ncpu < 2 || ncpu > SCHED_SMP_MAX_CPUS) {
		printf("BENCH ERROR smp: %d CPUs online (needs the grant \"sched\" and 2 to %d)\n",
		       ncpu, SCHED_SMP_MAX_CPUS);
		return;
	}
	printf("BENCH INFO smp cpus=%d\n", ncpu);
	snprintf(smp, sizeof(smp), "_smp%d", ncpu);
	snprintf(name, sizeof(name), "sched_fairness_jain%s", smp);
	bench_fairness_smp(name, SCHED_SMP_FAIR_PER_CPU * ncpu);
	snprintf(name, sizeof(name), "sched_fairness_jain%s_uneven", smp);
	bench_fairness_smp(name, SCHED_SMP_FAIR_PER_CPU * ncpu - ncpu / 2);
	bench_wake("", smp, SCHED_SMP_HOGS_PER_CPU * ncpu);
	bench_wake_fixed(smp, SCHED_SMP_HOGS_PER_CPU * ncpu);
}

/* --- the children --- */

static int child_server(void)
{
	uint64_t w[4], badge;
	const uint64_t *reply = NULL;
	for (;;) {
		if (ch_kbus_reply_recv_fast(ep, reply, w, &badge) < 0)
			return 0; /* the parent closed its end */
		reply = w; /* echo the words */
	}
}

/* The general call path: echo each call's bytes (up to RTT10_BYTES) in the reply. */
static int child_server10(void)
{
	static uint8_t buf[RTT10_BYTES];
	struct kbus_msg rep = {.data = buf};
	const struct kbus_msg *reply = NULL;
	for (;;) {
		struct kbus_buf b = {.data = buf, .capacity = sizeof(buf)};
		if (ch_kbus_reply_recv(ep, reply, &b, CH_FOREVER) < 0)
			return 0; /* the parent closed its end */
		rep.len = b.len;
		reply = &rep;
	}
}

/* Answer each call by moving the capability it carried back in the reply. */
static int child_capecho(void)
{
	static uint8_t buf[8];
	handle_t got = HANDLE_INVALID, held = HANDLE_INVALID;
	struct kbus_msg rep = {.data = buf, .len = sizeof(buf), .handles = &held};
	const struct kbus_msg *reply = NULL;
	for (;;) {
		struct kbus_buf b = {
		    .data = buf, .capacity = sizeof(buf), .handles = &got, .handles_capacity = 1};
		if (ch_kbus_reply_recv(ep, reply, &b, CH_FOREVER) < 0)
			return 0;
		held = got;
		rep.nhandles = b.nhandles;
		reply = &rep;
	}
}

/* signal's waiter: wait for the word to change, note when we ran, answer. */
static int child_waiter(void)
{
	uint32_t last = 0, w;
	long r = ch_as_map(ch_handle("self.as"), SHM_VA, ch_handle("shm"), 0, PAGE,
	                   PROT_READ | PROT_WRITE);
	if (r < 0)
		return 1;
	for (;;) {
		while ((w = __atomic_load_n(&SIG->word, __ATOMIC_ACQUIRE)) == last) {
			r = ch_futex_wait(&SIG->word, last, CH_FOREVER);
			if (r < 0 && r != ERR_SHOULD_WAIT)
				return 1;
		}
		uint64_t t1 = rdtsc_fenced();
		uint64_t ns1 = (uint64_t)ch_clock_ns();
		SIG->t1 = t1;
		SIG->ns1 = ns1;
		if (__atomic_load_n(&SIG->stop, __ATOMIC_ACQUIRE))
			return 0;
		last = w;
		__atomic_store_n(&SIG->ack, w, __ATOMIC_RELEASE);
		ch_futex_wake(&SIG->ack, 1);
	}
}

static int child_sink(void)
{
	static uint8_t buf[256];
	handle_t h[1];
	for (;;) {
		struct kbus_buf b = {
		    .data = buf, .capacity = sizeof(buf), .handles = h, .handles_capacity = 1};
		if (ch_kbus_recv(ep, &b, 0, CH_FOREVER) < 0)
			return 0;
		if (b.nhandles)
			ch_cap_drop(h[0]);
		if (b.len == 1 && ch_kbus_send_bytes(ep, buf, 1, 0, CH_FOREVER) < 0)
			return 1;
	}
}

int main(int argc, char **argv)
{
	const char *only = argc > 1 ? argv[1] : NULL;

	if (only && !strcmp(only, "exit"))
		return 0;
	ep = ch_handle("ep");
	if (only && !strcmp(only, "server"))
		return child_server();
	if (only && !strcmp(only, "sink"))
		return child_sink();
	if (only && !strcmp(only, "server10"))
		return child_server10();
	if (only && !strcmp(only, "capecho"))
		return child_capecho();
	if (only && !strcmp(only, "waiter"))
		return child_waiter();
	pool = ch_handle("pool");
	self_as = ch_handle("self.as");
	printf("BENCH INFO os=charlotteos\n");
	/* the SMP form's spinners need more stacks; one CPU's keep its allocation */
	int smp = only && !strcmp(only, "smp");
	thread_stack = malloc((2 + (smp ? HOGS_MAX : SCHED_MAX_THREADS)) * STACK_BYTES);
	if (!thread_stack) {
		printf("BENCH ERROR no memory for the threads' stacks\n");
		printf("BENCH DONE\n");
		return 1;
	}
	partner_stack = thread_stack + STACK_BYTES;
	hog_stacks = partner_stack + STACK_BYTES;
	if (!pool || !self_as || !ch_handle("initrd")) {
		printf("BENCH ERROR missing capabilities (need log, initrd, pool)\n");
		printf("BENCH DONE\n");
		return 1;
	}
	if (smp) {
		bench_sched_smp();
		printf("BENCH DONE\n");
		return 0;
	}
	for (size_t i = 0; i < sizeof(benches) / sizeof(benches[0]); i++)
		if (!only || strstr(only, benches[i].name))
			run_bench(&benches[i]);
	bench_sched(only);
	printf("BENCH DONE\n");
	return 0;
}
