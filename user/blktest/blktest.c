/*
 * blktest - the block class conformance suite: the same tests over every block
 * driver, through the class protocol and libcharlotte's client (blk.h) only.
 *
 * Targets (each test is blk_<target>_<test>):
 *   ram     bin/blkram: ram0 (1 MiB) and ram1 (256 KiB, read-only)
 *   virtio  bin/virtio-blk on the machine's virtio-blk disks: vda (read-write)
 *           and vdb (read-only), tools/qemu.sh's scratch images
 *   ahci    bin/ahci on the SATA disk of q35's AHCI controller: sda (read-write;
 *           SATA disks have no read-only mode, so read_only is NA there)
 * blktest starts each driver itself (ch_spawn, granting it "ns" to bind in
 * dev:///block, and for hardware the OBJ_DEVICE capability it found under
 * "hw") and waits for its "ready" message. A target whose driver cannot
 * start here (no such device, no hardware capabilities) reports its tests NA.
 *
 * Every disk starts with the pattern byte[i] = i % 251 (blkram fills it; the
 * Makefile writes the images so, and QEMU runs them with snapshot=on).
 * Grants: log, initrd, pool, ns, hw.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <abi/ns.h>
#include <charlotte/blk.h>
#include <charlotte/driver.h>
#include <charlotte/hw.h>
#include <charlotte/kbus.h>
#include <charlotte/names.h>
#include <charlotte/ns.h>
#include <charlotte/spawn.h>
#include <charlotte/start.h>
#include <charlotte/syscall.h>
#include <charlotte/testing.h>

#define LONG (30ull * 1000 * 1000 * 1000)

struct target {
	const char *name; /* the tests' infix */
	const char *rw, *ro; /* dev:///block names */
	uint64_t rw_size, ro_size; /* bytes, when known (0: any) */
	struct ch_child child[2];
	int nchild;
	long up; /* 0 when the drivers are serving, else why not */
	long (*start)(struct target *t); /* starts its drivers; the read-write disk's first */
};

static long start_ram(struct target *t);
static long start_virtio(struct target *t);
static long start_ahci(struct target *t);

static struct target targets[] = {
    {.name = "ram",
     .rw = "ram0",
     .ro = "ram1",
     .rw_size = 1 << 20,
     .ro_size = 256 << 10,
     .start = start_ram},
    {.name = "virtio",
     .rw = "vda",
     .ro = "vdb",
     .rw_size = 8 << 20,
     .ro_size = 1 << 20,
     .start = start_virtio},
    {.name = "ahci", .rw = "sda", .rw_size = 4 << 20, .start = start_ahci},
};
static struct target *cur;
static char uri_rw[64], uri_ro[64];

static uint8_t pat(uint64_t off)
{
	return (uint8_t)(off % 251);
}

/* Starts argv[0] for t (with device, unless HANDLE_INVALID), waiting until it serves. */
static long start_driver(struct target *t, const char *const *argv, handle_t device)
{
	long r = ch_driver_spawn(argv, device, 4u << 20, LONG, &t->child[t->nchild]);
	if (t->child[t->nchild].process != HANDLE_INVALID)
		t->nchild++;
	return r;
}

static long start_ram(struct target *t)
{
	const char *a0[] = {"bin/blkram", "ram0", "1024", NULL};
	const char *a1[] = {"bin/blkram", "ram1", "256", "ro", NULL};
	long r = start_driver(t, a0, HANDLE_INVALID);
	return r < 0 ? r : start_driver(t, a1, HANDLE_INVALID);
}

/* The first matching device under "hw" serves argv[1]. */
static long start_on(struct target *t, const struct ch_dev_match *m, uint32_t nth,
                     const char *const *argv)
{
	handle_t dev, hw = ch_handle("hw");
	long r = hw == HANDLE_INVALID ? ERR_NOT_FOUND : ch_dev_find(hw, m, nth, &dev);
	if (r < 0)
		return r;
	r = start_driver(t, argv, dev);
	ch_cap_drop(dev);
	return r;
}

/* The virtio-blk functions (modern 1af4:1042 or transitional 1af4:1001, storage
 * class), in order: the first is vda, the second vdb. */
static long start_virtio(struct target *t)
{
	const struct ch_dev_match m = {0x1af4, CH_DEV_ANY, 0x01, 0x00, CH_DEV_ANY};
	const char *a0[] = {"bin/virtio-blk", "vda", NULL};
	const char *a1[] = {"bin/virtio-blk", "vdb", NULL};
	long r = start_on(t, &m, 0, a0);
	return r < 0 ? r : start_on(t, &m, 1, a1);
}

/* The AHCI controller (class 01, subclass 06, interface 01) serves sda. */
static long start_ahci(struct target *t)
{
	const struct ch_dev_match m = {CH_DEV_ANY, CH_DEV_ANY, 0x01, 0x06, 0x01};
	const char *a[] = {"bin/ahci", "sda", NULL};
	return start_on(t, &m, 0, a);
}

static void stop(struct target *t)
{
	for (int i = 0; i < t->nchild; i++) {
		struct proc_status st;
		ch_proc_kill(t->child[i].process);
		ch_proc_wait(t->child[i].process, LONG, &st);
		ch_child_release(&t->child[i]);
	}
	if (t->nchild) { /* their entries would keep their pools taken */
		ch_driver_unbind(t->rw);
		if (t->ro)
			ch_driver_unbind(t->ro);
	}
	t->nchild = 0;
}

static bool up(void)
{
	if (cur->up < 0) {
		/* only a machine without the device (or CPU feature) makes it not applicable */
		if (cur->up == ERR_NOT_FOUND || cur->up == ERR_NOT_SUPPORTED)
			ch_test_not_applicable("%s drivers not started: %s", cur->name,
			                       ch_error_name(cur->up));
		else
			ch_test_fail("%s drivers not started: %s", cur->name,
			             ch_error_name(cur->up));
		return false;
	}
	return true;
}

#define OPEN(b, uri, e, d)                                                    \
	do {                                                                  \
		if (!up())                                                    \
			return;                                               \
		EXPECT_OK(ch_blk_open((b), (uri), HANDLE_INVALID, (e), (d))); \
	} while (0)

static void test_info(void)
{
	struct ch_blk b;
	OPEN(&b, uri_rw, 8, 16384);
	const struct blk_info *in = ch_blk_info(&b);
	CHECK(in->block_size == 512, "block size %u", in->block_size);
	CHECK(!cur->rw_size || in->size == cur->rw_size, "size %llu", (unsigned long long)in->size);
	CHECK(!(in->flags & BLK_INFO_READ_ONLY), "read-write disk says read-only");
	CHECK(in->model[0] != 0, "no model");
	CHECK(b.s.entries == 8 && b.s.data_size == 16384, "granted %u entries, %llu bytes",
	      b.s.entries, (unsigned long long)b.s.data_size);
	/* the info call without a session agrees */
	handle_t dev;
	EXPECT_OK(ch_uri_open(uri_rw, NS_TYPE_DEV_BLOCK, 0, NS_RIGHTS_SAME, &dev));
	struct blk_info q;
	EXPECT_OK(ch_blk_query(dev, &q, LONG));
	CHECK(q.size == in->size && q.block_size == in->block_size, "query differs from open");
	/* a disk is not a file */
	handle_t f;
	CHECK(ch_uri_open(uri_rw, NS_TYPE_FILE, 0, NS_RIGHTS_SAME, &f) < 0, "opened as a file");
	ch_cap_drop(dev);
	ch_blk_close(&b);
}

static void test_pattern_read(void)
{
	struct ch_blk b;
	static uint8_t buf[65536];
	/* the read-only disk (nothing writes it), or the disk before the writes of later tests */
	OPEN(&b, cur->ro ? uri_ro : uri_rw, 16, 16384);
	uint64_t size = ch_blk_info(&b)->size;
	EXPECT_OK(ch_blk_read(&b, 0, buf, sizeof(buf))); /* in pieces: the area is 16 KiB */
	for (uint64_t i = 0; i < sizeof(buf); i++)
		CHECK(buf[i] == pat(i), "byte %llu is %u", (unsigned long long)i, buf[i]);
	EXPECT_OK(ch_blk_read(&b, size - 512, buf, 512));
	for (uint64_t i = 0; i < 512; i++)
		CHECK(buf[i] == pat(size - 512 + i), "last block byte %llu", (unsigned long long)i);
	ch_blk_close(&b);
}

static void fill(uint8_t *p, size_t n, uint32_t seed)
{
	for (size_t i = 0; i < n; i++) {
		seed = seed * 1103515245u + 12345u;
		p[i] = (uint8_t)(seed >> 16);
	}
}

static void test_write_read(void)
{
	struct ch_blk b;
	static uint8_t out[200 * 1024], in[200 * 1024];
	OPEN(&b, uri_rw, 8, 65536);
	const uint32_t sizes[] = {512, 4096, 3 * 512, 65536, 200 * 1024};
	uint64_t off = 128 * 1024;
	for (unsigned k = 0; k < sizeof(sizes) / sizeof(sizes[0]); k++) {
		fill(out, sizes[k], k + 1);
		EXPECT_OK(ch_blk_write(&b, off, out, sizes[k]));
		memset(in, 0, sizes[k]);
		EXPECT_OK(ch_blk_read(&b, off, in, sizes[k]));
		CHECK(!memcmp(in, out, sizes[k]), "%u bytes at %llu read back differently",
		      sizes[k], (unsigned long long)off);
		off += 512 * 7;
	}
	/* another session sees the writes */
	struct ch_blk b2;
	EXPECT_OK(ch_blk_open(&b2, uri_rw, HANDLE_INVALID, 4, 4096));
	EXPECT_OK(ch_blk_read(&b2, off - 512 * 7, in, 4096));
	CHECK(!memcmp(in, out, 4096), "second session reads other bytes");
	ch_blk_close(&b2);
	ch_blk_close(&b);
}

static void test_flush(void)
{
	struct ch_blk b;
	uint8_t buf[512];
	OPEN(&b, uri_rw, 4, 4096);
	fill(buf, sizeof(buf), 77);
	EXPECT_OK(ch_blk_write(&b, 0, buf, sizeof(buf)));
	EXPECT_OK(ch_blk_flush(&b));
	EXPECT_OK(ch_blk_flush(&b));
	/* a flush with a range is malformed */
	long t = ch_blk_submit(&b, BLK_OP_FLUSH, 512, 0, 0);
	EXPECT_OK(t);
	struct blk_cqe c;
	EXPECT_OK(ch_blk_wait(&b, &c, LONG));
	CHECK(c.status == ERR_INVALID_ARGS, "ranged flush: %s", ch_error_name(c.status));
	ch_blk_close(&b);
}

/* 64 requests in flight at once, each a different 4 KiB block, then read back the same way. */
static void test_many_in_flight(void)
{
	struct ch_blk b;
	OPEN(&b, uri_rw, 64, 64 * 4096);
	CHECK(b.s.entries == 64, "granted %u entries", b.s.entries);
	uint8_t *d = ch_blk_data(&b);
	const uint64_t base = 512 * 1024;
	for (int i = 0; i < 64; i++) {
		fill(d + i * 4096, 4096, 1000 + i);
		EXPECT_OK(
		    ch_blk_submit(&b, BLK_OP_WRITE, base + (uint64_t)i * 4096, 4096, i * 4096));
	}
	CHECK(ch_blk_submit(&b, BLK_OP_READ, 0, 512, 0) == ERR_SHOULD_WAIT, "65th request taken");
	uint64_t seen = 0;
	for (int i = 0; i < 64; i++) {
		struct blk_cqe c;
		EXPECT_OK(ch_blk_wait(&b, &c, LONG));
		CHECK(c.status == 0 && c.len == 4096, "write %llu: %s len %u",
		      (unsigned long long)c.tag, ch_error_name(c.status), c.len);
		CHECK(!(seen & (1ull << c.tag)), "tag %llu twice", (unsigned long long)c.tag);
		seen |= 1ull << c.tag;
	}
	memset(d, 0, 64 * 4096);
	for (int i = 63; i >= 0; i--) /* backwards, each into another place */
		EXPECT_OK(ch_blk_submit(&b, BLK_OP_READ, base + (uint64_t)i * 4096, 4096,
		                        (63 - i) * 4096));
	for (int i = 0; i < 64; i++) {
		struct blk_cqe c;
		EXPECT_OK(ch_blk_wait(&b, &c, LONG));
		CHECK(c.status == 0 && c.len == 4096, "read: %s", ch_error_name(c.status));
	}
	static uint8_t want[4096];
	for (int i = 0; i < 64; i++) {
		fill(want, 4096, 1000 + i);
		CHECK(!memcmp(d + (63 - i) * 4096, want, 4096), "block %d read back differently",
		      i);
	}
	ch_blk_close(&b);
}

static void expect_status(struct ch_blk *b, uint32_t op, uint64_t off, uint32_t len,
                          uint64_t data_off, int want, int line)
{
	long t = ch_blk_submit(b, op, off, len, data_off);
	CHECK(t >= 0, "line %d: submit: %s", line, ch_error_name(t));
	struct blk_cqe c;
	long r = ch_blk_wait(b, &c, LONG);
	CHECK(r == 0, "line %d: wait: %s", line, ch_error_name(r));
	CHECK(c.status == want, "line %d: %s, wanted %s", line, ch_error_name(c.status),
	      ch_error_name(want));
}

static void test_out_of_range(void)
{
	struct ch_blk b;
	OPEN(&b, uri_rw, 4, 8192);
	uint64_t size = ch_blk_info(&b)->size;
	expect_status(&b, BLK_OP_READ, size, 512, 0, ERR_OUT_OF_RANGE, __LINE__);
	expect_status(&b, BLK_OP_READ, size - 512, 1024, 0, ERR_OUT_OF_RANGE, __LINE__);
	expect_status(&b, BLK_OP_WRITE, UINT64_MAX - 511, 512, 0, ERR_OUT_OF_RANGE, __LINE__);
	expect_status(&b, BLK_OP_READ, 100, 512, 0, ERR_OUT_OF_RANGE, __LINE__);
	expect_status(&b, BLK_OP_READ, 0, 100, 0, ERR_INVALID_ARGS, __LINE__);
	expect_status(&b, BLK_OP_READ, 0, 0, 0, ERR_INVALID_ARGS, __LINE__);
	expect_status(&b, BLK_OP_READ, 0, 512, 8192, ERR_OUT_OF_RANGE, __LINE__);
	expect_status(&b, BLK_OP_READ, 0, 4096, 6144, ERR_OUT_OF_RANGE, __LINE__);
	expect_status(&b, BLK_OP_READ, 0, 512, 1, ERR_OUT_OF_RANGE, __LINE__);
	expect_status(&b, 77, 0, 512, 0, ERR_NOT_SUPPORTED, __LINE__);
	/* and the session still works */
	expect_status(&b, BLK_OP_READ, size - 512, 512, 7680, 0, __LINE__);
	ch_blk_close(&b);
}

static void test_read_only(void)
{
	struct ch_blk b;
	uint8_t buf[512] = {1};
	if (up() && !cur->ro) {
		ch_test_not_applicable("%s has no read-only disk", cur->name);
		return;
	}
	OPEN(&b, uri_ro, 4, 4096);
	CHECK(ch_blk_info(&b)->flags & BLK_INFO_READ_ONLY, "read-only disk not marked so");
	CHECK(!cur->ro_size || ch_blk_info(&b)->size == cur->ro_size, "size");
	EXPECT_ERR(ch_blk_write(&b, 0, buf, sizeof(buf)), ERR_ACCESS_DENIED);
	EXPECT_ERR(ch_blk_discard(&b, 0, 512), ERR_ACCESS_DENIED);
	EXPECT_OK(ch_blk_read(&b, 0, buf, sizeof(buf)));
	CHECK(buf[0] == pat(0) && buf[511] == pat(511), "read-only disk was written");
	ch_blk_close(&b);
}

/* A client that breaks its rings, sends junk, or leaves with requests in flight
 * loses only its own session: another one is served throughout. */
static void test_hostile_client(void)
{
	struct ch_blk good, bad;
	uint8_t buf[4096];
	OPEN(&good, uri_rw, 4, 4096);
	/* junk on the device endpoint: wrong types, short, with handles */
	handle_t dev;
	EXPECT_OK(ch_uri_open(uri_rw, NS_TYPE_DEV_BLOCK, 0, NS_RIGHTS_SAME, &dev));
	uint8_t junk[64];
	memset(junk, 0xee, sizeof(junk));
	struct kbus_buf kb = {.data = buf, .capacity = sizeof(buf)};
	struct kbus_msg m = {.data = junk, .len = 3};
	CHECK(ch_kbus_call(dev, &m, &kb, LONG) >= 0, "short call not answered");
	m.len = sizeof(junk);
	CHECK(ch_kbus_call(dev, &m, &kb, LONG) >= 0, "junk call not answered");
	handle_t extra;
	EXPECT_OK(ch_mem_create(ch_handle("pool"), 4096, &extra));
	struct blk_open o = {.hdr = {BLK_MSG_OPEN, sizeof(o)}, .entries = 3, .data_size = 4096};
	m = (struct kbus_msg){.data = &o, .len = sizeof(o), .nhandles = 1, .handles = &extra};
	CHECK(ch_kbus_call(dev, &m, &kb, LONG) >= 0, "open with a handle not answered");
	CHECK(kb.len == sizeof(struct blk_open_reply) &&
	          ((struct blk_open_reply *)buf)->status == ERR_INVALID_ARGS,
	      "open of 3 entries not refused");
	EXPECT_OK(ch_kbus_send_bytes(dev, junk, 17, 0, LONG)); /* one-way: ignored */

	/* bad entries complete with errors; then a ring index that runs ahead ends the session */
	EXPECT_OK(ch_blk_open(&bad, uri_rw, HANDLE_INVALID, 4, 4096));
	expect_status(&bad, BLK_OP_READ, 0, 0xfffffe00u, UINT64_MAX - 4095, ERR_INVALID_ARGS,
	              __LINE__);
	uint32_t *sq_prod = (uint32_t *)(bad.base + BLK_REGION_SQ_PROD);
	__atomic_store_n(sq_prod, 1000u, __ATOMIC_RELEASE);
	struct ch_msg_hdr bell = {BLK_MSG_DOORBELL, sizeof(bell)};
	EXPECT_OK(ch_kbus_send_bytes(bad.ep, &bell, sizeof(bell), 0, LONG));
	struct blk_cqe c;
	EXPECT_ERR(ch_blk_wait(&bad, &c, LONG), ERR_PEER_CLOSED);
	ch_blk_close(&bad);

	/* a client that leaves with requests in flight */
	EXPECT_OK(ch_blk_open(&bad, uri_rw, HANDLE_INVALID, 4, 4096));
	for (int i = 0; i < 4; i++)
		EXPECT_OK(
		    ch_blk_submit(&bad, BLK_OP_READ, (uint64_t)i * 512, 512, (uint64_t)i * 512));
	ch_blk_close(&bad);

	EXPECT_OK(ch_blk_read(&good, 0, buf, 512));
	EXPECT_OK(ch_blk_write(&good, 4096, buf, 512));
	ch_cap_drop(extra);
	ch_cap_drop(dev);
	ch_blk_close(&good);
}

/* BLK_MAX_SESSIONS sessions at once, one more refused; a closed one makes room. */
static void test_session_limit(void)
{
	static struct ch_blk s[BLK_MAX_SESSIONS + 1];
	if (!up())
		return;
	for (unsigned i = 0; i < BLK_MAX_SESSIONS; i++)
		EXPECT_OK(ch_blk_open(&s[i], uri_rw, HANDLE_INVALID, 1, 4096));
	EXPECT_ERR(ch_blk_open(&s[BLK_MAX_SESSIONS], uri_rw, HANDLE_INVALID, 1, 4096),
	           ERR_NO_RESOURCES);
	ch_blk_close(&s[0]);
	/* the driver frees a closed session before it refuses an open */
	EXPECT_OK(ch_blk_open(&s[0], uri_rw, HANDLE_INVALID, 1, 4096));
	uint8_t buf[512];
	EXPECT_OK(ch_blk_read(&s[0], 0, buf, sizeof(buf)));
	for (unsigned i = 0; i < BLK_MAX_SESSIONS; i++)
		ch_blk_close(&s[i]);
}

static void test_discard(void)
{
	struct ch_blk b;
	uint8_t buf[1024];
	OPEN(&b, uri_rw, 4, 4096);
	if (!(ch_blk_info(&b)->flags & BLK_INFO_DISCARD)) {
		EXPECT_ERR(ch_blk_discard(&b, 0, 512), ERR_NOT_SUPPORTED);
		ch_blk_close(&b);
		return;
	}
	fill(buf, sizeof(buf), 5);
	EXPECT_OK(ch_blk_write(&b, 8192, buf, sizeof(buf)));
	EXPECT_OK(ch_blk_discard(&b, 8192, 1024));
	EXPECT_ERR(ch_blk_discard(&b, ch_blk_info(&b)->size, 512), ERR_OUT_OF_RANGE);
	ch_blk_close(&b);
}

/* The driver dies with requests in flight: the client sees ERR_PEER_CLOSED (after
 * any completions that made it), the kernel and the other drivers go on, and a
 * new driver serves the same name, reached by opening it again. */
static void test_driver_restart(void)
{
	struct ch_blk b;
	uint8_t buf[512];
	OPEN(&b, uri_rw, 8, 8 * 4096);
	uint64_t size = ch_blk_info(&b)->size;
	for (int i = 0; i < 8; i++)
		EXPECT_OK(
		    ch_blk_submit(&b, BLK_OP_READ, (uint64_t)i * 4096, 4096, (uint64_t)i * 4096));
	EXPECT_OK(ch_proc_kill(cur->child[0].process));
	struct blk_cqe c;
	long r;
	int done = 0;
	while ((r = ch_blk_wait(&b, &c, LONG)) == 0)
		done++;
	CHECK(r == ERR_PEER_CLOSED && done <= 8, "after the kill: %s after %d completions",
	      ch_error_name(r), done);
	EXPECT_ERR(ch_blk_submit(&b, BLK_OP_READ, 0, 512, 0), ERR_PEER_CLOSED);
	ch_blk_close(&b);
	stop(cur);
	cur->up = cur->start(cur);
	EXPECT_OK(cur->up);
	EXPECT_OK(ch_blk_open(&b, uri_rw, HANDLE_INVALID, 4, 4096));
	EXPECT_OK(ch_blk_read(&b, size - 512, buf, sizeof(buf)));
	for (int i = 0; i < 512; i++)
		CHECK(buf[i] == pat(size - 512 + (uint64_t)i), "last block after the restart");
	ch_blk_close(&b);
}

static void run_target(struct target *t)
{
	cur = t;
	snprintf(uri_rw, sizeof(uri_rw), "dev:///block/%s", t->rw);
	snprintf(uri_ro, sizeof(uri_ro), "dev:///block/%s", t->ro ? t->ro : "-");
	char prefix[32];
	snprintf(prefix, sizeof(prefix), "blk_%s_", t->name);
	ch_test_run(prefix, "info", test_info);
	ch_test_run(prefix, "pattern_read", test_pattern_read);
	ch_test_run(prefix, "write_read", test_write_read);
	ch_test_run(prefix, "flush", test_flush);
	ch_test_run(prefix, "many_in_flight", test_many_in_flight);
	ch_test_run(prefix, "out_of_range", test_out_of_range);
	ch_test_run(prefix, "read_only", test_read_only);
	ch_test_run(prefix, "discard", test_discard);
	ch_test_run(prefix, "hostile_client", test_hostile_client);
	ch_test_run(prefix, "session_limit", test_session_limit);
	ch_test_run(prefix, "driver_restart", test_driver_restart);
}

static void run_all(void)
{
	for (unsigned i = 0; i < sizeof(targets) / sizeof(targets[0]); i++)
		run_target(&targets[i]);
}

int main(void)
{
	for (unsigned i = 0; i < sizeof(targets) / sizeof(targets[0]); i++)
		targets[i].up = targets[i].start(&targets[i]);
	for (unsigned i = 0; i < sizeof(targets) / sizeof(targets[0]); i++)
		if (targets[i].up < 0)
			printf("blktest: %s: %s\n", targets[i].name, ch_error_name(targets[i].up));
	int r = ch_test_main(run_all);
	for (unsigned i = 0; i < sizeof(targets) / sizeof(targets[0]); i++)
		stop(&targets[i]);
	return r;
}
