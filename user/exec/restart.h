/*
 * restart.h - when Charlotte Exec restarts a service or driver that ended.
 *
 * A service (a manifest line with serve: or bind:) or a driver instance (device:)
 * should run for as long as the system does; when it ends, for whatever reason,
 * Exec starts it again after a delay that doubles with each restart in the recent
 * past, and gives up on it (and logs so) after EXEC_RESTART_MAX restarts within
 * EXEC_RESTART_WINDOW_NS: a program that cannot stay up is not restarted forever.
 *
 *     restarts in the last 60 s   0     1     2     3      4      5
 *     delay before the next       20ms  40ms  80ms  160ms  320ms  given up
 *
 * Pure bookkeeping (no system calls): host-tested in tests/host/test_charlotte.c.
 */
#pragma once

#include <stdbool.h>
#include <stdint.h>

#define EXEC_RESTART_MAX 5u /* restarts within the window before Exec gives up */
#define EXEC_RESTART_WINDOW_NS (UINT64_C(60) * 1000000000u) /* 60 s */
#define EXEC_RESTART_DELAY_NS (UINT64_C(20) * 1000000u) /* first delay: 20 ms */
#define EXEC_RESTART_DELAY_MAX_NS (UINT64_C(5) * 1000000000u) /* never more than 5 s */

/* The times of the last EXEC_RESTART_MAX restarts of one service. */
struct restart_log {
	uint64_t at[EXEC_RESTART_MAX]; /* monotonic ns; a ring, next slot at[n % MAX] */
	unsigned n; /* restarts recorded in all */
};

/*
 * The service ended at now (monotonic ns). Returns true and the delay before it is
 * started again in *delay (the restart is recorded as happening at now), or false:
 * it was restarted EXEC_RESTART_MAX times within the window, give up.
 */
bool restart_next(struct restart_log *l, uint64_t now, uint64_t *delay);

/* Restarts within the window before now. */
unsigned restart_recent(const struct restart_log *l, uint64_t now);
