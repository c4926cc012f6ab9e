/*
 * test_virtio.c - host tests for shared/virtio.c, the split virtqueue, with an
 * honest device model and a hostile one.
 *
 * The device-visible parts are malloc'd at exactly their size, so ASan flags
 * any access outside them; the model device walks the descriptor table as a
 * device would and writes the used ring. The hostile cases write what a buggy
 * or malicious device could: a used index that runs ahead, ids out of range,
 * not a chain's head, completed twice, lengths beyond the buffers, garbage in
 * the descriptor table and flags. Each must fail the request or the queue and
 * leave the driver's private state whole (checked by refilling the queue).
 */
#include <shared/virtio.h>
#include <abi/errors.h>

#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <cmocka.h>

struct tq {
	struct virtq q;
	uint16_t size;
	struct virtq_desc *desc;
	struct virtq_avail *avail;
	struct virtq_used *used;
	struct virtq_slot *slots;
	uint16_t *next;
	uint16_t dev_avail; /* the model device's position in the avail ring */
	uint16_t dev_used; /* its used.idx */
};

static struct tq *tq_new(uint16_t size, bool event_idx)
{
	struct tq *t = calloc(1, sizeof(*t));
	t->size = size;
	t->desc = malloc(virtq_desc_bytes(size));
	t->avail = malloc(virtq_avail_bytes(size));
	t->used = malloc(virtq_used_bytes(size));
	t->slots = malloc(sizeof(*t->slots) * size);
	t->next = malloc(sizeof(*t->next) * size);
	assert_int_equal(
	    virtq_init(&t->q, size, t->desc, t->avail, t->used, t->slots, t->next, event_idx), 0);
	return t;
}

static void tq_free(struct tq *t)
{
	free(t->desc);
	free(t->avail);
	free(t->used);
	free(t->slots);
	free(t->next);
	free(t);
}

/* The model device: takes the next available chain and completes it with len,
 * after checking the chain is well formed. Returns the head. */
static uint16_t dev_take(struct tq *t, uint32_t *writable)
{
	assert_int_not_equal(t->avail->idx, t->dev_avail);
	uint16_t head = t->avail->ring[t->dev_avail % t->size], d = head;
	t->dev_avail++;
	uint32_t w = 0;
	for (unsigned n = 0;; n++) {
		assert_true(n < t->size && d < t->size);
		if (t->desc[d].flags & VIRTQ_DESC_F_WRITE)
			w += t->desc[d].len;
		if (!(t->desc[d].flags & VIRTQ_DESC_F_NEXT))
			break;
		d = t->desc[d].next;
	}
	if (writable)
		*writable = w;
	return head;
}

static void dev_complete(struct tq *t, uint32_t id, uint32_t len)
{
	t->used->ring[t->dev_used % t->size] = (struct virtq_used_elem){id, len};
	t->dev_used++;
	t->used->idx = t->dev_used;
}

static int add1(struct tq *t, uint32_t wlen, void *cookie)
{
	struct virtq_buf b[3] = {{0x1000, 16, false}, {0x2000, wlen, true}, {0x3000, 1, true}};
	return virtq_add(&t->q, b, 3, cookie);
}

/* Every descriptor can be used again: size/3 chains of 3 fit, then no more. */
static void assert_queue_whole(struct tq *t)
{
	assert_int_equal(t->q.nfree, t->size);
	assert_int_equal(t->q.in_flight, 0);
	uint16_t n = 0;
	struct virtq_buf b = {0x1000, 8, true};
	while (virtq_add(&t->q, &b, 1, NULL) == 0)
		n++;
	assert_int_equal(n, t->size);
}

static void test_init_rejects_bad_sizes(void **state)
{
	(void)state;
	struct virtq q;
	static struct virtq_desc d[2048];
	static uint16_t ring[4096];
	static struct virtq_used_elem used[2048];
	static struct virtq_slot s[2048];
	static uint16_t next[2048];
	assert_int_equal(virtq_init(&q, 0, d, (void *)ring, (void *)used, s, next, false),
	                 ERR_INVALID_ARGS);
	assert_int_equal(virtq_init(&q, 3, d, (void *)ring, (void *)used, s, next, false),
	                 ERR_INVALID_ARGS);
	assert_int_equal(virtq_init(&q, 2048, d, (void *)ring, (void *)used, s, next, false),
	                 ERR_INVALID_ARGS);
	assert_int_equal(virtq_init(&q, 8, NULL, (void *)ring, (void *)used, s, next, false),
	                 ERR_INVALID_ARGS);
	assert_int_equal(virtq_init(&q, 1024, d, (void *)ring, (void *)used, s, next, false), 0);
}

/* Many rounds through an honest device, with completions out of order and the
 * 16-bit indexes wrapping several times. */
static void test_honest_device_wraps(void **state)
{
	(void)state;
	struct tq *t = tq_new(16, false);
	int cookies[5];
	for (unsigned round = 0; round < 70000 / 5; round++) {
		for (int i = 0; i < 5; i++)
			assert_int_equal(add1(t, 512, &cookies[i]), 0);
		uint16_t heads[5];
		uint32_t w;
		for (int i = 0; i < 5; i++) {
			heads[i] = dev_take(t, &w);
			assert_int_equal(w, 513);
		}
		for (int i = 4; i >= 0; i--) /* backwards: out of order */
			dev_complete(t, heads[i], 100);
		for (int i = 4; i >= 0; i--) {
			struct virtq_done d;
			assert_int_equal(virtq_harvest(&t->q, &d), 1);
			assert_ptr_equal(d.cookie, &cookies[i]);
			assert_int_equal(d.status, 0);
			assert_int_equal(d.len, 100);
		}
		struct virtq_done d;
		assert_int_equal(virtq_harvest(&t->q, &d), 0);
	}
	assert_queue_whole(t);
	tq_free(t);
}

static void test_add_limits(void **state)
{
	(void)state;
	struct tq *t = tq_new(4, false);
	struct virtq_buf b[5] = {
	    {1, 1, false}, {2, 1, false}, {3, 1, false}, {4, 1, false}, {5, 1, false}};
	assert_int_equal(virtq_add(&t->q, b, 0, NULL), ERR_INVALID_ARGS);
	assert_int_equal(virtq_add(&t->q, b, 5, NULL), ERR_NO_RESOURCES);
	b[1].len = 0;
	assert_int_equal(virtq_add(&t->q, b, 2, NULL), ERR_INVALID_ARGS);
	struct virtq_buf big[2] = {{1, UINT32_MAX, true}, {2, 2, true}};
	assert_int_equal(virtq_add(&t->q, big, 2, NULL), ERR_INVALID_ARGS);
	assert_int_equal(t->q.nfree, 4);
	assert_queue_whole(t);
	tq_free(t);
}

static void test_used_idx_runs_ahead(void **state)
{
	(void)state;
	struct tq *t = tq_new(8, false);
	int c;
	assert_int_equal(add1(t, 64, &c), 0);
	uint16_t h = dev_take(t, NULL);
	dev_complete(t, h, 1);
	t->used->idx += 1; /* claims two completions for one request */
	struct virtq_done d;
	assert_int_equal(virtq_harvest(&t->q, &d), ERR_MALFORMED);
	assert_true(t->q.broken);
	assert_int_equal(add1(t, 64, &c), ERR_BAD_STATE);
	/* after a reset, the request still in flight comes back once */
	void *ck;
	assert_int_equal(virtq_reclaim(&t->q, &ck), 1);
	assert_ptr_equal(ck, &c);
	assert_int_equal(virtq_reclaim(&t->q, &ck), 0);
	tq_free(t);
}

static void test_used_idx_huge_jump(void **state)
{
	(void)state;
	struct tq *t = tq_new(8, false);
	t->used->idx = 0x8000;
	struct virtq_done d;
	assert_int_equal(virtq_harvest(&t->q, &d), ERR_MALFORMED);
	tq_free(t);
}

static void test_used_id_out_of_range(void **state)
{
	(void)state;
	uint32_t bad[] = {8, 9, 0xffff, 0x10000, 0xffffffffu};
	for (unsigned i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		struct tq *t = tq_new(8, false);
		int c;
		assert_int_equal(add1(t, 64, &c), 0);
		dev_take(t, NULL);
		dev_complete(t, bad[i], 1);
		struct virtq_done d;
		assert_int_equal(virtq_harvest(&t->q, &d), ERR_MALFORMED);
		assert_int_equal(virtq_harvest(&t->q, &d), ERR_MALFORMED);
		tq_free(t);
	}
}

static void test_used_id_not_head_or_twice(void **state)
{
	(void)state;
	struct tq *t = tq_new(8, false);
	int c1, c2;
	assert_int_equal(add1(t, 64, &c1), 0);
	assert_int_equal(add1(t, 64, &c2), 0);
	uint16_t h = dev_take(t, NULL);
	dev_complete(t, (uint32_t)(h + 1), 1); /* the second descriptor of the chain */
	struct virtq_done d;
	assert_int_equal(virtq_harvest(&t->q, &d), ERR_MALFORMED);
	tq_free(t);

	t = tq_new(8, false);
	assert_int_equal(add1(t, 64, &c1), 0);
	assert_int_equal(add1(t, 64, &c2), 0);
	h = dev_take(t, NULL);
	dev_complete(t, h, 1);
	dev_complete(t, h, 1); /* the same chain again */
	assert_int_equal(virtq_harvest(&t->q, &d), 1);
	assert_ptr_equal(d.cookie, &c1);
	assert_int_equal(virtq_harvest(&t->q, &d), ERR_MALFORMED);
	void *ck;
	assert_int_equal(virtq_reclaim(&t->q, &ck), 1);
	assert_ptr_equal(ck, &c2);
	assert_int_equal(virtq_reclaim(&t->q, &ck), 0);
	tq_free(t);
}

static void test_used_len_too_large_fails_request_only(void **state)
{
	(void)state;
	struct tq *t = tq_new(8, false);
	int c1, c2;
	assert_int_equal(add1(t, 64, &c1), 0);
	assert_int_equal(add1(t, 64, &c2), 0);
	uint16_t h1 = dev_take(t, NULL), h2 = dev_take(t, NULL);
	dev_complete(t, h1, 66); /* 65 writable bytes */
	dev_complete(t, h2, 65);
	struct virtq_done d;
	assert_int_equal(virtq_harvest(&t->q, &d), 1);
	assert_ptr_equal(d.cookie, &c1);
	assert_int_equal(d.status, ERR_MALFORMED);
	assert_int_equal(d.len, 0);
	assert_int_equal(virtq_harvest(&t->q, &d), 1);
	assert_int_equal(d.status, 0);
	assert_int_equal(d.len, 65);
	assert_false(t->q.broken);
	assert_queue_whole(t);
	tq_free(t);
}

/* The device scribbles over the descriptor table and the avail ring while
 * requests are in flight: the driver never reads them back, so completing the
 * real heads still frees exactly the right descriptors. */
static void test_scribbled_table_changes_nothing(void **state)
{
	(void)state;
	struct tq *t = tq_new(16, false);
	int c[5];
	uint16_t h[5];
	for (int i = 0; i < 5; i++)
		assert_int_equal(add1(t, 64, &c[i]), 0);
	for (int i = 0; i < 5; i++)
		h[i] = dev_take(t, NULL);
	memset(t->desc, 0xa5, virtq_desc_bytes(16));
	memset(t->avail->ring, 0x5a, 2 * 16);
	for (int i = 0; i < 5; i++)
		dev_complete(t, h[i], 3);
	for (int i = 0; i < 5; i++) {
		struct virtq_done d;
		assert_int_equal(virtq_harvest(&t->q, &d), 1);
		assert_ptr_equal(d.cookie, &c[i]);
	}
	assert_queue_whole(t);
	tq_free(t);
}

static void test_kick_decision(void **state)
{
	(void)state;
	struct tq *t = tq_new(8, false);
	assert_false(virtq_kick_needed(&t->q)); /* nothing added */
	assert_int_equal(add1(t, 8, NULL), 0);
	assert_true(virtq_kick_needed(&t->q));
	assert_false(virtq_kick_needed(&t->q)); /* nothing new */
	t->used->flags = VIRTQ_USED_F_NO_NOTIFY;
	assert_int_equal(add1(t, 8, NULL), 0);
	assert_false(virtq_kick_needed(&t->q));
	t->used->flags = 0xffff; /* garbage flags: only a yes or a no */
	assert_int_equal(t->q.nfree, 2);
	tq_free(t);

	/* event index: notify once avail passes the index the device names */
	t = tq_new(8, true);
	uint16_t *avail_event = (uint16_t *)&t->used->ring[8];
	*avail_event = 0; /* wants to hear when entry 0 is added */
	assert_int_equal(add1(t, 8, NULL), 0);
	assert_true(virtq_kick_needed(&t->q));
	*avail_event = 5; /* not before avail reaches 6 */
	assert_int_equal(add1(t, 8, NULL), 0);
	assert_false(virtq_kick_needed(&t->q));
	*avail_event = 0xbeef; /* garbage: a yes or a no, nothing else */
	(void)virtq_kick_needed(&t->q);
	/* harvesting tells the device where we are */
	uint16_t hd = dev_take(t, NULL);
	dev_complete(t, hd, 0);
	struct virtq_done d;
	assert_int_equal(virtq_harvest(&t->q, &d), 1);
	assert_int_equal(t->avail->ring[8], 1); /* used_event */
	tq_free(t);
}

/* Random hostile devices: whatever is written, the driver's state stays
 * consistent (nfree + descriptors in flight == size) and every cookie handed
 * back was one in flight, exactly once. */
static void test_random_hostile_device(void **state)
{
	(void)state;
	srand(16);
	for (int iter = 0; iter < 2000; iter++) {
		struct tq *t = tq_new(8, iter & 1);
		int live[8] = {0}; /* cookies are &live[i]: 1 while in flight */
		for (int step = 0; step < 40 && !t->q.broken; step++) {
			int r = rand() % 4;
			if (r == 0) {
				for (int i = 0; i < 8; i++)
					if (!live[i] && add1(t, 32, &live[i]) == 0) {
						live[i] = 1;
						break;
					}
			} else if (r == 1) {
				t->used->ring[rand() % 8] = (struct virtq_used_elem){
				    (uint32_t)rand() % 12, (uint32_t)rand() % 40};
			} else if (r == 2) {
				t->used->idx = (uint16_t)(t->used->idx + rand() % 3);
			} else {
				struct virtq_done d;
				int h = virtq_harvest(&t->q, &d);
				if (h == 1) {
					int *ck = d.cookie;
					assert_true(ck >= live && ck < live + 8 && *ck == 1);
					*ck = 0;
					assert_true(d.status == 0 ? d.len <= 33 : d.len == 0);
				}
			}
			unsigned descs = 0;
			for (int i = 0; i < 8; i++)
				descs += t->q.slots[i].in_flight ? t->q.slots[i].ndesc : 0;
			assert_int_equal(descs + t->q.nfree, 8);
		}
		void *ck;
		while (virtq_reclaim(&t->q, &ck) == 1) {
			assert_int_equal(*(int *)ck, 1);
			*(int *)ck = 0;
		}
		for (int i = 0; i < 8; i++)
			assert_int_equal(live[i], 0);
		tq_free(t);
	}
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(test_init_rejects_bad_sizes),
	    cmocka_unit_test(test_honest_device_wraps),
	    cmocka_unit_test(test_add_limits),
	    cmocka_unit_test(test_used_idx_runs_ahead),
	    cmocka_unit_test(test_used_idx_huge_jump),
	    cmocka_unit_test(test_used_id_out_of_range),
	    cmocka_unit_test(test_used_id_not_head_or_twice),
	    cmocka_unit_test(test_used_len_too_large_fails_request_only),
	    cmocka_unit_test(test_scribbled_table_changes_nothing),
	    cmocka_unit_test(test_kick_decision),
	    cmocka_unit_test(test_random_hostile_device),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
