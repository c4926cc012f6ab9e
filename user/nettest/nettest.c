/*
 * nettest - the net class conformance suite: the same class protocol over both
 * net drivers, through libcharlotte's client (net.h) only.
 *
 * tools/qemu.sh puts a virtio-net (MAC 52:54:00:00:00:01) and an e1000
 * (52:54:00:00:00:02) on one QEMU hub with nothing else on it, so a frame one
 * sends arrives at the other. nettest starts bin/virtio-net as eth0 and
 * bin/e1000 as eth1 itself (ch_driver_spawn with the device found under "hw")
 * and checks: info (MAC, MTU, link), frames byte for byte in both directions
 * (synchronously, and many in flight at once), the shortest and longest
 * frames (a short one arrives padded with zeros to 60 bytes, as on a wire),
 * frames of a wrong length refused, a hostile client (junk calls, bad buffer
 * indexes, lengths, ring indexes) losing only its own session, and a killed
 * driver giving its client ERR_PEER_CLOSED, then serving again once restarted.
 * Without the devices (no hardware capabilities, another machine) the tests
 * are NA.
 * Grants: log, initrd, pool, ns, hw.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <abi/ns.h>
#include <charlotte/devcall.h>
#include <charlotte/driver.h>
#include <charlotte/hw.h>
#include <charlotte/kbus.h>
#include <charlotte/names.h>
#include <charlotte/net.h>
#include <charlotte/ns.h>
#include <charlotte/spawn.h>
#include <charlotte/start.h>
#include <charlotte/syscall.h>
#include <charlotte/testing.h>

#define LONG (30ull * 1000 * 1000 * 1000)
#define ETHERTYPE 0x88b5u /* IEEE local experimental */

struct nic {
	const char *name, *uri, *driver;
	struct ch_dev_match match;
	uint8_t mac[6];
	struct ch_child child;
	long up;
};

static struct nic nics[2] = {
    {"eth0",
     "dev:///net/eth0",
     "bin/virtio-net",
     {0x1af4, CH_DEV_ANY, 0x02, 0x00, CH_DEV_ANY},
     {0x52, 0x54, 0, 0, 0, 1},
     {0},
     0},
    {"eth1",
     "dev:///net/eth1",
     "bin/e1000",
     {0x8086, 0x100e, CH_DEV_ANY, CH_DEV_ANY, CH_DEV_ANY},
     {0x52, 0x54, 0, 0, 0, 2},
     {0},
     0},
};

static long start(struct nic *n)
{
	handle_t dev, hw = ch_handle("hw");
	long r = hw == HANDLE_INVALID ? ERR_NOT_FOUND : ch_dev_find(hw, &n->match, 0, &dev);
	if (r < 0)
		return r;
	const char *argv[] = {n->driver, n->name, NULL};
	r = ch_driver_spawn(argv, dev, 4u << 20, LONG, &n->child);
	ch_cap_drop(dev);
	return r;
}

static void stop(struct nic *n)
{
	struct proc_status st;
	if (n->child.process == HANDLE_INVALID)
		return;
	ch_proc_kill(n->child.process);
	ch_proc_wait(n->child.process, LONG, &st);
	ch_child_release(&n->child);
	ch_driver_unbind(n->name); /* its entry would keep its pool taken */
}

static bool up(void)
{
	for (int i = 0; i < 2; i++)
		if (nics[i].up < 0) {
			ch_test_not_applicable("%s not started: %s", nics[i].name,
			                       ch_error_name(nics[i].up));
			return false;
		}
	return true;
}

/* A frame from nics[from] to nics[to] of len bytes, its payload a function of seq. */
static void frame(uint8_t *f, size_t len, int from, int to, uint32_t seq)
{
	memcpy(f, nics[to].mac, 6);
	memcpy(f + 6, nics[from].mac, 6);
	f[12] = ETHERTYPE >> 8;
	f[13] = ETHERTYPE & 0xff;
	uint32_t x = seq * 2654435761u + 1;
	for (size_t i = 14; i < len; i++) {
		x = x * 1103515245u + 12345u;
		f[i] = (uint8_t)(x >> 16);
	}
	if (len >= 18)
		memcpy(f + 14, &seq, 4);
}

/* Sends len-byte frames one at a time and checks each arrives whole (a frame
 * shorter than 60 bytes arrives as 60, the rest zeros). */
static void one_way(struct ch_net *tx, struct ch_net *rx, int from, int to, const size_t *lens,
                    int n)
{
	static uint8_t out[NET_BUF_SIZE], in[NET_BUF_SIZE];
	for (int k = 0; k < n; k++) {
		size_t len = lens[k];
		frame(out, len, from, to, (uint32_t)k);
		EXPECT_OK(ch_net_send(tx, out, len, LONG));
		memset(in, 0xa5, sizeof(in));
		long got = ch_net_recv(rx, in, sizeof(in), LONG);
		size_t want = len < NET_FRAME_PAD ? NET_FRAME_PAD : len;
		CHECK(got == (long)want, "%s -> %s: %zu bytes arrived as %ld (%s)", nics[from].name,
		      nics[to].name, len, got, got < 0 ? ch_error_name(got) : "");
		CHECK(!memcmp(in, out, len), "%s -> %s: %zu bytes differ", nics[from].name,
		      nics[to].name, len);
		for (size_t i = len; i < want; i++)
			CHECK(in[i] == 0, "padding byte %zu is %u", i, in[i]);
	}
}

#define OPEN2(a, b)                                                                \
	do {                                                                       \
		if (!up())                                                         \
			return;                                                    \
		EXPECT_OK(ch_net_open((a), nics[0].uri, HANDLE_INVALID, 64, 128)); \
		EXPECT_OK(ch_net_open((b), nics[1].uri, HANDLE_INVALID, 64, 128)); \
	} while (0)

static void test_info(void)
{
	struct ch_net a, b;
	OPEN2(&a, &b);
	struct ch_net *s[2] = {&a, &b};
	for (int i = 0; i < 2; i++) {
		const struct net_info *in = ch_net_info(s[i]);
		CHECK(!memcmp(in->mac, nics[i].mac, 6), "%s: MAC %02x:%02x:%02x:%02x:%02x:%02x",
		      nics[i].name, in->mac[0], in->mac[1], in->mac[2], in->mac[3], in->mac[4],
		      in->mac[5]);
		CHECK(in->mtu == 1500, "%s: mtu %u", nics[i].name, in->mtu);
		/* a NIC may still be negotiating (QEMU's e1000 after its reset): wait for the
		 * link event rather than a time */
		while (ch_net_link(s[i], NULL) != 1) {
			struct ch_net_event ev;
			EXPECT_OK(ch_net_wait(s[i], &ev, LONG));
			CHECK(ev.kind == CH_NET_LINK, "%s: event %u before link up", nics[i].name,
			      ev.kind);
		}
		CHECK(in->model[0], "%s: no model", nics[i].name);
		handle_t dev;
		struct net_info q;
		EXPECT_OK(ch_uri_open(nics[i].uri, NS_TYPE_DEV_NET, 0, NS_RIGHTS_SAME, &dev));
		EXPECT_OK(ch_net_query(dev, &q, LONG));
		CHECK(!memcmp(q.mac, in->mac, 6) && q.mtu == in->mtu, "query differs from open");
		CHECK(q.link_up == 1, "%s: the driver says link down", nics[i].name);
		ch_cap_drop(dev);
		handle_t f;
		CHECK(ch_uri_open(nics[i].uri, NS_TYPE_DEV_BLOCK, 0, NS_RIGHTS_SAME, &f) < 0,
		      "opened as a disk");
	}
	ch_net_close(&a);
	ch_net_close(&b);
}

static void test_virtio_to_e1000(void)
{
	struct ch_net a, b;
	static const size_t lens[] = {64, 100, 512, 1000, 1514, 60, 1500};
	OPEN2(&a, &b);
	one_way(&a, &b, 0, 1, lens, 7);
	ch_net_close(&a);
	ch_net_close(&b);
}

static void test_e1000_to_virtio(void)
{
	struct ch_net a, b;
	static const size_t lens[] = {64, 100, 512, 1000, 1514, 60, 1500};
	OPEN2(&a, &b);
	one_way(&b, &a, 1, 0, lens, 7);
	ch_net_close(&a);
	ch_net_close(&b);
}

static void test_min_max(void)
{
	struct ch_net a, b;
	static const size_t lens[] = {14, 15, 59, 60, 61, 1513, 1514};
	OPEN2(&a, &b);
	one_way(&a, &b, 0, 1, lens, 7);
	one_way(&b, &a, 1, 0, lens, 7);
	ch_net_close(&a);
	ch_net_close(&b);
}

/* N frames each way in flight at once; each arrives once, whole, in order. */
static void test_many_in_flight(void)
{
	enum { N = 48 };
	struct ch_net a, b;
	struct ch_net *s[2] = {&a, &b};
	static uint8_t want[NET_BUF_SIZE];
	OPEN2(&a, &b);
	for (int i = 0; i < N; i++)
		for (int d = 0; d < 2; d++) {
			long buf = ch_net_tx_buf(s[d]);
			CHECK(buf >= 0, "no free buffer at %d: %s", i, ch_error_name(buf));
			size_t len = 60 + (size_t)(i * 29) % 1455;
			frame(ch_net_buf(s[d], (uint32_t)buf), len, d, 1 - d, (uint32_t)i);
			EXPECT_OK(ch_net_submit(s[d], (uint32_t)buf, (uint32_t)len));
		}
	for (int d = 0; d < 2; d++) {
		int sent = 0, got = 0;
		while (sent < N || got < N) {
			struct ch_net_event ev;
			EXPECT_OK(ch_net_wait(s[1 - d], &ev, LONG));
			if (ev.kind == CH_NET_TX_DONE) {
				CHECK(ev.status == 0, "tx: %s", ch_error_name(ev.status));
				sent++;
				continue;
			}
			size_t len = 60 + (size_t)(got * 29) % 1455;
			frame(want, len, d, 1 - d, (uint32_t)got);
			CHECK(ev.len == len, "%s: frame %d of %u bytes, want %zu", nics[1 - d].name,
			      got, ev.len, len);
			CHECK(!memcmp(ch_net_buf(s[1 - d], ev.buf), want, len),
			      "%s: frame %d differs", nics[1 - d].name, got);
			EXPECT_OK(ch_net_rx_done(s[1 - d], ev.buf));
			got++;
		}
	}
	ch_net_close(&a);
	ch_net_close(&b);
}

/* Frames of a wrong length are refused, one by one; the session goes on. */
static void test_oversize(void)
{
	struct ch_net a, b;
	static uint8_t f[NET_BUF_SIZE];
	static const uint32_t bad[] = {1515, 1600, NET_BUF_SIZE, NET_BUF_SIZE + 1, 0xffffffffu,
	                               13,   0};
	OPEN2(&a, &b);
	for (int i = 0; i < 7; i++) {
		long buf = ch_net_tx_buf(&a);
		EXPECT_OK(buf);
		EXPECT_OK(ch_net_submit(&a, (uint32_t)buf, bad[i]));
		struct ch_net_event ev;
		EXPECT_OK(ch_net_wait(&a, &ev, LONG));
		CHECK(ev.kind == CH_NET_TX_DONE && ev.status == ERR_INVALID_ARGS,
		      "%u bytes: kind %u, %s", bad[i], ev.kind, ch_error_name(ev.status));
	}
	EXPECT_ERR(ch_net_send(&a, f, NET_BUF_SIZE + 1, LONG), ERR_INVALID_ARGS);
	static const size_t ok[] = {1514};
	one_way(&a, &b, 0, 1, ok, 1);
	ch_net_close(&a);
	ch_net_close(&b);
}

/* Waits for the driver to post a tx completion on c's raw ring. */
static long raw_txc(struct ch_net *c, struct net_desc *d)
{
	for (;;) {
		int r = devring_get(&c->s.txc, d);
		if (r != 0)
			return r;
		uint8_t m[16];
		uint32_t len;
		long w = ch_dev_recv_any(c->ep, m, sizeof(m), &len, LONG);
		if (w < 0)
			return w;
	}
}

/* A session the driver ended: its endpoint reports ERR_PEER_CLOSED. */
static long ended(struct ch_net *c)
{
	uint8_t m[16];
	uint32_t len;
	long w;
	while ((w = ch_dev_recv_any(c->ep, m, sizeof(m), &len, LONG)) == 0)
		;
	return w;
}

static void junk_calls(int i)
{
	handle_t dev;
	uint8_t junk[64], rep[512];
	EXPECT_OK(ch_uri_open(nics[i].uri, NS_TYPE_DEV_NET, 0, NS_RIGHTS_SAME, &dev));
	memset(junk, 0xee, sizeof(junk));
	struct kbus_buf kb = {.data = rep, .capacity = sizeof(rep)};
	struct kbus_msg m = {.data = junk, .len = 3};
	CHECK(ch_kbus_call(dev, &m, &kb, LONG) >= 0, "short call not answered");
	m.len = sizeof(junk);
	CHECK(ch_kbus_call(dev, &m, &kb, LONG) >= 0, "junk call not answered");
	struct net_open o = {.hdr = {NET_MSG_OPEN, sizeof(o)}, .entries = 3, .nbufs = 4};
	m = (struct kbus_msg){.data = &o, .len = sizeof(o)};
	CHECK(ch_kbus_call(dev, &m, &kb, LONG) >= 0, "open not answered");
	CHECK(kb.len == sizeof(struct net_open_reply) &&
	          ((struct net_open_reply *)rep)->status == ERR_INVALID_ARGS,
	      "open of 3 entries not refused");
	EXPECT_OK(ch_kbus_send_bytes(dev, junk, 17, 0, LONG)); /* one-way: ignored */
	ch_cap_drop(dev);
}

/* Bad buffer indexes and lengths fail their frames; a bad free buffer or a ring
 * index that runs ahead ends the session; a good session is served throughout. */
static void hostile_on(int i)
{
	struct ch_net good, peer, bad;
	static uint8_t f[NET_BUF_SIZE];
	EXPECT_OK(ch_net_open(&good, nics[i].uri, HANDLE_INVALID, 8, 16));
	EXPECT_OK(ch_net_open(&peer, nics[1 - i].uri, HANDLE_INVALID, 8, 16));
	junk_calls(i);

	EXPECT_OK(ch_net_open(&bad, nics[i].uri, HANDLE_INVALID, 4, 8));
	const struct net_desc tx[] = {{.buf = 8, .len = 60},
	                              {.buf = 0xffffffffu, .len = 60},
	                              {.buf = 7, .len = 100000},
	                              {.buf = 6, .len = 0, .status = 5}};
	const int want[] = {ERR_OUT_OF_RANGE, ERR_OUT_OF_RANGE, ERR_INVALID_ARGS, ERR_INVALID_ARGS};
	for (int k = 0; k < 4; k++) {
		struct net_desc d;
		EXPECT_OK(devring_put(&bad.s.tx, &tx[k])); /* raw: the library would refuse */
		struct ch_msg_hdr bell = {NET_MSG_DOORBELL, sizeof(bell)};
		EXPECT_OK(ch_kbus_send_bytes(bad.ep, &bell, sizeof(bell), 0, LONG));
		EXPECT_OK(raw_txc(&bad, &d));
		CHECK(d.buf == tx[k].buf && d.status == want[k], "bad tx %d: buf %u, %s", k, d.buf,
		      ch_error_name(d.status));
	}
	ch_net_close(&bad);

	/* a free buffer out of range (after the one good buffer the library gave):
	 * the session ends when a frame comes for it */
	EXPECT_OK(ch_net_open(&bad, nics[i].uri, HANDLE_INVALID, 4, 2));
	struct net_desc rxf = {.buf = 1000};
	EXPECT_OK(devring_put(&bad.s.rxf, &rxf));
	for (uint32_t k = 0; k < 2; k++) {
		frame(f, 60, 1 - i, i, k);
		EXPECT_OK(ch_net_send(&peer, f, 60, LONG));
	}
	EXPECT_ERR(ended(&bad), ERR_PEER_CLOSED);
	ch_net_close(&bad);
	/* the good session got both frames */
	for (int k = 0; k < 2; k++)
		EXPECT_OK(ch_net_recv(&good, f, sizeof(f), LONG));

	/* a tx index that runs ahead */
	EXPECT_OK(ch_net_open(&bad, nics[i].uri, HANDLE_INVALID, 4, 8));
	__atomic_store_n((uint32_t *)(bad.base + NET_REGION_TX_PROD), 1000u, __ATOMIC_RELEASE);
	struct ch_msg_hdr bell = {NET_MSG_DOORBELL, sizeof(bell)};
	long sr = ch_kbus_send_bytes(bad.ep, &bell, sizeof(bell), 0, LONG);
	CHECK(sr == 0 || sr == ERR_PEER_CLOSED, "doorbell: %s", ch_error_name(sr));
	EXPECT_ERR(ended(&bad), ERR_PEER_CLOSED);
	ch_net_close(&bad);

	/* a txc consumer index that runs ahead, while a frame waits for its completion */
	EXPECT_OK(ch_net_open(&bad, nics[i].uri, HANDLE_INVALID, 4, 8));
	__atomic_store_n((uint32_t *)(bad.base + NET_REGION_TXC_CONS), 77u, __ATOMIC_RELEASE);
	long b = ch_net_tx_buf(&bad);
	EXPECT_OK(b);
	frame(ch_net_buf(&bad, (uint32_t)b), 60, i, 1 - i, 2);
	/* the driver may end the session on seeing the index, before the doorbell */
	sr = ch_net_submit(&bad, (uint32_t)b, 60);
	CHECK(sr == 0 || sr == ERR_PEER_CLOSED, "submit: %s", ch_error_name(sr));
	EXPECT_ERR(ended(&bad), ERR_PEER_CLOSED);
	ch_net_close(&bad);

	/* and the good session is still served, both ways */
	static const size_t ok[] = {60, 1514};
	one_way(&good, &peer, i, 1 - i, ok, 2);
	one_way(&peer, &good, 1 - i, i, ok, 2);
	ch_net_close(&good);
	ch_net_close(&peer);
}

static void test_hostile_client(void)
{
	if (!up())
		return;
	hostile_on(0);
	if (!ch_test_failed())
		hostile_on(1);
}

/* NET_MAX_SESSIONS sessions at once, one more refused. */
static void test_session_limit(void)
{
	static struct ch_net s[NET_MAX_SESSIONS + 1];
	if (!up())
		return;
	for (unsigned i = 0; i < NET_MAX_SESSIONS; i++)
		EXPECT_OK(ch_net_open(&s[i], nics[1].uri, HANDLE_INVALID, 2, 4));
	EXPECT_ERR(ch_net_open(&s[NET_MAX_SESSIONS], nics[1].uri, HANDLE_INVALID, 2, 4),
	           ERR_NO_RESOURCES);
	for (unsigned i = 0; i < NET_MAX_SESSIONS; i++)
		ch_net_close(&s[i]);
}

/* Killing a driver gives its client ERR_PEER_CLOSED; restarted, it serves again. */
static void test_driver_killed(void)
{
	struct ch_net a, b;
	static uint8_t f[NET_BUF_SIZE];
	OPEN2(&a, &b);
	stop(&nics[1]);
	EXPECT_ERR(ch_net_recv(&b, f, sizeof(f), LONG), ERR_PEER_CLOSED);
	frame(f, 60, 1, 0, 0);
	EXPECT_ERR(ch_net_send(&b, f, 60, LONG), ERR_PEER_CLOSED);
	ch_net_close(&b);
	nics[1].up = start(&nics[1]);
	EXPECT_OK(nics[1].up);
	EXPECT_OK(ch_net_open(&b, nics[1].uri, HANDLE_INVALID, 64, 128));
	static const size_t ok[] = {60, 1514};
	one_way(&a, &b, 0, 1, ok, 2);
	one_way(&b, &a, 1, 0, ok, 2);
	ch_net_close(&a);
	ch_net_close(&b);
}

static void run_all(void)
{
	ch_test_run("net_", "info", test_info);
	ch_test_run("net_", "virtio_to_e1000", test_virtio_to_e1000);
	ch_test_run("net_", "e1000_to_virtio", test_e1000_to_virtio);
	ch_test_run("net_", "min_max", test_min_max);
	ch_test_run("net_", "many_in_flight", test_many_in_flight);
	ch_test_run("net_", "oversize", test_oversize);
	ch_test_run("net_", "hostile_client", test_hostile_client);
	ch_test_run("net_", "session_limit", test_session_limit);
	ch_test_run("net_", "driver_killed", test_driver_killed);
}

int main(void)
{
	for (int i = 0; i < 2; i++) {
		nics[i].child.process = HANDLE_INVALID;
		nics[i].up = start(&nics[i]);
		if (nics[i].up < 0)
			printf("nettest: %s: %s\n", nics[i].name, ch_error_name(nics[i].up));
	}
	int r = ch_test_main(run_all);
	for (int i = 0; i < 2; i++)
		stop(&nics[i]);
	return r;
}
