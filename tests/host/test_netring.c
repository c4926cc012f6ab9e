/*
 * test_netring.c - host tests for the net session's two sides
 * (shared/netring.c over shared/devring.c), each against a hostile peer.
 *
 * The session memory is one malloc'd region of exactly the layout's size, so
 * ASan sees any access outside it. A hostile client writes raw tx and rxf
 * entries (buffer indexes out of range, lengths outside 14..mtu + 14) and
 * index words that run ahead, and never drains txc or rx; a hostile driver
 * writes txc and rx entries for buffers it does not hold, twice, with bad
 * lengths or statuses, and indexes that run ahead. The honest side must fail
 * the frame or end the session with ERR_MALFORMED, never touch memory outside
 * the region, and never wait.
 */
#include <shared/netring.h>
#include <abi/errors.h>

#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <cmocka.h>

struct pair {
	uint8_t *mem;
	struct net_region_layout l;
	struct net_srv_sess srv;
	struct net_cli_sess cli;
};

static struct pair *pair_new(uint32_t entries, uint32_t nbufs)
{
	struct pair *p = calloc(1, sizeof(*p));
	p->l = net_region_layout(entries, nbufs);
	p->mem = calloc(1, p->l.size);
	net_srv_init(&p->srv, p->mem, entries, nbufs, 1500);
	net_cli_init(&p->cli, p->mem, entries, nbufs, 1500);
	return p;
}

static void pair_free(struct pair *p)
{
	free(p->mem);
	free(p);
}

static uint32_t *word(struct pair *p, uint32_t off)
{
	return (uint32_t *)(p->mem + off);
}

static void fill(uint8_t *f, uint32_t len, uint32_t seed)
{
	for (uint32_t i = 0; i < len; i++)
		f[i] = (uint8_t)(seed * 31 + i);
}

/* Frames both ways, many rounds, the 32-bit indexes wrapping (started near the top). */
static void test_round_trip_wraps(void **state)
{
	(void)state;
	struct pair *p = pair_new(4, 8);
	const uint32_t start = 0xfffffff0u;
	struct devring *rs[] = {&p->srv.tx, &p->srv.txc, &p->srv.rxf, &p->srv.rx,
	                        &p->cli.tx, &p->cli.txc, &p->cli.rxf, &p->cli.rx};
	for (int i = 0; i < 8; i++)
		rs[i]->mine = start;
	for (uint32_t off = 0; off < NET_REGION_LINK; off += 64)
		*word(p, off) = start;
	uint8_t f[NET_BUF_SIZE];
	for (uint32_t round = 0; round < 50; round++) {
		/* client: buffers 0..3 out, 4..7 to receive */
		for (uint32_t b = 0; b < 4; b++) {
			fill(net_cli_buf(&p->cli, b), 60 + b + round, round + b);
			assert_int_equal(net_cli_tx(&p->cli, b, 60 + b + round), 0);
			assert_int_equal(net_cli_rxf(&p->cli, 4 + b), 0);
		}
		assert_int_equal(net_cli_tx(&p->cli, 4, 60), ERR_BAD_STATE); /* at the driver */
		struct net_desc d;
		for (uint32_t b = 0; b < 4; b++) {
			assert_int_equal(net_srv_tx_next(&p->srv, &d), 1);
			assert_int_equal(d.buf, b);
			assert_int_equal(d.len, 60 + b + round);
			fill(f, d.len, round + b);
			assert_memory_equal(net_srv_buf(&p->srv, d.buf), f, d.len);
			assert_int_equal(net_srv_tx_done(&p->srv, d.buf, 0), 0);
			fill(f, 100 + b, b);
			assert_int_equal(net_srv_rx(&p->srv, f, 100 + b), 1);
		}
		assert_int_equal(net_srv_tx_next(&p->srv, &d), 0);
		assert_int_equal(net_srv_rx(&p->srv, f, 100), 0); /* no free buffer: dropped */
		for (uint32_t b = 0; b < 4; b++) {
			assert_int_equal(net_cli_txc(&p->cli, &d), 1);
			assert_int_equal(d.buf, b);
			assert_int_equal(d.status, 0);
			assert_int_equal(net_cli_rx(&p->cli, &d), 1);
			assert_int_equal(d.buf, 4 + b);
			assert_int_equal(d.len, 100 + b);
			fill(f, d.len, b);
			assert_memory_equal(net_cli_buf(&p->cli, d.buf), f, d.len);
		}
		assert_int_equal(net_cli_txc(&p->cli, &d), 0);
		assert_int_equal(net_cli_rx(&p->cli, &d), 0);
		assert_int_equal(p->cli.at_tx + p->cli.at_rxf, 0);
	}
	net_srv_link(&p->srv, true, 3);
	assert_int_equal(net_cli_link(&p->cli), 7);
	pair_free(p);
}

/* Each bad tx entry is completed with its error; the session goes on. */
static void test_bad_frames_fail_alone(void **state)
{
	(void)state;
	const struct {
		struct net_desc d;
		int err;
	} cases[] = {
	    {{.buf = 8, .len = 60}, ERR_OUT_OF_RANGE},
	    {{.buf = 0xffffffffu, .len = 60}, ERR_OUT_OF_RANGE},
	    {{.buf = 0, .len = 0}, ERR_INVALID_ARGS},
	    {{.buf = 0, .len = 13}, ERR_INVALID_ARGS},
	    {{.buf = 0, .len = 1515}, ERR_INVALID_ARGS},
	    {{.buf = 0, .len = NET_BUF_SIZE + 1}, ERR_INVALID_ARGS},
	    {{.buf = 0, .len = 0xffffffffu}, ERR_INVALID_ARGS},
	};
	struct pair *p = pair_new(4, 8);
	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		struct net_desc d;
		assert_int_equal(devring_put(&p->cli.tx, &cases[i].d), 0); /* raw */
		assert_int_equal(net_srv_tx_next(&p->srv, &d), 0);
		assert_int_equal(devring_get(&p->cli.txc, &d), 1);
		assert_int_equal(d.buf, cases[i].d.buf);
		assert_int_equal(d.status, cases[i].err);
	}
	struct net_desc d = {.buf = 3, .len = 14};
	assert_int_equal(devring_put(&p->cli.tx, &d), 0);
	assert_int_equal(net_srv_tx_next(&p->srv, &d), 1);
	assert_int_equal(d.len, 14);
	pair_free(p);
}

/* A client that never reads txc only stalls itself: the driver takes no frame
 * whose completion would not fit, and never waits. */
static void test_undrained_txc_stalls_client_only(void **state)
{
	(void)state;
	struct pair *p = pair_new(2, 8);
	struct net_desc d;
	for (uint32_t b = 0; b < 2; b++) {
		d = (struct net_desc){.buf = b, .len = 60};
		assert_int_equal(devring_put(&p->cli.tx, &d), 0);
	}
	for (int k = 0; k < 2; k++) {
		assert_int_equal(net_srv_tx_next(&p->srv, &d), 1);
		assert_int_equal(net_srv_tx_done(&p->srv, d.buf, 0), 0);
	}
	/* txc is full and nobody reads it: the driver takes no more */
	for (uint32_t b = 2; b < 4; b++) {
		d = (struct net_desc){.buf = b, .len = 60};
		assert_int_equal(devring_put(&p->cli.tx, &d), 0);
	}
	assert_int_equal(net_srv_tx_next(&p->srv, &d), 0);
	assert_int_equal(devring_put(&p->cli.tx, &d), ERR_SHOULD_WAIT);
	assert_int_equal(net_srv_tx_next(&p->srv, &d), 0);
	/* one completion read: one frame taken */
	assert_int_equal(devring_get(&p->cli.txc, &d), 1);
	assert_int_equal(net_srv_tx_next(&p->srv, &d), 1);
	assert_int_equal(d.buf, 2);
	assert_int_equal(net_srv_tx_next(&p->srv, &d), 0); /* its completion holds the slot */
	assert_int_equal(net_srv_tx_done(&p->srv, 2, 0), 0);
	pair_free(p);
}

/* Index words the client writes that run ahead (or behind) break the ring. */
static void test_client_indexes_break_ring(void **state)
{
	(void)state;
	const uint32_t words[] = {NET_REGION_TX_PROD, NET_REGION_TXC_CONS, NET_REGION_RXF_PROD,
	                          NET_REGION_RX_CONS};
	/* (a consumer index one behind, 0xffffffff, is a legal state: not here) */
	const uint32_t values[] = {5, 1000, 0x80000000u, 0x7fffffffu};
	for (int w = 0; w < 4; w++)
		for (int v = 0; v < 4; v++) {
			struct pair *p = pair_new(4, 8);
			uint8_t f[64] = {0};
			struct net_desc d = {.buf = 0, .len = 60};
			assert_int_equal(devring_put(&p->cli.tx, &d), 0);
			d.buf = 1;
			assert_int_equal(devring_put(&p->cli.rxf, &d), 0);
			*word(p, words[w]) = values[v];
			int a = net_srv_tx_next(&p->srv, &d);
			if (a == 1)
				a = net_srv_tx_done(&p->srv, d.buf, 0);
			int b = net_srv_rx(&p->srv, f, 60);
			if (w < 2)
				assert_int_equal(a, ERR_MALFORMED);
			else
				assert_int_equal(b, ERR_MALFORMED);
			(void)b;
			pair_free(p);
		}
}

/* A free buffer out of range ends the session when a frame would go there;
 * frames of impossible lengths from the device are dropped, not delivered. */
static void test_rxf_checked(void **state)
{
	(void)state;
	struct pair *p = pair_new(4, 8);
	uint8_t f[NET_BUF_SIZE] = {0};
	struct net_desc d = {.buf = 0};
	assert_int_equal(devring_put(&p->cli.rxf, &d), 0);
	assert_int_equal(net_srv_rx(&p->srv, f, 13), 0);
	assert_int_equal(net_srv_rx(&p->srv, f, 1515), 0);
	assert_int_equal(net_srv_rx(&p->srv, f, 1514), 1);
	d.buf = 8;
	assert_int_equal(devring_put(&p->cli.rxf, &d), 0);
	assert_int_equal(net_srv_rx(&p->srv, f, 60), ERR_MALFORMED);
	pair_free(p);
}

/* The driver copies a tx entry once: rewriting the slot afterwards changes nothing. */
static void test_driver_uses_its_copy(void **state)
{
	(void)state;
	struct pair *p = pair_new(1, 2);
	struct net_desc d = {.buf = 1, .len = 60}, got;
	assert_int_equal(devring_put(&p->cli.tx, &d), 0);
	assert_int_equal(net_srv_tx_next(&p->srv, &got), 1);
	memset(p->mem + p->l.tx, 0xff, sizeof(struct net_desc));
	assert_int_equal(got.buf, 1);
	assert_int_equal(got.len, 60);
	pair_free(p);
}

/* The client checks every txc and rx entry the driver writes. */
static void test_driver_entries_checked(void **state)
{
	(void)state;
	const struct {
		int ring; /* 0: txc, 1: rx */
		struct net_desc d;
	} cases[] = {
	    {0, {.buf = 1}}, /* not at tx */
	    {0, {.buf = 2}}, /* at rxf, not tx */
	    {0, {.buf = 99}}, /* out of range */
	    {0, {.buf = 0, .status = 1}}, /* a positive status */
	    {0, {.buf = 0, .len = 5}}, /* a length on a completion */
	    {1, {.buf = 0, .len = 60}}, /* at tx, not rxf */
	    {1, {.buf = 1, .len = 60}}, /* ours */
	    {1, {.buf = 2, .len = 13}}, /* too short */
	    {1, {.buf = 2, .len = 1515}}, /* too long */
	    {1, {.buf = 2, .len = 60, .status = -3}}, /* a status on a frame */
	    {1, {.buf = 0xffffffffu, .len = 60}},
	};
	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		struct pair *p = pair_new(4, 4);
		struct net_desc d;
		assert_int_equal(net_cli_tx(&p->cli, 0, 60), 0);
		assert_int_equal(net_cli_rxf(&p->cli, 2), 0);
		struct devring *r = cases[i].ring ? &p->srv.rx : &p->srv.txc;
		assert_int_equal(devring_put(r, &cases[i].d), 0); /* raw */
		int got = cases[i].ring ? net_cli_rx(&p->cli, &d) : net_cli_txc(&p->cli, &d);
		assert_int_equal(got, ERR_MALFORMED);
		/* broken for good */
		assert_int_equal(net_cli_tx(&p->cli, 3, 60), ERR_MALFORMED);
		assert_int_equal(net_cli_txc(&p->cli, &d), ERR_MALFORMED);
		pair_free(p);
	}
	/* the same buffer completed twice */
	struct pair *p = pair_new(4, 4);
	struct net_desc d = {.buf = 0};
	assert_int_equal(net_cli_tx(&p->cli, 0, 60), 0);
	assert_int_equal(devring_put(&p->srv.txc, &d), 0);
	assert_int_equal(devring_put(&p->srv.txc, &d), 0);
	assert_int_equal(net_cli_txc(&p->cli, &d), 1);
	assert_int_equal(net_cli_txc(&p->cli, &d), ERR_MALFORMED);
	pair_free(p);
	/* an rx producer index that runs ahead */
	p = pair_new(4, 4);
	*word(p, NET_REGION_RX_PROD) = 5;
	assert_int_equal(net_cli_rx(&p->cli, &d), ERR_MALFORMED);
	pair_free(p);
}

static void test_control_checks(void **state)
{
	(void)state;
	uint32_t e = 512, n = 100000;
	assert_int_equal(net_open_clamp(&e, &n), 0);
	assert_int_equal(e, DEV_RING_MAX);
	assert_int_equal(n, NET_MAX_BUFS);
	e = 3, n = 4;
	assert_int_equal(net_open_clamp(&e, &n), ERR_INVALID_ARGS);
	e = 0;
	assert_int_equal(net_open_clamp(&e, &n), ERR_INVALID_ARGS);
	e = 4, n = 0;
	assert_int_equal(net_open_clamp(&e, &n), ERR_INVALID_ARGS);

	struct net_info in = {.mtu = 1500, .link_up = 1};
	memset(in.model, 'x', sizeof(in.model));
	assert_int_equal(net_info_check(&in), 0);
	assert_int_equal(in.model[sizeof(in.model) - 1], 0);
	in.mtu = NET_MTU_MAX + 1;
	assert_int_equal(net_info_check(&in), ERR_MALFORMED);
	in.mtu = 67;
	assert_int_equal(net_info_check(&in), ERR_MALFORMED);
	in.mtu = 1500, in.link_up = 2;
	assert_int_equal(net_info_check(&in), ERR_MALFORMED);

	struct net_open_reply r = {.entries = 8, .nbufs = 16};
	r.region_size = net_region_layout(8, 16).size;
	assert_int_equal(net_open_reply_check(&r, 8, 16), 0);
	assert_int_equal(net_open_reply_check(&r, 4, 16), ERR_MALFORMED); /* more than asked */
	assert_int_equal(net_open_reply_check(&r, 8, 8), ERR_MALFORMED);
	r.region_size--;
	assert_int_equal(net_open_reply_check(&r, 8, 16), ERR_MALFORMED);
	r.region_size++, r.entries = 6;
	assert_int_equal(net_open_reply_check(&r, 8, 16), ERR_MALFORMED);
	r.entries = 8, r.nbufs = 0;
	assert_int_equal(net_open_reply_check(&r, 8, 16), ERR_MALFORMED);
}

/* Both sides honest in their calls while random words and bytes of the shared
 * memory are scribbled between them: no call leaves the region (ASan), every
 * result is one the contract allows, and the client's accounting holds. */
static void test_random_scribbles(void **state)
{
	(void)state;
	srand(16);
	uint8_t f[NET_BUF_SIZE] = {0};
	for (int trial = 0; trial < 200; trial++) {
		struct pair *p = pair_new(4, 8);
		for (int step = 0; step < 300; step++) {
			int op = rand() % 8;
			struct net_desc d;
			int r;
			if (rand() % 4 == 0) {
				uint32_t off = (uint32_t)rand() % (uint32_t)p->l.bufs;
				p->mem[off] = (uint8_t)rand();
			}
			switch (op) {
			case 0:
				r = net_cli_tx(&p->cli, (uint32_t)rand() % 9,
				               (uint32_t)rand() % 2000);
				assert_true(r == 0 || r == ERR_SHOULD_WAIT || r == ERR_BAD_STATE ||
				            r == ERR_MALFORMED);
				break;
			case 1:
				r = net_cli_rxf(&p->cli, (uint32_t)rand() % 9);
				assert_true(r == 0 || r == ERR_SHOULD_WAIT || r == ERR_BAD_STATE ||
				            r == ERR_MALFORMED);
				break;
			case 2:
				r = net_cli_txc(&p->cli, &d);
				assert_true(r == 0 || r == 1 || r == ERR_MALFORMED);
				if (r == 1)
					assert_true(d.buf < 8 && d.status <= 0);
				break;
			case 3:
				r = net_cli_rx(&p->cli, &d);
				assert_true(r == 0 || r == 1 || r == ERR_MALFORMED);
				if (r == 1)
					assert_true(d.buf < 8 && d.len >= 14 && d.len <= 1514);
				break;
			case 4:
				r = net_srv_tx_next(&p->srv, &d);
				assert_true(r == 0 || r == 1 || r == ERR_MALFORMED);
				if (r == 1) {
					assert_true(d.buf < 8 && d.len >= 14 && d.len <= 1514);
					r = net_srv_tx_done(&p->srv, d.buf, 0);
					assert_true(r == 0 || r == ERR_MALFORMED);
				}
				break;
			case 5:
				r = net_srv_rx(&p->srv, f, 14 + (uint32_t)rand() % 1600);
				assert_true(r == 0 || r == 1 || r == ERR_MALFORMED);
				break;
			default:
				*word(p, (uint32_t)(rand() % 9) * 64) = (uint32_t)rand();
				break;
			}
			assert_true(p->cli.at_tx + p->cli.at_rxf <= 8);
			assert_true(p->srv.in_flight <= 4);
		}
		pair_free(p);
	}
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(test_round_trip_wraps),
	    cmocka_unit_test(test_bad_frames_fail_alone),
	    cmocka_unit_test(test_undrained_txc_stalls_client_only),
	    cmocka_unit_test(test_client_indexes_break_ring),
	    cmocka_unit_test(test_rxf_checked),
	    cmocka_unit_test(test_driver_uses_its_copy),
	    cmocka_unit_test(test_driver_entries_checked),
	    cmocka_unit_test(test_control_checks),
	    cmocka_unit_test(test_random_scribbles),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
