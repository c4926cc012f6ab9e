/*
 * proc_cycle.c - capability rings through a process that never starts (hole 8 of
 * the hostile review, beyond kbus; found by sysfuzz seed 0x928eb721ed361ba3).
 *
 * An unstarted process has no thread that will ever end it, but its cspace holds
 * capabilities: granted its own capability, or one to an endpoint whose queue
 * holds its capability, it kept itself, its cspace and everything they were
 * charged for alive once every other handle was gone. Now a process's creator
 * answers for what it created and never started: when the creator ends, those
 * processes are killed (obj/process.c), so when the children below are gone our
 * pool is back at its baseline.
 */
#include "holetest.h"

/*
 * arg "self": an unstarted process holding its own capability. "queue": it holds
 * the sending end of a channel whose receiving end's queue holds its capability.
 * "none": the control, nothing granted. Exit 0 when the ring was made, 2 on error.
 */
HOLE_CHILD(unstarted_ring)
{
	struct proc_create_out pc;
	handle_t in_child, e[2];
	if (ch_proc_create(ht_pool, "ring", 4, &pc) < 0)
		return 2;
	if (arg[0] == 's' && ch_proc_grant(pc.process, pc.process, RIGHTS_ALL, &in_child) < 0)
		return 2;
	if (arg[0] == 'q') {
		if (ch_channel_create(ht_pool, 0, e) < 0 ||
		    ch_proc_grant(pc.process, e[0], RIGHT_SEND | RIGHT_RECV, &in_child) < 0)
			return 2;
		struct kbus_msg m = {
		    .data = "ring", .len = 4, .handles = &pc.process, .nhandles = 1};
		if (ch_kbus_send(e[1], &m, KBUS_NONBLOCK, 0) < 0)
			return 2;
	}
	return 0; /* exit: every handle we hold goes, the rings stay */
}

HOLE_TEST(unstarted_process_ring)
{
	static const char *const shapes[] = {"self", "queue", "self", "queue"};
	struct ch_child c;
	struct proc_status st;

	/* a first child loads the shared program segments our pool keeps */
	EXPECT_OK(ht_spawn("unstarted_ring", "none", HANDLE_INVALID, 1 << 20, &c));
	EXPECT_OK(ht_reap(&c, HT_LONG, &st));
	uint64_t base = ht_pool_used();
	for (int i = 0; i < 4; i++) {
		EXPECT_OK(ht_spawn("unstarted_ring", shapes[i], HANDLE_INVALID, 1 << 20, &c));
		EXPECT_OK(ht_reap(&c, HT_LONG, &st));
		CHECK(st.state == PROC_EXITED && st.code == 0, "shape %s: child state %u code %d",
		      shapes[i], st.state, st.code);
	}
	uint64_t used = ht_pool_settle(base);
	CHECK(used <= base,
	      "after 4 children left rings through unstarted processes and exited, our pool "
	      "holds %lld bytes more",
	      (long long)(used - base));
}
