/*
 * sched.c - the scheduler as kbus sees it: a peer woken on the same CPU by an
 * asynchronous send runs at the sender's next return to user mode, not at the
 * end of the sender's slice (every exit to user mode honours a pending
 * reschedule, system calls included).
 *
 * Judged by counting the sender's system calls, never by time: the receiver
 * must have run before the sender's WAKE_MAX_CALLS-th cheap call after the
 * send, in each of WAKE_JUDGED attempts (a late tick could save the old
 * behaviour once by chance, hardly three times). Both threads are pinned to
 * CPU 0 (SYS_THREAD_SET_SCHED's affinity mask, which moves a thread at its
 * next switch: both sleep before the send), so every attempt is judged on SMP
 * too; as a second wall, an attempt counts only when SYS_THREAD_INFO shows the
 * sender and the receiver on the same CPU just before the send and just after
 * the receiver ran. NA when no attempt put them together.
 */
#include "kbustest.h"

#include <charlotte/thread.h>
#include <charlotte/sched.h>

#define WAKE_ATTEMPTS 8u
#define WAKE_MAX_CALLS 1000u
#define WAKE_JUDGED 3u /* every judged attempt must be prompt */
#define WAKE_STACK 16384u

static handle_t wake_rx; /* receiver's end */
static handle_t wake_tx; /* sender's end */
static uint32_t wake_ready; /* receiver: about to receive */
static uint32_t wake_got; /* receiver: 1 got the message, 2 error */
static uint64_t wake_calls; /* sender: calls made after the send before wake_got */
static long wake_send_r;
static handle_t wake_tx_thread, wake_rx_thread; /* for SYS_THREAD_INFO's cpu */
static uint32_t wake_cpu[4]; /* sender, receiver before the send; receiver, sender after */
static long wake_info_r;
static uint8_t rx_stack[WAKE_STACK] __attribute__((aligned(16)));
static uint8_t tx_stack[WAKE_STACK] __attribute__((aligned(16)));
static uint8_t pad_stack[WAKE_STACK] __attribute__((aligned(16)));

static int wake_receiver(void *arg)
{
	(void)arg;
	uint8_t buf[16];
	uint32_t len;
	while (__atomic_load_n(&wake_rx_thread, __ATOMIC_ACQUIRE) == HANDLE_INVALID)
		ch_sleep_ns(KT_MS / 10); /* our handle, for the sender's SYS_THREAD_INFO */
	__atomic_store_n(&wake_ready, 1, __ATOMIC_RELEASE);
	long r = ch_kbus_recv_bytes(wake_rx, buf, sizeof(buf), &len, 0, KT_LONG);
	__atomic_store_n(&wake_got, r >= 0 ? 1u : 2u, __ATOMIC_RELEASE);
	return 0;
}

static int wake_sender(void *arg)
{
	(void)arg;
	/* let the receiver reach its receive: sleeping leaves it the CPU */
	while (!__atomic_load_n(&wake_ready, __ATOMIC_ACQUIRE))
		ch_sleep_ns(KT_MS);
	ch_sleep_ns(KT_MS);
	struct thread_info i[4] = {0};
	wake_info_r = ch_thread_info(wake_tx_thread, &i[0]);
	if (wake_info_r >= 0)
		wake_info_r = ch_thread_info(wake_rx_thread, &i[1]);
	wake_send_r = ch_kbus_send_bytes(wake_tx, "wake", 4, 0, KT_LONG);
	uint64_t n = 0;
	/* cheap system calls, each a return to user mode, until the receiver ran
	   (bounded far beyond WAKE_MAX_CALLS in case it never does) */
	while (!__atomic_load_n(&wake_got, __ATOMIC_ACQUIRE) && n < 100u * 1000u * 1000u) {
		ch_clock_ns();
		n++;
	}
	wake_calls = n;
	if (wake_info_r >= 0)
		wake_info_r = ch_thread_info(wake_rx_thread, &i[2]);
	if (wake_info_r >= 0)
		wake_info_r = ch_thread_info(wake_tx_thread, &i[3]);
	for (unsigned k = 0; k < 4; k++)
		wake_cpu[k] = i[k].cpu;
	return 0;
}

static int pad_thread(void *arg)
{
	(void)arg;
	return 0;
}

static long spawn_wait(int (*fn)(void *), uint8_t *stack, handle_t *t)
{
	return ch_thread_spawn(fn, NULL, stack, WAKE_STACK, t);
}

/* The receiver; its handle is published before the sender may read it (the
 * sender first waits for wake_ready, which the receiver sets after this). */
static long spawn_wait_rx(handle_t *t)
{
	long r = ch_thread_spawn(wake_receiver, NULL, rx_stack, WAKE_STACK, t);
	if (r >= 0)
		__atomic_store_n(&wake_rx_thread, *t, __ATOMIC_RELEASE);
	return r;
}

static void test_same_cpu_wake_prompt(void)
{
	unsigned judged = 0, late = 0;
	uint64_t worst = 0;
	for (unsigned i = 0; i < WAKE_ATTEMPTS && !kt_failed() && judged < WAKE_JUDGED; i++) {
		handle_t e[2], rx, tx;
		if (kt_channel(4, e))
			return;
		wake_tx = e[0];
		wake_rx = e[1];
		wake_ready = wake_got = 0;
		wake_calls = 0;
		wake_info_r = -1;
		EXPECT_OK(spawn_wait(wake_sender, tx_stack, &tx));
		EXPECT_OK(ch_thread_set_sched(tx, 0, 1, HANDLE_INVALID)); /* CPU 0, see above */
		wake_tx_thread = tx; /* before the receiver starts: the sender waits for it */
		/* the kernel spreads new threads over CPUs: shift the receiver's place */
		for (unsigned k = 0; k < i % 4; k++) {
			handle_t p;
			if (spawn_wait(pad_thread, pad_stack, &p) >= 0) {
				ch_thread_wait(p, KT_LONG, NULL);
				ch_cap_drop(p);
			}
		}
		wake_rx_thread = HANDLE_INVALID;
		EXPECT_OK(spawn_wait_rx(&rx));
		EXPECT_OK(ch_thread_set_sched(rx, 0, 1, HANDLE_INVALID));
		EXPECT_OK(ch_thread_wait(tx, KT_LONG, NULL));
		EXPECT_OK(ch_thread_wait(rx, KT_LONG, NULL));
		ch_cap_drop(tx);
		ch_cap_drop(rx);
		ch_cap_drop(e[0]);
		ch_cap_drop(e[1]);
		CHECK(wake_send_r >= 0, "send: %s", ch_error_name(wake_send_r));
		CHECK(wake_got == 1, "receiver got no message");
		CHECK(wake_info_r >= 0, "thread info: %s", ch_error_name(wake_info_r));
		/* judged only when the send was a same-CPU wake-up that stayed there */
		if (wake_cpu[0] != wake_cpu[1] || wake_cpu[1] != wake_cpu[2] ||
		    wake_cpu[2] != wake_cpu[3])
			continue;
		judged++;
		if (wake_calls > worst)
			worst = wake_calls;
		if (wake_calls >= WAKE_MAX_CALLS)
			late++;
	}
	if (kt_failed())
		return;
	if (!judged) {
		ch_test_not_applicable("the two threads never shared a CPU");
		return;
	}
	CHECK(!late,
	      "%u of %u times the woken receiver ran only after up to %llu of the sender's "
	      "system calls (want < %u): a same-CPU wake-up waited for the slice's end",
	      late, judged, (unsigned long long)worst, WAKE_MAX_CALLS);
}

void kt_run_sched_tests(void)
{
	kt_run("same_cpu_wake_prompt", test_same_cpu_wake_prompt);
}
