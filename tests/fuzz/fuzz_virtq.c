/*
 * fuzz_virtq.c - libFuzzer over shared/virtio.c with the input as a hostile
 * device (and a driver that adds and harvests at the input's choice).
 *
 * Input: a queue size byte (1 << (b % 6): 1..32 entries), an event-index bit,
 * then a script of operations, one byte each plus their operands:
 *   0 add      n (1..4), a writable mask, a length byte per buffer
 *   1 used     slot, id (4 bytes), len (4 bytes): the device writes a used entry
 *   2 idx      a 2-byte used.idx
 *   3 scribble offset, byte: anywhere in the descriptor table or either ring
 *   4 harvest
 *   5 kick
 * Invariants: each cookie handed back (harvest or reclaim) was in flight and
 * comes back once; a completed length is within what the chain let the device
 * write; free descriptors plus those in flight are the queue size; after
 * reclaiming, nothing is in flight.
 */
#include <shared/virtio.h>
#include <abi/errors.h>

#include <stdbool.h>
#include <string.h>

#include "fuzz.h"

#define MAXQ 32

struct req {
	bool live;
	uint32_t writable;
};

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	if (size < 1)
		return 0;
	uint16_t qs = (uint16_t)(1u << (data[0] % 6));
	bool event_idx = data[0] & 0x80;
	size_t pos = 1;
	struct virtq_desc *desc = malloc(virtq_desc_bytes(qs));
	struct virtq_avail *avail = malloc(virtq_avail_bytes(qs));
	struct virtq_used *used = malloc(virtq_used_bytes(qs));
	struct virtq_slot slots[MAXQ];
	uint16_t next[MAXQ];
	struct req reqs[MAXQ] = {0};
	struct virtq q;
	FUZZ_CHECK(virtq_init(&q, qs, desc, avail, used, slots, next, event_idx) == 0);

#define NEED(k)                       \
	do {                          \
		if (pos + (k) > size) \
			goto out;     \
	} while (0)
	while (pos < size) {
		uint8_t op = data[pos++] % 6;
		if (op == 0) {
			NEED(2);
			unsigned n = 1 + data[pos] % 4, mask = data[pos + 1];
			pos += 2;
			NEED(n);
			struct virtq_buf b[4];
			uint32_t w = 0;
			for (unsigned i = 0; i < n; i++) {
				b[i] = (struct virtq_buf){0x1000 * (i + 1), 1u + data[pos + i],
				                          (mask >> i) & 1};
				w += b[i].device_writes ? b[i].len : 0;
			}
			pos += n;
			int r = -1;
			for (int i = 0; i < MAXQ; i++)
				if (!reqs[i].live) {
					r = i;
					break;
				}
			if (r < 0)
				continue;
			if (virtq_add(&q, b, n, &reqs[r]) == 0)
				reqs[r] = (struct req){true, w};
		} else if (op == 1) {
			NEED(9);
			uint32_t id, len;
			memcpy(&id, data + pos + 1, 4);
			memcpy(&len, data + pos + 5, 4);
			used->ring[data[pos] % qs] = (struct virtq_used_elem){id, len};
			pos += 9;
		} else if (op == 2) {
			NEED(2);
			memcpy(&used->idx, data + pos, 2);
			pos += 2;
		} else if (op == 3) {
			NEED(2);
			size_t total =
			    virtq_desc_bytes(qs) + virtq_avail_bytes(qs) + virtq_used_bytes(qs);
			size_t off = (size_t)data[pos] * 7 % total;
			uint8_t *p = off < virtq_desc_bytes(qs) ? (uint8_t *)desc + off
			             : (off -= virtq_desc_bytes(qs)) < virtq_avail_bytes(qs)
			                 ? (uint8_t *)avail + off
			                 : (uint8_t *)used + (off - virtq_avail_bytes(qs));
			*p = data[pos + 1];
			pos += 2;
		} else if (op == 4) {
			struct virtq_done d;
			int h = virtq_harvest(&q, &d);
			FUZZ_CHECK(h == 0 || h == 1 || h == ERR_MALFORMED);
			if (h == 1) {
				struct req *r = d.cookie;
				FUZZ_CHECK(r >= reqs && r < reqs + MAXQ && r->live);
				FUZZ_CHECK(d.status == 0 ? d.len <= r->writable : d.len == 0);
				r->live = false;
			}
		} else {
			(void)virtq_kick_needed(&q);
		}
		unsigned descs = 0;
		for (unsigned i = 0; i < qs; i++)
			descs += slots[i].in_flight ? slots[i].ndesc : 0;
		FUZZ_CHECK(descs + q.nfree == qs);
	}
out:;
	void *ck;
	while (virtq_reclaim(&q, &ck) == 1) {
		struct req *r = ck;
		FUZZ_CHECK(r >= reqs && r < reqs + MAXQ && r->live);
		r->live = false;
	}
	for (int i = 0; i < MAXQ; i++)
		FUZZ_CHECK(!reqs[i].live);
	FUZZ_CHECK(q.nfree == qs && q.in_flight == 0);
	free(desc);
	free(avail);
	free(used);
	return 0;
}
