/*
 * kbus_mem.c - kbus memory that outlived or outgrew what paid for it (issue
 * 13, holes 3, 7 and 8).
 *
 * hole_kbus_cycle: children with 1 MiB sub-pools make capability cycles
 * through kbus queues (an endpoint sent into its own queue, by move and by
 * copy; two and three channels each holding the next one's receiving end)
 * and exit. On the kernel with the hole every channel of a cycle stayed
 * alive, and with it the child's sub-pool, charged to us forever. Now kbus
 * refuses the send that would close a cycle (ERR_BAD_STATE, the cycle rule
 * of docs/kbus.md), so when the children are gone our pool is back at its
 * baseline.
 *
 * Holes 3 and 7 (transit tables and message blocks that took more pages than
 * their pool paid for) need the kernel's page counts to see: they are the VM
 * tests hole_transit_cspace_charge and hole_message_block_waste
 * (tests/vm/test_kbus_mem.c).
 */
#include "holetest.h"

#include <string.h>

/*
 * arg "<n><m|c>": n channels, the sending end of channel i carries the
 * receiving end of channel i+1 (mod n), moved (m) or copied (c), so the
 * receiving ends would form a cycle of length n. Exit 0: every send that
 * would have closed the cycle was refused with ERR_BAD_STATE; 1: none was
 * (the cycle exists); 2: another error.
 */
HOLE_CHILD(kbus_cycle)
{
	handle_t ch[3][2];
	if (!arg || arg[0] < '0' || arg[0] > '3')
		return 2;
	unsigned n = (unsigned)(arg[0] - '0');
	uint64_t copy = arg[1] == 'c' ? 1 : 0;
	for (unsigned i = 0; i < n; i++)
		if (ch_channel_create(ht_pool, 0, ch[i]) < 0)
			return 2;
	unsigned refused = 0;
	for (unsigned i = 0; i < n; i++) {
		struct kbus_msg m = {.data = "cycle",
		                     .len = 5,
		                     .handles = &ch[(i + 1) % n][1],
		                     .nhandles = 1,
		                     .copy_mask = copy};
		long r = ch_kbus_send(ch[i][0], &m, KBUS_NONBLOCK, 0);
		if (r == ERR_BAD_STATE)
			refused++;
		else if (r < 0)
			return 2;
	}
	return n && !refused ? 1 : 0; /* exit: every handle we hold goes */
}

HOLE_TEST(kbus_cycle)
{
	static const char *const shapes[] = {"1m", "1c", "2m", "2c", "3m"};
	struct ch_child c;
	struct proc_status st;

	/* a first child loads the shared program segments our pool keeps */
	EXPECT_OK(ht_spawn("kbus_cycle", "0m", HANDLE_INVALID, 1 << 20, &c));
	EXPECT_OK(ht_reap(&c, HT_LONG, &st));
	uint64_t base = ht_pool_used();
	int codes[5];
	for (int i = 0; i < 5; i++) {
		EXPECT_OK(ht_spawn("kbus_cycle", shapes[i], HANDLE_INVALID, 1 << 20, &c));
		EXPECT_OK(ht_reap(&c, HT_LONG, &st));
		CHECK(st.state == PROC_EXITED, "shape %s: child state %u", shapes[i], st.state);
		codes[i] = st.code;
	}
	uint64_t used = ht_pool_settle(base);
	CHECK(used <= base,
	      "after 5 children made kbus cycles and exited our pool holds %lld bytes more "
	      "(exit codes %d %d %d %d %d; 1 = the cycle was made)",
	      (long long)(used - base), codes[0], codes[1], codes[2], codes[3], codes[4]);
	for (int i = 0; i < 5; i++)
		CHECK(codes[i] == 0, "shape %s: child exit code %d", shapes[i], codes[i]);
}
