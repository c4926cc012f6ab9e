/*
 * restart.c - Charlotte Exec's restart policy (restart.h has the rules).
 */
#include "restart.h"

unsigned restart_recent(const struct restart_log *l, uint64_t now)
{
	unsigned recent = 0, kept = l->n < EXEC_RESTART_MAX ? l->n : EXEC_RESTART_MAX;
	for (unsigned i = 0; i < kept; i++)
		if (now - l->at[i] < EXEC_RESTART_WINDOW_NS)
			recent++;
	return recent;
}

bool restart_next(struct restart_log *l, uint64_t now, uint64_t *delay)
{
	unsigned recent = restart_recent(l, now);
	if (recent >= EXEC_RESTART_MAX)
		return false;
	uint64_t d = EXEC_RESTART_DELAY_NS << recent;
	*delay = d < EXEC_RESTART_DELAY_MAX_NS ? d : EXEC_RESTART_DELAY_MAX_NS;
	l->at[l->n % EXEC_RESTART_MAX] = now;
	l->n++;
	return true;
}
