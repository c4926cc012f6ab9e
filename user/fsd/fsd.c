/*
 * fsd.c - the file system provider: an ext2 disk served in fs:// (docs/fsd.md).
 *
 *     usage: fsd [-r] <block device URI>      e.g. fsd dev:///block/vdc
 *
 * Grants: "provider" (the server end of SYS_NS_SERVE on the directory it serves,
 * e.g. Exec's serve:fs/disk), "ns" or "ns.dev" (to open the disk), "log", and
 * optionally "ctl" (fsd_ctl.h: sync and a clean stop). -r mounts read-only.
 *
 * One thread, one waitset: the provider endpoint, the control endpoint, the
 * pager endpoint (pager.c: fsd supplies the pages of mapped files) and the
 * waitset's timer. Requests are served one at a time (the engine is not
 * thread-safe). Changes are written back by the engine's cache on eviction, and
 * all of them by ext2_sync() when fsd has been idle for SYNC_IDLE_NS after a
 * change, when something has stayed dirty for SYNC_MAX_NS, on FSD_CTL_SYNC or
 * SYS_NS_SYNC (ops.c), and at a clean stop (FSD_CTL_STOP, or the kernel letting
 * go of the served directory), which also unmounts and so marks the file system
 * clean. SYS_NS_SYNC with NS_SYNC_READ_ONLY (what shutdown asks) marks it clean
 * too and serves on read-only.
 */
#include <stdio.h>
#include <string.h>
#include <time.h>

#include <abi/errors.h>
#include <charlotte/blk.h>
#include <charlotte/kbus.h>
#include <charlotte/names.h>
#include <charlotte/start.h>
#include <charlotte/syscall.h>

#include "fsd_ctl.h"
#include "ops.h"
#include "pager.h"

#define SYNC_IDLE_NS 2000000000ull /* sync after this long without a request */
#define SYNC_MAX_NS 10000000000ull /* ... or once something was dirty this long */

/* The block cache: 6 MiB of blocks whatever their size (half of the 12 MiB the manifest's
 * 16 MiB pool leaves fsd once the pager's 4 MiB is split off; 1,536 blocks of 4 KiB,
 * 6,144 of 1 KiB). Buffers are made as
 * they are needed, and the cache stops growing where memory runs short. */
#define CACHE_BYTES (6u << 20)

#define OPEN_TRIES 100 /* a disk not there yet is looked for again ... */
#define OPEN_PAUSE_NS 100000000ull /* ... every 100 ms, for 10 s */

enum { KEY_PROVIDER = 1, KEY_CTL = 2, KEY_TIMER = 3, KEY_PAGER = 4 };

static struct ch_blk disk;

static int dev_read(void *ctx, uint64_t first, uint32_t count, void *buf)
{
	(void)ctx;
	uint32_t bs = ch_blk_info(&disk)->block_size;
	long r = ch_blk_read(&disk, first * bs, buf, (size_t)count * bs);
	return r < 0 ? (int)r : 0;
}

static int dev_write(void *ctx, uint64_t first, uint32_t count, const void *buf)
{
	(void)ctx;
	uint32_t bs = ch_blk_info(&disk)->block_size;
	long r = ch_blk_write(&disk, first * bs, buf, (size_t)count * bs);
	return r < 0 ? (int)r : 0;
}

static int dev_flush(void *ctx)
{
	(void)ctx;
	long r = ch_blk_flush(&disk);
	return r < 0 ? (int)r : 0;
}

static uint32_t now_s(void)
{
	time_t t = time(NULL);
	return t < 0 ? 0 : (uint32_t)t;
}

static void log_line(void *ctx, const char *line)
{
	(void)ctx;
	printf("fsd: %s\n", line);
}

static struct fsd st;
static uint64_t dirty_since; /* when st.dirty became true (monotonic ns) */

static void sync_now(const char *why)
{
	int r = ext2_sync(st.fs);
	if (r < 0)
		printf("fsd: sync (%s) failed: %s\n", why, ch_error_name(r));
	else
		st.dirty = false;
}

/* Serve every request queued on ep; ERR_PEER_CLOSED when the kernel let go. */
static long serve_queued(handle_t ep, void *req, void *rep)
{
	handle_t caps[4];
	for (;;) {
		struct kbus_buf b = {
		    .data = req, .capacity = NS_MSG_MAX, .handles = caps, .handles_capacity = 4};
		long r = ch_kbus_recv(ep, &b, KBUS_NONBLOCK, 0);
		if (r == ERR_SHOULD_WAIT)
			return 0;
		if (r < 0)
			return r;
		bool was_dirty = st.dirty;
		handle_t mem;
		size_t n = ns_provider_handle_reply(&fsd_ops, &st, req, b.len, caps, b.nhandles,
		                                    rep, NS_MSG_MAX, &mem);
		for (uint32_t i = 0; i < b.nhandles; i++)
			if (caps[i] != HANDLE_INVALID)
				ch_cap_drop(caps[i]);
		if (st.dirty && !was_dirty)
			dirty_since = (uint64_t)ch_clock_ns();
		if (n > 0 && (b.flags & KBUS_MSG_CALL)) {
			/* NS_OP_MAP's memory capability is moved with the reply */
			struct kbus_msg out = {.data = rep,
			                       .len = (uint32_t)n,
			                       .nhandles = mem != HANDLE_INVALID,
			                       .handles = &mem};
			if (ch_kbus_reply(ep, &out) >= 0)
				mem = HANDLE_INVALID;
		}
		if (mem != HANDLE_INVALID)
			ch_cap_drop(mem); /* not delivered: the caller gave up */
	}
}

/* Answer FSD_CTL_MAP: the capability goes with the answer (moved: it has
 * RIGHT_TRANSFER whatever was asked); an answer that cannot carry it says why. */
static void control_map(handle_t ctl, const struct fsd_ctl_map *m, bool call)
{
	struct fsd_ctl_mapped a = {0};
	handle_t mem = HANDLE_INVALID;
	long r = m->rights & RIGHT_MANAGE
	             ? ERR_ACCESS_DENIED
	             : pager_map(m->ino, m->rights | RIGHT_TRANSFER, &mem, &a.size);
	a.status = r < 0 ? (int32_t)r : 0;
	struct kbus_msg out = {
	    .data = &a, .len = sizeof(a), .nhandles = r < 0 ? 0 : 1, .handles = &mem};
	if (call && (r = ch_kbus_reply(ctl, &out)) < 0 && out.nhandles) {
		a = (struct fsd_ctl_mapped){.status = (int32_t)r};
		out.nhandles = 0;
		ch_kbus_reply(ctl, &out);
	}
	if (r < 0 && mem != HANDLE_INVALID)
		ch_cap_drop(mem);
}

/* Answer one control call; true when it was FSD_CTL_STOP (answered after the unmount). */
static bool control(handle_t ctl)
{
	struct fsd_ctl_map m = {0};
	struct kbus_buf b = {.data = &m, .capacity = sizeof(m)};
	if (ch_kbus_recv(ctl, &b, KBUS_NONBLOCK, 0) < 0)
		return false;
	bool call = b.flags & KBUS_MSG_CALL;
	if (b.len == sizeof(m) && m.op == FSD_CTL_MAP) {
		control_map(ctl, &m, call);
		return false;
	}
	int32_t status = ERR_NOT_SUPPORTED;
	bool stop = false;
	if (b.len == sizeof(uint32_t) && m.op == FSD_CTL_SYNC) {
		status = ext2_sync(st.fs);
		if (status == 0)
			st.dirty = false;
	} else if (b.len == sizeof(uint32_t) && m.op == FSD_CTL_OBJECTS) {
		status = (int32_t)pager_objects();
	} else if (b.len == sizeof(uint32_t) && m.op == FSD_CTL_STOP) {
		pager_fini();
		status = ext2_unmount(st.fs);
		st.fs = NULL;
		stop = true;
	}
	if (call) {
		struct kbus_msg out = {.data = &status, .len = sizeof(status)};
		ch_kbus_reply(ctl, &out);
	}
	return stop;
}

static int usage(void)
{
	fprintf(stderr, "usage: fsd [-r] <block device URI, e.g. dev:///block/vdc>\n");
	return 2;
}

int main(int argc, char **argv)
{
	bool ro = false;
	int a = 1;
	if (a < argc && !strcmp(argv[a], "-r")) {
		ro = true;
		a++;
	}
	if (a + 1 != argc)
		return usage();
	const char *uri = argv[a];
	handle_t ep = ch_handle("provider"), ctl = ch_handle("ctl");
	if (ep == HANDLE_INVALID) {
		fprintf(stderr, "fsd: no \"provider\" endpoint: start me with SYS_NS_SERVE's\n");
		return 2;
	}
	/* Exec starts services without waiting for each other: the driver may not have
	 * bound the disk yet, so a missing name is asked again for a while. */
	long r = ch_blk_open(&disk, uri, HANDLE_INVALID, 0, 0);
	for (unsigned i = 0; r == ERR_NOT_FOUND && i < OPEN_TRIES; i++) {
		ch_sleep_ns(OPEN_PAUSE_NS);
		r = ch_blk_open(&disk, uri, HANDLE_INVALID, 0, 0);
	}
	if (r < 0) {
		printf("fsd: cannot open %s: %s\n", uri, ch_error_name(r));
		return 1;
	}
	const struct blk_info *info = ch_blk_info(&disk);
	if (info->flags & BLK_INFO_READ_ONLY)
		ro = true;
	struct ext2_dev dev = {.block_size = info->block_size,
	                       .block_count = info->size / info->block_size,
	                       .read_blocks = dev_read,
	                       .write_blocks = dev_write,
	                       .flush = dev_flush};
	struct ext2_mount_opts mo = {
	    .read_only = ro, .cache_bytes = CACHE_BYTES, .now = now_s, .log = log_line};
	if ((r = ext2_mount(&dev, &mo, &st.fs)) < 0) {
		printf("fsd: cannot mount %s: %s\n", uri, ch_error_name(r));
		ch_blk_close(&disk);
		return 1;
	}
	struct ext2_info ei;
	ext2_info(st.fs, &ei);
	printf("fsd: %s: ext2, %u blocks of %u bytes (%u free), %u inodes (%u free), %s\n", uri,
	       ei.blocks, ei.block_size, ei.free_blocks, ei.inodes, ei.free_inodes,
	       ei.read_only ? "read-only" : "read-write");

	static char req[NS_MSG_MAX], rep[NS_MSG_MAX];
	handle_t ws, pager_ep = HANDLE_INVALID;
	if ((r = pager_init(st.fs, ch_handle("pool"), &pager_ep)) < 0)
		printf("fsd: no pager, files cannot be mapped: %s\n", ch_error_name(r));
	if ((r = ch_waitset_create(ch_handle("pool"), &ws)) < 0 ||
	    (pager_ep != HANDLE_INVALID &&
	     (r = ch_waitset_add(ws, pager_ep, KBUS_EV_READABLE, KEY_PAGER)) < 0) ||
	    (r = ch_waitset_add(ws, ep, KBUS_EV_READABLE | KBUS_EV_PEER_CLOSED, KEY_PROVIDER)) <
	        0 ||
	    (ctl != HANDLE_INVALID &&
	     (r = ch_waitset_add(ws, ctl, KBUS_EV_READABLE | KBUS_EV_PEER_CLOSED, KEY_CTL)) < 0)) {
		printf("fsd: cannot wait: %s\n", ch_error_name(r));
		ext2_unmount(st.fs);
		ch_blk_close(&disk);
		return 1;
	}
	bool done = false, timer = false;
	while (!done) {
		struct kbus_event ev[4];
		long n = ch_waitset_wait(ws, ev, 4, CH_FOREVER);
		if (n < 0) {
			printf("fsd: waiting failed: %s\n", ch_error_name(n));
			break;
		}
		for (long i = 0; i < n && !done; i++) {
			if (ev[i].key == KEY_PROVIDER) {
				r = serve_queued(ep, req, rep);
				if (r < 0 && r != ERR_PEER_CLOSED)
					printf("fsd: receiving failed: %s\n", ch_error_name(r));
				if (r < 0)
					done = true; /* the kernel let go of the subtree */
			} else if (ev[i].key == KEY_CTL) {
				if (ev[i].events & KBUS_EV_READABLE)
					done = control(ctl);
				else if (ev[i].events & KBUS_EV_PEER_CLOSED)
					ch_waitset_remove(ws, KEY_CTL); /* serve on without it */
			} else if (ev[i].key == KEY_PAGER) {
				pager_serve();
			} else if (ev[i].key == KEY_TIMER) {
				timer = false;
				if (st.dirty)
					sync_now("idle");
			}
		}
		if (done || !st.fs)
			break;
		/* after a change: sync once idle, and at the latest SYNC_MAX_NS after it */
		uint64_t t = (uint64_t)ch_clock_ns();
		if (st.dirty && t - dirty_since >= SYNC_MAX_NS)
			sync_now("busy");
		if (st.dirty) {
			ch_waitset_timer(ws, t + SYNC_IDLE_NS, KEY_TIMER);
			timer = true;
		} else if (timer) {
			ch_waitset_timer(ws, 0, KEY_TIMER);
			timer = false;
		}
	}
	pager_fini();
	if (st.fs && (r = ext2_unmount(st.fs)) < 0)
		printf("fsd: unmount failed: %s\n", ch_error_name(r));
	ch_blk_close(&disk);
	return 0;
}
