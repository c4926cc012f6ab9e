/*
 * test_blkring.c - host tests for the block session's two sides
 * (shared/blkring.c over shared/devring.c), each against a hostile peer.
 *
 * The session memory is one malloc'd region of exactly the layout's size, so
 * ASan sees any access outside it. A hostile client writes raw ring entries
 * and index words (bad lengths, offsets, data offsets, ops, indexes that run
 * ahead, a completion ring it never drains); a hostile driver writes
 * completions for tags never submitted, twice, with too many bytes, and
 * indexes that run ahead. The honest side must fail the request or end the
 * session with ERR_MALFORMED, never index outside the region, and never wait.
 */
#include <shared/blkring.h>
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
	struct blk_region_layout l;
	struct blk_srv_sess srv;
	struct blk_cli_sess cli;
};

static const struct blk_info info_rw = {.size = 1 << 20,
                                        .block_size = 512,
                                        .flags = BLK_INFO_FLUSH,
                                        .max_transfer = 65536,
                                        .model = "t"};

static struct pair *pair_new(uint32_t entries, uint64_t data, const struct blk_info *info)
{
	struct pair *p = calloc(1, sizeof(*p));
	p->l = blk_region_layout(entries, data);
	p->mem = calloc(1, p->l.size);
	blk_srv_init(&p->srv, p->mem, entries, data, info);
	blk_cli_init(&p->cli, p->mem, entries, data, info);
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

/* The whole way round, many times: the 32-bit indexes wrap (started near the top). */
static void test_round_trip_wraps(void **state)
{
	(void)state;
	struct pair *p = pair_new(8, 8192, &info_rw);
	uint32_t start = 0xfffffff0u;
	p->srv.sq.mine = p->srv.cq.mine = p->cli.sq.mine = p->cli.cq.mine = start;
	*word(p, BLK_REGION_SQ_PROD) = *word(p, BLK_REGION_SQ_CONS) = start;
	*word(p, BLK_REGION_CQ_PROD) = *word(p, BLK_REGION_CQ_CONS) = start;
	for (int round = 0; round < 100; round++) {
		for (int i = 0; i < 8; i++) {
			struct blk_sqe rq = {.op = BLK_OP_READ,
			                     .len = 512,
			                     .offset = 512u * i,
			                     .data_off = 512u * i};
			assert_int_equal(blk_cli_submit(&p->cli, &rq), (round * 8 + i) % 8);
		}
		struct blk_sqe extra = {.op = BLK_OP_FLUSH};
		assert_int_equal(blk_cli_submit(&p->cli, &extra), ERR_SHOULD_WAIT);
		struct blk_sqe got[8];
		for (int i = 0; i < 8; i++)
			assert_int_equal(blk_srv_next(&p->srv, &got[i]), 1);
		assert_int_equal(blk_srv_next(&p->srv, &got[0]), 0);
		for (int i = 7; i >= 0; i--)
			assert_int_equal(blk_srv_complete(&p->srv, got[i].tag, 0, got[i].len), 0);
		for (int i = 0; i < 8; i++) {
			struct blk_cqe c;
			assert_int_equal(blk_cli_reap(&p->cli, &c), 1);
			assert_int_equal(c.tag, 7 - i);
			assert_int_equal(c.status, 0);
			assert_int_equal(c.len, 512);
		}
		struct blk_cqe c;
		assert_int_equal(blk_cli_reap(&p->cli, &c), 0);
	}
	pair_free(p);
}

/* Each bad request is completed with its error; the session goes on. */
static void test_bad_requests_fail_alone(void **state)
{
	(void)state;
	struct blk_info ro = info_rw;
	ro.flags |= BLK_INFO_READ_ONLY;
	const struct {
		struct blk_sqe rq;
		const struct blk_info *info;
		int err;
	} cases[] = {
	    {{.op = 0, .len = 512}, &info_rw, ERR_NOT_SUPPORTED},
	    {{.op = 99, .len = 512}, &info_rw, ERR_NOT_SUPPORTED},
	    {{.op = BLK_OP_READ, .flags = 1, .len = 512}, &info_rw, ERR_INVALID_ARGS},
	    {{.op = BLK_OP_READ, .len = 0}, &info_rw, ERR_INVALID_ARGS},
	    {{.op = BLK_OP_READ, .len = 100}, &info_rw, ERR_INVALID_ARGS},
	    {{.op = BLK_OP_READ, .len = 131072}, &info_rw, ERR_INVALID_ARGS},
	    {{.op = BLK_OP_READ, .len = 512, .offset = 1}, &info_rw, ERR_OUT_OF_RANGE},
	    {{.op = BLK_OP_READ, .len = 512, .offset = 1 << 20}, &info_rw, ERR_OUT_OF_RANGE},
	    {{.op = BLK_OP_READ, .len = 1024, .offset = (1 << 20) - 512},
	     &info_rw,
	     ERR_OUT_OF_RANGE},
	    {{.op = BLK_OP_READ, .len = 512, .offset = UINT64_MAX - 511},
	     &info_rw,
	     ERR_OUT_OF_RANGE},
	    {{.op = BLK_OP_READ, .len = 512, .data_off = 8192}, &info_rw, ERR_OUT_OF_RANGE},
	    {{.op = BLK_OP_READ, .len = 1024, .data_off = 7680}, &info_rw, ERR_OUT_OF_RANGE},
	    {{.op = BLK_OP_READ, .len = 512, .data_off = UINT64_MAX - 511},
	     &info_rw,
	     ERR_OUT_OF_RANGE},
	    {{.op = BLK_OP_READ, .len = 512, .data_off = 3}, &info_rw, ERR_OUT_OF_RANGE},
	    {{.op = BLK_OP_FLUSH, .len = 512}, &info_rw, ERR_INVALID_ARGS},
	    {{.op = BLK_OP_DISCARD, .len = 512}, &info_rw, ERR_NOT_SUPPORTED},
	    {{.op = BLK_OP_WRITE, .len = 512}, &ro, ERR_ACCESS_DENIED},
	    {{.op = BLK_OP_DISCARD, .len = 512}, &ro, ERR_ACCESS_DENIED},
	    {{.op = BLK_OP_FLUSH}, &ro, 0},
	    {{.op = BLK_OP_READ, .len = 512, .offset = (1 << 20) - 512, .data_off = 7680}, &ro, 0},
	};
	for (unsigned i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		struct pair *p = pair_new(4, 8192, cases[i].info);
		struct blk_sqe rq = cases[i].rq, got;
		assert_int_equal(blk_cli_submit(&p->cli, &rq), 0);
		struct blk_sqe good = {.op = BLK_OP_READ, .len = 512};
		assert_int_equal(blk_cli_submit(&p->cli, &good), 1);
		assert_int_equal(blk_srv_next(&p->srv, &got), 1);
		if (cases[i].err == 0) { /* valid: handed out first */
			assert_int_equal(got.tag, 0);
			assert_int_equal(blk_srv_complete(&p->srv, 0, 0, got.len), 0);
		} else {
			assert_int_equal(got.tag, 1); /* the bad one was completed on the way */
			struct blk_cqe c;
			assert_int_equal(blk_cli_reap(&p->cli, &c), 1);
			assert_int_equal(c.tag, 0);
			assert_int_equal(c.status, cases[i].err);
			assert_int_equal(c.len, 0);
		}
		pair_free(p);
	}
}

/* A client that never reads completions stalls only itself: the driver never
 * takes a request it has no completion slot for. */
static void test_undrained_completions_stall_client_only(void **state)
{
	(void)state;
	struct pair *p = pair_new(4, 4096, &info_rw);
	struct devring raw_sq = p->cli.sq; /* the hostile client writes the ring itself */
	struct blk_sqe rq = {.op = BLK_OP_READ, .len = 512}, got;
	for (int i = 0; i < 4; i++)
		assert_int_equal(devring_put(&raw_sq, &rq), 0);
	for (int i = 0; i < 4; i++) {
		assert_int_equal(blk_srv_next(&p->srv, &got), 1);
		assert_int_equal(blk_srv_complete(&p->srv, got.tag, 0, 512), 0);
	}
	for (int i = 0; i < 4; i++)
		assert_int_equal(devring_put(&raw_sq, &rq), 0);
	assert_int_equal(blk_srv_next(&p->srv, &got), 0); /* cq full: waits */
	(*word(p, BLK_REGION_CQ_CONS))++; /* the client consumes one */
	assert_int_equal(blk_srv_next(&p->srv, &got), 1);
	assert_int_equal(blk_srv_next(&p->srv, &got), 0);
	assert_int_equal(blk_srv_complete(&p->srv, got.tag, 0, 512), 0);
	pair_free(p);
}

/* Bad index words from the client end its session on the driver's side. */
static void test_client_indexes_break_ring(void **state)
{
	(void)state;
	const struct {
		uint32_t off, value;
	} cases[] = {
	    {BLK_REGION_SQ_PROD, 5}, /* 5 requests in a ring of 4 */
	    {BLK_REGION_SQ_PROD, 0xffffffffu}, /* behind the driver */
	    {BLK_REGION_CQ_CONS, 1}, /* consumed a completion never made */
	    {BLK_REGION_CQ_CONS, 0x80000000u},
	};
	for (unsigned i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		struct pair *p = pair_new(4, 4096, &info_rw);
		*word(p, cases[i].off) = cases[i].value;
		struct blk_sqe got;
		assert_int_equal(blk_srv_next(&p->srv, &got), ERR_MALFORMED);
		assert_int_equal(blk_srv_next(&p->srv, &got), ERR_MALFORMED);
		pair_free(p);
	}
	/* consumed past what was produced, with requests in flight: completing fails */
	struct pair *p = pair_new(4, 4096, &info_rw);
	struct blk_sqe rq = {.op = BLK_OP_READ, .len = 512}, got;
	assert_int_equal(blk_cli_submit(&p->cli, &rq), 0);
	assert_int_equal(blk_srv_next(&p->srv, &got), 1);
	*word(p, BLK_REGION_CQ_CONS) = 3;
	assert_int_equal(blk_srv_complete(&p->srv, got.tag, 0, 512), ERR_MALFORMED);
	pair_free(p);
}

/* The driver checks its own copy: the client rewriting the slot afterwards changes nothing. */
static void test_driver_uses_its_copy(void **state)
{
	(void)state;
	struct pair *p = pair_new(4, 4096, &info_rw);
	struct blk_sqe rq = {.op = BLK_OP_READ, .len = 512, .data_off = 3584}, got;
	assert_int_equal(blk_cli_submit(&p->cli, &rq), 0);
	assert_int_equal(blk_srv_next(&p->srv, &got), 1);
	struct blk_sqe *slot = (struct blk_sqe *)(p->mem + p->l.sq);
	slot->data_off = UINT64_MAX;
	slot->len = 0xfffffe00u;
	assert_int_equal(got.data_off, 3584);
	assert_int_equal(got.len, 512);
	assert_int_equal(blk_sqe_check(&p->srv, &got), 0);
	pair_free(p);
}

/* A hostile driver: each bad completion breaks the session for the client. */
static void test_driver_completions_checked(void **state)
{
	(void)state;
	const struct blk_cqe bad[] = {
	    {.tag = 3, .len = 0}, /* a slot not in flight */
	    {.tag = 4, .len = 0}, /* out of range */
	    {.tag = UINT64_MAX, .len = 0}, {.tag = 0, .len = 1024}, /* more bytes than asked */
	    {.tag = 0, .status = 5}, /* not an error code */
	};
	for (unsigned i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		struct pair *p = pair_new(4, 4096, &info_rw);
		struct blk_sqe rq = {.op = BLK_OP_READ, .len = 512};
		assert_int_equal(blk_cli_submit(&p->cli, &rq), 0);
		struct devring raw_cq = p->srv.cq;
		assert_int_equal(devring_put(&raw_cq, &bad[i]), 0);
		struct blk_cqe c;
		assert_int_equal(blk_cli_reap(&p->cli, &c), ERR_MALFORMED);
		assert_int_equal(blk_cli_submit(&p->cli, &rq), ERR_MALFORMED);
		pair_free(p);
	}
	/* the same tag completed twice */
	struct pair *p = pair_new(4, 4096, &info_rw);
	struct blk_sqe rq = {.op = BLK_OP_READ, .len = 512};
	assert_int_equal(blk_cli_submit(&p->cli, &rq), 0);
	struct devring raw_cq = p->srv.cq;
	struct blk_cqe c = {.tag = 0, .len = 512};
	assert_int_equal(devring_put(&raw_cq, &c), 0);
	assert_int_equal(devring_put(&raw_cq, &c), 0);
	assert_int_equal(blk_cli_reap(&p->cli, &c), 1);
	assert_int_equal(blk_cli_reap(&p->cli, &c), ERR_MALFORMED);
	pair_free(p);
	/* a completion index that runs ahead, and a submission consumer index that does */
	p = pair_new(4, 4096, &info_rw);
	*word(p, BLK_REGION_CQ_PROD) = 9;
	assert_int_equal(blk_cli_reap(&p->cli, &c), ERR_MALFORMED);
	pair_free(p);
	p = pair_new(4, 4096, &info_rw);
	*word(p, BLK_REGION_SQ_CONS) = 1;
	assert_int_equal(blk_cli_submit(&p->cli, &rq), ERR_MALFORMED);
	pair_free(p);
}

static void test_control_checks(void **state)
{
	(void)state;
	uint32_t e = 1024;
	uint64_t d = (64u << 20) + 100;
	assert_int_equal(blk_open_clamp(&e, &d), 0);
	assert_int_equal(e, DEV_RING_MAX);
	assert_int_equal(d, BLK_DATA_MAX);
	e = 3;
	assert_int_equal(blk_open_clamp(&e, &d), ERR_INVALID_ARGS);
	e = 0;
	assert_int_equal(blk_open_clamp(&e, &d), ERR_INVALID_ARGS);
	e = 4, d = 100;
	assert_int_equal(blk_open_clamp(&e, &d), ERR_INVALID_ARGS);
	e = 4, d = 6000;
	assert_int_equal(blk_open_clamp(&e, &d), 0);
	assert_int_equal(d, 4096);

	struct blk_info in = info_rw;
	memset(in.model, 'x', sizeof(in.model));
	assert_int_equal(blk_info_check(&in), 0);
	assert_int_equal(strlen(in.model), BLK_MODEL_MAX - 1);
	in.block_size = 768;
	assert_int_equal(blk_info_check(&in), ERR_MALFORMED);
	in = info_rw, in.block_size = 256;
	assert_int_equal(blk_info_check(&in), ERR_MALFORMED);
	in = info_rw, in.size = 1000;
	assert_int_equal(blk_info_check(&in), ERR_MALFORMED);
	in = info_rw, in.max_transfer = 0;
	assert_int_equal(blk_info_check(&in), ERR_MALFORMED);

	struct blk_open_reply r = {.entries = 8, .data_size = 8192};
	r.region_size = blk_region_layout(8, 8192).size;
	assert_int_equal(blk_open_reply_check(&r, 8, 8192), 0);
	assert_int_equal(blk_open_reply_check(&r, 4, 8192), ERR_MALFORMED);
	assert_int_equal(blk_open_reply_check(&r, 8, 4096), ERR_MALFORMED);
	r.region_size--;
	assert_int_equal(blk_open_reply_check(&r, 8, 8192), ERR_MALFORMED);
	r.region_size++, r.entries = 6;
	assert_int_equal(blk_open_reply_check(&r, 8, 8192), ERR_MALFORMED);
}

/* Random scribbles by both peers over the whole region: every call returns a
 * documented value, requests handed to the driver pass the checks, and the
 * client only ever reaps tags it had in flight. */
static void test_random_scribbles(void **state)
{
	(void)state;
	srand(1616);
	for (int iter = 0; iter < 3000; iter++) {
		struct pair *p = pair_new(4, 4096, &info_rw);
		struct blk_sqe held[8];
		int nheld = 0;
		for (int step = 0; step < 60; step++) {
			int r = rand() % 5;
			if (r == 0) {
				p->mem[rand() % (p->l.data)] = (uint8_t)rand();
			} else if (r == 1) {
				struct blk_sqe rq = {.op = (uint8_t)(1 + rand() % 4),
				                     .len = 512u * (uint32_t)(rand() % 3),
				                     .offset = 512u * (uint32_t)(rand() % 4),
				                     .data_off = 512u * (uint32_t)(rand() % 10)};
				long t = blk_cli_submit(&p->cli, &rq);
				assert_true(t >= 0 || t == ERR_SHOULD_WAIT || t == ERR_MALFORMED);
			} else if (r == 2 && nheld < 8) {
				int n = blk_srv_next(&p->srv, &held[nheld]);
				assert_true(n == 0 || n == 1 || n == ERR_MALFORMED);
				if (n == 1) {
					assert_int_equal(blk_sqe_check(&p->srv, &held[nheld]), 0);
					nheld++;
				}
			} else if (r == 3 && nheld > 0) {
				nheld--;
				int n =
				    blk_srv_complete(&p->srv, held[nheld].tag, 0, held[nheld].len);
				assert_true(n == 0 || n == ERR_MALFORMED);
			} else {
				struct blk_cqe c;
				int n = blk_cli_reap(&p->cli, &c);
				assert_true(n == 0 || n == 1 || n == ERR_MALFORMED);
				if (n == 1)
					assert_true(c.tag < 4 && c.status <= 0);
			}
			assert_true(p->cli.in_flight <= 4);
		}
		pair_free(p);
	}
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(test_round_trip_wraps),
	    cmocka_unit_test(test_bad_requests_fail_alone),
	    cmocka_unit_test(test_undrained_completions_stall_client_only),
	    cmocka_unit_test(test_client_indexes_break_ring),
	    cmocka_unit_test(test_driver_uses_its_copy),
	    cmocka_unit_test(test_driver_completions_checked),
	    cmocka_unit_test(test_control_checks),
	    cmocka_unit_test(test_random_scribbles),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
