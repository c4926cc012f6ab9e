/*
 * killed.c - the one thing kernel/cap asks of the scheduler: has the calling
 * thread been asked to end? Kept apart so derive.c and cspace.c stay free of
 * scheduler headers and build unchanged in the host tests (whose shim answers
 * no).
 */
#include <cap/cap_internal.h>

#include <sched/sched.h>

bool cap_caller_killed(void)
{
	return sched_kill_pending(sched_current());
}
