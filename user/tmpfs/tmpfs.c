/*
 * tmpfs.c - the memory-backed file system provider (fs:///tmp until fsd).
 *
 * Started by Exec with "provider", the server end of SYS_NS_SERVE on the
 * directory it serves, and serves the tree of tree.c there until the kernel
 * lets go. argv[1] is the byte limit (default 64 MiB, and at most 7/8 of what
 * its pool has left at start); everything it stores is in its own heap, paid
 * from its own pool.
 *
 *     usage: tmpfs [limit-bytes]
 */
#include "ops.h"

#include <stdio.h>
#include <stdlib.h>
#include <charlotte/kbus.h>
#include <charlotte/nsprov.h>
#include <charlotte/start.h>
#include <charlotte/syscall.h>

static uint64_t now(void)
{
	return (uint64_t)ch_clock_ns();
}

static long send_event(handle_t ep, const void *ev, size_t len)
{
	return ch_kbus_send_bytes(ep, ev, (uint32_t)len, KBUS_NONBLOCK, 0);
}

static void drop_watcher(handle_t ep)
{
	ch_cap_drop(ep);
}

static const struct tmpfs_sink sink = {send_event, drop_watcher};

int main(int argc, char **argv)
{
	handle_t ep = ch_handle("provider");
	if (ep == HANDLE_INVALID) {
		fprintf(stderr, "tmpfs: no \"provider\" endpoint: start me with SYS_NS_SERVE's\n");
		return 2;
	}
	uint64_t limit = argc > 1 ? strtoull(argv[1], NULL, 0) : 64u << 20;
	/* no more than the pool can pay for (what statfs reports as the size), less an
	 * eighth for the heap's own keeping */
	struct pool_info pi;
	if (ch_pool_info(ch_handle("pool"), &pi) >= 0 && pi.quota > pi.used &&
	    (pi.quota - pi.used) / 8 * 7 < limit)
		limit = (pi.quota - pi.used) / 8 * 7;
	static struct tfs fs;
	if (tfs_init(&fs, limit, now) < 0) {
		fprintf(stderr, "tmpfs: out of memory\n");
		return 1;
	}
	tmpfs_events_init(&sink);
	long r = ns_provider_serve(ep, &tmpfs_ops, &fs);
	if (r < 0)
		fprintf(stderr, "tmpfs: serving failed: %ld\n", r);
	return r < 0;
}
