/*
 * toctou.c - a system call's user memory changed by another thread during the call.
 *
 * The kernel must read each user argument once (copy_from_user into its own memory)
 * and check and use only that copy: a length checked and then read again could be a
 * different one when it is used. Here a flipper thread rewrites a kbus_msg
 * descriptor's len (16 or 0x7fffffff) and nhandles (0 or 0xffffffff) as fast as it
 * can while the main thread sends it, again and again (until 200 sends went through
 * and 200 were refused, or 10 s passed), and receives what arrived:
 * every send either fails with an argument error or delivers exactly 16 bytes and no
 * handle. A kernel that read the length twice would copy 2 GiB, or hand out a handle
 * array it never checked (a crash of the suite, or a wrong length here).
 */
#include "holetest.h"

#include <charlotte/thread.h>

#define TOCTOU_ENOUGH 200u /* of each outcome */
#define TOCTOU_NS (10 * HT_SECOND)
#define TOCTOU_STACK 4096

static struct kbus_msg toctou_msg;
static volatile int toctou_stop;

static int flipper(void *arg)
{
	(void)arg;
	volatile struct kbus_msg *m = &toctou_msg;
	for (uint32_t i = 0; !toctou_stop; i++) {
		m->len = (i & 1) ? 0x7fffffffu : 16u;
		m->nhandles = (i & 2) ? 0xffffffffu : 0u;
	}
	return 0;
}

HOLE_TEST(toctou_kbus_descriptor)
{
	static uint8_t data[64], got[64];
	static char stack[TOCTOU_STACK] __attribute__((aligned(16)));
	handle_t e[2], th;
	unsigned delivered = 0, refused = 0;

	EXPECT_OK(ch_channel_create(ht_pool, 4, e));
	toctou_msg = (struct kbus_msg){.data = data, .len = 16};
	toctou_stop = 0;
	long r = ch_thread_spawn(flipper, NULL, stack, sizeof(stack), &th);
	if (r < 0) {
		ch_cap_drop(e[0]);
		ch_cap_drop(e[1]);
		CHECK(0, "flipper thread: %s", ch_error_name(r));
	}
	const char *bad = NULL;
	uint32_t bad_len = 0;
	int64_t end = ch_clock_ns() + (int64_t)TOCTOU_NS;
	while (!bad && (delivered < TOCTOU_ENOUGH || refused < TOCTOU_ENOUGH) &&
	       ch_clock_ns() < end) {
		r = ch_kbus_send(e[0], &toctou_msg, KBUS_NONBLOCK, 0);
		if (r < 0) {
			if (r != ERR_INVALID_ARGS && r != ERR_BAD_ADDRESS &&
			    r != ERR_OUT_OF_RANGE && r != ERR_TRUNCATED)
				bad = ch_error_name(r);
			refused++;
			continue;
		}
		uint32_t len = 0;
		r = ch_kbus_recv_bytes(e[1], got, sizeof(got), &len, KBUS_NONBLOCK, 0);
		if (r < 0 || len != 16) {
			bad = r < 0 ? ch_error_name(r) : "a length other than 16";
			bad_len = len;
		}
		delivered++;
	}
	toctou_stop = 1;
	ch_thread_wait(th, HT_LONG, NULL);
	ch_cap_drop(th);
	ch_cap_drop(e[0]);
	ch_cap_drop(e[1]);
	CHECK(!bad, "a send under a changing descriptor: %s (%u bytes received)", bad, bad_len);
	CHECK(delivered > 0 && refused > 0, "%u delivered, %u refused: the flips never met",
	      delivered, refused);
}
