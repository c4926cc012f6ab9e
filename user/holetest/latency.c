/*
 * latency.c - hole 6: kernel work proportional to what a user asked for (a revoke of
 * many capabilities, an unmap of many mappings), now done in bounded steps with a
 * kill check between them.
 *
 * hole_revoke_kill and hole_unmap_kill kill a child doing such operations in a loop
 * and check that it ends. Whether interrupts get in during one long operation is
 * measured inside the kernel, where a timer can watch it: cap_revoke_latency,
 * aspace_unmap_latency and kbus_group_publish_latency in tests/vm/test_latency.c.
 * (User-space versions, a victim thread stamping the clock on the same CPU, were
 * tried: on a quiet host they could not make the old kernel's operations span
 * several ticks within a test pool, and on a busy host a descheduled virtual CPU
 * starved the victim too, so they proved nothing either way.)
 */
#include "holetest.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/*
 * Put n copies of root in flight: messages of 64 handles, each handle a copy
 * (a child of root), queued on a channel nobody reads.
 */
static long copies_in_flight(handle_t root, handle_t ep, unsigned n)
{
	handle_t hs[KBUS_MAX_HANDLES];
	for (unsigned i = 0; i < KBUS_MAX_HANDLES; i++)
		hs[i] = root;
	struct kbus_msg m = {.nhandles = KBUS_MAX_HANDLES, .handles = hs, .copy_mask = ~0ull};
	for (unsigned i = 0; i < n / KBUS_MAX_HANDLES; i++) {
		long r = ch_kbus_send(ep, &m, 0, 0);
		if (r < 0)
			return r;
	}
	return 0;
}

#define UNMAP_BASE UINT64_C(0x200000000000)
#define UNMAP_PIECE (UINT64_C(2) << 20)
#define UNMAP_MAX 2048u

/* Map mem (one piece long) n times, one after another from UNMAP_BASE. */
static long map_many(handle_t mem, unsigned n)
{
	for (unsigned i = 0; i < n; i++) {
		long r =
		    ch_as_map(ht_as, UNMAP_BASE + i * UNMAP_PIECE, mem, 0, UNMAP_PIECE, PROT_READ);
		if (r < 0) {
			ch_as_unmap(ht_as, UNMAP_BASE, (uint64_t)n * UNMAP_PIECE);
			return r;
		}
	}
	return 0;
}

/* --- kills --- */

/* A child that revokes ("revoke") or unmaps ("unmap") big things until killed. */
HOLE_CHILD(lat_churn)
{
	bool revoke = arg && strcmp(arg, "revoke") == 0;
	handle_t mem, ch[2];
	if (ch_mem_create(ht_pool, revoke ? 4096 : UNMAP_PIECE, &mem) < 0)
		return 1;
	if (revoke && ch_channel_create(ht_pool, 4096, ch) < 0)
		return 2;
	ch_log_write(ht_log, "", 0); /* started */
	for (;;) {
		if (revoke) {
			copies_in_flight(mem, ch[0], 32768);
			ch_cap_revoke(mem);
		} else {
			map_many(mem, 1024);
			ch_as_unmap(ht_as, UNMAP_BASE, 1024 * UNMAP_PIECE);
		}
	}
}

static void kill_churner(const char *what)
{
	struct ch_child c;
	int err = ht_spawn("lat_churn", what, HANDLE_INVALID, 12u << 20, &c);
	CHECK(err == 0, "spawn: %s", ch_error_name(err));
	ch_sleep_ns(300 * HT_MS); /* let it get going */
	long r = ch_proc_kill(c.process);
	CHECK(r >= 0, "kill: %s", ch_error_name(r));
	struct proc_status st;
	r = ht_reap(&c, HT_LONG, &st);
	CHECK(r == 0, "a child doing %s did not end within %llu s of its kill", what,
	      (unsigned long long)(HT_LONG / HT_SECOND));
}

HOLE_TEST(revoke_kill)
{
	kill_churner("revoke");
}

HOLE_TEST(unmap_kill)
{
	kill_churner("unmap");
}
